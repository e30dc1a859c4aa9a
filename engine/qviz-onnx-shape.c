/* qviz-onnx-shape.c: evaluating constants and shape computations at load
 * time.
 *
 * A shape vector's entries may be "dimension d of value v" rather than
 * numbers: Shape(x) of a feature map whose height depends on the input size
 * stays symbolic through Gather, Slice, Concat, Unsqueeze and Cast, so that
 * the Resize or Reshape that finally reads it can be given a
 * size-independent attribute (resize like v, reshape dim 0 or -1).
 */

#include "qviz-onnx-private.h"

#include <math.h>
#include <string.h>

/* Folded tensors are small (shapes, scales, the odd constant); a file asking
 * for more is refused before anything is allocated. */
#define FOLD_MAX_ELEMENTS ((gsize) 1 << 24)

static gboolean
fold_fail (OnnxCtx *ctx, const char *name, const char *op, const char *why, GError **error)
{
  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
               "%s: node '%s' (%s): %s.", ctx->file, name, op, why);
  return FALSE;
}

static gboolean
is_data (const Sym *s)
{
  return s->kind == SYM_CONST || s->kind == SYM_SHAPE;
}

static SymDim
elem_dim (const Sym *s, gsize k)
{
  SymDim d = { -1, 0, -1 };

  if (s->e != NULL)
    return s->e[k];
  d.known = s->i != NULL ? s->i[k] : onnx_to_int (s->f[k]);
  return d;
}

static gboolean
elem_number (const Sym *s, gsize k, double *out)
{
  if (s->e != NULL)
    {
      if (s->e[k].known < 0 && s->e[k].value != -1)
        return FALSE;
      *out = (double) s->e[k].known;
      return TRUE;
    }
  *out = s->f != NULL ? s->f[k] : (double) s->i[k];
  return TRUE;
}

gboolean
onnx_sym_ints (const Sym *s, int64_t *out, int max, int *n)
{
  if (!is_data (s) || s->rank > 1 || s->n > (gsize) max)
    return FALSE;
  for (gsize k = 0; k < s->n; k++)
    {
      double v;
      if (!elem_number (s, k, &v))
        return FALSE;
      out[k] = s->i != NULL ? s->i[k] : onnx_to_int (v);
    }
  *n = (int) s->n;
  return TRUE;
}

gboolean
onnx_sym_floats (const Sym *s, float *out, int max, int *n)
{
  if (!is_data (s) || s->n > (gsize) max)
    return FALSE;
  for (gsize k = 0; k < s->n; k++)
    {
      double v;
      if (!elem_number (s, k, &v))
        return FALSE;
      out[k] = (float) v;
    }
  *n = (int) s->n;
  return TRUE;
}

/* A new constant or shape of the given shape, of the same element kind as
 * like (symbolic if any of likes is). */
static Sym *
data_new (OnnxCtx *ctx, Sym *const *likes, int n_likes, int rank, const int64_t *dims)
{
  gboolean symbolic = FALSE, floating = FALSE;
  Sym *s;
  gsize n = 1;

  for (int k = 0; k < n_likes; k++)
    {
      symbolic = symbolic || likes[k]->e != NULL;
      floating = floating || likes[k]->f != NULL;
    }
  for (int d = 0; d < rank; d++)
    n *= (gsize) dims[d];
  s = onnx_sym_new (ctx, symbolic ? SYM_SHAPE : SYM_CONST);
  s->rank = rank;
  memcpy (s->dims, dims, sizeof (int64_t) * rank);
  s->n = n;
  s->n_e = (int) n;
  s->onnx_type = n_likes > 0 ? likes[0]->onnx_type : 0;
  if (symbolic)
    s->e = g_new0 (SymDim, MAX (n, 1));
  else if (floating)
    s->f = g_new0 (float, MAX (n, 1));
  else
    s->i = g_new0 (int64_t, MAX (n, 1));
  return s;
}

static void
data_copy_elem (Sym *dst, gsize k, const Sym *src, gsize j)
{
  if (dst->e != NULL)
    dst->e[k] = elem_dim (src, j);
  else if (dst->f != NULL)
    dst->f[k] = src->f != NULL ? src->f[j] : (float) src->i[j];
  else
    dst->i[k] = src->i != NULL ? src->i[j] : onnx_to_int (src->f[j]);
}

static gboolean
dims_ok (const int64_t *dims, int rank)
{
  gsize n = 1;

  if (rank < 0 || rank > QVIZ_MAX_RANK)
    return FALSE;
  for (int d = 0; d < rank; d++)
    {
      if (dims[d] < 0 || (dims[d] > 0 && n > FOLD_MAX_ELEMENTS / (gsize) dims[d]))
        return FALSE;
      n *= (gsize) dims[d];
    }
  return TRUE;
}

static void
unravel (gsize k, int rank, const int64_t *dims, int64_t *idx)
{
  for (int d = rank - 1; d >= 0; d--)
    {
      idx[d] = dims[d] > 0 ? (int64_t) (k % (gsize) dims[d]) : 0;
      k = dims[d] > 0 ? k / (gsize) dims[d] : 0;
    }
}

static gsize
ravel (const int64_t *idx, int rank, const int64_t *dims)
{
  gsize k = 0;

  for (int d = 0; d < rank; d++)
    k = k * (gsize) dims[d] + (gsize) idx[d];
  return k;
}

