/* qviz-cli.c: the headless twin of qviz -- entry point, models, info, infer. */

#include "qviz-cli.h"

#include "qviz-config.h"
#include "qviz-commit.h"
#include "qviz-calibrate.h"
#include "qviz-input.h"
#include "qviz-sweep.h"
#include "qviz-model.h"
#include "qviz-npy.h"
#include "qviz-onnx.h"
#include "qviz-zoo.h"
#include "qvk-conv.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int
qviz_cli_fail (int status, const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  fprintf (stderr, "qviz-cli: %s\n", msg);
  return status;
}

int
qviz_cli_status_for_error (const GError *error)
{
  if (error == NULL)
    return QVIZ_EXIT_FAILURE;
  if (error->domain == QVIZ_ERROR)
    switch (error->code)
      {
      case QVIZ_ERROR_CANCELLED:
        return QVIZ_EXIT_CANCELLED;
      case QVIZ_ERROR_INVALID_ARGUMENT:
      case QVIZ_ERROR_UNSUPPORTED:
      case QVIZ_ERROR_PARSE:
      case QVIZ_ERROR_IO:
      case QVIZ_ERROR_SHAPE:
      case QVIZ_ERROR_DATABASE:
      case QVIZ_ERROR_MEMORY:
        return QVIZ_EXIT_USAGE;
      default:
        break;
      }
  if (error->domain == G_OPTION_ERROR || error->domain == G_FILE_ERROR)
    return QVIZ_EXIT_USAGE;
  return QVIZ_EXIT_FAILURE;
}

gboolean
qviz_cli_parse (GOptionContext *context, int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* --db, else QVIZ_DB (a file or a postgresql:// URI), else the default
 * file. */
QvizStore *
qviz_cli_open_store (const char *path, gboolean write, GError **error)
{
  const char *env = g_getenv ("QVIZ_DB");

  if (path == NULL && env != NULL && env[0] != '\0')
    path = env;
  return qviz_store_open (path, write ? QVIZ_STORE_READ_WRITE : QVIZ_STORE_READ_ONLY, error);
}

void
qviz_cli_print_json (JsonNode *root)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

const char *
qviz_cli_ms (double ms, char buf[32])
{
  if (isnan (ms))
    g_snprintf (buf, 32, "-");
  else if (ms >= 100)
    g_snprintf (buf, 32, "%.0f", ms);
  else if (ms >= 10)
    g_snprintf (buf, 32, "%.1f", ms);
  else if (ms >= 1)
    g_snprintf (buf, 32, "%.2f", ms);
  else
    g_snprintf (buf, 32, "%.3f", ms);
  return buf;
}

/* ---- models --------------------------------------------------------------- */

int
qviz_cli_models (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON document", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- list the built-in models");
  const QvizZooEntry *list;
  guint n;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!qviz_cli_parse (ctx, &argc, &argv))
    return QVIZ_EXIT_USAGE;
  if (argc > 1)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "models takes no arguments, got '%s'.", argv[1]);

  list = qviz_zoo_list (&n);
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "models");
      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, list[i].name);
          json_builder_set_member_name (b, "description");
          json_builder_add_string_value (b, list[i].description);
          json_builder_set_member_name (b, "default_res");
          json_builder_add_int_value (b, list[i].default_res);
          json_builder_set_member_name (b, "default");
          json_builder_add_boolean_value (b, i == 0);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      qviz_cli_print_json (json_builder_get_root (b));
      return QVIZ_EXIT_OK;
    }
  for (guint i = 0; i < n; i++)
    printf ("%-20s %4d  %s%s\n", list[i].name, list[i].default_res, list[i].description,
            i == 0 ? " (default)" : "");
  return QVIZ_EXIT_OK;
}

/* ---- info ----------------------------------------------------------------- */

static gboolean
parse_one_resolution (const char *text, int *h, int *w, GError **error)
{
  char *end;
  gint64 a = g_ascii_strtoll (text, &end, 10), b = a;

  if (end != text && (*end == 'x' || *end == 'X'))
    {
      const char *s = end + 1;
      b = g_ascii_strtoll (s, &end, 10);
      if (end == s)
        b = -1;
    }
  if (end == text || *end != '\0' || a < 8 || b < 8 || a > 16384 || b > 16384)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "Resolution '%s' is not valid; use a size from 8 to 16384, like 512 or 512x768.",
                   text);
      return FALSE;
    }
  *h = (int) a;
  *w = (int) b;
  return TRUE;
}

static char *
human_count (guint64 v)
{
  if (v >= 1000000000)
    return g_strdup_printf ("%.2fG", v / 1e9);
  if (v >= 1000000)
    return g_strdup_printf ("%.2fM", v / 1e6);
  if (v >= 1000)
    return g_strdup_printf ("%.1fk", v / 1e3);
  return g_strdup_printf ("%" G_GUINT64_FORMAT, v);
}

