/* test-store.c: the run store -- schema and migrations, round trips,
 * import and export, two writing processes, and files it must refuse
 * without changing a byte of them.
 *
 * With QVIZ_TEST_DB set to a postgresql:// URI (tests/with-postgres does),
 * the tests that are not about SQLite files run against that server
 * instead, each in a database of its own, with tests of the server's own
 * failures; the SQLite files they import from and export to stay files. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "qviz-config.h"
#include "qviz-graph.h"
#include "qviz-machine.h"
#include "qviz-store-private.h"
#include "qviz-store-pg.h"

#ifdef QVIZ_HAVE_LIBPQ
#include <libpq-fe.h>
#endif

/* The server's "postgres" database, or NULL to test SQLite files. */
static const char *test_server;

/* ---- helpers -------------------------------------------------------- */

static char *
make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("qviz-store-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  GDir *dir;
  const char *name;

  g_chmod (path, 0700);
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_unlink (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

/* Where a test's store lives: a file in dir, or a new empty database on
 * the test server. */
static char *
store_location (const char *dir, const char *name)
{
  g_autofree char *db = NULL;
  g_auto(GStrv) parts = NULL;

  if (test_server == NULL)
    return g_build_filename (dir, name, NULL);
#ifdef QVIZ_HAVE_LIBPQ
  {
    static guint n_databases;
    g_autofree char *sql = NULL;
    PGconn *conn = PQconnectdb (test_server);
    PGresult *res;

    g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
    db = g_strdup_printf ("qviz_test_%d_%u", (int) getpid (), n_databases++);
    sql = g_strdup_printf ("CREATE DATABASE %s", db);
    res = PQexec (conn, sql);
    if (PQresultStatus (res) != PGRES_COMMAND_OK)
      g_error ("%s: %s", sql, PQerrorMessage (conn));
    PQclear (res);
    PQfinish (conn);
  }
#endif
  /* ".../postgres?host=..." with the new database's name */
  parts = g_strsplit (test_server, "/postgres", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  return g_strconcat (parts[0], "/", db, parts[1], NULL);
}

#ifdef QVIZ_HAVE_LIBPQ
static PGresult *
pg_exec (const char *uri, const char *sql)
{
  PGconn *conn = PQconnectdb (uri);
  PGresult *res;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQfinish (conn);
  return res;
}
#endif

static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static void
raw_exec (sqlite3 *db, const char *sql)
{
  char *msg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &msg);

  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
}

/* SQL run on a file or (as it is) on a server database. */
static void
raw_exec_at (const char *location, const char *sql)
{
  sqlite3 *db;

#ifdef QVIZ_HAVE_LIBPQ
  if (qviz_store_location_is_postgres (location))
    {
      PQclear (pg_exec (location, sql));
      return;
    }
#endif
  db = raw_open (location);
  raw_exec (db, sql);
  sqlite3_close (db);
}

static gint64
raw_int (const char *path, const char *sql)
{
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  gint64 v;

#ifdef QVIZ_HAVE_LIBPQ
  if (qviz_store_location_is_postgres (path))
    {
      PGresult *res = pg_exec (path, sql);

      g_assert_cmpint (PQntuples (res), ==, 1);
      v = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
      PQclear (res);
      return v;
    }
#endif
  db = raw_open (path);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return v;
}

/* SQL counting column in table (0 or 1), for a file or a server. */
static char *
has_column_sql (const char *location, const char *table, const char *column)
{
  if (qviz_store_location_is_postgres (location))
    return g_strdup_printf ("SELECT count(*) FROM information_schema.columns WHERE "
                            "table_schema = current_schema () AND table_name = '%s' "
                            "AND column_name = '%s'", table, column);
  return g_strdup_printf ("SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                          table, column);
}

static gint64
schema_version_at (const char *location)
{
  if (qviz_store_location_is_postgres (location))
    return raw_int (location, "SELECT version FROM qviz_schema");
  return raw_int (location, "PRAGMA user_version");
}

static QvizMachine *
make_machine (const char *hostname)
{
  QvizMachine *m = qviz_machine_new ();

  m->hostname = g_strdup (hostname);
  m->cpu_model = g_strdup ("Test CPU, \"quoted\" 3.0 GHz");
  m->physical_cores = 4;
  m->logical_cores = 8;
  m->isa_flags = g_strdup ("sse4.2 avx avx2 fma avx512f avx512vnni");
  m->l1d_bytes = 48 * 1024;
  m->l2_bytes = 2 * 1024 * 1024;
  m->l3_bytes = G_GUINT64_CONSTANT (36) * 1024 * 1024;
  m->memory_bytes = G_GUINT64_CONSTANT (64) * 1024 * 1024 * 1024;
  m->os = g_strdup ("Debian GNU/Linux 12 (bookworm)");
  m->kernel = g_strdup ("Linux 6.1.0 x86_64");
  m->qviz_version = g_strdup ("0.1.0");
  m->qviz_commit = g_strdup ("abc1234");
  qviz_machine_compute_id (m);
  return m;
}

static QvizModelInfo *
make_model (const char *name)
{
  QvizModelInfo *mi = qviz_model_info_new ();

  mi->name = g_strdup (name);
  mi->sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
  mi->source = g_strdup ("builtin");
  mi->n_nodes = 123;
  mi->params = 3221000;
  mi->macs = G_GUINT64_CONSTANT (5800000000);
  mi->default_res = 512;
  mi->weight_bytes_f32 = 4 * 3221000;
  mi->weight_bytes_int8 = 3221000 + 4096;
  return mi;
}

static QvizSweep *
make_sweep (const QvizMachine *m, const QvizModelInfo *mi, gint64 created)
{
  QvizSweep *s = qviz_sweep_new ();

  s->machine_id = g_strdup (m->id);
  s->model_sha256 = g_strdup (mi->sha256);
  s->created = created;
  s->resolutions = g_strdup ("224x224,512x512");
  s->threads = g_strdup ("1,2");
  s->precisions = g_strdup ("f32,int8");
  s->options = g_strdup ("iterations=6 warmup=2 conv=auto");
  return s;
}

static const char *const layer_names[] = {
  "backbone/features.0/conv",
  "backbone/features.1/block.0/conv, dw",
  "backbone/features.1/block.1/\"pw\"",
  "head/aspp\nbranch",
  "head/classifier",
};

static QvizRun *
make_run (const QvizSweep *sweep, const char *precision, int res, int threads, guint seed)
{
  QvizRun *run = qviz_run_new ();
  g_autoptr(GRand) r = g_rand_new_with_seed (seed);
  gboolean int8 = g_str_equal (precision, "int8");
  guint n_cold = 2, n_warm = 6, n_layers = G_N_ELEMENTS (layer_names);
  int rep;

  run->sweep_uuid = g_strdup (sweep->uuid);
  run->machine_id = g_strdup (sweep->machine_id);
  run->model_sha256 = g_strdup (sweep->model_sha256);
  run->precision = g_strdup (precision);
  run->height = res;
  run->width = res + 32;
  run->threads = threads;
  run->conv_algo = g_strdup ("auto");
  run->isa = g_strdup ("avx512vnni");
  if (seed % 2 == 1)
    {
      g_free (run->engine);
      run->engine = g_strdup ("pytorch 1.13 onednn");
    }
  run->iterations = (int) n_warm;
  run->warmup = (int) n_cold;
  run->plan_ms = 12.25 + seed;
  run->arena_bytes = 1000000 + seed;
  run->weight_bytes = 2000000 + seed;
  run->sqnr_db = int8 ? 31.5 + seed * 0.01 : NAN;
  run->started = G_GINT64_CONSTANT (1700000000000000) + seed;
  run->finished = run->started + 5 * G_USEC_PER_SEC;
  for (guint i = 0; i < n_cold; i++)
    {
      double ms = 200.0 + g_rand_double_range (r, 0, 100);
      g_array_append_val (run->cold_ms, ms);
    }
  for (guint i = 0; i < n_warm; i++)
    {
      double ms = 20.0 + g_rand_double_range (r, 0, 2);
      g_array_append_val (run->warm_ms, ms);
    }

  for (guint k = 0; k < n_layers; k++)
    {
      QvizRunLayer *l = qviz_run_add_layer (run);

      l->name = g_strdup (layer_names[k]);
      l->op = g_strdup (k == 4 ? "linear" : "conv");
      l->kernel = g_strdup_printf ("%s dwconv 5x5 d%u indirect avx512", precision, k + 1);
      l->reason = g_strdup ("depthwise, dilated: indirection buffer");
      l->fused = g_strdup (k % 2 ? "bn+hardswish" : "");
      l->in_shape = g_strdup_printf ("1x%ux%dx%d", 16 * (k + 1), res, res);
      l->out_shape = g_strdup_printf ("1x%ux%dx%d", 16 * (k + 2), res / 2, res / 2);
      l->kernel_h = l->kernel_w = 5;
      l->stride_h = 1;
      l->stride_w = 2;
      l->dilation_h = (int) k + 1;
      l->dilation_w = (int) k + 2;
      l->groups = 16 * (int) (k + 1);
      l->depthwise = k == 1;
      l->dilated = k > 0;
      l->layer_class = g_strdup (k == 1 ? "dilated-depthwise" : "conv");
      l->macs = G_GUINT64_CONSTANT (1) << (30 + k);
      l->params = 1000 * (k + 1);
      l->bytes = 500000 * (k + 1);
      l->sqnr_db = int8 ? 25.0 + k : NAN;
      l->accum_sqnr_db = int8 ? 21.5 - k : NAN;
      l->plan_ms = k == 0 ? NAN : 0.25 * k;
      for (guint p = 0; p < n_cold + n_warm; p++)
        {
          float ms = (float) g_rand_double_range (r, 0.1, 5.0);
          g_array_append_val (l->pass_ms, ms);
        }
    }
  qviz_run_compute_stats (run);

  rep = qviz_run_representative_pass (run);
  g_assert_cmpint (rep, >=, (int) n_cold);
  for (int p = 0; p < (int) n_cold + 1; p++)
    {
      int pass = p < (int) n_cold ? p : rep;
      gint64 t = 0;

      qviz_run_add_span (run, pass, p < (int) n_cold, -1, NULL, 0, 20000000 + p);
      for (guint k = 0; k < n_layers; k++)
        {
          qviz_run_add_span (run, pass, p < (int) n_cold, (int) k, NULL, t, t + 1000 + k);
          if (k == 2)
            qviz_run_add_span (run, pass, p < (int) n_cold, (int) k, "pack", t, t + 300);
          t += 2000;
        }
    }
  return run;
}

static void
assert_same_double (double a, double b)
{
  if (isnan (b))
    g_assert_true (isnan (a));
  else
    g_assert_cmpfloat (a, ==, b);
}

static void
assert_same_stats (const QvizStats *a, const QvizStats *b)
{
  g_assert_cmpuint (a->n, ==, b->n);
  assert_same_double (a->median, b->median);
  assert_same_double (a->p10, b->p10);
  assert_same_double (a->p90, b->p90);
  assert_same_double (a->min, b->min);
  assert_same_double (a->max, b->max);
  assert_same_double (a->mean, b->mean);
  assert_same_double (a->stddev, b->stddev);
  assert_same_double (a->mad, b->mad);
}

static void
assert_same_doubles (GArray *a, GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpfloat (g_array_index (a, double, i), ==, g_array_index (b, double, i));
}

static void
assert_same_run (const QvizRun *a, const QvizRun *b)
{
  g_assert_cmpstr (a->uuid, ==, b->uuid);
  g_assert_cmpstr (a->sweep_uuid, ==, b->sweep_uuid);
  g_assert_cmpstr (a->machine_id, ==, b->machine_id);
  g_assert_cmpstr (a->model_sha256, ==, b->model_sha256);
  g_assert_cmpstr (a->precision, ==, b->precision);
  g_assert_cmpint (a->height, ==, b->height);
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->threads, ==, b->threads);
  g_assert_cmpstr (a->conv_algo, ==, b->conv_algo);
  g_assert_cmpstr (a->isa, ==, b->isa);
  g_assert_cmpstr (a->engine, ==, b->engine);
  g_assert_cmpint (a->iterations, ==, b->iterations);
  g_assert_cmpint (a->warmup, ==, b->warmup);
  assert_same_double (a->plan_ms, b->plan_ms);
  g_assert_cmpuint (a->arena_bytes, ==, b->arena_bytes);
  g_assert_cmpuint (a->weight_bytes, ==, b->weight_bytes);
  assert_same_doubles (a->cold_ms, b->cold_ms);
  assert_same_doubles (a->warm_ms, b->warm_ms);
  assert_same_stats (&a->stats, &b->stats);
  assert_same_double (a->sqnr_db, b->sqnr_db);
  g_assert_cmpint (a->status, ==, b->status);
  g_assert_cmpstr (a->message, ==, b->message);
  g_assert_cmpint (a->started, ==, b->started);
  g_assert_cmpint (a->finished, ==, b->finished);

  g_assert_cmpuint (a->layers->len, ==, b->layers->len);
  for (guint i = 0; i < a->layers->len; i++)
    {
      const QvizRunLayer *x = qviz_run_get_layer (a, i), *y = qviz_run_get_layer (b, i);

      g_assert_cmpint (x->index, ==, y->index);
      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_cmpstr (x->op, ==, y->op);
      g_assert_cmpstr (x->kernel, ==, y->kernel);
      g_assert_cmpstr (x->reason, ==, y->reason);
      g_assert_cmpstr (x->fused, ==, y->fused);
      g_assert_cmpstr (x->in_shape, ==, y->in_shape);
      g_assert_cmpstr (x->out_shape, ==, y->out_shape);
      g_assert_cmpint (x->kernel_h, ==, y->kernel_h);
      g_assert_cmpint (x->kernel_w, ==, y->kernel_w);
      g_assert_cmpint (x->stride_h, ==, y->stride_h);
      g_assert_cmpint (x->stride_w, ==, y->stride_w);
      g_assert_cmpint (x->dilation_h, ==, y->dilation_h);
      g_assert_cmpint (x->dilation_w, ==, y->dilation_w);
      g_assert_cmpint (x->groups, ==, y->groups);
      g_assert_cmpint (x->depthwise, ==, y->depthwise);
      g_assert_cmpint (x->dilated, ==, y->dilated);
      g_assert_cmpstr (x->layer_class, ==, y->layer_class);
      g_assert_cmpuint (x->macs, ==, y->macs);
      g_assert_cmpuint (x->params, ==, y->params);
      g_assert_cmpuint (x->bytes, ==, y->bytes);
      assert_same_stats (&x->stats, &y->stats);
      assert_same_double (x->gops, y->gops);
      assert_same_double (x->sqnr_db, y->sqnr_db);
      assert_same_double (x->accum_sqnr_db, y->accum_sqnr_db);
      assert_same_double (x->plan_ms, y->plan_ms);
      g_assert_cmpuint (x->pass_ms->len, ==, y->pass_ms->len);
      g_assert_cmpmem (x->pass_ms->data, x->pass_ms->len * sizeof (float),
                       y->pass_ms->data, y->pass_ms->len * sizeof (float));
    }

  g_assert_cmpuint (a->spans->len, ==, b->spans->len);
  for (guint i = 0; i < a->spans->len; i++)
    {
      const QvizRunSpan *x = qviz_run_get_span (a, i), *y = qviz_run_get_span (b, i);

      g_assert_cmpint (x->pass, ==, y->pass);
      g_assert_cmpint (x->cold, ==, y->cold);
      g_assert_cmpint (x->layer, ==, y->layer);
      g_assert_cmpstr (x->phase, ==, y->phase);
      g_assert_cmpint (x->start_ns, ==, y->start_ns);
      g_assert_cmpint (x->end_ns, ==, y->end_ns);
    }
}

/* A store holding one complete sweep of n_runs runs; returns its runs. */
static GPtrArray *
fill_store (QvizStore *store, const char *hostname, const char *model, gint64 created,
            guint n_runs, guint seed, QvizSweep **sweep_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizMachine) m = make_machine (hostname);
  g_autoptr(QvizModelInfo) mi = make_model (model);
  g_autoptr(QvizSweep) sweep = make_sweep (m, mi, created);
  GPtrArray *runs = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_free);

  g_assert_true (qviz_store_put_machine (store, m, &error));
  g_assert_no_error (error);
  g_assert_true (qviz_store_put_model (store, mi, &error));
  g_assert_true (qviz_store_sweep_begin (store, sweep, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n_runs; i++)
    {
      QvizRun *run = make_run (sweep, i % 2 ? "int8" : "f32", 224 + 32 * (int) (i / 2),
                               1, seed + i);

      g_assert_true (qviz_store_put_run (store, run, &error));
      g_assert_no_error (error);
      g_ptr_array_add (runs, run);
    }
  g_assert_true (qviz_store_sweep_finish (store, sweep->uuid, QVIZ_SWEEP_COMPLETE, NULL,
                                          &error));
  g_assert_no_error (error);
  if (sweep_out != NULL)
    *sweep_out = g_steal_pointer (&sweep);
  return runs;
}

static void
assert_db_error (GError *error, const char *path, const char *fragment)
{
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE);
  if (g_test_verbose ())
    g_printerr ("# %s\n", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, fragment));
  /* one sentence */
  g_assert_true (g_str_has_suffix (error->message, "."));
  g_assert_null (strchr (error->message, '\n'));
}

