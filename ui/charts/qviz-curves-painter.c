/* qviz-curves-painter.c: latency curves with whiskers and crossover markers. */
#include "qviz-config.h"
#include "qviz-curves-painter.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "qviz-axis.h"
#include "qviz-chart-private.h"

#define PAD 12.0

struct _QvizCurvesPainter {
  const QvizChartStyle *style;
  char                 *title;
  gboolean              log_y;
  GPtrArray            *series;   /* QvizCurveSeries, owned */

  /* Geometry of the last paint. */
  double                px0, px1, py0, py1; /* plot area: left, right, top, bottom */
  double                x_lo, x_hi, y_lo, y_hi;
};

QvizCurvesPainter *
qviz_curves_painter_new (const QvizChartStyle *style)
{
  QvizCurvesPainter *self = g_new0 (QvizCurvesPainter, 1);

  self->style = style != NULL ? style : qviz_chart_style_get_light ();
  self->series = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_curve_series_free);
  self->x_lo = 0;
  self->x_hi = 1;
  self->y_lo = 0;
  self->y_hi = 1;
  return self;
}

void
qviz_curves_painter_free (QvizCurvesPainter *self)
{
  if (self == NULL)
    return;
  g_free (self->title);
  g_ptr_array_unref (self->series);
  g_free (self);
}

void
qviz_curves_painter_set_style (QvizCurvesPainter    *self,
                               const QvizChartStyle *style)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (style != NULL);
  self->style = style;
}

void
qviz_curves_painter_set_title (QvizCurvesPainter *self,
                               const char        *title)
{
  g_return_if_fail (self != NULL);
  g_free (self->title);
  self->title = g_strdup (title);
}

void
qviz_curves_painter_set_log_y (QvizCurvesPainter *self,
                               gboolean           log_y)
{
  g_return_if_fail (self != NULL);
  self->log_y = !!log_y;
}

void
qviz_curves_painter_add_series (QvizCurvesPainter     *self,
                                const QvizCurveSeries *series)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (series != NULL);
  g_ptr_array_add (self->series, qviz_curve_series_copy (series));
}

void
qviz_curves_painter_clear (QvizCurvesPainter *self)
{
  g_return_if_fail (self != NULL);
  g_ptr_array_set_size (self->series, 0);
}

guint
qviz_curves_painter_get_n_series (QvizCurvesPainter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->series->len;
}

/* Sweep labels in the order they first appear; a series without one
 * belongs to the first sweep. */
static GPtrArray *
distinct_sweeps (QvizCurvesPainter *self)
{
  GPtrArray *sweeps = g_ptr_array_new ();

  for (guint i = 0; i < self->series->len; i++)
    {
      const QvizCurveSeries *s = g_ptr_array_index (self->series, i);
      gboolean seen = FALSE;

      for (guint k = 0; k < sweeps->len; k++)
        seen = seen || g_strcmp0 (g_ptr_array_index (sweeps, k), s->sweep) == 0;
      if (!seen)
        g_ptr_array_add (sweeps, s->sweep);
    }
  return sweeps;
}

static guint
sweep_slot (GPtrArray  *sweeps,
            const char *sweep)
{
  for (guint i = 0; i < sweeps->len; i++)
    if (g_strcmp0 (g_ptr_array_index (sweeps, i), sweep) == 0)
      return i;
  return 0;
}

static const QvizCurveSeries *
find_series (QvizCurvesPainter *self,
             const char        *sweep,
             guint              threads,
             gboolean           int8)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      const QvizCurveSeries *s = g_ptr_array_index (self->series, i);
      if (s->threads == threads && qviz_curve_series_is_int8 (s) == int8 &&
          g_strcmp0 (s->sweep, sweep) == 0)
        return s;
    }
  return NULL;
}

