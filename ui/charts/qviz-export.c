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

G_DEFINE_QUARK (qviz-export-error-quark, qviz_export_error)

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
  FILE *file;
  int   saved_errno;
} WriteClosure;

static cairo_status_t
write_to_file (void                *closure,
               const unsigned char *data,
               unsigned int         length)
{
  WriteClosure *wc = closure;

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
  WriteClosure wc = { NULL, 0 };
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
      surface = cairo_svg_surface_create_for_stream (write_to_file, &wc, width, height);
      cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PX);
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
          cairo_surface_finish (surface);
          status = cairo_surface_status (surface);
        }
    }
  cairo_surface_destroy (surface);

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
