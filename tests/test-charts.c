/* test-charts.c: the chart painters, rendered to image surfaces without a
 * display, checked by their pixels and geometry. */
#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "qviz-axis.h"
#include "qviz-bars-painter.h"
#include "qviz-breakdown-painter.h"
#include "qviz-chart-data.h"
#include "qviz-chart-style.h"
#include "qviz-crossover.h"
#include "qviz-curves-painter.h"
#include "qviz-export.h"
#include "qviz-flame-painter.h"
#include "qviz-report-painter.h"

/* ---- Synthetic MobileNetV3-Large + LR-ASPP -------------------------- */

typedef struct {
  char          *name;
  const char    *op;
  QvizSpanFlags  flags;
  double         f32_ms;
  double         int8_ms;
  const char    *kernel_f32;
  const char    *kernel_int8;
} Layer;

static void
layer_clear (Layer *l)
{
  g_free (l->name);
}

static void
add_layer (GArray        *layers,
           char          *name,
           const char    *op,
           QvizSpanFlags  flags,
           double         f32_ms,
           double         int8_ms,
           const char    *kernel_f32,
           const char    *kernel_int8)
{
  Layer l = { name, op, flags, f32_ms, int8_ms, kernel_f32, kernel_int8 };
  g_array_append_val (layers, l);
}

/* Rough costs: float at 2e7 MAC/ms for GEMM-like layers and 5e6 for
 * depthwise; int8 3x faster except the dilated depthwise slow path, which
 * gets worse with resolution (im2col outgrows the caches). */
static GArray *
mobilenet_layers (double res)
{
  static const struct { int k, exp, out, se, stride, dilation; } cfg[] = {
    { 3, 16, 16, 0, 1, 1 }, { 3, 64, 24, 0, 2, 1 }, { 3, 72, 24, 0, 1, 1 },
    { 5, 72, 40, 1, 2, 1 }, { 5, 120, 40, 1, 1, 1 }, { 5, 120, 40, 1, 1, 1 },
    { 3, 240, 80, 0, 2, 1 }, { 3, 200, 80, 0, 1, 1 }, { 3, 184, 80, 0, 1, 1 },
    { 3, 184, 80, 0, 1, 1 }, { 3, 480, 112, 1, 1, 1 }, { 3, 672, 112, 1, 1, 1 },
    { 5, 672, 160, 1, 1, 2 }, { 5, 960, 160, 1, 1, 2 }, { 5, 960, 160, 1, 1, 2 },
  };
  GArray *layers = g_array_new (FALSE, TRUE, sizeof (Layer));
  double hw = (res / 2) * (res / 2);
  int cin = 16;

  g_array_set_clear_func (layers, (GDestroyNotify) layer_clear);
  add_layer (layers, g_strdup ("backbone/features.0/conv"), "Conv", 0,
             hw * 3 * 16 * 9 / 2e7, hw * 3 * 16 * 9 / 5e7, "f32 conv 3x3 direct avx512", "qs8 conv 3x3 indirect avx512vnni");
  for (guint b = 0; b < G_N_ELEMENTS (cfg); b++)
    {
      int k = cfg[b].k, exp = cfg[b].exp, out = cfg[b].out;
      int blk = 0;
      double dw_f32, dw_int8;

      if (exp != cin)
        {
          add_layer (layers, g_strdup_printf ("backbone/features.%u/block.%d/conv", b + 1, blk), "Conv",
                     QVIZ_SPAN_POINTWISE, hw * cin * exp / 2e7, hw * cin * exp / 6e7,
                     "f32 gemm 1x1 avx512", "qs8 gemm 1x1 avx512vnni");
          blk++;
        }
      hw /= cfg[b].stride * cfg[b].stride;
      dw_f32 = hw * exp * k * k / 5e6;
      if (cfg[b].dilation > 1)
        dw_int8 = dw_f32 * 0.9 * res / 128;
      else
        dw_int8 = dw_f32 / 2.2;
      add_layer (layers, g_strdup_printf ("backbone/features.%u/block.%d/conv", b + 1, blk), "Conv",
                 QVIZ_SPAN_DEPTHWISE | (cfg[b].dilation > 1 ? QVIZ_SPAN_DILATED : 0),
                 dw_f32, dw_int8, "f32 dwconv indirect avx512",
                 cfg[b].dilation > 1 ? "qs8 dwconv im2col+gemm (fallback)" : "qs8 dwconv indirect avx512vnni");
      blk++;
      if (cfg[b].se)
        {
          add_layer (layers, g_strdup_printf ("backbone/features.%u/block.%d/avgpool", b + 1, blk), "GlobalAveragePool", 0,
                     hw * exp / 4e8, hw * exp / 8e8, "f32 gavgpool", "qu8 gavgpool");
          add_layer (layers, g_strdup_printf ("backbone/features.%u/block.%d/fc1", b + 1, blk), "Conv", QVIZ_SPAN_POINTWISE,
                     0.01, 0.006, "f32 gemm 1x1", "qs8 gemm 1x1");
          add_layer (layers, g_strdup_printf ("backbone/features.%u/block.%d/fc2", b + 1, blk), "Conv", QVIZ_SPAN_POINTWISE,
                     0.01, 0.006, "f32 gemm 1x1", "qs8 gemm 1x1");
          add_layer (layers, g_strdup_printf ("backbone/features.%u/block.%d/mul", b + 1, blk), "Mul", 0,
                     hw * exp / 6e8, hw * exp / 9e8, "f32 vmul", "qu8 vmul lut");
          blk++;
        }
      add_layer (layers, g_strdup_printf ("backbone/features.%u/block.%d/conv", b + 1, blk), "Conv",
                 QVIZ_SPAN_POINTWISE, hw * exp * out / 2e7, hw * exp * out / 6e7,
                 "f32 gemm 1x1 avx512", "qs8 gemm 1x1 avx512vnni");
      if (cfg[b].stride == 1 && cin == out)
        add_layer (layers, g_strdup_printf ("backbone/features.%u/add", b + 1), "Add", 0,
                   hw * out / 6e8, hw * out / 9e8, "f32 vadd", "qu8 vadd");
      cin = out;
    }
  add_layer (layers, g_strdup ("backbone/features.16/conv"), "Conv", QVIZ_SPAN_POINTWISE,
             hw * 160 * 960 / 2e7, hw * 160 * 960 / 6e7, "f32 gemm 1x1 avx512", "qs8 gemm 1x1 avx512vnni");
  add_layer (layers, g_strdup ("classifier/cbr/conv"), "Conv", QVIZ_SPAN_POINTWISE,
             hw * 960 * 128 / 2e7, hw * 960 * 128 / 6e7, "f32 gemm 1x1 avx512", "qs8 gemm 1x1 avx512vnni");
  add_layer (layers, g_strdup ("classifier/scale/avgpool"), "AveragePool", 0, hw * 960 / 4e8, hw * 960 / 8e8,
             "f32 avgpool", "qu8 avgpool");
  add_layer (layers, g_strdup ("classifier/scale/conv"), "Conv", QVIZ_SPAN_POINTWISE, 0.03, 0.012,
             "f32 gemm 1x1", "qs8 gemm 1x1");
  add_layer (layers, g_strdup ("classifier/mul"), "Mul", 0, hw * 128 / 6e8, hw * 128 / 9e8, "f32 vmul", "qu8 vmul");
  add_layer (layers, g_strdup ("classifier/low_classifier/conv"), "Conv", QVIZ_SPAN_POINTWISE,
             hw * 16 * 40 * 21 / 2e7, hw * 16 * 40 * 21 / 6e7, "f32 gemm 1x1", "qs8 gemm 1x1");
  add_layer (layers, g_strdup ("classifier/high_classifier/conv"), "Conv", QVIZ_SPAN_POINTWISE,
             hw * 128 * 21 / 2e7, hw * 128 * 21 / 6e7, "f32 gemm 1x1", "qs8 gemm 1x1");
  add_layer (layers, g_strdup ("classifier/resize"), "Resize", 0, res * res * 21 / 3e8, res * res * 21 / 4e8,
             "f32 resize bilinear", "qu8 resize bilinear");
  return layers;
}

/* Float pass in band 0, int8 pass in band 1, recorded one after the other
 * on one clock (so the layout must rebase each band), with the int8
 * fallback split into kernel phases. */
static QvizFlameData *
mobilenet_flame (double res)
{
  g_autoptr(GArray) layers = mobilenet_layers (res);
  QvizFlameData *data = qviz_flame_data_new ();
  gint64 t = 5000000;

  qviz_flame_data_add_band (data, "float32 pass");
  qviz_flame_data_add_band (data, "int8 pass");
  for (guint band = 0; band < 2; band++)
    {
      for (guint i = 0; i < layers->len; i++)
        {
          const Layer *l = &g_array_index (layers, Layer, i);
          gint64 dur = (gint64) ((band == 0 ? l->f32_ms : l->int8_ms) * 1e6);
          guint span = qviz_flame_data_add_span (data, band, l->name, NULL, t, t + dur, l->op,
                                                 band == 0 ? l->kernel_f32 : l->kernel_int8,
                                                 l->flags, i);

          qviz_flame_data_set_span_quality (data, span, l->int8_ms / l->f32_ms, 38.0);
          if (band == 1 && (l->flags & QVIZ_SPAN_DILATED))
            {
              g_autofree char *im2col = g_strdup_printf ("%s/im2col", l->name);
              g_autofree char *gemm = g_strdup_printf ("%s/gemm", l->name);

              qviz_flame_data_add_span (data, band, im2col, NULL, t, t + dur * 6 / 10, NULL, NULL, 0, -1);
              qviz_flame_data_add_span (data, band, gemm, NULL, t + dur * 6 / 10, t + dur, NULL, NULL, 0, -1);
            }
          t += dur + 2000;
        }
      t += 1000000000;
    }
  return data;
}

