/* qviz-onnx-ops.c: mapping ONNX operators onto engine graph nodes.
 *
 * Float operators map one to one (Identity, Dropout and casts to float are
 * aliases and produce no node; constants and shape computations are
 * evaluated in qviz-onnx-shape.c).  Quantized forms -- QuantizeLinear /
 * DequantizeLinear pairs around float operators, QLinearConv, QLinearMatMul
 * and the com.microsoft QLinear* operators -- become the same float nodes,
 * with the file's scales and zero points stored on the values they
 * describe and int8 weights dequantized (keeping their scales).
 */

#include "qviz-onnx-private.h"
#include "qvk-reduce.h"

#include <float.h>
#include <math.h>
#include <string.h>

typedef struct {
  const char *domain; /* NULL: the default domain */
  const char *op;
} KnownOp;

static const KnownOp known_ops[] = {
  { NULL, "Conv" }, { NULL, "BatchNormalization" }, { NULL, "Relu" }, { NULL, "Clip" },
  { NULL, "HardSigmoid" }, { NULL, "HardSwish" }, { NULL, "Sigmoid" }, { NULL, "Mul" },
  { NULL, "Add" }, { NULL, "Sub" }, { NULL, "Div" }, { NULL, "GlobalAveragePool" },
  { NULL, "AveragePool" }, { NULL, "MaxPool" }, { NULL, "Resize" }, { NULL, "Upsample" },
  { NULL, "Concat" }, { NULL, "Gemm" }, { NULL, "MatMul" }, { NULL, "Flatten" },
  { NULL, "Reshape" }, { NULL, "Transpose" }, { NULL, "Squeeze" }, { NULL, "Unsqueeze" },
  { NULL, "Identity" }, { NULL, "Dropout" }, { NULL, "Constant" }, { NULL, "Softmax" },
  { NULL, "Shape" }, { NULL, "Gather" }, { NULL, "Slice" }, { NULL, "Cast" },
  { NULL, "ConstantOfShape" }, { NULL, "Pow" }, { NULL, "Floor" }, { NULL, "Ceil" },
  { NULL, "Sqrt" }, { NULL, "Neg" },
  { NULL, "Equal" }, { NULL, "Less" }, { NULL, "LessOrEqual" }, { NULL, "Greater" },
  { NULL, "GreaterOrEqual" }, { NULL, "Where" }, { NULL, "Expand" }, { NULL, "ConvTranspose" },
  { NULL, "Tanh" }, { NULL, "LeakyRelu" }, { NULL, "Elu" }, { NULL, "Softplus" },
  { NULL, "Erf" }, { NULL, "PRelu" }, { NULL, "ReduceMean" }, { NULL, "ReduceSum" },
  { NULL, "ReduceMax" }, { NULL, "ReduceMin" }, { NULL, "ReduceL1" }, { NULL, "ReduceL2" },
  { NULL, "ReduceSumSquare" },
  /* Only on tensors known at load time (the masks and indices that shifted
   * window attention computes from shapes). */
  { NULL, "Einsum" }, { NULL, "Mod" }, { NULL, "Not" }, { NULL, "Range" }, { NULL, "ScatterND" },
  { NULL, "Pad" }, { NULL, "LogSoftmax" }, { NULL, "Split" }, { NULL, "LayerNormalization" },
  { NULL, "QuantizeLinear" }, { NULL, "DequantizeLinear" }, { NULL, "QLinearConv" },
  { NULL, "QLinearMatMul" },
  { "com.microsoft", "QuantizeLinear" }, { "com.microsoft", "DequantizeLinear" },
  { "com.microsoft", "QLinearAdd" }, { "com.microsoft", "QLinearMul" },
  { "com.microsoft", "QLinearGlobalAveragePool" }, { "com.microsoft", "QLinearConcat" },
  { "com.microsoft", "QLinearSigmoid" }, { "com.microsoft", "QGemm" },
};

const char *const *
qviz_onnx_supported_operators (void)
{
  static const char *names[G_N_ELEMENTS (known_ops) + 1];
  static gsize ready = 0;

  if (g_once_init_enter (&ready))
    {
      for (gsize k = 0; k < G_N_ELEMENTS (known_ops); k++)
        {
          const KnownOp *o = &known_ops[k];
          g_autofree char *full = o->domain ? g_strconcat (o->domain, ".", o->op, NULL) : NULL;
          names[k] = o->domain ? g_intern_string (full) : o->op;
        }
      g_once_init_leave (&ready, 1);
    }
  return names;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

char *
qviz_onnx_supported_operators_markdown (void)
{
  g_autoptr (GPtrArray) plain = g_ptr_array_new ();
  g_autoptr (GPtrArray) other = g_ptr_array_new ();
  GString *md = g_string_new (NULL);

  for (gsize k = 0; k < G_N_ELEMENTS (known_ops); k++)
    g_ptr_array_add (known_ops[k].domain ? other : plain, (gpointer) known_ops[k].op);
  g_ptr_array_sort (plain, compare_names);
  g_string_append (md, "- ONNX:");
  for (guint k = 0; k < plain->len; k++)
    g_string_append_printf (md, "%s `%s`", k ? "," : "", (const char *) plain->pdata[k]);
  g_ptr_array_sort (other, compare_names);
  g_string_append (md, "\n- com.microsoft:");
  for (guint k = 0; k < other->len; k++)
    g_string_append_printf (md, "%s `%s`", k ? "," : "", (const char *) other->pdata[k]);
  g_string_append (md, "\n");
  return g_string_free (md, FALSE);
}

static gboolean
default_domain (const char *d)
{
  return d == NULL || d[0] == '\0' || strcmp (d, "ai.onnx") == 0;
}

gboolean
onnx_op_is_known (const OnnxNode *node)
{
  for (gsize k = 0; k < G_N_ELEMENTS (known_ops); k++)
    {
      const KnownOp *o = &known_ops[k];
      if (strcmp (node->op_type, o->op) != 0)
        continue;
      if (o->domain == NULL ? default_domain (node->domain)
                            : g_strcmp0 (node->domain, o->domain) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_op (const OnnxNode *node, const char *op)
{
  return strcmp (node->op_type, op) == 0;
}

/* ---- hardswish recognition ---------------------------------------------- */

/* Follows name back through QuantizeLinear/DequantizeLinear producers. */
static const char *
trace_root (GHashTable *producers, const char *name, GPtrArray *chain,
            GHashTable *consumers, gboolean single_use)
{
  for (int guard = 0; guard < 8; guard++)
    {
      const OnnxNode *p = g_hash_table_lookup (producers, name);
      if (p == NULL || !(is_op (p, "QuantizeLinear") || is_op (p, "DequantizeLinear")) ||
          p->n_input < 1 || p->input[0] == NULL)
        break;
      if (single_use && GPOINTER_TO_UINT (g_hash_table_lookup (consumers, name)) != 1)
        break;
      if (chain != NULL)
        g_ptr_array_add (chain, (gpointer) p);
      name = p->input[0];
    }
  return name;
}

static guint
uses (OnnxCtx *ctx, const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (ctx->consumers, name));
}

/* The node producing input k of node if it is op, else NULL. */
static const OnnxNode *
producer_of (GHashTable *producers, const OnnxNode *node, int k, const char *op)
{
  const OnnxNode *p;

  if ((int) node->n_input <= k || node->input[k] == NULL)
    return NULL;
  p = g_hash_table_lookup (producers, node->input[k]);
  return p != NULL && is_op (p, op) && default_domain (p->domain) && p->n_input >= 1 ? p : NULL;
}

/* Layer normalization as exporters before opset 17 write it:
 *   m = ReduceMean(x); d = Sub(x, m); v = ReduceMean(Pow(d, 2));
 *   y = Div(d, Sqrt(Add(v, eps)))
 * becomes one layer_norm at the Div; the other nodes, used nowhere else,
 * disappear.  The constants (exponent, epsilon, axes) are checked when the
 * Div is read. */
static void
find_layer_norms (OnnxCtx *ctx, const OnnxGraph *graph, GHashTable *producers,
                  GHashTable *index_of)
{
  for (gsize k = 0; k < graph->n_node; k++)
    {
      const OnnxNode *div = graph->node[k], *sqrt_n, *add, *var, *pow_n, *sub, *mean;
      const OnnxNode *parts[6];
      int eps_side;

      if (!is_op (div, "Div") || !default_domain (div->domain) || div->n_input != 2 ||
          (sub = producer_of (producers, div, 0, "Sub")) == NULL ||
          (sqrt_n = producer_of (producers, div, 1, "Sqrt")) == NULL ||
          (add = producer_of (producers, sqrt_n, 0, "Add")) == NULL || add->n_input != 2)
        continue;
      eps_side = producer_of (producers, add, 0, "ReduceMean") != NULL ? 1 : 0;
      if ((var = producer_of (producers, add, 1 - eps_side, "ReduceMean")) == NULL ||
          (pow_n = producer_of (producers, var, 0, "Pow")) == NULL || pow_n->n_input != 2 ||
          sub->n_input != 2 || (mean = producer_of (producers, sub, 1, "ReduceMean")) == NULL ||
          strcmp (pow_n->input[0], div->input[0]) != 0 ||
          strcmp (mean->input[0], sub->input[0]) != 0)
        continue;
      /* every intermediate feeds only the chain (d feeds Pow and Div) */
      if (uses (ctx, mean->output[0]) != 1 || uses (ctx, sub->output[0]) != 2 ||
          uses (ctx, pow_n->output[0]) != 1 || uses (ctx, var->output[0]) != 1 ||
          uses (ctx, add->output[0]) != 1 || uses (ctx, sqrt_n->output[0]) != 1)
        continue;
      parts[0] = mean, parts[1] = sub, parts[2] = pow_n, parts[3] = var, parts[4] = add;
      parts[5] = sqrt_n;
      for (int j = 0; j < 6; j++)
        ctx->node_flags[GPOINTER_TO_SIZE (g_hash_table_lookup (index_of, parts[j]))] =
          NODE_SKIP;
      ctx->node_flags[k] = NODE_LAYERNORM;
      g_hash_table_insert (ctx->ln_mean, GSIZE_TO_POINTER (k), (gpointer) mean);
      g_hash_table_insert (ctx->ln_eps, GSIZE_TO_POINTER (k), (gpointer) add);
      g_hash_table_insert (ctx->ln_pow, GSIZE_TO_POINTER (k), (gpointer) pow_n);
      /* the variance's axes are read from the mean's node; they must agree */
      if (onnx_attr (var, "axes") != NULL && onnx_attr (mean, "axes") != NULL)
        {
          int64_t a1[QVIZ_MAX_RANK], a2[QVIZ_MAX_RANK];
          int n1 = onnx_attr_ints (mean, "axes", a1, QVIZ_MAX_RANK);
          int n2 = onnx_attr_ints (var, "axes", a2, QVIZ_MAX_RANK);
          if (n1 != n2 || n1 > QVIZ_MAX_RANK || memcmp (a1, a2, sizeof (int64_t) * MAX (n1, 0)))
            g_hash_table_insert (ctx->ln_mean, GSIZE_TO_POINTER (k), NULL);
        }
    }
}

void
onnx_prescan (OnnxCtx *ctx, const OnnxGraph *graph)
{
  g_autoptr (GHashTable) producers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) index_of = g_hash_table_new (NULL, NULL);

  ctx->graph = graph;
  for (gsize k = 0; k < graph->n_node; k++)
    {
      const OnnxNode *node = graph->node[k];
      g_hash_table_insert (index_of, (gpointer) node, GSIZE_TO_POINTER (k));
      for (gsize j = 0; j < node->n_output; j++)
        if (node->output[j] != NULL && node->output[j][0] != '\0')
          g_hash_table_insert (producers, node->output[j], (gpointer) node);
      for (gsize j = 0; j < node->n_input; j++)
        if (node->input[j] != NULL && node->input[j][0] != '\0')
          g_hash_table_insert (ctx->consumers, node->input[j],
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (
                                 g_hash_table_lookup (ctx->consumers, node->input[j])) + 1));
    }
  for (gsize k = 0; k < graph->n_output; k++)
    if (graph->output[k]->name != NULL)
      g_hash_table_insert (ctx->consumers, graph->output[k]->name, GUINT_TO_POINTER (1000));

  /* x * HardSigmoid(x) (how hardswish exports before opset 14) becomes one
   * hardswish activation; the HardSigmoid and its Q/DQ chain disappear. */
  for (gsize k = 0; k < graph->n_node; k++)
    {
      const OnnxNode *mul = graph->node[k];

      if (!is_op (mul, "Mul") || !default_domain (mul->domain) || mul->n_input != 2 ||
          mul->input[0] == NULL || mul->input[1] == NULL)
        continue;
      for (int j = 0; j < 2; j++)
        {
          g_autoptr (GPtrArray) chain = g_ptr_array_new ();
          const char *hs_out = trace_root (producers, mul->input[j], chain, ctx->consumers, TRUE);
          const OnnxNode *hs = g_hash_table_lookup (producers, hs_out);
          const char *x_root, *hs_root;

          if (hs == NULL || !is_op (hs, "HardSigmoid") || hs->n_input < 1 ||
              hs->input[0] == NULL ||
              GPOINTER_TO_UINT (g_hash_table_lookup (ctx->consumers, hs_out)) != 1 ||
              GPOINTER_TO_UINT (g_hash_table_lookup (ctx->consumers, mul->input[j])) != 1 ||
              fabsf (onnx_attr_float (hs, "alpha", 0.2f) - 1.0f / 6.0f) > 1e-4f ||
              fabsf (onnx_attr_float (hs, "beta", 0.5f) - 0.5f) > 1e-4f)
            continue;
          x_root = trace_root (producers, mul->input[1 - j], NULL, ctx->consumers, FALSE);
          hs_root = trace_root (producers, hs->input[0], NULL, ctx->consumers, FALSE);
          if (strcmp (x_root, hs_root) != 0)
            continue;
          g_ptr_array_add (chain, (gpointer) hs);
          for (guint c = 0; c < chain->len; c++)
            ctx->node_flags[GPOINTER_TO_SIZE (g_hash_table_lookup (index_of,
                                                                   chain->pdata[c]))] = NODE_SKIP;
          ctx->node_flags[k] = j == 1 ? NODE_HARDSWISH : NODE_HARDSWISH_X1;
          break;
        }
    }

  find_layer_norms (ctx, graph, producers, index_of);
}

/* ---- helpers -------------------------------------------------------------- */

static gboolean
fail (OnnxCtx *ctx, const char *name, const char *op, GError **error, const char *fmt, ...)
  G_GNUC_PRINTF (5, 6);

static gboolean
fail (OnnxCtx *ctx, const char *name, const char *op, GError **error, const char *fmt, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, fmt);
  msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED, "%s: node '%s' (%s): %s.",
               ctx->file, name, op, msg);
  return FALSE;
}

/* Input k, which must be computed from the image at run time. */
static Sym *
runtime_input (OnnxCtx *ctx, const OnnxNode *node, int k, const char *name, GError **error)
{
  Sym *s = onnx_lookup (ctx, node, k, error);

  if (s == NULL)
    return NULL;
  if (s->kind != SYM_VALUE)
    {
      fail (ctx, name, node->op_type, error,
            "input '%s' is %s, but it must be computed from the image",
            node->input[k], s->kind == SYM_CONST ? "a constant" : "a shape computation");
      return NULL;
    }
  return s;
}

/* Input k, which must be a float constant (optionally of a given rank). */
static Sym *
const_input (OnnxCtx *ctx, const OnnxNode *node, int k, const char *name, int rank,
             GError **error)
{
  Sym *s = onnx_lookup (ctx, node, k, error);

  if (s == NULL)
    return NULL;
  if (s->kind != SYM_CONST)
    {
      fail (ctx, name, node->op_type, error,
            "input '%s' must be a constant (weights computed at run time are not supported)",
            node->input[k]);
      return NULL;
    }
  if (rank >= 0 && s->rank != rank)
    {
      fail (ctx, name, node->op_type, error, "input '%s' has %d dimensions instead of %d",
            node->input[k], s->rank, rank);
      return NULL;
    }
  return s;
}

static float
const_float (const Sym *s, gsize k)
{
  return s->f != NULL ? s->f[k] : (float) s->i[k];
}

/* Adds a node named (uniquely) after name, and binds output 0 to its value. */
static QvizNode *
emit (OnnxCtx *ctx, const OnnxNode *node, const char *name, QvizOp op, const int *inputs,
      int n_inputs, Sym **out, GError **error)
{
  g_autofree char *unique = onnx_unique_name (ctx, name);
  QvizNode *n = qviz_graph_add_node (ctx->g, unique, op, inputs, n_inputs);
  Sym *s = onnx_sym_new (ctx, SYM_VALUE);

  s->value = n->output;
  if (!onnx_bind (ctx, node->output[0], s, error))
    return NULL;
  *out = s;
  return n;
}

static QvizNode *
emit_unary (OnnxCtx *ctx, const OnnxNode *node, const char *name, QvizOp op, Sym *x,
            GError **error)
{
  Sym *out;
  QvizNode *n = emit (ctx, node, name, op, &x->value, 1, &out, error);

  if (n != NULL)
    {
      out->rank = x->rank;
      memcpy (out->dims, x->dims, sizeof out->dims);
    }
  return n;
}

static gboolean
emit_activation (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x,
                 qvk_activation act, GError **error)
{
  QvizNode *n = emit_unary (ctx, node, name, QVIZ_OP_ACTIVATION, x, error);

  if (n == NULL)
    return FALSE;
  n->a.act = act;
  return TRUE;
}

