/* qviz-store-pg.h: the run store on a PostgreSQL server, through libpq.
 *
 * QvizStore calls these when it was opened with a postgresql:// or
 * postgres:// URI; the public qviz_store_* functions stay the one
 * interface.  The schema is the SQLite store's, at the same version, with
 * its own migrations list (pg_migrations in qviz-store-pg.c, one entry per
 * SQLite migration); the version lives in the one-row table qviz_schema.
 * Every run is one transaction; readers read a run and its rows from one
 * snapshot, so nobody sees half a run.
 *
 * Messages name the server by its URI without the password. */
#pragma once

#include "qviz-store.h"

G_BEGIN_DECLS

typedef struct _QvizPgStore QvizPgStore;

/* Whether location is a PostgreSQL URI rather than a file. */
gboolean       qviz_store_location_is_postgres (const char *location);

/* NULL with a one-sentence error when qviz was built without libpq. */
QvizPgStore   *qviz_pg_store_open          (const char *uri, gboolean read_only,
                                            int target_version, GError **error);
void           qviz_pg_store_close         (QvizPgStore *pg);
/* The URI without its password: what messages name. */
const char    *qviz_pg_store_get_name      (QvizPgStore *pg);
int            qviz_pg_store_get_schema_version (QvizPgStore *pg);

gboolean       qviz_pg_store_put_machine   (QvizPgStore *pg, const QvizMachine *m,
                                            GError **error);
gboolean       qviz_pg_store_put_model     (QvizPgStore *pg, const QvizModelInfo *mi,
                                            GError **error);
gboolean       qviz_pg_store_sweep_begin   (QvizPgStore *pg, const QvizSweep *sweep,
                                            GError **error);
gboolean       qviz_pg_store_sweep_finish  (QvizPgStore *pg, const char *sweep_uuid,
                                            QvizSweepStatus status, const char *message,
                                            GError **error);
gboolean       qviz_pg_store_put_run       (QvizPgStore *pg, const QvizRun *run,
                                            GError **error);
gboolean       qviz_pg_store_set_sweep_label (QvizPgStore *pg, const char *sweep_id,
                                             const char *name, const char *note,
                                             GError **error);
gboolean       qviz_pg_store_delete_sweep  (QvizPgStore *pg, const char *sweep_id,
                                            GError **error);
/* The full uuid a sweep id (or unique prefix) names. */
char          *qviz_pg_store_resolve_sweep (QvizPgStore *pg, const char *sweep_id,
                                            GError **error);

GPtrArray     *qviz_pg_store_list_sweeps   (QvizPgStore *pg, const char *model,
                                            const char *machine, gboolean latest_only,
                                            GError **error);
QvizSweep     *qviz_pg_store_get_sweep     (QvizPgStore *pg, const char *sweep_id,
                                            GError **error);
GPtrArray     *qviz_pg_store_list_runs     (QvizPgStore *pg, const char *sweep_id,
                                            gboolean with_details, GError **error);
QvizRun       *qviz_pg_store_get_run       (QvizPgStore *pg, const char *run_id,
                                            GError **error);
QvizMachine   *qviz_pg_store_get_machine   (QvizPgStore *pg, const char *machine_id,
                                            GError **error);
QvizModelInfo *qviz_pg_store_get_model     (QvizPgStore *pg, const char *sha256,
                                            GError **error);
GPtrArray     *qviz_pg_store_list_machines (QvizPgStore *pg, GError **error);
GPtrArray     *qviz_pg_store_list_models   (QvizPgStore *pg, GError **error);

/* Adds every sweep of src (any store, read through the public API) that
 * pg lacks, with its runs, machines and models, in one transaction: a
 * failure adds nothing.  The same rules as qviz_store_import (); a row
 * whose id is stored with different facts is refused, naming src_name. */
gboolean       qviz_pg_store_import        (QvizPgStore *pg, QvizStore *src,
                                            const char *src_name,
                                            QvizImportCounts *counts, GError **error);

/* The calibration cache (qviz_store_get/put_calibration). */
GBytes        *qviz_pg_store_get_calibration (QvizPgStore *pg, const char *model_sha256,
                                              const char *source, const char *settings,
                                              GError **error);
gboolean       qviz_pg_store_put_calibration (QvizPgStore *pg, const char *model_sha256,
                                              const char *source, const char *settings,
                                              GBytes *params, GError **error);

G_END_DECLS
