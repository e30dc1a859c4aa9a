/* test-gui.c: the real window on a real store.
 *
 * A short sweep is recorded with the engine, the window opens on that file,
 * and each page must draw its chart (pixels that are not background) and
 * fill its table; then a sweep started through the window's action must
 * appear in the sidebar, and a cancelled one must leave the earlier sweeps
 * intact in the store.
 */

#include "qviz-config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "qviz-application.h"
#include "qviz-calibrate.h"
#include "qviz-model.h"
#include "qviz-sweep.h"
#include "qviz-window-private.h"

static char *tmpdir;
static char *db_path;
static QvizApplication *app;
static QvizWindow *window;

static void calibrate_small (QvizGraph *graph);

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until cond holds (or seconds pass); FALSE on timeout. */
static gboolean
iterate_until (Condition cond,
               gpointer  data,
               double    seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  /* Let pending layout and drawing settle. */
  for (int i = 0; i < 50 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
  return TRUE;
}

static gboolean
window_ready (gpointer data)
{
  return !qviz_window_is_loading (window) && qviz_window_get_n_sweep_rows (window) >= 1;
}

static gboolean
sweep_finished (gpointer data)
{
  return !qviz_window_is_running (window);
}

static gboolean
rows_at_least (gpointer data)
{
  return qviz_window_get_n_sweep_rows (window) >= GPOINTER_TO_UINT (data);
}

static gboolean
sweep_progressing (gpointer data)
{
  return window->sweep_total > 0 && gtk_progress_bar_get_fraction (window->progress_bar) >= 0;
}

static void
settle (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

/* Renders widget as the screen shows it and counts the pixels that differ
 * from its most common colour (the background). */
static guint
count_ink (GtkWidget *widget,
           guint     *total)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autoptr (GHashTable) counts = g_hash_table_new (NULL, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_autofree guint32 *pixels = NULL;
  guint32 background = 0;
  guint best = 0, ink = 0;

  g_assert_cmpint (w, >, 50);
  g_assert_cmpint (h, >, 50);
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  pixels = g_new (guint32, (gsize) w * h);
  gdk_texture_download (texture, (guchar *) pixels, (gsize) w * 4);
  for (gsize i = 0; i < (gsize) w * h; i++)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (pixels[i]))) + 1;
      g_hash_table_insert (counts, GUINT_TO_POINTER (pixels[i]), GUINT_TO_POINTER (n));
      if (n > best)
        best = n, background = pixels[i];
    }
  for (gsize i = 0; i < (gsize) w * h; i++)
    ink += pixels[i] != background;
  *total = (guint) w * h;
  return ink;
}

static void
show_page (const char *name)
{
  adw_view_stack_set_visible_child_name (window->pages, name);
  settle (0.3);
}

