/* test-ort-parity.c: quantized ONNX files against ONNX Runtime's own int8
 * output for them (tools/make-ort-fixtures).  ort-block.qdq.onnx is a QDQ
 * model; ort-block.qlinear.onnx is the same model as ONNX Runtime saved it
 * after fusing it into QLinearConv, QLinearSigmoid, QLinearMul, QLinearAdd,
 * QLinearGlobalAveragePool, QLinearConcat and QGemm, with a
 * DequantizeLinear -> QuantizeLinear requantization between two of them.
 * Every element of every output, in both precisions, must be within one
 * unit of the output's scale of ONNX Runtime's. */

#include "qviz-npy.h"
#include "qviz-onnx.h"
#include "qviz-plan.h"

#include <math.h>
#include <string.h>

static char *
fixture (const char *file)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", file, NULL);
}

static gboolean
has_layer_kernel (QvizPlan *plan, const char *op, const char *kernel)
{
  for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
    {
      const QvizLayerInfo *l = qviz_plan_get_layer (plan, i);
      if (g_str_equal (l->op, op) && strstr (l->kernel, kernel) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
check_file (gconstpointer data)
{
  const char *file = data;
  g_autofree char *path = fixture (file);
  g_autofree char *in_path = fixture ("ort-block.input.npy");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = qviz_onnx_load (path, &error);
  g_autofree float *input = NULL;
  QvizShape xs;

  g_assert_no_error (error);
  g_assert_true (g->calibrated);
  input = qviz_npy_read (in_path, &xs, &error);
  g_assert_no_error (error);

  for (int p = 0; p < 2; p++)
    {
      QvizPrecision precision = p ? QVIZ_PRECISION_INT8 : QVIZ_PRECISION_F32;
      g_autoptr (QvizPlan) plan = NULL;
      QvizPlanConfig pc;

      qviz_plan_config_init (&pc);
      pc.precision = precision;
      pc.height = (int) xs.dims[2];
      pc.width = (int) xs.dims[3];
      plan = qviz_plan_new (g, &pc, &error);
      g_assert_no_error (error);
      if (precision == QVIZ_PRECISION_INT8)
        {
          /* every operator in int8, the requantization included */
          g_assert_true (has_layer_kernel (plan, "identity", "requantize"));
          g_assert_true (has_layer_kernel (plan, "activation", "lut"));
          g_assert_true (has_layer_kernel (plan, "linear", "qu8"));
          g_assert_true (has_layer_kernel (plan, "mul", "mul-channel"));
        }
      qviz_plan_set_input_nchw (plan, input);
      qviz_plan_run (plan, NULL);
      g_assert_cmpint (qviz_plan_get_n_outputs (plan), ==, 2);

      for (int k = 0; k < 2; k++)
        {
          g_autofree char *ref_path = fixture (k ? "ort-block.ort1.npy" : "ort-block.ort.npy");
          const QvizValue *out = qviz_graph_value (g, g_array_index (g->outputs, int, k));
          g_autofree float *want = NULL, *got = NULL;
          QvizShape ws;
          gsize n, off = 0;
          double worst = 0;

          want = qviz_npy_read (ref_path, &ws, &error);
          g_assert_no_error (error);
          n = (gsize) qviz_shape_numel (&ws);
          g_assert_cmpint (qviz_shape_numel (qviz_plan_get_output_shape (plan, k)), ==, (int64_t) n);
          g_assert_true (out->quant.valid);
          got = g_new (float, n);
          qviz_plan_get_output (plan, k, got);
          for (gsize i = 0; i < n; i++)
            {
              double units = fabs ((double) got[i] - want[i]) / out->quant.scale;
              worst = MAX (worst, units);
              off += units > 0.5;
            }
          g_test_message ("%s %s output %d: worst %.2f units of %g, %" G_GSIZE_FORMAT
                          " of %" G_GSIZE_FORMAT " elements off", file,
                          qviz_precision_name (precision), k, worst, out->quant.scale, off, n);
          g_assert_cmpfloat (worst, <=, 1.0 + 1e-3);
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/ort-parity/qdq", "ort-block.qdq.onnx", check_file);
  g_test_add_data_func ("/ort-parity/qlinear", "ort-block.qlinear.onnx", check_file);
  return g_test_run ();
}
