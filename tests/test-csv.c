/* test-csv.c: the RFC 4180 writer and the run export, read back by a small
 * independent RFC 4180 parser. */
#include <locale.h>
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "qviz-csv.h"
#include "qviz-graph.h"

/* ---- an RFC 4180 reader --------------------------------------------- */

/* Parses text into rows (GPtrArray of GStrv).  Quoted fields may hold
 * commas, CR, LF and doubled quotes; a line ends with LF or CRLF.  Fails the
 * test on malformed input (a quote inside an unquoted field, text after a
 * closing quote, an unterminated quote). */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  GPtrArray *row = g_ptr_array_new ();
  GString *field = g_string_new (NULL);
  const char *p = text;
  gboolean at_field_start = TRUE, quoted = FALSE, after_quote = FALSE;

  while (*p != '\0')
    {
      char c = *p;

      if (quoted)
        {
          if (c == '"' && p[1] == '"')
            {
              g_string_append_c (field, '"');
              p += 2;
              continue;
            }
          if (c == '"')
            {
              quoted = FALSE;
              after_quote = TRUE;
              p++;
              continue;
            }
          g_string_append_c (field, c);
          p++;
          continue;
        }
      if (c == '"')
        {
          g_assert_true (at_field_start); /* quote inside an unquoted field */
          quoted = TRUE;
          at_field_start = FALSE;
          p++;
          continue;
        }
      if (c == ',' || c == '\n' || (c == '\r' && p[1] == '\n'))
        {
          g_ptr_array_add (row, g_string_free (field, FALSE));
          field = g_string_new (NULL);
          at_field_start = TRUE;
          after_quote = FALSE;
          if (c == '\r')
            p++;
          if (c != ',')
            {
              g_ptr_array_add (row, NULL);
              g_ptr_array_add (rows, g_ptr_array_free (row, FALSE));
              row = g_ptr_array_new ();
            }
          p++;
          continue;
        }
      g_assert_false (after_quote); /* text after a closing quote */
      g_string_append_c (field, c);
      at_field_start = FALSE;
      p++;
    }
  g_assert_false (quoted);
  /* every row ends with a line end: nothing may be pending */
  g_assert_true (at_field_start);
  g_assert_cmpuint (field->len, ==, 0);
  g_assert_cmpuint (row->len, ==, 0);
  g_string_free (field, TRUE);
  g_ptr_array_free (row, TRUE);
  return rows;
}

static GPtrArray *
parse_file (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return parse_csv (text);
}

static int
column (GPtrArray *rows, const char *name)
{
  char **header = rows->pdata[0];

  for (int i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], name))
      return i;
  g_error ("no column %s", name);
  return -1;
}

static void
assert_rectangular (GPtrArray *rows)
{
  guint width = g_strv_length (rows->pdata[0]);

  g_assert_cmpuint (width, >, 1);
  for (guint i = 1; i < rows->len; i++)
    g_assert_cmpuint (g_strv_length (rows->pdata[i]), ==, width);
}

/* ---- writer --------------------------------------------------------- */

static void
test_quoting (void)
{
  const char *fields[] = {
    "plain", "a,b", "say \"hi\"", "line1\nline2", "cr\r\nlf", "", NULL, " spaced ",
    "\"", ",", "naïve ünïcode — ok", "trailing\n",
  };
  const char *expected_text =
    "plain,\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",\"cr\r\nlf\",,, spaced ,"
    "\"\"\"\",\",\",naïve ünïcode — ok,\"trailing\n\"\n";
  g_autoptr(QvizCsv) csv = qviz_csv_new ();
  g_autoptr(GPtrArray) rows = NULL;
  char **row;
  gsize len;

  qviz_csv_add_row (csv, fields, G_N_ELEMENTS (fields));
  qviz_csv_add_row (csv, fields, G_N_ELEMENTS (fields));
  g_assert_cmpuint (qviz_csv_get_n_rows (csv), ==, 2);
  g_assert_true (g_str_has_prefix (qviz_csv_get_text (csv, &len), expected_text));
  g_assert_cmpuint (len, ==, 2 * strlen (expected_text));

  rows = parse_csv (qviz_csv_get_text (csv, NULL));
  g_assert_cmpuint (rows->len, ==, 2);
  row = rows->pdata[1];
  g_assert_cmpuint (g_strv_length (row), ==, G_N_ELEMENTS (fields));
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_assert_cmpstr (row[i], ==, fields[i] != NULL ? fields[i] : "");
}

