/* qvk-qu8-epilogue-neon.h: qvk_qu8_requantize on sixteen int32 lanes, for
 * the aarch64 int8 kernels.  fcvtns rounds to nearest with ties to even,
 * as lrintf does under the default rounding mode, so results are those of
 * the scalar reference bit for bit.
 */
#pragma once

#include <arm_neon.h>
#include <string.h>

#include "qvk-ukernels.h"

static inline int32x4_t
qvk_qu8_requantize_neon (int32x4_t acc, float32x4_t scale, int32x4_t zp,
                         int32x4_t lo, int32x4_t hi)
{
  int32x4_t q = vcvtnq_s32_f32 (vmulq_f32 (vcvtq_f32_s32 (acc), scale));
  q = vaddq_s32 (q, zp);
  q = vmaxq_s32 (q, lo);
  return vminq_s32 (q, hi);
}

/* Requantizes acc[4] with scale[4] (sixteen columns) and stores the first
 * n (<= 16) bytes at y. */
static inline void
qvk_qu8_store16_neon (uint8_t *y, size_t n, const int32x4_t acc[4],
                      const float32x4_t scale[4],
                      const qvk_qu8_requant_minmax *params)
{
  const int32x4_t zp = vdupq_n_s32 (params->output_zero_point);
  const int32x4_t lo = vdupq_n_s32 (params->output_min);
  const int32x4_t hi = vdupq_n_s32 (params->output_max);
  int32x4_t q[4];

  for (int i = 0; i < 4; i++)
    q[i] = qvk_qu8_requantize_neon (acc[i], scale[i], zp, lo, hi);
  const int16x8_t q01 = vcombine_s16 (vqmovn_s32 (q[0]), vqmovn_s32 (q[1]));
  const int16x8_t q23 = vcombine_s16 (vqmovn_s32 (q[2]), vqmovn_s32 (q[3]));
  const uint8x16_t q8 = vcombine_u8 (vqmovun_s16 (q01), vqmovun_s16 (q23));
  if (n >= 16)
    vst1q_u8 (y, q8);
  else
    {
      uint8_t tmp[16];
      vst1q_u8 (tmp, q8);
      memcpy (y, tmp, n);
    }
}
