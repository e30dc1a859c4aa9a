/* qvk-pack.c: indirection tables and the packed weight layouts read by the
 * vector microkernels (qvk-ukernels.h).  Everything here runs once, at
 * create time; none of it needs a particular instruction set.
 */
#include "qvk-ukernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- activation parameters ---------------------------------------------- */

int
qvk_f32_act_params_init (qvk_f32_act_params *p, const qvk_activation *act)
{
  p->min = -INFINITY;
  p->max = INFINITY;
  p->alpha = 1.0f / 6.0f;
  p->beta = 0.5f;
  p->kind = QVK_ACT_NONE;
  if (act == NULL)
    return 1;
  switch (act->kind)
    {
    case QVK_ACT_NONE:
      return 1;
    case QVK_ACT_RELU:
      p->min = 0.0f;
      return 1;
    case QVK_ACT_CLIP:
      p->min = act->min;
      p->max = act->max;
      return 1;
    case QVK_ACT_HARDSWISH:
      p->kind = QVK_ACT_HARDSWISH;
      return 1;
    case QVK_ACT_HARDSIGMOID:
      p->kind = QVK_ACT_HARDSIGMOID;
      p->alpha = act->alpha;
      p->beta = act->beta;
      return 1;
    case QVK_ACT_SIGMOID:
    default:
      return 0;
    }
}

/* ---- indirection --------------------------------------------------------- */

int
qvk_indirection_init (qvk_indirection *ind, const qvk_conv_shape *s,
                      size_t tap_padding)
{
  const size_t kh_n = (size_t) s->kernel_h;
  const size_t kw_n = (size_t) s->kernel_w;
  /* Neighbouring pixels can share table columns only when the column of a
   * tap depends on x * stride + kx alone. */
  const int share = s->dilation_w == 1 && s->stride_w <= s->kernel_w;
  const size_t step_w = share ? (size_t) s->stride_w : kw_n;
  const size_t columns = share ? kw_n + (size_t) (s->out_w - 1) * step_w
                               : (size_t) s->out_w * kw_n;
  const size_t rows = (size_t) s->batch * s->out_h;
  const double largest = (double) s->batch * s->in_h * s->in_w * s->in_c;

  memset (ind, 0, sizeof *ind);
  if (largest >= 2147483647.0)
    return 0;

  ind->taps = kh_n * kw_n;
  ind->pixel_step = step_w * kh_n;
  ind->row_len = columns * kh_n + tap_padding;
  ind->offsets = malloc (rows * ind->row_len * sizeof (int32_t));
  if (ind->offsets == NULL)
    return 0;

  for (size_t row = 0; row < rows; row++)
    {
      const int n = (int) (row / s->out_h);
      const int oy = (int) (row % s->out_h);
      int32_t *r = ind->offsets + row * ind->row_len;

      for (size_t i = columns * kh_n; i < ind->row_len; i++)
        r[i] = -1;
      for (int ox = 0; ox < s->out_w; ox++)
        for (int kx = 0; kx < s->kernel_w; kx++)
          {
            const int ix = ox * s->stride_w - s->pad_left + kx * s->dilation_w;
            int32_t *col = r + ((size_t) ox * step_w + kx) * kh_n;

            for (int ky = 0; ky < s->kernel_h; ky++)
              {
                const int iy = oy * s->stride_h - s->pad_top + ky * s->dilation_h;
                if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                  col[ky] = -1;
                else
                  col[ky] = (int32_t) ((((size_t) n * s->in_h + iy) * s->in_w + ix)
                                       * s->in_c);
              }
          }
    }
  return 1;
}

void
qvk_indirection_clear (qvk_indirection *ind)
{
  free (ind->offsets);
  memset (ind, 0, sizeof *ind);
}

void
qvk_indirection_resolve__scalar (size_t n, const int32_t *offsets,
                                 const void *input, const void *zero,
                                 size_t elem_size, const void **rows)
{
  for (size_t i = 0; i < n; i++)
    rows[i] = offsets[i] < 0 ? zero
              : (const void *) ((const uint8_t *) input + (size_t) offsets[i] * elem_size);
}

