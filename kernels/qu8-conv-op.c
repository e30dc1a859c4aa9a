/* qu8-conv-op.c: the int8 convolution operator (qvk-conv.h).
 *
 * The same shape as the float operator: create() picks one kernel from a
 * small table of candidates for the shape, the ISA and the forced algorithm,
 * packs the weights for it once (with whatever zero-point correction it
 * needs folded into its bias), allocates per-thread scratch for max_threads
 * threads and records the kernel's name and why it was chosen.  run() only
 * computes: each of n_threads threads takes a contiguous range of output
 * rows (batch * out_h).  The candidates are ordered best first; choose()
 * takes the first one that supports the shape and whose ISA is allowed, so
 * vector kernels are added by putting their entries at the top of the table.
 *
 * Every kernel ends in the same int32 accumulator as qvk_qu8_conv2d__scalar
 * (bias + sum (x - z_in) * w; no overflow is possible for real layer sizes,
 * so reordering the sum changes nothing) and requantizes it with
 * qvk_qu8_requantize, so every kernel equals the reference bit for bit.
 * A float-output operator (params.dequant_scale set: the layer that writes
 * the model's output) writes qvk_qu8_dequantize_acc as the reference does:
 * the GEMM kernels (x86 and NEON) with a relu, a clip or no activation
 * (their fp32 store), the scalar kernels of the table below otherwise.
 */
#include "qvk-conv.h"
#include "qvk-conv-op-private.h"
#include "qvk-conv-simd.h"
#include "qvk-qu8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* im2col tile: output pixels per GEMM call. */
#define IM2COL_TILE_PIXELS 64

#define SCRATCH_ALIGN 64

typedef struct qu8_conv_kernel qu8_conv_kernel;

struct qvk_qu8_conv_op {
  qvk_conv_shape shape;
  qvk_qu8_conv_params params;   /* requant_scale points at op->requant_scale */
  float *requant_scale;         /* [out_c], copied */
  float *dequant_scale;         /* [out_c], copied, for float output; or NULL */
  uint8_t lut[256];             /* params.lut points here when one is given */
  const qu8_conv_kernel *kernel;
  qvk_qu8_conv_simd *simd;        /* when a vector kernel computes it */
  int8_t *packed;               /* layout chosen by the kernel */
  size_t packed_size;
  int32_t *bias;                /* [out_c]: the kernel's bias, zero-point
                                   correction folded in where it needs it */
  uint8_t *scratch;             /* max_threads * scratch_size bytes */
  size_t scratch_size;          /* per thread, rounded to SCRATCH_ALIGN */
  int max_threads;
  char name[96];
  char reason[160];
};

struct qu8_conv_kernel {
  const char *method;           /* part of the name: "", "im2col+gemm", "reference" */
  qvk_isa isa;                  /* lowest ISA it needs */
  qvk_conv_algo algo;           /* AUTO: a candidate for automatic choice */
  int (*supports) (const qvk_conv_shape *s);
  size_t (*packed_size) (const qvk_conv_shape *s);
  /* Packs the weights and writes the kernel's bias from the model's. */
  void (*pack) (const qvk_conv_shape *s, const qvk_qu8_conv_params *q,
                const int8_t *weights, const int32_t *bias,
                int8_t *packed, int32_t *packed_bias);
  size_t (*scratch_size) (const qvk_conv_shape *s);
  void (*run) (const qvk_qu8_conv_op *op, const uint8_t *input,
               uint8_t *output, uint8_t *scratch, int row_begin, int row_end);
};

static inline int
taps (const qvk_conv_shape *s)
{
  return s->kernel_h * s->kernel_w;
}

static void
copy_bias (const qvk_conv_shape *s, const int32_t *bias, int32_t *packed_bias)
{
  if (bias != NULL)
    memcpy (packed_bias, bias, (size_t) s->out_c * sizeof (int32_t));
  else
    memset (packed_bias, 0, (size_t) s->out_c * sizeof (int32_t));
}

