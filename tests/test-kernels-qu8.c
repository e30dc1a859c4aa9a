/* test-kernels-qu8.c: the int8 reference kernels against formulas computed
 * here in int64 and double, and the int8 convolution operator against the
 * reference.
 *
 * Where a kernel's integer part is exact (accumulators, max, table lookup,
 * dequantize) the comparison is bit-exact.  Where the kernel rounds an fp32
 * value and the test a double one, the two may land on different sides of a
 * half: those results must be within one unit, and such differences must be
 * rare (a wrong rounding rule would make them common).
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "qvk-conv.h"
#include "qvk-f32.h"
#include "qvk-qu8.h"

#define SEED 0x51a7e

/* Differences of one unit allowed per this many results at most. */
#define MAX_OFF_BY_ONE_FRACTION 0.01

typedef struct {
  gsize n;
  gsize off_by_one;
} Tally;

static int
clamp_int (gint64 x, int lo, int hi)
{
  return x < lo ? lo : (x > hi ? hi : (int) x);
}

/* The double-precision definition of a requantized result. */
static int
requant_double (double real_in_output_units, int zero_point, int lo, int hi)
{
  double v = nearbyint (real_in_output_units);
  if (v < -100000.0)
    v = -100000.0;
  if (v > 100000.0)
    v = 100000.0;
  return clamp_int ((gint64) v + zero_point, lo, hi);
}

static void
tally_check (Tally *t, int got, int want, const char *what, gsize index)
{
  t->n++;
  if (got == want)
    return;
  if (ABS (got - want) > 1)
    g_error ("%s[%" G_GSIZE_FORMAT "]: got %d, expected %d", what, index, got, want);
  t->off_by_one++;
}

static void
tally_assert_rare (const Tally *t, const char *what)
{
  g_test_message ("%s: %" G_GSIZE_FORMAT " results, %" G_GSIZE_FORMAT
                  " one unit off the double formula", what, t->n, t->off_by_one);
  g_assert_cmpuint (t->n, >, 0);
  g_assert_cmpfloat ((double) t->off_by_one, <=, MAX_OFF_BY_ONE_FRACTION * t->n + 1);
}

static void
fill_u8 (GRand *r, guint8 *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    x[i] = (guint8) g_rand_int_range (r, 0, 256);
}

static const int zero_points[] = { 0, 128, 251, 37 };

/* ---- requantize ---------------------------------------------------------- */

static void
test_requantize_rounding (void)
{
  /* Ties go to even, both signs; the zero point is added after rounding. */
  g_assert_cmpint (qvk_qu8_requantize (1, 0.5f, 100, 0, 255), ==, 100);
  g_assert_cmpint (qvk_qu8_requantize (3, 0.5f, 100, 0, 255), ==, 102);
  g_assert_cmpint (qvk_qu8_requantize (5, 0.5f, 100, 0, 255), ==, 102);
  g_assert_cmpint (qvk_qu8_requantize (-1, 0.5f, 100, 0, 255), ==, 100);
  g_assert_cmpint (qvk_qu8_requantize (-3, 0.5f, 100, 0, 255), ==, 98);
  g_assert_cmpint (qvk_qu8_requantize (7, 0.25f, 0, 0, 255), ==, 2);
  /* Saturation and the fused clamp. */
  g_assert_cmpint (qvk_qu8_requantize (1 << 30, 1.0f, 0, 0, 255), ==, 255);
  g_assert_cmpint (qvk_qu8_requantize (-(1 << 30), 1.0f, 0, 0, 255), ==, 0);
  g_assert_cmpint (qvk_qu8_requantize (100, 1.0f, 10, 20, 60), ==, 60);
  g_assert_cmpint (qvk_qu8_requantize (-100, 1.0f, 10, 20, 60), ==, 20);
  /* The element-wise helper: NaN and infinities saturate, never wrap. */
  g_assert_cmpint (qvk_qu8_round_clamp (NAN, 128, 0, 255), ==, 0);
  g_assert_cmpint (qvk_qu8_round_clamp (INFINITY, 0, 0, 255), ==, 255);
  g_assert_cmpint (qvk_qu8_round_clamp (-INFINITY, 255, 0, 255), ==, 0);
  g_assert_cmpint (qvk_qu8_round_clamp (2.5f, 0, 0, 255), ==, 2);
  g_assert_cmpint (qvk_qu8_round_clamp (3.5f, 0, 0, 255), ==, 4);
}

/* ---- convolution --------------------------------------------------------- */

typedef struct {
  qvk_conv_shape s;
  qvk_qu8_conv_params q;
  float *scales;
  guint8 *input;
  gint8 *weights;
  gint32 *bias;
  gsize in_n, out_n, w_n;
} ConvCase;

static void
conv_case_free (ConvCase *c)
{
  g_free (c->scales);
  g_free (c->input);
  g_free (c->weights);
  g_free (c->bias);
}

/* kind: 0 dense, 1 depthwise, 2 grouped. */
static gboolean
conv_case_make (GRand *r, ConvCase *c, int kind, int stride, int dilation,
                int zp_index, int clamp)
{
  qvk_conv_shape *s = &c->s;
  int pad_bottom, pad_right;

  memset (c, 0, sizeof *c);
  s->batch = g_rand_int_range (r, 1, 3);
  s->in_h = g_rand_int_range (r, 1, 12);
  s->in_w = g_rand_int_range (r, 1, 14);
  s->kernel_h = g_rand_int_range (r, 1, 6);
  s->kernel_w = g_rand_int_range (r, 1, 6);
  if (g_rand_int_range (r, 0, 4) == 0)
    s->kernel_w = s->kernel_h = 1;
  s->stride_h = stride;
  s->stride_w = g_rand_boolean (r) ? stride : 1;
  s->dilation_h = dilation;
  s->dilation_w = g_rand_boolean (r) ? dilation : 1;
  s->pad_top = g_rand_int_range (r, 0, 3 + dilation);
  s->pad_left = g_rand_int_range (r, 0, 3 + dilation);
  pad_bottom = g_rand_int_range (r, 0, 3 + dilation);
  pad_right = g_rand_int_range (r, 0, 3 + dilation);

  switch (kind)
    {
    case 0:
      s->groups = 1;
      s->in_c = g_rand_int_range (r, 1, 20);
      s->out_c = g_rand_int_range (r, 1, 20);
      break;
    case 1:
      s->in_c = s->out_c = s->groups = g_rand_int_range (r, 2, 37);
      break;
    default:
      s->groups = g_rand_int_range (r, 2, 5);
      s->in_c = s->groups * g_rand_int_range (r, 1, 5);
      s->out_c = s->groups * g_rand_int_range (r, 1, 5);
      break;
    }

  const int span_h = s->dilation_h * (s->kernel_h - 1) + 1;
  const int span_w = s->dilation_w * (s->kernel_w - 1) + 1;
  const int ext_h = s->in_h + s->pad_top + pad_bottom - span_h;
  const int ext_w = s->in_w + s->pad_left + pad_right - span_w;
  if (ext_h < 0 || ext_w < 0)
    return FALSE;
  s->out_h = ext_h / s->stride_h + 1;
  s->out_w = ext_w / s->stride_w + 1;
  s->act = qvk_activation_make (QVK_ACT_NONE);

  c->q.input_zero_point = zero_points[zp_index % G_N_ELEMENTS (zero_points)];
  c->q.output_zero_point = zero_points[(zp_index + 1) % G_N_ELEMENTS (zero_points)];
  c->q.output_min = clamp ? c->q.output_zero_point : 0;      /* relu */
  c->q.output_max = clamp ? MIN (255, c->q.output_zero_point + 90) : 255;

  const int k = s->kernel_h * s->kernel_w * (s->in_c / s->groups);
  c->in_n = (gsize) s->batch * s->in_h * s->in_w * s->in_c;
  c->out_n = (gsize) s->batch * s->out_h * s->out_w * s->out_c;
  c->w_n = (gsize) s->out_c * k;
  c->input = g_malloc (c->in_n);
  c->weights = g_malloc (c->w_n);
  c->bias = g_new (gint32, s->out_c);
  c->scales = g_new (float, s->out_c);
  fill_u8 (r, c->input, c->in_n);
  for (gsize i = 0; i < c->w_n; i++)
    c->weights[i] = (gint8) g_rand_int_range (r, -127, 128);
  for (int oc = 0; oc < s->out_c; oc++)
    {
      c->bias[oc] = g_rand_int_range (r, -20000, 20000);
      c->scales[oc] = (float) (g_rand_double_range (r, 0.4, 2.5) * 0.011 / sqrt (k));
    }
  c->q.requant_scale = c->scales;
  c->q.dequant_scale = NULL;
  return TRUE;
}

