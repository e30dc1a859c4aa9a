/* qviz-machine.c: machine fingerprint from libcpuinfo and /proc. */
#include "qviz-machine.h"
#include "qviz-config.h"
#include "qviz-commit.h"

#include <cpuinfo.h>
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif
#include <string.h>
#include <sys/utsname.h>

/* Flags /proc/cpuinfo knows and this cpuinfo release may not (AMX, AVX-VNNI
 * on AVX2-only cores). */
static G_GNUC_UNUSED gboolean
proc_cpuinfo_has_flag (const char *flag)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "flags"))
      {
        g_auto(GStrv) words = g_strsplit_set (lines[i], " \t", -1);

        return g_strv_contains ((const char *const *) words, flag);
      }
  return FALSE;
}

static G_GNUC_UNUSED char *
proc_cpuinfo_field (const char *key)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');
      g_autofree char *name = NULL;

      if (colon == NULL || !g_str_has_prefix (lines[i], key))
        continue;
      name = g_strndup (lines[i], colon - lines[i]);
      if (g_str_equal (g_strstrip (name), key))
        return g_strstrip (g_strdup (colon + 1));
    }
  return NULL;
}

static gboolean
cpuinfo_ready (void)
{
  static gsize once = 0;
  static gboolean ok = FALSE;

  if (g_once_init_enter (&once))
    {
      ok = cpuinfo_initialize ();
      g_once_init_leave (&once, 1);
    }
  return ok;
}

char *
qviz_machine_isa_flags (void)
{
  g_autoptr(GPtrArray) flags = g_ptr_array_new ();

  if (cpuinfo_ready ())
    {
#if CPUINFO_ARCH_X86 || CPUINFO_ARCH_X86_64
      const struct { const char *name; bool (*has) (void); } table[] = {
        { "sse4.2", cpuinfo_has_x86_sse4_2 },
        { "avx", cpuinfo_has_x86_avx },
        { "avx2", cpuinfo_has_x86_avx2 },
        { "fma", cpuinfo_has_x86_fma3 },
        { "f16c", cpuinfo_has_x86_f16c },
        { "avx512f", cpuinfo_has_x86_avx512f },
        { "avx512cd", cpuinfo_has_x86_avx512cd },
        { "avx512dq", cpuinfo_has_x86_avx512dq },
        { "avx512bw", cpuinfo_has_x86_avx512bw },
        { "avx512vl", cpuinfo_has_x86_avx512vl },
        { "avx512vbmi", cpuinfo_has_x86_avx512vbmi },
        { "avx512vnni", cpuinfo_has_x86_avx512vnni },
        { "avx512bf16", cpuinfo_has_x86_avx512bf16 },
      };

      for (guint i = 0; i < G_N_ELEMENTS (table); i++)
        if (table[i].has ())
          g_ptr_array_add (flags, (gpointer) table[i].name);
#elif CPUINFO_ARCH_ARM64
      const struct { const char *name; bool (*has) (void); } table[] = {
        { "neon", cpuinfo_has_arm_neon },
        { "fp16", cpuinfo_has_arm_neon_fp16_arith },
        { "dotprod", cpuinfo_has_arm_neon_dot },
        { "sve", cpuinfo_has_arm_sve },
      };

      for (guint i = 0; i < G_N_ELEMENTS (table); i++)
        if (table[i].has ())
          g_ptr_array_add (flags, (gpointer) table[i].name);
#endif
    }
#if defined(__aarch64__)
  /* This libcpuinfo does not know I8MM; the kernel's capabilities do. */
  if (getauxval (AT_HWCAP2) & (1 << 13))
    g_ptr_array_add (flags, (gpointer) "i8mm");
#else
  else
    {
      const struct { const char *name, *proc; } table[] = {
        { "sse4.2", "sse4_2" }, { "avx", "avx" }, { "avx2", "avx2" },
        { "fma", "fma" }, { "f16c", "f16c" }, { "avx512f", "avx512f" },
        { "avx512cd", "avx512cd" }, { "avx512dq", "avx512dq" },
        { "avx512bw", "avx512bw" }, { "avx512vl", "avx512vl" },
        { "avx512vbmi", "avx512vbmi" }, { "avx512vnni", "avx512_vnni" },
        { "avx512bf16", "avx512_bf16" },
      };

      for (guint i = 0; i < G_N_ELEMENTS (table); i++)
        if (proc_cpuinfo_has_flag (table[i].proc))
          g_ptr_array_add (flags, (gpointer) table[i].name);
    }

  if (proc_cpuinfo_has_flag ("avx_vnni"))
    g_ptr_array_add (flags, (gpointer) "avxvnni");
  if (proc_cpuinfo_has_flag ("amx_tile"))
    g_ptr_array_add (flags, (gpointer) "amx");
  if (proc_cpuinfo_has_flag ("amx_int8"))
    g_ptr_array_add (flags, (gpointer) "amx-int8");
#endif
  g_ptr_array_add (flags, NULL);

  return g_strjoinv (" ", (char **) flags->pdata);
}

static guint64
memory_total_bytes (void)
{
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/meminfo", &text, NULL, NULL))
    return 0;
  p = strstr (text, "MemTotal:");
  if (p == NULL)
    return 0;
  return g_ascii_strtoull (p + strlen ("MemTotal:"), NULL, 10) * 1024;
}

static char *
os_pretty_name (void)
{
  const char *files[] = { "/etc/os-release", "/usr/lib/os-release" };

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (files[f], &text, NULL, NULL))
        continue;
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        if (g_str_has_prefix (lines[i], "PRETTY_NAME="))
          {
            const char *value = lines[i] + strlen ("PRETTY_NAME=");
            g_autofree char *unquoted = g_shell_unquote (value, NULL);

            return g_strdup (unquoted != NULL ? unquoted : value);
          }
    }
  return g_strdup ("unknown");
}

