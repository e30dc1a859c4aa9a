/* qviz-store.c: the SQLite run store.
 *
 * Opening checks a file before anything can write to it: the SQLite header
 * and the length it promises, PRAGMA quick_check, that it is a qviz file
 * (application_id) and that its schema is not newer than this qviz.  Only
 * then are migrations run (in one transaction) and WAL mode set.
 */
#include "qviz-store-private.h"
#include "qviz-store-pg.h"
#include "qviz-process.h"
#include "qviz-graph.h" /* QVIZ_ERROR */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* "qviz" in the header's application_id, so that other programs' SQLite
 * files are told apart from ours. */
#define QVIZ_APPLICATION_ID 0x7176697a

struct _QvizStore {
  GMutex   lock;
  sqlite3 *db;
  QvizPgStore *pg;         /* instead of db, for a postgresql:// URI */
  char    *path;           /* as given: what messages name */
  char    *uri;            /* file: URI of the absolute path */
  gboolean read_only;
  int      busy_timeout_ms;
  int      schema_version;
};

/* ---- schema --------------------------------------------------------- */

/* migrations[i] takes a database from user_version i to i + 1.  Never edit
 * one that has shipped: add the next instead. */
static const char *const migrations[] = {
  /* 0 -> 1: the first schema */
  "PRAGMA application_id = 1903585658;" /* QVIZ_APPLICATION_ID */
  "CREATE TABLE machines ("
  "  id TEXT PRIMARY KEY,"
  "  hostname TEXT NOT NULL,"
  "  cpu_model TEXT NOT NULL,"
  "  physical_cores INTEGER NOT NULL,"
  "  logical_cores INTEGER NOT NULL,"
  "  isa_flags TEXT NOT NULL,"
  "  l1d_bytes INTEGER NOT NULL,"
  "  l2_bytes INTEGER NOT NULL,"
  "  l3_bytes INTEGER NOT NULL,"
  "  memory_bytes INTEGER NOT NULL,"
  "  os TEXT NOT NULL,"
  "  kernel TEXT NOT NULL,"
  "  qviz_version TEXT NOT NULL,"
  "  qviz_commit TEXT NOT NULL);"
  "CREATE TABLE models ("
  "  sha256 TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  source TEXT NOT NULL,"
  "  n_nodes INTEGER NOT NULL,"
  "  params INTEGER NOT NULL,"
  "  macs INTEGER NOT NULL,"
  "  default_res INTEGER NOT NULL,"
  "  weight_bytes_f32 INTEGER NOT NULL,"
  "  weight_bytes_int8 INTEGER NOT NULL);"
  "CREATE INDEX models_by_name ON models (name);"
  "CREATE TABLE sweeps ("
  "  uuid TEXT PRIMARY KEY,"
  "  machine_id TEXT NOT NULL REFERENCES machines (id),"
  "  model_sha256 TEXT NOT NULL REFERENCES models (sha256),"
  "  created_us INTEGER NOT NULL,"
  "  finished_us INTEGER NOT NULL DEFAULT 0,"
  "  resolutions TEXT NOT NULL,"
  "  threads TEXT NOT NULL,"
  "  precisions TEXT NOT NULL,"
  "  options TEXT NOT NULL,"
  "  status TEXT NOT NULL"
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
  "  height INTEGER NOT NULL,"
  "  width INTEGER NOT NULL,"
  "  threads INTEGER NOT NULL,"
  "  conv_algo TEXT NOT NULL,"
  "  iterations INTEGER NOT NULL,"
  "  warmup INTEGER NOT NULL,"
  "  plan_ms REAL,"
  "  first_pass_ms REAL,"
  "  arena_bytes INTEGER NOT NULL DEFAULT 0,"
  "  weight_bytes INTEGER NOT NULL DEFAULT 0,"
  "  n_samples INTEGER NOT NULL,"
  "  median_ms REAL, p10_ms REAL, p90_ms REAL, min_ms REAL, max_ms REAL,"
  "  mean_ms REAL, stddev_ms REAL, mad_ms REAL,"
  "  sqnr_db REAL,"
  "  status TEXT NOT NULL CHECK (status IN ('complete', 'cancelled', 'failed')),"
  "  message TEXT NOT NULL DEFAULT '',"
  "  started_us INTEGER NOT NULL,"
  "  finished_us INTEGER NOT NULL);"
  "CREATE INDEX runs_by_sweep ON runs (sweep_uuid);"
  "CREATE INDEX runs_by_model ON runs (model_sha256, machine_id);"
  "CREATE INDEX runs_by_machine ON runs (machine_id);"
  "CREATE TABLE samples ("
  "  run_uuid TEXT NOT NULL REFERENCES runs (uuid) ON DELETE CASCADE,"
  "  pass INTEGER NOT NULL,"
  "  cold INTEGER NOT NULL,"
  "  ms REAL NOT NULL,"
  "  PRIMARY KEY (run_uuid, pass)) WITHOUT ROWID;"
  "CREATE TABLE layers ("
  "  run_uuid TEXT NOT NULL REFERENCES runs (uuid) ON DELETE CASCADE,"
  "  idx INTEGER NOT NULL,"
  "  name TEXT NOT NULL,"
  "  op TEXT NOT NULL,"
  "  kernel TEXT NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  fused TEXT NOT NULL,"
  "  in_shape TEXT NOT NULL,"
  "  out_shape TEXT NOT NULL,"
  "  kernel_h INTEGER NOT NULL, kernel_w INTEGER NOT NULL,"
  "  stride_h INTEGER NOT NULL, stride_w INTEGER NOT NULL,"
  "  dilation_h INTEGER NOT NULL, dilation_w INTEGER NOT NULL,"
  "  groups INTEGER NOT NULL,"
  "  depthwise INTEGER NOT NULL,"
  "  dilated INTEGER NOT NULL,"
  "  layer_class TEXT NOT NULL,"
  "  macs INTEGER NOT NULL,"
  "  params INTEGER NOT NULL,"
  "  bytes INTEGER NOT NULL,"
  "  n_samples INTEGER NOT NULL,"
  "  median_ms REAL, p10_ms REAL, p90_ms REAL, min_ms REAL, max_ms REAL,"
  "  mean_ms REAL, stddev_ms REAL, mad_ms REAL,"
  "  gops REAL,"
  "  sqnr_db REAL,"
  "  PRIMARY KEY (run_uuid, idx)) WITHOUT ROWID;"
  "CREATE TABLE spans ("
  "  run_uuid TEXT NOT NULL REFERENCES runs (uuid) ON DELETE CASCADE,"
  "  pass INTEGER NOT NULL,"
  "  cold INTEGER NOT NULL,"
  "  layer INTEGER NOT NULL,"
  "  phase TEXT,"
  "  start_ns INTEGER NOT NULL,"
  "  end_ns INTEGER NOT NULL);"
  "CREATE INDEX spans_by_run ON spans (run_uuid, pass);",

  /* 1 -> 2: the ISA the kernels ran with, and every pass's time per layer
   * (float32 little-endian, pass order) for significance tests. */
  "ALTER TABLE runs ADD COLUMN isa TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE layers ADD COLUMN samples BLOB;",

  /* 2 -> 3: a sweep whose process died is 'interrupted'; the process that
   * runs a sweep is named in owner so that a later open can tell.  SQLite
   * cannot change a CHECK in place: the table is rebuilt (migrate() turns
   * foreign keys off around it, as SQLite's ALTER TABLE notes prescribe). */
  "CREATE TABLE sweeps_v3 ("
  "  uuid TEXT PRIMARY KEY,"
  "  machine_id TEXT NOT NULL REFERENCES machines (id),"
  "  model_sha256 TEXT NOT NULL REFERENCES models (sha256),"
  "  created_us INTEGER NOT NULL,"
  "  finished_us INTEGER NOT NULL DEFAULT 0,"
  "  resolutions TEXT NOT NULL,"
  "  threads TEXT NOT NULL,"
  "  precisions TEXT NOT NULL,"
  "  options TEXT NOT NULL,"
  "  status TEXT NOT NULL"
  "    CHECK (status IN ('running', 'complete', 'cancelled', 'failed', 'interrupted')),"
  "  message TEXT NOT NULL DEFAULT '',"
  "  owner TEXT NOT NULL DEFAULT '');"
  "INSERT INTO sweeps_v3 (uuid, machine_id, model_sha256, created_us, finished_us,"
  "  resolutions, threads, precisions, options, status, message)"
  "  SELECT uuid, machine_id, model_sha256, created_us, finished_us, resolutions,"
  "  threads, precisions, options, status, message FROM sweeps;"
  "DROP TABLE sweeps;"
  "ALTER TABLE sweeps_v3 RENAME TO sweeps;"
  "CREATE INDEX sweeps_by_model ON sweeps (model_sha256, created_us);"
  "CREATE INDEX sweeps_by_machine ON sweeps (machine_id, created_us);",

  /* 3 -> 4: each int8 layer's accumulated SQNR (a whole int8 pass against
   * the float pass at its output) beside its own. */
  "ALTER TABLE layers ADD COLUMN accum_sqnr_db REAL;",

  /* 4 -> 5: the engine that ran a run's passes: qviz's own, or the runtime
   * of an imported trace ("onnxruntime CPU", "pytorch 1.13 onednn"). */
  "ALTER TABLE runs ADD COLUMN engine TEXT NOT NULL DEFAULT 'qviz';",

  /* 5 -> 6: calibration results, kept so that the next int8 run of the
   * same model, calibration source and observer settings reuses them. */
  "CREATE TABLE calibration_cache ("
  "  model_sha256 TEXT NOT NULL,"
  "  source TEXT NOT NULL,"
  "  settings TEXT NOT NULL,"
  "  params BLOB NOT NULL,"
  "  created_us INTEGER NOT NULL,"
  "  PRIMARY KEY (model_sha256, source, settings));",

  /* 6 -> 7: the time each layer took to plan (prepacking its weights,
   * building its indirection buffer or tables), for the cold-start view. */
  "ALTER TABLE layers ADD COLUMN plan_ms REAL;",

  /* 7 -> 8: a name and a note per sweep, so that a user can tell sweeps
   * of one model apart. */
  "ALTER TABLE sweeps ADD COLUMN name TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE sweeps ADD COLUMN note TEXT NOT NULL DEFAULT '';",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == QVIZ_STORE_SCHEMA_VERSION);

/* ---- errors and small helpers --------------------------------------- */

/* One sentence for an SQLite failure while doing something ("store the
 * run 1234abcd"). */
static gboolean
set_sqlite_error (QvizStore *store, int rc, const char *doing, GError **error)
{
  const char *detail = store->db != NULL ? sqlite3_errmsg (store->db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      /* SQLite also answers busy at once where waiting could deadlock, so
       * the sentence does not claim a wait */
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "“%s” is locked by another program; try again when it is done.",
                   store->path);
      break;
    case SQLITE_READONLY:
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "“%s” is read-only; qviz cannot %s.", store->path, doing);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "“%s” is damaged (%s); qviz left it as it was.", store->path, detail);
      break;
    case SQLITE_FULL:
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "Could not %s: the disk holding “%s” is full.", doing, store->path);
      break;
    default:
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "Could not %s in “%s”: %s.", doing, store->path, detail);
      break;
    }
  return FALSE;
}

/* A store on a server has no SQLite handle: a function that has no
 * PostgreSQL twin in qviz-store-pg.c yet says so instead of crashing. */
static gboolean
check_sqlite (QvizStore *store, const char *doing, GError **error)
{
  if (store->db != NULL)
    return TRUE;
  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
               "Cannot %s in “%s”: qviz does not do that on a PostgreSQL server yet.",
               doing, store->path);
  return FALSE;
}

static gboolean
exec_sql (QvizStore *store, const char *sql, const char *doing, GError **error)
{
  int rc;

  if (!check_sqlite (store, doing, error))
    return FALSE;
  rc = sqlite3_exec (store->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (store, rc, doing, error);
  return TRUE;
}

static sqlite3_stmt *
prepare (QvizStore *store, const char *sql, const char *doing, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!check_sqlite (store, doing, error))
    return NULL;
  rc = sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (store, rc, doing, error);
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

/* Write transactions take the write lock at BEGIN, so that waiting for
 * another writer goes through the busy timeout instead of failing at once
 * on a stale snapshot. */
static gboolean
begin_write (QvizStore *store, const char *doing, GError **error)
{
  return exec_sql (store, "BEGIN IMMEDIATE", doing, error);
}

static void
rollback (QvizStore *store)
{
  if (!sqlite3_get_autocommit (store->db))
    sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
commit (QvizStore *store, const char *doing, GError **error)
{
  if (!exec_sql (store, "COMMIT", doing, error))
    {
      rollback (store);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_writable (QvizStore *store, GError **error)
{
  if (store->read_only)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "“%s” was opened read-only; nothing was written to it.", store->path);
      return FALSE;
    }
  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt, int i, const char *s)
{
  sqlite3_bind_text (stmt, i, s != NULL ? s : "", -1, SQLITE_TRANSIENT);
}

/* NAN (and infinities, which SQLite would keep but nobody can plot) are
 * stored as NULL. */
static void
bind_real (sqlite3_stmt *stmt, int i, double v)
{
  if (isfinite (v))
    sqlite3_bind_double (stmt, i, v);
  else
    sqlite3_bind_null (stmt, i);
}

static void
bind_stats (sqlite3_stmt *stmt, int *i, const QvizStats *st)
{
  sqlite3_bind_int64 (stmt, (*i)++, st->n);
  bind_real (stmt, (*i)++, st->median);
  bind_real (stmt, (*i)++, st->p10);
  bind_real (stmt, (*i)++, st->p90);
  bind_real (stmt, (*i)++, st->min);
  bind_real (stmt, (*i)++, st->max);
  bind_real (stmt, (*i)++, st->mean);
  bind_real (stmt, (*i)++, st->stddev);
  bind_real (stmt, (*i)++, st->mad);
}

static char *
col_text (sqlite3_stmt *stmt, int i)
{
  const unsigned char *s = sqlite3_column_text (stmt, i);

  return g_strdup (s != NULL ? (const char *) s : "");
}

static char *
col_text_or_null (sqlite3_stmt *stmt, int i)
{
  const unsigned char *s = sqlite3_column_text (stmt, i);

  return s != NULL ? g_strdup ((const char *) s) : NULL;
}

static double
col_real (sqlite3_stmt *stmt, int i)
{
  if (sqlite3_column_type (stmt, i) == SQLITE_NULL)
    return NAN;
  return sqlite3_column_double (stmt, i);
}

static void
col_stats (sqlite3_stmt *stmt, int *i, QvizStats *st)
{
  st->n = (guint) sqlite3_column_int64 (stmt, (*i)++);
  st->median = col_real (stmt, (*i)++);
  st->p10 = col_real (stmt, (*i)++);
  st->p90 = col_real (stmt, (*i)++);
  st->min = col_real (stmt, (*i)++);
  st->max = col_real (stmt, (*i)++);
  st->mean = col_real (stmt, (*i)++);
  st->stddev = col_real (stmt, (*i)++);
  st->mad = col_real (stmt, (*i)++);
}

static gboolean
int_query (QvizStore *store, const char *sql, int *out, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql, "read the database", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return set_sqlite_error (store, rc, "read the database", error);
  *out = sqlite3_column_int (stmt, 0);
  return TRUE;
}

/* ---- opening -------------------------------------------------------- */

char *
qviz_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "qviz", "runs.sqlite", NULL);
}

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* What can be told from the file system and the 100-byte header, without
 * letting SQLite touch the file. */
