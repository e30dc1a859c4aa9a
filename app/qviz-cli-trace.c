/* qviz-cli-trace.c: import-trace, ONNX Runtime and PyTorch profiles as a
 * sweep of runs (engine/qviz-trace.h). */

#include <stdio.h>

#include "qviz-cli.h"
#include "qviz-model.h"
#include "qviz-sweep.h"
#include "qviz-trace.h"

int
qviz_cli_import_trace (int argc, char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *model = NULL;
  g_autofree char *precision = NULL;
  g_autofree char *res = NULL;
  g_autofree char *engine = NULL;
  int threads = 0, cold = -1;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, "The model the traces ran (built-in name or .onnx file, e.g. the PyTorch model's ONNX export); required", "MODEL" },
    { "precision", 'p', 0, G_OPTION_ARG_STRING, &precision, "f32 or int8 (default: from the trace)", "P" },
    { "res", 'r', 0, G_OPTION_ARG_STRING, &res, "Input size, 512 or 512x768 (default: from the trace, else the model's)", "SIZE" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads the runtime used (default: from the trace, else 1)", "N" },
    { "cold", 0, 0, G_OPTION_ARG_INT, &cold, "How many first passes are cold (default: from the trace, else 1)", "N" },
    { "engine", 0, 0, G_OPTION_ARG_STRING, &engine, "Engine name to record, e.g. \"onnxruntime 1.17 CPU\" (default: from the trace)", "TEXT" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Run store (default $XDG_DATA_HOME/qviz/runs.sqlite)", "FILE" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx =
    g_option_context_new ("TRACE... - store ONNX Runtime profiles or PyTorch chrome traces as one sweep");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) graph = NULL;
  g_autoptr (QvizStore) store = NULL;
  g_autoptr (GPtrArray) imports = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_trace_import_free);
  g_autofree char *sweep_uuid = NULL;
  QvizTraceOptions options;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!qviz_cli_parse (ctx, &argc, &argv))
    return QVIZ_EXIT_USAGE;
  if (argc < 2)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "import-trace needs a trace file (ONNX Runtime profile JSON or PyTorch chrome trace).");
  if (model == NULL)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "import-trace needs --model: the model the traces ran, to map their events to its layers.");

  qviz_trace_options_init (&options);
  if (precision != NULL)
    {
      QvizPrecision p;
      if (!qviz_precision_parse (precision, &p))
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "Unknown precision '%s'; use f32 or int8.", precision);
      options.precision = qviz_precision_name (p);
    }
  if (res != NULL)
    {
      g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (QvizResolution));
      if (!qviz_parse_resolutions (res, sizes, &error))
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
      if (sizes->len != 1)
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "--res takes one size, not '%s'.", res);
      options.height = g_array_index (sizes, QvizResolution, 0).height;
      options.width = g_array_index (sizes, QvizResolution, 0).width;
    }
  if (threads < 0 || threads > 65536)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "--threads must be between 1 and 65536, not %d.", threads);
  options.threads = threads;
  options.cold = cold < 0 ? -1 : cold;
  if (engine != NULL && (engine[0] == '\0' || g_utf8_strlen (engine, -1) > 256))
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "--engine needs a name of 1 to 256 characters.");
  options.engine = engine;

  graph = qviz_model_load (model, &error);
  if (graph == NULL)
    return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);

  /* Every file is read and mapped before the store is opened: a refused
   * file leaves the database as it was. */
  for (int i = 1; i < argc; i++)
    {
      QvizTraceImport *ti = qviz_trace_import (argv[i], graph, &options, &error);
      if (ti == NULL)
        return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);
      g_ptr_array_add (imports, ti);
    }

  store = qviz_cli_open_store (db, TRUE, &error);
  if (store == NULL)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
  sweep_uuid = qviz_trace_store_sweep (store, graph, imports, &error);
  if (sweep_uuid == NULL)
    return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);

  for (guint i = 0; i < imports->len; i++)
    {
      const QvizTraceImport *ti = g_ptr_array_index (imports, i);
      const QvizRun *run = ti->run;
      g_autofree char *summary = qviz_trace_import_summary (ti);
      char med[32];

      printf ("%s: %s %s %dx%d, %d thread%s: %u passes (%u cold), warm median %s ms; %s\n",
              ti->file, run->engine, run->precision, run->height, run->width, run->threads,
              run->threads == 1 ? "" : "s", ti->n_passes, ti->n_cold,
              qviz_cli_ms (run->stats.median, med), summary);
      if (ti->unmapped_layers[0] != '\0')
        printf ("  no event maps to: %s\n", ti->unmapped_layers);
    }
  printf ("Stored sweep %.8s (%u run%s of %s) in %s\n", sweep_uuid, imports->len,
          imports->len == 1 ? "" : "s", graph->name, qviz_store_get_path (store));
  return QVIZ_EXIT_OK;
}
