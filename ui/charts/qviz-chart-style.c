/* qviz-chart-style.c: light and dark palettes, hatching and layer fills. */
#include "qviz-chart-style.h"

#include <math.h>

#define RGB(hex) { ((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, ((hex) & 0xff) / 255.0, 1.0 }
#define RGBA(hex, a) { ((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, ((hex) & 0xff) / 255.0, (a) }

/* Okabe-Ito: orange, sky blue, bluish green, yellow; grey for the rest. */
static const QvizChartStyle light_style = {
  .dark = FALSE,
  .font_family = "Sans",
  .font_size = 12,
  .background = RGB (0xffffff),
  .plot_background = RGB (0xfafafb),
  .foreground = RGB (0x1e1e24),
  .muted = RGB (0x5e5c64),
  .axis = RGB (0x77767b),
  .grid = RGB (0xe4e4e8),
  .separator = RGB (0xd0d0d6),
  .f32 = RGB (0x0072b2),
  .int8 = RGB (0xd55e00),
  .crossover = RGB (0xcc79a7),
  .slower = RGB (0xb34700),
  .faster = RGB (0x007a5a),
  .class_fill = {
    [QVIZ_LAYER_CLASS_DILATED_DEPTHWISE] = RGB (0xe69f00),
    [QVIZ_LAYER_CLASS_DEPTHWISE] = RGB (0x56b4e9),
    [QVIZ_LAYER_CLASS_POINTWISE] = RGB (0x009e73),
    [QVIZ_LAYER_CLASS_CONV] = RGB (0xf0e442),
    [QVIZ_LAYER_CLASS_ATTENTION] = RGB (0xe07b91),
    [QVIZ_LAYER_CLASS_NORMALIZATION] = RGB (0x8e7cc3),
    [QVIZ_LAYER_CLASS_DATA_MOVEMENT] = RGB (0xd9c7a7),
    [QVIZ_LAYER_CLASS_OTHER] = RGB (0xb4b4bc),
  },
  .hatch = RGBA (0x000000, 0.55),
  .outline = RGB (0x1e1e24),
  .module_fill = { RGB (0xdfe1e8), RGB (0xd1d4dd) },
  .pass_fill = RGB (0xbcc1cf),
  .band_background = RGB (0xf6f6f8),
  .selection = RGB (0x000000),
  .search_match = RGB (0x1e1e24),
  .ratio_faster = RGB (0x2166ac),
  .ratio_even = RGB (0xf2f0ec),
  .ratio_slower = RGB (0xc8500a),
  .within_noise = RGB (0xb8b8bd),
  .unmatched = RGB (0xffffff),
};

static const QvizChartStyle dark_style = {
  .dark = TRUE,
  .font_family = "Sans",
  .font_size = 12,
  .background = RGB (0x1e1e22),
  .plot_background = RGB (0x242429),
  .foreground = RGB (0xededf0),
  .muted = RGB (0xa8a8b0),
  .axis = RGB (0x8a8a92),
  .grid = RGB (0x36363d),
  .separator = RGB (0x45454d),
  .f32 = RGB (0x56b4e9),
  .int8 = RGB (0xf07f3c),
  .crossover = RGB (0xe78ac3),
  .slower = RGB (0xff9a5c),
  .faster = RGB (0x4cc9a0),
  .class_fill = {
    [QVIZ_LAYER_CLASS_DILATED_DEPTHWISE] = RGB (0xe69f00),
    [QVIZ_LAYER_CLASS_DEPTHWISE] = RGB (0x56b4e9),
    [QVIZ_LAYER_CLASS_POINTWISE] = RGB (0x009e73),
    [QVIZ_LAYER_CLASS_CONV] = RGB (0xf0e442),
    [QVIZ_LAYER_CLASS_ATTENTION] = RGB (0xf28ca0),
    [QVIZ_LAYER_CLASS_NORMALIZATION] = RGB (0xa995e0),
    [QVIZ_LAYER_CLASS_DATA_MOVEMENT] = RGB (0xa89878),
    [QVIZ_LAYER_CLASS_OTHER] = RGB (0x8c8c96),
  },
  .hatch = RGBA (0x000000, 0.6),
  .outline = RGB (0xf4f4f6),
  .module_fill = { RGB (0x3a3c45), RGB (0x454852) },
  .pass_fill = RGB (0x555966),
  .band_background = RGB (0x26262c),
  .selection = RGB (0xffffff),
  .search_match = RGB (0xffffff),
  .ratio_faster = RGB (0x4a9bd6),
  .ratio_even = RGB (0x3c3c42),
  .ratio_slower = RGB (0xf08a3c),
  .within_noise = RGB (0x6c6c74),
  .unmatched = RGB (0x1e1e22),
};

