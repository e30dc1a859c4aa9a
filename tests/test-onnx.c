/* test-onnx.c: importing ONNX models -- float ones exported from PyTorch
 * and already-quantized ones -- and running them against the reference
 * outputs that tools/make-fixtures saved beside them.
 *
 * The float fixtures were exported with dynamic height and width; each is
 * run at its fixture size (compared with PyTorch's output: max abs error
 * below 1e-4 of the output's range) and planned and run again at a second
 * size.  The quantized fixtures carry their own scales; their references
 * were computed in numpy with those scales (see tools/make-fixtures).
 */

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "qviz-calibrate.h"
#include "qviz-npy.h"
#include "qviz-onnx.h"
#include "qviz-plan.h"

static char *
fixture (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
}

static QvizGraph *
load_fixture (const char *name)
{
  g_autofree char *file = g_strconcat (name, ".onnx", NULL);
  g_autofree char *path = fixture (file);
  g_autoptr (GError) error = NULL;
  QvizGraph *g = qviz_onnx_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (g);
  return g;
}

static const QvizNode *
find_node (const QvizGraph *g, const char *name)
{
  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    if (strcmp (qviz_graph_node (g, i)->name, name) == 0)
      return qviz_graph_node (g, i);
  return NULL;
}

static int
count_op (const QvizGraph *g, QvizOp op)
{
  int n = 0;

  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    n += qviz_graph_node (g, i)->op == op;
  return n;
}

static int
count_act (const QvizGraph *g, qvk_act kind)
{
  int n = 0;

  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      const QvizNode *node = qviz_graph_node (g, i);
      n += node->op == QVIZ_OP_ACTIVATION && node->a.act.kind == kind;
    }
  return n;
}

/* Largest absolute error of the last run_and_compare (), and the SQNR of
 * its first output against the reference. */
static double last_abs_error;
static double last_sqnr_db;

/* Runs the graph on NAME.input.npy and compares every output with
 * NAME.output[k].npy; returns the worst error relative to the output range. */
static double
run_and_compare (QvizGraph *g, const char *name, QvizPrecision precision)
{
  g_autofree char *in_file = g_strconcat (name, ".input.npy", NULL);
  g_autofree char *in_path = fixture (in_file);
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizPlan) plan = NULL;
  g_autofree float *input = NULL;
  QvizShape in_shape;
  QvizPlanConfig config;
  double worst = 0;

  last_abs_error = 0;
  input = qviz_npy_read (in_path, &in_shape, &error);
  g_assert_no_error (error);
  g_assert_cmpint (in_shape.rank, ==, 4);

  qviz_plan_config_init (&config);
  config.precision = precision;
  config.batch = (int) in_shape.dims[0];
  config.height = (int) in_shape.dims[2];
  config.width = (int) in_shape.dims[3];
  plan = qviz_plan_new (g, &config, &error);
  g_assert_no_error (error);
  qviz_plan_set_input_nchw (plan, input);
  qviz_plan_run (plan, NULL);

  for (int k = 0; k < qviz_plan_get_n_outputs (plan); k++)
    {
      g_autofree char *out_file = k == 0 ? g_strconcat (name, ".output.npy", NULL)
                                         : g_strdup_printf ("%s.output%d.npy", name, k);
      g_autofree char *out_path = fixture (out_file);
      g_autofree float *want = NULL, *got = NULL;
      QvizShape want_shape;
      const QvizShape *got_shape = qviz_plan_get_output_shape (plan, k);
      gsize n;
      float lo = INFINITY, hi = -INFINITY;
      double err = 0;

      want = qviz_npy_read (out_path, &want_shape, &error);
      g_assert_no_error (error);
      g_assert_cmpint (got_shape->rank, ==, want_shape.rank);
      for (int d = 0; d < want_shape.rank; d++)
        g_assert_cmpint (got_shape->dims[d], ==, want_shape.dims[d]);
      n = (gsize) qviz_shape_numel (&want_shape);
      got = g_new (float, n);
      qviz_plan_get_output (plan, k, got);
      for (gsize i = 0; i < n; i++)
        {
          lo = MIN (lo, want[i]);
          hi = MAX (hi, want[i]);
          err = MAX (err, fabs ((double) got[i] - want[i]));
        }
      g_assert_cmpfloat (hi - lo, >, 0);
      g_test_message ("%s output %d: max abs error %g over a range of %g", name, k, err,
                      (double) (hi - lo));
      worst = MAX (worst, err / (hi - lo));
      last_abs_error = MAX (last_abs_error, err);
      if (k == 0)
        {
          double signal = 0, noise = 0;
          for (gsize i = 0; i < n; i++)
            {
              signal += (double) want[i] * want[i];
              noise += ((double) got[i] - want[i]) * ((double) got[i] - want[i]);
            }
          last_sqnr_db = noise > 0 ? 10.0 * log10 (signal / noise) : INFINITY;
        }
    }
  return worst;
}

/* Plans and runs the graph at another size; the output must be finite. */
static void
run_at (QvizGraph *g, int h, int w)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizPlan) plan = NULL;
  g_autofree float *input = g_new (float, (gsize) g->in_channels * h * w);
  QvizPlanConfig config;

  for (gsize i = 0; i < (gsize) g->in_channels * h * w; i++)
    input[i] = (float) sin ((double) i * 0.37);
  qviz_plan_config_init (&config);
  config.height = h;
  config.width = w;
  plan = qviz_plan_new (g, &config, &error);
  g_assert_no_error (error);
  qviz_plan_set_input_nchw (plan, input);
  qviz_plan_run (plan, NULL);
  for (int k = 0; k < qviz_plan_get_n_outputs (plan); k++)
    {
      gsize n = (gsize) qviz_shape_numel (qviz_plan_get_output_shape (plan, k));
      g_autofree float *out = g_new (float, n);
      qviz_plan_get_output (plan, k, out);
      for (gsize i = 0; i < n; i++)
        g_assert_true (isfinite (out[i]));
    }
}

/* ---- float models ------------------------------------------------------------ */

