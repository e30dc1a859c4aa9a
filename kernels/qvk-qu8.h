/* qvk-qu8.h: int8 kernels (uint8 activations, int8 weights, int32 bias).
 *
 * Activations are per-tensor asymmetric uint8 (real = scale * (q - zero_point)),
 * weights per-output-channel symmetric int8 (real = w_scale[oc] * w).  The
 * accumulator is int32; requantization is fp32: one multiply by
 * input_scale * w_scale[oc] / output_scale, round to nearest even, add the
 * output zero point, clamp.  Every vector kernel must produce exactly what
 * qvk_qu8_requantize gives.
 */
#pragma once

#include <math.h>
#include "qvk-common.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline uint8_t
qvk_qu8_requantize (int32_t acc, float scale, int32_t zero_point,
                    int32_t out_min, int32_t out_max)
{
  int32_t q = (int32_t) lrintf ((float) acc * scale) + zero_point;
  q = q < out_min ? out_min : q;
  q = q > out_max ? out_max : q;
  return (uint8_t) q;
}

typedef struct {
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t output_min, output_max;  /* fused relu/clip in the quantized domain */
  const float *requant_scale;      /* [out_c] */
  /* Optional 256-entry activation table (hardswish, hardsigmoid, sigmoid)
   * applied to every output byte after requantization and clamp; NULL for
   * none.  Operators copy it at create time. */
  const uint8_t *lut;
  /* Float output, for a layer whose output is the model's: when non-NULL
   * the kernel writes fp32, not uint8 (the output pointer is a float *),
   * y = qvk_qu8_dequantize_acc(acc, dequant_scale[oc], &float_act), so
   * the last rounding to the output's uint8 steps is never made.
   * dequant_scale[oc] = input_scale * w_scale[oc]; output_zero_point,
   * output_min/max, requant_scale and lut are then unused. */
  const float *dequant_scale;
  qvk_activation float_act;        /* the fused activation, in fp32 */
} qvk_qu8_conv_params;

/* The float epilogue: one fp32 product of the int32 accumulator (bias
 * included) and the dequantization scale, then the activation in fp32.
 * Every kernel that writes float output uses this, in this order. */
float qvk_qu8_dequantize_acc (int32_t acc, float dequant_scale,
                              const qvk_activation *act);

/* input NHWC uint8, weights OHWI int8, bias [out_c] int32 (may be NULL),
 * output NHWC uint8 (float when q->dequant_scale is set).  Range over
 * output rows (batch * out_h). */
void qvk_qu8_conv2d__scalar (const qvk_conv_shape *s,
                             const qvk_qu8_conv_params *q,
                             const uint8_t *input, const int8_t *weights,
                             const int32_t *bias, uint8_t *output,
                             int row_begin, int row_end);

/* Every kernel below is a scalar reference (suffix __scalar): the definition
 * faster kernels are compared with bit-exactly.  Ranges [begin, end) count
 * elements for element-wise kernels and output rows over the batch
 * (batch * out_h) for spatial ones, so the engine can split any of them
 * across threads.  Where a result is computed in fp32, the order of the
 * operations is part of the definition (products and sums are rounded one at
 * a time; a vector kernel must not fuse them into FMAs), and every final
 * rounding is lrintf under the default mode: round to nearest, ties to even.
 * The quantized clamp [output_min, output_max] carries a fused relu/clip. */

/* Requantizes an fp32 value already in output units: lrintf, add the zero
 * point, clamp.  Shared by the element-wise kernels. */
static inline uint8_t
qvk_qu8_round_clamp (float v, int32_t zero_point, int32_t out_min,
                     int32_t out_max)
{
  /* Clamping before lrintf keeps huge values (and NaN, which goes low) out of
   * lrintf's undefined range; +-1024 is beyond any uint8 result. */
  v = v > -1024.0f ? v : -1024.0f;
  v = v < 1024.0f ? v : 1024.0f;
  int32_t q = (int32_t) lrintf (v) + zero_point;
  q = q < out_min ? out_min : q;
  q = q > out_max ? out_max : q;
  return (uint8_t) q;
}

