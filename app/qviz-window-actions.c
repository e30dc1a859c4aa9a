/* qviz-window-actions.c: what the user does in the main window -- open a
 * model, run or cancel a sweep, export, search, zoom -- apart from the
 * widget code in qviz-window.c. */

#include "qviz-config.h"
#include "qviz-window-private.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <stdio.h>
#include <glib/gstdio.h>

#include "qviz-calibrate.h"
#include "qviz-chart-adapt.h"
#include "qviz-csv.h"
#include "qviz-export.h"
#include "qviz-report-painter.h"
#include "qviz-model.h"
#include "qviz-run-dialog.h"
#include "qviz-sweep.h"
#include "qviz-trace.h"

/* ---- opening a model ------------------------------------------------ */

typedef struct {
  char *spec;
  char *name;
  char *sha256;
  QvizGraph *graph;
} ModelLoad;

static void
model_load_free (ModelLoad *load)
{
  g_free (load->spec);
  g_free (load->name);
  g_free (load->sha256);
  g_clear_pointer (&load->graph, qviz_graph_free);
  g_free (load);
}

static void
load_model_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ModelLoad *load = task_data;
  GError *error = NULL;
  QvizGraph *graph = qviz_model_load (load->spec, &error);

  if (graph == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  load->name = g_strdup (graph->name);
  load->sha256 = g_strdup (graph->sha256);
  load->graph = graph;
  g_task_return_boolean (task, TRUE);
}

static void
add_recent (QvizWindow *self,
            const char *path)
{
  g_auto (GStrv) old = g_settings_get_strv (self->settings, "recent-models");
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) recent = NULL;
  guint n = 1;

  g_strv_builder_add (builder, path);
  for (guint i = 0; old[i] && n < 10; i++)
    if (!g_str_equal (old[i], path))
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-models", (const char * const *) recent);
}

static void
on_model_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  QvizWindow *self = QVIZ_WINDOW (source);
  ModelLoad *load = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  self->loading_model--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      qviz_window_toast (self, error->message);
      qviz_window_update_actions (self);
      return;
    }
  /* Kept so that a sweep starts at once and calibrates only the first time. */
  g_clear_pointer (&self->graph, qviz_graph_free);
  self->graph = g_steal_pointer (&load->graph);
  g_settings_set_string (self->settings, "last-model", load->spec);
  if (qviz_model_spec_is_file (load->spec))
    add_recent (self, load->spec);
  qviz_window_set_model_info (self, load->spec, load->name, load->sha256);
}

void
qviz_window_load_model_async (QvizWindow *self,
                              const char *spec)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, on_model_loaded, NULL);
  ModelLoad *load = g_new0 (ModelLoad, 1);

  load->spec = g_strdup (spec);
  g_task_set_task_data (task, load, (GDestroyNotify) model_load_free);
  self->loading_model++;
  qviz_window_update_actions (self);
  g_task_run_in_thread (task, load_model_thread);
}

typedef void (*OpenPathFunc) (QvizWindow *self, const char *path);

static void
on_open_file_response (GtkNativeDialog *dialog,
                       int              response,
                       QvizWindow      *self)
{
  OpenPathFunc open_path = g_object_get_data (G_OBJECT (dialog), "qviz-open-path");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path)
        open_path (self, path);
    }
  g_object_unref (dialog);
}

/* A modal file chooser with one filter (patterns and a MIME type) and "All
 * files"; the chosen path goes to open_path. */
static void
choose_file_to_open (QvizWindow         *self,
                     const char         *title,
                     const char         *accept_label,
                     const char         *filter_name,
                     const char * const *patterns,
                     const char         *mime_type,
                     OpenPathFunc        open_path)
{
  GtkFileChooserNative *dialog;
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr (GtkFileFilter) all = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                        accept_label, _("_Cancel"));
  gtk_file_filter_set_name (filter, filter_name);
  for (int i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_filter_add_mime_type (filter, mime_type);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_object_set_data (G_OBJECT (dialog), "qviz-open-path", open_path);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_file_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
action_open (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  static const char *const patterns[] = { "*.onnx", NULL };

  choose_file_to_open (QVIZ_WINDOW (user_data), _("Open Model"), _("_Open"), _("ONNX models"),
                       patterns, "application/x-onnx", qviz_window_open_model);
}

static void
action_open_model (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  qviz_window_open_model (QVIZ_WINDOW (user_data), g_variant_get_string (param, NULL));
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         QvizWindow    *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);
      if (path != NULL)
        {
          qviz_window_open_model (self, path);
          g_slist_free (files);
          return TRUE;
        }
    }
  g_slist_free (files);
  return FALSE;
}

/* ---- running a sweep ------------------------------------------------ */

typedef struct {
  QvizWindow      *window;     /* a reference */
  char            *spec;
  char            *calibration;
  QvizStore       *store;      /* borrowed: the window outlives the task */
  QvizSweepConfig *config;
  QvizGraph       *graph;      /* the window's, lent for the sweep, or NULL */
} SweepJob;

static void
sweep_job_free (SweepJob *job)
{
  g_clear_object (&job->window);
  g_free (job->spec);
  g_free (job->calibration);
  g_clear_pointer (&job->config, qviz_sweep_config_free);
  g_clear_pointer (&job->graph, qviz_graph_free);
  g_free (job);
}

typedef struct {
  QvizWindow *window;
  int index, total;
  gboolean finished;   /* a run was stored (else: a configuration started) */
  char *label;
} SweepProgress;

