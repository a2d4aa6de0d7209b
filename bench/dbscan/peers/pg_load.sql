-- PostGIS: the benchmark's points (not timed). run.sh fills pts with \copy from the CSV
-- that peers/points_csv.py writes, then runs this.
ALTER TABLE pts ADD COLUMN geom geometry(Point, 32735), ADD COLUMN g4326 geometry(Point, 4326);
UPDATE pts SET geom = ST_SetSRID(ST_MakePoint(x, y), 32735),
               g4326 = ST_SetSRID(ST_MakePoint(lon, lat), 4326);
CREATE INDEX ON pts USING gist (g4326);
VACUUM ANALYZE pts;
