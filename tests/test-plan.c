/* test-plan.c: plans of the built-in models -- fused and optimized kernels
 * against the scalar reference plan, int8 against float, threads, errors. */

#include "qviz-calibrate.h"
#include "qviz-input.h"
#include "qviz-plan.h"
#include "qviz-plan-private.h"
#include "qviz-quant.h"
#include "qviz-zoo.h"

#include <math.h>
#include <string.h>

typedef struct {
  float *data;
  gsize n;
} Output;

static Output
run_plan (QvizGraph *g, QvizPrecision precision, QvizConvAlgo algo, int h, int w,
          int threads, const float *input)
{
  QvizPlanConfig pc;
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizPlan) plan = NULL;
  Output out;

  qviz_plan_config_init (&pc);
  pc.precision = precision;
  pc.conv_algo = algo;
  pc.height = h;
  pc.width = w;
  pc.threads = threads;
  plan = qviz_plan_new (g, &pc, &error);
  g_assert_no_error (error);
  qviz_plan_set_input_nchw (plan, input);
  qviz_plan_run (plan, NULL);
  out.n = (gsize) qviz_shape_numel (qviz_plan_get_output_shape (plan, 0));
  out.data = g_new (float, out.n);
  qviz_plan_get_output (plan, 0, out.data);
  return out;
}

/* g calibrated on two synthetic inputs of res x res. */
static QvizGraph *
calibrated (QvizGraph *g, int res)
{
  g_autoptr (GError) error = NULL;
  QvizCalibrationConfig cc;

  qviz_calibration_config_init (&cc);
  cc.n_inputs = 2;
  cc.height = cc.width = res;
  g_assert_true (qviz_calibrate (g, &cc, &error));
  g_assert_no_error (error);
  return g;
}

/* A built-in model calibrated on two synthetic inputs of res x res. */
static QvizGraph *
calibrated_model (const char *name, int res)
{
  g_autoptr (GError) error = NULL;
  QvizGraph *g = qviz_zoo_build (name, &error);

  g_assert_no_error (error);
  return calibrated (g, res);
}

static double
max_abs_diff (const Output *a, const Output *b, double *range)
{
  double m = 0, lo = INFINITY, hi = -INFINITY;

  g_assert_cmpuint (a->n, ==, b->n);
  for (gsize i = 0; i < a->n; i++)
    {
      m = MAX (m, fabs ((double) a->data[i] - b->data[i]));
      lo = MIN (lo, a->data[i]);
      hi = MAX (hi, a->data[i]);
    }
  *range = hi - lo;
  return m;
}

/* Every built-in model: the fused, optimized float plan equals the
 * reference plan within a relative tolerance of the output's range. */
static void
test_f32_matches_reference (void)
{
  guint n;
  const QvizZooEntry *list = qviz_zoo_list (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (QvizGraph) g = qviz_zoo_build (list[i].name, &error);
      int res = 96;
      g_autofree float *x = NULL;
      Output fast, ref;
      double range, diff;

      g_assert_no_error (error);
      x = qviz_input_synthetic (1, g->in_channels, res, res, 1);
      fast = run_plan (g, QVIZ_PRECISION_F32, QVIZ_CONV_ALGO_AUTO, res, res, 2, x);
      ref = run_plan (g, QVIZ_PRECISION_F32, QVIZ_CONV_ALGO_REFERENCE, res, res, 1, x);
      diff = max_abs_diff (&ref, &fast, &range);
      g_test_message ("%s: max |fast - reference| %.3g of range %.3g", list[i].name, diff, range);
      g_assert_cmpfloat (range, >, 0);
      g_assert_cmpfloat (diff, <=, 1e-4 * MAX (range, 1.0));
      g_free (fast.data);
      g_free (ref.data);
    }
}

/* Int8: optimized kernels equal the scalar reference bit for bit, with one
 * and two threads, for every built-in model. */
static void
test_int8_matches_reference (void)
{
  guint n;
  const QvizZooEntry *models = qviz_zoo_list (&n);

  for (guint i = 0; i < n; i++)
    {
      const int res = 96;
      g_autoptr (QvizGraph) g = calibrated_model (models[i].name, res);
      g_autofree float *x = qviz_input_synthetic (1, g->in_channels, res, res, 3);
      Output fast, fast2, ref;

      fast = run_plan (g, QVIZ_PRECISION_INT8, QVIZ_CONV_ALGO_AUTO, res, res, 1, x);
      fast2 = run_plan (g, QVIZ_PRECISION_INT8, QVIZ_CONV_ALGO_AUTO, res, res, 2, x);
      ref = run_plan (g, QVIZ_PRECISION_INT8, QVIZ_CONV_ALGO_REFERENCE, res, res, 1, x);
      g_assert_cmpuint (fast.n, ==, ref.n);
      g_assert_cmpmem (fast.data, fast.n * sizeof (float), ref.data, ref.n * sizeof (float));
      g_assert_cmpmem (fast2.data, fast2.n * sizeof (float), ref.data, ref.n * sizeof (float));
      g_free (fast.data);
      g_free (fast2.data);
      g_free (ref.data);
    }
}

/* An int8 plan's output layer (here a 1x1 conv) writes the model's output
 * in float from its int32 accumulators ("f32 out"; no other layer does),
 * the same floats as the reference plan with one and two threads.  They
 * are off the output's uint8 grid, and closer to the float model than the
 * same output rounded to that grid. */