static gboolean
apply_progress (gpointer user_data)
{
  SweepProgress *p = user_data;
  QvizWindow *self = p->window;

  if (self->cancellable == NULL)
    return G_SOURCE_REMOVE;
  if (p->finished)
    {
      /* Show each run as soon as it is stored. */
      self->sweep_done = p->index + 1;
      qviz_window_reload_sweeps (self, NULL);
    }
  else
    {
      double elapsed = (g_get_monotonic_time () - self->sweep_started_us) / 1e6;
      g_autofree char *text = NULL;

      self->sweep_total = p->total;
      if (p->index > 0)
        {
          int eta = (int) (elapsed / p->index * (p->total - p->index));
          /* TRANSLATORS: progress: configuration i of n, its settings, time left. */
          text = g_strdup_printf (_("%d of %d: %s — about %d:%02d left"), p->index + 1,
                                  p->total, p->label, eta / 60, eta % 60);
        }
      else
        text = g_strdup_printf (_("%d of %d: %s"), p->index + 1, p->total, p->label);
      gtk_progress_bar_set_text (self->progress_bar, text);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->progress_bar), text);
      gtk_progress_bar_set_fraction (self->progress_bar, (double) p->index / MAX (p->total, 1));
    }
  return G_SOURCE_REMOVE;
}

static void
sweep_progress_free (gpointer data)
{
  SweepProgress *p = data;

  g_object_unref (p->window);
  g_free (p->label);
  g_free (p);
}

static void
on_config_started (int index, int total, QvizPrecision precision, int height, int width,
                   int threads, gpointer user_data)
{
  SweepJob *job = user_data;
  SweepProgress *p = g_new0 (SweepProgress, 1);

  p->window = g_object_ref (job->window);
  p->index = index;
  p->total = total;
  p->label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s %d×%d, %d thread",
                                           "%s %d×%d, %d threads", threads),
                              qviz_precision_name (precision), height, width, threads);
  /* Called in the worker thread: the widgets are touched in the main one. */
  g_idle_add_full (G_PRIORITY_DEFAULT, apply_progress, p, sweep_progress_free);
}

static void
on_run_finished (int index, int total, const QvizRun *run, gpointer user_data)
{
  SweepJob *job = user_data;
  SweepProgress *p = g_new0 (SweepProgress, 1);

  p->window = g_object_ref (job->window);
  p->index = index;
  p->total = total;
  p->finished = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT, apply_progress, p, sweep_progress_free);
}

