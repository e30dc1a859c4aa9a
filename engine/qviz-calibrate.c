/* qviz-calibrate.c: running the float plan over calibration inputs. */

#include "qviz-calibrate.h"

#include "qviz-bias-correction.h"
#include "qviz-input.h"
#include "qviz-npy.h"
#include "qviz-plan.h"
#include "qviz-plan-private.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#define CALIBRATION_SEED 7u

void
qviz_calibration_config_init (QvizCalibrationConfig *config)
{
  g_return_if_fail (config != NULL);
  memset (config, 0, sizeof *config);
  /* Measured best of the three (int8 output SQNR, synthetic calibration
   * and input): mobilenet_v3_large 224 29.1 dB (minmax 25.8, histogram
   * 26.3), mobilenet_v2 224 24.4 (21.7, 23.0), LR-ASPP 256 25.0 (22.4,
   * 24.4). */
  config->method = QVIZ_CALIBRATION_PERCENTILE;
  config->percentile = QVIZ_CALIBRATION_DEFAULT_PERCENTILE;
  config->n_inputs = 8;
}

/* Photographs are well under this; anything larger is refused unread. */
#define MAX_IMAGE_SIDE 16384

float *
qviz_image_load_normalized (const char *path, int h, int w, GError **error)
{
  static const float mean[3] = { 0.485f, 0.456f, 0.406f };
  static const float std[3] = { 0.229f, 0.224f, 0.225f };
  g_autoptr (GError) local = NULL;
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GdkPixbuf) scaled = NULL;
  const guint8 *pixels;
  int stride, n_channels, file_w = 0, file_h = 0;
  float *x;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (h > 0 && w > 0 && h <= QVIZ_MAX_SIDE && w <= QVIZ_MAX_SIDE, NULL);

  /* The header's size is read first: a small file may declare a picture
   * that would take gigabytes to decode. */
  if (gdk_pixbuf_get_file_info (path, &file_w, &file_h) != NULL &&
      (file_w > MAX_IMAGE_SIDE || file_h > MAX_IMAGE_SIDE))
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "%s: the image is %dx%d; calibration images may be at most %dx%d.",
                   path, file_w, file_h, MAX_IMAGE_SIDE, MAX_IMAGE_SIDE);
      return NULL;
    }
  pixbuf = gdk_pixbuf_new_from_file (path, &local);
  if (pixbuf == NULL)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_PARSE, "%s: the image does not decode (%s).",
                   path, local->message);
      return NULL;
    }
  scaled = gdk_pixbuf_scale_simple (pixbuf, w, h, GDK_INTERP_BILINEAR);
  if (scaled == NULL)
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "%s: the image cannot be resized to %dx%d.", path, h, w);
      return NULL;
    }
  pixels = gdk_pixbuf_read_pixels (scaled);
  stride = gdk_pixbuf_get_rowstride (scaled);
  n_channels = gdk_pixbuf_get_n_channels (scaled);
  x = g_new (float, (gsize) 3 * h * w);
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < h; i++)
      for (int j = 0; j < w; j++)
        {
          int src = n_channels >= 3 ? c : 0;
          float v = pixels[(gsize) i * stride + (gsize) j * n_channels + src] / 255.0f;
          x[((gsize) c * h + i) * w + j] = (v - mean[c]) / std[c];
        }
  return x;
}

typedef struct {
  QvizRangeObserver **observers; /* [thread][value], each made at its thread's
                                    first part of the value */
  int n_threads;
  int n_values;
  const gboolean *unread;        /* per value: no range needed */
  QvizCalibrationMethod method;
  double percentile;
  guint n_inputs;
  QvizTapMeans *taps;            /* for the bias correction */
  GPtrArray *tap_layers;         /* per value: the layers whose tap means are
                                    taken from it when it is observed, or NULL */
  gboolean *taps_early;          /* per layer: taken so, see tap_layers */
  QvizPool *pool;                /* the calibration plan's workers, or NULL */
} Observe;

/* The tap means of a layer are sums over its input, which is the output
 * of an earlier layer (or the model's input) and does not change until the
 * layer has read it: they are taken when that value is observed, on the
 * caller's thread while the other threads observe the value, rather than
 * after the layer on the caller's thread alone.  The sums are the same,
 * added in the same order. */
static void
free_tap_list (gpointer list)
{
  if (list != NULL)
    g_array_unref (list);
}

