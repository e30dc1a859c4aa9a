/* qviz-graph.h: the model graph every engine part shares.
 *
 * A graph is a list of values (tensors: the input, constants, and one output
 * per node) and a list of nodes in topological order.  Value shapes are kept
 * in logical (PyTorch/ONNX) order -- N,C,H,W for feature maps -- and a flag
 * says whether the memory behind them is channels-last.  Every 4-D feature map
 * that a convolution reads or writes is channels-last (NHWC); tensors made by
 * Transpose/Reshape/Flatten for detector heads are plain row-major.
 *
 * Node names keep their module hierarchy, separated by '/', e.g.
 * "backbone/features.13/block.1/conv"; the flame chart nests by that path.
 */
#pragma once

#include <glib.h>
#include "qvk-common.h"

G_BEGIN_DECLS

#define QVIZ_MAX_RANK 6

typedef struct {
  int rank;
  int64_t dims[QVIZ_MAX_RANK]; /* logical order */
  gboolean nhwc;               /* rank 4, memory is N,H,W,C */
} QvizShape;

/* No tensor qviz holds may be larger than this; sizes read from files are
 * checked against it, so that arithmetic on a checked shape cannot wrap. */
#define QVIZ_MAX_TENSOR_BYTES ((guint64) 1 << 42)

/* The largest input side and batch a plan accepts. */
#define QVIZ_MAX_SIDE 16384
#define QVIZ_MAX_BATCH 65536

/* The element count of a shape that has been checked (every shape of a
 * graph after qviz_graph_infer_shapes); saturates instead of wrapping. */
static inline int64_t
qviz_shape_numel (const QvizShape *s)
{
  int64_t n = 1;
  for (int i = 0; i < s->rank; i++)
    if (__builtin_mul_overflow (n, s->dims[i], &n))
      return G_MAXINT64;
  return n;
}

/* The bytes of a shape of elements of elem_size, when every dimension is
 * non-negative and the total is at most QVIZ_MAX_TENSOR_BYTES. */
static inline gboolean
qviz_shape_bytes_checked (const QvizShape *s, guint64 elem_size, guint64 *bytes)
{
  guint64 n = elem_size;
  if (s->rank < 0 || s->rank > QVIZ_MAX_RANK)
    return FALSE;
  for (int i = 0; i < s->rank; i++)
    if (s->dims[i] < 0 || __builtin_mul_overflow (n, (guint64) s->dims[i], &n) ||
        n > QVIZ_MAX_TENSOR_BYTES)
      return FALSE;
  *bytes = n;
  return TRUE;
}

/* Affine uint8 quantization of one activation tensor. */
typedef struct {
  gboolean valid;
  float scale;
  int zero_point; /* 0..255 */
} QvizQuantParams;

typedef enum {
  QVIZ_OP_CONV,
  QVIZ_OP_BATCHNORM,      /* folded into the producing conv at plan time */
  QVIZ_OP_ACTIVATION,     /* relu, clip, hardswish, hardsigmoid, sigmoid */
  QVIZ_OP_ADD,
  QVIZ_OP_SUB,
  QVIZ_OP_MUL,
  QVIZ_OP_DIV,
  QVIZ_OP_GLOBAL_AVGPOOL,
  QVIZ_OP_AVGPOOL,
  QVIZ_OP_MAXPOOL,
  QVIZ_OP_RESIZE,
  QVIZ_OP_CONCAT,
  QVIZ_OP_LINEAR,         /* Gemm / MatMul with constant weights */
  QVIZ_OP_FLATTEN,
  QVIZ_OP_RESHAPE,
  QVIZ_OP_TRANSPOSE,
  QVIZ_OP_SOFTMAX,
  QVIZ_OP_IDENTITY,
  QVIZ_OP_PAD,            /* height and width of a feature map */
  QVIZ_OP_LOG_SOFTMAX,
  QVIZ_OP_SLICE,          /* strided window of any axes, any rank */
  QVIZ_OP_LAYERNORM,      /* over the logical axes from axis to the last */
  QVIZ_OP_MATMUL,         /* batched product of two computed tensors */
  QVIZ_OP_REDUCE,         /* mean, sum, max, min, L1, L2 over any axes */
  QVIZ_OP_EQUAL,          /* comparisons: 1 where true, 0 where false */
  QVIZ_OP_LESS,
  QVIZ_OP_LESS_EQUAL,
  QVIZ_OP_GREATER,
  QVIZ_OP_GREATER_EQUAL,
  QVIZ_OP_WHERE,          /* condition != 0 ? x : y, the three broadcast */
  QVIZ_OP_CONV_TRANSPOSE, /* 2-D transposed convolution of a feature map */
  QVIZ_N_OPS
} QvizOp;

