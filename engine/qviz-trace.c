/* qviz-trace.c: ONNX Runtime and PyTorch profiles as qviz runs (see
 * qviz-trace.h for what is credited where). */
#include "qviz-trace.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "qviz-machine.h"
#include "qviz-plan.h"
#include "qviz-sweep.h"

typedef enum {
  FORMAT_ONNXRUNTIME,
  FORMAT_PYTORCH,
} TraceFormat;

/* One complete ("ph": "X") event; times in microseconds. */
typedef struct {
  const char *name;      /* borrowed from the parsed document */
  const char *cat;       /* or "" */
  const char *op_name;   /* ONNX Runtime's args.op_name, or NULL */
  JsonObject *args;      /* or NULL */
  char *tid;             /* pid:tid, to keep other threads' events apart */
  double ts, dur;
} Event;

static void
event_clear (gpointer p)
{
  g_free (((Event *) p)->tid);
}

/* An event of one pass, with what it is credited to. */
typedef struct {
  const Event *e;
  int parent;            /* index in the pass, or -1 for the pass itself */
  gboolean container;    /* a range with ranges inside (a PyTorch container module) */
  int layer;             /* -1: not (yet) credited */
  double self_us;        /* its time less its children's */
} PassEvent;

typedef struct {
  const char *file;
  QvizGraph *graph;
  TraceFormat format;
  GArray *events;        /* Event, in file order */
  GPtrArray *by_time;    /* const Event *, by start time */
  JsonObject *meta;      /* the "qviz" object beside traceEvents, or NULL */
  GPtrArray *passes;     /* const Event *, by start time */
  GHashTable *names;     /* node or tensor name -> layer + 1 */
  GHashTable *scopes;    /* module path -> layer + 1 */
  GArray *absorbed;      /* gboolean per layer: fused into another by the runtime */
  guint n_layers;
} Trace;

static void
trace_clear (Trace *t)
{
  g_clear_pointer (&t->by_time, g_ptr_array_unref);
  g_clear_pointer (&t->events, g_array_unref);
  g_clear_pointer (&t->passes, g_ptr_array_unref);
  g_clear_pointer (&t->names, g_hash_table_unref);
  g_clear_pointer (&t->scopes, g_hash_table_unref);
  g_clear_pointer (&t->absorbed, g_array_unref);
}

void
qviz_trace_options_init (QvizTraceOptions *options)
{
  g_return_if_fail (options != NULL);
  memset (options, 0, sizeof *options);
  options->cold = -1;
}

void
qviz_trace_import_free (QvizTraceImport *ti)
{
  if (ti == NULL)
    return;
  g_free (ti->file);
  g_free (ti->format);
  g_free (ti->unmapped_layers);
  qviz_run_free (ti->run);
  g_free (ti);
}

/* ---- reading ------------------------------------------------------------- */

static gboolean
member_number (JsonObject *o, const char *name, double *out)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE)
    return FALSE;
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_INT64:
      *out = (double) json_node_get_int (n);
      return TRUE;
    case G_TYPE_DOUBLE:
      *out = json_node_get_double (n);
      return isfinite (*out);
    default:
      return FALSE;
    }
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE ||
      json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static int
member_int (JsonObject *o, const char *name, int fallback)
{
  double v;

  if (!member_number (o, name, &v) || v < 1 || v > 1048576 || v != floor (v))
    return fallback;
  return (int) v;
}

static char *
member_text (JsonObject *o, const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE)
    return g_strdup ("");
  if (json_node_get_value_type (n) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (n));
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
  return g_strdup ("");
}

static gboolean
read_events (Trace *t, JsonNode *root, GError **error)
{
  JsonArray *list = NULL;

  if (JSON_NODE_HOLDS_ARRAY (root))
    list = json_node_get_array (root);
  else if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *o = json_node_get_object (root);
      JsonNode *events = json_object_get_member (o, "traceEvents");
      JsonNode *meta = json_object_get_member (o, "qviz");

      if (events != NULL && JSON_NODE_HOLDS_ARRAY (events))
        list = json_node_get_array (events);
      if (meta != NULL && JSON_NODE_HOLDS_OBJECT (meta))
        t->meta = json_node_get_object (meta);
    }
  if (list == NULL)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                   "“%s” is not a trace: it is neither a list of events nor an object "
                   "with traceEvents.", t->file);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *n = json_array_get_element (list, i);
      JsonObject *o;
      JsonNode *args;
      Event e = { 0 };
      g_autofree char *pid = NULL, *tid = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      o = json_node_get_object (n);
      /* Times beyond 10^15 us (31 years) are no profile's: they would
       * overflow the spans' nanoseconds. */
      if (g_strcmp0 (member_string (o, "ph"), "X") != 0 ||
          (e.name = member_string (o, "name")) == NULL ||
          !member_number (o, "ts", &e.ts) || !member_number (o, "dur", &e.dur) ||
          e.dur < 0 || e.dur > 1e15 || fabs (e.ts) > 1e15)
        continue;
      e.cat = member_string (o, "cat");
      if (e.cat == NULL)
        e.cat = "";
      args = json_object_get_member (o, "args");
      if (args != NULL && JSON_NODE_HOLDS_OBJECT (args))
        {
          e.args = json_node_get_object (args);
          e.op_name = member_string (e.args, "op_name");
        }
      pid = member_text (o, "pid");
      tid = member_text (o, "tid");
      e.tid = g_strconcat (pid, ":", tid, NULL);
      g_array_append_val (t->events, e);
    }
  if (t->events->len == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                   "“%s” is not a trace: it holds no complete (\"ph\": \"X\") event.", t->file);
      return FALSE;
    }
  return TRUE;
}

