/* qviz-onnx.c: reading an ONNX file -- the protobuf, tensors (inline and
 * external), the graph's input and outputs, and the quantization parameters
 * the file carries.  Operators are mapped in qviz-onnx-ops.c. */

#include "qviz-onnx-private.h"

#include <math.h>
#include <string.h>

#define ONNX_OPSET_MIN 7
#define ONNX_OPSET_MAX 18
/* Largest tensor (in elements) a file may declare; guards size arithmetic. */
#define ONNX_MAX_ELEMENTS ((gsize) 1 << 31)

/* ---- symbols -------------------------------------------------------------- */

static void
sym_free (Sym *s)
{
  if (s == NULL)
    return;
  g_free (s->f);
  g_free (s->i);
  g_free (s->wscales);
  g_free (s->e);
  g_free (s);
}

Sym *
onnx_sym_new (OnnxCtx *ctx, SymKind kind)
{
  Sym *s = g_new0 (Sym, 1);

  s->kind = kind;
  s->rank = -1;
  s->value = -1;
  s->graph_value = -1;
  for (int d = 0; d < QVIZ_MAX_RANK; d++)
    s->dims[d] = -1;
  g_ptr_array_add (ctx->all_syms, s);
  return s;
}

gboolean
onnx_bind (OnnxCtx *ctx, const char *name, Sym *s, GError **error)
{
  if (name == NULL || name[0] == '\0')
    return TRUE; /* an output nobody may read */
  if (g_hash_table_contains (ctx->syms, name))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                   "%s: tensor '%s' is defined more than once.", ctx->file, name);
      return FALSE;
    }
  g_hash_table_insert (ctx->syms, g_strdup (name), s);
  return TRUE;
}

gboolean
onnx_has_input (const OnnxNode *node, int input)
{
  return input < (int) node->n_input && node->input[input] != NULL &&
         node->input[input][0] != '\0';
}

Sym *
onnx_lookup (OnnxCtx *ctx, const OnnxNode *node, int input, GError **error)
{
  Sym *s;
  g_autofree char *nn = NULL;

  if (!onnx_has_input (node, input))
    {
      nn = onnx_node_name (node, -1);
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                   "%s: node '%s' (%s) lacks its input %d.", ctx->file, nn,
                   node->op_type, input + 1);
      return NULL;
    }
  s = g_hash_table_lookup (ctx->syms, node->input[input]);
  if (s == NULL)
    {
      nn = onnx_node_name (node, -1);
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                   "%s: node '%s' reads '%s', which no earlier node produces.",
                   ctx->file, nn, node->input[input]);
    }
  return s;
}

/* "/backbone/features.13/block/0/0/Conv" -> "backbone/features.13/block/0/0/Conv";
 * an unnamed node is "<OpType>_<index>" (index -1: "<OpType>"). */
char *
onnx_node_name (const OnnxNode *node, int index)
{
  const char *name = node->name;

  while (name != NULL && name[0] == '/')
    name++;
  if (name != NULL && name[0] != '\0')
    return g_strdup (name);
  if (index < 0)
    return g_strdup (node->op_type ? node->op_type : "node");
  return g_strdup_printf ("%s_%d", node->op_type ? node->op_type : "node", index);
}

/* Graph value names must be unique: the second "x" becomes "x_1". */
char *
onnx_unique_name (OnnxCtx *ctx, const char *name)
{
  /* value_names maps each name taken to the next suffix to try after it:
   * thousands of nodes of one name take theirs in linear time. */
  guint k = GPOINTER_TO_UINT (g_hash_table_lookup (ctx->value_names, name));
  char *candidate;

  if (k == 0)
    {
      g_hash_table_insert (ctx->value_names, g_strdup (name), GUINT_TO_POINTER (1));
      return g_strdup (name);
    }
  for (candidate = g_strdup_printf ("%s_%u", name, k);
       g_hash_table_contains (ctx->value_names, candidate);
       candidate = g_strdup_printf ("%s_%u", name, k))
    {
      g_free (candidate);
      k++;
    }
  g_hash_table_insert (ctx->value_names, g_strdup (name), GUINT_TO_POINTER (k + 1));
  g_hash_table_insert (ctx->value_names, g_strdup (candidate), GUINT_TO_POINTER (1));
  return candidate;
}

