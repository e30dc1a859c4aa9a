/* qviz-window-private.h: QvizWindow's state, shared by qviz-window.c (the
 * widgets and what they show) and qviz-window-actions.c (what the user
 * does).  Tests read it too. */
#pragma once

#include "qviz-window.h"

#include "qviz-breakdown-view.h"
#include "qviz-cold-start-page.h"
#include "qviz-curves-view.h"
#include "qviz-flame-view.h"
#include "qviz-layer-table.h"
#include "qviz-graph.h"
#include "qviz-store.h"

G_BEGIN_DECLS

/* Names, kernels and hostnames longer than this are cut for display:
 * a database may hold megabyte-long strings, which labels lay out slowly. */
#define QVIZ_WINDOW_MAX_TEXT 1024


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
  GPtrArray         *all_sweeps;    /* QvizSweep * of every model, for Compare */
  char              *sweep_uuid;    /* the sweep shown */
  GPtrArray         *runs;          /* its QvizRun *, with details */
  GArray            *configs;       /* Config: (resolution, threads) of runs */
  GPtrArray         *compare_runs_a, *compare_runs_b;
  GPtrArray         *comparisons;   /* QvizRunComparison * of matched runs */
  char              *compare_uuid_a, *compare_uuid_b;  /* the sweeps chosen */
  char              *compare_for;   /* sweep shown when A and B were chosen */
  char              *compare_filled; /* what the page shows: A, B, their runs */
  gboolean           compare_dirty; /* refill when the page is next shown */
  guint              n_detailed_loads; /* runs read with layers and spans */
  gboolean           loading_sweep; /* a worker reads the runs of sweep_uuid */
  guint              sweep_generation; /* which worker's runs are awaited */
  GCancellable      *sweep_cancellable;
  GtkSpinner        *loading_spinner;
  gboolean           compare_computing; /* a worker loads and compares A and B */
  guint              compare_generation; /* which worker's answer is awaited */
  GCancellable      *compare_cancellable;
  guint              loading_model; /* model loads in flight */
  guint              store_jobs;    /* imports and exports in flight */
  QvizMachine       *this_machine;  /* detected once, for "this machine" */

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
  GtkStack          *content_stack; /* "empty" or "pages" */
  AdwStatusPage     *empty_page;
  GtkWidget         *empty_machines_button;
  AdwViewStack      *pages;

  /* Overview */
  GtkWidget         *cards;
  QvizCurvesView    *curves;
  QvizBreakdownView *breakdown;
  GtkToggleButton   *log_toggle;

  /* Flame */
  GtkDropDown       *flame_config;
  GtkDropDown       *flame_pass;
  GtkSearchEntry    *flame_search;
  GtkLabel          *flame_matches; /* "3 of 12", "No match" */
  QvizFlameView     *flame;
  GtkLabel          *flame_status;

  /* Layers */
  GtkDropDown       *layers_config;
  GtkToggleButton   *special_toggle;
  QvizLayerTable    *layer_table;

  /* Cold start: a page that owns its state; given the runs shown. */
  QvizColdStartPage *cold_start;

  /* Compare */
  GtkDropDown       *compare_a, *compare_b, *compare_config;
  GtkStack          *compare_stack;  /* "empty", "computing" or "compare" */
  GtkSpinner        *compare_spinner;
  AdwStatusPage     *compare_empty;
  QvizCurvesView    *compare_curves;
  QvizFlameView     *compare_flame;
  GtkLabel          *compare_summary;
  GtkLabel          *compare_flame_title;
  GtkListBox        *delta_list;
  GtkLabel          *delta_more;

  /* Machines */
  GtkStack          *machines_stack; /* "empty" or "list" */
  GtkBox            *machines_box;
  GPtrArray         *machine_groups; /* the AdwPreferencesGroup in machines_box */
  GHashTable        *machines_expanded; /* machine id -> 1 open, -1 closed by the user */
};

typedef struct {
  int height, width, threads;
} QvizWindowConfig;

/* qviz-window-team.c: File > Connect to Team Database… */
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
GtkWidget *qviz_window_framed           (GtkWidget *child);
GtkDropDown *qviz_window_choice_new      (void);
char    *qviz_window_format_time        (gint64 unix_us);
char    *qviz_window_format_ms          (double ms);
char    *qviz_window_format_resolutions (const char *text);
char    *qviz_window_format_list        (const char *text);
char    *qviz_window_format_sweep_line  (const QvizSweep *sweep);
const char *qviz_window_sweep_status_label (const QvizSweep *sweep);

/* qviz-window-compare.c */
GtkWidget *qviz_window_build_compare    (QvizWindow *self);
/* Refills the A and B choices from all_sweeps: B the sweep shown, A the
 * one before it of the same model, unless the user chose others. */
void     qviz_window_update_compare_choices (QvizWindow *self);
gboolean qviz_window_has_comparison     (QvizWindow *self);
gboolean qviz_window_is_comparing       (QvizWindow *self);
/* The Compare page as one report page (PNG, SVG or PDF by extension), or
 * its comparisons as CSV. */
gboolean qviz_window_export_compare     (QvizWindow *self, const char *path, GError **error);
gboolean qviz_window_export_compare_csv (QvizWindow *self, const char *path, GError **error);

/* qviz-window-machines.c */
GtkWidget *qviz_window_build_machines   (QvizWindow *self);
void     qviz_window_reload_machines    (QvizWindow *self);
guint    qviz_window_get_n_machines     (QvizWindow *self);

/* qviz-window-actions.c */
void     qviz_window_install_actions    (QvizWindow *self);
void     qviz_window_update_actions     (QvizWindow *self);
/* Starts a sweep of the current model with the GSettings defaults and
 * self->calibration (what win.start-sweep does). */
void     qviz_window_start_sweep        (QvizWindow *self);
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

G_END_DECLS
