/* qviz-flame-page.c: one configuration's pass as a flame chart. */

#include "qviz-config.h"
#include "qviz-flame-page-private.h"

#include <glib/gi18n.h>

#include "qviz-window-format.h"

G_DEFINE_FINAL_TYPE (QvizFlamePage, qviz_flame_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONFIGURATIONS,
  PROP_SELECTED,
  N_PROPS
};

enum {
  LAYER_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* How many layers the search finds, and which one Enter went to
 * (position 0: none yet). */
static void
update_matches (QvizFlamePage *self,
                guint          position)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search));
  guint n = qviz_flame_view_get_n_matches (self->flame);
  g_autofree char *label = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->matches), "error");
  if (text == NULL || text[0] == '\0')
    label = g_strdup ("");
  else if (n == 0)
    {
      label = g_strdup (_("No match"));
      gtk_widget_add_css_class (GTK_WIDGET (self->matches), "error");
    }
  else if (position > 0)
    /* TRANSLATORS: the match Enter went to, of how many. */
    label = g_strdup_printf (_("%u of %u"), position, n);
  else
    label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u match", "%u matches", n), n);
  gtk_label_set_text (self->matches, label);
}

static void
fill_flame (QvizFlamePage *self)
{
  guint pass = gtk_drop_down_get_selected (self->pass_choice);

  qviz_flame_view_set_runs (self->flame, self->f32, self->int8,
                            pass == GTK_INVALID_LIST_POSITION ? -1 : (int) pass - 1);
  gtk_label_set_text (self->status, "");
  update_matches (self, 0);
}

static void
fill_pass_choices (QvizFlamePage *self)
{
  const QvizRun *runs[2] = { self->f32, self->int8 };
  guint n_cold = G_MAXUINT;
  g_autoptr (GtkStringList) list = gtk_string_list_new (NULL);

  for (guint i = 0; i < 2; i++)
    if (runs[i])
      n_cold = MIN (n_cold, runs[i]->cold_ms->len);
  if (n_cold == G_MAXUINT)
    n_cold = 0;
  gtk_string_list_append (list, _("Steady state"));
  for (guint i = 0; i < n_cold; i++)
    {
      g_autofree char *text = g_strdup_printf (_("Cold pass %u"), i + 1);
      gtk_string_list_append (list, text);
    }
  gtk_drop_down_set_model (self->pass_choice, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->pass_choice, 0);
}

static void
on_search_changed (QvizFlamePage  *self,
                   GtkSearchEntry *entry)
{
  qviz_flame_view_set_search (self->flame, gtk_editable_get_text (GTK_EDITABLE (entry)));
  update_matches (self, 0);
}

/* Enter steps through the matches, wrapping round. */
static void
on_search_activate (QvizFlamePage  *self,
                    GtkSearchEntry *entry)
{
  update_matches (self, qviz_flame_view_select_next_match (self->flame));
}

static void
on_layer_activated (QvizFlamePage *self,
                    int            layer_index,
                    const char    *name,
                    QvizFlameView *view)
{
  g_autofree char *text = g_strdup_printf (_("Selected %s — shown on the Layers page"), name);

  gtk_label_set_text (self->status, text);
  g_signal_emit (self, signals[LAYER_ACTIVATED], 0, layer_index);
}

static void
on_choice_selected (QvizFlamePage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

GtkWidget *
qviz_flame_page_new (void)
{
  return g_object_new (QVIZ_TYPE_FLAME_PAGE, NULL);
}

GListModel *
qviz_flame_page_get_configurations (QvizFlamePage *self)
{
  g_return_val_if_fail (QVIZ_IS_FLAME_PAGE (self), NULL);

  return gtk_drop_down_get_model (self->config_choice);
}

void
qviz_flame_page_set_configurations (QvizFlamePage *self,
                                    GListModel    *configurations)
{
  g_return_if_fail (QVIZ_IS_FLAME_PAGE (self));
  g_return_if_fail (configurations == NULL || G_IS_LIST_MODEL (configurations));

  if (gtk_drop_down_get_model (self->config_choice) == configurations)
    return;
  gtk_drop_down_set_model (self->config_choice, configurations);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIGURATIONS]);
}