int
onnx_const_value (OnnxCtx *ctx, Sym *s, const char *name)
{
  QvizShape shape = { 0 };
  float *data;
  g_autofree char *vname = NULL;

  g_assert (s->kind == SYM_CONST);
  if (s->graph_value >= 0)
    return s->graph_value;
  data = g_new (float, MAX (s->n, 1));
  for (gsize k = 0; k < s->n; k++)
    data[k] = s->f ? s->f[k] : (float) s->i[k];
  shape.rank = s->rank;
  for (int d = 0; d < s->rank; d++)
    shape.dims[d] = s->dims[d];
  vname = onnx_unique_name (ctx, name);
  s->graph_value = qviz_graph_add_value (ctx->g, vname, data, &shape);
  return s->graph_value;
}

/* Counts n more elements of computed constants against the file's budget. */
gboolean
onnx_charge_made (OnnxCtx *ctx, gsize n, const char *node_name, const char *op,
                  GError **error)
{
  gsize limit = ONNX_MADE_BASE_ELEMENTS + MIN (ctx->file_elements, G_MAXSIZE / 8) * 4;

  if (n > limit || ctx->made_elements > limit - n)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: node '%s' (%s): the constants computed while loading would pass "
                   "%" G_GSIZE_FORMAT " elements (2^22 plus four times the %" G_GSIZE_FORMAT
                   " of the file's own tensors), which is not supported.",
                   ctx->file, node_name, op, limit, ctx->file_elements);
      return FALSE;
    }
  ctx->made_elements += n;
  return TRUE;
}

int
onnx_operand_value (OnnxCtx *ctx, Sym *s, const char *name, const char *node_name,
                    GError **error)
{
  switch (s->kind)
    {
    case SYM_VALUE:
      return s->value;
    case SYM_CONST:
      return onnx_const_value (ctx, s, name);
    case SYM_SHAPE:
      {
        Sym *c;
        for (int k = 0; k < s->n_e; k++)
          if (s->e[k].known < 0)
            {
              g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                           "%s: node '%s' computes with the input's size ('%s') at run "
                           "time, which is not supported.", ctx->file, node_name, name);
              return -1;
            }
        /* A shape known at load time is an ordinary constant. */
        c = onnx_sym_new (ctx, SYM_CONST);
        c->rank = s->scalar ? 0 : 1;
        c->dims[0] = s->n_e;
        c->n = (gsize) s->n_e;
        c->i = g_new (int64_t, MAX (s->n_e, 1));
        for (int k = 0; k < s->n_e; k++)
          c->i[k] = s->e[k].known;
        return onnx_const_value (ctx, c, name);
      }
    case SYM_SKIP:
    default:
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: node '%s' reads '%s', which was folded into another node.",
                   ctx->file, node_name, name);
      return -1;
    }
}

/* ---- attributes ------------------------------------------------------------- */

const OnnxAttr *
onnx_attr (const OnnxNode *node, const char *name)
{
  for (gsize k = 0; k < node->n_attribute; k++)
    if (node->attribute[k]->name != NULL && strcmp (node->attribute[k]->name, name) == 0)
      return node->attribute[k];
  return NULL;
}

int64_t
onnx_attr_int (const OnnxNode *node, const char *name, int64_t dflt)
{
  const OnnxAttr *a = onnx_attr (node, name);
  return a != NULL && a->has_i ? a->i : dflt;
}

float
onnx_attr_float (const OnnxNode *node, const char *name, float dflt)
{
  const OnnxAttr *a = onnx_attr (node, name);
  return a != NULL && a->has_f ? a->f : dflt;
}

