/* test-gui.c: the real window on a real store.
 *
 * A short sweep is recorded with the engine, the window opens on that file,
 * and each page must draw its chart (pixels that are not background) and
 * fill its table; then a sweep started through the window's action must
 * appear in the sidebar, and a cancelled one must leave the earlier sweeps
 * intact in the store.  Last, another machine's database is imported (twice:
 * the second adds nothing), the Machines page lists both machines, and the
 * Compare page draws one against the other.
 */

#include "qviz-config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "qviz-application.h"
#include "qviz-axis.h"
#include "qviz-chart-adapt.h"
#include "qviz-flame-table.h"
#include "qviz-calibrate.h"
#include "qviz-machine.h"
#include "qviz-model.h"
#include "qviz-sweep.h"
#include "qviz-window-private.h"
#include "qviz-compare-page-private.h"
#include "qviz-flame-page-private.h"
#include "gui-harness.h"

static char *tmpdir;
static char *db_path;
static QvizApplication *app;
static QvizWindow *window;

static void calibrate_small (QvizGraph *graph);

static gboolean
window_ready (gpointer data)
{
  return !qviz_window_is_loading (window) && qviz_window_get_n_sweep_rows (window) >= 1;
}

static gboolean
sweep_finished (gpointer data)
{
  return !qviz_window_is_running (window);
}

static gboolean
rows_at_least (gpointer data)
{
  return qviz_window_get_n_sweep_rows (window) >= GPOINTER_TO_UINT (data);
}

static gboolean
sweep_progressing (gpointer data)
{
  return window->sweep_total > 0 && gtk_progress_bar_get_fraction (window->progress_bar) >= 0;
}

static gboolean
compare_finished (gpointer data)
{
  return !qviz_compare_page_is_computing (window->compare);
}

static void
show_page (const char *name)
{
  adw_view_stack_set_visible_child_name (window->pages, name);
  qviz_test_settle (0.3);
}

/* Asks the widget for its tooltip at (x, y) the way GTK does on hover. */
static gboolean
tooltip_shown_at (GtkWidget *widget,
                  double     x,
                  double     y)
{
  g_autoptr (GObject) tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
  gboolean shown = FALSE;

  g_signal_emit_by_name (widget, "query-tooltip", (int) round (x), (int) round (y), FALSE,
                         tooltip, &shown);
  return shown;
}

/* Hovering a point of a latency curve names its series (precision, thread
 * count) and gives its size and median; hovering a segment of a
 * time-by-class bar gives the class, its time and its share of the bar.
 * The expected values come from the runs shown, not from the widget. */
static void
test_chart_tooltips (void)
{
  g_autoptr (GPtrArray) series = NULL;
  g_autoptr (QvizBreakdown) breakdown = NULL;
  guint checked = 0;

  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  show_page ("overview");
  series = qviz_chart_curves_from_runs (window->runs);
  g_assert_cmpuint (series->len, ==, 2);
  for (guint i = 0; i < series->len; i++)
    {
      const QvizCurveSeries *s = g_ptr_array_index (series, i);
      guint n = qviz_curve_series_get_n_points (s);
      const QvizCurvePoint *pt = qviz_curve_series_get_point (s, n - 1);
      g_autofree char *text = NULL, *ms = qviz_format_ms (pt->median_ms);
      g_autofree char *size = g_strdup_printf ("%d×%d", (int) pt->resolution, (int) pt->resolution);
      g_autofree char *threads = g_strdup_printf ("%u thread", s->threads);
      double x, y;

      g_assert_true (qviz_curves_view_get_point_position (qviz_overview_page_get_curves (window->overview), pt->resolution,
                                                          pt->median_ms, &x, &y));
      text = qviz_curves_view_describe_at (qviz_overview_page_get_curves (window->overview), x + 2, y - 2);
      g_test_message ("curve tooltip at (%.0f, %.0f): %s", x, y, text);
      g_assert_nonnull (text);
      g_assert_true (g_str_has_prefix (text, s->precision));
      g_assert_nonnull (strstr (text, threads));
      g_assert_nonnull (strstr (text, size));
      g_assert_nonnull (strstr (text, ms));
      g_assert_true (tooltip_shown_at (GTK_WIDGET (qviz_overview_page_get_curves (window->overview)), x, y));
      checked++;
    }
  g_assert_cmpuint (checked, ==, 2);
  /* Far from every point (the top-left corner, outside the plot): nothing. */
  g_assert_null (qviz_curves_view_describe_at (qviz_overview_page_get_curves (window->overview), 1, 1));
  g_assert_false (tooltip_shown_at (GTK_WIDGET (qviz_overview_page_get_curves (window->overview)), 1, 1));

  breakdown = qviz_chart_breakdown_from_runs (window->runs, 0);
  for (guint p = 0; p < breakdown->n_precisions; p++)
    {
      guint r = breakdown->n_resolutions - 1;
      double total = qviz_breakdown_get_total (breakdown, r, p), below = 0, ms = 0, before = 0;
      QvizLayerClass biggest = 0;
      g_autofree char *text = NULL, *ms_text = NULL, *share = NULL;
      graphene_rect_t bar;
      double y;

      for (guint c = 0; c < QVIZ_N_LAYER_CLASSES; c++)
        {
          double v = qviz_breakdown_get (breakdown, r, p, c);
          if (v > ms)
            ms = v, biggest = c, before = below;
          below += v;
        }
      g_assert_cmpfloat (ms, >, 0);
      g_assert_true (qviz_breakdown_view_get_bar_rect (qviz_overview_page_get_breakdown (window->overview), r, p, &bar));
      /* The middle of the biggest class's segment, stacked from the bottom. */
      y = bar.origin.y + bar.size.height - (before + ms / 2) / total * bar.size.height;
      text = qviz_breakdown_view_describe_at (qviz_overview_page_get_breakdown (window->overview), bar.origin.x + bar.size.width / 2, y);
      g_test_message ("bar tooltip: %s", text);
      ms_text = qviz_format_ms (ms);
      share = g_strdup_printf ("%.0f%%", 100 * ms / total);
      g_assert_nonnull (text);
      g_assert_true (g_str_has_prefix (text, qviz_layer_class_get_label (biggest)));
      g_assert_nonnull (strstr (text, ms_text));
      g_assert_nonnull (strstr (text, share));
      g_assert_nonnull (strstr (text, breakdown->precisions[p]));
      g_assert_true (tooltip_shown_at (GTK_WIDGET (qviz_overview_page_get_breakdown (window->overview)),
                                       bar.origin.x + bar.size.width / 2, y));
    }
  /* Above the tallest bar's top: no segment. */
  g_assert_null (qviz_breakdown_view_describe_at (qviz_overview_page_get_breakdown (window->overview), 1, 1));

  /* The bars are of the fewest threads measured, and the title says so. */
  {
    int fewest = G_MAXINT;
    g_autofree char *says = NULL;

    for (guint i = 0; i < window->runs->len; i++)
      fewest = MIN (fewest, ((const QvizRun *) g_ptr_array_index (window->runs, i))->threads);
    says = g_strdup_printf (", %d thread", fewest);
    g_assert_nonnull (strstr (qviz_breakdown_view_get_title (qviz_overview_page_get_breakdown (window->overview)),
                              says));
  }
}

