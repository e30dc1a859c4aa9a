/* qviz-csv.c: RFC 4180 CSV writer and run export. */
#include "qviz-csv.h"
#include "qviz-graph.h" /* QVIZ_ERROR */

#include <math.h>
#include <string.h>

struct _QvizCsv {
  GString *text;
  guint    n_fields;  /* in the current row */
  guint    n_rows;
};

QvizCsv *
qviz_csv_new (void)
{
  QvizCsv *csv = g_new0 (QvizCsv, 1);

  csv->text = g_string_new (NULL);
  return csv;
}

void
qviz_csv_free (QvizCsv *csv)
{
  if (csv == NULL)
    return;
  g_string_free (csv->text, TRUE);
  g_free (csv);
}

void
qviz_csv_append_field (GString *out, const char *field)
{
  g_return_if_fail (out != NULL);

  if (field == NULL)
    return;
  if (strpbrk (field, ",\"\r\n") == NULL)
    {
      g_string_append (out, field);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
add_field (QvizCsv *csv, const char *value)
{
  if (csv->n_fields > 0)
    g_string_append_c (csv->text, ',');
  qviz_csv_append_field (csv->text, value);
  csv->n_fields++;
}

/* Text from a model file or another machine's database may start like a
 * formula ("=HYPERLINK(...)"); a spreadsheet opening the CSV would run it.
 * Such a cell gets a leading apostrophe, which spreadsheets read as "this
 * is text" (numbers are written by the typed adders, never through here). */
static gboolean
starts_like_formula (const char *value)
{
  return value != NULL && value[0] != '\0' && strchr ("=+-@\t\r", value[0]) != NULL;
}

void
qviz_csv_add_string (QvizCsv *csv, const char *value)
{
  g_return_if_fail (csv != NULL);

  if (starts_like_formula (value))
    {
      g_autofree char *quoted = g_strconcat ("'", value, NULL);

      add_field (csv, quoted);
      return;
    }
  add_field (csv, value);
}

void
qviz_csv_add_int (QvizCsv *csv, gint64 value)
{
  char buf[32];

  g_return_if_fail (csv != NULL);
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  add_field (csv, buf);
}

void
qviz_csv_add_uint (QvizCsv *csv, guint64 value)
{
  char buf[32];

  g_return_if_fail (csv != NULL);
  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, value);
  add_field (csv, buf);
}

void
qviz_csv_add_double (QvizCsv *csv, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_if_fail (csv != NULL);
  if (!isfinite (value))
    {
      add_field (csv, NULL);
      return;
    }
  /* The C locale whatever the user's (a decimal comma would split fields),
   * and the fewest digits that read back to the same double: 0.1, not
   * 0.10000000000000001. */
  for (int digits = 15; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  add_field (csv, buf);
}

void
qviz_csv_add_bool (QvizCsv *csv, gboolean value)
{
  qviz_csv_add_string (csv, value ? "true" : "false");
}

void
qviz_csv_end_row (QvizCsv *csv)
{
  g_return_if_fail (csv != NULL);

  g_string_append_c (csv->text, '\n');
  csv->n_fields = 0;
  csv->n_rows++;
}

void
qviz_csv_add_row (QvizCsv *csv, const char *const *fields, int n)
{
  g_return_if_fail (csv != NULL && fields != NULL);

  for (int i = 0; n < 0 ? fields[i] != NULL : i < n; i++)
    qviz_csv_add_string (csv, fields[i]);
  qviz_csv_end_row (csv);
}

const char *
qviz_csv_get_text (QvizCsv *csv, gsize *length)
{
  g_return_val_if_fail (csv != NULL, NULL);

  if (length != NULL)
    *length = csv->text->len;
  return csv->text->str;
}

guint
qviz_csv_get_n_rows (QvizCsv *csv)
{
  g_return_val_if_fail (csv != NULL, 0);
  return csv->n_rows;
}

gboolean
qviz_csv_write_file (QvizCsv *csv, const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (csv != NULL && path != NULL, FALSE);

  if (!g_file_set_contents (path, csv->text->str, (gssize) csv->text->len, &local))
    {
      g_autofree char *dir = g_path_get_dirname (path);

      if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
        g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_IO,
                     "Cannot write “%s”: its folder does not exist.", path);
      else
        g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_IO,
                     "Cannot write “%s” (%s).", path, local->message);
      return FALSE;
    }
  return TRUE;
}

