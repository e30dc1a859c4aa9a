/* qviz-process.h: naming a process so that another can later tell whether
 * it still runs.
 *
 * A sweep records the process that runs it; one found 'running' whose
 * process has ended was killed or crashed, and is shown as interrupted.
 * A token names host, boot, PID namespace, PID and the process's start
 * time, so a reused PID or a reboot is not mistaken for the same process. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  QVIZ_PROCESS_ALIVE,
  QVIZ_PROCESS_GONE,
  QVIZ_PROCESS_UNKNOWN,   /* another machine or container: cannot tell */
} QvizProcessState;

/* The token of this process. */
char             *qviz_process_self_token (void);
/* The token of process pid on this machine, or NULL when it does not run. */
char             *qviz_process_token      (int pid);
/* Whether the process a token names still runs; *pid receives its PID
 * (0 when the token cannot be read). */
QvizProcessState  qviz_process_state      (const char *token, int *pid);

G_END_DECLS