static void
test_pages (void)
{
  guint total = 0, ink;
  GListModel *rows;
  guint n;
  double prev = INFINITY;

  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  g_assert_cmpuint (qviz_window_get_n_sweep_rows (window), ==, 1);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->content_stack), ==, "pages");

  /* Overview: f32 and int8 curves at one thread, both drawn. */
  show_page ("overview");
  g_assert_cmpuint (qviz_curves_view_get_n_series (qviz_overview_page_get_curves (window->overview)), ==, 2);
  ink = qviz_test_count_ink (GTK_WIDGET (qviz_overview_page_get_curves (window->overview)), &total);
  g_test_message ("curves: %u of %u pixels drawn", ink, total);
  g_assert_cmpuint (ink, >, total / 50);
  g_assert_true (qviz_breakdown_view_has_data (qviz_overview_page_get_breakdown (window->overview)));
  ink = qviz_test_count_ink (GTK_WIDGET (qviz_overview_page_get_breakdown (window->overview)), &total);
  g_assert_cmpuint (ink, >, total / 50);
  g_assert_cmpuint (qviz_overview_page_get_n_cards (window->overview), >, 0);

  /* Flame chart: a float band and an int8 band, drawn. */
  show_page ("flame");
  g_assert_cmpuint (qviz_flame_view_get_n_bands (window->flame_page->flame), ==, 2);
  ink = qviz_test_count_ink (GTK_WIDGET (window->flame_page->flame), &total);
  g_test_message ("flame: %u of %u pixels drawn", ink, total);
  g_assert_cmpuint (ink, >, total / 50);
  /* The cold pass is a choice, and choosing it keeps two bands. */
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (window->flame_page->pass_choice)), ==, 2);
  gtk_drop_down_set_selected (window->flame_page->pass_choice, 1);
  qviz_test_settle (0.2);
  g_assert_cmpuint (qviz_flame_view_get_n_bands (window->flame_page->flame), ==, 2);
  /* Zooming narrows the visible window. */
  {
    gint64 t0, t1, z0, z1;
    qviz_flame_view_get_view (window->flame_page->flame, &t0, &t1);
    g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-in", NULL);
    qviz_flame_view_get_view (window->flame_page->flame, &z0, &z1);
    g_assert_cmpint (z1 - z0, <, t1 - t0);
    g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-reset", NULL);
    qviz_flame_view_get_view (window->flame_page->flame, &z0, &z1);
    g_assert_cmpint (z1 - z0, ==, t1 - t0);
  }

  /* Layers: every layer of the model, sortable by time. */
  show_page ("layers");
  rows = qviz_layer_table_get_model (qviz_layers_page_get_table (window->layers));
  n = g_list_model_get_n_items (rows);
  g_assert_cmpuint (n, >=, 2);
  qviz_layer_table_sort_by (qviz_layers_page_get_table (window->layers), "ratio", GTK_SORT_DESCENDING);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (QvizLayerItem) item = g_list_model_get_item (rows, i);
      double r = qviz_layer_item_get_ratio (item);
      if (!isnan (r))
        {
          g_assert_cmpfloat (r, <=, prev);
          prev = r;
        }
    }
  /* dwsep5x5 has one depthwise layer: the filter keeps it alone (with any
   * other depthwise or dilated layer). */
  qviz_layer_table_set_special_only (qviz_layers_page_get_table (window->layers), TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (rows), >=, 1);
  g_assert_cmpuint (g_list_model_get_n_items (rows), <, n);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr (QvizLayerItem) item = g_list_model_get_item (rows, i);
      g_assert_true (qviz_layer_item_get_special (item));
    }
  qviz_layer_table_set_special_only (qviz_layers_page_get_table (window->layers), FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n);

  /* Compare with one sweep: A and B are the same runs, so both sweeps'
   * curves are drawn and every layer's change is within noise (greyed). */
  show_page ("compare");
  g_assert_true (qviz_test_iterate_until (compare_finished, NULL, 30));
  g_assert_cmpuint (qviz_curves_view_get_n_series (window->compare->curves), ==, 4);
  ink = qviz_test_count_ink (GTK_WIDGET (window->compare->curves), &total);
  g_assert_cmpuint (ink, >, total / 50);
  g_assert_true (qviz_compare_page_has_comparison (window->compare));
  g_assert_cmpint (qviz_flame_view_get_color_mode (window->compare->flame), ==, QVIZ_FLAME_COLOR_BY_RATIO);
  {
    guint n_rows = 0;
    /* The first row is the header. */
    for (GtkListBoxRow *row = gtk_list_box_get_row_at_index (window->compare->delta_list, 1); row;
         row = gtk_list_box_get_row_at_index (window->compare->delta_list, ++n_rows + 1))
      g_assert_true (gtk_widget_has_css_class (gtk_list_box_row_get_child (row), "qviz-within-noise"));
    g_assert_cmpuint (n_rows, >=, 2);
  }

  /* Export writes the chart shown. */
  {
    g_autofree char *png = g_build_filename (tmpdir, "curves.png", NULL);
    g_autoptr (GError) error = NULL;
    show_page ("overview");
    g_assert_true (qviz_curves_view_export (qviz_overview_page_get_curves (window->overview), png, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
    /* The "Saved" toast's Open button opens a path. */
    g_assert_true (g_variant_type_equal (g_action_group_get_action_parameter_type (G_ACTION_GROUP (window),
                                                                                   "open-saved"),
                                         G_VARIANT_TYPE_STRING));
  }
}

/* Cold start: the run whose first pass is the largest multiple of its
 * steady state, its cold pass against the warm passes layer by layer. */
static void
test_cold_start (void)
{
  QvizColdStartPage *page = window->cold_start;
  GtkWidget *flame = qviz_cold_start_page_get_flame (page);
  const QvizColdPass *pass;
  const QvizRun *run;
  guint total = 0, ink, n_slower = 0;
  double multiple;

  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  show_page ("cold-start");
  run = qviz_cold_start_page_get_run (page);
  g_assert_nonnull (run);
  g_assert_cmpuint (run->cold_ms->len, >=, 1);
  multiple = g_array_index (run->cold_ms, double, 0) / run->stats.median;
  for (guint i = 0; i < window->runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (window->runs, i);
      if (r->cold_ms->len > 0 && r->warm_ms->len > 0)
        g_assert_cmpfloat (g_array_index (r->cold_ms, double, 0) / r->stats.median, <=, multiple);
    }

  pass = qviz_cold_start_page_get_pass (page);
  g_assert_nonnull (pass);
  g_assert_cmpint (pass->pass, ==, 0);
  g_assert_cmpfloat (pass->cold_ms, ==, g_array_index (run->cold_ms, double, 0));
  g_assert_cmpfloat (pass->plan_ms, ==, run->plan_ms);
  g_assert_cmpfloat_with_epsilon (pass->extra_ms, pass->cold_ms - run->stats.median, 1e-9);
  g_assert_cmpuint (pass->layers->len, ==, run->layers->len);
  for (guint i = 0; i < pass->layers->len; i++)
    {
      const QvizColdLayer *cl = &g_array_index (pass->layers, QvizColdLayer, i);
      const QvizRunLayer *layer = NULL;

      for (guint j = 0; j < run->layers->len; j++)
        if (qviz_run_get_layer (run, j)->index == cl->layer_index)
          layer = qviz_run_get_layer (run, j);
      g_assert_nonnull (layer);
      g_assert_cmpfloat_with_epsilon (cl->extra_ms,
                                      g_array_index (layer->pass_ms, float, 0) - layer->stats.median, 1e-6);
      if (i > 0)
        g_assert_cmpfloat (cl->extra_ms, <=, g_array_index (pass->layers, QvizColdLayer, i - 1).extra_ms);
      n_slower += cl->extra_ms > 0;
    }
  /* The ranked list holds the layers that were slower cold, at most 12. */
  g_assert_cmpuint (qviz_cold_start_page_get_n_ranked (page), ==, MIN (n_slower, 12));
  /* A range over the whole pass holds every layer that ran in it; Escape
   * (or an empty range) clears it. */
  {
    QvizFlameRangeSummary sum;
    guint n_timed = 0;

    for (guint i = 0; i < run->layers->len; i++)
      n_timed += qviz_run_get_layer (run, i)->pass_ms->len > 0;
    g_assert_false (qviz_flame_view_get_range_summary (QVIZ_FLAME_VIEW (flame), 0, &sum));
    qviz_flame_view_set_range (QVIZ_FLAME_VIEW (flame), 0, G_MAXINT64 / 4);
    g_assert_true (qviz_flame_view_get_range_summary (QVIZ_FLAME_VIEW (flame), 0, &sum));
    g_assert_cmpuint (sum.n_layers, >, 0);
    g_assert_cmpuint (sum.n_layers, <=, n_timed);
    g_assert_cmpfloat (sum.layers_ns / 1e6, <=, pass->cold_ms * 1.001);
    qviz_test_settle (0.1);   /* drawn with the range */
    qviz_flame_view_set_range (QVIZ_FLAME_VIEW (flame), 0, 0);
    g_assert_false (qviz_flame_view_get_range (QVIZ_FLAME_VIEW (flame), NULL, NULL));
    qviz_test_settle (0.1);
  }
  /* The plan layer by layer: the 8 longest, the other layers, the rest. */
  g_assert_false (isnan (qviz_run_get_layer (run, 0)->plan_ms));
  g_assert_cmpuint (qviz_cold_start_page_get_n_plan_rows (page), ==,
                    MIN (run->layers->len, 8) + (run->layers->len > 8) + 1);

  /* One band, coloured by cold/warm ratio, drawn. */
  g_assert_cmpuint (qviz_flame_view_get_n_bands (QVIZ_FLAME_VIEW (flame)), ==, 1);
  g_assert_cmpint (qviz_flame_view_get_color_mode (QVIZ_FLAME_VIEW (flame)), ==, QVIZ_FLAME_COLOR_BY_COLD_RATIO);
  ink = qviz_test_count_ink (flame, &total);
  g_test_message ("cold-start flame: %u of %u pixels drawn", ink, total);
  g_assert_cmpuint (ink, >, total / 50);

  /* A pass that does not exist is refused and changes nothing. */
  g_assert_false (qviz_cold_start_page_select (page, 0, 99));
  g_assert_true (qviz_cold_start_page_get_pass (page) == pass);

  /* Another run: the figures follow. */
  for (guint i = 0; i < window->runs->len; i++)
    {
      const QvizRun *other = g_ptr_array_index (window->runs, i);
      if (other == run)
        continue;
      g_assert_true (qviz_cold_start_page_select (page, i, 0));
      g_assert_true (qviz_cold_start_page_get_run (page) == other);
      g_assert_cmpfloat (qviz_cold_start_page_get_pass (page)->cold_ms, ==,
                         g_array_index (other->cold_ms, double, 0));
      break;
    }

  /* Without runs the page says there is nothing to show. */
  qviz_cold_start_page_set_runs (page, NULL);
  g_assert_null (qviz_cold_start_page_get_run (page));
  g_assert_null (qviz_cold_start_page_get_pass (page));
  g_assert_cmpuint (qviz_flame_view_get_n_bands (QVIZ_FLAME_VIEW (flame)), ==, 0);
  qviz_cold_start_page_set_runs (page, window->runs);
  g_assert_nonnull (qviz_cold_start_page_get_pass (page));
}

static guint
count_layers_matching (const QvizRun *run,
                       const char    *text)
{
  g_autofree char *needle = g_utf8_casefold (text, -1);
  guint n = 0;

  for (guint i = 0; run != NULL && i < run->layers->len; i++)
    {
      const QvizRunLayer *l = qviz_run_get_layer (run, i);
      const char *fields[] = { l->name, l->op, l->kernel };
      gboolean hit = FALSE;

      for (guint f = 0; f < G_N_ELEMENTS (fields) && !hit; f++)
        {
          g_autofree char *folded = fields[f] ? g_utf8_casefold (fields[f], -1) : NULL;
          hit = folded != NULL && strstr (folded, needle) != NULL;
        }
      n += hit;
    }
  return n;
}

/* The int8 layer with the largest value of f (NAN skipped): its name. */
static const char *
argmax_layer (const QvizRun *run,
              double       (*f) (const QvizRunLayer *l))
{
  const char *best = NULL;
  double best_v = -INFINITY;

  for (guint i = 0; i < run->layers->len; i++)
    {
      const QvizRunLayer *l = qviz_run_get_layer (run, i);
      double v = f (l);
      if (!isnan (v) && v > best_v)
        best_v = v, best = l->name;
    }
  return best;
}

static double
cold_multiple (const QvizRunLayer *l)
{
  return l->pass_ms->len > 0 && l->stats.median > 0
         ? g_array_index (l->pass_ms, float, 0) / l->stats.median : NAN;
}

static double
layer_plan_ms (const QvizRunLayer *l)
{
  return l->plan_ms;
}

/* The Layers table's cold-pass and plan columns sort by the run's own
 * figures: the top row is the layer the run says. */
static void
test_layer_table_columns (void)
{
  QvizLayerTable *table = QVIZ_LAYER_TABLE (qviz_layer_table_new ());
  const QvizRun *f32 = NULL, *int8 = NULL;
  const struct { const char *column; double (*f) (const QvizRunLayer *); } checks[] = {
    { "cold-int8", cold_multiple },
    { "plan-int8", layer_plan_ms },
  };

  g_object_ref_sink (table);
  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  for (guint i = 0; i < window->runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (window->runs, i);
      if (g_str_equal (r->precision, "int8") && int8 == NULL)
        int8 = r;
    }
  g_assert_nonnull (int8);
  for (guint i = 0; i < window->runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (window->runs, i);
      if (g_str_equal (r->precision, "f32") && r->height == int8->height && r->threads == int8->threads)
        f32 = r;
    }
  qviz_layer_table_set_runs (table, f32, int8);
  for (guint c = 0; c < G_N_ELEMENTS (checks); c++)
    {
      GListModel *rows = qviz_layer_table_get_model (table);
      g_autoptr (QvizLayerItem) top = NULL;

      qviz_layer_table_sort_by (table, checks[c].column, GTK_SORT_DESCENDING);
      top = g_list_model_get_item (rows, 0);
      g_assert_nonnull (top);
      g_test_message ("%s: top row %s", checks[c].column, qviz_layer_item_get_name (top));
      g_assert_cmpstr (qviz_layer_item_get_name (top), ==, argmax_layer (int8, checks[c].f));
    }
  g_object_unref (table);
}

/* The layer name stays where it is when the table scrolls sideways, goes
 * up and down with the other columns, and sorts the rows like any
 * column. */
static void
test_layer_table_pinned (void)
{
  GtkWidget *win = gtk_window_new ();
  QvizLayerTable *table = QVIZ_LAYER_TABLE (qviz_layer_table_new ());
  g_autoptr (GPtrArray) views = NULL;
  GtkWidget *pinned = NULL, *others = NULL;
  GtkAdjustment *h, *v;
  graphene_rect_t pinned0, pinned1, others0, others1;
  const QvizRun *int8 = NULL;
  g_autoptr (QvizLayerItem) top = NULL;
  int max_index = -1;

  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  for (guint i = 0; i < window->runs->len && int8 == NULL; i++)
    if (g_str_equal (((QvizRun *) g_ptr_array_index (window->runs, i))->precision, "int8"))
      int8 = g_ptr_array_index (window->runs, i);
  g_assert_nonnull (int8);
  gtk_window_set_default_size (GTK_WINDOW (win), 560, 300);
  gtk_window_set_child (GTK_WINDOW (win), GTK_WIDGET (table));
  qviz_layer_table_set_runs (table, NULL, int8);
  gtk_window_present (GTK_WINDOW (win));
  qviz_test_settle (0.5);

  g_assert_cmpstr (qviz_layer_table_get_column_id (table, 0), ==, "layer");
  views = qviz_test_find_widgets (GTK_WIDGET (table), GTK_TYPE_COLUMN_VIEW);
  g_assert_cmpuint (views->len, ==, 2);
  for (guint i = 0; i < views->len; i++)
    {
      GListModel *cols = gtk_column_view_get_columns (g_ptr_array_index (views, i));
      if (g_list_model_get_n_items (cols) == 1)
        pinned = g_ptr_array_index (views, i);
      else
        others = g_ptr_array_index (views, i);
    }
  g_assert_nonnull (pinned);
  g_assert_nonnull (others);
  v = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (pinned));
  g_assert_true (v == gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (others)));
  /* at 560 px the other columns do not fit: there is something to scroll */
  h = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (others));
  g_assert_cmpfloat (gtk_adjustment_get_upper (h), >, gtk_adjustment_get_page_size (h) + 100);
  g_assert_true (gtk_widget_compute_bounds (pinned, GTK_WIDGET (table), &pinned0));
  g_assert_true (gtk_widget_compute_bounds (others, GTK_WIDGET (table), &others0));
  g_assert_cmpfloat (pinned0.size.width, >, 100);
  gtk_adjustment_set_value (h, gtk_adjustment_get_upper (h));
  qviz_test_settle (0.3);
  g_assert_cmpfloat (gtk_adjustment_get_value (h), >, 100);
  g_assert_true (gtk_widget_compute_bounds (pinned, GTK_WIDGET (table), &pinned1));
  g_assert_true (gtk_widget_compute_bounds (others, GTK_WIDGET (table), &others1));
  g_assert_cmpfloat (pinned1.origin.x, ==, pinned0.origin.x);
  g_assert_cmpfloat (pinned1.size.width, ==, pinned0.size.width);
  /* the names stay left of the other columns, which stay in their own place */
  g_assert_cmpfloat (others1.origin.x, >=, pinned1.origin.x + pinned1.size.width);

  /* sorting by the pinned column orders the rows, and another column's
   * sort takes over from it */
  for (guint i = 0; i < int8->layers->len; i++)
    max_index = MAX (max_index, qviz_run_get_layer (int8, i)->index);
  qviz_layer_table_sort_by (table, "layer", GTK_SORT_DESCENDING);
  top = g_list_model_get_item (qviz_layer_table_get_model (table), 0);
  g_assert_cmpint (qviz_layer_item_get_layer_index (top), ==, max_index);
  g_clear_object (&top);
  qviz_layer_table_sort_by (table, "plan-int8", GTK_SORT_DESCENDING);
  top = g_list_model_get_item (qviz_layer_table_get_model (table), 0);
  g_assert_cmpstr (qviz_layer_item_get_name (top), ==, argmax_layer (int8, layer_plan_ms));
  gtk_window_destroy (GTK_WINDOW (win));
}

