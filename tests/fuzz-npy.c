/* fuzz-npy.c: libFuzzer target for the .npy reader (calibration batches and
 * infer inputs).  Every input must give an array whose size matches its
 * shape, or an error; neither may crash, leak or read out of bounds.  Built
 * with -Dfuzzing=true (see fuzz-onnx.c and `make fuzz-smoke`). */

#include <stddef.h>
#include <stdint.h>

#include "qviz-npy.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  QvizShape shape;
  float *x = qviz_npy_parse ("fuzz.npy", (const char *) data, size, &shape, &error);

  if (x != NULL)
    {
      guint64 bytes;
      volatile float sum = 0;

      /* A shape it accepts is one whose every value it holds. */
      if (!qviz_shape_bytes_checked (&shape, sizeof (float), &bytes))
        __builtin_trap ();
      for (int64_t i = 0; i < qviz_shape_numel (&shape); i++)
        sum += x[i];
      (void) sum;
      g_free (x);
    }
  else
    g_clear_error (&error);
  return 0;
}
