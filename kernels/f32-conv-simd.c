/* f32-conv-simd.c: float convolution through the vector microkernels
 * (qvk-conv-simd.h).  Compiled without ISA flags: the kernels are reached
 * through the tables generated from the lists in qvk-ukernels.h, and only
 * the one the ISA allows is ever called.
 */
#include "qvk-conv-simd.h"
#include "qvk-conv-simd-private.h"
#include "qvk-f32.h"
#include "qvk-ukernels.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  qvk_simd_entry id;        /* first: the chooser reads it */
  qvk_f32_dwconv_ukernel_fn fn;
  int channel_tile;
} dw_entry;

typedef struct {
  qvk_simd_entry id;        /* first: the chooser reads it */
  qvk_f32_gemm_ukernel_fn gemm;
  qvk_f32_igemm_ukernel_fn igemm;
  int mr;
} gemm_entry;

#define DW_ENTRY(name, isa, ct) { { #name, isa, 0 }, name, ct },
static const dw_entry dw_kernels[] = { QVK_F32_DWCONV_UKERNELS (DW_ENTRY) };
#define GEMM_ENTRY(gemm, igemm, isa, mr, nr) { { #gemm, isa, nr }, gemm, igemm, mr },
static const gemm_entry gemm_kernels[] = { QVK_F32_GEMM_UKERNELS (GEMM_ENTRY) };

#ifdef QVK_F32_CONVROWS_UKERNELS
typedef struct {
  qvk_simd_entry id;        /* first: the chooser reads it */
  qvk_f32_convrows_ukernel_fn fn;
  int mr;
} rows_entry;
#define ROWS_ENTRY(name, isa, mr, nr) { { #name, isa, nr }, name, mr },
static const rows_entry rows_kernels[] = { QVK_F32_CONVROWS_UKERNELS (ROWS_ENTRY) };

/* The kernel-rows kernel for a shape that fits them, or NULL: the one
 * named when forced names one, none when forced names another kernel,
 * else the widest-ISA one allowed. */
static const rows_entry *
choose_rows (const qvk_conv_shape *s, qvk_isa isa, const char *forced)
{
  if (!qvk_simd_rows_fit (s))
    return NULL;
  for (size_t i = 0; i < sizeof rows_kernels / sizeof rows_kernels[0]; i++)
    if (forced != NULL ? strcmp (forced, rows_kernels[i].id.name) == 0
                       : rows_kernels[i].id.isa <= isa)
      return &rows_kernels[i];
  return NULL;
}
#endif

#define N_DW (sizeof dw_kernels / sizeof dw_kernels[0])
#define N_GEMM (sizeof gemm_kernels / sizeof gemm_kernels[0])

/* The highest level at which float kernels could differ from the one below. */
static qvk_isa
qvk_f32_isa_ceiling (qvk_isa isa)
{
#if defined(__aarch64__)
  return isa > QVK_ISA_NEON ? QVK_ISA_NEON : isa;
#else
  return isa == QVK_ISA_AVX512VNNI ? QVK_ISA_AVX512 : isa;
#endif
}

struct qvk_f32_conv_simd {
  qvk_conv_shape s;
  int method;
  qvk_isa isa;
  const dw_entry *dw;
  const gemm_entry *gemm;
#ifdef QVK_F32_CONVROWS_UKERNELS
  const rows_entry *rows;   /* QVK_SIMD_ROWS */
#endif
  float *packed;
  size_t packed_floats;
  size_t cpad;              /* dwconv: padded channels, the tap row stride */
  size_t tile_floats;       /* GEMM: packed floats per column tile */
  qvk_indirection ind;
  qvk_indirection_resolve_fn resolve;
  float *zero;
  qvk_f32_act_params act;
  int activate_after;       /* an activation the epilogue cannot fuse */
  char name[96];
  char reason[160];
};

