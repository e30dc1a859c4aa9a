/* qviz-main.c: `qviz [--db FILE] [MODEL]`, the desktop application. */

#include "qviz-config.h"

#include "qviz-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr (QvizApplication) app = NULL;

  qviz_application_init_i18n ();

  app = qviz_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
