/* qviz-layer-table.c: a GtkColumnView over the layers of one configuration. */

#include "qviz-config.h"
#include "qviz-layer-table.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "qviz-axis.h"
#include "qviz-widgets-private.h"

/* ---- row type ------------------------------------------------------- */

struct _QvizLayerItem
{
  GObject  parent_instance;
  char    *name;
  char    *op;
  char    *layer_class;
  char    *engine;        /* "qviz", "pytorch 1.13 onednn", or "f32 / int8" ones */
  char    *kernel_f32, *reason_f32;
  char    *kernel_int8, *reason_int8;
  char    *out_shape;
  int      kernel_h, kernel_w, stride, dilation, groups;
  guint64  macs;
  double   f32_ms, int8_ms;
  double   sqnr;
  gboolean special;
  int      layer_index;
};

G_DEFINE_FINAL_TYPE (QvizLayerItem, qviz_layer_item, G_TYPE_OBJECT)

static void
qviz_layer_item_finalize (GObject *object)
{
  QvizLayerItem *self = QVIZ_LAYER_ITEM (object);

  g_free (self->name);
  g_free (self->op);
  g_free (self->layer_class);
  g_free (self->engine);
  g_free (self->kernel_f32);
  g_free (self->reason_f32);
  g_free (self->kernel_int8);
  g_free (self->reason_int8);
  g_free (self->out_shape);
  G_OBJECT_CLASS (qviz_layer_item_parent_class)->finalize (object);
}

static void
qviz_layer_item_class_init (QvizLayerItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = qviz_layer_item_finalize;
}

static void
qviz_layer_item_init (QvizLayerItem *self)
{
  self->f32_ms = self->int8_ms = self->sqnr = NAN;
  self->layer_index = -1;
}

const char *
qviz_layer_item_get_name (QvizLayerItem *self)
{
  g_return_val_if_fail (QVIZ_IS_LAYER_ITEM (self), NULL);
  return self->name;
}

int
qviz_layer_item_get_layer_index (QvizLayerItem *self)
{
  g_return_val_if_fail (QVIZ_IS_LAYER_ITEM (self), -1);
  return self->layer_index;
}

double
qviz_layer_item_get_ratio (QvizLayerItem *self)
{
  g_return_val_if_fail (QVIZ_IS_LAYER_ITEM (self), NAN);
  return self->int8_ms / self->f32_ms;
}

gboolean
qviz_layer_item_get_special (QvizLayerItem *self)
{
  g_return_val_if_fail (QVIZ_IS_LAYER_ITEM (self), FALSE);
  return self->special;
}

const char *
qviz_layer_item_get_engine (QvizLayerItem *self)
{
  g_return_val_if_fail (QVIZ_IS_LAYER_ITEM (self), NULL);
  return self->engine;
}

static double
item_gmacs (QvizLayerItem *item,
            double         ms)
{
  return ms > 0 ? item->macs / (ms * 1e6) : NAN;
}

/* ---- columns -------------------------------------------------------- */

typedef enum {
  /* In the order shown: what the two questions need first (times, the
   * ratio, the int8 error), then what the layer is and how it ran. */
  COL_LAYER,
  COL_F32_MS,
  COL_INT8_MS,
  COL_RATIO,
  COL_SQNR,
  COL_OP,
  COL_CLASS,
  COL_ENGINE,
  COL_KERNEL_F32,
  COL_KERNEL_INT8,
  COL_SHAPE,
  COL_KSIZE,
  COL_STRIDE,
  COL_DILATION,
  COL_GROUPS,
  COL_MACS,
  COL_GMACS_F32,
  COL_GMACS_INT8,
  N_COLUMNS
} Column;

