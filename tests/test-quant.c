/* test-quant.c: quantization parameters, observers, weight/bias
 * quantization and SQNR (engine/qviz-quant.h). */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "qviz-quant.h"

#define SEED 0xca11b

/* Slack for comparisons of float results with exact bounds. */
#define REL_EPS 1e-5

static void
assert_zero_exact (const QvizQuantParams *p)
{
  const float zero = 0.0f;
  guint8 q;
  float back;

  qviz_quantize_tensor (p, &zero, 1, &q);
  g_assert_cmpint (q, ==, p->zero_point);
  qviz_dequantize_tensor (p, &q, 1, &back);
  g_assert_cmpfloat (back, ==, 0.0f);
}

static void
test_params_from_range (void)
{
  static const struct {
    float min, max;
    float scale;
    int zp;
  } cases[] = {
    { 0.0f, 6.0f, 6.0f / 255.0f, 0 },
    { -1.0f, 1.0f, 2.0f / 255.0f, -1 },      /* 127.5, near a tie */
    { -3.0f, 0.0f, 3.0f / 255.0f, 255 },
    { 2.0f, 5.0f, 5.0f / 255.0f, 0 },        /* widened down to 0 */
    { -5.0f, -2.0f, 5.0f / 255.0f, 255 },    /* widened up to 0 */
    { 5.0f, -1.0f, 6.0f / 255.0f, -1 },      /* reversed: swapped; 42.5 */
    { 0.0f, 0.0f, QVIZ_QUANT_MIN_SCALE, 0 }, /* degenerate */
    { NAN, 3.0f, 3.0f / 255.0f, 0 },         /* non-finite taken as 0 */
    { -INFINITY, INFINITY, QVIZ_QUANT_MIN_SCALE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      QvizQuantParams p = qviz_quant_params_from_range (cases[i].min, cases[i].max);
      float rmin, rmax;

      g_test_message ("range [%g, %g] -> scale %g zp %d", cases[i].min,
                      cases[i].max, p.scale, p.zero_point);
      g_assert_true (p.valid);
      g_assert_cmpfloat_with_epsilon (p.scale, cases[i].scale, cases[i].scale * REL_EPS);
      if (cases[i].zp < 0)
        {
          /* A tie in exact arithmetic: the float scale lands just off it,
           * so either neighbour is right, but it must be the nearer one to
           * -min / scale. */
          const double exact = -MIN (MIN (cases[i].min, cases[i].max), 0.0f) / (double) p.scale;
          g_assert_cmpfloat (fabs (p.zero_point - exact), <=, 0.5);
        }
      else
        g_assert_cmpint (p.zero_point, ==, cases[i].zp);
      assert_zero_exact (&p);

      /* The representable range covers the asked one, up to half a step
       * lost to rounding the zero point. */
      qviz_quant_params_range (&p, &rmin, &rmax);
      const float lo = isfinite (cases[i].min) ? MIN (MIN (cases[i].min, cases[i].max), 0.0f) : 0.0f;
      const float hi = isfinite (cases[i].max) ? MAX (MAX (cases[i].min, cases[i].max), 0.0f) : 0.0f;
      g_assert_cmpfloat (rmin, <=, lo + p.scale * 0.5f * (1 + REL_EPS));
      g_assert_cmpfloat (rmax, >=, hi - p.scale * 0.5f * (1 + REL_EPS));
    }
}

static void
test_quantize_roundtrip (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED);

  for (int rep = 0; rep < 50; rep++)
    {
      const float a = (float) g_rand_double_range (r, -20.0, 5.0);
      const float b = (float) g_rand_double_range (r, -1.0, 30.0);
      QvizQuantParams p = qviz_quant_params_from_range (a, b);
      float rmin, rmax;
      const gsize n = 3000;
      g_autofree float *x = g_new (float, n), *back = g_new (float, n);
      g_autofree guint8 *q = g_malloc (n);

      qviz_quant_params_range (&p, &rmin, &rmax);
      for (gsize i = 0; i < n; i++)
        x[i] = (float) g_rand_double_range (r, rmin - 3.0 * p.scale, rmax + 3.0 * p.scale);
      qviz_quantize_tensor (&p, x, n, q);
      qviz_dequantize_tensor (&p, q, n, back);
      for (gsize i = 0; i < n; i++)
        {
          if (x[i] >= rmin && x[i] <= rmax)
            g_assert_cmpfloat (fabsf (x[i] - back[i]), <=, p.scale * 0.5f * (1 + REL_EPS));
          else if (x[i] < rmin)
            g_assert_cmpint (q[i], ==, 0);      /* saturates, never wraps */
          else
            g_assert_cmpint (q[i], ==, 255);
        }
      assert_zero_exact (&p);
    }
}

