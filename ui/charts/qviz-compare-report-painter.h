/* qviz-compare-report-painter.h: one page comparing two sweeps: who ran
 * what where, both sweeps' latency curves on one chart, the differential
 * flame chart of one configuration and its most changed layers. */
#pragma once

#include <cairo.h>

#include "qviz-chart-data.h"
#include "qviz-chart-style.h"
#include "qviz-report-painter.h"

G_BEGIN_DECLS

typedef struct _QvizCompareReportPainter QvizCompareReportPainter;

QvizCompareReportPainter *qviz_compare_report_painter_new        (const QvizChartStyle     *style);
void                      qviz_compare_report_painter_free       (QvizCompareReportPainter *self);
void                      qviz_compare_report_painter_set_style  (QvizCompareReportPainter *self,
                                                                  const QvizChartStyle     *style);
void                      qviz_compare_report_painter_set_title  (QvizCompareReportPainter *self,
                                                                  const char               *title,
                                                                  const char               *subtitle);
/* Side 0 is A, 1 is B: a heading and its lines (char *, copied). */
void                      qviz_compare_report_painter_set_side   (QvizCompareReportPainter *self,
                                                                  guint                     side,
                                                                  const char               *heading,
                                                                  GPtrArray                *lines);
/* One or two sentences under the sides: the headline of the comparison. */
void                      qviz_compare_report_painter_set_summary (QvizCompareReportPainter *self,
                                                                   const char               *summary);
/* Series carrying their sweep label (QvizCurveSeries.sweep). */
void                      qviz_compare_report_painter_add_series (QvizCompareReportPainter *self,
                                                                  const QvizCurveSeries    *series);
void                      qviz_compare_report_painter_set_log_y  (QvizCompareReportPainter *self,
                                                                  gboolean                  log_y);
/* Takes ownership of @data, drawn coloured by ratio. */
void                      qviz_compare_report_painter_set_flame  (QvizCompareReportPainter *self,
                                                                  const char               *title,
                                                                  QvizFlameData            *data);
/* QvizCompareRow, copied; the most changed are shown. */
void                      qviz_compare_report_painter_set_rows   (QvizCompareReportPainter *self,
                                                                  const char               *title,
                                                                  GPtrArray                *rows);
void                      qviz_compare_report_painter_set_labels (QvizCompareReportPainter *self,
                                                                  const char               *label_a,
                                                                  const char               *label_b);
void                      qviz_compare_report_painter_paint      (QvizCompareReportPainter *self,
                                                                  cairo_t                  *cr,
                                                                  double                    width,
                                                                  double                    height);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizCompareReportPainter, qviz_compare_report_painter_free)

G_END_DECLS
