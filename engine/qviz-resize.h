/* qviz-resize.h: the source pixels of a resize, as the ONNX specification
 * computes them (onnx/reference/ops/op_resize.py: the source coordinate in
 * double precision, edge pixels repeated outside the input). */
#pragma once

#include "qviz-graph.h"
#include "qvk-resize.h"

G_BEGIN_DECLS

/* The scale that maps output to input coordinates along one axis: the
 * given scale when the node gives scales, out / in when it gives sizes. */
double   qviz_resize_axis_scale (const QvizResizeAttrs *r, int axis, int in_size,
                                 int out_size);

/* Fills taps[out_size] for one axis (2 = height, 3 = width). */
void     qviz_resize_axis_taps (const QvizResizeAttrs *r, int axis, int in_size,
                                int out_size, qvk_resize_tap *taps);

/* taps for the rows [out_h] then the columns [out_w]; g_free it. */
qvk_resize_tap *qviz_resize_taps_new (const QvizResizeAttrs *r, int in_h, int in_w,
                                      int out_h, int out_w);

/* True when the vector bilinear kernels (PyTorch's interpolate(), single
 * precision coordinates) take the same pixels as the specification for this
 * resize, so that the result differs only by float rounding. */
gboolean qviz_resize_is_pytorch_bilinear (const QvizResizeAttrs *r, int in_h, int in_w,
                                          int out_h, int out_w);

/* The ONNX names of the modes, for messages. */
const char *qviz_resize_coord_name (QvizResizeCoord coord);

G_END_DECLS
