/* qviz-onnx.h: reading a user's ONNX model into the engine graph.
 *
 * Float models and already-quantized ones (QuantizeLinear/DequantizeLinear
 * pairs, QLinearConv, QLinearMatMul, QLinearAdd) load into the same graph;
 * for the latter every scale and zero point in the file ends up in the
 * values' quant parameters and graph->prequantized is set.
 *
 * Shape computations that depend on the input size (Shape, Gather, Slice,
 * Concat, ... feeding Resize or Reshape) are followed symbolically at load
 * time and turned into size-independent attributes (resize "like value",
 * scales, reshape dims with 0 and -1), so a model exported with dynamic
 * height and width runs at any resolution.
 */
#pragma once

#include <glib.h>
#include "qviz-graph.h"

G_BEGIN_DECLS

/* Reads path (and any external data files next to it).  The graph's name is
 * the file's base name without ".onnx", its source the path and its sha256
 * that of the file's bytes. */
QvizGraph *qviz_onnx_load           (const char *path, GError **error);

/* Reads a model held in memory.  name_for_errors starts every error message
 * and names the graph; base_dir is where external data files are looked
 * up, or NULL when the model may not have any. */
QvizGraph *qviz_onnx_load_from_data (const guint8 *data, gsize len,
                                     const char *name_for_errors,
                                     const char *base_dir, GError **error);

/* The operators the loader reads, "Conv" for the default domain and
 * "com.microsoft.QLinearAdd" for others, in the loader's own table (the
 * README's list is generated from it); NULL-terminated, static. */
const char *const *qviz_onnx_supported_operators (void);

/* The same list as the README's Markdown: one line per domain, operators
 * in backquotes, sorted.  `qviz-cli operators` prints it; a test keeps the
 * README's copy equal to it. */
char *qviz_onnx_supported_operators_markdown (void);

G_END_DECLS
