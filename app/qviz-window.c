/* qviz-window.c: the main window's widgets and what they show.
 *
 * A sidebar lists the current model's sweeps grouped by machine; choosing
 * one loads its runs and fills the Overview, Flame chart, Layers and
 * Compare pages.  What the user does (open, run, export...) lives in
 * qviz-window-actions.c.
 */

#include "qviz-config.h"
#include "qviz-window-private.h"
#include "qviz-crossover.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "qviz-chart-adapt.h"
#include "qviz-compare.h"
#include "qviz-zoo.h"

G_DEFINE_FINAL_TYPE (QvizWindow, qviz_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---- small helpers ---------------------------------------------------- */

char *
qviz_window_format_time (gint64 unix_us)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  return local ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

/* "256x256,512x512" -> "256, 512"; non-square sizes stay "512×768". */
char *
qviz_window_format_resolutions (const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text ? text : "", ",", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; parts[i]; i++)
    {
      int h = 0, w = 0;
      if (out->len)
        g_string_append (out, ", ");
      if (sscanf (parts[i], "%dx%d", &h, &w) == 2 && h == w)
        g_string_append_printf (out, "%d", h);
      else if (h > 0 && w > 0)
        g_string_append_printf (out, "%d×%d", h, w);
      else
        g_string_append (out, parts[i]);
    }
  return g_string_free (out, FALSE);
}

char *
qviz_window_format_list (const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text ? text : "", ",", -1);
  return g_strjoinv (", ", parts);
}

char *
qviz_window_format_ms (double ms)
{
  if (isnan (ms))
    return g_strdup ("—");
  if (ms >= 100)
    return g_strdup_printf (_("%.0f ms"), ms);
  if (ms >= 10)
    return g_strdup_printf (_("%.1f ms"), ms);
  return g_strdup_printf (_("%.2f ms"), ms);
}

guint
qviz_window_get_n_sweep_rows (QvizWindow *self)
{
  guint n = 0;

  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (self->sweep_list)); w;
       w = gtk_widget_get_next_sibling (w))
    if (GTK_IS_LIST_BOX_ROW (w))
      n++;
  return n;
}

gboolean
qviz_window_is_running (QvizWindow *self)
{
  return self->cancellable != NULL;
}

gboolean
qviz_window_is_loading (QvizWindow *self)
{
  return self->loading_model > 0 || self->loading_sweep;
}

void
qviz_window_toast (QvizWindow *self,
                   const char *message)
{
  AdwToast *toast;

  g_return_if_fail (QVIZ_IS_WINDOW (self));

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toasts, toast);
}

void
qviz_window_toast_saved (QvizWindow *self,
                         const char *message,
                         const char *path)
{
  AdwToast *toast;

  g_return_if_fail (QVIZ_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 8);
  adw_toast_set_button_label (toast, _("_Open"));
  adw_toast_set_action_name (toast, "win.open-saved");
  adw_toast_set_action_target_value (toast, g_variant_new_string (path));
  adw_toast_overlay_add_toast (self->toasts, toast);
}

/* ---- sidebar -------------------------------------------------------- */

static const QvizSweep *
row_sweep (QvizWindow    *self,
           GtkListBoxRow *row)
{
  int i = gtk_list_box_row_get_index (row);

  if (row == NULL || self->sweeps == NULL || i < 0 || (guint) i >= self->sweeps->len)
    return NULL;
  return g_ptr_array_index (self->sweeps, i);
}

static void
sweep_list_header (GtkListBoxRow *row,
                   GtkListBoxRow *before,
                   gpointer       user_data)
{
  QvizWindow *self = user_data;
  const QvizSweep *sweep = row_sweep (self, row);
  const QvizSweep *prev = before ? row_sweep (self, before) : NULL;
  GtkWidget *header;
  g_autofree char *markup = NULL;

  if (sweep == NULL || (prev && g_strcmp0 (prev->machine_id, sweep->machine_id) == 0))
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }
  markup = g_markup_printf_escaped ("<b>%s</b>\n<small>%s</small>",
                                    sweep->hostname ? sweep->hostname : _("Unknown machine"),
                                    sweep->cpu_model ? sweep->cpu_model : "");
  header = gtk_label_new (NULL);
  gtk_label_set_markup (GTK_LABEL (header), markup);
  gtk_label_set_xalign (GTK_LABEL (header), 0);
  gtk_label_set_ellipsize (GTK_LABEL (header), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (header, "dim-label");
  gtk_widget_set_margin_start (header, 12);
  gtk_widget_set_margin_end (header, 12);
  gtk_widget_set_margin_top (header, before ? 18 : 6);
  gtk_widget_set_margin_bottom (header, 6);
  gtk_list_box_row_set_header (row, header);
}

const char *
qviz_window_sweep_status_label (const QvizSweep *sweep)
{
  switch (sweep->status)
    {
    case QVIZ_SWEEP_RUNNING:
      return _("running");
    case QVIZ_SWEEP_CANCELLED:
      return _("cancelled");
    case QVIZ_SWEEP_FAILED:
      return _("failed");
    case QVIZ_SWEEP_INTERRUPTED:
      return _("interrupted");
    case QVIZ_SWEEP_COMPLETE:
    default:
      return NULL;
    }
}

char *
qviz_window_format_sweep_line (const QvizSweep *sweep)
{
  g_autofree char *res = qviz_window_format_resolutions (sweep->resolutions);
  g_autofree char *threads = qviz_window_format_list (sweep->threads);
  g_autofree char *precisions = qviz_window_format_list (sweep->precisions);

  g_autofree char *threads_text = NULL;

  /* TRANSLATORS: the thread counts of a sweep, e.g. "1 thread" or "1, 2 threads". */
  threads_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s thread", "%s threads",
                                               g_strcmp0 (sweep->threads, "1") == 0 ? 1 : 2),
                                  threads);
  g_autofree char *line = NULL;

  /* TRANSLATORS: sidebar row: resolutions in px, thread counts, precisions, number of runs. */
  line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s px · %s · %s · %u run",
                                       "%s px · %s · %s · %u runs", sweep->n_runs),
                          res, threads_text, precisions, sweep->n_runs);
  /* A sweep of another runtime (an imported profile) says which first. */
  if (sweep->engines != NULL && g_strcmp0 (sweep->engines, QVIZ_ENGINE_QVIZ) != 0)
    return g_strdup_printf ("%s · %s", sweep->engines, line);
  return g_steal_pointer (&line);
}

static GtkWidget *
make_sweep_row (const QvizSweep *sweep)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title, *subtitle;
  g_autofree char *date = qviz_window_format_time (sweep->created);
  g_autofree char *sub = qviz_window_format_sweep_line (sweep);
  const char *status = qviz_window_sweep_status_label (sweep);

  title = gtk_label_new (date);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (top), title);
  if (status != NULL)
    {
      GtkWidget *badge = gtk_label_new (status);
      gtk_widget_add_css_class (badge, "caption");
      gtk_widget_add_css_class (badge, sweep->status == QVIZ_SWEEP_FAILED ? "error" : "dim-label");
      if (sweep->message && sweep->message[0])
        gtk_widget_set_tooltip_text (badge, sweep->message);
      gtk_box_append (GTK_BOX (top), badge);
    }
  gtk_box_append (GTK_BOX (box), top);

  subtitle = gtk_label_new (sub);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_label_set_lines (GTK_LABEL (subtitle), 2);
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_tooltip_text (box, sweep->uuid);
  return box;
}

static int
compare_sweeps_by_machine (gconstpointer a,
                           gconstpointer b)
{
  const QvizSweep *sa = *(QvizSweep * const *) a, *sb = *(QvizSweep * const *) b;
  int c = g_strcmp0 (sa->hostname, sb->hostname);

  if (c == 0)
    c = g_strcmp0 (sa->machine_id, sb->machine_id);
  if (c == 0)
    c = (sb->created > sa->created) - (sb->created < sa->created);
  return c;
}

static void
on_sweep_row_selected (GtkListBox    *list,
                       GtkListBoxRow *row,
                       QvizWindow    *self)
{
  const QvizSweep *sweep = row ? row_sweep (self, row) : NULL;

  if (sweep != NULL && g_strcmp0 (sweep->uuid, self->sweep_uuid) != 0)
    qviz_window_show_sweep (self, sweep->uuid);
}