static const double resolutions[] = { 256, 384, 512, 768, 1024 };

static void
mobilenet_curves (GPtrArray *out)
{
  for (guint threads = 1; threads <= 2; threads++)
    {
      QvizCurveSeries *f32 = qviz_curve_series_new ("f32", threads);
      QvizCurveSeries *int8 = qviz_curve_series_new ("int8", threads);

      for (guint r = 0; r < G_N_ELEMENTS (resolutions); r++)
        {
          g_autoptr(GArray) layers = mobilenet_layers (resolutions[r]);
          double a = 0, b = 0;

          for (guint i = 0; i < layers->len; i++)
            {
              const Layer *l = &g_array_index (layers, Layer, i);
              a += l->f32_ms / (threads == 1 ? 1 : 1.8);
              b += l->int8_ms / (threads == 1 ? 1 : ((l->flags & QVIZ_SPAN_DILATED) ? 1.1 : 1.7));
            }
          qviz_curve_series_add (f32, resolutions[r], a, a * 0.96, a * 1.09);
          qviz_curve_series_add (int8, resolutions[r], b, b * 0.95, b * 1.12);
        }
      g_ptr_array_add (out, f32);
      g_ptr_array_add (out, int8);
    }
}

static QvizBreakdown *
mobilenet_breakdown (void)
{
  static const char * const precisions[] = { "f32", "int8" };
  QvizBreakdown *bd = qviz_breakdown_new (G_N_ELEMENTS (resolutions), resolutions, 2, precisions);

  for (guint r = 0; r < G_N_ELEMENTS (resolutions); r++)
    {
      g_autoptr(GArray) layers = mobilenet_layers (resolutions[r]);

      for (guint i = 0; i < layers->len; i++)
        {
          const Layer *l = &g_array_index (layers, Layer, i);
          QvizLayerClass c = qviz_layer_class_classify (l->op, l->flags);

          qviz_breakdown_add (bd, r, 0, c, l->f32_ms);
          qviz_breakdown_add (bd, r, 1, c, l->int8_ms);
        }
    }
  return bd;
}

static GPtrArray *
mobilenet_rows (double res)
{
  g_autoptr(GArray) layers = mobilenet_layers (res);
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_layer_row_free);

  for (guint i = 0; i < layers->len; i++)
    {
      const Layer *l = &g_array_index (layers, Layer, i);
      QvizLayerRow *row = qviz_layer_row_new (l->name, l->op, l->flags, l->f32_ms, l->int8_ms);

      row->kernel_f32 = g_strdup (l->kernel_f32);
      row->kernel_int8 = g_strdup (l->kernel_int8);
      row->sqnr = 30 + (i % 7) * 1.5;
      row->layer_index = i;
      g_ptr_array_add (rows, row);
    }
  return rows;
}

static QvizReportPainter *
mobilenet_report (const QvizChartStyle *style)
{
  QvizReportPainter *report = qviz_report_painter_new (style);
  g_autoptr(QvizReportInfo) info = qviz_report_info_new ("MobileNetV3-Large + LR-ASPP: float32 vs int8");
  g_autoptr(GPtrArray) series = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_curve_series_free);
  g_autoptr(QvizBreakdown) bd = mobilenet_breakdown ();
  g_autoptr(GPtrArray) rows = mobilenet_rows (1024);

  qviz_report_info_set_subtitle (info, "Sweep of 5 resolutions x 2 thread counts, 30 iterations each");
  qviz_report_info_add_model_line (info, "lraspp_mobilenet_v3_large (built-in), 21 classes");
  qviz_report_info_add_model_line (info, "3.2 M parameters, 2.09 GMAC at 512 x 512");
  qviz_report_info_add_model_line (info, "int8: per-channel weights, 64 calibration inputs (min/max)");
  qviz_report_info_add_machine_line (info, "AMD EPYC 9R14, 2 cores, AVX-512 VNNI");
  qviz_report_info_add_machine_line (info, "L2 1 MiB, L3 32 MiB, 8 GiB memory");
  qviz_report_info_add_machine_line (info, "Debian 12, qviz 0.1.0");
  qviz_report_painter_set_info (report, info);
  mobilenet_curves (series);
  for (guint i = 0; i < series->len; i++)
    qviz_report_painter_add_series (report, g_ptr_array_index (series, i));
  qviz_report_painter_set_breakdown (report, bd);
  qviz_report_painter_set_layers (report, rows);
  return report;
}

/* ---- Pixels ---------------------------------------------------------- */

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
pixel_at (cairo_surface_t *s,
          int              x,
          int              y)
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
pixel_is (Pixel           p,
          const QvizRgba *c,
          int             tolerance)
{
  return ABS (p.r - (int) lround (c->red * 255)) <= tolerance &&
         ABS (p.g - (int) lround (c->green * 255)) <= tolerance &&
         ABS (p.b - (int) lround (c->blue * 255)) <= tolerance;
}

static guint
count_colour (cairo_surface_t *s,
              const QvizRgba  *c,
              int              tolerance)
{
  guint n = 0;
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (pixel_is (pixel_at (s, x, y), c, tolerance))
        n++;
  return n;
}

static void
paint_flame (QvizFlamePainter *painter,
             cairo_surface_t  *surface)
{
  cairo_t *cr = cairo_create (surface);

  qviz_flame_painter_paint (painter, cr, cairo_image_surface_get_width (surface),
                            cairo_image_surface_get_height (surface));
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
}

/* ---- Axis ------------------------------------------------------------ */

static void
test_axis_ticks (void)
{
  g_autoptr(GArray) lin = NULL;
  g_autoptr(GArray) logt = NULL;
  double step;
  g_autofree char *a = qviz_format_ms (0.85);
  g_autofree char *b = qviz_format_ms (12.345);
  g_autofree char *c = qviz_format_ms (1250);
  g_autofree char *d = qviz_format_ms_tick (1.5, 0.5);
  g_autofree char *e = qviz_format_ns (2500);

  lin = qviz_axis_ticks_linear (0, 7.3, 5, &step);
  g_assert_cmpfloat (step, ==, 2);
  g_assert_cmpuint (lin->len, ==, 4);
  for (guint i = 0; i < lin->len; i++)
    {
      double v = g_array_index (lin, double, i);
      g_assert_cmpfloat (v, >=, 0);
      g_assert_cmpfloat (v, <=, 7.3);
      g_assert_cmpfloat (fabs (v / step - round (v / step)), <, 1e-9);
    }

  logt = qviz_axis_ticks_log10 (3, 900, 6);
  g_assert_cmpuint (logt->len, ==, 2);
  g_assert_cmpfloat (g_array_index (logt, double, 0), ==, 10);
  g_assert_cmpfloat (g_array_index (logt, double, 1), ==, 100);
  g_array_unref (logt);
  logt = qviz_axis_ticks_log10 (3, 90, 9);
  /* 5, 10, 20, 50 */
  g_assert_cmpuint (logt->len, ==, 4);
  g_assert_cmpfloat (g_array_index (logt, double, 0), ==, 5);

  g_assert_cmpstr (a, ==, "850 µs");
  g_assert_cmpstr (b, ==, "12.3 ms");
  g_assert_cmpstr (c, ==, "1.25 s");
  g_assert_cmpstr (d, ==, "1.5 ms");
  g_assert_cmpstr (e, ==, "2.50 µs");
}

/* ---- Flame layout ---------------------------------------------------- */