static const struct {
  const char *id;
  const char *title;
  gboolean    numeric;
  gboolean    expand;
} columns[N_COLUMNS] = {
  [COL_LAYER]      = { "layer", N_("Layer"), FALSE, TRUE },
  [COL_OP]         = { "op", N_("Op"), FALSE, FALSE },
  [COL_CLASS]      = { "class", N_("Class"), FALSE, FALSE },
  [COL_ENGINE]     = { "engine", N_("Engine"), FALSE, FALSE },
  [COL_KERNEL_F32] = { "kernel-f32", N_("f32 kernel"), FALSE, FALSE },
  [COL_KERNEL_INT8]= { "kernel-int8", N_("int8 kernel"), FALSE, FALSE },
  [COL_SHAPE]      = { "shape", N_("Output"), FALSE, FALSE },
  [COL_KSIZE]      = { "kernel-size", N_("K"), TRUE, FALSE },
  [COL_STRIDE]     = { "stride", N_("Stride"), TRUE, FALSE },
  [COL_DILATION]   = { "dilation", N_("Dilation"), TRUE, FALSE },
  [COL_GROUPS]     = { "groups", N_("Groups"), TRUE, FALSE },
  [COL_MACS]       = { "macs", N_("MACs"), TRUE, FALSE },
  [COL_F32_MS]     = { "f32-ms", N_("f32 ms"), TRUE, FALSE },
  [COL_INT8_MS]    = { "int8-ms", N_("int8 ms"), TRUE, FALSE },
  [COL_RATIO]      = { "ratio", N_("int8/f32"), TRUE, FALSE },
  [COL_GMACS_F32]  = { "gmacs-f32", N_("f32 GMAC/s"), TRUE, FALSE },
  [COL_GMACS_INT8] = { "gmacs-int8", N_("int8 GMAC/s"), TRUE, FALSE },
  [COL_SQNR]       = { "sqnr", N_("SQNR dB"), TRUE, FALSE },
};

struct _QvizLayerTable
{
  GtkWidget            parent_instance;
  GtkWidget           *scrolled;
  GtkColumnView       *view;
  GtkColumnViewColumn *column[N_COLUMNS];
  GListStore          *store;
  GtkCustomFilter     *filter;
  GtkFilterListModel  *filtered;
  GtkSortListModel    *sorted;
  GtkSingleSelection  *selection;
  gboolean             special_only;
};

enum { PROP_0, PROP_SPECIAL_ONLY, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { LAYER_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (QvizLayerTable, qviz_layer_table, GTK_TYPE_WIDGET)

static int
compare_double (double a,
                double b)
{
  /* Missing values sort after every number, in both directions' base. */
  if (isnan (a) || isnan (b))
    return isnan (a) - isnan (b);
  return (a > b) - (a < b);
}

static int
compare_items (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  QvizLayerItem *x = (QvizLayerItem *) a, *y = (QvizLayerItem *) b;
  Column col = GPOINTER_TO_INT (user_data);

  switch (col)
    {
    case COL_LAYER:
      return x->layer_index - y->layer_index;
    case COL_OP:
      return g_strcmp0 (x->op, y->op);
    case COL_CLASS:
      return g_strcmp0 (x->layer_class, y->layer_class);
    case COL_ENGINE:
      return g_strcmp0 (x->engine, y->engine);
    case COL_KERNEL_F32:
      return g_strcmp0 (x->kernel_f32, y->kernel_f32);
    case COL_KERNEL_INT8:
      return g_strcmp0 (x->kernel_int8, y->kernel_int8);
    case COL_SHAPE:
      return g_strcmp0 (x->out_shape, y->out_shape);
    case COL_KSIZE:
      return (x->kernel_h * x->kernel_w) - (y->kernel_h * y->kernel_w);
    case COL_STRIDE:
      return x->stride - y->stride;
    case COL_DILATION:
      return x->dilation - y->dilation;
    case COL_GROUPS:
      return x->groups - y->groups;
    case COL_MACS:
      return (x->macs > y->macs) - (x->macs < y->macs);
    case COL_F32_MS:
      return compare_double (x->f32_ms, y->f32_ms);
    case COL_INT8_MS:
      return compare_double (x->int8_ms, y->int8_ms);
    case COL_RATIO:
      return compare_double (qviz_layer_item_get_ratio (x), qviz_layer_item_get_ratio (y));
    case COL_GMACS_F32:
      return compare_double (item_gmacs (x, x->f32_ms), item_gmacs (y, y->f32_ms));
    case COL_GMACS_INT8:
      return compare_double (item_gmacs (x, x->int8_ms), item_gmacs (y, y->int8_ms));
    case COL_SQNR:
      return compare_double (x->sqnr, y->sqnr);
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
  return 0;
}

static char *
format_number (double value,
               const char *format)
{
  if (isnan (value) || isinf (value))
    return g_strdup ("—");
  return g_strdup_printf (format, value);
}

static char *
format_macs (guint64 macs)
{
  if (macs == 0)
    return g_strdup ("—");
  if (macs >= 1000000000)
    return g_strdup_printf ("%.2f G", macs / 1e9);
  if (macs >= 1000000)
    return g_strdup_printf ("%.1f M", macs / 1e6);
  if (macs >= 1000)
    return g_strdup_printf ("%.1f k", macs / 1e3);
  return g_strdup_printf ("%" G_GUINT64_FORMAT, macs);
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  Column col = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), columns[col].numeric ? 1.0 : 0.0);
  if (columns[col].numeric)
    gtk_widget_add_css_class (label, "numeric");
  if (col == COL_LAYER || col == COL_KERNEL_F32 || col == COL_KERNEL_INT8)
    {
      /* a path keeps its first and last parts; the tooltip has it all */
      gtk_label_set_ellipsize (GTK_LABEL (label),
                               col == COL_LAYER ? PANGO_ELLIPSIZE_MIDDLE : PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), col == COL_LAYER ? 28 : 18);
    }
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  Column col = GPOINTER_TO_INT (user_data);
  QvizLayerItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *label = gtk_list_item_get_child (list_item);
  g_autofree char *text = NULL;
  const char *tooltip = NULL;
  double ratio = qviz_layer_item_get_ratio (item);