static gboolean
check_file (const char *path, gboolean read_only, gboolean *exists, GError **error)
{
  GStatBuf st;
  g_autofree char *dir = g_path_get_dirname (path);
  guint8 header[100];
  gssize n_read;
  int fd;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      *exists = FALSE;
      if (saved != ENOENT)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "Cannot open “%s”: %s.", path, g_strerror (saved));
          return FALSE;
        }
      if (read_only)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "“%s” does not exist.", path);
          return FALSE;
        }
      if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "Cannot create “%s”: its folder does not exist.", path);
          return FALSE;
        }
      if (g_access (dir, W_OK) != 0)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "Cannot create “%s”: its folder is read-only.", path);
          return FALSE;
        }
      return TRUE;
    }

  *exists = TRUE;
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "“%s” is not a regular file.", path);
      return FALSE;
    }

  fd = g_open (path, O_RDONLY, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "Cannot read “%s”: %s.", path, g_strerror (saved));
      return FALSE;
    }
  n_read = read (fd, header, sizeof header);
  close (fd);

  /* An empty file is an empty SQLite database; SQLite itself says so. */
  if (st.st_size > 0)
    {
      guint32 page_size, change_counter, valid_for, n_pages;
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      GStatBuf wal_st;
      gboolean wal_has_pages;

      if (n_read < 16 || memcmp (header, "SQLite format 3", 16) != 0)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "“%s” is not a qviz database: it is not an SQLite file.", path);
          return FALSE;
        }
      if (n_read < (gssize) sizeof header)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "“%s” is damaged: it ends inside its header.", path);
          return FALSE;
        }
      page_size = ((guint32) header[16] << 8) | header[17];
      if (page_size == 1)
        page_size = 65536;
      if (page_size < 512 || (page_size & (page_size - 1)) != 0)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "“%s” is damaged: its header names an impossible page size.", path);
          return FALSE;
        }
      /* The page count in the header is trusted only when it was written
       * by the same transaction as the change counter; a WAL file with
       * pages may still hold the tail of the database. */
      change_counter = be32 (header + 24);
      n_pages = be32 (header + 28);
      valid_for = be32 (header + 92);
      wal_has_pages = g_stat (wal, &wal_st) == 0 && wal_st.st_size > 32;
      if (!wal_has_pages && change_counter == valid_for && n_pages > 0
          && (guint64) st.st_size < (guint64) page_size * n_pages)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "“%s” is damaged: it is truncated (%" G_GUINT64_FORMAT
                       " of %" G_GUINT64_FORMAT " bytes).",
                       path, (guint64) st.st_size, (guint64) page_size * n_pages);
          return FALSE;
        }
    }

  if (!read_only)
    {
      /* Mode bits count even for root: a file someone made read-only is
       * one they do not want written. */
      if ((st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0 || g_access (path, W_OK) != 0)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "“%s” is read-only; open it read-only or make it writable.", path);
          return FALSE;
        }
      if (g_access (dir, W_OK) != 0)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "“%s” cannot be written: its folder is read-only and SQLite "
                       "keeps its journal beside it.", path);
          return FALSE;
        }
    }
  return TRUE;
}

/* What can be told by reading through SQLite: integrity, owner, version. */
/* The version is read from the file, so it is anything a hostile file
 * says: only 0 .. QVIZ_STORE_SCHEMA_VERSION may index the migrations. */
static gboolean
check_schema_version (QvizStore *store, int version, GError **error)
{
  if (version < 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "“%s” has an invalid schema version (%d); qviz left it as it was.",
                   store->path, version);
      return FALSE;
    }
  if (version > QVIZ_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "“%s” was written by a newer qviz (schema %d; this one knows up to %d).",
                   store->path, version, QVIZ_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_contents_locked (QvizStore *store, int *version, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc, app_id, n_objects;
  g_autofree char *first = NULL;

  stmt = prepare (store, "PRAGMA quick_check", "check the database", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (first == NULL)
      first = col_text (stmt, 0);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, "check the database", error);
  if (first == NULL || !g_str_equal (first, "ok"))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "“%s” is damaged (%s); qviz left it as it was.",
                   store->path, first != NULL ? first : "no integrity report");
      return FALSE;
    }

  if (!int_query (store, "PRAGMA application_id", &app_id, error)
      || !int_query (store, "PRAGMA user_version", version, error)
      || !int_query (store, "SELECT count(*) FROM sqlite_master", &n_objects, error))
    return FALSE;

  if ((app_id != 0 && app_id != QVIZ_APPLICATION_ID) || (app_id == 0 && n_objects > 0))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "“%s” is not a qviz database: it holds another program's tables.",
                   store->path);
      return FALSE;
    }
  return check_schema_version (store, *version, error);
}

/* All in one read transaction: another process creating the schema at
 * this moment is seen either not at all or whole. */
static gboolean
check_contents (QvizStore *store, int *version, GError **error)
{
  gboolean ok;

  if (!exec_sql (store, "BEGIN", "check the database", error))
    return FALSE;
  ok = check_contents_locked (store, version, error);
  rollback (store);
  return ok;
}

/* Two processes opening a new file both switch it to WAL; the loser of
 * that race is told "busy" without waiting, and finds WAL set on retry. */
static gboolean
set_wal_mode (QvizStore *store, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) store->busy_timeout_ms * 1000;

  for (;;)
    {
      g_autoptr(sqlite3_stmt) stmt = prepare (store, "PRAGMA journal_mode = WAL",
                                              "open the database", error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        return TRUE;
      if ((rc & 0xff) != SQLITE_BUSY || g_get_monotonic_time () > deadline)
        return set_sqlite_error (store, rc, "switch the database to WAL mode", error);
      g_usleep (2000);
    }
}

/* Runs the migrations from the file's version up to target, all in one
 * transaction, re-reading the version under the write lock: another
 * process may have migrated the file meanwhile. */
static gboolean migrate_locked (QvizStore *store, int target, GError **error);

/* Foreign keys are off while tables are rebuilt (a DROP TABLE would
 * otherwise cascade into every run); the result is checked before the
 * commit instead. */
static gboolean
migrate (QvizStore *store, int target, GError **error)
{
  gboolean ok;

  if (!exec_sql (store, "PRAGMA foreign_keys = OFF", "upgrade the database", error))
    return FALSE;
  ok = migrate_locked (store, target, error);
  if (!exec_sql (store, "PRAGMA foreign_keys = ON", "upgrade the database",
                 ok ? error : NULL))
    return FALSE;
  return ok;
}

static gboolean
migrate_locked (QvizStore *store, int target, GError **error)
{
  int version = 0;
  g_autofree char *set_version = NULL;

  if (!begin_write (store, "upgrade the database", error))
    return FALSE;
  if (!int_query (store, "PRAGMA user_version", &version, error))
    {
      rollback (store);
      return FALSE;
    }
  if (!check_schema_version (store, version, error))
    {
      rollback (store);
      return FALSE;
    }
  for (int v = version; v < target; v++)
    {
      g_autofree char *doing = g_strdup_printf ("upgrade the database to schema %d", v + 1);

      if (!exec_sql (store, migrations[v], doing, error))
        {
          rollback (store);
          return FALSE;
        }
    }
  if (version < target)
    {
      int dangling = 0;

      if (!int_query (store, "SELECT count(*) FROM pragma_foreign_key_check", &dangling,
                      error))
        {
          rollback (store);
          return FALSE;
        }
      if (dangling > 0)
        {
          rollback (store);
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "Cannot upgrade “%s”: %d rows refer to records it does not hold; "
                       "qviz left it as it was.", store->path, dangling);
          return FALSE;
        }
      set_version = g_strdup_printf ("PRAGMA user_version = %d", target);
      if (!exec_sql (store, set_version, "upgrade the database", error))
        {
          rollback (store);
          return FALSE;
        }
    }
  if (!commit (store, "upgrade the database", error))
    return FALSE;
  store->schema_version = MAX (version, target);
  return TRUE;
}

static gboolean
open_connection (QvizStore *store, const char *uri, int flags, GError **error)
{
  int rc = sqlite3_open_v2 (uri, &store->db, flags | SQLITE_OPEN_URI, NULL);

  if (rc != SQLITE_OK)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE, "Cannot open “%s”: %s.",
                   store->path,
                   store->db != NULL ? sqlite3_errmsg (store->db) : sqlite3_errstr (rc));
      g_clear_pointer (&store->db, sqlite3_close);
      return FALSE;
    }
  sqlite3_extended_result_codes (store->db, 1);
  sqlite3_busy_timeout (store->db, store->busy_timeout_ms);
  /* Files come from other machines: their schema may not run functions
   * with side effects, and SQL may not write the schema or pages raw. */
  sqlite3_db_config (store->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config (store->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
  return exec_sql (store, "PRAGMA foreign_keys = ON", "open the database", error);
}

/* A read-only store of an older schema reads a migrated copy in memory. */
static gboolean
migrate_in_memory (QvizStore *store, GError **error)
{
  sqlite3 *file_db = store->db;
  sqlite3_backup *backup;
  int rc;

  store->db = NULL;
  if (!open_connection (store, ":memory:", SQLITE_OPEN_READWRITE, error))
    {
      sqlite3_close (file_db);
      return FALSE;
    }
  backup = sqlite3_backup_init (store->db, "main", file_db, "main");
  if (backup == NULL)
    {
      set_sqlite_error (store, sqlite3_errcode (store->db), "read the database", error);
      sqlite3_close (file_db);
      return FALSE;
    }
  rc = sqlite3_backup_step (backup, -1);
  sqlite3_backup_finish (backup);
  sqlite3_close (file_db);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, "read the database", error);
  return migrate (store, QVIZ_STORE_SCHEMA_VERSION, error);
}

static gboolean mark_interrupted (QvizStore *store, GError **error);

static QvizStore *
store_open (const char *path, QvizStoreFlags flags, int busy_timeout_ms,
            int target_version, GError **error)
{
  g_autoptr(QvizStore) store = NULL;
  g_autofree char *default_path = NULL;
  g_autofree char *absolute = NULL;
  gboolean read_only = (flags & QVIZ_STORE_READ_ONLY) != 0;
  gboolean exists = FALSE;
  int version = 0;

  if (qviz_store_location_is_postgres (path))
    {
      QvizPgStore *pg = qviz_pg_store_open (path, read_only, target_version, error);

      if (pg == NULL)
        return NULL;
      store = g_new0 (QvizStore, 1);
      g_mutex_init (&store->lock);
      store->pg = pg;
      store->path = g_strdup (qviz_pg_store_get_name (pg));
      store->read_only = read_only;
      store->schema_version = qviz_pg_store_get_schema_version (pg);
      return g_steal_pointer (&store);
    }

  if (path == NULL)
    {
      default_path = qviz_store_default_path ();
      path = default_path;
      if (!read_only)
        {
          g_autofree char *dir = g_path_get_dirname (path);

          if (g_mkdir_with_parents (dir, 0700) != 0)
            {
              int saved = errno;

              g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                           "Cannot create the folder “%s”: %s.", dir, g_strerror (saved));
              return NULL;
            }
        }
    }

  if (!check_file (path, read_only, &exists, error))
    return NULL;

  store = g_new0 (QvizStore, 1);
  g_mutex_init (&store->lock);
  store->path = g_strdup (path);
  store->read_only = read_only;
  store->busy_timeout_ms = MAX (busy_timeout_ms, 0);
  absolute = g_canonicalize_filename (path, NULL);
  store->uri = g_filename_to_uri (absolute, NULL, error);
  if (store->uri == NULL)
    return NULL;

  if (!open_connection (store, store->uri,
                        read_only ? SQLITE_OPEN_READONLY
                                  : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        error))
    return NULL;

  if (read_only)
    {
      int probe;

      /* A WAL file in a folder we cannot write has no shared-memory file
       * to read through; read it as immutable then. */
      if (!int_query (store, "SELECT count(*) FROM sqlite_master", &probe, NULL)
          && (sqlite3_errcode (store->db) & 0xff) != SQLITE_BUSY)
        {
          g_autofree char *immutable = g_strconcat (store->uri, "?immutable=1", NULL);

          g_clear_pointer (&store->db, sqlite3_close);
          if (!open_connection (store, immutable, SQLITE_OPEN_READONLY, error))
            return NULL;
          g_free (store->uri);
          store->uri = g_steal_pointer (&immutable);
        }
    }

  if (!check_contents (store, &version, error))
    {
      /* Opening may have made an empty file that was not there. */
      if (!exists)
        {
          g_clear_pointer (&store->db, sqlite3_close);
          g_unlink (path);
        }
      return NULL;
    }
  store->schema_version = version;

  if (read_only)
    {
      if (version < QVIZ_STORE_SCHEMA_VERSION && !migrate_in_memory (store, error))
        return NULL;
    }
  else
    {
      if (version < target_version && !migrate (store, target_version, error))
        return NULL;
      /* After the checks and the migration, so a refused file keeps even
       * its journal-mode bytes. */
      if (!set_wal_mode (store, error))
        return NULL;
      if (!exec_sql (store, "PRAGMA synchronous = NORMAL", "open the database", error))
        return NULL;
      /* Sweeps have owners from schema 3 on (tests create older files). */
      if (store->schema_version >= 3 && !mark_interrupted (store, error))
        return NULL;
    }
  return g_steal_pointer (&store);
}

