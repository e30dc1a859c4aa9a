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
  else if (n == 8)
    vst1_u8 (y, vget_low_u8 (q8));
  else
    {
      uint8_t tmp[16];
      vst1q_u8 (tmp, q8);
      memcpy (y, tmp, n);
    }
}

/* The GEMM kernels' store of sixteen columns of one output row, from
 * column n0, n (more than 16: 16) of them: requantized to uint8, or with
 * params->float_output as fp32, acc * scale bounded by float_min and
 * float_max -- the scalar qvk_qu8_dequantize_acc with a relu, a clip or
 * no activation, bit for bit (one rounding each for the conversion and
 * the product, no fused multiply-add). */
static inline void
qvk_qu8_store16_row_neon (uint8_t *row, size_t n0, size_t n, const int32x4_t acc[4],
                          const float32x4_t scale[4],
                          const qvk_qu8_requant_minmax *params)
{
  if (params->float_output)
    {
      const float32x4_t lo = vdupq_n_f32 (params->float_min);
      const float32x4_t hi = vdupq_n_f32 (params->float_max);
      float f[16];

      for (int i = 0; i < 4; i++)
        vst1q_f32 (f + 4 * i,
                   vminq_f32 (vmaxq_f32 (vmulq_f32 (vcvtq_f32_s32 (acc[i]), scale[i]), lo), hi));
      memcpy ((float *) row + n0, f, (n < 16 ? n : 16) * sizeof (float));
      return;
    }
  qvk_qu8_store16_neon (row + n0, n, acc, scale, params);
}
