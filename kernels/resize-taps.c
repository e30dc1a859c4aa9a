/* resize-taps.c: resize by tables of source taps (qvk-resize.h). */
#include "qvk-resize.h"
#include "qvk-qu8.h"

#include <string.h>

void
qvk_f32_resize_taps__scalar (int batch, int in_h, int in_w, int channels,
                             int out_h, int out_w,
                             const qvk_resize_tap *taps_y,
                             const qvk_resize_tap *taps_x,
                             const float *x, float *y,
                             int row_begin, int row_end)
{
  (void) batch;
  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / out_h;
      const qvk_resize_tap *ty = &taps_y[row % out_h];
      const float ly1 = ty->lambda, ly0 = 1.0f - ly1;
      const float *r0 = x + ((size_t) n * in_h + ty->i0) * in_w * channels;
      const float *r1 = x + ((size_t) n * in_h + ty->i1) * in_w * channels;

      for (int ox = 0; ox < out_w; ox++)
        {
          const qvk_resize_tap *tx = &taps_x[ox];
          float *out = y + ((size_t) row * out_w + ox) * channels;

          if (ly1 == 0.0f && tx->lambda == 0.0f)
            {
              /* Nearest, or a source coordinate on a pixel: a copy, which
               * keeps infinities and NaN where they were. */
              memcpy (out, r0 + (size_t) tx->i0 * channels, (size_t) channels * sizeof (float));
              continue;
            }
          const float lx1 = tx->lambda, lx0 = 1.0f - lx1;
          const float *p00 = r0 + (size_t) tx->i0 * channels;
          const float *p01 = r0 + (size_t) tx->i1 * channels;
          const float *p10 = r1 + (size_t) tx->i0 * channels;
          const float *p11 = r1 + (size_t) tx->i1 * channels;
          for (int c = 0; c < channels; c++)
            out[c] = ly0 * (lx0 * p00[c] + lx1 * p01[c])
                   + ly1 * (lx0 * p10[c] + lx1 * p11[c]);
        }
    }
}

void
qvk_qu8_resize_taps__scalar (int batch, int in_h, int in_w, int channels,
                             int out_h, int out_w,
                             const qvk_resize_tap *taps_y,
                             const qvk_resize_tap *taps_x,
                             const uint8_t *x, uint8_t *y,
                             int row_begin, int row_end)
{
  (void) batch;
  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / out_h;
      const qvk_resize_tap *ty = &taps_y[row % out_h];
      const float ly1 = ty->lambda, ly0 = 1.0f - ly1;
      const uint8_t *r0 = x + ((size_t) n * in_h + ty->i0) * in_w * channels;
      const uint8_t *r1 = x + ((size_t) n * in_h + ty->i1) * in_w * channels;

      for (int ox = 0; ox < out_w; ox++)
        {
          const qvk_resize_tap *tx = &taps_x[ox];
          uint8_t *out = y + ((size_t) row * out_w + ox) * channels;

          if (ly1 == 0.0f && tx->lambda == 0.0f)
            {
              memcpy (out, r0 + (size_t) tx->i0 * channels, (size_t) channels);
              continue;
            }
          const float lx1 = tx->lambda, lx0 = 1.0f - lx1;
          const uint8_t *p00 = r0 + (size_t) tx->i0 * channels;
          const uint8_t *p01 = r0 + (size_t) tx->i1 * channels;
          const uint8_t *p10 = r1 + (size_t) tx->i0 * channels;
          const uint8_t *p11 = r1 + (size_t) tx->i1 * channels;
          for (int c = 0; c < channels; c++)
            {
              const float v = ly0 * (lx0 * (float) p00[c] + lx1 * (float) p01[c])
                            + ly1 * (lx0 * (float) p10[c] + lx1 * (float) p11[c]);
              out[c] = qvk_qu8_round_clamp (v, 0, 0, 255);
            }
        }
    }
}
