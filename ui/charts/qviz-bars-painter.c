/* qviz-bars-painter.c: horizontal bars of the slowest layers. */
#include "qviz-config.h"
#include "qviz-bars-painter.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "qviz-axis.h"
#include "qviz-chart-private.h"

#define PAD 12.0

struct _QvizBarsPainter {
  const QvizChartStyle *style;
  char                 *title;
  GPtrArray            *rows;      /* QvizLayerRow, owned */
  guint                 max_rows;
  guint                 n_shown;
};

QvizBarsPainter *
qviz_bars_painter_new (const QvizChartStyle *style)
{
  QvizBarsPainter *self = g_new0 (QvizBarsPainter, 1);

  self->style = style != NULL ? style : qviz_chart_style_get_light ();
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_layer_row_free);
  self->max_rows = 12;
  return self;
}

void
qviz_bars_painter_free (QvizBarsPainter *self)
{
  if (self == NULL)
    return;
  g_free (self->title);
  g_ptr_array_unref (self->rows);
  g_free (self);
}

void
qviz_bars_painter_set_style (QvizBarsPainter      *self,
                             const QvizChartStyle *style)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (style != NULL);
  self->style = style;
}

void
qviz_bars_painter_set_title (QvizBarsPainter *self,
                             const char      *title)
{
  g_return_if_fail (self != NULL);
  g_free (self->title);
  self->title = g_strdup (title);
}

/* Copies the @max_rows slowest of @rows (QvizLayerRow). */
void
qviz_bars_painter_set_rows (QvizBarsPainter *self,
                            GPtrArray       *rows)
{
  g_autoptr(GPtrArray) top = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (rows != NULL);

  g_ptr_array_set_size (self->rows, 0);
  top = qviz_layer_rows_top (rows, G_MAXUINT);
  for (guint i = 0; i < top->len; i++)
    g_ptr_array_add (self->rows, qviz_layer_row_copy (g_ptr_array_index (top, i)));
}

void
qviz_bars_painter_set_max_rows (QvizBarsPainter *self,
                                guint            max_rows)
{
  g_return_if_fail (self != NULL);
  self->max_rows = MAX (1, max_rows);
}

guint
qviz_bars_painter_get_n_shown (QvizBarsPainter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_shown;
}

typedef struct {
  const QvizChartStyle *style;
  const QvizRgba       *colour;
} PlainSwatch;

static void
swatch_plain (cairo_t  *cr,
              double    x,
              double    y,
              double    w,
              double    h,
              gpointer  user_data)
{
  const PlainSwatch *sw = user_data;

  qviz_chart_set_source (cr, sw->colour);
  cairo_rectangle (cr, x, y + 1, w, h - 2);
  cairo_fill (cr);
}