typedef enum {
  QVIZ_PAD_EXPLICIT,
  QVIZ_PAD_SAME_UPPER,
  QVIZ_PAD_SAME_LOWER,
  QVIZ_PAD_VALID,
} QvizPadMode;

typedef struct {
  int in_channels, out_channels;
  int kernel_h, kernel_w;
  int stride_h, stride_w;
  int dilation_h, dilation_w;
  int pad_top, pad_left, pad_bottom, pad_right;
  QvizPadMode pad_mode;
  int groups;
  float *weights;       /* OHWI: [out_c][kh][kw][in_c / groups] */
  float *bias;          /* [out_channels] or NULL */
  qvk_activation act;   /* activation fused into the conv (set by the planner) */
  /* Already-quantized models (ONNX QDQ / QLinearConv): per-output-channel
   * weight scales; NULL when the weights are plain float. */
  float *weight_scales;
  /* Calibration's mean input under each kernel tap, [kh][kw][in_c], for
   * the int8 bias correction (qviz-bias-correction.h); NULL before. */
  float *input_tap_mean;
} QvizConvAttrs;

/* ConvTranspose: weights in ONNX's layout, in_channels x
 * (out_channels / groups) x kernel_h x kernel_w; explicit pads only. */
typedef struct {
  int in_channels, out_channels, groups;
  int kernel_h, kernel_w;
  int stride_h, stride_w;
  int dilation_h, dilation_w;
  int pad_top, pad_left, pad_bottom, pad_right;
  int output_padding_h, output_padding_w;
  /* Pads derived from output_shape or auto_pad SAME at the file's input
   * size: the output that size gives, which other sizes must give too;
   * 0 when the pads were explicit. */
  int fixed_out_h, fixed_out_w;
  float *weights;
  float *bias;  /* [out_channels] or NULL */
} QvizConvTransposeAttrs;

typedef struct {
  int channels;
  float *gamma, *beta, *mean, *var;
  float eps;
} QvizBatchNormAttrs;

typedef struct {
  int kernel_h, kernel_w;
  int stride_h, stride_w;
  int dilation_h, dilation_w;
  int pad_top, pad_left, pad_bottom, pad_right;
  QvizPadMode pad_mode;
  gboolean ceil_mode;
  gboolean count_include_pad;
} QvizPoolAttrs;

typedef enum {
  QVIZ_RESIZE_BILINEAR,
  QVIZ_RESIZE_NEAREST,
} QvizResizeMode;

typedef enum {
  QVIZ_RESIZE_SCALES,   /* out = floor(in * scale) */
  QVIZ_RESIZE_SIZES,    /* fixed out_h x out_w */
  QVIZ_RESIZE_LIKE,     /* spatial size of value like_value (e.g. the input) */
} QvizResizeTarget;

/* How an output index maps to a source coordinate: PyTorch's interpolate()
 * (the built-in models; half_pixel, but an output of one pixel takes the
 * centre), or ONNX's coordinate_transformation_mode. */
typedef enum {
  QVIZ_RESIZE_COORD_TORCH_INTERPOLATE,
  QVIZ_RESIZE_COORD_PYTORCH_HALF_PIXEL,
  QVIZ_RESIZE_COORD_HALF_PIXEL,
  QVIZ_RESIZE_COORD_ALIGN_CORNERS,
  QVIZ_RESIZE_COORD_ASYMMETRIC,
  QVIZ_RESIZE_COORD_TF_HALF_PIXEL_FOR_NN,
} QvizResizeCoord;

/* ONNX's nearest_mode: which pixel a source coordinate between two takes. */
typedef enum {
  QVIZ_RESIZE_ROUND_PREFER_FLOOR,
  QVIZ_RESIZE_ROUND_PREFER_CEIL,
  QVIZ_RESIZE_FLOOR,
  QVIZ_RESIZE_CEIL,
} QvizResizeNearestMode;

typedef enum {
  QVIZ_PAD_FILL_CONSTANT,
  QVIZ_PAD_FILL_REFLECT,
  QVIZ_PAD_FILL_EDGE,
} QvizPadFill;

