/* qviz-compare-page.c: two sweeps side by side.
 *
 * Both sweeps' latency curves share one chart; for one configuration they
 * have in common (the largest, unless the user picks another) a
 * differential flame chart colours each layer of B by its B/A ratio, and a
 * table gives every layer's times, ratio, confidence interval and whether
 * the change is beyond timing noise.  Comparisons are computed only when
 * the page is shown: the bootstrap intervals are not free on large models.
 */

#include "qviz-config.h"
#include "qviz-compare-page-private.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "qviz-chart-adapt.h"
#include "qviz-chart-compare.h"
#include "qviz-compare-report-painter.h"
#include "qviz-compare.h"
#include "qviz-export.h"
#include "qviz-graph.h"
#include "qviz-machine.h"
#include "qviz-sweep.h"
#include "qviz-window-format.h"

/* The table shows the most changed layers; the rest are one scroll too many. */
#define MAX_DELTA_ROWS 80

G_DEFINE_FINAL_TYPE (QvizComparePage, qviz_compare_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LOG_SCALE,
  PROP_COMPUTING,
  PROP_HAS_COMPARISON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const QvizSweep *
chosen_sweep (QvizComparePage *self,
              GtkDropDown     *dropdown)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  if (self->all_sweeps == NULL || i >= self->all_sweeps->len)
    return NULL;
  return g_ptr_array_index (self->all_sweeps, i);
}

/* What tells the two sides apart in a legend: the machine when they
 * differ, else the kernels' ISA, else nothing beyond "A" and "B". */
static void
short_labels (const QvizRun  *a,
              const QvizRun  *b,
              char          **label_a,
              char          **label_b)
{
  if (a && b && a->hostname && b->hostname && g_strcmp0 (a->hostname, b->hostname) != 0)
    {
      *label_a = g_strdup_printf ("A (%s)", a->hostname);
      *label_b = g_strdup_printf ("B (%s)", b->hostname);
    }
  else if (a && b && a->isa && b->isa && g_strcmp0 (a->isa, b->isa) != 0)
    {
      *label_a = g_strdup_printf ("A (%s)", a->isa);
      *label_b = g_strdup_printf ("B (%s)", b->isa);
    }
  else
    {
      *label_a = g_strdup ("A");
      *label_b = g_strdup ("B");
    }
}

static char *
config_label (const QvizRun *run)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s %d×%d · %d thread",
                                       "%s %d×%d · %d threads", run->threads),
                          run->precision, run->height, run->width, run->threads);
}

static const QvizRunComparison *
selected_comparison (QvizComparePage *self)
{
  guint i = gtk_drop_down_get_selected (self->config_choice);

  if (self->comparisons == NULL || i >= self->comparisons->len)
    return NULL;
  return g_ptr_array_index (self->comparisons, i);
}

gboolean
qviz_compare_page_has_comparison (QvizComparePage *self)
{
  g_return_val_if_fail (QVIZ_IS_COMPARE_PAGE (self), FALSE);

  return self->comparisons != NULL && self->comparisons->len > 0;
}

gboolean
qviz_compare_page_is_computing (QvizComparePage *self)
{
  g_return_val_if_fail (QVIZ_IS_COMPARE_PAGE (self), FALSE);

  return self->computing;
}

const char *
qviz_compare_page_get_uuid_a (QvizComparePage *self)
{
  g_return_val_if_fail (QVIZ_IS_COMPARE_PAGE (self), NULL);

  return self->uuid_a;
}

const char *
qviz_compare_page_get_uuid_b (QvizComparePage *self)
{
  g_return_val_if_fail (QVIZ_IS_COMPARE_PAGE (self), NULL);

  return self->uuid_b;
}

gboolean
qviz_compare_page_get_log_scale (QvizComparePage *self)
{
  g_return_val_if_fail (QVIZ_IS_COMPARE_PAGE (self), FALSE);

  return self->log_scale;
}

void
qviz_compare_page_set_log_scale (QvizComparePage *self,
                                 gboolean         log_scale)
{
  g_return_if_fail (QVIZ_IS_COMPARE_PAGE (self));

  log_scale = !!log_scale;
  if (self->log_scale == log_scale)
    return;
  self->log_scale = log_scale;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_SCALE]);
}

static void
set_computing (QvizComparePage *self,
               gboolean         computing)
{
  if (computing)
    gtk_spinner_start (self->spinner);
  else
    gtk_spinner_stop (self->spinner);
  if (self->computing == computing)
    return;
  self->computing = computing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPUTING]);
}