static void
test_flame_layout (void)
{
  g_autoptr(QvizFlameData) data = mobilenet_flame (512);
  const char *chain[] = { "backbone", "backbone/features.13", "backbone/features.13/block.1",
                          "backbone/features.13/block.1/conv" };
  int prev = -1;
  guint n_spans = qviz_flame_data_get_n_spans (data);

  /* Each band is rebased to its own start. */
  g_assert_cmpuint (qviz_flame_data_get_n_bands (data), ==, 2);
  g_assert_cmpint (qviz_flame_data_get_span (data, 0)->start_ns, ==, 0);
  for (guint band = 0; band < 2; band++)
    {
      int first = qviz_flame_data_lookup (data, band, "backbone/features.0/conv");
      g_assert_cmpint (first, >=, 0);
      g_assert_cmpint (qviz_flame_data_get_span (data, first)->start_ns, ==, 0);
    }

  /* Module spans nest by path, cover their children, and the int8 fallback
   * has its phases one level below the layer. */
  for (guint i = 0; i < G_N_ELEMENTS (chain); i++)
    {
      int idx = qviz_flame_data_lookup (data, 1, chain[i]);
      const QvizFlameSpan *s;

      g_assert_cmpint (idx, >=, 0);
      s = qviz_flame_data_get_span (data, idx);
      g_assert_cmpuint (s->depth, ==, i + 1);
      g_assert_cmpuint (s->band, ==, 1);
      g_assert_cmpstr (s->name, ==, chain[i]);
      if (i == 0)
        g_assert_true (qviz_flame_data_get_span (data, s->parent)->flags & QVIZ_SPAN_PASS);
      else
        g_assert_cmpint (s->parent, ==, prev);
      if (i < 3)
        g_assert_true (s->flags & QVIZ_SPAN_MODULE);
      else
        g_assert_true (s->flags & QVIZ_SPAN_DILATED);
      prev = idx;
    }
  {
    int gemm = qviz_flame_data_lookup (data, 1, "backbone/features.13/block.1/conv/gemm");
    g_assert_cmpint (gemm, >=, 0);
    g_assert_cmpint (qviz_flame_data_get_span (data, gemm)->parent, ==, prev);
    g_assert_cmpuint (qviz_flame_data_get_span (data, gemm)->depth, ==, 5);
    g_assert_cmpuint (qviz_flame_data_get_band_depth (data, 1), ==, 6);
    g_assert_cmpuint (qviz_flame_data_get_band_depth (data, 0), ==, 5);
  }

  /* Every non-leaf span's extent is exactly its children's hull. */
  {
    g_autofree gint64 *lo = g_new (gint64, n_spans);
    g_autofree gint64 *hi = g_new (gint64, n_spans);

    for (guint i = 0; i < n_spans; i++)
      {
        lo[i] = G_MAXINT64;
        hi[i] = G_MININT64;
      }
    for (guint i = 0; i < n_spans; i++)
      {
        const QvizFlameSpan *s = qviz_flame_data_get_span (data, i);
        if (s->parent >= 0)
          {
            const QvizFlameSpan *p = qviz_flame_data_get_span (data, s->parent);
            g_assert_cmpuint (p->depth + 1, ==, s->depth);
            g_assert_cmpuint (p->band, ==, s->band);
            g_assert_true (g_str_has_prefix (s->name, p->name) || (p->flags & QVIZ_SPAN_PASS));
            lo[s->parent] = MIN (lo[s->parent], s->start_ns);
            hi[s->parent] = MAX (hi[s->parent], s->end_ns);
          }
      }
    for (guint i = 0; i < n_spans; i++)
      {
        const QvizFlameSpan *s = qviz_flame_data_get_span (data, i);
        if (s->flags & (QVIZ_SPAN_MODULE | QVIZ_SPAN_PASS))
          {
            g_assert_cmpint (s->start_ns, ==, lo[i]);
            g_assert_cmpint (s->end_ns, ==, hi[i]);
          }
      }
  }

  /* Rows are sorted by start, and the lookup by time finds the same span. */
  for (guint band = 0; band < 2; band++)
    for (guint d = 0; d < qviz_flame_data_get_band_depth (data, band); d++)
      {
        guint n;
        const guint *row = qviz_flame_data_get_row (data, band, d, &n);

        g_assert_cmpuint (n, >, 0);
        for (guint k = 0; k < n; k++)
          {
            const QvizFlameSpan *s = qviz_flame_data_get_span (data, row[k]);
            g_assert_cmpuint (s->depth, ==, d);
            if (k > 0)
              g_assert_cmpint (qviz_flame_data_get_span (data, row[k - 1])->start_ns, <=, s->start_ns);
            if (s->end_ns > s->start_ns)
              g_assert_cmpint (qviz_flame_data_find_span (data, band, d, (s->start_ns + s->end_ns) / 2, 0),
                               ==, (int) row[k]);
          }
      }
  /* Between two layers (a 2 us gap) there is nothing without tolerance. */
  {
    int a = qviz_flame_data_lookup (data, 0, "backbone/features.0/conv");
    const QvizFlameSpan *s = qviz_flame_data_get_span (data, a);
    g_assert_cmpint (qviz_flame_data_find_span (data, 0, 3, s->end_ns + 1000, 0), ==, -1);
    g_assert_cmpint (qviz_flame_data_find_span (data, 0, 3, s->end_ns + 1000, 1500), ==, a);
  }
  /* Adding a span invalidates the layout but keeps the caller's indices. */
  {
    int idx = qviz_flame_data_lookup (data, 0, "backbone/features.0/conv");
    qviz_flame_data_add_span (data, 0, "extra/tail", NULL, G_GINT64_CONSTANT (9000000000),
                              G_GINT64_CONSTANT (9000100000), "Identity", NULL, 0, -1);
    g_assert_cmpint (qviz_flame_data_lookup (data, 0, "backbone/features.0/conv"), ==, idx);
    g_assert_cmpint (qviz_flame_data_lookup (data, 0, "extra"), >=, 0);
  }
}

/* A small fixed flame: four 100 us layers of distinct kinds. */
static QvizFlameData *
four_layer_flame (void)
{
  QvizFlameData *data = qviz_flame_data_new ();

  qviz_flame_data_add_band (data, "float32 pass");
  qviz_flame_data_add_span (data, 0, "net/aspp/conv", "dilated", 0, 100000, "Conv", NULL, QVIZ_SPAN_DILATED, 0);
  qviz_flame_data_add_span (data, 0, "net/head/conv", "plain", 100000, 200000, "Conv", NULL, 0, 1);
  qviz_flame_data_add_span (data, 0, "net/block/dw", "dw", 200000, 300000, "Conv", NULL, QVIZ_SPAN_DEPTHWISE, 2);
  qviz_flame_data_add_span (data, 0, "net/block/pw", "pw", 300000, 400000, "Conv", NULL, QVIZ_SPAN_POINTWISE, 3);
  return data;
}

/* A range's summary counts each layer it overlaps once, with only the part
 * inside the range, and nothing of kernel phases or other bands. */
static void
test_flame_range (void)
{
  g_autoptr(GArray) layers = mobilenet_layers (512);
  QvizFlameData *data = mobilenet_flame (512);
  g_autoptr(QvizFlamePainter) painter = qviz_flame_painter_new (NULL);
  cairo_surface_t *surface = new_image (1200, 420);
  QvizFlameRangeSummary sum;
  const QvizFlameSpan *a, *b;
  gint64 total = 0, class_total = 0, duration, t;

  for (guint i = 0; i < layers->len; i++)
    total += (gint64) (g_array_index (layers, Layer, i).f32_ms * 1e6);
  duration = qviz_flame_data_get_duration (data);
  qviz_flame_data_summarize_range (data, 0, 0, duration, &sum);
  g_assert_cmpuint (sum.n_layers, ==, layers->len);
  g_assert_cmpint (sum.layers_ns, ==, total);
  for (guint c = 0; c < QVIZ_N_LAYER_CLASSES; c++)
    class_total += sum.class_ns[c];
  g_assert_cmpint (class_total, ==, total);

  /* From the middle of layer 1 to the end of layer 2. */
  a = qviz_flame_data_get_span (data, qviz_flame_data_lookup (data, 0, g_array_index (layers, Layer, 1).name));
  b = qviz_flame_data_get_span (data, qviz_flame_data_lookup (data, 0, g_array_index (layers, Layer, 2).name));
  qviz_flame_data_summarize_range (data, 0, (a->start_ns + a->end_ns) / 2, b->end_ns, &sum);
  g_assert_cmpuint (sum.n_layers, ==, 2);
  g_assert_cmpint (sum.layers_ns, ==, a->end_ns - (a->start_ns + a->end_ns) / 2 + (b->end_ns - b->start_ns));
  /* An empty range holds nothing. */
  qviz_flame_data_summarize_range (data, 1, 500, 500, &sum);
  g_assert_cmpuint (sum.n_layers, ==, 0);

  /* The minimap maps the whole pass whatever the view, and the chart
   * below it still hit-tests where it drew. */
  qviz_flame_painter_set_data (painter, data);
  qviz_flame_painter_set_show_minimap (painter, TRUE);
  qviz_flame_painter_set_view (painter, duration / 2, duration / 2 + duration / 10);
  qviz_flame_painter_set_range (painter, duration / 2 + duration / 40, duration / 2 + duration / 20);
  paint_flame (painter, surface);
  g_assert_true (qviz_flame_painter_minimap_time (painter, 8 + (1200 - 16) * 0.25, 10, &t));
  g_assert_cmpint (llabs (t - duration / 4), <, duration / 500);
  g_assert_false (qviz_flame_painter_minimap_time (painter, 600, 200, &t));
  {
    cairo_rectangle_t r;
    int hit = -1;

    for (guint d = 1; d < qviz_flame_data_get_band_depth (data, 1) && hit < 0; d++)
      {
        guint n;
        const guint *row = qviz_flame_data_get_row (data, 1, d, &n);

        for (guint i = 0; i < n && hit < 0; i++)
          if (qviz_flame_painter_get_span_rect (painter, row[i], &r)
              && MIN (r.x + r.width, 1190) - MAX (r.x, 10) > 6)
            hit = (int) row[i];
      }
    g_assert_cmpint (hit, >=, 0);
    g_assert_true (qviz_flame_painter_get_span_rect (painter, hit, &r));
    g_assert_cmpfloat (r.y, >, 28);   /* below the minimap */
    g_assert_cmpint (qviz_flame_painter_hit_test (painter, (MAX (r.x, 10) + MIN (r.x + r.width, 1190)) / 2,
                                                  r.y + r.height / 2), ==, hit);
  }
  /* The strip has ink: not all background. */
  {
    const QvizChartStyle *style = qviz_chart_style_get_light ();
    guint bg = 0;
    for (int x = 8; x < 1192; x++)
      bg += pixel_is (pixel_at (surface, x, 14), &style->band_background, 2)
            || pixel_is (pixel_at (surface, x, 14), &style->background, 2);
    g_assert_cmpuint (bg, <, 1184 * 9 / 10);
  }
  cairo_surface_destroy (surface);
}

