/* qviz-accuracy.c: SQNR along the depth of an int8 run. */

#include "qviz-config.h"
#include "qviz-accuracy.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "qviz-axis.h"
#include "qviz-chart-adapt.h"
#include "qviz-chart-compare.h"
#include "qviz-chart-private.h"

static void
accuracy_layer_clear (gpointer data)
{
  QvizAccuracyLayer *l = data;

  g_free (l->name);
  g_free (l->op);
}

static int
by_drop_descending (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  GArray *layers = user_data;
  const QvizAccuracyLayer *la = &g_array_index (layers, QvizAccuracyLayer, *(const guint *) a);
  const QvizAccuracyLayer *lb = &g_array_index (layers, QvizAccuracyLayer, *(const guint *) b);

  if (la->drop_db != lb->drop_db)
    return la->drop_db < lb->drop_db ? 1 : -1;
  return la->layer_index - lb->layer_index;
}

static int
by_own_ascending (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  GArray *layers = user_data;
  const QvizAccuracyLayer *la = &g_array_index (layers, QvizAccuracyLayer, *(const guint *) a);
  const QvizAccuracyLayer *lb = &g_array_index (layers, QvizAccuracyLayer, *(const guint *) b);

  if (la->own_db != lb->own_db)
    return la->own_db < lb->own_db ? -1 : 1;
  return la->layer_index - lb->layer_index;
}

/* See QvizAccuracyLayer.input. */
static int
input_of (const QvizRun *run,
          guint          i)
{
  const QvizRunLayer *layer = qviz_run_get_layer (run, i);

  for (guint j = i; j-- > 0;)
    {
      const QvizRunLayer *earlier = qviz_run_get_layer (run, j);
      if (layer->in_shape != NULL && g_strcmp0 (earlier->out_shape, layer->in_shape) == 0 &&
          !isnan (earlier->accum_sqnr_db))
        return (int) j;
    }
  for (guint j = i; j-- > 0;)
    if (!isnan (qviz_run_get_layer (run, j)->accum_sqnr_db))
      return (int) j;
  return -1;
}

QvizAccuracy *
qviz_accuracy_new (const QvizRun *run)
{
  g_autoptr (QvizAccuracy) acc = NULL;
  gboolean measured = FALSE;

  g_return_val_if_fail (run != NULL, NULL);

  if (g_strcmp0 (run->precision, "int8") != 0 || run->layers == NULL)
    return NULL;

  acc = g_new0 (QvizAccuracy, 1);
  acc->label = qviz_chart_run_config_label (run);
  acc->output_db = run->sqnr_db;
  acc->layers = g_array_new (FALSE, TRUE, sizeof (QvizAccuracyLayer));
  g_array_set_clear_func (acc->layers, accuracy_layer_clear);
  acc->ranked = g_array_new (FALSE, FALSE, sizeof (guint));
  acc->low = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < run->layers->len; i++)
    {
      const QvizRunLayer *rl = qviz_run_get_layer (run, i);
      QvizAccuracyLayer l = { 0 };
      double before;

      l.layer_index = rl->index;
      l.name = g_strdup (rl->name);
      l.op = g_strdup (rl->op ? rl->op : "");
      l.layer_class = qviz_chart_layer_class (rl);
      l.flags = qviz_chart_layer_flags (rl);
      l.own_db = rl->sqnr_db;
      l.accum_db = rl->accum_sqnr_db;
      l.input = input_of (run, i);
      measured |= !isnan (l.own_db) || !isnan (l.accum_db);
      before = l.input >= 0 ? qviz_run_get_layer (run, (guint) l.input)->accum_sqnr_db : NAN;
      /* A layer fed the model's input lost all that its output lacks; the
       * input's own SQNR is not stored, so it is named only when its
       * output is already below the threshold.  An exact layer (+inf)
       * after an exact input drops nothing; the difference of two
       * infinities is not a number, so say 0. */
      if (l.input < 0 && l.accum_db < QVIZ_SQNR_WARNING_DB)
        l.drop_db = INFINITY;
      else if (isnan (l.accum_db) || isnan (before))
        l.drop_db = NAN;
      else if (isinf (before) && isinf (l.accum_db))
        l.drop_db = 0;
      else
        l.drop_db = before - l.accum_db;
      g_array_append_val (acc->layers, l);
    }
  if (!measured)
    return NULL;

  for (guint i = 0; i < acc->layers->len; i++)
    {
      const QvizAccuracyLayer *l = &g_array_index (acc->layers, QvizAccuracyLayer, i);
      /* +inf (from an exact layer to a lossy one) is the largest drop. */
      if (l->drop_db > 0)
        g_array_append_val (acc->ranked, i);
      if (l->own_db < QVIZ_SQNR_WARNING_DB)
        g_array_append_val (acc->low, i);
    }
  g_array_sort_with_data (acc->ranked, by_drop_descending, acc->layers);
  g_array_sort_with_data (acc->low, by_own_ascending, acc->layers);
  return g_steal_pointer (&acc);
}

