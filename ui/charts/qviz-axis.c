/* qviz-axis.c: "nice" ticks (1, 2, 5 x 10^k) and duration formatting. */
#include "qviz-axis.h"

#include <math.h>

/* Heckbert's nice numbers: the closest (@round) or next larger value of the
 * form 1, 2, 5 or 10 times a power of ten. */
double
qviz_axis_nice_number (double   x,
                       gboolean round)
{
  double expv, f, nf;

  if (!(x > 0) || !isfinite (x))
    return 1;

  expv = floor (log10 (x));
  f = x / pow (10, expv);
  if (round)
    nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  else
    nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nf * pow (10, expv);
}

static double
tick_step (double lo,
           double hi,
           guint  target_count)
{
  return qviz_axis_nice_number ((hi - lo) / MAX (1, target_count - 1), TRUE);
}

/* Ticks at multiples of a nice step inside [lo, hi]. */
GArray *
qviz_axis_ticks_linear (double  lo,
                        double  hi,
                        guint   target_count,
                        double *step)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (double));
  double s, first;

  if (!isfinite (lo) || !isfinite (hi))
    return ticks;
  if (hi < lo)
    {
      double t = lo;
      lo = hi;
      hi = t;
    }
  if (hi == lo)
    {
      g_array_append_val (ticks, lo);
      if (step != NULL)
        *step = 1;
      return ticks;
    }

  s = tick_step (lo, hi, MAX (2, target_count));
  first = ceil (lo / s - 1e-9) * s;
  for (guint i = 0; i < 1000; i++)
    {
      double v = first + i * s;
      if (v > hi + s * 1e-9)
        break;
      /* -0.0 would print as "-0" */
      if (fabs (v) < s * 1e-9)
        v = 0;
      g_array_append_val (ticks, v);
    }
  if (step != NULL)
    *step = s;
  return ticks;
}

void
qviz_axis_nice_range (double  lo,
                      double  hi,
                      guint   target_count,
                      double *nice_lo,
                      double *nice_hi)
{
  double s;

  if (hi < lo)
    {
      double t = lo;
      lo = hi;
      hi = t;
    }
  if (hi == lo)
    {
      hi = lo + (lo != 0 ? fabs (lo) * 0.1 : 1);
      lo = lo - (lo != 0 ? fabs (lo) * 0.1 : 0);
    }
  s = tick_step (lo, hi, MAX (2, target_count));
  *nice_lo = floor (lo / s) * s;
  *nice_hi = ceil (hi / s) * s;
}

/* Decades, plus 2x and 5x in between when the range is short enough for
 * them to fit within @max_count ticks. */
GArray *
qviz_axis_ticks_log10 (double lo,
                       double hi,
                       guint  max_count)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (double));
  static const double mult_all[] = { 1, 2, 5 };
  int e0, e1;
  guint n_mult;

  if (!(lo > 0) || !(hi > lo))
    return ticks;

  e0 = (int) floor (log10 (lo));
  e1 = (int) ceil (log10 (hi));
  n_mult = (guint) (e1 - e0) * 3 <= max_count ? 3 : 1;

  for (int e = e0; e <= e1; e++)
    for (guint m = 0; m < n_mult; m++)
      {
        double v = mult_all[m] * pow (10, e);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9))
          g_array_append_val (ticks, v);
      }
  return ticks;
}

static int
decimals_for (double value)
{
  double a = fabs (value);
  return a >= 100 ? 0 : a >= 10 ? 1 : 2;
}

/* A duration in the unit that keeps 3 significant digits readable. */
char *
qviz_format_ms (double ms)
{
  double a = fabs (ms);

  if (isnan (ms))
    return g_strdup ("–");
  if (a >= 1000)
    return g_strdup_printf ("%.*f s", decimals_for (ms / 1000), ms / 1000);
  if (a >= 1 || a == 0)
    return g_strdup_printf ("%.*f ms", a == 0 ? 0 : decimals_for (ms), ms);
  if (a >= 1e-3)
    return g_strdup_printf ("%.*f µs", decimals_for (ms * 1e3), ms * 1e3);
  return g_strdup_printf ("%.0f ns", ms * 1e6);
}

/* Tick labels share one unit and as many decimals as the step needs, so that
 * "0.5 ms, 1.0 ms, 1.5 ms" line up. */
char *
qviz_format_ms_tick (double ms,
                     double step_ms)
{
  const char *unit;
  double scale;
  int decimals;
  double a = fabs (step_ms);

  /* Seconds only for whole-second steps; below that a tenth of a unit
   * still reads better than a thousand of the next. */
  if (a >= 1000)
    unit = "s", scale = 1e-3;
  else if (a >= 0.1)
    unit = "ms", scale = 1;
  else if (a >= 1e-4)
    unit = "µs", scale = 1e3;
  else
    unit = "ns", scale = 1e6;

  decimals = (int) MAX (0, -floor (log10 (a * scale) + 1e-9));
  if (ms == 0)
    return g_strdup ("0");
  return g_strdup_printf ("%.*f %s", decimals, ms * scale, unit);
}

char *
qviz_format_ns (gint64 ns)
{
  return qviz_format_ms (ns / 1e6);
}
