/* qu8-lut-avx512vbmi.c: y = table[x] 64 bytes at a time.  The table sits in
 * four registers; vpermi2b looks up 7 index bits in a 128-byte pair, once
 * in the low half and once in the high half of the table, and the index's
 * top bit picks between them. */
#include "qvk-elementwise-ukernels.h"

#include <immintrin.h>

static inline void
lut_run (__m512i t0, __m512i t1, __m512i t2, __m512i t3, const uint8_t *x,
         uint8_t *y, size_t n)
{
  size_t i = 0;

  for (; i + 64 <= n; i += 64)
    {
      const __m512i v = _mm512_loadu_si512 (x + i);
      const __m512i lo = _mm512_permutex2var_epi8 (t0, v, t1);
      const __m512i hi = _mm512_permutex2var_epi8 (t2, v, t3);
      _mm512_storeu_si512 (y + i, _mm512_mask_blend_epi8 (_mm512_movepi8_mask (v), lo, hi));
    }
  if (i < n)
    {
      const __mmask64 m = (__mmask64) -1 >> (64 - (n - i));
      const __m512i v = _mm512_maskz_loadu_epi8 (m, x + i);
      const __m512i lo = _mm512_permutex2var_epi8 (t0, v, t1);
      const __m512i hi = _mm512_permutex2var_epi8 (t2, v, t3);
      _mm512_mask_storeu_epi8 (y + i, m,
                               _mm512_mask_blend_epi8 (_mm512_movepi8_mask (v), lo, hi));
    }
}

void
qvk_qu8_lut_tile_ukernel__avx512vbmi (const uint8_t table[256], size_t rows,
                                      size_t cols, uint8_t *y, size_t stride)
{
  const __m512i t0 = _mm512_loadu_si512 (table);
  const __m512i t1 = _mm512_loadu_si512 (table + 64);
  const __m512i t2 = _mm512_loadu_si512 (table + 128);
  const __m512i t3 = _mm512_loadu_si512 (table + 192);

  for (size_t r = 0; r < rows; r++)
    lut_run (t0, t1, t2, t3, y + r * stride, y + r * stride, cols);
}

void
qvk_qu8_lut_ukernel__avx512vbmi (const uint8_t table[256], const uint8_t *x,
                                 uint8_t *y, size_t n)
{
  const __m512i t0 = _mm512_loadu_si512 (table);
  const __m512i t1 = _mm512_loadu_si512 (table + 64);
  const __m512i t2 = _mm512_loadu_si512 (table + 128);
  const __m512i t3 = _mm512_loadu_si512 (table + 192);

  lut_run (t0, t1, t2, t3, x, y, n);
}
