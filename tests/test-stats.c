/* test-stats.c: summary statistics and two-sample tests against reference
 * figures computed in Python: numpy's default ("linear") percentile rule,
 * statistics.stdev / fmean, and the normal approximation of
 * scipy.stats.mannwhitneyu (method="asymptotic"), whose documented example
 * is checked as well. */
#include <math.h>
#include <glib.h>

#include "qviz-stats.h"

#define assert_close(a, b) g_assert_cmpfloat_with_epsilon ((a), (b), 1e-12 * MAX (1.0, fabs (b)))

static const double skewed[] = { 12.5, 10.1, 11.7, 13.9, 10.1, 55.0, 12.2, 11.0, 10.8, 12.9 };

static void
test_stats_known (void)
{
  QvizStats st;

  qviz_stats_compute (skewed, G_N_ELEMENTS (skewed), &st);
  g_assert_cmpuint (st.n, ==, 10);
  assert_close (st.median, 11.95);
  assert_close (st.p10, 10.1);
  assert_close (st.p90, 18.009999999999984);
  assert_close (st.min, 10.1);
  assert_close (st.max, 55.0);
  assert_close (st.mean, 16.02);
  assert_close (st.stddev, 13.75118580745352);
  assert_close (st.mad, 1.0499999999999998);
}

static void
test_stats_odd (void)
{
  const double v[] = { 4.0, 1.0, 3.0, 2.0, 5.0, 9.0, 7.0 };
  QvizStats st;

  qviz_stats_compute (v, G_N_ELEMENTS (v), &st);
  assert_close (st.median, 4.0);
  assert_close (st.p10, 1.6);
  assert_close (st.p90, 7.800000000000001);
  assert_close (st.mean, 4.428571428571429);
  assert_close (st.stddev, 2.819996622760558);
  assert_close (st.mad, 2.0);
  /* the input is left in its order */
  g_assert_cmpfloat (v[0], ==, 4.0);
  g_assert_cmpfloat (v[6], ==, 7.0);
}

static void
test_stats_small (void)
{
  const double one[] = { 3.0 };
  const double two[] = { 1.0, 2.0 };
  const float twof[] = { 1.0f, 2.0f };
  QvizStats st;

  qviz_stats_compute (one, 1, &st);
  g_assert_cmpuint (st.n, ==, 1);
  assert_close (st.median, 3.0);
  assert_close (st.p10, 3.0);
  assert_close (st.p90, 3.0);
  assert_close (st.mad, 0.0);
  g_assert_true (isnan (st.stddev));

  qviz_stats_compute (two, 2, &st);
  assert_close (st.median, 1.5);
  assert_close (st.p10, 1.1);
  assert_close (st.p90, 1.9);
  assert_close (st.stddev, 0.7071067811865476);
  assert_close (st.mad, 0.5);

  qviz_stats_compute_float (twof, 2, &st);
  assert_close (st.median, 1.5);
  assert_close (st.p90, 1.9);

  qviz_stats_compute (NULL, 0, &st);
  g_assert_cmpuint (st.n, ==, 0);
  g_assert_true (isnan (st.median));
  g_assert_true (isnan (st.min));
  g_assert_true (isnan (st.mad));
}

static void
test_quantile (void)
{
  const double sorted[] = { 0.0, 10.0, 20.0, 30.0, 40.0 };

  assert_close (qviz_stats_quantile_sorted (sorted, 5, 0.0), 0.0);
  assert_close (qviz_stats_quantile_sorted (sorted, 5, 1.0), 40.0);
  assert_close (qviz_stats_quantile_sorted (sorted, 5, 0.3), 12.0);
  assert_close (qviz_stats_quantile_sorted (sorted, 5, 0.875), 35.0);
  g_assert_true (isnan (qviz_stats_quantile_sorted (sorted, 0, 0.5)));
}

