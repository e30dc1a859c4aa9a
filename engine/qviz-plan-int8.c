/* qviz-plan-int8.c: int8 layers.
 *
 * Activations are uint8 with the per-tensor parameters that calibration (or
 * the model file) gave each graph value.  Ops that cannot change the range
 * (max pooling, resize, transposes and views) pass their input's parameters
 * on to their output, so they move bytes without requantizing.  Convolutions
 * and linear layers quantize their weights per output channel here, at plan
 * time; a fused relu/clip becomes the output clamp, a fused hardswish,
 * hardsigmoid or sigmoid a 256-entry lookup table that the conv kernel
 * applies to each output tile as it writes it.  Element-wise, pooling and
 * resize layers run the vector kernels of qvk-elementwise.h (the scalar
 * references in a reference plan).
 */

#include "qviz-bias-correction.h"
#include "qviz-plan-private.h"
#include "qviz-quant.h"
#include "qvk-elementwise.h"

#include <math.h>
#include <string.h>

#define IN(l, k) ((const uint8_t *) plan->buffers[(l)->node->inputs[k]])
#define OUT(l) ((uint8_t *) plan->buffers[(l)->out_value])

typedef struct {
  uint8_t table[256];
  float *dequant;               /* float output: input_scale * w_scale[oc] */
  gboolean has_table;
  qvk_qu8_add_params add;
  qvk_qu8_mul_params mul;
  qvk_qu8_avgpool_params pool;
  float *requant;
  int8_t *weights;
  int32_t *bias;
  float *bn_scale, *bn_shift;   /* standalone batchnorm */
  qvk_qu8_requant_params *concat; /* one per input */
} Int8Data;

static void
int8_data_free (gpointer p)
{
  Int8Data *d = p;

  g_free (d->requant);
  g_free (d->dequant);
  g_free (d->weights);
  g_free (d->bias);
  g_free (d->bn_scale);
  g_free (d->bn_shift);
  g_free (d->concat);
  g_free (d);
}

static Int8Data *
layer_data (QvizLayer *l)
{
  if (l->int8 == NULL)
    {
      l->int8 = g_new0 (Int8Data, 1);
      l->int8_free = int8_data_free;
    }
  return l->int8;
}

static inline const QvizQuantParams *
qp (const QvizPlan *plan, int value)
{
  return &plan->quant[value];
}

static inline gboolean
is_constant (const QvizPlan *plan, int value)
{
  const QvizValue *v = qviz_graph_value (plan->graph, value);
  return v->data != NULL && v->producer < 0;
}

static void
set_kernel (QvizLayer *l, const char *kernel, const char *reason)
{
  l->info.kernel = g_strdup (kernel);
  l->info.reason = g_strdup (reason);
}

/* The ISA of the element-wise kernels: a reference plan keeps to the
 * scalar references, which the optimized plans are compared with. */
static inline qvk_isa
ew_isa (const QvizPlan *plan)
{
  return plan->config.conv_algo == QVIZ_CONV_ALGO_REFERENCE ? QVK_ISA_SCALAR
                                                            : (qvk_isa) plan->isa;
}

/* "qu8 add avx512" */
static void
set_ew_kernel (const QvizPlan *plan, QvizLayer *l, const char *op, const char *reason)
{
  l->info.kernel = g_strdup_printf ("qu8 %s %s", op, qvk_elementwise_isa_name (ew_isa (plan)));
  l->info.reason = g_strdup (reason);
}

/* ---- convolution ------------------------------------------------------ */

/* A layer that writes the model's output in float (plan->float_value):
 * the int32 accumulators times input_scale * w_scale[oc], the fused
 * activation in fp32, no lookup table and no output clamp. */
static void
set_float_output (const QvizPlan *plan, QvizLayer *l, const float *w_scales, int out_c,
                  qvk_qu8_conv_params *q)
{
  Int8Data *d = layer_data (l);
  const QvizQuantParams *in = qp (plan, l->node->inputs[0]);

  d->dequant = g_new (float, out_c);
  for (int oc = 0; oc < out_c; oc++)
    d->dequant[oc] = in->scale * w_scales[oc];
  q->dequant_scale = d->dequant;
  q->float_act = l->act_node != NULL ? l->act : qvk_activation_make (QVK_ACT_NONE);
  q->lut = NULL;
  d->has_table = FALSE;
}

static void
run_conv (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  qvk_qu8_conv_run (l->conv_qu8, IN (l, 0), OUT (l), tid, nt);
}

static void
run_conv_rows (const QvizPlan *plan, const QvizLayer *l, gsize r0, gsize r1, int tid)
{
  qvk_qu8_conv_run_rows (l->conv_qu8, IN (l, 0), OUT (l), r0, r1, tid);
}