qvk_indirection_resolve_fn
qvk_indirection_resolver (qvk_isa isa)
{
#define PICK_RESOLVER(name, level) \
  if (isa >= level) \
    return name;
  QVK_INDIRECTION_RESOLVE_UKERNELS (PICK_RESOLVER)
  return qvk_indirection_resolve__scalar;
}

/* OHWI tap index (ky * kernel_w + kx) of indirection tap t. */
static inline int
ohwi_tap (int t, int kernel_h, int kernel_w)
{
  const int kx = t / kernel_h;
  const int ky = t % kernel_h;
  return ky * kernel_w + kx;
}

/* ---- float depthwise ----------------------------------------------------- */

size_t
qvk_f32_dwconv_packed_floats (int channels, int kernel_h, int kernel_w)
{
  return (size_t) (1 + kernel_h * kernel_w) * qvk_round_up ((size_t) channels, 16);
}

void
qvk_f32_dwconv_pack (int channels, int kernel_h, int kernel_w,
                     const float *weights, const float *bias, float *packed)
{
  const size_t cpad = qvk_round_up ((size_t) channels, 16);
  const int taps = kernel_h * kernel_w;

  memset (packed, 0, qvk_f32_dwconv_packed_floats (channels, kernel_h, kernel_w)
                     * sizeof (float));
  for (int c = 0; c < channels; c++)
    {
      packed[c] = bias != NULL ? bias[c] : 0.0f;
      for (int t = 0; t < taps; t++)
        packed[(1 + (size_t) t) * cpad + c] =
          weights[(size_t) c * taps + ohwi_tap (t, kernel_h, kernel_w)];
    }
}

/* ---- int8 depthwise ------------------------------------------------------ */

size_t
qvk_qu8_dwconv_taps (qvk_qu8_dw_layout layout, int kernel_h, int kernel_w)
{
  if (layout == QVK_QU8_DW_LAYOUT_C4R3)
    return 8 * (size_t) kernel_h;     /* two groups of 4 per kernel row */
  if (layout == QVK_QU8_DW_LAYOUT_C4Q)
    {
      /* q_step variants of nq quads x kernel_w columns, 4 rows each */
      int q_step, nq;
      qvk_qu8_dwconv_quad_geometry (kernel_h, &q_step, &nq);
      return (size_t) q_step * nq * kernel_w * 4;
    }
  if (layout == QVK_QU8_DW_LAYOUT_C2V)
    return (size_t) kernel_w * qvk_round_up ((size_t) kernel_h, 2);
  return qvk_round_up ((size_t) kernel_h * kernel_w,
                       layout == QVK_QU8_DW_LAYOUT_C4 ? 4 : 2);
}

static int
dw_int16 (qvk_qu8_dw_layout layout)
{
  return layout == QVK_QU8_DW_LAYOUT_C2 || layout == QVK_QU8_DW_LAYOUT_C2V;
}

size_t
qvk_qu8_dwconv_channel_tile (qvk_qu8_dw_layout layout)
{
  return dw_int16 (layout) ? 16 : 64;
}

/* Columns are shared where the stride across divides the dilation (so
 * that pixels d / s apart read the same columns one tap apart; at stride
 * 2 and dilation 1 a 3x3 pass would share one column in seven reads, and
 * such a kernel ran 8-11% slower than the grouped one), in kernels up to
 * 8 rows high (their column pointers on the stack) and 3, 5 or 7 wide
 * (the passes the kernels are compiled for). */
int
qvk_qu8_dwconv_cols_fit (int kernel_h, int kernel_w, int stride_w, int dilation_w,
                         qvk_qu8_dw_cols *geometry)
{
  if (stride_w < 1 || dilation_w < 1 || dilation_w % stride_w != 0 ||
      kernel_h < 1 || kernel_h > 8 || (kernel_w != 3 && kernel_w != 5 && kernel_w != 7))
    return 0;
  if (geometry != NULL)
    {
      geometry->kernel_h = (size_t) kernel_h;
      geometry->kernel_w = (size_t) kernel_w;
      geometry->spacing = (size_t) (dilation_w / stride_w);
    }
  return 1;
}