/* ---- add ---------------------------------------------------------------- */

/* The add is fixed-point: with ra = a_scale / output_scale and
 * rb = b_scale / output_scale (computed in double),
 *   A = round(ra * 2^shift), B = round(rb * 2^shift),
 *   bias = -(za * A + zb * B) + zy * 2^shift + 2^(shift - 1)  (0 if shift = 0),
 *   y = clamp(floor((a * A + b * B + bias) / 2^shift)),
 * i.e. the sum scaled to output units, rounded half up (ties toward +inf),
 * the output zero point added (folded into bias: adding a multiple of
 * 2^shift before the floor adds exactly zy after it), clamped.
 *
 * shift is the largest in [8, 21] for which A and B fit 15 bits (<= 32767,
 * QVK_QU8_ADD_PAIR_MAX), so vector kernels multiply interleaved (a, b)
 * pairs of 16-bit lanes by the (A, B) pair with one multiply-add; there is
 * one whenever ra, rb < 127.99.  Otherwise (an output scale over 128 times
 * finer than an input's) shift is the largest in [0, 14] for which A and B
 * fit 21 bits (<= 2^21 - 1, where they are clamped if even shift 0 is too
 * large), and vector kernels use 32-bit lanes.  Every partial sum stays
 * within int32.
 *
 * Accuracy: the multipliers' rounding moves the scaled sum by at most
 * (|a - za| + |b - zb|) / 2^(shift + 1) <= 255 / 2^shift units, less than
 * one for shift >= 8, so every result is within one unit of the exact
 * round(ra * (a - za) + rb * (b - zb)) + zy whenever ra, rb < 8192 (beyond
 * that the multipliers saturate at 2^21 - 1 and results are only right
 * where they saturate). */
typedef struct {
  int32_t a_multiplier;   /* A, >= 0 */
  int32_t b_multiplier;   /* B, >= 0 */
  int32_t shift;
  int32_t bias;
  int32_t a_zero_point, b_zero_point, output_zero_point;
  int32_t output_min, output_max;
} qvk_qu8_add_params;

/* The largest multiplier of the 16-bit-lane (pair) form. */
#define QVK_QU8_ADD_PAIR_MAX 32767

/* Fills p from the three tensors' quantization as described above. */
void qvk_qu8_add_params_init (qvk_qu8_add_params *p,
                              float a_scale, int32_t a_zero_point,
                              float b_scale, int32_t b_zero_point,
                              float output_scale, int32_t output_zero_point,
                              int32_t output_min, int32_t output_max);

/* y[i] = clamp((a[i] * A + b[i] * B + bias) >> shift), the shift
 * arithmetic (a floor). */
void qvk_qu8_add__scalar (const qvk_qu8_add_params *p, const uint8_t *a,
                          const uint8_t *b, uint8_t *y,
                          size_t begin, size_t end);

/* ---- mul ---------------------------------------------------------------- */

/* The multiply is fixed-point too: with m = a_scale * b_scale / output_scale
 * (in double), M = round(m * 2^shift) and
 *   y = clamp(floor(((a - za) * (b - zb) * M + rounding + zy * 2^shift)
 *                   / 2^shift)),
 * rounding = 2^(shift - 1) (0 if shift = 0): round half up.  shift is the
 * largest in [0, 21] with M < 2^14, so |(a - za) * (b - zb) * M| < 2^30 and
 * the whole sum fits int32.  Accuracy: M's rounding moves a product by at
 * most |prod| / 2^(shift + 1) units; where the result is not saturated
 * |prod| * m < 512, so that is below 512 / 2^14 when M >= 2^13 (and below
 * 65025 / 2^22 when shift = 21), and when m >= 2^14 every nonzero product
 * saturates either way: within one unit of
 * round(m * (a - za) * (b - zb)) + zy for every scale. */
