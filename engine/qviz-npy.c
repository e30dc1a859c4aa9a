/* qviz-npy.c: the .npy format, version 1 to 3 headers. */

#include "qviz-npy.h"

#include <stdlib.h>
#include <string.h>

static gboolean
parse_header (const char *path, const char *header, gboolean *is_f64,
              QvizShape *shape, GError **error)
{
  const char *descr = strstr (header, "'descr'");
  const char *order = strstr (header, "'fortran_order'");
  const char *sh = strstr (header, "'shape'");
  const char *p;

  if (descr == NULL || order == NULL || sh == NULL)
    goto bad;
  p = strchr (descr + 7, '\'');
  if (p == NULL)
    goto bad;
  if (g_str_has_prefix (p, "'<f4'") || g_str_has_prefix (p, "'=f4'"))
    *is_f64 = FALSE;
  else if (g_str_has_prefix (p, "'<f8'") || g_str_has_prefix (p, "'=f8'"))
    *is_f64 = TRUE;
  else
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: the array's type is not little-endian float32 or float64.", path);
      return FALSE;
    }
  if (strstr (order, "True") != NULL && strstr (order, "True") < sh)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: Fortran-ordered arrays are not supported; save a C-ordered array.",
                   path);
      return FALSE;
    }
  p = strchr (sh, '(');
  if (p == NULL)
    goto bad;
  p++;
  memset (shape, 0, sizeof *shape);
  while (*p && *p != ')')
    {
      char *end;
      gint64 d;

      while (*p == ' ' || *p == ',')
        p++;
      if (*p == ')')
        break;
      d = g_ascii_strtoll (p, &end, 10);
      if (end == p || d < 0 || shape->rank >= QVIZ_MAX_RANK)
        goto bad;
      shape->dims[shape->rank++] = d;
      p = end;
    }
  if (*p != ')')
    goto bad;
  return TRUE;

bad:
  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
               "%s: the .npy header is malformed.", path);
  return FALSE;
}

float *
qviz_npy_read (const char *path, QvizShape *shape, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL && shape != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, NULL))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_IO, "%s: cannot read the file.", path);
      return NULL;
    }
  return qviz_npy_parse (path, contents, len, shape, error);
}

float *
qviz_npy_parse (const char *path, const char *contents, gsize len, QvizShape *shape,
                GError **error)
{
  gsize header_len, offset, count;
  guint64 bytes;
  g_autofree char *header = NULL;
  gboolean is_f64 = FALSE;
  float *data;

  g_return_val_if_fail (path != NULL && shape != NULL, NULL);
  g_return_val_if_fail (contents != NULL || len == 0, NULL);

  if (len < 10 || memcmp (contents, "\x93NUMPY", 6) != 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE, "%s is not a .npy file.", path);
      return NULL;
    }
  if ((guint8) contents[6] == 1)
    {
      header_len = (guint8) contents[8] | ((gsize) (guint8) contents[9] << 8);
      offset = 10;
    }
  else if (len >= 12 && ((guint8) contents[6] == 2 || (guint8) contents[6] == 3))
    {
      header_len = (guint8) contents[8] | ((gsize) (guint8) contents[9] << 8) |
                   ((gsize) (guint8) contents[10] << 16) | ((gsize) (guint8) contents[11] << 24);
      offset = 12;
    }
  else
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: .npy format version %d is not supported.", path, contents[6]);
      return NULL;
    }
  if (header_len > len - offset)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE, "%s: the file is truncated.", path);
      return NULL;
    }
  header = g_strndup (contents + offset, header_len);
  if (!parse_header (path, header, &is_f64, shape, error))
    return NULL;
  if (!qviz_shape_bytes_checked (shape, is_f64 ? 8 : 4, &bytes))
    {
      g_autofree char *str = qviz_shape_to_string (shape);

      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                   "%s: the header declares an array of shape %s, larger than qviz "
                   "can hold.", path, str);
      return NULL;
    }
  count = (gsize) qviz_shape_numel (shape);
  offset += header_len;
  if (len - offset < bytes)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                   "%s: the file is truncated (%" G_GSIZE_FORMAT " values expected).",
                   path, count);
      return NULL;
    }
  data = g_new (float, MAX (count, 1));
  if (is_f64)
    for (gsize i = 0; i < count; i++)
      {
        double d;
        memcpy (&d, contents + offset + i * 8, 8);
        data[i] = (float) d;
      }
  else
    memcpy (data, contents + offset, count * 4);
  return data;
}

gboolean
qviz_npy_write (const char *path, const float *data, const QvizShape *shape,
                GError **error)
{
  g_autoptr (GString) header = g_string_new ("{'descr': '<f4', 'fortran_order': False, 'shape': (");
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  g_autoptr (GError) local = NULL;
  gsize total;
  guint8 preamble[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };

  g_return_val_if_fail (path != NULL && data != NULL && shape != NULL, FALSE);

  for (int i = 0; i < shape->rank; i++)
    g_string_append_printf (header, "%" G_GINT64_FORMAT "%s", shape->dims[i],
                            shape->rank == 1 || i + 1 < shape->rank ? ", " : "");
  g_string_append (header, "), }");
  /* Pad so the data starts on a 64-byte boundary, newline last. */
  total = 10 + header->len + 1;
  while (total % 64 != 0)
    {
      g_string_append_c (header, ' ');
      total++;
    }
  g_string_append_c (header, '\n');
  preamble[8] = (guint8) (header->len & 0xff);
  preamble[9] = (guint8) (header->len >> 8);
  g_byte_array_append (bytes, preamble, 10);
  g_byte_array_append (bytes, (const guint8 *) header->str, header->len);
  g_byte_array_append (bytes, (const guint8 *) data,
                       (guint) (qviz_shape_numel (shape) * sizeof (float)));
  if (!g_file_set_contents (path, (const char *) bytes->data, bytes->len, &local))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_IO, "%s: cannot write the file (%s).",
                   path, local->message);
      return FALSE;
    }
  return TRUE;
}
