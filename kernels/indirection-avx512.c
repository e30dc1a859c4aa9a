/* indirection-avx512.c: resolving indirection offsets to row pointers,
 * sixteen at a time (AVX-512).  See qvk_indirection_resolve__scalar. */
#include "qvk-ukernels.h"

#include <immintrin.h>

void
qvk_indirection_resolve__avx512 (size_t n, const int32_t *offsets,
                                 const void *input, const void *zero,
                                 size_t elem_size, const void **rows)
{
  const __m512i base = _mm512_set1_epi64 ((long long) (uintptr_t) input);
  const __m512i zrow = _mm512_set1_epi64 ((long long) (uintptr_t) zero);
  const int shift = elem_size == 4 ? 2 : elem_size == 2 ? 1 : 0;
  size_t i = 0;

  for (; i < n; i += 8)
    {
      const __mmask8 m = n - i >= 8 ? (__mmask8) 0xff : (__mmask8) ((1u << (n - i)) - 1);
      const __m256i off = _mm256_maskz_loadu_epi32 (m, offsets + i);
      const __mmask8 pad = _mm256_cmplt_epi32_mask (off, _mm256_setzero_si256 ());
      const __m512i bytes = _mm512_slli_epi64 (_mm512_cvtepi32_epi64 (off), shift);
      const __m512i p = _mm512_mask_blend_epi64 (pad, _mm512_add_epi64 (base, bytes), zrow);
      _mm512_mask_storeu_epi64 (rows + i, m, p);
    }
}