QvizStore *
qviz_store_open_full (const char *path, QvizStoreFlags flags, int busy_timeout_ms,
                      GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  g_return_val_if_fail (busy_timeout_ms >= 0, NULL);

  return store_open (path, flags, busy_timeout_ms, QVIZ_STORE_SCHEMA_VERSION, error);
}

QvizStore *
qviz_store_open (const char *path, QvizStoreFlags flags, GError **error)
{
  return qviz_store_open_full (path, flags, QVIZ_STORE_BUSY_TIMEOUT_MS, error);
}

void
qviz_store_close (QvizStore *store)
{
  if (store == NULL)
    return;
  if (store->db != NULL)
    sqlite3_close (store->db);
  g_clear_pointer (&store->pg, qviz_pg_store_close);
  g_mutex_clear (&store->lock);
  g_free (store->path);
  g_free (store->uri);
  g_free (store);
}

const char *
qviz_store_get_path (QvizStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);
  return store->path;
}

gboolean
qviz_store_is_read_only (QvizStore *store)
{
  g_return_val_if_fail (store != NULL, TRUE);
  return store->read_only;
}

int
qviz_store_get_schema_version (QvizStore *store)
{
  g_return_val_if_fail (store != NULL, 0);
  return store->schema_version;
}

gboolean
qviz_store_create_at_version (const char *path, int version, GError **error)
{
  g_autoptr(QvizStore) store = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (version >= 1 && version <= QVIZ_STORE_SCHEMA_VERSION, FALSE);

  if (!qviz_store_location_is_postgres (path) && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE, "“%s” already exists.", path);
      return FALSE;
    }
  store = store_open (path, QVIZ_STORE_READ_WRITE, QVIZ_STORE_BUSY_TIMEOUT_MS, version, error);
  return store != NULL;
}

/* ---- ids ------------------------------------------------------------ */

/* The full uuid in table (column uuid) that id is, or is the only one to
 * start with. */
static char *
resolve_id (QvizStore *store, const char *table, const char *what, const char *id,
            GError **error)
{
  g_autofree char *lower = g_ascii_strdown (id, -1);
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *found = NULL;
  int rc, n = 0;

  if (lower[0] == '\0' || strspn (lower, "0123456789abcdef-") != strlen (lower))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a %s id.", id, what);
      return NULL;
    }
  /* Every uuid character sorts before '~', so this range is the prefix and
   * uses the primary key's index. */
  sql = g_strdup_printf ("SELECT uuid FROM %s WHERE uuid >= ?1 AND uuid < ?1 || '~' "
                         "ORDER BY uuid", table);
  stmt = prepare (store, sql, "look up an id", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, lower);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (n == 0)
        found = col_text (stmt, 0);
      n++;
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (store, rc, "look up an id", error);
      return NULL;
    }
  if (n == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "No %s in “%s” has the id %s.", what, store->path, id);
      return NULL;
    }
  if (n > 1 && !g_str_equal (found, lower))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "The id %s matches %d %ss in “%s”; give more of it.",
                   id, n, what, store->path);
      return NULL;
    }
  return g_steal_pointer (&found);
}

/* ---- machines and models -------------------------------------------- */

gboolean
qviz_store_put_machine (QvizStore *store, const QvizMachine *m, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int i = 1, rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (m != NULL && m->id != NULL, FALSE);

  if (store->pg != NULL)
    return qviz_pg_store_put_machine (store->pg, m, error);

  locker = g_mutex_locker_new (&store->lock);
  if (!check_writable (store, error))
    return FALSE;
  stmt = prepare (store,
                  "INSERT INTO machines (id, hostname, cpu_model, physical_cores, "
                  "logical_cores, isa_flags, l1d_bytes, l2_bytes, l3_bytes, memory_bytes, "
                  "os, kernel, qviz_version, qviz_commit) "
                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING",
                  "store the machine", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, i++, m->id);
  bind_text (stmt, i++, m->hostname);
  bind_text (stmt, i++, m->cpu_model);
  sqlite3_bind_int (stmt, i++, m->physical_cores);
  sqlite3_bind_int (stmt, i++, m->logical_cores);
  bind_text (stmt, i++, m->isa_flags);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) m->l1d_bytes);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) m->l2_bytes);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) m->l3_bytes);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) m->memory_bytes);
  bind_text (stmt, i++, m->os);
  bind_text (stmt, i++, m->kernel);
  bind_text (stmt, i++, m->qviz_version);
  bind_text (stmt, i++, m->qviz_commit);
  /* One statement is its own transaction; the busy timeout covers it. */
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, "store the machine", error);
  return TRUE;
}

gboolean
qviz_store_put_model (QvizStore *store, const QvizModelInfo *mi, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int i = 1, rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (mi != NULL && mi->sha256 != NULL, FALSE);

  if (store->pg != NULL)
    return qviz_pg_store_put_model (store->pg, mi, error);

  locker = g_mutex_locker_new (&store->lock);
  if (!check_writable (store, error))
    return FALSE;
  stmt = prepare (store,
                  "INSERT INTO models (sha256, name, source, n_nodes, params, macs, "
                  "default_res, weight_bytes_f32, weight_bytes_int8) "
                  "VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (sha256) DO UPDATE SET "
                  "name = excluded.name, source = excluded.source, "
                  "n_nodes = excluded.n_nodes, params = excluded.params, "
                  "macs = excluded.macs, default_res = excluded.default_res, "
                  "weight_bytes_f32 = excluded.weight_bytes_f32, "
                  "weight_bytes_int8 = excluded.weight_bytes_int8",
                  "store the model", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, i++, mi->sha256);
  bind_text (stmt, i++, mi->name);
  bind_text (stmt, i++, mi->source);
  sqlite3_bind_int (stmt, i++, mi->n_nodes);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) mi->params);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) mi->macs);
  sqlite3_bind_int (stmt, i++, mi->default_res);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) mi->weight_bytes_f32);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) mi->weight_bytes_int8);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, "store the model", error);
  return TRUE;
}

#define MACHINE_COLUMNS \
  "id, hostname, cpu_model, physical_cores, logical_cores, isa_flags, l1d_bytes, " \
  "l2_bytes, l3_bytes, memory_bytes, os, kernel, qviz_version, qviz_commit"

static QvizMachine *
machine_from_row (sqlite3_stmt *stmt)
{
  QvizMachine *m = qviz_machine_new ();
  int i = 0;

  m->id = col_text (stmt, i++);
  m->hostname = col_text (stmt, i++);
  m->cpu_model = col_text (stmt, i++);
  m->physical_cores = sqlite3_column_int (stmt, i++);
  m->logical_cores = sqlite3_column_int (stmt, i++);
  m->isa_flags = col_text (stmt, i++);
  m->l1d_bytes = (guint64) sqlite3_column_int64 (stmt, i++);
  m->l2_bytes = (guint64) sqlite3_column_int64 (stmt, i++);
  m->l3_bytes = (guint64) sqlite3_column_int64 (stmt, i++);
  m->memory_bytes = (guint64) sqlite3_column_int64 (stmt, i++);
  m->os = col_text (stmt, i++);
  m->kernel = col_text (stmt, i++);
  m->qviz_version = col_text (stmt, i++);
  m->qviz_commit = col_text (stmt, i++);
  return m;
}

#define MODEL_COLUMNS \
  "sha256, name, source, n_nodes, params, macs, default_res, weight_bytes_f32, " \
  "weight_bytes_int8"

static QvizModelInfo *
model_from_row (sqlite3_stmt *stmt)
{
  QvizModelInfo *mi = qviz_model_info_new ();
  int i = 0;

  mi->sha256 = col_text (stmt, i++);
  mi->name = col_text (stmt, i++);
  mi->source = col_text (stmt, i++);
  mi->n_nodes = sqlite3_column_int (stmt, i++);
  mi->params = (guint64) sqlite3_column_int64 (stmt, i++);
  mi->macs = (guint64) sqlite3_column_int64 (stmt, i++);
  mi->default_res = sqlite3_column_int (stmt, i++);
  mi->weight_bytes_f32 = (guint64) sqlite3_column_int64 (stmt, i++);
  mi->weight_bytes_int8 = (guint64) sqlite3_column_int64 (stmt, i++);
  return mi;
}

typedef gpointer (*RowFunc) (sqlite3_stmt *stmt);

/* Steps stmt to the end, collecting one object per row. */
static GPtrArray *
collect_rows (QvizStore *store, sqlite3_stmt *stmt, RowFunc from_row,
              GDestroyNotify free_func, const char *doing, GError **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (store, rc, doing, error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

QvizMachine *
qviz_store_get_machine (QvizStore *store, const char *machine_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL && machine_id != NULL, NULL);

  if (store->pg != NULL)
    return qviz_pg_store_get_machine (store->pg, machine_id, error);

  locker = g_mutex_locker_new (&store->lock);
  stmt = prepare (store, "SELECT " MACHINE_COLUMNS " FROM machines WHERE id = ?",
                  "read a machine", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, machine_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return machine_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                 "No machine in “%s” has the id %s.", store->path, machine_id);
  else
    set_sqlite_error (store, rc, "read a machine", error);
  return NULL;
}

QvizModelInfo *
qviz_store_get_model (QvizStore *store, const char *sha256, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL && sha256 != NULL, NULL);

  if (store->pg != NULL)
    return qviz_pg_store_get_model (store->pg, sha256, error);

  locker = g_mutex_locker_new (&store->lock);
  stmt = prepare (store, "SELECT " MODEL_COLUMNS " FROM models WHERE sha256 = ?",
                  "read a model", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, sha256);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return model_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                 "No model in “%s” has the sha256 %s.", store->path, sha256);
  else
    set_sqlite_error (store, rc, "read a model", error);
  return NULL;
}

GPtrArray *
qviz_store_list_machines (QvizStore *store, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (store->pg != NULL)
    return qviz_pg_store_list_machines (store->pg, error);

  locker = g_mutex_locker_new (&store->lock);
  stmt = prepare (store, "SELECT " MACHINE_COLUMNS " FROM machines ORDER BY hostname, id",
                  "list machines", error);
  if (stmt == NULL)
    return NULL;
  return collect_rows (store, stmt, (RowFunc) machine_from_row,
                       (GDestroyNotify) qviz_machine_free, "list machines", error);
}

GPtrArray *
qviz_store_list_models (QvizStore *store, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (store->pg != NULL)
    return qviz_pg_store_list_models (store->pg, error);

  locker = g_mutex_locker_new (&store->lock);
  stmt = prepare (store, "SELECT " MODEL_COLUMNS " FROM models ORDER BY name, sha256",
                  "list models", error);
  if (stmt == NULL)
    return NULL;
  return collect_rows (store, stmt, (RowFunc) model_from_row,
                       (GDestroyNotify) qviz_model_info_free, "list models", error);
}

/* ---- sweeps --------------------------------------------------------- */

gboolean
qviz_store_sweep_begin (QvizStore *store, const QvizSweep *sweep, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *owner = qviz_process_self_token ();
  int i = 1, rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (sweep != NULL && sweep->uuid != NULL, FALSE);
  g_return_val_if_fail (sweep->machine_id != NULL && sweep->model_sha256 != NULL, FALSE);

  if (store->pg != NULL)
    return qviz_pg_store_sweep_begin (store->pg, sweep, error);

  locker = g_mutex_locker_new (&store->lock);
  if (!check_writable (store, error))
    return FALSE;
  stmt = prepare (store,
                  "INSERT INTO sweeps (uuid, machine_id, model_sha256, created_us, "
                  "finished_us, resolutions, threads, precisions, options, status, message, "
                  "owner, name, note) VALUES (?,?,?,?,0,?,?,?,?,'running',?,?,?,?)",
                  "record the sweep", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, i++, sweep->uuid);
  bind_text (stmt, i++, sweep->machine_id);
  bind_text (stmt, i++, sweep->model_sha256);
  sqlite3_bind_int64 (stmt, i++, sweep->created);
  bind_text (stmt, i++, sweep->resolutions);
  bind_text (stmt, i++, sweep->threads);
  bind_text (stmt, i++, sweep->precisions);
  bind_text (stmt, i++, sweep->options);
  bind_text (stmt, i++, sweep->message);
  bind_text (stmt, i++, owner);
  bind_text (stmt, i++, sweep->name ? sweep->name : "");
  bind_text (stmt, i++, sweep->note ? sweep->note : "");
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "Could not record sweep %s in “%s”: its machine or model is not stored.",
                   sweep->uuid, store->path);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, "record the sweep", error);
  return TRUE;
}

