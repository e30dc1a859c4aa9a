/* qviz-store-pg.c: the run store on a PostgreSQL server (see
 * qviz-store-pg.h).
 *
 * All values travel as text parameters ($1, $2, ...) and come back as
 * text; doubles are written with 17 significant digits and PostgreSQL
 * prints them shortest-exact, so a run reads back bit for bit.  Text is
 * ordered with COLLATE "C" so that lists come in the same order as from
 * SQLite, whatever the database's locale.
 */
#include "qviz-store-pg.h"
#include "qviz-store-private.h"
#include "qviz-process.h"
#include "qviz-graph.h" /* QVIZ_ERROR */
#include "qviz-config.h"

#include <math.h>
#include <string.h>

gboolean
qviz_store_location_is_postgres (const char *location)
{
  return location != NULL && (g_str_has_prefix (location, "postgresql://")
                              || g_str_has_prefix (location, "postgres://"));
}

/* The URI without a password, so that messages and titles never show it. */
static char *
name_without_password (const char *uri)
{
  const char *scheme_end = strstr (uri, "://");
  const char *authority = scheme_end != NULL ? scheme_end + 3 : uri;
  const char *at = strchr (authority, '@');
  const char *slash = strchr (authority, '/');
  const char *colon;
  const char *q;
  GString *name = g_string_new (NULL);

  if (at != NULL && (slash == NULL || at < slash)
      && (colon = memchr (authority, ':', (gsize) (at - authority))) != NULL)
    {
      g_string_append_len (name, uri, colon - uri);
      g_string_append (name, at);
    }
  else
    g_string_append (name, uri);
  /* a password may also come as ?password=... */
  q = strstr (name->str, "password=");
  if (q != NULL && q > name->str && (q[-1] == '?' || q[-1] == '&'))
    {
      gssize start = q - name->str + 9;
      const char *end = strchr (q, '&');
      gssize len = end != NULL ? end - (name->str + start) : (gssize) name->len - start;

      g_string_erase (name, start, len);
      g_string_insert (name, start, "***");
    }
  return g_string_free (name, FALSE);
}

#ifndef QVIZ_HAVE_LIBPQ

QvizPgStore *
qviz_pg_store_open (const char *uri, gboolean read_only, int target_version, GError **error)
{
  g_autofree char *name = name_without_password (uri);

  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
               "Cannot open “%s”: this qviz was built without PostgreSQL support (libpq).",
               name);
  return NULL;
}

void qviz_pg_store_close (QvizPgStore *pg) { }
const char *qviz_pg_store_get_name (QvizPgStore *pg) { return NULL; }
int qviz_pg_store_get_schema_version (QvizPgStore *pg) { return 0; }
#define UNREACHABLE(ret) { g_assert_not_reached (); return ret; }
gboolean qviz_pg_store_put_machine (QvizPgStore *pg, const QvizMachine *m, GError **error) UNREACHABLE (FALSE)
gboolean qviz_pg_store_put_model (QvizPgStore *pg, const QvizModelInfo *mi, GError **error) UNREACHABLE (FALSE)
gboolean qviz_pg_store_sweep_begin (QvizPgStore *pg, const QvizSweep *s, GError **error) UNREACHABLE (FALSE)
gboolean qviz_pg_store_sweep_finish (QvizPgStore *pg, const char *u, QvizSweepStatus st, const char *m, GError **error) UNREACHABLE (FALSE)
gboolean qviz_pg_store_put_run (QvizPgStore *pg, const QvizRun *run, GError **error) UNREACHABLE (FALSE)
gboolean qviz_pg_store_delete_sweep (QvizPgStore *pg, const char *id, GError **error) UNREACHABLE (FALSE)
gboolean qviz_pg_store_set_sweep_label (QvizPgStore *pg, const char *id, const char *n, const char *t, GError **error) UNREACHABLE (FALSE)
char *qviz_pg_store_resolve_sweep (QvizPgStore *pg, const char *id, GError **error) UNREACHABLE (NULL)
GPtrArray *qviz_pg_store_list_sweeps (QvizPgStore *pg, const char *mo, const char *ma, gboolean l, GError **error) UNREACHABLE (NULL)
QvizSweep *qviz_pg_store_get_sweep (QvizPgStore *pg, const char *id, GError **error) UNREACHABLE (NULL)
GPtrArray *qviz_pg_store_list_runs (QvizPgStore *pg, const char *id, gboolean d, GError **error) UNREACHABLE (NULL)
QvizRun *qviz_pg_store_get_run (QvizPgStore *pg, const char *id, GError **error) UNREACHABLE (NULL)
QvizMachine *qviz_pg_store_get_machine (QvizPgStore *pg, const char *id, GError **error) UNREACHABLE (NULL)
QvizModelInfo *qviz_pg_store_get_model (QvizPgStore *pg, const char *s, GError **error) UNREACHABLE (NULL)
GPtrArray *qviz_pg_store_list_machines (QvizPgStore *pg, GError **error) UNREACHABLE (NULL)
GPtrArray *qviz_pg_store_list_models (QvizPgStore *pg, GError **error) UNREACHABLE (NULL)
gboolean qviz_pg_store_import (QvizPgStore *pg, QvizStore *src, const char *n, QvizImportCounts *c, GError **error) UNREACHABLE (FALSE)
GBytes *qviz_pg_store_get_calibration (QvizPgStore *pg, const char *m, const char *so, const char *se, GError **error) UNREACHABLE (NULL)
gboolean qviz_pg_store_put_calibration (QvizPgStore *pg, const char *m, const char *so, const char *se, GBytes *b, GError **error) UNREACHABLE (FALSE)

#else /* QVIZ_HAVE_LIBPQ */

#include <libpq-fe.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* Taken by every migration, so that two qviz processes creating the same
 * database at once do it one after the other ("qviz" in ASCII). */
#define QVIZ_PG_MIGRATION_LOCK 0x7176697a

struct _QvizPgStore {
  GMutex  lock;
  PGconn *conn;
  char   *name;
  gboolean read_only;
  int     schema_version;
  gboolean in_import;      /* put_run is then part of the import's transaction */
  gboolean in_transaction; /* between BEGIN and COMMIT or ROLLBACK */
};

/* ---- schema --------------------------------------------------------- */

/* pg_migrations[i] takes a database from version i to i + 1, mirroring
 * migrations[i] of qviz-store.c: the same tables and columns, INTEGER as
 * BIGINT, REAL as DOUBLE PRECISION, BLOB as BYTEA.  spans gets a serial
 * seq where SQLite has its rowid (the order spans were stored in).  Never
 * edit one that has shipped: add the next, beside the SQLite one. */