static void
test_int8_float_output (void)
{
  g_autoptr (GError) error = NULL;
  const int res = 48;
  g_autoptr (QvizGraph) g = calibrated_model ("dwsep5x5", res);
  g_autoptr (QvizPlan) plan = NULL;
  QvizPlanConfig pc;
  const QvizQuantParams *oq;
  int n_layers;
  gsize off_grid = 0;
  g_autofree float *x = qviz_input_synthetic (1, g->in_channels, res, res, 7);
  g_autofree float *rounded = NULL;
  Output ref, fast, fast2, f32;

  qviz_plan_config_init (&pc);
  pc.precision = QVIZ_PRECISION_INT8;
  pc.height = pc.width = res;
  plan = qviz_plan_new (g, &pc, &error);
  g_assert_no_error (error);
  n_layers = qviz_plan_get_n_layers (plan);
  for (int i = 0; i < n_layers; i++)
    {
      const QvizLayerInfo *info = qviz_plan_get_layer (plan, i);
      gboolean last = i == n_layers - 1;
      g_test_message ("%s: %s", info->name, info->kernel);
      g_assert_cmpint (strstr (info->kernel, "f32 out") != NULL, ==, last);
      if (last)
        g_assert_cmpstr (info->op, ==, "conv");
    }

  fast = run_plan (g, QVIZ_PRECISION_INT8, QVIZ_CONV_ALGO_AUTO, res, res, 1, x);
  fast2 = run_plan (g, QVIZ_PRECISION_INT8, QVIZ_CONV_ALGO_AUTO, res, res, 2, x);
  ref = run_plan (g, QVIZ_PRECISION_INT8, QVIZ_CONV_ALGO_REFERENCE, res, res, 1, x);
  f32 = run_plan (g, QVIZ_PRECISION_F32, QVIZ_CONV_ALGO_AUTO, res, res, 1, x);
  g_assert_cmpmem (fast.data, fast.n * sizeof (float), ref.data, ref.n * sizeof (float));
  g_assert_cmpmem (fast2.data, fast2.n * sizeof (float), ref.data, ref.n * sizeof (float));

  oq = &qviz_graph_value (g, g_array_index (g->outputs, int, 0))->quant;
  g_assert_true (oq->valid);
  rounded = g_new (float, fast.n);
  for (gsize i = 0; i < fast.n; i++)
    {
      float q = fast.data[i] / oq->scale + oq->zero_point;
      float r = CLAMP (nearbyintf (q), 0, 255);
      off_grid += fabsf (q - r) > 0.05f;
      rounded[i] = oq->scale * (r - oq->zero_point);
    }
  g_test_message ("%" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " off the uint8 grid; "
                  "SQNR %.2f dB, rounded to the grid %.2f dB", off_grid, fast.n,
                  qviz_sqnr_db (f32.data, fast.data, fast.n),
                  qviz_sqnr_db (f32.data, rounded, fast.n));
  g_assert_cmpuint (off_grid, >, fast.n / 2);
  g_assert_cmpfloat (qviz_sqnr_db (f32.data, fast.data, fast.n), >,
                     qviz_sqnr_db (f32.data, rounded, fast.n));
  g_free (fast.data);
  g_free (fast2.data);
  g_free (ref.data);
  g_free (f32.data);
}

/* A calibrated int8 LR-ASPP keeps its output close to float: a broken
 * requantization or table would fall far below this floor. */