static int
by_start (gconstpointer a, gconstpointer b)
{
  const Event *x = *(const Event *const *) a, *y = *(const Event *const *) b;

  return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* The first event of t->by_time that starts at ts or later. */
static guint
first_from (const Trace *t, double ts)
{
  guint lo = 0, hi = t->by_time->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (((const Event *) g_ptr_array_index (t->by_time, mid))->ts < ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* ONNX Runtime names each pass "model_run"; PyTorch's profiler steps are
 * "ProfilerStep#N".  A pass counts when something ran inside it. */
static gboolean
find_passes (Trace *t, GError **error)
{
  gboolean ort = FALSE;

  for (guint i = 0; i < t->events->len; i++)
    {
      const Event *e = &g_array_index (t->events, Event, i);

      if (strcmp (e->name, "model_run") == 0 || strcmp (e->cat, "Session") == 0)
        ort = TRUE;
    }
  t->format = ort ? FORMAT_ONNXRUNTIME : FORMAT_PYTORCH;

  t->by_time = g_ptr_array_sized_new (t->events->len);
  for (guint i = 0; i < t->events->len; i++)
    g_ptr_array_add (t->by_time, &g_array_index (t->events, Event, i));
  g_ptr_array_sort (t->by_time, by_start);

  for (guint i = 0; i < t->events->len; i++)
    {
      const Event *e = &g_array_index (t->events, Event, i);
      gboolean inside = FALSE;

      if (ort ? strcmp (e->name, "model_run") != 0 : !g_str_has_prefix (e->name, "ProfilerStep#"))
        continue;
      for (guint j = first_from (t, e->ts); j < t->by_time->len && !inside; j++)
        {
          const Event *o = g_ptr_array_index (t->by_time, j);

          if (o->ts > e->ts + e->dur)
            break;
          inside = o != e && strcmp (o->tid, e->tid) == 0 &&
                   o->ts + o->dur <= e->ts + e->dur &&
                   (ort ? strcmp (o->cat, "Node") == 0 : TRUE);
        }
      if (inside && e->dur > 0)
        g_ptr_array_add (t->passes, (gpointer) e);
    }
  if (t->passes->len == 0)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                   "“%s” has no complete pass: no %s event with the model's work inside it.",
                   t->file, ort ? "model_run" : "ProfilerStep");
      return FALSE;
    }
  g_ptr_array_sort (t->passes, by_start);
  return TRUE;
}

/* ---- the model's layers -------------------------------------------------- */

/* "block1/expand/expand.0/Conv" -> "block1.expand.0": the module path
 * PyTorch's ONNX export writes as scopes, each scope named by its parent's
 * name and its own ("expand", "expand.0").  NULL for a name with no scope. */
static char *
module_path (const char *node_name)
{
  g_auto(GStrv) parts = g_strsplit (node_name, "/", -1);
  GString *path = g_string_new (NULL);
  const char *prev = NULL;
  guint n = g_strv_length (parts);

  for (guint i = 0; i + 1 < n; i++)
    {
      const char *seg = parts[i];

      if (seg[0] == '\0')
        continue;
      if (prev != NULL && g_str_has_prefix (seg, prev) && seg[strlen (prev)] == '.')
        g_string_append (path, seg + strlen (prev));
      else
        g_string_append_printf (path, "%s%s", path->len ? "." : "", seg);
      prev = seg;
    }
  if (path->len == 0)
    {
      g_string_free (path, TRUE);
      return NULL;
    }
  return g_string_free (path, FALSE);
}

static const char *
skip_slashes (const char *name)
{
  while (*name == '/')
    name++;
  return name;
}

static void
fill_layer (QvizRunLayer *rl, const QvizLayerInfo *info)
{
  rl->name = g_strdup (info->name);
  rl->op = g_strdup (info->op);
  rl->kernel = g_strdup ("");
  rl->reason = g_strdup ("");
  rl->fused = g_strdup (info->fused ? info->fused : "");
  rl->in_shape = qviz_shape_to_string (&info->in_shape);
  rl->out_shape = qviz_shape_to_string (&info->out_shape);
  rl->kernel_h = info->kernel_h;
  rl->kernel_w = info->kernel_w;
  rl->stride_h = info->stride_h;
  rl->stride_w = info->stride_w;
  rl->dilation_h = info->dilation_h;
  rl->dilation_w = info->dilation_w;
  rl->groups = info->groups;
  rl->depthwise = info->depthwise;
  rl->dilated = info->dilated;
  rl->layer_class = g_strdup (qviz_layer_class_name (info->layer_class));
  rl->macs = info->macs;
  rl->params = info->params;
  rl->bytes = info->bytes;
}

/* The layers (a float plan's, laid out without memory: the runtime's own
 * int8 graph is not qviz's) and the names and scopes that lead to them. */
static gboolean
model_layers (Trace *t, QvizRun *run, GError **error)
{
  QvizPlanConfig config;
  g_autoptr(QvizPlan) plan = NULL;
  int n_nodes = qviz_graph_n_nodes (t->graph);
  int layer = 0;

  qviz_plan_config_init (&config);
  config.height = run->height;
  config.width = run->width;
  config.layout_only = TRUE;
  plan = qviz_plan_new (t->graph, &config, error);
  if (plan == NULL)
    return FALSE;

  t->n_layers = (guint) qviz_plan_get_n_layers (plan);
  for (guint i = 0; i < t->n_layers; i++)
    fill_layer (qviz_run_add_layer (run), qviz_plan_get_layer (plan, (int) i));
  t->absorbed = g_array_new (FALSE, TRUE, sizeof (gboolean));
  g_array_set_size (t->absorbed, t->n_layers);

  /* A layer is its naming node and the nodes fused behind it, up to the
   * next layer's node. */
  for (int i = 0; i < n_nodes; i++)
    {
      const QvizNode *node = qviz_graph_node (t->graph, i);
      const QvizValue *out = qviz_graph_value (t->graph, node->output);
      g_autofree char *scope = module_path (node->name);

      while (layer + 1 < (int) t->n_layers &&
             qviz_plan_get_layer (plan, layer + 1)->node_index <= i)
        layer++;
      g_hash_table_insert (t->names, g_strdup (skip_slashes (node->name)),
                           GINT_TO_POINTER (layer + 1));
      if (out->name != NULL)
        g_hash_table_insert (t->names, g_strdup (skip_slashes (out->name)),
                             GINT_TO_POINTER (layer + 1));
      if (scope != NULL)
        g_hash_table_insert (t->scopes, g_steal_pointer (&scope), GINT_TO_POINTER (layer + 1));
    }
  return TRUE;
}

/* ---- crediting events ---------------------------------------------------- */

static gboolean
is_range (const Trace *t, const Event *e)
{
  return t->format == FORMAT_PYTORCH && strstr (e->name, "::") == NULL;
}

static int
lookup (GHashTable *table, const char *key)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (table, skip_slashes (key))) - 1;
}

