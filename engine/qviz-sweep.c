/* qviz-sweep.c: measuring runs and sweeps. */

#include "qviz-sweep.h"
#include "qviz-memory.h"

#include "qviz-calibrate.h"
#include "qviz-input.h"
#include "qviz-machine.h"
#include "qviz-quant.h"
#include "qvk-conv.h"

#include <math.h>
#include <string.h>

#define INPUT_SEED 20261122u
#define MAX_WARM_PASSES 100000

QvizSweepConfig *
qviz_sweep_config_new (void)
{
  QvizSweepConfig *c = g_new0 (QvizSweepConfig, 1);
  static const int res[] = { 256, 512, 1024 };
  int cores = (int) g_get_num_processors ();
  QvizPrecision p;

  c->resolutions = g_array_new (FALSE, FALSE, sizeof (QvizResolution));
  c->threads = g_array_new (FALSE, FALSE, sizeof (int));
  c->precisions = g_array_new (FALSE, FALSE, sizeof (QvizPrecision));
  for (guint i = 0; i < G_N_ELEMENTS (res); i++)
    {
      QvizResolution r = { res[i], res[i] };
      g_array_append_val (c->resolutions, r);
    }
  for (int t = 1; t <= MAX (cores, 1); t++)
    g_array_append_val (c->threads, t);
  p = QVIZ_PRECISION_F32;
  g_array_append_val (c->precisions, p);
  p = QVIZ_PRECISION_INT8;
  g_array_append_val (c->precisions, p);
  c->iterations = 0;
  c->min_time = 0.5;
  c->min_passes = 10;
  c->cold = 3;
  c->conv_algo = QVIZ_CONV_ALGO_AUTO;
  c->isa = -1;
  c->measure_sqnr = TRUE;
  qviz_calibration_config_init (&c->calibration);
  return c;
}

void
qviz_sweep_config_free (QvizSweepConfig *c)
{
  if (c == NULL)
    return;
  g_array_unref (c->resolutions);
  g_array_unref (c->threads);
  g_array_unref (c->precisions);
  g_strfreev (c->keep_float);
  g_free (c);
}

gboolean
qviz_parse_resolutions (const char *text, GArray *out, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);

  g_array_set_size (out, 0);
  for (int i = 0; parts[i]; i++)
    {
      char *s = g_strstrip (parts[i]), *end;
      gint64 h, w;

      h = g_ascii_strtoll (s, &end, 10);
      if (end != s && (*end == 'x' || *end == 'X'))
        {
          char *s2 = end + 1;
          w = g_ascii_strtoll (s2, &end, 10);
          if (end == s2)
            w = -1;
        }
      else
        w = h;
      if (end == s || *end != '\0' || h < 8 || w < 8 || h > 16384 || w > 16384)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                       "Resolution '%s' is not valid; use a size from 8 to 16384, "
                       "like 512 or 512x768.", s);
          return FALSE;
        }
      g_array_append_val (out, ((QvizResolution) { (int) h, (int) w }));
    }
  if (out->len == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "No resolution given; use a list like 256,512,1024.");
      return FALSE;
    }
  return TRUE;
}

gboolean
qviz_parse_threads (const char *text, GArray *out, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);

  g_array_set_size (out, 0);
  for (int i = 0; parts[i]; i++)
    {
      char *s = g_strstrip (parts[i]), *end;
      gint64 t = g_ascii_strtoll (s, &end, 10);
      int ti;

      if (end == s || *end != '\0' || t < 1 || t > 1024)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                       "Thread count '%s' is not valid; use 1 or more.", s);
          return FALSE;
        }
      ti = (int) t;
      g_array_append_val (out, ti);
    }
  if (out->len == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "No thread count given; use a list like 1,2.");
      return FALSE;
    }
  return TRUE;
}

gboolean
qviz_parse_precisions (const char *text, GArray *out, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);

  g_array_set_size (out, 0);
  for (int i = 0; parts[i]; i++)
    {
      QvizPrecision p;
      char *s = g_strstrip (parts[i]);

      if (!qviz_precision_parse (s, &p))
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                       "Precision '%s' is not known; use f32, int8 or f32,int8.", s);
          return FALSE;
        }
      g_array_append_val (out, p);
    }
  if (out->len == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "No precision given; use f32, int8 or f32,int8.");
      return FALSE;
    }
  return TRUE;
}

