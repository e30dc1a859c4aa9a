/* qviz-cli-store.c: reading the run store back -- runs, show, export,
 * import, compare. */

#include "qviz-cli.h"
#include "qviz-store-pg.h"

#include "qviz-compare.h"
#include "qviz-csv.h"
#include "qviz-cli-charts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int
qviz_cli_runs (int argc, char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *model = NULL;
  g_autofree char *machine = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Run store (default $XDG_DATA_HOME/qviz/runs.sqlite)", "FILE" },
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, "Only this model (name or sha256 prefix)", "M" },
    { "machine", 'H', 0, G_OPTION_ARG_STRING, &machine, "Only this machine (hostname or id prefix)", "H" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON document", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- list the stored sweeps, newest first");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = NULL;
  g_autoptr (GPtrArray) sweeps = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!qviz_cli_parse (ctx, &argc, &argv))
    return QVIZ_EXIT_USAGE;
  if (argc > 1)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "runs takes no arguments, got '%s'.", argv[1]);
  store = qviz_cli_open_store (db, FALSE, &error);
  if (store == NULL)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
  sweeps = qviz_store_list_sweeps (store, model, machine, &error);
  if (sweeps == NULL)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);

  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "sweeps");
      json_builder_begin_array (b);
      for (guint i = 0; i < sweeps->len; i++)
        json_builder_add_value (b, qviz_cli_json_sweep (g_ptr_array_index (sweeps, i)));
      json_builder_end_array (b);
      json_builder_end_object (b);
      qviz_cli_print_json (json_builder_get_root (b));
      return QVIZ_EXIT_OK;
    }
  if (sweeps->len == 0)
    {
      printf ("No sweeps in %s%s. 'qviz-cli run MODEL' records one.\n",
              qviz_store_get_path (store), model || machine ? " match" : "");
      return QVIZ_EXIT_OK;
    }
  printf ("%-8s  %-20s  %-20s  %-16s  %-24s  %-7s  %-8s  %4s  %-11s  %s\n", "sweep", "created",
          "model", "machine", "resolutions", "threads", "prec", "runs", "status", "name");
  for (guint i = 0; i < sweeps->len; i++)
    {
      QvizSweep *s = g_ptr_array_index (sweeps, i);
      g_autofree char *created = qviz_time_to_iso8601 (s->created);

      qviz_cli_clean_sweep (s);
      printf ("%-8.8s  %-20s  %-20s  %-16s  %-24s  %-7s  %-8s  %4u  %-11s  %s\n", s->uuid, created,
              s->model_name ? s->model_name : "?", s->hostname ? s->hostname : "?",
              s->resolutions, s->threads, s->precisions, s->n_runs,
              qviz_sweep_status_name (s->status), s->name ? s->name : "");
    }
  return QVIZ_EXIT_OK;
}

int
qviz_cli_label (int argc, char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *name = NULL;
  g_autofree char *note = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Run store (default $XDG_DATA_HOME/qviz/runs.sqlite)", "FILE" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "The sweep's name (\"\" clears it)", "TEXT" },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, "A note on what the sweep was for (\"\" clears it)", "TEXT" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("SWEEP - name a sweep and note what it was for");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = NULL;
  g_autoptr (QvizSweep) sweep = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!qviz_cli_parse (ctx, &argc, &argv))
    return QVIZ_EXIT_USAGE;
  if (argc != 2)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "label takes one sweep (an id or unique prefix, as 'qviz-cli runs' lists them).");
  if (name == NULL && note == NULL)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "Give --name, --note or both.");
  store = qviz_cli_open_store (db, TRUE, &error);
  if (store == NULL)
    return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);
  if (!qviz_store_set_sweep_label (store, argv[1], name, note, &error))
    return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);
  sweep = qviz_store_get_sweep (store, argv[1], &error);
  if (sweep == NULL)
    return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);
  qviz_cli_clean_sweep (sweep);
  printf ("sweep %.8s: name \"%s\", note \"%s\"\n", sweep->uuid, sweep->name, sweep->note);
  return QVIZ_EXIT_OK;
}

