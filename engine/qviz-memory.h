/* qviz-memory.h: how much memory this process may still take.
 *
 * A plan's arena is allocated in one piece; a size that does not fit must
 * be refused in a sentence before it is asked for, not end in an abort,
 * the OOM killer or swapping. */
#pragma once

#include <glib.h>
#include "qviz-graph.h"

G_BEGIN_DECLS

/* The least of: the kernel's MemAvailable, the room left under the
 * process's address-space limit (ulimit -v), and the room left in its
 * cgroup (memory.max - memory.current). G_MAXUINT64 when none is known. */
guint64  qviz_memory_available (void);

/* Sets error and returns FALSE when bytes (for what, e.g. "the activations
 * of 'mnv2' f32 at 8192x8192") exceed qviz_memory_available(). */
gboolean qviz_memory_check     (guint64 bytes, const char *what, GError **error);

/* The most activation memory a node-by-node pass of graph at shapes holds
 * at once, with elem_size bytes a value (4 for float, 1 for int8): each
 * value from its producer to its last reader, the outputs to the end.  A
 * plan's arena (fused, but aligned and laid out greedily) comes close. */
guint64  qviz_memory_activation_peak (QvizGraph *graph, const QvizShape *shapes,
                                      gsize elem_size);

G_END_DECLS