static void
sweep_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SweepJob *job = task_data;
  QvizSweepCallbacks callbacks = { on_config_started, on_run_finished, job };
  g_autoptr (QvizSweep) sweep = NULL;
  GError *error = NULL;
  QvizGraph *graph;

  if (job->graph == NULL)
    job->graph = qviz_model_load (job->spec, &error);
  if (job->graph == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  graph = job->graph;
  /* the sweep calibrates once for every size, or reuses the store's; a
   * chosen source applies even to a graph calibrated by an earlier sweep */
  job->config->calibration.source = job->calibration;
  if (job->calibration != NULL)
    graph->calibrated = FALSE;
  if (!qviz_sweep_execute (graph, job->store, job->config, &callbacks, cancellable, &sweep,
                           NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_strdup (sweep->uuid), g_free);
}

static void
on_sweep_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  QvizWindow *self = QVIZ_WINDOW (source);
  g_autoptr (GError) error = NULL;
  g_autofree char *uuid = g_task_propagate_pointer (G_TASK (result), &error);
  SweepJob *job = g_task_get_task_data (G_TASK (result));

  /* Take the (now calibrated) model back unless another one was opened. */
  if (self->graph == NULL && g_strcmp0 (job->spec, self->model_spec) == 0)
    self->graph = g_steal_pointer (&job->graph);
  g_clear_object (&self->cancellable);
  gtk_widget_set_visible (self->progress_box, FALSE);
  if (uuid == NULL)
    {
      if (g_error_matches (error, QVIZ_ERROR, QVIZ_ERROR_CANCELLED) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        qviz_window_toast (self, _("Sweep cancelled; the finished runs are kept."));
      else
        qviz_window_toast (self, error->message);
    }
  qviz_window_reload_sweeps (self, uuid);
  qviz_window_update_actions (self);
}

static GArray *
settings_ints (GSettings  *settings,
               const char *key)
{
  g_autoptr (GVariant) v = g_settings_get_value (settings, key);
  gsize n = 0;
  const gint32 *values = g_variant_get_fixed_array (v, &n, sizeof (gint32));
  GArray *out = g_array_new (FALSE, FALSE, sizeof (int));

  for (gsize i = 0; i < n; i++)
    {
      int x = values[i];
      g_array_append_val (out, x);
    }
  return out;
}

QvizSweepConfig *
qviz_window_sweep_config_from_settings (QvizWindow *self)
{
  g_autoptr (GArray) res = NULL, threads = NULL;
  g_auto (GStrv) precisions = NULL;
  QvizSweepConfig *config;

  g_return_val_if_fail (QVIZ_IS_WINDOW (self), NULL);

  config = qviz_sweep_config_new ();
  res = settings_ints (self->settings, "default-resolutions");
  if (res->len > 0)
    {
      g_array_set_size (config->resolutions, 0);
      for (guint i = 0; i < res->len; i++)
        {
          QvizResolution r = { g_array_index (res, int, i), g_array_index (res, int, i) };
          g_array_append_val (config->resolutions, r);
        }
    }
  threads = settings_ints (self->settings, "default-threads");
  if (threads->len > 0)
    {
      g_array_set_size (config->threads, 0);
      g_array_append_vals (config->threads, threads->data, threads->len);
    }
  precisions = g_settings_get_strv (self->settings, "default-precisions");
  if (precisions[0] != NULL)
    {
      g_array_set_size (config->precisions, 0);
      for (guint i = 0; precisions[i]; i++)
        {
          QvizPrecision p;
          if (qviz_precision_parse (precisions[i], &p))
            g_array_append_val (config->precisions, p);
        }
    }
  config->iterations = g_settings_get_int (self->settings, "iterations");
  config->min_time = g_settings_get_double (self->settings, "min-time");
  config->cold = g_settings_get_int (self->settings, "cold-passes");
  return config;
}

void
qviz_window_start_sweep (QvizWindow *self)
{
  g_return_if_fail (QVIZ_IS_WINDOW (self));

  qviz_window_start_sweep_with_config (self, qviz_window_sweep_config_from_settings (self));
}

void
qviz_window_start_sweep_with_config (QvizWindow      *self,
                                     QvizSweepConfig *config)
{
  g_autoptr (GTask) task = NULL;
  SweepJob *job;

  g_return_if_fail (QVIZ_IS_WINDOW (self));
  g_return_if_fail (config != NULL);

  if (self->cancellable != NULL || self->model_spec == NULL || self->store == NULL)
    {
      qviz_sweep_config_free (config);
      return;
    }

  job = g_new0 (SweepJob, 1);
  job->window = g_object_ref (self);
  job->spec = g_strdup (self->model_spec);
  job->calibration = g_strdup (self->calibration);
  job->store = self->store;
  job->config = config;
  job->graph = g_steal_pointer (&self->graph);

  self->cancellable = g_cancellable_new ();
  self->sweep_started_us = g_get_monotonic_time ();
  self->sweep_done = 0;
  self->sweep_total = job->config->resolutions->len * job->config->threads->len *
                      job->config->precisions->len;
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Preparing the model…"));
  gtk_widget_set_visible (self->progress_box, TRUE);

  task = g_task_new (self, self->cancellable, on_sweep_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) sweep_job_free);
  /* The sweep reports cancellation itself, after marking the sweep. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, sweep_thread);
  qviz_window_update_actions (self);
}

void
qviz_window_cancel_sweep (QvizWindow *self)
{
  g_return_if_fail (QVIZ_IS_WINDOW (self));

  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      gtk_progress_bar_set_text (self->progress_bar, _("Cancelling after the current pass…"));
    }
}

static void
action_run (GSimpleAction *action,
            GVariant      *param,
            gpointer       user_data)
{
  QvizWindow *self = user_data;
  GtkWindow *dialog = qviz_run_dialog_new (self, self->settings, self->model_name,
                                           self->calibration);

  gtk_window_present (dialog);
}

static void
action_start_sweep (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  qviz_window_start_sweep (QVIZ_WINDOW (user_data));
}

static void
action_cancel (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  qviz_window_cancel_sweep (QVIZ_WINDOW (user_data));
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    QvizWindow       *self)
{
  g_autoptr (GError) error = NULL;

  if (!g_str_equal (response, "delete") || self->sweep_uuid == NULL)
    return;
  if (!qviz_store_delete_sweep (self->store, self->sweep_uuid, &error))
    qviz_window_toast (self, error->message);
  g_clear_pointer (&self->sweep_uuid, g_free);
  qviz_window_reload_sweeps (self, NULL);
}

static void
on_label_response (AdwMessageDialog *dialog,
                   const char       *response,
                   QvizWindow       *self)
{
  GtkEditable *name = g_object_get_data (G_OBJECT (dialog), "name");
  GtkEditable *note = g_object_get_data (G_OBJECT (dialog), "note");
  g_autoptr (GError) error = NULL;

  if (!g_str_equal (response, "save") || self->store == NULL || self->sweep_uuid == NULL)
    return;
  if (!qviz_window_label_sweep (self, self->sweep_uuid, gtk_editable_get_text (name),
                                gtk_editable_get_text (note), &error))
    qviz_window_toast (self, error->message);
}

gboolean
qviz_window_label_sweep (QvizWindow  *self,
                         const char  *sweep_uuid,
                         const char  *name,
                         const char  *note,
                         GError     **error)
{
  g_return_val_if_fail (QVIZ_IS_WINDOW (self), FALSE);

  if (self->store == NULL || !qviz_store_set_sweep_label (self->store, sweep_uuid, name, note, error))
    return FALSE;
  qviz_window_reload_sweeps (self, sweep_uuid);
  return TRUE;
}

/* Name and Note…: what the sweep shown was for, kept with it. */
static void
action_label_sweep (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  QvizWindow *self = user_data;
  GtkWidget *dialog, *box, *name, *note;
  const QvizSweep *sweep = NULL;

  for (guint i = 0; self->sweeps != NULL && i < self->sweeps->len; i++)
    if (g_strcmp0 (((QvizSweep *) g_ptr_array_index (self->sweeps, i))->uuid, self->sweep_uuid) == 0)
      sweep = g_ptr_array_index (self->sweeps, i);
  if (sweep == NULL)
    {
      qviz_window_toast (self, _("Choose a sweep in the sidebar first."));
      return;
    }
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Name and Note"),
                                   _("A name to tell this sweep apart in the sidebar and in Compare, and a note of what it was for."));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  name = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (name), _("Name, e.g. baseline"));
  gtk_editable_set_text (GTK_EDITABLE (name), sweep->name ? sweep->name : "");
  gtk_entry_set_activates_default (GTK_ENTRY (name), TRUE);
  note = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (note), _("Note, e.g. before the depthwise change"));
  gtk_editable_set_text (GTK_EDITABLE (note), sweep->note ? sweep->note : "");
  gtk_entry_set_activates_default (GTK_ENTRY (note), TRUE);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), note);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  g_object_set_data (G_OBJECT (dialog), "name", name);
  g_object_set_data (G_OBJECT (dialog), "note", note);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  g_signal_connect (dialog, "response", G_CALLBACK (on_label_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_delete_sweep (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  QvizWindow *self = user_data;
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Delete Sweep?"),
                                   _("The sweep and all its runs are removed from the database."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_delete_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- export --------------------------------------------------------- */

typedef struct {
  QvizWindow *window;
  char       *kind;     /* "chart", "breakdown", "report" or "csv" */
  char       *format;   /* "png", "svg", "pdf" or "csv" */
} ExportRequest;

/* The sizes offered for an exported chart, "WxH", beside "as shown". */
static const char *const export_sizes[] = { "shown", "1280x720", "1920x1080", "2560x1440", "1200x900", NULL };

/* "lraspp-mnv3, sweep of 2026-12-04 09:34" and "AMD EPYC (vm), 2 cores ·
 * 256x256 · 1,2 threads · f32,int8": what an exported chart is of. */
static void
export_title_and_context (QvizWindow  *self,
                          const char  *what,
                          char       **title,
                          char       **context)
{
  g_autoptr (QvizSweep) sweep = self->sweep_uuid != NULL && self->store != NULL
                                ? qviz_store_get_sweep (self->store, self->sweep_uuid, NULL) : NULL;
  g_autoptr (QvizMachine) machine = sweep != NULL
                                    ? qviz_store_get_machine (self->store, sweep->machine_id, NULL) : NULL;
  g_autoptr (GDateTime) when = sweep != NULL ? g_date_time_new_from_unix_local (sweep->created / G_USEC_PER_SEC) : NULL;
  g_autofree char *date = when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M") : NULL;
  const char *model = self->model_name != NULL ? self->model_name : "qviz";

  /* TRANSLATORS: an exported chart's title: the model, what the chart
   * shows, and the date of the sweep it comes from. */
  *title = date != NULL ? g_strdup_printf (_("%s: %s, sweep of %s"), model, what, date)
                        : g_strdup_printf ("%s: %s", model, what);
  if (sweep == NULL)
    {
      *context = NULL;
      return;
    }
  /* TRANSLATORS: the machine (CPU, host name, cores), then the sweep's
   * sizes, thread counts and precisions. */
  *context = g_strdup_printf (_("%s (%s), %d cores · %s · %s threads · %s"),
                              machine != NULL ? machine->cpu_model : sweep->cpu_model,
                              machine != NULL ? machine->hostname : sweep->hostname,
                              machine != NULL ? machine->logical_cores : 0,
                              sweep->resolutions, sweep->threads, sweep->precisions);
}

static void
export_request_free (ExportRequest *request)
{
  g_object_unref (request->window);
  g_free (request->kind);
  g_free (request->format);
  g_free (request);
}

static gboolean
export_report (QvizWindow  *self,
               const char  *path,
               GError     **error)
{
  g_autoptr (QvizReportPainter) p = qviz_report_painter_new (qviz_chart_style_get_light ());
  g_autoptr (GPtrArray) series = qviz_chart_curves_from_runs (self->runs);
  g_autoptr (QvizBreakdown) breakdown = qviz_chart_breakdown_from_runs (self->runs, 0);
  g_autoptr (QvizSweep) sweep = NULL;
  g_autoptr (QvizMachine) machine = NULL;
  g_autoptr (QvizModelInfo) model = NULL;
  g_autoptr (QvizReportInfo) info = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  const QvizRun *f32, *int8;

  sweep = qviz_store_get_sweep (self->store, self->sweep_uuid, error);
  if (sweep == NULL)
    return FALSE;
  machine = qviz_store_get_machine (self->store, sweep->machine_id, NULL);
  model = qviz_store_get_model (self->store, sweep->model_sha256, NULL);
  info = qviz_chart_report_info (sweep, machine, model);
  /* The table follows the configuration chosen on the Flame and Layers
   * pages, as the person sees it. */
  f32 = qviz_window_get_report_run (self, "f32");
  int8 = qviz_window_get_report_run (self, "int8");
  if (f32 == NULL && int8 == NULL)
    {
      f32 = qviz_chart_find_run (self->runs, "f32", 0, 0);
      int8 = qviz_chart_find_run (self->runs, "int8", 0, 0);
    }
  rows = qviz_chart_layer_rows (f32, int8);
  qviz_report_painter_set_info (p, info);
  for (guint i = 0; i < series->len; i++)
    qviz_report_painter_add_series (p, g_ptr_array_index (series, i));
  qviz_report_painter_set_log_y (p, qviz_overview_page_get_log_scale (self->overview));
  qviz_report_painter_set_breakdown (p, breakdown);
  qviz_report_painter_set_layers (p, rows);
  return qviz_export_to_file (path, QVIZ_EXPORT_AUTO, QVIZ_REPORT_WIDTH, QVIZ_REPORT_HEIGHT,
                              QVIZ_PAINT_FUNC (qviz_report_painter_paint), p, error);
}

gboolean
qviz_window_export_file (QvizWindow  *self,
                         const char  *kind,
                         const char  *path,
                         GError     **error)
{
  QvizExportOptions options = { 0, 0, TRUE };

  return qviz_window_export_file_with (self, kind, path, &options, error);
}

gboolean
qviz_window_export_file_with (QvizWindow               *self,
                              const char               *kind,
                              const char               *path,
                              const QvizExportOptions  *options,
                              GError                  **error)
{
  const char *page;
  gboolean compare;
  g_autofree char *title = NULL, *context = NULL;

  g_return_val_if_fail (QVIZ_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (kind != NULL && path != NULL, FALSE);

  page = adw_view_stack_get_visible_child_name (self->pages);
  compare = g_strcmp0 (page, "compare") == 0;
  if (compare && (g_str_equal (kind, "chart") || g_str_equal (kind, "csv")))
    return g_str_equal (kind, "csv") ? qviz_compare_page_export_csv (self->compare, path, error)
                                     : qviz_compare_page_export (self->compare, path, error);
  if (self->runs == NULL || self->runs->len == 0)
    {
      g_set_error_literal (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                           _("There is no sweep to export; run one first."));
      return FALSE;
    }
  if (g_str_equal (kind, "csv"))
    return qviz_csv_export_runs (self->runs, path, error);
  if (g_str_equal (kind, "report"))
    return export_report (self, path, error);
  if (g_str_equal (kind, "breakdown"))
    {
      if (options->titled)
        export_title_and_context (self, _("time by layer class"), &title, &context);
      return qviz_breakdown_view_export_full (qviz_overview_page_get_breakdown (self->overview), path, options->width, options->height,
                                              title, context, error);
    }
  if (g_strcmp0 (page, "flame") == 0)
    {
      if (options->titled)
        {
          g_autofree char *what = NULL;
          guint i = qviz_flame_page_get_selected (self->flame_page);
          GListModel *configs = qviz_flame_page_get_configurations (self->flame_page);
          g_autoptr (GObject) item = configs != NULL && i != GTK_INVALID_LIST_POSITION
                                     ? g_list_model_get_item (configs, i) : NULL;

          what = item != NULL && GTK_IS_STRING_OBJECT (item)
                 /* TRANSLATORS: "flame chart, 256×256 · 1 thread" */
                 ? g_strdup_printf (_("flame chart, %s"), gtk_string_object_get_string (GTK_STRING_OBJECT (item)))
                 : g_strdup (_("flame chart"));
          export_title_and_context (self, what, &title, &context);
        }
      return qviz_flame_view_export_full (qviz_flame_page_get_flame (self->flame_page), path, options->width, title, context, error);
    }
  if (options->titled)
    export_title_and_context (self, _("latency by input resolution"), &title, &context);
  return qviz_curves_view_export_full (qviz_overview_page_get_curves (self->overview), path, options->width, options->height,
                                       title, context, error);
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    ExportRequest   *request)
{
  QvizWindow *self = request->window;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr (GError) error = NULL;
      QvizExportOptions options = { 0, 0, TRUE };
      const char *size = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "size");
      const char *titled = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "title");

      if (size != NULL && sscanf (size, "%dx%d", &options.width, &options.height) != 2)
        options.width = options.height = 0;
      options.titled = titled == NULL || g_strcmp0 (titled, "true") == 0;

      if (path != NULL)
        {
          g_autofree char *suffix = g_strconcat (".", request->format, NULL);
          if (!g_str_has_suffix (path, suffix))
            {
              char *with_ext = g_strconcat (path, suffix, NULL);
              g_free (path);
              path = with_ext;
            }
          if (qviz_window_export_file_with (self, request->kind, path, &options, &error))
            {
              g_autofree char *base = g_path_get_basename (path);
              g_autofree char *text = g_strdup_printf (_("Saved %s"), base);
              qviz_window_toast_saved (self, text, path);
            }
          else
            qviz_window_toast (self, error->message);
        }
    }
  export_request_free (request);
  g_object_unref (dialog);
}

static char *
suggested_name (QvizWindow *self,
                const char *kind,
                const char *format)
{
  const char *page = adw_view_stack_get_visible_child_name (self->pages);
  const char *what = kind;

  if (g_strcmp0 (page, "compare") == 0 && (g_str_equal (kind, "chart") || g_str_equal (kind, "csv")))
    {
      const char *uuid_a = qviz_compare_page_get_uuid_a (self->compare);
      const char *uuid_b = qviz_compare_page_get_uuid_b (self->compare);

      return g_strdup_printf ("%s-%.8s-vs-%.8s.%s", self->model_name ? self->model_name : "qviz",
                              uuid_a ? uuid_a : "", uuid_b ? uuid_b : "", format);
    }
  if (g_str_equal (kind, "chart"))
    what = g_strcmp0 (page, "flame") == 0 ? "flame" : "curves";
  if (g_str_equal (kind, "csv"))
    return g_strdup_printf ("%s-%.8s.csv", self->model_name ? self->model_name : "qviz",
                            self->sweep_uuid ? self->sweep_uuid : "");
  return g_strdup_printf ("%s-%.8s-%s.%s", self->model_name ? self->model_name : "qviz",
                          self->sweep_uuid ? self->sweep_uuid : "", what, format);
}

static void
export_with_dialog (QvizWindow *self,
                    const char *kind,
                    const char *format)
{
  GtkFileChooserNative *dialog;
  ExportRequest *request;
  g_autofree char *name = suggested_name (self, kind, format);
  const char *title = g_str_equal (kind, "csv") ? _("Export Data")
                      : g_str_equal (kind, "report") ? _("Export Report")
                      : _("Export Chart");

  dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  if ((g_str_equal (kind, "chart") || g_str_equal (kind, "breakdown"))
      && g_strcmp0 (adw_view_stack_get_visible_child_name (self->pages), "compare") != 0)
    {
      const char *labels[G_N_ELEMENTS (export_sizes)] = {
        _("As shown"), "1280 × 720", "1920 × 1080", "2560 × 1440", "1200 × 900", NULL
      };

      gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "size", _("Size"),
                                   (const char **) export_sizes, labels);
      gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "size", "shown");
      gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "title", _("Title and context"), NULL, NULL);
      gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "title", "true");
    }
  request = g_new0 (ExportRequest, 1);
  request->window = g_object_ref (self);
  request->kind = g_strdup (kind);
  request->format = g_strdup (format);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
