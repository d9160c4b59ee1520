#!/usr/bin/env bash
# A private PostgreSQL for the sync tests (recipe in ../shared/TOOLCHAIN.md).
#   export TOWNDESK_TEST_PG="$(.ci/pg.sh start)"   # prints the URL alone on stdout
#   .ci/pg.sh stop
# DIR defaults to /tmp/towndesk-pg (must be reachable by the postgres user). Runs as root.
set -euo pipefail
cmd="${1:-start}"
D="${2:-/tmp/towndesk-pg}"
if [ ! -d /usr/lib/postgresql ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
fi
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
case "$cmd" in
  start)
    if [ -f "$D/postmaster.pid" ]; then
      runuser -u postgres -- "$BIN/pg_ctl" -D "$D" -m immediate stop >&2 || true
    fi
    rm -rf "$D"
    mkdir -p "$D"
    chown postgres "$D"
    PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    runuser -u postgres -- "$BIN/initdb" -D "$D" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >&2
    runuser -u postgres -- "$BIN/pg_ctl" -D "$D" -l "$D/log" \
      -o "-p $PORT -k $D -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" -w start >&2
    echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    runuser -u postgres -- "$BIN/pg_ctl" -D "$D" -m fast stop >&2
    ;;
  *)
    echo "usage: $0 start|stop [DIR]" >&2
    exit 2
    ;;
esac