static void
test_dw_dilated (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("dw-dilated");
  const QvizNode *dw;

  g_assert_cmpstr (g->name, ==, "dw-dilated");
  g_assert_cmpint (strlen (g->sha256), ==, 64);
  g_assert_true (g_str_has_suffix (g->source, "dw-dilated.onnx"));
  g_assert_cmpint (g->in_channels, ==, 3);
  g_assert_cmpint (g->fixed_h, ==, 0);
  g_assert_cmpint (g->fixed_w, ==, 0);
  g_assert_cmpint (g->default_res, ==, 224);
  g_assert_false (g->prequantized);
  /* Conv+BN are folded by the exporter; 3 convs and 2 relus stay. */
  g_assert_cmpint (count_op (g, QVIZ_OP_CONV), ==, 3);
  g_assert_cmpint (count_act (g, QVK_ACT_RELU), ==, 2);

  dw = NULL;
  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      if (n->op == QVIZ_OP_CONV && n->a.conv.groups > 1)
        dw = n;
      g_assert_false (n->name[0] == '/');
    }
  g_assert_nonnull (dw);
  g_assert_cmpint (dw->a.conv.groups, ==, 8);
  g_assert_cmpint (dw->a.conv.in_channels, ==, 8);
  g_assert_cmpint (dw->a.conv.kernel_h, ==, 5);
  g_assert_cmpint (dw->a.conv.dilation_h, ==, 5);
  g_assert_cmpint (dw->a.conv.dilation_w, ==, 5);
  g_assert_cmpint (dw->a.conv.pad_top, ==, 10);
  g_assert_cmpint (dw->a.conv.pad_right, ==, 10);
  g_assert_true (qviz_node_is_dilated (dw));
  g_assert_nonnull (find_node (g, "dw/Conv"));
  g_assert_nonnull (find_node (g, "stem/stem.0/Conv"));

  g_assert_cmpfloat (run_and_compare (g, "dw-dilated", QVIZ_PRECISION_F32), <, 1e-4);
  run_at (g, 50, 70);
}

static void
test_se_hardswish (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("se-hardswish");

  /* x * HardSigmoid(x) is one hardswish; the SE gate stays a hardsigmoid
   * multiplied into the features. */
  g_assert_cmpint (count_act (g, QVK_ACT_HARDSWISH), ==, 1);
  g_assert_cmpint (count_act (g, QVK_ACT_HARDSIGMOID), ==, 1);
  g_assert_cmpint (count_op (g, QVIZ_OP_GLOBAL_AVGPOOL), ==, 1);
  g_assert_cmpint (count_op (g, QVIZ_OP_MUL), ==, 1);
  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      if (n->op == QVIZ_OP_ACTIVATION && n->a.act.kind == QVK_ACT_HARDSIGMOID)
        {
          g_assert_cmpfloat_with_epsilon (n->a.act.alpha, 1.0 / 6.0, 1e-6);
          g_assert_cmpfloat_with_epsilon (n->a.act.beta, 0.5, 1e-6);
        }
    }
  g_assert_cmpfloat (run_and_compare (g, "se-hardswish", QVIZ_PRECISION_F32), <, 1e-4);
  run_at (g, 17, 33);
}

static void
test_resize_concat (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("resize-concat");
  int like = 0, scales = 0, align = 0;

  g_assert_cmpint (count_op (g, QVIZ_OP_RESIZE), ==, 4);
  g_assert_cmpint (count_op (g, QVIZ_OP_CONCAT), ==, 1);
  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      if (n->op != QVIZ_OP_RESIZE)
        continue;
      if (n->a.resize.target == QVIZ_RESIZE_LIKE)
        like++;
      if (n->a.resize.target == QVIZ_RESIZE_SCALES)
        {
          scales++;
          g_assert_cmpint (n->a.resize.mode, ==, QVIZ_RESIZE_NEAREST);
          g_assert_cmpfloat (n->a.resize.scale_h, ==, 2.0f);
        }
      align += n->a.resize.align_corners;
    }
  /* Sizes taken from Shape() of other maps became "like" targets. */
  g_assert_cmpint (like, ==, 3);
  g_assert_cmpint (scales, ==, 1);
  g_assert_cmpint (align, ==, 1);
  g_assert_cmpfloat (run_and_compare (g, "resize-concat", QVIZ_PRECISION_F32), <, 1e-4);
  run_at (g, 64, 80);
}

static void
test_faceboxes_head (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("faceboxes-head");

  g_assert_cmpint (g->outputs->len, ==, 2);
  g_assert_cmpint (count_op (g, QVIZ_OP_TRANSPOSE), ==, 4);
  g_assert_cmpint (count_op (g, QVIZ_OP_SOFTMAX), ==, 1);
  g_assert_cmpint (count_op (g, QVIZ_OP_MAXPOOL), ==, 1);
  /* Reshapes built from Shape(x)[0] keep the batch (0) and infer the rest. */
  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      if (n->op == QVIZ_OP_RESHAPE)
        for (int d = 0; d < n->a.reshape.rank; d++)
          g_assert_true (n->a.reshape.dims[d] >= -1);
    }
  g_assert_cmpfloat (run_and_compare (g, "faceboxes-head", QVIZ_PRECISION_F32), <, 1e-4);
  run_at (g, 64, 48);
}

static void
test_lraspp_small (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("lraspp-small");
  int dilated_dw = 0;

  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      if (n->op == QVIZ_OP_CONV && n->a.conv.groups > 1 && qviz_node_is_dilated (n))
        dilated_dw++;
    }
  /* The dilated last stage of MobileNetV3-Large: three dw convs, dilation 2. */
  g_assert_cmpint (dilated_dw, ==, 3);
  g_assert_cmpint (count_act (g, QVK_ACT_HARDSWISH), >=, 10);
  g_assert_cmpint (count_op (g, QVIZ_OP_RESIZE), ==, 2);
  g_assert_cmpfloat (run_and_compare (g, "lraspp-small", QVIZ_PRECISION_F32), <, 1e-4);
  run_at (g, 128, 160);
}

static void
test_classifier (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("classifier");
  const QvizNode *fc1 = find_node (g, "fc1/Gemm");
  const QvizNode *fc2 = find_node (g, "fc2/MatMul");
  const QvizNode *sq = find_node (g, "Squeeze");

  g_assert_nonnull (fc1);
  g_assert_nonnull (fc2);
  g_assert_nonnull (sq);
  g_assert_cmpint (fc1->op, ==, QVIZ_OP_LINEAR);
  g_assert_cmpint (fc1->a.linear.in_features, ==, 16);
  g_assert_cmpint (fc1->a.linear.out_features, ==, 12);
  g_assert_nonnull (fc1->a.linear.bias);
  g_assert_cmpint (fc2->a.linear.in_features, ==, 12);
  g_assert_cmpint (fc2->a.linear.out_features, ==, 6);
  g_assert_null (fc2->a.linear.bias);
  g_assert_cmpint (count_op (g, QVIZ_OP_FLATTEN), ==, 1);
  /* Unsqueeze and Squeeze became reshapes with resolved dims. */
  g_assert_cmpint (count_op (g, QVIZ_OP_RESHAPE), ==, 2);
  g_assert_cmpint (sq->op, ==, QVIZ_OP_RESHAPE);
  g_assert_cmpint (sq->a.reshape.rank, ==, 2);
  g_assert_cmpfloat (run_and_compare (g, "classifier", QVIZ_PRECISION_F32), <, 1e-4);
  run_at (g, 33, 9);
}

