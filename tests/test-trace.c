/* test-trace.c: qviz-cli import-trace on real ONNX Runtime profiles and
 * PyTorch chrome traces (tests/fixtures/traces, made by
 * tools/make-trace-fixtures): every layer mapped, each pass's layer times
 * adding up to the pass, the engine and cold passes recorded, and the
 * refusals leaving the database byte for byte as it was. */

#include "cli-harness.h"
#include "qviz-chart-adapt.h"
#include "qviz-chart-style.h"
#include "qviz-curves-painter.h"
#include "qviz-store.h"
#include "qviz-trace.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static char *tmpdir;

typedef QvizCliResult Result;

#define cli qviz_test_cli
#define result_clear qviz_cli_result_clear

#define N_MODEL_LAYERS 10   /* qviz-cli info trace-dilated.onnx */

static char *
fixture (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "traces", name, NULL);
}

static char *
model_path (void)
{
  return fixture ("trace-dilated.onnx");
}

/* The percentage import-trace printed for a file: "..., 94.7% of the time". */
static double
printed_share (const char *out, const char *file)
{
  g_autofree char *base = g_path_get_basename (file);
  const char *line = strstr (out, base);
  const char *of;
  double share;

  g_assert_nonnull (line);
  of = strstr (line, "% of the time");
  g_assert_nonnull (of);
  while (of > line && (g_ascii_isdigit (of[-1]) || of[-1] == '.'))
    of--;
  share = g_ascii_strtod (of, NULL);
  g_assert_cmpfloat (share, >, 0);
  return share;
}

static QvizRun *
only_run (const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = qviz_store_open (db, QVIZ_STORE_READ_ONLY, &error);
  g_autoptr(GPtrArray) sweeps = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  QvizSweep *sweep;

  g_assert_no_error (error);
  sweeps = qviz_store_list_sweeps (store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sweeps->len, ==, 1);
  sweep = g_ptr_array_index (sweeps, 0);
  g_assert_cmpint (sweep->status, ==, QVIZ_SWEEP_COMPLETE);
  runs = qviz_store_list_runs (store, sweep->uuid, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 1);
  return g_steal_pointer (&g_ptr_array_index (runs, 0));
}

typedef struct {
  const char *file;
  const char *engine;
  const char *precision;
  guint cold;
  gboolean fused_adds;      /* ONNX Runtime's NCHWc convolutions absorb the adds */
} Case;

static const Case cases[] = {
  { "pytorch-f32.json", "pytorch 1.13", "f32", 2, FALSE },
  { "pytorch-int8-onednn.json", "pytorch 1.13 onednn", "int8", 2, FALSE },
  { "pytorch-int8-qnnpack.json", "pytorch 1.13 qnnpack", "int8", 2, FALSE },
  { "ort-f32.json", "onnxruntime CPU", "f32", 1, FALSE },
  { "ort-f32-nchwc.json", "onnxruntime CPU", "f32", 1, TRUE },
  /* the QDQ export, mapped onto the float model's layers */
  { "ort-int8.json", "onnxruntime CPU", "int8", 1, FALSE },
};