/* Requantizes (or dequantizes, for float output) the out_c accumulators
 * of output pixel `pixel`. */
static void
requantize_pixel (const qvk_qu8_conv_op *op, const int32_t *acc, uint8_t *output,
                  size_t pixel)
{
  const qvk_qu8_conv_params *q = &op->params;
  uint8_t *out = output + pixel * op->shape.out_c;

  if (q->dequant_scale != NULL)
    {
      float *f = (float *) output + pixel * op->shape.out_c;
      for (int oc = 0; oc < op->shape.out_c; oc++)
        f[oc] = qvk_qu8_dequantize_acc (acc[oc], q->dequant_scale[oc], &q->float_act);
      return;
    }
  for (int oc = 0; oc < op->shape.out_c; oc++)
    {
      const uint8_t v = qvk_qu8_requantize (acc[oc], q->requant_scale[oc],
                                            q->output_zero_point, q->output_min,
                                            q->output_max);
      out[oc] = q->lut != NULL ? q->lut[v] : v;
    }
}

/* --- reference: OHWI weights as given, the scalar definition ------------ */

static void
pack_copy (const qvk_conv_shape *s, const qvk_qu8_conv_params *q,
           const int8_t *weights, const int32_t *bias,
           int8_t *packed, int32_t *packed_bias)
{
  memcpy (packed, weights, qvk_conv_weight_count (s));
  copy_bias (s, bias, packed_bias);
}

static void
run_reference (const qvk_qu8_conv_op *op, const uint8_t *input,
               uint8_t *output, uint8_t *scratch, int row_begin, int row_end)
{
  qvk_qu8_conv2d__scalar (&op->shape, &op->params, input, op->packed,
                          op->bias, output, row_begin, row_end);
}

/* --- packing shared by the direct and GEMM kernels -----------------------
 * [group][kernel_h][kernel_w][in_per_group][out_per_group]: for one input
 * value the weights of every output channel of its group are contiguous.
 * Seen per group this is the K x N matrix of the GEMM, K = (ky, kx, ic). */

static void
pack_gkkio (const qvk_conv_shape *s, const int8_t *weights, int8_t *packed)
{
  const int ipg = qvk_conv_in_per_group (s);
  const int opg = qvk_conv_out_per_group (s);
  const int t_n = taps (s);

  for (int g = 0; g < s->groups; g++)
    for (int t = 0; t < t_n; t++)
      for (int ic = 0; ic < ipg; ic++)
        for (int o = 0; o < opg; o++)
          {
            const int oc = g * opg + o;
            packed[(((size_t) g * t_n + t) * ipg + ic) * opg + o] =
              weights[((size_t) oc * t_n + t) * ipg + ic];
          }
}

static void
pack_direct (const qvk_conv_shape *s, const qvk_qu8_conv_params *q,
             const int8_t *weights, const int32_t *bias,
             int8_t *packed, int32_t *packed_bias)
{
  pack_gkkio (s, weights, packed);
  copy_bias (s, bias, packed_bias);
}

/* One pixel of int32 accumulators. */
static size_t
direct_scratch_size (const qvk_conv_shape *s)
{
  return (size_t) s->out_c * sizeof (int32_t);
}

/* --- scalar direct, general convolution --------------------------------- */

