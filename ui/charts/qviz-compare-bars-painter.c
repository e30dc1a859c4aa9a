/* qviz-compare-bars-painter.c: per-layer A against B, largest change first. */
#include "qviz-config.h"
#include "qviz-compare-bars-painter.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "qviz-axis.h"
#include "qviz-chart-private.h"

#define PAD 12.0

struct _QvizCompareBarsPainter {
  const QvizChartStyle *style;
  char                 *title;
  char                 *label_a;
  char                 *label_b;
  GPtrArray            *rows;      /* QvizCompareRow, owned, by change */
  guint                 max_rows;

  /* Geometry of the last paint. */
  guint                 n_shown;
  GArray               *bars;      /* cairo_rectangle_t: A, B per shown row */
};

QvizCompareBarsPainter *
qviz_compare_bars_painter_new (const QvizChartStyle *style)
{
  QvizCompareBarsPainter *self = g_new0 (QvizCompareBarsPainter, 1);

  self->style = style != NULL ? style : qviz_chart_style_get_light ();
  self->label_a = g_strdup ("A");
  self->label_b = g_strdup ("B");
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_compare_row_free);
  self->bars = g_array_new (FALSE, TRUE, sizeof (cairo_rectangle_t));
  self->max_rows = 15;
  return self;
}

void
qviz_compare_bars_painter_free (QvizCompareBarsPainter *self)
{
  if (self == NULL)
    return;
  g_free (self->title);
  g_free (self->label_a);
  g_free (self->label_b);
  g_ptr_array_unref (self->rows);
  g_array_unref (self->bars);
  g_free (self);
}

void
qviz_compare_bars_painter_set_style (QvizCompareBarsPainter *self,
                                     const QvizChartStyle   *style)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (style != NULL);
  self->style = style;
}

void
qviz_compare_bars_painter_set_title (QvizCompareBarsPainter *self,
                                     const char             *title)
{
  g_return_if_fail (self != NULL);
  g_free (self->title);
  self->title = g_strdup (title);
}

void
qviz_compare_bars_painter_set_labels (QvizCompareBarsPainter *self,
                                      const char             *label_a,
                                      const char             *label_b)
{
  g_return_if_fail (self != NULL);
  g_free (self->label_a);
  g_free (self->label_b);
  self->label_a = g_strdup (label_a != NULL ? label_a : "A");
  self->label_b = g_strdup (label_b != NULL ? label_b : "B");
}

void
qviz_compare_bars_painter_set_rows (QvizCompareBarsPainter *self,
                                    GPtrArray              *rows)
{
  g_autoptr(GPtrArray) sorted = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (rows != NULL);

  g_ptr_array_set_size (self->rows, 0);
  sorted = qviz_compare_rows_by_change (rows, G_MAXUINT);
  for (guint i = 0; i < sorted->len; i++)
    g_ptr_array_add (self->rows, qviz_compare_row_copy (g_ptr_array_index (sorted, i)));
}

void
qviz_compare_bars_painter_set_max_rows (QvizCompareBarsPainter *self,
                                        guint                   max_rows)
{
  g_return_if_fail (self != NULL);
  self->max_rows = MAX (1, max_rows);
}

guint
qviz_compare_bars_painter_get_n_shown (QvizCompareBarsPainter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_shown;
}

GPtrArray *
qviz_compare_bars_painter_get_rows (QvizCompareBarsPainter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->rows;
}

gboolean
qviz_compare_bars_painter_get_bar_rect (QvizCompareBarsPainter *self,
                                        guint                   i,
                                        gboolean                b_side,
                                        cairo_rectangle_t      *rect)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (rect != NULL, FALSE);

  if (2 * i + 1 >= self->bars->len)
    return FALSE;
  *rect = g_array_index (self->bars, cairo_rectangle_t, 2 * i + (b_side ? 1 : 0));
  return rect->width > 0;
}

/* Sizes in device units for the style's font; the same in every paint. */
typedef struct {
  double line_h, small_h, bar_h, block_h, kernel_h, header_h, legend_h;
} Metrics;

static void
measure (QvizCompareBarsPainter *self,
         PangoLayout            *text,
         PangoLayout            *small,
         Metrics                *m)
{
  qviz_chart_text_size (text, "Ag", NULL, &m->line_h);
  qviz_chart_text_size (small, "Ag", NULL, &m->small_h);
  m->bar_h = 10;
  m->block_h = MAX (m->line_h + 8, 2 * m->bar_h + 3 + 10);
  m->kernel_h = m->small_h + 4;
  m->header_h = m->small_h + 8;
  m->legend_h = 24;
}

