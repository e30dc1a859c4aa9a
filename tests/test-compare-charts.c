/* test-compare-charts.c: comparing two runs, from the engine's statistics
 * to the pixels of the differential flame chart, the two-sweep curves, the
 * compare table and the compare report. */
#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "qviz-chart-adapt.h"
#include "qviz-chart-compare.h"
#include "qviz-chart-data.h"
#include "qviz-chart-style.h"
#include "qviz-cold-start.h"
#include "qviz-compare-bars-painter.h"
#include "qviz-compare-report-painter.h"
#include "qviz-compare.h"
#include "qviz-curves-painter.h"
#include "qviz-export.h"
#include "qviz-flame-painter.h"

/* ---- Pixels ------------------------------------------------------------ */

typedef struct {
  int r, g, b;
} Pixel;

static cairo_surface_t *
new_image (int w, int h)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  return s;
}

static Pixel
pixel_at (cairo_surface_t *s, int x, int y)
{
  const guint8 *row;
  guint32 v;

  cairo_surface_flush (s);
  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, cairo_image_surface_get_width (s));
  g_assert_cmpint (y, <, cairo_image_surface_get_height (s));
  row = cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s);
  v = ((const guint32 *) row)[x];
  return (Pixel) { (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };
}

static gboolean
pixel_is (Pixel p, const QvizRgba *c, int tolerance)
{
  return ABS (p.r - (int) lround (c->red * 255)) <= tolerance &&
         ABS (p.g - (int) lround (c->green * 255)) <= tolerance &&
         ABS (p.b - (int) lround (c->blue * 255)) <= tolerance;
}

static guint
count_colour_in (cairo_surface_t *s, const QvizRgba *c, int tolerance,
                 int x0, int y0, int x1, int y1)
{
  guint n = 0;

  x1 = MIN (x1, cairo_image_surface_get_width (s));
  y1 = MIN (y1, cairo_image_surface_get_height (s));
  for (int y = MAX (0, y0); y < y1; y++)
    for (int x = MAX (0, x0); x < x1; x++)
      if (pixel_is (pixel_at (s, x, y), c, tolerance))
        n++;
  return n;
}

static guint
count_colour (cairo_surface_t *s, const QvizRgba *c, int tolerance)
{
  return count_colour_in (s, c, tolerance, 0, 0, G_MAXINT, G_MAXINT);
}

/* Hue in degrees and saturation (max - min over max) of a pixel. */
static void
hue_sat (Pixel p, double *hue, double *sat)
{
  double r = p.r / 255.0, g = p.g / 255.0, b = p.b / 255.0;
  double mx = MAX (r, MAX (g, b)), mn = MIN (r, MIN (g, b)), d = mx - mn, h;

  *sat = mx > 0 ? d / mx : 0;
  if (d == 0)
    h = 0;
  else if (mx == r)
    h = 60 * fmod ((g - b) / d + 6, 6);
  else if (mx == g)
    h = 60 * ((b - r) / d + 2);
  else
    h = 60 * ((r - g) / d + 4);
  *hue = h;
}

static gboolean
is_slower_hue (Pixel p)
{
  double h, s;
  hue_sat (p, &h, &s);
  return s > 0.5 && h >= 0 && h <= 45;     /* orange to red */
}

static gboolean
is_faster_hue (Pixel p)
{
  double h, s;
  hue_sat (p, &h, &s);
  return s > 0.5 && h >= 190 && h <= 240;  /* blue */
}

static gboolean
is_neutral (Pixel p)
{
  double h, s;
  hue_sat (p, &h, &s);
  return s < 0.1;
}

static Pixel
span_centre (QvizFlamePainter *painter, cairo_surface_t *s, guint span)
{
  cairo_rectangle_t r;

  g_assert_true (qviz_flame_painter_get_span_rect (painter, span, &r));
  g_assert_cmpfloat (r.width, >, 10);
  return pixel_at (s, (int) (r.x + r.width / 2), (int) (r.y + r.height / 2));
}

static void
paint (QvizPaintFunc func, gpointer painter, cairo_surface_t *surface)
{
  cairo_t *cr = cairo_create (surface);

  func (painter, cr, cairo_image_surface_get_width (surface),
        cairo_image_surface_get_height (surface));
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
}

/* ---- Two synthetic runs -------------------------------------------------- */

typedef struct {
  const char *name;
  const char *op;
  const char *layer_class;
  gboolean    depthwise, dilated;
  double      ms;
  const char *kernel;
} LayerSpec;

static const LayerSpec layer_specs[] = {
  { "stem/conv", "conv", "conv", FALSE, FALSE, 1.0, "f32 conv 3x3 direct" },
  { "block/dw", "conv", "dilated depthwise", TRUE, TRUE, 2.0, "f32 dwconv 5x5 d2 indirect" },
  { "block/pw", "conv", "pointwise", FALSE, FALSE, 1.5, "f32 conv 1x1 gemm" },
  { "head/add", "add", "other", FALSE, FALSE, 0.5, "f32 add" },
};
#define SLOW_LAYER 1 /* block/dw: twice as slow in B */
#define N_COLD 1
#define N_WARM 30

static double
gaussian (GRand *rand)
{
  double u = g_rand_double_range (rand, 1e-12, 1.0), v = g_rand_double (rand);
  return sqrt (-2 * log (u)) * cos (2 * G_PI * v);
}

/* A run whose layer times are drawn around layer_specs' (times @slowdown
 * for SLOW_LAYER) with 4% log-normal noise; spans for every pass. */
static QvizRun *
synthetic_run (guint32 seed, double slowdown, const char *kernel_suffix)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  QvizRun *run = qviz_run_new ();
  guint n_layers = G_N_ELEMENTS (layer_specs);
  g_autofree double *pass = g_new0 (double, N_COLD + N_WARM);

  run->precision = g_strdup ("f32");
  run->height = run->width = 224;
  run->threads = 1;
  run->model_name = g_strdup ("synthetic");
  run->hostname = g_strdup ("host");
  run->isa = g_strdup ("avx2");

  for (guint i = 0; i < n_layers; i++)
    {
      const LayerSpec *spec = &layer_specs[i];
      QvizRunLayer *l = qviz_run_add_layer (run);

      l->name = g_strdup (spec->name);
      l->op = g_strdup (spec->op);
      l->layer_class = g_strdup (spec->layer_class);
      l->depthwise = spec->depthwise;
      l->dilated = spec->dilated;
      l->kernel = g_strdup_printf ("%s%s", spec->kernel,
                                   i == SLOW_LAYER && kernel_suffix ? kernel_suffix : "");
      for (guint p = 0; p < N_COLD + N_WARM; p++)
        {
          double base = spec->ms * (i == SLOW_LAYER ? slowdown : 1.0) * (p < N_COLD ? 3 : 1);
          float ms = (float) (base * exp (0.04 * gaussian (rand)));
          g_array_append_val (l->pass_ms, ms);
          pass[p] += ms;
        }
    }
  for (guint p = 0; p < N_COLD + N_WARM; p++)
    g_array_append_val (p < N_COLD ? run->cold_ms : run->warm_ms, pass[p]);
  qviz_run_compute_stats (run);

  for (guint p = 0; p < N_COLD + N_WARM; p++)
    {
      gint64 t = 0;
      for (guint i = 0; i < n_layers; i++)
        {
          gint64 d = (gint64) (g_array_index (qviz_run_get_layer (run, i)->pass_ms, float, p) * 1e6);
          qviz_run_add_span (run, (int) p, p < N_COLD, (int) i, NULL, t, t + d);
          t += d;
        }
      qviz_run_add_span (run, (int) p, p < N_COLD, -1, NULL, 0, t);
    }
  return run;
}