static void
test_activation_bounds (void)
{
  QvizQuantParams p = qviz_quant_params_from_range (-2.0f, 6.0f);
  qvk_activation relu = qvk_activation_make (QVK_ACT_RELU);
  qvk_activation relu6 = qvk_activation_clip (0.0f, 6.0f);
  qvk_activation clip = qvk_activation_clip (-1.0f, 1.0f);
  qvk_activation hswish = qvk_activation_make (QVK_ACT_HARDSWISH);
  int lo, hi;

  g_assert_true (qviz_quant_activation_bounds (NULL, &p, &lo, &hi));
  g_assert_cmpint (lo, ==, 0);
  g_assert_cmpint (hi, ==, 255);
  g_assert_true (qviz_quant_activation_bounds (&relu, &p, &lo, &hi));
  g_assert_cmpint (lo, ==, p.zero_point);
  g_assert_cmpint (hi, ==, 255);
  g_assert_true (qviz_quant_activation_bounds (&relu6, &p, &lo, &hi));
  g_assert_cmpint (lo, ==, p.zero_point);
  g_assert_cmpint (hi, ==, 255);
  g_assert_true (qviz_quant_activation_bounds (&clip, &p, &lo, &hi));
  /* Clamping in q equals quantizing the clamped value. */
  for (float v = -3.0f; v <= 7.0f; v += 0.013f)
    {
      const float c = CLAMP (v, -1.0f, 1.0f);
      guint8 qv, qc;
      qviz_quantize_tensor (&p, &v, 1, &qv);
      qviz_quantize_tensor (&p, &c, 1, &qc);
      g_assert_cmpint (CLAMP (qv, lo, hi), ==, qc);
    }
  g_assert_false (qviz_quant_activation_bounds (&hswish, &p, &lo, &hi));
  g_assert_cmpint (lo, ==, 0);
  g_assert_cmpint (hi, ==, 255);
}

static void
test_weights_per_channel (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 1);
  const int out_c = 12;
  const gsize per = 75;
  g_autofree float *w = g_new (float, out_c * per);
  g_autofree float *scales = g_new (float, out_c);
  g_autofree gint8 *q = g_malloc (out_c * per);

  for (int oc = 0; oc < out_c; oc++)
    {
      /* Channels of very different magnitude: per-channel scales keep the
       * small ones accurate. */
      const double mag = oc == 3 ? 0.0 : pow (10.0, oc % 5 - 3);
      for (gsize i = 0; i < per; i++)
        w[oc * per + i] = (float) (mag * g_rand_double_range (r, -1.0, 1.0));
    }
  qviz_quant_weight_scales (w, out_c, per, scales);
  qviz_quant_weights (w, out_c, per, scales, q);

  for (int oc = 0; oc < out_c; oc++)
    {
      float m = 0.0f;
      int qmax = 0;
      for (gsize i = 0; i < per; i++)
        {
          m = MAX (m, fabsf (w[oc * per + i]));
          qmax = MAX (qmax, ABS (q[oc * per + i]));
          g_assert_cmpint (q[oc * per + i], >=, -127);
          g_assert_cmpint (q[oc * per + i], <=, 127);
          g_assert_cmpfloat (fabsf (w[oc * per + i] - scales[oc] * q[oc * per + i]), <=,
                             scales[oc] * 0.5f * (1 + REL_EPS));
        }
      if (oc == 3)
        {
          g_assert_cmpfloat (scales[oc], ==, 1.0f);   /* all-zero channel */
          g_assert_cmpint (qmax, ==, 0);
        }
      else
        {
          g_assert_cmpfloat_with_epsilon (scales[oc], m / 127.0f, m / 127.0f * REL_EPS);
          g_assert_cmpint (qmax, ==, 127);             /* the largest uses the range */
        }
    }

  /* Scales from a model file that are too small: clamped, not wrapped. */
  const float big[4] = { 1.0f, -1.0f, 0.5f, -0.004f };
  const float small_scale = 0.001f;
  gint8 qb[4];
  qviz_quant_weights (big, 1, 4, &small_scale, qb);
  g_assert_cmpint (qb[0], ==, 127);
  g_assert_cmpint (qb[1], ==, -127);
  g_assert_cmpint (qb[2], ==, 127);
  g_assert_cmpint (qb[3], ==, -4);
}

static void
test_bias_and_requant (void)
{
  const float w_scales[3] = { 0.01f, 0.002f, 1.0f };
  const float bias[3] = { 0.5f, -0.25f, 1e12f };
  const float in_scale = 0.05f, out_scale = 0.1f;
  gint32 q[3];
  float requant[3];

  g_assert_cmpuint (qviz_quant_bias (bias, 3, in_scale, w_scales, q), ==, 1);
  g_assert_cmpint (q[0], ==, 1000);         /* 0.5 / (0.05 * 0.01) */
  g_assert_cmpint (q[1], ==, -2500);        /* -0.25 / (0.05 * 0.002) */
  g_assert_cmpint (q[2], ==, G_MAXINT32);   /* saturated */
  qviz_quant_requant_scales (in_scale, w_scales, out_scale, 3, requant);
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat (requant[i], ==,
                       (float) ((double) in_scale * w_scales[i] / out_scale));
  /* A bias alone in the accumulator requantizes to bias / out_scale. */
  g_assert_cmpfloat_with_epsilon (q[0] * requant[0], bias[0] / out_scale, 1e-4);
  g_assert_cmpfloat_with_epsilon (q[1] * requant[1], bias[1] / out_scale, 1e-4);

  g_assert_cmpuint (qviz_quant_bias (NULL, 3, in_scale, w_scales, q), ==, 0);
  g_assert_cmpint (q[0], ==, 0);
  g_assert_cmpint (q[2], ==, 0);
}