/* Channels and bytes of tile i, and its channel permutation. */
typedef struct {
  int width;          /* 64 or 16 */
  size_t bytes;
} dw_tile;

static size_t
dw_tile_bytes (qvk_qu8_dw_layout layout, int width, size_t taps)
{
  /* bias + scale, then one int8 (C4) or int16 (C2) weight per channel and
   * padded tap */
  return (size_t) width * 8 + (size_t) width * taps * (dw_int16 (layout) ? 2 : 1);
}

/* Widths of the tiles covering channels, in order; returns the count. */
static int
dw_tiles (qvk_qu8_dw_layout layout, int channels, int *widths, int max)
{
  int n = 0;

  if (dw_int16 (layout))
    {
      for (int c = 0; c < channels && n < max; c += 16)
        widths[n++] = 16;
      return n;
    }
  int c = 0;
  if (layout == QVK_QU8_DW_LAYOUT_C4R3)
    {
      for (; c < channels && n < max; c += 64)
        widths[n++] = 64;
      return n;
    }
  for (; c + 64 <= channels && n < max; c += 64)
    widths[n++] = 64;
  if (channels - c > 32 && n < max)
    widths[n++] = 64;
  else
    for (; c < channels && n < max; c += 16)
      widths[n++] = 16;
  return n;
}

size_t
qvk_qu8_dwconv_packed_bytes (qvk_qu8_dw_layout layout, int channels,
                             int kernel_h, int kernel_w)
{
  const size_t taps = qvk_qu8_dwconv_taps (layout, kernel_h, kernel_w);
  const int max = channels / 16 + 2;
  int *widths = malloc ((size_t) max * sizeof (int));
  size_t bytes = 0;
  int n;

  if (widths == NULL)
    return 0;
  n = dw_tiles (layout, channels, widths, max);
  for (int i = 0; i < n; i++)
    bytes += dw_tile_bytes (layout, widths[i], taps);
  free (widths);
  return bytes;
}

size_t
qvk_qu8_dwconv_packed_offset (qvk_qu8_dw_layout layout, int channels,
                              int kernel_h, int kernel_w, int c0)
{
  const size_t taps = qvk_qu8_dwconv_taps (layout, kernel_h, kernel_w);
  const int tile = (int) qvk_qu8_dwconv_channel_tile (layout);

  /* Every tile before a multiple of the channel tile is a full one. */
  return (size_t) (c0 / tile) * dw_tile_bytes (layout, tile, taps);
}

/* Channel (within the tile) held by dword slot i of a tile's accumulators.
 * C4 64-wide: vector v = i / 16, 128-bit lane L, element e -> 16 L + 4 v + e.
 * C2 16-wide: vector h = i / 8, lane L, element e -> 8 L + 4 h + e.
 * 16-wide C4 tiles keep the natural order. */
static int
dw_slot_channel (qvk_qu8_dw_layout layout, int width, int i)
{
  if (!dw_int16 (layout) && width == 64)
    {
      const int v = i / 16, lane = (i % 16) / 4, e = i % 4;
      return 16 * lane + 4 * v + e;
    }
  if (dw_int16 (layout))
    {
      const int h = i / 8, lane = (i % 8) / 4, e = i % 4;
      return 8 * lane + 4 * h + e;
    }
  return i;
}

