/* fuzz-import.c: libFuzzer target for database import.  Each input is a
 * file someone sent (seeded with a real run store); it is imported into a
 * new store, which afterwards must still open and pass SQLite's integrity
 * check whether the import was taken or refused.  Built with -Dfuzzing=true. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "qviz-store.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *dir;

static void
remove_store (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      char *p = g_strconcat (path, suffixes[i], NULL);
      g_unlink (p);
      g_free (p);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  char *src, *target;
  QvizStore *store;

  if (dir == NULL)
    dir = g_dir_make_tmp ("qviz-fuzz-import-XXXXXX", NULL);
  src = g_build_filename (dir, "sent.sqlite", NULL);
  target = g_build_filename (dir, "target.sqlite", NULL);
  remove_store (src);
  remove_store (target);
  if (!g_file_set_contents (src, (const char *) data, (gssize) size, NULL))
    abort ();

  store = qviz_store_open_full (target, QVIZ_STORE_READ_WRITE, 0, &error);
  if (store == NULL)
    abort ();
  if (!qviz_store_import (store, src, NULL, &error))
    g_clear_error (&error);
  qviz_store_close (store);

  /* Opening checks the file (quick_check, schema version): whatever the
   * input did, the target is a sound qviz database. */
  store = qviz_store_open_full (target, QVIZ_STORE_READ_ONLY, 0, &error);
  if (store == NULL)
    {
      g_printerr ("target damaged: %s\n", error->message);
      abort ();
    }
  qviz_store_close (store);
  g_free (src);
  g_free (target);
  return 0;
}
