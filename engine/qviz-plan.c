/* qviz-plan.c: compiling a graph into layers over one activation arena, and
 * running passes over it.
 *
 * The planner groups nodes into layers (conv + batchnorm + activation,
 * add + relu, linear + activation), turns reshapes that do not move data
 * into views, lays out every tensor in one arena by liveness, and asks the
 * per-precision builders to choose kernels and prepack weights.  All of that
 * happens here, at plan time, so the first pass does the same work as every
 * other pass.
 */

#include "qviz-plan-private.h"
#include "qviz-memory.h"
#include "qviz-quant.h"
#include "qvk-elementwise.h"

#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <time.h>

#define MIN_PARALLEL_MACS 262144
#define MIN_PARALLEL_ELEMENTS 32768

static inline gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

void
qviz_plan_config_init (QvizPlanConfig *config)
{
  g_return_if_fail (config != NULL);
  memset (config, 0, sizeof *config);
  config->precision = QVIZ_PRECISION_F32;
  config->batch = 1;
  config->height = 224;
  config->width = 224;
  config->threads = 1;
  /* measured against OpenMP on lraspp-mnv3 (docs/benchmarks.md): starting
   * a layer costs 0.4 us instead of 3 us, which small layers feel */
  config->threading = QVIZ_THREADING_POOL;
  config->conv_algo = QVIZ_CONV_ALGO_AUTO;
  config->isa = -1;
}

const char *
qviz_precision_name (QvizPrecision p)
{
  return p == QVIZ_PRECISION_INT8 ? "int8" : "f32";
}

gboolean
qviz_precision_parse (const char *s, QvizPrecision *out)
{
  if (g_strcmp0 (s, "f32") == 0 || g_strcmp0 (s, "float") == 0 ||
      g_strcmp0 (s, "fp32") == 0 || g_strcmp0 (s, "float32") == 0)
    *out = QVIZ_PRECISION_F32;
  else if (g_strcmp0 (s, "int8") == 0 || g_strcmp0 (s, "i8") == 0 ||
           g_strcmp0 (s, "qint8") == 0 || g_strcmp0 (s, "quint8") == 0)
    *out = QVIZ_PRECISION_INT8;
  else
    return FALSE;
  return TRUE;
}

const char *
qviz_layer_class_name (QvizLayerClass c)
{
  switch (c)
    {
    case QVIZ_LAYER_CLASS_DILATED_DEPTHWISE: return "dilated depthwise";
    case QVIZ_LAYER_CLASS_DEPTHWISE: return "depthwise";
    case QVIZ_LAYER_CLASS_POINTWISE: return "pointwise";
    case QVIZ_LAYER_CLASS_CONV: return "conv";
    case QVIZ_LAYER_CLASS_ATTENTION: return "attention";
    case QVIZ_LAYER_CLASS_NORMALIZATION: return "normalization";
    case QVIZ_LAYER_CLASS_DATA_MOVEMENT: return "data movement";
    case QVIZ_LAYER_CLASS_OTHER:
    default: return "other";
    }
}

/* ---- grouping nodes into layers ---------------------------------------- */

static int *
count_uses (const QvizGraph *g)
{
  int *uses = g_new0 (int, qviz_graph_n_values (g));

  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      for (int k = 0; k < n->n_inputs; k++)
        uses[n->inputs[k]]++;
    }
  for (guint i = 0; i < g->outputs->len; i++)
    uses[g_array_index (g->outputs, int, i)] += 1000; /* never fused away */
  return uses;
}

/* The single consumer of value v, when it is the next node; else NULL. */
static const QvizNode *
sole_next_consumer (const QvizGraph *g, const int *uses, int v, int next_index)
{
  const QvizNode *next;

  if (uses[v] != 1 || next_index >= qviz_graph_n_nodes (g))
    return NULL;
  next = qviz_graph_node (g, next_index);
  if (next->n_inputs >= 1 && next->inputs[0] == v)
    return next;
  return NULL;
}

void
qviz_plan_layer_clear (QvizLayer *l)
{
  g_free (l->info.name);
  g_free (l->info.kernel);
  g_free (l->info.reason);
  g_free (l->info.fused);
  g_clear_pointer (&l->conv_f32, qvk_f32_conv_destroy);
  g_clear_pointer (&l->conv_qu8, qvk_qu8_conv_destroy);
  g_free (l->weights);
  g_free (l->bias);
  g_free (l->bn_scale);
  g_free (l->bn_shift);
  g_free (l->resize_taps);
  g_clear_pointer (&l->partials, qviz_partials_free);
  if (l->int8 && l->int8_free)
    l->int8_free (l->int8);
  if (l->keep && l->keep_free)
    l->keep_free (l->keep);
}

QvizPartials *
qviz_partials_new (int threads, gsize slot_bytes)
{
  QvizPartials *p = g_new0 (QvizPartials, 1);

  p->threads = threads;
  p->stride = (slot_bytes + 63) / 64 * 64;
  p->slots = g_aligned_alloc0 ((gsize) threads + 1, p->stride, 64);
  return p;
}

void
qviz_partials_free (QvizPartials *p)
{
  g_aligned_free (p->slots);
  g_free (p);
}

/* GLib's atomic add is a full barrier: the last thread sees every slot
 * written before the others' adds, and the count is back at zero before
 * the pass's end lets a next pass start. */
gboolean
qviz_partials_last (QvizPartials *p, int n_threads)
{
  if (g_atomic_int_add (&p->done, 1) != n_threads - 1)
    return FALSE;
  g_atomic_int_set (&p->done, 0);
  return TRUE;
}

void
qviz_run_global_avgpool (const QvizPlan *plan, const QvizLayer *l, int tid, int nt,
                         const QvizPoolSums *steps)
{
  const QvizShape *s = &plan->shapes[l->node->inputs[0]];
  const gsize batch = (gsize) s->dims[0], channels = (gsize) s->dims[1];
  const gsize pixels = (gsize) (s->dims[2] * s->dims[3]);
  const gsize image_bytes = steps->padded * steps->size;
  guint8 *total;
  gsize begin, end;

  qviz_split_range (batch * pixels, tid, nt, &begin, &end);
  for (gsize n = 0; n < batch; n++)
    {
      const gsize a = MAX (begin, n * pixels), b = MIN (end, (n + 1) * pixels);
      steps->sums (plan, l, a, b > a ? b - a : 0,
                   (guint8 *) qviz_partials_slot (l->partials, tid) + n * image_bytes);
    }
  if (!qviz_partials_last (l->partials, nt))
    return;
  total = qviz_partials_slot (l->partials, nt > 1 ? l->partials->threads : 0);
  for (gsize n = 0; n < batch; n++, total += image_bytes)
    {
      if (nt > 1)
        memcpy (total, (const guint8 *) qviz_partials_slot (l->partials, 0) + n * image_bytes,
                channels * steps->size);
      for (int t = 1; t < nt; t++)
        steps->add (total,
                    (const guint8 *) qviz_partials_slot (l->partials, t) + n * image_bytes,
                    channels);
      steps->finish (plan, l, n, total);
    }
}

