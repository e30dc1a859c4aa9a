/* qviz-application.c: command line, app-wide actions and accelerators,
 * preferences, keyboard shortcuts and the about window. */

#include "qviz-config.h"
#include "qviz-commit.h"
#include "qviz-application.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "qviz-model.h"
#include "qviz-resources.h"
#include "qviz-store.h"
#include "qviz-store-pg.h"
#include "qviz-window.h"

struct _QvizApplication
{
  AdwApplication parent_instance;
  GSettings     *settings;
};

G_DEFINE_FINAL_TYPE (QvizApplication, qviz_application, ADW_TYPE_APPLICATION)

static void
apply_color_scheme (QvizApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwColorScheme value = ADW_COLOR_SCHEME_DEFAULT;

  if (g_str_equal (scheme, "light"))
    value = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_str_equal (scheme, "dark"))
    value = ADW_COLOR_SCHEME_FORCE_DARK;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), value);
}

static void
action_quit (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  GApplication *app = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Closing each window saves its size and cancels its sweep cleanly. */
  g_autoptr (GList) copy = g_list_copy (windows);

  for (GList *l = copy; l; l = l->next)
    gtk_window_close (l->data);
  g_application_quit (app);
}

static void
action_about (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *developers[] = { _("The qviz authors"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", "qviz",
                        "application-icon", QVIZ_APP_ID,
                        "version", QVIZ_VERSION,
                        "comments", _("A profiler for quantized CNN inference on the CPU: see why int8 is, or is not, faster than float, layer by layer."),
                        "developer-name", _("The qviz authors"),
                        "developers", developers,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "debug-info", "qviz " QVIZ_VERSION " (" QVIZ_GIT_COMMIT ")",
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static gboolean
scheme_to_index (GValue   *value,
                 GVariant *variant,
                 gpointer  user_data)
{
  const char *s = g_variant_get_string (variant, NULL);
  g_value_set_uint (value, g_str_equal (s, "light") ? 1 : g_str_equal (s, "dark") ? 2 : 0);
  return TRUE;
}

static GVariant *
index_to_scheme (const GValue       *value,
                 const GVariantType *type,
                 gpointer            user_data)
{
  const char *names[] = { "default", "light", "dark" };
  return g_variant_new_string (names[MIN (g_value_get_uint (value), 2)]);
}

static void
action_preferences (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  QvizApplication *self = user_data;
  GtkWidget *window = adw_preferences_window_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *row, *sw;
  const char *schemes[] = { _("Follow System"), _("Light"), _("Dark"), NULL };
  g_autofree char *default_db = NULL;

  gtk_window_set_transient_for (GTK_WINDOW (window),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Appearance"));
  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Style"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (gtk_string_list_new (schemes)));
  g_settings_bind_with_mapping (self->settings, "color-scheme", row, "selected",
                                G_SETTINGS_BIND_DEFAULT, scheme_to_index, index_to_scheme, NULL, NULL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Logarithmic latency axis"));
  sw = gtk_switch_new ();
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  g_settings_bind (self->settings, "log-axis", sw, "active", G_SETTINGS_BIND_DEFAULT);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Runs"));
  row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Database file"));
  g_settings_bind (self->settings, "database-path", row, "text", G_SETTINGS_BIND_DEFAULT);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  {
    g_autofree char *path = qviz_store_default_path ();
    default_db = g_strdup_printf (_("New windows open this file; left empty, the default one: %s."), path);
  }
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), default_db);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  gtk_window_present (GTK_WINDOW (window));
}

static void
action_shortcuts (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  GtkApplication *app = user_data;
  g_autoptr (GtkBuilder) builder = gtk_builder_new_from_resource ("/org/qviz/Qviz/ui/qviz-shortcuts.ui");
  GtkWindow *window = GTK_WINDOW (gtk_builder_get_object (builder, "window"));

  gtk_window_set_transient_for (window, gtk_application_get_active_window (app));
  gtk_window_present (window);
}

/* The accelerators are the ones the shortcuts window lists: every
 * shortcut there that names an action gives that action its accelerators
 * (space-separated; a hidden shortcut adds a keypad key), so what the
 * window shows is what the keys do. */
static void
qviz_application_set_accels_from_shortcuts (GtkApplication *app)
{
  g_autoptr (GtkBuilder) builder = gtk_builder_new_from_resource ("/org/qviz/Qviz/ui/qviz-shortcuts.ui");
  g_autoptr (GSList) objects = gtk_builder_get_objects (builder);
  g_autoptr (GHashTable) accels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  gpointer action, list;

  for (GSList *l = objects; l != NULL; l = l->next)
    {
      g_autofree char *name = NULL;
      g_autofree char *accelerator = NULL;
      g_auto (GStrv) keys = NULL;
      GPtrArray *set;

      if (!GTK_IS_SHORTCUTS_SHORTCUT (l->data))
        continue;
      g_object_get (l->data, "action-name", &name, "accelerator", &accelerator, NULL);
      if (name == NULL || accelerator == NULL)
        continue;
      set = g_hash_table_lookup (accels, name);
      if (set == NULL)
        {
          set = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (accels, g_strdup (name), set);
        }
      keys = g_strsplit (accelerator, " ", -1);
      for (guint i = 0; keys[i] != NULL; i++)
        {
          if (!gtk_accelerator_parse (keys[i], NULL, NULL))
            g_warning ("qviz-shortcuts.ui: \"%s\" of %s is not an accelerator", keys[i], name);
          g_ptr_array_add (set, g_strdup (keys[i]));
        }
    }
  g_hash_table_iter_init (&iter, accels);
  while (g_hash_table_iter_next (&iter, &action, &list))
    {
      g_ptr_array_add (list, NULL);
      gtk_application_set_accels_for_action (app, action, (const char *const *) ((GPtrArray *) list)->pdata);
    }
  /* the builder's toplevel window is ours to destroy */
  gtk_window_destroy (GTK_WINDOW (gtk_builder_get_object (builder, "window")));
}

static const GActionEntry app_actions[] = {
  { "quit", action_quit },
  { "preferences", action_preferences },
  { "shortcuts", action_shortcuts },
  { "about", action_about },
};

static void
qviz_application_startup (GApplication *app)
{
  QvizApplication *self = QVIZ_APPLICATION (app);
  GtkApplication *gtk_app = GTK_APPLICATION (app);

  G_APPLICATION_CLASS (qviz_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  qviz_application_set_accels_from_shortcuts (gtk_app);

  self->settings = g_settings_new ("org.qviz.Qviz");
  g_signal_connect_swapped (self->settings, "changed::color-scheme", G_CALLBACK (apply_color_scheme), self);
  apply_color_scheme (self);
  gtk_window_set_default_icon_name (QVIZ_APP_ID);

  {
    g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();
    gtk_css_provider_load_from_data (css,
      ".qviz-headline { padding: 12px 16px; }\n"
      /* Compare: a layer whose change is within timing noise recedes. */
      ".qviz-within-noise { opacity: 0.5; }\n"
      "qvizcurvesview, qvizbreakdownview { min-height: 360px; }\n", -1);
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
}

static int
qviz_application_command_line (GApplication            *app,
                               GApplicationCommandLine *cmdline)
{
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  g_autofree char *db = NULL;
  g_autofree char *db_abs = NULL;
  g_auto (GStrv) rest = NULL;
  g_autofree char *model = NULL;
  QvizWindow *window;

  g_variant_dict_lookup (options, "db", "^ay", &db);
  g_variant_dict_lookup (options, G_OPTION_REMAINING, "^aay", &rest);
  if (qviz_store_location_is_postgres (db))
    db_abs = g_strdup (db); /* a team's server, not a file */
  else if (db != NULL)
    {
      g_autoptr (GFile) f = g_application_command_line_create_file_for_arg (cmdline, db);
      db_abs = g_file_get_path (f);
    }
  if (rest != NULL && rest[0] != NULL)
    {
      if (rest[1] != NULL)
        {
          g_application_command_line_printerr (cmdline, _("qviz takes one MODEL, got '%s' too.\n"), rest[1]);
          return 2;
        }
      if (qviz_model_spec_is_file (rest[0]))
        {
          g_autoptr (GFile) f = g_application_command_line_create_file_for_arg (cmdline, rest[0]);
          model = g_file_get_path (f);
        }
      else
        model = g_strdup (rest[0]);
    }
  window = qviz_window_new (QVIZ_APPLICATION (app), db_abs, model);
  gtk_window_present (GTK_WINDOW (window));
  return 0;
}

static int
qviz_application_handle_local_options (GApplication *app,
                                       GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("qviz %s (%s)\n", QVIZ_VERSION, QVIZ_GIT_COMMIT);
      return 0;
    }
  return -1;
}

static void
qviz_application_finalize (GObject *object)
{
  QvizApplication *self = QVIZ_APPLICATION (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (qviz_application_parent_class)->finalize (object);
}

static void
qviz_application_class_init (QvizApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = qviz_application_finalize;
  app_class->startup = qviz_application_startup;
  app_class->command_line = qviz_application_command_line;
  app_class->handle_local_options = qviz_application_handle_local_options;
}

static void
qviz_application_init (QvizApplication *self)
{
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Run database: a file or a team's postgresql:// URI (default: $QVIZ_DB, the one in Preferences, else the user data folder)"), N_("FILE|URI") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, N_("[MODEL]") },
    { NULL }
  };

  /* The icons are compiled in; referring to them keeps the linker from
   * dropping them out of the static library (they register themselves). */
  g_assert (qviz_get_resource () != NULL);
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[MODEL]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
    _("MODEL is a built-in model's name or an ONNX file; without it the last model used is shown."));
}

void
qviz_application_init_i18n (void)
{
  const char *dir = g_getenv ("QVIZ_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, dir != NULL && *dir != '\0' ? dir : QVIZ_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

QvizApplication *
qviz_application_new (void)
{
  /* One process per invocation: each may look at a different database. */
  return g_object_new (QVIZ_TYPE_APPLICATION,
                       "application-id", QVIZ_APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/org/qviz/Qviz",
                       NULL);
}

GSettings *
qviz_application_get_settings (QvizApplication *self)
{
  g_return_val_if_fail (QVIZ_IS_APPLICATION (self), NULL);

  return self->settings;
}
