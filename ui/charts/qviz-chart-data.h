/* qviz-chart-data.h: plain inputs of the chart painters.
 *
 * These types depend on GLib only, so that the engine, the CLI and the
 * widgets can all fill them without the charts knowing about run stores or
 * plans.  Times in curves and tables are milliseconds; times in flame spans
 * are nanoseconds.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#include "qviz-layer-class.h"

typedef enum {
  QVIZ_SPAN_NONE      = 0,
  QVIZ_SPAN_DILATED   = 1 << 0,
  QVIZ_SPAN_DEPTHWISE = 1 << 1,
  QVIZ_SPAN_POINTWISE = 1 << 2, /* 1x1 convolution */
  /* A comparison found this layer's change within timing noise: a
   * differential flame chart draws it neutral whatever its ratio. */
  QVIZ_SPAN_WITHIN_NOISE = 1 << 3,
  /* Set by the flame layout, never by callers: */
  QVIZ_SPAN_MODULE    = 1 << 8, /* ancestor made from a path prefix */
  QVIZ_SPAN_PASS      = 1 << 9, /* the root of a band */
} QvizSpanFlags;

const char     *qviz_layer_class_get_label (QvizLayerClass layer_class);
QvizLayerClass  qviz_layer_class_classify  (const char    *op,
                                            QvizSpanFlags  flags);

/* ---- Latency curves ------------------------------------------------- */

typedef struct {
  double resolution; /* input side in pixels (square inputs) */
  double median_ms;
  double p10_ms;
  double p90_ms;
} QvizCurvePoint;

typedef struct {
  char   *precision; /* "f32" or "int8" */
  guint   threads;
  GArray *points;    /* QvizCurvePoint, kept sorted by resolution */
  /* NULL, or the sweep the series belongs to when sweeps are compared
   * ("A", "B" or a machine name).  A painter styles sweeps in the order
   * their labels first appear: the first solid, the next dashed and lighter. */
  char   *sweep;
} QvizCurveSeries;

QvizCurveSeries *qviz_curve_series_new   (const char            *precision,
                                          guint                  threads);
QvizCurveSeries *qviz_curve_series_copy  (const QvizCurveSeries *series);
void             qviz_curve_series_free  (QvizCurveSeries       *series);
void             qviz_curve_series_add   (QvizCurveSeries       *series,
                                          double                 resolution,
                                          double                 median_ms,
                                          double                 p10_ms,
                                          double                 p90_ms);
guint            qviz_curve_series_get_n_points (const QvizCurveSeries *series);
const QvizCurvePoint *qviz_curve_series_get_point (const QvizCurveSeries *series,
                                                   guint                  i);
gboolean         qviz_curve_series_is_int8 (const QvizCurveSeries *series);
void             qviz_curve_series_set_sweep (QvizCurveSeries       *series,
                                              const char            *sweep);

gboolean         qviz_curves_find_crossover (const QvizCurveSeries *f32,
                                             const QvizCurveSeries *int8,
                                             double                *resolution);

/* ---- Breakdown of time by layer class ------------------------------- */

typedef struct {
  guint    n_resolutions;
  double  *resolutions;
  guint    n_precisions;
  char   **precisions;
  double  *ms; /* [resolution][precision][class] */
} QvizBreakdown;

QvizBreakdown *qviz_breakdown_new  (guint                n_resolutions,
                                    const double        *resolutions,
                                    guint                n_precisions,
                                    const char * const  *precisions);
void           qviz_breakdown_free (QvizBreakdown       *breakdown);
QvizBreakdown *qviz_breakdown_copy (const QvizBreakdown *breakdown);
void           qviz_breakdown_add  (QvizBreakdown       *breakdown,
                                    guint                resolution_index,
                                    guint                precision_index,
                                    QvizLayerClass       layer_class,
                                    double               ms);
double         qviz_breakdown_get  (const QvizBreakdown *breakdown,
                                    guint                resolution_index,
                                    guint                precision_index,
                                    QvizLayerClass       layer_class);
double         qviz_breakdown_get_total (const QvizBreakdown *breakdown,
                                         guint                resolution_index,
                                         guint                precision_index);

/* ---- Flame chart ---------------------------------------------------- */

typedef struct {
  guint          band;        /* which pass: 0, 1, ... (see add_band) */
  guint          depth;       /* 0 = pass, then one per path component */
  int            parent;      /* span index, -1 for a pass */
  gint64         start_ns;    /* relative to the start of its band */
  gint64         end_ns;
  const char    *name;        /* full path, "backbone/features.4/block.1/conv" */
  const char    *label;       /* short label drawn in the span */
  const char    *op;          /* may be NULL */
  const char    *kernel;      /* may be NULL */
  QvizSpanFlags  flags;
  QvizLayerClass layer_class;
  double         ratio;       /* int8 / float time of this layer, NAN if unknown */
  double         sqnr;        /* dB, NAN if unknown */
  int            layer_index; /* -1 for modules and passes */
  /* The layer's time over the run's warm passes, p10 to p90, in ns (NAN
   * when unknown): the spread that one pass cannot show. */
  double         spread_lo_ns, spread_hi_ns;
} QvizFlameSpan;

typedef struct _QvizFlameData QvizFlameData;

QvizFlameData       *qviz_flame_data_new            (void);
void                 qviz_flame_data_free           (QvizFlameData *self);
guint                qviz_flame_data_add_band       (QvizFlameData *self,
                                                     const char    *label);
guint                qviz_flame_data_add_span       (QvizFlameData *self,
                                                     guint          band,
                                                     const char    *path,
                                                     const char    *label,
                                                     gint64         start_ns,
                                                     gint64         end_ns,
                                                     const char    *op,
                                                     const char    *kernel,
                                                     QvizSpanFlags  flags,
                                                     int            layer_index);
