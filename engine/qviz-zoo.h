/* qviz-zoo.h: the built-in models.
 *
 * Each model is built in code as a QvizGraph whose layers match the
 * torchvision definition (channels, kernels, strides, dilations, SE blocks,
 * activations), with weights drawn from a fixed seed at realistic scales and
 * BatchNorm statistics included.  The same name always gives the same graph
 * and the same weights.
 */
#pragma once

#include <glib.h>
#include "qviz-graph.h"

G_BEGIN_DECLS

typedef struct {
  const char *name;        /* "lraspp-mnv3" */
  const char *description; /* one or two sentences */
  int default_res;         /* square input size the model is usually run at */
} QvizZooEntry;

/* The built-in models, the default one first.  Static; never freed. */
const QvizZooEntry *qviz_zoo_list  (guint *n_entries);

/* Builds the model called name.  An unknown name fails with
 * QVIZ_ERROR_INVALID_ARGUMENT. */
QvizGraph          *qviz_zoo_build (const char *name, GError **error);

/* The fitted BatchNorm statistics of a model are made once and kept, for
 * the process and in a file under the user's cache folder (this path);
 * forget_fits drops the process's copies (the files stay). */
char               *qviz_zoo_fit_cache_path (const char *name);
void                qviz_zoo_forget_fits    (void);

G_END_DECLS
