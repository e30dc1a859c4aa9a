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
 *
 * Kernels 5 wide at stride 1 across slide instead: pixel q of four reads
 * columns q .. q + 4 of the same run of 8 columns, so each kernel row
 * loads those columns once into registers for the four pixels' five taps
 * (8 loads for 20 FMAs, against 20 from memory), and a pixel's taps are
 * summed row by row (features.5 of lraspp-mnv3, 5x5 120ch @128: 2.2 ->
 * 1.6 ms).  At dilation d across the four pixels are d apart, which makes
 * the columns they read the same run (features.14's 5x5 d2 960ch @64:
 * 5.4-5.8 -> 4.4-4.5 ms).  Kernels 3 wide measured slower that way (6
 * loads for 12 FMAs save less than they cost).
 */
#include "qvk-f32-epilogue.h"

#define PIXELS 4

/* The bias of NV vectors from c in every one of PX pixels' accumulators. */
static inline __attribute__ ((always_inline)) void
load_bias (const int NV, const int PX, size_t c, const float *weights,
           __m512 acc[PIXELS][4])
{
#pragma GCC unroll 4
  for (int v = 0; v < NV; v++)
    {
      const __m512 b = _mm512_loadu_ps (weights + c + 16 * v);
#pragma GCC unroll 4
      for (int p = 0; p < PX; p++)
        acc[p][v] = b;
    }
}

/* PX pixels' accumulators through the epilogue to out[p] + c, the last
 * vector masked when masked is set. */
static inline __attribute__ ((always_inline)) void
store_pixels (const int NV, const int PX, const int masked, __mmask16 m, size_t c,
              __m512 acc[PIXELS][4], float *const *out, const qvk_f32_act_params *params)
{
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

  load_bias (NV, PX, c, weights, acc);

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

  store_pixels (NV, PX, masked, m, c, acc, out, params);
}

/* Four pixels of NV vectors of 16 channels from c, sliding across a run of
 * KW + 3 columns: column j of kernel row ky is tap j of pixel 0 for j < KW
 * (o0), tap j - 3 of pixel 3 after (o3); pixel q's tap kx is column q + kx.
 * kh rows; taps in the table (and weights) in the order kx * kh + ky. */
static inline __attribute__ ((always_inline)) void
slide (const int NV, const int KW, const int masked, __mmask16 m, size_t c, size_t kh,
       const float *const *o0, const float *const *o3, const float *weights,
       size_t weights_stride, float *const *out, const qvk_f32_act_params *params)
{
  __m512 acc[PIXELS][4];

  load_bias (NV, PIXELS, c, weights, acc);

  for (size_t ky = 0; ky < kh; ky++)
    {
      /* sized for KW <= 5 as constants: arrays sized KW + 3 are
       * variable-length to the compiler even where KW is known, and it
       * then stored every loaded column to the stack */
      const float *col[8];
      const float *w = weights + c + (1 + ky) * weights_stride;

#pragma GCC unroll 5
      for (int j = 0; j < KW; j++)
        col[j] = o0[(size_t) j * kh + ky] + c;
#pragma GCC unroll 3
      for (int j = 0; j < 3; j++)
        col[KW + j] = o3[(size_t) (KW - 3 + j) * kh + ky] + c;
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++)
        {
          __m512 x[8];

#pragma GCC unroll 8
          for (int j = 0; j < KW + 3; j++)
            x[j] = masked && v == NV - 1 ? _mm512_maskz_loadu_ps (m, col[j] + 16 * v)
                                         : _mm512_loadu_ps (col[j] + 16 * v);
#pragma GCC unroll 5
          for (int kx = 0; kx < KW; kx++)
            {
              const __m512 wv = _mm512_loadu_ps (w + (size_t) kx * kh * weights_stride + 16 * v);
#pragma GCC unroll 4
              for (int q = 0; q < PIXELS; q++)
                acc[q][v] = _mm512_fmadd_ps (x[q + kx], wv, acc[q][v]);
            }
        }
    }

  store_pixels (NV, PIXELS, masked, m, c, acc, out, params);
}

/* One channel block over n_px pixels, four at a time (sliding when slide5
 * is set: a kernel 5 wide at stride 1 across, dilation d across; the four
 * pixels are then d apart, so that pixel q's tap kx is column q + kx of
 * the run the slide reads), the rest one at a time. */
