/* qviz-chart-compare.c: from QvizRunComparison to chart data. */

#include "qviz-config.h"
#include "qviz-chart-compare.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "qviz-chart-adapt.h"
#include "qviz-chart-private.h"

char *
qviz_chart_run_config_label (const QvizRun *run)
{
  g_autofree char *threads = NULL;

  g_return_val_if_fail (run != NULL, NULL);
  threads = qviz_chart_threads_text (run->threads);
  /* TRANSLATORS: a run's configuration: precision, height x width, then
   * the thread count ("2 threads"). */
  return g_strdup_printf (_("%s %dx%d, %s"), run->precision, run->height, run->width, threads);
}

QvizFlameData *
qviz_chart_flame_diff (const QvizRun *b, const QvizRunComparison *c)
{
  QvizFlameData *data;
  g_autoptr (GHashTable) by_index = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree char *config = NULL;
  g_autofree char *label = NULL;
  gboolean cold = FALSE;
  guint band;
  int pass;

  g_return_val_if_fail (b != NULL, NULL);
  g_return_val_if_fail (c != NULL, NULL);

  data = qviz_flame_data_new ();
  for (guint i = 0; i < c->layers->len; i++)
    {
      QvizLayerDelta *d = &g_array_index (c->layers, QvizLayerDelta, i);
      if (d->index_b >= 0)
        g_hash_table_insert (by_index, GINT_TO_POINTER (d->index_b), d);
    }

  pass = qviz_run_representative_pass (b);
  for (guint i = 0; i < b->spans->len; i++)
    if (qviz_run_get_span (b, i)->pass == pass)
      cold = qviz_run_get_span (b, i)->cold;
  config = qviz_chart_run_config_label (b);
  if (isnan (c->ratio))
    label = cold
      /* TRANSLATORS: the band of a differential flame chart: B's
       * configuration ("int8 512x512, 2 threads"), then the pass shown. */
      ? g_strdup_printf (_("B: %s — cold pass %d"), config, pass + 1)
      /* TRANSLATORS: as "B: %s — cold pass %d", for a warm pass. */
      : g_strdup_printf (_("B: %s — warm pass %d"), config, pass + 1);
  else if (c->significant)
    label = cold
      /* TRANSLATORS: the band of a differential flame chart: B's
       * configuration, the pass shown, then B's whole-model time as a
       * multiple of A's. */
      ? g_strdup_printf (_("B: %s — cold pass %d — whole model ×%.2f of A"), config, pass + 1,
                         c->ratio)
      /* TRANSLATORS: as "B: %s — cold pass %d — whole model ×%.2f of A",
       * for a warm pass. */
      : g_strdup_printf (_("B: %s — warm pass %d — whole model ×%.2f of A"), config, pass + 1,
                         c->ratio);
  else
    label = cold
      /* TRANSLATORS: as "B: %s — cold pass %d — whole model ×%.2f of A",
       * when the difference is within the timing noise. */
      ? g_strdup_printf (_("B: %s — cold pass %d — whole model ×%.2f of A (within noise)"),
                         config, pass + 1, c->ratio)
      /* TRANSLATORS: as the line above, for a warm pass. */
      : g_strdup_printf (_("B: %s — warm pass %d — whole model ×%.2f of A (within noise)"),
                         config, pass + 1, c->ratio);
  band = qviz_flame_data_add_band (data, label);

  for (guint i = 0; b->spans && i < b->spans->len; i++)
    {
      const QvizRunSpan *s = qviz_run_get_span (b, i);
      const QvizRunLayer *l;
      const QvizLayerDelta *d;
      const char *slash;
      QvizSpanFlags flags;
      guint idx;

      /* Phases inside a layer have no ratio of their own. */
      if (s->pass != pass || s->layer < 0 || s->layer >= (int) b->layers->len || s->phase != NULL)
        continue;
      l = qviz_run_get_layer (b, (guint) s->layer);
      d = g_hash_table_lookup (by_index, GINT_TO_POINTER (l->index));
      flags = qviz_chart_layer_flags (l);
      if (d != NULL && d->index_a >= 0 && !d->significant)
        flags |= QVIZ_SPAN_WITHIN_NOISE;
      slash = strrchr (l->name, '/');
      idx = qviz_flame_data_add_span (data, band, l->name, slash ? slash + 1 : l->name,
                                      s->start_ns, MAX (s->end_ns, s->start_ns + 1), l->op,
                                      l->kernel, flags, l->index);
      qviz_flame_data_set_span_quality (data, idx, d != NULL ? d->ratio : NAN, l->sqnr_db);
    }
  return data;
}

static QvizSpanFlags
delta_flags (const QvizLayerDelta *d)
{
  QvizSpanFlags f = QVIZ_SPAN_NONE;

  if (d->dilated)
    f |= QVIZ_SPAN_DILATED;
  if (d->depthwise)
    f |= QVIZ_SPAN_DEPTHWISE;
  if (g_strcmp0 (d->layer_class, "pointwise") == 0)
    f |= QVIZ_SPAN_POINTWISE;
  return f;
}