static void
find_tap_layers (Observe *o, const QvizPlan *plan, const QvizGraph *graph)
{
  int n_layers = qviz_plan_get_n_layers (plan);
  g_autofree gboolean *produced = g_new0 (gboolean, MAX (o->n_values, 1));

  o->tap_layers = g_ptr_array_new_full (o->n_values, free_tap_list);
  g_ptr_array_set_size (o->tap_layers, o->n_values);
  o->taps_early = g_new0 (gboolean, MAX (n_layers, 1));
  produced[graph->input] = TRUE;
  for (int li = 0; li < n_layers; li++)
    {
      const QvizNode *n = qviz_plan_layer (plan, li)->node;
      int u;
      GArray *list;

      if ((n->op == QVIZ_OP_CONV || n->op == QVIZ_OP_LINEAR) && n->n_inputs >= 1 &&
          produced[u = n->inputs[0]])
        {
          list = g_ptr_array_index (o->tap_layers, u);
          if (list == NULL)
            {
              list = g_array_new (FALSE, FALSE, sizeof (int));
              g_ptr_array_index (o->tap_layers, u) = list;
            }
          g_array_append_val (list, li);
          o->taps_early[li] = TRUE;
        }
      produced[qviz_plan_get_layer_value (plan, li)] = TRUE;
    }
}

/* The values whose range no int8 plan reads: the output of a convolution
 * (after the BatchNorm folded into it) or of a dense layer that only a ReLU
 * or clip right after it reads.  An int8 plan fuses the activation into the
 * layer (group_layers in qviz-plan.c: the same rule, sole next consumer,
 * never a model output), clamps the accumulators to the activation's output
 * parameters and never quantizes the value before it
 * (qviz_quant_activation_bounds); only a table activation (hardswish,
 * sigmoid) maps the value before it and needs its range.  Those values are
 * neither observed nor given parameters. */
static gboolean *
unread_values (const QvizGraph *graph)
{
  int n_values = qviz_graph_n_values ((QvizGraph *) graph);
  int n_nodes = qviz_graph_n_nodes ((QvizGraph *) graph);
  gboolean *unread = g_new0 (gboolean, MAX (n_values, 1));
  g_autofree int *uses = g_new0 (int, MAX (n_values, 1));

  if (graph->prequantized)
    return unread;
  for (int i = 0; i < n_nodes; i++)
    {
      const QvizNode *n = qviz_graph_node ((QvizGraph *) graph, i);
      for (int k = 0; k < n->n_inputs; k++)
        uses[n->inputs[k]]++;
    }
  for (guint i = 0; i < graph->outputs->len; i++)
    uses[g_array_index (graph->outputs, int, i)] += 1000;

  for (int i = 0; i < n_nodes; i++)
    {
      const QvizNode *n = qviz_graph_node ((QvizGraph *) graph, i);
      const QvizNode *next;
      int out = n->output;

      if (n->op != QVIZ_OP_CONV && n->op != QVIZ_OP_LINEAR)
        continue;
      next = i + 1 < n_nodes ? qviz_graph_node ((QvizGraph *) graph, i + 1) : NULL;
      if (n->op == QVIZ_OP_CONV && next != NULL && uses[out] == 1 &&
          next->op == QVIZ_OP_BATCHNORM && next->n_inputs >= 1 && next->inputs[0] == out)
        {
          out = next->output;
          i++;
          next = i + 1 < n_nodes ? qviz_graph_node ((QvizGraph *) graph, i + 1) : NULL;
        }
      if (next != NULL && uses[out] == 1 && next->op == QVIZ_OP_ACTIVATION &&
          next->n_inputs >= 1 && next->inputs[0] == out &&
          qvk_activation_is_vectorized (&next->a.act) &&
          (next->a.act.kind == QVK_ACT_RELU || next->a.act.kind == QVK_ACT_CLIP) &&
          !qviz_graph_value ((QvizGraph *) graph, out)->file_quant)
        unread[out] = TRUE;
    }
  return unread;
}

/* Every input gives a value as many numbers: telling each observer how
 * many will come in all lets it count only the tail its range can still
 * need (the range is the same). */
static void
observe_part (Observe *o, int thread, int v, const float *x, gsize n, gsize total)
{
  QvizRangeObserver **slot = &o->observers[(gsize) thread * o->n_values + v];

  if (*slot == NULL)
    {
      *slot = qviz_range_observer_new (o->method, o->percentile);
      qviz_range_observer_expect (*slot, (guint64) total * o->n_inputs);
    }
  qviz_range_observer_observe (*slot, x, n);
}

