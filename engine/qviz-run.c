/* qviz-run.c: constructors and helpers of the run data model. */
#include "qviz-run.h"

#include <math.h>
#include <string.h>

/* ---- machine -------------------------------------------------------- */

QvizMachine *
qviz_machine_new (void)
{
  return g_new0 (QvizMachine, 1);
}

QvizMachine *
qviz_machine_copy (const QvizMachine *m)
{
  QvizMachine *c;

  g_return_val_if_fail (m != NULL, NULL);

  c = g_memdup2 (m, sizeof *m);
  c->id = g_strdup (m->id);
  c->hostname = g_strdup (m->hostname);
  c->cpu_model = g_strdup (m->cpu_model);
  c->isa_flags = g_strdup (m->isa_flags);
  c->os = g_strdup (m->os);
  c->kernel = g_strdup (m->kernel);
  c->qviz_version = g_strdup (m->qviz_version);
  c->qviz_commit = g_strdup (m->qviz_commit);
  return c;
}

void
qviz_machine_free (QvizMachine *m)
{
  if (m == NULL)
    return;
  g_free (m->id);
  g_free (m->hostname);
  g_free (m->cpu_model);
  g_free (m->isa_flags);
  g_free (m->os);
  g_free (m->kernel);
  g_free (m->qviz_version);
  g_free (m->qviz_commit);
  g_free (m);
}

void
qviz_machine_compute_id (QvizMachine *m)
{
  g_autoptr(GChecksum) sum = NULL;
  g_autofree char *text = NULL;
  const char *hex;

  g_return_if_fail (m != NULL);

  /* Every field enters the id: numbers measured under another qviz build,
   * kernel or memory size are not the same machine's numbers. */
  text = g_strdup_printf ("hostname=%s\ncpu=%s\ncores=%d/%d\nisa=%s\n"
                          "l1d=%" G_GUINT64_FORMAT "\nl2=%" G_GUINT64_FORMAT
                          "\nl3=%" G_GUINT64_FORMAT "\nmemory=%" G_GUINT64_FORMAT
                          "\nos=%s\nkernel=%s\nqviz=%s %s\n",
                          m->hostname ? m->hostname : "",
                          m->cpu_model ? m->cpu_model : "",
                          m->physical_cores, m->logical_cores,
                          m->isa_flags ? m->isa_flags : "",
                          m->l1d_bytes, m->l2_bytes, m->l3_bytes, m->memory_bytes,
                          m->os ? m->os : "",
                          m->kernel ? m->kernel : "",
                          m->qviz_version ? m->qviz_version : "",
                          m->qviz_commit ? m->qviz_commit : "");
  sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, (const guchar *) text, strlen (text));
  hex = g_checksum_get_string (sum);

  g_free (m->id);
  m->id = g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s",
                           hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/* ---- model ---------------------------------------------------------- */

QvizModelInfo *
qviz_model_info_new (void)
{
  return g_new0 (QvizModelInfo, 1);
}

QvizModelInfo *
qviz_model_info_copy (const QvizModelInfo *mi)
{
  QvizModelInfo *c;

  g_return_val_if_fail (mi != NULL, NULL);

  c = g_memdup2 (mi, sizeof *mi);
  c->sha256 = g_strdup (mi->sha256);
  c->name = g_strdup (mi->name);
  c->source = g_strdup (mi->source);
  return c;
}

void
qviz_model_info_free (QvizModelInfo *mi)
{
  if (mi == NULL)
    return;
  g_free (mi->sha256);
  g_free (mi->name);
  g_free (mi->source);
  g_free (mi);
}

/* ---- sweep ---------------------------------------------------------- */

QvizSweep *
qviz_sweep_new (void)
{
  QvizSweep *s = g_new0 (QvizSweep, 1);

  s->uuid = qviz_uuid_new ();
  s->created = g_get_real_time ();
  s->status = QVIZ_SWEEP_RUNNING;
  s->message = g_strdup ("");
  return s;
}