/* Reads an integer list from input k of node (opset >= 13 style) or from
 * the attribute (older opsets). Returns -1 when absent, -2 on bad data. */
static int
ints_from_input_or_attr (OnnxCtx *ctx, const OnnxNode *node, int k, const char *attr,
                         int64_t *out, int max)
{
  if (onnx_has_input (node, k))
    {
      Sym *s = g_hash_table_lookup (ctx->syms, node->input[k]);
      int n;
      if (s == NULL || !onnx_sym_ints (s, out, max, &n))
        return -2;
      return n;
    }
  {
    int n = onnx_attr_ints (node, attr, out, max);
    return n > max ? -2 : n;
  }
}

Sym *
onnx_shape_of (OnnxCtx *ctx, const Sym *x, int start, int end)
{
  Sym *s;
  int rank = x->rank;

  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = CLAMP (start, 0, rank);
  end = CLAMP (end, start, rank);
  s = onnx_sym_new (ctx, x->kind == SYM_VALUE ? SYM_SHAPE : SYM_CONST);
  s->rank = 1;
  s->dims[0] = end - start;
  s->n = (gsize) (end - start);
  s->n_e = end - start;
  s->onnx_type = QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
  if (x->kind == SYM_VALUE)
    {
      s->e = g_new0 (SymDim, MAX (s->n, 1));
      for (int d = start; d < end; d++)
        s->e[d - start] = (SymDim) { x->value, d, x->dims[d] };
    }
  else
    {
      s->i = g_new0 (int64_t, MAX (s->n, 1));
      for (int d = start; d < end; d++)
        s->i[d - start] = x->dims[d];
    }
  return s;
}

static Sym *
fold_constant (OnnxCtx *ctx, const OnnxNode *node, const char *name, GError **error)
{
  const OnnxAttr *a;
  Sym *s;

  if ((a = onnx_attr (node, "value")) != NULL && a->t != NULL)
    return onnx_tensor_to_sym (ctx, a->t, error);
  if ((a = onnx_attr (node, "value_float")) != NULL || (a = onnx_attr (node, "value_floats")) != NULL)
    {
      gboolean one = strcmp (a->name, "value_float") == 0;
      int64_t dims[1] = { one ? 1 : (int64_t) a->n_floats };
      s = data_new (ctx, NULL, 0, one ? 0 : 1, dims);
      g_free (s->i);
      s->i = NULL;
      s->f = g_new0 (float, MAX (s->n, 1));
      s->onnx_type = QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
      for (gsize k = 0; k < s->n; k++)
        s->f[k] = one ? a->f : a->floats[k];
      return s;
    }
  if ((a = onnx_attr (node, "value_int")) != NULL || (a = onnx_attr (node, "value_ints")) != NULL)
    {
      gboolean one = strcmp (a->name, "value_int") == 0;
      int64_t dims[1] = { one ? 1 : (int64_t) a->n_ints };
      s = data_new (ctx, NULL, 0, one ? 0 : 1, dims);
      s->onnx_type = QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
      for (gsize k = 0; k < s->n; k++)
        s->i[k] = one ? a->i : a->ints[k];
      return s;
    }
  fold_fail (ctx, name, "Constant", "no supported value attribute", error);
  return NULL;
}

static Sym *
fold_gather (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *data, Sym *ind,
             GError **error)
{
  int axis = (int) onnx_attr_int (node, "axis", 0);
  int64_t dims[QVIZ_MAX_RANK], idx[QVIZ_MAX_RANK], src[QVIZ_MAX_RANK];
  int rank;
  Sym *out;

  if (axis < 0)
    axis += data->rank;
  if (axis < 0 || axis >= data->rank || ind->e != NULL || ind->f != NULL)
    return fold_fail (ctx, name, "Gather", "the axis or the indices are not valid", error),
           NULL;
  rank = data->rank + ind->rank - 1;
  if (rank > QVIZ_MAX_RANK)
    return fold_fail (ctx, name, "Gather", "the result has too many dimensions", error), NULL;
  for (int d = 0; d < axis; d++)
    dims[d] = data->dims[d];
  for (int d = 0; d < ind->rank; d++)
    dims[axis + d] = ind->dims[d];
  for (int d = axis + 1; d < data->rank; d++)
    dims[ind->rank + d - 1] = data->dims[d];
  if (!dims_ok (dims, rank))
    return fold_fail (ctx, name, "Gather", "the result is too large", error), NULL;
  out = data_new (ctx, &data, 1, rank, dims);
  for (gsize k = 0; k < out->n; k++)
    {
      int64_t j;
      unravel (k, rank, dims, idx);
      for (int d = 0; d < axis; d++)
        src[d] = idx[d];
      j = ind->i[ravel (idx + axis, ind->rank, ind->dims)];
      if (j < 0)
        j += data->dims[axis];
      if (j < 0 || j >= data->dims[axis])
        return fold_fail (ctx, name, "Gather", "an index is out of range", error), NULL;
      src[axis] = j;
      for (int d = axis + 1; d < data->rank; d++)
        src[d] = idx[ind->rank + d - 1];
      data_copy_elem (out, k, data, ravel (src, data->rank, data->dims));
    }
  return out;
}