void
qviz_window_reload_sweeps (QvizWindow *self,
                           const char *select_uuid)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *want = g_strdup (select_uuid ? select_uuid : self->sweep_uuid);
  GtkWidget *child;
  GtkListBoxRow *to_select = NULL;

  g_clear_pointer (&self->sweeps, g_ptr_array_unref);
  g_clear_pointer (&self->all_sweeps, g_ptr_array_unref);
  if (self->store != NULL)
    {
      self->all_sweeps = qviz_store_list_sweeps (self->store, NULL, NULL, &error);
      if (self->all_sweeps == NULL)
        qviz_window_toast (self, error->message);
      else if (self->model_sha256 != NULL)
        {
          for (guint i = 0; i < self->all_sweeps->len; i++)
            qviz_sweep_clip_text (g_ptr_array_index (self->all_sweeps, i),
                                  QVIZ_WINDOW_MAX_TEXT);
          self->sweeps = g_ptr_array_new ();
          for (guint i = 0; i < self->all_sweeps->len; i++)
            {
              QvizSweep *s = g_ptr_array_index (self->all_sweeps, i);
              /* The same name keeps earlier versions of the model (an edited
               * file, a built-in model of an older qviz) in view, so a
               * change can be compared with what came before. */
              if (g_strcmp0 (s->model_sha256, self->model_sha256) == 0 ||
                  (self->model_name != NULL && g_strcmp0 (s->model_name, self->model_name) == 0))
                g_ptr_array_add (self->sweeps, s);
            }
          g_ptr_array_sort (self->sweeps, compare_sweeps_by_machine);
        }
    }

  /* Rebuilding the rows must not make the selection load each sweep. */
  g_signal_handlers_block_by_func (self->sweep_list, on_sweep_row_selected, self);
  while ((child = GTK_WIDGET (gtk_list_box_get_row_at_index (self->sweep_list, 0))) != NULL)
    gtk_list_box_remove (self->sweep_list, child);
  for (guint i = 0; self->sweeps && i < self->sweeps->len; i++)
    {
      const QvizSweep *sweep = g_ptr_array_index (self->sweeps, i);
      gtk_list_box_append (self->sweep_list, make_sweep_row (sweep));
      if (want && g_str_equal (sweep->uuid, want))
        to_select = gtk_list_box_get_row_at_index (self->sweep_list, i);
    }
  if (to_select == NULL && self->sweeps && self->sweeps->len > 0)
    {
      /* The newest sweep of any machine. */
      guint newest = 0;
      for (guint i = 1; i < self->sweeps->len; i++)
        if (((QvizSweep *) g_ptr_array_index (self->sweeps, i))->created >
            ((QvizSweep *) g_ptr_array_index (self->sweeps, newest))->created)
          newest = i;
      to_select = gtk_list_box_get_row_at_index (self->sweep_list, newest);
    }
  if (to_select)
    gtk_list_box_select_row (self->sweep_list, to_select);
  gtk_list_box_invalidate_headers (self->sweep_list);
  g_signal_handlers_unblock_by_func (self->sweep_list, on_sweep_row_selected, self);

  if (to_select)
    qviz_window_show_sweep (self, row_sweep (self, to_select)->uuid);
  else
    qviz_window_show_sweep (self, NULL);
}

/* ---- pages ---------------------------------------------------------- */

static int
compare_configs (gconstpointer a,
                 gconstpointer b)
{
  const QvizWindowConfig *x = a, *y = b;
  gint64 ax = (gint64) x->height * x->width, ay = (gint64) y->height * y->width;

  if (ax != ay)
    return ax < ay ? -1 : 1;
  return x->threads - y->threads;
}

static GtkStringList *
config_model (QvizWindow *self)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; i < self->configs->len; i++)
    {
      const QvizWindowConfig *c = &g_array_index (self->configs, QvizWindowConfig, i);
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d×%d · %d thread", "%d×%d · %d threads",
                                      c->threads), c->height, c->width, c->threads);
      gtk_string_list_append (list, text);
    }
  return list;
}

static const QvizWindowConfig *
selected_config (QvizWindow *self)
{
  guint i = gtk_drop_down_get_selected (self->flame_config);

  if (self->configs == NULL || i >= self->configs->len)
    return NULL;
  return &g_array_index (self->configs, QvizWindowConfig, i);
}

static const QvizRun *
config_run (QvizWindow             *self,
            const QvizWindowConfig *c,
            const char             *precision)
{
  for (guint i = 0; c && self->runs && i < self->runs->len; i++)
    {
      const QvizRun *run = g_ptr_array_index (self->runs, i);
      if (g_strcmp0 (run->precision, precision) == 0 && run->height == c->height &&
          run->width == c->width && run->threads == c->threads)
        return run;
    }
  return NULL;
}

const QvizRun *
qviz_window_get_report_run (QvizWindow *self,
                            const char *precision)
{
  g_return_val_if_fail (QVIZ_IS_WINDOW (self), NULL);

  return config_run (self, selected_config (self), precision);
}

static GtkWidget *
make_card (const char *title,
           const char *value,
           const char *detail)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *label;

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "qviz-headline");
  label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);
  /* Layer paths have no spaces to wrap at: break anywhere, and cut what
   * two lines cannot hold, so a long name never widens the window. */
  label = gtk_label_new (value);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_lines (GTK_LABEL (label), 2);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 30);
  gtk_widget_add_css_class (label, "title-2");
  gtk_box_append (GTK_BOX (box), label);
  label = gtk_label_new (detail);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_lines (GTK_LABEL (label), 4);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_hexpand (box, TRUE);
  return box;
}