/* Quantizes a conv's (folded) weights and prepares its requantization. */
static gboolean
build_conv (QvizPlan *plan, QvizLayer *l, GError **error)
{
  const QvizConvAttrs *c = &l->node->a.conv;
  Int8Data *d = layer_data (l);
  const QvizQuantParams *in = qp (plan, l->node->inputs[0]);
  const QvizQuantParams *pre = qp (plan, l->pre_act_value);
  const QvizQuantParams *out = qp (plan, l->out_value);
  gsize per_oc = (gsize) c->kernel_h * c->kernel_w * (c->in_channels / c->groups);
  g_autofree float *w = NULL, *b = NULL;
  g_autofree float *w_scales = g_new (float, c->out_channels);
  qvk_qu8_conv_params q = { 0 };
  qvk_conv_options opts = { (qvk_isa) plan->isa, qviz_plan_qvk_conv_algo (plan),
                            plan->config.threads };
  const QvizQuantParams *conv_out;
  int qmin = 0, qmax = 255;

  qviz_conv_shape_from_node (plan, l->node, l->out_value, &l->conv);
  qviz_fold_conv_weights (l->node, l->bn_node, &w, &b);
  if (c->weight_scales != NULL && l->bn_node == NULL)
    memcpy (w_scales, c->weight_scales, sizeof (float) * c->out_channels);
  else
    qviz_quant_weight_scales (w, c->out_channels, per_oc, w_scales);
  d->weights = g_new (int8_t, per_oc * c->out_channels);
  qviz_quant_weights (w, c->out_channels, per_oc, w_scales, d->weights);
  if (c->input_tap_mean != NULL)
    {
      if (b == NULL)
        b = g_new0 (float, c->out_channels);
      qviz_bias_correct_conv (c, w, w_scales, d->weights, b);
    }
  d->bias = g_new (int32_t, c->out_channels);
  qviz_quant_bias (b, c->out_channels, in->scale, w_scales, d->bias);

  if (l->act_node != NULL &&
      !qviz_quant_activation_bounds (&l->act, out, &qmin, &qmax))
    {
      /* Lookup-table activation: the conv writes the pre-activation tensor's
       * quantization, the table maps it to the output's. */
      conv_out = pre;
      qmin = 0;
      qmax = 255;
      qvk_qu8_lut_build (&l->act, pre->scale, pre->zero_point, out->scale,
                         out->zero_point, d->table);
      d->has_table = TRUE;
    }
  else
    conv_out = out;

  d->requant = g_new (float, c->out_channels);
  qviz_quant_requant_scales (in->scale, w_scales, conv_out->scale, c->out_channels,
                             d->requant);
  q.input_zero_point = in->zero_point;
  q.output_zero_point = conv_out->zero_point;
  q.output_min = qmin;
  q.output_max = qmax;
  q.requant_scale = d->requant;
  q.lut = d->has_table ? d->table : NULL;
  if (plan->float_value[l->out_value])
    set_float_output (plan, l, w_scales, c->out_channels, &q);

  l->conv.act = qvk_activation_make (QVK_ACT_NONE);
  l->conv_qu8 = qvk_qu8_conv_create (&l->conv, &q, d->weights, d->bias, &opts);
  if (l->conv_qu8 == NULL)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "Node '%s' (conv): no int8 kernel can run this convolution.",
                   l->node->name);
      return FALSE;
    }
  g_clear_pointer (&d->weights, g_free); /* the operator keeps its packed copy */
  g_clear_pointer (&d->bias, g_free);
  if (d->has_table)
    {
      l->info.kernel = g_strdup_printf ("%s + %s lut", qvk_qu8_conv_kernel_name (l->conv_qu8),
                                        qviz_activation_name (l->act.kind));
      l->info.reason = g_strdup_printf ("%s; %s by a 256-entry table on each output tile",
                                        qvk_qu8_conv_reason (l->conv_qu8),
                                        qviz_activation_name (l->act.kind));
    }
  else
    set_kernel (l, qvk_qu8_conv_kernel_name (l->conv_qu8), qvk_qu8_conv_reason (l->conv_qu8));
  plan->weight_bytes += qvk_qu8_conv_packed_bytes (l->conv_qu8);
  l->run = run_conv;
  l->run_rows = run_conv_rows;
  l->parallel = TRUE;
  return TRUE;
}

/* ---- linear ---------------------------------------------------------------- */