static qvk_f32_conv_simd *
create (const qvk_conv_shape *s, const float *weights, const float *bias,
        qvk_isa isa, const char *forced)
{
  qvk_f32_conv_simd *op;
  int method = qvk_simd_method_for (s);
  size_t zero_floats;
  char tile[16];

  if (s == NULL || weights == NULL || method < 0 || isa == QVK_ISA_SCALAR)
    return NULL;
#ifdef QVK_F32_CONVROWS_UKERNELS
  const rows_entry *rows = method == QVK_SIMD_IGEMM ? choose_rows (s, isa, forced) : NULL;
  if (rows != NULL)
    method = QVK_SIMD_ROWS;
#endif
  if (method == QVK_SIMD_IGEMM && qvk_simd_patch_fits (s))
    method = QVK_SIMD_PATCH;
  op = calloc (1, sizeof *op);
  if (op == NULL)
    return NULL;
  op->s = *s;
  op->method = method;
  op->activate_after = !qvk_f32_act_params_init (&op->act, &s->act);

#ifdef QVK_F32_CONVROWS_UKERNELS
  if (method == QVK_SIMD_ROWS)
    {
      /* kernel_h taps of a kernel row of kernel_w * in_c values, as the
       * int8 twin packs them */
      const int row_c = s->kernel_w * s->in_c;

      op->rows = rows;
      op->isa = rows->id.isa;
      op->packed_floats = qvk_f32_gemm_packed_floats (s->out_c, row_c, s->kernel_h, 1,
                                                      rows->id.nr);
      op->packed = aligned_alloc (64, qvk_round_up (op->packed_floats * sizeof (float), 64));
      /* the zero row: padding rows read it in place of an input row */
      op->zero = calloc ((size_t) s->in_w * s->in_c + 64, sizeof (float));
      if (op->packed == NULL || op->zero == NULL)
        goto fail;
      qvk_f32_gemm_pack (s->out_c, row_c, s->kernel_h, 1, rows->id.nr, weights, bias,
                         op->packed);
      snprintf (tile, sizeof tile, "%dx%d", rows->mr, rows->id.nr);
    }
  else
#endif
  if (method == QVK_SIMD_DWCONV)
    {
      op->dw = qvk_simd_choose (dw_kernels, N_DW, sizeof dw_kernels[0], isa, s->out_c,
                                forced);
      if (op->dw == NULL || op->dw->id.isa > isa)
        goto fail;
      op->isa = op->dw->id.isa;
      op->cpad = qvk_round_up ((size_t) s->out_c, 16);
      op->packed_floats = qvk_f32_dwconv_packed_floats (s->out_c, s->kernel_h,
                                                        s->kernel_w);
      op->packed = aligned_alloc (64, qvk_round_up (op->packed_floats * sizeof (float), 64));
      if (op->packed == NULL)
        goto fail;
      qvk_f32_dwconv_pack (s->out_c, s->kernel_h, s->kernel_w, weights, bias,
                           op->packed);
      snprintf (tile, sizeof tile, "%dc", op->dw->channel_tile);
      zero_floats = op->cpad + 64;
    }
  else
    {
      op->gemm = qvk_simd_choose (gemm_kernels, N_GEMM, sizeof gemm_kernels[0], isa,
                                  s->out_c, forced);
      if (op->gemm == NULL || op->gemm->id.isa > isa)
        goto fail;
      /* A patch is one row of K = kh * kw * in_c values, in the order of
       * the OHWI weights: packed as a 1x1 convolution of K channels. */
      const int patch = method == QVK_SIMD_PATCH;
      const int in_c = patch ? s->kernel_h * s->kernel_w * s->in_c : s->in_c;
      const int kh = patch ? 1 : s->kernel_h, kw = patch ? 1 : s->kernel_w;

      op->isa = op->gemm->id.isa;
      op->tile_floats = (size_t) op->gemm->id.nr
                        * (1 + (size_t) s->kernel_h * s->kernel_w * s->in_c);
      op->packed_floats = qvk_f32_gemm_packed_floats (s->out_c, in_c, kh, kw,
                                                      op->gemm->id.nr);
      op->packed = aligned_alloc (64, qvk_round_up (op->packed_floats * sizeof (float), 64));
      if (op->packed == NULL)
        goto fail;
      qvk_f32_gemm_pack (s->out_c, in_c, kh, kw, op->gemm->id.nr, weights, bias, op->packed);
      snprintf (tile, sizeof tile, "%dx%d", op->gemm->mr, op->gemm->id.nr);
      zero_floats = (size_t) s->in_c + 64;
    }

  if (method != QVK_SIMD_GEMM && method != QVK_SIMD_PATCH && method != QVK_SIMD_ROWS)
    {
      if (!qvk_indirection_init (&op->ind, s, 0))
        goto fail;
      op->resolve = qvk_indirection_resolver (op->isa);
      op->zero = calloc (zero_floats, sizeof (float));
      if (op->zero == NULL)
        goto fail;
    }

  qvk_simd_describe ("f32", s, method, tile, op->isa, op->name, sizeof op->name);
  qvk_simd_reason (s, method, op->reason, sizeof op->reason);
  /* Float has no int8 levels (VNNI, dot product): at those its best
   * kernels are those of the level below. */
  if (op->isa < qvk_f32_isa_ceiling (isa))
    qvk_simd_reason_lower_isa (op->reason, sizeof op->reason, op->isa, isa);
  return op;

fail:
  qvk_f32_conv_simd_destroy (op);
  return NULL;
}