/* The flame chart's layer table, heaviest first and linked both ways: a
 * row picked zooms the chart to its span, a span picked selects its row. */
static void
test_flame_table (void)
{
  GtkWidget *win = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  QvizFlameView *flame = QVIZ_FLAME_VIEW (qviz_flame_view_new ());
  QvizFlameTable *table = QVIZ_FLAME_TABLE (qviz_flame_table_new ());
  const QvizRun *f32 = NULL, *int8 = NULL;
  guint n, pick;
  gint64 t0, t1, whole0, whole1;
  int layer;

  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  for (guint i = 0; i < window->runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (window->runs, i);
      if (g_str_equal (r->precision, "f32") && f32 == NULL)
        f32 = r;
    }
  g_assert_nonnull (f32);
  for (guint i = 0; i < window->runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (window->runs, i);
      if (g_str_equal (r->precision, "int8") && r->height == f32->height && r->threads == f32->threads)
        int8 = r;
    }
  g_assert_nonnull (int8);

  gtk_widget_set_vexpand (GTK_WIDGET (table), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (flame));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (table));
  gtk_window_set_child (GTK_WINDOW (win), box);
  gtk_window_set_default_size (GTK_WINDOW (win), 1000, 700);
  qviz_flame_table_set_flame (table, flame);
  qviz_flame_view_set_runs (flame, f32, int8, -1);
  gtk_window_present (GTK_WINDOW (win));
  qviz_test_settle (0.3);

  /* One row per layer, heaviest float layer first. */
  n = qviz_flame_table_get_n_rows (table);
  g_assert_cmpuint (n, ==, f32->layers->len);
  for (guint i = 0; i + 1 < n; i++)
    if (!isnan (qviz_flame_table_get_row_ms (table, i + 1, 0)))
      g_assert_cmpfloat (qviz_flame_table_get_row_ms (table, i, 0), >=,
                         qviz_flame_table_get_row_ms (table, i + 1, 0));
  g_assert_cmpuint (qviz_flame_table_get_selected_row (table), ==, GTK_INVALID_LIST_POSITION);

  /* A row picked: its span selected and brought into a view that had
   * been zoomed away from it. */
  qviz_flame_view_get_view (flame, &whole0, &whole1);
  for (int k = 0; k < 4; k++)
    qviz_flame_view_zoom_in (flame);
  qviz_flame_view_get_view (flame, &t0, &t1);
  g_assert_cmpint (t1 - t0, <, whole1 - whole0);
  pick = GTK_INVALID_LIST_POSITION;
  for (guint i = 0; i < n && pick == GTK_INVALID_LIST_POSITION; i++)
    {
      QvizFlameData *data = qviz_flame_view_get_data (flame);
      int l = qviz_flame_table_get_row_layer (table, i);
      const QvizFlameSpan *s = qviz_flame_data_get_span (data, (guint) qviz_flame_data_lookup (data, 0, qviz_run_get_layer (f32, (guint) l)->name));
      if (s->start_ns < t0 || s->end_ns > t1)
        pick = i;
    }
  g_assert_cmpuint (pick, !=, GTK_INVALID_LIST_POSITION);
  layer = qviz_flame_table_get_row_layer (table, pick);
  qviz_flame_table_activate_row (table, pick);
  qviz_test_settle (0.1);
  g_assert_cmpint (qviz_flame_view_get_selected_layer (flame), ==, layer);
  g_assert_cmpuint (qviz_flame_table_get_selected_row (table), ==, pick);
  qviz_flame_view_get_view (flame, &t0, &t1);
  {
    QvizFlameData *data = qviz_flame_view_get_data (flame);
    int span = qviz_flame_data_lookup (data, 0, qviz_run_get_layer (f32, (guint) layer)->name);
    const QvizFlameSpan *s;

    g_assert_cmpint (span, >=, 0);
    s = qviz_flame_data_get_span (data, (guint) span);
    g_assert_cmpint (s->start_ns, >=, t0);
    g_assert_cmpint (s->end_ns, <=, t1);
  }

  /* A span picked in the chart: its row selected. */
  layer = qviz_flame_table_get_row_layer (table, 0);
  g_assert_true (qviz_flame_view_focus_layer (flame, layer));
  qviz_test_settle (0.1);
  g_assert_cmpuint (qviz_flame_table_get_selected_row (table), ==, 0);

  /* New passes: the table follows, nothing selected. */
  qviz_flame_view_set_runs (flame, NULL, int8, -1);
  g_assert_cmpuint (qviz_flame_table_get_n_rows (table), ==, int8->layers->len);
  g_assert_cmpuint (qviz_flame_table_get_selected_row (table), ==, GTK_INVALID_LIST_POSITION);
  gtk_window_destroy (GTK_WINDOW (win));
  qviz_test_settle (0.1);
}

