/* qviz-main.c: `qviz [--db FILE] [MODEL]`, the desktop application. */

#include "qviz-config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "qviz-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr (QvizApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, QVIZ_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = qviz_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
