/* gui-harness.h: what the tests of the real window share: running the main
 * loop until something holds, letting drawing settle, and counting what a
 * widget drew. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef gboolean (*QvizTestCondition) (gpointer data);

/* g_test_init for a window test: settings in memory, cairo drawing, no
 * accessibility bus, and warnings fatal except the ones about a missing
 * session bus (CI has none; that is no fault of the window).  FALSE when
 * there is no display: the caller then skips. */
gboolean qviz_test_init_gui      (int *argc, char ***argv);

/* Runs the main loop until cond (data) holds, then lets pending layout and
 * drawing settle; FALSE when seconds passed first. */
gboolean qviz_test_iterate_until (QvizTestCondition cond, gpointer data, double seconds);

/* Runs the main loop for seconds. */
void     qviz_test_settle        (double seconds);

/* Renders widget as the screen shows it and counts the pixels that differ
 * from its most common colour (the background); *total gets all of them. */
guint    qviz_test_count_ink     (GtkWidget *widget, guint *total);

/* The widgets of type under root (root included), depth first; the
 * first of them, or NULL. */
GPtrArray *qviz_test_find_widgets (GtkWidget *root, GType type);
GtkWidget *qviz_test_find_widget  (GtkWidget *root, GType type);

/* Removes a test's temporary folder and the files in it. */
void       qviz_test_remove_dir   (const char *dir);

G_END_DECLS