static void
test_numbers (void)
{
  const double values[] = { 0.1, 1.0 / 3.0, 1e-300, -2.5e17, 123456789.125, 0.0 };
  g_autoptr(QvizCsv) csv = qviz_csv_new ();
  g_autoptr(GPtrArray) rows = NULL;
  char **row;
  /* a decimal comma must not leak into the file */
  const char *old = setlocale (LC_NUMERIC, NULL);
  g_autofree char *saved = g_strdup (old);
  gboolean comma_locale = setlocale (LC_NUMERIC, "de_DE.UTF-8") != NULL
                          || setlocale (LC_NUMERIC, "fr_FR.UTF-8") != NULL;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    qviz_csv_add_double (csv, values[i]);
  qviz_csv_add_double (csv, NAN);
  qviz_csv_add_double (csv, INFINITY);
  qviz_csv_add_int (csv, G_MININT64);
  qviz_csv_add_uint (csv, G_MAXUINT64);
  qviz_csv_add_bool (csv, TRUE);
  qviz_csv_add_bool (csv, FALSE);
  qviz_csv_end_row (csv);
  setlocale (LC_NUMERIC, saved);
  if (!comma_locale)
    g_test_message ("no decimal-comma locale installed; checked in the C locale only");

  rows = parse_csv (qviz_csv_get_text (csv, NULL));
  row = rows->pdata[0];
  g_assert_cmpuint (g_strv_length (row), ==, G_N_ELEMENTS (values) + 6);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_assert_null (strchr (row[i], ','));
      /* the shortest text that reads back to the same double */
      g_assert_cmpfloat (g_ascii_strtod (row[i], NULL), ==, values[i]);
    }
  g_assert_cmpstr (row[0], ==, "0.1");
  g_assert_cmpstr (row[G_N_ELEMENTS (values)], ==, "");     /* NAN */
  g_assert_cmpstr (row[G_N_ELEMENTS (values) + 1], ==, ""); /* inf */
  g_assert_cmpstr (row[G_N_ELEMENTS (values) + 2], ==, "-9223372036854775808");
  g_assert_cmpstr (row[G_N_ELEMENTS (values) + 3], ==, "18446744073709551615");
  g_assert_cmpstr (row[G_N_ELEMENTS (values) + 4], ==, "true");
  g_assert_cmpstr (row[G_N_ELEMENTS (values) + 5], ==, "false");
}

static void
test_companion_path (void)
{
  g_autofree char *a = qviz_csv_companion_path ("out.csv", "layers");
  g_autofree char *b = qviz_csv_companion_path ("out", "samples");
  g_autofree char *c = qviz_csv_companion_path ("dir.v2/run.data.csv", "spans");
  g_autofree char *d = qviz_csv_companion_path ("out.csv", NULL);

  g_assert_cmpstr (a, ==, "out-layers.csv");
  g_assert_cmpstr (b, ==, "out-samples.csv");
  g_assert_cmpstr (c, ==, "dir.v2/run.data-spans.csv");
  g_assert_cmpstr (d, ==, "out.csv");
}

/* ---- export --------------------------------------------------------- */

static const char *const names[] = {
  "backbone/features.0/conv", "aspp, branch \"2\"", "multi\nline", "head/cls",
};

static QvizRun *
make_run (const QvizSweep *sweep, const char *precision, int res, guint seed)
{
  QvizRun *run = qviz_run_new ();
  g_autoptr(GRand) r = g_rand_new_with_seed (seed);

  run->sweep_uuid = g_strdup (sweep->uuid);
  run->machine_id = g_strdup (sweep->machine_id);
  run->model_sha256 = g_strdup (sweep->model_sha256);
  run->precision = g_strdup (precision);
  run->height = run->width = res;
  run->threads = 2;
  run->conv_algo = g_strdup ("auto");
  run->isa = g_strdup ("avx512vnni");
  run->iterations = 5;
  run->warmup = 2;
  run->plan_ms = 7.5;
  run->sqnr_db = g_str_equal (precision, "int8") ? 33.25 : NAN;
  run->started = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  run->finished = run->started + G_USEC_PER_SEC;
  g_free (run->message);
  run->message = g_strdup ("fine, \"really\"");
  for (int i = 0; i < 2; i++)
    {
      double ms = 100.0 + g_rand_double (r);
      g_array_append_val (run->cold_ms, ms);
    }
  for (int i = 0; i < 5; i++)
    {
      double ms = 10.0 + g_rand_double (r);
      g_array_append_val (run->warm_ms, ms);
    }
  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      QvizRunLayer *l = qviz_run_add_layer (run);

      l->name = g_strdup (names[k]);
      l->op = g_strdup ("conv");
      l->kernel = g_strdup ("qs8 dwconv 5x5, indirect");
      l->reason = g_strdup ("dilated \"5\"");
      l->fused = g_strdup ("");
      l->in_shape = g_strdup ("1x16x64x64");
      l->out_shape = g_strdup ("1x16x64x64");
      l->kernel_h = l->kernel_w = 5;
      l->stride_h = l->stride_w = 1;
      l->dilation_h = l->dilation_w = 5;
      l->groups = 16;
      l->depthwise = l->dilated = k == 1;
      l->layer_class = g_strdup ("dilated-depthwise");
      l->macs = 1000000 * (k + 1);
      for (int p = 0; p < 7; p++)
        {
          float ms = (float) g_rand_double_range (r, 0.5, 2.0);
          g_array_append_val (l->pass_ms, ms);
        }
      qviz_run_add_span (run, 0, TRUE, (int) k, k == 2 ? "pack" : NULL, 10 * k, 10 * k + 5);
    }
  qviz_run_compute_stats (run);
  return run;
}

