/* test-kernels-elementwise.c: every kernel of qvk-elementwise.h at every
 * ISA level this CPU has, against its scalar reference.
 *
 * Lengths 1..200 (most not a multiple of any vector width), odd channel
 * counts, 1..37 pixels, zero points at 0, 255 and in between, scales that
 * saturate and scales that barely move, a fused relu clamp; the ranges
 * start at odd offsets.  Int8 must match bit for bit, float within 1e-6
 * relative (sigmoid's vector exp is a polynomial; everything else matches
 * exactly, which the test also checks).  Levels above the CPU's are
 * skipped.
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "qvk-elementwise.h"

/* The first two vector levels of this architecture (avx2, avx512 on x86). */
static const qvk_isa levels[] = { QVK_ISA_FIRST_VECTOR, QVK_ISA_FIRST_VECTOR + 1 };

static gboolean
level_available (qvk_isa isa)
{
  return qvk_isa_detect () >= isa;
}

static void
fill_u8 (GRand *rng, uint8_t *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t) g_rand_int_range (rng, 0, 256);
}

static void
fill_f32 (GRand *rng, float *p, size_t n, double range)
{
  for (size_t i = 0; i < n; i++)
    p[i] = (float) g_rand_double_range (rng, -range, range);
}

/* A zero point of one of the classes: 0, 255, the middle, anything. */
static int32_t
zero_point (GRand *rng, int k)
{
  switch (k % 4)
    {
    case 0: return 0;
    case 1: return 255;
    case 2: return 128;
    default: return g_rand_int_range (rng, 0, 256);
    }
}

/* A scale of one of the classes: tiny (most results near the zero point),
 * around one, large (most results saturate). */
static float
scale_class (GRand *rng, int k)
{
  switch (k % 3)
    {
    case 0: return (float) g_rand_double_range (rng, 0.001, 0.02);
    case 1: return (float) g_rand_double_range (rng, 0.3, 2.0);
    default: return (float) g_rand_double_range (rng, 5.0, 40.0);
    }
}

static void
check_u8 (const char *what, qvk_isa isa, const uint8_t *got,
          const uint8_t *want, size_t n, int k)
{
  for (size_t i = 0; i < n; i++)
    if (got[i] != want[i])
      g_error ("%s at %s, case %d: element %zu is %u, the reference %u", what,
               qvk_isa_name (isa), k, i, got[i], want[i]);
}

static void
check_f32 (const char *what, qvk_isa isa, const float *got, const float *want,
           size_t n, double rel, int k)
{
  for (size_t i = 0; i < n; i++)
    {
      const double d = fabs ((double) got[i] - want[i]);
      if (!(d <= rel * fabs ((double) want[i])) && !(d <= 1e-37))
        g_error ("%s at %s, case %d: element %zu is %.9g, the reference %.9g", what,
                 qvk_isa_name (isa), k, i, got[i], want[i]);
    }
}

#define FOR_LEVELS(isa)                                               \
  for (guint li_ = 0; li_ < G_N_ELEMENTS (levels); li_++)             \
    for (qvk_isa isa = levels[li_]; isa == levels[li_]; isa = QVK_N_ISAS) \
      if (!level_available (isa))                                     \
        skipped++;                                                    \
      else

static int skipped;

static void
note_skips (void)
{
  if (skipped > 0)
    g_test_skip ("some ISA levels are not on this CPU");
  skipped = 0;
}

/* ---- int8 ---------------------------------------------------------------- */

static void
test_qu8_add_mul (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (11);

  for (int k = 0; k < 240; k++)
    {
      const size_t n = (size_t) (k % 200) + 1, off = (size_t) (k % 3);
      uint8_t a[208], b[208], want[208], got[208];
      qvk_qu8_add_params ap;
      qvk_qu8_mul_params mp;
      const int32_t zy = zero_point (rng, k / 4);
      const int32_t lo = k % 5 == 0 ? zy : 0, hi = k % 7 == 0 ? MIN (255, zy + 50) : 255;

      fill_u8 (rng, a, n + off);
      fill_u8 (rng, b, n + off);
      qvk_qu8_add_params_init (&ap, scale_class (rng, k), zero_point (rng, k),
                               scale_class (rng, k / 3), zero_point (rng, k + 1),
                               scale_class (rng, k / 9), zy, lo, hi);
      qvk_qu8_mul_params_init (&mp, scale_class (rng, k), zero_point (rng, k + 2),
                               scale_class (rng, k / 3), zero_point (rng, k + 3),
                               scale_class (rng, k / 9) * 100.0f, zy, lo, hi);
      FOR_LEVELS (isa)
        {
          memset (want, 0xa5, sizeof want);
          memset (got, 0xa5, sizeof got);
          qvk_qu8_add__scalar (&ap, a, b, want, off, off + n);
          qvk_qu8_add (isa, &ap, a, b, got, off, off + n);
          check_u8 ("qu8 add", isa, got, want, sizeof got, k);
          qvk_qu8_mul__scalar (&mp, a, b, want, off, off + n);
          qvk_qu8_mul (isa, &mp, a, b, got, off, off + n);
          check_u8 ("qu8 mul", isa, got, want, sizeof got, k);
        }
    }
  note_skips ();
}

