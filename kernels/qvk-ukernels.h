/* qvk-ukernels.h: the vector microkernels and the layouts they read.
 *
 * Plain C11, no GLib.  Each kernel family has one X-macro list below; the
 * declarations, the tests (tests/test-kernels-simd.c) and the benchmark
 * (tests/bench-kernels.c) are all generated from it, so a new variant cannot
 * be left out of one of them.  A kernel's name says what it computes, its
 * tile and its instruction set; each lives in a file named after its family
 * and ISA (f32-dwconv-avx512.c, qu8-gemm-avx512vnni.c, ...), compiled into
 * the static library that carries that ISA's flags.
 *
 * Indirection.  Convolutions that are not plain 1x1 read their input through
 * a table of int32 element offsets built once at create time (qvk-pack.c):
 * one entry per (output pixel, tap), -1 for a tap that falls in the padding,
 * which the kernel replaces by a shared "zero" row (0.0f for float, the
 * input zero point for int8).  Offsets, not pointers, so that the table does
 * not depend on where the input lives: a run resolves a segment of it at a
 * time into pointers for its own input (qvk_indirection_resolve__*, a few
 * vector instructions per sixteen entries), and the table is reused as it
 * is.  Taps are ordered column-major within the window
 * (t = kx * kernel_h + ky); with dilation_w == 1 and stride_w <= kernel_w
 * horizontally adjacent output pixels then share columns of the table, so
 * one output row needs (kernel_w + (out_w - 1) * stride_w) * kernel_h
 * entries instead of out_w * kernel_h * kernel_w (see qvk_indirection).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "qvk-common.h"
#include "qvk-conv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- parameters --------------------------------------------------------- */

/* A float epilogue: kind is QVK_ACT_NONE (min/max clamp only),
 * QVK_ACT_HARDSWISH or QVK_ACT_HARDSIGMOID; relu and clip become min/max.
 * Sigmoid is not fused (the caller applies qvk_f32_activate afterwards). */
typedef struct {
  float min, max;
  float alpha, beta;
  int kind;
} qvk_f32_act_params;

/* Returns 1 when act can be fused into a kernel epilogue (everything but
 * sigmoid) and fills p; 0 otherwise, with p set to "no activation". */
int qvk_f32_act_params_init (qvk_f32_act_params *p, const qvk_activation *act);

/* The int8 epilogue: per-channel scales travel with the packed weights.
 * float_output (the GEMM kernels): the kernel writes fp32,
 * max((float) acc * scale, float_min) then min(, float_max) -- a fused
 * relu or clip, +-inf for none -- exactly qvk_qu8_dequantize_acc for those
 * activations; c is then a float * and c_stride counts floats, and the
 * packed scales are the dequantization scales. */
typedef struct {
  int32_t output_zero_point;
  int32_t output_min, output_max;
  int float_output;
  float float_min, float_max;
} qvk_qu8_requant_minmax;

/* ---- depthwise convolution, any kernel size ------------------------------
 *
 * Computes `channels` channels of `output_width` consecutive output pixels.
 * offsets: the first pixel's taps; pixel p reads offsets + p * offsets_step.
 * input: the base the offsets count from, already advanced to the first
 * channel of this call (a channel range starting at a tile boundary).
 * weights: the packed weights of the same channel range (see the packers).
 * output: the first pixel, channel 0 of the range; pixels are output_stride
 * elements apart.  Float kernels also take the kernel's width, stride and
 * dilation across (with taps, the table's geometry; a kernel may use them
 * to read a column once for the pixels that share it). */
typedef void (*qvk_f32_dwconv_ukernel_fn) (
    size_t channels, size_t output_width, size_t taps,
    size_t kernel_w, size_t stride_w, size_t dilation_w,
    const int32_t *offsets, size_t offsets_step,
    const float *input, const float *zero,
    const float *weights, size_t weights_stride,
    float *output, size_t output_stride,
    const qvk_f32_act_params *params);

