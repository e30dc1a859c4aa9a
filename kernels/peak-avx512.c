/* peak-avx512.c: the AVX-512 throughput loops of qvk-peak.h. */
#include "qvk-peak.h"

#include <immintrin.h>

void
qvk_peak_f32_loop__avx512 (uint64_t iterations)
{
  __m512 acc[12];
  const __m512 a = _mm512_set1_ps (1.0000001f), b = _mm512_set1_ps (1e-9f);
  volatile float sink;

  for (int k = 0; k < 12; k++)
    acc[k] = _mm512_set1_ps ((float) k);
  for (uint64_t i = 0; i < iterations; i++)
    for (int k = 0; k < 12; k++)
      acc[k] = _mm512_fmadd_ps (acc[k], a, b);
  for (int k = 1; k < 12; k++)
    acc[0] = _mm512_add_ps (acc[0], acc[k]);
  sink = _mm512_reduce_add_ps (acc[0]);
  (void) sink;
}

/* vpdpbusd: 64 u8 x s8 MACs an instruction. */
void
qvk_peak_int8_loop__avx512vnni (uint64_t iterations)
{
  __m512i acc[12];
  const __m512i a = _mm512_set1_epi8 (3), b = _mm512_set1_epi8 (-2);
  volatile int sink;

  for (int k = 0; k < 12; k++)
    acc[k] = _mm512_set1_epi32 (k);
  for (uint64_t i = 0; i < iterations; i++)
    for (int k = 0; k < 12; k++)
      acc[k] = _mm512_dpbusd_epi32 (acc[k], a, b);
  for (int k = 1; k < 12; k++)
    acc[0] = _mm512_add_epi32 (acc[0], acc[k]);
  sink = _mm512_reduce_add_epi32 (acc[0]);
  (void) sink;
}