static void
test_qu8_mul_channel (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (12);

  for (int k = 0; k < 120; k++)
    {
      const int batch = 1 + k % 2, pixels = 1 + (k * 7) % 37;
      const int channels = 1 + (k * 13) % 99;
      const size_t n = (size_t) batch * pixels * channels;
      g_autofree uint8_t *x = g_malloc (n), *want = g_malloc (n), *got = g_malloc (n);
      g_autofree uint8_t *s = g_malloc ((size_t) batch * channels);
      qvk_qu8_mul_params mp;
      const size_t begin = (size_t) (k % 3 == 0 ? 1 : 0) % ((size_t) batch * pixels);

      fill_u8 (rng, x, n);
      fill_u8 (rng, s, (size_t) batch * channels);
      qvk_qu8_mul_params_init (&mp, scale_class (rng, k), zero_point (rng, k),
                               1.0f / 255.0f, 0, scale_class (rng, k + 1),
                               zero_point (rng, k / 4), 0, 255);
      FOR_LEVELS (isa)
        {
          memset (want, 0x5a, n);
          memset (got, 0x5a, n);
          qvk_qu8_mul_channel__scalar (&mp, pixels, channels, x, s, want, begin,
                                       (size_t) batch * pixels);
          qvk_qu8_mul_channel (isa, &mp, pixels, channels, x, s, got, begin,
                               (size_t) batch * pixels);
          check_u8 ("qu8 mul-channel", isa, got, want, n, k);
        }
    }
  note_skips ();
}

/* All 65536 (a, b) pairs, the add in both of its vector forms (15-bit
 * multipliers in 16-bit lanes, wider ones in 32-bit lanes) and the
 * multiply from tiny to saturating scales. */
static void
test_qu8_add_mul_exhaustive (void)
{
  static const float scales[][3] = {
    { 0.05f, 0.07f, 0.09f }, { 0.2f, 0.15f, 0.005f }, { 0.001f, 0.002f, 0.5f },
    { 1.0f, 0.7f, 0.004f }, { 30.0f, 20.0f, 0.001f }, { 0.0123f, 0.456f, 0.3f },
  };
  g_autofree uint8_t *a = g_malloc (65536), *b = g_malloc (65536);
  g_autofree uint8_t *want = g_malloc (65536), *got = g_malloc (65536);

  for (guint i = 0; i < 65536; i++)
    {
      a[i] = (uint8_t) (i & 255);
      b[i] = (uint8_t) (i >> 8);
    }
  for (int k = 0; k < (int) G_N_ELEMENTS (scales); k++)
    {
      const int32_t za = (k * 37) % 256, zb = 255 - (k * 53) % 256, zy = (k * 91) % 256;
      const int32_t lo = k % 2 == 0 ? zy : 0, hi = k % 3 == 0 ? 255 : MAX (zy, 200);
      qvk_qu8_add_params ap;
      qvk_qu8_mul_params mp;

      qvk_qu8_add_params_init (&ap, scales[k][0], za, scales[k][1], zb, scales[k][2], zy,
                               lo, hi);
      qvk_qu8_mul_params_init (&mp, scales[k][0], za, scales[k][1], zb,
                               scales[k][2] * 0.01f, zy, lo, hi);
      FOR_LEVELS (isa)
        {
          qvk_qu8_add__scalar (&ap, a, b, want, 0, 65536);
          memset (got, 0xa5, 65536);
          qvk_qu8_add (isa, &ap, a, b, got, 0, 65536);
          check_u8 ("qu8 add, all pairs", isa, got, want, 65536, k);
          qvk_qu8_mul__scalar (&mp, a, b, want, 0, 65536);
          memset (got, 0xa5, 65536);
          qvk_qu8_mul (isa, &mp, a, b, got, 0, 65536);
          check_u8 ("qu8 mul, all pairs", isa, got, want, 65536, k);
        }
    }
  note_skips ();
}