/* taps is kernel_h * kernel_w; the packing pads it to a multiple of the
 * kernel's tap group (qvk_qu8_dwconv_taps) and the table has that many
 * entries of padding after each row. */
typedef void (*qvk_qu8_dwconv_ukernel_fn) (
    size_t channels, size_t output_width, size_t taps,
    const int32_t *offsets, size_t offsets_step,
    const uint8_t *input, const uint8_t *zero,
    const void *weights,
    uint8_t *output, size_t output_stride,
    const qvk_qu8_requant_minmax *params);

/* Depthwise over shared input columns (layout C2V): the output pixels of
 * a pass are `spacing` output columns apart (d / s for stride s and
 * dilation d across, s dividing d), so that tap kx + 1 of pixel k reads
 * the input column of tap kx of pixel k + 1: the pass reads each input
 * column once for every pixel and tap that use it.  The table is that of
 * qvk_qu8_dwconv_ukernel_fn, taps kernel_h * kernel_w in column-major
 * order with no padding. */
typedef struct {
  size_t kernel_h, kernel_w;
  size_t spacing;
} qvk_qu8_dw_cols;

typedef void (*qvk_qu8_dwconv_cols_ukernel_fn) (
    size_t channels, size_t output_width, const qvk_qu8_dw_cols *geometry,
    const int32_t *offsets, size_t offsets_step,
    const uint8_t *input, const uint8_t *zero,
    const void *weights,
    uint8_t *output, size_t output_stride,
    const qvk_qu8_requant_minmax *params);

/* ---- GEMM and indirect GEMM ----------------------------------------------
 *
 * C[mr][nc] = epilogue(bias + A[mr][kc] W[kc][nc]), nc columns in tiles
 * of NR (the last one partial).  Indirect GEMM and float GEMM: mr <= MR
 * rows.  Int8 GEMM: any mr, in blocks of MR rows (the last block repeats
 * its last row), so that a call over many rows of a short reduction sets
 * up its constants once.  GEMM rows of A are a_stride elements apart.
 * Indirect GEMM rows are output pixels: row r reads taps
 * rows[r * rows_step + t], pointers to input rows of kc elements that the
 * driver resolved from the table for this run (the zero row for
 * padding).  For int8, every such pointer must have kc rounded up to 4
 * readable bytes (the driver guarantees it, see qu8-conv-simd.c), so the
 * last group of a row is read whole; its extra bytes meet zero weights.
 * Rows of C are c_stride elements apart. */
typedef void (*qvk_f32_gemm_ukernel_fn) (
    size_t mr, size_t nc, size_t kc,
    const float *a, size_t a_stride,
    const float *weights, float *c, size_t c_stride,
    const qvk_f32_act_params *params);

typedef void (*qvk_f32_igemm_ukernel_fn) (
    size_t mr, size_t nc, size_t kc, size_t taps,
    const float *const *rows, size_t rows_step,
    const float *weights, float *c, size_t c_stride,
    const qvk_f32_act_params *params);

typedef void (*qvk_qu8_gemm_ukernel_fn) (
    size_t mr, size_t nc, size_t kc,
    const uint8_t *a, size_t a_stride,
    const void *weights, uint8_t *c, size_t c_stride,
    const qvk_qu8_requant_minmax *params);

typedef void (*qvk_qu8_igemm_ukernel_fn) (
    size_t mr, size_t nc, size_t kc, size_t taps,
    const uint8_t *const *rows, size_t rows_step,
    const void *weights, uint8_t *c, size_t c_stride,
    const qvk_qu8_requant_minmax *params);

/* The int8 GEMM kernels' loop over blocks of MR rows: for each block,
 * row[r] of A, rows[r] = &row[r] (as gemm bodies shared with the indirect
 * GEMM take them) and crow[r] of C, rows past mr repeating row mr - 1;
 * then BLOCK (rows, crow, p), p a copy of the parameters, which the
 * stores to C cannot alias (so their constants stay in registers across
 * blocks). */
