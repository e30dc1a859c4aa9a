/* qviz-input.c: synthetic natural-image-like inputs. */

#include "qviz-input.h"

#include <math.h>

float *
qviz_input_synthetic (int batch, int channels, int h, int w, guint32 seed)
{
  float *x = g_new (float, (gsize) batch * channels * h * w);

  qviz_input_synthetic_fill (x, batch, channels, h, w, seed);
  return x;
}

void
qviz_input_synthetic_fill (float *x, int batch, int channels, int h, int w, guint32 seed)
{
  g_autoptr (GRand) rand = NULL;
  gsize plane = (gsize) h * w;

  g_return_if_fail (x != NULL || (gsize) batch * channels * plane == 0);

  rand = g_rand_new_with_seed (seed);

  for (int n = 0; n < batch; n++)
    {
      /* A few low-frequency waves shared by all channels (shapes and
       * lighting), a couple of hard-edged blobs, and per-pixel noise. */
      double fx[4], fy[4], ph[4], amp[4];
      double cx[3], cy[3], r[3], blob[3];

      for (int k = 0; k < 4; k++)
        {
          fx[k] = g_rand_double_range (rand, 0.5, 6.0) * 2 * G_PI / w;
          fy[k] = g_rand_double_range (rand, 0.5, 6.0) * 2 * G_PI / h;
          ph[k] = g_rand_double_range (rand, 0, 2 * G_PI);
          amp[k] = g_rand_double_range (rand, 0.2, 0.6);
        }
      for (int k = 0; k < 3; k++)
        {
          cx[k] = g_rand_double_range (rand, 0, w);
          cy[k] = g_rand_double_range (rand, 0, h);
          r[k] = g_rand_double_range (rand, 0.05, 0.3) * MIN (h, w);
          blob[k] = g_rand_double_range (rand, -1.0, 1.0);
        }
      /* The waves are the same in every channel: their sines are taken
       * once per pixel.  Each channel draws its tint, gain and noise from
       * where a channel-by-channel loop would, so the values are those of
       * one channel after the other. */
      {
        g_autofree GRand **channel_rand = g_new (GRand *, channels);
        g_autofree double *tint = g_new (double, channels);
        g_autofree double *gain = g_new (double, channels);

        for (int c = 0; c < channels; c++)
          {
            channel_rand[c] = g_rand_copy (rand);
            tint[c] = g_rand_double_range (channel_rand[c], -0.3, 0.3);
            gain[c] = g_rand_double_range (channel_rand[c], 0.8, 1.2);
            for (gsize k = 0; k < plane + 2; k++)
              g_rand_double_range (rand, 0.0, 1.0);
          }
        for (int i = 0; i < h; i++)
          for (int j = 0; j < w; j++)
            {
              double s[4];
              gboolean in_blob[3];

              for (int k = 0; k < 4; k++)
                s[k] = sin (fx[k] * j + fy[k] * i + ph[k]);
              for (int k = 0; k < 3; k++)
                in_blob[k] = (j - cx[k]) * (j - cx[k]) + (i - cy[k]) * (i - cy[k]) < r[k] * r[k];
              for (int c = 0; c < channels; c++)
                {
                  float *p = x + ((gsize) n * channels + c) * plane;
                  double v = tint[c];

                  for (int k = 0; k < 4; k++)
                    v += gain[c] * amp[k] * s[k];
                  for (int k = 0; k < 3; k++)
                    if (in_blob[k])
                      v += blob[k];
                  v += g_rand_double_range (channel_rand[c], -0.25, 0.25);
                  p[(gsize) i * w + j] = (float) v;
                }
            }
        for (int c = 0; c < channels; c++)
          g_rand_free (channel_rand[c]);
      }
    }
}

gboolean
qviz_input_check_batch (const char *file, const QvizShape *shape, int in_channels,
                        GError **error)
{
  g_return_val_if_fail (file != NULL && shape != NULL, FALSE);

  if (shape->rank != 4 || shape->dims[1] != in_channels || shape->dims[0] < 1 ||
      shape->dims[0] > QVIZ_MAX_BATCH || shape->dims[2] < 1 ||
      shape->dims[2] > QVIZ_MAX_SIDE || shape->dims[3] < 1 || shape->dims[3] > QVIZ_MAX_SIDE)
    {
      g_autofree char *str = qviz_shape_to_string (shape);

      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "%s holds a %s array; the model takes N x %d x H x W images with N up "
                   "to %d and sides up to %d.", file, str, in_channels, QVIZ_MAX_BATCH,
                   QVIZ_MAX_SIDE);
      return FALSE;
    }
  return TRUE;
}