void
qvk_qu8_dwconv_pack (qvk_qu8_dw_layout layout, int channels,
                     int kernel_h, int kernel_w, int32_t input_zero_point,
                     const int8_t *weights, const int32_t *bias,
                     const float *requant_scale, void *packed)
{
  const int real_taps = kernel_h * kernel_w;
  const size_t taps = qvk_qu8_dwconv_taps (layout, kernel_h, kernel_w);
  const size_t group = layout == QVK_QU8_DW_LAYOUT_C4 ? 4 : 2;
  const int max = channels / 16 + 2;
  int *widths = malloc ((size_t) max * sizeof (int));
  uint8_t *p = packed;
  int n, c0 = 0;

  if (widths == NULL)
    return;
  memset (packed, 0, qvk_qu8_dwconv_packed_bytes (layout, channels, kernel_h, kernel_w));
  n = dw_tiles (layout, channels, widths, max);
  for (int ti = 0; ti < n; c0 += widths[ti], ti++)
    {
      const int width = widths[ti];
      int32_t *tile_bias = (int32_t *) p;
      float *tile_scale = (float *) (p + (size_t) width * 4);
      uint8_t *w = p + (size_t) width * 8;

      for (int i = 0; i < width; i++)
        {
          const int c = c0 + dw_slot_channel (layout, width, i);
          int32_t sum = 0;

          if (c >= channels)
            continue;
          if (layout == QVK_QU8_DW_LAYOUT_C4Q)
            {
              /* variant t, quad g, column kx: row 4 g + e - t of the
               * kernel in byte e */
              int q_step, nq;
              qvk_qu8_dwconv_quad_geometry (kernel_h, &q_step, &nq);
              for (int t = 0; t < q_step; t++)
                for (int g = 0; g < nq; g++)
                  for (int kx = 0; kx < kernel_w; kx++)
                    for (int e = 0; e < 4; e++)
                      {
                        const int ky = 4 * g + e - t;
                        const size_t gi = ((size_t) t * nq + g) * kernel_w + kx;
                        if (ky < 0 || ky >= kernel_h)
                          continue;
                        ((int8_t *) w)[(gi * width + i) * 4 + e] =
                          weights[(size_t) c * real_taps + (size_t) ky * kernel_w + kx];
                      }
              for (int t = 0; t < real_taps; t++)
                sum += weights[(size_t) c * real_taps + t];
              tile_bias[i] = (bias != NULL ? bias[c] : 0) - input_zero_point * sum;
              tile_scale[i] = requant_scale[c];
              continue;
            }
          if (layout == QVK_QU8_DW_LAYOUT_C4R3)
            {
              /* row ky: group 2 ky holds [w0 w1 w2 0], group 2 ky + 1
               * [0 w0 w1 w2] */
              for (int ky = 0; ky < kernel_h; ky++)
                for (int kx = 0; kx < 3; kx++)
                  {
                    const int8_t wv = weights[(size_t) c * real_taps + (size_t) ky * 3 + kx];
                    sum += wv;
                    ((int8_t *) w)[((size_t) (2 * ky) * width + i) * 4 + kx] = wv;
                    ((int8_t *) w)[((size_t) (2 * ky + 1) * width + i) * 4 + kx + 1] = wv;
                  }
              tile_bias[i] = (bias != NULL ? bias[c] : 0) - input_zero_point * sum;
              tile_scale[i] = requant_scale[c];
              continue;
            }
          for (int t = 0; t < real_taps; t++)
            {
              const int8_t wv = weights[(size_t) c * real_taps
                                        + ohwi_tap (t, kernel_h, kernel_w)];
              /* C2V: pairs down the column t / kernel_h of an even height */
              const size_t hh = qvk_round_up ((size_t) kernel_h, 2);
              const size_t g = layout == QVK_QU8_DW_LAYOUT_C2V
                               ? ((size_t) (t / kernel_h) * hh + (size_t) (t % kernel_h)) / 2
                               : (size_t) t / group;
              const size_t j = (size_t) (layout == QVK_QU8_DW_LAYOUT_C2V ? t % kernel_h : t)
                               % group;
              /* group g of the tile: width slots of `group` weights */
              const size_t at = (g * width + i) * group + j;

              sum += wv;
              if (layout == QVK_QU8_DW_LAYOUT_C4)
                ((int8_t *) w)[at] = wv;
              else
                ((int16_t *) w)[at] = wv;
            }
          tile_bias[i] = (bias != NULL ? bias[c] : 0) - input_zero_point * sum;
          tile_scale[i] = requant_scale[c];
        }
      p += dw_tile_bytes (layout, width, taps);
    }
  free (widths);
}

