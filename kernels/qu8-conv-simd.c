/* qu8-conv-simd.c: int8 convolution through the vector microkernels
 * (qvk-conv-simd.h).  Compiled without ISA flags: the kernels are reached
 * through the tables generated from the lists in qvk-ukernels.h, and only
 * the one the ISA allows is ever called.  The packed weights carry the
 * zero-point-corrected bias and the per-channel requantization scales; the
 * zero row is filled with the input zero point, so padding taps cancel
 * against that correction exactly.
 */
#include "qvk-conv-simd.h"
#include "qvk-conv-simd-private.h"
#include "qvk-elementwise.h"
#include "qvk-ukernels.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  qvk_simd_entry id;        /* first: the chooser reads it */
  qvk_qu8_dwconv_ukernel_fn fn;
  qvk_qu8_dw_layout layout;
  qvk_qu8_dwconv_cols_ukernel_fn cols;  /* instead of fn, layout C2V */
} dw_entry;

typedef struct {
  qvk_simd_entry id;        /* first: the chooser reads it */
  qvk_qu8_gemm_ukernel_fn gemm;
  qvk_qu8_igemm_ukernel_fn igemm;
  int mr, kr;
} gemm_entry;

#define DW_ENTRY(name, isa, layout) { { #name, isa, 0 }, name, layout, NULL },
static const dw_entry dw_kernels[] = { QVK_QU8_DWCONV_UKERNELS (DW_ENTRY) };
#ifdef QVK_QU8_DWCONV_COLS_UKERNELS
#define COLS_ENTRY(name, isa, layout) { { #name, isa, 0 }, NULL, layout, name },
static const dw_entry dw_cols_kernels[] = { QVK_QU8_DWCONV_COLS_UKERNELS (COLS_ENTRY) };
#endif
#ifdef QVK_QU8_DWCONV_ROWS3_UKERNELS
static const dw_entry dw_rows3_kernels[] = { QVK_QU8_DWCONV_ROWS3_UKERNELS (DW_ENTRY) };
#endif
#ifdef QVK_QU8_DWCONV_QUAD_UKERNELS
typedef void (*quad_row_fn) (size_t, size_t, size_t, size_t, size_t, size_t, size_t,
                             const uint8_t *const *, const void *, const void *,
                             uint8_t *, size_t, const qvk_qu8_requant_minmax *);
typedef void (*quad_fill_fn) (size_t, size_t, const uint8_t *const *, size_t, size_t,
                              ptrdiff_t, size_t, size_t, uint8_t, uint8_t *);
typedef void (*quad_pair_fn) (size_t, const uint8_t *const *, size_t, size_t, ptrdiff_t,
                              size_t, const void *, const void *, uint8_t *, uint8_t *,
                              size_t, uint8_t, const qvk_qu8_requant_minmax *);
typedef struct {
  qvk_simd_entry id;
  quad_row_fn row;
  quad_fill_fn fill;
  quad_pair_fn pair, pair16;
} quad_entry;
#define QUAD_ENTRY(row, fill, pair, pair16, isa) { { #row, isa, 0 }, row, fill, pair, pair16 },
static const quad_entry quad_kernels[] = { QVK_QU8_DWCONV_QUAD_UKERNELS (QUAD_ENTRY) };
#endif
/* Row quads: output pixels per segment (the quads a thread fills cover one
 * segment's columns), and the most a thread's slots may take on its stack. */
#define QUAD_SEGMENT 64
#define QUAD_MAX_STACK (256 * 1024)

#define GEMM_ENTRY(gemm, igemm, isa, mr, nr, kr) { { #gemm, isa, nr }, gemm, igemm, mr, kr },
static const gemm_entry gemm_kernels[] = { QVK_QU8_GEMM_UKERNELS (GEMM_ENTRY) };

#ifdef QVK_QU8_CONVROWS_UKERNELS
typedef struct {
  qvk_simd_entry id;        /* first: the chooser reads it */
  qvk_qu8_convrows_ukernel_fn fn;
  int mr, kr;
} rows_entry;
#define ROWS_ENTRY(name, isa, mr, nr, kr) { { #name, isa, nr }, name, mr, kr },
static const rows_entry rows_kernels[] = { QVK_QU8_CONVROWS_UKERNELS (ROWS_ENTRY) };
#endif

#define N_DW (sizeof dw_kernels / sizeof dw_kernels[0])
#define N_GEMM (sizeof gemm_kernels / sizeof gemm_kernels[0])

struct qvk_qu8_conv_simd {
  qvk_conv_shape s;
  int method;
  qvk_isa isa;
  const dw_entry *dw;
  qvk_qu8_dw_cols cols;     /* dw->cols: the geometry of its passes */
#ifdef QVK_QU8_DWCONV_QUAD_UKERNELS
  const quad_entry *quad;   /* row quads instead of dw, when set */
#endif
  int q_step, nq;           /* row quads: see qvk_qu8_dwconv_quad_geometry */
  int pair;                 /* row quads, 3x3 at stride and dilation 1: the 64-wide
                               tiles two output rows a pass, no quads stored */
  const gemm_entry *gemm;
#ifdef QVK_QU8_CONVROWS_UKERNELS
  const rows_entry *rows;   /* QVK_SIMD_ROWS */
#endif
  uint8_t *packed;
  size_t packed_bytes;
  size_t dw_taps;           /* dwconv: taps padded for the layout */
  size_t tile_bytes;        /* GEMM: packed bytes per column tile */
  qvk_indirection ind;
  qvk_indirection_resolve_fn resolve;
  size_t tail_row_begin;    /* indirect GEMM: first output row that reads
                               within three bytes of the input's end */
  uint8_t *zero;
  qvk_qu8_requant_minmax requant;
  /* The activation table, applied to each tile right after the kernel
   * wrote it, while it is in L1 (at lut_isa). */
  int has_lut;
  qvk_isa lut_isa;
  uint8_t lut[256];
  char name[96];
  char reason[160];
};

