/* qviz-graph.c: building graphs, shape inference and per-node facts. */

#include "qviz-graph.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (qviz-error-quark, qviz_error)

static void
value_clear (QvizValue *v)
{
  g_clear_pointer (&v->name, g_free);
  g_clear_pointer (&v->data, g_free);
}

static void
node_clear (QvizNode *n)
{
  g_clear_pointer (&n->name, g_free);
  g_clear_pointer (&n->inputs, g_free);
  switch (n->op)
    {
    case QVIZ_OP_CONV:
      g_clear_pointer (&n->a.conv.weights, g_free);
      g_clear_pointer (&n->a.conv.bias, g_free);
      g_clear_pointer (&n->a.conv.weight_scales, g_free);
      g_clear_pointer (&n->a.conv.input_tap_mean, g_free);
      break;
    case QVIZ_OP_BATCHNORM:
      g_clear_pointer (&n->a.bn.gamma, g_free);
      g_clear_pointer (&n->a.bn.beta, g_free);
      g_clear_pointer (&n->a.bn.mean, g_free);
      g_clear_pointer (&n->a.bn.var, g_free);
      break;
    case QVIZ_OP_LINEAR:
      g_clear_pointer (&n->a.linear.weights, g_free);
      g_clear_pointer (&n->a.linear.bias, g_free);
      g_clear_pointer (&n->a.linear.input_mean, g_free);
      break;
    case QVIZ_OP_CONV_TRANSPOSE:
      g_clear_pointer (&n->a.convt.weights, g_free);
      g_clear_pointer (&n->a.convt.bias, g_free);
      break;
    case QVIZ_OP_LAYERNORM:
      g_clear_pointer (&n->a.layernorm.gamma, g_free);
      g_clear_pointer (&n->a.layernorm.beta, g_free);
      break;
    default:
      break;
    }
}

QvizGraph *
qviz_graph_new (const char *name, int in_channels)
{
  QvizGraph *g = g_new0 (QvizGraph, 1);

  g->name = g_strdup (name);
  g->source = g_strdup ("builtin");
  g->description = g_strdup ("");
  g->in_channels = in_channels;
  g->default_res = 512;
  g->values = g_array_new (FALSE, TRUE, sizeof (QvizValue));
  g_array_set_clear_func (g->values, (GDestroyNotify) value_clear);
  g->nodes = g_array_new (FALSE, TRUE, sizeof (QvizNode));
  g_array_set_clear_func (g->nodes, (GDestroyNotify) node_clear);
  g->outputs = g_array_new (FALSE, TRUE, sizeof (int));
  g->input = qviz_graph_add_value (g, "input", NULL, NULL);
  return g;
}

void
qviz_graph_free (QvizGraph *g)
{
  if (g == NULL)
    return;
  g_free (g->name);
  g_free (g->source);
  g_free (g->description);
  g_array_unref (g->values);
  g_array_unref (g->nodes);
  g_array_unref (g->outputs);
  g_free (g);
}

int
qviz_graph_add_value (QvizGraph *g, const char *name, float *data,
                      const QvizShape *shape)
{
  QvizValue v = { 0 };

  g_return_val_if_fail (g != NULL, -1);
  v.name = g_strdup (name);
  v.producer = -1;
  v.data = data;
  if (shape != NULL)
    v.shape = *shape;
  g_array_append_val (g->values, v);
  return (int) g->values->len - 1;
}

QvizNode *
qviz_graph_add_node (QvizGraph *g, const char *name, QvizOp op,
                     const int *inputs, int n_inputs)
{
  QvizNode n = { 0 };

  g_return_val_if_fail (g != NULL, NULL);
  g_return_val_if_fail (n_inputs >= 0, NULL);
  for (int i = 0; i < n_inputs; i++)
    g_return_val_if_fail (inputs[i] >= 0 && inputs[i] < (int) g->values->len, NULL);

  n.node_index = (int) g->nodes->len;
  n.name = g_strdup (name);
  n.op = op;
  n.n_inputs = n_inputs;
  n.inputs = g_memdup2 (inputs, sizeof (int) * (gsize) MAX (n_inputs, 1));
  n.output = qviz_graph_add_value (g, name, NULL, NULL);
  qviz_graph_value (g, n.output)->producer = n.node_index;
  g_array_append_val (g->nodes, n);
  return qviz_graph_node (g, n.node_index);
}

void
qviz_graph_add_output (QvizGraph *g, int value)
{
  g_return_if_fail (g != NULL);
  g_return_if_fail (value >= 0 && value < (int) g->values->len);
  g_array_append_val (g->outputs, value);
}

