/* qviz-breakdown-painter.c: stacked bars of time by layer class. */
#include "qviz-config.h"
#include "qviz-breakdown-painter.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "qviz-axis.h"
#include "qviz-chart-private.h"

#define PAD 12.0

struct _QvizBreakdownPainter {
  const QvizChartStyle *style;
  char                 *title;
  QvizBreakdown        *breakdown;

  /* Geometry of the last paint. */
  gboolean              painted;
  double                px0, px1, py0, py1, y_hi;
  double                group_w, bar_w, bar_gap;
};

QvizBreakdownPainter *
qviz_breakdown_painter_new (const QvizChartStyle *style)
{
  QvizBreakdownPainter *self = g_new0 (QvizBreakdownPainter, 1);

  self->style = style != NULL ? style : qviz_chart_style_get_light ();
  return self;
}

void
qviz_breakdown_painter_free (QvizBreakdownPainter *self)
{
  if (self == NULL)
    return;
  g_free (self->title);
  qviz_breakdown_free (self->breakdown);
  g_free (self);
}

void
qviz_breakdown_painter_set_style (QvizBreakdownPainter *self,
                                  const QvizChartStyle *style)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (style != NULL);
  self->style = style;
}

void
qviz_breakdown_painter_set_title (QvizBreakdownPainter *self,
                                  const char           *title)
{
  g_return_if_fail (self != NULL);
  g_free (self->title);
  self->title = g_strdup (title);
}

void
qviz_breakdown_painter_set_breakdown (QvizBreakdownPainter *self,
                                      const QvizBreakdown  *breakdown)
{
  g_return_if_fail (self != NULL);
  g_clear_pointer (&self->breakdown, qviz_breakdown_free);
  if (breakdown != NULL)
    self->breakdown = qviz_breakdown_copy (breakdown);
  self->painted = FALSE;
}

/* Patterns follow the flame chart: dilated hatched, depthwise outlined. */
static QvizSpanFlags
class_flags (QvizLayerClass layer_class)
{
  switch (layer_class)
    {
    case QVIZ_LAYER_CLASS_DILATED_DEPTHWISE: return QVIZ_SPAN_DILATED | QVIZ_SPAN_DEPTHWISE;
    case QVIZ_LAYER_CLASS_DEPTHWISE: return QVIZ_SPAN_DEPTHWISE;
    case QVIZ_LAYER_CLASS_POINTWISE: return QVIZ_SPAN_POINTWISE;
    case QVIZ_LAYER_CLASS_CONV:
    case QVIZ_LAYER_CLASS_OTHER:
    case QVIZ_N_LAYER_CLASSES:
    default: return QVIZ_SPAN_NONE;
    }
}

typedef struct {
  const QvizChartStyle *style;
  QvizLayerClass        layer_class;
  cairo_pattern_t      *hatch;
} ClassSwatch;

static void
swatch_class (cairo_t  *cr,
              double    x,
              double    y,
              double    w,
              double    h,
              gpointer  user_data)
{
  const ClassSwatch *sw = user_data;

  qviz_chart_style_fill_layer (sw->style, cr, x, y, w, h, sw->layer_class,
                               class_flags (sw->layer_class), sw->hatch);
}

gboolean
qviz_breakdown_painter_get_bar_rect (QvizBreakdownPainter *self,
                                     guint                 r,
                                     guint                 p,
                                     cairo_rectangle_t    *rect)
{
  double total;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (rect != NULL, FALSE);

  if (!self->painted || self->breakdown == NULL ||
      r >= self->breakdown->n_resolutions || p >= self->breakdown->n_precisions)
    return FALSE;
  total = qviz_breakdown_get_total (self->breakdown, r, p);
  rect->x = self->px0 + r * self->group_w + (self->group_w - self->breakdown->n_precisions * self->bar_w
            - (self->breakdown->n_precisions - 1) * self->bar_gap) / 2 + p * (self->bar_w + self->bar_gap);
  rect->width = self->bar_w;
  rect->height = total / self->y_hi * (self->py1 - self->py0);
  rect->y = self->py1 - rect->height;
  return TRUE;
}

