/* qviz-chart-text.c: pango text and legends for the painters. */
#include "qviz-config.h"
#include "qviz-chart-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

/* Sizes are absolute (device units), so that a chart has the same
 * proportions on an image, an SVG and a PDF page.  Metrics are not hinted,
 * for the same reason. */
PangoLayout *
qviz_chart_layout_new (cairo_t              *cr,
                       const QvizChartStyle *style,
                       double                scale,
                       gboolean              bold)
{
  PangoLayout *layout;
  PangoFontDescription *desc;
  cairo_font_options_t *options;

  g_return_val_if_fail (cr != NULL, NULL);
  g_return_val_if_fail (style != NULL, NULL);

  layout = pango_cairo_create_layout (cr);
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (pango_layout_get_context (layout), options);
  pango_layout_context_changed (layout);
  cairo_font_options_destroy (options);

  desc = pango_font_description_new ();
  pango_font_description_set_family (desc, style->font_family);
  pango_font_description_set_absolute_size (desc, style->font_size * scale * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  return layout;
}

/* No label needs more characters than this; names from files can be
 * megabytes long, which Pango shapes slowly and draws badly, so they are
 * cut (keeping the start, or the tail for paths) before Pango sees them. */
#define MAX_LABEL_CHARS 256

char *
qviz_chart_clip_text (const char *text,
                      gboolean    keep_tail)
{
  glong n;

  if (text == NULL || strlen (text) <= MAX_LABEL_CHARS)
    return NULL;
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (text, -1);
      char *clipped = qviz_chart_clip_text (valid, keep_tail);

      return clipped != NULL ? clipped : g_steal_pointer (&valid);
    }
  n = g_utf8_strlen (text, -1);
  if (n <= MAX_LABEL_CHARS)
    return NULL;
  if (keep_tail)
    return g_strconcat ("…", g_utf8_offset_to_pointer (text, n - MAX_LABEL_CHARS), NULL);
  {
    g_autofree char *head = g_utf8_substring (text, 0, MAX_LABEL_CHARS);

    return g_strconcat (head, "…", NULL);
  }
}

void
qviz_chart_text_size (PangoLayout *layout,
                      const char  *text,
                      double      *width,
                      double      *height)
{
  PangoRectangle logical;

  g_autofree char *clipped = qviz_chart_clip_text (text, FALSE);

  g_return_if_fail (PANGO_IS_LAYOUT (layout));

  pango_layout_set_width (layout, -1);
  pango_layout_set_text (layout, clipped != NULL ? clipped : text, -1);
  pango_layout_get_extents (layout, NULL, &logical);
  if (width != NULL)
    *width = (double) logical.width / PANGO_SCALE;
  if (height != NULL)
    *height = (double) logical.height / PANGO_SCALE;
}

/* Draws @text anchored at (x, y); with @max_width > 0 the text is cut with an
 * ellipsis instead of running over its neighbours. */
void
qviz_chart_draw_text (cairo_t        *cr,
                      PangoLayout    *layout,
                      const char     *text,
                      double          x,
                      double          y,
                      QvizAlign       halign,
                      QvizAlign       valign,
                      double          max_width,
                      const QvizRgba *colour)
{
  PangoRectangle logical;
  g_autofree char *clipped = qviz_chart_clip_text (text, FALSE);
  double w, h;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (PANGO_IS_LAYOUT (layout));

  if (text == NULL || text[0] == '\0')
    return;

  pango_layout_set_text (layout, clipped != NULL ? clipped : text, -1);
  if (max_width > 0)
    {
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  else
    {
      pango_layout_set_width (layout, -1);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_NONE);
    }
  pango_layout_get_extents (layout, NULL, &logical);
  w = (double) logical.width / PANGO_SCALE;
  h = (double) logical.height / PANGO_SCALE;

  if (halign == QVIZ_ALIGN_CENTER)
    x -= w / 2;
  else if (halign == QVIZ_ALIGN_END)
    x -= w;
  if (valign == QVIZ_ALIGN_CENTER)
    y -= h / 2;
  else if (valign == QVIZ_ALIGN_END)
    y -= h;

  cairo_save (cr);
  qviz_chart_set_source (cr, colour);
  cairo_move_to (cr, x - (double) logical.x / PANGO_SCALE, y);
  qviz_chart_show_layout (cr, layout);
  cairo_restore (cr);
}