/* Values are observed in parts of this many numbers, taken in turn by the
 * threads of the plan.  A value of fewer than OBSERVE_SHARED numbers is
 * observed by the caller alone: each shared value is one more wait for the
 * slowest thread, which costs milliseconds when the machine is busy (on
 * lraspp-mnv3 at 512x512, 42 of 146 values, 77% of the numbers, are
 * shared). */
#define OBSERVE_PART ((gsize) 1 << 16)
#define OBSERVE_SHARED ((gsize) 1 << 19)

typedef struct {
  Observe *o;
  const QvizPlan *plan;
  int layer;             /* whose input's tap means are taken, or -1 */
  GArray *tap_layers;    /* and these layers' too, or NULL */
  int v;                 /* the value observed, or -1 */
  const float *x;
  gsize n;
  atomic_size_t next;    /* the next part to take */
} ObserveJob;

/* One thread's share: the tap means on the first (the caller), then parts
 * of the value until none is left.  Each thread observes into its own
 * observers, merged at the end: a range does not depend on the order of
 * the values. */
static void
observe_share (gpointer data, int thread_id, int n_threads)
{
  ObserveJob *job = data;

  if (thread_id == 0 && job->layer >= 0)
    qviz_tap_means_observe (job->o->taps, job->plan, job->layer);
  if (thread_id == 0 && job->tap_layers != NULL)
    for (guint i = 0; i < job->tap_layers->len; i++)
      qviz_tap_means_observe (job->o->taps, job->plan, g_array_index (job->tap_layers, int, i));
  if (job->v < 0)
    return;
  for (;;)
    {
      gsize begin = atomic_fetch_add (&job->next, OBSERVE_PART);

      if (begin >= job->n)
        break;
      observe_part (job->o, thread_id, job->v, job->x + begin,
                    MIN (OBSERVE_PART, job->n - begin), job->n);
    }
}

/* Observes value v, just written by layer `layer` (-1: the model's input),
 * and takes the tap means of the layers that read v, when v is where they
 * are taken (see find_tap_layers), and of `layer` itself otherwise. */
static void
observe (Observe *o, const QvizPlan *plan, int layer, int v, const float *x, gsize n)
{
  ObserveJob job = { o, plan, layer, NULL, v, x, n, 0 };

  if (layer >= 0 && o->taps_early[layer])
    job.layer = -1;
  job.tap_layers = g_ptr_array_index (o->tap_layers, v);
  if (o->unread[v])
    job.v = -1;
  if (o->pool != NULL && job.v >= 0 && n >= OBSERVE_SHARED)
    qviz_pool_run (o->pool, observe_share, &job);
  else
    observe_share (&job, 0, 1);
}

/* Ranges do not depend on the order of the values: each output is observed
 * where the layer wrote it, in memory order, without a copy. */
static void
observe_layer (const QvizPlan *plan, int layer, gpointer user_data)
{
  Observe *o = user_data;
  int v = qviz_plan_get_layer_value (plan, layer);
  gsize n = 0;
  const float *x = qviz_plan_peek_value (plan, v, &n);

  observe (o, plan, layer, v, x, n);
}

/* One synthetic calibration input, made on a thread of its own: the
 * observers run on one thread between the layers of a pass, and the next
 * input is made meanwhile instead of after. */
typedef struct {
  float *x;
  int channels, h, w;
  guint32 seed;
} SyntheticInput;

static gpointer
make_synthetic_input (gpointer data)
{
  SyntheticInput *in = data;

  qviz_input_synthetic_fill (in->x, 1, in->channels, in->h, in->w, in->seed);
  return in->x;
}

/* Two buffers taken in turn, allocated here: a buffer allocated by the
 * thread would come from that thread's own heap and stay there. */