action_export_chart (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  export_with_dialog (QVIZ_WINDOW (user_data), "chart", g_variant_get_string (param, NULL));
}

static void
action_export_breakdown (GSimpleAction *action,
                         GVariant      *param,
                         gpointer       user_data)
{
  export_with_dialog (QVIZ_WINDOW (user_data), "breakdown", g_variant_get_string (param, NULL));
}

static void
action_export_report (GSimpleAction *action,
                      GVariant      *param,
                      gpointer       user_data)
{
  export_with_dialog (QVIZ_WINDOW (user_data), "report", g_variant_get_string (param, NULL));
}

static void
action_export_csv (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  export_with_dialog (QVIZ_WINDOW (user_data), "csv", "csv");
}

static void
action_export_menu (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  gtk_menu_button_popup (QVIZ_WINDOW (user_data)->export_button);
}

/* ---- merging databases ---------------------------------------------- */

typedef struct {
  QvizStore        *store;   /* borrowed: the window outlives the task */
  char             *path;
  char             *sweep_uuid;
  QvizImportCounts  counts;
} StoreJob;

static void
store_job_free (StoreJob *job)
{
  g_free (job->path);
  g_free (job->sweep_uuid);
  g_free (job);
}

gboolean
qviz_window_is_busy_with_store (QvizWindow *self)
{
  g_return_val_if_fail (QVIZ_IS_WINDOW (self), FALSE);

  return self->store_jobs > 0;
}

