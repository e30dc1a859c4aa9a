/* qviz-compare-report-painter.c: the compare page, composed of the curves,
 * flame and compare-bars painters. */
#include "qviz-config.h"
#include "qviz-compare-report-painter.h"

#include <glib/gi18n-lib.h>

#include "qviz-chart-private.h"
#include "qviz-compare-bars-painter.h"
#include "qviz-curves-painter.h"
#include "qviz-flame-painter.h"

struct _QvizCompareReportPainter {
  const QvizChartStyle   *style;
  char                   *title;
  char                   *subtitle;
  char                   *headings[2];
  GPtrArray              *lines[2];   /* char * */
  char                   *summary;
  char                   *flame_title;
  QvizCurvesPainter      *curves;
  QvizFlamePainter       *flame;
  QvizCompareBarsPainter *bars;
};

QvizCompareReportPainter *
qviz_compare_report_painter_new (const QvizChartStyle *style)
{
  QvizCompareReportPainter *self = g_new0 (QvizCompareReportPainter, 1);

  self->style = style != NULL ? style : qviz_chart_style_get_light ();
  self->title = g_strdup (_("A vs B"));
  for (guint i = 0; i < 2; i++)
    {
      self->headings[i] = g_strdup (i == 0 ? "A" : "B");
      self->lines[i] = g_ptr_array_new_with_free_func (g_free);
    }
  self->curves = qviz_curves_painter_new (self->style);
  self->flame = qviz_flame_painter_new (self->style);
  self->bars = qviz_compare_bars_painter_new (self->style);
  qviz_curves_painter_set_title (self->curves, _("Latency by input resolution, both sweeps"));
  qviz_flame_painter_set_color_mode (self->flame, QVIZ_FLAME_COLOR_BY_RATIO);
  qviz_compare_bars_painter_set_title (self->bars, _("Most changed layers"));
  return self;
}

void
qviz_compare_report_painter_free (QvizCompareReportPainter *self)
{
  if (self == NULL)
    return;
  g_free (self->title);
  g_free (self->subtitle);
  for (guint i = 0; i < 2; i++)
    {
      g_free (self->headings[i]);
      g_ptr_array_unref (self->lines[i]);
    }
  g_free (self->summary);
  g_free (self->flame_title);
  qviz_curves_painter_free (self->curves);
  qviz_flame_painter_free (self->flame);
  qviz_compare_bars_painter_free (self->bars);
  g_free (self);
}

void
qviz_compare_report_painter_set_style (QvizCompareReportPainter *self,
                                       const QvizChartStyle     *style)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (style != NULL);
  self->style = style;
  qviz_curves_painter_set_style (self->curves, style);
  qviz_flame_painter_set_style (self->flame, style);
  qviz_compare_bars_painter_set_style (self->bars, style);
}

void
qviz_compare_report_painter_set_title (QvizCompareReportPainter *self,
                                       const char               *title,
                                       const char               *subtitle)
{
  g_return_if_fail (self != NULL);
  g_free (self->title);
  g_free (self->subtitle);
  self->title = g_strdup (title != NULL ? title : "");
  self->subtitle = g_strdup (subtitle);
}

void
qviz_compare_report_painter_set_side (QvizCompareReportPainter *self,
                                      guint                     side,
                                      const char               *heading,
                                      GPtrArray                *lines)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (side < 2);

  g_free (self->headings[side]);
  self->headings[side] = g_strdup (heading != NULL ? heading : side == 0 ? "A" : "B");
  g_ptr_array_set_size (self->lines[side], 0);
  for (guint i = 0; lines != NULL && i < lines->len; i++)
    g_ptr_array_add (self->lines[side], g_strdup (g_ptr_array_index (lines, i)));
}

void
qviz_compare_report_painter_set_summary (QvizCompareReportPainter *self,
                                         const char               *summary)
{
  g_return_if_fail (self != NULL);
  g_free (self->summary);
  self->summary = g_strdup (summary);
}

void
qviz_compare_report_painter_add_series (QvizCompareReportPainter *self,
                                        const QvizCurveSeries    *series)
{
  g_return_if_fail (self != NULL);
  qviz_curves_painter_add_series (self->curves, series);
}

void
qviz_compare_report_painter_set_log_y (QvizCompareReportPainter *self,
                                       gboolean                  log_y)
{
  g_return_if_fail (self != NULL);
  qviz_curves_painter_set_log_y (self->curves, log_y);
}

