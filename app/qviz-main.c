/* qviz-main.c: `qviz [--db FILE] [MODEL]`, the desktop application. */

#include "qviz-config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "qviz-application.h"

#define QVIZ_SCHEMA_ID "org.qviz.Qviz"

/* Run straight from the build directory (build/app/qviz), the schema is not
 * installed but compiled beside the build's data files: use that one.  An
 * installed qviz has no ../data/gschemas.compiled next to it. */
static void
use_build_schemas (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL, *data = NULL, *compiled = NULL;
  const char *current = g_getenv ("GSETTINGS_SCHEMA_DIR");

  if (exe == NULL)
    return;
  dir = g_path_get_dirname (exe);
  data = g_build_filename (dir, "..", "data", NULL);
  compiled = g_build_filename (data, "gschemas.compiled", NULL);
  if (!g_file_test (compiled, G_FILE_TEST_IS_REGULAR))
    return;
  if (current != NULL && *current != '\0')
    {
      g_autofree char *both = g_strconcat (current, G_SEARCHPATH_SEPARATOR_S, data, NULL);
      g_setenv ("GSETTINGS_SCHEMA_DIR", both, TRUE);
    }
  else
    g_setenv ("GSETTINGS_SCHEMA_DIR", data, TRUE);
}

/* GSettings aborts on a missing schema; say what is missing instead. */
static gboolean
schema_available (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, QVIZ_SCHEMA_ID, TRUE);
  return schema != NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (QvizApplication) app = NULL;

  qviz_application_init_i18n ();

  use_build_schemas ();
  if (!schema_available ())
    {
      /* TRANSLATORS: %s is the GSettings schema id. */
      g_printerr (_("qviz: the settings schema %s is not installed: install qviz (meson install), "
                    "or set GSETTINGS_SCHEMA_DIR to the folder of its gschemas.compiled "
                    "(the data folder of the build directory).\n"), QVIZ_SCHEMA_ID);
      return 1;
    }

  app = qviz_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
