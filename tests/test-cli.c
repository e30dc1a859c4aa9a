/* test-cli.c: qviz-cli as a user runs it -- a real binary, a real SQLite
 * file, real .npy files: exit statuses, error sentences, JSON documents,
 * infer round trips, a sweep stored, shown, exported and merged. */

#include "qviz-npy.h"
#include "qviz-input.h"
#include "qviz-plan.h"
#include "qviz-zoo.h"
#include "cli-harness.h"

#include <glib/gstdio.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

static char *tmpdir;

typedef QvizCliResult Result;

#define cli qviz_test_cli
#define result_clear qviz_cli_result_clear

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (p, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (p));
}

static void
test_models (void)
{
  Result r = cli ("models", NULL);
  g_autoptr (JsonNode) root = NULL;
  JsonArray *models;

  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "lraspp-mnv3"));
  g_assert_nonnull (strstr (r.out, "dwsep5x5-d5"));
  result_clear (&r);

  r = cli ("models", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (r.out);
  models = json_object_get_array_member (json_node_get_object (root), "models");
  g_assert_cmpuint (json_array_get_length (models), ==, 8);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (models, 0), "name"),
                   ==, "lraspp-mnv3");
  result_clear (&r);
}

static void
test_info (void)
{
  Result r = cli ("info", "lraspp-mnv3", "--res", "1024", "--json", NULL);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *o;
  JsonArray *layers;
  int dilated = 0;

  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (r.out);
  o = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (o, "height"), ==, 1024);
  g_assert_cmpint (json_object_get_int_member (o, "params"), ==, 3221538);
  layers = json_object_get_array_member (o, "layers");
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      if (json_object_get_boolean_member (l, "dilated"))
        {
          dilated++;
          g_assert_true (json_object_get_boolean_member (l, "depthwise"));
          g_assert_cmpint (json_object_get_int_member (l, "dilation"), ==, 2);
        }
    }
  g_assert_cmpint (dilated, ==, 3);
  result_clear (&r);

  r = cli ("info", "dwsep5x5-d5", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "DD"));
  result_clear (&r);
}

/* The op column fits the longest operator name ("greater_equal"): the
 * column after it starts at the same place on every row. */
static void
test_info_columns (void)
{
  g_autofree char *model = g_test_build_filename (G_TEST_DIST, "fixtures", "select.onnx", NULL);
  Result r = cli ("info", model, NULL);
  g_auto (GStrv) lines = NULL;
  const char *header;
  long fused_at;
  int rows = 0;

  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "greater_equal"));
  lines = g_strsplit (r.out, "\n", -1);
  header = lines[1];
  g_assert_nonnull (strstr (header, "fused"));
  fused_at = strstr (header, "fused") - header;
  for (int i = 2; lines[i] != NULL && g_ascii_isdigit (lines[i][2]); i++)
    {
      /* the fused column holds "-" in this model; the op before it ends
       * in a letter, with at least one space between */
      g_assert_cmpint ((long) strlen (lines[i]), >, fused_at);
      g_assert_cmpint (lines[i][fused_at], ==, '-');
      g_assert_cmpint (lines[i][fused_at - 1], ==, ' ');
      rows++;
    }
  g_assert_cmpint (rows, >=, 10);
  result_clear (&r);
}

static void
test_errors (void)
{
  static const struct {
    const char *args[8];
    const char *message;
  } cases[] = {
    { { "info", "no-such-model" }, "Unknown model 'no-such-model'" },
    { { "info", "mnv2", "--res", "0" }, "Resolution '0' is not valid" },
    { { "run", "conv5x5s2", "--conv-algo", "fast", "--no-store" }, "--conv-algo 'fast' is not known" },
    { { "run", "conv5x5s2", "--threads", "0", "--no-store" }, "Thread count '0' is not valid" },
    { { "run", "conv5x5s2", "--precision", "fp16", "--no-store" }, "Precision 'fp16' is not known" },
    { { "run", "conv5x5s2", "--res", "abc", "--no-store" }, "Resolution 'abc' is not valid" },
    { { "infer", "mnv2", "--input", "/nonexistent.npy", "--output", "/tmp/y.npy" }, "/nonexistent.npy" },
    { { "info", "/nonexistent/model.onnx" }, "/nonexistent/model.onnx: no such file" },
    { { "run", "conv5x5s2", "--calibration-method", "entropy", "--no-store" }, "Unknown calibration method “entropy”" },
    { { "frobnicate" }, "Unknown command 'frobnicate'" },
    { { "show", "ffffffff", "--db", "/nonexistent/dir/x.sqlite" }, "x.sqlite" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *const *a = cases[i].args;
      Result r = cli (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], NULL);
      g_test_message ("%s %s: %d %s", a[0], a[1] ? a[1] : "", r.status, r.err);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, cases[i].message));
      /* One sentence, on one line. */
      g_assert_cmpint (strchr (r.err, '\n') - r.err, ==, (int) strlen (r.err) - 1);
      result_clear (&r);
    }
}

