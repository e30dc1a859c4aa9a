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

/* CPU seconds each later child may use before it is killed (0: no
 * limit): a hang becomes a failure instead of a stalled suite. */
extern guint qviz_test_cli_cpu_seconds;

#define qviz_test_cli(...) qviz_test_cli_limited (0, __VA_ARGS__)
