/* qviz-model.c: resolving a model name or path. */

#include "qviz-model.h"

#include "qviz-onnx.h"
#include "qviz-zoo.h"

#include <string.h>

gboolean
qviz_model_spec_is_file (const char *spec)
{
  g_return_val_if_fail (spec != NULL, FALSE);
  return strchr (spec, '/') != NULL || g_str_has_suffix (spec, ".onnx") ||
         g_file_test (spec, G_FILE_TEST_EXISTS);
}

QvizGraph *
qviz_model_load (const char *spec, GError **error)
{
  g_return_val_if_fail (spec != NULL, NULL);

  if (qviz_model_spec_is_file (spec))
    {
      if (!g_file_test (spec, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_IO, "%s: no such file.", spec);
          return NULL;
        }
      return qviz_onnx_load (spec, error);
    }
  return qviz_zoo_build (spec, error);
}