static const char *const pg_migrations[] = {
  /* 0 -> 1: the first schema */
  "CREATE TABLE machines ("
  "  id TEXT PRIMARY KEY,"
  "  hostname TEXT NOT NULL,"
  "  cpu_model TEXT NOT NULL,"
  "  physical_cores BIGINT NOT NULL,"
  "  logical_cores BIGINT NOT NULL,"
  "  isa_flags TEXT NOT NULL,"
  "  l1d_bytes BIGINT NOT NULL,"
  "  l2_bytes BIGINT NOT NULL,"
  "  l3_bytes BIGINT NOT NULL,"
  "  memory_bytes BIGINT NOT NULL,"
  "  os TEXT NOT NULL,"
  "  kernel TEXT NOT NULL,"
  "  qviz_version TEXT NOT NULL,"
  "  qviz_commit TEXT NOT NULL);"
  "CREATE TABLE models ("
  "  sha256 TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  source TEXT NOT NULL,"
  "  n_nodes BIGINT NOT NULL,"
  "  params BIGINT NOT NULL,"
  "  macs BIGINT NOT NULL,"
  "  default_res BIGINT NOT NULL,"
  "  weight_bytes_f32 BIGINT NOT NULL,"
  "  weight_bytes_int8 BIGINT NOT NULL);"
  "CREATE INDEX models_by_name ON models (name);"
  "CREATE TABLE sweeps ("
  "  uuid TEXT PRIMARY KEY,"
  "  machine_id TEXT NOT NULL REFERENCES machines (id),"
  "  model_sha256 TEXT NOT NULL REFERENCES models (sha256),"
  "  created_us BIGINT NOT NULL,"
  "  finished_us BIGINT NOT NULL DEFAULT 0,"
  "  resolutions TEXT NOT NULL,"
  "  threads TEXT NOT NULL,"
  "  precisions TEXT NOT NULL,"
  "  options TEXT NOT NULL,"
  "  status TEXT NOT NULL"
  "    CONSTRAINT sweeps_status_check"
  "    CHECK (status IN ('running', 'complete', 'cancelled', 'failed')),"
  "  message TEXT NOT NULL DEFAULT '');"
  "CREATE INDEX sweeps_by_model ON sweeps (model_sha256, created_us);"
  "CREATE INDEX sweeps_by_machine ON sweeps (machine_id, created_us);"
  "CREATE TABLE runs ("
  "  uuid TEXT PRIMARY KEY,"
  "  sweep_uuid TEXT NOT NULL REFERENCES sweeps (uuid) ON DELETE CASCADE,"
  "  machine_id TEXT NOT NULL REFERENCES machines (id),"
  "  model_sha256 TEXT NOT NULL REFERENCES models (sha256),"
  "  precision TEXT NOT NULL,"
  "  height BIGINT NOT NULL,"
  "  width BIGINT NOT NULL,"
  "  threads BIGINT NOT NULL,"
  "  conv_algo TEXT NOT NULL,"
  "  iterations BIGINT NOT NULL,"
  "  warmup BIGINT NOT NULL,"
  "  plan_ms DOUBLE PRECISION,"
  "  first_pass_ms DOUBLE PRECISION,"
  "  arena_bytes BIGINT NOT NULL DEFAULT 0,"
  "  weight_bytes BIGINT NOT NULL DEFAULT 0,"
  "  n_samples BIGINT NOT NULL,"
  "  median_ms DOUBLE PRECISION, p10_ms DOUBLE PRECISION, p90_ms DOUBLE PRECISION,"
  "  min_ms DOUBLE PRECISION, max_ms DOUBLE PRECISION, mean_ms DOUBLE PRECISION,"
  "  stddev_ms DOUBLE PRECISION, mad_ms DOUBLE PRECISION,"
  "  sqnr_db DOUBLE PRECISION,"
  "  status TEXT NOT NULL CHECK (status IN ('complete', 'cancelled', 'failed')),"
  "  message TEXT NOT NULL DEFAULT '',"
  "  started_us BIGINT NOT NULL,"
  "  finished_us BIGINT NOT NULL);"
  "CREATE INDEX runs_by_sweep ON runs (sweep_uuid);"
  "CREATE INDEX runs_by_model ON runs (model_sha256, machine_id);"
  "CREATE INDEX runs_by_machine ON runs (machine_id);"
  "CREATE TABLE samples ("
  "  run_uuid TEXT NOT NULL REFERENCES runs (uuid) ON DELETE CASCADE,"
  "  pass BIGINT NOT NULL,"
  "  cold BIGINT NOT NULL,"
  "  ms DOUBLE PRECISION NOT NULL,"
  "  PRIMARY KEY (run_uuid, pass));"
  "CREATE TABLE layers ("
  "  run_uuid TEXT NOT NULL REFERENCES runs (uuid) ON DELETE CASCADE,"
  "  idx BIGINT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  op TEXT NOT NULL,"
  "  kernel TEXT NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  fused TEXT NOT NULL,"
  "  in_shape TEXT NOT NULL,"
  "  out_shape TEXT NOT NULL,"
  "  kernel_h BIGINT NOT NULL, kernel_w BIGINT NOT NULL,"
  "  stride_h BIGINT NOT NULL, stride_w BIGINT NOT NULL,"
  "  dilation_h BIGINT NOT NULL, dilation_w BIGINT NOT NULL,"
  "  groups BIGINT NOT NULL,"
  "  depthwise BIGINT NOT NULL,"
  "  dilated BIGINT NOT NULL,"
  "  layer_class TEXT NOT NULL,"
  "  macs BIGINT NOT NULL,"
  "  params BIGINT NOT NULL,"
  "  bytes BIGINT NOT NULL,"
  "  n_samples BIGINT NOT NULL,"
  "  median_ms DOUBLE PRECISION, p10_ms DOUBLE PRECISION, p90_ms DOUBLE PRECISION,"
  "  min_ms DOUBLE PRECISION, max_ms DOUBLE PRECISION, mean_ms DOUBLE PRECISION,"
  "  stddev_ms DOUBLE PRECISION, mad_ms DOUBLE PRECISION,"
  "  gops DOUBLE PRECISION,"
  "  sqnr_db DOUBLE PRECISION,"
  "  PRIMARY KEY (run_uuid, idx));"
  "CREATE TABLE spans ("
  "  run_uuid TEXT NOT NULL REFERENCES runs (uuid) ON DELETE CASCADE,"
  "  pass BIGINT NOT NULL,"
  "  cold BIGINT NOT NULL,"
  "  layer BIGINT NOT NULL,"
  "  phase TEXT,"
  "  start_ns BIGINT NOT NULL,"
  "  end_ns BIGINT NOT NULL,"
  "  seq BIGSERIAL PRIMARY KEY);"
  "CREATE INDEX spans_by_run ON spans (run_uuid, pass);",

  /* 1 -> 2: the kernels' ISA; every pass's time per layer (float32
   * little-endian). */
  "ALTER TABLE runs ADD COLUMN isa TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE layers ADD COLUMN samples BYTEA;",

  /* 2 -> 3: 'interrupted' sweeps and the process that owns a sweep
   * (PostgreSQL changes a CHECK in place). */
  "ALTER TABLE sweeps DROP CONSTRAINT sweeps_status_check;"
  "ALTER TABLE sweeps ADD CONSTRAINT sweeps_status_check"
  "  CHECK (status IN ('running', 'complete', 'cancelled', 'failed', 'interrupted'));"
  "ALTER TABLE sweeps ADD COLUMN owner TEXT NOT NULL DEFAULT '';",

  /* 3 -> 4: each int8 layer's accumulated SQNR. */
  "ALTER TABLE layers ADD COLUMN accum_sqnr_db DOUBLE PRECISION;",

  /* 4 -> 5: the engine that ran a run's passes (qviz, or an imported
   * ONNX Runtime or PyTorch profile's runtime). */
  "ALTER TABLE runs ADD COLUMN engine TEXT NOT NULL DEFAULT 'qviz';",

  /* 5 -> 6: calibration results, reused by the next int8 run of the same
   * model, calibration source and observer settings. */
  "CREATE TABLE calibration_cache ("
  "  model_sha256 TEXT NOT NULL,"
  "  source TEXT NOT NULL,"
  "  settings TEXT NOT NULL,"
  "  params BYTEA NOT NULL,"
  "  created_us BIGINT NOT NULL,"
  "  PRIMARY KEY (model_sha256, source, settings));",

  /* 6 -> 7: each layer's plan time. */
  "ALTER TABLE layers ADD COLUMN plan_ms DOUBLE PRECISION;",

  /* 7 -> 8: a name and a note per sweep. */
  "ALTER TABLE sweeps ADD COLUMN name TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE sweeps ADD COLUMN note TEXT NOT NULL DEFAULT '';",
};

/* A SQLite migration without its PostgreSQL twin does not build. */
G_STATIC_ASSERT (G_N_ELEMENTS (pg_migrations) == QVIZ_STORE_SCHEMA_VERSION);

/* ---- errors --------------------------------------------------------- */

/* The first line of a libpq message, without "ERROR:  " or "FATAL:  ". */
static char *
first_line (const char *message)
{
  g_autofree char *copy = g_strdup (message != NULL ? message : "");
  char *nl = strchr (copy, '\n');
  const char *start = copy;

  if (nl != NULL)
    *nl = '\0';
  /* libpq 15: "connection to server on socket "..." failed: FATAL:  why" */
  if (g_str_has_prefix (start, "connection to server ") && strstr (start, "failed: FATAL:  "))
    start = strstr (start, "failed: FATAL:  ") + 16;
  else if (g_str_has_prefix (start, "FATAL:  ") || g_str_has_prefix (start, "ERROR:  "))
    start += 8;
  return g_strdup (g_strchomp ((char *) start));
}

/* A failed connection, in one sentence that says which kind it is. */
static void
set_connect_error (const char *name, const char *message, GError **error)
{
  g_autofree char *why = first_line (message);

  if (strstr (why, "password authentication failed") != NULL
      || strstr (why, "no password supplied") != NULL
      || strstr (why, "authentication failed") != NULL
      || (strstr (why, "role \"") != NULL && strstr (why, "does not exist") != NULL))
    g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                 "The server of “%s” refused the login (authentication failed: %s); "
                 "put the password in ~/.pgpass.", name, why);
  else if (strstr (why, "permission denied") != NULL
           || strstr (why, "not permitted to log in") != NULL)
    g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                 "The server of “%s” refused access (permission denied: %s).", name, why);
  else if (strstr (why, "database \"") != NULL && strstr (why, "does not exist") != NULL)
    g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                 "“%s” does not exist on its server (%s); create it with createdb.",
                 name, why);
  else
    g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                 "Cannot reach the database server of “%s” (server unreachable: %s).",
                 name, why);
}

/* A failed statement while doing something ("store run 1234abcd"). */
static void
set_result_error (QvizPgStore *pg, PGresult *res, const char *doing, GError **error)
{
  const char *state = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  g_autofree char *why = first_line (res != NULL && PQresultErrorMessage (res)[0] != '\0'
                                     ? PQresultErrorMessage (res)
                                     : PQerrorMessage (pg->conn));

  if (PQstatus (pg->conn) != CONNECTION_OK || (state != NULL && g_str_has_prefix (state, "08")))
    g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                 "Lost the database server of “%s” while trying to %s (server unreachable: %s).",
                 pg->name, doing, why);
  else if (state != NULL && g_str_equal (state, "42501"))
    g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                 "“%s” does not let this user %s (permission denied: %s).",
                 pg->name, doing, why);
  else if (state != NULL && g_str_equal (state, "25006"))
    g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                 "“%s” is read-only; qviz cannot %s.", pg->name, doing);
  else
    g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                 "Could not %s in “%s”: %s.", doing, pg->name, why);
}

/* ---- parameters and statements -------------------------------------- */

/* Statement parameters as text, NULL for SQL NULL. */
typedef GPtrArray Params;

static Params *
params_new (void)
{
  return g_ptr_array_new_with_free_func (g_free);
}

static void
p_text (Params *p, const char *s)
{
  g_ptr_array_add (p, g_strdup (s != NULL ? s : ""));
}

static void
p_text_or_null (Params *p, const char *s)
{
  g_ptr_array_add (p, g_strdup (s));
}

static void
p_int (Params *p, gint64 v)
{
  g_ptr_array_add (p, g_strdup_printf ("%" G_GINT64_FORMAT, v));
}

/* NAN and infinities are stored as NULL, as in SQLite. */
static void
p_real (Params *p, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (v))
    g_ptr_array_add (p, NULL);
  else
    g_ptr_array_add (p, g_strdup (g_ascii_formatd (buf, sizeof buf, "%.17g", v)));
}

