/* qvk-conv-transpose.h: the 2-D transposed convolution of segmentation
 * decoders, written as a gather over the output so that rows split between
 * threads without two writing one element. */
#pragma once

#include "qvk-common.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int batch, in_c, in_h, in_w;
  int out_c, out_h, out_w;
  int groups;
  int kernel_h, kernel_w;
  int stride_h, stride_w;
  int dilation_h, dilation_w;
  int pad_top, pad_left;
} qvk_conv_transpose_shape;

/* Output rows [row_begin, row_end) of batch x out_c x out_h; x and y are
 * read and written through element strides per N, C, H, W axis (either
 * may be channels-last); w is in_c x (out_c / groups) x kernel_h x
 * kernel_w; bias is out_c values or NULL.  Sums in double. */
void qvk_f32_conv_transpose__scalar (const qvk_conv_transpose_shape *s,
                                     const float *x, const int64_t x_strides[4],
                                     const float *w, const float *bias,
                                     float *y, const int64_t y_strides[4],
                                     size_t row_begin, size_t row_end);

#ifdef __cplusplus
}
#endif