gboolean
qviz_store_sweep_finish (QvizStore *store, const char *sweep_uuid,
                         QvizSweepStatus status, const char *message, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL && sweep_uuid != NULL, FALSE);
  g_return_val_if_fail (status != QVIZ_SWEEP_RUNNING, FALSE);

  if (store->pg != NULL)
    return qviz_pg_store_sweep_finish (store->pg, sweep_uuid, status, message, error);

  locker = g_mutex_locker_new (&store->lock);
  if (!check_writable (store, error))
    return FALSE;
  stmt = prepare (store,
                  "UPDATE sweeps SET status = ?, message = ?, finished_us = ? WHERE uuid = ?",
                  "finish the sweep", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, qviz_sweep_status_name (status));
  bind_text (stmt, 2, message);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  bind_text (stmt, 4, sweep_uuid);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, "finish the sweep", error);
  if (sqlite3_changes (store->db) == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "No sweep in “%s” has the id %s.", store->path, sweep_uuid);
      return FALSE;
    }
  return TRUE;
}

/* Why a sweep recorded as running has stopped, or NULL while its process
 * runs or cannot be checked from here. */
static char *
interrupted_message (const char *owner)
{
  int pid = 0;

  if (owner == NULL || *owner == '\0' ||
      qviz_process_state (owner, &pid) != QVIZ_PROCESS_GONE)
    return NULL;
  return g_strdup_printf ("Interrupted: the process that ran it (pid %d) ended before it "
                          "finished; its finished runs are kept.", pid);
}

static gboolean step_done (QvizStore *store, sqlite3_stmt *stmt, const char *doing,
                           GError **error);

/* Records as interrupted every sweep whose process has ended, in one
 * transaction, so that it does not stay "running" for ever. */
static gboolean
mark_interrupted (QvizStore *store, GError **error)
{
  g_autoptr(sqlite3_stmt) find = NULL;
  g_autoptr(sqlite3_stmt) mark = NULL;
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  int rc;

  find = prepare (store, "SELECT uuid, owner FROM sweeps WHERE status = 'running'",
                  "check for interrupted sweeps", error);
  if (find == NULL)
    return FALSE;
  while ((rc = sqlite3_step (find)) == SQLITE_ROW)
    {
      g_autofree char *owner = col_text (find, 1);
      char *why = interrupted_message (owner);

      if (why != NULL)
        {
          g_ptr_array_add (uuids, col_text (find, 0));
          g_ptr_array_add (messages, why);
        }
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, "check for interrupted sweeps", error);
  if (uuids->len == 0)
    return TRUE;

  if (!begin_write (store, "mark interrupted sweeps", error))
    return FALSE;
  mark = prepare (store,
                  "UPDATE sweeps SET status = 'interrupted', message = ?, finished_us = ? "
                  "WHERE uuid = ? AND status = 'running'",
                  "mark interrupted sweeps", error);
  if (mark == NULL)
    {
      rollback (store);
      return FALSE;
    }
  for (guint i = 0; i < uuids->len; i++)
    {
      sqlite3_reset (mark);
      bind_text (mark, 1, g_ptr_array_index (messages, i));
      sqlite3_bind_int64 (mark, 2, g_get_real_time ());
      bind_text (mark, 3, g_ptr_array_index (uuids, i));
      if (!step_done (store, mark, "mark interrupted sweeps", error))
        {
          rollback (store);
          return FALSE;
        }
    }
  return commit (store, "mark interrupted sweeps", error);
}

#define SWEEP_SELECT \
  "SELECT s.uuid, s.machine_id, s.model_sha256, s.created_us, s.finished_us, " \
  "s.resolutions, s.threads, s.precisions, s.options, s.status, s.message, s.owner, " \
  "m.name, h.hostname, h.cpu_model, " \
  "(SELECT count(*) FROM runs r WHERE r.sweep_uuid = s.uuid), " \
  "(SELECT group_concat (engine, ', ') FROM (SELECT DISTINCT engine FROM runs r " \
  " WHERE r.sweep_uuid = s.uuid ORDER BY engine)), s.name, s.note " \
  "FROM sweeps s LEFT JOIN models m ON m.sha256 = s.model_sha256 " \
  "LEFT JOIN machines h ON h.id = s.machine_id "

static QvizSweep *
sweep_from_row (sqlite3_stmt *stmt)
{
  QvizSweep *s = g_new0 (QvizSweep, 1);
  g_autofree char *status = NULL;
  g_autofree char *owner = NULL;
  int i = 0;

  s->uuid = col_text (stmt, i++);
  s->machine_id = col_text (stmt, i++);
  s->model_sha256 = col_text (stmt, i++);
  s->created = sqlite3_column_int64 (stmt, i++);
  s->finished = sqlite3_column_int64 (stmt, i++);
  s->resolutions = col_text (stmt, i++);
  s->threads = col_text (stmt, i++);
  s->precisions = col_text (stmt, i++);
  s->options = col_text (stmt, i++);
  status = col_text (stmt, i++);
  if (!qviz_sweep_status_parse (status, &s->status))
    s->status = QVIZ_SWEEP_FAILED;
  s->message = col_text (stmt, i++);
  owner = col_text (stmt, i++);
  /* A read-only open cannot record it, but shows it all the same. */
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
  s->model_name = col_text_or_null (stmt, i++);
  s->hostname = col_text_or_null (stmt, i++);
  s->cpu_model = col_text_or_null (stmt, i++);
  s->n_runs = (guint) sqlite3_column_int (stmt, i++);
  s->engines = col_text_or_null (stmt, i++);
  s->name = col_text (stmt, i++);
  s->note = col_text (stmt, i++);
  return s;
}

/* model: a name, or a sha256 prefix of at least 4 hex digits; machine: a
 * hostname, or an id prefix of at least 4 characters. */
#define SWEEP_FILTER \
  "WHERE (?1 IS NULL OR m.name = ?1 OR (length (?1) >= 4 AND " \
  "       s.model_sha256 >= lower (?1) AND s.model_sha256 < lower (?1) || '~')) " \
  "AND (?2 IS NULL OR h.hostname = ?2 OR (length (?2) >= 4 AND " \
  "     s.machine_id >= lower (?2) AND s.machine_id < lower (?2) || '~')) " \
  "ORDER BY s.created_us DESC, s.uuid "

static GPtrArray *
list_sweeps_locked (QvizStore *store, const char *model, const char *machine,
                    gboolean latest_only, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (store,
                  latest_only ? SWEEP_SELECT SWEEP_FILTER "LIMIT 1"
                              : SWEEP_SELECT SWEEP_FILTER,
                  "list sweeps", error);
  if (stmt == NULL)
    return NULL;
  if (model != NULL)
    bind_text (stmt, 1, model);
  if (machine != NULL)
    bind_text (stmt, 2, machine);
  return collect_rows (store, stmt, (RowFunc) sweep_from_row,
                       (GDestroyNotify) qviz_sweep_free, "list sweeps", error);
}

GPtrArray *
qviz_store_list_sweeps (QvizStore *store, const char *model, const char *machine,
                        GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (store->pg != NULL)
    return qviz_pg_store_list_sweeps (store->pg, model, machine, FALSE, error);

  locker = g_mutex_locker_new (&store->lock);
  return list_sweeps_locked (store, model, machine, FALSE, error);
}

QvizSweep *
qviz_store_latest_sweep (QvizStore *store, const char *model, const char *machine,
                         GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (store != NULL && model != NULL, NULL);

  if (store->pg != NULL)
    rows = qviz_pg_store_list_sweeps (store->pg, model, machine, TRUE, error);
  else
    {
      locker = g_mutex_locker_new (&store->lock);
      rows = list_sweeps_locked (store, model, machine, TRUE, error);
    }
  if (rows == NULL || rows->len == 0)
    return NULL;
  return g_ptr_array_steal_index (rows, 0);
}

static QvizSweep *
get_sweep_locked (QvizStore *store, const char *sweep_id, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *uuid = resolve_id (store, "sweeps", "sweep", sweep_id, error);
  int rc;

  if (uuid == NULL)
    return NULL;
  stmt = prepare (store, SWEEP_SELECT "WHERE s.uuid = ?", "read a sweep", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, uuid);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (store, rc, "read a sweep", error);
      return NULL;
    }
  return sweep_from_row (stmt);
}

QvizSweep *
qviz_store_get_sweep (QvizStore *store, const char *sweep_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (store != NULL && sweep_id != NULL, NULL);

  if (store->pg != NULL)
    return qviz_pg_store_get_sweep (store->pg, sweep_id, error);

  locker = g_mutex_locker_new (&store->lock);
  return get_sweep_locked (store, sweep_id, error);
}

/* One line of at most max characters, or a sentence saying what is wrong. */
gboolean
qviz_store_check_label (const char *what, const char *text, glong max, GError **error)
{
  if (text == NULL)
    return TRUE;
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "The sweep's %s is not valid UTF-8.", what);
      return FALSE;
    }
  if (strpbrk (text, "\n\r") != NULL)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "The sweep's %s must be one line.", what);
      return FALSE;
    }
  if (g_utf8_strlen (text, -1) > max)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "The sweep's %s has %ld characters; at most %ld are kept.", what,
                   g_utf8_strlen (text, -1), max);
      return FALSE;
    }
  return TRUE;
}

gboolean
qviz_store_set_sweep_label (QvizStore *store, const char *sweep_id, const char *name,
                            const char *note, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *uuid = NULL;
  int rc;

  g_return_val_if_fail (store != NULL && sweep_id != NULL, FALSE);

  if (!qviz_store_check_label ("name", name, QVIZ_SWEEP_NAME_MAX, error) ||
      !qviz_store_check_label ("note", note, QVIZ_SWEEP_NOTE_MAX, error))
    return FALSE;
  if (store->pg != NULL)
    return qviz_pg_store_set_sweep_label (store->pg, sweep_id, name, note, error);

  locker = g_mutex_locker_new (&store->lock);
  if (!check_writable (store, error))
    return FALSE;
  uuid = resolve_id (store, "sweeps", "sweep", sweep_id, error);
  if (uuid == NULL)
    return FALSE;
  stmt = prepare (store, "UPDATE sweeps SET name = coalesce (?1, name), note = coalesce (?2, note) "
                  "WHERE uuid = ?3", "label the sweep", error);
  if (stmt == NULL)
    return FALSE;
  if (name != NULL)
    bind_text (stmt, 1, name);
  if (note != NULL)
    bind_text (stmt, 2, note);
  bind_text (stmt, 3, uuid);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, "label the sweep", error);
  return TRUE;
}

gboolean
qviz_store_delete_sweep (QvizStore *store, const char *sweep_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *uuid = NULL;
  int rc;

  g_return_val_if_fail (store != NULL && sweep_id != NULL, FALSE);

  if (store->pg != NULL)
    return qviz_pg_store_delete_sweep (store->pg, sweep_id, error);

  locker = g_mutex_locker_new (&store->lock);
  if (!check_writable (store, error))
    return FALSE;
  uuid = resolve_id (store, "sweeps", "sweep", sweep_id, error);
  if (uuid == NULL)
    return FALSE;
  stmt = prepare (store, "DELETE FROM sweeps WHERE uuid = ?", "delete the sweep", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, uuid);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, "delete the sweep", error);
  return TRUE;
}

/* ---- runs ----------------------------------------------------------- */

static gboolean
step_done (QvizStore *store, sqlite3_stmt *stmt, const char *doing, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, doing, error);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return TRUE;
}

static gboolean
insert_run_row (QvizStore *store, const QvizRun *run, const char *doing, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int i = 1, rc;

  stmt = prepare (store,
                  "INSERT INTO runs (uuid, sweep_uuid, machine_id, model_sha256, precision, "
                  "height, width, threads, conv_algo, isa, iterations, warmup, plan_ms, "
                  "first_pass_ms, arena_bytes, weight_bytes, n_samples, median_ms, p10_ms, "
                  "p90_ms, min_ms, max_ms, mean_ms, stddev_ms, mad_ms, sqnr_db, status, "
                  "message, started_us, finished_us) "
                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  doing, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, i++, run->uuid);
  bind_text (stmt, i++, run->sweep_uuid);
  bind_text (stmt, i++, run->machine_id);
  bind_text (stmt, i++, run->model_sha256);
  bind_text (stmt, i++, run->precision);
  sqlite3_bind_int (stmt, i++, run->height);
  sqlite3_bind_int (stmt, i++, run->width);
  sqlite3_bind_int (stmt, i++, run->threads);
  bind_text (stmt, i++, run->conv_algo);
  bind_text (stmt, i++, run->isa);
  sqlite3_bind_int (stmt, i++, run->iterations);
  sqlite3_bind_int (stmt, i++, run->warmup);
  bind_real (stmt, i++, run->plan_ms);
  bind_real (stmt, i++, run->cold_ms->len > 0 ? g_array_index (run->cold_ms, double, 0) : NAN);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) run->arena_bytes);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) run->weight_bytes);
  bind_stats (stmt, &i, &run->stats);
  bind_real (stmt, i++, run->sqnr_db);
  bind_text (stmt, i++, qviz_run_status_name (run->status));
  bind_text (stmt, i++, run->message);
  sqlite3_bind_int64 (stmt, i++, run->started);
  sqlite3_bind_int64 (stmt, i++, run->finished);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                   "Could not store run %s in “%s”: its sweep, machine or model is not stored.",
                   run->uuid, store->path);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, doing, error);
  return TRUE;
}

