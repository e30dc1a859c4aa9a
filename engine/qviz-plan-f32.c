/* qviz-plan-f32.c: float32 layers -- kernel choice, weight folding and the
 * run function of every op.  Element-wise, global pooling and bilinear
 * resize layers run the vector kernels of qvk-elementwise.h (the scalar
 * references in a reference plan). */

#include "qviz-plan-private.h"
#include "qviz-resize.h"
#include "qvk-elementwise.h"

#include <math.h>
#include <string.h>

#define IN(l, k) (plan->buffers[(l)->node->inputs[k]])
#define OUT(l) (plan->buffers[(l)->out_value])

/* ---- shared helpers (also used by the int8 builder) ---------------------- */

/* Strides, in elements, of each logical dimension of a value's memory. */
void
qviz_logical_strides (const QvizShape *s, int64_t strides[QVIZ_MAX_RANK])
{
  if (qviz_shape_is_nhwc (s))
    {
      strides[1] = 1;
      strides[3] = s->dims[1];
      strides[2] = s->dims[3] * s->dims[1];
      strides[0] = s->dims[2] * s->dims[3] * s->dims[1];
      return;
    }
  {
    int64_t acc = 1;
    for (int d = s->rank - 1; d >= 0; d--)
      {
        strides[d] = acc;
        acc *= s->dims[d];
      }
  }
}

void
qviz_broadcast_walk_init (QvizBroadcastWalk *w,
                          const QvizShape   *a,
                          gboolean           a_logical,
                          const QvizShape   *b,
                          gboolean           b_logical,
                          const QvizShape   *out)
{
  QvizShape plain_a = *a, plain_b = *b;

  plain_a.nhwc = plain_a.nhwc && !a_logical;
  plain_b.nhwc = plain_b.nhwc && !b_logical;
  w->a = a;
  w->b = b;
  w->out = out;
  qviz_logical_strides (&plain_a, w->st_a);
  qviz_logical_strides (&plain_b, w->st_b);
  qviz_logical_strides (out, w->st_y);
  memset (w->idx, 0, sizeof w->idx);
}


void
qviz_linear_conv_shape (const QvizPlan *plan, const QvizLayer *l, qvk_conv_shape *cs)
{
  const QvizLinearAttrs *a = &l->node->a.linear;
  int rows = (int) (qviz_shape_numel (&plan->shapes[l->out_value]) / a->out_features);

  memset (cs, 0, sizeof *cs);
  cs->batch = 1;
  cs->in_h = cs->out_h = 1;
  cs->in_w = cs->out_w = rows;
  cs->in_c = a->in_features;
  cs->out_c = a->out_features;
  cs->kernel_h = cs->kernel_w = 1;
  cs->stride_h = cs->stride_w = 1;
  cs->dilation_h = cs->dilation_w = 1;
  cs->groups = 1;
  cs->act = qvk_activation_make (QVK_ACT_NONE);
}

void
qviz_conv_shape_from_node (const QvizPlan *plan, const QvizNode *n, int out_value,
                           qvk_conv_shape *cs)
{
  const QvizConvAttrs *c = &n->a.conv;
  const QvizShape *in = &plan->shapes[n->inputs[0]];
  const QvizShape *out = &plan->shapes[out_value];
  int explicit_pads[4] = { c->pad_top, c->pad_left, c->pad_bottom, c->pad_right };
  int pads[4];

  qviz_window_resolve_pads (c->pad_mode, (int) in->dims[2], (int) in->dims[3],
                            c->kernel_h, c->kernel_w, c->stride_h, c->stride_w,
                            c->dilation_h, c->dilation_w, explicit_pads, pads);
  memset (cs, 0, sizeof *cs);
  cs->batch = (int) in->dims[0];
  cs->in_c = (int) in->dims[1];
  cs->in_h = (int) in->dims[2];
  cs->in_w = (int) in->dims[3];
  cs->out_c = (int) out->dims[1];
  cs->out_h = (int) out->dims[2];
  cs->out_w = (int) out->dims[3];
  cs->kernel_h = c->kernel_h;
  cs->kernel_w = c->kernel_w;
  cs->stride_h = c->stride_h;
  cs->stride_w = c->stride_w;
  cs->dilation_h = c->dilation_h;
  cs->dilation_w = c->dilation_w;
  cs->pad_top = pads[0];
  cs->pad_left = pads[1];
  cs->groups = c->groups;
  cs->act = qvk_activation_make (QVK_ACT_NONE);
}

void
qviz_pool_shape_from_node (const QvizPlan *plan, const QvizNode *n, qvk_pool_shape *ps)
{
  const QvizPoolAttrs *p = &n->a.pool;
  const QvizShape *in = &plan->shapes[n->inputs[0]];
  const QvizShape *out = &plan->shapes[n->output];
  int explicit_pads[4] = { p->pad_top, p->pad_left, p->pad_bottom, p->pad_right };
  int pads[4];

  qviz_window_resolve_pads (p->pad_mode, (int) in->dims[2], (int) in->dims[3],
                            p->kernel_h, p->kernel_w, p->stride_h, p->stride_w,
                            MAX (p->dilation_h, 1), MAX (p->dilation_w, 1),
                            explicit_pads, pads);
  memset (ps, 0, sizeof *ps);
  ps->batch = (int) in->dims[0];
  ps->channels = (int) in->dims[1];
  ps->in_h = (int) in->dims[2];
  ps->in_w = (int) in->dims[3];
  ps->out_h = (int) out->dims[2];
  ps->out_w = (int) out->dims[3];
  ps->kernel_h = p->kernel_h;
  ps->kernel_w = p->kernel_w;
  ps->stride_h = p->stride_h;
  ps->stride_w = p->stride_w;
  ps->dilation_h = MAX (p->dilation_h, 1);
  ps->dilation_w = MAX (p->dilation_w, 1);
  ps->pad_top = pads[0];
  ps->pad_left = pads[1];
  ps->count_include_pad = p->count_include_pad;
}