static void
test_int8_sqnr_floor (void)
{
  /* Larger inputs must not lose accuracy: a model whose error grew with
   * size would fail the 384 case. */
  static const struct { const char *name; int res; double floor_db; } cases[] = {
    { "lraspp-mnv3", 160, 20.0 },
    { "lraspp-mnv3", 384, 18.0 },
    { "dwsep5x5-d5", 160, 25.0 },
    { "mnv2", 160, 15.0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (QvizGraph) g = qviz_zoo_build (cases[i].name, &error);
      QvizCalibrationConfig cc;
      int res = cases[i].res;
      g_autofree float *x = NULL;
      Output f, q;
      double sqnr;

      g_assert_no_error (error);
      qviz_calibration_config_init (&cc);
      cc.height = cc.width = res;
      g_assert_true (qviz_calibrate (g, &cc, &error));
      /* An input the calibration did not see. */
      x = qviz_input_synthetic (1, g->in_channels, res, res, 99);
      f = run_plan (g, QVIZ_PRECISION_F32, QVIZ_CONV_ALGO_AUTO, res, res, 1, x);
      q = run_plan (g, QVIZ_PRECISION_INT8, QVIZ_CONV_ALGO_AUTO, res, res, 1, x);
      sqnr = qviz_sqnr_db (f.data, q.data, f.n);
      g_test_message ("%s at %d: int8 output SQNR %.1f dB", cases[i].name, res, sqnr);
      g_assert_cmpfloat (sqnr, >=, cases[i].floor_db);
      g_free (f.data);
      g_free (q.data);
    }
}

/* Global average pools split over pixels: the threads' channel sums,
 * added up by whichever thread finishes last, give the one-thread output
 * (int8 byte for byte, float to rounding), pass after pass, for one image
 * and for two (a thread's share then spans both). */
static void
test_global_avgpool_threads (void)
{
  const int res = 160;
  g_autoptr (QvizGraph) g = calibrated_model ("lraspp-mnv3", res);

  for (int batch = 1; batch <= 2; batch++)
    for (int precision = 0; precision < 2; precision++)
      {
        const QvizPrecision pr = precision ? QVIZ_PRECISION_INT8 : QVIZ_PRECISION_F32;
        g_autofree float *x = qviz_input_synthetic (batch, g->in_channels, res, res, 5);
        g_autofree float *one = NULL;
        gsize n = 0;

        for (int threads = 1; threads <= 3; threads++)
          {
            g_autoptr (GError) error = NULL;
            g_autoptr (QvizPlan) plan = NULL;
            g_autofree float *y = NULL;
            QvizPlanConfig pc;
            int pools = 0, parallel = 0;

            qviz_plan_config_init (&pc);
            pc.precision = pr;
            pc.batch = batch;
            pc.height = pc.width = res;
            pc.threads = threads;
            plan = qviz_plan_new (g, &pc, &error);
            g_assert_no_error (error);
            n = (gsize) qviz_shape_numel (qviz_plan_get_output_shape (plan, 0));
            y = g_new (float, n);
            for (guint i = 0; i < plan->layers->len; i++)
              {
                const QvizLayer *l = qviz_plan_layer (plan, (int) i);
                if (l->node->op == QVIZ_OP_GLOBAL_AVGPOOL)
                  {
                    pools++;
                    parallel += l->parallel;
                  }
              }
            /* the pools of the 10x10 stage are split; the test is about them */
            g_assert_cmpint (pools, >=, 8);
            if (threads > 1)
              g_assert_cmpint (parallel, >=, 4);
            for (int pass = 0; pass < 3; pass++)
              {
                double range, diff;
                Output got = { y, n }, want = { one, n };

                memset (y, 0, n * sizeof (float));
                qviz_plan_set_input_nchw (plan, x);
                qviz_plan_run (plan, NULL);
                qviz_plan_get_output (plan, 0, y);
                if (one == NULL)
                  {
                    one = g_memdup2 (y, n * sizeof (float));
                    continue;
                  }
                if (pr == QVIZ_PRECISION_INT8)
                  g_assert_cmpmem (y, n * sizeof (float), one, n * sizeof (float));
                diff = max_abs_diff (&want, &got, &range);
                g_assert_cmpfloat (diff, <=, 1e-5 * MAX (range, 1.0));
              }
          }
      }
}

/* The arena layout: values alive at the same time never share memory, on
 * one thread or two.  On two, every value sits centred in its slot, so that
 * the lines left of a slot's middle are written by the first thread only
 * and those right of it by the second: replaying a pass's writes, hardly
 * any line is written by a thread other than the one that wrote it last
 * (best fit: about 40%), for at most half as much memory again. */
static void
test_layout_threads (void)
{
  static const char *const models[] = { "lraspp-mnv3", "mnv2" };

  for (guint m = 0; m < G_N_ELEMENTS (models); m++)
    for (int precision = 0; precision < 2; precision++)
      {
        const int res = 256;
        g_autoptr (QvizGraph) g = calibrated_model (models[m], 64);
        gsize arena[3] = { 0, 0, 0 };

        for (int threads = 1; threads <= 2; threads++)
          {
            g_autoptr (GError) error = NULL;
            g_autoptr (QvizPlan) plan = NULL;
            QvizPlanConfig pc;
            const int n_values = qviz_graph_n_values (g);
            g_autofree int *made = g_new (int, n_values);
            g_autofree guint8 *last = NULL;
            gsize written = 0, elsewhere = 0;

            qviz_plan_config_init (&pc);
            pc.precision = precision ? QVIZ_PRECISION_INT8 : QVIZ_PRECISION_F32;
            pc.height = pc.width = res;
            pc.threads = threads;
            plan = qviz_plan_new (g, &pc, &error);
            g_assert_no_error (error);
            arena[threads] = plan->arena_bytes;
            g_assert_true ((threads == 2) == (plan->slots != NULL));

            for (int v = 0; v < n_values; v++)
              made[v] = v == g->input ? -1 : G_MAXINT;
            for (guint i = 0; i < plan->layers->len; i++)
              made[qviz_plan_layer (plan, (int) i)->out_value] = (int) i;
            for (int a = 0; a < n_values; a++)
              {
                const gsize sa = (gsize) qviz_shape_numel (&plan->shapes[a]) * plan->elem_size;

                if (plan->offsets[a] == G_MAXSIZE || plan->alias_of[a] >= 0 || made[a] == G_MAXINT)
                  continue;
                g_assert_cmpuint (plan->offsets[a] + sa, <=, plan->arena_bytes);
                for (int b = a + 1; b < n_values; b++)
                  {
                    const gsize sb = (gsize) qviz_shape_numel (&plan->shapes[b]) * plan->elem_size;

                    if (plan->offsets[b] == G_MAXSIZE || plan->alias_of[b] >= 0 ||
                        made[b] == G_MAXINT ||
                        made[a] > plan->last_use[b] || made[b] > plan->last_use[a])
                      continue;
                    /* both alive at once: apart */
                    g_assert_true (plan->offsets[a] + sa <= plan->offsets[b] ||
                                   plan->offsets[b] + sb <= plan->offsets[a]);
                  }
              }
            if (threads == 1)
              continue;

            /* replay a pass twice (the second finds the first's writers):
             * which thread wrote each 256 bytes last */
            last = g_malloc0 (plan->arena_bytes / 256 + 1);
            for (int pass = 0; pass < 2; pass++)
              for (guint i = 0; i < plan->layers->len; i++)
                {
                  const QvizLayer *l = qviz_plan_layer (plan, (int) i);
                  const int v = l->out_value;
                  const gsize size = (gsize) qviz_shape_numel (&plan->shapes[v]) * plan->elem_size;
                  const gsize o = plan->offsets[v];
                  gboolean centred = FALSE;

                  if (plan->alias_of[v] >= 0 || !l->parallel || size < 64 * 1024)
                    continue;
                  for (guint k = 0; k < plan->slots->len; k++)
                    {
                      const QvizSlot *slot = &g_array_index (plan->slots, QvizSlot, k);
                      const gsize middle = slot->offset + slot->size / 2;
                      centred |= o >= slot->offset && o + size <= slot->offset + slot->size &&
                                 o + size / 2 + 64 >= middle && o + size / 2 <= middle + 64;
                    }
                  g_assert_true (centred);
                  for (gsize u = o / 256; u < (o + size) / 256; u++)
                    {
                      const guint8 writer = u * 256 < o + size / 2 ? 1 : 2;
                      if (pass == 1)
                        {
                          written++;
                          elsewhere += last[u] != writer;
                        }
                      last[u] = writer;
                    }
                }
            g_test_message ("%s %s: arena %" G_GSIZE_FORMAT " KB on one thread, %"
                            G_GSIZE_FORMAT " KB on two; lines written by another "
                            "thread than last time %.2f%%", models[m],
                            precision ? "int8" : "f32", arena[1] / 1024, arena[2] / 1024,
                            100.0 * elsewhere / written);
            g_assert_cmpuint (elsewhere, <=, written / 100);
          }
        g_assert_cmpuint (arena[2], <=, arena[1] * 3 / 2);
      }
}

/* Fusion and layout: BN folds into convs, activations fuse, one arena is
 * smaller than all activations together, layer facts are filled. */
static void
test_plan_structure (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = qviz_zoo_build ("lraspp-mnv3", &error);
  g_autoptr (QvizPlan) plan = NULL;
  g_autofree QvizShape *shapes = NULL;
  QvizPlanConfig pc;
  guint64 all_bytes = 0;
  int n_conv_nodes = 0, n_conv_layers = 0, n_dilated_dw = 0, n_bn_layers = 0;

  g_assert_no_error (error);
  qviz_plan_config_init (&pc);
  pc.height = pc.width = 512;
  plan = qviz_plan_new (g, &pc, &error);
  g_assert_no_error (error);

  shapes = g_new0 (QvizShape, qviz_graph_n_values (g));
  g_assert_true (qviz_graph_infer_shapes (g, 1, 512, 512, shapes, NULL));
  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      all_bytes += (guint64) qviz_shape_numel (&shapes[n->output]) * 4;
      n_conv_nodes += n->op == QVIZ_OP_CONV;
    }
  for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
    {
      const QvizLayerInfo *l = qviz_plan_get_layer (plan, i);
      g_assert_nonnull (l->kernel);
      g_assert_nonnull (l->reason);
      g_assert_cmpstr (l->op, !=, "batchnorm");
      n_bn_layers += g_str_equal (l->op, "batchnorm");
      if (g_str_equal (l->op, "conv"))
        {
          n_conv_layers++;
          g_assert_cmpuint (l->macs, >, 0);
          if (l->depthwise && l->dilated)
            {
              n_dilated_dw++;
              g_assert_cmpint (l->dilation_h, ==, 2);
              g_assert_cmpint (l->layer_class, ==, QVIZ_LAYER_CLASS_DILATED_DEPTHWISE);
            }
        }
    }
  g_assert_cmpint (n_bn_layers, ==, 0);
  g_assert_cmpint (n_conv_layers, ==, n_conv_nodes);
  g_assert_cmpint (n_dilated_dw, ==, 3);
  g_assert_cmpint (qviz_plan_get_n_layers (plan), <, qviz_graph_n_nodes (g));
  g_assert_cmpuint (qviz_plan_get_arena_bytes (plan), <, all_bytes / 3);
  g_assert_cmpfloat (qviz_plan_get_plan_ms (plan), >, 0);
  /* the arena's mapping is timed, and is part of the plan time */
  g_assert_cmpfloat (qviz_plan_get_arena_ms (plan), >, 0);
  g_assert_cmpfloat (qviz_plan_get_arena_ms (plan), <, qviz_plan_get_plan_ms (plan));
}

