/* qviz-cold-start-page.c: the plan, the cold passes and the steady state. */

#include "qviz-config.h"
#include "qviz-cold-start-page.h"

#include <adwaita.h>

#include "qviz-window-format.h"
#include <glib/gi18n.h>
#include <math.h>

#include "qviz-chart-compare.h"
#include "qviz-flame-view.h"

/* The ranked list names the layers that matter; the flame chart shows all. */
#define MAX_RANKED 12
#define MAX_PLAN_LAYERS 8

struct _QvizColdStartPage
{
  GtkWidget       parent_instance;

  GPtrArray      *runs;        /* QvizRun *, the sweep's (shared) */
  GArray         *choices;     /* guint: index in runs of each run choice */
  QvizColdPass   *pass;        /* what is shown, or NULL */
  guint           n_ranked;

  GtkDropDown    *run_choice;
  GtkDropDown    *pass_choice;
  GtkStack       *stack;
  GtkListBox     *stages;
  GtkLabel       *plan_note;
  GtkWidget      *plan_heading;
  GtkListBox     *plan_layers;
  QvizFlameView  *flame;
  GtkLabel       *extra_summary;
  GtkListBox     *ranked;
};

G_DEFINE_FINAL_TYPE (QvizColdStartPage, qviz_cold_start_page, GTK_TYPE_WIDGET)

static char *
format_ms (double ms)
{
  if (isnan (ms))
    return g_strdup ("—");
  if (fabs (ms) >= 100)
    return g_strdup_printf (_("%.0f ms"), ms);
  if (fabs (ms) >= 10)
    return g_strdup_printf (_("%.1f ms"), ms);
  return g_strdup_printf (_("%.2f ms"), ms);
}

static const QvizRun *
chosen_run (QvizColdStartPage *self)
{
  guint i = gtk_drop_down_get_selected (self->run_choice);

  if (self->runs == NULL || i == GTK_INVALID_LIST_POSITION || i >= self->choices->len)
    return NULL;
  return g_ptr_array_index (self->runs, g_array_index (self->choices, guint, i));
}

static GtkWidget *
stage_row (const char *title,
           const char *subtitle,
           const char *value,
           const char *value_tooltip)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (label, "numeric");
  if (value_tooltip != NULL)
    gtk_widget_set_tooltip_text (label, value_tooltip);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  return row;
}

static GtkWidget *
plan_row (const char *title,
          const char *subtitle,
          double      ms,
          double      share)
{
  g_autofree char *time = format_ms (ms);
  /* TRANSLATORS: a layer's plan time and its share of the whole plan
   * time: "3.20 ms (41%)". */
  g_autofree char *value = isnan (share) ? g_strdup (time)
                                         : g_strdup_printf (_("%s (%.0f%%)"), time, 100 * share);
  GtkWidget *row = stage_row (title, subtitle, value, NULL);

  gtk_widget_set_tooltip_text (row, title);
  return row;
}

/* The plan time layer by layer: the layers that take longest to build,
 * then the part of the plan that belongs to no layer. */
static void
fill_plan (QvizColdStartPage *self,
           const QvizRun     *run)
{
  g_autoptr (QvizPlanBreakdown) pb = qviz_plan_breakdown_new (run);
  double shown_ms = 0;
  guint shown;

  qviz_window_clear_list_box (self->plan_layers);
  gtk_widget_set_visible (self->plan_heading, pb != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->plan_layers), pb != NULL);
  if (pb == NULL)
    {
      /* Say why there is no breakdown rather than leave the reader
       * looking for one. */
      gtk_label_set_text (self->plan_note,
                          _("This run has no per-layer plan time: it comes from an imported trace or from a database written before plan times were kept per layer. The model's loading is not part of a run."));
      return;
    }
  shown = MIN (pb->layers->len, MAX_PLAN_LAYERS);
  for (guint i = 0; i < shown; i++)
    {
      const QvizPlanLayer *pl = &g_array_index (pb->layers, QvizPlanLayer, i);
      gtk_list_box_append (self->plan_layers, plan_row (pl->name, pl->kernel, pl->plan_ms, pl->share));
      shown_ms += pl->plan_ms;
    }
  if (pb->layers->len > shown)
    {
      g_autofree char *title = g_strdup_printf (ngettext ("%u other layer", "%u other layers",
                                                          pb->layers->len - shown),
                                                pb->layers->len - shown);
      double ms = pb->layers_ms - shown_ms;
      gtk_list_box_append (self->plan_layers,
                           plan_row (title, NULL, ms, pb->plan_ms > 0 ? ms / pb->plan_ms : NAN));
    }
  gtk_list_box_append (self->plan_layers,
                       plan_row (_("Not per layer"),
                                 _("Shapes, folding, kernel choice and the activation arena"),
                                 pb->rest_ms, pb->plan_ms > 0 ? pb->rest_ms / pb->plan_ms : NAN));
  gtk_label_set_text (self->plan_note,
                      _("A layer's plan time is the packing of its weights (quantized for int8), its indirection buffer and its tables. The model's loading is not part of a run."));
}

