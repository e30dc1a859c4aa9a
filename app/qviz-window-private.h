/* qviz-window-private.h: QvizWindow's state, shared by qviz-window.c (the
 * widgets and what they show) and qviz-window-actions.c (what the user
 * does).  Tests read it too. */
#pragma once

#include "qviz-window.h"
#include "qviz-window-format.h"

#include "qviz-accuracy-page.h"
#include "qviz-breakdown-view.h"
#include "qviz-cold-start-page.h"
#include "qviz-compare-page.h"
#include "qviz-curves-view.h"
#include "qviz-flame-page.h"
#include "qviz-layers-page.h"
#include "qviz-machines-page.h"
#include "qviz-overview-page.h"
#include "qviz-sqnr-banner.h"
#include "qviz-graph.h"
#include "qviz-store.h"
#include "qviz-sweep.h"

G_BEGIN_DECLS


struct _QvizWindow
{
  AdwApplicationWindow parent_instance;

  GSettings         *settings;
  QvizStore         *store;
  char              *model_spec;    /* built-in name or .onnx path */
  char              *model_name;
  char              *model_sha256;
  char              *calibration;   /* images folder for int8, or NULL */
  /* The loaded model, kept calibrated between sweeps (NULL while a sweep
   * holds it). */
  QvizGraph         *graph;
  GPtrArray         *sweeps;        /* QvizSweep * of the model, as listed */
  GPtrArray         *all_sweeps;    /* QvizSweep * of every model, for Compare and Machines */
  char              *sweep_uuid;    /* the sweep shown */
  GPtrArray         *runs;          /* its QvizRun *, with details */
  GArray            *configs;       /* Config: (resolution, threads) of runs */
  guint              n_detailed_loads; /* runs read with layers and spans */
  gboolean           loading_sweep; /* a worker reads the runs of sweep_uuid */
  guint              sweep_generation; /* which worker's runs are awaited */
  GCancellable      *sweep_cancellable;
  GtkSpinner        *loading_spinner;
  guint              loading_model; /* model loads in flight */
  guint              store_jobs;    /* imports and exports in flight */

  /* Sweep in progress */
  GCancellable      *cancellable;
  gint64             sweep_started_us;
  int                sweep_done, sweep_total;

  /* Header */
  GtkMenuButton     *model_button;
  GtkMenuButton     *export_button;
  GMenu             *export_chart_section; /* labels follow the page */
  GMenu             *export_data_section;
  GtkWidget         *progress_box;
  AdwFlap           *flap;
  GtkToggleButton   *sidebar_button;
  AdwViewSwitcherBar *switcher_bar;
  GtkProgressBar    *progress_bar;
  AdwViewSwitcherTitle *switcher_title;

  AdwToastOverlay   *toasts;
  GtkListBox        *sweep_list;
  GtkSearchEntry    *sweep_filter;   /* above the sidebar: words every row shown has */
  GtkStack          *content_stack; /* "empty" or "pages" */
  AdwStatusPage     *empty_page;
  GtkWidget         *empty_machines_button;
  AdwViewStack      *pages;

  /* Overview: a page that owns its state; given the runs shown. */
  QvizOverviewPage  *overview;

  /* Flame chart: a page that owns its state; given the runs shown. */
  QvizFlamePage     *flame_page;

  AdwStatusPage     *store_error_page;    /* the run store did not open */
  GtkWidget         *store_error_default; /* "Use the Default Database" */

  /* Layers: a page that owns its state; given the runs shown. */
  QvizLayersPage    *layers;

  /* Cold start: a page that owns its state; given the runs shown. */
  QvizColdStartPage *cold_start;

  /* Accuracy: a page that owns its state, given the runs shown; the banner
   * over every page names the low-SQNR layers of the int8 run it shows. */
  QvizAccuracyPage  *accuracy;
  QvizSqnrBanner    *sqnr_banner;

  /* Compare: a page that owns its state and its worker; given the store,
   * every model's sweeps and the sweep shown. */
  QvizComparePage   *compare;

  /* Machines: a page that owns its state; given the store. */
  QvizMachinesPage  *machines;
};

/* qviz-window-team.c: File > Connect to Team Database… */
/* Whether every word of filter is in the sweep's sidebar text (date, line,
 * machine, uuid, options); TRUE for an empty filter. */
gboolean qviz_window_sweep_matches      (const QvizSweep *sweep, const char *filter);
/* Stores a sweep's name and note (NULL: as it is) and shows them. */
gboolean qviz_window_label_sweep        (QvizWindow *self, const char *sweep_uuid,
                                         const char *name, const char *note, GError **error);
/* qviz-window-database.c: File > Open Database…, and what the page shown
 * when the run store cannot be opened says. */