/* The int64 accumulator of one output element. */
static gint64
conv_acc_int64 (const ConvCase *c, int n, int oy, int ox, int oc)
{
  const qvk_conv_shape *s = &c->s;
  const int ipg = s->in_c / s->groups;
  const int g = oc / (s->out_c / s->groups);
  gint64 acc = c->bias[oc];

  for (int ky = 0; ky < s->kernel_h; ky++)
    for (int kx = 0; kx < s->kernel_w; kx++)
      {
        const int iy = oy * s->stride_h - s->pad_top + ky * s->dilation_h;
        const int ix = ox * s->stride_w - s->pad_left + kx * s->dilation_w;
        for (int ic = 0; ic < ipg; ic++)
          {
            /* Padding is real zero, i.e. the input zero point. */
            gint64 x = 0;
            if (iy >= 0 && iy < s->in_h && ix >= 0 && ix < s->in_w)
              x = (gint64) c->input[(((gsize) n * s->in_h + iy) * s->in_w + ix) * s->in_c
                                    + g * ipg + ic] - c->q.input_zero_point;
            acc += x * c->weights[(((gsize) oc * s->kernel_h + ky) * s->kernel_w + kx) * ipg + ic];
          }
      }
  return acc;
}

static void
conv_check_reference (const ConvCase *c, const guint8 *out, Tally *t)
{
  const qvk_conv_shape *s = &c->s;
  gsize i = 0;

  for (int n = 0; n < s->batch; n++)
    for (int oy = 0; oy < s->out_h; oy++)
      for (int ox = 0; ox < s->out_w; ox++)
        for (int oc = 0; oc < s->out_c; oc++, i++)
          {
            const gint64 acc = conv_acc_int64 (c, n, oy, ox, oc);
            g_assert_cmpint (acc, ==, (gint32) acc);
            /* Bit-exact: the accumulator, then the documented rounding. */
            const int exact = qvk_qu8_requantize ((gint32) acc, c->scales[oc],
                                                  c->q.output_zero_point,
                                                  c->q.output_min, c->q.output_max);
            if (out[i] != exact)
              g_error ("conv %dx%d s%d d%d g%d: out[%" G_GSIZE_FORMAT "] = %d, "
                       "expected %d", s->kernel_h, s->kernel_w, s->stride_h,
                       s->dilation_h, s->groups, i, out[i], exact);
            /* Within one unit of the double formula. */
            tally_check (t, out[i],
                         requant_double ((double) acc * c->scales[oc],
                                         c->q.output_zero_point,
                                         c->q.output_min, c->q.output_max),
                         "conv", i);
          }
}

static void
test_conv_reference (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED);
  static const int strides[] = { 1, 2 };
  static const int dilations[] = { 1, 2, 5 };
  Tally t = { 0 };
  int cases = 0;

  for (int kind = 0; kind < 3; kind++)
    for (guint si = 0; si < G_N_ELEMENTS (strides); si++)
      for (guint di = 0; di < G_N_ELEMENTS (dilations); di++)
        for (int rep = 0; rep < 4; rep++)
          {
            ConvCase c;
            if (!conv_case_make (r, &c, kind, strides[si], dilations[di], rep, rep & 1))
              {
                conv_case_free (&c);
                continue;
              }
            g_autofree guint8 *out = g_malloc (c.out_n);
            memset (out, 0xa5, c.out_n);
            qvk_qu8_conv2d__scalar (&c.s, &c.q, c.input, c.weights, c.bias, out,
                                    0, c.s.batch * c.s.out_h);
            conv_check_reference (&c, out, &t);
            conv_case_free (&c);
            cases++;
          }
  g_assert_cmpint (cases, >=, 40);
  tally_assert_rare (&t, "conv vs double");
}

static void
test_conv_bias_null (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 1);
  ConvCase c;

  while (!conv_case_make (r, &c, 0, 1, 1, 1, 0))
    conv_case_free (&c);
  memset (c.bias, 0, c.s.out_c * sizeof (gint32));
  g_autofree guint8 *with_zero = g_malloc (c.out_n);
  g_autofree guint8 *with_null = g_malloc (c.out_n);
  qvk_qu8_conv2d__scalar (&c.s, &c.q, c.input, c.weights, c.bias, with_zero,
                          0, c.s.batch * c.s.out_h);
  qvk_qu8_conv2d__scalar (&c.s, &c.q, c.input, c.weights, NULL, with_null,
                          0, c.s.batch * c.s.out_h);
  g_assert_cmpmem (with_zero, c.out_n, with_null, c.out_n);
  conv_case_free (&c);
}

