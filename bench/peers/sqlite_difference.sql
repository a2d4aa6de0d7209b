WITH r AS MATERIALIZED (
  SELECT dep_id,
         CastToMultiPolygon(CASE WHEN u IS NULL THEN geom ELSE ST_Difference(geom, u) END) AS g
  FROM (
    SELECT d.DEP_ID AS dep_id, d.geom AS geom,
           (SELECT ST_Union(c.geom) FROM constraints c
             WHERE c.fid IN (SELECT t.id FROM rtree_constraints_geom t
                             WHERE t.minx <= ST_MaxX(d.geom) AND t.maxx >= ST_MinX(d.geom)
                               AND t.miny <= ST_MaxY(d.geom) AND t.maxy >= ST_MinY(d.geom))
               AND ST_Intersects(c.geom, d.geom)) AS u
    FROM deposits d))
SELECT dep_id, g AS geom FROM r WHERE g IS NOT NULL