static void
test_flame_hit_test (void)
{
  g_autoptr(QvizFlamePainter) painter = qviz_flame_painter_new (NULL);
  cairo_surface_t *surface = new_image (1000, 400);
  QvizFlameData *data = mobilenet_flame (1024);
  const char *probes[] = { "backbone/features.0/conv", "backbone/features.13/block.1/conv",
                           "backbone/features.13", "classifier/resize", "backbone" };

  qviz_flame_painter_set_data (painter, data);
  paint_flame (painter, surface);

  for (guint band = 0; band < 2; band++)
    for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
      {
        int idx = qviz_flame_data_lookup (data, band, probes[i]);
        cairo_rectangle_t r;

        g_assert_cmpint (idx, >=, 0);
        g_assert_true (qviz_flame_painter_get_span_rect (painter, idx, &r));
        g_assert_cmpint (qviz_flame_painter_hit_test (painter, r.x + r.width / 2, r.y + r.height / 2), ==, idx);
      }

  /* Pass rows: the band label row is the pass itself. */
  {
    int f32_first = qviz_flame_data_lookup (data, 0, "backbone/features.0/conv");
    const QvizFlameSpan *pass0 = qviz_flame_data_get_span (data, qviz_flame_data_get_span (data,
                                   qviz_flame_data_get_span (data, qviz_flame_data_get_span (data, f32_first)->parent)->parent)->parent);
    cairo_rectangle_t r;

    g_assert_true (pass0->flags & QVIZ_SPAN_PASS);
    g_assert_cmpuint (pass0->band, ==, 0);
    g_assert_true (qviz_flame_painter_get_span_rect (painter, f32_first, &r));
    /* Above the layer row at the same x, three rows up, is the pass. */
    g_assert_true (qviz_flame_data_get_span (data, qviz_flame_painter_hit_test (painter, r.x + 1, r.y - 3 * 18 + 5))->flags & QVIZ_SPAN_PASS);
  }

  /* Outside: left margin, the axis strip, below the bands, right margin. */
  g_assert_cmpint (qviz_flame_painter_hit_test (painter, 2, 60), ==, -1);
  g_assert_cmpint (qviz_flame_painter_hit_test (painter, 500, 5), ==, -1);
  g_assert_cmpint (qviz_flame_painter_hit_test (painter, 500, 399), ==, -1);
  g_assert_cmpint (qviz_flame_painter_hit_test (painter, 998, 60), ==, -1);
  /* The float band is shorter than the int8 band (which includes the slow
   * dilated layers): its right end is empty. */
  {
    cairo_rectangle_t r;
    int f32_last = qviz_flame_data_lookup (data, 0, "classifier/resize");

    g_assert_true (qviz_flame_painter_get_span_rect (painter, f32_last, &r));
    g_assert_cmpfloat (r.x + r.width, <, 990);
    g_assert_cmpint (qviz_flame_painter_hit_test (painter, r.x + r.width + 5, r.y + 4), ==, -1);
  }

  cairo_surface_destroy (surface);
}

static void
test_flame_patterns (void)
{
  g_autoptr(QvizFlamePainter) painter = qviz_flame_painter_new (qviz_chart_style_get_light ());
  const QvizChartStyle *style = qviz_chart_style_get_light ();
  cairo_surface_t *surface = new_image (808, 200);
  QvizFlameData *data = four_layer_flame ();
  cairo_rectangle_t dil, plain, dw, pw;
  guint dil_colours = 0, dil_off = 0, plain_off = 0;
  Pixel first = { 0 };
  int y;

  qviz_flame_painter_set_data (painter, data);
  qviz_flame_painter_set_show_labels (painter, FALSE);
  qviz_flame_painter_set_show_legend (painter, FALSE);
  paint_flame (painter, surface);

  g_assert_true (qviz_flame_painter_get_span_rect (painter, 0, &dil));
  g_assert_true (qviz_flame_painter_get_span_rect (painter, 1, &plain));
  g_assert_true (qviz_flame_painter_get_span_rect (painter, 2, &dw));
  g_assert_true (qviz_flame_painter_get_span_rect (painter, 3, &pw));
  g_assert_cmpfloat (dil.width, >, 150);

  /* Dilated conv and plain conv share the class colour; only the dilated
   * one is striped.  A horizontal scan through the dilated span meets the
   * fill and the stripes; the same scan through the plain span meets only
   * the fill. */
  y = (int) (dil.y + dil.height / 2);
  for (int x = (int) dil.x + 4; x < (int) (dil.x + dil.width) - 4; x++)
    {
      Pixel p = pixel_at (surface, x, y);
      if (x == (int) dil.x + 4)
        first = p;
      else if (p.r != first.r || p.g != first.g || p.b != first.b)
        dil_colours++;
      if (!pixel_is (p, &style->class_fill[QVIZ_LAYER_CLASS_CONV], 6))
        dil_off++;
    }
  for (int x = (int) plain.x + 4; x < (int) (plain.x + plain.width) - 4; x++)
    if (!pixel_is (pixel_at (surface, x, y), &style->class_fill[QVIZ_LAYER_CLASS_CONV], 2))
      plain_off++;
  g_assert_cmpuint (plain_off, ==, 0);
  g_assert_cmpuint (dil_off, >, (guint) (dil.width / 7) * 2);
  g_assert_cmpuint (dil_colours, >, 10);
  /* ...and the stripes are diagonal: one row lower they move sideways. */
  {
    guint moved = 0;
    for (int x = (int) dil.x + 4; x < (int) (dil.x + dil.width) - 4; x++)
      {
        Pixel a = pixel_at (surface, x, y), b = pixel_at (surface, x, y + 2);
        if (a.r != b.r || a.g != b.g || a.b != b.b)
          moved++;
      }
    g_assert_cmpuint (moved, >, 10);
  }

  /* Depthwise spans carry an outline, pointwise ones do not. */
  y = (int) (dw.y + dw.height / 2);
  g_assert_true (pixel_is (pixel_at (surface, (int) dw.x + 1, y), &style->outline, 40));
  g_assert_true (pixel_is (pixel_at (surface, (int) dw.x + 10, y), &style->class_fill[QVIZ_LAYER_CLASS_DEPTHWISE], 2));
  g_assert_true (pixel_is (pixel_at (surface, (int) dw.x + 10, (int) dw.y + 1), &style->outline, 40));
  g_assert_true (pixel_is (pixel_at (surface, (int) pw.x + 1, y), &style->class_fill[QVIZ_LAYER_CLASS_POINTWISE], 2));
  g_assert_true (pixel_is (pixel_at (surface, (int) pw.x + 10, (int) pw.y + 1), &style->class_fill[QVIZ_LAYER_CLASS_POINTWISE], 2));

  cairo_surface_destroy (surface);
}

static void
test_flame_culling (void)
{
  g_autoptr(QvizFlamePainter) painter = qviz_flame_painter_new (NULL);
  const QvizChartStyle *style = qviz_chart_style_get_light ();
  cairo_surface_t *surface = new_image (808, 200);
  guint full_rects, dw_pixels;

  qviz_flame_painter_set_data (painter, four_layer_flame ());
  qviz_flame_painter_set_show_labels (painter, FALSE);
  qviz_flame_painter_set_show_legend (painter, FALSE);

  paint_flame (painter, surface);
  full_rects = qviz_flame_painter_get_n_drawn_rects (painter);
  dw_pixels = count_colour (surface, &style->class_fill[QVIZ_LAYER_CLASS_DEPTHWISE], 2);
  g_assert_cmpuint (dw_pixels, >, 1000);
  g_assert_cmpuint (count_colour (surface, &style->class_fill[QVIZ_LAYER_CLASS_POINTWISE], 2), >, 1000);
  /* pass, 4 modules (net, aspp, head, block), 4 layers */
  g_assert_cmpuint (full_rects, ==, 9);

  /* Zoomed onto the first 150 us: the depthwise and pointwise layers are
   * outside and leave no trace; the plain conv is cut at the right edge. */
  qviz_flame_painter_set_view (painter, 0, 150000);
  paint_flame (painter, surface);
  g_assert_cmpuint (count_colour (surface, &style->class_fill[QVIZ_LAYER_CLASS_DEPTHWISE], 2), ==, 0);
  g_assert_cmpuint (count_colour (surface, &style->class_fill[QVIZ_LAYER_CLASS_POINTWISE], 2), ==, 0);
  g_assert_cmpuint (count_colour (surface, &style->class_fill[QVIZ_LAYER_CLASS_CONV], 2), >, 1000);
  /* pass, net, aspp, head, and the two conv layers */
  g_assert_cmpuint (qviz_flame_painter_get_n_drawn_rects (painter), ==, 6);
  {
    cairo_rectangle_t r;
    g_assert_true (qviz_flame_painter_get_span_rect (painter, 1, &r));
    g_assert_cmpfloat (fabs (r.x - (8 + 792 * 100000.0 / 150000)), <, 0.01);
    /* Hit-testing follows the view. */
    g_assert_cmpint (qviz_flame_painter_hit_test (painter, 700, r.y + 5), ==, 1);
    g_assert_cmpint (qviz_flame_painter_hit_test (painter, 100, r.y + 5), ==, 0);
  }

  cairo_surface_destroy (surface);
}

