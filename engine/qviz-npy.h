/* qviz-npy.h: reading and writing NumPy .npy files of float32, the format
 * PyTorch users keep tensors in. */
#pragma once

#include <glib.h>
#include "qviz-graph.h"

G_BEGIN_DECLS

/* Reads a little-endian float32 (or float64, converted) C-order array.
 * Returns the data (g_free) and its shape. */
float    *qviz_npy_read  (const char *path, QvizShape *shape, GError **error);
/* The same from bytes in memory; path only names them in messages. */
float    *qviz_npy_parse (const char *path, const char *contents, gsize len,
                          QvizShape *shape, GError **error);
/* Writes data of the given shape as a float32 C-order .npy; the file
 * appears whole or not at all. */
gboolean  qviz_npy_write (const char *path, const float *data,
                          const QvizShape *shape, GError **error);

G_END_DECLS
