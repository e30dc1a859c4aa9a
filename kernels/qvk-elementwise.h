/* qvk-elementwise.h: the element-wise, pooling and resize kernels at the
 * best ISA available.
 *
 * Each function takes the ISA the caller may use (a plan's, already lowered
 * to what qvk_isa_detect allows) and runs the best vector kernel at or
 * below it, else the scalar reference of qvk-f32.h / qvk-qu8.h.  Ranges are
 * those of the references, so the engine splits work among threads the
 * same way whichever kernel runs.  Int8 results equal the references bit
 * for bit (the vector kernels do the same fp32 operations in the same
 * order, built without FMA contraction).  Float results are equal too,
 * except sigmoid, whose vector exp is a polynomial within 2e-7 relative of
 * expf (the test allows 1e-6).
 */
#pragma once

#include "qvk-conv.h"
#include "qvk-f32.h"
#include "qvk-qu8.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The ISA the element-wise kernels run at for a request of isa, with a
 * kernel family's name ("avx512vbmi" for the table lookup when the CPU has
 * VBMI).  For kernel names such as "qu8 add avx512". */
const char *qvk_elementwise_isa_name (qvk_isa isa);
const char *qvk_qu8_lut_isa_name (qvk_isa isa);

/* ---- int8 ---------------------------------------------------------------- */

void qvk_qu8_add (qvk_isa isa, const qvk_qu8_add_params *p, const uint8_t *a,
                  const uint8_t *b, uint8_t *y, size_t begin, size_t end);
void qvk_qu8_mul (qvk_isa isa, const qvk_qu8_mul_params *p, const uint8_t *a,
                  const uint8_t *b, uint8_t *y, size_t begin, size_t end);
void qvk_qu8_mul_channel (qvk_isa isa, const qvk_qu8_mul_params *p,
                          int pixels, int channels, const uint8_t *x,
                          const uint8_t *scale, uint8_t *y,
                          size_t begin, size_t end);
void qvk_qu8_lut (qvk_isa isa, const uint8_t table[256], const uint8_t *x,
                  uint8_t *y, size_t begin, size_t end);
/* In place on rows x cols bytes, rows stride bytes apart: the tile a
 * convolution kernel has just written, while it is still in L1. */
void qvk_qu8_lut_tile (qvk_isa isa, const uint8_t table[256], size_t rows,
                       size_t cols, uint8_t *y, size_t stride);
/* Global average pooling in two steps, so that the work can be split over
 * pixels or channels: the int32 sums of n channels over `pixels` pixels
 * (x the first channel of the first, pixels `stride` bytes apart), written
 * to sums (64-byte aligned), exact in any split; then the average of sums
 * taken over `pixels` pixels in all, requantized to y. */
void qvk_qu8_channel_sums (qvk_isa isa, size_t pixels, size_t stride, size_t n,
                           const uint8_t *x, int32_t *sums);
void qvk_qu8_global_avgpool_finish (qvk_isa isa, const qvk_qu8_avgpool_params *p,
                                    size_t pixels, size_t channels,
                                    const int32_t *sums, uint8_t *y);
/* final: nothing reads y again soon (a graph output), so that a large
 * output may go past the caches. */
void qvk_qu8_resize_bilinear (qvk_isa isa, int batch, int in_h, int in_w,
                              int channels, int out_h, int out_w,
                              int align_corners, const uint8_t *x,
                              uint8_t *y, int row_begin, int row_end, int final);
void qvk_qu8_requant_copy (qvk_isa isa, const qvk_qu8_requant_params *p,
                           size_t cols, const uint8_t *x, size_t x_stride,
                           uint8_t *y, size_t y_stride,
                           size_t row_begin, size_t row_end);
void qvk_qu8_quantize (qvk_isa isa, float scale, int32_t zero_point,
                       const float *x, uint8_t *y, size_t begin, size_t end);
void qvk_qu8_dequantize (qvk_isa isa, float scale, int32_t zero_point,
                         const uint8_t *x, float *y, size_t begin, size_t end);

/* ---- float --------------------------------------------------------------- */

void qvk_f32_add (qvk_isa isa, const qvk_activation *act, const float *a,
                  const float *b, float *y, size_t begin, size_t end);
void qvk_f32_mul (qvk_isa isa, const float *a, const float *b, float *y,
                  size_t begin, size_t end);
void qvk_f32_mul_channel (qvk_isa isa, int pixels, int channels,
                          const float *x, const float *scale, float *y,
                          size_t begin, size_t end);
void qvk_f32_activation (qvk_isa isa, const qvk_activation *act,
                         const float *x, float *y, size_t begin, size_t end);
/* Global average pooling in two steps, as for int8 (stride in floats):
 * the double sums, each channel's added pixel after pixel as the
 * reference does, then the averages. */
void qvk_f32_channel_sums (qvk_isa isa, size_t pixels, size_t stride, size_t n,
                           const float *x, double *sums);
void qvk_f32_global_avgpool_finish (size_t pixels, size_t channels,
                                    const double *sums, float *y);
void qvk_f32_resize_bilinear (qvk_isa isa, int batch, int in_h, int in_w,
                              int channels, int out_h, int out_w,
                              int align_corners, const float *x, float *y,
                              int row_begin, int row_end);

#ifdef __cplusplus
}
#endif