static gboolean
build_linear (QvizPlan *plan, QvizLayer *l, GError **error)
{
  const QvizLinearAttrs *a = &l->node->a.linear;
  Int8Data *d = layer_data (l);
  const QvizQuantParams *in = qp (plan, l->node->inputs[0]);
  const QvizQuantParams *pre = qp (plan, l->pre_act_value);
  const QvizQuantParams *out = qp (plan, l->out_value);
  g_autofree float *w_scales = g_new (float, a->out_features);
  g_autofree float *corrected = NULL;
  const QvizQuantParams *lin_out = out;
  qvk_qu8_conv_params q = { 0 };
  qvk_conv_options opts = { (qvk_isa) plan->isa, qviz_plan_qvk_conv_algo (plan),
                            plan->config.threads };
  int qmin = 0, qmax = 255;

  qviz_quant_weight_scales (a->weights, a->out_features, (gsize) a->in_features, w_scales);
  d->weights = g_new (int8_t, (gsize) a->in_features * a->out_features);
  qviz_quant_weights (a->weights, a->out_features, (gsize) a->in_features, w_scales,
                      d->weights);
  if (a->input_mean != NULL)
    {
      corrected = a->bias != NULL ? g_memdup2 (a->bias, sizeof (float) * a->out_features)
                                  : g_new0 (float, a->out_features);
      qviz_bias_correct_linear (a, w_scales, d->weights, corrected);
    }
  d->bias = g_new (int32_t, a->out_features);
  qviz_quant_bias (corrected != NULL ? corrected : a->bias, a->out_features, in->scale,
                   w_scales, d->bias);
  if (l->act_node != NULL && !qviz_quant_activation_bounds (&l->act, out, &qmin, &qmax))
    {
      lin_out = pre;
      qmin = 0;
      qmax = 255;
      qvk_qu8_lut_build (&l->act, pre->scale, pre->zero_point, out->scale,
                         out->zero_point, d->table);
      d->has_table = TRUE;
    }
  d->requant = g_new (float, a->out_features);
  qviz_quant_requant_scales (in->scale, w_scales, lin_out->scale, a->out_features,
                             d->requant);
  q.input_zero_point = in->zero_point;
  q.output_zero_point = lin_out->zero_point;
  q.output_min = qmin;
  q.output_max = qmax;
  q.requant_scale = d->requant;
  q.lut = d->has_table ? d->table : NULL;
  if (plan->float_value[l->out_value])
    set_float_output (plan, l, w_scales, a->out_features, &q);

  /* As a 1x1 convolution over a 1 x rows image: the int8 GEMM kernels. */
  qviz_linear_conv_shape (plan, l, &l->conv);
  l->conv_qu8 = qvk_qu8_conv_create (&l->conv, &q, d->weights, d->bias, &opts);
  if (l->conv_qu8 == NULL)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "Node '%s' (linear): no int8 kernel can run this dense layer.",
                   l->node->name);
      return FALSE;
    }
  g_clear_pointer (&d->weights, g_free); /* the operator keeps its packed copy */
  g_clear_pointer (&d->bias, g_free);
  l->info.kernel = g_strdup_printf ("%s%s (linear)", qvk_qu8_conv_kernel_name (l->conv_qu8),
                                    d->has_table ? " + lut" : "");
  l->info.reason = g_strdup_printf ("dense layer with per-channel int8 weights as a 1x1 "
                                    "convolution: %s", qvk_qu8_conv_reason (l->conv_qu8));
  plan->weight_bytes += qvk_qu8_conv_packed_bytes (l->conv_qu8);
  l->run = run_conv;
  l->parallel = TRUE;
  return TRUE;
}

/* ---- element-wise ---------------------------------------------------------- */

/* Reads element `offset` of an operand as a real number. */
static inline float
operand (const QvizPlan *plan, int value, gsize offset)
{
  if (is_constant (plan, value))
    return ((const float *) plan->buffers[value])[offset];
  {
    const QvizQuantParams *p = qp (plan, value);
    return p->scale * ((int) ((const uint8_t *) plan->buffers[value])[offset] - p->zero_point);
  }
}

static inline uint8_t
quantize_one (const QvizQuantParams *p, float x)
{
  return qvk_qu8_round_clamp (x / p->scale, p->zero_point, 0, 255);
}

static inline float
apply (QvizOp op, float a, float b)
{
  switch (op)
    {
    case QVIZ_OP_ADD: return a + b;
    case QVIZ_OP_SUB: return a - b;
    case QVIZ_OP_MUL: return a * b;
    case QVIZ_OP_DIV: return a / b;
    default: return NAN;
    }
}

/* Any broadcast: each element through real numbers.  Used where no int8
 * kernel applies (constants, sub, div, unusual broadcasts). */
