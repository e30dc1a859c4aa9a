/* qviz-crossover.c: where and how the int8 and float curves cross. */
#include "qviz-config.h"
#include "qviz-crossover.h"

#include <glib/gi18n-lib.h>
#include <math.h>

/* Medians at resolution @r, interpolated linearly between measured points;
 * FALSE outside the measured range. */
static gboolean
curve_value_at (const QvizCurveSeries *series,
                double                 r,
                double                *value)
{
  for (guint i = 0; i < series->points->len; i++)
    {
      const QvizCurvePoint *p = &g_array_index (series->points, QvizCurvePoint, i);

      if (p->resolution == r)
        {
          *value = p->median_ms;
          return TRUE;
        }
      if (p->resolution > r)
        {
          const QvizCurvePoint *q;

          if (i == 0)
            return FALSE;
          q = p - 1;
          *value = q->median_ms + (p->median_ms - q->median_ms) *
                   (r - q->resolution) / (p->resolution - q->resolution);
          return TRUE;
        }
    }
  return FALSE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* The difference int8 - f32 is evaluated at every resolution either curve
 * was measured at (inside the range both cover); int8 counts as slower where
 * it is not faster, so equal times do not make a crossing of their own.  A
 * crossing is a change of side between two neighbouring sizes, its
 * resolution interpolated linearly. */
void
qviz_curves_relate (const QvizCurveSeries *f32,
                    const QvizCurveSeries *int8,
                    QvizCurveRelation     *relation)
{
  g_autoptr(GArray) xs = NULL;
  gboolean have_prev = FALSE, prev_slower = FALSE;
  double prev_r = 0, prev_d = 0;

  g_return_if_fail (f32 != NULL);
  g_return_if_fail (int8 != NULL);
  g_return_if_fail (relation != NULL);

  *relation = (QvizCurveRelation) { .threads = f32->threads, .kind = QVIZ_CURVE_RELATION_UNKNOWN };

  xs = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < f32->points->len; i++)
    g_array_append_val (xs, g_array_index (f32->points, QvizCurvePoint, i).resolution);
  for (guint i = 0; i < int8->points->len; i++)
    g_array_append_val (xs, g_array_index (int8->points, QvizCurvePoint, i).resolution);
  g_array_sort (xs, compare_doubles);

  for (guint i = 0; i < xs->len; i++)
    {
      double r = g_array_index (xs, double, i);
      double a, b, d;
      gboolean slower;

      if (have_prev && r == prev_r)
        continue;
      if (!curve_value_at (f32, r, &a) || !curve_value_at (int8, r, &b))
        continue;
      if (isnan (a) || isnan (b))
        continue;
      d = b - a;
      slower = d >= 0;
      if (!have_prev)
        {
          relation->int8_slower_first = slower;
          relation->first_resolution = r;
        }
      else if (slower != prev_slower)
        {
          if (relation->n_crossings == 0)
            relation->resolution = prev_r + (r - prev_r) * (-prev_d) / (d - prev_d);
          relation->n_crossings++;
        }
      relation->last_resolution = r;
      prev_r = r;
      prev_d = d;
      prev_slower = slower;
      have_prev = TRUE;
    }

  if (!have_prev)
    relation->kind = QVIZ_CURVE_RELATION_UNKNOWN;
  else if (relation->n_crossings == 0)
    relation->kind = relation->int8_slower_first ? QVIZ_CURVE_RELATION_INT8_SLOWER
                                                 : QVIZ_CURVE_RELATION_INT8_FASTER;
  else if (relation->n_crossings == 1)
    relation->kind = relation->int8_slower_first ? QVIZ_CURVE_RELATION_FASTER_ABOVE
                                                 : QVIZ_CURVE_RELATION_SLOWER_ABOVE;
  else
    relation->kind = QVIZ_CURVE_RELATION_CROSSES_AGAIN;
}

/* The first resolution at which the curves cross, in either direction. */
gboolean
qviz_curves_find_crossover (const QvizCurveSeries *f32,
                            const QvizCurveSeries *int8,
                            double                *resolution)
{
  QvizCurveRelation relation;

  g_return_val_if_fail (f32 != NULL, FALSE);
  g_return_val_if_fail (int8 != NULL, FALSE);

  qviz_curves_relate (f32, int8, &relation);
  if (relation.n_crossings == 0)
    return FALSE;
  if (resolution != NULL)
    *resolution = relation.resolution;
  return TRUE;
}

static int
compare_threads (gconstpointer a,
                 gconstpointer b)
{
  const QvizCurveRelation *x = a, *y = b;
  return (x->threads > y->threads) - (x->threads < y->threads);
}

/* One relation per thread count: each float series against the int8 series
 * of the same thread count and sweep, sorted by thread count. */