static gboolean
read_window (OnnxCtx *ctx, const OnnxNode *node, const char *name, int *kh, int *kw,
             int *sh, int *sw, int *dh, int *dw, int pads[4], QvizPadMode *mode,
             gboolean need_kernel, GError **error)
{
  int64_t v[8];
  int n;
  g_autofree char *auto_pad = onnx_attr_string (node, "auto_pad", "NOTSET");

  if ((n = onnx_attr_ints (node, "kernel_shape", v, 8)) >= 0 || need_kernel)
    {
      if (n != 2 || v[0] < 1 || v[1] < 1 || v[0] > 4096 || v[1] > 4096)
        return fail (ctx, name, node->op_type, error, "only 2-D windows are supported");
      *kh = (int) v[0];
      *kw = (int) v[1];
    }
  *sh = *sw = *dh = *dw = 1;
  if ((n = onnx_attr_ints (node, "strides", v, 8)) >= 0)
    {
      if (n != 2 || v[0] < 1 || v[1] < 1 || v[0] > 4096 || v[1] > 4096)
        return fail (ctx, name, node->op_type, error, "the strides are not valid");
      *sh = (int) v[0];
      *sw = (int) v[1];
    }
  if ((n = onnx_attr_ints (node, "dilations", v, 8)) >= 0)
    {
      if (n != 2 || v[0] < 1 || v[1] < 1 || v[0] > 4096 || v[1] > 4096)
        return fail (ctx, name, node->op_type, error, "the dilations are not valid");
      *dh = (int) v[0];
      *dw = (int) v[1];
    }
  memset (pads, 0, sizeof (int) * 4);
  if ((n = onnx_attr_ints (node, "pads", v, 8)) >= 0)
    {
      if (n != 4)
        return fail (ctx, name, node->op_type, error, "the pads are not valid");
      for (int k = 0; k < 4; k++)
        {
          if (v[k] < 0 || v[k] > 4096)
            return fail (ctx, name, node->op_type, error, "the pads are not valid");
          pads[k] = (int) v[k]; /* top, left, bottom, right */
        }
    }
  if (strcmp (auto_pad, "NOTSET") == 0 || auto_pad[0] == '\0')
    *mode = QVIZ_PAD_EXPLICIT;
  else if (strcmp (auto_pad, "SAME_UPPER") == 0)
    *mode = QVIZ_PAD_SAME_UPPER;
  else if (strcmp (auto_pad, "SAME_LOWER") == 0)
    *mode = QVIZ_PAD_SAME_LOWER;
  else if (strcmp (auto_pad, "VALID") == 0)
    *mode = QVIZ_PAD_VALID;
  else
    return fail (ctx, name, node->op_type, error, "auto_pad '%s' is not known", auto_pad);
  return TRUE;
}

/* ---- quantization parameters --------------------------------------------- */

static gboolean
quant_params (OnnxCtx *ctx, const OnnxNode *node, const char *name, int k_scale,
              int k_zp, QvizQuantParams *q, GError **error)
{
  Sym *scale = const_input (ctx, node, k_scale, name, -1, error);
  Sym *zp = NULL;
  float s;
  int z = 0;

  if (scale == NULL)
    return FALSE;
  if (onnx_has_input (node, k_zp) && (zp = const_input (ctx, node, k_zp, name, -1, error)) == NULL)
    return FALSE;
  if (scale->n != 1 || (zp != NULL && zp->n != 1))
    return fail (ctx, name, node->op_type, error,
                 "activations quantized per channel are not supported; only per tensor");
  s = const_float (scale, 0);
  if (!(s > 0) || !isfinite (s))
    return fail (ctx, name, node->op_type, error, "the scale %g is not valid", s);
  if (zp != NULL)
    {
      int64_t z64 = onnx_to_int (const_float (zp, 0));
      if (z64 < -1024 || z64 > 1024)
        return fail (ctx, name, node->op_type, error, "the zero point is out of range");
      z = (int) z64;
      if (zp->onnx_type == QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT8)
        z += 128; /* int8 with zero point z is uint8 with z + 128, same scale */
      else if (zp->onnx_type != QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT8)
        return fail (ctx, name, node->op_type, error,
                     "only 8-bit quantization is supported");
      if (z < 0 || z > 255)
        return fail (ctx, name, node->op_type, error, "the zero point is out of range");
    }
  q->valid = TRUE;
  q->scale = s;
  q->zero_point = z;
  return TRUE;
}

static void
set_value_quant (OnnxCtx *ctx, int value, const QvizQuantParams *q)
{
  QvizValue *v = qviz_graph_value (ctx->g, value);

  ctx->quant_seen = TRUE;
  if (!v->quant.valid && v->data == NULL)
    {
      v->quant = *q;
      v->file_quant = TRUE;
    }
}

/* Dequantizes a quantized constant (weights, biases): per tensor, or per
 * channel along axis.  int8 weights keep their scales for the int8 plan. */
static Sym *
dequantize_const (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *q,
                  Sym *scale, Sym *zp, int axis, GError **error)
{
  gsize inner = 1, channels = 1;
  gboolean per_channel = scale->n > 1;
  Sym *out;

  if (q->i == NULL)
    {
      fail (ctx, name, node->op_type, error, "the quantized input is not an integer tensor");
      return NULL;
    }
  if (per_channel)
    {
      if (axis < 0)
        axis += q->rank;
      if (axis < 0 || axis >= q->rank || (gsize) q->dims[axis] != scale->n ||
          (zp != NULL && zp->n != scale->n))
        {
          fail (ctx, name, node->op_type, error,
                "the %zu scales do not match axis %d of the weights", scale->n, axis);
          return NULL;
        }
      channels = scale->n;
      for (int d = axis + 1; d < q->rank; d++)
        inner *= (gsize) q->dims[d];
    }
  else if (zp != NULL && zp->n != 1)
    {
      fail (ctx, name, node->op_type, error, "the zero points do not match the scales");
      return NULL;
    }
  for (gsize c = 0; c < scale->n; c++)
    if (!(const_float (scale, c) > 0) || !isfinite (const_float (scale, c)))
      {
        fail (ctx, name, node->op_type, error, "a scale is not a positive number");
        return NULL;
      }
  if (q->onnx_type == QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT8 && zp != NULL)
    for (gsize c = 0; c < zp->n; c++)
      if (const_float (zp, c) != 0)
        {
          fail (ctx, name, node->op_type, error,
                "int8 weights with zero point %d are asymmetric, which is not supported; "
                "quantize the weights symmetrically (zero point 0)",
                (int) CLAMP (onnx_to_int (const_float (zp, c)), -1024, 1024));
          return NULL;
        }

  out = onnx_sym_new (ctx, SYM_CONST);
  out->rank = q->rank;
  memcpy (out->dims, q->dims, sizeof out->dims);
  out->n = q->n;
  out->onnx_type = QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  out->f = g_new (float, MAX (q->n, 1));
  for (gsize k = 0; k < q->n; k++)
    {
      gsize c = per_channel ? (k / inner) % channels : 0;
      float z = zp != NULL ? const_float (zp, c) : 0.0f;
      out->f[k] = ((float) q->i[k] - z) * const_float (scale, c);
    }
  if (q->onnx_type == QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT8)
    {
      out->n_wscales = (int) scale->n;
      out->wscale_axis = per_channel ? axis : -1;
      out->wscales = g_new (float, scale->n);
      for (gsize c = 0; c < scale->n; c++)
        out->wscales[c] = const_float (scale, c);
    }
  return out;
}

static Sym *
quantize_const (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, Sym *scale,
                Sym *zp, int axis, GError **error)
{
  gsize inner = 1, channels = 1;
  gboolean per_channel = scale->n > 1;
  gboolean is_int8 = zp != NULL && zp->onnx_type == QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT8;
  Sym *out;

  if (per_channel)
    {
      if (axis < 0)
        axis += x->rank;
      if (axis < 0 || axis >= x->rank || (gsize) x->dims[axis] != scale->n ||
          (zp != NULL && zp->n != scale->n))
        {
          fail (ctx, name, node->op_type, error, "the scales do not match axis %d", axis);
          return NULL;
        }
      channels = scale->n;
      for (int d = axis + 1; d < x->rank; d++)
        inner *= (gsize) x->dims[d];
    }
  out = onnx_sym_new (ctx, SYM_CONST);
  out->rank = x->rank;
  memcpy (out->dims, x->dims, sizeof out->dims);
  out->n = x->n;
  out->onnx_type = is_int8 ? QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT8
                           : QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__UINT8;
  out->i = g_new (int64_t, MAX (x->n, 1));
  for (gsize k = 0; k < x->n; k++)
    {
      gsize c = per_channel ? (k / inner) % channels : 0;
      float s = const_float (scale, c);
      float z = zp != NULL ? const_float (zp, c) : 0.0f;
      double v = s > 0 ? nearbyint (const_float (x, k) / s) + z : z;
      out->i[k] = CLAMP (onnx_to_int (v), is_int8 ? -128 : 0, is_int8 ? 127 : 255);
    }
  return out;
}

/* ---- convolution and dense layers ---------------------------------------- */

/* The output extent of a sliding window along one axis of in elements (-1
 * when in is not known at load time), as ONNX defines it, so that a shape
 * computed from a feature map (a window partition's Reshape) folds. */
static int64_t
window_extent (int64_t in, int k, int stride, int dilation, int pad_begin, int pad_end,
               QvizPadMode mode, gboolean ceil_mode)
{
  int64_t span, out;

  if (in < 0 || stride < 1)
    return -1;
  if (mode == QVIZ_PAD_SAME_UPPER || mode == QVIZ_PAD_SAME_LOWER)
    return (in + stride - 1) / stride;
  if (mode == QVIZ_PAD_VALID)
    pad_begin = pad_end = 0;
  span = in + pad_begin + pad_end - ((int64_t) dilation * (k - 1) + 1);
  if (span < 0)
    return -1;
  out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  /* With ceil_mode the last window must start inside the input or its
   * leading pad. */
  if (ceil_mode && (out - 1) * stride >= in + pad_begin)
    out--;
  return out;
}

