#!/usr/bin/env bash
# Run a command with a throw-away PostgreSQL server for the tests: TEST_POSTGRES_URL names it.
#
# The server lives in a temporary folder, listens on a free loopback port, runs as the `postgres` user
# (PostgreSQL refuses to run as root) and is stopped and removed when the command ends, whatever happens.
# Without PostgreSQL's binaries (Debian: apt-get install postgresql) the command runs without a server and
# the PostgreSQL tests are skipped, except under CI=true where they fail.
set -euo pipefail

if [[ -n "${TEST_POSTGRES_URL:-}" ]]; then
    exec "$@"
fi

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
    [[ -x "$candidate/initdb" ]] && bindir="$candidate"
done
if [[ -z "$bindir" ]] && command -v initdb >/dev/null; then
    bindir="$(dirname "$(command -v initdb)")"
fi
if [[ -z "$bindir" ]]; then
    exec "$@"
fi

run_as=()
if [[ "$(id -u)" == 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
        exec "$@"
    fi
    run_as=(runuser -u postgres --)
fi

# In memory where the machine has room (/dev/shm, 1 GiB free): each test copies a template database, and on a
# virtual disk a copy took ten times as long as in memory.
parent=/tmp
if [[ -d /dev/shm && -w /dev/shm ]] && (( $(df -Pk /dev/shm | awk 'NR == 2 {print $4}') > 1048576 )); then
    parent=/dev/shm
fi
folder="$(mktemp -d "$parent/thidua-pg.XXXXXX")"
chmod 755 "$folder"
[[ ${#run_as[@]} -gt 0 ]] && chown postgres "$folder"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

stop() {
    "${run_as[@]}" "$bindir/pg_ctl" -D "$folder/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$folder"
}
trap stop EXIT

# C collation sorts text by bytes, as SQLite does, so both engines list things in the same order.
"${run_as[@]}" "$bindir/initdb" -D "$folder/data" -U postgres -A trust -E UTF8 --no-locale >"$folder/initdb.log" 2>&1
# Durability settings off: a test server that loses its data on a power cut is fine and much faster.
"${run_as[@]}" "$bindir/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -o \
    "-p $port -k $folder -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
     -c full_page_writes=off -c max_connections=200 -c max_wal_size=256MB" start >/dev/null

export TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
"$@"