static double
row_height (const Metrics        *m,
            const QvizCompareRow *row)
{
  return m->block_h + (qviz_compare_row_kernel_changed (row) ? m->kernel_h : 0);
}

double
qviz_compare_bars_painter_get_preferred_height (QvizCompareBarsPainter *self)
{
  /* Text is measured on a scratch surface: the same fonts as a paint. */
  cairo_surface_t *scratch;
  cairo_t *cr;
  PangoLayout *text, *small;
  Metrics m;
  double h, title_h;
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  scratch = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1, 1);
  cr = cairo_create (scratch);
  text = qviz_chart_layout_new (cr, self->style, 0.88, FALSE);
  small = qviz_chart_layout_new (cr, self->style, 0.78, FALSE);
  measure (self, text, small, &m);
  title_h = qviz_chart_title_height (cr, self->style, self->title);
  g_object_unref (text);
  g_object_unref (small);
  cairo_destroy (cr);
  cairo_surface_destroy (scratch);

  /* Title, a legend line (two when wrapped at narrow widths), header,
   * rows, tick labels. */
  h = PAD + title_h + 2 * m.legend_h + 6 + m.header_h;
  n = MIN (self->max_rows, self->rows->len);
  for (guint i = 0; i < n; i++)
    h += row_height (&m, g_ptr_array_index (self->rows, i));
  return ceil (h + m.small_h + 6 + PAD);
}

typedef struct {
  const QvizChartStyle *style;
  QvizRgba              colour;
  gboolean              gradient;
} CompareSwatch;

static void
swatch_compare (cairo_t  *cr,
                double    x,
                double    y,
                double    w,
                double    h,
                gpointer  user_data)
{
  const CompareSwatch *sw = user_data;
  const QvizChartStyle *s = sw->style;

  if (sw->gradient)
    {
      cairo_pattern_t *g = cairo_pattern_create_linear (x, 0, x + w, 0);

      cairo_pattern_add_color_stop_rgb (g, 0, s->ratio_faster.red, s->ratio_faster.green,
                                        s->ratio_faster.blue);
      cairo_pattern_add_color_stop_rgb (g, 0.5, s->ratio_even.red, s->ratio_even.green,
                                        s->ratio_even.blue);
      cairo_pattern_add_color_stop_rgb (g, 1, s->ratio_slower.red, s->ratio_slower.green,
                                        s->ratio_slower.blue);
      cairo_set_source (cr, g);
      cairo_rectangle (cr, x, y + 1, w, h - 2);
      cairo_fill (cr);
      cairo_pattern_destroy (g);
      return;
    }
  qviz_chart_set_source (cr, &sw->colour);
  cairo_rectangle (cr, x, y + 1, w, h - 2);
  cairo_fill (cr);
}

/* What a row says in words, so that colour is never the only cue. */
static const char *
verdict (const QvizCompareRow *row,
         double                ratio)
{
  /* TRANSLATORS: the verdicts of the "Change" column, short: a layer only
   * B has, only A has, a change within the timing noise, B slower than A,
   * B faster than A. */
  if (isnan (row->a_ms))
    return _("only in B");
  if (isnan (row->b_ms))
    return _("only in A");
  if (!row->significant || isnan (ratio))
    return _("within noise");
  return ratio > 1 ? _("slower ▲") : _("faster ▼");
}

static char *
format_ci (const QvizCompareRow *row)
{
  if (isnan (row->diff_lo) || isnan (row->diff_hi))
    return g_strdup ("–");
  if (MAX (fabs (row->diff_lo), fabs (row->diff_hi)) >= 10)
    return g_strdup_printf ("[%+.1f, %+.1f] ms", row->diff_lo, row->diff_hi);
  return g_strdup_printf ("[%+.3f, %+.3f] ms", row->diff_lo, row->diff_hi);
}

static char *
format_p (double p)
{
  if (isnan (p))
    return g_strdup ("–");
  if (p < 0.0001)
    return g_strdup ("<0.0001");
  return g_strdup_printf ("%.2g", p);
}