static gboolean
crossover_of_sweep (QvizCurvesPainter *self,
                    const char        *sweep,
                    guint              threads,
                    double            *resolution)
{
  const QvizCurveSeries *f32 = find_series (self, sweep, threads, FALSE);
  const QvizCurveSeries *int8 = find_series (self, sweep, threads, TRUE);

  /* An imported int8 run names its quantized engine after the runtime
   * ("pytorch 1.13 onednn"); its float counterpart is the runtime's
   * ("pytorch 1.13"). */
  for (guint i = 0; f32 == NULL && int8 != NULL && sweep != NULL && i < self->series->len; i++)
    {
      const QvizCurveSeries *s = g_ptr_array_index (self->series, i);
      gsize n = s->sweep != NULL ? strlen (s->sweep) : 0;

      if (s->threads == threads && !qviz_curve_series_is_int8 (s) && n > 0 &&
          g_str_has_prefix (sweep, s->sweep) && sweep[n] == ' ')
        f32 = s;
    }
  if (f32 == NULL || int8 == NULL)
    return FALSE;
  return qviz_curves_find_crossover (f32, int8, resolution);
}

/* With several sweeps, the crossover of the first one. */
gboolean
qviz_curves_painter_get_crossover (QvizCurvesPainter *self,
                                   guint              threads,
                                   double            *resolution)
{
  const char *first;

  g_return_val_if_fail (self != NULL, FALSE);

  first = self->series->len > 0
    ? ((const QvizCurveSeries *) g_ptr_array_index (self->series, 0))->sweep : NULL;
  if (crossover_of_sweep (self, first, threads, resolution))
    return TRUE;
  /* a runtime's float series first: the crossover of its first int8 engine */
  for (guint i = 0; first != NULL && i < self->series->len; i++)
    {
      const QvizCurveSeries *s = g_ptr_array_index (self->series, i);
      gsize n = strlen (first);

      if (s->threads == threads && qviz_curve_series_is_int8 (s) && s->sweep != NULL &&
          g_str_has_prefix (s->sweep, first) && s->sweep[n] == ' ')
        return crossover_of_sweep (self, s->sweep, threads, resolution);
    }
  return FALSE;
}

double
qviz_curves_painter_resolution_to_x (QvizCurvesPainter *self,
                                     double             resolution)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->px0 + (resolution - self->x_lo) / (self->x_hi - self->x_lo) * (self->px1 - self->px0);
}

double
qviz_curves_painter_ms_to_y (QvizCurvesPainter *self,
                             double             ms)
{
  double f;

  g_return_val_if_fail (self != NULL, 0);
  if (self->log_y)
    f = (log10 (MAX (ms, 1e-9)) - log10 (self->y_lo)) / (log10 (self->y_hi) - log10 (self->y_lo));
  else
    f = (ms - self->y_lo) / (self->y_hi - self->y_lo);
  return self->py1 - f * (self->py1 - self->py0);
}

void
qviz_curves_painter_get_plot_area (QvizCurvesPainter *self,
                                   cairo_rectangle_t *area)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (area != NULL);
  area->x = self->px0;
  area->y = self->py0;
  area->width = self->px1 - self->px0;
  area->height = self->py1 - self->py0;
}

/* Sorted distinct thread counts: the index picks dash and marker shape. */
static GArray *
distinct_threads (QvizCurvesPainter *self)
{
  GArray *threads = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < self->series->len; i++)
    {
      const QvizCurveSeries *s = g_ptr_array_index (self->series, i);
      guint pos = 0;
      gboolean seen = FALSE;

      for (pos = 0; pos < threads->len; pos++)
        {
          guint t = g_array_index (threads, guint, pos);
          if (t == s->threads)
            seen = TRUE;
          if (t >= s->threads)
            break;
        }
      if (!seen)
        g_array_insert_val (threads, pos, s->threads);
    }
  return threads;
}

static guint
thread_slot (GArray *threads,
             guint   t)
{
  for (guint i = 0; i < threads->len; i++)
    if (g_array_index (threads, guint, i) == t)
      return i;
  return 0;
}

static void
set_dash (cairo_t *cr,
          guint    slot)
{
  static const double dashed[] = { 7, 4 };
  static const double dotted[] = { 1.5, 3.5 };
  static const double dash_dot[] = { 8, 3, 1.5, 3 };

  switch (slot % 4)
    {
    case 0: cairo_set_dash (cr, NULL, 0, 0); break;
    case 1: cairo_set_dash (cr, dashed, G_N_ELEMENTS (dashed), 0); break;
    case 2: cairo_set_dash (cr, dotted, G_N_ELEMENTS (dotted), 0); break;
    default: cairo_set_dash (cr, dash_dot, G_N_ELEMENTS (dash_dot), 0); break;
    }
}