static void
test_flame_merging (void)
{
  g_autoptr(QvizFlamePainter) painter = qviz_flame_painter_new (NULL);
  cairo_surface_t *surface = new_image (800, 160);
  QvizFlameData *data = qviz_flame_data_new ();
  gint64 t0;
  guint n_rects;
  cairo_rectangle_t r;
  int hit;

  qviz_flame_data_add_band (data, "int8 pass");
  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *name = g_strdup_printf ("stage.%u/layer.%u", i / 1000, i);
      qviz_flame_data_add_span (data, 0, name, NULL, i * 1200, i * 1200 + 1000, "Conv", NULL,
                                (i % 3) ? QVIZ_SPAN_POINTWISE : QVIZ_SPAN_DEPTHWISE, i);
    }
  qviz_flame_painter_set_data (painter, data);

  t0 = g_get_monotonic_time ();
  paint_flame (painter, surface);
  n_rects = qviz_flame_painter_get_n_drawn_rects (painter);
  g_test_message ("10000 spans: %u rectangles in %.1f ms", n_rects,
                  (g_get_monotonic_time () - t0) / 1000.0);
  /* Every span is 0.07 px wide: one pass, ten stages, and the layers merged
   * into a handful of runs instead of 10 000 rectangles. */
  g_assert_cmpuint (n_rects, <, 100);
  g_assert_cmpuint (n_rects, >=, 12);

  /* The merged run is still hit-testable and resolves to a real layer near
   * the pointer. */
  g_assert_true (qviz_flame_painter_get_span_rect (painter, 5000, &r));
  hit = qviz_flame_painter_hit_test (painter, r.x, r.y + 5);
  g_assert_cmpint (hit, >=, 0);
  g_assert_cmpint (hit, <, 10000);
  g_assert_cmpint (ABS (hit - 5000), <=, 16);

  /* Zoomed onto 40 layers, each is drawn on its own. */
  qviz_flame_painter_set_view (painter, 5000 * 1200, 5040 * 1200);
  paint_flame (painter, surface);
  n_rects = qviz_flame_painter_get_n_drawn_rects (painter);
  g_assert_cmpuint (n_rects, >=, 40 + 2);
  g_assert_cmpuint (n_rects, <=, 41 + 3);
  g_assert_cmpint (qviz_flame_painter_hit_test (painter, 400, r.y + 5), ==, 5020);

  cairo_surface_destroy (surface);
}

static void
test_flame_search_and_selection (void)
{
  g_autoptr(QvizFlamePainter) painter = qviz_flame_painter_new (NULL);
  const QvizChartStyle *style = qviz_chart_style_get_light ();
  cairo_surface_t *surface = new_image (808, 200);
  cairo_rectangle_t plain, pw;
  cairo_t *cr;

  qviz_flame_painter_set_data (painter, four_layer_flame ());
  qviz_flame_painter_set_show_labels (painter, FALSE);
  qviz_flame_painter_set_show_legend (painter, FALSE);

  cr = cairo_create (surface);
  qviz_flame_painter_paint_view (painter, cr, 808, 200, 0, 0, "HEAD", 3);
  cairo_destroy (cr);
  g_assert_true (qviz_flame_painter_get_span_rect (painter, 1, &plain));
  g_assert_true (qviz_flame_painter_get_span_rect (painter, 3, &pw));

  /* The match keeps its colour, the others fade. */
  g_assert_true (pixel_is (pixel_at (surface, (int) (plain.x + plain.width / 2), (int) (plain.y + plain.height / 2)),
                           &style->class_fill[QVIZ_LAYER_CLASS_CONV], 2));
  g_assert_false (pixel_is (pixel_at (surface, (int) (pw.x + pw.width / 2), (int) (pw.y + pw.height / 2)),
                            &style->class_fill[QVIZ_LAYER_CLASS_POINTWISE], 20));
  /* The selected span is outlined just outside its box. */
  g_assert_true (pixel_is (pixel_at (surface, (int) (pw.x + pw.width / 2), (int) floor (pw.y) - 1),
                           &style->selection, 60));
  g_assert_false (pixel_is (pixel_at (surface, (int) (plain.x + plain.width / 2), (int) floor (plain.y) - 1),
                            &style->selection, 60));

  cairo_surface_destroy (surface);
}

/* ---- Curves ---------------------------------------------------------- */

static void
linear_series (QvizCurvesPainter *painter,
               double             f32_a,
               double             f32_b,
               double             int8_a,
               double             int8_b)
{
  g_autoptr(QvizCurveSeries) f32 = qviz_curve_series_new ("f32", 2);
  g_autoptr(QvizCurveSeries) int8 = qviz_curve_series_new ("int8", 2);

  /* Added out of order on purpose. */
  for (int r = 1024; r >= 256; r -= 128)
    {
      double a = f32_a + f32_b * r, b = int8_a + int8_b * r;
      qviz_curve_series_add (f32, r, a, a * 0.95, a * 1.1);
      qviz_curve_series_add (int8, r, b, b * 0.95, b * 1.1);
    }
  qviz_curves_painter_add_series (painter, f32);
  qviz_curves_painter_add_series (painter, int8);
}

static void
check_crossover_pixels (gboolean log_y)
{
  g_autoptr(QvizCurvesPainter) painter = qviz_curves_painter_new (NULL);
  const QvizChartStyle *style = qviz_chart_style_get_light ();
  cairo_surface_t *surface = new_image (900, 500);
  cairo_t *cr = cairo_create (surface);
  double r = 0, expected_x;
  guint inside = 0, outside = 0;
  cairo_rectangle_t area;

  /* f32 = 50 + 0.5 r, int8 = -94 + 0.7 r: equal at r = 720. */
  linear_series (painter, 50, 0.5, -94, 0.7);
  qviz_curves_painter_set_log_y (painter, log_y);
  g_assert_true (qviz_curves_painter_get_crossover (painter, 2, &r));
  g_assert_cmpfloat (fabs (r - 720), <, 1e-6);
  g_assert_false (qviz_curves_painter_get_crossover (painter, 1, &r));

  qviz_curves_painter_paint (painter, cr, 900, 500);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);

  qviz_curves_painter_get_plot_area (painter, &area);
  g_assert_cmpfloat (area.width, >, 600);
  g_assert_cmpfloat (qviz_curves_painter_resolution_to_x (painter, 256), >, area.x);
  g_assert_cmpfloat (qviz_curves_painter_resolution_to_x (painter, 1024), <, area.x + area.width);
  /* 720 lies 464/768 of the way from 256 to 1024. */
  expected_x = qviz_curves_painter_resolution_to_x (painter, 256) +
               (qviz_curves_painter_resolution_to_x (painter, 1024) -
                qviz_curves_painter_resolution_to_x (painter, 256)) * 464.0 / 768.0;

  for (int y = 0; y < 500; y++)
    for (int x = 0; x < 900; x++)
      if (pixel_is (pixel_at (surface, x, y), &style->crossover, 4))
        {
          if (fabs (x + 0.5 - expected_x) <= 2)
            inside++;
          else
            outside++;
        }
  g_assert_cmpuint (inside, >, area.height * 0.5);
  g_assert_cmpuint (outside, ==, 0);

  cairo_surface_destroy (surface);
}

static void
test_curves_crossover (void)
{
  check_crossover_pixels (FALSE);
  check_crossover_pixels (TRUE);
}

static void
test_curves_no_crossover (void)
{
  g_autoptr(QvizCurvesPainter) painter = qviz_curves_painter_new (NULL);
  cairo_surface_t *surface = new_image (700, 400);
  cairo_t *cr = cairo_create (surface);

  /* int8 always faster, or slower from the start: neither is a crossing. */
  linear_series (painter, 50, 0.5, 10, 0.2);
  g_assert_false (qviz_curves_painter_get_crossover (painter, 2, NULL));
  qviz_curves_painter_clear (painter);
  linear_series (painter, 50, 0.5, 80, 0.6);
  g_assert_false (qviz_curves_painter_get_crossover (painter, 2, NULL));

  qviz_curves_painter_paint (painter, cr, 700, 400);
  cairo_destroy (cr);
  g_assert_cmpuint (count_colour (surface, &qviz_chart_style_get_light ()->crossover, 4), ==, 0);
  cairo_surface_destroy (surface);

  /* The synthetic MobileNet sweep crosses between 512 and 768 with one and
   * two threads. */
  {
    g_autoptr(GPtrArray) series = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_curve_series_free);
    double r1, r2;

    mobilenet_curves (series);
    g_assert_true (qviz_curves_find_crossover (g_ptr_array_index (series, 0), g_ptr_array_index (series, 1), &r1));
    g_assert_true (qviz_curves_find_crossover (g_ptr_array_index (series, 2), g_ptr_array_index (series, 3), &r2));
    g_assert_cmpfloat (r1, >, 384);
    g_assert_cmpfloat (r1, <, 1024);
    g_assert_cmpfloat (r2, <, r1);
  }
}

