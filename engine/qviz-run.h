/* qviz-run.h: what a sweep measures, as plain data.
 *
 * A sweep runs one model on one machine over a set of (precision,
 * resolution, threads) settings; each setting gives one QvizRun.  A run is
 * a sequence of passes numbered from 0: first the cold passes (the first
 * `warmup` passes after planning; recorded and flagged cold, kept out of the
 * run's statistics), then the warm samples (`iterations` passes, which give
 * the statistics).  Per layer every pass's time is kept, in the same pass
 * order, so that two runs can later be compared layer by layer.
 *
 * These structs are filled by the sweep code, stored by QvizStore
 * (qviz-store.h), and read back by the CLI, the charts and the app.  Every
 * string is owned (g_free'd by the free functions); times are milliseconds
 * unless a name says otherwise; wall-clock times are unix microseconds
 * (g_get_real_time ()).
 */
#pragma once

#include <glib.h>
#include "qviz-stats.h"

G_BEGIN_DECLS

/* ---- machine -------------------------------------------------------- */

/* Where a sweep ran.  id is derived from every other field (see
 * qviz_machine_compute_id), so the same machine running the same qviz gets
 * the same id in every database, and databases from several machines merge
 * without collisions. */
typedef struct {
  char   *id;            /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" from sha256 */
  char   *hostname;
  char   *cpu_model;
  int     physical_cores;
  int     logical_cores;
  char   *isa_flags;     /* "sse4.2 avx avx2 fma f16c avx512f ... avx512vnni" */
  guint64 l1d_bytes;     /* per core */
  guint64 l2_bytes;      /* per instance */
  guint64 l3_bytes;      /* per instance */
  guint64 memory_bytes;
  char   *os;            /* PRETTY_NAME of os-release */
  char   *kernel;        /* "Linux 6.1.0-18-amd64 x86_64" */
  char   *qviz_version;
  char   *qviz_commit;
} QvizMachine;

QvizMachine *qviz_machine_new        (void);
QvizMachine *qviz_machine_copy       (const QvizMachine *m);
void         qviz_machine_free       (QvizMachine *m);
/* Sets m->id from the sha256 of every other field (re-call after changing
 * a field). */
void         qviz_machine_compute_id (QvizMachine *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizMachine, qviz_machine_free)

/* ---- model ---------------------------------------------------------- */

typedef struct {
  char   *sha256;        /* 64 hex digits: of the file, or of the built-in's name */
  char   *name;
  char   *source;        /* "builtin" or the file path */
  int     n_nodes;
  guint64 params;
  guint64 macs;          /* at default_res x default_res */
  int     default_res;
  guint64 weight_bytes_f32;
  guint64 weight_bytes_int8;
} QvizModelInfo;

QvizModelInfo *qviz_model_info_new   (void);
QvizModelInfo *qviz_model_info_copy  (const QvizModelInfo *mi);
void           qviz_model_info_free  (QvizModelInfo *mi);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizModelInfo, qviz_model_info_free)

/* ---- sweep ---------------------------------------------------------- */

typedef enum {
  QVIZ_SWEEP_RUNNING,
  QVIZ_SWEEP_COMPLETE,
  QVIZ_SWEEP_CANCELLED,
  QVIZ_SWEEP_FAILED,
  QVIZ_SWEEP_INTERRUPTED, /* its process ended (killed, crashed) mid-sweep */
} QvizSweepStatus;

typedef struct {
  char   *uuid;
  char   *machine_id;
  char   *model_sha256;
  gint64  created;       /* unix microseconds */
  gint64  finished;      /* unix microseconds; 0 while running */
  /* The settings asked for, as text, e.g. "224x224,512x512", "1,2",
   * "f32,int8", and the other options ("iterations=20 warmup=2 conv=auto"). */
  char   *resolutions;
  char   *threads;
  char   *precisions;
  char   *options;
  QvizSweepStatus status;
  char   *message;       /* why it failed or was cancelled; "" otherwise */

  /* Filled when read from a store (NULL / 0 otherwise). */
  char   *model_name;
  char   *hostname;
  char   *cpu_model;
  guint   n_runs;
  /* The engines of its runs, sorted, ", " between: "qviz", or an imported
   * profile's "pytorch 1.13 onednn"; NULL without runs. */
  char   *engines;
  /* What the user called it and noted of it ("" when nothing). */
  char   *name;
  char   *note;
} QvizSweep;

