/* qviz-chart-data.c: plain inputs of the chart painters, and the flame layout. */
#include "qviz-config.h"
#include "qviz-chart-data.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

const char *
qviz_layer_class_get_label (QvizLayerClass layer_class)
{
  switch (layer_class)
    {
    case QVIZ_LAYER_CLASS_DILATED_DEPTHWISE: return C_("layer class", "Dilated depthwise");
    case QVIZ_LAYER_CLASS_DEPTHWISE: return C_("layer class", "Depthwise");
    case QVIZ_LAYER_CLASS_POINTWISE: return C_("layer class", "Pointwise");
    /* TRANSLATORS: a layer class: a convolution that is neither depthwise
     * nor pointwise. */
    case QVIZ_LAYER_CLASS_CONV: return C_("layer class", "Conv");
    /* TRANSLATORS: a layer class: softmax and the products around it. */
    case QVIZ_LAYER_CLASS_ATTENTION: return C_("layer class", "Attention");
    case QVIZ_LAYER_CLASS_NORMALIZATION: return C_("layer class", "Normalization");
    /* TRANSLATORS: a layer class: transposes, reshapes, concatenations. */
    case QVIZ_LAYER_CLASS_DATA_MOVEMENT: return C_("layer class", "Data movement");
    case QVIZ_LAYER_CLASS_OTHER: return C_("layer class", "Other");
    case QVIZ_N_LAYER_CLASSES:
    default: break;
    }
  g_return_val_if_reached (C_("layer class", "Other"));
}

QvizLayerClass
qviz_layer_class_classify (const char    *op,
                           QvizSpanFlags  flags)
{
  if ((flags & QVIZ_SPAN_DEPTHWISE) && (flags & QVIZ_SPAN_DILATED))
    return QVIZ_LAYER_CLASS_DILATED_DEPTHWISE;
  if (flags & QVIZ_SPAN_DEPTHWISE)
    return QVIZ_LAYER_CLASS_DEPTHWISE;
  if (flags & QVIZ_SPAN_POINTWISE)
    return QVIZ_LAYER_CLASS_POINTWISE;
  if (op != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (op, -1);
      if (strstr (lower, "conv") != NULL)
        return QVIZ_LAYER_CLASS_CONV;
      return qviz_layer_class_of_op (lower);
    }
  return QVIZ_LAYER_CLASS_OTHER;
}

/* ---- Latency curves ------------------------------------------------- */

QvizCurveSeries *
qviz_curve_series_new (const char *precision,
                       guint       threads)
{
  QvizCurveSeries *series;

  g_return_val_if_fail (precision != NULL, NULL);

  series = g_new0 (QvizCurveSeries, 1);
  series->precision = g_strdup (precision);
  series->threads = threads;
  series->points = g_array_new (FALSE, FALSE, sizeof (QvizCurvePoint));
  return series;
}

QvizCurveSeries *
qviz_curve_series_copy (const QvizCurveSeries *series)
{
  QvizCurveSeries *copy;

  g_return_val_if_fail (series != NULL, NULL);

  copy = qviz_curve_series_new (series->precision, series->threads);
  copy->sweep = g_strdup (series->sweep);
  g_array_append_vals (copy->points, series->points->data, series->points->len);
  return copy;
}

void
qviz_curve_series_free (QvizCurveSeries *series)
{
  if (series == NULL)
    return;
  g_free (series->precision);
  g_free (series->sweep);
  g_array_unref (series->points);
  g_free (series);
}

void
qviz_curve_series_add (QvizCurveSeries *series,
                       double           resolution,
                       double           median_ms,
                       double           p10_ms,
                       double           p90_ms)
{
  QvizCurvePoint point = { resolution, median_ms, p10_ms, p90_ms };
  guint pos;

  g_return_if_fail (series != NULL);

  /* Sweeps may finish out of order; keep the points sorted so that lines and
   * the crossover search can walk them left to right. */
  for (pos = series->points->len; pos > 0; pos--)
    if (g_array_index (series->points, QvizCurvePoint, pos - 1).resolution <= resolution)
      break;
  g_array_insert_val (series->points, pos, point);
}

guint
qviz_curve_series_get_n_points (const QvizCurveSeries *series)
{
  g_return_val_if_fail (series != NULL, 0);
  return series->points->len;
}

const QvizCurvePoint *
qviz_curve_series_get_point (const QvizCurveSeries *series,
                             guint                  i)
{
  g_return_val_if_fail (series != NULL, NULL);
  g_return_val_if_fail (i < series->points->len, NULL);
  return &g_array_index (series->points, QvizCurvePoint, i);
}