QvizModelInfo *
qviz_model_info_from_graph (QvizGraph *graph)
{
  QvizModelInfo *mi = qviz_model_info_new ();
  int res = graph->fixed_h > 0 ? graph->fixed_h : graph->default_res;
  int res_w = graph->fixed_w > 0 ? graph->fixed_w : graph->default_res;
  g_autofree QvizShape *shapes = g_new0 (QvizShape, qviz_graph_n_values (graph));

  mi->sha256 = g_strdup (graph->sha256);
  mi->name = g_strdup (graph->name);
  mi->source = g_strdup (graph->source);
  mi->n_nodes = qviz_graph_n_nodes (graph);
  mi->params = qviz_graph_params (graph);
  mi->default_res = res;
  if (qviz_graph_infer_shapes (graph, 1, res, res_w, shapes, NULL))
    for (int i = 0; i < qviz_graph_n_nodes (graph); i++)
      mi->macs += qviz_node_macs (graph, qviz_graph_node (graph, i), shapes);
  /* Weights only: batchnorm statistics fold into conv weights. */
  for (int i = 0; i < qviz_graph_n_nodes (graph); i++)
    {
      const QvizNode *n = qviz_graph_node (graph, i);
      guint64 p = n->op == QVIZ_OP_BATCHNORM ? 0 : qviz_node_params (n);
      guint64 biases = 0;
      if (n->op == QVIZ_OP_CONV)
        biases = (guint64) n->a.conv.out_channels;
      else if (n->op == QVIZ_OP_LINEAR)
        biases = (guint64) n->a.linear.out_features;
      mi->weight_bytes_f32 += p * 4;
      /* int8 weights, int32 bias and one float scale per channel. */
      mi->weight_bytes_int8 += p > biases ? (p - biases) + biases * 8 : p * 4;
    }
  return mi;
}

/* ---- SQNR ---------------------------------------------------------------- */

/* The float plan, run only as far as the int8 measurement needs: both plans
 * go layer by layer, and a float value is read where its layer wrote it, so
 * no layer output is ever copied out of either plan. */
typedef struct {
  QvizPlan *plan;
  const float *input;
  int *producer;        /* [n_values]: the float layer writing it, or -1 */
  int n_run;            /* layers run since the input was set */
} FloatCursor;

static void
float_cursor_init (FloatCursor *c, QvizPlan *plan, const float *input)
{
  QvizGraph *graph = qviz_plan_get_graph (plan);
  int n_values = qviz_graph_n_values (graph);

  c->plan = plan;
  c->input = input;
  c->producer = g_new (int, n_values);
  for (int v = 0; v < n_values; v++)
    c->producer[v] = -1;
  for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
    c->producer[qviz_plan_get_layer_value (plan, i)] = i;
  c->n_run = 0;
  qviz_plan_set_input_nchw (plan, input);
}

static void
float_cursor_clear (FloatCursor *c)
{
  g_clear_pointer (&c->producer, g_free);
}

/* Brings the float plan to where value v holds its float value: on to its
 * layer, or from the input again when its memory has been reused since.
 * FALSE when the float plan has no such value. */
static gboolean
float_cursor_reach (FloatCursor *c, int v)
{
  QvizGraph *graph = qviz_plan_get_graph (c->plan);
  int j;

  if (qviz_graph_value (graph, v)->data != NULL)
    return TRUE;
  j = v == graph->input ? -1 : c->producer[v];
  if (j < 0 && v != graph->input)
    return FALSE;
  if (j >= c->n_run)
    {
      qviz_plan_run_layers (c->plan, c->n_run, j + 1);
      c->n_run = j + 1;
      return TRUE;
    }
  if (qviz_plan_value_is_live (c->plan, v, c->n_run))
    return TRUE;
  qviz_plan_set_input_nchw (c->plan, c->input);
  qviz_plan_run_layers (c->plan, 0, j + 1);
  c->n_run = j + 1;
  return TRUE;
}

/* A whole int8 pass beside the float plan: each layer's accumulated error
 * against the float value of the same tensor, and the model output's. */
static void
measure_accumulated_sqnr (QvizPlan *int8_plan, FloatCursor *fc, const float *input,
                          QvizRun *run)
{
  int n_layers = qviz_plan_get_n_layers (int8_plan);

  qviz_plan_set_input_nchw (int8_plan, input);
  for (int i = 0; i < n_layers; i++)
    {
      int v = qviz_plan_get_layer_value (int8_plan, i);

      qviz_plan_run_layers (int8_plan, i, i + 1);
      /* a kept layer's int8 output is written by the quantize layer after it */
      if (i >= (int) run->layers->len || qviz_plan_get_layer (int8_plan, i)->float_kept)
        continue;
      if (!float_cursor_reach (fc, v))
        continue;
      qviz_run_get_layer (run, (guint) i)->accum_sqnr_db =
        qviz_plan_value_sqnr_db (fc->plan, int8_plan, v);
    }
}

/* Each int8 layer's own error: its inputs are set to the float plan's
 * values (quantized), it runs alone, and its output is compared with the
 * float layer's.  The model's output SQNR is that of a whole int8 pass, where
 * the errors of all layers add up. */
