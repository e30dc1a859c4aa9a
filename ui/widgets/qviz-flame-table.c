/* qviz-flame-table.c: a flame chart's layers, heaviest first, linked to it. */

#include "qviz-config.h"
#include "qviz-flame-table.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "qviz-widgets-private.h"

#define MAX_BANDS 2

/* ---- rows ------------------------------------------------------------- */

#define QVIZ_TYPE_FLAME_ROW (qviz_flame_row_get_type ())
G_DECLARE_FINAL_TYPE (QvizFlameRow, qviz_flame_row, QVIZ, FLAME_ROW, GObject)

struct _QvizFlameRow
{
  GObject  parent_instance;
  int      layer_index;
  char    *name;
  char    *op;
  char    *kernel;
  double   ms[MAX_BANDS];
  double   share;          /* of the first band's layer time */
};

G_DEFINE_FINAL_TYPE (QvizFlameRow, qviz_flame_row, G_TYPE_OBJECT)

static void
qviz_flame_row_finalize (GObject *object)
{
  QvizFlameRow *self = QVIZ_FLAME_ROW (object);

  g_free (self->name);
  g_free (self->op);
  g_free (self->kernel);
  G_OBJECT_CLASS (qviz_flame_row_parent_class)->finalize (object);
}

static void
qviz_flame_row_class_init (QvizFlameRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = qviz_flame_row_finalize;
}

static void
qviz_flame_row_init (QvizFlameRow *self)
{
  for (int b = 0; b < MAX_BANDS; b++)
    self->ms[b] = NAN;
  self->share = NAN;
}

/* ---- columns ---------------------------------------------------------- */

typedef enum {
  COL_LAYER,
  COL_BAND0,
  COL_BAND1,
  COL_SHARE,
  COL_OP,
  COL_KERNEL,
  N_COLUMNS
} Column;

struct _QvizFlameTable
{
  GtkWidget            parent_instance;
  GtkWidget           *scrolled;
  GtkColumnView       *view;
  GtkColumnViewColumn *column[N_COLUMNS];
  GListStore          *store;
  GtkSortListModel    *sorted;
  GtkSingleSelection  *selection;
  QvizFlameView       *flame;      /* not owned */
  gboolean             syncing;    /* a selection made to follow the chart */
};

G_DEFINE_FINAL_TYPE (QvizFlameTable, qviz_flame_table, GTK_TYPE_WIDGET)

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const QvizFlameRow *x = a, *y = b;

  switch ((Column) GPOINTER_TO_INT (user_data))
    {
    case COL_LAYER:
      return x->layer_index - y->layer_index;
    case COL_BAND0:
      return qviz_widgets_compare_double (x->ms[0], y->ms[0]);
    case COL_BAND1:
      return qviz_widgets_compare_double (x->ms[1], y->ms[1]);
    case COL_SHARE:
      return qviz_widgets_compare_double (x->share, y->share);
    case COL_OP:
      return g_strcmp0 (x->op, y->op);
    case COL_KERNEL:
      return g_strcmp0 (x->kernel, y->kernel);
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
  return 0;
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  Column col = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);
  gboolean numeric = col == COL_BAND0 || col == COL_BAND1 || col == COL_SHARE;

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1.0 : 0.0);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  if (col == COL_LAYER || col == COL_KERNEL)
    {
      gtk_label_set_ellipsize (GTK_LABEL (label),
                               col == COL_LAYER ? PANGO_ELLIPSIZE_MIDDLE : PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), col == COL_LAYER ? 28 : 18);
    }
  gtk_list_item_set_child (list_item, label);
}

