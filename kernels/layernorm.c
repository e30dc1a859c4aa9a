/* layernorm.c: the scalar layer normalization.
 *
 * Sums run in double: a row of a few thousand floats whose mean is far
 * from zero loses digits in a float sum, and the variance subtracts two
 * close numbers; two passes over the row (mean, then squared deviations)
 * avoid that subtraction altogether.
 */
#include "qvk-layernorm.h"

#include <math.h>

void
qvk_f32_layernorm__scalar (size_t n, float eps, const float *gamma, const float *beta,
                           const float *x, float *y, size_t row_begin, size_t row_end)
{
  if (n == 0)
    return;
  for (size_t r = row_begin; r < row_end; r++)
    {
      const float *xr = x + r * n;
      float *yr = y + r * n;
      double sum = 0.0, sq = 0.0;
      float mean, inv;

      for (size_t i = 0; i < n; i++)
        sum += xr[i];
      mean = (float) (sum / (double) n);
      for (size_t i = 0; i < n; i++)
        {
          double d = (double) xr[i] - mean;
          sq += d * d;
        }
      inv = (float) (1.0 / sqrt (sq / (double) n + (double) eps));
      for (size_t i = 0; i < n; i++)
        {
          float v = (xr[i] - mean) * inv;
          if (gamma != NULL)
            v *= gamma[i];
          if (beta != NULL)
            v += beta[i];
          yr[i] = v;
        }
    }
}
