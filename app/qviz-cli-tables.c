/* qviz-cli-tables.c: the tables and JSON documents the commands print. */

#include "qviz-cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- JSON ------------------------------------------------------------------ */

static void
add_double (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  if (isnan (v) || isinf (v))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, v);
}

static void
add_string (JsonBuilder *b, const char *name, const char *v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, v ? v : "");
}

static void
add_int (JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

static void
build_stats (JsonBuilder *b, const QvizStats *s)
{
  json_builder_begin_object (b);
  add_int (b, "n", s->n);
  add_double (b, "median", s->median);
  add_double (b, "p10", s->p10);
  add_double (b, "p90", s->p90);
  add_double (b, "min", s->min);
  add_double (b, "max", s->max);
  add_double (b, "mean", s->mean);
  add_double (b, "stddev", s->stddev);
  add_double (b, "mad", s->mad);
  json_builder_end_object (b);
}

JsonNode *
qviz_cli_json_stats (const QvizStats *stats)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  build_stats (b, stats);
  return json_builder_get_root (b);
}

JsonNode *
qviz_cli_json_sweep (const QvizSweep *s)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *created = qviz_time_to_iso8601 (s->created);

  json_builder_begin_object (b);
  add_string (b, "uuid", s->uuid);
  add_string (b, "name", s->name);
  add_string (b, "note", s->note);
  add_string (b, "model", s->model_name);
  add_string (b, "model_sha256", s->model_sha256);
  add_string (b, "machine_id", s->machine_id);
  add_string (b, "hostname", s->hostname);
  add_string (b, "cpu_model", s->cpu_model);
  add_string (b, "created", created);
  add_string (b, "resolutions", s->resolutions);
  add_string (b, "threads", s->threads);
  add_string (b, "precisions", s->precisions);
  add_string (b, "options", s->options);
  add_string (b, "status", qviz_sweep_status_name (s->status));
  add_string (b, "message", s->message);
  add_int (b, "n_runs", s->n_runs);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
