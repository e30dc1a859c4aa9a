/* test-onnx-conformance.c: ONNX's own node tests and the pytorch-converted
 * tests (Debian's libonnx-testdata) for every operator qviz lists as
 * supported.  The first input is the image (one of rank 1 to 3 goes in as
 * a 4-D image and a Reshape the test puts in front); further inputs are
 * folded into the model as initializers.  Every test passes, or qviz refuses it with a
 * message; none may load, run and differ.
 *
 * QVIZ_ONNX_TESTDATA names the data folder (default
 * /usr/share/libonnx-testdata/data, which holds node/ and
 * pytorch-converted/).
 */
#include "qviz-graph.h"
#include "qviz-onnx.h"
#include "qviz-plan.h"

#include <math.h>
#include <string.h>

#define DEFAULT_TESTDATA "/usr/share/libonnx-testdata/data"

/* ---- a few protobuf wire-format reads and writes ----------------------- */

typedef struct {
  const guint8 *p, *end;
} PbReader;

typedef struct {
  int field, wire;
  guint64 varint;
  const guint8 *data; /* LEN or fixed32 */
  gsize len;
} PbField;

static gboolean
pb_varint (PbReader *r, guint64 *v)
{
  *v = 0;
  for (int shift = 0; shift < 64 && r->p < r->end; shift += 7)
    {
      guint8 b = *r->p++;
      *v |= (guint64) (b & 0x7f) << shift;
      if (!(b & 0x80))
        return TRUE;
    }
  return FALSE;
}

static gboolean
pb_next (PbReader *r, PbField *f)
{
  guint64 key;

  if (r->p >= r->end || !pb_varint (r, &key))
    return FALSE;
  f->field = (int) (key >> 3);
  f->wire = (int) (key & 7);
  switch (f->wire)
    {
    case 0:
      return pb_varint (r, &f->varint);
    case 1:
      if (r->end - r->p < 8)
        return FALSE;
      f->data = r->p;
      f->len = 8;
      r->p += 8;
      return TRUE;
    case 2:
      if (!pb_varint (r, &f->varint) || f->varint > (guint64) (r->end - r->p))
        return FALSE;
      f->data = r->p;
      f->len = (gsize) f->varint;
      r->p += f->len;
      return TRUE;
    case 5:
      if (r->end - r->p < 4)
        return FALSE;
      f->data = r->p;
      f->len = 4;
      r->p += 4;
      return TRUE;
    default:
      return FALSE;
    }
}

static void
pb_put_varint (GByteArray *b, guint64 v)
{
  do
    {
      guint8 c = (guint8) (v & 0x7f);
      v >>= 7;
      if (v)
        c |= 0x80;
      g_byte_array_append (b, &c, 1);
    }
  while (v);
}

static void
pb_put_bytes (GByteArray *b, int field, const guint8 *data, gsize len)
{
  pb_put_varint (b, ((guint64) field << 3) | 2);
  pb_put_varint (b, len);
  g_byte_array_append (b, data, (guint) len);
}

/* ---- tensors ------------------------------------------------------------ */

typedef struct {
  int data_type; /* 1 = float */
  int rank;
  gint64 dims[8];
  float *floats;
  gsize n;
} Tensor;

static void
tensor_clear (Tensor *t)
{
  g_clear_pointer (&t->floats, g_free);
}