char *
onnx_attr_string (const OnnxNode *node, const char *name, const char *dflt)
{
  const OnnxAttr *a = onnx_attr (node, name);
  if (a == NULL || !a->has_s)
    return g_strdup (dflt);
  return g_strndup ((const char *) a->s.data, a->s.len);
}

int
onnx_attr_ints (const OnnxNode *node, const char *name, int64_t *out, int max)
{
  const OnnxAttr *a = onnx_attr (node, name);

  if (a == NULL)
    return -1;
  for (gsize k = 0; k < a->n_ints && (int) k < max; k++)
    out[k] = a->ints[k];
  return (int) MIN (a->n_ints, (gsize) G_MAXINT);
}

/* ---- tensors ---------------------------------------------------------------- */

static const char *
type_name (int t)
{
  static const char *const names[] = {
    "undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64",
    "string", "bool", "float16", "double", "uint32", "uint64", "complex64",
    "complex128", "bfloat16",
  };
  return t >= 0 && t < (int) G_N_ELEMENTS (names) ? names[t] : "unknown";
}

static int
type_size (int t)
{
  switch (t)
    {
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT32:
      return 4;
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__BOOL:
      return 1;
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT16:
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT16:
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16:
      return 2;
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT64:
      return 8;
    default:
      return 0;
    }
}

static float
half_to_float (guint16 h)
{
  int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;

  if (exp == 0)
    v = ldexpf ((float) mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = ldexpf ((float) (mant | 0x400), exp - 25);
  return sign ? -v : v;
}

/* Element k of little-endian raw bytes of type t, as a double. */
static double
raw_element (const guint8 *p, int t, gsize k)
{
  switch (t)
    {
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
      {
        guint32 u = (guint32) p[4 * k] | (guint32) p[4 * k + 1] << 8 |
                    (guint32) p[4 * k + 2] << 16 | (guint32) p[4 * k + 3] << 24;
        float f;
        memcpy (&f, &u, 4);
        return f;
      }
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
      {
        guint64 u = 0;
        double d;
        for (int b = 7; b >= 0; b--)
          u = (u << 8) | p[8 * k + b];
        memcpy (&d, &u, 8);
        return d;
      }
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16:
      return half_to_float ((guint16) (p[2 * k] | p[2 * k + 1] << 8));
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__BOOL:
      return p[k];
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
      return (gint8) p[k];
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT16:
      return (guint16) (p[2 * k] | p[2 * k + 1] << 8);
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT16:
      return (gint16) (p[2 * k] | p[2 * k + 1] << 8);
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
      return (gint32) ((guint32) p[4 * k] | (guint32) p[4 * k + 1] << 8 |
                       (guint32) p[4 * k + 2] << 16 | (guint32) p[4 * k + 3] << 24);
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT32:
      return (guint32) ((guint32) p[4 * k] | (guint32) p[4 * k + 1] << 8 |
                        (guint32) p[4 * k + 2] << 16 | (guint32) p[4 * k + 3] << 24);
    default:
      return 0;
    }
}

/* Integer element k of little-endian raw bytes (int64 / uint64 exactly). */
static int64_t
raw_int (const guint8 *p, int t, gsize k)
{
  if (t == QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT64 ||
      t == QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT64)
    {
      guint64 u = 0;
      for (int b = 7; b >= 0; b--)
        u = (u << 8) | p[8 * k + b];
      return (int64_t) u;
    }
  return (int64_t) raw_element (p, t, k);
}

/* How many elements the typed (not raw) field of type t holds. */
static gsize
typed_count (const OnnxTensor *t, int type)
{
  switch (type)
    {
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
      return t->n_float_data;
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
      return t->n_double_data;
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
      return t->n_int64_data;
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT32:
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT64:
      return t->n_uint64_data;
    default:
      return t->n_int32_data;
    }
}

static gboolean
is_float_type (int t)
{
  return t == QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT ||
         t == QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE ||
         t == QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
}

/* Reads an external tensor's bytes from a file beside the model. */
static GBytes *
read_external (OnnxCtx *ctx, const OnnxTensor *t, const char *tname, GError **error)
{
  const char *location = NULL;
  gint64 offset = 0, length = -1;
  g_autofree char *path = NULL;
  g_autoptr (GMappedFile) mf = NULL;
  g_autoptr (GError) local = NULL;
  gsize size;

  for (gsize k = 0; k < t->n_external_data; k++)
    {
      const QvizOnnx__StringStringEntryProto *e = t->external_data[k];
      if (e->key == NULL || e->value == NULL)
        continue;
      if (strcmp (e->key, "location") == 0)
        location = e->value;
      else if (strcmp (e->key, "offset") == 0)
        offset = g_ascii_strtoll (e->value, NULL, 10);
      else if (strcmp (e->key, "length") == 0)
        length = g_ascii_strtoll (e->value, NULL, 10);
    }
  if (location == NULL || location[0] == '\0')
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                   "%s: tensor '%s' is stored externally but names no file.",
                   ctx->file, tname);
      return NULL;
    }
  {
    g_auto (GStrv) parts = g_strsplit_set (location, "/\\", -1);
    gboolean escapes = g_path_is_absolute (location);
    for (int k = 0; parts[k] != NULL; k++)
      if (strcmp (parts[k], "..") == 0)
        escapes = TRUE;
    if (escapes)
      {
        g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                     "%s: tensor '%s' points outside the model's folder ('%s'); "
                     "refusing to read it.", ctx->file, tname, location);
        return NULL;
      }
  }
  if (ctx->base_dir == NULL)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_IO,
                   "%s: tensor '%s' is stored in '%s', but the model was not read "
                   "from a folder.", ctx->file, tname, location);
      return NULL;
    }
  path = g_build_filename (ctx->base_dir, location, NULL);
  mf = g_mapped_file_new (path, FALSE, &local);
  if (mf == NULL)
    {
      /* One sentence: GLib's message would repeat the path. */
      const char *why = g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                          ? "which does not exist"
                        : g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_ACCES)
                          ? "which may not be read (permission denied)"
                        : g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_ISDIR)
                          ? "which is a folder"
                          : "which cannot be read";
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_IO,
                   "%s: tensor '%s' is stored in the external data file '%s', %s.",
                   ctx->file, tname, path, why);
      return NULL;
    }
  size = g_mapped_file_get_length (mf);
  if (offset < 0 || (guint64) offset > size ||
      (length >= 0 && (guint64) length > size - (guint64) offset))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                   "%s: external data file '%s' is too short for tensor '%s'.",
                   ctx->file, path, tname);
      return NULL;
    }
  if (length < 0)
    length = (gint64) (size - (gsize) offset);
  return g_bytes_new ((const guint8 *) g_mapped_file_get_contents (mf) + offset,
                      (gsize) length);
}

