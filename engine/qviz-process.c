/* qviz-process.c: tokens that name a running process. */

#include "qviz-process.h"

#include <string.h>
#include <unistd.h>

static char *
read_trimmed (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return g_strstrip (text);
}

/* Field 22 of /proc/PID/stat, the start time in clock ticks after boot;
 * the command name before it may hold spaces and parentheses. */
static gboolean
start_time (int pid, guint64 *out)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) fields = NULL;
  const char *rest;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  rest = strrchr (text, ')');
  if (rest == NULL)
    return FALSE;
  /* After ")": state is field 3, so start time is the 20th from here. */
  fields = g_strsplit (rest + 2, " ", 0);
  if (g_strv_length (fields) < 20)
    return FALSE;
  *out = g_ascii_strtoull (fields[19], NULL, 10);
  return TRUE;
}

static char *
pid_namespace (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/ns/pid", pid);
  char *link = g_file_read_link (path, NULL);

  return link != NULL ? link : g_strdup ("");
}

char *
qviz_process_token (int pid)
{
  g_autofree char *boot = read_trimmed ("/proc/sys/kernel/random/boot_id");
  g_autofree char *ns = pid_namespace (pid);
  g_autofree char *machine = read_trimmed ("/etc/machine-id");
  guint64 start;

  if (!start_time (pid, &start))
    return NULL;
  return g_strdup_printf ("%s:%s|%s|%s|%d|%" G_GUINT64_FORMAT, g_get_host_name (), machine,
                          boot, ns, pid, start);
}

char *
qviz_process_self_token (void)
{
  char *token = qviz_process_token ((int) getpid ());

  return token != NULL ? token : g_strdup ("");
}

QvizProcessState
qviz_process_state (const char *token, int *pid)
{
  g_auto (GStrv) part = NULL;
  g_auto (GStrv) mine = NULL;
  g_autofree char *self = qviz_process_self_token ();
  g_autofree char *now = NULL;
  gint64 p;

  if (pid != NULL)
    *pid = 0;
  if (token == NULL)
    return QVIZ_PROCESS_UNKNOWN;
  part = g_strsplit (token, "|", 0);
  mine = g_strsplit (self, "|", 0);
  if (g_strv_length (part) != 5 || g_strv_length (mine) != 5 ||
      !g_ascii_string_to_signed (part[3], 10, 1, G_MAXINT32, &p, NULL))
    return QVIZ_PROCESS_UNKNOWN;
  if (pid != NULL)
    *pid = (int) p;
  if (!g_str_equal (part[0], mine[0]))
    return QVIZ_PROCESS_UNKNOWN;               /* another machine */
  if (!g_str_equal (part[1], mine[1]))
    return QVIZ_PROCESS_GONE;                  /* this machine, rebooted since */
  if (!g_str_equal (part[2], mine[2]))
    return QVIZ_PROCESS_UNKNOWN;               /* another container */
  now = qviz_process_token ((int) p);
  return now != NULL && g_str_equal (now, token) ? QVIZ_PROCESS_ALIVE : QVIZ_PROCESS_GONE;
}
