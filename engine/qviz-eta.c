/* qviz-eta.c: the remaining time of a sweep, configuration by configuration. */
#include "qviz-eta.h"

#include <math.h>

typedef struct {
  QvizPrecision precision;
  int threads;
  double pixels;
  gboolean finished;
  double plan_s;    /* measured: plan time, which hardly grows with size */
  double other_s;   /* measured: the rest outside the warm loop */
  double pass_s;    /* measured: median warm pass */
} Item;

struct _QvizSweepEta {
  GArray *items;    /* Item, one per configuration */
  double min_time_s;
  int min_passes, iterations;
  gint64 started_us;  /* the running configuration's start */
  double finished_s;  /* time of all finished configurations */
  int n_finished;
};

QvizSweepEta *
qviz_sweep_eta_new (const QvizSweepConfig *config)
{
  QvizSweepEta *eta;

  g_return_val_if_fail (config != NULL, NULL);

  eta = g_new0 (QvizSweepEta, 1);
  eta->items = g_array_new (FALSE, TRUE, sizeof (Item));
  eta->min_time_s = config->min_time;
  eta->min_passes = config->min_passes;
  eta->iterations = config->iterations;
  for (guint r = 0; r < config->resolutions->len; r++)
    for (guint t = 0; t < config->threads->len; t++)
      for (guint p = 0; p < config->precisions->len; p++)
        {
          QvizResolution res = g_array_index (config->resolutions, QvizResolution, r);
          Item it = { g_array_index (config->precisions, QvizPrecision, p),
                      g_array_index (config->threads, int, t),
                      (double) res.height * res.width, FALSE, 0, 0 };
          g_array_append_val (eta->items, it);
        }
  return eta;
}

void
qviz_sweep_eta_free (QvizSweepEta *eta)
{
  if (eta == NULL)
    return;
  g_array_unref (eta->items);
  g_free (eta);
}

void
qviz_sweep_eta_config_started (QvizSweepEta *eta, gint64 now_us)
{
  g_return_if_fail (eta != NULL);
  eta->started_us = now_us;
}

static double
warm_loop_s (const QvizSweepEta *eta, double pass_s)
{
  if (eta->iterations > 0)
    return eta->iterations * pass_s;
  return MAX (eta->min_time_s, eta->min_passes * pass_s);
}

void
qviz_sweep_eta_run_finished (QvizSweepEta *eta, const QvizRun *run, gint64 now_us)
{
  double took_s, warm_s = 0;

  g_return_if_fail (eta != NULL && run != NULL);

  took_s = (now_us - eta->started_us) / 1e6;
  eta->finished_s += took_s;
  eta->n_finished++;
  for (guint i = 0; i < run->warm_ms->len; i++)
    warm_s += g_array_index (run->warm_ms, double, i) / 1e3;
  for (guint i = 0; i < eta->items->len; i++)
    {
      Item *it = &g_array_index (eta->items, Item, i);

      if (it->finished || it->threads != run->threads ||
          g_strcmp0 (qviz_precision_name (it->precision), run->precision) != 0 ||
          it->pixels != (double) run->height * run->width)
        continue;
      it->finished = TRUE;
      it->pass_s = isfinite (run->stats.median) ? run->stats.median / 1e3 : 0;
      it->plan_s = isfinite (run->plan_ms) ? run->plan_ms / 1e3 : 0;
      it->other_s = MAX (took_s - warm_s - it->plan_s, 0);
      return;
    }
}

double
qviz_sweep_eta_remaining_s (const QvizSweepEta *eta)
{
  double mean_s, total = 0;

  g_return_val_if_fail (eta != NULL, -1);

  if (eta->n_finished == 0)
    return -1;
  mean_s = eta->finished_s / eta->n_finished;
  for (guint i = 0; i < eta->items->len; i++)
    {
      const Item *it = &g_array_index (eta->items, Item, i);
      const Item *like = NULL;

      if (it->finished)
        continue;
      /* the same precision and threads, else the same precision, else any */
      for (int pass = 0; pass < 3 && like == NULL; pass++)
        for (guint k = 0; k < eta->items->len; k++)
          {
            const Item *f = &g_array_index (eta->items, Item, k);
            if (!f->finished || (pass < 2 && f->precision != it->precision) ||
                (pass < 1 && f->threads != it->threads))
              continue;
            if (like == NULL || fabs (log (f->pixels / it->pixels)) <
                                  fabs (log (like->pixels / it->pixels)))
              like = f;
          }
      if (like == NULL)
        {
          total += mean_s;
          continue;
        }
      {
        const Item *second = NULL;
        double ratio = it->pixels / like->pixels, other_s, pass_s;

        /* a second finished size of the same kind separates what grows
         * with the pixels from what does not */
        for (guint k = 0; k < eta->items->len; k++)
          {
            const Item *f = &g_array_index (eta->items, Item, k);
            if (f->finished && f != like && f->precision == like->precision &&
                f->threads == like->threads && f->pixels != like->pixels &&
                (second == NULL || fabs (log (f->pixels / it->pixels)) <
                                     fabs (log (second->pixels / it->pixels))))
              second = f;
          }
        other_s = like->other_s * ratio;
        pass_s = like->pass_s * ratio;
        if (second != NULL)
          {
            double per_pixel = MAX ((like->other_s - second->other_s) /
                                    (like->pixels - second->pixels), 0.0);
            double fixed = MAX (like->other_s - per_pixel * like->pixels, 0.0);
            double pass_per_pixel = MAX ((like->pass_s - second->pass_s) /
                                         (like->pixels - second->pixels), 0.0);
            double pass_fixed = MAX (like->pass_s - pass_per_pixel * like->pixels, 0.0);

            other_s = fixed + per_pixel * it->pixels;
            pass_s = pass_fixed + pass_per_pixel * it->pixels;
          }
        total += like->plan_s + other_s + warm_loop_s (eta, pass_s);
      }
    }
  return total;
}