/* Channel counts past the vector kernel's table block, and ones whose
 * period over the vector width is long. */
static void
test_qu8_mul_channel_wide (void)
{
  static const int channel_counts[] = { 2049, 2560, 4100, 1000, 72, 8, 3 };
  g_autoptr (GRand) rng = g_rand_new_with_seed (17);

  for (int k = 0; k < (int) G_N_ELEMENTS (channel_counts); k++)
    {
      const int channels = channel_counts[k], pixels = 5 + k;
      const size_t n = (size_t) pixels * channels;
      g_autofree uint8_t *x = g_malloc (n), *s = g_malloc (channels);
      g_autofree uint8_t *want = g_malloc (n), *got = g_malloc (n);
      qvk_qu8_mul_params mp;

      fill_u8 (rng, x, n);
      fill_u8 (rng, s, channels);
      qvk_qu8_mul_params_init (&mp, 0.05f, 3 + k, 1.0f / 256.0f, 0, 0.04f, 7 * k, 0, 255);
      FOR_LEVELS (isa)
        {
          qvk_qu8_mul_channel__scalar (&mp, pixels, channels, x, s, want, 1, pixels);
          memcpy (got, want, channels);
          qvk_qu8_mul_channel (isa, &mp, pixels, channels, x, s, got, 1, pixels);
          check_u8 ("qu8 mul-channel, many channels", isa, got + channels,
                    want + channels, n - channels, k);
        }
    }
  note_skips ();
}

static void
test_qu8_lut (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (13);
  /* SCALAR too: the dispatcher's table path without VBMI */
  static const qvk_isa all[] = { QVK_ISA_SCALAR, QVK_ISA_FIRST_VECTOR, QVK_ISA_FIRST_VECTOR + 1 };

  /* every index once, in each of the table's sixteen rows */
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      uint8_t table[256], x[256], want[256], got[256];

      if (!level_available (all[i]))
        continue;
      fill_u8 (rng, table, 256);
      for (int v = 0; v < 256; v++)
        {
          x[v] = (uint8_t) (v * 7 + 3);
          want[v] = table[x[v]];
        }
      qvk_qu8_lut (all[i], table, x, got, 0, 256);
      check_u8 ("qu8 lut, every index", all[i], got, want, sizeof got, 0);
    }
  for (int k = 0; k < 200; k++)
    {
      const size_t n = (size_t) k + 1, off = (size_t) (k % 5);
      uint8_t table[256], x[210], want[210], got[210];
      const size_t rows = 1 + (size_t) k % 9, cols = 1 + (size_t) (k * 5) % 70;
      const size_t stride = cols + (size_t) (k % 4);
      uint8_t tile_want[9 * 80], tile_got[9 * 80];

      fill_u8 (rng, table, 256);
      fill_u8 (rng, x, sizeof x);
      fill_u8 (rng, tile_want, sizeof tile_want);
      memcpy (tile_got, tile_want, sizeof tile_got);
      for (size_t r = 0; r < rows; r++)
        qvk_qu8_lut__scalar (table, tile_want + r * stride, tile_want + r * stride, 0, cols);
      for (guint i = 0; i < G_N_ELEMENTS (all); i++)
        {
          uint8_t t[9 * 80];
          if (!level_available (all[i]))
            {
              skipped++;
              continue;
            }
          memset (want, 0, sizeof want);
          memset (got, 0, sizeof got);
          qvk_qu8_lut__scalar (table, x, want, off, off + n);
          qvk_qu8_lut (all[i], table, x, got, off, off + n);
          check_u8 ("qu8 lut", all[i], got, want, sizeof got, k);
          memcpy (t, tile_got, sizeof t);
          qvk_qu8_lut_tile (all[i], table, rows, cols, t, stride);
          check_u8 ("qu8 lut tile", all[i], t, tile_want, sizeof t, k);
        }
    }
  note_skips ();
}

/* Global average pooling of channels [c_begin, c_end) of every image in
 * the two steps, as a split over channels takes them. */
