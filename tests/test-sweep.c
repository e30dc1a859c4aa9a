/* test-sweep.c: sweeps into a real SQLite store -- what a finished sweep
 * keeps, interleaving, cancellation from inside and by Ctrl+C, calibration
 * from images and from a .npy batch. */

#include "qviz-calibrate.h"
#include "qviz-eta.h"
#include "qviz-memory.h"
#include "qviz-npy.h"
#include "qviz-store.h"
#include "qviz-sweep.h"
#include "qviz-zoo.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

static char *tmpdir;

static QvizSweepConfig *
small_config (void)
{
  QvizSweepConfig *c = qviz_sweep_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (qviz_parse_resolutions ("32,48", c->resolutions, &error));
  g_assert_true (qviz_parse_threads ("1", c->threads, &error));
  g_assert_true (qviz_parse_precisions ("f32,int8", c->precisions, &error));
  c->iterations = 4;
  c->cold = 2;
  return c;
}

static void
test_sweep_round_trip (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "round-trip.sqlite", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = qviz_zoo_build ("dwsep5x5-d5", &error);
  g_autoptr (QvizStore) store = qviz_store_open (db, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr (QvizSweepConfig) c = small_config ();
  g_autoptr (QvizSweep) sweep = NULL;
  g_autoptr (GPtrArray) runs = NULL, stored = NULL;
  g_autoptr (QvizSweep) back = NULL;

  g_assert_no_error (error);
  g_assert_true (qviz_sweep_execute (g, store, c, NULL, NULL, &sweep, &runs, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 4);
  /* Interleaved: the precision that goes first alternates. */
  g_assert_cmpstr (((QvizRun *) g_ptr_array_index (runs, 0))->precision, ==, "f32");
  g_assert_cmpstr (((QvizRun *) g_ptr_array_index (runs, 2))->precision, ==, "int8");

  back = qviz_store_get_sweep (store, sweep->uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->status, ==, QVIZ_SWEEP_COMPLETE);
  stored = qviz_store_list_runs (store, sweep->uuid, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 4);
  for (guint i = 0; i < stored->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (stored, i);
      gboolean saw_cold = FALSE, saw_warm = FALSE;

      g_assert_cmpuint (r->cold_ms->len, ==, 2);
      g_assert_cmpuint (r->warm_ms->len, ==, 4);
      g_assert_cmpfloat (r->plan_ms, >, 0);
      g_assert_cmpuint (r->layers->len, ==, 2);
      {
        /* Each layer's plan time is measured, and is part of the plan's. */
        double sum = 0;
        for (guint k = 0; k < r->layers->len; k++)
          {
            double ms = qviz_run_get_layer (r, k)->plan_ms;
            g_assert_false (isnan (ms));
            g_assert_cmpfloat (ms, >=, 0);
            sum += ms;
          }
        g_assert_cmpfloat (sum, >, 0);
        g_assert_cmpfloat (sum, <=, r->plan_ms);
      }
      for (guint k = 0; k < r->layers->len; k++)
        {
          const QvizRunLayer *l = qviz_run_get_layer (r, k);
          g_assert_cmpuint (l->pass_ms->len, ==, 6);
          g_assert_cmpuint (l->macs, >, 0);
          if (g_str_equal (r->precision, "int8"))
            {
              g_assert_cmpfloat (l->sqnr_db, >, 20);
              g_assert_cmpfloat (l->accum_sqnr_db, >, 20);
            }
          else
            g_assert_true (isnan (l->accum_sqnr_db));
        }
      /* The last layer's accumulated error is the model output's. */
      if (g_str_equal (r->precision, "int8"))
        g_assert_cmpfloat (fabs (qviz_run_get_layer (r, r->layers->len - 1)->accum_sqnr_db -
                                 r->sqnr_db), <, 1e-9);
      for (guint k = 0; k < r->spans->len; k++)
        {
          const QvizRunSpan *s = qviz_run_get_span (r, k);
          saw_cold |= s->cold;
          saw_warm |= !s->cold;
          g_assert_cmpint (s->start_ns, <=, s->end_ns);
        }
      g_assert_true (saw_cold && saw_warm);
    }
}

typedef struct {
  GCancellable *cancellable;
  int finished;
} CancelAfterFirst;

static void
cancel_after_first (int index, int total, const QvizRun *run, gpointer user_data)
{
  CancelAfterFirst *c = user_data;
  c->finished++;
  g_cancellable_cancel (c->cancellable);
}

static void
test_sweep_cancel (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "cancel.sqlite", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = qviz_zoo_build ("dwsep5x5", &error);
  g_autoptr (QvizStore) store = qviz_store_open (db, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr (QvizSweepConfig) c = small_config ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (QvizSweep) sweep = NULL;
  g_autoptr (QvizSweep) back = NULL;
  g_autoptr (GPtrArray) stored = NULL;
  CancelAfterFirst state = { cancellable, 0 };
  QvizSweepCallbacks cb = { NULL, cancel_after_first, &state };

  g_assert_false (qviz_sweep_execute (g, store, c, &cb, cancellable, &sweep, NULL, &error));
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_CANCELLED);
  g_assert_cmpint (state.finished, ==, 1);
  back = qviz_store_get_sweep (store, sweep->uuid, NULL);
  g_assert_cmpint (back->status, ==, QVIZ_SWEEP_CANCELLED);
  stored = qviz_store_list_runs (store, sweep->uuid, FALSE, NULL);
  g_assert_cmpuint (stored->len, ==, 1);
  g_assert_cmpint (((QvizRun *) g_ptr_array_index (stored, 0))->status, ==, QVIZ_RUN_COMPLETE);
}

/* Ctrl+C during `qviz-cli run`: exit 130, finished configurations kept, the
 * sweep marked cancelled. */
static void
test_cli_sigint (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "sigint.sqlite", NULL);
  const char *cli = g_getenv ("QVIZ_CLI");
  const char *argv[] = { cli, "run", "dwsep5x5", "--res", "32,40,48,56,64,72", "--threads", "1",
                         "--precision", "f32", "--min-time", "1", "--db", db, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = NULL;
  g_autoptr (GPtrArray) sweeps = NULL;
  g_autoptr (GPtrArray) runs = NULL;
  GPid pid;
  int out_fd, status;
  GString *seen = g_string_new (NULL);
  const QvizSweep *s;

  if (cli == NULL)
    {
      g_test_skip ("QVIZ_CLI is not set");
      return;
    }
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &pid, NULL, &out_fd, NULL, &error));
  /* Wait for the first finished configuration, then interrupt. */
  while (strstr (seen->str, "[1/6]") == NULL)
    {
      char buf[256];
      gssize n = read (out_fd, buf, sizeof buf);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (seen, buf, n);
    }
  kill (pid, SIGINT);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  close (out_fd);
  g_string_free (seen, TRUE);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 130);

  store = qviz_store_open (db, QVIZ_STORE_READ_ONLY, &error);
  g_assert_no_error (error);
  sweeps = qviz_store_list_sweeps (store, NULL, NULL, &error);
  g_assert_cmpuint (sweeps->len, ==, 1);
  s = g_ptr_array_index (sweeps, 0);
  g_assert_cmpint (s->status, ==, QVIZ_SWEEP_CANCELLED);
  runs = qviz_store_list_runs (store, s->uuid, FALSE, &error);
  g_assert_cmpuint (runs->len, >=, 1);
  g_assert_cmpuint (runs->len, <, 6);
}