static gboolean
build_conv (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, Sym *w,
            Sym *b, const QvizQuantParams *out_quant, GError **error)
{
  QvizConvAttrs c = { 0 };
  int group = (int) CLAMP (onnx_attr_int (node, "group", 1), 0, G_MAXINT);
  int pads[4];
  int64_t o, ipg, kh, kw;
  QvizNode *n;
  Sym *out;

  if (w->rank != 4)
    return fail (ctx, name, node->op_type, error,
                 "only 2-D convolutions are supported (the weights have %d dimensions)",
                 w->rank);
  o = w->dims[0];
  ipg = w->dims[1];
  kh = w->dims[2];
  kw = w->dims[3];
  if (group < 1 || o < 1 || ipg < 1 || kh < 1 || kw < 1 || kh > 4096 || kw > 4096 ||
      o % group != 0 ||
      ipg * group > G_MAXINT)
    return fail (ctx, name, node->op_type, error,
                 "weights of %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                 "x%" G_GINT64_FORMAT " do not fit %d groups", o, ipg, kh, kw, group);
  c.kernel_h = (int) kh;
  c.kernel_w = (int) kw;
  if (!read_window (ctx, node, name, &c.kernel_h, &c.kernel_w, &c.stride_h, &c.stride_w,
                    &c.dilation_h, &c.dilation_w, pads, &c.pad_mode, FALSE, error))
    return FALSE;
  if (c.kernel_h != kh || c.kernel_w != kw)
    return fail (ctx, name, node->op_type, error,
                 "kernel_shape %dx%d differs from the weights' %" G_GINT64_FORMAT "x%"
                 G_GINT64_FORMAT, c.kernel_h, c.kernel_w, kh, kw);
  c.in_channels = (int) (ipg * group);
  c.out_channels = (int) o;
  c.groups = group;
  c.pad_top = pads[0];
  c.pad_left = pads[1];
  c.pad_bottom = pads[2];
  c.pad_right = pads[3];
  c.act = qvk_activation_make (QVK_ACT_NONE);
  if (x->rank >= 0 && x->rank != 4)
    return fail (ctx, name, node->op_type, error, "the input is not a 4-D feature map");
  if (x->dims[1] > 0 && x->dims[1] != c.in_channels)
    return fail (ctx, name, node->op_type, error,
                 "the input has %" G_GINT64_FORMAT " channels but the weights expect %d "
                 "(%d groups of %" G_GINT64_FORMAT ")", x->dims[1], c.in_channels, group, ipg);
  if (b != NULL && b->n != (gsize) o)
    return fail (ctx, name, node->op_type, error,
                 "the bias has %zu entries for %" G_GINT64_FORMAT " output channels", b->n, o);

  /* OIHW -> OHWI */
  c.weights = g_new (float, w->n);
  for (int64_t oc = 0; oc < o; oc++)
    for (int64_t ic = 0; ic < ipg; ic++)
      for (int64_t y = 0; y < kh; y++)
        for (int64_t xx = 0; xx < kw; xx++)
          c.weights[((oc * kh + y) * kw + xx) * ipg + ic] =
            const_float (w, ((oc * ipg + ic) * kh + y) * kw + xx);
  if (b != NULL)
    {
      c.bias = g_new (float, o);
      for (int64_t k = 0; k < o; k++)
        c.bias[k] = const_float (b, k);
    }
  if (w->wscales != NULL && (w->n_wscales == 1 || (w->n_wscales == o && w->wscale_axis == 0)))
    {
      c.weight_scales = g_new (float, o);
      for (int64_t k = 0; k < o; k++)
        c.weight_scales[k] = w->wscales[w->n_wscales == 1 ? 0 : k];
    }

  n = emit (ctx, node, name, QVIZ_OP_CONV, &x->value, 1, &out, error);
  if (n == NULL)
    {
      g_free (c.weights);
      g_free (c.bias);
      g_free (c.weight_scales);
      return FALSE;
    }
  n->a.conv = c;
  out->rank = 4;
  out->dims[0] = x->dims[0];
  out->dims[1] = o;
  out->dims[2] = window_extent (x->dims[2], c.kernel_h, c.stride_h, c.dilation_h, c.pad_top,
                                c.pad_bottom, c.pad_mode, FALSE);
  out->dims[3] = window_extent (x->dims[3], c.kernel_w, c.stride_w, c.dilation_w, c.pad_left,
                                c.pad_right, c.pad_mode, FALSE);
  if (out_quant != NULL)
    set_value_quant (ctx, out->value, out_quant);
  return TRUE;
}

/* ConvTranspose 2-D, any groups, strides, dilations and output_padding;
 * pads explicit, VALID, or derived from output_shape or auto_pad SAME at
 * the input size the file declares (other sizes are refused at plan time,
 * since the file fixed the output). */
static gboolean
build_conv_transpose (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, Sym *w,
                      Sym *b, GError **error)
{
  QvizConvTransposeAttrs c = { 0 };
  int group = (int) CLAMP (onnx_attr_int (node, "group", 1), 0, G_MAXINT);
  int pads[4];
  int64_t v[8], in_c, opg, kh, kw;
  QvizPadMode mode;
  QvizNode *n;
  Sym *out;

  if (w->rank != 4)
    return fail (ctx, name, node->op_type, error, "only 2-D transposed convolutions are "
                 "supported (the weights have %d dimensions)", w->rank);
  in_c = w->dims[0];
  opg = w->dims[1];
  kh = w->dims[2];
  kw = w->dims[3];
  if (group < 1 || in_c < 1 || opg < 1 || kh < 1 || kw < 1 || kh > 4096 || kw > 4096 ||
      in_c % group != 0 || opg * group > G_MAXINT)
    return fail (ctx, name, node->op_type, error,
                 "weights of %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                 "x%" G_GINT64_FORMAT " do not fit %d groups", in_c, opg, kh, kw, group);
  c.kernel_h = (int) kh;
  c.kernel_w = (int) kw;
  if (!read_window (ctx, node, name, &c.kernel_h, &c.kernel_w, &c.stride_h, &c.stride_w,
                    &c.dilation_h, &c.dilation_w, pads, &mode, FALSE, error))
    return FALSE;
  if (c.kernel_h != kh || c.kernel_w != kw)
    return fail (ctx, name, node->op_type, error,
                 "kernel_shape %dx%d differs from the weights' %" G_GINT64_FORMAT "x%"
                 G_GINT64_FORMAT, c.kernel_h, c.kernel_w, kh, kw);
  if (onnx_attr_ints (node, "output_padding", v, 8) >= 0)
    {
      if (onnx_attr_ints (node, "output_padding", v, 8) != 2 || v[0] < 0 || v[1] < 0 ||
          v[0] >= MAX (c.stride_h, c.dilation_h) || v[1] >= MAX (c.stride_w, c.dilation_w))
        return fail (ctx, name, node->op_type, error, "the output_padding is not valid");
      c.output_padding_h = (int) v[0];
      c.output_padding_w = (int) v[1];
    }
  if (mode == QVIZ_PAD_VALID)
    memset (pads, 0, sizeof pads);
  {
    /* output_shape (or SAME: the input times the stride) fixes the output;
     * the pads follow from it as the specification derives them, at the
     * input size the file declares. */
    int n_shape = onnx_attr_ints (node, "output_shape", v, 8);

    if (n_shape >= 0 || mode == QVIZ_PAD_SAME_UPPER || mode == QVIZ_PAD_SAME_LOWER)
      {
        if (n_shape >= 0 && n_shape != 2 && n_shape != 4)
          return fail (ctx, name, node->op_type, error, "output_shape has %d entries, not "
                       "2 (or 4)", n_shape);
        if (x->rank != 4 || x->dims[2] < 1 || x->dims[3] < 1)
          return fail (ctx, name, node->op_type, error, "output_shape or auto_pad SAME needs "
                       "the input's height and width in the file, which it does not give");
        for (int d = 0; d < 2; d++)
          {
            int64_t in = x->dims[2 + d];
            int stride = d ? c.stride_w : c.stride_h, dil = d ? c.dilation_w : c.dilation_h;
            int k = d ? c.kernel_w : c.kernel_h;
            int opad = d ? c.output_padding_w : c.output_padding_h;
            int64_t target = n_shape >= 0 ? v[n_shape - 2 + d] : in * stride;
            int64_t total = stride * (in - 1) + opad + ((int64_t) k - 1) * dil + 1 - target;

            int64_t half = total >= 0 ? total / 2 : -((1 - total) / 2); /* floor */

            if (target < 1 || target > G_MAXINT32 || total < -8192 || total > 8192)
              return fail (ctx, name, node->op_type, error, "an output of %" G_GINT64_FORMAT
                           " from %" G_GINT64_FORMAT " needs padding of %" G_GINT64_FORMAT
                           ", which is not valid", target, in, total);
            /* pads: top, left, bottom, right; SAME_UPPER puts the odd one at
             * the end; a negative end pad (output_shape beyond the natural
             * size) adds outputs that only the bias reaches */
            pads[d] = (int) (mode == QVIZ_PAD_SAME_UPPER ? half : total - half);
            pads[2 + d] = (int) (total - pads[d]);
            if (d)
              c.fixed_out_w = (int) target;
            else
              c.fixed_out_h = (int) target;
          }
      }
  }
  c.in_channels = (int) in_c;
  c.out_channels = (int) (opg * group);
  c.groups = group;
  c.pad_top = pads[0];
  c.pad_left = pads[1];
  c.pad_bottom = pads[2];
  c.pad_right = pads[3];
  if (x->rank >= 0 && x->rank != 4)
    return fail (ctx, name, node->op_type, error, "the input is not a 4-D feature map");
  if (x->dims[1] > 0 && x->dims[1] != in_c)
    return fail (ctx, name, node->op_type, error,
                 "the input has %" G_GINT64_FORMAT " channels but the weights expect %"
                 G_GINT64_FORMAT, x->dims[1], in_c);
  if (b != NULL && b->n != (gsize) c.out_channels)
    return fail (ctx, name, node->op_type, error,
                 "the bias has %zu entries for %d output channels", b->n, c.out_channels);

  c.weights = g_new (float, MAX (w->n, 1));
  for (gsize k = 0; k < w->n; k++)
    c.weights[k] = const_float (w, k);
  if (b != NULL)
    {
      c.bias = g_new (float, c.out_channels);
      for (int k = 0; k < c.out_channels; k++)
        c.bias[k] = const_float (b, k);
    }
  n = emit (ctx, node, name, QVIZ_OP_CONV_TRANSPOSE, &x->value, 1, &out, error);
  if (n == NULL)
    {
      g_free (c.weights);
      g_free (c.bias);
      return FALSE;
    }
  n->a.convt = c;
  out->rank = 4;
  out->dims[0] = x->dims[0];
  out->dims[1] = c.out_channels;
  for (int d = 0; d < 2; d++)
    {
      int64_t in = x->dims[2 + d];
      int stride = d ? c.stride_w : c.stride_h, dil = d ? c.dilation_w : c.dilation_h;
      int k = d ? c.kernel_w : c.kernel_h, opad = d ? c.output_padding_w : c.output_padding_h;
      int pad = d ? c.pad_left + c.pad_right : c.pad_top + c.pad_bottom;
      out->dims[2 + d] = in > 0 ? (in - 1) * stride - pad + (int64_t) dil * (k - 1) + opad + 1
                                : -1;
    }
  return TRUE;
}

/* weights: [out][in] taken from w ([in][out] unless transposed). */
static gboolean
build_linear (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, Sym *w,
              gboolean w_is_out_in, float alpha, Sym *bias, float beta,
              const QvizQuantParams *out_quant, GError **error)
{
  QvizLinearAttrs l = { 0 };
  int64_t in_f, out_f;
  gboolean matmul;
  QvizNode *n;
  Sym *out;

  if (w->rank != 2)
    return fail (ctx, name, node->op_type, error, "the weights are not a matrix");
  out_f = w_is_out_in ? w->dims[0] : w->dims[1];
  in_f = w_is_out_in ? w->dims[1] : w->dims[0];
  if (in_f < 1 || out_f < 1 || in_f > G_MAXINT || out_f > G_MAXINT)
    return fail (ctx, name, node->op_type, error, "the weights are empty");
  if (x->rank >= 1 && x->dims[x->rank - 1] > 0 && x->rank != 4 &&
      x->dims[x->rank - 1] != in_f)
    return fail (ctx, name, node->op_type, error,
                 "the input has %" G_GINT64_FORMAT " features but the weights expect %"
                 G_GINT64_FORMAT, x->dims[x->rank - 1], in_f);
  if (bias != NULL && bias->n != (gsize) out_f && bias->n != 1)
    return fail (ctx, name, node->op_type, error,
                 "the bias has %zu entries for %" G_GINT64_FORMAT " outputs", bias->n, out_f);
  /* A column (out x 1) broadcasts over the rows, not the outputs. */
  if (bias != NULL && bias->n > 1 && bias->rank >= 1 && bias->dims[bias->rank - 1] != out_f)
    return fail (ctx, name, node->op_type, error,
                 "a bias that differs by row rather than by output is not supported");
  l.in_features = (int) in_f;
  l.out_features = (int) out_f;
  l.act = qvk_activation_make (QVK_ACT_NONE);
  l.weights = g_new (float, w->n);
  for (int64_t o = 0; o < out_f; o++)
    for (int64_t i = 0; i < in_f; i++)
      l.weights[o * in_f + i] = alpha * const_float (w, w_is_out_in ? o * in_f + i
                                                                    : i * out_f + o);
  if (bias != NULL)
    {
      l.bias = g_new (float, out_f);
      for (int64_t o = 0; o < out_f; o++)
        l.bias[o] = beta * const_float (bias, bias->n == 1 ? 0 : o);
    }
  n = emit (ctx, node, name, QVIZ_OP_LINEAR, &x->value, 1, &out, error);
  if (n == NULL)
    {
      g_free (l.weights);
      g_free (l.bias);
      return FALSE;
    }
  n->a.linear = l;
  /* Gemm reads a pooled feature map as its rows; MatMul acts on the last
   * axis of a tensor of any rank (ConvNeXt's channels-last blocks). */
  matmul = is_op (node, "MatMul") || is_op (node, "QLinearMatMul");
  out->rank = x->rank == 4 && !matmul ? 2 : x->rank;
  if (out->rank >= 1)
    {
      if (x->rank != 4 || matmul)
        memcpy (out->dims, x->dims, sizeof out->dims);
      else
        out->dims[0] = x->dims[0];
      out->dims[out->rank - 1] = out_f;
    }
  if (out_quant != NULL)
    set_value_quant (ctx, out->value, out_quant);
  return TRUE;
}

/* MatMul of two tensors of rank 2 or more, either computed (attention's
 * Q K^T); a constant of another rank than 2 is an operand like any other. */
static gboolean
build_matmul (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *a, Sym *b,
              GError **error)
{
  int inputs[2], rank;
  Sym *out;

  if (a->rank < 2 || b->rank < 2)
    return fail (ctx, name, node->op_type, error, "an operand of %d dimensions is not "
                 "supported; both need 2 or more", MIN (a->rank, b->rank));
  if (a->dims[a->rank - 1] >= 0 && b->dims[b->rank - 2] >= 0 &&
      a->dims[a->rank - 1] != b->dims[b->rank - 2])
    return fail (ctx, name, node->op_type, error, "%" G_GINT64_FORMAT " columns do not meet %"
                 G_GINT64_FORMAT " rows", a->dims[a->rank - 1], b->dims[b->rank - 2]);
  inputs[0] = onnx_operand_value (ctx, a, node->input[0], name, error);
  if (inputs[0] < 0)
    return FALSE;
  inputs[1] = onnx_operand_value (ctx, b, node->input[1], name, error);
  if (inputs[1] < 0)
    return FALSE;
  if (emit (ctx, node, name, QVIZ_OP_MATMUL, inputs, 2, &out, error) == NULL)
    return FALSE;
  rank = MAX (a->rank, b->rank);
  out->rank = rank;
  for (int d = 0; d < rank - 2; d++)
    {
      int da = d - (rank - a->rank), db = d - (rank - b->rank);
      int64_t xa = da >= 0 ? a->dims[da] : 1, xb = db >= 0 ? b->dims[db] : 1;
      out->dims[d] = xa == 1 ? xb : xb == 1 ? xa : xa > 0 ? xa : xb;
    }
  out->dims[rank - 2] = a->dims[a->rank - 2];
  out->dims[rank - 1] = b->dims[b->rank - 1];
  return TRUE;
}

/* Einsum of the two forms attention writes with it (MaxViT): the batched
 * product "...ik,...kj->...ij" and the same with the second operand
 * transposed, "...ik,...jk->...ij", the leading letters the same in the
 * three terms.  Any other equation is refused. */
static gboolean
build_einsum (OnnxCtx *ctx, const OnnxNode *node, const char *name, GError **error)
{
  g_autofree char *raw = onnx_attr_string (node, "equation", "");
  g_autoptr (GString) eq = g_string_new (NULL);
  g_auto (GStrv) sides = NULL, terms = NULL;
  const char *ta, *tb, *ty;
  gsize la;
  gboolean transposed;
  Sym *a, *b;

  for (const char *c = raw; *c != '\0'; c++)
    if (*c != ' ')
      g_string_append_c (eq, *c);
  sides = g_strsplit (eq->str, "->", 2);
  if (g_strv_length (sides) != 2)
    goto refuse;
  terms = g_strsplit (sides[0], ",", 3);
  if (g_strv_length (terms) != 2)
    goto refuse;
  ta = terms[0];
  tb = terms[1];
  ty = sides[1];
  la = strlen (ta);
  if (la < 2 || strlen (tb) != la || strlen (ty) != la || strchr (eq->str, '.') != NULL ||
      strncmp (ta, tb, la - 2) != 0 || strncmp (ta, ty, la - 2) != 0)
    goto refuse;
  {
    char i = ta[la - 2], k = ta[la - 1], j = ty[la - 1];
    if (ty[la - 2] != i || i == k || i == j || j == k)
      goto refuse;
    if (tb[la - 2] == k && tb[la - 1] == j)
      transposed = FALSE;
    else if (tb[la - 2] == j && tb[la - 1] == k)
      transposed = TRUE;
    else
      goto refuse;
    for (gsize d = 0; d + 2 < la; d++)
      if (ta[d] == i || ta[d] == j || ta[d] == k)
        goto refuse;
  }
  if ((a = onnx_lookup (ctx, node, 0, error)) == NULL ||
      (b = onnx_lookup (ctx, node, 1, error)) == NULL)
    return FALSE;
  if (a->rank != (int) la || b->rank != (int) la)
    return fail (ctx, name, node->op_type, error, "the operands do not have the %zu "
                 "dimensions of the equation '%s'", la, raw);
  if (transposed)
    {
      g_autofree char *tname = g_strdup_printf ("%s/transpose", name);
      g_autofree char *unique = onnx_unique_name (ctx, tname);
      int in = onnx_operand_value (ctx, b, node->input[1], name, error);
      QvizNode *t;
      Sym *bt;
      if (in < 0)
        return FALSE;
      t = qviz_graph_add_node (ctx->g, unique, QVIZ_OP_TRANSPOSE, &in, 1);
      for (int d = 0; d < b->rank; d++)
        t->a.perm[d] = d;
      t->a.perm[b->rank - 2] = b->rank - 1;
      t->a.perm[b->rank - 1] = b->rank - 2;
      bt = onnx_sym_new (ctx, SYM_VALUE);
      bt->value = t->output;
      bt->rank = b->rank;
      memcpy (bt->dims, b->dims, sizeof bt->dims);
      bt->dims[b->rank - 2] = b->dims[b->rank - 1];
      bt->dims[b->rank - 1] = b->dims[b->rank - 2];
      b = bt;
    }
  return build_matmul (ctx, node, name, a, b, error);

refuse:
  return fail (ctx, name, node->op_type, error, "equation '%s' is not supported; only "
               "batched matrix products (\"...ik,...kj->...ij\" or \"...ik,...jk->...ij\")",
               raw);
}

/* Gemm whose bias C varies by row (M x N or M x 1): the product, then
 * beta * C added as a constant. */
static gboolean
build_gemm_matrix_bias (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, Sym *w,
                        gboolean trans_b, Sym *c, float beta, GError **error)
{
  g_autofree char *pname = g_strdup_printf ("%s/product", name);
  g_autofree char *unique = onnx_unique_name (ctx, pname);
  g_autofree char *cname = g_strdup_printf ("%s/beta_c", name);
  int64_t out_f = trans_b ? w->dims[0] : w->dims[1];
  QvizShape cs = { 2, { c->dims[0], c->dims[1] }, FALSE };
  float *cdata;
  QvizLinearAttrs l = { 0 };
  int64_t in_f = trans_b ? w->dims[1] : w->dims[0];
  float alpha = onnx_attr_float (node, "alpha", 1.0f);
  int inputs[2];
  QvizNode *n;
  Sym *out;

  if (x->rank != 2 || (c->dims[1] != out_f && c->dims[1] != 1) ||
      (x->dims[0] >= 0 && c->dims[0] != x->dims[0]))
    return fail (ctx, name, node->op_type, error, "the bias C of %" G_GINT64_FORMAT " x %"
                 G_GINT64_FORMAT " does not broadcast to the output", c->dims[0], c->dims[1]);
  if (in_f < 1 || out_f < 1 || in_f > G_MAXINT || out_f > G_MAXINT)
    return fail (ctx, name, node->op_type, error, "the weights are empty");
  if (x->dims[1] >= 0 && x->dims[1] != in_f)
    return fail (ctx, name, node->op_type, error, "the input has %" G_GINT64_FORMAT
                 " features but the weights expect %" G_GINT64_FORMAT, x->dims[1], in_f);
  l.in_features = (int) in_f;
  l.out_features = (int) out_f;
  l.act = qvk_activation_make (QVK_ACT_NONE);
  l.weights = g_new (float, w->n);
  for (int64_t o = 0; o < out_f; o++)
    for (int64_t i = 0; i < in_f; i++)
      l.weights[o * in_f + i] = alpha * const_float (w, trans_b ? o * in_f + i : i * out_f + o);
  n = qviz_graph_add_node (ctx->g, unique, QVIZ_OP_LINEAR, &x->value, 1);
  n->a.linear = l;
  inputs[0] = n->output;
  cdata = g_new (float, c->n);
  for (gsize k = 0; k < c->n; k++)
    cdata[k] = beta * const_float (c, k);
  {
    g_autofree char *cunique = onnx_unique_name (ctx, cname);
    inputs[1] = qviz_graph_add_value (ctx->g, cunique, cdata, &cs);
  }
  if (emit (ctx, node, name, QVIZ_OP_ADD, inputs, 2, &out, error) == NULL)
    return FALSE;
  out->rank = 2;
  out->dims[0] = c->dims[0];
  out->dims[1] = out_f;
  return TRUE;
}

/* ---- element-wise ------------------------------------------------------------ */

static gboolean
build_binary (OnnxCtx *ctx, const OnnxNode *node, const char *name, QvizOp op, Sym *a,
              Sym *b, const QvizQuantParams *out_quant, GError **error)
{
  int inputs[2];
  Sym *out;
  int rank;

  if (a->kind != SYM_VALUE && b->kind != SYM_VALUE)
    return fail (ctx, name, node->op_type, error, "no operand is computed from the image");
  inputs[0] = onnx_operand_value (ctx, a, node->input[0], name, error);
  if (inputs[0] < 0)
    return FALSE;
  inputs[1] = onnx_operand_value (ctx, b, node->input[node->n_input > 3 ? 3 : 1], name, error);
  if (inputs[1] < 0)
    return FALSE;
  if (emit (ctx, node, name, op, inputs, 2, &out, error) == NULL)
    return FALSE;
  rank = a->rank < 0 || b->rank < 0 ? -1 : MAX (a->rank, b->rank);
  out->rank = rank;
  for (int d = 0; d < rank; d++)
    {
      int da = d - (rank - a->rank), db = d - (rank - b->rank);
      int64_t xa = da >= 0 ? a->dims[da] : 1, xb = db >= 0 ? b->dims[db] : 1;
      out->dims[d] = xa == 1 ? xb : xb == 1 ? xa : xa > 0 ? xa : xb;
    }
  if (out_quant != NULL)
    set_value_quant (ctx, out->value, out_quant);
  return TRUE;
}

/* Where(condition, x, y): any of the three may be a constant, one at
 * least is computed; the condition is read as nonzero = true. */
static gboolean
build_where (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *const in[3],
             GError **error)
{
  int inputs[3], rank = 0;
  Sym *out;

  if (in[0]->kind != SYM_VALUE && in[1]->kind != SYM_VALUE && in[2]->kind != SYM_VALUE)
    return fail (ctx, name, node->op_type, error, "no operand is computed from the image");
  for (int k = 0; k < 3; k++)
    {
      inputs[k] = onnx_operand_value (ctx, in[k], node->input[k], name, error);
      if (inputs[k] < 0)
        return FALSE;
      rank = rank < 0 || in[k]->rank < 0 ? -1 : MAX (rank, in[k]->rank);
    }
  if (emit (ctx, node, name, QVIZ_OP_WHERE, inputs, 3, &out, error) == NULL)
    return FALSE;
  out->rank = rank;
  for (int d = 0; d < rank; d++)
    {
      int64_t dim = 1;
      for (int k = 0; k < 3; k++)
        {
          int dk = d - (rank - in[k]->rank);
          int64_t v = dk >= 0 ? in[k]->dims[dk] : 1;
          dim = dim == 1 ? v : v == 1 ? dim : dim > 0 ? dim : v;
        }
      out->dims[d] = dim;
    }
  return TRUE;
}

/* Expand(x, shape): x times a constant of ones that has the target's size
 * only along the axes where x is broadcast, which is the same two-way
 * broadcast and leaves every value (-0, infinities, NaN) as it was. */
static gboolean
build_expand (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, Sym *shape,
              GError **error)
{
  int64_t target[QVIZ_MAX_RANK];
  g_autofree char *ones_name = NULL;
  Sym *ones;
  int n;
  gsize numel = 1;

  if (!onnx_sym_ints (shape, target, QVIZ_MAX_RANK, &n))
    return fail (ctx, name, node->op_type, error, "the shape '%s' is not known at load time "
                 "or has more than %d entries", node->input[1], QVIZ_MAX_RANK);
  ones = onnx_sym_new (ctx, SYM_CONST);
  ones->rank = n;
  for (int d = 0; d < n; d++)
    {
      int dx = d - (n - x->rank);
      int64_t xd = x->rank >= 0 && dx >= 0 ? x->dims[dx] : -1;

      if (target[d] < 0 || target[d] > G_MAXINT32)
        return fail (ctx, name, node->op_type, error, "shape entry %d is %" G_GINT64_FORMAT
                     ", not a size", d, target[d]);
      ones->dims[d] = xd == target[d] ? 1 : target[d];
      numel *= (gsize) ones->dims[d];
      if (numel > ((gsize) 1 << 26))
        return fail (ctx, name, node->op_type, error, "a broadcast constant of more than "
                     "2^26 elements is not supported");
    }
  if (!onnx_charge_made (ctx, numel, name, node->op_type, error))
    return FALSE;
  ones->n = numel;
  ones->onnx_type = QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  ones->f = g_new (float, MAX (numel, 1));
  for (gsize k = 0; k < numel; k++)
    ones->f[k] = 1.0f;
  ones_name = g_strconcat (node->output[0], "/ones", NULL);
  {
    int inputs[2];
    Sym *out;

    if (x->kind != SYM_VALUE)
      return fail (ctx, name, node->op_type, error, "no operand is computed from the image");
    inputs[0] = x->value;
    inputs[1] = onnx_const_value (ctx, ones, ones_name);
    g_clear_pointer (&ones->f, g_free); /* the graph has its copy; nothing reads ones */
    if (emit (ctx, node, name, QVIZ_OP_MUL, inputs, 2, &out, error) == NULL)
      return FALSE;
    out->rank = x->rank < 0 ? -1 : MAX (x->rank, n);
    for (int d = 0; d < out->rank; d++)
      {
        int dx = d - (out->rank - x->rank), dt = d - (out->rank - n);
        int64_t a = dx >= 0 ? x->dims[dx] : 1, b = dt >= 0 ? target[dt] : 1;
        out->dims[d] = a == 1 ? b : b == 1 ? a : a > 0 ? a : b;
      }
  }
  return TRUE;
}

/* PRelu with a slope per channel (or any shape that broadcasts to x):
 * relu(x) + slope * (x - relu(x)), in the element-wise layers both
 * precisions have. */
static gboolean
build_prelu (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, Sym *slope,
             GError **error)
{
  static const char *const part[] = { "positive", "negative", "scaled" };
  int slope_value, prev[3];
  QvizNode *n;
  Sym *out;

  if (x->rank >= 0 && slope->rank > x->rank)
    return fail (ctx, name, node->op_type, error, "the slope has more dimensions than the "
                 "input");
  for (int d = 0; x->rank >= 0 && d < slope->rank; d++)
    {
      int64_t xs = x->dims[x->rank - slope->rank + d];
      if (slope->dims[d] != 1 && xs >= 0 && slope->dims[d] != xs)
        return fail (ctx, name, node->op_type, error, "a slope of %" G_GINT64_FORMAT
                     " entries on axis %d does not broadcast to the input's %" G_GINT64_FORMAT,
                     slope->dims[d], x->rank - slope->rank + d, xs);
    }
  slope_value = onnx_operand_value (ctx, slope, node->input[1], name, error);
  if (slope_value < 0)
    return FALSE;
  for (int k = 0; k < 3; k++)
    {
      g_autofree char *pname = g_strdup_printf ("%s/%s", name, part[k]);
      g_autofree char *unique = onnx_unique_name (ctx, pname);
      int in2[2];
      QvizOp op = k == 0 ? QVIZ_OP_ACTIVATION : k == 1 ? QVIZ_OP_SUB : QVIZ_OP_MUL;
      in2[0] = k == 0 ? x->value : k == 1 ? x->value : prev[1];
      in2[1] = k == 1 ? prev[0] : slope_value;
      n = qviz_graph_add_node (ctx->g, unique, op, in2, k == 0 ? 1 : 2);
      if (k == 0)
        n->a.act = qvk_activation_make (QVK_ACT_RELU);
      prev[k] = n->output;
    }
  {
    int in2[2] = { prev[0], prev[2] };
    g_autofree char *unique = onnx_unique_name (ctx, name);
    n = qviz_graph_add_node (ctx->g, unique, QVIZ_OP_ADD, in2, 2);
  }
  out = onnx_sym_new (ctx, SYM_VALUE);
  out->value = n->output;
  out->rank = x->rank;
  memcpy (out->dims, x->dims, sizeof out->dims);
  return onnx_bind (ctx, node->output[0], out, error);
}

/* ---- pooling and resize ------------------------------------------------------ */

static gboolean
build_pool (OnnxCtx *ctx, const OnnxNode *node, const char *name, QvizOp op, Sym *x,
            GError **error)
{
  QvizPoolAttrs p = { 0 };
  int pads[4];
  QvizNode *n;

  if (!read_window (ctx, node, name, &p.kernel_h, &p.kernel_w, &p.stride_h, &p.stride_w,
                    &p.dilation_h, &p.dilation_w, pads, &p.pad_mode, TRUE, error))
    return FALSE;
  if (op == QVIZ_OP_AVGPOOL && (p.dilation_h != 1 || p.dilation_w != 1))
    return fail (ctx, name, node->op_type, error, "dilated average pooling is not supported");
  if (op == QVIZ_OP_MAXPOOL && node->n_output > 1 && node->output[1] != NULL &&
      node->output[1][0] != '\0')
    return fail (ctx, name, node->op_type, error, "the indices output is not supported");
  p.pad_top = pads[0];
  p.pad_left = pads[1];
  p.pad_bottom = pads[2];
  p.pad_right = pads[3];
  p.ceil_mode = onnx_attr_int (node, "ceil_mode", 0) != 0;
  p.count_include_pad = onnx_attr_int (node, "count_include_pad", 0) != 0;
  n = emit_unary (ctx, node, name, op, x, error);
  if (n == NULL)
    return FALSE;
  n->a.pool = p;
  {
    Sym *out = g_hash_table_lookup (ctx->syms, node->output[0]);
    out->dims[2] = window_extent (x->dims[2], p.kernel_h, p.stride_h, p.dilation_h, p.pad_top,
                                  p.pad_bottom, p.pad_mode, p.ceil_mode);
    out->dims[3] = window_extent (x->dims[3], p.kernel_w, p.stride_w, p.dilation_w,
                                  p.pad_left, p.pad_right, p.pad_mode, p.ceil_mode);
  }
  return TRUE;
}

static gboolean
build_resize (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, GError **error)
{
  QvizResizeAttrs r = { 0 };
  g_autofree char *mode = onnx_attr_string (node, "mode", "nearest");
  g_autofree char *ctm = NULL;
  g_autofree char *nearest_mode = NULL;
  g_autofree char *keep_aspect = onnx_attr_string (node, "keep_aspect_ratio_policy", "stretch");
  gboolean upsample = is_op (node, "Upsample");
  int scales_k = -1, sizes_k = -1;
  int64_t axes[4] = { 0, 1, 2, 3 };
  int n_axes = onnx_attr_ints (node, "axes", axes, 4);
  QvizNode *n;

  if (upsample || ctx->opset < 11)
    {
      /* Upsample and Resize-10: x / scale, the pixel below. */
      ctm = g_strdup ("asymmetric");
      nearest_mode = g_strdup ("floor");
    }
  else
    {
      ctm = onnx_attr_string (node, "coordinate_transformation_mode", "half_pixel");
      nearest_mode = onnx_attr_string (node, "nearest_mode", "round_prefer_floor");
    }
  if (strcmp (mode, "nearest") == 0)
    r.mode = QVIZ_RESIZE_NEAREST;
  else if (strcmp (mode, "linear") == 0 || strcmp (mode, "bilinear") == 0)
    r.mode = QVIZ_RESIZE_BILINEAR;
  else
    return fail (ctx, name, node->op_type, error, "mode '%s' is not supported", mode);
  if (onnx_attr_int (node, "antialias", 0) != 0)
    return fail (ctx, name, node->op_type, error, "antialiasing is not supported");
  if (strcmp (keep_aspect, "stretch") != 0)
    return fail (ctx, name, node->op_type, error,
                 "keep_aspect_ratio_policy '%s' is not supported", keep_aspect);
  if (strcmp (ctm, "half_pixel") == 0)
    r.coord = QVIZ_RESIZE_COORD_HALF_PIXEL;
  else if (strcmp (ctm, "pytorch_half_pixel") == 0)
    r.coord = QVIZ_RESIZE_COORD_PYTORCH_HALF_PIXEL;
  else if (strcmp (ctm, "align_corners") == 0)
    r.coord = QVIZ_RESIZE_COORD_ALIGN_CORNERS;
  else if (strcmp (ctm, "asymmetric") == 0)
    r.coord = QVIZ_RESIZE_COORD_ASYMMETRIC;
  else if (strcmp (ctm, "tf_half_pixel_for_nn") == 0)
    r.coord = QVIZ_RESIZE_COORD_TF_HALF_PIXEL_FOR_NN;
  else
    return fail (ctx, name, node->op_type, error,
                 "coordinate_transformation_mode '%s' is not supported", ctm);
  r.align_corners = r.coord == QVIZ_RESIZE_COORD_ALIGN_CORNERS;
  if (strcmp (nearest_mode, "round_prefer_floor") == 0)
    r.nearest_mode = QVIZ_RESIZE_ROUND_PREFER_FLOOR;
  else if (strcmp (nearest_mode, "round_prefer_ceil") == 0)
    r.nearest_mode = QVIZ_RESIZE_ROUND_PREFER_CEIL;
  else if (strcmp (nearest_mode, "floor") == 0)
    r.nearest_mode = QVIZ_RESIZE_FLOOR;
  else if (strcmp (nearest_mode, "ceil") == 0)
    r.nearest_mode = QVIZ_RESIZE_CEIL;
  else if (r.mode == QVIZ_RESIZE_NEAREST)
    return fail (ctx, name, node->op_type, error, "nearest_mode '%s' is not supported",
                 nearest_mode);
  if (n_axes < 0)
    n_axes = 4;
  else if (n_axes > 4 || n_axes < 1)
    return fail (ctx, name, node->op_type, error, "the axes are not valid");

  if (upsample && ctx->opset < 9)
    scales_k = -2; /* attribute */
  else if (upsample || ctx->opset < 11)
    scales_k = 1;
  else
    {
      scales_k = 2;
      sizes_k = 3;
    }

  if (sizes_k >= 0 && onnx_has_input (node, sizes_k))
    {
      Sym *sizes = onnx_lookup (ctx, node, sizes_k, error);
      int ih = -1, iw = -1;
      if (sizes == NULL)
        return FALSE;
      if ((sizes->kind != SYM_CONST && sizes->kind != SYM_SHAPE) || sizes->rank != 1 ||
          sizes->n != (gsize) n_axes)
        return fail (ctx, name, node->op_type, error, "the output sizes are not a list of %d",
                     n_axes);
      for (int k = 0; k < n_axes; k++)
        {
          int64_t a = axes[k] < 0 ? axes[k] + 4 : axes[k];
          if (a == 2)
            ih = k;
          else if (a == 3)
            iw = k;
        }
      if (ih < 0 || iw < 0)
        return fail (ctx, name, node->op_type, error, "only spatial resizing is supported");
      {
        SymDim h = sizes->e ? sizes->e[ih] : (SymDim) { -1, 0, sizes->i ? sizes->i[ih] : -1 };
        SymDim w = sizes->e ? sizes->e[iw] : (SymDim) { -1, 0, sizes->i ? sizes->i[iw] : -1 };
        if (h.value >= 0 && h.value == w.value && h.dim == 2 && w.dim == 3)
          {
            r.target = QVIZ_RESIZE_LIKE;
            r.like_value = h.value;
          }
        else if (h.known > 0 && w.known > 0 && h.known <= 1 << 20 && w.known <= 1 << 20)
          {
            r.target = QVIZ_RESIZE_SIZES;
            r.out_h = (int) h.known;
            r.out_w = (int) w.known;
          }
        else
          return fail (ctx, name, node->op_type, error,
                       "the output size is computed in a way qviz cannot follow (it must be "
                       "constant or the size of another feature map)");
      }
    }
  else
    {
      float s[4] = { 1, 1, 1, 1 };
      int ns = 0;
      if (scales_k == -2)
        {
          const OnnxAttr *a = onnx_attr (node, "scales");
          if (a == NULL || a->n_floats != 4)
            return fail (ctx, name, node->op_type, error, "the scales are missing");
          memcpy (s, a->floats, sizeof s);
          ns = 4;
        }
      else
        {
          Sym *sc = onnx_has_input (node, scales_k) ? onnx_lookup (ctx, node, scales_k, error)
                                                    : NULL;
          if (sc == NULL)
            {
              if (error != NULL && *error != NULL)
                return FALSE;
              return fail (ctx, name, node->op_type, error, "neither scales nor sizes are given");
            }
          if (!onnx_sym_floats (sc, s, 4, &ns) || ns != n_axes)
            return fail (ctx, name, node->op_type, error, "the scales are not a constant list "
                         "of %d", n_axes);
          if (n_axes != 4)
            {
              float tmp[4] = { 1, 1, 1, 1 };
              for (int k = 0; k < n_axes; k++)
                if (axes[k] >= -4 && axes[k] < 4)
                  tmp[axes[k] < 0 ? axes[k] + 4 : axes[k]] = s[k];
              memcpy (s, tmp, sizeof s);
            }
        }
      if (s[0] != 1 || s[1] != 1)
        return fail (ctx, name, node->op_type, error,
                     "only the height and width may be scaled");
      if (!(s[2] > 0) || !(s[3] > 0) || s[2] > 1024 || s[3] > 1024)
        return fail (ctx, name, node->op_type, error, "the scales are not valid");
      if (!upsample && ctx->opset < 11 && r.mode == QVIZ_RESIZE_NEAREST &&
          (s[2] < 1 || s[3] < 1))
        return fail (ctx, name, node->op_type, error,
                     "nearest downsampling of Resize before opset 11 takes pixels the "
                     "specification does not define; export with opset 11 or later");
      r.target = QVIZ_RESIZE_SCALES;
      r.scale_h = s[2];
      r.scale_w = s[3];
    }

  n = emit_unary (ctx, node, name, QVIZ_OP_RESIZE, x, error);
  if (n == NULL)
    return FALSE;
  n->a.resize = r;
  {
    Sym *out = g_hash_table_lookup (ctx->syms, node->output[0]);
    out->dims[2] = out->dims[3] = -1;
    if (r.target == QVIZ_RESIZE_SIZES)
      {
        out->dims[2] = r.out_h;
        out->dims[3] = r.out_w;
      }
  }
  return TRUE;
}

/* Pad of a feature map's height and width (Inception's and DenseNet's Pad
 * before AveragePool, reflection padding of segmentation and style
 * networks); negative pads crop. */
static gboolean
build_pad (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, GError **error)
{
  g_autofree char *mode = onnx_attr_string (node, "mode", "constant");
  int64_t pads[8] = { 0 }, axes[4] = { 0, 1, 2, 3 };
  int n_pads = 0, n_axes = 4;
  int64_t full[8] = { 0 };
  QvizPadAttrs p = { 0 };
  QvizNode *n;
  Sym *out;

  if (strcmp (mode, "constant") == 0)
    p.fill = QVIZ_PAD_FILL_CONSTANT;
  else if (strcmp (mode, "reflect") == 0)
    p.fill = QVIZ_PAD_FILL_REFLECT;
  else if (strcmp (mode, "edge") == 0)
    p.fill = QVIZ_PAD_FILL_EDGE;
  else
    return fail (ctx, name, node->op_type, error, "mode '%s' is not supported", mode);
  if (x->rank != 4)
    return fail (ctx, name, node->op_type, error, "only feature maps (N x C x H x W) are padded");

  if (ctx->opset < 11)
    {
      n_pads = onnx_attr_ints (node, "pads", pads, 8);
      p.value = onnx_attr_float (node, "value", 0.0f);
    }
  else
    {
      Sym *ps = onnx_lookup (ctx, node, 1, error);
      if (ps == NULL)
        return FALSE;
      if (ps->kind != SYM_CONST || ps->i == NULL || ps->n > 8)
        return fail (ctx, name, node->op_type, error, "the pads are not constant integers");
      n_pads = (int) ps->n;
      for (int k = 0; k < n_pads; k++)
        pads[k] = ps->i[k];
      if (onnx_has_input (node, 2))
        {
          Sym *v = onnx_lookup (ctx, node, 2, error);
          float f[1];
          int nf = 0;
          if (v == NULL)
            return FALSE;
          if (v->kind != SYM_CONST || !onnx_sym_floats (v, f, 1, &nf) || nf > 1)
            return fail (ctx, name, node->op_type, error, "the constant value is not a number");
          p.value = nf == 1 ? f[0] : 0.0f;
        }
      if (onnx_has_input (node, 3))
        {
          Sym *a = onnx_lookup (ctx, node, 3, error);
          if (a == NULL)
            return FALSE;
          if (a->kind != SYM_CONST || a->i == NULL || a->n > 4)
            return fail (ctx, name, node->op_type, error, "the axes are not constant");
          n_axes = (int) a->n;
          for (int k = 0; k < n_axes; k++)
            axes[k] = a->i[k] < 0 ? a->i[k] + 4 : a->i[k];
        }
    }
  if (n_pads != 2 * n_axes)
    return fail (ctx, name, node->op_type, error, "%d pads for %d axes", n_pads, n_axes);
  for (int k = 0; k < n_axes; k++)
    {
      if (axes[k] < 0 || axes[k] > 3)
        return fail (ctx, name, node->op_type, error, "axis %" G_GINT64_FORMAT
                     " is out of range", axes[k]);
      full[axes[k]] = pads[k];
      full[axes[k] + 4] = pads[k + n_axes];
    }
  {
    gboolean any = FALSE;
    for (int k = 0; k < 8; k++)
      any = any || full[k] != 0;
    /* Padding by nothing (Swin pads its windows to a multiple of their
     * size, which at most sizes is no padding at all) is the identity,
     * whatever the layout of the tensor. */
    if (!any)
      return onnx_bind (ctx, node->output[0], x, error);
  }
  if (full[0] || full[1] || full[4] || full[5])
    return fail (ctx, name, node->op_type, error,
                 "only the height and width may be padded, not the batch or channels");
  for (int k = 0; k < 8; k++)
    if (full[k] < -65536 || full[k] > 65536)
      return fail (ctx, name, node->op_type, error, "pad %" G_GINT64_FORMAT " is not valid",
                   full[k]);
  p.top = (int) full[2];
  p.left = (int) full[3];
  p.bottom = (int) full[6];
  p.right = (int) full[7];

  n = emit_unary (ctx, node, name, QVIZ_OP_PAD, x, error);
  if (n == NULL)
    return FALSE;
  n->a.pad = p;
  out = g_hash_table_lookup (ctx->syms, node->output[0]);
  out->dims[2] = x->dims[2] >= 0 ? x->dims[2] + p.top + p.bottom : -1;
  out->dims[3] = x->dims[3] >= 0 ? x->dims[3] + p.left + p.right : -1;
  return TRUE;
}

/* A reduction over any axes: axes from the attribute, or from input 1
 * (ReduceSum from opset 13, the others from 18); none means every axis,
 * or nothing at all under noop_with_empty_axes. */
static gboolean
build_reduce (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, int kind,
              GError **error)
{
  int64_t axes[QVIZ_MAX_RANK];
  int n_axes = -1;
  gboolean keep = onnx_attr_int (node, "keepdims", 1) != 0;
  gboolean axes_input = ctx->opset >= (is_op (node, "ReduceSum") ? 13 : 18);
  QvizNode *n;
  Sym *out;
  guint mask = 0;
  int j = 0;

  if (x->rank < 1)
    return fail (ctx, name, node->op_type, error, "the rank of the input is not known");
  if (axes_input && onnx_has_input (node, 1))
    {
      Sym *a = onnx_lookup (ctx, node, 1, error);
      if (a == NULL)
        return FALSE;
      if (!onnx_sym_ints (a, axes, QVIZ_MAX_RANK, &n_axes))
        return fail (ctx, name, node->op_type, error, "the axes ('%s') are not a constant list",
                     node->input[1]);
    }
  else if (!axes_input)
    {
      n_axes = onnx_attr_ints (node, "axes", axes, QVIZ_MAX_RANK);
      if (n_axes > QVIZ_MAX_RANK)
        return fail (ctx, name, node->op_type, error, "there are too many axes");
    }
  if (n_axes <= 0)
    {
      if (axes_input && onnx_attr_int (node, "noop_with_empty_axes", 0) != 0)
        return onnx_bind (ctx, node->output[0], x, error);
      mask = (1u << x->rank) - 1;
    }
  for (int k = 0; k < n_axes; k++)
    {
      int64_t a = axes[k] < 0 ? axes[k] + x->rank : axes[k];
      if (a < 0 || a >= x->rank || (mask & (1u << a)))
        return fail (ctx, name, node->op_type, error, "axis %" G_GINT64_FORMAT " is not valid "
                     "for a %d-D input", axes[k], x->rank);
      mask |= 1u << a;
    }
  n = emit_unary (ctx, node, name, QVIZ_OP_REDUCE, x, error);
  if (n == NULL)
    return FALSE;
  n->a.reduce.kind = kind;
  n->a.reduce.axes = mask;
  n->a.reduce.keepdims = keep;
  out = g_hash_table_lookup (ctx->syms, node->output[0]);
  for (int d = 0; d < x->rank; d++)
    {
      if (!(mask & (1u << d)))
        out->dims[j++] = x->dims[d];
      else if (keep)
        out->dims[j++] = 1;
    }
  out->rank = j;
  return TRUE;
}

/* ReduceMean over the height and width of a feature map (MnasNet's and
 * ShuffleNet's head, squeeze-excite blocks): the global average pool, and
 * a flatten to N x C when the reduced axes are dropped. */
static gboolean
build_reduce_mean (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x,
                   GError **error)
{
  int64_t axes[8];
  int n_axes = -1;
  gboolean keep = onnx_attr_int (node, "keepdims", 1) != 0;
  gboolean h = FALSE, w = FALSE, other = FALSE;
  QvizNode *pool;
  Sym *out;

  if (ctx->opset >= 18 && onnx_has_input (node, 1))
    {
      Sym *a = onnx_lookup (ctx, node, 1, error);
      if (a == NULL)
        return FALSE;
      if (a->kind != SYM_CONST || a->i == NULL || a->n > 8)
        return fail (ctx, name, node->op_type, error, "the axes are not constant");
      n_axes = (int) a->n;
      for (int k = 0; k < n_axes; k++)
        axes[k] = a->i[k];
    }
  else if (ctx->opset < 18)
    n_axes = onnx_attr_ints (node, "axes", axes, 8);
  if (x->rank != 4 || n_axes < 0)
    return build_reduce (ctx, node, name, x, QVK_REDUCE_MEAN, error);
  for (int k = 0; k < n_axes; k++)
    {
      int64_t a = axes[k] < 0 ? axes[k] + 4 : axes[k];
      h |= a == 2;
      w |= a == 3;
      other |= a != 2 && a != 3;
    }
  /* over height and width: the global average pool of a feature map */
  if (!h || !w || other)
    return build_reduce (ctx, node, name, x, QVK_REDUCE_MEAN, error);
  if (keep)
    {
      pool = emit_unary (ctx, node, name, QVIZ_OP_GLOBAL_AVGPOOL, x, error);
      if (pool == NULL)
        return FALSE;
      out = g_hash_table_lookup (ctx->syms, node->output[0]);
      out->dims[2] = out->dims[3] = 1;
      return TRUE;
    }
  {
    g_autofree char *pool_name = onnx_unique_name (ctx, name);
    g_autofree char *flat_name = g_strconcat (pool_name, "/squeeze", NULL);
    g_autofree char *flat_unique = onnx_unique_name (ctx, flat_name);
    QvizNode *flat;

    pool = qviz_graph_add_node (ctx->g, pool_name, QVIZ_OP_GLOBAL_AVGPOOL, &x->value, 1);
    flat = qviz_graph_add_node (ctx->g, flat_unique, QVIZ_OP_FLATTEN, &pool->output, 1);
    flat->a.axis = 1;
    out = onnx_sym_new (ctx, SYM_VALUE);
    out->value = flat->output;
    out->rank = 2;
    for (int d = 0; d < QVIZ_MAX_RANK; d++)
      out->dims[d] = -1;
    out->dims[0] = x->dims[0];
    out->dims[1] = x->dims[1];
    return onnx_bind (ctx, node->output[0], out, error);
  }
}

/* ---- data movement ------------------------------------------------------- */

/* Resolves the engine reshape dims for target entries of a runtime value:
 * an entry naming the same dimension of x becomes 0 (copy), a known one its
 * number, a dimension of another value a reference resolved per plan, one
 * unknown entry -1. */
static gboolean
build_reshape_dims (OnnxCtx *ctx, const OnnxNode *node, const char *name, const Sym *x,
                    const SymDim *want, int n_want, QvizReshapeAttrs *r, GError **error)
{
  int n_infer = 0;

  if (n_want < 0 || n_want > QVIZ_MAX_RANK)
    return fail (ctx, name, node->op_type, error, "the target has too many dimensions");
  r->rank = n_want;
  for (int j = 0; j < n_want; j++)
    {
      const SymDim *d = &want[j];
      r->has_like[j] = FALSE;
      if (d->value < 0)
        r->dims[j] = d->known; /* a plain number: ONNX's 0 and -1 carry over */
      else if (d->value == x->value && d->dim == j)
        r->dims[j] = 0;
      else if (d->known >= 0)
        r->dims[j] = d->known;
      else
        {
          r->dims[j] = 0;
          r->has_like[j] = TRUE;
          r->like_value[j] = d->value;
          r->like_dim[j] = d->dim;
          continue;
        }
      if (r->dims[j] == -1)
        n_infer++;
      else if (r->dims[j] < -1 || r->dims[j] > G_MAXINT32)
        return fail (ctx, name, node->op_type, error, "the target shape is not valid");
    }
  if (n_infer > 1)
    return fail (ctx, name, node->op_type, error,
                 "more than one target dimension is left to infer");
  return TRUE;
}

/* The entry a reshape infers, when the sizes that vary with the input
 * cancel out: as many unknown sizes on both sides, the rest known.  The
 * number goes into the node, so a plan where the unknown sizes do not in
 * fact cancel fails on the element count instead of computing something
 * else. */
static void
infer_reshape_entry (const Sym *x, QvizReshapeAttrs *r)
{
  int64_t known_in = 1, known_out = 1;
  int unknown_in = 0, unknown_out = 0, at = -1;

  if (x->rank < 0)
    return;
  for (int d = 0; d < x->rank; d++)
    {
      if (x->dims[d] < 0)
        unknown_in++;
      else if (__builtin_mul_overflow (known_in, x->dims[d], &known_in))
        return;
    }
  for (int j = 0; j < r->rank; j++)
    {
      int64_t v = r->has_like[j] ? -2 : r->dims[j] == 0 && j < x->rank ? x->dims[j] : r->dims[j];
      if (!r->has_like[j] && r->dims[j] == -1)
        at = j;
      else if (v < 0)
        unknown_out++;
      else if (__builtin_mul_overflow (known_out, v, &known_out))
        return;
    }
  if (at >= 0 && unknown_in == unknown_out && known_out > 0 && known_in % known_out == 0)
    r->dims[at] = known_in / known_out;
}

/* Whether the 4-D result of node is read along its last axis (a MatMul,
 * a layer normalization or a reduction over the last axis) before any
 * operator that needs a feature map, following it through operators that
 * do not care about layout.  Such a tensor (Swin's B x H x W x C windows)
 * stays in logical order; any other 4-D reshape (a channel shuffle) gives
 * a feature map. */
static gboolean
reshape_feeds_rows (OnnxCtx *ctx, const OnnxNode *node)
{
  static const char *const passes[] = {
    "Add", "Sub", "Mul", "Div", "Slice", "Concat", "Split", "Identity", "Dropout", "Relu",
    "Sigmoid", "Erf", "Pad", "Cast", "Pow", "Sqrt", "Neg", "Where", NULL,
  };
  static const char *const row_ops[] = {
    "LayerNormalization", "Softmax", "LogSoftmax", "ReduceMean", NULL,
  };
  g_autoptr (GHashTable) reached = g_hash_table_new (g_str_hash, g_str_equal);
  const OnnxGraph *graph = ctx->graph;
  gsize start = 0;

  if (graph == NULL)
    return FALSE;
  while (start < graph->n_node && graph->node[start] != node)
    start++;
  g_hash_table_add (reached, node->output[0]);
  for (gsize k = start + 1; k < graph->n_node; k++)
    {
      const OnnxNode *c = graph->node[k];
      gboolean reads = FALSE;
      for (gsize j = 0; j < c->n_input && !reads; j++)
        reads = c->input[j] != NULL && g_hash_table_contains (reached, c->input[j]);
      if (!reads || c->op_type == NULL)
        continue;
      if (strcmp (c->op_type, "MatMul") == 0)
        return TRUE;
      for (int j = 0; row_ops[j] != NULL; j++)
        if (strcmp (c->op_type, row_ops[j]) == 0)
          {
            /* over the last axis only: a softmax over the channels of a
             * feature map is a feature map's */
            int64_t axes[QVIZ_MAX_RANK];
            int n_axes = strcmp (c->op_type, "ReduceMean") == 0
                           ? onnx_attr_ints (c, "axes", axes, QVIZ_MAX_RANK) : 1;
            if (strcmp (c->op_type, "ReduceMean") != 0)
              axes[0] = onnx_attr_int (c, "axis", strcmp (c->op_type, "LayerNormalization") == 0
                                                    || ctx->opset >= 13 ? -1 : 1);
            return n_axes == 1 && (axes[0] == -1 || axes[0] == 3);
          }
      for (int j = 0; passes[j] != NULL; j++)
        if (strcmp (c->op_type, passes[j]) == 0)
          {
            for (gsize o = 0; o < c->n_output; o++)
              if (c->output[o] != NULL && c->output[o][0] != '\0')
                g_hash_table_add (reached, c->output[o]);
            break;
          }
    }
  return FALSE;
}

static gboolean
emit_reshape (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x,
              QvizReshapeAttrs *r, GError **error)
{
  Sym *out;
  QvizNode *n;

  if (r->rank == 4 && is_op (node, "Reshape"))
    r->rows = reshape_feeds_rows (ctx, node);
  infer_reshape_entry (x, r);
  n = emit (ctx, node, name, QVIZ_OP_RESHAPE, &x->value, 1, &out, error);
  if (n == NULL)
    return FALSE;
  n->a.reshape = *r;
  out->rank = r->rank;
  for (int j = 0; j < r->rank; j++)
    out->dims[j] = r->has_like[j] ? -1 : r->dims[j] > 0 ? r->dims[j]
                   : r->dims[j] == 0 && j < x->rank ? x->dims[j] : -1;
  return TRUE;
}

static gboolean
build_squeeze (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, GError **error)
{
  gboolean squeeze = is_op (node, "Squeeze");
  int64_t axes[QVIZ_MAX_RANK];
  int na = -1, out_rank;
  gboolean marked[QVIZ_MAX_RANK] = { FALSE };
  SymDim want[QVIZ_MAX_RANK];
  QvizReshapeAttrs r = { 0 };

  if (x->rank < 0)
    return fail (ctx, name, node->op_type, error, "the rank of the input is not known");
  if (onnx_has_input (node, 1))
    {
      Sym *a = onnx_lookup (ctx, node, 1, error);
      if (a == NULL)
        return FALSE;
      if (!onnx_sym_ints (a, axes, QVIZ_MAX_RANK, &na))
        return fail (ctx, name, node->op_type, error, "the axes are not constant");
    }
  else
    na = onnx_attr_ints (node, "axes", axes, QVIZ_MAX_RANK);
  if (na > QVIZ_MAX_RANK || (na < 0 && !squeeze))
    return fail (ctx, name, node->op_type, error, "the axes are not valid");
  out_rank = squeeze ? x->rank - MAX (na, 0) : x->rank + na;
  if (na < 0)
    {
      /* Squeeze without axes: every dimension known to be 1. */
      out_rank = x->rank;
      for (int d = 0; d < x->rank; d++)
        if (x->dims[d] == 1)
          {
            marked[d] = TRUE;
            out_rank--;
          }
    }
  if (out_rank < 0 || out_rank > QVIZ_MAX_RANK)
    return fail (ctx, name, node->op_type, error, "the result has too many dimensions");
  for (int k = 0; k < na; k++)
    {
      int64_t a = axes[k] < 0 ? axes[k] + (squeeze ? x->rank : out_rank) : axes[k];
      if (a < 0 || a >= (squeeze ? x->rank : out_rank) || marked[a] ||
          (squeeze && x->dims[a] > 1))
        return fail (ctx, name, node->op_type, error, "axis %" G_GINT64_FORMAT " is not valid",
                     axes[k]);
      marked[a] = TRUE;
    }
  if (squeeze)
    {
      int j = 0;
      for (int d = 0; d < x->rank; d++)
        if (!marked[d])
          want[j++] = (SymDim) { x->value, d, x->dims[d] };
    }
  else
    {
      int j = 0;
      for (int d = 0; d < out_rank; d++)
        {
          if (marked[d])
            want[d] = (SymDim) { -1, 0, 1 };
          else
            {
              want[d] = (SymDim) { x->value, j, x->dims[j] };
              j++;
            }
        }
    }
  if (!build_reshape_dims (ctx, node, name, x, want, out_rank, &r, error))
    return FALSE;
  return emit_reshape (ctx, node, name, x, &r, error);
}

static gboolean
build_concat (OnnxCtx *ctx, const OnnxNode *node, const char *name,
              const QvizQuantParams *out_quant, int first, int stride, GError **error)
{
  int n_in = 0, axis = (int) onnx_attr_int (node, "axis", 1);
  g_autofree int *inputs = g_new (int, MAX (node->n_input, 1));
  int rank = -1;
  int64_t dims[QVIZ_MAX_RANK];
  gboolean any_value = FALSE;
  Sym *out;

  for (int k = first; k < (int) node->n_input; k += stride)
    {
      Sym *s = onnx_lookup (ctx, node, k, error);
      if (s == NULL)
        return FALSE;
      if (s->kind == SYM_VALUE)
        any_value = TRUE;
      if (n_in == 0)
        {
          rank = s->rank;
          memcpy (dims, s->dims, sizeof dims);
        }
      else if (rank >= 0 && s->rank == rank)
        {
          int a = axis < 0 ? axis + rank : axis;
          if (a >= 0 && a < rank)
            dims[a] = dims[a] > 0 && s->dims[a] > 0 ? dims[a] + s->dims[a] : -1;
        }
      inputs[n_in] = onnx_operand_value (ctx, s, node->input[k], name, error);
      if (inputs[n_in++] < 0)
        return FALSE;
      if (stride == 3)
        {
          QvizQuantParams q;
          if (!quant_params (ctx, node, name, k + 1, k + 2, &q, error))
            return FALSE;
          if (s->kind == SYM_VALUE)
            set_value_quant (ctx, s->value, &q);
        }
    }
  if (!any_value)
    return fail (ctx, name, node->op_type, error, "no input is computed from the image");
  if (rank >= 0 && (axis < -rank || axis >= rank))
    return fail (ctx, name, node->op_type, error, "axis %d is out of range", axis);
  if (emit (ctx, node, name, QVIZ_OP_CONCAT, inputs, n_in, &out, error) == NULL)
    return FALSE;
  qviz_graph_node (ctx->g, qviz_graph_n_nodes (ctx->g) - 1)->a.axis = axis;
  out->rank = rank;
  memcpy (out->dims, dims, sizeof dims);
  if (out_quant != NULL)
    set_value_quant (ctx, out->value, out_quant);
  return TRUE;
}

/* ---- normalization ------------------------------------------------------- */

/* A float constant of n entries (or one, broadcast) copied out, or NULL
 * with an error. */
static float *
norm_param (OnnxCtx *ctx, const OnnxNode *node, const char *name, int k, int64_t size,
            GError **error)
{
  Sym *s = const_input (ctx, node, k, name, -1, error);
  float *out;

  if (s == NULL)
    return NULL;
  if (size <= 0 || (s->n != (gsize) size && s->n != 1))
    {
      fail (ctx, name, node->op_type, error, "input '%s' has %" G_GSIZE_FORMAT " entries, "
            "not one per normalized element", node->input[k], s->n);
      return NULL;
    }
  out = g_new (float, size);
  for (int64_t i = 0; i < size; i++)
    out[i] = const_float (s, s->n == 1 ? 0 : (gsize) i);
  return out;
}

static gboolean
emit_layernorm (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, int axis,
                float eps, int gamma_input, int beta_input, GError **error)
{
  int64_t size = 1;
  g_autofree float *gamma = NULL, *beta = NULL;
  QvizNode *n;

  if (x->rank < 1)
    return fail (ctx, name, node->op_type, error, "the rank of the input is not known");
  if (axis < -x->rank || axis >= x->rank)
    return fail (ctx, name, node->op_type, error, "axis %d is out of range for a %d-D input",
                 axis, x->rank);
  if (axis < 0)
    axis += x->rank;
  for (int d = axis; d < x->rank; d++)
    size = x->dims[d] < 0 || size < 0 ? -1 : size * x->dims[d];
  if (size > G_MAXINT32)
    return fail (ctx, name, node->op_type, error, "the normalized rows are too long");
  if ((gamma_input >= 0 || beta_input >= 0) && size < 0)
    return fail (ctx, name, node->op_type, error, "the normalized axes have sizes known only "
                 "at run time, so the scale cannot be laid out");
  if (gamma_input >= 0 && (gamma = norm_param (ctx, node, name, gamma_input, size, error)) == NULL)
    return FALSE;
  if (beta_input >= 0 && onnx_has_input (node, beta_input) &&
      (beta = norm_param (ctx, node, name, beta_input, size, error)) == NULL)
    return FALSE;
  if (!(eps >= 0.0f) || isinf (eps))
    return fail (ctx, name, node->op_type, error, "epsilon %g is not a finite number >= 0",
                 eps);
  n = emit_unary (ctx, node, name, QVIZ_OP_LAYERNORM, x, error);
  if (n == NULL)
    return FALSE;
  n->a.layernorm.axis = axis;
  n->a.layernorm.size = size > 0 ? (int) size : 0;
  n->a.layernorm.epsilon = eps;
  n->a.layernorm.gamma = g_steal_pointer (&gamma);
  n->a.layernorm.beta = g_steal_pointer (&beta);
  return TRUE;
}

/* The Div that ends a decomposed layer normalization (see find_layer_norms). */
static gboolean
import_decomposed_layernorm (OnnxCtx *ctx, const OnnxNode *div, int index, const char *name,
                             GError **error)
{
  const OnnxNode *mean = g_hash_table_lookup (ctx->ln_mean, GSIZE_TO_POINTER (index));
  const OnnxNode *add = g_hash_table_lookup (ctx->ln_eps, GSIZE_TO_POINTER (index));
  int64_t axes[QVIZ_MAX_RANK], first = G_MAXINT64;
  int n_axes = -1;
  gboolean seen[QVIZ_MAX_RANK] = { FALSE };
  const OnnxNode *pow_n = g_hash_table_lookup (ctx->ln_pow, GSIZE_TO_POINTER (index));
  Sym *x, *eps = NULL, *exponent;

  if (mean == NULL)
    return fail (ctx, name, "LayerNormalization", error, "the mean and the variance are taken "
                 "over different axes");
  x = g_hash_table_lookup (ctx->syms, mean->input[0]);
  for (int k = 0; k < 2 && eps == NULL; k++)
    {
      Sym *s = g_hash_table_lookup (ctx->syms, add->input[k]);
      if (s != NULL && s->kind == SYM_CONST && s->n == 1)
        eps = s;
    }
  exponent = g_hash_table_lookup (ctx->syms, pow_n->input[1]);
  if (exponent == NULL || exponent->kind != SYM_CONST || exponent->n != 1 ||
      const_float (exponent, 0) != 2.0f)
    return fail (ctx, name, "LayerNormalization", error, "the variance's Pow ('%s') does not "
                 "square", pow_n->name ? pow_n->name : "Pow");
  if (x == NULL || x->kind != SYM_VALUE)
    return fail (ctx, name, "LayerNormalization", error, "input '%s' is not computed from the "
                 "image", mean->input[0]);
  if (eps == NULL)
    return fail (ctx, name, "LayerNormalization", error, "epsilon (an input of '%s') is not "
                 "one constant number", add->name ? add->name : "Add");
  if (mean->n_input >= 2 && mean->input[1] != NULL && mean->input[1][0] != '\0')
    {
      Sym *a = g_hash_table_lookup (ctx->syms, mean->input[1]);
      if (a == NULL || !onnx_sym_ints (a, axes, QVIZ_MAX_RANK, &n_axes))
        n_axes = -2;
    }
  else
    n_axes = onnx_attr_ints (mean, "axes", axes, QVIZ_MAX_RANK);
  if (n_axes < 1 || n_axes > QVIZ_MAX_RANK || x->rank < 1)
    return fail (ctx, name, "LayerNormalization", error, "the mean's axes are not a constant "
                 "list");
  for (int k = 0; k < n_axes; k++)
    {
      int64_t a = axes[k] < 0 ? axes[k] + x->rank : axes[k];
      if (a < 0 || a >= x->rank || seen[a])
        return fail (ctx, name, "LayerNormalization", error, "axis %" G_GINT64_FORMAT
                     " of the mean is not valid", axes[k]);
      seen[a] = TRUE;
      first = MIN (first, a);
    }
  /* only a trailing run of axes is a layer normalization */
  for (int64_t a = first; a < x->rank; a++)
    if (!seen[a])
      return fail (ctx, name, "LayerNormalization", error, "the mean is over axes that are not "
                   "the last ones");
  return emit_layernorm (ctx, div, name, x, (int) first, const_float (eps, 0), -1, -1, error);
}

/* Output sizes of a slice along one axis of a known length (-1 unknown). */
static int64_t
slice_length (int64_t dim, int64_t start, int64_t end, int64_t step)
{
  if (dim < 0)
    return -1;
  step = CLAMP (step, -(dim + 1), dim + 1);
  start = start < 0 ? MAX (start, -dim - 1) + dim : start;
  end = end < 0 ? MAX (end, -dim - 1) + dim : end;
  if (step > 0)
    {
      start = CLAMP (start, 0, dim);
      end = CLAMP (end, 0, dim);
      return end > start ? (end - start + step - 1) / step : 0;
    }
  start = CLAMP (start, 0, dim - 1);
  end = CLAMP (end, -1, dim - 1);
  return start > end ? (start - end - step - 1) / -step : 0;
}

/* Reads a Slice bound list: numbers, or an entry that is the sliced
 * input's own length along the axis (Shape of the input), which is read as
 * "to the end". */
static gboolean
slice_bounds (OnnxCtx *ctx, const OnnxNode *node, const char *name, int k, const char *attr,
              const Sym *x, const int64_t *axes, int n_axes, int64_t *out, int *n,
              GError **error)
{
  Sym *s;

  if (!onnx_has_input (node, k))
    {
      *n = onnx_attr_ints (node, attr, out, QVIZ_MAX_RANK);
      if (*n > QVIZ_MAX_RANK)
        return fail (ctx, name, node->op_type, error, "%s has too many entries", attr);
      return TRUE;
    }
  if ((s = onnx_lookup (ctx, node, k, error)) == NULL)
    return FALSE;
  if (onnx_sym_ints (s, out, QVIZ_MAX_RANK, n))
    return TRUE;
  if (s->kind != SYM_SHAPE || s->rank != 1 || s->n > QVIZ_MAX_RANK)
    return fail (ctx, name, node->op_type, error, "%s ('%s') is not a list of integers known "
                 "at load time", attr, node->input[k]);
  *n = (int) s->n;
  for (int j = 0; j < *n; j++)
    {
      const SymDim *d = &s->e[j];
      int64_t axis = axes != NULL && j < n_axes ? axes[j] : j;
      if (axis < 0)
        axis += x->rank;
      if (d->value == SYMDIM_DERIVED)
        return fail (ctx, name, node->op_type, error, "entry %d of %s ('%s') is computed "
                     "from a size known only at run time", j, attr, node->input[k]);
      if (d->value < 0 || d->known >= 0)
        out[j] = d->known;
      else if (d->value == x->value && d->dim == axis)
        out[j] = G_MAXINT64;
      else
        return fail (ctx, name, node->op_type, error, "entry %d of %s ('%s') depends on the "
                     "input size in a way qviz cannot follow", j, attr, node->input[k]);
    }
  return TRUE;
}

/* Adds a slice node for output k of node and binds it. */
static gboolean
emit_slice (OnnxCtx *ctx, const OnnxNode *node, const char *name, int k, Sym *x,
            const QvizSliceAttrs *a, GError **error)
{
  g_autofree char *unique = onnx_unique_name (ctx, name);
  QvizNode *n = qviz_graph_add_node (ctx->g, unique, QVIZ_OP_SLICE, &x->value, 1);
  Sym *out = onnx_sym_new (ctx, SYM_VALUE);

  n->a.slice = *a;
  out->value = n->output;
  out->rank = x->rank;
  memcpy (out->dims, x->dims, sizeof out->dims);
  for (int j = 0; j < a->n_axes; j++)
    {
      int axis = a->axes[j] < 0 ? a->axes[j] + x->rank : a->axes[j];
      out->dims[axis] = slice_length (x->dims[axis], a->starts[j], a->ends[j], a->steps[j]);
    }
  return onnx_bind (ctx, node->output[k], out, error);
}

static gboolean
build_slice (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, GError **error)
{
  int64_t starts[QVIZ_MAX_RANK], ends[QVIZ_MAX_RANK], axes[QVIZ_MAX_RANK], steps[QVIZ_MAX_RANK];
  int ns = -1, ne = -1, na = -1, nst = -1;
  gboolean seen[QVIZ_MAX_RANK] = { FALSE };
  QvizSliceAttrs a = { 0 };

  if (x->rank < 1)
    return fail (ctx, name, node->op_type, error, "the rank of the input is not known");
  if (!slice_bounds (ctx, node, name, 3, "axes", x, NULL, 0, axes, &na, error))
    return FALSE;
  if (!slice_bounds (ctx, node, name, 1, "starts", x, na >= 0 ? axes : NULL, na, starts, &ns,
                     error) ||
      !slice_bounds (ctx, node, name, 2, "ends", x, na >= 0 ? axes : NULL, na, ends, &ne,
                     error) ||
      !slice_bounds (ctx, node, name, 4, "steps", x, NULL, 0, steps, &nst, error))
    return FALSE;
  if (ns < 0 || ne != ns || (na >= 0 && na != ns) || (nst >= 0 && nst != ns))
    return fail (ctx, name, node->op_type, error, "starts, ends, axes and steps differ in "
                 "length");
  a.n_axes = ns;
  for (int j = 0; j < ns; j++)
    {
      int64_t axis = na >= 0 ? axes[j] : j;
      int64_t resolved = axis < 0 ? axis + x->rank : axis;
      if (resolved < 0 || resolved >= x->rank || seen[resolved])
        return fail (ctx, name, node->op_type, error, "axis %" G_GINT64_FORMAT " is not valid "
                     "for a %d-D input", axis, x->rank);
      if (nst >= 0 && steps[j] == 0)
        return fail (ctx, name, node->op_type, error, "step 0 on axis %" G_GINT64_FORMAT
                     " is not valid", axis);
      seen[resolved] = TRUE;
      a.axes[j] = (int) resolved;
      a.starts[j] = starts[j];
      a.ends[j] = ends[j];
      a.steps[j] = nst >= 0 ? steps[j] : 1;
    }
  return emit_slice (ctx, node, name, 0, x, &a, error);
}

/* Gather of a computed tensor with constant indices (a transformer's
 * class token, x[:, 0]): a slice per run of consecutive indices, joined by
 * a concatenation; a scalar index also drops the axis. */
static gboolean
build_gather (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, GError **error)
{
  Sym *ind = onnx_lookup (ctx, node, 1, error);
  int64_t axis = onnx_attr_int (node, "axis", 0), dim;
  int64_t idx[64];
  int n_idx = 0, parts[64], n_parts = 0, value;
  Sym *out;

  if (ind == NULL)
    return FALSE;
  if (x->rank < 1)
    return fail (ctx, name, node->op_type, error, "the rank of the input is not known");
  if (axis < -x->rank || axis >= x->rank)
    return fail (ctx, name, node->op_type, error, "axis %" G_GINT64_FORMAT " is out of range",
                 axis);
  if (axis < 0)
    axis += x->rank;
  dim = x->dims[axis];
  if (ind->kind != SYM_CONST || ind->i == NULL || ind->rank > 1 ||
      !onnx_sym_ints (ind, idx, G_N_ELEMENTS (idx), &n_idx) || n_idx < 1)
    return fail (ctx, name, node->op_type, error, "the indices ('%s') are not a constant "
                 "integer or list of at most %d integers", node->input[1],
                 (int) G_N_ELEMENTS (idx));
  /* With the axis' length known only per plan, a negative index stays
   * negative and each slice checks its range when planned. */
  for (int k = 0; k < n_idx; k++)
    {
      if (idx[k] < 0 && dim >= 0)
        idx[k] += dim;
      if ((dim >= 0 && (idx[k] < 0 || idx[k] >= dim)) || idx[k] < -G_MAXINT32 ||
          idx[k] > G_MAXINT32)
        return fail (ctx, name, node->op_type, error, "index %" G_GINT64_FORMAT " is out of "
                     "range for axis %" G_GINT64_FORMAT, idx[k], axis);
    }
  for (int k = 0; k < n_idx;)
    {
      int run = 1;
      g_autofree char *unique = onnx_unique_name (ctx, name);
      QvizNode *s;
      int64_t end;
      while (k + run < n_idx && idx[k + run] == idx[k] + run && (idx[k] < 0) == (idx[k + run] < 0))
        run++;
      end = idx[k] < 0 && idx[k] + run == 0 ? G_MAXINT64 : idx[k] + run;
      s = qviz_graph_add_node (ctx->g, unique, QVIZ_OP_SLICE, &x->value, 1);
      s->a.slice = (QvizSliceAttrs) { 1, { (int) axis }, { idx[k] }, { end }, { 1 }, TRUE };
      parts[n_parts++] = s->output;
      k += run;
    }
  value = parts[0];
  if (n_parts > 1)
    {
      g_autofree char *unique = onnx_unique_name (ctx, name);
      QvizNode *c = qviz_graph_add_node (ctx->g, unique, QVIZ_OP_CONCAT, parts, n_parts);
      c->a.axis = (int) axis;
      value = c->output;
    }
  out = onnx_sym_new (ctx, SYM_VALUE);
  out->rank = x->rank;
  memcpy (out->dims, x->dims, sizeof out->dims);
  out->dims[axis] = n_idx;
  if (ind->rank == 0)
    {
      /* drop the axis: every other dimension as the slice has it */
      g_autofree char *unique = onnx_unique_name (ctx, name);
      QvizNode *r = qviz_graph_add_node (ctx->g, unique, QVIZ_OP_RESHAPE, &value, 1);
      QvizReshapeAttrs ra = { 0 };
      ra.rank = x->rank - 1;
      for (int d = 0; d < ra.rank; d++)
        {
          ra.has_like[d] = TRUE;
          ra.like_value[d] = value;
          ra.like_dim[d] = d < axis ? d : d + 1;
        }
      r->a.reshape = ra;
      value = r->output;
      for (int d = (int) axis; d < x->rank - 1; d++)
        out->dims[d] = out->dims[d + 1];
      out->rank = x->rank - 1;
    }
  out->value = value;
  return onnx_bind (ctx, node->output[0], out, error);
}

/* Split: one slice per output along the axis. */
static gboolean
build_split (OnnxCtx *ctx, const OnnxNode *node, const char *name, Sym *x, GError **error)
{
  int64_t axis = onnx_attr_int (node, "axis", 0);
  int n_out = (int) node->n_output;
  g_autofree int64_t *sizes = g_new0 (int64_t, MAX (n_out, 1));
  int64_t dim, start = 0;
  int n_sizes = -1;

  if (x->rank < 1)
    return fail (ctx, name, node->op_type, error, "the rank of the input is not known");
  if (axis < -x->rank || axis >= x->rank)
    return fail (ctx, name, node->op_type, error, "axis %" G_GINT64_FORMAT " is out of range",
                 axis);
  if (axis < 0)
    axis += x->rank;
  dim = x->dims[axis];
  if (onnx_has_input (node, 1))
    {
      Sym *sp = onnx_lookup (ctx, node, 1, error);
      int64_t buf[64];
      if (sp == NULL)
        return FALSE;
      if (!onnx_sym_ints (sp, buf, 64, &n_sizes))
        return fail (ctx, name, node->op_type, error, "the split sizes ('%s') are not "
                     "integers known at load time", node->input[1]);
      if (n_sizes != n_out)
        return fail (ctx, name, node->op_type, error, "%d split sizes for %d outputs",
                     n_sizes, n_out);
      memcpy (sizes, buf, sizeof (int64_t) * n_out);
    }
  else if (onnx_attr (node, "split") != NULL)
    {
      n_sizes = onnx_attr_ints (node, "split", sizes, n_out);
      if (n_sizes != n_out)
        return fail (ctx, name, node->op_type, error, "%d split sizes for %d outputs",
                     n_sizes, n_out);
    }
  else
    {
      /* Equal parts (opset 18: the last one smaller). */
      int64_t part;
      if (dim < 0)
        return fail (ctx, name, node->op_type, error, "the length of axis %" G_GINT64_FORMAT
                     " is not known at load time, so its equal parts are not either", axis);
      part = (dim + n_out - 1) / MAX (n_out, 1);
      if (onnx_attr (node, "num_outputs") == NULL && dim % MAX (n_out, 1) != 0)
        return fail (ctx, name, node->op_type, error, "axis %" G_GINT64_FORMAT " of length %"
                     G_GINT64_FORMAT " does not split into %d equal parts", axis, dim, n_out);
      for (int k = 0; k < n_out; k++)
        sizes[k] = MAX (MIN (part, dim - k * part), 0);
    }
  {
    int64_t total = 0;
    for (int k = 0; k < n_out; k++)
      {
        if (sizes[k] < 0)
          return fail (ctx, name, node->op_type, error, "split size %" G_GINT64_FORMAT
                       " is negative", sizes[k]);
        total += sizes[k];
      }
    if (dim >= 0 && total != dim)
      return fail (ctx, name, node->op_type, error, "the split sizes add up to %"
                   G_GINT64_FORMAT ", but axis %" G_GINT64_FORMAT " has %" G_GINT64_FORMAT,
                   total, axis, dim);
  }
  for (int k = 0; k < n_out; k++)
    {
      QvizSliceAttrs a = { 1, { (int) axis }, { start }, { start + sizes[k] }, { 1 } };
      if (node->output[k] == NULL || node->output[k][0] == '\0')
        {
          start += sizes[k];
          continue;
        }
      if (!emit_slice (ctx, node, name, k, x, &a, error))
        return FALSE;
      start += sizes[k];
    }
  return TRUE;
}

/* ---- the dispatcher -------------------------------------------------------- */

static gboolean
import_quantize (OnnxCtx *ctx, const OnnxNode *node, const char *name, gboolean dequant,
                 GError **error)
{
  Sym *x = onnx_lookup (ctx, node, 0, error);
  int axis = (int) onnx_attr_int (node, "axis", 1);
  Sym *scale, *zp = NULL, *out;

  if (x == NULL)
    return FALSE;
  if (x->kind == SYM_SKIP)
    return onnx_bind (ctx, node->output[0], x, error);
  if ((scale = const_input (ctx, node, 1, name, -1, error)) == NULL)
    return FALSE;
  if (onnx_has_input (node, 2) && (zp = const_input (ctx, node, 2, name, -1, error)) == NULL)
    return FALSE;

  if (x->kind == SYM_VALUE)
    {
      QvizQuantParams q;
      const QvizValue *xv;
      if (!quant_params (ctx, node, name, 1, 2, &q, error))
        return FALSE;
      xv = qviz_graph_value (ctx->g, x->value);
      if (!dequant && xv->quant.valid && xv->file_quant &&
          (xv->quant.scale != q.scale || xv->quant.zero_point != q.zero_point))
        {
          /* DequantizeLinear -> QuantizeLinear to other parameters: a
           * requantization of its own, which both plans execute. */
          QvizNode *n = emit_unary (ctx, node, name, QVIZ_OP_IDENTITY, x, error);
          if (n == NULL)
            return FALSE;
          set_value_quant (ctx, n->output, &q);
          return TRUE;
        }
      set_value_quant (ctx, x->value, &q);
      /* The float graph computes the same tensor on both sides. */
      return onnx_bind (ctx, node->output[0], x, error);
    }
  if (x->kind != SYM_CONST)
    return fail (ctx, name, node->op_type, error, "the input is a shape computation");
  if (dequant)
    out = dequantize_const (ctx, node, name, x, scale, zp, axis, error);
  else
    {
      if (x->f == NULL)
        return fail (ctx, name, node->op_type, error, "the input is not a float tensor");
      out = quantize_const (ctx, node, name, x, scale, zp, axis, error);
    }
  if (out == NULL)
    return FALSE;
  return onnx_bind (ctx, node->output[0], out, error);
}

/* QLinearConv / QLinearMatMul: int8 weights are dequantized for the float
 * node; the activations' scales go on the values. */
static gboolean
import_qlinear_dense (OnnxCtx *ctx, const OnnxNode *node, const char *name, GError **error)
{
  gboolean conv = is_op (node, "QLinearConv");
  Sym *x = runtime_input (ctx, node, 0, name, error);
  Sym *wq, *ws, *wz = NULL, *w, *b = NULL;
  QvizQuantParams qx, qy;

  if (x == NULL || !quant_params (ctx, node, name, 1, 2, &qx, error) ||
      !quant_params (ctx, node, name, 6, 7, &qy, error))
    return FALSE;
  set_value_quant (ctx, x->value, &qx);
  if ((wq = const_input (ctx, node, 3, name, -1, error)) == NULL ||
      (ws = const_input (ctx, node, 4, name, -1, error)) == NULL)
    return FALSE;
  if (onnx_has_input (node, 5) && (wz = const_input (ctx, node, 5, name, -1, error)) == NULL)
    return FALSE;
  w = dequantize_const (ctx, node, name, wq, ws, wz, conv ? 0 : 1, error);
  if (w == NULL)
    return FALSE;
  if (!conv)
    return build_linear (ctx, node, name, x, w, FALSE, 1.0f, NULL, 0.0f, &qy, error);

  if (onnx_has_input (node, 8))
    {
      Sym *bq = const_input (ctx, node, 8, name, 1, error);
      if (bq == NULL)
        return FALSE;
      if (bq->i == NULL || (bq->n != ws->n && ws->n != 1) || w->rank < 1 ||
          bq->n != (gsize) w->dims[0])
        return fail (ctx, name, node->op_type, error, "the int32 bias does not fit the weights");
      b = onnx_sym_new (ctx, SYM_CONST);
      b->rank = 1;
      b->dims[0] = (int64_t) bq->n;
      b->n = bq->n;
      b->f = g_new (float, MAX (bq->n, 1));
      for (gsize k = 0; k < bq->n; k++)
        b->f[k] = (float) bq->i[k] * qx.scale * const_float (ws, ws->n == 1 ? 0 : k);
    }
  return build_conv (ctx, node, name, x, w, b, &qy, error);
}

/* com.microsoft QGemm: A, a_scale, a_zp, B (int8 constant), b_scale (per
 * tensor or per output column), b_zp, C (int32 bias, scale a_scale * b_scale),
 * y_scale, y_zp (no y_scale: a float output). */
static gboolean
import_qgemm (OnnxCtx *ctx, const OnnxNode *node, const char *name, GError **error)
{
  gboolean trans_b = onnx_attr_int (node, "transB", 0) != 0;
  Sym *x = runtime_input (ctx, node, 0, name, error);
  Sym *bq, *bs, *bz = NULL, *w, *c = NULL;
  QvizQuantParams qa, qy;
  gboolean has_y = onnx_has_input (node, 7);

  if (x == NULL || !quant_params (ctx, node, name, 1, 2, &qa, error) ||
      (has_y && !quant_params (ctx, node, name, 7, 8, &qy, error)))
    return FALSE;
  if (onnx_attr_int (node, "transA", 0) != 0)
    return fail (ctx, name, node->op_type, error, "a transposed input (transA) is not supported");
  set_value_quant (ctx, x->value, &qa);
  if ((bq = const_input (ctx, node, 3, name, 2, error)) == NULL ||
      (bs = const_input (ctx, node, 4, name, -1, error)) == NULL)
    return FALSE;
  if (onnx_has_input (node, 5) && (bz = const_input (ctx, node, 5, name, -1, error)) == NULL)
    return FALSE;
  w = dequantize_const (ctx, node, name, bq, bs, bz, trans_b ? 0 : 1, error);
  if (w == NULL)
    return FALSE;
  if (onnx_has_input (node, 6))
    {
      Sym *cq = const_input (ctx, node, 6, name, 1, error);
      gsize n_out = (gsize) bq->dims[trans_b ? 0 : 1];
      if (cq == NULL)
        return FALSE;
      if (cq->i == NULL || cq->n != n_out || (bs->n != 1 && bs->n != n_out))
        return fail (ctx, name, node->op_type, error, "the int32 bias does not fit the weights");
      c = onnx_sym_new (ctx, SYM_CONST);
      c->rank = 1;
      c->dims[0] = (int64_t) cq->n;
      c->n = cq->n;
      c->f = g_new (float, MAX (cq->n, 1));
      for (gsize k = 0; k < cq->n; k++)
        c->f[k] = (float) cq->i[k] * qa.scale * const_float (bs, bs->n == 1 ? 0 : k);
    }
  return build_linear (ctx, node, name, x, w, trans_b, onnx_attr_float (node, "alpha", 1.0f),
                       c, 1.0f, has_y ? &qy : NULL, error);
}

/* com.microsoft QLinearAdd / QLinearMul: A, A_s, A_zp, B, B_s, B_zp, C_s, C_zp. */
static gboolean
import_qlinear_binary (OnnxCtx *ctx, const OnnxNode *node, const char *name, QvizOp op,
                       GError **error)
{
  Sym *ab[2];
  QvizQuantParams qa, qb, qc;

  for (int k = 0; k < 2; k++)
    if ((ab[k] = onnx_lookup (ctx, node, 3 * k, error)) == NULL)
      return FALSE;
  if (!quant_params (ctx, node, name, 1, 2, &qa, error) ||
      !quant_params (ctx, node, name, 4, 5, &qb, error) ||
      !quant_params (ctx, node, name, 6, 7, &qc, error))
    return FALSE;
  for (int k = 0; k < 2; k++)
    {
      const QvizQuantParams *q = k ? &qb : &qa;
      if (ab[k]->kind == SYM_VALUE)
        set_value_quant (ctx, ab[k]->value, q);
      else if (ab[k]->kind == SYM_CONST && ab[k]->i != NULL)
        {
          /* A quantized constant operand: dequantize it with its parameters. */
          Sym *c = onnx_sym_new (ctx, SYM_CONST);
          c->rank = ab[k]->rank;
          memcpy (c->dims, ab[k]->dims, sizeof c->dims);
          c->n = ab[k]->n;
          c->f = g_new (float, MAX (c->n, 1));
          for (gsize j = 0; j < c->n; j++)
            c->f[j] = ((float) ab[k]->i[j] - (float) (q->zero_point -
                        (ab[k]->onnx_type == QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__INT8 ? 128 : 0))) *
                      q->scale;
          ab[k] = c;
        }
    }
  return build_binary (ctx, node, name, op, ab[0], ab[1], &qc, error);
}

gboolean
onnx_import_node (OnnxCtx *ctx, const OnnxNode *node, int index, GError **error)
{
  g_autofree char *name = onnx_node_name (node, index);
  const char *op = node->op_type;
  gboolean handled;
  Sym *x;

  if (node->n_output < 1 || node->output[0] == NULL || node->output[0][0] == '\0')
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE, "%s: node '%s' (%s) has no output.",
                   ctx->file, name, op);
      return FALSE;
    }

  if (ctx->node_flags[index] == NODE_SKIP)
    return onnx_bind (ctx, node->output[0], onnx_sym_new (ctx, SYM_SKIP), error);
  if (ctx->node_flags[index] == NODE_HARDSWISH || ctx->node_flags[index] == NODE_HARDSWISH_X1)
    {
      x = runtime_input (ctx, node, ctx->node_flags[index] == NODE_HARDSWISH ? 0 : 1, name, error);
      return x != NULL && emit_activation (ctx, node, name, x,
                                           qvk_activation_make (QVK_ACT_HARDSWISH), error);
    }

  if (ctx->node_flags[index] == NODE_LAYERNORM)
    return import_decomposed_layernorm (ctx, node, index, name, error);

  if (!onnx_try_fold (ctx, node, name, &handled, error))
    return FALSE;
  if (handled)
    return TRUE;

  if (is_op (node, "QuantizeLinear") || is_op (node, "DequantizeLinear"))
    return import_quantize (ctx, node, name, is_op (node, "DequantizeLinear"), error);
  if (is_op (node, "QLinearConv") || is_op (node, "QLinearMatMul"))
    return import_qlinear_dense (ctx, node, name, error);
  if (is_op (node, "QLinearAdd"))
    return import_qlinear_binary (ctx, node, name, QVIZ_OP_ADD, error);
  if (is_op (node, "QLinearMul"))
    return import_qlinear_binary (ctx, node, name, QVIZ_OP_MUL, error);
  if (is_op (node, "QGemm"))
    return import_qgemm (ctx, node, name, error);
  if (is_op (node, "QLinearConcat"))
    {
      QvizQuantParams qy;
      if (!quant_params (ctx, node, name, 0, 1, &qy, error))
        return FALSE;
      return build_concat (ctx, node, name, &qy, 2, 3, error);
    }

  if (is_op (node, "Add") || is_op (node, "Sub") || is_op (node, "Mul") || is_op (node, "Div"))
    {
      Sym *a = onnx_lookup (ctx, node, 0, error), *b;
      QvizOp bop = is_op (node, "Add") ? QVIZ_OP_ADD : is_op (node, "Sub") ? QVIZ_OP_SUB
                   : is_op (node, "Mul") ? QVIZ_OP_MUL : QVIZ_OP_DIV;
      if (a == NULL || (b = onnx_lookup (ctx, node, 1, error)) == NULL)
        return FALSE;
      return build_binary (ctx, node, name, bop, a, b, NULL, error);
    }
  if (is_op (node, "Concat"))
    return build_concat (ctx, node, name, NULL, 0, 1, error);
  if (is_op (node, "Equal") || is_op (node, "Less") || is_op (node, "LessOrEqual") ||
      is_op (node, "Greater") || is_op (node, "GreaterOrEqual"))
    {
      Sym *a = onnx_lookup (ctx, node, 0, error), *b;
      QvizOp cop = is_op (node, "Equal") ? QVIZ_OP_EQUAL : is_op (node, "Less") ? QVIZ_OP_LESS
                   : is_op (node, "LessOrEqual") ? QVIZ_OP_LESS_EQUAL
                   : is_op (node, "Greater") ? QVIZ_OP_GREATER : QVIZ_OP_GREATER_EQUAL;
      if (a == NULL || (b = onnx_lookup (ctx, node, 1, error)) == NULL)
        return FALSE;
      return build_binary (ctx, node, name, cop, a, b, NULL, error);
    }
  if (is_op (node, "Where"))
    {
      Sym *in[3];
      for (int k = 0; k < 3; k++)
        if ((in[k] = onnx_lookup (ctx, node, k, error)) == NULL)
          return FALSE;
      return build_where (ctx, node, name, in, error);
    }

  /* Everything else reads one runtime tensor first. */
  x = runtime_input (ctx, node, 0, name, error);
  if (x == NULL)
    return FALSE;

  if (is_op (node, "Expand"))
    {
      Sym *shape = onnx_lookup (ctx, node, 1, error);
      if (shape == NULL)
        return FALSE;
      return build_expand (ctx, node, name, x, shape, error);
    }
  if (is_op (node, "Conv"))
    {
      Sym *w = const_input (ctx, node, 1, name, -1, error), *b = NULL;
      if (w == NULL)
        return FALSE;
      if (onnx_has_input (node, 2) && (b = const_input (ctx, node, 2, name, 1, error)) == NULL)
        return FALSE;
      return build_conv (ctx, node, name, x, w, b, NULL, error);
    }
  if (is_op (node, "ConvTranspose"))
    {
      Sym *w = const_input (ctx, node, 1, name, -1, error), *b = NULL;
      if (w == NULL)
        return FALSE;
      if (onnx_has_input (node, 2) && (b = const_input (ctx, node, 2, name, 1, error)) == NULL)
        return FALSE;
      return build_conv_transpose (ctx, node, name, x, w, b, error);
    }
  if (is_op (node, "BatchNormalization"))
    {
      Sym *p[4];
      QvizBatchNormAttrs bn = { 0 };
      QvizNode *n;
      for (int k = 0; k < 4; k++)
        if ((p[k] = const_input (ctx, node, k + 1, name, 1, error)) == NULL)
          return FALSE;
      bn.channels = (int) MIN (p[0]->n, (gsize) G_MAXINT);
      for (int k = 1; k < 4; k++)
        if (p[k]->n != p[0]->n)
          return fail (ctx, name, op, error, "its four parameter vectors differ in length");
      if (x->dims[1] > 0 && x->dims[1] != bn.channels)
        return fail (ctx, name, op, error, "the input has %" G_GINT64_FORMAT
                     " channels, the statistics %d", x->dims[1], bn.channels);
      bn.eps = onnx_attr_float (node, "epsilon", 1e-5f);
      n = emit_unary (ctx, node, name, QVIZ_OP_BATCHNORM, x, error);
      if (n == NULL)
        return FALSE;
      bn.gamma = g_new (float, bn.channels);
      bn.beta = g_new (float, bn.channels);
      bn.mean = g_new (float, bn.channels);
      bn.var = g_new (float, bn.channels);
      for (int c = 0; c < bn.channels; c++)
        {
          bn.gamma[c] = const_float (p[0], c);
          bn.beta[c] = const_float (p[1], c);
          bn.mean[c] = const_float (p[2], c);
          bn.var[c] = const_float (p[3], c);
        }
      n->a.bn = bn;
      return TRUE;
    }
  if (is_op (node, "Relu"))
    return emit_activation (ctx, node, name, x, qvk_activation_make (QVK_ACT_RELU), error);
  if (is_op (node, "Sigmoid"))
    return emit_activation (ctx, node, name, x, qvk_activation_make (QVK_ACT_SIGMOID), error);
  if (is_op (node, "Tanh"))
    return emit_activation (ctx, node, name, x, qvk_activation_make (QVK_ACT_TANH), error);
  if (is_op (node, "Softplus"))
    return emit_activation (ctx, node, name, x, qvk_activation_make (QVK_ACT_SOFTPLUS), error);
  if (is_op (node, "Erf"))
    return emit_activation (ctx, node, name, x, qvk_activation_make (QVK_ACT_ERF), error);
  if (is_op (node, "Sqrt"))
    return emit_activation (ctx, node, name, x, qvk_activation_make (QVK_ACT_SQRT), error);
  if (is_op (node, "LeakyRelu") || is_op (node, "Elu"))
    {
      gboolean leaky = is_op (node, "LeakyRelu");
      qvk_activation a = qvk_activation_make (leaky ? QVK_ACT_LEAKY_RELU : QVK_ACT_ELU);
      a.alpha = onnx_attr_float (node, "alpha", leaky ? 0.01f : 1.0f);
      return emit_activation (ctx, node, name, x, a, error);
    }
  if (is_op (node, "PRelu"))
    {
      qvk_activation a = qvk_activation_make (QVK_ACT_LEAKY_RELU);
      Sym *slope = onnx_lookup (ctx, node, 1, error);
      float s[1];
      int ns = 0;
      if (slope == NULL)
        return FALSE;
      if (slope->kind != SYM_CONST)
        return fail (ctx, name, node->op_type, error, "the slope ('%s') is not a constant",
                     node->input[1]);
      if (onnx_sym_floats (slope, s, 1, &ns) && ns == 1)
        {
          a.alpha = s[0];
          return emit_activation (ctx, node, name, x, a, error);
        }
      return build_prelu (ctx, node, name, x, slope, error);
    }
  if (is_op (node, "HardSwish"))
    return emit_activation (ctx, node, name, x, qvk_activation_make (QVK_ACT_HARDSWISH), error);
  if (is_op (node, "HardSigmoid"))
    {
      qvk_activation a = qvk_activation_make (QVK_ACT_HARDSIGMOID);
      a.alpha = onnx_attr_float (node, "alpha", 0.2f);
      a.beta = onnx_attr_float (node, "beta", 0.5f);
      return emit_activation (ctx, node, name, x, a, error);
    }
  if (is_op (node, "Clip"))
    {
      float lo = -FLT_MAX, hi = FLT_MAX;
      if (ctx->opset < 11)
        {
          lo = onnx_attr_float (node, "min", lo);
          hi = onnx_attr_float (node, "max", hi);
        }
      else
        for (int k = 1; k <= 2; k++)
          if (onnx_has_input (node, k))
            {
              Sym *b = const_input (ctx, node, k, name, -1, error);
              if (b == NULL)
                return FALSE;
              if (b->n != 1)
                return fail (ctx, name, op, error, "its bounds must be single numbers");
              *(k == 1 ? &lo : &hi) = const_float (b, 0);
            }
      if (lo > hi)
        return fail (ctx, name, op, error, "its minimum %g exceeds its maximum %g", lo, hi);
      return emit_activation (ctx, node, name, x,
                              lo == 0 && hi >= FLT_MAX ? qvk_activation_make (QVK_ACT_RELU)
                                                       : qvk_activation_clip (lo, hi), error);
    }
  if (is_op (node, "GlobalAveragePool"))
    {
      QvizNode *n = emit_unary (ctx, node, name, QVIZ_OP_GLOBAL_AVGPOOL, x, error);
      Sym *out = n ? g_hash_table_lookup (ctx->syms, node->output[0]) : NULL;
      if (out != NULL)
        out->dims[2] = out->dims[3] = 1;
      return n != NULL;
    }
  if (is_op (node, "QLinearSigmoid"))
    {
      QvizQuantParams qx, qy;
      QvizNode *n;
      if (!quant_params (ctx, node, name, 1, 2, &qx, error) ||
          !quant_params (ctx, node, name, 3, 4, &qy, error))
        return FALSE;
      set_value_quant (ctx, x->value, &qx);
      n = emit_unary (ctx, node, name, QVIZ_OP_ACTIVATION, x, error);
      if (n == NULL)
        return FALSE;
      n->a.act = qvk_activation_make (QVK_ACT_SIGMOID);
      set_value_quant (ctx, n->output, &qy);
      return TRUE;
    }
  if (is_op (node, "ReduceMean"))
    return build_reduce_mean (ctx, node, name, x, error);
  if (is_op (node, "Pad"))
    return build_pad (ctx, node, name, x, error);
  if (is_op (node, "QLinearGlobalAveragePool"))
    {
      QvizQuantParams qx, qy;
      QvizNode *n;
      if (onnx_attr_int (node, "channels_last", 0) != 0)
        return fail (ctx, name, op, error, "channels-last input is not supported");
      if (!quant_params (ctx, node, name, 1, 2, &qx, error) ||
          !quant_params (ctx, node, name, 3, 4, &qy, error))
        return FALSE;
      set_value_quant (ctx, x->value, &qx);
      n = emit_unary (ctx, node, name, QVIZ_OP_GLOBAL_AVGPOOL, x, error);
      if (n == NULL)
        return FALSE;
      set_value_quant (ctx, n->output, &qy);
      return TRUE;
    }
  if (is_op (node, "AveragePool"))
    return build_pool (ctx, node, name, QVIZ_OP_AVGPOOL, x, error);
  if (is_op (node, "MaxPool"))
    return build_pool (ctx, node, name, QVIZ_OP_MAXPOOL, x, error);
  if (is_op (node, "Resize") || is_op (node, "Upsample"))
    return build_resize (ctx, node, name, x, error);
  if (is_op (node, "Gemm"))
    {
      Sym *w = const_input (ctx, node, 1, name, 2, error), *c = NULL;
      gboolean trans_b = onnx_attr_int (node, "transB", 0) != 0;
      float beta = onnx_attr_float (node, "beta", 1.0f);
      if (w == NULL)
        return FALSE;
      if (onnx_attr_int (node, "transA", 0) != 0)
        {
          /* A is K x M: its transpose is a node of its own */
          g_autofree char *tname = g_strdup_printf ("%s/transA", name);
          g_autofree char *unique = onnx_unique_name (ctx, tname);
          int64_t m = x->dims[1], k = x->dims[0];
          QvizNode *t;
          if (x->rank != 2)
            return fail (ctx, name, op, error, "input A has %d dimensions, not 2", x->rank);
          t = qviz_graph_add_node (ctx->g, unique, QVIZ_OP_TRANSPOSE, &x->value, 1);
          t->a.perm[0] = 1;
          t->a.perm[1] = 0;
          x = onnx_sym_new (ctx, SYM_VALUE);
          x->value = t->output;
          x->rank = 2;
          x->dims[0] = m;
          x->dims[1] = k;
        }
      if (onnx_has_input (node, 2) && (c = const_input (ctx, node, 2, name, -1, error)) == NULL)
        return FALSE;
      if (c != NULL && c->n > 1 && c->rank == 2 && c->dims[0] > 1)
        return build_gemm_matrix_bias (ctx, node, name, x, w, trans_b, c, beta, error);
      return build_linear (ctx, node, name, x, w, trans_b, onnx_attr_float (node, "alpha", 1.0f),
                           c, beta, NULL, error);
    }
  if (is_op (node, "Einsum"))
    return build_einsum (ctx, node, name, error);
  if (is_op (node, "MatMul"))
    {
      Sym *w = onnx_lookup (ctx, node, 1, error);
      if (w == NULL)
        return FALSE;
      if (w->kind == SYM_CONST && w->rank == 2)
        return build_linear (ctx, node, name, x, w, FALSE, 1.0f, NULL, 0.0f, NULL, error);
      return build_matmul (ctx, node, name, x, w, error);
    }
  if (is_op (node, "Flatten"))
    {
      int axis = (int) onnx_attr_int (node, "axis", 1);
      QvizNode *n;
      Sym *out;
      if (x->rank >= 0 && (axis < -x->rank || axis > x->rank))
        return fail (ctx, name, op, error, "axis %d is out of range", axis);
      n = emit_unary (ctx, node, name, QVIZ_OP_FLATTEN, x, error);
      if (n == NULL)
        return FALSE;
      n->a.axis = axis;
      out = g_hash_table_lookup (ctx->syms, node->output[0]);
      out->rank = 2;
      for (int d = 0; d < QVIZ_MAX_RANK; d++)
        out->dims[d] = -1;
      return TRUE;
    }
  if (is_op (node, "Reshape"))
    {
      Sym *shape = onnx_lookup (ctx, node, 1, error);
      SymDim want[QVIZ_MAX_RANK];
      QvizReshapeAttrs r = { 0 };
      if (shape == NULL)
        return FALSE;
      if ((shape->kind != SYM_CONST && shape->kind != SYM_SHAPE) || shape->rank != 1 ||
          shape->n > QVIZ_MAX_RANK || (shape->kind == SYM_CONST && shape->i == NULL))
        return fail (ctx, name, op, error, "the target shape is not a list of at most %d "
                     "integers known at load time", QVIZ_MAX_RANK);
      for (gsize j = 0; j < shape->n; j++)
        {
          want[j] = shape->e ? shape->e[j] : (SymDim) { -1, 0, shape->i[j] };
          if (want[j].value < 0 && want[j].known == 0 && onnx_attr_int (node, "allowzero", 0))
            return fail (ctx, name, op, error, "zero-sized dimensions (allowzero) are not "
                         "supported");
        }
      if (!build_reshape_dims (ctx, node, name, x, want, (int) shape->n, &r, error))
        return FALSE;
      return emit_reshape (ctx, node, name, x, &r, error);
    }
  if (is_op (node, "Transpose"))
    {
      int64_t perm[QVIZ_MAX_RANK];
      int np = onnx_attr_ints (node, "perm", perm, QVIZ_MAX_RANK);
      gboolean seen[QVIZ_MAX_RANK] = { FALSE };
      QvizNode *n;
      Sym *out;
      if (np < 0)
        {
          if (x->rank < 0)
            return fail (ctx, name, op, error, "the rank of the input is not known");
          np = x->rank;
          for (int d = 0; d < np; d++)
            perm[d] = np - 1 - d;
        }
      if (np > QVIZ_MAX_RANK || (x->rank >= 0 && np != x->rank))
        return fail (ctx, name, op, error, "the permutation does not fit the input");
      for (int d = 0; d < np; d++)
        {
          if (perm[d] < 0 || perm[d] >= np || seen[perm[d]])
            return fail (ctx, name, op, error, "the permutation is not valid");
          seen[perm[d]] = TRUE;
        }
      n = emit_unary (ctx, node, name, QVIZ_OP_TRANSPOSE, x, error);
      if (n == NULL)
        return FALSE;
      for (int d = 0; d < np; d++)
        n->a.perm[d] = (int) perm[d];
      out = g_hash_table_lookup (ctx->syms, node->output[0]);
      out->rank = np;
      for (int d = 0; d < np; d++)
        out->dims[d] = x->dims[perm[d]];
      return TRUE;
    }
  if (is_op (node, "Squeeze") || is_op (node, "Unsqueeze"))
    return build_squeeze (ctx, node, name, x, error);
  if (is_op (node, "Slice"))
    return build_slice (ctx, node, name, x, error);
  if (is_op (node, "LayerNormalization"))
    {
      for (int k = 1; k < (int) node->n_output; k++)
        if (node->output[k] != NULL && node->output[k][0] != '\0' &&
            g_hash_table_contains (ctx->consumers, node->output[k]))
          return fail (ctx, name, op, error, "its mean or inverse standard deviation output "
                       "('%s') is used; only the normalized output is supported",
                       node->output[k]);
      return emit_layernorm (ctx, node, name, x, (int) onnx_attr_int (node, "axis", -1),
                             onnx_attr_float (node, "epsilon", 1e-5f), 1, 2, error);
    }
  if (is_op (node, "Split"))
    return build_split (ctx, node, name, x, error);
  if (is_op (node, "Gather"))
    return build_gather (ctx, node, name, x, error);
  {
    static const struct { const char *op; qvk_reduce_kind kind; } reduces[] = {
      { "ReduceSum", QVK_REDUCE_SUM }, { "ReduceMax", QVK_REDUCE_MAX },
      { "ReduceMin", QVK_REDUCE_MIN }, { "ReduceL1", QVK_REDUCE_L1 },
      { "ReduceL2", QVK_REDUCE_L2 }, { "ReduceSumSquare", QVK_REDUCE_SUM_SQUARE },
    };
    for (gsize k = 0; k < G_N_ELEMENTS (reduces); k++)
      if (is_op (node, reduces[k].op))
        return build_reduce (ctx, node, name, x, reduces[k].kind, error);
  }
  if (is_op (node, "Dropout") && onnx_has_input (node, 2))
    {
      Sym *training = onnx_lookup (ctx, node, 2, error);
      int64_t on[1];
      int n;
      float ratio[1] = { 0.5f };
      int n_ratio = 0;
      if (training == NULL)
        return FALSE;
      if (onnx_has_input (node, 1))
        {
          Sym *r = onnx_lookup (ctx, node, 1, error);
          if (r == NULL)
            return FALSE;
          if (!onnx_sym_floats (r, ratio, 1, &n_ratio) || n_ratio != 1)
            ratio[0] = 0.5f;
        }
      /* With a ratio of 0 nothing is dropped and nothing is scaled, in
       * training mode too (torchvision's Swin attention writes this). */
      if (ratio[0] == 0.0f)
        ;
      else if (!onnx_sym_ints (training, on, 1, &n) || n != 1 || on[0] != 0)
        return fail (ctx, name, op, error, "training_mode ('%s') is not false: dropout in "
                     "training drops random elements, and qviz runs inference only",
                     node->input[2]);
    }
  if (is_op (node, "Identity") || is_op (node, "Dropout"))
    return onnx_bind (ctx, node->output[0], x, error);
  if (is_op (node, "Cast"))
    {
      if (onnx_attr_int (node, "to", 0) != QVIZ_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
        return fail (ctx, name, op, error, "only casts to float32 are supported on image data");
      return onnx_bind (ctx, node->output[0], x, error);
    }
  if (is_op (node, "Softmax") || is_op (node, "LogSoftmax"))
    {
      int axis = (int) onnx_attr_int (node, "axis", ctx->opset < 13 ? 1 : -1);
      QvizNode *n;
      if (x->rank >= 0 && (axis < -x->rank || axis >= x->rank))
        return fail (ctx, name, op, error, "axis %d is out of range", axis);
      if (ctx->opset < 13 && x->rank >= 0 && (axis < 0 ? axis + x->rank : axis) != x->rank - 1)
        return fail (ctx, name, op, error, "before opset 13 only the last axis is supported");
      n = emit_unary (ctx, node, name,
                      is_op (node, "Softmax") ? QVIZ_OP_SOFTMAX : QVIZ_OP_LOG_SOFTMAX, x, error);
      if (n == NULL)
        return FALSE;
      n->a.axis = axis;
      return TRUE;
    }

  return fail (ctx, name, op, error, "this operator cannot read tensors computed at run time");
}