static GThread *
start_synthetic_input (SyntheticInput *in, float *buffers[2], int channels, int h, int w,
                       guint32 seed)
{
  in->x = buffers[seed % 2];
  in->channels = channels;
  in->h = h;
  in->w = w;
  in->seed = seed;
  return g_thread_new ("qviz-calibration-input", make_synthetic_input, in);
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* Collects the calibration inputs as NCHW arrays of the given size; NULL
 * without an error for synthetic inputs, which are made one at a time as
 * they are run (eight of them at once would be the calibration's largest
 * allocation). */
static GPtrArray *
collect_inputs (QvizGraph *graph, const QvizCalibrationConfig *config, int *h, int *w,
                GError **error)
{
  GPtrArray *inputs = g_ptr_array_new_with_free_func (g_free);
  const char *src = config->source;

  if (src == NULL)
    {
      g_ptr_array_unref (inputs);
      return NULL;
    }

  if (g_file_test (src, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) dir = g_dir_open (src, 0, NULL);
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (graph->in_channels != 3)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                       "Model '%s' takes %d channels; calibration images need 3.",
                       graph->name, graph->in_channels);
          g_ptr_array_unref (inputs);
          return NULL;
        }
      while (dir && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *lower = g_ascii_strdown (name, -1);
          if (g_str_has_suffix (lower, ".jpg") || g_str_has_suffix (lower, ".jpeg") ||
              g_str_has_suffix (lower, ".png"))
            g_ptr_array_add (names, g_build_filename (src, name, NULL));
        }
      g_ptr_array_sort (names, compare_paths);
      for (guint i = 0; i < names->len && (int) i < MAX (config->n_inputs, 1); i++)
        {
          float *x = qviz_image_load_normalized (g_ptr_array_index (names, i), *h, *w, error);
          if (x == NULL)
            {
              g_ptr_array_unref (inputs);
              return NULL;
            }
          g_ptr_array_add (inputs, x);
        }
      if (inputs->len == 0)
        {
          g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                       "%s holds no JPEG or PNG images to calibrate with.", src);
          g_ptr_array_unref (inputs);
          return NULL;
        }
      return inputs;
    }

  {
    QvizShape s;
    g_autofree float *batch = qviz_npy_read (src, &s, error);
    gsize per;

    if (batch == NULL)
      {
        g_ptr_array_unref (inputs);
        return NULL;
      }
    if (!qviz_input_check_batch (src, &s, graph->in_channels, error))
      {
        g_ptr_array_unref (inputs);
        return NULL;
      }
    *h = (int) s.dims[2];
    *w = (int) s.dims[3];
    per = (gsize) (s.dims[1] * s.dims[2] * s.dims[3]);
    for (int64_t i = 0; i < s.dims[0] && i < MAX (config->n_inputs, 1); i++)
      g_ptr_array_add (inputs, g_memdup2 (batch + i * per, per * sizeof (float)));
    return inputs;
  }
}

