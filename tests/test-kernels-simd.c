/* test-kernels-simd.c: every vector microkernel against the scalar
 * reference convolution, on random shapes with a fixed seed.
 *
 * The kernel lists of qvk-ukernels.h generate one test per kernel, so a
 * kernel added to a list is tested without touching this file.  Shapes mix
 * channel counts that are not multiples of any vector width, widths 1..17,
 * strides 1 and 2, dilations 1, 2 and 5, kernels 1, 3, 5 and 7, asymmetric
 * padding, the 3-channel first convolution and every fused activation.
 * Int8 results must equal qvk_qu8_conv2d__scalar bit for bit; float results
 * must be within 1e-5 relative of qvk_f32_conv2d__scalar, plus an absolute
 * allowance for the reordered sum.  Kernels this CPU (or QVIZ_ISA) does not
 * allow are skipped, and say so.  The last tests go through the convolution
 * operators (qvk_*_conv_create) at every ISA level up to the detected one
 * with 1 to 3 threads.
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "qvk-conv-simd.h"
#include "qvk-conv.h"
#include "qvk-f32.h"
#include "qvk-qu8.h"
#include "qvk-ukernels.h"

#define SEED 20240611
#define N_SHAPES 60

/* 24 and 40: a last 16-wide block of 8 channels (read in one 8-byte load) */
static const int channel_choices[] = { 1, 3, 15, 16, 17, 24, 33, 40, 96, 100 };
static const int kernel_choices[] = { 1, 3, 5, 7 };
static const int dilation_choices[] = { 1, 2, 5 };

typedef enum {
  SHAPE_DEPTHWISE,
  SHAPE_POINTWISE,   /* 1x1 stride 1 no padding: the plain GEMM */
  SHAPE_GENERAL,     /* groups 1, anything else: the indirect GEMM */
} shape_kind;

static int
pick (GRand *rng, const int *choices, int n)
{
  return choices[g_rand_int_range (rng, 0, n)];
}

/* Random activation; sigmoid only when the caller can apply it (the
 * microkernels do not fuse it). */
static qvk_activation
random_activation (GRand *rng, gboolean allow_sigmoid)
{
  switch (g_rand_int_range (rng, 0, allow_sigmoid ? 6 : 5))
    {
    case 0:
      return qvk_activation_make (QVK_ACT_NONE);
    case 1:
      return qvk_activation_make (QVK_ACT_RELU);
    case 2:
      return qvk_activation_clip (-0.25f, 0.5f);
    case 3:
      return qvk_activation_make (QVK_ACT_HARDSWISH);
    case 4:
      return qvk_activation_make (QVK_ACT_HARDSIGMOID);
    default:
      return qvk_activation_make (QVK_ACT_SIGMOID);
    }
}

static int
out_size (int in, int k, int stride, int dilation, int pad_begin, int pad_end)
{
  return (in + pad_begin + pad_end - dilation * (k - 1) - 1) / stride + 1;
}

/* A depthwise shape of c_n channels over in_h x in_w pixels (each grown
 * by the kernel's reach where the padding leaves no output), with
 * random padding on every side of up to the kernel's reach. */
static qvk_conv_shape
random_dw_shape (GRand *rng, int batch, int in_h, int in_w, int c_n, int kh, int kw,
                 int sh, int sw, int dh, int dw)
{
  const int pad_t = g_rand_int_range (rng, 0, dh * (kh - 1) + 1);
  const int pad_l = g_rand_int_range (rng, 0, dw * (kw - 1) + 1);
  const int pad_b = g_rand_int_range (rng, 0, dh * (kh - 1) + 1);
  const int pad_r = g_rand_int_range (rng, 0, dw * (kw - 1) + 1);
  qvk_conv_shape s = { batch, in_h, in_w, c_n, 0, 0, c_n, kh, kw, sh, sw, dh, dw,
                       pad_t, pad_l, c_n, qvk_activation_make (QVK_ACT_NONE) };

  if (in_h + pad_t + pad_b < dh * (kh - 1) + 1)
    s.in_h = in_h + dh * (kh - 1);
  if (in_w + pad_l + pad_r < dw * (kw - 1) + 1)
    s.in_w = in_w + dw * (kw - 1);
  s.out_h = out_size (s.in_h, kh, sh, dh, pad_t, pad_b);
  s.out_w = out_size (s.in_w, kw, sw, dw, pad_l, pad_r);
  return s;
}

/* A random shape of the given kind; index 0 of the general kind is the
 * first convolution of MobileNet (3 -> 16, 3x3 s2). */
static qvk_conv_shape
random_shape (GRand *rng, shape_kind kind, int index, gboolean allow_sigmoid)
{
  qvk_conv_shape s = { 0 };

  s.batch = g_rand_int_range (rng, 0, 8) == 0 ? 2 : 1;
  for (;;)
    {
      const int k = kind == SHAPE_POINTWISE ? 1 : pick (rng, kernel_choices, 4);
      const int kh = k, kw = kind == SHAPE_POINTWISE || g_rand_boolean (rng) ? k
                              : pick (rng, kernel_choices, 4);
      s.kernel_h = kh;
      s.kernel_w = kw;
      s.stride_h = kind == SHAPE_POINTWISE ? 1 : g_rand_int_range (rng, 1, 3);
      s.stride_w = kind == SHAPE_POINTWISE ? 1
                   : g_rand_boolean (rng) ? s.stride_h : g_rand_int_range (rng, 1, 3);
      s.dilation_h = kind == SHAPE_POINTWISE ? 1 : pick (rng, dilation_choices, 3);
      s.dilation_w = kind == SHAPE_POINTWISE ? 1
                     : g_rand_boolean (rng) ? s.dilation_h : pick (rng, dilation_choices, 3);
      s.in_h = g_rand_int_range (rng, 1, 18);
      s.in_w = g_rand_int_range (rng, 1, 18);
      const int span_h = s.dilation_h * (kh - 1), span_w = s.dilation_w * (kw - 1);
      s.pad_top = kind == SHAPE_POINTWISE ? 0 : g_rand_int_range (rng, 0, span_h + 1);
      s.pad_left = kind == SHAPE_POINTWISE ? 0 : g_rand_int_range (rng, 0, span_w + 1);
      const int pad_bottom = kind == SHAPE_POINTWISE ? 0 : g_rand_int_range (rng, 0, span_h + 1);
      const int pad_right = kind == SHAPE_POINTWISE ? 0 : g_rand_int_range (rng, 0, span_w + 1);
      s.out_h = out_size (s.in_h, kh, s.stride_h, s.dilation_h, s.pad_top, pad_bottom);
      s.out_w = out_size (s.in_w, kw, s.stride_w, s.dilation_w, s.pad_left, pad_right);
      if (s.out_h >= 1 && s.out_w >= 1)
        break;
    }
  s.in_c = pick (rng, channel_choices, G_N_ELEMENTS (channel_choices));
  switch (kind)
    {
    case SHAPE_DEPTHWISE:
      s.out_c = s.in_c;
      s.groups = s.in_c;
      if (s.in_c == 1)      /* one channel is a plain conv, not depthwise */
        s.in_c = s.out_c = s.groups = 17;
      break;
    case SHAPE_POINTWISE:
    case SHAPE_GENERAL:
      s.out_c = pick (rng, channel_choices, G_N_ELEMENTS (channel_choices));
      s.groups = 1;
      break;
    }
  if (kind == SHAPE_GENERAL && index == 0)
    {
      s.in_c = 3;
      s.out_c = 16;
      s.kernel_h = s.kernel_w = 3;
      s.stride_h = s.stride_w = 2;
      s.dilation_h = s.dilation_w = 1;
      s.pad_top = s.pad_left = 1;
      s.in_h = 17;
      s.in_w = 15;
      s.out_h = out_size (s.in_h, 3, 2, 1, 1, 1);
      s.out_w = out_size (s.in_w, 3, 2, 1, 1, 1);
    }
  s.act = random_activation (rng, allow_sigmoid);
  return s;
}

static char *
shape_string (const qvk_conv_shape *s)
{
  return g_strdup_printf ("n%d %dx%dx%d -> %dx%dx%d k%dx%d s%dx%d d%dx%d p%d,%d "
                          "g%d act%d", s->batch, s->in_h, s->in_w, s->in_c,
                          s->out_h, s->out_w, s->out_c, s->kernel_h, s->kernel_w,
                          s->stride_h, s->stride_w, s->dilation_h, s->dilation_w,
                          s->pad_top, s->pad_left, s->groups, s->act.kind);
}

static size_t
input_size (const qvk_conv_shape *s)
{
  return (size_t) s->batch * s->in_h * s->in_w * s->in_c;
}

static size_t
output_size (const qvk_conv_shape *s)
{
  return (size_t) s->batch * s->out_h * s->out_w * s->out_c;
}

static size_t
weight_size (const qvk_conv_shape *s)
{
  return (size_t) s->out_c * s->kernel_h * s->kernel_w * (s->in_c / s->groups);
}

static size_t
reduction (const qvk_conv_shape *s)
{
  return (size_t) s->kernel_h * s->kernel_w * (s->in_c / s->groups);
}

