/* qviz-cli-bench.c: `qviz-cli bench` -- the engine's own figures, measured
 * in one run and printed as Markdown: int8 against float per layer class,
 * whole models over sizes and threads, cold against warm passes, and what
 * profiling costs.  It prints; it never passes or fails on time. */

#include "qviz-cli.h"
#include "qviz-peak.h"

#include "qviz-calibrate.h"
#include "qviz-input.h"
#include "qviz-machine.h"
#include "qviz-pool.h"
#include "qviz-zoo.h"
#include "qvk-conv.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *v, int n)
{
  qsort (v, (size_t) n, sizeof (double), (int (*) (const void *, const void *)) compare_doubles);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct {
  double plan_ms;
  double arena_ms;      /* of plan_ms: the activation arena mapped */
  double first_ms;
  double median_ms;
} Timing;

/* Plans and times a graph: the first pass alone, then the median of passes
 * until both min_passes and min_time are reached.  With layer_op, the
 * median is that of the first layer of that op alone (per-layer timing on),
 * so that a layer's figure leaves out the input's conversion around it. */
static gboolean
time_plan (QvizGraph *g, QvizPrecision precision, int h, int w, int threads, int min_passes,
           double min_time_ms, const char *layer_op, Timing *out, GError **error)
{
  QvizPlanConfig pc;
  g_autoptr (QvizPlan) plan = NULL;
  g_autofree float *x = qviz_input_synthetic (1, g->in_channels, h, w, 11);
  g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (QvizPassTiming) t = NULL;
  double t0, start;
  int layer = -1;

  qviz_plan_config_init (&pc);
  pc.precision = precision;
  pc.height = h;
  pc.width = w;
  pc.threads = threads;
  plan = qviz_plan_new (g, &pc, error);
  if (plan == NULL)
    return FALSE;
  out->plan_ms = qviz_plan_get_plan_ms (plan);
  out->arena_ms = qviz_plan_get_arena_ms (plan);
  qviz_plan_set_input_nchw (plan, x);
  if (layer_op != NULL)
    {
      for (int i = 0; i < qviz_plan_get_n_layers (plan) && layer < 0; i++)
        if (g_strcmp0 (qviz_plan_get_layer (plan, i)->op, layer_op) == 0)
          layer = i;
      if (layer < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "The plan of %s has no %s layer to time.", g->name, layer_op);
          return FALSE;
        }
      t = qviz_pass_timing_new (plan);
    }
  t0 = now_ms ();
  qviz_plan_run (plan, t);
  out->first_ms = now_ms () - t0;
  start = now_ms ();
  while ((int) samples->len < min_passes || now_ms () - start < min_time_ms)
    {
      double ms;
      t0 = now_ms ();
      qviz_plan_run (plan, t);
      ms = now_ms () - t0;
      if (layer >= 0)
        ms = (t->layer_end_ns[layer] - t->layer_start_ns[layer]) / 1e6;
      g_array_append_val (samples, ms);
      if (samples->len > 20000)
        break;
    }
  out->median_ms = median ((double *) samples->data, (int) samples->len);
  return TRUE;
}

/* ---- OpenMP against the persistent pool ---------------------------------- */

#define BLOCK_PASSES 8
#define BLOCK_SETTLE 2

static void
pool_noop (gpointer data, int thread_id, int n_threads)
{
  (void) data;
  (void) thread_id;
  (void) n_threads;
}

/* Nanoseconds to start and join an empty job on every thread, each way,
 * alternating blocks of rounds so that both see the same machine. */