static void
run_direct (const qvk_qu8_conv_op *op, const uint8_t *input, uint8_t *output,
            uint8_t *scratch, int row_begin, int row_end)
{
  const qvk_conv_shape *s = &op->shape;
  const int ipg = qvk_conv_in_per_group (s);
  const int opg = qvk_conv_out_per_group (s);
  const int32_t zi = op->params.input_zero_point;
  int32_t *acc = (int32_t *) scratch;

  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / s->out_h;
      const int oy = row % s->out_h;

      for (int ox = 0; ox < s->out_w; ox++)
        {
          memcpy (acc, op->bias, (size_t) s->out_c * sizeof (int32_t));
          for (int ky = 0; ky < s->kernel_h; ky++)
            {
              const int iy = oy * s->stride_h - s->pad_top + ky * s->dilation_h;
              if (iy < 0 || iy >= s->in_h)
                continue;
              for (int kx = 0; kx < s->kernel_w; kx++)
                {
                  const int ix = ox * s->stride_w - s->pad_left + kx * s->dilation_w;
                  if (ix < 0 || ix >= s->in_w)
                    continue;

                  const uint8_t *x = input
                    + (((size_t) n * s->in_h + iy) * s->in_w + ix) * s->in_c;
                  const int t = ky * s->kernel_w + kx;

                  for (int g = 0; g < s->groups; g++)
                    {
                      const int8_t *w = op->packed
                        + ((size_t) g * taps (s) + t) * ipg * opg;
                      int32_t *restrict ag = acc + (size_t) g * opg;

                      for (int ic = 0; ic < ipg; ic++)
                        {
                          const int32_t xv = (int32_t) x[g * ipg + ic] - zi;
                          const int8_t *restrict wr = w + (size_t) ic * opg;
                          for (int o = 0; o < opg; o++)
                            ag[o] += xv * (int32_t) wr[o];
                        }
                    }
                }
            }
          requantize_pixel (op, acc, output, (size_t) row * s->out_w + ox);
        }
    }
}

/* --- scalar direct, depthwise (one output channel per input channel) ---- */

/* OHWI [c][kh][kw][1] -> [kh][kw][c], so the channel loop is innermost. */
static void
pack_depthwise (const qvk_conv_shape *s, const qvk_qu8_conv_params *q,
                const int8_t *weights, const int32_t *bias,
                int8_t *packed, int32_t *packed_bias)
{
  const int t_n = taps (s);

  for (int c = 0; c < s->out_c; c++)
    for (int t = 0; t < t_n; t++)
      packed[(size_t) t * s->out_c + c] = weights[(size_t) c * t_n + t];
  copy_bias (s, bias, packed_bias);
}

static void
run_depthwise (const qvk_qu8_conv_op *op, const uint8_t *input,
               uint8_t *output, uint8_t *scratch, int row_begin, int row_end)
{
  const qvk_conv_shape *s = &op->shape;
  const int c_n = s->out_c;
  const int32_t zi = op->params.input_zero_point;
  int32_t *restrict acc = (int32_t *) scratch;

  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / s->out_h;
      const int oy = row % s->out_h;

      for (int ox = 0; ox < s->out_w; ox++)
        {
          memcpy (acc, op->bias, (size_t) c_n * sizeof (int32_t));
          for (int ky = 0; ky < s->kernel_h; ky++)
            {
              const int iy = oy * s->stride_h - s->pad_top + ky * s->dilation_h;
              if (iy < 0 || iy >= s->in_h)
                continue;
              for (int kx = 0; kx < s->kernel_w; kx++)
                {
                  const int ix = ox * s->stride_w - s->pad_left + kx * s->dilation_w;
                  if (ix < 0 || ix >= s->in_w)
                    continue;

                  const uint8_t *restrict x = input
                    + (((size_t) n * s->in_h + iy) * s->in_w + ix) * c_n;
                  const int8_t *restrict w = op->packed
                    + (size_t) (ky * s->kernel_w + kx) * c_n;
                  for (int c = 0; c < c_n; c++)
                    acc[c] += ((int32_t) x[c] - zi) * (int32_t) w[c];
                }
            }
          requantize_pixel (op, acc, output, (size_t) row * s->out_w + ox);
        }
    }
}

/* --- im2col + GEMM ------------------------------------------------------- *
 * The path a framework falls into for shapes it has no direct kernel for:
 * the patch matrix is materialized (padding taps hold the input zero point,
 * i.e. real zero), then multiplied as raw uint8 x int8.  The zero point is
 * taken out once per output channel: sum (x - z) w = sum x w - z sum w, and
 * z sum w is folded into the packed bias. */

static size_t
im2col_k (const qvk_conv_shape *s)
{
  return (size_t) taps (s) * qvk_conv_in_per_group (s);
}