static void
test_fixture (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *trace = fixture (c->file);
  g_autofree char *model = model_path ();
  g_autofree char *db = g_strdup_printf ("%s/%s.sqlite", tmpdir, c->file);
  g_autoptr(QvizRun) run = NULL;
  Result r = cli ("import-trace", trace, "--model", model, "--db", db, NULL);
  double share, pass_total = 0, mapped_total = 0;
  guint n_passes;
  const QvizRunLayer *overhead;

  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "10 of 10 layers"));
  g_assert_null (strstr (r.out, "no event maps to"));
  share = printed_share (r.out, trace);

  run = only_run (db);
  g_assert_cmpstr (run->engine, ==, c->engine);
  g_assert_cmpstr (run->precision, ==, c->precision);
  g_assert_cmpint (run->height, ==, 64);
  g_assert_cmpint (run->width, ==, 64);
  g_assert_cmpint (run->threads, ==, 1);
  g_assert_cmpuint (run->cold_ms->len, ==, c->cold);
  g_assert_cmpuint (run->warm_ms->len, >=, 3);
  g_assert_cmpuint (run->layers->len, ==, N_MODEL_LAYERS + 1);
  overhead = qviz_run_get_layer (run, N_MODEL_LAYERS);
  g_assert_cmpstr (overhead->name, ==, QVIZ_TRACE_OVERHEAD_LAYER);

  /* Every pass: the layers and the overhead add up to the pass, and the
   * layers alone fall short of it by exactly the overhead. */
  n_passes = qviz_run_n_passes (run);
  for (guint p = 0; p < n_passes; p++)
    {
      double pass = p < run->cold_ms->len ? g_array_index (run->cold_ms, double, p)
                                           : g_array_index (run->warm_ms, double,
                                                            p - run->cold_ms->len);
      double layers = 0;

      for (guint l = 0; l < N_MODEL_LAYERS; l++)
        {
          const QvizRunLayer *layer = qviz_run_get_layer (run, l);
          double ms = g_array_index (layer->pass_ms, float, p);

          g_assert_cmpuint (layer->pass_ms->len, ==, n_passes);
          if (c->fused_adds && g_str_equal (layer->op, "add"))
            {
              /* absorbed: no time of its own, and said so */
              g_assert_cmpfloat (ms, ==, 0);
              g_assert_nonnull (strstr (layer->reason, "fused by onnxruntime"));
            }
          else
            g_assert_cmpfloat (ms, >, 0);  /* every layer mapped, in every pass */
          layers += ms;
        }
      g_assert_cmpfloat (fabs (pass - layers - g_array_index (overhead->pass_ms, float, p)),
                         <, 1e-4 * pass + 1e-4);
      g_assert_cmpfloat (layers, <=, pass * (1 + 1e-5));
      pass_total += pass;
      mapped_total += layers;
    }
  /* the share printed is the share stored */
  g_assert_cmpfloat (fabs (share - 100 * mapped_total / pass_total), <, 0.051);

  /* flame chart spans: the whole pass and its layers inside it, for each
   * cold pass and one warm pass */
  {
    guint whole = 0, layer_spans = 0;
    for (guint i = 0; i < run->spans->len; i++)
      {
        const QvizRunSpan *s = qviz_run_get_span (run, i);
        if (s->layer < 0)
          whole++;
        else
          {
            g_assert_cmpint (s->layer, <, N_MODEL_LAYERS);
            g_assert_cmpint (s->start_ns, >=, 0);
            g_assert_cmpint (s->end_ns, >=, s->start_ns);
            layer_spans++;
          }
      }
    g_assert_cmpuint (whole, ==, c->cold + 1);
    g_assert_cmpuint (layer_spans, >=, (c->cold + 1) * (N_MODEL_LAYERS - (c->fused_adds ? 2 : 0)));
  }
  result_clear (&r);

  /* show names the engine */
  r = cli ("show", run->uuid, "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, c->engine));
  g_assert_nonnull (strstr (r.out, QVIZ_TRACE_OVERHEAD_LAYER));
  result_clear (&r);
}

/* The question of the second report: PyTorch's quantized engines prepack
 * on the first pass; the import keeps that pass apart, so the warm median
 * stays the steady state. */