static void
p_stats (Params *p, const QvizStats *st)
{
  p_int (p, st->n);
  p_real (p, st->median);
  p_real (p, st->p10);
  p_real (p, st->p90);
  p_real (p, st->min);
  p_real (p, st->max);
  p_real (p, st->mean);
  p_real (p, st->stddev);
  p_real (p, st->mad);
}

/* Per-pass layer times: float32 little-endian, as bytea in hex. */
static void
p_pass_ms (Params *p, GArray *pass_ms)
{
  GString *hex;

  if (pass_ms == NULL || pass_ms->len == 0)
    {
      g_ptr_array_add (p, NULL);
      return;
    }
  hex = g_string_sized_new (2 + pass_ms->len * 8);
  g_string_append (hex, "\\x");
  for (guint k = 0; k < pass_ms->len; k++)
    {
      guint32 bits;

      memcpy (&bits, &g_array_index (pass_ms, float, k), sizeof bits);
      bits = GUINT32_TO_LE (bits);
      for (int b = 0; b < 4; b++)
        g_string_append_printf (hex, "%02x", (bits >> (8 * b)) & 0xff);
    }
  g_ptr_array_add (p, g_string_free (hex, FALSE));
}

static PGresult *
send (QvizPgStore *pg, const char *sql, Params *params)
{
  /* without parameters, several statements may go at once */
  if (params == NULL)
    return PQexec (pg->conn, sql);
  return PQexecParams (pg->conn, sql, (int) params->len, NULL,
                       (const char *const *) params->pdata, NULL, NULL, 0);
}

/* send (), again on a new connection when the old one is gone: the server
 * restarted or dropped an idle connection (a window stays open for days).
 * Never inside a transaction, whose first statements went with the old
 * connection: the rest must fail, not commit alone. */
static PGresult *
send_reconnecting (QvizPgStore *pg, const char *sql, Params *params)
{
  PGresult *res = send (pg, sql, params);
  ExecStatusType st = PQresultStatus (res);

  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK
      && PQstatus (pg->conn) == CONNECTION_BAD && !pg->in_transaction)
    {
      PQreset (pg->conn);
      if (PQstatus (pg->conn) == CONNECTION_OK)
        {
          PQclear (res);
          res = send (pg, sql, params);
        }
    }
  return res;
}

/* Runs sql with params (may be NULL); the result, or NULL with error. */
static PGresult *
query (QvizPgStore *pg, const char *sql, Params *params, const char *doing, GError **error)
{
  PGresult *res = send_reconnecting (pg, sql, params);
  ExecStatusType st = PQresultStatus (res);

  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
    {
      if (g_str_has_prefix (sql, "BEGIN"))
        pg->in_transaction = TRUE;
      else if (g_str_equal (sql, "COMMIT"))
        pg->in_transaction = FALSE;
      return res;
    }
  set_result_error (pg, res, doing, error);
  PQclear (res);
  return NULL;
}

static gboolean
exec (QvizPgStore *pg, const char *sql, Params *params, const char *doing, GError **error)
{
  g_autoptr(PGresult) res = query (pg, sql, params, doing, error);

  return res != NULL;
}

/* Runs sql, leaving its result to the caller and its SQLSTATE in state
 * ("23503": a row refers to what is not stored). */
static PGresult *
query_or_state (QvizPgStore *pg, const char *sql, Params *params, char state[6])
{
  PGresult *res = send_reconnecting (pg, sql, params);
  const char *s = PQresultErrorField (res, PG_DIAG_SQLSTATE);

  g_strlcpy (state, s != NULL ? s : "", 6);
  return res;
}

static void
rollback (QvizPgStore *pg)
{
  if (PQtransactionStatus (pg->conn) != PQTRANS_IDLE)
    PQclear (PQexec (pg->conn, "ROLLBACK"));
  pg->in_transaction = FALSE;
}

static gboolean
commit (QvizPgStore *pg, const char *doing, GError **error)
{
  if (!exec (pg, "COMMIT", NULL, doing, error))
    {
      rollback (pg);
      return FALSE;
    }
  return TRUE;
}

static char *
get_text (PGresult *res, int row, int col)
{
  return g_strdup (PQgetisnull (res, row, col) ? "" : PQgetvalue (res, row, col));
}

static char *
get_text_or_null (PGresult *res, int row, int col)
{
  return PQgetisnull (res, row, col) ? NULL : g_strdup (PQgetvalue (res, row, col));
}

static gint64
get_int (PGresult *res, int row, int col)
{
  return PQgetisnull (res, row, col) ? 0 : g_ascii_strtoll (PQgetvalue (res, row, col), NULL, 10);
}

static double
get_real (PGresult *res, int row, int col)
{
  if (PQgetisnull (res, row, col))
    return NAN;
  return g_ascii_strtod (PQgetvalue (res, row, col), NULL);
}

static void
get_stats (PGresult *res, int row, int *i, QvizStats *st)
{
  st->n = (guint) get_int (res, row, (*i)++);
  st->median = get_real (res, row, (*i)++);
  st->p10 = get_real (res, row, (*i)++);
  st->p90 = get_real (res, row, (*i)++);
  st->min = get_real (res, row, (*i)++);
  st->max = get_real (res, row, (*i)++);
  st->mean = get_real (res, row, (*i)++);
  st->stddev = get_real (res, row, (*i)++);
  st->mad = get_real (res, row, (*i)++);
}

static void
get_pass_ms (PGresult *res, int row, int col, GArray *pass_ms)
{
  const char *hex = PQgetvalue (res, row, col);
  gsize len;

  if (PQgetisnull (res, row, col) || !g_str_has_prefix (hex, "\\x"))
    return;
  hex += 2;
  len = strlen (hex);
  for (gsize p = 0; p + 8 <= len; p += 8)
    {
      guint32 bits = 0;
      float v;

      for (int b = 0; b < 4; b++)
        bits |= (guint32) ((g_ascii_xdigit_value (hex[p + 2 * b]) << 4)
                           | g_ascii_xdigit_value (hex[p + 2 * b + 1])) << (8 * b);
      memcpy (&v, &bits, sizeof v);
      g_array_append_val (pass_ms, v);
    }
}

/* Inserts n_rows rows of n_cols values each (values flat, row by row) as
 * few statements: one round trip per thousand-odd rows, not per row. */
static gboolean
insert_rows (QvizPgStore *pg, const char *head, guint n_cols, Params *values,
             const char *doing, GError **error)
{
  guint n_rows = values->len / n_cols;
  guint per_statement = 60000 / n_cols;

  for (guint first = 0; first < n_rows; first += per_statement)
    {
      guint n = MIN (per_statement, n_rows - first);
      g_autoptr(GString) sql = g_string_new (head);
      g_autoptr(PGresult) res = NULL;
      ExecStatusType st;

      for (guint r = 0; r < n; r++)
        {
          g_string_append (sql, r == 0 ? " VALUES (" : ", (");
          for (guint c = 0; c < n_cols; c++)
            g_string_append_printf (sql, c == 0 ? "$%u" : ",$%u", r * n_cols + c + 1);
          g_string_append_c (sql, ')');
        }
      res = PQexecParams (pg->conn, sql->str, (int) (n * n_cols), NULL,
                          (const char *const *) values->pdata + (gsize) first * n_cols,
                          NULL, NULL, 0);
      st = PQresultStatus (res);
      if (st != PGRES_COMMAND_OK)
        {
          set_result_error (pg, res, doing, error);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- opening -------------------------------------------------------- */

/* The schema version, 0 for an empty database; refuses another program's
 * tables and a newer qviz's schema. */
static gboolean
read_version (QvizPgStore *pg, int *version, GError **error)
{
  g_autoptr(PGresult) res = NULL;
  g_autoptr(GPtrArray) tables = params_new ();

  p_text (tables, "{machines,models,sweeps,runs,samples,layers,spans}");
  res = query (pg, "SELECT to_regclass ('qviz_schema') IS NOT NULL, "
                   "(SELECT count(*) FROM pg_tables WHERE schemaname = current_schema () "
                   " AND tablename = ANY ($1::text[]))",
               tables, "check the database", error);
  if (res == NULL)
    return FALSE;
  if (g_str_equal (PQgetvalue (res, 0, 0), "f"))
    {
      if (get_int (res, 0, 1) > 0)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "“%s” is not a qviz database: it holds another program's tables.",
                       pg->name);
          return FALSE;
        }
      *version = 0;
      return TRUE;
    }
  g_clear_pointer (&res, PQclear);
  res = query (pg, "SELECT version FROM qviz_schema", NULL, "check the database", error);
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) != 1)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "“%s” has %d rows in qviz_schema instead of one; qviz left it as it was.",
                   pg->name, PQntuples (res));
      return FALSE;
    }
  *version = (int) get_int (res, 0, 0);
  if (*version < 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "“%s” has an invalid schema version (%d); qviz left it as it was.",
                   pg->name, *version);
      return FALSE;
    }
  if (*version > QVIZ_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "“%s” was written by a newer qviz (schema %d; this one knows up to %d).",
                   pg->name, *version, QVIZ_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  return TRUE;
}

/* Brings the database to target in one transaction, under a lock that
 * makes a second qviz wait and then find the work done. */