static void
fill_cards (QvizWindow *self)
{
  GtkWidget *child;
  g_autoptr (GString) speedups = g_string_new (NULL);
  g_autofree char *speed_value = NULL;
  g_autofree char *cold_value = NULL, *cold_detail = NULL;
  g_autofree char *slow_value = NULL, *slow_detail = NULL;
  g_autofree char *cross_value = NULL, *cross_detail = NULL;
  int fewest = 0;
  double best = 0, worst = G_MAXDOUBLE;
  const QvizRun *largest = NULL;

  while ((child = gtk_widget_get_first_child (self->cards)) != NULL)
    gtk_flow_box_remove (GTK_FLOW_BOX (self->cards), child);
  if (self->runs == NULL || self->runs->len == 0)
    return;

  for (guint i = 0; i < self->runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (self->runs, i);
      if (fewest == 0 || r->threads < fewest)
        fewest = r->threads;
    }
  /* int8 speedup at each size, fewest threads. */
  for (guint i = 0; i < self->configs->len; i++)
    {
      const QvizWindowConfig *c = &g_array_index (self->configs, QvizWindowConfig, i);
      const QvizRun *f = config_run (self, c, "f32"), *q = config_run (self, c, "int8");
      double s;

      if (c->threads != fewest)
        continue;
      if (largest == NULL || c->height * c->width >= largest->height * largest->width)
        largest = f ? f : q;
      if (!f || !q || f->status != QVIZ_RUN_COMPLETE || q->status != QVIZ_RUN_COMPLETE)
        continue;
      s = f->stats.median / q->stats.median;
      best = MAX (best, s);
      worst = MIN (worst, s);
      g_string_append_printf (speedups, "%s%d px: %.2f×", speedups->len ? " · " : "", c->height, s);
    }
  if (speedups->len)
    {
      speed_value = worst == best ? g_strdup_printf ("%.2f×", best)
                                  : g_strdup_printf ("%.2f× – %.2f×", worst, best);
      g_string_append_printf (speedups, g_dngettext (GETTEXT_PACKAGE, " (%d thread)",
                                                     " (%d threads)", fewest), fewest);
      gtk_flow_box_append (GTK_FLOW_BOX (self->cards),
                           make_card (_("int8 speedup over f32"), speed_value, speedups->str));
    }

  /* Cold start of the largest configuration: plan, first pass, steady. */
  if (largest != NULL)
    {
      QvizWindowConfig c = { largest->height, largest->width, largest->threads };
      g_autoptr (GString) detail = g_string_new (NULL);
      const char *precisions[] = { "f32", "int8" };
      double first_total = NAN;

      for (guint p = 0; p < G_N_ELEMENTS (precisions); p++)
        {
          const QvizRun *r = config_run (self, &c, precisions[p]);
          g_autofree char *plan = NULL, *first = NULL, *steady = NULL;
          double first_ms;

          if (r == NULL)
            continue;
          first_ms = r->cold_ms->len ? g_array_index (r->cold_ms, double, 0) : NAN;
          plan = qviz_window_format_ms (r->plan_ms);
          first = qviz_window_format_ms (first_ms);
          steady = qviz_window_format_ms (r->stats.median);
          /* TRANSLATORS: precision: plan time, first pass, steady-state median. */
          g_string_append_printf (detail, _("%s%s: plan %s, first pass %s, steady %s"),
                                  detail->len ? "\n" : "", r->precision, plan, first, steady);
          if (g_str_equal (r->precision, "int8") || isnan (first_total))
            first_total = first_ms / r->stats.median;
        }
      if (!isnan (first_total))
        {
          /* TRANSLATORS: how many times slower the first pass is than a steady one. */
          cold_value = g_strdup_printf (_("First pass %.1f× steady"), first_total);
          g_string_append_printf (detail, g_dngettext (GETTEXT_PACKAGE, "\nat %d×%d, %d thread",
                                                       "\nat %d×%d, %d threads", c.threads),
                                  c.height, c.width, c.threads);
          cold_detail = g_strdup (detail->str);
          gtk_flow_box_append (GTK_FLOW_BOX (self->cards),
                               make_card (_("Cold start"), cold_value, cold_detail));
        }

      /* Slowest layer of that configuration (int8 if measured). */
      {
        const QvizRun *r = config_run (self, &c, "int8");
        const QvizRunLayer *slow = NULL;
        if (r == NULL || r->layers == NULL || r->layers->len == 0)
          r = config_run (self, &c, "f32");
        for (guint l = 0; r && r->layers && l < r->layers->len; l++)
          {
            const QvizRunLayer *layer = qviz_run_get_layer (r, l);
            if (!isnan (layer->stats.median) && (slow == NULL || layer->stats.median > slow->stats.median))
              slow = layer;
          }
        const QvizRun *f32 = config_run (self, &c, "f32"), *int8 = config_run (self, &c, "int8");
        const QvizRunLayer *worst_f = NULL, *worst_q = NULL;
        double ratio = NAN;
        g_autofree char *slow_line = NULL;

        if (slow != NULL)
          {
            g_autofree char *ms = qviz_window_format_ms (slow->stats.median);
            /* TRANSLATORS: slowest layer: time, share of the pass, precision, kernel. */
            slow_line = g_strdup_printf (_("%s (%.0f%% of the %s pass) · %s"), ms,
                                         100 * slow->stats.median / r->stats.median,
                                         r->precision, slow->kernel ? slow->kernel : "");
          }
        /* What the user asks first: where int8 loses against float, and why
         * (the kernel and the reason it was chosen); the slowest layer in
         * time is the second line. */
        if (f32 != NULL && int8 != NULL &&
            qviz_chart_worst_ratio_layer (f32, int8, &worst_f, &worst_q, &ratio))
          {
            g_autofree char *ms_q = qviz_window_format_ms (worst_q->stats.median);
            g_autofree char *ms_f = qviz_window_format_ms (worst_f->stats.median);
            slow_value = g_strdup (worst_q->name);
            /* TRANSLATORS: int8/f32 ratio, int8 time, f32 time, kernel, reason;
             * then the slowest layer in time, its name and its line. */
            slow_detail = g_strdup_printf (_("int8 %.2f× f32 (%s against %s) · %s%s%s\nSlowest in time: %s, %s"),
                                           ratio, ms_q, ms_f,
                                           worst_q->kernel ? worst_q->kernel : "",
                                           worst_q->reason && *worst_q->reason ? " — " : "",
                                           worst_q->reason ? worst_q->reason : "",
                                           slow ? slow->name : "", slow_line ? slow_line : "");
            gtk_flow_box_append (GTK_FLOW_BOX (self->cards),
                                 make_card (ratio > 1 ? _("Layer where int8 loses most")
                                                      : _("Layer where int8 gains least"),
                                            slow_value, slow_detail));
          }
        else if (slow != NULL)
          {
            slow_value = g_strdup (slow->name);
            slow_detail = g_steal_pointer (&slow_line);
            gtk_flow_box_append (GTK_FLOW_BOX (self->cards),
                                 make_card (_("Slowest layer"), slow_value, slow_detail));
          }
      }
    }

  /* How int8 stands against float, per thread count: the relation and its
   * sentence come from ui/charts, so the card says what the curves show. */
  {
    g_autoptr (GPtrArray) series = qviz_chart_curves_from_runs (self->runs);
    g_autoptr (GArray) relations = qviz_curves_relate_all (series);

    if (relations->len > 0)
      {
        g_autoptr (GString) detail = g_string_new (NULL);

        for (guint i = 0; i < relations->len; i++)
          {
            g_autofree char *line =
              qviz_curve_relation_describe (&g_array_index (relations, QvizCurveRelation, i));
            g_string_append_printf (detail, "%s%s", detail->len ? "\n" : "", line);
          }
        cross_value = qviz_curve_relations_headline (relations);
        cross_detail = g_string_free (g_steal_pointer (&detail), FALSE);
        gtk_flow_box_append (GTK_FLOW_BOX (self->cards),
                             make_card (_("Crossover"), cross_value, cross_detail));
      }
  }

  /* Runs of a precision other than f32 and int8 (an imported engine's, an
   * older qviz's) have no float/int8 card: say they are there and where
   * they are shown, rather than leave the sweep looking empty. */
  {
    g_autoptr (GString) names = g_string_new (NULL);
    guint n_other = 0;

    for (guint i = 0; i < self->runs->len; i++)
      {
        const QvizRun *r = g_ptr_array_index (self->runs, i);
        g_autofree char *quoted = NULL;

        if (r->precision != NULL && (g_str_equal (r->precision, "f32") || g_str_equal (r->precision, "int8")))
          continue;
        n_other++;
        quoted = g_strdup_printf ("“%s”", r->precision ? r->precision : "");
        if (strstr (names->str, quoted) == NULL)
          g_string_append_printf (names, "%s%s", names->len ? ", " : "", quoted);
      }
    if (n_other > 0)
      {
        g_autofree char *value = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u run of precision %s",
                                                               "%u runs of precision %s", n_other),
                                                  n_other, names->str);
        gtk_flow_box_append (GTK_FLOW_BOX (self->cards),
                             make_card (_("Other precisions"), value,
                                        _("Shown in the latency curves, the time by layer class and the Cold start page; the other cards, the flame chart and the layer table set f32 against int8.")));
      }
  }
}

static void update_flame_matches (QvizWindow *self, guint position);

static void
fill_flame (QvizWindow *self)
{
  const QvizWindowConfig *c = selected_config (self);
  guint pass = gtk_drop_down_get_selected (self->flame_pass);

  qviz_flame_view_set_runs (self->flame, config_run (self, c, "f32"), config_run (self, c, "int8"),
                            pass == GTK_INVALID_LIST_POSITION ? -1 : (int) pass - 1);
  gtk_label_set_text (self->flame_status, "");
  update_flame_matches (self, 0);
}

static void
fill_pass_choices (QvizWindow *self)
{
  const QvizWindowConfig *c = selected_config (self);
  const QvizRun *runs[2] = { config_run (self, c, "f32"), config_run (self, c, "int8") };
  guint n_cold = G_MAXUINT;
  g_autoptr (GtkStringList) list = gtk_string_list_new (NULL);

  for (guint i = 0; i < 2; i++)
    if (runs[i])
      n_cold = MIN (n_cold, runs[i]->cold_ms->len);
  if (n_cold == G_MAXUINT)
    n_cold = 0;
  gtk_string_list_append (list, _("Steady state"));
  for (guint i = 0; i < n_cold; i++)
    {
      g_autofree char *text = g_strdup_printf (_("Cold pass %u"), i + 1);
      gtk_string_list_append (list, text);
    }
  gtk_drop_down_set_model (self->flame_pass, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->flame_pass, 0);
}

static void
fill_layers (QvizWindow *self)
{
  const QvizWindowConfig *c = selected_config (self);

  qviz_layer_table_set_runs (self->layer_table, config_run (self, c, "f32"),
                             config_run (self, c, "int8"));
}

static void
on_config_changed (QvizWindow *self)
{
  g_signal_handlers_block_by_func (self->flame_pass, fill_flame, self);
  fill_pass_choices (self);
  g_signal_handlers_unblock_by_func (self->flame_pass, fill_flame, self);
  fill_flame (self);
  fill_layers (self);
}