void                 qviz_flame_data_set_span_quality (QvizFlameData *self,
                                                       guint          span,
                                                       double         ratio,
                                                       double         sqnr);
void                 qviz_flame_data_set_span_spread (QvizFlameData *self,
                                                      guint          span,
                                                      double         lo_ns,
                                                      double         hi_ns);
guint                qviz_flame_data_get_n_bands    (QvizFlameData *self);
const char          *qviz_flame_data_get_band_label (QvizFlameData *self,
                                                     guint          band);
guint                qviz_flame_data_get_band_depth (QvizFlameData *self,
                                                     guint          band);
guint                qviz_flame_data_get_n_spans    (QvizFlameData *self);
const QvizFlameSpan *qviz_flame_data_get_span       (QvizFlameData *self,
                                                     guint          span);
gint64               qviz_flame_data_get_duration   (QvizFlameData *self);
const guint         *qviz_flame_data_get_row        (QvizFlameData *self,
                                                     guint          band,
                                                     guint          depth,
                                                     guint         *n_spans);
int                  qviz_flame_data_find_span      (QvizFlameData *self,
                                                     guint          band,
                                                     guint          depth,
                                                     gint64         t_ns,
                                                     gint64         tolerance_ns);
/* What a time range [t0_ns, t1_ns) of one band holds: the layers that
 * overlap it and their time inside it, in all and by layer class. */
typedef struct {
  guint  n_layers;
  gint64 layers_ns;
  gint64 class_ns[QVIZ_N_LAYER_CLASSES];
} QvizFlameRangeSummary;

void                 qviz_flame_data_summarize_range (QvizFlameData         *self,
                                                      guint                  band,
                                                      gint64                 t0_ns,
                                                      gint64                 t1_ns,
                                                      QvizFlameRangeSummary *summary);
int                  qviz_flame_data_lookup         (QvizFlameData *self,
                                                     guint          band,
                                                     const char    *path);

/* ---- Layer table rows ----------------------------------------------- */

typedef struct {
  char          *name;        /* full path */
  char          *op;
  char          *kernel_f32;
  char          *kernel_int8;
  QvizSpanFlags  flags;
  QvizLayerClass layer_class;
  double         f32_ms;      /* NAN if that precision did not run */
  double         int8_ms;
  double         sqnr;        /* dB, NAN if unknown */
  int            layer_index;
} QvizLayerRow;

QvizLayerRow *qviz_layer_row_new       (const char         *name,
                                        const char         *op,
                                        QvizSpanFlags       flags,
                                        double              f32_ms,
                                        double              int8_ms);
QvizLayerRow *qviz_layer_row_copy      (const QvizLayerRow *row);
void          qviz_layer_row_free      (QvizLayerRow       *row);
double        qviz_layer_row_get_ratio (const QvizLayerRow *row);
double        qviz_layer_row_get_max_ms (const QvizLayerRow *row);
GPtrArray    *qviz_layer_rows_top      (GPtrArray          *rows,
                                        guint               n);

/* ---- Layers of two runs compared ------------------------------------ */

typedef struct {
  char          *name;        /* full path */
  char          *op;
  QvizSpanFlags  flags;
  QvizLayerClass layer_class;
  double         a_ms;        /* medians; NAN when missing on that side */
  double         b_ms;
  double         diff_lo;     /* 95% interval of b - a in ms, NAN if unknown */
  double         diff_hi;
  double         p_value;
  gboolean       significant; /* FALSE: within timing noise */
  gboolean       outlier;     /* departs most from the whole model's ratio */
  char          *kernel_a;    /* "" or NULL when unknown */
  char          *kernel_b;
} QvizCompareRow;

QvizCompareRow *qviz_compare_row_new        (const char           *name,
                                             const char           *op,
                                             QvizSpanFlags         flags,
                                             double                a_ms,
                                             double                b_ms);
QvizCompareRow *qviz_compare_row_copy       (const QvizCompareRow *row);
void            qviz_compare_row_free       (QvizCompareRow       *row);
double          qviz_compare_row_get_ratio  (const QvizCompareRow *row);
gboolean        qviz_compare_row_kernel_changed (const QvizCompareRow *row);
/* A new array (borrowing the rows) of at most @n rows, the largest
 * absolute change |b - a| first; rows missing on one side come last. */
GPtrArray      *qviz_compare_rows_by_change (GPtrArray            *rows,
                                             guint                 n);

/* ---- Report text ---------------------------------------------------- */

typedef struct {
  char      *title;
  char      *subtitle;
  GPtrArray *model_lines;   /* char *, e.g. "MobileNetV3-Large + LR-ASPP" */
  GPtrArray *machine_lines; /* char *, e.g. "AMD EPYC 9R14, 2 cores, AVX-512 VNNI" */
} QvizReportInfo;

QvizReportInfo *qviz_report_info_new              (const char           *title);
QvizReportInfo *qviz_report_info_copy             (const QvizReportInfo *info);
void            qviz_report_info_free             (QvizReportInfo       *info);
void            qviz_report_info_set_subtitle     (QvizReportInfo       *info,
                                                   const char           *subtitle);
void            qviz_report_info_add_model_line   (QvizReportInfo       *info,
                                                   const char           *line);
void            qviz_report_info_add_machine_line (QvizReportInfo       *info,
                                                   const char           *line);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizCurveSeries, qviz_curve_series_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizBreakdown, qviz_breakdown_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizFlameData, qviz_flame_data_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizLayerRow, qviz_layer_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizReportInfo, qviz_report_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizCompareRow, qviz_compare_row_free)

G_END_DECLS
