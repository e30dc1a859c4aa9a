/* qviz-report-painter.c: the one-page report, composed of the other painters. */
#include "qviz-config.h"
#include "qviz-report-painter.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "qviz-axis.h"
#include "qviz-bars-painter.h"
#include "qviz-breakdown-painter.h"
#include "qviz-chart-private.h"
#include "qviz-curves-painter.h"

struct _QvizReportPainter {
  const QvizChartStyle *style;
  QvizReportInfo       *info;
  QvizCurvesPainter    *curves;
  QvizBreakdownPainter *breakdown;
  QvizBarsPainter      *bars;
  GPtrArray            *rows;   /* QvizLayerRow, slowest first, owned */
  guint                 top_n;
};

QvizReportPainter *
qviz_report_painter_new (const QvizChartStyle *style)
{
  QvizReportPainter *self = g_new0 (QvizReportPainter, 1);

  self->style = style != NULL ? style : qviz_chart_style_get_light ();
  self->info = qviz_report_info_new (_("qviz report"));
  self->curves = qviz_curves_painter_new (self->style);
  self->breakdown = qviz_breakdown_painter_new (self->style);
  self->bars = qviz_bars_painter_new (self->style);
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_layer_row_free);
  self->top_n = 12;
  qviz_curves_painter_set_title (self->curves, _("Latency by input resolution"));
  qviz_breakdown_painter_set_title (self->breakdown, _("Time by layer class"));
  qviz_bars_painter_set_title (self->bars, _("Slowest layers"));
  return self;
}

void
qviz_report_painter_free (QvizReportPainter *self)
{
  if (self == NULL)
    return;
  qviz_report_info_free (self->info);
  qviz_curves_painter_free (self->curves);
  qviz_breakdown_painter_free (self->breakdown);
  qviz_bars_painter_free (self->bars);
  g_ptr_array_unref (self->rows);
  g_free (self);
}

void
qviz_report_painter_set_style (QvizReportPainter    *self,
                               const QvizChartStyle *style)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (style != NULL);
  self->style = style;
  qviz_curves_painter_set_style (self->curves, style);
  qviz_breakdown_painter_set_style (self->breakdown, style);
  qviz_bars_painter_set_style (self->bars, style);
}

void
qviz_report_painter_set_info (QvizReportPainter    *self,
                              const QvizReportInfo *info)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (info != NULL);
  qviz_report_info_free (self->info);
  self->info = qviz_report_info_copy (info);
}

void
qviz_report_painter_add_series (QvizReportPainter     *self,
                                const QvizCurveSeries *series)
{
  g_return_if_fail (self != NULL);
  qviz_curves_painter_add_series (self->curves, series);
}

void
qviz_report_painter_set_log_y (QvizReportPainter *self,
                               gboolean           log_y)
{
  g_return_if_fail (self != NULL);
  qviz_curves_painter_set_log_y (self->curves, log_y);
}

void
qviz_report_painter_set_breakdown (QvizReportPainter   *self,
                                   const QvizBreakdown *breakdown)
{
  g_return_if_fail (self != NULL);
  qviz_breakdown_painter_set_breakdown (self->breakdown, breakdown);
}

void
qviz_report_painter_set_layers (QvizReportPainter *self,
                                GPtrArray         *rows)
{
  g_autoptr(GPtrArray) top = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (rows != NULL);

  qviz_bars_painter_set_rows (self->bars, rows);
  g_ptr_array_set_size (self->rows, 0);
  top = qviz_layer_rows_top (rows, G_MAXUINT);
  for (guint i = 0; i < top->len; i++)
    g_ptr_array_add (self->rows, qviz_layer_row_copy (g_ptr_array_index (top, i)));
}

void
qviz_report_painter_set_top_n (QvizReportPainter *self,
                               guint              top_n)
{
  g_return_if_fail (self != NULL);
  self->top_n = MAX (1, top_n);
  qviz_bars_painter_set_max_rows (self->bars, self->top_n);
}

