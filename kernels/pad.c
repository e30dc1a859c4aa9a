/* pad.c: padding of NHWC feature maps (qvk-pad.h). */
#include "qvk-pad.h"

#include <string.h>

/* The source index of an output coordinate i - pad, or -1 for the fill. */
static int
source_index (int i, int size, qvk_pad_mode mode)
{
  if (i >= 0 && i < size)
    return i;
  switch (mode)
    {
    case QVK_PAD_EDGE:
      return i < 0 ? 0 : size - 1;
    case QVK_PAD_REFLECT:
      {
        /* Period 2 (size - 1): ... 2 1 | 0 1 2 3 | 2 1 0 1 ... */
        const int period = 2 * (size - 1);
        if (period <= 0)
          return 0;
        i %= period;
        if (i < 0)
          i += period;
        return i < size ? i : period - i;
      }
    case QVK_PAD_CONSTANT:
    default:
      return -1;
    }
}

void
qvk_pad_nhwc (const qvk_pad_shape *s, size_t elem_size, const void *fill,
              const void *x, void *y, int row_begin, int row_end)
{
  const size_t pixel = (size_t) s->channels * elem_size;
  const unsigned char *in = x;
  unsigned char *out = y;

  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / s->out_h;
      const int iy = source_index (row % s->out_h - s->pad_top, s->in_h, s->mode);
      unsigned char *dst = out + (size_t) row * s->out_w * pixel;

      for (int ox = 0; ox < s->out_w; ox++, dst += pixel)
        {
          const int ix = source_index (ox - s->pad_left, s->in_w, s->mode);
          if (iy < 0 || ix < 0)
            memcpy (dst, fill, pixel);
          else
            memcpy (dst, in + (((size_t) n * s->in_h + iy) * s->in_w + ix) * pixel, pixel);
        }
    }
}