/* Replaces the comparisons shown (taken; NULL: none) and says whether
 * there is now one to export. */
static void
set_comparisons (QvizComparePage *self,
                 GPtrArray       *comparisons)
{
  gboolean had = qviz_compare_page_has_comparison (self);

  g_clear_pointer (&self->comparisons, g_ptr_array_unref);
  self->comparisons = comparisons;
  if (had != qviz_compare_page_has_comparison (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_COMPARISON]);
}

/* ---- the layer table ------------------------------------------------ */

static GtkWidget *
cell (const char *text,
      int         width_chars,
      const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_width_chars (GTK_LABEL (label), width_chars);
  gtk_label_set_max_width_chars (GTK_LABEL (label), width_chars);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "numeric");
  if (css_class)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static char *
format_interval (double lo,
                 double hi)
{
  if (isnan (lo) || isnan (hi))
    return g_strdup ("—");
  /* TRANSLATORS: a 95% confidence interval of a time difference in ms. */
  return g_strdup_printf (_("%+.2f … %+.2f ms"), lo, hi);
}

static char *
format_p (double p)
{
  if (isnan (p))
    return g_strdup ("—");
  if (p < 0.001)
    return g_strdup ("< 0.001");
  return g_strdup_printf ("%.3f", p);
}

static GtkWidget *
delta_header (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (_("Layer"));

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), cell (_("A"), 9, NULL));
  gtk_box_append (GTK_BOX (box), cell (_("B"), 9, NULL));
  gtk_box_append (GTK_BOX (box), cell (_("B/A"), 7, NULL));
  gtk_box_append (GTK_BOX (box), cell (_("95% interval of B − A"), 20, NULL));
  gtk_box_append (GTK_BOX (box), cell (_("p"), 7, NULL));
  for (GtkWidget *w = gtk_widget_get_first_child (box); w; w = gtk_widget_get_next_sibling (w))
    {
      gtk_widget_add_css_class (w, "caption-heading");
      gtk_widget_add_css_class (w, "dim-label");
    }
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  return box;
}

static GtkWidget *
delta_row (const QvizLayerDelta *d)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *names = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (d->name);
  g_autofree char *a = qviz_window_format_ms (d->a_ms), *b = qviz_window_format_ms (d->b_ms);
  g_autofree char *ratio = isnan (d->ratio) ? g_strdup ("—") : g_strdup_printf ("%.2f×", d->ratio);
  g_autofree char *interval = format_interval (d->diff_lo, d->diff_hi);
  g_autofree char *p = format_p (d->p_value);
  GtkWidget *label;

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_START);
  gtk_widget_set_tooltip_text (name, d->name);
  gtk_box_append (GTK_BOX (names), name);
  if (d->kernel_changed)
    {
      /* TRANSLATORS: the kernel that ran in A, then the one in B. */
      g_autofree char *k = g_strdup_printf (_("kernel: %s → %s"), d->kernel_a ? d->kernel_a : "?",
                                            d->kernel_b ? d->kernel_b : "?");
      label = gtk_label_new (k);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_widget_set_tooltip_text (label, k);
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "accent");
      gtk_box_append (GTK_BOX (names), label);
    }
  gtk_widget_set_hexpand (names, TRUE);
  gtk_box_append (GTK_BOX (row), names);

  gtk_box_append (GTK_BOX (row), cell (a, 9, "dim-label"));
  gtk_box_append (GTK_BOX (row), cell (b, 9, "dim-label"));
  label = cell (ratio, 7, NULL);
  if (d->significant)
    gtk_widget_add_css_class (label, d->ratio > 1 ? "error" : "success");
  gtk_box_append (GTK_BOX (row), label);
  gtk_box_append (GTK_BOX (row), cell (interval, 20, "dim-label"));
  gtk_box_append (GTK_BOX (row), cell (p, 7, "dim-label"));

  if (d->index_a < 0 || d->index_b < 0)
    gtk_widget_set_tooltip_text (row, d->index_a < 0 ? _("Only in B") : _("Only in A"));
  else if (d->significant)
    gtk_widget_set_tooltip_text (row, _("Significant change (p < 0.01, more than 3%)"));
  else
    {
      gtk_widget_set_tooltip_text (row, _("Within timing noise"));
      gtk_widget_add_css_class (row, "qviz-within-noise");
    }
  gtk_widget_set_margin_start (row, 12);
  gtk_widget_set_margin_end (row, 12);
  gtk_widget_set_margin_top (row, 6);
  gtk_widget_set_margin_bottom (row, 6);
  return row;
}

