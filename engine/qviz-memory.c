/* qviz-memory.c: the memory budget of this process. */

#include "qviz-memory.h"
#include "qviz-graph.h"

#include <string.h>
#include <sys/resource.h>

/* A "Key:   123 kB" line of a /proc file, in bytes; 0 when absent. */
static guint64
proc_kb_field (const char *file, const char *key)
{
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return 0;
  p = strstr (text, key);
  if (p == NULL)
    return 0;
  return g_ascii_strtoull (p + strlen (key), NULL, 10) * 1024;
}

/* The number in a one-line cgroup file; G_MAXUINT64 for "max" or absent. */
static guint64
cgroup_value (const char *name)
{
  g_autofree char *self = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  const char *group;
  char *end;
  guint64 v;

  /* cgroup v2: a single "0::/path" line. */
  if (!g_file_get_contents ("/proc/self/cgroup", &self, NULL, NULL))
    return G_MAXUINT64;
  group = strstr (self, "0::");
  if (group == NULL)
    return G_MAXUINT64;
  group += 3;
  g_strchomp ((char *) group);
  path = g_build_filename ("/sys/fs/cgroup", group, name, NULL);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return G_MAXUINT64;
  v = g_ascii_strtoull (text, &end, 10);
  return end == text ? G_MAXUINT64 : v;
}

guint64
qviz_memory_available (void)
{
  guint64 avail = proc_kb_field ("/proc/meminfo", "MemAvailable:");
  guint64 cg_max = cgroup_value ("memory.max");
  struct rlimit lim;

  if (avail == 0)
    avail = G_MAXUINT64;
  if (cg_max != G_MAXUINT64)
    {
      guint64 cg_cur = cgroup_value ("memory.current");

      if (cg_cur == G_MAXUINT64)
        cg_cur = 0;
      avail = MIN (avail, cg_max > cg_cur ? cg_max - cg_cur : 0);
    }
  if (getrlimit (RLIMIT_AS, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
    {
      guint64 used = proc_kb_field ("/proc/self/status", "VmSize:");

      avail = MIN (avail, (guint64) lim.rlim_cur > used ? (guint64) lim.rlim_cur - used : 0);
    }
  return avail;
}

gboolean
qviz_memory_check (guint64 bytes, const char *what, GError **error)
{
  guint64 avail = qviz_memory_available ();

  g_return_val_if_fail (what != NULL, FALSE);

  if (bytes <= avail)
    return TRUE;
  {
    g_autofree char *need = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
    g_autofree char *have = g_format_size_full (avail, G_FORMAT_SIZE_IEC_UNITS);

    g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_MEMORY,
                 "%s need %s of memory; only %s is available.", what, need, have);
  }
  return FALSE;
}

guint64
qviz_memory_activation_peak (QvizGraph *graph, const QvizShape *shapes, gsize elem_size)
{
  int n_values, n_nodes;
  g_autofree int *last_use = NULL;
  guint64 live = 0, peak = 0;

  g_return_val_if_fail (graph != NULL && shapes != NULL, 0);

  n_values = qviz_graph_n_values (graph);
  n_nodes = qviz_graph_n_nodes (graph);
  last_use = g_new (int, n_values);
  for (int v = 0; v < n_values; v++)
    last_use[v] = -1;
  for (int i = 0; i < n_nodes; i++)
    {
      const QvizNode *n = qviz_graph_node (graph, i);
      for (int k = 0; k < n->n_inputs; k++)
        last_use[n->inputs[k]] = i;
    }
  for (guint i = 0; i < graph->outputs->len; i++)
    last_use[g_array_index (graph->outputs, int, i)] = n_nodes;

  live = (guint64) qviz_shape_numel (&shapes[graph->input]) * elem_size;
  peak = live;
  for (int i = 0; i < n_nodes; i++)
    {
      const QvizNode *n = qviz_graph_node (graph, i);

      if (qviz_graph_value (graph, n->output)->data == NULL)
        live += (guint64) MAX (qviz_shape_numel (&shapes[n->output]), 0) * elem_size;
      peak = MAX (peak, live);
      for (int k = 0; k < n->n_inputs; k++)
        {
          int v = n->inputs[k];
          gboolean first = TRUE;

          /* a value read twice by this node is freed once */
          for (int j = 0; j < k; j++)
            if (n->inputs[j] == v)
              first = FALSE;
          if (first && last_use[v] == i && qviz_graph_value (graph, v)->data == NULL)
            live -= (guint64) MAX (qviz_shape_numel (&shapes[v]), 0) * elem_size;
        }
      if (last_use[n->output] < 0 && qviz_graph_value (graph, n->output)->data == NULL)
        live -= (guint64) MAX (qviz_shape_numel (&shapes[n->output]), 0) * elem_size;
    }
  return peak;
}