static gboolean
migrate (QvizPgStore *pg, int target, GError **error)
{
  g_autoptr(GPtrArray) lock = params_new ();
  g_autoptr(GPtrArray) set = params_new ();
  int version = 0;

  if (!exec (pg, "BEGIN", NULL, "upgrade the database", error))
    return FALSE;
  p_int (lock, QVIZ_PG_MIGRATION_LOCK);
  if (!exec (pg, "SELECT pg_advisory_xact_lock ($1)", lock, "upgrade the database", error)
      || !read_version (pg, &version, error))
    {
      rollback (pg);
      return FALSE;
    }
  if (version == 0
      && !exec (pg, "CREATE TABLE qviz_schema (version INTEGER NOT NULL);"
                    "INSERT INTO qviz_schema VALUES (0)",
                NULL, "create the database", error))
    {
      rollback (pg);
      return FALSE;
    }
  for (int v = version; v < target; v++)
    {
      g_autofree char *doing = g_strdup_printf ("upgrade the database to schema %d", v + 1);
      g_autoptr(PGresult) res = PQexec (pg->conn, pg_migrations[v]);

      if (PQresultStatus (res) != PGRES_COMMAND_OK)
        {
          set_result_error (pg, res, doing, error);
          rollback (pg);
          return FALSE;
        }
    }
  p_int (set, MAX (version, target));
  if (!exec (pg, "UPDATE qviz_schema SET version = $1", set, "upgrade the database", error)
      || !commit (pg, "upgrade the database", error))
    {
      rollback (pg);
      return FALSE;
    }
  pg->schema_version = MAX (version, target);
  return TRUE;
}

static char *
interrupted_message (const char *owner)
{
  int pid = 0;

  /* a token from another machine is UNKNOWN, never GONE: a sweep running
   * on another machine of the team stays running */
  if (owner == NULL || *owner == '\0' ||
      qviz_process_state (owner, &pid) != QVIZ_PROCESS_GONE)
    return NULL;
  return g_strdup_printf ("Interrupted: the process that ran it (pid %d) ended before it "
                          "finished; its finished runs are kept.", pid);
}

/* Records as interrupted every running sweep whose process on this machine
 * has ended. */
static gboolean
mark_interrupted (QvizPgStore *pg, GError **error)
{
  g_autoptr(PGresult) res = query (pg, "SELECT uuid, owner FROM sweeps WHERE status = 'running'",
                                   NULL, "check for interrupted sweeps", error);

  if (res == NULL)
    return FALSE;
  for (int r = 0; r < PQntuples (res); r++)
    {
      g_autofree char *why = interrupted_message (PQgetvalue (res, r, 1));
      g_autoptr(GPtrArray) p = NULL;

      if (why == NULL)
        continue;
      p = params_new ();
      p_text (p, why);
      p_int (p, g_get_real_time ());
      p_text (p, PQgetvalue (res, r, 0));
      if (!exec (pg, "UPDATE sweeps SET status = 'interrupted', message = $1, "
                     "finished_us = $2 WHERE uuid = $3 AND status = 'running'",
                 p, "mark interrupted sweeps", error))
        return FALSE;
    }
  return TRUE;
}

QvizPgStore *
qviz_pg_store_open (const char *uri, gboolean read_only, int target_version, GError **error)
{
  /* connect_timeout first: the URI's own, if any, overrides it */
  const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL };
  const char *values[] = { "10", "qviz", uri, NULL };
  QvizPgStore *pg;
  int version = 0;

  g_return_val_if_fail (uri != NULL, NULL);

  pg = g_new0 (QvizPgStore, 1);
  g_mutex_init (&pg->lock);
  pg->name = name_without_password (uri);
  pg->read_only = read_only;
  pg->conn = PQconnectdbParams (keys, values, 1);
  if (pg->conn == NULL || PQstatus (pg->conn) != CONNECTION_OK)
    {
      set_connect_error (pg->name, pg->conn != NULL ? PQerrorMessage (pg->conn)
                                                    : "out of memory", error);
      qviz_pg_store_close (pg);
      return NULL;
    }
  /* quiet notices ("relation exists, skipping") and UTC-free integers */
  PQsetNoticeProcessor (pg->conn, NULL, NULL);
  if (!exec (pg, "SET client_encoding = 'UTF8'", NULL, "open the database", error)
      || (read_only && !exec (pg, "SET default_transaction_read_only = on", NULL,
                              "open the database", error))
      || !read_version (pg, &version, error))
    {
      qviz_pg_store_close (pg);
      return NULL;
    }
  pg->schema_version = version;
  if (version < target_version)
    {
      if (read_only)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       version == 0
                       ? "“%s” holds no qviz runs yet; write a sweep into it first."
                       : "“%s” holds an older qviz schema; open it once for writing to "
                         "upgrade it.", pg->name);
          qviz_pg_store_close (pg);
          return NULL;
        }
      if (!migrate (pg, target_version, error))
        {
          qviz_pg_store_close (pg);
          return NULL;
        }
    }
  if (!read_only && pg->schema_version >= 3 && !mark_interrupted (pg, error))
    {
      qviz_pg_store_close (pg);
      return NULL;
    }
  return pg;
}

void
qviz_pg_store_close (QvizPgStore *pg)
{
  if (pg == NULL)
    return;
  if (pg->conn != NULL)
    PQfinish (pg->conn);
  g_mutex_clear (&pg->lock);
  g_free (pg->name);
  g_free (pg);
}

const char *
qviz_pg_store_get_name (QvizPgStore *pg)
{
  return pg->name;
}

int
qviz_pg_store_get_schema_version (QvizPgStore *pg)
{
  return pg->schema_version;
}

static gboolean
check_writable (QvizPgStore *pg, GError **error)
{
  if (pg->read_only)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "“%s” was opened read-only; nothing was written to it.", pg->name);
      return FALSE;
    }
  return TRUE;
}

/* ---- ids ------------------------------------------------------------ */

static char *
resolve_id (QvizPgStore *pg, const char *table, const char *what, const char *id,
            GError **error)
{
  g_autofree char *lower = g_ascii_strdown (id, -1);
  g_autofree char *sql = NULL;
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(PGresult) res = NULL;
  int n;

  if (lower[0] == '\0' || strspn (lower, "0123456789abcdef-") != strlen (lower))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a %s id.", id, what);
      return NULL;
    }
  sql = g_strdup_printf ("SELECT uuid FROM %s WHERE starts_with (uuid, $1) "
                         "ORDER BY uuid COLLATE \"C\"", table);
  p_text (p, lower);
  res = query (pg, sql, p, "look up an id", error);
  if (res == NULL)
    return NULL;
  n = PQntuples (res);
  if (n == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "No %s in “%s” has the id %s.", what, pg->name, id);
      return NULL;
    }
  if (n > 1 && !g_str_equal (PQgetvalue (res, 0, 0), lower))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "The id %s matches %d %ss in “%s”; give more of it.",
                   id, n, what, pg->name);
      return NULL;
    }
  return get_text (res, 0, 0);
}

char *
qviz_pg_store_resolve_sweep (QvizPgStore *pg, const char *sweep_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);

  return resolve_id (pg, "sweeps", "sweep", sweep_id, error);
}

/* ---- machines and models -------------------------------------------- */

static gboolean
put_machine (QvizPgStore *pg, const QvizMachine *m, guint *added, GError **error)
{
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(PGresult) res = NULL;

  p_text (p, m->id);
  p_text (p, m->hostname);
  p_text (p, m->cpu_model);
  p_int (p, m->physical_cores);
  p_int (p, m->logical_cores);
  p_text (p, m->isa_flags);
  p_int (p, (gint64) m->l1d_bytes);
  p_int (p, (gint64) m->l2_bytes);
  p_int (p, (gint64) m->l3_bytes);
  p_int (p, (gint64) m->memory_bytes);
  p_text (p, m->os);
  p_text (p, m->kernel);
  p_text (p, m->qviz_version);
  p_text (p, m->qviz_commit);
  res = query (pg, "INSERT INTO machines (id, hostname, cpu_model, physical_cores, "
                   "logical_cores, isa_flags, l1d_bytes, l2_bytes, l3_bytes, memory_bytes, "
                   "os, kernel, qviz_version, qviz_commit) "
                   "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) "
                   "ON CONFLICT (id) DO NOTHING",
               p, "store the machine", error);
  if (res == NULL)
    return FALSE;
  if (added != NULL)
    *added += (guint) g_ascii_strtoull (PQcmdTuples (res), NULL, 10);
  return TRUE;
}

gboolean
qviz_pg_store_put_machine (QvizPgStore *pg, const QvizMachine *m, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);

  return check_writable (pg, error) && put_machine (pg, m, NULL, error);
}

/* update: the stored facts of the same sha256 are replaced (put_model);
 * otherwise a model already there is kept (import). */
static gboolean
put_model (QvizPgStore *pg, const QvizModelInfo *mi, gboolean update, guint *added,
           GError **error)
{
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(PGresult) res = NULL;

  p_text (p, mi->sha256);
  p_text (p, mi->name);
  p_text (p, mi->source);
  p_int (p, mi->n_nodes);
  p_int (p, (gint64) mi->params);
  p_int (p, (gint64) mi->macs);
  p_int (p, mi->default_res);
  p_int (p, (gint64) mi->weight_bytes_f32);
  p_int (p, (gint64) mi->weight_bytes_int8);
  res = query (pg,
               update
               ? "INSERT INTO models (sha256, name, source, n_nodes, params, macs, "
                 "default_res, weight_bytes_f32, weight_bytes_int8) "
                 "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (sha256) DO UPDATE SET "
                 "name = excluded.name, source = excluded.source, "
                 "n_nodes = excluded.n_nodes, params = excluded.params, "
                 "macs = excluded.macs, default_res = excluded.default_res, "
                 "weight_bytes_f32 = excluded.weight_bytes_f32, "
                 "weight_bytes_int8 = excluded.weight_bytes_int8"
               : "INSERT INTO models (sha256, name, source, n_nodes, params, macs, "
                 "default_res, weight_bytes_f32, weight_bytes_int8) "
                 "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (sha256) DO NOTHING",
               p, "store the model", error);
  if (res == NULL)
    return FALSE;
  if (added != NULL)
    *added += (guint) g_ascii_strtoull (PQcmdTuples (res), NULL, 10);
  return TRUE;
}