static void
fill_stages (QvizColdStartPage *self,
             const QvizRun     *run)
{
  g_autofree char *plan = format_ms (run->plan_ms);
  g_autofree char *warm = format_ms (run->stats.median);
  g_autofree char *warm_sub = NULL;

  qviz_window_clear_list_box (self->stages);
  gtk_list_box_append (self->stages,
                       stage_row (_("Plan"),
                                  _("Shapes, folding, kernel choice, weight prepacking and the activation arena, once before the first pass"),
                                  plan, NULL));
  for (guint k = 0; k < run->cold_ms->len; k++)
    {
      double ms = g_array_index (run->cold_ms, double, k);
      g_autofree char *title = g_strdup_printf (_("Cold pass %u"), k + 1);
      g_autofree char *time = format_ms (ms);
      /* TRANSLATORS: a cold pass's time, then its multiple of the
       * steady state: "45.2 ms · ×3.10". */
      g_autofree char *value = g_strdup_printf (_("%s · ×%.2f"), time, ms / run->stats.median);
      g_autofree char *tip = g_strdup_printf (_("%.2f times the steady state"), ms / run->stats.median);

      gtk_list_box_append (self->stages, stage_row (title, NULL, value, tip));
    }
  warm_sub = g_strdup_printf (ngettext ("Median of %u warm pass", "Median of %u warm passes",
                                        run->warm_ms->len),
                              run->warm_ms->len);
  gtk_list_box_append (self->stages, stage_row (_("Steady state"), warm_sub, warm, NULL));
  fill_plan (self, run);
}

static GtkWidget *
ranked_row (const QvizColdLayer *cl)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label;
  g_autofree char *extra = format_ms (cl->extra_ms);
  g_autofree char *cold = format_ms (cl->cold_ms);
  g_autofree char *warm = format_ms (cl->warm_ms);
  g_autofree char *value = NULL;
  g_autofree char *subtitle = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cl->name);
  gtk_widget_set_tooltip_text (row, cl->name);
  /* TRANSLATORS: a layer's time in the cold pass, its warm median, then
   * its kernel: "12.1 ms cold, 2.30 ms warm · qs8 dwconv indirect avx2". */
  subtitle = g_strdup_printf (_("%s cold, %s warm · %s"), cold, warm, cl->kernel);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  value = isnan (cl->share)
    ? g_strdup_printf ("+%s", extra)
    /* TRANSLATORS: a layer's extra time in a cold pass and its share of
     * the pass's whole extra time: "+9.80 ms (41%)". */
    : g_strdup_printf (_("+%s (%.0f%%)"), extra, 100 * cl->share);
  label = gtk_label_new (value);
  gtk_widget_add_css_class (label, "numeric");
  if (cl->beyond_noise)
    gtk_widget_add_css_class (label, "warning");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  return row;
}

