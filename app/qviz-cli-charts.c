/* qviz-cli-charts.c: charts of stored sweeps, painted with the same code as
 * the window, written to PNG/SVG/PDF without a display. */

#include "qviz-cli-charts.h"

#include "qviz-bars-painter.h"
#include "qviz-breakdown-painter.h"
#include "qviz-chart-adapt.h"
#include "qviz-chart-compare.h"
#include "qviz-compare-bars-painter.h"
#include "qviz-compare-report-painter.h"
#include "qviz-curves-painter.h"
#include "qviz-export.h"
#include "qviz-flame-painter.h"
#include "qviz-graph.h"
#include "qviz-report-painter.h"

#include <math.h>

gboolean
qviz_cli_export_chart (QvizStore *store, const QvizSweep *sweep, const QvizRun *run,
                       const char *chart, const char *path, int width, int height,
                       GError **error)
{
  g_autoptr (QvizSweep) own_sweep = NULL;
  g_autoptr (GPtrArray) runs = NULL;
  const QvizChartStyle *style = qviz_chart_style_get_light ();
  QvizExportFormat format;

  if (!qviz_export_format_from_filename (path, &format))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "%s: the file name must end in .png, .svg or .pdf.", path);
      return FALSE;
    }
  if (sweep == NULL)
    {
      own_sweep = qviz_store_get_sweep (store, run->sweep_uuid, error);
      if (own_sweep == NULL)
        return FALSE;
      sweep = own_sweep;
    }
  runs = qviz_store_list_runs (store, sweep->uuid, TRUE, error);
  if (runs == NULL)
    return FALSE;
  if (runs->len == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "Sweep %.8s has no finished runs to draw.", sweep->uuid);
      return FALSE;
    }

  if (g_str_equal (chart, "curves"))
    {
      g_autoptr (QvizCurvesPainter) p = qviz_curves_painter_new (style);
      g_autoptr (GPtrArray) series = qviz_chart_curves_from_runs (runs);
      g_autofree char *title = g_strdup_printf ("%s: latency vs resolution", sweep->model_name);
      qviz_curves_painter_set_title (p, title);
      for (guint i = 0; i < series->len; i++)
        qviz_curves_painter_add_series (p, g_ptr_array_index (series, i));
      return qviz_export_to_file (path, format, width ? width : 1200, height ? height : 700,
                                  QVIZ_PAINT_FUNC (qviz_curves_painter_paint), p, error);
    }
  if (g_str_equal (chart, "breakdown"))
    {
      g_autoptr (QvizBreakdownPainter) p = qviz_breakdown_painter_new (style);
      g_autoptr (QvizBreakdown) b = qviz_chart_breakdown_from_runs (runs, 0);
      int threads = qviz_chart_breakdown_threads (runs);
      g_autofree char *title = g_strdup_printf ("%s: time by layer class, %d thread%s", sweep->model_name,
                                                threads, threads == 1 ? "" : "s");
      qviz_breakdown_painter_set_title (p, title);
      qviz_breakdown_painter_set_breakdown (p, b);
      return qviz_export_to_file (path, format, width ? width : 1200, height ? height : 700,
                                  QVIZ_PAINT_FUNC (qviz_breakdown_painter_paint), p, error);
    }
  if (g_str_equal (chart, "flame"))
    {
      g_autoptr (QvizFlamePainter) p = qviz_flame_painter_new (style);
      const QvizRun *f, *q;
      int h = run ? run->height : 0, t = run ? run->threads : 0;

      f = qviz_chart_find_run (runs, "f32", h, t);
      q = qviz_chart_find_run (runs, "int8", h, t);
      qviz_flame_painter_set_data (p, qviz_chart_flame_from_runs (f, -1, q, -1));
      if (height == 0)
        height = (int) MAX (qviz_flame_painter_get_preferred_height (p), 400);
      return qviz_export_to_file (path, format, width ? width : 1600, height,
                                  QVIZ_PAINT_FUNC (qviz_flame_painter_paint), p, error);
    }
  if (g_str_equal (chart, "report"))
    {
      g_autoptr (QvizReportPainter) p = qviz_report_painter_new (style);
      g_autoptr (GPtrArray) series = qviz_chart_curves_from_runs (runs);
      g_autoptr (QvizBreakdown) b = qviz_chart_breakdown_from_runs (runs, 0);
      g_autoptr (QvizMachine) machine = qviz_store_get_machine (store, sweep->machine_id, NULL);
      g_autoptr (QvizModelInfo) model = qviz_store_get_model (store, sweep->model_sha256, NULL);
      g_autoptr (QvizReportInfo) info = qviz_chart_report_info (sweep, machine, model);
      g_autoptr (GPtrArray) rows = qviz_chart_layer_rows (qviz_chart_find_run (runs, "f32", 0, 0),
                                                          qviz_chart_find_run (runs, "int8", 0, 0));
      qviz_report_painter_set_info (p, info);
      for (guint i = 0; i < series->len; i++)
        qviz_report_painter_add_series (p, g_ptr_array_index (series, i));
      qviz_report_painter_set_breakdown (p, b);
      qviz_report_painter_set_layers (p, rows);
      return qviz_export_to_file (path, format, width ? width : 1240, height ? height : 1754,
                                  QVIZ_PAINT_FUNC (qviz_report_painter_paint), p, error);
    }
  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
               "Chart '%s' is not known; use curves, flame, breakdown or report.", chart);
  return FALSE;
}