static Sym *
fold_slice (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *data, GError **error)
{
  int64_t starts[QVIZ_MAX_RANK], ends[QVIZ_MAX_RANK], axes[QVIZ_MAX_RANK], steps[QVIZ_MAX_RANK];
  int64_t begin[QVIZ_MAX_RANK], step[QVIZ_MAX_RANK], dims[QVIZ_MAX_RANK], idx[QVIZ_MAX_RANK];
  int ns, ne, na, nst;
  Sym *out;

  ns = ints_from_input_or_attr (ctx, node, 1, "starts", starts, QVIZ_MAX_RANK);
  ne = ints_from_input_or_attr (ctx, node, 2, "ends", ends, QVIZ_MAX_RANK);
  na = ints_from_input_or_attr (ctx, node, 3, "axes", axes, QVIZ_MAX_RANK);
  nst = onnx_has_input (node, 4) ? ints_from_input_or_attr (ctx, node, 4, "steps", steps,
                                                             QVIZ_MAX_RANK) : -1;
  if (ns < 0 || ne != ns || na == -2 || (na >= 0 && na != ns) || nst == -2 ||
      (nst >= 0 && nst != ns))
    return fold_fail (ctx, name, "Slice", "starts, ends, axes or steps are not constant lists "
                      "of one length", error), NULL;
  for (int d = 0; d < data->rank; d++)
    {
      begin[d] = 0;
      step[d] = 1;
      dims[d] = data->dims[d];
    }
  for (int k = 0; k < ns; k++)
    {
      int axis = (int) (na >= 0 ? axes[k] : k);
      int64_t dim, s, e, st = nst >= 0 ? steps[k] : 1;
      if (axis < 0)
        axis += data->rank;
      if (axis < 0 || axis >= data->rank || st == 0)
        return fold_fail (ctx, name, "Slice", "an axis or step is not valid", error), NULL;
      dim = data->dims[axis];
      /* A step longer than the axis picks one element at most; clamping it
       * keeps the arithmetic below from overflowing. */
      st = CLAMP (st, -(dim + 1), dim + 1);
      s = starts[k] < 0 ? starts[k] + dim : starts[k];
      e = ends[k] < 0 ? ends[k] + dim : ends[k];
      if (st > 0)
        {
          s = CLAMP (s, 0, dim);
          e = CLAMP (e, 0, dim);
          dims[axis] = e > s ? (e - s + st - 1) / st : 0;
        }
      else
        {
          s = CLAMP (s, 0, dim - 1);
          e = CLAMP (e, -1, dim - 1);
          dims[axis] = s > e ? (s - e - st - 1) / -st : 0;
        }
      begin[axis] = s;
      step[axis] = st;
    }
  out = data_new (ctx, &data, 1, data->rank, dims);
  for (gsize k = 0; k < out->n; k++)
    {
      unravel (k, data->rank, dims, idx);
      for (int d = 0; d < data->rank; d++)
        idx[d] = begin[d] + idx[d] * step[d];
      data_copy_elem (out, k, data, ravel (idx, data->rank, data->dims));
    }
  return out;
}

static Sym *
fold_concat (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym **in, int n_in,
             GError **error)
{
  int axis = (int) onnx_attr_int (node, "axis", 0);
  int rank = in[0]->rank;
  int64_t dims[QVIZ_MAX_RANK], idx[QVIZ_MAX_RANK];
  Sym *out;

  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return fold_fail (ctx, name, "Concat", "the axis is out of range", error), NULL;
  memcpy (dims, in[0]->dims, sizeof (int64_t) * rank);
  dims[axis] = 0;
  for (int k = 0; k < n_in; k++)
    {
      if (in[k]->rank != rank)
        return fold_fail (ctx, name, "Concat", "the inputs differ in rank", error), NULL;
      for (int d = 0; d < rank; d++)
        if (d != axis && in[k]->dims[d] != in[0]->dims[d])
          return fold_fail (ctx, name, "Concat", "the inputs differ in size", error), NULL;
      dims[axis] += in[k]->dims[axis];
    }
  if (!dims_ok (dims, rank))
    return fold_fail (ctx, name, "Concat", "the result is too large", error), NULL;
  out = data_new (ctx, in, n_in, rank, dims);
  for (gsize k = 0; k < out->n; k++)
    {
      int which = 0;
      unravel (k, rank, dims, idx);
      while (which < n_in - 1 && idx[axis] >= in[which]->dims[axis])
        idx[axis] -= in[which++]->dims[axis];
      data_copy_elem (out, k, in[which], ravel (idx, rank, in[which]->dims));
    }
  return out;
}

static Sym *
fold_transpose (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *data,
                GError **error)
{
  int64_t perm[QVIZ_MAX_RANK], dims[QVIZ_MAX_RANK], idx[QVIZ_MAX_RANK], src[QVIZ_MAX_RANK];
  int np = onnx_attr_ints (node, "perm", perm, QVIZ_MAX_RANK);
  Sym *out;

  if (np < 0)
    {
      np = data->rank;
      for (int d = 0; d < np; d++)
        perm[d] = np - 1 - d;
    }
  if (np != data->rank)
    return fold_fail (ctx, name, "Transpose", "the permutation does not fit", error), NULL;
  for (int d = 0; d < np; d++)
    {
      if (perm[d] < 0 || perm[d] >= np)
        return fold_fail (ctx, name, "Transpose", "the permutation is not valid", error), NULL;
      dims[d] = data->dims[perm[d]];
    }
  out = data_new (ctx, &data, 1, np, dims);
  for (gsize k = 0; k < out->n; k++)
    {
      unravel (k, np, dims, idx);
      for (int d = 0; d < np; d++)
        src[perm[d]] = idx[d];
      data_copy_elem (out, k, data, ravel (src, np, data->dims));
    }
  return out;
}