/* ---- convolution ------------------------------------------------------- */

static void
run_conv (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  qvk_f32_conv_run (l->conv_f32, IN (l, 0), OUT (l), tid, nt);
}

static void
run_conv_rows (const QvizPlan *plan, const QvizLayer *l, gsize r0, gsize r1, int tid)
{
  qvk_f32_conv_run_rows (l->conv_f32, IN (l, 0), OUT (l), r0, r1, tid);
}

/* Folds a following batchnorm into copies of the conv's weights and bias. */
static void
fold_conv_weights (const QvizNode *n, const QvizNode *bn, float **weights_out,
                   float **bias_out)
{
  const QvizConvAttrs *c = &n->a.conv;
  gsize per_oc = (gsize) c->kernel_h * c->kernel_w * (c->in_channels / c->groups);
  float *w = g_memdup2 (c->weights, sizeof (float) * per_oc * c->out_channels);
  float *b = g_new0 (float, c->out_channels);

  if (c->bias)
    memcpy (b, c->bias, sizeof (float) * c->out_channels);
  if (bn != NULL)
    {
      const QvizBatchNormAttrs *a = &bn->a.bn;
      for (int oc = 0; oc < c->out_channels; oc++)
        {
          double scale = a->gamma[oc] / sqrt ((double) a->var[oc] + a->eps);
          for (gsize k = 0; k < per_oc; k++)
            w[oc * per_oc + k] = (float) (w[oc * per_oc + k] * scale);
          b[oc] = (float) ((b[oc] - a->mean[oc]) * scale + a->beta[oc]);
        }
    }
  *weights_out = w;
  *bias_out = b;
}


void
qviz_fold_conv_weights (const QvizNode *n, const QvizNode *bn, float **w, float **b)
{
  fold_conv_weights (n, bn, w, b);
}

static qvk_conv_algo
conv_algo (const QvizPlan *plan)
{
  switch (plan->config.conv_algo)
    {
    case QVIZ_CONV_ALGO_IM2COL: return QVK_CONV_ALGO_IM2COL;
    case QVIZ_CONV_ALGO_REFERENCE: return QVK_CONV_ALGO_REFERENCE;
    case QVIZ_CONV_ALGO_AUTO:
    default: return QVK_CONV_ALGO_AUTO;
    }
}


qvk_conv_algo
qviz_plan_qvk_conv_algo (const QvizPlan *plan)
{
  return conv_algo (plan);
}

static gboolean
build_conv (QvizPlan *plan, QvizLayer *l, GError **error)
{
  qvk_conv_options opts = { (qvk_isa) plan->isa, conv_algo (plan), plan->config.threads };

  qviz_conv_shape_from_node (plan, l->node, l->out_value, &l->conv);
  l->conv.act = l->act;
  fold_conv_weights (l->node, l->bn_node, &l->weights, &l->bias);
  l->conv_f32 = qvk_f32_conv_create (&l->conv, l->weights, l->bias, &opts);
  if (l->conv_f32 == NULL)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "Node '%s' (conv): no kernel can run this convolution.", l->node->name);
      return FALSE;
    }
  g_clear_pointer (&l->weights, g_free); /* the operator keeps its packed copy */
  g_clear_pointer (&l->bias, g_free);
  l->info.kernel = g_strdup (qvk_f32_conv_kernel_name (l->conv_f32));
  l->info.reason = g_strdup (qvk_f32_conv_reason (l->conv_f32));
  plan->weight_bytes += qvk_f32_conv_packed_bytes (l->conv_f32);
  l->run = run_conv;
  l->run_rows = run_conv_rows;
  l->parallel = TRUE;
  return TRUE;
}

/* ---- element-wise ---------------------------------------------------------- */


static inline float
binary (QvizOp op, float a, float b)
{
  switch (op)
    {
    case QVIZ_OP_ADD: return a + b;
    case QVIZ_OP_SUB: return a - b;
    case QVIZ_OP_MUL: return a * b;
    case QVIZ_OP_DIV: return a / b;
    case QVIZ_OP_EQUAL: return a == b ? 1.0f : 0.0f;
    case QVIZ_OP_LESS: return a < b ? 1.0f : 0.0f;
    case QVIZ_OP_LESS_EQUAL: return a <= b ? 1.0f : 0.0f;
    case QVIZ_OP_GREATER: return a > b ? 1.0f : 0.0f;
    case QVIZ_OP_GREATER_EQUAL: return a >= b ? 1.0f : 0.0f;
    default: return NAN;
    }
}


int
qviz_binary_mode (const QvizPlan *plan, const QvizNode *n, int out_value, int *swap)
{
  const QvizShape *a = &plan->shapes[n->inputs[0]];
  const QvizShape *b = &plan->shapes[n->inputs[1]];
  const QvizShape *out = &plan->shapes[out_value];
  gboolean a_full = qviz_shape_numel (a) == qviz_shape_numel (out);
  gboolean b_full = qviz_shape_numel (b) == qviz_shape_numel (out);

  *swap = 0;
  if (a_full && b_full && a->rank == b->rank &&
      memcmp (a->dims, b->dims, sizeof (int64_t) * a->rank) == 0 &&
      (qviz_shape_is_nhwc (a) == qviz_shape_is_nhwc (b) ||
       (a->rank == 4 && a->dims[2] * a->dims[3] == 1)))
    return QVIZ_BIN_SAME;
  for (int s = 0; s < 2; s++)
    {
      const QvizShape *full = s ? b : a, *part = s ? a : b;
      int64_t pn = qviz_shape_numel (part);

      if (qviz_shape_numel (full) != qviz_shape_numel (out))
        continue;
      if (pn == 1)
        {
          *swap = s;
          return QVIZ_BIN_SCALAR;
        }
      if (qviz_shape_is_nhwc (full))
        {
          /* [C], [C,1,1], [1,C,1,1] or [N,C,1,1] against N,C,H,W. */
          int64_t c = full->dims[1], nb = full->dims[0];
          gboolean ok = FALSE;
          if (part->rank == 1 && part->dims[0] == c)
            ok = TRUE;
          else if (part->rank == 3 && part->dims[0] == c && part->dims[1] == 1 && part->dims[2] == 1)
            ok = TRUE;
          else if (part->rank == 4 && part->dims[1] == c && part->dims[2] == 1 &&
                   part->dims[3] == 1 && (part->dims[0] == 1 || part->dims[0] == nb))
            ok = TRUE;
          if (ok)
            {
              *swap = s;
              return QVIZ_BIN_CHANNEL;
            }
        }
    }
  return QVIZ_BIN_GENERIC;
}