static char *
summary_text (const QvizRunComparison *c)
{
  g_autofree char *config = config_label (c->b);
  guint n_kernels = 0;
  g_autoptr (GString) s = g_string_new (NULL);

  for (guint i = 0; i < c->layers->len; i++)
    if (g_array_index (c->layers, QvizLayerDelta, i).kernel_changed)
      n_kernels++;
  if (isnan (c->ratio))
    g_string_append_printf (s, _("%s: the whole model was not measured on both sides."), config);
  else if (c->too_few_passes)
    /* TRANSLATORS: configuration, B's time as a multiple of A's, the warm passes of A and B. */
    g_string_append_printf (s, _("%s: B takes %.2f× the time of A; %u and %u warm passes are "
                                 "too few to tell a change from timing noise."),
                            config, c->ratio, c->a->warm_ms->len, c->b->warm_ms->len);
  else if (!c->significant)
    /* TRANSLATORS: configuration, then B's time as a multiple of A's. */
    g_string_append_printf (s, _("%s: B takes %.2f× the time of A, within timing noise."),
                            config, c->ratio);
  else
    g_string_append_printf (s, c->ratio > 1 ? _("%s: B takes %.2f× the time of A (slower).")
                                            : _("%s: B takes %.2f× the time of A (faster)."),
                            config, c->ratio);
  g_string_append (s, " ");
  g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE,
                                          "%u of %u layer changed beyond noise",
                                          "%u of %u layers changed beyond noise", c->layers->len),
                          c->n_significant, c->layers->len);
  if (n_kernels > 0)
    g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "; %u ran another kernel.",
                                            "; %u ran another kernel.", n_kernels), n_kernels);
  else
    g_string_append (s, ".");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
fill_detail (QvizComparePage *self)
{
  const QvizRunComparison *c = selected_comparison (self);
  g_autoptr (GPtrArray) sorted = NULL;
  g_autofree char *label_a = NULL, *label_b = NULL;
  g_autofree char *summary = NULL, *title = NULL, *config = NULL;

  qviz_window_clear_list_box (self->delta_list);
  gtk_widget_set_visible (GTK_WIDGET (self->delta_more), FALSE);
  if (c == NULL)
    {
      qviz_flame_view_clear (self->flame);
      gtk_label_set_text (self->summary,
                          _("A and B have no configuration (precision, size, threads) in common: only their curves can be compared."));
      gtk_label_set_text (self->flame_title, "");
      return;
    }

  short_labels (c->a, c->b, &label_a, &label_b);
  summary = summary_text (c);
  gtk_label_set_text (self->summary, summary);
  config = config_label (c->b);
  /* TRANSLATORS: differential flame chart title: B's label, A's label, configuration. */
  title = g_strdup_printf (_("%s against %s, layer by layer (%s), coloured by B's time over A's; grey: within timing noise"),
                           label_b, label_a, config);
  gtk_label_set_text (self->flame_title, title);
  qviz_flame_view_set_comparison (self->flame, c->b, c);

  gtk_list_box_append (self->delta_list, delta_header ());
  sorted = qviz_chart_compare_ranked (c);
  for (guint i = 0; i < MIN (sorted->len, MAX_DELTA_ROWS); i++)
    gtk_list_box_append (self->delta_list, delta_row (g_ptr_array_index (sorted, i)));
  if (sorted->len > MAX_DELTA_ROWS)
    {
      g_autofree char *more = g_strdup_printf (_("The %u most changed of %u layers are shown; the CSV export has them all."),
                                               MAX_DELTA_ROWS, sorted->len);
      gtk_label_set_text (self->delta_more, more);
      gtk_widget_set_visible (GTK_WIDGET (self->delta_more), TRUE);
    }
}

/* Runs are only ever added to a sweep, so the same sweeps with the same
 * number of runs compare the same. */
static char *
choice_key (const QvizSweep *a,
            const QvizSweep *b)
{
  return g_strdup_printf ("%s %u %s %u", a ? a->uuid : "-", a ? a->n_runs : 0,
                          b ? b->uuid : "-", b ? b->n_runs : 0);
}

/* Loading both sweeps' runs (layers and spans) and the bootstrap intervals
 * of every matched pair can take seconds on a long sweep: they are computed
 * in a worker, on a connection of its own, while the page shows a spinner. */
