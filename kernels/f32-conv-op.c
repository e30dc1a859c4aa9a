/* f32-conv-op.c: the float32 convolution operator (qvk-conv.h).
 *
 * create() picks one kernel from a small table of candidates for the shape,
 * the ISA and the forced algorithm, packs the weights for it once, allocates
 * per-thread scratch for max_threads threads and records the kernel's name
 * and why it was chosen.  run() then only computes: each of n_threads
 * threads takes a contiguous range of output rows (batch * out_h).  The
 * candidates are ordered best first; choose() takes the first one that
 * supports the shape and whose ISA is allowed, so faster kernels for wider
 * ISAs are added by putting their entries at the top of the table.  The
 * scalar direct kernels (depthwise and general) are always there as the
 * fallback; the im2col + GEMM kernel exists to show the slow path a
 * framework falls into, and the reference kernel is qvk_f32_conv2d__scalar.
 */
#include "qvk-conv.h"
#include "qvk-conv-op-private.h"
#include "qvk-conv-simd.h"
#include "qvk-f32.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* im2col tile: output pixels per GEMM call, and the GEMM's cache blocks
 * over the reduction (K) and output channel (N) dimensions. */
#define IM2COL_TILE_PIXELS 64
#define GEMM_BLOCK_K       256
#define GEMM_BLOCK_N       128

#define SCRATCH_ALIGN 64

typedef struct f32_conv_kernel f32_conv_kernel;

struct qvk_f32_conv_op {
  qvk_conv_shape shape;
  const f32_conv_kernel *kernel;
  qvk_f32_conv_simd *simd;        /* when a vector kernel computes it */
  float *packed;           /* layout chosen by the kernel */
  size_t packed_floats;
  float *bias;             /* [out_c], zeros when the model has none */
  float *scratch;          /* max_threads * scratch_floats */
  size_t scratch_floats;   /* per thread, rounded to SCRATCH_ALIGN */
  int max_threads;
  char name[96];
  char reason[160];
};

struct f32_conv_kernel {
  const char *method;      /* part of the name: "", "im2col+gemm", "reference" */
  qvk_isa isa;             /* lowest ISA it needs */
  qvk_conv_algo algo;      /* AUTO: a candidate for automatic choice */
  int (*supports) (const qvk_conv_shape *s);
  size_t (*packed_floats) (const qvk_conv_shape *s);
  void (*pack) (const qvk_conv_shape *s, const float *weights, float *packed);
  size_t (*scratch_floats) (const qvk_conv_shape *s);
  void (*run) (const qvk_f32_conv_op *op, const float *input, float *output,
               float *scratch, int row_begin, int row_end);
};

/* Applies the fused activation to pixels [0, n) of a tile whose rows are
 * out_c apart. */
static void
activate_pixels (const qvk_conv_shape *s, float *out, size_t n_pixels)
{
  if (s->act.kind == QVK_ACT_NONE)
    return;
  qvk_f32_activation__scalar (&s->act, out, out, 0, n_pixels * s->out_c);
}

static void
fill_bias (const qvk_f32_conv_op *op, float *out, size_t n_pixels)
{
  const int oc_n = op->shape.out_c;

  for (size_t p = 0; p < n_pixels; p++)
    memcpy (out + p * oc_n, op->bias, (size_t) oc_n * sizeof (float));
}

/* --- reference: OHWI weights as given, the scalar definition ------------ */

static void
pack_copy (const qvk_conv_shape *s, const float *weights, float *packed)
{
  memcpy (packed, weights, qvk_conv_weight_count (s) * sizeof (float));
}

static void
run_reference (const qvk_f32_conv_op *op, const float *input, float *output,
               float *scratch, int row_begin, int row_end)
{
  qvk_f32_conv2d__scalar (&op->shape, input, op->packed, op->bias, output,
                          row_begin, row_end);
}

/* --- packing shared by the direct and GEMM kernels -----------------------
 * [group][kernel_h][kernel_w][in_per_group][out_per_group]: for one input
 * value the weights of every output channel of its group are contiguous, so
 * the innermost loop runs over output channels.  Seen per group this is
 * also the K x N matrix of the GEMM with K = (ky, kx, ic). */