static const QvizLayerDelta *
delta_named (const QvizRunComparison *c, const char *name)
{
  for (guint i = 0; i < c->layers->len; i++)
    {
      const QvizLayerDelta *d = &g_array_index (c->layers, QvizLayerDelta, i);
      if (g_str_equal (d->name, name))
        return d;
    }
  g_assert_not_reached ();
  return NULL;
}

/* ---- Engine: qviz_compare_runs ----------------------------------------- */

static void
test_engine_detects_slow_layer (void)
{
  g_autoptr (QvizRun) a = synthetic_run (11, 1.0, NULL);
  g_autoptr (QvizRun) b = synthetic_run (29, 2.0, " v2");
  g_autoptr (QvizRunComparison) c = qviz_compare_runs (a, b);

  g_assert_cmpuint (c->layers->len, ==, G_N_ELEMENTS (layer_specs));
  for (guint i = 0; i < G_N_ELEMENTS (layer_specs); i++)
    {
      const QvizLayerDelta *d = delta_named (c, layer_specs[i].name);

      g_assert_cmpint (d->index_a, ==, (int) i);
      g_assert_cmpint (d->index_b, ==, (int) i);
      if (i == SLOW_LAYER)
        {
          g_assert_true (d->significant);
          g_assert_cmpfloat_with_epsilon (d->ratio, 2.0, 0.1);
          g_assert_cmpfloat (d->diff_lo, >, 0);
          g_assert_cmpfloat (d->diff_hi, >, d->diff_lo);
          g_assert_cmpfloat (d->p_value, <, 0.01);
          g_assert_true (d->outlier);
          g_assert_true (d->kernel_changed);
        }
      else
        {
          g_assert_false (d->significant);
          g_assert_cmpfloat_with_epsilon (d->ratio, 1.0, 0.05);
          g_assert_false (d->kernel_changed);
        }
    }
  g_assert_cmpuint (c->n_significant, ==, 1);
  /* 2 ms of 5 ms doubled: the whole pass takes 7/5 as long. */
  g_assert_true (c->significant);
  g_assert_cmpfloat_with_epsilon (c->ratio, 1.4, 0.07);

  /* Ranked for the Compare page: the change beyond noise first, then the
   * others by the size of their change. */
  {
    g_autoptr (GPtrArray) ranked = qviz_chart_compare_ranked (c);
    double last = INFINITY;

    g_assert_cmpuint (ranked->len, ==, c->layers->len);
    g_assert_cmpstr (((QvizLayerDelta *) g_ptr_array_index (ranked, 0))->name, ==,
                     layer_specs[SLOW_LAYER].name);
    for (guint i = 1; i < ranked->len; i++)
      {
        const QvizLayerDelta *d = g_ptr_array_index (ranked, i);
        double size = fabs (log (d->ratio));

        g_assert_false (d->significant);
        g_assert_cmpfloat (size, <=, last);
        last = size;
      }
  }
}

/* Matched configurations are listed largest first, then fewest threads,
 * int8 before float: the first is the one the reports pick. */
static void
test_compare_sort (void)
{
  const struct { int size, threads; const char *precision; } configs[] = {
    { 224, 2, "f32" }, { 512, 1, "f32" }, { 224, 1, "int8" }, { 512, 2, "int8" },
    { 512, 1, "int8" }, { 224, 1, "f32" },
  };
  const guint want[] = { 4, 1, 3, 2, 5, 0 };
  g_autoptr (GPtrArray) comparisons = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_comparison_free);
  g_autoptr (GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_free);
  const QvizRunComparison *picked;

  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    {
      QvizRun *a = synthetic_run (3 + i, 1.0, NULL), *b = synthetic_run (40 + i, 1.0, NULL);

      for (int side = 0; side < 2; side++)
        {
          QvizRun *r = side ? b : a;
          r->height = r->width = configs[i].size;
          r->threads = configs[i].threads;
          g_free (r->precision);
          r->precision = g_strdup (configs[i].precision);
        }
      g_ptr_array_add (runs, a);
      g_ptr_array_add (runs, b);
      g_ptr_array_add (comparisons, qviz_compare_runs (a, b));
    }
  picked = qviz_chart_compare_pick (comparisons);
  qviz_chart_compare_sort (comparisons);
  g_assert_true (g_ptr_array_index (comparisons, 0) == picked);
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      const QvizRun *b = ((QvizRunComparison *) g_ptr_array_index (comparisons, i))->b;

      g_assert_cmpint (b->height, ==, configs[want[i]].size);
      g_assert_cmpint (b->threads, ==, configs[want[i]].threads);
      g_assert_cmpstr (b->precision, ==, configs[want[i]].precision);
    }
}

static void
test_engine_identical_inputs (void)
{
  g_autoptr (QvizRun) a = synthetic_run (5, 1.0, NULL);
  g_autoptr (QvizRun) b = synthetic_run (5, 1.0, NULL);
  g_autoptr (QvizRun) c_run = synthetic_run (77, 1.0, NULL);
  g_autoptr (QvizRunComparison) same = qviz_compare_runs (a, b);
  g_autoptr (QvizRunComparison) redrawn = qviz_compare_runs (a, c_run);

  /* The very same samples: ratio exactly 1, nothing significant. */
  g_assert_cmpuint (same->n_significant, ==, 0);
  g_assert_false (same->significant);
  g_assert_cmpfloat (same->ratio, ==, 1.0);
  for (guint i = 0; i < same->layers->len; i++)
    {
      const QvizLayerDelta *d = &g_array_index (same->layers, QvizLayerDelta, i);
      g_assert_false (d->significant);
      g_assert_false (d->outlier);
      g_assert_cmpfloat (d->ratio, ==, 1.0);
      g_assert_cmpfloat (d->diff_lo, <=, 0);
      g_assert_cmpfloat (d->diff_hi, >=, 0);
    }
  /* Fresh samples from the same distributions: still nothing. */
  g_assert_cmpuint (redrawn->n_significant, ==, 0);
  g_assert_false (redrawn->significant);
}

/* ---- Differential flame chart -------------------------------------------- */

/* Five layers in one band: slower (x2), faster (x0.5), a 1.5x change
 * within noise, a dilated depthwise layer at x2 and a layer only in B. */
