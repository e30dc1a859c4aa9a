/* qviz-chart-private.h: text and legend helpers shared by the painters. */
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

G_END_DECLS