gboolean
qviz_calibrate (QvizGraph *graph, const QvizCalibrationConfig *config, GError **error)
{
  QvizPlanConfig pc;
  g_autoptr (QvizPlan) plan = NULL;
  g_autoptr (GPtrArray) inputs = NULL;
  int n_values = qviz_graph_n_values (graph);
  Observe o = { 0 };
  guint n_inputs;
  int h, w;
  SyntheticInput next_input;
  GThread *making = NULL;
  g_autofree float *buffer0 = NULL;
  g_autofree float *buffer1 = NULL;
  float *buffers[2] = { NULL, NULL };
  g_autofree gboolean *unread = NULL;

  g_return_val_if_fail (graph != NULL && config != NULL, FALSE);

  h = config->height > 0 ? config->height
      : graph->fixed_h > 0 ? graph->fixed_h : graph->default_res;
  w = config->width > 0 ? config->width
      : graph->fixed_w > 0 ? graph->fixed_w : graph->default_res;
  if (config->source != NULL)
    {
      inputs = collect_inputs (graph, config, &h, &w, error);
      if (inputs == NULL)
        return FALSE;
      n_inputs = inputs->len;
    }
  else
    {
      n_inputs = (guint) MAX (config->n_inputs, 1);
      buffers[0] = buffer0 = g_new (float, (gsize) graph->in_channels * h * w);
      buffers[1] = buffer1 = g_new (float, (gsize) graph->in_channels * h * w);
      /* while the plan is made */
      making = start_synthetic_input (&next_input, buffers, graph->in_channels, h, w,
                                      CALIBRATION_SEED);
    }

  qviz_plan_config_init (&pc);
  pc.height = h;
  pc.width = w;
  pc.threads = MAX ((int) g_get_num_processors (), 1);
  pc.no_fusion = TRUE;
  /* the values before a conv's ReLU or clip are not observed (see
   * unread_values): the plan need not write them */
  pc.fuse_clamps = !graph->prequantized;
  plan = qviz_plan_new (graph, &pc, error);
  if (plan == NULL)
    {
      if (making != NULL)
        g_thread_join (making);
      return FALSE;
    }

  /* between two layers the caller observes alone, while the next input is
   * made on a thread of its own: a spinning worker would take its core */
  qviz_plan_set_spin (plan, FALSE);

  /* observers only for the values observed: a histogram for each of the
   * graph's values, weights included, was that many pages to clear */
  o.n_threads = plan->pool != NULL ? qviz_pool_get_n_threads (plan->pool) : 1;
  o.pool = plan->pool;
  o.n_values = n_values;
  o.observers = g_new0 (QvizRangeObserver *, (gsize) o.n_threads * n_values);
  o.unread = unread = unread_values (graph);
  o.method = config->method;
  o.percentile = config->percentile;
  o.n_inputs = n_inputs;
  o.taps = qviz_tap_means_new (plan);
  find_tap_layers (&o, plan, graph);

  for (guint i = 0; i < n_inputs; i++)
    {
      const float *x;

      if (inputs != NULL)
        x = g_ptr_array_index (inputs, i);
      else
        {
          x = g_thread_join (making);
          making = i + 1 < n_inputs
                   ? start_synthetic_input (&next_input, buffers, graph->in_channels, h, w,
                                            CALIBRATION_SEED + i + 1)
                   : NULL;
        }
      /* the first layers' tap means are taken from the plan's copy */
      qviz_plan_set_input_nchw (plan, x);
      observe (&o, plan, -1, graph->input, x, (gsize) graph->in_channels * h * w);
      qviz_plan_run_with_callback (plan, observe_layer, &o);
    }

  for (int v = 0; v < n_values; v++)
    for (int t = 1; t < o.n_threads; t++)
      {
        QvizRangeObserver **first = &o.observers[v], *part = o.observers[(gsize) t * n_values + v];

        if (part == NULL)
          continue;
        if (*first == NULL)
          *first = qviz_range_observer_new (o.method, o.percentile);
        qviz_range_observer_merge (*first, part);
      }
  for (int v = 0; v < n_values; v++)
    {
      QvizValue *val = qviz_graph_value (graph, v);
      float lo, hi;

      if (graph->prequantized && val->quant.valid)
        continue;
      val->calibrated_quant = TRUE;
      if (unread[v])
        {
          memset (&val->quant, 0, sizeof val->quant);
          val->calibrated_quant = FALSE;
        }
      else if (o.observers[v] != NULL && qviz_range_observer_finish (o.observers[v], &lo, &hi))
        val->quant = qviz_quant_params_from_range (lo, hi);
      else if (val->data != NULL && val->producer < 0)
        {
          float mn = 0, mx = 0;
          gsize n = (gsize) qviz_shape_numel (&val->shape);
          for (gsize k = 0; k < n; k++)
            {
              mn = MIN (mn, val->data[k]);
              mx = MAX (mx, val->data[k]);
            }
          val->quant = qviz_quant_params_from_range (mn, mx);
        }
      else
        val->calibrated_quant = FALSE;
    }
  qviz_tap_means_finish (o.taps, graph);
  qviz_tap_means_free (o.taps);
  g_ptr_array_unref (o.tap_layers);
  g_free (o.taps_early);
  for (gsize i = 0; i < (gsize) o.n_threads * n_values; i++)
    qviz_range_observer_free (o.observers[i]);
  g_free (o.observers);
  graph->calibrated = TRUE;
  return TRUE;
}

/* ---- the calibration cache ------------------------------------------------ */

/* Raised whenever calibration would give other parameters for the same
 * inputs, so that older cached results are not reused. */
#define CALIBRATION_CACHE_VERSION 2

static void
append_file_stamp (GString *s, const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) == 0)
    g_string_append_printf (s, " %s:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, path,
                            (gint64) st.st_size, (gint64) st.st_mtime);
  else
    g_string_append_printf (s, " %s:missing", path);
}