guint
qviz_flame_page_get_selected (QvizFlamePage *self)
{
  g_return_val_if_fail (QVIZ_IS_FLAME_PAGE (self), GTK_INVALID_LIST_POSITION);

  return gtk_drop_down_get_selected (self->config_choice);
}

void
qviz_flame_page_set_selected (QvizFlamePage *self,
                              guint          selected)
{
  g_return_if_fail (QVIZ_IS_FLAME_PAGE (self));

  /* The drop-down notifies, and on_choice_selected passes it on. */
  gtk_drop_down_set_selected (self->config_choice, selected);
}

void
qviz_flame_page_set_runs (QvizFlamePage *self,
                          const QvizRun *f32,
                          const QvizRun *int8)
{
  g_return_if_fail (QVIZ_IS_FLAME_PAGE (self));

  self->f32 = f32;
  self->int8 = int8;
  g_signal_handlers_block_by_func (self->pass_choice, fill_flame, self);
  fill_pass_choices (self);
  g_signal_handlers_unblock_by_func (self->pass_choice, fill_flame, self);
  fill_flame (self);
}

QvizFlameView *
qviz_flame_page_get_flame (QvizFlamePage *self)
{
  g_return_val_if_fail (QVIZ_IS_FLAME_PAGE (self), NULL);

  return self->flame;
}

void
qviz_flame_page_focus_search (QvizFlamePage *self)
{
  g_return_if_fail (QVIZ_IS_FLAME_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search));
}

static void
qviz_flame_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  QvizFlamePage *self = QVIZ_FLAME_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONFIGURATIONS:
      g_value_set_object (value, qviz_flame_page_get_configurations (self));
      break;
    case PROP_SELECTED:
      g_value_set_uint (value, qviz_flame_page_get_selected (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_flame_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  QvizFlamePage *self = QVIZ_FLAME_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONFIGURATIONS:
      qviz_flame_page_set_configurations (self, g_value_get_object (value));
      break;
    case PROP_SELECTED:
      qviz_flame_page_set_selected (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_flame_page_dispose (GObject *object)
{
  QvizFlamePage *self = QVIZ_FLAME_PAGE (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), QVIZ_TYPE_FLAME_PAGE);
  /* The toolbar, separator and scrolled window have no id for the
   * template to drop. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->f32 = self->int8 = NULL;
  G_OBJECT_CLASS (qviz_flame_page_parent_class)->dispose (object);
}

static void
qviz_flame_page_class_init (QvizFlamePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = qviz_flame_page_get_property;
  object_class->set_property = qviz_flame_page_set_property;
  object_class->dispose = qviz_flame_page_dispose;

  properties[PROP_CONFIGURATIONS] =
    g_param_spec_object ("configurations", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_uint ("selected", NULL, NULL, 0, G_MAXUINT, GTK_INVALID_LIST_POSITION,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The user activated a frame: the layer's index in the model. */
  signals[LAYER_ACTIVATED] =
    g_signal_new ("layer-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  g_type_ensure (QVIZ_TYPE_FLAME_VIEW);
  g_type_ensure (QVIZ_TYPE_FLAME_TABLE);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/qviz/Qviz/ui/qviz-flame-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QvizFlamePage, config_choice);
  gtk_widget_class_bind_template_child (widget_class, QvizFlamePage, pass_choice);
  gtk_widget_class_bind_template_child (widget_class, QvizFlamePage, search);
  gtk_widget_class_bind_template_child (widget_class, QvizFlamePage, matches);
  gtk_widget_class_bind_template_child (widget_class, QvizFlamePage, flame);
  gtk_widget_class_bind_template_child (widget_class, QvizFlamePage, table);
  gtk_widget_class_bind_template_child (widget_class, QvizFlamePage, spread_toggle);
  gtk_widget_class_bind_template_child (widget_class, QvizFlamePage, status);
  gtk_widget_class_bind_template_callback (widget_class, fill_flame);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_layer_activated);
}

static void
qviz_flame_page_init (QvizFlamePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  qviz_flame_table_set_flame (self->table, self->flame);
  qviz_window_choice_setup (self->config_choice);
  qviz_window_choice_setup (self->pass_choice);
  g_signal_connect_swapped (self->config_choice, "notify::selected",
                            G_CALLBACK (on_choice_selected), self);
}
