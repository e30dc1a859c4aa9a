/* qviz-breakdown-painter.h: time by layer class, stacked, per resolution
 * and precision. */
#pragma once

#include <cairo.h>

#include "qviz-chart-data.h"
#include "qviz-chart-style.h"

G_BEGIN_DECLS

typedef struct _QvizBreakdownPainter QvizBreakdownPainter;

QvizBreakdownPainter *qviz_breakdown_painter_new           (const QvizChartStyle *style);
void                  qviz_breakdown_painter_free          (QvizBreakdownPainter *self);
void                  qviz_breakdown_painter_set_style     (QvizBreakdownPainter *self,
                                                            const QvizChartStyle *style);
void                  qviz_breakdown_painter_set_title     (QvizBreakdownPainter *self,
                                                            const char           *title);
void                  qviz_breakdown_painter_set_breakdown (QvizBreakdownPainter *self,
                                                            const QvizBreakdown  *breakdown);
void                  qviz_breakdown_painter_paint         (QvizBreakdownPainter *self,
                                                            cairo_t              *cr,
                                                            double                width,
                                                            double                height);
gboolean              qviz_breakdown_painter_get_bar_rect  (QvizBreakdownPainter *self,
                                                            guint                 resolution_index,
                                                            guint                 precision_index,
                                                            cairo_rectangle_t    *rect);

/* What a tooltip at (x, y) of the last paint says: the class of the bar
 * segment there, its time and share of the bar, the bar's precision, size
 * and total; NULL outside every segment. */
char                 *qviz_breakdown_painter_describe_at   (QvizBreakdownPainter *self,
                                                            double                x,
                                                            double                y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizBreakdownPainter, qviz_breakdown_painter_free)

G_END_DECLS