static size_t
align_up (size_t n)
{
  return (n + SCRATCH_ALIGN - 1) / SCRATCH_ALIGN * SCRATCH_ALIGN;
}

/* [tile][K] uint8 patches, then [tile][out_c] int32 accumulators. */
static size_t
im2col_scratch_size (const qvk_conv_shape *s)
{
  return align_up (IM2COL_TILE_PIXELS * im2col_k (s))
         + (size_t) IM2COL_TILE_PIXELS * s->out_c * sizeof (int32_t);
}

static void
pack_im2col (const qvk_conv_shape *s, const qvk_qu8_conv_params *q,
             const int8_t *weights, const int32_t *bias,
             int8_t *packed, int32_t *packed_bias)
{
  const size_t k_n = im2col_k (s);

  pack_gkkio (s, weights, packed);
  copy_bias (s, bias, packed_bias);
  for (int oc = 0; oc < s->out_c; oc++)
    {
      int32_t wsum = 0;
      for (size_t k = 0; k < k_n; k++)
        wsum += weights[(size_t) oc * k_n + k];
      packed_bias[oc] -= q->input_zero_point * wsum;
    }
}

/* C[m][n] += A[m][k] B[k][n], uint8 x int8 -> int32, C's rows ldc apart. */
static void
gemm_u8s8_accumulate (int m_n, size_t k_n, int n_n, const uint8_t *a,
                      const int8_t *b, int32_t *c, size_t ldc)
{
  for (int m = 0; m < m_n; m++)
    {
      int32_t *restrict cr = c + (size_t) m * ldc;
      const uint8_t *ar = a + (size_t) m * k_n;

      for (size_t k = 0; k < k_n; k++)
        {
          const int32_t av = ar[k];
          const int8_t *restrict br = b + k * n_n;
          for (int n = 0; n < n_n; n++)
            cr[n] += av * (int32_t) br[n];
        }
    }
}

static void
run_im2col (const qvk_qu8_conv_op *op, const uint8_t *input, uint8_t *output,
            uint8_t *scratch, int row_begin, int row_end)
{
  const qvk_conv_shape *s = &op->shape;
  const int opg = qvk_conv_out_per_group (s);
  const size_t k_n = im2col_k (s);
  const size_t first = (size_t) row_begin * s->out_w;
  const size_t last = (size_t) row_end * s->out_w;
  uint8_t *patches = scratch;
  int32_t *acc = (int32_t *) (scratch + align_up (IM2COL_TILE_PIXELS * k_n));
  const uint8_t zero_point = (uint8_t) op->params.input_zero_point;

  for (size_t p0 = first; p0 < last; p0 += IM2COL_TILE_PIXELS)
    {
      const int tile = (int) (last - p0 < IM2COL_TILE_PIXELS ? last - p0
                                                             : IM2COL_TILE_PIXELS);

      for (int p = 0; p < tile; p++)
        memcpy (acc + (size_t) p * s->out_c, op->bias,
                (size_t) s->out_c * sizeof (int32_t));
      for (int g = 0; g < s->groups; g++)
        {
          qvk_conv_im2col (s, 1, zero_point, input, g, p0, tile, patches);
          gemm_u8s8_accumulate (tile, k_n, opg, patches,
                                op->packed + (size_t) g * k_n * opg,
                                acc + (size_t) g * opg, s->out_c);
        }
      for (int p = 0; p < tile; p++)
        requantize_pixel (op, acc + (size_t) p * s->out_c, output, p0 + p);
    }
}

/* --- the table ------------------------------------------------------------
 * Best first.  Entries for vector ISAs go above the scalar ones. */

