/* qviz-flame-view.h: flame chart of passes on one time axis, with zoom
 * (Ctrl+scroll, pinch, Ctrl+plus/minus/0), pan (drag, arrows, horizontal
 * scroll, or a click or drag in the minimap of the whole pass above the
 * axis), hover tooltips, selection, search highlighting, and a time range
 * selected with Shift+drag whose layers and time are summed per band. */
#pragma once

#include <gtk/gtk.h>

#include "qviz-compare.h"
#include "qviz-flame-painter.h"
#include "qviz-run.h"

G_BEGIN_DECLS

#define QVIZ_TYPE_FLAME_VIEW (qviz_flame_view_get_type ())
G_DECLARE_FINAL_TYPE (QvizFlameView, qviz_flame_view, QVIZ, FLAME_VIEW, GtkWidget)

GtkWidget  *qviz_flame_view_new             (void);
/* Shows a float and an int8 run of one configuration (either may be NULL;
 * with layers and spans; read during the call only), a band each: their
 * cold pass cold_pass (0-based), or their representative warm pass for -1.
 * Resets zoom and selection. */
void        qviz_flame_view_set_runs        (QvizFlameView *self,
                                             const QvizRun *f32,
                                             const QvizRun *int8,
                                             int            cold_pass);
/* Shows B's representative warm pass as a differential flame chart: each
 * layer coloured by its B/A ratio in the comparison c (grey when within
 * noise).  b and c are read during the call only.  Resets zoom and
 * selection; qviz_flame_view_set_runs () returns to colouring by class. */
void        qviz_flame_view_set_comparison  (QvizFlameView           *self,
                                             const QvizRun           *b,
                                             const QvizRunComparison *c);
/* Shows cold pass cold_pass (0-based) of run as a differential flame
 * chart: each layer coloured by its time in that pass over its warm median
 * (grey when not above its warm p90).  run is read during the call only.
 * Resets zoom and selection. */
void        qviz_flame_view_set_cold_pass   (QvizFlameView           *self,
                                             const QvizRun           *run,
                                             int                      cold_pass);
QvizFlameColorMode qviz_flame_view_get_color_mode (QvizFlameView *self);
/* Clears the chart. */
void        qviz_flame_view_clear           (QvizFlameView *self);
guint       qviz_flame_view_get_n_bands     (QvizFlameView *self);
const char *qviz_flame_view_get_search      (QvizFlameView *self);
void        qviz_flame_view_set_search      (QvizFlameView *self,
                                             const char    *search);
/* Layers (of every band) that the search matches; 0 without a search. */
guint       qviz_flame_view_get_n_matches   (QvizFlameView *self);
/* Selects the next layer that the search matches after the one selected
 * (wrapping round, in band then time order) and brings it into view.
 * Returns its position among the matches, 1-based, or 0 when none. */
guint       qviz_flame_view_select_next_match (QvizFlameView *self);
/* The selected layer's index in its run, -1 for none. */
int         qviz_flame_view_get_selected_layer (QvizFlameView *self);
void        qviz_flame_view_zoom_in         (QvizFlameView *self);
void        qviz_flame_view_zoom_out        (QvizFlameView *self);
void        qviz_flame_view_zoom_reset      (QvizFlameView *self);
/* Visible time window in ns from the start of the passes. */
void        qviz_flame_view_get_view        (QvizFlameView *self,
                                             gint64        *t0_ns,
                                             gint64        *t1_ns);
/* The selected time range (Shift+drag; Escape clears it), in ns from the
 * start of the passes; t1 <= t0 clears it.  get returns FALSE for none. */
void        qviz_flame_view_set_range       (QvizFlameView *self,
                                             gint64         t0_ns,
                                             gint64         t1_ns);
gboolean    qviz_flame_view_get_range       (QvizFlameView *self,
                                             gint64        *t0_ns,
                                             gint64        *t1_ns);
/* What band `band` holds in the selected range; FALSE without a range. */
gboolean    qviz_flame_view_get_range_summary (QvizFlameView         *self,
                                               guint                  band,
                                               QvizFlameRangeSummary *summary);
/* Whiskers on each layer of its p10..p90 time over the run's warm passes
 * (the "show-spread" property). */
void        qviz_flame_view_set_show_spread (QvizFlameView *self,
                                             gboolean       show_spread);
gboolean    qviz_flame_view_get_show_spread (QvizFlameView *self);
/* What the chart shows (owned by the view; NULL when empty).  Changes
 * with each set_* call, which emits "data-changed". */
QvizFlameData *qviz_flame_view_get_data    (QvizFlameView *self);
/* Selects the layer's span (in the first band that has it) and zooms so
 * that it fills the middle third of the window; FALSE if not shown. */
gboolean    qviz_flame_view_focus_layer     (QvizFlameView *self,
                                             int            layer_index);
/* At width (<= 0: as shown; the height is what the bands need), with a
 * title and a line of context above the chart when title is not NULL. */
gboolean    qviz_flame_view_export_full     (QvizFlameView *self,
                                             const char    *path,
                                             int            width,
                                             const char    *title,
                                             const char    *context,
                                             GError       **error);
gboolean    qviz_flame_view_export          (QvizFlameView *self,
                                             const char    *path,
                                             GError       **error);

G_END_DECLS