/* ---- How int8 stands against float, each shape ------------------------ */

/* f32 = fa + fb r and int8 = ia + ib r (plus a bump for int8 between 500
 * and 800 px when @bump is not 0), at 256, 384, ..., 1024 px. */
static void
shaped_pair (GPtrArray *series,
             guint      threads,
             double     fa,
             double     fb,
             double     ia,
             double     ib,
             double     bump)
{
  QvizCurveSeries *f32 = qviz_curve_series_new ("f32", threads);
  QvizCurveSeries *int8 = qviz_curve_series_new ("int8", threads);

  for (int r = 256; r <= 1024; r += 128)
    {
      double a = fa + fb * r, b = ia + ib * r + (r > 500 && r < 800 ? bump : 0);
      qviz_curve_series_add (f32, r, a, a, a);
      qviz_curve_series_add (int8, r, b, b, b);
    }
  g_ptr_array_add (series, f32);
  g_ptr_array_add (series, int8);
}

static QvizCurveRelation
relation_of (GPtrArray *series,
             guint      pair)
{
  QvizCurveRelation relation;
  qviz_curves_relate (g_ptr_array_index (series, 2 * pair),
                      g_ptr_array_index (series, 2 * pair + 1), &relation);
  return relation;
}

static void
test_curves_relation_shapes (void)
{
  g_autoptr(GPtrArray) series = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_curve_series_free);
  QvizCurveRelation r;
  double at;

  /* Faster, then slower: equal at 720 px. */
  shaped_pair (series, 1, 50, 0.5, -94, 0.7, 0);
  /* Slower from the first point on. */
  shaped_pair (series, 2, 50, 0.5, 80, 0.6, 0);
  /* Slower, then faster: 50 + 0.5 r = 194 + 0.3 r at 720 px. */
  shaped_pair (series, 3, 50, 0.5, 194, 0.3, 0);
  /* Faster at every size. */
  shaped_pair (series, 4, 50, 0.5, 10, 0.2, 0);
  /* Faster, slower between 500 and 800 px only, faster again. */
  shaped_pair (series, 5, 50, 0.5, 10, 0.45, 500);

  r = relation_of (series, 0);
  g_assert_cmpint (r.kind, ==, QVIZ_CURVE_RELATION_SLOWER_ABOVE);
  g_assert_cmpfloat (fabs (r.resolution - 720), <, 1e-6);
  g_assert_true (qviz_curves_find_crossover (g_ptr_array_index (series, 0),
                                             g_ptr_array_index (series, 1), &at));
  g_assert_cmpfloat (fabs (at - 720), <, 1e-6);

  r = relation_of (series, 1);
  g_assert_cmpint (r.kind, ==, QVIZ_CURVE_RELATION_INT8_SLOWER);
  g_assert_cmpuint (r.n_crossings, ==, 0);
  g_assert_true (r.int8_slower_first);
  g_assert_cmpfloat (r.first_resolution, ==, 256);
  g_assert_cmpfloat (r.last_resolution, ==, 1024);

  r = relation_of (series, 2);
  g_assert_cmpint (r.kind, ==, QVIZ_CURVE_RELATION_FASTER_ABOVE);
  g_assert_cmpfloat (fabs (r.resolution - 720), <, 1e-6);
  g_assert_true (qviz_curves_find_crossover (g_ptr_array_index (series, 4),
                                             g_ptr_array_index (series, 5), &at));
  g_assert_cmpfloat (fabs (at - 720), <, 1e-6);

  r = relation_of (series, 3);
  g_assert_cmpint (r.kind, ==, QVIZ_CURVE_RELATION_INT8_FASTER);
  g_assert_false (r.int8_slower_first);
  g_assert_false (qviz_curves_find_crossover (g_ptr_array_index (series, 6),
                                              g_ptr_array_index (series, 7), NULL));

  r = relation_of (series, 4);
  g_assert_cmpint (r.kind, ==, QVIZ_CURVE_RELATION_CROSSES_AGAIN);
  g_assert_cmpuint (r.n_crossings, ==, 2);
  g_assert_cmpfloat (r.resolution, >, 384);
  g_assert_cmpfloat (r.resolution, <, 640);

  /* One relation per thread count, in order, each stated as it is. */
  {
    g_autoptr(GArray) all = qviz_curves_relate_all (series);
    g_autofree char *headline = qviz_curve_relations_headline (all);
    const char *expected[] = {
      "1 thread: int8 faster below 720 px, slower above",
      "2 threads: int8 slower at every size (256 to 1024 px)",
      "3 threads: int8 slower below 720 px, faster above",
      "4 threads: int8 faster at every size (256 to 1024 px)",
    };

    g_assert_cmpuint (all->len, ==, 5);
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        g_autofree char *line = qviz_curve_relation_describe (&g_array_index (all, QvizCurveRelation, i));
        g_assert_cmpuint (g_array_index (all, QvizCurveRelation, i).threads, ==, i + 1);
        g_assert_cmpstr (line, ==, expected[i]);
      }
    {
      g_autofree char *line = qviz_curve_relation_describe (&g_array_index (all, QvizCurveRelation, 4));
      g_assert_nonnull (strstr (line, "cross 2 times"));
    }
    g_assert_cmpstr (headline, ==, "Depends on the thread count");
  }

  /* A series of another precision at the same thread count (fp16, slower
   * than int8 everywhere) is not float: the float sentence stays the same,
   * one per thread count. */
  {
    QvizCurveSeries *fp16 = qviz_curve_series_new ("fp16", 2);
    g_autoptr(GArray) all = NULL;
    g_autofree char *line = NULL;

    for (int r = 256; r <= 1024; r += 128)
      qviz_curve_series_add (fp16, r, 1, 1, 1);
    g_ptr_array_add (series, fp16);
    all = qviz_curves_relate_all (series);
    g_assert_cmpuint (all->len, ==, 5);
    line = qviz_curve_relation_describe (&g_array_index (all, QvizCurveRelation, 1));
    g_assert_cmpstr (line, ==, "2 threads: int8 slower at every size (256 to 1024 px)");
    g_ptr_array_remove_index (series, series->len - 1);
  }

  /* The headline of a single shape never calls a slower int8 "faster". */
  {
    struct { guint pair; const char *headline; } cases[] = {
      { 0, "int8 slower above 720 px" },
      { 1, "No crossover: int8 slower at every size" },
      { 2, "int8 faster above 720 px" },
      { 3, "No crossover: int8 faster at every size" },
      { 4, "The curves cross several times" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(GArray) one = g_array_new (FALSE, FALSE, sizeof (QvizCurveRelation));
        g_autofree char *headline = NULL;
        r = relation_of (series, cases[i].pair);
        g_array_append_val (one, r);
        headline = qviz_curve_relations_headline (one);
        g_assert_cmpstr (headline, ==, cases[i].headline);
      }
  }

  /* A float curve with no int8 partner, or no common size, relates to nothing. */
  {
    g_autoptr(GPtrArray) lone = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_curve_series_free);
    g_autoptr(GArray) none = NULL;
    g_autofree char *headline = NULL;
    QvizCurveSeries *f32 = qviz_curve_series_new ("f32", 1);
    QvizCurveSeries *int8 = qviz_curve_series_new ("int8", 2);
    qviz_curve_series_add (f32, 256, 10, 10, 10);
    qviz_curve_series_add (int8, 256, 5, 5, 5);
    g_ptr_array_add (lone, f32);
    g_ptr_array_add (lone, int8);
    none = qviz_curves_relate_all (lone);
    g_assert_cmpuint (none->len, ==, 0);
    headline = qviz_curve_relations_headline (none);
    g_assert_cmpstr (headline, ==, "No size measured in both precisions");
  }
}

/* ---- Breakdown and bars ---------------------------------------------- */