static void
test_conv_op (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 2);
  static const qvk_conv_algo algos[] = {
    QVK_CONV_ALGO_AUTO, QVK_CONV_ALGO_IM2COL, QVK_CONV_ALGO_REFERENCE
  };
  static const int strides[] = { 1, 2 };
  static const int dilations[] = { 1, 2, 5 };
  int cases = 0;

  for (int kind = 0; kind < 3; kind++)
    for (guint si = 0; si < G_N_ELEMENTS (strides); si++)
      for (guint di = 0; di < G_N_ELEMENTS (dilations); di++)
        for (int rep = 0; rep < 3; rep++)
          {
            ConvCase c;
            if (!conv_case_make (r, &c, kind, strides[si], dilations[di], rep + kind, rep & 1))
              {
                conv_case_free (&c);
                continue;
              }
            g_autofree guint8 *want = g_malloc (c.out_n);
            g_autofree guint8 *got = g_malloc (c.out_n);
            qvk_qu8_conv2d__scalar (&c.s, &c.q, c.input, c.weights, c.bias, want,
                                    0, c.s.batch * c.s.out_h);

            for (guint ai = 0; ai < G_N_ELEMENTS (algos); ai++)
              {
                qvk_conv_options opt = { qvk_isa_detect (), algos[ai], 3 };
                /* Bias NULL on some cases exercises the operator's own zeros. */
                const gboolean null_bias = (rep == 2);
                if (null_bias)
                  {
                    memset (c.bias, 0, c.s.out_c * sizeof (gint32));
                    qvk_qu8_conv2d__scalar (&c.s, &c.q, c.input, c.weights, c.bias,
                                            want, 0, c.s.batch * c.s.out_h);
                  }
                qvk_qu8_conv_op *op = qvk_qu8_conv_create (&c.s, &c.q, c.weights,
                                                           null_bias ? NULL : c.bias,
                                                           &opt);
                g_assert_nonnull (op);
                const char *name = qvk_qu8_conv_kernel_name (op);
                g_assert_nonnull (name);
                g_assert_true (g_str_has_prefix (name, "qu8 "));
                g_assert_nonnull (qvk_qu8_conv_reason (op));
                g_assert_cmpuint (qvk_qu8_conv_packed_bytes (op), >=, c.w_n);
                if (algos[ai] == QVK_CONV_ALGO_IM2COL)
                  g_assert_nonnull (strstr (name, "im2col"));
                if (algos[ai] == QVK_CONV_ALGO_REFERENCE)
                  g_assert_nonnull (strstr (name, "reference"));
                if (kind == 1)
                  g_assert_nonnull (strstr (name, "dwconv"));

                for (int threads = 1; threads <= 3; threads++)
                  {
                    /* A sentinel shows any element no thread wrote. */
                    memset (got, 0xa5 ^ threads, c.out_n);
                    for (int tid = 0; tid < threads; tid++)
                      qvk_qu8_conv_run (op, c.input, got, tid, threads);
                    if (memcmp (got, want, c.out_n) != 0)
                      g_error ("%s (%s), %d threads: differs from the reference",
                               name, qvk_qu8_conv_reason (op), threads);
                  }
                qvk_qu8_conv_destroy (op);
              }
            conv_case_free (&c);
            cases++;
          }
  g_assert_cmpint (cases, >=, 30);
}

/* Float output (a model's last layer): the reference writes
 * qvk_qu8_dequantize_acc of the exact accumulator, with the fused
 * activation in fp32, and every operator (the automatic choice -- the
 * GEMM kernels, x86 or NEON, for a relu, a clip or none --, im2col, the
 * reference)
 * writes the same floats bit for bit with 1 to 3 threads
 * and says "f32 out" in its name.  The values are the accumulator's real
 * value: within fp32 rounding of act(acc * scale) computed in double. */
static void
test_conv_float_out (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 7);
  static const qvk_conv_algo algos[] = {
    QVK_CONV_ALGO_AUTO, QVK_CONV_ALGO_IM2COL, QVK_CONV_ALGO_REFERENCE
  };
  int cases = 0, vector_kernels = 0, avx2_kernels = 0;

  for (int kind = 0; kind < 3; kind++)
    for (int rep = 0; rep < 8; rep++)
      {
        ConvCase c;
        if (!conv_case_make (r, &c, kind, 1 + (rep % 3 == 1), 1 + (rep % 3 == 2), rep, 0))
          {
            conv_case_free (&c);
            continue;
          }
        g_autofree float *dequant = g_new (float, c.s.out_c);
        const gsize n_out = c.out_n;
        g_autofree float *want = g_new (float, n_out);
        g_autofree float *got = g_new (float, n_out);
        gsize i = 0;

        for (int oc = 0; oc < c.s.out_c; oc++)
          dequant[oc] = (float) g_rand_double_range (r, 1e-5, 1e-3);
        c.q.dequant_scale = dequant;
        c.q.float_act = rep % 4 == 3 ? qvk_activation_clip (-1.0f, 2.0f)
                        : qvk_activation_make (rep % 4 == 0 ? QVK_ACT_NONE
                                               : rep % 4 == 1 ? QVK_ACT_HARDSWISH
                                                              : QVK_ACT_RELU);
        qvk_qu8_conv2d__scalar (&c.s, &c.q, c.input, c.weights, c.bias, (guint8 *) want,
                                0, c.s.batch * c.s.out_h);
        for (int n = 0; n < c.s.batch; n++)
          for (int oy = 0; oy < c.s.out_h; oy++)
            for (int ox = 0; ox < c.s.out_w; ox++)
              for (int oc = 0; oc < c.s.out_c; oc++, i++)
                {
                  const gint64 acc = conv_acc_int64 (&c, n, oy, ox, oc);
                  const double real = (double) acc * dequant[oc];
                  const double act = c.q.float_act.kind == QVK_ACT_NONE ? real
                                     : c.q.float_act.kind == QVK_ACT_RELU ? MAX (real, 0)
                                     : c.q.float_act.kind == QVK_ACT_CLIP ? CLAMP (real, -1, 2)
                                     : real * CLAMP (real + 3, 0, 6) / 6;

                  g_assert_cmpfloat (want[i], ==,
                                     qvk_qu8_dequantize_acc ((gint32) acc, dequant[oc],
                                                             &c.q.float_act));
                  g_assert_cmpfloat (fabs (want[i] - act), <=, 1e-5 * fabs (act) + 1e-6);
                }
        /* and the automatic choice at AVX2, below AVX-512 */
        for (guint ai = 0; ai <= G_N_ELEMENTS (algos); ai++)
          {
            const gboolean avx2 = ai == G_N_ELEMENTS (algos);
#if defined(__aarch64__)
            if (avx2)
              continue;
            qvk_conv_options opt = { qvk_isa_detect (), algos[ai], 3 };
#else
            qvk_conv_options opt = { avx2 ? QVK_ISA_AVX2 : qvk_isa_detect (),
                                     avx2 ? QVK_CONV_ALGO_AUTO : algos[ai], 3 };
            if (avx2 && qvk_isa_detect () < QVK_ISA_AVX2)
              continue;
#endif
            qvk_qu8_conv_op *op = qvk_qu8_conv_create (&c.s, &c.q, c.weights, c.bias, &opt);

            g_assert_nonnull (op);
            avx2_kernels += strstr (qvk_qu8_conv_kernel_name (op), "avx2") != NULL;
            g_assert_true (g_str_has_suffix (qvk_qu8_conv_kernel_name (op), " f32 out"));
            vector_kernels += strstr (qvk_qu8_conv_kernel_name (op), "scalar") == NULL &&
                              strstr (qvk_qu8_conv_kernel_name (op), "reference") == NULL;
            for (int threads = 1; threads <= 3; threads++)
              {
                memset (got, 0xa5 ^ threads, n_out * sizeof (float));
                for (int tid = 0; tid < threads; tid++)
                  qvk_qu8_conv_run (op, c.input, (guint8 *) got, tid, threads);
                if (memcmp (got, want, n_out * sizeof (float)) != 0)
                  g_error ("%s, %d threads: float output differs from the reference",
                           qvk_qu8_conv_kernel_name (op), threads);
              }
            qvk_qu8_conv_destroy (op);
          }
        conv_case_free (&c);
        cases++;
      }
  g_assert_cmpint (cases, >=, 14);
  /* the GEMM kernels have a float store */
  g_test_message ("%d float-output operators ran vector kernels", vector_kernels);