static void
test_bad_npy (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "garbage.npy", NULL);
  g_autofree char *out = g_build_filename (tmpdir, "out.npy", NULL);
  Result r;

  g_assert_true (g_file_set_contents (path, "\x93NUMPY\x01\x00\x10\x00{'descr': '<i4'", -1, NULL));
  r = cli ("infer", "mnv2", "--input", path, "--output", out, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, path));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  result_clear (&r);
}

/* infer writes what the plan computes, for both precisions. */
static void
test_infer_round_trip (void)
{
  g_autofree char *in = g_build_filename (tmpdir, "x.npy", NULL);
  g_autofree char *out = g_build_filename (tmpdir, "y.npy", NULL);
  g_autofree char *out8 = g_build_filename (tmpdir, "y8.npy", NULL);
  g_autofree float *x = qviz_input_synthetic (1, 3, 64, 80, 17);
  QvizShape xs = { 4, { 1, 3, 64, 80 }, FALSE };
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizGraph) g = qviz_zoo_build ("mnv2-faceboxes", &error);
  g_autoptr (QvizPlan) plan = NULL;
  g_autofree float *y = NULL, *expect = NULL, *y8 = NULL;
  QvizShape ys, ys8;
  QvizPlanConfig pc;
  gsize n;
  Result r;

  g_assert_true (qviz_npy_write (in, x, &xs, &error));
  r = cli ("infer", "mnv2-faceboxes", "--input", in, "--output", out, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  y = qviz_npy_read (out, &ys, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ys.rank, ==, 3);
  g_assert_cmpint (ys.dims[2], ==, 4);
  /* The second output (scores) goes next to the first. */
  {
    g_autofree char *second = g_build_filename (tmpdir, "y.1.npy", NULL);
    g_assert_true (g_file_test (second, G_FILE_TEST_EXISTS));
  }

  qviz_plan_config_init (&pc);
  pc.height = 64;
  pc.width = 80;
  plan = qviz_plan_new (g, &pc, &error);
  g_assert_no_error (error);
  qviz_plan_set_input_nchw (plan, x);
  qviz_plan_run (plan, NULL);
  n = (gsize) qviz_shape_numel (qviz_plan_get_output_shape (plan, 0));
  g_assert_cmpuint (n, ==, (gsize) qviz_shape_numel (&ys));
  expect = g_new (float, n);
  qviz_plan_get_output (plan, 0, expect);
  g_assert_cmpmem (y, n * sizeof (float), expect, n * sizeof (float));

  r = cli ("infer", "mnv2-faceboxes", "--input", in, "--output", out8, "--precision", "int8", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  y8 = qviz_npy_read (out8, &ys8, &error);
  g_assert_no_error (error);
  g_assert_cmpuint ((gsize) qviz_shape_numel (&ys8), ==, n);
  {
    double signal = 0, noise = 0;
    for (gsize i = 0; i < n; i++)
      {
        signal += (double) expect[i] * expect[i];
        noise += ((double) expect[i] - y8[i]) * ((double) expect[i] - y8[i]);
      }
    /* Close to float, but not a copy of it. */
    g_assert_cmpfloat (noise, >, 0);
    g_assert_cmpfloat (10 * log10 (signal / noise), >, 10);
  }
}

/* dwsep5x5 at 32x32 on one thread, PRECISIONS, stored in DB: its uuid. */
static char *
run_small_sweep (const char *db, const char *precisions)
{
  Result r = cli ("run", "dwsep5x5", "--res", "32", "--threads", "1", "--precision", precisions,
                  "--iterations", "5", "--cold", "1", "--db", db, "--json", NULL);
  g_autoptr (JsonNode) root = NULL;
  char *uuid;

  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (r.out);
  uuid = g_strdup (json_object_get_string_member (
      json_object_get_object_member (json_node_get_object (root), "sweep"), "uuid"));
  result_clear (&r);
  return uuid;
}

/* A stored sweep whose int8 run is slower than its f32 run: show names the
 * int8 layers behind it, matched to their f32 twins by name, and no
 * other.  The figures are set in the real file after a real sweep. */
static void
test_int8_slower_layers (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "slower.sqlite", NULL);
  g_autofree char *sweep = NULL;
  sqlite3 *conn = NULL;
  Result r;

  sweep = run_small_sweep (db, "f32,int8");

  /* int8: the whole run and its depthwise layer ten times f32's; its
   * pointwise layer a tenth of f32's */
  g_assert_cmpint (sqlite3_open (db, &conn), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (conn,
      "UPDATE runs SET median_ms = 10 * (SELECT median_ms FROM runs WHERE precision = 'f32') "
      "  WHERE precision = 'int8';"
      "UPDATE layers SET median_ms = 10 * (SELECT l.median_ms FROM layers l JOIN runs f "
      "    ON f.uuid = l.run_uuid WHERE f.precision = 'f32' AND l.name = layers.name) "
      "  WHERE run_uuid IN (SELECT uuid FROM runs WHERE precision = 'int8') "
      "    AND name = 'depthwise/conv';"
      "UPDATE layers SET median_ms = 0.1 * (SELECT l.median_ms FROM layers l JOIN runs f "
      "    ON f.uuid = l.run_uuid WHERE f.precision = 'f32' AND l.name = layers.name) "
      "  WHERE run_uuid IN (SELECT uuid FROM runs WHERE precision = 'int8') "
      "    AND name = 'pointwise/conv';",
      NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (conn);

  r = cli ("show", sweep, "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  {
    const char *at = strstr (r.out, "int8 is slower than f32 from 32x32 with 1 thread; "
                                    "layers responsible:\n");
    g_autofree char *tail = NULL;

    g_assert_nonnull (at);
    tail = g_strdup (strchr (at, '\n') + 1);
    g_assert_true (g_str_has_prefix (tail, "  depthwise/conv "));
    g_assert_null (strstr (tail, "pointwise/conv"));
  }
  result_clear (&r);
}

/* A sweep stored in a real database: shown, exported, merged, compared. */
static void
test_sweep_store (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "runs.sqlite", NULL);
  g_autofree char *db2 = g_build_filename (tmpdir, "other.sqlite", NULL);
  g_autofree char *csv = g_build_filename (tmpdir, "sweep.csv", NULL);
  g_autofree char *layers_csv = g_build_filename (tmpdir, "sweep-layers.csv", NULL);
  g_autofree char *png = g_build_filename (tmpdir, "report.png", NULL);
  g_autofree char *sweep = NULL, *sweep2 = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *o;
  JsonArray *runs;
  Result r;

  r = cli ("run", "dwsep5x5", "--res", "32,48", "--threads", "1", "--precision", "f32,int8",
           "--iterations", "5", "--cold", "2", "--db", db, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (r.out);
  o = json_node_get_object (root);
  runs = json_object_get_array_member (o, "runs");
  g_assert_cmpuint (json_array_get_length (runs), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *run = json_array_get_object_element (runs, i);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (run, "cold_ms")), ==, 2);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (run, "warm_ms")), ==, 5);
      if (g_str_equal (json_object_get_string_member (run, "precision"), "int8"))
        g_assert_cmpfloat (json_object_get_double_member (run, "sqnr_db"), >, 15);
    }
  sweep = g_strdup (json_object_get_string_member (json_object_get_object_member (o, "sweep"), "uuid"));
  result_clear (&r);

  r = cli ("runs", "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "dwsep5x5"));
  result_clear (&r);

  /* a name and a note: kept, listed, in JSON; a two-line name refused in
   * one sentence with nothing changed */
  r = cli ("label", sweep, "--name", "baseline", "--note", "before the change", "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  r = cli ("label", sweep, "--name", "two\nlines", "--db", db, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "one line"));
  result_clear (&r);
  r = cli ("label", "ffffffff", "--name", "x", "--db", db, NULL);
  g_assert_cmpint (r.status, !=, 0);
  result_clear (&r);
  r = cli ("runs", "--db", db, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autoptr (JsonNode) listed = parse_json (r.out);
    JsonObject *first = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (listed), "sweeps"), 0);
    g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "baseline");
    g_assert_cmpstr (json_object_get_string_member (first, "note"), ==, "before the change");
  }
  result_clear (&r);

  r = cli ("show", sweep, "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "32x32"));
  g_assert_nonnull (strstr (r.out, "48x48"));
  result_clear (&r);

  r = cli ("export", sweep, "--db", db, "--csv", csv, "--png", png, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_test (csv, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (layers_csv, G_FILE_TEST_EXISTS));
  {
    g_autofree char *bytes = NULL;
    gsize len;
    g_assert_true (g_file_get_contents (png, &bytes, &len, NULL));
    g_assert_cmpuint (len, >, 1000);
    g_assert_cmpmem (bytes, 8, "\x89PNG\r\n\x1a\n", 8);
  }
  result_clear (&r);

  /* A second machine's database, merged twice: the second adds nothing. */
  sweep2 = run_small_sweep (db2, "f32");
  r = cli ("import", db2, "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "added 1 sweeps, 1 runs"));
  result_clear (&r);
  r = cli ("import", db2, "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "added 0 sweeps, 0 runs"));
  result_clear (&r);

  r = cli ("compare", sweep, sweep2, "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "1 matched configuration"));
  result_clear (&r);
}

/* Int8 output SQNR of a QDQ model: against its own float plan (which
 * rounds and clamps as the file says, so int8 matches it closely) or, with
 * --float-model, against the float original, which keeps the rounding error
 * of every quantized tensor in view. */
static double
qdq_int8_sqnr (const char *float_model)
{
  g_autofree char *model = g_test_build_filename (G_TEST_DIST, "fixtures", "qdq-relu-folded.onnx", NULL);
  g_autoptr (JsonNode) root = NULL;
  JsonArray *runs;
  double sqnr = NAN;
  Result r = float_model
    ? cli ("run", model, "--float-model", float_model, "--res", "12", "--threads", "1",
           "--iterations", "2", "--cold", "1", "--no-store", "--json", NULL)
    : cli ("run", model, "--res", "12", "--threads", "1", "--iterations", "2", "--cold", "1",
           "--no-store", "--json", NULL);

  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (r.out);
  runs = json_object_get_array_member (json_node_get_object (root), "runs");
  g_assert_cmpuint (json_array_get_length (runs), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *run = json_array_get_object_element (runs, i);
      if (g_str_equal (json_object_get_string_member (run, "precision"), "int8"))
        sqnr = json_object_get_double_member (run, "sqnr_db");
    }
  result_clear (&r);
  return sqnr;
}

static void
test_float_model (void)
{
  g_autofree char *original = g_test_build_filename (G_TEST_DIST, "fixtures", "qdq-relu-folded-float.onnx", NULL);
  g_autofree char *other = g_test_build_filename (G_TEST_DIST, "fixtures", "classifier.onnx", NULL);
  g_autofree char *model = g_test_build_filename (G_TEST_DIST, "fixtures", "qdq-relu-folded.onnx", NULL);
  double own = qdq_int8_sqnr (NULL), against_original = qdq_int8_sqnr (original);
  Result r;

  g_test_message ("int8 SQNR: %.1f dB against the QDQ float plan, %.1f dB against the original",
                  own, against_original);
  g_assert_cmpfloat (own, >=, 60);
  g_assert_cmpfloat (against_original, >, 20);
  g_assert_cmpfloat (against_original, <, 50);

  /* A float model whose output does not match: one sentence, nothing run. */
  r = cli ("run", model, "--float-model", other, "--res", "12", "--threads", "1",
           "--iterations", "1", "--no-store", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "classifier"));
  g_assert_null (strstr (r.out, "f32    12x12"));
  result_clear (&r);
}

/* Int8 layers that lose accuracy on their own are named: calibrated on
 * inputs fifty times smaller than the ones measured, both layers of
 * dwsep5x5 saturate; calibrated as usual, none is named. */
static void
test_sqnr_warning (void)
{
  g_autofree char *cal = g_build_filename (tmpdir, "tiny.npy", NULL);
  g_autofree float *x = qviz_input_synthetic (2, 96, 32, 32, 5);
  QvizShape xs = { 4, { 2, 96, 32, 32 }, FALSE };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonArray *low;
  Result r;

  for (gsize i = 0; i < (gsize) 2 * 96 * 32 * 32; i++)
    x[i] *= 0.02f;
  g_assert_true (qviz_npy_write (cal, x, &xs, &error));
  r = cli ("run", "dwsep5x5", "--res", "32", "--threads", "1", "--precision", "int8",
           "--iterations", "2", "--cold", "1", "--no-store", "--calibration", cal, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "warning"));
  g_assert_nonnull (strstr (r.err, "depthwise/conv"));
  g_assert_nonnull (strstr (r.err, "below 20 dB"));
  root = parse_json (r.out);
  low = json_object_get_array_member (json_array_get_object_element (
          json_object_get_array_member (json_node_get_object (root), "runs"), 0), "low_sqnr_layers");
  g_assert_cmpuint (json_array_get_length (low), ==, 2);
  result_clear (&r);

  r = cli ("run", "dwsep5x5", "--res", "32", "--threads", "1", "--precision", "int8",
           "--iterations", "2", "--cold", "1", "--no-store", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_null (strstr (r.err, "warning"));
  result_clear (&r);
}

/* --keep-float: the named layer runs in float, its conversions are layers
 * (and so spans) of their own; the model's last layer writes its output in
 * float; an unknown name is one sentence, exit 2. */
static void
test_keep_float (void)
{
  g_autoptr (JsonNode) root = NULL;
  JsonArray *layers;
  gboolean saw[4] = { FALSE, FALSE, FALSE, FALSE };
  Result r = cli ("run", "dwsep5x5", "--res", "32", "--threads", "1", "--precision", "int8",
                  "--iterations", "2", "--cold", "1", "--no-store", "--keep-float",
                  "depthwise/conv", "--json", NULL);

  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (r.out);
  layers = json_object_get_array_member (json_array_get_object_element (
             json_object_get_array_member (json_node_get_object (root), "runs"), 0), "layers");
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      const char *name = json_object_get_string_member (l, "name");
      const char *kernel = json_object_get_string_member (l, "kernel");
      if (g_str_equal (name, "depthwise/conv:dequantize"))
        saw[0] = TRUE;
      else if (g_str_equal (name, "depthwise/conv"))
        saw[1] = g_str_has_prefix (kernel, "f32 ");
      else if (g_str_equal (name, "depthwise/conv:quantize"))
        saw[2] = json_object_get_double_member (l, "accum_sqnr_db") > 20;
      else if (g_str_equal (name, "pointwise/conv"))
        saw[3] = g_str_has_suffix (kernel, " f32 out") &&
                 json_object_get_double_member (l, "accum_sqnr_db") > 20;
    }
  g_assert_true (saw[0] && saw[1] && saw[2] && saw[3]);
  result_clear (&r);

  r = cli ("run", "dwsep5x5", "--res", "32", "--threads", "1", "--precision", "int8",
           "--iterations", "1", "--no-store", "--keep-float", "pointwise", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "'pointwise'"));
  result_clear (&r);
}

int
main (int argc, char **argv)
{
  int status;

  tmpdir = qviz_test_cli_init (&argc, &argv, "qviz-cli-XXXXXX");
  g_test_add_func ("/cli/models", test_models);
  g_test_add_func ("/cli/info", test_info);
  g_test_add_func ("/cli/info-columns", test_info_columns);
  g_test_add_func ("/cli/errors", test_errors);
  g_test_add_func ("/cli/bad-npy", test_bad_npy);
  g_test_add_func ("/cli/infer-round-trip", test_infer_round_trip);
  g_test_add_func ("/cli/sweep-store", test_sweep_store);
  g_test_add_func ("/cli/int8-slower-layers", test_int8_slower_layers);
  g_test_add_func ("/cli/float-model", test_float_model);
  g_test_add_func ("/cli/sqnr-warning", test_sqnr_warning);
  g_test_add_func ("/cli/keep-float", test_keep_float);
  status = g_test_run ();
  return qviz_test_cli_finish (status, tmpdir);
}