/* ---- float data ----------------------------------------------------------- */

typedef struct {
  qvk_conv_shape s;
  float *input, *weights, *bias, *expected, *output;
} f32_case;

static void
f32_case_init (f32_case *c, GRand *rng, const qvk_conv_shape *s)
{
  c->s = *s;
  c->input = g_new (float, input_size (s));
  c->weights = g_new (float, weight_size (s));
  c->bias = g_new (float, s->out_c);
  c->expected = g_new (float, output_size (s));
  /* NaN everywhere a kernel should write: a missed element shows. */
  c->output = g_new (float, output_size (s));
  for (size_t i = 0; i < output_size (s); i++)
    c->output[i] = NAN;
  for (size_t i = 0; i < input_size (s); i++)
    c->input[i] = (float) g_rand_double_range (rng, -4.0, 4.0);
  for (size_t i = 0; i < weight_size (s); i++)
    c->weights[i] = (float) g_rand_double_range (rng, -1.0, 1.0);
  for (int i = 0; i < s->out_c; i++)
    c->bias[i] = (float) g_rand_double_range (rng, -1.0, 1.0);
  qvk_f32_conv2d__scalar (s, c->input, c->weights, c->bias, c->expected, 0,
                          s->batch * s->out_h);
}

static void
f32_case_check (const f32_case *c, const char *what)
{
  /* Each output sums reduction() products of values below 4 in size. */
  const double allowance = 1e-6 * 4.0 * (double) (reduction (&c->s) + 1);

  for (size_t i = 0; i < output_size (&c->s); i++)
    {
      const double want = c->expected[i], got = c->output[i];
      if (!(fabs (got - want) <= 1e-5 * fabs (want) + allowance))
        {
          g_autofree char *desc = shape_string (&c->s);
          g_error ("%s: %s: element %zu is %.9g, expected %.9g", what, desc, i,
                   got, want);
        }
    }
}

static void
f32_case_clear (f32_case *c)
{
  g_free (c->input);
  g_free (c->weights);
  g_free (c->bias);
  g_free (c->expected);
  g_free (c->output);
}

/* ---- int8 data ------------------------------------------------------------ */

typedef struct {
  qvk_conv_shape s;
  qvk_qu8_conv_params q;
  float *scale;
  uint8_t *input, *expected, *output;
  int8_t *weights;
  int32_t *bias;
} qu8_case;

static void
qu8_case_init (qu8_case *c, GRand *rng, const qvk_conv_shape *s)
{
  const size_t k = reduction (s);

  c->s = *s;
  c->s.act = qvk_activation_make (QVK_ACT_NONE);
  c->input = g_new (uint8_t, input_size (s));
  c->weights = g_new (int8_t, weight_size (s));
  c->bias = g_new (int32_t, s->out_c);
  c->scale = g_new (float, s->out_c);
  c->expected = g_new (uint8_t, output_size (s));
  c->output = g_new (uint8_t, output_size (s));
  memset (c->output, 0xa5, output_size (s));
  for (size_t i = 0; i < input_size (s); i++)
    c->input[i] = (uint8_t) g_rand_int_range (rng, 0, 256);
  for (size_t i = 0; i < weight_size (s); i++)
    c->weights[i] = (int8_t) g_rand_int_range (rng, -128, 128);
  for (int i = 0; i < s->out_c; i++)
    {
      c->bias[i] = g_rand_int_range (rng, -5000, 5000);
      /* spread the outputs over the whole uint8 range */
      c->scale[i] = (float) g_rand_double_range (rng, 0.2, 3.0)
                    / (float) (64.0 * sqrt ((double) k) + 64.0);
    }
  c->q.input_zero_point = g_rand_int_range (rng, 0, 256);
  c->q.output_zero_point = g_rand_int_range (rng, 0, 256);
  c->q.output_min = 0;
  c->q.output_max = 255;
  if (g_rand_boolean (rng))
    {
      /* a fused relu or relu6-like clamp */
      c->q.output_min = c->q.output_zero_point;
      c->q.output_max = g_rand_boolean (rng) ? 255
                        : MIN (255, c->q.output_zero_point + 60);
    }
  c->q.requant_scale = c->scale;
  c->q.lut = NULL;
  c->q.dequant_scale = NULL;
  qvk_qu8_conv2d__scalar (&c->s, &c->q, c->input, c->weights, c->bias,
                          c->expected, 0, s->batch * s->out_h);
}

static void
qu8_case_check (const qu8_case *c, const char *what)
{
  for (size_t i = 0; i < output_size (&c->s); i++)
    if (c->output[i] != c->expected[i])
      {
        g_autofree char *desc = shape_string (&c->s);
        g_error ("%s: %s (z_in %d, z_out %d, clamp %d..%d): element %zu is %d, "
                 "expected %d", what, desc, c->q.input_zero_point,
                 c->q.output_zero_point, c->q.output_min, c->q.output_max, i,
                 c->output[i], c->expected[i]);
      }
}

static void
qu8_case_clear (qu8_case *c)
{
  g_free (c->input);
  g_free (c->weights);
  g_free (c->bias);
  g_free (c->scale);
  g_free (c->expected);
  g_free (c->output);
}

static gboolean
allowed (qvk_isa isa, const char *name)
{
  if (isa <= qvk_isa_detect ())
    return TRUE;
  g_autofree char *msg = g_strdup_printf ("%s needs %s; this CPU (or QVIZ_ISA) "
                                          "allows %s", name, qvk_isa_name (isa),
                                          qvk_isa_name (qvk_isa_detect ()));
  g_test_skip (msg);
  return FALSE;
}

/* ---- depthwise microkernels ------------------------------------------------ */

typedef struct {
  const char *name;
  qvk_isa isa;
  qvk_f32_dwconv_ukernel_fn fn;
} f32_dw_test;

/* Depthwise shapes with rows wide enough for kernels that slide across
 * four pixels (the AVX-512 float kernel at 5 wide, stride and dilation 1
 * across), and for the dilated and 3-wide shapes beside them that do not:
 * stride 1 across, 3 or 5 wide, dilation 1, 2 or 5 in turn, rows of up to
 * 48 pixels with left and right padding, channel counts in and across
 * 64-channel blocks. */
#define N_SLIDE_SHAPES 36

static qvk_conv_shape
slide_shape (GRand *rng, int index)
{
  static const int channels[] = { 3, 16, 17, 64, 85, 128 };
  static const int heights[] = { 1, 3, 5 };
  qvk_conv_shape s = { 0 };

  s.batch = 1;
  s.kernel_w = index % 2 == 0 ? 3 : 5;
  s.kernel_h = pick (rng, heights, 3);
  s.stride_w = 1;
  s.stride_h = g_rand_int_range (rng, 1, 3);
  s.dilation_w = dilation_choices[index / 2 % 3];
  s.dilation_h = pick (rng, dilation_choices, 3);
  const int span_w = s.dilation_w * (s.kernel_w - 1), span_h = s.dilation_h * (s.kernel_h - 1);
  s.in_w = span_w + g_rand_int_range (rng, 1, 48);
  s.in_h = span_h + g_rand_int_range (rng, 1, 5);
  s.pad_left = g_rand_int_range (rng, 0, span_w + 1);
  s.pad_top = g_rand_int_range (rng, 0, span_h + 1);
  const int pad_right = g_rand_int_range (rng, 0, span_w + 1);
  const int pad_bottom = g_rand_int_range (rng, 0, span_h + 1);
  s.out_w = out_size (s.in_w, s.kernel_w, 1, s.dilation_w, s.pad_left, pad_right);
  s.out_h = out_size (s.in_h, s.kernel_h, s.stride_h, s.dilation_h, s.pad_top, pad_bottom);
  s.in_c = s.out_c = s.groups = pick (rng, channels, 6);
  s.act = random_activation (rng, FALSE);
  return s;
}

/* Runs a depthwise kernel row by row, in two channel ranges when there are
 * more than 16 channels so that a range starting inside the tensor is
 * covered too: random shapes, then shapes with wide rows. */
static void
test_f32_dwconv (gconstpointer data)
{
  const f32_dw_test *t = data;
  g_autoptr (GRand) rng = g_rand_new_with_seed (SEED);

  if (!allowed (t->isa, t->name))
    return;
  for (int i = 0; i < N_SHAPES + N_SLIDE_SHAPES; i++)
    {
      const qvk_conv_shape s = i < N_SHAPES ? random_shape (rng, SHAPE_DEPTHWISE, i, FALSE)
                                            : slide_shape (rng, i - N_SHAPES);
      const size_t cpad = qvk_round_up ((size_t) s.out_c, 16);
      g_autofree float *packed = g_new (float, qvk_f32_dwconv_packed_floats (s.out_c, s.kernel_h, s.kernel_w));
      g_autofree float *zero = g_new0 (float, cpad + 64);
      qvk_indirection ind;
      qvk_f32_act_params act;
      f32_case c;

      f32_case_init (&c, rng, &s);
      g_assert_true (qvk_f32_act_params_init (&act, &s.act));
      g_assert_true (qvk_indirection_init (&ind, &s, 0));
      qvk_f32_dwconv_pack (s.out_c, s.kernel_h, s.kernel_w, c.weights, c.bias, packed);
      const size_t split = s.out_c > 16 ? 16 : (size_t) s.out_c;
      for (int row = 0; row < s.batch * s.out_h; row++)
        {
          const size_t base = (size_t) row * s.out_w * s.out_c;
          t->fn (split, s.out_w, ind.taps, s.kernel_w, s.stride_w, s.dilation_w,
                 ind.offsets + row * ind.row_len, ind.pixel_step, c.input, zero, packed,
                 cpad, c.output + base, s.out_c, &act);
          if (split < (size_t) s.out_c)
            t->fn (s.out_c - split, s.out_w, ind.taps, s.kernel_w, s.stride_w,
                   s.dilation_w, ind.offsets + row * ind.row_len, ind.pixel_step,
                   c.input + split, zero, packed + split, cpad, c.output + base + split,
                   s.out_c, &act);
        }
      f32_case_check (&c, t->name);
      qvk_indirection_clear (&ind);
      f32_case_clear (&c);
    }
}

