/* qviz-cli.h: what the qviz-cli commands share. */
#pragma once

#include <glib.h>
#include <stdio.h>
#include <json-glib/json-glib.h>

#include "qviz-graph.h"
#include "qviz-plan.h"
#include "qviz-run.h"
#include "qviz-store.h"

G_BEGIN_DECLS

/* Exit statuses. */
enum {
  QVIZ_EXIT_OK = 0,
  QVIZ_EXIT_FAILURE = 1,   /* the work failed (a kernel, the disk) */
  QVIZ_EXIT_USAGE = 2,     /* bad input: a name, a size, a file */
  QVIZ_EXIT_CANCELLED = 130,
};

typedef int (*QvizCliCommand) (int argc, char **argv);

int  qviz_cli_models  (int argc, char **argv);
int  qviz_cli_info    (int argc, char **argv);
int  qviz_cli_run     (int argc, char **argv);
int  qviz_cli_infer   (int argc, char **argv);
int  qviz_cli_runs    (int argc, char **argv);
int  qviz_cli_label   (int argc, char **argv);
int  qviz_cli_show    (int argc, char **argv);
int  qviz_cli_export  (int argc, char **argv);
int  qviz_cli_import  (int argc, char **argv);
int  qviz_cli_push    (int argc, char **argv);
int  qviz_cli_import_trace (int argc, char **argv);
int  qviz_cli_compare (int argc, char **argv);
int  qviz_cli_bench   (int argc, char **argv);

/* Prints "qviz-cli: MESSAGE" to stderr and returns status. */
int  qviz_cli_fail    (int status, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* The status for an error: usage for bad input, cancelled, else failure. */
int  qviz_cli_status_for_error (const GError *error);

/* Parses the options of a command; on error prints it and returns FALSE. */
gboolean qviz_cli_parse (GOptionContext *context, int *argc, char ***argv);

/* Opens the store at path (NULL: default) for reading or writing. */
QvizStore *qviz_cli_open_store (const char *path, gboolean write, GError **error);

/* Prints a JSON node as a document on stdout. */
void qviz_cli_print_json (JsonNode *root);

/* JSON of the store's records. */
JsonNode *qviz_cli_json_run       (const QvizRun *run, gboolean with_layers);
JsonNode *qviz_cli_json_sweep     (const QvizSweep *sweep);
JsonNode *qviz_cli_json_stats     (const QvizStats *stats);

/* Tables shared by run and show. */
void qviz_cli_print_run_summary  (const QvizRun *run);
void qviz_cli_print_layer_table  (const QvizRun *run, int limit);
void qviz_cli_print_precision_table (const QvizRun *f32, const QvizRun *int8, int limit);
void qviz_cli_print_sweep_table  (GPtrArray *runs);

/* Text for a terminal (qviz-cli-text.c): control characters in a string
 * from a file or a database become '?', in place. */
void qviz_cli_clean         (char *s);
void qviz_cli_clean_sweep   (QvizSweep *sweep);
void qviz_cli_clean_run     (QvizRun *run);
void qviz_cli_clean_machine (QvizMachine *machine);
void qviz_cli_clean_model   (QvizModelInfo *model);
/* Routes stdout and stderr through a filter that lets no control byte
 * but newline and tab through. */
void qviz_cli_filter_output (void);
/* The unfiltered stderr, for qviz-cli's own progress line and its
 * terminal control sequences; only for text qviz-cli wrote itself. */
FILE *qviz_cli_terminal (void);

/* Formats milliseconds with sensible precision into a static-size buffer. */
const char *qviz_cli_ms (double ms, char buf[32]);

G_END_DECLS
