/* qviz-compare.c: layer-by-layer comparison with a noise model. */

#include "qviz-compare.h"

#include "qviz-csv.h"
#include "qviz-stats.h"

#include <math.h>

#define BOOTSTRAP_RESAMPLES 2000
#define BOOTSTRAP_SEED 1234u
#define MIN_RELATIVE_CHANGE 0.03
#define MAX_P_VALUE 0.01
#define MAX_TEST_SAMPLES 2000

static void
delta_clear (QvizLayerDelta *d)
{
  g_free (d->name);
  g_free (d->op);
  g_free (d->layer_class);
  g_free (d->kernel_a);
  g_free (d->kernel_b);
}

void
qviz_run_comparison_free (QvizRunComparison *c)
{
  if (c == NULL)
    return;
  g_array_unref (c->layers);
  g_free (c);
}

/* The warm samples of a layer, as doubles. */
static GArray *
warm_samples (const QvizRun *run, const QvizRunLayer *l)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (double));
  guint skip = run->cold_ms->len;

  for (guint i = skip; l->pass_ms && i < l->pass_ms->len; i++)
    {
      double v = g_array_index (l->pass_ms, float, i);
      g_array_append_val (out, v);
    }
  return out;
}

/* At most max values evenly spread over v[0..n), in pass order: the tests'
 * cost stays bounded for runs of any length (a store may hold a million
 * passes of a layer), and an interval from fewer samples is only wider. */
static const double *
spread_subsample (const double *v, gsize n, gsize max, GArray *out, gsize *n_out)
{
  if (n <= max)
    {
      *n_out = n;
      return v;
    }
  g_array_set_size (out, max);
  for (gsize i = 0; i < max; i++)
    g_array_index (out, double, i) = v[(gsize) ((double) i * (double) n / (double) max)];
  *n_out = max;
  return (const double *) out->data;
}

/* The smallest two-sided p-value the rank test can give for samples of na
 * and nb values: every A below every B, 2 / C(na + nb, na). */
static double
smallest_p (gsize na, gsize nb)
{
  double c = 1.0;

  if (na < 3 || nb < 3)
    return 1.0;
  for (gsize i = 1; i <= MIN (na, nb); i++)
    {
      c = c * (double) (na + nb - MIN (na, nb) + i) / (double) i;
      if (c > 1e9)
        break;
    }
  return MIN (1.0, 2.0 / c);
}

static void
judge (const double *a, gsize na, const double *b, gsize nb, double a_med, double b_med,
       double *lo, double *hi, double *p, gboolean *significant)
{
  g_autoptr (GArray) a_few = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) b_few = g_array_new (FALSE, FALSE, sizeof (double));

  *lo = *hi = NAN;
  *p = 1.0;
  *significant = FALSE;
  if (na < 3 || nb < 3)
    return;
  a = spread_subsample (a, na, MAX_TEST_SAMPLES, a_few, &na);
  b = spread_subsample (b, nb, MAX_TEST_SAMPLES, b_few, &nb);
  *p = qviz_stats_mann_whitney_p (a, na, b, nb);
  if (!qviz_stats_bootstrap_median_diff (a, na, b, nb, BOOTSTRAP_RESAMPLES, 0.95,
                                         BOOTSTRAP_SEED, lo, hi))
    return;
  *significant = *p < MAX_P_VALUE && (*lo > 0 || *hi < 0) &&
                 fabs (b_med - a_med) > MIN_RELATIVE_CHANGE * MAX (a_med, 1e-9);
}