/* Fills the layer's descriptive facts from its node and shapes. */
static void
describe_layer (QvizPlan *plan, QvizLayer *l)
{
  const QvizGraph *g = plan->graph;
  const QvizNode *n = l->node;
  QvizLayerInfo *info = &l->info;
  const QvizShape *in = &plan->shapes[n->inputs[0]];
  const QvizShape *out = &plan->shapes[l->out_value];
  guint64 in_bytes = 0;

  info->name = g_strdup (n->name);
  info->op = qviz_op_name (n->op);
  info->in_shape = *in;
  info->out_shape = *out;
  info->node_index = n->node_index;
  info->kernel_h = info->kernel_w = info->stride_h = info->stride_w = 1;
  info->dilation_h = info->dilation_w = info->groups = 1;
  info->layer_class = qviz_layer_class_of_op (info->op);

  if (n->op == QVIZ_OP_CONV)
    {
      const QvizConvAttrs *c = &n->a.conv;
      info->kernel_h = c->kernel_h;
      info->kernel_w = c->kernel_w;
      info->stride_h = c->stride_h;
      info->stride_w = c->stride_w;
      info->dilation_h = c->dilation_h;
      info->dilation_w = c->dilation_w;
      info->groups = c->groups;
      info->depthwise = qviz_node_is_depthwise (g, n, plan->shapes);
      info->dilated = qviz_node_is_dilated (n);
      if (info->depthwise)
        info->layer_class = info->dilated ? QVIZ_LAYER_CLASS_DILATED_DEPTHWISE
                                          : QVIZ_LAYER_CLASS_DEPTHWISE;
      else if (c->kernel_h == 1 && c->kernel_w == 1 && c->groups == 1)
        info->layer_class = QVIZ_LAYER_CLASS_POINTWISE;
      else
        info->layer_class = QVIZ_LAYER_CLASS_CONV;
    }
  else if (n->op == QVIZ_OP_CONV_TRANSPOSE)
    {
      const QvizConvTransposeAttrs *c = &n->a.convt;
      info->kernel_h = c->kernel_h;
      info->kernel_w = c->kernel_w;
      info->stride_h = c->stride_h;
      info->stride_w = c->stride_w;
      info->dilation_h = c->dilation_h;
      info->dilation_w = c->dilation_w;
      info->groups = c->groups;
      info->dilated = c->dilation_h > 1 || c->dilation_w > 1;
    }
  else if (n->op == QVIZ_OP_AVGPOOL || n->op == QVIZ_OP_MAXPOOL)
    {
      info->kernel_h = n->a.pool.kernel_h;
      info->kernel_w = n->a.pool.kernel_w;
      info->stride_h = n->a.pool.stride_h;
      info->stride_w = n->a.pool.stride_w;
      info->dilation_h = MAX (n->a.pool.dilation_h, 1);
      info->dilation_w = MAX (n->a.pool.dilation_w, 1);
    }
  info->macs = qviz_node_macs (g, n, plan->shapes);
  info->params = qviz_node_params (n);
  for (int k = 0; k < n->n_inputs; k++)
    if (qviz_graph_value (g, n->inputs[k])->data == NULL)
      in_bytes += (guint64) qviz_shape_numel (&plan->shapes[n->inputs[k]]) * plan->elem_size;
  info->bytes = in_bytes + (guint64) qviz_shape_numel (out) * plan->elem_size +
                info->params * (plan->config.precision == QVIZ_PRECISION_INT8 ? 1 : 4);
}

static gboolean
memory_is_logical (const QvizShape *s)
{
  return !qviz_shape_is_nhwc (s) || s->dims[1] == 1 || (s->dims[2] == 1 && s->dims[3] == 1);
}