static void
qu8_avgpool_range (qvk_isa isa, const qvk_qu8_avgpool_params *p, int batch, int pixels,
                   int channels, const uint8_t *x, uint8_t *y, int c_begin, int c_end)
{
  int32_t sums[512] __attribute__ ((aligned (64)));

  g_assert_cmpint (c_end - c_begin, <=, (int) G_N_ELEMENTS (sums));
  for (int b = 0; b < batch; b++)
    {
      qvk_qu8_channel_sums (isa, (size_t) pixels, (size_t) channels, (size_t) (c_end - c_begin),
                            x + (size_t) b * pixels * channels + c_begin, sums);
      qvk_qu8_global_avgpool_finish (isa, p, (size_t) pixels, (size_t) (c_end - c_begin), sums,
                                     y + (size_t) b * channels + c_begin);
    }
}

static void
f32_avgpool_range (qvk_isa isa, int batch, int pixels, int channels, const float *x,
                   float *y, int c_begin, int c_end)
{
  double sums[512];

  g_assert_cmpint (c_end - c_begin, <=, (int) G_N_ELEMENTS (sums));
  for (int b = 0; b < batch; b++)
    {
      qvk_f32_channel_sums (isa, (size_t) pixels, (size_t) channels, (size_t) (c_end - c_begin),
                            x + (size_t) b * pixels * channels + c_begin, sums);
      qvk_f32_global_avgpool_finish ((size_t) pixels, (size_t) (c_end - c_begin), sums,
                                     y + (size_t) b * channels + c_begin);
    }
}

static void
test_qu8_global_avgpool (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (14);

  for (int k = 0; k < 100; k++)
    {
      const int batch = 1 + k % 3, pixels = 1 + (k * 11) % 300;
      const int channels = 1 + (k * 29) % 301;
      const size_t n = (size_t) batch * pixels * channels;
      g_autofree uint8_t *x = g_malloc (n);
      g_autofree uint8_t *want = g_malloc ((size_t) batch * channels);
      g_autofree uint8_t *got = g_malloc ((size_t) batch * channels);
      qvk_qu8_avgpool_params p;
      const int zy = zero_point (rng, k / 2);

      fill_u8 (rng, x, n);
      qvk_qu8_avgpool_params_init (&p, scale_class (rng, k), zero_point (rng, k),
                                   scale_class (rng, k / 3), zy,
                                   k % 4 == 1 ? zy : 0, 255);
      qvk_qu8_global_avgpool__scalar (&p, batch, pixels, channels, x, want, 0, batch);
      FOR_LEVELS (isa)
        {
          /* in two channel ranges, as two threads split it */
          const int mid = channels / 3;
          memset (got, 0, (size_t) batch * channels);
          qu8_avgpool_range (isa, &p, batch, pixels, channels, x, got, 0, mid);
          qu8_avgpool_range (isa, &p, batch, pixels, channels, x, got, mid, channels);
          check_u8 ("qu8 global avgpool", isa, got, want, (size_t) batch * channels, k);
        }
      /* the scalar fallback on a channel range */
      memset (got, 0, (size_t) batch * channels);
      qu8_avgpool_range (QVK_ISA_SCALAR, &p, batch, pixels, channels, x, got, 0, 1);
      qu8_avgpool_range (QVK_ISA_SCALAR, &p, batch, pixels, channels, x, got, 1, channels);
      check_u8 ("qu8 global avgpool", QVK_ISA_SCALAR, got, want, (size_t) batch * channels, k);

      /* in two steps, the pixels of each image split in three (one share
       * empty when there is one pixel), as threads split them */
      static const qvk_isa all[] = { QVK_ISA_SCALAR, QVK_ISA_FIRST_VECTOR,
                                     QVK_ISA_FIRST_VECTOR + 1 };
      for (size_t i = 0; i < G_N_ELEMENTS (all); i++)
        {
          int32_t part[512] __attribute__ ((aligned (64)));
          int32_t total[512];

          if (all[i] > qvk_isa_detect ())
            continue;
          memset (got, 0, (size_t) batch * channels);
          for (int b = 0; b < batch; b++)
            {
              const size_t cuts[4] = { 0, (size_t) pixels / 3, (size_t) pixels * 2 / 3,
                                       (size_t) pixels };
              memset (total, 0, (size_t) channels * sizeof (int32_t));
              for (int sh = 0; sh < 3; sh++)
                {
                  qvk_qu8_channel_sums (all[i], cuts[sh + 1] - cuts[sh], (size_t) channels,
                                        (size_t) channels,
                                        x + ((size_t) b * pixels + cuts[sh]) * channels,
                                        part);
                  for (int c = 0; c < channels; c++)
                    total[c] += part[c];
                }
              qvk_qu8_global_avgpool_finish (all[i], &p, (size_t) pixels, (size_t) channels,
                                             total, got + (size_t) b * channels);
            }
          check_u8 ("qu8 channel sums + finish", all[i], got, want,
                    (size_t) batch * channels, k);
        }
    }
  note_skips ();
}

