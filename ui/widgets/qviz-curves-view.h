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
/* At width x height (<= 0: as shown), with a title and a line of context
 * above the chart when title is not NULL. */
gboolean    qviz_curves_view_export_full  (QvizCurvesView *self,
                                           const char     *path,
                                           int             width,
                                           int             height,
                                           const char     *title,
                                           const char     *context,
                                           GError        **error);
gboolean    qviz_curves_view_export       (QvizCurvesView *self,
                                           const char     *path,
                                           GError        **error);

/* The tooltip text at (x, y): the nearest point's series and value. */
char       *qviz_curves_view_describe_at  (QvizCurvesView *self,
                                           double          x,
                                           double          y);
/* Where the last paint put (resolution, ms); FALSE before any paint. */
gboolean    qviz_curves_view_get_point_position (QvizCurvesView *self,
                                                 double          resolution,
                                                 double          ms,
                                                 double         *x,
                                                 double         *y);

G_END_DECLS
