# Sourced by the PostgreSQL tests: starts a throwaway PostgreSQL + PostGIS cluster in a
# temporary folder, on a Unix socket only (no TCP), and stops and deletes it on exit.
# Sets PGHOST, PGPORT, PGUSER, PGDATABASE and PG_OGR (a GDAL connection string).

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "Bail out! PostgreSQL server binaries not found (package postgresql-15)"
  exit 1
fi
pg_tmp=$(mktemp -d /tmp/placer-pg-XXXXXX)
chmod 755 "$pg_tmp"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: run the server as the postgres user.
  chown postgres "$pg_tmp"
  as_pg=(runuser -u postgres --)
fi
pg_stop() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_tmp/db" -m immediate stop >/dev/null 2>&1
  rm -rf "$pg_tmp"
}
trap pg_stop EXIT
export PGHOST=$pg_tmp PGPORT=$((20000 + RANDOM % 20000)) PGUSER=postgres PGDATABASE=postgres
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_tmp/db" -A trust -U postgres --no-sync >"$pg_tmp/initdb.log" 2>&1 ||
  { echo "Bail out! initdb failed: $(tail -n 3 "$pg_tmp/initdb.log")"; exit 1; }
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_tmp/db" -w -l "$pg_tmp/server.log" \
  -o "-k $pg_tmp -p $PGPORT -c listen_addresses= -c fsync=off" start >/dev/null ||
  { echo "Bail out! PostgreSQL did not start: $(tail -n 3 "$pg_tmp/server.log")"; exit 1; }
psql -qX -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION postgis' >/dev/null ||
  { echo "Bail out! PostGIS is not installed (package postgresql-15-postgis-3)"; exit 1; }
PG_OGR="PG:host=$PGHOST port=$PGPORT user=postgres dbname=postgres"
