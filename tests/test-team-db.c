/* test-team-db.c: a team's store on a PostgreSQL server (QVIZ_TEST_DB, set
 * by tests/with-postgres), driven by the real qviz-cli: two processes
 * sweep into it at the same time while a third lists and shows runs in a
 * loop; pushing a local file and taking a sweep home. */
#include <string.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "cli-harness.h"

#define N_WRITERS 2
/* 2 resolutions x 2 precisions */
#define RUNS_PER_SWEEP 4
#define WARM_PASSES 3
#define COLD_PASSES 1

static char *tmpdir;

/* A new empty database on the test server, as a URI. */
static char *
new_database (const char *name)
{
  const char *server = g_getenv ("QVIZ_TEST_DB");
  g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s", name);
  g_auto(GStrv) parts = g_strsplit (server, "/postgres", 2);
  PGconn *conn = PQconnectdb (server);
  PGresult *res;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, sql);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  PQclear (res);
  PQfinish (conn);
  return g_strconcat (parts[0], "/", name, parts[1], NULL);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* Every run a reader sees is whole: all its passes are there. */
static guint
check_sweep_shown (const char *uri, const char *sweep)
{
  QvizCliResult r = qviz_test_cli ("show", sweep, "--db", uri, "--json", NULL);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *runs;

  if (r.status != 0)
    g_error ("show %s: %s", sweep, r.err);
  root = parse_json (r.out);
  runs = json_object_get_array_member (json_node_get_object (root), "runs");
  for (guint i = 0; i < json_array_get_length (runs); i++)
    {
      JsonObject *run = json_array_get_object_element (runs, i);

      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (run, "cold_ms")),
                        ==, COLD_PASSES);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (run, "warm_ms")),
                        ==, WARM_PASSES);
    }
  qviz_cli_result_clear (&r);
  return json_array_get_length (runs);
}

/* The sweeps of the store as uuid -> status. */
static GHashTable *
list_sweeps (const char *uri)
{
  QvizCliResult r = qviz_test_cli ("runs", "--db", uri, "--json", NULL);
  GHashTable *sweeps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *list;

  if (r.status != 0)
    g_error ("runs: %s", r.err);
  root = parse_json (r.out);
  list = json_object_get_array_member (json_node_get_object (root), "sweeps");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *s = json_array_get_object_element (list, i);

      g_hash_table_insert (sweeps, g_strdup (json_object_get_string_member (s, "uuid")),
                           g_strdup (json_object_get_string_member (s, "status")));
    }
  qviz_cli_result_clear (&r);
  return sweeps;
}

static void
test_two_writers_and_a_reader (void)
{
  g_autofree char *uri = new_database ("team_concurrent");
  const char *cli = g_getenv ("QVIZ_CLI");
  GPid writers[N_WRITERS];
  int running = N_WRITERS;
  guint reads = 0, runs_seen_max = 0;
  g_autoptr(GHashTable) sweeps = NULL;
  GHashTableIter iter;
  gpointer uuid, status;

  for (int i = 0; i < N_WRITERS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *log = g_strdup_printf ("%s/writer-%d.log", tmpdir, i);
      const char *argv[] = { "/bin/sh", "-c", "exec \"$0\" \"$@\" >\"$LOG\" 2>&1", cli,
                             "run", "lraspp-mnv3", "-r", "64,96", "-t", "1", "-p", "f32,int8",
                             "-n", G_STRINGIFY (WARM_PASSES), "--cold", G_STRINGIFY (COLD_PASSES),
                             "-q", "--db", uri, NULL };
      g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "LOG", log, TRUE);

      g_spawn_async (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                     &writers[i], &error);
      g_assert_no_error (error);
    }

  /* the third process: list and show, again and again, until both are done */
  while (running > 0)
    {
      g_autoptr(GHashTable) seen = NULL;

      /* the schema may not be there before a writer made it */
      QvizCliResult probe = qviz_test_cli ("runs", "--db", uri, "--json", NULL);
      gboolean ready = probe.status == 0;

      if (!ready)
        g_assert_nonnull (strstr (probe.err, "holds no qviz runs yet"));
      qviz_cli_result_clear (&probe);
      if (ready)
        {
          guint total = 0;

          seen = list_sweeps (uri);
          g_hash_table_iter_init (&iter, seen);
          while (g_hash_table_iter_next (&iter, &uuid, &status))
            total += check_sweep_shown (uri, uuid);
          runs_seen_max = MAX (runs_seen_max, total);
          reads++;
        }
      running = 0;
      for (int i = 0; i < N_WRITERS; i++)
        if (writers[i] != 0)
          {
            int wstatus = 0;
            pid_t done = waitpid (writers[i], &wstatus, WNOHANG);

            if (done == writers[i])
              {
                g_autofree char *log = g_strdup_printf ("%s/writer-%d.log", tmpdir, i);
                g_autofree char *text = NULL;

                g_file_get_contents (log, &text, NULL, NULL);
                if (!WIFEXITED (wstatus) || WEXITSTATUS (wstatus) != 0)
                  g_error ("writer %d failed: %s", i, text);
                writers[i] = 0;
              }
            else
              running++;
          }
    }
  g_test_message ("%u reads while the writers ran; at most %u runs seen", reads,
                  runs_seen_max);
  g_assert_cmpuint (reads, >, 0);

  /* every finished run is there, whole, in two complete sweeps */
  sweeps = list_sweeps (uri);
  g_assert_cmpuint (g_hash_table_size (sweeps), ==, N_WRITERS);
  g_hash_table_iter_init (&iter, sweeps);
  while (g_hash_table_iter_next (&iter, &uuid, &status))
    {
      g_assert_cmpstr (status, ==, "complete");
      g_assert_cmpuint (check_sweep_shown (uri, uuid), ==, RUNS_PER_SWEEP);
    }

  /* and the two machines' sweeps compare, configuration by configuration */
  {
    g_autofree char **ids = (char **) g_hash_table_get_keys_as_array (sweeps, NULL);
    QvizCliResult r = qviz_test_cli ("compare", ids[0], ids[1], "--db", uri, NULL);

    if (r.status != 0)
      g_error ("compare: %s", r.err);
    g_assert_nonnull (strstr (r.out, G_STRINGIFY (RUNS_PER_SWEEP) " matched configurations"));
    qviz_cli_result_clear (&r);
  }
}

