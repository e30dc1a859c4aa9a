/* qviz-widgets-private.c: helpers shared by the chart widgets. */

#include "qviz-widgets-private.h"

#include <adwaita.h>

const QvizChartStyle *
qviz_widgets_get_chart_style (void)
{
  return qviz_chart_style_get (adw_style_manager_get_dark (adw_style_manager_get_default ()));
}

void
qviz_widgets_follow_style (GtkWidget *widget,
                           GCallback  callback)
{
  g_assert (GTK_IS_WIDGET (widget));

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark", callback, widget,
                           G_CONNECT_SWAPPED);
}

cairo_t *
qviz_widgets_begin_cairo (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  return gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
}