/* A reshape, flatten, identity or transpose that leaves memory as it is. */
static gboolean
is_view (const QvizPlan *plan, const QvizNode *n)
{
  const QvizShape *in = &plan->shapes[n->inputs[0]];

  if (qviz_graph_value (plan->graph, n->inputs[0])->data != NULL)
    return FALSE;
  switch (n->op)
    {
    case QVIZ_OP_IDENTITY:
      return !qviz_plan_is_requantization (plan->graph, n);
    case QVIZ_OP_FLATTEN:
    case QVIZ_OP_RESHAPE:
      /* NHWC memory equals NCHW order when there is one pixel or one channel. */
      return memory_is_logical (in) && memory_is_logical (&plan->shapes[n->output]);
    case QVIZ_OP_TRANSPOSE:
      if (qviz_shape_is_nhwc (in))
        return n->a.perm[0] == 0 && n->a.perm[1] == 2 && n->a.perm[2] == 3 &&
               n->a.perm[3] == 1;
      if (qviz_shape_is_nhwc (&plan->shapes[n->output]))
        return TRUE; /* plain N,H,W,C read as a feature map */
      for (int d = 0; d < in->rank; d++)
        if (n->a.perm[d] != d)
          return FALSE;
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
group_layers (QvizPlan *plan, GError **error)
{
  const QvizGraph *g = plan->graph;
  g_autofree int *uses = count_uses (g);
  int n_nodes = qviz_graph_n_nodes (g);

  for (int i = 0; i < n_nodes; i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      QvizLayer layer = { 0 };
      GString *fused = g_string_new (NULL);
      int out = n->output;
      const QvizNode *next;

      layer.node = n;
      layer.act = qvk_activation_make (QVK_ACT_NONE);

      if (n->op == QVIZ_OP_CONV &&
          (next = sole_next_consumer (g, uses, out, i + 1)) != NULL &&
          next->op == QVIZ_OP_BATCHNORM)
        {
          layer.bn_node = next;
          g_string_append (fused, "bn");
          out = next->output;
          i++;
        }
      layer.pre_act_value = out;
      /* A float plan rounds a tensor the file quantizes, so it must exist
       * on its own: no activation is fused behind it.  Without fusion,
       * fuse_clamps still fuses a conv's or dense layer's ReLU or clip. */
      if ((!plan->config.no_fusion ||
           (plan->config.fuse_clamps && (n->op == QVIZ_OP_CONV || n->op == QVIZ_OP_LINEAR))) &&
          !(plan->config.precision == QVIZ_PRECISION_F32 &&
            qviz_graph_value (g, out)->file_quant) &&
          (n->op == QVIZ_OP_CONV || n->op == QVIZ_OP_LINEAR ||
           (n->op == QVIZ_OP_ADD && plan->config.precision == QVIZ_PRECISION_F32)) &&
          (next = sole_next_consumer (g, uses, out, i + 1)) != NULL &&
          next->op == QVIZ_OP_ACTIVATION && qvk_activation_is_vectorized (&next->a.act) &&
          ((n->op != QVIZ_OP_ADD && !plan->config.no_fusion) ||
           next->a.act.kind == QVK_ACT_RELU || next->a.act.kind == QVK_ACT_CLIP))
        {
          layer.act_node = next;
          layer.act = next->a.act;
          g_string_append_printf (fused, "%s%s", fused->len ? "+" : "",
                                  qviz_activation_name (next->a.act.kind));
          out = next->output;
          i++;
        }
      layer.out_value = out;
      layer.fake_quant = plan->config.precision == QVIZ_PRECISION_F32 &&
                         qviz_graph_value (g, out)->file_quant &&
                         qviz_graph_value (g, out)->quant.valid;
      layer.info.fused = g_string_free (fused, FALSE);
      g_array_append_val (plan->layers, layer);
    }
  return TRUE;
}

/* ---- row bands ------------------------------------------------------------

 * An inverted residual's 1x1 expansion writes a tensor several times the
 * size of the cache (16 MB at 512x512x64 in int8) that the depthwise layer
 * after it reads once, from memory.  When a layer's output is read by the
 * next layer alone, a depthwise one, the two run band by band instead: the
 * reader's next rows after the writer's rows they need, which the reader
 * then finds in cache.  Each layer still runs its own kernels over its own
 * buffers, so the output is the same byte for byte.  Threads split the
 * reader's rows, each running the bands of its own part (run_band_share);
 * the writer's rows go with them.  The values the pair reads stay
 * allocated until the reader, since the two layers' passes interleave. */

#define BAND_MIN_BYTES ((gsize) 4 << 20)    /* a link's tensor worth banding */
/* of the tensor per band: 96, 192, 384 and 768 KB measured, 192 the best
 * or within noise of it on one thread and two */
#define BAND_BYTES ((gsize) 192 << 10)

/* Whether layer li's output is read by layer li + 1 alone, a depthwise
 * convolution, on one image, and is large enough to gain: a candidate
 * link, before the kernels are chosen (band_finish keeps the links whose
 * kernels can run a part of their rows).  Measured on lraspp-mnv3 at
 * 1024x1024 (docs/benchmarks.md), int8: a depthwise layer reading 16 MB
 * gains 45%, one reading 4.7 MB 15%; the int8 depthwise layers of 2-4 MB
 * at 64x64, and a projection after a depthwise layer, lose 5-50% in bands
 * (the quads at each band's edge are filled again). */
static gboolean
band_link (const QvizPlan *plan, const int *uses, guint li)
{
  const QvizLayer *a, *b;
  const QvizShape *v;

  if (li + 1 >= plan->layers->len)
    return FALSE;
  a = qviz_plan_layer (plan, li);
  b = qviz_plan_layer (plan, li + 1);
  v = &plan->shapes[a->out_value];
  return a->node->op == QVIZ_OP_CONV && b->node->op == QVIZ_OP_CONV &&
         !a->fake_quant && !b->fake_quant && b->node->a.conv.groups > 1 && b->node->a.conv.groups == b->node->a.conv.in_channels &&
         b->node->inputs[0] == a->out_value && uses[a->out_value] == 1 &&
         !qviz_plan_is_output (plan, a->out_value) && plan->alias_of[a->out_value] < 0 &&
         qviz_shape_is_nhwc (v) && v->dims[0] == 1 &&
         (gsize) qviz_shape_numel (v) * plan->elem_size >= BAND_MIN_BYTES;
}

static void
band_candidates (QvizPlan *plan)
{
  g_autofree int *uses = NULL;

  if (plan->config.no_fusion || plan->config.no_bands)
    return;
  uses = count_uses (plan->graph);
  /* pairs: a reader is never the writer of another pair */
  for (guint li = 0; li < plan->layers->len; li++)
    qviz_plan_layer (plan, li)->band_next =
      (li == 0 || !qviz_plan_layer (plan, li - 1)->band_next) && band_link (plan, uses, li);
}

/* Every root value a pair's writer reads lives until its reader. */
static void
band_lifetimes (const QvizPlan *plan, int *last_use)
{
  for (guint li = 0; li < plan->layers->len; li++)
    {
      const QvizNode *n = qviz_plan_layer (plan, li)->node;

      if (!qviz_plan_layer (plan, li)->band_next)
        continue;
      for (int k = 0; k < n->n_inputs; k++)
        {
          int v = n->inputs[k];
          while (plan->alias_of[v] >= 0)
            v = plan->alias_of[v];
          if (last_use[v] >= 0)
            last_use[v] = MAX (last_use[v], (int) li + 1);
        }
    }
}

/* Rows of the reader's input its output rows [0, rows) need. */
static gsize
band_rows_needed (const qvk_conv_shape *c, gsize rows)
{
  gint64 last;

  if (rows == 0)
    return 0;
  if (rows >= (gsize) c->out_h)
    return (gsize) c->in_h;
  last = (gint64) (rows - 1) * c->stride_h - c->pad_top + (gint64) (c->kernel_h - 1) * c->dilation_h;
  return (gsize) CLAMP (last + 1, 0, c->in_h);
}

/* The first input row the reader's output row o reads. */
static gsize
band_first_row (const qvk_conv_shape *c, gsize o)
{
  if (o >= (gsize) c->out_h)
    return (gsize) c->in_h;
  return (gsize) CLAMP ((gint64) o * c->stride_h - c->pad_top, 0, c->in_h);
}

/* Once the kernels are chosen: keeps the pairs whose layers can both run
 * a part of their rows, and sizes their bands.  A plan with layers kept
 * in float (their conversions inserted after the layout) runs every layer
 * whole. */
static void
band_finish (QvizPlan *plan, gboolean islands)
{
  for (guint li = 0; li < plan->layers->len; li++)
    {
      QvizLayer *a = qviz_plan_layer (plan, li), *b;
      const QvizShape *v = &plan->shapes[a->out_value];
      const qvk_conv_shape *c;
      gsize row_bytes;
      int extra;
      g_autofree char *reason = NULL;

      if (!a->band_next)
        continue;
      b = qviz_plan_layer (plan, li + 1);
      if (islands || a->run_rows == NULL || b->run_rows == NULL)
        {
          a->band_next = FALSE;
          continue;
        }
      c = &b->conv;
      /* dims are logical (N, C, H, W), the memory N, H, W, C; a reader's
       * row takes stride rows of the tensor */
      row_bytes = (gsize) v->dims[1] * v->dims[3] * plan->elem_size * (gsize) c->stride_h;
      a->band_rows = (int) CLAMP (BAND_BYTES / MAX (row_bytes, 1), 1, (gsize) c->out_h);
      /* The rows a band reads beyond its own (kernel span less stride)
       * are read again, and their quads filled again, by the next band:
       * at most an eighth of a band (a quarter measured too: the int8
       * 5x5 stride-2 layer of lraspp-mnv3's features.4 then lost 8%). */
      extra = (c->kernel_h - 1) * c->dilation_h + 1 - c->stride_h;
      a->band_rows = MAX (a->band_rows, (8 * extra + c->stride_h - 1) / c->stride_h);
      /* At least two bands a thread: with one, nothing is read from cache
       * (measured: f32 5x5 dilated layers at 64x64 lose 25-40% on two
       * threads in 32-row bands) */
      if (2 * a->band_rows * plan->config.threads > c->out_h)
        {
          a->band_next = FALSE;
          continue;
        }
      reason = a->info.reason;
      a->info.reason = g_strdup_printf ("%s; runs in bands with '%s' (%d of its rows at a "
                                        "time), which reads its output from cache", reason,
                                        b->info.name, a->band_rows);
      li++;
    }
}

/* ---- arena layout --------------------------------------------------------- */

typedef struct {
  gsize offset, size;
  int value;
} Block;

static gsize
align_up (gsize x)
{
  return (x + 63) & ~(gsize) 63;
}

static gsize
place_block (GArray *live, gsize size)
{
  gsize best = G_MAXSIZE, best_gap = G_MAXSIZE, cursor = 0;

  for (guint i = 0; i < live->len; i++)
    {
      const Block *b = &g_array_index (live, Block, i);
      if (b->offset >= cursor + size && b->offset - cursor < best_gap)
        {
          best = cursor;
          best_gap = b->offset - cursor;
        }
      cursor = MAX (cursor, b->offset + b->size);
    }
  return best != G_MAXSIZE ? best : cursor;
}

/* Int8 plans: the conv and dense layers whose output is a model output
 * that no layer reads write it in float (the int32 accumulators
 * dequantized), so the output's own rounding to uint8 steps, often the
 * largest part of its error, is not made; a layer kept in float there
 * writes it without the quantize layer after it.  Only where that rounding
 * is qviz's own (the output's parameters come from its calibration): not
 * where the model file quantizes the tensor (QDQ, QLinear). */
static void
mark_float_outputs (QvizPlan *plan)
{
  const QvizGraph *g = plan->graph;
  int n_layers = (int) plan->layers->len;

  plan->float_value = g_new0 (gboolean, qviz_graph_n_values (g));
  for (int li = 0; li < n_layers; li++)
    {
      const QvizLayer *l = qviz_plan_layer (plan, li);
      int v = l->out_value;
      const gboolean is_output = qviz_plan_is_output (plan, v);
      gboolean read = FALSE;

      gboolean kept = qviz_plan_needs_float (g, l->node) ||
                      (plan->config.keep_float != NULL &&
                       g_strv_contains ((const char *const *) plan->config.keep_float,
                                        l->info.name));

      if (l->alias ||
          (l->node->op != QVIZ_OP_CONV && l->node->op != QVIZ_OP_LINEAR && !kept) ||
          qviz_graph_value (g, v)->file_quant || !qviz_graph_value (g, v)->calibrated_quant ||
          qviz_graph_value (g, l->pre_act_value)->file_quant)
        continue;
      for (int lj = 0; lj < n_layers && !read; lj++)
        {
          const QvizLayer *r = qviz_plan_layer (plan, lj);
          for (int k = 0; k < r->node->n_inputs; k++)
            {
              int u = r->node->inputs[k];
              while (plan->alias_of[u] >= 0)
                u = plan->alias_of[u];
              read |= u == v;
            }
        }
      plan->float_value[v] = is_output && !read;
    }
}

/* Calibration gives no parameters to the values an int8 plan never
 * quantizes (a conv's output read only by the ReLU fused into it): a plan
 * whose layers read such a value (one built without fusion) is refused
 * rather than run with a zero scale. */
static gboolean
check_quant_params (const QvizPlan *plan,
                    GError        **error)
{
  const QvizGraph *g = plan->graph;

  for (guint li = 0; li < plan->layers->len; li++)
    {
      const QvizLayer *l = qviz_plan_layer (plan, li);

      for (int k = -1; k < l->node->n_inputs; k++)
        {
          int v = k < 0 ? l->out_value : l->node->inputs[k];
          const QvizValue *value = qviz_graph_value (g, v);

          if (value->data != NULL || plan->quant[v].scale > 0)
            continue;
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                       "Model '%s': value '%s' of layer '%s' has no int8 parameters "
                       "(calibration leaves out a value the int8 plan fuses away); "
                       "plan it with fusion.", g->name, value->name ? value->name : "?",
                       l->info.name);
          return FALSE;
        }
    }
  return TRUE;
}

/* Two threads: a layer's first thread writes the first half of its output
 * and the second thread the second half (the row and pixel splits).  Best
 * fit puts a value where values of other sizes were, so that many of the
 * lines one thread writes were last written by the other core and come
 * over from its cache first: in lraspp-mnv3 at 1024, 40% of the lines
 * written in a pass, and one thread of an element-wise layer took twice
 * the other's time.  Here every value goes centred in a slot that holds one
 * value at a time, so that the lines left of a slot's middle are only ever
 * written by the first thread and those right of it by the second.  A free
 * slot as large as the value is taken if there is one (the smallest such),
 * else the largest free slot grows, else a new one opens.  The arena is
 * larger: 36 MB against 28 MB for lraspp-mnv3 int8 at 1024.  Returns the
 * arena's size. */
typedef struct {
  gsize size;
  int busy_until;   /* the last layer reading its value */
} Slot;

static gsize
layout_centred (QvizPlan *plan, int *last_use)
{
  const QvizGraph *g = plan->graph;
  const int n_layers = (int) plan->layers->len;
  g_autoptr (GArray) slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  g_autoptr (GArray) placed = g_array_new (FALSE, FALSE, sizeof (Block));
  gsize total = 0;
  Block input = { 0, align_up ((gsize) qviz_shape_numel (&plan->shapes[g->input]) *
                               qviz_plan_value_elem_size (plan, g->input)), g->input };
  Slot first = { input.size, last_use[g->input] };

  /* Block.offset holds the slot until the slots' places are known */
  g_array_append_val (slots, first);
  g_array_append_val (placed, input);
  for (int li = 0; li < n_layers; li++)
    {
      const QvizLayer *l = qviz_plan_layer (plan, li);
      Block b = { 0, 0, l->out_value };
      int best = -1;

      if (plan->alias_of[b.value] >= 0)
        continue;
      b.size = align_up ((gsize) qviz_shape_numel (&plan->shapes[b.value]) *
                         qviz_plan_value_elem_size (plan, b.value));
      if (last_use[b.value] < 0)
        last_use[b.value] = li; /* written but never read */
      for (guint k = 0; k < slots->len; k++)
        {
          const Slot *c = &g_array_index (slots, Slot, k);
          const Slot *o = best >= 0 ? &g_array_index (slots, Slot, best) : NULL;

          if (c->busy_until >= li)
            continue;
          if (o == NULL ||
              (c->size >= b.size && (o->size < b.size || c->size < o->size)) ||
              (c->size < b.size && o->size < b.size && c->size > o->size))
            best = (int) k;
        }
      if (best < 0)
        {
          Slot fresh = { 0, 0 };
          g_array_append_val (slots, fresh);
          best = (int) slots->len - 1;
        }
      Slot *slot = &g_array_index (slots, Slot, best);
      slot->size = MAX (slot->size, b.size);
      slot->busy_until = last_use[b.value];
      b.offset = (gsize) best;
      g_array_append_val (placed, b);
    }

  g_clear_pointer (&plan->slots, g_array_unref);
  plan->slots = g_array_new (FALSE, FALSE, sizeof (QvizSlot));
  for (guint k = 0; k < slots->len; k++)
    {
      QvizSlot where = { total, g_array_index (slots, Slot, k).size };

      g_array_append_val (plan->slots, where);
      total += where.size;
    }
  for (guint i = 0; i < placed->len; i++)
    {
      const Block *b = &g_array_index (placed, Block, i);
      const QvizSlot *slot = &g_array_index (plan->slots, QvizSlot, b->offset);

      plan->offsets[b->value] = slot->offset + ((slot->size - b->size) / 2 & ~(gsize) 63);
    }
  return total;
}

static void
touch_slots (gpointer data, int thread_id, int n_threads)
{
  QvizPlan *plan = data;

  for (guint k = 0; k < plan->slots->len; k++)
    {
      const QvizSlot *slot = &g_array_index (plan->slots, QvizSlot, k);
      gsize begin, end;

      qviz_split_range (slot->size, thread_id, n_threads, &begin, &end);
      memset (plan->arena + slot->offset + begin, 0, end - begin);
    }
}

static void
layout_arena (QvizPlan *plan)
{
  const QvizGraph *g = plan->graph;
  int n_values = qviz_graph_n_values (g);
  int n_layers = (int) plan->layers->len;
  int *last_use = g_new (int, n_values);
  g_autoptr (GArray) live = g_array_new (FALSE, FALSE, sizeof (Block));
  gsize total = 0;

  for (int v = 0; v < n_values; v++)
    {
      last_use[v] = -1;
      plan->offsets[v] = G_MAXSIZE;
    }

  /* Last layer reading each root value; outputs live to the end. */
  for (int li = 0; li < n_layers; li++)
    {
      const QvizLayer *l = qviz_plan_layer (plan, li);
      for (int k = 0; k < l->node->n_inputs; k++)
        {
          int v = l->node->inputs[k];
          while (plan->alias_of[v] >= 0)
            v = plan->alias_of[v];
          last_use[v] = MAX (last_use[v], li);
        }
    }
  for (int i = 0; i < plan->n_outputs; i++)
    {
      int v = plan->output_values[i];
      while (plan->alias_of[v] >= 0)
        v = plan->alias_of[v];
      last_use[v] = n_layers;
    }
  band_lifetimes (plan, last_use);

  if (plan->config.threads == 2)
    {
      plan->arena_bytes = MAX (layout_centred (plan, last_use), 64);
      g_free (plan->last_use);
      plan->last_use = last_use;
      return;
    }

  /* The input lives from the start. */
  {
    Block b = { 0, align_up ((gsize) qviz_shape_numel (&plan->shapes[g->input]) *
                             qviz_plan_value_elem_size (plan, g->input)),
                g->input };
    g_array_append_val (live, b);
    plan->offsets[g->input] = 0;
    total = b.size;
  }

  for (int li = 0; li < n_layers; li++)
    {
      const QvizLayer *l = qviz_plan_layer (plan, li);
      int v = l->out_value;

      if (plan->alias_of[v] < 0)
        {
          Block b;
          b.size = align_up ((gsize) qviz_shape_numel (&plan->shapes[v]) *
                             qviz_plan_value_elem_size (plan, v));
          b.offset = place_block (live, b.size);
          b.value = v;
          plan->offsets[v] = b.offset;
          total = MAX (total, b.offset + b.size);
          if (last_use[v] < 0)
            last_use[v] = li; /* written but never read: freed right away */
          /* live stays in order of offset: the block goes after those
           * at or below its offset (as appending and a stable sort did,
           * without sorting thousands of live blocks at every layer) */
          {
            guint lo = 0, hi = live->len;

            while (lo < hi)
              {
                const guint mid = lo + (hi - lo) / 2;

                if (g_array_index (live, Block, mid).offset <= b.offset)
                  lo = mid + 1;
                else
                  hi = mid;
              }
            g_array_insert_val (live, lo, b);
          }
        }
      /* Free every block whose last reader is this layer, in one pass. */
      {
        guint kept = 0;

        for (guint i = 0; i < live->len; i++)
          if (last_use[g_array_index (live, Block, i).value] > li)
            g_array_index (live, Block, kept++) = g_array_index (live, Block, i);
        g_array_set_size (live, kept);
      }
    }

  plan->arena_bytes = MAX (total, 64);
  g_free (plan->last_use);
  plan->last_use = last_use;
}

#define ARENA_HUGE_PAGES_FROM ((gsize) 4 << 20)

/* Allocates the laid-out arena and points every value into it.  The size
 * is checked against the memory this process may still take, and asked
 * for without aborting, so that a size too large for the machine is a
 * sentence. */
static gboolean
allocate_arena (QvizPlan *plan, GError **error)
{
  const QvizGraph *g = plan->graph;
  int n_values = qviz_graph_n_values (g);
  g_autofree char *what =
    g_strdup_printf ("The activations of '%s' (%s, %dx%d)", g->name,
                     qviz_precision_name (plan->config.precision),
                     plan->config.height, plan->config.width);

  if (!qviz_memory_check (plan->arena_bytes, what, error))
    return FALSE;
#ifdef MADV_HUGEPAGE
  /* Large arenas in 2 MiB pages: a 113 MB arena otherwise takes 28,000
   * page faults to map, which made plan time grow much faster than the
   * number of pixels (and falls on the first pass if not done here). */
  if (plan->arena_bytes >= ARENA_HUGE_PAGES_FROM)
    {
      void *p = mmap (NULL, plan->arena_bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

      if (p != MAP_FAILED)
        {
          madvise (p, plan->arena_bytes, MADV_HUGEPAGE);
          plan->arena = p;
          plan->arena_mapped = TRUE;
        }
    }
#endif
  if (plan->arena == NULL && posix_memalign ((void **) &plan->arena, 64, plan->arena_bytes) != 0)
    {
      g_autofree char *need = g_format_size_full (plan->arena_bytes,
                                                  G_FORMAT_SIZE_IEC_UNITS);

      plan->arena = NULL;
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_MEMORY,
                   "%s need %s of memory, which the system refused.", what, need);
      return FALSE;
    }
  /* Writing every page now maps it: the first pass must not pay for page
   * faults that later passes do not see.  The kernel can map a fresh
   * mapping in one call, its pages already zero. */
#ifdef MADV_POPULATE_WRITE
  if (!plan->arena_mapped ||
      madvise (plan->arena, plan->arena_bytes, MADV_POPULATE_WRITE) != 0)
#endif
    memset (plan->arena, 0, plan->arena_bytes);
  for (int v = 0; v < n_values; v++)
    {
      const QvizValue *val = qviz_graph_value (g, v);
      int root = v;
      while (plan->alias_of[root] >= 0)
        root = plan->alias_of[root];
      if (val->data != NULL && val->producer < 0)
        plan->buffers[v] = val->data;
      else if (plan->offsets[root] != G_MAXSIZE)
        plan->buffers[v] = plan->arena + plan->offsets[root];
      else
        plan->buffers[v] = NULL;
    }
  return TRUE;
}

/* ---- plan ----------------------------------------------------------------- */

static QvizPlan *
plan_build (QvizGraph *graph, const QvizPlanConfig *config, GError **error)
{
  g_autoptr (QvizPlan) plan = NULL;
  gint64 t0 = now_ns ();
  int n_values;
  gboolean islands = FALSE;

  g_return_val_if_fail (graph != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);

  if (config->threads < 1 || config->threads > 1024)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "Thread count %d is not valid; use 1 or more.", config->threads);
      return NULL;
    }
  if (config->batch < 1)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "Batch size %d is not valid; use 1 or more.", config->batch);
      return NULL;
    }
  if (config->precision == QVIZ_PRECISION_INT8 && !graph->calibrated)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "Model '%s' has no int8 parameters yet; calibrate it first.",
                   graph->name);
      return NULL;
    }

  plan = g_new0 (QvizPlan, 1);
  plan->graph = graph;
  plan->config = *config;
  plan->isa = (config->isa_set && config->isa >= 0) ? config->isa : (int) qvk_isa_detect ();
  if (plan->isa > (int) qvk_isa_detect ())
    plan->isa = (int) qvk_isa_detect ();
  plan->elem_size = config->precision == QVIZ_PRECISION_INT8 ? 1 : 4;
  plan->layers = g_array_new (FALSE, TRUE, sizeof (QvizLayer));
  g_array_set_clear_func (plan->layers, (GDestroyNotify) qviz_plan_layer_clear);

  n_values = qviz_graph_n_values (graph);
  plan->shapes = g_new0 (QvizShape, n_values);
  plan->alias_of = g_new (int, n_values);
  plan->offsets = g_new (gsize, n_values);
  plan->buffers = g_new0 (void *, n_values);
  for (int v = 0; v < n_values; v++)
    plan->alias_of[v] = -1;
  if (config->precision == QVIZ_PRECISION_INT8)
    {
      plan->quant = g_new0 (QvizQuantParams, n_values);
      for (int v = 0; v < n_values; v++)
        plan->quant[v] = qviz_graph_value (graph, v)->quant;
    }

  if (!qviz_graph_infer_shapes (graph, config->batch, config->height, config->width,
                                plan->shapes, error))
    return NULL;

  plan->n_outputs = (int) graph->outputs->len;
  plan->output_values = g_memdup2 (graph->outputs->data, sizeof (int) * MAX (plan->n_outputs, 1));

  if (!group_layers (plan, error))
    return NULL;

  for (guint li = 0; li < plan->layers->len; li++)
    {
      QvizLayer *l = qviz_plan_layer (plan, li);
      describe_layer (plan, l);
      if (is_view (plan, l->node))
        {
          l->alias = TRUE;
          plan->alias_of[l->out_value] = l->node->inputs[0];
          l->info.kernel = g_strdup ("view");
          l->info.reason = g_strdup ("memory order already matches; nothing is moved");
        }
    }
  if (config->precision == QVIZ_PRECISION_INT8 && !check_quant_params (plan, error))
    return NULL;

  if (config->precision == QVIZ_PRECISION_INT8)
    mark_float_outputs (plan);
  band_candidates (plan);
  layout_arena (plan);
  {
    const gint64 t_arena = now_ns ();
    if (!config->layout_only && !allocate_arena (plan, error))
      return NULL;
    plan->arena_ms = (double) (now_ns () - t_arena) / 1e6;
  }

  for (guint li = 0; li < plan->layers->len; li++)
    {
      QvizLayer *l = qviz_plan_layer (plan, li);
      gint64 t_layer;
      gboolean ok;

      if (l->alias)
        {
          if (plan->quant != NULL)
            plan->quant[l->out_value] = plan->quant[l->node->inputs[0]];
          continue;
        }
      t_layer = now_ns ();
      ok = config->precision == QVIZ_PRECISION_INT8
             ? qviz_plan_build_layer_int8 (plan, l, error)
             : qviz_plan_build_layer_f32 (plan, l, error);
      if (!ok)
        return NULL;
      l->info.plan_ms = (double) (now_ns () - t_layer) / 1e6;
      /* Waking the other threads costs a few microseconds: more than a
       * squeeze-excite 1x1 conv or a small add takes on its own.  A layer
       * that reads much and writes little (a global average pool) is not
       * small. */
      if (l->info.macs < MIN_PARALLEL_MACS &&
          qviz_shape_numel (&l->info.out_shape) < MIN_PARALLEL_ELEMENTS &&
          qviz_shape_numel (&l->info.in_shape) < MIN_PARALLEL_ELEMENTS)
        l->parallel = FALSE;
    }

  if (config->precision == QVIZ_PRECISION_INT8)
    {
      islands = config->keep_float != NULL && config->keep_float[0] != NULL;
      for (guint i = 0; i < plan->layers->len && !islands; i++)
        islands = qviz_plan_needs_float (plan->graph, qviz_plan_layer (plan, i)->node);
      if (islands && !qviz_plan_keep_float (plan, error))
        return NULL;
    }
  band_finish (plan, islands);
  plan->config.keep_float = NULL;   /* not the plan's to keep */

  /* Start the worker threads now rather than in the first pass, and have
   * each write its half of every slot once, so that the first pass finds
   * the arena's lines where later passes do: in the cache of the core that
   * writes them. */
  if (config->threads > 1 && config->threading == QVIZ_THREADING_POOL)
    {
      plan->pool = qviz_pool_new (config->threads);
      if (plan->slots != NULL && plan->arena != NULL)
        qviz_pool_run (plan->pool, touch_slots, plan);
    }
  else if (config->threads > 1)
    {
#pragma omp parallel num_threads (config->threads)
      if (plan->slots != NULL && plan->arena != NULL)
        touch_slots (plan, omp_get_thread_num (), omp_get_num_threads ());
    }

  plan->plan_ms = (double) (now_ns () - t0) / 1e6;
  return g_steal_pointer (&plan);
}