char *
qviz_csv_companion_path (const char *path, const char *kind)
{
  g_autofree char *stem = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (kind == NULL)
    return g_strdup (path);
  stem = g_str_has_suffix (path, ".csv") ? g_strndup (path, strlen (path) - 4)
                                         : g_strdup (path);
  return g_strdup_printf ("%s-%s.csv", stem, kind);
}

static void
add_iso_time (QvizCsv *csv, gint64 unix_us)
{
  g_autofree char *iso = unix_us > 0 ? qviz_time_to_iso8601 (unix_us) : NULL;

  qviz_csv_add_string (csv, iso);
}

static void
add_stats (QvizCsv *csv, const QvizStats *st)
{
  qviz_csv_add_uint (csv, st->n);
  qviz_csv_add_double (csv, st->median);
  qviz_csv_add_double (csv, st->p10);
  qviz_csv_add_double (csv, st->p90);
  qviz_csv_add_double (csv, st->min);
  qviz_csv_add_double (csv, st->max);
  qviz_csv_add_double (csv, st->mean);
  qviz_csv_add_double (csv, st->stddev);
  qviz_csv_add_double (csv, st->mad);
}

#define STATS_HEADER \
  "n_samples", "median_ms", "p10_ms", "p90_ms", "min_ms", "max_ms", "mean_ms", \
  "stddev_ms", "mad_ms"

static const char *const run_header[] = {
  "run_uuid", "sweep_uuid", "machine_id", "hostname", "cpu_model", "model_sha256",
  "model_name", "precision", "height", "width", "threads", "conv_algo", "isa",
  "iterations", "warmup", "status", "message", "started", "finished", "plan_ms",
  "first_pass_ms", "n_cold", STATS_HEADER, "sqnr_db", "arena_bytes", "weight_bytes",
  "engine", NULL
};

static const char *const layer_header[] = {
  "run_uuid", "precision", "height", "width", "threads", "index", "name", "op",
  "kernel", "reason", "fused", "in_shape", "out_shape", "kernel_h", "kernel_w",
  "stride_h", "stride_w", "dilation_h", "dilation_w", "groups", "depthwise", "dilated",
  "layer_class", "macs", "params", "bytes", STATS_HEADER, "gops", "sqnr_db",
  "accum_sqnr_db", "plan_ms", NULL
};

static const char *const sample_header[] = {
  "run_uuid", "precision", "height", "width", "threads", "pass", "cold", "layer",
  "layer_name", "ms", NULL
};

static const char *const span_header[] = {
  "run_uuid", "pass", "cold", "layer", "layer_name", "phase", "start_ns", "end_ns", NULL
};

static void
add_run_key (QvizCsv *csv, const QvizRun *run)
{
  qviz_csv_add_string (csv, run->uuid);
  qviz_csv_add_string (csv, run->precision);
  qviz_csv_add_int (csv, run->height);
  qviz_csv_add_int (csv, run->width);
  qviz_csv_add_int (csv, run->threads);
}

