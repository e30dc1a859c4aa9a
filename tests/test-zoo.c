/* test-zoo.c: the built-in models match their torchvision definitions.
 *
 * The expected parameter counts, layer counts, output shapes and
 * multiply-accumulate totals come from tools/zoo-reference.py, which builds
 * the same models with torchvision 0.14 (python3-torchvision) and counts the
 * MACs of every Conv2d and Linear with forward hooks (batch 1).
 */

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "qviz-plan.h"
#include "qviz-zoo.h"

#define N_SIZES 4
static const int sizes[N_SIZES][2] = { { 224, 224 }, { 256, 256 }, { 512, 512 }, { 320, 480 } };

typedef struct {
  const char *name;
  int in_channels;
  int default_res;
  guint64 params;     /* every parameter, BatchNorm gamma and beta included */
  guint64 bn_params;  /* 2 x channels of every BatchNorm */
  int convs, depthwise, dilated_depthwise, se_blocks;
  guint64 macs[N_SIZES];
  const char *outputs[N_SIZES]; /* output shapes, ';' between outputs */
} Expected;

/* Printed by `/usr/bin/python3 tools/zoo-reference.py`. */
static const Expected expected[] = {
  { "lraspp-mnv3", 3, 512, 3221538, 24656, 66, 15, 3, 8,
    { 379281312, 494888832, 1974665088, 1157705280 },
    { "1x21x224x224", "1x21x256x256", "1x21x512x512", "1x21x320x480" } },
  { "lraspp-mnv3-nodil", 3, 512, 3221538, 24656, 66, 15, 0, 8,
    { 222990912, 290754432, 1158127488, 679265280 },
    { "1x21x224x224", "1x21x256x256", "1x21x512x512", "1x21x320x480" } },
  { "mnv2-faceboxes", 3, 512, 2334602, 34112, 58, 17, 0, 0,
    { 332347008, 434085888, 1736343552, 1017388800 },
    { "1x16709x4;1x16709x2", "1x21824x4;1x21824x2", "1x87296x4;1x87296x2",
      "1x51150x4;1x51150x2" } },
  { "mnv3-large", 3, 224, 5483032, 24400, 62, 15, 0, 8,
    { 216589760, 281663360, 1114605440, 654752000 },
    { "1x1000", "1x1000", "1x1000", "1x1000" } },
  { "mnv2", 3, 224, 3504872, 34112, 52, 17, 0, 0,
    { 300774272, 392456192, 1565984768, 918099200 },
    { "1x1000", "1x1000", "1x1000", "1x1000" } },
  { "conv5x5s2", 3, 512, 4928, 128, 1, 0, 0, 0,
    { 60211200, 78643200, 314572800, 184320000 },
    { "1x64x112x112", "1x64x128x128", "1x64x256x256", "1x64x160x240" } },
  { "dwsep5x5", 96, 512, 12000, 384, 2, 1, 0, 0,
    { 582844416, 761266176, 3045064704, 1784217600 },
    { "1x96x224x224", "1x96x256x256", "1x96x512x512", "1x96x320x480" } },
  { "dwsep5x5-d5", 96, 512, 12000, 384, 2, 1, 1, 0,
    { 582844416, 761266176, 3045064704, 1784217600 },
    { "1x96x224x224", "1x96x256x256", "1x96x512x512", "1x96x320x480" } },
};

/* Each model is built once per run: building fits BatchNorm statistics. */
static QvizGraph *built[G_N_ELEMENTS (expected)];

static QvizGraph *
get_model (const Expected *e)
{
  guint i = (guint) (e - expected);

  if (built[i] == NULL)
    {
      g_autoptr (GError) error = NULL;
      built[i] = qviz_zoo_build (e->name, &error);
      g_assert_no_error (error);
      g_assert_nonnull (built[i]);
    }
  return built[i];
}

