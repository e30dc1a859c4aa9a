/* qviz-plan.h: a model compiled for one (precision, height x width, threads).
 *
 * Making a plan infers shapes, folds BatchNorm into convolutions, fuses
 * conv + activation and add + activation, chooses a kernel per layer (and
 * records why), prepacks weights for it and lays out one activation arena.
 * Nothing is left to do lazily on the first pass.  The time this takes is the
 * plan time, measured and reported apart from the passes.
 */
#pragma once

#include <glib.h>
#include "qviz-graph.h"
#include "qviz-layer-class.h"

G_BEGIN_DECLS

typedef enum {
  QVIZ_PRECISION_F32,
  QVIZ_PRECISION_INT8,
} QvizPrecision;

typedef enum {
  QVIZ_CONV_ALGO_AUTO,    /* the fastest kernel for each layer */
  QVIZ_CONV_ALGO_IM2COL,  /* im2col + GEMM for every conv: the slow path */
  QVIZ_CONV_ALGO_REFERENCE, /* scalar reference kernels only */
} QvizConvAlgo;

/* How a layer's work is spread over threads (see qviz-pool.h). */
typedef enum {
  QVIZ_THREADING_OPENMP,  /* an OpenMP parallel region per layer */
  QVIZ_THREADING_POOL,    /* the plan's own spinning worker pool (default) */
} QvizThreading;

typedef struct {
  QvizPrecision precision;
  int batch;              /* 1 unless told */
  int height, width;
  int threads;            /* >= 1 */
  QvizThreading threading;
  QvizConvAlgo conv_algo;
  gboolean no_fusion;     /* one layer per graph node (calibration) */
  gboolean fuse_clamps;   /* with no_fusion: a ReLU or clip is still fused
                             into the conv or dense layer it follows, as an
                             int8 plan fuses it (calibration, which needs no
                             range for the value between them) */
  int isa;                /* qvk_isa to use; -1 (or 0 from zero-init with
                             isa_set FALSE) means the detected best */
  gboolean isa_set;
  gboolean layout_only;   /* shapes, layers, kernels and the arena's size,
                             without the arena: describes a model at a size
                             that may not fit in memory; cannot run */
  gboolean no_bands;      /* every layer runs whole before the next, none
                             in row bands with the layer that reads its
                             output (comparisons) */
  /* int8 plans: names of layers to run in float (NULL-terminated; read
   * only while the plan is made).  Each gets a dequantize layer before it
   * and a quantize layer after it, timed as layers of their own. */
  const char *const *keep_float;
} QvizPlanConfig;

/* Fills defaults: batch 1, 1 thread, f32, auto kernels, detected ISA. */
void qviz_plan_config_init (QvizPlanConfig *config);


/* One executed step of a plan: a graph node with what was fused into it. */
typedef struct {
  char *name;             /* node path, e.g. "backbone/features.4/block.1/conv" */
  const char *op;         /* "conv", "add", "resize", ... (static string) */
  char *kernel;           /* e.g. "f32 dwconv 5x5 d5 indirect avx512" */
  char *reason;           /* why that kernel was chosen */
  char *fused;            /* "bn+hardswish" or "" */
  QvizShape in_shape, out_shape;
  int kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, groups;
  gboolean depthwise, dilated;
  QvizLayerClass layer_class;
  guint64 macs;
  guint64 params;
  guint64 bytes;          /* activations read + written + weights read */
  int node_index;         /* the graph node that names the layer */
  gboolean float_kept;    /* run in float inside an int8 plan */
  gboolean conversion;    /* the dequantize / quantize around such a layer */
  double plan_ms;         /* time to build this layer in the plan: packing
                             its weights, its indirection buffer, tables */
} QvizLayerInfo;

typedef struct _QvizPlan QvizPlan;

/* Per-pass timing filled by qviz_plan_run when asked: monotonic
 * nanoseconds from the start of the pass. */
typedef struct {
  gint64 pass_ns;
  gint64 *layer_start_ns; /* [n_layers] */
  gint64 *layer_end_ns;   /* [n_layers] */
} QvizPassTiming;

QvizPlan   *qviz_plan_new              (QvizGraph *graph, const QvizPlanConfig *config,
                                        GError **error);
void        qviz_plan_free             (QvizPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizPlan, qviz_plan_free)

const QvizPlanConfig *qviz_plan_get_config (const QvizPlan *plan);
double      qviz_plan_get_plan_ms      (const QvizPlan *plan);
/* Of the plan time: the activation arena mapped and every page of it
 * written, which on a fresh process costs what the system charges for new
 * memory (a virtual machine's host faults each page in on first touch). */
