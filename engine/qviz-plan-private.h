/* qviz-plan-private.h: the inside of a plan, shared by the planner and the
 * per-precision layer builders. */
#pragma once

#include "qviz-plan.h"
#include "qviz-pool.h"
#include "qvk-conv.h"
#include "qvk-f32.h"
#include "qvk-qu8.h"
#include "qvk-resize.h"
#include "qvk-pad.h"
#include "qvk-softmax.h"
#include "qvk-layernorm.h"
#include "qvk-matmul.h"
#include "qvk-conv-transpose.h"
#include "qvk-reduce.h"

G_BEGIN_DECLS

typedef struct _QvizLayer QvizLayer;

/* A part of the arena that holds one value at a time. */
typedef struct {
  gsize offset, size;
} QvizSlot;

/* A reduction split over threads: each thread writes its partial result
 * to its own slot, and the last to finish combines them, in slot order, in
 * the extra slot `threads` (see qviz_partials_last). */
typedef struct {
  int done;                  /* threads through this pass's share (atomic) */
  int threads;
  gsize stride;              /* bytes of a slot, a multiple of 64 */
  guint8 *slots;             /* [threads + 1] slots, 64-byte aligned */
} QvizPartials;

QvizPartials *qviz_partials_new (int threads, gsize slot_bytes);
void          qviz_partials_free (QvizPartials *p);
/* A thread's slot (threads: the one the combination goes to). */
static inline void *
qviz_partials_slot (const QvizPartials *p, int slot)
{
  return p->slots + (gsize) slot * p->stride;
}
/* Called by each of the n_threads sharing a pass once its slot is
 * written: TRUE for the last of them, which may then read every slot. */
gboolean      qviz_partials_last (QvizPartials *p, int n_threads);

/* A global average pool split over the pixels of each image: every thread
 * takes sums of its share of each image into its slot (per image `padded`
 * sums of `size` bytes apart), and the last to finish adds the slots up in
 * slot order, then finishes each image. */
typedef struct {
  gsize size, padded;
  void (*sums) (const QvizPlan *plan, const QvizLayer *l, gsize first_pixel,
                gsize pixels, void *sums);
  void (*add) (void *total, const void *part, gsize channels);
  void (*finish) (const QvizPlan *plan, const QvizLayer *l, gsize image,
                  const void *total);
} QvizPoolSums;

void qviz_run_global_avgpool (const QvizPlan *plan, const QvizLayer *l, int tid, int nt,
                              const QvizPoolSums *steps);

/* Runs a thread's share of a layer: thread_id of n_threads. */
typedef void (*QvizLayerRunFn) (const QvizPlan *plan, const QvizLayer *layer,
                                int thread_id, int n_threads);
/* Runs output rows [row_begin, row_end) of a layer (rows of batch x
 * height), all of them on the calling thread, thread_id of the plan's. */
typedef void (*QvizLayerRowsFn) (const QvizPlan *plan, const QvizLayer *layer,
                                 gsize row_begin, gsize row_end, int thread_id);

struct _QvizLayer {
  QvizLayerInfo info;
  const QvizNode *node;      /* the node that names the layer */
  const QvizNode *bn_node;   /* batchnorm folded into a conv, or NULL */
  const QvizNode *act_node;  /* fused activation node, or NULL */
  int out_value;             /* value the layer writes */
  int pre_act_value;         /* value before the fused activation (== out_value without) */
  QvizLayerRunFn run;
  QvizLayerRowsFn run_rows;  /* a part of the rows, or NULL: the layer runs whole */
  /* Row bands (qviz-plan.c): this layer's output is read only by the
   * next layer, a depthwise one, and the two run band by band, the next
   * band_rows rows of the reader after the rows of this layer they need,
   * still in cache. */
  gboolean band_next;
  int band_rows;
  gboolean parallel;         /* worth splitting across threads */
  gboolean alias;            /* a view: nothing to run */
  gboolean fake_quant;       /* f32: round and clamp the output to the
                                file's quantization (QDQ semantics) */
  qvk_activation act;        /* fused activation (float) */
  int mode;                  /* op-specific variant chosen at plan time */
  int swap;                  /* binary ops: the broadcast operand is input 0 */
  qvk_conv_shape conv;       /* conv and pool geometry, pads resolved */
  qvk_pool_shape pool;
  qvk_resize_tap *resize_taps; /* [out_h + out_w], resizes the vector kernels do not cover */
  QvizPartials *partials;    /* global average pooling: per-thread channel sums */

  /* Float state. */
  qvk_f32_conv_op *conv_f32;
  float *weights;            /* folded/packed copies owned by the layer */
  float *bias;
  float *bn_scale, *bn_shift;

  /* Int8 state (see qviz-plan-int8.c). */
  qvk_qu8_conv_op *conv_qu8;
  gpointer int8;             /* per-op int8 data, freed with int8_free */
  GDestroyNotify int8_free;

  /* A layer kept in float inside an int8 plan (qviz-plan-keep-float.c):
   * shared by it and its two conversion layers, owned by it. */
  gpointer keep;
  GDestroyNotify keep_free;
};