static void
test_mann_whitney (void)
{
  /* scipy.stats.mannwhitneyu documentation example, method="asymptotic":
   * 0.11134688653314041 */
  const double males[] = { 19, 22, 16, 29, 24 };
  const double females[] = { 20, 11, 17, 12 };
  /* with ties */
  const double a[] = { 1, 2, 2, 3, 3, 3, 4 };
  const double b[] = { 3, 4, 4, 5, 5, 6, 7, 7 };
  double shifted[G_N_ELEMENTS (skewed)];
  double p;

  p = qviz_stats_mann_whitney_p (males, 5, females, 4);
  g_assert_cmpfloat_with_epsilon (p, 0.11134688653314041, 1e-12);
  /* two-sided: symmetric in its arguments */
  g_assert_cmpfloat_with_epsilon (qviz_stats_mann_whitney_p (females, 4, males, 5), p, 1e-15);

  p = qviz_stats_mann_whitney_p (a, G_N_ELEMENTS (a), b, G_N_ELEMENTS (b));
  g_assert_cmpfloat_with_epsilon (p, 0.004793348746185464, 1e-12);

  for (guint i = 0; i < G_N_ELEMENTS (skewed); i++)
    shifted[i] = skewed[i] + 1.5;
  p = qviz_stats_mann_whitney_p (skewed, G_N_ELEMENTS (skewed), shifted, G_N_ELEMENTS (shifted));
  g_assert_cmpfloat_with_epsilon (p, 0.08175358299995024, 1e-12);

  /* identical samples: no evidence of a difference */
  p = qviz_stats_mann_whitney_p (skewed, G_N_ELEMENTS (skewed), skewed, G_N_ELEMENTS (skewed));
  g_assert_cmpfloat (p, >, 0.9);
  g_assert_cmpfloat (p, <=, 1.0);
  g_assert_cmpfloat (qviz_stats_mann_whitney_p (a, 0, b, 3), ==, 1.0);
}

static void
test_bootstrap (void)
{
  double a[40], b[40], lo, hi, lo2, hi2;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < 40; i++)
    {
      a[i] = 10.0 + g_rand_double (rand);
      b[i] = 12.0 + g_rand_double (rand);
    }

  g_assert_true (qviz_stats_bootstrap_median_diff (a, 40, b, 40, 2000, 0.95, 42, &lo, &hi));
  /* true shift is 2.0; the interval holds it and excludes 0 */
  g_assert_cmpfloat (lo, <, 2.0);
  g_assert_cmpfloat (hi, >, 2.0);
  g_assert_cmpfloat (lo, >, 1.0);
  g_assert_cmpfloat (hi, <, 3.0);

  /* fixed seed: the same interval every time */
  g_assert_true (qviz_stats_bootstrap_median_diff (a, 40, b, 40, 2000, 0.95, 42, &lo2, &hi2));
  g_assert_cmpfloat (lo, ==, lo2);
  g_assert_cmpfloat (hi, ==, hi2);

  /* a against itself: the interval straddles 0 */
  g_assert_true (qviz_stats_bootstrap_median_diff (a, 40, a, 40, 2000, 0.95, 42, &lo, &hi));
  g_assert_cmpfloat (lo, <=, 0.0);
  g_assert_cmpfloat (hi, >=, 0.0);

  /* a wider confidence gives a wider interval */
  g_assert_true (qviz_stats_bootstrap_median_diff (a, 40, b, 40, 2000, 0.5, 42, &lo2, &hi2));
  g_assert_true (qviz_stats_bootstrap_median_diff (a, 40, b, 40, 2000, 0.99, 42, &lo, &hi));
  g_assert_cmpfloat (hi - lo, >, hi2 - lo2);

  g_assert_false (qviz_stats_bootstrap_median_diff (a, 0, b, 40, 100, 0.95, 1, &lo, &hi));
  g_assert_true (isnan (lo) && isnan (hi));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/known", test_stats_known);
  g_test_add_func ("/stats/odd", test_stats_odd);
  g_test_add_func ("/stats/small", test_stats_small);
  g_test_add_func ("/stats/quantile", test_quantile);
  g_test_add_func ("/stats/mann-whitney", test_mann_whitney);
  g_test_add_func ("/stats/bootstrap", test_bootstrap);
  return g_test_run ();
}