static char *
format_value (double      v,
              const char *format)
{
  return isnan (v) ? g_strdup ("—") : g_strdup_printf (format, v);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  QvizFlameRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *label = gtk_list_item_get_child (list_item);
  g_autofree char *text = NULL;
  const char *tooltip = NULL;

  switch ((Column) GPOINTER_TO_INT (user_data))
    {
    case COL_LAYER:
      text = g_strdup (row->name);
      tooltip = row->name;
      break;
    case COL_BAND0:
      text = format_value (row->ms[0], "%.3f");
      break;
    case COL_BAND1:
      text = format_value (row->ms[1], "%.3f");
      break;
    case COL_SHARE:
      text = format_value (100 * row->share, "%.1f%%");
      break;
    case COL_OP:
      text = g_strdup (row->op);
      break;
    case COL_KERNEL:
      text = g_strdup (row->kernel);
      tooltip = row->kernel;
      break;
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
  gtk_label_set_text (GTK_LABEL (label), text ? text : "");
  gtk_widget_set_tooltip_text (label, tooltip);
}

/* "f32 256x256, 1 thread — warm pass 3" → "f32 ms": the band's first word. */
static char *
band_title (QvizFlameData *data,
            guint          band)
{
  const char *label = qviz_flame_data_get_band_label (data, band);
  const char *space = label != NULL ? strchr (label, ' ') : NULL;
  g_autofree char *word = label == NULL ? g_strdup ("") : space ? g_strndup (label, space - label)
                                                               : g_strdup (label);

  /* TRANSLATORS: a column of layer times of one pass: "int8 ms". */
  return g_strdup_printf (_("%s ms"), word);
}

static void
rebuild (QvizFlameTable *self)
{
  QvizFlameData *data = self->flame != NULL ? qviz_flame_view_get_data (self->flame) : NULL;
  g_autoptr (GHashTable) by_layer = g_hash_table_new (NULL, NULL);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_bands = data != NULL ? MIN (qviz_flame_data_get_n_bands (data), MAX_BANDS) : 0;
  double band_total = 0;

  for (guint i = 0; data != NULL && i < qviz_flame_data_get_n_spans (data); i++)
    {
      const QvizFlameSpan *s = qviz_flame_data_get_span (data, i);
      QvizFlameRow *row;

      /* layers only: not passes, modules or a layer's kernel phases */
      if (s->layer_index < 0 || s->band >= n_bands
          || (s->parent >= 0 && qviz_flame_data_get_span (data, (guint) s->parent)->layer_index >= 0))
        continue;
      row = g_hash_table_lookup (by_layer, GINT_TO_POINTER (s->layer_index + 1));
      if (row == NULL)
        {
          row = g_object_new (QVIZ_TYPE_FLAME_ROW, NULL);
          row->layer_index = s->layer_index;
          row->name = g_strdup (s->name);
          row->op = g_strdup (s->op ? s->op : "");
          row->kernel = g_strdup (s->kernel ? s->kernel : "");
          g_hash_table_insert (by_layer, GINT_TO_POINTER (s->layer_index + 1), row);
          g_ptr_array_add (rows, row);
        }
      row->ms[s->band] = (isnan (row->ms[s->band]) ? 0 : row->ms[s->band])
                         + (s->end_ns - s->start_ns) / 1e6;
      if (s->band == 0)
        band_total += (s->end_ns - s->start_ns) / 1e6;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      QvizFlameRow *row = g_ptr_array_index (rows, i);
      row->share = band_total > 0 && !isnan (row->ms[0]) ? row->ms[0] / band_total : NAN;
    }

  for (guint b = 0; b < MAX_BANDS; b++)
    {
      GtkColumnViewColumn *column = self->column[COL_BAND0 + b];
      gtk_column_view_column_set_visible (column, b < n_bands);
      if (b < n_bands)
        {
          g_autofree char *title = band_title (data, b);
          gtk_column_view_column_set_title (column, title);
        }
    }
  self->syncing = TRUE;
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       rows->pdata, rows->len);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  self->syncing = FALSE;
}

static guint
position_of_layer (QvizFlameTable *self,
                   int             layer_index)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (QvizFlameRow) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);
      if (row->layer_index == layer_index)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static void
scroll_to (QvizFlameTable *self,
           guint           position)
{
  /* GTK 4.8's column view has no scroll_to; its list view has the action. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->view)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
}

/* The chart's selection moved: follow it. */
static void
on_flame_selected (QvizFlameTable *self)
{
  int layer = qviz_flame_view_get_selected_layer (self->flame);
  guint position = layer >= 0 ? position_of_layer (self, layer) : GTK_INVALID_LIST_POSITION;

  if (self->syncing)
    return;
  self->syncing = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->syncing = FALSE;
  if (position != GTK_INVALID_LIST_POSITION)
    scroll_to (self, position);
}

/* The user picked a row: show it in the chart. */
static void
on_row_selected (QvizFlameTable *self)
{
  g_autoptr (QvizFlameRow) row = NULL;

  if (self->syncing || self->flame == NULL)
    return;
  row = gtk_single_selection_get_selected_item (self->selection) != NULL
        ? g_object_ref (gtk_single_selection_get_selected_item (self->selection)) : NULL;
  if (row == NULL)
    return;
  self->syncing = TRUE;
  qviz_flame_view_focus_layer (self->flame, row->layer_index);
  self->syncing = FALSE;
}

static void
on_activate (GtkColumnView  *view,
             guint           position,
             QvizFlameTable *self)
{
  qviz_flame_table_activate_row (self, position);
}

/* ---- public ----------------------------------------------------------- */

GtkWidget *
qviz_flame_table_new (void)
{
  return g_object_new (QVIZ_TYPE_FLAME_TABLE, NULL);
}

void
qviz_flame_table_set_flame (QvizFlameTable *self,
                            QvizFlameView  *flame)
{
  g_return_if_fail (QVIZ_IS_FLAME_TABLE (self));
  g_return_if_fail (flame == NULL || QVIZ_IS_FLAME_VIEW (flame));

  if (self->flame == flame)
    return;
  if (self->flame != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->flame, self);
      g_object_remove_weak_pointer (G_OBJECT (self->flame), (gpointer *) &self->flame);
    }
  self->flame = flame;
  if (flame != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (flame), (gpointer *) &self->flame);
      g_signal_connect_swapped (flame, "data-changed", G_CALLBACK (rebuild), self);
      g_signal_connect_swapped (flame, "notify::selected-layer", G_CALLBACK (on_flame_selected), self);
    }
  rebuild (self);
}