/* Finds a sweep or, failing that, a run by uuid prefix. */
static gboolean
lookup_id (QvizStore *store, const char *id, QvizSweep **sweep, QvizRun **run, GError **error)
{
  g_autoptr (GError) sweep_error = NULL;
  g_autoptr (GError) run_error = NULL;

  *sweep = qviz_store_get_sweep (store, id, &sweep_error);
  if (*sweep != NULL)
    return TRUE;
  *run = qviz_store_get_run (store, id, &run_error);
  if (*run != NULL)
    return TRUE;
  g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
               "'%s' names no sweep or run in %s ('qviz-cli runs' lists them).", id,
               qviz_store_get_path (store));
  return FALSE;
}

/* Imported traces may hold several engines at one setting (PyTorch's
 * onednn and qnnpack int8): each run with its engine, before the table. */
static void
print_engines (GPtrArray *runs)
{
  gboolean imported = FALSE;

  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (runs, i);
      imported |= r->engine != NULL && !g_str_equal (r->engine, QVIZ_ENGINE_QVIZ);
    }
  if (!imported)
    return;
  printf ("run       engine                          prec  resolution  threads  median ms   first ms\n");
  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *r = g_ptr_array_index (runs, i);
      g_autofree char *size = g_strdup_printf ("%dx%d", r->height, r->width);
      char med[32], first[32];

      printf ("%.8s  %-30s  %-4s  %-10s  %7d  %9s  %9s\n", r->uuid, r->engine, r->precision, size,
              r->threads, qviz_cli_ms (r->stats.median, med),
              qviz_cli_ms (r->cold_ms->len ? g_array_index (r->cold_ms, double, 0) : NAN, first));
    }
  printf ("\n");
}

int
qviz_cli_show (int argc, char **argv)
{
  g_autofree char *db = NULL;
  gboolean json = FALSE;
  int layers = 25;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Run store (default $XDG_DATA_HOME/qviz/runs.sqlite)", "FILE" },
    { "layers", 0, 0, G_OPTION_ARG_INT, &layers, "Layers to list (default 25, 0 for all)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON document", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("RUN|SWEEP - a run's layers or a sweep's latency table");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = NULL;
  g_autoptr (QvizSweep) sweep = NULL;
  g_autoptr (QvizRun) run = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!qviz_cli_parse (ctx, &argc, &argv))
    return QVIZ_EXIT_USAGE;
  if (argc != 2)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "show needs one RUN or SWEEP id (a uuid or its first characters).");
  store = qviz_cli_open_store (db, FALSE, &error);
  if (store == NULL)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
  if (!lookup_id (store, argv[1], &sweep, &run, &error))
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);

  if (run != NULL)
    {
      if (json)
        {
          qviz_cli_print_json (qviz_cli_json_run (run, TRUE));
          return QVIZ_EXIT_OK;
        }
      qviz_cli_clean_run (run);
      printf ("%s on %s (%s)\n", run->model_name ? run->model_name : "?",
              run->hostname ? run->hostname : "?", run->cpu_model ? run->cpu_model : "?");
      qviz_cli_print_run_summary (run);
      printf ("\n");
      qviz_cli_print_layer_table (run, layers);
      return QVIZ_EXIT_OK;
    }

  {
    g_autoptr (GPtrArray) runs = qviz_store_list_runs (store, sweep->uuid, TRUE, &error);
    g_autofree char *created = qviz_time_to_iso8601 (sweep->created);

    if (runs == NULL)
      return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
    if (json)
      {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "sweep");
        json_builder_add_value (b, qviz_cli_json_sweep (sweep));
        json_builder_set_member_name (b, "runs");
        json_builder_begin_array (b);
        for (guint i = 0; i < runs->len; i++)
          json_builder_add_value (b, qviz_cli_json_run (g_ptr_array_index (runs, i), FALSE));
        json_builder_end_array (b);
        json_builder_end_object (b);
        qviz_cli_print_json (json_builder_get_root (b));
        return QVIZ_EXIT_OK;
      }
    qviz_cli_clean_sweep (sweep);
    for (guint i = 0; i < runs->len; i++)
      qviz_cli_clean_run (g_ptr_array_index (runs, i));
    printf ("sweep %s: %s on %s (%s), %s, %s\n", sweep->uuid, sweep->model_name,
            sweep->hostname, sweep->cpu_model, created, qviz_sweep_status_name (sweep->status));
    if (sweep->message && *sweep->message)
      printf ("  %s\n", sweep->message);
    printf ("\n");
    print_engines (runs);
    qviz_cli_print_sweep_table (runs);
  }
  return QVIZ_EXIT_OK;
}