/* A user's model is named in every message, as the loader's messages name
 * it: "model.onnx: Node 'l/Gemm' (linear): ...". */
QvizPlan *
qviz_plan_new (QvizGraph *graph, const QvizPlanConfig *config, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *base = NULL;
  QvizPlan *plan;

  g_return_val_if_fail (graph != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);

  plan = plan_build (graph, config, &local);
  if (plan != NULL)
    return plan;
  if (graph->source != NULL && strcmp (graph->source, "builtin") != 0)
    {
      base = g_path_get_basename (graph->source);
      if (!g_str_has_prefix (local->message, base))
        g_prefix_error (&local, "%s: ", base);
    }
  g_propagate_error (error, g_steal_pointer (&local));
  return NULL;
}

void
qviz_plan_free (QvizPlan *plan)
{
  if (plan == NULL)
    return;
  qviz_pool_free (plan->pool);
  if (plan->slots)
    g_array_unref (plan->slots);
  if (plan->layers)
    g_array_unref (plan->layers);
  g_free (plan->shapes);
  g_free (plan->alias_of);
  g_free (plan->offsets);
  g_free (plan->last_use);
  g_free (plan->buffers);
  g_free (plan->output_values);
  if (plan->arena_mapped)
    munmap (plan->arena, plan->arena_bytes);
  else
    free (plan->arena);
  g_free (plan->zero_page);
  g_free (plan->quant);
  g_free (plan->float_value);
  g_free (plan);
}