gboolean
qviz_curve_series_is_int8 (const QvizCurveSeries *series)
{
  g_return_val_if_fail (series != NULL, FALSE);
  return g_ascii_strncasecmp (series->precision, "int8", 4) == 0 ||
         g_ascii_strncasecmp (series->precision, "qs8", 3) == 0 ||
         g_ascii_strncasecmp (series->precision, "qu8", 3) == 0;
}

void
qviz_curve_series_set_sweep (QvizCurveSeries *series,
                             const char      *sweep)
{
  g_return_if_fail (series != NULL);
  g_free (series->sweep);
  series->sweep = g_strdup (sweep);
}

/* ---- Breakdown ------------------------------------------------------ */

QvizBreakdown *
qviz_breakdown_new (guint               n_resolutions,
                    const double       *resolutions,
                    guint               n_precisions,
                    const char * const *precisions)
{
  QvizBreakdown *b;

  g_return_val_if_fail (n_resolutions == 0 || resolutions != NULL, NULL);
  g_return_val_if_fail (n_precisions == 0 || precisions != NULL, NULL);

  b = g_new0 (QvizBreakdown, 1);
  b->n_resolutions = n_resolutions;
  b->resolutions = g_memdup2 (resolutions, sizeof (double) * n_resolutions);
  b->n_precisions = n_precisions;
  b->precisions = g_new0 (char *, n_precisions + 1);
  for (guint i = 0; i < n_precisions; i++)
    b->precisions[i] = g_strdup (precisions[i]);
  b->ms = g_new0 (double, (gsize) MAX (1, n_resolutions * n_precisions * QVIZ_N_LAYER_CLASSES));
  return b;
}

QvizBreakdown *
qviz_breakdown_copy (const QvizBreakdown *b)
{
  QvizBreakdown *copy;

  g_return_val_if_fail (b != NULL, NULL);

  copy = qviz_breakdown_new (b->n_resolutions, b->resolutions,
                             b->n_precisions, (const char * const *) b->precisions);
  memcpy (copy->ms, b->ms,
          sizeof (double) * b->n_resolutions * b->n_precisions * QVIZ_N_LAYER_CLASSES);
  return copy;
}

void
qviz_breakdown_free (QvizBreakdown *b)
{
  if (b == NULL)
    return;
  g_free (b->resolutions);
  g_strfreev (b->precisions);
  g_free (b->ms);
  g_free (b);
}

static inline double *
breakdown_cell (const QvizBreakdown *b,
                guint                r,
                guint                p,
                QvizLayerClass       c)
{
  return &b->ms[((gsize) r * b->n_precisions + p) * QVIZ_N_LAYER_CLASSES + c];
}

void
qviz_breakdown_add (QvizBreakdown  *b,
                    guint           resolution_index,
                    guint           precision_index,
                    QvizLayerClass  layer_class,
                    double          ms)
{
  g_return_if_fail (b != NULL);
  g_return_if_fail (resolution_index < b->n_resolutions);
  g_return_if_fail (precision_index < b->n_precisions);
  g_return_if_fail (layer_class < QVIZ_N_LAYER_CLASSES);

  *breakdown_cell (b, resolution_index, precision_index, layer_class) += ms;
}

double
qviz_breakdown_get (const QvizBreakdown *b,
                    guint                resolution_index,
                    guint                precision_index,
                    QvizLayerClass       layer_class)
{
  g_return_val_if_fail (b != NULL, 0);
  g_return_val_if_fail (resolution_index < b->n_resolutions, 0);
  g_return_val_if_fail (precision_index < b->n_precisions, 0);
  g_return_val_if_fail (layer_class < QVIZ_N_LAYER_CLASSES, 0);

  return *breakdown_cell (b, resolution_index, precision_index, layer_class);
}

double
qviz_breakdown_get_total (const QvizBreakdown *b,
                          guint                resolution_index,
                          guint                precision_index)
{
  double total = 0;

  g_return_val_if_fail (b != NULL, 0);
  g_return_val_if_fail (resolution_index < b->n_resolutions, 0);
  g_return_val_if_fail (precision_index < b->n_precisions, 0);

  for (guint c = 0; c < QVIZ_N_LAYER_CLASSES; c++)
    total += *breakdown_cell (b, resolution_index, precision_index, c);
  return total;
}

/* ---- Flame data ----------------------------------------------------- */

typedef struct {
  gint64 start_ns;
  gint64 end_ns;
} RawTimes;