/* Tanh, LeakyRelu, PRelu (one slope), Elu, Softplus and Erf (the exact
 * GELU): float within 1e-4 of the range, int8 by lookup tables. */
static void
test_activations (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("activations");
  g_autoptr (GError) error = NULL;
  g_autofree char *input = fixture ("activations.input.npy");
  const qvk_act kinds[] = { QVK_ACT_TANH, QVK_ACT_LEAKY_RELU, QVK_ACT_ELU, QVK_ACT_SOFTPLUS,
                            QVK_ACT_ERF };
  QvizCalibrationConfig cc;
  double int8_error;

  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    g_assert_cmpint (count_act (g, kinds[k]), >=, 1);
  /* LeakyRelu and the PRelu of one slope. */
  g_assert_cmpint (count_act (g, QVK_ACT_LEAKY_RELU), ==, 2);
  g_assert_cmpfloat (run_and_compare (g, "activations", QVIZ_PRECISION_F32), <, 1e-4);

  qviz_calibration_config_init (&cc);
  cc.source = input;
  cc.height = 12;
  cc.width = 16;
  g_assert_true (qviz_calibrate (g, &cc, &error));
  g_assert_no_error (error);
  int8_error = run_and_compare (g, "activations", QVIZ_PRECISION_INT8);
  g_test_message ("activations: int8 error %.4f of the output range", int8_error);
  /* Calibrated on the input itself, eight quantized steps in a row: the
   * worst pixel within a few percent of the range. */
  g_assert_cmpfloat (int8_error, <, 0.08);
}

/* ReduceMean over height and width, kept (squeeze-excite) and dropped
 * (MnasNet's head): the global average pool, then a flatten. */
static void
test_reduce_mean (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("reduce-mean");
  g_autoptr (GError) error = NULL;
  g_autofree char *input = fixture ("reduce-mean.input.npy");
  QvizCalibrationConfig cc;
  double int8_error;

  g_assert_cmpint (count_op (g, QVIZ_OP_GLOBAL_AVGPOOL), ==, 2);
  g_assert_cmpint (count_op (g, QVIZ_OP_FLATTEN), ==, 1);
  g_assert_cmpfloat (run_and_compare (g, "reduce-mean", QVIZ_PRECISION_F32), <, 1e-4);
  run_at (g, 33, 17);

  qviz_calibration_config_init (&cc);
  cc.source = input;
  cc.height = 20;
  cc.width = 24;
  g_assert_true (qviz_calibrate (g, &cc, &error));
  g_assert_no_error (error);
  int8_error = run_and_compare (g, "reduce-mean", QVIZ_PRECISION_INT8);
  g_test_message ("reduce-mean: int8 error %.4f of the output range", int8_error);
  g_assert_cmpfloat (int8_error, <, 0.05);
}

/* Reflect, edge and constant padding, a negative pad (a crop) and the Pad
 * PyTorch writes before an AveragePool that counts the padding. */
static void
test_pads (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("pads");
  g_autoptr (GError) error = NULL;
  g_autofree char *input = fixture ("pads.input.npy");
  QvizCalibrationConfig cc;
  const QvizNode *crop = find_node (g, "Pad_2");
  double int8_error;

  g_assert_cmpint (count_op (g, QVIZ_OP_PAD), ==, 4);
  {
    QvizPlanConfig pc;
    g_autoptr (QvizPlan) plan = NULL;
    qviz_plan_config_init (&pc);
    pc.height = 10;
    pc.width = 14;
    plan = qviz_plan_new (g, &pc, &error);
    g_assert_no_error (error);
    for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
      if (strcmp (qviz_plan_get_layer (plan, i)->op, "pad") == 0)
        g_assert_cmpint (qviz_plan_get_layer (plan, i)->layer_class, ==,
                         QVIZ_LAYER_CLASS_DATA_MOVEMENT);
  }
  g_assert_nonnull (crop);
  g_assert_cmpint (crop->a.pad.fill, ==, QVIZ_PAD_FILL_CONSTANT);
  g_assert_cmpint (crop->a.pad.left, ==, -1);
  g_assert_cmpint (crop->a.pad.bottom, ==, -2);
  g_assert_cmpfloat (crop->a.pad.value, ==, 0.5f);
  g_assert_cmpfloat (run_and_compare (g, "pads", QVIZ_PRECISION_F32), <, 1e-4);
  run_at (g, 16, 9);

  qviz_calibration_config_init (&cc);
  cc.source = input;
  cc.height = 10;
  cc.width = 14;
  g_assert_true (qviz_calibrate (g, &cc, &error));
  g_assert_no_error (error);
  int8_error = run_and_compare (g, "pads", QVIZ_PRECISION_INT8);
  g_test_message ("pads: int8 error %.4f of the output range", int8_error);
  g_assert_cmpfloat (int8_error, <, 0.05);
}

/* Softmax over channels (innermost in memory) and height (strided),
 * log-softmax over width: float and int8. */
static void
test_softmax_axes (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("softmax-axes");
  g_autoptr (GError) error = NULL;
  g_autofree char *input = fixture ("softmax-axes.input.npy");
  QvizCalibrationConfig cc;
  double int8_error;

  g_assert_cmpint (count_op (g, QVIZ_OP_SOFTMAX), ==, 2);
  g_assert_cmpint (count_op (g, QVIZ_OP_LOG_SOFTMAX), ==, 1);
  {
    /* Softmax layers are of the attention class; the flame chart colours
     * them so. */
    QvizPlanConfig pc;
    g_autoptr (QvizPlan) plan = NULL;
    int attention = 0;
    qviz_plan_config_init (&pc);
    pc.height = 7;
    pc.width = 9;
    plan = qviz_plan_new (g, &pc, &error);
    g_assert_no_error (error);
    for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
      {
        const QvizLayerInfo *li = qviz_plan_get_layer (plan, i);
        if (strstr (li->op, "softmax") != NULL)
          {
            g_assert_cmpint (li->layer_class, ==, QVIZ_LAYER_CLASS_ATTENTION);
            attention++;
          }
      }
    g_assert_cmpint (attention, ==, 3);
  }
  g_assert_cmpfloat (run_and_compare (g, "softmax-axes", QVIZ_PRECISION_F32), <, 1e-4);
  run_at (g, 5, 12);
  qviz_calibration_config_init (&cc);
  cc.source = input;
  cc.height = 7;
  cc.width = 9;
  g_assert_true (qviz_calibrate (g, &cc, &error));
  g_assert_no_error (error);
  int8_error = run_and_compare (g, "softmax-axes", QVIZ_PRECISION_INT8);
  g_test_message ("softmax-axes: int8 error %.4f of the output range", int8_error);
  g_assert_cmpfloat (int8_error, <, 0.05);
}

