/* test-gui-accuracy.c: the Accuracy page, the low-SQNR banner and "Run
 * with this layer in float", in the real window on a real store.
 *
 * Two sweeps of the same model are recorded with the engine: one
 * calibrated as usual, one calibrated on inputs fifty times smaller than
 * the ones measured, so that its int8 layers saturate and fall below
 * QVIZ_SQNR_WARNING_DB on their own.  The page must draw both and name the
 * layer that loses most; the banner must show for the second sweep only;
 * the Layers table's context menu must open the Run dialog with the layer
 * to keep in float, and a sweep started from it must store that layer run
 * in float.
 */

#include "qviz-config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "qviz-application.h"
#include "qviz-calibrate.h"
#include "qviz-input.h"
#include "qviz-model.h"
#include "qviz-npy.h"
#include "qviz-run-dialog.h"
#include "qviz-sweep.h"
#include "qviz-window-private.h"
#include "gui-harness.h"

static char *tmpdir;
static char *db_path;
static char *good_uuid, *poor_uuid;
static QvizApplication *app;
static QvizWindow *window;


static gboolean
sweep_shown (gpointer data)
{
  return !qviz_window_is_loading (window) && g_strcmp0 (window->sweep_uuid, data) == 0 &&
         window->runs != NULL && window->runs->len > 0;
}

static void
show_sweep (const char *uuid)
{
  qviz_window_show_sweep (window, uuid);
  g_assert_true (qviz_test_iterate_until (sweep_shown, (gpointer) uuid, 30));
}

static void
show_page (const char *name)
{
  adw_view_stack_set_visible_child_name (window->pages, name);
  qviz_test_settle (0.3);
}

/* The layer whose accumulated SQNR falls most from its input's, computed
 * here from the stored run, not by the page: the input of a layer is the
 * latest layer before it whose output has its input's shape, and the
 * first layer's is the model's. */
static const char *
expected_worst_layer (const QvizRun *run)
{
  const char *worst = NULL;
  double largest = 0;

  for (guint i = 0; i < run->layers->len; i++)
    {
      const QvizRunLayer *l = qviz_run_get_layer (run, i);
      /* fed the model's input, whose SQNR is not stored: first when its
       * output is already below the threshold */
      if (i == 0 && l->accum_sqnr_db < QVIZ_SQNR_WARNING_DB)
        return l->name;
      for (guint j = i; j-- > 0;)
        {
          const QvizRunLayer *in = qviz_run_get_layer (run, j);
          if (g_str_equal (in->out_shape, l->in_shape))
            {
              if (in->accum_sqnr_db - l->accum_sqnr_db > largest)
                largest = in->accum_sqnr_db - l->accum_sqnr_db, worst = l->name;
              break;
            }
        }
    }
  return worst;
}