static void
dispatch_cost (int threads, double *omp_ns, double *pool_ns)
{
  g_autoptr (QvizPool) pool = qviz_pool_new (threads);
  g_autoptr (GArray) o = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) p = g_array_new (FALSE, FALSE, sizeof (double));
  const int rounds = 2000;

  for (int block = 0; block < 21; block++)
    {
      double t0 = now_ms (), ns;
      for (int r = 0; r < rounds; r++)
        {
#pragma omp parallel num_threads (threads)
          pool_noop (NULL, omp_get_thread_num (), omp_get_num_threads ());
        }
      ns = (now_ms () - t0) * 1e6 / rounds;
      g_array_append_val (o, ns);
      t0 = now_ms ();
      for (int r = 0; r < rounds; r++)
        qviz_pool_run (pool, pool_noop, NULL);
      ns = (now_ms () - t0) * 1e6 / rounds;
      g_array_append_val (p, ns);
    }
  *omp_ns = median ((double *) o->data, (int) o->len);
  *pool_ns = median ((double *) p->data, (int) p->len);
}

/* Two plans of each size that differ in one setting: way 0 and way 1. */
typedef enum {
  PAIR_THREADING,   /* OpenMP, then the persistent pool */
  PAIR_BANDS,       /* layers whole, then expansions and depthwise layers in row bands */
} PairKind;

static void
pair_config (PairKind kind, int way, QvizPlanConfig *pc)
{
  if (kind == PAIR_THREADING)
    pc->threading = way == 0 ? QVIZ_THREADING_OPENMP : QVIZ_THREADING_POOL;
  else
    pc->no_bands = way == 0;
}

/* The layers a comparison sums: under 50 us with OpenMP (the small
 * layers), or those that run in row bands. */
static gboolean
pair_selects (PairKind kind, QvizPlan *banded, int layer, double way0_ns)
{
  if (kind == PAIR_THREADING)
    return way0_ns < 50e3;
  return qviz_plan_get_band_next (banded, layer) ||
         (layer > 0 && qviz_plan_get_band_next (banded, layer - 1));
}

/* One plan per way, blocks of passes alternating between them; prints the
 * medians of the whole pass and the sums of the per-layer medians of the
 * selected layers, per size and precision. */