const char *
qviz_op_name (QvizOp op)
{
  static const char *const names[QVIZ_N_OPS] = {
    [QVIZ_OP_CONV] = "conv",
    [QVIZ_OP_BATCHNORM] = "batchnorm",
    [QVIZ_OP_ACTIVATION] = "activation",
    [QVIZ_OP_ADD] = "add",
    [QVIZ_OP_SUB] = "sub",
    [QVIZ_OP_MUL] = "mul",
    [QVIZ_OP_DIV] = "div",
    [QVIZ_OP_GLOBAL_AVGPOOL] = "global_avgpool",
    [QVIZ_OP_AVGPOOL] = "avgpool",
    [QVIZ_OP_MAXPOOL] = "maxpool",
    [QVIZ_OP_RESIZE] = "resize",
    [QVIZ_OP_CONCAT] = "concat",
    [QVIZ_OP_LINEAR] = "linear",
    [QVIZ_OP_FLATTEN] = "flatten",
    [QVIZ_OP_RESHAPE] = "reshape",
    [QVIZ_OP_TRANSPOSE] = "transpose",
    [QVIZ_OP_SOFTMAX] = "softmax",
    [QVIZ_OP_IDENTITY] = "identity",
    [QVIZ_OP_PAD] = "pad",
    [QVIZ_OP_LOG_SOFTMAX] = "log_softmax",
    [QVIZ_OP_SLICE] = "slice",
    [QVIZ_OP_LAYERNORM] = "layer_norm",
    [QVIZ_OP_MATMUL] = "matmul",
    [QVIZ_OP_REDUCE] = "reduce",
    [QVIZ_OP_EQUAL] = "equal",
    [QVIZ_OP_LESS] = "less",
    [QVIZ_OP_LESS_EQUAL] = "less_equal",
    [QVIZ_OP_GREATER] = "greater",
    [QVIZ_OP_GREATER_EQUAL] = "greater_equal",
    [QVIZ_OP_WHERE] = "where",
    [QVIZ_OP_CONV_TRANSPOSE] = "conv_transpose",
  };
  return (op >= 0 && op < QVIZ_N_OPS) ? names[op] : "unknown";
}

int
qviz_op_name_width (void)
{
  int width = (int) strlen ("unknown");

  for (int op = 0; op < QVIZ_N_OPS; op++)
    width = MAX (width, (int) strlen (qviz_op_name ((QvizOp) op)));
  return width;
}

const char *
qviz_activation_name (qvk_act act)
{
  switch (act)
    {
    case QVK_ACT_NONE: return "none";
    case QVK_ACT_RELU: return "relu";
    case QVK_ACT_CLIP: return "clip";
    case QVK_ACT_HARDSWISH: return "hardswish";
    case QVK_ACT_HARDSIGMOID: return "hardsigmoid";
    case QVK_ACT_SIGMOID: return "sigmoid";
    case QVK_ACT_TANH: return "tanh";
    case QVK_ACT_LEAKY_RELU: return "leakyrelu";
    case QVK_ACT_ELU: return "elu";
    case QVK_ACT_SOFTPLUS: return "softplus";
    case QVK_ACT_ERF: return "erf";
    case QVK_ACT_SQRT: return "sqrt";
    default: return "unknown";
    }
}

char *
qviz_shape_to_string (const QvizShape *s)
{
  GString *str = g_string_new (NULL);

  for (int i = 0; i < s->rank; i++)
    g_string_append_printf (str, "%s%" G_GINT64_FORMAT, i ? "x" : "", s->dims[i]);
  if (s->rank == 0)
    g_string_append (str, "scalar");
  return g_string_free (str, FALSE);
}

char *
qviz_node_describe_window (const QvizNode *n)
{
  g_return_val_if_fail (n != NULL, NULL);
  if (n->op == QVIZ_OP_CONV)
    {
      const QvizConvAttrs *c = &n->a.conv;
      return g_strdup_printf ("%dx%d s%d d%d g%d", c->kernel_h, c->kernel_w,
                              c->stride_h, c->dilation_h, c->groups);
    }
  if (n->op == QVIZ_OP_AVGPOOL || n->op == QVIZ_OP_MAXPOOL)
    {
      const QvizPoolAttrs *p = &n->a.pool;
      return g_strdup_printf ("%dx%d s%d", p->kernel_h, p->kernel_w, p->stride_h);
    }
  return NULL;
}

void
qviz_window_resolve_pads (QvizPadMode mode, int in_h, int in_w,
                          int kernel_h, int kernel_w, int stride_h, int stride_w,
                          int dilation_h, int dilation_w,
                          const int explicit_pads[4], int pads[4])
{
  int in[2] = { in_h, in_w };
  int k[2] = { kernel_h, kernel_w };
  int s[2] = { stride_h, stride_w };
  int d[2] = { dilation_h, dilation_w };

  for (int i = 0; i < 2; i++)
    {
      int total;

      switch (mode)
        {
        case QVIZ_PAD_EXPLICIT:
          pads[i] = explicit_pads[i];
          pads[i + 2] = explicit_pads[i + 2];
          break;
        case QVIZ_PAD_VALID:
          pads[i] = pads[i + 2] = 0;
          break;
        case QVIZ_PAD_SAME_UPPER:
        case QVIZ_PAD_SAME_LOWER:
          total = ((in[i] + s[i] - 1) / s[i] - 1) * s[i] + (k[i] - 1) * d[i] + 1 - in[i];
          total = MAX (total, 0);
          pads[i] = mode == QVIZ_PAD_SAME_UPPER ? total / 2 : total - total / 2;
          pads[i + 2] = total - pads[i];
          break;
        }
    }
}