static void
fill_pass (QvizColdStartPage *self)
{
  const QvizRun *run = chosen_run (self);
  guint pass = gtk_drop_down_get_selected (self->pass_choice);
  g_autofree char *extra = NULL, *outside = NULL, *summary = NULL;

  g_clear_pointer (&self->pass, qviz_cold_pass_free);
  qviz_window_clear_list_box (self->ranked);
  self->n_ranked = 0;
  if (run != NULL && pass != GTK_INVALID_LIST_POSITION)
    self->pass = qviz_cold_pass_new (run, (int) pass);
  if (self->pass == NULL)
    {
      qviz_flame_view_clear (self->flame);
      gtk_label_set_text (self->extra_summary, "");
      return;
    }

  qviz_flame_view_set_cold_pass (self->flame, run, (int) pass);
  extra = format_ms (self->pass->extra_ms);
  outside = format_ms (self->pass->outside_ms);
  if (self->pass->outside_ms >= 0)
    /* TRANSLATORS: the extra time of a cold pass over the steady state,
     * then the part of it spent outside every layer. */
    summary = g_strdup_printf (_("Cold pass %d took %s more than the steady state; %s of it is outside the layers (thread start-up, allocation, between layers)."),
                               self->pass->pass + 1, extra, outside);
  else
    {
      g_autofree char *layers = format_ms (self->pass->layers_extra_ms);
      g_free (outside);
      outside = format_ms (-self->pass->outside_ms);
      /* TRANSLATORS: when the layers' extra time exceeds the pass's: the
       * pass's extra time, the layers' extra time, then how much less
       * time the cold pass spent outside the layers than a warm one. */
      summary = g_strdup_printf (_("Cold pass %d took %s more than the steady state; its layers took %s more, and it spent %s less outside the layers than a warm pass."),
                                 self->pass->pass + 1, extra, layers, outside);
    }
  gtk_label_set_text (self->extra_summary, summary);
  for (guint i = 0; i < self->pass->layers->len && self->n_ranked < MAX_RANKED; i++)
    {
      const QvizColdLayer *cl = &g_array_index (self->pass->layers, QvizColdLayer, i);
      /* Only the layers that were slower cold explain a slow start. */
      if (!(cl->extra_ms > 0))
        break;
      gtk_list_box_append (self->ranked, ranked_row (cl));
      self->n_ranked++;
    }
}

static void
fill_run (QvizColdStartPage *self)
{
  const QvizRun *run = chosen_run (self);
  g_autoptr (GtkStringList) passes = gtk_string_list_new (NULL);

  for (guint k = 0; run != NULL && k < run->cold_ms->len; k++)
    {
      g_autofree char *text = g_strdup_printf (_("Cold pass %u"), k + 1);
      gtk_string_list_append (passes, text);
    }
  g_signal_handlers_block_by_func (self->pass_choice, fill_pass, self);
  gtk_drop_down_set_model (self->pass_choice, G_LIST_MODEL (passes));
  gtk_drop_down_set_selected (self->pass_choice, 0);
  g_signal_handlers_unblock_by_func (self->pass_choice, fill_pass, self);
  if (run != NULL)
    fill_stages (self, run);
  fill_pass (self);
  gtk_stack_set_visible_child_name (self->stack, self->pass != NULL ? "passes" : "empty");
}

void
qviz_cold_start_page_set_runs (QvizColdStartPage *self,
                               GPtrArray         *runs)
{
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  int worst;
  guint initial = 0;

  g_return_if_fail (QVIZ_IS_COLD_START_PAGE (self));

  if (runs != NULL)
    g_ptr_array_ref (runs);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  self->runs = runs;
  g_array_set_size (self->choices, 0);

  worst = runs != NULL ? qviz_cold_worst_run (runs) : -1;
  for (guint i = 0; runs != NULL && i < runs->len; i++)
    {
      const QvizRun *run = g_ptr_array_index (runs, i);
      g_autofree char *label = NULL;

      /* Runs without a cold pass (or cut short before any warm one) have
       * nothing to show here. */
      if (run == NULL || run->cold_ms->len == 0 || run->warm_ms->len == 0)
        continue;
      if ((int) i == worst)
        initial = self->choices->len;
      g_array_append_val (self->choices, i);
      label = qviz_chart_run_config_label (run);
      gtk_string_list_append (names, label);
    }
  g_signal_handlers_block_by_func (self->run_choice, fill_run, self);
  gtk_drop_down_set_model (self->run_choice, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->run_choice, initial);
  g_signal_handlers_unblock_by_func (self->run_choice, fill_run, self);
  fill_run (self);
}