/* torchvision's DenseNet and MNASNet at reduced widths and an InceptionA
 * block, random weights: float parity, and the int8 output's SQNR against
 * PyTorch's float output, calibrated on the fixture's input. */
static void
check_torchvision_fixture (gconstpointer data)
{
  const char *name = data;
  g_autoptr (QvizGraph) g = load_fixture (name);
  g_autoptr (GError) error = NULL;
  g_autofree char *in_file = g_strconcat (name, ".input.npy", NULL);
  g_autofree char *input = fixture (in_file);
  g_autofree float *x = NULL;
  QvizShape xs;
  QvizCalibrationConfig cc;

  g_assert_cmpfloat (run_and_compare (g, name, QVIZ_PRECISION_F32), <, 1e-4);
  x = qviz_npy_read (input, &xs, &error);
  g_assert_no_error (error);
  qviz_calibration_config_init (&cc);
  cc.source = input;
  cc.height = (int) xs.dims[2];
  cc.width = (int) xs.dims[3];
  g_assert_true (qviz_calibrate (g, &cc, &error));
  g_assert_no_error (error);
  run_and_compare (g, name, QVIZ_PRECISION_INT8);
  g_test_message ("%s: int8 output SQNR %.1f dB", name, last_sqnr_db);
  /* 8-bit activations through 20 to 50 layers: well above noise. */
  g_assert_cmpfloat (last_sqnr_db, >, 15.0);
}

/* ShuffleNetV2: the channel split is a Slice of the feature map, the
 * shuffle a 5-D Reshape, Transpose and Reshape back to a feature map whose
 * height and width come from another value's Shape. */
static void
test_shufflenet (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("shufflenet-small");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizPlan) plan = NULL;
  QvizPlanConfig config;
  int five_d = 0;

  /* 16 blocks: one shuffle each; the 12 that are not first in a stage split. */
  g_assert_cmpint (count_op (g, QVIZ_OP_TRANSPOSE), ==, 16);
  g_assert_cmpint (count_op (g, QVIZ_OP_SLICE), ==, 2 * 13);
  for (int i = 0; i < qviz_graph_n_nodes (g); i++)
    {
      const QvizNode *n = qviz_graph_node (g, i);
      five_d += n->op == QVIZ_OP_RESHAPE && n->a.reshape.rank == 5;
    }
  g_assert_cmpint (five_d, ==, 16);
  check_torchvision_fixture ("shufflenet-small");

  /* Another size and batch than the export's: the reshapes follow it. */
  qviz_plan_config_init (&config);
  config.batch = 3;
  config.height = 40;
  config.width = 88;
  plan = qviz_plan_new (g, &config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (qviz_plan_get_output_shape (plan, 0)->dims[0], ==, 3);
  g_assert_cmpint (qviz_plan_get_output_shape (plan, 0)->dims[1], ==, 10);
}

/* ConvNeXt: every LayerNorm becomes one layer_norm node, whether the file
 * has LayerNormalization (opset 17) or the ReduceMean / Sub / Pow / Sqrt /
 * Div chain (opset 13); in int8 each runs as a float island between a
 * dequantize and a quantize layer. */
static void
check_convnext (gconstpointer data)
{
  const char *name = data;
  g_autoptr (QvizGraph) g = load_fixture (name);
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizPlan) plan = NULL;
  g_autofree char *in_file = g_strconcat (name, ".input.npy", NULL);
  g_autofree char *input = fixture (in_file);
  QvizCalibrationConfig cc;
  QvizPlanConfig config;
  int islands = 0, quantize = 0;

  /* the stem's, one per block (3), the downsampling's, the classifier's */
  g_assert_cmpint (count_op (g, QVIZ_OP_LAYERNORM), ==, 6);
  g_assert_cmpint (count_op (g, QVIZ_OP_LINEAR), ==, 7);
  check_torchvision_fixture (name);

  qviz_calibration_config_init (&cc);
  cc.source = input;
  cc.height = 48;
  cc.width = 64;
  g_assert_true (qviz_calibrate (g, &cc, &error));
  qviz_plan_config_init (&config);
  config.precision = QVIZ_PRECISION_INT8;
  config.height = 48;
  config.width = 64;
  plan = qviz_plan_new (g, &config, &error);
  g_assert_no_error (error);
  for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
    {
      const QvizLayerInfo *info = qviz_plan_get_layer (plan, i);
      if (g_strcmp0 (info->op, "layer_norm") == 0)
        {
          g_assert_true (info->float_kept);
          g_assert_cmpstr (info->kernel, ==, "f32 layer-norm scalar");
          g_assert_cmpint (info->layer_class, ==, QVIZ_LAYER_CLASS_NORMALIZATION);
          islands++;
        }
      quantize += info->conversion && g_strcmp0 (info->op, "quantize") == 0;
    }
  g_assert_cmpint (islands, ==, 6);
  g_assert_cmpint (quantize, ==, 6);
}

/* PRelu with a slope per channel: relu(x) + slope * (x - relu(x)) in
 * element-wise layers, float and int8. */
static void
test_prelu_channels (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("prelu-channels");

  g_assert_cmpint (count_op (g, QVIZ_OP_SUB), ==, 1);
  g_assert_cmpint (count_op (g, QVIZ_OP_MUL), ==, 1);
  g_assert_cmpint (count_act (g, QVK_ACT_RELU), ==, 1);
  check_torchvision_fixture ("prelu-channels");
}

/* Self-attention: Q K^T and the weighted sum of V are products of two
 * computed tensors (float islands in int8), beside two LayerNorms and the
 * softmax over the keys. */
static void
test_attention_block (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("attention-block");

  g_assert_cmpint (count_op (g, QVIZ_OP_MATMUL), ==, 2);
  g_assert_cmpint (count_op (g, QVIZ_OP_LAYERNORM), ==, 2);
  g_assert_cmpint (count_op (g, QVIZ_OP_SOFTMAX), ==, 1);
  check_torchvision_fixture ("attention-block");
}

/* torchvision's Swin Transformer, two stages: the shifted windows' mask,
 * built in the file from shapes (Range, Mod, ScatterND, Equal, Where), is
 * a constant by the time the graph is built, so no comparison or selection
 * runs; each block keeps its B x H x W x C windows in logical order for
 * the MatMuls and LayerNorms over channels. */
static void
test_swin (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("swin-small");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizPlan) plan = NULL;
  QvizPlanConfig config;

  g_assert_cmpint (count_op (g, QVIZ_OP_MATMUL), ==, 2 * 4);
  g_assert_cmpint (count_op (g, QVIZ_OP_SOFTMAX), ==, 4);
  /* two per block, the patch embedding's, the patch merging's, the last */
  g_assert_cmpint (count_op (g, QVIZ_OP_LAYERNORM), ==, 2 * 4 + 3);
  g_assert_cmpint (count_op (g, QVIZ_OP_EQUAL), ==, 0);
  g_assert_cmpint (count_op (g, QVIZ_OP_WHERE), ==, 0);
  check_torchvision_fixture ("swin-small");

  /* The windows were laid out for the file's 32 x 32. */
  qviz_plan_config_init (&config);
  config.height = config.width = 64;
  plan = qviz_plan_new (g, &config, &error);
  g_assert_null (plan);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "32x32"));
}