struct _QvizFlameData {
  GStringChunk *strings;
  GPtrArray    *band_labels;   /* const char * in strings */
  GArray       *spans;         /* QvizFlameSpan; the first n_input are the caller's */
  GArray       *raw;           /* RawTimes of the caller's spans, as given */
  guint         n_input;

  /* The layout, rebuilt after any change. */
  gboolean      laid_out;
  GArray       *band_depth;    /* guint: rows per band */
  GArray       *row_offset;    /* guint: first row of each band in rows */
  GPtrArray    *rows;          /* GArray of guint span indices sorted by start */
  GHashTable   *by_path;       /* "band:path" -> span index + 1 */
  gint64        duration;
};

QvizFlameData *
qviz_flame_data_new (void)
{
  QvizFlameData *self = g_new0 (QvizFlameData, 1);

  self->strings = g_string_chunk_new (4096);
  self->band_labels = g_ptr_array_new ();
  self->spans = g_array_new (FALSE, TRUE, sizeof (QvizFlameSpan));
  self->raw = g_array_new (FALSE, FALSE, sizeof (RawTimes));
  self->band_depth = g_array_new (FALSE, TRUE, sizeof (guint));
  self->row_offset = g_array_new (FALSE, TRUE, sizeof (guint));
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
qviz_flame_data_free (QvizFlameData *self)
{
  if (self == NULL)
    return;
  g_string_chunk_free (self->strings);
  g_ptr_array_unref (self->band_labels);
  g_array_unref (self->spans);
  g_array_unref (self->raw);
  g_array_unref (self->band_depth);
  g_array_unref (self->row_offset);
  g_ptr_array_unref (self->rows);
  g_hash_table_unref (self->by_path);
  g_free (self);
}

static const char *
intern (QvizFlameData *self,
        const char    *s)
{
  return s != NULL ? g_string_chunk_insert_const (self->strings, s) : NULL;
}

guint
qviz_flame_data_add_band (QvizFlameData *self,
                          const char    *label)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (label != NULL, 0);

  g_ptr_array_add (self->band_labels, (gpointer) intern (self, label));
  self->laid_out = FALSE;
  return self->band_labels->len - 1;
}

/* "a//b/" -> "a/b": empty components would make phantom nesting levels. */
static char *
normalize_path (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_ptr_array_add (kept, parts[i]);
  g_ptr_array_add (kept, NULL);
  return g_strjoinv ("/", (char **) kept->pdata);
}

static guint
path_depth (const char *path)
{
  guint depth = 1;

  for (const char *p = path; *p; p++)
    if (*p == '/')
      depth++;
  return depth;
}

static const char *
path_last_component (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash != NULL ? slash + 1 : path;
}

guint
qviz_flame_data_add_span (QvizFlameData *self,
                          guint          band,
                          const char    *path,
                          const char    *label,
                          gint64         start_ns,
                          gint64         end_ns,
                          const char    *op,
                          const char    *kernel,
                          QvizSpanFlags  flags,
                          int            layer_index)
{
  g_autofree char *norm = NULL;
  QvizFlameSpan span = { 0 };
  RawTimes raw = { start_ns, MAX (start_ns, end_ns) };
  guint index;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (band < self->band_labels->len, 0);
  g_return_val_if_fail (path != NULL, 0);

  /* Synthesized spans live after the caller's; drop them so that the
   * caller's indices stay stable and the layout is rebuilt on demand. */
  g_array_set_size (self->spans, self->n_input);
  self->laid_out = FALSE;

  norm = normalize_path (path);
  if (norm[0] == '\0')
    {
      g_free (norm);
      /* TRANSLATORS: the name shown for a layer whose model gives it none. */
      norm = g_strdup (_("(unnamed)"));
    }
  span.band = band;
  span.parent = -1;
  span.name = intern (self, norm);
  span.label = label != NULL ? intern (self, label) : path_last_component (span.name);
  span.op = intern (self, op);
  span.kernel = intern (self, kernel);
  span.flags = flags & ~(QVIZ_SPAN_MODULE | QVIZ_SPAN_PASS);
  span.layer_class = qviz_layer_class_classify (op, flags);
  span.ratio = NAN;
  span.sqnr = NAN;
  span.layer_index = layer_index;
  span.spread_lo_ns = span.spread_hi_ns = NAN;

  index = self->n_input;
  g_array_append_val (self->spans, span);
  g_array_append_val (self->raw, raw);
  self->n_input++;
  return index;
}

void
qviz_flame_data_set_span_quality (QvizFlameData *self,
                                  guint          span,
                                  double         ratio,
                                  double         sqnr)
{
  QvizFlameSpan *s;

  g_return_if_fail (self != NULL);
  g_return_if_fail (span < self->n_input);

  s = &g_array_index (self->spans, QvizFlameSpan, span);
  s->ratio = ratio;
  s->sqnr = sqnr;
}