#if !defined(__aarch64__)
  if (qvk_isa_detect () >= QVK_ISA_AVX2)
    g_assert_cmpint (avx2_kernels, >, 0);
  if (qvk_isa_detect () == QVK_ISA_AVX2 || qvk_isa_detect () >= QVK_ISA_AVX512VNNI)
    g_assert_cmpint (vector_kernels, >, 0);
#else
  (void) avx2_kernels;
  g_assert_cmpint (vector_kernels, >, 0);
#endif
}

static void
test_conv_op_zero_point_padding (void)
{
  /* A 3x3 conv over an all-zero-point input with padding: every tap is real
   * zero, so the output is the bias alone -- wrong padding in im2col (e.g.
   * zero instead of the zero point) would show here. */
  qvk_conv_shape s = { 1, 5, 5, 4, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1,
                       qvk_activation_make (QVK_ACT_NONE) };
  float scales[3] = { 0.01f, 0.02f, 0.05f };
  qvk_qu8_conv_params q = { 200, 10, 0, 255, scales };
  gint8 w[3 * 9 * 4];
  gint32 bias[3] = { 100, -200, 300 };
  guint8 in[5 * 5 * 4], out[5 * 5 * 3];

  for (guint i = 0; i < G_N_ELEMENTS (w); i++)
    w[i] = (gint8) (i % 2 ? 127 : -90 + (int) i);
  memset (in, 200, sizeof in);
  for (qvk_conv_algo algo = QVK_CONV_ALGO_AUTO; algo <= QVK_CONV_ALGO_REFERENCE; algo++)
    {
      qvk_conv_options opt = { qvk_isa_detect (), algo, 1 };
      qvk_qu8_conv_op *op = qvk_qu8_conv_create (&s, &q, w, bias, &opt);
      g_assert_nonnull (op);
      qvk_qu8_conv_run (op, in, out, 0, 1);
      for (int p = 0; p < 25; p++)
        {
          g_assert_cmpint (out[p * 3 + 0], ==, 11);   /* 100 * 0.01 + 10 */
          g_assert_cmpint (out[p * 3 + 1], ==, 6);    /* -200 * 0.02 + 10 */
          g_assert_cmpint (out[p * 3 + 2], ==, 25);   /* 300 * 0.05 + 10 */
        }
      qvk_qu8_conv_destroy (op);
    }
}

static void
test_conv_op_rejects (void)
{
  qvk_conv_shape s = { 1, 4, 4, 6, 4, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4,
                       qvk_activation_make (QVK_ACT_NONE) };
  float scales[4] = { 1, 1, 1, 1 };
  qvk_qu8_conv_params q = { 0, 0, 0, 255, scales };
  gint8 w[4 * 9 * 2] = { 0 };

  /* 6 input channels do not split into 4 groups. */
  g_assert_null (qvk_qu8_conv_create (&s, &q, w, NULL, NULL));
  s.groups = 2;
  q.output_min = 200;
  q.output_max = 100;
  g_assert_null (qvk_qu8_conv_create (&s, &q, w, NULL, NULL));
  q.output_min = 0;
  q.requant_scale = NULL;
  g_assert_null (qvk_qu8_conv_create (&s, &q, w, NULL, NULL));
}

/* ---- add / mul ----------------------------------------------------------- */

static void
random_quant (GRand *r, float *scale, int *zp)
{
  *scale = (float) g_rand_double_range (r, 0.005, 0.2);
  *zp = zero_points[g_rand_int_range (r, 0, G_N_ELEMENTS (zero_points))];
}

static void
test_add (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 3);
  Tally t = { 0 };

  for (int rep = 0; rep < 40; rep++)
    {
      float sa, sb, so;
      int za, zb, zo;
      random_quant (r, &sa, &za);
      random_quant (r, &sb, &zb);
      random_quant (r, &so, &zo);
      const int lo = rep % 3 == 0 ? zo : 0, hi = rep % 4 == 0 ? MIN (255, zo + 50) : 255;
      const gsize n = g_rand_int_range (r, 1, 700);
      g_autofree guint8 *a = g_malloc (n), *b = g_malloc (n), *y = g_malloc (n);
      qvk_qu8_add_params p;

      fill_u8 (r, a, n);
      fill_u8 (r, b, n);
      qvk_qu8_add_params_init (&p, sa, za, sb, zb, so, zo, lo, hi);
      memset (y, 0x5a, n);
      /* Two ranges must cover exactly what one would. */
      qvk_qu8_add__scalar (&p, a, b, y, 0, n / 2);
      qvk_qu8_add__scalar (&p, a, b, y, n / 2, n);
      for (gsize i = 0; i < n; i++)
        {
          const double real = (double) sa * (a[i] - za) + (double) sb * (b[i] - zb);
          tally_check (&t, y[i], requant_double (real / so, zo, lo, hi), "add", i);
        }
    }
  tally_assert_rare (&t, "add vs double");
}

static void
test_mul (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 4);
  Tally t = { 0 }, tc = { 0 };

  for (int rep = 0; rep < 40; rep++)
    {
      float sa, sb, so;
      int za, zb, zo;
      random_quant (r, &sa, &za);
      random_quant (r, &sb, &zb);
      random_quant (r, &so, &zo);
      so *= 10.0f;
      const int lo = rep % 3 == 0 ? zo : 0, hi = 255;
      qvk_qu8_mul_params p;
      qvk_qu8_mul_params_init (&p, sa, za, sb, zb, so, zo, lo, hi);

      /* Element-wise. */
      const gsize n = g_rand_int_range (r, 1, 700);
      g_autofree guint8 *a = g_malloc (n), *b = g_malloc (n), *y = g_malloc (n);
      fill_u8 (r, a, n);
      fill_u8 (r, b, n);
      qvk_qu8_mul__scalar (&p, a, b, y, 0, n);
      for (gsize i = 0; i < n; i++)
        {
          const double real = (double) sa * (a[i] - za) * ((double) sb * (b[i] - zb));
          tally_check (&t, y[i], requant_double (real / so, zo, lo, hi), "mul", i);
        }

      /* Squeeze-excite: [batch][pixels][channels] x [batch][channels]. */
      const int batch = g_rand_int_range (r, 1, 3);
      const int pixels = g_rand_int_range (r, 1, 30);
      const int channels = g_rand_int_range (r, 1, 20);
      const gsize xn = (gsize) batch * pixels * channels;
      g_autofree guint8 *x = g_malloc (xn), *s = g_malloc (batch * channels);
      g_autofree guint8 *xy = g_malloc (xn);
      fill_u8 (r, x, xn);
      fill_u8 (r, s, batch * channels);
      qvk_qu8_mul_channel__scalar (&p, pixels, channels, x, s, xy, 0, (gsize) batch * pixels / 2);
      qvk_qu8_mul_channel__scalar (&p, pixels, channels, x, s, xy,
                                   (gsize) batch * pixels / 2, (gsize) batch * pixels);
      for (int nb = 0; nb < batch; nb++)
        for (int px = 0; px < pixels; px++)
          for (int c = 0; c < channels; c++)
            {
              const gsize i = ((gsize) nb * pixels + px) * channels + c;
              const double real = (double) sa * (x[i] - za)
                                  * ((double) sb * (s[nb * channels + c] - zb));
              tally_check (&tc, xy[i], requant_double (real / so, zo, lo, hi),
                           "mul_channel", i);
              /* Same operands, same result as the element-wise kernel. */
              guint8 one;
              qvk_qu8_mul__scalar (&p, &x[i], &s[nb * channels + c], &one, 0, 1);
              g_assert_cmpint (one, ==, xy[i]);
            }
    }
  tally_assert_rare (&t, "mul vs double");
  tally_assert_rare (&tc, "mul_channel vs double");
}