Sym *
onnx_tensor_to_sym (OnnxCtx *ctx, const OnnxTensor *t, GError **error)
{
  const char *tname = t->name ? t->name : "(unnamed)";
  int type = t->has_data_type ? t->data_type : 0;
  gsize n = 1, esize;
  Sym *s;
  g_autoptr (GBytes) ext = NULL;
  const guint8 *raw = NULL;
  gsize raw_len = 0;

  if (t->n_dims > QVIZ_MAX_RANK)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: tensor '%s' has %zu dimensions; at most %d are supported.",
                   ctx->file, tname, t->n_dims, QVIZ_MAX_RANK);
      return NULL;
    }
  for (gsize d = 0; d < t->n_dims; d++)
    {
      if (t->dims[d] < 0 || (t->dims[d] > 0 && n > ONNX_MAX_ELEMENTS / (gsize) t->dims[d]))
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                       "%s: tensor '%s' has an invalid size.", ctx->file, tname);
          return NULL;
        }
      n *= (gsize) t->dims[d];
    }
  esize = (gsize) type_size (type);
  if (esize == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: tensor '%s' has element type %s, which is not supported.",
                   ctx->file, tname, type_name (type));
      return NULL;
    }

  if (t->has_data_location && t->data_location == QVIZ_ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
    {
      ext = read_external (ctx, t, tname, error);
      if (ext == NULL)
        return NULL;
      raw = g_bytes_get_data (ext, &raw_len);
      if (raw == NULL)
        raw = (const guint8 *) "";
    }
  else if (t->has_raw_data)
    {
      raw = t->raw_data.data ? t->raw_data.data : (const guint8 *) "";
      raw_len = t->raw_data.len;
    }

  /* Check the amount of data before allocating anything for it. */
  if (raw != NULL ? raw_len != n * esize : typed_count (t, type) != n)
    goto size_mismatch;

  s = onnx_sym_new (ctx, SYM_CONST);
  s->rank = (int) t->n_dims;
  for (gsize d = 0; d < t->n_dims; d++)
    s->dims[d] = t->dims[d];
  s->n = n;
  ctx->file_elements += n;
  s->onnx_type = type;
  if (is_float_type (type))
    s->f = g_new (float, MAX (n, 1));
  else
    s->i = g_new (int64_t, MAX (n, 1));

  if (raw != NULL)
    {
      for (gsize k = 0; k < n; k++)
        {
          if (s->f)
            s->f[k] = (float) raw_element (raw, type, k);
          else
            s->i[k] = raw_int (raw, type, k);
        }
      return s;
    }

  switch (type)
    {
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
      if (t->n_float_data != n)
        goto size_mismatch;
      if (n > 0) /* float_data is NULL for an empty tensor */
        memcpy (s->f, t->float_data, n * sizeof (float));
      break;
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
      if (t->n_double_data != n)
        goto size_mismatch;
      for (gsize k = 0; k < n; k++)
        s->f[k] = (float) t->double_data[k];
      break;
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
      if (t->n_int64_data != n)
        goto size_mismatch;
      if (n > 0)
        memcpy (s->i, t->int64_data, n * sizeof (int64_t));
      break;
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT32:
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT64:
      if (t->n_uint64_data != n)
        goto size_mismatch;
      for (gsize k = 0; k < n; k++)
        s->i[k] = (int64_t) t->uint64_data[k];
      break;
    case QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16:
      if (t->n_int32_data != n)
        goto size_mismatch;
      for (gsize k = 0; k < n; k++)
        s->f[k] = half_to_float ((guint16) t->int32_data[k]);
      break;
    default: /* int8, uint8, int16, uint16, int32, bool */
      if (t->n_int32_data != n)
        goto size_mismatch;
      for (gsize k = 0; k < n; k++)
        s->i[k] = t->int32_data[k];
      break;
    }
  return s;

size_mismatch:
  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
               "%s: tensor '%s' holds a different amount of data than its %zu "
               "elements of %s.", ctx->file, tname, n, type_name (type));
  return NULL;
}