void
qviz_compare_report_painter_set_flame (QvizCompareReportPainter *self,
                                       const char               *title,
                                       QvizFlameData            *data)
{
  g_return_if_fail (self != NULL);
  g_free (self->flame_title);
  self->flame_title = g_strdup (title);
  qviz_flame_painter_set_data (self->flame, data);
}

void
qviz_compare_report_painter_set_rows (QvizCompareReportPainter *self,
                                      const char               *title,
                                      GPtrArray                *rows)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (rows != NULL);
  if (title != NULL)
    qviz_compare_bars_painter_set_title (self->bars, title);
  qviz_compare_bars_painter_set_rows (self->bars, rows);
}

void
qviz_compare_report_painter_set_labels (QvizCompareReportPainter *self,
                                        const char               *label_a,
                                        const char               *label_b)
{
  g_return_if_fail (self != NULL);
  qviz_compare_bars_painter_set_labels (self->bars, label_a, label_b);
}

static void
paint_curves (gpointer painter, cairo_t *cr, double w, double h)
{
  qviz_curves_painter_paint (painter, cr, w, h);
}

static void
paint_flame (gpointer painter, cairo_t *cr, double w, double h)
{
  qviz_flame_painter_paint (painter, cr, w, h);
}

static void
paint_bars (gpointer painter, cairo_t *cr, double w, double h)
{
  qviz_compare_bars_painter_paint (painter, cr, w, h);
}

void
qviz_compare_report_painter_paint (QvizCompareReportPainter *self,
                                   cairo_t                  *cr,
                                   double                    width,
                                   double                    height)
{
  const QvizChartStyle *style;
  g_autoptr(PangoLayout) section = NULL;
  const double margin = MAX (16, MIN (48, width * 0.035));
  double y = margin, inner_w = width - 2 * margin, rest, curves_h, flame_h, bars_h;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);

  style = self->style;
  cairo_save (cr);
  qviz_chart_fill_background (cr, style, width, height);
  section = qviz_chart_layout_new (cr, style, 1.05, TRUE);
  y = qviz_chart_paint_page_header (cr, style, self->title, self->subtitle, margin, y, width);
  y += qviz_chart_paint_columns (cr, style, (const char *const *) self->headings, self->lines,
                                 margin, y, inner_w) + 10;
  if (self->summary != NULL)
    {
      g_autoptr(PangoLayout) wrap = qviz_chart_layout_new (cr, style, 1.0, FALSE);
      PangoRectangle logical;

      /* The headline may take two lines; it wraps instead of being cut. */
      pango_layout_set_width (wrap, (int) (inner_w * PANGO_SCALE));
      pango_layout_set_wrap (wrap, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_text (wrap, self->summary, -1);
      pango_layout_get_extents (wrap, NULL, &logical);
      cairo_save (cr);
      qviz_chart_set_source (cr, &style->foreground);
      cairo_move_to (cr, margin, y);
      qviz_chart_show_layout (cr, wrap);
      cairo_restore (cr);
      y += (double) logical.height / PANGO_SCALE + 12;
    }

  /* The flame takes what its bands need (at most a third), the curves
   * about a third, the table the rest. */
  rest = height - margin - y;
  {
    double flame_title_h = 0;

    if (self->flame_title != NULL)
      qviz_chart_text_size (section, "Ag", NULL, &flame_title_h);
    flame_h = MIN (rest / 3, qviz_flame_painter_get_preferred_height (self->flame));
    /* Curves get what the table does not need, within a fifth and 45%
     * of the page's rest. */
    curves_h = CLAMP (rest - flame_h - flame_title_h - 30 -
                      qviz_compare_bars_painter_get_preferred_height (self->bars),
                      rest * 0.2, rest * 0.45);
    qviz_chart_paint_section (cr, paint_curves, self->curves, margin - 12, y,
                              inner_w + 24, curves_h);
    y += curves_h + 10;
    if (self->flame_title != NULL)
      {
        qviz_chart_draw_text (cr, section, self->flame_title, margin, y, QVIZ_ALIGN_START,
                              QVIZ_ALIGN_START, inner_w, &style->foreground);
        y += flame_title_h + 4;
      }
    qviz_chart_paint_section (cr, paint_flame, self->flame, margin - 8, y,
                              inner_w + 16, flame_h);
    y += flame_h + 10;
  }
  bars_h = height - margin - y;
  if (bars_h > 40)
    qviz_chart_paint_section (cr, paint_bars, self->bars, margin - 12,
                              y, inner_w + 24, bars_h);

  cairo_restore (cr);
}
