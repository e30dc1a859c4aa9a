/* qviz-plan-keep-float.c: layers run in float inside an int8 plan.
 *
 * The user keeps a layer in float when its int8 error is too high; a layer
 * with no int8 kernel (layer normalization, a product of two computed
 * tensors, a general reduction, a comparison, a selection, a transposed
 * convolution) is always kept.  The
 * layer is built by the float builder against a "shadow" of the plan whose
 * buffers for that layer's inputs and output are float copies; a dequantize
 * layer fills the inputs from their int8 tensors before it, a quantize
 * layer writes its output back to int8 after it (not when the output is a
 * model output the plan holds in float).  The conversions are
 * layers of their own, so the time that accuracy costs is in plain view.
 */

#include "qviz-plan-private.h"
#include "qvk-elementwise.h"

#include <string.h>

typedef struct {
  QvizPlan shadow;      /* float view of the plan: own buffers array only */
  QvizLayer layer;      /* the float build of the kept layer */
  int n_inputs;
  float **inputs;       /* [n_inputs]: float copy of a runtime input, or NULL */
  float *output;
} KeepFloat;

static void
keep_float_free (gpointer data)
{
  KeepFloat *k = data;

  g_free (k->layer.info.kernel);
  g_free (k->layer.info.reason);
  g_clear_pointer (&k->layer.conv_f32, qvk_f32_conv_destroy);
  g_free (k->layer.weights);
  g_free (k->layer.bias);
  g_free (k->layer.bn_scale);
  g_free (k->layer.bn_shift);
  for (int i = 0; i < k->n_inputs; i++)
    g_free (k->inputs[i]);
  g_free (k->inputs);
  g_free (k->output);
  g_free (k->shadow.buffers);
  g_free (k);
}

static void
run_dequantize (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const KeepFloat *k = l->keep;

  for (int i = 0; i < k->n_inputs; i++)
    {
      int v = l->node->inputs[i];
      gsize begin, end;

      if (k->inputs[i] == NULL)
        continue;
      qviz_split_range ((gsize) qviz_shape_numel (&plan->shapes[v]), tid, nt, &begin, &end);
      qvk_qu8_dequantize ((qvk_isa) plan->isa, plan->quant[v].scale, plan->quant[v].zero_point,
                          plan->buffers[v], k->inputs[i], begin, end);
    }
}

static void
run_kept (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const KeepFloat *k = l->keep;

  k->layer.run (&k->shadow, &k->layer, tid, nt);
}

static void
run_quantize (const QvizPlan *plan, const QvizLayer *l, int tid, int nt)
{
  const KeepFloat *k = l->keep;
  int v = l->out_value;
  gsize begin, end;

  qviz_split_range ((gsize) qviz_shape_numel (&plan->shapes[v]), tid, nt, &begin, &end);
  qvk_qu8_quantize ((qvk_isa) plan->isa, plan->quant[v].scale, plan->quant[v].zero_point,
                    k->output, plan->buffers[v], begin, end);
}

/* A conversion layer beside kept layer l. */
static QvizLayer
conversion_layer (const QvizPlan *plan, const QvizLayer *l, KeepFloat *k, gboolean to_float)
{
  QvizLayer c = { 0 };

  c.node = l->node;
  c.out_value = to_float ? l->node->inputs[0] : l->out_value;
  c.pre_act_value = c.out_value;
  c.act = qvk_activation_make (QVK_ACT_NONE);
  c.keep = k;
  c.run = to_float ? run_dequantize : run_quantize;
  c.parallel = TRUE;
  c.info = l->info;
  c.info.name = g_strdup_printf ("%s:%s", l->info.name, to_float ? "dequantize" : "quantize");
  c.info.op = to_float ? "dequantize" : "quantize";
  c.info.kernel = g_strdup_printf ("qu8 %s %s", to_float ? "dequantize" : "quantize",
                                   qvk_elementwise_isa_name ((qvk_isa) plan->isa));
  c.info.reason = g_strdup (to_float ? "the next layer is kept in float"
                                     : "the layer before is kept in float");
  c.info.fused = g_strdup ("");
  c.info.in_shape = to_float ? l->info.in_shape : l->info.out_shape;
  c.info.out_shape = c.info.in_shape;
  c.info.kernel_h = c.info.kernel_w = c.info.stride_h = c.info.stride_w = 1;
  c.info.dilation_h = c.info.dilation_w = c.info.groups = 1;
  c.info.depthwise = c.info.dilated = FALSE;
  c.info.layer_class = QVIZ_LAYER_CLASS_OTHER;
  c.info.macs = c.info.params = 0;
  c.info.bytes = (guint64) qviz_shape_numel (&c.info.in_shape) * 5;
  c.info.float_kept = FALSE;
  c.info.conversion = TRUE;
  c.info.plan_ms = 0;   /* nothing is built for it */
  return c;
}