qvk_f32_conv_simd *
qvk_f32_conv_simd_create (const qvk_conv_shape *s, const float *weights,
                          const float *bias, qvk_isa isa)
{
  return create (s, weights, bias, isa, NULL);
}

qvk_f32_conv_simd *
qvk_f32_conv_simd_create_forced (const qvk_conv_shape *s, const float *weights,
                                 const float *bias, const char *ukernel)
{
  return ukernel != NULL ? create (s, weights, bias, qvk_isa_detect (), ukernel)
                         : NULL;
}

/* Applies an activation the epilogue could not fuse to rows x cols values
 * whose rows are stride apart. */
static void
activate_after (const qvk_f32_conv_simd *op, float *out, size_t rows,
                size_t cols, size_t stride)
{
  for (size_t r = 0; r < rows; r++)
    qvk_f32_activation__scalar (&op->s.act, out + r * stride, out + r * stride,
                                0, cols);
}

static void
run_dwconv (const qvk_f32_conv_simd *op, const float *input, float *output,
            size_t r0, size_t r1, int thread_id, int n_threads)
{
  const qvk_conv_shape *s = &op->s;
  const size_t rows = r1 - r0;
  const size_t c_n = (size_t) s->out_c;
  const size_t tiles = (c_n + 15) / 16;
  const size_t chunks = qvk_simd_chunks (rows, tiles, n_threads);
  const size_t chunk_c = (tiles + chunks - 1) / chunks * 16;
  size_t begin, end;

  qvk_simd_split (rows * chunks, thread_id, n_threads, &begin, &end);
  for (size_t item = begin; item < end; item++)
    {
      const size_t row = r0 + item / chunks;
      const size_t c0 = item % chunks * chunk_c;
      const size_t c1 = c0 + chunk_c < c_n ? c0 + chunk_c : c_n;
      float *out = output + row * s->out_w * c_n + c0;

      if (c0 >= c1)
        continue;
      op->dw->fn (c1 - c0, (size_t) s->out_w, op->ind.taps, (size_t) s->kernel_w,
                  (size_t) s->stride_w, (size_t) s->dilation_w,
                  op->ind.offsets + row * op->ind.row_len, op->ind.pixel_step, input + c0,
                  op->zero, op->packed + c0, op->cpad, out, c_n, &op->act);
      if (op->activate_after)
        activate_after (op, out, (size_t) s->out_w, c1 - c0, c_n);
    }
}