static void
import_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  StoreJob *job = task_data;
  GError *error = NULL;

  if (!qviz_store_import (job->store, job->path, &job->counts, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_import_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  QvizWindow *self = QVIZ_WINDOW (source);
  StoreJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *base = g_path_get_basename (job->path);
  g_autofree char *text = NULL;

  self->store_jobs--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    qviz_window_toast (self, error->message);
  else
    {
      if (job->counts.sweeps == 0 && job->counts.runs == 0)
        text = g_strdup_printf (_("Nothing new in %s"), base);
      else
        {
          g_autofree char *sweeps = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u sweep",
                                                                  "%u sweeps", job->counts.sweeps),
                                                     job->counts.sweeps);
          g_autofree char *runs = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u run", "%u runs",
                                                                job->counts.runs),
                                                   job->counts.runs);
          /* TRANSLATORS: "Imported 2 sweeps, 8 runs from other.sqlite" */
          text = g_strdup_printf (_("Imported %s, %s from %s"), sweeps, runs, base);
        }
      qviz_window_toast (self, text);
      qviz_window_reload_sweeps (self, NULL);
    }
  qviz_window_update_actions (self);
}

void
qviz_window_import_database (QvizWindow *self,
                             const char *path)
{
  g_autoptr (GTask) task = NULL;
  StoreJob *job;

  g_return_if_fail (QVIZ_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  if (self->store == NULL || qviz_store_is_read_only (self->store))
    {
      qviz_window_toast (self, _("The run database is not open for writing; nothing can be imported."));
      return;
    }
  job = g_new0 (StoreJob, 1);
  job->store = self->store;
  job->path = g_strdup (path);
  task = g_task_new (self, NULL, on_import_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) store_job_free);
  self->store_jobs++;
  qviz_window_update_actions (self);
  g_task_run_in_thread (task, import_thread);
}

