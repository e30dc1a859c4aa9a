/* qviz-chart-compare.h: chart inputs from a comparison of two runs.
 *
 * Kept apart from qviz-chart-adapt.h because it needs the engine's
 * comparison (engine/qviz-compare.h); the painters themselves still know
 * nothing of runs.
 */
#pragma once

#include <glib.h>
#include "qviz-chart-data.h"
#include "qviz-compare.h"

G_BEGIN_DECLS

/* B's representative warm pass as one band, each layer span carrying its
 * B/A ratio from @c and flagged QVIZ_SPAN_WITHIN_NOISE unless the change
 * is significant; layers missing from A keep a NAN ratio.  Paint it with
 * qviz_flame_painter_set_color_mode (p, QVIZ_FLAME_COLOR_BY_RATIO). */
QvizFlameData           *qviz_chart_flame_diff          (const QvizRun            *b,
                                                         const QvizRunComparison  *c);

/* One row per layer of @c, in its order.  Returns QvizCompareRow * with
 * their free function set. */
GPtrArray               *qviz_chart_compare_rows        (const QvizRunComparison  *c);

/* The comparison of the largest configuration measured on both sides:
 * most pixels, then fewest threads, int8 before float.  NULL when empty. */
const QvizRunComparison *qviz_chart_compare_pick        (GPtrArray                *comparisons);
/* Sorts QvizRunComparison *s in that order: the first is the one
 * qviz_chart_compare_pick () chooses. */
void                     qviz_chart_compare_sort        (GPtrArray                *comparisons);
/* The layers of @c that changed most first: beyond timing noise before
 * within it, then by the size of the change (|log(B/A)|).  Returns
 * QvizLayerDelta *s into @c, which must outlive the array. */
GPtrArray               *qviz_chart_compare_ranked      (const QvizRunComparison  *c);

/* "int8 128x128, 1 thread" */
char                    *qviz_chart_run_config_label    (const QvizRun            *run);

/* Lines describing one side of a comparison for a report: machine, CPU,
 * kernels' ISA, when it ran, qviz version.  @machine may be NULL.  Returns
 * char * with g_free set. */
GPtrArray               *qviz_chart_compare_side_lines  (const QvizRun            *run,
                                                         const QvizMachine        *machine);

G_END_DECLS
