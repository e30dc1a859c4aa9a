/* qviz-export.c: PNG through an image surface, SVG and PDF through cairo's
 * vector surfaces.  The file is written beside its destination and renamed
 * into place, so a failed export never leaves a truncated file behind. */
#include "qviz-config.h"
#include "qviz-export.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qviz-chart-private.h"

G_DEFINE_QUARK (qviz-export-error-quark, qviz_export_error)

#define HEADER_HEIGHT 58.0

gboolean
qviz_export_format_from_filename (const char       *filename,
                                  QvizExportFormat *format)
{
  const char *dot;
  g_autofree char *ext = NULL;

  g_return_val_if_fail (filename != NULL, FALSE);
  g_return_val_if_fail (format != NULL, FALSE);

  dot = strrchr (filename, '.');
  if (dot == NULL || strchr (dot, '/') != NULL)
    return FALSE;
  ext = g_ascii_strdown (dot + 1, -1);
  if (g_str_equal (ext, "png"))
    *format = QVIZ_EXPORT_PNG;
  else if (g_str_equal (ext, "svg"))
    *format = QVIZ_EXPORT_SVG;
  else if (g_str_equal (ext, "pdf"))
    *format = QVIZ_EXPORT_PDF;
  else
    return FALSE;
  return TRUE;
}

const char *
qviz_export_format_get_extension (QvizExportFormat format)
{
  switch (format)
    {
    case QVIZ_EXPORT_PNG: return "png";
    case QVIZ_EXPORT_SVG: return "svg";
    case QVIZ_EXPORT_PDF: return "pdf";
    case QVIZ_EXPORT_AUTO:
    default: return NULL;
    }
}

typedef struct {
  GByteArray *svg;   /* an SVG document is kept to add its text at the end */
  FILE *file;
  int   saved_errno;
} WriteClosure;

static cairo_status_t
write_to_file (void                *closure,
               const unsigned char *data,
               unsigned int         length)
{
  WriteClosure *wc = closure;

  if (wc->svg != NULL)
    {
      g_byte_array_append (wc->svg, data, length);
      return CAIRO_STATUS_SUCCESS;
    }
  if (length > 0 && fwrite (data, 1, length, wc->file) != length)
    {
      if (wc->saved_errno == 0)
        wc->saved_errno = errno != 0 ? errno : EIO;
      return CAIRO_STATUS_WRITE_ERROR;
    }
  return CAIRO_STATUS_SUCCESS;
}

static void
set_io_error (GError     **error,
              const char  *filename,
              int          saved_errno)
{
  g_autofree char *display = g_filename_display_name (filename);

  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               /* TRANSLATORS: a file name, then why it could not be written. */
               _("Could not write “%s”: %s"), display, g_strerror (saved_errno));
}

/* cairo writes SVG text as glyph outlines; the text kept aside goes in as
 * <text> elements before the document's end, drawn over the rest. */
static cairo_status_t
write_svg_with_text (WriteClosure *wc,
                     const char   *text)
{
  GByteArray *svg = wc->svg;
  gsize end = svg->len;
  cairo_status_t status;
  static const char close_tag[] = "</svg>";

  wc->svg = NULL;
  for (gsize i = svg->len >= sizeof close_tag - 1 ? svg->len - (sizeof close_tag - 1) + 1 : 0; i-- > 0;)
    if (memcmp (svg->data + i, close_tag, sizeof close_tag - 1) == 0)
      {
        end = i;
        break;
      }
  status = write_to_file (wc, svg->data, (unsigned int) end);
  if (status == CAIRO_STATUS_SUCCESS && text[0] != '\0')
    status = write_to_file (wc, (const unsigned char *) text, (unsigned int) strlen (text));
  if (status == CAIRO_STATUS_SUCCESS)
    status = write_to_file (wc, svg->data + end, (unsigned int) (svg->len - end));
  g_byte_array_unref (svg);
  return status;
}

typedef struct {
  const char   *title;
  const char   *context;
  QvizPaintFunc paint;
  gpointer      painter;
} Titled;

/* A layout whose text fits max_width: the font shrinks down to 60% before
 * the text is cut, so that a narrow chart keeps its whole title. */
static PangoLayout *
fitted_layout (cairo_t              *cr,
               const QvizChartStyle *style,
               double                scale,
               gboolean              bold,
               const char           *text,
               double                max_width)
{
  PangoLayout *layout = qviz_chart_layout_new (cr, style, scale, bold);
  double w = 0;

  if (text == NULL)
    return layout;
  qviz_chart_text_size (layout, text, &w, NULL);
  if (w > max_width && max_width > 0)
    {
      g_object_unref (layout);
      layout = qviz_chart_layout_new (cr, style, MAX (scale * 0.6, scale * max_width / w * 0.98), bold);
    }
  return layout;
}

/* A title and a line of context above the chart, which gets the rest. */
static void
paint_titled (gpointer  data,
              cairo_t  *cr,
              double    width,
              double    height)
{
  const Titled *t = data;
  const QvizChartStyle *style = qviz_chart_style_get_light ();
  g_autoptr (PangoLayout) title = fitted_layout (cr, style, 1.35, TRUE, t->title, width - 24);
  g_autoptr (PangoLayout) context = fitted_layout (cr, style, 0.95, FALSE, t->context, width - 24);

  cairo_save (cr);
  qviz_chart_set_source (cr, &style->background);
  cairo_rectangle (cr, 0, 0, width, HEADER_HEIGHT);
  cairo_fill (cr);
  qviz_chart_draw_text (cr, title, t->title, 12, 10, QVIZ_ALIGN_START, QVIZ_ALIGN_START,
                        width - 24, &style->foreground);
  if (t->context != NULL)
    qviz_chart_draw_text (cr, context, t->context, 12, 36, QVIZ_ALIGN_START, QVIZ_ALIGN_START,
                          width - 24, &style->muted);
  cairo_restore (cr);
  cairo_save (cr);
  cairo_translate (cr, 0, HEADER_HEIGHT);
  cairo_rectangle (cr, 0, 0, width, height - HEADER_HEIGHT);
  cairo_clip (cr);
  t->paint (t->painter, cr, width, height - HEADER_HEIGHT);
  cairo_restore (cr);
}

