/* f32-dwconv-avx512.c: float depthwise convolution through an indirection
 * table, AVX-512 FMA.
 *
 * Channel blocks are the outer loop and output pixels the inner one: the
 * weights of a 64-channel block (one 256-byte line per tap) then stay in L1
 * for the whole row, and neighbouring pixels re-read input columns that the
 * previous step just brought in, instead of streaming every channel of a
 * 25-tap window through L2 for each pixel.  Four output pixels per step
 * share every weight load: per tap, four weight vectors and sixteen FMAs
 * whose input operands come straight from memory.  Channels that do not
 * fill a 64-block run in 16-channel vectors, the last one masked (masked
 * loads do not fault, so nothing past a row is touched).
 */
#include "qvk-f32-epilogue.h"

#define PIXELS 4

/* NV vectors of 16 channels starting at c, for PX pixels whose tap
 * pointers are o[0..PX); the last vector masked when masked is set.  NV,
 * PX and masked are constants at every call, so the arrays live in
 * registers. */
static inline __attribute__ ((always_inline)) void
block (const int NV, const int PX, const int masked, __mmask16 m, size_t c,
       size_t taps, const float *const *const *o, const float *weights,
       size_t weights_stride, float *const *out,
       const qvk_f32_act_params *params)
{
  __m512 acc[PIXELS][4];
  __m512 wv[4];

#pragma GCC unroll 4
  for (int v = 0; v < NV; v++)
    {
      const __m512 b = _mm512_loadu_ps (weights + c + 16 * v);
#pragma GCC unroll 4
      for (int p = 0; p < PX; p++)
        acc[p][v] = b;
    }

  const float *w = weights + c;
  for (size_t t = 0; t < taps; t++)
    {
      w += weights_stride;
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++)
        wv[v] = _mm512_loadu_ps (w + 16 * v);
#pragma GCC unroll 4
      for (int p = 0; p < PX; p++)
        {
          const float *i = o[p][t] + c;
#pragma GCC unroll 4
          for (int v = 0; v < NV; v++)
            {
              const __m512 x = masked && v == NV - 1
                               ? _mm512_maskz_loadu_ps (m, i + 16 * v)
                               : _mm512_loadu_ps (i + 16 * v);
              acc[p][v] = _mm512_fmadd_ps (x, wv[v], acc[p][v]);
            }
        }
    }

#pragma GCC unroll 4
  for (int p = 0; p < PX; p++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++)
      {
        const __m512 y = qvk_f32_epilogue_avx512 (acc[p][v], params);
        if (masked && v == NV - 1)
          _mm512_mask_storeu_ps (out[p] + c + 16 * v, m, y);
        else
          _mm512_storeu_ps (out[p] + c + 16 * v, y);
      }
}

/* One channel block over n_px pixels, four at a time. */
static inline __attribute__ ((always_inline)) void
pixels (const int NV, const int masked, __mmask16 m, size_t c, size_t n_px,
        size_t taps, const float *const *resolved, size_t step,
        const float *weights, size_t weights_stride, float *output,
        size_t output_stride, const qvk_f32_act_params *params)
{
  size_t px = 0;

  for (; px + PIXELS <= n_px; px += PIXELS)
    {
      const float *const *o[PIXELS];
      float *out[PIXELS];
      for (int p = 0; p < PIXELS; p++)
        {
          o[p] = resolved + (px + p) * step;
          out[p] = output + (px + p) * output_stride;
        }
      block (NV, PIXELS, masked, m, c, taps, o, weights, weights_stride, out,
             params);
    }
  for (; px < n_px; px++)
    {
      const float *const *o[1] = { resolved + px * step };
      float *out[1] = { output + px * output_stride };
      block (NV, 1, masked, m, c, taps, o, weights, weights_stride, out, params);
    }
}

void
qvk_f32_dwconv_minmax_ukernel_64c4w__avx512 (
    size_t channels, size_t output_width, size_t taps,
    const int32_t *offsets, size_t offsets_step,
    const float *input, const float *zero,
    const float *weights, size_t weights_stride,
    float *output, size_t output_stride,
    const qvk_f32_act_params *params)
{
  /* The table's offsets are resolved to pointers once per segment of
   * pixels, not once per channel block: neighbouring pixels share most of
   * their entries when the table shares columns. */
  const size_t segment = 1 + 1024 / offsets_step;
  const float *resolved[(segment - 1) * offsets_step + taps];

  for (size_t px0 = 0; px0 < output_width; px0 += segment)
    {
      const size_t n_px = output_width - px0 < segment ? output_width - px0 : segment;
      const int32_t *o = offsets + px0 * offsets_step;
      const size_t entries = (n_px - 1) * offsets_step + taps;
      float *out = output + px0 * output_stride;
      size_t c = 0;

      qvk_indirection_resolve__avx512 (entries, o, input, zero, sizeof (float),
                                       (const void **) resolved);
      for (; c + 64 <= channels; c += 64)
        pixels (4, 0, 0xffff, c, n_px, taps, resolved, offsets_step, weights,
                weights_stride, out, output_stride, params);
      for (; c + 16 <= channels; c += 16)
        pixels (1, 0, 0xffff, c, n_px, taps, resolved, offsets_step, weights,
                weights_stride, out, output_stride, params);
      if (c < channels)
        pixels (1, 1, (__mmask16) ((1u << (channels - c)) - 1), c, n_px, taps,
                resolved, offsets_step, weights, weights_stride, out,
                output_stride, params);
    }
}
