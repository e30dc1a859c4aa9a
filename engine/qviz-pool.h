/* qviz-pool.h: a persistent pool of worker threads that spin between jobs.
 *
 * The alternative to OpenMP's fork and join for running one layer on several
 * threads: the workers stay awake, spinning on a generation counter, for a
 * while after each job, so that the many small layers of a pass start without
 * waking a thread; after that they sleep on a condition variable.  The caller
 * runs the share of thread 0 itself.  `qviz-cli bench --threading` compares
 * the two on the same plans.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _QvizPool QvizPool;

/* Runs one thread's share of a job: thread_id in [0, n_threads). */
typedef void (*QvizPoolFunc) (gpointer data, int thread_id, int n_threads);

/* A pool of n_threads (>= 2) including the caller: n_threads - 1 workers. */
QvizPool *qviz_pool_new  (int n_threads);
void      qviz_pool_free (QvizPool *pool);
int       qviz_pool_get_n_threads (const QvizPool *pool);

/* Runs func on every thread of the pool, the caller's included, and returns
 * when all have finished.  Not reentrant: one job at a time per pool. */
void      qviz_pool_run  (QvizPool *pool, QvizPoolFunc func, gpointer data);
/* Whether the workers spin for a while after each job (the default, for
 * passes timed layer after layer) or sleep at once, and the caller soon
 * when it waits for them (when the caller works alone between jobs, or
 * has threads of its own).  Takes effect from the next job on. */
void      qviz_pool_set_spin (QvizPool *pool, gboolean spin);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizPool, qviz_pool_free)

G_END_DECLS
