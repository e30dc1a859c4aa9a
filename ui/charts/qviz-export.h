/* qviz-export.h: any painter to a PNG, SVG or PDF file, without a display. */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

#define QVIZ_EXPORT_ERROR (qviz_export_error_quark ())

typedef enum {
  QVIZ_EXPORT_ERROR_UNKNOWN_FORMAT,
  QVIZ_EXPORT_ERROR_INVALID_SIZE,
  QVIZ_EXPORT_ERROR_RENDER,
} QvizExportError;

typedef enum {
  QVIZ_EXPORT_AUTO, /* from the file name's extension */
  QVIZ_EXPORT_PNG,
  QVIZ_EXPORT_SVG,
  QVIZ_EXPORT_PDF,
} QvizExportFormat;

/* Every painter's paint function has this shape with its own type as the
 * first argument; QVIZ_PAINT_FUNC casts one to it. */
typedef void (*QvizPaintFunc) (gpointer  painter,
                               cairo_t  *cr,
                               double    width,
                               double    height);
#define QVIZ_PAINT_FUNC(f) ((QvizPaintFunc) (void (*) (void)) (f))

GQuark      qviz_export_error_quark          (void);
gboolean    qviz_export_format_from_filename (const char       *filename,
                                              QvizExportFormat *format);
const char *qviz_export_format_get_extension (QvizExportFormat  format);
gboolean    qviz_export_to_file              (const char       *filename,
                                              QvizExportFormat  format,
                                              double            width,
                                              double            height,
                                              QvizPaintFunc     paint,
                                              gpointer          painter,
                                              GError          **error);

/* The same with a title and a line of context (model, machine, what is
 * shown) above the chart; width x height is the chart's own size. */
gboolean    qviz_export_to_file_titled       (const char       *filename,
                                              QvizExportFormat  format,
                                              double            width,
                                              double            height,
                                              const char       *title,
                                              const char       *context,
                                              QvizPaintFunc     paint,
                                              gpointer          painter,
                                              GError          **error);

G_END_DECLS