/* Reads the shape and, for float tensors, the values. */
static gboolean
tensor_read (GBytes *bytes, Tensor *t)
{
  gsize size;
  PbReader r = { g_bytes_get_data (bytes, &size), NULL };
  PbField f;
  GArray *values = g_array_new (FALSE, FALSE, sizeof (float));

  r.end = r.p + size;
  memset (t, 0, sizeof *t);
  while (pb_next (&r, &f))
    {
      if (f.field == 1 && f.wire == 0 && t->rank < 8)
        t->dims[t->rank++] = (gint64) f.varint;
      else if (f.field == 1 && f.wire == 2)
        {
          PbReader d = { f.data, f.data + f.len };
          guint64 v;
          while (d.p < d.end && pb_varint (&d, &v) && t->rank < 8)
            t->dims[t->rank++] = (gint64) v;
        }
      else if (f.field == 2 && f.wire == 0)
        t->data_type = (int) f.varint;
      else if (f.field == 4 && f.wire == 2)
        g_array_append_vals (values, f.data, (guint) (f.len / 4));
      else if (f.field == 4 && f.wire == 5)
        g_array_append_vals (values, f.data, 1);
      else if (f.field == 9 && f.wire == 2 && t->data_type == 9)
        /* bool: one byte each, read as the 0 / 1 qviz computes */
        for (gsize k = 0; k < f.len; k++)
          {
            float v = f.data[k] != 0 ? 1.0f : 0.0f;
            g_array_append_val (values, v);
          }
      else if (f.field == 9 && f.wire == 2)
        g_array_append_vals (values, f.data, (guint) (f.len / 4));
    }
  t->n = values->len;
  t->floats = (float *) g_array_free (values, FALSE);
  return TRUE;
}

static gsize
tensor_numel (const Tensor *t)
{
  gsize n = 1;
  for (int d = 0; d < t->rank; d++)
    n *= (gsize) t->dims[d];
  return n;
}

/* ---- one test case ------------------------------------------------------ */

typedef enum { CASE_PASSED, CASE_REFUSED, CASE_FAILED, CASE_SKIPPED } CaseResult;

typedef struct {
  char **ops;        /* op types of the graph's nodes */
  char **inputs;     /* the graph's input names, in order */
} ModelFacts;

static void
model_facts_read (const guint8 *data, gsize len, ModelFacts *m)
{
  PbReader r = { data, data + len };
  PbField f;
  g_autoptr (GPtrArray) ops = g_ptr_array_new ();
  g_autoptr (GPtrArray) inputs = g_ptr_array_new ();

  while (pb_next (&r, &f))
    {
      PbReader g;
      PbField gf;
      if (f.field != 7 || f.wire != 2)
        continue;
      g = (PbReader) { f.data, f.data + f.len };
      while (pb_next (&g, &gf))
        {
          PbReader sub = { gf.data, gf.data + gf.len };
          PbField sf;
          if (gf.wire != 2 || (gf.field != 1 && gf.field != 11))
            continue;
          while (pb_next (&sub, &sf))
            {
              if (gf.field == 1 && sf.field == 4 && sf.wire == 2)
                g_ptr_array_add (ops, g_strndup ((const char *) sf.data, sf.len));
              else if (gf.field == 11 && sf.field == 1 && sf.wire == 2)
                g_ptr_array_add (inputs, g_strndup ((const char *) sf.data, sf.len));
            }
        }
    }
  g_ptr_array_add (ops, NULL);
  g_ptr_array_add (inputs, NULL);
  m->ops = (char **) g_ptr_array_free (g_steal_pointer (&ops), FALSE);
  m->inputs = (char **) g_ptr_array_free (g_steal_pointer (&inputs), FALSE);
}

static gboolean
op_supported (const char *op)
{
  const char *const *known = qviz_onnx_supported_operators ();
  for (int k = 0; known[k] != NULL; k++)
    if (strcmp (known[k], op) == 0)
      return TRUE;
  return FALSE;
}

/* The model with inputs 1.. of set_dir folded in as initializers: a
 * GraphProto holding only those initializers, appended as a second graph
 * field, which protobuf merges into the first. */