/* The Machines and Compare pages show the whole store, so they stay
 * reachable when the current model has no runs yet. */
static void
update_content (QvizWindow *self)
{
  const char *page = adw_view_stack_get_visible_child_name (self->pages);
  gboolean have_runs = self->runs != NULL && self->runs->len > 0;
  gboolean have_store = self->all_sweeps != NULL && self->all_sweeps->len > 0;
  gboolean store_page = g_strcmp0 (page, "machines") == 0 || g_strcmp0 (page, "compare") == 0;

  /* With nothing stored yet, bringing in another machine's runs is the
   * other way to start. */
  gtk_button_set_label (GTK_BUTTON (self->empty_machines_button),
                        have_store ? _("Browse _Machines and Sweeps") : _("_Import Database…"));
  /* Name and target change together: clear the name first, or the button
   * would briefly pair one action with the other's target. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->empty_machines_button), NULL);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->empty_machines_button),
                                          have_store ? g_variant_new_string ("machines") : NULL);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->empty_machines_button),
                                  have_store ? "win.show-page" : "win.import");
  /* Another sweep's pages would mislead while this one loads; a refresh of
   * the sweep shown (a run was added) keeps them. */
  if (self->loading_sweep && !store_page)
    {
      const QvizRun *first = have_runs ? g_ptr_array_index (self->runs, 0) : NULL;
      if (first == NULL || g_strcmp0 (first->sweep_uuid, self->sweep_uuid) != 0)
        {
          gtk_stack_set_visible_child_name (self->content_stack, "loading");
          return;
        }
    }
  gtk_stack_set_visible_child_name (self->content_stack, have_runs || store_page ? "pages" : "empty");
}

/* Reading a sweep's runs with every layer and span can take seconds on a
 * big database, so a worker does it on its own read-only connection.
 * While a sweep runs the sidebar is refreshed after every run; the runs
 * already shown are kept, so only a new run's layers and spans are read,
 * not every run's again. */
typedef struct {
  char      *db_path;
  char      *sweep_uuid;
  GStrv      kept_uuids;   /* runs the window holds in full already */
  guint      generation;
  GPtrArray *listed;       /* QvizRun *: in full, or brief when kept */
  guint      n_detailed;   /* runs read with layers and spans */
} SweepLoadJob;

static void
sweep_load_job_free (SweepLoadJob *job)
{
  g_free (job->db_path);
  g_free (job->sweep_uuid);
  g_strfreev (job->kept_uuids);
  g_clear_pointer (&job->listed, g_ptr_array_unref);
  g_free (job);
}

static void
sweep_load_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  SweepLoadJob *job = task_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = qviz_store_open (job->db_path, QVIZ_STORE_READ_ONLY, &error);
  gboolean have_kept = job->kept_uuids != NULL && job->kept_uuids[0] != NULL;

  if (store == NULL ||
      (job->listed = qviz_store_list_runs (store, job->sweep_uuid, !have_kept, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!have_kept)
    job->n_detailed = job->listed->len;
  for (guint i = 0; have_kept && i < job->listed->len; i++)
    {
      QvizRun *brief = g_ptr_array_index (job->listed, i);
      QvizRun *run;

      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* A run is stored whole in one transaction: same uuid, same run. */
      if (g_strv_contains ((const char * const *) job->kept_uuids, brief->uuid))
        continue;
      run = qviz_store_get_run (store, brief->uuid, &error);
      if (run == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      qviz_run_free (brief);
      job->listed->pdata[i] = run;
      job->n_detailed++;
    }
  for (guint i = 0; i < job->listed->len; i++)
    qviz_run_clip_text (g_ptr_array_index (job->listed, i), QVIZ_WINDOW_MAX_TEXT);
  g_task_return_boolean (task, TRUE);
}

/* The listed runs, each kept one taken from self->runs. */
static GPtrArray *
merge_kept_runs (QvizWindow   *self,
                 SweepLoadJob *job)
{
  GPtrArray *runs = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_free);

  for (guint i = 0; i < job->listed->len; i++)
    {
      QvizRun *run = g_steal_pointer (&job->listed->pdata[i]);

      for (guint j = 0; job->kept_uuids && self->runs && j < self->runs->len; j++)
        {
          QvizRun *kept = g_ptr_array_index (self->runs, j);
          if (kept != NULL && g_str_equal (kept->uuid, run->uuid)
              && g_strv_contains ((const char * const *) job->kept_uuids, run->uuid))
            {
              qviz_run_free (run);
              run = g_steal_pointer (&self->runs->pdata[j]);
              break;
            }
        }
      g_ptr_array_add (runs, run);
    }
  return runs;
}

static void show_runs (QvizWindow *self, GPtrArray *runs);

static void
on_sweep_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  QvizWindow *self = QVIZ_WINDOW (source);
  SweepLoadJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  /* A newer selection superseded this one: its own task fills the pages. */
  if (job->generation != self->sweep_generation)
    return;
  self->loading_sweep = FALSE;
  g_clear_object (&self->sweep_cancellable);
  gtk_spinner_stop (self->loading_spinner);
  self->n_detailed_loads += job->n_detailed;
  if (!ok)
    {
      qviz_window_toast (self, error->message);
      show_runs (self, NULL);
      return;
    }
  show_runs (self, merge_kept_runs (self, job));
}

gboolean
qviz_window_is_loading_sweep (QvizWindow *self)
{
  g_return_val_if_fail (QVIZ_IS_WINDOW (self), FALSE);
  return self->loading_sweep;
}

void
qviz_window_show_sweep (QvizWindow *self,
                        const char *sweep_uuid)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GStrvBuilder) kept = NULL;
  g_autofree char *uuid = g_strdup (sweep_uuid);
  SweepLoadJob *job;

  g_return_if_fail (QVIZ_IS_WINDOW (self));

  /* The sweep chosen is the one actions (export, delete, compare) act on
   * at once; its runs follow when read. */
  g_free (self->sweep_uuid);
  self->sweep_uuid = g_steal_pointer (&uuid);
  sweep_uuid = self->sweep_uuid;

  self->sweep_generation++;
  if (self->sweep_cancellable != NULL)
    g_cancellable_cancel (self->sweep_cancellable);
  g_clear_object (&self->sweep_cancellable);

  if (sweep_uuid == NULL || self->store == NULL)
    {
      self->loading_sweep = FALSE;
      gtk_spinner_stop (self->loading_spinner);
      show_runs (self, NULL);
      return;
    }

  kept = g_strv_builder_new ();
  for (guint i = 0; self->runs != NULL && i < self->runs->len; i++)
    {
      const QvizRun *run = g_ptr_array_index (self->runs, i);
      if (run != NULL && g_strcmp0 (run->sweep_uuid, sweep_uuid) == 0)
        g_strv_builder_add (kept, run->uuid);
    }

  job = g_new0 (SweepLoadJob, 1);
  job->db_path = g_strdup (qviz_store_get_path (self->store));
  job->sweep_uuid = g_strdup (sweep_uuid);
  job->kept_uuids = g_strv_builder_end (kept);
  job->generation = self->sweep_generation;
  self->sweep_cancellable = g_cancellable_new ();
  self->loading_sweep = TRUE;
  gtk_spinner_start (self->loading_spinner);
  update_content (self);

  task = g_task_new (self, self->sweep_cancellable, on_sweep_loaded, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) sweep_load_job_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, sweep_load_thread);
}

/* Fills the Overview, Flame chart, Layers and Cold start pages with runs
 * (taken) of the sweep chosen. */