static void
resize_shape (GRand *rng, int k, int *batch, int *in_h, int *in_w, int *c,
              int *out_h, int *out_w, int *align)
{
  *batch = 1 + k % 2;
  *in_h = g_rand_int_range (rng, 1, 12);
  *in_w = g_rand_int_range (rng, 1, 12);
  *c = 1 + (k * 7) % 37;
  /* up, down and odd factors */
  *out_h = g_rand_int_range (rng, 1, 40);
  *out_w = g_rand_int_range (rng, 1, 40);
  *align = k % 2;
  if (k % 20 == 19)
    {
      /* rows wider than the segments upsampling goes by, and more rows
       * from one pair of source rows than go together */
      *in_w = 70;
      *out_w = 300;
      *in_h = 1 + k % 3;
      *out_h = 75;
    }
}

static void
test_qu8_resize (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (15);

  for (int k = 0; k < 120; k++)
    {
      int batch, ih, iw, c, oh, ow, align;
      resize_shape (rng, k, &batch, &ih, &iw, &c, &oh, &ow, &align);
      const size_t in_n = (size_t) batch * ih * iw * c, out_n = (size_t) batch * oh * ow * c;
      g_autofree uint8_t *x = g_malloc (in_n), *want = g_malloc (out_n), *got = g_malloc (out_n);
      const int rb = k % 3 == 0 ? 1 % (batch * oh) : 0;

      fill_u8 (rng, x, in_n);
      FOR_LEVELS (isa)
        {
          memset (want, 7, out_n);
          memset (got, 7, out_n);
          qvk_qu8_resize_bilinear__scalar (batch, ih, iw, c, oh, ow, align, x, want, rb,
                                           batch * oh);
          qvk_qu8_resize_bilinear (isa, batch, ih, iw, c, oh, ow, align, x, got, rb,
                                   batch * oh, k % 2);
          check_u8 ("qu8 resize", isa, got, want, out_n, k);
        }
    }
  note_skips ();
}

/* A final int8 upsampled output of 8 MB or more goes past the caches
 * (streaming stores, on vector-aligned rows): the same values as the
 * reference's, with the output aligned and not, in one call and in two
 * row ranges. */
static void
test_resize_streaming (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (17);
  const int ih = 21, iw = 30, oh = 700, ow = 832, c = 21;
  const size_t in_n = (size_t) ih * iw * c, out_n = (size_t) oh * ow * c;
  g_autofree uint8_t *x = g_malloc (in_n), *want = g_malloc (out_n);
  uint8_t *got = g_aligned_alloc (out_n + 64, 1, 64);

  g_assert_cmpuint (out_n, >=, 8u << 20);
  fill_u8 (rng, x, in_n);
  qvk_qu8_resize_bilinear__scalar (1, ih, iw, c, oh, ow, 0, x, want, 0, oh);
  FOR_LEVELS (isa)
    for (int offset = 0; offset < 2; offset++)
      {
        /* rows of 832 x 21 bytes: every vector-aligned row streams */
        memset (got, 7, out_n + 64);
        qvk_qu8_resize_bilinear (isa, 1, ih, iw, c, oh, ow, 0, x, got + offset, 0, oh / 3, 1);
        qvk_qu8_resize_bilinear (isa, 1, ih, iw, c, oh, ow, 0, x, got + offset, oh / 3, oh, 1);
        check_u8 ("qu8 resize, streaming", isa, got + offset, want, out_n, offset);
        g_assert_cmpint (got[offset == 0 ? out_n : 0], ==, 7);
      }
  g_aligned_free (got);
  note_skips ();
}

