/* qviz-chart-adapt.c: from QvizRun to chart data. */

#include "qviz-config.h"
#include "qviz-chart-adapt.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "qviz-chart-private.h"

static QvizLayerClass
class_from_name (const char *name)
{
  if (g_strcmp0 (name, "dilated depthwise") == 0)
    return QVIZ_LAYER_CLASS_DILATED_DEPTHWISE;
  if (g_strcmp0 (name, "depthwise") == 0)
    return QVIZ_LAYER_CLASS_DEPTHWISE;
  if (g_strcmp0 (name, "pointwise") == 0)
    return QVIZ_LAYER_CLASS_POINTWISE;
  if (g_strcmp0 (name, "conv") == 0)
    return QVIZ_LAYER_CLASS_CONV;
  if (g_strcmp0 (name, "attention") == 0)
    return QVIZ_LAYER_CLASS_ATTENTION;
  if (g_strcmp0 (name, "normalization") == 0)
    return QVIZ_LAYER_CLASS_NORMALIZATION;
  if (g_strcmp0 (name, "data movement") == 0)
    return QVIZ_LAYER_CLASS_DATA_MOVEMENT;
  return QVIZ_LAYER_CLASS_OTHER;
}

static QvizSpanFlags
layer_flags (const QvizRunLayer *l)
{
  QvizSpanFlags f = QVIZ_SPAN_NONE;

  if (l->dilated)
    f |= QVIZ_SPAN_DILATED;
  if (l->depthwise)
    f |= QVIZ_SPAN_DEPTHWISE;
  if (g_strcmp0 (l->layer_class, "pointwise") == 0)
    f |= QVIZ_SPAN_POINTWISE;
  return f;
}

QvizSpanFlags
qviz_chart_layer_flags (const QvizRunLayer *layer)
{
  g_return_val_if_fail (layer != NULL, QVIZ_SPAN_NONE);
  return layer_flags (layer);
}

QvizLayerClass
qviz_chart_layer_class (const QvizRunLayer *layer)
{
  g_return_val_if_fail (layer != NULL, QVIZ_LAYER_CLASS_OTHER);
  return class_from_name (layer->layer_class);
}

GPtrArray *
qviz_chart_curves_from_runs (GPtrArray *runs)
{
  GPtrArray *series = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_curve_series_free);

  g_return_val_if_fail (runs != NULL, series);
  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (runs, i);
      QvizCurveSeries *s = NULL;
      /* The engine is one more axis: runs of an imported trace are series
       * of their own, labelled by their engine ("pytorch 1.13 onednn"). */
      const char *engine = r->engine != NULL && !g_str_equal (r->engine, QVIZ_ENGINE_QVIZ)
                             ? r->engine : NULL;

      if (r->status == QVIZ_RUN_FAILED || r->warm_ms->len == 0)
        continue;
      for (guint k = 0; k < series->len; k++)
        {
          QvizCurveSeries *c = g_ptr_array_index (series, k);
          if (g_str_equal (c->precision, r->precision) && c->threads == (guint) r->threads &&
              g_strcmp0 (c->sweep, engine) == 0)
            s = c;
        }
      if (s == NULL)
        {
          s = qviz_curve_series_new (r->precision, (guint) r->threads);
          if (engine != NULL)
            qviz_curve_series_set_sweep (s, engine);
          g_ptr_array_add (series, s);
        }
      qviz_curve_series_add (s, r->height, r->stats.median, r->stats.p10, r->stats.p90);
    }
  return series;
}

