/* qviz-accuracy-page.h: the Accuracy page.
 *
 * Answers "which layer should I keep in float?": for one int8 run of the
 * sweep, each layer's own SQNR and the accumulated SQNR along the depth of
 * the model, and the layers ranked by how much accumulated SQNR they lose.
 */
#pragma once

#include <gtk/gtk.h>

#include "qviz-accuracy.h"

G_BEGIN_DECLS

#define QVIZ_TYPE_ACCURACY_PAGE (qviz_accuracy_page_get_type ())
G_DECLARE_FINAL_TYPE (QvizAccuracyPage, qviz_accuracy_page, QVIZ, ACCURACY_PAGE, GtkWidget)

GtkWidget          *qviz_accuracy_page_new          (void);
/* The runs of the sweep shown (QvizRun * with layers; NULL clears).  The
 * page keeps a reference to the array and starts on the int8 run with the
 * lowest output SQNR. */
void                qviz_accuracy_page_set_runs     (QvizAccuracyPage *self,
                                                     GPtrArray        *runs);
/* Shows run `run` (an index into the runs given); FALSE when it is not an
 * int8 run of them. */
gboolean            qviz_accuracy_page_select       (QvizAccuracyPage *self,
                                                     guint             run);
/* The int8 run shown (NULL when none; "notify::run" when it changes) and
 * its figures. */
const QvizRun      *qviz_accuracy_page_get_run      (QvizAccuracyPage *self);
const QvizAccuracy *qviz_accuracy_page_get_accuracy (QvizAccuracyPage *self);
/* Rows of the ranked list, and the title (layer path) of row k. */
guint               qviz_accuracy_page_get_n_ranked (QvizAccuracyPage *self);
const char         *qviz_accuracy_page_get_ranked_name (QvizAccuracyPage *self,
                                                        guint             k);
/* Clicks row k's "Run with this layer in float" button, which emits
 * "keep-float-requested" with the layer's path; FALSE without row k. */
gboolean            qviz_accuracy_page_request_keep_float (QvizAccuracyPage *self,
                                                           guint             k);
GtkWidget          *qviz_accuracy_page_get_chart    (QvizAccuracyPage *self);
/* What the chart's tooltip says at (x, y) of the chart, or NULL. */
char               *qviz_accuracy_page_describe_at  (QvizAccuracyPage *self,
                                                     double            x,
                                                     double            y);

G_END_DECLS
