/* test-crash-safety.c: the run store under the accidents of real use.
 *
 * - a sweep killed with SIGKILL at random moments, 20 times into one file:
 *   the file passes SQLite's integrity check every time and holds every run
 *   the killed process reported finished;
 * - two sweeps and a reader on one file at once: nothing is lost and
 *   nothing fails with "database is locked";
 * - a full disk (a small tmpfs, where the test may mount one): one
 *   sentence, and the file stays a valid store with all it held. */

#include "cli-harness.h"
#include "qviz-store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_KILLS 20

static char *tmpdir;

/* Where the test is, for the watchdog: a test that waits longer than any
 * of its steps should take says which step it was in, and where each of
 * its child processes waits (every thread's state and kernel wait
 * channel, and its stack when gdb is there), instead of being killed by
 * the harness with nothing said.  QVIZ_TEST_WATCHDOG_SECONDS shortens the
 * wait to see that report. */
static char phase[160] = "starting";
static unsigned watchdog_seconds = 200;
static char self_pid[32];

#define WATCHDOG_REPORT                                                          \
  "for d in /proc/[0-9]*; do "                                                   \
  "  set -- $(sed 's/^.*) //' \"$d/stat\" 2>/dev/null); "                          \
  "  p=${d#/proc/}; [ \"$2\" = \"$0\" ] && [ \"$p\" != $$ ] || continue; "          \
  "  echo \"child $p: $(tr '\\0' ' ' < $d/cmdline)\"; "                            \
  "  for t in $d/task/*; do "                                                    \
  "    echo \"  thread ${t##*/}: state $(sed 's/^.*) //' $t/stat | cut -c1),\" "    \
  "         \"waiting in $(cat $t/wchan)\"; "                                     \
  "  done; "                                                                     \
  "  if command -v gdb >/dev/null; then "                                        \
  "    timeout 30 gdb -p $p -batch -ex 'thread apply all bt' 2>&1 | "            \
  "      grep -E '^(Thread|#)'; "                                                \
  "  fi; "                                                                       \
  "done"

static void
set_phase (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
set_phase (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_vsnprintf (phase, sizeof phase, format, args);
  va_end (args);
  alarm (watchdog_seconds);
}

/* Only async-signal-safe calls before the fork; the report runs in a
 * shell of its own, then the test aborts. */
static void
watchdog (int sig)
{
  static const char head[] = "test-crash-safety: stuck in: ";
  pid_t child;

  (void) sig;
  (void) !write (STDERR_FILENO, head, sizeof head - 1);
  (void) !write (STDERR_FILENO, phase, strlen (phase));
  (void) !write (STDERR_FILENO, "\n", 1);
  child = fork ();
  if (child == 0)
    {
      dup2 (STDERR_FILENO, STDOUT_FILENO);
      execl ("/bin/sh", "sh", "-c", WATCHDOG_REPORT, self_pid, (char *) NULL);
      _exit (127);
    }
  if (child > 0)
    waitpid (child, NULL, 0);
  abort ();
}

/* Lines "[k/N] ..." that qviz-cli run prints once a run is stored. */
static guint
count_reported_runs (const char *out)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = 0;

  /* The last piece has no newline after it: not a whole report. */
  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    n += lines[i][0] == '[';
  return n;
}

/* Reads what is there on the non-blocking OUT_FD into OUT, waiting up to
 * TIMEOUT_MS for it; FALSE at the end of the stream. */
static gboolean
read_some (int out_fd, GString *out, int timeout_ms)
{
  GPollFD pfd = { out_fd, G_IO_IN | G_IO_HUP, 0 };

  if (g_poll (&pfd, 1, timeout_ms) <= 0)
    return TRUE;
  for (;;)
    {
      char buf[4096];
      ssize_t n = read (out_fd, buf, sizeof buf);

      if (n == 0)
        return FALSE;
      if (n < 0)
        return errno == EAGAIN || errno == EINTR;
      g_string_append_len (out, buf, n);
    }
}

/* Fails the test, saying where the still running process PID waits (its
 * state and each thread's kernel wait channel): a sweep that stops
 * reporting runs long after a whole sweep would have ended is stuck. */