/* ---- schema --------------------------------------------------------- */

static void
test_create (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = store_location (dir, "runs.sqlite");
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = NULL;
  g_autoptr(QvizSweep) sweep = NULL;
  g_autoptr(QvizRun) orphan = NULL;
  const char *tables[] = { "machines", "models", "sweeps", "runs", "samples", "layers", "spans" };

  store = qviz_store_open (path, QVIZ_STORE_READ_WRITE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (qviz_store_get_schema_version (store), ==, QVIZ_STORE_SCHEMA_VERSION);
  g_assert_false (qviz_store_is_read_only (store));
  g_assert_cmpstr (qviz_store_get_path (store), ==, path);

  g_assert_cmpint (schema_version_at (path), ==, QVIZ_STORE_SCHEMA_VERSION);
  if (test_server == NULL)
    {
      g_assert_cmpint (raw_int (path, "PRAGMA application_id"), ==, 0x7176697a);
      /* header byte 18 is 2 in WAL mode */
      g_assert_cmpint (raw_int (path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), ==, 1);
      for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
        {
          g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_master "
                                                  "WHERE type = 'table' AND name = '%s'",
                                                  tables[i]);
          g_assert_cmpint (raw_int (path, sql), ==, 1);
        }
      g_assert_cmpint (raw_int (path, "SELECT count(*) FROM pragma_foreign_key_list('runs')"), ==, 3);
      g_assert_cmpint (raw_int (path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                      "AND name = 'runs_by_sweep'"), ==, 1);
    }
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
        {
          g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pg_tables WHERE "
                                                  "schemaname = current_schema () AND "
                                                  "tablename = '%s'", tables[i]);
          g_assert_cmpint (raw_int (path, sql), ==, 1);
        }
      g_assert_cmpint (raw_int (path, "SELECT count(*) FROM information_schema.table_constraints "
                                      "WHERE table_name = 'runs' AND constraint_type = 'FOREIGN KEY'"),
                       ==, 3);
      g_assert_cmpint (raw_int (path, "SELECT count(*) FROM pg_indexes WHERE "
                                      "indexname = 'runs_by_sweep'"), ==, 1);
    }

  /* foreign keys are enforced: a run of an unknown sweep is refused */
  {
    g_autoptr(QvizMachine) m = make_machine ("h");
    g_autoptr(QvizModelInfo) mi = make_model ("m");

    sweep = make_sweep (m, mi, 1);
    orphan = make_run (sweep, "f32", 224, 1, 1);
    g_assert_false (qviz_store_put_run (store, orphan, &error));
    assert_db_error (error, path, "not stored");
    g_clear_error (&error);
    g_assert_false (qviz_store_sweep_begin (store, sweep, &error));
    assert_db_error (error, path, "not stored");
    g_clear_error (&error);
  }
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM runs"), ==, 0);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM samples"), ==, 0);

  /* reopening an up-to-date file is harmless */
  g_clear_pointer (&store, qviz_store_close);
  store = qviz_store_open (path, QVIZ_STORE_READ_WRITE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (qviz_store_get_schema_version (store), ==, QVIZ_STORE_SCHEMA_VERSION);
  g_clear_pointer (&store, qviz_store_close);
  remove_tree (dir);
}

static void
test_default_path (void)
{
  g_autofree char *path = qviz_store_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "qviz", "runs.sqlite", NULL);

  g_assert_cmpstr (path, ==, expected);
}