static void
action_import (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  static const char *const patterns[] = { "*.sqlite", "*.db", NULL };

  choose_file_to_open (QVIZ_WINDOW (user_data), _("Import Database"), _("_Import"),
                       _("qviz databases"), patterns, "application/vnd.sqlite3",
                       qviz_window_import_database);
}

/* ---- importing another runtime's trace ------------------------------ */

typedef struct {
  QvizStore *store;          /* borrowed: the window outlives the task */
  char      *model_spec;
  char      *path;
  char      *summary;        /* what was mapped, for the toast */
  char      *sweep_uuid;
} TraceJob;

static void
trace_job_free (TraceJob *job)
{
  g_free (job->model_spec);
  g_free (job->path);
  g_free (job->summary);
  g_free (job->sweep_uuid);
  g_free (job);
}

/* Reading, mapping and storing a trace takes longer than a frame: a
 * worker does it, on its own copy of the model. */
static void
import_trace_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  TraceJob *job = task_data;
  g_autoptr (QvizGraph) graph = NULL;
  g_autoptr (GPtrArray) imports = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_trace_import_free);
  QvizTraceImport *ti;
  QvizTraceOptions options;
  GError *error = NULL;

  qviz_trace_options_init (&options);
  graph = qviz_model_load (job->model_spec, &error);
  if (graph == NULL || (ti = qviz_trace_import (job->path, graph, &options, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_ptr_array_add (imports, ti);
  job->sweep_uuid = qviz_trace_store_sweep (job->store, graph, imports, &error);
  if (job->sweep_uuid == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  {
    g_autofree char *base = g_path_get_basename (job->path);
    g_autofree char *mapped = qviz_trace_import_summary (ti);

    /* TRANSLATORS: "trace.json (onnxruntime CPU, f32): 412 events, 94 of 97
     * layers, 97.8% of the time" */
    job->summary = g_strdup_printf (_("%s (%s, %s): %s"), base, ti->run->engine,
                                    ti->run->precision, mapped);
  }
  g_task_return_boolean (task, TRUE);
}

static void
on_import_trace_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  QvizWindow *self = QVIZ_WINDOW (source);
  TraceJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  self->store_jobs--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    qviz_window_toast (self, error->message);
  else
    {
      qviz_window_toast (self, job->summary);
      qviz_window_reload_sweeps (self, job->sweep_uuid);
    }
  qviz_window_update_actions (self);
}

void
qviz_window_import_trace (QvizWindow *self,
                          const char *path)
{
  g_autoptr (GTask) task = NULL;
  TraceJob *job;

  g_return_if_fail (QVIZ_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  if (self->store == NULL || qviz_store_is_read_only (self->store))
    {
      qviz_window_toast (self, _("The run database is not open for writing; nothing can be imported."));
      return;
    }
  if (self->model_spec == NULL)
    {
      qviz_window_toast (self, _("Open the model the trace ran first: its layers name the trace's events."));
      return;
    }
  job = g_new0 (TraceJob, 1);
  job->store = self->store;
  job->model_spec = g_strdup (self->model_spec);
  job->path = g_strdup (path);
  task = g_task_new (self, NULL, on_import_trace_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) trace_job_free);
  self->store_jobs++;
  qviz_window_update_actions (self);
  g_task_run_in_thread (task, import_trace_thread);
}

static void
action_import_trace (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  static const char *const patterns[] = { "*.json", NULL };

  choose_file_to_open (QVIZ_WINDOW (user_data), _("Import Trace"), _("_Import"),
                       _("ONNX Runtime profiles and PyTorch traces"), patterns,
                       "application/json", qviz_window_import_trace);
}

static void
export_db_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  StoreJob *job = task_data;
  const char *ids[] = { job->sweep_uuid, NULL };
  g_autofree char *dir = g_path_get_dirname (job->path);
  g_autofree char *base = g_path_get_basename (job->path);
  g_autofree char *partial = NULL;
  GError *error = NULL;

  /* The store writes only new files; a file the user chose to replace is
   * swapped for the finished one, so a failure leaves it as it was. */
  if (!g_file_test (job->path, G_FILE_TEST_EXISTS))
    partial = g_strdup (job->path);
  else
    {
      g_autofree char *name = g_strdup_printf (".%s.%u.part", base, g_random_int ());
      partial = g_build_filename (dir, name, NULL);
    }
  if (!qviz_store_export (job->store, partial, ids, &job->counts, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!g_str_equal (partial, job->path) && g_rename (partial, job->path) != 0)
    {
      int saved = errno;
      g_unlink (partial);
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               _("Could not replace %s: %s."), job->path, g_strerror (saved));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_export_db_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  QvizWindow *self = QVIZ_WINDOW (source);
  StoreJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  self->store_jobs--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    qviz_window_toast (self, error->message);
  else
    {
      g_autofree char *base = g_path_get_basename (job->path);
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "Saved the sweep with %u run to %s",
                                                            "Saved the sweep with %u runs to %s",
                                                            job->counts.runs),
                                               job->counts.runs, base);
      qviz_window_toast_saved (self, text, job->path);
    }
  qviz_window_update_actions (self);
}