static void
test_export_sweep (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("qviz-csv-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "runs.sqlite", NULL);
  g_autofree char *out = g_build_filename (dir, "sweep.csv", NULL);
  g_autofree char *layers_path = qviz_csv_companion_path (out, "layers");
  g_autofree char *samples_path = qviz_csv_companion_path (out, "samples");
  g_autofree char *spans_path = qviz_csv_companion_path (out, "spans");
  g_autoptr(QvizStore) store = qviz_store_open (db, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr(QvizMachine) m = qviz_machine_new ();
  g_autoptr(QvizModelInfo) mi = qviz_model_info_new ();
  g_autoptr(QvizSweep) sweep = qviz_sweep_new ();
  g_autoptr(QvizRun) f32 = NULL;
  g_autoptr(QvizRun) int8 = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GPtrArray) samples = NULL;
  g_autoptr(GPtrArray) spans = NULL;
  int c_uuid, c_median, c_sqnr, c_prec, c_msg, c_name, c_layer, c_ms, c_pass, c_cold;
  guint n_whole = 0, n_layer = 0;

  g_assert_no_error (error);
  m->hostname = g_strdup ("bench, rack \"3\"");
  m->cpu_model = g_strdup ("Test CPU");
  m->isa_flags = g_strdup ("avx2");
  qviz_machine_compute_id (m);
  mi->sha256 = g_strdup ("aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11");
  mi->name = g_strdup ("lraspp-mnv3");
  mi->source = g_strdup ("builtin");
  sweep->machine_id = g_strdup (m->id);
  sweep->model_sha256 = g_strdup (mi->sha256);
  g_assert_true (qviz_store_put_machine (store, m, &error));
  g_assert_true (qviz_store_put_model (store, mi, &error));
  g_assert_true (qviz_store_sweep_begin (store, sweep, &error));
  f32 = make_run (sweep, "f32", 256, 1);
  int8 = make_run (sweep, "int8", 256, 2);
  g_assert_true (qviz_store_put_run (store, f32, &error));
  g_assert_true (qviz_store_put_run (store, int8, &error));
  g_assert_no_error (error);

  g_assert_true (qviz_csv_export_sweep (store, sweep->uuid, out, &error));
  g_assert_no_error (error);

  runs = parse_file (out);
  layers = parse_file (layers_path);
  samples = parse_file (samples_path);
  spans = parse_file (spans_path);
  assert_rectangular (runs);
  assert_rectangular (layers);
  assert_rectangular (samples);
  assert_rectangular (spans);
  g_assert_cmpuint (runs->len, ==, 1 + 2);
  g_assert_cmpuint (layers->len, ==, 1 + 2 * G_N_ELEMENTS (names));
  g_assert_cmpuint (samples->len, ==, 1 + 2 * (7 + 7 * G_N_ELEMENTS (names)));
  g_assert_cmpuint (spans->len, ==, 1 + 2 * G_N_ELEMENTS (names));

  /* runs: f32 first, values read back exactly */
  c_uuid = column (runs, "run_uuid");
  c_median = column (runs, "median_ms");
  c_sqnr = column (runs, "sqnr_db");
  c_prec = column (runs, "precision");
  c_msg = column (runs, "message");
  for (guint i = 1; i < runs->len; i++)
    {
      char **row = runs->pdata[i];
      const QvizRun *run = i == 1 ? f32 : int8;

      g_assert_cmpstr (row[c_uuid], ==, run->uuid);
      g_assert_cmpstr (row[c_prec], ==, run->precision);
      g_assert_cmpstr (row[c_msg], ==, "fine, \"really\"");
      g_assert_cmpfloat (g_ascii_strtod (row[c_median], NULL), ==, run->stats.median);
      g_assert_cmpstr (row[column (runs, "hostname")], ==, "bench, rack \"3\"");
      g_assert_cmpstr (row[column (runs, "model_name")], ==, "lraspp-mnv3");
      g_assert_cmpstr (row[column (runs, "started")], ==, "2023-11-14T22:13:20Z");
      g_assert_cmpstr (row[column (runs, "n_cold")], ==, "2");
      g_assert_cmpfloat (g_ascii_strtod (row[column (runs, "first_pass_ms")], NULL), ==,
                         g_array_index (run->cold_ms, double, 0));
      if (i == 1)
        g_assert_cmpstr (row[c_sqnr], ==, "");
      else
        g_assert_cmpstr (row[c_sqnr], ==, "33.25");
    }

  /* layers: awkward names survive */
  c_name = column (layers, "name");
  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      char **row = layers->pdata[1 + k];
      const QvizRunLayer *l = qviz_run_get_layer (f32, k);

      g_assert_cmpstr (row[c_name], ==, names[k]);
      g_assert_cmpstr (row[column (layers, "kernel")], ==, "qs8 dwconv 5x5, indirect");
      g_assert_cmpstr (row[column (layers, "reason")], ==, "dilated \"5\"");
      g_assert_cmpstr (row[column (layers, "dilated")], ==, k == 1 ? "true" : "false");
      g_assert_cmpfloat (g_ascii_strtod (row[column (layers, "median_ms")], NULL), ==,
                         l->stats.median);
      g_assert_cmpfloat (g_ascii_strtod (row[column (layers, "gops")], NULL), ==, l->gops);
    }

  /* samples: every pass of the run and of each layer, cold flagged */
  c_layer = column (samples, "layer");
  c_ms = column (samples, "ms");
  c_pass = column (samples, "pass");
  c_cold = column (samples, "cold");
  for (guint i = 1; i < samples->len; i++)
    {
      char **row = samples->pdata[i];
      int pass = atoi (row[c_pass]);

      g_assert_cmpstr (row[c_cold], ==, pass < 2 ? "true" : "false");
      if (g_str_equal (row[c_layer], "-1"))
        {
          n_whole++;
          g_assert_cmpstr (row[column (samples, "layer_name")], ==, "");
        }
      else
        n_layer++;
      if (i <= 7) /* the f32 run's own passes come first */
        g_assert_cmpfloat (g_ascii_strtod (row[c_ms], NULL), ==,
                           pass < 2 ? g_array_index (f32->cold_ms, double, pass)
                                    : g_array_index (f32->warm_ms, double, pass - 2));
    }
  g_assert_cmpuint (n_whole, ==, 2 * 7);
  g_assert_cmpuint (n_layer, ==, 2 * 7 * G_N_ELEMENTS (names));

  /* spans name their layer and phase */
  g_assert_cmpstr (((char **) spans->pdata[3])[column (spans, "layer_name")], ==, names[2]);
  g_assert_cmpstr (((char **) spans->pdata[3])[column (spans, "phase")], ==, "pack");

  /* a folder that is not there: one sentence naming the file */
  {
    g_autofree char *bad = g_build_filename (dir, "missing", "x.csv", NULL);

    g_assert_false (qviz_csv_export_sweep (store, sweep->uuid, bad, &error));
    g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_IO);
    g_assert_nonnull (strstr (error->message, bad));
    g_clear_error (&error);
  }

  /* one run by prefix */
  {
    g_autofree char *one = g_build_filename (dir, "one.csv", NULL);
    g_autofree char *prefix = g_strndup (int8->uuid, 8);
    g_autoptr(GPtrArray) rows = NULL;

    g_assert_true (qviz_csv_export_run (store, prefix, one, &error));
    g_assert_no_error (error);
    rows = parse_file (one);
    g_assert_cmpuint (rows->len, ==, 2);
    g_assert_cmpstr (((char **) rows->pdata[1])[0], ==, int8->uuid);
  }

  g_clear_pointer (&store, qviz_store_close);
  {
    const char *files[] = { "runs.sqlite", "sweep.csv", "sweep-layers.csv", "sweep-samples.csv",
                            "sweep-spans.csv", "one.csv", "one-layers.csv", "one-samples.csv",
                            "one-spans.csv" };
    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *p = g_build_filename (dir, files[i], NULL);
        g_unlink (p);
      }
    g_rmdir (dir);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/csv/quoting", test_quoting);
  g_test_add_func ("/csv/numbers", test_numbers);
  g_test_add_func ("/csv/companion-path", test_companion_path);
  g_test_add_func ("/csv/export-sweep", test_export_sweep);
  return g_test_run ();
}