typedef struct {
  char      *db_path;
  char      *uuid_a, *uuid_b;
  guint      generation;
  GPtrArray *runs_a, *runs_b, *comparisons;
} CompareJob;

static void
compare_job_free (CompareJob *job)
{
  g_free (job->db_path);
  g_free (job->uuid_a);
  g_free (job->uuid_b);
  g_clear_pointer (&job->runs_a, g_ptr_array_unref);
  g_clear_pointer (&job->runs_b, g_ptr_array_unref);
  g_clear_pointer (&job->comparisons, g_ptr_array_unref);
  g_free (job);
}

static void
compare_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CompareJob *job = task_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = qviz_store_open (job->db_path, QVIZ_STORE_READ_ONLY, &error);
  g_autoptr (GPtrArray) pairs = NULL;

  if (store == NULL ||
      (job->runs_a = qviz_store_list_runs (store, job->uuid_a, TRUE, &error)) == NULL ||
      (job->runs_b = qviz_store_list_runs (store, job->uuid_b, TRUE, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < job->runs_a->len; i++)
    qviz_run_clip_text (g_ptr_array_index (job->runs_a, i), QVIZ_WINDOW_MAX_TEXT);
  for (guint i = 0; i < job->runs_b->len; i++)
    qviz_run_clip_text (g_ptr_array_index (job->runs_b, i), QVIZ_WINDOW_MAX_TEXT);
  job->comparisons = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_comparison_free);
  pairs = qviz_compare_match_runs (job->runs_a, job->runs_b);
  for (guint i = 0; i + 1 < pairs->len; i += 2)
    {
      if (g_cancellable_is_cancelled (cancellable))
        break;
      g_ptr_array_add (job->comparisons, qviz_compare_runs (g_ptr_array_index (pairs, i),
                                                            g_ptr_array_index (pairs, i + 1)));
    }
  qviz_chart_compare_sort (job->comparisons);
  g_task_return_boolean (task, TRUE);
}

static void
show_empty (QvizComparePage *self)
{
  qviz_curves_view_set_series (self->curves, NULL);
  qviz_flame_view_clear (self->flame);
  gtk_drop_down_set_model (self->config_choice, NULL);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
show_comparisons (QvizComparePage *self)
{
  g_autoptr (GPtrArray) series = NULL;
  g_autoptr (GtkStringList) configs = gtk_string_list_new (NULL);
  g_autofree char *label_a = NULL, *label_b = NULL;
  const QvizRun *first_a, *first_b;

  first_a = g_ptr_array_index (self->runs_a, 0);
  first_b = g_ptr_array_index (self->runs_b, 0);
  short_labels (first_a, first_b, &label_a, &label_b);
  series = qviz_chart_curves_from_two_sweeps (self->runs_a, label_a, self->runs_b, label_b);
  qviz_curves_view_set_series (self->curves, series);

  for (guint i = 0; i < self->comparisons->len; i++)
    {
      const QvizRunComparison *c = g_ptr_array_index (self->comparisons, i);
      g_autofree char *config = config_label (c->b);
      g_autofree char *text = isnan (c->ratio) ? g_strdup (config)
                              : g_strdup_printf ("%s — B/A %.2f×%s", config, c->ratio,
                                                 c->significant ? "" : _(" (noise)"));
      gtk_string_list_append (configs, text);
    }
  g_signal_handlers_block_by_func (self->config_choice, fill_detail, self);
  gtk_drop_down_set_model (self->config_choice, G_LIST_MODEL (configs));
  gtk_drop_down_set_selected (self->config_choice, 0);
  g_signal_handlers_unblock_by_func (self->config_choice, fill_detail, self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->config_choice), self->comparisons->len > 1);
  gtk_stack_set_visible_child_name (self->stack, "compare");
  fill_detail (self);
}

static void
on_compare_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  QvizComparePage *self = QVIZ_COMPARE_PAGE (source);
  CompareJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  /* A newer choice superseded this one: its own task fills the page. */
  if (job->generation != self->generation)
    return;
  if (!ok)
    {
      show_empty (self);
      set_computing (self, FALSE);
      g_signal_emit (self, signals[FAILED], 0, error->message);
      return;
    }
  self->runs_a = g_steal_pointer (&job->runs_a);
  self->runs_b = g_steal_pointer (&job->runs_b);
  /* The page shows the comparisons before it says they are there. */
  self->comparisons = g_steal_pointer (&job->comparisons);
  if (self->runs_a->len == 0 || self->runs_b->len == 0)
    show_empty (self);
  else
    show_comparisons (self);
  if (qviz_compare_page_has_comparison (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_COMPARISON]);
  set_computing (self, FALSE);
}

