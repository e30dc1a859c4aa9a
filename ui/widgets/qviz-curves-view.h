/* qviz-curves-view.h: latency over resolution, float vs int8, one line per
 * thread count, the crossover marked. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define QVIZ_TYPE_CURVES_VIEW (qviz_curves_view_get_type ())
G_DECLARE_FINAL_TYPE (QvizCurvesView, qviz_curves_view, QVIZ, CURVES_VIEW, GtkWidget)

GtkWidget  *qviz_curves_view_new          (void);
/* series: QvizCurveSeries * (copied); NULL clears. */
void        qviz_curves_view_set_series   (QvizCurvesView *self,
                                           GPtrArray      *series);
guint       qviz_curves_view_get_n_series (QvizCurvesView *self);
gboolean    qviz_curves_view_get_log_y    (QvizCurvesView *self);
void        qviz_curves_view_set_log_y    (QvizCurvesView *self,
                                           gboolean        log_y);
const char *qviz_curves_view_get_title    (QvizCurvesView *self);
void        qviz_curves_view_set_title    (QvizCurvesView *self,
                                           const char     *title);
/* Writes the chart as PNG, SVG or PDF (from the extension) at the widget's
 * size, or 1200x700 when it has none. */
gboolean    qviz_curves_view_export       (QvizCurvesView *self,
                                           const char     *path,
                                           GError        **error);

G_END_DECLS