/* The indirect GEMM kernels read every input row in whole groups of four
 * bytes.  Rows that start within that distance of the input's end are few
 * and near the last output rows; this finds the first output row whose
 * table has one, so that only those rows pay for the check. */
static size_t
tail_row_begin (const qvk_qu8_conv_simd *op)
{
  const qvk_conv_shape *s = &op->s;
  const size_t rows = (size_t) s->batch * s->out_h;
  const size_t kc4 = qvk_round_up ((size_t) s->in_c, 4);
  const size_t input_n = (size_t) s->batch * s->in_h * s->in_w * s->in_c;

  for (size_t row = 0; row < rows; row++)
    for (size_t e = 0; e < op->ind.row_len; e++)
      {
        const int32_t off = op->ind.offsets[row * op->ind.row_len + e];
        if (off >= 0 && (size_t) off + kc4 > input_n)
          return row;
      }
  return rows;
}

#ifdef QVK_QU8_DWCONV_QUAD_UKERNELS
/* Row quads: columns of a segment's quads, and slots per thread (a row
 * reads nq quads; as many again keep those the next rows share). */
static size_t
quad_cols (const qvk_conv_shape *s)
{
  /* stored by class at dilation d, a quad of n columns takes up to
   * d * ceil (n / d) places */
  return (size_t) (QUAD_SEGMENT - 1) * s->stride_w
         + (size_t) (s->kernel_w - 1) * s->dilation_w + 1 + (size_t) (s->dilation_w - 1);
}

static size_t
quad_slots (int nq)
{
  return 2 * (size_t) nq;
}

/* The row-quad kernel for a depthwise shape, or NULL: kernels at least two
 * rows high (a single row would use a quarter of each quad), within the
 * stack the slots may take, and by default at stride 1, or 2 for kernels
 * five or more rows high.  At stride 2 a 3-row kernel's quad serves a
 * single output row and the grouped kernel is as fast or faster
 * (bench-kernels, dw 3x3 s2 64ch @512: 24-36 GMAC/s against 26); a 5-row
 * kernel's quad serves two (dw 5x5 s2 72ch @256: 56-63 against 42-56). */
static const quad_entry *
choose_quad (const qvk_conv_shape *s, qvk_isa isa, const char *forced)
{
  int q_step, nq;
  const int stride = s->stride_h > s->stride_w ? s->stride_h : s->stride_w;

  if (s->kernel_h < 2 ||
      (forced == NULL && stride != 1 && (stride != 2 || s->kernel_h < 5)))
    return NULL;
  qvk_qu8_dwconv_quad_geometry (s->kernel_h, &q_step, &nq);
  if (quad_slots (nq) * quad_cols (s) * 256 > QUAD_MAX_STACK)
    return NULL;
  for (size_t i = 0; i < sizeof quad_kernels / sizeof quad_kernels[0]; i++)
    if (forced != NULL ? strcmp (forced, quad_kernels[i].id.name) == 0
                       : quad_kernels[i].id.isa <= isa)
      return &quad_kernels[i];
  return NULL;
}
#endif

#ifdef QVK_QU8_CONVROWS_UKERNELS
/* The kernel-rows kernel for a shape that fits them (uint8 output), or
 * NULL: the one named when forced names one, none when forced names
 * another kernel, else the widest-ISA one allowed. */
static const rows_entry *
choose_rows (const qvk_conv_shape *s, int float_output, qvk_isa isa, const char *forced)
{
  if (!qvk_simd_rows_fit (s) || float_output)
    return NULL;
  for (size_t i = 0; i < sizeof rows_kernels / sizeof rows_kernels[0]; i++)
    if (forced != NULL ? strcmp (forced, rows_kernels[i].id.name) == 0
                       : rows_kernels[i].id.isa <= isa)
      return &rows_kernels[i];
  return NULL;
}
#endif