#define QVK_QU8_GEMM_BLOCKS(MR, mr, a, a_stride, c, c_stride, params, BLOCK)    \
  do                                                                          \
    {                                                                         \
      const qvk_qu8_requant_minmax p_ = *(params);                            \
      const size_t es_ = p_.float_output ? sizeof (float) : 1;                \
      for (size_t m0_ = 0; m0_ < (mr); m0_ += (MR))                           \
        {                                                                     \
          const uint8_t *row_[MR];                                            \
          const uint8_t *const *rows_[MR];                                    \
          uint8_t *crow_[MR];                                                 \
          for (int r_ = 0; r_ < (MR); r_++)                                   \
            {                                                                 \
              const size_t m_ = m0_ + (size_t) r_ < (mr) ? m0_ + (size_t) r_ : (mr) - 1; \
              row_[r_] = (a) + m_ * (a_stride);                               \
              rows_[r_] = &row_[r_];                                          \
              crow_[r_] = (c) + m_ * (c_stride) * es_;                        \
            }                                                                 \
          BLOCK (rows_, crow_, &p_);                                          \
        }                                                                     \
    }                                                                         \
  while (0)

/* ---- convolution over kernel rows read in place (few input channels) -----
 *
 * The first convolution of a network, over a few channels: a row of the
 * kernel window, kernel_w pixels of in_c values (row_c floats, row_bytes
 * bytes), is contiguous in an NHWC input and is read there.  Computes n
 * output pixels of nc channels: pixel p reads rows[t] + p * step values
 * for each of the taps kernel rows; pixels are c_stride values apart in c.
 * Float: weights packed by qvk_f32_gemm_pack (nc, row_c, taps, 1, nr).
 * Int8: read in groups of four bytes, the bytes after the row meeting zero
 * weights (every row pointer has row_bytes rounded up to 4 readable bytes);
 * weights packed by qvk_qu8_gemm_pack (nc, row_bytes, taps, 1, nr, 4);
 * uint8 output only. */
typedef void (*qvk_f32_convrows_ukernel_fn) (
    size_t n, size_t nc, size_t row_c, size_t taps,
    const float *const *rows, size_t step, const float *weights,
    float *c, size_t c_stride, const qvk_f32_act_params *params);

typedef void (*qvk_qu8_convrows_ukernel_fn) (
    size_t n, size_t nc, size_t row_bytes, size_t taps,
    const uint8_t *const *rows, size_t step, const void *weights,
    uint8_t *c, size_t c_stride, const qvk_qu8_requant_minmax *params);

/* ---- the kernel lists ------------------------------------------------------
 *
 * Each list holds the kernels of the architecture being built for; the
 * scalar references (qvk-f32.h, qvk-qu8.h) are there on every one.
 *
 * Float depthwise: X(name, isa, channel_tile)
 *   weights packed by qvk_f32_dwconv_pack with channels padded to 16.
 * Int8 depthwise: X(name, isa, layout) where layout is a qvk_qu8_dw_layout.
 * Float GEMM: X(gemm, igemm, isa, mr, nr)
 * Int8 GEMM: X(gemm, igemm, isa, mr, nr, kr) with weights packed in groups
 *   of kr reduction elements (kr 4: int8 for vpdpbusd and SDOT; kr 2: int16
 *   pairs for vpmaddwd and SMLAL), with the zero point
 *   qvk_qu8_gemm_pack_zero_point gives for the kernel's ISA.
 * Convolution over kernel rows: X(name, isa, mr, nr) for float,
 *   X(name, isa, mr, nr, kr) for int8; an ISA without one runs such shapes
 *   on copied patches. */
#if defined(__aarch64__)
#define QVK_F32_DWCONV_UKERNELS(X) \
  X (qvk_f32_dwconv_minmax_ukernel_16c4w__neon, QVK_ISA_NEON, 16)