/* The ISA of the element-wise kernels: a reference plan keeps to the
 * scalar references, which the optimized plans are compared with. */
static inline qvk_isa
ew_isa (const QvizPlan *plan)
{
  return plan->config.conv_algo == QVIZ_CONV_ALGO_REFERENCE ? QVK_ISA_SCALAR
                                                            : (qvk_isa) plan->isa;
}

/* Where: two walks in step over the output, one giving the condition's
 * and x's offsets, the other y's. */
static void
run_conv_transpose (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const QvizConvTransposeAttrs *c = &l->node->a.convt;
  const QvizShape *xs = &plan->shapes[l->node->inputs[0]];
  const QvizShape *ys = &plan->shapes[l->out_value];
  qvk_conv_transpose_shape cs = {
    .batch = (int) xs->dims[0], .in_c = (int) xs->dims[1],
    .in_h = (int) xs->dims[2], .in_w = (int) xs->dims[3],
    .out_c = (int) ys->dims[1], .out_h = (int) ys->dims[2], .out_w = (int) ys->dims[3],
    .groups = c->groups, .kernel_h = c->kernel_h, .kernel_w = c->kernel_w,
    .stride_h = c->stride_h, .stride_w = c->stride_w,
    .dilation_h = c->dilation_h, .dilation_w = c->dilation_w,
    .pad_top = c->pad_top, .pad_left = c->pad_left,
  };
  int64_t x_strides[QVIZ_MAX_RANK], y_strides[QVIZ_MAX_RANK];
  gsize begin, end;

  qviz_logical_strides (xs, x_strides);
  qviz_logical_strides (ys, y_strides);
  qviz_split_range ((gsize) cs.batch * (gsize) cs.out_c * (gsize) cs.out_h, tid, nt, &begin,
                    &end);
  qvk_f32_conv_transpose__scalar (&cs, IN (l, 0), x_strides, c->weights, c->bias, OUT (l),
                                  y_strides, begin, end);
}

static void
run_where (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const QvizShape *out = &plan->shapes[l->out_value];
  const QvizShape *ys = &plan->shapes[l->node->inputs[2]];
  gsize total = (gsize) qviz_shape_numel (out);
  const float *cond = IN (l, 0), *x = IN (l, 1), *y = IN (l, 2);
  float *z = OUT (l);
  QvizBroadcastWalk wcx, wy;

  if (tid != 0)
    return;
  qviz_broadcast_walk_init (&wcx, &plan->shapes[l->node->inputs[0]], FALSE,
                            &plan->shapes[l->node->inputs[1]], FALSE, out);
  qviz_broadcast_walk_init (&wy, ys, FALSE, ys, FALSE, out);
  for (gsize i = 0; i < total; i++)
    {
      int64_t oc, ox, oy, oz, unused;

      qviz_broadcast_walk_step (&wcx, &oc, &ox, &oz);
      qviz_broadcast_walk_step (&wy, &oy, &unused, &unused);
      z[oz] = cond[oc] != 0.0f ? x[ox] : y[oy];
    }
}

static void
run_binary (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const QvizShape *out = &plan->shapes[l->out_value];
  gsize total = (gsize) qviz_shape_numel (out), begin, end;
  const float *a = IN (l, 0), *b = IN (l, 1);
  float *y = OUT (l);
  QvizOp op = l->node->op;

  switch (l->mode)
    {
    case QVIZ_BIN_SAME:
      qviz_split_range (total, tid, nt, &begin, &end);
      if (op == QVIZ_OP_ADD)
        qvk_f32_add (ew_isa (plan), &l->act, a, b, y, begin, end);
      else if (op == QVIZ_OP_MUL && l->act.kind == QVK_ACT_NONE)
        qvk_f32_mul (ew_isa (plan), a, b, y, begin, end);
      else
        for (gsize i = begin; i < end; i++)
          y[i] = qvk_f32_activate (&l->act, binary (op, a[i], b[i]));
      break;

    case QVIZ_BIN_SCALAR:
      {
        const float *full = l->swap ? b : a;
        float s = l->swap ? a[0] : b[0];
        qviz_split_range (total, tid, nt, &begin, &end);
        for (gsize i = begin; i < end; i++)
          y[i] = qvk_f32_activate (&l->act, l->swap ? binary (op, s, full[i])
                                                    : binary (op, full[i], s));
      }
      break;

    case QVIZ_BIN_CHANNEL:
      {
        const QvizShape *fs = &plan->shapes[l->node->inputs[l->swap ? 1 : 0]];
        const QvizShape *ps = &plan->shapes[l->node->inputs[l->swap ? 0 : 1]];
        const float *full = l->swap ? b : a, *part = l->swap ? a : b;
        gsize c = (gsize) fs->dims[1], pixels = (gsize) (fs->dims[2] * fs->dims[3]);
        gboolean per_batch = ps->rank == 4 && ps->dims[0] > 1;

        qviz_split_range ((gsize) fs->dims[0] * pixels, tid, nt, &begin, &end);
        if (op == QVIZ_OP_MUL && l->act.kind == QVK_ACT_NONE)
          /* one scale vector for the whole batch: the batch is one image */
          qvk_f32_mul_channel (ew_isa (plan),
                               (int) (per_batch ? pixels : (gsize) fs->dims[0] * pixels),
                               (int) c, full, part, y, begin, end);
        else
          for (gsize p = begin; p < end; p++)
            {
              const float *sv = part + (per_batch ? (p / pixels) * c : 0);
              for (gsize k = 0; k < c; k++)
                y[p * c + k] = qvk_f32_activate (&l->act,
                    l->swap ? binary (op, sv[k], full[p * c + k])
                            : binary (op, full[p * c + k], sv[k]));
            }
      }
      break;

    case QVIZ_BIN_GENERIC:
    default:
      if (tid != 0)
        return;
      {
        QvizBroadcastWalk w;

        qviz_broadcast_walk_init (&w, &plan->shapes[l->node->inputs[0]], FALSE,
                                  &plan->shapes[l->node->inputs[1]], FALSE, out);
        for (gsize i = 0; i < total; i++)
          {
            int64_t oa, ob, oy;

            qviz_broadcast_walk_step (&w, &oa, &ob, &oy);
            y[oy] = qvk_f32_activate (&l->act, binary (op, a[oa], b[ob]));
          }
      }
      break;
    }
}