static qvk_qu8_conv_simd *
create (const qvk_conv_shape *s, const qvk_qu8_conv_params *q,
        const int8_t *weights, const int32_t *bias, qvk_isa isa,
        const char *forced)
{
  qvk_qu8_conv_simd *op;
  int method = qvk_simd_method_for (s);
  size_t zero_bytes;
  char tile[16];

  if (s == NULL || q == NULL || q->requant_scale == NULL || weights == NULL ||
      method < 0 || isa == QVK_ISA_SCALAR)
    return NULL;
#ifdef QVK_QU8_CONVROWS_UKERNELS
  const rows_entry *rows = method == QVK_SIMD_IGEMM
                           ? choose_rows (s, q->dequant_scale != NULL, isa, forced) : NULL;
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
  op->requant.output_zero_point = q->output_zero_point;
  op->requant.output_min = q->output_min;
  op->requant.output_max = q->output_max;
  if (q->dequant_scale != NULL)
    {
      /* Float output: the GEMM kernels' fp32 store, with a relu or clip
       * as bounds; the depthwise kernels and other activations leave it
       * to the scalar kernels. */
      const qvk_act kind = q->float_act.kind;
      if (method == QVK_SIMD_DWCONV ||
          (kind != QVK_ACT_NONE && kind != QVK_ACT_RELU && kind != QVK_ACT_CLIP))
        goto fail;
      op->requant.float_output = 1;
      op->requant.float_min = kind == QVK_ACT_NONE ? -INFINITY
                              : kind == QVK_ACT_RELU ? 0.0f : q->float_act.min;
      op->requant.float_max = kind == QVK_ACT_CLIP ? q->float_act.max : INFINITY;
    }
  if (q->lut != NULL && q->dequant_scale == NULL)
    {
      op->has_lut = 1;
      op->lut_isa = isa;
      memcpy (op->lut, q->lut, sizeof op->lut);
    }

#ifdef QVK_QU8_DWCONV_QUAD_UKERNELS
  if (method == QVK_SIMD_DWCONV &&
      (op->quad = choose_quad (s, isa, forced)) != NULL)
    {
      const qvk_qu8_dw_layout layout = QVK_QU8_DW_LAYOUT_C4Q;

      op->isa = op->quad->id.isa;
      qvk_qu8_dwconv_quad_geometry (s->kernel_h, &op->q_step, &op->nq);
      op->pair = s->kernel_h == 3 && s->kernel_w == 3 && s->stride_h == 1 && s->stride_w == 1
                 && s->dilation_h == 1 && s->dilation_w == 1;
      op->dw_taps = qvk_qu8_dwconv_taps (layout, s->kernel_h, s->kernel_w);
      op->packed_bytes = qvk_qu8_dwconv_packed_bytes (layout, s->out_c, s->kernel_h,
                                                      s->kernel_w);
      op->packed = aligned_alloc (64, qvk_round_up (op->packed_bytes, 64));
      if (op->packed == NULL)
        goto fail;
      qvk_qu8_dwconv_pack (layout, s->out_c, s->kernel_h, s->kernel_w,
                           q->input_zero_point, weights, bias, q->requant_scale,
                           op->packed);
      op->zero = malloc (1);
      if (op->zero == NULL)
        goto fail;
      op->zero[0] = (uint8_t) q->input_zero_point;
      qvk_simd_describe ("qu8", s, method, "64c4q", op->isa, op->name, sizeof op->name);
      snprintf (op->reason, sizeof op->reason,
                "depthwise, %d channels: input rows interleaved once in fours, "
                "%d of every %d multiplies used%s", s->out_c,
                s->kernel_h, 4 * op->nq,
                s->dilation_h > 1 || s->dilation_w > 1 ? ", dilation costs nothing extra"
                : op->pair ? ", two output rows a pass from each four" : "");
      if (op->isa < isa)
        qvk_simd_reason_lower_isa (op->reason, sizeof op->reason, op->isa, isa);
      return op;
    }
#endif
#ifdef QVK_QU8_CONVROWS_UKERNELS
  if (method == QVK_SIMD_ROWS)
    {
      /* A kernel row of kernel_w * in_c values is one reduction of the
       * OHWI weights, kernel_h of them: packed as kernel_h taps of it. */
      const int row_c = s->kernel_w * s->in_c;

      op->rows = rows;
      op->isa = rows->id.isa;
      op->packed_bytes = qvk_qu8_gemm_packed_bytes (s->out_c, row_c, s->kernel_h, 1,
                                                    rows->id.nr, rows->kr);
      op->packed = aligned_alloc (64, qvk_round_up (op->packed_bytes, 64));
      /* the zero row: padding rows read it in place of an input row */
      zero_bytes = (size_t) s->in_w * s->in_c + 64;
      op->zero = malloc (zero_bytes);
      if (op->packed == NULL || op->zero == NULL)
        goto fail;
      memset (op->zero, q->input_zero_point, zero_bytes);
      qvk_qu8_gemm_pack (s->out_c, row_c, s->kernel_h, 1, rows->id.nr, rows->kr,
                         qvk_qu8_gemm_pack_zero_point (op->isa, q->input_zero_point),
                         weights, bias, q->requant_scale, op->packed);
      snprintf (tile, sizeof tile, "%dx%dc%d", rows->mr, rows->id.nr, rows->kr);
    }
  else
#endif
  if (method == QVK_SIMD_DWCONV)
    {
      op->dw = qvk_simd_choose (dw_kernels, N_DW, sizeof dw_kernels[0], isa, s->out_c,
                                forced);
#ifdef QVK_QU8_DWCONV_ROWS3_UKERNELS
      /* Kernels 3 wide at stride and dilation 1 across can run the
       * row-pair kernels (layout C4R3), four input columns serving two
       * pixels, when asked for by name.  The grouped kernel, four pixels a
       * pass sharing each weight load, is now the faster one on every
       * such shape measured (bench-kernels: 3x3 64ch @256 0.52-0.56 ms
       * against 0.61-0.64 ms), so it is not chosen otherwise. */
      if (forced != NULL && s->kernel_w == 3 && s->stride_w == 1 && s->dilation_w == 1)
        for (size_t i = 0; i < sizeof dw_rows3_kernels / sizeof dw_rows3_kernels[0]; i++)
          if (strcmp (forced, dw_rows3_kernels[i].id.name) == 0)
            op->dw = &dw_rows3_kernels[i];
#endif
#ifdef QVK_QU8_DWCONV_COLS_UKERNELS
      /* Shared columns where the grouped kernel chosen is of the same
       * ISA (no VNNI) and there is more than one block of 16 channels
       * (an image of 16 ran 7-11% slower than on the grouped kernel, of
       * 32 as fast, wider ones faster), or when asked for by name, on the
       * shapes they fit. */
      if (qvk_qu8_dwconv_cols_fit (s->kernel_h, s->kernel_w, s->stride_w, s->dilation_w,
                                   &op->cols))
        for (size_t i = 0; i < sizeof dw_cols_kernels / sizeof dw_cols_kernels[0]; i++)
          if (forced != NULL ? strcmp (forced, dw_cols_kernels[i].id.name) == 0
                             : op->dw != NULL && dw_cols_kernels[i].id.isa == op->dw->id.isa
                               && s->out_c > 16)
            op->dw = &dw_cols_kernels[i];
#endif
      if (op->dw == NULL || op->dw->id.isa > isa)
        goto fail;
      op->isa = op->dw->id.isa;
      op->dw_taps = qvk_qu8_dwconv_taps (op->dw->layout, s->kernel_h, s->kernel_w);
      op->packed_bytes = qvk_qu8_dwconv_packed_bytes (op->dw->layout, s->out_c,
                                                      s->kernel_h, s->kernel_w);
      op->packed = aligned_alloc (64, qvk_round_up (op->packed_bytes, 64));
      if (op->packed == NULL)
        goto fail;
      qvk_qu8_dwconv_pack (op->dw->layout, s->out_c, s->kernel_h, s->kernel_w,
                           q->input_zero_point, weights, bias, q->requant_scale,
                           op->packed);
      snprintf (tile, sizeof tile, "%dc%d%s",
                (int) qvk_qu8_dwconv_channel_tile (op->dw->layout),
                op->dw->layout == QVK_QU8_DW_LAYOUT_C2
                || op->dw->layout == QVK_QU8_DW_LAYOUT_C2V ? 2 : 4,
                op->dw->layout == QVK_QU8_DW_LAYOUT_C4R3 ? "r3"
                : op->dw->layout == QVK_QU8_DW_LAYOUT_C2V ? "v" : "t");
      zero_bytes = qvk_round_up ((size_t) s->out_c, 64) + 64;
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
      op->packed_bytes = qvk_qu8_gemm_packed_bytes (s->out_c, in_c, kh, kw, op->gemm->id.nr,
                                                    op->gemm->kr);
      op->tile_bytes = op->packed_bytes
                       / (qvk_round_up ((size_t) s->out_c, op->gemm->id.nr) / op->gemm->id.nr);
      op->packed = aligned_alloc (64, qvk_round_up (op->packed_bytes, 64));
      if (op->packed == NULL)
        goto fail;
      qvk_qu8_gemm_pack (s->out_c, in_c, kh, kw,
                         op->gemm->id.nr, op->gemm->kr,
                         qvk_qu8_gemm_pack_zero_point (op->isa, q->input_zero_point),
                         weights, bias,
                         q->dequant_scale != NULL ? q->dequant_scale : q->requant_scale,
                         op->packed);
      snprintf (tile, sizeof tile, "%dx%dc%d", op->gemm->mr, op->gemm->id.nr,
                op->gemm->kr);
      zero_bytes = (size_t) s->in_c + 64;
    }

  if (method == QVK_SIMD_PATCH)
    {
      /* the zero point fills patches where the kernel is over the padding */
      op->zero = malloc (1);
      if (op->zero == NULL)
        goto fail;
      op->zero[0] = (uint8_t) q->input_zero_point;
    }
  else if (method != QVK_SIMD_GEMM && method != QVK_SIMD_ROWS)
    {
      const size_t tap_padding = method == QVK_SIMD_DWCONV && op->dw->cols == NULL
                                 ? op->dw_taps - (size_t) s->kernel_h * s->kernel_w : 0;
      if (!qvk_indirection_init (&op->ind, s, tap_padding))
        goto fail;
      op->resolve = qvk_indirection_resolver (op->isa);
      op->tail_row_begin = tail_row_begin (op);
      op->zero = malloc (zero_bytes);
      if (op->zero == NULL)
        goto fail;
      memset (op->zero, q->input_zero_point, zero_bytes);
    }

  qvk_simd_describe ("qu8", s, method, tile, op->isa, op->name, sizeof op->name);
  qvk_simd_reason (s, method, op->reason, sizeof op->reason);
  /* Int8 has no AVX-512 kernels without VNNI: AVX2 ones run there. */
  if (op->isa < isa)
    qvk_simd_reason_lower_isa (op->reason, sizeof op->reason, op->isa, isa);
  return op;

fail:
  qvk_qu8_conv_simd_destroy (op);
  return NULL;
}