typedef struct {
  const char *name;
  qvk_isa isa;
  qvk_qu8_dw_layout layout;
  qvk_qu8_dwconv_ukernel_fn fn;
} qu8_dw_test;

typedef struct {
  const char *name;
  qvk_isa isa;
  gboolean f32;
} convrows_test;

static void
test_qu8_dwconv (gconstpointer data)
{
  const qu8_dw_test *t = data;
  g_autoptr (GRand) rng = g_rand_new_with_seed (SEED);

  if (!allowed (t->isa, t->name))
    return;
  for (int i = 0; i < N_SHAPES; i++)
    {
      const qvk_conv_shape s = random_shape (rng, SHAPE_DEPTHWISE, i, FALSE);
      const size_t taps = qvk_qu8_dwconv_taps (t->layout, s.kernel_h, s.kernel_w);
      const size_t ct = qvk_qu8_dwconv_channel_tile (t->layout);
      g_autofree uint8_t *packed = g_malloc (qvk_qu8_dwconv_packed_bytes (t->layout, s.out_c, s.kernel_h, s.kernel_w));
      g_autofree uint8_t *zero = g_malloc (qvk_round_up ((size_t) s.out_c, 64) + 64);
      qvk_qu8_requant_minmax rq = { 0 };   /* uint8 output: float_output off */
      qvk_indirection ind;
      qu8_case c;

      qu8_case_init (&c, rng, &s);
      rq.output_zero_point = c.q.output_zero_point;
      rq.output_min = c.q.output_min;
      rq.output_max = c.q.output_max;
      memset (zero, c.q.input_zero_point, qvk_round_up ((size_t) s.out_c, 64) + 64);
      g_assert_true (qvk_indirection_init (&ind, &s,
                                           taps - (size_t) s.kernel_h * s.kernel_w));
      qvk_qu8_dwconv_pack (t->layout, s.out_c, s.kernel_h, s.kernel_w,
                           c.q.input_zero_point, c.weights, c.bias, c.scale, packed);
      const size_t split = (size_t) s.out_c > ct ? ct : (size_t) s.out_c;
      for (int row = 0; row < s.batch * s.out_h; row++)
        {
          const size_t base = (size_t) row * s.out_w * s.out_c;
          t->fn (split, s.out_w, ind.taps, ind.offsets + row * ind.row_len,
                 ind.pixel_step, c.input, zero, packed, c.output + base, s.out_c, &rq);
          if (split < (size_t) s.out_c)
            t->fn (s.out_c - split, s.out_w, ind.taps, ind.offsets + row * ind.row_len,
                   ind.pixel_step, c.input + split, zero,
                   packed + qvk_qu8_dwconv_packed_offset (t->layout, s.out_c, s.kernel_h,
                                                          s.kernel_w, (int) split),
                   c.output + base + split, s.out_c, &rq);
        }
      qu8_case_check (&c, t->name);
      qvk_indirection_clear (&ind);
      qu8_case_clear (&c);
    }
}

/* ---- GEMM microkernels ----------------------------------------------------- */

typedef struct {
  const char *name;
  qvk_isa isa;
  int mr, nr;
  qvk_f32_gemm_ukernel_fn gemm;
  qvk_f32_igemm_ukernel_fn igemm;
} f32_gemm_test;

static void
test_f32_gemm (gconstpointer data)
{
  const f32_gemm_test *t = data;
  g_autoptr (GRand) rng = g_rand_new_with_seed (SEED);

  if (!allowed (t->isa, t->name))
    return;
  for (int i = 0; i < 2 * N_SHAPES; i++)
    {
      const gboolean indirect = i % 2 == 1;
      const qvk_conv_shape s = random_shape (rng, indirect ? SHAPE_GENERAL : SHAPE_POINTWISE,
                                             i / 2, FALSE);
      g_autofree float *packed = g_new (float, qvk_f32_gemm_packed_floats (s.out_c, s.in_c, s.kernel_h, s.kernel_w, t->nr));
      g_autofree float *zero = g_new0 (float, s.in_c + 64);
      qvk_f32_act_params act;
      f32_case c;

      f32_case_init (&c, rng, &s);
      g_assert_true (qvk_f32_act_params_init (&act, &s.act));
      qvk_f32_gemm_pack (s.out_c, s.in_c, s.kernel_h, s.kernel_w, t->nr,
                         c.weights, c.bias, packed);
      if (!indirect)
        {
          const size_t m = (size_t) s.batch * s.out_h * s.out_w;
          for (size_t m0 = 0; m0 < m; m0 += t->mr)
            t->gemm (MIN ((size_t) t->mr, m - m0), s.out_c, s.in_c,
                     c.input + m0 * s.in_c, s.in_c, packed,
                     c.output + m0 * s.out_c, s.out_c, &act);
        }
      else
        {
          qvk_indirection ind;
          g_assert_true (qvk_indirection_init (&ind, &s, 0));
          g_autofree const float **rows = g_new (const float *, ind.row_len);
          for (int row = 0; row < s.batch * s.out_h; row++)
            {
              for (size_t e = 0; e < ind.row_len; e++)
                {
                  const int32_t off = ind.offsets[row * ind.row_len + e];
                  rows[e] = off < 0 ? zero : c.input + off;
                }
              for (int x0 = 0; x0 < s.out_w; x0 += t->mr)
                t->igemm (MIN (t->mr, s.out_w - x0), s.out_c, s.in_c, ind.taps,
                          rows + x0 * ind.pixel_step, ind.pixel_step, packed,
                          c.output + ((size_t) row * s.out_w + x0) * s.out_c,
                          s.out_c, &act);
            }
          qvk_indirection_clear (&ind);
        }
      f32_case_check (&c, t->name);
      f32_case_clear (&c);
    }
}

typedef struct {
  const char *name;
  qvk_isa isa;
  int mr, nr, kr;
  qvk_qu8_gemm_ukernel_fn gemm;
  qvk_qu8_igemm_ukernel_fn igemm;
} qu8_gemm_test;

static void
test_qu8_gemm (gconstpointer data)
{
  const qu8_gemm_test *t = data;
  g_autoptr (GRand) rng = g_rand_new_with_seed (SEED);

  if (!allowed (t->isa, t->name))
    return;
  for (int i = 0; i < 2 * N_SHAPES; i++)
    {
      const gboolean indirect = i % 2 == 1;
      const qvk_conv_shape s = random_shape (rng, indirect ? SHAPE_GENERAL : SHAPE_POINTWISE,
                                             i / 2, FALSE);
      g_autofree uint8_t *packed = g_malloc (qvk_qu8_gemm_packed_bytes (s.out_c, s.in_c, s.kernel_h, s.kernel_w, t->nr, t->kr));
      g_autofree uint8_t *zero = g_malloc (s.in_c + 64);
      qvk_qu8_requant_minmax rq = { 0 };   /* uint8 output: float_output off */
      qu8_case c;

      qu8_case_init (&c, rng, &s);
      rq.output_zero_point = c.q.output_zero_point;
      rq.output_min = c.q.output_min;
      rq.output_max = c.q.output_max;
      memset (zero, c.q.input_zero_point, s.in_c + 64);
      qvk_qu8_gemm_pack (s.out_c, s.in_c, s.kernel_h, s.kernel_w, t->nr, t->kr,
                         qvk_qu8_gemm_pack_zero_point (t->isa, c.q.input_zero_point),
                         c.weights, c.bias, c.scale, packed);
      if (!indirect)
        {
          /* blocks of MR rows, or every other shape one call over all of
           * them (blocks inside, the last one partial) */
          const size_t m = (size_t) s.batch * s.out_h * s.out_w;
          const size_t step = i / 2 % 2 == 0 ? (size_t) t->mr : m;
          for (size_t m0 = 0; m0 < m; m0 += step)
            t->gemm (MIN (step, m - m0), s.out_c, s.in_c,
                     c.input + m0 * s.in_c, s.in_c, packed,
                     c.output + m0 * s.out_c, s.out_c, &rq);
        }
      else
        {
          /* The driver guarantees whole groups of four readable bytes per
           * row (qu8-conv-simd.c); here a padded copy of the input does. */
          g_autofree uint8_t *padded = g_malloc (input_size (&s) + 4);
          qvk_indirection ind;
          memcpy (padded, c.input, input_size (&s));
          memset (padded + input_size (&s), c.q.input_zero_point, 4);
          g_assert_true (qvk_indirection_init (&ind, &s, 0));
          g_autofree const uint8_t **rows = g_new (const uint8_t *, ind.row_len);
          for (int row = 0; row < s.batch * s.out_h; row++)
            {
              for (size_t e = 0; e < ind.row_len; e++)
                {
                  const int32_t off = ind.offsets[row * ind.row_len + e];
                  rows[e] = off < 0 ? zero : padded + off;
                }
              for (int x0 = 0; x0 < s.out_w; x0 += t->mr)
                t->igemm (MIN (t->mr, s.out_w - x0), s.out_c, s.in_c, ind.taps,
                          rows + x0 * ind.pixel_step, ind.pixel_step, packed,
                          c.output + ((size_t) row * s.out_w + x0) * s.out_c,
                          s.out_c, &rq);
            }
          qvk_indirection_clear (&ind);
        }
      qu8_case_check (&c, t->name);
      qu8_case_clear (&c);
    }
}

