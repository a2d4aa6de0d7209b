/* zones-grid.c: cadastral cells, snapping and alignment
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-grid"

#include <math.h>

#include "zones-error.h"
#include "zones-grid.h"

/* A zone may not cover more cells than this when snapped: 10⁶ 30″ cells are 850,000 km². */
#define MAX_CELLS 1000000

gboolean
zones_grid_init (ZonesGrid *grid, double arcsec, GError **error)
{
  g_return_val_if_fail (grid != NULL, FALSE);

  if (!(arcsec >= 1 && arcsec <= 3600) || !isfinite (arcsec))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                   "A cadastral cell must be from 1″ to 3600″, not %g″", arcsec);
      return FALSE;
    }
  grid->arcsec = arcsec;
  return TRUE;
}

double
zones_grid_cell_size_deg (const ZonesGrid *grid)
{
  return grid->arcsec / 3600.0;
}

/* Cell numbers count from the origin; a tiny tolerance keeps a point exactly on an edge
 * (as cadastre vertices are) in the cell to its north-east, whatever the rounding. */
void
zones_grid_cell_of (const ZonesGrid *grid, double lon, double lat, gint64 *col, gint64 *row)
{
  double s = zones_grid_cell_size_deg (grid);

  *col = (gint64) floor (lon / s + 1e-9);
  *row = (gint64) floor (lat / s + 1e-9);
}

/**
 * zones_grid_cell_polygon:
 *
 * Returns: (transfer full): the cell (col, row) as a lon/lat polygon with exact corners
 */
GisGeometry *
zones_grid_cell_polygon (const ZonesGrid *grid, gint64 col, gint64 row)
{
  /* Corners as k × arcsec / 3600 so that neighbouring cells share bit-identical edges. */
  double x0 = col * grid->arcsec / 3600.0, x1 = (col + 1) * grid->arcsec / 3600.0;
  double y0 = row * grid->arcsec / 3600.0, y1 = (row + 1) * grid->arcsec / 3600.0;

  return gis_geometry_new_rectangle (x0, y0, x1, y1);
}

/**
 * zones_grid_cell_area_ha:
 *
 * Returns: the geodesic area of any cell in grid row @row (WGS 84), in hectares
 */
double
zones_grid_cell_area_ha (const ZonesGrid *grid, gint64 row)
{
  g_autoptr(GisGeometry) cell = zones_grid_cell_polygon (grid, 0, row);
  return gis_geodesic_area_lonlat (cell, 6378137.0, 1 / 298.257223563) / 1e4;
}

typedef struct {
  gint64 col0, row0, cols, rows;
} CellRange;

static gboolean
cell_range (const ZonesGrid *grid, GisGeometry *g, CellRange *r, GError **error)
{
  GisEnvelope e;
  gint64 c1, r1;

  gis_geometry_get_envelope (g, &e);
  if (gis_envelope_is_empty (&e))
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT, "The zone has no shape");
      return FALSE;
    }
  if (e.min_x < -180 || e.max_x > 180 || e.min_y < -90 || e.max_y > 90)
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "The cadastral grid needs longitude/latitude coordinates");
      return FALSE;
    }
  zones_grid_cell_of (grid, e.min_x, e.min_y, &r->col0, &r->row0);
  /* The cell holding the north-east corner, unless the corner sits on a grid line. */
  zones_grid_cell_of (grid, e.max_x - 1e-12, e.max_y - 1e-12, &c1, &r1);
  r->cols = c1 - r->col0 + 1;
  r->rows = r1 - r->row0 + 1;
  if (r->cols * r->rows > MAX_CELLS)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "The zone spans %" G_GINT64_FORMAT " cadastral cells; at most %d are handled",
                   r->cols * r->rows, MAX_CELLS);
      return FALSE;
    }
  return TRUE;
}

/**
 * zones_grid_snap:
 * @lonlat_polygon: the zone in WGS 84 longitude/latitude
 * @n_cells: (out) (optional): the number of cells kept
 *
 * Keeps every cell of which at least half lies inside the polygon (by geodesic area),
 * which is how a hand-drawn zone is turned into whole carrés.
 *
 * Returns: (transfer full): the union of the kept cells (empty when none)
 */
GisGeometry *
zones_grid_snap (const ZonesGrid *grid, GisGeometry *lonlat_polygon, guint *n_cells,
                 GError **error)
{
  CellRange r;
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  g_autoptr(GisOverlay) zone = NULL;
  g_autoptr(GPtrArray) one = g_ptr_array_new ();

  g_return_val_if_fail (grid != NULL && lonlat_polygon != NULL, NULL);

  if (!cell_range (grid, lonlat_polygon, &r, error))
    return NULL;
  g_ptr_array_add (one, lonlat_polygon);
  zone = gis_overlay_new (one, error);
  if (zone == NULL)
    return NULL;
  for (gint64 row = r.row0; row < r.row0 + r.rows; row++)
    {
      double cell_ha = zones_grid_cell_area_ha (grid, row);
      for (gint64 col = r.col0; col < r.col0 + r.cols; col++)
        {
          g_autoptr(GisGeometry) cell = zones_grid_cell_polygon (grid, col, row);
          g_autoptr(GisGeometry) inside = gis_overlay_intersect (zone, cell, error);
          double ha;

          if (inside == NULL)
            return NULL;
          if (gis_geometry_is_empty (inside))
            continue;
          ha = gis_geodesic_area_lonlat (inside, 6378137.0, 1 / 298.257223563) / 1e4;
          if (ha >= cell_ha / 2)
            g_ptr_array_add (cells, g_steal_pointer (&cell));
        }
    }
  if (n_cells != NULL)
    *n_cells = cells->len;
  return gis_geometry_union_all ((GisGeometry **) cells->pdata, cells->len, error);
}

/**
 * zones_grid_is_aligned:
 * @n_cells: (out) (optional): the cells the snapped zone holds
 * @misfit_ha: (out) (optional): the area that differs between the zone and its snapped
 *   form (the symmetric difference), in hectares
 *
 * Returns: %TRUE when the zone is made of whole cells (misfit under 1 m²)
 */
gboolean
zones_grid_is_aligned (const ZonesGrid *grid, GisGeometry *lonlat_polygon, guint *n_cells,
                       double *misfit_ha, GError **error)
{
  g_autoptr(GisGeometry) snapped = zones_grid_snap (grid, lonlat_polygon, n_cells, error);
  g_autoptr(GisGeometry) extra = NULL;
  g_autoptr(GisGeometry) missing = NULL;
  double m2;

  if (snapped == NULL)
    return FALSE;
  extra = gis_geometry_difference (lonlat_polygon, snapped, error);
  missing = extra ? gis_geometry_difference (snapped, lonlat_polygon, error) : NULL;
  if (missing == NULL)
    return FALSE;
  m2 = gis_geodesic_area_lonlat (extra, 6378137.0, 1 / 298.257223563) +
       gis_geodesic_area_lonlat (missing, 6378137.0, 1 / 298.257223563);
  if (misfit_ha != NULL)
    *misfit_ha = m2 / 1e4;
  return m2 < 1.0;
}