void
qviz_sweep_free (QvizSweep *s)
{
  if (s == NULL)
    return;
  g_free (s->uuid);
  g_free (s->name);
  g_free (s->note);
  g_free (s->machine_id);
  g_free (s->model_sha256);
  g_free (s->resolutions);
  g_free (s->threads);
  g_free (s->precisions);
  g_free (s->options);
  g_free (s->message);
  g_free (s->model_name);
  g_free (s->hostname);
  g_free (s->cpu_model);
  g_free (s->engines);
  g_free (s);
}

static const char *const sweep_status_names[] = {
  [QVIZ_SWEEP_RUNNING] = "running",
  [QVIZ_SWEEP_COMPLETE] = "complete",
  [QVIZ_SWEEP_CANCELLED] = "cancelled",
  [QVIZ_SWEEP_FAILED] = "failed",
  [QVIZ_SWEEP_INTERRUPTED] = "interrupted",
};

const char *
qviz_sweep_status_name (QvizSweepStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (sweep_status_names), "unknown");
  return sweep_status_names[status];
}

gboolean
qviz_sweep_status_parse (const char *name, QvizSweepStatus *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (sweep_status_names); i++)
    if (g_str_equal (name, sweep_status_names[i]))
      {
        *out = (QvizSweepStatus) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- run ------------------------------------------------------------ */

static const char *const run_status_names[] = {
  [QVIZ_RUN_COMPLETE] = "complete",
  [QVIZ_RUN_CANCELLED] = "cancelled",
  [QVIZ_RUN_FAILED] = "failed",
};

const char *
qviz_run_status_name (QvizRunStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (run_status_names), "unknown");
  return run_status_names[status];
}

gboolean
qviz_run_status_parse (const char *name, QvizRunStatus *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (run_status_names); i++)
    if (g_str_equal (name, run_status_names[i]))
      {
        *out = (QvizRunStatus) i;
        return TRUE;
      }
  return FALSE;
}

static void
run_layer_clear (gpointer data)
{
  QvizRunLayer *l = data;

  g_free (l->name);
  g_free (l->op);
  g_free (l->kernel);
  g_free (l->reason);
  g_free (l->fused);
  g_free (l->in_shape);
  g_free (l->out_shape);
  g_free (l->layer_class);
  g_clear_pointer (&l->pass_ms, g_array_unref);
}

static void
run_span_clear (gpointer data)
{
  QvizRunSpan *s = data;

  g_free (s->phase);
}

static void
stats_clear (QvizStats *st)
{
  st->n = 0;
  st->median = st->p10 = st->p90 = st->min = st->max = NAN;
  st->mean = st->stddev = st->mad = NAN;
}

QvizRun *
qviz_run_new (void)
{
  QvizRun *run = g_new0 (QvizRun, 1);

  run->uuid = qviz_uuid_new ();
  run->cold_ms = g_array_new (FALSE, FALSE, sizeof (double));
  run->warm_ms = g_array_new (FALSE, FALSE, sizeof (double));
  run->layers = g_array_new (FALSE, TRUE, sizeof (QvizRunLayer));
  g_array_set_clear_func (run->layers, run_layer_clear);
  run->spans = g_array_new (FALSE, TRUE, sizeof (QvizRunSpan));
  g_array_set_clear_func (run->spans, run_span_clear);
  run->sqnr_db = NAN;
  run->plan_ms = NAN;
  run->status = QVIZ_RUN_COMPLETE;
  run->message = g_strdup ("");
  run->engine = g_strdup (QVIZ_ENGINE_QVIZ);
  stats_clear (&run->stats);
  return run;
}

void
qviz_run_free (QvizRun *run)
{
  if (run == NULL)
    return;
  g_free (run->uuid);
  g_free (run->sweep_uuid);
  g_free (run->machine_id);
  g_free (run->model_sha256);
  g_free (run->precision);
  g_free (run->conv_algo);
  g_free (run->isa);
  g_free (run->engine);
  g_free (run->message);
  g_free (run->model_name);
  g_free (run->hostname);
  g_free (run->cpu_model);
  g_array_unref (run->cold_ms);
  g_array_unref (run->warm_ms);
  g_array_unref (run->layers);
  g_array_unref (run->spans);
  g_free (run);
}