/* Profiling timestamps are ordered and nest in the pass. */
static void
test_timing (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = qviz_zoo_build ("mnv2", &error);
  g_autoptr (QvizPlan) plan = NULL;
  g_autoptr (QvizPassTiming) t = NULL;
  g_autofree float *x = NULL;
  QvizPlanConfig pc;

  qviz_plan_config_init (&pc);
  pc.height = pc.width = 96;
  plan = qviz_plan_new (g, &pc, &error);
  g_assert_no_error (error);
  x = qviz_input_synthetic (1, 3, 96, 96, 5);
  qviz_plan_set_input_nchw (plan, x);
  t = qviz_pass_timing_new (plan);
  qviz_plan_run (plan, t);
  for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
    {
      g_assert_cmpint (t->layer_start_ns[i], <=, t->layer_end_ns[i]);
      if (i > 0)
        g_assert_cmpint (t->layer_end_ns[i - 1], <=, t->layer_start_ns[i]);
    }
  g_assert_cmpint (t->layer_end_ns[qviz_plan_get_n_layers (plan) - 1], <=, t->pass_ns);
}

/* Row bands: int8 lraspp-mnv3 at 1024x1024 runs the expansions of its
 * early inverted residuals band by band with their depthwise layers.  Its
 * output is byte for byte that of a plan running every layer whole, with
 * the optimized kernels on one to three threads pass after pass, with the
 * reference ones (at 512x512: one pair), and in float; a timed pass gives each layer of a pair its own
 * time, one after the other; a callback sees every layer once, in order,
 * each output as the whole-layer plan wrote it. */