static void
test_sqnr (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 2);
  const gsize n = 400000;
  g_autofree float *ref = g_new (float, n), *x = g_new (float, n);

  /* A sine of amplitude 1 (power 1/2) plus uniform noise of amplitude a
   * (power a^2 / 3). */
  for (double a = 0.001; a < 2.0; a *= 7.0)
    {
      for (gsize i = 0; i < n; i++)
        {
          ref[i] = (float) sin (i * 0.001);
          x[i] = ref[i] + (float) (a * g_rand_double_range (r, -1.0, 1.0));
        }
      const double want = 10.0 * log10 (0.5 / (a * a / 3.0));
      const double got = qviz_sqnr_db (ref, x, n);
      g_test_message ("noise %g: %.3f dB, expected %.3f", a, got, want);
      g_assert_cmpfloat_with_epsilon (got, want, 0.1);
    }

  /* 8-bit quantization of a full-scale uniform signal: 20 log10(255). */
  QvizQuantParams p = qviz_quant_params_from_range (-1.0f, 1.0f);
  g_autofree guint8 *q = g_malloc (n);
  for (gsize i = 0; i < n; i++)
    ref[i] = (float) g_rand_double_range (r, -1.0, 1.0);
  qviz_quantize_tensor (&p, ref, n, q);
  qviz_dequantize_tensor (&p, q, n, x);
  g_assert_cmpfloat_with_epsilon (qviz_sqnr_db (ref, x, n), 20.0 * log10 (255.0), 0.1);

  /* Caps, and NaN for broken data. */
  g_assert_cmpfloat (qviz_sqnr_db (ref, ref, n), ==, QVIZ_SQNR_MAX_DB);
  g_assert_cmpfloat (qviz_sqnr_db (NULL, NULL, 0), ==, QVIZ_SQNR_MAX_DB);
  const float zeros[3] = { 0, 0, 0 }, some[3] = { 0, 1, 0 };
  g_assert_cmpfloat (qviz_sqnr_db (zeros, some, 3), ==, -QVIZ_SQNR_MAX_DB);
  const float tiny[3] = { 1, 1, 1 }, tiny_off[3] = { 1, 1, 1.0f + 1e-7f };
  g_assert_cmpfloat (qviz_sqnr_db (tiny, tiny_off, 3), ==, QVIZ_SQNR_MAX_DB); /* 143 dB */
  const float bad[3] = { 1, NAN, 1 };
  g_assert_true (isnan (qviz_sqnr_db (bad, tiny, 3)));
  g_assert_true (isnan (qviz_sqnr_db (tiny, bad, 3)));
  const float inf[3] = { 1, INFINITY, 1 };
  g_assert_true (isnan (qviz_sqnr_db (inf, inf, 3)));
}

/* The sums block by block, taken in any order (here backwards, as threads
 * might) and added up in order, are qviz_sqnr_sum_add's bit for bit, over
 * pieces of any length; a NaN in a late block still gives NaN. */
static void
test_sqnr_blocks (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 3);
  const gsize n = 5 * QVIZ_SQNR_BLOCK + 300;
  g_autofree float *ref = g_new (float, n), *x = g_new (float, n);
  g_autofree QvizSqnrBlock *blocks = g_new (QvizSqnrBlock, n / QVIZ_SQNR_BLOCK + 1);
  const gsize lengths[] = { n, 4 * QVIZ_SQNR_BLOCK, QVIZ_SQNR_BLOCK + 1, 17, 0 };

  for (gsize i = 0; i < n; i++)
    {
      ref[i] = (float) g_rand_double_range (r, -3.0, 3.0);
      x[i] = ref[i] + (float) g_rand_double_range (r, -0.01, 0.01);
    }
  for (int with_nan = 0; with_nan < 2; with_nan++)
    {
      if (with_nan)
        x[4 * QVIZ_SQNR_BLOCK + 5] = NAN;
      for (guint k = 0; k < G_N_ELEMENTS (lengths); k++)
        {
          const gsize len = lengths[k], n_blocks = (len + QVIZ_SQNR_BLOCK - 1) / QVIZ_SQNR_BLOCK;
          QvizSqnrSum whole = { 0 }, parts = { 0 };

          qviz_sqnr_sum_add (&whole, ref, x, len);
          for (gsize b = n_blocks; b-- > 0;)
            qviz_sqnr_block_sums (ref + b * QVIZ_SQNR_BLOCK, x + b * QVIZ_SQNR_BLOCK,
                                  MIN (QVIZ_SQNR_BLOCK, len - b * QVIZ_SQNR_BLOCK), &blocks[b]);
          qviz_sqnr_sum_add_blocks (&parts, blocks, n_blocks);
          g_assert_cmpint (parts.non_finite, ==, whole.non_finite);
          g_assert_true (parts.non_finite == (with_nan && len > 4 * QVIZ_SQNR_BLOCK + 5));
          if (!whole.non_finite)
            {
              g_assert_true (memcmp (&parts.signal, &whole.signal, sizeof (double)) == 0);
              g_assert_true (memcmp (&parts.noise, &whole.noise, sizeof (double)) == 0);
              g_assert_true (len == 0 || whole.noise > 0.0);
            }
        }
    }
}

