/* qviz-accuracy-page.c: SQNR along the depth of an int8 run, and the layers
 * that lose most. */

#include "qviz-config.h"
#include "qviz-accuracy-page.h"

#include <adwaita.h>

#include "qviz-window-format.h"
#include <glib/gi18n.h>
#include <math.h>

#include "qviz-chart-compare.h"
#include "qviz-widgets-private.h"

/* The list names the layers worth keeping in float; the chart shows all. */
#define MAX_RANKED 12
/* A database may hold megabyte-long names, which labels lay out slowly. */
#define MAX_NAME_CHARS 1024

struct _QvizAccuracyPage
{
  GtkWidget       parent_instance;

  GPtrArray      *runs;        /* QvizRun *, the sweep's (shared) */
  GArray         *choices;     /* guint: index in runs of each run choice */
  QvizAccuracy   *accuracy;    /* of the run shown, or NULL */
  const QvizRun  *run;         /* the run shown (in runs), or NULL */
  guint           n_ranked;

  GtkDropDown    *run_choice;
  GtkLabel       *output_label;
  GtkStack       *stack;
  GtkDrawingArea *chart;
  GtkLabel       *summary;
  GtkListBox     *ranked;
};

enum { PROP_0, PROP_RUN, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { KEEP_FLOAT_REQUESTED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (QvizAccuracyPage, qviz_accuracy_page, GTK_TYPE_WIDGET)

static char *
format_db (double db)
{
  if (isnan (db))
    return g_strdup ("—");
  if (isinf (db))
    return g_strdup (db > 0 ? _("exact") : "−∞ dB");
  return g_strdup_printf (_("%.1f dB"), db);
}

static const QvizRun *
chosen_run (QvizAccuracyPage *self)
{
  guint i = gtk_drop_down_get_selected (self->run_choice);

  if (self->runs == NULL || i == GTK_INVALID_LIST_POSITION || i >= self->choices->len)
    return NULL;
  return g_ptr_array_index (self->runs, g_array_index (self->choices, guint, i));
}

static char *
clip_name (const char *name)
{
  g_autofree char *head = NULL;

  if (g_utf8_strlen (name, -1) <= MAX_NAME_CHARS)
    return g_strdup (name);
  head = g_utf8_substring (name, 0, MAX_NAME_CHARS);
  return g_strconcat (head, "…", NULL);
}

static void
on_keep_float_clicked (GtkButton *button,
                       gpointer   user_data)
{
  QvizAccuracyPage *self = QVIZ_ACCURACY_PAGE (gtk_widget_get_ancestor (GTK_WIDGET (button),
                                                                        QVIZ_TYPE_ACCURACY_PAGE));

  if (self != NULL && self->run != NULL)
    g_signal_emit (self, signals[KEEP_FLOAT_REQUESTED], 0,
                   g_object_get_data (G_OBJECT (button), "qviz-layer"));
}

static GtkWidget *
ranked_row (const QvizAccuracyLayer *l)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label, *button;
  g_autofree char *own = format_db (l->own_db);
  g_autofree char *accum = format_db (l->accum_db);
  g_autofree char *subtitle = NULL, *value = NULL;

  g_autofree char *name = clip_name (l->name);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  gtk_widget_set_tooltip_text (row, name);
  /* TRANSLATORS: a layer's own SQNR, then the accumulated SQNR at its
   * output: "own 12.3 dB · accumulated 18.0 dB". */
  subtitle = g_strdup_printf (_("own %s · accumulated %s"), own, accum);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  value = isinf (l->drop_db) ? g_strdup (_("from the input"))
                             /* TRANSLATORS: the accumulated SQNR this layer
                              * loses, "−6.2 dB" */
                             : g_strdup_printf (_("−%.1f dB"), l->drop_db);
  label = gtk_label_new (value);
  gtk_widget_add_css_class (label, "numeric");
  if (l->own_db < QVIZ_SQNR_WARNING_DB)
    gtk_widget_add_css_class (label, "warning");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  /* What the list is for: trying the layer in float. */
  button = gtk_button_new_from_icon_name ("media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (button, _("Run with This Layer in Float…"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data_full (G_OBJECT (button), "qviz-layer", g_strdup (l->name), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_keep_float_clicked), NULL);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  g_object_set_data (G_OBJECT (row), "qviz-keep-float-button", button);
  return row;
}

static void
fill_run (QvizAccuracyPage *self)
{
  const QvizRun *run = chosen_run (self);
  g_autofree char *output = NULL;
  g_autofree char *summary = NULL;

  g_clear_pointer (&self->accuracy, qviz_accuracy_free);
  qviz_window_clear_list_box (self->ranked);
  self->n_ranked = 0;
  if (run != NULL)
    self->accuracy = qviz_accuracy_new (run);

  if (self->accuracy != NULL)
    {
      const QvizAccuracy *acc = self->accuracy;
      g_autofree char *db = format_db (acc->output_db);

      /* TRANSLATORS: the int8 run's output SQNR against the float run's. */
      output = g_strdup_printf (_("Output SQNR %s"), db);
      if (acc->low->len > 0)
        summary = g_strdup_printf (ngettext ("%u layer is below %.0f dB on its own. Ranked by the accumulated SQNR each layer loses against its input.",
                                             "%u layers are below %.0f dB on their own. Ranked by the accumulated SQNR each layer loses against its input.",
                                             acc->low->len),
                                   acc->low->len, QVIZ_SQNR_WARNING_DB);
      else
        summary = g_strdup_printf (_("No layer is below %.0f dB on its own. Ranked by the accumulated SQNR each layer loses against its input."),
                                   QVIZ_SQNR_WARNING_DB);
      for (guint k = 0; k < acc->ranked->len && self->n_ranked < MAX_RANKED; k++)
        {
          guint i = g_array_index (acc->ranked, guint, k);
          gtk_list_box_append (self->ranked,
                               ranked_row (&g_array_index (acc->layers, QvizAccuracyLayer, i)));
          self->n_ranked++;
        }
    }
  gtk_label_set_text (self->output_label, output ? output : "");
  gtk_label_set_text (self->summary, summary ? summary : "");
  gtk_stack_set_visible_child_name (self->stack, self->accuracy != NULL ? "accuracy" : "empty");
  gtk_widget_queue_draw (GTK_WIDGET (self->chart));
  if (self->run != run)
    {
      self->run = run;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN]);
    }
}