static GBytes *
fold_inputs (const guint8 *model, gsize len, const ModelFacts *m, const char *set_dir)
{
  g_autoptr (GByteArray) graph = g_byte_array_new ();
  GByteArray *out = g_byte_array_new ();

  for (int k = 1; m->inputs[k] != NULL; k++)
    {
      g_autofree char *file = g_strdup_printf ("input_%d.pb", k);
      g_autofree char *path = g_build_filename (set_dir, file, NULL);
      g_autofree char *contents = NULL;
      gsize clen;
      g_autoptr (GByteArray) tensor = g_byte_array_new ();

      if (!g_file_get_contents (path, &contents, &clen, NULL))
        continue; /* an optional input left out */
      g_byte_array_append (tensor, (const guint8 *) contents, (guint) clen);
      pb_put_bytes (tensor, 8, (const guint8 *) m->inputs[k], strlen (m->inputs[k]));
      pb_put_bytes (graph, 5, tensor->data, tensor->len);
    }
  g_byte_array_append (out, model, (guint) len);
  pb_put_bytes (out, 7, graph->data, graph->len);
  return g_byte_array_free_to_bytes (out);
}

static void
pb_put_varint_field (GByteArray *b, int field, guint64 v)
{
  pb_put_varint (b, (guint64) field << 3);
  pb_put_varint (b, v);
}

static void
pb_put_string (GByteArray *b, int field, const char *s)
{
  pb_put_bytes (b, field, (const guint8 *) s, strlen (s));
}

/* Writes a field read by pb_next as it was. */
static void
pb_put_field (GByteArray *b, const PbField *f)
{
  if (f->wire == 2)
    {
      pb_put_bytes (b, f->field, f->data, f->len);
      return;
    }
  pb_put_varint (b, ((guint64) f->field << 3) | (guint64) f->wire);
  if (f->wire == 0)
    pb_put_varint (b, f->varint);
  else
    g_byte_array_append (b, f->data, (guint) f->len);
}

#define IMAGE_INPUT "qviz_image"

/* qviz reads one image batch N x C x H x W.  A case whose first input has
 * rank 1 to 3 gets a 4-D input of the same elements (ones in front) and a
 * Reshape from it to the original input, placed first in the graph; the
 * rest of the model is as the file has it. */
static GBytes *
wrap_low_rank_input (const guint8 *model, gsize len, const char *input, const Tensor *x,
                     gint64 image_dims[4])
{
  PbReader r = { model, model + len };
  PbField f;
  GByteArray *out = g_byte_array_new ();

  for (int d = 0; d < 4; d++)
    image_dims[d] = d < 4 - x->rank ? 1 : x->dims[d - (4 - x->rank)];
  while (pb_next (&r, &f))
    {
      g_autoptr (GByteArray) graph = NULL;
      PbReader g;
      PbField gf;

      if (f.field != 7 || f.wire != 2)
        {
          pb_put_field (out, &f);
          continue;
        }
      graph = g_byte_array_new ();
      {
        g_autoptr (GByteArray) node = g_byte_array_new ();
        g_autoptr (GByteArray) shape = g_byte_array_new ();
        g_autoptr (GByteArray) vi = g_byte_array_new ();
        g_autoptr (GByteArray) type = g_byte_array_new ();
        g_autoptr (GByteArray) tensor_type = g_byte_array_new ();
        g_autoptr (GByteArray) tshape = g_byte_array_new ();

        pb_put_string (node, 1, IMAGE_INPUT);
        pb_put_string (node, 1, IMAGE_INPUT "_shape");
        pb_put_string (node, 2, input);
        pb_put_string (node, 3, IMAGE_INPUT "/Reshape");
        pb_put_string (node, 4, "Reshape");
        pb_put_bytes (graph, 1, node->data, node->len);

        pb_put_varint_field (shape, 1, (guint64) x->rank);
        pb_put_varint_field (shape, 2, 7); /* int64 */
        for (int d = 0; d < x->rank; d++)
          pb_put_varint_field (shape, 7, (guint64) x->dims[d]);
        pb_put_string (shape, 8, IMAGE_INPUT "_shape");
        pb_put_bytes (graph, 5, shape->data, shape->len);

        for (int d = 0; d < 4; d++)
          {
            g_autoptr (GByteArray) dim = g_byte_array_new ();
            pb_put_varint_field (dim, 1, (guint64) image_dims[d]);
            pb_put_bytes (tshape, 1, dim->data, dim->len);
          }
        pb_put_varint_field (tensor_type, 1, 1); /* float */
        pb_put_bytes (tensor_type, 2, tshape->data, tshape->len);
        pb_put_bytes (type, 1, tensor_type->data, tensor_type->len);
        pb_put_string (vi, 1, IMAGE_INPUT);
        pb_put_bytes (vi, 2, type->data, type->len);
        pb_put_bytes (graph, 11, vi->data, vi->len);
      }
      g = (PbReader) { f.data, f.data + f.len };
      while (pb_next (&g, &gf))
        {
          PbReader sub = { gf.data, gf.data + gf.len };
          PbField sf;
          gboolean is_input = FALSE;

          if (gf.field == 11 && gf.wire == 2)
            while (pb_next (&sub, &sf))
              if (sf.field == 1 && sf.wire == 2 && sf.len == strlen (input) &&
                  memcmp (sf.data, input, sf.len) == 0)
                is_input = TRUE;
          if (!is_input)
            pb_put_field (graph, &gf);
        }
      pb_put_bytes (out, 7, graph->data, graph->len);
    }
  return g_byte_array_free_to_bytes (out);
}

