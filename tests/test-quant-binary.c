/* test-quant-binary.c: every int8 binary layer (add, sub, mul, div; same
 * shapes and a per-channel vector broadcast, in either operand order) on
 * operands whose zero points are far from 0 and from each other, against
 * an exact reference computed in int64 and double from the same bytes. */

#include "qviz-plan.h"
#include "qvk-conv.h"

#include <math.h>
#include <string.h>

#define SEED 0x5e11
#define C 13   /* not a multiple of any vector width */
#define H 5
#define W 7

typedef struct {
  const char *name;
  QvizOp op;
  const char *a, *b;       /* operand value names */
  const char *kernel;      /* expected substring of the chosen kernel, or NULL */
} BinaryCase;

/* f and g are full feature maps, v a [1,C,1,1] channel vector ("scale" of
 * a squeeze-excite block). */
static const BinaryCase cases[] = {
  { "mul_vf", QVIZ_OP_MUL, "v", "f", "mul-channel" },  /* torchvision: scale * x */
  { "mul_fv", QVIZ_OP_MUL, "f", "v", "mul-channel" },
  { "mul_fg", QVIZ_OP_MUL, "f", "g", "mul" },
  { "mul_gf", QVIZ_OP_MUL, "g", "f", "mul" },
  { "add_fg", QVIZ_OP_ADD, "f", "g", "add" },
  { "add_gf", QVIZ_OP_ADD, "g", "f", "add" },
  { "add_vf", QVIZ_OP_ADD, "v", "f", NULL },
  { "add_fv", QVIZ_OP_ADD, "f", "v", NULL },
  { "sub_fg", QVIZ_OP_SUB, "f", "g", NULL },
  { "sub_gf", QVIZ_OP_SUB, "g", "f", NULL },
  { "sub_vf", QVIZ_OP_SUB, "v", "f", NULL },
  { "div_fv", QVIZ_OP_DIV, "f", "v", NULL },
};

/* Operand quantization: zero points far from 0, from 128 and from each
 * other, so that exchanging any two of them changes every result. */
static const struct { const char *name; float scale; int zero_point; } operand_quant[] = {
  { "x", 0.05f, 128 },
  { "f", 0.031f, 201 },
  { "g", 0.017f, 37 },
  { "v", 0.0123f, 90 },
};

static int
find_value (QvizGraph *g, const char *name)
{
  for (int v = 0; v < qviz_graph_n_values (g); v++)
    if (g_strcmp0 (qviz_graph_value (g, v)->name, name) == 0)
      return v;
  g_assert_not_reached ();
}

static QvizGraph *
build_graph (void)
{
  QvizGraph *g = qviz_graph_new ("binary-ops", C);
  int x = g->input, v;
  QvizNode *n;

  n = qviz_graph_add_node (g, "f", QVIZ_OP_ACTIVATION, &x, 1);
  n->a.act = qvk_activation_make (QVK_ACT_HARDSWISH);
  n = qviz_graph_add_node (g, "g", QVIZ_OP_ACTIVATION, &x, 1);
  n->a.act = qvk_activation_clip (-1.0f, 4.0f);
  qviz_graph_add_node (g, "v", QVIZ_OP_GLOBAL_AVGPOOL, &x, 1);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int in[2] = { find_value (g, cases[i].a), find_value (g, cases[i].b) };
      n = qviz_graph_add_node (g, cases[i].name, cases[i].op, in, 2);
      qviz_graph_add_output (g, n->output);
    }
  for (v = 0; v < qviz_graph_n_values (g); v++)
    {
      QvizValue *val = qviz_graph_value (g, v);
      val->quant.valid = TRUE;
      /* results: [-12.8, 12.7] at 0.1, zero point 128 (some saturate) */
      val->quant.scale = 0.1f;
      val->quant.zero_point = 128;
      for (guint k = 0; k < G_N_ELEMENTS (operand_quant); k++)
        if (g_strcmp0 (val->name, operand_quant[k].name) == 0)
          {
            val->quant.scale = operand_quant[k].scale;
            val->quant.zero_point = operand_quant[k].zero_point;
          }
    }
  g->calibrated = TRUE;
  return g;
}

/* Random bytes for an operand, written through its real values (which
 * quantize back to the same bytes). */