static void
test_qu8_requant_quantize (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (16);

  for (int k = 0; k < 200; k++)
    {
      const size_t cols = 1 + (size_t) (k * 3) % 150, rows = 1 + (size_t) k % 4;
      const size_t ys = k % 2 ? cols : cols + 5;
      uint8_t x[160 * 4], want[160 * 4], got[160 * 4];
      float f[210], back_want[210], back_got[210];
      uint8_t q_want[210], q_got[210];
      qvk_qu8_requant_params p;
      const float s = scale_class (rng, k);
      const int32_t z = zero_point (rng, k / 3);
      const size_t n = (size_t) k + 1;

      fill_u8 (rng, x, sizeof x);
      fill_f32 (rng, f, n, 300.0 * s);
      if (k % 10 == 0)
        {
          f[0] = NAN;
          f[n - 1] = s * 3.5f;     /* near a half step */
        }
      qvk_qu8_requant_params_init (&p, scale_class (rng, k + 1), zero_point (rng, k),
                                   scale_class (rng, k / 3), z);
      FOR_LEVELS (isa)
        {
          memset (want, 1, sizeof want);
          memset (got, 1, sizeof got);
          qvk_qu8_requant_copy__scalar (&p, cols, x, cols, want, ys, 0, rows);
          qvk_qu8_requant_copy (isa, &p, cols, x, cols, got, ys, 0, rows);
          check_u8 ("qu8 requant copy", isa, got, want, sizeof got, k);

          memset (q_want, 1, sizeof q_want);
          memset (q_got, 1, sizeof q_got);
          qvk_qu8_quantize__scalar (s, z, f, q_want, 0, n);
          qvk_qu8_quantize (isa, s, z, f, q_got, 0, n);
          check_u8 ("qu8 quantize", isa, q_got, q_want, sizeof q_got, k);

          memset (back_want, 0, sizeof back_want);
          memset (back_got, 0, sizeof back_got);
          qvk_qu8_dequantize__scalar (s, z, x, back_want, 0, n);
          qvk_qu8_dequantize (isa, s, z, x, back_got, 0, n);
          g_assert_cmpmem (back_got, sizeof back_got, back_want, sizeof back_want);
        }
    }
  note_skips ();
}

/* ---- float ----------------------------------------------------------------- */

static void
test_f32_elementwise (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (21);
  const qvk_activation acts[] = {
    qvk_activation_make (QVK_ACT_NONE), qvk_activation_make (QVK_ACT_RELU),
    qvk_activation_clip (-1.5f, 2.5f), qvk_activation_make (QVK_ACT_HARDSWISH),
    qvk_activation_make (QVK_ACT_HARDSIGMOID), qvk_activation_make (QVK_ACT_SIGMOID),
    /* computed by the scalar kernel on every ISA: the dispatch must not
     * send them to a vector kernel that does not know them */
    qvk_activation_make (QVK_ACT_TANH), qvk_activation_make (QVK_ACT_ERF),
  };

  for (int k = 0; k < 240; k++)
    {
      const size_t n = (size_t) (k % 200) + 1, off = (size_t) (k % 3);
      const qvk_activation *act = &acts[k % G_N_ELEMENTS (acts)];
      /* sigmoid also far into both tails */
      const double range = act->kind == QVK_ACT_SIGMOID && k % 4 == 0 ? 120.0 : 8.0;
      const double tol = act->kind == QVK_ACT_SIGMOID ? 1e-6 : 0.0;
      float a[208], b[208], want[208], got[208];

      fill_f32 (rng, a, n + off, range);
      fill_f32 (rng, b, n + off, range);
      FOR_LEVELS (isa)
        {
          memset (want, 0, sizeof want);
          memset (got, 0, sizeof got);
          qvk_f32_add__scalar (act, a, b, want, off, off + n);
          qvk_f32_add (isa, act, a, b, got, off, off + n);
          check_f32 ("f32 add", isa, got, want, G_N_ELEMENTS (got), tol, k);
          qvk_f32_activation__scalar (act, a, want, off, off + n);
          qvk_f32_activation (isa, act, a, got, off, off + n);
          check_f32 ("f32 activation", isa, got, want, G_N_ELEMENTS (got), tol, k);
          qvk_f32_mul__scalar (a, b, want, off, off + n);
          qvk_f32_mul (isa, a, b, got, off, off + n);
          g_assert_cmpmem (got, sizeof got, want, sizeof want);
        }
    }
  note_skips ();
}

