/* qviz-compare-page.h: the Compare page.
 *
 * Two sweeps (two machines, two versions, two ISAs) side by side: both
 * sweeps' latency curves on one chart, and for one configuration they
 * have in common a differential flame chart and a table of every layer's
 * change.  The comparison is computed in a worker when the page is shown,
 * with a spinner meanwhile; the figures come from the engine
 * (qviz-compare.h) and the chart adapters.
 */
#pragma once

#include <gtk/gtk.h>

#include "qviz-store.h"

G_BEGIN_DECLS

#define QVIZ_TYPE_COMPARE_PAGE (qviz_compare_page_get_type ())
G_DECLARE_FINAL_TYPE (QvizComparePage, qviz_compare_page, QVIZ, COMPARE_PAGE, GtkWidget)

GtkWidget  *qviz_compare_page_new             (void);
/* The sweeps to choose A and B from: all_sweeps (QvizSweep *, of every
 * model, newest first; the page keeps a reference) of store (not owned; it
 * must outlive the page or be replaced first).  B is the sweep shown_uuid,
 * A the one of the same model before it, unless the user chose others
 * while the same sweep was shown. */
void        qviz_compare_page_set_sweeps      (QvizComparePage *self,
                                               QvizStore       *store,
                                               GPtrArray       *all_sweeps,
                                               const char      *shown_uuid);
/* The uuids of the sweeps chosen as A and B, or NULL. */
const char *qviz_compare_page_get_uuid_a      (QvizComparePage *self);
const char *qviz_compare_page_get_uuid_b      (QvizComparePage *self);
/* A worker is loading and comparing A and B: the "computing" property. */
gboolean    qviz_compare_page_is_computing    (QvizComparePage *self);
/* A and B share at least one configuration and its comparison is shown:
 * the "has-comparison" property. */
gboolean    qviz_compare_page_has_comparison  (QvizComparePage *self);
/* The latency axis is logarithmic: the "log-scale" property. */
gboolean    qviz_compare_page_get_log_scale   (QvizComparePage *self);
void        qviz_compare_page_set_log_scale   (QvizComparePage *self,
                                               gboolean         log_scale);
/* The page as one report page (PNG, SVG or PDF by path's extension), or
 * its comparisons as CSV. */
gboolean    qviz_compare_page_export          (QvizComparePage *self,
                                               const char      *path,
                                               GError         **error);
gboolean    qviz_compare_page_export_csv      (QvizComparePage *self,
                                               const char      *path,
                                               GError         **error);

G_END_DECLS
