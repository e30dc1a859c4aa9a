/* qviz-flame-painter.c: flame chart painter, culling and sub-pixel merging. */
#include "qviz-config.h"
#include "qviz-flame-painter.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "qviz-axis.h"
#include "qviz-chart-private.h"

#define PAD_X        8.0
#define AXIS_HEIGHT  24.0
#define ROW_HEIGHT   18.0
#define BAND_GAP     12.0
#define LEGEND_GAP   10.0
#define MIN_LABEL_W  26.0
#define MINIMAP_H    28.0   /* the whole pass, above the axis */
#define MINIMAP_GAP  6.0

struct _QvizFlamePainter {
  const QvizChartStyle *style;
  QvizFlameData        *data;
  gint64                view_t0;
  gint64                view_t1;
  char                 *search;   /* casefolded, NULL when empty */
  int                   selected;
  gboolean              show_labels;
  gboolean              show_legend;
  QvizFlameColorMode    color_mode;
  gboolean              show_minimap;
  gboolean              show_spread;
  gint64                range_t0, range_t1;   /* selected range; empty: none */

  /* Geometry of the last paint, for hit testing. */
  gboolean              painted;
  double                plot_x0, plot_x1;
  double                t0, t1;   /* effective view, ns */
  GArray               *band_y;   /* double: top of each band's first row */
  guint                 n_drawn_rects;
  cairo_rectangle_t     legend_rect;
  cairo_rectangle_t     minimap_rect;
  double                top;      /* of the axis: below the minimap */
};

QvizFlamePainter *
qviz_flame_painter_new (const QvizChartStyle *style)
{
  QvizFlamePainter *self = g_new0 (QvizFlamePainter, 1);

  self->style = style != NULL ? style : qviz_chart_style_get_light ();
  self->selected = -1;
  self->show_labels = TRUE;
  self->show_legend = TRUE;
  self->band_y = g_array_new (FALSE, TRUE, sizeof (double));
  return self;
}

void
qviz_flame_painter_free (QvizFlamePainter *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->data, qviz_flame_data_free);
  g_free (self->search);
  g_array_unref (self->band_y);
  g_free (self);
}

void
qviz_flame_painter_set_style (QvizFlamePainter     *self,
                              const QvizChartStyle *style)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (style != NULL);
  self->style = style;
}

/* Takes ownership of @data. */
void
qviz_flame_painter_set_data (QvizFlamePainter *self,
                             QvizFlameData    *data)
{
  g_return_if_fail (self != NULL);

  if (self->data == data)
    return;
  g_clear_pointer (&self->data, qviz_flame_data_free);
  self->data = data;
  self->selected = -1;
  self->painted = FALSE;
}

QvizFlameData *
qviz_flame_painter_get_data (QvizFlamePainter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->data;
}

/* A window with t1 <= t0 shows the whole time range. */
void
qviz_flame_painter_set_view (QvizFlamePainter *self,
                             gint64            t0_ns,
                             gint64            t1_ns)
{
  g_return_if_fail (self != NULL);
  self->view_t0 = t0_ns;
  self->view_t1 = t1_ns;
}

void
qviz_flame_painter_set_highlight (QvizFlamePainter *self,
                                  const char       *search)
{
  g_return_if_fail (self != NULL);
  g_clear_pointer (&self->search, g_free);
  if (search != NULL && search[0] != '\0')
    self->search = g_utf8_casefold (search, -1);
}

void
qviz_flame_painter_set_selected (QvizFlamePainter *self,
                                 int               span)
{
  g_return_if_fail (self != NULL);
  self->selected = span;
}

void
qviz_flame_painter_set_show_labels (QvizFlamePainter *self,
                                    gboolean          show_labels)
{
  g_return_if_fail (self != NULL);
  self->show_labels = !!show_labels;
}

void
qviz_flame_painter_set_show_legend (QvizFlamePainter *self,
                                    gboolean          show_legend)
{
  g_return_if_fail (self != NULL);
  self->show_legend = !!show_legend;
}

static double
bands_height (QvizFlamePainter *self)
{
  guint n_bands;
  double h = 0;

  if (self->data == NULL)
    return 0;
  n_bands = qviz_flame_data_get_n_bands (self->data);
  for (guint b = 0; b < n_bands; b++)
    h += qviz_flame_data_get_band_depth (self->data, b) * ROW_HEIGHT + (b > 0 ? BAND_GAP : 0);
  return h;
}

void
qviz_flame_painter_set_color_mode (QvizFlamePainter   *self,
                                   QvizFlameColorMode  mode)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (mode == QVIZ_FLAME_COLOR_BY_CLASS || mode == QVIZ_FLAME_COLOR_BY_RATIO
                    || mode == QVIZ_FLAME_COLOR_BY_COLD_RATIO);
  self->color_mode = mode;
}

QvizFlameColorMode
qviz_flame_painter_get_color_mode (QvizFlamePainter *self)
{
  g_return_val_if_fail (self != NULL, QVIZ_FLAME_COLOR_BY_CLASS);
  return self->color_mode;
}

double
qviz_flame_painter_get_preferred_height (QvizFlamePainter *self)
{
  double legend;

  g_return_val_if_fail (self != NULL, 0);
  /* Two legend lines at most at usual widths; the ratio scale adds its
   * tick labels. */
  legend = self->color_mode != QVIZ_FLAME_COLOR_BY_CLASS ? 64 : 44;
  return (self->show_minimap ? MINIMAP_H + MINIMAP_GAP : 0) + AXIS_HEIGHT + bands_height (self) + (self->show_legend ? LEGEND_GAP + legend : 0) + 8;
}