  switch (col)
    {
    case COL_LAYER:
      text = g_strdup (item->name);
      tooltip = item->name;
      break;
    case COL_OP:
      text = g_strdup (item->op);
      break;
    case COL_CLASS:
      text = g_strdup (item->layer_class);
      break;
    case COL_ENGINE:
      text = g_strdup (item->engine);
      break;
    case COL_KERNEL_F32:
      text = g_strdup (item->kernel_f32 ? item->kernel_f32 : "—");
      tooltip = item->reason_f32;
      break;
    case COL_KERNEL_INT8:
      text = g_strdup (item->kernel_int8 ? item->kernel_int8 : "—");
      tooltip = item->reason_int8;
      break;
    case COL_SHAPE:
      text = g_strdup (item->out_shape);
      break;
    case COL_KSIZE:
      text = item->kernel_h > 0 ? g_strdup_printf ("%d×%d", item->kernel_h, item->kernel_w)
                                : g_strdup ("—");
      break;
    case COL_STRIDE:
      text = item->kernel_h > 0 ? g_strdup_printf ("%d", item->stride) : g_strdup ("—");
      break;
    case COL_DILATION:
      text = item->kernel_h > 0 ? g_strdup_printf ("%d", item->dilation) : g_strdup ("—");
      break;
    case COL_GROUPS:
      text = item->kernel_h > 0 ? g_strdup_printf ("%d", item->groups) : g_strdup ("—");
      break;
    case COL_MACS:
      text = format_macs (item->macs);
      break;
    case COL_F32_MS:
      text = format_number (item->f32_ms, "%.3f");
      break;
    case COL_INT8_MS:
      text = format_number (item->int8_ms, "%.3f");
      break;
    case COL_RATIO:
      text = format_number (ratio, "%.2f×");
      break;
    case COL_GMACS_F32:
      text = format_number (item_gmacs (item, item->f32_ms), "%.1f");
      break;
    case COL_GMACS_INT8:
      text = format_number (item_gmacs (item, item->int8_ms), "%.1f");
      break;
    case COL_SQNR:
      text = format_number (item->sqnr, "%.1f");
      break;
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
  gtk_label_set_text (GTK_LABEL (label), text ? text : "");
  gtk_widget_set_tooltip_text (label, tooltip);
  /* GTK 4.8 column views cannot style a whole row, so every cell of a row
   * where int8 loses carries the class. */
  if (ratio > 1.0)
    gtk_widget_add_css_class (label, "int8-slower");
  else
    gtk_widget_remove_css_class (label, "int8-slower");
  if (item->special)
    gtk_widget_add_css_class (label, "special-layer");
  else
    gtk_widget_remove_css_class (label, "special-layer");
}

static gboolean
filter_special (gpointer item,
                gpointer user_data)
{
  QvizLayerTable *self = user_data;

  return !self->special_only || QVIZ_LAYER_ITEM (item)->special;
}

static void
on_activate (GtkColumnView  *view,
             guint           position,
             QvizLayerTable *self)
{
  g_autoptr (QvizLayerItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (item != NULL)
    g_signal_emit (self, signals[LAYER_ACTIVATED], 0, item->layer_index, item->name);
}

static void
ensure_css (void)
{
  static gboolean done;
  g_autoptr (GtkCssProvider) provider = NULL;

  if (done)
    return;
  done = TRUE;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider,
    "qvizlayertable label.int8-slower { color: @error_color; font-weight: bold; }\n"
    "qvizlayertable label.special-layer.int8-slower { color: @error_color; }\n",
    -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
qviz_layer_table_dispose (GObject *object)
{
  QvizLayerTable *self = QVIZ_LAYER_TABLE (object);

  g_clear_pointer (&self->scrolled, gtk_widget_unparent);
  g_clear_object (&self->selection);
  G_OBJECT_CLASS (qviz_layer_table_parent_class)->dispose (object);
}

static void
qviz_layer_table_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  QvizLayerTable *self = QVIZ_LAYER_TABLE (object);

  switch (prop_id)
    {
    case PROP_SPECIAL_ONLY:
      g_value_set_boolean (value, self->special_only);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_layer_table_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  QvizLayerTable *self = QVIZ_LAYER_TABLE (object);

  switch (prop_id)
    {
    case PROP_SPECIAL_ONLY:
      qviz_layer_table_set_special_only (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_layer_table_class_init (QvizLayerTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qviz_layer_table_dispose;
  object_class->get_property = qviz_layer_table_get_property;
  object_class->set_property = qviz_layer_table_set_property;

  properties[PROP_SPECIAL_ONLY] =
    g_param_spec_boolean ("special-only", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A row was activated: the layer's index in its run and its path. */
  signals[LAYER_ACTIVATED] =
    g_signal_new ("layer-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "qvizlayertable");
}

static void
qviz_layer_table_init (QvizLayerTable *self)
{
  self->store = g_list_store_new (QVIZ_TYPE_LAYER_ITEM);
  self->filter = gtk_custom_filter_new (filter_special, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (self->store),
                                              GTK_FILTER (self->filter));
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered), NULL);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);

  self->view = GTK_COLUMN_VIEW (gtk_column_view_new (GTK_SELECTION_MODEL (g_object_ref (self->selection))));
  gtk_column_view_set_show_column_separators (self->view, TRUE);
  /* columns can be dragged into the order a user wants */
  gtk_column_view_set_reorderable (self->view, TRUE);
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
        GTK_SORTER (gtk_custom_sorter_new (compare_items, GINT_TO_POINTER (c), NULL)));
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, columns[c].expand);
      gtk_column_view_append_column (self->view, column);
      self->column[c] = column;
      g_object_unref (column);
    }
  gtk_sort_list_model_set_sorter (self->sorted, gtk_column_view_get_sorter (self->view));

  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), GTK_WIDGET (self->view));
  gtk_widget_set_parent (self->scrolled, GTK_WIDGET (self));
  ensure_css ();
}