void
qviz_accuracy_free (QvizAccuracy *acc)
{
  if (acc == NULL)
    return;
  g_free (acc->label);
  g_clear_pointer (&acc->layers, g_array_unref);
  g_clear_pointer (&acc->ranked, g_array_unref);
  g_clear_pointer (&acc->low, g_array_unref);
  g_free (acc);
}

int
qviz_accuracy_worst_run (GPtrArray *runs)
{
  double worst = INFINITY;
  int best = -1;

  g_return_val_if_fail (runs != NULL, -1);

  for (guint i = 0; i < runs->len; i++)
    {
      const QvizRun *run = g_ptr_array_index (runs, i);
      double db;

      if (run == NULL || g_strcmp0 (run->precision, "int8") != 0)
        continue;
      /* A run without an output SQNR still has layers to show. */
      db = isnan (run->sqnr_db) ? INFINITY : run->sqnr_db;
      if (best < 0 || db < worst)
        worst = db, best = (int) i;
    }
  return best;
}

/* ---- the chart ------------------------------------------------------ */

#define PAD_LEFT   56.0
#define PAD_RIGHT  16.0
#define LEGEND_Y    8.0
#define STRIP_GAP   6.0
#define STRIP_H    14.0
#define PAD_BOTTOM 40.0   /* tick labels and the axis title under the strip */

static void
draw_line_swatch (cairo_t *cr, double x, double y, double w, double h, gpointer data)
{
  qviz_chart_set_source (cr, data);
  cairo_set_line_width (cr, 2);
  cairo_move_to (cr, x, y + h / 2);
  cairo_line_to (cr, x + w, y + h / 2);
  cairo_stroke (cr);
}

static void
draw_dot_swatch (cairo_t *cr, double x, double y, double w, double h, gpointer data)
{
  qviz_chart_set_source (cr, data);
  cairo_arc (cr, x + w / 2, y + h / 2, 3.5, 0, 2 * G_PI);
  cairo_fill (cr);
}

static void
draw_dash_swatch (cairo_t *cr, double x, double y, double w, double h, gpointer data)
{
  static const double dash[] = { 4, 3 };

  qviz_chart_set_source (cr, data);
  cairo_set_line_width (cr, 1.5);
  cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  cairo_move_to (cr, x, y + h / 2);
  cairo_line_to (cr, x + w, y + h / 2);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

/* The legend's entries in colours of style (rgba: 3 kept by the caller). */
static void
legend_items (const QvizChartStyle *style,
              QvizRgba             *rgba,
              QvizLegendItem       *items)
{
  rgba[0] = style->f32;
  rgba[1] = style->int8;
  rgba[2] = style->slower;
  items[0] = (QvizLegendItem) { _("Accumulated SQNR (int8 pass against float)"), draw_line_swatch, &rgba[0] };
  items[1] = (QvizLegendItem) { _("Layer's own SQNR"), draw_dot_swatch, &rgba[1] };
  items[2] = (QvizLegendItem) { _("Below 20 dB"), draw_dash_swatch, &rgba[2] };
}

/* The legend wraps at narrow widths: the plot starts under it.  Measured
 * on a scratch surface so that hit tests, which have no cairo context,
 * find the plot where it was painted (both styles share one font). */
static double
legend_height (double max_width)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (surface);
  QvizRgba rgba[3];
  QvizLegendItem items[3];
  double height;

  legend_items (qviz_chart_style_get_light (), rgba, items);
  height = qviz_chart_draw_legend (cr, qviz_chart_style_get_light (), items, G_N_ELEMENTS (items),
                                   0, 0, max_width, FALSE);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return height;
}

