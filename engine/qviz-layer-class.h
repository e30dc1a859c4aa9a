/* qviz-layer-class.h: the classes layers are grouped in when time is broken
 * down, shared by the engine and the chart painters (no other dependency). */
#pragma once

/* In the order the breakdown stacks them (bottom first). */
typedef enum {
  QVIZ_LAYER_CLASS_DILATED_DEPTHWISE,
  QVIZ_LAYER_CLASS_DEPTHWISE,
  QVIZ_LAYER_CLASS_POINTWISE,
  QVIZ_LAYER_CLASS_CONV,
  QVIZ_LAYER_CLASS_ATTENTION,      /* softmax (and the MatMuls around it) */
  QVIZ_LAYER_CLASS_NORMALIZATION,  /* batch and layer normalization left unfolded */
  QVIZ_LAYER_CLASS_DATA_MOVEMENT,  /* transposes, reshapes, concatenations, pads */
  QVIZ_LAYER_CLASS_OTHER,
  QVIZ_N_LAYER_CLASSES
} QvizLayerClass;

#include <string.h>

/* The class of a layer that is not a convolution, from its op name as the
 * engine writes it ("softmax" -> attention, "transpose" -> data movement);
 * the engine and the painters of stored runs both classify by it. */
static inline QvizLayerClass
qviz_layer_class_of_op (const char *op)
{
  static const char *const attention[] = { "softmax", "log_softmax", "matmul", NULL };
  static const char *const normalization[] = { "batchnorm", "layer_norm", NULL };
  static const char *const movement[] = { "transpose", "reshape", "flatten", "concat", "pad",
                                          "slice", NULL };

  for (int k = 0; op != NULL && attention[k] != NULL; k++)
    if (strcmp (op, attention[k]) == 0)
      return QVIZ_LAYER_CLASS_ATTENTION;
  for (int k = 0; op != NULL && normalization[k] != NULL; k++)
    if (strcmp (op, normalization[k]) == 0)
      return QVIZ_LAYER_CLASS_NORMALIZATION;
  for (int k = 0; op != NULL && movement[k] != NULL; k++)
    if (strcmp (op, movement[k]) == 0)
      return QVIZ_LAYER_CLASS_DATA_MOVEMENT;
  return QVIZ_LAYER_CLASS_OTHER;
}