GPtrArray *
qviz_chart_compare_rows (const QvizRunComparison *c)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_compare_row_free);

  g_return_val_if_fail (c != NULL, rows);
  for (guint i = 0; i < c->layers->len; i++)
    {
      const QvizLayerDelta *d = &g_array_index (c->layers, QvizLayerDelta, i);
      QvizCompareRow *row = qviz_compare_row_new (d->name, d->op, delta_flags (d), d->a_ms, d->b_ms);

      row->diff_lo = d->diff_lo;
      row->diff_hi = d->diff_hi;
      row->p_value = d->p_value;
      row->significant = d->significant;
      row->outlier = d->outlier;
      row->kernel_a = g_strdup (d->kernel_a);
      row->kernel_b = g_strdup (d->kernel_b);
      g_ptr_array_add (rows, row);
    }
  return rows;
}

static gboolean
config_before (const QvizRun *x, const QvizRun *y)
{
  gint64 px = (gint64) x->height * x->width, py = (gint64) y->height * y->width;
  gboolean qx = g_str_equal (x->precision, "int8"), qy = g_str_equal (y->precision, "int8");

  if (px != py)
    return px > py;
  if (x->threads != y->threads)
    return x->threads < y->threads;
  return qx && !qy;
}

const QvizRunComparison *
qviz_chart_compare_pick (GPtrArray *comparisons)
{
  const QvizRunComparison *best = NULL;

  g_return_val_if_fail (comparisons != NULL, NULL);
  for (guint i = 0; i < comparisons->len; i++)
    {
      const QvizRunComparison *c = g_ptr_array_index (comparisons, i);
      if (best == NULL || config_before (c->b, best->b))
        best = c;
    }
  return best;
}

static int
compare_comparisons (gconstpointer a, gconstpointer b)
{
  const QvizRunComparison *x = *(QvizRunComparison * const *) a;
  const QvizRunComparison *y = *(QvizRunComparison * const *) b;

  return config_before (x->b, y->b) ? -1 : config_before (y->b, x->b) ? 1 : 0;
}

void
qviz_chart_compare_sort (GPtrArray *comparisons)
{
  g_return_if_fail (comparisons != NULL);

  g_ptr_array_sort (comparisons, compare_comparisons);
}

static int
compare_delta_size (gconstpointer a, gconstpointer b)
{
  const QvizLayerDelta *x = *(QvizLayerDelta * const *) a, *y = *(QvizLayerDelta * const *) b;
  double dx = isnan (x->ratio) ? 0 : fabs (log (x->ratio));
  double dy = isnan (y->ratio) ? 0 : fabs (log (y->ratio));

  if (x->significant != y->significant)
    return x->significant ? -1 : 1;
  return (dy > dx) - (dy < dx);
}

GPtrArray *
qviz_chart_compare_ranked (const QvizRunComparison *c)
{
  GPtrArray *ranked = g_ptr_array_new ();

  g_return_val_if_fail (c != NULL, ranked);
  for (guint i = 0; i < c->layers->len; i++)
    g_ptr_array_add (ranked, &g_array_index (c->layers, QvizLayerDelta, i));
  g_ptr_array_sort (ranked, compare_delta_size);
  return ranked;
}

GPtrArray *
qviz_chart_compare_side_lines (const QvizRun *run, const QvizMachine *machine)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *started = NULL;
  const char *host, *cpu;

  g_return_val_if_fail (run != NULL, lines);

  host = machine && machine->hostname ? machine->hostname : run->hostname ? run->hostname : "?";
  cpu = machine && machine->cpu_model ? machine->cpu_model : run->cpu_model ? run->cpu_model : "?";
  if (machine != NULL)
    {
      g_autofree char *cores = qviz_chart_cores_text (machine->physical_cores,
                                                      machine->logical_cores);
      /* TRANSLATORS: host name, CPU name, then "2 cores / 4 threads". */
      g_ptr_array_add (lines, g_strdup_printf (_("%s: %s, %s"), host, cpu, cores));
    }
  else
    /* TRANSLATORS: host name, then CPU name. */
    g_ptr_array_add (lines, g_strdup_printf (_("%s: %s"), host, cpu));
  /* TRANSLATORS: the model's name, the kernels' instruction set
   * ("avx512vnni") and the convolution algorithm ("auto", "im2col"). */
  g_ptr_array_add (lines, g_strdup_printf (_("model %s, kernels %s, conv %s"),
                                           run->model_name ? run->model_name : "?",
                                           run->isa ? run->isa : "?",
                                           run->conv_algo ? run->conv_algo : "auto"));
  started = qviz_time_to_iso8601 (run->started);
  if (machine != NULL)
    /* TRANSLATORS: when the run started, then qviz's version and commit. */
    g_ptr_array_add (lines, g_strdup_printf (_("ran %s, qviz %s (%s)"), started,
                                             machine->qviz_version, machine->qviz_commit));
  else
    /* TRANSLATORS: when the run started. */
    g_ptr_array_add (lines, g_strdup_printf (_("ran %s"), started));
  return lines;
}