static void
run_binary_generic (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const QvizShape *out = &plan->shapes[l->out_value];
  const QvizQuantParams *qo = qp (plan, l->out_value);
  gsize total = (gsize) qviz_shape_numel (out);
  uint8_t *y = OUT (l);
  QvizBroadcastWalk w;

  if (tid != 0)
    return;
  /* Constants are stored in logical order. */
  qviz_broadcast_walk_init (&w, &plan->shapes[l->node->inputs[0]],
                            is_constant (plan, l->node->inputs[0]),
                            &plan->shapes[l->node->inputs[1]],
                            is_constant (plan, l->node->inputs[1]), out);
  for (gsize i = 0; i < total; i++)
    {
      int64_t oa, ob, oy;
      float v;

      qviz_broadcast_walk_step (&w, &oa, &ob, &oy);
      v = apply (l->node->op, operand (plan, l->node->inputs[0], (gsize) oa),
                 operand (plan, l->node->inputs[1], (gsize) ob));
      y[oy] = quantize_one (qo, v);
    }
}

static void
run_add (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  gsize begin, end;

  qviz_split_range ((gsize) qviz_shape_numel (&plan->shapes[l->out_value]), tid, nt,
                    &begin, &end);
  qvk_qu8_add (ew_isa (plan), &((const Int8Data *) l->int8)->add, IN (l, 0), IN (l, 1),
               OUT (l), begin, end);
}

static void
run_mul (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  gsize begin, end;

  qviz_split_range ((gsize) qviz_shape_numel (&plan->shapes[l->out_value]), tid, nt,
                    &begin, &end);
  qvk_qu8_mul (ew_isa (plan), &((const Int8Data *) l->int8)->mul, IN (l, 0), IN (l, 1),
               OUT (l), begin, end);
}

static void
run_mul_channel (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const QvizShape *fs = &plan->shapes[l->node->inputs[l->swap ? 1 : 0]];
  gsize pixels = (gsize) (fs->dims[2] * fs->dims[3]), begin, end;

  qviz_split_range ((gsize) fs->dims[0] * pixels, tid, nt, &begin, &end);
  qvk_qu8_mul_channel (ew_isa (plan), &((const Int8Data *) l->int8)->mul, (int) pixels,
                       (int) fs->dims[1], IN (l, l->swap ? 1 : 0),
                       IN (l, l->swap ? 0 : 1), OUT (l), begin, end);
}

static gboolean
build_binary (QvizPlan *plan, QvizLayer *l)
{
  const QvizNode *n = l->node;
  Int8Data *d = layer_data (l);
  gboolean consts = is_constant (plan, n->inputs[0]) || is_constant (plan, n->inputs[1]);
  const QvizQuantParams *out = qp (plan, l->out_value);

  l->mode = qviz_binary_mode (plan, n, l->out_value, &l->swap);
  if (!consts && l->mode == QVIZ_BIN_SAME && n->op == QVIZ_OP_ADD)
    {
      const QvizQuantParams *a = qp (plan, n->inputs[0]), *b = qp (plan, n->inputs[1]);
      qvk_qu8_add_params_init (&d->add, a->scale, a->zero_point, b->scale, b->zero_point,
                               out->scale, out->zero_point, 0, 255);
      l->run = run_add;
      l->parallel = TRUE;
      set_ew_kernel (plan, l, "add", "both operands requantized to the output scale");
      return TRUE;
    }
  if (!consts && n->op == QVIZ_OP_MUL &&
      (l->mode == QVIZ_BIN_SAME || l->mode == QVIZ_BIN_CHANNEL))
    {
      /* The kernels take the full operand as "a" and the broadcast one as
       * "b", whichever order the model wrote them in ("scale * x" in
       * torchvision's squeeze-excite): the parameters follow the same
       * order, or the two zero points would be exchanged. */
      const int full = n->inputs[l->swap ? 1 : 0], part = n->inputs[l->swap ? 0 : 1];
      const QvizQuantParams *a = qp (plan, full), *b = qp (plan, part);
      const QvizShape *ps = &plan->shapes[part];
      qvk_qu8_mul_params_init (&d->mul, a->scale, a->zero_point, b->scale, b->zero_point,
                               out->scale, out->zero_point, 0, 255);
      if (l->mode == QVIZ_BIN_SAME)
        {
          l->run = run_mul;
          set_ew_kernel (plan, l, "mul", "element-wise product, one requantization");
        }
      else if (ps->rank == 4)
        {
          l->run = run_mul_channel;
          set_ew_kernel (plan, l, "mul-channel", "squeeze-excite scale per channel");
        }
      else
        goto generic;
      l->parallel = TRUE;
      return TRUE;
    }
generic:
  l->run = run_binary_generic;
  l->parallel = FALSE;
  set_kernel (l, "qu8 broadcast via float scalar",
              consts ? "one operand is a float constant" : "no int8 kernel for this broadcast");
  return TRUE;
}

/* ---- activations, batchnorm ---------------------------------------------- */