void
qviz_bars_painter_paint (QvizBarsPainter *self,
                         cairo_t         *cr,
                         double           width,
                         double           height)
{
  const QvizChartStyle *style;
  g_autoptr(PangoLayout) text = NULL;
  g_autoptr(PangoLayout) small = NULL;
  g_autoptr(GArray) ticks = NULL;
  cairo_pattern_t *hatch;
  PlainSwatch swatches[2];
  QvizLegendItem items[2];
  double top = PAD, line_h, small_h, name_w, ratio_w, value_w, x_hi, x_lo, step;
  double px0, px1, row_h, bar_h;
  guint n;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);

  style = self->style;
  self->n_shown = 0;
  cairo_save (cr);
  qviz_chart_fill_background (cr, style, width, height);

  text = qviz_chart_layout_new (cr, style, 0.88, FALSE);
  small = qviz_chart_layout_new (cr, style, 0.78, FALSE);
  qviz_chart_text_size (text, "Ag", NULL, &line_h);
  qviz_chart_text_size (small, "Ag", NULL, &small_h);

  top += qviz_chart_draw_title (cr, style, self->title, PAD, top, width - 2 * PAD);

  if (self->rows->len == 0)
    {
      qviz_chart_draw_text (cr, text, _("No per-layer timings"), width / 2, height / 2,
                            QVIZ_ALIGN_CENTER, QVIZ_ALIGN_CENTER, 0, &style->muted);
      cairo_restore (cr);
      return;
    }

  swatches[0] = (PlainSwatch) { style, &style->f32 };
  swatches[1] = (PlainSwatch) { style, &style->int8 };
  items[0] = (QvizLegendItem) { "float32", swatch_plain, &swatches[0] };
  items[1] = (QvizLegendItem) { "int8", swatch_plain, &swatches[1] };
  top += qviz_chart_draw_legend (cr, style, items, 2, PAD, top, width - 2 * PAD, TRUE) + 6;

  /* Rows that fit, at most max_rows; bars are never thinner than text. */
  row_h = MAX (2 * small_h + 6, line_h + 10);
  n = (guint) MAX (0, floor ((height - top - PAD - small_h - 8) / row_h));
  n = MIN (n, MIN (self->max_rows, self->rows->len));
  if (n == 0)
    {
      cairo_restore (cr);
      return;
    }
  self->n_shown = n;
  row_h = MIN (row_h * 1.3, (height - top - PAD - small_h - 8) / n);
  bar_h = MIN (12, (row_h - 6) / 2);

  x_hi = 0;
  for (guint i = 0; i < n; i++)
    x_hi = MAX (x_hi, qviz_layer_row_get_max_ms (g_ptr_array_index (self->rows, i)));
  qviz_axis_nice_range (0, MAX (x_hi, 1e-3), 5, &x_lo, &x_hi);
  ticks = qviz_axis_ticks_linear (0, x_hi, 5, &step);

  name_w = MIN (MAX (160, width * 0.3), 320);
  qviz_chart_text_size (small, "×10.00 ▲", &ratio_w, NULL);
  qviz_chart_text_size (small, "000.0 ms", &value_w, NULL);
  px0 = PAD + 16 + name_w + 8;
  px1 = width - PAD - ratio_w - 10 - value_w - 6;
  if (px1 - px0 < 40)
    {
      cairo_restore (cr);
      return;
    }

  hatch = qviz_chart_style_get_hatch (style);

  cairo_set_line_width (cr, 1);
  for (guint i = 0; i < ticks->len; i++)
    {
      double v = g_array_index (ticks, double, i);
      double x = round (px0 + v / x_hi * (px1 - px0)) + 0.5;
      g_autofree char *s = qviz_format_ms_tick (v, step);

      qviz_chart_set_source (cr, &style->grid);
      cairo_move_to (cr, x, top);
      cairo_line_to (cr, x, top + n * row_h);
      cairo_stroke (cr);
      qviz_chart_draw_text (cr, small, s, x, top + n * row_h + 4, QVIZ_ALIGN_CENTER,
                            QVIZ_ALIGN_START, 0, &style->muted);
    }

  for (guint i = 0; i < n; i++)
    {
      const QvizLayerRow *row = g_ptr_array_index (self->rows, i);
      double y = top + i * row_h;
      double cy = y + row_h / 2;
      double ratio = qviz_layer_row_get_ratio (row);
      const double values[2] = { row->f32_ms, row->int8_ms };
      const QvizRgba *colours[2] = { &style->f32, &style->int8 };

      if (i % 2 == 1)
        {
          qviz_chart_set_source (cr, &style->plot_background);
          cairo_rectangle (cr, PAD, y, width - 2 * PAD, row_h);
          cairo_fill (cr);
        }

      qviz_chart_style_fill_layer (style, cr, PAD, cy - 6, 12, 12, row->layer_class,
                                   row->flags & (QVIZ_SPAN_DILATED | QVIZ_SPAN_DEPTHWISE), hatch);
      qviz_chart_draw_text (cr, text, qviz_chart_short_name (row->name), PAD + 18, cy, QVIZ_ALIGN_START,
                            QVIZ_ALIGN_CENTER, name_w - 4, &style->foreground);

      for (guint k = 0; k < 2; k++)
        {
          double by = cy - bar_h - 1 + k * (bar_h + 2);
          double bw;
          g_autofree char *s = NULL;

          if (isnan (values[k]))
            continue;
          bw = MAX (1, values[k] / x_hi * (px1 - px0));
          qviz_chart_set_source (cr, colours[k]);
          cairo_rectangle (cr, px0, by, bw, bar_h);
          cairo_fill (cr);
          s = qviz_format_ms (values[k]);
          qviz_chart_draw_text (cr, small, s, px0 + bw + 4, by + bar_h / 2, QVIZ_ALIGN_START,
                                QVIZ_ALIGN_CENTER, 0, &style->muted);
        }

      if (!isnan (ratio))
        {
          /* The arrow says slower or faster without relying on colour. */
          g_autofree char *s = g_strdup_printf ("×%.2f %s", ratio, ratio > 1.0 ? "▲" : "▼");
          qviz_chart_draw_text (cr, small, s, width - PAD, cy, QVIZ_ALIGN_END, QVIZ_ALIGN_CENTER,
                                0, ratio > 1.0 ? &style->slower : &style->faster);
        }
    }

  qviz_chart_set_source (cr, &style->axis);
  cairo_move_to (cr, round (px0) + 0.5, top);
  cairo_line_to (cr, round (px0) + 0.5, top + n * row_h);
  cairo_stroke (cr);

  cairo_restore (cr);
}
