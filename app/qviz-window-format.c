/* qviz-window-format.c: how the window and its pages write times, sizes
 * and sweeps, and the widgets they share. */

#include "qviz-config.h"
#include "qviz-window-format.h"
#include "qviz-sweep.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>

char *
qviz_window_format_time (gint64 unix_us)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  return local ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

/* "256x256,512x512" -> "256, 512"; non-square sizes stay "512×768". */
char *
qviz_window_format_resolutions (const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text ? text : "", ",", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; parts[i]; i++)
    {
      int h = 0, w = 0;
      if (out->len)
        g_string_append (out, ", ");
      if (sscanf (parts[i], "%dx%d", &h, &w) == 2 && h == w)
        g_string_append_printf (out, "%d", h);
      else if (h > 0 && w > 0)
        g_string_append_printf (out, "%d×%d", h, w);
      else
        g_string_append (out, parts[i]);
    }
  return g_string_free (out, FALSE);
}

char *
qviz_window_format_list (const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text ? text : "", ",", -1);
  return g_strjoinv (", ", parts);
}

char *
qviz_window_format_ms (double ms)
{
  if (isnan (ms))
    return g_strdup ("—");
  if (ms >= 100)
    return g_strdup_printf (_("%.0f ms"), ms);
  if (ms >= 10)
    return g_strdup_printf (_("%.1f ms"), ms);
  return g_strdup_printf (_("%.2f ms"), ms);
}

const char *
qviz_window_sweep_status_label (const QvizSweep *sweep)
{
  switch (sweep->status)
    {
    case QVIZ_SWEEP_RUNNING:
      return _("running");
    case QVIZ_SWEEP_CANCELLED:
      return _("cancelled");
    case QVIZ_SWEEP_FAILED:
      return _("failed");
    case QVIZ_SWEEP_INTERRUPTED:
      return _("interrupted");
    case QVIZ_SWEEP_COMPLETE:
    default:
      return NULL;
    }
}

char *
qviz_window_format_sweep_line (const QvizSweep *sweep)
{
  g_autofree char *res = qviz_window_format_resolutions (sweep->resolutions);
  g_autofree char *threads = qviz_window_format_list (sweep->threads);
  g_autofree char *precisions = qviz_window_format_list (sweep->precisions);

  g_autofree char *threads_text = NULL;

  /* TRANSLATORS: the thread counts of a sweep, e.g. "1 thread" or "1, 2 threads". */
  threads_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s thread", "%s threads",
                                               g_strcmp0 (sweep->threads, "1") == 0 ? 1 : 2),
                                  threads);
  g_autofree char *line = NULL;

  /* TRANSLATORS: sidebar row: resolutions in px, thread counts, precisions, number of runs. */
  line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s px · %s · %s · %u run",
                                       "%s px · %s · %s · %u runs", sweep->n_runs),
                          res, threads_text, precisions, sweep->n_runs);
  /* What sets it apart from a sweep with the defaults (im2col, an ISA, a
   * calibration), so that sweeps of one model can be told apart. */
  {
    g_autofree char *options = qviz_sweep_options_summary (sweep->options);
    if (options != NULL)
      {
        char *with = g_strdup_printf ("%s · %s", line, options);
        g_free (line);
        line = with;
      }
  }
  /* A sweep of another runtime (an imported profile) says which first. */
  if (sweep->engines != NULL && g_strcmp0 (sweep->engines, QVIZ_ENGINE_QVIZ) != 0)
    return g_strdup_printf ("%s · %s", sweep->engines, line);
  return g_steal_pointer (&line);
}

static void
setup_choice_label (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  ellipsize)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (GPOINTER_TO_INT (ellipsize))
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_width_chars (GTK_LABEL (label), 8);
    }
  gtk_list_item_set_child (item, label);
}

static void
bind_choice_label (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  ellipsize)
{
  GtkStringObject *string = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *text = string ? gtk_string_object_get_string (string) : "";

  gtk_label_set_text (GTK_LABEL (label), text);
  if (GPOINTER_TO_INT (ellipsize))
    gtk_widget_set_tooltip_text (label, text);
}

static GtkListItemFactory *
choice_factory (gboolean ellipsize)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_choice_label), GINT_TO_POINTER (ellipsize));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_choice_label), GINT_TO_POINTER (ellipsize));
  return factory;
}

/* A drop-down of long names (configurations, sweeps) must not set the width
 * of the page: the button shows the choice ellipsized in the middle, the
 * open list shows every name in full. */
void
qviz_window_choice_setup (GtkDropDown *dropdown)
{
  g_autoptr (GtkListItemFactory) button = choice_factory (TRUE);
  g_autoptr (GtkListItemFactory) list = choice_factory (FALSE);

  g_return_if_fail (GTK_IS_DROP_DOWN (dropdown));

  gtk_drop_down_set_factory (dropdown, button);
  gtk_drop_down_set_list_factory (dropdown, list);
}

const QvizRun *
qviz_window_config_run (GPtrArray              *runs,
                        const QvizWindowConfig *config,
                        const char             *precision)
{
  for (guint i = 0; config && runs && i < runs->len; i++)
    {
      const QvizRun *run = g_ptr_array_index (runs, i);
      if (g_strcmp0 (run->precision, precision) == 0 && run->height == config->height &&
          run->width == config->width && run->threads == config->threads)
        return run;
    }
  return NULL;
}

void
qviz_window_clear_list_box (GtkListBox *list)
{
  GtkWidget *child;

  g_return_if_fail (GTK_IS_LIST_BOX (list));
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}