/* ONNX Pad on the height and width: pads may be negative (a crop). */
typedef struct {
  QvizPadFill fill;
  float value;
  int top, left, bottom, right;
} QvizPadAttrs;

typedef struct {
  QvizResizeMode mode;
  gboolean align_corners;        /* coord is QVIZ_RESIZE_COORD_ALIGN_CORNERS */
  QvizResizeCoord coord;
  QvizResizeNearestMode nearest_mode;
  QvizResizeTarget target;
  float scale_h, scale_w;
  int out_h, out_w;
  int like_value;
} QvizResizeAttrs;

typedef struct {
  int in_features, out_features;
  float *weights;       /* [out][in] */
  float *bias;          /* [out] or NULL */
  qvk_activation act;
  /* Calibration's mean input feature, [in], for the int8 bias correction
   * (qviz-bias-correction.h); NULL before. */
  float *input_mean;
} QvizLinearAttrs;

/* A reshape's target.  An entry may instead be dimension like_dim[j] of
 * value like_value[j], resolved per plan (a channel shuffle reshapes back
 * to the height and width of an earlier feature map).  A 4-D result is a
 * feature map, stored channels-last. */
typedef struct {
  int rank;
  int64_t dims[QVIZ_MAX_RANK]; /* ONNX semantics: 0 copies, -1 is inferred */
  gboolean has_like[QVIZ_MAX_RANK];
  int like_value[QVIZ_MAX_RANK];
  int like_dim[QVIZ_MAX_RANK];
  /* A 4-D result read along its last axis (a Swin block's B x H x W x C
   * windows), kept in logical order rather than as a feature map. */
  gboolean rows;
} QvizReshapeAttrs;

/* Layer normalization over logical axes axis..rank-1 (size elements per
 * row, 0 when only known per plan); gamma and beta of size entries in
 * logical order, or NULL. */
typedef struct {
  int axis;              /* negative from the end */
  int size;
  float epsilon;
  float *gamma, *beta;
} QvizLayerNormAttrs;

/* A reduction over the logical axes whose bits are set in axes (bit d for
 * axis d); kind is a qvk_reduce_kind. */
typedef struct {
  int kind;
  guint axes;
  gboolean keepdims;
} QvizReduceAttrs;

/* ONNX Slice as the file gives it; clamped to the input per plan.  Axes
 * not listed are taken whole. */
typedef struct {
  int n_axes;
  int axes[QVIZ_MAX_RANK];     /* logical axes, negative from the end */
  int64_t starts[QVIZ_MAX_RANK], ends[QVIZ_MAX_RANK], steps[QVIZ_MAX_RANK];
  gboolean exact;              /* Gather's indices: out of range is an error,
                                  not clamped */
} QvizSliceAttrs;

typedef struct {
  int node_index;        /* position in the graph */
  char *name;            /* hierarchical path */
  QvizOp op;
  int n_inputs;
  int *inputs;           /* value indices */
  int output;            /* value index */
  union {
    QvizConvAttrs conv;
    QvizConvTransposeAttrs convt;
    QvizBatchNormAttrs bn;
    qvk_activation act;
    QvizPoolAttrs pool;
    QvizResizeAttrs resize;
    QvizPadAttrs pad;
    QvizLinearAttrs linear;
    QvizReshapeAttrs reshape;
    QvizSliceAttrs slice;
    QvizLayerNormAttrs layernorm;
    QvizReduceAttrs reduce;
    int axis;            /* CONCAT, FLATTEN, SOFTMAX, LOG_SOFTMAX (logical axis) */
    int perm[QVIZ_MAX_RANK]; /* TRANSPOSE, rank of the input */
  } a;
} QvizNode;

typedef struct {
  char *name;
  int producer;          /* node index, or -1 for the input and constants */
  float *data;           /* constant data (logical row-major) or NULL */
  QvizShape shape;       /* constants: their shape; others: filled per plan */
  QvizQuantParams quant; /* from calibration or from the model file */
  gboolean file_quant;   /* the model file rounds and clamps this tensor to
                            quant (QuantizeLinear, QLinear* outputs): float
                            plans do the same, as ONNX defines it */
  gboolean calibrated_quant; /* quant is qviz's own calibration's, not
                                given by the model (or a caller) */
} QvizValue;

typedef struct _QvizGraph QvizGraph;