qvk_qu8_conv_simd *
qvk_qu8_conv_simd_create (const qvk_conv_shape *s, const qvk_qu8_conv_params *q,
                          const int8_t *weights, const int32_t *bias,
                          qvk_isa isa)
{
  return create (s, q, weights, bias, isa, NULL);
}

qvk_qu8_conv_simd *
qvk_qu8_conv_simd_create_forced (const qvk_conv_shape *s,
                                 const qvk_qu8_conv_params *q,
                                 const int8_t *weights, const int32_t *bias,
                                 const char *ukernel)
{
  return ukernel != NULL ? create (s, q, weights, bias, qvk_isa_detect (), ukernel)
                         : NULL;
}

static void
run_dwconv (const qvk_qu8_conv_simd *op, const uint8_t *input, uint8_t *output,
            size_t r0, size_t r1, int thread_id, int n_threads)
{
  const qvk_conv_shape *s = &op->s;
  const size_t rows = r1 - r0;
  const size_t c_n = (size_t) s->out_c;
  const size_t ct = qvk_qu8_dwconv_channel_tile (op->dw->layout);
  const size_t tiles = (c_n + ct - 1) / ct;
  const size_t chunks = qvk_simd_chunks (rows, tiles, n_threads);
  const size_t chunk_c = (tiles + chunks - 1) / chunks * ct;
  size_t begin, end;

  qvk_simd_split (rows * chunks, thread_id, n_threads, &begin, &end);
  for (size_t item = begin; item < end; item++)
    {
      const size_t row = r0 + item / chunks;
      const size_t c0 = item % chunks * chunk_c;
      const size_t c1 = c0 + chunk_c < c_n ? c0 + chunk_c : c_n;

      if (c0 >= c1)
        continue;
      const uint8_t *packed = op->packed + qvk_qu8_dwconv_packed_offset (
          op->dw->layout, s->out_c, s->kernel_h, s->kernel_w, (int) c0);

      if (op->dw->cols != NULL)
        op->dw->cols (c1 - c0, (size_t) s->out_w, &op->cols,
                      op->ind.offsets + row * op->ind.row_len, op->ind.pixel_step,
                      input + c0, op->zero, packed,
                      output + row * s->out_w * c_n + c0, c_n, &op->requant);
      else
        op->dw->fn (c1 - c0, (size_t) s->out_w, op->ind.taps,
                    op->ind.offsets + row * op->ind.row_len, op->ind.pixel_step,
                    input + c0, op->zero, packed,
                    output + row * s->out_w * c_n + c0, c_n, &op->requant);
      if (op->has_lut)
        qvk_qu8_lut_tile (op->lut_isa, op->lut, (size_t) s->out_w, c1 - c0,
                          output + row * s->out_w * c_n + c0, c_n);
    }
}