/* Every (a, b) pair of bytes, for a few quantizations: the fixed-point add
 * and multiply stay within one unit of the double formula everywhere, and
 * are exact nearly everywhere (a multiplier rounded to too few bits, or a
 * wrong rounding constant, would make misses common). */
typedef struct {
  float sa; int za; float sb; int zb; float so; int zo; int lo, hi;
  double min_exact;  /* the fraction of the 65536 results that must be exact */
} QuantSet;

static void
test_add_exhaustive (void)
{
  static const QuantSet sets[] = {
    { 0.05f, 128, 0.07f, 120, 0.09f, 125, 0, 255, 0.99 },   /* residual */
    { 0.1f, 0, 0.1f, 0, 0.1f, 0, 0, 255, 1.0 },             /* ratios 1 */
    { 0.0123f, 5, 0.456f, 200, 0.3f, 77, 77, 200, 0.99 },
    { 0.2f, 37, 0.15f, 251, 0.005f, 10, 0, 255, 0.95 },     /* ratios 40, 30 */
    { 0.001f, 255, 0.002f, 0, 0.5f, 128, 128, 255, 0.99 },  /* tiny ratios */
    { 1.0f, 128, 0.7f, 100, 0.004f, 128, 0, 255, 0.99 },    /* 32-bit form */
  };
  g_autofree guint8 *a = g_malloc (65536), *b = g_malloc (65536), *y = g_malloc (65536);

  for (guint i = 0; i < 65536; i++)
    {
      a[i] = (guint8) (i & 255);
      b[i] = (guint8) (i >> 8);
    }
  for (guint k = 0; k < G_N_ELEMENTS (sets); k++)
    {
      const QuantSet *q = &sets[k];
      qvk_qu8_add_params p;
      gsize exact = 0;

      qvk_qu8_add_params_init (&p, q->sa, q->za, q->sb, q->zb, q->so, q->zo, q->lo, q->hi);
      qvk_qu8_add__scalar (&p, a, b, y, 0, 65536);
      for (guint i = 0; i < 65536; i++)
        {
          const double real = (double) q->sa * (a[i] - q->za) + (double) q->sb * (b[i] - q->zb);
          const int want = requant_double (real / q->so, q->zo, q->lo, q->hi);
          if (ABS ((int) y[i] - want) > 1)
            g_error ("add set %u, a %d b %d: got %d, expected %d", k, a[i], b[i], y[i], want);
          exact += y[i] == want;
        }
      g_test_message ("add set %u (shift %d, multipliers %d, %d): %" G_GSIZE_FORMAT
                      " of 65536 exact", k, p.shift, p.a_multiplier, p.b_multiplier, exact);
      g_assert_cmpfloat ((double) exact, >=, q->min_exact * 65536);
    }
}

static void
test_mul_exhaustive (void)
{
  static const QuantSet sets[] = {
    /* squeeze-excite: m = 1/256, so 1 in 128 products is a tie, rounded
     * up here and to even by the double formula */
    { 0.05f, 3, 1.0f / 256.0f, 0, 0.05f, 3, 0, 255, 0.99 },
    /* M of 14 bits: a result within 0.006 of a half may go either way */
    { 0.02f, 128, 0.03f, 120, 0.01f, 128, 0, 255, 0.985 },
    { 0.2f, 37, 0.15f, 251, 0.001f, 10, 10, 255, 0.99 },      /* m = 30 */
    { 1.0f, 128, 1.0f, 100, 1e-4f, 128, 0, 255, 1.0 },        /* m = 10^4 */
    { 1.0f, 128, 1.0f, 128, 1e-5f, 128, 0, 255, 1.0 },        /* m = 10^5 */
    { 0.001f, 0, 0.001f, 255, 10.0f, 0, 0, 255, 1.0 },        /* m = 10^-7 */
  };
  g_autofree guint8 *a = g_malloc (65536), *b = g_malloc (65536), *y = g_malloc (65536);

  for (guint i = 0; i < 65536; i++)
    {
      a[i] = (guint8) (i & 255);
      b[i] = (guint8) (i >> 8);
    }
  for (guint k = 0; k < G_N_ELEMENTS (sets); k++)
    {
      const QuantSet *q = &sets[k];
      qvk_qu8_mul_params p;
      gsize exact = 0;

      qvk_qu8_mul_params_init (&p, q->sa, q->za, q->sb, q->zb, q->so, q->zo, q->lo, q->hi);
      qvk_qu8_mul__scalar (&p, a, b, y, 0, 65536);
      for (guint i = 0; i < 65536; i++)
        {
          const double real = (double) q->sa * (a[i] - q->za) * ((double) q->sb * (b[i] - q->zb));
          const int want = requant_double (real / q->so, q->zo, q->lo, q->hi);
          if (ABS ((int) y[i] - want) > 1)
            g_error ("mul set %u, a %d b %d: got %d, expected %d", k, a[i], b[i], y[i], want);
          exact += y[i] == want;
        }
      g_test_message ("mul set %u (shift %d, multiplier %d): %" G_GSIZE_FORMAT
                      " of 65536 exact", k, p.shift, p.multiplier, exact);
      g_assert_cmpfloat ((double) exact, >=, q->min_exact * 65536);
    }
}

/* ---- lookup tables ------------------------------------------------------- */