#define OLD_RUN "11111111-1111-4111-8111-111111111111"
#define OLD_SWEEP "22222222-2222-4222-8222-222222222222"
#define OLD_MODEL "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Rows as a schema-1 qviz wrote them (its columns only). */
static void
insert_v1_rows (const char *path)
{
  raw_exec_at (path,
            "INSERT INTO machines VALUES ('33333333-3333-4333-8333-333333333333', 'oldhost',"
            " 'Old CPU', 2, 4, 'avx2 fma', 32768, 524288, 8388608, 8589934592,"
            " 'Debian 11', 'Linux 5.10', '0.0.9', 'fedcba9');"
            "INSERT INTO models VALUES ('" OLD_MODEL "', 'old-model', 'builtin', 50, 1000,"
            " 2000000, 224, 4000, 1000);"
            "INSERT INTO sweeps (uuid, machine_id, model_sha256, created_us, finished_us,"
            " resolutions, threads, precisions, options, status, message)"
            " VALUES ('" OLD_SWEEP "', '33333333-3333-4333-8333-333333333333',"
            " '" OLD_MODEL "', 1600000000000000, 1600000009000000, '224x224', '1', 'f32',"
            " '', 'complete', '');"
            "INSERT INTO runs (uuid, sweep_uuid, machine_id, model_sha256, precision, height,"
            " width, threads, conv_algo, iterations, warmup, plan_ms, first_pass_ms, n_samples,"
            " median_ms, p10_ms, p90_ms, min_ms, max_ms, mean_ms, stddev_ms, mad_ms, sqnr_db,"
            " status, message, started_us, finished_us) VALUES ('" OLD_RUN "', '" OLD_SWEEP "',"
            " '33333333-3333-4333-8333-333333333333', '" OLD_MODEL "', 'f32', 224, 224, 1,"
            " 'auto', 2, 1, 3.5, 9.5, 2, 4.375, 4.275, 4.475, 4.25, 4.5, 4.375, 0.17677669529663687,"
            " 0.125, NULL, 'complete', '', 1600000001000000, 1600000002000000);"
            "INSERT INTO samples VALUES ('" OLD_RUN "', 0, 1, 9.5), ('" OLD_RUN "', 1, 0, 4.25),"
            " ('" OLD_RUN "', 2, 0, 4.5);"
            "INSERT INTO layers (run_uuid, idx, name, op, kernel, reason, fused, in_shape,"
            " out_shape, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, groups,"
            " depthwise, dilated, layer_class, macs, params, bytes, n_samples, median_ms, gops,"
            " sqnr_db) VALUES ('" OLD_RUN "', 0, 'conv0', 'conv', 'f32 conv 3x3', 'first conv',"
            " '', '1x3x224x224', '1x16x112x112', 3, 3, 2, 2, 1, 1, 1, 0, 0, 'conv', 10838016,"
            " 432, 1000000, 2, 0.5, 43.352064, NULL);"
            "INSERT INTO spans VALUES ('" OLD_RUN "', 0, 1, 0, NULL, 0, 500000);");
}

static void
check_v1_rows (QvizStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizRun) run = qviz_store_get_run (store, "1111", &error);
  const QvizRunLayer *l;

  g_assert_no_error (error);
  g_assert_cmpstr (run->uuid, ==, OLD_RUN);
  g_assert_cmpstr (run->isa, ==, "");           /* the column schema 2 added */
  g_assert_cmpstr (run->engine, ==, "qviz");    /* the column schema 5 added */
  g_assert_cmpstr (run->model_name, ==, "old-model");
  g_assert_cmpstr (run->hostname, ==, "oldhost");
  g_assert_cmpfloat (run->plan_ms, ==, 3.5);
  g_assert_cmpuint (run->cold_ms->len, ==, 1);
  g_assert_cmpuint (run->warm_ms->len, ==, 2);
  g_assert_cmpfloat (g_array_index (run->warm_ms, double, 1), ==, 4.5);
  g_assert_cmpfloat (run->stats.median, ==, 4.375);
  g_assert_true (isnan (run->sqnr_db));
  g_assert_cmpuint (run->layers->len, ==, 1);
  l = qviz_run_get_layer (run, 0);
  g_assert_cmpstr (l->kernel, ==, "f32 conv 3x3");
  g_assert_cmpuint (l->macs, ==, 10838016);
  g_assert_cmpuint (l->pass_ms->len, ==, 0); /* no per-pass samples before schema 2 */
  g_assert_true (isnan (l->accum_sqnr_db));    /* nor accumulated SQNR before schema 3 */
  g_assert_true (isnan (l->plan_ms));          /* nor per-layer plan time before 7 */
  g_assert_cmpuint (run->spans->len, ==, 1);
  g_assert_cmpint (qviz_run_get_span (run, 0)->end_ns, ==, 500000);
}

/* Every earlier schema version migrates to the current one, keeping its
 * rows; a read-only open migrates a copy and leaves the file alone. */
static void
test_migrations (void)
{
  for (int v = 0; v < QVIZ_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *dir = make_tmpdir ();
      g_autofree char *path = store_location (dir, "old.sqlite");
      g_autoptr(GError) error = NULL;
      g_autoptr(QvizStore) store = NULL;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;

      if (v == 0 && test_server == NULL)
        g_assert_true (g_file_set_contents (path, "", 0, NULL)); /* an empty file */
      else if (v > 0)
        {
          g_autofree char *has_isa = has_column_sql (path, "runs", "isa");

          g_assert_true (qviz_store_create_at_version (path, v, &error));
          g_assert_no_error (error);
          g_assert_cmpint (schema_version_at (path), ==, v);
          /* the column schema 2 added is not there yet */
          g_assert_cmpint (raw_int (path, has_isa), ==, v >= 2);
          insert_v1_rows (path);
        }

      if (v >= 1 && test_server != NULL)
        {
          /* read-only: a server's schema is upgraded only by a writer */
          store = qviz_store_open (path, QVIZ_STORE_READ_ONLY, &error);
          g_assert_null (store);
          assert_db_error (error, path, "older qviz schema");
          g_clear_error (&error);
          g_assert_cmpint (schema_version_at (path), ==, v);
        }
      else if (v >= 1)
        {
          /* read-only: works on a migrated copy, file untouched */
          before = file_sha256 (path);
          store = qviz_store_open (path, QVIZ_STORE_READ_ONLY, &error);
          g_assert_no_error (error);
          g_assert_cmpint (qviz_store_get_schema_version (store), ==, QVIZ_STORE_SCHEMA_VERSION);
          check_v1_rows (store);
          g_clear_pointer (&store, qviz_store_close);
          after = file_sha256 (path);
          g_assert_cmpstr (before, ==, after);
          g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, v);
        }

      store = qviz_store_open (path, QVIZ_STORE_READ_WRITE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (qviz_store_get_schema_version (store), ==, QVIZ_STORE_SCHEMA_VERSION);
      if (v >= 1)
        check_v1_rows (store);

      /* and the migrated file takes new runs with every field */
      {
        g_autoptr(GPtrArray) runs = fill_store (store, "newhost", "new-model", 1700000000000000,
                                                2, 100, NULL);
        g_autoptr(QvizRun) back = qviz_store_get_run (store, ((QvizRun *) runs->pdata[1])->uuid,
                                                      &error);
        g_assert_no_error (error);
        assert_same_run (back, runs->pdata[1]);
      }
      g_clear_pointer (&store, qviz_store_close);
      g_assert_cmpint (schema_version_at (path), ==, QVIZ_STORE_SCHEMA_VERSION);
      g_assert_cmpint (raw_int (path, "SELECT count(*) FROM runs"), ==, v >= 1 ? 3 : 2);
      remove_tree (dir);
    }
}

/* A migration that fails part way leaves nothing of itself behind. */
static void
test_migration_fails (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = store_location (dir, "old.sqlite");
  g_autofree char *has_isa = has_column_sql (path, "runs", "isa");
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (qviz_store_create_at_version (path, 1, &error));
  insert_v1_rows (path);
  /* the second statement of migration 2 will collide with this column */
  raw_exec_at (path, "ALTER TABLE layers ADD COLUMN samples TEXT");
  if (test_server == NULL)
    before = file_sha256 (path);

  store = qviz_store_open (path, QVIZ_STORE_READ_WRITE, &error);
  g_assert_null (store);
  assert_db_error (error, path, "upgrade the database to schema 2");
  if (test_server == NULL)
    {
      after = file_sha256 (path);
      g_assert_cmpstr (before, ==, after);
    }
  g_assert_cmpint (schema_version_at (path), ==, 1);
  /* the first statement of the migration was rolled back too */
  g_assert_cmpint (raw_int (path, has_isa), ==, 0);
  remove_tree (dir);
}

/* ---- round trip ----------------------------------------------------- */