const QvizPlanConfig *
qviz_plan_get_config (const QvizPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);
  return &plan->config;
}

void
qviz_plan_set_spin (QvizPlan *plan, gboolean spin)
{
  g_return_if_fail (plan != NULL);
  if (plan->pool != NULL)
    qviz_pool_set_spin (plan->pool, spin);
}

double
qviz_plan_get_plan_ms (const QvizPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->plan_ms;
}

double
qviz_plan_get_arena_ms (const QvizPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->arena_ms;
}

int
qviz_plan_get_n_layers (const QvizPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return (int) plan->layers->len;
}

const QvizLayerInfo *
qviz_plan_get_layer (const QvizPlan *plan, int i)
{
  g_return_val_if_fail (plan != NULL, NULL);
  g_return_val_if_fail (i >= 0 && i < (int) plan->layers->len, NULL);
  return &qviz_plan_layer (plan, i)->info;
}

int
qviz_plan_get_layer_value (const QvizPlan *plan, int i)
{
  g_return_val_if_fail (plan != NULL, -1);
  g_return_val_if_fail (i >= 0 && i < (int) plan->layers->len, -1);
  return qviz_plan_layer (plan, i)->out_value;
}

QvizGraph *
qviz_plan_get_graph (const QvizPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);
  return plan->graph;
}

