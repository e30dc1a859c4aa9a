/* test-compare.c: two databases made by real sweeps that differ in a known
 * way (scalar kernels against the best this CPU has), merged into one, and
 * compared: the convolutions must come out significantly faster on the
 * vector side, and merging again must add nothing. */

#include "qviz-compare.h"
#include "qviz-store.h"
#include "qviz-sweep.h"
#include "qviz-zoo.h"
#include "qvk-conv.h"

#include <stdlib.h>
#include <string.h>

static char *
sweep_into (const char *db, int isa)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = qviz_zoo_build ("dwsep5x5-d5", &error);
  g_autoptr (QvizStore) store = qviz_store_open (db, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr (QvizSweepConfig) c = qviz_sweep_config_new ();
  g_autoptr (QvizSweep) sweep = NULL;

  g_assert_no_error (error);
  g_assert_true (qviz_parse_resolutions ("48", c->resolutions, &error));
  g_assert_true (qviz_parse_threads ("1", c->threads, &error));
  g_assert_true (qviz_parse_precisions ("f32,int8", c->precisions, &error));
  c->iterations = 15;
  c->cold = 1;
  c->isa = isa;
  g_assert_true (qviz_sweep_execute (g, store, c, NULL, NULL, &sweep, NULL, &error));
  g_assert_no_error (error);
  return g_strdup (sweep->uuid);
}

static void
test_scalar_against_vector (void)
{
  g_autofree char *dir = g_dir_make_tmp ("qviz-compare-XXXXXX", NULL);
  g_autofree char *db_a = g_build_filename (dir, "a.sqlite", NULL);
  g_autofree char *db_b = g_build_filename (dir, "b.sqlite", NULL);
  g_autofree char *sweep_a = NULL, *sweep_b = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = NULL;
  g_autoptr (GPtrArray) runs_a = NULL, runs_b = NULL, pairs = NULL;
  QvizImportCounts counts = { 0 };

  if (qvk_isa_detect () == QVK_ISA_SCALAR)
    {
      g_test_skip ("this CPU has no vector kernels to compare with");
      return;
    }
  sweep_a = sweep_into (db_a, QVK_ISA_SCALAR);
  sweep_b = sweep_into (db_b, -1);

  store = qviz_store_open (db_a, QVIZ_STORE_READ_WRITE, &error);
  g_assert_no_error (error);
  g_assert_true (qviz_store_import (store, db_b, &counts, &error));
  g_assert_cmpuint (counts.sweeps, ==, 1);
  g_assert_cmpuint (counts.runs, ==, 2);
  g_assert_true (qviz_store_import (store, db_b, &counts, &error));
  g_assert_cmpuint (counts.sweeps, ==, 0);
  g_assert_cmpuint (counts.runs, ==, 0);

  runs_a = qviz_store_list_runs (store, sweep_a, TRUE, &error);
  runs_b = qviz_store_list_runs (store, sweep_b, TRUE, &error);
  g_assert_no_error (error);
  pairs = qviz_compare_match_runs (runs_a, runs_b);
  g_assert_cmpuint (pairs->len, ==, 4);
  for (guint i = 0; i < pairs->len; i += 2)
    {
      g_autoptr (QvizRunComparison) c =
        qviz_compare_runs (g_ptr_array_index (pairs, i), g_ptr_array_index (pairs, i + 1));
      int convs = 0;

      g_assert_true (c->significant);
      g_assert_false (c->too_few_passes);
      g_assert_cmpfloat (c->ratio, <, 0.8);
      for (guint k = 0; k < c->layers->len; k++)
        {
          const QvizLayerDelta *d = &g_array_index (c->layers, QvizLayerDelta, k);
          if (!g_str_equal (d->op, "conv"))
            continue;
          convs++;
          g_test_message ("%s %s: B/A %.3f p %.3g", c->b->precision, d->name, d->ratio, d->p_value);
          g_assert_true (d->kernel_changed);
          g_assert_true (strstr (d->kernel_a, "scalar") != NULL);
          g_assert_cmpfloat (d->ratio, <, 0.8);
          g_assert_true (d->significant);
        }
      g_assert_cmpint (convs, ==, 2);
    }
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    g_assert_cmpint (system (cmd), ==, 0);
  }
}

/* A run of 3 warm passes against one 1000 times slower: the rank test
 * cannot reach its threshold with 3 and 3 values, so the comparison says
 * there were too few passes rather than "within noise"; with 8 and 8 the
 * same difference is significant. */
static QvizRun *
run_of (guint n, double ms)
{
  QvizRun *r = qviz_run_new ();

  for (guint i = 0; i < n; i++)
    {
      double v = ms * (1.0 + 0.01 * i);
      g_array_append_val (r->warm_ms, v);
    }
  qviz_run_compute_stats (r);
  return r;
}

static void
test_too_few_passes (void)
{
  g_autoptr (QvizRun) a3 = run_of (3, 100.0), b3 = run_of (3, 0.1);
  g_autoptr (QvizRun) a8 = run_of (8, 100.0), b8 = run_of (8, 0.1);
  g_autoptr (QvizRunComparison) few = qviz_compare_runs (a3, b3);
  g_autoptr (QvizRunComparison) enough = qviz_compare_runs (a8, b8);

  g_assert_cmpfloat (few->ratio, <, 0.01);
  g_assert_false (few->significant);
  g_assert_true (few->too_few_passes);
  g_assert_true (enough->significant);
  g_assert_false (enough->too_few_passes);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/compare/scalar-against-vector", test_scalar_against_vector);
  g_test_add_func ("/compare/too-few-passes", test_too_few_passes);
  return g_test_run ();
}
