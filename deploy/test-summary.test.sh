#!/usr/bin/env bash
# Tests deploy/test-summary.sh on output captured from `dotnet test` (SDK 10.0.401, VSTest,
# NUnit3TestAdapter 6.3.1), trimmed, plus the shapes it must survive. Run by .ci/run before the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

failures=0
# check NAME EXPECTED_LAST_LINE [--exit-code N] <<< LOG
check() {
    local name="$1" expected="$2"
    shift 2
    local output actual
    output="$(./test-summary.sh "$@")"
    actual="$(tail -n 1 <<<"$output")"
    if [[ "$actual" == "$expected" ]]; then
        echo "ok   $name"
    else
        echo "FAIL $name: expected '$expected', got '$actual'"
        failures=$((failures + 1))
    fi
}

# Default (minimal) verbosity: one line per project, a project with no tests prints none.
check "minimal verbosity, one project failing" "3 passed, 1 failed, 1 skipped" <<'LOG'
Test run for /tmp/exp/tests/OptOut.Core.Tests/bin/Release/net10.0/OptOut.Core.Tests.dll (.NETCoreApp,Version=v10.0)
Test run for /tmp/exp/tests/OptOut.Service.Tests/bin/Release/net10.0/OptOut.Service.Tests.dll (.NETCoreApp,Version=v10.0)
No test is available in /tmp/exp/tests/OptOut.Service.Tests/bin/Release/net10.0/OptOut.Service.Tests.dll. Make sure that test discoverer & executors are registered and platform & framework version settings are appropriate and try again.
  Skipped Should_be_skipped [19 ms]

Passed!  - Failed:     0, Passed:     2, Skipped:     1, Total:     3, Duration: 32 ms - OptOut.Core.Tests.dll (net10.0)
  Failed Should_fail [26 ms]
  Error Message:
     Assert.That(1, Is.EqualTo(2))
  Expected: 2
  But was:  1

Failed!  - Failed:     1, Passed:     1, Skipped:     0, Total:     2, Duration: 27 ms - OptOut.Storage.Tests.dll (net10.0)
LOG

check "minimal verbosity, an all-skipped project" "2 passed, 0 failed, 2 skipped" <<'LOG'
Passed!  - Failed:     0, Passed:     2, Skipped:     1, Total:     3, Duration: 42 ms - OptOut.Core.Tests.dll (net10.0)
  Skipped Should_be_inconclusive [21 ms]
Skipped! - Failed:     0, Passed:     0, Skipped:     1, Total:     1, Duration: 28 ms - OptOut.Storage.Tests.dll (net10.0)
LOG

check "minimal verbosity, wide numbers, colours, CRLF, a line printed twice" \
    "123456 passed, 0 failed, 7 skipped" <<LOG
$(printf '\033[32;1mPassed!  - Failed:     0, Passed: 123450, Skipped:     7, Total: 123457, Duration: 3 m 2 s - A.Tests.dll (net10.0)\033[m\r')
Passed!  - Failed:     0, Passed: 123450, Skipped:     7, Total: 123457, Duration: 3 m 2 s - A.Tests.dll (net10.0)
  1>Passed!  - Failed:     0, Passed:     6, Skipped:     0, Total:     6, Duration: 1 s - B.Tests.dll (net10.0)
LOG

# --logger "console;verbosity=normal" (what deploy/test.sh uses): blocks, interleaved across projects.
check "normal verbosity, one project failing" "3 passed, 1 failed, 1 skipped" <<'LOG'
Test run for /tmp/exp/tests/OptOut.Core.Tests/bin/Release/net10.0/OptOut.Core.Tests.dll (.NETCoreApp,Version=v10.0)
NUnit Adapter 6.3.1.0: Test execution started
Should_be_skipped: no broker
Test run for /tmp/exp/tests/OptOut.Storage.Tests/bin/Release/net10.0/OptOut.Storage.Tests.dll (.NETCoreApp,Version=v10.0)
  Skipped Should_be_skipped [53 ms]
  Passed Should_pass [2 ms]
  Passed Should_pass_too [< 1 ms]

Test Run Successful.
Total tests: 3
     Passed: 2
NUnit Adapter 6.3.1.0: Test execution started
    Skipped: 1
 Total time: 1.1828 Seconds
  Failed Should_fail [37 ms]
  Error Message:
     Assert.That(1, Is.EqualTo(2))
  Passed Should_pass [< 1 ms]

Test Run Failed.
Total tests: 2
     Passed: 1
     Failed: 1
 Total time: 1.3719 Seconds
LOG

check "normal verbosity, a test host crashed" "2 passed, 1 failed, 1 skipped" <<'LOG'
  Skipped Should_be_skipped [19 ms]
  Passed Should_pass [1 ms]
  Passed Should_pass_too [< 1 ms]

Test Run Successful.
Total tests: 3
     Passed: 2
    Skipped: 1
 Total time: 0.8266 Seconds
   NUnit3TestExecutor discovered 3 of 3 NUnit test cases using Current Discovery mode, Non-Explicit run
Process terminated.
boom
   at OptOut.Storage.Tests.Sample_Specs.Should_crash()
The active test run was aborted. Reason: Test host process crashed : Process terminated.
boom


Test Run Aborted.
LOG

check "normal verbosity, a hung test killed by --blame-hang-timeout" "2 passed, 1 failed, 1 skipped" <<'LOG'
Test Run Successful.
Total tests: 3
     Passed: 2
    Skipped: 1
 Total time: 1.0964 Seconds
The active test run was aborted. Reason: Test host process crashed
Data collector 'Blame' message: The specified inactivity time of 20 seconds has elapsed. Collecting hang dumps from testhost and its child processes.

Test Run Aborted.

The active Test Run was aborted because the host process exited unexpectedly. Please inspect the call stack above, if available, to get more information about where the exception originated from.
The test running when the crash occurred:
OptOut.Storage.Tests.Sample_Specs.Should_hang
LOG

check "terminal logger summary only" "40 passed, 2 failed, 3 skipped" <<'LOG'
Test summary: total: 45, failed: 2, succeeded: 40, skipped: 3, duration: 12.3s
LOG

check "no test at all, exit 0" "0 passed, 0 failed, 0 skipped" --exit-code 0 <<'LOG'
No test is available in /x/OptOut.Service.Tests.dll. Make sure that test discoverer & executors are registered and platform & framework version settings are appropriate and try again.
LOG

check "build failed (no output to count, exit 1)" "0 passed, 1 failed, 0 skipped" --exit-code 1 </dev/null

check "exit code already explained by the failed count" "1 passed, 1 failed, 0 skipped" --exit-code 1 <<'LOG'
Failed!  - Failed:     1, Passed:     1, Skipped:     0, Total:     2, Duration: 27 ms - OptOut.Storage.Tests.dll (net10.0)
LOG

check "a file argument" "2 passed, 0 failed, 0 skipped" <(echo 'Passed!  - Failed:     0, Passed:     2, Skipped:     0, Total:     2, Duration: 1 ms - C.dll (net10.0)')

if ((failures > 0)); then
    echo "test-summary.test: $failures check(s) failed"
    exit 1
fi
echo "test-summary.test: all checks passed"