/* ---- the operators ----------------------------------------------------------- */

static const shape_kind all_kinds[] = { SHAPE_DEPTHWISE, SHAPE_POINTWISE, SHAPE_GENERAL };

/* The highest level of a list's kernels that isa allows: the level the
 * operators must name (QVK_ISA_SCALAR when the list has none). */
#define BEST_LEVEL(name, kernel_isa, ...) \
  if (kernel_isa <= isa && kernel_isa > best) best = kernel_isa;
#define BEST_LEVEL_GEMM(gemm, igemm, kernel_isa, ...) \
  if (kernel_isa <= isa && kernel_isa > best) best = kernel_isa;
static qvk_isa best_f32_dw (qvk_isa isa)
{ qvk_isa best = QVK_ISA_SCALAR; QVK_F32_DWCONV_UKERNELS (BEST_LEVEL) return best; }
static qvk_isa best_qu8_dw (qvk_isa isa)
{ qvk_isa best = QVK_ISA_SCALAR; QVK_QU8_DWCONV_UKERNELS (BEST_LEVEL) (void) isa; return best; }
static qvk_isa best_f32_gemm (qvk_isa isa)
{ qvk_isa best = QVK_ISA_SCALAR; QVK_F32_GEMM_UKERNELS (BEST_LEVEL_GEMM) return best; }
static qvk_isa best_qu8_gemm (qvk_isa isa)
{ qvk_isa best = QVK_ISA_SCALAR; QVK_QU8_GEMM_UKERNELS (BEST_LEVEL_GEMM) return best; }

/* The vector convolution drivers and the public operators at every ISA up
 * to the detected one, 1 to 3 threads, every activation (sigmoid too). */
static void
test_f32_operators (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (SEED + 1);

  for (int isa = QVK_ISA_SCALAR; isa <= (int) qvk_isa_detect (); isa++)
    for (int i = 0; i < 30; i++)
      {
        const qvk_conv_shape s = random_shape (rng, all_kinds[i % 3], i / 3, TRUE);
        const int threads = 1 + i % 3;
        qvk_conv_options options = { (qvk_isa) isa, QVK_CONV_ALGO_AUTO, threads };
        qvk_f32_conv_op *op;
        qvk_f32_conv_simd *simd;
        f32_case c;

        f32_case_init (&c, rng, &s);
        const qvk_isa best = all_kinds[i % 3] == SHAPE_DEPTHWISE ? best_f32_dw (isa)
                                                                 : best_f32_gemm (isa);
        simd = qvk_f32_conv_simd_create (&s, c.weights, c.bias, (qvk_isa) isa);
        g_assert_true ((simd != NULL) == (best != QVK_ISA_SCALAR));
        if (simd != NULL)
          {
            for (int tid = threads - 1; tid >= 0; tid--)
              qvk_f32_conv_simd_run (simd, c.input, c.output, tid, threads);
            f32_case_check (&c, qvk_f32_conv_simd_name (simd));
            qvk_f32_conv_simd_destroy (simd);
          }

        op = qvk_f32_conv_create (&s, c.weights, c.bias, &options);
        g_assert_nonnull (op);
        for (size_t e = 0; e < output_size (&s); e++)
          c.output[e] = NAN;
        for (int tid = 0; tid < threads; tid++)
          qvk_f32_conv_run (op, c.input, c.output, tid, threads);
        f32_case_check (&c, qvk_f32_conv_kernel_name (op));
        if (best != QVK_ISA_SCALAR)
          g_assert_nonnull (strstr (qvk_f32_conv_kernel_name (op), qvk_isa_name (best)));
        {
          /* the same rows as windows, last first, each on one thread (row bands) */
          const size_t rows = (size_t) s.batch * s.out_h, cut = rows / 3, cut2 = 2 * rows / 3;
          const size_t windows[][2] = { { cut2, rows }, { cut, cut2 }, { 0, cut } };

          for (size_t e = 0; e < output_size (&s); e++)
            c.output[e] = NAN;
          for (int k = 0; k < 3; k++)
            qvk_f32_conv_run_rows (op, c.input, c.output, windows[k][0], windows[k][1],
                                   k % threads);
          f32_case_check (&c, qvk_f32_conv_kernel_name (op));
        }
        qvk_f32_conv_destroy (op);
        f32_case_clear (&c);
      }
}

static void
test_qu8_operators (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (SEED + 2);

  for (int isa = QVK_ISA_SCALAR; isa <= (int) qvk_isa_detect (); isa++)
    for (int i = 0; i < 30; i++)
      {
        const qvk_conv_shape s = random_shape (rng, all_kinds[i % 3], i / 3, FALSE);
        const int threads = 1 + i % 3;
        qvk_conv_options options = { (qvk_isa) isa, QVK_CONV_ALGO_AUTO, threads };
        qvk_qu8_conv_op *op;
        qvk_qu8_conv_simd *simd;
        qu8_case c;

        qu8_case_init (&c, rng, &s);
        const qvk_isa best = all_kinds[i % 3] == SHAPE_DEPTHWISE ? best_qu8_dw (isa)
                                                                 : best_qu8_gemm (isa);
        simd = qvk_qu8_conv_simd_create (&c.s, &c.q, c.weights, c.bias, (qvk_isa) isa);
        g_assert_true ((simd != NULL) == (best != QVK_ISA_SCALAR));
        if (simd != NULL)
          {
            for (int tid = threads - 1; tid >= 0; tid--)
              qvk_qu8_conv_simd_run (simd, c.input, c.output, tid, threads);
            qu8_case_check (&c, qvk_qu8_conv_simd_name (simd));
            qvk_qu8_conv_simd_destroy (simd);
          }

        op = qvk_qu8_conv_create (&c.s, &c.q, c.weights, c.bias, &options);
        g_assert_nonnull (op);
        memset (c.output, 0xa5, output_size (&s));
        for (int tid = 0; tid < threads; tid++)
          qvk_qu8_conv_run (op, c.input, c.output, tid, threads);
        qu8_case_check (&c, qvk_qu8_conv_kernel_name (op));
        if (best != QVK_ISA_SCALAR)
          g_assert_nonnull (strstr (qvk_qu8_conv_kernel_name (op), qvk_isa_name (best)));
        {
          /* the same rows as windows, last first, each on one thread (row bands) */
          const size_t rows = (size_t) s.batch * s.out_h, cut = rows / 3, cut2 = 2 * rows / 3;
          const size_t windows[][2] = { { cut2, rows }, { cut, cut2 }, { 0, cut } };

          memset (c.output, 0xa5, output_size (&s));
          for (int k = 0; k < 3; k++)
            qvk_qu8_conv_run_rows (op, c.input, c.output, windows[k][0], windows[k][1],
                                   k % threads);
          qu8_case_check (&c, qvk_qu8_conv_kernel_name (op));
        }
        qvk_qu8_conv_destroy (op);
        qu8_case_clear (&c);
      }
}

/* A shape of few input channels (the first convolution's kind), which
 * runs on copied patches: every stride, dilation and padding, and every
 * odd case wider than the 64-pixel segments (so that the copy-only path of
 * whole segments runs too). */
static qvk_conv_shape
patch_shape (GRand *rng, int i)
{
  qvk_conv_shape s = random_shape (rng, SHAPE_GENERAL, 1 + i, TRUE);
  const int pad_right = g_rand_int_range (rng, 0, s.dilation_w * (s.kernel_w - 1) + 1);

  s.in_c = g_rand_int_range (rng, 1, 8);
  while (s.kernel_h * s.kernel_w * s.in_c > 64 || s.kernel_h * s.kernel_w == 1)
    {
      s.kernel_w = pick (rng, kernel_choices, 4);
      s.in_c = g_rand_int_range (rng, 1, 8);
    }
  s.pad_left = MIN (s.pad_left, s.dilation_w * (s.kernel_w - 1));
  s.in_w = i % 2 ? g_rand_int_range (rng, 70, 200) : g_rand_int_range (rng, 1, 20);
  s.out_w = out_size (s.in_w, s.kernel_w, s.stride_w, s.dilation_w, s.pad_left, pad_right);
  if (s.out_w < 1)
    {
      s.in_w = s.dilation_w * (s.kernel_w - 1) + 1;
      s.pad_left = 0;
      s.out_w = out_size (s.in_w, s.kernel_w, s.stride_w, s.dilation_w, 0, 0);
    }
  return s;
}