/* Cuts "<suffix>" (numbered: "<suffix><digits>") off the end of name. */
static gboolean
strip_suffix (char *name, const char *suffix, gboolean numbered)
{
  char *at = g_strrstr (name, suffix);
  const char *rest;

  if (at == NULL || at == name)
    return FALSE;
  rest = at + strlen (suffix);
  if (numbered ? (rest[0] == '\0' || strspn (rest, "0123456789") != strlen (rest))
               : rest[0] != '\0')
    return FALSE;
  *at = '\0';
  return TRUE;
}

/* The layer an event names itself, or -1. */
static int
direct_layer (const Trace *t, const PassEvent *pe)
{
  const Event *e = pe->e;

  if (t->format == FORMAT_ONNXRUNTIME)
    {
      g_autofree char *name = NULL;
      int layer;

      if (strcmp (e->cat, "Node") != 0)
        return -1;
      name = g_strdup (e->name);
      if (g_str_has_suffix (name, "_kernel_time"))
        name[strlen (name) - strlen ("_kernel_time")] = '\0';
      /* ONNX Runtime's graph transformers name what they make after what
       * they replace: "<node>_token_<n>" (a QDQ group fused into a QLinear
       * node), "<tensor>_nchwc" (a convolution in the NCHWc layout), and
       * a quantizer "<tensor>_QuantizeLinear"; PyTorch's export names a
       * node's tensors "<node>_output_<n>".  Each is cut off in turn. */
      for (int round = 0; round < 4; round++)
        {
          if ((layer = lookup (t->names, name)) >= 0)
            return layer;
          if (!strip_suffix (name, "_nchwc", FALSE) &&
              !strip_suffix (name, "_QuantizeLinear", FALSE) &&
              !strip_suffix (name, "_DequantizeLinear", FALSE) &&
              !strip_suffix (name, "_token_", TRUE) &&
              !strip_suffix (name, "_output_", TRUE))
            break;
        }
      return -1;
    }
  /* PyTorch: a module's range; containers name no layer of their own. */
  if (!is_range (t, e) || pe->container)
    return -1;
  {
    int layer = lookup (t->scopes, e->name);
    return layer >= 0 ? layer : lookup (t->names, e->name);
  }
}