#define QVK_QU8_DWCONV_UKERNELS(X) \
  X (qvk_qu8_dwconv_minmax_ukernel_16c2t__neon, QVK_ISA_NEON, QVK_QU8_DW_LAYOUT_C2)

#define QVK_F32_GEMM_UKERNELS(X) \
  X (qvk_f32_gemm_minmax_ukernel_6x16__neon, qvk_f32_igemm_minmax_ukernel_6x16__neon, QVK_ISA_NEON, 6, 16)

#define QVK_QU8_GEMM_UKERNELS(X) \
  X (qvk_qu8_gemm_minmax_ukernel_4x16c4__neondot, qvk_qu8_igemm_minmax_ukernel_4x16c4__neondot, QVK_ISA_NEONDOT, 4, 16, 4) \
  X (qvk_qu8_gemm_minmax_ukernel_4x16c2__neon, qvk_qu8_igemm_minmax_ukernel_4x16c2__neon, QVK_ISA_NEON, 4, 16, 2)

/* SDOT multiplies int8 by int8: the uint8 activations enter as a - 128, and
 * the packed bias carries the difference (see qu8-gemm-neondot.c). */
static inline int32_t
qvk_qu8_gemm_pack_zero_point (qvk_isa isa, int32_t input_zero_point)
{
  return isa >= QVK_ISA_NEONDOT ? input_zero_point - 128 : input_zero_point;
}
#else
#define QVK_F32_DWCONV_UKERNELS(X) \
  X (qvk_f32_dwconv_minmax_ukernel_64c4w__avx512, QVK_ISA_AVX512, 64) \
  X (qvk_f32_dwconv_minmax_ukernel_16c4w__avx2, QVK_ISA_AVX2, 16)

#define QVK_QU8_DWCONV_UKERNELS(X) \
  X (qvk_qu8_dwconv_minmax_ukernel_64c4t__avx512vnni, QVK_ISA_AVX512VNNI, QVK_QU8_DW_LAYOUT_C4) \
  X (qvk_qu8_dwconv_minmax_ukernel_16c2t__avx2, QVK_ISA_AVX2, QVK_QU8_DW_LAYOUT_C2)

/* Int8 depthwise over shared input columns (layout C2V), chosen where the
 * best depthwise kernel the ISA allows is of the same ISA, the shape fits
 * (qvk_qu8_dwconv_cols_fit) and there are more than 16 channels:
 * X(name, isa, layout). */
#define QVK_QU8_DWCONV_COLS_UKERNELS(X) \
  X (qvk_qu8_dwconv_minmax_ukernel_16c2v__avx2, QVK_ISA_AVX2, QVK_QU8_DW_LAYOUT_C2V)

/* Int8 depthwise for kernels 3 wide with stride and dilation 1 across
 * only (the common 3x3 stride 1): run when asked for by name; the grouped
 * kernel above, four pixels a pass, is faster on the shapes measured. */
#define QVK_QU8_DWCONV_ROWS3_UKERNELS(X) \
  X (qvk_qu8_dwconv_minmax_ukernel_64c4r3__avx512vnni, QVK_ISA_AVX512VNNI, QVK_QU8_DW_LAYOUT_C4R3)

/* Int8 depthwise on row quads (layout C4Q): X(row kernel, quad filler,
 * 3x3 row-pair kernels of 64- and 16-wide tiles, isa) */
#define QVK_QU8_DWCONV_QUAD_UKERNELS(X) \
  X (qvk_qu8_dwconv_minmax_ukernel_64c4q__avx512vnni, qvk_qu8_dwconv_quad_fill__avx512vnni, \
     qvk_qu8_dwconv3x3_pair_ukernel_64c4__avx512vnni, \
     qvk_qu8_dwconv3x3_pair_ukernel_16c4__avx512vnni, QVK_ISA_AVX512VNNI)