typedef struct {
  GPtrArray *outputs;        /* GBytes per layer, of the whole-layer plan */
  int next;
} BandCheck;

static GBytes *
layer_output (const QvizPlan *plan, int i)
{
  const QvizLayer *l = qviz_plan_layer (plan, i);

  return g_bytes_new (plan->buffers[l->out_value],
                      (gsize) qviz_shape_numel (&plan->shapes[l->out_value]) *
                      qviz_plan_value_elem_size (plan, l->out_value));
}

static void
keep_layer_output (const QvizPlan *plan, int i, gpointer data)
{
  BandCheck *c = data;

  g_assert_cmpint (i, ==, c->next++);
  g_ptr_array_add (c->outputs, layer_output (plan, i));
}

static void
check_layer_output (const QvizPlan *plan, int i, gpointer data)
{
  BandCheck *c = data;
  g_autoptr (GBytes) got = layer_output (plan, i);

  g_assert_cmpint (i, ==, c->next++);
  if (!g_bytes_equal (got, c->outputs->pdata[i]))
    g_error ("layer %d (%s) differs from the whole-layer plan's", i,
             qviz_plan_layer (plan, i)->info.name);
}

/* in_c -> 1x1 expansion (4x) + ReLU -> 3x3 depthwise at stride 2 + ReLU
 * -> 1x1 projection: at 256x256, the depthwise output is the size of the
 * input, and takes its memory unless the pair keeps the input alive. */
static QvizGraph *
inverted_residual (int in_c)
{
  QvizGraph *g = qviz_graph_new ("inverted-residual", in_c);
  g_autoptr (GRand) rand = g_rand_new_with_seed (9);
  static const struct { const char *name; int k, stride, groups, out_mul; gboolean relu; } layers[] = {
    { "expand", 1, 1, 1, 4, TRUE }, { "depthwise", 3, 2, 4, 4, TRUE }, { "project", 1, 1, 1, 1, FALSE },
  };
  int v = g->input, c = in_c;

  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      QvizNode *n = qviz_graph_add_node (g, layers[i].name, QVIZ_OP_CONV, &v, 1);
      const int out_c = in_c * layers[i].out_mul, groups = layers[i].groups == 1 ? 1 : c;
      const gsize nw = (gsize) out_c * layers[i].k * layers[i].k * (c / groups);

      n->a.conv.in_channels = c;
      n->a.conv.out_channels = out_c;
      n->a.conv.kernel_h = n->a.conv.kernel_w = layers[i].k;
      n->a.conv.stride_h = n->a.conv.stride_w = layers[i].stride;
      n->a.conv.dilation_h = n->a.conv.dilation_w = 1;
      n->a.conv.pad_top = n->a.conv.pad_left = n->a.conv.pad_bottom = n->a.conv.pad_right =
        layers[i].k / 2;
      n->a.conv.groups = groups;
      n->a.conv.weights = g_new (float, nw);
      n->a.conv.bias = g_new (float, out_c);
      for (gsize j = 0; j < nw; j++)
        n->a.conv.weights[j] = (float) g_rand_double_range (rand, -0.5, 0.5);
      for (int j = 0; j < out_c; j++)
        n->a.conv.bias[j] = (float) g_rand_double_range (rand, -0.1, 0.1);
      v = n->output;
      c = out_c;
      if (layers[i].relu)
        {
          n = qviz_graph_add_node (g, "relu", QVIZ_OP_ACTIVATION, &v, 1);
          n->a.act = qvk_activation_make (QVK_ACT_RELU);
          v = n->output;
        }
    }
  qviz_graph_add_output (g, v);
  g->default_res = 256;
  memset (g->sha256, 0, sizeof g->sha256);
  return g;
}