static GBytes *
read_bytes (const char *dir, const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  char *contents;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  return g_bytes_new_take (contents, len);
}

/* |y - ref| <= atol + rtol |ref|, ONNX's backend test tolerance with an
 * absolute part that scales with the output. */
static gboolean
outputs_agree (const float *y, const Tensor *ref, double *worst)
{
  double range = 0.0;
  gboolean ok = TRUE;

  for (gsize i = 0; i < ref->n; i++)
    range = MAX (range, fabs (ref->floats[i]));
  *worst = 0.0;
  for (gsize i = 0; i < ref->n; i++)
    {
      double r = ref->floats[i], d = fabs ((double) y[i] - r);
      if (isnan (r) && isnan (y[i]))
        continue;
      if (isinf (r) && y[i] == r)
        continue;
      if (!(d <= 1e-6 * MAX (range, 1.0) + 1e-3 * fabs (r)))
        ok = FALSE;
      if (!(d <= *worst))
        *worst = d;
    }
  return ok;
}

/* Threads the plans run on (a second run of the suites takes two). */
static int case_threads = 1;

static CaseResult
run_case (const char *dir, const char *name, GString *log)
{
  g_autoptr (GBytes) model = read_bytes (dir, "model.onnx");
  g_autofree char *set_dir = g_build_filename (dir, "test_data_set_0", NULL);
  g_autoptr (GBytes) in0 = read_bytes (set_dir, "input_0.pb");
  g_autoptr (GBytes) folded = NULL;
  g_autoptr (GBytes) wrapped = NULL;
  g_autoptr (GError) error = NULL;
  gint64 image_dims[4];
  g_autoptr (QvizGraph) g = NULL;
  g_autoptr (QvizPlan) plan = NULL;
  ModelFacts m = { 0 };
  Tensor x = { 0 };
  CaseResult result = CASE_PASSED;
  QvizPlanConfig pc;
  gsize len;
  const guint8 *data;

  if (model == NULL || in0 == NULL)
    return CASE_SKIPPED;
  data = g_bytes_get_data (model, &len);
  model_facts_read (data, len, &m);
  for (int k = 0; m.ops[k] != NULL; k++)
    if (!op_supported (m.ops[k]))
      {
        result = CASE_SKIPPED;
        goto out;
      }
  if (m.ops[0] == NULL || m.inputs[0] == NULL)
    {
      result = CASE_SKIPPED;
      goto out;
    }

  tensor_read (in0, &x);
  if (x.data_type == 1 && x.rank >= 1 && x.rank <= 3 && x.n == tensor_numel (&x))
    {
      wrapped = wrap_low_rank_input (data, len, m.inputs[0], &x, image_dims);
      data = g_bytes_get_data (wrapped, &len);
    }
  else
    memcpy (image_dims, x.dims, sizeof image_dims);
  folded = fold_inputs (data, len, &m, set_dir);
  data = g_bytes_get_data (folded, &len);
  g = qviz_onnx_load_from_data (data, len, name, dir, &error);
  if (g == NULL)
    {
      g_string_append_printf (log, "refused %s\n", error->message);
      result = CASE_REFUSED;
      goto out;
    }
  if (x.data_type != 1 || x.rank < 1 || x.rank > 4 || x.n != tensor_numel (&x))
    {
      g_string_append_printf (log, "refused %s: the image input is not float N x C x H x W.\n",
                              name);
      result = CASE_REFUSED;
      goto out;
    }
  qviz_plan_config_init (&pc);
  pc.threads = case_threads;
  pc.batch = (int) image_dims[0];
  pc.height = (int) image_dims[2];
  pc.width = (int) image_dims[3];
  plan = qviz_plan_new (g, &pc, &error);
  if (plan == NULL)
    {
      g_string_append_printf (log, "refused %s: %s\n", name, error->message);
      result = CASE_REFUSED;
      goto out;
    }
  qviz_plan_set_input_nchw (plan, x.floats);
  qviz_plan_run (plan, NULL);

  for (int i = 0; i < qviz_plan_get_n_outputs (plan); i++)
    {
      g_autofree char *file = g_strdup_printf ("output_%d.pb", i);
      g_autoptr (GBytes) ob = read_bytes (set_dir, file);
      const QvizShape *os = qviz_plan_get_output_shape (plan, i);
      g_autofree float *y = NULL;
      Tensor ref = { 0 };
      double worst;
      gboolean same_shape;

      if (ob == NULL)
        break;
      tensor_read (ob, &ref);
      if ((ref.data_type != 1 && ref.data_type != 9) ||
          (ref.data_type == 9 && ref.n != tensor_numel (&ref)))
        {
          /* qviz computes in float (a bool as 0 / 1); the reference is of
           * another type. */
          g_string_append_printf (log, "refused %s: output %d is not float.\n", name, i);
          tensor_clear (&ref);
          result = CASE_REFUSED;
          break;
        }
      same_shape = ref.rank == os->rank && ref.n == (gsize) qviz_shape_numel (os);
      for (int d = 0; same_shape && d < ref.rank; d++)
        same_shape = ref.dims[d] == os->dims[d];
      if (!same_shape)
        {
          g_autofree char *str = qviz_shape_to_string (os);
          g_string_append_printf (log, "FAILED %s: output %d is %s, not of the reference's "
                                  "shape.\n", name, i, str);
          tensor_clear (&ref);
          result = CASE_FAILED;
          break;
        }
      y = g_new (float, MAX (ref.n, 1));
      qviz_plan_get_output (plan, i, y);
      if (!outputs_agree (y, &ref, &worst))
        {
          g_string_append_printf (log, "FAILED %s: output %d differs by up to %g.\n", name, i,
                                  worst);
          result = CASE_FAILED;
        }
      tensor_clear (&ref);
      if (result != CASE_PASSED)
        break;
    }

out:
  tensor_clear (&x);
  g_strfreev (m.ops);
  g_strfreev (m.inputs);
  return result;
}