gboolean
qviz_plan_get_band_next (const QvizPlan *plan, int i)
{
  g_return_val_if_fail (plan != NULL, FALSE);
  g_return_val_if_fail (i >= 0 && i < (int) plan->layers->len, FALSE);
  return qviz_plan_layer (plan, i)->band_next;
}

gsize
qviz_plan_get_arena_bytes (const QvizPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->arena_bytes;
}

gsize
qviz_plan_get_weight_bytes (const QvizPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->weight_bytes;
}

/* ---- layout conversion ---------------------------------------------------- */

void
qviz_plan_physical_to_logical (const QvizShape *s, gsize elem_size,
                               const void *physical, void *logical)
{
  gsize n = (gsize) qviz_shape_numel (s);

  if (!qviz_shape_is_nhwc (s) || s->dims[1] == 1 || (s->dims[2] == 1 && s->dims[3] == 1))
    {
      memcpy (logical, physical, n * elem_size);
      return;
    }
  /* N,H,W,C -> N,C,H,W */
  {
    int64_t dims[4] = { s->dims[0], s->dims[2], s->dims[3], s->dims[1] };
    int perm[4] = { 0, 3, 1, 2 };
    qvk_transpose (elem_size, 4, dims, perm, physical, logical);
  }
}

/* QuantizeLinear then DequantizeLinear, in place, as ONNX defines them:
 * saturate(round_half_to_even(x / scale) + zero_point), then back. */
static void
fake_quantize (const QvizQuantParams *q, float *x, gsize n)
{
  const float zp = (float) q->zero_point;

  for (gsize i = 0; i < n; i++)
    {
      float v = nearbyintf (x[i] / q->scale) + zp;   /* default mode: half to even */
      v = v < 0.0f ? 0.0f : (v > 255.0f ? 255.0f : v);
      x[i] = (v - zp) * q->scale;
    }
}

void
qviz_plan_set_input_nchw (QvizPlan *plan, const float *input)
{
  const QvizShape *s;

  g_return_if_fail (plan != NULL);
  g_return_if_fail (input != NULL);
  g_return_if_fail (plan->arena != NULL);

  if (plan->config.precision == QVIZ_PRECISION_INT8)
    {
      qviz_plan_set_input_int8 (plan, input);
      return;
    }
  s = &plan->shapes[plan->graph->input];
  {
    int64_t dims[4] = { s->dims[0], s->dims[1], s->dims[2], s->dims[3] };
    int perm[4] = { 0, 2, 3, 1 };
    qvk_transpose (sizeof (float), 4, dims, perm, input, plan->buffers[plan->graph->input]);
  }
  {
    const QvizValue *in = qviz_graph_value (plan->graph, plan->graph->input);
    if (in->file_quant && in->quant.valid)
      fake_quantize (&in->quant, plan->buffers[plan->graph->input],
                     (gsize) qviz_shape_numel (s));
  }
}

int
qviz_plan_get_n_outputs (const QvizPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->n_outputs;
}

const QvizShape *
qviz_plan_get_output_shape (const QvizPlan *plan, int i)
{
  g_return_val_if_fail (plan != NULL, NULL);
  g_return_val_if_fail (i >= 0 && i < plan->n_outputs, NULL);
  return &plan->shapes[plan->output_values[i]];
}

static gsize
copy_value_logical (const QvizPlan *plan, int v, float *out)
{
  const QvizShape *s = &plan->shapes[v];
  gsize n = (gsize) qviz_shape_numel (s);

  if (out == NULL)
    return n;
  if (plan->config.precision == QVIZ_PRECISION_INT8 && !plan->float_value[v] &&
      qviz_graph_value (plan->graph, v)->data == NULL)
    {
      g_autofree float *tmp = g_new (float, n);
      qviz_plan_dequantize_value (plan, v, tmp);
      qviz_plan_physical_to_logical (s, sizeof (float), tmp, out);
    }
  else
    qviz_plan_physical_to_logical (s, sizeof (float), plan->buffers[v], out);
  return n;
}

void
qviz_plan_get_output (const QvizPlan *plan, int i, float *out)
{
  g_return_if_fail (plan != NULL);
  g_return_if_fail (i >= 0 && i < plan->n_outputs);
  copy_value_logical (plan, plan->output_values[i], out);
}

gsize
qviz_plan_get_layer_output (const QvizPlan *plan, int i, float *out)
{
  g_return_val_if_fail (plan != NULL, 0);
  g_return_val_if_fail (i >= 0 && i < (int) plan->layers->len, 0);
  return copy_value_logical (plan, qviz_plan_layer (plan, i)->out_value, out);
}

/* ---- running -------------------------------------------------------------- */

typedef struct {
  const QvizPlan *plan;
  const QvizLayer *layer;
} LayerJob;

static void
run_layer_share (gpointer data, int thread_id, int n_threads)
{
  const LayerJob *job = data;

  job->layer->run (job->plan, job->layer, thread_id, n_threads);
}

static inline void
run_layer (const QvizPlan *plan, const QvizLayer *l)
{
  int threads = plan->config.threads;

  if (l->alias)
    return;
  if (threads > 1 && l->parallel && plan->pool != NULL)
    {
      LayerJob job = { plan, l };
      qviz_pool_run (plan->pool, run_layer_share, &job);
    }
  else if (threads > 1 && l->parallel)
    {
#pragma omp parallel num_threads (threads)
      l->run (plan, l, omp_get_thread_num (), omp_get_num_threads ());
    }
  else
    l->run (plan, l, 0, 1);
  if (l->fake_quant)
    fake_quantize (&qviz_graph_value (plan->graph, l->out_value)->quant,
                   plan->buffers[l->out_value],
                   (gsize) qviz_shape_numel (&plan->shapes[l->out_value]));
}

/* A band pair's pass: thread t takes the reader's rows [o_begin[t],
 * o_begin[t + 1]) and the writer's rows from the first its own first row
 * reads, a_begin[t], to the next thread's; the rows its last band reads
 * beyond that are the next threads' first, and it waits for them
 * (progress[u]: rows thread u has written, an absolute row). */