QvizRunLayer *
qviz_run_add_layer (QvizRun *run)
{
  QvizRunLayer zero = { 0 }, *l;

  g_return_val_if_fail (run != NULL, NULL);

  g_array_append_val (run->layers, zero);
  l = &g_array_index (run->layers, QvizRunLayer, run->layers->len - 1);
  l->index = (int) run->layers->len - 1;
  l->sqnr_db = NAN;
  l->accum_sqnr_db = NAN;
  l->plan_ms = NAN;
  l->gops = NAN;
  l->pass_ms = g_array_new (FALSE, FALSE, sizeof (float));
  stats_clear (&l->stats);
  return l;
}

void
qviz_run_add_span (QvizRun *run, int pass, gboolean cold, int layer,
                   const char *phase, gint64 start_ns, gint64 end_ns)
{
  QvizRunSpan s = { pass, !!cold, layer, g_strdup (phase), start_ns, end_ns };

  g_return_if_fail (run != NULL);
  g_array_append_val (run->spans, s);
}

void
qviz_run_compute_stats (QvizRun *run)
{
  guint n_cold;

  g_return_if_fail (run != NULL);

  n_cold = run->cold_ms->len;
  qviz_stats_compute ((const double *) run->warm_ms->data, run->warm_ms->len,
                      &run->stats);
  for (guint i = 0; i < run->layers->len; i++)
    {
      QvizRunLayer *l = qviz_run_get_layer (run, i);
      guint n = l->pass_ms->len > n_cold ? l->pass_ms->len - n_cold : 0;

      qviz_stats_compute_float (n > 0 ? &g_array_index (l->pass_ms, float, n_cold) : NULL,
                                n, &l->stats);
      /* a multiply-add counts as two operations, as GOPS figures usually do */
      l->gops = l->stats.median > 0.0
        ? 2.0 * (double) l->macs / (l->stats.median * 1e6) : NAN;
    }
}

int
qviz_run_representative_pass (const QvizRun *run)
{
  QvizStats st;
  int best = -1;
  double best_dist = INFINITY;

  g_return_val_if_fail (run != NULL, -1);

  qviz_stats_compute ((const double *) run->warm_ms->data, run->warm_ms->len, &st);
  for (guint i = 0; i < run->warm_ms->len; i++)
    {
      double d = fabs (g_array_index (run->warm_ms, double, i) - st.median);

      if (d < best_dist)
        {
          best_dist = d;
          best = (int) (run->cold_ms->len + i);
        }
    }
  return best;
}

char *
qviz_time_to_iso8601 (gint64 unix_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);

  if (dt == NULL)
    return g_strdup ("");
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

char *
qviz_uuid_new (void)
{
  return g_uuid_string_random ();
}

static int
compare_layer_sqnr (gconstpointer a, gconstpointer b, gpointer run)
{
  double x = qviz_run_get_layer (run, *(const guint *) a)->sqnr_db;
  double y = qviz_run_get_layer (run, *(const guint *) b)->sqnr_db;

  return x < y ? -1 : x > y;
}

GArray *
qviz_run_low_sqnr_layers (const QvizRun *run, double threshold_db)
{
  GArray *low;

  g_return_val_if_fail (run != NULL, NULL);
  low = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; run->layers != NULL && i < run->layers->len; i++)
    {
      double db = qviz_run_get_layer (run, i)->sqnr_db;
      /* NAN (not measured) is never below */
      if (db < threshold_db)
        g_array_append_val (low, i);
    }
  g_array_sort_with_data (low, compare_layer_sqnr, (gpointer) run);
  return low;
}