static void
show_runs (QvizWindow *self,
           GPtrArray  *runs)
{
  g_autoptr (GtkStringList) configs = NULL;
  g_autoptr (GPtrArray) series = NULL;
  g_autoptr (QvizBreakdown) breakdown = NULL;
  const QvizSweep *sweep = NULL;
  guint initial = 0;
  int fewest = 0;

  g_clear_pointer (&self->runs, g_ptr_array_unref);
  self->runs = runs;
  g_array_set_size (self->configs, 0);
  for (guint i = 0; self->sweeps && i < self->sweeps->len; i++)
    if (g_strcmp0 (((QvizSweep *) g_ptr_array_index (self->sweeps, i))->uuid, self->sweep_uuid) == 0)
      sweep = g_ptr_array_index (self->sweeps, i);

  if (self->runs == NULL || self->runs->len == 0)
    {
      if (self->model_name == NULL)
        {
          adw_status_page_set_title (self->empty_page, _("No Model"));
          adw_status_page_set_description (self->empty_page,
            _("Choose a built-in model or open an ONNX file (Ctrl+O), or drop one here."));
        }
      else
        {
          g_autofree char *title = g_strdup_printf (_("No Runs of %s Yet"), self->model_name);
          adw_status_page_set_title (self->empty_page, title);
          adw_status_page_set_description (self->empty_page,
            _("Run a sweep (Ctrl+R) to measure the model at several resolutions and thread counts, in float and int8."));
        }
      adw_view_switcher_title_set_subtitle (self->switcher_title, NULL);
    }
  update_content (self);

  if (sweep != NULL)
    {
      g_autofree char *date = qviz_window_format_time (sweep->created);
      g_autofree char *subtitle = g_strdup_printf ("%s · %s", date, sweep->hostname ? sweep->hostname : "");
      adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);
    }

  for (guint i = 0; self->runs && i < self->runs->len; i++)
    {
      const QvizRun *run = g_ptr_array_index (self->runs, i);
      QvizWindowConfig c = { run->height, run->width, run->threads };
      gboolean seen = FALSE;

      for (guint j = 0; j < self->configs->len && !seen; j++)
        seen = compare_configs (&c, &g_array_index (self->configs, QvizWindowConfig, j)) == 0;
      if (!seen)
        g_array_append_val (self->configs, c);
      if (fewest == 0 || run->threads < fewest)
        fewest = run->threads;
    }
  g_array_sort (self->configs, compare_configs);
  /* Start where the differences are largest: the biggest input, one thread. */
  for (guint j = 0; j < self->configs->len; j++)
    if (g_array_index (self->configs, QvizWindowConfig, j).threads == fewest)
      initial = j;

  series = self->runs ? qviz_chart_curves_from_runs (self->runs) : NULL;
  qviz_curves_view_set_series (self->curves, series);
  breakdown = self->runs && self->runs->len ? qviz_chart_breakdown_from_runs (self->runs, 0) : NULL;
  qviz_breakdown_view_set_breakdown (self->breakdown, breakdown);
  fill_cards (self);

  configs = config_model (self);
  g_signal_handlers_block_by_func (self->flame_config, on_config_changed, self);
  gtk_drop_down_set_model (self->flame_config, G_LIST_MODEL (configs));
  gtk_drop_down_set_selected (self->flame_config, initial);
  g_signal_handlers_unblock_by_func (self->flame_config, on_config_changed, self);
  on_config_changed (self);
  qviz_cold_start_page_set_runs (self->cold_start, self->runs);
  qviz_window_update_compare_choices (self);
  qviz_window_reload_machines (self);
  qviz_window_update_actions (self);
}

void
qviz_window_open_sweep (QvizWindow *self,
                        const char *sweep_uuid)
{
  const QvizSweep *sweep = NULL;
  g_autofree char *uuid = g_strdup (sweep_uuid);

  g_return_if_fail (QVIZ_IS_WINDOW (self));
  g_return_if_fail (sweep_uuid != NULL);

  for (guint i = 0; self->all_sweeps && i < self->all_sweeps->len; i++)
    if (g_str_equal (((QvizSweep *) g_ptr_array_index (self->all_sweeps, i))->uuid, uuid))
      sweep = g_ptr_array_index (self->all_sweeps, i);
  if (sweep == NULL)
    return;

  if (g_strcmp0 (sweep->model_sha256, self->model_sha256) != 0)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (QvizModelInfo) model = qviz_store_get_model (self->store, sweep->model_sha256, &error);
      g_autofree char *spec = NULL;

      if (model == NULL)
        {
          qviz_window_toast (self, error->message);
          return;
        }
      spec = g_strdup (g_strcmp0 (model->source, "builtin") == 0 || model->source == NULL
                       ? model->name : model->source);
      /* The stored runs are shown at once; the model itself (needed only
       * to run a new sweep) loads in the background and may be missing on
       * this machine, which its load then says. */
      g_clear_pointer (&self->graph, qviz_graph_free);
      qviz_window_set_model_info (self, spec, model->name, model->sha256);
      qviz_window_load_model_async (self, spec);
    }
  /* sweep points into all_sweeps, which reloading replaces. */
  qviz_window_reload_sweeps (self, uuid);
  adw_view_stack_set_visible_child_name (self->pages, "overview");
}

/* ---- model ---------------------------------------------------------- */

void
qviz_window_set_model_info (QvizWindow *self,
                            const char *spec,
                            const char *name,
                            const char *sha256)
{
  gboolean same_model = g_strcmp0 (self->model_sha256, sha256) == 0;

  g_free (self->model_spec);
  g_free (self->model_name);
  g_free (self->model_sha256);
  self->model_spec = g_strdup (spec);
  self->model_name = g_strdup (name);
  self->model_sha256 = g_strdup (sha256);
  gtk_menu_button_set_label (self->model_button, name ? name : _("Choose Model"));
  adw_view_switcher_title_set_title (self->switcher_title, name ? name : "qviz");
  gtk_window_set_title (GTK_WINDOW (self), name ? name : "qviz");
  /* Loading the model shown again (its graph for a new sweep) keeps the
   * sweep shown. */
  if (!same_model)
    g_clear_pointer (&self->sweep_uuid, g_free);
  qviz_window_reload_sweeps (self, NULL);
}

void
qviz_window_update_model_menu (QvizWindow *self)
{
  g_autoptr (GMenu) menu = g_menu_new ();
  g_autoptr (GMenu) builtin = g_menu_new ();
  g_autoptr (GMenu) recent = g_menu_new ();
  g_autoptr (GMenu) open = g_menu_new ();
  g_auto (GStrv) files = g_settings_get_strv (self->settings, "recent-models");
  const QvizZooEntry *zoo;
  guint n = 0;

  zoo = qviz_zoo_list (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (zoo[i].name, NULL);
      g_menu_item_set_action_and_target (item, "win.open-model", "s", zoo[i].name);
      g_menu_append_item (builtin, item);
    }
  g_menu_append_section (menu, _("Built-in Models"), G_MENU_MODEL (builtin));
  for (guint i = 0; files[i] && i < 8; i++)
    {
      g_autofree char *base = g_path_get_basename (files[i]);
      g_autoptr (GMenuItem) item = g_menu_item_new (base, NULL);
      g_menu_item_set_action_and_target (item, "win.open-model", "s", files[i]);
      g_menu_append_item (recent, item);
    }
  if (files[0])
    g_menu_append_section (menu, _("Recent Files"), G_MENU_MODEL (recent));
  g_menu_append (open, _("Open Model…"), "win.open");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (open));
  gtk_menu_button_set_menu_model (self->model_button, G_MENU_MODEL (menu));
}

/* ---- construction --------------------------------------------------- */

static void
setup_choice_label (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  ellipsize)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (GPOINTER_TO_INT (ellipsize))
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_width_chars (GTK_LABEL (label), 8);
    }
  gtk_list_item_set_child (item, label);
}

static void
bind_choice_label (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  ellipsize)
{
  GtkStringObject *string = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *text = string ? gtk_string_object_get_string (string) : "";

  gtk_label_set_text (GTK_LABEL (label), text);
  if (GPOINTER_TO_INT (ellipsize))
    gtk_widget_set_tooltip_text (label, text);
}

static GtkListItemFactory *
choice_factory (gboolean ellipsize)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_choice_label), GINT_TO_POINTER (ellipsize));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_choice_label), GINT_TO_POINTER (ellipsize));
  return factory;
}

/* A drop-down of long names (configurations, sweeps) must not set the width
 * of the page: the button shows the choice ellipsized in the middle, the
 * open list shows every name in full. */
GtkDropDown *
qviz_window_choice_new (void)
{
  GtkDropDown *dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  g_autoptr (GtkListItemFactory) button = choice_factory (TRUE);
  g_autoptr (GtkListItemFactory) list = choice_factory (FALSE);

  gtk_drop_down_set_factory (dropdown, button);
  gtk_drop_down_set_list_factory (dropdown, list);
  return dropdown;
}

static GtkWidget *
toolbar_new (void)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);

  gtk_widget_set_margin_start (bar, 12);
  gtk_widget_set_margin_end (bar, 12);
  gtk_widget_set_margin_top (bar, 8);
  gtk_widget_set_margin_bottom (bar, 8);
  return bar;
}