static void
run_activation (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  gsize begin, end;

  qviz_split_range ((gsize) qviz_shape_numel (&plan->shapes[l->out_value]), tid, nt,
                    &begin, &end);
  qvk_f32_activation (ew_isa (plan), &l->node->a.act, IN (l, 0), OUT (l), begin, end);
}

static void
run_batchnorm (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const QvizShape *s = &plan->shapes[l->out_value];
  gsize c = (gsize) s->dims[1], pixels, begin, end;
  const float *x = IN (l, 0);
  float *y = OUT (l);

  pixels = (gsize) (s->dims[0] * s->dims[2] * s->dims[3]);
  qviz_split_range (pixels, tid, nt, &begin, &end);
  for (gsize p = begin; p < end; p++)
    for (gsize k = 0; k < c; k++)
      y[p * c + k] = x[p * c + k] * l->bn_scale[k] + l->bn_shift[k];
}

/* ---- pooling, resize, data movement --------------------------------------- */

/* Split over pixels (qviz_run_global_avgpool) as in the int8 plan: the
 * double sums are added up in slot order, the same result whichever thread
 * finishes last. */
static void
pool_sums (const QvizPlan *plan, const QvizLayer *l, gsize first, gsize pixels, void *sums)
{
  const gsize channels = (gsize) plan->shapes[l->node->inputs[0]].dims[1];

  qvk_f32_channel_sums (ew_isa (plan), pixels, channels, channels,
                        (const float *) IN (l, 0) + first * channels, sums);
}

static void
pool_add (void *total, const void *part, gsize channels)
{
  for (gsize c = 0; c < channels; c++)
    ((double *) total)[c] += ((const double *) part)[c];
}

static void
pool_finish (const QvizPlan *plan, const QvizLayer *l, gsize image, const void *total)
{
  const QvizShape *s = &plan->shapes[l->node->inputs[0]];
  const gsize channels = (gsize) s->dims[1];

  qvk_f32_global_avgpool_finish ((gsize) (s->dims[2] * s->dims[3]), channels, total,
                                 (float *) OUT (l) + image * channels);
}