const QvizChartStyle *
qviz_chart_style_get_light (void)
{
  return &light_style;
}

const QvizChartStyle *
qviz_chart_style_get_dark (void)
{
  return &dark_style;
}

const QvizChartStyle *
qviz_chart_style_get (gboolean dark)
{
  return dark ? &dark_style : &light_style;
}

void
qviz_chart_set_source (cairo_t        *cr,
                       const QvizRgba *colour)
{
  g_return_if_fail (cr != NULL);
  g_return_if_fail (colour != NULL);
  cairo_set_source_rgba (cr, colour->red, colour->green, colour->blue, colour->alpha);
}

QvizRgba
qviz_rgba_mix (const QvizRgba *a,
               const QvizRgba *b,
               double          t)
{
  QvizRgba r = {
    a->red + (b->red - a->red) * t,
    a->green + (b->green - a->green) * t,
    a->blue + (b->blue - a->blue) * t,
    a->alpha + (b->alpha - a->alpha) * t,
  };
  return r;
}

double
qviz_rgba_luminance (const QvizRgba *c)
{
  return 0.2126 * c->red + 0.7152 * c->green + 0.0722 * c->blue;
}

/* Dark text on light fills and the reverse, whatever the theme. */
const QvizRgba *
qviz_chart_style_text_on (const QvizChartStyle *style,
                          const QvizRgba       *fill)
{
  static const QvizRgba black = RGB (0x1a1a1e);
  static const QvizRgba white = RGB (0xffffff);

  return qviz_rgba_luminance (fill) > 0.45 ? &black : &white;
}

/* Linear in log2 (ratio), so that 0.5x and 2x sit at the same distance
 * from the centre. */
QvizRgba
qviz_chart_style_ratio_colour (const QvizChartStyle *style,
                               double                ratio)
{
  double t;

  g_return_val_if_fail (style != NULL, (QvizRgba) { 0 });

  if (isnan (ratio) || ratio <= 0)
    return style->unmatched;
  t = log2 (ratio) / log2 (QVIZ_RATIO_SCALE_MAX);
  t = CLAMP (t, -1.0, 1.0);
  if (t < 0)
    return qviz_rgba_mix (&style->ratio_even, &style->ratio_faster, -t);
  return qviz_rgba_mix (&style->ratio_even, &style->ratio_slower, t);
}

QvizRgba
qviz_chart_style_sweep_colour (const QvizChartStyle *style,
                               const QvizRgba       *base,
                               guint                 sweep_slot)
{
  g_return_val_if_fail (style != NULL, (QvizRgba) { 0 });
  g_return_val_if_fail (base != NULL, (QvizRgba) { 0 });

  if (sweep_slot == 0)
    return *base;
  /* Lighter, yet still clearly of the same hue on both themes. */
  return qviz_rgba_mix (base, &style->background, MIN (0.45, 0.3 + 0.1 * (sweep_slot - 1)));
}

/* Transparent tile with one diagonal stripe, repeated in user space so that
 * stripes line up across neighbouring spans.  A recording surface keeps the
 * stripes vector in SVG and PDF. */
