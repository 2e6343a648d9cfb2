#!/usr/bin/env bash
# A throw-away PostgreSQL server for the store tests, on 127.0.0.1 only.
#   pg_server.sh start DIR   initdb into a new folder under $TMPDIR, start on a free port,
#                            write DIR/conninfo (and DIR/datadir)
#   pg_server.sh stop DIR    stop it and remove its folder
# As root, the server runs as the postgres user (PostgreSQL refuses root).
set -euo pipefail
action=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then echo "pg_server: PostgreSQL is not installed (make deps installs it)" >&2; exit 1; fi
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case $action in
  start)
    "$0" stop "$dir"
    mkdir -p "$dir"
    data=$(mktemp -d "${TMPDIR:-/tmp}/exhunt-pg.XXXXXX")
    echo "$data" >"$dir/datadir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$data"; fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
           || echo $((20000 + RANDOM % 20000)))
    as_owner "$bin/initdb" -D "$data/data" -U exhunt --auth=trust -E UTF8 --locale=C.UTF-8 >"$data/initdb.log" 2>&1 \
      || { cat "$data/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$data/data" -l "$data/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off" start >/dev/null \
      || { cat "$data/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U exhunt exhunt_test
    echo "postgresql://exhunt@127.0.0.1:$port/exhunt_test" >"$dir/conninfo"
    chmod a+r "$dir/conninfo"
    echo "pg_server: $(cat "$dir/conninfo")"
    ;;
  stop)
    if [ -f "$dir/datadir" ]; then
      data=$(cat "$dir/datadir")
      if [ -d "$data/data" ]; then as_owner "$bin/pg_ctl" -D "$data/data" -m immediate stop >/dev/null 2>&1 || true; fi
      case $data in */exhunt-pg.*) rm -rf "$data" ;; esac
    fi
    rm -f "$dir/conninfo" "$dir/datadir"
    ;;
  *) echo "usage: pg_server.sh start|stop DIR" >&2; exit 2 ;;
esac