typedef struct {
  const QvizPlan *plan;
  const QvizLayer *a, *b;
  int threads;
  gsize *o_begin, *a_begin;  /* [threads + 1] */
  atomic_int *progress;      /* [threads] */
  gint64 spent_ns[2];        /* the first thread's time in a and in b, when timed */
  gboolean timed;
} BandJob;

static void
band_rows_on (BandJob *job, const QvizLayer *l, gsize r0, gsize r1, int tid, int which)
{
  const gint64 t0 = job->timed && tid == 0 ? now_ns () : 0;

  l->run_rows (job->plan, l, r0, r1, tid);
  if (job->timed && tid == 0)
    job->spent_ns[which] += now_ns () - t0;
}

static void
run_band_part (BandJob *job, int tid)
{
  const qvk_conv_shape *c = &job->b->conv;
  const int nt = job->threads;
  const gsize a_end = job->a_begin[tid + 1];
  gsize done = job->a_begin[tid];

  if (tid > 0)
    {
      /* First the rows of this part that the part before reads, so that
       * its last band waits for a few rows, not for a whole band. */
      const gsize first = MIN (band_rows_needed (c, job->o_begin[tid]), a_end);

      if (first > done)
        {
          band_rows_on (job, job->a, done, first, tid, 0);
          done = first;
          atomic_store_explicit (&job->progress[tid], (int) done, memory_order_release);
        }
    }
  for (gsize o = job->o_begin[tid]; o < job->o_begin[tid + 1];)
    {
      const gsize oe = MIN (job->o_begin[tid + 1], o + (gsize) job->a->band_rows);
      const gsize need = band_rows_needed (c, oe);
      const gsize own = oe == job->o_begin[tid + 1] ? a_end : MIN (need, a_end);

      if (own > done)
        {
          band_rows_on (job, job->a, done, own, tid, 0);
          done = own;
          atomic_store_explicit (&job->progress[tid], (int) done, memory_order_release);
        }
      for (int u = tid + 1; u < nt && job->a_begin[u] < need; u++)
        {
          const int target = (int) MIN (need, job->a_begin[u + 1]);
          for (guint spins = 0;
               atomic_load_explicit (&job->progress[u], memory_order_acquire) < target; spins++)
            if (spins % 1024 == 1023)
              g_thread_yield ();
        }
      band_rows_on (job, job->b, o, oe, tid, 1);
      o = oe;
    }
  /* a thread with no rows of the reader, or writer rows after the last
   * one any reader row reads */
  if (a_end > done)
    {
      band_rows_on (job, job->a, done, a_end, tid, 0);
      atomic_store_explicit (&job->progress[tid], (int) a_end, memory_order_release);
    }
}

/* The parts of thread_id of n_threads: every one when OpenMP gives fewer
 * threads than the plan's, the later parts first, since a part waits
 * only for later ones. */
static void
run_band_share (gpointer data, int thread_id, int n_threads)
{
  BandJob *job = data;

  for (int part = job->threads - 1; part >= 0; part--)
    if (part % n_threads == thread_id)
      run_band_part (job, part);
}

/* Runs the band pair of layer i and i + 1; adds the first thread's time in
 * each to spent_ns[0] and [1] (unless NULL). */
static void
run_band_pair (const QvizPlan *plan, guint i, gint64 *spent_ns)
{
  const QvizLayer *a = qviz_plan_layer (plan, i), *b = qviz_plan_layer (plan, i + 1);
  const int threads = a->parallel && b->parallel ? plan->config.threads : 1;
  gsize o_begin[threads + 1], a_begin[threads + 1];
  atomic_int progress[threads];
  BandJob job = { plan, a, b, threads, o_begin, a_begin, progress, { 0, 0 },
                  spent_ns != NULL };

  for (int t = 0; t <= threads; t++)
    {
      o_begin[t] = (gsize) b->conv.out_h * (gsize) t / (gsize) threads;
      a_begin[t] = t == 0 ? 0 : t == threads ? (gsize) a->conv.out_h
                                             : band_first_row (&b->conv, o_begin[t]);
    }
  for (int t = 0; t < threads; t++)
    atomic_init (&progress[t], (int) a_begin[t]);
  if (threads > 1 && plan->pool != NULL)
    qviz_pool_run (plan->pool, run_band_share, &job);
  else if (threads > 1)
    {
#pragma omp parallel num_threads (threads)
      run_band_share (&job, omp_get_thread_num (), omp_get_num_threads ());
    }
  else
    run_band_share (&job, 0, 1);
  if (spent_ns != NULL)
    {
      spent_ns[0] += job.spent_ns[0];
      spent_ns[1] += job.spent_ns[1];
    }
}

void
qviz_plan_run (QvizPlan *plan, QvizPassTiming *timing)
{
  guint n;

  g_return_if_fail (plan != NULL);
  g_return_if_fail (plan->arena != NULL); /* not a layout-only plan */
  n = plan->layers->len;

  if (timing == NULL)
    {
      for (guint i = 0; i < n; i++)
        {
          const QvizLayer *l = qviz_plan_layer (plan, i);

          if (l->band_next)
            run_band_pair (plan, i++, NULL);
          else
            run_layer (plan, l);
        }
      return;
    }

  {
    gint64 start = now_ns ();
    for (guint i = 0; i < n; i++)
      {
        const QvizLayer *l = qviz_plan_layer (plan, i);

        if (l->band_next)
          {
            /* The pair's bands interleave: each layer is shown as the sum
             * of its bands on the first thread, one after the other, the
             * reader to the pair's end. */
            gint64 spent[2] = { 0, 0 }, t = now_ns () - start;

            run_band_pair (plan, i, spent);
            timing->layer_start_ns[i] = t;
            timing->layer_end_ns[i] = timing->layer_start_ns[i + 1] = t + spent[0];
            timing->layer_end_ns[i + 1] = MAX (now_ns () - start, t + spent[0]);
            i++;
            continue;
          }
        timing->layer_start_ns[i] = now_ns () - start;
        run_layer (plan, l);
        timing->layer_end_ns[i] = now_ns () - start;
      }
    timing->pass_ns = now_ns () - start;
  }
}

void
qviz_plan_run_with_callback (QvizPlan *plan, QvizLayerCallback callback,
                             gpointer user_data)
{
  g_return_if_fail (plan != NULL);
  g_return_if_fail (callback != NULL);
  g_return_if_fail (plan->arena != NULL);
  for (guint i = 0; i < plan->layers->len; i++)
    {
      const QvizLayer *l = qviz_plan_layer (plan, i);

      if (l->band_next)
        {
          /* both outputs are whole once the pair has run */
          run_band_pair (plan, i, NULL);
          callback (plan, (int) i, user_data);
          callback (plan, (int) ++i, user_data);
          continue;
        }
      run_layer (plan, l);
      callback (plan, (int) i, user_data);
    }
}

void
qviz_plan_set_value (QvizPlan *plan, int value, const float *logical)
{
  const QvizShape *s;
  gsize n;
  g_autofree float *physical = NULL;

  g_return_if_fail (plan != NULL && logical != NULL);
  g_return_if_fail (plan->arena != NULL);
  g_return_if_fail (value >= 0 && value < qviz_graph_n_values (plan->graph));
  g_return_if_fail (plan->buffers[value] != NULL);
  g_return_if_fail (qviz_graph_value (plan->graph, value)->data == NULL);

  s = &plan->shapes[value];
  n = (gsize) qviz_shape_numel (s);
  if (qviz_shape_is_nhwc (s))
    {
      int64_t dims[4] = { s->dims[0], s->dims[1], s->dims[2], s->dims[3] };
      int perm[4] = { 0, 2, 3, 1 };
      physical = g_new (float, MAX (n, 1));
      qvk_transpose (sizeof (float), 4, dims, perm, logical, physical);
      logical = physical;
    }
  if (plan->config.precision == QVIZ_PRECISION_INT8 && !plan->float_value[value])
    qvk_qu8_quantize__scalar (plan->quant[value].scale, plan->quant[value].zero_point,
                              logical, plan->buffers[value], 0, n);
  else
    memcpy (plan->buffers[value], logical, n * sizeof (float));
}

