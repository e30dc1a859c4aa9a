/* qviz-layer-table.c: a GtkColumnView over the layers of one configuration. */

#include "qviz-config.h"
#include "qviz-layer-table.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "qviz-axis.h"
#include "qviz-cold-start.h"
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
  double   accum_sqnr;    /* the int8 pass against the float pass here */
  double   plan_f32_ms, plan_int8_ms;
  /* first cold pass: the layer's time over its warm median, and its part
   * of the pass's extra time over the steady state */
  double   cold_f32, cold_int8, cold_share_f32, cold_share_int8;
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
  self->f32_ms = self->int8_ms = self->sqnr = self->accum_sqnr = NAN;
  self->plan_f32_ms = self->plan_int8_ms = NAN;
  self->cold_f32 = self->cold_int8 = self->cold_share_f32 = self->cold_share_int8 = NAN;
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
  COL_ACCUM_SQNR,
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
  COL_COLD_F32,
  COL_COLD_INT8,
  COL_COLD_SHARE_F32,
  COL_COLD_SHARE_INT8,
  COL_PLAN_F32,
  COL_PLAN_INT8,
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
  [COL_ACCUM_SQNR] = { "accum-sqnr", N_("Accum. SQNR dB"), TRUE, FALSE },
  [COL_COLD_F32]   = { "cold-f32", N_("f32 cold/warm"), TRUE, FALSE },
  [COL_COLD_INT8]  = { "cold-int8", N_("int8 cold/warm"), TRUE, FALSE },
  [COL_COLD_SHARE_F32]  = { "cold-share-f32", N_("f32 cold share"), TRUE, FALSE },
  [COL_COLD_SHARE_INT8] = { "cold-share-int8", N_("int8 cold share"), TRUE, FALSE },
  [COL_PLAN_F32]   = { "plan-f32", N_("f32 plan ms"), TRUE, FALSE },
  [COL_PLAN_INT8]  = { "plan-int8", N_("int8 plan ms"), TRUE, FALSE },
};

struct _QvizLayerTable
{
  GtkWidget            parent_instance;
  GtkWidget           *box;            /* the pinned name column, then the rest */
  GtkWidget           *scrolled;       /* the other columns, scrolling both ways */
  GtkColumnView       *view;
  /* The layer name column in a view of its own beside the others, which
   * scrolls with them up and down but not sideways (GTK 4.8's column view
   * cannot pin a column): same rows, same selection, same sort. */
  GtkColumnView       *pinned_view;
  gboolean             sorting;        /* one view's sort is clearing the other's */
  GtkColumnViewColumn *column[N_COLUMNS];
  GListStore          *store;
  GtkCustomFilter     *filter;
  GtkFilterListModel  *filtered;
  GtkSortListModel    *sorted;
  GtkSingleSelection  *selection;
  gboolean             special_only;
  char                *int8_run_uuid;  /* of the int8 run shown, or NULL */
  GtkWidget           *menu;           /* the rows' context menu */
};

enum { PROP_0, PROP_SPECIAL_ONLY, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { LAYER_ACTIVATED, KEEP_FLOAT_REQUESTED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (QvizLayerTable, qviz_layer_table, GTK_TYPE_WIDGET)

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
      return qviz_widgets_compare_double (x->f32_ms, y->f32_ms);
    case COL_INT8_MS:
      return qviz_widgets_compare_double (x->int8_ms, y->int8_ms);
    case COL_RATIO:
      return qviz_widgets_compare_double (qviz_layer_item_get_ratio (x), qviz_layer_item_get_ratio (y));
    case COL_GMACS_F32:
      return qviz_widgets_compare_double (item_gmacs (x, x->f32_ms), item_gmacs (y, y->f32_ms));
    case COL_GMACS_INT8:
      return qviz_widgets_compare_double (item_gmacs (x, x->int8_ms), item_gmacs (y, y->int8_ms));
    case COL_SQNR:
      return qviz_widgets_compare_double (x->sqnr, y->sqnr);
    case COL_ACCUM_SQNR:
      return qviz_widgets_compare_double (x->accum_sqnr, y->accum_sqnr);
    case COL_COLD_F32:
      return qviz_widgets_compare_double (x->cold_f32, y->cold_f32);
    case COL_COLD_INT8:
      return qviz_widgets_compare_double (x->cold_int8, y->cold_int8);
    case COL_COLD_SHARE_F32:
      return qviz_widgets_compare_double (x->cold_share_f32, y->cold_share_f32);
    case COL_COLD_SHARE_INT8:
      return qviz_widgets_compare_double (x->cold_share_int8, y->cold_share_int8);
    case COL_PLAN_F32:
      return qviz_widgets_compare_double (x->plan_f32_ms, y->plan_f32_ms);
    case COL_PLAN_INT8:
      return qviz_widgets_compare_double (x->plan_int8_ms, y->plan_int8_ms);
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
  /* for the context menu: which row a picked cell belongs to */
  g_object_set_data (G_OBJECT (label), "qviz-list-item", list_item);
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
      tooltip = _("This layer's own error: its int8 output against float, from the same float input");
      break;
    case COL_ACCUM_SQNR:
      text = format_number (item->accum_sqnr, "%.1f");
      tooltip = _("The error of every layer up to here: the int8 pass against the float pass at this layer's output");
      break;
    case COL_COLD_F32:
    case COL_COLD_INT8:
      text = format_number (col == COL_COLD_F32 ? item->cold_f32 : item->cold_int8, "%.2f×");
      tooltip = _("The layer's time in the first cold pass over its warm median");
      break;
    case COL_COLD_SHARE_F32:
    case COL_COLD_SHARE_INT8:
      text = format_number (100 * (col == COL_COLD_SHARE_F32 ? item->cold_share_f32 : item->cold_share_int8),
                            "%.0f%%");
      tooltip = _("The layer's part of the time the first cold pass took over the steady state");
      break;
    case COL_PLAN_F32:
      text = format_number (item->plan_f32_ms, "%.3f");
      tooltip = _("Planning this layer in float: packing its weights, its indirection buffer");
      break;
    case COL_PLAN_INT8:
      text = format_number (item->plan_int8_ms, "%.3f");
      tooltip = _("Planning this layer in int8: quantizing and packing its weights, its indirection buffer and tables");
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