static void
test_method_names (void)
{
  QvizCalibrationMethod m;
  g_autoptr(GError) error = NULL;

  for (QvizCalibrationMethod i = QVIZ_CALIBRATION_MINMAX; i <= QVIZ_CALIBRATION_HISTOGRAM; i++)
    {
      g_assert_true (qviz_calibration_method_parse (qviz_calibration_method_name (i), &m, NULL));
      g_assert_cmpint (m, ==, i);
    }
  g_assert_true (qviz_calibration_method_parse ("MinMax", &m, NULL));
  g_assert_cmpint (m, ==, QVIZ_CALIBRATION_MINMAX);
  g_assert_false (qviz_calibration_method_parse ("entropy", &m, &error));
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "entropy"));
}

/* Mean squared error of quantizing x with the parameters of [lo, hi]. */
static double
quant_mse (const float *x, gsize n, float lo, float hi)
{
  QvizQuantParams p = qviz_quant_params_from_range (lo, hi);
  g_autofree guint8 *q = g_new (guint8, n);
  g_autofree float *back = g_new (float, n);
  double e = 0;

  qviz_quantize_tensor (&p, x, n, q);
  qviz_dequantize_tensor (&p, q, n, back);
  for (gsize i = 0; i < n; i++)
    e += ((double) x[i] - back[i]) * ((double) x[i] - back[i]);
  return e / (double) n;
}

/* The histogram observer's range is the one of least squared error: on a
 * heavy-tailed distribution (Laplace, with two far outliers) it clips
 * inside the extremes, and no range it could have chosen -- the
 * extremes, the percentile's, or its own moved in or out by 10% on either
 * side -- quantizes the data with a smaller error. */
static void
test_observer_histogram_l2 (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 9);
  const gsize n = 200000;
  g_autofree float *x = g_new (float, n);
  g_autoptr(QvizRangeObserver) h = qviz_range_observer_new (QVIZ_CALIBRATION_HISTOGRAM, 0);
  g_autoptr(QvizRangeObserver) mm = qviz_range_observer_new (QVIZ_CALIBRATION_MINMAX, 0);
  g_autoptr(QvizRangeObserver) pc =
    qviz_range_observer_new (QVIZ_CALIBRATION_PERCENTILE, QVIZ_CALIBRATION_DEFAULT_PERCENTILE);
  float lo, hi, mlo, mhi, plo, phi;
  double best;

  for (gsize i = 0; i < n; i++)
    {
      double u = g_rand_double_range (r, -0.5, 0.5);
      /* Laplace, scale 1, shifted so that the two sides differ */
      x[i] = (float) (0.7 - (u < 0 ? -1 : 1) * log (1 - 2 * fabs (u)));
    }
  x[17] = 60.0f;
  x[99] = -45.0f;
  qviz_range_observer_observe (h, x, n);
  qviz_range_observer_observe (mm, x, n);
  qviz_range_observer_observe (pc, x, n);
  g_assert_true (qviz_range_observer_finish (h, &lo, &hi));
  qviz_range_observer_finish (mm, &mlo, &mhi);
  qviz_range_observer_finish (pc, &plo, &phi);
  best = quant_mse (x, n, lo, hi);
  g_test_message ("histogram [%g, %g] mse %.3g; minmax [%g, %g] mse %.3g; percentile [%g, %g] mse %.3g",
                  lo, hi, best, mlo, mhi, quant_mse (x, n, mlo, mhi), plo, phi,
                  quant_mse (x, n, plo, phi));
  g_assert_cmpfloat (hi, <, 0.9f * mhi);
  g_assert_cmpfloat (lo, >, 0.9f * mlo);
  g_assert_cmpfloat (best, <, quant_mse (x, n, mlo, mhi));
  g_assert_cmpfloat (best, <=, quant_mse (x, n, plo, phi) * 1.02);
  for (int k = 0; k < 4; k++)
    {
      float l = lo * (k == 0 ? 0.9f : k == 1 ? 1.1f : 1.0f);
      float u = hi * (k == 2 ? 0.9f : k == 3 ? 1.1f : 1.0f);
      g_assert_cmpfloat (best, <=, quant_mse (x, n, l, u) * 1.02);
    }
}

