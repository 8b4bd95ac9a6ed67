#!/usr/bin/env bash
# Runs every test of the solution: the README's test command, and what CI (.ci/run) runs.
# It builds the solution once (Release) and runs all test projects on that build
# (`dotnet test OptOut.Messaging.sln -c Release`, split so a build error is told apart from a failed test).
#
# Integration specs use the broker in RABBITMQ_HOST and the MongoDB in MONGODB_URI when set
# (deploy/start-rabbitmq.sh starts a local broker); without them they use Testcontainers when a
# Docker engine exists, else they are skipped with the reason printed.
#
# Extra arguments go to `dotnet test`, e.g. deploy/test.sh --filter "FullyQualifiedName~Keyword".
# Output is also kept in TestResults/build.log and TestResults/test.log.
# The last line is "N passed, N failed, N skipped" over all test projects; the exit code is
# non-zero when the build or any test failed.
#
# Env: TEST_HANG_TIMEOUT  a test running longer than this is killed and the run fails, naming it
#                         (default 10m; keeps a hung broker from eating CI's time budget)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Plain console output, whatever the terminal: test-summary.sh reads VSTest's own summary lines.
export MSBUILDTERMINALLOGGER=off

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
