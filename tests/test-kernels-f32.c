/* test-kernels-f32.c: the float32 scalar kernels and the float convolution
 * operator against naive formulas written independently here.
 *
 * Convolution is recomputed from its logical NCHW / OIHW definition with
 * explicit index math and double accumulation, over shapes that cover stride
 * 1 and 2, dilation 1, 2 and 5, asymmetric padding, plain, grouped and
 * depthwise convolution, odd sizes, batch 2 and every activation.  The
 * convolution operator (every algorithm, 1 to 3 threads) must match the
 * scalar reference within 1e-5 relative.  Bilinear resize is checked against
 * values PyTorch's interpolate gives and against a second, matrix-form
 * implementation.  All random data comes from a fixed GRand seed.
 */
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "qvk-conv.h"
#include "qvk-f32.h"

#define SEED 20240611

static float *
random_floats (GRand *rand, size_t n, double scale)
{
  float *v = g_new (float, n ? n : 1);
  for (size_t i = 0; i < n; i++)
    v[i] = (float) (g_rand_double_range (rand, -1.0, 1.0) * scale);
  return v;
}

/* The activations again, in double, from their textbook definitions. */
static double
naive_activate (const qvk_activation *act, double x)
{
  switch (act->kind)
    {
    case QVK_ACT_NONE:
      return x;
    case QVK_ACT_RELU:
      return MAX (x, 0.0);
    case QVK_ACT_CLIP:
      return MIN (MAX (x, act->min), act->max);
    case QVK_ACT_HARDSWISH:
      return x * MIN (MAX (x + 3.0, 0.0), 6.0) / 6.0;
    case QVK_ACT_HARDSIGMOID:
      return MIN (MAX ((double) act->alpha * x + act->beta, 0.0), 1.0);
    case QVK_ACT_SIGMOID:
      return 1.0 / (1.0 + exp (-x));
    case QVK_ACT_TANH:
      return (exp (x) - exp (-x)) / (exp (x) + exp (-x));
    case QVK_ACT_LEAKY_RELU:
      return x >= 0 ? x : act->alpha * x;
    case QVK_ACT_ELU:
      return x >= 0 ? x : act->alpha * (exp (x) - 1.0);
    case QVK_ACT_SOFTPLUS:
      return log (1.0 + exp (x));
    case QVK_ACT_ERF:
      return erf (x);
    case QVK_ACT_SQRT:
      return sqrt (x);
    }
  g_assert_not_reached ();
}

static void
assert_close (double got, double want, double tol, const char *what, size_t index)
{
  if (!(fabs (got - want) <= tol))
    g_error ("%s[%zu]: got %.9g, expected %.9g (tolerance %.3g)",
             what, index, got, want, tol);
}

/* ------------------------------------------------------------------------ */

static void
test_activate (void)
{
  const qvk_act kinds[] = { QVK_ACT_NONE, QVK_ACT_RELU, QVK_ACT_CLIP,
                            QVK_ACT_HARDSWISH, QVK_ACT_HARDSIGMOID,
                            QVK_ACT_SIGMOID, QVK_ACT_TANH, QVK_ACT_LEAKY_RELU,
                            QVK_ACT_ELU, QVK_ACT_SOFTPLUS, QVK_ACT_ERF };
  const float xs[] = { -7.f, -3.5f, -3.f, -1.f, -0.25f, 0.f, 0.4f, 1.f, 2.9f,
                       3.f, 5.99f, 6.f, 9.f };
  qvk_activation custom_hsig = qvk_activation_make (QVK_ACT_HARDSIGMOID);
  qvk_activation clip = qvk_activation_clip (-0.5f, 2.0f);

  custom_hsig.alpha = 0.2f;  /* ONNX's default HardSigmoid */
  custom_hsig.beta = 0.5f;

  /* the square root where it is a number */
  for (size_t i = 0; i < G_N_ELEMENTS (xs); i++)
    {
      qvk_activation act = qvk_activation_make (QVK_ACT_SQRT);
      if (xs[i] >= 0.0f)
        assert_close (qvk_f32_activate (&act, xs[i]), naive_activate (&act, xs[i]), 1e-6,
                      "sqrt", i);
      else
        g_assert_true (isnan (qvk_f32_activate (&act, xs[i])));
    }
  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      qvk_activation act = qvk_activation_make (kinds[k]);
      if (kinds[k] == QVK_ACT_LEAKY_RELU || kinds[k] == QVK_ACT_ELU)
        act.alpha = 0.3f;
      for (size_t i = 0; i < G_N_ELEMENTS (xs); i++)
        assert_close (qvk_f32_activate (&act, xs[i]), naive_activate (&act, xs[i]),
                      1e-6, "activate", k * 100 + i);
    }
  for (size_t i = 0; i < G_N_ELEMENTS (xs); i++)
    {
      assert_close (qvk_f32_activate (&custom_hsig, xs[i]),
                    naive_activate (&custom_hsig, xs[i]), 1e-6, "hardsigmoid 0.2", i);
      assert_close (qvk_f32_activate (&clip, xs[i]),
                    naive_activate (&clip, xs[i]), 0, "clip", i);
    }

  /* A few values known by heart. */
  qvk_activation relu6 = qvk_activation_make (QVK_ACT_CLIP);
  qvk_activation hswish = qvk_activation_make (QVK_ACT_HARDSWISH);
  qvk_activation hsig = qvk_activation_make (QVK_ACT_HARDSIGMOID);
  qvk_activation sig = qvk_activation_make (QVK_ACT_SIGMOID);
  g_assert_cmpfloat (qvk_f32_activate (&relu6, 7.0f), ==, 6.0f);
  g_assert_cmpfloat (qvk_f32_activate (&relu6, -1.0f), ==, 0.0f);
  g_assert_cmpfloat_with_epsilon (qvk_f32_activate (&hswish, 1.0f), 4.0f / 6.0f, 1e-7);
  g_assert_cmpfloat_with_epsilon (qvk_f32_activate (&hsig, 0.0f), 0.5f, 1e-7);
  g_assert_cmpfloat_with_epsilon (qvk_f32_activate (&sig, 0.0f), 0.5f, 1e-7);
}