QvizSweep   *qviz_sweep_new          (void);
void         qviz_sweep_free         (QvizSweep *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizSweep, qviz_sweep_free)

const char  *qviz_sweep_status_name  (QvizSweepStatus status); /* "running", ... */
gboolean     qviz_sweep_status_parse (const char *name, QvizSweepStatus *out);

/* ---- run ------------------------------------------------------------ */

typedef enum {
  QVIZ_RUN_COMPLETE,
  QVIZ_RUN_CANCELLED,   /* stopped by the user before all passes ran */
  QVIZ_RUN_FAILED,      /* message says why */
} QvizRunStatus;

const char  *qviz_run_status_name    (QvizRunStatus status); /* "complete", ... */
gboolean     qviz_run_status_parse   (const char *name, QvizRunStatus *out);

/* One executed layer of a run's plan. */
typedef struct {
  int     index;         /* position in the plan, 0-based */
  char   *name;          /* node path "backbone/features.4/block.1/conv" */
  char   *op;            /* "conv", "add", ... */
  char   *kernel;        /* the kernel that ran */
  char   *reason;        /* why that kernel */
  char   *fused;         /* "bn+hardswish" or "" */
  char   *in_shape;      /* "1x16x112x112" */
  char   *out_shape;
  int     kernel_h, kernel_w;
  int     stride_h, stride_w;
  int     dilation_h, dilation_w;
  int     groups;
  gboolean depthwise;
  gboolean dilated;
  char   *layer_class;   /* "dilated-depthwise", "depthwise", "pointwise", ... */
  guint64 macs;
  guint64 params;
  guint64 bytes;         /* activations read + written + weights read */
  QvizStats stats;       /* of the warm passes, ms */
  double  gops;          /* 2 * macs / median, in 1e9 operations per second */
  double  sqnr_db;       /* int8 against float at this layer; NAN for f32 */
  double  accum_sqnr_db; /* a whole int8 pass against the float pass at this
                            layer's output: the error of every layer before
                            it added up; NAN for f32 */
  GArray *pass_ms;       /* float, one per pass of the run (cold first) */
  double  plan_ms;       /* planning this layer: prepacking its weights,
                            its indirection buffer or tables; NAN when not
                            known (imported traces, older stores) */
} QvizRunLayer;

/* One timed interval of one pass: a layer, or a phase inside a layer.
 * Kept for the cold passes and one representative warm pass. */
typedef struct {
  int     pass;          /* pass index in the run (0 = first cold pass) */
  gboolean cold;
  int     layer;         /* layer index; -1 for the whole pass */
  char   *phase;         /* NULL for the whole layer, else e.g. "pack" */
  gint64  start_ns;      /* from the start of the pass */
  gint64  end_ns;
} QvizRunSpan;

