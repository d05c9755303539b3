#!/usr/bin/env bash
# Runs a command with TEST_DATABASE_URL pointing at a throwaway PostgreSQL server on loopback.
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
port=${PGTEST_PORT:-54329}
dir=$(mktemp -d /tmp/release-desk-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: the server runs as the postgres system user.
  chown postgres: "$dir"
  as_pg=(runuser -u postgres --)
fi
cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres release_desk_test
TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/release_desk_test" "$@"