static void
test_breakdown_bars (void)
{
  g_autoptr(QvizBreakdownPainter) painter = qviz_breakdown_painter_new (NULL);
  g_autoptr(QvizBreakdown) bd = mobilenet_breakdown ();
  const QvizChartStyle *style = qviz_chart_style_get_light ();
  cairo_surface_t *surface = new_image (700, 420);
  cairo_t *cr = cairo_create (surface);
  cairo_rectangle_t a, b;
  double ta, tb;

  qviz_breakdown_painter_set_breakdown (painter, bd);
  qviz_breakdown_painter_paint (painter, cr, 700, 420);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);

  /* Heights are proportional to totals: f32 vs int8 at 1024 px. */
  g_assert_true (qviz_breakdown_painter_get_bar_rect (painter, 4, 0, &a));
  g_assert_true (qviz_breakdown_painter_get_bar_rect (painter, 4, 1, &b));
  ta = qviz_breakdown_get_total (bd, 4, 0);
  tb = qviz_breakdown_get_total (bd, 4, 1);
  g_assert_cmpfloat (fabs (a.height / b.height - ta / tb), <, 1e-6);
  g_assert_cmpfloat (a.x + a.width, <=, b.x);
  /* The int8 bar at 1024 px is dominated by dilated depthwise time, which
   * is stacked first: its bottom is the dilated depthwise colour (striped). */
  {
    guint orange = 0;
    for (int y = (int) (b.y + b.height) - 12; y < (int) (b.y + b.height) - 2; y++)
      for (int x = (int) b.x + 3; x < (int) (b.x + b.width) - 3; x++)
        if (pixel_is (pixel_at (surface, x, y), &style->class_fill[QVIZ_LAYER_CLASS_DILATED_DEPTHWISE], 3))
          orange++;
    g_assert_cmpuint (orange, >, 10);
  }
  cairo_surface_destroy (surface);

  /* Bars: the slowest layers first, no more rows than asked for. */
  {
    g_autoptr(QvizBarsPainter) bars = qviz_bars_painter_new (NULL);
    g_autoptr(GPtrArray) rows = mobilenet_rows (1024);
    g_autoptr(GPtrArray) top = qviz_layer_rows_top (rows, 5);

    surface = new_image (800, 500);
    cr = cairo_create (surface);
    qviz_bars_painter_set_rows (bars, rows);
    qviz_bars_painter_set_max_rows (bars, 5);
    qviz_bars_painter_paint (bars, cr, 800, 500);
    g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
    cairo_destroy (cr);
    g_assert_cmpuint (qviz_bars_painter_get_n_shown (bars), ==, 5);
    g_assert_cmpuint (top->len, ==, 5);
    for (guint i = 1; i < top->len; i++)
      g_assert_cmpfloat (qviz_layer_row_get_max_ms (g_ptr_array_index (top, i - 1)), >=,
                         qviz_layer_row_get_max_ms (g_ptr_array_index (top, i)));
    /* At 1024 px the dilated depthwise int8 layers are the slowest. */
    g_assert_true (((QvizLayerRow *) g_ptr_array_index (top, 0))->flags & QVIZ_SPAN_DILATED);
    g_assert_cmpuint (count_colour (surface, &style->int8, 2), >, 500);
    g_assert_cmpuint (count_colour (surface, &style->f32, 2), >, 200);
    cairo_surface_destroy (surface);
  }
}

static void
test_styles (void)
{
  const QvizChartStyle *light = qviz_chart_style_get (FALSE);
  const QvizChartStyle *dark = qviz_chart_style_get (TRUE);
  g_autoptr(QvizFlamePainter) painter = qviz_flame_painter_new (dark);
  cairo_surface_t *surface = new_image (400, 200);

  g_assert_true (dark->dark);
  g_assert_false (light->dark);
  g_assert_cmpfloat (qviz_rgba_luminance (&light->background), >, 0.9);
  g_assert_cmpfloat (qviz_rgba_luminance (&dark->background), <, 0.2);
  /* Text must contrast with the background in both. */
  g_assert_cmpfloat (fabs (qviz_rgba_luminance (&light->foreground) - qviz_rgba_luminance (&light->background)), >, 0.7);
  g_assert_cmpfloat (fabs (qviz_rgba_luminance (&dark->foreground) - qviz_rgba_luminance (&dark->background)), >, 0.7);
  /* The crossover colour is not reused by any series or class. */
  for (guint c = 0; c < QVIZ_N_LAYER_CLASSES; c++)
    g_assert_false (memcmp (&light->crossover, &light->class_fill[c], sizeof (QvizRgba)) == 0);
  /* Every class has a colour of its own, in both styles. */
  for (guint c = 0; c < QVIZ_N_LAYER_CLASSES; c++)
    for (guint d = c + 1; d < QVIZ_N_LAYER_CLASSES; d++)
      {
        g_assert_false (memcmp (&light->class_fill[c], &light->class_fill[d], sizeof (QvizRgba)) == 0);
        g_assert_false (memcmp (&dark->class_fill[c], &dark->class_fill[d], sizeof (QvizRgba)) == 0);
      }
  /* Stored runs' ops are classified as the engine classifies them. */
  g_assert_cmpint (qviz_layer_class_classify ("softmax", QVIZ_SPAN_NONE), ==, QVIZ_LAYER_CLASS_ATTENTION);
  g_assert_cmpint (qviz_layer_class_classify ("batchnorm", QVIZ_SPAN_NONE), ==, QVIZ_LAYER_CLASS_NORMALIZATION);
  g_assert_cmpint (qviz_layer_class_classify ("transpose", QVIZ_SPAN_NONE), ==, QVIZ_LAYER_CLASS_DATA_MOVEMENT);
  g_assert_cmpint (qviz_layer_class_classify ("pad", QVIZ_SPAN_NONE), ==, QVIZ_LAYER_CLASS_DATA_MOVEMENT);
  g_assert_cmpint (qviz_layer_class_classify ("add", QVIZ_SPAN_NONE), ==, QVIZ_LAYER_CLASS_OTHER);
  g_assert_cmpint (qviz_layer_class_classify ("conv", QVIZ_SPAN_NONE), ==, QVIZ_LAYER_CLASS_CONV);
  g_assert_false (memcmp (&light->crossover, &light->f32, sizeof (QvizRgba)) == 0);
  g_assert_false (memcmp (&light->crossover, &light->int8, sizeof (QvizRgba)) == 0);

  qviz_flame_painter_set_data (painter, four_layer_flame ());
  paint_flame (painter, surface);
  g_assert_true (pixel_is (pixel_at (surface, 1, 199), &dark->background, 1));
  qviz_flame_painter_set_style (painter, light);
  paint_flame (painter, surface);
  g_assert_true (pixel_is (pixel_at (surface, 1, 199), &light->background, 1));
  cairo_surface_destroy (surface);
}

/* Painters with no data draw a message, not garbage, and hit nothing. */
static void
test_empty (void)
{
  g_autoptr(QvizFlamePainter) flame = qviz_flame_painter_new (NULL);
  g_autoptr(QvizCurvesPainter) curves = qviz_curves_painter_new (NULL);
  g_autoptr(QvizBreakdownPainter) breakdown = qviz_breakdown_painter_new (NULL);
  g_autoptr(QvizBarsPainter) bars = qviz_bars_painter_new (NULL);
  g_autoptr(QvizReportPainter) report = qviz_report_painter_new (NULL);
  g_autoptr(GPtrArray) no_rows = g_ptr_array_new ();
  cairo_surface_t *surface = new_image (300, 200);
  cairo_t *cr = cairo_create (surface);
  const QvizChartStyle *style = qviz_chart_style_get_light ();

  qviz_flame_painter_paint (flame, cr, 300, 200);
  g_assert_cmpint (qviz_flame_painter_hit_test (flame, 150, 100), ==, -1);
  g_assert_cmpuint (qviz_flame_painter_get_n_drawn_rects (flame), ==, 0);
  /* Some text was drawn in the middle. */
  g_assert_cmpuint (300 * 200 - count_colour (surface, &style->background, 0), >, 20);
  qviz_flame_painter_set_data (flame, qviz_flame_data_new ());
  qviz_flame_painter_paint (flame, cr, 300, 200);
  g_assert_cmpint (qviz_flame_painter_hit_test (flame, 150, 100), ==, -1);

  qviz_curves_painter_paint (curves, cr, 300, 200);
  qviz_breakdown_painter_paint (breakdown, cr, 300, 200);
  qviz_bars_painter_set_rows (bars, no_rows);
  qviz_bars_painter_paint (bars, cr, 300, 200);
  g_assert_cmpuint (qviz_bars_painter_get_n_shown (bars), ==, 0);
  qviz_report_painter_paint (report, cr, 300, 200);
  /* Tiny sizes must not break cairo either. */
  qviz_report_painter_paint (report, cr, 10, 10);
  qviz_curves_painter_paint (curves, cr, 5, 5);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* ---- Export ---------------------------------------------------------- */

static guint32
read_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

typedef struct {
  gboolean seen_root;
  char    *root;
  char    *width;
  char    *height;
} SvgRoot;

static void
svg_start (GMarkupParseContext *context,
           const char          *element,
           const char         **names,
           const char         **values,
           gpointer             user_data,
           GError             **error)
{
  SvgRoot *root = user_data;

  if (root->seen_root)
    return;
  root->seen_root = TRUE;
  root->root = g_strdup (element);
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_equal (names[i], "width"))
        root->width = g_strdup (values[i]);
      else if (g_str_equal (names[i], "height"))
        root->height = g_strdup (values[i]);
    }
}

static guint
count_occurrences (const char *haystack,
                   gsize       len,
                   const char *needle)
{
  gsize nlen = strlen (needle);
  guint n = 0;

  for (gsize i = 0; i + nlen <= len; i++)
    if (memcmp (haystack + i, needle, nlen) == 0)
      n++;
  return n;
}