gboolean
qviz_pg_store_put_model (QvizPgStore *pg, const QvizModelInfo *mi, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);

  return check_writable (pg, error) && put_model (pg, mi, TRUE, NULL, error);
}

#define MACHINE_COLUMNS \
  "id, hostname, cpu_model, physical_cores, logical_cores, isa_flags, l1d_bytes, " \
  "l2_bytes, l3_bytes, memory_bytes, os, kernel, qviz_version, qviz_commit"

static QvizMachine *
machine_from_row (PGresult *res, int r)
{
  QvizMachine *m = qviz_machine_new ();
  int i = 0;

  m->id = get_text (res, r, i++);
  m->hostname = get_text (res, r, i++);
  m->cpu_model = get_text (res, r, i++);
  m->physical_cores = (int) get_int (res, r, i++);
  m->logical_cores = (int) get_int (res, r, i++);
  m->isa_flags = get_text (res, r, i++);
  m->l1d_bytes = (guint64) get_int (res, r, i++);
  m->l2_bytes = (guint64) get_int (res, r, i++);
  m->l3_bytes = (guint64) get_int (res, r, i++);
  m->memory_bytes = (guint64) get_int (res, r, i++);
  m->os = get_text (res, r, i++);
  m->kernel = get_text (res, r, i++);
  m->qviz_version = get_text (res, r, i++);
  m->qviz_commit = get_text (res, r, i++);
  return m;
}

#define MODEL_COLUMNS \
  "sha256, name, source, n_nodes, params, macs, default_res, weight_bytes_f32, " \
  "weight_bytes_int8"

static QvizModelInfo *
model_from_row (PGresult *res, int r)
{
  QvizModelInfo *mi = qviz_model_info_new ();
  int i = 0;

  mi->sha256 = get_text (res, r, i++);
  mi->name = get_text (res, r, i++);
  mi->source = get_text (res, r, i++);
  mi->n_nodes = (int) get_int (res, r, i++);
  mi->params = (guint64) get_int (res, r, i++);
  mi->macs = (guint64) get_int (res, r, i++);
  mi->default_res = (int) get_int (res, r, i++);
  mi->weight_bytes_f32 = (guint64) get_int (res, r, i++);
  mi->weight_bytes_int8 = (guint64) get_int (res, r, i++);
  return mi;
}

typedef gpointer (*RowFunc) (PGresult *res, int r);

static GPtrArray *
collect_rows (PGresult *res, RowFunc from_row, GDestroyNotify free_func)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (free_func);

  for (int r = 0; r < PQntuples (res); r++)
    g_ptr_array_add (rows, from_row (res, r));
  return rows;
}

QvizMachine *
qviz_pg_store_get_machine (QvizPgStore *pg, const char *machine_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(PGresult) res = NULL;

  p_text (p, machine_id);
  res = query (pg, "SELECT " MACHINE_COLUMNS " FROM machines WHERE id = $1", p,
               "read a machine", error);
  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "No machine in “%s” has the id %s.", pg->name, machine_id);
      return NULL;
    }
  return machine_from_row (res, 0);
}

QvizModelInfo *
qviz_pg_store_get_model (QvizPgStore *pg, const char *sha256, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(PGresult) res = NULL;

  p_text (p, sha256);
  res = query (pg, "SELECT " MODEL_COLUMNS " FROM models WHERE sha256 = $1", p,
               "read a model", error);
  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "No model in “%s” has the sha256 %s.", pg->name, sha256);
      return NULL;
    }
  return model_from_row (res, 0);
}

GPtrArray *
qviz_pg_store_list_machines (QvizPgStore *pg, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);
  g_autoptr(PGresult) res =
    query (pg, "SELECT " MACHINE_COLUMNS " FROM machines "
               "ORDER BY hostname COLLATE \"C\", id COLLATE \"C\"",
           NULL, "list machines", error);

  if (res == NULL)
    return NULL;
  return collect_rows (res, (RowFunc) machine_from_row, (GDestroyNotify) qviz_machine_free);
}

GPtrArray *
qviz_pg_store_list_models (QvizPgStore *pg, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);
  g_autoptr(PGresult) res =
    query (pg, "SELECT " MODEL_COLUMNS " FROM models "
               "ORDER BY name COLLATE \"C\", sha256 COLLATE \"C\"",
           NULL, "list models", error);

  if (res == NULL)
    return NULL;
  return collect_rows (res, (RowFunc) model_from_row, (GDestroyNotify) qviz_model_info_free);
}

/* ---- sweeps --------------------------------------------------------- */

/* Inserts a sweep row: a new one as running with this process as owner,
 * or (copy) one as it was elsewhere, adding nothing if it is there. */
static gboolean
insert_sweep (QvizPgStore *pg, const QvizSweep *sweep, gboolean copy, guint *added,
              GError **error)
{
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(PGresult) res = NULL;
  g_autofree char *owner = copy ? g_strdup ("") : qviz_process_self_token ();
  char state[6];

  p_text (p, sweep->uuid);
  p_text (p, sweep->machine_id);
  p_text (p, sweep->model_sha256);
  p_int (p, sweep->created);
  p_int (p, copy ? sweep->finished : 0);
  p_text (p, sweep->resolutions);
  p_text (p, sweep->threads);
  p_text (p, sweep->precisions);
  p_text (p, sweep->options);
  p_text (p, qviz_sweep_status_name (copy ? sweep->status : QVIZ_SWEEP_RUNNING));
  p_text (p, sweep->message);
  p_text (p, owner);
  p_text (p, sweep->name ? sweep->name : "");
  p_text (p, sweep->note ? sweep->note : "");
  res = query_or_state (pg,
                        copy
                        ? "INSERT INTO sweeps (uuid, machine_id, model_sha256, created_us, "
                          "finished_us, resolutions, threads, precisions, options, status, "
                          "message, owner, name, note) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) "
                          "ON CONFLICT (uuid) DO NOTHING"
                        : "INSERT INTO sweeps (uuid, machine_id, model_sha256, created_us, "
                          "finished_us, resolutions, threads, precisions, options, status, "
                          "message, owner, name, note) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
                        p, state);
  if (g_str_equal (state, "23503"))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "Could not record sweep %s in “%s”: its machine or model is not stored.",
                   sweep->uuid, pg->name);
      return FALSE;
    }
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      set_result_error (pg, res, "record the sweep", error);
      return FALSE;
    }
  if (added != NULL)
    *added += (guint) g_ascii_strtoull (PQcmdTuples (res), NULL, 10);
  return TRUE;
}

gboolean
qviz_pg_store_sweep_begin (QvizPgStore *pg, const QvizSweep *sweep, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);

  return check_writable (pg, error) && insert_sweep (pg, sweep, FALSE, NULL, error);
}

gboolean
qviz_pg_store_sweep_finish (QvizPgStore *pg, const char *sweep_uuid, QvizSweepStatus status,
                            const char *message, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(PGresult) res = NULL;

  if (!check_writable (pg, error))
    return FALSE;
  p_text (p, qviz_sweep_status_name (status));
  p_text (p, message);
  p_int (p, g_get_real_time ());
  p_text (p, sweep_uuid);
  res = query (pg, "UPDATE sweeps SET status = $1, message = $2, finished_us = $3 "
                   "WHERE uuid = $4", p, "finish the sweep", error);
  if (res == NULL)
    return FALSE;
  if (g_str_equal (PQcmdTuples (res), "0"))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "No sweep in “%s” has the id %s.", pg->name, sweep_uuid);
      return FALSE;
    }
  return TRUE;
}

#define SWEEP_SELECT \
  "SELECT s.uuid, s.machine_id, s.model_sha256, s.created_us, s.finished_us, " \
  "s.resolutions, s.threads, s.precisions, s.options, s.status, s.message, s.owner, " \
  "m.name, h.hostname, h.cpu_model, " \
  "(SELECT count(*) FROM runs r WHERE r.sweep_uuid = s.uuid), " \
  "(SELECT string_agg (DISTINCT r.engine, ', ' ORDER BY r.engine) FROM runs r " \
  " WHERE r.sweep_uuid = s.uuid), s.name, s.note " \
  "FROM sweeps s LEFT JOIN models m ON m.sha256 = s.model_sha256 " \
  "LEFT JOIN machines h ON h.id = s.machine_id "

static QvizSweep *
sweep_from_row (PGresult *res, int r)
{
  QvizSweep *s = g_new0 (QvizSweep, 1);
  g_autofree char *status = NULL;
  g_autofree char *owner = NULL;
  int i = 0;

  s->uuid = get_text (res, r, i++);
  s->machine_id = get_text (res, r, i++);
  s->model_sha256 = get_text (res, r, i++);
  s->created = get_int (res, r, i++);
  s->finished = get_int (res, r, i++);
  s->resolutions = get_text (res, r, i++);
  s->threads = get_text (res, r, i++);
  s->precisions = get_text (res, r, i++);
  s->options = get_text (res, r, i++);
  status = get_text (res, r, i++);
  if (!qviz_sweep_status_parse (status, &s->status))
    s->status = QVIZ_SWEEP_FAILED;
  s->message = get_text (res, r, i++);
  owner = get_text (res, r, i++);
  if (s->status == QVIZ_SWEEP_RUNNING)
    {
      char *why = interrupted_message (owner);

      if (why != NULL)
        {
          s->status = QVIZ_SWEEP_INTERRUPTED;
          g_free (s->message);
          s->message = why;
        }
    }
  s->model_name = get_text_or_null (res, r, i++);
  s->hostname = get_text_or_null (res, r, i++);
  s->cpu_model = get_text_or_null (res, r, i++);
  s->n_runs = (guint) get_int (res, r, i++);
  s->engines = get_text_or_null (res, r, i++);
  s->name = get_text (res, r, i++);
  s->note = get_text (res, r, i++);
  return s;
}