static QvizFlameData *
ratio_flame (guint spans[5])
{
  QvizFlameData *data = qviz_flame_data_new ();
  guint band = qviz_flame_data_add_band (data, "B: f32 224x224");
  const gint64 ms = 1000000;

  spans[0] = qviz_flame_data_add_span (data, band, "net/slower", NULL, 0, 10 * ms, "conv", NULL,
                                       QVIZ_SPAN_NONE, 0);
  spans[1] = qviz_flame_data_add_span (data, band, "net/faster", NULL, 10 * ms, 20 * ms, "conv",
                                       NULL, QVIZ_SPAN_NONE, 1);
  spans[2] = qviz_flame_data_add_span (data, band, "net/noisy", NULL, 20 * ms, 30 * ms, "conv",
                                       NULL, QVIZ_SPAN_WITHIN_NOISE, 2);
  spans[3] = qviz_flame_data_add_span (data, band, "net/dw", NULL, 30 * ms, 40 * ms, "conv", NULL,
                                       QVIZ_SPAN_DILATED | QVIZ_SPAN_DEPTHWISE, 3);
  spans[4] = qviz_flame_data_add_span (data, band, "net/new", NULL, 40 * ms, 50 * ms, "add", NULL,
                                       QVIZ_SPAN_NONE, 4);
  qviz_flame_data_set_span_quality (data, spans[0], 2.0, NAN);
  qviz_flame_data_set_span_quality (data, spans[1], 0.5, NAN);
  qviz_flame_data_set_span_quality (data, spans[2], 1.5, NAN);
  qviz_flame_data_set_span_quality (data, spans[3], 2.0, NAN);
  return data;
}

static void
test_flame_ratio_colours (void)
{
  const QvizChartStyle *style = qviz_chart_style_get_light ();
  g_autoptr (QvizFlamePainter) painter = qviz_flame_painter_new (style);
  cairo_surface_t *surface;
  cairo_rectangle_t legend, r;
  guint spans[5];
  Pixel p;
  double bands_bottom = 0;
  QvizRgba c;

  /* The scale itself: centred at 1, clamped at 0.5x and 2x, symmetric in
   * log terms. */
  c = qviz_chart_style_ratio_colour (style, 1.0);
  g_assert_true (pixel_is ((Pixel) { lround (c.red * 255), lround (c.green * 255), lround (c.blue * 255) },
                           &style->ratio_even, 0));
  c = qviz_chart_style_ratio_colour (style, 8.0);
  g_assert_cmpfloat (c.red, ==, style->ratio_slower.red);
  c = qviz_chart_style_ratio_colour (style, 0.1);
  g_assert_cmpfloat (c.blue, ==, style->ratio_faster.blue);
  {
    QvizRgba up = qviz_chart_style_ratio_colour (style, 1.41421356);
    QvizRgba down = qviz_chart_style_ratio_colour (style, 0.70710678);
    double t_up = (up.red - style->ratio_even.red) / (style->ratio_slower.red - style->ratio_even.red);
    double t_down = (down.red - style->ratio_even.red) / (style->ratio_faster.red - style->ratio_even.red);
    g_assert_cmpfloat_with_epsilon (t_up, 0.5, 1e-6);
    g_assert_cmpfloat_with_epsilon (t_down, 0.5, 1e-6);
  }

  qviz_flame_painter_set_data (painter, ratio_flame (spans));
  qviz_flame_painter_set_show_labels (painter, FALSE);
  qviz_flame_painter_set_color_mode (painter, QVIZ_FLAME_COLOR_BY_RATIO);
  g_assert_cmpint (qviz_flame_painter_get_color_mode (painter), ==, QVIZ_FLAME_COLOR_BY_RATIO);
  surface = new_image (1000, (int) ceil (qviz_flame_painter_get_preferred_height (painter)));
  paint (QVIZ_PAINT_FUNC (qviz_flame_painter_paint), painter, surface);

  p = span_centre (painter, surface, spans[0]);
  g_assert_true (is_slower_hue (p));
  g_assert_true (pixel_is (p, &style->ratio_slower, 2));
  p = span_centre (painter, surface, spans[1]);
  g_assert_true (is_faster_hue (p));
  g_assert_true (pixel_is (p, &style->ratio_faster, 2));
  /* A 1.5x change within noise carries no hue at all. */
  p = span_centre (painter, surface, spans[2]);
  g_assert_true (is_neutral (p));
  g_assert_true (pixel_is (p, &style->within_noise, 2));

  /* The dilated depthwise span: orange under its stripes, outlined. */
  g_assert_true (qviz_flame_painter_get_span_rect (painter, spans[3], &r));
  {
    guint orange = 0, dark = 0;
    for (int x = (int) r.x + 4; x < (int) (r.x + r.width) - 4; x++)
      {
        Pixel q = pixel_at (surface, x, (int) (r.y + r.height / 2));
        orange += is_slower_hue (q) && pixel_is (q, &style->ratio_slower, 2);
        dark += q.r + q.g + q.b < 3 * 150;
      }
    g_assert_cmpuint (orange, >, 10);
    g_assert_cmpuint (dark, >, 5);
    g_assert_true (pixel_is (pixel_at (surface, (int) r.x + 1, (int) (r.y + r.height / 2)),
                             &style->outline, 10));
  }
  /* Only in B: the unmatched fill. */
  p = span_centre (painter, surface, spans[4]);
  g_assert_true (pixel_is (p, &style->unmatched, 2));

  /* The legend sits below the bands and shows both ends of the scale and
   * the neutral grey. */
  for (guint i = 0; i < 5; i++)
    {
      g_assert_true (qviz_flame_painter_get_span_rect (painter, spans[i], &r));
      bands_bottom = MAX (bands_bottom, r.y + r.height);
    }
  qviz_flame_painter_get_legend_rect (painter, &legend);
  g_assert_cmpfloat (legend.height, >, 10);
  g_assert_cmpfloat (legend.y, >=, bands_bottom);
  g_assert_cmpfloat (legend.y + legend.height, <=, cairo_image_surface_get_height (surface));
  g_assert_cmpuint (count_colour_in (surface, &style->ratio_faster, 12, 0, (int) legend.y,
                                     1000, (int) (legend.y + legend.height)), >, 4);
  g_assert_cmpuint (count_colour_in (surface, &style->ratio_slower, 12, 0, (int) legend.y,
                                     1000, (int) (legend.y + legend.height)), >, 4);
  g_assert_cmpuint (count_colour_in (surface, &style->within_noise, 2, 0, (int) legend.y,
                                     1000, (int) (legend.y + legend.height)), >, 50);
  cairo_surface_destroy (surface);

  /* The same data by class: no span takes the ratio colours. */
  qviz_flame_painter_set_color_mode (painter, QVIZ_FLAME_COLOR_BY_CLASS);
  surface = new_image (1000, (int) ceil (qviz_flame_painter_get_preferred_height (painter)));
  paint (QVIZ_PAINT_FUNC (qviz_flame_painter_paint), painter, surface);
  g_assert_true (pixel_is (span_centre (painter, surface, spans[0]),
                           &style->class_fill[QVIZ_LAYER_CLASS_CONV], 2));
  g_assert_true (pixel_is (span_centre (painter, surface, spans[2]),
                           &style->class_fill[QVIZ_LAYER_CLASS_CONV], 2));
  g_assert_cmpuint (count_colour (surface, &style->ratio_faster, 2), ==, 0);
  cairo_surface_destroy (surface);
}

