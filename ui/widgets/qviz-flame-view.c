/* qviz-flame-view.c: the flame painter in an interactive widget.
 *
 * The widget owns the visible time window; the painter draws the spans and
 * reports where it drew them, which hit-testing and the hover outline use.
 */

#include "qviz-config.h"
#include "qviz-flame-view.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "qviz-axis.h"
#include "qviz-chart-adapt.h"
#include "qviz-chart-compare.h"
#include "qviz-cold-start.h"
#include "qviz-export.h"
#include "qviz-flame-painter.h"
#include "qviz-widgets-private.h"

/* Never zoom in closer than this: below it the clock's resolution shows. */
#define MIN_WINDOW_NS 2000
#define ZOOM_STEP     1.5

struct _QvizFlameView
{
  GtkWidget         parent_instance;
  QvizFlamePainter *painter;
  /* Per band, per layer index: the tooltip lines that the flame data
   * cannot carry (kernel reason, shapes, stride...). */
  GPtrArray        *details;
  char             *search;
  gint64            t0, t1;      /* visible window; t1 == 0: everything */
  gint64            drag_t0, drag_t1;
  double            drag_x;      /* where the drag began */
  enum { DRAG_PAN, DRAG_RANGE, DRAG_MINIMAP } drag_mode;
  gint64            range_t0, range_t1;  /* selected range; empty: none */
  gint64            pinch_t0, pinch_t1;
  int               selected;    /* span */
  int               hover;       /* span */
  double            pointer_x;   /* last pointer position, for zooming */
};