static void
run_global_avgpool (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const QvizPoolSums steps = {
    sizeof (double), ((gsize) plan->shapes[l->node->inputs[0]].dims[1] + 7) / 8 * 8,
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
    qvk_f32_maxpool__scalar (&l->pool, IN (l, 0), OUT (l), (int) begin, (int) end);
  else
    qvk_f32_avgpool__scalar (&l->pool, IN (l, 0), OUT (l), (int) begin, (int) end);
}

static void
run_resize (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const QvizShape *in = &plan->shapes[l->node->inputs[0]];
  const QvizShape *out = &plan->shapes[l->out_value];
  gsize begin, end;

  qviz_split_range ((gsize) (out->dims[0] * out->dims[2]), tid, nt, &begin, &end);
  if (l->resize_taps != NULL)
    qvk_f32_resize_taps__scalar ((int) in->dims[0], (int) in->dims[2], (int) in->dims[3],
                                 (int) in->dims[1], (int) out->dims[2], (int) out->dims[3],
                                 l->resize_taps, l->resize_taps + out->dims[2],
                                 IN (l, 0), OUT (l), (int) begin, (int) end);
  else
    qvk_f32_resize_bilinear (ew_isa (plan), (int) in->dims[0], (int) in->dims[2],
                             (int) in->dims[3], (int) in->dims[1], (int) out->dims[2],
                             (int) out->dims[3], l->node->a.resize.align_corners,
                             IN (l, 0), OUT (l), (int) begin, (int) end);
}


void
qviz_plan_pad_shape (const QvizPlan *plan, const QvizLayer *l, qvk_pad_shape *ps)
{
  const QvizShape *in = &plan->shapes[l->node->inputs[0]];
  const QvizShape *out = &plan->shapes[l->out_value];
  const QvizPadAttrs *p = &l->node->a.pad;

  ps->batch = (int) in->dims[0];
  ps->channels = (int) in->dims[1];
  ps->in_h = (int) in->dims[2];
  ps->in_w = (int) in->dims[3];
  ps->out_h = (int) out->dims[2];
  ps->out_w = (int) out->dims[3];
  ps->pad_top = p->top;
  ps->pad_left = p->left;
  ps->mode = p->fill == QVIZ_PAD_FILL_REFLECT ? QVK_PAD_REFLECT
             : p->fill == QVIZ_PAD_FILL_EDGE ? QVK_PAD_EDGE : QVK_PAD_CONSTANT;
}

const char *
qviz_pad_fill_name (QvizPadFill fill)
{
  return fill == QVIZ_PAD_FILL_REFLECT ? "reflect" : fill == QVIZ_PAD_FILL_EDGE ? "edge"
                                                                               : "constant";
}

gboolean
qviz_plan_resize_prepare (QvizPlan *plan, QvizLayer *l)
{
  const QvizShape *in = &plan->shapes[l->node->inputs[0]];
  const QvizShape *out = &plan->shapes[l->out_value];
  const QvizResizeAttrs *r = &l->node->a.resize;
  int ih = (int) in->dims[2], iw = (int) in->dims[3];
  int oh = (int) out->dims[2], ow = (int) out->dims[3];

  if (qviz_resize_is_pytorch_bilinear (r, ih, iw, oh, ow))
    return TRUE;
  l->resize_taps = qviz_resize_taps_new (r, ih, iw, oh, ow);
  return FALSE;
}

int
qviz_physical_axis (const QvizShape *s, int logical_axis)
{
  static const int nhwc_pos[4] = { 0, 3, 1, 2 };
  return qviz_shape_is_nhwc (s) ? nhwc_pos[logical_axis] : logical_axis;
}


void
qviz_physical_dims (const QvizShape *s, int64_t dims[QVIZ_MAX_RANK])
{
  if (qviz_shape_is_nhwc (s))
    {
      dims[0] = s->dims[0];
      dims[1] = s->dims[2];
      dims[2] = s->dims[3];
      dims[3] = s->dims[1];
    }
  else
    memcpy (dims, s->dims, sizeof (int64_t) * s->rank);
}


void
qviz_concat_run (const QvizPlan *plan, const QvizLayer *l, gsize elem_size)
{
  const QvizShape *out = &plan->shapes[l->out_value];
  int axis = l->node->a.axis < 0 ? l->node->a.axis + out->rank : l->node->a.axis;
  int paxis = qviz_physical_axis (out, axis);
  int64_t pd[QVIZ_MAX_RANK];
  gsize outer = 1;
  int n = l->node->n_inputs;
  g_autofree gsize *inner = g_new (gsize, n);
  g_autofree const void **inputs = g_new (const void *, n);

  qviz_physical_dims (out, pd);
  for (int d = 0; d < paxis; d++)
    outer *= (gsize) pd[d];
  for (int i = 0; i < n; i++)
    {
      const QvizShape *s = &plan->shapes[l->node->inputs[i]];
      int64_t sd[QVIZ_MAX_RANK];
      gsize in_inner = 1;
      qviz_physical_dims (s, sd);
      for (int d = paxis; d < s->rank; d++)
        in_inner *= (gsize) sd[d];
      inner[i] = in_inner;
      inputs[i] = plan->buffers[l->node->inputs[i]];
    }
  qvk_concat (elem_size, outer, n, inner, inputs, plan->buffers[l->out_value]);
}

static void
run_concat (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  qviz_concat_run (plan, l, sizeof (float));
}

/* A dense layer runs as a 1x1 convolution (run_conv); its weights
 * [out][in] are already the OHWI layout of one. */
static gboolean
build_linear (QvizPlan *plan, QvizLayer *l, GError **error)
{
  const QvizLinearAttrs *a = &l->node->a.linear;
  qvk_conv_options opts = { (qvk_isa) plan->isa, conv_algo (plan), plan->config.threads };

  qviz_linear_conv_shape (plan, l, &l->conv);
  l->conv.act = l->act;
  l->conv_f32 = qvk_f32_conv_create (&l->conv, a->weights, a->bias, &opts);
  if (l->conv_f32 == NULL)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "Node '%s' (linear): no kernel can run this dense layer.", l->node->name);
      return FALSE;
    }
  l->info.kernel = g_strdup_printf ("%s (linear)", qvk_f32_conv_kernel_name (l->conv_f32));
  l->info.reason = g_strdup_printf ("dense layer as a 1x1 convolution: %s",
                                    qvk_f32_conv_reason (l->conv_f32));
  plan->weight_bytes += qvk_f32_conv_packed_bytes (l->conv_f32);
  l->run = run_conv;
  l->parallel = TRUE;
  return TRUE;
}

/* Reshape/flatten of a channels-last map with several pixels and channels:
 * data moves into logical (NCHW) order. */
/* Reshape and flatten: the elements in logical order, whatever the layout
 * of either side (a 4-D result is channels-last). */
void
qviz_reshape_run (const QvizPlan *plan, const QvizLayer *l)
{
  const QvizShape *in = &plan->shapes[l->node->inputs[0]];
  const QvizShape *out = &plan->shapes[l->out_value];
  int64_t in_strides[QVIZ_MAX_RANK], out_strides[QVIZ_MAX_RANK];

  qviz_logical_strides (in, in_strides);
  qviz_logical_strides (out, out_strides);
  qvk_strided_copy (plan->elem_size, in->rank, in->dims, in_strides, out->rank, out->dims,
                    out_strides, IN (l, 0), OUT (l));
}

void
qviz_slice_run (const QvizPlan *plan, const QvizLayer *l)
{
  const QvizShape *in = &plan->shapes[l->node->inputs[0]];
  const QvizShape *out = &plan->shapes[l->out_value];
  int64_t begin[QVIZ_MAX_RANK], step[QVIZ_MAX_RANK], in_strides[QVIZ_MAX_RANK];
  int64_t src_strides[QVIZ_MAX_RANK], out_strides[QVIZ_MAX_RANK];
  QvizShape resolved;
  int64_t first = 0;

  if (!qviz_slice_resolve (&l->node->a.slice, in, begin, step, &resolved) ||
      qviz_shape_numel (out) == 0)
    return;
  qviz_logical_strides (in, in_strides);
  qviz_logical_strides (out, out_strides);
  for (int d = 0; d < in->rank; d++)
    {
      first += begin[d] * in_strides[d];
      src_strides[d] = step[d] * in_strides[d];
    }
  qvk_strided_copy (plan->elem_size, out->rank, out->dims, src_strides, out->rank, out->dims,
                    out_strides, (const guint8 *) IN (l, 0) + first * (int64_t) plan->elem_size,
                    OUT (l));
}

/* Rows of a layer normalization: each row is l->mode elements contiguous
 * in memory. */