void
qviz_flame_data_set_span_spread (QvizFlameData *self,
                                 guint          span,
                                 double         lo_ns,
                                 double         hi_ns)
{
  QvizFlameSpan *s;

  g_return_if_fail (self != NULL);
  g_return_if_fail (span < self->n_input);

  s = &g_array_index (self->spans, QvizFlameSpan, span);
  s->spread_lo_ns = MIN (lo_ns, hi_ns);
  s->spread_hi_ns = MAX (lo_ns, hi_ns);
}

static char *
path_key (guint       band,
          const char *path)
{
  return g_strdup_printf ("%u:%s", band, path);
}

static guint
append_span (QvizFlameData       *self,
             const QvizFlameSpan *span)
{
  g_array_append_vals (self->spans, span, 1);
  return self->spans->len - 1;
}

/* The span for @prefix (a module path), created on first use together with
 * its own ancestors.  Pass spans occupy indices n_input .. n_input+n_bands-1. */
static int
module_for_prefix (QvizFlameData *self,
                   guint          band,
                   const char    *prefix,
                   gsize          prefix_len)
{
  g_autofree char *path = g_strndup (prefix, prefix_len);
  g_autofree char *key = path_key (band, path);
  gpointer found;
  const char *slash;
  QvizFlameSpan module = { 0 };
  int parent;
  guint index;

  if (g_hash_table_lookup_extended (self->by_path, key, NULL, &found))
    return GPOINTER_TO_INT (found) - 1;

  slash = strrchr (path, '/');
  if (slash != NULL)
    parent = module_for_prefix (self, band, path, slash - path);
  else
    parent = self->n_input + band;

  module.band = band;
  module.depth = path_depth (path);
  module.parent = parent;
  module.start_ns = G_MAXINT64;
  module.end_ns = G_MININT64;
  module.name = intern (self, path);
  module.label = path_last_component (module.name);
  module.flags = QVIZ_SPAN_MODULE;
  module.layer_class = QVIZ_LAYER_CLASS_OTHER;
  module.ratio = NAN;
  module.sqnr = NAN;
  module.layer_index = -1;
  module.spread_lo_ns = module.spread_hi_ns = NAN;
  index = append_span (self, &module);
  g_hash_table_insert (self->by_path, g_steal_pointer (&key), GINT_TO_POINTER (index + 1));
  return index;
}

static int
compare_by_start (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  GArray *spans = user_data;
  const QvizFlameSpan *sa = &g_array_index (spans, QvizFlameSpan, *(const guint *) a);
  const QvizFlameSpan *sb = &g_array_index (spans, QvizFlameSpan, *(const guint *) b);

  if (sa->start_ns != sb->start_ns)
    return sa->start_ns < sb->start_ns ? -1 : 1;
  /* Longer first, so that an enclosing span wins the binary search. */
  if (sa->end_ns != sb->end_ns)
    return sa->end_ns > sb->end_ns ? -1 : 1;
  return (*(const guint *) a > *(const guint *) b) - (*(const guint *) a < *(const guint *) b);
}