static gboolean
span_matches (QvizFlamePainter    *self,
              const QvizFlameSpan *span)
{
  const char *fields[] = { span->name, span->op, span->kernel };

  if (self->search == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *folded = NULL;

      if (fields[i] == NULL)
        continue;
      folded = g_utf8_casefold (fields[i], -1);
      if (strstr (folded, self->search) != NULL)
        return TRUE;
    }
  return FALSE;
}

gboolean
qviz_flame_painter_span_matches (QvizFlamePainter *self,
                                 guint             span)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->data == NULL || span >= qviz_flame_data_get_n_spans (self->data))
    return FALSE;
  return span_matches (self, qviz_flame_data_get_span (self->data, span));
}

static QvizRgba
span_fill (QvizFlamePainter    *self,
           const QvizFlameSpan *span)
{
  const QvizChartStyle *style = self->style;

  if (span->flags & QVIZ_SPAN_PASS)
    return style->pass_fill;
  if (span->flags & QVIZ_SPAN_MODULE)
    return style->module_fill[span->depth % 2];
  if (self->color_mode != QVIZ_FLAME_COLOR_BY_CLASS)
    {
      if (span->flags & QVIZ_SPAN_WITHIN_NOISE)
        return style->within_noise;
      return qviz_chart_style_ratio_colour (style, span->ratio);
    }
  return style->class_fill[span->layer_class];
}

typedef struct {
  cairo_t         *cr;
  PangoLayout     *layout;
  cairo_pattern_t *hatch;
} PaintContext;

static void
paint_span (QvizFlamePainter    *self,
            PaintContext        *pc,
            const QvizFlameSpan *span,
            double               xa,
            double               xb,
            double               y)
{
  const QvizChartStyle *style = self->style;
  cairo_t *cr = pc->cr;
  QvizRgba fill_value = span_fill (self, span);
  const QvizRgba *fill = &fill_value;
  gboolean by_ratio = self->color_mode != QVIZ_FLAME_COLOR_BY_CLASS;
  double h = ROW_HEIGHT - 1;
  /* A one-pixel gap keeps neighbouring spans apart once they are wide
   * enough to spare it. */
  double w = xb - xa > 4 ? xb - xa - 1 : xb - xa;
  gboolean matches = span_matches (self, span);

  if (span->flags & (QVIZ_SPAN_PASS | QVIZ_SPAN_MODULE))
    {
      qviz_chart_set_source (cr, fill);
      cairo_rectangle (cr, xa, y, w, h);
      cairo_fill (cr);
    }
  else
    {
      qviz_chart_style_fill_layer_colour (style, cr, xa, y, w, h, fill, span->flags, pc->hatch);
      /* A layer missing from A has no ratio: its plain fill needs an edge. */
      if (by_ratio && isnan (span->ratio) && !(span->flags & QVIZ_SPAN_WITHIN_NOISE) &&
          !(span->flags & QVIZ_SPAN_DEPTHWISE) && w >= 3)
        {
          qviz_chart_set_source (cr, &style->axis);
          cairo_set_line_width (cr, 1);
          cairo_rectangle (cr, xa + 0.5, y + 0.5, w - 1, h - 1);
          cairo_stroke (cr);
        }
    }
  self->n_drawn_rects++;

  /* The layer's p10..p90 over the warm passes, from the span's start: a
   * whisker past the span's end says this pass was quicker than usual. */
  if (self->show_spread && !(span->flags & (QVIZ_SPAN_PASS | QVIZ_SPAN_MODULE))
      && !isnan (span->spread_lo_ns) && w >= 3)
    {
      double scale = (self->plot_x1 - self->plot_x0) / (double) (self->t1 - self->t0);
      double lo = xa + span->spread_lo_ns * scale, hi = xa + span->spread_hi_ns * scale;
      double wy = y + h - 3.5;

      qviz_chart_set_source (cr, &style->foreground);
      cairo_set_line_width (cr, 1.5);
      cairo_move_to (cr, lo, wy);
      cairo_line_to (cr, MAX (hi, lo + 1), wy);
      cairo_move_to (cr, lo, wy - 2.5);
      cairo_line_to (cr, lo, wy + 2.5);
      cairo_move_to (cr, MAX (hi, lo + 1), wy - 2.5);
      cairo_line_to (cr, MAX (hi, lo + 1), wy + 2.5);
      cairo_stroke (cr);
    }

  if (self->search != NULL && !matches)
    {
      QvizRgba veil = style->band_background;

      veil.alpha = 0.72;
      qviz_chart_set_source (cr, &veil);
      cairo_rectangle (cr, xa, y, w, h);
      cairo_fill (cr);
    }

  if (self->show_labels && w >= MIN_LABEL_W)
    {
      double lx = MAX (xa, self->plot_x0) + 4;
      double max_w = MIN (xa + w, self->plot_x1) - lx - 3;
      g_autofree char *dur = qviz_format_ns (span->end_ns - span->start_ns);
      g_autofree char *with_ratio = NULL;
      g_autofree char *full = NULL;
      const QvizRgba *ink = qviz_chart_style_text_on (style, fill);
      const char *text = span->label;
      QvizRgba dimmed;
      double tw, th;

      if (max_w < 12)
        return;
      /* A differential chart says the ratio in words too: colour alone
       * would not tell 1.4x from 1.6x. */
      if (by_ratio && !(span->flags & (QVIZ_SPAN_PASS | QVIZ_SPAN_MODULE)) && !isnan (span->ratio))
        with_ratio = g_strdup_printf ("%s  ×%.2f", span->label, span->ratio);
      full = g_strdup_printf ("%s  %s", with_ratio ? with_ratio : span->label, dur);
      qviz_chart_text_size (pc->layout, full, &tw, &th);
      if (tw <= max_w)
        text = full;
      else
        {
          if (with_ratio != NULL)
            {
              qviz_chart_text_size (pc->layout, with_ratio, &tw, &th);
              if (tw <= max_w)
                text = with_ratio;
            }
          qviz_chart_text_size (pc->layout, text, &tw, &th);
        }
      tw = MIN (tw, max_w);

      if (self->search != NULL && !matches)
        {
          dimmed = qviz_rgba_mix (ink, &style->band_background, 0.6);
          ink = &dimmed;
        }
      /* Stripes and outlines under text make it hard to read: give the
       * label a plain backing of the class colour. */
      if ((span->flags & (QVIZ_SPAN_DILATED | QVIZ_SPAN_DEPTHWISE)) &&
          !(span->flags & (QVIZ_SPAN_PASS | QVIZ_SPAN_MODULE)))
        {
          qviz_chart_set_source (cr, fill);
          cairo_rectangle (cr, lx - 2, y + (h - th) / 2, tw + 4, th);
          cairo_fill (cr);
          if (self->search != NULL && !matches)
            {
              QvizRgba veil = style->band_background;
              veil.alpha = 0.72;
              qviz_chart_set_source (cr, &veil);
              cairo_rectangle (cr, lx - 2, y + (h - th) / 2, tw + 4, th);
              cairo_fill (cr);
            }
        }
      qviz_chart_draw_text (cr, pc->layout, text, lx, y + h / 2,
                            QVIZ_ALIGN_START, QVIZ_ALIGN_CENTER, max_w, ink);
    }

  if (matches)
    {
      qviz_chart_set_source (cr, &style->search_match);
      cairo_set_line_width (cr, 1.5);
      cairo_rectangle (cr, xa + 0.75, y + 0.75, MAX (0.5, w - 1.5), h - 1.5);
      cairo_stroke (cr);
    }
}