static void
fill_compare (QvizComparePage *self)
{
  const QvizSweep *sa = chosen_sweep (self, self->choice_a);
  const QvizSweep *sb = chosen_sweep (self, self->choice_b);
  g_autoptr (GTask) task = NULL;
  CompareJob *job;

  self->dirty = FALSE;
  set_comparisons (self, NULL);
  g_clear_pointer (&self->runs_a, g_ptr_array_unref);
  g_clear_pointer (&self->runs_b, g_ptr_array_unref);
  g_free (self->filled);
  self->filled = choice_key (sa, sb);
  self->generation++;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (sa == NULL || sb == NULL || self->store == NULL)
    {
      show_empty (self);
      set_computing (self, FALSE);
      return;
    }

  job = g_new0 (CompareJob, 1);
  job->db_path = g_strdup (qviz_store_get_path (self->store));
  job->uuid_a = g_strdup (sa->uuid);
  job->uuid_b = g_strdup (sb->uuid);
  job->generation = self->generation;
  self->cancellable = g_cancellable_new ();
  gtk_stack_set_visible_child_name (self->stack, "computing");
  set_computing (self, TRUE);

  task = g_task_new (self, self->cancellable, on_compare_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) compare_job_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, compare_thread);
}

static void
on_choice_changed (QvizComparePage *self)
{
  const QvizSweep *sa = chosen_sweep (self, self->choice_a);
  const QvizSweep *sb = chosen_sweep (self, self->choice_b);
  g_autofree char *key = choice_key (sa, sb);

  g_free (self->uuid_a);
  g_free (self->uuid_b);
  self->uuid_a = g_strdup (sa ? sa->uuid : NULL);
  self->uuid_b = g_strdup (sb ? sb->uuid : NULL);
  if ((self->comparisons != NULL || self->computing) && g_strcmp0 (key, self->filled) == 0)
    return;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    fill_compare (self);
  else
    self->dirty = TRUE;
}

static void
on_swap_clicked (QvizComparePage *self)
{
  guint a = gtk_drop_down_get_selected (self->choice_a);
  guint b = gtk_drop_down_get_selected (self->choice_b);

  g_signal_handlers_block_by_func (self->choice_a, on_choice_changed, self);
  gtk_drop_down_set_selected (self->choice_a, b);
  g_signal_handlers_unblock_by_func (self->choice_a, on_choice_changed, self);
  gtk_drop_down_set_selected (self->choice_b, a);
}

/* ---- the choices of A and B ----------------------------------------- */

/* What a chooser shows of a sweep, and what typing in it filters by: its
 * name if it has one, its model, machine, date and how it differs from a
 * sweep with the defaults. */