void
qviz_compare_bars_painter_paint (QvizCompareBarsPainter *self,
                                 cairo_t                *cr,
                                 double                  width,
                                 double                  height)
{
  const QvizChartStyle *style;
  g_autoptr(PangoLayout) text = NULL;
  g_autoptr(PangoLayout) small = NULL;
  g_autoptr(PangoLayout) head = NULL;
  g_autoptr(GArray) ticks = NULL;
  g_autofree char *legend_a = NULL, *legend_b = NULL;
  /* TRANSLATORS: column heading: how the layer's time changed from A to
   * B. */
  const char *change_head = _("Change");
  /* TRANSLATORS: column heading: the 95 percent confidence interval of
   * the difference of B's time minus A's.
   * xgettext:no-c-format */
  const char *ci_head = _("95% CI of B−A");
  cairo_pattern_t *hatch;
  CompareSwatch swatches[3];
  QvizLegendItem items[3];
  Metrics m;
  QvizRgba a_colour, a_muted;
  double top = PAD, name_x, name_w, ratio_w, ci_w, p_w, verdict_w, value_w, x_hi, x_lo, step;
  double px0, px1, col_ratio, col_ci, col_p, col_verdict, y, rows_top;
  guint n = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);

  style = self->style;
  self->n_shown = 0;
  g_array_set_size (self->bars, 0);
  cairo_save (cr);
  qviz_chart_fill_background (cr, style, width, height);

  text = qviz_chart_layout_new (cr, style, 0.88, FALSE);
  small = qviz_chart_layout_new (cr, style, 0.78, FALSE);
  head = qviz_chart_layout_new (cr, style, 0.78, TRUE);
  measure (self, text, small, &m);

  top += qviz_chart_draw_title (cr, style, self->title, PAD, top, width - 2 * PAD);

  if (self->rows->len == 0)
    {
      qviz_chart_draw_text (cr, text, _("No layers in common"), width / 2, height / 2,
                            QVIZ_ALIGN_CENTER, QVIZ_ALIGN_CENTER, 0, &style->muted);
      cairo_restore (cr);
      return;
    }

  a_colour = style->muted;
  a_muted = qviz_rgba_mix (&style->muted, &style->background, 0.55);
  /* TRANSLATORS: legend entry of A's bars; %s is A's label. */
  legend_a = g_strdup_printf (_("%s (median)"), self->label_a);
  /* TRANSLATORS: legend entry of B's bars; %s is B's label. */
  legend_b = g_strdup_printf (_("%s, coloured by B/A: blue faster, orange slower"), self->label_b);
  swatches[0] = (CompareSwatch) { style, a_colour, FALSE };
  swatches[1] = (CompareSwatch) { style, a_colour, TRUE };
  swatches[2] = (CompareSwatch) { style, style->within_noise, FALSE };
  items[0] = (QvizLegendItem) { legend_a, swatch_compare, &swatches[0] };
  items[1] = (QvizLegendItem) { legend_b, swatch_compare, &swatches[1] };
  items[2] = (QvizLegendItem) { _("Within noise (greyed)"), swatch_compare, &swatches[2] };
  top += qviz_chart_draw_legend (cr, style, items, 3, PAD, top, width - 2 * PAD, TRUE) + 6;

  /* Columns, right to left: verdict, p, interval, ratio; the bars take
   * what is left after the names.  Each column is as wide as its widest
   * word or its heading, in the layout it is drawn with, so that a longer
   * translation does not run into the next column. */
  verdict_w = 0;
  {
    const char *const noise_verdict = _("within noise");
    const char *const bold[] = { _("only in A"), _("only in B"), _("slower ▲"), _("faster ▼"),
                                 change_head };
    double w;

    qviz_chart_text_size (small, noise_verdict, &verdict_w, NULL);
    for (guint i = 0; i < G_N_ELEMENTS (bold); i++)
      {
        qviz_chart_text_size (head, bold[i], &w, NULL);
        verdict_w = MAX (verdict_w, w);
      }
  }
  qviz_chart_text_size (small, "<0.0001", &p_w, NULL);
  qviz_chart_text_size (small, "[+0.000, +0.000] ms", &ci_w, NULL);
  {
    double w;

    qviz_chart_text_size (head, ci_head, &w, NULL);
    ci_w = MAX (ci_w, w);
  }
  qviz_chart_text_size (small, "×10.00", &ratio_w, NULL);
  qviz_chart_text_size (small, "000.00 ms", &value_w, NULL);
  col_verdict = width - PAD - verdict_w;
  col_p = col_verdict - 14;               /* right edge */
  col_ci = col_p - p_w - 14;              /* right edge */
  col_ratio = col_ci - ci_w - 14;         /* right edge */
  name_x = PAD + 18;
  name_w = CLAMP (width * 0.26, 140, 340);
  px0 = name_x + name_w + 8;
  px1 = col_ratio - ratio_w - 14 - value_w - 4;
  if (px1 - px0 < 40)
    {
      /* Narrow: drop the interval column before the bars. */
      col_ci = -1;
      col_ratio = col_p - p_w - 14;
      px1 = col_ratio - ratio_w - 14 - value_w - 4;
      name_w = MIN (name_w, MAX (80, (px1 - name_x) * 0.4));
      px0 = name_x + name_w + 8;
    }
  if (px1 - px0 < 30)
    {
      cairo_restore (cr);
      return;
    }

  /* Rows that fit, at most max_rows. */
  rows_top = top + m.header_h;
  {
    double used = 0;

    while (n < MIN (self->max_rows, self->rows->len))
      {
        double h = row_height (&m, g_ptr_array_index (self->rows, n));
        if (rows_top + used + h > height - PAD - m.small_h - 6)
          break;
        used += h;
        n++;
      }
  }
  if (n == 0)
    {
      cairo_restore (cr);
      return;
    }
  self->n_shown = n;
  g_array_set_size (self->bars, 2 * n);

  x_hi = 0;
  for (guint i = 0; i < n; i++)
    {
      const QvizCompareRow *row = g_ptr_array_index (self->rows, i);
      if (!isnan (row->a_ms))
        x_hi = MAX (x_hi, row->a_ms);
      if (!isnan (row->b_ms))
        x_hi = MAX (x_hi, row->b_ms);
    }
  qviz_axis_nice_range (0, MAX (x_hi, 1e-3), 5, &x_lo, &x_hi);
  /* About one tick per 80 px keeps their labels apart. */
  ticks = qviz_axis_ticks_linear (0, x_hi, (guint) CLAMP ((px1 - px0) / 80, 2, 6), &step);

  /* Header. */
  {
    double hy = top + m.header_h / 2;

    qviz_chart_draw_text (cr, head, _("Layer"), name_x, hy, QVIZ_ALIGN_START, QVIZ_ALIGN_CENTER,
                          name_w, &style->foreground);
    /* TRANSLATORS: column heading over two bars per layer, A's above
     * B's. */
    qviz_chart_draw_text (cr, head, _("Median time, A over B"), px0, hy, QVIZ_ALIGN_START,
                          QVIZ_ALIGN_CENTER, col_ratio - ratio_w - 8 - px0, &style->foreground);
    qviz_chart_draw_text (cr, head, "B/A", col_ratio, hy, QVIZ_ALIGN_END, QVIZ_ALIGN_CENTER, 0,
                          &style->foreground);
    if (col_ci > 0)
      qviz_chart_draw_text (cr, head, ci_head, col_ci, hy, QVIZ_ALIGN_END,
                            QVIZ_ALIGN_CENTER, 0, &style->foreground);
    qviz_chart_draw_text (cr, head, "p", col_p, hy, QVIZ_ALIGN_END, QVIZ_ALIGN_CENTER, 0,
                          &style->foreground);
    qviz_chart_draw_text (cr, head, change_head, col_verdict, hy, QVIZ_ALIGN_START,
                          QVIZ_ALIGN_CENTER, 0, &style->foreground);
  }

  hatch = qviz_chart_style_get_hatch (style);
  y = rows_top;
  for (guint i = 0; i < n; i++)
    {
      const QvizCompareRow *row = g_ptr_array_index (self->rows, i);
      double h = row_height (&m, row);
      double cy = y + m.block_h / 2;
      double ratio = qviz_compare_row_get_ratio (row);
      gboolean noise = !row->significant;
      const QvizRgba *ink = noise ? &style->muted : &style->foreground;
      const double values[2] = { row->a_ms, row->b_ms };
      QvizRgba colours[2];
      g_autofree char *ratio_s = NULL, *ci_s = NULL, *p_s = NULL;
      const QvizRgba *ratio_ink;

      colours[0] = noise ? a_muted : a_colour;
      colours[1] = noise ? style->within_noise : qviz_chart_style_ratio_colour (style, ratio);

      if (i % 2 == 1)
        {
          qviz_chart_set_source (cr, &style->plot_background);
          cairo_rectangle (cr, PAD, y, width - 2 * PAD, h);
          cairo_fill (cr);
        }

      qviz_chart_style_fill_layer (style, cr, PAD, cy - 6, 12, 12, row->layer_class,
                                   row->flags & (QVIZ_SPAN_DILATED | QVIZ_SPAN_DEPTHWISE), hatch);
      qviz_chart_draw_text (cr, text, qviz_chart_short_name (row->name), name_x, cy, QVIZ_ALIGN_START,
                            QVIZ_ALIGN_CENTER, name_w - 4, ink);

      for (guint k = 0; k < 2; k++)
        {
          double by = cy - m.bar_h - 1.5 + k * (m.bar_h + 3);
          double bw;
          cairo_rectangle_t *r = &g_array_index (self->bars, cairo_rectangle_t, 2 * i + k);
          g_autofree char *s = NULL;

          if (isnan (values[k]))
            continue;
          bw = MAX (1, values[k] / x_hi * (px1 - px0));
          qviz_chart_set_source (cr, &colours[k]);
          cairo_rectangle (cr, px0, by, bw, m.bar_h);
          cairo_fill (cr);
          /* B's bar may be as light as the page near ratio 1. */
          if (k == 1 && !noise)
            {
              qviz_chart_set_source (cr, &style->axis);
              cairo_set_line_width (cr, 1);
              cairo_rectangle (cr, px0 + 0.5, by + 0.5, MAX (0, bw - 1), m.bar_h - 1);
              cairo_stroke (cr);
            }
          *r = (cairo_rectangle_t) { px0, by, bw, m.bar_h };
          s = qviz_format_ms (values[k]);
          qviz_chart_draw_text (cr, small, s, px0 + bw + 4, by + m.bar_h / 2, QVIZ_ALIGN_START,
                                QVIZ_ALIGN_CENTER, 0, &style->muted);
        }

      ratio_s = isnan (ratio) ? g_strdup ("–") : g_strdup_printf ("×%.2f", ratio);
      /* The ends of the bars' scale, so that words and bars agree. */
      ratio_ink = noise || isnan (ratio) ? &style->muted
                  : ratio > 1 ? &style->ratio_slower : &style->ratio_faster;
      qviz_chart_draw_text (cr, noise ? small : head, ratio_s, col_ratio, cy, QVIZ_ALIGN_END,
                            QVIZ_ALIGN_CENTER, 0, ratio_ink);
      if (col_ci > 0)
        {
          ci_s = format_ci (row);
          qviz_chart_draw_text (cr, small, ci_s, col_ci, cy, QVIZ_ALIGN_END, QVIZ_ALIGN_CENTER, 0,
                                ink);
        }
      p_s = format_p (row->p_value);
      qviz_chart_draw_text (cr, small, p_s, col_p, cy, QVIZ_ALIGN_END, QVIZ_ALIGN_CENTER, 0, ink);
      qviz_chart_draw_text (cr, noise ? small : head, verdict (row, ratio), col_verdict, cy,
                            QVIZ_ALIGN_START, QVIZ_ALIGN_CENTER, 0, ratio_ink);

      if (qviz_compare_row_kernel_changed (row))
        {
          /* TRANSLATORS: the kernel that ran in A, then the one in B. */
          g_autofree char *k = g_strdup_printf (_("kernel: %s → %s"), row->kernel_a, row->kernel_b);
          qviz_chart_draw_text (cr, small, k, name_x, y + m.block_h + m.kernel_h / 2 - 2,
                                QVIZ_ALIGN_START, QVIZ_ALIGN_CENTER, width - PAD - name_x,
                                &style->foreground);
        }
      y += h;
    }

  /* Grid under nothing: ticks along the bottom, a baseline at zero. */
  cairo_set_line_width (cr, 1);
  for (guint i = 0; i < ticks->len; i++)
    {
      double v = g_array_index (ticks, double, i);
      double x = round (px0 + v / x_hi * (px1 - px0)) + 0.5;
      g_autofree char *s = qviz_format_ms_tick (v, step);

      qviz_chart_set_source (cr, &style->axis);
      cairo_move_to (cr, x, y);
      cairo_line_to (cr, x, y + 4);
      cairo_stroke (cr);
      qviz_chart_draw_text (cr, small, s, x, y + 5, QVIZ_ALIGN_CENTER, QVIZ_ALIGN_START, 0,
                            &style->muted);
    }
  qviz_chart_set_source (cr, &style->axis);
  cairo_move_to (cr, round (px0) + 0.5, rows_top);
  cairo_line_to (cr, round (px0) + 0.5, y);
  cairo_line_to (cr, px1, y + 0.5);
  cairo_stroke (cr);
  cairo_move_to (cr, PAD, round (rows_top) - 0.5);
  cairo_line_to (cr, width - PAD, round (rows_top) - 0.5);
  cairo_stroke (cr);

  cairo_restore (cr);
}