  self->sorting = TRUE;   /* the views' sorters may change as they go */
  g_clear_pointer (&self->box, gtk_widget_unparent);
  self->scrolled = NULL;
  g_clear_pointer (&self->menu, gtk_widget_unparent);
  g_clear_object (&self->selection);
  g_clear_pointer (&self->int8_run_uuid, g_free);
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

/* ---- context menu --------------------------------------------------- */

/* A layer can be run in float when the int8 run ran it as int8: not a
 * conversion around a layer already in float, nor such a layer. */
static gboolean
can_keep_float (QvizLayerItem *item)
{
  return item->kernel_int8 != NULL && !g_str_has_prefix (item->kernel_int8, "f32 ") &&
         !g_str_has_suffix (item->name, ":quantize") && !g_str_has_suffix (item->name, ":dequantize");
}

static void
action_keep_float (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  g_signal_emit (widget, signals[KEEP_FLOAT_REQUESTED], 0, g_variant_get_string (parameter, NULL));
}

gboolean
qviz_layer_table_popup_menu (QvizLayerTable *self,
                             guint           position,
                             double          x,
                             double          y)
{
  g_autoptr (QvizLayerItem) item = NULL;
  g_autoptr (GMenu) menu = NULL;
  g_autoptr (GMenuItem) entry = NULL;

  g_return_val_if_fail (QVIZ_IS_LAYER_TABLE (self), FALSE);

  item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  if (item == NULL)
    return FALSE;
  gtk_single_selection_set_selected (self->selection, position);

  menu = g_menu_new ();
  entry = g_menu_item_new (_("Run with This Layer in Float…"), NULL);
  g_menu_item_set_action_and_target_value (entry, "layer-table.keep-float",
                                           g_variant_new_string (item->name));
  g_menu_append_item (menu, entry);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "layer-table.keep-float",
                                 self->int8_run_uuid != NULL && can_keep_float (item));
  if (self->menu == NULL)
    {
      self->menu = gtk_popover_menu_new_from_model (NULL);
      gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
      gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
      gtk_widget_set_parent (self->menu, GTK_WIDGET (self));
    }
  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->menu), G_MENU_MODEL (menu));
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->menu));
  return TRUE;
}

GtkPopover *
qviz_layer_table_get_menu (QvizLayerTable *self)
{
  g_return_val_if_fail (QVIZ_IS_LAYER_TABLE (self), NULL);
  return self->menu != NULL ? GTK_POPOVER (self->menu) : NULL;
}

const char *
qviz_layer_table_get_int8_run_uuid (QvizLayerTable *self)
{
  g_return_val_if_fail (QVIZ_IS_LAYER_TABLE (self), NULL);
  return self->int8_run_uuid;
}

/* Right click or long press on a row: its menu, where the pointer is.
 * The gestures are on the view, in the capture phase, because the rows'
 * own click handling comes first otherwise; the row is the one of the
 * cell under the pointer. */
