/* test-gui-trace.c: File > Import Trace... in the real window.
 *
 * The window opens the trace fixtures' model on an empty store; an ONNX
 * Runtime profile imported through the window's action becomes a sweep,
 * selected, whose pass the flame chart draws with the model's layers; a
 * file that is no trace changes nothing in the store.
 */

#include "qviz-config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <sqlite3.h>
#include <string.h>

#include "qviz-application.h"
#include "qviz-window-private.h"
#include "qviz-flame-page-private.h"
#include "gui-harness.h"

static char *tmpdir;
static char *db_path;
static QvizWindow *window;

static gboolean
model_shown (gpointer data)
{
  return !qviz_window_is_loading (window) && window->model_sha256 != NULL;
}

static gboolean
store_idle (gpointer data)
{
  return !qviz_window_is_busy_with_store (window) && !qviz_window_is_loading (window);
}

static gboolean
flame_drawn (gpointer data)
{
  return qviz_flame_view_get_n_bands (window->flame_page->flame) >= 1 &&
         gtk_widget_get_width (GTK_WIDGET (window->flame_page->flame)) > 50;
}

static int
count_runs (const char *where)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM runs WHERE %s", where);
  int n = -1;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static void
test_import_trace (void)
{
  g_autofree char *trace = g_test_build_filename (G_TEST_DIST, "fixtures", "traces",
                                                  "ort-f32.json", NULL);
  g_autofree char *junk = g_build_filename (tmpdir, "notes.json", NULL);
  GAction *action;
  guint total = 0, ink;

  g_assert_true (qviz_test_iterate_until (model_shown, NULL, 30));
  g_assert_cmpuint (qviz_window_get_n_sweep_rows (window), ==, 0);
  action = g_action_map_lookup_action (G_ACTION_MAP (window), "import-trace");
  g_assert_nonnull (action);
  g_assert_true (g_action_get_enabled (action));

  /* in a worker: the window says it is busy until the trace is stored */
  qviz_window_import_trace (window, trace);
  g_assert_true (qviz_window_is_busy_with_store (window));
  g_assert_false (g_action_get_enabled (action));
  g_assert_true (qviz_test_iterate_until (store_idle, NULL, 30));
  g_assert_cmpint (count_runs ("engine = 'onnxruntime CPU'"), ==, 1);
  g_assert_cmpuint (qviz_window_get_n_sweep_rows (window), ==, 1);
  g_assert_nonnull (window->sweep_uuid);

  /* the flame chart draws the imported pass */
  adw_view_stack_set_visible_child_name (window->pages, "flame");
  g_assert_true (qviz_test_iterate_until (flame_drawn, NULL, 30));
  qviz_test_settle (0.3);
  g_assert_cmpuint (qviz_flame_view_get_n_bands (window->flame_page->flame), ==, 1);
  ink = qviz_test_count_ink (GTK_WIDGET (window->flame_page->flame), &total);
  g_test_message ("flame of an ONNX Runtime pass: %u of %u pixels drawn", ink, total);
  g_assert_cmpuint (ink, >, total / 50);

  /* the Layers table: the times, their ratio and the int8 error first */
  {
    static const char *const first[] = { "layer", "f32-ms", "int8-ms", "ratio", "sqnr" };

    for (guint i = 0; i < G_N_ELEMENTS (first); i++)
      g_assert_cmpstr (qviz_layer_table_get_column_id (qviz_layers_page_get_table (window->layers), i), ==, first[i]);
  }

  /* the Layers table names the runtime that timed every row */
  {
    GListModel *rows = qviz_layer_table_get_model (qviz_layers_page_get_table (window->layers));
    guint n = g_list_model_get_n_items (rows);

    g_assert_cmpuint (n, >, 0);
    for (guint i = 0; i < n; i++)
      {
        g_autoptr (QvizLayerItem) item = g_list_model_get_item (rows, i);
        g_assert_cmpstr (qviz_layer_item_get_engine (item), ==, "onnxruntime CPU");
      }
  }

  /* a file that is no trace: a toast, and nothing stored */
  g_assert_true (g_file_set_contents (junk, "not a trace", -1, NULL));
  qviz_window_import_trace (window, junk);
  g_assert_true (qviz_test_iterate_until (store_idle, NULL, 30));
  g_assert_cmpint (count_runs ("1"), ==, 1);
  g_assert_cmpuint (qviz_window_get_n_sweep_rows (window), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (QvizApplication) app = NULL;
  g_autofree char *model = NULL;
  int status;

  if (!qviz_test_init_gui (&argc, &argv))
    {
      g_test_skip ("no display");
      return g_test_run ();
    }

  tmpdir = g_dir_make_tmp ("qviz-gui-trace-XXXXXX", NULL);
  db_path = g_build_filename (tmpdir, "runs.sqlite", NULL);
  model = g_test_build_filename (G_TEST_DIST, "fixtures", "traces", "trace-dilated.onnx", NULL);

  app = qviz_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  window = qviz_window_new (app, db_path, model);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));

  g_test_add_func ("/gui/import-trace", test_import_trace);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  qviz_test_remove_dir (tmpdir);
  return status;
}
