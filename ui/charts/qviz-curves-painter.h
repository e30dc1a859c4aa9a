/* qviz-curves-painter.h: latency over input resolution, float vs int8.
 *
 * One line per (precision, thread count), points at the median with p10-p90
 * whiskers.  Where an int8 curve rises above the float curve of the same
 * thread count, the interpolated crossover resolution gets a vertical
 * marker and a label.
 */
#pragma once

#include <cairo.h>

#include "qviz-chart-data.h"
#include "qviz-chart-style.h"

G_BEGIN_DECLS

typedef struct _QvizCurvesPainter QvizCurvesPainter;

QvizCurvesPainter *qviz_curves_painter_new          (const QvizChartStyle  *style);
void               qviz_curves_painter_free         (QvizCurvesPainter     *self);
void               qviz_curves_painter_set_style    (QvizCurvesPainter     *self,
                                                     const QvizChartStyle  *style);
void               qviz_curves_painter_set_title    (QvizCurvesPainter     *self,
                                                     const char            *title);
void               qviz_curves_painter_set_log_y    (QvizCurvesPainter     *self,
                                                     gboolean               log_y);
void               qviz_curves_painter_add_series   (QvizCurvesPainter     *self,
                                                     const QvizCurveSeries *series);
void               qviz_curves_painter_clear        (QvizCurvesPainter     *self);
guint              qviz_curves_painter_get_n_series (QvizCurvesPainter     *self);
gboolean           qviz_curves_painter_get_crossover (QvizCurvesPainter    *self,
                                                      guint                 threads,
                                                      double               *resolution);
void               qviz_curves_painter_paint        (QvizCurvesPainter     *self,
                                                     cairo_t               *cr,
                                                     double                 width,
                                                     double                 height);

/* Geometry of the last paint. */
double             qviz_curves_painter_resolution_to_x (QvizCurvesPainter  *self,
                                                        double              resolution);
double             qviz_curves_painter_ms_to_y      (QvizCurvesPainter     *self,
                                                     double                 ms);
void               qviz_curves_painter_get_plot_area (QvizCurvesPainter    *self,
                                                      cairo_rectangle_t    *area);

/* What a tooltip at (x, y) of the last paint says: the series (precision,
 * threads, sweep) and the value of its point nearest to (x, y) within
 * radius pixels; NULL when no point is that close. */
char              *qviz_curves_painter_describe_at  (QvizCurvesPainter     *self,
                                                     double                 x,
                                                     double                 y,
                                                     double                 radius);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizCurvesPainter, qviz_curves_painter_free)

G_END_DECLS
