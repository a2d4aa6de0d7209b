/* gis-render-private.h: what the renderer reads directly out of layers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "gis-map-layer.h"
#include "gis-map-settings.h"
#include "gis-raster.h"
#include "gis-style.h"
#include "gis-vector-layer.h"

G_BEGIN_DECLS

/* The drawing loops are compiled twice, for any x86-64 processor and for x86-64-v3 (AVX2,
 * FMA, SSE4.1's rounding instructions), the one to run chosen when the program starts.
 * gis/ is compiled without contracting a * b + c into FMA, so both give the same pixels. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && defined(__x86_64__) && \
    defined(__linux__)
#define GIS_DRAWING_CLONES __attribute__ ((target_clones ("default", "arch=x86-64-v3")))
#else
#define GIS_DRAWING_CLONES
#endif

typedef enum {
  GIS_PART_POINT,
  GIS_PART_LINE,
  GIS_PART_SHELL,
  GIS_PART_HOLE,
} GisPartKind;

/* A feature is a run of parts; a part is a run of vertices. Polygon rings are stored with
 * shells counter-clockwise and holes clockwise (in map coordinates), so that many
 * polygons can be filled as one path with the non-zero rule and overlaps stay filled. */
typedef struct {
  GisEnvelope envelope;
  guint32     first_part;
  guint32     n_parts;
} GisVFeature;

typedef struct {
  guint32 first;
  guint32 n;
  guint32 kind;
} GisVPart;

typedef struct {
  const GisVFeature *features;
  guint              n_features;
  const GisVPart    *parts;
  const double      *x;
  const double      *y;
} GisVectorArrays;

void     _gis_vector_layer_get_arrays (GisVectorLayer *self,
                                       GisVectorArrays *arrays);

/* The class of each feature under @style, computed once per (layer, style) and kept while
 * the style is the layer's last. The array belongs to the layer (guint16, one per
 * feature) and stays valid while the caller holds @out_ref. */
const guint16 *_gis_vector_layer_classify (GisVectorLayer *self,
                                           GisStyle       *style,
                                           GBytes        **out_ref);
gboolean       _gis_vector_layer_is_classified (GisVectorLayer *self,
                                                GisStyle       *style);

struct _GisLayerSnapshot {
  gatomicrefcount  ref_count;
  guint64          key;      /* changes whenever data or style change */
  GisVectorLayer  *vector;
  GisRaster       *raster;
  GisStyle        *style;
  double           opacity;
  char            *title;
};

struct _GisMapSettings {
  gatomicrefcount  ref_count;
  GisCrs          *crs;
  double           center_x;
  double           center_y;
  double           resolution;   /* map units per logical pixel */
  guint            width;        /* logical pixels */
  guint            height;
  double           scale;        /* device pixels per logical pixel */
  GisColor         background;
  gboolean         labels;
  GPtrArray       *layers;       /* GisLayerSnapshot, bottom first */
};

/* Direct pixel drawing (gis-rasterize.c) into rows y0..y1 of an ARGB32 image. */
typedef struct {
  guint8 *data;     /* row 0 of the whole image */
  int     stride;
  int     width;
  int     y0;
  int     y1;
} GisPixmap;

typedef struct {
  guint32        color;       /* premultiplied ARGB */
  guint32        tint;        /* under a pattern */
  GisFillPattern pattern;
  int            period;      /* pattern repeat in pixels */
  int            line_width;  /* pattern line width in pixels */
} GisPaint;

/* An outline for _gis_draw_small_polygon(). */
typedef struct {
  guint32 color;        /* premultiplied */
  guint32 opaque;       /* the same at full alpha */
  float   alpha[257];   /* the alpha of a step of each coverage, 0..1 */
} GisOutline;

void     _gis_outline_init            (GisOutline     *outline,
                                       guint32         color);
void     _gis_draw_small_polygon      (const GisPixmap *pm,
                                       const double   *xy,
                                       const guint    *ring_sizes,
                                       guint           n_rings,
                                       const GisPaint *paint,
                                       const GisOutline *outline,
                                       GArray         *scratch);
void     _gis_fill_polygon            (const GisPixmap *pm,
                                       const double   *xy,
                                       const guint    *ring_sizes,
                                       guint           n_rings,
                                       const GisPaint *paint,
                                       GArray         *scratch);
void     _gis_over_row                (guint32        *dst,
                                       const guint32  *src,
                                       int             n,
                                       guint32         background);
void     _gis_splat_box               (const GisPixmap *pm,
                                       double          x0,
                                       double          y0,
                                       double          x1,
                                       double          y1,
                                       guint32         color,
                                       double          density);
void     _gis_draw_line               (const GisPixmap *pm,
                                       double          x0,
                                       double          y0,
                                       double          x1,
                                       double          y1,
                                       guint32         color);

/* Fills (with its pattern) and strokes the current path with a symbol; @scale is device
 * pixels per logical pixel. */
void     _gis_paint_symbol_path       (cairo_t         *cr,
                                       const GisSymbol *symbol,
                                       double          scale,
                                       gboolean        fill);

/* Rasters for display: one reader at a time per raster (GDAL datasets are not
 * thread-safe); the lock is held across a window read. */
void     _gis_raster_lock             (GisRaster      *self);
void     _gis_raster_unlock           (GisRaster      *self);
gpointer _gis_raster_get_handle       (GisRaster      *self);

G_END_DECLS