static void
fail_stuck (GPid pid, const char *what)
{
  g_autoptr (GString) where = g_string_new (NULL);
  g_autofree char *task_dir = g_strdup_printf ("/proc/%d/task", (int) pid);
  g_autoptr (GDir) dir = g_dir_open (task_dir, 0, NULL);
  const char *tid;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *stat_path = g_build_filename (task_dir, tid, "stat", NULL);
      g_autofree char *wchan_path = g_build_filename (task_dir, tid, "wchan", NULL);
      g_autofree char *stat = NULL, *wchan = NULL;
      const char *state;

      g_file_get_contents (stat_path, &stat, NULL, NULL);
      g_file_get_contents (wchan_path, &wchan, NULL, NULL);
      /* "tid (comm) S ...": the state follows the last ')' */
      state = stat != NULL && strrchr (stat, ')') != NULL ? strrchr (stat, ')') + 2 : "?";
      g_string_append_printf (where, " thread %s: state %c, waiting in %s;", tid, state[0],
                              wchan != NULL && wchan[0] != '\0' ? wchan : "?");
    }
  kill (pid, SIGKILL);
  g_error ("qviz-cli run (pid %d) %s:%s", (int) pid, what, where->str);
}

/* The processes other than this one that hold the pipe FD open, as
 * " PID (comm)" pieces: who keeps a killed sweep's output from ending. */
