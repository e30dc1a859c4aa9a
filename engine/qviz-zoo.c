/* qviz-zoo.c: the built-in models, built layer by layer as torchvision
 * defines them.
 *
 * Node names follow torchvision's module hierarchy with '/' between levels:
 *
 *   - A Sequential's child keeps its container name and index joined by a dot,
 *     as torchvision prints it: "features.4", "block.1", "conv.2",
 *     "classifier.3".
 *   - The three children of a Conv2dNormActivation (torchvision indices 0, 1
 *     and 2) are written "conv", "bn" and "act":
 *     "backbone/features.4/block.1/conv", ".../bn", ".../act".
 *   - A SqueezeExcitation keeps its module names "avgpool", "fc1",
 *     "activation", "fc2", "scale_activation"; the product of the input and
 *     the scale is "mul": "backbone/features.4/block.2/mul".
 *   - A residual sum is "add" inside its block: "features.5/add".
 *   - MobileNetV2's projection is a bare Conv2d and BatchNorm2d and keeps its
 *     torchvision names: "features.3/conv.2" (conv), "features.3/conv.3" (bn).
 *   - Classifiers: "avgpool", "flatten", then the Linear and activation
 *     modules by their torchvision index ("classifier.0", "classifier.1",
 *     "classifier.3"); Dropout does nothing at inference and is left out.
 *   - Segmentation models put the backbone under "backbone/" and the head
 *     under "classifier/": "classifier/cbr/conv", "classifier/cbr/bn",
 *     "classifier/cbr/act", "classifier/scale/avgpool",
 *     "classifier/scale/conv", "classifier/scale/act", "classifier/mul",
 *     "classifier/upsample", "classifier/low_classifier",
 *     "classifier/high_classifier", "classifier/add", and the final resize to
 *     the input size "upsample".
 *   - The detector's multibox heads are "head/loc.I/{conv,permute,reshape}"
 *     and "head/conf.I/..." for scale I, and its outputs are "boxes" (the
 *     concatenated box offsets), "conf" (the concatenated logits) and
 *     "scores" (their sigmoid).
 *
 * Weights come from a GRand seeded from the model name.  Convolutions are
 * Kaiming-normal (std sqrt (2 / fan_in)), linear layers std sqrt (1 / in),
 * biases N(0, 0.01); BatchNorm gamma ~ U(0.8, 1.2) (a quarter of that on
 * the last BatchNorm of a residual branch, see zoo_damp_last_bn), beta ~
 * N(0, 0.05).  The
 * BatchNorm running statistics are those of the data reaching each layer
 * (measured once at build time, see zoo_fit_batchnorm) with a trained
 * model's spread around them, so the activations of a 60-layer network stay
 * within the range a trained one has (unit scale, no saturated sigmoids),
 * which the int8 calibration and the timing of the activation kernels need.
 */

#include "qviz-zoo.h"

#include <math.h>
#include <string.h>

/* Changing a model or its weights changes this, and so every model hash. */
#define ZOO_VERSION "zoo-2"

#define MNV3_BN_EPS 1e-3f   /* torchvision's MobileNetV3 norm_layer */
#define DEFAULT_BN_EPS 1e-5f

typedef struct {
  QvizGraph *g;
  GRand *rand;
  gboolean have_spare;
  double spare;  /* the second value of the last Box-Muller pair */
} Zoo;

static float
zoo_normal (Zoo *z, double std)
{
  double u1, u2, r;

  if (z->have_spare)
    {
      z->have_spare = FALSE;
      return (float) (std * z->spare);
    }
  /* Box-Muller; g_rand_double is in [0, 1), so 1 - u is never 0. */
  u1 = 1.0 - g_rand_double (z->rand);
  u2 = g_rand_double (z->rand);
  r = sqrt (-2.0 * log (u1));
  z->spare = r * sin (2.0 * G_PI * u2);
  z->have_spare = TRUE;
  return (float) (std * r * cos (2.0 * G_PI * u2));
}

static float *
zoo_normal_array (Zoo *z, gsize n, double mean, double std)
{
  float *a = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    a[i] = (float) mean + zoo_normal (z, std);
  return a;
}

static float *
zoo_uniform_array (Zoo *z, gsize n, double lo, double hi)
{
  float *a = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    a[i] = (float) g_rand_double_range (z->rand, lo, hi);
  return a;
}

/* A convolution with PyTorch's symmetric padding (k - 1) / 2 * dilation. */
static int
zoo_conv (Zoo *z, const char *name, int x, int in_c, int out_c, int k,
          int stride, int dilation, int groups, gboolean bias)
{
  QvizNode *n = qviz_graph_add_node (z->g, name, QVIZ_OP_CONV, &x, 1);
  QvizConvAttrs *c = &n->a.conv;
  int fan_in = k * k * (in_c / groups);
  int pad = (k - 1) / 2 * dilation;

  c->in_channels = in_c;
  c->out_channels = out_c;
  c->kernel_h = c->kernel_w = k;
  c->stride_h = c->stride_w = stride;
  c->dilation_h = c->dilation_w = dilation;
  c->pad_top = c->pad_left = c->pad_bottom = c->pad_right = pad;
  c->pad_mode = QVIZ_PAD_EXPLICIT;
  c->groups = groups;
  c->weights = zoo_normal_array (z, (gsize) out_c * k * k * (in_c / groups),
                                 0.0, sqrt (2.0 / fan_in));
  c->bias = bias ? zoo_normal_array (z, out_c, 0.0, 0.01) : NULL;
  c->act = qvk_activation_make (QVK_ACT_NONE);
  return n->output;
}

