/* qviz-cli-charts.c: charts of stored sweeps, painted with the same code as
 * the window, written to PNG/SVG/PDF without a display. */

#include "qviz-cli-charts.h"

#include "qviz-bars-painter.h"
#include "qviz-breakdown-painter.h"
#include "qviz-chart-adapt.h"
#include "qviz-curves-painter.h"
#include "qviz-export.h"
#include "qviz-flame-painter.h"
#include "qviz-graph.h"
#include "qviz-report-painter.h"

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
      g_autofree char *title = g_strdup_printf ("%s: time by layer class", sweep->model_name);
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