static void
add_run_row (QvizCsv *csv, const QvizRun *run)
{
  qviz_csv_add_string (csv, run->uuid);
  qviz_csv_add_string (csv, run->sweep_uuid);
  qviz_csv_add_string (csv, run->machine_id);
  qviz_csv_add_string (csv, run->hostname);
  qviz_csv_add_string (csv, run->cpu_model);
  qviz_csv_add_string (csv, run->model_sha256);
  qviz_csv_add_string (csv, run->model_name);
  qviz_csv_add_string (csv, run->precision);
  qviz_csv_add_int (csv, run->height);
  qviz_csv_add_int (csv, run->width);
  qviz_csv_add_int (csv, run->threads);
  qviz_csv_add_string (csv, run->conv_algo);
  qviz_csv_add_string (csv, run->isa);
  qviz_csv_add_int (csv, run->iterations);
  qviz_csv_add_int (csv, run->warmup);
  qviz_csv_add_string (csv, qviz_run_status_name (run->status));
  qviz_csv_add_string (csv, run->message);
  add_iso_time (csv, run->started);
  add_iso_time (csv, run->finished);
  qviz_csv_add_double (csv, run->plan_ms);
  qviz_csv_add_double (csv, run->cold_ms->len > 0 ? g_array_index (run->cold_ms, double, 0)
                                                  : NAN);
  qviz_csv_add_uint (csv, run->cold_ms->len);
  add_stats (csv, &run->stats);
  qviz_csv_add_double (csv, run->sqnr_db);
  qviz_csv_add_uint (csv, run->arena_bytes);
  qviz_csv_add_uint (csv, run->weight_bytes);
  qviz_csv_add_string (csv, run->engine != NULL ? run->engine : QVIZ_ENGINE_QVIZ);
  qviz_csv_end_row (csv);
}

static void
add_layer_row (QvizCsv *csv, const QvizRun *run, const QvizRunLayer *l)
{
  add_run_key (csv, run);
  qviz_csv_add_int (csv, l->index);
  qviz_csv_add_string (csv, l->name);
  qviz_csv_add_string (csv, l->op);
  qviz_csv_add_string (csv, l->kernel);
  qviz_csv_add_string (csv, l->reason);
  qviz_csv_add_string (csv, l->fused);
  qviz_csv_add_string (csv, l->in_shape);
  qviz_csv_add_string (csv, l->out_shape);
  qviz_csv_add_int (csv, l->kernel_h);
  qviz_csv_add_int (csv, l->kernel_w);
  qviz_csv_add_int (csv, l->stride_h);
  qviz_csv_add_int (csv, l->stride_w);
  qviz_csv_add_int (csv, l->dilation_h);
  qviz_csv_add_int (csv, l->dilation_w);
  qviz_csv_add_int (csv, l->groups);
  qviz_csv_add_bool (csv, l->depthwise);
  qviz_csv_add_bool (csv, l->dilated);
  qviz_csv_add_string (csv, l->layer_class);
  qviz_csv_add_uint (csv, l->macs);
  qviz_csv_add_uint (csv, l->params);
  qviz_csv_add_uint (csv, l->bytes);
  add_stats (csv, &l->stats);
  qviz_csv_add_double (csv, l->gops);
  qviz_csv_add_double (csv, l->sqnr_db);
  qviz_csv_add_double (csv, l->accum_sqnr_db);
  qviz_csv_add_double (csv, l->plan_ms);
  qviz_csv_end_row (csv);
}

static void
add_sample_rows (QvizCsv *csv, const QvizRun *run)
{
  guint n_cold = run->cold_ms->len;

  for (guint p = 0; p < qviz_run_n_passes (run); p++)
    {
      double ms = p < n_cold ? g_array_index (run->cold_ms, double, p)
                             : g_array_index (run->warm_ms, double, p - n_cold);

      add_run_key (csv, run);
      qviz_csv_add_uint (csv, p);
      qviz_csv_add_bool (csv, p < n_cold);
      qviz_csv_add_int (csv, -1);
      qviz_csv_add_string (csv, NULL);
      qviz_csv_add_double (csv, ms);
      qviz_csv_end_row (csv);
    }
  for (guint i = 0; i < run->layers->len; i++)
    {
      const QvizRunLayer *l = qviz_run_get_layer (run, i);

      for (guint p = 0; l->pass_ms != NULL && p < l->pass_ms->len; p++)
        {
          add_run_key (csv, run);
          qviz_csv_add_uint (csv, p);
          qviz_csv_add_bool (csv, p < n_cold);
          qviz_csv_add_int (csv, l->index);
          qviz_csv_add_string (csv, l->name);
          qviz_csv_add_double (csv, g_array_index (l->pass_ms, float, p));
          qviz_csv_end_row (csv);
        }
    }
}

