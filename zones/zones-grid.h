/* zones-grid.h: the cadastral grid of N″ × N″ cells
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gis.h"

G_BEGIN_DECLS

/**
 * ZonesGrid:
 *
 * A cadastral grid of square cells of @arcsec arc seconds on the WGS 84 datum (the DRC's
 * carré minier is 30″, Mozambique's unit 15″), anchored at 0° E, 0° N so that cell edges
 * fall on whole multiples of the cell size. A cell's area shrinks with latitude.
 */
typedef struct {
  double arcsec;
} ZonesGrid;

gboolean     zones_grid_init          (ZonesGrid   *grid,
                                       double       arcsec,
                                       GError     **error);
double       zones_grid_cell_size_deg (const ZonesGrid *grid);
void         zones_grid_cell_of       (const ZonesGrid *grid,
                                       double       lon,
                                       double       lat,
                                       gint64      *col,
                                       gint64      *row);
GisGeometry *zones_grid_cell_polygon  (const ZonesGrid *grid,
                                       gint64       col,
                                       gint64       row);
double       zones_grid_cell_area_ha  (const ZonesGrid *grid,
                                       gint64       row);
GisGeometry *zones_grid_snap          (const ZonesGrid *grid,
                                       GisGeometry *lonlat_polygon,
                                       guint       *n_cells,
                                       GError     **error);
gboolean     zones_grid_is_aligned    (const ZonesGrid *grid,
                                       GisGeometry *lonlat_polygon,
                                       guint       *n_cells,
                                       double      *misfit_ha,
                                       GError     **error);

G_END_DECLS