GArray *
qviz_curves_relate_all (GPtrArray *series)
{
  GArray *relations;

  g_return_val_if_fail (series != NULL, NULL);

  relations = g_array_new (FALSE, FALSE, sizeof (QvizCurveRelation));
  for (guint i = 0; i < series->len; i++)
    {
      const QvizCurveSeries *f = g_ptr_array_index (series, i);

      /* The sentences speak of float against int8: a series of another
       * precision (fp16, an imported engine's) is not float. */
      if (g_ascii_strcasecmp (f->precision, "f32") != 0)
        continue;
      for (guint j = 0; j < series->len; j++)
        {
          const QvizCurveSeries *q = g_ptr_array_index (series, j);
          QvizCurveRelation relation;

          if (!qviz_curve_series_is_int8 (q) || q->threads != f->threads ||
              g_strcmp0 (q->sweep, f->sweep) != 0)
            continue;
          qviz_curves_relate (f, q, &relation);
          if (relation.kind != QVIZ_CURVE_RELATION_UNKNOWN)
            g_array_append_val (relations, relation);
        }
    }
  g_array_sort (relations, compare_threads);
  return relations;
}

/* One sentence for one thread count. */
char *
qviz_curve_relation_describe (const QvizCurveRelation *r)
{
  g_return_val_if_fail (r != NULL, NULL);

  switch (r->kind)
    {
    case QVIZ_CURVE_RELATION_INT8_FASTER:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                              "%u thread: int8 faster at every size (%.0f to %.0f px)",
                              "%u threads: int8 faster at every size (%.0f to %.0f px)", r->threads),
                              r->threads, r->first_resolution, r->last_resolution);
    case QVIZ_CURVE_RELATION_INT8_SLOWER:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                              "%u thread: int8 slower at every size (%.0f to %.0f px)",
                              "%u threads: int8 slower at every size (%.0f to %.0f px)", r->threads),
                              r->threads, r->first_resolution, r->last_resolution);
    case QVIZ_CURVE_RELATION_SLOWER_ABOVE:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                              "%u thread: int8 faster below %.0f px, slower above",
                              "%u threads: int8 faster below %.0f px, slower above", r->threads),
                              r->threads, r->resolution);
    case QVIZ_CURVE_RELATION_FASTER_ABOVE:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                              "%u thread: int8 slower below %.0f px, faster above",
                              "%u threads: int8 slower below %.0f px, faster above", r->threads),
                              r->threads, r->resolution);
    case QVIZ_CURVE_RELATION_CROSSES_AGAIN:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                              "%u thread: the curves cross %u times, first at %.0f px (int8 %s before)",
                              "%u threads: the curves cross %u times, first at %.0f px (int8 %s before)",
                              r->threads),
                              r->threads, r->n_crossings, r->resolution,
                              r->int8_slower_first ? _("slower") : _("faster"));
    case QVIZ_CURVE_RELATION_UNKNOWN:
    default:
      break;
    }
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                          "%u thread: no size measured in both precisions",
                          "%u threads: no size measured in both precisions", r->threads),
                          r->threads);
}

/* The card's title line: the relation when every thread count agrees,
 * otherwise a pointer to the per-thread lines. */
char *
qviz_curve_relations_headline (GArray *relations)
{
  const QvizCurveRelation *first;
  double lowest = G_MAXDOUBLE, highest = 0;

  g_return_val_if_fail (relations != NULL, NULL);

  if (relations->len == 0)
    return g_strdup (_("No size measured in both precisions"));
  first = &g_array_index (relations, QvizCurveRelation, 0);
  for (guint i = 0; i < relations->len; i++)
    {
      const QvizCurveRelation *r = &g_array_index (relations, QvizCurveRelation, i);

      if (r->kind != first->kind)
        return g_strdup (_("Depends on the thread count"));
      lowest = MIN (lowest, r->resolution);
      highest = MAX (highest, r->resolution);
    }
  switch (first->kind)
    {
    case QVIZ_CURVE_RELATION_INT8_FASTER:
      return g_strdup (_("No crossover: int8 faster at every size"));
    case QVIZ_CURVE_RELATION_INT8_SLOWER:
      return g_strdup (_("No crossover: int8 slower at every size"));
    case QVIZ_CURVE_RELATION_SLOWER_ABOVE:
      return g_strdup_printf (_("int8 slower above %.0f px"), lowest);
    case QVIZ_CURVE_RELATION_FASTER_ABOVE:
      return g_strdup_printf (_("int8 faster above %.0f px"), highest);
    case QVIZ_CURVE_RELATION_CROSSES_AGAIN:
      return g_strdup (_("The curves cross several times"));
    case QVIZ_CURVE_RELATION_UNKNOWN:
    default:
      break;
    }
  return g_strdup (_("No size measured in both precisions"));
}