/* A run of adjacent spans narrower than a pixel, drawn as one rectangle in
 * the colour of its widest member. */
typedef struct {
  gboolean active;
  double   x0, x1;
  double   widest;
  int      span;
} MergedRun;

static void
flush_run (QvizFlamePainter *self,
           PaintContext     *pc,
           MergedRun        *run,
           double            y)
{
  const QvizFlameSpan *span;
  QvizRgba fill;

  if (!run->active)
    return;
  span = qviz_flame_data_get_span (self->data, run->span);
  fill = span_fill (self, span);
  if (self->search != NULL && !span_matches (self, span))
    fill = qviz_rgba_mix (&fill, &self->style->band_background, 0.72);
  qviz_chart_set_source (pc->cr, &fill);
  cairo_rectangle (pc->cr, run->x0, y, MAX (1.0, run->x1 - run->x0), ROW_HEIGHT - 1);
  cairo_fill (pc->cr);
  self->n_drawn_rects++;
  run->active = FALSE;
}

static void
paint_row (QvizFlamePainter *self,
           PaintContext     *pc,
           guint             band,
           guint             depth,
           double            y)
{
  const guint *row;
  guint n, lo = 0, hi;
  double scale = (self->plot_x1 - self->plot_x0) / (self->t1 - self->t0);
  MergedRun run = { 0 };

  row = qviz_flame_data_get_row (self->data, band, depth, &n);
  if (n == 0)
    return;

  /* First span ending after t0: spans of a row do not overlap (a pass runs
   * its layers one after the other), so ends are sorted like starts. */
  hi = n;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (qviz_flame_data_get_span (self->data, row[mid])->end_ns <= self->t0)
        lo = mid + 1;
      else
        hi = mid;
    }

  for (guint i = lo; i < n; i++)
    {
      const QvizFlameSpan *span = qviz_flame_data_get_span (self->data, row[i]);
      double xa, xb;

      if (span->start_ns >= self->t1)
        break;
      if (span->end_ns <= self->t0)
        continue;

      /* Clamp far-off ends so that deep zooms do not hand cairo huge
       * coordinates. */
      xa = self->plot_x0 + (span->start_ns - self->t0) * scale;
      xb = self->plot_x0 + (span->end_ns - self->t0) * scale;
      xa = MAX (xa, self->plot_x0 - 2);
      xb = MIN (xb, self->plot_x1 + 2);

      if (xb - xa < 1.0)
        {
          if (run.active && xa <= run.x1 + 1.0)
            {
              run.x1 = MAX (run.x1, xb);
              if (xb - xa > run.widest)
                {
                  run.widest = xb - xa;
                  run.span = row[i];
                }
            }
          else
            {
              flush_run (self, pc, &run, y);
              run.active = TRUE;
              run.x0 = xa;
              run.x1 = xb;
              run.widest = xb - xa;
              run.span = row[i];
            }
          continue;
        }

      flush_run (self, pc, &run, y);
      paint_span (self, pc, span, xa, xb, y);
    }
  flush_run (self, pc, &run, y);
}

static void
swatch_layer (cairo_t  *cr,
              double    x,
              double    y,
              double    w,
              double    h,
              gpointer  user_data)
{
  const gpointer *args = user_data;
  const QvizChartStyle *style = args[0];
  QvizLayerClass layer_class = GPOINTER_TO_UINT (args[1]);
  QvizSpanFlags flags = GPOINTER_TO_UINT (args[2]);
  cairo_pattern_t *hatch = args[3];

  qviz_chart_style_fill_layer (style, cr, x, y, w, h, layer_class, flags, hatch);
}

static void
swatch_module (cairo_t  *cr,
               double    x,
               double    y,
               double    w,
               double    h,
               gpointer  user_data)
{
  const gpointer *args = user_data;
  const QvizChartStyle *style = args[0];

  qviz_chart_set_source (cr, &style->module_fill[1]);
  cairo_rectangle (cr, x, y, w, h);
  cairo_fill (cr);
}

