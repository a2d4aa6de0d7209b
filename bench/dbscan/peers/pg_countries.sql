-- PostGIS peer: the country of every site (a site on a shared border gets both, and a
-- piece seam may repeat one: the report takes the first country, as Placer does), then the
-- cross-border flag of each cluster of cl. Both statements are timed.
DROP TABLE IF EXISTS site_country;
\timing on
CREATE TABLE site_country AS
SELECT p.id, c.idx, c.iso FROM pts p JOIN countries_sub c ON ST_Intersects(c.geom, p.g4326);
SELECT count(*) AS cross_border FROM (
  SELECT cl.cid FROM cl JOIN site_country s USING (id)
  WHERE cl.cid IS NOT NULL GROUP BY cl.cid HAVING count(DISTINCT s.iso) > 1) x;
\timing off
