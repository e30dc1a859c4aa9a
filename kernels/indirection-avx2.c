/* indirection-avx2.c: resolving indirection offsets to row pointers, four
 * at a time (AVX2).  See qvk_indirection_resolve__scalar. */
#include "qvk-ukernels.h"

#include <immintrin.h>

void
qvk_indirection_resolve__avx2 (size_t n, const int32_t *offsets,
                               const void *input, const void *zero,
                               size_t elem_size, const void **rows)
{
  const __m256i base = _mm256_set1_epi64x ((long long) (uintptr_t) input);
  const __m256i zrow = _mm256_set1_epi64x ((long long) (uintptr_t) zero);
  const __m128i shift = _mm_cvtsi32_si128 (elem_size == 4 ? 2 : elem_size == 2 ? 1 : 0);
  size_t i = 0;

  for (; i + 4 <= n; i += 4)
    {
      const __m256i off = _mm256_cvtepi32_epi64 (_mm_loadu_si128 ((const __m128i *) (offsets + i)));
      const __m256i pad = _mm256_cmpgt_epi64 (_mm256_setzero_si256 (), off);
      const __m256i p = _mm256_add_epi64 (base, _mm256_sll_epi64 (off, shift));
      _mm256_storeu_si256 ((__m256i *) (rows + i), _mm256_blendv_epi8 (p, zrow, pad));
    }
  for (; i < n; i++)
    rows[i] = offsets[i] < 0 ? zero
              : (const void *) ((const uint8_t *) input + (size_t) offsets[i] * elem_size);
}