static const QvizNode *
find_node (const QvizGraph *g, const char *name)
{
  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    if (strcmp (qviz_graph_node (g, i)->name, name) == 0)
      return qviz_graph_node (g, i);
  g_error ("No node '%s' in model '%s'.", name, g->name);
  return NULL;
}

static QvizShape *
infer (const QvizGraph *g, int h, int w)
{
  g_autoptr (GError) error = NULL;
  QvizShape *shapes = g_new0 (QvizShape, qviz_graph_n_values (g));

  g_assert_true (qviz_graph_infer_shapes (g, 1, h, w, shapes, &error));
  g_assert_no_error (error);
  return shapes;
}

static void
test_list (void)
{
  static const char *const names[] = {
    "lraspp-mnv3", "lraspp-mnv3-nodil", "mnv2-faceboxes", "mnv3-large", "mnv2",
    "conv5x5s2", "dwsep5x5", "dwsep5x5-d5",
  };
  guint n = 0;
  const QvizZooEntry *list = qviz_zoo_list (&n);

  g_assert_cmpuint (n, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpstr (list[i].name, ==, names[i]);
      g_assert_cmpstr (list[i].name, ==, expected[i].name);
      g_assert_cmpint (list[i].default_res, ==, expected[i].default_res);
      g_assert_true (strlen (list[i].description) > 20);
    }
  /* The default model comes first. */
  g_assert_cmpstr (list[0].name, ==, "lraspp-mnv3");
  g_assert_nonnull (strstr (list[1].description, "dilated=False"));
}

static void
test_unknown (void)
{
  g_autoptr (GError) error = NULL;
  QvizGraph *g = qviz_zoo_build ("resnet50", &error);

  g_assert_null (g);
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==,
                   "Unknown model 'resnet50'; qviz-cli models lists the built-in models.");
}

static void
test_structure (gconstpointer data)
{
  const Expected *e = data;
  QvizGraph *g = get_model (e);
  g_autofree QvizShape *shapes = infer (g, 256, 256);
  guint64 bn = 0;
  int convs = 0, dw = 0, dil_dw = 0, se = 0;

  g_assert_cmpstr (g->name, ==, e->name);
  g_assert_cmpstr (g->source, ==, "builtin");
  g_assert_cmpint (g->in_channels, ==, e->in_channels);
  g_assert_cmpint (g->default_res, ==, e->default_res);
  g_assert_cmpint (g->fixed_h, ==, 0);
  g_assert_cmpint (g->fixed_w, ==, 0);
  g_assert_true (strlen (g->description) > 20);
  g_assert_cmpuint (strlen (g->sha256), ==, 64);
  for (int i = 0; i < 64; i++)
    g_assert_true (g_ascii_isxdigit (g->sha256[i]) && !g_ascii_isupper (g->sha256[i]));

  g_assert_cmpuint (qviz_graph_params (g), ==, e->params);
  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);

      g_assert_cmpint (n->node_index, ==, i);
      if (n->op == QVIZ_OP_BATCHNORM)
        {
          const QvizNode *prev = qviz_graph_node (g, qviz_graph_value (g, n->inputs[0])->producer);
          bn += 2 * (guint64) n->a.bn.channels;
          /* Every BatchNorm follows a convolution, so the planner can fold it. */
          g_assert_cmpint (prev->op, ==, QVIZ_OP_CONV);
          for (int c = 0; c < n->a.bn.channels; c++)
            g_assert_true (n->a.bn.var[c] > 0.0f && isfinite (n->a.bn.mean[c]));
        }
      if (n->op == QVIZ_OP_CONV)
        {
          convs++;
          if (qviz_node_is_depthwise (g, n, shapes))
            {
              dw++;
              if (qviz_node_is_dilated (n))
                dil_dw++;
            }
          else
            g_assert_false (qviz_node_is_dilated (n));
          /* PyTorch's symmetric padding. */
          g_assert_cmpint (n->a.conv.pad_top, ==, (n->a.conv.kernel_h - 1) / 2 * n->a.conv.dilation_h);
          g_assert_cmpint (n->a.conv.pad_bottom, ==, n->a.conv.pad_top);
          g_assert_cmpint (n->a.conv.pad_left, ==, n->a.conv.pad_top);
          g_assert_cmpint (n->a.conv.pad_right, ==, n->a.conv.pad_top);
        }
      if (n->op == QVIZ_OP_MUL)
        {
          const QvizValue *s = qviz_graph_value (g, n->inputs[1]);
          const QvizNode *sn = qviz_graph_node (g, s->producer);
          if (sn->op == QVIZ_OP_ACTIVATION && sn->a.act.kind == QVK_ACT_HARDSIGMOID)
            {
              se++;
              g_assert_true (g_str_has_suffix (n->name, "/mul"));
              /* The scale is one value per channel. */
              g_assert_cmpint (shapes[n->inputs[1]].dims[2], ==, 1);
              g_assert_cmpint (shapes[n->inputs[1]].dims[3], ==, 1);
            }
        }
      /* Names are hierarchical paths without empty parts. */
      g_assert_false (g_str_has_prefix (n->name, "/") || g_str_has_suffix (n->name, "/") ||
                      strstr (n->name, "//") != NULL);
    }
  g_assert_cmpuint (bn, ==, e->bn_params);
  g_assert_cmpint (convs, ==, e->convs);
  g_assert_cmpint (dw, ==, e->depthwise);
  g_assert_cmpint (dil_dw, ==, e->dilated_depthwise);
  g_assert_cmpint (se, ==, e->se_blocks);

  /* The hash names the model: two built-ins never share one. */
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (&expected[i] != e && built[i] != NULL)
      g_assert_cmpstr (built[i]->sha256, !=, g->sha256);
}

