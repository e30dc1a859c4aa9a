/* qviz-widgets-private.h: helpers shared by the chart widgets. */
#pragma once

#include <gtk/gtk.h>
#include <math.h>

#include "qviz-chart-style.h"

G_BEGIN_DECLS

/* The painters' light or dark style, following the libadwaita style
 * manager (system preference or the color-scheme setting). */
const QvizChartStyle *qviz_widgets_get_chart_style (void);

/* Calls callback (swapped: widget first) whenever light/dark changes, for
 * as long as widget lives. */
void                  qviz_widgets_follow_style    (GtkWidget *widget,
                                                    GCallback  callback);

/* Appends a cairo node covering the widget and returns its context. */
cairo_t              *qviz_widgets_begin_cairo     (GtkWidget   *widget,
                                                    GtkSnapshot *snapshot);

/* Replaces *str with a copy of new_str; TRUE when it changed. */
static inline gboolean
qviz_set_str (char       **str,
              const char  *new_str)
{
  if (g_strcmp0 (*str, new_str) == 0)
    return FALSE;
  g_free (*str);
  *str = g_strdup (new_str);
  return TRUE;
}

/* Orders two figures for a table column's sorter: a missing one (NAN)
 * after every number, whichever way the column is sorted from there. */
static inline int
qviz_widgets_compare_double (double a,
                             double b)
{
  if (isnan (a) || isnan (b))
    return isnan (a) - isnan (b);
  return (a > b) - (a < b);
}

G_END_DECLS
