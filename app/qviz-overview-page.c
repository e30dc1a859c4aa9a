/* qviz-overview-page.c: the headline cards and the charts of a sweep. */

#include "qviz-config.h"
#include "qviz-overview-page.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "qviz-chart-adapt.h"
#include "qviz-crossover.h"

struct _QvizOverviewPage
{
  GtkWidget          parent_instance;

  GPtrArray         *runs;     /* QvizRun *, the sweep's (shared) */
  GArray            *configs;  /* QvizWindowConfig of the runs (shared) */

  GtkFlowBox        *cards;
  GtkToggleButton   *log_toggle;
  QvizCurvesView    *curves;
  QvizBreakdownView *breakdown;
};

G_DEFINE_FINAL_TYPE (QvizOverviewPage, qviz_overview_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LOG_SCALE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
fill_cards (QvizOverviewPage *self)
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

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->cards))) != NULL)
    gtk_flow_box_remove (GTK_FLOW_BOX (self->cards), child);
  if (self->runs == NULL || self->runs->len == 0 || self->configs == NULL)
    return;

  for (guint i = 0; i < self->runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (self->runs, i);
      if (fewest == 0 || r->threads < fewest)
        fewest = r->threads;
    }
  /* The largest size at the fewest threads. */
  for (guint i = 0; i < self->configs->len; i++)
    {
      const QvizWindowConfig *c = &g_array_index (self->configs, QvizWindowConfig, i);
      const QvizRun *f = qviz_window_config_run (self->runs, c, "f32"), *q = qviz_window_config_run (self->runs, c, "int8");

      if (c->threads != fewest)
        continue;
      if (largest == NULL || c->height * c->width >= largest->height * largest->width)
        largest = f ? f : q;
    }
  /* int8 speedup at each size, fewest threads. */
  {
    g_autoptr (GArray) sizes = qviz_chart_speedups_from_runs (self->runs, NULL);

    for (guint i = 0; i < sizes->len; i++)
      {
        const QvizChartSpeedup *s = &g_array_index (sizes, QvizChartSpeedup, i);

        best = MAX (best, s->speedup);
        worst = MIN (worst, s->speedup);
        if (speedups->len)
          g_string_append (speedups, " · ");
        /* TRANSLATORS: input size in pixels, int8 speed-up over f32 at that size. */
        g_string_append_printf (speedups, _("%d px: %.2f×"), s->height, s->speedup);
      }
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
          const QvizRun *r = qviz_window_config_run (self->runs, &c, precisions[p]);
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
        const QvizRun *r = qviz_window_config_run (self->runs, &c, "int8");
        const QvizRunLayer *slow = NULL;
        if (r == NULL || r->layers == NULL || r->layers->len == 0)
          r = qviz_window_config_run (self->runs, &c, "f32");
        for (guint l = 0; r && r->layers && l < r->layers->len; l++)
          {
            const QvizRunLayer *layer = qviz_run_get_layer (r, l);
            if (!isnan (layer->stats.median) && (slow == NULL || layer->stats.median > slow->stats.median))
              slow = layer;
          }
        const QvizRun *f32 = qviz_window_config_run (self->runs, &c, "f32"), *int8 = qviz_window_config_run (self->runs, &c, "int8");
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

void
qviz_overview_page_set_runs (QvizOverviewPage *self,
                             GPtrArray        *runs,
                             GArray           *configs)
{
  g_autoptr (GPtrArray) series = NULL;
  g_autoptr (QvizBreakdown) breakdown = NULL;

  g_return_if_fail (QVIZ_IS_OVERVIEW_PAGE (self));

  if (runs != NULL)
    g_ptr_array_ref (runs);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  self->runs = runs;
  if (configs != NULL)
    g_array_ref (configs);
  g_clear_pointer (&self->configs, g_array_unref);
  self->configs = configs;

  series = runs ? qviz_chart_curves_from_runs (runs) : NULL;
  qviz_curves_view_set_series (self->curves, series);
  breakdown = runs && runs->len ? qviz_chart_breakdown_from_runs (runs, 0) : NULL;
  qviz_breakdown_view_set_breakdown (self->breakdown, breakdown);
  /* the bars are of one thread count: the title says which */
  if (runs != NULL && runs->len > 0)
    {
      int threads = qviz_chart_breakdown_threads (runs);
      g_autofree char *title =
        g_strdup_printf (ngettext ("Time by layer class, %d thread",
                                   "Time by layer class, %d threads", threads), threads);
      qviz_breakdown_view_set_title (self->breakdown, title);
    }
  fill_cards (self);
}

gboolean
qviz_overview_page_get_log_scale (QvizOverviewPage *self)
{
  g_return_val_if_fail (QVIZ_IS_OVERVIEW_PAGE (self), FALSE);

  return gtk_toggle_button_get_active (self->log_toggle);
}

void
qviz_overview_page_set_log_scale (QvizOverviewPage *self,
                                  gboolean          log_scale)
{
  g_return_if_fail (QVIZ_IS_OVERVIEW_PAGE (self));

  /* The toggle notifies, and on_log_toggled passes it on. */
  gtk_toggle_button_set_active (self->log_toggle, log_scale);
}

guint
qviz_overview_page_get_n_cards (QvizOverviewPage *self)
{
  guint n = 0;

  g_return_val_if_fail (QVIZ_IS_OVERVIEW_PAGE (self), 0);

  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (self->cards)); w;
       w = gtk_widget_get_next_sibling (w))
    n++;
  return n;
}