/* Unsqueeze, Squeeze, Reshape and Flatten: same elements, new dims. */
static Sym *
fold_reshape_like (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *data,
                   GError **error)
{
  const char *op = node->op_type;
  int64_t dims[QVIZ_MAX_RANK], axes[QVIZ_MAX_RANK];
  int rank = 0;
  Sym *out;

  if (strcmp (op, "Flatten") == 0)
    {
      int axis = (int) onnx_attr_int (node, "axis", 1);
      if (axis < 0)
        axis += data->rank;
      if (axis < 0 || axis > data->rank)
        return fold_fail (ctx, name, op, "the axis is out of range", error), NULL;
      dims[0] = dims[1] = 1;
      for (int d = 0; d < data->rank; d++)
        dims[d < axis ? 0 : 1] *= data->dims[d];
      rank = 2;
    }
  else if (strcmp (op, "Reshape") == 0)
    {
      int64_t want[QVIZ_MAX_RANK];
      int n = ints_from_input_or_attr (ctx, node, 1, "shape", want, QVIZ_MAX_RANK);
      int infer = -1;
      int64_t known = 1;
      if (n < 0)
        return fold_fail (ctx, name, op, "the target shape is not a constant", error), NULL;
      for (int d = 0; d < n; d++)
        {
          dims[d] = want[d] == 0 && d < data->rank ? data->dims[d] : want[d];
          if (dims[d] > (int64_t) FOLD_MAX_ELEMENTS)
            return fold_fail (ctx, name, op, "the target shape is too large", error), NULL;
          if (dims[d] == -1 && infer < 0)
            infer = d;
          else if (dims[d] < 0)
            return fold_fail (ctx, name, op, "the target shape is not valid", error), NULL;
          else
            known *= dims[d];
        }
      if (infer >= 0)
        {
          if (known == 0 || data->n % (gsize) known != 0)
            return fold_fail (ctx, name, op, "the target shape does not fit", error), NULL;
          dims[infer] = (int64_t) data->n / known;
        }
      rank = n;
    }
  else
    {
      int na = ints_from_input_or_attr (ctx, node, 1, "axes", axes, QVIZ_MAX_RANK);
      gboolean squeeze = strcmp (op, "Squeeze") == 0;
      int out_rank = squeeze ? data->rank - MAX (na, 0) : data->rank + na;
      gboolean marked[QVIZ_MAX_RANK * 2] = { FALSE };
      if (na == -2 || (na < 0 && !squeeze) || out_rank < 0 || out_rank > QVIZ_MAX_RANK)
        return fold_fail (ctx, name, op, "the axes are not valid", error), NULL;
      for (int k = 0; k < na; k++)
        {
          int64_t a = axes[k] < 0 ? axes[k] + (squeeze ? data->rank : out_rank) : axes[k];
          if (a < 0 || a >= (squeeze ? data->rank : out_rank) ||
              (squeeze && data->dims[a] != 1))
            return fold_fail (ctx, name, op, "an axis is not valid", error), NULL;
          marked[a] = TRUE;
        }
      if (squeeze)
        {
          for (int d = 0; d < data->rank; d++)
            if (!(na < 0 ? data->dims[d] == 1 : marked[d]))
              dims[rank++] = data->dims[d];
        }
      else
        for (int d = 0, j = 0; d < out_rank; d++)
          dims[rank++] = marked[d] ? 1 : data->dims[j++];
    }
  if (!dims_ok (dims, rank))
    return fold_fail (ctx, name, op, "the result is not valid", error), NULL;
  out = data_new (ctx, &data, 1, rank, dims);
  if (out->n != data->n)
    return fold_fail (ctx, name, op, "the element count changes", error), NULL;
  for (gsize k = 0; k < out->n; k++)
    data_copy_elem (out, k, data, k);
  return out;
}

static gboolean
is_one_of (const char *op, const char *const *list)
{
  for (int k = 0; list[k] != NULL; k++)
    if (strcmp (op, list[k]) == 0)
      return TRUE;
  return FALSE;
}