static int
zoo_bn (Zoo *z, const char *name, int x, int channels, float eps)
{
  QvizNode *n = qviz_graph_add_node (z->g, name, QVIZ_OP_BATCHNORM, &x, 1);
  QvizBatchNormAttrs *bn = &n->a.bn;

  bn->channels = channels;
  bn->gamma = zoo_uniform_array (z, channels, 0.8, 1.2);
  bn->beta = zoo_normal_array (z, channels, 0.0, 0.05);
  bn->mean = zoo_normal_array (z, channels, 0.0, 0.1);
  bn->var = zoo_uniform_array (z, channels, 0.8, 1.2);
  bn->eps = eps;
  return n->output;
}

/* Scales the gamma of the batchnorm just added.  Trained residual networks
 * keep their residual branches small against the identity path (the reason
 * for zero-initialised residual gammas in training); without that, a random
 * network amplifies every perturbation layer after layer, and its int8
 * error would measure that chaos rather than quantization. */
#define RESIDUAL_BN_GAMMA 0.25

static void
zoo_damp_last_bn (Zoo *z, double factor)
{
  for (int i = qviz_graph_n_nodes (z->g) - 1; i >= 0; i--)
    {
      QvizNode *n = qviz_graph_node (z->g, i);
      if (n->op == QVIZ_OP_BATCHNORM)
        {
          for (int c = 0; c < n->a.bn.channels; c++)
            n->a.bn.gamma[c] *= (float) factor;
          return;
        }
    }
}

static int
zoo_act (Zoo *z, const char *name, int x, qvk_activation act)
{
  QvizNode *n = qviz_graph_add_node (z->g, name, QVIZ_OP_ACTIVATION, &x, 1);

  n->a.act = act;
  return n->output;
}

static int
zoo_binary (Zoo *z, const char *name, QvizOp op, int a, int b)
{
  int in[2] = { a, b };

  return qviz_graph_add_node (z->g, name, op, in, 2)->output;
}

static int
zoo_global_avgpool (Zoo *z, const char *name, int x)
{
  return qviz_graph_add_node (z->g, name, QVIZ_OP_GLOBAL_AVGPOOL, &x, 1)->output;
}

static int
zoo_linear (Zoo *z, const char *name, int x, int in_f, int out_f)
{
  QvizNode *n = qviz_graph_add_node (z->g, name, QVIZ_OP_LINEAR, &x, 1);
  QvizLinearAttrs *l = &n->a.linear;

  l->in_features = in_f;
  l->out_features = out_f;
  l->weights = zoo_normal_array (z, (gsize) in_f * out_f, 0.0, sqrt (1.0 / in_f));
  l->bias = zoo_normal_array (z, out_f, 0.0, 0.01);
  l->act = qvk_activation_make (QVK_ACT_NONE);
  return n->output;
}

static int
zoo_resize_like (Zoo *z, const char *name, int x, int like)
{
  QvizNode *n = qviz_graph_add_node (z->g, name, QVIZ_OP_RESIZE, &x, 1);

  n->a.resize.mode = QVIZ_RESIZE_BILINEAR;
  n->a.resize.align_corners = FALSE;
  n->a.resize.target = QVIZ_RESIZE_LIKE;
  n->a.resize.like_value = like;
  return n->output;
}

/* torchvision's Conv2dNormActivation: conv (no bias), BatchNorm and an
 * optional activation (kind QVK_ACT_NONE for none). */
static int
zoo_cna (Zoo *z, const char *prefix, int x, int in_c, int out_c, int k,
         int stride, int dilation, int groups, qvk_activation act, float eps)
{
  g_autofree char *conv = g_strconcat (prefix, "/conv", NULL);
  g_autofree char *bn = g_strconcat (prefix, "/bn", NULL);
  g_autofree char *an = g_strconcat (prefix, "/act", NULL);

  x = zoo_conv (z, conv, x, in_c, out_c, k, stride, dilation, groups, FALSE);
  x = zoo_bn (z, bn, x, out_c, eps);
  if (act.kind != QVK_ACT_NONE)
    x = zoo_act (z, an, x, act);
  return x;
}

static qvk_activation
act_none (void)
{
  return qvk_activation_make (QVK_ACT_NONE);
}

static qvk_activation
act_relu6 (void)
{
  return qvk_activation_clip (0.0f, 6.0f);
}

/* torchvision's _make_divisible (v, 8). */
static int
make_divisible8 (double v)
{
  int r = MAX (8, (int) (v + 4.0) / 8 * 8);

  if (r < 0.9 * v)
    r += 8;
  return r;
}

/* ---- MobileNetV3-Large ------------------------------------------------ */

typedef struct {
  int in, kernel, expanded, out;
  gboolean se, hardswish;
  int stride;
  gboolean in_last_stage; /* takes dilation 2 in the dilated backbone */
} Mnv3Block;

/* torchvision _mobilenet_v3_conf ("mobilenet_v3_large"), reduced_tail off. */
static const Mnv3Block mnv3_large_blocks[] = {
  {  16, 3,  16,  16, FALSE, FALSE, 1, FALSE },
  {  16, 3,  64,  24, FALSE, FALSE, 2, FALSE },
  {  24, 3,  72,  24, FALSE, FALSE, 1, FALSE },
  {  24, 5,  72,  40, TRUE,  FALSE, 2, FALSE },
  {  40, 5, 120,  40, TRUE,  FALSE, 1, FALSE },
  {  40, 5, 120,  40, TRUE,  FALSE, 1, FALSE },
  {  40, 3, 240,  80, FALSE, TRUE,  2, FALSE },
  {  80, 3, 200,  80, FALSE, TRUE,  1, FALSE },
  {  80, 3, 184,  80, FALSE, TRUE,  1, FALSE },
  {  80, 3, 184,  80, FALSE, TRUE,  1, FALSE },
  {  80, 3, 480, 112, TRUE,  TRUE,  1, FALSE },
  { 112, 3, 672, 112, TRUE,  TRUE,  1, FALSE },
  { 112, 5, 672, 160, TRUE,  TRUE,  2, TRUE },
  { 160, 5, 960, 160, TRUE,  TRUE,  1, TRUE },
  { 160, 5, 960, 160, TRUE,  TRUE,  1, TRUE },
};