static void
run_layernorm (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  gsize n = (gsize) l->mode;
  gsize rows = (gsize) qviz_shape_numel (&plan->shapes[l->out_value]) / MAX (n, 1);
  gsize begin, end;

  qviz_split_range (rows, tid, nt, &begin, &end);
  qvk_f32_layernorm__scalar (n, l->node->a.layernorm.epsilon, l->weights, l->bias,
                             IN (l, 0), OUT (l), begin, end);
}

/* The normalized elements of a row must lie together in memory: any
 * layout in logical order, or a channels-last map normalized over C, H
 * and W (its scale and shift are then reordered to H, W, C). */
gboolean
qviz_layernorm_prepare (const QvizPlan *plan, QvizLayer *l, GError **error)
{
  const QvizNode *n = l->node;
  const QvizShape *x = &plan->shapes[n->inputs[0]];
  const QvizLayerNormAttrs *a = &n->a.layernorm;
  int axis = a->axis < 0 ? a->axis + x->rank : a->axis;
  gboolean logical = !qviz_shape_is_nhwc (x) || x->dims[1] == 1 ||
                     (x->dims[2] == 1 && x->dims[3] == 1);
  int64_t size = 1;

  for (int d = axis; d < x->rank; d++)
    size *= x->dims[d];
  if (!logical && axis != 1 && axis != 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "Node '%s' (layer_norm): normalizing a channels-last feature map over "
                   "axis %d onwards is not supported; only over C, H and W.", n->name, a->axis);
      return FALSE;
    }
  if (size > G_MAXINT)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
                   "Node '%s' (layer_norm): rows of %" G_GINT64_FORMAT " elements are too long.",
                   n->name, size);
      return FALSE;
    }
  l->mode = (int) size;
  for (int k = 0; k < 2; k++)
    {
      const float *src = k == 0 ? a->gamma : a->beta;
      float **dst = k == 0 ? &l->weights : &l->bias;
      if (src == NULL)
        continue;
      *dst = g_new (float, MAX (size, 1));
      if (logical)
        memcpy (*dst, src, sizeof (float) * (gsize) size);
      else
        {
          /* logical [(N,) C, H, W] -> memory [(N,) H, W, C] */
          int64_t c = x->dims[1], hw = x->dims[2] * x->dims[3], batch = axis == 0 ? x->dims[0] : 1;
          for (int64_t b = 0; b < batch; b++)
            for (int64_t ch = 0; ch < c; ch++)
              for (int64_t p = 0; p < hw; p++)
                (*dst)[(b * hw + p) * c + ch] = src[(b * c + ch) * hw + p];
        }
    }
  return TRUE;
}

/* A batched product: the batch axes broadcast, each matrix is read through
 * its layout's strides. */
static void
run_matmul (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const QvizShape *a = &plan->shapes[l->node->inputs[0]];
  const QvizShape *b = &plan->shapes[l->node->inputs[1]];
  const QvizShape *y = &plan->shapes[l->out_value];
  const int r = y->rank;
  int64_t sa[QVIZ_MAX_RANK], sb[QVIZ_MAX_RANK], sy[QVIZ_MAX_RANK], idx[QVIZ_MAX_RANK] = { 0 };
  int64_t batches = 1;
  const gboolean a_const = qviz_graph_value (plan->graph, l->node->inputs[0])->data != NULL;
  const gboolean b_const = qviz_graph_value (plan->graph, l->node->inputs[1])->data != NULL;
  QvizShape la = *a, lb = *b;

  /* constants are stored in logical order */
  la.nhwc = la.nhwc && !a_const;
  lb.nhwc = lb.nhwc && !b_const;
  qviz_logical_strides (&la, sa);
  qviz_logical_strides (&lb, sb);
  qviz_logical_strides (y, sy);
  for (int d = 0; d < r - 2; d++)
    batches *= y->dims[d];
  for (int64_t t = 0; t < batches; t++)
    {
      int64_t oa = 0, ob = 0, oy = 0;
      gsize begin, end;
      for (int d = 0; d < r - 2; d++)
        {
          int da = d - (r - a->rank), db = d - (r - b->rank);
          if (da >= 0 && a->dims[da] != 1)
            oa += idx[d] * sa[da];
          if (db >= 0 && b->dims[db] != 1)
            ob += idx[d] * sb[db];
          oy += idx[d] * sy[d];
        }
      qviz_split_range ((gsize) y->dims[r - 2], tid, nt, &begin, &end);
      qvk_f32_matmul_strided__scalar ((size_t) a->dims[a->rank - 1], (size_t) y->dims[r - 1],
                                      (const float *) IN (l, 0) + oa, sa[a->rank - 2],
                                      sa[a->rank - 1], (const float *) IN (l, 1) + ob,
                                      sb[b->rank - 2], sb[b->rank - 1], (float *) OUT (l) + oy,
                                      sy[r - 2], sy[r - 1], begin, end);
      for (int d = r - 3; d >= 0; d--)
        {
          if (++idx[d] < y->dims[d])
            break;
          idx[d] = 0;
        }
    }
}

