/* reduce.c: the scalar reductions.  Sums run in double, so that a mean
 * over a large feature map does not drift with the order of the sum. */
#include "qvk-reduce.h"

#include <math.h>

static double
reduce_one (qvk_reduce_kind kind, int n_red, const int64_t *red_dims, const int64_t *red_x,
            const float *x)
{
  int64_t idx[6] = { 0 }, count = 1, off = 0;
  double acc = kind == QVK_REDUCE_MAX ? -INFINITY : kind == QVK_REDUCE_MIN ? INFINITY : 0.0;

  for (int d = 0; d < n_red; d++)
    count *= red_dims[d];
  for (int64_t k = 0; k < count; k++)
    {
      double v = x[off];
      switch (kind)
        {
        case QVK_REDUCE_MEAN:
        case QVK_REDUCE_SUM:
          acc += v;
          break;
        case QVK_REDUCE_MAX:
          acc = v > acc || v != v ? v : acc;
          break;
        case QVK_REDUCE_MIN:
          acc = v < acc || v != v ? v : acc;
          break;
        case QVK_REDUCE_L1:
          acc += fabs (v);
          break;
        case QVK_REDUCE_L2:
        case QVK_REDUCE_SUM_SQUARE:
          acc += v * v;
          break;
        }
      for (int d = n_red - 1; d >= 0; d--)
        {
          off += red_x[d];
          if (++idx[d] < red_dims[d])
            break;
          off -= red_x[d] * red_dims[d];
          idx[d] = 0;
        }
    }
  if (kind == QVK_REDUCE_MEAN)
    return count > 0 ? acc / (double) count : NAN;
  if (kind == QVK_REDUCE_L2)
    return sqrt (acc);
  return acc;
}

void
qvk_f32_reduce_strided__scalar (qvk_reduce_kind kind,
                                int n_kept, const int64_t *kept_dims,
                                const int64_t *kept_x, const int64_t *kept_y,
                                int n_red, const int64_t *red_dims,
                                const int64_t *red_x,
                                const float *x, float *y)
{
  int64_t idx[6] = { 0 }, total = 1, ox = 0, oy = 0;

  if (n_kept < 0 || n_kept > 6 || n_red < 0 || n_red > 6)
    return;
  for (int d = 0; d < n_kept; d++)
    total *= kept_dims[d];
  for (int64_t k = 0; k < total; k++)
    {
      y[oy] = (float) reduce_one (kind, n_red, red_dims, red_x, x + ox);
      for (int d = n_kept - 1; d >= 0; d--)
        {
          ox += kept_x[d];
          oy += kept_y[d];
          if (++idx[d] < kept_dims[d])
            break;
          ox -= kept_x[d] * kept_dims[d];
          oy -= kept_y[d] * kept_dims[d];
          idx[d] = 0;
        }
    }
}
