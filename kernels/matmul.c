/* matmul.c: the scalar product of two computed matrices (attention's
 * Q K^T and the weighted sum of V).  Sums run in double: rows of a few
 * hundred products are common and float sums would drift from the
 * reference by more than the tests allow. */
#include "qvk-matmul.h"

void
qvk_f32_matmul_strided__scalar (size_t k_len, size_t n_len,
                                const float *a, int64_t a_m, int64_t a_k,
                                const float *b, int64_t b_k, int64_t b_n,
                                float *y, int64_t y_m, int64_t y_n,
                                size_t m_begin, size_t m_end)
{
  for (size_t m = m_begin; m < m_end; m++)
    for (size_t n = 0; n < n_len; n++)
      {
        double sum = 0.0;
        for (size_t k = 0; k < k_len; k++)
          sum += (double) a[(int64_t) m * a_m + (int64_t) k * a_k] *
                 (double) b[(int64_t) k * b_k + (int64_t) n * b_n];
        y[(int64_t) m * y_m + (int64_t) n * y_n] = (float) sum;
      }
}