static void
test_accuracy_page (void)
{
  QvizAccuracyPage *page = window->accuracy;
  const QvizRun *run;
  const QvizAccuracy *acc;
  const char *worst;
  guint ink, total, described = 0;
  g_autoptr (GPtrArray) f32_only = g_ptr_array_new ();

  show_sweep (poor_uuid);
  show_page ("accuracy");
  run = qviz_accuracy_page_get_run (page);
  g_assert_nonnull (run);
  g_assert_cmpstr (run->precision, ==, "int8");
  g_assert_cmpstr (run->sweep_uuid, ==, poor_uuid);
  acc = qviz_accuracy_page_get_accuracy (page);
  g_assert_nonnull (acc);
  g_assert_cmpuint (acc->layers->len, ==, run->layers->len);

  /* the chart draws: lines, dots and the class strip */
  ink = qviz_test_count_ink (qviz_accuracy_page_get_chart (page), &total);
  g_test_message ("accuracy chart: %u of %u pixels drawn", ink, total);
  g_assert_cmpuint (total, >, 0);
  g_assert_cmpuint (ink, >, total / 50);

  /* the first layer named is the one that loses most */
  worst = expected_worst_layer (run);
  g_assert_nonnull (worst);
  g_assert_cmpuint (qviz_accuracy_page_get_n_ranked (page), >=, 1);
  g_assert_cmpstr (qviz_accuracy_page_get_ranked_name (page, 0), ==, worst);

  /* hovering a layer's point names it with its SQNRs */
  {
    GtkWidget *chart = qviz_accuracy_page_get_chart (page);
    for (guint i = 0; i < acc->layers->len; i++)
      {
        const QvizAccuracyLayer *l = &g_array_index (acc->layers, QvizAccuracyLayer, i);
        g_autofree char *text = NULL;
        double x, y;

        if (!qviz_accuracy_point_position (acc, gtk_widget_get_width (chart),
                                           gtk_widget_get_height (chart), i, &x, &y))
          continue;
        text = qviz_accuracy_page_describe_at (page, x, y);
        g_assert_nonnull (text);
        g_assert_nonnull (strstr (text, l->name));
        g_assert_nonnull (strstr (text, "Accumulated SQNR"));
        described++;
      }
    g_assert_cmpuint (described, >, 0);
    g_assert_null (qviz_accuracy_page_describe_at (page, 1, 1));
  }

  /* without an int8 run the page says so */
  for (guint i = 0; i < window->runs->len; i++)
    if (g_strcmp0 (((QvizRun *) g_ptr_array_index (window->runs, i))->precision, "f32") == 0)
      g_ptr_array_add (f32_only, g_ptr_array_index (window->runs, i));
  g_assert_cmpuint (f32_only->len, >, 0);
  qviz_accuracy_page_set_runs (page, f32_only);
  qviz_test_settle (0.2);
  g_assert_null (qviz_accuracy_page_get_run (page));
  g_assert_null (qviz_accuracy_page_get_accuracy (page));
  g_assert_false (gtk_widget_get_mapped (qviz_accuracy_page_get_chart (page)));
  g_assert_false (qviz_sqnr_banner_get_revealed (window->sqnr_banner));
  qviz_accuracy_page_set_runs (page, window->runs);
  g_assert_true (qviz_accuracy_page_get_run (page) != NULL);
}

/* The banner names the layers below 20 dB of the poorly calibrated sweep,
 * first three then how many more, and its button opens the Accuracy page;
 * the sweep calibrated as usual has no such layer, and no banner. */
static void
test_banner (void)
{
  const QvizRun *run;
  g_autoptr (GArray) low = NULL;
  const char *message;

  show_sweep (poor_uuid);
  show_page ("overview");
  run = qviz_accuracy_page_get_run (window->accuracy);
  low = qviz_run_low_sqnr_layers (run, QVIZ_SQNR_WARNING_DB);
  g_assert_cmpuint (low->len, >, 0);
  g_assert_true (qviz_sqnr_banner_get_revealed (window->sqnr_banner));
  message = qviz_sqnr_banner_get_message (window->sqnr_banner);
  g_test_message ("banner: %s", message);
  for (guint k = 0; k < MIN (low->len, 3); k++)
    g_assert_nonnull (strstr (message, qviz_run_get_layer (run, g_array_index (low, guint, k))->name));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window->sqnr_banner)));
  /* a button "clicks" 250 ms after it is activated */
  gtk_widget_activate (qviz_sqnr_banner_get_button (window->sqnr_banner));
  qviz_test_settle (0.6);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->pages), ==, "accuracy");

  show_sweep (good_uuid);
  run = qviz_accuracy_page_get_run (window->accuracy);
  g_assert_nonnull (run);
  g_assert_cmpstr (run->sweep_uuid, ==, good_uuid);
  g_clear_pointer (&low, g_array_unref);
  low = qviz_run_low_sqnr_layers (run, QVIZ_SQNR_WARNING_DB);
  g_assert_cmpuint (low->len, ==, 0);
  g_assert_false (qviz_sqnr_banner_get_revealed (window->sqnr_banner));
  g_assert_cmpstr (qviz_sqnr_banner_get_message (window->sqnr_banner), ==, "");
}

