/* qviz-chart-adapt.h: chart inputs from stored runs.
 *
 * The painters know nothing of run stores; these functions turn a sweep's
 * runs (engine/qviz-run.h) into their inputs, once, for the window and for
 * qviz-cli's exports alike.
 */
#pragma once

#include <glib.h>
#include "qviz-chart-data.h"
#include "qviz-run.h"

G_BEGIN_DECLS

/* One series per (precision, threads), points by resolution (the input's
 * height), each with the median and p10/p90 of its warm passes.  Returns
 * QvizCurveSeries * with their free function set. */
GPtrArray      *qviz_chart_curves_from_runs    (GPtrArray *runs);

/* Series of two sweeps for one chart: those of runs_a labelled label_a,
 * then those of runs_b labelled label_b (see QvizCurveSeries.sweep); the
 * curves painter draws A solid and B dashed and lighter.  Equal labels get
 * " (A)" and " (B)" appended so that the sweeps stay apart. */
GPtrArray      *qviz_chart_curves_from_two_sweeps (GPtrArray  *runs_a,
                                                   const char *label_a,
                                                   GPtrArray  *runs_b,
                                                   const char *label_b);

/* Span flags and class of a stored layer, as the painters use them. */
QvizSpanFlags   qviz_chart_layer_flags         (const QvizRunLayer *layer);
QvizLayerClass  qviz_chart_layer_class         (const QvizRunLayer *layer);

/* Time per layer class, per resolution and precision, at the given thread
 * count (0: the fewest threads measured). */
QvizBreakdown  *qviz_chart_breakdown_from_runs (GPtrArray *runs, int threads);
/* The thread count qviz_chart_breakdown_from_runs (runs, 0) shows. */
int             qviz_chart_breakdown_threads   (GPtrArray *runs);

/* The run of a sweep with the given precision, size and threads (NULL when
 * missing); with height 0, the largest size measured at the fewest threads. */
const QvizRun  *qviz_chart_find_run            (GPtrArray *runs, const char *precision,
                                                int height, int threads);

/* Float and int8 passes of one configuration on one time axis: a band per
 * run given (either may be NULL).  pass -1 picks the representative warm
 * pass, otherwise the pass with that index (cold passes come first). */
QvizFlameData  *qviz_chart_flame_from_runs     (const QvizRun *f32, int f32_pass,
                                                const QvizRun *int8, int int8_pass);

/* Table rows matching the float and int8 layers by name.  Returns
 * QvizLayerRow * with their free function set. */
GPtrArray      *qviz_chart_layer_rows          (const QvizRun *f32, const QvizRun *int8);

/* The layer where int8 loses most against float: the highest int8/f32
 * median among layers (matched by name) that take at least 1% of the int8
 * pass, so that a layer of a few microseconds does not win on noise.
 * FALSE when no layer is timed in both runs. */
gboolean        qviz_chart_worst_ratio_layer   (const QvizRun        *f32,
                                                const QvizRun        *int8,
                                                const QvizRunLayer  **f32_layer,
                                                const QvizRunLayer  **int8_layer,
                                                double               *ratio);

/* int8's speed-up over f32 at one input size: the f32 median pass over
 * the int8 one (above 1: int8 is faster). */
typedef struct {
  int    height, width;
  double speedup;
} QvizChartSpeedup;

/* The speed-up at each size for the fewest threads among runs (QvizRun *),
 * where both an f32 and an int8 run completed, smallest size first;
 * *threads is set to that thread count (0 without runs). */
GArray         *qviz_chart_speedups_from_runs  (GPtrArray            *runs,
                                                int                  *threads);

/* Title, model and machine lines for a report. */
QvizReportInfo *qviz_chart_report_info         (const QvizSweep *sweep,
                                                const QvizMachine *machine,
                                                const QvizModelInfo *model);

G_END_DECLS