static void
run_lut (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  gsize begin, end;

  qviz_split_range ((gsize) qviz_shape_numel (&plan->shapes[l->out_value]), tid, nt,
                    &begin, &end);
  qvk_qu8_lut (ew_isa (plan), ((const Int8Data *) l->int8)->table, IN (l, 0), OUT (l),
               begin, end);
}

static void
run_batchnorm (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const Int8Data *d = l->int8;
  const QvizShape *s = &plan->shapes[l->out_value];
  const QvizQuantParams *qi = qp (plan, l->node->inputs[0]), *qo = qp (plan, l->out_value);
  gsize c = (gsize) s->dims[1], begin, end;
  const uint8_t *x = IN (l, 0);
  uint8_t *y = OUT (l);

  qviz_split_range ((gsize) (s->dims[0] * s->dims[2] * s->dims[3]), tid, nt, &begin, &end);
  for (gsize p = begin; p < end; p++)
    for (gsize k = 0; k < c; k++)
      {
        float v = qi->scale * ((int) x[p * c + k] - qi->zero_point);
        y[p * c + k] = quantize_one (qo, v * d->bn_scale[k] + d->bn_shift[k]);
      }
}

/* ---- pooling, resize, data movement --------------------------------------- */

/* Split over pixels (qviz_run_global_avgpool): the int32 sums are exact
 * in any split.  A split over channels would have each thread read part of
 * every pixel's lines, half of them last written by the other thread. */
static void
pool_sums (const QvizPlan *plan, const QvizLayer *l, gsize first, gsize pixels, void *sums)
{
  const gsize channels = (gsize) plan->shapes[l->node->inputs[0]].dims[1];

  qvk_qu8_channel_sums (ew_isa (plan), pixels, channels, channels,
                        IN (l, 0) + first * channels, sums);
}

static void
pool_add (void *total, const void *part, gsize channels)
{
  for (gsize c = 0; c < channels; c++)
    ((int32_t *) total)[c] += ((const int32_t *) part)[c];
}

static void
pool_finish (const QvizPlan *plan, const QvizLayer *l, gsize image, const void *total)
{
  const QvizShape *s = &plan->shapes[l->node->inputs[0]];
  const gsize channels = (gsize) s->dims[1];

  qvk_qu8_global_avgpool_finish (ew_isa (plan), &((const Int8Data *) l->int8)->pool,
                                 (gsize) (s->dims[2] * s->dims[3]), channels, total,
                                 OUT (l) + image * channels);
}

static void
run_global_avgpool (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const QvizPoolSums steps = {
    sizeof (int32_t), ((gsize) plan->shapes[l->node->inputs[0]].dims[1] + 15) / 16 * 16,
    pool_sums, pool_add, pool_finish
  };

  qviz_run_global_avgpool (plan, l, tid, nt, &steps);
}

static void
run_pool (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  gsize begin, end;

  qviz_split_range ((gsize) l->pool.batch * l->pool.out_h, tid, nt, &begin, &end);
  if (l->node->op == QVIZ_OP_MAXPOOL)
    qvk_qu8_maxpool__scalar (&l->pool, 0, 255, IN (l, 0), OUT (l), (int) begin, (int) end);
  else
    qvk_qu8_avgpool__scalar (&((const Int8Data *) l->int8)->pool, &l->pool, IN (l, 0),
                             OUT (l), (int) begin, (int) end);
}

static void
run_resize (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const QvizShape *in = &plan->shapes[l->node->inputs[0]];
  const QvizShape *out = &plan->shapes[l->out_value];
  gsize begin, end;
  int ih = (int) in->dims[2], iw = (int) in->dims[3], c = (int) in->dims[1];
  int oh = (int) out->dims[2], ow = (int) out->dims[3];

  qviz_split_range ((gsize) (out->dims[0] * out->dims[2]), tid, nt, &begin, &end);
  if (l->resize_taps != NULL)
    qvk_qu8_resize_taps__scalar ((int) in->dims[0], ih, iw, c, oh, ow, l->resize_taps,
                                 l->resize_taps + oh, IN (l, 0), OUT (l), (int) begin,
                                 (int) end);
  else
    qvk_qu8_resize_bilinear (ew_isa (plan), (int) in->dims[0], ih, iw, c, oh, ow,
                             l->node->a.resize.align_corners, IN (l, 0), OUT (l),
                             (int) begin, (int) end, qviz_plan_is_output (plan, l->out_value));
}

static void
run_pad (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  qvk_pad_shape ps;
  gsize begin, end;

  qviz_plan_pad_shape (plan, l, &ps);
  qviz_split_range ((gsize) ps.batch * (gsize) ps.out_h, tid, nt, &begin, &end);
  qvk_pad_nhwc (&ps, 1, l->int8, IN (l, 0), OUT (l), (int) begin, (int) end);
}

