/* qviz-run-dialog.c: what a new sweep measures, kept in GSettings so that
 * the next sweep starts from the same choices. */

#include "qviz-config.h"
#include "qviz-run-dialog.h"

#include <glib/gi18n.h>

#include "qviz-plan.h"
#include "qviz-sweep.h"
#include "qviz-window-private.h"
/* The ISA levels this build has, as qviz-cli --isa takes them. */
#include "qvk-conv.h"

typedef struct {
  QvizWindow     *window;
  GSettings      *settings;
  GtkWindow      *dialog;
  AdwToastOverlay *toasts;
  AdwEntryRow    *resolutions;
  AdwEntryRow    *threads;
  GtkCheckButton *f32, *int8;
  GtkSpinButton  *iterations, *min_time, *cold;
  AdwActionRow   *calibration_row;
  char           *calibration;
  AdwComboRow    *conv_algo;     /* auto, im2col */
  AdwComboRow    *isa;           /* the best level, then each level up to it */
  GtkSpinButton  *warmup;
  AdwEntryRow    *keep_float;
  char           *message;       /* the last message shown, for tests */
} RunDialog;

/* The choices of the kernels row, in its order. */
static const QvizConvAlgo conv_algos[] = { QVIZ_CONV_ALGO_AUTO, QVIZ_CONV_ALGO_IM2COL };

static void
run_dialog_free (RunDialog *d)
{
  g_object_unref (d->window);
  g_object_unref (d->settings);
  g_free (d->calibration);
  g_free (d->message);
  g_free (d);
}

static char *
ints_to_text (GSettings  *settings,
              const char *key)
{
  g_autoptr (GVariant) v = g_settings_get_value (settings, key);
  gsize n = 0;
  const gint32 *values = g_variant_get_fixed_array (v, &n, sizeof (gint32));
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < n; i++)
    g_string_append_printf (s, "%s%d", i ? "," : "", values[i]);
  return g_string_free (s, FALSE);
}

static GVariant *
ints_variant (GArray *values,
              gsize   element)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("ai"));
  for (guint i = 0; i < values->len; i++)
    g_variant_builder_add (&b, "i", *(int *) (values->data + i * element));
  return g_variant_builder_end (&b);
}

static void
toast (RunDialog  *d,
       const char *message)
{
  g_free (d->message);
  d->message = g_strdup (message);
  adw_toast_overlay_add_toast (d->toasts, adw_toast_new (message));
}

static gboolean
is_conversion (const char *name)
{
  return g_str_has_suffix (name, ":quantize") || g_str_has_suffix (name, ":dequantize");
}

/* The layer names of the window's model, as the engine names them: those
 * of its runs shown (the int8 ones when there are, since the engine checks
 * the names against its int8 plan), or, without runs, of a plan of the
 * loaded model.  NULL when neither is at hand: the engine then says which
 * name it does not know when the sweep starts. */
static GHashTable *
model_layer_names (QvizWindow *window)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean any_int8 = FALSE;

  for (guint i = 0; window->runs != NULL && i < window->runs->len; i++)
    {
      const QvizRun *run = g_ptr_array_index (window->runs, i);
      any_int8 |= g_strcmp0 (run->precision, "int8") == 0 &&
                  g_strcmp0 (run->model_sha256, window->model_sha256) == 0;
    }
  for (guint i = 0; window->runs != NULL && i < window->runs->len; i++)
    {
      const QvizRun *run = g_ptr_array_index (window->runs, i);
      if (g_strcmp0 (run->model_sha256, window->model_sha256) != 0 ||
          (any_int8 && g_strcmp0 (run->precision, "int8") != 0))
        continue;
      for (guint k = 0; run->layers != NULL && k < run->layers->len; k++)
        {
          const char *name = qviz_run_get_layer (run, k)->name;
          if (!is_conversion (name))
            g_hash_table_add (names, g_strdup (name));
        }
    }
  if (g_hash_table_size (names) == 0 && window->graph != NULL)
    {
      g_autoptr (QvizPlan) plan = NULL;
      QvizPlanConfig pc;

      /* The layers only: no arena, whatever the model's size. */
      qviz_plan_config_init (&pc);
      pc.height = pc.width = window->graph->fixed_h > 0 ? window->graph->fixed_h
                                                        : window->graph->default_res;
      pc.width = window->graph->fixed_w > 0 ? window->graph->fixed_w : pc.width;
      pc.layout_only = TRUE;
      plan = qviz_plan_new (window->graph, &pc, NULL);
      for (int k = 0; plan != NULL && k < qviz_plan_get_n_layers (plan); k++)
        g_hash_table_add (names, g_strdup (qviz_plan_get_layer (plan, k)->name));
    }
  if (g_hash_table_size (names) == 0)
    g_clear_pointer (&names, g_hash_table_unref);
  return names;
}