struct _QvizPlan {
  QvizGraph *graph;
  QvizPlanConfig config;
  int isa;                   /* qvk_isa in use */
  QvizShape *shapes;         /* [n_values] */
  int *alias_of;             /* [n_values]: value whose memory a view shares, or -1 */
  gsize *offsets;            /* [n_values]: arena offset, or G_MAXSIZE for constants */
  int *last_use;             /* [n_values]: last layer reading a root value (n_layers:
                                an output), -1 for none */
  void **buffers;            /* [n_values]: resolved pointers */
  gsize elem_size;           /* 4 for f32, 1 for int8 */
  guint8 *arena;
  gsize arena_bytes;
  GArray *slots;             /* two threads: the arena's QvizSlots, in which
                                values go centred (qviz-plan.c), or NULL */
  gboolean arena_mapped;     /* mmap'ed (munmap), else posix_memalign'ed */
  gsize weight_bytes;
  GArray *layers;            /* QvizLayer */
  double plan_ms;
  double arena_ms;          /* of plan_ms: the arena mapped and written */
  int n_outputs;
  int *output_values;
  void *zero_page;           /* shared zeros for padding and scratch */
  QvizQuantParams *quant;    /* int8 plans: [n_values], as the layers see them */
  QvizPool *pool;            /* QVIZ_THREADING_POOL with threads > 1 */
  gboolean *float_value;     /* int8 plans: [n_values], held as fp32: a model output
                                written in float by its conv or dense layer */
};

/* Bytes per element of a value's buffer. */
static inline gsize
qviz_plan_value_elem_size (const QvizPlan *plan, int value)
{
  return plan->float_value != NULL && plan->float_value[value] ? sizeof (float)
                                                               : plan->elem_size;
}

static inline QvizLayer *
qviz_plan_layer (const QvizPlan *plan, int i)
{
  return &g_array_index (plan->layers, QvizLayer, i);
}

/* Whether value v is one of the graph's outputs. */
static inline gboolean
qviz_plan_is_output (const QvizPlan *plan, int v)
{
  for (int i = 0; i < plan->n_outputs; i++)
    if (plan->output_values[i] == v)
      return TRUE;
  return FALSE;
}

/* Row range of a thread. */
static inline void
qviz_split_range (gsize total, int thread_id, int n_threads, gsize *begin, gsize *end)
{
  *begin = total * (gsize) thread_id / (gsize) n_threads;
  *end = total * (gsize) (thread_id + 1) / (gsize) n_threads;
}

/* True when the value's memory is N,H,W,C. */
static inline gboolean
qviz_shape_is_nhwc (const QvizShape *s)
{
  return s->rank == 4 && s->nhwc;
}

/* Builds the float layer for a node (and what is fused into it). */
gboolean qviz_plan_build_layer_f32 (QvizPlan *plan, QvizLayer *layer, GError **error);
/* Builds the int8 layer; the graph must carry quantization parameters. */
gboolean qviz_plan_build_layer_int8 (QvizPlan *plan, QvizLayer *layer, GError **error);
void     qviz_plan_set_input_int8 (QvizPlan *plan, const float *input_nchw);
void     qviz_plan_dequantize_value (const QvizPlan *plan, int value, float *out_physical);

/* Converts a physical buffer of a value to logical order. */
void     qviz_plan_physical_to_logical (const QvizShape *s, gsize elem_size,
                                        const void *physical, void *logical);

/* Helpers shared by the float and int8 builders (qviz-plan-f32.c). */
enum { QVIZ_BIN_SAME, QVIZ_BIN_CHANNEL, QVIZ_BIN_SCALAR, QVIZ_BIN_GENERIC };
/* A dense layer as the 1x1 convolution it is: rows of in_features values
 * as a 1 x rows image of in_features channels, so the GEMM kernels run it. */
void qviz_linear_conv_shape (const QvizPlan *plan, const QvizLayer *l, qvk_conv_shape *cs);
void qviz_conv_shape_from_node (const QvizPlan *plan, const QvizNode *n,
                                int out_value, qvk_conv_shape *cs);
void qviz_pool_shape_from_node (const QvizPlan *plan, const QvizNode *n,
                                qvk_pool_shape *ps);
void qviz_fold_conv_weights (const QvizNode *n, const QvizNode *bn, float **w, float **b);
qvk_conv_algo qviz_plan_qvk_conv_algo (const QvizPlan *plan);
/* An identity whose output the model file quantizes with parameters other
 * than its input's (DequantizeLinear -> QuantizeLinear): it rounds, so it
 * runs as a layer of its own. */
static inline gboolean
qviz_plan_is_requantization (const QvizGraph *g, const QvizNode *n)
{
  const QvizValue *in = qviz_graph_value (g, n->inputs[0]);
  const QvizValue *out = qviz_graph_value (g, n->output);

  return n->op == QVIZ_OP_IDENTITY && out->file_quant && out->quant.valid &&
         (!in->quant.valid || in->quant.scale != out->quant.scale ||
          in->quant.zero_point != out->quant.zero_point);
}

