/* test-hostile.c: files someone sends you.  The real qviz-cli against run
 * stores, .npy files and sizes made to break it: none of them may crash,
 * abort, run SQL qviz did not write, print control characters, or change
 * a database it refuses; a sweep killed mid-run is found interrupted. */

#include "cli-harness.h"
#include "qviz-npy.h"
#include "qviz-store.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>

static char *tmpdir;

/* ---- helpers ------------------------------------------------------------ */

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

static void
raw_exec (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char *msg = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
  sqlite3_close (db);
}

/* A one-sentence refusal: status 2, on one line, naming what it names. */
static void
assert_refusal (QvizCliResult *r, const char *names, const char *fragment)
{
  g_test_message ("refused (%d): %s", r->status, r->err);
  g_assert_cmpint (r->status, ==, 2);
  g_assert_nonnull (strstr (r->err, names));
  if (fragment != NULL)
    g_assert_nonnull (strstr (r->err, fragment));
  g_assert_cmpint (strchr (r->err, '\n') - r->err, ==, (int) strlen (r->err) - 1);
}

/* A small real sweep in a new store; returns the sweep's uuid. */
static char *
make_store (const char *db)
{
  QvizCliResult r = qviz_test_cli ("run", "conv5x5s2", "--res", "64", "--iterations", "3",
                                   "--cold", "1", "--precision", "f32,int8", "--db", db,
                                   NULL);
  char *uuid;

  g_assert_cmpint (r.status, ==, 0);
  qviz_cli_result_clear (&r);
  uuid = qviz_test_sql_text (db, "SELECT uuid FROM sweeps ORDER BY created_us DESC LIMIT 1");
  g_assert_nonnull (uuid);
  return uuid;
}

static gboolean
has_control_bytes (const char *text)
{
  for (const guchar *p = (const guchar *) text; *p; p++)
    if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f ||
        (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
      return TRUE;
  return FALSE;
}

/* ---- a store whose schema version is negative ------------------------- */

static void
test_negative_schema_version (void)
{
  g_autofree char *good = tmp_path ("neg-good.sqlite");
  g_autofree char *sweep = make_store (good);
  const char *versions[] = { "-1", "-252", "-1000000" };

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autofree char *bad = g_strdup_printf ("%s/neg%u.sqlite", tmpdir, i);
      g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %s", versions[i]);
      g_autofree char *bad_before = NULL, *bad_after = NULL;
      g_autofree char *good_before = NULL, *good_after = NULL;
      QvizCliResult r;

      g_free (make_store (bad));
      raw_exec (bad, sql);
      bad_before = file_sha256 (bad);
      good_before = file_sha256 (good);

      r = qviz_test_cli ("runs", "--db", bad, NULL);
      assert_refusal (&r, bad, "invalid schema version");
      qviz_cli_result_clear (&r);
      r = qviz_test_cli ("run", "conv5x5s2", "--res", "64", "--iterations", "2", "--db", bad,
                         NULL);
      assert_refusal (&r, bad, "invalid schema version");
      qviz_cli_result_clear (&r);
      r = qviz_test_cli ("import", bad, "--db", good, NULL);
      assert_refusal (&r, bad, "invalid schema version");
      qviz_cli_result_clear (&r);

      bad_after = file_sha256 (bad);
      good_after = file_sha256 (good);
      g_assert_cmpstr (bad_before, ==, bad_after);
      g_assert_cmpstr (good_before, ==, good_after);
    }
}

/* ---- .npy headers that lie -------------------------------------------- */

static char *
write_npy (const char *name, const char *shape, gsize data_bytes)
{
  char *path = tmp_path (name);
  g_autofree char *dict = g_strdup_printf ("{'descr': '<f4', 'fortran_order': False, "
                                           "'shape': (%s), }", shape);
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  guint8 preamble[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };
  g_autofree guint8 *zeros = g_malloc0 (data_bytes + 1);
  GString *header = g_string_new (dict);

  while ((10 + header->len + 1) % 64 != 0)
    g_string_append_c (header, ' ');
  g_string_append_c (header, '\n');
  preamble[8] = (guint8) (header->len & 0xff);
  preamble[9] = (guint8) (header->len >> 8);
  g_byte_array_append (bytes, preamble, 10);
  g_byte_array_append (bytes, (const guint8 *) header->str, header->len);
  g_byte_array_append (bytes, zeros, (guint) data_bytes);
  g_assert_true (g_file_set_contents (path, (const char *) bytes->data, bytes->len, NULL));
  g_string_free (header, TRUE);
  return path;
}