GtkWidget *
qviz_layer_table_new (void)
{
  return g_object_new (QVIZ_TYPE_LAYER_TABLE, NULL);
}

static const QvizRunLayer *
find_layer (const QvizRun *run,
            const char    *name)
{
  if (run == NULL || run->layers == NULL)
    return NULL;
  for (guint i = 0; i < run->layers->len; i++)
    if (g_strcmp0 (qviz_run_get_layer (run, i)->name, name) == 0)
      return qviz_run_get_layer (run, i);
  return NULL;
}

void
qviz_layer_table_set_runs (QvizLayerTable *self,
                           const QvizRun  *f32,
                           const QvizRun  *int8)
{
  const QvizRun *primary;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *engine = NULL;

  g_return_if_fail (QVIZ_IS_LAYER_TABLE (self));

  /* Which runtime timed the layers: one name, or the float run's and the
   * int8 run's when they differ (PyTorch float beside qviz int8). */
  {
    const char *ef = f32 != NULL && f32->engine != NULL ? f32->engine : NULL;
    const char *ei = int8 != NULL && int8->engine != NULL ? int8->engine : NULL;

    engine = ef != NULL && ei != NULL && g_strcmp0 (ef, ei) != 0
             ? g_strdup_printf ("%s / %s", ef, ei)
             : g_strdup (ef != NULL ? ef : ei);
  }

  primary = f32 && f32->layers ? f32 : int8;
  for (guint i = 0; primary && primary->layers && i < primary->layers->len; i++)
    {
      const QvizRunLayer *layer = qviz_run_get_layer (primary, i);
      const QvizRunLayer *lf = primary == f32 ? layer : NULL;
      const QvizRunLayer *li = primary == f32 ? find_layer (int8, layer->name) : layer;
      QvizLayerItem *item = g_object_new (QVIZ_TYPE_LAYER_ITEM, NULL);

      item->name = g_strdup (layer->name);
      item->op = g_strdup (layer->op);
      item->layer_class = g_strdup (layer->layer_class);
      item->engine = g_strdup (engine);
      item->out_shape = g_strdup (layer->out_shape);
      item->kernel_h = layer->kernel_h;
      item->kernel_w = layer->kernel_w;
      item->stride = layer->stride_h;
      item->dilation = layer->dilation_h;
      item->groups = layer->groups;
      item->macs = layer->macs;
      item->special = layer->dilated || layer->depthwise;
      item->layer_index = layer->index;
      if (lf)
        {
          item->kernel_f32 = g_strdup (lf->kernel);
          item->reason_f32 = g_strdup (lf->reason);
          item->f32_ms = lf->stats.median;
        }
      if (li)
        {
          item->kernel_int8 = g_strdup (li->kernel);
          item->reason_int8 = g_strdup (li->reason);
          item->int8_ms = li->stats.median;
          item->sqnr = li->sqnr_db;
        }
      g_ptr_array_add (items, item);
    }
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
}