/* model: a name, or a sha256 prefix of at least 4 hex digits; machine: a
 * hostname, or an id prefix of at least 4 characters. */
#define SWEEP_FILTER \
  "WHERE ($1::text IS NULL OR m.name = $1 OR (length ($1) >= 4 AND " \
  "       starts_with (s.model_sha256, lower ($1)))) " \
  "AND ($2::text IS NULL OR h.hostname = $2 OR (length ($2) >= 4 AND " \
  "     starts_with (s.machine_id, lower ($2)))) " \
  "ORDER BY s.created_us DESC, s.uuid COLLATE \"C\" "

GPtrArray *
qviz_pg_store_list_sweeps (QvizPgStore *pg, const char *model, const char *machine,
                           gboolean latest_only, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(PGresult) res = NULL;

  p_text_or_null (p, model);
  p_text_or_null (p, machine);
  res = query (pg, latest_only ? SWEEP_SELECT SWEEP_FILTER "LIMIT 1"
                               : SWEEP_SELECT SWEEP_FILTER,
               p, "list sweeps", error);
  if (res == NULL)
    return NULL;
  return collect_rows (res, (RowFunc) sweep_from_row, (GDestroyNotify) qviz_sweep_free);
}

static QvizSweep *
get_sweep_locked (QvizPgStore *pg, const char *sweep_id, GError **error)
{
  g_autofree char *uuid = resolve_id (pg, "sweeps", "sweep", sweep_id, error);
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(PGresult) res = NULL;

  if (uuid == NULL)
    return NULL;
  p_text (p, uuid);
  res = query (pg, SWEEP_SELECT "WHERE s.uuid = $1", p, "read a sweep", error);
  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      /* deleted by another client since the id was resolved */
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "No sweep in “%s” has the id %s.", pg->name, sweep_id);
      return NULL;
    }
  return sweep_from_row (res, 0);
}

QvizSweep *
qviz_pg_store_get_sweep (QvizPgStore *pg, const char *sweep_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);

  return get_sweep_locked (pg, sweep_id, error);
}

gboolean
qviz_pg_store_set_sweep_label (QvizPgStore *pg, const char *sweep_id, const char *name,
                               const char *note, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);
  g_autofree char *uuid = NULL;
  g_autoptr(GPtrArray) p = params_new ();

  if (!check_writable (pg, error))
    return FALSE;
  uuid = resolve_id (pg, "sweeps", "sweep", sweep_id, error);
  if (uuid == NULL)
    return FALSE;
  p_text_or_null (p, name);
  p_text_or_null (p, note);
  p_text (p, uuid);
  return exec (pg, "UPDATE sweeps SET name = coalesce ($1, name), note = coalesce ($2, note) "
               "WHERE uuid = $3", p, "label the sweep", error);
}

gboolean
qviz_pg_store_delete_sweep (QvizPgStore *pg, const char *sweep_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);
  g_autofree char *uuid = NULL;
  g_autoptr(GPtrArray) p = params_new ();

  if (!check_writable (pg, error))
    return FALSE;
  uuid = resolve_id (pg, "sweeps", "sweep", sweep_id, error);
  if (uuid == NULL)
    return FALSE;
  p_text (p, uuid);
  return exec (pg, "DELETE FROM sweeps WHERE uuid = $1", p, "delete the sweep", error);
}

/* ---- runs ----------------------------------------------------------- */

static gboolean
insert_run_row (QvizPgStore *pg, const QvizRun *run, const char *doing, GError **error)
{
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(PGresult) res = NULL;
  char state[6];

  p_text (p, run->uuid);
  p_text (p, run->sweep_uuid);
  p_text (p, run->machine_id);
  p_text (p, run->model_sha256);
  p_text (p, run->precision);
  p_int (p, run->height);
  p_int (p, run->width);
  p_int (p, run->threads);
  p_text (p, run->conv_algo);
  p_text (p, run->isa);
  p_int (p, run->iterations);
  p_int (p, run->warmup);
  p_real (p, run->plan_ms);
  p_real (p, run->cold_ms->len > 0 ? g_array_index (run->cold_ms, double, 0) : NAN);
  p_int (p, (gint64) run->arena_bytes);
  p_int (p, (gint64) run->weight_bytes);
  p_stats (p, &run->stats);
  p_real (p, run->sqnr_db);
  p_text (p, qviz_run_status_name (run->status));
  p_text (p, run->message);
  p_int (p, run->started);
  p_int (p, run->finished);
  p_text (p, run->engine != NULL && run->engine[0] != '\0' ? run->engine : QVIZ_ENGINE_QVIZ);
  res = query_or_state (pg,
                        "INSERT INTO runs (uuid, sweep_uuid, machine_id, model_sha256, "
                        "precision, height, width, threads, conv_algo, isa, iterations, "
                        "warmup, plan_ms, first_pass_ms, arena_bytes, weight_bytes, n_samples, "
                        "median_ms, p10_ms, p90_ms, min_ms, max_ms, mean_ms, stddev_ms, "
                        "mad_ms, sqnr_db, status, message, started_us, finished_us, engine) "
                        "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,"
                        "$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31)",
                        p, state);
  if (g_str_equal (state, "23503"))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "Could not store run %s in “%s”: its sweep, machine or model is not stored.",
                   run->uuid, pg->name);
      return FALSE;
    }
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      set_result_error (pg, res, doing, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
insert_samples (QvizPgStore *pg, const QvizRun *run, const char *doing, GError **error)
{
  g_autoptr(GPtrArray) v = params_new ();
  guint pass = 0;

  for (int cold = 1; cold >= 0; cold--)
    {
      GArray *times = cold ? run->cold_ms : run->warm_ms;

      for (guint k = 0; k < times->len; k++, pass++)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          p_text (v, run->uuid);
          p_int (v, pass);
          p_int (v, cold);
          /* a pass time is never NULL: NAN would be refused as NULL is */
          p_text (v, g_ascii_formatd (buf, sizeof buf, "%.17g",
                                      g_array_index (times, double, k)));
        }
    }
  return insert_rows (pg, "INSERT INTO samples (run_uuid, pass, cold, ms)", 4, v, doing, error);
}

#define LAYER_COLUMNS \
  "idx, name, op, kernel, reason, fused, in_shape, out_shape, kernel_h, kernel_w, " \
  "stride_h, stride_w, dilation_h, dilation_w, groups, depthwise, dilated, layer_class, " \
  "macs, params, bytes, n_samples, median_ms, p10_ms, p90_ms, min_ms, max_ms, mean_ms, " \
  "stddev_ms, mad_ms, gops, sqnr_db, samples, accum_sqnr_db, plan_ms"
#define N_LAYER_COLUMNS 36 /* with run_uuid */

static gboolean
insert_layers (QvizPgStore *pg, const QvizRun *run, const char *doing, GError **error)
{
  g_autoptr(GPtrArray) v = params_new ();

  for (guint k = 0; k < run->layers->len; k++)
    {
      const QvizRunLayer *l = qviz_run_get_layer (run, k);

      p_text (v, run->uuid);
      p_int (v, l->index);
      p_text (v, l->name);
      p_text (v, l->op);
      p_text (v, l->kernel);
      p_text (v, l->reason);
      p_text (v, l->fused);
      p_text (v, l->in_shape);
      p_text (v, l->out_shape);
      p_int (v, l->kernel_h);
      p_int (v, l->kernel_w);
      p_int (v, l->stride_h);
      p_int (v, l->stride_w);
      p_int (v, l->dilation_h);
      p_int (v, l->dilation_w);
      p_int (v, l->groups);
      p_int (v, l->depthwise ? 1 : 0);
      p_int (v, l->dilated ? 1 : 0);
      p_text (v, l->layer_class);
      p_int (v, (gint64) l->macs);
      p_int (v, (gint64) l->params);
      p_int (v, (gint64) l->bytes);
      p_stats (v, &l->stats);
      p_real (v, l->gops);
      p_real (v, l->sqnr_db);
      p_pass_ms (v, l->pass_ms);
      p_real (v, l->accum_sqnr_db);
      p_real (v, l->plan_ms);
    }
  return insert_rows (pg, "INSERT INTO layers (run_uuid, " LAYER_COLUMNS ")",
                      N_LAYER_COLUMNS, v, doing, error);
}

static gboolean
insert_spans (QvizPgStore *pg, const QvizRun *run, const char *doing, GError **error)
{
  g_autoptr(GPtrArray) v = params_new ();

  for (guint k = 0; k < run->spans->len; k++)
    {
      const QvizRunSpan *s = qviz_run_get_span (run, k);

      p_text (v, run->uuid);
      p_int (v, s->pass);
      p_int (v, s->cold ? 1 : 0);
      p_int (v, s->layer);
      p_text_or_null (v, s->phase);
      p_int (v, s->start_ns);
      p_int (v, s->end_ns);
    }
  /* seq follows the VALUES order: the spans keep theirs */
  return insert_rows (pg, "INSERT INTO spans (run_uuid, pass, cold, layer, phase, start_ns, "
                          "end_ns)", 7, v, doing, error);
}

static gboolean
put_run (QvizPgStore *pg, const QvizRun *run, GError **error)
{
  g_autofree char *doing = g_strdup_printf ("store run %s", run->uuid);

  if (!pg->in_import && !exec (pg, "BEGIN", NULL, doing, error))
    return FALSE;
  if (!insert_run_row (pg, run, doing, error)
      || !insert_samples (pg, run, doing, error)
      || !insert_layers (pg, run, doing, error)
      || !insert_spans (pg, run, doing, error))
    {
      if (!pg->in_import)
        rollback (pg);
      return FALSE;
    }
  return pg->in_import || commit (pg, doing, error);
}

