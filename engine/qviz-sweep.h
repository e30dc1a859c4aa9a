/* qviz-sweep.h: measuring a model over resolutions x threads x precisions.
 *
 * A measurement makes a plan (timed: that is the plan/prepack cost), runs
 * the cold passes (each timed per layer and kept as spans), then any warm-up
 * passes it is asked to discard, then warm passes
 * until both a pass count and a time budget are met, and summarises them.
 * Int8 runs also measure each layer's SQNR against the float plan on the
 * same input.  A sweep interleaves its configurations so that slow drift of
 * the machine does not favour one precision, stores each finished run in
 * one transaction, and on cancel or failure keeps every finished run.
 */
#pragma once

#include <gio/gio.h>
#include "qviz-graph.h"
#include "qviz-calibrate.h"
#include "qviz-plan.h"
#include "qviz-run.h"
#include "qviz-store.h"

G_BEGIN_DECLS

typedef struct {
  int height, width;
} QvizResolution;

typedef struct {
  GArray *resolutions;   /* QvizResolution */
  GArray *threads;       /* int */
  GArray *precisions;    /* QvizPrecision */
  int iterations;        /* warm passes; 0: at least min_passes and min_time */
  double min_time;       /* seconds of warm passes per configuration */
  int min_passes;
  int cold;              /* cold passes, timed and kept apart */
  int warmup;            /* passes after the cold ones, run but not kept */
  QvizConvAlgo conv_algo;
  int isa;               /* qvk_isa, or -1 for the detected one */
  gboolean measure_sqnr; /* int8 runs: per-layer SQNR against float */
  char **keep_float;     /* int8 runs: layers run in float (owned) */
  QvizGraph *float_graph; /* not owned; NULL: the model itself.  The float
                             original of a quantized (QDQ) model: f32 runs
                             measure it, and int8 output SQNR is against it */
  QvizCalibrationConfig calibration; /* int8, for a graph without parameters:
                             source (not owned), method, inputs; height x
                             width 0: the smallest size of the sweep (a .npy
                             batch is read at its own).  Done once for every
                             size, and kept in the store for the next run */
} QvizSweepConfig;

/* Defaults: 256, 512, 1024; threads 1..cores; f32 and int8; 3 cold passes;
 * at least 10 warm passes and 0.5 s; auto kernels. */
QvizSweepConfig *qviz_sweep_config_new      (void);
void             qviz_sweep_config_free     (QvizSweepConfig *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizSweepConfig, qviz_sweep_config_free)

/* Parses "256,512,1024" or "512x768,1024" into resolutions. */
gboolean         qviz_parse_resolutions     (const char *text, GArray *out, GError **error);
/* Parses "1,2,4" (each >= 1) into ints. */
gboolean         qviz_parse_threads         (const char *text, GArray *out, GError **error);
gboolean         qviz_parse_precisions      (const char *text, GArray *out, GError **error);
/* What sets a sweep apart from one run with the defaults, read from its
 * options (QvizSweep.options): "im2col · isa avx2 · minmax calibration ·
 * calibrated on images.npy · 2 layers in float"; NULL when nothing does. */
char            *qviz_sweep_options_summary (const char *options);

typedef struct {
  /* A configuration is about to start (index of total, 0-based). */
  void (*config_started) (int index, int total, QvizPrecision precision,
                          int height, int width, int threads, gpointer user_data);
  /* A run finished and was stored (when a store was given). */
  void (*run_finished)   (int index, int total, const QvizRun *run, gpointer user_data);
  gpointer user_data;
} QvizSweepCallbacks;

/* Measures one configuration.  reference (may be NULL) is a float plan of
 * the same graph and size used for int8 SQNR.  Returns a run with status
 * cancelled if cancellable fired mid-way (with what was measured). */
QvizRun         *qviz_measure_run           (QvizGraph *graph,
                                             const QvizPlanConfig *plan_config,
                                             const QvizSweepConfig *config,
                                             GCancellable *cancellable,
                                             GError **error);

/* The model facts stored with runs. */
QvizModelInfo   *qviz_model_info_from_graph (QvizGraph *graph);

/* Runs the whole sweep.  With a store, the machine, model, sweep and every
 * run are written as they finish.  The graph is calibrated first if int8
 * is asked for and it has no parameters yet.  sweep_out (may be NULL)
 * receives the sweep record, runs_out (may be NULL) the runs.  Returns FALSE
 * on failure or cancellation (QVIZ_ERROR_CANCELLED), after marking the sweep. */
gboolean         qviz_sweep_execute         (QvizGraph *graph, QvizStore *store,
                                             const QvizSweepConfig *config,
                                             const QvizSweepCallbacks *callbacks,
                                             GCancellable *cancellable,
                                             QvizSweep **sweep_out,
                                             GPtrArray **runs_out,
                                             GError **error);

G_END_DECLS