static double
apply (const char *op, double a, double b, gboolean integer)
{
  if (strcmp (op, "Add") == 0)
    return a + b;
  if (strcmp (op, "Sub") == 0)
    return a - b;
  if (strcmp (op, "Mul") == 0)
    return a * b;
  if (strcmp (op, "Div") == 0)
    {
      if (integer)
        return b == 0 ? 0 : trunc (a / b);
      return a / b;
    }
  if (strcmp (op, "Pow") == 0)
    return pow (a, b);
  if (strcmp (op, "Floor") == 0)
    return floor (a);
  if (strcmp (op, "Ceil") == 0)
    return ceil (a);
  if (strcmp (op, "Sqrt") == 0)
    return sqrt (a);
  if (strcmp (op, "Neg") == 0)
    return -a;
  if (strcmp (op, "Relu") == 0)
    return MAX (a, 0);
  if (strcmp (op, "Sigmoid") == 0)
    return 1.0 / (1.0 + exp (-a));
  if (strcmp (op, "Mod") == 0) /* fmod 0: the sign of the divisor, as Python's % */
    return b == 0 ? 0 : a - b * floor (a / b);
  if (strcmp (op, "FMod") == 0)
    return b == 0 ? 0 : fmod (a, b);
  if (strcmp (op, "Equal") == 0)
    return a == b;
  if (strcmp (op, "Less") == 0)
    return a < b;
  if (strcmp (op, "LessOrEqual") == 0)
    return a <= b;
  if (strcmp (op, "Greater") == 0)
    return a > b;
  if (strcmp (op, "GreaterOrEqual") == 0)
    return a >= b;
  if (strcmp (op, "Not") == 0)
    return a == 0;
  return NAN;
}

/* Element-wise arithmetic on constants (with broadcasting). */
static Sym *
fold_arith (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *a, Sym *b,
            GError **error)
{
  const char *op = node->op_type;
  int rank = b != NULL ? MAX (a->rank, b->rank) : a->rank;
  int64_t dims[QVIZ_MAX_RANK], idx[QVIZ_MAX_RANK], ia[QVIZ_MAX_RANK], ib[QVIZ_MAX_RANK];
  gboolean integer = a->f == NULL && (b == NULL || b->f == NULL);
  gboolean boolean = is_one_of (op, (const char *const[]) { "Equal", "Less", "LessOrEqual",
                                                            "Greater", "GreaterOrEqual",
                                                            "Not", NULL });
  const char *how = op;
  Sym *out;

  if (strcmp (op, "Mod") == 0 && onnx_attr_int (node, "fmod", 0) != 0)
    how = "FMod";

  for (int d = 0; d < rank; d++)
    {
      int da = d - (rank - a->rank), db = b ? d - (rank - b->rank) : -1;
      int64_t xa = da >= 0 ? a->dims[da] : 1, xb = db >= 0 ? b->dims[db] : 1;
      if (xa != xb && xa != 1 && xb != 1)
        return fold_fail (ctx, name, op, "the operands do not broadcast", error), NULL;
      dims[d] = xa == 1 ? xb : xa;
    }
  if (!dims_ok (dims, rank))
    return fold_fail (ctx, name, op, "the result is too large", error), NULL;
  out = onnx_sym_new (ctx, SYM_CONST);
  out->rank = rank;
  memcpy (out->dims, dims, sizeof (int64_t) * rank);
  out->n = 1;
  for (int d = 0; d < rank; d++)
    out->n *= (gsize) dims[d];
  out->onnx_type = boolean ? QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__BOOL : a->onnx_type;
  if (integer || boolean)
    out->i = g_new0 (int64_t, MAX (out->n, 1));
  else
    out->f = g_new0 (float, MAX (out->n, 1));
  for (gsize k = 0; k < out->n; k++)
    {
      double x, y = 0, r;
      unravel (k, rank, dims, idx);
      for (int d = 0; d < a->rank; d++)
        ia[d] = a->dims[d] == 1 ? 0 : idx[d + rank - a->rank];
      if (!elem_number (a, ravel (ia, a->rank, a->dims), &x))
        goto symbolic;
      if (b != NULL)
        {
          for (int d = 0; d < b->rank; d++)
            ib[d] = b->dims[d] == 1 ? 0 : idx[d + rank - b->rank];
          if (!elem_number (b, ravel (ib, b->rank, b->dims), &y))
            goto symbolic;
        }
      r = apply (how, x, y, integer);
      if (integer || boolean)
        out->i[k] = onnx_to_int (r);
      else
        out->f[k] = (float) r;
    }
  return out;

symbolic:
  /* Size arithmetic on a shape vector (x.size(0) // windows): entries that
   * need a run-time size become derived ones, which a Reshape infers. */
  if (rank <= 1 && is_one_of (op, (const char *const[]) { "Add", "Sub", "Mul", "Div", NULL }))
    {
      Sym *const likes[2] = { a, b };
      out = data_new (ctx, likes, b != NULL ? 2 : 1, rank, dims);
      if (out->e == NULL)
        goto refuse;
      for (gsize k = 0; k < out->n; k++)
        {
          double x, y = 0;
          unravel (k, rank, dims, idx);
          for (int d = 0; d < a->rank; d++)
            ia[d] = a->dims[d] == 1 ? 0 : idx[d + rank - a->rank];
          for (int d = 0; d < b->rank; d++)
            ib[d] = b->dims[d] == 1 ? 0 : idx[d + rank - b->rank];
          if (elem_number (a, ravel (ia, a->rank, a->dims), &x) &&
              elem_number (b, ravel (ib, b->rank, b->dims), &y))
            out->e[k] = (SymDim) { -1, 0, onnx_to_int (apply (how, x, y, integer)) };
          else
            out->e[k] = (SymDim) { SYMDIM_DERIVED, 0, -1 };
        }
      out->scalar = rank == 0;
      return out;
    }
refuse:
  fold_fail (ctx, name, op, "arithmetic on the input's size at run time is not supported",
             error);
  return NULL;
}

