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
gboolean    qviz_breakdown_view_export        (QvizBreakdownView   *self,
                                               const char          *path,
                                               GError             **error);

G_END_DECLS