/* ------------------------------------------------------------------------ */

typedef struct {
  const char *label;
  int batch, in_h, in_w, in_c, out_c;
  int kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  int pad_top, pad_left, pad_bottom, pad_right;
  int groups;
  qvk_act act;
  gboolean has_bias;
} ConvCase;

static const ConvCase conv_cases[] = {
  { "1x1", 1, 7, 5, 3, 8, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, QVK_ACT_NONE, TRUE },
  { "3x3 s2 asym pad b2", 2, 9, 7, 5, 6, 3, 3, 2, 2, 1, 1, 0, 1, 1, 0, 1, QVK_ACT_RELU, TRUE },
  { "3x3 d2 4 groups", 1, 8, 9, 8, 12, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 4, QVK_ACT_HARDSWISH, TRUE },
  { "dw 5x5 d5", 1, 13, 11, 6, 6, 5, 5, 1, 1, 5, 5, 10, 10, 10, 10, 6, QVK_ACT_CLIP, TRUE },
  { "dw 3x3 s2 asym pad b2", 2, 9, 10, 7, 7, 3, 3, 2, 2, 1, 1, 1, 0, 0, 1, 7, QVK_ACT_HARDSIGMOID, TRUE },
  { "dw multiplier 2", 1, 6, 5, 4, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4, QVK_ACT_SIGMOID, FALSE },
  { "5x3 s2x1 d1x2 b2", 2, 11, 9, 4, 5, 5, 3, 2, 1, 1, 2, 2, 1, 3, 2, 1, QVK_ACT_NONE, FALSE },
  { "first conv 3ch s2", 2, 11, 13, 3, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, QVK_ACT_HARDSWISH, TRUE },
  { "wide K and N", 2, 9, 9, 40, 140, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, QVK_ACT_RELU, TRUE },
  { "dw 3x3 d2 odd", 1, 7, 5, 19, 19, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 19, QVK_ACT_CLIP, TRUE },
};

static qvk_conv_shape
case_shape (const ConvCase *c)
{
  qvk_conv_shape s = { 0 };

  s.batch = c->batch;
  s.in_h = c->in_h;
  s.in_w = c->in_w;
  s.in_c = c->in_c;
  s.out_c = c->out_c;
  s.kernel_h = c->kernel_h;
  s.kernel_w = c->kernel_w;
  s.stride_h = c->stride_h;
  s.stride_w = c->stride_w;
  s.dilation_h = c->dilation_h;
  s.dilation_w = c->dilation_w;
  s.pad_top = c->pad_top;
  s.pad_left = c->pad_left;
  s.groups = c->groups;
  s.out_h = (c->in_h + c->pad_top + c->pad_bottom - c->dilation_h * (c->kernel_h - 1) - 1)
            / c->stride_h + 1;
  s.out_w = (c->in_w + c->pad_left + c->pad_right - c->dilation_w * (c->kernel_w - 1) - 1)
            / c->stride_w + 1;
  s.act = c->act == QVK_ACT_CLIP ? qvk_activation_clip (-0.3f, 0.4f)
                                 : qvk_activation_make (c->act);
  return s;
}

typedef struct {
  qvk_conv_shape s;
  float *input;     /* NHWC */
  float *weights;   /* OHWI */
  float *bias;      /* or NULL */
  size_t in_n, w_n, out_n;
} ConvData;

static void
conv_data_init (ConvData *d, const ConvCase *c, GRand *rand)
{
  d->s = case_shape (c);
  d->in_n = (size_t) d->s.batch * d->s.in_h * d->s.in_w * d->s.in_c;
  d->w_n = (size_t) d->s.out_c * d->s.kernel_h * d->s.kernel_w * (d->s.in_c / d->s.groups);
  d->out_n = (size_t) d->s.batch * d->s.out_h * d->s.out_w * d->s.out_c;
  d->input = random_floats (rand, d->in_n, 1.0);
  /* Weights scaled as a trained network's are, so that outputs stay O(1). */
  d->weights = random_floats (rand, d->w_n,
                              1.0 / sqrt (d->s.kernel_h * d->s.kernel_w
                                          * (d->s.in_c / d->s.groups)));
  d->bias = c->has_bias ? random_floats (rand, d->s.out_c, 0.5) : NULL;
}

static void
conv_data_clear (ConvData *d)
{
  g_free (d->input);
  g_free (d->weights);
  g_free (d->bias);
}

/* Convolution from its definition: transpose to NCHW / OIHW, then
 * y[n][o][y][x] = b[o] + sum_{i,ky,kx} x[n][g*I+i][y*s-p+ky*d][...] w[o][i][ky][kx].
 * Returns the NHWC result and, per output, the sum of |terms| used to scale
 * the tolerance. */