static void
test_lut (void)
{
  static const qvk_act kinds[] = {
    QVK_ACT_HARDSWISH, QVK_ACT_HARDSIGMOID, QVK_ACT_SIGMOID, QVK_ACT_RELU,
    QVK_ACT_CLIP, QVK_ACT_NONE, QVK_ACT_TANH, QVK_ACT_SOFTPLUS, QVK_ACT_ERF
  };
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 5);
  Tally t = { 0 };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      const qvk_activation act = kinds[k] == QVK_ACT_CLIP
                                 ? qvk_activation_clip (-1.0f, 2.5f)
                                 : qvk_activation_make (kinds[k]);
      const float in_scale = 8.0f / 255.0f;
      const int in_zp = 128;
      const float out_scale = kinds[k] == QVK_ACT_SIGMOID
                              || kinds[k] == QVK_ACT_HARDSIGMOID
                              ? 1.0f / 256.0f : 5.0f / 255.0f;
      const int out_zp = kinds[k] == QVK_ACT_SIGMOID
                         || kinds[k] == QVK_ACT_HARDSIGMOID ? 0 : 60;
      guint8 table[256];

      qvk_qu8_lut_build (&act, in_scale, in_zp, out_scale, out_zp, table);
      for (int q = 0; q < 256; q++)
        {
          /* Against the fp32 activation of the float kernels. */
          const float xf = in_scale * (float) (q - in_zp);
          const double v = qvk_f32_activate (&act, xf);
          tally_check (&t, table[q], requant_double (v / out_scale, out_zp, 0, 255),
                       "lut", q);
          if (q > 0 && kinds[k] != QVK_ACT_HARDSWISH)
            g_assert_cmpint (table[q], >=, table[q - 1]);   /* monotonic */
        }
      /* Real zero in: sigmoid and hardsigmoid give one half; the others 0. */
      if (kinds[k] == QVK_ACT_SIGMOID || kinds[k] == QVK_ACT_HARDSIGMOID)
        g_assert_cmpint (table[in_zp], ==, 128);   /* 0.5 * 256 */
      else if (kinds[k] == QVK_ACT_SOFTPLUS)   /* log 2 */
        g_assert_cmpint (table[in_zp], ==, out_zp + (int) lrint (log (2.0) / out_scale));
      else
        g_assert_cmpint (table[in_zp], ==, out_zp);

      const gsize n = 1000;
      g_autofree guint8 *x = g_malloc (n), *y = g_malloc (n);
      fill_u8 (r, x, n);
      qvk_qu8_lut__scalar (table, x, y, 0, n);
      for (gsize i = 0; i < n; i++)
        g_assert_cmpint (y[i], ==, table[x[i]]);
    }
  tally_assert_rare (&t, "lut vs fp32 activation");
}

/* ---- pooling ------------------------------------------------------------- */

static void
test_global_avgpool (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 6);
  Tally t = { 0 };

  for (int rep = 0; rep < 30; rep++)
    {
      const int batch = g_rand_int_range (r, 1, 4);
      const int pixels = rep == 0 ? 128 * 128 : g_rand_int_range (r, 1, 200);
      const int channels = g_rand_int_range (r, 1, 24);
      float si, so;
      int zi, zo;
      random_quant (r, &si, &zi);
      random_quant (r, &so, &zo);
      so *= 0.3f;   /* means are narrower than their inputs */
      qvk_qu8_avgpool_params p;
      qvk_qu8_avgpool_params_init (&p, si, zi, so, zo, 0, 255);
      const gsize n = (gsize) batch * pixels * channels;
      g_autofree guint8 *x = g_malloc (n), *y = g_malloc (batch * channels);
      fill_u8 (r, x, n);
      qvk_qu8_global_avgpool__scalar (&p, batch, pixels, channels, x, y, 0, 1);
      qvk_qu8_global_avgpool__scalar (&p, batch, pixels, channels, x, y, 1, batch);
      for (int b = 0; b < batch; b++)
        for (int c = 0; c < channels; c++)
          {
            gint64 sum = 0;
            for (int i = 0; i < pixels; i++)
              sum += x[((gsize) b * pixels + i) * channels + c] - zi;
            const double mean = (double) si * sum / pixels;
            tally_check (&t, y[b * channels + c], requant_double (mean / so, zo, 0, 255),
                         "global_avgpool", b * channels + c);
          }
    }
  tally_assert_rare (&t, "global_avgpool vs double");
}

static gboolean
pool_case_make (GRand *r, qvk_pool_shape *s, int stride, int dilation)
{
  memset (s, 0, sizeof *s);
  s->batch = g_rand_int_range (r, 1, 3);
  s->in_h = g_rand_int_range (r, 1, 13);
  s->in_w = g_rand_int_range (r, 1, 13);
  s->channels = g_rand_int_range (r, 1, 19);
  s->kernel_h = g_rand_int_range (r, 1, 6);
  s->kernel_w = g_rand_int_range (r, 1, 6);
  s->stride_h = stride;
  s->stride_w = g_rand_int_range (r, 1, 3);
  s->dilation_h = dilation;
  s->dilation_w = dilation > 1 && g_rand_boolean (r) ? dilation : 1;
  /* PyTorch limits padding to half the window. */
  s->pad_top = g_rand_int_range (r, 0, s->kernel_h / 2 + 1);
  s->pad_left = g_rand_int_range (r, 0, s->kernel_w / 2 + 1);
  s->count_include_pad = g_rand_boolean (r);
  const int span_h = s->dilation_h * (s->kernel_h - 1) + 1;
  const int span_w = s->dilation_w * (s->kernel_w - 1) + 1;
  const int ext_h = s->in_h + 2 * s->pad_top - span_h;
  const int ext_w = s->in_w + 2 * s->pad_left - span_w;
  if (ext_h < 0 || ext_w < 0)
    return FALSE;
  s->out_h = ext_h / s->stride_h + 1;
  s->out_w = ext_w / s->stride_w + 1;
  return TRUE;
}

static void
test_avgpool (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 7);
  Tally t = { 0 };
  int cases = 0;

  for (int stride = 1; stride <= 2; stride++)
    for (int rep = 0; rep < 25; rep++)
      {
        qvk_pool_shape s;
        if (!pool_case_make (r, &s, stride, 1))
          continue;
        float si, so;
        int zi, zo;
        random_quant (r, &si, &zi);
        random_quant (r, &so, &zo);
        const int lo = rep % 5 == 0 ? zo : 0;
        qvk_qu8_avgpool_params p;
        qvk_qu8_avgpool_params_init (&p, si, zi, so, zo, lo, 255);
        const gsize in_n = (gsize) s.batch * s.in_h * s.in_w * s.channels;
        const gsize out_n = (gsize) s.batch * s.out_h * s.out_w * s.channels;
        g_autofree guint8 *x = g_malloc (in_n), *y = g_malloc (out_n);
        fill_u8 (r, x, in_n);
        const int rows = s.batch * s.out_h;
        qvk_qu8_avgpool__scalar (&p, &s, x, y, 0, rows / 2);
        qvk_qu8_avgpool__scalar (&p, &s, x, y, rows / 2, rows);

        gsize i = 0;
        for (int n = 0; n < s.batch; n++)
          for (int oy = 0; oy < s.out_h; oy++)
            for (int ox = 0; ox < s.out_w; ox++)
              for (int c = 0; c < s.channels; c++, i++)
                {
                  gint64 sum = 0;
                  int valid = 0;
                  for (int ky = 0; ky < s.kernel_h; ky++)
                    for (int kx = 0; kx < s.kernel_w; kx++)
                      {
                        const int iy = oy * s.stride_h - s.pad_top + ky;
                        const int ix = ox * s.stride_w - s.pad_left + kx;
                        if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w)
                          continue;
                        sum += x[(((gsize) n * s.in_h + iy) * s.in_w + ix) * s.channels + c] - zi;
                        valid++;
                      }
                  const int div = s.count_include_pad ? s.kernel_h * s.kernel_w : valid;
                  g_assert_cmpint (div, >, 0);
                  tally_check (&t, y[i],
                               requant_double ((double) si * sum / div / so, zo, lo, 255),
                               "avgpool", i);
                }
        cases++;
      }
  g_assert_cmpint (cases, >=, 30);
  tally_assert_rare (&t, "avgpool vs double");
}

