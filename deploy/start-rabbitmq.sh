#!/usr/bin/env bash
# Makes sure a RabbitMQ broker answers, for the tests (.ci/run, deploy/test.sh) and deploy/run.sh.
# Idempotent: it uses the broker in RABBITMQ_HOST, or one already on localhost, before starting one.
# With neither, it installs Debian's rabbitmq-server if missing and starts it detached (no Docker needed).
#
# stdout: one line, the host the broker answers on (for RABBITMQ_HOST); progress goes to stderr.
# Env:    RABBITMQ_HOST   host, host:port or amqp://user:pass@host:port/vhost of an existing broker
#         RABBITMQ_PORT   port of the local broker (default 5672)
#         RABBITMQ_START_TIMEOUT  seconds to wait for a started broker (default 90)
# Nothing else is enabled: no plugins (the management UI is docker-compose's), no init/systemd units.
set -euo pipefail

port="${RABBITMQ_PORT:-5672}"
start_timeout="${RABBITMQ_START_TIMEOUT:-90}"

log() { echo "start-rabbitmq: $*" >&2; }
die() { echo "start-rabbitmq: ERROR: $*" >&2; exit 1; }

# True when something accepts TCP connections on $1:$2 (bash's /dev/tcp: no nc needed).
# shellcheck disable=SC2016 # $0/$1 expand in the inner bash, on purpose
answers() {
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        die "installing or starting RabbitMQ needs root (or sudo): run as root, or set RABBITMQ_HOST to a broker"
    fi
}

# A broker given explicitly wins when it answers.
if [[ -n "${RABBITMQ_HOST:-}" ]]; then
    address="${RABBITMQ_HOST#*://}"   # drop amqp://
    address="${address##*@}"          # drop user:pass@
    address="${address%%/*}"          # drop /vhost
    given_host="${address%%:*}"
    given_port="$port"
    [[ "$address" == *:* ]] && given_port="${address##*:}"
    if answers "$given_host" "$given_port"; then
        log "using the broker in RABBITMQ_HOST ($given_host:$given_port)"
        echo "$RABBITMQ_HOST"
        exit 0
    fi
    log "nothing answers on RABBITMQ_HOST=$RABBITMQ_HOST ($given_host:$given_port); falling back to a local broker"
fi

if answers localhost "$port"; then
    log "a broker already answers on localhost:$port"
    echo localhost
    exit 0
fi

if ! command -v rabbitmq-server >/dev/null 2>&1 || ! command -v rabbitmqctl >/dev/null 2>&1; then
    log "installing rabbitmq-server with apt"
    export DEBIAN_FRONTEND=noninteractive
    apt_install() {
        as_root apt-get install -y -qq -o Dpkg::Use-Pty=0 rabbitmq-server >&2
    }
    # A fresh machine has no package lists ("Unable to locate package") and an old one may
    # point at versions the mirror no longer has: only then refresh them and try again.
    if ! apt_install; then
        log "refreshing apt package lists and retrying"
        as_root apt-get update -qq >&2
        apt_install || die "apt-get install rabbitmq-server failed (see above)"
    fi
fi

log "starting RabbitMQ on localhost:$port"
# Its output goes to a file, not our stdout, so a caller's $(...) never waits on the daemon.
start_output="$(mktemp)"
trap 'rm -f "$start_output"' EXIT
as_root env RABBITMQ_NODE_PORT="$port" rabbitmq-server -detached >"$start_output" 2>&1 ||
    log "rabbitmq-server -detached exited non-zero (a node may already be booting); waiting for it anyway"

# await_startup fails at once until the Erlang node is reachable (~5 s), so retry it.
deadline=$((SECONDS + start_timeout))
last_error=""
until last_error="$(timeout 30 rabbitmqctl await_startup --timeout 20 2>&1)" && answers localhost "$port"; do
    if ((SECONDS >= deadline)); then
        log "rabbitmq-server -detached said: $(cat "$start_output")"
        log "last rabbitmqctl output: ${last_error:-<none>}"
        for f in /var/log/rabbitmq/*.log; do
            [[ -f "$f" ]] && { log "tail of $f:"; tail -n 20 "$f" >&2; }
        done
        die "RabbitMQ did not come up on localhost:$port within ${start_timeout}s"
    fi
    sleep 2
done

log "RabbitMQ is up on localhost:$port (guest/guest)"
echo localhost