/* ---- the model ------------------------------------------------------------ */

static gboolean
check_opsets (OnnxCtx *ctx, const OnnxModel *m, GError **error)
{
  ctx->opset = -1;
  for (gsize k = 0; k < m->n_opset_import; k++)
    {
      const QvizOnnx__OperatorSetIdProto *o = m->opset_import[k];
      if (o->domain == NULL || o->domain[0] == '\0' || strcmp (o->domain, "ai.onnx") == 0)
        ctx->opset = o->has_version ? (int) CLAMP (o->version, -1, G_MAXINT) : 1;
    }
  if (ctx->opset < 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: the model declares no ONNX operator set version.", ctx->file);
      return FALSE;
    }
  if (ctx->opset < ONNX_OPSET_MIN || ctx->opset > ONNX_OPSET_MAX)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: ONNX opset %d is not supported; qviz reads opsets %d to %d.",
                   ctx->file, ctx->opset, ONNX_OPSET_MIN, ONNX_OPSET_MAX);
      return FALSE;
    }
  return TRUE;
}

/* One group of unsupported nodes: their operator, how many, the first
 * names. */
typedef struct {
  char *op;
  int count;
  GString *names;
} UnknownOp;

static void
unknown_op_free (gpointer p)
{
  UnknownOp *u = p;
  g_free (u->op);
  g_string_free (u->names, TRUE);
  g_free (u);
}