GtkWidget *
qviz_window_framed (GtkWidget *child)
{
  GtkWidget *frame = gtk_frame_new (NULL);

  gtk_frame_set_child (GTK_FRAME (frame), child);
  gtk_widget_add_css_class (frame, "view");
  gtk_widget_set_overflow (frame, GTK_OVERFLOW_HIDDEN);
  return frame;
}

static GtkWidget *
build_overview (QvizWindow *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *charts = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label;

  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1600);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (clamp), 1200);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);

  self->cards = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (self->cards), GTK_SELECTION_NONE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (self->cards), 1);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (self->cards), 4);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (self->cards), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (self->cards), 12);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (self->cards), TRUE);
  gtk_box_append (GTK_BOX (box), self->cards);

  label = gtk_label_new (_("Latency and Time by Layer Class"));
  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (bar), label);
  self->log_toggle = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_label (_("Log Scale")));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->log_toggle), _("Logarithmic latency axis"));
  gtk_widget_add_css_class (GTK_WIDGET (self->log_toggle), "flat");
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->log_toggle));
  gtk_box_append (GTK_BOX (box), bar);

  self->curves = QVIZ_CURVES_VIEW (qviz_curves_view_new ());
  qviz_curves_view_set_title (self->curves, _("Latency by input resolution"));
  gtk_widget_set_size_request (GTK_WIDGET (self->curves), -1, 420);
  gtk_widget_set_hexpand (GTK_WIDGET (self->curves), TRUE);
  self->breakdown = QVIZ_BREAKDOWN_VIEW (qviz_breakdown_view_new ());
  qviz_breakdown_view_set_title (self->breakdown, _("Time by layer class"));
  gtk_widget_set_hexpand (GTK_WIDGET (self->breakdown), TRUE);
  gtk_box_append (GTK_BOX (charts), qviz_window_framed (GTK_WIDGET (self->curves)));
  gtk_box_append (GTK_BOX (charts), qviz_window_framed (GTK_WIDGET (self->breakdown)));
  gtk_box_set_homogeneous (GTK_BOX (charts), TRUE);
  gtk_box_append (GTK_BOX (box), charts);

  g_settings_bind (self->settings, "log-axis", self->log_toggle, "active", G_SETTINGS_BIND_DEFAULT);
  g_object_bind_property (self->log_toggle, "active", self->curves, "log-y", G_BINDING_SYNC_CREATE);

  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  return scrolled;
}

static void
on_flame_layer_activated (QvizFlameView *view,
                          int            layer_index,
                          const char    *name,
                          QvizWindow    *self)
{
  g_autofree char *text = g_strdup_printf (_("Selected %s — shown on the Layers page"), name);

  gtk_label_set_text (self->flame_status, text);
  qviz_layer_table_select_layer (self->layer_table, layer_index);
}

/* How many layers the search finds, and which one Enter went to
 * (position 0: none yet). */
static void
update_flame_matches (QvizWindow *self,
                      guint       position)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->flame_search));
  guint n = qviz_flame_view_get_n_matches (self->flame);
  g_autofree char *label = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->flame_matches), "error");
  if (text == NULL || text[0] == '\0')
    label = g_strdup ("");
  else if (n == 0)
    {
      label = g_strdup (_("No match"));
      gtk_widget_add_css_class (GTK_WIDGET (self->flame_matches), "error");
    }
  else if (position > 0)
    /* TRANSLATORS: the match Enter went to, of how many. */
    label = g_strdup_printf (_("%u of %u"), position, n);
  else
    label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u match", "%u matches", n), n);
  gtk_label_set_text (self->flame_matches, label);
}

static void
on_flame_search_changed (GtkSearchEntry *entry,
                         QvizWindow     *self)
{
  qviz_flame_view_set_search (self->flame, gtk_editable_get_text (GTK_EDITABLE (entry)));
  update_flame_matches (self, 0);
}

/* Enter steps through the matches, wrapping round. */
static void
on_flame_search_activate (GtkSearchEntry *entry,
                          QvizWindow     *self)
{
  update_flame_matches (self, qviz_flame_view_select_next_match (self->flame));
}

static GtkWidget *
build_flame (QvizWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *bar = toolbar_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *hint;

  self->flame_config = qviz_window_choice_new ();
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->flame_config), _("Configuration"));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->flame_config));
  self->flame_pass = qviz_window_choice_new ();
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->flame_pass), _("Pass: the steady state or one of the cold passes"));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->flame_pass));
  self->flame_search = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->flame_search, "placeholder-text", _("Search layers, ops, kernels"), NULL);
  gtk_widget_set_size_request (GTK_WIDGET (self->flame_search), 160, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->flame_search), _("Enter goes to the next match"));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->flame_search));
  self->flame_matches = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->flame_matches), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->flame_matches), "numeric");
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->flame_matches));
  hint = gtk_label_new (_("Ctrl+scroll or pinch to zoom, drag to pan"));
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_widget_add_css_class (hint, "caption");
  gtk_widget_set_hexpand (hint, TRUE);
  gtk_label_set_xalign (GTK_LABEL (hint), 1);
  gtk_label_set_ellipsize (GTK_LABEL (hint), PANGO_ELLIPSIZE_END);
  gtk_widget_set_tooltip_text (hint, gtk_label_get_text (GTK_LABEL (hint)));
  gtk_box_append (GTK_BOX (bar), hint);
  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  self->flame = QVIZ_FLAME_VIEW (qviz_flame_view_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->flame), FALSE);
  gtk_widget_set_valign (GTK_WIDGET (self->flame), GTK_ALIGN_START);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->flame));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), scrolled);

  self->flame_status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->flame_status, 0);
  gtk_label_set_ellipsize (self->flame_status, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (GTK_WIDGET (self->flame_status), "caption");
  gtk_widget_set_margin_start (GTK_WIDGET (self->flame_status), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->flame_status), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self->flame_status), 4);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->flame_status), 4);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->flame_status));

  g_signal_connect_swapped (self->flame_config, "notify::selected", G_CALLBACK (on_config_changed), self);
  g_signal_connect_swapped (self->flame_pass, "notify::selected", G_CALLBACK (fill_flame), self);
  g_signal_connect (self->flame_search, "search-changed", G_CALLBACK (on_flame_search_changed), self);
  g_signal_connect (self->flame_search, "activate", G_CALLBACK (on_flame_search_activate), self);
  g_signal_connect (self->flame, "layer-activated", G_CALLBACK (on_flame_layer_activated), self);
  return box;
}

/* What the Overview, Flame chart and Layers pages show while a worker reads
 * the selected sweep's runs. */
static GtkWidget *
build_loading (QvizWindow *self)
{
  AdwStatusPage *page = ADW_STATUS_PAGE (adw_status_page_new ());

  adw_status_page_set_title (page, _("Loading…"));
  adw_status_page_set_description (page, _("Reading the sweep's runs, layers and spans."));
  self->loading_spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->loading_spinner), 32, 32);
  gtk_widget_set_halign (GTK_WIDGET (self->loading_spinner), GTK_ALIGN_CENTER);
  adw_status_page_set_child (page, GTK_WIDGET (self->loading_spinner));
  return GTK_WIDGET (page);
}

static GtkWidget *
build_layers (QvizWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *bar = toolbar_new ();
  GtkWidget *legend;

  self->layers_config = qviz_window_choice_new ();
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->layers_config), _("Configuration"));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->layers_config));
  self->special_toggle = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_label (_("Dilated and Depthwise Only")));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->special_toggle));
  legend = gtk_label_new (_("Red rows: int8 slower than f32. Click a header to sort."));
  gtk_widget_add_css_class (legend, "dim-label");
  gtk_widget_add_css_class (legend, "caption");
  gtk_widget_set_hexpand (legend, TRUE);
  gtk_label_set_xalign (GTK_LABEL (legend), 1);
  gtk_label_set_ellipsize (GTK_LABEL (legend), PANGO_ELLIPSIZE_END);
  gtk_widget_set_tooltip_text (legend, gtk_label_get_text (GTK_LABEL (legend)));
  gtk_box_append (GTK_BOX (bar), legend);
  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  self->layer_table = QVIZ_LAYER_TABLE (qviz_layer_table_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->layer_table), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->layer_table));

  /* One configuration choice drives both pages. */
  g_object_bind_property (self->flame_config, "model", self->layers_config, "model", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->flame_config, "selected", self->layers_config, "selected",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_object_bind_property (self->special_toggle, "active", self->layer_table, "special-only", G_BINDING_SYNC_CREATE);
  return box;
}