static gboolean
measure_sqnr (QvizGraph *graph, QvizPlan *int8_plan, const float *input,
              QvizGraph *float_graph, QvizRun *run, GError **error)
{
  QvizPlanConfig fconfig = *qviz_plan_get_config (int8_plan);
  g_autoptr (QvizPlan) fplan = NULL;
  FloatCursor fc;
  int n_layers = qviz_plan_get_n_layers (int8_plan);

  fconfig.precision = QVIZ_PRECISION_F32;
  fconfig.keep_float = NULL;
  fplan = qviz_plan_new (graph, &fconfig, error);
  if (fplan == NULL)
    return FALSE;
  /* the two plans run layer by layer in turn, with comparisons between:
   * the workers of one would spin while the other's run */
  qviz_plan_set_spin (int8_plan, FALSE);
  qviz_plan_set_spin (fplan, FALSE);

  /* The model output first, from a whole int8 pass, which also gives each
   * layer's accumulated error. */
  float_cursor_init (&fc, fplan, input);
  measure_accumulated_sqnr (int8_plan, &fc, input, run);
  if (qviz_plan_get_n_outputs (int8_plan) > 0)
    {
      int out_v = g_array_index (graph->outputs, int, 0);

      if (float_graph != NULL && float_graph != graph)
        {
          /* against the float original, the output a user compares with */
          gsize n = (gsize) qviz_shape_numel (qviz_plan_get_output_shape (int8_plan, 0));
          g_autofree float *a = NULL;
          g_autofree float *b = NULL;
          g_autoptr (QvizPlan) original = qviz_plan_new (float_graph, &fconfig, error);

          if (original == NULL)
            {
              float_cursor_clear (&fc);
              return FALSE;
            }
          if (qviz_plan_get_n_outputs (original) < 1 ||
              qviz_shape_numel (qviz_plan_get_output_shape (original, 0)) != (int64_t) n)
            {
              g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                           "The float model '%s' does not give an output of the shape of '%s'.",
                           float_graph->name, graph->name);
              float_cursor_clear (&fc);
              return FALSE;
            }
          a = g_new (float, MAX (n, 1));
          b = g_new (float, MAX (n, 1));
          qviz_plan_set_input_nchw (original, input);
          qviz_plan_run (original, NULL);
          qviz_plan_get_output (original, 0, a);
          qviz_plan_get_output (int8_plan, 0, b);
          run->sqnr_db = qviz_sqnr_db (a, b, n);
        }
      else if (float_cursor_reach (&fc, out_v))
        run->sqnr_db = qviz_plan_value_sqnr_db (fplan, int8_plan, out_v);
    }

  for (int i = 0; i < n_layers && i < (int) run->layers->len; i++)
    {
      const QvizNode *node = qviz_graph_node (graph, qviz_plan_get_layer (int8_plan, i)->node_index);
      int v = qviz_plan_get_layer_value (int8_plan, i);
      gboolean have_inputs = TRUE;

      /* conversions have no error of their own; their kept layer's
       * measurement runs them */
      if (qviz_plan_get_layer (int8_plan, i)->conversion)
        continue;
      if (fc.producer[v] < 0)
        continue;

      for (int k = 0; k < node->n_inputs && have_inputs; k++)
        {
          int in = node->inputs[k];

          if (qviz_graph_value (graph, in)->data != NULL)
            continue;
          if (in == graph->input)
            qviz_plan_set_value (int8_plan, in, input);
          else if (float_cursor_reach (&fc, in))
            qviz_plan_set_value_from_plan (int8_plan, fplan, in);
          else
            have_inputs = FALSE;
        }
      if (!have_inputs || !float_cursor_reach (&fc, v))
        continue;
      qviz_plan_run_layer (int8_plan, i);
      qviz_run_get_layer (run, (guint) i)->sqnr_db = qviz_plan_value_sqnr_db (fplan, int8_plan, v);
    }
  float_cursor_clear (&fc);
  return TRUE;
}

/* ---- one run ------------------------------------------------------------- */

static void
fill_layers (QvizRun *run, const QvizPlan *plan)
{
  for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
    {
      const QvizLayerInfo *info = qviz_plan_get_layer (plan, i);
      QvizRunLayer *rl = qviz_run_add_layer (run);

      rl->name = g_strdup (info->name);
      rl->op = g_strdup (info->op);
      rl->kernel = g_strdup (info->kernel ? info->kernel : "");
      rl->reason = g_strdup (info->reason ? info->reason : "");
      rl->fused = g_strdup (info->fused ? info->fused : "");
      rl->in_shape = qviz_shape_to_string (&info->in_shape);
      rl->out_shape = qviz_shape_to_string (&info->out_shape);
      rl->kernel_h = info->kernel_h;
      rl->kernel_w = info->kernel_w;
      rl->stride_h = info->stride_h;
      rl->stride_w = info->stride_w;
      rl->dilation_h = info->dilation_h;
      rl->dilation_w = info->dilation_w;
      rl->groups = info->groups;
      rl->depthwise = info->depthwise;
      rl->dilated = info->dilated;
      rl->layer_class = g_strdup (qviz_layer_class_name (info->layer_class));
      rl->macs = info->macs;
      rl->plan_ms = info->plan_ms;
      rl->params = info->params;
      rl->bytes = info->bytes;
    }
}

