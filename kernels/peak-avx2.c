/* peak-avx2.c: the AVX2 throughput loops of qvk-peak.h. */
#include "qvk-peak.h"

#include <immintrin.h>

/* 12 chains of a 4-cycle FMA keep two FMA pipes busy. */
void
qvk_peak_f32_loop__avx2 (uint64_t iterations)
{
  __m256 acc[12];
  const __m256 a = _mm256_set1_ps (1.0000001f), b = _mm256_set1_ps (1e-9f);
  volatile float sink;

  for (int k = 0; k < 12; k++)
    acc[k] = _mm256_set1_ps ((float) k);
  for (uint64_t i = 0; i < iterations; i++)
    for (int k = 0; k < 12; k++)
      acc[k] = _mm256_fmadd_ps (acc[k], a, b);
  for (int k = 1; k < 12; k++)
    acc[0] = _mm256_add_ps (acc[0], acc[k]);
  sink = _mm256_cvtss_f32 (acc[0]);
  (void) sink;
}

/* The int8 kernels widen to int16 and use vpmaddwd: 16 MACs an instruction
 * (its add into the accumulator goes to another port). */
void
qvk_peak_int8_loop__avx2 (uint64_t iterations)
{
  __m256i acc[12];
  const __m256i a = _mm256_set1_epi16 (3), b = _mm256_set1_epi16 (-2);
  volatile int sink;

  for (int k = 0; k < 12; k++)
    acc[k] = _mm256_set1_epi32 (k);
  for (uint64_t i = 0; i < iterations; i++)
    for (int k = 0; k < 12; k++)
      acc[k] = _mm256_add_epi32 (acc[k], _mm256_madd_epi16 (a, b));
  for (int k = 1; k < 12; k++)
    acc[0] = _mm256_add_epi32 (acc[0], acc[k]);
  sink = _mm256_cvtsi256_si32 (acc[0]);
  (void) sink;
}
