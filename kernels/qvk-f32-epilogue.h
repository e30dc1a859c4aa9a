/* qvk-f32-epilogue.h: the fused activation of the float vector kernels,
 * one inline function per vector width.  Included only by kernel files
 * compiled with the matching ISA flags.  Relu and clip arrive as the
 * min/max clamp (qvk_f32_act_params_init); the arithmetic follows
 * qvk_f32_activate except that division by 6 is a multiplication by 1/6
 * (at most one unit in the last place apart).
 */
#pragma once

#include <immintrin.h>

#include "qvk-ukernels.h"

#ifdef __AVX512F__
static inline __m512
qvk_f32_epilogue_avx512 (__m512 v, const qvk_f32_act_params *p)
{
  switch (p->kind)
    {
    case QVK_ACT_HARDSWISH:
      {
        __m512 t = _mm512_add_ps (v, _mm512_set1_ps (3.0f));
        t = _mm512_max_ps (t, _mm512_setzero_ps ());
        t = _mm512_min_ps (t, _mm512_set1_ps (6.0f));
        v = _mm512_mul_ps (_mm512_mul_ps (v, t), _mm512_set1_ps (1.0f / 6.0f));
        break;
      }
    case QVK_ACT_HARDSIGMOID:
      v = _mm512_add_ps (_mm512_mul_ps (v, _mm512_set1_ps (p->alpha)),
                         _mm512_set1_ps (p->beta));
      v = _mm512_max_ps (v, _mm512_setzero_ps ());
      v = _mm512_min_ps (v, _mm512_set1_ps (1.0f));
      break;
    default:
      break;
    }
  v = _mm512_max_ps (v, _mm512_set1_ps (p->min));
  return _mm512_min_ps (v, _mm512_set1_ps (p->max));
}
#endif

#ifdef __AVX2__
static inline __m256
qvk_f32_epilogue_avx2 (__m256 v, const qvk_f32_act_params *p)
{
  switch (p->kind)
    {
    case QVK_ACT_HARDSWISH:
      {
        __m256 t = _mm256_add_ps (v, _mm256_set1_ps (3.0f));
        t = _mm256_max_ps (t, _mm256_setzero_ps ());
        t = _mm256_min_ps (t, _mm256_set1_ps (6.0f));
        v = _mm256_mul_ps (_mm256_mul_ps (v, t), _mm256_set1_ps (1.0f / 6.0f));
        break;
      }
    case QVK_ACT_HARDSIGMOID:
      v = _mm256_add_ps (_mm256_mul_ps (v, _mm256_set1_ps (p->alpha)),
                         _mm256_set1_ps (p->beta));
      v = _mm256_max_ps (v, _mm256_setzero_ps ());
      v = _mm256_min_ps (v, _mm256_set1_ps (1.0f));
      break;
    default:
      break;
    }
  v = _mm256_max_ps (v, _mm256_set1_ps (p->min));
  return _mm256_min_ps (v, _mm256_set1_ps (p->max));
}
#endif
