/* qviz-machines-page.c: every machine of the store, its fingerprint and
 * its sweeps. */

#include "qviz-config.h"
#include "qviz-machines-page.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "qviz-machine.h"
#include "qviz-window-format.h"

struct _QvizMachinesPage
{
  GtkWidget    parent_instance;

  QvizMachine *this_machine;   /* detected once, for "this machine" */
  GPtrArray   *machine_groups; /* the AdwPreferencesGroup in machines_box */
  GHashTable  *expanded;       /* machine id -> 1 open, -1 closed by the user */

  GtkStack    *stack;          /* "empty" or "list" */
  GtkBox      *machines_box;
};

G_DEFINE_FINAL_TYPE (QvizMachinesPage, qviz_machines_page, GTK_TYPE_WIDGET)

enum {
  SWEEP_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
format_bytes (guint64 bytes)
{
  return bytes > 0 ? g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS) : g_strdup (_("unknown"));
}

static GtkWidget *
fact_row (const char *title,
          const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  const char *text = value && value[0] ? value : _("unknown");
  GtkWidget *label = gtk_label_new (text);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  /* A wrapping label asks only for its longest word: short values would
   * break at every space, so only long ones (the ISA flags) wrap. */
  if (g_utf8_strlen (text, -1) > 48)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_width_chars (GTK_LABEL (label), 40);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 64);
    }
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_widget_add_css_class (label, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  return row;
}

static void
on_fingerprint_expanded (AdwExpanderRow *expander,
                         GParamSpec     *pspec,
                         QvizMachinesPage *self)
{
  const char *id = g_object_get_data (G_OBJECT (expander), "qviz-machine-id");

  g_hash_table_insert (self->expanded, g_strdup (id),
                       GINT_TO_POINTER (adw_expander_row_get_expanded (expander) ? 1 : -1));
}

static GtkWidget *
fingerprint_row (QvizMachinesPage  *self,
                 const QvizMachine *m,
                 gboolean           expanded)
{
  GtkWidget *expander = adw_expander_row_new ();
  int state = GPOINTER_TO_INT (g_hash_table_lookup (self->expanded, m->id));
  g_autofree char *cores = NULL, *caches = NULL, *memory = NULL, *system = NULL;
  g_autofree char *version = NULL, *summary = NULL, *l1 = NULL, *l2 = NULL, *l3 = NULL;

  /* TRANSLATORS: physical cores, logical threads. */
  cores = g_strdup_printf (_("%d cores, %d threads"), m->physical_cores, m->logical_cores);
  l1 = format_bytes (m->l1d_bytes);
  l2 = format_bytes (m->l2_bytes);
  l3 = format_bytes (m->l3_bytes);
  /* TRANSLATORS: cache sizes: L1 data per core, L2 and L3 per instance. */
  caches = g_strdup_printf (_("L1d %s · L2 %s · L3 %s"), l1, l2, l3);
  memory = format_bytes (m->memory_bytes);
  system = g_strdup_printf ("%s · %s", m->os ? m->os : "?", m->kernel ? m->kernel : "?");
  version = g_strdup_printf ("%s (%s)", m->qviz_version ? m->qviz_version : "?",
                             m->qviz_commit ? m->qviz_commit : "?");
  summary = g_strdup_printf ("%s · %s · %s", cores, memory, m->os ? m->os : "?");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), _("Fingerprint"));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), summary);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), fact_row (_("Processor"), m->cpu_model));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), fact_row (_("Cores"), cores));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), fact_row (_("Instruction sets"), m->isa_flags));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), fact_row (_("Caches"), caches));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), fact_row (_("Memory"), memory));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), fact_row (_("System"), system));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), fact_row (_("qviz version"), version));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), fact_row (_("Machine id"), m->id));
  /* Shown open while there are few machines, then as the user left it. */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), state != 0 ? state > 0 : expanded);
  g_object_set_data_full (G_OBJECT (expander), "qviz-machine-id", g_strdup (m->id), g_free);
  g_signal_connect (expander, "notify::expanded", G_CALLBACK (on_fingerprint_expanded), self);
  return expander;
}

static void
on_sweep_activated (AdwActionRow *row,
                    QvizMachinesPage *self)
{
  const char *uuid = g_object_get_data (G_OBJECT (row), "qviz-sweep-uuid");

  if (uuid != NULL)
    g_signal_emit (self, signals[SWEEP_ACTIVATED], 0, uuid);
}

static GtkWidget *
sweep_row (QvizMachinesPage *self,
           const QvizSweep  *sweep,
           const char       *shown_uuid)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *date = qviz_window_format_time (sweep->created);
  g_autofree char *title = g_markup_printf_escaped ("%s · %s", sweep->model_name ? sweep->model_name : "?", date);
  g_autofree char *line = qviz_window_format_sweep_line (sweep);
  const char *status = qviz_window_sweep_status_label (sweep);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), line);
  if (status != NULL)
    {
      GtkWidget *badge = gtk_label_new (status);
      gtk_widget_add_css_class (badge, "caption");
      gtk_widget_add_css_class (badge, sweep->status == QVIZ_SWEEP_FAILED ? "error" : "dim-label");
      if (sweep->message && sweep->message[0])
        gtk_widget_set_tooltip_text (badge, sweep->message);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
    }
  if (g_strcmp0 (sweep->uuid, shown_uuid) == 0)
    {
      GtkWidget *shown = gtk_image_new_from_icon_name ("object-select-symbolic");
      gtk_widget_set_tooltip_text (shown, _("Shown now"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), shown);
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Show this sweep"));
  g_object_set_data_full (G_OBJECT (row), "qviz-sweep-uuid", g_strdup (sweep->uuid), g_free);
  g_signal_connect (row, "activated", G_CALLBACK (on_sweep_activated), self);
  return row;
}