static void
test_f32_channel_pool_resize (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (22);

  for (int k = 0; k < 100; k++)
    {
      const int batch = 1 + k % 2, pixels = 1 + (k * 7) % 37;
      const int channels = 1 + (k * 13) % 301;
      const size_t n = (size_t) batch * pixels * channels;
      g_autofree float *x = g_new (float, n), *want = g_new0 (float, n);
      g_autofree float *got = g_new0 (float, n), *s = g_new (float, (size_t) batch * channels);
      int rb, ih, iw, c, oh, ow, align;

      fill_f32 (rng, x, n, 10.0);
      fill_f32 (rng, s, (size_t) batch * channels, 2.0);
      FOR_LEVELS (isa)
        {
          qvk_f32_mul_channel__scalar (pixels, channels, x, s, want, 0, (size_t) batch * pixels);
          qvk_f32_mul_channel (isa, pixels, channels, x, s, got, 0, (size_t) batch * pixels);
          g_assert_cmpmem (got, n * sizeof (float), want, n * sizeof (float));

          memset (want, 0, n * sizeof (float));
          memset (got, 0, n * sizeof (float));
          qvk_f32_global_avgpool__scalar (batch, pixels, channels, x, want);
          f32_avgpool_range (isa, batch, pixels, channels, x, got, 0, channels / 2);
          f32_avgpool_range (isa, batch, pixels, channels, x, got, channels / 2, channels);
          g_assert_cmpmem (got, (size_t) batch * channels * sizeof (float), want,
                           (size_t) batch * channels * sizeof (float));

          /* in two steps on all the pixels: the reference's sums, exactly */
          {
            g_autofree double *sums = g_new (double, channels);
            memset (got, 0, n * sizeof (float));
            for (int b = 0; b < batch; b++)
              {
                qvk_f32_channel_sums (isa, (size_t) pixels, (size_t) channels,
                                      (size_t) channels,
                                      x + (size_t) b * pixels * channels, sums);
                qvk_f32_global_avgpool_finish ((size_t) pixels, (size_t) channels, sums,
                                               got + (size_t) b * channels);
              }
            g_assert_cmpmem (got, (size_t) batch * channels * sizeof (float), want,
                             (size_t) batch * channels * sizeof (float));
          }
        }

      resize_shape (rng, k, &rb, &ih, &iw, &c, &oh, &ow, &align);
      {
        const size_t in_n = (size_t) rb * ih * iw * c, out_n = (size_t) rb * oh * ow * c;
        g_autofree float *rx = g_new (float, in_n), *rw = g_new0 (float, out_n);
        g_autofree float *rg = g_new0 (float, out_n);
        fill_f32 (rng, rx, in_n, 50.0);
        FOR_LEVELS (isa)
          {
            qvk_f32_resize_bilinear__scalar (rb, ih, iw, c, oh, ow, align, rx, rw, 0, rb * oh);
            qvk_f32_resize_bilinear (isa, rb, ih, iw, c, oh, ow, align, rx, rg, 0, rb * oh);
            g_assert_cmpmem (rg, out_n * sizeof (float), rw, out_n * sizeof (float));
          }
      }
    }
  note_skips ();
}

/* ---- convolution with a fused table ----------------------------------------- */

/* Every conv path (vector, direct, im2col, reference) applies the table
 * exactly as a separate pass over the reference's output would. */
