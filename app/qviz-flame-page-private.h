/* qviz-flame-page-private.h: the Flame chart page's widgets, for the GUI
 * tests that drive them. */
#pragma once

#include "qviz-flame-page.h"
#include "qviz-flame-table.h"

G_BEGIN_DECLS

struct _QvizFlamePage
{
  GtkWidget       parent_instance;

  const QvizRun  *f32, *int8;  /* the configuration shown (the window's) */

  GtkDropDown    *config_choice;
  GtkDropDown    *pass_choice;
  GtkSearchEntry *search;
  GtkLabel       *matches;     /* "3 of 12", "No match" */
  QvizFlameView  *flame;
  QvizFlameTable *table;       /* the pass's layers, linked to the chart */
  GtkToggleButton *spread_toggle;
  GtkLabel       *status;
};

G_END_DECLS
