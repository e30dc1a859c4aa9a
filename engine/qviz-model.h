/* qviz-model.h: a model by name -- a built-in one, or an ONNX file. */
#pragma once

#include <glib.h>
#include "qviz-graph.h"

G_BEGIN_DECLS

/* spec is a built-in model's name or the path of an .onnx file. */
QvizGraph *qviz_model_load (const char *spec, GError **error);

/* TRUE when spec names a file rather than a built-in model. */
gboolean   qviz_model_spec_is_file (const char *spec);

G_END_DECLS
