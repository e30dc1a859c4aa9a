/* qviz-chart-private.h: text, legend and page helpers shared by the
 * painters. */
#pragma once

#include <pango/pangocairo.h>

#include "qviz-chart-style.h"

G_BEGIN_DECLS

typedef enum {
  QVIZ_ALIGN_START,
  QVIZ_ALIGN_CENTER,
  QVIZ_ALIGN_END,
} QvizAlign;

PangoLayout *qviz_chart_layout_new (cairo_t              *cr,
                                    const QvizChartStyle *style,
                                    double                scale,
                                    gboolean              bold);
/* A copy of text cut to a length a label can show (with "…"), or NULL
 * when it is short enough already. */
char        *qviz_chart_clip_text  (const char           *text,
                                    gboolean              keep_tail);
void         qviz_chart_text_size  (PangoLayout          *layout,
                                    const char           *text,
                                    double               *width,
                                    double               *height);
void         qviz_chart_draw_text  (cairo_t              *cr,
                                    PangoLayout          *layout,
                                    const char           *text,
                                    double                x,
                                    double                y,
                                    QvizAlign             halign,
                                    QvizAlign             valign,
                                    double                max_width,
                                    const QvizRgba       *colour);

/* Shows layout at the current point in the source colour, as
 * pango_cairo_show_layout does; on a surface being exported to SVG (see
 * qviz_chart_svg_text_begin) it writes each line as a <text> element
 * instead, so that the file keeps its text.  Ellipsized layouts are drawn
 * as outlines, since their shown text is not the layout's. */
void         qviz_chart_show_layout (cairo_t              *cr,
                                     PangoLayout          *layout);
/* Text drawn on surface from now on is kept as SVG <text> elements,
 * returned (and forgotten) by qviz_chart_svg_text_end. */
void         qviz_chart_svg_text_begin (cairo_surface_t   *surface);
char        *qviz_chart_svg_text_end   (cairo_surface_t   *surface);

/* A legend entry: the swatch is drawn by @draw_swatch in (x, y, w, h). */
typedef void (*QvizSwatchFunc) (cairo_t  *cr,
                                double    x,
                                double    y,
                                double    width,
                                double    height,
                                gpointer  user_data);

typedef struct {
  const char     *label;
  QvizSwatchFunc  draw_swatch;
  gpointer        user_data;
} QvizLegendItem;

double       qviz_chart_draw_legend (cairo_t              *cr,
                                     const QvizChartStyle *style,
                                     const QvizLegendItem *items,
                                     guint                 n_items,
                                     double                x,
                                     double                y,
                                     double                max_width,
                                     gboolean              draw);

/* The chart's title, bold, at (x, y) and cut at @max_width; returns the
 * height it takes with the gap below it, 0 when @title is NULL. */
double       qviz_chart_draw_title  (cairo_t              *cr,
                                     const QvizChartStyle *style,
                                     const char           *title,
                                     double                x,
                                     double                y,
                                     double                max_width);
/* What qviz_chart_draw_title returns, without drawing. */
double       qviz_chart_title_height (cairo_t              *cr,
                                      const QvizChartStyle *style,
                                      const char           *title);

/* The tail of a layer's path, which is what tells layers apart. */
const char  *qviz_chart_short_name  (const char           *path);

/* "2 threads" and "2 cores / 4 threads", translated, with the plural the
 * count asks for. */
char        *qviz_chart_threads_text (int                   threads);
char        *qviz_chart_cores_text   (int                   cores,
                                      int                   threads);

/* qviz-chart-page.c: what the painters draw around their content. */
void         qviz_chart_fill_background (cairo_t              *cr,
                                         const QvizChartStyle *style,
                                         double                width,
                                         double                height);

typedef void (*QvizSectionPaintFunc) (gpointer  painter,
                                      cairo_t  *cr,
                                      double    width,
                                      double    height);

void         qviz_chart_paint_section (cairo_t              *cr,
                                       QvizSectionPaintFunc  paint,
                                       gpointer              painter,
                                       double                x,
                                       double                y,
                                       double                width,
                                       double                height);
double       qviz_chart_paint_page_header (cairo_t              *cr,
                                           const QvizChartStyle *style,
                                           const char           *title,
                                           const char           *subtitle,
                                           double                margin,
                                           double                y,
                                           double                width);
double       qviz_chart_paint_columns (cairo_t              *cr,
                                       const QvizChartStyle *style,
                                       const char *const     headings[2],
                                       GPtrArray *const      lines[2],
                                       double                x,
                                       double                y,
                                       double                width);

G_END_DECLS