/* Apart from insert_run_row: the engine column came with schema 5, and a
 * run without an engine name is qviz's own. */
static gboolean
insert_run_engine (QvizStore *store, const QvizRun *run, const char *doing, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (store, "UPDATE runs SET engine = ? WHERE uuid = ?", doing, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, run->engine != NULL && run->engine[0] != '\0' ? run->engine
                                                                   : QVIZ_ENGINE_QVIZ);
  bind_text (stmt, 2, run->uuid);
  return step_done (store, stmt, doing, error);
}

static gboolean
insert_samples (QvizStore *store, const QvizRun *run, const char *doing, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint pass = 0;

  stmt = prepare (store, "INSERT INTO samples (run_uuid, pass, cold, ms) VALUES (?,?,?,?)",
                  doing, error);
  if (stmt == NULL)
    return FALSE;
  for (int cold = 1; cold >= 0; cold--)
    {
      GArray *times = cold ? run->cold_ms : run->warm_ms;

      for (guint k = 0; k < times->len; k++, pass++)
        {
          bind_text (stmt, 1, run->uuid);
          sqlite3_bind_int (stmt, 2, (int) pass);
          sqlite3_bind_int (stmt, 3, cold);
          sqlite3_bind_double (stmt, 4, g_array_index (times, double, k));
          if (!step_done (store, stmt, doing, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
insert_layers (QvizStore *store, const QvizRun *run, const char *doing, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (store,
                  "INSERT INTO layers (run_uuid, idx, name, op, kernel, reason, fused, "
                  "in_shape, out_shape, kernel_h, kernel_w, stride_h, stride_w, dilation_h, "
                  "dilation_w, groups, depthwise, dilated, layer_class, macs, params, bytes, "
                  "n_samples, median_ms, p10_ms, p90_ms, min_ms, max_ms, mean_ms, stddev_ms, "
                  "mad_ms, gops, sqnr_db, samples, accum_sqnr_db, plan_ms) "
                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  doing, error);
  if (stmt == NULL)
    return FALSE;
  for (guint k = 0; k < run->layers->len; k++)
    {
      const QvizRunLayer *l = qviz_run_get_layer (run, k);
      int i = 1;

      bind_text (stmt, i++, run->uuid);
      sqlite3_bind_int (stmt, i++, l->index);
      bind_text (stmt, i++, l->name);
      bind_text (stmt, i++, l->op);
      bind_text (stmt, i++, l->kernel);
      bind_text (stmt, i++, l->reason);
      bind_text (stmt, i++, l->fused);
      bind_text (stmt, i++, l->in_shape);
      bind_text (stmt, i++, l->out_shape);
      sqlite3_bind_int (stmt, i++, l->kernel_h);
      sqlite3_bind_int (stmt, i++, l->kernel_w);
      sqlite3_bind_int (stmt, i++, l->stride_h);
      sqlite3_bind_int (stmt, i++, l->stride_w);
      sqlite3_bind_int (stmt, i++, l->dilation_h);
      sqlite3_bind_int (stmt, i++, l->dilation_w);
      sqlite3_bind_int (stmt, i++, l->groups);
      sqlite3_bind_int (stmt, i++, l->depthwise ? 1 : 0);
      sqlite3_bind_int (stmt, i++, l->dilated ? 1 : 0);
      bind_text (stmt, i++, l->layer_class);
      sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) l->macs);
      sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) l->params);
      sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) l->bytes);
      bind_stats (stmt, &i, &l->stats);
      bind_real (stmt, i++, l->gops);
      bind_real (stmt, i++, l->sqnr_db);
      if (l->pass_ms != NULL && l->pass_ms->len > 0)
        {
          /* float32 little-endian, so a file moves between machines */
          gsize n = l->pass_ms->len;
          guint32 *le = g_new (guint32, n);

          for (gsize p = 0; p < n; p++)
            {
              guint32 bits;

              memcpy (&bits, &g_array_index (l->pass_ms, float, p), sizeof bits);
              le[p] = GUINT32_TO_LE (bits);
            }
          sqlite3_bind_blob64 (stmt, i++, le, n * sizeof (guint32), g_free);
        }
      else
        sqlite3_bind_null (stmt, i++);
      bind_real (stmt, i++, l->accum_sqnr_db);
      bind_real (stmt, i++, l->plan_ms);
      if (!step_done (store, stmt, doing, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
insert_spans (QvizStore *store, const QvizRun *run, const char *doing, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (store,
                  "INSERT INTO spans (run_uuid, pass, cold, layer, phase, start_ns, end_ns) "
                  "VALUES (?,?,?,?,?,?,?)",
                  doing, error);
  if (stmt == NULL)
    return FALSE;
  for (guint k = 0; k < run->spans->len; k++)
    {
      const QvizRunSpan *s = qviz_run_get_span (run, k);

      bind_text (stmt, 1, run->uuid);
      sqlite3_bind_int (stmt, 2, s->pass);
      sqlite3_bind_int (stmt, 3, s->cold ? 1 : 0);
      sqlite3_bind_int (stmt, 4, s->layer);
      if (s->phase != NULL)
        bind_text (stmt, 5, s->phase);
      else
        sqlite3_bind_null (stmt, 5);
      sqlite3_bind_int64 (stmt, 6, s->start_ns);
      sqlite3_bind_int64 (stmt, 7, s->end_ns);
      if (!step_done (store, stmt, doing, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
qviz_store_put_run (QvizStore *store, const QvizRun *run, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *doing = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (run != NULL && run->uuid != NULL, FALSE);
  g_return_val_if_fail (run->sweep_uuid != NULL, FALSE);
  g_return_val_if_fail (run->machine_id != NULL && run->model_sha256 != NULL, FALSE);

  if (store->pg != NULL)
    return qviz_pg_store_put_run (store->pg, run, error);

  locker = g_mutex_locker_new (&store->lock);
  if (!check_writable (store, error))
    return FALSE;
  doing = g_strdup_printf ("store run %s", run->uuid);
  if (!begin_write (store, doing, error))
    return FALSE;
  if (!insert_run_row (store, run, doing, error)
      || !insert_run_engine (store, run, doing, error)
      || !insert_samples (store, run, doing, error)
      || !insert_layers (store, run, doing, error)
      || !insert_spans (store, run, doing, error))
    {
      rollback (store);
      return FALSE;
    }
  return commit (store, doing, error);
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
run_from_row (sqlite3_stmt *stmt)
{
  QvizRun *run = qviz_run_new ();
  g_autofree char *status = NULL;
  int i = 0;

  g_free (run->uuid);
  g_free (run->message);
  run->uuid = col_text (stmt, i++);
  run->sweep_uuid = col_text (stmt, i++);
  run->machine_id = col_text (stmt, i++);
  run->model_sha256 = col_text (stmt, i++);
  run->precision = col_text (stmt, i++);
  run->height = sqlite3_column_int (stmt, i++);
  run->width = sqlite3_column_int (stmt, i++);
  run->threads = sqlite3_column_int (stmt, i++);
  run->conv_algo = col_text (stmt, i++);
  run->isa = col_text (stmt, i++);
  run->iterations = sqlite3_column_int (stmt, i++);
  run->warmup = sqlite3_column_int (stmt, i++);
  run->plan_ms = col_real (stmt, i++);
  run->arena_bytes = (guint64) sqlite3_column_int64 (stmt, i++);
  run->weight_bytes = (guint64) sqlite3_column_int64 (stmt, i++);
  col_stats (stmt, &i, &run->stats);
  run->sqnr_db = col_real (stmt, i++);
  status = col_text (stmt, i++);
  if (!qviz_run_status_parse (status, &run->status))
    run->status = QVIZ_RUN_FAILED;
  run->message = col_text (stmt, i++);
  run->started = sqlite3_column_int64 (stmt, i++);
  run->finished = sqlite3_column_int64 (stmt, i++);
  run->model_name = col_text_or_null (stmt, i++);
  run->hostname = col_text_or_null (stmt, i++);
  run->cpu_model = col_text_or_null (stmt, i++);
  g_free (run->engine);
  run->engine = col_text (stmt, i++);
  return run;
}

static gboolean
load_samples (QvizStore *store, QvizRun *run, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (store, "SELECT cold, ms FROM samples WHERE run_uuid = ? ORDER BY pass",
                  "read samples", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, run->uuid);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      double ms = sqlite3_column_double (stmt, 1);

      g_array_append_val (sqlite3_column_int (stmt, 0) ? run->cold_ms : run->warm_ms, ms);
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, "read samples", error);
  return TRUE;
}

static gboolean
load_layers (QvizStore *store, QvizRun *run, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (store,
                  "SELECT idx, name, op, kernel, reason, fused, in_shape, out_shape, "
                  "kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, groups, "
                  "depthwise, dilated, layer_class, macs, params, bytes, n_samples, "
                  "median_ms, p10_ms, p90_ms, min_ms, max_ms, mean_ms, stddev_ms, mad_ms, "
                  "gops, sqnr_db, samples, accum_sqnr_db, plan_ms FROM layers WHERE run_uuid = ? "
                  "ORDER BY idx",
                  "read layers", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, run->uuid);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      QvizRunLayer *l = qviz_run_add_layer (run);
      const guint8 *blob;
      gsize n_bytes;
      int i = 0;

      l->index = sqlite3_column_int (stmt, i++);
      l->name = col_text (stmt, i++);
      l->op = col_text (stmt, i++);
      l->kernel = col_text (stmt, i++);
      l->reason = col_text (stmt, i++);
      l->fused = col_text (stmt, i++);
      l->in_shape = col_text (stmt, i++);
      l->out_shape = col_text (stmt, i++);
      l->kernel_h = sqlite3_column_int (stmt, i++);
      l->kernel_w = sqlite3_column_int (stmt, i++);
      l->stride_h = sqlite3_column_int (stmt, i++);
      l->stride_w = sqlite3_column_int (stmt, i++);
      l->dilation_h = sqlite3_column_int (stmt, i++);
      l->dilation_w = sqlite3_column_int (stmt, i++);
      l->groups = sqlite3_column_int (stmt, i++);
      l->depthwise = sqlite3_column_int (stmt, i++) != 0;
      l->dilated = sqlite3_column_int (stmt, i++) != 0;
      l->layer_class = col_text (stmt, i++);
      l->macs = (guint64) sqlite3_column_int64 (stmt, i++);
      l->params = (guint64) sqlite3_column_int64 (stmt, i++);
      l->bytes = (guint64) sqlite3_column_int64 (stmt, i++);
      col_stats (stmt, &i, &l->stats);
      l->gops = col_real (stmt, i++);
      l->sqnr_db = col_real (stmt, i++);
      blob = sqlite3_column_blob (stmt, i);
      n_bytes = (gsize) sqlite3_column_bytes (stmt, i);
      for (gsize p = 0; blob != NULL && p + 4 <= n_bytes; p += 4)
        {
          guint32 bits;
          float v;

          memcpy (&bits, blob + p, sizeof bits);
          bits = GUINT32_FROM_LE (bits);
          memcpy (&v, &bits, sizeof v);
          g_array_append_val (l->pass_ms, v);
        }
      l->accum_sqnr_db = col_real (stmt, i + 1);
      l->plan_ms = col_real (stmt, i + 2);
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, "read layers", error);
  return TRUE;
}

static gboolean
load_spans (QvizStore *store, QvizRun *run, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (store,
                  "SELECT pass, cold, layer, phase, start_ns, end_ns FROM spans "
                  "WHERE run_uuid = ? ORDER BY rowid",
                  "read spans", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, run->uuid);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      QvizRunSpan s;

      s.pass = sqlite3_column_int (stmt, 0);
      s.cold = sqlite3_column_int (stmt, 1) != 0;
      s.layer = sqlite3_column_int (stmt, 2);
      s.phase = col_text_or_null (stmt, 3);
      s.start_ns = sqlite3_column_int64 (stmt, 4);
      s.end_ns = sqlite3_column_int64 (stmt, 5);
      g_array_append_val (run->spans, s);
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, "read spans", error);
  return TRUE;
}

/* Reads runs matching stmt; all of it in one read transaction, so a run
 * and its children come from the same snapshot. */
static GPtrArray *
load_runs (QvizStore *store, sqlite3_stmt *stmt, gboolean with_details, GError **error)
{
  g_autoptr(GPtrArray) runs = NULL;
  gboolean ok = TRUE;

  if (!exec_sql (store, "BEGIN", "read runs", error))
    return NULL;
  runs = collect_rows (store, stmt, (RowFunc) run_from_row,
                       (GDestroyNotify) qviz_run_free, "read runs", error);
  for (guint i = 0; ok && runs != NULL && i < runs->len; i++)
    {
      QvizRun *run = g_ptr_array_index (runs, i);

      ok = load_samples (store, run, error)
           && (!with_details || (load_layers (store, run, error)
                                 && load_spans (store, run, error)));
    }
  rollback (store);
  if (runs == NULL || !ok)
    return NULL;
  return g_steal_pointer (&runs);
}

GPtrArray *
qviz_store_list_runs (QvizStore *store, const char *sweep_id, gboolean with_details,
                      GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *uuid = NULL;

  g_return_val_if_fail (store != NULL && sweep_id != NULL, NULL);

  if (store->pg != NULL)
    return qviz_pg_store_list_runs (store->pg, sweep_id, with_details, error);

  locker = g_mutex_locker_new (&store->lock);
  uuid = resolve_id (store, "sweeps", "sweep", sweep_id, error);
  if (uuid == NULL)
    return NULL;
  stmt = prepare (store,
                  RUN_SELECT "WHERE r.sweep_uuid = ? "
                  "ORDER BY r.precision, r.height * r.width, r.height, r.threads, "
                  "r.started_us, r.uuid",
                  "read runs", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, uuid);
  return load_runs (store, stmt, with_details, error);
}

QvizRun *
qviz_store_get_run (QvizStore *store, const char *run_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autofree char *uuid = NULL;

  g_return_val_if_fail (store != NULL && run_id != NULL, NULL);

  if (store->pg != NULL)
    return qviz_pg_store_get_run (store->pg, run_id, error);

  locker = g_mutex_locker_new (&store->lock);
  uuid = resolve_id (store, "runs", "run", run_id, error);
  if (uuid == NULL)
    return NULL;
  stmt = prepare (store, RUN_SELECT "WHERE r.uuid = ?", "read a run", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, uuid);
  runs = load_runs (store, stmt, TRUE, error);
  if (runs == NULL)
    return NULL;
  if (runs->len == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "No run in “%s” has the id %s.", store->path, run_id);
      return NULL;
    }
  return g_ptr_array_steal_index (runs, 0);
}

/* ---- import and export ---------------------------------------------- */

/* The columns of table that both main and src have, quoted, in main's
 * order: a source of an older schema leaves the newer columns to their
 * defaults. */
static char *
shared_columns (QvizStore *store, const char *table, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GString) cols = g_string_new (NULL);
  int rc;

  stmt = prepare (store,
                  "SELECT a.name FROM pragma_table_info (?1, 'main') AS a "
                  "JOIN pragma_table_info (?1, 'src') AS b ON a.name = b.name "
                  "ORDER BY a.cid",
                  "compare the schemas", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, table);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_string_append_printf (cols, "%s\"%s\"", cols->len > 0 ? ", " : "",
                            (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (store, rc, "compare the schemas", error);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&cols), FALSE);
}

/* INSERT [OR IGNORE] INTO main.table SELECT ... FROM src.table WHERE where;
 * *added receives the number of rows inserted. */
static gboolean
copy_rows (QvizStore *store, const char *table, gboolean or_ignore, const char *where,
           const char *order, guint *added, GError **error)
{
  g_autofree char *cols = shared_columns (store, table, error);
  g_autofree char *sql = NULL;

  if (cols == NULL)
    return FALSE;
  sql = g_strdup_printf ("INSERT %s INTO main.%s (%s) SELECT %s FROM src.%s WHERE %s %s",
                         or_ignore ? "OR IGNORE" : "", table, cols, cols, table, where,
                         order != NULL ? order : "");
  if (!exec_sql (store, sql, "import", error))
    return FALSE;
  if (added != NULL)
    *added = (guint) sqlite3_changes (store->db);
  return TRUE;
}

/* ---- import validation ----------------------------------------------- */

/* An imported file is anything someone sent: every row that would be
 * copied is checked first against what qviz itself writes, and the first
 * row that is not is named in the refusal.  (A file's own CHECK and NOT
 * NULL constraints are no help: it may have been written without them.) */

#define UUID_GLOB \
  "'[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-" \
  "[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-" \
  "[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-" \
  "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'"
#define IS_UUID(col) "(typeof (" col ") = 'text' AND " col " GLOB " UUID_GLOB ")"
#define IS_SHA256(col) \
  "(typeof (" col ") = 'text' AND length (" col ") = 64 AND " col " NOT GLOB '*[^0-9a-f]*')"
#define IS_TEXT(col, max) "(typeof (" col ") = 'text' AND length (" col ") <= " #max ")"
#define IS_INT(col, lo, hi) \
  "(typeof (" col ") = 'integer' AND " col " BETWEEN " #lo " AND " #hi ")"
/* Milliseconds: finite, not negative, under a year (SQLite keeps no NaN). */
#define IS_MS(col) "(typeof (" col ") IN ('real', 'integer') AND " col " BETWEEN 0 AND 3.2e10)"
#define IS_MS_OR_NULL(col) "(" col " IS NULL OR " IS_MS (col) ")"
#define QUOTED(col) "quote (substr (" col ", 1, 40))"

typedef struct {
  const char *table;
  const char *needs;     /* a column only later schemas have, or NULL */
  const char *rows;      /* which of its rows are copied */
  const char *valid;     /* what every such row must satisfy */
  const char *what;      /* SQL naming the row and what is wrong */
} ImportCheck;

#define PICKED_SWEEPS "uuid IN (SELECT uuid FROM temp.qviz_pick)"
#define NEW_RUNS "uuid IN (SELECT uuid FROM temp.qviz_new_runs)"
#define NEW_RUN_ROWS "run_uuid IN (SELECT uuid FROM temp.qviz_new_runs)"
#define PICKED_MACHINES \
  "id IN (SELECT machine_id FROM src.sweeps WHERE " PICKED_SWEEPS \
  " UNION SELECT machine_id FROM src.runs WHERE " NEW_RUNS ")"
#define PICKED_MODELS \
  "sha256 IN (SELECT model_sha256 FROM src.sweeps WHERE " PICKED_SWEEPS \
  " UNION SELECT model_sha256 FROM src.runs WHERE " NEW_RUNS ")"

static const ImportCheck import_checks[] = {
  /* sweeps */
  { "sweeps", NULL, PICKED_SWEEPS, IS_UUID ("uuid"),
    "'sweep ' || " QUOTED ("uuid") " || ' has an id that is not a lower-case UUID'" },
  { "sweeps", NULL, PICKED_SWEEPS,
    IS_UUID ("machine_id") " AND " IS_SHA256 ("model_sha256"),
    "'sweep ' || " QUOTED ("uuid") " || ' names its machine or model by a malformed id'" },
  { "sweeps", NULL, PICKED_SWEEPS,
    "machine_id IN (SELECT id FROM src.machines UNION SELECT id FROM main.machines) AND "
    "model_sha256 IN (SELECT sha256 FROM src.models UNION SELECT sha256 FROM main.models)",
    "'sweep ' || " QUOTED ("uuid") " || ' names a machine or model the file does not hold'" },
  { "sweeps", NULL, PICKED_SWEEPS,
    "status IN ('running', 'complete', 'cancelled', 'failed', 'interrupted')",
    "'sweep ' || " QUOTED ("uuid") " || ' has the unknown status ' || " QUOTED ("status") },
  { "sweeps", NULL, PICKED_SWEEPS,
    IS_INT ("created_us", 0, 9007199254740992) " AND "
    IS_INT ("finished_us", 0, 9007199254740992) " AND "
    IS_TEXT ("resolutions", 4096) " AND " IS_TEXT ("threads", 4096) " AND "
    IS_TEXT ("precisions", 256) " AND " IS_TEXT ("options", 4096) " AND "
    IS_TEXT ("message", 4096),
    "'sweep ' || " QUOTED ("uuid") " || ' has a time, setting or message out of range'" },
  { "sweeps", "name", PICKED_SWEEPS,
    IS_TEXT ("name", 800) " AND " IS_TEXT ("note", 8000),
    "'sweep ' || " QUOTED ("uuid") " || ' has a name or note that is not text or too long'" },
  { "sweeps", NULL, PICKED_SWEEPS,
    "NOT EXISTS (SELECT 1 FROM main.sweeps AS d WHERE d.uuid = src.sweeps.uuid AND "
    "(d.machine_id, d.model_sha256, d.created_us, d.resolutions, d.threads, d.precisions, "
    "d.options) IS NOT (src.sweeps.machine_id, src.sweeps.model_sha256, "
    "src.sweeps.created_us, src.sweeps.resolutions, src.sweeps.threads, "
    "src.sweeps.precisions, src.sweeps.options))",
    "'sweep ' || " QUOTED ("uuid") " || ' has the id of a different sweep already stored'" },
  /* machines and models */
  { "machines", NULL, PICKED_MACHINES,
    IS_UUID ("id") " AND " IS_TEXT ("hostname", 1024) " AND " IS_TEXT ("cpu_model", 1024)
    " AND " IS_INT ("physical_cores", 0, 1048576) " AND " IS_INT ("logical_cores", 0, 1048576)
    " AND " IS_TEXT ("isa_flags", 4096) " AND " IS_INT ("l1d_bytes", 0, 9007199254740992)
    " AND " IS_INT ("l2_bytes", 0, 9007199254740992)
    " AND " IS_INT ("l3_bytes", 0, 9007199254740992)
    " AND " IS_INT ("memory_bytes", 0, 9007199254740992) " AND " IS_TEXT ("os", 1024)
    " AND " IS_TEXT ("kernel", 1024) " AND " IS_TEXT ("qviz_version", 256)
    " AND " IS_TEXT ("qviz_commit", 256),
    "'machine ' || " QUOTED ("id") " || ' has a malformed id or a field out of range'" },
  { "machines", NULL, PICKED_MACHINES,
    "NOT EXISTS (SELECT 1 FROM main.machines AS d WHERE d.id = src.machines.id AND "
    "(d.hostname, d.cpu_model, d.isa_flags, d.memory_bytes) IS NOT "
    "(src.machines.hostname, src.machines.cpu_model, src.machines.isa_flags, "
    "src.machines.memory_bytes))",
    "'machine ' || " QUOTED ("id") " || ' has the id of a different machine already stored'" },
  { "models", NULL, PICKED_MODELS,
    IS_SHA256 ("sha256") " AND " IS_TEXT ("name", 1024) " AND " IS_TEXT ("source", 4096)
    " AND " IS_INT ("n_nodes", 0, 100000000) " AND " IS_INT ("params", 0, 9007199254740992)
    " AND " IS_INT ("macs", 0, 9007199254740992) " AND " IS_INT ("default_res", 0, 1048576)
    " AND " IS_INT ("weight_bytes_f32", 0, 9007199254740992)
    " AND " IS_INT ("weight_bytes_int8", 0, 9007199254740992),
    "'model ' || " QUOTED ("sha256") " || ' has a malformed hash or a field out of range'" },
  { "models", NULL, PICKED_MODELS,
    "NOT EXISTS (SELECT 1 FROM main.models AS d WHERE d.sha256 = src.models.sha256 AND "
    "(d.n_nodes, d.params, d.macs) IS NOT "
    "(src.models.n_nodes, src.models.params, src.models.macs))",
    "'model ' || " QUOTED ("sha256") " || ' has the hash of a different model already stored'" },
  /* runs */
  { "runs", NULL, "sweep_uuid IN (SELECT uuid FROM temp.qviz_pick)", IS_UUID ("uuid"),
    "'run ' || " QUOTED ("uuid") " || ' has an id that is not a lower-case UUID'" },
  { "runs", NULL, "sweep_uuid IN (SELECT uuid FROM temp.qviz_pick)",
    "NOT EXISTS (SELECT 1 FROM main.runs AS d WHERE d.uuid = src.runs.uuid AND "
    "(d.sweep_uuid, d.machine_id, d.model_sha256, d.precision, d.height, d.width, d.threads, "
    "d.started_us) IS NOT (src.runs.sweep_uuid, src.runs.machine_id, src.runs.model_sha256, "
    "src.runs.precision, src.runs.height, src.runs.width, src.runs.threads, "
    "src.runs.started_us))",
    "'run ' || " QUOTED ("uuid") " || ' has the id of a different run already stored'" },
  { "runs", NULL, NEW_RUNS,
    "machine_id IN (SELECT id FROM src.machines UNION SELECT id FROM main.machines) AND "
    "model_sha256 IN (SELECT sha256 FROM src.models UNION SELECT sha256 FROM main.models)",
    "'run ' || " QUOTED ("uuid") " || ' names a machine or model the file does not hold'" },
  { "runs", NULL, NEW_RUNS,
    "precision IN ('f32', 'int8') AND status IN ('complete', 'cancelled', 'failed')",
    "'run ' || " QUOTED ("uuid") " || ' has the unknown precision or status ' || "
    QUOTED ("precision") " || ' / ' || " QUOTED ("status") },
  { "runs", NULL, NEW_RUNS,
    IS_INT ("height", 1, 1048576) " AND " IS_INT ("width", 1, 1048576) " AND "
    IS_INT ("threads", 1, 65536) " AND " IS_INT ("iterations", 0, 1000000000) " AND "
    IS_INT ("warmup", 0, 1000000000) " AND " IS_INT ("n_samples", 0, 1000000000) " AND "
    IS_INT ("arena_bytes", 0, 9007199254740992) " AND "
    IS_INT ("weight_bytes", 0, 9007199254740992) " AND "
    IS_INT ("started_us", 0, 9007199254740992) " AND "
    IS_INT ("finished_us", 0, 9007199254740992) " AND "
    IS_TEXT ("conv_algo", 64) " AND " IS_TEXT ("message", 4096),
    "'run ' || " QUOTED ("uuid") " || ' has a size, count or setting out of range'" },
  { "runs", NULL, NEW_RUNS,
    IS_MS_OR_NULL ("plan_ms") " AND " IS_MS_OR_NULL ("first_pass_ms") " AND "
    IS_MS_OR_NULL ("median_ms") " AND " IS_MS_OR_NULL ("p10_ms") " AND "
    IS_MS_OR_NULL ("p90_ms") " AND " IS_MS_OR_NULL ("min_ms") " AND "
    IS_MS_OR_NULL ("max_ms") " AND " IS_MS_OR_NULL ("mean_ms") " AND "
    IS_MS_OR_NULL ("stddev_ms") " AND " IS_MS_OR_NULL ("mad_ms") " AND "
    "(sqnr_db IS NULL OR (typeof (sqnr_db) IN ('real', 'integer') AND "
    "sqnr_db BETWEEN -1000 AND 1000))",
    "'run ' || " QUOTED ("uuid") " || ' has a time that is negative, infinite or not a number'" },
  { "runs", "isa", NEW_RUNS, IS_TEXT ("isa", 64),
    "'run ' || " QUOTED ("uuid") " || ' has an ISA name out of range'" },
  { "runs", "engine", NEW_RUNS, IS_TEXT ("engine", 256),
    "'run ' || " QUOTED ("uuid") " || ' has an engine name out of range'" },
  /* a run's rows */
  { "samples", NULL, NEW_RUN_ROWS,
    IS_INT ("pass", 0, 1000000000) " AND " IS_INT ("cold", 0, 1) " AND " IS_MS ("ms"),
    "'a pass of run ' || " QUOTED ("run_uuid") " || ' has a time that is negative, "
    "infinite or not a number'" },
  { "layers", NULL, NEW_RUN_ROWS,
    IS_INT ("idx", 0, 1000000) " AND " IS_TEXT ("name", 4096) " AND " IS_TEXT ("op", 256)
    " AND " IS_TEXT ("kernel", 1024) " AND " IS_TEXT ("reason", 4096)
    " AND " IS_TEXT ("fused", 256) " AND " IS_TEXT ("in_shape", 1024)
    " AND " IS_TEXT ("out_shape", 1024) " AND " IS_TEXT ("layer_class", 256)
    " AND " IS_INT ("kernel_h", 0, 65536) " AND " IS_INT ("kernel_w", 0, 65536)
    " AND " IS_INT ("stride_h", 0, 65536) " AND " IS_INT ("stride_w", 0, 65536)
    " AND " IS_INT ("dilation_h", 0, 65536) " AND " IS_INT ("dilation_w", 0, 65536)
    " AND " IS_INT ("groups", 0, 16777216) " AND " IS_INT ("depthwise", 0, 1)
    " AND " IS_INT ("dilated", 0, 1) " AND " IS_INT ("macs", 0, 9007199254740992)
    " AND " IS_INT ("params", 0, 9007199254740992) " AND " IS_INT ("bytes", 0, 9007199254740992)
    " AND " IS_INT ("n_samples", 0, 1000000000),
    "'layer ' || " QUOTED ("name") " || ' of run ' || " QUOTED ("run_uuid")
    " || ' has a name, shape or count out of range'" },
  { "layers", NULL, NEW_RUN_ROWS,
    IS_MS_OR_NULL ("median_ms") " AND " IS_MS_OR_NULL ("p10_ms") " AND "
    IS_MS_OR_NULL ("p90_ms") " AND " IS_MS_OR_NULL ("min_ms") " AND "
    IS_MS_OR_NULL ("max_ms") " AND " IS_MS_OR_NULL ("mean_ms") " AND "
    IS_MS_OR_NULL ("stddev_ms") " AND " IS_MS_OR_NULL ("mad_ms") " AND "
    "(gops IS NULL OR (typeof (gops) IN ('real', 'integer') AND gops BETWEEN 0 AND 1e9)) AND "
    "(sqnr_db IS NULL OR (typeof (sqnr_db) IN ('real', 'integer') AND "
    "sqnr_db BETWEEN -1000 AND 1000))",
    "'layer ' || " QUOTED ("name") " || ' of run ' || " QUOTED ("run_uuid")
    " || ' has a time that is negative, infinite or not a number'" },
  { "layers", "accum_sqnr_db", NEW_RUN_ROWS,
    "accum_sqnr_db IS NULL OR (typeof (accum_sqnr_db) IN ('real', 'integer') AND "
    "accum_sqnr_db BETWEEN -1000 AND 1000)",
    "'layer ' || " QUOTED ("name") " || ' of run ' || " QUOTED ("run_uuid")
    " || ' has an accumulated SQNR out of range'" },
  { "layers", "plan_ms", NEW_RUN_ROWS,
    IS_MS_OR_NULL ("plan_ms"),
    "'layer ' || " QUOTED ("name") " || ' of run ' || " QUOTED ("run_uuid")
    " || ' has a plan time that is negative, infinite or not a number'" },
  { "layers", "samples", NEW_RUN_ROWS,
    "samples IS NULL OR (typeof (samples) = 'blob' AND length (samples) % 4 = 0 AND "
    "length (samples) <= 400000000)",
    "'layer ' || " QUOTED ("name") " || ' of run ' || " QUOTED ("run_uuid")
    " || ' has malformed per-pass times'" },
  { "spans", NULL, NEW_RUN_ROWS,
    IS_INT ("pass", 0, 1000000000) " AND " IS_INT ("cold", 0, 1) " AND "
    IS_INT ("layer", -1, 1000000) " AND (phase IS NULL OR " IS_TEXT ("phase", 256) ") AND "
    IS_INT ("start_ns", 0, 9007199254740992) " AND "
    IS_INT ("end_ns", 0, 9007199254740992) " AND end_ns >= start_ns",
    "'a span of run ' || " QUOTED ("run_uuid") " || ' has a time out of range'" },
};

/* Whether src's table has column (a file of an older schema may not). */
static gboolean
src_has_column (QvizStore *store, const char *table, const char *column, GError **error,
                gboolean *has)
{
  g_autoptr(sqlite3_stmt) stmt =
    prepare (store, "SELECT count(*) FROM pragma_table_info (?1, 'src') WHERE name = ?2",
             "check the file", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, table);
  bind_text (stmt, 2, column);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_sqlite_error (store, sqlite3_errcode (store->db), "check the file", error);
  *has = sqlite3_column_int (stmt, 0) > 0;
  return TRUE;
}

static gboolean
validate_import (QvizStore *store, const char *src_path, GError **error)
{
  const char *tables[] = { "machines", "models", "sweeps", "runs", "samples", "layers",
                           "spans" };

  /* Tables, not views: a view could compute anything, for ever. */
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autoptr(sqlite3_stmt) stmt =
        prepare (store, "SELECT type FROM src.sqlite_master WHERE name = ?",
                 "check the file", error);
      g_autofree char *type = NULL;

      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, tables[i]);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        type = col_text (stmt, 0);
      if (type == NULL || !g_str_equal (type, "table"))
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "Cannot import “%s”: it has no table '%s'; nothing was imported.",
                       src_path, tables[i]);
          return FALSE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (import_checks); i++)
    {
      const ImportCheck *c = &import_checks[i];
      g_autofree char *sql = NULL;
      g_autoptr(sqlite3_stmt) stmt = NULL;
      gboolean has = TRUE;
      int rc;

      if (c->needs != NULL && !src_has_column (store, c->table, c->needs, error, &has))
        return FALSE;
      if (!has)
        continue;
      sql = g_strdup_printf ("SELECT %s FROM src.%s WHERE (%s) AND NOT coalesce ((%s), 0) "
                             "LIMIT 1", c->what, c->table, c->rows, c->valid);
      stmt = prepare (store, sql, "check the file", error);
      if (stmt == NULL)
        return FALSE;
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          g_autofree char *what = col_text (stmt, 0);

          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE,
                       "Cannot import “%s”: %s; nothing was imported.", src_path, what);
          return FALSE;
        }
      if (rc != SQLITE_DONE)
        return set_sqlite_error (store, rc, "check the file", error);
    }
  return TRUE;
}