void
qviz_plan_run_layer (QvizPlan *plan, int i)
{
  const QvizLayer *l;

  g_return_if_fail (plan != NULL);
  g_return_if_fail (i >= 0 && i < (int) plan->layers->len);
  g_return_if_fail (plan->arena != NULL);
  l = qviz_plan_layer (plan, i);
  /* a layer kept in float reads and writes int8 through its conversions */
  if (l->info.float_kept)
    run_layer (plan, qviz_plan_layer (plan, i - 1));
  run_layer (plan, l);
  if (l->info.float_kept)
    run_layer (plan, qviz_plan_layer (plan, i + 1));
}

QvizPassTiming *
qviz_pass_timing_new (const QvizPlan *plan)
{
  QvizPassTiming *t;

  g_return_val_if_fail (plan != NULL, NULL);
  t = g_new0 (QvizPassTiming, 1);
  t->layer_start_ns = g_new0 (gint64, MAX (plan->layers->len, 1));
  t->layer_end_ns = g_new0 (gint64, MAX (plan->layers->len, 1));
  return t;
}

void
qviz_pass_timing_free (QvizPassTiming *t)
{
  if (t == NULL)
    return;
  g_free (t->layer_start_ns);
  g_free (t->layer_end_ns);
  g_free (t);
}

/* ---- a float and an int8 plan of one graph, layer by layer ---------------- */

void
qviz_plan_run_layers (QvizPlan *plan, int begin, int end)
{
  g_return_if_fail (plan != NULL);
  g_return_if_fail (plan->arena != NULL);
  g_return_if_fail (begin >= 0 && begin <= end && end <= (int) plan->layers->len);

  for (int i = begin; i < end; i++)
    run_layer (plan, qviz_plan_layer (plan, i));
}

static int
root_value (const QvizPlan *plan, int v)
{
  while (plan->alias_of[v] >= 0)
    v = plan->alias_of[v];
  return v;
}

gboolean
qviz_plan_value_is_live (const QvizPlan *plan, int value, int n_run)
{
  int root;

  g_return_val_if_fail (plan != NULL, FALSE);
  g_return_val_if_fail (value >= 0 && value < qviz_graph_n_values (plan->graph), FALSE);

  if (qviz_graph_value (plan->graph, value)->data != NULL)
    return TRUE;
  root = root_value (plan, value);
  /* a freed block is only overwritten by a layer after its last reader */
  return plan->last_use != NULL && plan->last_use[root] >= n_run - 1;
}

const float *
qviz_plan_peek_value (const QvizPlan *plan, int value, gsize *n)
{
  g_return_val_if_fail (plan != NULL, NULL);
  g_return_val_if_fail (plan->config.precision == QVIZ_PRECISION_F32, NULL);
  g_return_val_if_fail (value >= 0 && value < qviz_graph_n_values (plan->graph), NULL);

  if (n != NULL)
    *n = (gsize) qviz_shape_numel (&plan->shapes[value]);
  return plan->buffers[value];
}

static gboolean
same_layout (const QvizShape *a, const QvizShape *b)
{
  if (a->rank != b->rank || qviz_shape_is_nhwc (a) != qviz_shape_is_nhwc (b))
    return FALSE;
  for (int d = 0; d < a->rank; d++)
    if (a->dims[d] != b->dims[d])
      return FALSE;
  return TRUE;
}

static qvk_isa
elementwise_isa (const QvizPlan *plan)
{
  return plan->config.conv_algo == QVIZ_CONV_ALGO_REFERENCE ? QVK_ISA_SCALAR
                                                            : (qvk_isa) plan->isa;
}

#define COMPARE_CHUNK 4096
/* Values of at least this many numbers are compared on the plans' threads,
 * a chunk at a time each: the sums of each block of the comparison are
 * its own (qviz_sqnr_block_sums), added up in order once all are done, so
 * the result does not depend on which thread took which chunk. */
#define COMPARE_SHARED ((gsize) 1 << 16)
G_STATIC_ASSERT (COMPARE_CHUNK % QVIZ_SQNR_BLOCK == 0);

typedef struct {
  const QvizPlan *plan;
  const float *reference;
  const void *x;               /* the plan's buffer: floats, or bytes to dequantize */
  const QvizQuantParams *q;    /* NULL for floats */
  gsize n;
  QvizSqnrBlock *blocks;
  atomic_size_t next;          /* the next chunk to take */
} CompareJob;

static void
compare_chunks (gpointer data, int thread_id, int n_threads)
{
  CompareJob *job = data;
  float chunk[COMPARE_CHUNK];

  for (;;)
    {
      const gsize begin = atomic_fetch_add (&job->next, COMPARE_CHUNK);
      const float *x;
      gsize len;

      if (begin >= job->n)
        break;
      len = MIN (COMPARE_CHUNK, job->n - begin);
      if (job->q != NULL)
        {
          qvk_qu8_dequantize (elementwise_isa (job->plan), job->q->scale, job->q->zero_point,
                              (const guint8 *) job->x + begin, chunk, 0, len);
          x = chunk;
        }
      else
        x = (const float *) job->x + begin;
      qviz_sqnr_block_sums (job->reference + begin, x, len,
                            job->blocks + begin / QVIZ_SQNR_BLOCK);
    }
}

double
qviz_plan_value_sqnr_db (const QvizPlan *reference, const QvizPlan *plan, int value)
{
  const QvizShape *rs, *s;
  gsize n;
  QvizSqnrSum sum = { 0 };

  g_return_val_if_fail (reference != NULL && plan != NULL, NAN);
  g_return_val_if_fail (reference->config.precision == QVIZ_PRECISION_F32, NAN);
  g_return_val_if_fail (value >= 0 && value < qviz_graph_n_values (plan->graph), NAN);

  rs = &reference->shapes[value];
  s = &plan->shapes[value];
  n = (gsize) qviz_shape_numel (s);
  if ((gsize) qviz_shape_numel (rs) != n)
    return NAN;
  if (!same_layout (rs, s))
    {
      /* both in logical order: a copy of each, the rare case */
      g_autofree float *a = g_new (float, MAX (n, 1));
      g_autofree float *b = g_new (float, MAX (n, 1));
      copy_value_logical (reference, value, a);
      copy_value_logical (plan, value, b);
      return qviz_sqnr_db (a, b, n);
    }
  {
    const gsize n_blocks = (n + QVIZ_SQNR_BLOCK - 1) / QVIZ_SQNR_BLOCK;
    g_autofree QvizSqnrBlock *blocks = g_new (QvizSqnrBlock, MAX (n_blocks, 1));
    QvizPool *pool = plan->pool != NULL ? plan->pool : reference->pool;
    CompareJob job = { plan, reference->buffers[value], plan->buffers[value], NULL, n, blocks, 0 };

    if (plan->config.precision != QVIZ_PRECISION_F32 && !plan->float_value[value] &&
        qviz_graph_value (plan->graph, value)->data == NULL)
      job.q = &plan->quant[value];
    if (pool != NULL && n >= COMPARE_SHARED)
      qviz_pool_run (pool, compare_chunks, &job);
    else
      compare_chunks (&job, 0, 1);
    qviz_sqnr_sum_add_blocks (&sum, blocks, n_blocks);
  }
  return qviz_sqnr_sum_db (&sum);
}

void
qviz_plan_set_value_from_plan (QvizPlan *plan, const QvizPlan *source, int value)
{
  const QvizShape *ss, *s;
  gsize n;

  g_return_if_fail (plan != NULL && source != NULL);
  g_return_if_fail (source->config.precision == QVIZ_PRECISION_F32);
  g_return_if_fail (plan->arena != NULL && source->arena != NULL);
  g_return_if_fail (value >= 0 && value < qviz_graph_n_values (plan->graph));
  g_return_if_fail (qviz_graph_value (plan->graph, value)->data == NULL);

  ss = &source->shapes[value];
  s = &plan->shapes[value];
  n = (gsize) qviz_shape_numel (s);
  g_return_if_fail ((gsize) qviz_shape_numel (ss) == n);
  if (!same_layout (ss, s))
    {
      g_autofree float *logical = g_new (float, MAX (n, 1));
      copy_value_logical (source, value, logical);
      qviz_plan_set_value (plan, value, logical);
      return;
    }
  if (plan->config.precision == QVIZ_PRECISION_INT8 && !plan->float_value[value])
    qvk_qu8_quantize (elementwise_isa (plan), plan->quant[value].scale,
                      plan->quant[value].zero_point, source->buffers[value],
                      plan->buffers[value], 0, n);
  else
    memcpy (plan->buffers[value], source->buffers[value], n * sizeof (float));
}