gboolean
qviz_pg_store_put_run (QvizPgStore *pg, const QvizRun *run, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);

  return check_writable (pg, error) && put_run (pg, run, error);
}

#define RUN_SELECT \
  "SELECT r.uuid, r.sweep_uuid, r.machine_id, r.model_sha256, r.precision, r.height, " \
  "r.width, r.threads, r.conv_algo, r.isa, r.iterations, r.warmup, r.plan_ms, " \
  "r.arena_bytes, r.weight_bytes, r.n_samples, r.median_ms, r.p10_ms, r.p90_ms, " \
  "r.min_ms, r.max_ms, r.mean_ms, r.stddev_ms, r.mad_ms, r.sqnr_db, r.status, " \
  "r.message, r.started_us, r.finished_us, m.name, h.hostname, h.cpu_model, r.engine " \
  "FROM runs r LEFT JOIN models m ON m.sha256 = r.model_sha256 " \
  "LEFT JOIN machines h ON h.id = r.machine_id "

static QvizRun *
run_from_row (PGresult *res, int r)
{
  QvizRun *run = qviz_run_new ();
  g_autofree char *status = NULL;
  int i = 0;

  g_free (run->uuid);
  g_free (run->message);
  run->uuid = get_text (res, r, i++);
  run->sweep_uuid = get_text (res, r, i++);
  run->machine_id = get_text (res, r, i++);
  run->model_sha256 = get_text (res, r, i++);
  run->precision = get_text (res, r, i++);
  run->height = (int) get_int (res, r, i++);
  run->width = (int) get_int (res, r, i++);
  run->threads = (int) get_int (res, r, i++);
  run->conv_algo = get_text (res, r, i++);
  run->isa = get_text (res, r, i++);
  run->iterations = (int) get_int (res, r, i++);
  run->warmup = (int) get_int (res, r, i++);
  run->plan_ms = get_real (res, r, i++);
  run->arena_bytes = (guint64) get_int (res, r, i++);
  run->weight_bytes = (guint64) get_int (res, r, i++);
  get_stats (res, r, &i, &run->stats);
  run->sqnr_db = get_real (res, r, i++);
  status = get_text (res, r, i++);
  if (!qviz_run_status_parse (status, &run->status))
    run->status = QVIZ_RUN_FAILED;
  run->message = get_text (res, r, i++);
  run->started = get_int (res, r, i++);
  run->finished = get_int (res, r, i++);
  run->model_name = get_text_or_null (res, r, i++);
  run->hostname = get_text_or_null (res, r, i++);
  run->cpu_model = get_text_or_null (res, r, i++);
  g_free (run->engine);
  run->engine = get_text (res, r, i++);
  return run;
}

/* Rows of the runs in runs, by run uuid (the runs' order). */
static GHashTable *
index_runs (GPtrArray *runs)
{
  GHashTable *by_uuid = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < runs->len; i++)
    {
      QvizRun *run = g_ptr_array_index (runs, i);

      g_hash_table_insert (by_uuid, run->uuid, run);
    }
  return by_uuid;
}

/* Loads samples (and with details, layers and spans) of all the runs with
 * one query per table; where is a condition on run_uuid given $1. */
static gboolean
load_children (QvizPgStore *pg, GPtrArray *runs, const char *where, Params *p,
               gboolean with_details, GError **error)
{
  g_autoptr(GHashTable) by_uuid = index_runs (runs);
  g_autoptr(PGresult) res = NULL;
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("SELECT run_uuid, cold, ms FROM samples WHERE %s "
                         "ORDER BY run_uuid, pass", where);
  res = query (pg, sql, p, "read samples", error);
  if (res == NULL)
    return FALSE;
  for (int r = 0; r < PQntuples (res); r++)
    {
      QvizRun *run = g_hash_table_lookup (by_uuid, PQgetvalue (res, r, 0));
      double ms = get_real (res, r, 2);

      if (run != NULL)
        g_array_append_val (get_int (res, r, 1) ? run->cold_ms : run->warm_ms, ms);
    }
  if (!with_details)
    return TRUE;

  g_clear_pointer (&res, PQclear);
  g_free (sql);
  sql = g_strdup_printf ("SELECT run_uuid, " LAYER_COLUMNS " FROM layers WHERE %s "
                         "ORDER BY run_uuid, idx", where);
  res = query (pg, sql, p, "read layers", error);
  if (res == NULL)
    return FALSE;
  for (int r = 0; r < PQntuples (res); r++)
    {
      QvizRun *run = g_hash_table_lookup (by_uuid, PQgetvalue (res, r, 0));
      QvizRunLayer *l;
      int i = 1;

      if (run == NULL)
        continue;
      l = qviz_run_add_layer (run);
      l->index = (int) get_int (res, r, i++);
      l->name = get_text (res, r, i++);
      l->op = get_text (res, r, i++);
      l->kernel = get_text (res, r, i++);
      l->reason = get_text (res, r, i++);
      l->fused = get_text (res, r, i++);
      l->in_shape = get_text (res, r, i++);
      l->out_shape = get_text (res, r, i++);
      l->kernel_h = (int) get_int (res, r, i++);
      l->kernel_w = (int) get_int (res, r, i++);
      l->stride_h = (int) get_int (res, r, i++);
      l->stride_w = (int) get_int (res, r, i++);
      l->dilation_h = (int) get_int (res, r, i++);
      l->dilation_w = (int) get_int (res, r, i++);
      l->groups = (int) get_int (res, r, i++);
      l->depthwise = get_int (res, r, i++) != 0;
      l->dilated = get_int (res, r, i++) != 0;
      l->layer_class = get_text (res, r, i++);
      l->macs = (guint64) get_int (res, r, i++);
      l->params = (guint64) get_int (res, r, i++);
      l->bytes = (guint64) get_int (res, r, i++);
      get_stats (res, r, &i, &l->stats);
      l->gops = get_real (res, r, i++);
      l->sqnr_db = get_real (res, r, i++);
      get_pass_ms (res, r, i++, l->pass_ms);
      l->accum_sqnr_db = get_real (res, r, i++);
      l->plan_ms = get_real (res, r, i++);
    }

  g_clear_pointer (&res, PQclear);
  g_free (sql);
  sql = g_strdup_printf ("SELECT run_uuid, pass, cold, layer, phase, start_ns, end_ns "
                         "FROM spans WHERE %s ORDER BY seq", where);
  res = query (pg, sql, p, "read spans", error);
  if (res == NULL)
    return FALSE;
  for (int r = 0; r < PQntuples (res); r++)
    {
      QvizRun *run = g_hash_table_lookup (by_uuid, PQgetvalue (res, r, 0));
      QvizRunSpan s;

      if (run == NULL)
        continue;
      s.pass = (int) get_int (res, r, 1);
      s.cold = get_int (res, r, 2) != 0;
      s.layer = (int) get_int (res, r, 3);
      s.phase = get_text_or_null (res, r, 4);
      s.start_ns = get_int (res, r, 5);
      s.end_ns = get_int (res, r, 6);
      g_array_append_val (run->spans, s);
    }
  return TRUE;
}

/* The runs selected by RUN_SELECT + where_runs and their rows, all read
 * from one snapshot: a run being written is seen whole or not at all. */
static GPtrArray *
load_runs (QvizPgStore *pg, const char *where_runs, const char *where_children, Params *p,
           gboolean with_details, GError **error)
{
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autofree char *sql = g_strconcat (RUN_SELECT, where_runs, NULL);

  if (!exec (pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, "read runs", error))
    return NULL;
  res = query (pg, sql, p, "read runs", error);
  if (res != NULL)
    {
      runs = collect_rows (res, (RowFunc) run_from_row, (GDestroyNotify) qviz_run_free);
      if (runs->len > 0 && !load_children (pg, runs, where_children, p, with_details, error))
        g_clear_pointer (&runs, g_ptr_array_unref);
    }
  rollback (pg);
  return g_steal_pointer (&runs);
}

GPtrArray *
qviz_pg_store_list_runs (QvizPgStore *pg, const char *sweep_id, gboolean with_details,
                         GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);
  g_autofree char *uuid = resolve_id (pg, "sweeps", "sweep", sweep_id, error);
  g_autoptr(GPtrArray) p = params_new ();

  if (uuid == NULL)
    return NULL;
  p_text (p, uuid);
  return load_runs (pg,
                    "WHERE r.sweep_uuid = $1 ORDER BY r.precision COLLATE \"C\", "
                    "r.height * r.width, r.height, r.threads, r.started_us, "
                    "r.uuid COLLATE \"C\"",
                    "run_uuid IN (SELECT uuid FROM runs WHERE sweep_uuid = $1)",
                    p, with_details, error);
}

QvizRun *
qviz_pg_store_get_run (QvizPgStore *pg, const char *run_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);
  g_autofree char *uuid = resolve_id (pg, "runs", "run", run_id, error);
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(GPtrArray) runs = NULL;

  if (uuid == NULL)
    return NULL;
  p_text (p, uuid);
  runs = load_runs (pg, "WHERE r.uuid = $1", "run_uuid = $1", p, TRUE, error);
  if (runs == NULL)
    return NULL;
  if (runs->len == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "No run in “%s” has the id %s.", pg->name, run_id);
      return NULL;
    }
  return g_ptr_array_steal_index (runs, 0);
}

/* ---- import --------------------------------------------------------- */