/* Output size of a window over one axis; 0 or less when it does not fit. */
static int
window_out (int in, int pad_begin, int pad_end, int kernel, int stride,
            int dilation, gboolean ceil_mode)
{
  int span = (kernel - 1) * dilation + 1;
  int avail = in + pad_begin + pad_end - span;

  if (avail < 0)
    return 0;
  if (ceil_mode)
    {
      int out = (avail + stride - 1) / stride + 1;
      /* PyTorch: the last window must start inside the input or left pad. */
      if ((out - 1) * stride >= in + pad_begin)
        out--;
      return out;
    }
  return avail / stride + 1;
}

static gboolean
check_feature_map (const QvizNode *n, const QvizShape *x, GError **error)
{
  if (x->rank != 4 || !x->nhwc)
    {
      g_autofree char *str = qviz_shape_to_string (x);
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                   "Node '%s' (%s) needs a 4-D feature map input, got %s.",
                   n->name, qviz_op_name (n->op), str);
      return FALSE;
    }
  return TRUE;
}

static gboolean
broadcast_shapes (const QvizNode *n, const QvizShape *a, const QvizShape *b,
                  QvizShape *out, GError **error)
{
  int rank = MAX (a->rank, b->rank);

  memset (out, 0, sizeof *out);
  out->rank = rank;
  for (int i = 0; i < rank; i++)
    {
      int ia = i - (rank - a->rank), ib = i - (rank - b->rank);
      int64_t da = ia >= 0 ? a->dims[ia] : 1;
      int64_t db = ib >= 0 ? b->dims[ib] : 1;

      if (da != db && da != 1 && db != 1)
        {
          g_autofree char *sa = qviz_shape_to_string (a);
          g_autofree char *sb = qviz_shape_to_string (b);
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                       "Node '%s' (%s): shapes %s and %s do not broadcast.",
                       n->name, qviz_op_name (n->op), sa, sb);
          return FALSE;
        }
      out->dims[i] = MAX (da, db);
    }
  out->nhwc = rank == 4 && ((a->rank == 4 && a->nhwc) || (b->rank == 4 && b->nhwc));
  return TRUE;
}

static gboolean
infer_reshape (const QvizGraph *g, const QvizNode *n, const QvizShape *shapes,
               const QvizShape *x, QvizShape *out, GError **error)
{
  const QvizReshapeAttrs *r = &n->a.reshape;
  int64_t known = 1, total = qviz_shape_numel (x);
  int infer_at = -1;

  memset (out, 0, sizeof *out);
  out->rank = r->rank;
  out->nhwc = r->rank == 4 && !r->rows;
  for (int i = 0; i < r->rank; i++)
    {
      int64_t d = r->dims[i];
      if (r->has_like[i])
        {
          const QvizShape *like;
          /* only values computed before this node have a shape yet */
          if (r->like_value[i] < 0 || r->like_value[i] >= qviz_graph_n_values (g) ||
              qviz_graph_value (g, r->like_value[i])->producer >= n->node_index)
            goto bad;
          like = &shapes[r->like_value[i]];
          if (r->like_dim[i] < 0 || r->like_dim[i] >= like->rank)
            goto bad;
          d = like->dims[r->like_dim[i]];
        }
      else if (d == 0)
        {
          if (i >= x->rank)
            goto bad;
          d = x->dims[i];
        }
      if (d == -1)
        {
          if (infer_at >= 0)
            goto bad;
          infer_at = i;
          continue;
        }
      if (d < 0 || __builtin_mul_overflow (known, d, &known))
        goto bad;
      out->dims[i] = d;
    }
  if (infer_at >= 0)
    {
      if (known == 0 || total % known != 0)
        goto bad;
      out->dims[infer_at] = total / known;
    }
  else if (known != total)
    goto bad;
  return TRUE;

bad:
  {
    g_autofree char *sx = qviz_shape_to_string (x);
    g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                 "Node '%s' (reshape): cannot reshape %s to the requested %d-D shape.",
                 n->name, sx, r->rank);
    return FALSE;
  }
}

