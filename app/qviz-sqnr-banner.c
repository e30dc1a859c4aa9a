/* qviz-sqnr-banner.c: the int8 layers that lose accuracy on their own. */

#include "qviz-config.h"
#include "qviz-sqnr-banner.h"

#include <glib/gi18n.h>

/* The bar has room for a sentence, not a list; the Accuracy page has it. */
#define NAMES_SHOWN 3
#define NAME_CHARS 200

struct _QvizSqnrBanner
{
  GtkWidget    parent_instance;

  GtkRevealer *revealer;
  GtkLabel    *message;
  GtkButton   *button;
};

G_DEFINE_FINAL_TYPE (QvizSqnrBanner, qviz_sqnr_banner, GTK_TYPE_WIDGET)

char *
qviz_sqnr_banner_format_names (const QvizRun *run,
                               GArray        *layers)
{
  GString *s;
  guint shown;

  g_return_val_if_fail (run != NULL, NULL);
  g_return_val_if_fail (layers != NULL, NULL);

  if (layers->len == 0)
    return NULL;
  s = g_string_new (NULL);
  shown = MIN (layers->len, NAMES_SHOWN);
  for (guint k = 0; k < shown; k++)
    {
      const QvizRunLayer *l = qviz_run_get_layer (run, g_array_index (layers, guint, k));
      if (k > 0)
        /* TRANSLATORS: between names of a list, and before its last one */
        g_string_append (s, k + 1 == shown && layers->len <= NAMES_SHOWN ? _(" and ") : _(", "));
      /* a database may hold megabyte-long names: the bar shows a line */
      if (g_utf8_strlen (l->name, -1) > NAME_CHARS)
        {
          g_autofree char *cut = g_utf8_substring (l->name, 0, NAME_CHARS);
          g_string_append_printf (s, "%s…", cut);
        }
      else
        g_string_append (s, l->name);
    }
  if (layers->len > NAMES_SHOWN)
    {
      guint more = layers->len - NAMES_SHOWN;
      /* TRANSLATORS: after the first three names of a list of layers */
      g_string_append_printf (s, ngettext (" and %u more", " and %u more", more), more);
    }
  return g_string_free (s, FALSE);
}

void
qviz_sqnr_banner_set_run (QvizSqnrBanner *self,
                          const QvizRun  *run)
{
  g_autoptr (GArray) low = NULL;
  g_autofree char *names = NULL;
  g_autofree char *text = NULL;
  g_autofree char *config = NULL;

  g_return_if_fail (QVIZ_IS_SQNR_BANNER (self));

  if (run != NULL && g_strcmp0 (run->precision, "int8") == 0)
    low = qviz_run_low_sqnr_layers (run, QVIZ_SQNR_WARNING_DB);
  if (low == NULL || low->len == 0)
    {
      gtk_label_set_text (self->message, "");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->message), NULL);
      gtk_revealer_set_reveal_child (self->revealer, FALSE);
      return;
    }
  names = qviz_sqnr_banner_format_names (run, low);
  /* TRANSLATORS: as qviz-cli run's warning: the count, the threshold,
   * then the names ("a, b, c and 2 more"). */
  text = g_strdup_printf (ngettext ("%u int8 layer is below %.0f dB SQNR on its own: %s.",
                                    "%u int8 layers are below %.0f dB SQNR on their own: %s.",
                                    low->len),
                          low->len, QVIZ_SQNR_WARNING_DB, names);
  gtk_label_set_text (self->message, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->message), text);
  gtk_revealer_set_reveal_child (self->revealer, TRUE);
}

gboolean
qviz_sqnr_banner_get_revealed (QvizSqnrBanner *self)
{
  g_return_val_if_fail (QVIZ_IS_SQNR_BANNER (self), FALSE);
  return gtk_revealer_get_reveal_child (self->revealer);
}

const char *
qviz_sqnr_banner_get_message (QvizSqnrBanner *self)
{
  g_return_val_if_fail (QVIZ_IS_SQNR_BANNER (self), NULL);
  return gtk_label_get_text (self->message);
}

GtkWidget *
qviz_sqnr_banner_get_button (QvizSqnrBanner *self)
{
  g_return_val_if_fail (QVIZ_IS_SQNR_BANNER (self), NULL);
  return GTK_WIDGET (self->button);
}

GtkWidget *
qviz_sqnr_banner_new (void)
{
  return g_object_new (QVIZ_TYPE_SQNR_BANNER, NULL);
}

static void
ensure_css (void)
{
  static gboolean done;
  g_autoptr (GtkCssProvider) provider = NULL;

  if (done)
    return;
  done = TRUE;
  /* The colours of libadwaita's own warning surfaces. */
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider,
    "qvizsqnrbanner box.warning { background-color: @warning_bg_color; color: @warning_fg_color; }\n",
    -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
qviz_sqnr_banner_dispose (GObject *object)
{
  QvizSqnrBanner *self = QVIZ_SQNR_BANNER (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), QVIZ_TYPE_SQNR_BANNER);
  G_OBJECT_CLASS (qviz_sqnr_banner_parent_class)->dispose (object);
}

static void
qviz_sqnr_banner_class_init (QvizSqnrBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qviz_sqnr_banner_dispose;
  gtk_widget_class_set_css_name (widget_class, "qvizsqnrbanner");
  gtk_widget_class_set_template_from_resource (widget_class, "/org/qviz/Qviz/ui/qviz-sqnr-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, QvizSqnrBanner, revealer);
  gtk_widget_class_bind_template_child (widget_class, QvizSqnrBanner, message);
  gtk_widget_class_bind_template_child (widget_class, QvizSqnrBanner, button);
}

static void
qviz_sqnr_banner_init (QvizSqnrBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ensure_css ();
}