static void
paint_curves (gpointer painter, cairo_t *cr, double w, double h)
{
  qviz_curves_painter_paint (painter, cr, w, h);
}

static void
paint_breakdown (gpointer painter, cairo_t *cr, double w, double h)
{
  qviz_breakdown_painter_paint (painter, cr, w, h);
}

static void
paint_bars (gpointer painter, cairo_t *cr, double w, double h)
{
  qviz_bars_painter_paint (painter, cr, w, h);
}

static double
table_height (QvizReportPainter *self,
              cairo_t           *cr)
{
  g_autoptr(PangoLayout) body = qviz_chart_layout_new (cr, self->style, 0.82, FALSE);
  g_autoptr(PangoLayout) title = qviz_chart_layout_new (cr, self->style, 1.05, TRUE);
  double row_h, title_h;

  qviz_chart_text_size (body, "Ag", NULL, &row_h);
  qviz_chart_text_size (title, "Ag", NULL, &title_h);
  return title_h + 8 + (MIN (self->top_n, self->rows->len) + 1) * (row_h + 8) + 16;
}

static void
paint_table (QvizReportPainter *self,
             cairo_t           *cr,
             double             x,
             double             y,
             double             width,
             double             height)
{
  const QvizChartStyle *style = self->style;
  g_autoptr(PangoLayout) head = qviz_chart_layout_new (cr, style, 0.82, TRUE);
  g_autoptr(PangoLayout) body = qviz_chart_layout_new (cr, style, 0.82, FALSE);
  g_autoptr(PangoLayout) title = qviz_chart_layout_new (cr, style, 1.05, TRUE);
  /* Column fractions of the width; numbers are right-aligned.  Headings
   * are translated when drawn; data type names are not words. */
  static const struct { const char *name; double frac; gboolean right; } cols[] = {
    { "#", 0.04, TRUE },
    { N_("Layer"), 0.30, FALSE },
    { N_("Op"), 0.10, FALSE },
    { N_("int8 kernel"), 0.24, FALSE },
    { "float32", 0.08, TRUE },
    { "int8", 0.08, TRUE },
    /* TRANSLATORS: column heading: the layer's int8 time over its float
     * time. */
    { N_("int8/float"), 0.08, TRUE },
    { "SQNR", 0.08, TRUE },
  };
  double row_h, title_h, cy;
  guint n;

  qviz_chart_text_size (body, "Ag", NULL, &row_h);
  qviz_chart_text_size (title, "Ag", NULL, &title_h);
  row_h += 8;
  qviz_chart_draw_text (cr, title, _("Slowest layers in detail"), x + 12, y, QVIZ_ALIGN_START,
                        QVIZ_ALIGN_START, 0, &style->foreground);
  y += title_h + 8;
  x += 12;
  width -= 24;

  n = MIN (self->top_n, self->rows->len);
  n = MIN (n, (guint) MAX (0, floor ((height - title_h - 8) / row_h) - 1));

  cy = y;
  for (guint r = 0; r <= n; r++)
    {
      const QvizLayerRow *row = r > 0 ? g_ptr_array_index (self->rows, r - 1) : NULL;
      double cx = x;

      if (r > 0 && r % 2 == 0)
        {
          qviz_chart_set_source (cr, &style->plot_background);
          cairo_rectangle (cr, x, cy, width, row_h);
          cairo_fill (cr);
        }
      for (guint c = 0; c < G_N_ELEMENTS (cols); c++)
        {
          double cw = cols[c].frac * width;
          g_autofree char *cell = NULL;
          const QvizRgba *ink = &style->foreground;

          if (row == NULL)
            cell = g_strdup (g_dgettext (GETTEXT_PACKAGE, cols[c].name));
          else
            switch (c)
              {
              case 0: cell = g_strdup_printf ("%u", r); break;
              case 1:
                cell = qviz_chart_clip_text (row->name, TRUE);
                if (cell == NULL)
                  cell = g_strdup (row->name);
                break;
              case 2: cell = g_strdup (row->op != NULL ? row->op : ""); break;
              case 3: cell = g_strdup (row->kernel_int8 != NULL ? row->kernel_int8 : "–"); break;
              case 4: cell = qviz_format_ms (row->f32_ms); break;
              case 5: cell = qviz_format_ms (row->int8_ms); break;
              case 6:
                {
                  double ratio = qviz_layer_row_get_ratio (row);
                  cell = isnan (ratio) ? g_strdup ("–")
                         : g_strdup_printf ("×%.2f %s", ratio, ratio > 1 ? "▲" : "▼");
                  if (!isnan (ratio))
                    ink = ratio > 1 ? &style->slower : &style->faster;
                }
                break;
              default:
                cell = isnan (row->sqnr) ? g_strdup ("–") : g_strdup_printf ("%.1f dB", row->sqnr);
                break;
              }

          if (row != NULL && c == 1)
            {
              /* Paths are long; their tail identifies the layer. */
              pango_layout_set_ellipsize (body, PANGO_ELLIPSIZE_START);
              pango_layout_set_width (body, (int) ((cw - 8) * PANGO_SCALE));
              pango_layout_set_text (body, cell, -1);
              cairo_save (cr);
              qviz_chart_set_source (cr, ink);
              cairo_move_to (cr, cx + 2, cy + 4);
              qviz_chart_show_layout (cr, body);
              cairo_restore (cr);
              pango_layout_set_ellipsize (body, PANGO_ELLIPSIZE_NONE);
            }
          else if (cols[c].right)
            qviz_chart_draw_text (cr, row == NULL ? head : body, cell, cx + cw - 6, cy + row_h / 2,
                                  QVIZ_ALIGN_END, QVIZ_ALIGN_CENTER, 0, ink);
          else
            qviz_chart_draw_text (cr, row == NULL ? head : body, cell, cx + 2, cy + row_h / 2,
                                  QVIZ_ALIGN_START, QVIZ_ALIGN_CENTER, cw - 8, ink);
          cx += cw;
        }
      cy += row_h;
      if (r == 0)
        {
          qviz_chart_set_source (cr, &style->axis);
          cairo_set_line_width (cr, 1);
          cairo_move_to (cr, x, round (cy) - 0.5);
          cairo_line_to (cr, x + width, round (cy) - 0.5);
          cairo_stroke (cr);
        }
    }
}