GPtrArray *
qviz_chart_curves_from_two_sweeps (GPtrArray *runs_a, const char *label_a,
                                   GPtrArray *runs_b, const char *label_b)
{
  g_autoptr (GPtrArray) a = NULL;
  g_autoptr (GPtrArray) b = NULL;
  g_autofree char *la = NULL, *lb = NULL;
  GPtrArray *series;

  g_return_val_if_fail (runs_a != NULL && runs_b != NULL, NULL);

  la = g_strdup (label_a != NULL && label_a[0] ? label_a : "A");
  lb = g_strdup (label_b != NULL && label_b[0] ? label_b : "B");
  if (g_str_equal (la, lb))
    {
      g_autofree char *old_a = g_steal_pointer (&la), *old_b = g_steal_pointer (&lb);
      /* TRANSLATORS: a sweep's label when both compared sweeps have the
       * same one; A is the reference sweep. */
      la = g_strdup_printf (_("%s (A)"), old_a);
      /* TRANSLATORS: a sweep's label when both compared sweeps have the
       * same one; B is the sweep compared with A. */
      lb = g_strdup_printf (_("%s (B)"), old_b);
    }
  a = qviz_chart_curves_from_runs (runs_a);
  b = qviz_chart_curves_from_runs (runs_b);
  series = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_curve_series_free);
  while (a->len > 0)
    {
      QvizCurveSeries *s = g_ptr_array_steal_index (a, 0);
      qviz_curve_series_set_sweep (s, la);
      g_ptr_array_add (series, s);
    }
  while (b->len > 0)
    {
      QvizCurveSeries *s = g_ptr_array_steal_index (b, 0);
      qviz_curve_series_set_sweep (s, lb);
      g_ptr_array_add (series, s);
    }
  return series;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static int
fewest_threads (GPtrArray *runs)
{
  int t = G_MAXINT;
  for (guint i = 0; i < runs->len; i++)
    t = MIN (t, ((const QvizRun *) g_ptr_array_index (runs, i))->threads);
  return t == G_MAXINT ? 1 : t;
}

int
qviz_chart_breakdown_threads (GPtrArray *runs)
{
  g_return_val_if_fail (runs != NULL, 1);

  return fewest_threads (runs);
}

QvizBreakdown *
qviz_chart_breakdown_from_runs (GPtrArray *runs, int threads)
{
  g_autoptr (GArray) res = g_array_new (FALSE, FALSE, sizeof (double));
  /* f32 and int8 always, in that order; any other precision a store holds
   * (an imported engine's, an older qviz's) gets bars of its own rather
   * than being counted as float. */
  g_autoptr (GPtrArray) precisions = g_ptr_array_new ();
  QvizBreakdown *b;

  g_return_val_if_fail (runs != NULL, NULL);
  if (threads <= 0)
    threads = fewest_threads (runs);
  g_ptr_array_add (precisions, (gpointer) "f32");
  g_ptr_array_add (precisions, (gpointer) "int8");
  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (runs, i);
      double h = r->height;
      gboolean seen = FALSE;
      guint p;

      for (guint k = 0; k < res->len; k++)
        seen = seen || g_array_index (res, double, k) == h;
      if (!seen && r->threads == threads)
        g_array_append_val (res, h);
      if (r->threads == threads && r->precision != NULL &&
          !g_ptr_array_find_with_equal_func (precisions, r->precision, g_str_equal, &p))
        g_ptr_array_add (precisions, r->precision);
    }
  g_array_sort (res, compare_doubles);
  b = qviz_breakdown_new (res->len, (const double *) res->data, precisions->len,
                          (const char * const *) precisions->pdata);
  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (runs, i);
      guint ri = 0, pi = 0;

      if (r->threads != threads || r->layers == NULL || r->precision == NULL)
        continue;
      g_ptr_array_find_with_equal_func (precisions, r->precision, g_str_equal, &pi);
      while (ri < res->len && g_array_index (res, double, ri) != r->height)
        ri++;
      for (guint k = 0; k < r->layers->len; k++)
        {
          const QvizRunLayer *l = qviz_run_get_layer (r, k);
          if (!isnan (l->stats.median))
            qviz_breakdown_add (b, ri, pi, class_from_name (l->layer_class), l->stats.median);
        }
    }
  return b;
}