enum { PROP_0, PROP_SEARCH, PROP_SELECTED_LAYER, PROP_SHOW_SPREAD, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { LAYER_ACTIVATED, DATA_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (QvizFlameView, qviz_flame_view, GTK_TYPE_WIDGET)

static gint64
duration (QvizFlameView *self)
{
  QvizFlameData *data = qviz_flame_painter_get_data (self->painter);

  return data ? qviz_flame_data_get_duration (data) : 0;
}

static void
visible_window (QvizFlameView *self,
                gint64        *t0,
                gint64        *t1)
{
  if (self->t1 > self->t0)
    *t0 = self->t0, *t1 = self->t1;
  else
    *t0 = 0, *t1 = duration (self);
}

/* Clamps a window to the data and applies it. */
static void
set_window (QvizFlameView *self,
            double         t0,
            double         t1)
{
  double total = duration (self);
  double width = t1 - t0;

  if (total <= 0)
    return;
  width = CLAMP (width, MIN (MIN_WINDOW_NS, total), total);
  t0 = CLAMP (t0, 0, total - width);
  self->t0 = (gint64) llround (t0);
  self->t1 = (gint64) llround (t0 + width);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
plot_range (QvizFlameView *self,
            double        *x0,
            double        *x1)
{
  gint64 t0, t1;

  visible_window (self, &t0, &t1);
  *x0 = qviz_flame_painter_time_to_x (self->painter, t0);
  *x1 = qviz_flame_painter_time_to_x (self->painter, t1);
  if (!(*x1 > *x0))
    {
      *x0 = 0;
      *x1 = MAX (1, gtk_widget_get_width (GTK_WIDGET (self)));
    }
}

static double
x_to_time (QvizFlameView *self,
           double         x)
{
  double x0, x1;
  gint64 t0, t1;

  visible_window (self, &t0, &t1);
  plot_range (self, &x0, &x1);
  return t0 + (x - x0) / (x1 - x0) * (t1 - t0);
}

static void
zoom_around (QvizFlameView *self,
             double         t_center,
             double         factor)
{
  gint64 t0, t1;

  visible_window (self, &t0, &t1);
  set_window (self, t_center - (t_center - t0) / factor, t_center + (t1 - t_center) / factor);
}

static void
pan_by (QvizFlameView *self,
        double         fraction)
{
  gint64 t0, t1;
  double shift;

  visible_window (self, &t0, &t1);
  shift = fraction * (t1 - t0);
  set_window (self, t0 + shift, t1 + shift);
}

static void
on_style_changed (QvizFlameView *self)
{
  qviz_flame_painter_set_style (self->painter, qviz_widgets_get_chart_style ());
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
qviz_flame_view_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  QvizFlameView *self = QVIZ_FLAME_VIEW (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  cairo_t *cr = qviz_widgets_begin_cairo (widget, snapshot);
  cairo_rectangle_t rect;

  qviz_flame_painter_set_view (self->painter, self->t0, self->t1);
  qviz_flame_painter_set_highlight (self->painter, self->search);
  qviz_flame_painter_set_selected (self->painter, self->selected);
  qviz_flame_painter_set_range (self->painter, self->range_t0, self->range_t1);
  qviz_flame_painter_paint (self->painter, cr, width, height);

  /* The hover outline is drawn here rather than by the painter so that a
   * moving pointer costs one rectangle, not a repaint of the layout. */
  if (self->hover >= 0 && qviz_flame_painter_get_span_rect (self->painter, self->hover, &rect))
    {
      const QvizChartStyle *style = qviz_widgets_get_chart_style ();

      cairo_set_line_width (cr, 2);
      qviz_chart_set_source (cr, &style->foreground);
      cairo_rectangle (cr, rect.x + 1, rect.y + 1, MAX (1, rect.width - 2),
                       MAX (1, rect.height - 2));
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
}

static void
qviz_flame_view_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  QvizFlameView *self = QVIZ_FLAME_VIEW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 300;
      *natural = 900;
    }
  else
    {
      int h = (int) ceil (qviz_flame_painter_get_preferred_height (self->painter));
      *minimum = MAX (h, 160);
      *natural = *minimum;
    }
}

static char *
format_details (const QvizRunLayer *layer)
{
  GString *s = g_string_new (NULL);

  if (layer->reason && layer->reason[0])
    g_string_append_printf (s, "%s\n", layer->reason);
  if (layer->fused && layer->fused[0])
    /* TRANSLATORS: operations fused into a layer, e.g. "bn+hardswish". */
    g_string_append_printf (s, _("Fused: %s\n"), layer->fused);
  g_string_append_printf (s, "%s → %s\n", layer->in_shape ? layer->in_shape : "?",
                          layer->out_shape ? layer->out_shape : "?");
  if (layer->kernel_h > 0)
    /* TRANSLATORS: kernel size, stride, dilation and groups of a convolution. */
    g_string_append_printf (s, _("Kernel %d×%d · stride %d · dilation %d · groups %d\n"),
                            layer->kernel_h, layer->kernel_w, layer->stride_h,
                            layer->dilation_h, layer->groups);
  return g_string_free (s, FALSE);
}

static gboolean
qviz_flame_view_query_tooltip (GtkWidget  *widget,
                               int         x,
                               int         y,
                               gboolean    keyboard,
                               GtkTooltip *tooltip)
{
  QvizFlameView *self = QVIZ_FLAME_VIEW (widget);
  QvizFlameData *data = qviz_flame_painter_get_data (self->painter);
  const QvizFlameSpan *span, *pass_span;
  g_autoptr (GString) markup = g_string_new (NULL);
  g_autofree char *time = NULL;
  g_autofree char *escaped = NULL;
  const guint *row;
  guint n_row = 0;
  int index;

  if (data == NULL || keyboard)
    return FALSE;
  index = qviz_flame_painter_hit_test (self->painter, x, y);
  if (index < 0)
    return FALSE;
  span = qviz_flame_data_get_span (data, index);
  escaped = g_markup_escape_text (span->name, -1);
  g_string_append_printf (markup, "<b>%s</b>\n", escaped);
  if (span->op || span->kernel)
    {
      g_autofree char *text = g_markup_printf_escaped ("%s · %s\n", span->op ? span->op : "",
                                                       span->kernel ? span->kernel : "");
      g_string_append (markup, text);
    }
  if (span->layer_index >= 0 && span->band < self->details->len)
    {
      GPtrArray *band = g_ptr_array_index (self->details, span->band);
      if ((guint) span->layer_index < band->len)
        {
          g_autofree char *text = g_markup_escape_text (g_ptr_array_index (band, span->layer_index), -1);
          g_string_append_printf (markup, "<small>%s</small>", text);
        }
    }
  time = qviz_format_ns (span->end_ns - span->start_ns);
  row = qviz_flame_data_get_row (data, span->band, 0, &n_row);
  pass_span = n_row > 0 ? qviz_flame_data_get_span (data, row[0]) : NULL;
  if (pass_span != NULL && pass_span->end_ns > pass_span->start_ns && span->depth > 0)
    /* TRANSLATORS: a span's duration and its share of the whole pass. */
    g_string_append_printf (markup, _("Time %s (%.1f%% of the pass)"), time,
                            100.0 * (span->end_ns - span->start_ns) /
                            (pass_span->end_ns - pass_span->start_ns));
  else
    g_string_append_printf (markup, _("Time %s"), time);
  if (!isnan (span->spread_lo_ns))
    {
      g_autofree char *lo = qviz_format_ns ((gint64) span->spread_lo_ns);
      g_autofree char *hi = qviz_format_ns ((gint64) span->spread_hi_ns);
      /* TRANSLATORS: the layer's p10 and p90 time over the warm passes. */
      g_string_append_printf (markup, _("\nWarm passes: %s to %s (p10 to p90)"), lo, hi);
    }
  if (!isnan (span->ratio) &&
      qviz_flame_painter_get_color_mode (self->painter) == QVIZ_FLAME_COLOR_BY_COLD_RATIO)
    {
      g_string_append (markup, "\n");
      if (span->flags & QVIZ_SPAN_WITHIN_NOISE)
        /* TRANSLATORS: a layer's time in a cold pass divided by its warm
         * median, when the cold time is within the warm passes' spread. */
        g_string_append_printf (markup, _("Cold/warm %.2f× (within the warm spread)"), span->ratio);
      else
        /* TRANSLATORS: as "Cold/warm %.2f×", above the warm spread. */
        g_string_append_printf (markup, _("Cold/warm <b>%.2f×</b> (slower than warm)"), span->ratio);
    }
  else if (!isnan (span->ratio) &&
      qviz_flame_painter_get_color_mode (self->painter) == QVIZ_FLAME_COLOR_BY_RATIO)
    {
      g_string_append (markup, "\n");
      if (span->flags & QVIZ_SPAN_WITHIN_NOISE)
        /* TRANSLATORS: a layer's time in sweep B divided by its time in A. */
        g_string_append_printf (markup, _("B/A %.2f× (within noise)"), span->ratio);
      else
        g_string_append_printf (markup, _("B/A <b>%.2f×</b> (%s)"), span->ratio,
                                span->ratio > 1.0 ? _("B slower") : _("B faster"));
    }
  else if (!isnan (span->ratio))
    {
      g_string_append (markup, "\n");
      if (span->ratio > 1.0)
        /* TRANSLATORS: int8 time divided by float time, when int8 is slower. */
        g_string_append_printf (markup, _("int8/f32 <b>%.2f×</b> (int8 slower)"), span->ratio);
      else
        g_string_append_printf (markup, _("int8/f32 %.2f×"), span->ratio);
    }
  if (!isnan (span->sqnr))
    g_string_append_printf (markup, _(" · SQNR %.1f dB"), span->sqnr);
  gtk_tooltip_set_markup (tooltip, markup->str);
  return TRUE;
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           QvizFlameView            *self)
{
  int hover = qviz_flame_painter_hit_test (self->painter, x, y);

  self->pointer_x = x;

  if (hover != self->hover)
    {
      self->hover = hover;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_leave (GtkEventControllerMotion *controller,
          QvizFlameView            *self)
{
  if (self->hover >= 0)
    {
      self->hover = -1;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           QvizFlameView            *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (duration (self) <= 0)
    return FALSE;
  if (state & GDK_CONTROL_MASK)
    {
      zoom_around (self, x_to_time (self, self->pointer_x), dy < 0 ? ZOOM_STEP : 1 / ZOOM_STEP);
      return TRUE;
    }
  if (dx != 0)
    {
      pan_by (self, dx * 0.05);
      return TRUE;
    }
  /* Plain vertical scrolling belongs to the scrolled window around us. */
  return FALSE;
}

/* Centres the visible window on t, keeping its width. */
static void
center_on (QvizFlameView *self,
           gint64         t)
{
  gint64 t0, t1;

  visible_window (self, &t0, &t1);
  set_window (self, t - (t1 - t0) / 2.0, t + (t1 - t0) / 2.0);
}

static void
set_range (QvizFlameView *self,
           gint64         t0,
           gint64         t1)
{
  self->range_t0 = MIN (t0, t1);
  self->range_t1 = MAX (t0, t1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* A drag in the minimap moves the window there; with Shift held, a drag
 * in the chart selects a time range; otherwise it pans. */
static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               QvizFlameView  *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  gint64 t;

  visible_window (self, &self->drag_t0, &self->drag_t1);
  self->drag_x = x;
  if (qviz_flame_painter_minimap_time (self->painter, x, y, &t))
    {
      self->drag_mode = DRAG_MINIMAP;
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      center_on (self, t);
    }
  else if (state & GDK_SHIFT_MASK)
    self->drag_mode = DRAG_RANGE;
  else
    self->drag_mode = DRAG_PAN;
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          offset_x,
                double          offset_y,
                QvizFlameView  *self)
{
  double x0, x1, dt, start_y;
  gint64 t;

  if (self->drag_mode == DRAG_MINIMAP)
    {
      gtk_gesture_drag_get_start_point (gesture, NULL, &start_y);
      /* keep following the pointer when it leaves the strip sideways */
      if (qviz_flame_painter_minimap_time (self->painter, self->drag_x + offset_x, start_y, &t))
        center_on (self, t);
      return;
    }
  if (fabs (offset_x) < 3)
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  if (self->drag_mode == DRAG_RANGE)
    {
      set_range (self, (gint64) llround (x_to_time (self, self->drag_x)),
                 (gint64) llround (x_to_time (self, self->drag_x + offset_x)));
      return;
    }
  plot_range (self, &x0, &x1);
  dt = -offset_x / (x1 - x0) * (self->drag_t1 - self->drag_t0);
  set_window (self, self->drag_t0 + dt, self->drag_t1 + dt);
}

static void
on_zoom_begin (GtkGesture       *gesture,
               GdkEventSequence *sequence,
               QvizFlameView    *self)
{
  visible_window (self, &self->pinch_t0, &self->pinch_t1);
}

static void
on_zoom_scale_changed (GtkGestureZoom *gesture,
                       double          scale,
                       QvizFlameView  *self)
{
  double cx = 0, cy = 0, x0, x1, center;
  double width = (self->pinch_t1 - self->pinch_t0) / MAX (scale, 1e-3);

  gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy);
  plot_range (self, &x0, &x1);
  center = self->pinch_t0 + (cx - x0) / (x1 - x0) * (self->pinch_t1 - self->pinch_t0);
  set_window (self, center - width / 2, center + width / 2);
}

static void
select_span (QvizFlameView *self,
             int            span)
{
  QvizFlameData *data = qviz_flame_painter_get_data (self->painter);

  if (span == self->selected)
    return;
  self->selected = span;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LAYER]);
  if (span >= 0 && data != NULL)
    {
      const QvizFlameSpan *s = qviz_flame_data_get_span (data, span);
      if (s->layer_index >= 0)
        g_signal_emit (self, signals[LAYER_ACTIVATED], 0, s->layer_index, s->name);
    }
}

static void
on_click_released (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   QvizFlameView   *self)
{
  gint64 t;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (qviz_flame_painter_minimap_time (self->painter, x, y, &t))
    return;   /* the drag handler moved the window */
  select_span (self, qviz_flame_painter_hit_test (self->painter, x, y));
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                QvizFlameView         *self)
{
  switch (keyval)
    {
    case GDK_KEY_Left:
      pan_by (self, -0.1);
      return TRUE;
    case GDK_KEY_Right:
      pan_by (self, 0.1);
      return TRUE;
    case GDK_KEY_plus:
    case GDK_KEY_equal:
    case GDK_KEY_KP_Add:
      qviz_flame_view_zoom_in (self);
      return TRUE;
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      qviz_flame_view_zoom_out (self);
      return TRUE;
    case GDK_KEY_0:
    case GDK_KEY_KP_0:
      qviz_flame_view_zoom_reset (self);
      return TRUE;
    case GDK_KEY_Escape:
      if (self->range_t1 > self->range_t0)
        {
          set_range (self, 0, 0);
          return TRUE;
        }
      if (self->selected >= 0)
        {
          select_span (self, -1);
          return TRUE;
        }
      return FALSE;
    default:
      return FALSE;
    }
}

static void
qviz_flame_view_finalize (GObject *object)
{
  QvizFlameView *self = QVIZ_FLAME_VIEW (object);

  g_clear_pointer (&self->painter, qviz_flame_painter_free);
  g_clear_pointer (&self->details, g_ptr_array_unref);
  g_clear_pointer (&self->search, g_free);
  G_OBJECT_CLASS (qviz_flame_view_parent_class)->finalize (object);
}

static void
qviz_flame_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  QvizFlameView *self = QVIZ_FLAME_VIEW (object);

  switch (prop_id)
    {
    case PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;
    case PROP_SELECTED_LAYER:
      g_value_set_int (value, qviz_flame_view_get_selected_layer (self));
      break;
    case PROP_SHOW_SPREAD:
      g_value_set_boolean (value, qviz_flame_painter_get_show_spread (self->painter));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_flame_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  QvizFlameView *self = QVIZ_FLAME_VIEW (object);

  switch (prop_id)
    {
    case PROP_SEARCH:
      qviz_flame_view_set_search (self, g_value_get_string (value));
      break;
    case PROP_SHOW_SPREAD:
      qviz_flame_view_set_show_spread (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_flame_view_class_init (QvizFlameViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = qviz_flame_view_finalize;
  object_class->get_property = qviz_flame_view_get_property;
  object_class->set_property = qviz_flame_view_set_property;
  widget_class->snapshot = qviz_flame_view_snapshot;
  widget_class->measure = qviz_flame_view_measure;
  widget_class->query_tooltip = qviz_flame_view_query_tooltip;

  properties[PROP_SEARCH] =
    g_param_spec_string ("search", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_LAYER] =
    g_param_spec_int ("selected-layer", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Whiskers of each layer's p10..p90 time over the warm passes. */
  properties[PROP_SHOW_SPREAD] =
    g_param_spec_boolean ("show-spread", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A layer span was clicked: its index in the run and its path. */
  signals[LAYER_ACTIVATED] =
    g_signal_new ("layer-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);

  /* New passes are shown (or none): what the chart holds changed. */
  signals[DATA_CHANGED] =
    g_signal_new ("data-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "qvizflameview");
}

static void
qviz_flame_view_init (QvizFlameView *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  self->painter = qviz_flame_painter_new (qviz_widgets_get_chart_style ());
  qviz_flame_painter_set_show_minimap (self->painter, TRUE);
  self->details = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->selected = -1;
  self->hover = -1;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  qviz_widgets_follow_style (GTK_WIDGET (self), G_CALLBACK (on_style_changed));

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

GtkWidget *
qviz_flame_view_new (void)
{
  return g_object_new (QVIZ_TYPE_FLAME_VIEW, NULL);
}

static GPtrArray *
layer_details (const QvizRun *run)
{
  GPtrArray *band = g_ptr_array_new_with_free_func (g_free);

  for (guint l = 0; run->layers && l < run->layers->len; l++)
    {
      const QvizRunLayer *layer = qviz_run_get_layer (run, l);
      g_ptr_array_set_size (band, MAX (band->len, (guint) layer->index + 1));
      g_free (band->pdata[layer->index]);
      band->pdata[layer->index] = format_details (layer);
    }
  return band;
}

static gboolean
usable (const QvizRun *run,
        int            cold_pass)
{
  if (run == NULL || run->spans == NULL || run->layers == NULL)
    return FALSE;
  return cold_pass < 0 || cold_pass < (int) run->cold_ms->len;
}

/* Takes data (may be NULL) and starts over: whole pass, nothing selected. */
static void
replace_data (QvizFlameView *self,
              QvizFlameData *data)
{
  qviz_flame_painter_set_data (self->painter, data);
  self->t0 = self->t1 = 0;
  self->range_t0 = self->range_t1 = 0;
  self->selected = -1;
  g_signal_emit (self, signals[DATA_CHANGED], 0);
  self->hover = -1;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_LAYER]);
}

void
qviz_flame_view_set_runs (QvizFlameView *self,
                          const QvizRun *f32,
                          const QvizRun *int8,
                          int            cold_pass)
{
  QvizFlameData *data = NULL;

  g_return_if_fail (QVIZ_IS_FLAME_VIEW (self));

  g_ptr_array_set_size (self->details, 0);
  if (!usable (f32, cold_pass))
    f32 = NULL;
  if (!usable (int8, cold_pass))
    int8 = NULL;
  if (f32 != NULL || int8 != NULL)
    {
      /* The adapter makes the f32 band first, then the int8 one. */
      data = qviz_chart_flame_from_runs (f32, cold_pass, int8, cold_pass);
      if (f32 != NULL)
        g_ptr_array_add (self->details, layer_details (f32));
      if (int8 != NULL)
        g_ptr_array_add (self->details, layer_details (int8));
    }
  qviz_flame_painter_set_color_mode (self->painter, QVIZ_FLAME_COLOR_BY_CLASS);
  replace_data (self, data);
}

void
qviz_flame_view_set_comparison (QvizFlameView           *self,
                                const QvizRun           *b,
                                const QvizRunComparison *c)
{
  QvizFlameData *data = NULL;

  g_return_if_fail (QVIZ_IS_FLAME_VIEW (self));

  g_ptr_array_set_size (self->details, 0);
  if (usable (b, -1) && c != NULL)
    {
      data = qviz_chart_flame_diff (b, c);
      g_ptr_array_add (self->details, layer_details (b));
    }
  qviz_flame_painter_set_color_mode (self->painter, QVIZ_FLAME_COLOR_BY_RATIO);
  replace_data (self, data);
}

void
qviz_flame_view_set_cold_pass (QvizFlameView *self,
                               const QvizRun *run,
                               int            cold_pass)
{
  QvizFlameData *data = NULL;

  g_return_if_fail (QVIZ_IS_FLAME_VIEW (self));

  g_ptr_array_set_size (self->details, 0);
  if (usable (run, cold_pass) && cold_pass >= 0)
    data = qviz_chart_flame_cold_diff (run, cold_pass);
  if (data != NULL)
    g_ptr_array_add (self->details, layer_details (run));
  qviz_flame_painter_set_color_mode (self->painter, QVIZ_FLAME_COLOR_BY_COLD_RATIO);
  replace_data (self, data);
}

QvizFlameColorMode
qviz_flame_view_get_color_mode (QvizFlameView *self)
{
  g_return_val_if_fail (QVIZ_IS_FLAME_VIEW (self), QVIZ_FLAME_COLOR_BY_CLASS);

  return qviz_flame_painter_get_color_mode (self->painter);
}

void
qviz_flame_view_clear (QvizFlameView *self)
{
  g_return_if_fail (QVIZ_IS_FLAME_VIEW (self));

  g_ptr_array_set_size (self->details, 0);
  replace_data (self, NULL);
}

guint
qviz_flame_view_get_n_bands (QvizFlameView *self)
{
  QvizFlameData *data;

  g_return_val_if_fail (QVIZ_IS_FLAME_VIEW (self), 0);

  data = qviz_flame_painter_get_data (self->painter);
  return data ? qviz_flame_data_get_n_bands (data) : 0;
}

const char *
qviz_flame_view_get_search (QvizFlameView *self)
{
  g_return_val_if_fail (QVIZ_IS_FLAME_VIEW (self), NULL);

  return self->search;
}

void
qviz_flame_view_set_search (QvizFlameView *self,
                            const char    *search)
{
  g_return_if_fail (QVIZ_IS_FLAME_VIEW (self));

  if (search != NULL && search[0] == '\0')
    search = NULL;
  if (qviz_set_str (&self->search, search))
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
    }
}

static int
by_band_then_start (gconstpointer a,
                    gconstpointer b,
                    gpointer      data)
{
  const QvizFlameSpan *sa = qviz_flame_data_get_span (data, *(const guint *) a);
  const QvizFlameSpan *sb = qviz_flame_data_get_span (data, *(const guint *) b);

  if (sa->band != sb->band)
    return sa->band < sb->band ? -1 : 1;
  if (sa->start_ns != sb->start_ns)
    return sa->start_ns < sb->start_ns ? -1 : 1;
  return (int) sa->depth - (int) sb->depth;
}

/* Layer spans that match, in band then time order. */
static GArray *
matching_spans (QvizFlameView *self)
{
  QvizFlameData *data = qviz_flame_painter_get_data (self->painter);
  GArray *matches = g_array_new (FALSE, FALSE, sizeof (guint));

  if (data == NULL || self->search == NULL)
    return matches;
  qviz_flame_painter_set_highlight (self->painter, self->search);
  for (guint band = 0; band < qviz_flame_data_get_n_bands (data); band++)
    for (guint depth = 0; depth < qviz_flame_data_get_band_depth (data, band); depth++)
      {
        guint n = 0;
        const guint *row = qviz_flame_data_get_row (data, band, depth, &n);
        for (guint i = 0; i < n; i++)
          if (qviz_flame_data_get_span (data, row[i])->layer_index >= 0 &&
              qviz_flame_painter_span_matches (self->painter, row[i]))
            g_array_append_val (matches, row[i]);
      }
  g_array_sort_with_data (matches, by_band_then_start, data);
  return matches;
}

guint
qviz_flame_view_get_n_matches (QvizFlameView *self)
{
  g_autoptr (GArray) matches = NULL;

  g_return_val_if_fail (QVIZ_IS_FLAME_VIEW (self), 0);

  matches = matching_spans (self);
  return matches->len;
}

guint
qviz_flame_view_select_next_match (QvizFlameView *self)
{
  g_autoptr (GArray) matches = NULL;
  QvizFlameData *data;
  const QvizFlameSpan *span;
  guint next = 0;
  gint64 t0, t1;

  g_return_val_if_fail (QVIZ_IS_FLAME_VIEW (self), 0);

  matches = matching_spans (self);
  if (matches->len == 0)
    return 0;
  for (guint i = 0; i < matches->len; i++)
    if ((int) g_array_index (matches, guint, i) == self->selected)
      next = (i + 1) % matches->len;
  select_span (self, (int) g_array_index (matches, guint, next));

  /* Bring it into view, keeping the zoom unless it is wider. */
  data = qviz_flame_painter_get_data (self->painter);
  span = qviz_flame_data_get_span (data, g_array_index (matches, guint, next));
  visible_window (self, &t0, &t1);
  if (span->start_ns < t0 || span->end_ns > t1)
    {
      double width = MAX ((double) (t1 - t0), (double) (span->end_ns - span->start_ns) * 1.2);
      double center = (span->start_ns + span->end_ns) / 2.0;
      set_window (self, center - width / 2, center + width / 2);
    }
  return next + 1;
}

int
qviz_flame_view_get_selected_layer (QvizFlameView *self)
{
  QvizFlameData *data;

  g_return_val_if_fail (QVIZ_IS_FLAME_VIEW (self), -1);

  data = qviz_flame_painter_get_data (self->painter);
  if (data == NULL || self->selected < 0)
    return -1;
  return qviz_flame_data_get_span (data, self->selected)->layer_index;
}

void
qviz_flame_view_zoom_in (QvizFlameView *self)
{
  gint64 t0, t1;

  g_return_if_fail (QVIZ_IS_FLAME_VIEW (self));

  visible_window (self, &t0, &t1);
  zoom_around (self, (t0 + t1) / 2.0, ZOOM_STEP);
}

void
qviz_flame_view_zoom_out (QvizFlameView *self)
{
  gint64 t0, t1;

  g_return_if_fail (QVIZ_IS_FLAME_VIEW (self));

  visible_window (self, &t0, &t1);
  zoom_around (self, (t0 + t1) / 2.0, 1 / ZOOM_STEP);
}

void
qviz_flame_view_zoom_reset (QvizFlameView *self)
{
  g_return_if_fail (QVIZ_IS_FLAME_VIEW (self));

  self->t0 = self->t1 = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
qviz_flame_view_get_view (QvizFlameView *self,
                          gint64        *t0_ns,
                          gint64        *t1_ns)
{
  gint64 t0, t1;

  g_return_if_fail (QVIZ_IS_FLAME_VIEW (self));

  visible_window (self, &t0, &t1);
  if (t0_ns)
    *t0_ns = t0;
  if (t1_ns)
    *t1_ns = t1;
}

gboolean
qviz_flame_view_export (QvizFlameView *self,
                        const char    *path,
                        GError       **error)
{
  return qviz_flame_view_export_full (self, path, 0, NULL, NULL, error);
}

gboolean
qviz_flame_view_export_full (QvizFlameView *self,
                             const char    *path,
                             int            width,
                             const char    *title,
                             const char    *context,
                             GError       **error)
{
  int height;

  g_return_val_if_fail (QVIZ_IS_FLAME_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (width <= 0)
    {
      width = gtk_widget_get_width (GTK_WIDGET (self));
      height = gtk_widget_get_height (GTK_WIDGET (self));
      if (width < 100 || height < 100)
        width = 1400;
    }
  /* the bands take the height they need whatever the width */
  height = MAX (gtk_widget_get_height (GTK_WIDGET (self)),
                (int) ceil (qviz_flame_painter_get_preferred_height (self->painter)));
  return qviz_export_to_file_titled (path, QVIZ_EXPORT_AUTO, width, height, title, context,
                                     QVIZ_PAINT_FUNC (qviz_flame_painter_paint), self->painter, error);
}

void
qviz_flame_view_set_range (QvizFlameView *self,
                           gint64         t0_ns,
                           gint64         t1_ns)
{
  g_return_if_fail (QVIZ_IS_FLAME_VIEW (self));
  set_range (self, t0_ns, t1_ns);
}

gboolean
qviz_flame_view_get_range (QvizFlameView *self,
                           gint64        *t0_ns,
                           gint64        *t1_ns)
{
  g_return_val_if_fail (QVIZ_IS_FLAME_VIEW (self), FALSE);
  if (t0_ns != NULL)
    *t0_ns = self->range_t0;
  if (t1_ns != NULL)
    *t1_ns = self->range_t1;
  return self->range_t1 > self->range_t0;
}

gboolean
qviz_flame_view_get_range_summary (QvizFlameView         *self,
                                   guint                  band,
                                   QvizFlameRangeSummary *summary)
{
  QvizFlameData *data;

  g_return_val_if_fail (QVIZ_IS_FLAME_VIEW (self), FALSE);
  g_return_val_if_fail (summary != NULL, FALSE);
  data = qviz_flame_painter_get_data (self->painter);
  if (data == NULL || self->range_t1 <= self->range_t0 || band >= qviz_flame_data_get_n_bands (data))
    return FALSE;
  qviz_flame_data_summarize_range (data, band, self->range_t0, self->range_t1, summary);
  return TRUE;
}

QvizFlameData *
qviz_flame_view_get_data (QvizFlameView *self)
{
  g_return_val_if_fail (QVIZ_IS_FLAME_VIEW (self), NULL);
  return qviz_flame_painter_get_data (self->painter);
}

gboolean
qviz_flame_view_focus_layer (QvizFlameView *self,
                             int            layer_index)
{
  QvizFlameData *data;
  const QvizFlameSpan *span = NULL;
  int found = -1;

  g_return_val_if_fail (QVIZ_IS_FLAME_VIEW (self), FALSE);

  data = qviz_flame_painter_get_data (self->painter);
  if (data == NULL || layer_index < 0)
    return FALSE;
  /* The first band holding the layer, its outermost span (not a phase). */
  for (guint i = 0; i < qviz_flame_data_get_n_spans (data); i++)
    {
      const QvizFlameSpan *s = qviz_flame_data_get_span (data, i);

      if (s->layer_index != layer_index)
        continue;
      if (span == NULL || s->band < span->band || (s->band == span->band && s->depth < span->depth))
        {
          span = s;
          found = (int) i;
        }
    }
  if (found < 0)
    return FALSE;
  select_span (self, found);
  {
    /* The layer in the middle third of the window, never closer in than
     * the clock shows. */
    double width = MAX ((double) (span->end_ns - span->start_ns) * 3, MIN_WINDOW_NS);
    double center = (span->start_ns + span->end_ns) / 2.0;
    set_window (self, center - width / 2, center + width / 2);
  }
  return TRUE;
}

void
qviz_flame_view_set_show_spread (QvizFlameView *self,
                                 gboolean       show_spread)
{
  g_return_if_fail (QVIZ_IS_FLAME_VIEW (self));

  if (qviz_flame_painter_get_show_spread (self->painter) == !!show_spread)
    return;
  qviz_flame_painter_set_show_spread (self->painter, show_spread);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_SPREAD]);
}

gboolean
qviz_flame_view_get_show_spread (QvizFlameView *self)
{
  g_return_val_if_fail (QVIZ_IS_FLAME_VIEW (self), FALSE);
  return qviz_flame_painter_get_show_spread (self->painter);
}