void
qviz_report_painter_paint (QvizReportPainter *self,
                           cairo_t           *cr,
                           double             width,
                           double             height)
{
  const double margin = MAX (16, MIN (48, width * 0.035));
  double y = margin, inner_w = width - 2 * margin, rest, charts_h, bars_h, table_h;
  const char *const headings[2] = { _("Model"), _("Machine") };
  GPtrArray *lines[2];

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);

  lines[0] = self->info->model_lines;
  lines[1] = self->info->machine_lines;
  cairo_save (cr);
  qviz_chart_fill_background (cr, self->style, width, height);
  y = qviz_chart_paint_page_header (cr, self->style, self->info->title,
                                    self->info->subtitle, margin, y, width);
  y += qviz_chart_paint_columns (cr, self->style, headings, lines, margin, y, inner_w) + 14;

  /* The table takes what its rows need (at most a third of the rest); the
   * charts and the bars share the remainder. */
  rest = height - margin - y;
  table_h = MIN (rest / 3, table_height (self, cr));
  charts_h = (rest - table_h) * 0.56;
  bars_h = rest - table_h - charts_h;

  qviz_chart_paint_section (cr, paint_curves, self->curves, margin - 12, y,
                            inner_w * 0.56 + 12, charts_h);
  qviz_chart_paint_section (cr, paint_breakdown, self->breakdown, margin + inner_w * 0.58, y,
                            inner_w * 0.42 + 12, charts_h);
  y += charts_h + 8;
  qviz_chart_paint_section (cr, paint_bars, self->bars, margin - 12, y, inner_w + 24, bars_h);
  y += bars_h + 8;
  paint_table (self, cr, margin - 12, y, inner_w + 24, table_h);

  cairo_restore (cr);
}
