/* gui-harness.c: see gui-harness.h. */

#include "gui-harness.h"

#include <string.h>

#include <glib/gstdio.h>

gboolean
qviz_test_iterate_until (QvizTestCondition cond,
                         gpointer          data,
                         double            seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  for (int i = 0; i < 50 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
  return TRUE;
}

void
qviz_test_settle (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

guint
qviz_test_count_ink (GtkWidget *widget,
                     guint     *total)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autoptr (GHashTable) counts = g_hash_table_new (NULL, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_autofree guint32 *pixels = NULL;
  guint32 background = 0;
  guint best = 0, ink = 0;

  g_assert_cmpint (w, >, 50);
  g_assert_cmpint (h, >, 50);
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  pixels = g_new (guint32, (gsize) w * h);
  gdk_texture_download (texture, (guchar *) pixels, (gsize) w * 4);
  for (gsize i = 0; i < (gsize) w * h; i++)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (pixels[i]))) + 1;
      g_hash_table_insert (counts, GUINT_TO_POINTER (pixels[i]), GUINT_TO_POINTER (n));
      if (n > best)
        best = n, background = pixels[i];
    }
  for (gsize i = 0; i < (gsize) w * h; i++)
    ink += pixels[i] != background;
  *total = (guint) w * h;
  return ink;
}

static void
find_widgets (GtkWidget *widget,
              GType      type,
              GPtrArray *out)
{
  if (g_type_is_a (G_OBJECT_TYPE (widget), type))
    g_ptr_array_add (out, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    find_widgets (child, type, out);
}

GPtrArray *
qviz_test_find_widgets (GtkWidget *root,
                        GType      type)
{
  GPtrArray *out = g_ptr_array_new ();

  find_widgets (root, type, out);
  return out;
}

GtkWidget *
qviz_test_find_widget (GtkWidget *root,
                       GType      type)
{
  g_autoptr (GPtrArray) all = qviz_test_find_widgets (root, type);

  return all->len > 0 ? g_ptr_array_index (all, 0) : NULL;
}

static gboolean
ignore_session_bus (const char     *log_domain,
                    GLogLevelFlags  log_level,
                    const char     *message,
                    gpointer        user_data)
{
  return strstr (message, "session bus") == NULL && strstr (message, "dbus") == NULL;
}

gboolean
qviz_test_init_gui (int    *argc,
                    char ***argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_test_init (argc, argv, NULL);
  g_test_log_set_fatal_handler (ignore_session_bus, NULL);
  return gtk_init_check ();
}

void
qviz_test_remove_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}