typedef struct {
  const QvizChartStyle *style;
  QvizRgba              fill;
  QvizSpanFlags         flags;
  cairo_pattern_t      *hatch;
  gboolean              edge;
} FillSwatch;

static void
swatch_fill (cairo_t  *cr,
             double    x,
             double    y,
             double    w,
             double    h,
             gpointer  user_data)
{
  const FillSwatch *sw = user_data;

  qviz_chart_style_fill_layer_colour (sw->style, cr, x, y, w, h, &sw->fill, sw->flags, sw->hatch);
  if (sw->edge)
    {
      qviz_chart_set_source (cr, &sw->style->axis);
      cairo_set_line_width (cr, 1);
      cairo_rectangle (cr, x + 0.5, y + 0.5, w - 1, h - 1);
      cairo_stroke (cr);
    }
}

/* "faster [blue .. grey .. orange] slower" with ticks at 0.5x .. 2x, then
 * the neutral fills and the patterns. */
static double
paint_ratio_legend (QvizFlamePainter *self,
                    cairo_t          *cr,
                    cairo_pattern_t  *hatch,
                    double            x,
                    double            y,
                    double            max_width,
                    gboolean          draw)
{
  const QvizChartStyle *s = self->style;
  g_autoptr(PangoLayout) text = qviz_chart_layout_new (cr, s, 0.92, FALSE);
  g_autoptr(PangoLayout) small = qviz_chart_layout_new (cr, s, 0.8, FALSE);
  static const double ticks[] = { 0.5, 0.71, 1.0, 1.41, 2.0 };
  const double bar_h = 12;
  QvizRgba mid = qviz_chart_style_ratio_colour (s, 1.0);
  FillSwatch fills[] = {
    { s, s->within_noise, 0, hatch, FALSE },
    { s, s->unmatched, 0, hatch, TRUE },
    { s, mid, QVIZ_SPAN_DILATED, hatch, FALSE },
    { s, mid, QVIZ_SPAN_DEPTHWISE, hatch, FALSE },
    { s, s->module_fill[1], 0, NULL, FALSE },
  };
  QvizLegendItem items[] = {
    { _("Within noise (not significant)"), swatch_fill, &fills[0] },
    /* TRANSLATORS: a legend entry: a layer of B that A does not have. */
    { self->color_mode == QVIZ_FLAME_COLOR_BY_COLD_RATIO
      /* TRANSLATORS: a legend entry: a layer without a warm median. */
      ? _("No warm time") : _("Not in A"), swatch_fill, &fills[1] },
    { _("Dilated (hatched)"), swatch_fill, &fills[2] },
    { _("Depthwise (outlined)"), swatch_fill, &fills[3] },
    /* TRANSLATORS: a legend entry: a group of layers in the flame chart. */
    { C_("flame chart", "Module"), swatch_fill, &fills[4] },
  };
  double title_w, faster_w, slower_w, line_h, small_h, bar_w, bar_x, scale_w, used, items_h;
  /* TRANSLATORS: the title of the colour scale of a differential flame
   * chart, which runs from "faster" to "slower". */
  const char *title = self->color_mode == QVIZ_FLAME_COLOR_BY_COLD_RATIO
    /* TRANSLATORS: the title of the colour scale of the cold-start flame
     * chart: a layer's time in the cold pass over its warm median. */
    ? _("Cold / warm time per layer:")
    : _("B / A time per layer:");
  /* TRANSLATORS: the ends of the colour scale "B / A time per layer". */
  const char *faster = C_("ratio scale", "faster");
  const char *slower = C_("ratio scale", "slower");

  qviz_chart_text_size (text, title, &title_w, &line_h);
  qviz_chart_text_size (text, faster, &faster_w, NULL);
  qviz_chart_text_size (text, slower, &slower_w, NULL);
  qviz_chart_text_size (small, "Ag", NULL, &small_h);
  bar_w = CLAMP (max_width * 0.3, 160, 300);
  scale_w = title_w + 10 + faster_w + 6 + bar_w + 6 + slower_w;
  if (scale_w > max_width)
    {
      /* Narrow charts drop the title before the scale. */
      title_w = -10;
      scale_w = faster_w + 6 + bar_w + 6 + slower_w;
    }
  bar_x = x + title_w + 10 + faster_w + 6;
  used = MAX (line_h, bar_h) + 2 + small_h;

  if (draw)
    {
      cairo_pattern_t *gradient = cairo_pattern_create_linear (bar_x, 0, bar_x + bar_w, 0);
      double cy = y + bar_h / 2;

      /* Linear in position is linear in log2 (ratio): the same mix as
       * qviz_chart_style_ratio_colour. */
      cairo_pattern_add_color_stop_rgb (gradient, 0, s->ratio_faster.red, s->ratio_faster.green,
                                        s->ratio_faster.blue);
      cairo_pattern_add_color_stop_rgb (gradient, 0.5, s->ratio_even.red, s->ratio_even.green,
                                        s->ratio_even.blue);
      cairo_pattern_add_color_stop_rgb (gradient, 1, s->ratio_slower.red, s->ratio_slower.green,
                                        s->ratio_slower.blue);
      if (title_w > 0)
        qviz_chart_draw_text (cr, text, title, x, cy, QVIZ_ALIGN_START, QVIZ_ALIGN_CENTER, 0,
                              &s->foreground);
      qviz_chart_draw_text (cr, text, faster, bar_x - 6, cy, QVIZ_ALIGN_END, QVIZ_ALIGN_CENTER,
                            0, &s->foreground);
      qviz_chart_draw_text (cr, text, slower, bar_x + bar_w + 6, cy, QVIZ_ALIGN_START,
                            QVIZ_ALIGN_CENTER, 0, &s->foreground);
      cairo_save (cr);
      cairo_set_source (cr, gradient);
      cairo_rectangle (cr, bar_x, y, bar_w, bar_h);
      cairo_fill (cr);
      cairo_pattern_destroy (gradient);
      qviz_chart_set_source (cr, &s->axis);
      cairo_set_line_width (cr, 1);
      for (guint i = 0; i < G_N_ELEMENTS (ticks); i++)
        {
          double f = (log2 (ticks[i]) / log2 (QVIZ_RATIO_SCALE_MAX) + 1) / 2;
          double tx = round (bar_x + f * bar_w) + 0.5;
          g_autofree char *tick = NULL;

          cairo_move_to (cr, tx, y + bar_h - 3);
          cairo_line_to (cr, tx, y + bar_h + 2);
          cairo_stroke (cr);
          /* A short bar has room for the ends and the centre only. */
          if (bar_w < 240 && (i == 1 || i == 3))
            continue;
          /* printf writes the locale's decimal separator, as the axes do. */
          tick = g_strdup_printf ("%s%g×", i == 0 ? "≤" : i + 1 == G_N_ELEMENTS (ticks) ? "≥" : "",
                                  ticks[i]);
          qviz_chart_draw_text (cr, small, tick, tx, y + bar_h + 2,
                                i == 0 ? QVIZ_ALIGN_START
                                : i + 1 == G_N_ELEMENTS (ticks) ? QVIZ_ALIGN_END : QVIZ_ALIGN_CENTER,
                                QVIZ_ALIGN_START, 0, &s->muted);
        }
      cairo_restore (cr);
    }

  /* The other entries beside the scale when they fit, else below it. */
  items_h = qviz_chart_draw_legend (cr, s, items, G_N_ELEMENTS (items), x, y, G_MAXDOUBLE, FALSE);
  {
    double items_w = 0, tw;

    for (guint i = 0; i < G_N_ELEMENTS (items); i++)
      {
        qviz_chart_text_size (text, items[i].label, &tw, NULL);
        items_w += 22 + 6 + tw + 18;
      }
    if (scale_w + 28 + items_w <= max_width)
      {
        qviz_chart_draw_legend (cr, s, items, G_N_ELEMENTS (items), x + scale_w + 28,
                                y + bar_h / 2 - items_h / 2, max_width - scale_w - 28, draw);
        return MAX (used, items_h);
      }
  }
  return used + 6 + qviz_chart_draw_legend (cr, s, items, G_N_ELEMENTS (items), x, y + used + 6,
                                            max_width, draw);
}

