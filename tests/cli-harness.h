/* cli-harness.h: running the real qviz-cli binary (named by $QVIZ_CLI) from
 * a test, as a user would, optionally under an address-space limit. */
#pragma once

#include <glib.h>

typedef struct {
  int status;   /* exit status; the harness asserts the process exited */
  char *out;
  char *err;
} QvizCliResult;

/* Runs qviz-cli with the NULL-terminated arguments; as_limit_bytes > 0
 * sets RLIMIT_AS for the child (ulimit -v). */
QvizCliResult qviz_test_cli_limited (guint64 as_limit_bytes, const char *first, ...)
  G_GNUC_NULL_TERMINATED;
QvizCliResult qviz_test_cli_argv    (guint64 as_limit_bytes, const char *const *args);
void          qviz_cli_result_clear (QvizCliResult *r);

/* g_test_init, a check that $QVIZ_CLI names the binary (exit 1 if not),
 * and a temporary folder (returned) that is also $XDG_DATA_HOME, so that
 * nothing touches the user's own store. */
char         *qviz_test_cli_init    (int *argc, char ***argv, const char *tmp_template);
/* Removes the folder; returns status. */
int           qviz_test_cli_finish  (int status, const char *tmpdir);

/* The first column of the first row of sql on the database at path, read
 * as another process would (read-only, waiting out writers); NULL (or -1)
 * when there is none. */
char         *qviz_test_sql_text    (const char *path, const char *sql);
int           qviz_test_sql_int     (const char *path, const char *sql);

/* CPU seconds each later child may use before it is killed (0: no
 * limit): a hang becomes a failure instead of a stalled suite. */
extern guint qviz_test_cli_cpu_seconds;

#define qviz_test_cli(...) qviz_test_cli_limited (0, __VA_ARGS__)