static gboolean
popup_at (QvizLayerTable *self,
          GtkWidget      *view,
          double          x,
          double          y)
{
  GtkWidget *picked = gtk_widget_pick (view, x, y, GTK_PICK_DEFAULT);
  graphene_point_t p;

  for (GtkWidget *w = picked; w != NULL && w != view; w = gtk_widget_get_parent (w))
    {
      /* the pointer may be on the cell around the label, past its text */
      GtkWidget *child = gtk_widget_get_first_child (w);
      GtkListItem *list_item = g_object_get_data (G_OBJECT (w), "qviz-list-item");
      if (list_item == NULL && child != NULL)
        list_item = g_object_get_data (G_OBJECT (child), "qviz-list-item");
      if (list_item == NULL)
        continue;
      if (gtk_list_item_get_item (list_item) == NULL ||
          !gtk_widget_compute_point (view, GTK_WIDGET (self), &GRAPHENE_POINT_INIT (x, y), &p))
        return FALSE;
      return qviz_layer_table_popup_menu (self, gtk_list_item_get_position (list_item), p.x, p.y);
    }
  return FALSE;
}

static void
on_view_pressed (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 QvizLayerTable  *self)
{
  if (popup_at (self, gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)), x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
on_view_long_pressed (GtkGestureLongPress *gesture,
                      double               x,
                      double               y,
                      QvizLayerTable      *self)
{
  if (popup_at (self, gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)), x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
install_menu_gestures (QvizLayerTable *self,
                       GtkColumnView  *view)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *press = gtk_gesture_long_press_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (on_view_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (view), GTK_EVENT_CONTROLLER (click));
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (press), TRUE);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (press), GTK_PHASE_CAPTURE);
  g_signal_connect (press, "pressed", G_CALLBACK (on_view_long_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (view), GTK_EVENT_CONTROLLER (press));
}

/* The Menu key and Shift+F10: the menu of the selected row. */
static gboolean
on_menu_key (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  QvizLayerTable *self = QVIZ_LAYER_TABLE (widget);
  guint position = gtk_single_selection_get_selected (self->selection);

  if (position == GTK_INVALID_LIST_POSITION)
    return FALSE;
  return qviz_layer_table_popup_menu (self, position, gtk_widget_get_width (widget) / 3.0, 32);
}

static void
install_menu_keys (QvizLayerTable *self)
{
  GtkEventController *keys = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
    gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Menu, 0),
                                                   gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK)),
                      gtk_callback_action_new (on_menu_key, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

/* The table is its box of two views; the context menu, a popover, is
 * placed by the popover itself. */
static void
qviz_layer_table_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  QvizLayerTable *self = QVIZ_LAYER_TABLE (widget);

  gtk_widget_measure (self->box, orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
}

static void
qviz_layer_table_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  QvizLayerTable *self = QVIZ_LAYER_TABLE (widget);

  gtk_widget_allocate (self->box, width, height, baseline, NULL);
  if (self->menu != NULL)
    gtk_popover_present (GTK_POPOVER (self->menu));
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
  /* "Run with this layer in float" was chosen in a row's context menu:
   * the layer's path.  The int8 run the row belongs to is
   * qviz_layer_table_get_int8_run_uuid. */
  signals[KEEP_FLOAT_REQUESTED] =
    g_signal_new ("keep-float-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_install_action (widget_class, "layer-table.keep-float", "s", action_keep_float);

  widget_class->measure = qviz_layer_table_measure;
  widget_class->size_allocate = qviz_layer_table_size_allocate;
  gtk_widget_class_set_css_name (widget_class, "qvizlayertable");
}

/* A click on a column header sorts by it: the sort of the view it is
 * in becomes the rows' sort, and the other view's arrow goes. */
static void
on_view_sorter_changed (GtkSorter      *sorter,
                        GtkSorterChange change,
                        QvizLayerTable *self)
{
  GtkColumnView *other = sorter == gtk_column_view_get_sorter (self->view) ? self->pinned_view
                                                                           : self->view;

  if (self->sorting)
    return;
  self->sorting = TRUE;
  gtk_column_view_sort_by_column (other, NULL, GTK_SORT_ASCENDING);
  gtk_sort_list_model_set_sorter (self->sorted, sorter);
  self->sorting = FALSE;
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
  self->pinned_view = GTK_COLUMN_VIEW (gtk_column_view_new (GTK_SELECTION_MODEL (g_object_ref (self->selection))));
  /* columns can be dragged into the order a user wants */
  gtk_column_view_set_reorderable (self->view, TRUE);
  for (int v = 0; v < 2; v++)
    {
      GtkColumnView *view = v == 0 ? self->pinned_view : self->view;

      gtk_column_view_set_show_column_separators (view, TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (view), "data-table");
      g_signal_connect (view, "activate", G_CALLBACK (on_activate), self);
      g_signal_connect (gtk_column_view_get_sorter (view), "changed",
                        G_CALLBACK (on_view_sorter_changed), self);
      install_menu_gestures (self, view);
    }

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
      gtk_column_view_column_set_expand (column, columns[c].expand && c != COL_LAYER);
      gtk_column_view_append_column (c == COL_LAYER ? self->pinned_view : self->view, column);
      self->column[c] = column;
      g_object_unref (column);
    }
  gtk_sort_list_model_set_sorter (self->sorted, gtk_column_view_get_sorter (self->view));

  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), GTK_WIDGET (self->view));
  gtk_widget_set_hexpand (self->scrolled, TRUE);
  {
    GtkWidget *pinned = gtk_scrolled_window_new ();

    /* up and down with the other columns: one adjustment for both */
    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (pinned), GTK_POLICY_NEVER,
                                    GTK_POLICY_EXTERNAL);
    gtk_scrolled_window_set_vadjustment (GTK_SCROLLED_WINDOW (pinned),
      gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scrolled)));
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (pinned), GTK_WIDGET (self->pinned_view));
    gtk_widget_add_css_class (pinned, "pinned-column");
    self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
    gtk_box_append (GTK_BOX (self->box), pinned);
    gtk_box_append (GTK_BOX (self->box), gtk_separator_new (GTK_ORIENTATION_VERTICAL));
    gtk_box_append (GTK_BOX (self->box), self->scrolled);
  }
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  install_menu_keys (self);
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

