/* qviz-onnx-private.h: the state of one ONNX import, shared by the reader
 * (qviz-onnx.c), the operator mapping (qviz-onnx-ops.c) and the symbolic
 * shape and constant evaluation (qviz-onnx-shape.c).
 *
 * Every ONNX tensor name maps to a symbol: a runtime value of the engine
 * graph, a constant known at load time, or a shape vector whose entries are
 * integers or "dimension d of value v".  Shape subgraphs are evaluated on
 * symbols, so a model exported with dynamic height and width turns into
 * size-independent engine attributes.
 */
#pragma once

#include "qviz-onnx.h"
#include "qviz-onnx.pb-c.h"

G_BEGIN_DECLS

typedef QvizOnnx__ModelProto OnnxModel;
typedef QvizOnnx__GraphProto OnnxGraph;
typedef QvizOnnx__NodeProto OnnxNode;
typedef QvizOnnx__TensorProto OnnxTensor;
typedef QvizOnnx__AttributeProto OnnxAttr;

typedef enum {
  SYM_VALUE,  /* computed at run time: an engine graph value */
  SYM_CONST,  /* known at load time */
  SYM_SHAPE,  /* 1-D integer vector (or scalar) of possibly symbolic dims */
  SYM_SKIP,   /* folded away (the HardSigmoid of a recognised hardswish) */
} SymKind;

/* value of a shape entry computed by arithmetic from sizes known only at
 * run time (the batch times the windows per image): a Reshape may infer it
 * from the element count, nothing else may read it. */
#define SYMDIM_DERIVED (-2)

/* One entry of a shape vector: known, or dimension dim of value (or both). */
typedef struct {
  int value;      /* graph value, -1, or SYMDIM_DERIVED */
  int dim;
  int64_t known;  /* -1 when unknown at load time */
} SymDim;

typedef struct {
  SymKind kind;
  int rank;                       /* -1: unknown (SYM_VALUE only) */
  int64_t dims[QVIZ_MAX_RANK];    /* -1: unknown */

  /* SYM_VALUE */
  int value;

  /* SYM_CONST: exactly one of f / i is set. */
  float *f;
  int64_t *i;
  gsize n;
  int onnx_type;                  /* element type it had in the file */
  int graph_value;                /* once added to the graph, else -1 */
  /* Weights that came through DequantizeLinear of int8: their scales. */
  float *wscales;
  int n_wscales, wscale_axis;

  /* SYM_SHAPE */
  SymDim *e;
  int n_e;
  gboolean scalar;
} Sym;

typedef struct {
  QvizGraph *g;
  const char *file;               /* name that starts every message */
  const char *base_dir;
  int opset;                      /* default domain */
  GHashTable *syms;               /* ONNX name -> Sym* (not owned) */
  GPtrArray *all_syms;            /* owns every Sym */
  GHashTable *value_names;        /* names used by graph values -> the next
                                   * suffix to try after each (GUINT) */
  /* Pre-scan: per ONNX node, how it is handled specially. */
  guint8 *node_flags;
  GHashTable *consumers;          /* ONNX name -> GUINT count */
  /* Decomposed layer normalizations: index of the final Div -> its
   * ReduceMean of the mean, Add of epsilon and Pow (OnnxNode *). */
  GHashTable *ln_mean, *ln_eps, *ln_pow;
  gboolean quant_seen;
  const OnnxGraph *graph;         /* the graph being read, once pre-scanned */
  /* Elements of the tensors stored in the file, and of the constants the
   * loader computes itself (folded shapes and tensors, the ones a
   * broadcast multiplies by): the second may be at most
   * ONNX_MADE_BASE_ELEMENTS plus four times the first, so that a file of a
   * few hundred bytes cannot make the loader allocate and fill gigabytes. */
  gsize file_elements, made_elements;
} OnnxCtx;

#define ONNX_MADE_BASE_ELEMENTS ((gsize) 1 << 22)

enum {
  NODE_SKIP = 1,       /* produces nothing in the engine graph */
  NODE_HARDSWISH = 2,     /* Mul that is x * HardSigmoid(x), x its input 0 */
  NODE_HARDSWISH_X1 = 3,  /* the same with x as input 1 */
  NODE_LAYERNORM = 4,     /* Div ending mean / variance / sqrt chain */
};

/* A number from the file as an integer: NaN is 0 and anything beyond
 * +-2^62 is clamped, so that no conversion is undefined. */
static inline int64_t
onnx_to_int (double v)
{
  const double limit = 4611686018427387904.0; /* 2^62 */

  if (v != v)
    return 0;
  if (v >= limit)
    return (int64_t) 1 << 62;
  if (v <= -limit)
    return -((int64_t) 1 << 62);
  return (int64_t) v;
}

/* qviz-onnx.c */
Sym     *onnx_sym_new            (OnnxCtx *ctx, SymKind kind);
gboolean onnx_bind               (OnnxCtx *ctx, const char *name, Sym *s,
                                  GError **error);
Sym     *onnx_lookup             (OnnxCtx *ctx, const OnnxNode *node, int input,
                                  GError **error);
gboolean onnx_has_input          (const OnnxNode *node, int input);
char    *onnx_node_name          (const OnnxNode *node, int index);
char    *onnx_unique_name        (OnnxCtx *ctx, const char *name);
Sym     *onnx_tensor_to_sym      (OnnxCtx *ctx, const OnnxTensor *t, GError **error);
int      onnx_const_value        (OnnxCtx *ctx, Sym *s, const char *name);
gboolean onnx_charge_made        (OnnxCtx *ctx, gsize n, const char *node_name,
                                  const char *op, GError **error);
int      onnx_operand_value      (OnnxCtx *ctx, Sym *s, const char *name,
                                  const char *node_name, GError **error);

const OnnxAttr *onnx_attr        (const OnnxNode *node, const char *name);
int64_t  onnx_attr_int           (const OnnxNode *node, const char *name, int64_t dflt);
float    onnx_attr_float         (const OnnxNode *node, const char *name, float dflt);
char    *onnx_attr_string        (const OnnxNode *node, const char *name, const char *dflt);
/* Copies at most max ints; returns how many the attribute has, or -1. */
int      onnx_attr_ints          (const OnnxNode *node, const char *name,
                                  int64_t *out, int max);

/* qviz-onnx-ops.c */
gboolean onnx_import_node        (OnnxCtx *ctx, const OnnxNode *node, int index,
                                  GError **error);
gboolean onnx_op_is_known        (const OnnxNode *node);
void     onnx_prescan            (OnnxCtx *ctx, const OnnxGraph *graph);

/* qviz-onnx-shape.c: load-time evaluation of constants and shape vectors. */
gboolean onnx_try_fold           (OnnxCtx *ctx, const OnnxNode *node, const char *name,
                                  gboolean *handled, GError **error);
gboolean onnx_sym_ints           (const Sym *s, int64_t *out, int max, int *n);
gboolean onnx_sym_floats         (const Sym *s, float *out, int max, int *n);
Sym     *onnx_shape_of           (OnnxCtx *ctx, const Sym *x, int start, int end);

G_END_DECLS
