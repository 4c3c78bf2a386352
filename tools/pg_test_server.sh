#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks: Debian's initdb into a fresh directory, `postgres` on a
# free loopback port (fsync on, synchronous_commit on: the durability incidentd relies on), one database.
#
#   tools/pg_test_server.sh start DIR   initialises DIR/data, starts the server, writes its URL to DIR/url
#   tools/pg_test_server.sh stop DIR    stops the server and removes DIR
#   tools/pg_test_server.sh url DIR     prints the URL
#   tools/pg_test_server.sh halt DIR    stops the server, keeping its data (a database outage, for tests)
#   tools/pg_test_server.sh resume DIR  starts a halted server again on the same port
#
# PostgreSQL refuses to run as root: as root the cluster belongs to `nobody` (runuser), otherwise to the current
# user. When the PostgreSQL 15 binaries are missing, `start` writes no URL and exits 0, and the tests that need the
# server skip themselves (tools/setup.sh installs the `postgresql` package).
set -euo pipefail

bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop|url DIR" >&2
  exit 2
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
  start)
    if [ ! -x "$bin/initdb" ] || [ ! -x "$bin/postgres" ]; then
      echo "pg_test_server: no PostgreSQL binaries in $bin; the PostgreSQL tests will skip" >&2
      mkdir -p "$dir"
      rm -f "$dir/url"
      exit 0
    fi
    # A previous run that was interrupted may have left a server behind: stop it first.
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      chown nobody "$dir"
      # nobody must be able to reach DIR through its parents (a build directory under /root is mode 700).
      p=$(cd "$dir" && pwd)
      while [ "$p" != / ]; do
        p=$(dirname "$p")
        if ! runuser -u nobody -- test -x "$p"; then
          # Not reachable: run the cluster from /tmp and leave a link behind.
          real=$(mktemp -d /tmp/incidentd-pg-XXXXXX)
          chown nobody "$real"
          rmdir "$dir"
          ln -s "$real" "$dir"
          break
        fi
      done
    fi
    data="$dir/data"
    as_owner "$bin/initdb" -D "$data" -U incidentd --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
    for attempt in 1 2 3 4 5; do
      port=$(free_port)
      # No Unix socket (its directory may not be writable by the owner); fsync and synchronous_commit stay on.
      if as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
          -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories= -c fsync=on -c synchronous_commit=on -c max_connections=200" \
          start >/dev/null 2>&1; then
        url="postgres://incidentd@127.0.0.1:$port/incidentd"
        echo "$port" >"$dir/port"
        "$bin/createdb" -h 127.0.0.1 -p "$port" -U incidentd incidentd
        echo "$url" >"$dir/url"
        echo "$url"
        exit 0
      fi
      echo "pg_test_server: start on port $port failed (attempt $attempt)" >&2
      tail -5 "$dir/server.log" >&2 || true
    done
    exit 1
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [ -L "$dir" ]; then
      rm -rf "$(readlink "$dir")"
      rm -f "$dir"
    else
      rm -rf "$dir"
    fi
    ;;
  url)
    cat "$dir/url"
    ;;
  halt)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories= -c fsync=on -c synchronous_commit=on -c max_connections=200" \
      start >/dev/null
    ;;
  *)
    echo "usage: $0 start|stop|url|halt|resume DIR" >&2
    exit 2
    ;;
esac
