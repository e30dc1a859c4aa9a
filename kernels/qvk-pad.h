/* qvk-pad.h: padding (and cropping, by negative pads) of the height and
 * width of NHWC feature maps, for any element size: the float and int8
 * plans share it, the int8 one with the constant already quantized. */
#pragma once

#include "qvk-common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  QVK_PAD_CONSTANT, /* the fill pixel */
  QVK_PAD_REFLECT,  /* mirrored about the edge pixel, which is not repeated */
  QVK_PAD_EDGE,     /* the edge pixel repeated */
} qvk_pad_mode;

typedef struct {
  int batch, in_h, in_w, channels;
  int pad_top, pad_left;      /* negative: rows or columns cropped */
  int out_h, out_w;
  qvk_pad_mode mode;
} qvk_pad_shape;

/* Output rows [row_begin, row_end) of batch * out_h; fill is one pixel
 * (channels elements of elem_size bytes) for QVK_PAD_CONSTANT.  Reflection
 * needs in_h, in_w > 1 wherever it reaches past an edge. */
void qvk_pad_nhwc (const qvk_pad_shape *s, size_t elem_size, const void *fill,
                   const void *x, void *y, int row_begin, int row_end);

#ifdef __cplusplus
}
#endif