void
qviz_window_export_database (QvizWindow *self,
                             const char *path)
{
  g_autoptr (GTask) task = NULL;
  StoreJob *job;

  g_return_if_fail (QVIZ_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  if (self->store == NULL || self->sweep_uuid == NULL)
    {
      qviz_window_toast (self, _("There is no sweep to export; run one first."));
      return;
    }
  job = g_new0 (StoreJob, 1);
  job->store = self->store;
  job->path = g_strdup (path);
  job->sweep_uuid = g_strdup (self->sweep_uuid);
  task = g_task_new (self, NULL, on_export_db_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) store_job_free);
  self->store_jobs++;
  qviz_window_update_actions (self);
  g_task_run_in_thread (task, export_db_thread);
}

static void
on_export_db_response (GtkNativeDialog *dialog,
                       int              response,
                       QvizWindow      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path)
        qviz_window_export_database (self, path);
    }
  g_object_unref (dialog);
}

static void
action_export_db (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  QvizWindow *self = user_data;
  GtkFileChooserNative *dialog;
  g_autofree char *name = NULL;

  name = g_strdup_printf ("%s-%.8s.sqlite", self->model_name ? self->model_name : "qviz",
                          self->sweep_uuid ? self->sweep_uuid : "");
  dialog = gtk_file_chooser_native_new (_("Export Sweep to Database"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_db_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- search and zoom ------------------------------------------------ */

/* Ctrl+Shift+F: the sidebar shown and its filter in focus. */
static void
action_filter_sweeps (GSimpleAction *action,
                      GVariant      *param,
                      gpointer       user_data)
{
  QvizWindow *self = QVIZ_WINDOW (user_data);

  adw_flap_set_reveal_flap (self->flap, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->sweep_filter));
}

static void
action_search (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  QvizWindow *self = user_data;

  adw_view_stack_set_visible_child_name (self->pages, "flame");
  qviz_flame_page_focus_search (self->flame_page);
}

static void
action_zoom (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  QvizWindow *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));

  adw_view_stack_set_visible_child_name (self->pages, "flame");
  if (g_str_equal (name, "zoom-in"))
    qviz_flame_view_zoom_in (qviz_flame_page_get_flame (self->flame_page));
  else if (g_str_equal (name, "zoom-out"))
    qviz_flame_view_zoom_out (qviz_flame_page_get_flame (self->flame_page));
  else
    qviz_flame_view_zoom_reset (qviz_flame_page_get_flame (self->flame_page));
}