static void
naive_conv (const ConvData *d, double *out_nhwc, double *abs_nhwc)
{
  const qvk_conv_shape *s = &d->s;
  const int N = s->batch, C = s->in_c, H = s->in_h, W = s->in_w;
  const int O = s->out_c, OH = s->out_h, OW = s->out_w;
  const int KH = s->kernel_h, KW = s->kernel_w, G = s->groups;
  const int I = C / G, OG = O / G;
  double *x = g_new (double, (size_t) N * C * H * W);
  double *w = g_new (double, (size_t) O * I * KH * KW);

  for (int n = 0; n < N; n++)
    for (int c = 0; c < C; c++)
      for (int h = 0; h < H; h++)
        for (int ww = 0; ww < W; ww++)
          x[((n * C + c) * H + h) * W + ww] = d->input[((n * H + h) * W + ww) * C + c];
  for (int o = 0; o < O; o++)
    for (int i = 0; i < I; i++)
      for (int kh = 0; kh < KH; kh++)
        for (int kw = 0; kw < KW; kw++)
          w[((o * I + i) * KH + kh) * KW + kw] = d->weights[((o * KH + kh) * KW + kw) * I + i];

  for (int n = 0; n < N; n++)
    for (int o = 0; o < O; o++)
      for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++)
          {
            const int g = o / OG;
            double acc = d->bias ? d->bias[o] : 0.0;
            double mag = fabs (acc);

            for (int i = 0; i < I; i++)
              for (int kh = 0; kh < KH; kh++)
                for (int kw = 0; kw < KW; kw++)
                  {
                    const int iy = oy * s->stride_h - s->pad_top + kh * s->dilation_h;
                    const int ix = ox * s->stride_w - s->pad_left + kw * s->dilation_w;
                    if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                      continue;  /* zero padding */
                    double term = x[((n * C + g * I + i) * H + iy) * W + ix]
                                * w[((o * I + i) * KH + kh) * KW + kw];
                    acc += term;
                    mag += fabs (term);
                  }
            const size_t at = (((size_t) n * OH + oy) * OW + ox) * O + o;
            out_nhwc[at] = naive_activate (&s->act, acc);
            abs_nhwc[at] = mag;
          }

  g_free (x);
  g_free (w);
}

static void
test_conv2d_scalar (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED);

  for (size_t k = 0; k < G_N_ELEMENTS (conv_cases); k++)
    {
      ConvData d;
      conv_data_init (&d, &conv_cases[k], rand);
      g_autofree double *want = g_new (double, d.out_n);
      g_autofree double *mag = g_new (double, d.out_n);
      g_autofree float *got = g_new (float, d.out_n);
      const int rows = d.s.batch * d.s.out_h;

      g_test_message ("conv case %s: out %dx%dx%d", conv_cases[k].label,
                      d.s.out_h, d.s.out_w, d.s.out_c);
      naive_conv (&d, want, mag);

      /* Two row ranges, the second starting mid-batch, must tile the output. */
      for (size_t i = 0; i < d.out_n; i++)
        got[i] = NAN;
      qvk_f32_conv2d__scalar (&d.s, d.input, d.weights, d.bias, got, 0, rows / 2 + 1);
      qvk_f32_conv2d__scalar (&d.s, d.input, d.weights, d.bias, got, rows / 2 + 1, rows);

      for (size_t i = 0; i < d.out_n; i++)
        assert_close (got[i], want[i], 1e-5 * (1.0 + mag[i]), conv_cases[k].label, i);
      conv_data_clear (&d);
    }
}

static void
test_conv_op (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED + 1);
  const qvk_conv_algo algos[] = { QVK_CONV_ALGO_AUTO, QVK_CONV_ALGO_IM2COL,
                                  QVK_CONV_ALGO_REFERENCE };
  const qvk_isa isas[] = { QVK_ISA_SCALAR, qvk_isa_detect () };

  for (size_t k = 0; k < G_N_ELEMENTS (conv_cases); k++)
    {
      ConvData d;
      conv_data_init (&d, &conv_cases[k], rand);
      g_autofree float *ref = g_new (float, d.out_n);
      g_autofree float *got = g_new (float, d.out_n);
      const int rows = d.s.batch * d.s.out_h;

      qvk_f32_conv2d__scalar (&d.s, d.input, d.weights, d.bias, ref, 0, rows);

      for (size_t ii = 0; ii < G_N_ELEMENTS (isas); ii++)
        for (size_t a = 0; a < G_N_ELEMENTS (algos); a++)
          {
            qvk_conv_options opts = { isas[ii], algos[a], 3 };
            qvk_f32_conv_op *op = qvk_f32_conv_create (&d.s, d.weights, d.bias, &opts);
            const char *name, *reason;

            g_assert_nonnull (op);
            name = qvk_f32_conv_kernel_name (op);
            reason = qvk_f32_conv_reason (op);
            g_assert_true (g_str_has_prefix (name, "f32 "));
            g_assert_cmpstr (reason, !=, "");
            g_assert_cmpuint (qvk_f32_conv_packed_bytes (op), >=, d.w_n * sizeof (float));
            if (qvk_conv_is_depthwise (&d.s))
              g_assert_true (g_str_has_prefix (name, "f32 dwconv "));
            if (d.s.dilation_h == 5)
              g_assert_nonnull (strstr (name, " d5"));
            if (algos[a] == QVK_CONV_ALGO_IM2COL)
              {
                g_assert_nonnull (strstr (name, "im2col+gemm"));
                g_assert_cmpstr (reason, ==, "forced by --conv-algo im2col");
              }
            else if (algos[a] == QVK_CONV_ALGO_REFERENCE)
              g_assert_cmpstr (reason, ==, "forced by --conv-algo reference");
            else if (isas[ii] == QVK_ISA_SCALAR)
              g_assert_cmpstr (reason, ==, "no vector ISA selected");
            g_test_message ("%s / %s: %s: %s", conv_cases[k].label,
                            qvk_isa_name (isas[ii]), name, reason);

            for (int threads = 1; threads <= 3; threads++)
              {
                for (size_t i = 0; i < d.out_n; i++)
                  got[i] = NAN;
                for (int t = 0; t < threads; t++)
                  qvk_f32_conv_run (op, d.input, got, t, threads);
                for (size_t i = 0; i < d.out_n; i++)
                  assert_close (got[i], ref[i], 1e-5 * MAX (1.0, fabs (ref[i])),
                                name, i);
              }
            qvk_f32_conv_destroy (op);
          }
      conv_data_clear (&d);
    }
}