/* "aten::conv2d" -> "conv2d", "Add" -> "add", "aten::upsample_bilinear2d"
 * -> "resize": a name that starts with a layer's op. */
static char *
event_op (const Event *e)
{
  static const struct { const char *prefix, *op; } aliases[] = {
    { "upsample", "resize" }, { "cat", "concat" }, { "adaptive_avg_pool", "global_avgpool" },
    { "globalaveragepool", "global_avgpool" }, { "mean", "global_avgpool" },
    { "avg_pool", "avgpool" }, { "averagepool", "avgpool" }, { "max_pool", "maxpool" },
    { "addmm", "linear" }, { "gemm", "linear" }, { "matmul", "linear" },
  };
  const char *op = e->op_name != NULL ? e->op_name : e->name;
  const char *colon = strstr (op, "::");
  char *lower;

  if (colon != NULL)
    op = colon + 2;
  while (*op == '_')
    op++;
  lower = g_ascii_strdown (op, -1);
  for (guint k = 0; k < G_N_ELEMENTS (aliases); k++)
    if (g_str_has_prefix (lower, aliases[k].prefix))
      {
        g_free (lower);
        return g_strdup (aliases[k].op);
      }
  return lower;
}

/* An event that names no layer: the layer both its neighbours belong to
 * (a BatchNorm between a convolution and its activation), else the one
 * layer of its operator between them (a residual add the runtime calls
 * outside any module). */
static int
neighbour_layer (const Trace *t, const QvizRun *run, const PassEvent *pe, int before,
                 int after)
{
  int found = -1;
  g_autofree char *op = NULL;

  if (before >= 0 && before == after)
    return before;

  if (is_range (t, pe->e) || (t->format == FORMAT_ONNXRUNTIME && strcmp (pe->e->cat, "Node") != 0))
    return -1;
  op = event_op (pe->e);
  if (op[0] == '\0')
    return -1;
  for (int l = before + 1; l < (after >= 0 ? after : (int) t->n_layers); l++)
    {
      const char *layer_op = qviz_run_get_layer (run, (guint) l)->op;

      if (g_str_has_prefix (op, layer_op))
        {
          if (found >= 0)
            return -1;   /* two candidates: no guess */
          found = l;
        }
    }
  return found;
}

static int
by_start_longest_first (gconstpointer a, gconstpointer b)
{
  const PassEvent *x = a, *y = b;

  if (x->e->ts != y->e->ts)
    return x->e->ts < y->e->ts ? -1 : 1;
  return x->e->dur > y->e->dur ? -1 : x->e->dur < y->e->dur;
}

/* The events of one pass, nested, each credited to a layer or -1. */
static GArray *
credit_pass (Trace *t, const QvizRun *run, const Event *p)
{
  GArray *pass = g_array_new (FALSE, TRUE, sizeof (PassEvent));
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = first_from (t, p->ts); i < t->by_time->len; i++)
    {
      const Event *e = g_ptr_array_index (t->by_time, i);
      PassEvent pe = { e, -1, FALSE, -1, e->dur };

      if (e->ts > p->ts + p->dur)
        break;
      if (e != p && strcmp (e->tid, p->tid) == 0 && e->ts + e->dur <= p->ts + p->dur)
        g_array_append_val (pass, pe);
    }
  g_array_sort (pass, by_start_longest_first);

  for (guint i = 0; i < pass->len; i++)
    {
      PassEvent *pe = &g_array_index (pass, PassEvent, i);

      while (stack->len > 0)
        {
          const PassEvent *top = &g_array_index (pass, PassEvent,
                                                 g_array_index (stack, int, stack->len - 1));
          if (pe->e->ts < top->e->ts + top->e->dur)
            break;
          g_array_set_size (stack, stack->len - 1);
        }
      if (stack->len > 0)
        {
          PassEvent *parent;

          pe->parent = g_array_index (stack, int, stack->len - 1);
          parent = &g_array_index (pass, PassEvent, pe->parent);
          parent->self_us -= pe->e->dur;
          if (is_range (t, pe->e))
            parent->container = TRUE;
        }
      g_array_append_val (stack, i);
    }

  /* Names first (a parent before its children), then neighbours. */
  for (guint i = 0; i < pass->len; i++)
    {
      PassEvent *pe = &g_array_index (pass, PassEvent, i);
      const PassEvent *parent = pe->parent >= 0 ? &g_array_index (pass, PassEvent, pe->parent)
                                                : NULL;

      pe->layer = direct_layer (t, pe);
      if (pe->layer < 0 && parent != NULL && !parent->container)
        pe->layer = parent->layer;
    }
  /* The nearest credited event on each side: after, as names left it;
   * before, as this loop leaves it. */
  {
    g_autofree int *after = g_new (int, pass->len + 1);
    int before = -1;

    after[pass->len] = -1;
    for (guint i = pass->len; i-- > 0;)
      after[i] = g_array_index (pass, PassEvent, i).layer >= 0
                   ? g_array_index (pass, PassEvent, i).layer : after[i + 1];
    for (guint i = 0; i < pass->len; i++)
      {
        PassEvent *pe = &g_array_index (pass, PassEvent, i);
        const PassEvent *parent = pe->parent >= 0 ? &g_array_index (pass, PassEvent, pe->parent)
                                                  : NULL;

        if (pe->layer < 0)
          {
            if (parent != NULL && !parent->container && parent->layer >= 0)
              pe->layer = parent->layer;
            else
              pe->layer = neighbour_layer (t, run, pe, before, after[i + 1]);
          }
        if (pe->layer >= 0)
          before = pe->layer;
      }
  }

  /* ONNX Runtime fuses a residual add into the convolution before it (a
   * fourth, "Sum" input): the add's layer ran inside that event. */
  for (guint i = 0; t->format == FORMAT_ONNXRUNTIME && i < pass->len; i++)
    {
      const PassEvent *pe = &g_array_index (pass, PassEvent, i);
      JsonNode *inputs = pe->e->args != NULL
                           ? json_object_get_member (pe->e->args, "input_type_shape") : NULL;
      guint next = (guint) pe->layer + 1;

      if (pe->layer >= 0 && g_strcmp0 (pe->e->op_name, "Conv") == 0 && inputs != NULL &&
          JSON_NODE_HOLDS_ARRAY (inputs) && json_array_get_length (json_node_get_array (inputs)) == 4 &&
          next < t->n_layers && strcmp (qviz_run_get_layer (run, next)->op, "add") == 0)
        g_array_index (t->absorbed, gboolean, next) = TRUE;
    }
  return pass;
}