/* The names of the Keep in float row, checked against the model's layers;
 * NULL with a message shown when one is not a layer of it.  An empty row
 * gives an empty list. */
static GStrv
parse_keep_float (RunDialog *d,
                  gboolean   int8)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (d->keep_float));
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr (GStrvBuilder) kept = g_strv_builder_new ();
  g_autoptr (GHashTable) known = NULL;
  guint n = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] == '\0')
        continue;
      if (known == NULL)
        known = model_layer_names (d->window);
      if (known != NULL && !g_hash_table_contains (known, parts[i]))
        {
          g_autofree char *message = NULL;
          if (is_conversion (parts[i]))
            message = g_strdup_printf (_("'%s' is a conversion around a layer kept in float; name the layer itself."),
                                       parts[i]);
          else
            message = g_strdup_printf (_("Keep in float: '%s' is not a layer of %s; the Layers page lists its layers."),
                                       parts[i], d->window->model_name ? d->window->model_name : "");
          toast (d, message);
          return NULL;
        }
      g_strv_builder_add (kept, parts[i]);
      n++;
    }
  if (n > 0 && !int8)
    {
      toast (d, _("Layers are kept in float inside int8 runs only; tick Quantized (int8)."));
      return NULL;
    }
  return g_strv_builder_end (kept);
}

gboolean
qviz_run_dialog_start (GtkWindow *dialog)
{
  RunDialog *d;
  g_autoptr (GArray) res = g_array_new (FALSE, FALSE, sizeof (QvizResolution));
  g_autoptr (GArray) threads = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GArray) squares = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) keep_float = NULL;
  QvizSweepConfig *config;
  const char *res_text, *thr_text;
  const char *precisions[3] = { NULL };
  guint n_prec = 0, isa;

  g_return_val_if_fail (GTK_IS_WINDOW (dialog), FALSE);
  d = g_object_get_data (G_OBJECT (dialog), "qviz-run-dialog");
  g_return_val_if_fail (d != NULL, FALSE);

  res_text = gtk_editable_get_text (GTK_EDITABLE (d->resolutions));
  thr_text = gtk_editable_get_text (GTK_EDITABLE (d->threads));
  if (!qviz_parse_resolutions (res_text, res, &error))
    {
      toast (d, error->message);
      return FALSE;
    }
  for (guint i = 0; i < res->len; i++)
    {
      QvizResolution *r = &g_array_index (res, QvizResolution, i);
      if (r->height == r->width)
        g_array_append_val (squares, r->height);
    }
  if (thr_text[0] != '\0' && !qviz_parse_threads (thr_text, threads, &error))
    {
      toast (d, error->message);
      return FALSE;
    }
  if (gtk_check_button_get_active (d->f32))
    precisions[n_prec++] = "f32";
  if (gtk_check_button_get_active (d->int8))
    precisions[n_prec++] = "int8";
  if (n_prec == 0)
    {
      toast (d, _("Choose at least one precision."));
      return FALSE;
    }
  keep_float = parse_keep_float (d, gtk_check_button_get_active (d->int8));
  if (keep_float == NULL)
    return FALSE;

  /* What is kept for the next sweep; sizes that are not square (from a
   * run of the Layers page) are run but cannot be kept as defaults. */
  if (squares->len == res->len)
    g_settings_set_value (d->settings, "default-resolutions", ints_variant (squares, sizeof (int)));
  g_settings_set_value (d->settings, "default-threads", ints_variant (threads, sizeof (int)));
  g_settings_set_strv (d->settings, "default-precisions", precisions);
  g_settings_set_int (d->settings, "iterations", gtk_spin_button_get_value_as_int (d->iterations));
  g_settings_set_double (d->settings, "min-time", gtk_spin_button_get_value (d->min_time));
  g_settings_set_int (d->settings, "cold-passes", gtk_spin_button_get_value_as_int (d->cold));
  g_free (d->window->calibration);
  d->window->calibration = g_strdup (d->calibration);

  /* This sweep only: the kernels, the ISA, the warm-up and the layers in
   * float, as qviz-cli run's options. */
  config = qviz_window_sweep_config_from_settings (d->window);
  g_array_set_size (config->resolutions, 0);
  g_array_append_vals (config->resolutions, res->data, res->len);
  config->conv_algo = conv_algos[MIN (adw_combo_row_get_selected (d->conv_algo), G_N_ELEMENTS (conv_algos) - 1)];
  isa = adw_combo_row_get_selected (d->isa);
  config->isa = isa == 0 || isa == GTK_INVALID_LIST_POSITION ? -1 : (int) isa - 1;
  config->warmup = gtk_spin_button_get_value_as_int (d->warmup);
  if (keep_float[0] != NULL)
    config->keep_float = g_steal_pointer (&keep_float);
  qviz_window_start_sweep_with_config (d->window, config);
  gtk_window_close (d->dialog);
  return TRUE;
}