static gboolean
import_attached (QvizStore *store, const char *src_path, const GPtrArray *sweep_uuids,
                 QvizImportCounts *counts, GError **error)
{
  const char *new_runs = "run_uuid IN (SELECT uuid FROM temp.qviz_new_runs)";

  if (!exec_sql (store,
                 "DROP TABLE IF EXISTS temp.qviz_pick;"
                 "DROP TABLE IF EXISTS temp.qviz_new_runs;"
                 "CREATE TEMP TABLE qviz_pick (uuid TEXT PRIMARY KEY);",
                 "import", error))
    return FALSE;

  if (sweep_uuids != NULL)
    {
      g_autoptr(sqlite3_stmt) stmt =
        prepare (store, "INSERT OR IGNORE INTO temp.qviz_pick VALUES (?)", "import", error);

      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < sweep_uuids->len; i++)
        {
          bind_text (stmt, 1, g_ptr_array_index (sweep_uuids, i));
          if (!step_done (store, stmt, "import", error))
            return FALSE;
        }
    }
  else if (!exec_sql (store, "INSERT INTO temp.qviz_pick SELECT uuid FROM src.sweeps",
                      "import", error))
    return FALSE;

  /* Runs are decided before anything is inserted: a run is new when its
   * uuid is not here, and then all its rows come with it. */
  if (!exec_sql (store,
                 "CREATE TEMP TABLE qviz_new_runs AS SELECT uuid FROM src.runs "
                 "WHERE sweep_uuid IN (SELECT uuid FROM temp.qviz_pick) "
                 "AND uuid NOT IN (SELECT uuid FROM main.runs)",
                 "import", error))
    return FALSE;
  if (!validate_import (store, src_path, error))
    return FALSE;

  if (!copy_rows (store, "machines", TRUE,
                  "id IN (SELECT machine_id FROM src.sweeps WHERE uuid IN "
                  "(SELECT uuid FROM temp.qviz_pick) UNION SELECT machine_id FROM src.runs "
                  "WHERE uuid IN (SELECT uuid FROM temp.qviz_new_runs))",
                  NULL, &counts->machines, error)
      || !copy_rows (store, "models", TRUE,
                     "sha256 IN (SELECT model_sha256 FROM src.sweeps WHERE uuid IN "
                     "(SELECT uuid FROM temp.qviz_pick) UNION SELECT model_sha256 "
                     "FROM src.runs WHERE uuid IN (SELECT uuid FROM temp.qviz_new_runs))",
                     NULL, &counts->models, error)
      || !copy_rows (store, "sweeps", TRUE, "uuid IN (SELECT uuid FROM temp.qviz_pick)",
                     NULL, &counts->sweeps, error))
    return FALSE;

  /* A sweep that was still running when it was first imported has ended
   * there since. */
  if (!exec_sql (store,
                 "UPDATE main.sweeps AS d SET status = s.status, message = s.message, "
                 "finished_us = s.finished_us FROM src.sweeps AS s "
                 "WHERE d.uuid = s.uuid AND d.status = 'running' AND s.status <> 'running' "
                 "AND s.uuid IN (SELECT uuid FROM temp.qviz_pick)",
                 "import", error))
    return FALSE;

  if (!copy_rows (store, "runs", FALSE, "uuid IN (SELECT uuid FROM temp.qviz_new_runs)",
                  NULL, &counts->runs, error)
      || !copy_rows (store, "samples", FALSE, new_runs, NULL, NULL, error)
      || !copy_rows (store, "layers", FALSE, new_runs, NULL, NULL, error)
      || !copy_rows (store, "spans", FALSE, new_runs, "ORDER BY rowid", NULL, error))
    return FALSE;

  return exec_sql (store,
                   "DROP TABLE temp.qviz_pick; DROP TABLE temp.qviz_new_runs;",
                   "import", error);
}