static void
test_round_trip (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = store_location (dir, "runs.sqlite");
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = NULL;
  g_autoptr(QvizMachine) m = make_machine ("host-a");
  g_autoptr(QvizModelInfo) mi = make_model ("lraspp-mnv3");
  g_autoptr(QvizSweep) sweep = make_sweep (m, mi, 1700000000123456);
  g_autoptr(QvizSweep) later = make_sweep (m, mi, 1700000999000000);
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_free);
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GPtrArray) sweeps = NULL;
  g_autoptr(QvizSweep) got = NULL;
  g_autoptr(QvizMachine) got_m = NULL;
  g_autoptr(QvizModelInfo) got_mi = NULL;
  QvizRun *cancelled;

  store = qviz_store_open (path, QVIZ_STORE_READ_WRITE, &error);
  g_assert_no_error (error);

  g_assert_true (qviz_store_put_machine (store, m, &error));
  g_assert_true (qviz_store_put_machine (store, m, &error)); /* idempotent */
  g_assert_true (qviz_store_put_model (store, mi, &error));
  mi->n_nodes = 124;
  g_assert_true (qviz_store_put_model (store, mi, &error));  /* updates */
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM machines"), ==, 1);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM models"), ==, 1);
  g_assert_cmpint (raw_int (path, "SELECT n_nodes FROM models"), ==, 124);

  g_assert_true (qviz_store_sweep_begin (store, sweep, &error));
  g_assert_no_error (error);
  got = qviz_store_get_sweep (store, sweep->uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpint (got->status, ==, QVIZ_SWEEP_RUNNING);
  g_assert_cmpint (got->finished, ==, 0);
  g_clear_pointer (&got, qviz_sweep_free);

  g_ptr_array_add (runs, make_run (sweep, "int8", 512, 2, 3));
  g_ptr_array_add (runs, make_run (sweep, "f32", 512, 2, 2));
  g_ptr_array_add (runs, make_run (sweep, "f32", 224, 1, 1));
  cancelled = make_run (sweep, "int8", 1024, 2, 4);
  cancelled->status = QVIZ_RUN_CANCELLED;
  g_free (cancelled->message);
  cancelled->message = g_strdup ("cancelled by the user, after \"pass 3\"\nof 8");
  g_array_set_size (cancelled->warm_ms, 1);
  qviz_run_compute_stats (cancelled);
  g_ptr_array_add (runs, cancelled);
  for (guint i = 0; i < runs->len; i++)
    {
      g_assert_true (qviz_store_put_run (store, runs->pdata[i], &error));
      g_assert_no_error (error);
    }
  g_assert_true (qviz_store_sweep_finish (store, sweep->uuid, QVIZ_SWEEP_CANCELLED,
                                          "cancelled at 1024x1056", &error));
  g_assert_no_error (error);
  /* the engines of its runs (odd seeds are PyTorch's), each once, sorted */
  got = qviz_store_get_sweep (store, sweep->uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->engines, ==, "pytorch 1.13 onednn, qviz");
  g_clear_pointer (&got, qviz_sweep_free);

  /* every field of every run, by full id and by prefix */
  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *run = runs->pdata[i];
      g_autoptr(QvizRun) a = qviz_store_get_run (store, run->uuid, &error);
      g_autofree char *prefix = g_strndup (run->uuid, 8);
      g_autofree char *upper = g_ascii_strup (prefix, -1);
      g_autoptr(QvizRun) b = qviz_store_get_run (store, upper, &error);

      g_assert_no_error (error);
      assert_same_run (a, run);
      assert_same_run (b, run);
      g_assert_cmpstr (a->model_name, ==, "lraspp-mnv3");
      g_assert_cmpstr (a->hostname, ==, "host-a");
      g_assert_cmpstr (a->cpu_model, ==, m->cpu_model);
    }

  /* list: ordered by precision, resolution, threads */
  back = qviz_store_list_runs (store, sweep->uuid, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 4);
  assert_same_run (back->pdata[0], runs->pdata[2]);
  assert_same_run (back->pdata[1], runs->pdata[1]);
  assert_same_run (back->pdata[2], runs->pdata[0]);
  assert_same_run (back->pdata[3], runs->pdata[3]);
  g_clear_pointer (&back, g_ptr_array_unref);
  back = qviz_store_list_runs (store, sweep->uuid, FALSE, &error);
  g_assert_cmpuint (back->len, ==, 4);
  g_assert_cmpuint (((QvizRun *) back->pdata[0])->layers->len, ==, 0);
  assert_same_doubles (((QvizRun *) back->pdata[0])->warm_ms,
                       ((QvizRun *) runs->pdata[2])->warm_ms);

  got = qviz_store_get_sweep (store, sweep->uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->uuid, ==, sweep->uuid);
  g_assert_cmpstr (got->machine_id, ==, m->id);
  g_assert_cmpstr (got->model_sha256, ==, mi->sha256);
  g_assert_cmpint (got->created, ==, 1700000000123456);
  g_assert_cmpint (got->finished, >, 0);
  g_assert_cmpstr (got->resolutions, ==, "224x224,512x512");
  g_assert_cmpstr (got->threads, ==, "1,2");
  g_assert_cmpstr (got->precisions, ==, "f32,int8");
  g_assert_cmpstr (got->options, ==, "iterations=6 warmup=2 conv=auto");
  g_assert_cmpint (got->status, ==, QVIZ_SWEEP_CANCELLED);
  g_assert_cmpstr (got->message, ==, "cancelled at 1024x1056");
  g_assert_cmpstr (got->model_name, ==, "lraspp-mnv3");
  g_assert_cmpstr (got->hostname, ==, "host-a");
  g_assert_cmpuint (got->n_runs, ==, 4);
  g_clear_pointer (&got, qviz_sweep_free);

  got_m = qviz_store_get_machine (store, m->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got_m->id, ==, m->id);
  g_assert_cmpstr (got_m->hostname, ==, m->hostname);
  g_assert_cmpstr (got_m->cpu_model, ==, m->cpu_model);
  g_assert_cmpint (got_m->physical_cores, ==, 4);
  g_assert_cmpint (got_m->logical_cores, ==, 8);
  g_assert_cmpstr (got_m->isa_flags, ==, m->isa_flags);
  g_assert_cmpuint (got_m->l1d_bytes, ==, m->l1d_bytes);
  g_assert_cmpuint (got_m->l2_bytes, ==, m->l2_bytes);
  g_assert_cmpuint (got_m->l3_bytes, ==, m->l3_bytes);
  g_assert_cmpuint (got_m->memory_bytes, ==, m->memory_bytes);
  g_assert_cmpstr (got_m->os, ==, m->os);
  g_assert_cmpstr (got_m->kernel, ==, m->kernel);
  g_assert_cmpstr (got_m->qviz_version, ==, m->qviz_version);
  g_assert_cmpstr (got_m->qviz_commit, ==, m->qviz_commit);

  got_mi = qviz_store_get_model (store, mi->sha256, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got_mi->name, ==, mi->name);
  g_assert_cmpstr (got_mi->source, ==, "builtin");
  g_assert_cmpint (got_mi->n_nodes, ==, 124);
  g_assert_cmpuint (got_mi->params, ==, mi->params);
  g_assert_cmpuint (got_mi->macs, ==, mi->macs);
  g_assert_cmpint (got_mi->default_res, ==, 512);
  g_assert_cmpuint (got_mi->weight_bytes_f32, ==, mi->weight_bytes_f32);
  g_assert_cmpuint (got_mi->weight_bytes_int8, ==, mi->weight_bytes_int8);

  /* sweeps: filters and the latest one */
  g_assert_true (qviz_store_sweep_begin (store, later, &error));
  sweeps = qviz_store_list_sweeps (store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sweeps->len, ==, 2);
  g_assert_cmpstr (((QvizSweep *) sweeps->pdata[0])->uuid, ==, later->uuid); /* newest first */
  g_clear_pointer (&sweeps, g_ptr_array_unref);
  sweeps = qviz_store_list_sweeps (store, "lraspp-mnv3", "host-a", &error);
  g_assert_cmpuint (sweeps->len, ==, 2);
  g_clear_pointer (&sweeps, g_ptr_array_unref);
  {
    g_autofree char *sha_prefix = g_strndup (mi->sha256, 10);
    g_autofree char *id_prefix = g_strndup (m->id, 6);

    sweeps = qviz_store_list_sweeps (store, sha_prefix, id_prefix, &error);
    g_assert_cmpuint (sweeps->len, ==, 2);
    g_clear_pointer (&sweeps, g_ptr_array_unref);
  }
  sweeps = qviz_store_list_sweeps (store, "other-model", NULL, &error);
  g_assert_cmpuint (sweeps->len, ==, 0);
  g_clear_pointer (&sweeps, g_ptr_array_unref);
  sweeps = qviz_store_list_sweeps (store, NULL, "host-b", &error);
  g_assert_cmpuint (sweeps->len, ==, 0);
  g_clear_pointer (&sweeps, g_ptr_array_unref);
  g_assert_no_error (error);

  got = qviz_store_latest_sweep (store, "lraspp-mnv3", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->uuid, ==, later->uuid);
  g_assert_cmpint (got->status, ==, QVIZ_SWEEP_RUNNING);
  g_assert_cmpuint (got->n_runs, ==, 0);
  g_clear_pointer (&got, qviz_sweep_free);
  got = qviz_store_latest_sweep (store, "no-such-model", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (got);

  /* ids that do not resolve */
  g_assert_null (qviz_store_get_run (store, "not-hex!", &error));
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (qviz_store_get_run (store, "", &error));
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (qviz_store_get_sweep (store, "-", &error)); /* every uuid has a '-'... not at 0 */
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (qviz_store_get_run (store, sweep->uuid, &error)); /* a sweep id is no run id */
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, sweep->uuid));
  g_clear_error (&error);

  remove_tree (dir);
}

static void
test_prefix_ambiguous (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = store_location (dir, "runs.sqlite");
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = qviz_store_open (path, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr(QvizSweep) sweep = NULL;
  g_autoptr(GPtrArray) runs = fill_store (store, "h", "m", 1, 0, 0, &sweep);
  g_autoptr(QvizRun) a = make_run (sweep, "f32", 224, 1, 1);
  g_autoptr(QvizRun) b = make_run (sweep, "f32", 224, 2, 2);
  g_autoptr(QvizRun) got = NULL;

  g_free (a->uuid);
  a->uuid = g_strdup ("abcd0000-0000-4000-8000-000000000000");
  g_free (b->uuid);
  b->uuid = g_strdup ("abcd1111-0000-4000-8000-000000000000");
  g_assert_true (qviz_store_put_run (store, a, &error));
  g_assert_true (qviz_store_put_run (store, b, &error));
  g_assert_no_error (error);

  g_assert_null (qviz_store_get_run (store, "abcd", &error));
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "matches 2 runs"));
  g_clear_error (&error);
  got = qviz_store_get_run (store, "abcd1", &error);
  g_assert_no_error (error);
  assert_same_run (got, b);
  g_clear_pointer (&got, qviz_run_free);
  g_assert_null (qviz_store_get_run (store, "ffff", &error));
  g_assert_nonnull (strstr (error->message, "No run"));
  g_clear_error (&error);

  /* a run that cannot be stored whole leaves nothing behind */
  {
    g_autoptr(QvizRun) bad = make_run (sweep, "int8", 224, 1, 9);

    qviz_run_get_layer (bad, 3)->index = 1; /* duplicate (run, idx) key */
    g_assert_false (qviz_store_put_run (store, bad, &error));
    g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE);
    g_clear_error (&error);
    g_assert_null (qviz_store_get_run (store, bad->uuid, &error));
    g_clear_error (&error);
    g_assert_cmpint (raw_int (path, "SELECT count(*) FROM runs"), ==, 2);
    g_assert_cmpint (raw_int (path, "SELECT count(*) FROM samples"), ==, 16);
    g_assert_cmpint (raw_int (path, "SELECT count(*) FROM layers"), ==, 10);
  }

  /* deleting a sweep takes its runs and their rows with it */
  g_assert_true (qviz_store_delete_sweep (store, sweep->uuid, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM sweeps"), ==, 0);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM runs"), ==, 0);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM samples"), ==, 0);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM layers"), ==, 0);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM spans"), ==, 0);
  remove_tree (dir);
}

/* ---- run helpers ---------------------------------------------------- */

