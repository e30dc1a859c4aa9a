/* qvk-resize-private.h: the bilinear source coordinate shared by the float
 * and int8 resize references (f32-scalar.c, qu8-scalar.c) and the vector
 * resize drivers (qvk-elementwise.c), so that all of them interpolate
 * between the same pixels with the same weights.  Included only by files
 * of the scalar library (no ISA flags, no FMA contraction).
 */
#pragma once

/* PyTorch's source coordinate for one output index (aten UpSample.h:
 * area_pixel_compute_scale and area_pixel_compute_source_index), computed in
 * float as PyTorch does for float tensors: the pixels i0 and i1 either side
 * and the weight lambda1 of i1. */
static inline void
qvk_bilinear_source (int in_size, int out_size, int align_corners, int dst,
                     int *i0, int *i1, float *lambda1)
{
  float scale, src;

  if (align_corners)
    {
      scale = out_size > 1 ? (float) (in_size - 1) / (float) (out_size - 1) : 0.0f;
      src = scale * (float) dst;
    }
  else
    {
      scale = (float) in_size / (float) out_size;
      src = scale * ((float) dst + 0.5f) - 0.5f;
      if (src < 0.0f)
        src = 0.0f;
    }

  *i0 = (int) src;
  if (*i0 > in_size - 1)
    *i0 = in_size - 1;
  *i1 = *i0 < in_size - 1 ? *i0 + 1 : *i0;
  *lambda1 = src - (float) *i0;
  if (*lambda1 > 1.0f)
    *lambda1 = 1.0f;
}
