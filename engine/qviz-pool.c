/* qviz-pool.c: workers spinning on a generation counter between jobs.
 *
 * Start: the caller publishes the job, then bumps `generation`; a worker that
 * sees a new generation runs its share and decrements `pending`.  The caller
 * runs share 0 and spins until `pending` is 0.  A worker that has spun
 * SPIN_ROUNDS times without a job sleeps: it counts itself in `sleepers`
 * under the mutex before looking at the generation once more, and the caller
 * bumps the generation before reading `sleepers` (both sequentially
 * consistent), so either the caller sees the sleeper and signals it, or the
 * sleeper sees the new generation: no wake-up is lost.
 *
 * A pool told not to spin (qviz_pool_set_spin) has its workers sleep as
 * soon as they are done, and the caller sleep soon when it waits for them:
 * for a caller that works alone between jobs and has other threads of its
 * own, where a spinning thread would take the core of a thread with work
 * to do (on two cores, a worker that has lost its core to a third thread
 * holds up the caller for a time slice).  The caller counts itself in
 * `caller_waiting` before its last look at `pending`, and the last worker
 * reads it after decrementing `pending`, as with `sleepers`.
 */
#include "qviz-pool.h"

#include <stdatomic.h>
#include <stdbool.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause ()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__ ("yield")
#else
#define cpu_relax() do { } while (0)
#endif

/* About 0.1-1 ms of spinning, depending on the cost of a pause: longer than
 * the gap between two layers of a pass, short enough that an idle pool
 * stops burning a core soon. */
#define SPIN_ROUNDS 20000

/* A sleeping thread looks again after this long even without a signal:
 * the handshakes above lose no wake-up by the C11 model, but the Arm suite
 * once stalled for good with the caller and its worker both asleep under
 * qemu-user, and a missed wake-up must cost milliseconds, never the run. */
#define WAIT_RECHECK_US 20000

/* How long a caller that may not spin waits before it sleeps: a few
 * microseconds, about what a worker needs to wake. */
#define CALLER_SPIN_ROUNDS 200

typedef struct {
  QvizPool *pool;
  int id;
} Worker;

struct _QvizPool {
  int n_threads;
  GThread **threads;
  Worker *workers;

  QvizPoolFunc func;
  gpointer data;

  atomic_uint generation;
  atomic_int pending;
  atomic_int sleepers;
  atomic_int spin_rounds;  /* SPIN_ROUNDS, or 0 when told not to spin */
  atomic_int caller_waiting;
  atomic_bool quit;

  GMutex mutex;
  GCond cond;
  GCond done;              /* the caller's, when it sleeps */
};

/* The kernels keep per-thread buffers on the stack (the int8 depthwise
 * row quads up to 256 KB).  A new thread's stack pages are mapped when
 * first touched, which on some virtual machines costs as much as a layer:
 * a worker touches them when it starts, while the plan is made, not in
 * the plan's first pass. */
#define STACK_PREFAULT (320 * 1024)

static void __attribute__ ((noinline))
prefault_stack (void)
{
  volatile char page[STACK_PREFAULT];

  for (size_t i = 0; i < sizeof page; i += 4096)
    page[i] = 0;
}

static gpointer
worker_main (gpointer p)
{
  Worker *w = p;
  QvizPool *pool = w->pool;
  unsigned seen = 0;   /* the generation of a new pool: a job may be published
                          before this thread first looks */

  prefault_stack ();

  for (;;)
    {
      unsigned g;
      int spins = 0;
      const int rounds = atomic_load_explicit (&pool->spin_rounds, memory_order_relaxed);

      while ((g = atomic_load_explicit (&pool->generation, memory_order_acquire)) == seen)
        {
          if (++spins < rounds)
            {
              cpu_relax ();
              continue;
            }
          g_mutex_lock (&pool->mutex);
          atomic_fetch_add (&pool->sleepers, 1);
          while (atomic_load (&pool->generation) == seen)
            g_cond_wait_until (&pool->cond, &pool->mutex,
                               g_get_monotonic_time () + WAIT_RECHECK_US);
          atomic_fetch_sub (&pool->sleepers, 1);
          g_mutex_unlock (&pool->mutex);
          spins = 0;
        }
      seen = g;
      if (atomic_load_explicit (&pool->quit, memory_order_acquire))
        break;
      pool->func (pool->data, w->id, pool->n_threads);
      if (atomic_fetch_sub (&pool->pending, 1) == 1 && atomic_load (&pool->caller_waiting))
        {
          g_mutex_lock (&pool->mutex);
          g_cond_signal (&pool->done);
          g_mutex_unlock (&pool->mutex);
        }
    }
  return NULL;
}