/* Whether shape s runs on kernel rows read in place, in float or int8:
 * few input channels, rows of at most 16 values without dilation across,
 * where this CPU has such a kernel. */
static gboolean
expect_kernel_rows (const qvk_conv_shape *s, gboolean f32)
{
  gboolean have = FALSE;

#define HAVE_ROWS(name, isa, ...) have = have || isa <= qvk_isa_detect ();
#ifdef QVK_F32_CONVROWS_UKERNELS
  if (f32)
    QVK_F32_CONVROWS_UKERNELS (HAVE_ROWS)
#endif
#ifdef QVK_QU8_CONVROWS_UKERNELS
  if (!f32)
    QVK_QU8_CONVROWS_UKERNELS (HAVE_ROWS)
#endif
#undef HAVE_ROWS
  return have && s->groups == 1 && s->in_c < 8 && s->kernel_h * s->kernel_w > 1 &&
         s->dilation_w == 1 && s->kernel_h <= 16 && s->kernel_w * s->in_c <= 16;
}

/* The case c again on copied patches, asked for by the name of the
 * widest GEMM this CPU runs, on `threads` threads. */
static void
qu8_check_patch_gemm (qu8_case *c, int threads)
{
  const char *gemm = NULL;
  qvk_qu8_conv_simd *op;

#define FIRST_GEMM(g, ig, isa, mr, nr, kr) \
  if (gemm == NULL && isa <= qvk_isa_detect ()) gemm = #g;
  QVK_QU8_GEMM_UKERNELS (FIRST_GEMM)
#undef FIRST_GEMM
  g_assert_nonnull (gemm);
  op = qvk_qu8_conv_simd_create_forced (&c->s, &c->q, c->weights, c->bias, gemm);
  g_assert_nonnull (op);
  g_assert_nonnull (strstr (qvk_qu8_conv_simd_name (op), "patch-gemm"));
  memset (c->output, 0xa5, output_size (&c->s));
  for (int tid = 0; tid < threads; tid++)
    qvk_qu8_conv_simd_run (op, c->input, c->output, tid, threads);
  qu8_case_check (c, qvk_qu8_conv_simd_name (op));
  qvk_qu8_conv_simd_destroy (op);
}

/* The float case c again on copied patches, asked for by the name of
 * the widest GEMM this CPU runs. */
static void
f32_check_patch_gemm (f32_case *c, int threads)
{
  const char *gemm = NULL;
  qvk_f32_conv_simd *op;

#define FIRST_GEMM(g, ig, isa, mr, nr) \
  if (gemm == NULL && isa <= qvk_isa_detect ()) gemm = #g;
  QVK_F32_GEMM_UKERNELS (FIRST_GEMM)
#undef FIRST_GEMM
  g_assert_nonnull (gemm);
  op = qvk_f32_conv_simd_create_forced (&c->s, c->weights, c->bias, gemm);
  g_assert_nonnull (op);
  g_assert_nonnull (strstr (qvk_f32_conv_simd_name (op), "patch-gemm"));
  for (size_t e = 0; e < output_size (&c->s); e++)
    c->output[e] = NAN;
  for (int tid = 0; tid < threads; tid++)
    qvk_f32_conv_simd_run (op, c->input, c->output, tid, threads);
  f32_case_check (c, qvk_f32_conv_simd_name (op));
  qvk_f32_conv_simd_destroy (op);
}

/* Copied patches against the reference, in both precisions: the last rows
 * near the input's end, batches and threads included. */
static void
test_patch (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (SEED + 3);

  if (best_qu8_gemm (qvk_isa_detect ()) == QVK_ISA_SCALAR ||
      best_f32_gemm (qvk_isa_detect ()) == QVK_ISA_SCALAR)
    {
      g_test_skip ("no vector GEMM on this CPU");
      return;
    }
  for (int i = 0; i < 60; i++)
    {
      qvk_conv_shape s = patch_shape (rng, i);
      const int threads = 1 + i % 3;
      qvk_conv_options options = { qvk_isa_detect (), QVK_CONV_ALGO_AUTO, threads };

      if (i % 2)
        {
          qu8_case c;
          qvk_qu8_conv_op *op;

          s.act = qvk_activation_make (QVK_ACT_NONE);
          qu8_case_init (&c, rng, &s);
          op = qvk_qu8_conv_create (&c.s, &c.q, c.weights, c.bias, &options);
          g_assert_nonnull (op);
          g_assert_nonnull (strstr (qvk_qu8_conv_kernel_name (op),
                                    expect_kernel_rows (&s, FALSE) ? "kernel-rows" : "patch-gemm"));
          memset (c.output, 0xa5, output_size (&s));
          for (int tid = 0; tid < threads; tid++)
            qvk_qu8_conv_run (op, c.input, c.output, tid, threads);
          qu8_case_check (&c, qvk_qu8_conv_kernel_name (op));
          qvk_qu8_conv_destroy (op);
          /* the patches too where kernel rows are chosen */
          qu8_check_patch_gemm (&c, threads);
          qu8_case_clear (&c);
        }
      else
        {
          f32_case c;
          qvk_f32_conv_op *op;

          f32_case_init (&c, rng, &s);
          op = qvk_f32_conv_create (&s, c.weights, c.bias, &options);
          g_assert_nonnull (op);
          g_assert_nonnull (strstr (qvk_f32_conv_kernel_name (op),
                                    expect_kernel_rows (&s, TRUE) ? "kernel-rows" : "patch-gemm"));
          for (size_t e = 0; e < output_size (&s); e++)
            c.output[e] = NAN;
          for (int tid = 0; tid < threads; tid++)
            qvk_f32_conv_run (op, c.input, c.output, tid, threads);
          f32_case_check (&c, qvk_f32_conv_kernel_name (op));
          qvk_f32_conv_destroy (op);
          f32_check_patch_gemm (&c, threads);
          f32_case_clear (&c);
        }
    }
}

/* The first convolution of most networks, 3x3 over three channels, whose
 * int8 patches are put together in 64-bit words: strides 1 and 2, with and
 * without padding, rows wider than a segment of 64 pixels (borders in the
 * first and last segments) and the input's last bytes in the last row. */
static void
test_patch_first_conv (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (SEED + 4);

  if (best_qu8_gemm (qvk_isa_detect ()) == QVK_ISA_SCALAR)
    {
      g_test_skip ("no vector GEMM on this CPU");
      return;
    }
  for (int i = 0; i < 8; i++)
    {
      const int stride = 1 + i % 2, pad = (i / 2) % 2, in_w = i < 4 ? 150 : 67;
      qvk_conv_shape s = { 2, 7, in_w, 3, 0, 0, 16, 3, 3, stride, stride, 1, 1,
                           pad, pad, 1, qvk_activation_make (QVK_ACT_NONE) };
      qvk_conv_options options = { qvk_isa_detect (), QVK_CONV_ALGO_AUTO, 2 };
      qvk_qu8_conv_op *op;
      qu8_case c;

      s.out_h = out_size (s.in_h, 3, stride, 1, pad, pad);
      s.out_w = out_size (s.in_w, 3, stride, 1, pad, pad);
      qu8_case_init (&c, rng, &s);
      op = qvk_qu8_conv_create (&c.s, &c.q, c.weights, c.bias, &options);
      g_assert_nonnull (op);
      g_assert_nonnull (strstr (qvk_qu8_conv_kernel_name (op),
                                expect_kernel_rows (&s, FALSE) ? "kernel-rows" : "patch-gemm"));
      memset (c.output, 0xa5, output_size (&s));
      for (int tid = 0; tid < 2; tid++)
        qvk_qu8_conv_run (op, c.input, c.output, tid, 2);
      qu8_case_check (&c, qvk_qu8_conv_kernel_name (op));
      qvk_qu8_conv_destroy (op);
      qu8_check_patch_gemm (&c, 2);
      qu8_case_clear (&c);
    }
}

#if defined(QVK_F32_CONVROWS_UKERNELS) || defined(QVK_QU8_CONVROWS_UKERNELS)
/* Kernel rows read in place, by name, against the reference: one to four
 * input channels with rows of up to 16 values, kernels 1 to 7 rows high
 * (up to 112 values, more than a patch takes), strides 1 to 3, dilations
 * down, padding on every side, output channel counts that end in a
 * partial tile of 16 or are 16 (int8 pixels then stored four at a time),
 * widths across segments of 64 pixels, batches, row windows on one to
 * three threads, the input's last bytes read by the last row (the input
 * is allocated to its size), and in float every activation. */