static void
test_cold_apart (void)
{
  g_autofree char *trace = fixture ("pytorch-int8-onednn.json");
  g_autofree char *model = model_path ();
  g_autofree char *db = g_strdup_printf ("%s/cold.sqlite", tmpdir);
  g_autoptr(QvizRun) run = NULL;
  Result r = cli ("import-trace", trace, "--model", model, "--db", db, "--cold", "1",
                  "--engine", "pytorch 1.13 onednn (renamed)", "--res", "64", NULL);

  g_assert_cmpint (r.status, ==, 0);
  run = only_run (db);
  g_assert_cmpuint (run->cold_ms->len, ==, 1);
  g_assert_cmpuint (run->warm_ms->len, ==, 4);
  g_assert_cmpstr (run->engine, ==, "pytorch 1.13 onednn (renamed)");
  g_assert_cmpfloat (g_array_index (run->cold_ms, double, 0), >, 2 * run->stats.median);
  result_clear (&r);

  /* show names the layers that made the first pass slow, slowest first */
  {
    g_autoptr(GArray) slow = qviz_run_cold_layers (run, 0);
    const QvizRunLayer *first;
    g_autofree char *line = NULL;

    g_assert_cmpuint (slow->len, >, 0);
    first = qviz_run_get_layer (run, g_array_index (slow, guint, 0));
    for (guint k = 0; k < slow->len; k++)
      {
        const QvizRunLayer *l = qviz_run_get_layer (run, g_array_index (slow, guint, k));
        g_assert_cmpfloat (g_array_index (l->pass_ms, float, 0), >, l->stats.median);
        if (k > 0)
          g_assert_cmpfloat (g_array_index (l->pass_ms, float, 0) - l->stats.median, <=,
                             g_array_index (first->pass_ms, float, 0) - first->stats.median);
      }
    r = cli ("show", run->uuid, "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 0);
    line = g_strdup_printf ("cold pass 1, slower than warm by layer: %s ", first->name);
    g_assert_nonnull (strstr (r.out, line));
    result_clear (&r);
  }
}

/* Several traces in one command: one sweep, one run each. */
static void
test_one_sweep (void)
{
  g_autofree char *a = fixture ("pytorch-f32.json");
  g_autofree char *b = fixture ("pytorch-int8-onednn.json");
  g_autofree char *c = fixture ("ort-f32.json");
  g_autofree char *model = model_path ();
  g_autofree char *db = g_strdup_printf ("%s/sweep.sqlite", tmpdir);
  Result r = cli ("import-trace", a, b, c, "--model", model, "--db", db, NULL);

  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "3 runs"));
  g_assert_cmpint (qviz_test_sql_int (db, "SELECT count(*) FROM sweeps"), ==, 1);
  g_assert_cmpint (qviz_test_sql_int (db, "SELECT count(DISTINCT engine) FROM runs"), ==, 3);
  g_assert_cmpint (qviz_test_sql_int (db, "SELECT count(*) FROM runs WHERE engine = 'qviz'"), ==, 0);
  result_clear (&r);

  /* the CSV export names each run's engine in its last column */
  {
    g_autofree char *sweep = qviz_test_sql_text (db, "SELECT uuid FROM sweeps");
    g_autofree char *csv = g_strdup_printf ("%s/sweep.csv", tmpdir);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    r = cli ("export", sweep, "--db", db, "--csv", csv, NULL);
    g_assert_cmpint (r.status, ==, 0);
    result_clear (&r);
    g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
    lines = g_strsplit (text, "\n", -1);
    g_assert_true (g_str_has_suffix (lines[0], ",engine") || g_str_has_suffix (lines[0], ",engine\r"));
    g_assert_nonnull (strstr (text, ",pytorch 1.13 onednn"));
    g_assert_nonnull (strstr (text, ",onnxruntime CPU"));
  }
}

static QvizRun *
curve_run (const char *engine, const char *precision, int res, double ms)
{
  QvizRun *run = qviz_run_new ();

  g_free (run->engine);
  run->engine = g_strdup (engine);
  run->precision = g_strdup (precision);
  run->height = run->width = res;
  run->threads = 1;
  for (int i = 0; i < 5; i++)
    {
      double v = ms * (1 + 0.01 * i);
      g_array_append_val (run->warm_ms, v);
    }
  qviz_run_compute_stats (run);
  return run;
}

/* The engine is one more axis of the latency curves: one series per engine
 * x precision x threads, labelled by the engine, and the crossover of a
 * runtime's int8 engine against the same runtime's float. */
