/* qviz-cli-run.c: `qviz-cli run` -- a sweep from the terminal, with
 * progress on stderr and Ctrl+C cancelling cleanly. */

#include "qviz-cli.h"

#include "qviz-calibrate.h"
#include "qviz-eta.h"
#include "qviz-model.h"
#include "qviz-sweep.h"
#include "qvk-conv.h"

#include <glib-unix.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

typedef struct {
  QvizGraph *graph;
  QvizStore *store;
  QvizSweepConfig *config;
  GCancellable *cancellable;
  GMainLoop *loop;
  gboolean progress;
  gboolean quiet;
  gint64 started_us;
  QvizSweepEta *eta;
  int finished;
  /* results */
  gboolean ok;
  GError *error;
  QvizSweep *sweep;
  GPtrArray *runs;
} SweepJob;

static void
on_config_started (int index, int total, QvizPrecision precision, int h, int w,
                   int threads, gpointer user_data)
{
  SweepJob *job = user_data;
  double elapsed = (g_get_monotonic_time () - job->started_us) / 1e6;

  qviz_sweep_eta_config_started (job->eta, g_get_monotonic_time ());
  if (job->quiet)
    return;
  if (job->progress)
    {
      if (index > 0)
        {
          double eta = qviz_sweep_eta_remaining_s (job->eta);

          if (eta < 0)
            eta = elapsed / index * (total - index);
          fprintf (qviz_cli_terminal (), "\r\033[K[%d/%d] %s %dx%d, %d thread%s — ETA %d:%02d", index + 1,
                   total, qviz_precision_name (precision), h, w, threads, threads > 1 ? "s" : "",
                   (int) eta / 60, (int) eta % 60);
        }
      else
        fprintf (qviz_cli_terminal (), "\r\033[K[%d/%d] %s %dx%d, %d thread%s", index + 1, total,
                 qviz_precision_name (precision), h, w, threads, threads > 1 ? "s" : "");
    }
}

static void
on_run_finished (int index, int total, const QvizRun *run, gpointer user_data)
{
  SweepJob *job = user_data;
  char a[32], b[32], c[32];

  job->finished++;
  qviz_sweep_eta_run_finished (job->eta, run, g_get_monotonic_time ());
  if (job->quiet)
    return;
  if (job->progress)
    fprintf (qviz_cli_terminal (), "\r\033[K");
  {
    char p10[32], p90[32];
    GString *cold = g_string_new (NULL);

    /* Every cold pass, in order: the first ones are what users wait for. */
    for (guint i = 0; i < run->cold_ms->len; i++)
      g_string_append_printf (cold, "%s%s", i ? ", " : "",
                              qviz_cli_ms (g_array_index (run->cold_ms, double, i), b));
    printf ("[%d/%d] %-4s %4dx%-4d t%d  plan %s ms  cold %s ms  median %s ms (p10 %s, p90 %s)",
            index + 1, total, run->precision, run->height, run->width, run->threads,
            qviz_cli_ms (run->plan_ms, a), cold->len ? cold->str : "-",
            qviz_cli_ms (run->stats.median, c), qviz_cli_ms (run->stats.p10, p10),
            qviz_cli_ms (run->stats.p90, p90));
    g_string_free (cold, TRUE);
    if (!isnan (run->sqnr_db))
      printf ("  SQNR %.1f dB", run->sqnr_db);
    printf ("%s\n", run->status == QVIZ_RUN_CANCELLED ? "  [cancelled]" : "");
  }
  fflush (stdout);
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gpointer
sweep_thread (gpointer user_data)
{
  SweepJob *job = user_data;
  QvizSweepCallbacks cb = { on_config_started, on_run_finished, job };

  job->started_us = g_get_monotonic_time ();
  job->ok = qviz_sweep_execute (job->graph, job->store, job->config, &cb, job->cancellable,
                                &job->sweep, &job->runs, &job->error);
  g_idle_add (quit_loop, job->loop);
  return NULL;
}

static gboolean
on_sigint (gpointer user_data)
{
  SweepJob *job = user_data;

  if (g_cancellable_is_cancelled (job->cancellable))
    return G_SOURCE_CONTINUE;
  fprintf (stderr, "\nqviz-cli: cancelling after the current pass; finished runs are kept.\n");
  g_cancellable_cancel (job->cancellable);
  return G_SOURCE_CONTINUE;
}

static const QvizRun *
find_run (GPtrArray *runs, const char *precision, int h, int w, int threads)
{
  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (runs, i);
      if (g_str_equal (r->precision, precision) && r->height == h && r->width == w &&
          r->threads == threads)
        return r;
    }
  return NULL;
}