typedef struct {
  int32_t multiplier;   /* M, >= 0 */
  int32_t shift;
  int32_t rounding;     /* 2^(shift - 1) + zy * 2^shift */
  int32_t a_zero_point, b_zero_point, output_zero_point;
  int32_t output_min, output_max;
} qvk_qu8_mul_params;

void qvk_qu8_mul_params_init (qvk_qu8_mul_params *p,
                              float a_scale, int32_t a_zero_point,
                              float b_scale, int32_t b_zero_point,
                              float output_scale, int32_t output_zero_point,
                              int32_t output_min, int32_t output_max);

/* y[i] = clamp(((a[i] - za) * (b[i] - zb) * M + rounding) >> shift). */
void qvk_qu8_mul__scalar (const qvk_qu8_mul_params *p, const uint8_t *a,
                          const uint8_t *b, uint8_t *y,
                          size_t begin, size_t end);

/* Squeeze-excite multiply: x is [batch][pixels][channels], scale is
 * [batch][channels] (the "b" operand), broadcast over pixels; same formula
 * as qvk_qu8_mul__scalar.  Range over batch * pixels. */
void qvk_qu8_mul_channel__scalar (const qvk_qu8_mul_params *p, int pixels,
                                  int channels, const uint8_t *x,
                                  const uint8_t *scale, uint8_t *y,
                                  size_t begin, size_t end);

/* ---- lookup tables (hardswish, hardsigmoid, sigmoid, any activation) ---- */

/* table[q] = clamp(round_half_even(act(s_in * (q - z_in)) / s_out) + z_out,
 * 0, 255) for q = 0..255, computed in double.  The activation is evaluated
 * in double, so a table entry can differ by one unit from quantizing the
 * fp32 activation of qvk_f32_activate when that lands next to a half. */
void qvk_qu8_lut_build (const qvk_activation *act,
                        float input_scale, int32_t input_zero_point,
                        float output_scale, int32_t output_zero_point,
                        uint8_t table[256]);

/* y[i] = table[x[i]]. */
void qvk_qu8_lut__scalar (const uint8_t table[256], const uint8_t *x,
                          uint8_t *y, size_t begin, size_t end);

/* ---- pooling ------------------------------------------------------------ */

typedef struct {
  float multiplier;     /* input_scale / output_scale (before the divisor) */
  int32_t input_zero_point, output_zero_point;
  int32_t output_min, output_max;
} qvk_qu8_avgpool_params;

void qvk_qu8_avgpool_params_init (qvk_qu8_avgpool_params *p,
                                  float input_scale, int32_t input_zero_point,
                                  float output_scale, int32_t output_zero_point,
                                  int32_t output_min, int32_t output_max);

/* [batch][pixels][channels] -> [batch][channels]:
 *   acc = sum_p x - pixels * z_in (int32; pixels * 255 must fit),
 *   y = clamp(lrintf((float) acc * (multiplier / (float) pixels)) + z_out),
 * where multiplier / pixels is one fp32 division.  Range over batch. */
void qvk_qu8_global_avgpool__scalar (const qvk_qu8_avgpool_params *p,
                                     int batch, int pixels, int channels,
                                     const uint8_t *x, uint8_t *y,
                                     int batch_begin, int batch_end);

/* Average pooling with the divisor of qvk_f32_avgpool__scalar: the whole
 * window (kernel_h * kernel_w) when count_include_pad, else the taps inside
 * the input.  Padding is real zero, i.e. contributes nothing to
 *   acc = sum over valid taps (x - z_in),
 *   y = clamp(lrintf((float) acc * (multiplier / (float) divisor)) + z_out).
 * A window with no tap inside the input gives z_out (clamped). */
void qvk_qu8_avgpool__scalar (const qvk_qu8_avgpool_params *p,
                              const qvk_pool_shape *s, const uint8_t *x,
                              uint8_t *y, int row_begin, int row_end);