static char *
pipe_holders (int fd)
{
  GString *who = g_string_new (NULL);
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  g_autofree char *want = NULL;
  const char *pid;
  struct stat st;

  if (fstat (fd, &st) != 0 || proc == NULL)
    return g_string_free (who, FALSE);
  want = g_strdup_printf ("pipe:[%lu]", (unsigned long) st.st_ino);
  while ((pid = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *fd_dir = g_build_filename ("/proc", pid, "fd", NULL);
      g_autoptr (GDir) fds = NULL;
      const char *name;

      if (!g_ascii_isdigit (pid[0]) || atoi (pid) == (int) getpid () ||
          (fds = g_dir_open (fd_dir, 0, NULL)) == NULL)
        continue;
      while ((name = g_dir_read_name (fds)) != NULL)
        {
          g_autofree char *link = g_build_filename (fd_dir, name, NULL);
          g_autofree char *target = g_file_read_link (link, NULL);

          if (g_strcmp0 (target, want) == 0)
            {
              g_autofree char *comm_path = g_build_filename ("/proc", pid, "comm", NULL);
              g_autofree char *comm = NULL;

              g_file_get_contents (comm_path, &comm, NULL, NULL);
              g_string_append_printf (who, " %s (%s)", pid,
                                      comm != NULL ? g_strstrip (comm) : "?");
              break;
            }
        }
    }
  return g_string_free (who, FALSE);
}

static void
test_killed_at_random (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "killed.sqlite", NULL);
  g_autofree char *timing_db = g_build_filename (tmpdir, "timing.sqlite", NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (20);
  guint reported_total = 0, kills_mid_run = 0, runs_in_sweep = 0;
  gint64 sweep_us;

  /* How long a whole sweep takes on this machine (into another file), and
   * how many runs it reports.  The kills are aimed by progress, not by the
   * clock: after a random number of reported runs, then at a random moment
   * within the next one; a machine whose speed changes under other load
   * still gets them in the middle of its sweeps.  The shorter of two: the
   * first also fits and calibrates what the later ones find stored. */
  sweep_us = G_MAXINT64;
  for (int t = 0; t < 2; t++)
    {
      const char *argv[] = { g_getenv ("QVIZ_CLI"), "run", "dwsep5x5",
                             "--res", "32,40,48,56,64,72,80,88,96,104,112,120",
                             "--threads", "1", "--iterations", "3", "--min-time", "0",
                             "--cold", "1", "--db", timing_db, NULL };
      g_autoptr (GError) error = NULL;
      g_autofree char *out = NULL;
      int status = 0;
      gint64 t0 = g_get_monotonic_time ();

      set_phase ("killed-at-random: whole sweep %d", t + 1);
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                                   NULL, NULL, &out, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      sweep_us = MIN (sweep_us, g_get_monotonic_time () - t0);
      runs_in_sweep = count_reported_runs (out);
    }
  /* 12 sizes, float and int8. */
  g_assert_cmpuint (runs_in_sweep, ==, 24);
  g_test_message ("a whole sweep takes %.2f s here", sweep_us / 1e6);

  for (int k = 0; k < N_KILLS; k++)
    {
      const char *argv[] = { g_getenv ("QVIZ_CLI"), "run", "dwsep5x5",
                             "--res", "32,40,48,56,64,72,80,88,96,104,112,120",
                             "--threads", "1", "--iterations", "3", "--min-time", "0",
                             "--cold", "1", "--db", db, NULL };
      g_autoptr (GError) error = NULL;
      g_autoptr (GString) out = g_string_new (NULL);
      g_autofree char *check = NULL;
      int out_fd, status = 0;
      GPid pid;
      /* After this many reported runs (from none to all but the last)... */
      guint after_runs = (guint) g_rand_int_range (rand, 0, (gint32) runs_in_sweep);
      /* ...and this far into the next one, an average run's time at most. */
      gint64 delay_us = (gint64) (g_rand_double (rand) * (double) sweep_us / runs_in_sweep);
      gint64 deadline;
      gboolean open = TRUE, reaped = FALSE;
      guint reported;
      int stored;

      set_phase ("killed-at-random: kill %d, after %u reported runs", k + 1, after_runs);
      g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                               G_SPAWN_DO_NOT_REAP_CHILD |
                                               G_SPAWN_STDERR_TO_DEV_NULL,
                                               NULL, NULL, &pid, NULL, &out_fd, NULL,
                                               &error));
      g_assert_no_error (error);
      fcntl (out_fd, F_SETFL, O_NONBLOCK);
      /* a whole sweep takes sweep_us; twenty of them, or 60 s, is stuck */
      deadline = g_get_monotonic_time () + MAX (20 * sweep_us, (gint64) 60 * G_USEC_PER_SEC);
      while (open && count_reported_runs (out->str) < after_runs)
        {
          open = read_some (out_fd, out, 50);
          if (open && g_get_monotonic_time () > deadline)
            {
              g_autofree char *what = g_strdup_printf ("reported %u runs and none for a long "
                                                       "time while the test waited for %u",
                                                       count_reported_runs (out->str),
                                                       after_runs);
              fail_stuck (pid, what);
            }
        }
      deadline = g_get_monotonic_time () + delay_us;
      while (!(reaped = waitpid (pid, &status, WNOHANG) != 0))
        {
          /* the time left read once: read again for the sleep, it could
           * have passed the deadline since the test, and a negative sleep
           * is a sleep of years (this test once hung so, its sweep a
           * zombie, until the watchdog) */
          const gint64 left = deadline - g_get_monotonic_time ();

          if (left <= 0)
            break;
          g_usleep ((gulong) MIN (1000, left));
        }
      /* (a sweep that ended first is reaped, or waitpid failed: no pid to
       * kill, it may be another's by now) */
      if (!reaped)
        kill (pid, SIGKILL);
      /* A killed process is gone within moments; 30 s is stuck. */
      deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      while (!reaped && !(reaped = waitpid (pid, &status, WNOHANG) != 0))
        {
          if (g_get_monotonic_time () > deadline)
            fail_stuck (pid, "was still there 30 s after SIGKILL");
          g_usleep (1000);
        }
      g_spawn_close_pid (pid);
      /* What it printed before it died, every byte of it. */
      deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      while (open)
        {
          open = read_some (out_fd, out, 1000);
          if (open && g_get_monotonic_time () > deadline)
            {
              g_autofree char *who = pipe_holders (out_fd);
              g_error ("the output of qviz-cli run (pid %d) stayed open 30 s after it was "
                       "killed and reaped; held by:%s", (int) pid,
                       who[0] != '\0' ? who : " no process found");
            }
        }
      close (out_fd);
      kills_mid_run += WIFSIGNALED (status);

      reported = count_reported_runs (out->str);
      reported_total += reported;
      if (!g_file_test (db, G_FILE_TEST_EXISTS))
        {
          /* Killed before it opened the store. */
          g_assert_cmpuint (reported_total, ==, 0);
          continue;
        }
      set_phase ("killed-at-random: integrity check after kill %d", k + 1);
      check = qviz_test_sql_text (db, "PRAGMA integrity_check");
      /* -1: killed before the store's tables were committed. */
      stored = qviz_test_sql_int (db, "SELECT count(*) FROM runs");
      g_test_message ("kill %d after %u runs and %.3f s: %u runs reported, %d stored in all, "
                      "integrity %s", k + 1, after_runs, delay_us / 1e6, reported, stored, check);
      g_assert_cmpstr (check, ==, "ok");
      if (stored < 0)
        g_assert_cmpuint (reported_total, ==, 0);
      else
        g_assert_cmpint (stored, >=, (int) reported_total);
    }
  /* Nearly every kill landed in the middle of a sweep, not after it. */
  g_assert_cmpuint (kills_mid_run, >=, N_KILLS * 3 / 4);

  /* And the file opens for writing, every killed sweep found interrupted. */
  set_phase ("killed-at-random: opening the file for writing");
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (QvizStore) store = qviz_store_open (db, QVIZ_STORE_READ_WRITE, &error);

    g_assert_no_error (error);
  }
  g_assert_cmpint (qviz_test_sql_int (db, "SELECT count(*) FROM sweeps WHERE status = 'running'"), ==, 0);
}