/* The int8 layers that lose accuracy on their own, once per size (at the
 * fewest threads measured: the figures barely depend on threads), on
 * stderr so that the report and --json stay as they are. */
static void
print_sqnr_warnings (GPtrArray *runs)
{
  if (runs == NULL)
    return;
  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (runs, i);
      g_autofree char *warning = NULL;
      gboolean first = TRUE;

      if (!g_str_equal (r->precision, "int8"))
        continue;
      for (guint j = 0; j < runs->len && first; j++)
        {
          const QvizRun *o = g_ptr_array_index (runs, j);
          if (o != r && g_str_equal (o->precision, "int8") && o->height == r->height &&
              o->width == r->width && (o->threads < r->threads || (o->threads == r->threads && j < i)))
            first = FALSE;
        }
      if (first && (warning = qviz_run_sqnr_warning (r, QVIZ_SQNR_WARNING_DB)) != NULL)
        fprintf (stderr, "qviz-cli: warning: int8 at %dx%d: %s\n", r->height, r->width, warning);
    }
}

static void
print_report (GPtrArray *runs, int limit)
{
  const QvizRun *last = NULL, *f32 = NULL, *int8 = NULL;

  if (runs == NULL || runs->len == 0)
    return;
  printf ("\n");
  qviz_cli_print_sweep_table (runs);

  /* Per-layer detail at the largest size and fewest threads measured. */
  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (runs, i);
      if (last == NULL || (gint64) r->height * r->width > (gint64) last->height * last->width ||
          ((gint64) r->height * r->width == (gint64) last->height * last->width &&
           r->threads < last->threads))
        last = r;
    }
  f32 = find_run (runs, "f32", last->height, last->width, last->threads);
  int8 = find_run (runs, "int8", last->height, last->width, last->threads);
  printf ("\n");
  if (f32 && int8)
    {
      printf ("Layers at %dx%d, %d thread%s, slowest first (int8/f32 > 1: int8 is slower):\n",
              last->height, last->width, last->threads, last->threads > 1 ? "s" : "");
      qviz_cli_print_precision_table (f32, int8, limit);
    }
  else
    {
      printf ("Layers of %s at %dx%d, %d thread%s, slowest first:\n", last->precision,
              last->height, last->width, last->threads, last->threads > 1 ? "s" : "");
      qviz_cli_print_layer_table (last, limit);
    }
}

