/* peak.c: the measured clock and vector throughput of qvk-peak.h. */
#include "qvk-peak.h"

#include <time.h>

/* The thread's own CPU time: a thread the scheduler sets aside for another
 * process is not counted as slow. */
static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

/* 16 dependent adds an iteration: the loop's own counter and branch run
 * beside the chain, so an iteration takes 16 cycles. */
static void
add_chain (uint64_t iterations)
{
  uint64_t x = 0;

  for (uint64_t i = 0; i < iterations; i++)
    {
#if defined(__x86_64__)
      __asm__ volatile ("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                        "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                        "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                        "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0"
                        : "+r" (x));
#elif defined(__aarch64__)
      __asm__ volatile ("add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
                        "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
                        "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
                        "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
                        "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
                        "add %0, %0, #1"
                        : "+r" (x));
#else
      for (int k = 0; k < 16; k++)
        __asm__ volatile ("" : "+r" (x));
      x += 16;
#endif
    }
}

/* Operations per second of loop (ops_per_iteration each), the best of
 * fifteen timings of about 20 ms: the fastest is the least disturbed (five
 * were once all slowed by something else on a shared machine, and the
 * peak came out at three quarters of the kernels' own measured rate). */
static double
best_rate (void (*loop) (uint64_t), double ops_per_iteration)
{
  uint64_t n = 1000;
  double best = 0;

  /* Grow the count until one timing takes about 20 ms. */
  for (;;)
    {
      double t0 = now_s (), dt;

      loop (n);
      dt = now_s () - t0;
      if (dt > 0.02 || n > ((uint64_t) 1 << 40))
        break;
      n *= dt > 0.002 ? (uint64_t) (0.02 / dt) + 1 : 10;
    }
  for (int r = 0; r < 15; r++)
    {
      double t0 = now_s (), dt;

      loop (n);
      dt = now_s () - t0;
      if (dt > 0 && (double) n * ops_per_iteration / dt > best)
        best = (double) n * ops_per_iteration / dt;
    }
  return best;
}

double
qvk_peak_clock_hz (void)
{
  return best_rate (add_chain, 16);
}

double
qvk_peak_f32_macs_per_s (qvk_isa isa, const char **instruction)
{
  const char *what = "";
  double rate = 0;

#if defined(__x86_64__)
  if (isa >= QVK_ISA_AVX512)
    {
      what = "vfmadd231ps zmm, 16 MACs";
      rate = best_rate (qvk_peak_f32_loop__avx512, 12 * 16);
    }
  else if (isa >= QVK_ISA_AVX2)
    {
      what = "vfmadd231ps ymm, 8 MACs";
      rate = best_rate (qvk_peak_f32_loop__avx2, 12 * 8);
    }
#else
  (void) isa;
#endif
  if (instruction != NULL)
    *instruction = what;
  return rate;
}

double
qvk_peak_int8_macs_per_s (qvk_isa isa, const char **instruction)
{
  const char *what = "";
  double rate = 0;

#if defined(__x86_64__)
  if (isa >= QVK_ISA_AVX512VNNI)
    {
      what = "vpdpbusd zmm, 64 MACs";
      rate = best_rate (qvk_peak_int8_loop__avx512vnni, 12 * 64);
    }
  else if (isa >= QVK_ISA_AVX2)
    {
      what = "vpmaddwd ymm, 16 MACs";
      rate = best_rate (qvk_peak_int8_loop__avx2, 12 * 16);
    }
#else
  (void) isa;
#endif
  if (instruction != NULL)
    *instruction = what;
  return rate;
}
