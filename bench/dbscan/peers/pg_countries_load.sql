-- PostGIS: the countries, subdivided (at most 256 vertices a piece) with a GiST index, the
-- form that makes point-in-polygon fast in PostGIS (not timed). idx is the country's
-- position in its layer, the order Placer gives them. Run with psql -v iso=COLUMN.
DROP TABLE IF EXISTS countries_sub;
CREATE TABLE countries_sub AS
SELECT idx, iso, ST_Subdivide(geom, 256) AS geom
FROM (SELECT (row_number() OVER (ORDER BY fid)) - 1 AS idx, :"iso" AS iso, geom
      FROM countries_raw) c;
CREATE INDEX ON countries_sub USING gist (geom);
VACUUM ANALYZE countries_sub;
