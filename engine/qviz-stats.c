/* qviz-stats.c: summary statistics and two-sample tests. */
#include "qviz-stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
compare_doubles (const void *pa, const void *pb)
{
  double a = *(const double *) pa, b = *(const double *) pb;

  return (a > b) - (a < b);
}

double
qviz_stats_quantile_sorted (const double *sorted, gsize n, double q)
{
  double pos, frac;
  gsize lo;

  if (n == 0)
    return NAN;
  g_return_val_if_fail (sorted != NULL, NAN);

  q = CLAMP (q, 0.0, 1.0);
  pos = q * (double) (n - 1);
  lo = (gsize) floor (pos);
  if (lo >= n - 1)
    return sorted[n - 1];
  frac = pos - (double) lo;
  /* numpy's form: exact at the order statistics, monotone in between */
  return sorted[lo] + (sorted[lo + 1] - sorted[lo]) * frac;
}

static double
median_sorted (const double *sorted, gsize n)
{
  return qviz_stats_quantile_sorted (sorted, n, 0.5);
}

/* Sorts values in place and fills stats from them. */
static void
stats_from_scratch (double *values, gsize n, QvizStats *stats)
{
  double sum = 0.0, mean, ss = 0.0;
  g_autofree double *dev = NULL;

  stats->n = (guint) n;
  if (n == 0)
    {
      stats->median = stats->p10 = stats->p90 = NAN;
      stats->min = stats->max = stats->mean = NAN;
      stats->stddev = stats->mad = NAN;
      return;
    }

  qsort (values, n, sizeof (double), compare_doubles);
  stats->min = values[0];
  stats->max = values[n - 1];
  stats->median = median_sorted (values, n);
  stats->p10 = qviz_stats_quantile_sorted (values, n, 0.10);
  stats->p90 = qviz_stats_quantile_sorted (values, n, 0.90);

  for (gsize i = 0; i < n; i++)
    sum += values[i];
  mean = sum / (double) n;
  /* Two passes: the one-pass formula loses digits on millisecond timings
   * with small spread. */
  for (gsize i = 0; i < n; i++)
    ss += (values[i] - mean) * (values[i] - mean);
  stats->mean = mean;
  stats->stddev = n >= 2 ? sqrt (ss / (double) (n - 1)) : NAN;

  dev = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    dev[i] = fabs (values[i] - stats->median);
  qsort (dev, n, sizeof (double), compare_doubles);
  stats->mad = median_sorted (dev, n);
}

void
qviz_stats_compute (const double *values, gsize n, QvizStats *stats)
{
  g_autofree double *copy = NULL;

  g_return_if_fail (stats != NULL);
  g_return_if_fail (n == 0 || values != NULL);

  if (n > 0)
    copy = g_memdup2 (values, n * sizeof (double));
  stats_from_scratch (copy, n, stats);
}