int
qviz_cli_export (int argc, char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *png = NULL;
  g_autofree char *svg = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *db_out = NULL;
  g_autofree char *chart = NULL;
  int width = 0, height = 0;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Run store (default $XDG_DATA_HOME/qviz/runs.sqlite)", "FILE" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Write runs to FILE and layers, samples, spans to FILE-layers.csv, ...", "FILE" },
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png, "Write the chart as PNG", "FILE" },
    { "svg", 0, 0, G_OPTION_ARG_FILENAME, &svg, "Write the chart as SVG", "FILE" },
    { "pdf", 0, 0, G_OPTION_ARG_FILENAME, &pdf, "Write the chart as PDF", "FILE" },
    { "chart", 0, 0, G_OPTION_ARG_STRING, &chart, "curves, flame, breakdown or report (default report)", "CHART" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Chart width in pixels/points", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Chart height in pixels/points", "H" },
    { "db-out", 0, 0, G_OPTION_ARG_FILENAME, &db_out, "Write a self-contained database of the sweeps", "FILE" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("RUN|SWEEP... - write a run or sweep to files");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = NULL;
  g_autoptr (QvizSweep) sweep = NULL;
  g_autoptr (QvizRun) run = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!qviz_cli_parse (ctx, &argc, &argv))
    return QVIZ_EXIT_USAGE;
  if (argc < 2)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "export needs a RUN or SWEEP id.");
  if (!csv && !png && !svg && !pdf && !db_out)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "export needs --csv, --png, --svg, --pdf or --db-out FILE.");
  store = qviz_cli_open_store (db, FALSE, &error);
  if (store == NULL)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);

  if (db_out)
    {
      QvizImportCounts counts = { 0 };
      g_autofree const char **ids = g_new0 (const char *, argc);
      for (int i = 1; i < argc; i++)
        ids[i - 1] = argv[i];
      if (!qviz_store_export (store, db_out, ids, &counts, &error))
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
      printf ("wrote %s: %u sweeps, %u runs, %u machines, %u models\n", db_out, counts.sweeps,
              counts.runs, counts.machines, counts.models);
    }
  if (!csv && !png && !svg && !pdf)
    return QVIZ_EXIT_OK;
  if (argc != 2)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "--csv and charts take one RUN or SWEEP id.");
  if (!lookup_id (store, argv[1], &sweep, &run, &error))
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);

  if (csv)
    {
      gboolean ok = run ? qviz_csv_export_run (store, run->uuid, csv, &error)
                        : qviz_csv_export_sweep (store, sweep->uuid, csv, &error);
      if (!ok)
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
      printf ("wrote %s (and its -layers, -samples, -spans companions)\n", csv);
    }
  {
    const char *files[3] = { png, svg, pdf };
    for (int i = 0; i < 3; i++)
      {
        if (files[i] == NULL)
          continue;
        if (!qviz_cli_export_chart (store, sweep, run, chart ? chart : "report", files[i],
                                    width, height, &error))
          return qviz_cli_fail (qviz_cli_status_for_error (error), "%s", error->message);
        printf ("wrote %s\n", files[i]);
      }
  }
  return QVIZ_EXIT_OK;
}

/* import and push: merge files into the store by UUID; push sends local
 * files to a team's server and insists on one. */