static double
paint_legend (QvizFlamePainter *self,
              cairo_t          *cr,
              cairo_pattern_t  *hatch,
              double            x,
              double            y,
              double            max_width,
              gboolean          draw)
{
  if (self->color_mode != QVIZ_FLAME_COLOR_BY_CLASS)
    return paint_ratio_legend (self, cr, hatch, x, y, max_width, draw);
  {
  const QvizChartStyle *s = self->style;
  gpointer args[][4] = {
    { (gpointer) s, GUINT_TO_POINTER (QVIZ_LAYER_CLASS_DILATED_DEPTHWISE), GUINT_TO_POINTER (QVIZ_SPAN_DILATED | QVIZ_SPAN_DEPTHWISE), hatch },
    { (gpointer) s, GUINT_TO_POINTER (QVIZ_LAYER_CLASS_DEPTHWISE), GUINT_TO_POINTER (QVIZ_SPAN_DEPTHWISE), hatch },
    { (gpointer) s, GUINT_TO_POINTER (QVIZ_LAYER_CLASS_POINTWISE), GUINT_TO_POINTER (0), hatch },
    { (gpointer) s, GUINT_TO_POINTER (QVIZ_LAYER_CLASS_CONV), GUINT_TO_POINTER (0), hatch },
    { (gpointer) s, GUINT_TO_POINTER (QVIZ_LAYER_CLASS_CONV), GUINT_TO_POINTER (QVIZ_SPAN_DILATED), hatch },
    { (gpointer) s, GUINT_TO_POINTER (QVIZ_LAYER_CLASS_ATTENTION), GUINT_TO_POINTER (0), hatch },
    { (gpointer) s, GUINT_TO_POINTER (QVIZ_LAYER_CLASS_NORMALIZATION), GUINT_TO_POINTER (0), hatch },
    { (gpointer) s, GUINT_TO_POINTER (QVIZ_LAYER_CLASS_DATA_MOVEMENT), GUINT_TO_POINTER (0), hatch },
    { (gpointer) s, GUINT_TO_POINTER (QVIZ_LAYER_CLASS_OTHER), GUINT_TO_POINTER (0), hatch },
    { (gpointer) s, NULL, NULL, NULL },
  };
  QvizLegendItem items[] = {
    { _("Dilated depthwise (hatched, outlined)"), swatch_layer, args[0] },
    { _("Depthwise (outlined)"), swatch_layer, args[1] },
    { C_("layer class", "Pointwise"), swatch_layer, args[2] },
    { C_("layer class", "Conv"), swatch_layer, args[3] },
    { _("Dilated conv (hatched)"), swatch_layer, args[4] },
    { C_("layer class", "Attention"), swatch_layer, args[5] },
    { C_("layer class", "Normalization"), swatch_layer, args[6] },
    { C_("layer class", "Data movement"), swatch_layer, args[7] },
    { C_("layer class", "Other"), swatch_layer, args[8] },
    { C_("flame chart", "Module"), swatch_module, args[9] },
  };

  return qviz_chart_draw_legend (cr, s, items, G_N_ELEMENTS (items), x, y, max_width, draw);
  }
}