QvizCurvesView *
qviz_overview_page_get_curves (QvizOverviewPage *self)
{
  g_return_val_if_fail (QVIZ_IS_OVERVIEW_PAGE (self), NULL);

  return self->curves;
}

QvizBreakdownView *
qviz_overview_page_get_breakdown (QvizOverviewPage *self)
{
  g_return_val_if_fail (QVIZ_IS_OVERVIEW_PAGE (self), NULL);

  return self->breakdown;
}

static void
on_log_toggled (QvizOverviewPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_SCALE]);
}

GtkWidget *
qviz_overview_page_new (void)
{
  return g_object_new (QVIZ_TYPE_OVERVIEW_PAGE, NULL);
}

static void
qviz_overview_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  QvizOverviewPage *self = QVIZ_OVERVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_LOG_SCALE:
      g_value_set_boolean (value, qviz_overview_page_get_log_scale (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_overview_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  QvizOverviewPage *self = QVIZ_OVERVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_LOG_SCALE:
      qviz_overview_page_set_log_scale (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_overview_page_dispose (GObject *object)
{
  QvizOverviewPage *self = QVIZ_OVERVIEW_PAGE (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), QVIZ_TYPE_OVERVIEW_PAGE);
  /* The scrolled window that holds it all has no id for the template. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->configs, g_array_unref);
  G_OBJECT_CLASS (qviz_overview_page_parent_class)->dispose (object);
}

static void
qviz_overview_page_class_init (QvizOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = qviz_overview_page_get_property;
  object_class->set_property = qviz_overview_page_set_property;
  object_class->dispose = qviz_overview_page_dispose;

  properties[PROP_LOG_SCALE] =
    g_param_spec_boolean ("log-scale", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (QVIZ_TYPE_CURVES_VIEW);
  g_type_ensure (QVIZ_TYPE_BREAKDOWN_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/qviz/Qviz/ui/qviz-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QvizOverviewPage, cards);
  gtk_widget_class_bind_template_child (widget_class, QvizOverviewPage, log_toggle);
  gtk_widget_class_bind_template_child (widget_class, QvizOverviewPage, curves);
  gtk_widget_class_bind_template_child (widget_class, QvizOverviewPage, breakdown);
  gtk_widget_class_bind_template_callback (widget_class, on_log_toggled);
}

static void
qviz_overview_page_init (QvizOverviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  qviz_curves_view_set_title (self->curves, _("Latency by input resolution"));
  qviz_breakdown_view_set_title (self->breakdown, _("Time by layer class"));
}