void
qviz_breakdown_painter_paint (QvizBreakdownPainter *self,
                              cairo_t              *cr,
                              double                width,
                              double                height)
{
  const QvizChartStyle *style;
  const QvizBreakdown *b;
  g_autoptr(PangoLayout) text = NULL;
  g_autoptr(PangoLayout) small = NULL;
  g_autoptr(GArray) ticks = NULL;
  ClassSwatch swatches[QVIZ_N_LAYER_CLASSES];
  QvizLegendItem items[QVIZ_N_LAYER_CLASSES];
  cairo_pattern_t *hatch;
  double top = PAD, line_h, small_h, label_w = 0, max_total = 0, y_lo, step;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);

  style = self->style;
  b = self->breakdown;
  self->painted = FALSE;
  cairo_save (cr);
  qviz_chart_fill_background (cr, style, width, height);

  text = qviz_chart_layout_new (cr, style, 0.9, FALSE);
  small = qviz_chart_layout_new (cr, style, 0.8, FALSE);
  qviz_chart_text_size (text, "Ag", NULL, &line_h);
  qviz_chart_text_size (small, "Ag", NULL, &small_h);

  top += qviz_chart_draw_title (cr, style, self->title, PAD, top, width - 2 * PAD);

  if (b == NULL || b->n_resolutions == 0 || b->n_precisions == 0)
    {
      qviz_chart_draw_text (cr, text, _("No per-layer timings"), width / 2, height / 2,
                            QVIZ_ALIGN_CENTER, QVIZ_ALIGN_CENTER, 0, &style->muted);
      cairo_restore (cr);
      return;
    }

  hatch = qviz_chart_style_get_hatch (style);
  for (guint c = 0; c < QVIZ_N_LAYER_CLASSES; c++)
    {
      swatches[c].style = style;
      swatches[c].layer_class = c;
      swatches[c].hatch = hatch;
      items[c].label = qviz_layer_class_get_label (c);
      items[c].draw_swatch = swatch_class;
      items[c].user_data = &swatches[c];
    }
  top += qviz_chart_draw_legend (cr, style, items, QVIZ_N_LAYER_CLASSES, PAD, top,
                                 width - 2 * PAD, TRUE) + 8;

  for (guint r = 0; r < b->n_resolutions; r++)
    for (guint p = 0; p < b->n_precisions; p++)
      max_total = MAX (max_total, qviz_breakdown_get_total (b, r, p));
  qviz_axis_nice_range (0, MAX (max_total, 1e-3) * 1.08, 5, &y_lo, &self->y_hi);
  ticks = qviz_axis_ticks_linear (0, self->y_hi, 5, &step);
  for (guint i = 0; i < ticks->len; i++)
    {
      g_autofree char *s = qviz_format_ms_tick (g_array_index (ticks, double, i), step);
      double w;

      qviz_chart_text_size (small, s, &w, NULL);
      label_w = MAX (label_w, w);
    }

  /* Room above bars for their totals, below for precision and resolution. */
  self->px0 = PAD + label_w + 8;
  self->px1 = width - PAD;
  self->py0 = top + small_h + 4;
  self->py1 = height - PAD - small_h - 4 - line_h - 4;
  if (self->px1 - self->px0 < 40 || self->py1 - self->py0 < 30)
    {
      cairo_restore (cr);
      return;
    }
  self->group_w = (self->px1 - self->px0) / b->n_resolutions;
  self->bar_gap = 4;
  self->bar_w = MIN (56, (self->group_w * 0.78 - (b->n_precisions - 1) * self->bar_gap) / b->n_precisions);
  self->painted = TRUE;

  cairo_set_line_width (cr, 1);
  for (guint i = 0; i < ticks->len; i++)
    {
      double v = g_array_index (ticks, double, i);
      double y = round (self->py1 - v / self->y_hi * (self->py1 - self->py0)) + 0.5;
      g_autofree char *s = qviz_format_ms_tick (v, step);

      qviz_chart_set_source (cr, &style->grid);
      cairo_move_to (cr, self->px0, y);
      cairo_line_to (cr, self->px1, y);
      cairo_stroke (cr);
      qviz_chart_draw_text (cr, small, s, self->px0 - 6, y, QVIZ_ALIGN_END, QVIZ_ALIGN_CENTER,
                            0, &style->muted);
    }

  for (guint r = 0; r < b->n_resolutions; r++)
    {
      g_autofree char *res = g_strdup_printf ("%g px", b->resolutions[r]);

      for (guint p = 0; p < b->n_precisions; p++)
        {
          cairo_rectangle_t bar;
          double y = self->py1;
          double total = qviz_breakdown_get_total (b, r, p);

          qviz_breakdown_painter_get_bar_rect (self, r, p, &bar);
          for (guint c = 0; c < QVIZ_N_LAYER_CLASSES; c++)
            {
              double ms = qviz_breakdown_get (b, r, p, c);
              double h = ms / self->y_hi * (self->py1 - self->py0);

              if (h <= 0)
                continue;
              qviz_chart_style_fill_layer (style, cr, bar.x, y - h, bar.width, h, c,
                                           class_flags (c), hatch);
              y -= h;
            }
          if (total > 0)
            {
              g_autofree char *s = qviz_format_ms (total);
              double tw;

              qviz_chart_text_size (small, s, &tw, NULL);
              if (tw <= bar.width + self->bar_gap + 2)
                qviz_chart_draw_text (cr, small, s, bar.x + bar.width / 2, y - 2,
                                      QVIZ_ALIGN_CENTER, QVIZ_ALIGN_END, 0, &style->foreground);
            }
          qviz_chart_draw_text (cr, small, b->precisions[p], bar.x + bar.width / 2, self->py1 + 3,
                                QVIZ_ALIGN_CENTER, QVIZ_ALIGN_START, bar.width + self->bar_gap,
                                &style->muted);
        }
      qviz_chart_draw_text (cr, text, res, self->px0 + (r + 0.5) * self->group_w,
                            self->py1 + 3 + small_h + 2, QVIZ_ALIGN_CENTER, QVIZ_ALIGN_START,
                            self->group_w - 4, &style->foreground);
    }

  qviz_chart_set_source (cr, &style->axis);
  cairo_move_to (cr, self->px0, round (self->py1) + 0.5);
  cairo_line_to (cr, self->px1, round (self->py1) + 0.5);
  cairo_stroke (cr);

  cairo_restore (cr);
}