static void
pack_gkkio (const qvk_conv_shape *s, const float *weights, float *packed)
{
  const int ipg = qvk_conv_in_per_group (s);
  const int opg = qvk_conv_out_per_group (s);
  const int taps = s->kernel_h * s->kernel_w;

  for (int g = 0; g < s->groups; g++)
    for (int t = 0; t < taps; t++)
      for (int ic = 0; ic < ipg; ic++)
        for (int o = 0; o < opg; o++)
          {
            const int oc = g * opg + o;
            packed[(((size_t) g * taps + t) * ipg + ic) * opg + o] =
              weights[((size_t) oc * taps + t) * ipg + ic];
          }
}

/* --- scalar direct, general convolution --------------------------------- */

static void
run_direct (const qvk_f32_conv_op *op, const float *input, float *output,
            float *scratch, int row_begin, int row_end)
{
  const qvk_conv_shape *s = &op->shape;
  const int ipg = qvk_conv_in_per_group (s);
  const int opg = qvk_conv_out_per_group (s);

  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / s->out_h;
      const int oy = row % s->out_h;
      float *out_row = output + (size_t) row * s->out_w * s->out_c;

      fill_bias (op, out_row, s->out_w);
      for (int ox = 0; ox < s->out_w; ox++)
        {
          float *out = out_row + (size_t) ox * s->out_c;

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

                  const float *x = input
                    + (((size_t) n * s->in_h + iy) * s->in_w + ix) * s->in_c;
                  const int t = ky * s->kernel_w + kx;

                  for (int g = 0; g < s->groups; g++)
                    {
                      const float *w = op->packed
                        + ((size_t) g * s->kernel_h * s->kernel_w + t) * ipg * opg;
                      float *restrict acc = out + (size_t) g * opg;

                      for (int ic = 0; ic < ipg; ic++)
                        {
                          const float xv = x[g * ipg + ic];
                          const float *restrict wr = w + (size_t) ic * opg;
                          for (int o = 0; o < opg; o++)
                            acc[o] += xv * wr[o];
                        }
                    }
                }
            }
        }
      activate_pixels (s, out_row, s->out_w);
    }
}

/* --- scalar direct, depthwise (one output channel per input channel) ---- */

static void
run_depthwise (const qvk_f32_conv_op *op, const float *input, float *output,
               float *scratch, int row_begin, int row_end)
{
  const qvk_conv_shape *s = &op->shape;
  const int c_n = s->out_c;

  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / s->out_h;
      const int oy = row % s->out_h;
      float *out_row = output + (size_t) row * s->out_w * c_n;

      fill_bias (op, out_row, s->out_w);
      for (int ox = 0; ox < s->out_w; ox++)
        {
          float *restrict acc = out_row + (size_t) ox * c_n;

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

                  const float *restrict x = input
                    + (((size_t) n * s->in_h + iy) * s->in_w + ix) * c_n;
                  /* groups == channels: the packed layout is [ky][kx][c]. */
                  const float *restrict w = op->packed
                    + (size_t) (ky * s->kernel_w + kx) * c_n;
                  for (int c = 0; c < c_n; c++)
                    acc[c] += x[c] * w[c];
                }
            }
        }
      activate_pixels (s, out_row, s->out_w);
    }
}

/* Depthwise weights OHWI [c][kh][kw][1] -> [kh][kw][c]; the same as
 * pack_gkkio with one input and one output channel per group, seen with
 * the group index innermost. */
static void
pack_depthwise (const qvk_conv_shape *s, const float *weights, float *packed)
{
  const int taps = s->kernel_h * s->kernel_w;

  for (int c = 0; c < s->out_c; c++)
    for (int t = 0; t < taps; t++)
      packed[(size_t) t * s->out_c + c] = weights[(size_t) c * taps + t];
}

/* --- im2col + GEMM ------------------------------------------------------- */

static size_t
im2col_k (const qvk_conv_shape *s)
{
  return (size_t) s->kernel_h * s->kernel_w * qvk_conv_in_per_group (s);
}

static size_t
im2col_scratch_floats (const qvk_conv_shape *s)
{
  return IM2COL_TILE_PIXELS * im2col_k (s);
}

/* C[m][n] += A[m][k] B[k][n] with C's rows ldc apart; blocked over N and K
 * so that a block of B stays in cache while every row of A uses it. */
