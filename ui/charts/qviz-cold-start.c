/* qviz-cold-start.c: cold passes against the steady state. */

#include "qviz-config.h"
#include "qviz-cold-start.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "qviz-chart-adapt.h"
#include "qviz-chart-compare.h"
#include "qviz-chart-private.h"

static void
cold_layer_clear (gpointer data)
{
  QvizColdLayer *l = data;

  g_free (l->name);
  g_free (l->kernel);
}

static int
by_extra_descending (gconstpointer a,
                     gconstpointer b)
{
  const QvizColdLayer *la = a, *lb = b;
  /* A layer with unreadable times goes last, and the order stays total. */
  double ea = isnan (la->extra_ms) ? -INFINITY : la->extra_ms;
  double eb = isnan (lb->extra_ms) ? -INFINITY : lb->extra_ms;

  if (ea != eb)
    return ea < eb ? 1 : -1;
  return la->layer_index - lb->layer_index;
}

static void
plan_layer_clear (gpointer data)
{
  QvizPlanLayer *l = data;

  g_free (l->name);
  g_free (l->kernel);
}

static int
by_plan_descending (gconstpointer a,
                    gconstpointer b)
{
  const QvizPlanLayer *la = a, *lb = b;

  if (la->plan_ms != lb->plan_ms)
    return la->plan_ms < lb->plan_ms ? 1 : -1;
  return la->layer_index - lb->layer_index;
}

QvizPlanBreakdown *
qviz_plan_breakdown_new (const QvizRun *run)
{
  QvizPlanBreakdown *pb;

  g_return_val_if_fail (run != NULL, NULL);

  if (run->layers == NULL || isnan (run->plan_ms))
    return NULL;
  pb = g_new0 (QvizPlanBreakdown, 1);
  pb->plan_ms = run->plan_ms;
  pb->layers = g_array_new (FALSE, TRUE, sizeof (QvizPlanLayer));
  g_array_set_clear_func (pb->layers, plan_layer_clear);
  for (guint i = 0; i < run->layers->len; i++)
    {
      const QvizRunLayer *layer = qviz_run_get_layer (run, i);
      QvizPlanLayer pl = { 0 };

      if (isnan (layer->plan_ms))
        continue;
      pl.layer_index = layer->index;
      pl.name = g_strdup (layer->name);
      pl.kernel = g_strdup (layer->kernel ? layer->kernel : "");
      pl.plan_ms = layer->plan_ms;
      pl.share = run->plan_ms > 0 ? layer->plan_ms / run->plan_ms : NAN;
      pb->layers_ms += layer->plan_ms;
      g_array_append_val (pb->layers, pl);
    }
  if (pb->layers->len == 0)
    {
      qviz_plan_breakdown_free (pb);
      return NULL;
    }
  g_array_sort (pb->layers, by_plan_descending);
  pb->rest_ms = MAX (pb->plan_ms - pb->layers_ms, 0);
  return pb;
}

void
qviz_plan_breakdown_free (QvizPlanBreakdown *pb)
{
  if (pb == NULL)
    return;
  g_array_unref (pb->layers);
  g_free (pb);
}

static gboolean
has_cold_pass (const QvizRun *run,
               int            pass)
{
  return run != NULL && pass >= 0 && run->cold_ms != NULL && pass < (int) run->cold_ms->len
         && run->warm_ms != NULL && run->warm_ms->len > 0 && !isnan (run->stats.median);
}

