/* qviz-layers-page.c: one configuration's layers in a table. */

#include "qviz-config.h"
#include "qviz-layers-page.h"

#include "qviz-window-format.h"

struct _QvizLayersPage
{
  GtkWidget       parent_instance;

  GtkDropDown    *config_choice;
  GtkToggleButton *special_toggle;
  QvizLayerTable *table;
};

G_DEFINE_FINAL_TYPE (QvizLayersPage, qviz_layers_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONFIGURATIONS,
  PROP_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
qviz_layers_page_new (void)
{
  return g_object_new (QVIZ_TYPE_LAYERS_PAGE, NULL);
}

GListModel *
qviz_layers_page_get_configurations (QvizLayersPage *self)
{
  g_return_val_if_fail (QVIZ_IS_LAYERS_PAGE (self), NULL);

  return gtk_drop_down_get_model (self->config_choice);
}

void
qviz_layers_page_set_configurations (QvizLayersPage *self,
                                     GListModel     *configurations)
{
  g_return_if_fail (QVIZ_IS_LAYERS_PAGE (self));
  g_return_if_fail (configurations == NULL || G_IS_LIST_MODEL (configurations));

  if (gtk_drop_down_get_model (self->config_choice) == configurations)
    return;
  gtk_drop_down_set_model (self->config_choice, configurations);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIGURATIONS]);
}

guint
qviz_layers_page_get_selected (QvizLayersPage *self)
{
  g_return_val_if_fail (QVIZ_IS_LAYERS_PAGE (self), GTK_INVALID_LIST_POSITION);

  return gtk_drop_down_get_selected (self->config_choice);
}

void
qviz_layers_page_set_selected (QvizLayersPage *self,
                               guint           selected)
{
  g_return_if_fail (QVIZ_IS_LAYERS_PAGE (self));

  /* The drop-down notifies, and on_choice_selected passes it on. */
  gtk_drop_down_set_selected (self->config_choice, selected);
}

void
qviz_layers_page_set_runs (QvizLayersPage *self,
                           const QvizRun  *f32,
                           const QvizRun  *int8)
{
  g_return_if_fail (QVIZ_IS_LAYERS_PAGE (self));

  qviz_layer_table_set_runs (self->table, f32, int8);
}

void
qviz_layers_page_select_layer (QvizLayersPage *self,
                               int             layer_index)
{
  g_return_if_fail (QVIZ_IS_LAYERS_PAGE (self));

  qviz_layer_table_select_layer (self->table, layer_index);
}

QvizLayerTable *
qviz_layers_page_get_table (QvizLayersPage *self)
{
  g_return_val_if_fail (QVIZ_IS_LAYERS_PAGE (self), NULL);

  return self->table;
}

static void
on_choice_selected (QvizLayersPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

static void
qviz_layers_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  QvizLayersPage *self = QVIZ_LAYERS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONFIGURATIONS:
      g_value_set_object (value, qviz_layers_page_get_configurations (self));
      break;
    case PROP_SELECTED:
      g_value_set_uint (value, qviz_layers_page_get_selected (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_layers_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  QvizLayersPage *self = QVIZ_LAYERS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONFIGURATIONS:
      qviz_layers_page_set_configurations (self, g_value_get_object (value));
      break;
    case PROP_SELECTED:
      qviz_layers_page_set_selected (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_layers_page_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), QVIZ_TYPE_LAYERS_PAGE);
  /* The toolbar and the separator have no id for the template to drop. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (qviz_layers_page_parent_class)->dispose (object);
}

static void
qviz_layers_page_class_init (QvizLayersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = qviz_layers_page_get_property;
  object_class->set_property = qviz_layers_page_set_property;
  object_class->dispose = qviz_layers_page_dispose;

  properties[PROP_CONFIGURATIONS] =
    g_param_spec_object ("configurations", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_uint ("selected", NULL, NULL, 0, G_MAXUINT, GTK_INVALID_LIST_POSITION,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (QVIZ_TYPE_LAYER_TABLE);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/qviz/Qviz/ui/qviz-layers-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QvizLayersPage, config_choice);
  gtk_widget_class_bind_template_child (widget_class, QvizLayersPage, special_toggle);
  gtk_widget_class_bind_template_child (widget_class, QvizLayersPage, table);
}

static void
qviz_layers_page_init (QvizLayersPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  qviz_window_choice_setup (self->config_choice);
  g_signal_connect_swapped (self->config_choice, "notify::selected",
                            G_CALLBACK (on_choice_selected), self);
}
