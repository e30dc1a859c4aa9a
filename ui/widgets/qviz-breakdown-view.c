/* qviz-breakdown-view.c: the class breakdown painter in a widget. */

#include "qviz-breakdown-view.h"

#include "qviz-breakdown-painter.h"
#include "qviz-export.h"
#include "qviz-widgets-private.h"

struct _QvizBreakdownView
{
  GtkWidget             parent_instance;
  QvizBreakdownPainter *painter;
  QvizBreakdown        *breakdown;
  char                 *title;
};

enum { PROP_0, PROP_TITLE, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (QvizBreakdownView, qviz_breakdown_view, GTK_TYPE_WIDGET)

static void
rebuild_painter (QvizBreakdownView *self)
{
  qviz_breakdown_painter_set_style (self->painter, qviz_widgets_get_chart_style ());
  qviz_breakdown_painter_set_title (self->painter, self->title);
  qviz_breakdown_painter_set_breakdown (self->painter, self->breakdown);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
qviz_breakdown_view_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  QvizBreakdownView *self = QVIZ_BREAKDOWN_VIEW (widget);
  cairo_t *cr = qviz_widgets_begin_cairo (widget, snapshot);

  qviz_breakdown_painter_paint (self->painter, cr, gtk_widget_get_width (widget),
                                gtk_widget_get_height (widget));
  cairo_destroy (cr);
}

static gboolean
qviz_breakdown_view_query_tooltip (GtkWidget  *widget,
                                   int         x,
                                   int         y,
                                   gboolean    keyboard,
                                   GtkTooltip *tooltip)
{
  QvizBreakdownView *self = QVIZ_BREAKDOWN_VIEW (widget);
  g_autofree char *text = NULL;

  if (keyboard)
    return FALSE;
  text = qviz_breakdown_view_describe_at (self, x, y);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
qviz_breakdown_view_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 300 : 240;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 560 : 380;
}

static void
qviz_breakdown_view_finalize (GObject *object)
{
  QvizBreakdownView *self = QVIZ_BREAKDOWN_VIEW (object);

  g_clear_pointer (&self->painter, qviz_breakdown_painter_free);
  g_clear_pointer (&self->breakdown, qviz_breakdown_free);
  g_clear_pointer (&self->title, g_free);
  G_OBJECT_CLASS (qviz_breakdown_view_parent_class)->finalize (object);
}

static void
qviz_breakdown_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  QvizBreakdownView *self = QVIZ_BREAKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_breakdown_view_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  QvizBreakdownView *self = QVIZ_BREAKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      qviz_breakdown_view_set_title (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_breakdown_view_class_init (QvizBreakdownViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = qviz_breakdown_view_finalize;
  object_class->get_property = qviz_breakdown_view_get_property;
  object_class->set_property = qviz_breakdown_view_set_property;
  widget_class->snapshot = qviz_breakdown_view_snapshot;
  widget_class->measure = qviz_breakdown_view_measure;
  widget_class->query_tooltip = qviz_breakdown_view_query_tooltip;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_css_name (widget_class, "qvizbreakdownview");
}

static void
qviz_breakdown_view_init (QvizBreakdownView *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  self->painter = qviz_breakdown_painter_new (qviz_widgets_get_chart_style ());
  qviz_widgets_follow_style (GTK_WIDGET (self), G_CALLBACK (rebuild_painter));
}

GtkWidget *
qviz_breakdown_view_new (void)
{
  return g_object_new (QVIZ_TYPE_BREAKDOWN_VIEW, NULL);
}

void
qviz_breakdown_view_set_breakdown (QvizBreakdownView   *self,
                                   const QvizBreakdown *breakdown)
{
  g_return_if_fail (QVIZ_IS_BREAKDOWN_VIEW (self));

  g_clear_pointer (&self->breakdown, qviz_breakdown_free);
  if (breakdown != NULL)
    self->breakdown = qviz_breakdown_copy (breakdown);
  rebuild_painter (self);
}

gboolean
qviz_breakdown_view_has_data (QvizBreakdownView *self)
{
  g_return_val_if_fail (QVIZ_IS_BREAKDOWN_VIEW (self), FALSE);

  return self->breakdown != NULL;
}

const char *
qviz_breakdown_view_get_title (QvizBreakdownView *self)
{
  g_return_val_if_fail (QVIZ_IS_BREAKDOWN_VIEW (self), NULL);

  return self->title;
}

void
qviz_breakdown_view_set_title (QvizBreakdownView *self,
                               const char        *title)
{
  g_return_if_fail (QVIZ_IS_BREAKDOWN_VIEW (self));

  if (qviz_set_str (&self->title, title))
    {
      rebuild_painter (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }
}

gboolean
qviz_breakdown_view_export (QvizBreakdownView *self,
                            const char        *path,
                            GError           **error)
{
  return qviz_breakdown_view_export_full (self, path, 0, 0, NULL, NULL, error);
}

gboolean
qviz_breakdown_view_export_full (QvizBreakdownView *self,
                                 const char        *path,
                                 int                width,
                                 int                height,
                                 const char        *title,
                                 const char        *context,
                                 GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (QVIZ_IS_BREAKDOWN_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (width <= 0 || height <= 0)
    {
      width = gtk_widget_get_width (GTK_WIDGET (self));
      height = gtk_widget_get_height (GTK_WIDGET (self));
      if (width < 100 || height < 100)
        width = 1000, height = 600;
    }
  ok = qviz_export_to_file_titled (path, QVIZ_EXPORT_AUTO, width, height, title, context,
                                   QVIZ_PAINT_FUNC (qviz_breakdown_painter_paint), self->painter,
                                   error);
  /* The export laid the painter out at its own size; tooltips need the
   * widget's layout back. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return ok;
}

char *
qviz_breakdown_view_describe_at (QvizBreakdownView *self,
                                 double             x,
                                 double             y)
{
  g_return_val_if_fail (QVIZ_IS_BREAKDOWN_VIEW (self), NULL);

  return qviz_breakdown_painter_describe_at (self->painter, x, y);
}

gboolean
qviz_breakdown_view_get_bar_rect (QvizBreakdownView *self,
                                  guint              resolution_index,
                                  guint              precision_index,
                                  graphene_rect_t   *rect)
{
  cairo_rectangle_t bar;

  g_return_val_if_fail (QVIZ_IS_BREAKDOWN_VIEW (self), FALSE);

  if (!qviz_breakdown_painter_get_bar_rect (self->painter, resolution_index, precision_index, &bar))
    return FALSE;
  graphene_rect_init (rect, bar.x, bar.y, bar.width, bar.height);
  return TRUE;
}
