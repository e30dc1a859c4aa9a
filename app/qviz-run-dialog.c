/* qviz-run-dialog.c: what a new sweep measures, kept in GSettings so that
 * the next sweep starts from the same choices. */

#include "qviz-config.h"
#include "qviz-run-dialog.h"

#include <glib/gi18n.h>

#include "qviz-sweep.h"
#include "qviz-window-private.h"

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
} RunDialog;

static void
run_dialog_free (RunDialog *d)
{
  g_object_unref (d->window);
  g_object_unref (d->settings);
  g_free (d->calibration);
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
  adw_toast_overlay_add_toast (d->toasts, adw_toast_new (message));
}

static void
on_start (GtkButton *button,
          RunDialog *d)
{
  g_autoptr (GArray) res = g_array_new (FALSE, FALSE, sizeof (QvizResolution));
  g_autoptr (GArray) threads = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GArray) squares = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GError) error = NULL;
  const char *res_text = gtk_editable_get_text (GTK_EDITABLE (d->resolutions));
  const char *thr_text = gtk_editable_get_text (GTK_EDITABLE (d->threads));
  const char *precisions[3] = { NULL };
  guint n_prec = 0;

  if (!qviz_parse_resolutions (res_text, res, &error))
    {
      toast (d, error->message);
      return;
    }
  for (guint i = 0; i < res->len; i++)
    {
      QvizResolution *r = &g_array_index (res, QvizResolution, i);
      if (r->height != r->width)
        {
          toast (d, _("Only square resolutions can be kept as defaults; use sizes like 256,512."));
          return;
        }
      g_array_append_val (squares, r->height);
    }
  if (thr_text[0] != '\0' && !qviz_parse_threads (thr_text, threads, &error))
    {
      toast (d, error->message);
      return;
    }
  if (gtk_check_button_get_active (d->f32))
    precisions[n_prec++] = "f32";
  if (gtk_check_button_get_active (d->int8))
    precisions[n_prec++] = "int8";
  if (n_prec == 0)
    {
      toast (d, _("Choose at least one precision."));
      return;
    }

  g_settings_set_value (d->settings, "default-resolutions", ints_variant (squares, sizeof (int)));
  g_settings_set_value (d->settings, "default-threads", ints_variant (threads, sizeof (int)));
  g_settings_set_strv (d->settings, "default-precisions", precisions);
  g_settings_set_int (d->settings, "iterations", gtk_spin_button_get_value_as_int (d->iterations));
  g_settings_set_double (d->settings, "min-time", gtk_spin_button_get_value (d->min_time));
  g_settings_set_int (d->settings, "cold-passes", gtk_spin_button_get_value_as_int (d->cold));
  g_free (d->window->calibration);
  d->window->calibration = g_strdup (d->calibration);

  gtk_widget_activate_action (GTK_WIDGET (d->window), "win.start-sweep", NULL);
  gtk_window_close (d->dialog);
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
  adw_preferences_group_set_title (group, _("Measuring"));
  d->iterations = spin_row (group, _("Timed passes"), _("Per configuration; 0 uses the minimum time"),
                            0, 100000, 1, 0, g_settings_get_int (settings, "iterations"));
  d->min_time = spin_row (group, _("Minimum time"), _("Seconds of timed passes when the count is 0"),
                          0.1, 60, 0.1, 1, g_settings_get_double (settings, "min-time"));
  d->cold = spin_row (group, _("Cold passes"), _("First passes after planning, recorded apart"),
                      0, 20, 1, 0, g_settings_get_int (settings, "cold-passes"));
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