static int
mnv3_se (Zoo *z, const char *prefix, int x, int channels)
{
  int squeeze = make_divisible8 (channels / 4);
  g_autofree char *pool = g_strconcat (prefix, "/avgpool", NULL);
  g_autofree char *fc1 = g_strconcat (prefix, "/fc1", NULL);
  g_autofree char *relu = g_strconcat (prefix, "/activation", NULL);
  g_autofree char *fc2 = g_strconcat (prefix, "/fc2", NULL);
  g_autofree char *hsig = g_strconcat (prefix, "/scale_activation", NULL);
  g_autofree char *mul = g_strconcat (prefix, "/mul", NULL);
  int s;

  s = zoo_global_avgpool (z, pool, x);
  s = zoo_conv (z, fc1, s, channels, squeeze, 1, 1, 1, 1, TRUE);
  s = zoo_act (z, relu, s, qvk_activation_make (QVK_ACT_RELU));
  s = zoo_conv (z, fc2, s, squeeze, channels, 1, 1, 1, 1, TRUE);
  s = zoo_act (z, hsig, s, qvk_activation_make (QVK_ACT_HARDSIGMOID));
  return zoo_binary (z, mul, QVIZ_OP_MUL, x, s);
}

/* Builds features.0 .. features.16 under prefix ("" or "backbone/").
 * Returns the output of features.16; *low gets that of features.4 (C2,
 * output stride 8), which LR-ASPP reads. */
static int
mnv3_large_features (Zoo *z, const char *prefix, gboolean dilated, int *low)
{
  qvk_activation hs = qvk_activation_make (QVK_ACT_HARDSWISH);
  qvk_activation relu = qvk_activation_make (QVK_ACT_RELU);
  g_autofree char *stem = g_strconcat (prefix, "features.0", NULL);
  g_autofree char *last = g_strdup_printf ("%sfeatures.%d", prefix,
                                           (int) G_N_ELEMENTS (mnv3_large_blocks) + 1);
  int x;

  x = zoo_cna (z, stem, z->g->input, 3, 16, 3, 2, 1, 1, hs, MNV3_BN_EPS);
  for (guint i = 0; i < G_N_ELEMENTS (mnv3_large_blocks); i++)
    {
      const Mnv3Block *b = &mnv3_large_blocks[i];
      qvk_activation act = b->hardswish ? hs : relu;
      int dilation = dilated && b->in_last_stage ? 2 : 1;
      /* torchvision: a dilated block keeps stride 1 in its depthwise conv. */
      int stride = dilation > 1 ? 1 : b->stride;
      g_autofree char *base = g_strdup_printf ("%sfeatures.%u", prefix, i + 1);
      int k = 0, y = x;

      if (b->expanded != b->in)
        {
          g_autofree char *p = g_strdup_printf ("%s/block.%d", base, k++);
          y = zoo_cna (z, p, y, b->in, b->expanded, 1, 1, 1, 1, act, MNV3_BN_EPS);
        }
      {
        g_autofree char *p = g_strdup_printf ("%s/block.%d", base, k++);
        y = zoo_cna (z, p, y, b->expanded, b->expanded, b->kernel, stride, dilation,
                     b->expanded, act, MNV3_BN_EPS);
      }
      if (b->se)
        {
          g_autofree char *p = g_strdup_printf ("%s/block.%d", base, k++);
          y = mnv3_se (z, p, y, b->expanded);
        }
      {
        g_autofree char *p = g_strdup_printf ("%s/block.%d", base, k++);
        y = zoo_cna (z, p, y, b->expanded, b->out, 1, 1, 1, 1, act_none (), MNV3_BN_EPS);
        if (b->stride == 1 && b->in == b->out)
          zoo_damp_last_bn (z, RESIDUAL_BN_GAMMA);
      }
      if (b->stride == 1 && b->in == b->out)
        {
          g_autofree char *p = g_strconcat (base, "/add", NULL);
          y = zoo_binary (z, p, QVIZ_OP_ADD, y, x);
        }
      x = y;
      if (i + 1 == 4 && low != NULL)
        *low = x;
    }
  return zoo_cna (z, last, x, 160, 960, 1, 1, 1, 1, hs, MNV3_BN_EPS);
}

static void
build_lraspp (Zoo *z, gboolean dilated)
{
  const int low_c = 40, high_c = 960, inter = 128, classes = 21;
  int low = -1, high, x, s;

  high = mnv3_large_features (z, "backbone/", dilated, &low);

  x = zoo_cna (z, "classifier/cbr", high, high_c, inter, 1, 1, 1, 1,
               qvk_activation_make (QVK_ACT_RELU), DEFAULT_BN_EPS);
  s = zoo_global_avgpool (z, "classifier/scale/avgpool", high);
  s = zoo_conv (z, "classifier/scale/conv", s, high_c, inter, 1, 1, 1, 1, FALSE);
  s = zoo_act (z, "classifier/scale/act", s, qvk_activation_make (QVK_ACT_SIGMOID));
  x = zoo_binary (z, "classifier/mul", QVIZ_OP_MUL, x, s);
  x = zoo_resize_like (z, "classifier/upsample", x, low);
  low = zoo_conv (z, "classifier/low_classifier", low, low_c, classes, 1, 1, 1, 1, TRUE);
  x = zoo_conv (z, "classifier/high_classifier", x, inter, classes, 1, 1, 1, 1, TRUE);
  x = zoo_binary (z, "classifier/add", QVIZ_OP_ADD, low, x);
  x = zoo_resize_like (z, "upsample", x, z->g->input);
  qviz_graph_add_output (z->g, x);
}

static void
build_lraspp_mnv3 (Zoo *z)
{
  build_lraspp (z, TRUE);
}

static void
build_lraspp_mnv3_nodil (Zoo *z)
{
  build_lraspp (z, FALSE);
}