static char *
sweep_choice_label (const QvizSweep *s)
{
  g_autofree char *date = qviz_window_format_time (s->created);
  g_autofree char *options = qviz_sweep_options_summary (s->options);
  g_autoptr (GString) text = g_string_new (NULL);

  if (s->name != NULL && s->name[0] != '\0')
    g_string_append_printf (text, "%s · ", s->name);
  g_string_append_printf (text, "%s · %s · %s", s->model_name ? s->model_name : "?",
                          s->hostname ? s->hostname : "?", date);
  if (options != NULL)
    g_string_append_printf (text, " · %s", options);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (g_type_is_a (G_OBJECT_TYPE (widget), type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Typing in a chooser keeps the sweeps whose label has the text anywhere
 * (a machine, a date, an option), not only at its start. */
static void
match_anywhere (GtkDropDown *dropdown)
{
#if GTK_CHECK_VERSION (4, 12, 0)
  gtk_drop_down_set_search_match_mode (dropdown, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
#else
  /* Before GTK 4.12 the drop-down matches prefixes only, with a
   * GtkStringFilter on its popup's list that each new model remakes. */
  GtkWidget *list = find_descendant (GTK_WIDGET (dropdown), GTK_TYPE_LIST_VIEW);
  GtkSelectionModel *selection = list ? gtk_list_view_get_model (GTK_LIST_VIEW (list)) : NULL;
  GListModel *model = GTK_IS_SINGLE_SELECTION (selection)
                      ? gtk_single_selection_get_model (GTK_SINGLE_SELECTION (selection)) : NULL;
  GtkFilter *filter = GTK_IS_FILTER_LIST_MODEL (model)
                      ? gtk_filter_list_model_get_filter (GTK_FILTER_LIST_MODEL (model)) : NULL;

  if (GTK_IS_STRING_FILTER (filter))
    gtk_string_filter_set_match_mode (GTK_STRING_FILTER (filter),
                                      GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
#endif
}

static guint
sweep_index (QvizComparePage *self,
             const char      *uuid)
{
  for (guint i = 0; uuid && self->all_sweeps && i < self->all_sweeps->len; i++)
    if (g_str_equal (((QvizSweep *) g_ptr_array_index (self->all_sweeps, i))->uuid, uuid))
      return i;
  return GTK_INVALID_LIST_POSITION;
}

void
qviz_compare_page_set_sweeps (QvizComparePage *self,
                              QvizStore       *store,
                              GPtrArray       *all_sweeps,
                              const char      *shown_uuid)
{
  g_autoptr (GtkStringList) list = gtk_string_list_new (NULL);
  guint sel_a = GTK_INVALID_LIST_POSITION, sel_b = GTK_INVALID_LIST_POSITION;
  guint n;

  g_return_if_fail (QVIZ_IS_COMPARE_PAGE (self));

  self->store = store;
  if (all_sweeps != NULL)
    g_ptr_array_ref (all_sweeps);
  g_clear_pointer (&self->all_sweeps, g_ptr_array_unref);
  self->all_sweeps = all_sweeps;
  n = self->all_sweeps ? self->all_sweeps->len : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = sweep_choice_label (g_ptr_array_index (self->all_sweeps, i));
      gtk_string_list_append (list, text);
    }

  /* Keep what the user chose while the same sweep is shown. */
  if (g_strcmp0 (self->chosen_for, shown_uuid) == 0)
    {
      sel_a = sweep_index (self, self->uuid_a);
      sel_b = sweep_index (self, self->uuid_b);
    }
  if (sel_a == GTK_INVALID_LIST_POSITION || sel_b == GTK_INVALID_LIST_POSITION)
    {
      /* B: the sweep shown; A: the sweep of the same model before it (or
       * else after it), a complete one if there is any. */
      const char *model_sha256;

      sel_b = sweep_index (self, shown_uuid);
      if (sel_b == GTK_INVALID_LIST_POSITION)
        sel_b = 0;
      model_sha256 = n > 0 ? ((QvizSweep *) g_ptr_array_index (self->all_sweeps, sel_b))->model_sha256 : NULL;
      sel_a = sel_b;
      for (int pass = 0; pass < 2 && sel_a == sel_b; pass++)
        for (guint k = 1; k < n; k++)
          {
            /* Newest first: older sweeps follow sel_b, then wrap around. */
            guint j = (sel_b + k) % n;
            const QvizSweep *s = g_ptr_array_index (self->all_sweeps, j);
            if (g_strcmp0 (s->model_sha256, model_sha256) == 0 &&
                (pass == 1 || s->status == QVIZ_SWEEP_COMPLETE))
              {
                sel_a = j;
                break;
              }
          }
    }
  g_free (self->chosen_for);
  self->chosen_for = g_strdup (shown_uuid);

  g_signal_handlers_block_by_func (self->choice_a, on_choice_changed, self);
  g_signal_handlers_block_by_func (self->choice_b, on_choice_changed, self);
  gtk_drop_down_set_model (self->choice_a, G_LIST_MODEL (list));
  gtk_drop_down_set_model (self->choice_b, G_LIST_MODEL (list));
  match_anywhere (self->choice_a);
  match_anywhere (self->choice_b);
  gtk_drop_down_set_selected (self->choice_a, sel_a);
  gtk_drop_down_set_selected (self->choice_b, sel_b);
  g_signal_handlers_unblock_by_func (self->choice_a, on_choice_changed, self);
  g_signal_handlers_unblock_by_func (self->choice_b, on_choice_changed, self);
  on_choice_changed (self);
}

/* ---- export --------------------------------------------------------- */

gboolean
qviz_compare_page_export (QvizComparePage  *self,
                          const char       *path,
                          GError          **error)
{
  g_autoptr (QvizCompareReportPainter) p = NULL;
  g_autoptr (GPtrArray) series = NULL, rows = NULL, lines_a = NULL, lines_b = NULL;
  g_autoptr (QvizMachine) machine_a = NULL, machine_b = NULL;
  g_autofree char *label_a = NULL, *label_b = NULL, *title = NULL, *subtitle = NULL;
  g_autofree char *head_a = NULL, *head_b = NULL, *flame_title = NULL, *rows_title = NULL;
  g_autofree char *summary = NULL, *config = NULL, *date_a = NULL, *date_b = NULL;
  const QvizSweep *sa, *sb;
  const QvizRunComparison *c;
  QvizExportFormat format;

  g_return_val_if_fail (QVIZ_IS_COMPARE_PAGE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->dirty || (self->comparisons == NULL && !self->computing))
    fill_compare (self);
  c = selected_comparison (self);
  if (c == NULL)
    {
      g_set_error_literal (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                           self->computing ? _("A and B are still being compared; export once the comparison shows.")
                                           : _("A and B have no configuration in common to compare."));
      return FALSE;
    }
  if (!qviz_export_format_from_filename (path, &format))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   _("%s: the file name must end in .png, .svg or .pdf."), path);
      return FALSE;
    }
  sa = chosen_sweep (self, self->choice_a);
  sb = chosen_sweep (self, self->choice_b);
  short_labels (c->a, c->b, &label_a, &label_b);
  config = config_label (c->b);
  series = qviz_chart_curves_from_two_sweeps (self->runs_a, label_a, self->runs_b, label_b);
  rows = qviz_chart_compare_rows (c);
  if (self->store != NULL)
    {
      machine_a = qviz_store_get_machine (self->store, c->a->machine_id, NULL);
      machine_b = qviz_store_get_machine (self->store, c->b->machine_id, NULL);
    }
  lines_a = qviz_chart_compare_side_lines (c->a, machine_a);
  lines_b = qviz_chart_compare_side_lines (c->b, machine_b);
  title = g_strdup_printf ("%s: %s vs %s", c->b->model_name ? c->b->model_name : "qviz",
                           label_a, label_b);
  date_a = qviz_window_format_time (c->a->started);
  date_b = qviz_window_format_time (c->b->started);
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u configuration in common; A ran %s, B ran %s",
                                           "%u configurations in common; A ran %s, B ran %s",
                                           self->comparisons->len),
                              self->comparisons->len, date_a, date_b);
  head_a = g_strdup_printf ("%s = %.8s", label_a, sa ? sa->uuid : "?");
  head_b = g_strdup_printf ("%s = %.8s", label_b, sb ? sb->uuid : "?");
  summary = summary_text (c);
  flame_title = g_strdup_printf (_("%s against %s, layer by layer: %s"), label_b, label_a, config);
  rows_title = g_strdup_printf (_("Most changed layers, %s"), config);

  p = qviz_compare_report_painter_new (qviz_chart_style_get_light ());
  qviz_compare_report_painter_set_title (p, title, subtitle);
  qviz_compare_report_painter_set_side (p, 0, head_a, lines_a);
  qviz_compare_report_painter_set_side (p, 1, head_b, lines_b);
  qviz_compare_report_painter_set_summary (p, summary);
  qviz_compare_report_painter_set_labels (p, label_a, label_b);
  qviz_compare_report_painter_set_log_y (p, self->log_scale);
  for (guint i = 0; i < series->len; i++)
    qviz_compare_report_painter_add_series (p, g_ptr_array_index (series, i));
  qviz_compare_report_painter_set_flame (p, flame_title, qviz_chart_flame_diff (c->b, c));
  qviz_compare_report_painter_set_rows (p, rows_title, rows);
  return qviz_export_to_file (path, format, QVIZ_REPORT_WIDTH, QVIZ_REPORT_HEIGHT,
                              QVIZ_PAINT_FUNC (qviz_compare_report_painter_paint), p, error);
}