const QvizRun *
qviz_chart_find_run (GPtrArray *runs, const char *precision, int height, int threads)
{
  const QvizRun *best = NULL;

  g_return_val_if_fail (runs != NULL, NULL);
  if (threads <= 0)
    threads = fewest_threads (runs);
  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (runs, i);
      if (!g_str_equal (r->precision, precision) || r->threads != threads)
        continue;
      if (height > 0 && r->height == height)
        return r;
      if (height <= 0 && (best == NULL || r->height > best->height))
        best = r;
    }
  return best;
}

static void
add_band (QvizFlameData *data, const QvizRun *run, int pass, const QvizRun *other)
{
  g_autoptr (GHashTable) other_ms = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *label = NULL;
  g_autofree char *threads = NULL;
  guint band;
  gboolean cold = FALSE;

  if (pass < 0)
    pass = qviz_run_representative_pass (run);
  for (guint i = 0; i < run->spans->len; i++)
    if (qviz_run_get_span (run, i)->pass == pass)
      cold = qviz_run_get_span (run, i)->cold;
  threads = qviz_chart_threads_text (run->threads);
  if (cold)
    /* TRANSLATORS: a flame chart band: precision, height x width, the
     * thread count ("2 threads"), then the pass, e.g.
     * "int8 512x512, 2 threads — cold pass 1". */
    label = g_strdup_printf (_("%s %dx%d, %s — cold pass %d"), run->precision, run->height,
                             run->width, threads, pass + 1);
  else
    /* TRANSLATORS: a flame chart band: precision, height x width, the
     * thread count ("2 threads"), then the pass, e.g.
     * "int8 512x512, 2 threads — warm pass 4". */
    label = g_strdup_printf (_("%s %dx%d, %s — warm pass %d"), run->precision, run->height,
                             run->width, threads, pass + 1);
  band = qviz_flame_data_add_band (data, label);
  if (other && other->layers)
    for (guint i = 0; i < other->layers->len; i++)
      {
        QvizRunLayer *l = qviz_run_get_layer (other, i);
        g_hash_table_insert (other_ms, l->name, &l->stats.median);
      }

  for (guint i = 0; i < run->spans->len; i++)
    {
      const QvizRunSpan *s = qviz_run_get_span (run, i);
      const QvizRunLayer *l;
      const char *slash;
      guint idx;
      const double *o;
      double ratio = NAN;

      if (s->pass != pass || s->layer < 0 || s->layer >= (int) run->layers->len)
        continue;
      l = qviz_run_get_layer (run, (guint) s->layer);
      slash = strrchr (l->name, '/');
      idx = qviz_flame_data_add_span (data, band, l->name, slash ? slash + 1 : l->name,
                                      s->start_ns, MAX (s->end_ns, s->start_ns + 1), l->op,
                                      l->kernel, layer_flags (l), l->index);
      o = g_hash_table_lookup (other_ms, l->name);
      if (o != NULL && *o > 0 && !isnan (l->stats.median))
        ratio = g_str_equal (run->precision, "int8") ? l->stats.median / *o : *o / l->stats.median;
      qviz_flame_data_set_span_quality (data, idx, ratio, l->sqnr_db);
      /* the layer over the warm passes, when there are enough to say */
      if (run->warm_ms != NULL && run->warm_ms->len >= 3 && !isnan (l->stats.p10) && !isnan (l->stats.p90))
        qviz_flame_data_set_span_spread (data, idx, l->stats.p10 * 1e6, l->stats.p90 * 1e6);
    }
}

QvizFlameData *
qviz_chart_flame_from_runs (const QvizRun *f32, int f32_pass, const QvizRun *int8, int int8_pass)
{
  QvizFlameData *data = qviz_flame_data_new ();

  if (f32 != NULL)
    add_band (data, f32, f32_pass, int8);
  if (int8 != NULL)
    add_band (data, int8, int8_pass, f32);
  return data;
}

