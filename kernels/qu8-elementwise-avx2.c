/* qu8-elementwise-avx2.c: the element-wise microkernels of
 * elementwise-template.h on AVX2 (8 lanes; byte tails in pieces of 8, 4,
 * 2 and 1, float tails by masked moves), int8 and float alike.  Built
 * with -ffp-contract=off: no product may be fused into a sum, so results
 * equal the scalar references.
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "qvk-qu8-epilogue-avx2.h"

typedef __m256i vi;
typedef __m256 vf;
#define VW 8
#define QVK_EW_SUFFIX avx2

static inline vi seti (int32_t v) { return _mm256_set1_epi32 (v); }
static inline vf setf (float v) { return _mm256_set1_ps (v); }
static inline vi addi (vi a, vi b) { return _mm256_add_epi32 (a, b); }
static inline vi subi (vi a, vi b) { return _mm256_sub_epi32 (a, b); }
static inline vi muli (vi a, vi b) { return _mm256_mullo_epi32 (a, b); }
static inline vi maxi (vi a, vi b) { return _mm256_max_epi32 (a, b); }
static inline vi mini (vi a, vi b) { return _mm256_min_epi32 (a, b); }
static inline vi srai1 (vi a) { return _mm256_srai_epi32 (a, 1); }
static inline vf addf (vf a, vf b) { return _mm256_add_ps (a, b); }
static inline vf subf (vf a, vf b) { return _mm256_sub_ps (a, b); }
static inline vf mulf (vf a, vf b) { return _mm256_mul_ps (a, b); }
static inline vf divf (vf a, vf b) { return _mm256_div_ps (a, b); }
static inline vf maxf (vf a, vf b) { return _mm256_max_ps (a, b); }
static inline vf minf (vf a, vf b) { return _mm256_min_ps (a, b); }
static inline vf cvt_f (vi a) { return _mm256_cvtepi32_ps (a); }
static inline vi cvt_round (vf a) { return _mm256_cvtps_epi32 (a); }
static inline vf roundf_near (vf a)
{
  return _mm256_round_ps (a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
static inline vf pow2i (vi k)
{
  return _mm256_castsi256_ps (_mm256_slli_epi32 (_mm256_add_epi32 (k, seti (127)), 23));
}
static inline vf select_gt (vf a, vf b, vf t, vf f)
{
  return _mm256_blendv_ps (f, t, _mm256_cmp_ps (a, b, _CMP_GT_OQ));
}

static inline vi load_u8 (const uint8_t *p)
{
  return _mm256_cvtepu8_epi32 (_mm_loadl_epi64 ((const __m128i *) p));
}
static inline vi load_u8_n (const uint8_t *p, size_t n)
{
  return _mm256_cvtepu8_epi32 (qvk_load_bytes_lt16 (p, n));
}
/* Lanes 0 .. n - 1 of eight set, for the masked float loads and stores. */
static inline __m256i
lanes_n (size_t n)
{
  return _mm256_cmpgt_epi32 (_mm256_set1_epi32 ((int) n),
                             _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7));
}
/* v is already within 0..255 */
static inline __m128i pack_u8 (vi v)
{
  const __m256i w = _mm256_packus_epi32 (v, v);               /* per lane */
  const __m256i o = _mm256_permute4x64_epi64 (w, 0x08);       /* lanes 0, 2 */
  const __m128i h = _mm256_castsi256_si128 (o);
  return _mm_packus_epi16 (h, h);
}
static inline void store_u8 (uint8_t *p, vi v)
{
  _mm_storel_epi64 ((__m128i *) p, pack_u8 (v));
}
static inline void store_u8_n (uint8_t *p, vi v, size_t n)
{
  qvk_store_bytes_lt16 (p, pack_u8 (v), n);
}
static inline vi loadi (const int32_t *p) { return _mm256_load_si256 ((const __m256i *) p); }
static inline void storei (int32_t *p, vi v) { _mm256_store_si256 ((__m256i *) p, v); }
static inline vf loadf (const float *p) { return _mm256_loadu_ps (p); }
static inline vf loadf_n (const float *p, size_t n)
{
  return _mm256_maskload_ps (p, lanes_n (n));
}
static inline void storef (float *p, vf v) { _mm256_storeu_ps (p, v); }
static inline void storef_n (float *p, vf v, size_t n)
{
  _mm256_maskstore_ps (p, lanes_n (n), v);
}

/* Whole vectors of VB bytes, for the fixed-point kernels. */
#define VB 32
typedef __m128i vcount;
static inline vi zeroi (void) { return _mm256_setzero_si256 (); }
static inline vi set8 (uint8_t v) { return _mm256_set1_epi8 ((char) v); }
static inline vcount setcount (int32_t s) { return _mm_cvtsi32_si128 (s); }
static inline vi sra (vi a, vcount s) { return _mm256_sra_epi32 (a, s); }
static inline vi unpacklo8 (vi a, vi b) { return _mm256_unpacklo_epi8 (a, b); }
static inline vi unpackhi8 (vi a, vi b) { return _mm256_unpackhi_epi8 (a, b); }
static inline vi unpacklo16 (vi a, vi b) { return _mm256_unpacklo_epi16 (a, b); }
static inline vi unpackhi16 (vi a, vi b) { return _mm256_unpackhi_epi16 (a, b); }
static inline vi madd16 (vi a, vi b) { return _mm256_madd_epi16 (a, b); }
static inline vi packs32 (vi a, vi b) { return _mm256_packs_epi32 (a, b); }
static inline vi packus16 (vi a, vi b) { return _mm256_packus_epi16 (a, b); }
static inline vi maxu8 (vi a, vi b) { return _mm256_max_epu8 (a, b); }
static inline vi minu8 (vi a, vi b) { return _mm256_min_epu8 (a, b); }
/* After packing four vectors of 8 natural-order int32 each, 128-bit lane k
 * holds dwords (4-byte groups) k, 2 + k, 4 + k, 6 + k: gather them back. */
static inline vi unlane (vi v)
{
  return _mm256_permutevar8x32_epi32 (v, _mm256_setr_epi32 (0, 4, 1, 5, 2, 6, 3, 7));
}
static inline vi loadb (const uint8_t *p) { return _mm256_loadu_si256 ((const __m256i *) p); }
static inline vi loadb_n (const uint8_t *p, size_t n)
{
  if (n & 16)
    return _mm256_set_m128i (qvk_load_bytes_lt16 (p + 16, n & 15),
                             _mm_loadu_si128 ((const __m128i *) p));
  return _mm256_set_m128i (_mm_setzero_si128 (), qvk_load_bytes_lt16 (p, n));
}
static inline void storeb (uint8_t *p, vi v) { _mm256_storeu_si256 ((__m256i *) p, v); }
/* p aligned to the vector: past the caches (the resize's vrow) */
static inline void storeb_stream (uint8_t *p, vi v) { _mm256_stream_si256 ((__m256i *) p, v); }
static inline void storeb_n (uint8_t *p, vi v, size_t n)
{
  __m128i part = _mm256_castsi256_si128 (v);

  if (n & 16)
    {
      _mm_storeu_si128 ((__m128i *) p, part);
      part = _mm256_extracti128_si256 (v, 1);
      p += 16;
    }
  qvk_store_bytes_lt16 (p, part, n & 15);
}

#include "elementwise-template.h"
