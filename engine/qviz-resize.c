/* qviz-resize.c: source taps of a resize by the ONNX specification. */
#include "qviz-resize.h"

#include <math.h>

double
qviz_resize_axis_scale (const QvizResizeAttrs *r, int axis, int in_size, int out_size)
{
  g_return_val_if_fail (r != NULL, 1.0);

  if (r->target == QVIZ_RESIZE_SCALES)
    return (double) (axis == 2 ? r->scale_h : r->scale_w);
  return (double) out_size / (double) in_size;
}

/* The resized length the specification divides by: scale x input length,
 * which for a given scale need not be the whole output length (ONNX's
 * reference, onnx/backend/test/case/node/resize.py, computes it so: a float
 * scale times the length in single precision, out / in times the length in
 * double). */
static double
resized_length (const QvizResizeAttrs *r, double scale, int in_size)
{
  if (r->target == QVIZ_RESIZE_SCALES)
    return (double) ((float) scale * (float) in_size);
  return scale * (double) in_size;
}

/* The source coordinate of output index x, written in the specification's
 * order of operations so that ties of the nearest modes fall the same way. */
static double
source_coordinate (const QvizResizeAttrs *r, double scale, int in_size, int x)
{
  QvizResizeCoord coord = r->align_corners ? QVIZ_RESIZE_COORD_ALIGN_CORNERS : r->coord;
  double length = resized_length (r, scale, in_size);

  switch (coord)
    {
    case QVIZ_RESIZE_COORD_ALIGN_CORNERS:
      if (length == 1.0)
        return 0.0;
      return (double) x * (double) (in_size - 1) / (length - 1.0);
    case QVIZ_RESIZE_COORD_ASYMMETRIC:
      return (double) x / scale;
    case QVIZ_RESIZE_COORD_TF_HALF_PIXEL_FOR_NN:
      return ((double) x + 0.5) / scale;
    case QVIZ_RESIZE_COORD_PYTORCH_HALF_PIXEL:
      if (length == 1.0)
        return -0.5;
      return ((double) x + 0.5) / scale - 0.5;
    case QVIZ_RESIZE_COORD_HALF_PIXEL:
    case QVIZ_RESIZE_COORD_TORCH_INTERPOLATE: /* its linear taps are half_pixel's */
    default:
      return ((double) x + 0.5) / scale - 0.5;
    }
}

static int
clamp_index (double i, int in_size)
{
  if (i < 0.0)
    return 0;
  if (i > (double) (in_size - 1))
    return in_size - 1;
  return (int) i;
}

void
qviz_resize_axis_taps (const QvizResizeAttrs *r, int axis, int in_size, int out_size,
                       qvk_resize_tap *taps)
{
  double scale;

  g_return_if_fail (r != NULL && taps != NULL && in_size > 0);

  scale = qviz_resize_axis_scale (r, axis, in_size, out_size);
  for (int x = 0; x < out_size; x++)
    {
      double src = source_coordinate (r, scale, in_size, x);
      double lo = floor (src), ratio = src - lo;
      qvk_resize_tap *t = &taps[x];

      if (r->mode == QVIZ_RESIZE_NEAREST)
        {
          gboolean up;
          switch (r->nearest_mode)
            {
            case QVIZ_RESIZE_ROUND_PREFER_CEIL:
              up = ratio >= 0.5;
              break;
            case QVIZ_RESIZE_FLOOR:
              up = FALSE;
              break;
            case QVIZ_RESIZE_CEIL:
              up = ratio > 0.0;
              break;
            case QVIZ_RESIZE_ROUND_PREFER_FLOOR:
            default:
              up = ratio > 0.5;
              break;
            }
          t->i0 = t->i1 = clamp_index (up ? lo + 1.0 : lo, in_size);
          t->lambda = 0.0f;
        }
      else
        {
          /* Outside the input both neighbours are the edge pixel. */
          t->i0 = clamp_index (lo, in_size);
          t->i1 = clamp_index (lo + 1.0, in_size);
          t->lambda = t->i0 == t->i1 ? 0.0f : (float) ratio;
        }
    }
}

qvk_resize_tap *
qviz_resize_taps_new (const QvizResizeAttrs *r, int in_h, int in_w, int out_h, int out_w)
{
  qvk_resize_tap *taps;

  g_return_val_if_fail (r != NULL && out_h > 0 && out_w > 0, NULL);

  taps = g_new (qvk_resize_tap, (gsize) out_h + (gsize) out_w);
  qviz_resize_axis_taps (r, 2, in_h, out_h, taps);
  qviz_resize_axis_taps (r, 3, in_w, out_w, taps + out_h);
  return taps;
}

gboolean
qviz_resize_is_pytorch_bilinear (const QvizResizeAttrs *r, int in_h, int in_w, int out_h,
                                 int out_w)
{
  g_return_val_if_fail (r != NULL, FALSE);

  if (r->mode != QVIZ_RESIZE_BILINEAR)
    return FALSE;
  if (r->coord == QVIZ_RESIZE_COORD_TORCH_INTERPOLATE)
    return TRUE;
  if (!r->align_corners && r->coord != QVIZ_RESIZE_COORD_ALIGN_CORNERS &&
      r->coord != QVIZ_RESIZE_COORD_HALF_PIXEL && r->coord != QVIZ_RESIZE_COORD_PYTORCH_HALF_PIXEL)
    return FALSE;
  /* PyTorch maps with in / out; a given scale that is not out / in maps
   * differently (downsampling by 0.6 of 5 pixels to 3 is out / in, of 4 to
   * 2 is not), and so does align_corners, which divides by scale x in. */
  if (qviz_resize_axis_scale (r, 2, in_h, out_h) != (double) out_h / (double) in_h ||
      qviz_resize_axis_scale (r, 3, in_w, out_w) != (double) out_w / (double) in_w)
    return FALSE;
  /* One output pixel: PyTorch takes the centre of the input, ONNX's
   * pytorch_half_pixel its first pixel. */
  if (r->coord == QVIZ_RESIZE_COORD_PYTORCH_HALF_PIXEL && !r->align_corners &&
      (out_h == 1 || out_w == 1))
    return FALSE;
  return TRUE;
}

const char *
qviz_resize_coord_name (QvizResizeCoord coord)
{
  switch (coord)
    {
    case QVIZ_RESIZE_COORD_TORCH_INTERPOLATE: return "torch interpolate";
    case QVIZ_RESIZE_COORD_PYTORCH_HALF_PIXEL: return "pytorch_half_pixel";
    case QVIZ_RESIZE_COORD_HALF_PIXEL: return "half_pixel";
    case QVIZ_RESIZE_COORD_ALIGN_CORNERS: return "align_corners";
    case QVIZ_RESIZE_COORD_ASYMMETRIC: return "asymmetric";
    case QVIZ_RESIZE_COORD_TF_HALF_PIXEL_FOR_NN: return "tf_half_pixel_for_nn";
    default: return "?";
    }
}
