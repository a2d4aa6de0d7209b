-- PostGIS peer: ST_ClusterDBSCAN on the UTM 35S copy of the points (planar metres).
-- Run with psql -v eps=… -v minp=…; run.sh reads the statement's time from \timing.
DROP TABLE IF EXISTS cl;
\timing on
CREATE TABLE cl AS
SELECT id, ST_ClusterDBSCAN(geom, eps := :eps, minpoints := :minp) OVER () AS cid FROM pts;
\timing off