static Sym *
fold_cast (OnnxCtx *ctx, const OnnxNode *node, Sym *x)
{
  int to = (int) onnx_attr_int (node, "to", QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
  gboolean to_float = to == QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT ||
                      to == QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE ||
                      to == QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
  Sym *out;

  if (x->e != NULL)
    return x; /* shapes stay symbolic whatever their number type */
  out = onnx_sym_new (ctx, SYM_CONST);
  out->rank = x->rank;
  memcpy (out->dims, x->dims, sizeof out->dims);
  out->n = x->n;
  out->onnx_type = to;
  if (to_float)
    {
      out->f = g_new (float, MAX (x->n, 1));
      for (gsize k = 0; k < x->n; k++)
        out->f[k] = x->f ? x->f[k] : (float) x->i[k];
    }
  else
    {
      out->i = g_new (int64_t, MAX (x->n, 1));
      for (gsize k = 0; k < x->n; k++)
        out->i[k] = x->i ? x->i[k]
                         : onnx_to_int (x->f[k]);
    }
  return out;
}

static Sym *
fold_constant_of_shape (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *shape,
                        GError **error)
{
  int64_t dims[QVIZ_MAX_RANK];
  int rank;
  const OnnxAttr *a = onnx_attr (node, "value");
  Sym *value = NULL, *out;

  if (!onnx_sym_ints (shape, dims, QVIZ_MAX_RANK, &rank) || !dims_ok (dims, rank))
    return fold_fail (ctx, name, "ConstantOfShape", "the shape is not a valid constant",
                      error), NULL;
  if (a != NULL && a->t != NULL && (value = onnx_tensor_to_sym (ctx, a->t, error)) == NULL)
    return NULL;
  if (value != NULL && value->n != 1)
    return fold_fail (ctx, name, "ConstantOfShape", "the value is not one number", error),
           NULL;
  out = onnx_sym_new (ctx, SYM_CONST);
  out->rank = rank;
  memcpy (out->dims, dims, sizeof (int64_t) * rank);
  out->n = 1;
  for (int d = 0; d < rank; d++)
    out->n *= (gsize) dims[d];
  if (value != NULL && value->i != NULL)
    {
      out->i = g_new (int64_t, MAX (out->n, 1));
      for (gsize k = 0; k < out->n; k++)
        out->i[k] = value->i[0];
    }
  else
    {
      out->f = g_new (float, MAX (out->n, 1));
      for (gsize k = 0; k < out->n; k++)
        out->f[k] = value != NULL ? value->f[0] : 0.0f;
    }
  return out;
}

/* The numpy broadcast of n shapes; FALSE when they do not broadcast. */
static gboolean
broadcast_dims (Sym *const *in, int n, int64_t *dims, int *rank_out)
{
  int rank = 0;

  for (int k = 0; k < n; k++)
    rank = MAX (rank, in[k]->rank);
  for (int d = 0; d < rank; d++)
    {
      dims[d] = 1;
      for (int k = 0; k < n; k++)
        {
          int dk = d - (rank - in[k]->rank);
          int64_t x = dk >= 0 ? in[k]->dims[dk] : 1;
          if (x != 1 && dims[d] != 1 && x != dims[d])
            return FALSE;
          if (x != 1)
            dims[d] = x;
        }
    }
  *rank_out = rank;
  return TRUE;
}

/* Index into s of the broadcast result's element at idx (rank dims). */
static gsize
broadcast_index (const Sym *s, const int64_t *idx, int rank)
{
  int64_t is[QVIZ_MAX_RANK];

  for (int d = 0; d < s->rank; d++)
    is[d] = s->dims[d] == 1 ? 0 : idx[d + rank - s->rank];
  return ravel (is, s->rank, s->dims);
}

static Sym *
fold_where (OnnxCtx *ctx, const char *name, Sym *const in[3], GError **error)
{
  int64_t dims[QVIZ_MAX_RANK], idx[QVIZ_MAX_RANK];
  int rank;
  Sym *out;

  if (!broadcast_dims (in, 3, dims, &rank))
    return fold_fail (ctx, name, "Where", "the operands do not broadcast", error), NULL;
  if (!dims_ok (dims, rank))
    return fold_fail (ctx, name, "Where", "the result is too large", error), NULL;
  out = data_new (ctx, in + 1, 2, rank, dims);
  for (gsize k = 0; k < out->n; k++)
    {
      double c;
      unravel (k, rank, dims, idx);
      if (!elem_number (in[0], broadcast_index (in[0], idx, rank), &c))
        return fold_fail (ctx, name, "Where", "its condition depends on the input's size at "
                          "run time", error), NULL;
      {
        const Sym *src = c != 0 ? in[1] : in[2];
        data_copy_elem (out, k, src, broadcast_index (src, idx, rank));
      }
    }
  return out;
}

static Sym *
fold_expand (OnnxCtx *ctx, const char *name, Sym *data, Sym *shape, GError **error)
{
  int64_t target[QVIZ_MAX_RANK], dims[QVIZ_MAX_RANK], idx[QVIZ_MAX_RANK];
  int n_target, rank;
  Sym target_sym = { 0 };
  Sym *pair[2] = { data, &target_sym };
  Sym *out;

  if (!onnx_sym_ints (shape, target, QVIZ_MAX_RANK, &n_target))
    return fold_fail (ctx, name, "Expand", "the shape is not a constant of at most "
                      G_STRINGIFY (QVIZ_MAX_RANK) " numbers", error), NULL;
  target_sym.rank = n_target;
  memcpy (target_sym.dims, target, sizeof (int64_t) * n_target);
  if (!broadcast_dims (pair, 2, dims, &rank))
    return fold_fail (ctx, name, "Expand", "the shape does not broadcast with the data",
                      error), NULL;
  if (!dims_ok (dims, rank))
    return fold_fail (ctx, name, "Expand", "the result is too large", error), NULL;
  out = data_new (ctx, &data, 1, rank, dims);
  for (gsize k = 0; k < out->n; k++)
    {
      unravel (k, rank, dims, idx);
      data_copy_elem (out, k, data, broadcast_index (data, idx, rank));
    }
  return out;
}

static Sym *
fold_range (OnnxCtx *ctx, const char *name, Sym *const in[3], GError **error)
{
  double v[3], count;
  gboolean integer = TRUE;
  Sym *out;

  for (int k = 0; k < 3; k++)
    {
      if (in[k] == NULL || in[k]->n != 1 || !elem_number (in[k], 0, &v[k]))
        return fold_fail (ctx, name, "Range", "start, limit and delta must be numbers known "
                          "at load time", error), NULL;
      integer = integer && in[k]->f == NULL;
    }
  if (v[2] == 0)
    return fold_fail (ctx, name, "Range", "delta is 0", error), NULL;
  count = MAX (ceil ((v[1] - v[0]) / v[2]), 0);
  if (count > (double) FOLD_MAX_ELEMENTS)
    return fold_fail (ctx, name, "Range", "the result is too large", error), NULL;
  out = onnx_sym_new (ctx, SYM_CONST);
  out->rank = 1;
  out->dims[0] = (int64_t) count;
  out->n = (gsize) count;
  out->onnx_type = in[0]->onnx_type;
  if (integer)
    out->i = g_new (int64_t, MAX (out->n, 1));
  else
    out->f = g_new (float, MAX (out->n, 1));
  for (gsize k = 0; k < out->n; k++)
    {
      double x = v[0] + (double) k * v[2];
      if (integer)
        out->i[k] = onnx_to_int (x);
      else
        out->f[k] = (float) x;
    }
  return out;
}

/* ScatterND without reduction: data with the slices that indices name
 * replaced by updates. */
static Sym *
fold_scatter_nd (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *const in[3],
                 GError **error)
{
  g_autofree char *reduction = onnx_attr_string (node, "reduction", "none");
  Sym *data = in[0], *indices = in[1], *updates = in[2];
  int q, last;
  gsize slice = 1, n_index;
  Sym *out;

  if (strcmp (reduction, "none") != 0)
    return fold_fail (ctx, name, "ScatterND", "only reduction 'none' is supported", error),
           NULL;
  if (indices == NULL || updates == NULL || indices->rank < 1)
    return fold_fail (ctx, name, "ScatterND", "indices or updates are missing", error), NULL;
  q = indices->rank;
  last = (int) indices->dims[q - 1];
  if (last < 0 || last > data->rank ||
      updates->rank != q - 1 + data->rank - last)
    return fold_fail (ctx, name, "ScatterND", "the shapes of indices and updates do not "
                      "match the data", error), NULL;
  for (int d = last; d < data->rank; d++)
    slice *= (gsize) data->dims[d];
  n_index = last > 0 ? indices->n / (gsize) last : indices->n;
  if (n_index * slice != updates->n)
    return fold_fail (ctx, name, "ScatterND", "the shapes of indices and updates do not "
                      "match the data", error), NULL;
  out = data_new (ctx, (Sym *const[]) { data, updates }, 2, data->rank, data->dims);
  for (gsize k = 0; k < out->n; k++)
    data_copy_elem (out, k, data, k);
  for (gsize j = 0; j < n_index; j++)
    {
      gsize start = 0;
      for (int d = 0; d < last; d++)
        {
          double v;
          int64_t at;
          if (!elem_number (indices, j * (gsize) last + (gsize) d, &v))
            return fold_fail (ctx, name, "ScatterND", "its indices depend on the input's "
                              "size at run time", error), NULL;
          at = onnx_to_int (v);
          if (at < 0)
            at += data->dims[d];
          if (at < 0 || at >= data->dims[d])
            return fold_fail (ctx, name, "ScatterND", "an index is out of range", error),
                   NULL;
          start = start * (gsize) data->dims[d] + (gsize) at;
        }
      start *= slice;
      for (gsize e = 0; e < slice; e++)
        data_copy_elem (out, start + e, updates, j * slice + e);
    }
  return out;
}

gboolean
onnx_try_fold (OnnxCtx *ctx, const OnnxNode *node, const char *name, gboolean *handled,
               GError **error)
{
  static const char *const foldable[] = {
    "Identity", "Dropout", "Cast", "Gather", "Slice", "Concat", "Unsqueeze", "Squeeze",
    "Reshape", "Flatten", "Transpose", "Add", "Sub", "Mul", "Div", "Pow", "Floor",
    "Ceil", "Sqrt", "Neg", "Relu", "Sigmoid", "ConstantOfShape", "Mod", "Not", "Equal",
    "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Where", "Expand", "Range",
    "ScatterND", NULL,
  };
  const char *op = node->op_type;
  g_autofree Sym **in = NULL;
  int n_in = (int) node->n_input;
  Sym *out = NULL;

  *handled = FALSE;
  if (node->domain != NULL && node->domain[0] != '\0' && strcmp (node->domain, "ai.onnx") != 0)
    return TRUE;

  if (strcmp (op, "Constant") == 0)
    {
      *handled = TRUE;
      out = fold_constant (ctx, node, name, error);
      return out != NULL && node->n_output >= 1 &&
             onnx_bind (ctx, node->output[0], out, error);
    }
  if (strcmp (op, "Shape") == 0)
    {
      Sym *x = onnx_lookup (ctx, node, 0, error);
      *handled = TRUE;
      if (x == NULL)
        return FALSE;
      if (x->rank < 0 || x->kind == SYM_SKIP)
        return fold_fail (ctx, name, op, "the rank of its input is not known", error);
      if (x->kind == SYM_SHAPE)
        {
          out = onnx_sym_new (ctx, SYM_CONST);
          out->rank = 1;
          out->dims[0] = x->rank;
          out->n = (gsize) x->rank;
          out->i = g_new (int64_t, MAX (x->rank, 1));
          for (int d = 0; d < x->rank; d++)
            out->i[d] = x->dims[d];
        }
      else
        out = onnx_shape_of (ctx, x, (int) onnx_attr_int (node, "start", 0),
                             (int) onnx_attr_int (node, "end", x->rank));
      return node->n_output >= 1 && onnx_bind (ctx, node->output[0], out, error);
    }
  if (!is_one_of (op, foldable) || n_in == 0)
    return TRUE;

  /* Fold only when every data input is known at load time. */
  in = g_new0 (Sym *, n_in);
  for (int k = 0; k < n_in; k++)
    {
      if (!onnx_has_input (node, k))
        continue;
      in[k] = onnx_lookup (ctx, node, k, error);
      if (in[k] == NULL)
        return FALSE;
      if (!is_data (in[k]))
        return TRUE;
    }
  if (in[0] == NULL)
    return TRUE;
  *handled = TRUE;

  if (strcmp (op, "Identity") == 0 || strcmp (op, "Dropout") == 0)
    out = in[0];
  else if (strcmp (op, "Cast") == 0)
    out = fold_cast (ctx, node, in[0]);
  else if (strcmp (op, "Gather") == 0 && n_in >= 2 && in[1] != NULL)
    out = fold_gather (ctx, node, name, in[0], in[1], error);
  else if (strcmp (op, "Slice") == 0)
    out = fold_slice (ctx, node, name, in[0], error);
  else if (strcmp (op, "Concat") == 0)
    {
      for (int k = 0; k < n_in; k++)
        if (in[k] == NULL)
          return fold_fail (ctx, name, op, "an input is missing", error);
      out = fold_concat (ctx, node, name, in, n_in, error);
    }
  else if (strcmp (op, "Transpose") == 0)
    out = fold_transpose (ctx, node, name, in[0], error);
  else if (strcmp (op, "Unsqueeze") == 0 || strcmp (op, "Squeeze") == 0 ||
           strcmp (op, "Reshape") == 0 || strcmp (op, "Flatten") == 0)
    out = fold_reshape_like (ctx, node, name, in[0], error);
  else if (strcmp (op, "ConstantOfShape") == 0)
    out = fold_constant_of_shape (ctx, node, name, in[0], error);
  else if (strcmp (op, "Where") == 0 || strcmp (op, "Range") == 0 ||
           strcmp (op, "ScatterND") == 0 || strcmp (op, "Expand") == 0)
    {
      for (int k = 0; k < (strcmp (op, "Expand") == 0 ? 2 : 3); k++)
        if (k >= n_in || in[k] == NULL)
          return fold_fail (ctx, name, op, "an input is missing", error);
      out = strcmp (op, "Where") == 0 ? fold_where (ctx, name, in, error)
            : strcmp (op, "Range") == 0 ? fold_range (ctx, name, in, error)
            : strcmp (op, "Expand") == 0 ? fold_expand (ctx, name, in[0], in[1], error)
            : fold_scatter_nd (ctx, node, name, in, error);
    }
  else if (is_one_of (op, (const char *const[]) { "Add", "Sub", "Mul", "Div", "Pow", "Mod",
                                                  "Equal", "Less", "LessOrEqual", "Greater",
                                                  "GreaterOrEqual", NULL }))
    {
      if (n_in < 2 || in[1] == NULL)
        return fold_fail (ctx, name, op, "an operand is missing", error);
      out = fold_arith (ctx, node, name, in[0], in[1], error);
    }
  else
    out = fold_arith (ctx, node, name, in[0], NULL, error);

  if (out == NULL)
    return FALSE;
  if (out != in[0] && !onnx_charge_made (ctx, out->n, name, op, error))
    return FALSE;
  return node->n_output >= 1 && onnx_bind (ctx, node->output[0], out, error);
}
