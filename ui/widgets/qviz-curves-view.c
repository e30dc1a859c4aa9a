/* qviz-curves-view.c: the latency curves painter in a widget. */

#include "qviz-curves-view.h"

#include "qviz-curves-painter.h"
#include "qviz-export.h"
#include "qviz-widgets-private.h"

struct _QvizCurvesView
{
  GtkWidget          parent_instance;
  QvizCurvesPainter *painter;
  GPtrArray         *series;
  char              *title;
  gboolean           log_y;
};

enum { PROP_0, PROP_LOG_Y, PROP_TITLE, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (QvizCurvesView, qviz_curves_view, GTK_TYPE_WIDGET)

static void
rebuild_painter (QvizCurvesView *self)
{
  qviz_curves_painter_set_style (self->painter, qviz_widgets_get_chart_style ());
  qviz_curves_painter_set_title (self->painter, self->title);
  qviz_curves_painter_set_log_y (self->painter, self->log_y);
  qviz_curves_painter_clear (self->painter);
  for (guint i = 0; self->series && i < self->series->len; i++)
    qviz_curves_painter_add_series (self->painter, g_ptr_array_index (self->series, i));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
qviz_curves_view_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  QvizCurvesView *self = QVIZ_CURVES_VIEW (widget);
  cairo_t *cr = qviz_widgets_begin_cairo (widget, snapshot);

  qviz_curves_painter_paint (self->painter, cr, gtk_widget_get_width (widget),
                             gtk_widget_get_height (widget));
  cairo_destroy (cr);
}

static gboolean
qviz_curves_view_query_tooltip (GtkWidget  *widget,
                                int         x,
                                int         y,
                                gboolean    keyboard,
                                GtkTooltip *tooltip)
{
  QvizCurvesView *self = QVIZ_CURVES_VIEW (widget);
  g_autofree char *text = NULL;

  if (keyboard)
    return FALSE;
  text = qviz_curves_view_describe_at (self, x, y);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
qviz_curves_view_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 320 : 260;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 640 : 380;
}

static void
qviz_curves_view_finalize (GObject *object)
{
  QvizCurvesView *self = QVIZ_CURVES_VIEW (object);

  g_clear_pointer (&self->painter, qviz_curves_painter_free);
  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_clear_pointer (&self->title, g_free);
  G_OBJECT_CLASS (qviz_curves_view_parent_class)->finalize (object);
}

static void
qviz_curves_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  QvizCurvesView *self = QVIZ_CURVES_VIEW (object);