/* Flame search: the count of matching layers, Enter steps through them
 * and wraps round, and a search that finds nothing says so. */
static void
test_flame_search (void)
{
  const QvizRun *f32 = NULL, *int8 = NULL;
  const char *text = "pointwise";
  guint expected, n;
  g_autofree char *first = NULL, *one_of_n = NULL;

  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  show_page ("flame");
  gtk_drop_down_set_selected (window->flame_page->pass_choice, 0);
  qviz_test_settle (0.2);
  f32 = qviz_window_get_report_run (window, "f32");
  int8 = qviz_window_get_report_run (window, "int8");
  /* The report runs are those of the configuration the page shows. */
  g_assert_nonnull (f32);
  g_assert_nonnull (int8);
  {
    const QvizRunLayer *l = qviz_run_get_layer (f32, f32->layers->len - 1);
    text = strrchr (l->name, '/') ? strrchr (l->name, '/') + 1 : l->name;
  }
  expected = count_layers_matching (f32, text) + count_layers_matching (int8, text);
  g_assert_cmpuint (expected, >=, 2);

  gtk_editable_set_text (GTK_EDITABLE (window->flame_page->search), text);
  qviz_test_settle (0.5);
  n = qviz_flame_view_get_n_matches (window->flame_page->flame);
  g_assert_cmpuint (n, ==, expected);
  {
    g_autofree char *label = g_strdup_printf ("%u matches", n);
    g_assert_cmpstr (gtk_label_get_text (window->flame_page->matches), ==, label);
  }
  one_of_n = g_strdup_printf ("1 of %u", n);

  g_signal_emit_by_name (window->flame_page->search, "activate");
  g_assert_cmpstr (gtk_label_get_text (window->flame_page->matches), ==, one_of_n);
  g_assert_cmpint (qviz_flame_view_get_selected_layer (window->flame_page->flame), >=, 0);
  /* the page's layer table follows the chart's selection */
  g_assert_cmpint (qviz_flame_table_get_row_layer (window->flame_page->table,
                                                   qviz_flame_table_get_selected_row (window->flame_page->table)),
                   ==, qviz_flame_view_get_selected_layer (window->flame_page->flame));
  first = g_strdup (gtk_label_get_text (window->flame_page->status));
  g_assert_nonnull (strstr (first, text));
  for (guint i = 1; i < n; i++)
    {
      g_autofree char *label = g_strdup_printf ("%u of %u", i + 1, n);
      g_signal_emit_by_name (window->flame_page->search, "activate");
      g_assert_cmpstr (gtk_label_get_text (window->flame_page->matches), ==, label);
    }
  /* Past the last match, Enter wraps round to the first. */
  g_signal_emit_by_name (window->flame_page->search, "activate");
  g_assert_cmpstr (gtk_label_get_text (window->flame_page->matches), ==, one_of_n);
  g_assert_cmpstr (gtk_label_get_text (window->flame_page->status), ==, first);

  gtk_editable_set_text (GTK_EDITABLE (window->flame_page->search), "no-such-layer-anywhere");
  qviz_test_settle (0.5);
  g_assert_cmpuint (qviz_flame_view_get_n_matches (window->flame_page->flame), ==, 0);
  g_assert_cmpstr (gtk_label_get_text (window->flame_page->matches), ==, "No match");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window->flame_page->matches), "error"));
  g_signal_emit_by_name (window->flame_page->search, "activate");
  g_assert_cmpstr (gtk_label_get_text (window->flame_page->matches), ==, "No match");

  gtk_editable_set_text (GTK_EDITABLE (window->flame_page->search), "");
  qviz_test_settle (0.5);
  g_assert_cmpstr (gtk_label_get_text (window->flame_page->matches), ==, "");
}

static void
set_sweep_settings (const char *resolutions_text,
                    int         iterations)
{
  GSettings *settings = window->settings;
  g_auto (GStrv) parts = g_strsplit (resolutions_text, ",", -1);
  GVariantBuilder b;
  const char *precisions[] = { "f32", "int8", NULL };

  g_variant_builder_init (&b, G_VARIANT_TYPE ("ai"));
  for (guint i = 0; parts[i]; i++)
    g_variant_builder_add (&b, "i", atoi (parts[i]));
  g_settings_set_value (settings, "default-resolutions", g_variant_builder_end (&b));
  g_settings_set_value (settings, "default-threads", g_variant_new_parsed ("[1]"));
  g_settings_set_strv (settings, "default-precisions", precisions);
  g_settings_set_int (settings, "iterations", iterations);
  g_settings_set_int (settings, "cold-passes", 1);
}

static void
test_run_and_cancel (void)
{
  g_autoptr (QvizStore) store = NULL;
  g_autoptr (GPtrArray) sweeps = NULL;
  g_autoptr (GError) error = NULL;
  guint complete = 0, cancelled = 0, loads;

  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  /* Calibrating at the model's default size takes long; a small calibration
   * of the window's model keeps this test fast. */
  g_assert_nonnull (window->graph);
  calibrate_small (window->graph);

  /* A sweep through the window's action appears in the sidebar. */
  set_sweep_settings ("32", 3);
  loads = window->n_detailed_loads;
  g_action_group_activate_action (G_ACTION_GROUP (window), "start-sweep", NULL);
  g_assert_true (qviz_window_is_running (window));
  g_assert_true (qviz_test_iterate_until (sweep_finished, NULL, 120));
  g_assert_true (qviz_test_iterate_until (rows_at_least, GUINT_TO_POINTER (2), 5));
  g_assert_cmpuint (qviz_window_get_n_sweep_rows (window), ==, 2);
  /* The sidebar is refreshed after each of the two runs, yet the shown
   * sweep's layers and spans are not read again: only the new sweep's two
   * runs are read in full, once each. */
  g_assert_cmpuint (window->runs->len, ==, 2);
  g_assert_cmpuint (window->n_detailed_loads - loads, ==, 2);

  /* A long sweep, cancelled once it is under way. */
  set_sweep_settings ("64,96,128", 100000);
  g_action_group_activate_action (G_ACTION_GROUP (window), "start-sweep", NULL);
  g_assert_true (qviz_test_iterate_until (sweep_progressing, NULL, 30));
  qviz_test_settle (0.3);
  /* While it runs, the progress takes no room from the page switcher: at
   * 1200 px the switcher stays in the header, the progress under it. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 900);
  qviz_test_settle (0.5);
  g_assert_true (gtk_widget_get_mapped (window->progress_box));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window->progress_bar)), >, 400);
  g_assert_false (adw_view_switcher_title_get_title_visible (window->switcher_title));
  g_assert_false (adw_view_switcher_bar_get_reveal (window->switcher_bar));
  /* Narrow, the switcher moves to the bottom bar and stays reachable. */
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 700);
  qviz_test_settle (0.5);
  g_assert_true (gtk_widget_get_mapped (window->progress_box));
  g_assert_true (adw_view_switcher_bar_get_reveal (window->switcher_bar));
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  qviz_test_settle (0.3);
  g_action_group_activate_action (G_ACTION_GROUP (window), "cancel", NULL);
  g_assert_true (qviz_test_iterate_until (sweep_finished, NULL, 60));

  /* The earlier sweeps are intact, the cancelled one is marked so. */
  store = qviz_store_open (db_path, QVIZ_STORE_READ_ONLY, &error);
  g_assert_no_error (error);
  sweeps = qviz_store_list_sweeps (store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sweeps->len, ==, 3);
  for (guint i = 0; i < sweeps->len; i++)
    {
      const QvizSweep *s = g_ptr_array_index (sweeps, i);
      if (s->status == QVIZ_SWEEP_COMPLETE)
        {
          complete++;
          /* 2 sizes x 2 precisions, or 1 size x 2 precisions. */
          g_assert_true (s->n_runs == 4 || s->n_runs == 2);
        }
      else if (s->status == QVIZ_SWEEP_CANCELLED)
        cancelled++;
    }
  g_assert_cmpuint (complete, ==, 2);
  g_assert_cmpuint (cancelled, ==, 1);
}