/* "3 unsupported operators: Pad x2 (a/Pad, b/Pad), Erf (c/Erf)": grouped by
 * operator in the order they first appear, with at most three node names
 * each, so that a large model gives a message that can be read. */
static gboolean
check_operators (OnnxCtx *ctx, const OnnxGraph *graph, GError **error)
{
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func (unknown_op_free);
  g_autoptr (GString) list = g_string_new (NULL);
  int count = 0;

  for (gsize k = 0; k < graph->n_node; k++)
    {
      const OnnxNode *node = graph->node[k];
      g_autofree char *nn = NULL, *op = NULL;
      UnknownOp *u = NULL;

      if (node->op_type == NULL)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                       "%s: node %zu has no operator type.", ctx->file, k);
          return FALSE;
        }
      if (onnx_op_is_known (node))
        continue;
      nn = onnx_node_name (node, (int) k);
      op = node->domain && node->domain[0] && strcmp (node->domain, "ai.onnx") != 0
             ? g_strconcat (node->domain, ".", node->op_type, NULL)
             : g_strdup (node->op_type);
      for (guint j = 0; j < groups->len && u == NULL; j++)
        if (strcmp (((UnknownOp *) groups->pdata[j])->op, op) == 0)
          u = groups->pdata[j];
      if (u == NULL)
        {
          u = g_new0 (UnknownOp, 1);
          u->op = g_steal_pointer (&op);
          u->names = g_string_new (NULL);
          g_ptr_array_add (groups, u);
        }
      if (u->count < 3)
        g_string_append_printf (u->names, "%s%s", u->count ? ", " : "", nn);
      else if (u->count == 3)
        g_string_append (u->names, ", ...");
      u->count++;
      count++;
    }
  if (count == 0)
    return TRUE;
  for (guint j = 0; j < groups->len; j++)
    {
      const UnknownOp *u = groups->pdata[j];
      if (j > 0)
        g_string_append (list, ", ");
      g_string_append (list, u->op);
      if (u->count > 1)
        g_string_append_printf (list, " x%d", u->count);
      g_string_append_printf (list, " (%s)", u->names->str);
    }
  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED, "%s: %d unsupported operator%s: %s.",
               ctx->file, count, count == 1 ? "" : "s", list->str);
  return FALSE;
}

static gboolean
setup_input (OnnxCtx *ctx, const OnnxGraph *graph, GError **error)
{
  g_autoptr (GHashTable) inits = g_hash_table_new (g_str_hash, g_str_equal);
  const QvizOnnx__ValueInfoProto *input = NULL;
  const QvizOnnx__TypeProto__Tensor *tt;
  const QvizOnnx__TensorShapeProto *shape;
  int64_t dims[4] = { -1, -1, -1, -1 };
  int n_inputs = 0;
  Sym *s;

  for (gsize k = 0; k < graph->n_initializer; k++)
    if (graph->initializer[k]->name != NULL)
      g_hash_table_add (inits, graph->initializer[k]->name);
  for (gsize k = 0; k < graph->n_input; k++)
    {
      const char *name = graph->input[k]->name;
      if (name == NULL || g_hash_table_contains (inits, name))
        continue;
      if (n_inputs++ == 0)
        input = graph->input[k];
    }
  if (n_inputs != 1)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: the model has %d inputs; qviz runs models with exactly one "
                   "image input.", ctx->file, n_inputs);
      return FALSE;
    }

  tt = input->type != NULL && input->type->value_case == QVIZ_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
         ? input->type->tensor_type : NULL;
  if (tt == NULL || (tt->has_elem_type && tt->elem_type != QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: input '%s' is not a float32 tensor (it is %s).", ctx->file,
                   input->name, tt ? type_name (tt->elem_type) : "not a tensor");
      return FALSE;
    }
  shape = tt->shape;
  if (shape == NULL || shape->n_dim != 4)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: input '%s' must be a 4-D N x C x H x W image batch.",
                   ctx->file, input->name);
      return FALSE;
    }
  for (int d = 0; d < 4; d++)
    if (shape->dim[d]->value_case == QVIZ_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
        shape->dim[d]->dim_value > 0)
      dims[d] = shape->dim[d]->dim_value;
  if (dims[1] <= 0 || dims[1] > 65536)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: input '%s' must have a fixed number of channels (dimension 1).",
                   ctx->file, input->name);
      return FALSE;
    }
  ctx->g->in_channels = (int) dims[1];
  if (dims[2] > 0 && dims[3] > 0 && dims[2] <= 65536 && dims[3] <= 65536)
    {
      ctx->g->fixed_h = (int) dims[2];
      ctx->g->fixed_w = (int) dims[3];
      ctx->g->default_res = (int) dims[2];
    }
  else
    ctx->g->default_res = dims[2] > 0 && dims[2] <= 65536 ? (int) dims[2]
                          : dims[3] > 0 && dims[3] <= 65536 ? (int) dims[3] : 224;

  s = onnx_sym_new (ctx, SYM_VALUE);
  s->value = ctx->g->input;
  s->rank = 4;
  s->dims[0] = -1; /* the batch is chosen per plan */
  s->dims[1] = dims[1];
  s->dims[2] = ctx->g->fixed_h > 0 ? ctx->g->fixed_h : -1;
  s->dims[3] = ctx->g->fixed_w > 0 ? ctx->g->fixed_w : -1;
  return onnx_bind (ctx, input->name, s, error);
}

