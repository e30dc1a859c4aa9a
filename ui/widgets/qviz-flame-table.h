/* qviz-flame-table.h: the layers of a flame chart's passes as a table,
 * heaviest first, linked both ways with the chart: selecting a span in the
 * chart selects its row and scrolls to it; activating a row (click, Enter)
 * selects the span and zooms the chart to it. */
#pragma once

#include <gtk/gtk.h>

#include "qviz-flame-view.h"

G_BEGIN_DECLS

#define QVIZ_TYPE_FLAME_TABLE (qviz_flame_table_get_type ())
G_DECLARE_FINAL_TYPE (QvizFlameTable, qviz_flame_table, QVIZ, FLAME_TABLE, GtkWidget)

GtkWidget     *qviz_flame_table_new                (void);
/* The chart to follow (NULL to stop); the table keeps no reference. */
void           qviz_flame_table_set_flame          (QvizFlameTable *self,
                                                    QvizFlameView  *flame);
QvizFlameView *qviz_flame_table_get_flame          (QvizFlameTable *self);
guint          qviz_flame_table_get_n_rows         (QvizFlameTable *self);
/* The layer index of row `row` in the shown (sorted) order, -1 if none. */
int            qviz_flame_table_get_row_layer      (QvizFlameTable *self,
                                                    guint           row);
/* Its time in band `band`, ms (NAN when the band lacks it). */
double         qviz_flame_table_get_row_ms         (QvizFlameTable *self,
                                                    guint           row,
                                                    guint           band);
/* The selected row, GTK_INVALID_LIST_POSITION for none. */
guint          qviz_flame_table_get_selected_row   (QvizFlameTable *self);
/* Does what a click on row `row` does: selects it and focuses the chart. */
void           qviz_flame_table_activate_row       (QvizFlameTable *self,
                                                    guint           row);

G_END_DECLS