QvizColdPass *
qviz_cold_pass_new (const QvizRun *run,
                    int            pass)
{
  QvizColdPass *cp;

  g_return_val_if_fail (run != NULL, NULL);

  if (!has_cold_pass (run, pass))
    return NULL;

  cp = g_new0 (QvizColdPass, 1);
  cp->pass = pass;
  cp->plan_ms = run->plan_ms;
  cp->cold_ms = g_array_index (run->cold_ms, double, pass);
  cp->warm_ms = run->stats.median;
  cp->extra_ms = cp->cold_ms - cp->warm_ms;
  cp->layers = g_array_new (FALSE, TRUE, sizeof (QvizColdLayer));
  g_array_set_clear_func (cp->layers, cold_layer_clear);

  for (guint i = 0; run->layers && i < run->layers->len; i++)
    {
      const QvizRunLayer *layer = qviz_run_get_layer (run, i);
      QvizColdLayer cl = { 0 };

      /* A layer without this pass's time (a run cut short) tells nothing. */
      if (layer->pass_ms == NULL || (guint) pass >= layer->pass_ms->len || isnan (layer->stats.median))
        continue;
      cl.layer_index = layer->index;
      cl.name = g_strdup (layer->name);
      cl.kernel = g_strdup (layer->kernel ? layer->kernel : "");
      cl.cold_ms = g_array_index (layer->pass_ms, float, pass);
      cl.warm_ms = layer->stats.median;
      cl.extra_ms = cl.cold_ms - cl.warm_ms;
      cl.beyond_noise = cl.cold_ms > layer->stats.p90;
      cp->layers_extra_ms += cl.extra_ms;
      g_array_append_val (cp->layers, cl);
    }
  cp->outside_ms = cp->extra_ms - cp->layers_extra_ms;
  for (guint i = 0; i < cp->layers->len; i++)
    {
      QvizColdLayer *cl = &g_array_index (cp->layers, QvizColdLayer, i);
      cl->share = cp->extra_ms > 0 ? cl->extra_ms / cp->extra_ms : NAN;
    }
  g_array_sort (cp->layers, by_extra_descending);
  return cp;
}

void
qviz_cold_pass_free (QvizColdPass *cp)
{
  if (cp == NULL)
    return;
  g_clear_pointer (&cp->layers, g_array_unref);
  g_free (cp);
}

QvizFlameData *
qviz_chart_flame_cold_diff (const QvizRun *run,
                            int            pass)
{
  QvizFlameData *data;
  g_autofree char *config = NULL;
  g_autofree char *label = NULL;
  gboolean any = FALSE;
  guint band;

  g_return_val_if_fail (run != NULL, NULL);

  if (!has_cold_pass (run, pass) || run->spans == NULL || run->layers == NULL)
    return NULL;
  for (guint i = 0; i < run->spans->len && !any; i++)
    any = qviz_run_get_span (run, i)->pass == pass;
  if (!any)
    return NULL;

  data = qviz_flame_data_new ();
  config = qviz_chart_run_config_label (run);
  /* TRANSLATORS: the band of the cold-start flame chart: the run's
   * configuration ("int8 512x512, 2 threads"), the cold pass, then its
   * time as a multiple of the steady state. */
  label = g_strdup_printf (_("%s — cold pass %d — ×%.2f of the steady state"), config, pass + 1,
                           g_array_index (run->cold_ms, double, pass) / run->stats.median);
  band = qviz_flame_data_add_band (data, label);

  for (guint i = 0; i < run->spans->len; i++)
    {
      const QvizRunSpan *s = qviz_run_get_span (run, i);
      const QvizRunLayer *l;
      const char *slash;
      QvizSpanFlags flags;
      double ratio = NAN;
      guint idx;

      /* Phases inside a layer have no warm median of their own. */
      if (s->pass != pass || s->layer < 0 || s->layer >= (int) run->layers->len || s->phase != NULL)
        continue;
      l = qviz_run_get_layer (run, (guint) s->layer);
      flags = qviz_chart_layer_flags (l);
      if (l->pass_ms != NULL && (guint) pass < l->pass_ms->len && l->stats.median > 0)
        {
          double cold = g_array_index (l->pass_ms, float, pass);
          ratio = cold / l->stats.median;
          if (!(cold > l->stats.p90))
            flags |= QVIZ_SPAN_WITHIN_NOISE;
        }
      slash = strrchr (l->name, '/');
      idx = qviz_flame_data_add_span (data, band, l->name, slash ? slash + 1 : l->name,
                                      s->start_ns, MAX (s->end_ns, s->start_ns + 1), l->op,
                                      l->kernel, flags, l->index);
      qviz_flame_data_set_span_quality (data, idx, ratio, l->sqnr_db);
    }
  return data;
}

int
qviz_cold_worst_run (GPtrArray *runs)
{
  double worst = -INFINITY;
  int best = -1;

  g_return_val_if_fail (runs != NULL, -1);

  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *run = g_ptr_array_index (runs, i);
      double multiple;

      if (!has_cold_pass (run, 0) || !(run->stats.median > 0))
        continue;
      multiple = g_array_index (run->cold_ms, double, 0) / run->stats.median;
      if (multiple > worst)
        worst = multiple, best = (int) i;
    }
  return best;
}
