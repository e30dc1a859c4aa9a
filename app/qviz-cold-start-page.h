/* qviz-cold-start-page.h: the Cold start page.
 *
 * Answers "what makes the first passes slow?": for one run of the sweep,
 * the plan, each cold pass and the warm steady state; the chosen cold pass
 * as a differential flame chart against the same layers warm; and the
 * layers ranked by the extra time they took in it.
 */
#pragma once

#include <gtk/gtk.h>

#include "qviz-cold-start.h"

G_BEGIN_DECLS

#define QVIZ_TYPE_COLD_START_PAGE (qviz_cold_start_page_get_type ())
G_DECLARE_FINAL_TYPE (QvizColdStartPage, qviz_cold_start_page, QVIZ, COLD_START_PAGE, GtkWidget)

GtkWidget          *qviz_cold_start_page_new          (void);
/* The runs of the sweep shown (QvizRun * with layers and spans; NULL
 * clears).  The page keeps a reference to the array.  It starts on the run
 * whose first pass is the largest multiple of its steady state. */
void                qviz_cold_start_page_set_runs     (QvizColdStartPage *self,
                                                       GPtrArray         *runs);
/* Shows run `run` (an index into the runs given) and its cold pass `pass`
 * (0-based); FALSE when there is no such pair. */
gboolean            qviz_cold_start_page_select       (QvizColdStartPage *self,
                                                       guint              run,
                                                       guint              pass);
/* What the page shows: the run (NULL when none), its cold pass figures. */
const QvizRun      *qviz_cold_start_page_get_run      (QvizColdStartPage *self);
const QvizColdPass *qviz_cold_start_page_get_pass     (QvizColdStartPage *self);
/* Rows of the ranked list, and the flame chart. */
guint               qviz_cold_start_page_get_n_ranked (QvizColdStartPage *self);
/* Rows of the plan's per-layer breakdown (0 when the run has none). */
guint               qviz_cold_start_page_get_n_plan_rows (QvizColdStartPage *self);
GtkWidget          *qviz_cold_start_page_get_flame    (QvizColdStartPage *self);

G_END_DECLS
