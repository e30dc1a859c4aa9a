/* test-gui-team.c: the window on a team's PostgreSQL database.
 *
 * Under tests/with-postgres: qviz-cli sweeps into a new database of the
 * test server; the window, opened on an empty local file, connects to the
 * server through its Connect to Team Database action and must show that
 * sweep, drawn, and remember the URI.  A URI with a password is refused
 * and nothing of it is remembered.
 */

#include "qviz-config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <libpq-fe.h>
#include <string.h>

#include "qviz-application.h"
#include "qviz-window-private.h"
#include "gui-harness.h"

static char *tmpdir;
static char *team_uri;
static QvizApplication *app;

/* The application's window whose store is the team's server, if any. */
static QvizWindow *
team_window (void)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (QVIZ_IS_WINDOW (l->data) && QVIZ_WINDOW (l->data)->store != NULL
        && g_str_equal (qviz_store_get_path (QVIZ_WINDOW (l->data)->store), team_uri))
      return l->data;
  return NULL;
}

static gboolean
team_window_ready (gpointer data)
{
  QvizWindow *w = team_window ();

  return w != NULL && !qviz_window_is_loading (w) && qviz_window_get_n_sweep_rows (w) >= 1;
}

static char *
sweep_written_by_cli (void)
{
  const char *cli = g_getenv ("QVIZ_CLI");
  const char *argv[] = { cli, "run", "dwsep5x5", "-r", "32,64", "-t", "1", "-p", "f32", "-n",
                         "3", "--cold", "1", "-q", "--db", team_uri, NULL };
  const char *list[] = { cli, "runs", "--db", team_uri, "--json", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  const char *at;
  int status = 0;

  g_assert_nonnull (cli);
  /* its report goes to out, not into this test's TAP */
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("qviz-cli run: %s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_spawn_sync (NULL, (char **) list, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  at = strstr (out, "\"uuid\" : \"");
  g_assert_nonnull (at);
  return g_strndup (at + 10, 36);
}

static void
test_password_refused (void)
{
  QvizWindow *window = QVIZ_WINDOW (gtk_application_get_windows (GTK_APPLICATION (app))->data);
  g_auto (GStrv) parts = g_strsplit (team_uri, "qviz@", 2);
  g_autofree char *with_password = g_strconcat (parts[0], "qviz:secret@", parts[1], NULL);
  g_autofree char *remembered = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (window), "connect-team-uri",
                                  g_variant_new_string (with_password));
  qviz_test_settle (0.5);
  remembered = g_settings_get_string (window->settings, "team-database");
  g_assert_cmpstr (remembered, ==, "");
  g_assert_null (team_window ());
}

static void
test_connect_shows_cli_sweep (void)
{
  g_autofree char *sweep = sweep_written_by_cli ();
  QvizWindow *window = QVIZ_WINDOW (gtk_application_get_windows (GTK_APPLICATION (app))->data);
  QvizWindow *team;
  g_autofree char *remembered = NULL;
  g_autofree char *database = NULL;
  g_autoptr (GPtrArray) runs = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (qviz_window_get_n_sweep_rows (window), ==, 0);
  g_action_group_activate_action (G_ACTION_GROUP (window), "connect-team-uri",
                                  g_variant_new_string (team_uri));
  g_assert_true (qviz_test_iterate_until (team_window_ready, NULL, 60));
  team = team_window ();
  gtk_window_set_default_size (GTK_WINDOW (team), 1400, 900);
  qviz_test_settle (0.5);

  /* the sweep qviz-cli wrote, in the sidebar and on the Overview */
  g_assert_cmpuint (qviz_window_get_n_sweep_rows (team), ==, 1);
  g_assert_cmpstr (team->sweep_uuid, ==, sweep);
  runs = qviz_store_list_runs (team->store, sweep, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 2);
  adw_view_stack_set_visible_child_name (team->pages, "overview");
  qviz_test_settle (0.3);
  g_assert_cmpuint (qviz_curves_view_get_n_series (qviz_overview_page_get_curves (team->overview)), ==, 1);

  /* remembered for the next window and the next dialog */
  remembered = g_settings_get_string (team->settings, "team-database");
  database = g_settings_get_string (team->settings, "database-path");
  g_assert_cmpstr (remembered, ==, team_uri);
  g_assert_cmpstr (database, ==, team_uri);
}

int
main (int   argc,
      char *argv[])
{
  const char *server = g_getenv ("QVIZ_TEST_DB");
  g_autofree char *local = NULL;
  QvizWindow *window;
  int status;

  g_unsetenv ("QVIZ_DB");
  if (server == NULL)
    {
      g_printerr ("QVIZ_TEST_DB is not set: run under tests/with-postgres\n");
      return 77;
    }
  if (!qviz_test_init_gui (&argc, &argv))
    {
      g_test_skip ("no display");
      return g_test_run ();
    }

  {
    PGconn *conn = PQconnectdb (server);
    PGresult *res = PQexec (conn, "CREATE DATABASE gui_team");
    g_auto (GStrv) parts = g_strsplit (server, "/postgres", 2);

    g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
    PQclear (res);
    PQfinish (conn);
    team_uri = g_strconcat (parts[0], "/gui_team", parts[1], NULL);
  }
  tmpdir = g_dir_make_tmp ("qviz-gui-team-XXXXXX", NULL);
  local = g_build_filename (tmpdir, "local.sqlite", NULL);

  app = qviz_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  window = qviz_window_new (app, local, "dwsep5x5");
  gtk_window_present (GTK_WINDOW (window));

  g_test_add_func ("/gui-team/password-refused", test_password_refused);
  g_test_add_func ("/gui-team/connect-shows-cli-sweep", test_connect_shows_cli_sweep);
  status = g_test_run ();

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL;
       l = gtk_application_get_windows (GTK_APPLICATION (app)))
    gtk_window_destroy (l->data);
  g_clear_object (&app);
  qviz_test_remove_dir (tmpdir);
  return status;
}