static void
test_flame_diff_adapter (void)
{
  const QvizChartStyle *style = qviz_chart_style_get_dark ();
  g_autoptr (QvizRun) a = synthetic_run (11, 1.0, NULL);
  g_autoptr (QvizRun) b = synthetic_run (29, 2.0, NULL);
  g_autoptr (QvizRunComparison) c = qviz_compare_runs (a, b);
  g_autoptr (QvizFlamePainter) painter = qviz_flame_painter_new (style);
  QvizFlameData *data = qviz_chart_flame_diff (b, c);
  cairo_surface_t *surface;
  guint n_layers = 0;

  g_assert_cmpuint (qviz_flame_data_get_n_bands (data), ==, 1);
  g_assert_nonnull (strstr (qviz_flame_data_get_band_label (data, 0), "×1.4"));
  qviz_flame_painter_set_data (painter, data);
  qviz_flame_painter_set_color_mode (painter, QVIZ_FLAME_COLOR_BY_RATIO);
  qviz_flame_painter_set_show_labels (painter, FALSE);
  surface = new_image (900, (int) ceil (qviz_flame_painter_get_preferred_height (painter)));
  paint (QVIZ_PAINT_FUNC (qviz_flame_painter_paint), painter, surface);

  for (guint i = 0; i < qviz_flame_data_get_n_spans (data); i++)
    {
      const QvizFlameSpan *s = qviz_flame_data_get_span (data, i);
      Pixel p;

      if (s->layer_index < 0)
        continue;
      n_layers++;
      p = span_centre (painter, surface, i);
      if (s->layer_index == SLOW_LAYER)
        {
          g_assert_false (s->flags & QVIZ_SPAN_WITHIN_NOISE);
          g_assert_true (s->flags & QVIZ_SPAN_DILATED);
          g_assert_cmpfloat_with_epsilon (s->ratio, 2.0, 0.1);
          /* Sample beside the stripes: find an unhatched pixel. */
          {
            cairo_rectangle_t r;
            gboolean found = FALSE;
            g_assert_true (qviz_flame_painter_get_span_rect (painter, i, &r));
            for (int x = (int) r.x + 4; x < (int) (r.x + r.width) - 4 && !found; x++)
              found = is_slower_hue (pixel_at (surface, x, (int) (r.y + r.height / 2)));
            g_assert_true (found);
          }
        }
      else
        {
          g_assert_true (s->flags & QVIZ_SPAN_WITHIN_NOISE);
          g_assert_true (pixel_is (p, &style->within_noise, 2));
        }
    }
  g_assert_cmpuint (n_layers, ==, G_N_ELEMENTS (layer_specs));
  cairo_surface_destroy (surface);
}

/* ---- Two sweeps on one curves chart ------------------------------------- */

static QvizCurveSeries *
series (const char *precision, const char *sweep, double scale)
{
  QvizCurveSeries *s = qviz_curve_series_new (precision, 1);

  qviz_curve_series_set_sweep (s, sweep);
  for (int r = 256; r <= 1024; r += 256)
    qviz_curve_series_add (s, r, scale * r * r / 1e4, NAN, NAN);
  return s;
}

static void
test_curves_two_sweeps (void)
{
  const QvizChartStyle *style = qviz_chart_style_get_light ();
  g_autoptr (QvizCurvesPainter) painter = qviz_curves_painter_new (style);
  g_autoptr (QvizCurveSeries) fa = series ("f32", "A", 1.0);
  g_autoptr (QvizCurveSeries) qa = series ("int8", "A", 0.5);
  g_autoptr (QvizCurveSeries) fb = series ("f32", "B", 0.8);
  g_autoptr (QvizCurveSeries) qb = series ("int8", "B", 0.3);
  g_autoptr (QvizCurveSeries) copy = qviz_curve_series_copy (fb);
  QvizRgba f32_b = qviz_chart_style_sweep_colour (style, &style->f32, 1);
  QvizRgba int8_b = qviz_chart_style_sweep_colour (style, &style->int8, 1);
  cairo_surface_t *surface = new_image (900, 600);
  guint n_f32_a, n_f32_b, n_int8_a, n_int8_b;

  g_assert_cmpstr (copy->sweep, ==, "B");
  /* B's colours differ visibly from A's and from each other. */
  g_assert_false (pixel_is ((Pixel) { lround (f32_b.red * 255), lround (f32_b.green * 255),
                                      lround (f32_b.blue * 255) }, &style->f32, 20));

  qviz_curves_painter_add_series (painter, fa);
  qviz_curves_painter_add_series (painter, qa);
  qviz_curves_painter_add_series (painter, fb);
  qviz_curves_painter_add_series (painter, qb);
  paint (QVIZ_PAINT_FUNC (qviz_curves_painter_paint), painter, surface);
  n_f32_a = count_colour (surface, &style->f32, 3);
  n_f32_b = count_colour (surface, &f32_b, 3);
  n_int8_a = count_colour (surface, &style->int8, 3);
  n_int8_b = count_colour (surface, &int8_b, 3);
  g_test_message ("pixels: f32 A %u, f32 B %u, int8 A %u, int8 B %u", n_f32_a, n_f32_b,
                  n_int8_a, n_int8_b);
  g_assert_cmpuint (n_f32_a, >, 200);
  g_assert_cmpuint (n_f32_b, >, 100);
  g_assert_cmpuint (n_int8_a, >, 200);
  g_assert_cmpuint (n_int8_b, >, 100);
  /* B is dashed: along its line, fewer pixels than A's solid one. */
  g_assert_cmpuint (n_f32_b, <, n_f32_a);
  cairo_surface_destroy (surface);

  /* Without sweep labels nothing is lightened. */
  qviz_curves_painter_clear (painter);
  qviz_curve_series_set_sweep (fb, NULL);
  qviz_curves_painter_add_series (painter, fb);
  surface = new_image (900, 600);
  paint (QVIZ_PAINT_FUNC (qviz_curves_painter_paint), painter, surface);
  {
    /* Anti-aliased edges of the solid line give a few lighter pixels; a
     * lightened series would give as many as the line has. */
    guint solid = count_colour (surface, &style->f32, 3);
    g_assert_cmpuint (solid, >, 200);
    g_assert_cmpuint (count_colour (surface, &f32_b, 3), <, solid / 8);
  }
  cairo_surface_destroy (surface);
}