static void
test_shapes (gconstpointer data)
{
  const Expected *e = data;
  QvizGraph *g = get_model (e);

  for (int s = 0; s < N_SIZES; s++)
    {
      g_autofree QvizShape *shapes = infer (g, sizes[s][0], sizes[s][1]);
      g_auto (GStrv) want = g_strsplit (e->outputs[s], ";", -1);
      guint64 macs = 0;

      g_assert_cmpuint (g->outputs->len, ==, g_strv_length (want));
      for (guint o = 0; o < g->outputs->len; o++)
        {
          g_autofree char *got = qviz_shape_to_string (&shapes[g_array_index (g->outputs, int, o)]);
          g_assert_cmpstr (got, ==, want[o]);
        }
      for (int i = 0; i < qviz_graph_n_nodes (g); i++)
        macs += qviz_node_macs (g, qviz_graph_node (g, i), shapes);
      g_assert_cmpuint (macs, ==, e->macs[s]);
    }
}

static void
assert_value_shape (const QvizGraph *g, const QvizShape *shapes, const char *node,
                    const char *want)
{
  g_autofree char *got = qviz_shape_to_string (&shapes[find_node (g, node)->output]);

  g_assert_cmpstr (got, ==, want);
}

/* LR-ASPP reads features 4 (stride 8) and 16; the last stage is dilated in
 * one variant and strided in the other. */