char *
qviz_breakdown_painter_describe_at (QvizBreakdownPainter *self,
                                    double                x,
                                    double                y)
{
  const QvizBreakdown *b;

  g_return_val_if_fail (self != NULL, NULL);

  b = self->breakdown;
  if (!self->painted || b == NULL)
    return NULL;
  for (guint r = 0; r < b->n_resolutions; r++)
    for (guint p = 0; p < b->n_precisions; p++)
      {
        cairo_rectangle_t bar;
        double total, bottom;
        int res;

        if (!qviz_breakdown_painter_get_bar_rect (self, r, p, &bar) ||
            x < bar.x || x >= bar.x + bar.width)
          continue;
        total = qviz_breakdown_get_total (b, r, p);
        res = (int) round (b->resolutions[r]);
        /* The segments are stacked from the bottom in class order, as
         * painted. */
        bottom = self->py1;
        for (guint c = 0; c < QVIZ_N_LAYER_CLASSES && total > 0; c++)
          {
            double ms = qviz_breakdown_get (b, r, p, c);
            double h = ms / self->y_hi * (self->py1 - self->py0);
            g_autofree char *ms_text = NULL, *total_text = NULL;

            if (h <= 0)
              continue;
            if (y <= bottom && y >= bottom - h)
              {
                ms_text = qviz_format_ms (ms);
                total_text = qviz_format_ms (total);
                /* TRANSLATORS: class, its time and share, then precision,
                 * input size and the bar's total */
                return g_strdup_printf (_("%s: %s, %.0f%% of the time\n%s at %d×%d, %s in all"),
                                        qviz_layer_class_get_label (c), ms_text, 100.0 * ms / total,
                                        b->precisions[p], res, res, total_text);
              }
            bottom -= h;
          }
      }
  return NULL;
}