static void
test_observer_minmax_percentile (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 3);
  const gsize n = 1000000;
  g_autofree float *x = g_new (float, n);
  g_autoptr(QvizRangeObserver) mm = qviz_range_observer_new (QVIZ_CALIBRATION_MINMAX, 0);
  g_autoptr(QvizRangeObserver) pc =
    qviz_range_observer_new (QVIZ_CALIBRATION_PERCENTILE, QVIZ_CALIBRATION_DEFAULT_PERCENTILE);
  float lo, hi;

  for (gsize i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (r, -1.0, 1.0);
  /* Five outliers in a million (0.0005%, below the 0.01% tails). */
  x[10] = 1000.0f;
  x[20000] = -800.0f;
  x[300000] = 500.0f;
  x[400000] = 650.0f;
  x[999999] = -900.0f;
  /* In batches, as calibration sees them. */
  for (gsize i = 0; i < n; i += 4096)
    {
      qviz_range_observer_observe (mm, x + i, MIN (4096, n - i));
      qviz_range_observer_observe (pc, x + i, MIN (4096, n - i));
    }
  g_assert_cmpuint (qviz_range_observer_count (pc), ==, n);

  g_assert_true (qviz_range_observer_finish (mm, &lo, &hi));
  g_assert_cmpfloat (lo, ==, -900.0f);
  g_assert_cmpfloat (hi, ==, 1000.0f);

  g_assert_true (qviz_range_observer_finish (pc, &lo, &hi));
  g_test_message ("percentile range [%g, %g]", lo, hi);
  g_assert_cmpfloat (hi, >=, 0.999f);
  g_assert_cmpfloat (hi, <=, 1.0f + 1.0f / 32.0f);
  g_assert_cmpfloat (lo, <=, -0.999f);
  g_assert_cmpfloat (lo, >=, -1.0f - 1.0f / 32.0f);

  /* Order does not matter: the same values backwards give the same range. */
  g_autoptr(QvizRangeObserver) back =
    qviz_range_observer_new (QVIZ_CALIBRATION_PERCENTILE, QVIZ_CALIBRATION_DEFAULT_PERCENTILE);
  float lo2, hi2;
  for (gsize i = n; i > 0; i -= MIN (i, 1000))
    qviz_range_observer_observe (back, x + i - MIN (i, 1000), MIN (i, 1000));
  qviz_range_observer_finish (back, &lo2, &hi2);
  g_assert_cmpfloat (lo2, ==, lo);
  g_assert_cmpfloat (hi2, ==, hi);

  /* Percentile 100 is minmax. */
  g_autoptr(QvizRangeObserver) all = qviz_range_observer_new (QVIZ_CALIBRATION_PERCENTILE, 100.0);
  qviz_range_observer_observe (all, x, n);
  qviz_range_observer_finish (all, &lo, &hi);
  g_assert_cmpfloat (lo, ==, -900.0f);
  g_assert_cmpfloat (hi, ==, 1000.0f);
}

/* Blocks of finite values take a path that bins by the float's bits; a
 * block holding a NaN takes the value-by-value path.  Both must put every
 * value in the same bin: the same values give the same ranges either way,
 * over magnitudes from below the histogram (counted as zero) to above it. */
static void
test_observer_fast_path_same_bins (void)
{
  const QvizCalibrationMethod methods[] = { QVIZ_CALIBRATION_MINMAX,
                                            QVIZ_CALIBRATION_PERCENTILE,
                                            QVIZ_CALIBRATION_HISTOGRAM };
  const gsize n = 50000;
  g_autoptr(GRand) rand = g_rand_new_with_seed (19);
  g_autofree float *finite = g_new (float, n);
  g_autofree float *with_nan = g_new (float, n + n / 500 + 1);
  gsize m = 0;

  for (gsize i = 0; i < n; i++)
    {
      /* log-uniform magnitudes over 2^-40 .. 2^44, a third of them negative */
      double mag = ldexp (1.0, g_rand_int_range (rand, -40, 44)) * g_rand_double_range (rand, 1.0, 2.0);
      finite[i] = (float) (g_rand_int_range (rand, 0, 3) == 0 ? -mag : mag);
      if (i % 500 == 0)
        with_nan[m++] = NAN;
      with_nan[m++] = finite[i];
    }
  for (guint k = 0; k < G_N_ELEMENTS (methods); k++)
    {
      g_autoptr(QvizRangeObserver) a = qviz_range_observer_new (methods[k], 99.9);
      g_autoptr(QvizRangeObserver) b = qviz_range_observer_new (methods[k], 99.9);
      float lo_a, hi_a, lo_b, hi_b;

      qviz_range_observer_observe (a, finite, n);
      qviz_range_observer_observe (b, with_nan, m);
      g_assert_cmpuint (qviz_range_observer_count (a), ==, n);
      g_assert_cmpuint (qviz_range_observer_count (b), ==, n);
      g_assert_cmpuint (qviz_range_observer_non_finite (b), ==, m - n);
      g_assert_true (qviz_range_observer_finish (a, &lo_a, &hi_a));
      g_assert_true (qviz_range_observer_finish (b, &lo_b, &hi_b));
      g_assert_cmpfloat (lo_a, ==, lo_b);
      g_assert_cmpfloat (hi_a, ==, hi_b);
      g_assert_cmpfloat (lo_a, <, 0.0f);
      g_assert_cmpfloat (hi_a, >, 0.0f);
    }
}