#define QVK_F32_GEMM_UKERNELS(X) \
  X (qvk_f32_gemm_minmax_ukernel_8x32__avx512, qvk_f32_igemm_minmax_ukernel_8x32__avx512, QVK_ISA_AVX512, 8, 32) \
  X (qvk_f32_gemm_minmax_ukernel_8x16__avx512, qvk_f32_igemm_minmax_ukernel_8x16__avx512, QVK_ISA_AVX512, 8, 16) \
  X (qvk_f32_gemm_minmax_ukernel_6x16__avx2, qvk_f32_igemm_minmax_ukernel_6x16__avx2, QVK_ISA_AVX2, 6, 16)

#define QVK_QU8_GEMM_UKERNELS(X) \
  X (qvk_qu8_gemm_minmax_ukernel_8x32c4__avx512vnni, qvk_qu8_igemm_minmax_ukernel_8x32c4__avx512vnni, QVK_ISA_AVX512VNNI, 8, 32, 4) \
  X (qvk_qu8_gemm_minmax_ukernel_8x16c4__avx512vnni, qvk_qu8_igemm_minmax_ukernel_8x16c4__avx512vnni, QVK_ISA_AVX512VNNI, 8, 16, 4) \
  X (qvk_qu8_gemm_minmax_ukernel_4x16c2__avx2, qvk_qu8_igemm_minmax_ukernel_4x16c2__avx2, QVK_ISA_AVX2, 4, 16, 2)

#define QVK_F32_CONVROWS_UKERNELS(X) \
  X (qvk_f32_convrows_minmax_ukernel_8x16__avx512, QVK_ISA_AVX512, 8, 16)

#define QVK_QU8_CONVROWS_UKERNELS(X) \
  X (qvk_qu8_convrows_minmax_ukernel_8x16c4__avx512vnni, QVK_ISA_AVX512VNNI, 8, 16, 4) \
  X (qvk_qu8_convrows_minmax_ukernel_4x16c2__avx2, QVK_ISA_AVX2, 4, 16, 2)

/* vpdpbusd and vpmaddwd take the uint8 activations as they are. */
static inline int32_t
qvk_qu8_gemm_pack_zero_point (qvk_isa isa, int32_t input_zero_point)
{
  (void) isa;
  return input_zero_point;
}
#endif

#define QVK_DECLARE_F32_DWCONV(name, isa, ct) \
  void name (size_t, size_t, size_t, size_t, size_t, size_t, const int32_t *, size_t, \
             const float *, const float *, const float *, size_t, float *, size_t, \
             const qvk_f32_act_params *);
#define QVK_DECLARE_QU8_DWCONV(name, isa, layout) \
  void name (size_t, size_t, size_t, const int32_t *, size_t, const uint8_t *, \
             const uint8_t *, const void *, uint8_t *, size_t, \
             const qvk_qu8_requant_minmax *);
#define QVK_DECLARE_F32_GEMM(gemm, igemm, isa, mr, nr) \
  void gemm (size_t, size_t, size_t, const float *, size_t, const float *, \
             float *, size_t, const qvk_f32_act_params *); \
  void igemm (size_t, size_t, size_t, size_t, const float *const *, size_t, \
              const float *, float *, size_t, const qvk_f32_act_params *);
#define QVK_DECLARE_QU8_GEMM(gemm, igemm, isa, mr, nr, kr) \
  void gemm (size_t, size_t, size_t, const uint8_t *, size_t, const void *, \
             uint8_t *, size_t, const qvk_qu8_requant_minmax *); \
  void igemm (size_t, size_t, size_t, size_t, const uint8_t *const *, \
              size_t, const void *, uint8_t *, size_t, \
              const qvk_qu8_requant_minmax *);