static GPid
spawn_sweep (const char *db, const char *model)
{
  const char *argv[] = { g_getenv ("QVIZ_CLI"), "run", model, "--res", "32,48,64,80",
                         "--threads", "1,2", "--iterations", "5", "--min-time", "0",
                         "--cold", "1", "--precision", "f32,int8", "--db", db, NULL };
  g_autoptr (GError) error = NULL;
  GPid pid;

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  return pid;
}

static void
test_two_sweeps_and_a_reader (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "shared.sqlite", NULL);
  GPid a = spawn_sweep (db, "conv5x5s2");
  GPid b = spawn_sweep (db, "dwsep5x5");
  int status_a = -1, status_b = -1, reads = 0;
  gboolean a_done = FALSE, b_done = FALSE;

  /* The reader lists and shows what is there until both have finished. */
  set_phase ("two-sweeps-and-a-reader: the reader's loop, sweeps %d and %d running",
             (int) a, (int) b);
  while (!a_done || !b_done)
    {
      /* The file may not exist for the first few milliseconds. */
      gboolean existed = g_file_test (db, G_FILE_TEST_EXISTS);
      QvizCliResult r = qviz_test_cli ("runs", "--db", db, "--json", NULL);

      if (r.status != 0 && existed)
        g_error ("reader failed while two sweeps wrote: %s", r.err);
      g_assert_null (strstr (r.err, "locked"));
      qviz_cli_result_clear (&r);
      if (g_file_test (db, G_FILE_TEST_EXISTS))
        {
          g_autofree char *sweep = qviz_test_sql_text (db, "SELECT uuid FROM sweeps LIMIT 1");

          if (sweep != NULL)
            {
              r = qviz_test_cli ("show", sweep, "--db", db, NULL);
              g_assert_cmpint (r.status, ==, 0);
              qviz_cli_result_clear (&r);
            }
          reads++;
        }
      if (!a_done && waitpid (a, &status_a, WNOHANG) == a)
        a_done = TRUE;
      if (!b_done && waitpid (b, &status_b, WNOHANG) == b)
        b_done = TRUE;
    }
  g_spawn_close_pid (a);
  g_spawn_close_pid (b);
  g_test_message ("%d reads while two sweeps wrote", reads);
  g_assert_true (WIFEXITED (status_a) && WEXITSTATUS (status_a) == 0);
  g_assert_true (WIFEXITED (status_b) && WEXITSTATUS (status_b) == 0);
  g_assert_cmpint (reads, >, 2);
  /* 4 sizes x 2 thread counts x 2 precisions, each. */
  g_assert_cmpint (qviz_test_sql_int (db, "SELECT count(*) FROM sweeps WHERE status = 'complete'"), ==, 2);
  g_assert_cmpint (qviz_test_sql_int (db, "SELECT count(*) FROM runs"), ==, 2 * 16);
  g_assert_cmpint (qviz_test_sql_int (db, "SELECT count(*) FROM runs r WHERE NOT EXISTS "
                                "(SELECT 1 FROM layers l WHERE l.run_uuid = r.uuid)"), ==, 0);
}