#ifdef QVK_QU8_DWCONV_QUAD_UKERNELS
/* Tiles of layout C4Q: 64-wide ones, then at most 32 channels in 16-wide
 * ones (qvk_qu8_dwconv_pack's order); tile i's first channel, width and
 * packed bytes before it. */
static size_t
quad_tiles (size_t c_n)
{
  const size_t rem = c_n % 64;
  return c_n / 64 + (rem == 0 ? 0 : rem > 32 ? 1 : (rem + 15) / 16);
}

static void
quad_tile (const qvk_qu8_conv_simd *op, size_t i, size_t *c0, size_t *width,
           size_t *offset)
{
  const size_t c_n = (size_t) op->s.out_c, n64 = c_n % 64 > 32 ? c_n / 64 + 1 : c_n / 64;
  const size_t tb64 = 64 * 8 + 64 * op->dw_taps, tb16 = 16 * 8 + 16 * op->dw_taps;

  if (i < n64)
    {
      *c0 = 64 * i;
      *width = 64;
      *offset = i * tb64;
    }
  else
    {
      *c0 = 64 * n64 + 16 * (i - n64);
      *width = 16;
      *offset = n64 * tb64 + (i - n64) * tb16;
    }
}

typedef struct {
  int start;            /* first input row of the quad, or INT_MIN */
  size_t used;          /* when it was last read, for eviction */
  uint8_t *buf;
} quad_slot;