gboolean
qviz_slice_resolve (const QvizSliceAttrs *a, const QvizShape *in, int64_t begin[QVIZ_MAX_RANK],
                    int64_t step[QVIZ_MAX_RANK], QvizShape *out)
{
  gboolean seen[QVIZ_MAX_RANK] = { FALSE };

  g_return_val_if_fail (a != NULL && in != NULL && out != NULL, FALSE);

  *out = *in;
  for (int d = 0; d < in->rank; d++)
    {
      begin[d] = 0;
      step[d] = 1;
    }
  if (a->n_axes < 0 || a->n_axes > in->rank)
    return FALSE;
  for (int k = 0; k < a->n_axes; k++)
    {
      int axis = a->axes[k] < 0 ? a->axes[k] + in->rank : a->axes[k];
      int64_t dim, s, e, st = a->steps[k];

      if (axis < 0 || axis >= in->rank || seen[axis] || st == 0)
        return FALSE;
      seen[axis] = TRUE;
      dim = in->dims[axis];
      /* ONNX clamps starts and ends to the axis; a step longer than the
       * axis takes one element at most, and clamping it keeps the
       * arithmetic in range. */
      st = CLAMP (st, -(dim + 1), dim + 1);
      s = a->starts[k] < 0 ? MAX (a->starts[k], -dim - 1) + dim : a->starts[k];
      e = a->ends[k] < 0 ? MAX (a->ends[k], -dim - 1) + dim : a->ends[k];
      if (a->exact && (s < 0 || s >= dim || (a->ends[k] != G_MAXINT64 && (e <= s || e > dim))))
        return FALSE;
      if (st > 0)
        {
          s = CLAMP (s, 0, dim);
          e = CLAMP (e, 0, dim);
          out->dims[axis] = e > s ? (e - s + st - 1) / st : 0;
        }
      else
        {
          s = CLAMP (s, 0, dim - 1);
          e = CLAMP (e, -1, dim - 1);
          out->dims[axis] = s > e ? (s - e - st - 1) / -st : 0;
        }
      begin[axis] = s;
      step[axis] = st;
    }
  return TRUE;
}