static gboolean
run_quiet (const char *const *argv)
{
  int status = 0;

  return g_spawn_sync (NULL, (char **) argv, NULL,
                       G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                       G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) &&
         WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static void
test_disk_full (void)
{
  g_autofree char *mnt = g_build_filename (tmpdir, "small-disk", NULL);
  g_autofree char *db = g_build_filename (mnt, "runs.sqlite", NULL);
  const char *mount_argv[] = { "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt, NULL };
  const char *umount_argv[] = { "umount", mnt, NULL };
  g_autofree char *last_good = NULL;
  int complete = 0, attempts = 0;
  QvizCliResult r = { 0 };

  g_assert_cmpint (g_mkdir (mnt, 0700), ==, 0);
  if (!run_quiet (mount_argv))
    {
      g_test_skip ("cannot mount a small tmpfs here (needs root)");
      return;
    }
  /* Sweeps until the disk is full. */
  for (attempts = 0; attempts < 100; attempts++)
    {
      set_phase ("disk-full: sweep %d", attempts + 1);
      r = qviz_test_cli ("run", "dwsep5x5", "--res", "32,48,64,80,96", "--threads", "1",
                         "--iterations", "3", "--min-time", "0", "--cold", "1",
                         "--db", db, NULL);
      if (r.status != 0)
        break;
      qviz_cli_result_clear (&r);
      complete++;
      g_free (last_good);
      last_good = qviz_test_sql_text (db, "SELECT group_concat (uuid) FROM (SELECT uuid FROM runs "
                                "ORDER BY uuid)");
    }
  g_test_message ("disk full after %d complete sweeps: %s", complete, r.err);
  g_assert_cmpint (complete, >=, 1);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, db));
  g_assert_nonnull (strstr (r.err, "full"));
  g_assert_cmpint (strchr (r.err, '\n') - r.err, ==, (int) strlen (r.err) - 1);
  qviz_cli_result_clear (&r);

  /* The file is a sound store that still holds every complete sweep. */
  {
    g_autofree char *check = qviz_test_sql_text (db, "PRAGMA integrity_check");
    g_autofree char *runs = NULL;

    g_assert_cmpstr (check, ==, "ok");
    g_assert_cmpint (qviz_test_sql_int (db, "SELECT count(*) FROM sweeps WHERE status = 'complete'"),
                     ==, complete);
    runs = qviz_test_sql_text (db, "SELECT group_concat (uuid) FROM (SELECT r.uuid FROM runs r JOIN "
                         "sweeps s ON s.uuid = r.sweep_uuid WHERE s.status = 'complete' "
                         "ORDER BY r.uuid)");
    g_assert_cmpstr (runs, ==, last_good);
    r = qviz_test_cli ("runs", "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 0);
    qviz_cli_result_clear (&r);
  }
  g_assert_true (run_quiet (umount_argv));
}

int
main (int argc, char **argv)
{
  int status;

  tmpdir = qviz_test_cli_init (&argc, &argv, "qviz-crash-XXXXXX");
  g_snprintf (self_pid, sizeof self_pid, "%d", (int) getpid ());
  if (g_getenv ("QVIZ_TEST_WATCHDOG_SECONDS") != NULL)
    watchdog_seconds = (unsigned) MAX (1, atoi (g_getenv ("QVIZ_TEST_WATCHDOG_SECONDS")));
  signal (SIGALRM, watchdog);
  g_test_add_func ("/crash-safety/killed-at-random", test_killed_at_random);
  g_test_add_func ("/crash-safety/two-sweeps-and-a-reader", test_two_sweeps_and_a_reader);
  g_test_add_func ("/crash-safety/disk-full", test_disk_full);
  status = g_test_run ();
  alarm (0);
  {
    /* A failed assertion leaves the small disk mounted. */
    g_autofree char *mnt = g_build_filename (tmpdir, "small-disk", NULL);
    const char *umount_argv[] = { "umount", mnt, NULL };

    if (g_file_test (mnt, G_FILE_TEST_IS_DIR))
      run_quiet (umount_argv);
  }
  return qviz_test_cli_finish (status, tmpdir);
}