QVK_F32_DWCONV_UKERNELS (QVK_DECLARE_F32_DWCONV)
QVK_QU8_DWCONV_UKERNELS (QVK_DECLARE_QU8_DWCONV)
#ifdef QVK_QU8_DWCONV_ROWS3_UKERNELS
QVK_QU8_DWCONV_ROWS3_UKERNELS (QVK_DECLARE_QU8_DWCONV)
#endif
#ifdef QVK_QU8_DWCONV_COLS_UKERNELS
#define QVK_DECLARE_QU8_DWCONV_COLS(name, isa, layout) \
  void name (size_t, size_t, const qvk_qu8_dw_cols *, const int32_t *, size_t, \
             const uint8_t *, const uint8_t *, const void *, uint8_t *, size_t, \
             const qvk_qu8_requant_minmax *);
QVK_QU8_DWCONV_COLS_UKERNELS (QVK_DECLARE_QU8_DWCONV_COLS)
#endif
#ifdef QVK_QU8_DWCONV_QUAD_UKERNELS
#define QVK_DECLARE_QU8_DWCONV_QUAD(row, fill, pair, pair16, isa) \
  void row (size_t, size_t, size_t, size_t, size_t, size_t, size_t, \
            const uint8_t *const *, const void *, const void *, uint8_t *, \
            size_t, const qvk_qu8_requant_minmax *); \
  void fill (size_t, size_t, const uint8_t *const *, size_t, size_t, \
             ptrdiff_t, size_t, size_t, uint8_t, uint8_t *); \
  void pair (size_t, const uint8_t *const *, size_t, size_t, ptrdiff_t, size_t, \
             const void *, const void *, uint8_t *, uint8_t *, size_t, uint8_t, \
             const qvk_qu8_requant_minmax *); \
  void pair16 (size_t, const uint8_t *const *, size_t, size_t, ptrdiff_t, size_t, \
               const void *, const void *, uint8_t *, uint8_t *, size_t, uint8_t, \
               const qvk_qu8_requant_minmax *);
QVK_QU8_DWCONV_QUAD_UKERNELS (QVK_DECLARE_QU8_DWCONV_QUAD)
#endif
QVK_F32_GEMM_UKERNELS (QVK_DECLARE_F32_GEMM)
QVK_QU8_GEMM_UKERNELS (QVK_DECLARE_QU8_GEMM)
#ifdef QVK_F32_CONVROWS_UKERNELS
#define QVK_DECLARE_F32_CONVROWS(name, isa, mr, nr) \
  void name (size_t, size_t, size_t, size_t, const float *const *, size_t, \
             const float *, float *, size_t, const qvk_f32_act_params *);
QVK_F32_CONVROWS_UKERNELS (QVK_DECLARE_F32_CONVROWS)
#endif
#ifdef QVK_QU8_CONVROWS_UKERNELS
#define QVK_DECLARE_QU8_CONVROWS(name, isa, mr, nr, kr) \
  void name (size_t, size_t, size_t, size_t, const uint8_t *const *, size_t, \
             const void *, uint8_t *, size_t, const qvk_qu8_requant_minmax *);
QVK_QU8_CONVROWS_UKERNELS (QVK_DECLARE_QU8_CONVROWS)
#endif

/* ---- indirection (qvk-pack.c) -------------------------------------------- */

typedef struct {
  int32_t *offsets;     /* [batch * out_h][row_len] */
  size_t row_len;       /* entries per output row, tail padding included */
  size_t pixel_step;    /* entries between consecutive output pixels */
  size_t taps;          /* kernel_h * kernel_w */
} qvk_indirection;

/* Builds the table for s, element offsets counted in units of in_c (one
 * input pixel is in_c elements).  tap_padding extra entries (all -1) after
 * each row let a kernel read its taps in groups.  Returns 0 when an offset
 * would not fit in int32 or memory runs out (the caller then chooses
 * another kernel). */
int  qvk_indirection_init (qvk_indirection *ind, const qvk_conv_shape *s,
                           size_t tap_padding);
void qvk_indirection_clear (qvk_indirection *ind);