/* Einsum as MaxViT writes attention: both equations become batched
 * MatMuls, the first with a transpose of its second operand. */
static void
test_einsum (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("einsum-attention");

  g_assert_cmpint (count_op (g, QVIZ_OP_MATMUL), ==, 2);
  g_assert_cmpint (count_op (g, QVIZ_OP_SOFTMAX), ==, 1);
  check_torchvision_fixture ("einsum-attention");
}

/* torchvision's VisionTransformer: the class token (a parameter Expand'ed
 * to the batch) joins the patch tokens in a Concat with a constant input,
 * a float island in int8; nn.MultiheadAttention's MatMuls and Softmax;
 * the head reads token 0. */
static void
test_vit (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("vit-small");

  g_assert_cmpint (count_op (g, QVIZ_OP_MATMUL), ==, 2 * 2);
  g_assert_cmpint (count_op (g, QVIZ_OP_SOFTMAX), ==, 2);
  g_assert_cmpint (count_op (g, QVIZ_OP_LAYERNORM), ==, 2 * 2 + 1);
  g_assert_cmpint (count_op (g, QVIZ_OP_CONCAT), ==, 1);
  check_torchvision_fixture ("vit-small");
}

/* Tokens picked by constant indices from a computed sequence: slices (and
 * a concatenation), exact at the export's size; at a size with fewer
 * tokens than an index needs, the plan fails instead of clamping. */
static void
test_token_pick (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("token-pick");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizPlan) plan = NULL;
  QvizPlanConfig config;

  g_assert_cmpint (count_op (g, QVIZ_OP_SLICE), ==, 3);
  g_assert_cmpint (count_op (g, QVIZ_OP_CONCAT), ==, 1);
  g_assert_cmpfloat (run_and_compare (g, "token-pick", QVIZ_PRECISION_F32), <, 1e-4);

  qviz_plan_config_init (&config);
  config.height = 4;
  config.width = 8; /* two tokens: index 2 is out of range */
  plan = qviz_plan_new (g, &config, &error);
  g_assert_null (plan);
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "out of range"));
}

/* Reductions over the channels (mean, max, sum) and an L2 norm over the
 * map written as Mul, ReduceSum and Sqrt: general reductions, float and
 * int8 (float islands). */
static void
test_spatial_attention (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("spatial-attention");

  g_assert_cmpint (count_op (g, QVIZ_OP_REDUCE), ==, 4);
  g_assert_cmpint (count_op (g, QVIZ_OP_GLOBAL_AVGPOOL), ==, 0);
  g_assert_cmpint (count_act (g, QVK_ACT_SQRT), ==, 1);
  check_torchvision_fixture ("spatial-attention");
}

/* Masking as attention writes it: comparisons of computed tensors, Where
 * with a computed condition and values, Expand of a computed map.  Float
 * matches the reference; in int8 every one of them is a float island, so
 * the comparisons see float values (and the plan says so per layer). */
static void
test_select (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("select");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizPlan) plan = NULL;
  QvizCalibrationConfig cc;
  QvizPlanConfig config;
  g_autofree char *input = fixture ("select.input.npy");
  int islands = 0;

  g_assert_cmpint (count_op (g, QVIZ_OP_WHERE), ==, 2);
  g_assert_cmpint (count_op (g, QVIZ_OP_EQUAL), ==, 1);
  g_assert_cmpint (count_op (g, QVIZ_OP_LESS), ==, 1);
  g_assert_cmpint (count_op (g, QVIZ_OP_LESS_EQUAL), ==, 1);
  g_assert_cmpint (count_op (g, QVIZ_OP_GREATER), ==, 1);
  g_assert_cmpint (count_op (g, QVIZ_OP_GREATER_EQUAL), ==, 1);
  /* the comparisons' 0 / 1 differ by whole units where one is wrong */
  g_assert_cmpfloat (run_and_compare (g, "select", QVIZ_PRECISION_F32), <, 1e-5);

  qviz_calibration_config_init (&cc);
  cc.source = input;
  cc.height = 6;
  cc.width = 8;
  g_assert_true (qviz_calibrate (g, &cc, &error));
  g_assert_no_error (error);
  qviz_plan_config_init (&config);
  config.precision = QVIZ_PRECISION_INT8;
  config.height = 6;
  config.width = 8;
  plan = qviz_plan_new (g, &config, &error);
  g_assert_no_error (error);
  for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
    {
      const QvizLayerInfo *info = qviz_plan_get_layer (plan, i);
      if ((g_str_has_prefix (info->name, "mask/") || g_str_has_prefix (info->name, "select/")) &&
          info->float_kept)
        {
          g_assert_true (g_str_has_prefix (info->kernel, "f32 "));
          g_assert_cmpstr (info->reason, ==, "no int8 kernel: a float island");
          islands++;
        }
    }
  g_assert_cmpint (islands, ==, 7);
}

/* Transposed convolutions as decoders write them: stride 2 with padding and
 * output_padding, depthwise with dilation, two groups with a 2 x 3 kernel
 * and no bias; float against PyTorch, int8 with each as a float island. */
static void
test_conv_transpose (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("conv-transpose");
  const QvizNode *dw = find_node (g, "dw/ConvTranspose");

  g_assert_cmpint (count_op (g, QVIZ_OP_CONV_TRANSPOSE), ==, 3);
  g_assert_nonnull (dw);
  g_assert_cmpint (dw->a.convt.groups, ==, 6);
  g_assert_cmpint (dw->a.convt.dilation_h, ==, 2);
  /* the layer table describes them as it does convolutions */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (QvizPlan) plan = NULL;
    QvizPlanConfig pc;
    gboolean seen = FALSE;

    qviz_plan_config_init (&pc);
    pc.height = pc.width = 16;
    plan = qviz_plan_new (g, &pc, &error);
    g_assert_no_error (error);
    for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
      {
        const QvizLayerInfo *li = qviz_plan_get_layer (plan, i);

        if (li->node_index != dw->node_index)
          continue;
        seen = TRUE;
        g_assert_cmpint (li->kernel_h, ==, dw->a.convt.kernel_h);
        g_assert_cmpint (li->kernel_w, ==, dw->a.convt.kernel_w);
        g_assert_cmpint (li->kernel_h, >, 1);
        g_assert_cmpint (li->stride_h, ==, dw->a.convt.stride_h);
        g_assert_cmpint (li->dilation_h, ==, 2);
        g_assert_cmpint (li->groups, ==, 6);
        g_assert_true (li->dilated);
      }
    g_assert_true (seen);
  }
  check_torchvision_fixture ("conv-transpose");
}