static ptrdiff_t
floor_div (ptrdiff_t a, ptrdiff_t b)
{
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Output rows [r0, r1) of image n, channel tiles [t0, t1): for each tile
 * and segment of pixels, the rows in the order of their dilation class
 * (rows d apart share quads), each row's nq quads taken from the slots or
 * filled into the one read longest ago. */
static void
run_quad_rows (const qvk_qu8_conv_simd *op, const uint8_t *input, uint8_t *output,
               size_t n, size_t r0, size_t r1, size_t t0, size_t t1, uint8_t *scratch)
{
  const qvk_conv_shape *s = &op->s;
  const size_t c_n = (size_t) s->out_c, cols_max = quad_cols (s);
  const size_t n_slots = quad_slots (op->nq);
  const size_t dh = (size_t) s->dilation_h, kw = (size_t) s->kernel_w;
  const size_t in_w = (size_t) s->in_w;
  const uint8_t *image = input + n * s->in_h * in_w * c_n;
  quad_slot slots[n_slots];
  size_t clock = 0;

  for (size_t i = 0; i < n_slots; i++)
    slots[i].buf = scratch + i * cols_max * 256;
  for (size_t tile = t0; tile < t1; tile++)
    {
      size_t c0, width, offset;

      quad_tile (op, tile, &c0, &width, &offset);

      const size_t channels = c_n - c0 < width ? c_n - c0 : width;
      /* at most 8 channels left: quads of 8-byte columns, two pixels a
       * vector (the packed tile stays 16 wide) */
      const size_t kwidth = width == 16 && channels <= 8 ? 8 : width;
      const uint8_t *packed = op->packed + offset;
      /* bias and scales, then per variant nq quads x kw columns */
      const uint8_t *variants = packed + width * 8;
      const size_t variant_bytes = (size_t) op->nq * kw * width * 4;

      for (size_t x0 = 0; x0 < (size_t) s->out_w; x0 += QUAD_SEGMENT)
        {
          const size_t n_px = (size_t) s->out_w - x0 < QUAD_SEGMENT
                              ? (size_t) s->out_w - x0 : QUAD_SEGMENT;
          const ptrdiff_t col0 = (ptrdiff_t) (x0 * s->stride_w) - s->pad_left;
          const size_t n_cols = (n_px - 1) * s->stride_w + (kw - 1) * s->dilation_w + 1;

          /* 3x3, stride and dilation 1: the two output rows that share a
           * quad in one pass of the pair kernel, straight from the input
           * (16-wide tiles: of images of 16 and 32 channels) */
          if (op->pair && (kwidth == 64 || (kwidth == 16 && (c_n == 16 || c_n == 32))))
            {
              for (size_t oy = r0; oy < r1; oy += 2)
                {
                  const ptrdiff_t iy0 = (ptrdiff_t) oy - s->pad_top;
                  const uint8_t *rows[4];
                  uint8_t *out = output + ((n * s->out_h + oy) * s->out_w + x0) * c_n + c0;

                  for (int k = 0; k < 4; k++)
                    {
                      const ptrdiff_t iy = iy0 + k;
                      rows[k] = iy >= 0 && iy < s->in_h
                                ? image + (size_t) iy * in_w * c_n + c0 : NULL;
                    }
                  (kwidth == 64 ? op->quad->pair : op->quad->pair16) (
                      channels, rows, in_w, c_n, col0, n_px, packed, variants, out,
                      oy + 1 < r1 ? out + s->out_w * c_n : NULL, c_n, op->zero[0],
                      &op->requant);
                  if (op->has_lut)
                    {
                      qvk_qu8_lut_tile (op->lut_isa, op->lut, n_px, channels, out, c_n);
                      if (oy + 1 < r1)
                        qvk_qu8_lut_tile (op->lut_isa, op->lut, n_px, channels,
                                          out + s->out_w * c_n, c_n);
                    }
                }
              continue;
            }
          for (size_t i = 0; i < n_slots; i++)
            {
              slots[i].start = INT_MIN;
              slots[i].used = 0;
            }
          for (size_t cls = 0; cls < dh; cls++)
            for (size_t oy = r0; oy < r1; oy++)
              {
                const ptrdiff_t iy0 = (ptrdiff_t) (oy * s->stride_h) - s->pad_top;
                const ptrdiff_t b = floor_div (iy0, (ptrdiff_t) dh);
                const ptrdiff_t a = iy0 - b * (ptrdiff_t) dh;
                const ptrdiff_t first = floor_div (b, op->q_step) * op->q_step;
                const uint8_t *quads[4];
                uint8_t *out = output + ((n * s->out_h + oy) * s->out_w + x0) * c_n + c0;

                if ((size_t) a != cls)
                  continue;
                clock++;
                for (int g = 0; g < op->nq; g++)
                  {
                    const int start = (int) (a + (first + 4 * g) * (ptrdiff_t) dh);
                    quad_slot *slot = NULL;

                    for (size_t i = 0; i < n_slots && slot == NULL; i++)
                      if (slots[i].start == start)
                        slot = &slots[i];
                    if (slot == NULL)
                      {
                        const uint8_t *rows[4];

                        slot = &slots[0];
                        for (size_t i = 1; i < n_slots; i++)
                          if (slots[i].used < slot->used || slots[i].start == INT_MIN)
                            slot = &slots[i];
                        for (int k = 0; k < 4; k++)
                          {
                            const ptrdiff_t iy = start + k * (ptrdiff_t) dh;
                            rows[k] = iy >= 0 && iy < s->in_h
                                      ? image + (size_t) iy * in_w * c_n + c0 : NULL;
                          }
                        op->quad->fill (kwidth, channels, rows, in_w, c_n, col0, n_cols,
                                        s->stride_w == 1 ? (size_t) s->dilation_w : 1,
                                        op->zero[0], slot->buf);
                        slot->start = start;
                      }
                    slot->used = clock;
                    quads[g] = slot->buf;
                  }
                op->quad->row (kwidth, channels, n_px, kw, (size_t) op->nq,
                               (size_t) s->dilation_w, (size_t) s->stride_w, quads, packed,
                               variants + (size_t) (b - first) * variant_bytes,
                               out, c_n, &op->requant);
                if (op->has_lut)
                  qvk_qu8_lut_tile (op->lut_isa, op->lut, n_px, channels, out, c_n);
              }
        }
    }
}

/* Items are (channel chunk, output row) pairs, chunk-major, so that a
 * thread's share is a band of rows of one or two chunks. */
static void
run_dwconv_quad (const qvk_qu8_conv_simd *op, const uint8_t *input, uint8_t *output,
                 size_t r0, size_t r1, int thread_id, int n_threads)
{
  const qvk_conv_shape *s = &op->s;
  const size_t rows = r1 - r0;
  const size_t tiles = quad_tiles ((size_t) s->out_c);
  const size_t chunks = qvk_simd_chunks (rows, tiles, n_threads);
  const size_t chunk_tiles = (tiles + chunks - 1) / chunks;
  uint8_t scratch[quad_slots (op->nq) * quad_cols (s) * 256] __attribute__ ((aligned (64)));
  size_t begin, end;

  qvk_simd_split (rows * chunks, thread_id, n_threads, &begin, &end);
  while (begin < end)
    {
      const size_t chunk = begin / rows, row = r0 + begin % rows;
      const size_t n = row / s->out_h;
      /* to the end of this image, chunk or share */
      size_t stop = (chunk + 1) * rows;
      const size_t image_end = chunk * rows + (n + 1) * s->out_h - r0;
      const size_t t0 = chunk * chunk_tiles;
      const size_t t1 = t0 + chunk_tiles < tiles ? t0 + chunk_tiles : tiles;

      if (image_end < stop)
        stop = image_end;
      if (end < stop)
        stop = end;
      if (t0 < t1)
        run_quad_rows (op, input, output, n, row % s->out_h,
                       row % s->out_h + (stop - begin), t0, t1, scratch);
      begin = stop;
    }
}
#endif

static void
run_gemm (const qvk_qu8_conv_simd *op, const uint8_t *input, uint8_t *output,
          size_t r0, size_t r1, int thread_id, int n_threads)
{
  const qvk_conv_shape *s = &op->s;
  const size_t mr = (size_t) op->gemm->mr, nr = (size_t) op->gemm->id.nr;
  const size_t n_n = (size_t) s->out_c;
  const size_t n_tiles = (n_n + nr - 1) / nr;
  const size_t es = op->requant.float_output ? sizeof (float) : 1; /* output bytes */
  /* Indirect GEMM blocks stay within one output row so that a block's
   * pixels are pixel_step apart in the table. */
  const size_t rows = r1 - r0;
  const size_t per_row = op->method == QVK_SIMD_IGEMM
                         ? ((size_t) s->out_w + mr - 1) / mr : 0;
  /* the window's pixels [m_first, m_n) */
  const size_t m_first = r0 * s->out_w, m_n = r1 * s->out_w;
  /* GEMM: rows per call, blocks of mr while the call's rows of A stay
   * within 8 KB: up to 64 rows of a short reduction, which then sets up
   * its constants and pointers once for several blocks */
  const size_t fit = 8192 / ((size_t) s->in_c * mr);
  const size_t call_rows = op->method != QVK_SIMD_GEMM ? mr
                           : mr * (fit < 1 ? 1 : fit > 8 ? 8 : fit);
  const size_t blocks = op->method == QVK_SIMD_IGEMM ? rows * per_row
                                                     : (m_n - m_first + call_rows - 1) / call_rows;
  const size_t chunks = qvk_simd_chunks (blocks, n_tiles, n_threads);
  const size_t chunk_tiles = (n_tiles + chunks - 1) / chunks;
  /* indirect GEMM: a segment of pixels of one output row, resolved */
  const size_t seg_pixels = mr * (1 + 64 / mr);
  const size_t seg_entries = op->method == QVK_SIMD_IGEMM
                             ? (seg_pixels - 1) * op->ind.pixel_step + op->ind.taps : 1;
  const uint8_t *resolved[seg_entries];
  size_t seg_row = SIZE_MAX, seg_x0 = 0, seg_n = 0;
  /* The kernels read each input row in whole groups of four bytes; rows
   * that end within three bytes of the input's end are read from a copy
   * padded with the zero point instead (this thread's own). */
  const size_t kc4 = qvk_round_up ((size_t) s->in_c, 4);
  const size_t input_n = (size_t) s->batch * s->in_h * s->in_w * s->in_c;
  const size_t tail_len = input_n < kc4 ? input_n : kc4;
  const size_t tail_base = input_n - tail_len;
  uint8_t tail[2 * kc4];
  size_t begin, end;

  if (op->method == QVK_SIMD_IGEMM)
    {
      memcpy (tail, input + tail_base, tail_len);
      memset (tail + tail_len, op->zero[0], sizeof tail - tail_len);
    }

  qvk_simd_split (blocks * chunks, thread_id, n_threads, &begin, &end);
  for (size_t item = begin; item < end; item++)
    {
      const size_t block = item / chunks;
      const size_t t0 = item % chunks * chunk_tiles;
      const size_t n0 = t0 * nr;
      const size_t n1 = n0 + chunk_tiles * nr < n_n ? n0 + chunk_tiles * nr : n_n;
      const uint8_t *w = op->packed + t0 * op->tile_bytes;

      if (n0 >= n1)
        continue;
      if (op->method == QVK_SIMD_GEMM)
        {
          const size_t m0 = m_first + block * call_rows;
          const size_t m_rows = m_n - m0 < call_rows ? m_n - m0 : call_rows;
          op->gemm->gemm (m_rows, n1 - n0, (size_t) s->in_c,
                          input + m0 * s->in_c, (size_t) s->in_c, w,
                          output + (m0 * n_n + n0) * es, n_n, &op->requant);
          if (op->has_lut)
            qvk_qu8_lut_tile (op->lut_isa, op->lut, m_rows, n1 - n0,
                              output + m0 * n_n + n0, n_n);
        }
      else
        {
          const size_t row = r0 + block / per_row;
          const size_t x0 = block % per_row * mr;
          const size_t m0 = row * s->out_w + x0;
          const size_t m_rows = (size_t) s->out_w - x0 < mr ? (size_t) s->out_w - x0 : mr;
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
              const size_t entries = (seg_n - 1) * op->ind.pixel_step + op->ind.taps;
              op->resolve (entries, o, input, op->zero, 1, (const void **) resolved);
              if (row >= op->tail_row_begin)
                for (size_t e = 0; e < entries; e++)
                  if (o[e] >= 0 && (size_t) o[e] + kc4 > input_n)
                    resolved[e] = tail + (o[e] - tail_base);
            }
          op->gemm->igemm (m_rows, n1 - n0, (size_t) s->in_c, op->ind.taps,
                           resolved + (x0 - seg_x0) * op->ind.pixel_step,
                           op->ind.pixel_step, w, output + (m0 * n_n + n0) * es, n_n,
                           &op->requant);
          if (op->has_lut)
            qvk_qu8_lut_tile (op->lut_isa, op->lut, m_rows, n1 - n0,
                              output + m0 * n_n + n0, n_n);
        }
    }
}