static void
test_convrows (gconstpointer data)
{
  const convrows_test *t = data;
  g_autoptr (GRand) rng = g_rand_new_with_seed (SEED + 7);
  static const int out_channels[] = { 16, 1, 8, 17, 24, 32, 40, 64 };

  if (qvk_isa_detect () < t->isa)
    {
      g_test_skip ("CPU lacks the kernel's ISA");
      return;
    }
  for (int i = 0; i < 96; i++)
    {
      const int in_c = 1 + i % 4;
      const int kw = g_rand_int_range (rng, 1, MIN (7, 16 / in_c) + 1);
      const int kh = kw == 1 ? 2 + i % 6 : 1 + (i / 4) % 7;
      const int sh = 1 + (i / 2) % 3, sw = 1 + (i / 3) % 3, dh = 1 + (i / 5) % 2;
      const int pad_t = g_rand_int_range (rng, 0, dh * (kh - 1) + 1);
      const int pad_l = g_rand_int_range (rng, 0, kw);
      const int pad_b = g_rand_int_range (rng, 0, dh * (kh - 1) + 1);
      const int pad_r = g_rand_int_range (rng, 0, kw);
      const int c_n = out_channels[i % G_N_ELEMENTS (out_channels)];
      const int in_w = i % 3 == 0 ? g_rand_int_range (rng, 120, 300) : g_rand_int_range (rng, 1, 40);
      const int in_h = g_rand_int_range (rng, 1, 12);
      const int threads = 1 + i % 3;
      qvk_conv_shape s = { 1 + i % 2, in_h, in_w, in_c, 0, 0, c_n, kh, kw, sh, sw, dh, 1,
                           pad_t, pad_l, 1, random_activation (rng, TRUE) };
      qvk_f32_conv_simd *fop = NULL;
      qvk_qu8_conv_simd *qop = NULL;
      f32_case fc;
      qu8_case qc;
      const char *name;

      if (in_h + pad_t + pad_b < dh * (kh - 1) + 1)
        s.in_h = dh * (kh - 1) + 1;
      if (in_w + pad_l + pad_r < kw)
        s.in_w = kw;
      s.out_h = out_size (s.in_h, kh, sh, dh, pad_t, pad_b);
      s.out_w = out_size (s.in_w, kw, sw, 1, pad_l, pad_r);
      if (t->f32)
        {
          f32_case_init (&fc, rng, &s);
          fop = qvk_f32_conv_simd_create_forced (&fc.s, fc.weights, fc.bias, t->name);
          g_assert_nonnull (fop);
          name = qvk_f32_conv_simd_name (fop);
          for (size_t e = 0; e < output_size (&s); e++)
            fc.output[e] = NAN;
        }
      else
        {
          qu8_case_init (&qc, rng, &s);
          qop = qvk_qu8_conv_simd_create_forced (&qc.s, &qc.q, qc.weights, qc.bias, t->name);
          g_assert_nonnull (qop);
          name = qvk_qu8_conv_simd_name (qop);
        }
      g_assert_nonnull (strstr (name, "kernel-rows"));
      {
        /* whole, or row windows, the last first, each on threads - 1 .. 0 */
        const size_t n_rows = (size_t) s.batch * s.out_h;
        const size_t win = i % 2 ? n_rows : 3;
        for (size_t w = (n_rows + win - 1) / win; w-- > 0;)
          for (int tid = threads - 1; tid >= 0; tid--)
            if (t->f32)
              qvk_f32_conv_simd_run_rows (fop, fc.input, fc.output, w * win,
                                          MIN (n_rows, w * win + win), tid, threads);
            else
              qvk_qu8_conv_simd_run_rows (qop, qc.input, qc.output, w * win,
                                          MIN (n_rows, w * win + win), tid, threads);
      }
      if (t->f32)
        {
          f32_case_check (&fc, name);
          qvk_f32_conv_simd_destroy (fop);
          f32_case_clear (&fc);
        }
      else
        {
          qu8_case_check (&qc, name);
          qvk_qu8_conv_simd_destroy (qop);
          qu8_case_clear (&qc);
        }
    }
}
#endif

/* The row-pair kernel (layout C4R3), asked for by name on int8 depthwise
 * kernels 3 wide at stride and dilation 1 across where VNNI is there
 * (the grouped kernel is chosen by default): every kernel
 * height, vertical stride and dilation, padding, channel counts that end in
 * a partial tile, odd and even widths, and rows longer than the kernel's
 * segment of resolved pixels (1 + 1024 / kernel_h). */
static void
test_qu8_dwconv_rows3 (void)
{
#ifndef QVK_QU8_DWCONV_ROWS3_UKERNELS
  g_test_skip ("no row-pair depthwise kernel on this architecture");
#else
  g_autoptr (GRand) rng = g_rand_new_with_seed (SEED + 5);
  static const int channels[] = { 17, 40, 64, 100, 128, 250 };

  if (qvk_isa_detect () < QVK_ISA_AVX512VNNI)
    {
      g_test_skip ("no AVX-512 VNNI on this CPU");
      return;
    }
  for (int i = 0; i < 24; i++)
    {
      const int kh = 1 + i % 5, dh = 1 + (i / 5) % 2, sh = 1 + (i / 3) % 2;
      const int pad_l = i % 2, pad_r = (i / 2) % 2, pad_t = (i / 4) % 2;
      const int in_w = i % 4 == 3 ? g_rand_int_range (rng, 360, 420)
                                  : g_rand_int_range (rng, 1, 40);
      const int in_h = dh * (kh - 1) + 1 + g_rand_int_range (rng, 0, 4);
      const int c_n = channels[i % G_N_ELEMENTS (channels)];
      qvk_conv_shape s = { 1 + i % 2, in_h, in_w, c_n, 0, 0, c_n, kh, 3, sh, 1, dh, 1,
                           pad_t, pad_l, c_n, qvk_activation_make (QVK_ACT_NONE) };
      qvk_qu8_conv_simd *op;
      qu8_case c;

      s.out_h = out_size (in_h, kh, sh, dh, pad_t, 0);
      s.out_w = out_size (in_w, 3, 1, 1, pad_l, pad_r);
      if (s.out_w < 1)
        {
          s.in_w = in_w + 2;
          s.out_w = out_size (s.in_w, 3, 1, 1, pad_l, pad_r);
        }
      qu8_case_init (&c, rng, &s);
      /* by name: the grouped kernel is the one chosen by default */
      op = qvk_qu8_conv_simd_create_forced (&c.s, &c.q, c.weights, c.bias,
                                            "qvk_qu8_dwconv_minmax_ukernel_64c4r3__avx512vnni");
      g_assert_nonnull (op);
      g_assert_nonnull (strstr (qvk_qu8_conv_simd_name (op), "64c4r3"));
      for (int tid = 0; tid < 2; tid++)
        qvk_qu8_conv_simd_run (op, c.input, c.output, tid, 2);
      qu8_case_check (&c, qvk_qu8_conv_simd_name (op));
      qvk_qu8_conv_simd_destroy (op);
      qu8_case_clear (&c);
    }
#endif
}

#if defined(QVK_QU8_DWCONV_QUAD_UKERNELS) || defined(QVK_QU8_DWCONV_COLS_UKERNELS)
/* Case c's output range replaced by one of the three kinds the row-pair
 * loops have (kind 0: 0 .. 255, 1: a lower bound, 2: both bounds), and
 * its expected output computed again. */
static void
qu8_case_set_range (qu8_case *c, int kind)
{
  c->q.output_min = kind == 0 ? 0 : c->q.output_zero_point / 2 + 1;
  c->q.output_max = kind == 2 ? MAX (c->q.output_min, 200) : 255;
  qvk_qu8_conv2d__scalar (&c->s, &c->q, c->input, c->weights, c->bias, c->expected, 0,
                          c->s.batch * c->s.out_h);
}

/* Case c on the row-quad kernel chosen by default, threads threads in
 * turn, checked against the reference. */
static void
run_quad_case (qu8_case *c, int threads)
{
  qvk_qu8_conv_simd *op = qvk_qu8_conv_simd_create (&c->s, &c->q, c->weights, c->bias,
                                                    qvk_isa_detect ());

  g_assert_nonnull (strstr (qvk_qu8_conv_simd_name (op), "row-quads 64c4q"));
  for (int tid = 0; tid < threads; tid++)
    qvk_qu8_conv_simd_run (op, c->input, c->output, tid, threads);
  qu8_case_check (c, qvk_qu8_conv_simd_name (op));
  qvk_qu8_conv_simd_destroy (op);
}

/* A 3x3 stride-1 depthwise case of the row-pair kernels, case i of a
 * loop: c_n channels, in_w x in_h pixels (grown where the padding leaves
 * no output), the padding on each side and the batch and thread counts
 * picked by i, and with clamps, the range by i too (none, the lower
 * bound, both). */
