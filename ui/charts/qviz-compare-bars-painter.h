/* qviz-compare-bars-painter.h: the layers of two runs, time in A against
 * time in B, the ratio B/A and its interval, largest change first.
 *
 * A's bar is a neutral dark grey; B's takes the diverging B/A colour (see
 * qviz_chart_style_ratio_colour).  Rows whose change is within noise are
 * greyed out and say so in words; a change of kernel gets its own line,
 * "kernel: x → y". */
#pragma once

#include <cairo.h>

#include "qviz-chart-data.h"
#include "qviz-chart-style.h"

G_BEGIN_DECLS

typedef struct _QvizCompareBarsPainter QvizCompareBarsPainter;

QvizCompareBarsPainter *qviz_compare_bars_painter_new          (const QvizChartStyle   *style);
void                    qviz_compare_bars_painter_free         (QvizCompareBarsPainter *self);
void                    qviz_compare_bars_painter_set_style    (QvizCompareBarsPainter *self,
                                                                const QvizChartStyle   *style);
void                    qviz_compare_bars_painter_set_title    (QvizCompareBarsPainter *self,
                                                                const char             *title);
/* Names of the two sides in the legend ("A", "B" by default). */
void                    qviz_compare_bars_painter_set_labels   (QvizCompareBarsPainter *self,
                                                                const char             *label_a,
                                                                const char             *label_b);
/* Copies @rows (QvizCompareRow), sorted by absolute change. */
void                    qviz_compare_bars_painter_set_rows     (QvizCompareBarsPainter *self,
                                                                GPtrArray              *rows);
void                    qviz_compare_bars_painter_set_max_rows (QvizCompareBarsPainter *self,
                                                                guint                   max_rows);
guint                   qviz_compare_bars_painter_get_n_shown  (QvizCompareBarsPainter *self);
/* The rows in drawing order (borrowed; QvizCompareRow). */
GPtrArray              *qviz_compare_bars_painter_get_rows     (QvizCompareBarsPainter *self);
/* Height that shows every row up to max_rows at @width. */
double                  qviz_compare_bars_painter_get_preferred_height (QvizCompareBarsPainter *self);
void                    qviz_compare_bars_painter_paint        (QvizCompareBarsPainter *self,
                                                                cairo_t                *cr,
                                                                double                  width,
                                                                double                  height);
/* Rectangle of row @i's B bar in the last paint; FALSE if not drawn. */
gboolean                qviz_compare_bars_painter_get_bar_rect (QvizCompareBarsPainter *self,
                                                                guint                   i,
                                                                gboolean                b_side,
                                                                cairo_rectangle_t      *rect);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizCompareBarsPainter, qviz_compare_bars_painter_free)

G_END_DECLS