const char *
qviz_run_dialog_get_message (GtkWindow *dialog)
{
  RunDialog *d;

  g_return_val_if_fail (GTK_IS_WINDOW (dialog), NULL);
  d = g_object_get_data (G_OBJECT (dialog), "qviz-run-dialog");
  g_return_val_if_fail (d != NULL, NULL);
  return d->message;
}

const char *
qviz_run_dialog_get_keep_float (GtkWindow *dialog)
{
  RunDialog *d;

  g_return_val_if_fail (GTK_IS_WINDOW (dialog), NULL);
  d = g_object_get_data (G_OBJECT (dialog), "qviz-run-dialog");
  g_return_val_if_fail (d != NULL, NULL);
  return gtk_editable_get_text (GTK_EDITABLE (d->keep_float));
}

void
qviz_run_dialog_set_keep_float (GtkWindow  *dialog,
                                const char *layers)
{
  RunDialog *d;

  g_return_if_fail (GTK_IS_WINDOW (dialog));
  d = g_object_get_data (G_OBJECT (dialog), "qviz-run-dialog");
  g_return_if_fail (d != NULL);
  gtk_editable_set_text (GTK_EDITABLE (d->keep_float), layers ? layers : "");
}

void
qviz_run_dialog_prefill (GtkWindow     *dialog,
                         const QvizRun *run,
                         const char    *keep_float)
{
  RunDialog *d;

  g_return_if_fail (GTK_IS_WINDOW (dialog));
  d = g_object_get_data (G_OBJECT (dialog), "qviz-run-dialog");
  g_return_if_fail (d != NULL);

  if (run != NULL)
    {
      g_autofree char *res = run->height == run->width ? g_strdup_printf ("%d", run->height)
                                                       : g_strdup_printf ("%dx%d", run->height, run->width);
      g_autofree char *threads = g_strdup_printf ("%d", run->threads);
      qvk_isa level;

      gtk_editable_set_text (GTK_EDITABLE (d->resolutions), res);
      gtk_editable_set_text (GTK_EDITABLE (d->threads), threads);
      adw_combo_row_set_selected (d->conv_algo, g_strcmp0 (run->conv_algo, "im2col") == 0 ? 1 : 0);
      /* The level the run used, unless it is this machine's best anyway. */
      if (run->isa != NULL && qvk_isa_parse (run->isa, &level) && level < qvk_isa_detect ())
        adw_combo_row_set_selected (d->isa, (guint) level + 1);
    }
  gtk_check_button_set_active (d->f32, FALSE);
  gtk_check_button_set_active (d->int8, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (d->keep_float), keep_float ? keep_float : "");
  /* The row the user came for takes the typing. */
  gtk_window_set_focus (dialog, GTK_WIDGET (d->keep_float));
}

