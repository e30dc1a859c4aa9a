/* qviz-layer-class.h: the classes layers are grouped in when time is broken
 * down, shared by the engine and the chart painters (no other dependency). */
#pragma once

/* In the order the breakdown stacks them (bottom first). */
typedef enum {
  QVIZ_LAYER_CLASS_DILATED_DEPTHWISE,
  QVIZ_LAYER_CLASS_DEPTHWISE,
  QVIZ_LAYER_CLASS_POINTWISE,
  QVIZ_LAYER_CLASS_CONV,
  QVIZ_LAYER_CLASS_OTHER,
  QVIZ_N_LAYER_CLASSES
} QvizLayerClass;
