/* qviz-chart-page.c: what the painters draw around their content: the
 * background, and for the report pages their header, the two columns of
 * facts under it and the sections the other painters fill. */
#include "qviz-chart-private.h"

#include <math.h>

void
qviz_chart_fill_background (cairo_t              *cr,
                            const QvizChartStyle *style,
                            double                width,
                            double                height)
{
  qviz_chart_set_source (cr, &style->background);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
}

/* Paints @painter into (x, y, width, height), clipped to it. */
void
qviz_chart_paint_section (cairo_t              *cr,
                          QvizSectionPaintFunc  paint,
                          gpointer              painter,
                          double                x,
                          double                y,
                          double                width,
                          double                height)
{
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  paint (painter, cr, width, height);
  cairo_restore (cr);
}

/* A page's title, its subtitle (may be NULL) and a rule under them, from
 * @y between the margins of a page @width wide; returns the y below. */
double
qviz_chart_paint_page_header (cairo_t              *cr,
                              const QvizChartStyle *style,
                              const char           *title,
                              const char           *subtitle,
                              double                margin,
                              double                y,
                              double                width)
{
  g_autoptr(PangoLayout) title_layout = qviz_chart_layout_new (cr, style, 2.0, TRUE);
  g_autoptr(PangoLayout) subtitle_layout = qviz_chart_layout_new (cr, style, 1.0, FALSE);
  const double inner_w = width - 2 * margin;
  double th;

  qviz_chart_text_size (title_layout, "Ag", NULL, &th);
  qviz_chart_draw_text (cr, title_layout, title, margin, y, QVIZ_ALIGN_START,
                        QVIZ_ALIGN_START, inner_w, &style->foreground);
  y += th + 2;
  if (subtitle != NULL)
    {
      qviz_chart_text_size (subtitle_layout, "Ag", NULL, &th);
      qviz_chart_draw_text (cr, subtitle_layout, subtitle, margin, y, QVIZ_ALIGN_START,
                            QVIZ_ALIGN_START, inner_w, &style->muted);
      y += th;
    }
  y += 12;
  qviz_chart_set_source (cr, &style->separator);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, margin, round (y) + 0.5);
  cairo_line_to (cr, width - margin, round (y) + 0.5);
  cairo_stroke (cr);
  return y + 14;
}

/* Two columns, each a heading over lines (char *); returns the height
 * used. */
double
qviz_chart_paint_columns (cairo_t              *cr,
                          const QvizChartStyle *style,
                          const char *const     headings[2],
                          GPtrArray *const      lines[2],
                          double                x,
                          double                y,
                          double                width)
{
  g_autoptr(PangoLayout) head = qviz_chart_layout_new (cr, style, 0.95, TRUE);
  g_autoptr(PangoLayout) body = qviz_chart_layout_new (cr, style, 0.9, FALSE);
  double col_w = (width - 24) / 2;
  double used = 0, line_h, head_h;

  qviz_chart_text_size (body, "Ag", NULL, &line_h);
  qviz_chart_text_size (head, "Ag", NULL, &head_h);
  for (guint c = 0; c < 2; c++)
    {
      double cx = x + c * (col_w + 24);
      double cy = y;

      qviz_chart_draw_text (cr, head, headings[c], cx, cy, QVIZ_ALIGN_START,
                            QVIZ_ALIGN_START, col_w, &style->foreground);
      cy += head_h + 4;
      for (guint i = 0; i < lines[c]->len; i++)
        {
          qviz_chart_draw_text (cr, body, g_ptr_array_index (lines[c], i), cx, cy,
                                QVIZ_ALIGN_START, QVIZ_ALIGN_START, col_w, &style->muted);
          cy += line_h + 2;
        }
      used = MAX (used, cy - y);
    }
  return used;
}