static gboolean
infer_node (const QvizGraph *g, const QvizNode *n, QvizShape *shapes, GError **error)
{
  const QvizShape *x = &shapes[n->inputs[0]];
  QvizShape *out = &shapes[n->output];
  int pads[4];

  switch (n->op)
    {
    case QVIZ_OP_CONV:
      {
        const QvizConvAttrs *c = &n->a.conv;
        int explicit_pads[4] = { c->pad_top, c->pad_left, c->pad_bottom, c->pad_right };
        int oh, ow;

        if (!check_feature_map (n, x, error))
          return FALSE;
        if (x->dims[1] != c->in_channels || c->groups <= 0 ||
            c->in_channels % c->groups != 0 || c->out_channels % c->groups != 0)
          {
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (conv): input has %" G_GINT64_FORMAT
                         " channels but the weights expect %d in %d groups.",
                         n->name, x->dims[1], c->in_channels, c->groups);
            return FALSE;
          }
        qviz_window_resolve_pads (c->pad_mode, (int) x->dims[2], (int) x->dims[3],
                                  c->kernel_h, c->kernel_w, c->stride_h, c->stride_w,
                                  c->dilation_h, c->dilation_w, explicit_pads, pads);
        oh = window_out ((int) x->dims[2], pads[0], pads[2], c->kernel_h, c->stride_h,
                         c->dilation_h, FALSE);
        ow = window_out ((int) x->dims[3], pads[1], pads[3], c->kernel_w, c->stride_w,
                         c->dilation_w, FALSE);
        if (oh <= 0 || ow <= 0)
          {
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (conv): a %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                         " input is too small for a %dx%d kernel with dilation %d; "
                         "use a larger resolution.",
                         n->name, x->dims[2], x->dims[3], c->kernel_h, c->kernel_w,
                         c->dilation_h);
            return FALSE;
          }
        *out = (QvizShape) { 4, { x->dims[0], c->out_channels, oh, ow }, TRUE };
        return TRUE;
      }

    case QVIZ_OP_AVGPOOL:
    case QVIZ_OP_MAXPOOL:
      {
        const QvizPoolAttrs *p = &n->a.pool;
        int explicit_pads[4] = { p->pad_top, p->pad_left, p->pad_bottom, p->pad_right };
        int oh, ow;

        if (!check_feature_map (n, x, error))
          return FALSE;
        qviz_window_resolve_pads (p->pad_mode, (int) x->dims[2], (int) x->dims[3],
                                  p->kernel_h, p->kernel_w, p->stride_h, p->stride_w,
                                  MAX (p->dilation_h, 1), MAX (p->dilation_w, 1),
                                  explicit_pads, pads);
        oh = window_out ((int) x->dims[2], pads[0], pads[2], p->kernel_h, p->stride_h,
                         MAX (p->dilation_h, 1), p->ceil_mode);
        ow = window_out ((int) x->dims[3], pads[1], pads[3], p->kernel_w, p->stride_w,
                         MAX (p->dilation_w, 1), p->ceil_mode);
        if (oh <= 0 || ow <= 0)
          {
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (%s): a %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                         " input is too small for a %dx%d window; use a larger resolution.",
                         n->name, qviz_op_name (n->op), x->dims[2], x->dims[3],
                         p->kernel_h, p->kernel_w);
            return FALSE;
          }
        *out = (QvizShape) { 4, { x->dims[0], x->dims[1], oh, ow }, TRUE };
        return TRUE;
      }

    case QVIZ_OP_PAD:
      {
        const QvizPadAttrs *p = &n->a.pad;
        int64_t oh, ow;

        if (!check_feature_map (n, x, error))
          return FALSE;
        oh = x->dims[2] + p->top + p->bottom;
        ow = x->dims[3] + p->left + p->right;
        if (oh < 1 || ow < 1)
          {
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (pad): the %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                         " input is cropped to nothing.", n->name, x->dims[2], x->dims[3]);
            return FALSE;
          }
        if (p->fill == QVIZ_PAD_FILL_REFLECT &&
            (p->top >= x->dims[2] || p->bottom >= x->dims[2] || p->left >= x->dims[3] ||
             p->right >= x->dims[3]))
          {
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (pad): reflecting pads must be smaller than the "
                         "%" G_GINT64_FORMAT "x%" G_GINT64_FORMAT " input.", n->name,
                         x->dims[2], x->dims[3]);
            return FALSE;
          }
        *out = (QvizShape) { 4, { x->dims[0], x->dims[1], oh, ow }, TRUE };
        return TRUE;
      }

    case QVIZ_OP_GLOBAL_AVGPOOL:
      if (!check_feature_map (n, x, error))
        return FALSE;
      *out = (QvizShape) { 4, { x->dims[0], x->dims[1], 1, 1 }, TRUE };
      return TRUE;

    case QVIZ_OP_BATCHNORM:
      if (!check_feature_map (n, x, error))
        return FALSE;
      if (x->dims[1] != n->a.bn.channels)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                       "Node '%s' (batchnorm): input has %" G_GINT64_FORMAT
                       " channels, the statistics %d.", n->name, x->dims[1],
                       n->a.bn.channels);
          return FALSE;
        }
      *out = *x;
      return TRUE;

    case QVIZ_OP_ACTIVATION:
    case QVIZ_OP_IDENTITY:
    case QVIZ_OP_SOFTMAX:
    case QVIZ_OP_LOG_SOFTMAX:
      *out = *x;
      return TRUE;

    case QVIZ_OP_ADD:
    case QVIZ_OP_SUB:
    case QVIZ_OP_MUL:
    case QVIZ_OP_DIV:
    case QVIZ_OP_EQUAL:
    case QVIZ_OP_LESS:
    case QVIZ_OP_LESS_EQUAL:
    case QVIZ_OP_GREATER:
    case QVIZ_OP_GREATER_EQUAL:
      if (n->n_inputs != 2)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                       "Node '%s' (%s) needs two inputs, has %d.", n->name,
                       qviz_op_name (n->op), n->n_inputs);
          return FALSE;
        }
      return broadcast_shapes (n, x, &shapes[n->inputs[1]], out, error);

    case QVIZ_OP_CONV_TRANSPOSE:
      {
        const QvizConvTransposeAttrs *c = &n->a.convt;
        int64_t oh, ow;

        if (!check_feature_map (n, x, error))
          return FALSE;
        if (x->dims[1] != c->in_channels)
          {
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (conv_transpose): input has %" G_GINT64_FORMAT
                         " channels, the weights %d.", n->name, x->dims[1], c->in_channels);
            return FALSE;
          }
        oh = (x->dims[2] - 1) * c->stride_h - c->pad_top - c->pad_bottom +
             (int64_t) c->dilation_h * (c->kernel_h - 1) + c->output_padding_h + 1;
        ow = (x->dims[3] - 1) * c->stride_w - c->pad_left - c->pad_right +
             (int64_t) c->dilation_w * (c->kernel_w - 1) + c->output_padding_w + 1;
        if (oh < 1 || ow < 1 || oh > G_MAXINT32 || ow > G_MAXINT32)
          {
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (conv_transpose): a %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                         " input gives no valid output size.", n->name, x->dims[2], x->dims[3]);
            return FALSE;
          }
        if (c->fixed_out_h > 0 && (oh != c->fixed_out_h || ow != c->fixed_out_w))
          {
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (conv_transpose): its pads give the %dx%d output the file "
                         "asks for only at the file's input size, not at %" G_GINT64_FORMAT
                         "x%" G_GINT64_FORMAT ".", n->name, c->fixed_out_h, c->fixed_out_w,
                         x->dims[2], x->dims[3]);
            return FALSE;
          }
        *out = *x;
        out->dims[1] = c->out_channels;
        out->dims[2] = oh;
        out->dims[3] = ow;
        return TRUE;
      }

    case QVIZ_OP_WHERE:
      {
        QvizShape cx;

        if (n->n_inputs != 3)
          {
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (where) needs three inputs, has %d.", n->name,
                         n->n_inputs);
            return FALSE;
          }
        return broadcast_shapes (n, x, &shapes[n->inputs[1]], &cx, error) &&
               broadcast_shapes (n, &cx, &shapes[n->inputs[2]], out, error);
      }

    case QVIZ_OP_RESIZE:
      {
        const QvizResizeAttrs *r = &n->a.resize;
        int64_t oh, ow;

        if (!check_feature_map (n, x, error))
          return FALSE;
        switch (r->target)
          {
          case QVIZ_RESIZE_SCALES:
            {
              double fh = floor ((double) x->dims[2] * r->scale_h);
              double fw = floor ((double) x->dims[3] * r->scale_w);

              /* Scales come from the file: keep the casts defined. */
              if (!(fh >= 1 && fh <= G_MAXINT32 && fw >= 1 && fw <= G_MAXINT32))
                {
                  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                               "Node '%s' (resize): scales %g x %g do not give a valid "
                               "size from %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT ".",
                               n->name, (double) r->scale_h, (double) r->scale_w,
                               x->dims[2], x->dims[3]);
                  return FALSE;
                }
              oh = (int64_t) fh;
              ow = (int64_t) fw;
            }
            break;
          case QVIZ_RESIZE_SIZES:
            oh = r->out_h;
            ow = r->out_w;
            break;
          case QVIZ_RESIZE_LIKE:
          default:
            {
              const QvizShape *like = &shapes[r->like_value];
              if (like->rank != 4)
                {
                  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                               "Node '%s' (resize): the reference '%s' is not a feature map.",
                               n->name, qviz_graph_value (g, r->like_value)->name);
                  return FALSE;
                }
              oh = like->dims[2];
              ow = like->dims[3];
            }
            break;
          }
        if (oh <= 0 || ow <= 0)
          {
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (resize): output size %" G_GINT64_FORMAT "x%"
                         G_GINT64_FORMAT " is empty.", n->name, oh, ow);
            return FALSE;
          }
        *out = (QvizShape) { 4, { x->dims[0], x->dims[1], oh, ow }, TRUE };
        return TRUE;
      }

    case QVIZ_OP_CONCAT:
      {
        int axis = n->a.axis < 0 ? n->a.axis + x->rank : n->a.axis;
        gboolean all_nhwc = TRUE;

        if (axis < 0 || axis >= x->rank)
          {
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (concat): axis %d is out of range for rank %d.",
                         n->name, n->a.axis, x->rank);
            return FALSE;
          }
        *out = *x;
        out->dims[axis] = 0;
        for (int i = 0; i < n->n_inputs; i++)
          {
            const QvizShape *s = &shapes[n->inputs[i]];
            for (int d = 0; d < x->rank; d++)
              if (s->rank != x->rank || (d != axis && s->dims[d] != x->dims[d]))
                {
                  g_autofree char *sa = qviz_shape_to_string (x);
                  g_autofree char *sb = qviz_shape_to_string (s);
                  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                               "Node '%s' (concat): inputs %s and %s differ outside axis %d.",
                               n->name, sa, sb, axis);
                  return FALSE;
                }
            out->dims[axis] += s->dims[axis];
            all_nhwc = all_nhwc && s->nhwc;
          }
        out->nhwc = all_nhwc && x->rank == 4;
        return TRUE;
      }

    case QVIZ_OP_LINEAR:
      {
        const QvizLinearAttrs *l = &n->a.linear;
        int64_t last;

        if (x->rank < 1)
          {
            /* a scalar (a folded constant, say) has no features to mix */
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (linear) needs an input of rank 1 or more, not a scalar.",
                         n->name);
            return FALSE;
          }
        last = x->rank == 4 && x->nhwc ? x->dims[1] : x->dims[x->rank - 1];
        if (x->rank == 4 && x->nhwc && (x->dims[2] != 1 || x->dims[3] != 1))
          {
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (linear) needs a flattened input.", n->name);
            return FALSE;
          }
        if (last != l->in_features)
          {
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (linear): input has %" G_GINT64_FORMAT
                         " features, the weights expect %d.", n->name, last,
                         l->in_features);
            return FALSE;
          }
        if (x->rank == 4 && x->nhwc)
          *out = (QvizShape) { 2, { x->dims[0], l->out_features }, FALSE };
        else
          {
            *out = *x;
            out->dims[x->rank - 1] = l->out_features;
          }
        return TRUE;
      }

    case QVIZ_OP_FLATTEN:
      {
        int axis = n->a.axis < 0 ? n->a.axis + x->rank : n->a.axis;
        int64_t outer = 1, inner = 1;

        for (int d = 0; d < x->rank; d++)
          {
            if (d < axis)
              outer *= x->dims[d];
            else
              inner *= x->dims[d];
          }
        *out = (QvizShape) { 2, { outer, inner }, FALSE };
        return TRUE;
      }

    case QVIZ_OP_RESHAPE:
      return infer_reshape (g, n, shapes, x, out, error);

    case QVIZ_OP_REDUCE:
      {
        const QvizReduceAttrs *r = &n->a.reduce;
        int j = 0;
        if (r->axes >> x->rank)
          {
            g_autofree char *sx = qviz_shape_to_string (x);
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (reduce): its axes do not fit the input %s.", n->name, sx);
            return FALSE;
          }
        memset (out, 0, sizeof *out);
        for (int d = 0; d < x->rank; d++)
          {
            if (!(r->axes & (1u << d)))
              out->dims[j++] = x->dims[d];
            else if (r->keepdims)
              out->dims[j++] = 1;
          }
        out->rank = j;
        out->nhwc = j == 4 && x->nhwc && x->rank == 4;
        return TRUE;
      }

    case QVIZ_OP_MATMUL:
      {
        const QvizShape *b = &shapes[n->inputs[1]];
        int rank = MAX (x->rank, b->rank);
        gboolean ok = x->rank >= 2 && b->rank >= 2 &&
                      x->dims[x->rank - 1] == b->dims[b->rank - 2];
        memset (out, 0, sizeof *out);
        out->rank = rank;
        for (int d = 0; ok && d < rank - 2; d++)
          {
            int da = d - (rank - x->rank), db = d - (rank - b->rank);
            int64_t xa = da >= 0 ? x->dims[da] : 1, xb = db >= 0 ? b->dims[db] : 1;
            ok = xa == xb || xa == 1 || xb == 1;
            out->dims[d] = xa == 1 ? xb : xa;
          }
        if (!ok)
          {
            g_autofree char *sa = qviz_shape_to_string (x);
            g_autofree char *sb = qviz_shape_to_string (b);
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (matmul): %s and %s cannot be multiplied.", n->name, sa,
                         sb);
            return FALSE;
          }
        out->dims[rank - 2] = x->dims[x->rank - 2];
        out->dims[rank - 1] = b->dims[b->rank - 1];
        return TRUE;
      }

    case QVIZ_OP_LAYERNORM:
      {
        int axis = n->a.layernorm.axis < 0 ? n->a.layernorm.axis + x->rank
                                           : n->a.layernorm.axis;
        int64_t size = 1;
        for (int d = MAX (axis, 0); d < x->rank; d++)
          size *= x->dims[d];
        if (axis < 0 || axis >= x->rank ||
            (n->a.layernorm.size > 0 && size != n->a.layernorm.size))
          {
            g_autofree char *sx = qviz_shape_to_string (x);
            g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                         "Node '%s' (layer_norm): axis %d of input %s does not hold the %d "
                         "elements its scale has.", n->name, n->a.layernorm.axis, sx,
                         n->a.layernorm.size);
            return FALSE;
          }
        *out = *x;
        return TRUE;
      }

    case QVIZ_OP_SLICE:
      {
        int64_t begin[QVIZ_MAX_RANK], step[QVIZ_MAX_RANK];
        if (!qviz_slice_resolve (&n->a.slice, x, begin, step, out))
          {
            g_autofree char *sx = qviz_shape_to_string (x);
            if (n->a.slice.exact)
              g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                           "Node '%s' (gather): index %" G_GINT64_FORMAT " is out of range "
                           "for the input %s.", n->name, n->a.slice.starts[0], sx);
            else
              g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                           "Node '%s' (slice): its axes or steps do not fit the input %s.",
                           n->name, sx);
            return FALSE;
          }
        return TRUE;
      }

    case QVIZ_OP_TRANSPOSE:
      memset (out, 0, sizeof *out);
      out->rank = x->rank;
      for (int d = 0; d < x->rank; d++)
        {
          int p = n->a.perm[d];
          if (p < 0 || p >= x->rank)
            {
              g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                           "Node '%s' (transpose): permutation entry %d is out of range.",
                           n->name, p);
              return FALSE;
            }
          out->dims[d] = x->dims[p];
        }
      /* Back to channels first from a channels-last permute (ConvNeXt's
       * blocks): the memory is already that of a feature map. */
      out->nhwc = x->rank == 4 && !x->nhwc && n->a.perm[0] == 0 && n->a.perm[1] == 3 &&
                  n->a.perm[2] == 1 && n->a.perm[3] == 2;
      return TRUE;

    default:
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "Node '%s' has an unknown operator.", n->name);
      return FALSE;
    }
}