static void
test_conv_op_rejects_bad_shape (void)
{
  qvk_conv_shape s = { 1, 4, 4, 6, 4, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4,
                       { QVK_ACT_NONE, 0, 6, 1.f / 6, 0.5f } };
  float w[4 * 9 * 6] = { 0 };

  /* 6 input channels do not split into 4 groups. */
  g_assert_null (qvk_f32_conv_create (&s, w, NULL, NULL));
  s.groups = 1;
  s.stride_h = 0;
  g_assert_null (qvk_f32_conv_create (&s, w, NULL, NULL));
}

/* ------------------------------------------------------------------------ */

static void
test_elementwise (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED + 2);
  const size_t n = 1003;
  g_autofree float *a = random_floats (rand, n, 5.0);
  g_autofree float *b = random_floats (rand, n, 5.0);
  g_autofree float *y = g_new (float, n);
  const qvk_act kinds[] = { QVK_ACT_NONE, QVK_ACT_RELU, QVK_ACT_CLIP,
                            QVK_ACT_HARDSWISH, QVK_ACT_HARDSIGMOID,
                            QVK_ACT_SIGMOID };

  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      qvk_activation act = qvk_activation_make (kinds[k]);

      qvk_f32_activation__scalar (&act, a, y, 0, 400);
      qvk_f32_activation__scalar (&act, a, y, 400, n);
      for (size_t i = 0; i < n; i++)
        assert_close (y[i], naive_activate (&act, a[i]), 2e-6 * MAX (1.0, fabs (a[i])),
                      "activation", i);

      qvk_f32_add__scalar (&act, a, b, y, 0, 17);
      qvk_f32_add__scalar (&act, a, b, y, 17, n);
      for (size_t i = 0; i < n; i++)
        {
          double s = (double) a[i] + b[i];
          assert_close (y[i], naive_activate (&act, s), 2e-6 * MAX (1.0, fabs (s)),
                        "add", i);
        }
    }

  qvk_f32_mul__scalar (a, b, y, 0, 500);
  qvk_f32_mul__scalar (a, b, y, 500, n);
  for (size_t i = 0; i < n; i++)
    assert_close (y[i], (double) a[i] * b[i], 1e-6 * MAX (1.0, fabs (a[i] * b[i])), "mul", i);

  /* Squeeze-excite: batch 2, 7 pixels, 5 channels. */
  {
    const int batch = 2, pixels = 7, channels = 5;
    g_autofree float *x = random_floats (rand, batch * pixels * channels, 2.0);
    g_autofree float *scale = random_floats (rand, batch * channels, 1.0);
    g_autofree float *out = g_new (float, batch * pixels * channels);

    qvk_f32_mul_channel__scalar (pixels, channels, x, scale, out, 0, 9);
    qvk_f32_mul_channel__scalar (pixels, channels, x, scale, out, 9, batch * pixels);
    for (int nn = 0; nn < batch; nn++)
      for (int p = 0; p < pixels; p++)
        for (int c = 0; c < channels; c++)
          {
            size_t at = ((size_t) nn * pixels + p) * channels + c;
            assert_close (out[at], (double) x[at] * scale[nn * channels + c], 1e-6,
                          "mul_channel", at);
          }
  }
}

static void
test_global_avgpool (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED + 3);
  const int batch = 2, pixels = 37, channels = 11;
  g_autofree float *x = random_floats (rand, batch * pixels * channels, 3.0);
  g_autofree float *y = g_new (float, batch * channels);

  qvk_f32_global_avgpool__scalar (batch, pixels, channels, x, y);
  for (int n = 0; n < batch; n++)
    for (int c = 0; c < channels; c++)
      {
        double sum = 0;
        for (int p = 0; p < pixels; p++)
          sum += x[(n * pixels + p) * channels + c];
        assert_close (y[n * channels + c], sum / pixels, 1e-6, "global_avgpool",
                      n * channels + c);
      }
}

