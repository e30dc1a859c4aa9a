/* conv-transpose.c: scalar 2-D transposed convolution (see the header). */

#include "qvk-conv-transpose.h"

void
qvk_f32_conv_transpose__scalar (const qvk_conv_transpose_shape *s,
                                const float *x, const int64_t x_strides[4],
                                const float *w, const float *bias,
                                float *y, const int64_t y_strides[4],
                                size_t row_begin, size_t row_end)
{
  const int out_per_group = s->out_c / s->groups, in_per_group = s->in_c / s->groups;

  for (size_t r = row_begin; r < row_end; r++)
    {
      const int oy = (int) (r % (size_t) s->out_h);
      const int oc = (int) ((r / (size_t) s->out_h) % (size_t) s->out_c);
      const int n = (int) (r / ((size_t) s->out_h * (size_t) s->out_c));
      const int group = oc / out_per_group, oc_in_group = oc % out_per_group;
      const float *xn = x + n * x_strides[0];

      for (int ox = 0; ox < s->out_w; ox++)
        {
          double acc = bias != NULL ? bias[oc] : 0.0;

          /* input pixel iy reaches oy through tap ky when
           * iy * stride + ky * dilation - pad = oy */
          for (int ky = 0; ky < s->kernel_h; ky++)
            {
              int ty = oy + s->pad_top - ky * s->dilation_h, iy;
              if (ty < 0 || ty % s->stride_h != 0 || (iy = ty / s->stride_h) >= s->in_h)
                continue;
              for (int kx = 0; kx < s->kernel_w; kx++)
                {
                  int tx = ox + s->pad_left - kx * s->dilation_w, ix;
                  if (tx < 0 || tx % s->stride_w != 0 || (ix = tx / s->stride_w) >= s->in_w)
                    continue;
                  for (int k = 0; k < in_per_group; k++)
                    {
                      int ic = group * in_per_group + k;
                      float xv = xn[ic * x_strides[1] + iy * x_strides[2] + ix * x_strides[3]];
                      float wv = w[(((size_t) ic * out_per_group + oc_in_group) * s->kernel_h + ky) *
                                   s->kernel_w + kx];
                      acc += (double) xv * wv;
                    }
                }
            }
          y[n * y_strides[0] + oc * y_strides[1] + oy * y_strides[2] + ox * y_strides[3]] =
            (float) acc;
        }
    }
}
