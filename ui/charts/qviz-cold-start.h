/* qviz-cold-start.h: where a run's first passes lose their time.
 *
 * A run starts with planning (shapes, folding, prepacking, the arena), then
 * its cold passes, then the warm passes whose median is the steady state.
 * These figures set each cold pass against that steady state, whole and
 * layer by layer, so that the window and the exports say the same thing.
 */
#pragma once

#include <glib.h>
#include "qviz-chart-data.h"
#include "qviz-run.h"

G_BEGIN_DECLS

/* One layer of one cold pass against its own warm passes. */
typedef struct {
  int     layer_index;  /* QvizRunLayer.index */
  char   *name;         /* full path */
  char   *kernel;
  double  cold_ms;      /* this layer in the cold pass */
  double  warm_ms;      /* median of its warm passes */
  double  extra_ms;     /* cold_ms - warm_ms (may be negative) */
  double  share;        /* extra_ms over the pass's whole extra time; NAN
                           when the pass took no extra time */
  gboolean beyond_noise; /* cold_ms above the layer's warm p90 */
} QvizColdLayer;

typedef struct {
  int     pass;            /* the cold pass, 0-based */
  double  plan_ms;         /* making the plan, once before every pass */
  double  cold_ms;         /* the whole cold pass */
  double  warm_ms;         /* median warm pass */
  double  extra_ms;        /* cold_ms - warm_ms */
  double  layers_extra_ms; /* the sum of the layers' extra_ms */
  double  outside_ms;      /* extra_ms not inside any layer: between layers,
                              thread start-up, allocation */
  GArray *layers;          /* QvizColdLayer, most extra time first */
} QvizColdPass;

/* One layer's part of the plan time. */
typedef struct {
  int     layer_index;  /* QvizRunLayer.index */
  char   *name;
  char   *kernel;
  double  plan_ms;
  double  share;        /* of the whole plan time */
} QvizPlanLayer;

/* Where the plan time went: each layer's building (weights quantized and
 * packed, indirection buffers, tables), and the rest (shapes, folding,
 * kernel choice, the activation arena), which is not per layer. */
typedef struct {
  double  plan_ms;      /* the whole plan */
  double  layers_ms;    /* sum of the layers' plan times */
  double  rest_ms;      /* plan_ms - layers_ms, at least 0 */
  GArray *layers;       /* QvizPlanLayer, longest first */
} QvizPlanBreakdown;

/* NULL when the run has no per-layer plan times (an imported trace, or a
 * store written before they were kept). */
QvizPlanBreakdown *qviz_plan_breakdown_new  (const QvizRun *run);
void               qviz_plan_breakdown_free (QvizPlanBreakdown *pb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizPlanBreakdown, qviz_plan_breakdown_free)

/* The figures of cold pass `pass` of run (with its layers); NULL when the
 * run has no such cold pass or no warm pass to set it against. */
QvizColdPass  *qviz_cold_pass_new        (const QvizRun *run, int pass);
void           qviz_cold_pass_free       (QvizColdPass *cp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizColdPass, qviz_cold_pass_free)

/* Cold pass `pass` of run as one band of a differential flame chart: each
 * layer's span carries its cold/warm ratio, and is flagged
 * QVIZ_SPAN_WITHIN_NOISE unless it is above its warm p90.  Paint it with
 * QVIZ_FLAME_COLOR_BY_COLD_RATIO.  NULL when the run has no spans for it. */
QvizFlameData *qviz_chart_flame_cold_diff (const QvizRun *run, int pass);

/* The run whose first cold pass is the largest multiple of its steady
 * state: where the cold start hurts most.  An index into runs (QvizRun *,
 * NULL entries skipped), or -1 when no run has a cold and a warm pass. */
int            qviz_cold_worst_run        (GPtrArray *runs);

G_END_DECLS
