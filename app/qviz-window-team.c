/* qviz-window-team.c: File > Connect to Team Database…
 *
 * A team keeps its runs on a PostgreSQL server (see docs/teams.md).  The
 * window asks for the server's postgresql:// URI, tries it off the main
 * thread (a server that does not answer takes seconds), and on success
 * remembers it in GSettings (database-path, so that new windows open it,
 * and team-database, to offer it next time) and opens a window on it.
 * The password is never qviz's to keep: libpq reads it from ~/.pgpass, and
 * a URI that carries one is refused before it could be stored. */
#include "qviz-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "qviz-application.h"
#include "qviz-store-pg.h"
#include "qviz-window-private.h"

/* Whether uri has a password (user:secret@host or ?password=...). */
static gboolean
uri_has_password (const char *uri)
{
  const char *authority = strstr (uri, "://");
  const char *at, *slash;

  if (strstr (uri, "password=") != NULL)
    return TRUE;
  if (authority == NULL)
    return FALSE;
  authority += 3;
  at = strchr (authority, '@');
  slash = strchr (authority, '/');
  return at != NULL && (slash == NULL || at < slash)
         && memchr (authority, ':', (gsize) (at - authority)) != NULL;
}

void
qviz_window_connect_team (QvizWindow *self,
                          const char *uri)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (uri));

  g_return_if_fail (QVIZ_IS_WINDOW (self));

  if (!qviz_store_location_is_postgres (trimmed))
    {
      qviz_window_toast (self, _("A team database is a postgresql:// URI, e.g. postgresql://lab-server/qviz."));
      return;
    }
  if (uri_has_password (trimmed))
    {
      qviz_window_toast (self, _("Leave the password out of the URI: put it in ~/.pgpass, where the connection reads it; qviz does not store it."));
      return;
    }
  qviz_window_open_database (self, trimmed, "team-database");
}

static void
on_dialog_response (AdwMessageDialog *dialog,
                    const char       *response,
                    QvizWindow       *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "uri-entry");

  if (g_str_equal (response, "connect"))
    qviz_window_connect_team (self, gtk_editable_get_text (entry));
}

void
qviz_window_connect_team_dialog (QvizWindow *self)
{
  GtkWidget *dialog, *entry;
  g_autofree char *last = g_settings_get_string (self->settings, "team-database");

  g_return_if_fail (QVIZ_IS_WINDOW (self));

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Connect to Team Database"),
                                   _("The PostgreSQL database your team sweeps into, as "
                                     "postgresql://[user@]host[:port]/dbname. The password "
                                     "is read from ~/.pgpass."));
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), last);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "postgresql://lab-server/qviz");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  g_object_set_data (G_OBJECT (dialog), "uri-entry", entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "connect", _("C_onnect"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "connect",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "connect");
  g_signal_connect (dialog, "response", G_CALLBACK (on_dialog_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}