int
qviz_cli_run (int argc, char **argv)
{
  g_autofree char *res = NULL;
  g_autofree char *threads = NULL;
  g_autofree char *precision = NULL;
  g_autofree char *db = NULL;
  g_autofree char *algo = NULL;
  g_autofree char *calibration = NULL;
  g_autofree char *cal_method = NULL;
  g_autofree char *calib_size = NULL;
  g_autofree char *isa = NULL;
  g_autofree char *float_model = NULL;
  g_autofree char *keep_float = NULL;
  int iterations = 0, warmup = -1, cold = -1, layers = 25;
  double min_time = -1;
  gboolean json = FALSE, no_store = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "res", 'r', 0, G_OPTION_ARG_STRING, &res, "Resolutions, e.g. 256,512,1024 or 512x768 (default 256,512,1024)", "LIST" },
    { "threads", 't', 0, G_OPTION_ARG_STRING, &threads, "Thread counts, e.g. 1,2 (default 1 up to the cores)", "LIST" },
    { "precision", 'p', 0, G_OPTION_ARG_STRING, &precision, "f32, int8 or f32,int8 (default both)", "LIST" },
    { "iterations", 'n', 0, G_OPTION_ARG_INT, &iterations, "Warm passes per configuration (default: time-based)", "N" },
    { "min-time", 0, 0, G_OPTION_ARG_DOUBLE, &min_time, "Seconds of warm passes per configuration (default 0.5, at least 10 passes)", "SECONDS" },
    { "cold", 0, 0, G_OPTION_ARG_INT, &cold, "Cold passes, timed and kept apart (default 3)", "N" },
    { "warmup", 'w', 0, G_OPTION_ARG_INT, &warmup, "Passes after the cold ones that are run but not kept (default 0)", "N" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Run store (default $XDG_DATA_HOME/qviz/runs.sqlite)", "FILE" },
    { "no-store", 0, 0, G_OPTION_ARG_NONE, &no_store, "Do not store the runs", NULL },
    { "conv-algo", 0, 0, G_OPTION_ARG_STRING, &algo, "auto (default), im2col (the slow path of the reports) or reference", "ALGO" },
    { "isa", 0, 0, G_OPTION_ARG_STRING, &isa, "Highest ISA for kernels: scalar, avx2, avx512, avx512vnni (x86); scalar, neon, neondot, neoni8mm (Arm)", "ISA" },
    { "calibration", 0, 0, G_OPTION_ARG_FILENAME, &calibration, "int8 calibration: a folder of JPEG/PNG images or an NxCxHxW .npy", "PATH" },
    { "calibration-method", 0, 0, G_OPTION_ARG_STRING, &cal_method, "minmax, percentile (default) or histogram", "METHOD" },
    { "calib-size", 0, 0, G_OPTION_ARG_STRING, &calib_size, "Size int8 calibration runs at, once for every size (default the smallest of --res, at most the model's own size; a .npy batch: its own)", "HxW" },
    { "keep-float", 0, 0, G_OPTION_ARG_STRING, &keep_float, "int8: run these layers (names as 'info' lists them) in float, with their conversions timed apart", "LAYER,..." },
    { "float-model", 0, 0, G_OPTION_ARG_FILENAME, &float_model, "The float original of a quantized MODEL: the f32 runs and the int8 output SQNR use it", "FILE" },
    { "layers", 0, 0, G_OPTION_ARG_INT, &layers, "Layers to list in the report (default 25, 0 for all)", "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the final report", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON document", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("MODEL - measure a model");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) graph = NULL;
  g_autoptr (QvizGraph) float_graph = NULL;
  g_autoptr (QvizStore) store = NULL;
  g_autoptr (QvizSweepConfig) config = qviz_sweep_config_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  SweepJob job = { 0 };
  GThread *thread;
  guint sig;
  int status;

  g_option_context_set_summary (ctx,
    "Runs MODEL at every resolution x thread count x precision, interleaved, and\n"
    "stores each configuration in the run store as it finishes. Ctrl+C stops after\n"
    "the current pass and keeps what was measured.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!qviz_cli_parse (ctx, &argc, &argv))
    return QVIZ_EXIT_USAGE;
  if (argc != 2)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "run needs one MODEL (a built-in name or an .onnx file).");

  if ((res && !qviz_parse_resolutions (res, config->resolutions, &error)) ||
      (threads && !qviz_parse_threads (threads, config->threads, &error)) ||
      (precision && !qviz_parse_precisions (precision, config->precisions, &error)))
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
  if (iterations < 0)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "--iterations %d is not valid; use 1 or more.", iterations);
  config->iterations = iterations;
  if (min_time >= 0)
    {
      if (min_time > 3600)
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "--min-time %g is too long; use at most 3600 seconds.", min_time);
      config->min_time = min_time;
    }
  if (cold >= 0)
    config->cold = cold;
  if (warmup >= 0)
    config->warmup = warmup;
  if (config->cold > 1000 || config->warmup > 100000)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "--cold %d or --warmup %d is too many; use at most 1000 and 100000.",
                          config->cold, config->warmup);
  if (algo)
    {
      if (g_str_equal (algo, "auto"))
        config->conv_algo = QVIZ_CONV_ALGO_AUTO;
      else if (g_str_equal (algo, "im2col"))
        config->conv_algo = QVIZ_CONV_ALGO_IM2COL;
      else if (g_str_equal (algo, "reference"))
        config->conv_algo = QVIZ_CONV_ALGO_REFERENCE;
      else
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "--conv-algo '%s' is not known; use auto, im2col or reference.", algo);
    }
  if (isa)
    {
      qvk_isa level;
      if (!qvk_isa_parse (isa, &level))
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "--isa '%s' is not a level of this machine; use one of %s.", isa, qvk_isa_names ());
      config->isa = (int) level;
    }

  graph = qviz_model_load (argv[1], &error);
  if (graph == NULL)
    return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);

  if (keep_float)
    config->keep_float = g_strsplit (keep_float, ",", -1);
  if (float_model)
    {
      float_graph = qviz_model_load (float_model, &error);
      if (float_graph == NULL)
        return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);
      config->float_graph = float_graph;
    }

  /* The sweep calibrates once, at --calib-size, or reuses the store's */
  config->calibration.source = calibration;
  if (cal_method && !qviz_calibration_method_parse (cal_method, &config->calibration.method, &error))
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
  if (calib_size)
    {
      g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (QvizResolution));
      if (!qviz_parse_resolutions (calib_size, sizes, &error) || sizes->len != 1)
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "--calib-size '%s' is not one size; use e.g. 256 or 256x384.",
                              calib_size);
      config->calibration.height = g_array_index (sizes, QvizResolution, 0).height;
      config->calibration.width = g_array_index (sizes, QvizResolution, 0).width;
    }

  if (!no_store)
    {
      store = qviz_cli_open_store (db, TRUE, &error);
      if (store == NULL)
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
    }

  job.graph = graph;
  job.store = store;
  job.config = config;
  job.cancellable = cancellable;
  job.loop = loop;
  job.progress = isatty (STDERR_FILENO) && !json && !quiet;
  job.quiet = json || quiet;
  job.eta = qviz_sweep_eta_new (config);

  if (!job.quiet)
    {
      g_autoptr (QvizModelInfo) mi = qviz_model_info_from_graph (graph);
      printf ("%s: %.2f M parameters, weights %.2f MB f32 / %.2f MB int8\n", graph->name,
              mi->params / 1e6, mi->weight_bytes_f32 / 1e6, mi->weight_bytes_int8 / 1e6);
    }
  if (!job.quiet)
    printf ("%s: %u configurations on %s kernels%s%s\n", graph->name,
            config->resolutions->len * config->threads->len * config->precisions->len,
            qvk_isa_name (config->isa >= 0 ? (qvk_isa) MIN (config->isa, (int) qvk_isa_detect ())
                                           : qvk_isa_detect ()),
            store ? ", storing in " : "", store ? qviz_store_get_path (store) : "");
  fflush (stdout);

  sig = g_unix_signal_add (SIGINT, on_sigint, &job);
  thread = g_thread_new ("qviz-sweep", sweep_thread, &job);
  g_main_loop_run (loop);
  g_thread_join (thread);
  g_source_remove (sig);

  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, graph->name);
      if (job.sweep)
        {
          json_builder_set_member_name (b, "sweep");
          json_builder_add_value (b, qviz_cli_json_sweep (job.sweep));
        }
      json_builder_set_member_name (b, "runs");
      json_builder_begin_array (b);
      for (guint i = 0; job.runs && i < job.runs->len; i++)
        json_builder_add_value (b, qviz_cli_json_run (g_ptr_array_index (job.runs, i), TRUE));
      json_builder_end_array (b);
      if (job.error)
        {
          json_builder_set_member_name (b, "error");
          json_builder_add_string_value (b, job.error->message);
        }
      json_builder_end_object (b);
      qviz_cli_print_json (json_builder_get_root (b));
    }
  else
    print_report (job.runs, layers);
  print_sqnr_warnings (job.runs);

  if (!job.quiet && job.sweep && store)
    printf ("\nsweep %s stored in %s ('qviz-cli show %.8s' shows it again)\n", job.sweep->uuid,
            qviz_store_get_path (store), job.sweep->uuid);

  status = job.ok ? QVIZ_EXIT_OK : qviz_cli_status_for_error (job.error);
  if (!job.ok)
    qviz_cli_fail (status, "%s", job.error ? job.error->message : "the sweep failed.");
  g_clear_error (&job.error);
  g_clear_pointer (&job.sweep, qviz_sweep_free);
  g_clear_pointer (&job.runs, g_ptr_array_unref);
  g_clear_pointer (&job.eta, qviz_sweep_eta_free);
  return status;
}