static void
gemm_accumulate (int m_n, size_t k_n, int n_n, const float *a, const float *b,
                 float *c, size_t ldc)
{
  for (int n0 = 0; n0 < n_n; n0 += GEMM_BLOCK_N)
    {
      const int n1 = n0 + GEMM_BLOCK_N < n_n ? n0 + GEMM_BLOCK_N : n_n;

      for (size_t k0 = 0; k0 < k_n; k0 += GEMM_BLOCK_K)
        {
          const size_t k1 = k0 + GEMM_BLOCK_K < k_n ? k0 + GEMM_BLOCK_K : k_n;

          for (int m = 0; m < m_n; m++)
            {
              float *restrict cr = c + (size_t) m * ldc;
              const float *ar = a + (size_t) m * k_n;

              for (size_t k = k0; k < k1; k++)
                {
                  const float av = ar[k];
                  const float *restrict br = b + k * n_n;
                  for (int n = n0; n < n1; n++)
                    cr[n] += av * br[n];
                }
            }
        }
    }
}

static void
run_im2col (const qvk_f32_conv_op *op, const float *input, float *output,
            float *scratch, int row_begin, int row_end)
{
  const qvk_conv_shape *s = &op->shape;
  const int opg = qvk_conv_out_per_group (s);
  const size_t k_n = im2col_k (s);
  const size_t first = (size_t) row_begin * s->out_w;
  const size_t last = (size_t) row_end * s->out_w;

  for (size_t p0 = first; p0 < last; p0 += IM2COL_TILE_PIXELS)
    {
      const int tile = (int) (last - p0 < IM2COL_TILE_PIXELS ? last - p0
                                                             : IM2COL_TILE_PIXELS);
      float *out = output + p0 * s->out_c;

      fill_bias (op, out, tile);
      for (int g = 0; g < s->groups; g++)
        {
          qvk_conv_im2col (s, sizeof (float), 0, input, g, p0, tile, scratch);
          gemm_accumulate (tile, k_n, opg, scratch,
                           op->packed + (size_t) g * k_n * opg,
                           out + (size_t) g * opg, s->out_c);
        }
      activate_pixels (s, out, tile);
    }
}

/* --- the table ------------------------------------------------------------
 * Best first.  Entries for vector ISAs go above the scalar ones. */

static const f32_conv_kernel f32_conv_kernels[] = {
  { "", QVK_ISA_SCALAR, QVK_CONV_ALGO_AUTO, qvk_conv_supports_depthwise,
    qvk_conv_weight_count, pack_depthwise, qvk_conv_no_scratch, run_depthwise },
  { "", QVK_ISA_SCALAR, QVK_CONV_ALGO_AUTO, qvk_conv_supports_any,
    qvk_conv_weight_count, pack_gkkio, qvk_conv_no_scratch, run_direct },
  { "im2col+gemm", QVK_ISA_SCALAR, QVK_CONV_ALGO_IM2COL, qvk_conv_supports_any,
    qvk_conv_weight_count, pack_gkkio, im2col_scratch_floats, run_im2col },
  { "reference", QVK_ISA_SCALAR, QVK_CONV_ALGO_REFERENCE, qvk_conv_supports_any,
    qvk_conv_weight_count, pack_copy, qvk_conv_no_scratch, run_reference },
};

/* Picks the kernel and writes the operator's name and reason strings. */
static const f32_conv_kernel *
choose (const qvk_conv_shape *s, qvk_isa isa, qvk_conv_algo algo,
        char *name, size_t name_size, char *reason, size_t reason_size)
{
  const size_t n_kernels = sizeof f32_conv_kernels / sizeof f32_conv_kernels[0];

  for (size_t i = 0; i < n_kernels; i++)
    {
      const f32_conv_kernel *k = &f32_conv_kernels[i];
      if (k->algo == algo && k->isa <= isa && k->supports (s))
        {
          qvk_conv_describe_choice ("f32", s, k->method, k->isa, isa, algo,
                                    name, name_size, reason, reason_size);
          return k;
        }
    }
  return NULL;
}