gboolean
qviz_run_dialog_set_kernels (GtkWindow  *dialog,
                             const char *conv_algo,
                             const char *isa,
                             int         warmup)
{
  RunDialog *d;
  qvk_isa level;

  g_return_val_if_fail (GTK_IS_WINDOW (dialog), FALSE);
  d = g_object_get_data (G_OBJECT (dialog), "qviz-run-dialog");
  g_return_val_if_fail (d != NULL, FALSE);

  if (conv_algo != NULL && !g_str_equal (conv_algo, "auto") && !g_str_equal (conv_algo, "im2col"))
    return FALSE;
  if (isa != NULL && (!qvk_isa_parse (isa, &level) || level > qvk_isa_detect ()))
    return FALSE;
  if (conv_algo != NULL)
    adw_combo_row_set_selected (d->conv_algo, g_str_equal (conv_algo, "im2col") ? 1 : 0);
  adw_combo_row_set_selected (d->isa, isa != NULL ? (guint) level + 1 : 0);
  gtk_spin_button_set_value (d->warmup, MAX (warmup, 0));
  return TRUE;
}

static void
on_start (GtkButton *button,
          RunDialog *d)
{
  qviz_run_dialog_start (d->dialog);
}

static void
update_calibration_row (RunDialog *d)
{
  adw_action_row_set_subtitle (d->calibration_row,
                               d->calibration ? d->calibration
                                              : _("Synthetic images (no folder chosen)"));
}

static void
on_calibration_response (GtkNativeDialog *chooser,
                         int              response,
                         RunDialog       *d)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_free (d->calibration);
      d->calibration = file ? g_file_get_path (file) : NULL;
      update_calibration_row (d);
    }
  g_object_unref (chooser);
}

static void
on_choose_calibration (GtkButton *button,
                       RunDialog *d)
{
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Calibration Images"), d->dialog,
                                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), _("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_calibration_response), d);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_clear_calibration (GtkButton *button,
                      RunDialog *d)
{
  g_clear_pointer (&d->calibration, g_free);
  update_calibration_row (d);
}

static GtkSpinButton *
spin_row (AdwPreferencesGroup *group,
          const char          *title,
          const char          *subtitle,
          double               lo,
          double               hi,
          double               step,
          guint                digits,
          double               value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (lo, hi, step);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_preferences_group_add (group, row);
  return GTK_SPIN_BUTTON (spin);
}

static GtkCheckButton *
check_row (AdwPreferencesGroup *group,
           const char          *title,
           const char          *subtitle,
           gboolean             active)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), active);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  adw_preferences_group_add (group, row);
  return GTK_CHECK_BUTTON (check);
}