gboolean
qviz_export_to_file_titled (const char        *filename,
                            QvizExportFormat   format,
                            double             width,
                            double             height,
                            const char        *title,
                            const char        *context,
                            QvizPaintFunc      paint,
                            gpointer           painter,
                            GError           **error)
{
  Titled t = { title, context, paint, painter };

  g_return_val_if_fail (paint != NULL, FALSE);

  if (title == NULL || title[0] == '\0')
    return qviz_export_to_file (filename, format, width, height, paint, painter, error);
  return qviz_export_to_file (filename, format, width, height + HEADER_HEIGHT,
                              paint_titled, &t, error);
}

gboolean
qviz_export_to_file (const char        *filename,
                     QvizExportFormat   format,
                     double             width,
                     double             height,
                     QvizPaintFunc      paint,
                     gpointer           painter,
                     GError           **error)
{
  g_autofree char *display = NULL;
  g_autofree char *tmp_path = NULL;
  WriteClosure wc = { NULL, NULL, 0 };
  g_autofree char *svg_text = NULL;
  cairo_surface_t *surface = NULL;
  cairo_status_t status;
  cairo_t *cr;
  int fd;

  g_return_val_if_fail (filename != NULL, FALSE);
  g_return_val_if_fail (paint != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  display = g_filename_display_name (filename);

  if (format == QVIZ_EXPORT_AUTO && !qviz_export_format_from_filename (filename, &format))
    {
      g_set_error (error, QVIZ_EXPORT_ERROR, QVIZ_EXPORT_ERROR_UNKNOWN_FORMAT,
                   _("Cannot tell the export format of “%s”: use a .png, .svg or .pdf name."),
                   display);
      return FALSE;
    }
  if (!(width >= 1 && height >= 1 && width <= 32767 && height <= 32767))
    {
      g_set_error (error, QVIZ_EXPORT_ERROR, QVIZ_EXPORT_ERROR_INVALID_SIZE,
                   /* TRANSLATORS: a file name, then the width and height asked
                    * for, in pixels or points. */
                   _("Cannot export “%s” at %g x %g: each side must be between 1 and 32767."),
                   display, width, height);
      return FALSE;
    }

  tmp_path = g_strdup_printf ("%s.XXXXXX", filename);
  fd = g_mkstemp (tmp_path);
  if (fd < 0)
    {
      set_io_error (error, filename, errno);
      return FALSE;
    }
  wc.file = fdopen (fd, "wb");
  if (wc.file == NULL)
    {
      int saved = errno;
      close (fd);
      g_unlink (tmp_path);
      set_io_error (error, filename, saved);
      return FALSE;
    }

  switch (format)
    {
    case QVIZ_EXPORT_PNG:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width), (int) ceil (height));
      break;
    case QVIZ_EXPORT_SVG:
      wc.svg = g_byte_array_new ();
      surface = cairo_svg_surface_create_for_stream (write_to_file, &wc, width, height);
      cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PX);
      qviz_chart_svg_text_begin (surface);
      break;
    case QVIZ_EXPORT_PDF:
      surface = cairo_pdf_surface_create_for_stream (write_to_file, &wc, width, height);
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "qviz");
      break;
    case QVIZ_EXPORT_AUTO:
    default:
      g_assert_not_reached ();
    }

  cr = cairo_create (surface);
  paint (painter, cr, width, height);
  status = cairo_status (cr);
  cairo_destroy (cr);

  if (status == CAIRO_STATUS_SUCCESS)
    {
      if (format == QVIZ_EXPORT_PNG)
        status = cairo_surface_write_to_png_stream (surface, write_to_file, &wc);
      else
        {
          if (format == QVIZ_EXPORT_SVG)
            svg_text = qviz_chart_svg_text_end (surface);
          cairo_surface_finish (surface);
          status = cairo_surface_status (surface);
          if (status == CAIRO_STATUS_SUCCESS && wc.svg != NULL)
            status = write_svg_with_text (&wc, svg_text);
        }
    }
  cairo_surface_destroy (surface);
  g_clear_pointer (&wc.svg, g_byte_array_unref);

  if (fclose (wc.file) != 0 && wc.saved_errno == 0)
    wc.saved_errno = errno;

  if (status != CAIRO_STATUS_SUCCESS || wc.saved_errno != 0)
    {
      g_unlink (tmp_path);
      if (wc.saved_errno != 0)
        set_io_error (error, filename, wc.saved_errno);
      else
        g_set_error (error, QVIZ_EXPORT_ERROR, QVIZ_EXPORT_ERROR_RENDER,
                     /* TRANSLATORS: a file name, then cairo's reason. */
                     _("Could not draw “%s”: %s"), display, cairo_status_to_string (status));
      return FALSE;
    }

  /* mkstemp creates 0600; an exported chart is an ordinary document. */
  {
    mode_t mask = umask (0);
    umask (mask);
    g_chmod (tmp_path, 0666 & ~mask);
  }

  if (g_rename (tmp_path, filename) != 0)
    {
      int saved = errno;
      g_unlink (tmp_path);
      set_io_error (error, filename, saved);
      return FALSE;
    }
  return TRUE;
}