/* "a, b, c and 2 more" */
static void
test_banner_names (void)
{
  g_autoptr (QvizRun) run = qviz_run_new ();
  g_autoptr (GArray) layers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *two = NULL, *five = NULL;
  const char *names[] = { "a", "b", "c", "d", "e" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    qviz_run_add_layer (run)->name = g_strdup (names[i]);
  for (guint i = 0; i < 2; i++)
    g_array_append_val (layers, i);
  two = qviz_sqnr_banner_format_names (run, layers);
  g_assert_cmpstr (two, ==, "a and b");
  for (guint i = 2; i < 5; i++)
    g_array_append_val (layers, i);
  five = qviz_sqnr_banner_format_names (run, layers);
  g_assert_cmpstr (five, ==, "a, b, c and 2 more");
}

/* At 800 px the Accuracy page and the banner over it fit. */
static void
test_narrow (void)
{
  int min = 0, nat = 0;

  show_sweep (poor_uuid);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 700);
  qviz_test_settle (0.5);
  show_page ("accuracy");
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  g_test_message ("accuracy: minimum width %d px", min);
  g_assert_cmpint (min, <=, 800);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 800);
  g_assert_true (qviz_sqnr_banner_get_revealed (window->sqnr_banner));
  g_assert_true (gtk_widget_get_mapped (qviz_accuracy_page_get_chart (window->accuracy)));
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  qviz_test_settle (0.5);
}

static gboolean
alt7_shows_accuracy (void)
{
  g_auto (GStrv) actions = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), "<Alt>7");

  return g_strv_length (actions) == 1 && g_str_equal (actions[0], "win.show-page::accuracy");
}