static void
count_store (guint *n_sweeps,
             guint *n_runs,
             guint *n_machines)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = qviz_store_open (db_path, QVIZ_STORE_READ_ONLY, &error);
  g_autoptr (GPtrArray) sweeps = NULL, machines = NULL;

  g_assert_no_error (error);
  sweeps = qviz_store_list_sweeps (store, NULL, NULL, &error);
  g_assert_no_error (error);
  machines = qviz_store_list_machines (store, &error);
  g_assert_no_error (error);
  *n_sweeps = sweeps->len;
  *n_runs = 0;
  for (guint i = 0; i < sweeps->len; i++)
    *n_runs += ((QvizSweep *) g_ptr_array_index (sweeps, i))->n_runs;
  *n_machines = machines->len;
}

/* Measures model without a store, then writes the sweep into the database
 * at path as if another machine ("lab-xeon") had run it. */
static char *
record_elsewhere_n (const char *path,
                    const char *model,
                    guint       iterations)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = qviz_store_open (path, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr (QvizGraph) graph = NULL;
  g_autoptr (QvizSweepConfig) config = qviz_sweep_config_new ();
  g_autoptr (QvizSweep) sweep = NULL;
  g_autoptr (GPtrArray) runs = NULL;
  g_autoptr (QvizMachine) machine = qviz_machine_detect ();
  g_autoptr (QvizModelInfo) info = NULL;

  g_assert_no_error (error);
  graph = qviz_model_load (model, &error);
  g_assert_no_error (error);
  calibrate_small (graph);
  g_assert_true (qviz_parse_resolutions ("32,64", config->resolutions, &error));
  g_array_set_size (config->threads, 0);
  g_assert_true (qviz_parse_threads ("1", config->threads, &error));
  g_array_set_size (config->precisions, 0);
  g_assert_true (qviz_parse_precisions ("f32,int8", config->precisions, &error));
  config->iterations = iterations;
  config->cold = 1;
  g_assert_true (qviz_sweep_execute (graph, NULL, config, NULL, NULL, &sweep, &runs, &error));
  g_assert_no_error (error);

  g_free (machine->hostname);
  machine->hostname = g_strdup ("lab-xeon");
  g_free (machine->cpu_model);
  machine->cpu_model = g_strdup ("Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz");
  qviz_machine_compute_id (machine);
  info = qviz_model_info_from_graph (graph);
  g_assert_true (qviz_store_put_machine (store, machine, &error));
  g_assert_true (qviz_store_put_model (store, info, &error));
  g_free (sweep->machine_id);
  sweep->machine_id = g_strdup (machine->id);
  g_assert_true (qviz_store_sweep_begin (store, sweep, &error));
  for (guint i = 0; i < runs->len; i++)
    {
      QvizRun *run = g_ptr_array_index (runs, i);
      g_free (run->machine_id);
      run->machine_id = g_strdup (machine->id);
      g_assert_true (qviz_store_put_run (store, run, &error));
    }
  g_assert_true (qviz_store_sweep_finish (store, sweep->uuid, QVIZ_SWEEP_COMPLETE, NULL, &error));
  g_assert_no_error (error);
  return g_strdup (sweep->uuid);
}

static char *
record_elsewhere (const char *path,
                  const char *model)
{
  return record_elsewhere_n (path, model, 3);
}

static gboolean
store_idle (gpointer data)
{
  return !qviz_window_is_busy_with_store (window) && !qviz_window_is_loading (window);
}

static gboolean
file_exists (const char *path,
             gsize       min_size)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                  G_FILE_QUERY_INFO_NONE, NULL, NULL);

  return info != NULL && (gsize) g_file_info_get_size (info) >= min_size;
}

static void
test_machines_and_compare (void)
{
  g_autofree char *other = g_build_filename (tmpdir, "other.sqlite", NULL);
  g_autofree char *junk = g_build_filename (tmpdir, "junk.db", NULL);
  g_autofree char *uuid_b = NULL, *uuid_conv = NULL;
  guint sweeps0, runs0, machines0, sweeps1, runs1, machines1, sweeps2, runs2, machines2;
  guint total = 0, ink;

  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  g_assert_false (qviz_window_is_running (window));
  uuid_b = record_elsewhere (other, "dwsep5x5");
  uuid_conv = record_elsewhere (other, "conv5x5s2");
  count_store (&sweeps0, &runs0, &machines0);
  g_assert_cmpuint (machines0, ==, 1);
  show_page ("machines");
  g_assert_cmpuint (qviz_window_get_n_machines (window), ==, 1);

  /* Importing another machine's file adds its machine and both sweeps. */
  qviz_window_import_database (window, other);
  g_assert_true (qviz_window_is_busy_with_store (window));
  g_assert_true (qviz_test_iterate_until (store_idle, NULL, 30));
  count_store (&sweeps1, &runs1, &machines1);
  g_assert_cmpuint (sweeps1, ==, sweeps0 + 2);
  g_assert_cmpuint (runs1, ==, runs0 + 8);
  g_assert_cmpuint (machines1, ==, 2);
  g_assert_cmpuint (qviz_window_get_n_machines (window), ==, 2);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_first_child (GTK_WIDGET (window->machines)))), ==, "list");

  /* The same file again adds nothing; a file that is no database changes
   * nothing either. */
  qviz_window_import_database (window, other);
  g_assert_true (qviz_test_iterate_until (store_idle, NULL, 30));
  g_assert_true (g_file_set_contents (junk, "not a database", -1, NULL));
  qviz_window_import_database (window, junk);
  g_assert_true (qviz_test_iterate_until (store_idle, NULL, 30));
  count_store (&sweeps2, &runs2, &machines2);
  g_assert_cmpuint (sweeps2, ==, sweeps1);
  g_assert_cmpuint (runs2, ==, runs1);
  g_assert_cmpuint (machines2, ==, machines1);

  /* A sweep of another model opens from the Machines page: the window
   * switches model and keeps that sweep once the model has loaded. */
  qviz_window_open_sweep (window, uuid_conv);
  g_assert_cmpstr (window->model_name, ==, "conv5x5s2");
  g_assert_cmpstr (window->sweep_uuid, ==, uuid_conv);
  g_assert_true (qviz_test_iterate_until (store_idle, NULL, 30));
  g_assert_cmpstr (window->sweep_uuid, ==, uuid_conv);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->pages), ==, "overview");

  /* Back to dwsep5x5 on lab-xeon: Compare puts it (B) against the newest
   * sweep of this machine (A) on one chart, and colours B's layers by B/A. */
  qviz_window_open_sweep (window, uuid_b);
  g_assert_true (qviz_test_iterate_until (store_idle, NULL, 30));
  g_assert_cmpstr (window->sweep_uuid, ==, uuid_b);
  show_page ("compare");
  g_assert_true (qviz_test_iterate_until (compare_finished, NULL, 30));
  g_assert_cmpstr (qviz_compare_page_get_uuid_b (window->compare), ==, uuid_b);
  g_assert_cmpstr (qviz_compare_page_get_uuid_a (window->compare), !=, uuid_b);
  g_assert_true (qviz_compare_page_has_comparison (window->compare));
  g_assert_cmpuint (qviz_curves_view_get_n_series (window->compare->curves), ==, 4);
  ink = qviz_test_count_ink (GTK_WIDGET (window->compare->curves), &total);
  g_test_message ("compare curves: %u of %u pixels drawn", ink, total);
  g_assert_cmpuint (ink, >, total / 50);
  g_assert_cmpuint (qviz_flame_view_get_n_bands (window->compare->flame), ==, 1);
  ink = qviz_test_count_ink (GTK_WIDGET (window->compare->flame), &total);
  g_test_message ("differential flame: %u of %u pixels drawn", ink, total);
  g_assert_cmpuint (ink, >, total / 50);
  g_assert_nonnull (gtk_list_box_get_row_at_index (window->compare->delta_list, 2));

  /* The export menu writes the comparison report while Compare shows,
   * and the sweep's report and breakdown otherwise. */
  {
    g_autofree char *cmp_png = g_build_filename (tmpdir, "compare.png", NULL);
    g_autofree char *cmp_csv = g_build_filename (tmpdir, "compare.csv", NULL);
    g_autofree char *report = g_build_filename (tmpdir, "report.pdf", NULL);
    g_autofree char *breakdown = g_build_filename (tmpdir, "breakdown.svg", NULL);
    g_autoptr (GError) error = NULL;

    g_assert_true (qviz_window_export_file (window, "chart", cmp_png, &error));
    g_assert_no_error (error);
    g_assert_true (file_exists (cmp_png, 10000));
    g_assert_true (qviz_window_export_file (window, "csv", cmp_csv, &error));
    g_assert_true (file_exists (cmp_csv, 100));
    show_page ("overview");
    g_assert_true (qviz_window_export_file (window, "report", report, &error));
    g_assert_no_error (error);
    g_assert_true (file_exists (report, 5000));
    g_assert_true (qviz_window_export_file (window, "breakdown", breakdown, &error));
    g_assert_no_error (error);
    g_assert_true (file_exists (breakdown, 1000));
    {
      /* The size chosen is the chart's, with the title and context above
       * it, and the SVG names the model in text. */
      g_autofree char *sized = g_build_filename (tmpdir, "curves-1280.png", NULL);
      g_autofree char *plain = g_build_filename (tmpdir, "curves-plain.png", NULL);
      g_autofree char *contents = NULL;
      QvizExportOptions titled = { 1280, 720, TRUE }, bare = { 1280, 720, FALSE };
      cairo_surface_t *back;

      g_assert_true (qviz_window_export_file_with (window, "chart", sized, &titled, &error));
      g_assert_no_error (error);
      back = cairo_image_surface_create_from_png (sized);
      g_assert_cmpint (cairo_image_surface_get_width (back), ==, 1280);
      g_assert_cmpint (cairo_image_surface_get_height (back), >, 720);
      cairo_surface_destroy (back);
      g_assert_true (qviz_window_export_file_with (window, "chart", plain, &bare, &error));
      back = cairo_image_surface_create_from_png (plain);
      g_assert_cmpint (cairo_image_surface_get_width (back), ==, 1280);
      g_assert_cmpint (cairo_image_surface_get_height (back), ==, 720);
      cairo_surface_destroy (back);
      g_assert_true (g_file_get_contents (breakdown, &contents, NULL, &error));
      g_assert_nonnull (strstr (contents, window->model_name));
      g_assert_nonnull (strstr (contents, "</text>"));
    }
  }

  /* The sweep shown exports to a database of its own. */
  {
    g_autofree char *out = g_build_filename (tmpdir, "exported.sqlite", NULL);
    g_autoptr (QvizStore) store = NULL;
    g_autoptr (GPtrArray) sweeps = NULL;
    g_autoptr (GError) error = NULL;

    qviz_window_export_database (window, out);
    g_assert_true (qviz_test_iterate_until (store_idle, NULL, 30));
    store = qviz_store_open (out, QVIZ_STORE_READ_ONLY, &error);
    g_assert_no_error (error);
    sweeps = qviz_store_list_sweeps (store, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (sweeps->len, ==, 1);
    g_assert_cmpstr (((QvizSweep *) g_ptr_array_index (sweeps, 0))->uuid, ==, uuid_b);
  }
}