static int
flatten (Zoo *z, const char *name, int x)
{
  QvizNode *n = qviz_graph_add_node (z->g, name, QVIZ_OP_FLATTEN, &x, 1);

  n->a.axis = 1;
  return n->output;
}

static void
build_mnv3_large (Zoo *z)
{
  int x = mnv3_large_features (z, "", FALSE, NULL);

  x = zoo_global_avgpool (z, "avgpool", x);
  x = flatten (z, "flatten", x);
  x = zoo_linear (z, "classifier.0", x, 960, 1280);
  x = zoo_act (z, "classifier.1", x, qvk_activation_make (QVK_ACT_HARDSWISH));
  x = zoo_linear (z, "classifier.3", x, 1280, 1000);
  qviz_graph_add_output (z->g, x);
}

/* ---- MobileNetV2 ------------------------------------------------------ */

/* torchvision mobilenet_v2: expansion t, channels c, repeats n, stride s. */
static const int mnv2_settings[][4] = {
  { 1,  16, 1, 1 },
  { 6,  24, 2, 2 },
  { 6,  32, 3, 2 },
  { 6,  64, 4, 2 },
  { 6,  96, 3, 1 },
  { 6, 160, 3, 2 },
  { 6, 320, 1, 1 },
};

/* Builds features.0 .. features.18 under prefix; taps[i] gets the output of
 * features.i when taps is not NULL (taps has 19 entries). */
static int
mnv2_features (Zoo *z, const char *prefix, int *taps)
{
  g_autofree char *stem = g_strconcat (prefix, "features.0", NULL);
  int in_c = 32, idx = 1, x;

  x = zoo_cna (z, stem, z->g->input, 3, 32, 3, 2, 1, 1, act_relu6 (), DEFAULT_BN_EPS);
  if (taps)
    taps[0] = x;
  for (guint s = 0; s < G_N_ELEMENTS (mnv2_settings); s++)
    {
      int t = mnv2_settings[s][0], c = mnv2_settings[s][1];

      for (int r = 0; r < mnv2_settings[s][2]; r++, idx++)
        {
          int stride = r == 0 ? mnv2_settings[s][3] : 1;
          int hidden = in_c * t, k = 0, y = x;
          g_autofree char *base = g_strdup_printf ("%sfeatures.%d", prefix, idx);

          if (t != 1)
            {
              g_autofree char *p = g_strdup_printf ("%s/conv.%d", base, k++);
              y = zoo_cna (z, p, y, in_c, hidden, 1, 1, 1, 1, act_relu6 (), DEFAULT_BN_EPS);
            }
          {
            g_autofree char *p = g_strdup_printf ("%s/conv.%d", base, k++);
            y = zoo_cna (z, p, y, hidden, hidden, 3, stride, 1, hidden, act_relu6 (),
                         DEFAULT_BN_EPS);
          }
          {
            g_autofree char *pc = g_strdup_printf ("%s/conv.%d", base, k++);
            g_autofree char *pb = g_strdup_printf ("%s/conv.%d", base, k++);
            y = zoo_conv (z, pc, y, hidden, c, 1, 1, 1, 1, FALSE);
            y = zoo_bn (z, pb, y, c, DEFAULT_BN_EPS);
            if (stride == 1 && in_c == c)
              zoo_damp_last_bn (z, RESIDUAL_BN_GAMMA);
          }
          if (stride == 1 && in_c == c)
            {
              g_autofree char *p = g_strconcat (base, "/add", NULL);
              y = zoo_binary (z, p, QVIZ_OP_ADD, x, y);
            }
          x = y;
          in_c = c;
          if (taps)
            taps[idx] = x;
        }
    }
  {
    g_autofree char *last = g_strdup_printf ("%sfeatures.%d", prefix, idx);
    x = zoo_cna (z, last, x, in_c, 1280, 1, 1, 1, 1, act_relu6 (), DEFAULT_BN_EPS);
  }
  if (taps)
    taps[idx] = x;
  return x;
}

static void
build_mnv2 (Zoo *z)
{
  int x = mnv2_features (z, "", NULL);

  x = zoo_global_avgpool (z, "avgpool", x);
  x = flatten (z, "flatten", x);
  x = zoo_linear (z, "classifier.1", x, 1280, 1000);
  qviz_graph_add_output (z->g, x);
}

/* FaceBoxes-style multibox heads on three MobileNetV2 scales. */
static const struct {
  int feature, channels, anchors;
} faceboxes_sources[] = {
  {  6,   32, 21 },  /* stride 8: FaceBoxes' densified first scale */
  { 13,   96,  1 },  /* stride 16 */
  { 18, 1280,  1 },  /* stride 32 */
};

static int
multibox_head (Zoo *z, const char *prefix, int x, int in_c, int out_c, int per_anchor)
{
  g_autofree char *conv = g_strconcat (prefix, "/conv", NULL);
  g_autofree char *perm = g_strconcat (prefix, "/permute", NULL);
  g_autofree char *resh = g_strconcat (prefix, "/reshape", NULL);
  QvizNode *n;

  x = zoo_conv (z, conv, x, in_c, out_c, 3, 1, 1, 1, TRUE);
  n = qviz_graph_add_node (z->g, perm, QVIZ_OP_TRANSPOSE, &x, 1);
  n->a.perm[0] = 0;
  n->a.perm[1] = 2;
  n->a.perm[2] = 3;
  n->a.perm[3] = 1;
  x = n->output;
  n = qviz_graph_add_node (z->g, resh, QVIZ_OP_RESHAPE, &x, 1);
  n->a.reshape.rank = 3;
  n->a.reshape.dims[0] = 0;
  n->a.reshape.dims[1] = -1;
  n->a.reshape.dims[2] = per_anchor;
  return n->output;
}