gboolean
qviz_cli_check_chart_path (const char *path, GError **error)
{
  QvizExportFormat format;

  if (qviz_export_format_from_filename (path, &format))
    return TRUE;
  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
               "%s: the file name must end in .png, .svg or .pdf.", path);
  return FALSE;
}

/* What tells the two sides apart in a legend: the machine when they differ,
 * else the kernels' ISA, else nothing beyond "A" and "B". */
static void
short_labels (const QvizRun *a, const QvizRun *b, char **label_a, char **label_b)
{
  if (g_strcmp0 (a->hostname, b->hostname) != 0 && a->hostname && b->hostname)
    {
      *label_a = g_strdup_printf ("A (%s)", a->hostname);
      *label_b = g_strdup_printf ("B (%s)", b->hostname);
    }
  else if (g_strcmp0 (a->isa, b->isa) != 0 && a->isa && b->isa)
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
compare_summary (GPtrArray *comparisons, const QvizRunComparison *pick)
{
  GString *s = g_string_new ("Whole model, B/A: ");
  guint n_changed_kernels = 0;
  g_autofree char *config = qviz_chart_run_config_label (pick->b);

  for (guint i = 0; i < comparisons->len; i++)
    {
      const QvizRunComparison *c = g_ptr_array_index (comparisons, i);
      g_autofree char *label = qviz_chart_run_config_label (c->b);

      g_string_append_printf (s, "%s%s ×%.2f%s", i > 0 ? "; " : "", label, c->ratio,
                              c->significant ? "" : " (within noise)");
    }
  for (guint i = 0; i < pick->layers->len; i++)
    if (g_array_index (pick->layers, QvizLayerDelta, i).kernel_changed)
      n_changed_kernels++;
  g_string_append_printf (s, ".  At %s, %u of %u layers changed beyond noise", config,
                          pick->n_significant, pick->layers->len);
  if (n_changed_kernels > 0)
    g_string_append_printf (s, " and %u ran another kernel", n_changed_kernels);
  g_string_append (s, ".");
  return g_string_free (s, FALSE);
}

gboolean
qviz_cli_export_compare (QvizStore *store, GPtrArray *runs_a, const char *label_a,
                         GPtrArray *runs_b, const char *label_b, GPtrArray *comparisons,
                         const char *chart, const char *path, int width, int height,
                         GError **error)
{
  const QvizChartStyle *style = qviz_chart_style_get_light ();
  const QvizRunComparison *pick;
  g_autofree char *short_a = NULL, *short_b = NULL, *config = NULL;
  QvizExportFormat format;

  if (!qviz_cli_check_chart_path (path, error) ||
      !qviz_export_format_from_filename (path, &format))
    return FALSE;
  if (!g_str_equal (chart, "curves") && !g_str_equal (chart, "flame") &&
      !g_str_equal (chart, "table") && !g_str_equal (chart, "report"))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "Chart '%s' is not known; use curves, flame, table or report.", chart);
      return FALSE;
    }
  pick = qviz_chart_compare_pick (comparisons);
  if (pick == NULL)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "A and B have no configuration (precision, size, threads) in common to draw.");
      return FALSE;
    }
  short_labels (pick->a, pick->b, &short_a, &short_b);
  config = qviz_chart_run_config_label (pick->b);

  if (g_str_equal (chart, "curves"))
    {
      g_autoptr (QvizCurvesPainter) p = qviz_curves_painter_new (style);
      g_autoptr (GPtrArray) series = qviz_chart_curves_from_two_sweeps (runs_a, short_a,
                                                                        runs_b, short_b);
      g_autofree char *title = g_strdup_printf ("%s: latency vs resolution, %s and %s",
                                                pick->b->model_name ? pick->b->model_name : "model",
                                                short_a, short_b);
      qviz_curves_painter_set_title (p, title);
      for (guint i = 0; i < series->len; i++)
        qviz_curves_painter_add_series (p, g_ptr_array_index (series, i));
      return qviz_export_to_file (path, format, width ? width : 1200, height ? height : 700,
                                  QVIZ_PAINT_FUNC (qviz_curves_painter_paint), p, error);
    }
  if (g_str_equal (chart, "flame"))
    {
      g_autoptr (QvizFlamePainter) p = qviz_flame_painter_new (style);

      qviz_flame_painter_set_color_mode (p, QVIZ_FLAME_COLOR_BY_RATIO);
      qviz_flame_painter_set_data (p, qviz_chart_flame_diff (pick->b, pick));
      if (height == 0)
        height = (int) ceil (qviz_flame_painter_get_preferred_height (p));
      return qviz_export_to_file (path, format, width ? width : 1600, height,
                                  QVIZ_PAINT_FUNC (qviz_flame_painter_paint), p, error);
    }
  if (g_str_equal (chart, "table"))
    {
      g_autoptr (QvizCompareBarsPainter) p = qviz_compare_bars_painter_new (style);
      g_autoptr (GPtrArray) rows = qviz_chart_compare_rows (pick);
      g_autofree char *title = g_strdup_printf ("Most changed layers, %s", config);

      qviz_compare_bars_painter_set_title (p, title);
      qviz_compare_bars_painter_set_labels (p, short_a, short_b);
      qviz_compare_bars_painter_set_max_rows (p, 40);
      qviz_compare_bars_painter_set_rows (p, rows);
      if (height == 0)
        height = (int) MAX (qviz_compare_bars_painter_get_preferred_height (p), 240);
      return qviz_export_to_file (path, format, width ? width : 1400, height,
                                  QVIZ_PAINT_FUNC (qviz_compare_bars_painter_paint), p, error);
    }

  {
    g_autoptr (QvizCompareReportPainter) p = qviz_compare_report_painter_new (style);
    g_autoptr (GPtrArray) series = qviz_chart_curves_from_two_sweeps (runs_a, short_a,
                                                                      runs_b, short_b);
    g_autoptr (GPtrArray) rows = qviz_chart_compare_rows (pick);
    g_autoptr (QvizMachine) machine_a = qviz_store_get_machine (store, pick->a->machine_id, NULL);
    g_autoptr (QvizMachine) machine_b = qviz_store_get_machine (store, pick->b->machine_id, NULL);
    g_autoptr (GPtrArray) lines_a = qviz_chart_compare_side_lines (pick->a, machine_a);
    g_autoptr (GPtrArray) lines_b = qviz_chart_compare_side_lines (pick->b, machine_b);
    g_autofree char *title = g_strdup_printf ("%s: %s vs %s",
                                              pick->b->model_name ? pick->b->model_name : "model",
                                              short_a, short_b);
    g_autofree char *head_a = g_strdup_printf ("%s = %s", short_a, label_a);
    g_autofree char *head_b = g_strdup_printf ("%s = %s", short_b, label_b);
    g_autofree char *subtitle = NULL;
    g_autofree char *summary = compare_summary (comparisons, pick);
    g_autofree char *flame_title = g_strdup_printf ("%s against %s, layer by layer: %s",
                                                    short_b, short_a, config);
    g_autofree char *date_a = qviz_time_to_iso8601 (pick->a->started);
    g_autofree char *date_b = qviz_time_to_iso8601 (pick->b->started);

    subtitle = g_strdup_printf ("%u matched configuration%s; A ran %s, B ran %s",
                                comparisons->len, comparisons->len == 1 ? "" : "s", date_a, date_b);
    qviz_compare_report_painter_set_title (p, title, subtitle);
    qviz_compare_report_painter_set_side (p, 0, head_a, lines_a);
    qviz_compare_report_painter_set_side (p, 1, head_b, lines_b);
    qviz_compare_report_painter_set_summary (p, summary);
    qviz_compare_report_painter_set_labels (p, short_a, short_b);
    for (guint i = 0; i < series->len; i++)
      qviz_compare_report_painter_add_series (p, g_ptr_array_index (series, i));
    qviz_compare_report_painter_set_flame (p, flame_title, qviz_chart_flame_diff (pick->b, pick));
    {
      g_autofree char *rows_title = g_strdup_printf ("Most changed layers, %s", config);
      qviz_compare_report_painter_set_rows (p, rows_title, rows);
    }
    return qviz_export_to_file (path, format, width ? width : QVIZ_REPORT_WIDTH,
                                height ? height : QVIZ_REPORT_HEIGHT,
                                QVIZ_PAINT_FUNC (qviz_compare_report_painter_paint), p, error);
  }
}