QvizRunComparison *
qviz_compare_runs (const QvizRun *a, const QvizRun *b)
{
  QvizRunComparison *c;
  g_autoptr (GHashTable) a_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) matched = g_hash_table_new (g_str_hash, g_str_equal);
  double max_dev = 0;
  guint outlier = G_MAXUINT;

  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  c = g_new0 (QvizRunComparison, 1);
  c->a = a;
  c->b = b;
  c->layers = g_array_new (FALSE, TRUE, sizeof (QvizLayerDelta));
  g_array_set_clear_func (c->layers, (GDestroyNotify) delta_clear);
  c->ratio = a->stats.median > 0 ? b->stats.median / a->stats.median : NAN;
  {
    double lo, hi;
    judge ((const double *) a->warm_ms->data, a->warm_ms->len,
           (const double *) b->warm_ms->data, b->warm_ms->len, a->stats.median,
           b->stats.median, &lo, &hi, &c->p_value, &c->significant);
    c->too_few_passes = smallest_p (MIN (a->warm_ms->len, MAX_TEST_SAMPLES),
                                    MIN (b->warm_ms->len, MAX_TEST_SAMPLES)) >= MAX_P_VALUE;
  }

  for (guint i = 0; a->layers && i < a->layers->len; i++)
    {
      QvizRunLayer *l = qviz_run_get_layer (a, i);
      g_hash_table_insert (a_by_name, l->name, l);
    }

  for (guint i = 0; b->layers && i < b->layers->len; i++)
    {
      const QvizRunLayer *lb = qviz_run_get_layer (b, i);
      const QvizRunLayer *la = g_hash_table_lookup (a_by_name, lb->name);
      QvizLayerDelta d = { 0 };

      d.name = g_strdup (lb->name);
      d.op = g_strdup (lb->op);
      d.layer_class = g_strdup (lb->layer_class);
      d.depthwise = lb->depthwise;
      d.dilated = lb->dilated;
      d.index_b = lb->index;
      d.index_a = la ? la->index : -1;
      d.b_ms = lb->stats.median;
      d.a_ms = la ? la->stats.median : NAN;
      d.ratio = la && la->stats.median > 0 ? lb->stats.median / la->stats.median : NAN;
      d.kernel_b = g_strdup (lb->kernel);
      d.kernel_a = g_strdup (la ? la->kernel : "");
      d.kernel_changed = la != NULL && g_strcmp0 (la->kernel, lb->kernel) != 0;
      d.diff_lo = d.diff_hi = NAN;
      d.p_value = 1.0;
      if (la != NULL)
        {
          g_autoptr (GArray) sa = warm_samples (a, la);
          g_autoptr (GArray) sb = warm_samples (b, lb);
          judge ((const double *) sa->data, sa->len, (const double *) sb->data, sb->len,
                 d.a_ms, d.b_ms, &d.diff_lo, &d.diff_hi, &d.p_value, &d.significant);
          g_hash_table_add (matched, la->name);
        }
      if (d.significant)
        c->n_significant++;
      g_array_append_val (c->layers, d);
    }
  for (guint i = 0; a->layers && i < a->layers->len; i++)
    {
      const QvizRunLayer *la = qviz_run_get_layer (a, i);
      QvizLayerDelta d = { 0 };

      if (g_hash_table_contains (matched, la->name))
        continue;
      d.name = g_strdup (la->name);
      d.op = g_strdup (la->op);
      d.layer_class = g_strdup (la->layer_class);
      d.depthwise = la->depthwise;
      d.dilated = la->dilated;
      d.index_a = la->index;
      d.index_b = -1;
      d.a_ms = la->stats.median;
      d.b_ms = d.ratio = d.diff_lo = d.diff_hi = NAN;
      d.p_value = 1.0;
      d.kernel_a = g_strdup (la->kernel);
      d.kernel_b = g_strdup ("");
      g_array_append_val (c->layers, d);
    }

  /* Flag the significant layers whose ratio departs most from the model's
   * (in log terms), weighted by how much time they account for. */
  for (guint i = 0; i < c->layers->len; i++)
    {
      QvizLayerDelta *d = &g_array_index (c->layers, QvizLayerDelta, i);
      double dev;
      if (!d->significant || isnan (d->ratio) || isnan (c->ratio) || d->ratio <= 0)
        continue;
      dev = fabs (log (d->ratio) - log (c->ratio)) * fabs (d->b_ms - d->a_ms);
      if (dev > max_dev)
        {
          max_dev = dev;
          outlier = i;
        }
    }
  for (guint i = 0; i < c->layers->len; i++)
    {
      QvizLayerDelta *d = &g_array_index (c->layers, QvizLayerDelta, i);
      double dev;
      if (!d->significant || isnan (d->ratio) || d->ratio <= 0 || isnan (c->ratio))
        continue;
      dev = fabs (log (d->ratio) - log (c->ratio)) * fabs (d->b_ms - d->a_ms);
      d->outlier = i == outlier || dev > 0.25 * max_dev;
    }
  return c;
}

GPtrArray *
qviz_compare_match_runs (GPtrArray *runs_a, GPtrArray *runs_b)
{
  GPtrArray *pairs = g_ptr_array_new ();

  for (guint i = 0; i < runs_a->len; i++)
    {
      QvizRun *a = g_ptr_array_index (runs_a, i);
      for (guint k = 0; k < runs_b->len; k++)
        {
          QvizRun *b = g_ptr_array_index (runs_b, k);
          if (g_strcmp0 (a->precision, b->precision) == 0 && a->height == b->height &&
              a->width == b->width && a->threads == b->threads)
            {
              g_ptr_array_add (pairs, a);
              g_ptr_array_add (pairs, b);
              break;
            }
        }
    }
  return pairs;
}

gboolean
qviz_compare_write_csv (GPtrArray *comparisons, const char *path, GError **error)
{
  g_autoptr (QvizCsv) csv = qviz_csv_new ();
  static const char *const header[] = {
    "run_a", "run_b", "precision", "height", "width", "threads", "layer", "op",
    "layer_class", "depthwise", "dilated", "a_ms", "b_ms", "ratio", "diff_lo_ms",
    "diff_hi_ms", "p_value", "significant", "outlier", "kernel_a", "kernel_b",
    "kernel_changed"
  };

  qviz_csv_add_row (csv, header, G_N_ELEMENTS (header));
  for (guint k = 0; k < comparisons->len; k++)
    {
      const QvizRunComparison *c = g_ptr_array_index (comparisons, k);
      for (guint i = 0; i < c->layers->len; i++)
        {
          const QvizLayerDelta *d = &g_array_index (c->layers, QvizLayerDelta, i);
          qviz_csv_add_string (csv, c->a->uuid);
          qviz_csv_add_string (csv, c->b->uuid);
          qviz_csv_add_string (csv, c->b->precision);
          qviz_csv_add_int (csv, c->b->height);
          qviz_csv_add_int (csv, c->b->width);
          qviz_csv_add_int (csv, c->b->threads);
          qviz_csv_add_string (csv, d->name);
          qviz_csv_add_string (csv, d->op);
          qviz_csv_add_string (csv, d->layer_class);
          qviz_csv_add_bool (csv, d->depthwise);
          qviz_csv_add_bool (csv, d->dilated);
          qviz_csv_add_double (csv, d->a_ms);
          qviz_csv_add_double (csv, d->b_ms);
          qviz_csv_add_double (csv, d->ratio);
          qviz_csv_add_double (csv, d->diff_lo);
          qviz_csv_add_double (csv, d->diff_hi);
          qviz_csv_add_double (csv, d->p_value);
          qviz_csv_add_bool (csv, d->significant);
          qviz_csv_add_bool (csv, d->outlier);
          qviz_csv_add_string (csv, d->kernel_a);
          qviz_csv_add_string (csv, d->kernel_b);
          qviz_csv_add_bool (csv, d->kernel_changed);
          qviz_csv_end_row (csv);
        }
    }
  return qviz_csv_write_file (csv, path, error);
}