static void
build_mnv2_faceboxes (Zoo *z)
{
  enum { N_SCALES = G_N_ELEMENTS (faceboxes_sources) };
  int taps[19], loc[N_SCALES], conf[N_SCALES];
  QvizNode *n;
  int boxes, logits;

  mnv2_features (z, "backbone/", taps);
  for (int i = 0; i < N_SCALES; i++)
    {
      int x = taps[faceboxes_sources[i].feature];
      int c = faceboxes_sources[i].channels, a = faceboxes_sources[i].anchors;
      g_autofree char *lp = g_strdup_printf ("head/loc.%d", i);
      g_autofree char *cp = g_strdup_printf ("head/conf.%d", i);

      loc[i] = multibox_head (z, lp, x, c, a * 4, 4);
      conf[i] = multibox_head (z, cp, x, c, a * 2, 2);
    }
  n = qviz_graph_add_node (z->g, "boxes", QVIZ_OP_CONCAT, loc, N_SCALES);
  n->a.axis = 1;
  boxes = n->output;
  n = qviz_graph_add_node (z->g, "conf", QVIZ_OP_CONCAT, conf, N_SCALES);
  n->a.axis = 1;
  logits = n->output;
  qviz_graph_add_output (z->g, boxes);
  qviz_graph_add_output (z->g, zoo_act (z, "scores", logits,
                                        qvk_activation_make (QVK_ACT_SIGMOID)));
}

/* ---- Single blocks ---------------------------------------------------- */

static void
build_conv5x5s2 (Zoo *z)
{
  int x = zoo_cna (z, "conv5x5s2", z->g->input, 3, 64, 5, 2, 1, 1,
                   qvk_activation_make (QVK_ACT_RELU), DEFAULT_BN_EPS);

  qviz_graph_add_output (z->g, x);
}

static void
build_dwsep5x5_dilated (Zoo *z, int dilation)
{
  const int c = 96;
  int x;

  x = zoo_cna (z, "depthwise", z->g->input, c, c, 5, 1, dilation, c,
               qvk_activation_make (QVK_ACT_RELU), DEFAULT_BN_EPS);
  x = zoo_cna (z, "pointwise", x, c, c, 1, 1, 1, 1, act_none (), DEFAULT_BN_EPS);
  qviz_graph_add_output (z->g, x);
}

static void
build_dwsep5x5 (Zoo *z)
{
  build_dwsep5x5_dilated (z, 1);
}

static void
build_dwsep5x5_d5 (Zoo *z)
{
  build_dwsep5x5_dilated (z, 5);
}

/* ---- BatchNorm statistics --------------------------------------------- */

/* A trained network's BatchNorm running statistics are those of the data
 * that reaches it.  Statistics drawn independently of the data let random
 * weights grow the activations block after block (a standard deviation over
 * 100 at the end of MobileNetV3).  So the statistics are measured: the graph
 * runs once in float on a N(0, 1) input of fit_res x fit_res, each BatchNorm
 * records the per-channel mean and variance of its input, and the drawn
 * values become a trained model's spread around them: running mean = mean +
 * N(0, 0.1) * std, running var = var * U(0.8, 1.2).  Deep models fit at
 * 512x512: at smaller sizes their last stages have too few pixels per channel
 * (and too much padding) for stable statistics.  Single blocks fit at
 * 128x128, which already gives thousands of pixels per channel.  Only the ops
 * that precede a BatchNorm in the built-in models are needed here; tensors
 * are NCHW, batch 1. */

/* First and last output index o in [0, out) with 0 <= o * stride + offset < in. */
static void
fit_valid_range (int out, int in, int stride, int offset, int *first, int *end)
{
  int lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int hi = in - 1 - offset < 0 ? -1 : (in - 1 - offset) / stride;

  *first = MIN (lo, out);
  *end = CLAMP (hi + 1, *first, out);
}

/* Pointwise convolutions hold most of the work.  Each step keeps a strip of
 * FIT_PX pixels of two output channels in registers across all input
 * channels, so the input is read once per pair of outputs. */
#define FIT_PX 16

static void
fit_conv_1x1 (const QvizConvAttrs *c, const float *in, float *out, gsize hw)
{
  gsize n_strips = (hw + FIT_PX - 1) / FIT_PX;
  int cin = c->in_channels, cout = c->out_channels;

#pragma omp parallel for schedule(static)
  for (gsize t = 0; t < n_strips; t++)
    {
      gsize start = t * FIT_PX, n = MIN ((gsize) FIT_PX, hw - start);

      for (int oc = 0; oc < cout; oc += 2)
        {
          const float *w0 = c->weights + (gsize) oc * cin;
          const float *w1 = oc + 1 < cout ? w0 + cin : w0;
          float b0 = c->bias ? c->bias[oc] : 0.0f;
          float b1 = c->bias && oc + 1 < cout ? c->bias[oc + 1] : 0.0f;
          float a0[FIT_PX], a1[FIT_PX];

          for (int j = 0; j < FIT_PX; j++)
            {
              a0[j] = b0;
              a1[j] = b1;
            }
          if (n == FIT_PX)
            for (int ic = 0; ic < cin; ic++)
              {
                const float *x = in + (gsize) ic * hw + start;
                for (int j = 0; j < FIT_PX; j++)
                  {
                    a0[j] += w0[ic] * x[j];
                    a1[j] += w1[ic] * x[j];
                  }
              }
          else
            for (int ic = 0; ic < cin; ic++)
              {
                const float *x = in + (gsize) ic * hw + start;
                for (gsize j = 0; j < n; j++)
                  {
                    a0[j] += w0[ic] * x[j];
                    a1[j] += w1[ic] * x[j];
                  }
              }
          memcpy (out + (gsize) oc * hw + start, a0, n * sizeof (float));
          if (oc + 1 < cout)
            memcpy (out + (gsize) (oc + 1) * hw + start, a1, n * sizeof (float));
        }
    }
}