static void
test_npy_lies (void)
{
  /* The element count wraps to a small number in 64 bits. */
  g_autofree char *wraps = write_npy ("wraps.npy", "2566608766019567617, 3, 37837, 37843",
                                      2500000);
  g_autofree char *huge = write_npy ("huge.npy", "1, 3, 100000, 100000", 4096);
  g_autofree char *wide = write_npy ("wide.npy", "1, 3, 8, 20000", 8 * 20000 * 3 * 4);
  g_autofree char *out = tmp_path ("lies-out.npy");
  const struct {
    const char *file;
    const char *fragment;
  } cases[] = {
    { wraps, "larger than qviz can hold" },
    { huge, "truncated" },
    { wide, "sides up to 16384" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      QvizCliResult r = qviz_test_cli ("infer", "conv5x5s2", "--input", cases[i].file,
                                       "--output", out, NULL);

      assert_refusal (&r, cases[i].file, cases[i].fragment);
      qviz_cli_result_clear (&r);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

      r = qviz_test_cli ("run", "conv5x5s2", "--res", "64", "--precision", "int8",
                         "--calibration", cases[i].file, "--no-store", NULL);
      assert_refusal (&r, cases[i].file, cases[i].fragment);
      qviz_cli_result_clear (&r);
    }
}

/* Every .npy that once crashed a reader or that a fuzzer might find is
 * refused, by infer and by calibration, in a sentence naming the file. */
static void
test_npy_crash_fixtures (void)
{
  g_autofree char *dirname = g_test_build_filename (G_TEST_DIST, "fixtures", "npy-crashes",
                                                    NULL);
  g_autoptr (GDir) dir = g_dir_open (dirname, 0, NULL);
  g_autofree char *out = tmp_path ("crash-out.npy");
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dirname, name, NULL);
      QvizCliResult r = qviz_test_cli ("infer", "conv5x5s2", "--input", path, "--output", out,
                                       NULL);

      assert_refusal (&r, path, NULL);
      qviz_cli_result_clear (&r);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
      r = qviz_test_cli ("run", "conv5x5s2", "--res", "32", "--precision", "int8",
                         "--calibration", path, "--no-store", NULL);
      assert_refusal (&r, path, NULL);
      qviz_cli_result_clear (&r);
      n++;
    }
  g_assert_cmpuint (n, >=, 9);
}

/* ---- sizes beyond the machine ----------------------------------------- */

static void
test_resolution_beyond_memory (void)
{
  QvizCliResult r;
  const char *act;
  double mb;

  /* Describing a model needs no activation memory, at any size. */
  r = qviz_test_cli ("info", "lraspp-mnv3", "--res", "16384", NULL);
  g_assert_cmpint (r.status, ==, 0);
  act = strstr (r.out, "activations ");
  g_assert_nonnull (act);
  mb = g_ascii_strtod (act + strlen ("activations "), NULL);
  g_test_message ("activations at 16384: %.0f MB", mb);
  g_assert_cmpfloat (mb, >, 20000.0);
  qviz_cli_result_clear (&r);

#if defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer reserves terabytes of address space for its shadow:
   * an address-space limit stops the process before qviz runs. */
  g_test_message ("address-space limit not tested under AddressSanitizer");
  return;
#endif
  /* Running it refuses before allocating: under a 2 GiB address-space
   * limit, 8192x8192 (7 GB of float activations) cannot fit. */
  r = qviz_test_cli_limited ((guint64) 2 << 30, "run", "lraspp-mnv3", "--res", "8192",
                             "--precision", "f32", "--threads", "1", "--no-store", NULL);
  assert_refusal (&r, "8192x8192", "of memory");
  qviz_cli_result_clear (&r);
}

/* ---- names that are terminal commands or formulas ---------------------- */

