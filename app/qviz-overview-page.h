/* qviz-overview-page.h: the Overview page.
 *
 * The headline cards (int8 speed-up, cold start, the layer where int8
 * loses most, how the curves stand), the latency curves and the time by
 * layer class of the sweep shown.
 */
#pragma once

#include <gtk/gtk.h>

#include "qviz-breakdown-view.h"
#include "qviz-curves-view.h"
#include "qviz-window-format.h"

G_BEGIN_DECLS

#define QVIZ_TYPE_OVERVIEW_PAGE (qviz_overview_page_get_type ())
G_DECLARE_FINAL_TYPE (QvizOverviewPage, qviz_overview_page, QVIZ, OVERVIEW_PAGE, GtkWidget)

GtkWidget         *qviz_overview_page_new           (void);
/* The runs of the sweep shown (QvizRun * with layers; NULL clears) and
 * their configurations (QvizWindowConfig, sorted); the page keeps a
 * reference to both arrays. */
void               qviz_overview_page_set_runs      (QvizOverviewPage *self,
                                                     GPtrArray        *runs,
                                                     GArray           *configs);
/* The latency axis is logarithmic: the "log-scale" property. */
gboolean           qviz_overview_page_get_log_scale (QvizOverviewPage *self);
void               qviz_overview_page_set_log_scale (QvizOverviewPage *self,
                                                     gboolean          log_scale);
guint              qviz_overview_page_get_n_cards   (QvizOverviewPage *self);
QvizCurvesView    *qviz_overview_page_get_curves    (QvizOverviewPage *self);
QvizBreakdownView *qviz_overview_page_get_breakdown (QvizOverviewPage *self);

G_END_DECLS
