/* qviz-window-machines.c: the Machines page -- every machine the store
 * has runs from, its fingerprint, and the sweeps it holds.
 *
 * Databases from several machines merge into one store (File > Import), so
 * this page is where a person sees what came from where; choosing a sweep
 * opens it, switching model if needed.
 */

#include "qviz-config.h"
#include "qviz-window-private.h"

#include <glib/gi18n.h>

#include "qviz-machine.h"

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
                         QvizWindow     *self)
{
  const char *id = g_object_get_data (G_OBJECT (expander), "qviz-machine-id");

  g_hash_table_insert (self->machines_expanded, g_strdup (id),
                       GINT_TO_POINTER (adw_expander_row_get_expanded (expander) ? 1 : -1));
}

static GtkWidget *
fingerprint_row (QvizWindow        *self,
                 const QvizMachine *m,
                 gboolean           expanded)
{
  GtkWidget *expander = adw_expander_row_new ();
  int state = GPOINTER_TO_INT (g_hash_table_lookup (self->machines_expanded, m->id));
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
                    QvizWindow   *self)
{
  const char *uuid = g_object_get_data (G_OBJECT (row), "qviz-sweep-uuid");

  if (uuid != NULL)
    qviz_window_open_sweep (self, uuid);
}

static GtkWidget *
sweep_row (QvizWindow      *self,
           const QvizSweep *sweep)
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
  if (g_strcmp0 (sweep->uuid, self->sweep_uuid) == 0)
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
machine_group (QvizWindow        *self,
               const QvizMachine *m,
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
  for (guint i = 0; self->all_sweeps && i < self->all_sweeps->len; i++)
    {
      const QvizSweep *s = g_ptr_array_index (self->all_sweeps, i);
      if (g_strcmp0 (s->machine_id, m->id) != 0)
        continue;
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), sweep_row (self, s));
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

void
qviz_window_reload_machines (QvizWindow *self)
{
  g_autoptr (GPtrArray) machines = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (QVIZ_IS_WINDOW (self));

  for (guint i = 0; i < self->machine_groups->len; i++)
    gtk_box_remove (self->machines_box, g_ptr_array_index (self->machine_groups, i));
  g_ptr_array_set_size (self->machine_groups, 0);

  if (self->this_machine == NULL)
    self->this_machine = qviz_machine_detect ();
  if (self->store != NULL)
    {
      machines = qviz_store_list_machines (self->store, &error);
      if (machines == NULL)
        qviz_window_toast (self, error->message);
    }
  if (machines != NULL)
    {
      g_ptr_array_sort_with_data (machines, compare_machines, self->this_machine);
      for (guint i = 0; i < machines->len; i++)
        {
          GtkWidget *group = machine_group (self, g_ptr_array_index (machines, i), machines->len <= 2);
          gtk_box_append (self->machines_box, group);
          g_ptr_array_add (self->machine_groups, group);
        }
    }
  gtk_stack_set_visible_child_name (self->machines_stack,
                                    self->machine_groups->len > 0 ? "list" : "empty");
}

guint
qviz_window_get_n_machines (QvizWindow *self)
{
  g_return_val_if_fail (QVIZ_IS_WINDOW (self), 0);

  return self->machine_groups->len;
}

GtkWidget *
qviz_window_build_machines (QvizWindow *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *empty = adw_status_page_new ();
  GtkWidget *button;

  self->machine_groups = g_ptr_array_new ();
  self->machines_expanded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->machines_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 24));
  gtk_widget_set_margin_start (GTK_WIDGET (self->machines_box), 18);
  gtk_widget_set_margin_end (GTK_WIDGET (self->machines_box), 18);
  gtk_widget_set_margin_top (GTK_WIDGET (self->machines_box), 24);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->machines_box), 24);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 900);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->machines_box));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "computer-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Machines Yet"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
    _("Run a sweep here, or import the database of another machine to compare them."));
  button = gtk_button_new_with_mnemonic (_("_Import Database…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.import");
  gtk_widget_add_css_class (button, "pill");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  adw_status_page_set_child (ADW_STATUS_PAGE (empty), button);

  self->machines_stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->machines_stack, empty, "empty");
  gtk_stack_add_named (self->machines_stack, scrolled, "list");
  return GTK_WIDGET (self->machines_stack);
}