static void
run_patch (const qvk_qu8_conv_simd *op, const uint8_t *input, uint8_t *output,
           size_t r0, size_t r1, int thread_id, int n_threads)
{
  const qvk_conv_shape *s = &op->s;
  const size_t k = (size_t) s->kernel_h * s->kernel_w * s->in_c;
  const size_t stride = qvk_round_up (k, 4);
  const size_t n_n = (size_t) s->out_c;
  const size_t rows = r1 - r0;
  const size_t segs = ((size_t) s->out_w + QVK_PATCH_PIXELS - 1) / QVK_PATCH_PIXELS;
  uint8_t patches[QVK_PATCH_PIXELS * 64 + QVK_PATCH_SLACK];
  size_t begin, end;

  qvk_simd_split (rows * segs, thread_id, n_threads, &begin, &end);
  for (size_t item = begin; item < end; item++)
    {
      const size_t row = r0 + item / segs, x0 = item % segs * QVK_PATCH_PIXELS;
      const size_t n = (size_t) s->out_w - x0 < QVK_PATCH_PIXELS ? (size_t) s->out_w - x0
                                                                 : QVK_PATCH_PIXELS;
      uint8_t *out = output + (row * s->out_w + x0) * n_n
                     * (op->requant.float_output ? sizeof (float) : 1);

      /* 16-byte copies: a row of kernel_w * in_c bytes fits in one */
      qvk_simd_build_patches (s, 1, 16, op->zero[0], input, row, x0, n, patches, stride);
      op->gemm->gemm (n, n_n, k, patches, stride, op->packed, out, n_n, &op->requant);
      if (op->has_lut)
        qvk_qu8_lut_tile (op->lut_isa, op->lut, n, n_n, out, n_n);
    }
}