static void
action_show_page (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  QvizWindow *self = QVIZ_WINDOW (user_data);
  const char *name = g_variant_get_string (param, NULL);

  /* An accelerator may name a page this build lacks: nothing happens. */
  if (adw_view_stack_get_child_by_name (self->pages, name) != NULL)
    adw_view_stack_set_visible_child_name (self->pages, name);
}

static void
action_connect_team (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  if (param != NULL)
    qviz_window_connect_team (QVIZ_WINDOW (user_data), g_variant_get_string (param, NULL));
  else
    qviz_window_connect_team_dialog (QVIZ_WINDOW (user_data));
}

/* ---- wiring --------------------------------------------------------- */

/* The Open button of a "Saved" toast: the file in the desktop's default
 * application for its type. */
static void
action_open_saved (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  QvizWindow *self = QVIZ_WINDOW (user_data);
  g_autoptr (GFile) file = g_file_new_for_path (g_variant_get_string (parameter, NULL));
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr (GError) error = NULL;

  if (!g_app_info_launch_default_for_uri (uri, NULL, &error))
    qviz_window_toast (self, error->message);
}

static void
action_open_database (GSimpleAction *action,
                      GVariant      *param,
                      gpointer       user_data)
{
  if (param != NULL)
    qviz_window_open_database (QVIZ_WINDOW (user_data), g_variant_get_string (param, NULL), NULL);
  else
    qviz_window_open_database_dialog (QVIZ_WINDOW (user_data));
}

static const GActionEntry win_actions[] = {
  { "open", action_open },
  { "open-model", action_open_model, "s" },
  { "run", action_run },
  { "start-sweep", action_start_sweep },
  { "cancel", action_cancel },
  { "delete-sweep", action_delete_sweep },
  { "label-sweep", action_label_sweep },
  { "export", action_export_menu },
  { "export-chart", action_export_chart, "s" },
  { "export-breakdown", action_export_breakdown, "s" },
  { "export-report", action_export_report, "s" },
  { "export-csv", action_export_csv },
  { "import", action_import },
  { "import-trace", action_import_trace },
  { "show-page", action_show_page, "s" },
  { "export-db", action_export_db },
  { "connect-team", action_connect_team },
  { "open-database", action_open_database },
  { "open-database-path", action_open_database, "s" },
  { "connect-team-uri", action_connect_team, "s" },
  { "open-saved", action_open_saved, "s" },
  { "search", action_search },
  { "filter-sweeps", action_filter_sweeps },
  { "zoom-in", action_zoom },
  { "zoom-out", action_zoom },
  { "zoom-reset", action_zoom },
};

static void
set_enabled (QvizWindow *self,
             const char *name,
             gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
qviz_window_update_actions (QvizWindow *self)
{
  gboolean running = self->cancellable != NULL;
  gboolean have_runs = self->runs != NULL && self->runs->len > 0;
  gboolean can_run = !running && self->store != NULL && self->model_spec != NULL &&
                     !qviz_store_is_read_only (self->store);

  set_enabled (self, "run", can_run);
  set_enabled (self, "start-sweep", can_run);
  set_enabled (self, "cancel", running);
  set_enabled (self, "delete-sweep", !running && self->sweep_uuid != NULL);
  set_enabled (self, "label-sweep", self->store != NULL && self->sweep_uuid != NULL);
  gboolean on_compare = self->pages != NULL &&
                        g_strcmp0 (adw_view_stack_get_visible_child_name (self->pages), "compare") == 0;
  gboolean can_write = self->store != NULL && !qviz_store_is_read_only (self->store);
  gboolean chart = on_compare ? self->compare != NULL && qviz_compare_page_has_comparison (self->compare)
                              : have_runs;

  set_enabled (self, "export", have_runs || chart);
  set_enabled (self, "export-chart", chart);
  set_enabled (self, "export-breakdown", have_runs);
  set_enabled (self, "export-report", have_runs);
  set_enabled (self, "export-csv", chart);
  set_enabled (self, "import", can_write && self->store_jobs == 0);
  set_enabled (self, "import-trace", can_write && self->model_spec != NULL && self->store_jobs == 0);
  set_enabled (self, "export-db", self->store != NULL && self->sweep_uuid != NULL && self->store_jobs == 0);
}

void
qviz_window_install_actions (QvizWindow *self)
{
  GtkDropTarget *drop;

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions), self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  qviz_window_update_actions (self);
}