static void
fit_conv (const QvizConvAttrs *c, const float *in, const QvizShape *is,
          float *out, const QvizShape *os)
{
  int ih = (int) is->dims[2], iw = (int) is->dims[3];
  int oh = (int) os->dims[2], ow = (int) os->dims[3];
  int cin_g = c->in_channels / c->groups, cout_g = c->out_channels / c->groups;

  if (c->kernel_h == 1 && c->kernel_w == 1 && c->stride_h == 1 && c->stride_w == 1 &&
      c->groups == 1 && c->pad_top == 0 && c->pad_left == 0)
    {
      fit_conv_1x1 (c, in, out, (gsize) ih * iw);
      return;
    }

  /* Output channels are independent, so the split over threads does not
   * change a single rounding. */
#pragma omp parallel for schedule(dynamic, 4)
  for (int oc = 0; oc < c->out_channels; oc++)
    {
      float *o = out + (gsize) oc * oh * ow;
      int g = oc / cout_g;
      float b = c->bias ? c->bias[oc] : 0.0f;

      for (int i = 0; i < oh * ow; i++)
        o[i] = b;
      for (int ky = 0; ky < c->kernel_h; ky++)
        for (int kx = 0; kx < c->kernel_w; kx++)
          {
            int y0, y1, x0, x1;
            int off_y = ky * c->dilation_h - c->pad_top;
            int off_x = kx * c->dilation_w - c->pad_left;

            fit_valid_range (oh, ih, c->stride_h, off_y, &y0, &y1);
            fit_valid_range (ow, iw, c->stride_w, off_x, &x0, &x1);
            for (int ic = 0; ic < cin_g; ic++)
              {
                const float *src = in + (gsize) (g * cin_g + ic) * ih * iw;
                float w = c->weights[(((gsize) oc * c->kernel_h + ky) * c->kernel_w + kx) *
                                     cin_g + ic];

                for (int oy = y0; oy < y1; oy++)
                  {
                    const float *row = src + (gsize) (oy * c->stride_h + off_y) * iw;
                    float *orow = o + (gsize) oy * ow;

                    if (c->stride_w == 1)
                      for (int ox = x0; ox < x1; ox++)
                        orow[ox] += w * row[ox + off_x];
                    else
                      for (int ox = x0; ox < x1; ox++)
                        orow[ox] += w * row[ox * c->stride_w + off_x];
                  }
              }
          }
    }
}

static void
fit_activation (const qvk_activation *a, const float *x, float *y, gsize n)
{
  float lo = a->min, hi = a->max, alpha = a->alpha, beta = a->beta;

  /* One loop per kind, so that each vectorizes. */
  switch (a->kind)
    {
    case QVK_ACT_RELU:
      for (gsize i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
      break;
    case QVK_ACT_CLIP:
      for (gsize i = 0; i < n; i++)
        y[i] = x[i] < lo ? lo : (x[i] > hi ? hi : x[i]);
      break;
    case QVK_ACT_HARDSWISH:
      for (gsize i = 0; i < n; i++)
        {
          float t = x[i] + 3.0f;
          t = t < 0.0f ? 0.0f : (t > 6.0f ? 6.0f : t);
          y[i] = x[i] * t * (1.0f / 6.0f);
        }
      break;
    case QVK_ACT_HARDSIGMOID:
      for (gsize i = 0; i < n; i++)
        {
          float t = alpha * x[i] + beta;
          y[i] = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
        }
      break;
    case QVK_ACT_SIGMOID:
      for (gsize i = 0; i < n; i++)
        y[i] = 1.0f / (1.0f + expf (-x[i]));
      break;
    case QVK_ACT_NONE:
    default:
      memcpy (y, x, n * sizeof (float));
      break;
    }
}

/* Measures the statistics of one BatchNorm's input and normalizes it. */
static void
fit_batchnorm (Zoo *z, QvizBatchNormAttrs *bn, const float *in, float *out, gsize hw)
{
  for (int ch = 0; ch < bn->channels; ch++)
    {
      const float *x = in + ch * hw;
      double sum = 0.0, sq = 0.0, mean, var;
      float scale, shift;
      float *y = out + ch * hw;

      for (gsize i = 0; i < hw; i++)
        sum += x[i];
      mean = sum / (double) hw;
      for (gsize i = 0; i < hw; i++)
        sq += (x[i] - mean) * (x[i] - mean);
      var = MAX (sq / (double) hw, 1e-4);

      /* The drawn mean ~ N(0, 0.1) and var ~ U(0.8, 1.2) become relative. */
      bn->mean[ch] = (float) (mean + bn->mean[ch] * sqrt (var));
      bn->var[ch] = (float) (var * bn->var[ch]);

      scale = (float) (bn->gamma[ch] / sqrt (bn->var[ch] + bn->eps));
      shift = bn->beta[ch] - bn->mean[ch] * scale;
      for (gsize i = 0; i < hw; i++)
        y[i] = x[i] * scale + shift;
    }
}

static void
zoo_fit_batchnorm (Zoo *z, int fit_res)
{
  QvizGraph *g = z->g;
  int n_values = qviz_graph_n_values (g), last_bn = -1;
  g_autofree QvizShape *shapes = g_new0 (QvizShape, n_values);
  g_autofree int *last_use = g_new (int, n_values);
  g_autofree float **buf = g_new0 (float *, n_values);
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) input_rand = g_rand_new_with_seed (g_rand_int (z->rand));
  gsize n_in;

  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    if (qviz_graph_node (g, i)->op == QVIZ_OP_BATCHNORM)
      last_bn = i;
  if (last_bn < 0)
    return;
  if (!qviz_graph_infer_shapes (g, 1, fit_res, fit_res, shapes, &error))
    g_error ("Built-in model '%s' does not fit %dx%d: %s", g->name, fit_res, fit_res,
             error->message);

  for (int v = 0; v < n_values; v++)
    last_use[v] = -1;
  for (int i = 0; i <= last_bn; i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      for (int k = 0; k < n->n_inputs; k++)
        last_use[n->inputs[k]] = i;
    }

  n_in = (gsize) qviz_shape_numel (&shapes[g->input]);
  buf[g->input] = g_new (float, n_in);
  {
    Zoo in_zoo = { g, input_rand, FALSE, 0.0 };
    for (gsize i = 0; i < n_in; i++)
      buf[g->input][i] = zoo_normal (&in_zoo, 1.0);
  }

  for (int i = 0; i <= last_bn; i++)
    {
      QvizNode *n = qviz_graph_node (g, i);
      const QvizShape *is = &shapes[n->inputs[0]], *os = &shapes[n->output];
      const float *x = buf[n->inputs[0]];
      gsize count = (gsize) qviz_shape_numel (os);
      gsize hw = (gsize) (os->dims[2] * os->dims[3]);
      float *y = g_new (float, count);

      g_assert (x != NULL && os->rank == 4);
      switch (n->op)
        {
        case QVIZ_OP_CONV:
          fit_conv (&n->a.conv, x, is, y, os);
          break;
        case QVIZ_OP_BATCHNORM:
          fit_batchnorm (z, &n->a.bn, x, y, hw);
          break;
        case QVIZ_OP_ACTIVATION:
          fit_activation (&n->a.act, x, y, count);
          break;
        case QVIZ_OP_ADD:
          g_assert (qviz_shape_numel (&shapes[n->inputs[1]]) == (int64_t) count);
          for (gsize k = 0; k < count; k++)
            y[k] = x[k] + buf[n->inputs[1]][k];
          break;
        case QVIZ_OP_MUL:
          /* x times a per-channel scale (N, C, 1, 1). */
          g_assert (qviz_shape_numel (&shapes[n->inputs[1]]) == os->dims[1]);
          for (int ch = 0; ch < os->dims[1]; ch++)
            {
              float sc = buf[n->inputs[1]][ch];
              for (gsize k = ch * hw; k < (ch + 1) * hw; k++)
                y[k] = x[k] * sc;
            }
          break;
        case QVIZ_OP_GLOBAL_AVGPOOL:
          {
            gsize ihw = (gsize) (is->dims[2] * is->dims[3]);
            for (int ch = 0; ch < os->dims[1]; ch++)
              {
                double sum = 0.0;
                for (gsize k = 0; k < ihw; k++)
                  sum += x[ch * ihw + k];
                y[ch] = (float) (sum / (double) ihw);
              }
          }
          break;
        default:
          g_error ("Node '%s' (%s) precedes a BatchNorm in built-in model '%s' and "
                   "cannot be evaluated while fitting its statistics.",
                   n->name, qviz_op_name (n->op), g->name);
        }
      buf[n->output] = y;
      for (int k = 0; k < n->n_inputs; k++)
        if (last_use[n->inputs[k]] == i)
          g_clear_pointer (&buf[n->inputs[k]], g_free);
    }
  for (int v = 0; v < n_values; v++)
    g_free (buf[v]);
}

