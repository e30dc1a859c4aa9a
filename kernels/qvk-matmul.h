/* qvk-matmul.h: the product of two computed matrices, each read through
 * strides so that either may be a transposed or channels-last view. */
#pragma once

#include "qvk-common.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* y[m][n] = sum_k a[m][k] * b[k][n], with element strides per axis;
 * rows [m_begin, m_end) of y. */
void qvk_f32_matmul_strided__scalar (size_t k_len, size_t n_len,
                                     const float *a, int64_t a_m, int64_t a_k,
                                     const float *b, int64_t b_k, int64_t b_n,
                                     float *y, int64_t y_m, int64_t y_n,
                                     size_t m_begin, size_t m_end);

#ifdef __cplusplus
}
#endif
