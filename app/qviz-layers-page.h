/* qviz-layers-page.h: the Layers page.
 *
 * One configuration's layers, f32 against int8, in a sortable table; the
 * window gives it the configurations of the sweep shown (bound to the
 * Flame chart's choice, so one choice drives both pages) and the two runs
 * of the configuration chosen.
 */
#pragma once

#include <gtk/gtk.h>

#include "qviz-layer-table.h"

G_BEGIN_DECLS

#define QVIZ_TYPE_LAYERS_PAGE (qviz_layers_page_get_type ())
G_DECLARE_FINAL_TYPE (QvizLayersPage, qviz_layers_page, QVIZ, LAYERS_PAGE, GtkWidget)

GtkWidget      *qviz_layers_page_new                (void);
/* The configurations to choose from (GtkStringObject labels) and which is
 * chosen: the "configurations" and "selected" properties. */
GListModel     *qviz_layers_page_get_configurations (QvizLayersPage *self);
void            qviz_layers_page_set_configurations (QvizLayersPage *self,
                                                     GListModel     *configurations);
guint           qviz_layers_page_get_selected       (QvizLayersPage *self);
void            qviz_layers_page_set_selected       (QvizLayersPage *self,
                                                     guint           selected);
/* The chosen configuration's runs (either may be NULL; read during the
 * call only). */
void            qviz_layers_page_set_runs           (QvizLayersPage *self,
                                                     const QvizRun  *f32,
                                                     const QvizRun  *int8);
/* Selects and scrolls to the layer (its index in the model). */
void            qviz_layers_page_select_layer       (QvizLayersPage *self,
                                                     int             layer_index);
QvizLayerTable *qviz_layers_page_get_table          (QvizLayersPage *self);

G_END_DECLS
