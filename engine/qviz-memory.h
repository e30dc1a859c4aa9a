/* qviz-memory.h: how much memory this process may still take.
 *
 * A plan's arena is allocated in one piece; a size that does not fit must
 * be refused in a sentence before it is asked for, not end in an abort,
 * the OOM killer or swapping. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The least of: the kernel's MemAvailable, the room left under the
 * process's address-space limit (ulimit -v), and the room left in its
 * cgroup (memory.max - memory.current). G_MAXUINT64 when none is known. */
guint64  qviz_memory_available (void);

/* Sets error and returns FALSE when bytes (for what, e.g. "the activations
 * of 'mnv2' f32 at 8192x8192") exceed qviz_memory_available(). */
gboolean qviz_memory_check     (guint64 bytes, const char *what, GError **error);

G_END_DECLS