static void
test_run_stats (void)
{
  g_autoptr(QvizRun) run = qviz_run_new ();
  const double cold[] = { 100.0, 50.0 };
  const double warm[] = { 10.0, 12.0, 11.0, 30.0, 10.5 };
  const float layer_ms[] = { 60.0f, 30.0f, 2.0f, 4.0f, 3.0f, 9.0f, 2.5f };
  QvizRunLayer *l;
  g_autofree char *iso = qviz_time_to_iso8601 (G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC);
  g_autofree char *u1 = qviz_uuid_new ();
  g_autofree char *u2 = qviz_uuid_new ();

  g_array_append_vals (run->cold_ms, cold, 2);
  g_array_append_vals (run->warm_ms, warm, 5);
  l = qviz_run_add_layer (run);
  g_assert_cmpint (l->index, ==, 0);
  g_assert_true (isnan (l->sqnr_db));
  l->macs = 1000000000;
  g_array_append_vals (l->pass_ms, layer_ms, 7);
  qviz_run_compute_stats (run);

  g_assert_cmpuint (run->stats.n, ==, 5);
  g_assert_cmpfloat (run->stats.median, ==, 11.0);
  g_assert_cmpfloat (run->stats.max, ==, 30.0);
  /* the layer's statistics leave its two cold passes out */
  l = qviz_run_get_layer (run, 0);
  g_assert_cmpuint (l->stats.n, ==, 5);
  g_assert_cmpfloat (l->stats.median, ==, 3.0);
  g_assert_cmpfloat (l->stats.max, ==, 9.0);
  g_assert_cmpfloat_with_epsilon (l->gops, 2e9 / 3e6, 1e-9); /* 2 * MACs / 3 ms */
  /* the warm pass nearest the median, counted after the cold ones */
  g_assert_cmpint (qviz_run_representative_pass (run), ==, 4);
  g_assert_cmpuint (qviz_run_n_passes (run), ==, 7);

  g_assert_cmpstr (iso, ==, "2023-11-14T22:13:20Z");
  g_assert_cmpuint (strlen (u1), ==, 36);
  g_assert_true (g_uuid_string_is_valid (u1));
  g_assert_cmpstr (u1, !=, u2);
}

static void
test_machine_detect (void)
{
  g_autoptr(QvizMachine) a = qviz_machine_detect ();
  g_autoptr(QvizMachine) b = qviz_machine_detect ();
  g_autoptr(QvizMachine) c = NULL;
  g_autofree char *line = qviz_machine_describe (a);

  g_assert_nonnull (a->id);
  g_assert_cmpuint (strlen (a->id), ==, 36);
  g_assert_true (g_uuid_string_is_valid (a->id) || a->id[8] == '-');
  g_assert_cmpstr (a->id, ==, b->id); /* the same machine, the same id */
  g_assert_cmpint (a->logical_cores, >=, 1);
  g_assert_cmpint (a->physical_cores, >=, 1);
  g_assert_cmpint (a->physical_cores, <=, a->logical_cores);
  g_assert_cmpuint (a->memory_bytes, >, 0);
  g_assert_nonnull (a->cpu_model);
  g_assert_cmpstr (a->cpu_model, !=, "");
  g_assert_nonnull (a->os);
  g_assert_true (g_str_has_prefix (a->kernel, "Linux "));
  g_assert_nonnull (a->qviz_version);
  g_assert_nonnull (line);
#if defined(__x86_64__)
  /* every x86-64 CPU that runs Debian 12 has SSE4.2 */
  g_assert_nonnull (strstr (a->isa_flags, "sse4.2"));
#  if defined(__AVX2__)
  g_assert_nonnull (strstr (a->isa_flags, "avx2"));
#  endif
#endif

  /* any fingerprint field changes the id */
  c = qviz_machine_copy (a);
  g_free (c->kernel);
  c->kernel = g_strdup ("Linux 0.0.1 x86_64");
  qviz_machine_compute_id (c);
  g_assert_cmpstr (c->id, !=, a->id);
  c->memory_bytes += 1;
  g_free (c->kernel);
  c->kernel = g_strdup (a->kernel);
  qviz_machine_compute_id (c);
  g_assert_cmpstr (c->id, !=, a->id);
}

/* ---- import and export ---------------------------------------------- */

/* A sweep's name and note: set, kept, cleared, refused when not one line or
 * too long (nothing changed then), and carried by an import. */
static void
test_sweep_label (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path_a = store_location (dir, "a.sqlite");
  g_autofree char *path_b = g_build_filename (dir, "b.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) a = qviz_store_open (path_a, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr(QvizStore) b = qviz_store_open (path_b, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr(QvizSweep) sweep_a = NULL;
  g_autoptr(QvizSweep) sweep_b = NULL;
  g_autoptr(GPtrArray) runs_a = fill_store (a, "host-a", "lraspp-mnv3", 100, 1, 5, &sweep_a);
  g_autoptr(GPtrArray) runs_b = fill_store (b, "host-b", "lraspp-mnv3", 200, 1, 5, &sweep_b);
  g_autofree char *long_note = g_strnfill (2001, 'n');
  QvizImportCounts counts;

  g_assert_no_error (error);
  {
    g_autoptr(QvizSweep) fresh = qviz_store_get_sweep (a, sweep_a->uuid, &error);
    g_assert_cmpstr (fresh->name, ==, "");
    g_assert_cmpstr (fresh->note, ==, "");
  }
  g_assert_true (qviz_store_set_sweep_label (a, sweep_a->uuid, "baseline", "before the “dwconv” change", &error));
  g_assert_no_error (error);
  g_assert_true (qviz_store_set_sweep_label (a, sweep_a->uuid, NULL, "", &error));
  {
    g_autoptr(QvizSweep) got = qviz_store_get_sweep (a, sweep_a->uuid, &error);
    g_assert_cmpstr (got->name, ==, "baseline");
    g_assert_cmpstr (got->note, ==, "");
  }
  g_assert_false (qviz_store_set_sweep_label (a, sweep_a->uuid, "two\nlines", NULL, &error));
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "one line"));
  g_clear_error (&error);
  g_assert_false (qviz_store_set_sweep_label (a, sweep_a->uuid, NULL, long_note, &error));
  g_assert_nonnull (strstr (error->message, "2001 characters"));
  g_clear_error (&error);
  {
    g_autoptr(QvizSweep) got = qviz_store_get_sweep (a, sweep_a->uuid, &error);
    g_assert_cmpstr (got->name, ==, "baseline");
  }

  /* b's labelled sweep comes into a with its label */
  g_assert_true (qviz_store_set_sweep_label (b, sweep_b->uuid, "laptop", "on battery", &error));
  g_assert_true (qviz_store_import (a, path_b, &counts, &error));
  g_assert_no_error (error);
  {
    g_autoptr(QvizSweep) got = qviz_store_get_sweep (a, sweep_b->uuid, &error);
    g_assert_cmpstr (got->name, ==, "laptop");
    g_assert_cmpstr (got->note, ==, "on battery");
  }
  qviz_store_close (g_steal_pointer (&a));
  qviz_store_close (g_steal_pointer (&b));
  remove_tree (dir);
}

