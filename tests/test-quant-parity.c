/* test-quant-parity.c: qviz's int8 convolution against PyTorch's quantized
 * convolution (onednn) with the same scales and zero points.  The fixtures
 * come from tools/make-quant-fixtures; outputs must agree within one
 * quantization unit, and most of them exactly. */

#include "qviz-npy.h"
#include "qviz-plan.h"

#include <math.h>

static float *
load (const char *name, const char *suffix, QvizShape *s)
{
  g_autofree char *file = g_strdup_printf ("quant-%s.%s.npy", name, suffix);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", file, NULL);
  g_autoptr (GError) error = NULL;
  float *data = qviz_npy_read (path, s, &error);

  g_assert_no_error (error);
  return data;
}

static void
check_case (gconstpointer data)
{
  const char *name = data;
  QvizShape xs, ws, bs, ps, ys;
  g_autofree float *x = load (name, "input", &xs);
  g_autofree float *w = load (name, "weight", &ws);
  g_autofree float *b = load (name, "bias", &bs);
  g_autofree float *params = load (name, "params", &ps);
  g_autofree float *expect = load (name, "output", &ys);
  g_autoptr (QvizGraph) g = NULL;
  g_autoptr (QvizPlan) plan = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree float *y = NULL;
  QvizPlanConfig pc;
  QvizNode *n;
  int in, cout = (int) ws.dims[0], per = (int) ws.dims[1], k = (int) ws.dims[2];
  int cin = (int) xs.dims[1];
  float out_scale = params[2];
  gsize count, exact = 0;
  double worst = 0;

  g_assert_cmpint (ps.dims[0], ==, 8);
  g = qviz_graph_new (name, cin);
  in = g->input;
  n = qviz_graph_add_node (g, "conv", QVIZ_OP_CONV, &in, 1);
  n->a.conv.in_channels = cin;
  n->a.conv.out_channels = cout;
  n->a.conv.kernel_h = n->a.conv.kernel_w = k;
  n->a.conv.stride_h = n->a.conv.stride_w = (int) params[4];
  n->a.conv.dilation_h = n->a.conv.dilation_w = (int) params[5];
  n->a.conv.groups = (int) params[6];
  n->a.conv.pad_top = n->a.conv.pad_left = n->a.conv.pad_bottom = n->a.conv.pad_right =
    (int) params[7];
  /* OIHW -> OHWI */
  n->a.conv.weights = g_new (float, (gsize) cout * k * k * per);
  for (int o = 0; o < cout; o++)
    for (int i = 0; i < per; i++)
      for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++)
          n->a.conv.weights[((o * k + ky) * k + kx) * per + i] =
            w[((o * per + i) * k + ky) * k + kx];
  n->a.conv.bias = g_memdup2 (b, sizeof (float) * cout);
  qviz_graph_add_output (g, n->output);
  qviz_graph_value (g, g->input)->quant = (QvizQuantParams) { TRUE, params[0], (int) params[1] };
  qviz_graph_value (g, n->output)->quant = (QvizQuantParams) { TRUE, out_scale, (int) params[3] };
  g->calibrated = TRUE;

  qviz_plan_config_init (&pc);
  pc.precision = QVIZ_PRECISION_INT8;
  pc.height = (int) xs.dims[2];
  pc.width = (int) xs.dims[3];
  plan = qviz_plan_new (g, &pc, &error);
  g_assert_no_error (error);
  qviz_plan_set_input_nchw (plan, x);
  qviz_plan_run (plan, NULL);
  count = (gsize) qviz_shape_numel (qviz_plan_get_output_shape (plan, 0));
  g_assert_cmpuint (count, ==, (gsize) qviz_shape_numel (&ys));
  y = g_new (float, count);
  qviz_plan_get_output (plan, 0, y);

  for (gsize i = 0; i < count; i++)
    {
      double units = fabs ((double) y[i] - expect[i]) / out_scale;
      worst = MAX (worst, units);
      exact += units < 0.01;
    }
  g_test_message ("%s: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " outputs equal PyTorch's, "
                  "worst %.2f units", name, exact, count, worst);
  g_assert_cmpfloat (worst, <=, 1.01);
  g_assert_cmpuint (exact, >=, count * 95 / 100);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/quant-parity/conv3x3", "conv3x3", check_case);
  g_test_add_data_func ("/quant-parity/dwconv5x5-d5", "dwconv5x5-d5", check_case);
  return g_test_run ();
}
