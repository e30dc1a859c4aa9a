/* test-bias-correction.c: calibration's mean input under each kernel tap,
 * and the int8 bias correction made from it (qviz-bias-correction.h). */

#include "qviz-bias-correction.h"
#include "qviz-calibrate.h"
#include "qviz-npy.h"
#include "qviz-plan.h"

#include <glib/gstdio.h>
#include <math.h>
#include <unistd.h>

#define C 3
#define H 7
#define W 6
#define N_CALIB 4

/* input -> depthwise 3x3, stride 2, pad 1, dilation 1 -> full 3x3, stride 1,
 * pad 2, dilation 2: padding falls under most taps of both on a map this
 * small.  Weights whose int8 rounding errs the same way in every channel
 * (each is 0.4 of a step above a step), and inputs of mean 1, so that
 * rounding alone moves the outputs' mean. */
static QvizGraph *
make_graph (void)
{
  QvizGraph *g = qviz_graph_new ("taps", C);
  int in = g->input, mid;
  QvizNode *n;

  n = qviz_graph_add_node (g, "dw", QVIZ_OP_CONV, &in, 1);
  n->a.conv.in_channels = n->a.conv.out_channels = n->a.conv.groups = C;
  n->a.conv.kernel_h = n->a.conv.kernel_w = 3;
  n->a.conv.stride_h = n->a.conv.stride_w = 2;
  n->a.conv.dilation_h = n->a.conv.dilation_w = 1;
  n->a.conv.pad_top = n->a.conv.pad_left = n->a.conv.pad_bottom = n->a.conv.pad_right = 1;
  n->a.conv.weights = g_new (float, C * 9);
  for (int k = 0; k < C * 9; k++)
    n->a.conv.weights[k] = k % 9 == 4 ? 1.0f : (float) ((k % 5 + 1) + 0.4) / 127.0f;
  mid = n->output;

  n = qviz_graph_add_node (g, "full", QVIZ_OP_CONV, &mid, 1);
  n->a.conv.in_channels = C;
  n->a.conv.out_channels = 2;
  n->a.conv.groups = 1;
  n->a.conv.kernel_h = n->a.conv.kernel_w = 3;
  n->a.conv.stride_h = n->a.conv.stride_w = 1;
  n->a.conv.dilation_h = n->a.conv.dilation_w = 2;
  n->a.conv.pad_top = n->a.conv.pad_left = n->a.conv.pad_bottom = n->a.conv.pad_right = 2;
  n->a.conv.weights = g_new (float, 2 * 9 * C);
  for (int k = 0; k < 2 * 9 * C; k++)
    n->a.conv.weights[k] = k == 0 ? -1.0f : (float) ((k % 7 + 1) + 0.4) / 127.0f;
  qviz_graph_add_output (g, n->output);
  return g;
}

static float *
make_inputs (guint32 seed, int count)
{
  GRand *r = g_rand_new_with_seed (seed);
  float *x = g_new (float, (gsize) count * C * H * W);

  for (gsize i = 0; i < (gsize) count * C * H * W; i++)
    x[i] = (float) g_rand_double_range (r, 0.5, 1.5);
  g_rand_free (r);
  return x;
}

/* Calibrates g on the batch, written to a temporary .npy. */
static void
calibrate (QvizGraph *g, const float *batch)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  QvizShape s = { 4, { N_CALIB, C, H, W } };
  QvizCalibrationConfig cc;
  int fd = g_file_open_tmp ("qviz-taps-XXXXXX.npy", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (qviz_npy_write (path, batch, &s, &error));
  g_assert_no_error (error);
  qviz_calibration_config_init (&cc);
  cc.method = QVIZ_CALIBRATION_MINMAX;
  cc.source = path;
  cc.n_inputs = N_CALIB;
  g_assert_true (qviz_calibrate (g, &cc, &error));
  g_assert_no_error (error);
  g_unlink (path);
}

/* The depthwise conv's tap means, by brute force over the output
 * positions, against calibration's. */
static void
test_tap_means (void)
{
  g_autoptr (QvizGraph) g = make_graph ();
  g_autofree float *batch = make_inputs (3, N_CALIB);
  const QvizConvAttrs *dw = &qviz_graph_node (g, 0)->a.conv;
  const int out_h = (H + 2 - 3) / 2 + 1, out_w = (W + 2 - 3) / 2 + 1;

  calibrate (g, batch);
  g_assert_nonnull (dw->input_tap_mean);
  g_assert_nonnull (qviz_graph_node (g, 1)->a.conv.input_tap_mean);
  for (int kh = 0; kh < 3; kh++)
    for (int kw = 0; kw < 3; kw++)
      for (int c = 0; c < C; c++)
        {
          double sum = 0;
          for (int b = 0; b < N_CALIB; b++)
            for (int oh = 0; oh < out_h; oh++)
              for (int ow = 0; ow < out_w; ow++)
                {
                  int ih = oh * 2 - 1 + kh, iw = ow * 2 - 1 + kw;
                  if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                    sum += batch[(((gsize) b * C + c) * H + ih) * W + iw];
                }
          g_assert_cmpfloat_with_epsilon (dw->input_tap_mean[(kh * 3 + kw) * C + c],
                                          sum / (N_CALIB * out_h * out_w), 1e-5);
        }
}