/* ---- the suites --------------------------------------------------------- */

typedef struct {
  int passed, refused, failed;
  GHashTable *outcome; /* test name -> CaseResult */
  GString *log;
} Counts;

static const char *
testdata_dir (void)
{
  const char *env = g_getenv ("QVIZ_ONNX_TESTDATA");
  return env && env[0] ? env : DEFAULT_TESTDATA;
}

static void
run_suite (const char *suite, Counts *c)
{
  g_autofree char *root = g_build_filename (testdata_dir (), suite, NULL);
  g_autoptr (GDir) d = g_dir_open (root, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  g_assert_nonnull (d);
  while ((entry = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (entry));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint k = 0; k < names->len; k++)
    {
      const char *name = g_ptr_array_index (names, k);
      g_autofree char *dir = g_build_filename (root, name, NULL);
      CaseResult r = run_case (dir, name, c->log);

      if (r == CASE_SKIPPED)
        continue;
      g_hash_table_insert (c->outcome, g_strdup (name), GINT_TO_POINTER (r + 1));
      c->passed += r == CASE_PASSED;
      c->refused += r == CASE_REFUSED;
      c->failed += r == CASE_FAILED;
    }
}

static Counts counts;

static void
ensure_run (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  counts.outcome = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  counts.log = g_string_new (NULL);
  run_suite ("node", &counts);
  run_suite ("pytorch-converted", &counts);
  g_printerr ("%s", counts.log->str);
  g_printerr ("ONNX conformance: %d passed, %d refused, %d failed\n", counts.passed,
              counts.refused, counts.failed);
}

static gboolean
have_testdata (void)
{
  g_autofree char *node = g_build_filename (testdata_dir (), "node", NULL);
  if (g_file_test (node, G_FILE_TEST_IS_DIR))
    return TRUE;
  g_test_skip ("libonnx-testdata is not installed (make test installs it)");
  return FALSE;
}

static void
test_none_differs (void)
{
  if (!have_testdata ())
    return;
  ensure_run ();
  g_assert_cmpint (counts.failed, ==, 0);
  /* Conv, pooling, element-wise ops and more are supported: most cases run. */
  g_assert_cmpint (counts.passed, >, 40);
}

/* On two threads (the layers split, the arena laid out for two) every
 * case ends as on one: the same passed, the same refused, none differs
 * from the specification's outputs. */
static void
test_two_threads (void)
{
  Counts two = { 0 };
  GHashTableIter it;
  gpointer key, value;

  if (!have_testdata ())
    return;
  ensure_run ();
  two.outcome = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  two.log = g_string_new (NULL);
  case_threads = 2;
  run_suite ("node", &two);
  run_suite ("pytorch-converted", &two);
  case_threads = 1;
  g_test_message ("two threads: %d passed, %d refused, %d failed", two.passed, two.refused,
                  two.failed);
  if (two.failed > 0)
    g_printerr ("%s", two.log->str);
  g_assert_cmpint (two.failed, ==, 0);
  g_assert_cmpint (two.passed, ==, counts.passed);
  g_assert_cmpint (two.refused, ==, counts.refused);
  g_hash_table_iter_init (&it, counts.outcome);
  while (g_hash_table_iter_next (&it, &key, &value))
    g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (two.outcome, key)), ==,
                     GPOINTER_TO_INT (value));
  g_hash_table_unref (two.outcome);
  g_string_free (two.log, TRUE);
}

