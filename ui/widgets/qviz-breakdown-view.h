/* qviz-breakdown-view.h: time by layer class, stacked, per resolution and
 * precision. */
#pragma once

#include <gtk/gtk.h>

#include "qviz-chart-data.h"

G_BEGIN_DECLS

#define QVIZ_TYPE_BREAKDOWN_VIEW (qviz_breakdown_view_get_type ())
G_DECLARE_FINAL_TYPE (QvizBreakdownView, qviz_breakdown_view, QVIZ, BREAKDOWN_VIEW, GtkWidget)

GtkWidget  *qviz_breakdown_view_new           (void);
/* breakdown is copied; NULL clears. */
void        qviz_breakdown_view_set_breakdown (QvizBreakdownView   *self,
                                               const QvizBreakdown *breakdown);
gboolean    qviz_breakdown_view_has_data      (QvizBreakdownView   *self);
const char *qviz_breakdown_view_get_title     (QvizBreakdownView   *self);
void        qviz_breakdown_view_set_title     (QvizBreakdownView   *self,
                                               const char          *title);
/* At width x height (<= 0: as shown), with a title and a line of context
 * above the chart when title is not NULL. */
gboolean    qviz_breakdown_view_export_full   (QvizBreakdownView   *self,
                                               const char          *path,
                                               int                  width,
                                               int                  height,
                                               const char          *title,
                                               const char          *context,
                                               GError             **error);
gboolean    qviz_breakdown_view_export        (QvizBreakdownView   *self,
                                               const char          *path,
                                               GError             **error);

/* The tooltip text at (x, y): the class of the bar segment there, its time
 * and share. */
char       *qviz_breakdown_view_describe_at   (QvizBreakdownView   *self,
                                               double               x,
                                               double               y);
/* Where the last paint put a bar; FALSE before any paint. */
gboolean    qviz_breakdown_view_get_bar_rect  (QvizBreakdownView   *self,
                                               guint                resolution_index,
                                               guint                precision_index,
                                               graphene_rect_t     *rect);

G_END_DECLS
