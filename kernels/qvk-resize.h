/* qvk-resize.h: resize by a table of source taps, one per output row and
 * one per output column, for every coordinate mode the vector bilinear
 * kernels (qvk-elementwise.h) do not compute.  The caller fills the table
 * (for ONNX, engine/qviz-resize.c follows the specification); the kernels
 * only interpolate, so both precisions take the same pixels and weights.
 */
#pragma once

#include "qvk-common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Output index -> the pixels i0 and i1 either side of its source coordinate
 * (already clamped into the input) and the weight lambda of i1.  Nearest
 * resizing has i1 == i0 and lambda 0. */
typedef struct {
  int32_t i0, i1;
  float lambda;
} qvk_resize_tap;

/* NHWC; rows [row_begin, row_end) of batch * out_h; taps_y [out_h],
 * taps_x [out_w]. */
void qvk_f32_resize_taps__scalar (int batch, int in_h, int in_w, int channels,
                                  int out_h, int out_w,
                                  const qvk_resize_tap *taps_y,
                                  const qvk_resize_tap *taps_x,
                                  const float *x, float *y,
                                  int row_begin, int row_end);

/* The same in the input's own quantization: interpolated in fp32, rounded
 * to nearest (ties to even) and clamped to 0..255. */
void qvk_qu8_resize_taps__scalar (int batch, int in_h, int in_w, int channels,
                                  int out_h, int out_w,
                                  const qvk_resize_tap *taps_y,
                                  const qvk_resize_tap *taps_x,
                                  const uint8_t *x, uint8_t *y,
                                  int row_begin, int row_end);

#ifdef __cplusplus
}
#endif