qvk_f32_conv_op *
qvk_f32_conv_create (const qvk_conv_shape *s, const float *weights,
                     const float *bias, const qvk_conv_options *options)
{
  qvk_conv_options opt;
  qvk_f32_conv_op *op;

  if (s == NULL || weights == NULL || !qvk_conv_shape_is_valid (s))
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
      (op->simd = qvk_f32_conv_simd_create (s, weights, bias, opt.isa)) != NULL)
    {
      snprintf (op->name, sizeof op->name, "%s", qvk_f32_conv_simd_name (op->simd));
      snprintf (op->reason, sizeof op->reason, "%s", qvk_f32_conv_simd_reason (op->simd));
      return op;
    }
  op->kernel = choose (s, opt.isa, opt.algo, op->name, sizeof op->name,
                       op->reason, sizeof op->reason);
  if (op->kernel == NULL)
    goto fail;

  op->packed_floats = op->kernel->packed_floats (s);
  op->packed = malloc ((op->packed_floats ? op->packed_floats : 1) * sizeof (float));
  op->bias = calloc ((size_t) s->out_c, sizeof (float));
  if (op->packed == NULL || op->bias == NULL)
    goto fail;
  op->kernel->pack (s, weights, op->packed);
  if (bias != NULL)
    memcpy (op->bias, bias, (size_t) s->out_c * sizeof (float));

  op->scratch_floats = op->kernel->scratch_floats (s);
  if (op->scratch_floats > 0)
    {
      const size_t per_align = SCRATCH_ALIGN / sizeof (float);
      op->scratch_floats = (op->scratch_floats + per_align - 1) / per_align * per_align;
      op->scratch = aligned_alloc (SCRATCH_ALIGN, op->scratch_floats * op->max_threads
                                                  * sizeof (float));
      if (op->scratch == NULL)
        goto fail;
    }
  return op;

fail:
  qvk_f32_conv_destroy (op);
  return NULL;
}

void
qvk_f32_conv_run (const qvk_f32_conv_op *op, const float *input,
                  float *output, int thread_id, int n_threads)
{
  if (op == NULL || n_threads < 1 || thread_id < 0 || thread_id >= n_threads)
    return;
  if (op->simd != NULL)
    {
      qvk_f32_conv_simd_run (op->simd, input, output, thread_id, n_threads);
      return;
    }
  if (op->scratch_floats > 0)
    qvk_conv_check_scratch_thread ("f32", thread_id, op->max_threads);

  int row_begin, row_end;
  qvk_conv_thread_rows (&op->shape, thread_id, n_threads, &row_begin, &row_end);
  if (row_begin < row_end)
    qvk_f32_conv_run_rows (op, input, output, (size_t) row_begin, (size_t) row_end,
                           thread_id);
}

void
qvk_f32_conv_run_rows (const qvk_f32_conv_op *op, const float *input, float *output,
                       size_t row_begin, size_t row_end, int thread_id)
{
  if (op == NULL || thread_id < 0 || row_begin >= row_end ||
      row_end > (size_t) op->shape.batch * op->shape.out_h)
    return;
  if (op->simd != NULL)
    {
      qvk_f32_conv_simd_run_rows (op->simd, input, output, row_begin, row_end, 0, 1);
      return;
    }
  if (op->scratch_floats > 0)
    qvk_conv_check_scratch_thread ("f32", thread_id, op->max_threads);
  op->kernel->run (op, input, output,
                   op->scratch != NULL ? op->scratch + (size_t) thread_id * op->scratch_floats
                                       : NULL,
                   (int) row_begin, (int) row_end);
}

const char *
qvk_f32_conv_kernel_name (const qvk_f32_conv_op *op)
{
  return op != NULL ? op->name : NULL;
}

const char *
qvk_f32_conv_reason (const qvk_f32_conv_op *op)
{
  return op != NULL ? op->reason : NULL;
}

size_t
qvk_f32_conv_packed_bytes (const qvk_f32_conv_op *op)
{
  if (op == NULL)
    return 0;
  if (op->simd != NULL)
    return qvk_f32_conv_simd_packed_bytes (op->simd);
  return (op->packed_floats + (size_t) op->shape.out_c) * sizeof (float);
}

void
qvk_f32_conv_destroy (qvk_f32_conv_op *op)
{
  if (op == NULL)
    return;
  qvk_f32_conv_simd_destroy (op->simd);
  free (op->packed);
  free (op->bias);
  free (op->scratch);
  free (op);
}
