/* qviz-store-private.h: store internals shared with the tests. */
#pragma once

#include "qviz-store.h"

G_BEGIN_DECLS

/* Creates a new database file at path holding the schema as it was at
 * version (1 .. QVIZ_STORE_SCHEMA_VERSION), by the same migrations a real
 * file went through, so tests can write old files and open them. */
gboolean qviz_store_create_at_version (const char *path, int version, GError **error);

/* The schema version of an open store's database (after migration). */
int      qviz_store_get_schema_version (QvizStore *store);

/* Limits of a sweep's name and note, in characters. */
#define QVIZ_SWEEP_NAME_MAX 200
#define QVIZ_SWEEP_NOTE_MAX 2000
gboolean qviz_store_check_label (const char *what, const char *text, glong max, GError **error);

G_END_DECLS
