/* qviz-bias-correction.c: the mean input under each kernel tap, and the
 * bias correction of int8 weights made from it. */

#include "qviz-bias-correction.h"

#include "qviz-plan-private.h"

#include <math.h>
#include <string.h>

/* Where a node keeps its means and how many it has: a convolution's
 * [kh][kw][in_c], a dense layer's [in]; NULL for other nodes. */
static float **
node_means (QvizNode *n, gsize *count)
{
  if (n->op == QVIZ_OP_CONV)
    {
      *count = (gsize) n->a.conv.kernel_h * n->a.conv.kernel_w * n->a.conv.in_channels;
      return &n->a.conv.input_tap_mean;
    }
  if (n->op == QVIZ_OP_LINEAR)
    {
      *count = (gsize) n->a.linear.in_features;
      return &n->a.linear.input_mean;
    }
  *count = 0;
  return NULL;
}

typedef struct {
  int node;          /* conv or linear node index */
  int in_c, kernel_h, kernel_w;
  double *sums;      /* [kernel_h][kernel_w][in_c] */
  double positions;  /* output positions summed over */
} ConvTaps;

struct _QvizTapMeans {
  GArray *convs;     /* ConvTaps */
  int *by_node;      /* [n_nodes]: index in convs, or -1 */
  int n_nodes;
  double *scratch;   /* [kernel_w][in_h][in_c] of the largest conv */
  gsize scratch_size;
};

QvizTapMeans *
qviz_tap_means_new (const QvizPlan *plan)
{
  QvizGraph *graph;
  QvizTapMeans *t;

  g_return_val_if_fail (plan != NULL, NULL);

  graph = qviz_plan_get_graph ((QvizPlan *) plan);
  if (graph->prequantized)
    return NULL;
  t = g_new0 (QvizTapMeans, 1);
  t->convs = g_array_new (FALSE, TRUE, sizeof (ConvTaps));
  t->n_nodes = (int) graph->nodes->len;
  t->by_node = g_new (int, MAX (t->n_nodes, 1));
  for (int i = 0; i < t->n_nodes; i++)
    {
      const QvizNode *n = qviz_graph_node (graph, i);
      ConvTaps ct = { 0 };

      t->by_node[i] = -1;
      if (n->op == QVIZ_OP_CONV && n->a.conv.weight_scales == NULL)
        {
          ct.in_c = n->a.conv.in_channels;
          ct.kernel_h = n->a.conv.kernel_h;
          ct.kernel_w = n->a.conv.kernel_w;
        }
      else if (n->op == QVIZ_OP_LINEAR)
        {
          ct.in_c = n->a.linear.in_features;
          ct.kernel_h = ct.kernel_w = 1;
        }
      else
        continue;
      ct.node = i;
      ct.sums = g_new0 (double, (gsize) ct.kernel_h * ct.kernel_w * ct.in_c);
      t->by_node[i] = (int) t->convs->len;
      g_array_append_val (t->convs, ct);
    }
  return t;
}

void
qviz_tap_means_free (QvizTapMeans *t)
{
  if (t == NULL)
    return;
  for (guint i = 0; i < t->convs->len; i++)
    g_free (g_array_index (t->convs, ConvTaps, i).sums);
  g_array_unref (t->convs);
  g_free (t->by_node);
  g_free (t->scratch);
  g_free (t);
}

/* The input row or column under tap k for output position o, or -1 in the
 * padding. */
static inline int
tap_source (int o, int stride, int pad, int k, int dilation, int size)
{
  const int i = o * stride - pad + k * dilation;
  return i >= 0 && i < size ? i : -1;
}

/* On x86-64 the row sums below are compiled for AVX-512 and AVX2 as well,
 * picked at load time: wider vectors of the same additions, each lane a
 * scalar's, so the sums are the same on every machine. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__ELF__)
#define TAP_CLONES __attribute__ ((target_clones ("avx512f", "avx2", "default")))
#else
#define TAP_CLONES
#endif

/* The sums over the columns under tap kw of one input row, into acc[in_c]:
 * each channel's from 0 and from left to right, the row read in memory
 * order. */