int
qviz_cli_info (int argc, char **argv)
{
  gboolean json = FALSE;
  g_autofree char *res = NULL;
  GOptionEntry entries[] = {
    { "res", 'r', 0, G_OPTION_ARG_STRING, &res, "Input size (512 or 512x768); default: the model's", "SIZE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON document", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("MODEL - every layer of a model");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = NULL;
  g_autoptr (QvizPlan) plan = NULL;
  QvizPlanConfig pc;
  guint64 total_macs = 0, total_params = 0;
  int h, w, n_dw = 0, n_dil = 0, op_width;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!qviz_cli_parse (ctx, &argc, &argv))
    return QVIZ_EXIT_USAGE;
  if (argc != 2)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "info needs one MODEL (a built-in name or an .onnx file).");

  g = qviz_model_load (argv[1], &error);
  if (g == NULL)
    return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);
  h = g->fixed_h > 0 ? g->fixed_h : g->default_res;
  w = g->fixed_w > 0 ? g->fixed_w : g->default_res;
  if (res && !parse_one_resolution (res, &h, &w, &error))
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);

  qviz_plan_config_init (&pc);
  pc.height = h;
  pc.width = w;
  /* Describing needs no activations: any size prints, however large. */
  pc.layout_only = TRUE;
  plan = qviz_plan_new (g, &pc, &error);
  if (plan == NULL)
    return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);

  for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
    {
      const QvizLayerInfo *l = qviz_plan_get_layer (plan, i);
      total_macs += l->macs;
      total_params += l->params;
      n_dw += l->depthwise;
      n_dil += l->dilated;
    }

  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, g->name);
      json_builder_set_member_name (b, "source");
      json_builder_add_string_value (b, g->source);
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, g->sha256);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, h);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, w);
      json_builder_set_member_name (b, "macs");
      json_builder_add_int_value (b, (gint64) total_macs);
      json_builder_set_member_name (b, "params");
      json_builder_add_int_value (b, (gint64) qviz_graph_params (g));
      {
        g_autoptr (QvizModelInfo) mi = qviz_model_info_from_graph (g);
        json_builder_set_member_name (b, "weight_bytes_f32");
        json_builder_add_int_value (b, (gint64) mi->weight_bytes_f32);
        json_builder_set_member_name (b, "weight_bytes_int8");
        json_builder_add_int_value (b, (gint64) mi->weight_bytes_int8);
      }
      json_builder_set_member_name (b, "arena_bytes_f32");
      json_builder_add_int_value (b, (gint64) qviz_plan_get_arena_bytes (plan));
      json_builder_set_member_name (b, "layers");
      json_builder_begin_array (b);
      for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
        {
          const QvizLayerInfo *l = qviz_plan_get_layer (plan, i);
          g_autofree char *in = qviz_shape_to_string (&l->in_shape);
          g_autofree char *out = qviz_shape_to_string (&l->out_shape);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, l->name);
          json_builder_set_member_name (b, "op");
          json_builder_add_string_value (b, l->op);
          json_builder_set_member_name (b, "fused");
          json_builder_add_string_value (b, l->fused ? l->fused : "");
          json_builder_set_member_name (b, "kernel");
          json_builder_add_string_value (b, l->kernel ? l->kernel : "");
          json_builder_set_member_name (b, "reason");
          json_builder_add_string_value (b, l->reason ? l->reason : "");
          json_builder_set_member_name (b, "in_shape");
          json_builder_add_string_value (b, in);
          json_builder_set_member_name (b, "out_shape");
          json_builder_add_string_value (b, out);
          json_builder_set_member_name (b, "kernel_size");
          json_builder_add_int_value (b, l->kernel_h);
          json_builder_set_member_name (b, "stride");
          json_builder_add_int_value (b, l->stride_h);
          json_builder_set_member_name (b, "dilation");
          json_builder_add_int_value (b, l->dilation_h);
          json_builder_set_member_name (b, "groups");
          json_builder_add_int_value (b, l->groups);
          json_builder_set_member_name (b, "depthwise");
          json_builder_add_boolean_value (b, l->depthwise);
          json_builder_set_member_name (b, "dilated");
          json_builder_add_boolean_value (b, l->dilated);
          json_builder_set_member_name (b, "layer_class");
          json_builder_add_string_value (b, qviz_layer_class_name (l->layer_class));
          json_builder_set_member_name (b, "params");
          json_builder_add_int_value (b, (gint64) l->params);
          json_builder_set_member_name (b, "macs");
          json_builder_add_int_value (b, (gint64) l->macs);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      qviz_cli_print_json (json_builder_get_root (b));
      return QVIZ_EXIT_OK;
    }

  qviz_cli_clean (g->name);
  op_width = qviz_op_name_width ();
  printf ("%s (%s) at %dx%d, %d layers, kernels for %s\n", g->name, g->source, h, w,
          qviz_plan_get_n_layers (plan), qvk_isa_name (qvk_isa_detect ()));
  printf ("  # %-52s %-*s %-15s %-12s %5s %3s %3s %5s %-3s %9s %9s  %s\n", "layer",
          op_width, "op", "fused", "out shape", "k", "s", "d", "g", "dw", "params", "MACs", "kernel");
  for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
    {
      const QvizLayerInfo *l = qviz_plan_get_layer (plan, i);
      g_autofree char *out = qviz_shape_to_string (&l->out_shape);
      g_autofree char *params = human_count (l->params);
      g_autofree char *macs = human_count (l->macs);
      g_autofree char *k = g_strdup_printf ("%dx%d", l->kernel_h, l->kernel_w);
      const char *mark = l->dilated && l->depthwise ? "DD" : l->depthwise ? "D" : l->dilated ? "d" : "";
      g_autofree char *name = g_strdup (l->name); /* from the file: may hold anything */

      qviz_cli_clean (name);
      printf ("%3d %-52s %-*s %-15s %-12s %5s %3d %3d %5d %-3s %9s %9s  %s\n", i, name,
              op_width, l->op, l->fused && *l->fused ? l->fused : "-", out, k, l->stride_h,
              l->dilation_h, l->groups, mark, params, macs, l->kernel ? l->kernel : "");
    }
  {
    g_autofree char *macs = human_count (total_macs);
    g_autofree char *params = human_count (qviz_graph_params (g));
    g_autoptr (QvizModelInfo) mi = qviz_model_info_from_graph (g);
    printf ("total: %s MACs, %s parameters, %d depthwise layers (%d dilated), "
            "weights %.2f MB f32 / %.2f MB int8, activations %.1f MB f32\n",
            macs, params, n_dw, n_dil, mi->weight_bytes_f32 / 1e6,
            mi->weight_bytes_int8 / 1e6, qviz_plan_get_arena_bytes (plan) / 1e6);
    printf ("marks: D depthwise, DD dilated depthwise, d dilated\n");
  }
  return QVIZ_EXIT_OK;
}

