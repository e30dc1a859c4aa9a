/* qviz-flame-page.h: the Flame chart page.
 *
 * One configuration's pass, f32 over int8, layer by layer, with a search
 * that counts its matches.  The window gives it the configurations of the
 * sweep shown and the two runs of the one chosen; activating a frame emits
 * "layer-activated" so the window can show the layer elsewhere.
 */
#pragma once

#include <gtk/gtk.h>

#include "qviz-flame-view.h"

G_BEGIN_DECLS

#define QVIZ_TYPE_FLAME_PAGE (qviz_flame_page_get_type ())
G_DECLARE_FINAL_TYPE (QvizFlamePage, qviz_flame_page, QVIZ, FLAME_PAGE, GtkWidget)

GtkWidget     *qviz_flame_page_new                (void);
/* The configurations to choose from (GtkStringObject labels) and which is
 * chosen: the "configurations" and "selected" properties. */
GListModel    *qviz_flame_page_get_configurations (QvizFlamePage *self);
void           qviz_flame_page_set_configurations (QvizFlamePage *self,
                                                   GListModel    *configurations);
guint          qviz_flame_page_get_selected       (QvizFlamePage *self);
void           qviz_flame_page_set_selected       (QvizFlamePage *self,
                                                   guint          selected);
/* The chosen configuration's runs (either may be NULL), shown from the
 * steady state; the caller keeps them alive until the next call. */
void           qviz_flame_page_set_runs           (QvizFlamePage *self,
                                                   const QvizRun *f32,
                                                   const QvizRun *int8);
QvizFlameView *qviz_flame_page_get_flame          (QvizFlamePage *self);
/* Puts the keyboard in the search entry. */
void           qviz_flame_page_focus_search       (QvizFlamePage *self);

G_END_DECLS