/* rows[i] = offsets[i] < 0 ? zero : input + offsets[i] elements of
 * elem_size bytes, for i in [0, n): the pointers a run's kernels read,
 * made from the table for that run's input.  Listed like the kernels:
 * X(name, isa). */
#if defined(__aarch64__)
#define QVK_INDIRECTION_RESOLVE_UKERNELS(X) \
  X (qvk_indirection_resolve__scalar, QVK_ISA_SCALAR)
#else
#define QVK_INDIRECTION_RESOLVE_UKERNELS(X) \
  X (qvk_indirection_resolve__avx512, QVK_ISA_AVX512) \
  X (qvk_indirection_resolve__avx2, QVK_ISA_AVX2) \
  X (qvk_indirection_resolve__scalar, QVK_ISA_SCALAR)
#endif

typedef void (*qvk_indirection_resolve_fn) (size_t n, const int32_t *offsets,
                                            const void *input, const void *zero,
                                            size_t elem_size, const void **rows);
#define QVK_DECLARE_RESOLVE(name, isa) \
  void name (size_t, const int32_t *, const void *, const void *, size_t, \
             const void **);
QVK_INDIRECTION_RESOLVE_UKERNELS (QVK_DECLARE_RESOLVE)

/* The fastest resolver isa allows. */
qvk_indirection_resolve_fn qvk_indirection_resolver (qvk_isa isa);

/* ---- packing (qvk-pack.c) ------------------------------------------------ */

static inline size_t
qvk_round_up (size_t n, size_t q)
{
  return (n + q - 1) / q * q;
}

/* Float depthwise: [1 + taps][cpad] floats (row 0 the bias, then one row
 * per tap in indirection order), channels padded with zeros to cpad, a
 * multiple of 16.  weights OHWI [c][kh][kw][1]; bias may be NULL. */
size_t qvk_f32_dwconv_packed_floats (int channels, int kernel_h, int kernel_w);
void   qvk_f32_dwconv_pack (int channels, int kernel_h, int kernel_w,
                            const float *weights, const float *bias,
                            float *packed);

/* Int8 depthwise layouts.  Both are a sequence of channel tiles, each
 * [int32 bias][float scale][weights], with the input zero-point correction
 * -z_in * sum(w) folded into the bias.
 *  C4 (vpdpbusd): taps padded to a multiple of 4; 64-channel tiles store,
 *    per group of 4 taps, 16 dwords per vector, channel order permuted to
 *    match the byte interleave of the kernel (see qu8-dwconv-avx512vnni.c);
 *    a remainder of at most 32 channels uses 16-channel tiles in natural
 *    order, a larger one one more (partial) 64-channel tile.
 *  C2 (vpmaddwd; NEON splits the pairs with ld2): taps padded to a
 *    multiple of 2; 16-channel tiles of int16 tap pairs, permuted to match
 *    unpack{lo,hi}_epi16.
 *  C4R3 (vpdpbusd, kernels 3 wide, stride and dilation 1 across): two
 *    groups of 4 per kernel row, the row's taps as [w0 w1 w2 0] and
 *    [0 w0 w1 w2]: four input columns serve two neighbouring pixels (see
 *    qvk_qu8_dwconv_minmax_ukernel_64c4r3__avx512vnni).  Only 64-channel
 *    tiles, the last one partial, in the C4 channel order.
 *  C2V (vpmaddwd over shared columns): tiles as C2, the pairs taken down
 *    each kernel column, [w(2g, kx) w(2g + 1, kx)] for kx then g, a zero
 *    weight after an odd kernel height's last row.  The same bytes as C2
 *    when the kernel height is even. */
typedef enum {
  QVK_QU8_DW_LAYOUT_C4,
  QVK_QU8_DW_LAYOUT_C2,
  QVK_QU8_DW_LAYOUT_C4R3,
  QVK_QU8_DW_LAYOUT_C4Q,
  QVK_QU8_DW_LAYOUT_C2V,
} qvk_qu8_dw_layout;