static void
ensure_layout (QvizFlameData *self)
{
  guint n_bands = self->band_labels->len;
  g_autofree gint64 *band_min = NULL;
  g_autoptr(GPtrArray) by_depth = NULL;
  guint max_depth = 0;

  if (self->laid_out)
    return;

  g_array_set_size (self->spans, self->n_input);
  g_hash_table_remove_all (self->by_path);
  g_ptr_array_set_size (self->rows, 0);

  /* Each band's time starts at its own first span, so that passes recorded
   * one after the other share one axis. */
  band_min = g_new (gint64, MAX (1, n_bands));
  for (guint b = 0; b < n_bands; b++)
    band_min[b] = G_MAXINT64;
  for (guint i = 0; i < self->n_input; i++)
    {
      QvizFlameSpan *s = &g_array_index (self->spans, QvizFlameSpan, i);
      band_min[s->band] = MIN (band_min[s->band], g_array_index (self->raw, RawTimes, i).start_ns);
    }

  for (guint i = 0; i < self->n_input; i++)
    {
      QvizFlameSpan *s = &g_array_index (self->spans, QvizFlameSpan, i);
      const RawTimes *raw = &g_array_index (self->raw, RawTimes, i);

      s->start_ns = raw->start_ns - band_min[s->band];
      s->end_ns = raw->end_ns - band_min[s->band];
      s->depth = path_depth (s->name);
      s->parent = -1;
      g_hash_table_insert (self->by_path, path_key (s->band, s->name), GINT_TO_POINTER (i + 1));
    }

  for (guint b = 0; b < n_bands; b++)
    {
      QvizFlameSpan pass = { 0 };

      pass.band = b;
      pass.depth = 0;
      pass.parent = -1;
      pass.start_ns = 0;
      pass.end_ns = 0;
      pass.name = g_ptr_array_index (self->band_labels, b);
      pass.label = pass.name;
      pass.flags = QVIZ_SPAN_PASS;
      pass.layer_class = QVIZ_LAYER_CLASS_OTHER;
      pass.ratio = NAN;
      pass.sqnr = NAN;
      pass.layer_index = -1;
      pass.spread_lo_ns = pass.spread_hi_ns = NAN;
      append_span (self, &pass);
    }

  for (guint i = 0; i < self->n_input; i++)
    {
      const QvizFlameSpan *s = &g_array_index (self->spans, QvizFlameSpan, i);
      const char *slash = strrchr (s->name, '/');
      int parent;

      if (slash != NULL)
        parent = module_for_prefix (self, s->band, s->name, slash - s->name);
      else
        parent = self->n_input + s->band;
      /* module_for_prefix may have grown the array: index again. */
      g_array_index (self->spans, QvizFlameSpan, i).parent = parent;
    }

  /* Extents flow from the deepest spans up to the passes. */
  by_depth = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint i = 0; i < self->spans->len; i++)
    max_depth = MAX (max_depth, g_array_index (self->spans, QvizFlameSpan, i).depth);
  for (guint d = 0; d <= max_depth; d++)
    g_ptr_array_add (by_depth, g_array_new (FALSE, FALSE, sizeof (guint)));
  for (guint i = 0; i < self->spans->len; i++)
    g_array_append_val (g_ptr_array_index (by_depth, g_array_index (self->spans, QvizFlameSpan, i).depth), i);
  for (guint d = max_depth; d >= 1; d--)
    {
      GArray *level = g_ptr_array_index (by_depth, d);

      for (guint k = 0; k < level->len; k++)
        {
          const QvizFlameSpan *s = &g_array_index (self->spans, QvizFlameSpan, g_array_index (level, guint, k));
          QvizFlameSpan *p = &g_array_index (self->spans, QvizFlameSpan, s->parent);

          p->start_ns = MIN (p->start_ns, s->start_ns);
          p->end_ns = MAX (p->end_ns, s->end_ns);
        }
    }

  /* Rows: one per (band, depth), sorted by start for binary search. */
  g_array_set_size (self->band_depth, n_bands);
  g_array_set_size (self->row_offset, n_bands);
  if (n_bands > 0) /* an empty GArray has no data */
    memset (self->band_depth->data, 0, sizeof (guint) * n_bands);
  for (guint i = 0; i < self->spans->len; i++)
    {
      const QvizFlameSpan *s = &g_array_index (self->spans, QvizFlameSpan, i);
      guint *depth = &g_array_index (self->band_depth, guint, s->band);
      *depth = MAX (*depth, s->depth + 1);
    }
  for (guint b = 0, offset = 0; b < n_bands; b++)
    {
      g_array_index (self->row_offset, guint, b) = offset;
      offset += g_array_index (self->band_depth, guint, b);
      for (guint d = 0; d < g_array_index (self->band_depth, guint, b); d++)
        g_ptr_array_add (self->rows, g_array_new (FALSE, FALSE, sizeof (guint)));
    }
  for (guint i = 0; i < self->spans->len; i++)
    {
      const QvizFlameSpan *s = &g_array_index (self->spans, QvizFlameSpan, i);
      GArray *row = g_ptr_array_index (self->rows, g_array_index (self->row_offset, guint, s->band) + s->depth);
      g_array_append_val (row, i);
    }
  for (guint r = 0; r < self->rows->len; r++)
    {
      GArray *row = g_ptr_array_index (self->rows, r);
      g_array_sort_with_data (row, compare_by_start, self->spans);
    }

  self->duration = 0;
  for (guint b = 0; b < n_bands; b++)
    {
      const QvizFlameSpan *pass = &g_array_index (self->spans, QvizFlameSpan, self->n_input + b);
      if (pass->end_ns > pass->start_ns)
        self->duration = MAX (self->duration, pass->end_ns);
    }

  self->laid_out = TRUE;
}

guint
qviz_flame_data_get_n_bands (QvizFlameData *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->band_labels->len;
}

const char *
qviz_flame_data_get_band_label (QvizFlameData *self,
                                guint          band)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (band < self->band_labels->len, NULL);
  return g_ptr_array_index (self->band_labels, band);
}