/* Calibration from a folder of images and from a .npy batch gives valid
 * parameters for every tensor an int8 plan reads; percentile ranges are no
 * wider than min/max ranges. */
static void
test_calibration_sources (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "images", NULL);
  g_autofree char *npy = g_build_filename (tmpdir, "batch.npy", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) a = qviz_zoo_build ("conv5x5s2", &error);
  g_autoptr (QvizGraph) b = qviz_zoo_build ("conv5x5s2", &error);
  g_autoptr (QvizGraph) c = qviz_zoo_build ("conv5x5s2", &error);
  QvizCalibrationConfig cc;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr (GdkPixbuf) p = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 40, 30);
      g_autofree char *path = g_strdup_printf ("%s/img%d.png", dir, i);
      guint8 *px = gdk_pixbuf_get_pixels (p);
      int stride = gdk_pixbuf_get_rowstride (p);
      for (int y = 0; y < 30; y++)
        for (int x = 0; x < 40; x++)
          for (int k = 0; k < 3; k++)
            px[y * stride + x * 3 + k] = (guint8) ((x * 6 + y * 4 + k * 40 + i * 50) & 255);
      g_assert_true (gdk_pixbuf_save (p, path, "png", &error, NULL));
    }
  {
    g_autofree char *bad = g_strdup_printf ("%s/broken.jpg", dir);
    g_autoptr (GError) e = NULL;
    qviz_calibration_config_init (&cc);
    cc.source = dir;
    cc.height = cc.width = 32;
    g_assert_true (qviz_calibrate (a, &cc, &error));
    g_assert_no_error (error);
    /* An image that does not decode is named in the error. */
    g_assert_true (g_file_set_contents (bad, "not a jpeg", -1, NULL));
    g_assert_false (qviz_calibrate (b, &cc, &e));
    g_assert_nonnull (strstr (e->message, "broken.jpg"));
    g_unlink (bad);
  }

  {
    QvizShape s = { 4, { 4, 3, 24, 24 }, FALSE };
    gsize n = (gsize) qviz_shape_numel (&s);
    g_autofree float *x = g_new (float, n);
    for (gsize i = 0; i < n; i++)
      x[i] = (float) ((i * 2654435761u) % 1000) / 250.0f - 2.0f;
    x[7] = 40.0f; /* one outlier */
    g_assert_true (qviz_npy_write (npy, x, &s, &error));
    qviz_calibration_config_init (&cc);
    cc.source = npy;
    g_assert_true (qviz_calibrate (b, &cc, &error));
    g_assert_no_error (error);
    cc.method = QVIZ_CALIBRATION_PERCENTILE;
    cc.percentile = 99.9;
    g_assert_true (qviz_calibrate (c, &cc, &error));
  }
  g_assert_true (a->calibrated && b->calibrated && c->calibrated);
  {
    int n_valid = 0, n_before_relu = 0;
    /* Every tensor an int8 plan reads has parameters.  Those without are a
     * conv's own output, which does not exist once its batchnorm is folded
     * into it, and the value before a ReLU or clip, which the int8 plan
     * fuses into the conv and never quantizes. */
    for (int v = 0; v < qviz_graph_n_values (b); v++)
      {
        const QvizValue *vb = qviz_graph_value (b, v), *vc = qviz_graph_value (c, v);
        g_assert_cmpint (vb->quant.valid, ==, vc->quant.valid);
        g_assert_cmpint (vb->quant.valid, ==, qviz_graph_value (a, v)->quant.valid);
        if (!vb->quant.valid)
          {
            int n_readers = 0;

            if (vb->data != NULL)
              continue;
            for (int i = 0; i < qviz_graph_n_nodes (b); i++)
              {
                const QvizNode *n = qviz_graph_node (b, i);
                if (n->n_inputs < 1 || n->inputs[0] != v)
                  continue;
                n_readers++;
                g_assert_true (n->op == QVIZ_OP_BATCHNORM ||
                               (n->op == QVIZ_OP_ACTIVATION &&
                                (n->a.act.kind == QVK_ACT_RELU || n->a.act.kind == QVK_ACT_CLIP)));
                n_before_relu += n->op == QVIZ_OP_ACTIVATION;
              }
            g_assert_cmpint (n_readers, ==, 1);
            continue;
          }
        n_valid++;
        g_assert_cmpfloat (vc->quant.scale, <=, vb->quant.scale * 1.0001);
      }
    g_assert_true (qviz_graph_value (b, b->input)->quant.valid);
    g_assert_true (qviz_graph_value (b, g_array_index (b->outputs, int, 0))->quant.valid);
    g_assert_cmpint (n_valid, >=, 2);
    g_assert_cmpint (n_before_relu, ==, 1);
  }
  /* The outlier stretches the input's min/max range but not its percentile range. */
  g_assert_cmpfloat (qviz_graph_value (c, c->input)->quant.scale, <,
                     0.5 * qviz_graph_value (b, b->input)->quant.scale);
}

