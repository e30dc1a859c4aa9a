/* qviz-layer-table.h: the per-layer table of one configuration, float and
 * int8 side by side, sortable by every column, rows where int8 is slower
 * marked, and a filter for dilated or depthwise layers. */
#pragma once

#include <gtk/gtk.h>

#include "qviz-run.h"

G_BEGIN_DECLS

#define QVIZ_TYPE_LAYER_ITEM (qviz_layer_item_get_type ())
G_DECLARE_FINAL_TYPE (QvizLayerItem, qviz_layer_item, QVIZ, LAYER_ITEM, GObject)

const char *qviz_layer_item_get_name        (QvizLayerItem *self);
int         qviz_layer_item_get_layer_index (QvizLayerItem *self);
/* int8 time / float time; NAN when one is missing. */
double      qviz_layer_item_get_ratio       (QvizLayerItem *self);
gboolean    qviz_layer_item_get_special     (QvizLayerItem *self); /* dilated or depthwise */
/* The runtime that timed the row: "qviz", an imported profile's engine, or
 * "float one / int8 one" when they differ. */
const char *qviz_layer_item_get_engine      (QvizLayerItem *self);

#define QVIZ_TYPE_LAYER_TABLE (qviz_layer_table_get_type ())
G_DECLARE_FINAL_TYPE (QvizLayerTable, qviz_layer_table, QVIZ, LAYER_TABLE, GtkWidget)

GtkWidget  *qviz_layer_table_new              (void);
/* Fills the table from an f32 and an int8 run of the same configuration
 * (either may be NULL; read during the call only). */
void        qviz_layer_table_set_runs         (QvizLayerTable *self,
                                               const QvizRun  *f32,
                                               const QvizRun  *int8);
gboolean    qviz_layer_table_get_special_only (QvizLayerTable *self);
void        qviz_layer_table_set_special_only (QvizLayerTable *self,
                                               gboolean        special_only);
/* The rows shown, after filtering and sorting (QvizLayerItem). */
GListModel *qviz_layer_table_get_model        (QvizLayerTable *self);
/* Selects and scrolls to the layer with this index, if shown. */
void        qviz_layer_table_select_layer     (QvizLayerTable *self,
                                               int             layer_index);
/* Sorts by the column with this id ("layer", "op", "f32-ms", "int8-ms",
 * "ratio", "sqnr", "macs", ...). */
void        qviz_layer_table_sort_by          (QvizLayerTable *self,
                                               const char     *column_id,
                                               GtkSortType     direction);

/* The context menu of the row at position of the rows shown ("Run with
 * this layer in float"), pointing at (x, y) of the table; the row is
 * selected.  Right click, long press and the Menu key open it; choosing
 * the entry emits "keep-float-requested" with the layer's path. */
gboolean    qviz_layer_table_popup_menu       (QvizLayerTable *self,
                                               guint           position,
                                               double          x,
                                               double          y);
/* The menu once opened (NULL before). */
GtkPopover *qviz_layer_table_get_menu         (QvizLayerTable *self);
/* The uuid of the int8 run shown, or NULL. */
const char *qviz_layer_table_get_int8_run_uuid (QvizLayerTable *self);

/* The id of the column shown at position (0 = leftmost), or NULL. */
const char *qviz_layer_table_get_column_id    (QvizLayerTable *self,
                                               guint           position);

G_END_DECLS