/* Test data of one of six kinds: ReLU-like (half zeros), hardswish-like
 * (a short negative side), heavy tails with outliers, magnitudes over the
 * whole histogram with NaN, growing and shrinking scale. */
static void
observer_test_data (GRand *rand, int kind, float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      double u = g_rand_double (rand), v;

      switch (kind)
        {
        case 0: /* ReLU: half zeros */
          v = u < 0.5 ? 0.0 : -log (g_rand_double_range (rand, 1e-9, 1.0));
          break;
        case 1: /* hardswish: down to -0.375 */
          v = g_rand_double_range (rand, -4.0, 6.0);
          v = v * CLAMP (v + 3.0, 0.0, 6.0) / 6.0;
          break;
        case 2: /* Laplace with outliers */
          v = 0.3 - (u < 0.5 ? -1 : 1) * log (1 - 2 * fabs (u - 0.5));
          if (i % 99991 == 0)
            v = (i % 2 ? -1 : 1) * 500.0;
          break;
        case 3: /* over the whole histogram, NaN now and then */
          v = ldexp (1.0, g_rand_int_range (rand, -40, 44)) * (1.0 + u);
          v = g_rand_boolean (rand) ? -v : v;
          if (i % 777 == 0)
            v = NAN;
          break;
        case 4: /* growing: the later values lie far above the early tail */
          v = g_rand_double_range (rand, -1.0, 1.0) * (1.0 + (double) i / 1000.0);
          break;
        default: /* shrinking */
          v = g_rand_double_range (rand, -1.0, 1.0) * (1.0 + (double) (n - i) / 1000.0);
          break;
        }
      x[i] = (float) v;
    }
}

/* With a promise of how many values come, the percentile observer counts
 * only the tail it may still need; its range must be the one a full
 * histogram gives, value for value: on ReLU-like data (half zeros),
 * hardswish-like data (a short negative side), heavy tails with outliers,
 * magnitudes over the whole histogram with NaN, and data whose scale
 * grows or shrinks from piece to piece (so that a tail chosen early is
 * wrong later), in pieces of several sizes (the last, the whole array at
 * once), at several percentiles. */
static void
test_observer_promise_same_range (void)
{
  const double percentiles[] = { QVIZ_CALIBRATION_DEFAULT_PERCENTILE, 99.9, 99.0, 100.0, 60.0 };
  const gsize pieces[] = { 1, 1000, 4096, 70000, 262144, 600000 };
  const gsize n = 600000;
  g_autoptr(GRand) rand = g_rand_new_with_seed (29);
  g_autofree float *x = g_new (float, n);

  for (int kind = 0; kind < 6; kind++)
    {
      observer_test_data (rand, kind, x, n);
      for (guint p = 0; p < G_N_ELEMENTS (percentiles); p++)
        for (guint k = 0; k < G_N_ELEMENTS (pieces); k++)
          {
            g_autoptr(QvizRangeObserver) full =
              qviz_range_observer_new (QVIZ_CALIBRATION_PERCENTILE, percentiles[p]);
            g_autoptr(QvizRangeObserver) tail =
              qviz_range_observer_new (QVIZ_CALIBRATION_PERCENTILE, percentiles[p]);
            /* a piece of 1 is too slow over the whole array */
            const gsize len = pieces[k] == 1 ? 20000 : n;
            float lo_full, hi_full, lo_tail, hi_tail;

            /* a promise larger than what comes is kept too */
            qviz_range_observer_expect (tail, k % 2 ? len : len + 12345);
            for (gsize i = 0; i < len; i += pieces[k])
              {
                qviz_range_observer_observe (full, x + i, MIN (pieces[k], len - i));
                qviz_range_observer_observe (tail, x + i, MIN (pieces[k], len - i));
              }
            g_assert_cmpuint (qviz_range_observer_count (tail), ==,
                              qviz_range_observer_count (full));
            g_assert_true (qviz_range_observer_finish (full, &lo_full, &hi_full));
            g_assert_true (qviz_range_observer_finish (tail, &lo_tail, &hi_tail));
            g_assert_cmpfloat (lo_tail, ==, lo_full);
            g_assert_cmpfloat (hi_tail, ==, hi_full);
          }
    }
}