/* ---- the run ------------------------------------------------------------- */

typedef struct {
  const char *op;
  double us;
} OpTime;

static int
by_time_desc (gconstpointer a, gconstpointer b)
{
  const OpTime *x = a, *y = b;

  return x->us > y->us ? -1 : x->us < y->us;
}

/* Each layer's kernel column: the runtime's operators that ran it in the
 * pass, the longest first ("quantized::conv2d, quantized::hardswish"),
 * at most three and none under a twentieth of the longest. */
static void
name_kernels (const Trace *t, QvizRun *run, GArray *pass)
{
  for (guint l = 0; l < t->n_layers; l++)
    {
      g_autoptr(GArray) ops = g_array_new (FALSE, FALSE, sizeof (OpTime));
      GString *kernel = g_string_new (NULL);
      QvizRunLayer *rl = qviz_run_get_layer (run, l);

      for (guint i = 0; i < pass->len; i++)
        {
          const PassEvent *pe = &g_array_index (pass, PassEvent, i);
          const PassEvent *parent = pe->parent >= 0 ? &g_array_index (pass, PassEvent, pe->parent)
                                                    : NULL;
          const char *op = t->format == FORMAT_ONNXRUNTIME ? pe->e->op_name : pe->e->name;
          guint k;

          /* operators, not ranges, and not the ones inside another */
          if (pe->layer != (int) l || op == NULL || is_range (t, pe->e) ||
              (parent != NULL && !is_range (t, parent->e) && parent->layer == (int) l &&
               t->format == FORMAT_PYTORCH))
            continue;
          for (k = 0; k < ops->len && strcmp (g_array_index (ops, OpTime, k).op, op) != 0; k++)
            ;
          if (k == ops->len)
            {
              OpTime ot = { op, 0 };
              g_array_append_val (ops, ot);
            }
          g_array_index (ops, OpTime, k).us += pe->e->dur;
        }
      g_array_sort (ops, by_time_desc);
      /* the profiler's own allocations around a range are no kernel */
      for (guint k = 0; k < ops->len && k < 3 &&
                        g_array_index (ops, OpTime, k).us >= 0.05 * g_array_index (ops, OpTime, 0).us;
           k++)
        g_string_append_printf (kernel, "%s%s", k ? ", " : "", g_array_index (ops, OpTime, k).op);
      g_free (rl->kernel);
      rl->kernel = g_string_free (kernel, FALSE);
    }
}

static char *
trace_engine (const Trace *t)
{
  const char *meta = member_string (t->meta, "engine");

  if (meta != NULL && meta[0] != '\0')
    return g_strdup (meta);
  if (t->format == FORMAT_ONNXRUNTIME)
    {
      for (guint i = 0; i < t->events->len; i++)
        {
          const Event *e = &g_array_index (t->events, Event, i);
          const char *provider = member_string (e->args, "provider");

          if (provider != NULL && provider[0] != '\0')
            {
              g_autofree char *shorter = g_strdup (provider);

              if (g_str_has_suffix (shorter, "ExecutionProvider"))
                shorter[strlen (shorter) - strlen ("ExecutionProvider")] = '\0';
              return g_strdup_printf ("onnxruntime %s", shorter);
            }
        }
      return g_strdup ("onnxruntime");
    }
  return g_strdup ("pytorch");
}