static void
check_pair_case (GRand *rng, int i, int c_n, int in_w, int in_h, gboolean clamps)
{
  const int pad_t = i % 3 == 0 ? 0 : 1, pad_b = i % 4 == 1 ? 0 : i % 4 == 2 ? 2 : 1;
  const int pad_l = i % 5 == 0 ? 0 : 1, pad_r = i % 7 == 3 ? 0 : i % 7 == 4 ? 2 : 1;
  const int threads = 1 + i % 3;
  qvk_conv_shape s = { 1 + i % 2, in_h, in_w, c_n, 0, 0, c_n, 3, 3, 1, 1, 1, 1,
                       pad_t, pad_l, c_n, qvk_activation_make (QVK_ACT_NONE) };
  qu8_case c;

  if (in_h + pad_t + pad_b < 3)
    s.in_h = in_h + 2;
  if (in_w + pad_l + pad_r < 3)
    s.in_w = in_w + 2;
  s.out_h = out_size (s.in_h, 3, 1, 1, pad_t, pad_b);
  s.out_w = out_size (s.in_w, 3, 1, 1, pad_l, pad_r);
  qu8_case_init (&c, rng, &s);
  if (clamps)
    qu8_case_set_range (&c, i % 3);
  run_quad_case (&c, threads);
  qu8_case_clear (&c);
}
#endif

/* The shared-column kernel (layout C2V), chosen where the best depthwise
 * kernel of the ISA is an AVX2 one and the stride across divides the
 * dilation: every kernel height from 1 to 8 (pairs and a last single
 * row), widths 3, 5 and 7, dilations across 1 to 5 at stride 1 and 2 and
 * 4 at stride 2 (passes of pixels 1 to 5 columns apart, rows wider and
 * narrower than one block of passes), vertical strides and dilations,
 * padding on every side, channel counts that end in 1 to 15 channels or
 * in a whole block, batches of two, one to three threads, each kind of
 * clamp; run by name, and chosen at AVX2 (over more than 16 channels) or
 * not as the rule says. */
static void
test_qu8_dwconv_cols (void)
{
#ifndef QVK_QU8_DWCONV_COLS_UKERNELS
  g_test_skip ("no shared-column depthwise kernel on this architecture");
#else
  g_autoptr (GRand) rng = g_rand_new_with_seed (SEED + 8);
  static const int channels[] = { 2, 8, 16, 17, 24, 40, 72, 100, 200 };
  static const int across[][2] = { { 1, 1 }, { 1, 2 }, { 1, 3 }, { 1, 5 }, { 2, 2 },
                                   { 2, 4 }, { 2, 1 }, { 1, 4 } };

  if (qvk_isa_detect () < QVK_ISA_AVX2)
    {
      g_test_skip ("no AVX2 on this CPU");
      return;
    }
  for (int i = 0; i < 96; i++)
    {
      const int kh = 1 + i % 8, kw = 3 + 2 * ((i / 8) % 3);
      const int sw = across[i % G_N_ELEMENTS (across)][0];
      const int dw = across[i % G_N_ELEMENTS (across)][1];
      const int dh = 1 + (i / 3) % 3, sh = 1 + (i / 5) % 2;
      const int c_n = channels[i % G_N_ELEMENTS (channels)];
      const int in_w = i % 3 == 2 ? g_rand_int_range (rng, 60, 140)
                                  : g_rand_int_range (rng, 1, 30);
      const int in_h = g_rand_int_range (rng, 1, c_n >= 100 ? 8 : 16);
      const int threads = 1 + i % 3;
      const gboolean fits = sw == 1 || dw % sw == 0;
      const qvk_conv_shape s = random_dw_shape (rng, 1 + i % 2, in_h, in_w, c_n, kh, kw,
                                                sh, sw, dh, dw);
      qvk_qu8_conv_simd *op;
      qu8_case c;

      qu8_case_init (&c, rng, &s);
      qu8_case_set_range (&c, i % 3);

      op = qvk_qu8_conv_simd_create_forced (&c.s, &c.q, c.weights, c.bias,
                                            "qvk_qu8_dwconv_minmax_ukernel_16c2v__avx2");
      if (!fits)
        {
          /* by name, a shape it does not take is refused */
          g_assert_null (op);
          op = qvk_qu8_conv_simd_create (&c.s, &c.q, c.weights, c.bias, QVK_ISA_AVX2);
          g_assert_nonnull (strstr (qvk_qu8_conv_simd_name (op), "16c2t"));
        }
      else
        g_assert_nonnull (strstr (qvk_qu8_conv_simd_name (op), "indirect 16c2v avx2"));
      for (int tid = threads - 1; tid >= 0; tid--)
        qvk_qu8_conv_simd_run (op, c.input, c.output, tid, threads);
      qu8_case_check (&c, qvk_qu8_conv_simd_name (op));
      qvk_qu8_conv_simd_destroy (op);

      /* the kernel chosen at AVX2: over more than 16 channels */
      op = qvk_qu8_conv_simd_create (&c.s, &c.q, c.weights, c.bias, QVK_ISA_AVX2);
      g_assert_true ((strstr (qvk_qu8_conv_simd_name (op), "16c2v") != NULL)
                     == (fits && c_n > 16));
      qvk_qu8_conv_simd_destroy (op);
      qu8_case_clear (&c);
    }
#endif
}

/* The row-quad kernel (layout C4Q), chosen by default for int8 depthwise
 * kernels two or more rows high at stride 1 (and 2 from five rows) where
 * VNNI is there, and run by name at other strides: every kernel height
 * from 2 to 7 (one and two quads, shifts of 1, 2 and 4 rows), kernel
 * widths 1 to 5, strides and dilations 1 to 3 in either direction,
 * padding on every side (rows above and below the image come from the
 * zero point), batches of two, channel counts that end in a partial
 * 64-wide tile or in 16-wide ones (at most 32 after the last full 64),
 * rows wider than a segment (64 pixels), and one to three threads, some
 * with more threads than rows (channel chunks); then images of 16 and 32
 * channels, whose quads are filled four columns at a time. */