static void
run_concat (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const Int8Data *d = l->int8;
  const QvizShape *out = &plan->shapes[l->out_value];
  int axis = l->node->a.axis < 0 ? l->node->a.axis + out->rank : l->node->a.axis;
  int paxis = qviz_physical_axis (out, axis);
  int64_t pd[QVIZ_MAX_RANK];
  gsize outer = 1, out_inner = 1, col = 0;

  qviz_physical_dims (out, pd);
  for (int k = 0; k < paxis; k++)
    outer *= (gsize) pd[k];
  for (int k = paxis; k < out->rank; k++)
    out_inner *= (gsize) pd[k];
  for (int i = 0; i < l->node->n_inputs; i++)
    {
      const QvizShape *s = &plan->shapes[l->node->inputs[i]];
      int64_t sd[QVIZ_MAX_RANK];
      gsize inner = 1, begin, end;

      qviz_physical_dims (s, sd);
      for (int k = paxis; k < s->rank; k++)
        inner *= (gsize) sd[k];
      qviz_split_range (outer, tid, nt, &begin, &end);
      qvk_qu8_requant_copy (ew_isa (plan), &d->concat[i], inner, IN (l, i), inner,
                            OUT (l) + col, out_inner, begin, end);
      col += inner;
    }
}

static void
run_reshape (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  qviz_reshape_run (plan, l);
}

static void
run_slice (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  qviz_slice_run (plan, l);
}

static void
run_transpose (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  qviz_transpose_run (plan, l);
}

static void
run_softmax (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const QvizShape *s = &plan->shapes[l->out_value];
  gsize outer, n, inner, total = (gsize) qviz_shape_numel (s);
  const QvizQuantParams *qi = qp (plan, l->node->inputs[0]), *qo = qp (plan, l->out_value);
  g_autofree float *x = g_new (float, total);
  g_autofree float *y = g_new (float, total);

  qviz_softmax_geometry (plan, l, &outer, &n, &inner);
  qvk_qu8_dequantize__scalar (qi->scale, qi->zero_point, IN (l, 0), x, 0, total);
  qvk_f32_softmax_strided__scalar (n, inner, l->node->op == QVIZ_OP_LOG_SOFTMAX, x, y, 0,
                                   outer);
  qvk_qu8_quantize__scalar (qo->scale, qo->zero_point, y, OUT (l), 0, total);
}

static void
run_requantize (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  gsize begin, end;

  qviz_split_range ((gsize) qviz_shape_numel (&plan->shapes[l->out_value]), tid, nt,
                    &begin, &end);
  if (begin < end)
    qvk_qu8_requant_copy (ew_isa (plan), ((const Int8Data *) l->int8)->concat, end - begin,
                          IN (l, 0) + begin, 0, OUT (l) + begin, 0, 0, 1);
}

static void
run_copy (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  gsize n = (gsize) qviz_shape_numel (&plan->shapes[l->out_value]);

  if (is_constant (plan, l->node->inputs[0]))
    qvk_qu8_quantize__scalar (qp (plan, l->out_value)->scale,
                              qp (plan, l->out_value)->zero_point,
                              plan->buffers[l->node->inputs[0]], OUT (l), 0, n);
  else
    memcpy (OUT (l), IN (l, 0), n);
}