/* Copies from the database at src_path (all sweeps, or only sweep_uuids). */
static gboolean
import_from (QvizStore *store, const char *src_path, const GPtrArray *sweep_uuids,
             QvizImportCounts *counts, GError **error)
{
  g_autoptr(QvizStore) src = NULL;
  g_autoptr(sqlite3_stmt) attach = NULL;
  g_autofree char *src_uri = NULL;
  QvizImportCounts local = { 0 };
  gboolean ok;
  int rc;

  /* The same checks as any open: a damaged or newer file is refused
   * before it is attached. */
  src = qviz_store_open (src_path, QVIZ_STORE_READ_ONLY, error);
  if (src == NULL)
    return FALSE;
  src_uri = g_strconcat (src->uri, strchr (src->uri, '?') != NULL ? "&" : "?", "mode=ro",
                         NULL);
  g_clear_pointer (&src, qviz_store_close);

  attach = prepare (store, "ATTACH DATABASE ? AS src", "import", error);
  if (attach == NULL)
    return FALSE;
  bind_text (attach, 1, src_uri);
  rc = sqlite3_step (attach);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_DATABASE, "Cannot read “%s”: %s.",
                   src_path, sqlite3_errmsg (store->db));
      return FALSE;
    }

  ok = begin_write (store, "import", error);
  if (ok)
    {
      ok = import_attached (store, src_path, sweep_uuids, &local, error);
      if (ok)
        ok = commit (store, "import", error);
      else
        rollback (store);
    }
  sqlite3_exec (store->db, "DETACH DATABASE src", NULL, NULL, NULL);

  if (ok && counts != NULL)
    *counts = local;
  return ok;
}

/* Copies sweeps of another store (a server: no ATTACH) through its
 * public API, in one transaction; the same rules as import_attached (). */