/* push a local file (idempotent, the file untouched), take a sweep home */
static void
test_push_and_take_home (void)
{
  g_autofree char *uri = new_database ("team_push");
  g_autofree char *local = g_build_filename (tmpdir, "laptop.sqlite", NULL);
  g_autofree char *home = g_build_filename (tmpdir, "home.sqlite", NULL);
  g_autofree char *before = NULL, *after = NULL;
  g_autoptr(GHashTable) sweeps = NULL;
  GHashTableIter iter;
  gpointer uuid = NULL;
  QvizCliResult r;

  r = qviz_test_cli ("run", "lraspp-mnv3", "-r", "64", "-t", "1", "-p", "f32", "-n", "3",
                     "--cold", "1", "-q", "--db", local, NULL);
  g_assert_cmpint (r.status, ==, 0);
  qviz_cli_result_clear (&r);
  g_file_get_contents (local, &before, NULL, NULL);

  /* a server that cannot be reached: one sentence, the file untouched */
  r = qviz_test_cli ("push", local, "--db", "postgresql://qviz@/x?host=/nonexistent-qviz",
                     NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "server unreachable"));
  qviz_cli_result_clear (&r);

  for (int i = 0; i < 2; i++)
    {
      r = qviz_test_cli ("push", local, "--db", uri, NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, i == 0 ? "added 1 sweeps, 1 runs"
                                              : "added 0 sweeps, 0 runs"));
      qviz_cli_result_clear (&r);
    }
  g_file_get_contents (local, &after, NULL, NULL);
  g_assert_true (g_str_equal (before, after));

  sweeps = list_sweeps (uri);
  g_assert_cmpuint (g_hash_table_size (sweeps), ==, 1);
  g_hash_table_iter_init (&iter, sweeps);
  g_assert_true (g_hash_table_iter_next (&iter, &uuid, NULL));
  r = qviz_test_cli ("export", uuid, "--db", uri, "--db-out", home, NULL);
  g_assert_cmpint (r.status, ==, 0);
  qviz_cli_result_clear (&r);
  g_assert_cmpuint (check_sweep_shown (home, uuid), ==, 1);
}

int
main (int argc, char **argv)
{
  int status;

  tmpdir = qviz_test_cli_init (&argc, &argv, "qviz-team-XXXXXX");
  if (g_getenv ("QVIZ_TEST_DB") == NULL)
    {
      g_printerr ("QVIZ_TEST_DB is not set: run under tests/with-postgres\n");
      return 77;
    }
  g_test_add_func ("/team-db/two-writers-and-a-reader", test_two_writers_and_a_reader);
  g_test_add_func ("/team-db/push-and-take-home", test_push_and_take_home);
  status = g_test_run ();
  return qviz_test_cli_finish (status, tmpdir);
}