static void
test_lraspp_wiring (void)
{
  QvizGraph *dil = get_model (&expected[0]);
  QvizGraph *nodil = get_model (&expected[1]);
  g_autofree QvizShape *sd = infer (dil, 512, 512);
  g_autofree QvizShape *sn = infer (nodil, 512, 512);
  const QvizNode *n;

  n = find_node (dil, "backbone/features.13/block.1/conv");
  g_assert_cmpint (n->a.conv.kernel_h, ==, 5);
  g_assert_cmpint (n->a.conv.dilation_h, ==, 2);
  g_assert_cmpint (n->a.conv.stride_h, ==, 1);
  g_assert_cmpint (n->a.conv.pad_top, ==, 4);
  g_assert_cmpint (n->a.conv.groups, ==, 672);
  n = find_node (nodil, "backbone/features.13/block.1/conv");
  g_assert_cmpint (n->a.conv.dilation_h, ==, 1);
  g_assert_cmpint (n->a.conv.stride_h, ==, 2);

  assert_value_shape (dil, sd, "backbone/features.4/block.3/bn", "1x40x64x64");
  assert_value_shape (dil, sd, "backbone/features.16/act", "1x960x32x32");
  assert_value_shape (nodil, sn, "backbone/features.16/act", "1x960x16x16");
  assert_value_shape (dil, sd, "classifier/mul", "1x128x32x32");
  assert_value_shape (dil, sd, "classifier/upsample", "1x128x64x64");
  assert_value_shape (dil, sd, "classifier/add", "1x21x64x64");

  n = find_node (dil, "classifier/upsample");
  g_assert_cmpint (n->a.resize.target, ==, QVIZ_RESIZE_LIKE);
  g_assert_cmpint (n->a.resize.mode, ==, QVIZ_RESIZE_BILINEAR);
  g_assert_false (n->a.resize.align_corners);
  g_assert_cmpint (n->a.resize.like_value, ==,
                   find_node (dil, "backbone/features.4/block.3/bn")->output);
  g_assert_cmpint (find_node (dil, "classifier/low_classifier")->inputs[0], ==,
                   find_node (dil, "backbone/features.4/block.3/bn")->output);
  n = find_node (dil, "upsample");
  g_assert_cmpint (n->a.resize.like_value, ==, dil->input);
  g_assert_cmpint (g_array_index (dil->outputs, int, 0), ==, n->output);

  /* The SE block of features.13 squeezes 672 channels to 168. */
  n = find_node (dil, "backbone/features.13/block.2/fc1");
  g_assert_cmpint (n->a.conv.in_channels, ==, 672);
  g_assert_cmpint (n->a.conv.out_channels, ==, 168);
  g_assert_nonnull (n->a.conv.bias);
  g_assert_cmpint (find_node (dil, "backbone/features.13/block.2/scale_activation")->a.act.kind,
                   ==, QVK_ACT_HARDSIGMOID);
  g_assert_cmpint (find_node (dil, "backbone/features.14/block.0/act")->a.act.kind,
                   ==, QVK_ACT_HARDSWISH);
  g_assert_cmpint (find_node (dil, "backbone/features.2/block.0/act")->a.act.kind,
                   ==, QVK_ACT_RELU);
  g_assert_cmpint (find_node (dil, "classifier/scale/act")->a.act.kind, ==, QVK_ACT_SIGMOID);
  g_assert_null (find_node (dil, "classifier/scale/conv")->a.conv.bias);
  /* Residuals: features 1, 3, 5, 6, 8, 9, 10, 12, 14, 15. */
  find_node (dil, "backbone/features.15/add");
  find_node (dil, "backbone/features.1/add");
}