/* ---- The table -------------------------------------------------------- */

static const QvizZooEntry zoo_entries[] = {
  { "lraspp-mnv3",
    "Semantic segmentation, 21 classes: torchvision's lraspp_mobilenet_v3_large. "
    "MobileNetV3-Large with its last stage dilated (depthwise 5x5, dilation 2, "
    "output stride 16) and the LR-ASPP head on features 4 and 16, upsampled "
    "bilinearly to the input size.", 512 },
  { "lraspp-mnv3-nodil",
    "The same LR-ASPP segmentation model on mobilenet_v3_large(dilated=False): "
    "the last stage keeps its stride 2 and dilation 1 (output stride 32), with "
    "the same layer list, channels and head.", 512 },
  { "mnv2-faceboxes",
    "Face detector: torchvision's MobileNetV2 features with FaceBoxes-style "
    "multibox heads (3x3 loc and conf convolutions) on features 6, 13 and 18 "
    "(strides 8, 16, 32) with 21, 1 and 1 anchors per location; outputs boxes "
    "(N x A x 4) and sigmoid scores (N x A x 2).", 512 },
  { "mnv3-large",
    "ImageNet classifier, 1000 classes: torchvision's mobilenet_v3_large.", 224 },
  { "mnv2",
    "ImageNet classifier, 1000 classes: torchvision's mobilenet_v2.", 224 },
  { "conv5x5s2",
    "Single block: 5x5 convolution 3->64, stride 2, padding 2, with BatchNorm "
    "and ReLU.", 512 },
  { "dwsep5x5",
    "Single block: depthwise 5x5 convolution over 96 channels (padding 2) with "
    "BatchNorm and ReLU, then a pointwise 96->96 convolution with BatchNorm.", 512 },
  { "dwsep5x5-d5",
    "Single block: depthwise 5x5 convolution over 96 channels with dilation 5 "
    "(padding 10) with BatchNorm and ReLU, then a pointwise 96->96 convolution "
    "with BatchNorm.", 512 },
};

static const struct {
  void (*build) (Zoo *z);
  int in_channels;
  int fit_res;    /* input size at which BatchNorm statistics are measured */
} zoo_builders[G_N_ELEMENTS (zoo_entries)] = {
  { build_lraspp_mnv3, 3, 512 },
  { build_lraspp_mnv3_nodil, 3, 512 },
  { build_mnv2_faceboxes, 3, 512 },
  { build_mnv3_large, 3, 512 },
  { build_mnv2, 3, 512 },
  { build_conv5x5s2, 3, 128 },
  { build_dwsep5x5, 96, 128 },
  { build_dwsep5x5_d5, 96, 128 },
};

const QvizZooEntry *
qviz_zoo_list (guint *n_entries)
{
  if (n_entries != NULL)
    *n_entries = G_N_ELEMENTS (zoo_entries);
  return zoo_entries;
}

/* ---- fitted statistics, made once ------------------------------------ */

/* Fitting the BatchNorm statistics runs the model in float: seconds for the
 * large models, the same result every time.  The statistics (each
 * BatchNorm's running mean and variance, a few kilobytes) are kept for the
 * process and in the user's cache folder, and a later build of the same
 * model and zoo version takes them instead of fitting again. */