TAP_CLONES static void
sum_row_taps (double *restrict acc, const float *restrict xrow, const qvk_conv_shape *cs, int kw)
{
  const int in_c = cs->in_c, stride = cs->stride_w;
  const int offset = kw * cs->dilation_w - cs->pad_left;
  int lo = 0, hi = cs->out_w;   /* the columns whose tap kw is in the row */

  while (lo < hi && tap_source (lo, stride, cs->pad_left, kw, cs->dilation_w, cs->in_w) < 0)
    lo++;
  while (hi > lo && tap_source (hi - 1, stride, cs->pad_left, kw, cs->dilation_w, cs->in_w) < 0)
    hi--;
  memset (acc, 0, (gsize) in_c * sizeof (double));
  for (int ow = lo; ow < hi; ow++)
    {
      const float *restrict px = xrow + (gsize) (ow * stride + offset) * in_c;

      for (int c = 0; c < in_c; c++)
        acc[c] += px[c];
    }
}

void
qviz_tap_means_observe (QvizTapMeans *t, const QvizPlan *plan, int layer)
{
  const QvizLayer *l;
  ConvTaps *ct;
  qvk_conv_shape cs;
  const float *x;
  gsize row_len, need;
  int n_run = layer + 1;

  g_return_if_fail (plan != NULL);

  if (t == NULL)
    return;
  l = qviz_plan_layer (plan, layer);
  if (l->node->op != QVIZ_OP_CONV && l->node->op != QVIZ_OP_LINEAR)
    return;
  {
    const int node = (int) (l->node - &g_array_index (plan->graph->nodes, QvizNode, 0));
    if (node < 0 || node >= t->n_nodes || t->by_node[node] < 0)
      return;
    ct = &g_array_index (t->convs, ConvTaps, t->by_node[node]);
  }
  if (!qviz_plan_value_is_live (plan, l->node->inputs[0], n_run))
    return;
  /* a dense layer reads its input as rows of in_features, a 1x1
   * convolution over a 1 x rows image */
  if (l->node->op == QVIZ_OP_LINEAR)
    qviz_linear_conv_shape (plan, l, &cs);
  else if (qviz_shape_is_nhwc (&plan->shapes[l->node->inputs[0]]))
    qviz_conv_shape_from_node (plan, l->node, l->out_value, &cs);
  else
    return;
  if (cs.in_c != ct->in_c)
    return;
  x = plan->buffers[l->node->inputs[0]];

  /* Separable: first each input row's sum over the columns under tap kw,
   * then the rows under tap kh. */
  row_len = (gsize) cs.in_h * cs.in_c;
  need = (gsize) cs.kernel_w * row_len;
  if (need > t->scratch_size)
    {
      g_free (t->scratch);
      t->scratch = g_new (double, need);
      t->scratch_size = need;
    }
  for (int b = 0; b < cs.batch; b++)
    {
      const float *xb = x + (gsize) b * cs.in_h * cs.in_w * cs.in_c;

      for (int ih = 0; ih < cs.in_h; ih++)
        for (int kw = 0; kw < cs.kernel_w; kw++)
          sum_row_taps (t->scratch + kw * row_len + (gsize) ih * cs.in_c,
                        xb + (gsize) ih * cs.in_w * cs.in_c, &cs, kw);
      for (int kh = 0; kh < cs.kernel_h; kh++)
        for (int oh = 0; oh < cs.out_h; oh++)
          {
            const int ih = tap_source (oh, cs.stride_h, cs.pad_top, kh, cs.dilation_h, cs.in_h);
            if (ih < 0)
              continue;
            for (int kw = 0; kw < cs.kernel_w; kw++)
              {
                const double *row = t->scratch + kw * row_len + (gsize) ih * cs.in_c;
                double *sum = ct->sums + ((gsize) kh * cs.kernel_w + kw) * cs.in_c;
                for (int c = 0; c < cs.in_c; c++)
                  sum[c] += row[c];
              }
          }
      ct->positions += (double) cs.out_h * cs.out_w;
    }
}

void
qviz_tap_means_finish (QvizTapMeans *t, QvizGraph *graph)
{
  g_return_if_fail (graph != NULL);

  if (t == NULL)
    return;
  for (guint i = 0; i < t->convs->len; i++)
    {
      const ConvTaps *ct = &g_array_index (t->convs, ConvTaps, i);
      gsize n;
      float **means = node_means (qviz_graph_node (graph, ct->node), &n);

      g_clear_pointer (means, g_free);
      if (!(ct->positions > 0))
        continue;
      *means = g_new (float, n);
      for (gsize k = 0; k < n; k++)
        (*means)[k] = (float) (ct->sums[k] / ct->positions);
    }
}