static void
run_pool_case (GRand *rand, const qvk_pool_shape *s, gboolean is_max)
{
  const size_t in_n = (size_t) s->batch * s->in_h * s->in_w * s->channels;
  const size_t out_n = (size_t) s->batch * s->out_h * s->out_w * s->channels;
  g_autofree float *x = random_floats (rand, in_n, 4.0);
  g_autofree float *y = g_new (float, out_n);
  const int rows = s->batch * s->out_h;

  if (is_max)
    {
      qvk_f32_maxpool__scalar (s, x, y, 0, rows / 3);
      qvk_f32_maxpool__scalar (s, x, y, rows / 3, rows);
    }
  else
    {
      qvk_f32_avgpool__scalar (s, x, y, 0, rows / 3);
      qvk_f32_avgpool__scalar (s, x, y, rows / 3, rows);
    }

  for (int n = 0; n < s->batch; n++)
    for (int c = 0; c < s->channels; c++)
      for (int oy = 0; oy < s->out_h; oy++)
        for (int ox = 0; ox < s->out_w; ox++)
          {
            double best = -INFINITY, sum = 0;
            int count = 0;
            const int dh = is_max ? s->dilation_h : 1, dw = is_max ? s->dilation_w : 1;

            for (int ky = 0; ky < s->kernel_h; ky++)
              for (int kx = 0; kx < s->kernel_w; kx++)
                {
                  int iy = oy * s->stride_h - s->pad_top + ky * dh;
                  int ix = ox * s->stride_w - s->pad_left + kx * dw;
                  if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                    continue;
                  double v = x[((n * s->in_h + iy) * s->in_w + ix) * s->channels + c];
                  best = MAX (best, v);
                  sum += v;
                  count++;
                }
            size_t at = (((size_t) n * s->out_h + oy) * s->out_w + ox) * s->channels + c;
            double want = is_max ? best
                        : sum / (s->count_include_pad ? s->kernel_h * s->kernel_w : count);
            assert_close (y[at], want, is_max ? 0 : 1e-5, is_max ? "maxpool" : "avgpool", at);
          }
}

static void
test_pool (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED + 4);
  /* 3x3 stride 2 pad 1 on an odd map, batch 2. */
  qvk_pool_shape s = { 2, 9, 7, 5, 5, 4, 3, 3, 2, 2, 1, 1, 1, 1, 0 };

  run_pool_case (rand, &s, FALSE);
  s.count_include_pad = 1;
  run_pool_case (rand, &s, FALSE);
  run_pool_case (rand, &s, TRUE);

  /* Dilated max pool with asymmetric (top only) padding. */
  qvk_pool_shape d = { 1, 10, 9, 3, 4, 3, 2, 3, 2, 2, 2, 3, 1, 0, 0 };
  run_pool_case (rand, &d, TRUE);

  /* 2x2 stride 2 average without padding, the count must be 4 either way. */
  qvk_pool_shape e = { 1, 6, 8, 2, 3, 4, 2, 2, 2, 2, 1, 1, 0, 0, 0 };
  run_pool_case (rand, &e, FALSE);
}

/* ------------------------------------------------------------------------ */

static void
check_bilinear_values (int in_h, int in_w, int out_h, int out_w, int align,
                       const float *x, const float *want)
{
  g_autofree float *y = g_new (float, out_h * out_w);

  qvk_f32_resize_bilinear__scalar (1, in_h, in_w, 1, out_h, out_w, align, x, y, 0, out_h);
  for (int i = 0; i < out_h * out_w; i++)
    assert_close (y[i], want[i], 1e-5 * MAX (1.0, fabs (want[i])), "bilinear values", i);
}

static void
test_resize_bilinear_values (void)
{
  /* torch.nn.functional.interpolate(x, size, mode='bilinear', ...) */
  const float x22[] = { 1, 2, 3, 4 };
  const float up4_false[] = { 1.00f, 1.25f, 1.75f, 2.00f,
                              1.50f, 1.75f, 2.25f, 2.50f,
                              2.50f, 2.75f, 3.25f, 3.50f,
                              3.00f, 3.25f, 3.75f, 4.00f };
  const float up3_true[] = { 1.0f, 1.5f, 2.0f,
                             2.0f, 2.5f, 3.0f,
                             3.0f, 3.5f, 4.0f };
  const float up4_true[] = { 1.0f, 4.f / 3, 5.f / 3, 2.0f,
                             5.f / 3, 2.0f, 7.f / 3, 8.f / 3,
                             7.f / 3, 8.f / 3, 3.0f, 10.f / 3,
                             3.0f, 10.f / 3, 11.f / 3, 4.0f };
  /* x[i][j] = (5i + j)^2 on 3x5, downsampled to 2x3. */
  float x35[15];
  const float down_false[] = { 7.416666667f, 15.25f, 29.08333333f,
                               87.41666667f, 120.25f, 159.0833333f };
  const float down_true[] = { 0.0f, 4.0f, 16.0f, 100.0f, 144.0f, 196.0f };
  /* One output pixel: align_corners=True takes the top-left corner, False
   * the centre (source 0.5, 0.5 of the 2x2). */
  const float one_true[] = { 1.0f };
  const float one_false[] = { 2.5f };

  for (int i = 0; i < 15; i++)
    x35[i] = (float) (i * i);

  check_bilinear_values (2, 2, 4, 4, 0, x22, up4_false);
  check_bilinear_values (2, 2, 3, 3, 1, x22, up3_true);
  check_bilinear_values (2, 2, 4, 4, 1, x22, up4_true);
  check_bilinear_values (3, 5, 2, 3, 0, x35, down_false);
  check_bilinear_values (3, 5, 2, 3, 1, x35, down_true);
  check_bilinear_values (2, 2, 1, 1, 1, x22, one_true);
  check_bilinear_values (2, 2, 1, 1, 0, x22, one_false);
}

/* The resize as two dense interpolation matrices, Y = A_h X A_w^T, built
 * from the source coordinate in double. */
static double *
interp_matrix (int in, int out, int align)
{
  double *m = g_new0 (double, (size_t) in * out);

  for (int o = 0; o < out; o++)
    {
      double src = align ? (out > 1 ? o * (double) (in - 1) / (out - 1) : 0.0)
                         : MAX ((o + 0.5) * in / out - 0.5, 0.0);
      int lo = MIN ((int) floor (src), in - 1);
      int hi = MIN (lo + 1, in - 1);
      double frac = src - lo;
      m[o * in + lo] += 1.0 - frac;
      m[o * in + hi] += frac;
    }
  return m;
}