static void
test_maxpool (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 8);
  static const int dilations[] = { 1, 2, 5 };
  int cases = 0;

  for (int stride = 1; stride <= 2; stride++)
    for (guint di = 0; di < G_N_ELEMENTS (dilations); di++)
      for (int rep = 0; rep < 12; rep++)
        {
          qvk_pool_shape s;
          if (!pool_case_make (r, &s, stride, dilations[di]))
            continue;
          const int lo = rep % 3 == 0 ? 128 : 0, hi = rep % 4 == 0 ? 200 : 255;
          const gsize in_n = (gsize) s.batch * s.in_h * s.in_w * s.channels;
          const gsize out_n = (gsize) s.batch * s.out_h * s.out_w * s.channels;
          g_autofree guint8 *x = g_malloc (in_n), *y = g_malloc (out_n);
          fill_u8 (r, x, in_n);
          qvk_qu8_maxpool__scalar (&s, lo, hi, x, y, 0, s.batch * s.out_h);

          gsize i = 0;
          for (int n = 0; n < s.batch; n++)
            for (int oy = 0; oy < s.out_h; oy++)
              for (int ox = 0; ox < s.out_w; ox++)
                for (int c = 0; c < s.channels; c++, i++)
                  {
                    int best = -1;
                    for (int ky = 0; ky < s.kernel_h; ky++)
                      for (int kx = 0; kx < s.kernel_w; kx++)
                        {
                          const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
                          const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
                          if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w)
                            continue;
                          best = MAX (best, x[(((gsize) n * s.in_h + iy) * s.in_w + ix)
                                              * s.channels + c]);
                        }
                    /* A dilated window can fall wholly on padding. */
                    g_assert_cmpint (y[i], ==, best < 0 ? lo : clamp_int (best, lo, hi));
                  }
          cases++;
        }
  g_assert_cmpint (cases, >=, 40);
}

/* ---- resize -------------------------------------------------------------- */

/* PyTorch's source index in double. */
static void
source_double (int in, int out, int align, int dst, int *i0, int *i1, double *l1)
{
  double src;
  if (align)
    src = out > 1 ? (double) (in - 1) / (out - 1) * dst : 0.0;
  else
    src = MAX (0.0, (double) in / out * (dst + 0.5) - 0.5);
  *i0 = MIN ((int) src, in - 1);
  *i1 = *i0 < in - 1 ? *i0 + 1 : *i0;
  *l1 = MIN (src - *i0, 1.0);
}

static void
test_resize_bilinear (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 9);
  Tally t = { 0 };

  for (int rep = 0; rep < 40; rep++)
    {
      const int align = rep % 2;
      const int batch = g_rand_int_range (r, 1, 3);
      const int in_h = g_rand_int_range (r, 1, 12), in_w = g_rand_int_range (r, 1, 12);
      const int channels = g_rand_int_range (r, 1, 9);
      int out_h = g_rand_int_range (r, 1, 30), out_w = g_rand_int_range (r, 1, 30);
      if (rep % 10 == 4)
        out_h = in_h, out_w = in_w;                  /* identity */
      if (rep % 10 == 6)
        out_h = 8 * in_h, out_w = 8 * in_w;          /* the LR-ASPP upsample */
      const gsize in_n = (gsize) batch * in_h * in_w * channels;
      const gsize out_n = (gsize) batch * out_h * out_w * channels;
      g_autofree guint8 *x = g_malloc (in_n), *y = g_malloc (out_n);
      fill_u8 (r, x, in_n);
      qvk_qu8_resize_bilinear__scalar (batch, in_h, in_w, channels, out_h, out_w,
                                       align, x, y, 0, batch * out_h);

      gsize i = 0;
      for (int n = 0; n < batch; n++)
        for (int oy = 0; oy < out_h; oy++)
          for (int ox = 0; ox < out_w; ox++)
            for (int c = 0; c < channels; c++, i++)
              {
                int y0, y1, x0, x1;
                double ly1, lx1;
                source_double (in_h, out_h, align, oy, &y0, &y1, &ly1);
                source_double (in_w, out_w, align, ox, &x0, &x1, &lx1);
#define X(yy, xx) ((double) x[(((gsize) n * in_h + (yy)) * in_w + (xx)) * channels + c])
                const double v = (1 - ly1) * ((1 - lx1) * X (y0, x0) + lx1 * X (y0, x1))
                               + ly1 * ((1 - lx1) * X (y1, x0) + lx1 * X (y1, x1));
                tally_check (&t, y[i], requant_double (v, 0, 0, 255), "resize", i);
                if (out_h == in_h && out_w == in_w)
                  g_assert_cmpint (y[i], ==, X (oy, ox));   /* identity is a copy */
                if (align && (oy == 0 || oy == out_h - 1) && (ox == 0 || ox == out_w - 1)
                    && out_h > 1 && out_w > 1)
                  g_assert_cmpint (y[i], ==, X (oy ? in_h - 1 : 0, ox ? in_w - 1 : 0));
#undef X
              }
    }
  tally_assert_rare (&t, "resize vs double");
}

/* ---- requantizing copy --------------------------------------------------- */