/* Max pooling in the input's own quantization (max commutes with the affine
 * map), then clamped to [output_min, output_max] for a fused relu.  Padding
 * never wins; a window with no tap inside the input gives output_min. */
void qvk_qu8_maxpool__scalar (const qvk_pool_shape *s, int32_t output_min,
                              int32_t output_max, const uint8_t *x,
                              uint8_t *y, int row_begin, int row_end);

/* ---- resize -------------------------------------------------------------- */

/* Bilinear resize, NHWC, in the input's own quantization (the weights of an
 * output sum to one, so interpolating q equals interpolating the real values
 * up to rounding).  Source coordinates and weights are exactly those of
 * qvk_f32_resize_bilinear__scalar (PyTorch's, in fp32, for both values of
 * align_corners); the interpolation of the four uint8 neighbours is done in
 * fp32 in the same order as the float kernel,
 *   ly0 * (lx0 * q00 + lx1 * q01) + ly1 * (lx0 * q10 + lx1 * q11),
 * and rounded with lrintf (ties to even), clamped to 0..255.
 * Range over batch * out_h. */
void qvk_qu8_resize_bilinear__scalar (int batch, int in_h, int in_w,
                                      int channels, int out_h, int out_w,
                                      int align_corners, const uint8_t *x,
                                      uint8_t *y, int row_begin, int row_end);

/* ---- requantizing copy (concat to a common scale) ----------------------- */

typedef struct {
  float multiplier;     /* input_scale / output_scale */
  int32_t input_zero_point, output_zero_point;
  int32_t output_min, output_max;
} qvk_qu8_requant_params;

void qvk_qu8_requant_params_init (qvk_qu8_requant_params *p,
                                  float input_scale, int32_t input_zero_point,
                                  float output_scale, int32_t output_zero_point);

/* For r in [row_begin, row_end), c in [0, cols):
 *   y[r * y_stride + c] = clamp(lrintf((float) (x[r * x_stride + c] - z_in)
 *                                      * multiplier) + z_out).
 * With x_stride = cols and y_stride = the concatenated width this writes one
 * input of a concatenation straight into place; with one row it is a plain
 * element-wise requantization. */
void qvk_qu8_requant_copy__scalar (const qvk_qu8_requant_params *p,
                                   size_t cols, const uint8_t *x,
                                   size_t x_stride, uint8_t *y,
                                   size_t y_stride,
                                   size_t row_begin, size_t row_end);

/* ---- linear -------------------------------------------------------------- */

/* x [rows][in_features] uint8, weights [out_features][in_features] int8 (per
 * output feature symmetric), bias [out_features] int32 or NULL; q as for a
 * conv with requant_scale [out_features]:
 *   acc = bias[o] + sum_i (x[r][i] - z_in) * w[o][i],
 *   y[r][o] = qvk_qu8_requantize(acc, requant_scale[o], z_out, min, max)
 * (float y with q->dequant_scale, as for the conv).
 * Range over rows. */
void qvk_qu8_linear__scalar (const qvk_qu8_conv_params *q, int rows,
                             int in_features, int out_features,
                             const uint8_t *x, const int8_t *weights,
                             const int32_t *bias, uint8_t *y,
                             int row_begin, int row_end);

/* ---- quantize / dequantize ----------------------------------------------- */

/* y[i] = clamp(lrintf(x[i] / scale) + zero_point, 0, 255): an fp32 division,
 * not a multiplication by 1/scale, so that values exactly on a step stay
 * there.  NaN gives 0 (the low clamp). */
void qvk_qu8_quantize__scalar (float scale, int32_t zero_point,
                               const float *x, uint8_t *y,
                               size_t begin, size_t end);

/* y[i] = scale * (float) (x[i] - zero_point). */
void qvk_qu8_dequantize__scalar (float scale, int32_t zero_point,
                                 const uint8_t *x, float *y,
                                 size_t begin, size_t end);

#ifdef __cplusplus
}
#endif