static gboolean
import_sweep_from_store (QvizStore *store, QvizStore *src, const char *uuid,
                         QvizImportCounts *counts, GError **error)
{
  g_autoptr(QvizSweep) sweep = qviz_store_get_sweep (src, uuid, error);
  g_autoptr(QvizMachine) m = NULL;
  g_autoptr(QvizModelInfo) mi = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int i = 1;

  if (sweep == NULL)
    return FALSE;
  m = qviz_store_get_machine (src, sweep->machine_id, error);
  mi = m != NULL ? qviz_store_get_model (src, sweep->model_sha256, error) : NULL;
  runs = mi != NULL ? qviz_store_list_runs (src, sweep->uuid, TRUE, error) : NULL;
  if (runs == NULL)
    return FALSE;

  /* the machines of the runs that ran elsewhere than their sweep's
   * (k < runs->len), then the sweep's (k == runs->len) */
  for (guint k = 0; k <= runs->len; k++)
    {
      const QvizMachine *host = m;
      g_autoptr(QvizMachine) run_machine = NULL;

      if (k < runs->len && !g_str_equal (((QvizRun *) runs->pdata[k])->machine_id, m->id))
        {
          host = run_machine = qviz_store_get_machine (src, ((QvizRun *) runs->pdata[k])->machine_id,
                                                       error);
          if (host == NULL)
            return FALSE;
        }
      else if (k < runs->len)
        continue;
      stmt = prepare (store,
                      "INSERT OR IGNORE INTO machines (id, hostname, cpu_model, physical_cores, "
                      "logical_cores, isa_flags, l1d_bytes, l2_bytes, l3_bytes, memory_bytes, "
                      "os, kernel, qviz_version, qviz_commit) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", "import", error);
      if (stmt == NULL)
        return FALSE;
      i = 1;
      bind_text (stmt, i++, host->id);
      bind_text (stmt, i++, host->hostname);
      bind_text (stmt, i++, host->cpu_model);
      sqlite3_bind_int (stmt, i++, host->physical_cores);
      sqlite3_bind_int (stmt, i++, host->logical_cores);
      bind_text (stmt, i++, host->isa_flags);
      sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) host->l1d_bytes);
      sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) host->l2_bytes);
      sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) host->l3_bytes);
      sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) host->memory_bytes);
      bind_text (stmt, i++, host->os);
      bind_text (stmt, i++, host->kernel);
      bind_text (stmt, i++, host->qviz_version);
      bind_text (stmt, i++, host->qviz_commit);
      if (!step_done (store, stmt, "import", error))
        return FALSE;
      counts->machines += (guint) sqlite3_changes (store->db);
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  stmt = prepare (store,
                  "INSERT OR IGNORE INTO models (sha256, name, source, n_nodes, params, macs, "
                  "default_res, weight_bytes_f32, weight_bytes_int8) "
                  "VALUES (?,?,?,?,?,?,?,?,?)", "import", error);
  if (stmt == NULL)
    return FALSE;
  i = 1;
  bind_text (stmt, i++, mi->sha256);
  bind_text (stmt, i++, mi->name);
  bind_text (stmt, i++, mi->source);
  sqlite3_bind_int (stmt, i++, mi->n_nodes);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) mi->params);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) mi->macs);
  sqlite3_bind_int (stmt, i++, mi->default_res);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) mi->weight_bytes_f32);
  sqlite3_bind_int64 (stmt, i++, (sqlite3_int64) mi->weight_bytes_int8);
  if (!step_done (store, stmt, "import", error))
    return FALSE;
  counts->models += (guint) sqlite3_changes (store->db);
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = prepare (store,
                  "INSERT OR IGNORE INTO sweeps (uuid, machine_id, model_sha256, created_us, "
                  "finished_us, resolutions, threads, precisions, options, status, message, "
                  "name, note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", "import", error);
  if (stmt == NULL)
    return FALSE;
  i = 1;
  bind_text (stmt, i++, sweep->uuid);
  bind_text (stmt, i++, sweep->machine_id);
  bind_text (stmt, i++, sweep->model_sha256);
  sqlite3_bind_int64 (stmt, i++, sweep->created);
  sqlite3_bind_int64 (stmt, i++, sweep->finished);
  bind_text (stmt, i++, sweep->resolutions);
  bind_text (stmt, i++, sweep->threads);
  bind_text (stmt, i++, sweep->precisions);
  bind_text (stmt, i++, sweep->options);
  bind_text (stmt, i++, qviz_sweep_status_name (sweep->status));
  bind_text (stmt, i++, sweep->message);
  bind_text (stmt, i++, sweep->name ? sweep->name : "");
  bind_text (stmt, i++, sweep->note ? sweep->note : "");
  if (!step_done (store, stmt, "import", error))
    return FALSE;
  counts->sweeps += (guint) sqlite3_changes (store->db);
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* a sweep still running when it was first imported has ended since */
  stmt = prepare (store,
                  "UPDATE sweeps SET status = ?, message = ?, finished_us = ? "
                  "WHERE uuid = ? AND status = 'running' AND ?5 <> 'running'", "import", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, qviz_sweep_status_name (sweep->status));
  bind_text (stmt, 2, sweep->message);
  sqlite3_bind_int64 (stmt, 3, sweep->finished);
  bind_text (stmt, 4, sweep->uuid);
  bind_text (stmt, 5, qviz_sweep_status_name (sweep->status));
  if (!step_done (store, stmt, "import", error))
    return FALSE;
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = prepare (store, "SELECT count(*) FROM runs WHERE uuid = ?", "import", error);
  if (stmt == NULL)
    return FALSE;
  for (guint k = 0; k < runs->len; k++)
    {
      const QvizRun *run = runs->pdata[k];
      gboolean has;

      bind_text (stmt, 1, run->uuid);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        return set_sqlite_error (store, sqlite3_errcode (store->db), "import", error);
      has = sqlite3_column_int (stmt, 0) > 0;
      sqlite3_reset (stmt);
      if (has)
        continue;
      if (!insert_run_row (store, run, "import", error)
          || !insert_run_engine (store, run, "import", error)
          || !insert_samples (store, run, "import", error)
          || !insert_layers (store, run, "import", error)
          || !insert_spans (store, run, "import", error))
        return FALSE;
      counts->runs++;
    }
  return TRUE;
}

static gboolean
import_from_store (QvizStore *store, QvizStore *src, const GPtrArray *sweep_uuids,
                   QvizImportCounts *counts, GError **error)
{
  g_autoptr(GPtrArray) all = NULL;
  QvizImportCounts local = { 0 };
  gboolean ok = TRUE;

  if (sweep_uuids == NULL)
    {
      g_autoptr(GPtrArray) sweeps = qviz_store_list_sweeps (src, NULL, NULL, error);

      if (sweeps == NULL)
        return FALSE;
      all = g_ptr_array_new_with_free_func (g_free);
      /* oldest first, as they were made */
      for (guint i = sweeps->len; i > 0; i--)
        g_ptr_array_add (all, g_strdup (((QvizSweep *) sweeps->pdata[i - 1])->uuid));
      sweep_uuids = all;
    }
  if (!begin_write (store, "import", error))
    return FALSE;
  for (guint i = 0; ok && i < sweep_uuids->len; i++)
    ok = import_sweep_from_store (store, src, g_ptr_array_index (sweep_uuids, i), &local,
                                  error);
  if (!ok)
    {
      rollback (store);
      return FALSE;
    }
  if (!commit (store, "import", error))
    return FALSE;
  if (counts != NULL)
    *counts = local;
  return TRUE;
}

static void remove_database_files (const char *path);

/* A file into a server: first into a private SQLite copy, through the
 * same checks as any import (a hostile file is refused there, naming what
 * is wrong), then from the copy to the server in one transaction.  The
 * file itself is only read. */
static gboolean
push_file (QvizStore *store, const char *path, QvizImportCounts *counts, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("qviz-push-XXXXXX", error);
  g_autofree char *staging = NULL;
  g_autoptr(QvizStore) stage = NULL;
  gboolean ok;

  if (dir == NULL)
    return FALSE;
  staging = g_build_filename (dir, "staging.sqlite", NULL);
  stage = qviz_store_open (staging, QVIZ_STORE_READ_WRITE, error);
  ok = stage != NULL && qviz_store_import (stage, path, NULL, error)
       && qviz_pg_store_import (store->pg, stage, path, counts, error);
  g_clear_pointer (&stage, qviz_store_close);
  remove_database_files (staging);
  g_rmdir (dir);
  return ok;
}

gboolean
qviz_store_import (QvizStore *store, const char *other_path, QvizImportCounts *counts,
                   GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (store != NULL && other_path != NULL, FALSE);

  if (store->pg != NULL || qviz_store_location_is_postgres (other_path))
    {
      g_autoptr(QvizStore) src = NULL;

      if (!check_writable (store, error))
        return FALSE;
      if (store->pg != NULL && !qviz_store_location_is_postgres (other_path))
        return push_file (store, other_path, counts, error);
      /* The source is only read: a failed push leaves it as it was. */
      src = qviz_store_open (other_path, QVIZ_STORE_READ_ONLY, error);
      if (src == NULL)
        return FALSE;
      if (store->pg != NULL)
        return qviz_pg_store_import (store->pg, src, other_path, counts, error);
      locker = g_mutex_locker_new (&store->lock);
      return import_from_store (store, src, NULL, counts, error);
    }

  locker = g_mutex_locker_new (&store->lock);
  if (!check_writable (store, error))
    return FALSE;
  return import_from (store, other_path, NULL, counts, error);
}

static void
remove_database_files (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (path, suffixes[i], NULL);

      g_unlink (p);
    }
}

gboolean
qviz_store_export (QvizStore *store, const char *dest_path, const char *const *sweep_ids,
                   QvizImportCounts *counts, GError **error)
{
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(QvizStore) dest = NULL;
  g_autofree char *partial = NULL;
  gboolean ok;

  g_return_val_if_fail (store != NULL && dest_path != NULL && sweep_ids != NULL, FALSE);

  if (g_file_test (dest_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_IO,
                   "“%s” already exists; qviz does not overwrite it.", dest_path);
      return FALSE;
    }

  {
    g_autofree char *dest_dir = g_path_get_dirname (dest_path);

    if (!g_file_test (dest_dir, G_FILE_TEST_IS_DIR))
      {
        g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_IO,
                     "Cannot write “%s”: its folder does not exist.", dest_path);
        return FALSE;
      }
  }

  g_mutex_lock (&store->lock);
  for (guint i = 0; sweep_ids[i] != NULL; i++)
    {
      char *uuid = store->pg != NULL
                   ? qviz_pg_store_resolve_sweep (store->pg, sweep_ids[i], error)
                   : resolve_id (store, "sweeps", "sweep", sweep_ids[i], error);

      if (uuid == NULL)
        {
          g_mutex_unlock (&store->lock);
          return FALSE;
        }
      g_ptr_array_add (uuids, uuid);
    }
  g_mutex_unlock (&store->lock);

  /* Written under another name and linked into place only when complete,
   * so dest_path never names half a file. */
  partial = g_strdup_printf ("%s.partial-%08x", dest_path, g_random_int ());
  dest = qviz_store_open (partial, QVIZ_STORE_READ_WRITE, error);
  if (dest == NULL)
    return FALSE;
  if (store->pg != NULL)
    {
      g_mutex_lock (&dest->lock);
      ok = import_from_store (dest, store, uuids, counts, error);
      g_mutex_unlock (&dest->lock);
    }
  else
    ok = import_from (dest, store->path, uuids, counts, error);
  /* A self-contained file: no -wal beside it, readable from a read-only
   * folder. */
  if (ok)
    ok = exec_sql (dest, "PRAGMA journal_mode = DELETE", "finish the export", error);
  g_clear_pointer (&dest, qviz_store_close);

  if (ok)
    {
      if (link (partial, dest_path) == 0)
        g_unlink (partial);
      else
        {
          int saved = errno;

          if (saved == EEXIST)
            {
              g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_IO,
                           "“%s” already exists; qviz does not overwrite it.", dest_path);
              ok = FALSE;
            }
          else if (g_rename (partial, dest_path) != 0)
            {
              saved = errno;
              g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_IO, "Cannot write “%s”: %s.",
                           dest_path, g_strerror (saved));
              ok = FALSE;
            }
        }
    }
  remove_database_files (partial);
  return ok;
}

/* ---- calibration cache ------------------------------------------------ */

GBytes *
qviz_store_get_calibration (QvizStore *store, const char *model_sha256, const char *source,
                            const char *settings, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (model_sha256 != NULL && source != NULL && settings != NULL, NULL);

  if (store->pg != NULL)
    return qviz_pg_store_get_calibration (store->pg, model_sha256, source, settings, error);

  locker = g_mutex_locker_new (&store->lock);
  stmt = prepare (store,
                  "SELECT params FROM calibration_cache "
                  "WHERE model_sha256 = ? AND source = ? AND settings = ?",
                  "read the calibration cache", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, model_sha256);
  bind_text (stmt, 2, source);
  bind_text (stmt, 3, settings);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_bytes_new (sqlite3_column_blob (stmt, 0), (gsize) sqlite3_column_bytes (stmt, 0));
  if (rc != SQLITE_DONE)
    set_sqlite_error (store, rc, "read the calibration cache", error);
  return NULL;
}

gboolean
qviz_store_put_calibration (QvizStore *store, const char *model_sha256, const char *source,
                            const char *settings, GBytes *params, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gsize size = 0;
  const void *data;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (model_sha256 != NULL && source != NULL && settings != NULL, FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if (store->pg != NULL)
    return qviz_pg_store_put_calibration (store->pg, model_sha256, source, settings, params,
                                          error);

  locker = g_mutex_locker_new (&store->lock);
  if (!check_writable (store, error))
    return FALSE;
  stmt = prepare (store,
                  "INSERT OR REPLACE INTO calibration_cache "
                  "(model_sha256, source, settings, params, created_us) VALUES (?,?,?,?,?)",
                  "keep the calibration", error);
  if (stmt == NULL)
    return FALSE;
  data = g_bytes_get_data (params, &size);
  bind_text (stmt, 1, model_sha256);
  bind_text (stmt, 2, source);
  bind_text (stmt, 3, settings);
  sqlite3_bind_blob64 (stmt, 4, data, size, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, rc, "keep the calibration", error);
  return TRUE;
}