static void
test_import (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path_a = store_location (dir, "a.sqlite");
  g_autofree char *path_b = g_build_filename (dir, "b.sqlite", NULL);
  g_autofree char *path_old = g_build_filename (dir, "old.sqlite", NULL);
  g_autofree char *path_bad = g_build_filename (dir, "bad.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) a = qviz_store_open (path_a, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr(QvizStore) b = qviz_store_open (path_b, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr(QvizSweep) sweep_b = NULL;
  g_autoptr(QvizSweep) open_sweep = NULL;
  g_autoptr(GPtrArray) runs_a = fill_store (a, "host-a", "lraspp-mnv3", 100, 2, 10, NULL);
  g_autoptr(GPtrArray) runs_b = fill_store (b, "host-b", "lraspp-mnv3", 200, 3, 20, &sweep_b);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(QvizRun) late_run = NULL;
  QvizImportCounts counts;

  g_assert_no_error (error);

  /* a sweep still running in b when it is first imported */
  {
    g_autoptr(QvizMachine) m = make_machine ("host-b");
    g_autoptr(QvizModelInfo) mi = make_model ("lraspp-mnv3");
    g_autoptr(QvizRun) first = NULL;

    open_sweep = make_sweep (m, mi, 300);
    g_assert_true (qviz_store_sweep_begin (b, open_sweep, &error));
    first = make_run (open_sweep, "f32", 224, 1, 30);
    g_assert_true (qviz_store_put_run (b, first, &error));
    g_assert_no_error (error);
  }

  g_assert_true (qviz_store_import (a, path_b, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.machines, ==, 1);  /* host-b */
  g_assert_cmpuint (counts.models, ==, 0);    /* the same model on both */
  g_assert_cmpuint (counts.sweeps, ==, 2);
  g_assert_cmpuint (counts.runs, ==, 4);
  g_assert_cmpint (raw_int (path_a, "SELECT count(*) FROM runs"), ==, 6);

  /* imported runs are whole */
  for (guint i = 0; i < runs_b->len; i++)
    {
      const QvizRun *orig = runs_b->pdata[i];
      g_autoptr(QvizRun) got = qviz_store_get_run (a, orig->uuid, &error);

      g_assert_no_error (error);
      assert_same_run (got, orig);
      g_assert_cmpstr (got->hostname, ==, "host-b");
    }

  /* idempotent */
  g_assert_true (qviz_store_import (a, path_b, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.machines + counts.models + counts.sweeps + counts.runs, ==, 0);
  g_assert_cmpint (raw_int (path_a, "SELECT count(*) FROM runs"), ==, 6);
  g_assert_cmpint (raw_int (path_a, "SELECT count(*) FROM spans"),
                   ==, 6 * raw_int (path_b, "SELECT count(*) FROM spans") / 4);

  /* the running sweep ends in b with one more run: a catches up */
  late_run = make_run (open_sweep, "int8", 224, 1, 31);
  g_assert_true (qviz_store_put_run (b, late_run, &error));
  g_assert_true (qviz_store_sweep_finish (b, open_sweep->uuid, QVIZ_SWEEP_COMPLETE, NULL, &error));
  g_assert_true (qviz_store_import (a, path_b, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.sweeps, ==, 0);
  g_assert_cmpuint (counts.runs, ==, 1);
  {
    g_autoptr(QvizSweep) s = qviz_store_get_sweep (a, open_sweep->uuid, &error);
    g_assert_cmpint (s->status, ==, QVIZ_SWEEP_COMPLETE);
    g_assert_cmpuint (s->n_runs, ==, 2);
  }

  /* an older-schema file imports too; its new columns take their defaults */
  g_assert_true (qviz_store_create_at_version (path_old, 1, &error));
  insert_v1_rows (path_old);
  g_assert_true (qviz_store_import (a, path_old, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.machines, ==, 1);
  g_assert_cmpuint (counts.models, ==, 1);
  g_assert_cmpuint (counts.sweeps, ==, 1);
  g_assert_cmpuint (counts.runs, ==, 1);
  check_v1_rows (a);
  all = qviz_store_list_sweeps (a, NULL, NULL, &error);
  g_assert_cmpuint (all->len, ==, 4);

  /* a bad file is refused and a is untouched */
  g_assert_true (g_file_set_contents (path_bad, "this is not a database", -1, NULL));
  g_assert_false (qviz_store_import (a, path_bad, &counts, &error));
  assert_db_error (error, path_bad, "not an SQLite file");
  g_clear_error (&error);
  g_assert_cmpint (raw_int (path_a, "SELECT count(*) FROM runs"), ==, 8);

  /* import into a read-only store is refused */
  {
    g_autoptr(QvizStore) ro = qviz_store_open (path_a, QVIZ_STORE_READ_ONLY, &error);
    g_assert_no_error (error);
    g_assert_false (qviz_store_import (ro, path_b, &counts, &error));
    assert_db_error (error, path_a, "read-only");
  }
  remove_tree (dir);
}

static void
test_export (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = store_location (dir, "runs.sqlite");
  g_autofree char *out = g_build_filename (dir, "export.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = qviz_store_open (path, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr(QvizSweep) s1 = NULL;
  g_autoptr(QvizSweep) s2 = NULL;
  g_autoptr(GPtrArray) r1 = fill_store (store, "host-a", "model-1", 100, 3, 1, &s1);
  g_autoptr(GPtrArray) r2 = fill_store (store, "host-b", "model-2", 200, 2, 2, &s2);
  g_autoptr(QvizStore) exported = NULL;
  g_autoptr(GPtrArray) sweeps = NULL;
  g_autofree char *prefix = g_strndup (s1->uuid, 6);
  const char *ids[] = { prefix, NULL };
  QvizImportCounts counts;
  GDir *d;
  const char *name;
  guint n_files = 0;
  guint8 header[20];
  FILE *f;

  g_assert_true (qviz_store_export (store, out, ids, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.machines, ==, 1);
  g_assert_cmpuint (counts.models, ==, 1);
  g_assert_cmpuint (counts.sweeps, ==, 1);
  g_assert_cmpuint (counts.runs, ==, 3);

  /* self-contained: one file, not in WAL mode (header bytes 18-19 == 1) */
  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_assert_false (strstr (name, "partial") != NULL);
      if (g_str_has_prefix (name, "export"))
        n_files++;
    }
  g_dir_close (d);
  g_assert_cmpuint (n_files, ==, 1);
  f = fopen (out, "rb");
  g_assert_nonnull (f);
  g_assert_cmpuint (fread (header, 1, sizeof header, f), ==, sizeof header);
  fclose (f);
  g_assert_cmpint (header[18], ==, 1);
  g_assert_cmpint (header[19], ==, 1);

  exported = qviz_store_open (out, QVIZ_STORE_READ_ONLY, &error);
  g_assert_no_error (error);
  sweeps = qviz_store_list_sweeps (exported, NULL, NULL, &error);
  g_assert_cmpuint (sweeps->len, ==, 1);
  g_assert_cmpstr (((QvizSweep *) sweeps->pdata[0])->uuid, ==, s1->uuid);
  g_assert_cmpstr (((QvizSweep *) sweeps->pdata[0])->model_name, ==, "model-1");
  for (guint i = 0; i < r1->len; i++)
    {
      g_autoptr(QvizRun) got = qviz_store_get_run (exported, ((QvizRun *) r1->pdata[i])->uuid,
                                                   &error);
      g_assert_no_error (error);
      assert_same_run (got, r1->pdata[i]);
    }
  g_assert_null (qviz_store_get_run (exported, ((QvizRun *) r2->pdata[0])->uuid, &error));
  g_clear_error (&error);
  g_clear_pointer (&exported, qviz_store_close);

  /* never over an existing file, nor for an unknown sweep */
  g_assert_false (qviz_store_export (store, out, ids, &counts, &error));
  g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "already exists"));
  g_clear_error (&error);
  {
    g_autofree char *out2 = g_build_filename (dir, "export2.sqlite", NULL);
    const char *bad_ids[] = { "ffffffff", NULL };

    g_assert_false (qviz_store_export (store, out2, bad_ids, &counts, &error));
    g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_false (g_file_test (out2, G_FILE_TEST_EXISTS));
  }
  {
    g_autofree char *nowhere = g_build_filename (dir, "no-such-folder", "e.sqlite", NULL);

    g_assert_false (qviz_store_export (store, nowhere, ids, &counts, &error));
    g_assert_error (error, QVIZ_ERROR, QVIZ_ERROR_IO);
    g_assert_nonnull (strstr (error->message, nowhere));
    g_clear_error (&error);
  }
  remove_tree (dir);
}

/* ---- two processes -------------------------------------------------- */

#define RUNS_PER_WRITER 12

static int
writer_main (const char *path, int id, int start_fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = NULL;
  g_autoptr(QvizSweep) sweep = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  char go;

  /* both processes start together */
  if (read (start_fd, &go, 1) < 0)
    return 2;
  store = qviz_store_open (path, QVIZ_STORE_READ_WRITE, &error);
  if (store == NULL)
    {
      g_printerr ("writer %d: %s\n", id, error->message);
      return 1;
    }
  {
    g_autofree char *host = g_strdup_printf ("writer-%d", id);
    g_autoptr(QvizMachine) m = make_machine (host);
    g_autoptr(QvizModelInfo) mi = make_model ("shared-model");

    sweep = make_sweep (m, mi, 1000 + id);
    if (!qviz_store_put_machine (store, m, &error)
        || !qviz_store_put_model (store, mi, &error)
        || !qviz_store_sweep_begin (store, sweep, &error))
      {
        g_printerr ("writer %d: %s\n", id, error->message);
        return 1;
      }
  }
  for (int i = 0; i < RUNS_PER_WRITER; i++)
    {
      g_autoptr(QvizRun) run = make_run (sweep, i % 2 ? "int8" : "f32", 224 + i, 1, id * 100 + i);

      if (!qviz_store_put_run (store, run, &error))
        {
          g_printerr ("writer %d: %s\n", id, error->message);
          return 1;
        }
    }
  if (!qviz_store_sweep_finish (store, sweep->uuid, QVIZ_SWEEP_COMPLETE, NULL, &error))
    {
      g_printerr ("writer %d: %s\n", id, error->message);
      return 1;
    }
  return 0;
}

static void
test_two_processes (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = store_location (dir, "shared.sqlite");
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = NULL;
  g_autoptr(GPtrArray) sweeps = NULL;
  pid_t pids[2];
  int fds[2];

  /* both processes create the file too: neither may trip over the other's
   * first migration */
  g_assert_cmpint (pipe (fds), ==, 0);
  for (int i = 0; i < 2; i++)
    {
      pids[i] = fork ();
      g_assert_cmpint (pids[i], >=, 0);
      if (pids[i] == 0)
        {
          close (fds[1]);
          /* the forked random state would give both children the same uuids */
          g_random_set_seed ((guint32) getpid ());
          _exit (writer_main (path, i + 1, fds[0]));
        }
    }
  close (fds[0]);
  close (fds[1]); /* EOF releases both */
  for (int i = 0; i < 2; i++)
    {
      int status = 0;

      g_assert_cmpint (waitpid (pids[i], &status, 0), ==, pids[i]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }

  store = qviz_store_open (path, QVIZ_STORE_READ_ONLY, &error);
  g_assert_no_error (error);
  sweeps = qviz_store_list_sweeps (store, "shared-model", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sweeps->len, ==, 2);
  for (guint i = 0; i < sweeps->len; i++)
    {
      QvizSweep *s = sweeps->pdata[i];
      g_assert_cmpint (s->status, ==, QVIZ_SWEEP_COMPLETE);
      g_assert_cmpuint (s->n_runs, ==, RUNS_PER_WRITER);
    }
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM layers"), ==, 2 * RUNS_PER_WRITER * 5);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM machines"), ==, 2);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM models"), ==, 1);
  remove_tree (dir);
}

/* ---- files it must refuse ------------------------------------------- */

/* Opening path (read-write, then read-only unless rw_only) fails with an
 * error naming it and containing fragment, and the file's bytes stay. */
static void
assert_refused (const char *path, const char *fragment, gboolean rw_only)
{
  g_autofree char *before = file_sha256 (path);
  g_autofree char *after = NULL;

  for (int ro = 0; ro <= (rw_only ? 0 : 1); ro++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(QvizStore) store =
        qviz_store_open_full (path, ro ? QVIZ_STORE_READ_ONLY : QVIZ_STORE_READ_WRITE, 200,
                              &error);

      g_assert_null (store);
      assert_db_error (error, path, fragment);
    }
  after = file_sha256 (path);
  g_assert_cmpstr (before, ==, after);
}

/* A real store with two sweeps, closed. */
static void
make_full_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = qviz_store_open (path, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr(GPtrArray) r1 = fill_store (store, "h", "m", 1, 4, 1, NULL);
  g_autoptr(GPtrArray) r2 = fill_store (store, "h", "m", 2, 4, 5, NULL);

  g_assert_no_error (error);
}

static void
test_bad_not_sqlite (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *garbage = g_build_filename (dir, "garbage.sqlite", NULL);
  g_autofree char *text = g_build_filename (dir, "text.sqlite", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  guint8 bytes[8192];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) g_rand_int (rand);
  g_assert_true (g_file_set_contents (garbage, (const char *) bytes, sizeof bytes, NULL));
  g_assert_true (g_file_set_contents (text, "id,ms\n1,2\n", -1, NULL));

  assert_refused (garbage, "not an SQLite file", FALSE);
  assert_refused (text, "not an SQLite file", FALSE);
  remove_tree (dir);
}

static void
test_bad_truncated (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "runs.sqlite", NULL);
  g_autofree char *tiny = g_build_filename (dir, "tiny.sqlite", NULL);
  g_autofree char *data = NULL;
  gsize len;

  make_full_store (path);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, >, 8192);
  /* cut at a page boundary, which SQLite alone would not notice on open */
  g_assert_true (g_file_set_contents (path, data, (gssize) (len / 2 / 4096 * 4096), NULL));
  assert_refused (path, "truncated", FALSE);

  /* and inside the header */
  g_assert_true (g_file_set_contents (tiny, data, 60, NULL));
  assert_refused (tiny, "damaged", FALSE);
  remove_tree (dir);
}

static void
test_bad_corrupt (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "runs.sqlite", NULL);
  g_autofree char *data = NULL;
  gsize len, page = 4096;

  make_full_store (path);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  page = ((guint8) data[16] << 8) | (guint8) data[17];
  g_assert_cmpuint (len, >=, 4 * page);
  /* scribble over every page but the first: the length is right, the
   * b-trees are not */
  for (gsize i = page; i < len; i++)
    data[i] = (char) (0x5a ^ (i * 7));
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
  assert_refused (path, "damaged", FALSE);
  remove_tree (dir);
}

