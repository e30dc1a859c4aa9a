/* test-pool.c: the persistent worker pool -- every share of every job runs
 * once and is finished when qviz_pool_run returns, whether the workers were
 * spinning or asleep or told not to spin, and a plan run on the pool
 * computes what the same plan computes on OpenMP threads. */

#include "qviz-calibrate.h"
#include "qviz-input.h"
#include "qviz-plan.h"
#include "qviz-pool.h"
#include "qviz-zoo.h"

#include <stdatomic.h>

#define MAX_THREADS 4

typedef struct {
  atomic_int hits[MAX_THREADS];
  atomic_int wrong_n;
  int expected_n;
} Job;

static void
count_share (gpointer data, int thread_id, int n_threads)
{
  Job *job = data;

  if (n_threads != job->expected_n)
    atomic_fetch_add (&job->wrong_n, 1);
  atomic_fetch_add (&job->hits[thread_id], 1);
}

/* Jobs back to back (workers spinning) and after pauses long enough for
 * them to fall asleep: after each run every share has run exactly once.
 * A lost wake-up hangs here and the test's timeout fails it. */
static void
test_every_share_once (void)
{
  for (int n = 2; n <= MAX_THREADS; n++)
    {
      g_autoptr (QvizPool) pool = qviz_pool_new (n);

      g_assert_cmpint (qviz_pool_get_n_threads (pool), ==, n);
      for (int j = 0; j < 1000; j++)
        {
          Job job = { .expected_n = n };

          for (int t = 0; t < MAX_THREADS; t++)
            atomic_init (&job.hits[t], 0);
          atomic_init (&job.wrong_n, 0);
          if (j % 250 == 249)
            g_usleep (20000);   /* past the spinning: the workers sleep */
          qviz_pool_run (pool, count_share, &job);
          for (int t = 0; t < MAX_THREADS; t++)
            g_assert_cmpint (atomic_load (&job.hits[t]), ==, t < n ? 1 : 0);
          g_assert_cmpint (atomic_load (&job.wrong_n), ==, 0);
        }
    }
}

/* The workers' share takes a while now and then, so that the caller of a
 * pool told not to spin has to sleep until the last worker wakes it: every
 * share has still run once when qviz_pool_run returns, its writes seen,
 * and the pool spins again when told to.  A lost wake-up hangs here. */
static void
slow_share (gpointer data, int thread_id, int n_threads)
{
  Job *job = data;

  if (thread_id == n_threads - 1 && job->expected_n < 0)
    g_usleep (2000);
  atomic_fetch_add (&job->hits[thread_id], 1);
}

static void
test_no_spin (void)
{
  for (int n = 2; n <= MAX_THREADS; n++)
    {
      g_autoptr (QvizPool) pool = qviz_pool_new (n);

      for (int j = 0; j < 600; j++)
        {
          Job job = { .expected_n = j % 10 == 3 ? -1 : n };

          if (j == 0 || j == 400)
            qviz_pool_set_spin (pool, FALSE);
          else if (j == 200)
            qviz_pool_set_spin (pool, TRUE);
          for (int t = 0; t < MAX_THREADS; t++)
            atomic_init (&job.hits[t], 0);
          qviz_pool_run (pool, slow_share, &job);
          for (int t = 0; t < MAX_THREADS; t++)
            g_assert_cmpint (atomic_load_explicit (&job.hits[t], memory_order_relaxed), ==,
                             t < n ? 1 : 0);
        }
    }
}

static void
run_model (QvizGraph *g, QvizPrecision precision, QvizThreading threading,
           const float *x, int res, float *out, gsize n)
{
  QvizPlanConfig pc;
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizPlan) plan = NULL;

  qviz_plan_config_init (&pc);
  pc.precision = precision;
  pc.height = pc.width = res;
  pc.threads = 2;
  pc.threading = threading;
  plan = qviz_plan_new (g, &pc, &error);
  g_assert_no_error (error);
  qviz_plan_set_input_nchw (plan, x);
  for (int pass = 0; pass < 3; pass++)
    qviz_plan_run (plan, NULL);
  g_assert_cmpuint ((gsize) qviz_shape_numel (qviz_plan_get_output_shape (plan, 0)), ==, n);
  qviz_plan_get_output (plan, 0, out);
}

/* The layers split their work by thread the same way on both: outputs are
 * equal bit for bit, float and int8. */
static void
test_plan_matches_openmp (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = qviz_zoo_build ("lraspp-mnv3", &error);
  QvizCalibrationConfig cc;
  const int res = 96;
  g_autofree float *x = NULL;

  g_assert_no_error (error);
  qviz_calibration_config_init (&cc);
  cc.n_inputs = 2;
  cc.height = cc.width = res;
  g_assert_true (qviz_calibrate (g, &cc, &error));
  x = qviz_input_synthetic (1, g->in_channels, res, res, 5);
  for (int p = 0; p < 2; p++)
    {
      QvizPrecision precision = p == 0 ? QVIZ_PRECISION_F32 : QVIZ_PRECISION_INT8;
      QvizPlanConfig pc;
      g_autoptr (QvizPlan) probe = NULL;
      g_autofree float *a = NULL, *b = NULL;
      gsize n;

      qviz_plan_config_init (&pc);
      pc.height = pc.width = res;
      probe = qviz_plan_new (g, &pc, &error);
      g_assert_no_error (error);
      n = (gsize) qviz_shape_numel (qviz_plan_get_output_shape (probe, 0));
      a = g_new0 (float, n);
      b = g_new (float, n);
      for (gsize i = 0; i < n; i++)
        b[i] = G_MAXFLOAT;
      run_model (g, precision, QVIZ_THREADING_OPENMP, x, res, a, n);
      run_model (g, precision, QVIZ_THREADING_POOL, x, res, b, n);
      g_assert_cmpmem (a, n * sizeof (float), b, n * sizeof (float));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pool/every-share-once", test_every_share_once);
  g_test_add_func ("/pool/no-spin", test_no_spin);
  g_test_add_func ("/pool/plan-matches-openmp", test_plan_matches_openmp);
  return g_test_run ();
}
