/* qviz-compare-page-private.h: the Compare page's state and widgets, for
 * the GUI tests that drive them. */
#pragma once

#include "qviz-compare-page.h"
#include "qviz-curves-view.h"
#include "qviz-flame-view.h"

G_BEGIN_DECLS

struct _QvizComparePage
{
  GtkWidget       parent_instance;

  QvizStore      *store;          /* not owned */
  GPtrArray      *all_sweeps;     /* QvizSweep *, of every model (shared) */
  GPtrArray      *runs_a, *runs_b; /* QvizRun *, with layers and spans */
  GPtrArray      *comparisons;    /* QvizRunComparison * of matched runs */
  char           *uuid_a, *uuid_b; /* the sweeps chosen */
  char           *chosen_for;     /* sweep shown when A and B were chosen */
  char           *filled;         /* what the page shows: A, B, their runs */
  gboolean        dirty;          /* refill when the page is next shown */
  gboolean        computing;      /* a worker loads and compares A and B */
  guint           generation;     /* which worker's answer is awaited */
  GCancellable   *cancellable;
  gboolean        log_scale;

  GtkDropDown    *choice_a, *choice_b, *config_choice;
  GtkStack       *stack;          /* "empty", "computing" or "compare" */
  GtkSpinner     *spinner;
  QvizCurvesView *curves;
  QvizFlameView  *flame;
  GtkLabel       *summary;
  GtkLabel       *flame_title;
  GtkListBox     *delta_list;
  GtkLabel       *delta_more;
};

G_END_DECLS