/* Parts of an array observed by several observers, each promised the
 * whole array, in parts taken in turn as threads take them, and merged:
 * the range must be the one a single observer of the whole array finds,
 * for every method, on every kind of data, at several percentiles. */
static void
test_observer_merge_same_range (void)
{
  const QvizCalibrationMethod methods[] = { QVIZ_CALIBRATION_MINMAX,
                                            QVIZ_CALIBRATION_PERCENTILE,
                                            QVIZ_CALIBRATION_HISTOGRAM };
  const double percentiles[] = { QVIZ_CALIBRATION_DEFAULT_PERCENTILE, 99.9, 60.0 };
  const gsize parts[] = { 1000, 65536, 250000 };
  const gsize n = 600000;
  g_autoptr(GRand) rand = g_rand_new_with_seed (31);
  g_autofree float *x = g_new (float, n);

  for (int kind = 0; kind < 6; kind++)
    {
      observer_test_data (rand, kind, x, n);
      for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
        for (guint p = 0; p < G_N_ELEMENTS (percentiles); p++)
          for (guint k = 0; k < G_N_ELEMENTS (parts); k++)
            for (int n_obs = 2; n_obs <= 3; n_obs++)
              {
                g_autoptr(QvizRangeObserver) whole =
                  qviz_range_observer_new (methods[m], percentiles[p]);
                QvizRangeObserver *obs[3] = { NULL, NULL, NULL };
                float lo_whole, hi_whole, lo, hi;

                for (int t = 0; t < n_obs; t++)
                  {
                    obs[t] = qviz_range_observer_new (methods[m], percentiles[p]);
                    qviz_range_observer_expect (obs[t], n);
                  }
                qviz_range_observer_observe (whole, x, n);
                /* parts to observers unevenly: a thread may take several
                 * in a row, or none */
                for (gsize i = 0, j = 0; i < n; i += parts[k], j++)
                  qviz_range_observer_observe (obs[(j * j + j / 3) % n_obs], x + i,
                                               MIN (parts[k], n - i));
                for (int t = 1; t < n_obs; t++)
                  qviz_range_observer_merge (obs[0], obs[t]);
                g_assert_cmpuint (qviz_range_observer_count (obs[0]), ==,
                                  qviz_range_observer_count (whole));
                g_assert_cmpuint (qviz_range_observer_non_finite (obs[0]), ==,
                                  qviz_range_observer_non_finite (whole));
                g_assert_true (qviz_range_observer_finish (whole, &lo_whole, &hi_whole));
                g_assert_true (qviz_range_observer_finish (obs[0], &lo, &hi));
                g_assert_cmpfloat (lo, ==, lo_whole);
                g_assert_cmpfloat (hi, ==, hi_whole);
                for (int t = 0; t < n_obs; t++)
                  qviz_range_observer_free (obs[t]);
              }
    }
}

/* A long array is counted in interleaved histograms and split between
 * threads; short pieces take the plain path.  The same values must give
 * the same counts and ranges either way, zeros (half of a ReLU output),
 * negative values and NaN included. */
static void
test_observer_long_array_same_as_pieces (void)
{
  const QvizCalibrationMethod methods[] = { QVIZ_CALIBRATION_MINMAX,
                                            QVIZ_CALIBRATION_PERCENTILE,
                                            QVIZ_CALIBRATION_HISTOGRAM };
  const gsize n = 700001;
  g_autoptr(GRand) rand = g_rand_new_with_seed (23);
  g_autofree float *x = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    {
      double mag = ldexp (1.0, g_rand_int_range (rand, -36, 12)) * g_rand_double_range (rand, 1.0, 2.0);
      int kind = g_rand_int_range (rand, 0, 4);
      x[i] = kind <= 1 ? 0.0f : (float) (kind == 2 ? -mag : mag);
    }
  x[n / 3] = NAN;
  x[n - 1] = INFINITY;
  for (guint k = 0; k < G_N_ELEMENTS (methods); k++)
    {
      g_autoptr(QvizRangeObserver) whole = qviz_range_observer_new (methods[k], 99.9);
      g_autoptr(QvizRangeObserver) pieces = qviz_range_observer_new (methods[k], 99.9);
      float lo_w, hi_w, lo_p, hi_p;

      qviz_range_observer_observe (whole, x, n);
      for (gsize start = 0; start < n; start += 1000)
        qviz_range_observer_observe (pieces, x + start, MIN (1000, n - start));
      g_assert_cmpuint (qviz_range_observer_count (whole), ==, n - 2);
      g_assert_cmpuint (qviz_range_observer_count (pieces), ==, n - 2);
      g_assert_cmpuint (qviz_range_observer_non_finite (whole), ==, 2);
      g_assert_true (qviz_range_observer_finish (whole, &lo_w, &hi_w));
      g_assert_true (qviz_range_observer_finish (pieces, &lo_p, &hi_p));
      g_assert_cmpfloat (lo_w, ==, lo_p);
      g_assert_cmpfloat (hi_w, ==, hi_p);
      g_assert_cmpfloat (lo_w, <, 0.0f);
      g_assert_cmpfloat (hi_w, >, 0.0f);
    }
}

