/* qviz-sqnr-banner.h: a bar at the top of the content naming the int8
 * layers whose own SQNR is below QVIZ_SQNR_WARNING_DB, with a button to the
 * Accuracy page (libadwaita 1.2 has no AdwBanner). */
#pragma once

#include <gtk/gtk.h>

#include "qviz-run.h"

G_BEGIN_DECLS

#define QVIZ_TYPE_SQNR_BANNER (qviz_sqnr_banner_get_type ())
G_DECLARE_FINAL_TYPE (QvizSqnrBanner, qviz_sqnr_banner, QVIZ, SQNR_BANNER, GtkWidget)

GtkWidget  *qviz_sqnr_banner_new          (void);
/* Shows the bar when run (read during the call only; NULL hides it) is an
 * int8 run with layers below the threshold, and hides it otherwise. */
void        qviz_sqnr_banner_set_run      (QvizSqnrBanner *self,
                                           const QvizRun  *run);
gboolean    qviz_sqnr_banner_get_revealed (QvizSqnrBanner *self);
/* What the bar says ("" when hidden). */
const char *qviz_sqnr_banner_get_message  (QvizSqnrBanner *self);
/* The "Show Accuracy" button. */
GtkWidget  *qviz_sqnr_banner_get_button   (QvizSqnrBanner *self);
/* "a, b, c and 2 more": the first three of the layers' names, then how
 * many are left; NULL for none. */
char       *qviz_sqnr_banner_format_names (const QvizRun  *run,
                                           GArray         *layers);

G_END_DECLS