static void
test_curves_from_two_sweeps (void)
{
  g_autoptr (GPtrArray) runs_a = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_free);
  g_autoptr (GPtrArray) runs_b = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_free);
  g_autoptr (GPtrArray) s = NULL;

  g_ptr_array_add (runs_a, synthetic_run (1, 1.0, NULL));
  g_ptr_array_add (runs_b, synthetic_run (2, 2.0, NULL));
  s = qviz_chart_curves_from_two_sweeps (runs_a, "vm", runs_b, "vm");
  g_assert_cmpuint (s->len, ==, 2);
  g_assert_cmpstr (((QvizCurveSeries *) g_ptr_array_index (s, 0))->sweep, ==, "vm (A)");
  g_assert_cmpstr (((QvizCurveSeries *) g_ptr_array_index (s, 1))->sweep, ==, "vm (B)");
  g_clear_pointer (&s, g_ptr_array_unref);
  s = qviz_chart_curves_from_two_sweeps (runs_a, "A", runs_b, "B");
  g_assert_cmpstr (((QvizCurveSeries *) g_ptr_array_index (s, 1))->sweep, ==, "B");
  g_assert_cmpfloat (qviz_curve_series_get_point (g_ptr_array_index (s, 1), 0)->median_ms, >,
                     qviz_curve_series_get_point (g_ptr_array_index (s, 0), 0)->median_ms);
}

/* ---- Compare table ------------------------------------------------------- */

static void
test_compare_table (void)
{
  const QvizChartStyle *style = qviz_chart_style_get_light ();
  g_autoptr (QvizRun) a = synthetic_run (11, 1.0, NULL);
  g_autoptr (QvizRun) b = synthetic_run (29, 2.0, " v2");
  g_autoptr (QvizRunComparison) c = qviz_compare_runs (a, b);
  g_autoptr (GPtrArray) rows = qviz_chart_compare_rows (c);
  g_autoptr (QvizCompareBarsPainter) painter = qviz_compare_bars_painter_new (style);
  g_autoptr (GPtrArray) extra = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_compare_row_free);
  cairo_surface_t *surface = new_image (1200, 500);
  cairo_rectangle_t r;
  GPtrArray *shown;
  QvizCompareRow *faster;

  /* A significant speed-up of 0.3 ms: it sorts second, after the 2 ms
   * slow-down, ahead of the noise. */
  faster = qviz_compare_row_new ("extra/faster", "conv", QVIZ_SPAN_NONE, 0.6, 0.3);
  faster->significant = TRUE;
  g_ptr_array_add (rows, faster);
  g_assert_true (qviz_compare_row_kernel_changed (g_ptr_array_index (rows, SLOW_LAYER)));
  g_assert_false (qviz_compare_row_kernel_changed (g_ptr_array_index (rows, 0)));

  qviz_compare_bars_painter_set_rows (painter, rows);
  paint (QVIZ_PAINT_FUNC (qviz_compare_bars_painter_paint), painter, surface);
  g_assert_cmpuint (qviz_compare_bars_painter_get_n_shown (painter), ==, rows->len);
  shown = qviz_compare_bars_painter_get_rows (painter);
  g_assert_cmpstr (((QvizCompareRow *) g_ptr_array_index (shown, 0))->name, ==, "block/dw");
  g_assert_cmpstr (((QvizCompareRow *) g_ptr_array_index (shown, 1))->name, ==, "extra/faster");
  for (guint i = 1; i + 1 < shown->len; i++)
    {
      const QvizCompareRow *x = g_ptr_array_index (shown, i), *y = g_ptr_array_index (shown, i + 1);
      g_assert_cmpfloat (fabs (x->b_ms - x->a_ms), >=, fabs (y->b_ms - y->a_ms));
    }

  /* B's bar: orange for the slow-down, blue for the speed-up, grey for
   * noise; A's bar is the same neutral everywhere it counts. */
  g_assert_true (qviz_compare_bars_painter_get_bar_rect (painter, 0, TRUE, &r));
  g_assert_true (is_slower_hue (pixel_at (surface, (int) (r.x + r.width / 2), (int) (r.y + r.height / 2))));
  g_assert_true (qviz_compare_bars_painter_get_bar_rect (painter, 1, TRUE, &r));
  g_assert_true (is_faster_hue (pixel_at (surface, (int) (r.x + r.width / 2), (int) (r.y + r.height / 2))));
  g_assert_true (qviz_compare_bars_painter_get_bar_rect (painter, 2, TRUE, &r));
  g_assert_true (pixel_is (pixel_at (surface, (int) (r.x + r.width / 2), (int) (r.y + r.height / 2)),
                           &style->within_noise, 2));
  g_assert_true (qviz_compare_bars_painter_get_bar_rect (painter, 0, FALSE, &r));
  g_assert_true (is_neutral (pixel_at (surface, (int) (r.x + r.width / 2), (int) (r.y + r.height / 2))));
  cairo_surface_destroy (surface);

  /* Rows on one side only come last and draw one bar. */
  g_ptr_array_add (extra, qviz_compare_row_new ("only/b", "add", QVIZ_SPAN_NONE, NAN, 9.0));
  g_ptr_array_add (extra, qviz_compare_row_new ("small", "add", QVIZ_SPAN_NONE, 1.0, 1.01));
  qviz_compare_bars_painter_set_rows (painter, extra);
  g_assert_cmpstr (((QvizCompareRow *) g_ptr_array_index (qviz_compare_bars_painter_get_rows (painter), 1))->name,
                   ==, "only/b");
  surface = new_image (1200, 300);
  paint (QVIZ_PAINT_FUNC (qviz_compare_bars_painter_paint), painter, surface);
  g_assert_false (qviz_compare_bars_painter_get_bar_rect (painter, 1, FALSE, &r));
  g_assert_true (qviz_compare_bars_painter_get_bar_rect (painter, 1, TRUE, &r));
  cairo_surface_destroy (surface);
}

/* ---- Compare report export ---------------------------------------------- */

static guint32
read_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static guint
count_occurrences (const char *haystack, gsize len, const char *needle)
{
  gsize nlen = strlen (needle);
  guint n = 0;

  for (gsize i = 0; i + nlen <= len; i++)
    if (memcmp (haystack + i, needle, nlen) == 0)
      n++;
  return n;
}

static QvizCompareReportPainter *
compare_report (QvizRun *a, QvizRun *b, QvizRunComparison *c)
{
  QvizCompareReportPainter *p = qviz_compare_report_painter_new (NULL);
  g_autoptr (QvizRun) small_a = synthetic_run (3, 0.5, NULL);
  g_autoptr (QvizRun) small_b = synthetic_run (4, 1.0, NULL);
  g_autoptr (GPtrArray) runs_a = g_ptr_array_new ();
  g_autoptr (GPtrArray) runs_b = g_ptr_array_new ();
  g_autoptr (GPtrArray) series = NULL;
  g_autoptr (GPtrArray) rows = qviz_chart_compare_rows (c);
  g_autoptr (GPtrArray) lines_a = qviz_chart_compare_side_lines (a, NULL);
  g_autoptr (GPtrArray) lines_b = qviz_chart_compare_side_lines (b, NULL);

  /* A smaller size in each sweep, so that the curves are lines. */
  small_a->height = small_a->width = small_b->height = small_b->width = 112;
  g_ptr_array_add (runs_a, small_a);
  g_ptr_array_add (runs_a, a);
  g_ptr_array_add (runs_b, small_b);
  g_ptr_array_add (runs_b, b);
  series = qviz_chart_curves_from_two_sweeps (runs_a, "A", runs_b, "B");
  qviz_compare_report_painter_set_title (p, "synthetic: A vs B", "1 matched configuration");
  qviz_compare_report_painter_set_side (p, 0, "A = sweep a", lines_a);
  qviz_compare_report_painter_set_side (p, 1, "B = sweep b", lines_b);
  qviz_compare_report_painter_set_summary (p, "Whole model ×1.40; 1 of 4 layers changed.");
  for (guint i = 0; i < series->len; i++)
    qviz_compare_report_painter_add_series (p, g_ptr_array_index (series, i));
  qviz_compare_report_painter_set_flame (p, "B against A", qviz_chart_flame_diff (b, c));
  qviz_compare_report_painter_set_rows (p, NULL, rows);
  return p;
}