static void
test_row_bands (void)
{
  g_autoptr (QvizGraph) lraspp = calibrated_model ("lraspp-mnv3", 64);
  g_autoptr (QvizGraph) block = calibrated (inverted_residual (16), 64);

  /* 0: lraspp-mnv3, 1: with the reference kernels, 2: one block, 3: in float */
  for (int algo = 0; algo < 4; algo++)
    for (int threads = 1; threads <= (algo == 1 ? 1 : algo == 3 ? 2 : 3); threads++)
      {
        QvizGraph *g = algo == 2 ? block : lraspp;
        const int res = algo == 0 ? 1024 : algo == 2 ? 256 : 512;
        g_autofree float *x = qviz_input_synthetic (1, g->in_channels, res, res, 11);
        g_autoptr (GError) error = NULL;
        g_autoptr (QvizPlan) whole = NULL, banded = NULL;
        g_autoptr (QvizPassTiming) t = NULL;
        g_autofree float *want = NULL, *got = NULL;
        QvizPlanConfig pc;
        g_autoptr (GPtrArray) outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
        BandCheck check = { outputs, 0 };
        int pairs = 0;
        gsize n;

        qviz_plan_config_init (&pc);
        pc.precision = algo == 3 ? QVIZ_PRECISION_F32 : QVIZ_PRECISION_INT8;
        pc.conv_algo = algo == 1 ? QVIZ_CONV_ALGO_REFERENCE : QVIZ_CONV_ALGO_AUTO;
        pc.height = pc.width = res;
        pc.threads = threads;
        pc.no_bands = TRUE;
        whole = qviz_plan_new (g, &pc, &error);
        g_assert_no_error (error);
        pc.no_bands = FALSE;
        banded = qviz_plan_new (g, &pc, &error);
        g_assert_no_error (error);
        for (guint i = 0; i < whole->layers->len; i++)
          g_assert_false (qviz_plan_get_band_next (whole, (int) i));
        for (guint i = 0; i < banded->layers->len; i++)
          {
            const QvizLayer *l = qviz_plan_layer (banded, i);

            if (l->band_next)
              {
                const QvizLayer *b = qviz_plan_layer (banded, i + 1);

                g_test_message ("%s: in bands of %d rows with %s", l->info.name,
                                l->band_rows, b->info.name);
                g_assert_true (b->info.depthwise);
                g_assert_false (b->band_next);
                g_assert_cmpint (l->band_rows, >=, 1);
                g_assert_nonnull (strstr (l->info.reason, "runs in bands with"));
                pairs++;
              }
          }
        /* features.2, .3 and .4 at 1024 (in float at 512): a 3x3
         * depthwise layer at stride 2, one at stride 1 and a 5x5 at
         * stride 2; features.2 at 512 */
        g_assert_cmpint (pairs, >=, res == 1024 || algo == 3 ? 3 : 1);
        if (g == block)
          {
            /* the input lives until the depthwise layer; alone it would
             * have ended with the expansion, and the depthwise output
             * would have taken its place */
            const int input = g->input;
            const int dw_out = qviz_plan_layer (banded, 1)->out_value;

            g_assert_cmpint (pairs, ==, 1);
            g_assert_cmpint (whole->offsets[input], ==, whole->offsets[dw_out]);
            g_assert_cmpint (banded->offsets[input], !=, banded->offsets[dw_out]);
          }

        n = (gsize) qviz_shape_numel (qviz_plan_get_output_shape (whole, 0));
        want = g_new (float, n);
        got = g_new (float, n);
        qviz_plan_set_input_nchw (whole, x);
        qviz_plan_run_with_callback (whole, keep_layer_output, &check);
        qviz_plan_get_output (whole, 0, want);
        /* each layer's output as it is written, not as later layers leave
         * the arena */
        check.next = 0;
        qviz_plan_set_input_nchw (banded, x);
        qviz_plan_run_with_callback (banded, check_layer_output, &check);
        g_assert_cmpint (check.next, ==, (int) banded->layers->len);
        for (int pass = 0; pass < (algo == 1 ? 1 : 2); pass++)
          {
            memset (got, 0, n * sizeof (float));
            qviz_plan_set_input_nchw (banded, x);
            qviz_plan_run (banded, NULL);
            qviz_plan_get_output (banded, 0, got);
            g_assert_cmpmem (got, n * sizeof (float), want, n * sizeof (float));
          }
        if (algo == 1)
          continue;
        if (threads == 2)
          {
            /* the same bands, their parts started by OpenMP */
            g_autoptr (QvizPlan) omp = NULL;

            pc.threading = QVIZ_THREADING_OPENMP;
            omp = qviz_plan_new (g, &pc, &error);
            g_assert_no_error (error);
            memset (got, 0, n * sizeof (float));
            qviz_plan_set_input_nchw (omp, x);
            qviz_plan_run (omp, NULL);
            qviz_plan_get_output (omp, 0, got);
            g_assert_cmpmem (got, n * sizeof (float), want, n * sizeof (float));
          }

        t = qviz_pass_timing_new (banded);
        qviz_plan_set_input_nchw (banded, x);
        qviz_plan_run (banded, t);
        for (guint i = 0; i < banded->layers->len; i++)
          {
            const QvizLayer *l = qviz_plan_layer (banded, i);

            g_assert_cmpint (t->layer_start_ns[i], <=, t->layer_end_ns[i]);
            if (i > 0)
              g_assert_cmpint (t->layer_end_ns[i - 1], <=, t->layer_start_ns[i]);
            if (l->band_next)
              g_assert_cmpint (t->layer_end_ns[i], >, t->layer_start_ns[i]);
            if (i > 0 && qviz_plan_layer (banded, i - 1)->band_next)
              g_assert_cmpint (t->layer_end_ns[i], >, t->layer_start_ns[i]);
          }
        g_assert_cmpint (t->layer_end_ns[banded->layers->len - 1], <=, t->pass_ns);
        qviz_plan_get_output (banded, 0, got);
        g_assert_cmpmem (got, n * sizeof (float), want, n * sizeof (float));
      }
}