gboolean
qviz_cold_start_page_select (QvizColdStartPage *self,
                             guint              run,
                             guint              pass)
{
  g_return_val_if_fail (QVIZ_IS_COLD_START_PAGE (self), FALSE);

  for (guint i = 0; i < self->choices->len; i++)
    if (g_array_index (self->choices, guint, i) == run)
      {
        const QvizRun *r = g_ptr_array_index (self->runs, run);
        if (pass >= r->cold_ms->len)
          return FALSE;
        gtk_drop_down_set_selected (self->run_choice, i);
        gtk_drop_down_set_selected (self->pass_choice, pass);
        return TRUE;
      }
  return FALSE;
}

const QvizRun *
qviz_cold_start_page_get_run (QvizColdStartPage *self)
{
  g_return_val_if_fail (QVIZ_IS_COLD_START_PAGE (self), NULL);
  return chosen_run (self);
}

const QvizColdPass *
qviz_cold_start_page_get_pass (QvizColdStartPage *self)
{
  g_return_val_if_fail (QVIZ_IS_COLD_START_PAGE (self), NULL);
  return self->pass;
}

guint
qviz_cold_start_page_get_n_ranked (QvizColdStartPage *self)
{
  g_return_val_if_fail (QVIZ_IS_COLD_START_PAGE (self), 0);
  return self->n_ranked;
}

guint
qviz_cold_start_page_get_n_plan_rows (QvizColdStartPage *self)
{
  guint n = 0;

  g_return_val_if_fail (QVIZ_IS_COLD_START_PAGE (self), 0);
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->plan_layers)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    n++;
  return n;
}

GtkWidget *
qviz_cold_start_page_get_flame (QvizColdStartPage *self)
{
  g_return_val_if_fail (QVIZ_IS_COLD_START_PAGE (self), NULL);
  return GTK_WIDGET (self->flame);
}

GtkWidget *
qviz_cold_start_page_new (void)
{
  return g_object_new (QVIZ_TYPE_COLD_START_PAGE, NULL);
}

static void
qviz_cold_start_page_dispose (GObject *object)
{
  QvizColdStartPage *self = QVIZ_COLD_START_PAGE (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), QVIZ_TYPE_COLD_START_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->pass, qviz_cold_pass_free);
  G_OBJECT_CLASS (qviz_cold_start_page_parent_class)->dispose (object);
}

static void
qviz_cold_start_page_finalize (GObject *object)
{
  QvizColdStartPage *self = QVIZ_COLD_START_PAGE (object);

  g_array_unref (self->choices);
  G_OBJECT_CLASS (qviz_cold_start_page_parent_class)->finalize (object);
}

static void
qviz_cold_start_page_class_init (QvizColdStartPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qviz_cold_start_page_dispose;
  object_class->finalize = qviz_cold_start_page_finalize;

  g_type_ensure (QVIZ_TYPE_FLAME_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/qviz/Qviz/ui/qviz-cold-start-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QvizColdStartPage, run_choice);
  gtk_widget_class_bind_template_child (widget_class, QvizColdStartPage, pass_choice);
  gtk_widget_class_bind_template_child (widget_class, QvizColdStartPage, stack);
  gtk_widget_class_bind_template_child (widget_class, QvizColdStartPage, stages);
  gtk_widget_class_bind_template_child (widget_class, QvizColdStartPage, plan_note);
  gtk_widget_class_bind_template_child (widget_class, QvizColdStartPage, plan_heading);
  gtk_widget_class_bind_template_child (widget_class, QvizColdStartPage, plan_layers);
  gtk_widget_class_bind_template_child (widget_class, QvizColdStartPage, flame);
  gtk_widget_class_bind_template_child (widget_class, QvizColdStartPage, extra_summary);
  gtk_widget_class_bind_template_child (widget_class, QvizColdStartPage, ranked);
  gtk_widget_class_bind_template_callback (widget_class, fill_run);
  gtk_widget_class_bind_template_callback (widget_class, fill_pass);
}

static void
qviz_cold_start_page_init (QvizColdStartPage *self)
{
  self->choices = g_array_new (FALSE, FALSE, sizeof (guint));
  gtk_widget_init_template (GTK_WIDGET (self));
}