static void
wake_sleepers (QvizPool *pool)
{
  if (atomic_load (&pool->sleepers) > 0)
    {
      g_mutex_lock (&pool->mutex);
      g_cond_broadcast (&pool->cond);
      g_mutex_unlock (&pool->mutex);
    }
}

QvizPool *
qviz_pool_new (int n_threads)
{
  QvizPool *pool;

  g_return_val_if_fail (n_threads >= 2, NULL);
  pool = g_new0 (QvizPool, 1);
  pool->n_threads = n_threads;
  g_mutex_init (&pool->mutex);
  g_cond_init (&pool->cond);
  g_cond_init (&pool->done);
  atomic_init (&pool->generation, 0);
  atomic_init (&pool->pending, 0);
  atomic_init (&pool->sleepers, 0);
  atomic_init (&pool->spin_rounds, SPIN_ROUNDS);
  atomic_init (&pool->caller_waiting, 0);
  atomic_init (&pool->quit, false);
  pool->threads = g_new0 (GThread *, n_threads);
  pool->workers = g_new0 (Worker, n_threads);
  for (int i = 1; i < n_threads; i++)
    {
      pool->workers[i].pool = pool;
      pool->workers[i].id = i;
      pool->threads[i] = g_thread_new ("qviz-worker", worker_main, &pool->workers[i]);
    }
  return pool;
}

int
qviz_pool_get_n_threads (const QvizPool *pool)
{
  g_return_val_if_fail (pool != NULL, 0);
  return pool->n_threads;
}

void
qviz_pool_set_spin (QvizPool *pool, gboolean spin)
{
  g_return_if_fail (pool != NULL);
  atomic_store_explicit (&pool->spin_rounds, spin ? SPIN_ROUNDS : 0, memory_order_relaxed);
}

void
qviz_pool_run (QvizPool *pool, QvizPoolFunc func, gpointer data)
{
  g_return_if_fail (pool != NULL);
  g_return_if_fail (func != NULL);

  pool->func = func;
  pool->data = data;
  atomic_store_explicit (&pool->pending, pool->n_threads - 1, memory_order_relaxed);
  atomic_fetch_add (&pool->generation, 1);   /* publishes func, data, pending */
  wake_sleepers (pool);

  func (data, 0, pool->n_threads);

  if (atomic_load_explicit (&pool->spin_rounds, memory_order_relaxed) == 0)
    {
      for (int spins = 0; spins < CALLER_SPIN_ROUNDS; spins++)
        {
          if (atomic_load_explicit (&pool->pending, memory_order_acquire) == 0)
            return;
          cpu_relax ();
        }
      g_mutex_lock (&pool->mutex);
      atomic_store (&pool->caller_waiting, 1);
      while (atomic_load (&pool->pending) != 0)
        g_cond_wait_until (&pool->done, &pool->mutex,
                           g_get_monotonic_time () + WAIT_RECHECK_US);
      atomic_store (&pool->caller_waiting, 0);
      g_mutex_unlock (&pool->mutex);
      return;
    }
  while (atomic_load_explicit (&pool->pending, memory_order_acquire) != 0)
    cpu_relax ();
}

void
qviz_pool_free (QvizPool *pool)
{
  if (pool == NULL)
    return;
  atomic_store (&pool->quit, true);
  atomic_fetch_add (&pool->generation, 1);
  wake_sleepers (pool);
  for (int i = 1; i < pool->n_threads; i++)
    g_thread_join (pool->threads[i]);
  g_mutex_clear (&pool->mutex);
  g_cond_clear (&pool->cond);
  g_cond_clear (&pool->done);
  g_free (pool->threads);
  g_free (pool->workers);
  g_free (pool);
}
