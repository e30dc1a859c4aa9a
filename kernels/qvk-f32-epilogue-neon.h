/* qvk-f32-epilogue-neon.h: the fused activation of the float NEON kernels,
 * the arithmetic of qvk-f32-epilogue.h on four lanes.  Included only by
 * aarch64 kernel files.
 */
#pragma once

#include <arm_neon.h>

#include "qvk-ukernels.h"

static inline float32x4_t
qvk_f32_epilogue_neon (float32x4_t v, const qvk_f32_act_params *p)
{
  switch (p->kind)
    {
    case QVK_ACT_HARDSWISH:
      {
        float32x4_t t = vaddq_f32 (v, vdupq_n_f32 (3.0f));
        t = vmaxq_f32 (t, vdupq_n_f32 (0.0f));
        t = vminq_f32 (t, vdupq_n_f32 (6.0f));
        v = vmulq_f32 (vmulq_f32 (v, t), vdupq_n_f32 (1.0f / 6.0f));
        break;
      }
    case QVK_ACT_HARDSIGMOID:
      v = vaddq_f32 (vmulq_f32 (v, vdupq_n_f32 (p->alpha)), vdupq_n_f32 (p->beta));
      v = vmaxq_f32 (v, vdupq_n_f32 (0.0f));
      v = vminq_f32 (v, vdupq_n_f32 (1.0f));
      break;
    default:
      break;
    }
  v = vmaxq_f32 (v, vdupq_n_f32 (p->min));
  return vminq_f32 (v, vdupq_n_f32 (p->max));
}

/* Stores the first n (< 4) lanes of v. */
static inline void
qvk_f32_store_partial_neon (float *y, float32x4_t v, size_t n)
{
  float tmp[4];
  vst1q_f32 (tmp, v);
  for (size_t i = 0; i < n; i++)
    y[i] = tmp[i];
}