static guint8 *
fill_operand (QvizPlan *plan, QvizGraph *g, const char *name, GRand *r)
{
  int v = find_value (g, name);
  const QvizQuantParams *q = &qviz_graph_value (g, v)->quant;
  gsize n = name[0] == 'v' ? C : C * H * W;
  guint8 *bytes = g_new (guint8, n);
  g_autofree float *real = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    {
      bytes[i] = (guint8) g_rand_int_range (r, 0, 256);
      real[i] = q->scale * ((int) bytes[i] - q->zero_point);
    }
  qviz_plan_set_value (plan, v, real);
  return bytes;
}

static double
apply (QvizOp op, double a, double b)
{
  switch (op)
    {
    case QVIZ_OP_ADD: return a + b;
    case QVIZ_OP_SUB: return a - b;
    case QVIZ_OP_MUL: return a * b;
    case QVIZ_OP_DIV: return a / b;
    default: g_assert_not_reached ();
    }
}

/* Byte of operand `bytes` (name) that output element (c, p) reads. */
static int
operand_at (const char *name, const guint8 *bytes, int c, int p)
{
  return name[0] == 'v' ? bytes[c] : bytes[c * H * W + p];
}

static void
check_isa (gconstpointer data)
{
  const int isa = GPOINTER_TO_INT (data);
  g_autoptr (QvizGraph) g = build_graph ();
  g_autoptr (QvizPlan) plan = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED);
  QvizPlanConfig pc;
  const guint8 *bytes[256] = { NULL };
  g_autofree guint8 *fb = NULL, *gb = NULL, *vb = NULL;

  qviz_plan_config_init (&pc);
  pc.precision = QVIZ_PRECISION_INT8;
  pc.height = H;
  pc.width = W;
  pc.no_fusion = TRUE;
  if (isa >= 0)
    {
      pc.isa = isa;
      pc.isa_set = TRUE;
    }
  plan = qviz_plan_new (g, &pc, &error);
  g_assert_no_error (error);

  fb = fill_operand (plan, g, "f", r);
  gb = fill_operand (plan, g, "g", r);
  vb = fill_operand (plan, g, "v", r);
  bytes['f'] = fb;
  bytes['g'] = gb;
  bytes['v'] = vb;

  for (int i = 0; i < qviz_plan_get_n_layers (plan); i++)
    {
      const QvizLayerInfo *info = qviz_plan_get_layer (plan, i);
      const BinaryCase *bc = NULL;
      const QvizQuantParams *qa, *qb, *qy;
      g_autofree float *y = NULL;
      gsize n;
      int worst = 0;

      for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
        if (g_strcmp0 (info->name, cases[k].name) == 0)
          bc = &cases[k];
      if (bc == NULL)
        continue;
      if (bc->kernel != NULL)
        g_assert_nonnull (strstr (info->kernel, bc->kernel));
      qviz_plan_run_layer (plan, i);
      n = qviz_plan_get_layer_output (plan, i, NULL);
      g_assert_cmpuint (n, ==, C * H * W);
      y = g_new (float, n);
      qviz_plan_get_layer_output (plan, i, y);

      qa = &qviz_graph_value (g, find_value (g, bc->a))->quant;
      qb = &qviz_graph_value (g, find_value (g, bc->b))->quant;
      qy = &qviz_graph_value (g, qviz_plan_get_layer_value (plan, i))->quant;
      for (int c = 0; c < C; c++)
        for (int p = 0; p < H * W; p++)
          {
            const int64_t da = operand_at (bc->a, bytes[(guchar) bc->a[0]], c, p) - qa->zero_point;
            const int64_t db = operand_at (bc->b, bytes[(guchar) bc->b[0]], c, p) - qb->zero_point;
            const double exact = apply (bc->op, (double) qa->scale * (double) da,
                                        (double) qb->scale * (double) db);
            int64_t expect, got;

            if (bc->op == QVIZ_OP_DIV && db == 0)
              continue;  /* a division by zero is the model's, not ours */
            expect = (int64_t) nearbyint (exact / qy->scale) + qy->zero_point;
            expect = CLAMP (expect, 0, 255);
            got = (int64_t) lrint (y[c * H * W + p] / qy->scale) + qy->zero_point;
            worst = MAX (worst, (int) llabs (got - expect));
          }
      g_test_message ("%s (%s): worst %d units", bc->name, info->kernel, worst);
      g_assert_cmpint (worst, <=, 1);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/quant-binary/detected-isa", GINT_TO_POINTER (-1), check_isa);
  g_test_add_data_func ("/quant-binary/scalar", GINT_TO_POINTER (QVK_ISA_SCALAR), check_isa);
  return g_test_run ();
}
