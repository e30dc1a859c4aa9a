/* fuzz-trace.c: libFuzzer target for trace import.  Each input is a file
 * someone took for a profile (seeded with the ONNX Runtime and PyTorch
 * traces of tests/fixtures/traces); it is mapped onto a built-in model and,
 * when taken, every pass's layers must add up to the pass.  Built with
 * -Dfuzzing=true. */

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "qviz-model.h"
#include "qviz-trace.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *path;
static QvizGraph *graph;

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  QvizTraceOptions options;
  QvizTraceImport *ti;

  if (graph == NULL)
    {
      char *dir = g_dir_make_tmp ("qviz-fuzz-trace-XXXXXX", NULL);

      path = g_build_filename (dir, "trace.json", NULL);
      g_free (dir);
      graph = qviz_model_load ("dwsep5x5", &error);
      if (graph == NULL)
        abort ();
    }
  if (!g_file_set_contents (path, (const char *) data, (gssize) size, NULL))
    abort ();

  qviz_trace_options_init (&options);
  ti = qviz_trace_import (path, graph, &options, &error);
  if (ti == NULL)
    {
      if (error == NULL || error->message[0] == '\0')
        abort ();   /* a refusal always says why */
      g_clear_error (&error);
      return 0;
    }
  for (guint p = 0; p < qviz_run_n_passes (ti->run); p++)
    {
      double pass = p < ti->run->cold_ms->len
                      ? g_array_index (ti->run->cold_ms, double, p)
                      : g_array_index (ti->run->warm_ms, double, p - ti->run->cold_ms->len);
      double sum = 0;

      for (guint l = 0; l < ti->run->layers->len; l++)
        sum += g_array_index (qviz_run_get_layer (ti->run, l)->pass_ms, float, p);
      if (!(fabs (sum - pass) <= 1e-3 * pass + 1e-3))
        abort ();
    }
  qviz_trace_import_free (ti);
  return 0;
}