static void
test_qu8_dwconv_quads (void)
{
#ifndef QVK_QU8_DWCONV_QUAD_UKERNELS
  g_test_skip ("no row-quad depthwise kernel on this architecture");
#else
  g_autoptr (GRand) rng = g_rand_new_with_seed (SEED + 6);
  static const int channels[] = { 2, 16, 17, 24, 40, 64, 72, 88, 100, 128, 200, 250, 960 };

  if (qvk_isa_detect () < QVK_ISA_AVX512VNNI)
    {
      g_test_skip ("no AVX-512 VNNI on this CPU");
      return;
    }
  for (int i = 0; i < 78; i++)
    {
      const int kh = 2 + i % 6, kw = 1 + (i / 6) % 5;
      const int dh = 1 + (i / 2) % 3, dw = 1 + (i / 5) % 3;
      const int sh = 1 + (i / 3) % 2, sw = 1 + (i / 7) % 2;
      const int c_n = channels[i % G_N_ELEMENTS (channels)];
      const int big = c_n >= 200;
      const int in_w = i % 4 == 3 && !big ? g_rand_int_range (rng, 130, 300)
                                          : g_rand_int_range (rng, 1, big ? 12 : 40);
      const int in_h = g_rand_int_range (rng, 1, big ? 10 : 24);
      const int threads = 1 + i % 3;
      const qvk_conv_shape s = random_dw_shape (rng, 1 + i % 2, in_h, in_w, c_n, kh, kw,
                                                sh, sw, dh, dw);
      qvk_qu8_conv_simd *op;
      qu8_case c;

      qu8_case_init (&c, rng, &s);
      op = qvk_qu8_conv_simd_create (&c.s, &c.q, c.weights, c.bias, qvk_isa_detect ());
      g_assert_nonnull (op);
      /* chosen at stride 1, and 2 for kernels five rows high or more; the
       * grouped kernel otherwise */
      g_assert_true ((strstr (qvk_qu8_conv_simd_name (op), "row-quads 64c4q") != NULL)
                     == ((sh == 1 && sw == 1) || (MAX (sh, sw) == 2 && kh >= 5)));
      for (int tid = 0; tid < threads; tid++)
        qvk_qu8_conv_simd_run (op, c.input, c.output, tid, threads);
      qu8_case_check (&c, qvk_qu8_conv_simd_name (op));
      qvk_qu8_conv_simd_destroy (op);

      /* by name at every stride, on threads - 1 .. 0 in reverse order */
      memset (c.output, 0xa5, output_size (&s));
      op = qvk_qu8_conv_simd_create_forced (&c.s, &c.q, c.weights, c.bias,
                                            "qvk_qu8_dwconv_minmax_ukernel_64c4q__avx512vnni");
      g_assert_nonnull (op);
      g_assert_nonnull (strstr (qvk_qu8_conv_simd_name (op), "row-quads 64c4q"));
      for (int tid = threads - 1; tid >= 0; tid--)
        qvk_qu8_conv_simd_run (op, c.input, c.output, tid, threads);
      qu8_case_check (&c, qvk_qu8_conv_simd_name (op));
      qvk_qu8_conv_simd_destroy (op);
      qu8_case_clear (&c);
    }

  /* 3x3 at stride and dilation 1: two output rows a pass from the input
   * rows, on 64-wide tiles (full, and of 33 .. 63 channels); every
   * padding, odd and even row counts, each thread's band starting at an
   * odd or even row */
  for (int i = 0; i < 24; i++)
    {
      static const int pair_channels[] = { 40, 64, 72, 100, 128, 200 };
      const int c_n = pair_channels[i % G_N_ELEMENTS (pair_channels)];
      const int in_w = g_rand_int_range (rng, 1, c_n >= 128 ? 20 : 70);

      check_pair_case (rng, i, c_n, in_w, g_rand_int_range (rng, 1, 14), FALSE);
    }

  /* the same on wide rows (several 64-pixel segments) of full 64-channel
   * tiles, whose inside passes run in assembly on x86-64, with each kind
   * of clamp its loops have: none, the lower bound, both */
  for (int i = 0; i < 6; i++)
    {
      const int c_n = i < 3 ? 64 : 192, in_w = (int[]) { 70, 150, 201 }[i % 3];
      const int in_h = 4 + i, pad = i % 2;
      qvk_conv_shape s = { 1, in_h, in_w, c_n, in_h + 2 * pad - 2, in_w + 2 * pad - 2, c_n,
                           3, 3, 1, 1, 1, 1, pad, pad, c_n,
                           qvk_activation_make (QVK_ACT_NONE) };
      qu8_case c;

      qu8_case_init (&c, rng, &s);
      qu8_case_set_range (&c, i % 3);
      run_quad_case (&c, 1);
      qu8_case_clear (&c);
    }

  /* 5x5 at stride 1 (the loop above draws its 5x5 shapes at stride 2):
   * dilations 1, 2, 3 and 5 either way, padding 0 .. 2d on each side
   * (rows above and below the image, columns left and right of it), full
   * and partial 64-wide tiles and 16-wide ones after them, rows of one to
   * three 64-pixel segments, batches of two, one to three threads, each
   * kind of clamp */
  for (int i = 0; i < 36; i++)
    {
      static const int ch5[] = { 64, 40, 100, 128, 160, 200 };
      const int dh = (int[]) { 1, 2, 1, 3, 5 }[i % 5], dw = (int[]) { 1, 1, 2, 2, 5, 3, 1 }[i % 7];
      const int c_n = ch5[(i / 2) % 6];
      const int in_w = i % 4 == 3 ? g_rand_int_range (rng, 60, 200)
                                  : g_rand_int_range (rng, 1, 40);
      const int in_h = g_rand_int_range (rng, 1, c_n >= 128 ? 12 : 24);
      const int pad_t = g_rand_int_range (rng, 0, 2 * dh + 1);
      const int pad_b = g_rand_int_range (rng, 0, 2 * dh + 1);
      const int pad_l = g_rand_int_range (rng, 0, 2 * dw + 1);
      const int pad_r = g_rand_int_range (rng, 0, 2 * dw + 1);
      const int threads = 1 + i % 3;
      qvk_conv_shape s = { 1 + i % 2, in_h, in_w, c_n, 0, 0, c_n, 5, 5, 1, 1, dh, dw,
                           pad_t, pad_l, c_n, qvk_activation_make (QVK_ACT_NONE) };
      qu8_case c;

      if (in_h + pad_t + pad_b < 4 * dh + 1)
        s.in_h = in_h + 4 * dh;
      if (in_w + pad_l + pad_r < 4 * dw + 1)
        s.in_w = in_w + 4 * dw;
      s.out_h = out_size (s.in_h, 5, 1, dh, pad_t, pad_b);
      s.out_w = out_size (s.in_w, 5, 1, dw, pad_l, pad_r);
      qu8_case_init (&c, rng, &s);
      qu8_case_set_range (&c, i % 3);
      run_quad_case (&c, threads);
      qu8_case_clear (&c);
    }

  /* 3x3 at stride and dilation 1 on images of 16 and 32 channels: the
   * 16-wide row-pair kernel, four pixels a pass; every padding, rows of
   * one to three segments that end in a partial pass, odd and even row
   * counts, bands starting at odd and even rows, each kind of clamp */
  for (int i = 0; i < 24; i++)
    check_pair_case (rng, i, i / 2 % 2 == 0 ? 16 : 32, (int[]) { 1, 3, 6, 9, 70, 133 }[i % 6],
                     2 + i % 7, TRUE);

  /* images of 16 and 32 channels, whose quads take four columns of a row
   * at a time (the rows above and below the image included), at widths
   * that end in a partial group of four */
  for (int i = 0; i < 12; i++)
    {
      const int c_n = i % 2 == 0 ? 16 : 32, k = i % 4 < 2 ? 3 : 5;
      const int in_w = (int[]) { 5, 9, 33, 70 }[i / 3 % 4], in_h = 3 + i % 5;
      qvk_conv_shape s = { 1 + i % 2, in_h, in_w, c_n, in_h, in_w, c_n, k, k, 1, 1, 1, 1,
                           k / 2, k / 2, c_n, qvk_activation_make (QVK_ACT_NONE) };
      qu8_case c;

      qu8_case_init (&c, rng, &s);
      run_quad_case (&c, 1);
      qu8_case_clear (&c);
    }
#endif
}

/* The indirection table of a stride-1 3x3 convolution shares columns
 * between neighbouring pixels, and a padding tap is -1. */
static void
test_indirection_layout (void)
{
  qvk_conv_shape s = { 1, 4, 5, 2, 4, 5, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2 };
  qvk_indirection ind;

  s.groups = 2;
  g_assert_true (qvk_indirection_init (&ind, &s, 3));
  g_assert_cmpuint (ind.taps, ==, 9);
  g_assert_cmpuint (ind.pixel_step, ==, 3);
  g_assert_cmpuint (ind.row_len, ==, (3 + 4) * 3 + 3);
  /* row 0, pixel 0: ky 0 is above the image, kx 0 left of it */
  g_assert_cmpint (ind.offsets[0], ==, -1);
  /* row 1, pixel 1, tap (kx 1, ky 1) is input pixel (1, 1) */
  g_assert_cmpint (ind.offsets[ind.row_len + 1 * 3 + 1 * 3 + 1], ==, (1 * 5 + 1) * 2);
  /* the tail padding reads the zero row */
  g_assert_cmpint (ind.offsets[ind.row_len - 1], ==, -1);
  qvk_indirection_clear (&ind);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD_F32_DW(name, isa, ct) \
  { static const f32_dw_test t = { #name, isa, name }; \
    g_test_add_data_func ("/kernels-simd/f32-dwconv/" #name, &t, test_f32_dwconv); }
  QVK_F32_DWCONV_UKERNELS (ADD_F32_DW)
#define ADD_QU8_DW(name, isa, layout) \
  { static const qu8_dw_test t = { #name, isa, layout, name }; \
    g_test_add_data_func ("/kernels-simd/qu8-dwconv/" #name, &t, test_qu8_dwconv); }
  QVK_QU8_DWCONV_UKERNELS (ADD_QU8_DW)
#define ADD_F32_GEMM(gemm, igemm, isa, mr, nr) \
  { static const f32_gemm_test t = { #gemm, isa, mr, nr, gemm, igemm }; \
    g_test_add_data_func ("/kernels-simd/f32-gemm/" #gemm, &t, test_f32_gemm); }
  QVK_F32_GEMM_UKERNELS (ADD_F32_GEMM)
#define ADD_QU8_GEMM(gemm, igemm, isa, mr, nr, kr) \
  { static const qu8_gemm_test t = { #gemm, isa, mr, nr, kr, gemm, igemm }; \
    g_test_add_data_func ("/kernels-simd/qu8-gemm/" #gemm, &t, test_qu8_gemm); }
  QVK_QU8_GEMM_UKERNELS (ADD_QU8_GEMM)

#ifdef QVK_F32_CONVROWS_UKERNELS
#define ADD_F32_CONVROWS(name, isa, mr, nr) \
  { static const convrows_test t = { #name, isa, TRUE }; \
    g_test_add_data_func ("/kernels-simd/f32-convrows/" #name, &t, test_convrows); }
  QVK_F32_CONVROWS_UKERNELS (ADD_F32_CONVROWS)
#endif
#ifdef QVK_QU8_CONVROWS_UKERNELS
#define ADD_QU8_CONVROWS(name, isa, mr, nr, kr) \
  { static const convrows_test t = { #name, isa, FALSE }; \
    g_test_add_data_func ("/kernels-simd/qu8-convrows/" #name, &t, test_convrows); }
  QVK_QU8_CONVROWS_UKERNELS (ADD_QU8_CONVROWS)
#endif
  g_test_add_func ("/kernels-simd/indirection", test_indirection_layout);
  g_test_add_func ("/kernels-simd/f32-operators", test_f32_operators);
  g_test_add_func ("/kernels-simd/qu8-operators", test_qu8_operators);
  g_test_add_func ("/kernels-simd/patch", test_patch);
  g_test_add_func ("/kernels-simd/patch-first-conv", test_patch_first_conv);
  g_test_add_func ("/kernels-simd/qu8-dwconv-rows3", test_qu8_dwconv_rows3);
  g_test_add_func ("/kernels-simd/qu8-dwconv-cols", test_qu8_dwconv_cols);
  g_test_add_func ("/kernels-simd/qu8-dwconv-quads", test_qu8_dwconv_quads);
  return g_test_run ();
}