static int
merge_into_store (int argc, char **argv, gboolean push)
{
  g_autofree char *db = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      push ? "The team's server, postgresql://[user@]host[:port]/dbname (default $QVIZ_DB)"
           : "Run store to merge into (default $XDG_DATA_HOME/qviz/runs.sqlite)",
      push ? "URI" : "FILE" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx =
    g_option_context_new (push ? "FILE.sqlite... - upload local databases to a team's server by UUID"
                               : "OTHER.sqlite... - merge other databases by UUID");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = NULL;
  const char *command = push ? "push" : "import";

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!qviz_cli_parse (ctx, &argc, &argv))
    return QVIZ_EXIT_USAGE;
  if (argc < 2)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s needs a database file to merge.", command);
  if (push)
    {
      const char *target = db != NULL ? db : g_getenv ("QVIZ_DB");

      if (!qviz_store_location_is_postgres (target))
        return qviz_cli_fail (QVIZ_EXIT_USAGE,
                              "push needs the team's server: --db postgresql://host/dbname "
                              "(or QVIZ_DB).");
      for (int i = 1; i < argc; i++)
        if (qviz_store_location_is_postgres (argv[i]))
          return qviz_cli_fail (QVIZ_EXIT_USAGE, "push sends local files; “%s” is a server.",
                                argv[i]);
    }
  store = qviz_cli_open_store (db, TRUE, &error);
  if (store == NULL)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
  for (int i = 1; i < argc; i++)
    {
      QvizImportCounts counts = { 0 };
      if (!qviz_store_import (store, argv[i], &counts, &error))
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
      printf ("%s: added %u sweeps, %u runs, %u machines, %u models\n", argv[i], counts.sweeps,
              counts.runs, counts.machines, counts.models);
    }
  return QVIZ_EXIT_OK;
}

int
qviz_cli_import (int argc, char **argv)
{
  return merge_into_store (argc, argv, FALSE);
}

int
qviz_cli_push (int argc, char **argv)
{
  return merge_into_store (argc, argv, TRUE);
}

/* ---- compare ---------------------------------------------------------------- */

static GPtrArray *
runs_of (QvizStore *store, const char *id, char **label, GError **error)
{
  g_autoptr (QvizSweep) sweep = NULL;
  g_autoptr (QvizRun) run = NULL;
  GPtrArray *runs;

  if (!lookup_id (store, id, &sweep, &run, error))
    return NULL;
  if (run != NULL)
    {
      *label = g_strdup_printf ("run %.8s (%s on %s)", run->uuid, run->model_name ? run->model_name : "?",
                                run->hostname ? run->hostname : "?");
      runs = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_free);
      g_ptr_array_add (runs, g_steal_pointer (&run));
      return runs;
    }
  *label = g_strdup_printf ("sweep %.8s (%s on %s)", sweep->uuid, sweep->model_name,
                            sweep->hostname);
  return qviz_store_list_runs (store, sweep->uuid, TRUE, error);
}