  switch (prop_id)
    {
    case PROP_LOG_Y:
      g_value_set_boolean (value, self->log_y);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_curves_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  QvizCurvesView *self = QVIZ_CURVES_VIEW (object);

  switch (prop_id)
    {
    case PROP_LOG_Y:
      qviz_curves_view_set_log_y (self, g_value_get_boolean (value));
      break;
    case PROP_TITLE:
      qviz_curves_view_set_title (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_curves_view_class_init (QvizCurvesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = qviz_curves_view_finalize;
  object_class->get_property = qviz_curves_view_get_property;
  object_class->set_property = qviz_curves_view_set_property;
  widget_class->snapshot = qviz_curves_view_snapshot;
  widget_class->measure = qviz_curves_view_measure;
  widget_class->query_tooltip = qviz_curves_view_query_tooltip;

  properties[PROP_LOG_Y] =
    g_param_spec_boolean ("log-y", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_css_name (widget_class, "qvizcurvesview");
}

static void
qviz_curves_view_init (QvizCurvesView *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  self->painter = qviz_curves_painter_new (qviz_widgets_get_chart_style ());
  qviz_widgets_follow_style (GTK_WIDGET (self), G_CALLBACK (rebuild_painter));
}

GtkWidget *
qviz_curves_view_new (void)
{
  return g_object_new (QVIZ_TYPE_CURVES_VIEW, NULL);
}

void
qviz_curves_view_set_series (QvizCurvesView *self,
                             GPtrArray      *series)
{
  g_return_if_fail (QVIZ_IS_CURVES_VIEW (self));

  g_clear_pointer (&self->series, g_ptr_array_unref);
  if (series != NULL)
    {
      self->series = g_ptr_array_new_with_free_func ((GDestroyNotify) qviz_curve_series_free);
      for (guint i = 0; i < series->len; i++)
        g_ptr_array_add (self->series, qviz_curve_series_copy (g_ptr_array_index (series, i)));
    }
  rebuild_painter (self);
}

guint
qviz_curves_view_get_n_series (QvizCurvesView *self)
{
  g_return_val_if_fail (QVIZ_IS_CURVES_VIEW (self), 0);

  return self->series ? self->series->len : 0;
}

gboolean
qviz_curves_view_get_log_y (QvizCurvesView *self)
{
  g_return_val_if_fail (QVIZ_IS_CURVES_VIEW (self), FALSE);

  return self->log_y;
}

void
qviz_curves_view_set_log_y (QvizCurvesView *self,
                            gboolean        log_y)
{
  g_return_if_fail (QVIZ_IS_CURVES_VIEW (self));

  log_y = !!log_y;
  if (self->log_y == log_y)
    return;
  self->log_y = log_y;
  rebuild_painter (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_Y]);
}

const char *
qviz_curves_view_get_title (QvizCurvesView *self)
{
  g_return_val_if_fail (QVIZ_IS_CURVES_VIEW (self), NULL);

  return self->title;
}

void
qviz_curves_view_set_title (QvizCurvesView *self,
                            const char     *title)
{
  g_return_if_fail (QVIZ_IS_CURVES_VIEW (self));

  if (qviz_set_str (&self->title, title))
    {
      rebuild_painter (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }
}

gboolean
qviz_curves_view_export (QvizCurvesView *self,
                         const char     *path,
                         GError        **error)
{
  return qviz_curves_view_export_full (self, path, 0, 0, NULL, NULL, error);
}

gboolean
qviz_curves_view_export_full (QvizCurvesView *self,
                              const char     *path,
                              int             width,
                              int             height,
                              const char     *title,
                              const char     *context,
                              GError        **error)
{
  gboolean ok;

  g_return_val_if_fail (QVIZ_IS_CURVES_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (width <= 0 || height <= 0)
    {
      width = gtk_widget_get_width (GTK_WIDGET (self));
      height = gtk_widget_get_height (GTK_WIDGET (self));
      if (width < 100 || height < 100)
        width = 1200, height = 700;
    }
  ok = qviz_export_to_file_titled (path, QVIZ_EXPORT_AUTO, width, height, title, context,
                                   QVIZ_PAINT_FUNC (qviz_curves_painter_paint), self->painter, error);
  /* The export laid the painter out at its own size; tooltips need the
   * widget's layout back. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return ok;
}

char *
qviz_curves_view_describe_at (QvizCurvesView *self,
                              double          x,
                              double          y)
{
  g_return_val_if_fail (QVIZ_IS_CURVES_VIEW (self), NULL);

  /* Within a marker's reach, so the pointer need not hit the line exactly. */
  return qviz_curves_painter_describe_at (self->painter, x, y, 12);
}

gboolean
qviz_curves_view_get_point_position (QvizCurvesView *self,
                                     double          resolution,
                                     double          ms,
                                     double         *x,
                                     double         *y)
{
  cairo_rectangle_t area;

  g_return_val_if_fail (QVIZ_IS_CURVES_VIEW (self), FALSE);

  qviz_curves_painter_get_plot_area (self->painter, &area);
  if (area.width <= 0 || area.height <= 0)
    return FALSE;
  *x = qviz_curves_painter_resolution_to_x (self->painter, resolution);
  *y = qviz_curves_painter_ms_to_y (self->painter, ms);
  return TRUE;
}
