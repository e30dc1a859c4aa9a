/* qvk-f32.h: float32 kernels.
 *
 * Every kernel has a scalar reference (suffix __scalar).  Kernels that can be
 * split across threads take a half-open range of work items [begin, end):
 * for convolution and pooling the items are output rows over the batch
 * (batch * out_h); for element-wise kernels, elements.
 */
#pragma once

#include "qvk-common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Applies an activation to one value; the scalar definition every vector
 * kernel must agree with. */
float qvk_f32_activate (const qvk_activation *act, float x);

/* input NHWC, weights OHWI, bias [out_c] or NULL, output NHWC. */
void qvk_f32_conv2d__scalar (const qvk_conv_shape *s,
                             const float *input, const float *weights,
                             const float *bias, float *output,
                             int row_begin, int row_end);

/* y[i] = act(x[i]) for i in [begin, end). */
void qvk_f32_activation__scalar (const qvk_activation *act, const float *x,
                                 float *y, size_t begin, size_t end);

/* y[i] = act(a[i] + b[i]). */
void qvk_f32_add__scalar (const qvk_activation *act, const float *a,
                          const float *b, float *y, size_t begin, size_t end);

/* y[i] = a[i] * b[i]. */
void qvk_f32_mul__scalar (const float *a, const float *b, float *y,
                          size_t begin, size_t end);

/* Squeeze-excite multiply: x is [batch][pixels][channels], scale is
 * [batch][channels]; y = x * scale broadcast over pixels.  Range over
 * batch * pixels. */
void qvk_f32_mul_channel__scalar (int pixels, int channels, const float *x,
                                  const float *scale, float *y,
                                  size_t begin, size_t end);

/* [batch][pixels][channels] -> [batch][channels], mean over pixels. */
void qvk_f32_global_avgpool__scalar (int batch, int pixels, int channels,
                                     const float *x, float *y);

void qvk_f32_avgpool__scalar (const qvk_pool_shape *s, const float *x,
                              float *y, int row_begin, int row_end);
void qvk_f32_maxpool__scalar (const qvk_pool_shape *s, const float *x,
                              float *y, int row_begin, int row_end);

/* Bilinear resize, NHWC, PyTorch's interpolate(mode='bilinear') semantics
 * for both values of align_corners.  Range over batch * out_h. */
void qvk_f32_resize_bilinear__scalar (int batch, int in_h, int in_w,
                                      int channels, int out_h, int out_w,
                                      int align_corners, const float *x,
                                      float *y, int row_begin, int row_end);

/* Nearest resize (ONNX 'nearest', asymmetric, floor). */
void qvk_f32_resize_nearest__scalar (int batch, int in_h, int in_w,
                                     int channels, int out_h, int out_w,
                                     const float *x, float *y,
                                     int row_begin, int row_end);

/* y = act(x W^T + b); x [rows][in_f], W [out_f][in_f]. */
void qvk_f32_linear__scalar (int rows, int in_features, int out_features,
                             const float *x, const float *weights,
                             const float *bias, const qvk_activation *act,
                             float *y);

/* Softmax over the innermost axis of [outer][n]. */
void qvk_f32_softmax__scalar (size_t outer, size_t n, const float *x, float *y);

/* Precision-independent data movement (element size in bytes). */

/* Concatenation along an axis: each input is [outer][inner_i] and the
 * output is [outer][sum inner_i]. */
void qvk_concat (size_t elem_size, size_t outer, int n_inputs,
                 const size_t *inner, const void *const *inputs, void *output);

/* Generic transpose of a row-major tensor of rank <= 6. */
void qvk_transpose (size_t elem_size, int rank, const int64_t *dims,
                    const int *perm, const void *x, void *y);

/* Copies the elements of x in logical row-major order to y in logical
 * row-major order, each side with its own dims (same element count) and
 * strides in elements per logical axis (negative allowed): a reshape
 * between layouts, or a strided slice when the dims are the same.  Rank
 * <= 6 each. */
void qvk_strided_copy (size_t elem_size,
                       int x_rank, const int64_t *x_dims, const int64_t *x_strides,
                       int y_rank, const int64_t *y_dims, const int64_t *y_strides,
                       const void *x, void *y);

#ifdef __cplusplus
}
#endif