static void
test_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = qviz_zoo_build ("lraspp-mnv3", &error);
  QvizPlanConfig pc;
  QvizPlan *plan;

  qviz_plan_config_init (&pc);
  pc.threads = 0;
  plan = qviz_plan_new (g, &pc, &error);
  g_assert_null (plan);
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "Thread count 0"));
  g_clear_error (&error);

  /* An unpadded 5x5 convolution cannot run on a 4x4 input. */
  {
    g_autoptr (QvizGraph) small = qviz_graph_new ("unpadded", 3);
    int in = small->input;
    QvizNode *n = qviz_graph_add_node (small, "block/conv", QVIZ_OP_CONV, &in, 1);
    n->a.conv.in_channels = 3;
    n->a.conv.out_channels = 4;
    n->a.conv.kernel_h = n->a.conv.kernel_w = 5;
    n->a.conv.stride_h = n->a.conv.stride_w = 1;
    n->a.conv.dilation_h = n->a.conv.dilation_w = 1;
    n->a.conv.groups = 1;
    n->a.conv.weights = g_new0 (float, 4 * 5 * 5 * 3);
    qviz_graph_add_output (small, n->output);
    qviz_plan_config_init (&pc);
    pc.height = pc.width = 4;
    plan = qviz_plan_new (small, &pc, &error);
    g_assert_null (plan);
    g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE);
    g_assert_nonnull (strstr (error->message, "Node 'block/conv'"));
    g_assert_nonnull (strstr (error->message, "too small"));
    g_clear_error (&error);
  }

  qviz_plan_config_init (&pc);
  pc.precision = QVIZ_PRECISION_INT8;
  plan = qviz_plan_new (g, &pc, &error);
  g_assert_null (plan);
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "calibrate"));
  g_clear_error (&error);

  /* Calibration leaves out the values before a fused ReLU: an int8 plan
   * without fusion, whose layers would read them, is refused, while the
   * fused plan of the same graph is built. */
  {
    g_autoptr (QvizGraph) mnv2 = qviz_zoo_build ("mnv2", &error);
    g_autoptr (QvizPlan) fused = NULL;
    QvizCalibrationConfig cc;

    g_assert_no_error (error);
    qviz_calibration_config_init (&cc);
    cc.n_inputs = 1;
    cc.height = cc.width = 32;
    g_assert_true (qviz_calibrate (mnv2, &cc, &error));
    qviz_plan_config_init (&pc);
    pc.precision = QVIZ_PRECISION_INT8;
    pc.height = pc.width = 32;
    fused = qviz_plan_new (mnv2, &pc, &error);
    g_assert_no_error (error);
    g_assert_nonnull (fused);
    pc.no_fusion = TRUE;
    plan = qviz_plan_new (mnv2, &pc, &error);
    g_assert_null (plan);
    g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "has no int8 parameters"));
  }
}

static void
keep_layer_value (const QvizPlan *plan, int layer, gpointer user_data)
{
  GHashTable *values = user_data;
  int v = qviz_plan_get_layer_value (plan, layer);
  gsize n = 0;
  const float *x = qviz_plan_peek_value (plan, v, &n);
  GBytes *copy = g_bytes_new (x, n * sizeof (float));

  g_hash_table_insert (values, GINT_TO_POINTER (v), copy);
}

/* The calibration plan (no fusion, but a conv's ReLU or clip fused into
 * it, as int8 plans fuse it) writes every value the unfused plan writes,
 * bit for bit, except the ones before those activations, and has fewer
 * layers. */
static void
test_fuse_clamps (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = qviz_zoo_build ("mnv2", &error);
  g_autofree float *x = NULL;
  GHashTable *seen[2];
  int n_layers[2], missing = 0;
  GHashTableIter iter;
  gpointer key, bytes;

  g_assert_no_error (error);
  x = qviz_input_synthetic (1, g->in_channels, 48, 48, 3);
  for (int k = 0; k < 2; k++)
    {
      QvizPlanConfig pc;
      g_autoptr (QvizPlan) plan = NULL;

      qviz_plan_config_init (&pc);
      pc.height = pc.width = 48;
      pc.no_fusion = TRUE;
      pc.fuse_clamps = k == 1;
      plan = qviz_plan_new (g, &pc, &error);
      g_assert_no_error (error);
      n_layers[k] = qviz_plan_get_n_layers (plan);
      seen[k] = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_bytes_unref);
      qviz_plan_set_input_nchw (plan, x);
      qviz_plan_run_with_callback (plan, keep_layer_value, seen[k]);
    }
  g_assert_cmpint (n_layers[1], <, n_layers[0]);
  g_hash_table_iter_init (&iter, seen[0]);
  while (g_hash_table_iter_next (&iter, &key, &bytes))
    {
      GBytes *fused = g_hash_table_lookup (seen[1], key);
      int v = GPOINTER_TO_INT (key);

      if (fused != NULL)
        {
          g_assert_true (g_bytes_equal (bytes, fused));
          continue;
        }
      /* left out: read only by the ReLU or clip after it */
      missing++;
      for (int i = 0; i < qviz_graph_n_nodes (g); i++)
        {
          const QvizNode *n = qviz_graph_node (g, i);
          for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] == v)
              {
                g_assert_cmpint (n->op, ==, QVIZ_OP_ACTIVATION);
                g_assert_true (n->a.act.kind == QVK_ACT_RELU || n->a.act.kind == QVK_ACT_CLIP);
              }
        }
    }
  g_assert_cmpint (missing, ==, n_layers[0] - n_layers[1]);
  g_assert_cmpuint (g_hash_table_size (seen[1]), ==, g_hash_table_size (seen[0]) - missing);
  g_hash_table_unref (seen[0]);
  g_hash_table_unref (seen[1]);
}

