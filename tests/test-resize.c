/* test-resize.c: the source pixels of a resize follow the ONNX
 * specification for every coordinate mode and nearest mode, and the float
 * and int8 table kernels take the same pixels.  Expected indices are worked
 * out by hand from the specification's formulas. */
#include "qviz-resize.h"
#include "qvk-resize.h"

#include <math.h>
#include <string.h>

static QvizResizeAttrs
attrs (QvizResizeMode mode, QvizResizeCoord coord, QvizResizeNearestMode nearest)
{
  QvizResizeAttrs r = { 0 };
  r.mode = mode;
  r.coord = coord;
  r.align_corners = coord == QVIZ_RESIZE_COORD_ALIGN_CORNERS;
  r.nearest_mode = nearest;
  r.target = QVIZ_RESIZE_SIZES;
  return r;
}

static void
check_nearest (QvizResizeCoord coord, QvizResizeNearestMode nearest, int in, int out,
               const int *want)
{
  QvizResizeAttrs r = attrs (QVIZ_RESIZE_NEAREST, coord, nearest);
  qvk_resize_tap taps[16];

  qviz_resize_axis_taps (&r, 3, in, out, taps);
  for (int x = 0; x < out; x++)
    {
      g_assert_cmpint (taps[x].i0, ==, want[x]);
      g_assert_cmpint (taps[x].i1, ==, want[x]);
      g_assert_cmpfloat (taps[x].lambda, ==, 0.0f);
    }
}

static void
test_nearest_modes (void)
{
  /* 4 -> 8, half_pixel: x_ori = (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75,
   * 1.25, 1.75, 2.25, 2.75, 3.25. */
  static const int hp_floor_pref[] = { 0, 0, 1, 1, 2, 2, 3, 3 };
  static const int hp_ceil[] = { 0, 1, 1, 2, 2, 3, 3, 3 };
  static const int hp_floor[] = { 0, 0, 0, 1, 1, 2, 2, 3 };
  /* 4 -> 8, asymmetric: x / 2 = 0, 0.5, 1, 1.5, ...: ties decide. */
  static const int as_pref_floor[] = { 0, 0, 1, 1, 2, 2, 3, 3 };
  static const int as_pref_ceil[] = { 0, 1, 1, 2, 2, 3, 3, 3 };
  /* 4 -> 3, tf_half_pixel_for_nn: (x + 0.5) / 0.75 = 0.667, 2, 3.333. */
  static const int tf_nn[] = { 1, 2, 3 };
  /* 4 -> 7, align_corners: x * 3 / 6 = 0, 0.5, 1, ..., 3. */
  static const int ac_floor[] = { 0, 0, 1, 1, 2, 2, 3 };

  check_nearest (QVIZ_RESIZE_COORD_HALF_PIXEL, QVIZ_RESIZE_ROUND_PREFER_FLOOR, 4, 8,
                 hp_floor_pref);
  check_nearest (QVIZ_RESIZE_COORD_HALF_PIXEL, QVIZ_RESIZE_CEIL, 4, 8, hp_ceil);
  check_nearest (QVIZ_RESIZE_COORD_HALF_PIXEL, QVIZ_RESIZE_FLOOR, 4, 8, hp_floor);
  check_nearest (QVIZ_RESIZE_COORD_ASYMMETRIC, QVIZ_RESIZE_ROUND_PREFER_FLOOR, 4, 8,
                 as_pref_floor);
  check_nearest (QVIZ_RESIZE_COORD_ASYMMETRIC, QVIZ_RESIZE_ROUND_PREFER_CEIL, 4, 8,
                 as_pref_ceil);
  check_nearest (QVIZ_RESIZE_COORD_TF_HALF_PIXEL_FOR_NN, QVIZ_RESIZE_ROUND_PREFER_FLOOR, 4, 3,
                 tf_nn);
  check_nearest (QVIZ_RESIZE_COORD_ALIGN_CORNERS, QVIZ_RESIZE_FLOOR, 4, 7, ac_floor);
}