typedef struct {
  char   *uuid;
  char   *sweep_uuid;
  char   *machine_id;
  char   *model_sha256;
  char   *precision;     /* "f32" or "int8" */
  int     height, width;
  int     threads;
  char   *conv_algo;     /* "auto", "im2col", "reference" */
  char   *isa;           /* the kernels' ISA: "avx512vnni", "avx2", "scalar" */
  char   *engine;        /* what ran the passes: "qviz" (this engine, see isa)
                            or an imported trace's runtime, "onnxruntime CPU",
                            "pytorch 1.13 onednn" */
  int     iterations;    /* warm passes asked for */
  int     warmup;        /* cold passes asked for */
  double  plan_ms;       /* making the plan: shapes, folding, prepacking */
  guint64 arena_bytes;   /* activation arena of the plan */
  guint64 weight_bytes;  /* prepacked weights of the plan */
  GArray *cold_ms;       /* double, one per cold pass, in order */
  GArray *warm_ms;       /* double, one per warm pass, in order */
  QvizStats stats;       /* of warm_ms */
  double  sqnr_db;       /* int8 output against float; NAN for f32 */
  QvizRunStatus status;
  char   *message;       /* why it failed; "" otherwise */
  gint64  started;       /* unix microseconds */
  gint64  finished;
  GArray *layers;        /* QvizRunLayer */
  GArray *spans;         /* QvizRunSpan */

  /* Filled when read from a store (NULL otherwise). */
  char   *model_name;
  char   *hostname;
  char   *cpu_model;
} QvizRun;

/* The engine name of runs measured by qviz itself. */
#define QVIZ_ENGINE_QVIZ "qviz"

/* A new run with a fresh uuid, empty arrays, status complete, sqnr NAN. */
QvizRun      *qviz_run_new             (void);
void          qviz_run_free            (QvizRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizRun, qviz_run_free)

/* Appends a zeroed layer (index set, sqnr NAN, empty pass_ms) and returns
 * it; the pointer is valid until the next append. */
QvizRunLayer *qviz_run_add_layer       (QvizRun *run);
static inline QvizRunLayer *
qviz_run_get_layer (const QvizRun *run, guint i)
{
  return &g_array_index (run->layers, QvizRunLayer, i);
}
/* Below this SQNR (dB) an int8 layer loses accuracy on its own: every
 * int8 run names such layers (qviz-cli prints a warning, the application
 * shows a banner). */
#define QVIZ_SQNR_WARNING_DB 20.0

/* Indices (guint) of the layers whose own SQNR is below threshold_db,
 * worst first; empty for f32 runs. */
GArray       *qviz_run_low_sqnr_layers (const QvizRun *run, double threshold_db);
/* One sentence naming those layers with their SQNR, or NULL when there
 * are none. */
char         *qviz_run_sqnr_warning    (const QvizRun *run, double threshold_db);

/* Appends a span; phase may be NULL (copied). */
void          qviz_run_add_span        (QvizRun *run, int pass, gboolean cold,
                                        int layer, const char *phase,
                                        gint64 start_ns, gint64 end_ns);
static inline QvizRunSpan *
qviz_run_get_span (const QvizRun *run, guint i)
{
  return &g_array_index (run->spans, QvizRunSpan, i);
}

static inline guint qviz_run_n_passes (const QvizRun *run)
{
  return run->cold_ms->len + run->warm_ms->len;
}

/* Computes run->stats from warm_ms, and each layer's stats (from the warm
 * part of pass_ms, i.e. after the first cold_ms->len entries) and gops. */
void          qviz_run_compute_stats   (QvizRun *run);

/* The warm pass whose time is closest to the median: the pass to keep spans
 * of.  Returns its pass index (cold passes count), or -1 with no warm pass. */
int           qviz_run_representative_pass (const QvizRun *run);

/* "2024-05-01T12:34:56Z" (UTC, ISO 8601) for unix microseconds. */
char         *qviz_time_to_iso8601     (gint64 unix_us);

/* A new lower-case random uuid. */
char         *qviz_uuid_new            (void);

/* The layers that made cold pass `pass` slower than the steady state:
 * indices (guint) of the layers whose time in that pass exceeds their warm
 * median, the largest excess first.  Needs qviz_run_compute_stats. */
GArray       *qviz_run_cold_layers     (const QvizRun *run, guint pass);

/* Cuts every text field longer than max_chars characters (with "…"), in
 * place: for views, where a name from a hostile or broken file may be
 * megabytes long. */
void          qviz_sweep_clip_text     (QvizSweep *sweep, guint max_chars);
void          qviz_run_clip_text       (QvizRun *run, guint max_chars);

G_END_DECLS
