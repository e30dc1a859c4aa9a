/* qvk-layernorm.h: layer normalization over the innermost n elements of
 * each row (ONNX LayerNormalization, and the mean / variance chain older
 * exporters write instead). */
#pragma once

#include "qvk-common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* y = (x - mean) / sqrt(var + eps) * gamma + beta per row of n elements,
 * mean and (biased) variance taken over the row; gamma and beta have n
 * entries or are NULL (1 and 0).  Rows [row_begin, row_end). */
void qvk_f32_layernorm__scalar (size_t n, float eps, const float *gamma, const float *beta,
                                const float *x, float *y,
                                size_t row_begin, size_t row_end);

#ifdef __cplusplus
}
#endif