/* Int8 plans: puts the layers named in config.keep_float in float, with
 * their conversions as layers of their own.  Fails naming an unknown
 * layer. */
gboolean qviz_plan_keep_float (QvizPlan *plan, GError **error);
void     qviz_plan_layer_clear (QvizLayer *l);

int  qviz_binary_mode (const QvizPlan *plan, const QvizNode *n, int out_value, int *swap);
/* TRUE when the vector bilinear kernels compute this resize; otherwise
 * fills the layer's resize_taps for the table kernels. */
gboolean qviz_plan_resize_prepare (QvizPlan *plan, QvizLayer *l);
void     qviz_plan_pad_shape (const QvizPlan *plan, const QvizLayer *l, qvk_pad_shape *ps);
const char *qviz_pad_fill_name (QvizPadFill fill);
int  qviz_physical_axis (const QvizShape *s, int logical_axis);
void qviz_physical_dims (const QvizShape *s, int64_t dims[QVIZ_MAX_RANK]);
void qviz_logical_strides (const QvizShape *s, int64_t strides[QVIZ_MAX_RANK]);
void qviz_concat_run (const QvizPlan *plan, const QvizLayer *l, gsize elem_size);
void qviz_transpose_run (const QvizPlan *plan, const QvizLayer *l);
void qviz_reshape_run (const QvizPlan *plan, const QvizLayer *l);
void qviz_slice_run (const QvizPlan *plan, const QvizLayer *l);
/* Checks a layer normalization's layout and sets its row length (mode) and
 * scale and shift (weights, bias) in memory order. */
gboolean qviz_layernorm_prepare (const QvizPlan *plan, QvizLayer *l, GError **error);
/* An int8 layer that has no int8 kernel and runs as a float island. */
static inline gboolean
qviz_plan_needs_float (const QvizGraph *g, const QvizNode *n)
{
  switch (n->op)
    {
    /* joining a constant (a transformer's class token) to computed codes
     * would need the constant quantized to the output's scale */
    case QVIZ_OP_CONCAT:
      for (int i = 0; i < n->n_inputs; i++)
        {
          const QvizValue *v = qviz_graph_value (g, n->inputs[i]);
          if (v->data != NULL && v->producer < 0)
            return TRUE;
        }
      return FALSE;
    case QVIZ_OP_LAYERNORM:
    case QVIZ_OP_MATMUL:
    case QVIZ_OP_REDUCE:
    /* a comparison's 0 / 1 and a selection are exact in float; on int8
     * codes a comparison against a constant would move with rounding */
    case QVIZ_OP_EQUAL:
    case QVIZ_OP_LESS:
    case QVIZ_OP_LESS_EQUAL:
    case QVIZ_OP_GREATER:
    case QVIZ_OP_GREATER_EQUAL:
    case QVIZ_OP_WHERE:
    case QVIZ_OP_CONV_TRANSPOSE:
      return TRUE;
    default:
      return FALSE;
    }
}
gboolean qviz_softmax_supported (const QvizPlan *plan, const QvizLayer *l, GError **error);
/* The softmax axis in memory: outer groups of n elements inner apart. */
void qviz_softmax_geometry (const QvizPlan *plan, const QvizLayer *l, gsize *outer,
                            gsize *n, gsize *inner);

/* Walks the output of a binary op whose operands broadcast in any pattern,
 * element by element in logical order, giving each element's offsets in
 * the memory of both operands and of the output. */
typedef struct {
  const QvizShape *a, *b, *out;
  int64_t st_a[QVIZ_MAX_RANK], st_b[QVIZ_MAX_RANK], st_y[QVIZ_MAX_RANK];
  int64_t idx[QVIZ_MAX_RANK];
} QvizBroadcastWalk;

/* a_logical / b_logical: that operand is stored in logical order (a
 * constant), not in its shape's layout. */
void qviz_broadcast_walk_init (QvizBroadcastWalk *w,
                               const QvizShape   *a,
                               gboolean           a_logical,
                               const QvizShape   *b,
                               gboolean           b_logical,
                               const QvizShape   *out);

/* The offsets of the current element; then moves to the next one. */
static inline void
qviz_broadcast_walk_step (QvizBroadcastWalk *w,
                          int64_t           *oa,
                          int64_t           *ob,
                          int64_t           *oy)
{
  const int r = w->out->rank;

  *oa = *ob = *oy = 0;
  for (int d = 0; d < r; d++)
    {
      int da = d - (r - w->a->rank), db = d - (r - w->b->rank);
      if (da >= 0 && w->a->dims[da] != 1)
        *oa += w->idx[d] * w->st_a[da];
      if (db >= 0 && w->b->dims[db] != 1)
        *ob += w->idx[d] * w->st_b[db];
      *oy += w->idx[d] * w->st_y[d];
    }
  for (int d = r - 1; d >= 0; d--)
    {
      if (++w->idx[d] < w->out->dims[d])
        break;
      w->idx[d] = 0;
    }
}

G_END_DECLS