static CaseResult
outcome (const char *name)
{
  gpointer v = g_hash_table_lookup (counts.outcome, name);
  g_assert_nonnull (v);
  return (CaseResult) (GPOINTER_TO_INT (v) - 1);
}

/* Every coordinate mode and nearest mode qviz claims is computed, not
 * refused: the cases where PyTorch's interpolation and the specification
 * part. */
static void
test_resize_modes_pass (void)
{
  static const char *const must_pass[] = {
    "test_resize_upsample_scales_linear",
    "test_resize_upsample_scales_linear_align_corners",
    "test_resize_downsample_scales_linear",
    "test_resize_downsample_scales_linear_align_corners",
    "test_resize_downsample_sizes_linear_pytorch_half_pixel",
    "test_resize_upsample_scales_nearest",
    "test_resize_downsample_scales_nearest",
    "test_resize_upsample_sizes_nearest",
    "test_resize_downsample_sizes_nearest",
    "test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn",
    "test_resize_upsample_sizes_nearest_ceil_half_pixel",
    "test_resize_upsample_sizes_nearest_floor_align_corners",
    "test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric",
  };

  if (!have_testdata ())
    return;
  ensure_run ();
  for (gsize k = 0; k < G_N_ELEMENTS (must_pass); k++)
    {
      CaseResult r = outcome (must_pass[k]);
      if (r != CASE_PASSED)
        g_test_message ("%s: %s", must_pass[k], r == CASE_REFUSED ? "refused" : "failed");
      g_assert_cmpint (r, ==, CASE_PASSED);
    }
  /* Crop-and-resize and cubic interpolation are refused, never guessed. */
  g_assert_cmpint (outcome ("test_resize_tf_crop_and_resize"), ==, CASE_REFUSED);
  g_assert_cmpint (outcome ("test_resize_upsample_scales_cubic"), ==, CASE_REFUSED);
}

