/* qvk-softmax.h: softmax and log-softmax along any axis of a tensor seen
 * as outer x n x inner (the axis of length n, its elements inner apart). */
#pragma once

#include "qvk-common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* y = softmax(x) along the axis, or log(softmax(x)) with log_softmax; the
 * groups [outer_begin, outer_end) of outer.  In place is not allowed. */
void qvk_f32_softmax_strided__scalar (size_t n, size_t inner, int log_softmax,
                                      const float *x, float *y,
                                      size_t outer_begin, size_t outer_end);

#ifdef __cplusplus
}
#endif