static void
record_pass (QvizRun *run, const QvizPassTiming *t, int n_layers)
{
  for (int i = 0; i < n_layers; i++)
    {
      float ms = (float) ((t->layer_end_ns[i] - t->layer_start_ns[i]) / 1e6);
      g_array_append_val (qviz_run_get_layer (run, (guint) i)->pass_ms, ms);
    }
}

static void
add_spans (QvizRun *run, const QvizPassTiming *t, int n_layers, int pass, gboolean cold)
{
  qviz_run_add_span (run, pass, cold, -1, NULL, 0, t->pass_ns);
  for (int i = 0; i < n_layers; i++)
    qviz_run_add_span (run, pass, cold, i, NULL, t->layer_start_ns[i], t->layer_end_ns[i]);
}

static const char *
conv_algo_name (QvizConvAlgo a)
{
  switch (a)
    {
    case QVIZ_CONV_ALGO_IM2COL: return "im2col";
    case QVIZ_CONV_ALGO_REFERENCE: return "reference";
    case QVIZ_CONV_ALGO_AUTO:
    default: return "auto";
    }
}

QvizRun *
qviz_measure_run (QvizGraph *graph, const QvizPlanConfig *plan_config,
                  const QvizSweepConfig *config, GCancellable *cancellable,
                  GError **error)
{
  g_autoptr (QvizRun) run = NULL;
  g_autoptr (QvizPlan) plan = NULL;
  g_autofree float *input = NULL;
  g_autoptr (GPtrArray) warm_timings = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_pass_timing_free);
  int n_layers, pass = 0;
  gint64 warm_start;
  double warm_total_s = 0;

  g_return_val_if_fail (graph != NULL && plan_config != NULL && config != NULL, NULL);

  run = qviz_run_new ();
  run->model_sha256 = g_strdup (graph->sha256);
  run->precision = g_strdup (qviz_precision_name (plan_config->precision));
  run->height = plan_config->height;
  run->width = plan_config->width;
  run->threads = plan_config->threads;
  run->conv_algo = g_strdup (conv_algo_name (plan_config->conv_algo));
  run->iterations = config->iterations;
  run->warmup = config->cold;
  run->started = g_get_real_time ();

  plan = qviz_plan_new (graph, plan_config, error);
  if (plan == NULL)
    return NULL;
  {
    int isa = plan_config->isa_set && plan_config->isa >= 0 ? plan_config->isa
                                                            : (int) qvk_isa_detect ();
    run->isa = g_strdup (qvk_isa_name ((qvk_isa) MIN (isa, (int) qvk_isa_detect ())));
  }
  run->plan_ms = qviz_plan_get_plan_ms (plan);
  run->arena_bytes = qviz_plan_get_arena_bytes (plan);
  run->weight_bytes = qviz_plan_get_weight_bytes (plan);
  n_layers = qviz_plan_get_n_layers (plan);
  fill_layers (run, plan);

  input = qviz_input_synthetic (plan_config->batch, graph->in_channels,
                                plan_config->height, plan_config->width, INPUT_SEED);
  qviz_plan_set_input_nchw (plan, input);

  for (int i = 0; i < config->cold; i++, pass++)
    {
      g_autoptr (QvizPassTiming) t = qviz_pass_timing_new (plan);
      double ms;

      qviz_plan_run (plan, t);
      ms = t->pass_ns / 1e6;
      g_array_append_val (run->cold_ms, ms);
      record_pass (run, t, n_layers);
      add_spans (run, t, n_layers, pass, TRUE);
      if (g_cancellable_is_cancelled (cancellable))
        goto cancelled;
    }

  for (int i = 0; i < config->warmup; i++)
    {
      qviz_plan_run (plan, NULL);
      if (g_cancellable_is_cancelled (cancellable))
        goto cancelled;
    }

  warm_start = g_get_monotonic_time ();
  for (;;)
    {
      QvizPassTiming *t;
      double ms;
      guint done = run->warm_ms->len;

      if (config->iterations > 0)
        {
          if ((int) done >= config->iterations)
            break;
        }
      else if ((int) done >= config->min_passes && warm_total_s >= config->min_time)
        break;
      if (done >= MAX_WARM_PASSES)
        break;

      t = qviz_pass_timing_new (plan);
      qviz_plan_run (plan, t);
      ms = t->pass_ns / 1e6;
      g_array_append_val (run->warm_ms, ms);
      record_pass (run, t, n_layers);
      g_ptr_array_add (warm_timings, t);
      pass++;
      warm_total_s = (g_get_monotonic_time () - warm_start) / 1e6;
      if (g_cancellable_is_cancelled (cancellable))
        goto cancelled;
    }

  qviz_run_compute_stats (run);
  {
    int rep = qviz_run_representative_pass (run);
    if (rep >= 0)
      add_spans (run, g_ptr_array_index (warm_timings, rep - (int) run->cold_ms->len),
                 n_layers, rep, FALSE);
  }

  if (plan_config->precision == QVIZ_PRECISION_INT8 && config->measure_sqnr)
    if (!measure_sqnr (graph, plan, input, config->float_graph, run, error))
      return NULL;

  run->finished = g_get_real_time ();
  run->status = QVIZ_RUN_COMPLETE;
  return g_steal_pointer (&run);

