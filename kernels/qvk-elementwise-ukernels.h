/* qvk-elementwise-ukernels.h: the per-ISA element-wise microkernels behind
 * qvk-elementwise.h (private to kernels/).
 *
 * One list declares every ISA's set.  The AVX2, AVX-512 and NEON kernels
 * are one template (elementwise-template.h) built with different vector
 * primitives; pointers arrive already offset and counts are elements.
 */
#pragma once

#include "qvk-qu8.h"
#include "qvk-f32.h"

#define QVK_ELEMENTWISE_DECLARE(sfx) \
  void qvk_qu8_vadd_ukernel__##sfx (const qvk_qu8_add_params *p, const uint8_t *a, \
                                    const uint8_t *b, uint8_t *y, size_t n); \
  void qvk_qu8_vmul_ukernel__##sfx (const qvk_qu8_mul_params *p, const uint8_t *a, \
                                    const uint8_t *b, uint8_t *y, size_t n); \
  void qvk_qu8_vmulc_ukernel__##sfx (const qvk_qu8_mul_params *p, size_t rows, \
                                     size_t channels, const uint8_t *x, \
                                     const uint8_t *s, uint8_t *y); \
  void qvk_qu8_vrequant_ukernel__##sfx (const qvk_qu8_requant_params *p, \
                                        const uint8_t *x, uint8_t *y, size_t n); \
  void qvk_qu8_vquantize_ukernel__##sfx (float scale, int32_t zero_point, \
                                         const float *x, uint8_t *y, size_t n); \
  void qvk_qu8_vdequantize_ukernel__##sfx (float scale, int32_t zero_point, \
                                           const uint8_t *x, float *y, size_t n); \
  void qvk_qu8_gsum_ukernel__##sfx (size_t pixels, size_t stride, const uint8_t *x, \
                                    int32_t *sums, size_t n); \
  void qvk_qu8_gavg_finish_ukernel__##sfx (const qvk_qu8_avgpool_params *p, \
                                           size_t pixels, const int32_t *sums, \
                                           uint8_t *y, size_t n); \
  void qvk_qu8_resize_row_ukernel__##sfx (size_t channels, size_t out_w, \
                                          const uint8_t *row0, const uint8_t *row1, \
                                          const size_t *off0, const size_t *off1, \
                                          const float *lx0, const float *lx1, \
                                          float ly0, float ly1, uint8_t *y); \
  void qvk_f32_vadd_ukernel__##sfx (const qvk_activation *act, const float *a, \
                                    const float *b, float *y, size_t n); \
  void qvk_f32_vmul_ukernel__##sfx (const float *a, const float *b, float *y, \
                                    size_t n); \
  void qvk_f32_vact_ukernel__##sfx (const qvk_activation *act, const float *x, \
                                    float *y, size_t n); \
  void qvk_f32_gsum_ukernel__##sfx (size_t pixels, size_t stride, const float *x, \
                                    double *sums, size_t n); \
  void qvk_f32_resize_row_ukernel__##sfx (size_t channels, size_t out_w, \
                                          const float *row0, const float *row1, \
                                          const size_t *off0, const size_t *off1, \
                                          const float *lx0, const float *lx1, \
                                          float ly0, float ly1, float *y); \
  void qvk_qu8_resize_hrow_ukernel__##sfx (size_t channels, size_t out_w, \
                                           const uint8_t *row, const size_t *off0, \
                                           const size_t *off1, const float *lx0, \
                                           const float *lx1, float *h); \
  void qvk_qu8_resize_vrow_ukernel__##sfx (size_t n, const float *top, \
                                           const float *bottom, float ly0, float ly1, \
                                           uint8_t *y, int stream); \
  void qvk_f32_resize_hrow_ukernel__##sfx (size_t channels, size_t out_w, \
                                           const float *row, const size_t *off0, \
                                           const size_t *off1, const float *lx0, \
                                           const float *lx1, float *h); \
  void qvk_f32_resize_vrow_ukernel__##sfx (size_t n, const float *top, \
                                           const float *bottom, float ly0, float ly1, \
                                           float *y);

#if defined(__aarch64__)
QVK_ELEMENTWISE_DECLARE (neon)

/* y[i] = table[x[i]] with tbl and tbx over the table's four 64-byte
 * quarters, 16 bytes at a time. */
void qvk_qu8_lut_ukernel__neon (const uint8_t table[256], const uint8_t *x,
                                uint8_t *y, size_t n);
/* The same in place on rows x cols bytes, rows stride bytes apart. */
void qvk_qu8_lut_tile_ukernel__neon (const uint8_t table[256], size_t rows,
                                     size_t cols, uint8_t *y, size_t stride);
#else
QVK_ELEMENTWISE_DECLARE (avx2)
QVK_ELEMENTWISE_DECLARE (avx512)

/* y[i] = table[x[i]] with sixteen 16-byte lookups per 32 bytes (no VBMI). */
void qvk_qu8_lut_ukernel__avx2 (const uint8_t table[256], const uint8_t *x,
                                uint8_t *y, size_t n);
/* The same in place on rows x cols bytes, rows stride bytes apart. */
void qvk_qu8_lut_tile_ukernel__avx2 (const uint8_t table[256], size_t rows,
                                     size_t cols, uint8_t *y, size_t stride);

/* y[i] = table[x[i]] with two 128-byte permutes per 64 bytes. */
void qvk_qu8_lut_ukernel__avx512vbmi (const uint8_t table[256], const uint8_t *x,
                                      uint8_t *y, size_t n);
/* The same in place on rows x cols bytes, rows stride bytes apart. */
void qvk_qu8_lut_tile_ukernel__avx512vbmi (const uint8_t table[256], size_t rows,
                                           size_t cols, uint8_t *y, size_t stride);
#endif