static void
test_engine_axis (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_free);
  g_autoptr(GPtrArray) series = NULL;
  g_autoptr(QvizCurvesPainter) painter = qviz_curves_painter_new (qviz_chart_style_get_light ());
  static const int sizes[] = { 256, 512, 1024 };
  gboolean seen_qviz = FALSE, seen_onednn = FALSE, seen_qnnpack = FALSE;
  double at = 0;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      double scale = sizes[i] / 256.0 * sizes[i] / 256.0;
      /* int8 onednn: faster at 256, slower from 512 on (the first report) */
      g_ptr_array_add (runs, curve_run ("pytorch 1.13", "f32", sizes[i], 10 * scale));
      g_ptr_array_add (runs, curve_run ("pytorch 1.13 onednn", "int8", sizes[i],
                                        (i == 0 ? 6 : 13) * scale));
      g_ptr_array_add (runs, curve_run ("pytorch 1.13 qnnpack", "int8", sizes[i], 4 * scale));
      g_ptr_array_add (runs, curve_run (QVIZ_ENGINE_QVIZ, "int8", sizes[i], 3 * scale));
    }
  series = qviz_chart_curves_from_runs (runs);
  g_assert_cmpuint (series->len, ==, 4);
  for (guint i = 0; i < series->len; i++)
    {
      const QvizCurveSeries *s = g_ptr_array_index (series, i);

      g_assert_cmpuint (qviz_curve_series_get_n_points (s), ==, 3);
      seen_qviz |= s->sweep == NULL && qviz_curve_series_is_int8 (s);
      seen_onednn |= g_strcmp0 (s->sweep, "pytorch 1.13 onednn") == 0;
      seen_qnnpack |= g_strcmp0 (s->sweep, "pytorch 1.13 qnnpack") == 0;
      qviz_curves_painter_add_series (painter, s);
    }
  g_assert_true (seen_qviz && seen_onednn && seen_qnnpack);
  /* PyTorch's float curve first: its crossover with onednn's int8 */
  g_assert_true (qviz_curves_painter_get_crossover (painter, 1, &at));
  g_assert_cmpfloat (at, >, 256);
  g_assert_cmpfloat (at, <, 512);
}