static void
test_resize_bilinear_random (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED + 5);
  const int sizes[][4] = { { 5, 7, 11, 3 }, { 8, 8, 16, 16 }, { 9, 6, 4, 13 },
                           { 3, 3, 3, 3 }, { 1, 4, 5, 1 } };
  const int batch = 2, channels = 3;

  for (size_t k = 0; k < G_N_ELEMENTS (sizes); k++)
    for (int align = 0; align <= 1; align++)
      {
        const int ih = sizes[k][0], iw = sizes[k][1], oh = sizes[k][2], ow = sizes[k][3];
        g_autofree float *x = random_floats (rand, (size_t) batch * ih * iw * channels, 2.0);
        g_autofree float *y = g_new (float, (size_t) batch * oh * ow * channels);
        g_autofree double *ah = interp_matrix (ih, oh, align);
        g_autofree double *aw = interp_matrix (iw, ow, align);

        qvk_f32_resize_bilinear__scalar (batch, ih, iw, channels, oh, ow, align, x, y,
                                         0, batch * oh - 1);
        qvk_f32_resize_bilinear__scalar (batch, ih, iw, channels, oh, ow, align, x, y,
                                         batch * oh - 1, batch * oh);
        for (int n = 0; n < batch; n++)
          for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
              for (int c = 0; c < channels; c++)
                {
                  double want = 0;
                  for (int iy = 0; iy < ih; iy++)
                    for (int ix = 0; ix < iw; ix++)
                      want += ah[oy * ih + iy] * aw[ox * iw + ix]
                              * x[((n * ih + iy) * iw + ix) * channels + c];
                  size_t at = (((size_t) n * oh + oy) * ow + ox) * channels + c;
                  assert_close (y[at], want, 2e-5, "bilinear random", at);
                }
      }
}

static void
test_resize_nearest (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED + 6);
  const int sizes[][4] = { { 4, 5, 8, 10 }, { 7, 3, 5, 6 }, { 2, 2, 5, 5 } };
  const int batch = 2, channels = 3;

  for (size_t k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      const int ih = sizes[k][0], iw = sizes[k][1], oh = sizes[k][2], ow = sizes[k][3];
      g_autofree float *x = random_floats (rand, (size_t) batch * ih * iw * channels, 1.0);
      g_autofree float *y = g_new (float, (size_t) batch * oh * ow * channels);

      qvk_f32_resize_nearest__scalar (batch, ih, iw, channels, oh, ow, x, y, 0, batch * oh);
      for (int n = 0; n < batch; n++)
        for (int oy = 0; oy < oh; oy++)
          for (int ox = 0; ox < ow; ox++)
            for (int c = 0; c < channels; c++)
              {
                int iy = MIN ((int) floor (oy * ((double) ih / oh)), ih - 1);
                int ix = MIN ((int) floor (ox * ((double) iw / ow)), iw - 1);
                size_t at = (((size_t) n * oh + oy) * ow + ox) * channels + c;
                assert_close (y[at], x[((n * ih + iy) * iw + ix) * channels + c], 0,
                              "nearest", at);
              }
    }

  /* 2 -> 4 repeats each pixel twice. */
  {
    const float x[] = { 1, 2 };
    float y[4];
    qvk_f32_resize_nearest__scalar (1, 1, 2, 1, 1, 4, x, y, 0, 1);
    g_assert_cmpfloat (y[0], ==, 1);
    g_assert_cmpfloat (y[1], ==, 1);
    g_assert_cmpfloat (y[2], ==, 2);
    g_assert_cmpfloat (y[3], ==, 2);
  }
}

static void
test_linear (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED + 7);
  const int rows = 3, in_f = 37, out_f = 10;
  g_autofree float *x = random_floats (rand, rows * in_f, 1.0);
  g_autofree float *w = random_floats (rand, out_f * in_f, 0.3);
  g_autofree float *b = random_floats (rand, out_f, 1.0);
  g_autofree float *y = g_new (float, rows * out_f);
  qvk_activation act = qvk_activation_make (QVK_ACT_HARDSWISH);

  for (int with_bias = 0; with_bias <= 1; with_bias++)
    {
      qvk_f32_linear__scalar (rows, in_f, out_f, x, w, with_bias ? b : NULL, &act, y);
      for (int r = 0; r < rows; r++)
        for (int o = 0; o < out_f; o++)
          {
            double acc = with_bias ? b[o] : 0.0;
            for (int i = 0; i < in_f; i++)
              acc += (double) x[r * in_f + i] * w[o * in_f + i];
            assert_close (y[r * out_f + o], naive_activate (&act, acc), 1e-5,
                          "linear", r * out_f + o);
          }
    }
}

static void
test_softmax (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED + 8);
  const size_t outer = 4, n = 21;
  g_autofree float *x = random_floats (rand, outer * n, 8.0);
  g_autofree float *y = g_new (float, outer * n);

  /* A row of large logits: exp would overflow without the max shift. */
  for (size_t i = 0; i < n; i++)
    x[3 * n + i] = 1000.0f + (float) i;

  qvk_f32_softmax__scalar (outer, n, x, y);
  for (size_t o = 0; o < outer; o++)
    {
      double max = -INFINITY, sum = 0, total = 0;
      for (size_t i = 0; i < n; i++)
        max = MAX (max, x[o * n + i]);
      for (size_t i = 0; i < n; i++)
        sum += exp (x[o * n + i] - max);
      for (size_t i = 0; i < n; i++)
        {
          assert_close (y[o * n + i], exp (x[o * n + i] - max) / sum, 1e-6,
                        "softmax", o * n + i);
          total += y[o * n + i];
        }
      g_assert_cmpfloat_with_epsilon (total, 1.0, 1e-5);
    }
}