static GMenuModel *
build_main_menu (void)
{
  GMenu *menu = g_menu_new ();
  g_autoptr (GMenu) first = g_menu_new ();
  g_autoptr (GMenu) store = g_menu_new ();
  g_autoptr (GMenu) second = g_menu_new ();

  g_menu_append (first, _("_Open Model…"), "win.open");
  g_menu_append (first, _("_Run Sweep…"), "win.run");
  g_menu_append (first, _("_Delete Sweep"), "win.delete-sweep");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (first));
  g_menu_append (store, _("_Import Database…"), "win.import");
  g_menu_append (store, _("Import _Trace…"), "win.import-trace");
  g_menu_append (store, _("E_xport Sweep to Database…"), "win.export-db");
  g_menu_append (store, _("_Connect to Team Database…"), "win.connect-team");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (store));
  g_menu_append (second, _("_Preferences"), "app.preferences");
  g_menu_append (second, _("_Keyboard Shortcuts"), "app.shortcuts");
  g_menu_append (second, _("_About qviz"), "app.about");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (second));
  return G_MENU_MODEL (menu);
}

/* The first section names what the page shows; the rest stay. */
static void
update_export_menu (QvizWindow *self)
{
  const char *page = self->pages ? adw_view_stack_get_visible_child_name (self->pages) : NULL;
  gboolean compare = g_strcmp0 (page, "compare") == 0;
  const char *png, *svg, *pdf;

  if (compare)
    png = _("Comparison as _PNG…"), svg = _("Comparison as _SVG…"), pdf = _("Comparison as P_DF…");
  else if (g_strcmp0 (page, "flame") == 0)
    png = _("Flame Chart as _PNG…"), svg = _("Flame Chart as _SVG…"), pdf = _("Flame Chart as P_DF…");
  else
    png = _("Latency Curves as _PNG…"), svg = _("Latency Curves as _SVG…"), pdf = _("Latency Curves as P_DF…");
  g_menu_remove_all (self->export_chart_section);
  g_menu_append (self->export_chart_section, png, "win.export-chart::png");
  g_menu_append (self->export_chart_section, svg, "win.export-chart::svg");
  g_menu_append (self->export_chart_section, pdf, "win.export-chart::pdf");
  g_menu_remove_all (self->export_data_section);
  g_menu_append (self->export_data_section, compare ? _("Comparison as _CSV…") : _("Sweep as _CSV…"),
                 "win.export-csv");
}

static GMenuModel *
build_export_menu (QvizWindow *self)
{
  GMenu *menu = g_menu_new ();
  g_autoptr (GMenu) breakdown = g_menu_new ();
  g_autoptr (GMenu) breakdown_section = g_menu_new ();
  g_autoptr (GMenu) report = g_menu_new ();

  self->export_chart_section = g_menu_new ();
  self->export_data_section = g_menu_new ();
  g_menu_append_section (menu, NULL, G_MENU_MODEL (self->export_chart_section));
  g_menu_append (breakdown, _("_PNG…"), "win.export-breakdown::png");
  g_menu_append (breakdown, _("_SVG…"), "win.export-breakdown::svg");
  g_menu_append (breakdown, _("P_DF…"), "win.export-breakdown::pdf");
  g_menu_append_submenu (breakdown_section, _("Time by Layer _Class"), G_MENU_MODEL (breakdown));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (breakdown_section));
  g_menu_append (report, _("_Report as PDF…"), "win.export-report::pdf");
  g_menu_append (report, _("Report as P_NG…"), "win.export-report::png");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (report));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (self->export_data_section));
  update_export_menu (self);
  return G_MENU_MODEL (menu);
}

static void
on_page_changed (QvizWindow *self)
{
  update_export_menu (self);
  update_content (self);
  qviz_window_update_actions (self);
}

static void
qviz_window_init (QvizWindow *self)
{
  GtkWidget *toolbar_view = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *sidebar = gtk_scrolled_window_new ();
  GtkWidget *button, *stack_box;
  AdwViewStackPage *page;
  g_autoptr (GMenuModel) main_menu = build_main_menu ();
  g_autoptr (GMenuModel) export_menu = NULL;

  self->configs = g_array_new (FALSE, FALSE, sizeof (QvizWindowConfig));
  self->settings = g_settings_new ("org.qviz.Qviz");
  export_menu = build_export_menu (self);

  /* Header: model, run | pages | progress, export, menu */
  self->model_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_label (self->model_button, _("Choose Model"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->model_button), _("Model"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->model_button));
  button = gtk_button_new_from_icon_name ("media-playback-start-symbolic");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.run");
  gtk_widget_set_tooltip_text (button, _("Run a Sweep (Ctrl+R)"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), button);

  self->switcher_title = ADW_VIEW_SWITCHER_TITLE (adw_view_switcher_title_new ());
  adw_view_switcher_title_set_title (self->switcher_title, "qviz");
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->switcher_title));

  button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "open-menu-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), main_menu);
  gtk_menu_button_set_primary (GTK_MENU_BUTTON (button), TRUE);
  gtk_widget_set_tooltip_text (button, _("Main Menu"));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), button);
  self->export_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_icon_name (self->export_button, "document-save-symbolic");
  gtk_menu_button_set_menu_model (self->export_button, export_menu);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->export_button), _("Export (Ctrl+E)"));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (self->export_button));

  /* The sidebar folds into an overlay when the window is narrow; this
   * button shows it then, and hides it at any width. */
  self->sidebar_button = GTK_TOGGLE_BUTTON (gtk_toggle_button_new ());
  gtk_button_set_icon_name (GTK_BUTTON (self->sidebar_button), "sidebar-show-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->sidebar_button), _("Sweeps (F9)"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->sidebar_button));
  gtk_box_append (GTK_BOX (toolbar_view), header);

  /* The progress of a sweep is a strip of its own under the header: in the
   * header it took the width of the page switcher. */
  self->progress_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (self->progress_box, "toolbar");
  self->progress_bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_show_text (self->progress_bar, TRUE);
  gtk_progress_bar_set_ellipsize (self->progress_bar, PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (GTK_WIDGET (self->progress_bar), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->progress_bar), GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->progress_box), GTK_WIDGET (self->progress_bar));
  button = gtk_button_new_from_icon_name ("process-stop-symbolic");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.cancel");
  gtk_widget_set_tooltip_text (button, _("Cancel the Sweep (Escape)"));
  gtk_widget_add_css_class (button, "destructive-action");
  gtk_box_append (GTK_BOX (self->progress_box), button);
  gtk_widget_set_visible (self->progress_box, FALSE);
  gtk_box_append (GTK_BOX (toolbar_view), self->progress_box);

  /* Sidebar */
  self->sweep_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->sweep_list), "navigation-sidebar");
  gtk_list_box_set_header_func (self->sweep_list, sweep_list_header, self, NULL);
  g_signal_connect (self->sweep_list, "row-selected", G_CALLBACK (on_sweep_row_selected), self);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (sidebar), GTK_WIDGET (self->sweep_list));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (sidebar), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_size_request (sidebar, 260, -1);
  gtk_widget_add_css_class (sidebar, "qviz-sidebar");
  gtk_widget_add_css_class (sidebar, "background");
  self->flap = ADW_FLAP (adw_flap_new ());
  adw_flap_set_flap (self->flap, sidebar);
  adw_flap_set_separator (self->flap, gtk_separator_new (GTK_ORIENTATION_VERTICAL));
  adw_flap_set_fold_policy (self->flap, ADW_FLAP_FOLD_POLICY_AUTO);
  adw_flap_set_swipe_to_open (self->flap, TRUE);
  adw_flap_set_swipe_to_close (self->flap, TRUE);
  g_object_bind_property (self->sidebar_button, "active", self->flap, "reveal-flap",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  gtk_toggle_button_set_active (self->sidebar_button, TRUE);

  /* Pages */
  self->pages = ADW_VIEW_STACK (adw_view_stack_new ());
  page = adw_view_stack_add_titled (self->pages, build_overview (self), "overview", _("Overview"));
  adw_view_stack_page_set_icon_name (page, "view-grid-symbolic");
  page = adw_view_stack_add_titled (self->pages, build_flame (self), "flame", _("Flame Chart"));
  adw_view_stack_page_set_icon_name (page, "utilities-system-monitor-symbolic");
  page = adw_view_stack_add_titled (self->pages, build_layers (self), "layers", _("Layers"));
  adw_view_stack_page_set_icon_name (page, "view-list-symbolic");
  self->cold_start = QVIZ_COLD_START_PAGE (qviz_cold_start_page_new ());
  page = adw_view_stack_add_titled (self->pages, GTK_WIDGET (self->cold_start), "cold-start", _("Cold Start"));
  adw_view_stack_page_set_icon_name (page, "document-open-recent-symbolic");
  page = adw_view_stack_add_titled (self->pages, qviz_window_build_compare (self), "compare", _("Compare"));
  adw_view_stack_page_set_icon_name (page, "view-dual-symbolic");
  page = adw_view_stack_add_titled (self->pages, qviz_window_build_machines (self), "machines", _("Machines"));
  adw_view_stack_page_set_icon_name (page, "computer-symbolic");
  adw_view_switcher_title_set_stack (self->switcher_title, self->pages);

  self->empty_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->empty_page, "org.qviz.Qviz-symbolic");
  button = gtk_button_new_with_mnemonic (_("_Run Sweep…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.run");
  gtk_widget_add_css_class (button, "pill");
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  {
    GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
    gtk_box_append (GTK_BOX (buttons), button);
    self->empty_machines_button = gtk_button_new_with_mnemonic (_("_Import Database…"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->empty_machines_button), "win.import");
    gtk_widget_add_css_class (self->empty_machines_button, "pill");
    gtk_widget_set_halign (self->empty_machines_button, GTK_ALIGN_CENTER);
    gtk_box_append (GTK_BOX (buttons), self->empty_machines_button);
    adw_status_page_set_child (self->empty_page, buttons);
  }

  self->content_stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->content_stack, GTK_WIDGET (self->empty_page), "empty");
  gtk_stack_add_named (self->content_stack, GTK_WIDGET (self->pages), "pages");
  gtk_stack_add_named (self->content_stack, build_loading (self), "loading");
  gtk_widget_set_hexpand (GTK_WIDGET (self->content_stack), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self->content_stack), TRUE);
  stack_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (stack_box), GTK_WIDGET (self->content_stack));
  /* At narrow widths the header's switcher gives way to a bar at the bottom,
   * so every page stays one click away. */
  self->switcher_bar = ADW_VIEW_SWITCHER_BAR (adw_view_switcher_bar_new ());
  adw_view_switcher_bar_set_stack (self->switcher_bar, self->pages);
  g_object_bind_property (self->switcher_title, "title-visible", self->switcher_bar, "reveal",
                          G_BINDING_SYNC_CREATE);
  gtk_box_append (GTK_BOX (stack_box), GTK_WIDGET (self->switcher_bar));
  adw_flap_set_content (self->flap, stack_box);
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->flap));

  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, body);
  gtk_widget_set_vexpand (GTK_WIDGET (self->toasts), TRUE);
  gtk_box_append (GTK_BOX (toolbar_view), GTK_WIDGET (self->toasts));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), toolbar_view);

  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  qviz_window_install_actions (self);
  {
    g_autoptr (GPropertyAction) toggle = g_property_action_new ("toggle-sidebar", self->flap, "reveal-flap");
    g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (toggle));
  }
  qviz_window_update_model_menu (self);
  g_signal_connect_swapped (self->settings, "changed::recent-models",
                            G_CALLBACK (qviz_window_update_model_menu), self);
  g_signal_connect_swapped (self->pages, "notify::visible-child-name", G_CALLBACK (on_page_changed), self);
}