struct _QvizGraph {
  char *name;            /* "lraspp-mnv3" or the file's base name */
  char *source;          /* "builtin" or the file path */
  char *description;
  char sha256[65];       /* of the file's bytes; of the name for built-ins */
  int in_channels;
  int fixed_h, fixed_w;  /* 0: any input size */
  int default_res;
  GArray *values;        /* QvizValue */
  GArray *nodes;         /* QvizNode */
  int input;             /* value index of the single input */
  GArray *outputs;       /* int value indices */
  gboolean calibrated;   /* every value's quant params are valid */
  gboolean prequantized; /* scales came from the model file */
};

QvizGraph  *qviz_graph_new            (const char *name, int in_channels);
void        qviz_graph_free           (QvizGraph *g);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizGraph, qviz_graph_free)

/* Adds a value; takes ownership of data (g_malloc'd) when not NULL. */
int         qviz_graph_add_value      (QvizGraph *g, const char *name,
                                       float *data, const QvizShape *shape);
/* Adds a node reading n_inputs values and producing a new value named like
 * the node; returns the node (valid until the next add). */
QvizNode   *qviz_graph_add_node       (QvizGraph *g, const char *name, QvizOp op,
                                       const int *inputs, int n_inputs);
void        qviz_graph_add_output     (QvizGraph *g, int value);

static inline QvizNode *
qviz_graph_node (const QvizGraph *g, int i)
{
  return &g_array_index (g->nodes, QvizNode, i);
}

static inline QvizValue *
qviz_graph_value (const QvizGraph *g, int i)
{
  return &g_array_index (g->values, QvizValue, i);
}

static inline int qviz_graph_n_nodes (const QvizGraph *g) { return (int) g->nodes->len; }
static inline int qviz_graph_n_values (const QvizGraph *g) { return (int) g->values->len; }

/* Infers every value's shape for an input of batch x in_channels x h x w.
 * shapes has qviz_graph_n_values() entries.  Fails with a sentence naming
 * the node when the size does not fit the model. */
gboolean    qviz_graph_infer_shapes   (const QvizGraph *g, int batch, int h, int w,
                                       QvizShape *shapes, GError **error);

/* Resolves SAME/VALID padding of a conv or pool window for an input size. */
void        qviz_window_resolve_pads  (QvizPadMode mode, int in_h, int in_w,
                                       int kernel_h, int kernel_w,
                                       int stride_h, int stride_w,
                                       int dilation_h, int dilation_w,
                                       const int explicit_pads[4], /* t, l, b, r */
                                       int pads[4]);

/* A slice at an input shape: the first logical index and the step of
 * every axis, and the output shape; FALSE when the axes or steps do not
 * fit the input. */
gboolean    qviz_slice_resolve        (const QvizSliceAttrs *a, const QvizShape *in,
                                       int64_t begin[QVIZ_MAX_RANK],
                                       int64_t step[QVIZ_MAX_RANK], QvizShape *out);

/* Per-node facts at a given set of shapes. */
guint64     qviz_node_macs            (const QvizGraph *g, const QvizNode *n,
                                       const QvizShape *shapes);
guint64     qviz_node_params          (const QvizNode *n);
gboolean    qviz_node_is_depthwise    (const QvizGraph *g, const QvizNode *n,
                                       const QvizShape *shapes);
gboolean    qviz_node_is_dilated      (const QvizNode *n);

const char *qviz_op_name              (QvizOp op);
/* The length of the longest operator name: the width of an op column. */
int         qviz_op_name_width        (void);
const char *qviz_activation_name      (qvk_act act);
/* "3x3 s2 d1 g16" style summary of a conv or pool node; NULL otherwise. */
char       *qviz_node_describe_window (const QvizNode *n);
char       *qviz_shape_to_string      (const QvizShape *s);

guint64     qviz_graph_params         (const QvizGraph *g);

#define QVIZ_ERROR (qviz_error_quark ())
GQuark qviz_error_quark (void);

typedef enum {
  QVIZ_ERROR_INVALID_ARGUMENT, /* bad size, thread count, name */
  QVIZ_ERROR_UNSUPPORTED,      /* unknown op, opset, type */
  QVIZ_ERROR_PARSE,            /* malformed file */
  QVIZ_ERROR_IO,
  QVIZ_ERROR_SHAPE,
  QVIZ_ERROR_DATABASE,
  QVIZ_ERROR_CANCELLED,
  QVIZ_ERROR_MEMORY,           /* more than the machine can hold */
} QvizErrorCode;

G_END_DECLS