guint
qviz_flame_data_get_band_depth (QvizFlameData *self,
                                guint          band)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (band < self->band_labels->len, 0);
  ensure_layout (self);
  return g_array_index (self->band_depth, guint, band);
}

guint
qviz_flame_data_get_n_spans (QvizFlameData *self)
{
  g_return_val_if_fail (self != NULL, 0);
  ensure_layout (self);
  return self->spans->len;
}

const QvizFlameSpan *
qviz_flame_data_get_span (QvizFlameData *self,
                          guint          span)
{
  g_return_val_if_fail (self != NULL, NULL);
  ensure_layout (self);
  g_return_val_if_fail (span < self->spans->len, NULL);
  return &g_array_index (self->spans, QvizFlameSpan, span);
}

/* A layer's span, not a kernel phase inside a layer. */
static gboolean
is_layer_span (QvizFlameData       *self,
               const QvizFlameSpan *s)
{
  if (s->layer_index < 0)
    return FALSE;
  return s->parent < 0
         || g_array_index (self->spans, QvizFlameSpan, s->parent).layer_index < 0;
}

void
qviz_flame_data_summarize_range (QvizFlameData         *self,
                                 guint                  band,
                                 gint64                 t0_ns,
                                 gint64                 t1_ns,
                                 QvizFlameRangeSummary *summary)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (summary != NULL);

  memset (summary, 0, sizeof *summary);
  ensure_layout (self);
  if (band >= self->band_labels->len || t1_ns <= t0_ns)
    return;
  for (guint i = 0; i < self->spans->len; i++)
    {
      const QvizFlameSpan *s = &g_array_index (self->spans, QvizFlameSpan, i);
      gint64 overlap;

      if (s->band != band || !is_layer_span (self, s))
        continue;
      overlap = MIN (s->end_ns, t1_ns) - MAX (s->start_ns, t0_ns);
      if (overlap <= 0)
        continue;
      summary->n_layers++;
      summary->layers_ns += overlap;
      if ((guint) s->layer_class < QVIZ_N_LAYER_CLASSES)
        summary->class_ns[s->layer_class] += overlap;
    }
}

gint64
qviz_flame_data_get_duration (QvizFlameData *self)
{
  g_return_val_if_fail (self != NULL, 0);
  ensure_layout (self);
  return self->duration;
}

const guint *
qviz_flame_data_get_row (QvizFlameData *self,
                         guint          band,
                         guint          depth,
                         guint         *n_spans)
{
  GArray *row;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_spans != NULL, NULL);

  ensure_layout (self);
  *n_spans = 0;
  if (band >= self->band_labels->len || depth >= g_array_index (self->band_depth, guint, band))
    return NULL;
  row = g_ptr_array_index (self->rows, g_array_index (self->row_offset, guint, band) + depth);
  *n_spans = row->len;
  return (const guint *) row->data;
}

/* The span of row (band, depth) under time @t_ns: binary search for the last
 * span starting at or before @t_ns; if @t_ns falls in a gap, the nearest
 * neighbour within @tolerance_ns (spans narrower than a pixel). */
int
qviz_flame_data_find_span (QvizFlameData *self,
                           guint          band,
                           guint          depth,
                           gint64         t_ns,
                           gint64         tolerance_ns)
{
  const guint *row;
  guint n, lo = 0, hi;
  int best = -1;
  gint64 best_dist = G_MAXINT64;

  g_return_val_if_fail (self != NULL, -1);

  row = qviz_flame_data_get_row (self, band, depth, &n);
  if (n == 0)
    return -1;

  /* lo = number of spans with start <= t */
  hi = n;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (self->spans, QvizFlameSpan, row[mid]).start_ns <= t_ns)
        lo = mid + 1;
      else
        hi = mid;
    }

  if (lo > 0)
    {
      const QvizFlameSpan *s = &g_array_index (self->spans, QvizFlameSpan, row[lo - 1]);
      if (t_ns < s->end_ns || (t_ns == s->end_ns && s->end_ns == s->start_ns))
        return row[lo - 1];
      if (t_ns - s->end_ns <= tolerance_ns)
        {
          best = row[lo - 1];
          best_dist = t_ns - s->end_ns;
        }
    }
  if (lo < n)
    {
      const QvizFlameSpan *s = &g_array_index (self->spans, QvizFlameSpan, row[lo]);
      if (s->start_ns - t_ns <= tolerance_ns && s->start_ns - t_ns < best_dist)
        best = row[lo];
    }
  return best;
}