/* Row quads (layout C4Q, vpdpbusd).  The input rows r, r + d, r + 2d and
 * r + 3d (d the vertical dilation) are interleaved once into a quad, each
 * dword one channel's four rows at one column, in the C4 channel order,
 * and every output row that reads those rows takes its taps from there:
 * no interleave in the inner loop.  Quads start at every q_step-th row of
 * a dilation class (counted in steps of d), so an output row's kernel_h
 * rows sit at a shift t < q_step in nq consecutive quads; the weights come
 * in q_step variants, one per shift, each nq quads x kernel_w columns of
 * one dword per channel: [w(4g - t) .. w(4g + 3 - t)] of the column, zero
 * outside the kernel.  Tiles as in C4: 64 channels in the C4 order, and 16
 * in natural order for at most 32 channels after the last full 64 (a quad
 * column is then one vector, not four, and no multiply is spent on
 * channels that are not there).  q_step is the largest of 4, 2, 1 that
 * needs no more quads than ceil(kernel_h / 4). */
static inline void
qvk_qu8_dwconv_quad_geometry (int kernel_h, int *q_step, int *nq)
{
  const int need = (kernel_h + 3) / 4;
  int step = 4;

  while (step > 1 && (kernel_h + step - 1 + 3) / 4 > need)
    step /= 2;
  *q_step = step;
  *nq = need;
}

size_t qvk_qu8_dwconv_taps (qvk_qu8_dw_layout layout, int kernel_h, int kernel_w);
/* Whether a depthwise shape runs on the layout-C2V kernels, and their
 * geometry for it. */
int    qvk_qu8_dwconv_cols_fit (int kernel_h, int kernel_w, int stride_w, int dilation_w,
                                qvk_qu8_dw_cols *geometry);
/* Channels a thread's channel range must start at a multiple of. */
size_t qvk_qu8_dwconv_channel_tile (qvk_qu8_dw_layout layout);
size_t qvk_qu8_dwconv_packed_bytes (qvk_qu8_dw_layout layout, int channels,
                                    int kernel_h, int kernel_w);
/* Offset in bytes of the tile holding channel c0 (c0 a multiple of the
 * channel tile). */
size_t qvk_qu8_dwconv_packed_offset (qvk_qu8_dw_layout layout, int channels,
                                     int kernel_h, int kernel_w, int c0);
void   qvk_qu8_dwconv_pack (qvk_qu8_dw_layout layout, int channels,
                            int kernel_h, int kernel_w, int32_t input_zero_point,
                            const int8_t *weights, const int32_t *bias,
                            const float *requant_scale, void *packed);

/* Float GEMM: per tile of nr output channels [bias nr][taps][kc][nr];
 * weights OHWI [n][kh][kw][kc] (taps reordered to indirection order when
 * taps > 1). */
size_t qvk_f32_gemm_packed_floats (int n, int kc, int kernel_h, int kernel_w,
                                   int nr);
void   qvk_f32_gemm_pack (int n, int kc, int kernel_h, int kernel_w, int nr,
                          const float *weights, const float *bias,
                          float *packed);

/* Int8 GEMM: per tile of nr output channels [int32 bias nr][float scale nr]
 * [taps][ceil(kc / kr)][nr][kr] with int8 (kr 4) or int16 (kr 2) weights,
 * zero beyond kc, and -z_in * sum(w) folded into the bias. */
size_t qvk_qu8_gemm_packed_bytes (int n, int kc, int kernel_h, int kernel_w,
                                  int nr, int kr);
void   qvk_qu8_gemm_pack (int n, int kc, int kernel_h, int kernel_w, int nr,
                          int kr, int32_t input_zero_point,
                          const int8_t *weights, const int32_t *bias,
                          const float *requant_scale, void *packed);

#ifdef __cplusplus
}
#endif