typedef struct {
  double px0, px1, py0, py1;   /* the plot */
  double strip_y;
  double lo, hi, step;         /* dB on the y axis */
  double slot;                 /* width of one layer */
} Geometry;

static gboolean
geometry (const QvizAccuracy *acc,
          double              width,
          double              height,
          Geometry           *g)
{
  double lo = INFINITY, hi = -INFINITY;
  g_autoptr (GArray) ticks = NULL;

  g->px0 = PAD_LEFT;
  g->px1 = width - PAD_RIGHT;
  g->py0 = LEGEND_Y + legend_height (g->px1 - g->px0) + 8;
  g->py1 = height - PAD_BOTTOM - STRIP_H - STRIP_GAP;
  g->strip_y = g->py1 + STRIP_GAP;
  if (acc == NULL || acc->layers->len == 0 || g->px1 - g->px0 < 20 || g->py1 - g->py0 < 20)
    return FALSE;
  g->slot = (g->px1 - g->px0) / acc->layers->len;

  for (guint i = 0; i < acc->layers->len; i++)
    {
      const QvizAccuracyLayer *l = &g_array_index (acc->layers, QvizAccuracyLayer, i);
      double v[2] = { l->own_db, l->accum_db };
      for (guint k = 0; k < 2; k++)
        if (isfinite (v[k]))
          lo = MIN (lo, v[k]), hi = MAX (hi, v[k]);
    }
  /* The threshold is always in view, and so is 0 dB when a layer is at
   * or below it (noise as large as the signal). */
  lo = MIN (isfinite (lo) ? lo : QVIZ_SQNR_WARNING_DB, QVIZ_SQNR_WARNING_DB);
  hi = MAX (isfinite (hi) ? hi : QVIZ_SQNR_WARNING_DB, QVIZ_SQNR_WARNING_DB + 10);
  lo = MIN (lo, 0);
  ticks = qviz_axis_ticks_linear (lo, hi, 6, &g->step);
  g->lo = floor (lo / g->step) * g->step;
  g->hi = ceil (hi / g->step) * g->step;
  if (!(g->hi > g->lo))
    g->hi = g->lo + 10;
  return TRUE;
}

static double
y_of (const Geometry *g,
      double          db)
{
  /* Exact layers (+inf) sit on the top edge. */
  if (isinf (db))
    return db > 0 ? g->py0 : g->py1;
  return g->py1 - (db - g->lo) / (g->hi - g->lo) * (g->py1 - g->py0);
}

static double
x_of (const Geometry *g,
      guint           i)
{
  return g->px0 + (i + 0.5) * g->slot;
}