int
qviz_cli_compare (int argc, char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *png = NULL;
  g_autofree char *svg = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *chart = NULL;
  gboolean all = FALSE, json = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Run store (default $XDG_DATA_HOME/qviz/runs.sqlite)", "FILE" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Write the per-layer comparison as CSV", "FILE" },
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png, "Draw the comparison as PNG", "FILE" },
    { "svg", 0, 0, G_OPTION_ARG_FILENAME, &svg, "Draw the comparison as SVG", "FILE" },
    { "pdf", 0, 0, G_OPTION_ARG_FILENAME, &pdf, "Draw the comparison as PDF", "FILE" },
    { "chart", 0, 0, G_OPTION_ARG_STRING, &chart, "What to draw: report (default), curves, flame or table", "NAME" },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "List every layer, not only significant changes", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON document", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("A B - compare two sweeps or runs layer by layer");
  g_autoptr (GError) error = NULL;
  g_autoptr (QvizStore) store = NULL;
  g_autoptr (GPtrArray) runs_a = NULL, runs_b = NULL, pairs = NULL;
  g_autoptr (GPtrArray) comparisons = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_run_comparison_free);
  g_autofree char *label_a = NULL, *label_b = NULL;
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  char s1[32], s2[32];

  g_option_context_set_summary (ctx,
    "Matches runs of the same precision, size and threads, then layers by name.\n"
    "A change is significant when its 95% bootstrap interval excludes zero,\n"
    "the Mann-Whitney p < 0.01 and the medians differ by more than 3%.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!qviz_cli_parse (ctx, &argc, &argv))
    return QVIZ_EXIT_USAGE;
  if (argc != 3)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "compare needs two ids: A B (sweeps or runs).");
  if (chart != NULL && !g_str_equal (chart, "report") && !g_str_equal (chart, "curves") &&
      !g_str_equal (chart, "flame") && !g_str_equal (chart, "table"))
    return qviz_cli_fail (QVIZ_EXIT_USAGE,
                          "Chart '%s' is not known; use report, curves, flame or table.", chart);
  {
    const char *files[] = { png, svg, pdf };
    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      if (files[i] != NULL && !qviz_cli_check_chart_path (files[i], &error))
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
  }
  store = qviz_cli_open_store (db, FALSE, &error);
  if (store == NULL)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
  runs_a = runs_of (store, argv[1], &label_a, &error);
  if (runs_a == NULL)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
  runs_b = runs_of (store, argv[2], &label_b, &error);
  if (runs_b == NULL)
    return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
  if (!json)
    {
      GPtrArray *sides[] = { runs_a, runs_b };

      qviz_cli_clean (label_a);
      qviz_cli_clean (label_b);
      for (guint k = 0; k < G_N_ELEMENTS (sides); k++)
        for (guint i = 0; i < sides[k]->len; i++)
          qviz_cli_clean_run (g_ptr_array_index (sides[k], i));
    }

  if (runs_a->len == 1 && runs_b->len == 1)
    {
      pairs = g_ptr_array_new ();
      g_ptr_array_add (pairs, g_ptr_array_index (runs_a, 0));
      g_ptr_array_add (pairs, g_ptr_array_index (runs_b, 0));
    }
  else
    pairs = qviz_compare_match_runs (runs_a, runs_b);

  if (!json)
    printf ("A: %s\nB: %s\n%u matched configuration%s\n", label_a, label_b, pairs->len / 2,
            pairs->len / 2 == 1 ? "" : "s");
  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "a");
  json_builder_add_string_value (jb, label_a);
  json_builder_set_member_name (jb, "b");
  json_builder_add_string_value (jb, label_b);
  json_builder_set_member_name (jb, "comparisons");
  json_builder_begin_array (jb);

  for (guint i = 0; i + 1 < pairs->len; i += 2)
    {
      const QvizRun *a = g_ptr_array_index (pairs, i), *b = g_ptr_array_index (pairs, i + 1);
      QvizRunComparison *c = qviz_compare_runs (a, b);

      g_ptr_array_add (comparisons, c);
      json_builder_begin_object (jb);
      json_builder_set_member_name (jb, "precision");
      json_builder_add_string_value (jb, b->precision);
      json_builder_set_member_name (jb, "height");
      json_builder_add_int_value (jb, b->height);
      json_builder_set_member_name (jb, "width");
      json_builder_add_int_value (jb, b->width);
      json_builder_set_member_name (jb, "threads");
      json_builder_add_int_value (jb, b->threads);
      json_builder_set_member_name (jb, "a_ms");
      json_builder_add_double_value (jb, a->stats.median);
      json_builder_set_member_name (jb, "b_ms");
      json_builder_add_double_value (jb, b->stats.median);
      json_builder_set_member_name (jb, "ratio");
      json_builder_add_double_value (jb, isnan (c->ratio) ? 0 : c->ratio);
      json_builder_set_member_name (jb, "significant");
      json_builder_add_boolean_value (jb, c->significant);
      json_builder_set_member_name (jb, "layers");
      json_builder_begin_array (jb);
      for (guint k = 0; k < c->layers->len; k++)
        {
          const QvizLayerDelta *d = &g_array_index (c->layers, QvizLayerDelta, k);
          json_builder_begin_object (jb);
          json_builder_set_member_name (jb, "name");
          json_builder_add_string_value (jb, d->name);
          json_builder_set_member_name (jb, "a_ms");
          if (isnan (d->a_ms)) json_builder_add_null_value (jb); else json_builder_add_double_value (jb, d->a_ms);
          json_builder_set_member_name (jb, "b_ms");
          if (isnan (d->b_ms)) json_builder_add_null_value (jb); else json_builder_add_double_value (jb, d->b_ms);
          json_builder_set_member_name (jb, "ratio");
          if (isnan (d->ratio)) json_builder_add_null_value (jb); else json_builder_add_double_value (jb, d->ratio);
          json_builder_set_member_name (jb, "p_value");
          json_builder_add_double_value (jb, d->p_value);
          json_builder_set_member_name (jb, "significant");
          json_builder_add_boolean_value (jb, d->significant);
          json_builder_set_member_name (jb, "outlier");
          json_builder_add_boolean_value (jb, d->outlier);
          json_builder_set_member_name (jb, "kernel_a");
          json_builder_add_string_value (jb, d->kernel_a);
          json_builder_set_member_name (jb, "kernel_b");
          json_builder_add_string_value (jb, d->kernel_b);
          json_builder_end_object (jb);
        }
      json_builder_end_array (jb);
      json_builder_end_object (jb);

      if (json)
        continue;
      printf ("\n%s %dx%d, %d thread%s: A %s ms, B %s ms, B/A %.3f%s; %u layer%s changed beyond noise\n",
              b->precision, b->height, b->width, b->threads, b->threads > 1 ? "s" : "",
              qviz_cli_ms (a->stats.median, s1), qviz_cli_ms (b->stats.median, s2), c->ratio,
              c->significant ? " (significant)"
              : c->too_few_passes ? " (too few warm passes to tell from noise)"
                                  : " (within noise)", c->n_significant,
              c->n_significant == 1 ? "" : "s");
      printf ("  %-50s %9s %9s %7s %21s %8s  %s\n", "layer", "A ms", "B ms", "B/A",
              "95% CI of B-A (ms)", "p", "");
      for (guint k = 0; k < c->layers->len; k++)
        {
          const QvizLayerDelta *d = &g_array_index (c->layers, QvizLayerDelta, k);
          char ci[48] = "-", note[128] = "";
          if (!all && !d->significant && !d->kernel_changed)
            continue;
          if (!isnan (d->diff_lo))
            g_snprintf (ci, sizeof ci, "[%+.3f, %+.3f]", d->diff_lo, d->diff_hi);
          g_snprintf (note, sizeof note, "%s%s%s%s%s", d->significant ? "" : "(noise) ",
                      d->outlier ? "departs from the model's ratio " : "",
                      d->kernel_changed ? "kernel: " : "", d->kernel_changed ? d->kernel_a : "",
                      d->kernel_changed ? " -> " : "");
          printf ("  %-50s %9s %9s %7.3f %21s %8.2g  %s%s\n", d->name, qviz_cli_ms (d->a_ms, s1),
                  qviz_cli_ms (d->b_ms, s2), d->ratio, ci, d->p_value, note,
                  d->kernel_changed ? d->kernel_b : "");
        }
    }
  json_builder_end_array (jb);
  json_builder_end_object (jb);
  if (json)
    qviz_cli_print_json (json_builder_get_root (jb));

  if (csv)
    {
      if (!qviz_compare_write_csv (comparisons, csv, &error))
        return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
      if (!json)
        printf ("\nwrote %s\n", csv);
    }
  {
    const char *files[] = { png, svg, pdf };
    gboolean first = csv == NULL;
    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        if (files[i] == NULL)
          continue;
        if (!qviz_cli_export_compare (store, runs_a, label_a, runs_b, label_b, comparisons,
                                      chart ? chart : "report", files[i], 0, 0, &error))
          return qviz_cli_fail (QVIZ_EXIT_USAGE, "%s", error->message);
        if (!json)
          printf ("%swrote %s\n", first ? "\n" : "", files[i]);
        first = FALSE;
      }
  }
  return QVIZ_EXIT_OK;
}
