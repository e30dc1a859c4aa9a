/* qviz-window-private.h: QvizWindow's state, shared by qviz-window.c (the
 * widgets and what they show) and qviz-window-actions.c (what the user
 * does).  Tests read it too. */
#pragma once

#include "qviz-window.h"

#include "qviz-breakdown-view.h"
#include "qviz-curves-view.h"
#include "qviz-flame-view.h"
#include "qviz-layer-table.h"
#include "qviz-graph.h"
#include "qviz-store.h"

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
  GPtrArray         *all_sweeps;    /* QvizSweep * of every model, for Compare */
  char              *sweep_uuid;    /* the sweep shown */
  GPtrArray         *runs;          /* its QvizRun *, with details */
  GArray            *configs;       /* Config: (resolution, threads) of runs */
  GPtrArray         *compare_runs_a, *compare_runs_b;
  guint              loading_model; /* model loads in flight */

  /* Sweep in progress */
  GCancellable      *cancellable;
  gint64             sweep_started_us;
  int                sweep_done, sweep_total;

  /* Header */
  GtkMenuButton     *model_button;
  GtkMenuButton     *export_button;
  GtkWidget         *progress_box;
  GtkProgressBar    *progress_bar;
  AdwViewSwitcherTitle *switcher_title;

  AdwToastOverlay   *toasts;
  GtkListBox        *sweep_list;
  GtkStack          *content_stack; /* "empty" or "pages" */
  AdwStatusPage     *empty_page;
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
  QvizFlameView     *flame;
  GtkLabel          *flame_status;

  /* Layers */
  GtkDropDown       *layers_config;
  GtkToggleButton   *special_toggle;
  QvizLayerTable    *layer_table;

  /* Compare */
  GtkDropDown       *compare_a, *compare_b;
  QvizCurvesView    *compare_curves_a, *compare_curves_b;
  GtkLabel          *compare_summary;
  GtkListBox        *delta_list;
};

typedef struct {
  int height, width, threads;
} QvizWindowConfig;

/* qviz-window.c */
void     qviz_window_reload_sweeps      (QvizWindow *self, const char *select_uuid);
void     qviz_window_show_sweep         (QvizWindow *self, const char *sweep_uuid);
void     qviz_window_set_model_info     (QvizWindow *self, const char *spec,
                                         const char *name, const char *sha256);
void     qviz_window_update_model_menu  (QvizWindow *self);
guint    qviz_window_get_n_sweep_rows   (QvizWindow *self);
gboolean qviz_window_is_running         (QvizWindow *self);
gboolean qviz_window_is_loading         (QvizWindow *self);

/* qviz-window-actions.c */
void     qviz_window_install_actions    (QvizWindow *self);
void     qviz_window_update_actions     (QvizWindow *self);
/* Starts a sweep of the current model with the GSettings defaults and
 * self->calibration (what win.start-sweep does). */
void     qviz_window_start_sweep        (QvizWindow *self);
void     qviz_window_cancel_sweep       (QvizWindow *self);
void     qviz_window_load_model_async   (QvizWindow *self, const char *spec);

G_END_DECLS