static void
test_qu8_conv_lut (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (31);
  static const struct { int k, stride, dil, groups_dw; } shapes[] = {
    { 1, 1, 1, 0 }, { 3, 1, 1, 0 }, { 3, 2, 1, 0 }, { 3, 1, 1, 1 }, { 5, 1, 2, 1 },
    { 3, 2, 1, 1 },
  };
  const qvk_conv_algo algos[] = { QVK_CONV_ALGO_AUTO, QVK_CONV_ALGO_IM2COL,
                                  QVK_CONV_ALGO_REFERENCE };

  for (guint si = 0; si < G_N_ELEMENTS (shapes) * 3; si++)
    {
      qvk_conv_shape s = { 0 };
      const int c = 5 + (int) si * 7;
      s.batch = 1;
      s.in_h = 7 + (int) si % 4;
      s.in_w = 9 + (int) si % 5;
      s.in_c = c;
      s.out_c = shapes[si % G_N_ELEMENTS (shapes)].groups_dw ? c : 3 + (int) si * 5;
      s.groups = shapes[si % G_N_ELEMENTS (shapes)].groups_dw ? c : 1;
      s.kernel_h = s.kernel_w = shapes[si % G_N_ELEMENTS (shapes)].k;
      s.stride_h = s.stride_w = shapes[si % G_N_ELEMENTS (shapes)].stride;
      s.dilation_h = s.dilation_w = shapes[si % G_N_ELEMENTS (shapes)].dil;
      s.pad_top = s.pad_left = s.kernel_h > 1 ? s.dilation_h * (s.kernel_h / 2) : 0;
      s.out_h = (s.in_h + 2 * s.pad_top - s.dilation_h * (s.kernel_h - 1) - 1) / s.stride_h + 1;
      s.out_w = (s.in_w + 2 * s.pad_left - s.dilation_w * (s.kernel_w - 1) - 1) / s.stride_w + 1;
      s.act = qvk_activation_make (QVK_ACT_NONE);

      const size_t in_n = (size_t) s.in_h * s.in_w * s.in_c;
      const size_t w_n = (size_t) s.out_c * s.kernel_h * s.kernel_w * (s.in_c / s.groups);
      const size_t out_n = (size_t) s.out_h * s.out_w * s.out_c;
      g_autofree uint8_t *x = g_malloc (in_n), *want = g_malloc (out_n);
      g_autofree uint8_t *got = g_malloc (out_n);
      g_autofree int8_t *w = g_malloc (w_n);
      g_autofree int32_t *bias = g_new (int32_t, s.out_c);
      g_autofree float *rs = g_new (float, s.out_c);
      uint8_t table[256];
      qvk_qu8_conv_params q = { 0 };
      qvk_activation hs = qvk_activation_make (QVK_ACT_HARDSWISH);

      fill_u8 (rng, x, in_n);
      for (size_t i = 0; i < w_n; i++)
        w[i] = (int8_t) g_rand_int_range (rng, -128, 128);
      for (int o = 0; o < s.out_c; o++)
        {
          bias[o] = g_rand_int_range (rng, -3000, 3000);
          rs[o] = (float) g_rand_double_range (rng, 0.002, 0.02);
        }
      qvk_qu8_lut_build (&hs, 0.05f, 100, 0.03f, 20, table);
      q.input_zero_point = g_rand_int_range (rng, 0, 256);
      q.output_zero_point = 100;
      q.output_min = 0;
      q.output_max = 255;
      q.requant_scale = rs;
      /* the definition: the reference conv, then the table */
      qvk_qu8_conv2d__scalar (&s, &q, x, w, bias, want, 0, s.out_h);
      qvk_qu8_lut__scalar (table, want, want, 0, out_n);
      q.lut = table;
      qvk_qu8_conv2d__scalar (&s, &q, x, w, bias, got, 0, s.out_h);
      check_u8 ("qu8 conv2d scalar + lut", QVK_ISA_SCALAR, got, want, out_n, (int) si);

      for (guint ai = 0; ai < G_N_ELEMENTS (algos); ai++)
        for (int isa = QVK_ISA_SCALAR; isa < QVK_N_ISAS; isa++)
          {
            qvk_conv_options o = { (qvk_isa) isa, algos[ai], 2 };
            qvk_qu8_conv_op *op;
            if (!level_available ((qvk_isa) isa))
              continue;
            op = qvk_qu8_conv_create (&s, &q, w, bias, &o);
            g_assert_nonnull (op);
            memset (got, 0, out_n);
            qvk_qu8_conv_run (op, x, got, 0, 2);
            qvk_qu8_conv_run (op, x, got, 1, 2);
            check_u8 (qvk_qu8_conv_kernel_name (op), (qvk_isa) isa, got, want, out_n, (int) si);
            qvk_qu8_conv_destroy (op);
          }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kernels-elementwise/qu8-add-mul", test_qu8_add_mul);
  g_test_add_func ("/kernels-elementwise/qu8-mul-channel", test_qu8_mul_channel);
  g_test_add_func ("/kernels-elementwise/qu8-add-mul-exhaustive", test_qu8_add_mul_exhaustive);
  g_test_add_func ("/kernels-elementwise/qu8-mul-channel-wide", test_qu8_mul_channel_wide);
  g_test_add_func ("/kernels-elementwise/qu8-lut", test_qu8_lut);
  g_test_add_func ("/kernels-elementwise/qu8-global-avgpool", test_qu8_global_avgpool);
  g_test_add_func ("/kernels-elementwise/qu8-resize", test_qu8_resize);
  g_test_add_func ("/kernels-elementwise/resize-streaming", test_resize_streaming);
  g_test_add_func ("/kernels-elementwise/qu8-requant-quantize", test_qu8_requant_quantize);
  g_test_add_func ("/kernels-elementwise/f32-elementwise", test_f32_elementwise);
  g_test_add_func ("/kernels-elementwise/f32-channel-pool-resize",
                   test_f32_channel_pool_resize);
  g_test_add_func ("/kernels-elementwise/qu8-conv-lut", test_qu8_conv_lut);
  return g_test_run ();
}