static void
test_observer_percentile_accuracy (void)
{
  /* Values 1..100000 (each once): the 99.9th percentile is 99900, the
   * bottom tail (all positive) gives 0. */
  const gsize n = 100000;
  g_autofree float *x = g_new (float, n);
  g_autoptr(QvizRangeObserver) o = qviz_range_observer_new (QVIZ_CALIBRATION_PERCENTILE, 99.9);
  float lo, hi;

  for (gsize i = 0; i < n; i++)
    x[i] = (float) (i + 1);
  qviz_range_observer_observe (o, x, n);
  qviz_range_observer_finish (o, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 1.0f);      /* min of all-positive data: kept */
  g_assert_cmpfloat (hi, >=, 99900.0f);  /* never narrower than asked */
  g_assert_cmpfloat (hi, <=, 99900.0f * (1.0f + 1.0f / 32.0f));

  /* Post-relu data with a mass of zeros: the lower bound stays 0. */
  g_autoptr(QvizRangeObserver) z = qviz_range_observer_new (QVIZ_CALIBRATION_PERCENTILE, 99.0);
  for (gsize i = 0; i < n; i++)
    x[i] = i % 2 ? 0.0f : (float) (i % 1000) / 100.0f;
  qviz_range_observer_observe (z, x, n);
  qviz_range_observer_finish (z, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 0.0f);
  g_assert_cmpfloat (hi, >=, 9.4f);
  g_assert_cmpfloat (hi, <=, 9.9f);     /* minmax would give 9.98 */
}

static void
test_observer_edge_cases (void)
{
  g_autoptr(QvizRangeObserver) o = qviz_range_observer_new (QVIZ_CALIBRATION_PERCENTILE, 99.99);
  const float odd[5] = { NAN, INFINITY, -INFINITY, 2.0f, -0.5f };
  float lo = 1, hi = 1;

  /* Nothing seen: FALSE and an empty range. */
  g_assert_false (qviz_range_observer_finish (o, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 0.0f);
  g_assert_cmpfloat (hi, ==, 0.0f);

  qviz_range_observer_observe (o, odd, 5);
  g_assert_cmpuint (qviz_range_observer_count (o), ==, 2);
  g_assert_cmpuint (qviz_range_observer_non_finite (o), ==, 3);
  g_assert_true (qviz_range_observer_finish (o, &lo, &hi));
  g_assert_cmpfloat (lo, ==, -0.5f);
  g_assert_cmpfloat (hi, ==, 2.0f);

  /* Huge and tiny magnitudes do not break the histogram. */
  const float extreme[4] = { 3e38f, -3e38f, 1e-40f, -1e-30f };
  g_autoptr(QvizRangeObserver) e = qviz_range_observer_new (QVIZ_CALIBRATION_PERCENTILE, 100.0);
  qviz_range_observer_observe (e, extreme, 4);
  qviz_range_observer_finish (e, &lo, &hi);
  g_assert_cmpfloat (lo, ==, -3e38f);
  g_assert_cmpfloat (hi, ==, 3e38f);
  QvizQuantParams p = qviz_quant_params_from_range (lo, hi);
  g_assert_true (isfinite (p.scale) && p.scale > 0.0f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/quant/params/from-range", test_params_from_range);
  g_test_add_func ("/quant/observer/fast-path-same-bins", test_observer_fast_path_same_bins);
  g_test_add_func ("/quant/observer/long-array-same-as-pieces", test_observer_long_array_same_as_pieces);
  g_test_add_func ("/quant/observer/promise-same-range", test_observer_promise_same_range);
  g_test_add_func ("/quant/observer/merge-same-range", test_observer_merge_same_range);
  g_test_add_func ("/quant/params/roundtrip", test_quantize_roundtrip);
  g_test_add_func ("/quant/params/activation-bounds", test_activation_bounds);
  g_test_add_func ("/quant/weights/per-channel", test_weights_per_channel);
  g_test_add_func ("/quant/weights/bias-requant", test_bias_and_requant);
  g_test_add_func ("/quant/sqnr", test_sqnr);
  g_test_add_func ("/quant/sqnr-blocks", test_sqnr_blocks);
  g_test_add_func ("/quant/observer/method-names", test_method_names);
  g_test_add_func ("/quant/observer/minmax-percentile", test_observer_minmax_percentile);
  g_test_add_func ("/quant/observer/percentile-accuracy", test_observer_percentile_accuracy);
  g_test_add_func ("/quant/observer/edge-cases", test_observer_edge_cases);
  g_test_add_func ("/quant/observer/histogram-l2", test_observer_histogram_l2);

  return g_test_run ();
}