/* Layers kept in float inside an int8 plan: each between a dequantize and
 * a quantize layer of its own (the last one, which writes the model's
 * output, held in float, without the quantize), run by the float kernels,
 * and closer to the float model than int8 (no weight rounding, no int8
 * requantization), with one and two threads alike.  An unknown name is
 * refused. */
static void
test_keep_float (void)
{
  static const char *const keep[] = { "depthwise/conv", "pointwise/conv", NULL };
  static const char *const unknown[] = { "pointwise/conv", "no/such/layer", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = qviz_zoo_build ("dwsep5x5", &error);
  QvizCalibrationConfig cc;
  QvizPlanConfig pc;
  int res = 48;
  g_autofree float *x = NULL;
  double plain_db, kept_db[2];
  Output ref, plain;

  g_assert_no_error (error);
  qviz_calibration_config_init (&cc);
  cc.n_inputs = 2;
  cc.height = cc.width = res;
  g_assert_true (qviz_calibrate (g, &cc, &error));
  x = qviz_input_synthetic (1, g->in_channels, res, res, 5);
  ref = run_plan (g, QVIZ_PRECISION_F32, QVIZ_CONV_ALGO_AUTO, res, res, 1, x);
  plain = run_plan (g, QVIZ_PRECISION_INT8, QVIZ_CONV_ALGO_AUTO, res, res, 1, x);
  plain_db = qviz_sqnr_db (ref.data, plain.data, ref.n);

  for (int t = 0; t < 2; t++)
    {
      g_autoptr (QvizPlan) plan = NULL;
      g_autofree float *y = g_new (float, ref.n);
      static const char *const names[] = {
        "depthwise/conv:dequantize", "depthwise/conv", "depthwise/conv:quantize",
        "pointwise/conv:dequantize", "pointwise/conv",
      };

      qviz_plan_config_init (&pc);
      pc.precision = QVIZ_PRECISION_INT8;
      pc.height = pc.width = res;
      pc.threads = t + 1;
      pc.keep_float = keep;
      plan = qviz_plan_new (g, &pc, &error);
      g_assert_no_error (error);
      g_assert_null (qviz_plan_get_config (plan)->keep_float);
      g_assert_cmpint (qviz_plan_get_n_layers (plan), ==, G_N_ELEMENTS (names));
      for (int i = 0; i < (int) G_N_ELEMENTS (names); i++)
        {
          const QvizLayerInfo *info = qviz_plan_get_layer (plan, i);
          g_assert_cmpstr (info->name, ==, names[i]);
          g_assert_cmpint (info->conversion, ==, i % 3 != 1);
          g_assert_cmpint (info->float_kept, ==, i % 3 == 1);
          if (info->float_kept)
            g_assert_true (g_str_has_prefix (info->kernel, "f32 "));
        }
      qviz_plan_set_input_nchw (plan, x);
      qviz_plan_run (plan, NULL);
      qviz_plan_get_output (plan, 0, y);
      kept_db[t] = qviz_sqnr_db (ref.data, y, ref.n);
    }
  g_test_message ("output SQNR: int8 %.1f dB, convs kept in float %.1f dB", plain_db, kept_db[0]);
  g_assert_cmpfloat (kept_db[0], >, plain_db + 0.5);
  g_assert_cmpfloat (fabs (kept_db[0] - kept_db[1]), <, 1e-6);

  pc.keep_float = unknown;
  g_assert_null (qviz_plan_new (g, &pc, &error));
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "no/such/layer"));
  g_free (ref.data);
  g_free (plain.data);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plan/f32-matches-reference", test_f32_matches_reference);
  g_test_add_func ("/plan/int8-matches-reference", test_int8_matches_reference);
  g_test_add_func ("/plan/int8-float-output", test_int8_float_output);
  g_test_add_func ("/plan/int8-sqnr-floor", test_int8_sqnr_floor);
  g_test_add_func ("/plan/global-avgpool-threads", test_global_avgpool_threads);
  g_test_add_func ("/plan/layout-threads", test_layout_threads);
  g_test_add_func ("/plan/structure", test_plan_structure);
  g_test_add_func ("/plan/timing", test_timing);
  g_test_add_func ("/plan/row-bands", test_row_bands);
  g_test_add_func ("/plan/errors", test_errors);
  g_test_add_func ("/plan/keep-float", test_keep_float);
  g_test_add_func ("/plan/fuse-clamps", test_fuse_clamps);
  return g_test_run ();
}