static char *
kernel_name (void)
{
  struct utsname u;

  if (uname (&u) != 0)
    return g_strdup ("unknown");
  return g_strdup_printf ("%s %s %s", u.sysname, u.release, u.machine);
}

/* The Arm cores libcpuinfo names, as their makers write them; NULL for
 * others.  Kept in step with qviz_machine_issue_width (qviz-cli bench). */
const char *
qviz_machine_arm_uarch_name (guint32 uarch)
{
  switch (uarch)
    {
    case cpuinfo_uarch_cortex_a53: return "Cortex-A53";
    case cpuinfo_uarch_cortex_a55: return "Cortex-A55";
    case cpuinfo_uarch_cortex_a57: return "Cortex-A57";
    case cpuinfo_uarch_cortex_a72: return "Cortex-A72";
    case cpuinfo_uarch_cortex_a73: return "Cortex-A73";
    case cpuinfo_uarch_cortex_a75: return "Cortex-A75";
    case cpuinfo_uarch_cortex_a76: return "Cortex-A76";
    case cpuinfo_uarch_cortex_a77: return "Cortex-A77";
    case cpuinfo_uarch_cortex_a78: return "Cortex-A78";
    case cpuinfo_uarch_cortex_x1: return "Cortex-X1";
    case cpuinfo_uarch_neoverse_n1: return "Neoverse-N1";
    case cpuinfo_uarch_neoverse_v1: return "Neoverse-V1";
    case cpuinfo_uarch_neoverse_n2: return "Neoverse-N2";
    default: return NULL;
    }
}

QvizMachine *
qviz_machine_detect (void)
{
  QvizMachine *m = qviz_machine_new ();

  m->hostname = g_strdup (g_get_host_name ());

  if (cpuinfo_ready ())
    {
      const struct cpuinfo_package *pkg = cpuinfo_get_package (0);
      const struct cpuinfo_cache *c;

      if (pkg != NULL && pkg->name[0] != '\0')
        m->cpu_model = g_strstrip (g_strndup (pkg->name, sizeof pkg->name));
      m->physical_cores = (int) cpuinfo_get_cores_count ();
      m->logical_cores = (int) cpuinfo_get_processors_count ();
      if ((c = cpuinfo_get_l1d_cache (0)) != NULL)
        m->l1d_bytes = c->size;
      if ((c = cpuinfo_get_l2_cache (0)) != NULL)
        m->l2_bytes = c->size;
      if ((c = cpuinfo_get_l3_cache (0)) != NULL)
        m->l3_bytes = c->size;
    }

#if defined(__aarch64__)
  /* Arm's /proc/cpuinfo has no model name: the core is what people know
   * ("Cortex-A76", "Neoverse-N1"). */
  if (cpuinfo_ready ())
    {
      const struct cpuinfo_core *core = cpuinfo_get_core (0);
      const char *uarch = core != NULL ? qviz_machine_arm_uarch_name (core->uarch) : NULL;

      g_free (m->cpu_model);
      m->cpu_model = uarch != NULL ? g_strdup (uarch)
                                   : g_strdup_printf ("Arm core (uarch 0x%08x)",
                                                      core != NULL ? (unsigned) core->uarch : 0u);
    }
#else
  /* cpuinfo's package name is a short form; /proc/cpuinfo has the full
   * marketing name people recognise. */
  {
    g_autofree char *proc_model = proc_cpuinfo_field ("model name");

    if (proc_model != NULL && proc_model[0] != '\0')
      {
        g_free (m->cpu_model);
        m->cpu_model = g_steal_pointer (&proc_model);
      }
  }
#endif
  if (m->cpu_model == NULL)
    m->cpu_model = g_strdup ("unknown");
  if (m->logical_cores <= 0)
    m->logical_cores = (int) g_get_num_processors ();
  if (m->physical_cores <= 0)
    m->physical_cores = m->logical_cores;

  m->isa_flags = qviz_machine_isa_flags ();
  m->memory_bytes = memory_total_bytes ();
  m->os = os_pretty_name ();
  m->kernel = kernel_name ();
  m->qviz_version = g_strdup (QVIZ_VERSION);
  m->qviz_commit = g_strdup (QVIZ_GIT_COMMIT);
  qviz_machine_compute_id (m);
  return m;
}

/* The most capable ISA name in flags, for a short description. */
static const char *
best_isa (const char *flags)
{
  const char *order[] = { "amx", "avx512vnni", "avx512f", "avxvnni", "avx2", "avx", "sse4.2",
                          "i8mm", "dotprod", "neon" };
  g_auto(GStrv) words = g_strsplit (flags != NULL ? flags : "", " ", -1);

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (g_strv_contains ((const char *const *) words, order[i]))
      return order[i];
  return "scalar";
}

char *
qviz_machine_describe (const QvizMachine *m)
{
  g_autofree char *mem = NULL;

  g_return_val_if_fail (m != NULL, NULL);

  mem = g_format_size_full (m->memory_bytes, G_FORMAT_SIZE_IEC_UNITS);
  return g_strdup_printf ("%s, %d core%s / %d thread%s, %s, %s, %s",
                          m->cpu_model ? m->cpu_model : "unknown",
                          m->physical_cores, m->physical_cores == 1 ? "" : "s",
                          m->logical_cores, m->logical_cores == 1 ? "" : "s",
                          best_isa (m->isa_flags), mem,
                          m->os ? m->os : "unknown");
}