static gboolean
has_run (QvizPgStore *pg, const char *uuid, gboolean *has, GError **error)
{
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(PGresult) res = NULL;

  p_text (p, uuid);
  res = query (pg, "SELECT 1 FROM runs WHERE uuid = $1", p, "import", error);
  if (res == NULL)
    return FALSE;
  *has = PQntuples (res) > 0;
  return TRUE;
}

/* Refuses an import whose row shares its id with a different stored one
 * (sql counts the stored rows with id $1 that differ from the rest). */
static gboolean
check_same (QvizPgStore *pg, const char *src_name, const char *sql, GPtrArray *p,
            const char *what, const char *id, GError **error)
{
  g_autoptr(PGresult) res = query (pg, sql, p, "import", error);

  if (res == NULL)
    return FALSE;
  if (get_int (res, 0, 0) > 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "Cannot import “%s”: %s '%.40s' has the id of a different %s already "
                   "stored; nothing was imported.", src_name, what, id, what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_machine (QvizPgStore *pg, const char *src_name, const QvizMachine *m, GError **error)
{
  g_autoptr(GPtrArray) p = params_new ();

  p_text (p, m->id);
  p_text (p, m->hostname);
  p_text (p, m->cpu_model);
  p_text (p, m->isa_flags);
  p_int (p, (gint64) m->memory_bytes);
  return check_same (pg, src_name,
                     "SELECT count(*) FROM machines WHERE id = $1 AND "
                     "(hostname, cpu_model, isa_flags, memory_bytes) IS DISTINCT FROM "
                     "($2::text, $3::text, $4::text, $5::bigint)", p, "machine", m->id, error);
}

static gboolean
import_sweep (QvizPgStore *pg, QvizStore *src, const char *src_name, const QvizSweep *sweep,
              QvizImportCounts *counts, GError **error)
{
  g_autoptr(QvizMachine) m = qviz_store_get_machine (src, sweep->machine_id, error);
  g_autoptr(QvizModelInfo) mi = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(GPtrArray) same_model = params_new ();
  g_autoptr(GPtrArray) same_sweep = params_new ();

  if (m == NULL || !check_machine (pg, src_name, m, error)
      || !put_machine (pg, m, &counts->machines, error))
    return FALSE;
  mi = qviz_store_get_model (src, sweep->model_sha256, error);
  if (mi == NULL)
    return FALSE;
  p_text (same_model, mi->sha256);
  p_int (same_model, mi->n_nodes);
  p_int (same_model, (gint64) mi->params);
  p_int (same_model, (gint64) mi->macs);
  p_text (same_sweep, sweep->uuid);
  p_text (same_sweep, sweep->machine_id);
  p_text (same_sweep, sweep->model_sha256);
  p_int (same_sweep, sweep->created);
  p_text (same_sweep, sweep->resolutions);
  p_text (same_sweep, sweep->threads);
  p_text (same_sweep, sweep->precisions);
  p_text (same_sweep, sweep->options);
  if (!check_same (pg, src_name,
                   "SELECT count(*) FROM models WHERE sha256 = $1 AND "
                   "(n_nodes, params, macs) IS DISTINCT FROM ($2::bigint, $3::bigint, $4::bigint)",
                   same_model, "model", mi->sha256, error)
      || !check_same (pg, src_name,
                      "SELECT count(*) FROM sweeps WHERE uuid = $1 AND "
                      "(machine_id, model_sha256, created_us, resolutions, threads, precisions, "
                      "options) IS DISTINCT FROM ($2::text, $3::text, $4::bigint, $5::text, "
                      "$6::text, $7::text, $8::text)",
                      same_sweep, "sweep", sweep->uuid, error)
      || !put_model (pg, mi, FALSE, &counts->models, error)
      || !insert_sweep (pg, sweep, TRUE, &counts->sweeps, error))
    return FALSE;
  /* a sweep that was still running when it was first pushed has ended
   * there since */
  if (sweep->status != QVIZ_SWEEP_RUNNING)
    {
      p_text (p, qviz_sweep_status_name (sweep->status));
      p_text (p, sweep->message);
      p_int (p, sweep->finished);
      p_text (p, sweep->uuid);
      if (!exec (pg, "UPDATE sweeps SET status = $1, message = $2, finished_us = $3 "
                     "WHERE uuid = $4 AND status = 'running'", p, "import", error))
        return FALSE;
    }
  runs = qviz_store_list_runs (src, sweep->uuid, TRUE, error);
  if (runs == NULL)
    return FALSE;
  for (guint i = 0; i < runs->len; i++)
    {
      QvizRun *run = g_ptr_array_index (runs, i);
      gboolean has = FALSE;

      if (!has_run (pg, run->uuid, &has, error))
        return FALSE;
      if (has)
        {
          g_autoptr(GPtrArray) same = params_new ();

          p_text (same, run->uuid);
          p_text (same, run->sweep_uuid);
          p_text (same, run->machine_id);
          p_text (same, run->model_sha256);
          p_text (same, run->precision);
          p_int (same, run->height);
          p_int (same, run->width);
          p_int (same, run->threads);
          p_int (same, run->started);
          if (!check_same (pg, src_name,
                           "SELECT count(*) FROM runs WHERE uuid = $1 AND (sweep_uuid, "
                           "machine_id, model_sha256, precision, height, width, threads, "
                           "started_us) IS DISTINCT FROM ($2::text, $3::text, $4::text, "
                           "$5::text, $6::bigint, $7::bigint, $8::bigint, $9::bigint)",
                           same, "run", run->uuid, error))
            return FALSE;
          continue;
        }
      /* a run of another machine than its sweep's */
      if (!g_str_equal (run->machine_id, sweep->machine_id))
        {
          g_autoptr(QvizMachine) rm = qviz_store_get_machine (src, run->machine_id, error);

          if (rm == NULL || !check_machine (pg, src_name, rm, error)
              || !put_machine (pg, rm, &counts->machines, error))
            return FALSE;
        }
      if (!put_run (pg, run, error))
        return FALSE;
      counts->runs++;
    }
  return TRUE;
}

gboolean
qviz_pg_store_import (QvizPgStore *pg, QvizStore *src, const char *src_name,
                      QvizImportCounts *counts, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);
  g_autoptr(GPtrArray) sweeps = NULL;
  QvizImportCounts local = { 0 };
  gboolean ok = TRUE;

  if (!check_writable (pg, error))
    return FALSE;
  sweeps = qviz_store_list_sweeps (src, NULL, NULL, error);
  if (sweeps == NULL)
    return FALSE;
  if (!exec (pg, "BEGIN", NULL, "import", error))
    return FALSE;
  pg->in_import = TRUE;
  /* oldest first, as they were made */
  for (guint i = sweeps->len; ok && i > 0; i--)
    ok = import_sweep (pg, src, src_name, g_ptr_array_index (sweeps, i - 1), &local, error);
  pg->in_import = FALSE;
  if (!ok)
    {
      rollback (pg);
      return FALSE;
    }
  if (!commit (pg, "import", error))
    return FALSE;
  if (counts != NULL)
    *counts = local;
  return TRUE;
}

/* ---- calibration cache ---------------------------------------------- */

/* bytea as a parameter, in hex. */
static void
p_bytes (Params *p, GBytes *bytes)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  GString *hex = g_string_sized_new (2 + 2 * size);

  g_string_append (hex, "\\x");
  for (gsize i = 0; i < size; i++)
    g_string_append_printf (hex, "%02x", data[i]);
  g_ptr_array_add (p, g_string_free (hex, FALSE));
}

GBytes *
qviz_pg_store_get_calibration (QvizPgStore *pg, const char *model_sha256, const char *source,
                               const char *settings, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);
  g_autoptr(GPtrArray) p = params_new ();
  g_autoptr(PGresult) res = NULL;
  const char *hex;
  gsize n;
  guint8 *data;

  p_text (p, model_sha256);
  p_text (p, source);
  p_text (p, settings);
  res = query (pg, "SELECT params FROM calibration_cache "
               "WHERE model_sha256 = $1 AND source = $2 AND settings = $3",
               p, "read the calibration cache", error);
  if (res == NULL || PQntuples (res) == 0)
    return NULL;
  hex = PQgetvalue (res, 0, 0);
  if (!g_str_has_prefix (hex, "\\x") || strlen (hex) % 2 != 0)
    return NULL; /* not what this qviz writes: calibrate again */
  n = (strlen (hex) - 2) / 2;
  data = g_malloc (n + 1);
  for (gsize i = 0; i < n; i++)
    {
      const int hi = g_ascii_xdigit_value (hex[2 + 2 * i]);
      const int lo = g_ascii_xdigit_value (hex[3 + 2 * i]);

      if (hi < 0 || lo < 0)
        {
          g_free (data);
          return NULL;
        }
      data[i] = (guint8) (hi << 4 | lo);
    }
  return g_bytes_new_take (data, n);
}

gboolean
qviz_pg_store_put_calibration (QvizPgStore *pg, const char *model_sha256, const char *source,
                               const char *settings, GBytes *params, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pg->lock);
  g_autoptr(GPtrArray) p = params_new ();

  if (!check_writable (pg, error))
    return FALSE;
  p_text (p, model_sha256);
  p_text (p, source);
  p_text (p, settings);
  p_bytes (p, params);
  p_int (p, g_get_real_time ());
  return exec (pg, "INSERT INTO calibration_cache "
               "(model_sha256, source, settings, params, created_us) "
               "VALUES ($1, $2, $3, $4, $5) "
               "ON CONFLICT (model_sha256, source, settings) "
               "DO UPDATE SET params = EXCLUDED.params, created_us = EXCLUDED.created_us",
               p, "keep the calibration", error);
}

#endif /* QVIZ_HAVE_LIBPQ */
