/* qviz-cli-text.c: what qviz-cli writes to a terminal is text, never
 * control sequences.
 *
 * Names, hostnames and messages come from model files and from databases
 * other machines wrote; an escape sequence in them could retitle or recolour
 * the user's terminal, and a newline would break a table.  Records are
 * cleaned where they enter the command (fields keep their length, so
 * columns stay aligned), and stdout and stderr pass through a filter as the
 * last line of defence for every other path. */

#define _GNU_SOURCE 1 /* fopencookie */
#include "qviz-cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static gboolean
is_control (guchar c)
{
  return c < 0x20 || c == 0x7f;
}

void
qviz_cli_clean (char *s)
{
  if (s == NULL)
    return;
  for (guchar *p = (guchar *) s; *p != '\0'; p++)
    {
      if (is_control (*p))
        *p = '?';
      /* C1 controls (U+0080..U+009F, CSI among them) in UTF-8 */
      else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
        p[0] = p[1] = '?';
    }
}

void
qviz_cli_clean_sweep (QvizSweep *s)
{
  char **fields[] = { &s->uuid, &s->machine_id, &s->model_sha256, &s->resolutions,
                      &s->threads, &s->precisions, &s->options, &s->message,
                      &s->model_name, &s->hostname, &s->cpu_model, &s->name, &s->note };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    qviz_cli_clean (*fields[i]);
}

void
qviz_cli_clean_run (QvizRun *r)
{
  char **fields[] = { &r->uuid, &r->sweep_uuid, &r->machine_id, &r->model_sha256,
                      &r->precision, &r->conv_algo, &r->isa, &r->message, &r->model_name,
                      &r->hostname, &r->cpu_model };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    qviz_cli_clean (*fields[i]);
  for (guint i = 0; r->layers != NULL && i < r->layers->len; i++)
    {
      QvizRunLayer *l = &g_array_index (r->layers, QvizRunLayer, i);
      char **lf[] = { &l->name, &l->op, &l->kernel, &l->reason, &l->fused, &l->in_shape,
                      &l->out_shape, &l->layer_class };

      for (guint k = 0; k < G_N_ELEMENTS (lf); k++)
        qviz_cli_clean (*lf[k]);
    }
  for (guint i = 0; r->spans != NULL && i < r->spans->len; i++)
    qviz_cli_clean (g_array_index (r->spans, QvizRunSpan, i).phase);
}

void
qviz_cli_clean_machine (QvizMachine *m)
{
  char **fields[] = { &m->id, &m->hostname, &m->cpu_model, &m->isa_flags, &m->os,
                      &m->kernel, &m->qviz_version, &m->qviz_commit };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    qviz_cli_clean (*fields[i]);
}

void
qviz_cli_clean_model (QvizModelInfo *m)
{
  qviz_cli_clean (m->sha256);
  qviz_cli_clean (m->name);
  qviz_cli_clean (m->source);
}

/* ---- the stream filter -------------------------------------------------- */

typedef struct {
  int fd;
} Sink;

static gboolean
write_all (int fd, const char *buf, size_t size)
{
  while (size > 0)
    {
      ssize_t n = write (fd, buf, size);

      if (n < 0)
        return FALSE;
      buf += n;
      size -= (size_t) n;
    }
  return TRUE;
}

static ssize_t
sink_write (void *cookie, const char *buf, size_t size)
{
  Sink *sink = cookie;
  char clean[4096];
  size_t done = 0;

  while (done < size)
    {
      size_t n = MIN (size - done, sizeof clean);

      for (size_t i = 0; i < n; i++)
        {
          guchar c = (guchar) buf[done + i];

          /* Line structure stays; every other control byte becomes '?'.
           * C1 controls are caught where records are cleaned. */
          clean[i] = (is_control (c) && c != '\n' && c != '\t') ? '?' : (char) c;
        }
      if (!write_all (sink->fd, clean, n))
        return done > 0 ? (ssize_t) done : -1;
      done += n;
    }
  return (ssize_t) size;
}

static FILE *
filtered_stream (int fd, int buffering)
{
  static Sink sinks[3];
  cookie_io_functions_t io = { NULL, sink_write, NULL, NULL };
  FILE *f;

  sinks[fd].fd = fd;
  f = fopencookie (&sinks[fd], "w", io);
  if (f != NULL)
    setvbuf (f, NULL, buffering, 0);
  return f;
}

static FILE *raw_stderr;

FILE *
qviz_cli_terminal (void)
{
  return raw_stderr != NULL ? raw_stderr : stderr;
}

void
qviz_cli_filter_output (void)
{
  FILE *out = filtered_stream (STDOUT_FILENO, isatty (STDOUT_FILENO) ? _IOLBF : _IOFBF);
  FILE *err = filtered_stream (STDERR_FILENO, _IONBF);

  fflush (stdout);
  fflush (stderr);
  raw_stderr = stderr;
  if (out != NULL)
    stdout = out;
  if (err != NULL)
    stderr = err;
}
