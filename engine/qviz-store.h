/* qviz-store.h: the SQLite run store.
 *
 * One file holds machines, models, sweeps and their runs (with per-pass
 * samples, per-layer rows and flame-chart spans).  Runs and sweeps carry
 * random UUIDs and machines an id derived from their fingerprint, so files
 * from several machines merge with qviz_store_import () without collisions.
 *
 * The file is in WAL mode with foreign keys on and a busy timeout, so two
 * processes may write to it at once (one waits for the other).  Every write
 * is one transaction: a run appears whole, with its layers, samples and
 * spans, or not at all.  The schema version lives in PRAGMA user_version;
 * opening an older file for writing migrates it forward in one transaction,
 * opening it read-only migrates a private in-memory copy instead.
 *
 * A file that is not SQLite, is damaged, is not a qviz database, comes from
 * a newer qviz, is read-only or stays locked gives a GError (QVIZ_ERROR,
 * QVIZ_ERROR_DATABASE) of one sentence naming the file, and is left exactly
 * as it was.
 *
 * A QvizStore may be used from several threads; calls are serialized.
 *
 * Given a postgresql:// or postgres:// URI instead of a path, the same
 * functions keep a team's runs on a PostgreSQL server (qviz-store-pg.h):
 * the same schema and version, one transaction per run, messages naming
 * the URI without its password.
 */
#pragma once

#include <glib.h>
#include "qviz-run.h"

G_BEGIN_DECLS

/* The schema this qviz writes; files with a larger user_version are refused. */
#define QVIZ_STORE_SCHEMA_VERSION 8
/* How long a write waits for another process's transaction, by default. */
#define QVIZ_STORE_BUSY_TIMEOUT_MS 10000

typedef struct _QvizStore QvizStore;

typedef enum {
  QVIZ_STORE_READ_WRITE = 0,       /* create the file if missing, migrate it */
  QVIZ_STORE_READ_ONLY  = 1 << 0,  /* never write; the file must exist */
} QvizStoreFlags;

/* $XDG_DATA_HOME/qviz/runs.sqlite (the folder is not created here). */
char          *qviz_store_default_path    (void);

/* Opens (and for writing creates and migrates) the store at path, or at the
 * default path when path is NULL (creating its folder), or on the server
 * a postgresql:// URI names. */
QvizStore     *qviz_store_open            (const char *path, QvizStoreFlags flags,
                                           GError **error);
/* The same with a chosen busy timeout in milliseconds. */
QvizStore     *qviz_store_open_full       (const char *path, QvizStoreFlags flags,
                                           int busy_timeout_ms, GError **error);
void           qviz_store_close           (QvizStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizStore, qviz_store_close)

const char    *qviz_store_get_path        (QvizStore *store);
gboolean       qviz_store_is_read_only    (QvizStore *store);

/* ---- writing -------------------------------------------------------- */

/* Inserts the machine unless its id is there already (same id, same
 * fingerprint). */
gboolean       qviz_store_put_machine     (QvizStore *store, const QvizMachine *machine,
                                           GError **error);
/* Inserts the model, or updates the stored facts of the same sha256. */
gboolean       qviz_store_put_model       (QvizStore *store, const QvizModelInfo *model,
                                           GError **error);
/* Records a new sweep with status "running"; its machine and model must
 * have been put before. */
gboolean       qviz_store_sweep_begin     (QvizStore *store, const QvizSweep *sweep,
                                           GError **error);
/* Sets the final status (complete, cancelled or failed), a message (may be
 * NULL) and the finish time of a sweep. */
gboolean       qviz_store_sweep_finish    (QvizStore *store, const char *sweep_uuid,
                                           QvizSweepStatus status, const char *message,
                                           GError **error);
/* Stores a whole run -- its row, every pass sample (cold flagged), its
 * layers with their per-pass samples, its spans -- in one transaction.  Its
 * sweep must have begun.  The run's stats are stored as they are: call
 * qviz_run_compute_stats () first. */
gboolean       qviz_store_put_run         (QvizStore *store, const QvizRun *run,
                                           GError **error);