static void
paint_axis (QvizFlamePainter *self,
            PaintContext     *pc,
            double            top,
            double            bottom)
{
  const QvizChartStyle *style = self->style;
  cairo_t *cr = pc->cr;
  g_autoptr(GArray) ticks = NULL;
  double step_ms;
  guint target = (guint) MAX (2, (self->plot_x1 - self->plot_x0) / 110);
  double scale = (self->plot_x1 - self->plot_x0) / (self->t1 - self->t0);

  ticks = qviz_axis_ticks_linear (self->t0 / 1e6, self->t1 / 1e6, target, &step_ms);
  cairo_set_line_width (cr, 1);
  for (guint i = 0; i < ticks->len; i++)
    {
      double ms = g_array_index (ticks, double, i);
      double x = round (self->plot_x0 + (ms * 1e6 - self->t0) * scale) + 0.5;
      g_autofree char *label = qviz_format_ms_tick (ms, step_ms);

      qviz_chart_set_source (cr, &style->grid);
      cairo_move_to (cr, x, top + AXIS_HEIGHT - 5);
      cairo_line_to (cr, x, bottom);
      cairo_stroke (cr);
      qviz_chart_set_source (cr, &style->axis);
      cairo_move_to (cr, x, top + AXIS_HEIGHT - 6);
      cairo_line_to (cr, x, top + AXIS_HEIGHT);
      cairo_stroke (cr);
      /* Keep the first and last labels inside the chart. */
      if (x - self->plot_x0 < 20)
        qviz_chart_draw_text (cr, pc->layout, label, x + 3, top + (AXIS_HEIGHT - 6) / 2,
                              QVIZ_ALIGN_START, QVIZ_ALIGN_CENTER, 0, &style->muted);
      else if (self->plot_x1 - x < 30)
        qviz_chart_draw_text (cr, pc->layout, label, x - 3, top + (AXIS_HEIGHT - 6) / 2,
                              QVIZ_ALIGN_END, QVIZ_ALIGN_CENTER, 0, &style->muted);
      else
        qviz_chart_draw_text (cr, pc->layout, label, x, top + (AXIS_HEIGHT - 6) / 2,
                              QVIZ_ALIGN_CENTER, QVIZ_ALIGN_CENTER, 0, &style->muted);
    }
  qviz_chart_set_source (cr, &style->axis);
  cairo_move_to (cr, self->plot_x0, top + AXIS_HEIGHT - 0.5);
  cairo_line_to (cr, self->plot_x1, top + AXIS_HEIGHT - 0.5);
  cairo_stroke (cr);
}

/* The whole pass in a strip: each band a lane of layer colours, the
 * visible window framed and the rest dimmed, the selected range shaded. */
static void
paint_minimap (QvizFlamePainter *self,
               PaintContext     *pc,
               gint64            duration)
{
  const QvizChartStyle *style = self->style;
  cairo_t *cr = pc->cr;
  guint n_bands = qviz_flame_data_get_n_bands (self->data);
  guint n_spans = qviz_flame_data_get_n_spans (self->data);
  double x0 = self->plot_x0, w = self->plot_x1 - self->plot_x0;
  double lane = (MINIMAP_H - 2) / MAX (n_bands, 1);
  double scale = w / duration;

  self->minimap_rect = (cairo_rectangle_t) { x0, 0, w, MINIMAP_H };
  qviz_chart_set_source (cr, &style->band_background);
  cairo_rectangle (cr, x0, 0, w, MINIMAP_H);
  cairo_fill (cr);
  for (guint i = 0; i < n_spans; i++)
    {
      const QvizFlameSpan *s = qviz_flame_data_get_span (self->data, i);
      QvizRgba fill;
      double sx, sw;

      if (s->layer_index < 0 || (s->flags & (QVIZ_SPAN_PASS | QVIZ_SPAN_MODULE)))
        continue;
      fill = span_fill (self, s);
      sx = x0 + s->start_ns * scale;
      sw = MAX ((s->end_ns - s->start_ns) * scale, 0.5);
      qviz_chart_set_source (cr, &fill);
      cairo_rectangle (cr, sx, 1 + s->band * lane, sw, MAX (lane - 1, 1));
      cairo_fill (cr);
    }
  if (self->range_t1 > self->range_t0)
    {
      QvizRgba shade = style->selection;
      shade.alpha = 0.35;
      qviz_chart_set_source (cr, &shade);
      gint64 r0 = MIN (self->range_t0, duration), r1 = MIN (self->range_t1, duration);
      cairo_rectangle (cr, x0 + r0 * scale, 0, MAX ((r1 - r0) * scale, 1), MINIMAP_H);
      cairo_fill (cr);
    }
  if (self->t0 > 0 || self->t1 < duration)
    {
      QvizRgba dim = style->background;
      double vx0 = x0 + self->t0 * scale, vx1 = x0 + self->t1 * scale;

      dim.alpha = 0.6;
      qviz_chart_set_source (cr, &dim);
      cairo_rectangle (cr, x0, 0, vx0 - x0, MINIMAP_H);
      cairo_rectangle (cr, vx1, 0, x0 + w - vx1, MINIMAP_H);
      cairo_fill (cr);
      qviz_chart_set_source (cr, &style->foreground);
      cairo_set_line_width (cr, 1.5);
      cairo_rectangle (cr, vx0 + 0.75, 0.75, MAX (vx1 - vx0 - 1.5, 1), MINIMAP_H - 1.5);
      cairo_stroke (cr);
    }
}