/* Data movement on tensors of rank 1 to 4 (fed through the 4-D image and
 * a Reshape): every slice, split, transpose, reshape, squeeze and
 * concatenation case runs and agrees. */
static void
test_data_movement_pass (void)
{
  static const char *const prefixes[] = {
    "test_slice", "test_split", "test_transpose", "test_reshape", "test_flatten",
    "test_squeeze", "test_unsqueeze", "test_concat",
  };
  /* A zero in the target copies the input's dimension there, but under
   * allowzero it is a zero-sized dimension; an empty input is no image:
   * both refused with a sentence. */
  static const char *const refused[] = { "test_reshape_allowzero_reordered",
                                         "test_split_zero_size_splits" };
  GHashTableIter it;
  gpointer key, value;
  int checked = 0;

  if (!have_testdata ())
    return;
  ensure_run ();
  g_hash_table_iter_init (&it, counts.outcome);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      CaseResult r = (CaseResult) (GPOINTER_TO_INT (value) - 1);
      gboolean expect_refused = FALSE;
      gboolean family = FALSE;

      for (gsize k = 0; k < G_N_ELEMENTS (prefixes); k++)
        family = family || g_str_has_prefix (key, prefixes[k]);
      if (!family || strstr (key, "_expanded") != NULL)
        continue;
      for (gsize k = 0; k < G_N_ELEMENTS (refused); k++)
        expect_refused = expect_refused || strcmp (key, refused[k]) == 0;
      if (r != (expect_refused ? CASE_REFUSED : CASE_PASSED))
        g_test_message ("%s: %s", (const char *) key, r == CASE_PASSED ? "passed"
                        : r == CASE_REFUSED ? "refused" : r == CASE_FAILED ? "failed"
                        : "skipped");
      g_assert_cmpint (r, ==, expect_refused ? CASE_REFUSED : CASE_PASSED);
      checked++;
    }
  /* 8 slice, 7 split, 7 transpose, 11 reshape, 9 flatten, 2 squeeze, 8
   * unsqueeze, 12 concat cases in Debian 12's libonnx-testdata. */
  g_test_message ("%d data movement cases checked", checked);
  g_assert_cmpint (checked, >=, 60);
}

/* Reductions over any axes, kept or dropped, of every kind qviz lists:
 * every case runs and agrees. */