static const char *
trace_precision (const Trace *t)
{
  const char *meta = member_string (t->meta, "precision");
  static const char *const ort_int8[] = { "QLinear", "QuantizeLinear", "DequantizeLinear",
                                          "ConvInteger", "MatMulInteger", "QGemm",
                                          "DynamicQuantize", NULL };

  if (g_strcmp0 (meta, "f32") == 0 || g_strcmp0 (meta, "int8") == 0)
    return meta;
  for (guint i = 0; i < t->events->len; i++)
    {
      const Event *e = &g_array_index (t->events, Event, i);

      if (t->format == FORMAT_PYTORCH && g_str_has_prefix (e->name, "quantized::"))
        return "int8";
      for (guint k = 0; e->op_name != NULL && ort_int8[k] != NULL; k++)
        if (g_str_has_prefix (e->op_name, ort_int8[k]))
          return "int8";
    }
  return "f32";
}

/* ONNX Runtime writes every node's input shapes: the first node's first
 * input is the model's, NCHW. */
static gboolean
trace_size (const Trace *t, int *height, int *width)
{
  *height = member_int (t->meta, "height", 0);
  *width = member_int (t->meta, "width", *height);
  if (*height > 0)
    return TRUE;
  for (guint i = 0; t->format == FORMAT_ONNXRUNTIME && i < t->events->len; i++)
    {
      const Event *e = &g_array_index (t->events, Event, i);
      JsonNode *shapes = e->args ? json_object_get_member (e->args, "input_type_shape") : NULL;
      JsonNode *first;
      GList *members;
      JsonArray *dims;

      if (strcmp (e->cat, "Node") != 0 || shapes == NULL || !JSON_NODE_HOLDS_ARRAY (shapes) ||
          json_array_get_length (json_node_get_array (shapes)) == 0)
        continue;
      first = json_array_get_element (json_node_get_array (shapes), 0);
      if (!JSON_NODE_HOLDS_OBJECT (first))
        return FALSE;
      members = json_object_get_values (json_node_get_object (first));
      dims = members != NULL && JSON_NODE_HOLDS_ARRAY (members->data)
               ? json_node_get_array (members->data) : NULL;
      g_list_free (members);
      if (dims == NULL || json_array_get_length (dims) != 4)
        return FALSE;
      *height = (int) json_array_get_int_element (dims, 2);
      *width = (int) json_array_get_int_element (dims, 3);
      if (*height < 1 || *height > 1048576 || *width < 1 || *width > 1048576)
        *height = *width = 0;
      return *height > 0;
    }
  return FALSE;
}

static void
add_spans (QvizRun *run, const Event *p, GArray *pass, guint pass_index, gboolean cold)
{
  int last_layer = -1;
  gint64 last_start = 0, last_end = 0;

  qviz_run_add_span (run, (int) pass_index, cold, -1, NULL, 0, (gint64) (p->dur * 1000));
  for (guint i = 0; i <= pass->len; i++)
    {
      const PassEvent *pe = i < pass->len ? &g_array_index (pass, PassEvent, i) : NULL;
      const PassEvent *parent = pe != NULL && pe->parent >= 0
                                  ? &g_array_index (pass, PassEvent, pe->parent) : NULL;
      gint64 start, end;

      /* the outermost event of each stretch of one layer */
      if (pe != NULL && (pe->layer < 0 || (parent != NULL && parent->layer == pe->layer)))
        continue;
      start = pe != NULL ? (gint64) ((pe->e->ts - p->ts) * 1000) : 0;
      end = pe != NULL ? (gint64) ((pe->e->ts + pe->e->dur - p->ts) * 1000) : 0;
      if (pe != NULL && pe->layer == last_layer)
        {
          last_end = MAX (last_end, end);
          continue;
        }
      if (last_layer >= 0)
        qviz_run_add_span (run, (int) pass_index, cold, last_layer, NULL, last_start, last_end);
      if (pe == NULL)
        break;
      last_layer = pe->layer;
      last_start = start;
      last_end = end;
    }
}