static GtkWindow *
find_run_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) w = g_list_model_get_item (toplevels, i);
      if (g_object_get_data (G_OBJECT (w), "qviz-run-dialog") != NULL && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static gboolean
dialog_open (gpointer data)
{
  return find_run_dialog () != NULL;
}

/* The Accuracy page's ranked layers offer the same: the dialog opens on the
 * page's run with the first ranked layer to keep in float. */
static void
test_keep_float_from_page (void)
{
  GtkWindow *dialog;
  const char *first;

  show_sweep (poor_uuid);
  show_page ("accuracy");
  first = qviz_accuracy_page_get_ranked_name (window->accuracy, 0);
  g_assert_nonnull (first);
  g_assert_true (qviz_accuracy_page_request_keep_float (window->accuracy, 0));
  g_assert_true (qviz_test_iterate_until (dialog_open, NULL, 5));
  dialog = find_run_dialog ();
  g_assert_cmpstr (qviz_run_dialog_get_keep_float (dialog), ==, first);
  gtk_window_close (dialog);
  qviz_test_settle (0.2);
  g_assert_null (find_run_dialog ());
  g_assert_false (qviz_accuracy_page_request_keep_float (window->accuracy, 999));
}

static gboolean
sweep_stored (gpointer data)
{
  return !qviz_window_is_running (window) && !qviz_window_is_loading (window) &&
         qviz_window_get_n_sweep_rows (window) >= GPOINTER_TO_UINT (data);
}

/* Right click on a row of the Layers table: "Run with This Layer in
 * Float…" opens the Run dialog with the layer in its Keep in float row,
 * int8 only, at the row's size; a name that is not a layer is refused with
 * a sentence naming it; the sweep started stores the layer run in float,
 * with its conversions as layers of their own, and the kernels, ISA and
 * warm-up chosen in the dialog. */
static void
test_keep_float (void)
{
  /* not the model's output layer, which writes float with no conversion
   * after it */
  const char *layer = "depthwise/conv";
  GListModel *rows;
  GtkPopover *menu;
  GMenuModel *model;
  g_autofree char *action = NULL;
  g_autoptr (GVariant) target = NULL;
  GtkWindow *dialog;
  guint position = G_MAXUINT, rows_before;
  g_autoptr (QvizStore) store = NULL;
  g_autoptr (GPtrArray) sweeps = NULL, runs = NULL;
  g_autoptr (GError) error = NULL;
  const QvizRun *int8 = NULL;
  gboolean kept = FALSE, dequantize = FALSE, quantize = FALSE;

  g_assert_true (alt7_shows_accuracy ());
  show_sweep (poor_uuid);
  show_page ("layers");
  rows = qviz_layer_table_get_model (qviz_layers_page_get_table (window->layers));
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr (QvizLayerItem) item = g_list_model_get_item (rows, i);
      if (g_str_equal (qviz_layer_item_get_name (item), layer))
        position = i;
    }
  g_assert_cmpuint (position, !=, G_MAXUINT);
  g_assert_true (qviz_layer_table_popup_menu (qviz_layers_page_get_table (window->layers), position, 40, 40));
  qviz_test_settle (0.2);
  menu = qviz_layer_table_get_menu (qviz_layers_page_get_table (window->layers));
  g_assert_nonnull (menu);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (menu)));
  model = gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (menu));
  g_assert_cmpint (g_menu_model_get_n_items (model), ==, 1);
  g_assert_true (g_menu_model_get_item_attribute (model, 0, G_MENU_ATTRIBUTE_ACTION, "s", &action));
  target = g_menu_model_get_item_attribute_value (model, 0, G_MENU_ATTRIBUTE_TARGET, G_VARIANT_TYPE_STRING);
  g_assert_cmpstr (g_variant_get_string (target, NULL), ==, layer);
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (qviz_layers_page_get_table (window->layers)), action, target));
  gtk_popover_popdown (menu);
  g_assert_true (qviz_test_iterate_until (dialog_open, NULL, 5));
  dialog = find_run_dialog ();
  g_assert_cmpstr (qviz_run_dialog_get_keep_float (dialog), ==, layer);

  /* a name that is not a layer of the model: refused, and nothing runs */
  qviz_run_dialog_set_keep_float (dialog, "depthwise/conv, pointwise");
  g_assert_false (qviz_run_dialog_start (dialog));
  g_assert_nonnull (strstr (qviz_run_dialog_get_message (dialog), "'pointwise'"));
  g_assert_false (qviz_window_is_running (window));

  /* a short sweep */
  g_settings_set_int (window->settings, "iterations", 2);
  g_settings_set_int (window->settings, "cold-passes", 1);
  qviz_run_dialog_set_keep_float (dialog, layer);
  /* and the options the CLI has: im2col, the scalar kernels, a warm-up */
  g_assert_false (qviz_run_dialog_set_kernels (dialog, "winograd", NULL, 0));
  g_assert_true (qviz_run_dialog_set_kernels (dialog, "im2col", "scalar", 1));
  rows_before = qviz_window_get_n_sweep_rows (window);
  g_assert_true (qviz_run_dialog_start (dialog));
  g_assert_true (qviz_test_iterate_until (sweep_stored, GUINT_TO_POINTER (rows_before + 1), 120));

  store = qviz_store_open (db_path, QVIZ_STORE_READ_ONLY, &error);
  g_assert_no_error (error);
  sweeps = qviz_store_list_sweeps (store, NULL, NULL, &error);
  g_assert_no_error (error);
  runs = qviz_store_list_runs (store, ((QvizSweep *) g_ptr_array_index (sweeps, 0))->uuid, TRUE, &error);
  g_assert_no_error (error);
  /* int8 only, at the size and threads of the row's run */
  g_assert_cmpuint (runs->len, ==, 1);
  int8 = g_ptr_array_index (runs, 0);
  g_assert_cmpstr (int8->precision, ==, "int8");
  g_assert_cmpint (int8->height, ==, 32);
  g_assert_cmpint (int8->threads, ==, 1);
  g_assert_cmpstr (int8->conv_algo, ==, "im2col");
  g_assert_cmpstr (int8->isa, ==, "scalar");
  g_assert_nonnull (strstr (((QvizSweep *) g_ptr_array_index (sweeps, 0))->options, "warmup=1"));
  for (guint i = 0; i < int8->layers->len; i++)
    {
      const QvizRunLayer *l = qviz_run_get_layer (int8, i);
      if (g_str_equal (l->name, layer))
        kept = g_str_has_prefix (l->kernel, "f32 ") && strstr (l->reason, "kept in float") != NULL;
      dequantize |= g_str_has_prefix (l->name, layer) && g_str_equal (l->name + strlen (layer), ":dequantize");
      quantize |= g_str_has_prefix (l->name, layer) && g_str_equal (l->name + strlen (layer), ":quantize");
    }
  g_assert_true (kept && dequantize && quantize);
}