QvizFlameView *
qviz_flame_table_get_flame (QvizFlameTable *self)
{
  g_return_val_if_fail (QVIZ_IS_FLAME_TABLE (self), NULL);
  return self->flame;
}

guint
qviz_flame_table_get_n_rows (QvizFlameTable *self)
{
  g_return_val_if_fail (QVIZ_IS_FLAME_TABLE (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
}

int
qviz_flame_table_get_row_layer (QvizFlameTable *self,
                                guint           row)
{
  g_autoptr (QvizFlameRow) item = NULL;

  g_return_val_if_fail (QVIZ_IS_FLAME_TABLE (self), -1);
  item = g_list_model_get_item (G_LIST_MODEL (self->sorted), row);
  return item != NULL ? item->layer_index : -1;
}

double
qviz_flame_table_get_row_ms (QvizFlameTable *self,
                             guint           row,
                             guint           band)
{
  g_autoptr (QvizFlameRow) item = NULL;

  g_return_val_if_fail (QVIZ_IS_FLAME_TABLE (self), NAN);
  item = g_list_model_get_item (G_LIST_MODEL (self->sorted), row);
  return item != NULL && band < MAX_BANDS ? item->ms[band] : NAN;
}

guint
qviz_flame_table_get_selected_row (QvizFlameTable *self)
{
  g_return_val_if_fail (QVIZ_IS_FLAME_TABLE (self), GTK_INVALID_LIST_POSITION);
  return gtk_single_selection_get_selected (self->selection);
}

void
qviz_flame_table_activate_row (QvizFlameTable *self,
                               guint           row)
{
  g_return_if_fail (QVIZ_IS_FLAME_TABLE (self));

  if (row >= g_list_model_get_n_items (G_LIST_MODEL (self->sorted)))
    return;
  if (gtk_single_selection_get_selected (self->selection) != row)
    gtk_single_selection_set_selected (self->selection, row);   /* focuses the chart */
  else
    on_row_selected (self);
}

/* ---- GObject ---------------------------------------------------------- */

static void
qviz_flame_table_dispose (GObject *object)
{
  QvizFlameTable *self = QVIZ_FLAME_TABLE (object);

  qviz_flame_table_set_flame (self, NULL);
  g_clear_pointer (&self->scrolled, gtk_widget_unparent);
  g_clear_object (&self->selection);
  g_clear_object (&self->sorted);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (qviz_flame_table_parent_class)->dispose (object);
}

static void
qviz_flame_table_class_init (QvizFlameTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qviz_flame_table_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "qvizflametable");
}

static void
qviz_flame_table_init (QvizFlameTable *self)
{
  static const struct {
    const char *title;
    gboolean    expand;
  } columns[N_COLUMNS] = {
    [COL_LAYER]  = { N_("Layer"), TRUE },
    [COL_BAND0]  = { N_("ms"), FALSE },
    [COL_BAND1]  = { N_("ms"), FALSE },
    [COL_SHARE]  = { N_("Share"), FALSE },
    [COL_OP]     = { N_("Op"), FALSE },
    [COL_KERNEL] = { N_("Kernel"), FALSE },
  };

  self->store = g_list_store_new (QVIZ_TYPE_FLAME_ROW);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->store)), NULL);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sorted)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (on_row_selected), self);

  self->view = GTK_COLUMN_VIEW (gtk_column_view_new (GTK_SELECTION_MODEL (g_object_ref (self->selection))));
  gtk_column_view_set_show_column_separators (self->view, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "data-table");
  g_signal_connect (self->view, "activate", G_CALLBACK (on_activate), self);
  for (int c = 0; c < N_COLUMNS; c++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (c));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (c));
      column = gtk_column_view_column_new (_(columns[c].title), factory);
      gtk_column_view_column_set_sorter (column,
        GTK_SORTER (gtk_custom_sorter_new (compare_rows, GINT_TO_POINTER (c), NULL)));
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, columns[c].expand);
      gtk_column_view_append_column (self->view, column);
      self->column[c] = column;
      g_object_unref (column);
    }
  gtk_sort_list_model_set_sorter (self->sorted, gtk_column_view_get_sorter (self->view));
  /* bottom-up: the heaviest layer of the first pass first */
  gtk_column_view_sort_by_column (self->view, self->column[COL_BAND0], GTK_SORT_DESCENDING);

  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), GTK_WIDGET (self->view));
  gtk_widget_set_parent (self->scrolled, GTK_WIDGET (self));
}
