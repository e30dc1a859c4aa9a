/* qviz-chart-style.h: colours and patterns shared by every painter.
 *
 * Class colours come from the Okabe-Ito palette, which stays distinct for
 * the common forms of colour blindness; dilated spans are hatched and
 * depthwise spans outlined so that neither relies on colour alone.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "qviz-chart-data.h"

G_BEGIN_DECLS

typedef struct {
  double red, green, blue, alpha;
} QvizRgba;

typedef struct {
  gboolean    dark;
  const char *font_family;
  double      font_size;        /* in device units (px for images, pt for PDF) */

  QvizRgba    background;
  QvizRgba    plot_background;
  QvizRgba    foreground;       /* text */
  QvizRgba    muted;            /* secondary text, tick labels */
  QvizRgba    axis;
  QvizRgba    grid;
  QvizRgba    separator;

  QvizRgba    f32;              /* float32 series and bars */
  QvizRgba    int8;             /* int8 series and bars */
  QvizRgba    crossover;        /* used by nothing else in a chart */
  QvizRgba    slower;           /* int8 slower than float (ratio text) */
  QvizRgba    faster;

  QvizRgba    class_fill[QVIZ_N_LAYER_CLASSES];
  QvizRgba    hatch;            /* stripes over dilated spans */
  QvizRgba    outline;          /* border of depthwise spans */
  QvizRgba    module_fill[2];   /* alternate by depth */
  QvizRgba    pass_fill;
  QvizRgba    band_background;
  QvizRgba    selection;
  QvizRgba    search_match;
} QvizChartStyle;

const QvizChartStyle *qviz_chart_style_get_light (void);
const QvizChartStyle *qviz_chart_style_get_dark  (void);
const QvizChartStyle *qviz_chart_style_get       (gboolean dark);

void             qviz_chart_set_source        (cairo_t        *cr,
                                               const QvizRgba *colour);
QvizRgba         qviz_rgba_mix                (const QvizRgba *a,
                                               const QvizRgba *b,
                                               double          t);
double           qviz_rgba_luminance          (const QvizRgba *colour);
const QvizRgba  *qviz_chart_style_text_on     (const QvizChartStyle *style,
                                               const QvizRgba       *fill);

cairo_pattern_t *qviz_chart_style_create_hatch (const QvizChartStyle *style);
cairo_pattern_t *qviz_chart_style_get_hatch    (const QvizChartStyle *style);
void             qviz_chart_style_fill_layer   (const QvizChartStyle *style,
                                                cairo_t              *cr,
                                                double                x,
                                                double                y,
                                                double                width,
                                                double                height,
                                                QvizLayerClass        layer_class,
                                                QvizSpanFlags         flags,
                                                cairo_pattern_t      *hatch);

G_END_DECLS