cancelled:
  qviz_run_compute_stats (run);
  run->finished = g_get_real_time ();
  run->status = QVIZ_RUN_CANCELLED;
  g_free (run->message);
  run->message = g_strdup ("cancelled by the user");
  return g_steal_pointer (&run);
}

/* ---- a sweep ------------------------------------------------------------- */

typedef struct {
  QvizPrecision precision;
  QvizResolution res;
  int threads;
} Config;

static GArray *
interleave (const QvizSweepConfig *config)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Config));
  guint np = config->precisions->len, k = 0;

  for (guint r = 0; r < config->resolutions->len; r++)
    for (guint t = 0; t < config->threads->len; t++, k++)
      for (guint p = 0; p < np; p++)
        {
          /* Alternate which precision goes first. */
          guint pi = (k % 2 == 0) ? p : np - 1 - p;
          Config c = { g_array_index (config->precisions, QvizPrecision, pi),
                       g_array_index (config->resolutions, QvizResolution, r),
                       g_array_index (config->threads, int, t) };
          g_array_append_val (out, c);
        }
  return out;
}

static char *
join_resolutions (const GArray *a)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < a->len; i++)
    {
      QvizResolution r = g_array_index (a, QvizResolution, i);
      g_string_append_printf (s, "%s%dx%d", i ? "," : "", r.height, r.width);
    }
  return g_string_free (s, FALSE);
}

static char *
join_ints (const GArray *a)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < a->len; i++)
    g_string_append_printf (s, "%s%d", i ? "," : "", g_array_index (a, int, i));
  return g_string_free (s, FALSE);
}

static char *
join_precisions (const GArray *a)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < a->len; i++)
    g_string_append_printf (s, "%s%s", i ? "," : "",
                            qviz_precision_name (g_array_index (a, QvizPrecision, i)));
  return g_string_free (s, FALSE);
}