static void
run_reduce (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const QvizShape *in = &plan->shapes[l->node->inputs[0]];
  const QvizShape *out = &plan->shapes[l->out_value];
  const QvizReduceAttrs *r = &l->node->a.reduce;
  int64_t sx[QVIZ_MAX_RANK], sy[QVIZ_MAX_RANK];
  int64_t kept_dims[QVIZ_MAX_RANK], kept_x[QVIZ_MAX_RANK], kept_y[QVIZ_MAX_RANK];
  int64_t red_dims[QVIZ_MAX_RANK], red_x[QVIZ_MAX_RANK];
  int n_kept = 0, n_red = 0, j = 0;

  qviz_logical_strides (in, sx);
  qviz_logical_strides (out, sy);
  for (int d = 0; d < in->rank; d++)
    {
      if (r->axes & (1u << d))
        {
          red_dims[n_red] = in->dims[d];
          red_x[n_red++] = sx[d];
          j += r->keepdims;
          continue;
        }
      kept_dims[n_kept] = in->dims[d];
      kept_x[n_kept] = sx[d];
      kept_y[n_kept++] = sy[j++];
    }
  qvk_f32_reduce_strided__scalar ((qvk_reduce_kind) r->kind, n_kept, kept_dims, kept_x,
                                  kept_y, n_red, red_dims, red_x, IN (l, 0), OUT (l));
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


void
qviz_transpose_run (const QvizPlan *plan, const QvizLayer *l)
{
  const QvizShape *in = &plan->shapes[l->node->inputs[0]];
  int64_t pd[QVIZ_MAX_RANK];
  int perm[QVIZ_MAX_RANK];

  static const int nhwc_order[4] = { 0, 2, 3, 1 };
  const gboolean out_nhwc = qviz_shape_is_nhwc (&plan->shapes[l->out_value]);

  qviz_physical_dims (in, pd);
  /* output memory axis d holds output logical axis nhwc_order[d] when the
   * output is a feature map */
  for (int d = 0; d < in->rank; d++)
    perm[d] = qviz_physical_axis (in, l->node->a.perm[out_nhwc ? nhwc_order[d] : d]);
  qvk_transpose (plan->elem_size, in->rank, pd, perm, IN (l, 0), OUT (l));
}

static void
run_pad (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  qvk_pad_shape ps;
  gsize begin, end;

  qviz_plan_pad_shape (plan, l, &ps);
  qviz_split_range ((gsize) ps.batch * (gsize) ps.out_h, tid, nt, &begin, &end);
  qvk_pad_nhwc (&ps, sizeof (float), l->weights, IN (l, 0), OUT (l), (int) begin, (int) end);
}

static void
run_transpose (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  qviz_transpose_run (plan, l);
}

static void
run_softmax (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  gsize outer, n, inner;

  qviz_softmax_geometry (plan, l, &outer, &n, &inner);
  qvk_f32_softmax_strided__scalar (n, inner, l->node->op == QVIZ_OP_LOG_SOFTMAX, IN (l, 0),
                                   OUT (l), 0, outer);
}

static void
run_copy (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  memcpy (OUT (l), IN (l, 0),
          (gsize) qviz_shape_numel (&plan->shapes[l->out_value]) * plan->elem_size);
}


gboolean
qviz_softmax_supported (const QvizPlan *plan, const QvizLayer *l, GError **error)
{
  const QvizShape *s = &plan->shapes[l->out_value];
  int axis = l->node->a.axis < 0 ? l->node->a.axis + s->rank : l->node->a.axis;

  if (axis >= 0 && axis < s->rank)
    return TRUE;
  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE,
               "Node '%s' (softmax): axis %d is out of range for rank %d.", l->node->name,
               l->node->a.axis, s->rank);
  return FALSE;
}

void
qviz_softmax_geometry (const QvizPlan *plan, const QvizLayer *l, gsize *outer, gsize *n,
                       gsize *inner)
{
  const QvizShape *s = &plan->shapes[l->out_value];
  int axis = l->node->a.axis < 0 ? l->node->a.axis + s->rank : l->node->a.axis;
  int p = qviz_physical_axis (s, axis);
  int64_t dims[QVIZ_MAX_RANK];

  qviz_physical_dims (s, dims);
  *outer = *inner = 1;
  for (int d = 0; d < s->rank; d++)
    {
      if (d < p)
        *outer *= (gsize) dims[d];
      else if (d > p)
        *inner *= (gsize) dims[d];
    }
  *n = (gsize) dims[p];
}

static void
set_kernel (QvizLayer *l, const char *kernel, const char *reason)
{
  l->info.kernel = g_strdup (kernel);
  l->info.reason = g_strdup (reason);
}

