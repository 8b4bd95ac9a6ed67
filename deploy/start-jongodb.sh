#!/usr/bin/env bash
# Starts the jongodb in-memory MongoDB emulator for local runs and CI on machines without Docker.
# It speaks the MongoDB wire protocol but is not MongoDB: the Mongo store tests skip, by name and with the reason,
# what it can't do ($push, find projections). Production and Testcontainers runs use real MongoDB 7.
#
# Usage:   export "$(deploy/start-jongodb.sh)"      # sets MONGODB_URI for this shell
#          JONGODB_PORT=27099 deploy/start-jongodb.sh
# Stop:    kill "$(cat .tools/jongodb/jongodb-<port>.pid)"
#
# Only the MONGODB_URI=... line goes to stdout; progress goes to stderr.
set -euo pipefail

readonly PACKAGE="@jongodb/memory-server-bin-linux-x64-gnu"
readonly VERSION="0.1.6"
readonly PORT="${JONGODB_PORT:-27017}"
readonly HOST="127.0.0.1"
readonly ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly TOOLS="$ROOT/.tools/jongodb"
readonly PACKAGE_DIR="$TOOLS/node_modules/$PACKAGE"
readonly BIN="$PACKAGE_DIR/bin/jongodb"
readonly PID_FILE="$TOOLS/jongodb-$PORT.pid"
readonly LOG_FILE="$TOOLS/jongodb-$PORT.log"

log() { echo "start-jongodb: $*" >&2; }

accepts_connections() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

if [[ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]]; then
  log "the $PACKAGE binary is for Linux x86-64 (glibc) only; use Testcontainers or set MONGODB_URI instead"
  exit 1
fi

if [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null && accepts_connections; then
  log "already running (pid $(cat "$PID_FILE"))"
  echo "MONGODB_URI=mongodb://$HOST:$PORT"
  exit 0
fi

if accepts_connections; then
  log "port $PORT is taken by another process; choose another with JONGODB_PORT"
  exit 1
fi

if [[ ! -x "$BIN" ]]; then
  command -v npm >/dev/null || { log "npm is required to install $PACKAGE"; exit 1; }
  log "installing $PACKAGE@$VERSION into ${TOOLS#"$ROOT"/}"
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "$PACKAGE@$VERSION" >&2
fi

# The package records the binary's checksum; refuse to run a binary that doesn't match it.
expected="$(node -e 'console.log(require(process.argv[1]).jongodb.sha256)' "$PACKAGE_DIR/package.json" 2>/dev/null || true)"
if [[ -n "$expected" ]] && ! echo "$expected  $BIN" | sha256sum --check --status; then
  log "checksum mismatch for $BIN; delete ${TOOLS#"$ROOT"/} and run again"
  exit 1
fi

log "starting on $HOST:$PORT (log: ${LOG_FILE#"$ROOT"/})"
nohup "$BIN" --host="$HOST" --port="$PORT" >"$LOG_FILE" 2>&1 &
echo $! >"$PID_FILE"

for _ in $(seq 1 150); do
  if accepts_connections; then
    echo "MONGODB_URI=mongodb://$HOST:$PORT"
    exit 0
  fi
  if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    log "jongodb exited during startup:"
    cat "$LOG_FILE" >&2
    exit 1
  fi
  sleep 0.2
done

log "jongodb did not accept connections on port $PORT within 30 s (log: $LOG_FILE)"
exit 1
