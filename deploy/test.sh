#!/usr/bin/env bash
# Runs every test of the solution: the README's test command, and what CI (.ci/run) runs.
# It builds the solution once (Release) and runs all test projects on that build
# (`dotnet test OptOut.Messaging.sln -c Release`, split so a build error is told apart from a failed test).
#
# First it makes sure what the specs need is there, so one command runs every test on a fresh Debian machine
# with the .NET SDK and root: a RabbitMQ (the one in RABBITMQ_HOST, else one on localhost, else Debian's
# rabbitmq-server installed and started: deploy/start-rabbitmq.sh), a MongoDB (MONGODB_URI when set; else
# Testcontainers when a Docker engine answers; else the npm jongodb emulator on JONGODB_PORT, default 27017:
# deploy/start-jongodb.sh) and /usr/bin/chromium for the panel's browser specs (apt-get when missing).
#
# Extra arguments go to `dotnet test`, e.g. deploy/test.sh --filter "FullyQualifiedName~Keyword".
# Output is also kept in TestResults/build.log and TestResults/test.log.
# The last line is "N passed, N failed, N skipped" over all test projects; the exit code is
# non-zero when the build or any test failed.
#
# Env: TEST_SETUP         auto (default): start or install what is missing; a step that fails is reported and the
#                         specs needing it are skipped with the reason. required: a step that fails fails the run
#                         (CI). none: start nothing (specs without their broker/database/browser are skipped).
#      TEST_HANG_TIMEOUT  a test running longer than this is killed and the run fails, naming it
#                         (default 10m; keeps a hung broker from eating CI's time budget)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Plain console output, whatever the terminal: test-summary.sh reads VSTest's own summary lines.
export MSBUILDTERMINALLOGGER=off

# --- what the specs need -------------------------------------------------------------------------------------------
setup="${TEST_SETUP:-auto}"
case "$setup" in auto | required | none) ;; *) echo "TEST_SETUP must be auto, required or none (not '$setup')"; exit 2 ;; esac

# A step that could not be done: fatal under TEST_SETUP=required, else the specs needing it skip with the reason.
setup_failed() {
    echo "test setup: $*"
    if [[ "$setup" == required ]]; then
        echo "TEST SETUP FAILED (TEST_SETUP=required): no test ran"
        deploy/test-summary.sh --exit-code 1 </dev/null
        exit 1
    fi
    echo "test setup: going on; the specs that need it are skipped with the reason"
}

docker_answers() { command -v docker >/dev/null 2>&1 && timeout 5 docker info >/dev/null 2>&1; }

if [[ "$setup" != none ]]; then
    # Each start script prints what to connect to on stdout. It goes to a file, not $(...): a daemon
    # the script leaves running may hold its stdout open, and $(...) would wait for it forever.
    started="$(mktemp)"
    trap 'rm -f "$started"' EXIT

    echo "== RabbitMQ"
    if bash deploy/start-rabbitmq.sh >"$started"; then
        RABBITMQ_HOST="$(tail -n 1 "$started")"
        export RABBITMQ_HOST
        echo "RABBITMQ_HOST=$RABBITMQ_HOST"
    else
        setup_failed "no RabbitMQ (deploy/start-rabbitmq.sh failed)"
    fi

    echo "== MongoDB"
    if [[ -n "${MONGODB_URI:-}" ]]; then
        echo "MONGODB_URI is set: using it"
    elif docker_answers; then
        echo "a Docker engine answers: the MongoDB specs use Testcontainers (real MongoDB 7)"
    elif bash deploy/start-jongodb.sh >"$started"; then
        MONGODB_URI="$(grep -o 'mongodb://[^[:space:]"'\'']*' "$started" | tail -n 1 || true)"
        if [[ -n "$MONGODB_URI" ]]; then
            export MONGODB_URI
            echo "MONGODB_URI=$MONGODB_URI (the jongodb emulator)"
        else
            setup_failed "deploy/start-jongodb.sh printed no mongodb:// URI; its output was: $(cat "$started")"
        fi
    else
        setup_failed "no MongoDB (deploy/start-jongodb.sh failed; set MONGODB_URI, or JONGODB_PORT when 27017 is taken)"
    fi

    rm -f "$started"
    trap - EXIT

    echo "== Chromium (the panel's browser specs drive Debian's /usr/bin/chromium; never \`playwright install\`)"
    if [[ ! -x /usr/bin/chromium ]]; then
        export DEBIAN_FRONTEND=noninteractive
        install_chromium() {
            apt-get install -y -qq -o Dpkg::Use-Pty=0 chromium >/dev/null
        }
        # As deploy/start-rabbitmq.sh: refresh the package lists only when the install fails without them.
        if ! install_chromium; then
            echo "refreshing apt package lists and retrying"
            apt-get update -qq && install_chromium || setup_failed "could not install chromium"
        fi
    fi
    if [[ -x /usr/bin/chromium ]]; then
        dpkg-query -W -f 'chromium ${Version}\n' chromium 2>/dev/null || true
    fi
fi

# --- build and test ------------------------------------------------------------------------------------------------
results=TestResults
mkdir -p "$results"

set +e
dotnet build OptOut.Messaging.sln -c Release 2>&1 | tee "$results/build.log"
build_rc=${PIPESTATUS[0]}
set -e
if ((build_rc != 0)); then
    echo "BUILD FAILED (exit code $build_rc): no test ran; the errors are above and in $results/build.log"
    deploy/test-summary.sh --exit-code "$build_rc" </dev/null
    exit "$build_rc"
fi

set +e
dotnet test OptOut.Messaging.sln -c Release --no-build \
    --logger "console;verbosity=normal" \
    --results-directory "$results" \
    --blame-hang-timeout "${TEST_HANG_TIMEOUT:-10m}" --blame-hang-dump-type none \
    "$@" 2>&1 | tee "$results/test.log"
test_rc=${PIPESTATUS[0]}
set -e

echo
echo "Full output: $results/test.log"
deploy/test-summary.sh --exit-code "$test_rc" "$results/test.log"
exit "$test_rc"