static const cairo_user_data_key_t svg_text_key;

static void
free_svg_text (gpointer data)
{
  g_string_free (data, TRUE);
}

void
qviz_chart_svg_text_begin (cairo_surface_t *surface)
{
  g_return_if_fail (surface != NULL);
  cairo_surface_set_user_data (surface, &svg_text_key, g_string_new (NULL), free_svg_text);
}

char *
qviz_chart_svg_text_end (cairo_surface_t *surface)
{
  GString *elements;
  char *text;

  g_return_val_if_fail (surface != NULL, NULL);
  elements = cairo_surface_get_user_data (surface, &svg_text_key);
  if (elements == NULL)
    return g_strdup ("");
  text = g_strdup (elements->str);
  cairo_surface_set_user_data (surface, &svg_text_key, NULL, NULL);
  return text;
}

/* Font size in user units: absolute sizes are already in them, point
 * sizes go through the context's resolution. */
static double
layout_font_px (PangoLayout                *layout,
                const PangoFontDescription *desc)
{
  double size = (double) pango_font_description_get_size (desc) / PANGO_SCALE;
  double dpi;

  if (pango_font_description_get_size_is_absolute (desc))
    return size;
  dpi = pango_cairo_context_get_resolution (pango_layout_get_context (layout));
  return size * (dpi > 0 ? dpi : 96) / 72;
}

static void
append_svg_text (GString     *out,
                 cairo_t     *cr,
                 PangoLayout *layout)
{
  const PangoFontDescription *desc = pango_layout_get_font_description (layout);
  g_autoptr (PangoFontDescription) fallback = NULL;
  const char *text = pango_layout_get_text (layout);
  double x0, y0, r = 0, g = 0, b = 0, a = 1;
  cairo_matrix_t m;
  PangoLayoutIter *iter;
  char num[6][G_ASCII_DTOSTR_BUF_SIZE];

  if (desc == NULL)
    desc = fallback = pango_font_description_copy (pango_context_get_font_description (pango_layout_get_context (layout)));
  cairo_get_current_point (cr, &x0, &y0);
  cairo_get_matrix (cr, &m);
  if (cairo_pattern_get_rgba (cairo_get_source (cr), &r, &g, &b, &a) != CAIRO_STATUS_SUCCESS)
    r = g = b = 0, a = 1;
  iter = pango_layout_get_iter (layout);
  do
    {
      PangoLayoutLine *line = pango_layout_iter_get_line_readonly (iter);
      PangoRectangle logical;
      g_autofree char *piece = NULL;
      g_autofree char *escaped = NULL;

      if (line->length <= 0)
        continue;
      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      piece = g_strndup (text + line->start_index, (gsize) line->length);
      escaped = g_markup_escape_text (piece, -1);
      g_string_append_printf (out, "<text xml:space=\"preserve\" transform=\"matrix(%s %s %s %s %s %s)\"",
                              g_ascii_dtostr (num[0], sizeof num[0], m.xx),
                              g_ascii_dtostr (num[1], sizeof num[1], m.yx),
                              g_ascii_dtostr (num[2], sizeof num[2], m.xy),
                              g_ascii_dtostr (num[3], sizeof num[3], m.yy),
                              g_ascii_dtostr (num[4], sizeof num[4], m.x0),
                              g_ascii_dtostr (num[5], sizeof num[5], m.y0));
      g_string_append_printf (out, " x=\"%s\" y=\"%s\"",
                              g_ascii_dtostr (num[0], sizeof num[0], x0 + (double) logical.x / PANGO_SCALE),
                              g_ascii_dtostr (num[1], sizeof num[1],
                                              y0 + (double) pango_layout_iter_get_baseline (iter) / PANGO_SCALE));
      g_string_append_printf (out, " font-family=\"%s\" font-size=\"%s\" font-weight=\"%d\"",
                              pango_font_description_get_family (desc) ? pango_font_description_get_family (desc) : "sans-serif",
                              g_ascii_dtostr (num[2], sizeof num[2], layout_font_px (layout, desc)),
                              (int) pango_font_description_get_weight (desc));
      g_string_append_printf (out, " fill=\"rgb(%d,%d,%d)\" fill-opacity=\"%s\">%s</text>\n",
                              (int) lround (r * 255), (int) lround (g * 255), (int) lround (b * 255),
                              g_ascii_dtostr (num[3], sizeof num[3], a), escaped);
    }
  while (pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);
}