static gboolean
keep_layer (QvizPlan *plan, QvizLayer *l, GError **error)
{
  const QvizGraph *g = plan->graph;
  const QvizNode *n = l->node;
  KeepFloat *k = g_new0 (KeepFloat, 1);
  gint64 t0;
  int n_values = qviz_graph_n_values (g);

  k->shadow = *plan;
  k->shadow.config.precision = QVIZ_PRECISION_F32;
  k->shadow.config.keep_float = NULL;
  k->shadow.elem_size = 4;
  k->shadow.quant = NULL;
  k->shadow.weight_bytes = 0;
  k->shadow.buffers = g_new0 (void *, n_values);
  for (int v = 0; v < n_values; v++)
    if (qviz_graph_value (g, v)->data != NULL)
      k->shadow.buffers[v] = plan->buffers[v];
  k->n_inputs = n->n_inputs;
  k->inputs = g_new0 (float *, MAX (n->n_inputs, 1));
  for (int i = 0; i < n->n_inputs; i++)
    {
      int v = n->inputs[i];
      if (qviz_graph_value (g, v)->data != NULL)
        continue;
      k->inputs[i] = g_new0 (float, MAX (qviz_shape_numel (&plan->shapes[v]), 1));
      k->shadow.buffers[v] = k->inputs[i];
    }
  /* A model output the plan holds in float is written in place, with no
   * quantize layer after it. */
  if (plan->float_value[l->out_value])
    k->shadow.buffers[l->out_value] = plan->buffers[l->out_value];
  else
    {
      k->output = g_new0 (float, MAX (qviz_shape_numel (&plan->shapes[l->out_value]), 1));
      k->shadow.buffers[l->out_value] = k->output;
    }

  k->layer.node = l->node;
  k->layer.bn_node = l->bn_node;
  k->layer.act_node = l->act_node;
  k->layer.out_value = l->out_value;
  k->layer.pre_act_value = l->pre_act_value;
  k->layer.act = l->act;
  t0 = g_get_monotonic_time ();
  if (!qviz_plan_build_layer_f32 (&k->shadow, &k->layer, error))
    {
      keep_float_free (k);
      return FALSE;
    }
  l->info.plan_ms += (double) (g_get_monotonic_time () - t0) / 1e3;
  plan->weight_bytes += k->shadow.weight_bytes;

  /* The int8 build stays allocated but unused: the layer runs in float. */
  g_free (l->info.kernel);
  g_free (l->info.reason);
  l->info.kernel = g_strdup (k->layer.info.kernel);
  l->info.reason = g_strdup (qviz_plan_needs_float (plan->graph, n) ? "no int8 kernel: a float island"
                                                       : "kept in float by the user");
  l->info.float_kept = TRUE;
  l->keep = k;
  l->keep_free = keep_float_free;
  l->run = run_kept;
  l->parallel = k->layer.parallel;
  return TRUE;
}

gboolean
qviz_plan_keep_float (QvizPlan *plan, GError **error)
{
  const char *const *names = plan->config.keep_float;
  g_autoptr (GArray) layers = NULL;

  g_return_val_if_fail (plan->config.precision == QVIZ_PRECISION_INT8, FALSE);

  for (guint n = 0; names != NULL && names[n] != NULL; n++)
    {
      gboolean known = FALSE;
      for (guint i = 0; i < plan->layers->len && !known; i++)
        known = g_strcmp0 (qviz_plan_layer (plan, i)->info.name, names[n]) == 0;
      if (!known)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                       "Layer '%s' is not in model '%s'; 'qviz-cli info' lists its layers.",
                       names[n], plan->graph->name);
          return FALSE;
        }
    }

  layers = g_array_new (FALSE, TRUE, sizeof (QvizLayer));
  for (guint i = 0; i < plan->layers->len; i++)
    {
      QvizLayer *l = qviz_plan_layer (plan, i);
      gboolean keep = !l->alias &&
                      (qviz_plan_needs_float (plan->graph, l->node) ||
                       (names != NULL &&
                        g_strv_contains ((const char *const *) names, l->info.name)));

      if (keep)
        {
          if (!keep_layer (plan, l, error))
            return FALSE;
          {
            QvizLayer before = conversion_layer (plan, l, l->keep, TRUE);
            g_array_append_val (layers, before);
          }
        }
      g_array_append_val (layers, *l);
      if (keep && !plan->float_value[l->out_value])
        {
          QvizLayer after = conversion_layer (plan, l, l->keep, FALSE);
          g_array_append_val (layers, after);
        }
    }
  /* The layers moved to the new array: free the old one's storage only. */
  g_array_set_clear_func (plan->layers, NULL);
  g_array_unref (plan->layers);
  plan->layers = g_steal_pointer (&layers);
  g_array_set_clear_func (plan->layers, (GDestroyNotify) qviz_plan_layer_clear);
  return TRUE;
}
