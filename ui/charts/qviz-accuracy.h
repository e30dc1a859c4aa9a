/* qviz-accuracy.h: where an int8 run loses accuracy, layer by layer.
 *
 * Every layer of an int8 run carries two SQNRs against the float pass: its
 * own (the layer alone, fed the float inputs) and the accumulated one (the
 * whole int8 pass up to its output).  Along the depth of the model the
 * accumulated SQNR falls; the layers where it falls most are the ones to
 * keep in float.  These figures are shared by the Accuracy page and its
 * chart, so that what the list names and what the chart draws agree.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "qviz-chart-data.h"
#include "qviz-chart-style.h"
#include "qviz-run.h"

G_BEGIN_DECLS

/* One layer of the run, in execution order. */
typedef struct {
  int            layer_index;  /* QvizRunLayer.index */
  char          *name;         /* full path */
  char          *op;
  QvizLayerClass layer_class;
  QvizSpanFlags  flags;        /* dilated, depthwise, pointwise */
  double         own_db;       /* NAN when not measured, +inf when exact */
  double         accum_db;
  /* How much lower the accumulated SQNR is at this layer's output than at
   * its input (positive: this layer lost accuracy).  The model's input
   * has no stored SQNR: a layer fed by it (input -1) gets +inf when its
   * accumulated SQNR is below QVIZ_SQNR_WARNING_DB, NAN otherwise. */
  double         drop_db;
  /* The layer taken as its input (an index into layers), or -1.  Stored
   * runs keep no graph edges: it is the latest layer before this one whose
   * output has this layer's input shape (the first input's, for a binary
   * op), or the layer just before it when none has.  So the multiply of a
   * squeeze-excite block is set against the feature map it scales, not
   * against the small branch computed just before it. */
  int            input;
} QvizAccuracyLayer;

typedef struct {
  char   *label;       /* "int8 64x64, 1 thread" */
  double  output_db;   /* the run's output SQNR */
  GArray *layers;      /* QvizAccuracyLayer, in execution order */
  GArray *ranked;      /* guint indices into layers, largest drop first,
                          only layers whose drop is above 0 */
  GArray *low;         /* guint indices into layers whose own SQNR is below
                          QVIZ_SQNR_WARNING_DB, worst first */
} QvizAccuracy;

/* The figures of an int8 run (with its layers); NULL for a float run or a
 * run without any layer SQNR. */
QvizAccuracy *qviz_accuracy_new   (const QvizRun *run);
void          qviz_accuracy_free  (QvizAccuracy *acc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizAccuracy, qviz_accuracy_free)

/* The int8 run of runs (QvizRun *, NULL entries skipped) with the lowest
 * output SQNR: where quantization hurts most.  -1 when there is none. */
int           qviz_accuracy_worst_run (GPtrArray *runs);

/* ---- the chart ------------------------------------------------------ */

/* SQNR along the depth of the model: x is the layer in execution order,
 * y is dB; a strip under the plot shows each layer's class (dilated layers
 * hatched, depthwise outlined), the own SQNR as dots, the accumulated
 * SQNR as a line, and the warning threshold dashed. */
void          qviz_accuracy_paint (const QvizAccuracy   *acc,
                                   const QvizChartStyle *style,
                                   cairo_t              *cr,
                                   double                width,
                                   double                height);
/* The layer (an index into acc->layers) drawn at x of a chart painted at
 * this width and height, or -1 outside the plot. */
int           qviz_accuracy_layer_at (const QvizAccuracy *acc,
                                      double              width,
                                      double              height,
                                      double              x,
                                      double              y);
/* Where layer i's accumulated SQNR is drawn (its own SQNR when the
 * accumulated one is missing); FALSE when neither is drawn. */
gboolean      qviz_accuracy_point_position (const QvizAccuracy *acc,
                                            double              width,
                                            double              height,
                                            guint               i,
                                            double             *x,
                                            double             *y);
/* What hovering layer i says: its name, class, own and accumulated SQNR
 * and its drop. */
char         *qviz_accuracy_describe (const QvizAccuracy *acc,
                                      guint               i);

G_END_DECLS