#ifdef QVK_QU8_CONVROWS_UKERNELS
/* QVK_SIMD_ROWS: per segment of an output row, the pixels whose kernel
 * rows lie inside the image run on the input in place, rows over the
 * padding reading the zero row; the pixels at the left and right borders
 * (and any whose last group would read past the input's end) run one at a
 * time on their rows put together in a small buffer. */
static void
run_convrows (const qvk_qu8_conv_simd *op, const uint8_t *input, uint8_t *output,
              size_t r0, size_t r1, int thread_id, int n_threads)
{
  const qvk_conv_shape *s = &op->s;
  const size_t kh = (size_t) s->kernel_h, row_bytes = (size_t) s->kernel_w * s->in_c;
  const size_t n_n = (size_t) s->out_c, step = (size_t) s->stride_w * s->in_c;
  const size_t segs = ((size_t) s->out_w + QVK_PATCH_PIXELS - 1) / QVK_PATCH_PIXELS;
  const uint8_t *rows[QVK_ROWS_MAX_KH];
  _Alignas (64) unsigned char border[QVK_ROWS_MAX_KH][64];
  qvk_rows_segment seg;
  size_t begin, end;

  qvk_simd_split ((r1 - r0) * segs, thread_id, n_threads, &begin, &end);
  for (size_t item = begin; item < end; item++)
    {
      const size_t row = r0 + item / segs, x0 = item % segs * QVK_PATCH_PIXELS;
      const size_t n = (size_t) s->out_w - x0 < QVK_PATCH_PIXELS ? (size_t) s->out_w - x0
                                                                 : QVK_PATCH_PIXELS;
      uint8_t *out = output + (row * s->out_w + x0) * n_n;

      /* a row's groups of four are read whole */
      qvk_simd_rows_segment (s, 1, qvk_round_up (row_bytes, 4), input, op->zero, row, x0, n,
                             &seg);
      for (size_t i = 0; i < n; i++)
        {
          const size_t run = i == seg.lo && seg.lo < seg.hi ? seg.hi - seg.lo : 1;
          qvk_simd_rows_of (s, 1, op->zero[0], &seg, x0, i, border, (const void **) rows);
          op->rows->fn (run, n_n, row_bytes, kh, rows, step, op->packed, out + i * n_n, n_n,
                        &op->requant);
          i += run - 1;
        }
      if (op->has_lut)
        qvk_qu8_lut_tile (op->lut_isa, op->lut, n, n_n, out, n_n);
    }
}
#endif

void
qvk_qu8_conv_simd_run_rows (const qvk_qu8_conv_simd *op, const uint8_t *input,
                            uint8_t *output, size_t row_begin, size_t row_end,
                            int thread_id, int n_threads)
{
  if (op == NULL || n_threads < 1 || thread_id < 0 || thread_id >= n_threads ||
      row_end > (size_t) op->s.batch * op->s.out_h || row_begin >= row_end)
    return;
#ifdef QVK_QU8_DWCONV_QUAD_UKERNELS
  if (op->quad != NULL)
    run_dwconv_quad (op, input, output, row_begin, row_end, thread_id, n_threads);
  else
#endif
  if (op->method == QVK_SIMD_DWCONV)
    run_dwconv (op, input, output, row_begin, row_end, thread_id, n_threads);
  else if (op->method == QVK_SIMD_PATCH)
    run_patch (op, input, output, row_begin, row_end, thread_id, n_threads);
#ifdef QVK_QU8_CONVROWS_UKERNELS
  else if (op->method == QVK_SIMD_ROWS)
    run_convrows (op, input, output, row_begin, row_end, thread_id, n_threads);
#endif
  else
    run_gemm (op, input, output, row_begin, row_end, thread_id, n_threads);
}

void
qvk_qu8_conv_simd_run (const qvk_qu8_conv_simd *op, const uint8_t *input,
                       uint8_t *output, int thread_id, int n_threads)
{
  if (op != NULL)
    qvk_qu8_conv_simd_run_rows (op, input, output, 0, (size_t) op->s.batch * op->s.out_h,
                                thread_id, n_threads);
}

const char *
qvk_qu8_conv_simd_name (const qvk_qu8_conv_simd *op)
{
  return op != NULL ? op->name : NULL;
}

const char *
qvk_qu8_conv_simd_reason (const qvk_qu8_conv_simd *op)
{
  return op != NULL ? op->reason : NULL;
}

size_t
qvk_qu8_conv_simd_packed_bytes (const qvk_qu8_conv_simd *op)
{
  if (op == NULL)
    return 0;
  return op->packed_bytes
         + (size_t) op->s.batch * op->s.out_h * op->ind.row_len * sizeof (int32_t);
}

void
qvk_qu8_conv_simd_destroy (qvk_qu8_conv_simd *op)
{
  if (op == NULL)
    return;
  free (op->packed);
  free (op->zero);
  qvk_indirection_clear (&op->ind);
  free (op);
}