static void
test_terminal_and_csv (void)
{
  g_autofree char *db = tmp_path ("evil.sqlite");
  g_autofree char *sweep = make_store (db);
  g_autofree char *run = qviz_test_sql_text (db, "SELECT uuid FROM runs WHERE precision = 'f32'");
  g_autofree char *csv = tmp_path ("evil.csv");
  g_autofree char *layers_csv = tmp_path ("evil-layers.csv");
  g_autofree char *csv_text = NULL;
  const char *const commands[][8] = {
    { "runs", "--db", db },
    { "show", sweep, "--db", db },
    { "show", run, "--db", db, "--layers", "0" },
    { "compare", sweep, sweep, "--db", db, "--all" },
  };

  /* An OSC title change, a colour, a C1 CSI, a newline, and formulas. */
  raw_exec (db, "UPDATE layers SET name = 'evil' || char(27) || ']0;pwned' || char(7) || "
                "char(10) || 'name' || char(155) || '31m' WHERE idx = 0;"
                "UPDATE layers SET kernel = '=HYPERLINK(\"http://x\")', "
                "reason = '@SUM(1+1)', fused = '+1', op = '-2+3';"
                "UPDATE machines SET hostname = 'host' || char(27) || '[31mred';"
                "UPDATE models SET name = 'model' || char(13) || 'over';"
                "UPDATE sweeps SET message = 'bell' || char(7);");

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      QvizCliResult r = qviz_test_cli_argv (0, commands[i]);

      g_test_message ("%s: %d", commands[i][0], r.status);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_false (has_control_bytes (r.out));
      g_assert_false (has_control_bytes (r.err));
      qviz_cli_result_clear (&r);
    }
  {
    QvizCliResult r = qviz_test_cli ("show", run, "--db", db, "--layers", "0", NULL);

    /* The name stays on its table row, its control characters visible. */
    g_assert_nonnull (strstr (r.out, "evil?]0;pwned??name??31m"));
    qviz_cli_result_clear (&r);
  }

  /* CSV keeps the text but never as a formula a spreadsheet would run. */
  {
    QvizCliResult r = qviz_test_cli ("export", run, "--csv", csv, "--db", db, NULL);

    g_assert_cmpint (r.status, ==, 0);
    qviz_cli_result_clear (&r);
  }
  g_assert_true (g_file_get_contents (layers_csv, &csv_text, NULL, NULL));
  g_assert_nonnull (strstr (csv_text, "\"'=HYPERLINK(\"\"http://x\"\")\""));
  g_assert_nonnull (strstr (csv_text, ",'@SUM(1+1),"));
  g_assert_nonnull (strstr (csv_text, ",'+1,"));
  g_assert_nonnull (strstr (csv_text, ",'-2+3,"));
  g_assert_null (strstr (csv_text, ",=HYPERLINK"));
  g_assert_null (strstr (csv_text, ",@SUM"));
}

/* ---- values the schema allows, read by every command ------------------ */

/* Databases written by hand or by a broken tool: every reading command
 * answers (exit 0, or 2 with one sentence), in bounded time, whatever the
 * values.  The per-pass blobs hold NaN, infinities and negatives. */