static void
test_faceboxes_wiring (void)
{
  QvizGraph *g = get_model (&expected[2]);
  g_autofree QvizShape *s = infer (g, 512, 512);
  static const char *const taps[] = {
    "backbone/features.6/add", "backbone/features.13/add", "backbone/features.18/act",
  };
  static const int anchors[] = { 21, 1, 1 };

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *loc = g_strdup_printf ("head/loc.%d/conv", i);
      g_autofree char *conf = g_strdup_printf ("head/conf.%d/conv", i);
      g_autofree char *perm = g_strdup_printf ("head/loc.%d/permute", i);
      const QvizNode *l = find_node (g, loc), *c = find_node (g, conf), *p = find_node (g, perm);
      int tap = find_node (g, taps[i])->output;

      g_assert_cmpint (l->inputs[0], ==, tap);
      g_assert_cmpint (c->inputs[0], ==, tap);
      g_assert_cmpint (l->a.conv.out_channels, ==, anchors[i] * 4);
      g_assert_cmpint (c->a.conv.out_channels, ==, anchors[i] * 2);
      g_assert_cmpint (l->a.conv.kernel_h, ==, 3);
      g_assert_cmpint (p->a.perm[1], ==, 2);
      g_assert_cmpint (p->a.perm[3], ==, 1);
    }
  assert_value_shape (g, s, "backbone/features.6/add", "1x32x64x64");
  assert_value_shape (g, s, "backbone/features.13/add", "1x96x32x32");
  assert_value_shape (g, s, "backbone/features.18/act", "1x1280x16x16");
  assert_value_shape (g, s, "head/loc.0/permute", "1x64x64x84");
  g_assert_cmpint (find_node (g, "scores")->a.act.kind, ==, QVK_ACT_SIGMOID);
  g_assert_cmpstr (qviz_graph_value (g, g_array_index (g->outputs, int, 0))->name, ==, "boxes");
  g_assert_cmpstr (qviz_graph_value (g, g_array_index (g->outputs, int, 1))->name, ==, "scores");
}

static void
test_blocks (void)
{
  QvizGraph *c5 = get_model (&expected[5]);
  QvizGraph *d1 = get_model (&expected[6]);
  QvizGraph *d5 = get_model (&expected[7]);
  const QvizNode *n;

  n = find_node (c5, "conv5x5s2/conv");
  g_assert_cmpint (n->a.conv.kernel_h, ==, 5);
  g_assert_cmpint (n->a.conv.stride_h, ==, 2);
  g_assert_cmpint (n->a.conv.pad_top, ==, 2);
  g_assert_cmpint (find_node (c5, "conv5x5s2/act")->a.act.kind, ==, QVK_ACT_RELU);

  n = find_node (d1, "depthwise/conv");
  g_assert_cmpint (n->a.conv.dilation_h, ==, 1);
  g_assert_cmpint (n->a.conv.pad_top, ==, 2);
  g_assert_cmpint (n->a.conv.groups, ==, 96);
  n = find_node (d5, "depthwise/conv");
  g_assert_cmpint (n->a.conv.dilation_h, ==, 5);
  g_assert_cmpint (n->a.conv.dilation_w, ==, 5);
  g_assert_cmpint (n->a.conv.pad_top, ==, 10);
  /* The pointwise half has no activation. */
  g_assert_cmpint (qviz_graph_n_nodes (d5), ==, 5);
  g_assert_cmpint (qviz_graph_node (d5, 4)->op, ==, QVIZ_OP_BATCHNORM);
}

static guint32
graph_checksum (const QvizGraph *g)
{
  guint32 h = 2166136261u;

#define MIX(ptr, count) \
  for (gsize k_ = 0; (ptr) != NULL && k_ < (gsize) (count) * sizeof (float); k_++) \
    h = (h ^ ((const guint8 *) (ptr))[k_]) * 16777619u

  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      if (n->op == QVIZ_OP_CONV)
        {
          const QvizConvAttrs *c = &n->a.conv;
          MIX (c->weights, (gsize) c->out_channels * c->kernel_h * c->kernel_w *
                           (c->in_channels / c->groups));
          MIX (c->bias, c->out_channels);
        }
      else if (n->op == QVIZ_OP_BATCHNORM)
        {
          MIX (n->a.bn.gamma, n->a.bn.channels);
          MIX (n->a.bn.beta, n->a.bn.channels);
          MIX (n->a.bn.mean, n->a.bn.channels);
          MIX (n->a.bn.var, n->a.bn.channels);
        }
      else if (n->op == QVIZ_OP_LINEAR)
        {
          MIX (n->a.linear.weights, (gsize) n->a.linear.in_features * n->a.linear.out_features);
          MIX (n->a.linear.bias, n->a.linear.out_features);
        }
    }