void
qviz_bias_correct_conv (const QvizConvAttrs *c, const float *w, const float *scales,
                        const gint8 *q, float *bias)
{
  const int ic_per_group = c->in_channels / c->groups;
  const int oc_per_group = c->out_channels / c->groups;
  const gsize taps = (gsize) c->kernel_h * c->kernel_w;

  g_return_if_fail (c != NULL && bias != NULL);

  if (c->input_tap_mean == NULL)
    return;
  for (int oc = 0; oc < c->out_channels; oc++)
    {
      const int first_ic = (oc / oc_per_group) * ic_per_group;
      const gsize base = (gsize) oc * taps * ic_per_group;
      double shift = 0.0;

      for (gsize k = 0; k < taps; k++)
        {
          const float *mean = c->input_tap_mean + k * c->in_channels + first_ic;
          for (int j = 0; j < ic_per_group; j++)
            {
              const gsize i = base + k * ic_per_group + j;
              shift += ((double) w[i] - (double) scales[oc] * q[i]) * mean[j];
            }
        }
      if (isfinite (shift))
        bias[oc] += (float) shift;
    }
}

void
qviz_bias_correct_linear (const QvizLinearAttrs *a, const float *scales, const gint8 *q,
                          float *bias)
{
  g_return_if_fail (a != NULL && bias != NULL);

  if (a->input_mean == NULL)
    return;
  for (int o = 0; o < a->out_features; o++)
    {
      const gsize base = (gsize) o * a->in_features;
      double shift = 0.0;

      for (int i = 0; i < a->in_features; i++)
        shift += ((double) a->weights[base + i] - (double) scales[o] * q[base + i]) *
                 a->input_mean[i];
      if (isfinite (shift))
        bias[o] += (float) shift;
    }
}

/* ---- the calibration cache ------------------------------------------------ */

/* Each convolution and dense node in graph order: a guint32 count (0 or
 * its number of means), then that many floats. */

void
qviz_tap_means_save (const QvizGraph *graph, GByteArray *out)
{
  g_return_if_fail (graph != NULL && out != NULL);

  for (guint i = 0; i < graph->nodes->len; i++)
    {
      gsize expected;
      float **means = node_means (&g_array_index (graph->nodes, QvizNode, i), &expected);
      guint32 count;

      if (means == NULL)
        continue;
      count = *means != NULL ? (guint32) expected : 0u;
      g_byte_array_append (out, (const guint8 *) &count, sizeof count);
      if (count > 0)
        g_byte_array_append (out, (const guint8 *) *means, count * (guint) sizeof (float));
    }
}

gboolean
qviz_tap_means_restore (QvizGraph *graph, const guint8 *data, gsize size)
{
  gsize at = 0;

  g_return_val_if_fail (graph != NULL && (data != NULL || size == 0), FALSE);

  /* all of it checked before anything changes */
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      gsize expected;
      float **means = node_means (&g_array_index (graph->nodes, QvizNode, i), &expected);
      guint32 count;

      if (means == NULL)
        continue;
      if (size - at < sizeof count)
        return FALSE;
      memcpy (&count, data + at, sizeof count);
      at += sizeof count;
      if (count == 0)
        continue;
      if (count != expected || (size - at) / sizeof (float) < count)
        return FALSE;
      for (guint32 k = 0; k < count; k++)
        {
          float v;
          memcpy (&v, data + at + k * sizeof (float), sizeof v);
          if (!isfinite (v))
            return FALSE;
        }
      at += count * sizeof (float);
    }
  if (at != size)
    return FALSE;

  at = 0;
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      gsize expected;
      float **means = node_means (&g_array_index (graph->nodes, QvizNode, i), &expected);
      guint32 count;

      if (means == NULL)
        continue;
      memcpy (&count, data + at, sizeof count);
      at += sizeof count;
      g_clear_pointer (means, g_free);
      if (count == 0)
        continue;
      *means = g_memdup2 (data + at, count * sizeof (float));
      at += count * sizeof (float);
    }
  return TRUE;
}
