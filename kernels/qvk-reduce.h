/* qvk-reduce.h: reductions over any set of axes of a tensor read through
 * strides (ONNX ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceL1,
 * ReduceL2, ReduceSumSquare). */
#pragma once

#include "qvk-common.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  QVK_REDUCE_MEAN,
  QVK_REDUCE_SUM,
  QVK_REDUCE_MAX,
  QVK_REDUCE_MIN,
  QVK_REDUCE_L1,
  QVK_REDUCE_L2,
  QVK_REDUCE_SUM_SQUARE,
} qvk_reduce_kind;

/* For every combination of the kept axes (kept_dims, x strides kept_x,
 * y strides kept_y), reduces the elements over the reduced axes
 * (red_dims, x strides red_x) into one y element.  Ranks <= 6 each; an
 * empty reduction gives the kind's identity (0, or -inf / +inf). */
void qvk_f32_reduce_strided__scalar (qvk_reduce_kind kind,
                                     int n_kept, const int64_t *kept_dims,
                                     const int64_t *kept_x, const int64_t *kept_y,
                                     int n_red, const int64_t *red_dims,
                                     const int64_t *red_x,
                                     const float *x, float *y);

#ifdef __cplusplus
}
#endif