static void
test_odd_values_read_everywhere (void)
{
  static const char *const cases[] = {
    "UPDATE layers SET samples = x'0000c07f0000c07f0000c07f0000c07f'",          /* NaN */
    "UPDATE layers SET samples = x'000080bf0000a0c0000040c0000000c0'",          /* negative */
    "UPDATE layers SET samples = x'0000807f0000807f0000807f0000807f'",          /* +inf */
    "UPDATE layers SET samples = x'0102030405'",                                /* odd size */
    "UPDATE runs SET median_ms = 1e300, p10_ms = 1e300, p90_ms = 1e308, min_ms = 1e300;"
    "UPDATE samples SET ms = 1e300; UPDATE layers SET median_ms = 1e300, p90_ms = 1e300;"
    "UPDATE spans SET end_ns = 9000000000000000000",
    "UPDATE runs SET median_ms = -1, p10_ms = -1, p90_ms = -1; UPDATE samples SET ms = -1;"
    "UPDATE layers SET median_ms = -1; UPDATE spans SET start_ns = 100, end_ns = -100",
    "UPDATE runs SET median_ms = 1e999; UPDATE samples SET ms = -1e999;"
    "UPDATE layers SET median_ms = 1e999, p90_ms = -1e999",
    "UPDATE runs SET median_ms = NULL, p10_ms = NULL, p90_ms = NULL, plan_ms = NULL,"
    " first_pass_ms = NULL; UPDATE layers SET median_ms = NULL, samples = NULL",
    "DELETE FROM layers; DELETE FROM spans",
    "DELETE FROM samples; UPDATE runs SET n_samples = 0",
    "UPDATE layers SET name = printf ('%.1000000c', 'x'), kernel = printf ('%.1000000c', 'k')",
    "UPDATE machines SET hostname = printf ('%.1000000c', 'h');"
    "UPDATE models SET name = printf ('%.1000000c', 'm')",
    "PRAGMA ignore_check_constraints = 1; UPDATE runs SET status = 'weird', precision = 'fp64';"
    "UPDATE sweeps SET status = 'zzz'",
    "UPDATE runs SET height = 0, width = 0, threads = 0",
    "UPDATE runs SET height = -5, width = -7, threads = -1, iterations = -3",
    "UPDATE spans SET layer = 2000000000, pass = -7, cold = 5",
    "UPDATE runs SET median_ms = 'abc', height = 'x'; UPDATE layers SET macs = 'zz'",
  };
  g_autofree char *good = tmp_path ("odd-good.sqlite");
  g_autofree char *a = make_store (good);
  g_autofree char *b = make_store (good);
  g_autofree char *run = qviz_test_sql_text (good, "SELECT uuid FROM runs LIMIT 1");
  g_autofree char *good_data = NULL;
  gsize good_len;

  g_assert_true (g_file_get_contents (good, &good_data, &good_len, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *db = g_strdup_printf ("%s/odd%u.sqlite", tmpdir, i);
      g_autofree char *png = g_strdup_printf ("%s/odd%u.png", tmpdir, i);
      g_autofree char *pdf = g_strdup_printf ("%s/odd%u.pdf", tmpdir, i);
      g_autofree char *svg = g_strdup_printf ("%s/odd%u.svg", tmpdir, i);
      g_autofree char *csv = g_strdup_printf ("%s/odd%u.csv", tmpdir, i);
      g_autofree char *out = g_strdup_printf ("%s/odd%u-out.sqlite", tmpdir, i);
      g_autofree char *target = g_strdup_printf ("%s/odd%u-target.sqlite", tmpdir, i);
      const char *const commands[][10] = {
        { "runs", "--db", db },
        { "show", a, "--db", db },
        { "show", run, "--db", db, "--layers", "0" },
        { "show", a, "--db", db, "--json" },
        { "compare", a, b, "--db", db, "--all", "--png", png },
        { "compare", a, b, "--db", db, "--pdf", pdf, "--chart", "flame" },
        { "export", a, "--db", db, "--svg", svg, "--chart", "report" },
        { "export", run, "--db", db, "--png", png, "--chart", "flame" },
        { "export", a, "--db", db, "--csv", csv, "--db-out", out },
        { "import", db, "--db", target },
      };

      g_assert_true (g_file_set_contents (db, good_data, (gssize) good_len, NULL));
      raw_exec (db, cases[i]);
      for (guint k = 0; k < G_N_ELEMENTS (commands); k++)
        {
          QvizCliResult r;

          qviz_test_cli_cpu_seconds = 60;
          r = qviz_test_cli_argv (0, commands[k]);
          qviz_test_cli_cpu_seconds = 0;
          g_test_message ("case %u, %s: %d %s", i, commands[k][0], r.status, r.err);
          g_assert_true (r.status == 0 || r.status == 2);
          if (r.status == 2)
            g_assert_cmpint (strchr (r.err, '\n') - r.err, ==, (int) strlen (r.err) - 1);
          g_assert_false (has_control_bytes (r.out));
          qviz_cli_result_clear (&r);
        }
    }
}

/* ---- a sweep killed mid-run ------------------------------------------- */

static void
test_killed_sweep (void)
{
  g_autofree char *db = tmp_path ("killed.sqlite");
  const char *argv[] = { g_getenv ("QVIZ_CLI"), "run", "dwsep5x5", "--res",
                         "64,80,96,112,128,144,160,176,192,208,224,240,256",
                         "--iterations", "200", "--min-time", "0", "--db", NULL, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *status = NULL;
  GPid pid;
  int runs = 0, wait_status = 0;
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  argv[G_N_ELEMENTS (argv) - 2] = db;
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  /* Killed as soon as it has stored a run, well before the last. */
  while (g_get_monotonic_time () < deadline)
    {
      if (g_file_test (db, G_FILE_TEST_EXISTS))
        runs = qviz_test_sql_int (db, "SELECT count(*) FROM runs");
      if (runs >= 1)
        break;
      g_usleep (20000);
    }
  g_assert_cmpint (runs, >=, 1);
  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFSIGNALED (wait_status));
  runs = qviz_test_sql_int (db, "SELECT count(*) FROM runs");

  /* A read-only reader shows it interrupted ... */
  {
    QvizCliResult r = qviz_test_cli ("runs", "--db", db, "--json", NULL);
    g_autoptr (JsonParser) parser = json_parser_new ();
    JsonArray *sweeps;
    JsonObject *s;

    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (json_parser_load_from_data (parser, r.out, -1, NULL));
    sweeps = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "sweeps");
    g_assert_cmpuint (json_array_get_length (sweeps), ==, 1);
    s = json_array_get_object_element (sweeps, 0);
    g_assert_cmpstr (json_object_get_string_member (s, "status"), ==, "interrupted");
    qviz_cli_result_clear (&r);
  }
  g_assert_cmpstr ((status = qviz_test_sql_text (db, "SELECT status FROM sweeps")), ==, "running");
  g_clear_pointer (&status, g_free);

  /* ... and the next writer records it, keeping every finished run. */
  {
    g_autoptr (QvizStore) store = qviz_store_open (db, QVIZ_STORE_READ_WRITE, &error);

    g_assert_no_error (error);
  }
  g_assert_cmpstr ((status = qviz_test_sql_text (db, "SELECT status FROM sweeps")), ==, "interrupted");
  g_clear_pointer (&status, g_free);
  g_assert_cmpint (qviz_test_sql_int (db, "SELECT count(*) FROM runs"), ==, runs);
  g_assert_cmpstr ((status = qviz_test_sql_text (db, "PRAGMA integrity_check")), ==, "ok");
}