QvizTraceImport *
qviz_trace_import (const char *path, QvizGraph *graph, const QvizTraceOptions *options,
                   GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(QvizTraceImport) ti = g_new0 (QvizTraceImport, 1);
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) credited = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GArray) layer_seen = NULL;
  Trace t = { 0 };
  QvizRun *run;
  QvizRunLayer *overhead;
  GString *unmapped;
  guint cold;
  int rep;
  gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL && graph != NULL && options != NULL, NULL);

  t.file = path;
  t.graph = graph;
  t.events = g_array_new (FALSE, TRUE, sizeof (Event));
  g_array_set_clear_func (t.events, event_clear);
  t.passes = g_ptr_array_new ();
  t.names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t.scopes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!json_parser_load_from_mapped_file (parser, path, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ||
          local->domain == G_FILE_ERROR)
        g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_IO, "Cannot read “%s”: %s", path,
                     local->message);
      else
        {
          g_autofree char *why = g_strdup (local->message);

          g_strchomp (why);
          if (g_str_has_suffix (why, "."))
            why[strlen (why) - 1] = '\0';
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE, "“%s” is not a trace: %s.", path,
                       why);
        }
      goto out;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE, "“%s” is not a trace: it is empty.",
                   path);
      goto out;
    }
  if (!read_events (&t, json_parser_get_root (parser), error) || !find_passes (&t, error))
    goto out;

  ti->file = g_strdup (path);
  ti->format = g_strdup (t.format == FORMAT_ONNXRUNTIME ? "onnxruntime" : "pytorch");
  ti->run = run = qviz_run_new ();
  g_free (run->engine);
  run->engine = options->engine != NULL ? g_strdup (options->engine) : trace_engine (&t);
  run->precision = g_strdup (options->precision != NULL ? options->precision
                                                        : trace_precision (&t));
  run->height = options->height;
  run->width = options->width;
  if (run->height <= 0 && !trace_size (&t, &run->height, &run->width))
    {
      run->height = graph->fixed_h > 0 ? graph->fixed_h : graph->default_res;
      run->width = graph->fixed_w > 0 ? graph->fixed_w : graph->default_res;
    }
  run->threads = options->threads > 0 ? options->threads : member_int (t.meta, "threads", 1);
  run->conv_algo = g_strdup ("trace");
  run->isa = g_strdup ("");
  run->started = run->finished = g_get_real_time ();
  if (!model_layers (&t, run, error))
    goto out;
  /* ONNX Runtime's session initialization is its plan: graph
   * optimization, kernel choice, weight prepacking. */
  for (guint i = 0; t.format == FORMAT_ONNXRUNTIME && i < t.events->len; i++)
    if (strcmp (g_array_index (t.events, Event, i).name, "session_initialization") == 0)
      run->plan_ms = g_array_index (t.events, Event, i).dur / 1000.0;

  overhead = qviz_run_add_layer (run);
  overhead->name = g_strdup (QVIZ_TRACE_OVERHEAD_LAYER);
  overhead->op = g_strdup ("overhead");
  overhead->kernel = g_strdup (run->engine);
  overhead->reason = g_strdup ("time inside the passes that no layer's event covers");
  overhead->fused = g_strdup ("");
  overhead->in_shape = g_strdup ("");
  overhead->out_shape = g_strdup ("");
  overhead->layer_class = g_strdup ("other");

  cold = options->cold >= 0 ? (guint) options->cold
                            : (guint) member_int (t.meta, "cold_passes", 1);
  ti->n_passes = t.passes->len;
  ti->n_cold = MIN (cold, t.passes->len - 1);
  run->warmup = (int) ti->n_cold;
  run->iterations = (int) (ti->n_passes - ti->n_cold);

  layer_seen = g_array_new (FALSE, TRUE, sizeof (gboolean));
  g_array_set_size (layer_seen, t.n_layers);
  for (guint k = 0; k < t.passes->len; k++)
    {
      const Event *p = g_ptr_array_index (t.passes, k);
      GArray *pass = credit_pass (&t, run, p);
      g_autofree double *layer_us = g_new0 (double, t.n_layers + 1);
      double pass_ms = p->dur / 1000.0, self = p->dur;

      for (guint i = 0; i < pass->len; i++)
        {
          const PassEvent *pe = &g_array_index (pass, PassEvent, i);
          double us = MAX (pe->self_us, 0.0);

          gboolean op = t.format == FORMAT_PYTORCH || strcmp (pe->e->cat, "Node") == 0;

          if (pe->parent < 0)
            self -= pe->e->dur;
          ti->n_events++;
          ti->op_ms += op ? us / 1000.0 : 0;
          ti->op_mapped_ms += op && pe->layer >= 0 ? us / 1000.0 : 0;
          if (pe->layer >= 0)
            {
              ti->n_events_mapped++;
              layer_us[pe->layer] += us;
              g_array_index (layer_seen, gboolean, pe->layer) = TRUE;
            }
          else
            layer_us[t.n_layers] += us;
        }
      layer_us[t.n_layers] += MAX (self, 0.0);
      for (guint l = 0; l <= t.n_layers; l++)
        {
          float ms = (float) (layer_us[l] / 1000.0);

          g_array_append_val (qviz_run_get_layer (run, l)->pass_ms, ms);
          if (l < t.n_layers)
            ti->mapped_ms += layer_us[l] / 1000.0;
        }
      if (k + 1 == t.passes->len)
        name_kernels (&t, run, pass);
      ti->pass_ms += pass_ms;
      g_array_append_val (k < ti->n_cold ? run->cold_ms : run->warm_ms, pass_ms);
      g_ptr_array_add (credited, pass);
    }

  unmapped = g_string_new (NULL);
  ti->n_layers = t.n_layers;
  for (guint l = 0; l < t.n_layers; l++)
    {
      QvizRunLayer *rl = qviz_run_get_layer (run, l);

      if (g_array_index (layer_seen, gboolean, l))
        ti->n_layers_mapped++;
      else if (g_array_index (t.absorbed, gboolean, l))
        {
          ti->n_layers_mapped++;
          g_free (rl->reason);
          rl->reason = g_strdup_printf ("fused by %s into the layer before it", run->engine);
        }
      else
        g_string_append_printf (unmapped, "%s%s", unmapped->len ? ", " : "", rl->name);
    }
  ti->unmapped_layers = g_string_free (unmapped, FALSE);

  if (ti->n_layers_mapped * 2 < ti->n_layers || ti->op_mapped_ms * 2 < ti->op_ms)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE,
                   "“%s” is not a trace of %s: only %u of its %u layers and %.1f%% of the "
                   "operators' time map to them.", path, graph->name, ti->n_layers_mapped,
                   ti->n_layers, ti->op_ms > 0 ? 100.0 * ti->op_mapped_ms / ti->op_ms : 0.0);
      goto out;
    }

  qviz_run_compute_stats (run);
  rep = qviz_run_representative_pass (run);
  for (guint k = 0; k < t.passes->len; k++)
    if (k < ti->n_cold || (int) k == rep)
      add_spans (run, g_ptr_array_index (t.passes, k), g_ptr_array_index (credited, k), k,
                 k < ti->n_cold);
  ok = TRUE;