GPtrArray *
qviz_chart_layer_rows (const QvizRun *f32, const QvizRun *int8)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_layer_row_free);
  g_autoptr (GHashTable) int8_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  const QvizRun *base = f32 ? f32 : int8;

  if (base == NULL || base->layers == NULL)
    return rows;
  if (int8 && int8->layers)
    for (guint i = 0; i < int8->layers->len; i++)
      {
        QvizRunLayer *l = qviz_run_get_layer (int8, i);
        g_hash_table_insert (int8_by_name, l->name, l);
      }
  for (guint i = 0; i < base->layers->len; i++)
    {
      const QvizRunLayer *l = qviz_run_get_layer (base, i);
      const QvizRunLayer *q = base == int8 ? l : g_hash_table_lookup (int8_by_name, l->name);
      QvizLayerRow *row = qviz_layer_row_new (l->name, l->op, layer_flags (l),
                                              f32 ? l->stats.median : NAN,
                                              q ? q->stats.median : NAN);
      row->kernel_f32 = g_strdup (f32 ? l->kernel : "");
      row->kernel_int8 = g_strdup (q ? q->kernel : "");
      row->layer_class = class_from_name (l->layer_class);
      row->sqnr = q ? q->sqnr_db : NAN;
      row->layer_index = l->index;
      g_ptr_array_add (rows, row);
    }
  return rows;
}

QvizReportInfo *
qviz_chart_report_info (const QvizSweep *sweep, const QvizMachine *machine,
                        const QvizModelInfo *model)
{
  /* TRANSLATORS: a report's title; %s is the model's name. */
  g_autofree char *title = g_strdup_printf (_("%s — float vs int8"),
                                            model && model->name ? model->name
                                            : sweep && sweep->model_name ? sweep->model_name
                                            : _("model"));
  QvizReportInfo *info = qviz_report_info_new (title);

  if (sweep != NULL)
    {
      g_autofree char *created = qviz_time_to_iso8601 (sweep->created);
      /* TRANSLATORS: a report's subtitle: the sweep's id, its date, its
       * resolutions ("256, 512") and its thread counts ("1, 2"). */
      g_autofree char *sub = g_strdup_printf (_("sweep %.8s, %s, resolutions %s, threads %s"),
                                              sweep->uuid, created, sweep->resolutions,
                                              sweep->threads);
      qviz_report_info_set_subtitle (info, sub);
    }
  if (model != NULL)
    {
      g_autofree char *a = g_strdup_printf ("%s (%s)", model->name, model->source);
      /* TRANSLATORS: millions of parameters, billions of multiply-accumulates
       * at the default height x width. */
      g_autofree char *b = g_strdup_printf (_("%.2f M parameters, %.2f GMACs at %dx%d"),
                                            model->params / 1e6, model->macs / 1e9,
                                            model->default_res, model->default_res);
      /* TRANSLATORS: the size of the weights in float, then in int8. */
      g_autofree char *c = g_strdup_printf (_("weights %.2f MB f32, %.2f MB int8"),
                                            model->weight_bytes_f32 / 1e6,
                                            model->weight_bytes_int8 / 1e6);
      qviz_report_info_add_model_line (info, a);
      qviz_report_info_add_model_line (info, b);
      qviz_report_info_add_model_line (info, c);
    }
  if (machine != NULL)
    {
      g_autofree char *cores = qviz_chart_cores_text (machine->physical_cores,
                                                      machine->logical_cores);
      g_autofree char *a = g_strdup_printf ("%s, %s", machine->cpu_model, cores);
      g_autofree char *b = g_strdup_printf ("%s", machine->isa_flags);
      /* TRANSLATORS: the operating system, its kernel, the memory in
       * gigabytes, then qviz's version and commit. */
      g_autofree char *c = g_strdup_printf (_("%s, %s, %.1f GB, qviz %s (%s)"), machine->os,
                                            machine->kernel, machine->memory_bytes / 1e9,
                                            machine->qviz_version, machine->qviz_commit);
      qviz_report_info_add_machine_line (info, a);
      qviz_report_info_add_machine_line (info, b);
      qviz_report_info_add_machine_line (info, c);
    }
  return info;
}