static void
test_reductions_pass (void)
{
  static const char *const prefixes[] = {
    "test_reduce_mean_", "test_reduce_sum_", "test_reduce_max_", "test_reduce_min_",
    "test_reduce_l1_", "test_reduce_l2_", "test_reduce_sum_square_",
  };
  GHashTableIter it;
  gpointer key, value;
  int checked = 0;

  if (!have_testdata ())
    return;
  ensure_run ();
  g_hash_table_iter_init (&it, counts.outcome);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      CaseResult r = (CaseResult) (GPOINTER_TO_INT (value) - 1);
      gboolean family = FALSE;

      for (gsize k = 0; k < G_N_ELEMENTS (prefixes); k++)
        family = family || g_str_has_prefix (key, prefixes[k]);
      if (!family || strstr (key, "_expanded") != NULL)
        continue;
      if (r != CASE_PASSED)
        g_test_message ("%s: %s", (const char *) key,
                        r == CASE_REFUSED ? "refused" : r == CASE_FAILED ? "failed" : "skipped");
      g_assert_cmpint (r, ==, CASE_PASSED);
      checked++;
    }
  /* 58 cases in Debian 12's libonnx-testdata */
  g_test_message ("%d reduction cases checked", checked);
  g_assert_cmpint (checked, >=, 50);
}

/* Comparisons (their bool output read as 0 / 1) and Expand on a computed
 * tensor: every case with float operands runs and agrees; Equal's int32
 * and Where's bool inputs are no image and are refused with a sentence. */
static void
test_compare_expand_pass (void)
{
  static const char *const must_pass[] = {
    "test_less", "test_less_bcast", "test_less_equal", "test_less_equal_bcast",
    "test_greater", "test_greater_bcast", "test_greater_equal", "test_greater_equal_bcast",
    "test_expand_dim_changed", "test_expand_dim_unchanged",
  };
  static const char *const refused[] = { "test_equal", "test_equal_bcast",
                                         "test_where_example", "test_where_long_example" };

  if (!have_testdata ())
    return;
  ensure_run ();
  for (gsize k = 0; k < G_N_ELEMENTS (must_pass); k++)
    {
      CaseResult r = outcome (must_pass[k]);
      if (r != CASE_PASSED)
        g_test_message ("%s: %s", must_pass[k], r == CASE_REFUSED ? "refused" : "failed");
      g_assert_cmpint (r, ==, CASE_PASSED);
    }
  for (gsize k = 0; k < G_N_ELEMENTS (refused); k++)
    g_assert_cmpint (outcome (refused[k]), ==, CASE_REFUSED);
}

/* ConvTranspose 2-D with explicit pads, strides, dilations and
 * output_padding, and with pads derived from auto_pad SAME or output_shape,
 * runs and agrees; 1-D and 3-D ones are refused with a sentence. */
static void
test_conv_transpose_pass (void)
{
  static const char *const must_pass[] = {
    "test_convtranspose", "test_convtranspose_dilations", "test_convtranspose_pad",
    "test_convtranspose_pads", "test_convtranspose_autopad_same",
    "test_convtranspose_output_shape", "test_convtranspose_with_kernel",
    "test_convtranspose_kernel_shape",
  };
  static const char *const refused[] = { "test_convtranspose_1d", "test_convtranspose_3d" };

  if (!have_testdata ())
    return;
  ensure_run ();
  for (gsize k = 0; k < G_N_ELEMENTS (must_pass); k++)
    {
      CaseResult r = outcome (must_pass[k]);
      if (r != CASE_PASSED)
        g_test_message ("%s: %s", must_pass[k], r == CASE_REFUSED ? "refused" : "failed");
      g_assert_cmpint (r, ==, CASE_PASSED);
    }
  for (gsize k = 0; k < G_N_ELEMENTS (refused); k++)
    g_assert_cmpint (outcome (refused[k]), ==, CASE_REFUSED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/onnx-conformance/none-differs", test_none_differs);
  g_test_add_func ("/onnx-conformance/two-threads", test_two_threads);
  g_test_add_func ("/onnx-conformance/resize-modes", test_resize_modes_pass);
  g_test_add_func ("/onnx-conformance/data-movement", test_data_movement_pass);
  g_test_add_func ("/onnx-conformance/reductions", test_reductions_pass);
  g_test_add_func ("/onnx-conformance/compare-expand", test_compare_expand_pass);
  g_test_add_func ("/onnx-conformance/conv-transpose", test_conv_transpose_pass);
  return g_test_run ();
}
