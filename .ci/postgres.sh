#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests and print how to reach it.
#
#   eval "$(.ci/postgres.sh)"       # start; exports PARTNERKIT_POSTGRES_URL (and _DIR, for stop)
#   .ci/postgres.sh stop            # stop the server started above and remove its files
#
# Only the export lines go to stdout; progress and errors go to stderr. The server runs as a
# non-root user (postgres if it exists, else a user pktest created for it), listens on
# 127.0.0.1 on the first free port from PARTNERKIT_POSTGRES_PORT (default 54329), keeps its
# socket in its own temporary folder, trusts local connections and has a database
# partnerkit_test.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

run_as() {
    # Run a command as the server's user (as ourselves when we are not root).
    local user=$1
    shift
    if [ "$(id -u)" -ne 0 ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$user" -- "$@"
    else
        su -s /bin/sh "$user" -c "$(printf '%q ' "$@")"
    fi
}

find_bindir() {
    local initdb
    initdb=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$initdb" ]; then
        dirname "$initdb"
    fi
}

stop() {
    local dir=${PARTNERKIT_POSTGRES_DIR:-}
    if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
        log "nothing to stop (PARTNERKIT_POSTGRES_DIR is unset or has no data folder)"
        return 0
    fi
    local bindir user
    bindir=$(find_bindir)
    user=$(stat -c %U "$dir/data")
    run_as "$user" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    rm -rf "$dir"
    log "stopped and removed $dir"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
    local bindir
    bindir=$(find_bindir)
    if [ -z "$bindir" ]; then
        log "no PostgreSQL under /usr/lib/postgresql; installing it"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        bindir=$(find_bindir)
        if [ -z "$bindir" ]; then
            log "initdb still not found after installing postgresql"
            exit 1
        fi
    fi

    local user
    if [ "$(id -u)" -ne 0 ]; then
        user=$(id -un)
    elif id postgres >/dev/null 2>&1; then
        user=postgres
    else
        if ! id pktest >/dev/null 2>&1; then
            useradd --system --no-create-home --shell /usr/sbin/nologin pktest
        fi
        user=pktest
    fi

    local port=${PARTNERKIT_POSTGRES_PORT:-54329}
    local tries=0
    while port_in_use "$port"; do
        port=$((port + 1))
        tries=$((tries + 1))
        if [ "$tries" -ge 100 ]; then
            log "no free port from ${PARTNERKIT_POSTGRES_PORT:-54329}"
            exit 1
        fi
    done

    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/partnerkit-pg.XXXXXX")
    chmod 700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$user": "$dir"
    fi

    run_as "$user" "$bindir/initdb" -D "$dir/data" --username="$user" --auth=trust \
        --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    # Settings for a disposable test server: nothing here has to survive a crash.
    run_as "$user" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 \
            -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >&2 || {
        cat "$dir/server.log" >&2
        exit 1
    }

    local ready=0
    for _ in $(seq 1 60); do
        if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$user"; then
            ready=1
            break
        fi
        sleep 0.5
    done
    if [ "$ready" -ne 1 ]; then
        log "the server did not become ready; its log:"
        cat "$dir/server.log" >&2
        exit 1
    fi
    "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$user" partnerkit_test >&2
    log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port as $user ($dir)"

    echo "export PARTNERKIT_POSTGRES_URL=postgresql+psycopg://$user@127.0.0.1:$port/partnerkit_test"
    echo "export PARTNERKIT_POSTGRES_DIR=$dir"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *)
        log "usage: $0 [start|stop]"
        exit 2
        ;;
esac