/* The second sweep of a model with the same calibration takes the
 * parameters the first kept in the store: the same parameters for every
 * value, said so in the sweep's options; another method is calibrated
 * anew; a blob of another graph is refused. */
static void
test_calibration_cache (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "calibration-cache.sqlite", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) a = qviz_zoo_build ("dwsep5x5-d5", &error);
  g_autoptr (QvizGraph) b = qviz_zoo_build ("dwsep5x5-d5", &error);
  g_autoptr (QvizGraph) c = qviz_zoo_build ("dwsep5x5-d5", &error);
  g_autoptr (QvizGraph) other = qviz_zoo_build ("conv5x5s2", &error);
  g_autoptr (QvizStore) store = qviz_store_open (db, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr (QvizSweepConfig) config = small_config ();
  g_autoptr (QvizSweep) first = NULL, second = NULL, third = NULL;
  g_autoptr (GBytes) saved = NULL;
  gboolean some_differ = FALSE;

  g_assert_no_error (error);
  g_array_set_size (config->precisions, 1);
  g_array_index (config->precisions, QvizPrecision, 0) = QVIZ_PRECISION_INT8;
  g_assert_true (qviz_sweep_execute (a, store, config, NULL, NULL, &first, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (first->options, "calibration=\"v2 percentile 99.99, synthetic 8 inputs seed 7 32x32, "));
  g_assert_null (strstr (first->options, "cached"));

  g_assert_true (qviz_sweep_execute (b, store, config, NULL, NULL, &second, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (second->options, ", cached\""));
  for (int v = 0; v < qviz_graph_n_values (a); v++)
    {
      const QvizValue *x = qviz_graph_value (a, v), *y = qviz_graph_value (b, v);
      g_assert_cmpint (x->quant.valid, ==, y->quant.valid);
      g_assert_cmpfloat (x->quant.scale, ==, y->quant.scale);
      g_assert_cmpint (x->quant.zero_point, ==, y->quant.zero_point);
    }
  /* the bias correction's input means come back from the cache too */
  guint convs = 0;
  for (guint i = 0; i < a->nodes->len; i++)
    {
      const QvizNode *x = qviz_graph_node (a, (int) i), *y = qviz_graph_node (b, (int) i);
      gsize n = (gsize) x->a.conv.kernel_h * x->a.conv.kernel_w * x->a.conv.in_channels;

      if (x->op != QVIZ_OP_CONV)
        continue;
      g_assert_nonnull (x->a.conv.input_tap_mean);
      g_assert_nonnull (y->a.conv.input_tap_mean);
      g_assert_cmpmem (x->a.conv.input_tap_mean, n * sizeof (float),
                       y->a.conv.input_tap_mean, n * sizeof (float));
      convs++;
    }
  g_assert_cmpuint (convs, >, 0);

  config->calibration.method = QVIZ_CALIBRATION_MINMAX;
  g_assert_true (qviz_sweep_execute (c, store, config, NULL, NULL, &third, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (third->options, "calibration=\"v2 minmax, "));
  g_assert_null (strstr (third->options, "cached"));
  for (int v = 0; v < qviz_graph_n_values (a); v++)
    if (qviz_graph_value (a, v)->quant.scale != qviz_graph_value (c, v)->quant.scale)
      some_differ = TRUE;
  g_assert_true (some_differ);

  saved = qviz_calibration_save (a);
  g_assert_false (qviz_calibration_restore (other, saved));
  g_assert_false (other->calibrated);
}

/* The memory estimate made before planning is close to the arena a plan
 * lays out: never far below it (a refusal must not let a size through
 * that then fails) and not far above. */
static void
test_memory_estimate (void)
{
  static const char *const names[] = { "lraspp-mnv3", "mnv2", "dwsep5x5-d5" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (QvizGraph) g = qviz_zoo_build (names[i], &error);
      g_autofree QvizShape *shapes = g_new0 (QvizShape, qviz_graph_n_values (g));
      g_autoptr (QvizPlan) plan = NULL;
      QvizPlanConfig pc;
      double estimate, arena;

      g_assert_true (qviz_graph_infer_shapes (g, 1, 384, 320, shapes, &error));
      qviz_plan_config_init (&pc);
      pc.height = 384;
      pc.width = 320;
      pc.layout_only = TRUE;
      plan = qviz_plan_new (g, &pc, &error);
      g_assert_no_error (error);
      estimate = (double) qviz_memory_activation_peak (g, shapes, sizeof (float));
      arena = (double) qviz_plan_get_arena_bytes (plan);
      g_test_message ("%s at 384x320: estimate %.1f MB, arena %.1f MB", names[i],
                      estimate / 1e6, arena / 1e6);
      g_assert_cmpfloat (estimate, >=, 0.95 * arena);
      g_assert_cmpfloat (estimate, <=, 1.5 * arena);
    }
}

/* The remaining time scales what a finished configuration cost by the
 * pixels of the ones still to run, with the warm loop held to its minimum
 * time; a kind not seen yet counts as the mean so far. */
static void
test_eta (void)
{
  g_autoptr (QvizSweepConfig) c = qviz_sweep_config_new ();
  g_autoptr (QvizSweepEta) eta = NULL;
  g_autoptr (QvizRun) run = qviz_run_new ();
  g_autoptr (GError) error = NULL;
  double left;

  g_assert_true (qviz_parse_resolutions ("256,1024", c->resolutions, &error));
  g_assert_true (qviz_parse_threads ("1", c->threads, &error));
  g_assert_true (qviz_parse_precisions ("f32,int8", c->precisions, &error));
  c->min_time = 0.5;
  c->min_passes = 10;
  eta = qviz_sweep_eta_new (c);
  g_assert_cmpfloat (qviz_sweep_eta_remaining_s (eta), <, 0);

  /* f32 at 256: 20 ms plan, 50 warm passes of 10 ms, 1 s in all */
  run->precision = g_strdup ("f32");
  run->height = run->width = 256;
  run->threads = 1;
  run->plan_ms = 20;
  for (int i = 0; i < 50; i++)
    {
      double ms = 10;
      g_array_append_val (run->warm_ms, ms);
    }
  qviz_run_compute_stats (run);
  qviz_sweep_eta_config_started (eta, 0);
  qviz_sweep_eta_run_finished (eta, run, G_USEC_PER_SEC);

  /* left: int8 256 as f32 256 (1 s), f32 and int8 1024 each at
   * 0.02 + (1 - 0.5 - 0.02) * 16 + max (0.5, 10 * 0.16) s */
  left = qviz_sweep_eta_remaining_s (eta);
  g_assert_cmpfloat (fabs (left - (1.0 + 2 * (0.02 + 0.48 * 16 + 1.6))), <, 1e-6);
}

/* A sweep's options say what sets it apart, and nothing for defaults. */
static void
test_options_summary (void)
{
  static const struct { const char *options, *summary; } cases[] = {
    { "iterations=0 min-time=0.5 cold=3 warmup=0 conv=auto isa=auto "
      "calibration=\"v2 percentile 99.99, synthetic 8 inputs seed 7 256x256, 7.8 s\"", NULL },
    { "iterations=0 min-time=0.5 cold=3 warmup=0 conv=im2col isa=avx2 "
      "calibration=\"v2 minmax, npy /data/cal/imgs.npy, 16 inputs, file 0123456789abcdef, 1.2 s\"",
      "im2col · isa avx2 · minmax calibration · calibrated on imgs.npy" },
    { "iterations=20 conv=auto isa=auto calibration=\"v2 percentile 99.9, images /home/u/val, 8 at 224x224, "
      "files 0123456789abcdef, cached\" keep-float=a/conv,b/add", "percentile 99.9 calibration · "
      "calibrated on val · 2 layers in float" },
    { "iterations=10 conv=auto isa=scalar", "isa scalar" },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = qviz_sweep_options_summary (cases[i].options);
      g_test_message ("%s -> %s", cases[i].options, got ? got : "(none)");
      g_assert_cmpstr (got, ==, cases[i].summary);
    }
  g_assert_null (qviz_sweep_options_summary (NULL));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("qviz-sweep-XXXXXX", NULL);
  g_test_add_func ("/sweep/round-trip", test_sweep_round_trip);
  g_test_add_func ("/sweep/cancel", test_sweep_cancel);
  g_test_add_func ("/sweep/cli-sigint", test_cli_sigint);
  g_test_add_func ("/sweep/calibration-sources", test_calibration_sources);
  g_test_add_func ("/sweep/calibration-cache", test_calibration_cache);
  g_test_add_func ("/sweep/memory-estimate", test_memory_estimate);
  g_test_add_func ("/sweep/eta", test_eta);
  g_test_add_func ("/sweep/options-summary", test_options_summary);
  status = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  return status;
}