/* The rows a chooser's open list offers: its search narrows them. */
static guint
choice_rows (GtkDropDown *dropdown)
{
  GtkWidget *list = qviz_test_find_widget (GTK_WIDGET (dropdown), GTK_TYPE_LIST_VIEW);

  g_assert_nonnull (list);
  return g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list))));
}

typedef struct {
  GtkDropDown *dropdown;
  guint        n_rows;
} ChoiceRows;

static gboolean
choice_has_rows (gpointer data)
{
  ChoiceRows *want = data;

  return choice_rows (want->dropdown) == want->n_rows;
}

/* Types text into the chooser's search entry, as a person would, and
 * gives the entry's delay time to pass; returns the rows then offered. */
static guint
type_in_choice (GtkDropDown *dropdown,
                const char  *text,
                guint        expected)
{
  GtkWidget *entry = qviz_test_find_widget (GTK_WIDGET (dropdown), GTK_TYPE_SEARCH_ENTRY);
  ChoiceRows want = { dropdown, expected };

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  qviz_test_iterate_until (choice_has_rows, &want, 3);
  qviz_test_settle (0.3);
  return choice_rows (dropdown);
}

/* Typing in a Compare chooser keeps the sweeps whose label has every
 * letter typed, anywhere in it: the machine (mid-label, which a match on
 * the label's start would miss), the sweep's name, the model; choosing a
 * row of the narrowed list chooses that sweep. */
static void
test_compare_choice_filter (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "filter.sqlite", NULL);
  g_autofree char *uuid = NULL;
  g_autoptr (GError) error = NULL;
  GtkDropDown *choice;
  GPtrArray *sweeps;
  guint n_host = 0, n_model = 0, position = GTK_INVALID_LIST_POSITION;

  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  g_free (record_elsewhere (path, "dwsep5x5"));
  uuid = record_elsewhere (path, "conv5x5s2");
  qviz_window_import_database (window, path);
  g_assert_true (qviz_test_iterate_until (store_idle, NULL, 30));
  g_assert_true (qviz_window_label_sweep (window, uuid, "Nightly Baseline", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (qviz_test_iterate_until (store_idle, NULL, 30));
  show_page ("compare");
  g_assert_true (qviz_test_iterate_until (compare_finished, NULL, 30));

  choice = window->compare->choice_a;
  sweeps = window->compare->all_sweeps;
  for (guint i = 0; i < sweeps->len; i++)
    {
      const QvizSweep *s = g_ptr_array_index (sweeps, i);
      n_host += g_strcmp0 (s->hostname, "lab-xeon") == 0;
      n_model += g_strcmp0 (s->model_name, "conv5x5s2") == 0;
      if (g_str_equal (s->uuid, uuid))
        position = i;
    }
  g_test_message ("%u sweeps: %u of lab-xeon, %u of conv5x5s2", sweeps->len, n_host, n_model);
  g_assert_cmpuint (position, !=, GTK_INVALID_LIST_POSITION);
  g_assert_cmpuint (n_host, >=, 2);
  g_assert_cmpuint (n_host, <, sweeps->len);
  g_assert_cmpuint (n_model, <, sweeps->len);
  g_assert_cmpuint (choice_rows (choice), ==, sweeps->len);

  g_assert_cmpuint (type_in_choice (choice, "lab-xeon", n_host), ==, n_host);
  g_assert_cmpuint (type_in_choice (choice, "conv5x5s2", n_model), ==, n_model);
  g_assert_cmpuint (type_in_choice (choice, "no such sweep", 0), ==, 0);
  g_assert_cmpuint (type_in_choice (choice, "", sweeps->len), ==, sweeps->len);
  /* Case does not matter, and the name comes first in the label. */
  g_assert_cmpuint (type_in_choice (choice, "nightly base", 1), ==, 1);

  /* The one row left is the named sweep: choosing it makes it A. */
  gtk_widget_activate_action (qviz_test_find_widget (GTK_WIDGET (choice), GTK_TYPE_LIST_VIEW),
                              "list.activate-item", "u", 0);
  qviz_test_settle (0.2);
  g_assert_cmpuint (gtk_drop_down_get_selected (choice), ==, position);
  g_assert_cmpstr (qviz_compare_page_get_uuid_a (window->compare), ==, uuid);
  g_assert_cmpuint (choice_rows (choice), ==, sweeps->len);
  g_assert_true (qviz_test_iterate_until (compare_finished, NULL, 30));
}

static gboolean
count_tick (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

static guint
sweep_position (const char *uuid)
{
  for (guint i = 0; i < window->all_sweeps->len; i++)
    if (g_str_equal (((QvizSweep *) g_ptr_array_index (window->all_sweeps, i))->uuid, uuid))
      return i;
  g_assert_not_reached ();
}

/* A comparison of two long sweeps (150 passes per configuration, bootstrap
 * intervals for every layer) runs in a worker: the choice returns at once,
 * the page shows a spinner, and a periodic source keeps firing on the main
 * loop until the answer is shown. */
static void
test_compare_in_worker (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "long.sqlite", NULL);
  g_autofree char *uuid = NULL;
  guint ticks = 0, ticks_before, source;
  guint position;
  gint64 start;

  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  uuid = record_elsewhere_n (path, "dwsep5x5", 150);
  qviz_window_import_database (window, path);
  g_assert_true (qviz_test_iterate_until (store_idle, NULL, 30));
  show_page ("compare");
  g_assert_true (qviz_test_iterate_until (compare_finished, NULL, 30));

  position = sweep_position (uuid);
  source = g_timeout_add (1, count_tick, &ticks);
  gtk_drop_down_set_selected (window->compare->choice_b, position);
  ticks_before = ticks;
  start = g_get_monotonic_time ();
  gtk_drop_down_set_selected (window->compare->choice_a, position);
  g_assert_true (qviz_compare_page_is_computing (window->compare));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->compare->stack), ==, "computing");
  g_assert_true (qviz_test_iterate_until (compare_finished, NULL, 60));
  g_test_message ("comparison: %.1f ms, the periodic source fired %u times meanwhile",
                  (g_get_monotonic_time () - start) / 1000.0, ticks - ticks_before);
  g_source_remove (source);
  g_assert_cmpuint (ticks - ticks_before, >, 0);
  g_assert_true (qviz_compare_page_has_comparison (window->compare));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->compare->stack), ==, "compare");
  g_assert_cmpstr (qviz_compare_page_get_uuid_a (window->compare), ==, uuid);
  g_assert_cmpstr (qviz_compare_page_get_uuid_b (window->compare), ==, uuid);
  g_assert_nonnull (gtk_list_box_get_row_at_index (window->compare->delta_list, 2));
}

static gboolean
sweep_loaded (gpointer data)
{
  return !qviz_window_is_loading_sweep (window);
}

/* Fires once; says whether the sweep was still being read by then. */
static gboolean
note_idle_while_loading (gpointer data)
{
  *(int *) data = qviz_window_is_loading_sweep (window) ? 1 : 0;
  return G_SOURCE_REMOVE;
}

/* Choosing a long sweep (150 passes per configuration, every layer and span
 * of each) reads its runs in a worker: the pages say "Loading…" with a
 * spinner, the main loop keeps dispatching (an idle callback runs and a
 * periodic source fires before the runs arrive), and then the Overview,
 * Flame chart and Layers pages show that sweep. */