cairo_pattern_t *
qviz_chart_style_create_hatch (const QvizChartStyle *style)
{
  const double tile = 7;
  cairo_rectangle_t extents = { 0, 0, tile, tile };
  cairo_surface_t *surface;
  cairo_pattern_t *pattern;
  cairo_t *cr;

  g_return_val_if_fail (style != NULL, NULL);

  surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &extents);
  cr = cairo_create (surface);
  qviz_chart_set_source (cr, &style->hatch);
  cairo_set_line_width (cr, 2.0);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_SQUARE);
  /* The main diagonal and its two neighbours cover the corners, so that the
   * repeated tile draws continuous lines. */
  for (int k = -1; k <= 1; k++)
    {
      cairo_move_to (cr, k * tile, tile);
      cairo_line_to (cr, k * tile + tile, 0);
    }
  cairo_stroke (cr);
  cairo_destroy (cr);

  pattern = cairo_pattern_create_for_surface (surface);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_REPEAT);
  cairo_surface_destroy (surface);
  return pattern;
}

/* One hatch per stripe colour for the life of the process.  Painters draw
 * into PDF and SVG surfaces that keep referring to the pattern's recording
 * surface until they are finished; a pattern that outlives every surface
 * spares cairo from snapshotting it (and costs a few hundred bytes). */
cairo_pattern_t *
qviz_chart_style_get_hatch (const QvizChartStyle *style)
{
  static GMutex lock;
  static GHashTable *cache;
  g_autofree char *key = NULL;
  cairo_pattern_t *pattern;

  g_return_val_if_fail (style != NULL, NULL);

  key = g_strdup_printf ("%.4f %.4f %.4f %.4f", style->hatch.red, style->hatch.green,
                         style->hatch.blue, style->hatch.alpha);
  g_mutex_lock (&lock);
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) cairo_pattern_destroy);
  pattern = g_hash_table_lookup (cache, key);
  if (pattern == NULL)
    {
      pattern = qviz_chart_style_create_hatch (style);
      g_hash_table_insert (cache, g_steal_pointer (&key), pattern);
    }
  g_mutex_unlock (&lock);
  return pattern;
}

/* Class colour, then hatching for dilated layers and an inner outline for
 * depthwise ones, each only where the shape is large enough to show it. */
void
qviz_chart_style_fill_layer (const QvizChartStyle *style,
                             cairo_t              *cr,
                             double                x,
                             double                y,
                             double                width,
                             double                height,
                             QvizLayerClass        layer_class,
                             QvizSpanFlags         flags,
                             cairo_pattern_t      *hatch)
{
  g_return_if_fail (style != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (layer_class < QVIZ_N_LAYER_CLASSES);

  qviz_chart_style_fill_layer_colour (style, cr, x, y, width, height,
                                      &style->class_fill[layer_class], flags, hatch);
}

void
qviz_chart_style_fill_layer_colour (const QvizChartStyle *style,
                                    cairo_t              *cr,
                                    double                x,
                                    double                y,
                                    double                width,
                                    double                height,
                                    const QvizRgba       *fill,
                                    QvizSpanFlags         flags,
                                    cairo_pattern_t      *hatch)
{
  g_return_if_fail (style != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (fill != NULL);

  qviz_chart_set_source (cr, fill);
  cairo_rectangle (cr, x, y, width, height);
  cairo_fill (cr);

  if ((flags & QVIZ_SPAN_DILATED) && hatch != NULL && width >= 3 && height >= 3)
    {
      cairo_save (cr);
      cairo_rectangle (cr, x, y, width, height);
      cairo_clip (cr);
      cairo_set_source (cr, hatch);
      cairo_paint (cr);
      cairo_restore (cr);
    }

  if ((flags & QVIZ_SPAN_DEPTHWISE) && width >= 4 && height >= 4)
    {
      const double lw = 2.0;

      qviz_chart_set_source (cr, &style->outline);
      cairo_set_line_width (cr, lw);
      cairo_rectangle (cr, x + lw / 2, y + lw / 2, width - lw, height - lw);
      cairo_stroke (cr);
    }
}