gboolean
qviz_compare_page_export_csv (QvizComparePage  *self,
                              const char       *path,
                              GError          **error)
{
  g_return_val_if_fail (QVIZ_IS_COMPARE_PAGE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->dirty || (self->comparisons == NULL && !self->computing))
    fill_compare (self);
  if (!qviz_compare_page_has_comparison (self))
    {
      g_set_error_literal (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                           self->computing ? _("A and B are still being compared; export once the comparison shows.")
                                           : _("A and B have no configuration in common to compare."));
      return FALSE;
    }
  return qviz_compare_write_csv (self->comparisons, path, error);
}

/* ---- the widget ----------------------------------------------------- */

GtkWidget *
qviz_compare_page_new (void)
{
  return g_object_new (QVIZ_TYPE_COMPARE_PAGE, NULL);
}

/* Comparisons wait for the page to be seen. */
static void
qviz_compare_page_map (GtkWidget *widget)
{
  QvizComparePage *self = QVIZ_COMPARE_PAGE (widget);

  GTK_WIDGET_CLASS (qviz_compare_page_parent_class)->map (widget);
  if (self->dirty)
    fill_compare (self);
}

static void
qviz_compare_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  QvizComparePage *self = QVIZ_COMPARE_PAGE (object);

  switch (prop_id)
    {
    case PROP_LOG_SCALE:
      g_value_set_boolean (value, self->log_scale);
      break;
    case PROP_COMPUTING:
      g_value_set_boolean (value, self->computing);
      break;
    case PROP_HAS_COMPARISON:
      g_value_set_boolean (value, qviz_compare_page_has_comparison (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_compare_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  QvizComparePage *self = QVIZ_COMPARE_PAGE (object);

  switch (prop_id)
    {
    case PROP_LOG_SCALE:
      qviz_compare_page_set_log_scale (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_compare_page_dispose (GObject *object)
{
  QvizComparePage *self = QVIZ_COMPARE_PAGE (object);
  GtkWidget *child;

  /* A worker still running keeps the page (its task's source) until it
   * returns, after the window may be gone: cancelling makes that soon, and
   * a new generation makes its answer one that nobody awaits. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  self->generation++;
  gtk_widget_dispose_template (GTK_WIDGET (self), QVIZ_TYPE_COMPARE_PAGE);
  /* The bar of choices and the separator have no id for the template to drop. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (qviz_compare_page_parent_class)->dispose (object);
}

static void
qviz_compare_page_finalize (GObject *object)
{
  QvizComparePage *self = QVIZ_COMPARE_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->comparisons, g_ptr_array_unref);
  g_clear_pointer (&self->runs_a, g_ptr_array_unref);
  g_clear_pointer (&self->runs_b, g_ptr_array_unref);
  g_clear_pointer (&self->all_sweeps, g_ptr_array_unref);
  g_free (self->uuid_a);
  g_free (self->uuid_b);
  g_free (self->chosen_for);
  g_free (self->filled);
  G_OBJECT_CLASS (qviz_compare_page_parent_class)->finalize (object);
}

static void
qviz_compare_page_class_init (QvizComparePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = qviz_compare_page_get_property;
  object_class->set_property = qviz_compare_page_set_property;
  object_class->dispose = qviz_compare_page_dispose;
  object_class->finalize = qviz_compare_page_finalize;
  widget_class->map = qviz_compare_page_map;

  properties[PROP_LOG_SCALE] =
    g_param_spec_boolean ("log-scale", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPUTING] =
    g_param_spec_boolean ("computing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_COMPARISON] =
    g_param_spec_boolean ("has-comparison", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The sweeps could not be read; the message says why, and the page
   * shows nothing to compare. */
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (QVIZ_TYPE_CURVES_VIEW);
  g_type_ensure (QVIZ_TYPE_FLAME_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/qviz/Qviz/ui/qviz-compare-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QvizComparePage, choice_a);
  gtk_widget_class_bind_template_child (widget_class, QvizComparePage, choice_b);
  gtk_widget_class_bind_template_child (widget_class, QvizComparePage, config_choice);
  gtk_widget_class_bind_template_child (widget_class, QvizComparePage, stack);
  gtk_widget_class_bind_template_child (widget_class, QvizComparePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, QvizComparePage, curves);
  gtk_widget_class_bind_template_child (widget_class, QvizComparePage, flame);
  gtk_widget_class_bind_template_child (widget_class, QvizComparePage, summary);
  gtk_widget_class_bind_template_child (widget_class, QvizComparePage, flame_title);
  gtk_widget_class_bind_template_child (widget_class, QvizComparePage, delta_list);
  gtk_widget_class_bind_template_child (widget_class, QvizComparePage, delta_more);
  gtk_widget_class_bind_template_callback (widget_class, on_choice_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_swap_clicked);
  gtk_widget_class_bind_template_callback (widget_class, fill_detail);
}

static void
qviz_compare_page_init (QvizComparePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  qviz_window_choice_setup (self->choice_a);
  qviz_window_choice_setup (self->choice_b);
  qviz_window_choice_setup (self->config_choice);
  match_anywhere (self->choice_a);
  match_anywhere (self->choice_b);
  qviz_curves_view_set_title (self->curves, _("Latency by input resolution: A solid, B dashed"));
}