#undef MIX
  return h;
}

/* The same name gives the same weights and statistics, bit for bit. */
static void
test_deterministic (void)
{
  static const char *const names[] = { "dwsep5x5-d5", "lraspp-mnv3" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (QvizGraph) a = qviz_zoo_build (names[i], NULL);
      g_autoptr (QvizGraph) b = qviz_zoo_build (names[i], NULL);

      g_assert_cmpuint (graph_checksum (a), ==, graph_checksum (b));
      g_assert_cmpstr (a->sha256, ==, b->sha256);
    }
  {
    g_autoptr (QvizGraph) a = qviz_zoo_build ("dwsep5x5", NULL);
    g_autoptr (QvizGraph) b = qviz_zoo_build ("dwsep5x5-d5", NULL);
    g_assert_cmpuint (graph_checksum (a), !=, graph_checksum (b));
  }
}

/* The fitted statistics are made once: a model built from the cache file,
 * or after a damaged file was refitted, is the model fitted afresh. */
static void
test_fit_cache (void)
{
  g_autofree char *path = qviz_zoo_fit_cache_path ("conv5x5s2");
  g_autoptr (GError) error = NULL;
  guint64 fitted, from_file, refitted;

  g_unlink (path);
  qviz_zoo_forget_fits ();
  {
    g_autoptr (QvizGraph) g = qviz_zoo_build ("conv5x5s2", &error);
    g_assert_no_error (error);
    fitted = graph_checksum (g);
  }
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  qviz_zoo_forget_fits ();
  {
    g_autoptr (QvizGraph) g = qviz_zoo_build ("conv5x5s2", &error);
    from_file = graph_checksum (g);
  }
  g_assert_cmpuint (from_file, ==, fitted);

  g_assert_true (g_file_set_contents (path, "qvizbn01 not statistics", -1, &error));
  qviz_zoo_forget_fits ();
  {
    g_autoptr (QvizGraph) g = qviz_zoo_build ("conv5x5s2", &error);
    refitted = graph_checksum (g);
  }
  g_assert_cmpuint (refitted, ==, fitted);
  {
    g_autofree char *contents = NULL;
    gsize length = 0;
    g_assert_true (g_file_get_contents (path, &contents, &length, &error));
    g_assert_cmpuint (length, >, 100);
  }
}

typedef struct {
  const QvizGraph *g;
  double min_std, max_std, max_abs;
  char *min_layer, *max_layer;
  gboolean finite;
} ActStats;

static void
on_layer (const QvizPlan *plan, int layer, gpointer user_data)
{
  ActStats *st = user_data;
  const QvizLayerInfo *info = qviz_plan_get_layer (plan, layer);
  gsize n = qviz_plan_get_layer_output (plan, layer, NULL);
  g_autofree float *buf = g_new (float, MAX (n, 1));
  double sum = 0.0, sq = 0.0, mx = 0.0, std;

  qviz_plan_get_layer_output (plan, layer, buf);
  for (gsize i = 0; i < n; i++)
    {
      if (!isfinite (buf[i]))
        st->finite = FALSE;
      sum += buf[i];
      sq += (double) buf[i] * buf[i];
      mx = MAX (mx, fabs (buf[i]));
    }
  std = n > 1 ? sqrt (MAX (sq / n - (sum / n) * (sum / n), 0.0)) : 0.0;
  st->max_abs = MAX (st->max_abs, mx);
  /* Spread is only meaningful for the feature maps of convolutions. */
  if (strcmp (info->op, "conv") == 0 && n > 1000)
    {
      if (std < st->min_std)
        {
          st->min_std = std;
          g_free (st->min_layer);
          st->min_layer = g_strdup (info->name);
        }
      if (std > st->max_std)
        {
          st->max_std = std;
          g_free (st->max_layer);
          st->max_layer = g_strdup (info->name);
        }
    }
}