static void
draw_chart (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        user_data)
{
  QvizAccuracyPage *self = user_data;

  qviz_accuracy_paint (self->accuracy, qviz_widgets_get_chart_style (), cr, width, height);
}

char *
qviz_accuracy_page_describe_at (QvizAccuracyPage *self,
                                double            x,
                                double            y)
{
  int i;

  g_return_val_if_fail (QVIZ_IS_ACCURACY_PAGE (self), NULL);

  if (self->accuracy == NULL)
    return NULL;
  i = qviz_accuracy_layer_at (self->accuracy, gtk_widget_get_width (GTK_WIDGET (self->chart)),
                              gtk_widget_get_height (GTK_WIDGET (self->chart)), x, y);
  return i >= 0 ? qviz_accuracy_describe (self->accuracy, (guint) i) : NULL;
}

static gboolean
on_chart_query_tooltip (GtkWidget  *widget,
                        int         x,
                        int         y,
                        gboolean    keyboard,
                        GtkTooltip *tooltip,
                        gpointer    user_data)
{
  QvizAccuracyPage *self = QVIZ_ACCURACY_PAGE (gtk_widget_get_ancestor (widget, QVIZ_TYPE_ACCURACY_PAGE));
  g_autofree char *text = NULL;

  if (self == NULL || keyboard)
    return FALSE;
  text = qviz_accuracy_page_describe_at (self, x, y);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

void
qviz_accuracy_page_set_runs (QvizAccuracyPage *self,
                             GPtrArray        *runs)
{
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  int worst;
  guint initial = 0;

  g_return_if_fail (QVIZ_IS_ACCURACY_PAGE (self));

  if (runs != NULL)
    g_ptr_array_ref (runs);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  self->runs = runs;
  g_array_set_size (self->choices, 0);
  /* The run shown may be freed with the old array: what is shown is
   * decided again below. */
  self->run = NULL;

  worst = runs != NULL ? qviz_accuracy_worst_run (runs) : -1;
  for (guint i = 0; runs != NULL && i < runs->len; i++)
    {
      const QvizRun *run = g_ptr_array_index (runs, i);
      g_autofree char *label = NULL;

      if (run == NULL || g_strcmp0 (run->precision, "int8") != 0)
        continue;
      if ((int) i == worst)
        initial = self->choices->len;
      g_array_append_val (self->choices, i);
      label = qviz_chart_run_config_label (run);
      gtk_string_list_append (names, label);
    }
  g_signal_handlers_block_by_func (self->run_choice, fill_run, self);
  gtk_drop_down_set_model (self->run_choice, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->run_choice, initial);
  g_signal_handlers_unblock_by_func (self->run_choice, fill_run, self);
  gtk_widget_set_visible (GTK_WIDGET (self->run_choice), self->choices->len > 0);
  fill_run (self);
  /* Even when the same pointer came back, the run is a new one. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN]);
}

gboolean
qviz_accuracy_page_select (QvizAccuracyPage *self,
                           guint             run)
{
  g_return_val_if_fail (QVIZ_IS_ACCURACY_PAGE (self), FALSE);

  for (guint i = 0; i < self->choices->len; i++)
    if (g_array_index (self->choices, guint, i) == run)
      {
        gtk_drop_down_set_selected (self->run_choice, i);
        return TRUE;
      }
  return FALSE;
}

const QvizRun *
qviz_accuracy_page_get_run (QvizAccuracyPage *self)
{
  g_return_val_if_fail (QVIZ_IS_ACCURACY_PAGE (self), NULL);
  return self->run;
}

const QvizAccuracy *
qviz_accuracy_page_get_accuracy (QvizAccuracyPage *self)
{
  g_return_val_if_fail (QVIZ_IS_ACCURACY_PAGE (self), NULL);
  return self->accuracy;
}

guint
qviz_accuracy_page_get_n_ranked (QvizAccuracyPage *self)
{
  g_return_val_if_fail (QVIZ_IS_ACCURACY_PAGE (self), 0);
  return self->n_ranked;
}

const char *
qviz_accuracy_page_get_ranked_name (QvizAccuracyPage *self,
                                    guint             k)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (QVIZ_IS_ACCURACY_PAGE (self), NULL);

  row = gtk_list_box_get_row_at_index (self->ranked, (int) k);
  return row != NULL ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)) : NULL;
}

gboolean
qviz_accuracy_page_request_keep_float (QvizAccuracyPage *self,
                                       guint             k)
{
  GtkListBoxRow *row;
  GtkWidget *button;

  g_return_val_if_fail (QVIZ_IS_ACCURACY_PAGE (self), FALSE);

  row = gtk_list_box_get_row_at_index (self->ranked, (int) k);
  if (row == NULL)
    return FALSE;
  button = g_object_get_data (G_OBJECT (row), "qviz-keep-float-button");
  if (button == NULL)
    return FALSE;
  g_signal_emit_by_name (button, "clicked");
  return TRUE;
}

GtkWidget *
qviz_accuracy_page_get_chart (QvizAccuracyPage *self)
{
  g_return_val_if_fail (QVIZ_IS_ACCURACY_PAGE (self), NULL);
  return GTK_WIDGET (self->chart);
}

GtkWidget *
qviz_accuracy_page_new (void)
{
  return g_object_new (QVIZ_TYPE_ACCURACY_PAGE, NULL);
}

static void
qviz_accuracy_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  QvizAccuracyPage *self = QVIZ_ACCURACY_PAGE (object);

  switch (prop_id)
    {
    case PROP_RUN:
      g_value_set_pointer (value, (gpointer) self->run);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qviz_accuracy_page_dispose (GObject *object)
{
  QvizAccuracyPage *self = QVIZ_ACCURACY_PAGE (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), QVIZ_TYPE_ACCURACY_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->run = NULL;
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->accuracy, qviz_accuracy_free);
  G_OBJECT_CLASS (qviz_accuracy_page_parent_class)->dispose (object);
}

static void
qviz_accuracy_page_finalize (GObject *object)
{
  QvizAccuracyPage *self = QVIZ_ACCURACY_PAGE (object);

  g_array_unref (self->choices);
  G_OBJECT_CLASS (qviz_accuracy_page_parent_class)->finalize (object);
}

static void
qviz_accuracy_page_class_init (QvizAccuracyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qviz_accuracy_page_dispose;
  object_class->finalize = qviz_accuracy_page_finalize;
  object_class->get_property = qviz_accuracy_page_get_property;

  /* The int8 run shown (const QvizRun *, owned by the runs given). */
  properties[PROP_RUN] =
    g_param_spec_pointer ("run", NULL, NULL,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A ranked layer's "Run with this layer in float" button: the layer's
   * path; the run is qviz_accuracy_page_get_run. */
  signals[KEEP_FLOAT_REQUESTED] =
    g_signal_new ("keep-float-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/qviz/Qviz/ui/qviz-accuracy-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QvizAccuracyPage, run_choice);
  gtk_widget_class_bind_template_child (widget_class, QvizAccuracyPage, output_label);
  gtk_widget_class_bind_template_child (widget_class, QvizAccuracyPage, stack);
  gtk_widget_class_bind_template_child (widget_class, QvizAccuracyPage, chart);
  gtk_widget_class_bind_template_child (widget_class, QvizAccuracyPage, summary);
  gtk_widget_class_bind_template_child (widget_class, QvizAccuracyPage, ranked);
  gtk_widget_class_bind_template_callback (widget_class, fill_run);
  gtk_widget_class_bind_template_callback (widget_class, on_chart_query_tooltip);
}

static void
qviz_accuracy_page_init (QvizAccuracyPage *self)
{
  self->choices = g_array_new (FALSE, FALSE, sizeof (guint));
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drawing_area_set_draw_func (self->chart, draw_chart, self, NULL);
  qviz_widgets_follow_style (GTK_WIDGET (self->chart), G_CALLBACK (gtk_widget_queue_draw));
  gtk_widget_set_visible (GTK_WIDGET (self->run_choice), FALSE);
}