static void
test_compare_report_export (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("qviz-compare-charts-XXXXXX", &error);
  g_autoptr (QvizRun) a = synthetic_run (11, 1.0, NULL);
  g_autoptr (QvizRun) b = synthetic_run (29, 2.0, " v2");
  g_autoptr (QvizRunComparison) c = qviz_compare_runs (a, b);
  g_autoptr (QvizCompareReportPainter) report = compare_report (a, b, c);
  g_autofree char *png = NULL, *svg = NULL, *pdf = NULL, *contents = NULL;
  gsize len;

  g_assert_no_error (error);
  png = g_build_filename (dir, "compare.png", NULL);
  svg = g_build_filename (dir, "compare.svg", NULL);
  pdf = g_build_filename (dir, "compare.pdf", NULL);

  g_assert_true (qviz_export_to_file (png, QVIZ_EXPORT_AUTO, QVIZ_REPORT_WIDTH, QVIZ_REPORT_HEIGHT,
                                      QVIZ_PAINT_FUNC (qviz_compare_report_painter_paint), report,
                                      &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (png, &contents, &len, &error));
  g_assert_cmpmem (contents, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpuint (read_be32 ((const guint8 *) contents + 16), ==, QVIZ_REPORT_WIDTH);
  g_assert_cmpuint (read_be32 ((const guint8 *) contents + 20), ==, QVIZ_REPORT_HEIGHT);
  g_clear_pointer (&contents, g_free);
  {
    const QvizChartStyle *style = qviz_chart_style_get_light ();
    cairo_surface_t *back = cairo_image_surface_create_from_png (png);
    QvizRgba f32_b = qviz_chart_style_sweep_colour (style, &style->f32, 1);

    g_assert_cmpint (cairo_surface_status (back), ==, CAIRO_STATUS_SUCCESS);
    /* Every part is on the page: both sweeps' curves, the slow layer in
     * the flame and the table, the neutral of the unchanged layers. */
    g_assert_cmpuint (count_colour (back, &style->f32, 3), >, 100);
    g_assert_cmpuint (count_colour (back, &f32_b, 3), >, 50);
    g_assert_cmpuint (count_colour (back, &style->ratio_slower, 6), >, 200);
    g_assert_cmpuint (count_colour (back, &style->within_noise, 2), >, 500);
    cairo_surface_destroy (back);
  }

  g_assert_true (qviz_export_to_file (svg, QVIZ_EXPORT_AUTO, 800, 1100,
                                      QVIZ_PAINT_FUNC (qviz_compare_report_painter_paint), report,
                                      &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, &len, &error));
  g_assert_nonnull (strstr (contents, "<svg"));
  g_assert_nonnull (strstr (contents, "width=\"800\""));
  g_assert_nonnull (strstr (contents, "height=\"1100\""));
  g_assert_true (g_str_has_suffix (g_strchomp (contents), "</svg>"));
  g_clear_pointer (&contents, g_free);

  g_assert_true (qviz_export_to_file (pdf, QVIZ_EXPORT_AUTO, QVIZ_REPORT_WIDTH, QVIZ_REPORT_HEIGHT,
                                      QVIZ_PAINT_FUNC (qviz_compare_report_painter_paint), report,
                                      &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf, &contents, &len, &error));
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));
  g_assert_cmpuint (count_occurrences (contents, len, "/Count 1"), ==, 1);
  g_assert_cmpuint (count_occurrences (contents, len, "/MediaBox [ 0 0 1240 1754 ]"), ==, 1);
  g_clear_pointer (&contents, g_free);

  if (g_getenv ("QVIZ_TEST_KEEP_EXPORTS") != NULL)
    {
      g_test_message ("exports kept in %s", dir);
      return;
    }
  g_unlink (png);
  g_unlink (svg);
  g_unlink (pdf);
  g_rmdir (dir);
}

static void
add_timed_layer (QvizRun    *run,
                 const char *name,
                 const char *kernel,
                 double      median_ms)
{
  QvizRunLayer *layer = qviz_run_add_layer (run);

  layer->name = g_strdup (name);
  layer->kernel = g_strdup (kernel);
  layer->reason = g_strdup ("test");
  layer->stats.median = median_ms;
}

/* The headline layer is the worst int8/f32 ratio among layers that matter,
 * not the slowest in time, and not a microsecond layer's noise. */
static void
test_worst_ratio_layer (void)
{
  g_autoptr (QvizRun) f32 = qviz_run_new ();
  g_autoptr (QvizRun) int8 = qviz_run_new ();
  g_autoptr (QvizRun) other = qviz_run_new ();
  const QvizRunLayer *f = NULL, *q = NULL;
  double ratio = 0;

  add_timed_layer (f32, "big", "f32 gemm", 10);
  add_timed_layer (f32, "dilated", "f32 dwconv", 2);
  add_timed_layer (f32, "tiny", "f32 add", 0.001);
  add_timed_layer (int8, "big", "qu8 gemm", 4);          /* 0.4x, slowest in time */
  add_timed_layer (int8, "dilated", "qu8 im2col", 3);    /* 1.5x */
  add_timed_layer (int8, "tiny", "qu8 add", 0.01);       /* 10x, but 0.1% of the pass */
  add_timed_layer (int8, "int8-only", "qu8 quantize", 5); /* no float partner */

  g_assert_true (qviz_chart_worst_ratio_layer (f32, int8, &f, &q, &ratio));
  g_assert_cmpstr (q->name, ==, "dilated");
  g_assert_cmpstr (q->kernel, ==, "qu8 im2col");
  g_assert_cmpstr (f->kernel, ==, "f32 dwconv");
  g_assert_cmpfloat (fabs (ratio - 1.5), <, 1e-9);

  /* No layer in common: no answer rather than a wrong one. */
  add_timed_layer (other, "elsewhere", "f32 gemm", 1);
  g_assert_false (qviz_chart_worst_ratio_layer (other, int8, NULL, NULL, NULL));
}

/* A run with two cold passes and ten warm passes of 10 ms, and three
 * layers: "a" takes 15 ms in cold pass 1 against 5 ms warm, "b" 6 against
 * 4, "c" 2 against 3 (faster cold).  Whole pass first_cold_ms cold. */