static void
test_external_data (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("external");
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("qviz-onnx-XXXXXX", &error);
  g_autofree char *src = fixture ("external.onnx");
  g_autofree char *copy = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  QvizGraph *missing;

  g_assert_cmpfloat (run_and_compare (g, "external", QVIZ_PRECISION_F32), <, 1e-4);

  /* Without its data file beside it: an error naming the file. */
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  copy = g_build_filename (dir, "external.onnx", NULL);
  g_assert_true (g_file_set_contents (copy, contents, (gssize) len, NULL));
  missing = qviz_onnx_load (copy, &error);
  g_assert_null (missing);
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_IO);
  {
    /* One sentence, not GLib's message joined to ours. */
    g_autofree char *data_path = g_build_filename (dir, "external.onnx.data", NULL);
    g_autofree char *want = g_strdup_printf ("external.onnx: tensor 'w' is stored in the "
                                             "external data file '%s', which does not exist.",
                                             data_path);
    g_assert_cmpstr (error->message, ==, want);
  }
  g_unlink (copy);
  g_rmdir (dir);

  /* A location leading out of the model's folder is refused (same length,
   * so the protobuf stays valid). */
  {
    g_autofree char *base = fixture ("");
    g_autofree char *evil = g_memdup2 (contents, len);
    char *at = NULL;
    for (gsize i = 0; i + 18 <= len && at == NULL; i++)
      if (memcmp (evil + i, "external.onnx.data", 18) == 0)
        at = evil + i;
    g_assert_nonnull (at);
    memcpy (at, "../ernal.onnx.data", 18);
    g_clear_error (&error);
    missing = qviz_onnx_load_from_data ((const guint8 *) evil, len, "evil.onnx", base, &error);
    g_assert_null (missing);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "outside"));
  }

  /* In memory, without a folder: external data cannot be found. */
  g_clear_error (&error);
  missing = qviz_onnx_load_from_data ((const guint8 *) contents, len, "mem.onnx", NULL, &error);
  g_assert_null (missing);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "mem.onnx: "));
}

/* ---- quantized models ------------------------------------------------------- */

static void
test_qdq (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("qdq-conv");
  g_autoptr (GError) error = NULL;
  const QvizNode *c1, *relu, *c2;
  const QvizValue *in;

  g_assert_true (g->prequantized);
  g_assert_true (g->calibrated);
  g_assert_cmpint (g->fixed_h, ==, 16);
  g_assert_cmpint (g->fixed_w, ==, 16);
  g_assert_cmpint (qviz_graph_n_nodes (g), ==, 3);
  c1 = find_node (g, "block/conv1/Conv");
  relu = find_node (g, "block/relu/Relu");
  c2 = find_node (g, "block/conv2/Conv");
  g_assert_nonnull (c1);
  g_assert_nonnull (relu);
  g_assert_nonnull (c2);
  in = qviz_graph_value (g, g->input);
  g_assert_true (in->quant.valid);
  g_assert_cmpfloat_with_epsilon (in->quant.scale, 0.03, 1e-7);
  g_assert_cmpint (in->quant.zero_point, ==, 128);
  g_assert_cmpfloat_with_epsilon (qviz_graph_value (g, c1->output)->quant.scale, 0.05, 1e-7);
  g_assert_cmpint (qviz_graph_value (g, c1->output)->quant.zero_point, ==, 120);
  g_assert_cmpint (qviz_graph_value (g, relu->output)->quant.zero_point, ==, 0);
  g_assert_cmpint (qviz_graph_value (g, c2->output)->quant.zero_point, ==, 130);
  g_assert_nonnull (c1->a.conv.weight_scales);
  g_assert_cmpint (c1->a.conv.in_channels, ==, 3);
  g_assert_cmpfloat (c1->a.conv.weight_scales[0], >, 0);
  /* Dequantized weights are whole multiples of their channel's scale. */
  for (int k = 0; k < 27; k++)
    {
      double q = c1->a.conv.weights[k] / c1->a.conv.weight_scales[0];
      g_assert_cmpfloat (fabs (q - nearbyint (q)), <, 1e-3);
    }

  /* The reference rounds at every Q/DQ, and so does the float plan: one
   * output step (0.04) covers a tie rounded the other way after a sum in
   * another order.  The int8 plan requantizes conv+relu once: within two. */
  run_and_compare (g, "qdq-conv", QVIZ_PRECISION_F32);
  g_assert_cmpfloat (last_abs_error, <=, 0.04 + 1e-6);
  run_and_compare (g, "qdq-conv", QVIZ_PRECISION_INT8);
  g_assert_cmpfloat (last_abs_error, <=, 2 * 0.04 + 1e-6);

  /* Planning at another size is refused: the input's size is fixed. */
  {
    QvizPlanConfig config;
    QvizPlan *plan;
    qviz_plan_config_init (&config);
    config.height = config.width = 32;
    plan = qviz_plan_new (g, &config, &error);
    g_assert_null (plan);
    g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
  }
}

/* ONNX Runtime's quantizer drops the Relu after a conv and keeps its effect
 * in the conv's QuantizeLinear (zero point 0): a float plan that ignored
 * the rounding and clamping would let every negative value through. */
static void
test_qdq_relu_folded (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("qdq-relu-folded");

  g_assert_true (g->calibrated);
  g_assert_cmpint (count_act (g, QVK_ACT_RELU), ==, 0);
  run_and_compare (g, "qdq-relu-folded", QVIZ_PRECISION_F32);
  g_test_message ("f32: max |error| %.4g (output step 0.03)", last_abs_error);
  g_assert_cmpfloat (last_abs_error, <=, 0.03 + 1e-6);
  run_and_compare (g, "qdq-relu-folded", QVIZ_PRECISION_INT8);
  g_test_message ("int8: max |error| %.4g", last_abs_error);
  g_assert_cmpfloat (last_abs_error, <=, 0.03 + 1e-6);
}

static void
test_qlinear (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("qlinear-conv");
  const QvizNode *conv = find_node (g, "features/conv");
  const QvizValue *out;

  g_assert_true (g->prequantized);
  g_assert_true (g->calibrated);
  g_assert_cmpint (qviz_graph_n_nodes (g), ==, 1);
  g_assert_nonnull (conv);
  g_assert_cmpint (conv->op, ==, QVIZ_OP_CONV);
  g_assert_cmpint (conv->a.conv.stride_h, ==, 2);
  g_assert_nonnull (conv->a.conv.bias);
  g_assert_nonnull (conv->a.conv.weight_scales);
  out = qviz_graph_value (g, conv->output);
  g_assert_true (out->quant.valid);
  g_assert_cmpfloat_with_epsilon (out->quant.scale, 0.06, 1e-7);
  g_assert_cmpint (out->quant.zero_point, ==, 100);
  g_assert_cmpint (qviz_graph_value (g, g->input)->quant.zero_point, ==, 127);

  /* The int8 plan computes what QLinearConv defines: at most one step off
   * (rounding of the requantization). */
  run_and_compare (g, "qlinear-conv", QVIZ_PRECISION_INT8);
  g_assert_cmpfloat (last_abs_error, <=, 0.06 + 1e-6);
}