static gboolean
qviz_window_close_request (GtkWindow *window)
{
  QvizWindow *self = QVIZ_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", MAX (width, 360));
      g_settings_set_int (self->settings, "window-height", MAX (height, 294));
    }
  /* Finished runs are already stored; the one in progress is marked. */
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (qviz_window_parent_class)->close_request (window);
}

static void
qviz_window_dispose (GObject *object)
{
  QvizWindow *self = QVIZ_WINDOW (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  if (self->compare_cancellable)
    g_cancellable_cancel (self->compare_cancellable);
  if (self->sweep_cancellable)
    g_cancellable_cancel (self->sweep_cancellable);
  G_OBJECT_CLASS (qviz_window_parent_class)->dispose (object);
}

static void
qviz_window_finalize (GObject *object)
{
  QvizWindow *self = QVIZ_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->compare_cancellable);
  g_clear_object (&self->sweep_cancellable);
  g_clear_object (&self->export_chart_section);
  g_clear_object (&self->export_data_section);
  g_clear_pointer (&self->comparisons, g_ptr_array_unref);
  g_clear_pointer (&self->machine_groups, g_ptr_array_unref);
  g_clear_pointer (&self->machines_expanded, g_hash_table_unref);
  g_free (self->compare_uuid_a);
  g_free (self->compare_uuid_b);
  g_free (self->compare_for);
  g_free (self->compare_filled);
  g_clear_pointer (&self->this_machine, qviz_machine_free);
  g_clear_pointer (&self->store, qviz_store_close);
  g_clear_pointer (&self->sweeps, g_ptr_array_unref);
  g_clear_pointer (&self->all_sweeps, g_ptr_array_unref);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->compare_runs_a, g_ptr_array_unref);
  g_clear_pointer (&self->compare_runs_b, g_ptr_array_unref);
  g_clear_pointer (&self->configs, g_array_unref);
  g_free (self->model_spec);
  g_free (self->model_name);
  g_free (self->model_sha256);
  g_free (self->sweep_uuid);
  g_free (self->calibration);
  g_clear_pointer (&self->graph, qviz_graph_free);
  G_OBJECT_CLASS (qviz_window_parent_class)->finalize (object);
}

static void
qviz_window_class_init (QvizWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = qviz_window_dispose;
  object_class->finalize = qviz_window_finalize;
  window_class->close_request = qviz_window_close_request;
}

QvizWindow *
qviz_window_new (QvizApplication *application,
                 const char      *db_path,
                 const char      *model_spec)
{
  QvizWindow *self;
  g_autoptr (GError) error = NULL;
  g_autofree char *setting_db = NULL;
  g_autofree char *last = NULL;

  g_return_val_if_fail (QVIZ_IS_APPLICATION (application), NULL);

  self = g_object_new (QVIZ_TYPE_WINDOW, "application", application, NULL);
  setting_db = g_settings_get_string (self->settings, "database-path");
  /* --db, then QVIZ_DB (a file or a team's postgresql:// URI), then
   * Preferences */
  if (db_path == NULL && g_getenv ("QVIZ_DB") != NULL && g_getenv ("QVIZ_DB")[0] != '\0')
    db_path = g_getenv ("QVIZ_DB");
  if (db_path == NULL && setting_db[0] != '\0')
    db_path = setting_db;
  self->store = qviz_store_open (db_path, QVIZ_STORE_READ_WRITE, &error);
  if (self->store == NULL)
    qviz_window_toast (self, error->message);

  if (model_spec == NULL)
    {
      last = g_settings_get_string (self->settings, "last-model");
      if (last[0] != '\0')
        model_spec = last;
    }
  if (model_spec == NULL && self->store != NULL)
    {
      /* Nothing chosen yet: the model of the newest sweep in the store. */
      g_autoptr (GPtrArray) all = qviz_store_list_sweeps (self->store, NULL, NULL, NULL);
      if (all && all->len > 0)
        {
          const QvizSweep *s = g_ptr_array_index (all, 0);
          g_autoptr (QvizModelInfo) mi = qviz_store_get_model (self->store, s->model_sha256, NULL);
          if (mi != NULL)
            {
              g_free (last);
              last = g_strdup (g_strcmp0 (mi->source, "builtin") == 0 || mi->source == NULL
                               ? mi->name : mi->source);
              model_spec = last;
            }
        }
    }
  if (model_spec == NULL)
    {
      guint n = 0;
      model_spec = qviz_zoo_list (&n)[0].name;
    }
  qviz_window_reload_sweeps (self, NULL);
  qviz_window_open_model (self, model_spec);
  return self;
}

void
qviz_window_open_model (QvizWindow *self,
                        const char *model_spec)
{
  g_return_if_fail (QVIZ_IS_WINDOW (self));
  g_return_if_fail (model_spec != NULL);

  qviz_window_load_model_async (self, model_spec);
}
