/* qviz-report-painter.h: one page with the model and machine, the latency
 * curves, the class breakdown, the slowest layers as bars and as a table. */
#pragma once

#include <cairo.h>

#include "qviz-chart-data.h"
#include "qviz-chart-style.h"

G_BEGIN_DECLS

/* A4 portrait at 150 dpi; PDF pages use the same numbers as points. */
#define QVIZ_REPORT_WIDTH  1240
#define QVIZ_REPORT_HEIGHT 1754

typedef struct _QvizReportPainter QvizReportPainter;

QvizReportPainter *qviz_report_painter_new           (const QvizChartStyle  *style);
void               qviz_report_painter_free          (QvizReportPainter     *self);
void               qviz_report_painter_set_style     (QvizReportPainter     *self,
                                                      const QvizChartStyle  *style);
void               qviz_report_painter_set_info      (QvizReportPainter     *self,
                                                      const QvizReportInfo  *info);
void               qviz_report_painter_add_series    (QvizReportPainter     *self,
                                                      const QvizCurveSeries *series);
void               qviz_report_painter_set_log_y     (QvizReportPainter     *self,
                                                      gboolean               log_y);
void               qviz_report_painter_set_breakdown (QvizReportPainter     *self,
                                                      const QvizBreakdown   *breakdown);
void               qviz_report_painter_set_layers    (QvizReportPainter     *self,
                                                      GPtrArray             *rows);
void               qviz_report_painter_set_top_n     (QvizReportPainter     *self,
                                                      guint                  top_n);
void               qviz_report_painter_paint         (QvizReportPainter     *self,
                                                      cairo_t               *cr,
                                                      double                 width,
                                                      double                 height);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizReportPainter, qviz_report_painter_free)

G_END_DECLS