static void
add_span_rows (QvizCsv *csv, const QvizRun *run)
{
  for (guint i = 0; i < run->spans->len; i++)
    {
      const QvizRunSpan *s = qviz_run_get_span (run, i);
      const char *layer_name = NULL;

      if (s->layer >= 0 && (guint) s->layer < run->layers->len)
        layer_name = qviz_run_get_layer (run, s->layer)->name;
      qviz_csv_add_string (csv, run->uuid);
      qviz_csv_add_int (csv, s->pass);
      qviz_csv_add_bool (csv, s->cold);
      qviz_csv_add_int (csv, s->layer);
      qviz_csv_add_string (csv, layer_name);
      qviz_csv_add_string (csv, s->phase);
      qviz_csv_add_int (csv, s->start_ns);
      qviz_csv_add_int (csv, s->end_ns);
      qviz_csv_end_row (csv);
    }
}

gboolean
qviz_csv_export_runs (GPtrArray *runs, const char *path, GError **error)
{
  g_autoptr(QvizCsv) run_csv = qviz_csv_new ();
  g_autoptr(QvizCsv) layer_csv = qviz_csv_new ();
  g_autoptr(QvizCsv) sample_csv = qviz_csv_new ();
  g_autoptr(QvizCsv) span_csv = qviz_csv_new ();
  g_autofree char *layer_path = NULL;
  g_autofree char *sample_path = NULL;
  g_autofree char *span_path = NULL;

  g_return_val_if_fail (runs != NULL && path != NULL, FALSE);

  qviz_csv_add_row (run_csv, run_header, -1);
  qviz_csv_add_row (layer_csv, layer_header, -1);
  qviz_csv_add_row (sample_csv, sample_header, -1);
  qviz_csv_add_row (span_csv, span_header, -1);
  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *run = g_ptr_array_index (runs, i);

      add_run_row (run_csv, run);
      for (guint k = 0; k < run->layers->len; k++)
        add_layer_row (layer_csv, run, qviz_run_get_layer (run, k));
      add_sample_rows (sample_csv, run);
      add_span_rows (span_csv, run);
    }

  layer_path = qviz_csv_companion_path (path, "layers");
  sample_path = qviz_csv_companion_path (path, "samples");
  span_path = qviz_csv_companion_path (path, "spans");
  return qviz_csv_write_file (run_csv, path, error)
         && qviz_csv_write_file (layer_csv, layer_path, error)
         && qviz_csv_write_file (sample_csv, sample_path, error)
         && qviz_csv_write_file (span_csv, span_path, error);
}

gboolean
qviz_csv_export_sweep (QvizStore *store, const char *sweep_id, const char *path,
                       GError **error)
{
  g_autoptr(GPtrArray) runs = NULL;

  g_return_val_if_fail (store != NULL && sweep_id != NULL && path != NULL, FALSE);

  runs = qviz_store_list_runs (store, sweep_id, TRUE, error);
  if (runs == NULL)
    return FALSE;
  return qviz_csv_export_runs (runs, path, error);
}

gboolean
qviz_csv_export_run (QvizStore *store, const char *run_id, const char *path,
                     GError **error)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_free);
  QvizRun *run;

  g_return_val_if_fail (store != NULL && run_id != NULL && path != NULL, FALSE);

  run = qviz_store_get_run (store, run_id, error);
  if (run == NULL)
    return FALSE;
  g_ptr_array_add (runs, run);
  return qviz_csv_export_runs (runs, path, error);
}