/* Names a sweep and notes what it was for (uuid or unique prefix); NULL
 * leaves that one as it is, "" clears it.  Each is one line of at most
 * 200 (name) or 2000 (note) characters. */
gboolean       qviz_store_set_sweep_label (QvizStore *store, const char *sweep_id,
                                           const char *name, const char *note,
                                           GError **error);
/* Deletes a sweep and its runs (uuid or unique prefix). */
gboolean       qviz_store_delete_sweep    (QvizStore *store, const char *sweep_id,
                                           GError **error);

/* ---- reading -------------------------------------------------------- */

/* Sweeps, newest first, as QvizSweep * (free func set).  model matches a
 * model name or a sha256 prefix, machine a hostname or a machine id prefix
 * (prefixes of at least 4 characters); NULL matches all.  The joined fields (model_name, hostname, cpu_model,
 * n_runs) are filled. */
GPtrArray     *qviz_store_list_sweeps     (QvizStore *store, const char *model,
                                           const char *machine, GError **error);
/* The sweep with this uuid or unique uuid prefix. */
QvizSweep     *qviz_store_get_sweep       (QvizStore *store, const char *sweep_id,
                                           GError **error);
/* The newest sweep of a model (name or sha256 prefix), optionally on one
 * machine (hostname or id prefix).  NULL without error when there is none. */
QvizSweep     *qviz_store_latest_sweep    (QvizStore *store, const char *model,
                                           const char *machine, GError **error);
/* Runs of a sweep (uuid or unique prefix) as QvizRun *, ordered by
 * precision, resolution, threads.  Pass samples are always loaded; layers
 * and spans only with with_details. */
GPtrArray     *qviz_store_list_runs       (QvizStore *store, const char *sweep_id,
                                           gboolean with_details, GError **error);
/* A run with everything (layers, samples, spans) by uuid or unique prefix. */
QvizRun       *qviz_store_get_run         (QvizStore *store, const char *run_id,
                                           GError **error);
QvizMachine   *qviz_store_get_machine     (QvizStore *store, const char *machine_id,
                                           GError **error);
QvizModelInfo *qviz_store_get_model       (QvizStore *store, const char *sha256,
                                           GError **error);
/* All machines / models, as QvizMachine * / QvizModelInfo * (free func set). */
GPtrArray     *qviz_store_list_machines   (QvizStore *store, GError **error);
GPtrArray     *qviz_store_list_models     (QvizStore *store, GError **error);

/* ---- merging -------------------------------------------------------- */

typedef struct {
  guint machines;
  guint models;
  guint sweeps;
  guint runs;
} QvizImportCounts;

/* Adds every sweep and run of the qviz database at other_path that this
 * store lacks (matched by UUID), with the machines and models they use, in
 * one transaction.  A sweep stored here as running takes the final status
 * it has there.  Importing the same file again adds nothing.  counts (may
 * be NULL) receives what was added.  other_path is only read; it may be of
 * an older schema. */
gboolean       qviz_store_import          (QvizStore *store, const char *other_path,
                                           QvizImportCounts *counts, GError **error);

/* The calibration cache: the parameters a calibration gave (an opaque
 * blob, see qviz_calibration_save ()) for a model, a calibration source
 * (what was read, at which size) and the observer settings.  get returns
 * NULL without error when there is none. */
GBytes        *qviz_store_get_calibration (QvizStore *store, const char *model_sha256,
                                           const char *source, const char *settings,
                                           GError **error);
gboolean       qviz_store_put_calibration (QvizStore *store, const char *model_sha256,
                                           const char *source, const char *settings,
                                           GBytes *params, GError **error);

/* Writes the chosen sweeps (uuids or unique prefixes; NULL-terminated), with
 * their runs, machines and models, to a new self-contained database at
 * dest_path, which must not exist yet.  The file appears only when complete. */
gboolean       qviz_store_export          (QvizStore *store, const char *dest_path,
                                           const char *const *sweep_ids,
                                           QvizImportCounts *counts, GError **error);

G_END_DECLS