/* ---- compare on runs of very many passes ------------------------------ */

static void
set_many_samples (const char *db, guint n, guint seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  g_autofree float *v = g_new (float, n);
  sqlite3 *h = NULL;
  sqlite3_stmt *stmt = NULL;

  for (guint i = 0; i < n; i++)
    v[i] = (float) (1.0 + 0.1 * g_rand_double (rand));
  g_assert_cmpint (sqlite3_open (db, &h), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (h, "UPDATE layers SET samples = ?", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, v, (int) (n * sizeof (float)), SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (h);
}

static void
test_compare_many_passes (void)
{
  g_autofree char *db_a = tmp_path ("many-a.sqlite");
  g_autofree char *db_b = tmp_path ("many-b.sqlite");
  g_autofree char *a = make_store (db_a);
  g_autofree char *b = make_store (db_b);
  gint64 t0;
  QvizCliResult r;

  set_many_samples (db_a, 200000, 1);
  set_many_samples (db_b, 200000, 2);
  r = qviz_test_cli ("import", db_b, "--db", db_a, NULL);
  g_assert_cmpint (r.status, ==, 0);
  qviz_cli_result_clear (&r);

  /* Unbounded resampling took minutes here; bounded, about a second. A
   * generous CPU limit turns a return of that into a failure. */
  t0 = g_get_monotonic_time ();
  qviz_test_cli_cpu_seconds = 20;
  r = qviz_test_cli ("compare", a, b, "--db", db_a, "--all", NULL);
  qviz_test_cli_cpu_seconds = 0;
  g_test_message ("compare of 200,000 passes per layer: %.1f s",
                  (g_get_monotonic_time () - t0) / 1e6);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "matched configuration"));
  qviz_cli_result_clear (&r);
}

int
main (int argc, char **argv)
{
  int status;

  tmpdir = qviz_test_cli_init (&argc, &argv, "qviz-hostile-XXXXXX");
  g_test_add_func ("/hostile/negative-schema-version", test_negative_schema_version);
  g_test_add_func ("/hostile/npy-lies", test_npy_lies);
  g_test_add_func ("/hostile/npy-crash-fixtures", test_npy_crash_fixtures);
  g_test_add_func ("/hostile/resolution-beyond-memory", test_resolution_beyond_memory);
  g_test_add_func ("/hostile/terminal-and-csv", test_terminal_and_csv);
  g_test_add_func ("/hostile/odd-values-read-everywhere", test_odd_values_read_everywhere);
  g_test_add_func ("/hostile/killed-sweep", test_killed_sweep);
  g_test_add_func ("/hostile/compare-many-passes", test_compare_many_passes);
  status = g_test_run ();
  return qviz_test_cli_finish (status, tmpdir);
}