GtkWindow *
qviz_run_dialog_new (QvizWindow *window,
                     GSettings  *settings,
                     const char *model_name,
                     const char *calibration)
{
  RunDialog *d = g_new0 (RunDialog, 1);
  GtkWidget *dialog = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *cancel, *start, *button;
  AdwPreferencesGroup *group;
  g_autofree char *res_text = ints_to_text (settings, "default-resolutions");
  g_autofree char *thr_text = ints_to_text (settings, "default-threads");
  g_auto (GStrv) precisions = g_settings_get_strv (settings, "default-precisions");
  g_autofree char *title = g_strdup_printf (_("Run %s"), model_name ? model_name : "");
  GtkEventController *keys;
  GtkShortcut *shortcut;

  d->window = g_object_ref (window);
  d->settings = g_object_ref (settings);
  d->dialog = GTK_WINDOW (dialog);
  d->calibration = g_strdup (calibration);
  g_object_set_data_full (G_OBJECT (dialog), "qviz-run-dialog", d, (GDestroyNotify) run_dialog_free);

  gtk_window_set_title (GTK_WINDOW (dialog), title);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_set_default_size (GTK_WINDOW (dialog), 520, 780);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);

  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_close), dialog);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  start = gtk_button_new_with_mnemonic (_("_Start"));
  gtk_widget_add_css_class (start, "suggested-action");
  g_signal_connect (start, "clicked", G_CALLBACK (on_start), d);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), start);
  gtk_box_append (GTK_BOX (box), header);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Configurations"));
  adw_preferences_group_set_description (group, _("Every resolution is run with every thread count in every precision."));
  d->resolutions = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (d->resolutions), _("Resolutions (pixels, e.g. 256,512,1024)"));
  gtk_editable_set_text (GTK_EDITABLE (d->resolutions), res_text);
  adw_preferences_group_add (group, GTK_WIDGET (d->resolutions));
  d->threads = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (d->threads), _("Thread counts (empty: 1 to the number of cores)"));
  gtk_editable_set_text (GTK_EDITABLE (d->threads), thr_text);
  adw_preferences_group_add (group, GTK_WIDGET (d->threads));
  d->f32 = check_row (group, _("Float (f32)"), _("The model as trained"),
                      g_strv_contains ((const char * const *) precisions, "f32"));
  d->int8 = check_row (group, _("Quantized (int8)"), _("Post-training static quantization, with per-layer SQNR"),
                       g_strv_contains ((const char * const *) precisions, "int8"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), group);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Kernels"));
  adw_preferences_group_set_description (group, _("For this sweep only, as qviz-cli run's --conv-algo, --isa and --keep-float."));
  {
    g_autoptr (GtkStringList) algos = gtk_string_list_new (NULL);
    g_autoptr (GtkStringList) levels = gtk_string_list_new (NULL);
    g_autofree char *best = g_strdup_printf (_("Best here (%s)"), qvk_isa_name (qvk_isa_detect ()));

    gtk_string_list_append (algos, _("Fastest per layer (auto)"));
    gtk_string_list_append (algos, _("im2col + GEMM for every convolution"));
    d->conv_algo = ADW_COMBO_ROW (adw_combo_row_new ());
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (d->conv_algo), _("Convolutions"));
    adw_combo_row_set_model (d->conv_algo, G_LIST_MODEL (algos));
    adw_preferences_group_add (group, GTK_WIDGET (d->conv_algo));

    gtk_string_list_append (levels, best);
    for (int level = 0; level <= (int) qvk_isa_detect (); level++)
      gtk_string_list_append (levels, qvk_isa_name ((qvk_isa) level));
    d->isa = ADW_COMBO_ROW (adw_combo_row_new ());
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (d->isa), _("Highest ISA"));
    adw_action_row_set_subtitle (ADW_ACTION_ROW (d->isa), _("Kernels use no instructions above this level"));
    adw_combo_row_set_model (d->isa, G_LIST_MODEL (levels));
    adw_preferences_group_add (group, GTK_WIDGET (d->isa));
  }
  d->keep_float = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (d->keep_float),
                                 _("Keep in float (int8 runs; layer names, comma-separated)"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (d->keep_float),
                               _("These layers run in float inside the int8 model, with their conversions timed as layers of their own"));
  adw_preferences_group_add (group, GTK_WIDGET (d->keep_float));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), group);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Measuring"));
  d->iterations = spin_row (group, _("Timed passes"), _("Per configuration; 0 uses the minimum time"),
                            0, 100000, 1, 0, g_settings_get_int (settings, "iterations"));
  d->min_time = spin_row (group, _("Minimum time"), _("Seconds of timed passes when the count is 0"),
                          0.1, 60, 0.1, 1, g_settings_get_double (settings, "min-time"));
  d->cold = spin_row (group, _("Cold passes"), _("First passes after planning, recorded apart"),
                      0, 20, 1, 0, g_settings_get_int (settings, "cold-passes"));
  d->warmup = spin_row (group, _("Warm-up passes"), _("Run after the cold passes and thrown away, before the timed ones"),
                        0, 100000, 1, 0, 0);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), group);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Calibration"));
  d->calibration_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (d->calibration_row), _("int8 calibration images"));
  button = gtk_button_new_from_icon_name ("edit-clear-symbolic");
  gtk_widget_set_tooltip_text (button, _("Use synthetic images"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect (button, "clicked", G_CALLBACK (on_clear_calibration), d);
  adw_action_row_add_suffix (d->calibration_row, button);
  button = gtk_button_new_with_mnemonic (_("C_hoose…"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect (button, "clicked", G_CALLBACK (on_choose_calibration), d);
  adw_action_row_add_suffix (d->calibration_row, button);
  update_calibration_row (d);
  adw_preferences_group_add (group, GTK_WIDGET (d->calibration_row));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), group);

  d->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (d->toasts, page);
  gtk_widget_set_vexpand (GTK_WIDGET (d->toasts), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (d->toasts));
  adw_window_set_content (ADW_WINDOW (dialog), box);

  keys = GTK_EVENT_CONTROLLER (gtk_shortcut_controller_new ());
  shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                               gtk_named_action_new ("window.close"));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys), shortcut);
  gtk_widget_add_controller (dialog, keys);
  gtk_window_set_default_widget (GTK_WINDOW (dialog), start);
  return GTK_WINDOW (dialog);
}