/* With a N(0, 1) input, no layer's activations vanish or explode: what
 * random weights with BatchNorm statistics drawn independently of the data
 * do (a standard deviation of over 100 at the end of MobileNetV3). */
static void
test_activations (gconstpointer data)
{
  const Expected *e = data;
  QvizGraph *g = get_model (e);
  QvizPlanConfig cfg;
  g_autoptr (QvizPlan) plan = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  ActStats st = { g, G_MAXDOUBLE, 0.0, 0.0, NULL, NULL, TRUE };
  int res = e->default_res;
  gsize n_in = (gsize) g->in_channels * res * res;
  g_autofree float *input = g_new (float, n_in);

  for (gsize i = 0; i < n_in; i += 2)
    {
      double u1 = 1.0 - g_rand_double (rand), u2 = g_rand_double (rand);
      double r = sqrt (-2.0 * log (u1));
      input[i] = (float) (r * cos (2.0 * G_PI * u2));
      if (i + 1 < n_in)
        input[i + 1] = (float) (r * sin (2.0 * G_PI * u2));
    }

  qviz_plan_config_init (&cfg);
  cfg.precision = QVIZ_PRECISION_F32;
  cfg.height = cfg.width = res;
  cfg.threads = 2;
  plan = qviz_plan_new (g, &cfg, &error);
  g_assert_no_error (error);
  qviz_plan_set_input_nchw (plan, input);
  qviz_plan_run_with_callback (plan, on_layer, &st);

  g_test_message ("%s at %d: conv output std %.3g (%s) .. %.3g (%s), max |x| %.3g",
                  e->name, res, st.min_std, st.min_layer, st.max_std, st.max_layer,
                  st.max_abs);
  g_assert_true (st.finite);
  g_assert_cmpfloat (st.min_std, >, 0.05);
  g_assert_cmpfloat (st.max_std, <, 10.0);
  g_assert_cmpfloat (st.max_abs, <, 200.0);

  /* Sigmoid heads are not saturated. */
  if (strcmp (e->name, "mnv2-faceboxes") == 0)
    {
      const QvizShape *os = qviz_plan_get_output_shape (plan, 1);
      gsize n = (gsize) qviz_shape_numel (os), mid = 0;
      g_autofree float *scores = g_new (float, n);

      qviz_plan_get_output (plan, 1, scores);
      for (gsize i = 0; i < n; i++)
        {
          g_assert_true (scores[i] >= 0.0f && scores[i] <= 1.0f);
          mid += scores[i] > 0.02f && scores[i] < 0.98f;
        }
      g_assert_cmpfloat ((double) mid / n, >, 0.5);
    }
  g_free (st.min_layer);
  g_free (st.max_layer);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/zoo/list", test_list);
  g_test_add_func ("/zoo/unknown", test_unknown);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *s = g_strdup_printf ("/zoo/structure/%s", expected[i].name);
      g_autofree char *h = g_strdup_printf ("/zoo/shapes/%s", expected[i].name);
      g_test_add_data_func (s, &expected[i], test_structure);
      g_test_add_data_func (h, &expected[i], test_shapes);
    }
  g_test_add_func ("/zoo/lraspp-wiring", test_lraspp_wiring);
  g_test_add_func ("/zoo/faceboxes-wiring", test_faceboxes_wiring);
  g_test_add_func ("/zoo/blocks", test_blocks);
  g_test_add_func ("/zoo/deterministic", test_deterministic);
  g_test_add_func ("/zoo/fit-cache", test_fit_cache);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *a = g_strdup_printf ("/zoo/activations/%s", expected[i].name);
      g_test_add_data_func (a, &expected[i], test_activations);
    }

  ret = g_test_run ();
  for (guint i = 0; i < G_N_ELEMENTS (built); i++)
    g_clear_pointer (&built[i], qviz_graph_free);
  return ret;
}