/* ---- infer ------------------------------------------------------------------ */

static char *
output_path (const char *base, int i)
{
  if (i == 0)
    return g_strdup (base);
  if (g_str_has_suffix (base, ".npy"))
    {
      g_autofree char *stem = g_strndup (base, strlen (base) - 4);
      return g_strdup_printf ("%s.%d.npy", stem, i);
    }
  return g_strdup_printf ("%s.%d", base, i);
}

int
qviz_cli_infer (int argc, char **argv)
{
  g_autofree char *input = NULL;
  g_autofree char *output = NULL;
  g_autofree char *precision = NULL;
  g_autofree char *calibration = NULL;
  g_autofree char *cal_method = NULL;
  g_autofree char *keep_float = NULL;
  g_auto (GStrv) keep = NULL;
  int threads = 1;
  GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, "NCHW float32 .npy input", "FILE" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Where to write the output .npy (further outputs: NAME.1.npy, ...)", "FILE" },
    { "precision", 'p', 0, G_OPTION_ARG_STRING, &precision, "f32 (default) or int8", "P" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (default 1)", "N" },
    { "calibration", 0, 0, G_OPTION_ARG_FILENAME, &calibration, "int8: a folder of images or an NxCxHxW .npy batch", "PATH" },
    { "calibration-method", 0, 0, G_OPTION_ARG_STRING, &cal_method, "int8: minmax, percentile (default) or histogram", "METHOD" },
    { "keep-float", 0, 0, G_OPTION_ARG_STRING, &keep_float, "int8: run these layers in float", "LAYER,..." },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("MODEL - run one input through a model");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = NULL;
  g_autoptr (QvizPlan) plan = NULL;
  g_autofree float *x = NULL;
  QvizShape s;
  QvizPlanConfig pc;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!qviz_cli_parse (ctx, &argc, &argv))
    return QVIZ_EXIT_USAGE;
  if (argc != 2)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "infer needs one MODEL (a built-in name or an .onnx file).");
  if (input == NULL || output == NULL)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "infer needs --input FILE.npy and --output FILE.npy.");

  qviz_plan_config_init (&pc);
  if (precision && !qviz_precision_parse (precision, &pc.precision))
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "Precision '%s' is not known; use f32 or int8.", precision);
  if (threads < 1)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "Thread count %d is not valid; use 1 or more.", threads);

  g = qviz_model_load (argv[1], &error);
  if (g == NULL)
    return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);
  x = qviz_npy_read (input, &s, &error);
  if (x == NULL)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
  if (!qviz_input_check_batch (input, &s, g->in_channels, &error))
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
  pc.batch = (int) s.dims[0];
  pc.height = (int) s.dims[2];
  pc.width = (int) s.dims[3];
  pc.threads = threads;
  if (keep_float)
    {
      keep = g_strsplit (keep_float, ",", -1);
      pc.keep_float = (const char *const *) keep;
    }

  if (pc.precision == QVIZ_PRECISION_INT8 && !g->calibrated)
    {
      QvizCalibrationConfig cc;
      qviz_calibration_config_init (&cc);
      cc.source = calibration;
      if (cal_method && !qviz_calibration_method_parse (cal_method, &cc.method, &error))
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
      cc.height = pc.height;
      cc.width = pc.width;
      if (!qviz_calibrate (g, &cc, &error))
        return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);
    }

  plan = qviz_plan_new (g, &pc, &error);
  if (plan == NULL)
    return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);
  qviz_plan_set_input_nchw (plan, x);
  qviz_plan_run (plan, NULL);
  for (int i = 0; i < qviz_plan_get_n_outputs (plan); i++)
    {
      const QvizShape *os = qviz_plan_get_output_shape (plan, i);
      g_autofree float *y = g_new (float, MAX (qviz_shape_numel (os), 1));
      g_autofree char *path = output_path (output, i);
      g_autofree char *str = qviz_shape_to_string (os);

      qviz_plan_get_output (plan, i, y);
      if (!qviz_npy_write (path, y, os, &error))
        return qviz_cli_fail (QVIZ_EXIT_FAILURE, "%s", error->message);
      fprintf (stderr, "wrote %s (%s, %s)\n", path, str, qviz_precision_name (pc.precision));
    }
  return QVIZ_EXIT_OK;
}