static void
marker_path (cairo_t *cr,
             guint    slot,
             double   x,
             double   y,
             double   r)
{
  switch (slot % 4)
    {
    case 0:
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, y, r, 0, 2 * G_PI);
      break;
    case 1:
      cairo_rectangle (cr, x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8);
      break;
    case 2:
      cairo_move_to (cr, x, y - r * 1.15);
      cairo_line_to (cr, x + r * 1.1, y + r * 0.8);
      cairo_line_to (cr, x - r * 1.1, y + r * 0.8);
      cairo_close_path (cr);
      break;
    default:
      cairo_move_to (cr, x, y - r * 1.2);
      cairo_line_to (cr, x + r * 1.2, y);
      cairo_line_to (cr, x, y + r * 1.2);
      cairo_line_to (cr, x - r * 1.2, y);
      cairo_close_path (cr);
      break;
    }
}

typedef struct {
  const QvizChartStyle *style;
  QvizRgba              colour;
  guint                 dash;   /* set_dash () slot */
  guint                 slot;   /* marker_path () slot */
} SeriesSwatch;

static void
swatch_series (cairo_t  *cr,
               double    x,
               double    y,
               double    w,
               double    h,
               gpointer  user_data)
{
  const SeriesSwatch *sw = user_data;

  cairo_save (cr);
  qviz_chart_set_source (cr, &sw->colour);
  cairo_set_line_width (cr, 2);
  set_dash (cr, sw->dash);
  cairo_move_to (cr, x, y + h / 2);
  cairo_line_to (cr, x + w, y + h / 2);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  marker_path (cr, sw->slot, x + w / 2, y + h / 2, 3.5);
  cairo_fill (cr);
  cairo_restore (cr);
}

/* Precision gives the hue; a later sweep of a comparison is lighter. */
static QvizRgba
series_colour (const QvizChartStyle  *style,
               const QvizCurveSeries *s,
               guint                  sweep)
{
  return qviz_chart_style_sweep_colour (style, qviz_curve_series_is_int8 (s) ? &style->int8
                                                                            : &style->f32, sweep);
}

/* Line and marker of a series.  Compared sweeps differ by dash (the first
 * solid) and thread counts by marker; a single sweep uses both for threads,
 * as before sweeps could be compared. */
static void
series_pattern (GArray                *threads,
                GPtrArray             *sweeps,
                gboolean               comparing,
                const QvizCurveSeries *s,
                guint                 *dash,
                guint                 *marker)
{
  guint t = thread_slot (threads, s->threads);

  *marker = t;
  *dash = comparing ? (sweep_slot (sweeps, s->sweep) == 0 ? 0 : 1) : t;
}

static void
data_ranges (QvizCurvesPainter *self,
             double            *x_min,
             double            *x_max,
             double            *y_min,
             double            *y_max)
{
  *x_min = G_MAXDOUBLE;
  *x_max = -G_MAXDOUBLE;
  *y_min = G_MAXDOUBLE;
  *y_max = -G_MAXDOUBLE;
  for (guint i = 0; i < self->series->len; i++)
    {
      const QvizCurveSeries *s = g_ptr_array_index (self->series, i);

      for (guint k = 0; k < s->points->len; k++)
        {
          const QvizCurvePoint *p = &g_array_index (s->points, QvizCurvePoint, k);
          double lo = MIN (p->median_ms, isnan (p->p10_ms) ? p->median_ms : p->p10_ms);
          double hi = MAX (p->median_ms, isnan (p->p90_ms) ? p->median_ms : p->p90_ms);

          *x_min = MIN (*x_min, p->resolution);
          *x_max = MAX (*x_max, p->resolution);
          *y_min = MIN (*y_min, lo);
          *y_max = MAX (*y_max, hi);
        }
    }
}

/* The marker colour is used for nothing else in the chart, and the line is
 * pixel-aligned, so that the marker can be found in an image. */