int
qviz_flame_data_lookup (QvizFlameData *self,
                        guint          band,
                        const char    *path)
{
  g_autofree char *norm = NULL;
  g_autofree char *key = NULL;
  gpointer found;

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (path != NULL, -1);

  ensure_layout (self);
  norm = normalize_path (path);
  key = path_key (band, norm);
  if (g_hash_table_lookup_extended (self->by_path, key, NULL, &found))
    return GPOINTER_TO_INT (found) - 1;
  return -1;
}

/* ---- Layer rows ----------------------------------------------------- */

QvizLayerRow *
qviz_layer_row_new (const char    *name,
                    const char    *op,
                    QvizSpanFlags  flags,
                    double         f32_ms,
                    double         int8_ms)
{
  QvizLayerRow *row;

  g_return_val_if_fail (name != NULL, NULL);

  row = g_new0 (QvizLayerRow, 1);
  row->name = g_strdup (name);
  row->op = g_strdup (op);
  row->flags = flags;
  row->layer_class = qviz_layer_class_classify (op, flags);
  row->f32_ms = f32_ms;
  row->int8_ms = int8_ms;
  row->sqnr = NAN;
  row->layer_index = -1;
  return row;
}

QvizLayerRow *
qviz_layer_row_copy (const QvizLayerRow *row)
{
  QvizLayerRow *copy;

  g_return_val_if_fail (row != NULL, NULL);

  copy = g_memdup2 (row, sizeof *row);
  copy->name = g_strdup (row->name);
  copy->op = g_strdup (row->op);
  copy->kernel_f32 = g_strdup (row->kernel_f32);
  copy->kernel_int8 = g_strdup (row->kernel_int8);
  return copy;
}

void
qviz_layer_row_free (QvizLayerRow *row)
{
  if (row == NULL)
    return;
  g_free (row->name);
  g_free (row->op);
  g_free (row->kernel_f32);
  g_free (row->kernel_int8);
  g_free (row);
}

double
qviz_layer_row_get_ratio (const QvizLayerRow *row)
{
  g_return_val_if_fail (row != NULL, NAN);
  if (!(row->f32_ms > 0) || isnan (row->int8_ms))
    return NAN;
  return row->int8_ms / row->f32_ms;
}

double
qviz_layer_row_get_max_ms (const QvizLayerRow *row)
{
  double m = 0;

  g_return_val_if_fail (row != NULL, 0);
  if (!isnan (row->f32_ms))
    m = MAX (m, row->f32_ms);
  if (!isnan (row->int8_ms))
    m = MAX (m, row->int8_ms);
  return m;
}

static int
compare_rows_slowest_first (gconstpointer a,
                            gconstpointer b)
{
  double ma = qviz_layer_row_get_max_ms (*(QvizLayerRow * const *) a);
  double mb = qviz_layer_row_get_max_ms (*(QvizLayerRow * const *) b);
  return (ma < mb) - (ma > mb);
}

/* The @n slowest rows (by the slower precision), borrowed from @rows. */
GPtrArray *
qviz_layer_rows_top (GPtrArray *rows,
                     guint      n)
{
  GPtrArray *top;

  g_return_val_if_fail (rows != NULL, NULL);

  top = g_ptr_array_new ();
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (top, g_ptr_array_index (rows, i));
  g_ptr_array_sort (top, compare_rows_slowest_first);
  if (top->len > n)
    g_ptr_array_set_size (top, n);
  return top;
}

/* ---- Compared layers ------------------------------------------------ */

QvizCompareRow *
qviz_compare_row_new (const char    *name,
                      const char    *op,
                      QvizSpanFlags  flags,
                      double         a_ms,
                      double         b_ms)
{
  QvizCompareRow *row;

  g_return_val_if_fail (name != NULL, NULL);

  row = g_new0 (QvizCompareRow, 1);
  row->name = g_strdup (name);
  row->op = g_strdup (op);
  row->flags = flags & ~(QVIZ_SPAN_MODULE | QVIZ_SPAN_PASS);
  row->layer_class = qviz_layer_class_classify (op, flags);
  row->a_ms = a_ms;
  row->b_ms = b_ms;
  row->diff_lo = NAN;
  row->diff_hi = NAN;
  row->p_value = NAN;
  return row;
}

QvizCompareRow *
qviz_compare_row_copy (const QvizCompareRow *row)
{
  QvizCompareRow *copy;

  g_return_val_if_fail (row != NULL, NULL);

  copy = g_new (QvizCompareRow, 1);
  *copy = *row;
  copy->name = g_strdup (row->name);
  copy->op = g_strdup (row->op);
  copy->kernel_a = g_strdup (row->kernel_a);
  copy->kernel_b = g_strdup (row->kernel_b);
  return copy;
}