qviz_cli_json_run (const QvizRun *r, gboolean with_layers)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "uuid", r->uuid);
  add_string (b, "sweep", r->sweep_uuid);
  add_string (b, "precision", r->precision);
  add_int (b, "height", r->height);
  add_int (b, "width", r->width);
  add_int (b, "threads", r->threads);
  add_string (b, "conv_algo", r->conv_algo);
  add_string (b, "isa", r->isa);
  add_string (b, "engine", r->engine ? r->engine : QVIZ_ENGINE_QVIZ);
  add_string (b, "status", qviz_run_status_name (r->status));
  add_double (b, "plan_ms", r->plan_ms);
  add_int (b, "arena_bytes", (gint64) r->arena_bytes);
  add_int (b, "weight_bytes", (gint64) r->weight_bytes);
  json_builder_set_member_name (b, "cold_ms");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->cold_ms->len; i++)
    json_builder_add_double_value (b, g_array_index (r->cold_ms, double, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "warm_ms");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->warm_ms->len; i++)
    json_builder_add_double_value (b, g_array_index (r->warm_ms, double, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "stats");
  build_stats (b, &r->stats);
  add_double (b, "sqnr_db", r->sqnr_db);
  if (g_strcmp0 (r->precision, "int8") == 0)
    {
      g_autoptr (GArray) low = qviz_run_low_sqnr_layers (r, QVIZ_SQNR_WARNING_DB);
      json_builder_set_member_name (b, "low_sqnr_layers");
      json_builder_begin_array (b);
      for (guint i = 0; i < low->len; i++)
        json_builder_add_string_value (b, qviz_run_get_layer (r, g_array_index (low, guint, i))->name);
      json_builder_end_array (b);
    }
  if (with_layers && r->layers)
    {
      json_builder_set_member_name (b, "layers");
      json_builder_begin_array (b);
      for (guint i = 0; i < r->layers->len; i++)
        {
          const QvizRunLayer *l = qviz_run_get_layer (r, i);
          json_builder_begin_object (b);
          add_int (b, "index", l->index);
          add_string (b, "name", l->name);
          add_string (b, "op", l->op);
          add_string (b, "kernel", l->kernel);
          add_string (b, "reason", l->reason);
          add_string (b, "fused", l->fused);
          add_string (b, "in_shape", l->in_shape);
          add_string (b, "out_shape", l->out_shape);
          add_int (b, "kernel_size", l->kernel_h);
          add_int (b, "stride", l->stride_h);
          add_int (b, "dilation", l->dilation_h);
          add_int (b, "groups", l->groups);
          json_builder_set_member_name (b, "depthwise");
          json_builder_add_boolean_value (b, l->depthwise);
          json_builder_set_member_name (b, "dilated");
          json_builder_add_boolean_value (b, l->dilated);
          add_string (b, "layer_class", l->layer_class);
          add_int (b, "macs", (gint64) l->macs);
          add_int (b, "bytes", (gint64) l->bytes);
          add_double (b, "gops", l->gops);
          add_double (b, "sqnr_db", l->sqnr_db);
          add_double (b, "accum_sqnr_db", l->accum_sqnr_db);
          add_double (b, "plan_ms", l->plan_ms);
          json_builder_set_member_name (b, "stats");
          build_stats (b, &l->stats);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- tables ---------------------------------------------------------------- */

static const char *
mark (const QvizRunLayer *l)
{
  if (l->depthwise && l->dilated)
    return "DD";
  if (l->depthwise)
    return "D";
  if (l->dilated)
    return "d";
  return "";
}

/* Which layers made each cold pass of an imported trace slow: the runtime
 * prepacks or allocates lazily, per layer, on its first passes. */
static void
print_cold_layers (const QvizRun *r)
{
  for (guint p = 0; p < r->cold_ms->len; p++)
    {
      g_autoptr (GArray) slow = qviz_run_cold_layers (r, p);
      char a[32], b[32];

      if (slow->len == 0)
        continue;
      printf ("  cold pass %u, slower than warm by layer:", p + 1);
      for (guint k = 0; k < slow->len && k < 3; k++)
        {
          const QvizRunLayer *l = qviz_run_get_layer (r, g_array_index (slow, guint, k));
          double cold = g_array_index (l->pass_ms, float, p);

          if (l->stats.median > 0)
            printf ("%s %s %s ms (%.1fx its warm %s)", k ? "," : "", l->name, qviz_cli_ms (cold, a),
                    cold / l->stats.median, qviz_cli_ms (l->stats.median, b));
          else
            printf ("%s %s %s ms", k ? "," : "", l->name, qviz_cli_ms (cold, a));
        }
      printf ("\n");
    }
}

void
qviz_cli_print_run_summary (const QvizRun *r)
{
  char a[32], b[32], c[32], d[32], e[32];

  if (r->engine == NULL || g_str_equal (r->engine, QVIZ_ENGINE_QVIZ))
    {
      printf ("run %s: %s %dx%d, %d thread%s, %s kernels (%s), %s\n", r->uuid, r->precision,
              r->height, r->width, r->threads, r->threads > 1 ? "s" : "", r->isa ? r->isa : "?",
              r->conv_algo ? r->conv_algo : "auto", qviz_run_status_name (r->status));
      printf ("  plan (shapes, folding, prepacking): %s ms\n", qviz_cli_ms (r->plan_ms, a));
    }
  else
    {
      /* an imported trace: another runtime ran the passes */
      printf ("run %s: %s %dx%d, %d thread%s, engine %s (imported trace), %s\n", r->uuid,
              r->precision, r->height, r->width, r->threads, r->threads > 1 ? "s" : "",
              r->engine, qviz_run_status_name (r->status));
      if (!isnan (r->plan_ms))
        printf ("  session initialization: %s ms\n", qviz_cli_ms (r->plan_ms, a));
    }
  for (guint i = 0; i < r->cold_ms->len; i++)
    printf ("  cold pass %u: %s ms\n", i + 1, qviz_cli_ms (g_array_index (r->cold_ms, double, i), a));
  printf ("  steady state over %u passes: median %s ms, p10 %s, p90 %s, min %s, MAD %s\n",
          r->stats.n, qviz_cli_ms (r->stats.median, a), qviz_cli_ms (r->stats.p10, b),
          qviz_cli_ms (r->stats.p90, c), qviz_cli_ms (r->stats.min, d),
          qviz_cli_ms (r->stats.mad, e));
  if (r->cold_ms->len > 0 && r->stats.median > 0)
    printf ("  first pass / steady median: %.2fx\n",
            g_array_index (r->cold_ms, double, 0) / r->stats.median);
  if (!isnan (r->sqnr_db))
    printf ("  output SQNR against float: %.1f dB\n", r->sqnr_db);
  if (r->engine != NULL && !g_str_equal (r->engine, QVIZ_ENGINE_QVIZ))
    print_cold_layers (r);
}

static int
compare_layer_time (gconstpointer a, gconstpointer b)
{
  const QvizRunLayer *x = *(const QvizRunLayer *const *) a;
  const QvizRunLayer *y = *(const QvizRunLayer *const *) b;
  double tx = isnan (x->stats.median) ? -1 : x->stats.median;
  double ty = isnan (y->stats.median) ? -1 : y->stats.median;
  return tx < ty ? 1 : tx > ty ? -1 : 0;
}

/* "own/accumulated" SQNR in dB: the layer's own error, then that of the
 * whole int8 pass at its output. */
static void
format_sqnr (const QvizRunLayer *l, char *buf, gsize size)
{
  if (isnan (l->sqnr_db) && isnan (l->accum_sqnr_db))
    g_snprintf (buf, size, "-");
  else if (isnan (l->accum_sqnr_db))
    g_snprintf (buf, size, "%.1f/-", l->sqnr_db);
  else if (isnan (l->sqnr_db))
    g_snprintf (buf, size, "-/%.1f", l->accum_sqnr_db);
  else
    g_snprintf (buf, size, "%.1f/%.1f", l->sqnr_db, l->accum_sqnr_db);
}

void
qviz_cli_print_layer_table (const QvizRun *r, int limit)
{
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  double total = 0;
  char a[32];
  int op_width = qviz_op_name_width ();

  for (guint i = 0; i < r->layers->len; i++)
    {
      QvizRunLayer *l = qviz_run_get_layer (r, i);
      g_ptr_array_add (order, l);
      if (!isnan (l->stats.median))
        total += l->stats.median;
    }
  g_ptr_array_sort (order, compare_layer_time);
  printf ("  %-50s %-3s %-*s %-14s %9s %6s %8s %11s  %s\n", "layer", "", op_width, "op",
          "out shape",
          "ms", "share", "GMAC/s", "SQNR own/acc", "kernel");
  for (guint i = 0; i < order->len && (limit <= 0 || (int) i < limit); i++)
    {
      const QvizRunLayer *l = g_ptr_array_index (order, i);
      char sq[32];
      format_sqnr (l, sq, sizeof sq);
      printf ("  %-50s %-3s %-*s %-14s %9s %5.1f%% %8.1f %11s  %s\n", l->name, mark (l),
              op_width, l->op, l->out_shape, qviz_cli_ms (l->stats.median, a),
              total > 0 ? 100 * l->stats.median / total : 0.0,
              isnan (l->gops) ? 0.0 : l->gops / 2, sq, l->kernel);
    }
  if (limit > 0 && (int) order->len > limit)
    printf ("  ... %u more layers (--layers 0 lists all)\n", order->len - (guint) limit);
  printf ("  marks: D depthwise, DD dilated depthwise, d dilated\n");
}

void
qviz_cli_print_precision_table (const QvizRun *f32, const QvizRun *int8, int limit)
{
  g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  int slower = 0;
  char a[32], b[32];
  int op_width = qviz_op_name_width ();

  for (guint i = 0; i < int8->layers->len; i++)
    {
      QvizRunLayer *l = qviz_run_get_layer (int8, i);
      g_hash_table_insert (by_name, l->name, l);
    }
  for (guint i = 0; i < f32->layers->len; i++)
    g_ptr_array_add (order, qviz_run_get_layer (f32, i));
  g_ptr_array_sort (order, compare_layer_time);

  printf ("  %-50s %-3s %-*s %9s %9s %7s %11s  %s\n", "layer", "", op_width, "op",
          "f32 ms", "int8 ms",
          "int8/f32", "SQNR own/acc", "int8 kernel");
  for (guint i = 0; i < order->len; i++)
    {
      const QvizRunLayer *f = g_ptr_array_index (order, i);
      const QvizRunLayer *q = g_hash_table_lookup (by_name, f->name);
      double ratio = q && f->stats.median > 0 ? q->stats.median / f->stats.median : NAN;
      char sq[32], rs[16];

      if (!isnan (ratio) && ratio > 1.0)
        slower++;
      if (limit > 0 && (int) i >= limit)
        continue;
      if (q != NULL)
        format_sqnr (q, sq, sizeof sq);
      else
        g_snprintf (sq, sizeof sq, "-");
      if (isnan (ratio))
        g_snprintf (rs, sizeof rs, "-");
      else
        g_snprintf (rs, sizeof rs, "%.2f%s", ratio, ratio > 1.0 ? " !" : "");
      printf ("  %-50s %-3s %-*s %9s %9s %7s %11s  %s\n", f->name, mark (f), op_width, f->op,
              qviz_cli_ms (f->stats.median, a), qviz_cli_ms (q ? q->stats.median : NAN, b), rs,
              sq, q ? q->kernel : "-");
    }
  if (limit > 0 && (int) order->len > limit)
    printf ("  ... %u more layers (--layers 0 lists all)\n", order->len - (guint) limit);
  printf ("  %d layer%s where int8 is slower than f32 (marked !). Whole model: f32 %s ms, "
          "int8 %s ms (%.2fx), output SQNR %.1f dB\n",
          slower, slower == 1 ? "" : "s", qviz_cli_ms (f32->stats.median, a),
          qviz_cli_ms (int8->stats.median, b),
          f32->stats.median > 0 ? int8->stats.median / f32->stats.median : NAN, int8->sqnr_db);
  printf ("  marks: D depthwise, DD dilated depthwise, d dilated\n");
}

static const QvizRun *
lookup (GPtrArray *runs, const char *precision, int h, int w, int t)
{
  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (runs, i);
      if (g_str_equal (r->precision, precision) && r->height == h && r->width == w &&
          r->threads == t)
        return r;
    }
  return NULL;
}

static int
compare_ints (gconstpointer a, gconstpointer b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return x < y ? -1 : x > y;
}

void
qviz_cli_print_sweep_table (GPtrArray *runs)
{
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (int) * 2);
  g_autoptr (GArray) threads = g_array_new (FALSE, FALSE, sizeof (int));
  char a[32], b[32], c[32], d[32];

  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (runs, i);
      gboolean seen = FALSE;
      for (guint k = 0; k < sizes->len; k++)
        if (((int *) sizes->data)[2 * k] == r->height && ((int *) sizes->data)[2 * k + 1] == r->width)
          seen = TRUE;
      if (!seen)
        {
          int hw[2] = { r->height, r->width };
          g_array_append_vals (sizes, hw, 1);
        }
      seen = FALSE;
      for (guint k = 0; k < threads->len; k++)
        if (g_array_index (threads, int, k) == r->threads)
          seen = TRUE;
      if (!seen)
        g_array_append_val (threads, r->threads);
    }
  g_array_sort (threads, compare_ints);

  printf ("%-11s %7s %10s %10s %9s %10s %10s %10s\n", "resolution", "threads", "f32 ms",
          "int8 ms", "int8/f32", "f32 first", "int8 first", "int8 SQNR");
  for (guint s = 0; s < sizes->len; s++)
    for (guint t = 0; t < threads->len; t++)
      {
        int h = ((int *) sizes->data)[2 * s], w = ((int *) sizes->data)[2 * s + 1];
        int th = g_array_index (threads, int, t);
        const QvizRun *f = lookup (runs, "f32", h, w, th);
        const QvizRun *q = lookup (runs, "int8", h, w, th);
        g_autofree char *res = g_strdup_printf ("%dx%d", h, w);
        char ratio[16] = "-", sq[16] = "-";

        if (f == NULL && q == NULL)
          continue;
        if (f && q && f->stats.median > 0)
          g_snprintf (ratio, sizeof ratio, "%.2f%s", q->stats.median / f->stats.median,
                      q->stats.median > f->stats.median ? " !" : "");
        if (q && !isnan (q->sqnr_db))
          g_snprintf (sq, sizeof sq, "%.1f dB", q->sqnr_db);
        printf ("%-11s %7d %10s %10s %9s %10s %10s %10s\n", res, th,
                qviz_cli_ms (f ? f->stats.median : NAN, a), qviz_cli_ms (q ? q->stats.median : NAN, b),
                ratio,
                qviz_cli_ms (f && f->cold_ms->len ? g_array_index (f->cold_ms, double, 0) : NAN, c),
                qviz_cli_ms (q && q->cold_ms->len ? g_array_index (q->cold_ms, double, 0) : NAN, d),
                sq);
      }

  /* Where int8 stops being faster, per thread count, and the layers behind it. */
  for (guint t = 0; t < threads->len; t++)
    {
      int th = g_array_index (threads, int, t);
      for (guint s = 0; s < sizes->len; s++)
        {
          int h = ((int *) sizes->data)[2 * s], w = ((int *) sizes->data)[2 * s + 1];
          const QvizRun *f = lookup (runs, "f32", h, w, th);
          const QvizRun *q = lookup (runs, "int8", h, w, th);

          if (f && q && q->stats.median > f->stats.median)
            {
              /* f32 layers by name: a model of thousands of layers is
               * matched in one pass, not one scan per int8 layer */
              g_autoptr (GHashTable) f32_layers = g_hash_table_new (g_str_hash, g_str_equal);

              printf ("int8 is slower than f32 from %dx%d with %d thread%s; layers responsible:\n",
                      h, w, th, th > 1 ? "s" : "");
              for (guint k = f->layers ? f->layers->len : 0; k-- > 0;)
                {
                  const QvizRunLayer *fl = qviz_run_get_layer (f, k);
                  g_hash_table_insert (f32_layers, (gpointer) fl->name, (gpointer) fl);
                }
              for (guint i = 0; q->layers && i < q->layers->len; i++)
                {
                  const QvizRunLayer *ql = qviz_run_get_layer (q, i);
                  const QvizRunLayer *fl = g_hash_table_lookup (f32_layers, ql->name);

                  if (fl != NULL && ql->stats.median > fl->stats.median * 1.05 &&
                      ql->stats.median - fl->stats.median > 0.01 * f->stats.median)
                    printf ("  %-50s %-3s f32 %s ms, int8 %s ms  (%s)\n", ql->name, mark (ql),
                            qviz_cli_ms (fl->stats.median, a), qviz_cli_ms (ql->stats.median, b),
                            ql->kernel);
                }
              break;
            }
        }
    }
}