static void
paint_crossovers (QvizCurvesPainter *self,
                  cairo_t           *cr,
                  PangoLayout       *small,
                  GArray            *threads,
                  GPtrArray         *sweeps,
                  gboolean           labels)
{
  const QvizChartStyle *style = self->style;
  static const double dash[] = { 6, 4 };
  double label_y = self->py0 + 6;

  /* Every (sweep, thread count) pair, sweep by sweep. */
  for (guint k = 0; k < sweeps->len * threads->len; k++)
    {
      const char *sweep = g_ptr_array_index (sweeps, k / threads->len);
      guint th = g_array_index (threads, guint, k % threads->len);
      double r, x;
      g_autofree char *label = NULL;
      g_autofree char *where = NULL;
      double tw, tht, bx;

      if (!crossover_of_sweep (self, sweep, th, &r))
        continue;
      x = round (qviz_curves_painter_resolution_to_x (self, r));

      if (!labels)
        {
          cairo_save (cr);
          qviz_chart_set_source (cr, &style->crossover);
          cairo_set_line_width (cr, 2);
          cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
          cairo_move_to (cr, x, self->py0);
          cairo_line_to (cr, x, self->py1);
          cairo_stroke (cr);
          cairo_restore (cr);
          continue;
        }

      if (threads->len > 1)
        {
          g_autofree char *count = qviz_chart_threads_text ((int) th);
          where = sweep != NULL ? g_strdup_printf (" (%s, %s)", sweep, count)
                                : g_strdup_printf (" (%s)", count);
        }
      else if (sweep != NULL)
        where = g_strdup_printf (" (%s)", sweep);
      /* TRANSLATORS: where the int8 curve crosses above the float one: the
       * input size in px, then nothing or which curves, e.g.
       * " (A, 2 threads)". */
      label = g_strdup_printf (_("int8 slower from %.0f px%s"), r, where ? where : "");
      qviz_chart_text_size (small, label, &tw, &tht);
      bx = x + 6;
      if (bx + tw + 8 > self->px1)
        bx = x - 6 - tw - 8;
      qviz_chart_set_source (cr, &style->background);
      cairo_rectangle (cr, bx + 0.5, round (label_y) + 0.5, round (tw + 8), round (tht + 4));
      cairo_fill_preserve (cr);
      qviz_chart_set_source (cr, &style->separator);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
      qviz_chart_draw_text (cr, small, label, bx + 4.5, round (label_y) + 2.5, QVIZ_ALIGN_START,
                            QVIZ_ALIGN_START, 0, &style->foreground);
      label_y += tht + 8;
    }
}