static char *
write_temp (const char *name, const char *text)
{
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static GBytes *
read_bytes (const char *path)
{
  char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return g_bytes_new (NULL, 0);
  return g_bytes_new_take (data, len);
}

/* Refused: one sentence on stderr naming the file, a non-zero exit, and
 * the database (and its write-ahead log) byte for byte as before. */
static void
assert_refused (const char *db, const char *model, const char *trace, const char *expect)
{
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autoptr(GBytes) before = read_bytes (db), wal_before = read_bytes (wal);
  g_autoptr(GBytes) after = NULL, wal_after = NULL;
  g_autofree char *base = g_path_get_basename (trace);
  Result r = cli ("import-trace", trace, "--model", model, "--db", db, NULL);

  g_assert_cmpint (r.status, !=, 0);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_nonnull (strstr (r.err, base));
  g_assert_nonnull (strstr (r.err, expect));
  g_assert_nonnull (strchr (r.err, '\n'));
  g_assert_cmpstr (strchr (r.err, '\n') + 1, ==, "");   /* one line */
  after = read_bytes (db);
  wal_after = read_bytes (wal);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_true (g_bytes_equal (wal_before, wal_after));
  result_clear (&r);
}

/* Elements no profile holds are passed over; what is left imports. */
static void
test_odd_events (void)
{
  g_autofree char *good = fixture ("ort-f32.json");
  g_autofree char *model = model_path ();
  g_autofree char *db = g_strdup_printf ("%s/odd.sqlite", tmpdir);
  g_autofree char *text = NULL;
  g_autofree char *odd = NULL;
  g_autofree char *path = NULL;
  char *end;
  Result r;

  g_assert_true (g_file_get_contents (good, &text, NULL, NULL));
  end = strrchr (text, ']');
  g_assert_nonnull (end);
  *end = '\0';
  odd = g_strconcat (text,
                     ", 42, \"x\", null, [], {}, {\"ph\": \"X\"},"
                     "{\"ph\": \"X\", \"name\": \"model_run\", \"cat\": \"Session\", \"ts\": 0,"
                     " \"dur\": 1e300, \"pid\": 31189, \"tid\": 31189},"
                     "{\"ph\": \"X\", \"name\": \"model_run\", \"ts\": \"soon\", \"dur\": 5},"
                     "{\"ph\": \"X\", \"name\": \"/head/Conv_kernel_time\", \"cat\": \"Node\","
                     " \"ts\": -5, \"dur\": -1, \"args\": 7}]", NULL);
  path = g_build_filename (tmpdir, "odd.json", NULL);
  g_assert_true (g_file_set_contents (path, odd, -1, NULL));

  r = cli ("import-trace", path, "--model", model, "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "4 passes (1 cold)"));
  g_assert_nonnull (strstr (r.out, "10 of 10 layers"));
  result_clear (&r);
}

static void
test_refusals (void)
{
  g_autofree char *model = model_path ();
  g_autofree char *good = fixture ("ort-f32.json");
  g_autofree char *pytorch = fixture ("pytorch-f32.json");
  g_autofree char *db = g_strdup_printf ("%s/refusals.sqlite", tmpdir);
  g_autofree char *other_model = g_test_build_filename (G_TEST_DIST, "fixtures",
                                                        "lraspp-head.onnx", NULL);
  g_autofree char *not_json = write_temp ("notes.json", "model_run took 3 ms\n");
  g_autofree char *not_trace = write_temp ("config.json", "{\"threads\": 4}");
  g_autofree char *no_events = write_temp ("empty-trace.json", "{\"traceEvents\": []}");
  g_autofree char *no_pass = write_temp (
    "no-pass.json",
    "{\"traceEvents\": ["
    "{\"name\": \"stem.0\", \"ph\": \"X\", \"ts\": 10, \"dur\": 50, \"tid\": 1, \"pid\": 1},"
    "{\"name\": \"aten::conv2d\", \"ph\": \"X\", \"ts\": 12, \"dur\": 40, \"tid\": 1, \"pid\": 1}]}");
  g_autofree char *truncated = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  Result r;

  /* a database with a sweep in it already */
  r = cli ("import-trace", good, "--model", model, "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);

  g_assert_true (g_file_get_contents (pytorch, &contents, &len, NULL));
  contents[len / 2] = '\0';
  truncated = write_temp ("truncated.json", contents);

  assert_refused (db, model, not_json, "is not a trace");
  assert_refused (db, model, not_trace, "is not a trace");
  assert_refused (db, model, no_events, "is not a trace");
  assert_refused (db, model, truncated, "is not a trace");
  assert_refused (db, model, model, "is not a trace");     /* an ONNX file */
  assert_refused (db, model, no_pass, "has no complete pass");
  assert_refused (db, other_model, pytorch, "is not a trace of lraspp-head");
  assert_refused (db, other_model, good, "is not a trace of lraspp-head");

  /* one bad file among good ones: nothing of the command is stored */
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autoptr(GBytes) before = read_bytes (db), wal_before = read_bytes (wal);
    g_autoptr(GBytes) after = NULL, wal_after = NULL;

    r = cli ("import-trace", good, no_pass, "--model", model, "--db", db, NULL);
    g_assert_cmpint (r.status, !=, 0);
    after = read_bytes (db);
    wal_after = read_bytes (wal);
    g_assert_true (g_bytes_equal (before, after));
    g_assert_true (g_bytes_equal (wal_before, wal_after));
    result_clear (&r);
  }

  /* bad options are refused before any file is read */
  r = cli ("import-trace", good, "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--model"));
  result_clear (&r);
  r = cli ("import-trace", good, "--model", model, "--precision", "int4", "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "int4"));
  result_clear (&r);
  g_assert_cmpint (qviz_test_sql_int (db, "SELECT count(*) FROM runs"), ==, 1);
}

int
main (int argc, char **argv)
{
  int status;

  tmpdir = qviz_test_cli_init (&argc, &argv, "qviz-trace-XXXXXX");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/trace/import/%s", cases[i].file);
      g_test_add_data_func (name, &cases[i], test_fixture);
    }
  g_test_add_func ("/trace/cold-apart", test_cold_apart);
  g_test_add_func ("/trace/one-sweep", test_one_sweep);
  g_test_add_func ("/trace/engine-axis", test_engine_axis);
  g_test_add_func ("/trace/odd-events", test_odd_events);
  g_test_add_func ("/trace/refusals", test_refusals);
  status = g_test_run ();
  return qviz_test_cli_finish (status, tmpdir);
}