gboolean
qviz_plan_build_layer_int8 (QvizPlan *plan, QvizLayer *l, GError **error)
{
  const QvizNode *n = l->node;
  Int8Data *d;

  for (int k = 0; k < n->n_inputs; k++)
    if (!is_constant (plan, n->inputs[k]) && !qp (plan, n->inputs[k])->valid)
      {
        g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                     "Node '%s': input '%s' has no int8 parameters; calibrate the model.",
                     n->name, qviz_graph_value (plan->graph, n->inputs[k])->name);
        return FALSE;
      }

  switch (n->op)
    {
    case QVIZ_OP_CONV:
      return build_conv (plan, l, error);

    case QVIZ_OP_LINEAR:
      return build_linear (plan, l, error);

    case QVIZ_OP_ADD:
    case QVIZ_OP_SUB:
    case QVIZ_OP_MUL:
    case QVIZ_OP_DIV:
      return build_binary (plan, l);

    case QVIZ_OP_ACTIVATION:
      {
        const QvizQuantParams *qi = qp (plan, n->inputs[0]), *qo = qp (plan, l->out_value);
        d = layer_data (l);
        qvk_qu8_lut_build (&n->a.act, qi->scale, qi->zero_point, qo->scale, qo->zero_point,
                           d->table);
        d->has_table = TRUE;
        l->run = run_lut;
        l->parallel = TRUE;
        l->info.kernel = g_strdup_printf ("qu8 lut %s", qvk_qu8_lut_isa_name (ew_isa (plan)));
        l->info.reason = g_strdup ("activation by a 256-entry table");
        return TRUE;
      }

    case QVIZ_OP_BATCHNORM:
      {
        const QvizBatchNormAttrs *a = &n->a.bn;
        d = layer_data (l);
        d->bn_scale = g_new (float, a->channels);
        d->bn_shift = g_new (float, a->channels);
        for (int c = 0; c < a->channels; c++)
          {
            double s = a->gamma[c] / sqrt ((double) a->var[c] + a->eps);
            d->bn_scale[c] = (float) s;
            d->bn_shift[c] = (float) (a->beta[c] - a->mean[c] * s);
          }
        l->run = run_batchnorm;
        l->parallel = TRUE;
        set_kernel (l, "qu8 affine via float scalar", "batchnorm not after a conv");
        return TRUE;
      }

    case QVIZ_OP_GLOBAL_AVGPOOL:
    case QVIZ_OP_AVGPOOL:
      {
        const QvizQuantParams *qi = qp (plan, n->inputs[0]), *qo = qp (plan, l->out_value);
        d = layer_data (l);
        qvk_qu8_avgpool_params_init (&d->pool, qi->scale, qi->zero_point, qo->scale,
                                     qo->zero_point, 0, 255);
        if (n->op == QVIZ_OP_AVGPOOL)
          {
            qviz_pool_shape_from_node (plan, n, &l->pool);
            l->run = run_pool;
            l->parallel = TRUE;
            set_kernel (l, "qu8 avgpool scalar", "direct window loop");
          }
        else
          {
            const QvizShape *in = &plan->shapes[n->inputs[0]];

            l->run = run_global_avgpool;
            l->parallel = TRUE;
            l->partials = qviz_partials_new (plan->config.threads,
                                             (gsize) in->dims[0]
                                             * (((gsize) in->dims[1] + 15) / 16 * 16)
                                             * sizeof (int32_t));
            set_ew_kernel (plan, l, "global-avgpool",
                           "one reduction over all pixels, threads split the pixels");
          }
        return TRUE;
      }

    case QVIZ_OP_MAXPOOL:
      plan->quant[l->out_value] = *qp (plan, n->inputs[0]);
      qviz_pool_shape_from_node (plan, n, &l->pool);
      l->run = run_pool;
      l->parallel = TRUE;
      set_kernel (l, "qu8 maxpool scalar", "max of bytes: the input's scale carries over");
      return TRUE;

    case QVIZ_OP_RESIZE:
      plan->quant[l->out_value] = *qp (plan, n->inputs[0]);
      l->run = run_resize;
      l->parallel = TRUE;
      if (!qviz_plan_resize_prepare (plan, l))
        set_kernel (l, n->a.resize.mode == QVIZ_RESIZE_NEAREST ? "qu8 resize-nearest scalar"
                                                               : "qu8 resize-linear scalar",
                    "interpolation keeps the input's scale; source pixels of ONNX's "
                    "coordinate mode, from a table");
      else
        set_ew_kernel (plan, l, "resize-bilinear", "interpolation keeps the input's scale");
      return TRUE;

    case QVIZ_OP_CONCAT:
      {
        const QvizQuantParams *qo = qp (plan, l->out_value);
        d = layer_data (l);
        d->concat = g_new0 (qvk_qu8_requant_params, n->n_inputs);
        for (int i = 0; i < n->n_inputs; i++)
          {
            const QvizQuantParams *qi = qp (plan, n->inputs[i]);
            /* A constant input makes the layer a float island
             * (qviz_plan_needs_float): this build is not run. */
            if (is_constant (plan, n->inputs[i]))
              continue;
            qvk_qu8_requant_params_init (&d->concat[i], qi->scale, qi->zero_point,
                                         qo->scale, qo->zero_point);
          }
        l->run = run_concat;
        l->parallel = TRUE;
        set_ew_kernel (plan, l, "concat requant-copy", "inputs requantized to one scale");
        return TRUE;
      }

    case QVIZ_OP_FLATTEN:
    case QVIZ_OP_RESHAPE:
      plan->quant[l->out_value] = *qp (plan, n->inputs[0]);
      l->run = run_reshape;
      set_kernel (l, "layout copy", "elements reordered between channels-last and logical order");
      return TRUE;

    case QVIZ_OP_MATMUL:
    case QVIZ_OP_REDUCE:
    case QVIZ_OP_LAYERNORM:
    case QVIZ_OP_EQUAL:
    case QVIZ_OP_LESS:
    case QVIZ_OP_LESS_EQUAL:
    case QVIZ_OP_GREATER:
    case QVIZ_OP_GREATER_EQUAL:
    case QVIZ_OP_WHERE:
    case QVIZ_OP_CONV_TRANSPOSE:
      /* No int8 kernel: qviz_plan_keep_float runs it in float between a
       * dequantize and a quantize layer; its output keeps the scale
       * calibration gave it. */
      if (!qp (plan, l->out_value)->valid)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                       "Node '%s' (%s) has no calibrated output range.", n->name,
                       qviz_op_name (n->op));
          return FALSE;
        }
      plan->quant[l->out_value] = *qp (plan, l->out_value);
      set_kernel (l, "float island", "no int8 kernel for this operator");
      return TRUE;

    case QVIZ_OP_SLICE:
      plan->quant[l->out_value] = *qp (plan, n->inputs[0]);
      l->run = run_slice;
      set_kernel (l, "slice copy", "a window of the input moves; its scale carries over");
      return TRUE;

    case QVIZ_OP_TRANSPOSE:
      plan->quant[l->out_value] = *qp (plan, n->inputs[0]);
      l->run = run_transpose;
      set_kernel (l, "transpose copy", "permutation moves data");
      return TRUE;

    case QVIZ_OP_PAD:
      {
        const QvizQuantParams *q = qp (plan, n->inputs[0]);
        int c = (int) plan->shapes[n->inputs[0]].dims[1];
        long fill = lrint ((double) n->a.pad.value / q->scale) + q->zero_point;
        g_autofree char *name = g_strdup_printf ("qu8 pad %s copy",
                                                 qviz_pad_fill_name (n->a.pad.fill));
        plan->quant[l->out_value] = *q;
        l->int8 = g_malloc (MAX (c, 1));
        l->int8_free = g_free;
        memset (l->int8, (int) CLAMP (fill, 0, 255), (gsize) MAX (c, 1));
        l->run = run_pad;
        l->parallel = TRUE;
        set_kernel (l, name, "bytes moved: the input's scale carries over, the fill quantized");
      }
      return TRUE;

    case QVIZ_OP_SOFTMAX:
    case QVIZ_OP_LOG_SOFTMAX:
      if (!qviz_softmax_supported (plan, l, error))
        return FALSE;
      l->run = run_softmax;
      set_kernel (l, n->op == QVIZ_OP_SOFTMAX ? "qu8 softmax via float scalar"
                                              : "qu8 log-softmax via float scalar",
                  "dequantize, softmax, quantize");
      return TRUE;

    case QVIZ_OP_IDENTITY:
      if (!is_constant (plan, n->inputs[0]) && qviz_plan_is_requantization (plan->graph, n))
        {
          const QvizQuantParams *qi = qp (plan, n->inputs[0]), *qo = qp (plan, l->out_value);
          d = layer_data (l);
          d->concat = g_new0 (qvk_qu8_requant_params, 1);
          qvk_qu8_requant_params_init (&d->concat[0], qi->scale, qi->zero_point, qo->scale,
                                       qo->zero_point);
          l->run = run_requantize;
          l->parallel = TRUE;
          set_ew_kernel (plan, l, "requantize",
                         "the file quantizes this tensor again with other parameters");
          return TRUE;
        }
      if (!is_constant (plan, n->inputs[0]))
        plan->quant[l->out_value] = *qp (plan, n->inputs[0]);
      l->run = run_copy;
      set_kernel (l, "copy", "identity");
      return TRUE;

    default:
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "Node '%s': operator %s is not supported in int8 plans.",
                   n->name, qviz_op_name (n->op));
      return FALSE;
    }
}

void
qviz_plan_set_input_int8 (QvizPlan *plan, const float *input_nchw)
{
  int v = plan->graph->input;
  const QvizShape *s = &plan->shapes[v];
  gsize n = (gsize) qviz_shape_numel (s);
  g_autofree float *nhwc = g_new (float, n);
  int64_t dims[4] = { s->dims[0], s->dims[1], s->dims[2], s->dims[3] };
  int perm[4] = { 0, 2, 3, 1 };

  qvk_transpose (sizeof (float), 4, dims, perm, input_nchw, nhwc);
  qvk_qu8_quantize (ew_isa (plan), plan->quant[v].scale, plan->quant[v].zero_point, nhwc,
                    plan->buffers[v], 0, n);
}

void
qviz_plan_dequantize_value (const QvizPlan *plan, int value, float *out_physical)
{
  gsize n = (gsize) qviz_shape_numel (&plan->shapes[value]);

  qvk_qu8_dequantize (ew_isa (plan), plan->quant[value].scale, plan->quant[value].zero_point,
                      plan->buffers[value], out_physical, 0, n);
}
