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

G_END_DECLS