void
qviz_stats_compute_float (const float *values, gsize n, QvizStats *stats)
{
  g_autofree double *copy = NULL;

  g_return_if_fail (stats != NULL);
  g_return_if_fail (n == 0 || values != NULL);

  copy = g_new (double, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    copy[i] = values[i];
  stats_from_scratch (copy, n, stats);
}

typedef struct {
  double value;
  int group; /* 0: a, 1: b */
} Tagged;

static int
compare_tagged (const void *pa, const void *pb)
{
  const Tagged *a = pa, *b = pb;

  return (a->value > b->value) - (a->value < b->value);
}

double
qviz_stats_mann_whitney_p (const double *a, gsize na,
                           const double *b, gsize nb)
{
  g_autofree Tagged *all = NULL;
  gsize n = na + nb;
  double rank_sum_a = 0.0, tie_term = 0.0;
  double n1 = (double) na, n2 = (double) nb, nn = (double) n;
  double u1, u2, u, mu, sigma, z, p;

  if (na == 0 || nb == 0)
    return 1.0;
  g_return_val_if_fail (a != NULL && b != NULL, 1.0);

  all = g_new (Tagged, n);
  for (gsize i = 0; i < na; i++)
    all[i] = (Tagged) { a[i], 0 };
  for (gsize i = 0; i < nb; i++)
    all[na + i] = (Tagged) { b[i], 1 };
  qsort (all, n, sizeof (Tagged), compare_tagged);

  /* Mid-ranks for runs of equal values; each run of t ties adds t^3 - t to
   * the variance correction. */
  for (gsize i = 0; i < n;)
    {
      gsize j = i;
      double mid, t;

      while (j + 1 < n && all[j + 1].value == all[i].value)
        j++;
      mid = ((double) i + (double) j) / 2.0 + 1.0;
      for (gsize k = i; k <= j; k++)
        if (all[k].group == 0)
          rank_sum_a += mid;
      t = (double) (j - i + 1);
      tie_term += t * t * t - t;
      i = j + 1;
    }

  u1 = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
  u2 = n1 * n2 - u1;
  u = MAX (u1, u2);
  mu = n1 * n2 / 2.0;
  sigma = sqrt (n1 * n2 / 12.0 * ((nn + 1.0) - tie_term / (nn * (nn - 1.0))));
  if (!(sigma > 0.0))
    return 1.0;

  z = (u - mu - 0.5) / sigma;
  p = erfc (z / G_SQRT2); /* 2 * P(Z > z) */
  return CLAMP (p, 0.0, 1.0);
}

/* The k-th smallest of v[0..n) (Hoare's selection), reordering v: linear
 * time where sorting a resample would cost n log n. */
static double
select_kth (double *v, gsize n, gsize k)
{
  gsize lo = 0, hi = n - 1;

  while (lo < hi)
    {
      double pivot = v[lo + (hi - lo) / 2];
      gsize i = lo, j = hi;

      while (i <= j)
        {
          while (v[i] < pivot)
            i++;
          while (v[j] > pivot)
            j--;
          if (i <= j)
            {
              double t = v[i];
              v[i] = v[j];
              v[j] = t;
              i++;
              if (j == 0)
                break;
              j--;
            }
        }
      if (k <= j)
        hi = j;
      else if (k >= i)
        lo = i;
      else
        break;
    }
  return v[k];
}

/* The median as median_sorted computes it (mean of the two middle values
 * for an even n), without sorting. */
static double
median_unsorted (double *v, gsize n)
{
  double upper = select_kth (v, n, n / 2);
  double lower = upper;

  if (n % 2 == 0)
    {
      /* select_kth left v[0..n/2) holding values <= upper: the lower
       * middle value is their largest. */
      lower = v[0];
      for (gsize i = 1; i < n / 2; i++)
        lower = MAX (lower, v[i]);
    }
  return (lower + upper) / 2.0;
}

static double
resampled_median (GRand *rand, const double *v, gsize n, double *scratch)
{
  for (gsize i = 0; i < n; i++)
    scratch[i] = v[g_rand_int_range (rand, 0, (gint32) n)];
  return median_unsorted (scratch, n);
}

gboolean
qviz_stats_bootstrap_median_diff (const double *a, gsize na,
                                  const double *b, gsize nb,
                                  guint n_resamples, double confidence,
                                  guint32 seed,
                                  double *lo, double *hi)
{
  g_autoptr(GRand) rand = NULL;
  g_autofree double *scratch = NULL;
  g_autofree double *diffs = NULL;
  double alpha;

  g_return_val_if_fail (lo != NULL && hi != NULL, FALSE);
  g_return_val_if_fail (confidence > 0.0 && confidence < 1.0, FALSE);
  g_return_val_if_fail (na <= G_MAXINT32 && nb <= G_MAXINT32, FALSE);

  *lo = *hi = NAN;
  if (na == 0 || nb == 0 || n_resamples == 0)
    return FALSE;
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  rand = g_rand_new_with_seed (seed);
  scratch = g_new (double, MAX (na, nb));
  diffs = g_new (double, n_resamples);
  for (guint r = 0; r < n_resamples; r++)
    {
      double ma = resampled_median (rand, a, na, scratch);
      double mb = resampled_median (rand, b, nb, scratch);
      diffs[r] = mb - ma;
    }
  qsort (diffs, n_resamples, sizeof (double), compare_doubles);
  alpha = (1.0 - confidence) / 2.0;
  *lo = qviz_stats_quantile_sorted (diffs, n_resamples, alpha);
  *hi = qviz_stats_quantile_sorted (diffs, n_resamples, 1.0 - alpha);
  return TRUE;
}
