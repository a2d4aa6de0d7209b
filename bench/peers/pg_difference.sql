-- PostGIS peer, the fast form: per deposit, union only the constraints that intersect
-- it, each first clipped to the deposit's box (ST_ClipByBox2D), then one ST_Difference.
-- Clipping before the union is what makes PostGIS ~4x faster than the plain form
-- (pg_difference_naive.sql); benchmarking this form keeps the comparison honest.
-- Run with psql -v tbl=NAME; run.sh times this whole script.
DROP TABLE IF EXISTS :tbl;
CREATE TABLE :tbl AS
SELECT d.dep_id,
       CASE WHEN u.g IS NULL THEN d.geom ELSE ST_Difference(d.geom, u.g) END AS geom
FROM deposits d
LEFT JOIN LATERAL (
  SELECT ST_Union(ST_ClipByBox2D(c.geom, ST_Expand(d.geom::box2d, 1))) AS g
  FROM constraints c
  WHERE c.geom && d.geom AND ST_Intersects(c.geom, d.geom)) u ON true;