/* ---- float GEMM ---------------------------------------------------------- */

size_t
qvk_f32_gemm_packed_floats (int n, int kc, int kernel_h, int kernel_w, int nr)
{
  const size_t tiles = qvk_round_up ((size_t) n, nr) / nr;
  return tiles * nr * (1 + (size_t) kernel_h * kernel_w * kc);
}

void
qvk_f32_gemm_pack (int n, int kc, int kernel_h, int kernel_w, int nr,
                   const float *weights, const float *bias, float *packed)
{
  const size_t taps = (size_t) kernel_h * kernel_w;
  const size_t tiles = qvk_round_up ((size_t) n, nr) / nr;
  const size_t tile_floats = (size_t) nr * (1 + taps * kc);

  memset (packed, 0, tiles * tile_floats * sizeof (float));
  for (size_t tile = 0; tile < tiles; tile++)
    {
      float *p = packed + tile * tile_floats;

      for (int j = 0; j < nr; j++)
        {
          const size_t o = tile * nr + j;
          if (o >= (size_t) n)
            break;
          p[j] = bias != NULL ? bias[o] : 0.0f;
          for (size_t t = 0; t < taps; t++)
            {
              const int src_t = ohwi_tap ((int) t, kernel_h, kernel_w);
              for (int k = 0; k < kc; k++)
                p[nr + (t * kc + k) * nr + j] =
                  weights[(o * taps + src_t) * kc + k];
            }
        }
    }
}

/* ---- int8 GEMM ----------------------------------------------------------- */

size_t
qvk_qu8_gemm_packed_bytes (int n, int kc, int kernel_h, int kernel_w, int nr,
                           int kr)
{
  const size_t tiles = qvk_round_up ((size_t) n, nr) / nr;
  const size_t kpad = qvk_round_up ((size_t) kc, kr);
  const size_t elem = kr == 4 ? 1 : 2;
  return tiles * ((size_t) nr * 8 + (size_t) kernel_h * kernel_w * kpad * nr * elem);
}

void
qvk_qu8_gemm_pack (int n, int kc, int kernel_h, int kernel_w, int nr, int kr,
                   int32_t input_zero_point, const int8_t *weights,
                   const int32_t *bias, const float *requant_scale,
                   void *packed)
{
  const size_t taps = (size_t) kernel_h * kernel_w;
  const size_t tiles = qvk_round_up ((size_t) n, nr) / nr;
  const size_t kpad = qvk_round_up ((size_t) kc, kr);
  const size_t elem = kr == 4 ? 1 : 2;
  const size_t tile_bytes = (size_t) nr * 8 + taps * kpad * nr * elem;

  memset (packed, 0, tiles * tile_bytes);
  for (size_t tile = 0; tile < tiles; tile++)
    {
      uint8_t *p = (uint8_t *) packed + tile * tile_bytes;
      int32_t *tile_bias = (int32_t *) p;
      float *tile_scale = (float *) (p + (size_t) nr * 4);
      uint8_t *w = p + (size_t) nr * 8;

      for (int j = 0; j < nr; j++)
        {
          const size_t o = tile * nr + j;
          int32_t sum = 0;

          if (o >= (size_t) n)
            break;
          for (size_t t = 0; t < taps; t++)
            {
              const int src_t = ohwi_tap ((int) t, kernel_h, kernel_w);
              for (int k = 0; k < kc; k++)
                {
                  const int8_t wv = weights[(o * taps + src_t) * kc + k];
                  /* [t][k / kr][nr][kr] */
                  const size_t at = ((t * kpad + (size_t) k / kr * kr) * nr)
                                    + (size_t) j * kr + (size_t) k % kr;
                  sum += wv;
                  if (kr == 4)
                    ((int8_t *) w)[at] = wv;
                  else
                    ((int16_t *) w)[at] = wv;
                }
            }
          tile_bias[j] = (bias != NULL ? bias[o] : 0) - input_zero_point * sum;
          tile_scale[j] = requant_scale[o];
        }
    }
}