void     qviz_window_show_store_error   (QvizWindow *self, const char *location,
                                         const GError *error);
/* Tries location ("" for the default) off the main thread; on success
 * remembers it (also under the settings key remember_as, if not NULL) and
 * opens a window on it in place of this one; else a toast says why. */
void     qviz_window_open_database      (QvizWindow *self, const char *location,
                                         const char *remember_as);
void     qviz_window_open_database_dialog (QvizWindow *self);
void     qviz_window_connect_team_dialog (QvizWindow *self);
/* Tries uri (postgresql://...) off the main thread; on success remembers
 * it and opens a window on it in place of this one. */
void     qviz_window_connect_team       (QvizWindow *self, const char *uri);

/* qviz-window.c */
void     qviz_window_reload_sweeps      (QvizWindow *self, const char *select_uuid);
/* Reads the sweep's runs in a worker, showing "Loading…" until they fill
 * the pages; NULL empties them at once. */
void     qviz_window_show_sweep         (QvizWindow *self, const char *sweep_uuid);
gboolean qviz_window_is_loading_sweep   (QvizWindow *self);
/* Shows the sweep on the Overview, switching to its model if needed. */
void     qviz_window_open_sweep         (QvizWindow *self, const char *sweep_uuid);
void     qviz_window_set_model_info     (QvizWindow *self, const char *spec,
                                         const char *name, const char *sha256);
void     qviz_window_update_model_menu  (QvizWindow *self);
guint    qviz_window_get_n_sweep_rows   (QvizWindow *self);
gboolean qviz_window_is_running         (QvizWindow *self);
gboolean qviz_window_is_loading         (QvizWindow *self);
const QvizRun *qviz_window_get_report_run (QvizWindow *self, const char *precision);

/* qviz-window-accuracy.c */
/* Has the low-SQNR banner follow the Accuracy page's run, and opens the
 * Run dialog when the Accuracy page or the Layers table asks to run a
 * layer in float. */
void     qviz_window_connect_accuracy   (QvizWindow *self);
/* Opens the Run dialog for another run of run's configuration (its size,
 * threads, kernels and ISA; run may be NULL), int8 only, with layer kept
 * in float: what the Layers table's context menu and the Accuracy page's
 * ranked layers offer. */
void     qviz_window_run_keep_float     (QvizWindow *self, const QvizRun *run,
                                         const char *layer);

/* qviz-window.c: the Machines page */
void     qviz_window_reload_machines    (QvizWindow *self);
guint    qviz_window_get_n_machines     (QvizWindow *self);

/* qviz-window-actions.c */
void     qviz_window_install_actions    (QvizWindow *self);
void     qviz_window_update_actions     (QvizWindow *self);
/* Starts a sweep of the current model with the GSettings defaults and
 * self->calibration (what win.start-sweep does). */
void     qviz_window_start_sweep        (QvizWindow *self);
/* The sweep settings kept in GSettings, as a config to change and start. */
QvizSweepConfig *qviz_window_sweep_config_from_settings (QvizWindow *self);
/* Starts a sweep of the current model with config (taken). */
void     qviz_window_start_sweep_with_config (QvizWindow *self, QvizSweepConfig *config);
void     qviz_window_cancel_sweep       (QvizWindow *self);
void     qviz_window_load_model_async   (QvizWindow *self, const char *spec);
/* Merges another qviz database into the window's store in a worker
 * thread, then says what came in and refreshes the sidebar and pages. */
void     qviz_window_import_database    (QvizWindow *self, const char *path);
/* Maps an ONNX Runtime profile or PyTorch trace onto the current model and
 * stores it as a sweep, in a worker thread; says what mapped in a toast and
 * shows the new sweep. */
void     qviz_window_import_trace       (QvizWindow *self, const char *path);
/* Writes the shown sweep to a new database file (replacing path). */
void     qviz_window_export_database    (QvizWindow *self, const char *path);
/* Imports or exports under way. */
gboolean qviz_window_is_busy_with_store (QvizWindow *self);
/* Writes what the Export menu offers: kind "chart" (the page shown),
 * "breakdown", "report" or "csv"; the format from path's extension. */
gboolean qviz_window_export_file        (QvizWindow *self, const char *kind,
                                         const char *path, GError **error);
/* An exported chart's size in pixels (0 x 0: as shown) and whether a title
 * and a line of context (model, sweep, machine) go above it. */
typedef struct {
  int      width, height;
  gboolean titled;
} QvizExportOptions;
gboolean qviz_window_export_file_with   (QvizWindow *self, const char *kind,
                                         const char *path, const QvizExportOptions *options,
                                         GError **error);

G_END_DECLS