static void
test_sweep_loads_in_worker (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "loading.sqlite", NULL);
  g_autofree char *uuid = NULL;
  guint ticks = 0, source, n_runs = 0;
  int idle_while_loading = -1;
  gint64 start;

  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  uuid = record_elsewhere_n (path, "dwsep5x5", 150);
  qviz_window_import_database (window, path);
  g_assert_true (qviz_test_iterate_until (store_idle, NULL, 30));
  show_page ("overview");
  g_assert_cmpstr (window->sweep_uuid, !=, uuid);

  /* Every 10 ms, so that the idle callback is not starved by it. */
  source = g_timeout_add (10, count_tick, &ticks);
  start = g_get_monotonic_time ();
  /* At the default priority: redrawing the spinner would starve a lower one.
   * Added first, so that it is dispatched before the worker's result even
   * when the worker finishes before the main loop next runs. */
  g_idle_add_full (G_PRIORITY_DEFAULT, note_idle_while_loading, &idle_while_loading, NULL);
  qviz_window_show_sweep (window, uuid);
  g_assert_true (qviz_window_is_loading_sweep (window));
  g_assert_cmpstr (window->sweep_uuid, ==, uuid);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->content_stack), ==, "loading");
  g_assert_true (gtk_spinner_get_spinning (window->loading_spinner));
  g_assert_true (qviz_test_iterate_until (sweep_loaded, NULL, 60));
  g_test_message ("sweep loaded in %.1f ms (noisy: shared machine); the periodic source fired %u times meanwhile",
                  (g_get_monotonic_time () - start) / 1000.0, ticks);
  g_source_remove (source);
  g_assert_cmpint (idle_while_loading, ==, 1);
  g_assert_cmpuint (ticks, >, 0);

  /* The pages show the long sweep: its runs, each with layers and spans. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->content_stack), ==, "pages");
  g_assert_false (gtk_spinner_get_spinning (window->loading_spinner));
  g_assert_nonnull (window->runs);
  for (guint i = 0; i < window->runs->len; i++)
    {
      const QvizRun *run = g_ptr_array_index (window->runs, i);
      g_assert_cmpstr (run->sweep_uuid, ==, uuid);
      g_assert_cmpuint (run->layers->len, >, 0);
      g_assert_nonnull (run->spans);
      g_assert_cmpuint (run->spans->len, >, 0);
      n_runs++;
    }
  g_assert_cmpuint (n_runs, >=, 2);
  g_assert_cmpuint (qviz_curves_view_get_n_series (qviz_overview_page_get_curves (window->overview)), >=, 2);
  show_page ("flame");
  g_assert_cmpuint (qviz_flame_view_get_n_bands (window->flame_page->flame), ==, 2);
  show_page ("layers");
  g_assert_cmpuint (g_list_model_get_n_items (qviz_layer_table_get_model (qviz_layers_page_get_table (window->layers))), >, 0);
  show_page ("overview");
}

/* Run from the build directory, qviz finds the schema compiled beside the
 * build's data files; a copy elsewhere, without it, says what is missing
 * and exits with an error instead of aborting. */
static void
test_uninstalled_schema (void)
{
  const char *app_path = g_getenv ("QVIZ_APP");
  g_autofree char *copy = g_build_filename (tmpdir, "qviz", NULL);
  g_autofree char *out = NULL, *err = NULL, *contents = NULL;
  g_auto (GStrv) env = g_get_environ ();
  g_autoptr (GError) error = NULL;
  const char *argv[] = { NULL, "--help", NULL };
  gsize length;
  int status = 0;

  if (app_path == NULL)
    {
      g_test_skip ("QVIZ_APP does not name the qviz binary");
      return;
    }
  env = g_environ_unsetenv (env, "GSETTINGS_SCHEMA_DIR");
  env = g_environ_setenv (env, "XDG_DATA_DIRS", tmpdir, TRUE);

  argv[0] = app_path;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "MODEL"));

  g_assert_true (g_file_get_contents (app_path, &contents, &length, &error));
  g_assert_true (g_file_set_contents (copy, contents, length, &error));
  g_assert_cmpint (g_chmod (copy, 0755), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  argv[0] = copy;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "org.qviz.Qviz"));
  g_assert_nonnull (strstr (err, "GSETTINGS_SCHEMA_DIR"));
  g_unlink (copy);
}

static char *
normalized_accel (const char *accel)
{
  guint key = 0;
  GdkModifierType mods = 0;

  g_assert_true (gtk_accelerator_parse (accel, &key, &mods));
  return gtk_accelerator_name (key, mods);
}

/* The shortcuts window (a .ui file in the resources) is where the
 * accelerators come from: every action it names has exactly the
 * accelerators it shows, every accelerator the application sets is shown
 * there, and the keys of the main actions are the documented ones. */
static void
test_shortcuts_window (void)
{
  g_autoptr (GtkBuilder) builder = gtk_builder_new_from_resource ("/org/qviz/Qviz/ui/qviz-shortcuts.ui");
  g_autoptr (GSList) objects = gtk_builder_get_objects (builder);
  /* action -> the accelerators its shortcuts show, normalized */
  g_autoptr (GHashTable) named = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_ptr_array_unref);
  g_auto (GStrv) actions = gtk_application_list_action_descriptions (GTK_APPLICATION (app));
  static const char *const documented[][2] = {
    { "win.open", "<Control>o" }, { "win.run", "<Control>r" }, { "win.cancel", "Escape" },
    { "win.export", "<Control>e" }, { "win.search", "<Control>f" },
    { "win.zoom-in", "<Control>equal" }, { "win.zoom-in", "<Control>KP_Add" },
    { "win.show-page::compare", "<Alt>5" }, { "app.quit", "<Control>q" },
  };
  GHashTableIter iter;
  gpointer action, shown;
  guint n_set = 0;

  g_assert_nonnull (gtk_builder_get_object (builder, "window"));
  for (GSList *l = objects; l; l = l->next)
    if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
      {
        g_autofree char *accel = NULL;
        g_autofree char *name = NULL;
        g_auto (GStrv) keys = NULL;
        GPtrArray *list;

        g_object_get (l->data, "accelerator", &accel, "action-name", &name, NULL);
        /* "Left Right" is the flame chart's own keys, not an action's */
        if (name == NULL)
          continue;
        if ((list = g_hash_table_lookup (named, name)) == NULL)
          {
            list = g_ptr_array_new_with_free_func (g_free);
            g_hash_table_insert (named, g_strdup (name), list);
          }
        keys = g_strsplit (accel, " ", -1);
        for (guint i = 0; keys[i] != NULL; i++)
          g_ptr_array_add (list, normalized_accel (keys[i]));
      }
  g_hash_table_iter_init (&iter, named);
  while (g_hash_table_iter_next (&iter, &action, &shown))
    {
      g_auto (GStrv) set = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);
      GPtrArray *list = shown;

      g_assert_cmpuint (g_strv_length (set), ==, list->len);
      for (guint i = 0; set[i] != NULL; i++)
        {
          g_autofree char *b = normalized_accel (set[i]);
          if (!g_ptr_array_find_with_equal_func (list, b, g_str_equal, NULL))
            g_error ("%s has %s, which the shortcuts window does not show", (char *) action, b);
        }
    }
  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto (GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), actions[i]);

      if (accels[0] == NULL)
        continue;
      n_set++;
      if (!g_hash_table_contains (named, actions[i]))
        g_error ("%s (%s) is missing from the shortcuts window", actions[i], accels[0]);
    }
  g_assert_cmpuint (n_set, ==, g_hash_table_size (named));
  for (guint i = 0; i < G_N_ELEMENTS (documented); i++)
    {
      g_auto (GStrv) acts = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), documented[i][1]);
      g_assert_true (g_strv_contains ((const char *const *) acts, documented[i][0]));
    }
  gtk_window_destroy (GTK_WINDOW (gtk_builder_get_object (builder, "window")));
}

/* Alt+1 to Alt+7 name the pages in the order of the switcher: the action
 * each accelerator activates shows that page, from whichever page was
 * shown before. */
static void
test_page_shortcuts (void)
{
  const char *names[] = { "overview", "flame", "layers", "cold-start", "compare", "machines", "accuracy" };

  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *accel = g_strdup_printf ("<Alt>%u", i + 1);
      g_auto (GStrv) actions = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), accel);
      g_autofree char *name = NULL;
      g_autoptr (GVariant) target = NULL;
      g_autoptr (GError) error = NULL;
      const char *before = names[(i + 3) % G_N_ELEMENTS (names)];

      g_assert_cmpuint (g_strv_length (actions), ==, 1);
      g_assert_true (g_action_parse_detailed_name (actions[0], &name, &target, &error));
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (name, "win."));
      show_page (before);
      g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->pages), ==, before);
      g_action_group_activate_action (G_ACTION_GROUP (window), name + strlen ("win."), target);
      qviz_test_settle (0.1);
      g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->pages), ==, names[i]);
      g_assert_true (gtk_widget_get_mapped (adw_view_stack_get_child_by_name (window->pages, names[i])));
    }
  show_page ("overview");
}

/* At 800 px every page fits: the window's minimum width on each page is at
 * most 800, the sidebar folds into an overlay, and the page switcher moves
 * to a bar at the bottom where every page stays reachable. */
static void
test_narrow_window (void)
{
  const char *names[] = { "overview", "flame", "layers", "cold-start", "compare", "machines", "accuracy" };
  int min = 0, nat = 0;

  gtk_window_set_default_size (GTK_WINDOW (window), 800, 700);
  qviz_test_settle (0.5);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      show_page (names[i]);
      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      g_test_message ("%s: minimum width %d px", names[i], min);
      g_assert_cmpint (min, <=, 800);
      g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->pages), ==, names[i]);
    }
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 800);
  g_assert_true (adw_flap_get_folded (window->flap));
  g_assert_true (adw_view_switcher_bar_get_reveal (window->switcher_bar));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window->switcher_bar)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window->switcher_bar)), >, 400);

  /* Wide again: the switcher is back in the header and the sidebar beside
   * the pages. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  qviz_test_settle (0.5);
  g_assert_false (adw_flap_get_folded (window->flap));
  g_assert_false (adw_view_switcher_bar_get_reveal (window->switcher_bar));
  adw_flap_set_reveal_flap (window->flap, TRUE);
  show_page ("overview");
}

/* A database with values no qviz wrote (NaN and negative per-pass times,
 * huge and NULL statistics, megabyte names, unknown statuses, empty runs):
 * the window opens it and shows every page without crashing. */