gboolean
qviz_plan_build_layer_f32 (QvizPlan *plan, QvizLayer *l, GError **error)
{
  const QvizNode *n = l->node;

  switch (n->op)
    {
    case QVIZ_OP_CONV:
      return build_conv (plan, l, error);

    case QVIZ_OP_ADD:
    case QVIZ_OP_SUB:
    case QVIZ_OP_MUL:
    case QVIZ_OP_DIV:
    case QVIZ_OP_EQUAL:
    case QVIZ_OP_LESS:
    case QVIZ_OP_LESS_EQUAL:
    case QVIZ_OP_GREATER:
    case QVIZ_OP_GREATER_EQUAL:
      l->mode = qviz_binary_mode (plan, n, l->out_value, &l->swap);
      l->run = run_binary;
      l->parallel = l->mode != QVIZ_BIN_GENERIC;
      {
        /* vector kernels for add (any fused activation), mul and the
         * squeeze-excite channel multiply */
        const gboolean vec = (l->mode == QVIZ_BIN_SAME &&
                              (n->op == QVIZ_OP_ADD ||
                               (n->op == QVIZ_OP_MUL && l->act.kind == QVK_ACT_NONE))) ||
                             (l->mode == QVIZ_BIN_CHANNEL && n->op == QVIZ_OP_MUL &&
                              l->act.kind == QVK_ACT_NONE);
        g_autofree char *name =
          g_strdup_printf ("f32 %s %s", l->mode == QVIZ_BIN_SAME ? "elementwise"
                                        : l->mode == QVIZ_BIN_CHANNEL ? "channel-broadcast"
                                        : l->mode == QVIZ_BIN_SCALAR ? "scalar-broadcast"
                                        : "generic-broadcast",
                           vec ? qvk_elementwise_isa_name (ew_isa (plan)) : "scalar");
        set_kernel (l, name,
                    l->mode == QVIZ_BIN_GENERIC ? "operands broadcast in no simpler pattern"
                                                : "operands line up in memory");
      }
      return TRUE;

    case QVIZ_OP_ACTIVATION:
      l->run = run_activation;
      l->parallel = TRUE;
      {
        gboolean vector = qvk_activation_is_vectorized (&n->a.act);
        g_autofree char *name =
          vector ? g_strdup_printf ("f32 activation %s", qvk_elementwise_isa_name (ew_isa (plan)))
                 : g_strdup_printf ("f32 %s scalar", qviz_activation_name (n->a.act.kind));
        set_kernel (l, name, vector ? "standalone activation (not fused)"
                                    : "standalone activation; no vector kernel computes it");
      }
      return TRUE;

    case QVIZ_OP_BATCHNORM:
      {
        const QvizBatchNormAttrs *a = &n->a.bn;
        l->bn_scale = g_new (float, a->channels);
        l->bn_shift = g_new (float, a->channels);
        for (int c = 0; c < a->channels; c++)
          {
            double s = a->gamma[c] / sqrt ((double) a->var[c] + a->eps);
            l->bn_scale[c] = (float) s;
            l->bn_shift[c] = (float) (a->beta[c] - a->mean[c] * s);
          }
        l->run = run_batchnorm;
        l->parallel = TRUE;
        set_kernel (l, "f32 affine scalar", "batchnorm not after a conv: applied as scale and shift");
        return TRUE;
      }

    case QVIZ_OP_GLOBAL_AVGPOOL:
      {
        g_autofree char *name =
          g_strdup_printf ("f32 global-avgpool %s", qvk_elementwise_isa_name (ew_isa (plan)));
        const QvizShape *in = &plan->shapes[l->node->inputs[0]];

        l->run = run_global_avgpool;
        l->parallel = TRUE;
        l->partials = qviz_partials_new (plan->config.threads,
                                         (gsize) in->dims[0]
                                         * (((gsize) in->dims[1] + 7) / 8 * 8)
                                         * sizeof (double));
        set_kernel (l, name, "one reduction over all pixels, threads split the pixels");
      }
      return TRUE;

    case QVIZ_OP_AVGPOOL:
    case QVIZ_OP_MAXPOOL:
      qviz_pool_shape_from_node (plan, n, &l->pool);
      l->run = run_pool;
      l->parallel = TRUE;
      set_kernel (l, n->op == QVIZ_OP_MAXPOOL ? "f32 maxpool scalar" : "f32 avgpool scalar",
                  "direct window loop");
      return TRUE;

    case QVIZ_OP_RESIZE:
      l->run = run_resize;
      l->parallel = TRUE;
      if (!qviz_plan_resize_prepare (plan, l))
        {
          set_kernel (l, n->a.resize.mode == QVIZ_RESIZE_NEAREST ? "f32 resize-nearest scalar"
                                                                 : "f32 resize-linear scalar",
                      "source pixels of ONNX's coordinate mode, from a table");
        }
      else
        {
          g_autofree char *name =
            g_strdup_printf ("f32 resize-bilinear %s", qvk_elementwise_isa_name (ew_isa (plan)));
          set_kernel (l, name, "row-parallel interpolation");
        }
      return TRUE;

    case QVIZ_OP_CONCAT:
      l->run = run_concat;
      set_kernel (l, "concat copy", "row copies into the joined tensor");
      return TRUE;

    case QVIZ_OP_LINEAR:
      return build_linear (plan, l, error);

    case QVIZ_OP_FLATTEN:
    case QVIZ_OP_RESHAPE:
      l->run = run_reshape;
      set_kernel (l, "layout copy", "elements reordered between channels-last and logical order");
      return TRUE;

    case QVIZ_OP_REDUCE:
      l->run = run_reduce;
      set_kernel (l, "f32 reduce scalar", "strided walk over the reduced axes");
      return TRUE;

    case QVIZ_OP_CONV_TRANSPOSE:
      l->run = run_conv_transpose;
      l->parallel = TRUE;
      set_kernel (l, "f32 conv-transpose scalar",
                  "each output gathers the input pixels whose taps reach it");
      return TRUE;

    case QVIZ_OP_WHERE:
      l->run = run_where;
      set_kernel (l, "f32 where scalar", "each element picked from x or y by the condition");
      return TRUE;

    case QVIZ_OP_MATMUL:
      l->run = run_matmul;
      l->parallel = TRUE;
      set_kernel (l, "f32 matmul scalar", "both operands computed at run time");
      return TRUE;

    case QVIZ_OP_LAYERNORM:
      if (!qviz_layernorm_prepare (plan, l, error))
        return FALSE;
      l->run = run_layernorm;
      l->parallel = TRUE;
      set_kernel (l, "f32 layer-norm scalar", "mean and variance of each row");
      return TRUE;

    case QVIZ_OP_SLICE:
      l->run = run_slice;
      set_kernel (l, "slice copy", "a window of the input moves");
      return TRUE;

    case QVIZ_OP_TRANSPOSE:
      l->run = run_transpose;
      set_kernel (l, "transpose copy", "permutation moves data");
      return TRUE;

    case QVIZ_OP_PAD:
      {
        int c = (int) plan->shapes[n->inputs[0]].dims[1];
        g_autofree char *name = g_strdup_printf ("f32 pad %s copy",
                                                 qviz_pad_fill_name (n->a.pad.fill));
        l->weights = g_new (float, MAX (c, 1));
        for (int k = 0; k < c; k++)
          l->weights[k] = n->a.pad.value;
        l->run = run_pad;
        l->parallel = TRUE;
        set_kernel (l, name, "rows copied pixel by pixel, the border filled");
      }
      return TRUE;

    case QVIZ_OP_SOFTMAX:
    case QVIZ_OP_LOG_SOFTMAX:
      if (!qviz_softmax_supported (plan, l, error))
        return FALSE;
      l->run = run_softmax;
      {
        gsize outer, len, inner;
        qviz_softmax_geometry (plan, l, &outer, &len, &inner);
        set_kernel (l, n->op == QVIZ_OP_SOFTMAX ? "f32 softmax scalar" : "f32 log-softmax scalar",
                    inner == 1 ? "over the innermost axis" : "over a strided axis");
      }
      return TRUE;

    case QVIZ_OP_IDENTITY:
      l->run = run_copy;
      set_kernel (l, "copy", "identity of a constant");
      return TRUE;

    default:
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED,
                   "Node '%s': operator %s is not supported in float plans.",
                   n->name, qviz_op_name (n->op));
      return FALSE;
    }
}