static const qu8_conv_kernel qu8_conv_kernels[] = {
  { "", QVK_ISA_SCALAR, QVK_CONV_ALGO_AUTO, qvk_conv_supports_depthwise,
    qvk_conv_weight_count, pack_depthwise, direct_scratch_size, run_depthwise },
  { "", QVK_ISA_SCALAR, QVK_CONV_ALGO_AUTO, qvk_conv_supports_any,
    qvk_conv_weight_count, pack_direct, direct_scratch_size, run_direct },
  { "im2col+gemm", QVK_ISA_SCALAR, QVK_CONV_ALGO_IM2COL, qvk_conv_supports_any,
    qvk_conv_weight_count, pack_im2col, im2col_scratch_size, run_im2col },
  { "reference", QVK_ISA_SCALAR, QVK_CONV_ALGO_REFERENCE, qvk_conv_supports_any,
    qvk_conv_weight_count, pack_copy, qvk_conv_no_scratch, run_reference },
};

/* Picks the kernel and writes the operator's name and reason strings. */
static const qu8_conv_kernel *
choose (const qvk_conv_shape *s, qvk_isa isa, qvk_conv_algo algo,
        char *name, size_t name_size, char *reason, size_t reason_size)
{
  const size_t n_kernels = sizeof qu8_conv_kernels / sizeof qu8_conv_kernels[0];

  for (size_t i = 0; i < n_kernels; i++)
    {
      const qu8_conv_kernel *k = &qu8_conv_kernels[i];
      if (k->algo == algo && k->isa <= isa && k->supports (s))
        {
          qvk_conv_describe_choice ("qu8", s, k->method, k->isa, isa, algo,
                                    name, name_size, reason, reason_size);
          return k;
        }
    }
  return NULL;
}

qvk_qu8_conv_op *
qvk_qu8_conv_create (const qvk_conv_shape *s, const qvk_qu8_conv_params *q,
                     const int8_t *weights, const int32_t *bias,
                     const qvk_conv_options *options)
{
  qvk_conv_options opt;
  qvk_qu8_conv_op *op;

  if (s == NULL || q == NULL || q->requant_scale == NULL || weights == NULL)
    return NULL;
  if (!qvk_conv_shape_is_valid (s) ||
      q->input_zero_point < 0 || q->input_zero_point > 255 ||
      q->output_min < 0 || q->output_max > 255 || q->output_min > q->output_max)
    return NULL;
  opt = qvk_conv_options_resolve (options);

  op = calloc (1, sizeof *op);
  if (op == NULL)
    return NULL;
  op->shape = *s;
  op->max_threads = opt.max_threads;
  /* The vector kernels are the best candidates: when one computes this
   * shape at this ISA it has chosen its microkernel, packed the weights and
   * built its indirection table, and the table below is not needed. */
  if (opt.algo == QVK_CONV_ALGO_AUTO && opt.isa != QVK_ISA_SCALAR &&
      (op->simd = qvk_qu8_conv_simd_create (s, q, weights, bias, opt.isa)) != NULL)
    {
      snprintf (op->name, sizeof op->name, "%s%s", qvk_qu8_conv_simd_name (op->simd),
                q->dequant_scale != NULL ? " f32 out" : "");
      snprintf (op->reason, sizeof op->reason, "%s%s", qvk_qu8_conv_simd_reason (op->simd),
                q->dequant_scale != NULL ? "; the model's output, written in float from "
                                           "the int32 accumulators" : "");
      return op;
    }
  op->kernel = choose (s, opt.isa, opt.algo, op->name, sizeof op->name,
                       op->reason, sizeof op->reason);
  if (op->kernel == NULL)
    goto fail;
  if (q->dequant_scale != NULL)
    {
      /* the name says so: the layer tables show which layer skips the
       * last rounding */
      strncat (op->name, " f32 out", sizeof op->name - strlen (op->name) - 1);
      if (opt.algo == QVK_CONV_ALGO_AUTO)
        snprintf (op->reason, sizeof op->reason, "model output written in float from the "
                  "int32 accumulators; no vector kernel has a float epilogue for this shape "
                  "and activation");
      op->dequant_scale = malloc ((size_t) s->out_c * sizeof (float));
      if (op->dequant_scale == NULL)
        goto fail;
      memcpy (op->dequant_scale, q->dequant_scale, (size_t) s->out_c * sizeof (float));
    }

  op->requant_scale = malloc ((size_t) s->out_c * sizeof (float));
  op->packed_size = op->kernel->packed_size (s);
  op->packed = malloc (op->packed_size ? op->packed_size : 1);
  op->bias = calloc ((size_t) s->out_c, sizeof (int32_t));
  if (op->requant_scale == NULL || op->packed == NULL || op->bias == NULL)
    goto fail;
  memcpy (op->requant_scale, q->requant_scale, (size_t) s->out_c * sizeof (float));
  op->params = *q;
  op->params.requant_scale = op->requant_scale;
  op->params.dequant_scale = op->dequant_scale;
  if (q->lut != NULL)
    {
      memcpy (op->lut, q->lut, sizeof op->lut);
      op->params.lut = op->lut;
    }
  op->kernel->pack (s, q, weights, bias, op->packed, op->bias);

  op->scratch_size = op->kernel->scratch_size (s);
  if (op->scratch_size > 0)
    {
      op->scratch_size = align_up (op->scratch_size);
      op->scratch = aligned_alloc (SCRATCH_ALIGN, op->scratch_size * op->max_threads);
      if (op->scratch == NULL)
        goto fail;
    }
  return op;

fail:
  qvk_qu8_conv_destroy (op);
  return NULL;
}