/* ------------------------------------------------------------------------ */

static void
test_concat (void)
{
  /* outer 3; inner 2, 0, 4 and 1 floats. */
  const size_t inner[] = { 2, 0, 4, 1 };
  float a[6], c[12], d[3];
  const void *inputs[] = { a, NULL, c, d };
  float y[3 * 7];

  for (int i = 0; i < 6; i++)
    a[i] = 100 + i;
  for (int i = 0; i < 12; i++)
    c[i] = 200 + i;
  for (int i = 0; i < 3; i++)
    d[i] = 300 + i;

  qvk_concat (sizeof (float), 3, 4, inner, inputs, y);
  for (int o = 0; o < 3; o++)
    {
      g_assert_cmpfloat (y[o * 7 + 0], ==, 100 + 2 * o);
      g_assert_cmpfloat (y[o * 7 + 1], ==, 101 + 2 * o);
      for (int j = 0; j < 4; j++)
        g_assert_cmpfloat (y[o * 7 + 2 + j], ==, 200 + 4 * o + j);
      g_assert_cmpfloat (y[o * 7 + 6], ==, 300 + o);
    }

  /* Bytes, as the int8 engine uses it. */
  {
    const uint8_t p[] = { 1, 2, 3, 4 }, q[] = { 9, 8 };
    const size_t in2[] = { 2, 1 };
    const void *ins[] = { p, q };
    uint8_t out[6];
    const uint8_t want[] = { 1, 2, 9, 3, 4, 8 };
    qvk_concat (1, 2, 2, in2, ins, out);
    g_assert_cmpmem (out, 6, want, 6);
  }
}

static void
check_transpose (size_t elem_size, int rank, const int64_t *dims, const int *perm)
{
  size_t total = 1;
  int64_t out_dims[6];
  size_t in_strides[6];

  for (int i = 0; i < rank; i++)
    total *= dims[i];
  for (int i = 0; i < rank; i++)
    out_dims[i] = dims[perm[i]];
  in_strides[rank - 1] = 1;
  for (int i = rank - 2; i >= 0; i--)
    in_strides[i] = in_strides[i + 1] * dims[i + 1];

  g_autofree uint8_t *x = g_malloc (total * elem_size);
  g_autofree uint8_t *y = g_malloc (total * elem_size);
  for (size_t i = 0; i < total * elem_size; i++)
    x[i] = (uint8_t) (i * 7 + i / 251);

  qvk_transpose (elem_size, rank, dims, perm, x, y);

  /* For every output flat index, decode its multi-index and find the input
   * element: out[i0..ik] = in[j] with j[perm[a]] = i_a. */
  for (size_t flat = 0; flat < total; flat++)
    {
      size_t rem = flat, src = 0;
      for (int a = rank - 1; a >= 0; a--)
        {
          size_t idx = rem % out_dims[a];
          rem /= out_dims[a];
          src += idx * in_strides[perm[a]];
        }
      if (memcmp (y + flat * elem_size, x + src * elem_size, elem_size) != 0)
        g_error ("transpose rank %d elem %zu: output %zu differs", rank, elem_size, flat);
    }
}

static void
test_transpose (void)
{
  const int64_t nchw[] = { 2, 3, 4, 5 };
  const int to_nhwc[] = { 0, 2, 3, 1 };
  const int64_t d3[] = { 7, 1, 9 };
  const int p3[] = { 2, 0, 1 };
  const int64_t d6[] = { 2, 3, 1, 2, 4, 3 };
  const int p6[] = { 5, 3, 0, 4, 1, 2 };
  const int64_t d2[] = { 5, 6 };
  const int p2[] = { 1, 0 };
  const int id2[] = { 0, 1 };

  check_transpose (4, 4, nchw, to_nhwc);
  check_transpose (1, 3, d3, p3);
  check_transpose (2, 6, d6, p6);
  check_transpose (8, 2, d2, p2);
  check_transpose (4, 2, d2, id2);

  /* A 2x3 matrix transposed by hand. */
  {
    const float m[] = { 1, 2, 3, 4, 5, 6 };
    const float want[] = { 1, 4, 2, 5, 3, 6 };
    const int64_t dims[] = { 2, 3 };
    float t[6];
    qvk_transpose (sizeof (float), 2, dims, p2, m, t);
    g_assert_cmpmem (t, sizeof t, want, sizeof want);
  }
}

/* ------------------------------------------------------------------------ */