/* Ops that pass their input's int8 parameters on, so need none of their own. */
static gboolean
op_passes_quant (QvizOp op)
{
  return op == QVIZ_OP_MAXPOOL || op == QVIZ_OP_RESIZE || op == QVIZ_OP_RESHAPE ||
         op == QVIZ_OP_FLATTEN || op == QVIZ_OP_TRANSPOSE || op == QVIZ_OP_IDENTITY ||
         op == QVIZ_OP_SLICE;
}

static void
finish_quant (OnnxCtx *ctx)
{
  QvizGraph *g = ctx->g;
  gboolean all = TRUE;

  if (!ctx->quant_seen)
    return;
  g->prequantized = TRUE;
  if (!qviz_graph_value (g, g->input)->quant.valid)
    all = FALSE;
  for (int i = 0; i < qviz_graph_n_nodes (g) && all; i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      if (!op_passes_quant (n->op) && !qviz_graph_value (g, n->output)->quant.valid)
        all = FALSE;
    }
  g->calibrated = all;
}

static QvizGraph *
load_model (const guint8 *data, gsize len, const char *file, const char *graph_name,
            const char *base_dir, GError **error)
{
  OnnxModel *m;
  OnnxCtx ctx = { 0 };
  QvizGraph *result = NULL;
  const OnnxGraph *graph;

  if (len == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE, "%s: the file is empty.", file);
      return NULL;
    }
  m = qviz_onnx__model_proto__unpack (NULL, len, data);
  if (m == NULL)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                   "%s: not a valid ONNX model (the file is truncated or corrupted).", file);
      return NULL;
    }

  ctx.file = file;
  ctx.base_dir = base_dir;
  ctx.syms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ctx.all_syms = g_ptr_array_new_with_free_func ((GDestroyNotify) sym_free);
  ctx.value_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ctx.consumers = g_hash_table_new (g_str_hash, g_str_equal);
  ctx.ln_mean = g_hash_table_new (NULL, NULL);
  ctx.ln_eps = g_hash_table_new (NULL, NULL);
  ctx.ln_pow = g_hash_table_new (NULL, NULL);
  graph = m->graph;

  if (graph == NULL || !m->has_ir_version || m->ir_version < 1)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                   "%s: not an ONNX model (it has no graph or IR version).", file);
      goto out;
    }
  if (!check_opsets (&ctx, m, error) || !check_operators (&ctx, graph, error))
    goto out;

  ctx.g = qviz_graph_new (graph_name, 3);
  g_hash_table_insert (ctx.value_names, g_strdup ("input"), GUINT_TO_POINTER (1));
  ctx.node_flags = g_new0 (guint8, MAX (graph->n_node, 1));

  for (gsize k = 0; k < graph->n_initializer; k++)
    {
      Sym *s = onnx_tensor_to_sym (&ctx, graph->initializer[k], error);
      if (s == NULL || !onnx_bind (&ctx, graph->initializer[k]->name, s, error))
        goto out;
    }
  if (!setup_input (&ctx, graph, error))
    goto out;

  onnx_prescan (&ctx, graph);
  for (gsize k = 0; k < graph->n_node; k++)
    if (!onnx_import_node (&ctx, graph->node[k], (int) k, error))
      goto out;

  if (graph->n_output == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE, "%s: the model has no outputs.", file);
      goto out;
    }
  for (gsize k = 0; k < graph->n_output; k++)
    {
      const char *name = graph->output[k]->name ? graph->output[k]->name : "";
      Sym *s = g_hash_table_lookup (ctx.syms, name);
      if (s == NULL)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                       "%s: output '%s' is produced by no node.", file, name);
          goto out;
        }
      if (s->kind == SYM_VALUE && s->value == ctx.g->input)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                       "%s: output '%s' is the input image itself; the model computes "
                       "nothing from it.", file, name);
          goto out;
        }
      if (s->kind != SYM_VALUE)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                       "%s: output '%s' does not depend on the input image.", file, name);
          goto out;
        }
      qviz_graph_add_output (ctx.g, s->value);
    }
  if (qviz_graph_n_nodes (ctx.g) == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "%s: the model computes nothing.", file);
      goto out;
    }
  finish_quant (&ctx);
  g_free (ctx.g->description);
  ctx.g->description = g_strdup_printf ("ONNX model (opset %d%s%s)", ctx.opset,
                                        m->producer_name && m->producer_name[0] ? ", from " : "",
                                        m->producer_name && m->producer_name[0] ? m->producer_name : "");
  result = g_steal_pointer (&ctx.g);