#define FIT_CACHE_MAGIC "qvizbn01"

static GMutex fit_cache_lock;
static GHashTable *fit_cache; /* name -> GBytes */

static gsize
bn_stat_count (QvizGraph *g)
{
  gsize n = 0;

  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    if (qviz_graph_node (g, i)->op == QVIZ_OP_BATCHNORM)
      n += 2 * (gsize) qviz_graph_node (g, i)->a.bn.channels;
  return n;
}

static GBytes *
bn_stats_save (QvizGraph *g)
{
  GByteArray *b = g_byte_array_new ();

  g_byte_array_append (b, (const guint8 *) FIT_CACHE_MAGIC, 8);
  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      if (n->op != QVIZ_OP_BATCHNORM)
        continue;
      g_byte_array_append (b, (const guint8 *) n->a.bn.mean, n->a.bn.channels * sizeof (float));
      g_byte_array_append (b, (const guint8 *) n->a.bn.var, n->a.bn.channels * sizeof (float));
    }
  return g_byte_array_free_to_bytes (b);
}

/* FALSE, and nothing changed, unless the blob fits this graph exactly. */
static gboolean
bn_stats_restore (QvizGraph *g, GBytes *bytes)
{
  gsize size = 0, count = bn_stat_count (g);
  const guint8 *data = g_bytes_get_data (bytes, &size);
  const float *f;

  if (size != 8 + count * sizeof (float) || memcmp (data, FIT_CACHE_MAGIC, 8) != 0)
    return FALSE;
  f = (const float *) (data + 8);
  for (gsize k = 0; k < count; k++)
    if (!isfinite (f[k]))
      return FALSE;
  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      QvizNode *n = qviz_graph_node (g, i);
      if (n->op != QVIZ_OP_BATCHNORM)
        continue;
      for (int c = 0; c < n->a.bn.channels; c++)
        if (!(f[n->a.bn.channels + c] >= 0.0f))
          return FALSE;
      f += 2 * (gsize) n->a.bn.channels;
    }
  f = (const float *) (data + 8);
  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      QvizNode *n = qviz_graph_node (g, i);
      if (n->op != QVIZ_OP_BATCHNORM)
        continue;
      memcpy (n->a.bn.mean, f, n->a.bn.channels * sizeof (float));
      memcpy (n->a.bn.var, f + n->a.bn.channels, n->a.bn.channels * sizeof (float));
      f += 2 * (gsize) n->a.bn.channels;
    }
  return TRUE;
}

static char *
fit_cache_path (const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s@%s.bn", name, ZOO_VERSION);

  return g_build_filename (g_get_user_cache_dir (), "qviz", "zoo", file, NULL);
}

char *
qviz_zoo_fit_cache_path (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);
  return fit_cache_path (name);
}

void
qviz_zoo_forget_fits (void)
{
  g_mutex_lock (&fit_cache_lock);
  g_clear_pointer (&fit_cache, g_hash_table_unref);
  g_mutex_unlock (&fit_cache_lock);
}

/* Fits the statistics of a just-built model, or takes them from the cache. */
static void
zoo_fit_batchnorm_cached (Zoo *z, int fit_res)
{
  const char *name = z->g->name;
  g_autofree char *path = fit_cache_path (name);
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_mutex_lock (&fit_cache_lock);
  if (fit_cache != NULL && (bytes = g_hash_table_lookup (fit_cache, name)) != NULL)
    g_bytes_ref (bytes);
  g_mutex_unlock (&fit_cache_lock);
  if (bytes != NULL && bn_stats_restore (z->g, bytes))
    return;
  g_clear_pointer (&bytes, g_bytes_unref);

  if (g_file_get_contents (path, &contents, &length, NULL))
    {
      bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
      if (!bn_stats_restore (z->g, bytes))
        g_clear_pointer (&bytes, g_bytes_unref);
    }
  if (bytes == NULL)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      zoo_fit_batchnorm (z, fit_res);
      bytes = bn_stats_save (z->g);
      /* a cache: a folder that cannot be written only costs the next fit */
      if (g_mkdir_with_parents (dir, 0700) == 0)
        g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                             NULL);
    }
  g_mutex_lock (&fit_cache_lock);
  if (fit_cache == NULL)
    fit_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_bytes_unref);
  g_hash_table_replace (fit_cache, g_strdup (name), g_bytes_ref (bytes));
  g_mutex_unlock (&fit_cache_lock);
}

/* FNV-1a: a seed that depends only on the name, not on the table order. */
static guint32
seed_for_name (const char *name)
{
  guint32 h = 2166136261u;

  for (const char *p = name; *p; p++)
    h = (h ^ (guint8) *p) * 16777619u;
  return h;
}

QvizGraph *
qviz_zoo_build (const char *name, GError **error)
{
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (zoo_entries); i++)
    {
      const QvizZooEntry *e = &zoo_entries[i];
      g_autofree char *key = NULL;
      g_autofree char *sum = NULL;
      Zoo z = { 0 };

      if (strcmp (e->name, name) != 0)
        continue;

      z.g = qviz_graph_new (e->name, zoo_builders[i].in_channels);
      z.rand = g_rand_new_with_seed (seed_for_name (e->name));
      zoo_builders[i].build (&z);
      zoo_fit_batchnorm_cached (&z, zoo_builders[i].fit_res);
      g_rand_free (z.rand);

      g_free (z.g->source);
      z.g->source = g_strdup ("builtin");
      g_free (z.g->description);
      z.g->description = g_strdup (e->description);
      z.g->default_res = e->default_res;
      z.g->fixed_h = z.g->fixed_w = 0;
      key = g_strconcat ("builtin:", e->name, "@" ZOO_VERSION, NULL);
      sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
      g_strlcpy (z.g->sha256, sum, sizeof z.g->sha256);
      return z.g;
    }

  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
               "Unknown model '%s'; qviz-cli models lists the built-in models.", name);
  return NULL;
}