/* ---- operators -------------------------------------------------------------- */

static int
qviz_cli_operators (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx =
    g_option_context_new ("- the ONNX operators qviz reads, as Markdown");
  g_autofree char *md = NULL;

  if (!qviz_cli_parse (ctx, &argc, &argv))
    return QVIZ_EXIT_USAGE;
  md = qviz_onnx_supported_operators_markdown ();
  fputs (md, stdout);
  return QVIZ_EXIT_OK;
}

/* ---- main ------------------------------------------------------------------- */

static const struct {
  const char *name;
  QvizCliCommand fn;
  const char *help;
} commands[] = {
  { "models", qviz_cli_models, "list the built-in models" },
  { "info", qviz_cli_info, "every layer of a model: shapes, kernels, MACs" },
  { "run", qviz_cli_run, "measure a model over resolutions x threads x precisions" },
  { "infer", qviz_cli_infer, "run one .npy input through a model" },
  { "runs", qviz_cli_runs, "list the stored sweeps" },
  { "label", qviz_cli_label, "name a sweep and note what it was for" },
  { "show", qviz_cli_show, "a stored run's layers or a sweep's latency table" },
  { "export", qviz_cli_export, "write a run or sweep as CSV, a chart as PNG/SVG/PDF, or a database" },
  { "import", qviz_cli_import, "merge another machine's database" },
  { "push", qviz_cli_push, "upload local databases to a team's PostgreSQL server" },
  { "import-trace", qviz_cli_import_trace, "store ONNX Runtime or PyTorch profiles as runs" },
  { "compare", qviz_cli_compare, "compare two sweeps or runs layer by layer" },
  { "bench", qviz_cli_bench, "the engine's own benchmark figures, as Markdown" },
  { "operators", qviz_cli_operators, "the ONNX operators qviz reads, as Markdown" },
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: qviz-cli COMMAND [OPTIONS]\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-12s %s\n", commands[i].name, commands[i].help);
  fprintf (out, "\nMODEL is a built-in name (see 'qviz-cli models') or an .onnx file.\n"
                "'qviz-cli COMMAND --help' describes a command's options.\n");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  /* Numbers in tables, CSV and JSON always use a decimal point, and the
   * command line speaks English throughout, charts included, so that its
   * output and exports read the same on every machine. */
  setlocale (LC_NUMERIC, "C");
  setlocale (LC_MESSAGES, "C");
  qviz_cli_filter_output ();

  if (argc < 2)
    {
      usage (stderr);
      return QVIZ_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      usage (stdout);
      return QVIZ_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("qviz-cli %s (%s)\n", QVIZ_VERSION, QVIZ_GIT_COMMIT);
      return QVIZ_EXIT_OK;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        g_autofree char *prg = g_strdup_printf ("qviz-cli %s", commands[i].name);
        g_set_prgname (prg);
        argv[1] = prg;
        return commands[i].fn (argc - 1, argv + 1);
      }
  return qviz_cli_fail (QVIZ_EXIT_USAGE, "Unknown command '%s'; 'qviz-cli --help' lists the commands.",
                        argv[1]);
}