char *
qviz_run_sqnr_warning (const QvizRun *run, double threshold_db)
{
  g_autoptr (GArray) low = NULL;
  GString *s;

  g_return_val_if_fail (run != NULL, NULL);
  low = qviz_run_low_sqnr_layers (run, threshold_db);
  if (low->len == 0)
    return NULL;
  s = g_string_new (NULL);
  g_string_printf (s, low->len == 1 ? "%u int8 layer is below %.0f dB SQNR on its own: "
                                    : "%u int8 layers are below %.0f dB SQNR on their own: ",
                   low->len, threshold_db);
  for (guint k = 0; k < low->len; k++)
    {
      const QvizRunLayer *l = qviz_run_get_layer (run, g_array_index (low, guint, k));
      g_string_append_printf (s, "%s%s (%.1f dB)", k ? ", " : "", l->name, l->sqnr_db);
    }
  g_string_append_c (s, '.');
  return g_string_free (s, FALSE);
}

/* ---- display limits --------------------------------------------------- */

static void
clip (char **field, guint max_chars)
{
  glong n;

  if (*field == NULL || strlen (*field) <= max_chars)
    return;
  if (!g_utf8_validate (*field, -1, NULL))
    {
      char *valid = g_utf8_make_valid (*field, -1);
      g_free (*field);
      *field = valid;
    }
  n = g_utf8_strlen (*field, -1);
  if (n > (glong) max_chars)
    {
      char *head = g_utf8_substring (*field, 0, max_chars);
      g_free (*field);
      *field = g_strconcat (head, "…", NULL);
      g_free (head);
    }
}

void
qviz_sweep_clip_text (QvizSweep *s, guint max_chars)
{
  char **fields[] = { &s->resolutions, &s->threads, &s->precisions, &s->options,
                      &s->message, &s->model_name, &s->hostname, &s->cpu_model };

  g_return_if_fail (s != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    clip (fields[i], max_chars);
}

void
qviz_run_clip_text (QvizRun *r, guint max_chars)
{
  char **fields[] = { &r->precision, &r->conv_algo, &r->isa, &r->engine, &r->message,
                      &r->model_name,
                      &r->hostname, &r->cpu_model };

  g_return_if_fail (r != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    clip (fields[i], max_chars);
  for (guint i = 0; r->layers != NULL && i < r->layers->len; i++)
    {
      QvizRunLayer *l = &g_array_index (r->layers, QvizRunLayer, i);
      char **lf[] = { &l->name, &l->op, &l->kernel, &l->reason, &l->fused, &l->in_shape,
                      &l->out_shape, &l->layer_class };

      for (guint k = 0; k < G_N_ELEMENTS (lf); k++)
        clip (lf[k], max_chars);
    }
}

typedef struct {
  guint layer;
  double excess_ms;
} ColdExcess;

static int
by_excess_desc (gconstpointer a, gconstpointer b)
{
  const ColdExcess *x = a, *y = b;

  return x->excess_ms > y->excess_ms ? -1 : x->excess_ms < y->excess_ms;
}

GArray *
qviz_run_cold_layers (const QvizRun *run, guint pass)
{
  g_autoptr(GArray) excess = g_array_new (FALSE, FALSE, sizeof (ColdExcess));
  GArray *layers = g_array_new (FALSE, FALSE, sizeof (guint));

  g_return_val_if_fail (run != NULL, layers);

  if (pass >= run->cold_ms->len)
    return layers;
  for (guint i = 0; i < run->layers->len; i++)
    {
      const QvizRunLayer *l = qviz_run_get_layer (run, i);
      ColdExcess e = { i, 0 };

      if (pass >= l->pass_ms->len || isnan (l->stats.median))
        continue;
      e.excess_ms = g_array_index (l->pass_ms, float, pass) - l->stats.median;
      if (e.excess_ms > 0)
        g_array_append_val (excess, e);
    }
  g_array_sort (excess, by_excess_desc);
  for (guint i = 0; i < excess->len; i++)
    g_array_append_val (layers, g_array_index (excess, ColdExcess, i).layer);
  return layers;
}