/* One sweep of dwsep5x5 at 32 px, 1 thread, f32 and int8; calibration
 * from a .npy batch when one is given.  Returns the sweep's uuid. */
static char *
record_sweep (const char *calibration)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = qviz_store_open (db_path, QVIZ_STORE_READ_WRITE, &error);
  g_autoptr (QvizGraph) graph = NULL;
  g_autoptr (QvizSweepConfig) config = qviz_sweep_config_new ();
  g_autoptr (QvizSweep) latest = NULL;

  g_assert_no_error (error);
  graph = qviz_model_load ("dwsep5x5", &error);
  g_assert_no_error (error);
  g_assert_true (qviz_parse_resolutions ("32", config->resolutions, &error));
  g_array_set_size (config->threads, 0);
  g_assert_true (qviz_parse_threads ("1", config->threads, &error));
  g_array_set_size (config->precisions, 0);
  g_assert_true (qviz_parse_precisions ("f32,int8", config->precisions, &error));
  config->iterations = 2;
  config->cold = 1;
  config->calibration.n_inputs = 2;
  config->calibration.height = config->calibration.width = 32;
  config->calibration.source = calibration;
  g_assert_true (qviz_sweep_execute (graph, store, config, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  latest = qviz_store_latest_sweep (store, "dwsep5x5", NULL, &error);
  g_assert_no_error (error);
  return g_strdup (latest->uuid);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!qviz_test_init_gui (&argc, &argv))
    {
      g_test_skip ("no display");
      return g_test_run ();
    }

  tmpdir = g_dir_make_tmp ("qviz-gui-accuracy-XXXXXX", NULL);
  db_path = g_build_filename (tmpdir, "runs.sqlite", NULL);
  good_uuid = record_sweep (NULL);
  {
    /* inputs fifty times smaller than the measured ones: every int8 range
     * is too narrow, and the layers saturate */
    g_autofree char *cal = g_build_filename (tmpdir, "tiny.npy", NULL);
    g_autofree float *x = qviz_input_synthetic (2, 96, 32, 32, 5);
    QvizShape xs = { 4, { 2, 96, 32, 32 }, FALSE };
    g_autoptr (GError) error = NULL;

    for (gsize i = 0; i < (gsize) 2 * 96 * 32 * 32; i++)
      x[i] *= 0.02f;
    g_assert_true (qviz_npy_write (cal, x, &xs, &error));
    poor_uuid = record_sweep (cal);
  }
  g_assert_cmpstr (good_uuid, !=, poor_uuid);

  app = qviz_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  window = qviz_window_new (app, db_path, "dwsep5x5");
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));

  g_test_add_func ("/gui-accuracy/page", test_accuracy_page);
  g_test_add_func ("/gui-accuracy/banner", test_banner);
  g_test_add_func ("/gui-accuracy/banner-names", test_banner_names);
  g_test_add_func ("/gui-accuracy/narrow", test_narrow);
  g_test_add_func ("/gui-accuracy/keep-float-from-page", test_keep_float_from_page);
  g_test_add_func ("/gui-accuracy/keep-float", test_keep_float);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  qviz_test_remove_dir (tmpdir);
  g_free (good_uuid);
  g_free (poor_uuid);
  return status;
}