static void
run_gemm (const qvk_f32_conv_simd *op, const float *input, float *output,
          size_t r0, size_t r1, int thread_id, int n_threads)
{
  const qvk_conv_shape *s = &op->s;
  const size_t mr = (size_t) op->gemm->mr, nr = (size_t) op->gemm->id.nr;
  const size_t n_n = (size_t) s->out_c;
  const size_t n_tiles = (n_n + nr - 1) / nr;
  /* Indirect GEMM blocks stay within one output row so that a block's
   * pixels are pixel_step apart in the table. */
  const size_t rows = r1 - r0;
  const size_t per_row = op->method == QVK_SIMD_IGEMM
                         ? ((size_t) s->out_w + mr - 1) / mr : 0;
  /* the window's pixels [m_first, m_n) */
  const size_t m_first = r0 * s->out_w, m_n = r1 * s->out_w;
  const size_t blocks = op->method == QVK_SIMD_IGEMM ? rows * per_row
                                                     : (m_n - m_first + mr - 1) / mr;
  const size_t chunks = qvk_simd_chunks (blocks, n_tiles, n_threads);
  const size_t chunk_tiles = (n_tiles + chunks - 1) / chunks;
  /* indirect GEMM: a segment of pixels of one output row, resolved */
  const size_t seg_pixels = mr * (1 + 64 / mr);
  const size_t seg_entries = op->method == QVK_SIMD_IGEMM
                             ? (seg_pixels - 1) * op->ind.pixel_step + op->ind.taps : 1;
  const float *resolved[seg_entries];
  size_t seg_row = SIZE_MAX, seg_x0 = 0, seg_n = 0;
  size_t begin, end;

  qvk_simd_split (blocks * chunks, thread_id, n_threads, &begin, &end);
  for (size_t item = begin; item < end; item++)
    {
      const size_t block = item / chunks;
      const size_t t0 = item % chunks * chunk_tiles;
      const size_t n0 = t0 * nr;
      const size_t n1 = n0 + chunk_tiles * nr < n_n ? n0 + chunk_tiles * nr : n_n;
      const float *w = op->packed + t0 * op->tile_floats;
      size_t m0, m_rows;

      if (n0 >= n1)
        continue;
      if (op->method == QVK_SIMD_GEMM)
        {
          m0 = m_first + block * mr;
          m_rows = m_n - m0 < mr ? m_n - m0 : mr;
          op->gemm->gemm (m_rows, n1 - n0, (size_t) s->in_c,
                          input + m0 * s->in_c, (size_t) s->in_c, w,
                          output + m0 * n_n + n0, n_n, &op->act);
        }
      else
        {
          const size_t row = r0 + block / per_row;
          const size_t x0 = block % per_row * mr;

          m0 = row * s->out_w + x0;
          m_rows = (size_t) s->out_w - x0 < mr ? (size_t) s->out_w - x0 : mr;
          if (row != seg_row || x0 < seg_x0 || x0 + m_rows > seg_x0 + seg_n)
            {
              /* resolve the table for the next pixels of this row once,
               * for every block and column chunk that reads them */
              const int32_t *o = op->ind.offsets + row * op->ind.row_len
                                 + x0 * op->ind.pixel_step;
              seg_row = row;
              seg_x0 = x0;
              seg_n = (size_t) s->out_w - x0 < seg_pixels ? (size_t) s->out_w - x0
                                                          : seg_pixels;
              op->resolve ((seg_n - 1) * op->ind.pixel_step + op->ind.taps, o,
                           input, op->zero, sizeof (float), (const void **) resolved);
            }
          op->gemm->igemm (m_rows, n1 - n0, (size_t) s->in_c, op->ind.taps,
                           resolved + (x0 - seg_x0) * op->ind.pixel_step,
                           op->ind.pixel_step, w, output + m0 * n_n + n0, n_n,
                           &op->act);
        }
      if (op->activate_after)
        activate_after (op, output + m0 * n_n + n0, m_rows, n1 - n0, n_n);
    }
}

/* Few input channels: each output pixel's patch copied into one row of
 * K = kh * kw * in_c floats, then the GEMM kernel on those rows. */
static void
run_patch (const qvk_f32_conv_simd *op, const float *input, float *output,
           size_t r0, size_t r1, int thread_id, int n_threads)
{
  const qvk_conv_shape *s = &op->s;
  const size_t k = (size_t) s->kernel_h * s->kernel_w * s->in_c;
  const size_t mr = (size_t) op->gemm->mr, n_n = (size_t) s->out_c;
  const size_t rows = r1 - r0;
  const size_t segs = ((size_t) s->out_w + QVK_PATCH_PIXELS - 1) / QVK_PATCH_PIXELS;
  float patches[QVK_PATCH_PIXELS * 64 + QVK_PATCH_SLACK / sizeof (float)];
  size_t begin, end;

  qvk_simd_split (rows * segs, thread_id, n_threads, &begin, &end);
  for (size_t item = begin; item < end; item++)
    {
      const size_t row = r0 + item / segs, x0 = item % segs * QVK_PATCH_PIXELS;
      const size_t n = (size_t) s->out_w - x0 < QVK_PATCH_PIXELS ? (size_t) s->out_w - x0
                                                                 : QVK_PATCH_PIXELS;
      float *out = output + (row * s->out_w + x0) * n_n;

      /* 64-byte copies: a row of kernel_w * in_c floats fits in one when
       * it has at most 16; the padding is 0.0f, all zero bytes */
      qvk_simd_build_patches (s, sizeof (float), 64, 0, input, row, x0, n, patches,
                              k * sizeof (float));
      for (size_t m0 = 0; m0 < n; m0 += mr)
        op->gemm->gemm (n - m0 < mr ? n - m0 : mr, n_n, k, patches + m0 * k, k,
                        op->packed, out + m0 * n_n, n_n, &op->act);
      if (op->activate_after)
        activate_after (op, out, n, n_n, n_n);
    }
}