/* A layer's first cold pass against its warm passes (NAN when unknown). */
static void
cold_figures (const QvizColdPass *cp,
              int                 layer_index,
              double             *multiple,
              double             *share)
{
  for (guint i = 0; cp != NULL && i < cp->layers->len; i++)
    {
      const QvizColdLayer *cl = &g_array_index (cp->layers, QvizColdLayer, i);

      if (cl->layer_index != layer_index)
        continue;
      *multiple = cl->warm_ms > 0 ? cl->cold_ms / cl->warm_ms : NAN;
      *share = cl->share;
      return;
    }
}

void
qviz_layer_table_set_runs (QvizLayerTable *self,
                           const QvizRun  *f32,
                           const QvizRun  *int8)
{
  const QvizRun *primary;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (QvizColdPass) cold_f32 = NULL;
  g_autoptr (QvizColdPass) cold_int8 = NULL;
  g_autofree char *engine = NULL;

  g_return_if_fail (QVIZ_IS_LAYER_TABLE (self));

  g_free (self->int8_run_uuid);
  self->int8_run_uuid = int8 != NULL ? g_strdup (int8->uuid) : NULL;
  if (self->menu != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->menu));

  /* Which runtime timed the layers: one name, or the float run's and the
   * int8 run's when they differ (PyTorch float beside qviz int8). */
  {
    const char *ef = f32 != NULL && f32->engine != NULL ? f32->engine : NULL;
    const char *ei = int8 != NULL && int8->engine != NULL ? int8->engine : NULL;

    engine = ef != NULL && ei != NULL && g_strcmp0 (ef, ei) != 0
             ? g_strdup_printf ("%s / %s", ef, ei)
             : g_strdup (ef != NULL ? ef : ei);
  }

  cold_f32 = f32 != NULL ? qviz_cold_pass_new (f32, 0) : NULL;
  cold_int8 = int8 != NULL ? qviz_cold_pass_new (int8, 0) : NULL;
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
          item->plan_f32_ms = lf->plan_ms;
          cold_figures (cold_f32, lf->index, &item->cold_f32, &item->cold_share_f32);
        }
      if (li)
        {
          item->kernel_int8 = g_strdup (li->kernel);
          item->reason_int8 = g_strdup (li->reason);
          item->int8_ms = li->stats.median;
          item->sqnr = li->sqnr_db;
          item->accum_sqnr = li->accum_sqnr_db;
          item->plan_int8_ms = li->plan_ms;
          cold_figures (cold_int8, li->index, &item->cold_int8, &item->cold_share_int8);
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
        gtk_column_view_sort_by_column (c == COL_LAYER ? self->pinned_view : self->view,
                                        self->column[c], direction);
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

  /* the pinned name column first, then the others as they are shown */
  if (position == 0)
    return columns[COL_LAYER].id;
  position--;
  list = gtk_column_view_get_columns (self->view);
  if (position >= g_list_model_get_n_items (list))
    return NULL;
  shown = g_list_model_get_item (list, position);
  for (int c = 0; c < N_COLUMNS; c++)
    if (self->column[c] == shown)
      return columns[c].id;
  return NULL;
}