static void
test_pages (void)
{
  guint total = 0, ink;
  GListModel *rows;
  guint n;
  double prev = INFINITY;

  g_assert_true (iterate_until (window_ready, NULL, 30));
  g_assert_cmpuint (qviz_window_get_n_sweep_rows (window), ==, 1);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->content_stack), ==, "pages");

  /* Overview: f32 and int8 curves at one thread, both drawn. */
  show_page ("overview");
  g_assert_cmpuint (qviz_curves_view_get_n_series (window->curves), ==, 2);
  ink = count_ink (GTK_WIDGET (window->curves), &total);
  g_test_message ("curves: %u of %u pixels drawn", ink, total);
  g_assert_cmpuint (ink, >, total / 50);
  g_assert_true (qviz_breakdown_view_has_data (window->breakdown));
  ink = count_ink (GTK_WIDGET (window->breakdown), &total);
  g_assert_cmpuint (ink, >, total / 50);
  g_assert_nonnull (gtk_widget_get_first_child (window->cards));

  /* Flame chart: a float band and an int8 band, drawn. */
  show_page ("flame");
  g_assert_cmpuint (qviz_flame_view_get_n_bands (window->flame), ==, 2);
  ink = count_ink (GTK_WIDGET (window->flame), &total);
  g_test_message ("flame: %u of %u pixels drawn", ink, total);
  g_assert_cmpuint (ink, >, total / 50);
  /* The cold pass is a choice, and choosing it keeps two bands. */
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (window->flame_pass)), ==, 2);
  gtk_drop_down_set_selected (window->flame_pass, 1);
  settle (0.2);
  g_assert_cmpuint (qviz_flame_view_get_n_bands (window->flame), ==, 2);
  /* Zooming narrows the visible window. */
  {
    gint64 t0, t1, z0, z1;
    qviz_flame_view_get_view (window->flame, &t0, &t1);
    g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-in", NULL);
    qviz_flame_view_get_view (window->flame, &z0, &z1);
    g_assert_cmpint (z1 - z0, <, t1 - t0);
    g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-reset", NULL);
    qviz_flame_view_get_view (window->flame, &z0, &z1);
    g_assert_cmpint (z1 - z0, ==, t1 - t0);
  }

  /* Layers: every layer of the model, sortable by time. */
  show_page ("layers");
  rows = qviz_layer_table_get_model (window->layer_table);
  n = g_list_model_get_n_items (rows);
  g_assert_cmpuint (n, >=, 2);
  qviz_layer_table_sort_by (window->layer_table, "ratio", GTK_SORT_DESCENDING);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (QvizLayerItem) item = g_list_model_get_item (rows, i);
      double r = qviz_layer_item_get_ratio (item);
      if (!isnan (r))
        {
          g_assert_cmpfloat (r, <=, prev);
          prev = r;
        }
    }
  /* dwsep5x5 has one depthwise layer: the filter keeps it alone (with any
   * other depthwise or dilated layer). */
  qviz_layer_table_set_special_only (window->layer_table, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (rows), >=, 1);
  g_assert_cmpuint (g_list_model_get_n_items (rows), <, n);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr (QvizLayerItem) item = g_list_model_get_item (rows, i);
      g_assert_true (qviz_layer_item_get_special (item));
    }
  qviz_layer_table_set_special_only (window->layer_table, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n);

  /* Compare: both sides show the one sweep's curves. */
  show_page ("compare");
  g_assert_cmpuint (qviz_curves_view_get_n_series (window->compare_curves_b), ==, 2);
  ink = count_ink (GTK_WIDGET (window->compare_curves_b), &total);
  g_assert_cmpuint (ink, >, total / 50);

  /* Export writes the chart shown. */
  {
    g_autofree char *png = g_build_filename (tmpdir, "curves.png", NULL);
    g_autoptr (GError) error = NULL;
    show_page ("overview");
    g_assert_true (qviz_curves_view_export (window->curves, png, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
  }
}

static void
set_sweep_settings (const char *resolutions_text,
                    int         iterations)
{
  GSettings *settings = window->settings;
  g_auto (GStrv) parts = g_strsplit (resolutions_text, ",", -1);
  GVariantBuilder b;
  const char *precisions[] = { "f32", "int8", NULL };

  g_variant_builder_init (&b, G_VARIANT_TYPE ("ai"));
  for (guint i = 0; parts[i]; i++)
    g_variant_builder_add (&b, "i", atoi (parts[i]));
  g_settings_set_value (settings, "default-resolutions", g_variant_builder_end (&b));
  g_settings_set_value (settings, "default-threads", g_variant_new_parsed ("[1]"));
  g_settings_set_strv (settings, "default-precisions", precisions);
  g_settings_set_int (settings, "iterations", iterations);
  g_settings_set_int (settings, "cold-passes", 1);
}

static void
test_run_and_cancel (void)
{
  g_autoptr (QvizStore) store = NULL;
  g_autoptr (GPtrArray) sweeps = NULL;
  g_autoptr (GError) error = NULL;
  guint complete = 0, cancelled = 0;

  g_assert_true (iterate_until (window_ready, NULL, 30));
  /* Calibrating at the model's default size takes long; a small calibration
   * of the window's model keeps this test fast. */
  g_assert_nonnull (window->graph);
  calibrate_small (window->graph);

  /* A sweep through the window's action appears in the sidebar. */
  set_sweep_settings ("32", 3);
  g_action_group_activate_action (G_ACTION_GROUP (window), "start-sweep", NULL);
  g_assert_true (qviz_window_is_running (window));
  g_assert_true (iterate_until (sweep_finished, NULL, 120));
  g_assert_true (iterate_until (rows_at_least, GUINT_TO_POINTER (2), 5));
  g_assert_cmpuint (qviz_window_get_n_sweep_rows (window), ==, 2);

  /* A long sweep, cancelled once it is under way. */
  set_sweep_settings ("64,96,128", 100000);
  g_action_group_activate_action (G_ACTION_GROUP (window), "start-sweep", NULL);
  g_assert_true (iterate_until (sweep_progressing, NULL, 30));
  settle (0.3);
  g_action_group_activate_action (G_ACTION_GROUP (window), "cancel", NULL);
  g_assert_true (iterate_until (sweep_finished, NULL, 60));

  /* The earlier sweeps are intact, the cancelled one is marked so. */
  store = qviz_store_open (db_path, QVIZ_STORE_READ_ONLY, &error);
  g_assert_no_error (error);
  sweeps = qviz_store_list_sweeps (store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sweeps->len, ==, 3);
  for (guint i = 0; i < sweeps->len; i++)
    {
      const QvizSweep *s = g_ptr_array_index (sweeps, i);
      if (s->status == QVIZ_SWEEP_COMPLETE)
        {
          complete++;
          /* 2 sizes x 2 precisions, or 1 size x 2 precisions. */
          g_assert_true (s->n_runs == 4 || s->n_runs == 2);
        }
      else if (s->status == QVIZ_SWEEP_CANCELLED)
        cancelled++;
    }
  g_assert_cmpuint (complete, ==, 2);
  g_assert_cmpuint (cancelled, ==, 1);
}

static void
calibrate_small (QvizGraph *graph)
{
  QvizCalibrationConfig cc;
  g_autoptr (GError) error = NULL;

  qviz_calibration_config_init (&cc);
  cc.n_inputs = 2;
  cc.height = cc.width = 32;
  g_assert_true (qviz_calibrate (graph, &cc, &error));
  g_assert_no_error (error);
}

static void
record_sweep (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = qviz_store_open (db_path, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr (QvizGraph) graph = NULL;
  g_autoptr (QvizSweepConfig) config = qviz_sweep_config_new ();

  g_assert_no_error (error);
  graph = qviz_model_load ("dwsep5x5", &error);
  g_assert_no_error (error);
  calibrate_small (graph);
  g_assert_true (qviz_parse_resolutions ("32,64", config->resolutions, &error));
  g_array_set_size (config->threads, 0);
  g_assert_true (qviz_parse_threads ("1", config->threads, &error));
  g_array_set_size (config->precisions, 0);
  g_assert_true (qviz_parse_precisions ("f32,int8", config->precisions, &error));
  config->iterations = 3;
  config->cold = 1;
  g_assert_true (qviz_sweep_execute (graph, store, config, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* Without a session bus (a bare X server in CI) GtkApplication warns that
 * it cannot register; that is no fault of the window. */
static gboolean
ignore_session_bus (const char     *log_domain,
                    GLogLevelFlags  log_level,
                    const char     *message,
                    gpointer        user_data)
{
  return strstr (message, "session bus") == NULL && strstr (message, "dbus") == NULL;
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  /* No accessibility bus in CI either. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_log_set_fatal_handler (ignore_session_bus, NULL);
  if (!gtk_init_check ())
    {
      g_test_skip ("no display");
      return g_test_run ();
    }

  tmpdir = g_dir_make_tmp ("qviz-gui-XXXXXX", NULL);
  db_path = g_build_filename (tmpdir, "runs.sqlite", NULL);
  record_sweep ();

  app = qviz_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  window = qviz_window_new (app, db_path, "dwsep5x5");
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));

  g_test_add_func ("/gui/pages", test_pages);
  g_test_add_func ("/gui/run-and-cancel", test_run_and_cancel);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  {
    g_autoptr (GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmpdir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (tmpdir);
  }
  return status;
}
