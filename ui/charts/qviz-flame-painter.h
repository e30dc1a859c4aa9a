/* qviz-flame-painter.h: flame chart of one or more passes on a shared time axis.
 *
 * Time runs left to right, nesting top to bottom (pass, modules, layer,
 * kernel phase).  Each pass is a band; the view window (t0, t1) is shared by
 * every band, so the float and int8 passes of one configuration line up.
 * Spans outside the window are culled and runs of spans narrower than a
 * pixel are merged into one rectangle, so tens of thousands of spans paint
 * quickly.
 */
#pragma once

#include <cairo.h>

#include "qviz-chart-data.h"
#include "qviz-chart-style.h"

G_BEGIN_DECLS

typedef struct _QvizFlamePainter QvizFlamePainter;

/* How layer spans are filled.  BY_RATIO draws a differential flame chart:
 * each layer in the diverging B/A colour of its QvizFlameSpan.ratio (see
 * qviz_chart_style_ratio_colour), neutral when flagged
 * QVIZ_SPAN_WITHIN_NOISE, with the scale as legend.  Hatching and outlines
 * of dilated and depthwise spans stay in both modes. */
typedef enum {
  QVIZ_FLAME_COLOR_BY_CLASS,
  QVIZ_FLAME_COLOR_BY_RATIO,
  /* The same colours for a cold pass against the warm passes of its run. */
  QVIZ_FLAME_COLOR_BY_COLD_RATIO,
} QvizFlameColorMode;

QvizFlamePainter *qviz_flame_painter_new           (const QvizChartStyle *style);
void              qviz_flame_painter_free          (QvizFlamePainter     *self);
void              qviz_flame_painter_set_style     (QvizFlamePainter     *self,
                                                    const QvizChartStyle *style);
void              qviz_flame_painter_set_data      (QvizFlamePainter     *self,
                                                    QvizFlameData        *data);
QvizFlameData    *qviz_flame_painter_get_data      (QvizFlamePainter     *self);
void              qviz_flame_painter_set_view      (QvizFlamePainter     *self,
                                                    gint64                t0_ns,
                                                    gint64                t1_ns);
void              qviz_flame_painter_set_highlight (QvizFlamePainter     *self,
                                                    const char           *search);
/* Whether span (an index into the data) matches the highlight text: its
 * path, op or kernel contains it, case aside.  FALSE without a search. */
gboolean          qviz_flame_painter_span_matches  (QvizFlamePainter     *self,
                                                    guint                 span);
void              qviz_flame_painter_set_selected  (QvizFlamePainter     *self,
                                                    int                   span);
void              qviz_flame_painter_set_show_labels (QvizFlamePainter   *self,
                                                      gboolean            show_labels);
void              qviz_flame_painter_set_show_legend (QvizFlamePainter   *self,
                                                      gboolean            show_legend);
void              qviz_flame_painter_set_color_mode (QvizFlamePainter  *self,
                                                     QvizFlameColorMode mode);
QvizFlameColorMode qviz_flame_painter_get_color_mode (QvizFlamePainter *self);
double            qviz_flame_painter_get_preferred_height (QvizFlamePainter *self);

void              qviz_flame_painter_paint         (QvizFlamePainter     *self,
                                                    cairo_t              *cr,
                                                    double                width,
                                                    double                height);
void              qviz_flame_painter_paint_view    (QvizFlamePainter     *self,
                                                    cairo_t              *cr,
                                                    double                width,
                                                    double                height,
                                                    gint64                t0_ns,
                                                    gint64                t1_ns,
                                                    const char           *search,
                                                    int                   selected);

/* Geometry of the last paint. */
int               qviz_flame_painter_hit_test      (QvizFlamePainter     *self,
                                                    double                x,
                                                    double                y);
gboolean          qviz_flame_painter_get_span_rect (QvizFlamePainter     *self,
                                                    guint                 span,
                                                    cairo_rectangle_t    *rect);
double            qviz_flame_painter_time_to_x     (QvizFlamePainter     *self,
                                                    gint64                t_ns);
guint             qviz_flame_painter_get_n_drawn_rects (QvizFlamePainter *self);
/* On each layer, a whisker of its p10..p90 time over the warm passes,
 * from the span's start (see QvizFlameSpan.spread_lo_ns). */
void              qviz_flame_painter_set_show_spread (QvizFlamePainter *self,
                                                      gboolean          show_spread);
gboolean          qviz_flame_painter_get_show_spread (QvizFlamePainter *self);
/* A strip of the whole pass above the axis, the visible window framed. */
void              qviz_flame_painter_set_show_minimap (QvizFlamePainter *self,
                                                       gboolean          show_minimap);
/* A selected time range, shaded, with each band's layers and time in it
 * (see qviz_flame_data_summarize_range); t1 <= t0 for none. */
void              qviz_flame_painter_set_range (QvizFlamePainter *self,
                                                gint64            t0_ns,
                                                gint64            t1_ns);
/* The time under (x, y) when it is in the minimap of the last paint. */
gboolean          qviz_flame_painter_minimap_time (QvizFlamePainter *self,
                                                   double            x,
                                                   double            y,
                                                   gint64           *t_ns);
/* Where the last paint put its legend (empty without one). */
void              qviz_flame_painter_get_legend_rect (QvizFlamePainter  *self,
                                                      cairo_rectangle_t *rect);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizFlamePainter, qviz_flame_painter_free)

G_END_DECLS