void
qviz_accuracy_paint (const QvizAccuracy   *acc,
                     const QvizChartStyle *style,
                     cairo_t              *cr,
                     double                width,
                     double                height)
{
  static const double dash[] = { 4, 3 };
  g_autoptr (PangoLayout) text = NULL;
  g_autoptr (PangoLayout) small = NULL;
  g_autoptr (GArray) ticks = NULL;
  cairo_pattern_t *hatch;
  QvizRgba own_colour, accum_colour;
  Geometry g;
  gboolean started = FALSE;
  guint label_every;

  g_return_if_fail (style != NULL);
  g_return_if_fail (cr != NULL);

  cairo_save (cr);
  qviz_chart_set_source (cr, &style->background);
  cairo_paint (cr);
  text = qviz_chart_layout_new (cr, style, 0.9, FALSE);
  small = qviz_chart_layout_new (cr, style, 0.85, FALSE);
  if (!geometry (acc, width, height, &g))
    {
      qviz_chart_draw_text (cr, text, _("No layer SQNR to draw"), width / 2, height / 2,
                            QVIZ_ALIGN_CENTER, QVIZ_ALIGN_CENTER, width, &style->muted);
      cairo_restore (cr);
      return;
    }
  /* The own SQNR in the int8 colour, the accumulated one in the float
   * colour: the second is int8 measured against float all along. */
  own_colour = style->int8;
  accum_colour = style->f32;

  qviz_chart_set_source (cr, &style->plot_background);
  cairo_rectangle (cr, g.px0, g.py0, g.px1 - g.px0, g.py1 - g.py0);
  cairo_fill (cr);

  /* y grid and ticks */
  ticks = qviz_axis_ticks_linear (g.lo, g.hi, 6, &g.step);
  cairo_set_line_width (cr, 1);
  for (guint k = 0; k < ticks->len; k++)
    {
      double db = g_array_index (ticks, double, k);
      double y = round (y_of (&g, db)) + 0.5;
      g_autofree char *s = NULL;

      if (db < g.lo - 1e-9 || db > g.hi + 1e-9)
        continue;
      qviz_chart_set_source (cr, &style->grid);
      cairo_move_to (cr, g.px0, y);
      cairo_line_to (cr, g.px1, y);
      cairo_stroke (cr);
      s = g_strdup_printf ("%g", db);
      qviz_chart_draw_text (cr, small, s, g.px0 - 6, y, QVIZ_ALIGN_END, QVIZ_ALIGN_CENTER,
                            PAD_LEFT - 8, &style->muted);
    }
  cairo_save (cr);
  cairo_translate (cr, 12, (g.py0 + g.py1) / 2);
  cairo_rotate (cr, -G_PI / 2);
  qviz_chart_draw_text (cr, small, _("SQNR (dB)"), 0, 0, QVIZ_ALIGN_CENTER, QVIZ_ALIGN_CENTER,
                        g.py1 - g.py0, &style->muted);
  cairo_restore (cr);

  /* the threshold below which a layer is named */
  {
    double y = round (y_of (&g, QVIZ_SQNR_WARNING_DB)) + 0.5;
    qviz_chart_set_source (cr, &style->slower);
    cairo_set_line_width (cr, 1.5);
    cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
    cairo_move_to (cr, g.px0, y);
    cairo_line_to (cr, g.px1, y);
    cairo_stroke (cr);
    cairo_set_dash (cr, NULL, 0, 0);
  }

  /* the class strip: the same colours, hatching and outlines as the
   * flame chart and the breakdown */
  hatch = qviz_chart_style_get_hatch (style);
  for (guint i = 0; i < acc->layers->len; i++)
    {
      const QvizAccuracyLayer *l = &g_array_index (acc->layers, QvizAccuracyLayer, i);
      double x0 = floor (g.px0 + i * g.slot), x1 = floor (g.px0 + (i + 1) * g.slot);
      qviz_chart_style_fill_layer (style, cr, x0, g.strip_y, MAX (x1 - x0, 1), STRIP_H,
                                   l->layer_class, l->flags, hatch);
    }
  /* x ticks: layer numbers, as many as fit */
  label_every = MAX (1, (guint) ceil (36.0 / g.slot));
  for (guint i = 0; i < acc->layers->len; i += label_every)
    {
      g_autofree char *s = g_strdup_printf ("%u", i + 1);
      qviz_chart_draw_text (cr, small, s, x_of (&g, i), g.strip_y + STRIP_H + 3,
                            QVIZ_ALIGN_CENTER, QVIZ_ALIGN_START, 36, &style->muted);
    }
  qviz_chart_draw_text (cr, text, _("Layer, in execution order"), (g.px0 + g.px1) / 2,
                        height - 4, QVIZ_ALIGN_CENTER, QVIZ_ALIGN_END, g.px1 - g.px0,
                        &style->muted);

  /* the accumulated SQNR as a line, broken where a layer has none */
  cairo_save (cr);
  cairo_rectangle (cr, g.px0, g.py0 - 4, g.px1 - g.px0, g.py1 - g.py0 + 8);
  cairo_clip (cr);
  qviz_chart_set_source (cr, &accum_colour);
  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < acc->layers->len; i++)
    {
      const QvizAccuracyLayer *l = &g_array_index (acc->layers, QvizAccuracyLayer, i);
      if (isnan (l->accum_db))
        {
          started = FALSE;
          continue;
        }
      if (started)
        cairo_line_to (cr, x_of (&g, i), y_of (&g, l->accum_db));
      else
        cairo_move_to (cr, x_of (&g, i), y_of (&g, l->accum_db));
      started = TRUE;
    }
  cairo_stroke (cr);

  /* each layer's own SQNR as a dot; a ring when the layer is exact */
  for (guint i = 0; i < acc->layers->len; i++)
    {
      const QvizAccuracyLayer *l = &g_array_index (acc->layers, QvizAccuracyLayer, i);
      double r = CLAMP (g.slot * 0.35, 1.5, 4.0);

      if (isnan (l->own_db))
        continue;
      qviz_chart_set_source (cr, l->own_db < QVIZ_SQNR_WARNING_DB ? &style->slower : &own_colour);
      cairo_new_sub_path (cr);
      cairo_arc (cr, x_of (&g, i), y_of (&g, l->own_db) + (isinf (l->own_db) ? r : 0), r, 0, 2 * G_PI);
      if (isinf (l->own_db))
        {
          cairo_set_line_width (cr, 1);
          cairo_stroke (cr);
        }
      else
        cairo_fill (cr);
    }
  cairo_restore (cr);

  qviz_chart_set_source (cr, &style->axis);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, g.px0 + 0.5, g.py0 + 0.5, g.px1 - g.px0 - 1, g.py1 - g.py0 - 1);
  cairo_stroke (cr);

  {
    QvizRgba rgba[3];
    QvizLegendItem items[3];

    legend_items (style, rgba, items);
    qviz_chart_draw_legend (cr, style, items, G_N_ELEMENTS (items), g.px0, LEGEND_Y,
                            g.px1 - g.px0, TRUE);
  }
  cairo_restore (cr);
}

