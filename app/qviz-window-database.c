/* qviz-window-database.c: File > Open Database…, and what the window shows
 * when its run store cannot be opened.
 *
 * A store that fails to open (not an SQLite file, a newer schema, another
 * program's tables, a server that refuses) leaves the window without runs:
 * rather than an empty page that invites a sweep it could not keep, the
 * window says what happened in the store's own sentence and offers another
 * database, or the default one.  Opening one is tried off the main thread
 * (a damaged file or a slow server takes time); on success the choice is
 * remembered (database-path) and a window opens on it in place of this one;
 * connecting to a team database goes the same way. */
#include "qviz-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "qviz-application.h"
#include "qviz-window-private.h"

static void
try_open (GTask        *task,
          gpointer      source,
          gpointer      task_data,
          GCancellable *cancellable)
{
  GError *error = NULL;
  const char *location = task_data;
  QvizStore *store = qviz_store_open (location[0] != '\0' ? location : NULL,
                                      QVIZ_STORE_READ_WRITE, &error);

  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  qviz_store_close (store);
  g_task_return_boolean (task, TRUE);
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  QvizWindow *self = QVIZ_WINDOW (source);
  const char *location = g_task_get_task_data (G_TASK (result));
  const char *remember_as = user_data;
  g_autoptr (GError) error = NULL;
  QvizWindow *other;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      qviz_window_toast (self, error->message);
      return;
    }
  if (remember_as != NULL)
    g_settings_set_string (self->settings, remember_as, location);
  /* "" is the default database: new windows follow it again. */
  g_settings_set_string (self->settings, "database-path", location);
  other = qviz_window_new (QVIZ_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))),
                           location[0] != '\0' ? location : NULL, self->model_spec);
  gtk_window_present (GTK_WINDOW (other));
  gtk_window_close (GTK_WINDOW (self));
}

void
qviz_window_open_database (QvizWindow *self,
                           const char *location,
                           const char *remember_as)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (QVIZ_IS_WINDOW (self));
  g_return_if_fail (location != NULL);

  /* remember_as is a static settings key */
  task = g_task_new (self, NULL, on_opened, (gpointer) remember_as);
  g_task_set_task_data (task, g_strdup (location), g_free);
  g_task_run_in_thread (task, try_open);
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     QvizWindow      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        qviz_window_open_database (self, path, NULL);
    }
  g_object_unref (dialog);
}

void
qviz_window_open_database_dialog (QvizWindow *self)
{
  GtkFileChooserNative *dialog;
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  g_return_if_fail (QVIZ_IS_WINDOW (self));

  dialog = gtk_file_chooser_native_new (_("Open Database"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("qviz databases"));
  gtk_file_filter_add_pattern (filter, "*.sqlite");
  gtk_file_filter_add_pattern (filter, "*.db");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
qviz_window_show_store_error (QvizWindow   *self,
                              const char   *location,
                              const GError *error)
{
  g_autofree char *default_path = qviz_store_default_path ();
  g_autofree char *text = NULL;

  g_return_if_fail (QVIZ_IS_WINDOW (self));
  g_return_if_fail (error != NULL);

  /* TRANSLATORS: the store's own sentence, then what the window can do. */
  text = g_strdup_printf (_("%s Runs can be neither shown nor kept until the window opens a database that works."),
                          error->message);
  adw_status_page_set_description (self->store_error_page, text);
  /* Offer the default database only when it is not the one that failed. */
  gtk_widget_set_visible (self->store_error_default,
                          location != NULL && g_strcmp0 (location, default_path) != 0);
  gtk_stack_set_visible_child_name (self->content_stack, "no-store");
}