/* The selected time range over the bands, and what each band holds in it. */
static void
paint_range (QvizFlamePainter *self,
             PaintContext     *pc,
             double            top,
             double            bottom)
{
  const QvizChartStyle *style = self->style;
  cairo_t *cr = pc->cr;
  /* cairo's fixed-point coordinates overflow far outside the plot */
  double rx0 = CLAMP (qviz_flame_painter_time_to_x (self, self->range_t0), self->plot_x0 - 2, self->plot_x1 + 2);
  double rx1 = CLAMP (qviz_flame_painter_time_to_x (self, self->range_t1), self->plot_x0 - 2, self->plot_x1 + 2);
  QvizRgba shade = style->selection;

  shade.alpha = 0.12;
  qviz_chart_set_source (cr, &shade);
  cairo_rectangle (cr, rx0, top, MAX (rx1 - rx0, 1), bottom - top);
  cairo_fill (cr);
  qviz_chart_set_source (cr, &style->selection);
  cairo_set_line_width (cr, 1.5);
  cairo_move_to (cr, rx0, top);
  cairo_line_to (cr, rx0, bottom);
  cairo_move_to (cr, rx1, top);
  cairo_line_to (cr, rx1, bottom);
  cairo_stroke (cr);

  for (guint b = 0; b < self->band_y->len; b++)
    {
      QvizFlameRangeSummary sum;
      g_autofree char *text = NULL;
      int tw, th;
      double bx, by = g_array_index (self->band_y, double, b) + 2;

      qviz_flame_data_summarize_range (self->data, b, self->range_t0, self->range_t1, &sum);
      if (sum.n_layers == 0)
        continue;   /* a shorter pass that ends before the range */
      /* TRANSLATORS: what a selected time range of a flame chart band
       * holds: "12 layers, 3.42 ms". */
      text = g_strdup_printf (ngettext ("%u layer, %.3f ms", "%u layers, %.3f ms", sum.n_layers),
                              sum.n_layers, sum.layers_ns / 1e6);
      pango_layout_set_text (pc->layout, text, -1);
      pango_layout_get_pixel_size (pc->layout, &tw, &th);
      bx = CLAMP (rx1 + 4, self->plot_x0, self->plot_x1 - tw - 8);
      if (bx < rx1 && rx0 - tw - 12 >= self->plot_x0)
        bx = rx0 - tw - 12;
      qviz_chart_set_source (cr, &style->background);
      cairo_rectangle (cr, bx, by, tw + 8, th + 2);
      cairo_fill (cr);
      qviz_chart_draw_text (cr, pc->layout, text, bx + 4, by + 1 + th / 2.0,
                            QVIZ_ALIGN_START, QVIZ_ALIGN_CENTER, 0, &style->foreground);
    }
}

void
qviz_flame_painter_paint (QvizFlamePainter *self,
                          cairo_t          *cr,
                          double            width,
                          double            height)
{
  const QvizChartStyle *style;
  g_autoptr(PangoLayout) layout = NULL;
  cairo_pattern_t *hatch;
  PaintContext pc;
  guint n_bands;
  gint64 duration;
  double y, bands_bottom;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);

  style = self->style;
  self->n_drawn_rects = 0;
  self->painted = FALSE;
  self->legend_rect = (cairo_rectangle_t) { 0, 0, 0, 0 };
  self->minimap_rect = (cairo_rectangle_t) { 0, 0, 0, 0 };
  self->top = 0;
  g_array_set_size (self->band_y, 0);

  cairo_save (cr);
  qviz_chart_fill_background (cr, style, width, height);

  layout = qviz_chart_layout_new (cr, style, 0.9, FALSE);

  if (self->data == NULL || (duration = qviz_flame_data_get_duration (self->data)) <= 0)
    {
      qviz_chart_draw_text (cr, layout, _("No spans recorded"), width / 2, height / 2,
                            QVIZ_ALIGN_CENTER, QVIZ_ALIGN_CENTER, 0, &style->muted);
      cairo_restore (cr);
      return;
    }

  self->plot_x0 = PAD_X;
  self->plot_x1 = MAX (PAD_X + 1, width - PAD_X);
  if (self->view_t1 > self->view_t0)
    {
      self->t0 = self->view_t0;
      self->t1 = self->view_t1;
    }
  else
    {
      self->t0 = 0;
      self->t1 = duration;
    }

  hatch = qviz_chart_style_get_hatch (style);
  pc.cr = cr;
  pc.layout = layout;
  pc.hatch = hatch;

  n_bands = qviz_flame_data_get_n_bands (self->data);
  if (self->show_minimap)
    {
      paint_minimap (self, &pc, duration);
      self->top = MINIMAP_H + MINIMAP_GAP;
    }
  y = self->top + AXIS_HEIGHT;
  for (guint b = 0; b < n_bands; b++)
    {
      guint depth = qviz_flame_data_get_band_depth (self->data, b);

      if (b > 0)
        y += BAND_GAP;
      g_array_append_val (self->band_y, y);
      qviz_chart_set_source (cr, &style->band_background);
      cairo_rectangle (cr, self->plot_x0, y, self->plot_x1 - self->plot_x0, depth * ROW_HEIGHT);
      cairo_fill (cr);
      y += depth * ROW_HEIGHT;
    }
  bands_bottom = y;

  paint_axis (self, &pc, self->top, bands_bottom);

  cairo_save (cr);
  cairo_rectangle (cr, self->plot_x0, self->top + AXIS_HEIGHT, self->plot_x1 - self->plot_x0,
                   bands_bottom - self->top - AXIS_HEIGHT);
  cairo_clip (cr);
  for (guint b = 0; b < n_bands; b++)
    {
      guint depth = qviz_flame_data_get_band_depth (self->data, b);
      double band_top = g_array_index (self->band_y, double, b);

      for (guint d = 0; d < depth; d++)
        paint_row (self, &pc, b, d, band_top + d * ROW_HEIGHT);
    }
  self->painted = TRUE;
  if (self->range_t1 > self->range_t0)
    paint_range (self, &pc, self->top + AXIS_HEIGHT, bands_bottom);

  if (self->selected >= 0 && (guint) self->selected < qviz_flame_data_get_n_spans (self->data))
    {
      cairo_rectangle_t r;

      if (qviz_flame_painter_get_span_rect (self, self->selected, &r))
        {
          qviz_chart_set_source (cr, &style->selection);
          cairo_set_line_width (cr, 2.5);
          cairo_rectangle (cr, r.x - 1.25, r.y - 1.25, MAX (1, r.width) + 2.5, r.height + 2.5);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);

  if (self->show_legend)
    {
      double lh = paint_legend (self, cr, hatch, self->plot_x0, bands_bottom + LEGEND_GAP,
                                self->plot_x1 - self->plot_x0, TRUE);
      self->legend_rect = (cairo_rectangle_t) { self->plot_x0, bands_bottom + LEGEND_GAP,
                                                self->plot_x1 - self->plot_x0, lh };
    }

  cairo_restore (cr);
}