void
qviz_chart_show_layout (cairo_t     *cr,
                        PangoLayout *layout)
{
  GString *svg;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (PANGO_IS_LAYOUT (layout));

  pango_cairo_update_layout (cr, layout);
  svg = cairo_surface_get_user_data (cairo_get_target (cr), &svg_text_key);
  if (svg != NULL && cairo_has_current_point (cr) && !pango_layout_is_ellipsized (layout))
    append_svg_text (svg, cr, layout);
  else
    pango_cairo_show_layout (cr, layout);
}

/* Lays out legend items left to right, wrapping at @max_width; returns the
 * height used.  With @draw FALSE it only measures. */
double
qviz_chart_draw_legend (cairo_t              *cr,
                        const QvizChartStyle *style,
                        const QvizLegendItem *items,
                        guint                 n_items,
                        double                x,
                        double                y,
                        double                max_width,
                        gboolean              draw)
{
  g_autoptr(PangoLayout) layout = qviz_chart_layout_new (cr, style, 0.92, FALSE);
  const double swatch_w = 22, gap = 6, item_gap = 18;
  double line_h, cx = x, cy = y;

  qviz_chart_text_size (layout, "Ag", NULL, &line_h);
  line_h = MAX (line_h, 14) + 4;

  for (guint i = 0; i < n_items; i++)
    {
      double tw;
      double item_w;

      qviz_chart_text_size (layout, items[i].label, &tw, NULL);
      item_w = swatch_w + gap + tw;
      if (cx > x && cx + item_w > x + max_width)
        {
          cx = x;
          cy += line_h;
        }
      if (draw)
        {
          items[i].draw_swatch (cr, cx, cy + (line_h - 12) / 2, swatch_w, 12, items[i].user_data);
          qviz_chart_draw_text (cr, layout, items[i].label, cx + swatch_w + gap, cy + line_h / 2,
                                QVIZ_ALIGN_START, QVIZ_ALIGN_CENTER, 0, &style->foreground);
        }
      cx += item_w + item_gap;
    }
  return n_items > 0 ? cy + line_h - y : 0;
}

/* Titles are drawn with a layout of their own: 1.05 times the style's
 * size, bold, with a gap of 6 below. */
double
qviz_chart_title_height (cairo_t              *cr,
                         const QvizChartStyle *style,
                         const char           *title)
{
  g_autoptr(PangoLayout) bold = NULL;
  double th;

  if (title == NULL)
    return 0;
  bold = qviz_chart_layout_new (cr, style, 1.05, TRUE);
  qviz_chart_text_size (bold, title, NULL, &th);
  return th + 6;
}

double
qviz_chart_draw_title (cairo_t              *cr,
                       const QvizChartStyle *style,
                       const char           *title,
                       double                x,
                       double                y,
                       double                max_width)
{
  const double height = qviz_chart_title_height (cr, style, title);

  if (title != NULL)
    {
      g_autoptr(PangoLayout) bold = qviz_chart_layout_new (cr, style, 1.05, TRUE);
      qviz_chart_draw_text (cr, bold, title, x, y, QVIZ_ALIGN_START, QVIZ_ALIGN_START,
                            max_width, &style->foreground);
    }
  return height;
}

const char *
qviz_chart_short_name (const char *path)
{
  const char *p = path + strlen (path);
  int slashes = 0;

  while (p > path)
    {
      p--;
      if (*p == '/' && ++slashes == 3)
        return p + 1;
    }
  return path;
}

char *
qviz_chart_threads_text (int threads)
{
  /* TRANSLATORS: a thread count, part of labels such as
   * "int8 512x512, 2 threads". */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d thread", "%d threads",
                                       (gulong) MAX (threads, 0)),
                          threads);
}

char *
qviz_chart_cores_text (int cores,
                       int threads)
{
  g_autofree char *c = NULL, *t = qviz_chart_threads_text (threads);

  /* TRANSLATORS: a count of physical CPU cores. */
  c = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d core", "%d cores",
                                    (gulong) MAX (cores, 0)),
                       cores);
  return g_strdup_printf ("%s / %s", c, t);
}