void
qviz_calibration_cache_key (const QvizCalibrationConfig *config, int h, int w,
                            char **source, char **settings)
{
  GString *s;

  g_return_if_fail (config != NULL && source != NULL && settings != NULL);

  s = g_string_new (NULL);
  if (config->source == NULL)
    g_string_printf (s, "synthetic %d inputs seed %u %dx%d", MAX (config->n_inputs, 1),
                     CALIBRATION_SEED, h, w);
  else
    {
      /* what was read is named by a digest of each file's size and
       * modification time, so that a key stays short for a big folder */
      g_autofree char *abs = g_canonicalize_filename (config->source, NULL);
      g_autoptr (GString) stamps = g_string_new (NULL);
      g_autofree char *digest = NULL;

      if (g_file_test (config->source, G_FILE_TEST_IS_DIR))
        {
          g_autoptr (GDir) dir = g_dir_open (config->source, 0, NULL);
          g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
          const char *name;

          while (dir && (name = g_dir_read_name (dir)) != NULL)
            g_ptr_array_add (names, g_build_filename (abs, name, NULL));
          g_ptr_array_sort (names, compare_paths);
          for (guint i = 0; i < names->len; i++)
            append_file_stamp (stamps, g_ptr_array_index (names, i));
          digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, stamps->str, -1);
          g_string_printf (s, "images %s, %d at %dx%d, files %.16s", abs,
                           MAX (config->n_inputs, 1), h, w, digest);
        }
      else
        {
          append_file_stamp (stamps, abs);
          digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, stamps->str, -1);
          g_string_printf (s, "npy %s, %d inputs, file %.16s", abs, MAX (config->n_inputs, 1),
                           digest);
        }
    }
  *source = g_string_free (s, FALSE);
  if (config->method == QVIZ_CALIBRATION_PERCENTILE)
    *settings = g_strdup_printf ("v%d %s %g", CALIBRATION_CACHE_VERSION,
                                 qviz_calibration_method_name (config->method),
                                 config->percentile);
  else
    *settings = g_strdup_printf ("v%d %s", CALIBRATION_CACHE_VERSION,
                                 qviz_calibration_method_name (config->method));
}

#define CACHE_MAGIC "qvizcal1"

typedef struct {
  guint32 valid;
  float scale;
  gint32 zero_point;
} CachedParams;

GBytes *
qviz_calibration_save (const QvizGraph *graph)
{
  int n_values;
  GByteArray *b;
  guint32 n;

  g_return_val_if_fail (graph != NULL, NULL);

  n_values = qviz_graph_n_values ((QvizGraph *) graph);
  n = (guint32) n_values;
  b = g_byte_array_sized_new (8 + 4 + (guint) n_values * sizeof (CachedParams));
  g_byte_array_append (b, (const guint8 *) CACHE_MAGIC, 8);
  g_byte_array_append (b, (const guint8 *) &n, sizeof n);
  for (int v = 0; v < n_values; v++)
    {
      const QvizValue *val = qviz_graph_value ((QvizGraph *) graph, v);
      CachedParams p = { val->quant.valid ? 1u : 0u, val->quant.scale, val->quant.zero_point };
      g_byte_array_append (b, (const guint8 *) &p, sizeof p);
    }
  qviz_tap_means_save (graph, b);
  return g_byte_array_free_to_bytes (b);
}

gboolean
qviz_calibration_restore (QvizGraph *graph, GBytes *params)
{
  gsize size = 0;
  const guint8 *data;
  guint32 n;
  int n_values;

  g_return_val_if_fail (graph != NULL && params != NULL, FALSE);

  n_values = qviz_graph_n_values (graph);
  data = g_bytes_get_data (params, &size);
  if (size < 12 || memcmp (data, CACHE_MAGIC, 8) != 0)
    return FALSE;
  memcpy (&n, data + 8, sizeof n);
  if ((int) n != n_values || size < 12 + (gsize) n * sizeof (CachedParams))
    return FALSE;
  for (int v = 0; v < n_values; v++)
    {
      CachedParams p;

      memcpy (&p, data + 12 + (gsize) v * sizeof p, sizeof p);
      if (p.valid && (!(p.scale > 0.0f) || !isfinite (p.scale) || p.zero_point < 0 ||
                      p.zero_point > 255))
        return FALSE;
    }
  if (!qviz_tap_means_restore (graph, data + 12 + (gsize) n * sizeof (CachedParams),
                               size - 12 - (gsize) n * sizeof (CachedParams)))
    return FALSE;
  for (int v = 0; v < n_values; v++)
    {
      QvizValue *val = qviz_graph_value (graph, v);
      CachedParams p;

      memcpy (&p, data + 12 + (gsize) v * sizeof p, sizeof p);
      if ((graph->prequantized && val->quant.valid) || !p.valid)
        continue;
      val->quant.valid = TRUE;
      val->quant.scale = p.scale;
      val->quant.zero_point = p.zero_point;
      val->calibrated_quant = TRUE;
    }
  graph->calibrated = TRUE;
  return TRUE;
}