void
qviz_compare_row_free (QvizCompareRow *row)
{
  if (row == NULL)
    return;
  g_free (row->name);
  g_free (row->op);
  g_free (row->kernel_a);
  g_free (row->kernel_b);
  g_free (row);
}

double
qviz_compare_row_get_ratio (const QvizCompareRow *row)
{
  g_return_val_if_fail (row != NULL, NAN);
  if (isnan (row->a_ms) || isnan (row->b_ms) || row->a_ms <= 0)
    return NAN;
  return row->b_ms / row->a_ms;
}

/* Both kernels known and different: a missing side is not a change. */
gboolean
qviz_compare_row_kernel_changed (const QvizCompareRow *row)
{
  g_return_val_if_fail (row != NULL, FALSE);
  return row->kernel_a != NULL && row->kernel_a[0] != '\0' &&
         row->kernel_b != NULL && row->kernel_b[0] != '\0' &&
         strcmp (row->kernel_a, row->kernel_b) != 0;
}

static double
abs_change (const QvizCompareRow *row)
{
  if (isnan (row->a_ms) || isnan (row->b_ms))
    return -1;
  return fabs (row->b_ms - row->a_ms);
}

static int
compare_rows_by_change (gconstpointer a,
                        gconstpointer b)
{
  const QvizCompareRow *ra = *(const QvizCompareRow * const *) a;
  const QvizCompareRow *rb = *(const QvizCompareRow * const *) b;
  double ca = abs_change (ra), cb = abs_change (rb);

  if (ca != cb)
    return (ca < cb) - (ca > cb);
  /* Rows on one side only: the slower first. */
  {
    double ma = MAX (isnan (ra->a_ms) ? 0 : ra->a_ms, isnan (ra->b_ms) ? 0 : ra->b_ms);
    double mb = MAX (isnan (rb->a_ms) ? 0 : rb->a_ms, isnan (rb->b_ms) ? 0 : rb->b_ms);
    return (ma < mb) - (ma > mb);
  }
}

GPtrArray *
qviz_compare_rows_by_change (GPtrArray *rows,
                             guint      n)
{
  GPtrArray *sorted;

  g_return_val_if_fail (rows != NULL, NULL);

  sorted = g_ptr_array_new ();
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (rows, i));
  /* g_ptr_array_sort is not stable; ties keep no particular order, which
   * is fine for rows of equal change. */
  g_ptr_array_sort (sorted, compare_rows_by_change);
  if (sorted->len > n)
    g_ptr_array_set_size (sorted, n);
  return sorted;
}

/* ---- Report info ---------------------------------------------------- */

QvizReportInfo *
qviz_report_info_new (const char *title)
{
  QvizReportInfo *info = g_new0 (QvizReportInfo, 1);

  info->title = g_strdup (title != NULL ? title : "");
  info->model_lines = g_ptr_array_new_with_free_func (g_free);
  info->machine_lines = g_ptr_array_new_with_free_func (g_free);
  return info;
}

QvizReportInfo *
qviz_report_info_copy (const QvizReportInfo *info)
{
  QvizReportInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = qviz_report_info_new (info->title);
  copy->subtitle = g_strdup (info->subtitle);
  for (guint i = 0; i < info->model_lines->len; i++)
    qviz_report_info_add_model_line (copy, g_ptr_array_index (info->model_lines, i));
  for (guint i = 0; i < info->machine_lines->len; i++)
    qviz_report_info_add_machine_line (copy, g_ptr_array_index (info->machine_lines, i));
  return copy;
}

void
qviz_report_info_free (QvizReportInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->title);
  g_free (info->subtitle);
  g_ptr_array_unref (info->model_lines);
  g_ptr_array_unref (info->machine_lines);
  g_free (info);
}

void
qviz_report_info_set_subtitle (QvizReportInfo *info,
                               const char     *subtitle)
{
  g_return_if_fail (info != NULL);
  g_free (info->subtitle);
  info->subtitle = g_strdup (subtitle);
}

void
qviz_report_info_add_model_line (QvizReportInfo *info,
                                 const char     *line)
{
  g_return_if_fail (info != NULL);
  g_return_if_fail (line != NULL);
  g_ptr_array_add (info->model_lines, g_strdup (line));
}

void
qviz_report_info_add_machine_line (QvizReportInfo *info,
                                   const char     *line)
{
  g_return_if_fail (info != NULL);
  g_return_if_fail (line != NULL);
  g_ptr_array_add (info->machine_lines, g_strdup (line));
}