static gboolean
bench_pair (QvizGraph *g, GArray *sizes, PairKind kind, const int *thread_counts,
            int n_thread_counts, double min_time_ms, GError **error)
{
  static const QvizPrecision precisions[] = { QVIZ_PRECISION_F32, QVIZ_PRECISION_INT8 };
  const char *way[2] = { kind == PAIR_THREADING ? "OpenMP" : "whole",
                         kind == PAIR_THREADING ? "pool" : "bands" };
  const char *subset = kind == PAIR_THREADING ? "small layers" : "layers in bands";
  /* the selected layers one by one, after the table (bands) */
  g_autoptr (GString) detail = g_string_new (NULL);

  if (kind == PAIR_THREADING)
    {
      double omp_ns, pool_ns;

      dispatch_cost (thread_counts[0], &omp_ns, &pool_ns);
      printf ("\n### Threading: OpenMP against a persistent spinning pool, %d threads\n\n",
              thread_counts[0]);
      printf ("Starting and joining an empty job on every thread: OpenMP %.2f us, pool %.2f us.\n\n",
              omp_ns / 1e3, pool_ns / 1e3);
    }
  else
    printf ("\n### Layers run whole, against expansions and their depthwise layers in row "
            "bands\n\n");
  printf ("| size | precision | threads | layers | %s | %s pass ms | %s pass ms | %s/%s | "
          "%s: %s ms | %s: %s ms | %s/%s |\n", subset, way[0], way[1], way[1], way[0],
          way[0], subset, way[1], subset, way[1], way[0]);
  printf ("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (guint i = 0; i < sizes->len; i++)
    for (guint k = 0; k < G_N_ELEMENTS (precisions); k++)
      for (int tc = 0; tc < n_thread_counts; tc++)
      {
        int s = g_array_index (sizes, int, i);
        const int threads = thread_counts[tc];
        QvizPlan *plans[2] = { NULL, NULL };
        QvizPassTiming *timing[2] = { NULL, NULL };
        GArray *pass[2] = { NULL, NULL };
        gboolean ok = TRUE;
        g_autofree float *x = qviz_input_synthetic (1, g->in_channels, s, s, 11);
        g_autofree double *layer_ns = NULL;
        double pass_ms[2], small_ms[2] = { 0, 0 }, start;
        int n_layers, n_small = 0;

        for (int w = 0; w < 2; w++)
          {
            QvizPlanConfig pc;
            qviz_plan_config_init (&pc);
            pc.precision = precisions[k];
            pc.height = pc.width = s;
            pc.threads = threads;
            pair_config (kind, w, &pc);
            plans[w] = qviz_plan_new (g, &pc, error);
            if (plans[w] == NULL)
              {
                ok = FALSE;
                break;
              }
            qviz_plan_set_input_nchw (plans[w], x);
            qviz_plan_run (plans[w], NULL);
            timing[w] = qviz_pass_timing_new (plans[w]);
            pass[w] = g_array_new (FALSE, FALSE, sizeof (double));
          }
        if (!ok)
          {
            qviz_pass_timing_free (timing[0]);
            qviz_plan_free (plans[0]);
            if (pass[0] != NULL)
              g_array_unref (pass[0]);
            return FALSE;
          }
        n_layers = qviz_plan_get_n_layers (plans[0]);
        {
          /* per layer and way: the samples, row after row */
          g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
          int n_pairs = 0;

          /* Blocks of passes, one way then the other: the threads of the
           * way just left keep spinning for a while after its last pass
           * and would slow the other down, so the first passes of each
           * block are run but not counted. */
          start = now_ms ();
          while (n_pairs < 24 || now_ms () - start < 2 * min_time_ms)
            {
              for (int w = 0; w < 2; w++)
                for (int p = 0; p < BLOCK_PASSES; p++)
                  {
                    double t0 = now_ms (), ms;
                    qviz_plan_run (plans[w], timing[w]);
                    ms = now_ms () - t0;
                    if (p < BLOCK_SETTLE)
                      continue;
                    g_array_append_val (pass[w], ms);
                    for (int l = 0; l < n_layers; l++)
                      {
                        double ns = (double) (timing[w]->layer_end_ns[l] - timing[w]->layer_start_ns[l]);
                        g_array_append_val (samples, ns);
                      }
                  }
              n_pairs += BLOCK_PASSES - BLOCK_SETTLE;
              if (n_pairs >= 5000)
                break;
            }
          layer_ns = g_new (double, (gsize) n_pairs);
          for (int w = 0; w < 2; w++)
            pass_ms[w] = median ((double *) pass[w]->data, (int) pass[w]->len);
          for (int l = 0; l < n_layers; l++)
            {
              double m[2];
              for (int w = 0; w < 2; w++)
                {
                  for (int p = 0; p < n_pairs; p++)
                    {
                      /* samples: per block, BLOCK_PASSES - BLOCK_SETTLE passes of
                       * way 0, then as many of way 1 */
                      int kept = BLOCK_PASSES - BLOCK_SETTLE;
                      gsize row = (gsize) (p / kept) * 2 * kept + (gsize) w * kept + (gsize) (p % kept);
                      layer_ns[p] = g_array_index (samples, double, row * n_layers + l);
                    }
                  m[w] = median (layer_ns, n_pairs);
                }
              if (pair_selects (kind, plans[1], l, m[0]))
                {
                  n_small++;
                  small_ms[0] += m[0] / 1e6;
                  small_ms[1] += m[1] / 1e6;
                  if (kind == PAIR_BANDS)
                    g_string_append_printf (detail, "| %d | %s | %d | %s | %.3f | %.3f | %.3f |\n",
                                            s, qviz_precision_name (precisions[k]), threads,
                                            qviz_plan_get_layer (plans[0], l)->name,
                                            m[0] / 1e6, m[1] / 1e6, m[1] / m[0]);
                }
            }
        }
        printf ("| %d | %s | %d | %d | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n", s,
                qviz_precision_name (precisions[k]), threads, n_layers, n_small, pass_ms[0],
                pass_ms[1], pass_ms[1] / pass_ms[0], small_ms[0], small_ms[1],
                small_ms[0] > 0 ? small_ms[1] / small_ms[0] : 0.0);
        fflush (stdout);
        for (int w = 0; w < 2; w++)
          {
            qviz_pass_timing_free (timing[w]);
            qviz_plan_free (plans[w]);
            g_array_unref (pass[w]);
          }
      }
  if (detail->len > 0)
    {
      printf ("\nThe layers in bands, per-layer medians (a layer in bands: the sum of its "
              "bands on the first thread):\n\n");
      printf ("| size | precision | threads | layer | %s ms | %s ms | %s/%s |\n", way[0],
              way[1], way[1], way[0]);
      printf ("|---:|---|---:|---|---:|---:|---:|\n%s", detail->str);
    }
  return TRUE;
}

/* A graph of one convolution (+ ReLU) on a feature map of c channels,
 * followed by an add that reads its result. */
static QvizGraph *
single_conv (const char *name, int in_c, int out_c, int k, int stride, int dilation,
             int groups)
{
  QvizGraph *g = qviz_graph_new (name, in_c);
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  int in = g->input;
  QvizNode *n;
  gsize nw = (gsize) out_c * k * k * (in_c / groups);
  double std = sqrt (2.0 / (k * k * (in_c / groups)));
  int conv_out;

  n = qviz_graph_add_node (g, "conv", QVIZ_OP_CONV, &in, 1);
  n->a.conv.in_channels = in_c;
  n->a.conv.out_channels = out_c;
  n->a.conv.kernel_h = n->a.conv.kernel_w = k;
  n->a.conv.stride_h = n->a.conv.stride_w = stride;
  n->a.conv.dilation_h = n->a.conv.dilation_w = dilation;
  n->a.conv.pad_top = n->a.conv.pad_left = n->a.conv.pad_bottom = n->a.conv.pad_right =
    (k - 1) / 2 * dilation;
  n->a.conv.groups = groups;
  n->a.conv.weights = g_new (float, nw);
  n->a.conv.bias = g_new (float, out_c);
  for (gsize i = 0; i < nw; i++)
    n->a.conv.weights[i] = (float) (g_rand_double_range (rand, -1.7, 1.7) * std);
  for (int i = 0; i < out_c; i++)
    n->a.conv.bias[i] = (float) g_rand_double_range (rand, -0.1, 0.1);
  conv_out = n->output;
  n = qviz_graph_add_node (g, "relu", QVIZ_OP_ACTIVATION, &conv_out, 1);
  n->a.act = qvk_activation_make (QVK_ACT_RELU);
  {
    /* The model's output is written in float by the layer that makes it;
     * inside a network a convolution writes int8.  An add of the result
     * to itself after it keeps the timed convolution an int8-output one,
     * as in the networks whose shapes these are. */
    const int sum_in[2] = { n->output, n->output };
    n = qviz_graph_add_node (g, "sum", QVIZ_OP_ADD, sum_in, 2);
  }
  qviz_graph_add_output (g, n->output);
  g->default_res = 64;
  memset (g->sha256, 0, sizeof g->sha256);
  return g;
}

int
qviz_cli_bench (int argc, char **argv)
{
  g_autofree char *model = NULL;
  g_autofree char *sizes = NULL;
  double min_time = 0.5;
  gboolean skip_layers = FALSE, skip_model = FALSE, threading = FALSE, bands = FALSE;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, "Model for the whole-model figures (default lraspp-mnv3)", "M" },
    { "res", 'r', 0, G_OPTION_ARG_STRING, &sizes, "Sizes for the whole-model figures (default 256,512,1024)", "LIST" },
    { "min-time", 0, 0, G_OPTION_ARG_DOUBLE, &min_time, "Seconds per measurement (default 0.5)", "S" },
    { "no-layers", 0, 0, G_OPTION_ARG_NONE, &skip_layers, "Skip the per-layer-class figures", NULL },
    { "no-model", 0, 0, G_OPTION_ARG_NONE, &skip_model, "Skip the whole-model figures", NULL },
    { "threading", 0, 0, G_OPTION_ARG_NONE, &threading, "Also compare OpenMP with the persistent worker pool, 2 threads", NULL },
    { "bands", 0, 0, G_OPTION_ARG_NONE, &bands, "Also compare layers run whole with row bands, 1 and 2 threads", NULL },
    { NULL }
  };
  static const struct {
    const char *label;
    int in_c, out_c, k, stride, dilation, depthwise, size;
  } layers[] = {
    /* Shapes of lraspp-mnv3 at a 1024x1024 input. */
    { "1x1 conv 960->128 @64x64 (LR-ASPP head)", 960, 128, 1, 1, 1, 0, 64 },
    { "1x1 conv 112->672 @64x64", 112, 672, 1, 1, 1, 0, 64 },
    { "depthwise 3x3 64ch @256x256", 64, 64, 3, 1, 1, 1, 256 },
    { "depthwise 5x5 120ch @128x128", 120, 120, 5, 1, 1, 1, 128 },
    { "depthwise 5x5 d2 960ch @64x64", 960, 960, 5, 1, 2, 1, 64 },
    { "depthwise 5x5 d5 960ch @64x64", 960, 960, 5, 1, 5, 1, 64 },
    { "first conv 3->16 3x3 s2 @1024x1024", 3, 16, 3, 2, 1, 0, 1024 },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- the engine's figures, as Markdown");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizMachine) machine = qviz_machine_detect ();
  g_autoptr (QvizPeak) peak = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!qviz_cli_parse (ctx, &argc, &argv))
    return QVIZ_EXIT_USAGE;

  printf ("Machine: %s, %d cores, kernels %s, qviz %s\n\n", machine->cpu_model,
          machine->logical_cores, qvk_isa_name (qvk_isa_detect ()), machine->qviz_commit);

  if (!skip_layers)
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GArray) rates = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr (QvizPeak) after = NULL;
      const QvizPeak *pf, *pq;
      double f32_peak, int8_peak;

      /* Measured on this thread's core before the layers and again after
       * them: a peak can only be measured too low (another tenant of the
       * core, a lower clock), so the higher of the two is the one the
       * percentages divide by, and the table comes when both are known. */
      peak = qviz_peak_measure (qvk_isa_detect ());
      for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
        {
          g_autoptr (QvizGraph) g = single_conv (layers[i].label, layers[i].in_c, layers[i].out_c,
                                                 layers[i].k, layers[i].stride, layers[i].dilation,
                                                 layers[i].depthwise ? layers[i].in_c : 1);
          QvizCalibrationConfig cc;
          Timing f, q;
          int s = layers[i].size;
          double macs, gf, gq;

          qviz_calibration_config_init (&cc);
          cc.n_inputs = 2;
          cc.height = cc.width = MIN (s, 256);
          if (!qviz_calibrate (g, &cc, &error) ||
              !time_plan (g, QVIZ_PRECISION_F32, s, s, 1, 5, min_time * 1e3, "conv", &f, &error) ||
              !time_plan (g, QVIZ_PRECISION_INT8, s, s, 1, 5, min_time * 1e3, "conv", &q, &error))
            return qviz_cli_fail (QVIZ_EXIT_FAILURE, "%s", error->message);
          {
            g_autofree QvizShape *shapes = g_new0 (QvizShape, qviz_graph_n_values (g));
            qviz_graph_infer_shapes (g, 1, s, s, shapes, NULL);
            macs = (double) qviz_node_macs (g, qviz_graph_node (g, 0), shapes);
          }
          gf = macs / f.median_ms / 1e6;
          gq = macs / q.median_ms / 1e6;
          g_array_append_val (rates, gf);
          g_array_append_val (rates, gq);
          g_ptr_array_add (rows, g_strdup_printf ("| %s | %.3f | %.3f | %.2f | %.1f | %.1f |",
                                                  layers[i].label, f.median_ms, q.median_ms,
                                                  q.median_ms / f.median_ms, gf, gq));
        }
      after = qviz_peak_measure (qvk_isa_detect ());
      pf = after->clock_hz * after->f32_macs_per_cycle > peak->clock_hz * peak->f32_macs_per_cycle
           ? after : peak;
      pq = after->clock_hz * after->int8_macs_per_cycle > peak->clock_hz * peak->int8_macs_per_cycle
           ? after : peak;
      f32_peak = pf->clock_hz * pf->f32_macs_per_cycle / 1e9;
      int8_peak = pq->clock_hz * pq->int8_macs_per_cycle / 1e9;

      printf ("### Per layer class, 1 thread (the convolution layer alone)\n\n");
      printf ("| layer | f32 ms | int8 ms | int8/f32 | f32 GMAC/s | int8 GMAC/s | f32 %% of peak | int8 %% of peak |\n");
      printf ("|---|---:|---:|---:|---:|---:|---:|---:|\n");
      for (guint i = 0; i < rows->len; i++)
        {
          /* No peak known (a core neither in the table nor measurable
           * here): no percentage rather than a wrong one. */
          const double gf = g_array_index (rates, double, 2 * i);
          const double gq = g_array_index (rates, double, 2 * i + 1);
          g_autofree char *pcf = f32_peak > 0 ? g_strdup_printf ("%.0f%%", 100 * gf / f32_peak)
                                              : g_strdup ("-");
          g_autofree char *pcq = int8_peak > 0 ? g_strdup_printf ("%.0f%%", 100 * gq / int8_peak)
                                               : g_strdup ("-");

          printf ("%s %s | %s |\n", (const char *) g_ptr_array_index (rows, i), pcf, pcq);
        }
      printf ("\nPeak per core, the higher of two measurements (before and after the layers): "
              "f32 %.0f MACs/cycle at %.2f GHz = %.1f GMAC/s (%s); "
              "int8 %.0f MACs/cycle at %.2f GHz = %.1f GMAC/s (%s); the clock measured by a "
              "chain of dependent adds.  Measured with the kernels' instructions, before and "
              "after: f32 %.1f and %.1f, int8 %.1f and %.1f MACs/cycle.\n\n",
              pf->f32_macs_per_cycle, pf->clock_hz / 1e9, f32_peak, pf->f32_source,
              pq->int8_macs_per_cycle, pq->clock_hz / 1e9, int8_peak, pq->int8_source,
              peak->f32_measured_per_cycle, after->f32_measured_per_cycle,
              peak->int8_measured_per_cycle, after->int8_measured_per_cycle);
    }

  if (!skip_model || threading || bands)
    {
      g_autoptr (QvizGraph) g = qviz_zoo_build (model ? model : "lraspp-mnv3", &error);
      g_autoptr (GArray) res = g_array_new (FALSE, FALSE, sizeof (int));
      g_auto (GStrv) parts = g_strsplit (sizes ? sizes : "256,512,1024", ",", -1);
      QvizCalibrationConfig cc;

      if (g == NULL)
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
      for (int i = 0; parts[i]; i++)
        {
          int v = atoi (parts[i]);
          if (v < 8)
            return qviz_cli_fail (QVIZ_EXIT_USAGE, "Size '%s' is not valid.", parts[i]);
          g_array_append_val (res, v);
        }
      qviz_calibration_config_init (&cc);
      if (!qviz_calibrate (g, &cc, &error))
        return qviz_cli_fail (QVIZ_EXIT_FAILURE, "%s", error->message);
      if (threading && !bench_pair (g, res, PAIR_THREADING, (const int[]) { 2 }, 1,
                                    min_time * 1e3, &error))
        return qviz_cli_fail (QVIZ_EXIT_FAILURE, "%s", error->message);
      if (bands && !bench_pair (g, res, PAIR_BANDS, (const int[]) { 1, 2 }, 2,
                                min_time * 1e3, &error))
        return qviz_cli_fail (QVIZ_EXIT_FAILURE, "%s", error->message);
      if (skip_model)
        return QVIZ_EXIT_OK;

      printf ("### %s\n\n", g->name);
      printf ("| size | threads | f32 ms | int8 ms | int8/f32 | f32 plan ms (arena) | int8 plan ms (arena) | f32 first/warm | int8 first/warm | 2t speed-up f32 | 2t speed-up int8 |\n");
      printf ("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (guint i = 0; i < res->len; i++)
        {
          int s = g_array_index (res, int, i);
          Timing f1 = { 0 }, q1 = { 0 };
          for (int t = 1; t <= 2; t++)
            {
              Timing f, q;
              char sf[16] = "", sq[16] = "";
              if (!time_plan (g, QVIZ_PRECISION_F32, s, s, t, 10, min_time * 1e3, NULL, &f, &error) ||
                  !time_plan (g, QVIZ_PRECISION_INT8, s, s, t, 10, min_time * 1e3, NULL, &q, &error))
                return qviz_cli_fail (QVIZ_EXIT_FAILURE, "%s", error->message);
              if (t == 1)
                {
                  f1 = f;
                  q1 = q;
                }
              else
                {
                  g_snprintf (sf, sizeof sf, "%.2f", f1.median_ms / f.median_ms);
                  g_snprintf (sq, sizeof sq, "%.2f", q1.median_ms / q.median_ms);
                }
              printf ("| %d | %d | %.2f | %.2f | %.2f | %.1f (%.1f) | %.1f (%.1f) | %.2f | %.2f | %s | %s |\n",
                      s, t, f.median_ms, q.median_ms, q.median_ms / f.median_ms, f.plan_ms,
                      f.arena_ms, q.plan_ms, q.arena_ms, f.first_ms / f.median_ms,
                      q.first_ms / q.median_ms, sf, sq);
              fflush (stdout);
            }
        }
      printf ("\nPlan times include, in parentheses, mapping the activation arena and "
              "writing each of its pages once, which costs what the system charges for "
              "fresh memory (most on a process's first large plan).\n");

      /* Profiling cost: one plan, passes with and without per-layer timing
       * alternating, so that drift, caches and memory placement affect both
       * sets alike. */
      {
        int s = g_array_index (res, int, 0);
        QvizPlanConfig pc;
        g_autoptr (QvizPlan) plan = NULL;
        g_autoptr (QvizPassTiming) t = NULL;
        g_autofree float *x = qviz_input_synthetic (1, g->in_channels, s, s, 11);
        g_autoptr (GArray) on = g_array_new (FALSE, FALSE, sizeof (double));
        g_autoptr (GArray) off = g_array_new (FALSE, FALSE, sizeof (double));
        double start, m_on, m_off;

        qviz_plan_config_init (&pc);
        pc.height = pc.width = s;
        plan = qviz_plan_new (g, &pc, &error);
        if (plan == NULL)
          return qviz_cli_fail (QVIZ_EXIT_FAILURE, "%s", error->message);
        t = qviz_pass_timing_new (plan);
        qviz_plan_set_input_nchw (plan, x);
        qviz_plan_run (plan, NULL);
        start = now_ms ();
        while (on->len < 20 || now_ms () - start < 4 * min_time * 1e3)
          {
            double t0 = now_ms (), ms;
            qviz_plan_run (plan, NULL);
            ms = now_ms () - t0;
            g_array_append_val (off, ms);
            t0 = now_ms ();
            qviz_plan_run (plan, t);
            ms = now_ms () - t0;
            g_array_append_val (on, ms);
          }
        m_on = median ((double *) on->data, (int) on->len);
        m_off = median ((double *) off->data, (int) off->len);
        printf ("\nProfiling cost at %dx%d, f32, 1 thread, %u alternating pairs of passes: "
                "%.3f ms with per-layer timing, %.3f ms without: %+.2f%%\n",
                s, s, on->len, m_on, m_off, 100 * (m_on - m_off) / m_off);
      }
    }
  return QVIZ_EXIT_OK;
}
