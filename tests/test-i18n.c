/* test-i18n.c: the French catalogue built from po/fr.po is the one the
 * application loads, and it is complete. */

#include "qviz-config.h"
#include "qviz-application.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

static void
test_french_loaded (void)
{
  /* The application's own set-up, from the environment a French user has
   * (LC_ALL=fr_FR.UTF-8, set by tests/meson.build) and the build tree's
   * catalogue. */
  qviz_application_init_i18n ();
  if (g_strcmp0 (setlocale (LC_MESSAGES, NULL), "fr_FR.UTF-8") != 0)
    g_error ("The fr_FR.UTF-8 locale is missing; `make test` generates it with localedef.");
  g_assert_cmpstr (setlocale (LC_MESSAGES, NULL), ==, "fr_FR.UTF-8");
  g_assert_cmpstr (_("Overview"), ==, "Vue d’ensemble");
  g_assert_cmpstr (_("Flame Chart"), ==, "Graphe de flammes");
  /* A string of the data files shares the catalogue. */
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "qviz"), !=, NULL);
}

/* Every message of po/fr.po is translated and none is fuzzy. */
static void
test_french_complete (void)
{
  g_autofree char *po = g_test_build_filename (G_TEST_DIST, "..", "po", "fr.po", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) entries = NULL;
  int messages = 0;

  g_assert_true (g_file_get_contents (po, &text, NULL, NULL));
  /* Entries are separated by blank lines. */
  entries = g_strsplit (text, "\n\n", -1);
  for (int i = 0; entries[i]; i++)
    {
      g_auto (GStrv) lines = g_strsplit (entries[i], "\n", -1);
      GString *id = g_string_new (NULL), *str = g_string_new (NULL);
      GString *cur = NULL;
      gboolean fuzzy = FALSE, obsolete = FALSE;

      for (int k = 0; lines[k]; k++)
        {
          const char *l = lines[k];
          if (g_str_has_prefix (l, "#,") && strstr (l, "fuzzy"))
            fuzzy = TRUE;
          else if (g_str_has_prefix (l, "#~"))
            obsolete = TRUE;
          else if (g_str_has_prefix (l, "msgid "))
            cur = id, l += 6;
          else if (g_str_has_prefix (l, "msgstr "))
            cur = str, l += 7;
          else if (g_str_has_prefix (l, "msgid_plural"))
            cur = NULL;
          else if (g_str_has_prefix (l, "msgstr[") && strchr (l, ' ') != NULL)
            cur = str, l = strchr (l, ' ') + 1;
          if (cur != NULL && l[0] == '"')
            g_string_append_len (cur, l + 1, (gssize) strlen (l) - 2);
        }
      if (id->len > 0 && !obsolete)
        {
          messages++;
          if (fuzzy || str->len == 0)
            g_error ("po/fr.po: \"%s\" is %s.", id->str, fuzzy ? "fuzzy" : "not translated");
        }
      g_string_free (id, TRUE);
      g_string_free (str, TRUE);
    }
  g_assert_cmpint (messages, >, 100);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/i18n/french-loaded", test_french_loaded);
  g_test_add_func ("/i18n/french-complete", test_french_complete);
  return g_test_run ();
}
