/* qviz-calibrate.h: choosing int8 parameters for every tensor of a model.
 *
 * Calibration runs the float plan, unfused so that every node's output is
 * seen, on N inputs (synthetic natural-image-like ones by default, a folder
 * of JPEG/PNG images, or an N x C x H x W float32 .npy batch of already
 * preprocessed inputs) and records each tensor's range by min/max or by a
 * percentile.  It happens once per model: every resolution of a sweep uses
 * the same parameters.  A model whose file carries its own scales keeps
 * them; only tensors without one are calibrated.
 */
#pragma once

#include <glib.h>
#include "qviz-graph.h"
#include "qviz-quant.h"

G_BEGIN_DECLS

typedef struct {
  QvizCalibrationMethod method;
  double percentile;     /* QVIZ_CALIBRATION_PERCENTILE only */
  int n_inputs;          /* synthetic inputs, or at most this many images */
  int height, width;     /* 0: the model's default size */
  const char *source;    /* NULL: synthetic; a folder of images; a .npy file */
} QvizCalibrationConfig;

void     qviz_calibration_config_init (QvizCalibrationConfig *config);

gboolean qviz_calibrate               (QvizGraph *graph,
                                       const QvizCalibrationConfig *config,
                                       GError **error);

/* The calibration cache's key for a config at h x w (the size it runs at):
 * source says what is read ("synthetic 8 inputs seed 7 256x256", or a
 * file or folder with a digest of the size and modification time of each
 * file in it), settings
 * the observer ("percentile 99.99").  A .npy batch is read at its own
 * size whatever h x w is. */
void     qviz_calibration_cache_key   (const QvizCalibrationConfig *config, int h, int w,
                                       char **source, char **settings);

/* Every value's parameters as calibration left them, and back.  restore
 * fails (FALSE, graph untouched) on a blob made for another graph; it keeps
 * the parameters a prequantized model's file gave, as calibration does. */
GBytes  *qviz_calibration_save        (const QvizGraph *graph);
gboolean qviz_calibration_restore     (QvizGraph *graph, GBytes *params);

/* Decodes an image file and returns it resized to h x w, normalised with
 * the ImageNet mean and standard deviation, as a 1 x 3 x h x w NCHW array. */
float   *qviz_image_load_normalized   (const char *path, int h, int w, GError **error);

G_END_DECLS