/* The id changes with the qviz version (it is part of the fingerprint);
 * the same host with the same processor is still this machine. */
static gboolean
is_this_machine (const QvizMachine *m,
                 const QvizMachine *here)
{
  return here != NULL && g_strcmp0 (m->hostname, here->hostname) == 0 &&
         g_strcmp0 (m->cpu_model, here->cpu_model) == 0 &&
         g_strcmp0 (m->isa_flags, here->isa_flags) == 0;
}

static GtkWidget *
machine_group (QvizMachinesPage  *self,
               const QvizMachine *m,
               GPtrArray         *all_sweeps,
               const char        *shown_uuid,
               gboolean           expanded)
{
  GtkWidget *group = adw_preferences_group_new ();
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;
  guint n = 0;

  if (is_this_machine (m, self->this_machine))
    /* TRANSLATORS: a machine's host name, on the machine running qviz. */
    title = g_strdup_printf (_("%s (this machine)"), m->hostname ? m->hostname : "?");
  else
    title = g_strdup (m->hostname ? m->hostname : _("Unknown machine"));
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), fingerprint_row (self, m, expanded));
  for (guint i = 0; all_sweeps && i < all_sweeps->len; i++)
    {
      const QvizSweep *s = g_ptr_array_index (all_sweeps, i);
      if (g_strcmp0 (s->machine_id, m->id) != 0)
        continue;
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), sweep_row (self, s, shown_uuid));
      n++;
    }
  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u sweep", "%s · %u sweeps", n),
                                 m->cpu_model ? m->cpu_model : "?", n);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  return group;
}

/* This machine first, then by host name. */
static int
compare_machines (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const QvizMachine *x = *(QvizMachine * const *) a, *y = *(QvizMachine * const *) b;
  const QvizMachine *here = user_data;
  gboolean x_here = is_this_machine (x, here), y_here = is_this_machine (y, here);
  int c;

  if (x_here != y_here)
    return x_here ? -1 : 1;
  c = g_strcmp0 (x->hostname, y->hostname);
  return c != 0 ? c : g_strcmp0 (x->id, y->id);
}

gboolean
qviz_machines_page_reload (QvizMachinesPage *self,
                           QvizStore        *store,
                           GPtrArray        *all_sweeps,
                           const char       *shown_uuid,
                           GError          **error)
{
  g_autoptr (GPtrArray) machines = NULL;

  g_return_val_if_fail (QVIZ_IS_MACHINES_PAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < self->machine_groups->len; i++)
    gtk_box_remove (self->machines_box, g_ptr_array_index (self->machine_groups, i));
  g_ptr_array_set_size (self->machine_groups, 0);

  if (self->this_machine == NULL)
    self->this_machine = qviz_machine_detect ();
  if (store != NULL)
    machines = qviz_store_list_machines (store, error);
  if (machines != NULL)
    {
      g_ptr_array_sort_with_data (machines, compare_machines, self->this_machine);
      for (guint i = 0; i < machines->len; i++)
        {
          GtkWidget *group = machine_group (self, g_ptr_array_index (machines, i),
                                            all_sweeps, shown_uuid, machines->len <= 2);
          gtk_box_append (self->machines_box, group);
          g_ptr_array_add (self->machine_groups, group);
        }
    }
  gtk_stack_set_visible_child_name (self->stack,
                                    self->machine_groups->len > 0 ? "list" : "empty");
  return store == NULL || machines != NULL;
}

guint
qviz_machines_page_get_n_machines (QvizMachinesPage *self)
{
  g_return_val_if_fail (QVIZ_IS_MACHINES_PAGE (self), 0);

  return self->machine_groups->len;
}

GtkWidget *
qviz_machines_page_new (void)
{
  return g_object_new (QVIZ_TYPE_MACHINES_PAGE, NULL);
}

static void
qviz_machines_page_dispose (GObject *object)
{
  QvizMachinesPage *self = QVIZ_MACHINES_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), QVIZ_TYPE_MACHINES_PAGE);
  G_OBJECT_CLASS (qviz_machines_page_parent_class)->dispose (object);
}

static void
qviz_machines_page_finalize (GObject *object)
{
  QvizMachinesPage *self = QVIZ_MACHINES_PAGE (object);

  g_ptr_array_unref (self->machine_groups);
  g_hash_table_unref (self->expanded);
  g_clear_pointer (&self->this_machine, qviz_machine_free);
  G_OBJECT_CLASS (qviz_machines_page_parent_class)->finalize (object);
}

static void
qviz_machines_page_class_init (QvizMachinesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qviz_machines_page_dispose;
  object_class->finalize = qviz_machines_page_finalize;

  /* The user chose a sweep to see (its uuid); it may be of another model. */
  signals[SWEEP_ACTIVATED] =
    g_signal_new ("sweep-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/qviz/Qviz/ui/qviz-machines-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QvizMachinesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, QvizMachinesPage, machines_box);
}

static void
qviz_machines_page_init (QvizMachinesPage *self)
{
  self->machine_groups = g_ptr_array_new ();
  self->expanded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
}
