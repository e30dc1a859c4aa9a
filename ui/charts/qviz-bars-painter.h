/* qviz-bars-painter.h: the slowest layers as horizontal bars, float and
 * int8 side by side, with the int8/float ratio. */
#pragma once

#include <cairo.h>

#include "qviz-chart-data.h"
#include "qviz-chart-style.h"

G_BEGIN_DECLS

typedef struct _QvizBarsPainter QvizBarsPainter;

QvizBarsPainter *qviz_bars_painter_new          (const QvizChartStyle *style);
void             qviz_bars_painter_free         (QvizBarsPainter      *self);
void             qviz_bars_painter_set_style    (QvizBarsPainter      *self,
                                                 const QvizChartStyle *style);
void             qviz_bars_painter_set_title    (QvizBarsPainter      *self,
                                                 const char           *title);
void             qviz_bars_painter_set_rows     (QvizBarsPainter      *self,
                                                 GPtrArray            *rows);
void             qviz_bars_painter_set_max_rows (QvizBarsPainter      *self,
                                                 guint                 max_rows);
guint            qviz_bars_painter_get_n_shown  (QvizBarsPainter      *self);
void             qviz_bars_painter_paint        (QvizBarsPainter      *self,
                                                 cairo_t              *cr,
                                                 double                width,
                                                 double                height);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizBarsPainter, qviz_bars_painter_free)

G_END_DECLS
