/* cli-harness.c: see cli-harness.h. */

#include "cli-harness.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

guint qviz_test_cli_cpu_seconds;

static void
set_limits (gpointer data)
{
  guint64 *limit = data;

  if (*limit > 0)
    {
      struct rlimit r = { (rlim_t) *limit, (rlim_t) *limit };
      setrlimit (RLIMIT_AS, &r);
    }
  if (qviz_test_cli_cpu_seconds > 0)
    {
      struct rlimit r = { qviz_test_cli_cpu_seconds, qviz_test_cli_cpu_seconds };
      setrlimit (RLIMIT_CPU, &r);
    }
}

QvizCliResult
qviz_test_cli_argv (guint64 as_limit_bytes, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  QvizCliResult r = { 0 };
  int wait_status = 0;

  g_assert_nonnull (g_getenv ("QVIZ_CLI"));
  g_ptr_array_add (argv, (gpointer) g_getenv ("QVIZ_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT,
                               set_limits,
                               &as_limit_bytes, &r.out, &r.err, &wait_status, &error));
  g_assert_no_error (error);
  if (!WIFEXITED (wait_status))
    g_error ("qviz-cli %s did not exit (signal %d): %s", args[0],
             WIFSIGNALED (wait_status) ? WTERMSIG (wait_status) : 0, r.err);
  r.status = WEXITSTATUS (wait_status);
  return r;
}

QvizCliResult
qviz_test_cli_limited (guint64 as_limit_bytes, const char *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const char *a;
  va_list ap;

  va_start (ap, first);
  for (a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return qviz_test_cli_argv (as_limit_bytes, (const char *const *) args->pdata);
}

void
qviz_cli_result_clear (QvizCliResult *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

char *
qviz_test_sql_text (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *out = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return out;
}

int
qviz_test_sql_int (const char *path, const char *sql)
{
  g_autofree char *text = qviz_test_sql_text (path, sql);

  return text != NULL ? atoi (text) : -1;
}

char *
qviz_test_cli_init (int *argc, char ***argv, const char *tmp_template)
{
  char *dir;

  g_test_init (argc, argv, NULL);
  if (g_getenv ("QVIZ_CLI") == NULL)
    {
      g_printerr ("QVIZ_CLI must name the qviz-cli binary.\n");
      exit (1);
    }
  dir = g_dir_make_tmp (tmp_template, NULL);
  g_assert_nonnull (dir);
  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  return dir;
}

int
qviz_test_cli_finish (int status, const char *tmpdir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);

  if (system (cmd) != 0)
    g_printerr ("could not remove %s\n", tmpdir);
  return status;
}