/* Mean over positions of each output channel's int8 error on x. */
static void
mean_errors (QvizGraph *g, const float *x, double *err)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizPlan) f = NULL, q = NULL;
  g_autofree float *yf = NULL, *yq = NULL;
  QvizPlanConfig pc;
  gsize n, per;

  qviz_plan_config_init (&pc);
  pc.height = H;
  pc.width = W;
  f = qviz_plan_new (g, &pc, &error);
  g_assert_no_error (error);
  pc.precision = QVIZ_PRECISION_INT8;
  q = qviz_plan_new (g, &pc, &error);
  g_assert_no_error (error);
  n = (gsize) qviz_shape_numel (qviz_plan_get_output_shape (f, 0));
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, <, 1024);
  per = n / 2;
  yf = g_new (float, n);
  yq = g_new (float, n);
  qviz_plan_set_input_nchw (f, x);
  qviz_plan_run (f, NULL);
  qviz_plan_get_output (f, 0, yf);
  qviz_plan_set_input_nchw (q, x);
  qviz_plan_run (q, NULL);
  qviz_plan_get_output (q, 0, yq);
  for (int c = 0; c < 2; c++)
    {
      err[c] = 0;
      for (gsize i = 0; i < per; i++)
        err[c] += (double) yq[c * per + i] - yf[c * per + i];
      err[c] /= (double) per;
    }
}

/* With the correction the int8 output's mean error is a fraction of what
 * rounding the weights alone leaves, on an input calibration did not see. */
static void
test_correction (void)
{
  g_autoptr (QvizGraph) g = make_graph ();
  g_autofree float *batch = make_inputs (3, N_CALIB);
  g_autofree float *x = make_inputs (11, 1);
  double corrected[2], plain[2];

  calibrate (g, batch);
  mean_errors (g, x, corrected);
  for (int i = 0; i < 2; i++)
    g_clear_pointer (&qviz_graph_node (g, i)->a.conv.input_tap_mean, g_free);
  mean_errors (g, x, plain);
  for (int c = 0; c < 2; c++)
    {
      g_test_message ("channel %d: mean error %.5f corrected, %.5f without", c,
                      corrected[c], plain[c]);
      g_assert_cmpfloat (fabs (plain[c]), >, 0.002);
      g_assert_cmpfloat (fabs (corrected[c]), <, fabs (plain[c]) / 4);
    }
}

/* input -> Flatten -> dense layer of 2 outputs, with weights that round
 * the same way. */
static QvizGraph *
make_dense_graph (void)
{
  QvizGraph *g = qviz_graph_new ("dense", C);
  int in = g->input, flat;
  const int features = C * H * W;
  QvizNode *n;

  n = qviz_graph_add_node (g, "flatten", QVIZ_OP_FLATTEN, &in, 1);
  n->a.axis = 1;
  flat = n->output;
  n = qviz_graph_add_node (g, "dense", QVIZ_OP_LINEAR, &flat, 1);
  n->a.linear.in_features = features;
  n->a.linear.out_features = 2;
  n->a.linear.act = qvk_activation_make (QVK_ACT_NONE);
  n->a.linear.weights = g_new (float, 2 * features);
  for (int k = 0; k < 2 * features; k++)
    n->a.linear.weights[k] = k % features == 0 ? 1.0f : (float) ((k % 3 + 1) + 0.4) / 127.0f;
  qviz_graph_add_output (g, n->output);
  return g;
}

static void
test_dense (void)
{
  g_autoptr (QvizGraph) g = make_dense_graph ();
  g_autofree float *batch = make_inputs (3, N_CALIB);
  g_autofree float *x = make_inputs (11, 1);
  QvizLinearAttrs *a = &qviz_graph_node (g, 1)->a.linear;
  double corrected[2], plain[2];

  calibrate (g, batch);
  g_assert_nonnull (a->input_mean);
  for (int i = 0; i < C * H * W; i++)
    {
      double sum = 0;
      for (int b = 0; b < N_CALIB; b++)
        sum += batch[(gsize) b * C * H * W + i];
      g_assert_cmpfloat_with_epsilon (a->input_mean[i], sum / N_CALIB, 1e-5);
    }
  mean_errors (g, x, corrected);
  g_clear_pointer (&a->input_mean, g_free);
  mean_errors (g, x, plain);
  for (int c = 0; c < 2; c++)
    {
      g_test_message ("output %d: error %.5f corrected, %.5f without", c, corrected[c],
                      plain[c]);
      g_assert_cmpfloat (fabs (plain[c]), >, 0.002);
      g_assert_cmpfloat (fabs (corrected[c]), <, fabs (plain[c]) / 4);
    }
}

/* A file that gives its own weight scales keeps its bias: nothing is
 * recorded for it. */
static void
test_prequantized (void)
{
  g_autoptr (QvizGraph) g = make_graph ();
  g_autofree float *batch = make_inputs (3, N_CALIB);

  g->prequantized = TRUE;
  calibrate (g, batch);
  g_assert_null (qviz_graph_node (g, 0)->a.conv.input_tap_mean);
  g_assert_null (qviz_graph_node (g, 1)->a.conv.input_tap_mean);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bias-correction/tap-means", test_tap_means);
  g_test_add_func ("/bias-correction/correction", test_correction);
  g_test_add_func ("/bias-correction/dense", test_dense);
  g_test_add_func ("/bias-correction/prequantized", test_prequantized);
  return g_test_run ();
}