out:
  g_clear_pointer (&ctx.g, qviz_graph_free);
  g_hash_table_unref (ctx.syms);
  g_ptr_array_unref (ctx.all_syms);
  g_hash_table_unref (ctx.value_names);
  g_hash_table_unref (ctx.consumers);
  g_hash_table_unref (ctx.ln_mean);
  g_hash_table_unref (ctx.ln_eps);
  g_hash_table_unref (ctx.ln_pow);
  g_free (ctx.node_flags);
  qviz_onnx__model_proto__free_unpacked (m, NULL);
  return result;
}

QvizGraph *
qviz_onnx_load_from_data (const guint8 *data, gsize len, const char *name_for_errors,
                          const char *base_dir, GError **error)
{
  QvizGraph *g;
  g_autofree char *sum = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (name_for_errors != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g = load_model (data, len, name_for_errors, name_for_errors, base_dir, error);
  if (g == NULL)
    return NULL;
  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
  g_strlcpy (g->sha256, sum, sizeof g->sha256);
  return g;
}

QvizGraph *
qviz_onnx_load (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *base = NULL, *dir = NULL, *name = NULL, *sum = NULL;
  g_autoptr (GError) local = NULL;
  gsize len = 0;
  QvizGraph *g;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  base = g_path_get_basename (path);
  if (!g_file_get_contents (path, &contents, &len, &local))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_IO, "%s: %s", base, local->message);
      return NULL;
    }
  dir = g_path_get_dirname (path);
  name = g_str_has_suffix (base, ".onnx") ? g_strndup (base, strlen (base) - 5)
                                          : g_strdup (base);
  g = load_model ((const guint8 *) contents, len, base, name, dir, error);
  if (g == NULL)
    return NULL;
  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  g_strlcpy (g->sha256, sum, sizeof g->sha256);
  g_free (g->source);
  g->source = g_strdup (path);
  return g;
}