static char *
format_size (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

/* Refuses, before any plan is made, a size whose activations, weights and
 * (int8) float reference for the per-layer SQNR do not fit in the memory
 * this process may still take. */
static gboolean
check_memory (QvizGraph *graph, const QvizSweepConfig *config, QvizResolution r,
              const QvizShape *shapes, GError **error)
{
  g_autoptr (QvizModelInfo) mi = qviz_model_info_from_graph (graph);
  guint64 input = (guint64) qviz_shape_numel (&shapes[graph->input]) * sizeof (float);

  for (guint i = 0; i < config->precisions->len; i++)
    {
      QvizPrecision p = g_array_index (config->precisions, QvizPrecision, i);
      gboolean int8 = p == QVIZ_PRECISION_INT8;
      guint64 act = qviz_memory_activation_peak (graph, shapes, int8 ? 1 : sizeof (float));
      guint64 weights = int8 ? mi->weight_bytes_int8 : mi->weight_bytes_f32;
      guint64 reference = int8 && config->measure_sqnr
        ? qviz_memory_activation_peak (graph, shapes, sizeof (float)) + mi->weight_bytes_f32 : 0;
      g_autofree char *act_s = format_size (act);
      g_autofree char *weights_s = format_size (weights);
      g_autofree char *reference_s = format_size (reference);
      g_autofree char *what =
        reference > 0
          ? g_strdup_printf ("'%s' int8 at %dx%d (activations %s, weights %s, the float "
                             "reference of the per-layer SQNR %s)", graph->name, r.height,
                             r.width, act_s, weights_s, reference_s)
          : g_strdup_printf ("'%s' %s at %dx%d (activations %s, weights %s)", graph->name,
                             qviz_precision_name (p), r.height, r.width, act_s, weights_s);

      if (!qviz_memory_check (act + weights + input + reference, what, error))
        return FALSE;
    }
  return TRUE;
}

/* Calibrates once for the whole sweep, at the chosen size (by default the
 * sweep's smallest, at most the model's own: ranges barely move with size,
 * calibration time does),
 * or takes the parameters a previous run kept in the store for the same
 * model, source and settings.  note tells the sweep's options which. */
static gboolean
calibrate_once (QvizGraph *graph, QvizStore *store, const QvizSweepConfig *config,
                char **note, GError **error)
{
  QvizCalibrationConfig cc = config->calibration;
  g_autofree char *source = NULL;
  g_autofree char *settings = NULL;
  g_autoptr (GBytes) cached = NULL;
  gint64 start;

  if (cc.height <= 0 || cc.width <= 0)
    {
      QvizResolution smallest = g_array_index (config->resolutions, QvizResolution, 0);

      for (guint i = 1; i < config->resolutions->len; i++)
        {
          QvizResolution r = g_array_index (config->resolutions, QvizResolution, i);
          if ((gint64) r.height * r.width < (gint64) smallest.height * smallest.width)
            smallest = r;
        }
      /* and no larger than the model's own size, which its ranges are
       * measured well at */
      if (graph->default_res > 0 && MAX (smallest.height, smallest.width) > graph->default_res)
        {
          int side = MAX (smallest.height, smallest.width);
          smallest.height = MAX (8, (int) ((gint64) smallest.height * graph->default_res / side));
          smallest.width = MAX (8, (int) ((gint64) smallest.width * graph->default_res / side));
        }
      cc.height = graph->fixed_h > 0 ? graph->fixed_h : smallest.height;
      cc.width = graph->fixed_w > 0 ? graph->fixed_w : smallest.width;
    }
  qviz_calibration_cache_key (&cc, cc.height, cc.width, &source, &settings);

  if (store != NULL)
    {
      cached = qviz_store_get_calibration (store, graph->sha256, source, settings, error);
      if (cached == NULL && error != NULL && *error != NULL)
        return FALSE;
      if (cached != NULL && qviz_calibration_restore (graph, cached))
        {
          *note = g_strdup_printf ("calibration=\"%s, %s, cached\"", settings, source);
          return TRUE;
        }
    }

  {
    g_autofree QvizShape *shapes = g_new0 (QvizShape, qviz_graph_n_values (graph));
    g_autoptr (QvizModelInfo) mi = qviz_model_info_from_graph (graph);

    if (!qviz_graph_infer_shapes (graph, 1, cc.height, cc.width, shapes, error))
      return FALSE;
    {
      guint64 act = qviz_memory_activation_peak (graph, shapes, sizeof (float));
      guint64 inputs = (guint64) MAX (cc.n_inputs, 1) *
                       qviz_shape_numel (&shapes[graph->input]) * sizeof (float);
      g_autofree char *act_s = format_size (act);
      g_autofree char *inputs_s = format_size (inputs);
      g_autofree char *what =
        g_strdup_printf ("Calibrating '%s' at %dx%d (activations %s, inputs %s)", graph->name,
                         cc.height, cc.width, act_s, inputs_s);

      if (!qviz_memory_check (act + inputs + mi->weight_bytes_f32, what, error))
        return FALSE;
    }
  }
  start = g_get_monotonic_time ();
  if (!qviz_calibrate (graph, &cc, error))
    return FALSE;
  *note = g_strdup_printf ("calibration=\"%s, %s, %.1f s\"", settings, source,
                           (g_get_monotonic_time () - start) / 1e6);
  if (store != NULL)
    {
      g_autoptr (GBytes) params = qviz_calibration_save (graph);
      if (!qviz_store_put_calibration (store, graph->sha256, source, settings, params, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
qviz_sweep_execute (QvizGraph *graph, QvizStore *store, const QvizSweepConfig *config,
                    const QvizSweepCallbacks *callbacks, GCancellable *cancellable,
                    QvizSweep **sweep_out, GPtrArray **runs_out, GError **error)
{
  g_autoptr (QvizSweep) sweep = qviz_sweep_new ();
  g_autoptr (GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_free);
  g_autoptr (GArray) configs = NULL;
  g_autoptr (QvizMachine) machine = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *calibration_note = NULL;
  gboolean needs_int8 = FALSE;
  QvizSweepStatus final_status = QVIZ_SWEEP_COMPLETE;

  g_return_val_if_fail (graph != NULL && config != NULL, FALSE);

  for (guint i = 0; i < config->precisions->len; i++)
    if (g_array_index (config->precisions, QvizPrecision, i) == QVIZ_PRECISION_INT8)
      needs_int8 = TRUE;

  /* Check every size fits before measuring anything. */
  for (guint i = 0; i < config->resolutions->len; i++)
    {
      QvizResolution r = g_array_index (config->resolutions, QvizResolution, i);
      g_autofree QvizShape *shapes = g_new0 (QvizShape, qviz_graph_n_values (graph));
      if (!qviz_graph_infer_shapes (graph, 1, r.height, r.width, shapes, error))
        return FALSE;
      if (!check_memory (graph, config, r, shapes, error))
        return FALSE;
      if (config->float_graph != NULL)
        {
          g_autofree QvizShape *fshapes = g_new0 (QvizShape, qviz_graph_n_values (config->float_graph));
          if (!qviz_graph_infer_shapes (config->float_graph, 1, r.height, r.width, fshapes, error))
            return FALSE;
          if (graph->outputs->len < 1 || config->float_graph->outputs->len < 1 ||
              qviz_shape_numel (&shapes[g_array_index (graph->outputs, int, 0)]) !=
                qviz_shape_numel (&fshapes[g_array_index (config->float_graph->outputs, int, 0)]))
            {
              g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                           "The float model '%s' does not give an output of the shape of '%s' at %dx%d.",
                           config->float_graph->name, graph->name, r.height, r.width);
              return FALSE;
            }
        }
    }
  if (config->float_graph != NULL && config->float_graph->in_channels != graph->in_channels)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "The float model '%s' takes %d input channels, '%s' takes %d.",
                   config->float_graph->name, config->float_graph->in_channels, graph->name,
                   graph->in_channels);
      return FALSE;
    }

  if (needs_int8 && !graph->calibrated &&
      !calibrate_once (graph, store, config, &calibration_note, error))
    return FALSE;

  machine = qviz_machine_detect ();
  sweep->machine_id = g_strdup (machine->id);
  sweep->model_sha256 = g_strdup (graph->sha256);
  sweep->model_name = g_strdup (graph->name);
  sweep->hostname = g_strdup (machine->hostname);
  sweep->cpu_model = g_strdup (machine->cpu_model);
  sweep->created = g_get_real_time (); /* after calibration: when measuring starts */
  sweep->resolutions = join_resolutions (config->resolutions);
  sweep->threads = join_ints (config->threads);
  sweep->precisions = join_precisions (config->precisions);
  {
    g_autofree char *kept = config->keep_float != NULL && config->keep_float[0] != NULL
                            ? g_strjoinv (",", config->keep_float) : NULL;

    sweep->options = g_strdup_printf ("iterations=%d min-time=%g cold=%d warmup=%d conv=%s isa=%s%s%s%s%s",
                                      config->iterations, config->min_time, config->cold,
                                      config->warmup,
                                      conv_algo_name (config->conv_algo),
                                      config->isa >= 0 ? qvk_isa_name ((qvk_isa) config->isa)
                                                       : "auto",
                                      calibration_note ? " " : "",
                                      calibration_note ? calibration_note : "",
                                      kept != NULL ? " keep-float=" : "",
                                      kept != NULL ? kept : "");
  }
  sweep->status = QVIZ_SWEEP_RUNNING;
  g_free (sweep->message);
  sweep->message = g_strdup ("");

  if (store != NULL)
    {
      g_autoptr (QvizModelInfo) mi = qviz_model_info_from_graph (graph);
      if (!qviz_store_put_machine (store, machine, error) ||
          !qviz_store_put_model (store, mi, error) ||
          !qviz_store_sweep_begin (store, sweep, error))
        return FALSE;
    }

  configs = interleave (config);
  for (guint i = 0; i < configs->len; i++)
    {
      Config c = g_array_index (configs, Config, i);
      QvizPlanConfig pc;
      QvizRun *run;

      if (g_cancellable_is_cancelled (cancellable))
        {
          final_status = QVIZ_SWEEP_CANCELLED;
          break;
        }
      if (callbacks && callbacks->config_started)
        callbacks->config_started ((int) i, (int) configs->len, c.precision, c.res.height,
                                   c.res.width, c.threads, callbacks->user_data);

      qviz_plan_config_init (&pc);
      pc.precision = c.precision;
      pc.height = c.res.height;
      pc.width = c.res.width;
      pc.threads = c.threads;
      pc.conv_algo = config->conv_algo;
      pc.keep_float = (const char *const *) config->keep_float;
      if (config->isa >= 0)
        {
          pc.isa = config->isa;
          pc.isa_set = TRUE;
        }

      run = qviz_measure_run (c.precision == QVIZ_PRECISION_F32 && config->float_graph != NULL
                                ? config->float_graph : graph,
                              &pc, config, cancellable, &local);
      if (run == NULL)
        {
          final_status = QVIZ_SWEEP_FAILED;
          break;
        }
      run->sweep_uuid = g_strdup (sweep->uuid);
      run->machine_id = g_strdup (machine->id);
      if (store != NULL && !qviz_store_put_run (store, run, &local))
        {
          qviz_run_free (run);
          final_status = QVIZ_SWEEP_FAILED;
          break;
        }
      g_ptr_array_add (runs, run);
      if (callbacks && callbacks->run_finished)
        callbacks->run_finished ((int) i, (int) configs->len, run, callbacks->user_data);
      if (run->status == QVIZ_RUN_CANCELLED)
        {
          final_status = QVIZ_SWEEP_CANCELLED;
          break;
        }
    }

  sweep->status = final_status;
  sweep->finished = g_get_real_time ();
  sweep->n_runs = runs->len;
  g_free (sweep->message);
  sweep->message = g_strdup (final_status == QVIZ_SWEEP_FAILED ? local->message
                             : final_status == QVIZ_SWEEP_CANCELLED ? "cancelled by the user"
                             : "");
  if (store != NULL)
    {
      g_autoptr (GError) finish_error = NULL;
      if (!qviz_store_sweep_finish (store, sweep->uuid, final_status, sweep->message,
                                    &finish_error) && local == NULL)
        local = g_steal_pointer (&finish_error);
    }

  if (sweep_out)
    *sweep_out = g_steal_pointer (&sweep);
  if (runs_out)
    *runs_out = g_steal_pointer (&runs);

  if (final_status == QVIZ_SWEEP_CANCELLED)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_CANCELLED,
                   "The sweep was cancelled; finished runs are kept.");
      return FALSE;
    }
  if (final_status == QVIZ_SWEEP_FAILED || local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

/* The value of key in options ("k=v k2=\"a, b\""), unquoted; NULL if
 * absent. */
static char *
option_value (const char *options,
              const char *key)
{
  gsize klen = strlen (key);

  for (const char *p = options; p != NULL && *p != '\0';)
    {
      while (*p == ' ')
        p++;
      if (strncmp (p, key, klen) == 0 && p[klen] == '=')
        {
          const char *v = p + klen + 1;
          const char *end;

          if (*v == '"')
            {
              end = strchr (v + 1, '"');
              return g_strndup (v + 1, end != NULL ? (gsize) (end - v - 1) : strlen (v + 1));
            }
          end = strchr (v, ' ');
          return g_strndup (v, end != NULL ? (gsize) (end - v) : strlen (v));
        }
      /* to the next key: past a quoted value as a whole */
      while (*p != '\0' && *p != ' ')
        {
          if (*p == '"')
            {
              const char *q = strchr (p + 1, '"');
              p = q != NULL ? q + 1 : p + strlen (p);
            }
          else
            p++;
        }
    }
  return NULL;
}

char *
qviz_sweep_options_summary (const char *options)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *conv = option_value (options, "conv");
  g_autofree char *isa = option_value (options, "isa");
  g_autofree char *calibration = option_value (options, "calibration");
  g_autofree char *kept = option_value (options, "keep-float");

  if (options == NULL)
    return NULL;
  if (conv != NULL && g_strcmp0 (conv, "auto") != 0)
    g_ptr_array_add (parts, g_strdup (conv));
  if (isa != NULL && g_strcmp0 (isa, "auto") != 0)
    g_ptr_array_add (parts, g_strdup_printf ("isa %s", isa));
  if (calibration != NULL)
    {
      /* "v2 percentile 99.99, <source>, 7.8 s": the method, then where the
       * inputs came from (synthetic unless a file or folder was given) */
      g_auto (GStrv) words = g_strsplit (calibration, " ", 4);
      const char *source = strstr (calibration, ", ");

      if (words[0] != NULL && words[1] != NULL)
        {
          char *method = g_strdup (words[1]);
          gsize n = strlen (method);
          if (n > 0 && method[n - 1] == ',')
            method[n - 1] = '\0';
          if (g_strcmp0 (method, "percentile") == 0 && words[2] != NULL
              && !g_str_has_prefix (words[2], "99.99"))
            {
              g_autofree char *pct = g_strdup (words[2]);
              g_strdelimit (pct, ",", '\0');
              g_ptr_array_add (parts, g_strdup_printf ("percentile %s calibration", pct));
            }
          else if (g_strcmp0 (method, "percentile") != 0)
            g_ptr_array_add (parts, g_strdup_printf ("%s calibration", method));
          g_free (method);
        }
      if (source != NULL && (g_str_has_prefix (source + 2, "npy ") || g_str_has_prefix (source + 2, "images ")))
        {
          const char *path = strchr (source + 2, ' ') + 1;
          const char *comma = strstr (path, ", ");
          g_autofree char *full = g_strndup (path, comma != NULL ? (gsize) (comma - path) : strlen (path));
          g_autofree char *base = g_path_get_basename (full);
          g_ptr_array_add (parts, g_strdup_printf ("calibrated on %s", base));
        }
    }
  if (kept != NULL && kept[0] != '\0')
    {
      guint n = 1;
      for (const char *c = kept; *c != '\0'; c++)
        n += *c == ',';
      g_ptr_array_add (parts, g_strdup_printf (n == 1 ? "%u layer in float" : "%u layers in float", n));
    }
  if (parts->len == 0)
    return NULL;
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}
