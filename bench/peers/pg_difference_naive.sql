-- PostGIS peer, the plain form: the same query without ST_ClipByBox2D.  Reported for
-- context only (it is what most users would write first).
DROP TABLE IF EXISTS :tbl;
CREATE TABLE :tbl AS
SELECT d.dep_id,
       CASE WHEN u.g IS NULL THEN d.geom ELSE ST_Difference(d.geom, u.g) END AS geom
FROM deposits d
LEFT JOIN LATERAL (
  SELECT ST_Union(c.geom) AS g
  FROM constraints c
  WHERE c.geom && d.geom AND ST_Intersects(c.geom, d.geom)) u ON true;