static QvizRun *
cold_run (double first_cold_ms)
{
  QvizRun *run = qviz_run_new ();
  const char *names[] = { "block/a", "block/b", "c" };
  const float cold1[] = { 15, 6, 2 }, cold2[] = { 5.2f, 4, 3 }, warm[] = { 5, 4, 3 };
  double second = 11;

  run->precision = g_strdup ("int8");
  run->height = run->width = 64;
  run->threads = 1;
  run->plan_ms = 7;
  g_array_append_val (run->cold_ms, first_cold_ms);
  g_array_append_val (run->cold_ms, second);
  for (guint i = 0; i < 10; i++)
    {
      double ms = 10 + (i % 2 ? 0.1 : -0.1);
      g_array_append_val (run->warm_ms, ms);
    }
  for (guint l = 0; l < 3; l++)
    {
      QvizRunLayer *layer = qviz_run_add_layer (run);
      gint64 start = l * 4000000;

      layer->name = g_strdup (names[l]);
      layer->op = g_strdup ("conv");
      layer->kernel = g_strdup ("k");
      g_array_append_val (layer->pass_ms, cold1[l]);
      g_array_append_val (layer->pass_ms, cold2[l]);
      for (guint i = 0; i < 10; i++)
        {
          float ms = warm[l] + (i % 2 ? 0.05f : -0.05f);
          g_array_append_val (layer->pass_ms, ms);
        }
      qviz_run_add_span (run, 0, TRUE, (int) l, NULL, start, start + (gint64) (cold1[l] * 1e6));
    }
  qviz_run_compute_stats (run);
  return run;
}

/* Each layer's p10..p90 over the warm passes rides on its span, and the
 * painter draws it only when asked. */
static void
test_flame_spread (void)
{
  g_autoptr (QvizRun) run = cold_run (30);
  QvizFlameData *data = qviz_chart_flame_from_runs (NULL, -1, run, 0);
  g_autoptr (QvizFlamePainter) painter = qviz_flame_painter_new (NULL);
  const QvizChartStyle *style = qviz_chart_style_get_light ();
  cairo_surface_t *plain = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1000, 220);
  cairo_surface_t *spread = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1000, 220);
  int idx = qviz_flame_data_lookup (data, 0, "block/a");
  const QvizFlameSpan *a;
  cairo_t *cr;

  g_assert_cmpint (idx, >=, 0);
  a = qviz_flame_data_get_span (data, (guint) idx);
  /* warm passes of "a": 4.95 and 5.05 ms */
  g_assert_cmpfloat (fabs (a->spread_lo_ns - 4.95e6), <, 0.02e6);
  g_assert_cmpfloat (fabs (a->spread_hi_ns - 5.05e6), <, 0.02e6);

  qviz_flame_painter_set_data (painter, data);
  cr = cairo_create (plain);
  qviz_flame_painter_paint (painter, cr, 1000, 220);
  cairo_destroy (cr);
  qviz_flame_painter_set_show_spread (painter, TRUE);
  cr = cairo_create (spread);
  qviz_flame_painter_paint (painter, cr, 1000, 220);
  cairo_destroy (cr);
  g_assert_cmpuint (count_colour (spread, &style->foreground, 8), >, count_colour (plain, &style->foreground, 8) + 20);
  cairo_surface_destroy (plain);
  cairo_surface_destroy (spread);
}

/* Plan time by layer: longest first, the rest not per layer; no breakdown
 * for a run without per-layer plan times. */