void
qviz_curves_painter_paint (QvizCurvesPainter *self,
                           cairo_t           *cr,
                           double             width,
                           double             height)
{
  const QvizChartStyle *style;
  g_autoptr(PangoLayout) text = NULL;
  g_autoptr(PangoLayout) small = NULL;
  g_autoptr(GArray) threads = NULL;
  g_autoptr(GPtrArray) sweeps = NULL;
  gboolean comparing;
  g_autoptr(GArray) y_ticks = NULL;
  g_autoptr(GArray) x_ticks = NULL;
  g_autofree SeriesSwatch *swatches = NULL;
  g_autofree QvizLegendItem *items = NULL;
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  double x_min, x_max, y_min, y_max, y_step = 0;
  double top = PAD, line_h, label_w = 0, legend_h;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);

  style = self->style;
  cairo_save (cr);
  qviz_chart_fill_background (cr, style, width, height);

  text = qviz_chart_layout_new (cr, style, 0.9, FALSE);
  small = qviz_chart_layout_new (cr, style, 0.85, FALSE);
  qviz_chart_text_size (text, "Ag", NULL, &line_h);

  top += qviz_chart_draw_title (cr, style, self->title, PAD, top, width - 2 * PAD);

  data_ranges (self, &x_min, &x_max, &y_min, &y_max);
  if (self->series->len == 0 || x_min > x_max)
    {
      qviz_chart_draw_text (cr, text, _("No latency measurements"), width / 2, height / 2,
                            QVIZ_ALIGN_CENTER, QVIZ_ALIGN_CENTER, 0, &style->muted);
      cairo_restore (cr);
      return;
    }

  /* Legend: one entry per series, by sweep, float first, fewer threads
   * first. */
  threads = distinct_threads (self);
  sweeps = distinct_sweeps (self);
  comparing = sweeps->len > 1 || g_ptr_array_index (sweeps, 0) != NULL;
  swatches = g_new0 (SeriesSwatch, self->series->len);
  items = g_new0 (QvizLegendItem, self->series->len);
  {
    guint n = 0;

    /* (sweep, precision) in order: A's float, A's int8, B's float, ... */
    for (guint k = 0; k < sweeps->len * 2; k++)
      for (guint t = 0; t < threads->len; t++)
        for (guint i = 0; i < self->series->len; i++)
          {
            const QvizCurveSeries *s = g_ptr_array_index (self->series, i);
            guint th = g_array_index (threads, guint, t);
            char *label;

            if (s->threads != th || (guint) qviz_curve_series_is_int8 (s) != k % 2 ||
                sweep_slot (sweeps, s->sweep) != k / 2)
              continue;
            {
              g_autofree char *count = qviz_chart_threads_text ((int) s->threads);

              /* A legend entry: sweep, precision, then "2 threads". */
              if (s->sweep != NULL)
                label = g_strdup_printf ("%s · %s, %s", s->sweep, s->precision, count);
              else
                label = g_strdup_printf ("%s, %s", s->precision, count);
            }
            g_ptr_array_add (labels, label);
            swatches[n].style = style;
            swatches[n].colour = series_colour (style, s, k / 2);
            series_pattern (threads, sweeps, comparing, s, &swatches[n].dash, &swatches[n].slot);
            items[n].label = label;
            items[n].draw_swatch = swatch_series;
            items[n].user_data = &swatches[n];
            n++;
          }
    legend_h = qviz_chart_draw_legend (cr, style, items, n, PAD, top, width - 2 * PAD, TRUE);
    top += legend_h + 8;
  }

  /* Axes ranges. */
  if (self->log_y)
    {
      double lo = MAX (y_min, 1e-6), hi = MAX (y_max, lo * 1.01);

      self->y_lo = pow (10, floor (log10 (lo) * 4) / 4);
      self->y_hi = pow (10, ceil (log10 (hi) * 4) / 4);
      y_ticks = qviz_axis_ticks_log10 (self->y_lo, self->y_hi, 9);
      if (y_ticks->len < 2)
        {
          g_array_unref (y_ticks);
          y_ticks = g_array_new (FALSE, FALSE, sizeof (double));
          g_array_append_val (y_ticks, self->y_lo);
          g_array_append_val (y_ticks, self->y_hi);
        }
    }
  else
    {
      qviz_axis_nice_range (0, y_max * 1.05, 6, &self->y_lo, &self->y_hi);
      y_ticks = qviz_axis_ticks_linear (self->y_lo, self->y_hi, 6, &y_step);
    }

  {
    double span = x_max - x_min;
    double margin = span > 0 ? span * 0.06 : MAX (1, x_min * 0.1);

    self->x_lo = x_min - margin;
    self->x_hi = x_max + margin;
  }

  for (guint i = 0; i < y_ticks->len; i++)
    {
      double v = g_array_index (y_ticks, double, i);
      g_autofree char *s = self->log_y ? qviz_format_ms_tick (v, v) : qviz_format_ms_tick (v, y_step);
      double w;

      g_ptr_array_add (labels, g_strdup (s));
      qviz_chart_text_size (small, s, &w, NULL);
      label_w = MAX (label_w, w);
    }

  /* Vertical axis title, tick labels, plot, tick labels, axis title. */
  self->px0 = PAD + line_h + 6 + label_w + 8;
  self->px1 = width - PAD - 4;
  self->py0 = top + 4;
  self->py1 = height - PAD - line_h - 6 - line_h - 6;
  if (self->px1 - self->px0 < 40 || self->py1 - self->py0 < 40)
    {
      cairo_restore (cr);
      return;
    }

  qviz_chart_set_source (cr, &style->plot_background);
  cairo_rectangle (cr, self->px0, self->py0, self->px1 - self->px0, self->py1 - self->py0);
  cairo_fill (cr);

  /* Horizontal grid and y labels. */
  cairo_set_line_width (cr, 1);
  for (guint i = 0; i < y_ticks->len; i++)
    {
      double v = g_array_index (y_ticks, double, i);
      double y = round (qviz_curves_painter_ms_to_y (self, v)) + 0.5;
      g_autofree char *s = self->log_y ? qviz_format_ms_tick (v, v) : qviz_format_ms_tick (v, y_step);

      qviz_chart_set_source (cr, &style->grid);
      cairo_move_to (cr, self->px0, y);
      cairo_line_to (cr, self->px1, y);
      cairo_stroke (cr);
      qviz_chart_draw_text (cr, small, s, self->px0 - 6, y, QVIZ_ALIGN_END, QVIZ_ALIGN_CENTER,
                            0, &style->muted);
    }

  /* X ticks at the measured resolutions, thinned when labels would touch. */
  x_ticks = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < self->series->len; i++)
    {
      const QvizCurveSeries *s = g_ptr_array_index (self->series, i);

      for (guint k = 0; k < s->points->len; k++)
        {
          double r = g_array_index (s->points, QvizCurvePoint, k).resolution;
          guint pos;
          gboolean seen = FALSE;

          for (pos = 0; pos < x_ticks->len; pos++)
            {
              double v = g_array_index (x_ticks, double, pos);
              if (v == r)
                seen = TRUE;
              if (v >= r)
                break;
            }
          if (!seen)
            g_array_insert_val (x_ticks, pos, r);
        }
    }
  {
    double last_right = -G_MAXDOUBLE;

    for (guint i = 0; i < x_ticks->len; i++)
      {
        double r = g_array_index (x_ticks, double, i);
        double x = round (qviz_curves_painter_resolution_to_x (self, r)) + 0.5;
        g_autofree char *s = g_strdup_printf ("%g", r);
        double w;

        qviz_chart_set_source (cr, &style->grid);
        cairo_move_to (cr, x, self->py0);
        cairo_line_to (cr, x, self->py1);
        cairo_stroke (cr);
        qviz_chart_set_source (cr, &style->axis);
        cairo_move_to (cr, x, self->py1);
        cairo_line_to (cr, x, self->py1 + 4);
        cairo_stroke (cr);

        qviz_chart_text_size (small, s, &w, NULL);
        if (x - w / 2 < last_right + 8)
          continue;
        qviz_chart_draw_text (cr, small, s, x, self->py1 + 6, QVIZ_ALIGN_CENTER, QVIZ_ALIGN_START,
                              0, &style->muted);
        last_right = x + w / 2;
      }
  }

  /* Axis lines and titles.  The titles are cut at a little more than their
   * axis, so that a translation longer than the plot does not run into the
   * legend. */
  qviz_chart_set_source (cr, &style->axis);
  cairo_move_to (cr, self->px0 + 0.5, self->py0);
  cairo_line_to (cr, self->px0 + 0.5, self->py1 + 0.5);
  cairo_line_to (cr, self->px1, self->py1 + 0.5);
  cairo_stroke (cr);
  qviz_chart_draw_text (cr, text, _("Input resolution (px, square)"), (self->px0 + self->px1) / 2,
                        height - PAD, QVIZ_ALIGN_CENTER, QVIZ_ALIGN_END,
                        self->px1 - self->px0 + 2 * PAD, &style->muted);
  cairo_save (cr);
  cairo_translate (cr, PAD, (self->py0 + self->py1) / 2);
  cairo_rotate (cr, -G_PI / 2);
  /* TRANSLATORS: the time axis: each point is a median, its whiskers span
   * the 10th to the 90th percentile. */
  qviz_chart_draw_text (cr, text, self->log_y ? _("Median latency, log scale (whiskers p10–p90)")
                                     : _("Median latency (whiskers p10–p90)"),
                        0, 0, QVIZ_ALIGN_CENTER, QVIZ_ALIGN_START,
                        self->py1 - self->py0 + 2 * PAD, &style->muted);
  cairo_restore (cr);

  /* Crossover lines below the data, labels above it. */
  paint_crossovers (self, cr, small, threads, sweeps, FALSE);

  /* Series: whiskers, line, markers.  Series at the same resolution are
   * spread by a few pixels so that their whiskers do not hide each other. */
  cairo_save (cr);
  cairo_rectangle (cr, self->px0, self->py0 - 6, self->px1 - self->px0, self->py1 - self->py0 + 12);
  cairo_clip (cr);
  for (guint i = 0; i < self->series->len; i++)
    {
      const QvizCurveSeries *s = g_ptr_array_index (self->series, i);
      QvizRgba colour_value = series_colour (style, s, sweep_slot (sweeps, s->sweep));
      const QvizRgba *colour = &colour_value;
      guint slot, dash;
      double dodge = (i - (self->series->len - 1) / 2.0) * 3.0;

      series_pattern (threads, sweeps, comparing, s, &dash, &slot);

      qviz_chart_set_source (cr, colour);
      cairo_set_line_width (cr, 1.2);
      for (guint k = 0; k < s->points->len; k++)
        {
          const QvizCurvePoint *p = &g_array_index (s->points, QvizCurvePoint, k);
          double x = qviz_curves_painter_resolution_to_x (self, p->resolution) + dodge;

          if (isnan (p->p10_ms) || isnan (p->p90_ms))
            continue;
          cairo_move_to (cr, x, qviz_curves_painter_ms_to_y (self, p->p10_ms));
          cairo_line_to (cr, x, qviz_curves_painter_ms_to_y (self, p->p90_ms));
          cairo_move_to (cr, x - 3, qviz_curves_painter_ms_to_y (self, p->p10_ms));
          cairo_line_to (cr, x + 3, qviz_curves_painter_ms_to_y (self, p->p10_ms));
          cairo_move_to (cr, x - 3, qviz_curves_painter_ms_to_y (self, p->p90_ms));
          cairo_line_to (cr, x + 3, qviz_curves_painter_ms_to_y (self, p->p90_ms));
        }
      cairo_stroke (cr);

      cairo_set_line_width (cr, 2);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      set_dash (cr, dash);
      for (guint k = 0; k < s->points->len; k++)
        {
          const QvizCurvePoint *p = &g_array_index (s->points, QvizCurvePoint, k);
          double x = qviz_curves_painter_resolution_to_x (self, p->resolution) + dodge;
          double y = qviz_curves_painter_ms_to_y (self, p->median_ms);

          if (k == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);

      for (guint k = 0; k < s->points->len; k++)
        {
          const QvizCurvePoint *p = &g_array_index (s->points, QvizCurvePoint, k);
          double x = qviz_curves_painter_resolution_to_x (self, p->resolution) + dodge;
          double y = qviz_curves_painter_ms_to_y (self, p->median_ms);

          marker_path (cr, slot, x, y, 4);
          qviz_chart_set_source (cr, &style->plot_background);
          cairo_fill_preserve (cr);
          qviz_chart_set_source (cr, colour);
          cairo_set_line_width (cr, 1.8);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);

  paint_crossovers (self, cr, small, threads, sweeps, TRUE);
  cairo_restore (cr);
}

char *
qviz_curves_painter_describe_at (QvizCurvesPainter *self,
                                 double             x,
                                 double             y,
                                 double             radius)
{
  const QvizCurveSeries *best_series = NULL;
  const QvizCurvePoint *best = NULL;
  double best_d2 = radius * radius;
  g_autofree char *median = NULL, *p10 = NULL, *p90 = NULL, *who = NULL;
  int res;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->px1 <= self->px0 || self->py1 <= self->py0)
    return NULL;  /* not painted yet */
  for (guint i = 0; i < self->series->len; i++)
    {
      const QvizCurveSeries *s = g_ptr_array_index (self->series, i);

      for (guint k = 0; k < qviz_curve_series_get_n_points (s); k++)
        {
          const QvizCurvePoint *pt = qviz_curve_series_get_point (s, k);
          double dx, dy;

          if (!isfinite (pt->median_ms))
            continue;
          dx = qviz_curves_painter_resolution_to_x (self, pt->resolution) - x;
          dy = qviz_curves_painter_ms_to_y (self, pt->median_ms) - y;
          if (dx * dx + dy * dy <= best_d2)
            {
              best_d2 = dx * dx + dy * dy;
              best = pt;
              best_series = s;
            }
        }
    }
  if (best == NULL)
    return NULL;

  res = (int) round (best->resolution);
  median = qviz_format_ms (best->median_ms);
  who = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u thread", "%s, %u threads",
                                      best_series->threads),
                         best_series->precision, best_series->threads);
  if (best_series->sweep != NULL)
    {
      char *with_sweep = g_strdup_printf ("%s · %s", best_series->sweep, who);
      g_free (who);
      who = with_sweep;
    }
  if (isfinite (best->p10_ms) && isfinite (best->p90_ms))
    {
      p10 = qviz_format_ms (best->p10_ms);
      p90 = qviz_format_ms (best->p90_ms);
      /* TRANSLATORS: series, then input size, median and spread */
      return g_strdup_printf (_("%s\n%d×%d: %s (p10 %s, p90 %s)"), who, res, res, median, p10, p90);
    }
  return g_strdup_printf (_("%s\n%d×%d: %s"), who, res, res, median);
}
