/* qviz-csv.h: CSV export of runs and sweeps.
 *
 * The writer follows RFC 4180: fields holding a comma, a double quote, CR or
 * LF are quoted and their quotes doubled; every row has the header's number
 * of fields.  Lines end with LF alone (RFC 4180 says CRLF; pandas, R,
 * spreadsheets and csv modules read both, and LF diffs cleanly).  Numbers
 * are written in the C locale with the shortest text that reads back to the
 * same double; NAN is an empty field (pandas reads it as NaN); booleans are
 * "true" / "false".
 *
 * An export of runs to PATH writes up to four files, each with a header row
 * and each loadable with pandas.read_csv:
 *   PATH                 one row per run (settings, status, statistics)
 *   STEM-layers.csv      one row per layer of each run
 *   STEM-samples.csv     one row per pass of each run (layer = -1, empty
 *                        layer_name) and per pass of each layer
 *   STEM-spans.csv       the flame-chart spans of each run
 * where STEM is PATH without a final ".csv".
 */
#pragma once

#include <glib.h>
#include "qviz-run.h"
#include "qviz-store.h"

G_BEGIN_DECLS

typedef struct _QvizCsv QvizCsv;

QvizCsv    *qviz_csv_new            (void);
void        qviz_csv_free           (QvizCsv *csv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizCsv, qviz_csv_free)

/* Appends one field to the current row; NULL is an empty field. */
void        qviz_csv_add_string     (QvizCsv *csv, const char *value);
void        qviz_csv_add_int        (QvizCsv *csv, gint64 value);
void        qviz_csv_add_uint       (QvizCsv *csv, guint64 value);
/* NAN and infinities are empty fields. */
void        qviz_csv_add_double     (QvizCsv *csv, double value);
void        qviz_csv_add_bool       (QvizCsv *csv, gboolean value);
/* Ends the current row (LF). */
void        qviz_csv_end_row        (QvizCsv *csv);
/* Adds a whole row of strings (n fields, or up to NULL when n < 0). */
void        qviz_csv_add_row        (QvizCsv *csv, const char *const *fields, int n);

const char *qviz_csv_get_text       (QvizCsv *csv, gsize *length);
guint       qviz_csv_get_n_rows     (QvizCsv *csv);
/* Writes the text to path atomically (whole file or nothing). */
gboolean    qviz_csv_write_file     (QvizCsv *csv, const char *path, GError **error);

/* Appends field to out, quoted if it must be (RFC 4180). */
void        qviz_csv_append_field   (GString *out, const char *field);

/* "out.csv" + "layers" -> "out-layers.csv"; path itself for kind NULL. */
char       *qviz_csv_companion_path (const char *path, const char *kind);

/* Writes the CSV files described above for runs (QvizRun *, loaded with
 * layers and spans for the layer, per-layer sample and span files). */
gboolean    qviz_csv_export_runs    (GPtrArray *runs, const char *path, GError **error);
/* Reads a sweep's runs (uuid or unique prefix) from store and exports them. */
gboolean    qviz_csv_export_sweep   (QvizStore *store, const char *sweep_id,
                                     const char *path, GError **error);
/* One run by uuid or unique prefix. */
gboolean    qviz_csv_export_run     (QvizStore *store, const char *run_id,
                                     const char *path, GError **error);

G_END_DECLS
