/* test-pytorch-ptq.c: qviz's int8 against PyTorch's own post-training
 * quantization on the same models and calibration batch
 * (tools/pytorch-ptq): small models with MobileNetV3 blocks
 * (squeeze-excite, hardswish, residual add, dilation), EfficientNet blocks
 * (SiLU, squeeze-excite, residual add) and the LR-ASPP head.  qviz,
 * calibrated with its default method on the 8 inputs PyTorch's FX PTQ
 * (onednn) saw, is held against PyTorch's output SQNR against the float
 * model on the ninth input.  With the bias correction of the weights'
 * rounding (qviz-bias-correction.h) and the output layer writing float
 * from its int32 accumulators (no last rounding to uint8), qviz is ahead of
 * PyTorch on all three: mnv3-se-block 51.4 against 45.8 dB,
 * effnet-silu-block 46.1 against 43.3, lraspp-head 45.8 against 44.5
 * (47.3, 43.8 and 45.8 with a uint8 output; lraspp-head ends in a resize,
 * whose output stays uint8).  The bar is the issue's, PyTorch's + 1 dB: it
 * fails if an int8 operator breaks (the squeeze-excite multiply with
 * exchanged zero points gave 25.4 dB on mnv3-se-block) or the bias
 * correction is lost (lraspp-head falls to 45.2 dB). */

#include "qviz-calibrate.h"
#include "qviz-npy.h"
#include "qviz-onnx.h"
#include "qviz-plan.h"
#include "qviz-quant.h"

#include <stdlib.h>

static char *
fixture (const char *name, const char *suffix)
{
  g_autofree char *file = g_strconcat (name, suffix, NULL);
  return g_test_build_filename (G_TEST_DIST, "fixtures", file, NULL);
}

static double
qviz_int8_sqnr (const char *name, QvizCalibrationMethod method, double *pytorch_db)
{
  g_autofree char *model = fixture (name, ".onnx");
  g_autofree char *calib = fixture (name, ".calib.npy");
  g_autofree char *in_path = fixture (name, ".input.npy");
  g_autofree char *out_path = fixture (name, ".output.npy");
  g_autofree char *db_path = fixture (name, ".pytorch-sqnr.txt");
  g_autofree char *db_text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = qviz_onnx_load (model, &error);
  g_autoptr (QvizPlan) plan = NULL;
  g_autofree float *x = NULL, *want = NULL, *got = NULL;
  QvizCalibrationConfig cc;
  QvizPlanConfig pc;
  QvizShape xs, ys;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (db_path, &db_text, NULL, NULL));
  *pytorch_db = g_ascii_strtod (db_text, NULL);
  x = qviz_npy_read (in_path, &xs, &error);
  g_assert_no_error (error);
  want = qviz_npy_read (out_path, &ys, &error);
  g_assert_no_error (error);

  qviz_calibration_config_init (&cc);
  cc.method = method;
  cc.source = calib;
  cc.height = (int) xs.dims[2];
  cc.width = (int) xs.dims[3];
  g_assert_true (qviz_calibrate (g, &cc, &error));
  g_assert_no_error (error);

  qviz_plan_config_init (&pc);
  pc.precision = QVIZ_PRECISION_INT8;
  pc.height = (int) xs.dims[2];
  pc.width = (int) xs.dims[3];
  plan = qviz_plan_new (g, &pc, &error);
  g_assert_no_error (error);
  qviz_plan_set_input_nchw (plan, x);
  qviz_plan_run (plan, NULL);
  g_assert_cmpint (qviz_shape_numel (qviz_plan_get_output_shape (plan, 0)), ==,
                   qviz_shape_numel (&ys));
  got = g_new (float, qviz_shape_numel (&ys));
  qviz_plan_get_output (plan, 0, got);
  return qviz_sqnr_db (want, got, (gsize) qviz_shape_numel (&ys));
}

static void
check_model (gconstpointer data)
{
  const char *name = data;
  QvizCalibrationConfig defaults;
  double pytorch_db, db;

  /* every method, for the record; the default one is held to the bar */
  for (int m = QVIZ_CALIBRATION_MINMAX; m <= QVIZ_CALIBRATION_HISTOGRAM; m++)
    {
      db = qviz_int8_sqnr (name, (QvizCalibrationMethod) m, &pytorch_db);
      g_test_message ("%s: qviz int8 %.2f dB (%s), PyTorch FX PTQ %.2f dB", name, db,
                      qviz_calibration_method_name ((QvizCalibrationMethod) m), pytorch_db);
    }
  qviz_calibration_config_init (&defaults);
  db = qviz_int8_sqnr (name, defaults.method, &pytorch_db);
  g_assert_cmpfloat (pytorch_db, >, 10);
  g_assert_cmpfloat (db, >=, pytorch_db + 1.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/pytorch-ptq/mnv3-se-block", "mnv3-se-block", check_model);
  g_test_add_data_func ("/pytorch-ptq/effnet-silu-block", "effnet-silu-block", check_model);
  g_test_add_data_func ("/pytorch-ptq/lraspp-head", "lraspp-head", check_model);
  return g_test_run ();
}