double      qviz_plan_get_arena_ms     (const QvizPlan *plan);
int         qviz_plan_get_n_layers     (const QvizPlan *plan);
const QvizLayerInfo *qviz_plan_get_layer (const QvizPlan *plan, int i);
/* Whether layer i runs in row bands with layer i + 1 (an inverted
 * residual's expansion and the depthwise layer that reads it). */
gboolean    qviz_plan_get_band_next    (const QvizPlan *plan, int i);
gsize       qviz_plan_get_arena_bytes  (const QvizPlan *plan);
gsize       qviz_plan_get_weight_bytes (const QvizPlan *plan);

/* The input in NCHW float32 (batch x C x H x W), as PyTorch holds it. */
void        qviz_plan_set_input_nchw   (QvizPlan *plan, const float *input);
/* Runs one forward pass; timing may be NULL (no profiling cost). */
void        qviz_plan_run              (QvizPlan *plan, QvizPassTiming *timing);
/* Whether the plan's worker threads spin between layers (the default: a
 * timed pass starts each layer without waking a thread) or sleep as soon
 * as a layer is done, for a caller that does long work of its own between
 * layers (observing, comparing) or runs two plans in turn: a spinning
 * worker would only take a core from it.  Only the pool threading has
 * workers to tell; results are the same either way. */
void        qviz_plan_set_spin         (QvizPlan *plan, gboolean spin);
int         qviz_plan_get_n_outputs    (const QvizPlan *plan);
const QvizShape *qviz_plan_get_output_shape (const QvizPlan *plan, int i);
/* Copies output i, in logical order (NCHW for feature maps), as float32
 * (dequantized for int8 plans). */
void        qviz_plan_get_output       (const QvizPlan *plan, int i, float *out);

/* Dequantized (int8) or plain (f32) copy of the output of layer i in
 * logical order, for per-layer error measurement.  Returns its element
 * count; out may be NULL to ask the size. */
gsize       qviz_plan_get_layer_output (const QvizPlan *plan, int i, float *out);

/* Called after each layer of a pass; qviz_plan_get_layer_output is valid
 * for that layer inside the callback. */
typedef void (*QvizLayerCallback) (const QvizPlan *plan, int layer, gpointer user_data);
void        qviz_plan_run_with_callback (QvizPlan *plan, QvizLayerCallback callback,
                                         gpointer user_data);
/* Writes a value (logical order, float32; quantized with the value's own
 * parameters in int8 plans) into the plan's memory, and runs one layer on
 * what its inputs hold: together they measure one layer's own error. */
void        qviz_plan_set_value        (QvizPlan *plan, int value, const float *logical);
void        qviz_plan_run_layer        (QvizPlan *plan, int i);

/* The graph value a layer produces (after fusion: the last fused node's). */
int         qviz_plan_get_layer_value  (const QvizPlan *plan, int i);
QvizGraph  *qviz_plan_get_graph        (const QvizPlan *plan);

/* Comparing a float plan with an int8 plan of the same graph, layer by
 * layer, in memory order, without copying a tensor:
 * run_layers runs layers [begin, end) and nothing else; value_is_live says
 * whether a value still holds what its producer wrote once the first n_run
 * layers have run (the arena reuses memory after a value's last reader);
 * peek_value gives a float plan's own buffer (memory order, N,H,W,C for
 * feature maps); value_sqnr_db is qviz_sqnr_db of plan's value against the
 * float reference's; set_value_from_plan writes a float plan's value into
 * plan (quantized with the value's parameters in an int8 plan). */
void        qviz_plan_run_layers       (QvizPlan *plan, int begin, int end);
gboolean    qviz_plan_value_is_live    (const QvizPlan *plan, int value, int n_run);
const float *qviz_plan_peek_value      (const QvizPlan *plan, int value, gsize *n);
double      qviz_plan_value_sqnr_db    (const QvizPlan *reference, const QvizPlan *plan,
                                        int value);
void        qviz_plan_set_value_from_plan (QvizPlan *plan, const QvizPlan *source,
                                           int value);
QvizPassTiming *qviz_pass_timing_new   (const QvizPlan *plan);
void        qviz_pass_timing_free      (QvizPassTiming *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizPassTiming, qviz_pass_timing_free)

const char *qviz_precision_name        (QvizPrecision p);   /* "f32", "int8" */
gboolean    qviz_precision_parse       (const char *s, QvizPrecision *out);
const char *qviz_layer_class_name      (QvizLayerClass c);

G_END_DECLS