static void
test_qdq_partial (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("qdq-partial");
  g_autoptr (GError) error = NULL;
  QvizCalibrationConfig config;
  const QvizNode *c1 = find_node (g, "block/conv1/Conv");
  const QvizNode *relu = find_node (g, "block/relu/Relu");

  /* The first conv's output has no parameters in the file. */
  g_assert_true (g->prequantized);
  g_assert_false (g->calibrated);
  g_assert_nonnull (c1);
  g_assert_false (qviz_graph_value (g, c1->output)->quant.valid);
  g_assert_true (qviz_graph_value (g, relu->output)->quant.valid);

  /* Calibration fills in only what is missing. */
  qviz_calibration_config_init (&config);
  config.n_inputs = 2;
  g_assert_true (qviz_calibrate (g, &config, &error));
  g_assert_no_error (error);
  g_assert_true (g->calibrated);
  g_assert_true (qviz_graph_value (g, c1->output)->quant.valid);
  g_assert_cmpfloat_with_epsilon (qviz_graph_value (g, g->input)->quant.scale, 0.03, 1e-7);
  g_assert_cmpint (qviz_graph_value (g, g->input)->quant.zero_point, ==, 128);
  g_assert_cmpfloat_with_epsilon (qviz_graph_value (g, relu->output)->quant.scale, 0.025, 1e-7);
  run_and_compare (g, "qdq-conv", QVIZ_PRECISION_INT8);
  g_assert_cmpfloat (last_abs_error, <=, 2 * 0.04 + 1e-6);
}

static void
test_qdq_asymmetric (void)
{
  g_autofree char *path = fixture ("qdq-asymmetric.onnx");
  g_autoptr (GError) error = NULL;
  QvizGraph *g = qviz_onnx_load (path, &error);

  g_assert_null (g);
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "block/conv1/w/DQ"));
  g_assert_nonnull (strstr (error->message, "asymmetric"));
}

/* ---- errors ---------------------------------------------------------------- */

static void
expect_error (const guint8 *data, gsize len, const char *name, int code, const char *part)
{
  g_autoptr (GError) error = NULL;
  QvizGraph *g = qviz_onnx_load_from_data (data, len, name, NULL, &error);

  g_assert_null (g);
  g_assert_nonnull (error);
  if (code >= 0)
    g_assert_error (error, QVIZ_ERROR, code);
  g_assert_true (g_str_has_prefix (error->message, name));
  if (part != NULL && strstr (error->message, part) == NULL)
    g_error ("message '%s' lacks '%s'", error->message, part);
}

/* The fixture NAME is refused as unsupported with exactly MESSAGE. */
static void
assert_refused (const char *name, const char *message)
{
  g_autofree char *path = fixture (name);
  g_autoptr (GError) error = NULL;
  QvizGraph *g = qviz_onnx_load (path, &error);

  g_assert_null (g);
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_unknown_ops (void)
{
  assert_refused ("unknown-op.onnx",
                  "unknown-op.onnx: 2 unsupported operators: Det (a/Det), Loop (b/Loop).");
}

/* Constants the loader computes itself are held to a budget: a 3M-element
 * broadcast loads, the same after a 4M-element ConstantOfShape does not,
 * and the refusal names the node that passed it. */
static void
test_load_budget (void)
{
  qviz_graph_free (load_fixture ("load-expand"));
  assert_refused ("load-amplify.onnx",
                  "load-amplify.onnx: node 'head/Expand' (Expand): the constants computed "
                  "while loading would pass 4194328 elements (2^22 plus four times the 6 "
                  "of the file's own tensors), which is not supported.");
}

/* Nodes that share a name get the next free suffix each, around a name
 * the file itself uses. */
static void
test_same_names (void)
{
  QvizGraph *g = load_fixture ("same-names");
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  int n = qviz_graph_n_nodes (g);

  g_assert_cmpint (n, ==, 3000);
  g_assert_cmpstr (qviz_graph_node (g, 0)->name, ==, "relu");
  g_assert_cmpstr (qviz_graph_node (g, 1)->name, ==, "relu_1");
  g_assert_cmpstr (qviz_graph_node (g, 2)->name, ==, "relu_3");
  g_assert_cmpstr (qviz_graph_node (g, 3)->name, ==, "relu_2");
  g_assert_cmpstr (qviz_graph_node (g, 4)->name, ==, "relu_4");
  g_assert_cmpstr (qviz_graph_node (g, n - 1)->name, ==, "relu_2999");
  for (int i = 0; i < n; i++)
    g_assert_true (g_hash_table_add (seen, (gpointer) qviz_graph_node (g, i)->name));
  qviz_graph_free (g);
}

/* The README's operator list is the loader's table, as qviz-cli prints it. */
static void
test_readme_operators (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "README.md", NULL);
  g_autofree char *readme = NULL;
  g_autofree char *want = qviz_onnx_supported_operators_markdown ();
  g_autofree char *have = NULL;
  const char *begin, *end;

  g_assert_true (g_file_get_contents (path, &readme, NULL, NULL));
  begin = strstr (readme, "<!-- operators:");
  g_assert_nonnull (begin);
  begin = strchr (begin, '\n') + 1;
  end = strstr (begin, "<!-- /operators -->");
  g_assert_nonnull (end);
  have = g_strndup (begin, (gsize) (end - begin));
  if (g_strcmp0 (have, want) != 0)
    g_error ("README.md's operator list is out of date; run make readme-operators");
  /* And the list holds what the loader reads. */
  g_assert_nonnull (strstr (want, "`Resize`"));
  g_assert_null (strstr (want, "`Det`"));
}

/* Many nodes of a few operators: one group per operator, its count and at
 * most three names, so a large model's message stays readable. */
static void
test_unknown_ops_grouped (void)
{
  assert_refused ("unknown-many.onnx",
                  "unknown-many.onnx: 7 unsupported operators: Det x5 (block0/Det, "
                  "block1/Det, block2/Det, ...), Hardmax (head/Hardmax), "
                  "com.example.Custom (head/Custom).");
}

/* A graph whose output is its input: said as it is. */
static void
test_identity_graph (void)
{
  assert_refused ("identity.onnx",
                  "identity.onnx: output 'output' is the input image itself; the model "
                  "computes nothing from it.");
}