static void
test_bad_newer (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "runs.sqlite", NULL);
  g_autofree char *expected = NULL;
  sqlite3 *db;

  make_full_store (path);
  db = raw_open (path);
  raw_exec (db, "PRAGMA user_version = 99");
  sqlite3_close (db);

  expected = g_strdup_printf ("was written by a newer qviz (schema 99; this one knows up to %d)",
                              QVIZ_STORE_SCHEMA_VERSION);
  assert_refused (path, expected, FALSE);
  remove_tree (dir);
}

/* user_version comes from the file: a negative one must not index the
 * migrations (it once ran other strings of the binary as SQL), whether the
 * file is opened or imported. */
static void
test_bad_negative_version (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *good = g_build_filename (dir, "good.sqlite", NULL);
  const int versions[] = { -1, -252, -1000000, G_MININT };

  make_full_store (good);
  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/bad%u.sqlite", dir, i);
      g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d", versions[i]);
      g_autofree char *expected = g_strdup_printf ("has an invalid schema version (%d)",
                                                   versions[i]);
      g_autofree char *good_before = file_sha256 (good);
      g_autofree char *good_after = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(QvizStore) target = NULL;
      sqlite3 *db;

      make_full_store (path);
      db = raw_open (path);
      raw_exec (db, sql);
      sqlite3_close (db);
      assert_refused (path, expected, FALSE);

      target = qviz_store_open (good, QVIZ_STORE_READ_WRITE, &error);
      g_assert_no_error (error);
      g_assert_false (qviz_store_import (target, path, NULL, &error));
      assert_db_error (error, path, expected);
      g_clear_pointer (&target, qviz_store_close);
      good_after = file_sha256 (good);
      g_assert_cmpstr (good_before, ==, good_after);
    }
  remove_tree (dir);
}

/* An imported file is anything someone sent: a row qviz would not have
 * written is refused by name, and the target stays byte for byte. */
/* What tells a store's contents apart: a file's bytes, a server
 * database's rows. */
static char *
store_digest (const char *location)
{
  const char *tables[] = { "machines", "models", "sweeps", "runs", "samples", "layers",
                           "spans" };
  GString *digest;

  if (!qviz_store_location_is_postgres (location))
    return file_sha256 (location);
  digest = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", tables[i]);

      g_string_append_printf (digest, "%s=%" G_GINT64_FORMAT " ", tables[i],
                              raw_int (location, sql));
    }
  g_string_append_printf (digest, "running=%" G_GINT64_FORMAT,
                          raw_int (location, "SELECT count(*) FROM sweeps WHERE status = 'running'"));
  return g_string_free (digest, FALSE);
}

static void
test_import_hostile (void)
{
  static const struct {
    const char *sql;       /* applied to a copy of a good source */
    const char *fragment;  /* of the refusal */
    gboolean after_import; /* the good source was imported first */
  } cases[] = {
    { "UPDATE sweeps SET uuid = upper (uuid); UPDATE runs SET sweep_uuid = upper (sweep_uuid);"
      "UPDATE runs SET uuid = upper (uuid); UPDATE samples SET run_uuid = upper (run_uuid);"
      "UPDATE layers SET run_uuid = upper (run_uuid); UPDATE spans SET run_uuid = upper (run_uuid)",
      "not a lower-case UUID", TRUE },
    { "UPDATE sweeps SET options = 'iterations=1'", "different sweep already stored", TRUE },
    { "UPDATE runs SET height = height + 1", "different run already stored", TRUE },
    { "PRAGMA ignore_check_constraints = 1; UPDATE sweeps SET status = 'weird'",
      "unknown status 'weird'", FALSE },
    { "PRAGMA ignore_check_constraints = 1; UPDATE runs SET precision = 'fp64'",
      "unknown precision or status 'fp64'", FALSE },
    { "UPDATE runs SET median_ms = -1", "negative, infinite or not a number", FALSE },
    { "UPDATE runs SET p90_ms = 1e999", "negative, infinite or not a number", FALSE },
    { "UPDATE samples SET ms = -0.5", "negative, infinite or not a number", FALSE },
    { "UPDATE runs SET height = 'tall'", "out of range", FALSE },
    { "UPDATE layers SET name = printf ('%.5000c', 'x')", "out of range", FALSE },
    { "UPDATE layers SET samples = x'010203'", "malformed per-pass times", FALSE },
    { "UPDATE spans SET end_ns = start_ns - 1", "time out of range", FALSE },
    { "DELETE FROM machines", "does not hold", FALSE },
    { "UPDATE machines SET cpu_model = 'other'", "different machine already stored", TRUE },
    { "DROP TABLE spans; CREATE VIEW spans AS SELECT * FROM samples", "no table 'spans'",
      FALSE },
  };
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *good = g_build_filename (dir, "good.sqlite", NULL);

  make_full_store (good);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *target_name = g_strdup_printf ("target%u.sqlite", i);
      g_autofree char *target = store_location (dir, target_name);
      g_autofree char *bad = g_strdup_printf ("%s/bad%u.sqlite", dir, i);
      g_autofree char *data = NULL;
      g_autofree char *before = NULL, *after = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(QvizStore) store = NULL;
      gsize len;
      sqlite3 *db;

      g_test_message ("%s", cases[i].sql);
      g_assert_true (g_file_get_contents (good, &data, &len, NULL));
      g_assert_true (g_file_set_contents (bad, data, (gssize) len, NULL));
      db = raw_open (bad);
      raw_exec (db, cases[i].sql);
      sqlite3_close (db);

      store = qviz_store_open (target, QVIZ_STORE_READ_WRITE, &error);
      g_assert_no_error (error);
      if (cases[i].after_import)
        {
          g_assert_true (qviz_store_import (store, good, NULL, &error));
          g_assert_no_error (error);
        }
      g_clear_pointer (&store, qviz_store_close);
      before = store_digest (target);

      store = qviz_store_open (target, QVIZ_STORE_READ_WRITE, &error);
      g_assert_no_error (error);
      g_assert_false (qviz_store_import (store, bad, NULL, &error));
      assert_db_error (error, bad, cases[i].fragment);
      g_assert_nonnull (strstr (error->message, "nothing was imported"));
      g_clear_pointer (&store, qviz_store_close);
      after = store_digest (target);
      g_assert_cmpstr (before, ==, after);
    }
  remove_tree (dir);
}

static void
test_bad_foreign (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "other.sqlite", NULL);
  sqlite3 *db = raw_open (path);

  raw_exec (db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);"
                "INSERT INTO notes (text) VALUES ('not ours');");
  sqlite3_close (db);
  assert_refused (path, "not a qviz database", FALSE);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM sqlite_master"), ==, 1);
  remove_tree (dir);
}

static void
test_bad_read_only (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "runs.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = NULL;
  g_autoptr(QvizMachine) m = make_machine ("another");
  g_autoptr(GPtrArray) sweeps = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  make_full_store (path);
  before = file_sha256 (path);

  /* a file made read-only is refused for writing, even to root */
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  assert_refused (path, "read-only", TRUE);

  /* but opens read-only, reads, and refuses every write */
  store = qviz_store_open (path, QVIZ_STORE_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_true (qviz_store_is_read_only (store));
  sweeps = qviz_store_list_sweeps (store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sweeps->len, ==, 2);
  g_assert_false (qviz_store_put_machine (store, m, &error));
  assert_db_error (error, path, "read-only");
  g_clear_error (&error);
  g_assert_false (qviz_store_sweep_finish (store, ((QvizSweep *) sweeps->pdata[0])->uuid,
                                           QVIZ_SWEEP_FAILED, "x", &error));
  assert_db_error (error, path, "read-only");
  g_clear_error (&error);
  g_assert_false (qviz_store_delete_sweep (store, ((QvizSweep *) sweeps->pdata[0])->uuid, &error));
  assert_db_error (error, path, "read-only");
  g_clear_error (&error);
  g_clear_pointer (&store, qviz_store_close);
  after = file_sha256 (path);
  g_assert_cmpstr (before, ==, after);

  /* a writable file in a folder that is not: SQLite could not keep its
   * journal.  Root may write anywhere, so only a user can see this. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  if (geteuid () != 0)
    {
      g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
      assert_refused (path, "folder is read-only", TRUE);
      g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
    }

  /* read-only open of a file that is not there creates nothing */
  {
    g_autofree char *missing = g_build_filename (dir, "missing.sqlite", NULL);

    g_assert_null (qviz_store_open (missing, QVIZ_STORE_READ_ONLY, &error));
    assert_db_error (error, missing, "does not exist");
    g_clear_error (&error);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  }
  remove_tree (dir);
}

static void
test_bad_locked (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "runs.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = NULL;
  g_autoptr(QvizMachine) m = make_machine ("late");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 t0;
  sqlite3 *holder;

  make_full_store (path);

  /* WAL: another writer holds the write lock; reading still works, a write
   * waits out the timeout and then says so */
  holder = raw_open (path);
  raw_exec (holder, "BEGIN EXCLUSIVE; DELETE FROM spans;");
  store = qviz_store_open_full (path, QVIZ_STORE_READ_WRITE, 300, &error);
  g_assert_no_error (error);
  t0 = g_get_monotonic_time ();
  g_assert_false (qviz_store_put_machine (store, m, &error));
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 250000);
  assert_db_error (error, path, "locked by another program");
  g_clear_error (&error);
  raw_exec (holder, "ROLLBACK");
  /* once free, the same store writes */
  g_assert_true (qviz_store_put_machine (store, m, &error));
  g_assert_no_error (error);
  g_clear_pointer (&store, qviz_store_close);

  /* rollback journal: an exclusive lock keeps even readers out, so the open
   * itself gives up, and changes nothing */
  raw_exec (holder, "PRAGMA journal_mode = DELETE");
  sqlite3_close (holder);
  before = file_sha256 (path);
  holder = raw_open (path);
  raw_exec (holder, "BEGIN EXCLUSIVE; SELECT count(*) FROM runs;");
  store = qviz_store_open_full (path, QVIZ_STORE_READ_WRITE, 300, &error);
  g_assert_null (store);
  assert_db_error (error, path, "locked by another program");
  g_clear_error (&error);
  raw_exec (holder, "ROLLBACK");
  sqlite3_close (holder);
  after = file_sha256 (path);
  g_assert_cmpstr (before, ==, after);
  remove_tree (dir);
}

