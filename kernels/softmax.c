/* softmax.c: softmax and log-softmax along a strided axis (qvk-softmax.h). */
#include "qvk-softmax.h"

#include <math.h>

void
qvk_f32_softmax_strided__scalar (size_t n, size_t inner, int log_softmax,
                                 const float *x, float *y,
                                 size_t outer_begin, size_t outer_end)
{
  for (size_t o = outer_begin; o < outer_end; o++)
    for (size_t j = 0; j < inner; j++)
      {
        const float *xr = x + o * n * inner + j;
        float *yr = y + o * n * inner + j;
        float max = -INFINITY;
        double sum = 0.0;

        /* Subtracting the maximum keeps expf from overflowing. */
        for (size_t i = 0; i < n; i++)
          if (xr[i * inner] > max)
            max = xr[i * inner];
        for (size_t i = 0; i < n; i++)
          sum += expf (xr[i * inner] - max);
        if (log_softmax)
          {
            const double shift = (double) max + log (sum);
            for (size_t i = 0; i < n; i++)
              yr[i * inner] = (float) ((double) xr[i * inner] - shift);
          }
        else
          for (size_t i = 0; i < n; i++)
            yr[i * inner] = (float) (expf (xr[i * inner] - max) / sum);
      }
}