gboolean
qviz_layer_table_get_special_only (QvizLayerTable *self)
{
  g_return_val_if_fail (QVIZ_IS_LAYER_TABLE (self), FALSE);

  return self->special_only;
}

void
qviz_layer_table_set_special_only (QvizLayerTable *self,
                                   gboolean        special_only)
{
  g_return_if_fail (QVIZ_IS_LAYER_TABLE (self));

  special_only = !!special_only;
  if (self->special_only == special_only)
    return;
  self->special_only = special_only;
  gtk_filter_changed (GTK_FILTER (self->filter),
                      special_only ? GTK_FILTER_CHANGE_MORE_STRICT : GTK_FILTER_CHANGE_LESS_STRICT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPECIAL_ONLY]);
}

GListModel *
qviz_layer_table_get_model (QvizLayerTable *self)
{
  g_return_val_if_fail (QVIZ_IS_LAYER_TABLE (self), NULL);

  return G_LIST_MODEL (self->sorted);
}

void
qviz_layer_table_select_layer (QvizLayerTable *self,
                               int             layer_index)
{
  GListModel *model;
  guint n;

  g_return_if_fail (QVIZ_IS_LAYER_TABLE (self));

  model = G_LIST_MODEL (self->sorted);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (QvizLayerItem) item = g_list_model_get_item (model, i);
      if (item->layer_index == layer_index)
        {
          gtk_single_selection_set_selected (self->selection, i);
          /* GTK 4.8 has no scroll_to; move the adjustment proportionally. */
          {
            GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->view));
            double upper = gtk_adjustment_get_upper (adj);
            double page = gtk_adjustment_get_page_size (adj);
            gtk_adjustment_set_value (adj, MAX (0, upper * i / MAX (n, 1) - page / 3));
          }
          return;
        }
    }
}

void
qviz_layer_table_sort_by (QvizLayerTable *self,
                          const char     *column_id,
                          GtkSortType     direction)
{
  g_return_if_fail (QVIZ_IS_LAYER_TABLE (self));
  g_return_if_fail (column_id != NULL);

  for (int c = 0; c < N_COLUMNS; c++)
    if (g_str_equal (columns[c].id, column_id))
      {
        gtk_column_view_sort_by_column (self->view, self->column[c], direction);
        return;
      }
  g_warning ("No layer table column '%s'", column_id);
}

const char *
qviz_layer_table_get_column_id (QvizLayerTable *self,
                                guint           position)
{
  g_autoptr (GtkColumnViewColumn) shown = NULL;
  GListModel *list;

  g_return_val_if_fail (QVIZ_IS_LAYER_TABLE (self), NULL);

  list = gtk_column_view_get_columns (self->view);
  if (position >= g_list_model_get_n_items (list))
    return NULL;
  shown = g_list_model_get_item (list, position);
  for (int c = 0; c < N_COLUMNS; c++)
    if (self->column[c] == shown)
      return columns[c].id;
  return NULL;
}