/* ---- a server's own failures ---------------------------------------- */

/* A database of a newer qviz is refused, and left as it was. */
static void
test_server_newer (void)
{
  g_autofree char *uri = store_location (NULL, "newer");
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = qviz_store_open (uri, QVIZ_STORE_READ_WRITE, &error);

  g_assert_no_error (error);
  g_clear_pointer (&store, qviz_store_close);
  raw_exec_at (uri, "UPDATE qviz_schema SET version = 99");
  for (int ro = 0; ro <= 1; ro++)
    {
      store = qviz_store_open (uri, ro ? QVIZ_STORE_READ_ONLY : QVIZ_STORE_READ_WRITE, &error);
      g_assert_null (store);
      assert_db_error (error, uri, "newer qviz (schema 99");
      g_clear_error (&error);
    }
  g_assert_cmpint (schema_version_at (uri), ==, 99);

  /* another program's tables are not taken over */
  {
    g_autofree char *other = store_location (NULL, "other");

    raw_exec_at (other, "CREATE TABLE runs (id INTEGER)");
    store = qviz_store_open (other, QVIZ_STORE_READ_WRITE, &error);
    g_assert_null (store);
    assert_db_error (error, other, "not a qviz database");
    g_clear_error (&error);
    g_assert_cmpint (raw_int (other, "SELECT count(*) FROM pg_tables WHERE tablename = 'qviz_schema'"),
                     ==, 0);
  }
}

/* Server unreachable, authentication failed, permission denied: each one
 * sentence that says which, naming the URI without its password. */
static void
test_server_errors (void)
{
  g_autofree char *uri = store_location (NULL, "errors");
  g_auto(GStrv) at_host = g_strsplit (uri, "?host=", 2);
  g_autofree char *nowhere = g_strdup_printf ("postgresql://qviz@/x?host=/nonexistent-qviz-%d",
                                              (int) getpid ());
  g_autofree char *stranger = NULL;
  g_autofree char *reader = NULL;
  g_autofree char *reader_name = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = NULL;
  g_autoptr(QvizStore) writer = NULL;

  store = qviz_store_open (nowhere, QVIZ_STORE_READ_ONLY, &error);
  g_assert_null (store);
  assert_db_error (error, nowhere, "server unreachable");
  g_clear_error (&error);

  stranger = g_strdup_printf ("postgresql://nobody_here:secret@%s?host=%s",
                              strchr (at_host[0], '@') + 1, at_host[1]);
  store = qviz_store_open (stranger, QVIZ_STORE_READ_ONLY, &error);
  g_assert_null (store);
  assert_db_error (error, "postgresql://nobody_here@", "authentication failed");
  g_assert_null (strstr (error->message, "secret"));
  g_clear_error (&error);

  /* a role that may read the runs but not add any */
  writer = qviz_store_open (uri, QVIZ_STORE_READ_WRITE, &error);
  g_assert_no_error (error);
  fill_store (writer, "h", "m", 1, 1, 1, NULL);
  raw_exec_at (uri, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                    "'qviz_reader') THEN CREATE ROLE qviz_reader LOGIN; END IF; END $$;"
                    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO qviz_reader");
  reader = g_strdup_printf ("postgresql://qviz_reader@%s?host=%s",
                            strchr (at_host[0], '@') + 1, at_host[1]);
  reader_name = g_strdup (reader);
  store = qviz_store_open (reader, QVIZ_STORE_READ_WRITE, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) sweeps = qviz_store_list_sweeps (store, NULL, NULL, &error);
    g_autoptr(QvizMachine) m = make_machine ("another");

    g_assert_no_error (error);
    g_assert_cmpuint (sweeps->len, ==, 1);
    g_assert_false (qviz_store_put_machine (store, m, &error));
    assert_db_error (error, reader_name, "permission denied");
    g_clear_error (&error);
  }
  g_assert_cmpint (raw_int (uri, "SELECT count(*) FROM machines"), ==, 1);
}

/* The server drops the connection (a restart, an idle timeout): the next
 * call connects again; a run cut off in the middle is not half there. */
static void
test_server_reconnects (void)
{
  g_autofree char *uri = store_location (NULL, "reconnect");
  g_autofree char *kill = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = qviz_store_open (uri, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr(QvizSweep) sweep = NULL;
  g_autoptr(GPtrArray) runs = fill_store (store, "h", "m", 1, 2, 1, &sweep);
  g_autoptr(GPtrArray) sweeps = NULL;
  g_autoptr(QvizRun) late = make_run (sweep, "f32", 512, 1, 7);

  g_assert_no_error (error);
  /* postgresql://qviz@/DATABASE?host=... */
  {
    g_autofree char *database = g_strdup (strstr (uri, "@/") + 2);

    *strchr (database, '?') = '\0';
    kill = g_strdup_printf ("SELECT count(pg_terminate_backend (pid)) FROM pg_stat_activity "
                            "WHERE application_name = 'qviz' AND datname = '%s'", database);
  }
  g_assert_cmpint (raw_int (uri, kill), ==, 1);

  sweeps = qviz_store_list_sweeps (store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sweeps->len, ==, 1);
  g_assert_cmpuint (((QvizSweep *) sweeps->pdata[0])->n_runs, ==, 2);

  /* and after another drop, a whole run still goes in as one */
  g_assert_cmpint (raw_int (uri, kill), ==, 1);
  g_assert_true (qviz_store_put_run (store, late, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (uri, "SELECT count(*) FROM runs"), ==, 3);
  g_assert_cmpint (raw_int (uri, "SELECT count(*) FROM layers"), ==, 15);
}

/* The calibration cache keeps every byte of what was put (all 256 byte
 * values, so an encoding that drops or escapes one shows), answers nothing
 * for another key, and replaces on a second put. */
static void
test_calibration_cache (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = store_location (dir, "runs.sqlite");
  g_autoptr(GError) error = NULL;
  g_autoptr(QvizStore) store = qviz_store_open (path, QVIZ_STORE_READ_WRITE, &error);
  guint8 data[512];
  g_autoptr(GBytes) first = NULL, second = NULL, got = NULL, none = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 7 + (i >> 8));
  first = g_bytes_new (data, sizeof data);
  second = g_bytes_new (data + 3, 100);

  none = qviz_store_get_calibration (store, "sha", "synthetic 8 @512x512", "percentile", &error);
  g_assert_no_error (error);
  g_assert_null (none);
  g_assert_true (qviz_store_put_calibration (store, "sha", "synthetic 8 @512x512",
                                             "percentile", first, &error));
  g_assert_no_error (error);
  got = qviz_store_get_calibration (store, "sha", "synthetic 8 @512x512", "percentile", &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_true (g_bytes_equal (got, first));
  g_clear_pointer (&got, g_bytes_unref);
  got = qviz_store_get_calibration (store, "sha", "synthetic 8 @512x512", "minmax", &error);
  g_assert_no_error (error);
  g_assert_null (got);
  g_assert_true (qviz_store_put_calibration (store, "sha", "synthetic 8 @512x512",
                                             "percentile", second, &error));
  got = qviz_store_get_calibration (store, "sha", "synthetic 8 @512x512", "percentile", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, second));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_server = g_getenv ("QVIZ_TEST_DB");
  if (test_server != NULL && test_server[0] != '\0')
    {
#ifndef QVIZ_HAVE_LIBPQ
      g_test_skip ("this qviz was built without libpq");
      return 77;
#endif
      g_assert_true (qviz_store_location_is_postgres (test_server));
      /* the same tests where they are not about SQLite files */
      g_test_add_func ("/store/create", test_create);
      g_test_add_func ("/store/migrations", test_migrations);
      g_test_add_func ("/store/migration-fails", test_migration_fails);
      g_test_add_func ("/store/round-trip", test_round_trip);
      g_test_add_func ("/store/prefix-and-atomicity", test_prefix_ambiguous);
      g_test_add_func ("/store/import", test_import);
      g_test_add_func ("/store/sweep-label", test_sweep_label);
      g_test_add_func ("/store/import-hostile", test_import_hostile);
      g_test_add_func ("/store/export", test_export);
      g_test_add_func ("/store/two-processes", test_two_processes);
      g_test_add_func ("/store/calibration-cache", test_calibration_cache);
      g_test_add_func ("/store/server/newer", test_server_newer);
      g_test_add_func ("/store/server/errors", test_server_errors);
      g_test_add_func ("/store/server/reconnects", test_server_reconnects);
      return g_test_run ();
    }
  test_server = NULL;
  g_test_add_func ("/store/create", test_create);
  g_test_add_func ("/store/default-path", test_default_path);
  g_test_add_func ("/store/migrations", test_migrations);
  g_test_add_func ("/store/migration-fails", test_migration_fails);
  g_test_add_func ("/store/round-trip", test_round_trip);
  g_test_add_func ("/store/prefix-and-atomicity", test_prefix_ambiguous);
  g_test_add_func ("/store/import", test_import);
  g_test_add_func ("/store/sweep-label", test_sweep_label);
  g_test_add_func ("/store/import-hostile", test_import_hostile);
  g_test_add_func ("/store/export", test_export);
  g_test_add_func ("/store/two-processes", test_two_processes);
  g_test_add_func ("/store/calibration-cache", test_calibration_cache);
  g_test_add_func ("/store/bad/not-sqlite", test_bad_not_sqlite);
  g_test_add_func ("/store/bad/truncated", test_bad_truncated);
  g_test_add_func ("/store/bad/corrupt", test_bad_corrupt);
  g_test_add_func ("/store/bad/newer", test_bad_newer);
  g_test_add_func ("/store/bad/negative-version", test_bad_negative_version);
  g_test_add_func ("/store/bad/foreign", test_bad_foreign);
  g_test_add_func ("/store/bad/read-only", test_bad_read_only);
  g_test_add_func ("/store/bad/locked", test_bad_locked);
  g_test_add_func ("/run/stats", test_run_stats);
  g_test_add_func ("/machine/detect", test_machine_detect);
  return g_test_run ();
}
