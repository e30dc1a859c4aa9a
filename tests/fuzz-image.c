/* fuzz-image.c: libFuzzer target for calibration images (a folder of JPEG
 * and PNG files).  Each input is written as an image file and loaded the way
 * calibration loads it; it must give a normalized 3 x H x W array or an
 * error, within the machine's memory.  Built with -Dfuzzing=true. */

#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "qviz-calibrate.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *image_path;

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  float *x;

  if (image_path == NULL)
    {
      char *dir = g_dir_make_tmp ("qviz-fuzz-image-XXXXXX", NULL);

      image_path = g_build_filename (dir, "input.png", NULL);
      g_free (dir);
    }
  if (!g_file_set_contents (image_path, (const char *) data, (gssize) size, NULL))
    return 0;
  x = qviz_image_load_normalized (image_path, 24, 32, &error);
  if (x != NULL)
    {
      volatile float sum = 0;

      for (int i = 0; i < 3 * 24 * 32; i++)
        sum += x[i];
      (void) sum;
      g_free (x);
    }
  else
    g_clear_error (&error);
  return 0;
}