static void
test_linear_scales (void)
{
  /* 4 -> 2 by a scale of 0.6: half_pixel divides by 0.6, not by 2 / 4:
   * x_ori = 0.5 / 0.6 - 0.5 = 0.3333, 1.5 / 0.6 - 0.5 = 2. */
  QvizResizeAttrs r = attrs (QVIZ_RESIZE_BILINEAR, QVIZ_RESIZE_COORD_HALF_PIXEL, 0);
  qvk_resize_tap taps[2];

  r.target = QVIZ_RESIZE_SCALES;
  r.scale_h = r.scale_w = 0.6f;
  qviz_resize_axis_taps (&r, 3, 4, 2, taps);
  g_assert_cmpint (taps[0].i0, ==, 0);
  g_assert_cmpint (taps[0].i1, ==, 1);
  g_assert_cmpfloat_with_epsilon (taps[0].lambda, 1.0 / 3.0, 1e-6);
  /* (0.6 is 0.6000000238 in float: the position falls just below 2) */
  g_assert_cmpfloat_with_epsilon (taps[1].i0 + taps[1].lambda, 2.0, 1e-6);
  g_assert_false (qviz_resize_is_pytorch_bilinear (&r, 2, 4, 1, 2));

  /* align_corners by a scale of 0.6 divides by 4 * 0.6 - 1 = 1.4. */
  r = attrs (QVIZ_RESIZE_BILINEAR, QVIZ_RESIZE_COORD_ALIGN_CORNERS, 0);
  r.target = QVIZ_RESIZE_SCALES;
  r.scale_h = r.scale_w = 0.6f;
  qviz_resize_axis_taps (&r, 3, 4, 2, taps);
  g_assert_cmpint (taps[1].i0, ==, 2);
  g_assert_cmpint (taps[1].i1, ==, 3);
  g_assert_cmpfloat_with_epsilon (taps[1].lambda, 3.0 / 1.4 - 2.0, 1e-5);

  /* pytorch_half_pixel to one pixel takes the first one; half_pixel the
   * centre. */
  r = attrs (QVIZ_RESIZE_BILINEAR, QVIZ_RESIZE_COORD_PYTORCH_HALF_PIXEL, 0);
  qviz_resize_axis_taps (&r, 3, 4, 1, taps);
  g_assert_cmpint (taps[0].i0, ==, 0);
  g_assert_cmpfloat (taps[0].lambda, ==, 0.0f);
  g_assert_false (qviz_resize_is_pytorch_bilinear (&r, 4, 4, 1, 1));
  r.coord = QVIZ_RESIZE_COORD_HALF_PIXEL;
  qviz_resize_axis_taps (&r, 3, 4, 1, taps);
  g_assert_cmpint (taps[0].i0, ==, 1);
  g_assert_cmpfloat (taps[0].lambda, ==, 0.5f);
  /* Sizes that are a whole scale: PyTorch's kernels compute the same. */
  g_assert_true (qviz_resize_is_pytorch_bilinear (&r, 4, 4, 8, 8));
}

/* The int8 table kernel on bytes takes the pixels and weights the float
 * one takes on the same numbers (rounded to nearest). */
static void
test_int8_matches_float (void)
{
  const int in_h = 5, in_w = 7, c = 3, out_h = 9, out_w = 4;
  QvizResizeAttrs r = attrs (QVIZ_RESIZE_BILINEAR, QVIZ_RESIZE_COORD_ASYMMETRIC, 0);
  qvk_resize_tap *taps;
  guint8 xq[5 * 7 * 3], yq[9 * 4 * 3];
  float xf[5 * 7 * 3], yf[9 * 4 * 3];
  GRand *rand = g_rand_new_with_seed (12);

  for (gsize i = 0; i < G_N_ELEMENTS (xq); i++)
    {
      xq[i] = (guint8) g_rand_int_range (rand, 0, 256);
      xf[i] = xq[i];
    }
  for (int m = 0; m < 2; m++)
    {
      r.mode = m ? QVIZ_RESIZE_NEAREST : QVIZ_RESIZE_BILINEAR;
      taps = qviz_resize_taps_new (&r, in_h, in_w, out_h, out_w);
      qvk_qu8_resize_taps__scalar (1, in_h, in_w, c, out_h, out_w, taps, taps + out_h, xq, yq,
                                   0, out_h);
      qvk_f32_resize_taps__scalar (1, in_h, in_w, c, out_h, out_w, taps, taps + out_h, xf, yf,
                                   0, out_h);
      for (gsize i = 0; i < G_N_ELEMENTS (yq); i++)
        g_assert_cmpint (yq[i], ==, (int) lrintf (yf[i]));
      g_free (taps);
    }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/resize/nearest-modes", test_nearest_modes);
  g_test_add_func ("/resize/linear-scales", test_linear_scales);
  g_test_add_func ("/resize/int8-matches-float", test_int8_matches_float);
  return g_test_run ();
}
