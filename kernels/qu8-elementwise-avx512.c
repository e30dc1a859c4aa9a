/* qu8-elementwise-avx512.c: the element-wise microkernels of
 * elementwise-template.h on AVX-512 (16 lanes; tails by mask), int8 and
 * float alike.  Built with -ffp-contract=off: no product may be fused
 * into a sum, so results equal the scalar references.
 */
#include <immintrin.h>
#include <stdint.h>

typedef __m512i vi;
typedef __m512 vf;
#define VW 16
#define QVK_EW_SUFFIX avx512

static inline __mmask16 tail_mask (size_t n) { return (__mmask16) ((1u << n) - 1u); }

static inline vi seti (int32_t v) { return _mm512_set1_epi32 (v); }
static inline vf setf (float v) { return _mm512_set1_ps (v); }
static inline vi addi (vi a, vi b) { return _mm512_add_epi32 (a, b); }
static inline vi subi (vi a, vi b) { return _mm512_sub_epi32 (a, b); }
static inline vi muli (vi a, vi b) { return _mm512_mullo_epi32 (a, b); }
static inline vi maxi (vi a, vi b) { return _mm512_max_epi32 (a, b); }
static inline vi mini (vi a, vi b) { return _mm512_min_epi32 (a, b); }
static inline vi srai1 (vi a) { return _mm512_srai_epi32 (a, 1); }
static inline vf addf (vf a, vf b) { return _mm512_add_ps (a, b); }
static inline vf subf (vf a, vf b) { return _mm512_sub_ps (a, b); }
static inline vf mulf (vf a, vf b) { return _mm512_mul_ps (a, b); }
static inline vf divf (vf a, vf b) { return _mm512_div_ps (a, b); }
static inline vf maxf (vf a, vf b) { return _mm512_max_ps (a, b); }
static inline vf minf (vf a, vf b) { return _mm512_min_ps (a, b); }
static inline vf cvt_f (vi a) { return _mm512_cvtepi32_ps (a); }
static inline vi cvt_round (vf a) { return _mm512_cvtps_epi32 (a); }
static inline vf roundf_near (vf a)
{
  return _mm512_roundscale_ps (a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
static inline vf pow2i (vi k)
{
  return _mm512_castsi512_ps (_mm512_slli_epi32 (_mm512_add_epi32 (k, seti (127)), 23));
}
static inline vf select_gt (vf a, vf b, vf t, vf f)
{
  return _mm512_mask_blend_ps (_mm512_cmp_ps_mask (a, b, _CMP_GT_OQ), f, t);
}

static inline vi load_u8 (const uint8_t *p)
{
  return _mm512_cvtepu8_epi32 (_mm_loadu_si128 ((const __m128i *) p));
}
static inline vi load_u8_n (const uint8_t *p, size_t n)
{
  return _mm512_cvtepu8_epi32 (_mm_maskz_loadu_epi8 (tail_mask (n), p));
}
/* v is already within 0..255 */
static inline void store_u8 (uint8_t *p, vi v)
{
  _mm_storeu_si128 ((__m128i *) p, _mm512_cvtepi32_epi8 (v));
}
static inline void store_u8_n (uint8_t *p, vi v, size_t n)
{
  _mm_mask_storeu_epi8 (p, tail_mask (n), _mm512_cvtepi32_epi8 (v));
}
static inline vi loadi (const int32_t *p) { return _mm512_load_si512 (p); }
static inline void storei (int32_t *p, vi v) { _mm512_store_si512 (p, v); }
static inline vf loadf (const float *p) { return _mm512_loadu_ps (p); }
static inline vf loadf_n (const float *p, size_t n)
{
  return _mm512_maskz_loadu_ps (tail_mask (n), p);
}
static inline void storef (float *p, vf v) { _mm512_storeu_ps (p, v); }
static inline void storef_n (float *p, vf v, size_t n)
{
  _mm512_mask_storeu_ps (p, tail_mask (n), v);
}

/* Whole vectors of VB bytes, for the fixed-point kernels. */
#define VB 64
typedef __m128i vcount;
static inline vi zeroi (void) { return _mm512_setzero_si512 (); }
static inline vi set8 (uint8_t v) { return _mm512_set1_epi8 ((char) v); }
static inline vcount setcount (int32_t s) { return _mm_cvtsi32_si128 (s); }
static inline vi sra (vi a, vcount s) { return _mm512_sra_epi32 (a, s); }
static inline vi unpacklo8 (vi a, vi b) { return _mm512_unpacklo_epi8 (a, b); }
static inline vi unpackhi8 (vi a, vi b) { return _mm512_unpackhi_epi8 (a, b); }
static inline vi unpacklo16 (vi a, vi b) { return _mm512_unpacklo_epi16 (a, b); }
static inline vi unpackhi16 (vi a, vi b) { return _mm512_unpackhi_epi16 (a, b); }
static inline vi madd16 (vi a, vi b) { return _mm512_madd_epi16 (a, b); }
static inline vi packs32 (vi a, vi b) { return _mm512_packs_epi32 (a, b); }
static inline vi packus16 (vi a, vi b) { return _mm512_packus_epi16 (a, b); }
static inline vi maxu8 (vi a, vi b) { return _mm512_max_epu8 (a, b); }
static inline vi minu8 (vi a, vi b) { return _mm512_min_epu8 (a, b); }
/* After packing four vectors of 16 natural-order int32 each, 128-bit lane k
 * holds dwords (4-byte groups) k, 4 + k, 8 + k, 12 + k: gather them back. */
static inline vi unlane (vi v)
{
  return _mm512_permutexvar_epi32 (_mm512_setr_epi32 (0, 4, 8, 12, 1, 5, 9, 13,
                                                      2, 6, 10, 14, 3, 7, 11, 15), v);
}
static inline vi loadb (const uint8_t *p) { return _mm512_loadu_si512 (p); }
static inline vi loadb_n (const uint8_t *p, size_t n)
{
  return _mm512_maskz_loadu_epi8 ((__mmask64) ((1ull << n) - 1u), p);
}
static inline void storeb (uint8_t *p, vi v) { _mm512_storeu_si512 (p, v); }
/* p aligned to the vector: past the caches (the resize's vrow) */
static inline void storeb_stream (uint8_t *p, vi v) { _mm512_stream_si512 ((void *) p, v); }
static inline void storeb_n (uint8_t *p, vi v, size_t n)
{
  _mm512_mask_storeu_epi8 (p, (__mmask64) ((1ull << n) - 1u), v);
}

#include "elementwise-template.h"