void
qvk_qu8_conv_run (const qvk_qu8_conv_op *op, const uint8_t *input,
                  uint8_t *output, int thread_id, int n_threads)
{
  if (op == NULL || n_threads < 1 || thread_id < 0 || thread_id >= n_threads)
    return;
  if (op->simd != NULL)
    {
      qvk_qu8_conv_simd_run (op->simd, input, output, thread_id, n_threads);
      return;
    }
  if (op->scratch_size > 0)
    qvk_conv_check_scratch_thread ("int8", thread_id, op->max_threads);

  int row_begin, row_end;
  qvk_conv_thread_rows (&op->shape, thread_id, n_threads, &row_begin, &row_end);
  if (row_begin < row_end)
    qvk_qu8_conv_run_rows (op, input, output, (size_t) row_begin, (size_t) row_end,
                           thread_id);
}

void
qvk_qu8_conv_run_rows (const qvk_qu8_conv_op *op, const uint8_t *input,
                       uint8_t *output, size_t row_begin, size_t row_end, int thread_id)
{
  if (op == NULL || thread_id < 0 || row_begin >= row_end ||
      row_end > (size_t) op->shape.batch * op->shape.out_h)
    return;
  if (op->simd != NULL)
    {
      qvk_qu8_conv_simd_run_rows (op->simd, input, output, row_begin, row_end, 0, 1);
      return;
    }
  if (op->scratch_size > 0)
    qvk_conv_check_scratch_thread ("int8", thread_id, op->max_threads);
  op->kernel->run (op, input, output,
                   op->scratch != NULL ? op->scratch + (size_t) thread_id * op->scratch_size
                                       : NULL,
                   (int) row_begin, (int) row_end);
}

const char *
qvk_qu8_conv_kernel_name (const qvk_qu8_conv_op *op)
{
  return op != NULL ? op->name : NULL;
}

const char *
qvk_qu8_conv_reason (const qvk_qu8_conv_op *op)
{
  return op != NULL ? op->reason : NULL;
}

size_t
qvk_qu8_conv_packed_bytes (const qvk_qu8_conv_op *op)
{
  if (op == NULL)
    return 0;
  if (op->simd != NULL)
    return qvk_qu8_conv_simd_packed_bytes (op->simd);
  return op->packed_size
         + (size_t) op->shape.out_c * (sizeof (int32_t) + sizeof (float));
}

void
qvk_qu8_conv_destroy (qvk_qu8_conv_op *op)
{
  if (op == NULL)
    return;
  qvk_qu8_conv_simd_destroy (op->simd);
  free (op->requant_scale);
  free (op->dequant_scale);
  free (op->packed);
  free (op->bias);
  free (op->scratch);
  free (op);
}
