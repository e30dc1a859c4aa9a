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

  /* Differential charts (B against A): a diverging blue-orange scale,
   * safe for the common colour blindnesses, centred on ratio 1. */
  QvizRgba    ratio_faster;     /* B at most half of A's time */
  QvizRgba    ratio_even;       /* B as fast as A */
  QvizRgba    ratio_slower;     /* B at least twice A's time */
  QvizRgba    within_noise;     /* change not significant: no hue */
  QvizRgba    unmatched;        /* layer on one side only */
} QvizChartStyle;

/* The diverging scale is logarithmic and clamped at these ratios. */
#define QVIZ_RATIO_SCALE_MIN 0.5
#define QVIZ_RATIO_SCALE_MAX 2.0

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

/* The scale's colour for B/A @ratio (NAN: the unmatched colour). */
QvizRgba         qviz_chart_style_ratio_colour (const QvizChartStyle *style,
                                                double                ratio);
/* A series colour as drawn for the @sweep_slot-th sweep of a comparison:
 * the first as is, later ones lighter (mixed towards the background). */
QvizRgba         qviz_chart_style_sweep_colour (const QvizChartStyle *style,
                                                const QvizRgba       *base,
                                                guint                 sweep_slot);

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
/* The same with a fill of the caller's choosing (hatching for dilated and
 * the outline for depthwise spans stay). */
void             qviz_chart_style_fill_layer_colour (const QvizChartStyle *style,
                                                     cairo_t              *cr,
                                                     double                x,
                                                     double                y,
                                                     double                width,
                                                     double                height,
                                                     const QvizRgba       *fill,
                                                     QvizSpanFlags         flags,
                                                     cairo_pattern_t      *hatch);

G_END_DECLS