static void
test_requant_copy (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 10);
  Tally t = { 0 };

  for (int rep = 0; rep < 30; rep++)
    {
      const gsize rows = g_rand_int_range (r, 1, 40);
      const gsize cols = g_rand_int_range (r, 1, 30);
      const gsize offset = g_rand_int_range (r, 0, 10);
      const gsize y_stride = offset + cols + g_rand_int_range (r, 0, 10);
      float si, so;
      int zi, zo;
      random_quant (r, &si, &zi);
      random_quant (r, &so, &zo);
      qvk_qu8_requant_params p;
      qvk_qu8_requant_params_init (&p, si, zi, so, zo);
      g_autofree guint8 *x = g_malloc (rows * cols), *y = g_malloc (rows * y_stride);
      fill_u8 (r, x, rows * cols);
      memset (y, 0x77, rows * y_stride);
      /* As one input of a concatenation: its columns start at offset. */
      qvk_qu8_requant_copy__scalar (&p, cols, x, cols, y + offset, y_stride, 0, rows / 3);
      qvk_qu8_requant_copy__scalar (&p, cols, x, cols, y + offset, y_stride, rows / 3, rows);
      for (gsize rr = 0; rr < rows; rr++)
        for (gsize c = 0; c < y_stride; c++)
          {
            const guint8 got = y[rr * y_stride + c];
            if (c < offset || c >= offset + cols)
              {
                g_assert_cmpint (got, ==, 0x77);   /* other inputs' columns */
                continue;
              }
            const int q = x[rr * cols + c - offset];
            tally_check (&t, got, requant_double ((double) si * (q - zi) / so, zo, 0, 255),
                         "requant_copy", rr * cols + c - offset);
          }
    }
  /* Same scale and zero point: an exact copy. */
  qvk_qu8_requant_params same;
  guint8 x[256], y[256];
  qvk_qu8_requant_params_init (&same, 0.037f, 77, 0.037f, 77);
  for (int i = 0; i < 256; i++)
    x[i] = (guint8) i;
  qvk_qu8_requant_copy__scalar (&same, 256, x, 256, y, 256, 0, 1);
  g_assert_cmpmem (x, 256, y, 256);
  tally_assert_rare (&t, "requant_copy vs double");
}

/* ---- linear -------------------------------------------------------------- */

static void
test_linear (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 11);
  Tally t = { 0 };

  for (int rep = 0; rep < 20; rep++)
    {
      const int rows = g_rand_int_range (r, 1, 5);
      const int in_f = g_rand_int_range (r, 1, 300);
      const int out_f = g_rand_int_range (r, 1, 40);
      g_autofree guint8 *x = g_malloc (rows * in_f), *y = g_malloc (rows * out_f);
      g_autofree gint8 *w = g_malloc (in_f * out_f);
      g_autofree gint32 *bias = g_new (gint32, out_f);
      g_autofree float *scales = g_new (float, out_f);
      qvk_qu8_conv_params q = { zero_points[rep % 4], zero_points[(rep + 1) % 4],
                                rep % 3 == 0 ? zero_points[(rep + 1) % 4] : 0, 255, scales };
      const gboolean with_bias = rep % 5 != 0;

      fill_u8 (r, x, rows * in_f);
      for (int i = 0; i < in_f * out_f; i++)
        w[i] = (gint8) g_rand_int_range (r, -127, 128);
      for (int o = 0; o < out_f; o++)
        {
          bias[o] = g_rand_int_range (r, -50000, 50000);
          scales[o] = (float) (g_rand_double_range (r, 0.4, 2.5) * 0.011 / sqrt (in_f));
        }
      qvk_qu8_linear__scalar (&q, rows, in_f, out_f, x, w, with_bias ? bias : NULL, y,
                              0, rows);
      for (int rr = 0; rr < rows; rr++)
        for (int o = 0; o < out_f; o++)
          {
            gint64 acc = with_bias ? bias[o] : 0;
            for (int i = 0; i < in_f; i++)
              acc += (gint64) (x[rr * in_f + i] - q.input_zero_point) * w[o * in_f + i];
            g_assert_cmpint (acc, ==, (gint32) acc);
            g_assert_cmpint (y[rr * out_f + o], ==,
                             qvk_qu8_requantize ((gint32) acc, scales[o], q.output_zero_point,
                                                 q.output_min, q.output_max));
            tally_check (&t, y[rr * out_f + o],
                         requant_double ((double) acc * scales[o], q.output_zero_point,
                                         q.output_min, q.output_max),
                         "linear", rr * out_f + o);
          }
    }
  tally_assert_rare (&t, "linear vs double");
}

/* ---- quantize / dequantize ---------------------------------------------- */

static void
test_quantize_dequantize (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (SEED + 12);
  Tally t = { 0 };

  for (int rep = 0; rep < 20; rep++)
    {
      float s;
      int zp;
      random_quant (r, &s, &zp);
      const gsize n = 2000;
      g_autofree float *x = g_new (float, n), *back = g_new (float, n);
      g_autofree guint8 *q = g_malloc (n);
      for (gsize i = 0; i < n; i++)
        x[i] = (float) g_rand_double_range (r, -300.0 * s, 300.0 * s);
      qvk_qu8_quantize__scalar (s, zp, x, q, 0, n);
      qvk_qu8_dequantize__scalar (s, zp, q, back, 0, n);
      for (gsize i = 0; i < n; i++)
        {
          tally_check (&t, q[i], requant_double ((double) x[i] / s, zp, 0, 255),
                       "quantize", i);
          /* The product of a float and a small integer is exact in double. */
          g_assert_cmpfloat (back[i], ==, (float) ((double) s * (q[i] - zp)));
          /* In range, the round trip is within half a step. */
          const double lo = (double) s * (0 - zp), hi = (double) s * (255 - zp);
          if (x[i] >= lo && x[i] <= hi)
            g_assert_cmpfloat (fabs ((double) back[i] - x[i]), <=, s * 0.5 * (1 + 1e-5));
        }
    }
  tally_assert_rare (&t, "quantize vs double");

  const float specials[] = { NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e30f, -1e30f };
  guint8 q[G_N_ELEMENTS (specials)];
  qvk_qu8_quantize__scalar (0.1f, 100, specials, q, 0, G_N_ELEMENTS (specials));
  g_assert_cmpint (q[0], ==, 0);
  g_assert_cmpint (q[1], ==, 255);
  g_assert_cmpint (q[2], ==, 0);
  g_assert_cmpint (q[3], ==, 100);   /* zero is exact */
  g_assert_cmpint (q[4], ==, 100);
  g_assert_cmpint (q[5], ==, 255);
  g_assert_cmpint (q[6], ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qu8/requantize/rounding", test_requantize_rounding);
  g_test_add_func ("/qu8/conv/reference", test_conv_reference);
  g_test_add_func ("/qu8/conv/bias-null", test_conv_bias_null);
  g_test_add_func ("/qu8/conv/op", test_conv_op);
  g_test_add_func ("/qu8/conv/float-out", test_conv_float_out);
  g_test_add_func ("/qu8/conv/op-zero-point-padding", test_conv_op_zero_point_padding);
  g_test_add_func ("/qu8/conv/op-rejects", test_conv_op_rejects);
  g_test_add_func ("/qu8/add", test_add);
  g_test_add_func ("/qu8/mul", test_mul);
  g_test_add_func ("/qu8/add/exhaustive", test_add_exhaustive);
  g_test_add_func ("/qu8/mul/exhaustive", test_mul_exhaustive);
  g_test_add_func ("/qu8/lut", test_lut);
  g_test_add_func ("/qu8/global-avgpool", test_global_avgpool);
  g_test_add_func ("/qu8/avgpool", test_avgpool);
  g_test_add_func ("/qu8/maxpool", test_maxpool);
  g_test_add_func ("/qu8/resize-bilinear", test_resize_bilinear);
  g_test_add_func ("/qu8/requant-copy", test_requant_copy);
  g_test_add_func ("/qu8/linear", test_linear);
  g_test_add_func ("/qu8/quantize-dequantize", test_quantize_dequantize);

  return g_test_run ();
}