gboolean
qviz_chart_worst_ratio_layer (const QvizRun        *f32,
                              const QvizRun        *int8,
                              const QvizRunLayer  **f32_layer,
                              const QvizRunLayer  **int8_layer,
                              double               *ratio)
{
  g_autoptr (GHashTable) by_name = NULL;
  const QvizRunLayer *best_f = NULL, *best_q = NULL;
  double best = -1, pass_ms = 0;

  g_return_val_if_fail (f32 != NULL, FALSE);
  g_return_val_if_fail (int8 != NULL, FALSE);

  if (f32->layers == NULL || int8->layers == NULL)
    return FALSE;
  by_name = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < f32->layers->len; i++)
    g_hash_table_insert (by_name, qviz_run_get_layer (f32, i)->name, qviz_run_get_layer (f32, i));
  for (guint i = 0; i < int8->layers->len; i++)
    if (!isnan (qviz_run_get_layer (int8, i)->stats.median))
      pass_ms += qviz_run_get_layer (int8, i)->stats.median;
  for (guint i = 0; i < int8->layers->len; i++)
    {
      const QvizRunLayer *q = qviz_run_get_layer (int8, i);
      const QvizRunLayer *f = g_hash_table_lookup (by_name, q->name);
      double r;

      if (f == NULL || isnan (q->stats.median) || isnan (f->stats.median) ||
          f->stats.median <= 0 || q->stats.median < 0.01 * pass_ms)
        continue;
      r = q->stats.median / f->stats.median;
      if (r > best)
        best = r, best_f = f, best_q = q;
    }
  if (best_q == NULL)
    return FALSE;
  if (f32_layer != NULL)
    *f32_layer = best_f;
  if (int8_layer != NULL)
    *int8_layer = best_q;
  if (ratio != NULL)
    *ratio = best;
  return TRUE;
}

static const QvizRun *
find_run (GPtrArray  *runs,
          const char *precision,
          int         height,
          int         width,
          int         threads)
{
  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (runs, i);
      if (g_strcmp0 (r->precision, precision) == 0 && r->height == height &&
          r->width == width && r->threads == threads)
        return r;
    }
  return NULL;
}

static int
compare_speedups (gconstpointer a,
                  gconstpointer b)
{
  const QvizChartSpeedup *x = a, *y = b;
  gint64 px = (gint64) x->height * x->width, py = (gint64) y->height * y->width;

  if (px != py)
    return px < py ? -1 : 1;
  return x->height - y->height;
}

GArray *
qviz_chart_speedups_from_runs (GPtrArray *runs,
                               int       *threads)
{
  GArray *speedups = g_array_new (FALSE, FALSE, sizeof (QvizChartSpeedup));
  int fewest = 0;

  g_return_val_if_fail (runs != NULL, speedups);

  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (runs, i);
      if (fewest == 0 || r->threads < fewest)
        fewest = r->threads;
    }
  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *f = g_ptr_array_index (runs, i), *q;
      QvizChartSpeedup s;

      if (f->threads != fewest || g_strcmp0 (f->precision, "f32") != 0)
        continue;
      q = find_run (runs, "int8", f->height, f->width, fewest);
      if (q == NULL || f->status != QVIZ_RUN_COMPLETE || q->status != QVIZ_RUN_COMPLETE)
        continue;
      s.height = f->height;
      s.width = f->width;
      s.speedup = f->stats.median / q->stats.median;
      g_array_append_val (speedups, s);
    }
  g_array_sort (speedups, compare_speedups);
  if (threads != NULL)
    *threads = fewest;
  return speedups;
}