static inline __attribute__ ((always_inline)) void
pixels (const int NV, const int masked, const int slide5, size_t d, __mmask16 m, size_t c,
        size_t n_px, size_t taps, const float *const *resolved, size_t step,
        const float *weights, size_t weights_stride, float *output,
        size_t output_stride, const qvk_f32_act_params *params)
{
  /* class by class (x mod d; one class at d = 1), four pixels d apart at
   * a time */
  for (size_t cls = 0; cls < d && cls < n_px; cls++)
    {
      const size_t count = (n_px - cls + d - 1) / d;
      size_t k = 0;

      for (; k + PIXELS <= count; k += PIXELS)
        {
          const float *const *o[PIXELS];
          float *out[PIXELS];
          for (int p = 0; p < PIXELS; p++)
            {
              const size_t px = cls + (k + (size_t) p) * d;
              o[p] = resolved + px * step;
              out[p] = output + px * output_stride;
            }
          if (slide5)
            slide (NV, 5, masked, m, c, taps / 5, o[0], o[3], weights, weights_stride, out,
                   params);
          else
            block (NV, PIXELS, masked, m, c, taps, o, weights, weights_stride, out, params);
        }
      for (; k < count; k++)
        {
          const size_t px = cls + k * d;
          const float *const *o[1] = { resolved + px * step };
          float *out[1] = { output + px * output_stride };
          block (NV, 1, masked, m, c, taps, o, weights, weights_stride, out, params);
        }
    }
}

/* Every channel block of n_px pixels: 64 channels at a time, then 16, the
 * last ones masked. */
static inline __attribute__ ((always_inline)) void
channel_blocks (const int slide5, size_t d, size_t channels, size_t n_px, size_t taps,
                const float *const *resolved, size_t step, const float *weights,
                size_t weights_stride, float *output, size_t output_stride,
                const qvk_f32_act_params *params)
{
  size_t c = 0;

  for (; c + 64 <= channels; c += 64)
    pixels (4, 0, slide5, d, 0xffff, c, n_px, taps, resolved, step, weights, weights_stride,
            output, output_stride, params);
  for (; c + 16 <= channels; c += 16)
    pixels (1, 0, slide5, d, 0xffff, c, n_px, taps, resolved, step, weights, weights_stride,
            output, output_stride, params);
  if (c < channels)
    pixels (1, 1, slide5, d, (__mmask16) ((1u << (channels - c)) - 1), c, n_px, taps,
            resolved, step, weights, weights_stride, output, output_stride, params);
}

void
qvk_f32_dwconv_minmax_ukernel_64c4w__avx512 (
    size_t channels, size_t output_width, size_t taps,
    size_t kernel_w, size_t stride_w, size_t dilation_w,
    const int32_t *offsets, size_t offsets_step,
    const float *input, const float *zero,
    const float *weights, size_t weights_stride,
    float *output, size_t output_stride,
    const qvk_f32_act_params *params)
{
  /* The table's offsets are resolved to pointers once per segment of
   * pixels, not once per channel block: neighbouring pixels share most of
   * their entries when the table shares columns. */
  const int slide5 = stride_w == 1 && kernel_w == 5 && taps % kernel_w == 0;
  const size_t d = slide5 ? dilation_w : 1;
  size_t segment = 1 + 1024 / offsets_step;
  if (slide5 && segment > PIXELS * d)
    segment = segment / (PIXELS * d) * (PIXELS * d);
  const float *resolved[(segment - 1) * offsets_step + taps];

  for (size_t px0 = 0; px0 < output_width; px0 += segment)
    {
      const size_t n_px = output_width - px0 < segment ? output_width - px0 : segment;
      const int32_t *o = offsets + px0 * offsets_step;
      const size_t entries = (n_px - 1) * offsets_step + taps;
      float *out = output + px0 * output_stride;

      qvk_indirection_resolve__avx512 (entries, o, input, zero, sizeof (float),
                                       (const void **) resolved);
      if (slide5)
        channel_blocks (1, d, channels, n_px, taps, resolved, offsets_step, weights,
                        weights_stride, out, output_stride, params);
      else
        channel_blocks (0, 1, channels, n_px, taps, resolved, offsets_step, weights,
                        weights_stride, out, output_stride, params);
    }
}