#ifdef QVK_F32_CONVROWS_UKERNELS
/* QVK_SIMD_ROWS, as the int8 twin runs it (qu8-conv-simd.c): the pixels
 * inside the image on the input in place, those at the borders one at a
 * time on rows put together, the padding as 0.0f. */
static void
run_convrows (const qvk_f32_conv_simd *op, const float *input, float *output,
              size_t r0, size_t r1, int thread_id, int n_threads)
{
  const qvk_conv_shape *s = &op->s;
  const size_t kh = (size_t) s->kernel_h, row_c = (size_t) s->kernel_w * s->in_c;
  const size_t n_n = (size_t) s->out_c, step = (size_t) s->stride_w * s->in_c;
  const size_t segs = ((size_t) s->out_w + QVK_PATCH_PIXELS - 1) / QVK_PATCH_PIXELS;
  const float *rows[QVK_ROWS_MAX_KH];
  _Alignas (64) unsigned char border[QVK_ROWS_MAX_KH][64];
  qvk_rows_segment seg;
  size_t begin, end;

  qvk_simd_split ((r1 - r0) * segs, thread_id, n_threads, &begin, &end);
  for (size_t item = begin; item < end; item++)
    {
      const size_t row = r0 + item / segs, x0 = item % segs * QVK_PATCH_PIXELS;
      const size_t n = (size_t) s->out_w - x0 < QVK_PATCH_PIXELS ? (size_t) s->out_w - x0
                                                                 : QVK_PATCH_PIXELS;
      float *out = output + (row * s->out_w + x0) * n_n;

      qvk_simd_rows_segment (s, sizeof (float), row_c * sizeof (float), input, op->zero, row,
                             x0, n, &seg);
      for (size_t i = 0; i < n; i++)
        {
          const size_t run = i == seg.lo && seg.lo < seg.hi ? seg.hi - seg.lo : 1;
          qvk_simd_rows_of (s, sizeof (float), 0, &seg, x0, i, border, (const void **) rows);
          op->rows->fn (run, n_n, row_c, kh, rows, step, op->packed, out + i * n_n, n_n,
                        &op->act);
          i += run - 1;
        }
      if (op->activate_after)
        activate_after (op, out, n, n_n, n_n);
    }
}
#endif

void
qvk_f32_conv_simd_run_rows (const qvk_f32_conv_simd *op, const float *input,
                            float *output, size_t row_begin, size_t row_end,
                            int thread_id, int n_threads)
{
  if (op == NULL || n_threads < 1 || thread_id < 0 || thread_id >= n_threads ||
      row_end > (size_t) op->s.batch * op->s.out_h || row_begin >= row_end)
    return;
  if (op->method == QVK_SIMD_DWCONV)
    run_dwconv (op, input, output, row_begin, row_end, thread_id, n_threads);
  else if (op->method == QVK_SIMD_PATCH)
    run_patch (op, input, output, row_begin, row_end, thread_id, n_threads);
#ifdef QVK_F32_CONVROWS_UKERNELS
  else if (op->method == QVK_SIMD_ROWS)
    run_convrows (op, input, output, row_begin, row_end, thread_id, n_threads);
#endif
  else
    run_gemm (op, input, output, row_begin, row_end, thread_id, n_threads);
}

void
qvk_f32_conv_simd_run (const qvk_f32_conv_simd *op, const float *input,
                       float *output, int thread_id, int n_threads)
{
  if (op != NULL)
    qvk_f32_conv_simd_run_rows (op, input, output, 0, (size_t) op->s.batch * op->s.out_h,
                                thread_id, n_threads);
}

const char *
qvk_f32_conv_simd_name (const qvk_f32_conv_simd *op)
{
  return op != NULL ? op->name : NULL;
}

const char *
qvk_f32_conv_simd_reason (const qvk_f32_conv_simd *op)
{
  return op != NULL ? op->reason : NULL;
}

size_t
qvk_f32_conv_simd_packed_bytes (const qvk_f32_conv_simd *op)
{
  if (op == NULL)
    return 0;
  return op->packed_floats * sizeof (float)
         + (size_t) op->s.batch * op->s.out_h * op->ind.row_len * sizeof (int32_t);
}

void
qvk_f32_conv_simd_destroy (qvk_f32_conv_simd *op)
{
  if (op == NULL)
    return;
  free (op->packed);
  free (op->zero);
  qvk_indirection_clear (&op->ind);
  free (op);
}