static void
test_isa (void)
{
  qvk_isa isa = qvk_isa_detect (), parsed;

  g_assert_cmpint (isa, >=, QVK_ISA_SCALAR);
  g_assert_cmpint (isa, <, QVK_N_ISAS);
  g_assert_cmpint (qvk_isa_detect (), ==, isa);

  for (int i = 0; i < QVK_N_ISAS; i++)
    {
      g_assert_true (qvk_isa_parse (qvk_isa_name (i), &parsed));
      g_assert_cmpint (parsed, ==, i);
    }
  g_assert_false (qvk_isa_parse ("sse4", &parsed));
  g_assert_false (qvk_isa_parse ("", &parsed));
#if defined(__aarch64__)
  g_assert_true (qvk_isa_parse ("NEONDOT", &parsed));
  g_assert_cmpint (parsed, ==, QVK_ISA_NEONDOT);
  g_assert_cmpstr (qvk_isa_name (QVK_ISA_NEONI8MM), ==, "neoni8mm");
  /* another architecture's level is refused, not mistaken for one of ours */
  g_assert_false (qvk_isa_parse ("avx2", &parsed));
  /* Cross-check with the kernel's hardware capabilities. */
  if (g_getenv ("QVIZ_ISA") == NULL)
    {
      const unsigned long hwcap = getauxval (AT_HWCAP);
      g_assert_cmpint (qvk_isa_detect () >= QVK_ISA_NEONDOT, ==, (hwcap & HWCAP_ASIMDDP) != 0);
    }
#else
  g_assert_true (qvk_isa_parse ("AVX2", &parsed));
  g_assert_cmpint (parsed, ==, QVK_ISA_AVX2);
  g_assert_cmpstr (qvk_isa_name (QVK_ISA_AVX512VNNI), ==, "avx512vnni");
  g_assert_false (qvk_isa_parse ("neondot", &parsed));
#endif

#if defined(__x86_64__) || defined(__i386__)
  /* Cross-check with the compiler's own detection when nothing lowers it. */
  if (g_getenv ("QVIZ_ISA") == NULL)
    {
      qvk_isa want = QVK_ISA_SCALAR;
      __builtin_cpu_init ();
      if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
        want = QVK_ISA_AVX2;
      if (want == QVK_ISA_AVX2 && __builtin_cpu_supports ("avx512f") &&
          __builtin_cpu_supports ("avx512bw") && __builtin_cpu_supports ("avx512dq") &&
          __builtin_cpu_supports ("avx512vl"))
        want = QVK_ISA_AVX512;
      if (want == QVK_ISA_AVX512 && __builtin_cpu_supports ("avx512vnni"))
        want = QVK_ISA_AVX512VNNI;
      g_assert_cmpstr (qvk_isa_name (isa), ==, qvk_isa_name (want));
    }
#endif
}

/* QVIZ_ISA lowers the level, and asking for too much clamps with a warning.
 * The level is decided once per process, so each setting runs this program
 * again as a child that only prints the level it detects. */
#define ISA_CHILD_ENV "QVK_TEST_ISA_CHILD"

static char *self_path;

static char *
run_isa_child (const char *qviz_isa, char **err)
{
  g_auto (GStrv) envp = g_environ_setenv (g_get_environ (), ISA_CHILD_ENV, "1", TRUE);
  g_autoptr (GError) error = NULL;
  const char *argv[] = { self_path, NULL };
  char *out = NULL;
  int status;

  envp = qviz_isa != NULL ? g_environ_setenv (envp, "QVIZ_ISA", qviz_isa, TRUE)
                          : g_environ_unsetenv (envp, "QVIZ_ISA");
  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_strstrip (out);
  return out;
}

static void
test_isa_env (void)
{
  g_autofree char *cpu_name = NULL, *cpu_err = NULL;
  qvk_isa cpu;

  cpu_name = run_isa_child (NULL, &cpu_err);
  g_assert_true (qvk_isa_parse (cpu_name, &cpu));
  g_assert_cmpstr (cpu_err, ==, "");

  for (int i = 0; i < QVK_N_ISAS; i++)
    {
      g_autofree char *err = NULL;
      g_autofree char *got = run_isa_child (qvk_isa_name (i), &err);

      if (i > (int) cpu)
        {
          g_assert_cmpstr (got, ==, cpu_name);
          g_assert_nonnull (strstr (err, "asks for more than this CPU has"));
        }
      else
        {
          g_assert_cmpstr (got, ==, qvk_isa_name (i));
          g_assert_cmpstr (err, ==, "");
        }
    }

  /* A name that is not an ISA keeps the CPU's level and says so. */
  {
    g_autofree char *err = NULL;
    g_autofree char *got = run_isa_child ("sse9", &err);
    g_assert_cmpstr (got, ==, cpu_name);
    g_assert_nonnull (strstr (err, "QVIZ_ISA=sse9"));
  }
}

int
main (int argc, char **argv)
{
  if (g_getenv (ISA_CHILD_ENV) != NULL)
    {
      printf ("%s\n", qvk_isa_name (qvk_isa_detect ()));
      return 0;
    }

  self_path = g_canonicalize_filename (argv[0], NULL);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kernels-f32/activate", test_activate);
  g_test_add_func ("/kernels-f32/conv2d-scalar", test_conv2d_scalar);
  g_test_add_func ("/kernels-f32/conv-op", test_conv_op);
  g_test_add_func ("/kernels-f32/conv-op-bad-shape", test_conv_op_rejects_bad_shape);
  g_test_add_func ("/kernels-f32/elementwise", test_elementwise);
  g_test_add_func ("/kernels-f32/global-avgpool", test_global_avgpool);
  g_test_add_func ("/kernels-f32/pool", test_pool);
  g_test_add_func ("/kernels-f32/resize-bilinear-values", test_resize_bilinear_values);
  g_test_add_func ("/kernels-f32/resize-bilinear-random", test_resize_bilinear_random);
  g_test_add_func ("/kernels-f32/resize-nearest", test_resize_nearest);
  g_test_add_func ("/kernels-f32/linear", test_linear);
  g_test_add_func ("/kernels-f32/softmax", test_softmax);
  g_test_add_func ("/kernels-f32/concat", test_concat);
  g_test_add_func ("/kernels-f32/transpose", test_transpose);
  g_test_add_func ("/kernels-f32/isa", test_isa);
  g_test_add_func ("/kernels-f32/isa/env", test_isa_env);

  return g_test_run ();
}
