/* qvk-conv-simd.h: convolution through the vector microkernels.
 *
 * The operator layers (f32-conv-op.c, qu8-conv-op.c) offer these as their
 * best candidates: create returns NULL when no vector kernel at the given
 * ISA fits the shape (a grouped convolution that is not depthwise, a scalar
 * ISA, offsets beyond int32), and the operator falls back to its own
 * kernels.  Otherwise everything a run needs is made here, once: the
 * kernel is chosen, the weights packed, the indirection table and the zero
 * row built, so a run only computes.
 *
 * Choices:
 *   depthwise            -> dwconv through the indirection table;
 *   1x1, stride 1, pad 0 -> GEMM straight on the NHWC input;
 *   anything else        -> indirect GEMM (no im2col copy).
 * Threads split depthwise work over output rows x channel tiles and GEMM
 * work over row blocks and, when there are few of those, column tiles.
 */
#pragma once

#include "qvk-conv.h"
#include "qvk-qu8.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qvk_f32_conv_simd qvk_f32_conv_simd;
typedef struct qvk_qu8_conv_simd qvk_qu8_conv_simd;

qvk_f32_conv_simd *qvk_f32_conv_simd_create (const qvk_conv_shape *s,
                                             const float *weights,
                                             const float *bias, qvk_isa isa);
/* The same with one microkernel named as in qvk-ukernels.h (the benchmark
 * times each one); NULL when it does not compute this shape's method or
 * the CPU lacks its ISA. */
qvk_f32_conv_simd *qvk_f32_conv_simd_create_forced (const qvk_conv_shape *s,
                                                    const float *weights,
                                                    const float *bias,
                                                    const char *ukernel);
void        qvk_f32_conv_simd_run (const qvk_f32_conv_simd *op,
                                   const float *input, float *output,
                                   int thread_id, int n_threads);
/* Output rows [row_begin, row_end) of the batch * out_h, thread_id's share
 * of them. */
void        qvk_f32_conv_simd_run_rows (const qvk_f32_conv_simd *op,
                                        const float *input, float *output,
                                        size_t row_begin, size_t row_end,
                                        int thread_id, int n_threads);
/* e.g. "f32 dwconv 5x5 d2 indirect avx512" */
const char *qvk_f32_conv_simd_name (const qvk_f32_conv_simd *op);
/* e.g. "depthwise, 960 channels: indirection buffer, dilation costs nothing extra" */
const char *qvk_f32_conv_simd_reason (const qvk_f32_conv_simd *op);
size_t      qvk_f32_conv_simd_packed_bytes (const qvk_f32_conv_simd *op);
void        qvk_f32_conv_simd_destroy (qvk_f32_conv_simd *op);

/* q->requant_scale is copied into the packed weights. */
qvk_qu8_conv_simd *qvk_qu8_conv_simd_create (const qvk_conv_shape *s,
                                             const qvk_qu8_conv_params *q,
                                             const int8_t *weights,
                                             const int32_t *bias, qvk_isa isa);
qvk_qu8_conv_simd *qvk_qu8_conv_simd_create_forced (const qvk_conv_shape *s,
                                                    const qvk_qu8_conv_params *q,
                                                    const int8_t *weights,
                                                    const int32_t *bias,
                                                    const char *ukernel);
void        qvk_qu8_conv_simd_run (const qvk_qu8_conv_simd *op,
                                   const uint8_t *input, uint8_t *output,
                                   int thread_id, int n_threads);
/* Output rows [row_begin, row_end) of the batch * out_h (image n's row y
 * is n * out_h + y), thread_id's share of them. */
void        qvk_qu8_conv_simd_run_rows (const qvk_qu8_conv_simd *op,
                                        const uint8_t *input, uint8_t *output,
                                        size_t row_begin, size_t row_end,
                                        int thread_id, int n_threads);
const char *qvk_qu8_conv_simd_name (const qvk_qu8_conv_simd *op);
const char *qvk_qu8_conv_simd_reason (const qvk_qu8_conv_simd *op);
size_t      qvk_qu8_conv_simd_packed_bytes (const qvk_qu8_conv_simd *op);
void        qvk_qu8_conv_simd_destroy (qvk_qu8_conv_simd *op);

#ifdef __cplusplus
}
#endif