gboolean
qviz_graph_infer_shapes (const QvizGraph *g, int batch, int h, int w,
                         QvizShape *shapes, GError **error)
{
  g_return_val_if_fail (g != NULL, FALSE);
  g_return_val_if_fail (shapes != NULL, FALSE);

  if (batch < 1 || h < 1 || w < 1)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "Input size %dx%d (batch %d) is not a valid size.", h, w, batch);
      return FALSE;
    }
  if ((g->fixed_h > 0 && g->fixed_h != h) || (g->fixed_w > 0 && g->fixed_w != w))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "Model '%s' has a fixed input size of %dx%d; it cannot run at %dx%d.",
                   g->name, g->fixed_h, g->fixed_w, h, w);
      return FALSE;
    }

  for (int i = 0; i < qviz_graph_n_values (g); i++)
    {
      const QvizValue *v = qviz_graph_value (g, i);
      if (v->producer < 0 && i != g->input)
        shapes[i] = v->shape;
      else
        memset (&shapes[i], 0, sizeof shapes[i]);
    }
  shapes[g->input] = (QvizShape) { 4, { batch, g->in_channels, h, w }, TRUE };

  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      guint64 bytes;

      if (!infer_node (g, n, shapes, error))
        return FALSE;
      /* Every later size computation trusts the shapes: they must fit. */
      if (!qviz_shape_bytes_checked (&shapes[n->output], sizeof (float), &bytes))
        {
          g_autofree char *str = qviz_shape_to_string (&shapes[n->output]);

          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_MEMORY,
                       "Node '%s' (%s): its output of shape %s at %dx%d is larger than "
                       "qviz can hold.", n->name, qviz_op_name (n->op), str, h, w);
          return FALSE;
        }
    }
  return TRUE;
}