static void
test_export (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("qviz-charts-XXXXXX", &error);
  g_autoptr(QvizReportPainter) report = mobilenet_report (NULL);
  g_autoptr(QvizFlamePainter) flame = qviz_flame_painter_new (NULL);
  g_autofree char *png = NULL, *svg = NULL, *pdf = NULL, *flame_png = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  QvizExportFormat format;
  gboolean keep = g_getenv ("QVIZ_TEST_KEEP_EXPORTS") != NULL;

  g_assert_no_error (error);
  png = g_build_filename (dir, "report.png", NULL);
  svg = g_build_filename (dir, "report.SVG", NULL);
  pdf = g_build_filename (dir, "report.pdf", NULL);
  flame_png = g_build_filename (dir, "flame.png", NULL);

  g_assert_true (qviz_export_format_from_filename (svg, &format));
  g_assert_cmpint (format, ==, QVIZ_EXPORT_SVG);
  g_assert_false (qviz_export_format_from_filename ("/tmp/a.pdf/report", &format));

  /* PNG: signature and IHDR size. */
  g_assert_true (qviz_export_to_file (png, QVIZ_EXPORT_AUTO, QVIZ_REPORT_WIDTH, QVIZ_REPORT_HEIGHT,
                                      QVIZ_PAINT_FUNC (qviz_report_painter_paint), report, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (png, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 10000);
  g_assert_cmpmem (contents, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpmem (contents + 12, 4, "IHDR", 4);
  g_assert_cmpuint (read_be32 ((const guint8 *) contents + 16), ==, QVIZ_REPORT_WIDTH);
  g_assert_cmpuint (read_be32 ((const guint8 *) contents + 20), ==, QVIZ_REPORT_HEIGHT);
  g_clear_pointer (&contents, g_free);
  {
    cairo_surface_t *back = cairo_image_surface_create_from_png (png);
    g_assert_cmpint (cairo_surface_status (back), ==, CAIRO_STATUS_SUCCESS);
    g_assert_cmpint (cairo_image_surface_get_width (back), ==, QVIZ_REPORT_WIDTH);
    /* The report shows the sweep's crossover. */
    g_assert_cmpuint (count_colour (back, &qviz_chart_style_get_light ()->crossover, 4), >, 50);
    cairo_surface_destroy (back);
  }

  /* SVG: well-formed XML whose root is <svg> with the size. */
  g_assert_true (qviz_export_to_file (svg, QVIZ_EXPORT_AUTO, 640, 480,
                                      QVIZ_PAINT_FUNC (qviz_report_painter_paint), report, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, &len, &error));
  g_assert_cmpuint (len, >, 1000);
  {
    SvgRoot root = { 0 };
    GMarkupParser parser = { svg_start, NULL, NULL, NULL, NULL };
    GMarkupParseContext *ctx = g_markup_parse_context_new (&parser, 0, &root, NULL);

    g_assert_true (g_markup_parse_context_parse (ctx, contents, len, &error));
    g_assert_true (g_markup_parse_context_end_parse (ctx, &error));
    g_assert_no_error (error);
    g_markup_parse_context_free (ctx);
    g_assert_cmpstr (root.root, ==, "svg");
    g_assert_nonnull (root.width);
    g_assert_nonnull (root.height);
    g_assert_cmpfloat (g_ascii_strtod (root.width, NULL), ==, 640);
    g_assert_cmpfloat (g_ascii_strtod (root.height, NULL), ==, 480);
    g_free (root.root);
    g_free (root.width);
    g_free (root.height);
  }
  /* The text stays text: the subtitle and a model line as <text> elements
   * (escaped), once each, inside the document. */
  g_assert_cmpuint (count_occurrences (contents, len, ">Sweep of 5 resolutions x 2 thread counts, 30 iterations each</text>"), ==, 1);
  g_assert_cmpuint (count_occurrences (contents, len, ">lraspp_mobilenet_v3_large (built-in), 21 classes</text>"), ==, 1);
  g_assert_true (g_str_has_suffix (g_strchomp (contents), "</svg>"));
  g_clear_pointer (&contents, g_free);

  /* A chart with a title and context above it: the size asked for is the
   * chart's, the header comes on top, and both are text in an SVG. */
  {
    g_autofree char *titled_png = g_build_filename (dir, "titled.png", NULL);
    g_autofree char *titled_svg = g_build_filename (dir, "titled.svg", NULL);
    cairo_surface_t *back;

    qviz_flame_painter_set_data (flame, mobilenet_flame (512));
    g_assert_true (qviz_export_to_file_titled (titled_png, QVIZ_EXPORT_AUTO, 1000, 300,
                                               "Flame chart & <passes>", "lraspp-mnv3 · AMD EPYC",
                                               QVIZ_PAINT_FUNC (qviz_flame_painter_paint), flame, &error));
    g_assert_no_error (error);
    back = cairo_image_surface_create_from_png (titled_png);
    g_assert_cmpint (cairo_image_surface_get_width (back), ==, 1000);
    g_assert_cmpint (cairo_image_surface_get_height (back), >, 300);
    cairo_surface_destroy (back);
    g_assert_true (qviz_export_to_file_titled (titled_svg, QVIZ_EXPORT_AUTO, 1000, 300,
                                               "Flame chart & <passes>", "lraspp-mnv3 · AMD EPYC",
                                               QVIZ_PAINT_FUNC (qviz_flame_painter_paint), flame, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (titled_svg, &contents, &len, &error));
    g_assert_cmpuint (count_occurrences (contents, len, ">Flame chart &amp; &lt;passes&gt;</text>"), ==, 1);
    g_assert_cmpuint (count_occurrences (contents, len, ">lraspp-mnv3 · AMD EPYC</text>"), ==, 1);
    g_clear_pointer (&contents, g_free);
  }

  /* PDF: header, one page, the page size in the MediaBox. */
  g_assert_true (qviz_export_to_file (pdf, QVIZ_EXPORT_PDF, QVIZ_REPORT_WIDTH, QVIZ_REPORT_HEIGHT,
                                      QVIZ_PAINT_FUNC (qviz_report_painter_paint), report, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf, &contents, &len, &error));
  g_assert_cmpuint (len, >, 1000);
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));
  g_assert_cmpuint (count_occurrences (contents, len, "/Count 1"), ==, 1);
  g_assert_cmpuint (count_occurrences (contents, len, "/Type /Page\n") +
                    count_occurrences (contents, len, "/Type /Page "), ==, 1);
  g_assert_cmpuint (count_occurrences (contents, len, "/MediaBox [ 0 0 1240 1754 ]"), ==, 1);
  g_clear_pointer (&contents, g_free);

  /* Flame charts export too. */
  qviz_flame_painter_set_data (flame, mobilenet_flame (1024));
  g_assert_true (qviz_export_to_file (flame_png, QVIZ_EXPORT_AUTO, 1400,
                                      qviz_flame_painter_get_preferred_height (flame),
                                      QVIZ_PAINT_FUNC (qviz_flame_painter_paint), flame, &error));
  g_assert_no_error (error);

  /* Failures name the file and leave nothing behind. */
  {
    g_autofree char *missing = g_build_filename (dir, "no-such-dir", "report.png", NULL);
    g_autofree char *bmp = g_build_filename (dir, "report.bmp", NULL);

    g_assert_false (qviz_export_to_file (missing, QVIZ_EXPORT_AUTO, 100, 100,
                                         QVIZ_PAINT_FUNC (qviz_report_painter_paint), report, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_assert_nonnull (strstr (error->message, missing));
    g_clear_error (&error);

    g_assert_false (qviz_export_to_file (bmp, QVIZ_EXPORT_AUTO, 100, 100,
                                         QVIZ_PAINT_FUNC (qviz_report_painter_paint), report, &error));
    g_assert_error (error, QVIZ_EXPORT_ERROR, QVIZ_EXPORT_ERROR_UNKNOWN_FORMAT);
    g_assert_nonnull (strstr (error->message, "report.bmp"));
    g_clear_error (&error);

    g_assert_false (qviz_export_to_file (png, QVIZ_EXPORT_PNG, 0, 100,
                                         QVIZ_PAINT_FUNC (qviz_report_painter_paint), report, &error));
    g_assert_error (error, QVIZ_EXPORT_ERROR, QVIZ_EXPORT_ERROR_INVALID_SIZE);
    g_clear_error (&error);
  }

  /* Exactly the six files, no temporaries. */
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, &error);
    const char *name;
    guint n = 0;

    g_assert_no_error (error);
    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        n++;
        if (!keep)
          g_unlink (path);
      }
    g_assert_cmpuint (n, ==, 6);
  }
  if (keep)
    g_test_message ("exports kept in %s", dir);
  else
    g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charts/axis/ticks", test_axis_ticks);
  g_test_add_func ("/charts/flame/layout", test_flame_layout);
  g_test_add_func ("/charts/flame/hit-test", test_flame_hit_test);
  g_test_add_func ("/charts/flame/range-minimap", test_flame_range);
  g_test_add_func ("/charts/flame/patterns", test_flame_patterns);
  g_test_add_func ("/charts/flame/culling", test_flame_culling);
  g_test_add_func ("/charts/flame/merging", test_flame_merging);
  g_test_add_func ("/charts/flame/search-selection", test_flame_search_and_selection);
  g_test_add_func ("/charts/curves/crossover", test_curves_crossover);
  g_test_add_func ("/charts/curves/no-crossover", test_curves_no_crossover);
  g_test_add_func ("/charts/curves/relation-shapes", test_curves_relation_shapes);
  g_test_add_func ("/charts/breakdown-bars", test_breakdown_bars);
  g_test_add_func ("/charts/styles", test_styles);
  g_test_add_func ("/charts/empty", test_empty);
  g_test_add_func ("/charts/export", test_export);

  return g_test_run ();
}
