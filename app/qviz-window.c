/* qviz-window.c: the main window: the store, the model and the sweep it
 * shows, handed to the pages.
 *
 * The widgets are in qviz-window.ui, each page a widget of its own.  A
 * sidebar lists the current model's sweeps grouped by machine; choosing
 * one loads its runs in a worker and gives them to the pages.  What the
 * user does (open, run, export...) lives in qviz-window-actions.c.
 */

#include "qviz-config.h"
#include "qviz-window-private.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "qviz-chart-adapt.h"
#include "qviz-zoo.h"

G_DEFINE_FINAL_TYPE (QvizWindow, qviz_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---- small helpers ---------------------------------------------------- */

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

static GtkWidget *
make_sweep_row (const QvizSweep *sweep)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title, *subtitle;
  g_autofree char *date = qviz_window_format_time (sweep->created);
  g_autofree char *sub = qviz_window_format_sweep_line (sweep);
  const char *status = qviz_window_sweep_status_label (sweep);

  if (sweep->name != NULL && sweep->name[0] != '\0')
    {
      g_autofree char *named = g_strdup_printf ("%s · %s", sweep->name, date);
      title = gtk_label_new (named);
      gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
    }
  else
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
  if (sweep->note != NULL && sweep->note[0] != '\0')
    {
      g_autofree char *tip = g_strdup_printf ("%s\n%s", sweep->note, sweep->uuid);
      gtk_widget_set_tooltip_text (box, tip);
    }
  else
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

/* Every word of the filter is somewhere in the row: its date, its line
 * (sizes, threads, precisions, options, runtime), machine or uuid. */
gboolean
qviz_window_sweep_matches (const QvizSweep *sweep,
                           const char      *filter)
{
  g_autofree char *date = NULL, *line = NULL, *haystack = NULL, *folded = NULL, *query = NULL;
  g_auto (GStrv) words = NULL;

  if (filter == NULL || filter[0] == '\0')
    return TRUE;
  date = qviz_window_format_time (sweep->created);
  line = qviz_window_format_sweep_line (sweep);
  haystack = g_strjoin (" ", sweep->name ? sweep->name : "", sweep->note ? sweep->note : "",
                        date, line, sweep->hostname ? sweep->hostname : "",
                        sweep->cpu_model ? sweep->cpu_model : "", sweep->uuid,
                        sweep->options ? sweep->options : "", NULL);
  folded = g_utf8_casefold (haystack, -1);
  query = g_utf8_casefold (filter, -1);
  words = g_strsplit_set (query, " \t", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0' && strstr (folded, words[i]) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
sweep_row_visible (GtkListBoxRow *row,
                   gpointer       user_data)
{
  QvizWindow *self = user_data;
  const QvizSweep *sweep = row_sweep (self, row);

  return sweep == NULL || self->sweep_filter == NULL
         || qviz_window_sweep_matches (sweep, gtk_editable_get_text (GTK_EDITABLE (self->sweep_filter)));
}

static void
on_sweep_filter_changed (QvizWindow *self)
{
  gtk_list_box_invalidate_filter (self->sweep_list);
  gtk_list_box_invalidate_headers (self->sweep_list);
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
  guint i = qviz_flame_page_get_selected (self->flame_page);

  if (self->configs == NULL || i >= self->configs->len)
    return NULL;
  return &g_array_index (self->configs, QvizWindowConfig, i);
}

static const QvizRun *
config_run (QvizWindow             *self,
            const QvizWindowConfig *c,
            const char             *precision)
{
  return qviz_window_config_run (self->runs, c, precision);
}

const QvizRun *
qviz_window_get_report_run (QvizWindow *self,
                            const char *precision)
{
  g_return_val_if_fail (QVIZ_IS_WINDOW (self), NULL);

  return config_run (self, selected_config (self), precision);
}


static void
fill_layers (QvizWindow *self)
{
  const QvizWindowConfig *c = selected_config (self);

  qviz_layers_page_set_runs (self->layers, config_run (self, c, "f32"),
                             config_run (self, c, "int8"));
}

static void
on_config_changed (QvizWindow *self)
{
  const QvizWindowConfig *c = selected_config (self);

  qviz_flame_page_set_runs (self->flame_page, config_run (self, c, "f32"),
                            config_run (self, c, "int8"));
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

  if (self->store == NULL)
    {
      /* nothing else can be shown or kept: the page says why */
      gtk_stack_set_visible_child_name (self->content_stack, "no-store");
      return;
    }

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

/* Fills the Overview, Flame chart, Layers, Cold start and Accuracy pages with runs
 * (taken) of the sweep chosen. */
static void
show_runs (QvizWindow *self,
           GPtrArray  *runs)
{
  g_autoptr (GtkStringList) configs = NULL;
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

  qviz_overview_page_set_runs (self->overview, self->runs, self->configs);

  configs = config_model (self);
  g_signal_handlers_block_by_func (self->flame_page, on_config_changed, self);
  qviz_flame_page_set_configurations (self->flame_page, G_LIST_MODEL (configs));
  qviz_flame_page_set_selected (self->flame_page, initial);
  g_signal_handlers_unblock_by_func (self->flame_page, on_config_changed, self);
  on_config_changed (self);
  qviz_cold_start_page_set_runs (self->cold_start, self->runs);
  qviz_accuracy_page_set_runs (self->accuracy, self->runs);
  qviz_compare_page_set_sweeps (self->compare, self->store, self->all_sweeps, self->sweep_uuid);
  qviz_window_reload_machines (self);
  qviz_window_update_actions (self);
}

void
qviz_window_reload_machines (QvizWindow *self)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (QVIZ_IS_WINDOW (self));

  if (!qviz_machines_page_reload (self->machines, self->store, self->all_sweeps,
                                  self->sweep_uuid, &error))
    qviz_window_toast (self, error->message);
}

guint
qviz_window_get_n_machines (QvizWindow *self)
{
  g_return_val_if_fail (QVIZ_IS_WINDOW (self), 0);

  return qviz_machines_page_get_n_machines (self->machines);
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
on_flame_layer_activated (QvizWindow *self,
                          int         layer_index)
{
  qviz_layers_page_select_layer (self->layers, layer_index);
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

static void
on_page_changed (QvizWindow *self)
{
  update_export_menu (self);
  update_content (self);
  qviz_window_update_actions (self);
}

/* The widgets come from qviz-window.ui; what is left here is what ties
 * them to the window's state. */
static void
qviz_window_init (QvizWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->configs = g_array_new (FALSE, FALSE, sizeof (QvizWindowConfig));
  self->settings = g_settings_new ("org.qviz.Qviz");
  update_export_menu (self);

  gtk_list_box_set_header_func (self->sweep_list, sweep_list_header, self, NULL);
  gtk_list_box_set_filter_func (self->sweep_list, sweep_row_visible, self, NULL);
  g_signal_connect (self->sweep_list, "row-selected", G_CALLBACK (on_sweep_row_selected), self);
  g_signal_connect_swapped (self->sweep_filter, "search-changed", G_CALLBACK (on_sweep_filter_changed), self);

  g_settings_bind (self->settings, "log-axis", self->overview, "log-scale", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_swapped (self->flame_page, "notify::selected", G_CALLBACK (on_config_changed), self);
  g_signal_connect_swapped (self->flame_page, "layer-activated", G_CALLBACK (on_flame_layer_activated), self);
  /* The page outlives the window while its worker runs. */
  g_signal_connect_object (self->compare, "failed", G_CALLBACK (qviz_window_toast), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->compare, "notify::computing", G_CALLBACK (qviz_window_update_actions),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->compare, "notify::has-comparison", G_CALLBACK (qviz_window_update_actions),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->machines, "sweep-activated", G_CALLBACK (qviz_window_open_sweep), self);
  qviz_window_connect_accuracy (self);

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
  g_clear_object (&self->sweep_cancellable);
  g_clear_pointer (&self->store, qviz_store_close);
  g_clear_pointer (&self->sweeps, g_ptr_array_unref);
  g_clear_pointer (&self->all_sweeps, g_ptr_array_unref);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
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
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = qviz_window_dispose;
  object_class->finalize = qviz_window_finalize;
  window_class->close_request = qviz_window_close_request;

  g_type_ensure (QVIZ_TYPE_ACCURACY_PAGE);
  g_type_ensure (QVIZ_TYPE_COLD_START_PAGE);
  g_type_ensure (QVIZ_TYPE_COMPARE_PAGE);
  g_type_ensure (QVIZ_TYPE_FLAME_PAGE);
  g_type_ensure (QVIZ_TYPE_LAYERS_PAGE);
  g_type_ensure (QVIZ_TYPE_MACHINES_PAGE);
  g_type_ensure (QVIZ_TYPE_OVERVIEW_PAGE);
  g_type_ensure (QVIZ_TYPE_SQNR_BANNER);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/qviz/Qviz/ui/qviz-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, QvizWindow, name)
  BIND (model_button);
  BIND (export_button);
  BIND (export_chart_section);
  BIND (export_data_section);
  BIND (progress_box);
  BIND (flap);
  BIND (sidebar_button);
  BIND (switcher_bar);
  BIND (progress_bar);
  BIND (switcher_title);
  BIND (toasts);
  BIND (sweep_list);
  BIND (sweep_filter);
  BIND (content_stack);
  BIND (empty_page);
  BIND (empty_machines_button);
  BIND (pages);
  BIND (loading_spinner);
  BIND (overview);
  BIND (flame_page);
  BIND (store_error_page);
  BIND (store_error_default);
  BIND (layers);
  BIND (cold_start);
  BIND (accuracy);
  BIND (sqnr_banner);
  BIND (compare);
  BIND (machines);
#undef BIND
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
    {
      g_autofree char *default_path = qviz_store_default_path ();
      /* the page says it; a toast would say it twice */
      qviz_window_show_store_error (self, db_path != NULL ? db_path : default_path, error);
    }

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