static void
test_odd_values (void)
{
  static const char *const cases[] = {
    "UPDATE layers SET samples = x'0000c07f000080bf0000807f00000000'",
    "UPDATE runs SET median_ms = 1e300, p10_ms = -1, p90_ms = 1e999;"
    "UPDATE samples SET ms = -1; UPDATE spans SET start_ns = 100, end_ns = -100",
    "UPDATE runs SET median_ms = NULL, p10_ms = NULL, p90_ms = NULL, plan_ms = NULL;"
    "UPDATE layers SET median_ms = NULL, samples = NULL",
    "DELETE FROM layers; DELETE FROM spans; DELETE FROM samples",
    "UPDATE layers SET name = printf ('%.1000000c', 'x'), kernel = printf ('%.100000c', 'k');"
    "UPDATE machines SET hostname = printf ('%.100000c', 'h')",
    "UPDATE runs SET height = 0, width = -3, threads = 0",
  };
  static const char *const pages[] = { "overview", "flame", "layers", "cold-start", "compare", "machines", "accuracy" };
  g_autofree char *good = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (db_path, &good, &len, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/odd%u.sqlite", tmpdir, i);
      QvizWindow *saved = window;
      gint64 t0;
      sqlite3 *db = NULL;
      char *msg = NULL;

      g_test_message ("%s", cases[i]);
      g_assert_true (g_file_set_contents (path, good, (gssize) len, NULL));
      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      if (sqlite3_exec (db, cases[i], NULL, NULL, &msg) != SQLITE_OK)
        g_error ("%s", msg);
      sqlite3_close (db);

      window = qviz_window_new (app, path, "dwsep5x5");
      gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
      gtk_window_present (GTK_WINDOW (window));
      t0 = g_get_monotonic_time ();
      if (!qviz_test_iterate_until (window_ready, NULL, 30))
        g_error ("odd database %u: loading %d, %u sweep rows", i,
                 qviz_window_is_loading (window), qviz_window_get_n_sweep_rows (window));
      for (guint k = 0; k < G_N_ELEMENTS (pages); k++)
        show_page (pages[k]);
      g_test_message ("opened and shown in %.1f s", (g_get_monotonic_time () - t0) / 1e6);
      gtk_window_destroy (GTK_WINDOW (window));
      window = saved;
      qviz_test_settle (0.1);
    }
}

static guint
visible_sweep_rows (void)
{
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (window->sweep_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && gtk_widget_get_child_visible (row))
      n++;
  return n;
}

/* The sidebar's filter keeps the rows that have every word: a sweep's id
 * finds that sweep alone, a word no row has finds none, and clearing it
 * brings every row back. */
static void
test_sweep_filter (void)
{
  guint all;
  const QvizSweep *first;

  g_assert_true (qviz_test_iterate_until (window_ready, NULL, 30));
  all = visible_sweep_rows ();
  g_assert_cmpuint (all, ==, window->sweeps->len);
  g_assert_cmpuint (all, >=, 1);
  first = g_ptr_array_index (window->sweeps, all - 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-sweeps", NULL));
  gtk_editable_set_text (GTK_EDITABLE (window->sweep_filter), first->uuid);
  qviz_test_settle (0.4);   /* the search entry waits a moment */
  g_assert_cmpuint (visible_sweep_rows (), ==, 1);
  g_assert_true (qviz_window_sweep_matches (first, first->uuid));
  gtk_editable_set_text (GTK_EDITABLE (window->sweep_filter), "no-such-word-anywhere");
  qviz_test_settle (0.4);
  g_assert_cmpuint (visible_sweep_rows (), ==, 0);
  gtk_editable_set_text (GTK_EDITABLE (window->sweep_filter), "");
  qviz_test_settle (0.4);
  g_assert_cmpuint (visible_sweep_rows (), ==, all);

  /* A name given to the sweep shown is kept in the store, shown in its
   * row, and found by the filter. */
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *uuid = g_strdup (window->sweep_uuid);
    g_autoptr (QvizSweep) stored = NULL;

    g_assert_true (qviz_window_label_sweep (window, uuid, "zebra-baseline", "the note", &error));
    g_assert_no_error (error);
    stored = qviz_store_get_sweep (window->store, uuid, &error);
    g_assert_cmpstr (stored->name, ==, "zebra-baseline");
    gtk_editable_set_text (GTK_EDITABLE (window->sweep_filter), "zebra");
    qviz_test_settle (0.4);
    g_assert_cmpuint (visible_sweep_rows (), ==, 1);
    g_assert_false (qviz_window_label_sweep (window, uuid, "a\nb", NULL, &error));
    g_assert_nonnull (error);
    gtk_editable_set_text (GTK_EDITABLE (window->sweep_filter), "");
    qviz_test_settle (0.4);
  }
}

static gboolean
other_window_open (gpointer data)
{
  GtkWindow *bad = data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  for (GList *l = windows; l != NULL; l = l->next)
    if (l->data != bad && l->data != (gpointer) window && QVIZ_IS_WINDOW (l->data))
      return TRUE;
  return FALSE;
}

/* A file that is not a run store: the window says so in the store's
 * sentence (the file named), offers another database, and opening a good
 * one brings a window on it; the bad file is left as it was. */
static void
test_store_error_page (void)
{
  g_autofree char *bad_path = g_build_filename (tmpdir, "not-a-store.sqlite", NULL);
  g_autofree char *before = NULL, *after = NULL;
  QvizWindow *bad;
  GtkWidget *page;
  const char *text;
  GList *windows;

  g_assert_true (g_file_set_contents (bad_path, "these are not the runs you are looking for\n", -1, NULL));
  g_assert_true (g_file_get_contents (bad_path, &before, NULL, NULL));
  bad = qviz_window_new (app, bad_path, "dwsep5x5");
  gtk_window_present (GTK_WINDOW (bad));
  qviz_test_settle (0.3);
  g_assert_null (bad->store);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (bad->content_stack), ==, "no-store");
  page = gtk_stack_get_child_by_name (bad->content_stack, "no-store");
  text = adw_status_page_get_description (ADW_STATUS_PAGE (page));
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "not-a-store.sqlite"));
  g_assert_true (gtk_widget_get_visible (bad->store_error_default));
  /* Pages asked for stay behind it: nothing could be shown or kept. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bad), "win.show-page", "s", "layers"));
  qviz_test_settle (0.1);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (bad->content_stack), ==, "no-store");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bad), "win.open-database-path", "s", db_path));
  g_assert_true (qviz_test_iterate_until (other_window_open, bad, 30));
  windows = gtk_application_get_windows (GTK_APPLICATION (app));
  for (GList *l = windows; l != NULL; l = l->next)
    if (l->data != (gpointer) bad && l->data != (gpointer) window && QVIZ_IS_WINDOW (l->data))
      {
        QvizWindow *good = l->data;
        g_assert_nonnull (good->store);
        gtk_window_destroy (GTK_WINDOW (good));
        break;
      }
  g_assert_true (g_file_get_contents (bad_path, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
  qviz_test_settle (0.1);
}

static void
calibrate_small (QvizGraph *graph)
{
  QvizCalibrationConfig cc;
  g_autoptr (GError) error = NULL;

  qviz_calibration_config_init (&cc);
  cc.n_inputs = 2;
  cc.height = cc.width = 32;
  g_assert_true (qviz_calibrate (graph, &cc, &error));
  g_assert_no_error (error);
}

static void
record_sweep (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = qviz_store_open (db_path, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr (QvizGraph) graph = NULL;
  g_autoptr (QvizSweepConfig) config = qviz_sweep_config_new ();

  g_assert_no_error (error);
  graph = qviz_model_load ("dwsep5x5", &error);
  g_assert_no_error (error);
  calibrate_small (graph);
  g_assert_true (qviz_parse_resolutions ("32,64", config->resolutions, &error));
  g_array_set_size (config->threads, 0);
  g_assert_true (qviz_parse_threads ("1", config->threads, &error));
  g_array_set_size (config->precisions, 0);
  g_assert_true (qviz_parse_precisions ("f32,int8", config->precisions, &error));
  config->iterations = 3;
  config->cold = 1;
  g_assert_true (qviz_sweep_execute (graph, store, config, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!qviz_test_init_gui (&argc, &argv))
    {
      g_test_skip ("no display");
      return g_test_run ();
    }

  tmpdir = g_dir_make_tmp ("qviz-gui-XXXXXX", NULL);
  db_path = g_build_filename (tmpdir, "runs.sqlite", NULL);
  record_sweep ();

  app = qviz_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  window = qviz_window_new (app, db_path, "dwsep5x5");
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));

  g_test_add_func ("/gui/pages", test_pages);
  g_test_add_func ("/gui/chart-tooltips", test_chart_tooltips);
  g_test_add_func ("/gui/cold-start", test_cold_start);
  g_test_add_func ("/gui/flame-search", test_flame_search);
  g_test_add_func ("/gui/flame-table", test_flame_table);
  g_test_add_func ("/gui/layer-table-columns", test_layer_table_columns);
  g_test_add_func ("/gui/layer-table-pinned", test_layer_table_pinned);
  g_test_add_func ("/gui/store-error-page", test_store_error_page);
  g_test_add_func ("/gui/sweep-filter", test_sweep_filter);
  g_test_add_func ("/gui/narrow-window", test_narrow_window);
  g_test_add_func ("/gui/run-and-cancel", test_run_and_cancel);
  g_test_add_func ("/gui/machines-and-compare", test_machines_and_compare);
  g_test_add_func ("/gui/compare-in-worker", test_compare_in_worker);
  g_test_add_func ("/gui/compare-choice-filter", test_compare_choice_filter);
  g_test_add_func ("/gui/sweep-loads-in-worker", test_sweep_loads_in_worker);
  g_test_add_func ("/gui/uninstalled-schema", test_uninstalled_schema);
  g_test_add_func ("/gui/shortcuts-window", test_shortcuts_window);
  g_test_add_func ("/gui/page-shortcuts", test_page_shortcuts);
  g_test_add_func ("/gui/odd-values", test_odd_values);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  qviz_test_remove_dir (tmpdir);
  return status;
}