out:
  trace_clear (&t);
  return ok ? g_steal_pointer (&ti) : NULL;
}

char *
qviz_trace_import_summary (const QvizTraceImport *ti)
{
  g_return_val_if_fail (ti != NULL, NULL);

  return g_strdup_printf ("%u events, %u of %u layers, %.1f%% of the time",
                          ti->n_events, ti->n_layers_mapped, ti->n_layers,
                          ti->pass_ms > 0 ? 100.0 * ti->mapped_ms / ti->pass_ms : 0.0);
}

/* Appends item to a ","-joined list unless it is there. */
static void
add_unique (GString *list, const char *item)
{
  g_auto(GStrv) have = g_strsplit (list->str, ",", -1);

  if (list->len > 0 && g_strv_contains ((const char *const *) have, item))
    return;
  g_string_append_printf (list, "%s%s", list->len ? "," : "", item);
}

char *
qviz_trace_store_sweep (QvizStore *store, QvizGraph *graph, GPtrArray *imports, GError **error)
{
  g_autoptr(QvizMachine) machine = qviz_machine_detect ();
  g_autoptr(QvizModelInfo) model = qviz_model_info_from_graph (graph);
  g_autoptr(QvizSweep) sweep = qviz_sweep_new ();
  g_autoptr(GString) res = g_string_new (NULL), threads = g_string_new (NULL);
  g_autoptr(GString) precisions = g_string_new (NULL), engines = g_string_new (NULL);
  GError *failure = NULL;

  g_return_val_if_fail (store != NULL && graph != NULL && imports != NULL, NULL);

  for (guint i = 0; i < imports->len; i++)
    {
      const QvizRun *run = ((const QvizTraceImport *) g_ptr_array_index (imports, i))->run;
      g_autofree char *size = g_strdup_printf ("%dx%d", run->height, run->width);
      g_autofree char *n = g_strdup_printf ("%d", run->threads);

      add_unique (res, size);
      add_unique (threads, n);
      add_unique (precisions, run->precision);
      add_unique (engines, run->engine);
    }
  sweep->machine_id = g_strdup (machine->id);
  sweep->model_sha256 = g_strdup (graph->sha256);
  sweep->created = g_get_real_time ();
  sweep->resolutions = g_strdup (res->str);
  sweep->threads = g_strdup (threads->str);
  sweep->precisions = g_strdup (precisions->str);
  sweep->options = g_strdup_printf ("import-trace engine=%s", engines->str);

  if (!qviz_store_put_machine (store, machine, error) ||
      !qviz_store_put_model (store, model, error) ||
      !qviz_store_sweep_begin (store, sweep, error))
    return NULL;
  for (guint i = 0; i < imports->len && failure == NULL; i++)
    {
      QvizRun *run = ((QvizTraceImport *) g_ptr_array_index (imports, i))->run;

      g_free (run->sweep_uuid);
      g_free (run->machine_id);
      g_free (run->model_sha256);
      run->sweep_uuid = g_strdup (sweep->uuid);
      run->machine_id = g_strdup (machine->id);
      run->model_sha256 = g_strdup (graph->sha256);
      qviz_store_put_run (store, run, &failure);
    }
  if (!qviz_store_sweep_finish (store, sweep->uuid,
                                failure ? QVIZ_SWEEP_FAILED : QVIZ_SWEEP_COMPLETE,
                                failure ? failure->message : NULL,
                                failure ? NULL : error) || failure != NULL)
    {
      if (failure != NULL)
        g_propagate_error (error, failure);
      return NULL;
    }
  return g_steal_pointer (&sweep->uuid);
}
