/* fuzz-onnx.c: libFuzzer target for the ONNX loader.
 *
 * Every input must either load into a graph whose shapes can be inferred
 * or give an error; neither may crash, leak or read out of bounds.  Built
 * only with -Dfuzzing=true, by clang:
 *
 *   CC=clang CFLAGS=-fsanitize=fuzzer-no-link \
 *     meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
 *     -Db_lundef=false -Dgui=disabled
 *   ninja -C build-fuzz tests/fuzz-onnx
 *   build-fuzz/tests/fuzz-onnx -max_total_time=180 CORPUS tests/fixtures
 *
 * An input that crashed it belongs in tests/fixtures/onnx-crashes/ as
 * NAME.onnx, where test-onnx expects a clean error for it.
 */

#include <stddef.h>
#include <stdint.h>

#include "qviz-onnx.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  QvizGraph *g = qviz_onnx_load_from_data (data, size, "fuzz.onnx", NULL, &error);

  if (g != NULL)
    {
      QvizShape *shapes = g_new0 (QvizShape, qviz_graph_n_values (g));
      int h = g->fixed_h > 0 ? g->fixed_h : 32, w = g->fixed_w > 0 ? g->fixed_w : 32;

      /* Shapes of a loaded graph are checked, never trusted. */
      if (!qviz_graph_infer_shapes (g, 1, h, w, shapes, &error))
        g_clear_error (&error);
      g_free (shapes);
      qviz_graph_free (g);
    }
  else
    {
      g_assert (error != NULL);
      g_error_free (error);
    }
  return 0;
}