static void
test_plan_breakdown (void)
{
  g_autoptr (QvizRun) run = cold_run (30);
  g_autoptr (QvizRun) old = cold_run (30);
  g_autoptr (QvizPlanBreakdown) pb = NULL;
  const double plan[] = { 1.0, 3.0, 0.5 };
  const QvizPlanLayer *l;

  for (guint i = 0; i < 3; i++)
    qviz_run_get_layer (run, i)->plan_ms = plan[i];
  pb = qviz_plan_breakdown_new (run);
  g_assert_nonnull (pb);
  g_assert_cmpfloat_with_epsilon (pb->plan_ms, 7, 1e-9);
  g_assert_cmpfloat_with_epsilon (pb->layers_ms, 4.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (pb->rest_ms, 2.5, 1e-9);
  g_assert_cmpuint (pb->layers->len, ==, 3);
  l = &g_array_index (pb->layers, QvizPlanLayer, 0);
  g_assert_cmpstr (l->name, ==, "block/b");
  g_assert_cmpfloat_with_epsilon (l->share, 3.0 / 7, 1e-9);
  g_assert_cmpstr (g_array_index (pb->layers, QvizPlanLayer, 1).name, ==, "block/a");
  g_assert_cmpstr (g_array_index (pb->layers, QvizPlanLayer, 2).name, ==, "c");

  /* per-layer times of a store written before they were kept: NAN */
  g_assert_null (qviz_plan_breakdown_new (old));
}

static void
test_cold_start_figures (void)
{
  g_autoptr (QvizRun) run = cold_run (30);
  g_autoptr (QvizColdPass) first = qviz_cold_pass_new (run, 0);
  g_autoptr (QvizColdPass) second = qviz_cold_pass_new (run, 1);
  g_autoptr (QvizColdPass) missing = qviz_cold_pass_new (run, 2);
  g_autoptr (GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_free);
  const QvizColdLayer *l;
  QvizFlameData *flame;
  guint n_layer_spans = 0;

  g_assert_nonnull (first);
  g_assert_cmpfloat_with_epsilon (first->plan_ms, 7, 1e-9);
  g_assert_cmpfloat_with_epsilon (first->cold_ms, 30, 1e-9);
  g_assert_cmpfloat_with_epsilon (first->warm_ms, 10, 1e-6);
  g_assert_cmpfloat_with_epsilon (first->extra_ms, 20, 1e-6);
  /* Layers: +10, +2, -1; what is left is outside every layer. */
  g_assert_cmpfloat_with_epsilon (first->layers_extra_ms, 11, 1e-4);
  g_assert_cmpfloat_with_epsilon (first->outside_ms, 9, 1e-4);
  g_assert_cmpuint (first->layers->len, ==, 3);
  l = &g_array_index (first->layers, QvizColdLayer, 0);
  g_assert_cmpstr (l->name, ==, "block/a");
  g_assert_cmpfloat_with_epsilon (l->extra_ms, 10, 1e-4);
  g_assert_cmpfloat_with_epsilon (l->share, 0.5, 1e-4);
  g_assert_true (l->beyond_noise);
  l = &g_array_index (first->layers, QvizColdLayer, 1);
  g_assert_cmpstr (l->name, ==, "block/b");
  g_assert_true (l->beyond_noise);
  l = &g_array_index (first->layers, QvizColdLayer, 2);
  g_assert_cmpstr (l->name, ==, "c");
  g_assert_cmpfloat (l->extra_ms, <, 0);
  g_assert_false (l->beyond_noise);

  /* The second pass is close to warm: "a" is only 0.2 ms over. */
  g_assert_nonnull (second);
  g_assert_cmpfloat_with_epsilon (second->extra_ms, 1, 1e-6);
  g_assert_cmpstr (g_array_index (second->layers, QvizColdLayer, 0).name, ==, "block/a");
  g_assert_null (missing);

  /* The flame chart of cold pass 1: each layer's cold/warm ratio, "c"
   * (not above its warm p90) flagged within noise; no spans for pass 2. */
  flame = qviz_chart_flame_cold_diff (run, 0);
  g_assert_nonnull (flame);
  g_assert_cmpuint (qviz_flame_data_get_n_bands (flame), ==, 1);
  for (guint i = 0; i < qviz_flame_data_get_n_spans (flame); i++)
    {
      const QvizFlameSpan *span = qviz_flame_data_get_span (flame, i);
      if (span->layer_index < 0)
        continue;
      n_layer_spans++;
      if (g_str_equal (span->name, "block/a"))
        {
          g_assert_cmpfloat_with_epsilon (span->ratio, 3, 0.05);
          g_assert_false (span->flags & QVIZ_SPAN_WITHIN_NOISE);
        }
      else if (g_str_equal (span->name, "c"))
        {
          g_assert_cmpfloat (span->ratio, <, 1);
          g_assert_true (span->flags & QVIZ_SPAN_WITHIN_NOISE);
        }
    }
  g_assert_cmpuint (n_layer_spans, ==, 3);
  qviz_flame_data_free (flame);
  g_assert_null (qviz_chart_flame_cold_diff (run, 1));

  /* The run whose first pass is the largest multiple of its steady state. */
  g_ptr_array_add (runs, cold_run (12));
  g_ptr_array_add (runs, NULL);
  g_ptr_array_add (runs, cold_run (40));
  g_ptr_array_add (runs, cold_run (20));
  g_assert_cmpint (qviz_cold_worst_run (runs), ==, 2);
}

/* A precision other than f32 and int8 gets bars of its own: its time is
 * never added to the float bars. */
static void
test_breakdown_other_precision (void)
{
  g_autoptr (GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_free);
  QvizRun *f32 = cold_run (30), *bf16 = cold_run (30);
  g_autoptr (QvizBreakdown) b = NULL;

  g_free (f32->precision);
  f32->precision = g_strdup ("f32");
  g_free (bf16->precision);
  bf16->precision = g_strdup ("bf16");
  /* bf16 layers take twice the time of the float ones. */
  for (guint l = 0; l < bf16->layers->len; l++)
    qviz_run_get_layer (bf16, l)->stats.median *= 2;
  g_ptr_array_add (runs, f32);
  g_ptr_array_add (runs, bf16);
  b = qviz_chart_breakdown_from_runs (runs, 0);
  g_assert_cmpuint (b->n_precisions, ==, 3);
  g_assert_cmpstr (b->precisions[0], ==, "f32");
  g_assert_cmpstr (b->precisions[1], ==, "int8");
  g_assert_cmpstr (b->precisions[2], ==, "bf16");
  /* Warm medians of the three layers: 5 + 4 + 3 ms. */
  g_assert_cmpfloat_with_epsilon (qviz_breakdown_get_total (b, 0, 0), 12, 1e-3);
  g_assert_cmpfloat_with_epsilon (qviz_breakdown_get_total (b, 0, 1), 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (qviz_breakdown_get_total (b, 0, 2), 24, 1e-3);
}

static QvizRun *
timed_run (const char *precision,
           int         size,
           int         threads,
           double      median_ms,
           QvizRunStatus status)
{
  QvizRun *run = qviz_run_new ();

  run->precision = g_strdup (precision);
  run->height = run->width = size;
  run->threads = threads;
  run->status = status;
  run->stats.median = median_ms;
  return run;
}

/* The speed-up is f32 over int8, at the fewest threads only, for sizes
 * where both runs completed, smallest size first. */
static void
test_speedups (void)
{
  g_autoptr (GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_free);
  g_autoptr (GArray) speedups = NULL;
  const QvizChartSpeedup *s;
  int threads = -1;

  g_ptr_array_add (runs, timed_run ("int8", 512, 2, 40, QVIZ_RUN_COMPLETE));
  g_ptr_array_add (runs, timed_run ("f32", 512, 2, 100, QVIZ_RUN_COMPLETE));
  g_ptr_array_add (runs, timed_run ("f32", 512, 4, 10, QVIZ_RUN_COMPLETE));
  g_ptr_array_add (runs, timed_run ("int8", 512, 4, 50, QVIZ_RUN_COMPLETE));
  g_ptr_array_add (runs, timed_run ("f32", 256, 2, 30, QVIZ_RUN_COMPLETE));
  g_ptr_array_add (runs, timed_run ("int8", 256, 2, 60, QVIZ_RUN_COMPLETE));
  g_ptr_array_add (runs, timed_run ("f32", 1024, 2, 400, QVIZ_RUN_COMPLETE));
  g_ptr_array_add (runs, timed_run ("int8", 1024, 2, 100, QVIZ_RUN_CANCELLED));

  speedups = qviz_chart_speedups_from_runs (runs, &threads);
  g_assert_cmpint (threads, ==, 2);
  g_assert_cmpuint (speedups->len, ==, 2);
  s = &g_array_index (speedups, QvizChartSpeedup, 0);
  g_assert_cmpint (s->height, ==, 256);
  g_assert_cmpfloat_with_epsilon (s->speedup, 0.5, 1e-12);
  s = &g_array_index (speedups, QvizChartSpeedup, 1);
  g_assert_cmpint (s->height, ==, 512);
  g_assert_cmpfloat_with_epsilon (s->speedup, 2.5, 1e-12);

  g_ptr_array_set_size (runs, 0);
  g_clear_pointer (&speedups, g_array_unref);
  speedups = qviz_chart_speedups_from_runs (runs, &threads);
  g_assert_cmpuint (speedups->len, ==, 0);
  g_assert_cmpint (threads, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/compare-charts/speedups", test_speedups);
  g_test_add_func ("/compare/engine/slow-layer", test_engine_detects_slow_layer);
  g_test_add_func ("/compare-charts/sort", test_compare_sort);
  g_test_add_func ("/compare/engine/identical-inputs", test_engine_identical_inputs);
  g_test_add_func ("/compare-charts/flame/ratio-colours", test_flame_ratio_colours);
  g_test_add_func ("/compare-charts/flame/diff-adapter", test_flame_diff_adapter);
  g_test_add_func ("/compare-charts/curves/two-sweeps", test_curves_two_sweeps);
  g_test_add_func ("/compare-charts/layers/worst-ratio", test_worst_ratio_layer);
  g_test_add_func ("/compare-charts/curves/adapter", test_curves_from_two_sweeps);
  g_test_add_func ("/compare-charts/table", test_compare_table);
  g_test_add_func ("/cold-start/figures", test_cold_start_figures);
  g_test_add_func ("/cold-start/plan-breakdown", test_plan_breakdown);
  g_test_add_func ("/cold-start/flame-spread", test_flame_spread);
  g_test_add_func ("/compare-charts/breakdown/other-precision", test_breakdown_other_precision);
  g_test_add_func ("/compare-charts/report/export", test_compare_report_export);
  return g_test_run ();
}