guint64
qviz_node_macs (const QvizGraph *g, const QvizNode *n, const QvizShape *shapes)
{
  const QvizShape *out = &shapes[n->output];

  switch (n->op)
    {
    case QVIZ_OP_CONV:
      {
        const QvizConvAttrs *c = &n->a.conv;
        return (guint64) qviz_shape_numel (out) * c->kernel_h * c->kernel_w *
               (guint64) (c->in_channels / c->groups);
      }
    case QVIZ_OP_CONV_TRANSPOSE:
      {
        /* every input pixel meets every tap of its group's outputs */
        const QvizConvTransposeAttrs *c = &n->a.convt;
        return (guint64) qviz_shape_numel (&shapes[n->inputs[0]]) * c->kernel_h * c->kernel_w *
               (guint64) (c->out_channels / c->groups);
      }
    case QVIZ_OP_LINEAR:
      return (guint64) qviz_shape_numel (out) * (guint64) n->a.linear.in_features;
    default:
      return 0;
    }
}

guint64
qviz_node_params (const QvizNode *n)
{
  switch (n->op)
    {
    case QVIZ_OP_CONV:
      {
        const QvizConvAttrs *c = &n->a.conv;
        return (guint64) c->out_channels * c->kernel_h * c->kernel_w *
               (guint64) (c->in_channels / c->groups) +
               (c->bias ? (guint64) c->out_channels : 0);
      }
    case QVIZ_OP_BATCHNORM:
      return 2 * (guint64) n->a.bn.channels;
    case QVIZ_OP_CONV_TRANSPOSE:
      return (guint64) n->a.convt.in_channels * (n->a.convt.out_channels / n->a.convt.groups) *
             n->a.convt.kernel_h * n->a.convt.kernel_w +
             (n->a.convt.bias ? (guint64) n->a.convt.out_channels : 0);
    case QVIZ_OP_LINEAR:
      return (guint64) n->a.linear.in_features * n->a.linear.out_features +
             (n->a.linear.bias ? (guint64) n->a.linear.out_features : 0);
    case QVIZ_OP_LAYERNORM:
      return (n->a.layernorm.gamma ? (guint64) n->a.layernorm.size : 0) +
             (n->a.layernorm.beta ? (guint64) n->a.layernorm.size : 0);
    default:
      return 0;
    }
}

guint64
qviz_graph_params (const QvizGraph *g)
{
  guint64 total = 0;

  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    total += qviz_node_params (qviz_graph_node (g, i));
  return total;
}

gboolean
qviz_node_is_depthwise (const QvizGraph *g, const QvizNode *n, const QvizShape *shapes)
{
  const QvizConvAttrs *c = &n->a.conv;

  if (n->op != QVIZ_OP_CONV)
    return FALSE;
  return c->groups > 1 && c->groups == c->in_channels && c->out_channels == c->in_channels;
}

gboolean
qviz_node_is_dilated (const QvizNode *n)
{
  if (n->op == QVIZ_OP_CONV)
    return n->a.conv.dilation_h > 1 || n->a.conv.dilation_w > 1;
  if (n->op == QVIZ_OP_MAXPOOL)
    return n->a.pool.dilation_h > 1 || n->a.pool.dilation_w > 1;
  return FALSE;
}