int
qviz_accuracy_layer_at (const QvizAccuracy *acc,
                        double              width,
                        double              height,
                        double              x,
                        double              y)
{
  Geometry g;
  int i;

  g_return_val_if_fail (acc != NULL, -1);

  if (!geometry (acc, width, height, &g) || x < g.px0 || x >= g.px1 || y < g.py0 - 4 ||
      y > g.strip_y + STRIP_H)
    return -1;
  i = (int) floor ((x - g.px0) / g.slot);
  return CLAMP (i, 0, (int) acc->layers->len - 1);
}

gboolean
qviz_accuracy_point_position (const QvizAccuracy *acc,
                              double              width,
                              double              height,
                              guint               i,
                              double             *x,
                              double             *y)
{
  const QvizAccuracyLayer *l;
  Geometry g;

  g_return_val_if_fail (acc != NULL, FALSE);

  if (i >= acc->layers->len || !geometry (acc, width, height, &g))
    return FALSE;
  l = &g_array_index (acc->layers, QvizAccuracyLayer, i);
  if (isnan (l->accum_db) && isnan (l->own_db))
    return FALSE;
  *x = x_of (&g, i);
  *y = y_of (&g, !isnan (l->accum_db) ? l->accum_db : l->own_db);
  return TRUE;
}

static char *
format_db (double db)
{
  if (isnan (db))
    return g_strdup ("—");
  if (isinf (db))
    return g_strdup (db > 0 ? _("exact") : "−∞ dB");
  return g_strdup_printf (_("%.1f dB"), db);
}

char *
qviz_accuracy_describe (const QvizAccuracy *acc,
                        guint               i)
{
  const QvizAccuracyLayer *l;
  g_autofree char *own = NULL, *accum = NULL, *drop = NULL;
  GString *s;

  g_return_val_if_fail (acc != NULL, NULL);
  g_return_val_if_fail (i < acc->layers->len, NULL);

  l = &g_array_index (acc->layers, QvizAccuracyLayer, i);
  own = format_db (l->own_db);
  accum = format_db (l->accum_db);
  s = g_string_new (NULL);
  /* TRANSLATORS: the first line of a layer's tooltip on the accuracy
   * chart: its number in execution order, its path. */
  g_string_append_printf (s, _("Layer %u: %s"), i + 1, l->name);
  g_string_append_printf (s, "\n%s · %s", l->op, qviz_layer_class_get_label (l->layer_class));
  g_string_append_printf (s, _("\nOwn SQNR: %s"), own);
  g_string_append_printf (s, _("\nAccumulated SQNR: %s"), accum);
  if (l->input < 0 && !isnan (l->accum_db))
    g_string_append (s, _("\nFed the model's input"));
  else if (!isnan (l->drop_db))
    {
      drop = isinf (l->drop_db) ? g_strdup (l->drop_db > 0 ? "−∞" : "+∞")
                                : g_strdup_printf ("%+.1f", -l->drop_db);
      /* TRANSLATORS: how the accumulated SQNR changed at this layer, in dB
       * ("-6.2"), against its input, the layer with that number. */
      g_string_append_printf (s, _("\nChange from its input (layer %d): %s dB"), l->input + 1, drop);
    }
  if (l->own_db < QVIZ_SQNR_WARNING_DB)
    g_string_append_printf (s, _("\nBelow %.0f dB on its own"), QVIZ_SQNR_WARNING_DB);
  return g_string_free (s, FALSE);
}
