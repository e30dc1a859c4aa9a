/* qviz-machines-page.h: the Machines page.
 *
 * Every machine the store has runs from, its fingerprint, and the sweeps
 * it holds.  Databases from several machines merge into one store (File >
 * Import), so this page is where a person sees what came from where.
 * Choosing a sweep emits "sweep-activated"; the window opens it.
 */
#pragma once

#include <gtk/gtk.h>

#include "qviz-store.h"

G_BEGIN_DECLS

#define QVIZ_TYPE_MACHINES_PAGE (qviz_machines_page_get_type ())
G_DECLARE_FINAL_TYPE (QvizMachinesPage, qviz_machines_page, QVIZ, MACHINES_PAGE, GtkWidget)

GtkWidget *qviz_machines_page_new            (void);
/* Lists the machines of store (NULL lists none) with their sweeps among
 * all_sweeps (QvizSweep *, of every model), marking the sweep shown_uuid.
 * FALSE with error when the store could not list its machines; the page
 * is then empty. */
gboolean   qviz_machines_page_reload         (QvizMachinesPage *self,
                                              QvizStore        *store,
                                              GPtrArray        *all_sweeps,
                                              const char       *shown_uuid,
                                              GError          **error);
guint      qviz_machines_page_get_n_machines (QvizMachinesPage *self);

G_END_DECLS