void
qviz_flame_painter_paint_view (QvizFlamePainter *self,
                               cairo_t          *cr,
                               double            width,
                               double            height,
                               gint64            t0_ns,
                               gint64            t1_ns,
                               const char       *search,
                               int               selected)
{
  g_return_if_fail (self != NULL);

  qviz_flame_painter_set_view (self, t0_ns, t1_ns);
  qviz_flame_painter_set_highlight (self, search);
  qviz_flame_painter_set_selected (self, selected);
  qviz_flame_painter_paint (self, cr, width, height);
}

int
qviz_flame_painter_hit_test (QvizFlamePainter *self,
                             double            x,
                             double            y)
{
  double scale;
  gint64 t, tolerance;

  g_return_val_if_fail (self != NULL, -1);

  if (!self->painted || x < self->plot_x0 || x >= self->plot_x1)
    return -1;

  scale = (self->plot_x1 - self->plot_x0) / (self->t1 - self->t0);
  t = (gint64) floor (self->t0 + (x - self->plot_x0) / scale);
  /* Half a pixel either way finds spans that were merged into a run. */
  tolerance = (gint64) ceil (0.5 / scale);

  for (guint b = 0; b < self->band_y->len; b++)
    {
      double top = g_array_index (self->band_y, double, b);
      guint depth = qviz_flame_data_get_band_depth (self->data, b);
      double row;

      if (y < top || y >= top + depth * ROW_HEIGHT)
        continue;
      row = floor ((y - top) / ROW_HEIGHT);
      return qviz_flame_data_find_span (self->data, b, (guint) row, t, tolerance);
    }
  return -1;
}

double
qviz_flame_painter_time_to_x (QvizFlamePainter *self,
                              gint64            t_ns)
{
  g_return_val_if_fail (self != NULL, 0);
  if (!self->painted)
    return 0;
  return self->plot_x0 + (t_ns - self->t0) * (self->plot_x1 - self->plot_x0) / (self->t1 - self->t0);
}

/* The rectangle the span occupied in the last paint (before clipping to
 * the plot area); FALSE if nothing was painted. */
gboolean
qviz_flame_painter_get_span_rect (QvizFlamePainter  *self,
                                  guint              span,
                                  cairo_rectangle_t *rect)
{
  const QvizFlameSpan *s;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (rect != NULL, FALSE);

  if (!self->painted || span >= qviz_flame_data_get_n_spans (self->data))
    return FALSE;
  s = qviz_flame_data_get_span (self->data, span);
  rect->x = qviz_flame_painter_time_to_x (self, s->start_ns);
  rect->width = qviz_flame_painter_time_to_x (self, s->end_ns) - rect->x;
  rect->y = g_array_index (self->band_y, double, s->band) + s->depth * ROW_HEIGHT;
  rect->height = ROW_HEIGHT - 1;
  return TRUE;
}

void
qviz_flame_painter_set_show_spread (QvizFlamePainter *self,
                                    gboolean          show_spread)
{
  g_return_if_fail (self != NULL);
  self->show_spread = !!show_spread;
}

gboolean
qviz_flame_painter_get_show_spread (QvizFlamePainter *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->show_spread;
}

void
qviz_flame_painter_set_show_minimap (QvizFlamePainter *self,
                                     gboolean          show_minimap)
{
  g_return_if_fail (self != NULL);
  self->show_minimap = !!show_minimap;
}

void
qviz_flame_painter_set_range (QvizFlamePainter *self,
                              gint64            t0_ns,
                              gint64            t1_ns)
{
  g_return_if_fail (self != NULL);
  self->range_t0 = MIN (t0_ns, t1_ns);
  self->range_t1 = MAX (t0_ns, t1_ns);
}

gboolean
qviz_flame_painter_minimap_time (QvizFlamePainter *self,
                                 double            x,
                                 double            y,
                                 gint64           *t_ns)
{
  const cairo_rectangle_t *r;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (t_ns != NULL, FALSE);
  r = &self->minimap_rect;
  if (!self->painted || r->width <= 0 || y < r->y || y >= r->y + r->height
      || x < r->x - 4 || x > r->x + r->width + 4)
    return FALSE;
  *t_ns = (gint64) llround (CLAMP ((x - r->x) / r->width, 0, 1)
                            * qviz_flame_data_get_duration (self->data));
  return TRUE;
}

guint
qviz_flame_painter_get_n_drawn_rects (QvizFlamePainter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_drawn_rects;
}

void
qviz_flame_painter_get_legend_rect (QvizFlamePainter  *self,
                                    cairo_rectangle_t *rect)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (rect != NULL);
  *rect = self->legend_rect;
}
