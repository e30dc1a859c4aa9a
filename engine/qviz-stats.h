/* qviz-stats.h: summary statistics of timing samples, and the two tests
 * that compare two sets of samples (Mann-Whitney U and a bootstrap interval
 * of the difference of medians).
 *
 * Percentiles interpolate linearly between order statistics, as numpy's
 * default (method="linear"): the q-quantile of n sorted values sits at
 * position q * (n - 1).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint  n;        /* number of samples */
  double median;
  double p10, p90;
  double min, max;
  double mean;
  double stddev;   /* sample standard deviation (n - 1); NAN when n < 2 */
  double mad;      /* median absolute deviation from the median, unscaled */
} QvizStats;

/* Fills stats from n values (any order; values is not changed).  With n == 0
 * every field but n is NAN. */
void     qviz_stats_compute            (const double *values, gsize n,
                                        QvizStats *stats);
/* The same for float32 values (per-layer samples are kept as float). */
void     qviz_stats_compute_float      (const float *values, gsize n,
                                        QvizStats *stats);

/* The q-quantile (0 <= q <= 1) of n sorted values, linear interpolation;
 * NAN when n == 0. */
double   qviz_stats_quantile_sorted    (const double *sorted, gsize n, double q);

/* Two-sided p-value of the Mann-Whitney U test of a against b, by the normal
 * approximation with tie correction and continuity correction (what
 * scipy.stats.mannwhitneyu gives with method="asymptotic").  Returns 1.0
 * when either sample is empty or every value is tied. */
double   qviz_stats_mann_whitney_p     (const double *a, gsize na,
                                        const double *b, gsize nb);

/* Percentile bootstrap interval of median(b) - median(a): n_resamples
 * resamples of each sample with replacement drawn from a GRand seeded with
 * seed, so the same inputs always give the same interval.  confidence is
 * e.g. 0.95.  Returns FALSE (and leaves lo/hi NAN) when a sample is empty. */
gboolean qviz_stats_bootstrap_median_diff (const double *a, gsize na,
                                           const double *b, gsize nb,
                                           guint n_resamples, double confidence,
                                           guint32 seed,
                                           double *lo, double *hi);

G_END_DECLS