/* Errors found when planning a user's model name its file too. */
static void
test_plan_error_names_file (void)
{
  g_autoptr (QvizGraph) g = load_fixture ("fixed-flatten");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizPlan) ok = NULL;
  QvizPlan *plan;
  QvizPlanConfig pc;

  qviz_plan_config_init (&pc);
  pc.height = pc.width = 8;
  ok = qviz_plan_new (g, &pc, &error);
  g_assert_no_error (error);
  pc.height = pc.width = 16;
  plan = qviz_plan_new (g, &pc, &error);
  g_assert_null (plan);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "fixed-flatten.onnx: Node 'head/Reshape'"));
}

static void
test_opset_too_new (void)
{
  g_autofree char *path = fixture ("opset-new.onnx");
  g_autoptr (GError) error = NULL;
  QvizGraph *g = qviz_onnx_load (path, &error);

  g_assert_null (g);
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "opset 99"));
}

static void
test_bad_files (void)
{
  g_autofree char *path = fixture ("se-hardswish.onnx");
  g_autofree char *contents = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  g_autofree guint8 *noise = g_malloc (4096);
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  /* Every truncation of the file is refused cleanly. */
  for (gsize cut = 0; cut < len; cut += 1 + cut / 7)
    {
      g_autoptr (GError) error = NULL;
      QvizGraph *g = qviz_onnx_load_from_data ((const guint8 *) contents, cut, "cut.onnx",
                                               NULL, &error);
      g_assert_null (g);
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "cut.onnx: "));
    }
  expect_error ((const guint8 *) "", 0, "empty.onnx", QVIZ_ERROR_PARSE, "empty");
  for (int round = 0; round < 50; round++)
    {
      gsize n = 1 + g_rand_int_range (rand, 0, 4096);
      for (gsize i = 0; i < n; i++)
        noise[i] = (guint8) g_rand_int (rand);
      expect_error (noise, n, "noise.onnx", -1, NULL);
    }
  /* Flipped bytes inside a real model: an error or a model, never a crash. */
  for (int round = 0; round < 200; round++)
    {
      g_autofree guint8 *copy = g_memdup2 (contents, len);
      g_autoptr (GError) error = NULL;
      QvizGraph *g;
      for (int k = 0; k < 4; k++)
        copy[g_rand_int_range (rand, 0, (gint32) len)] = (guint8) g_rand_int (rand);
      g = qviz_onnx_load_from_data (copy, len, "flip.onnx", NULL, &error);
      g_assert_true ((g == NULL) != (error == NULL));
      qviz_graph_free (g);
    }
  {
    g_autoptr (GError) error = NULL;
    g_assert_null (qviz_onnx_load ("/nonexistent/model.onnx", &error));
    g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_IO);
    g_assert_true (g_str_has_prefix (error->message, "model.onnx: "));
  }
}

/* Files the fuzzer found; each must give a clean error. */
static void
test_crashes (void)
{
  g_autofree char *dir_path = fixture ("onnx-crashes");
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *entry;
  int n = 0;

  if (dir == NULL)
    {
      g_test_skip ("no crash inputs recorded");
      return;
    }
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, entry, NULL);
      g_autoptr (GError) error = NULL;
      QvizGraph *g;

      if (!g_str_has_suffix (entry, ".onnx"))
        continue;
      g = qviz_onnx_load (path, &error);
      g_assert_null (g);
      g_assert_nonnull (error);
      n++;
    }
  g_test_message ("%d recorded inputs", n);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/onnx/dw-dilated", test_dw_dilated);
  g_test_add_func ("/onnx/se-hardswish", test_se_hardswish);
  g_test_add_func ("/onnx/resize-concat", test_resize_concat);
  g_test_add_func ("/onnx/faceboxes-head", test_faceboxes_head);
  g_test_add_func ("/onnx/lraspp-small", test_lraspp_small);
  g_test_add_func ("/onnx/classifier", test_classifier);
  g_test_add_func ("/onnx/external-data", test_external_data);
  g_test_add_func ("/onnx/qdq", test_qdq);
  g_test_add_func ("/onnx/qdq-relu-folded", test_qdq_relu_folded);
  g_test_add_func ("/onnx/qlinear", test_qlinear);
  g_test_add_func ("/onnx/qdq-partial", test_qdq_partial);
  g_test_add_func ("/onnx/qdq-asymmetric", test_qdq_asymmetric);
  g_test_add_func ("/onnx/unknown-ops", test_unknown_ops);
  g_test_add_func ("/onnx/unknown-ops-grouped", test_unknown_ops_grouped);
  g_test_add_func ("/onnx/load-budget", test_load_budget);
  g_test_add_func ("/onnx/same-names", test_same_names);
  g_test_add_func ("/onnx/activations", test_activations);
  g_test_add_func ("/onnx/reduce-mean", test_reduce_mean);
  g_test_add_func ("/onnx/pads", test_pads);
  g_test_add_func ("/onnx/softmax-axes", test_softmax_axes);
  g_test_add_data_func ("/onnx/torchvision/densenet-small", "densenet-small",
                        check_torchvision_fixture);
  g_test_add_data_func ("/onnx/torchvision/inception-block", "inception-block",
                        check_torchvision_fixture);
  g_test_add_data_func ("/onnx/torchvision/mnasnet-small", "mnasnet-small",
                        check_torchvision_fixture);
  g_test_add_func ("/onnx/torchvision/shufflenet-small", test_shufflenet);
  g_test_add_data_func ("/onnx/torchvision/convnext-small", "convnext-small", check_convnext);
  g_test_add_data_func ("/onnx/torchvision/convnext-small-opset17", "convnext-small-opset17",
                        check_convnext);
  g_test_add_func ("/onnx/prelu-channels", test_prelu_channels);
  g_test_add_func ("/onnx/attention-block", test_attention_block);
  g_test_add_func ("/onnx/swin", test_swin);
  g_test_add_func ("/onnx/vit", test_vit);
  g_test_add_func ("/onnx/einsum", test_einsum);
  g_test_add_func ("/onnx/token-pick", test_token_pick);
  g_test_add_func ("/onnx/spatial-attention", test_spatial_attention);
  g_test_add_func ("/onnx/select", test_select);
  g_test_add_func ("/onnx/conv-transpose", test_conv_transpose);
  g_test_add_func ("/onnx/readme-operators", test_readme_operators);
  g_test_add_func ("/onnx/identity-graph", test_identity_graph);
  g_test_add_func ("/onnx/plan-error-names-file", test_plan_error_names_file);
  g_test_add_func ("/onnx/opset-too-new", test_opset_too_new);
  g_test_add_func ("/onnx/bad-files", test_bad_files);
  g_test_add_func ("/onnx/crashes", test_crashes);
  return g_test_run ();
}
