#!/usr/bin/env bash
# Reads the output of `dotnet test` (a file, or stdin) and prints, as its last line,
#   N passed, N failed, N skipped
# summed over every test project. Used by deploy/test.sh; tested by deploy/test-summary.test.sh.
#
# Usage: test-summary.sh [--exit-code N] [LOG]
#   --exit-code N  the exit code of the step that produced LOG (dotnet test, or the build before it).
#                  A non-zero code that no counted failure explains (a build error, a crashed test
#                  host, a project that did not start) counts as one failed, so the line never reads
#                  "0 failed" for a run that failed.
#
# VSTest (what `dotnet test` runs here) prints its counts in one of two shapes, by console verbosity:
#   minimal/quiet, one line per test project:
#     Passed!  - Failed:     0, Passed:    35, Skipped:     2, Total:    37, Duration: 1 s - X.dll (net10.0)
#   normal/detailed, one block per test project (lines may interleave across projects running in
#   parallel, which is harmless because only sums are wanted; a zero count is left out):
#     Total tests: 37
#          Passed: 35
#         Skipped: 2
# and "Test Run Aborted." when a test host crashed or hung (its unfinished tests are in no count).
# MSBuild's terminal logger, if it is ever on, prints one "Test summary: total: .., failed: .., ..."
# line for the whole run: used only when neither shape above is present.
set -euo pipefail

exit_code=0
if [[ "${1:-}" == "--exit-code" ]]; then
    exit_code="$2"
    shift 2
fi

awk -v exit_code="$exit_code" '
{
    sub(/\r$/, "")
    gsub(/\033\[[0-9;]*[A-Za-z]/, "")      # colours, if a terminal asked for them
    sub(/^[ \t]*[0-9]+>/, "")                # MSBuild node prefix ("  1>") at higher verbosity
}

# One line per project. Keyed by the project (the text after the last " - "), so a line printed
# twice is counted once.
/(Passed|Failed|Skipped)! +- +Failed: *[0-9]+, *Passed: *[0-9]+, *Skipped: *[0-9]+, *Total: *[0-9]+/ {
    match($0, /(Passed|Failed|Skipped)! +- +Failed: *[0-9]+, *Passed: *[0-9]+, *Skipped: *[0-9]+/)
    n = split(substr($0, RSTART, RLENGTH), num, /[^0-9]+/)   # "", failed, passed, skipped
    key = $0
    sub(/.* - /, "", key)
    if (!(key in seen)) order[++projects] = key
    seen[key] = 1
    line_failed[key] = num[2]; line_passed[key] = num[3]; line_skipped[key] = num[4]
    next
}

# The per-project block.
/^ *Passed: +[0-9]+ *$/  { block_passed  += $2; blocks = 1; next }
/^ *Failed: +[0-9]+ *$/  { block_failed  += $2; blocks = 1; next }
/^ *Skipped: +[0-9]+ *$/ { block_skipped += $2; blocks = 1; next }
/^Total tests: +[0-9]+ *$/ { blocks = 1; next }

/^Test Run (Aborted|Canceled)/ { aborted++; next }

# Terminal logger, whole run.
/Test summary: *total: *[0-9]+, *failed: *[0-9]+, *succeeded: *[0-9]+, *skipped: *[0-9]+/ {
    match($0, /total: *[0-9]+, *failed: *[0-9]+, *succeeded: *[0-9]+, *skipped: *[0-9]+/)
    split(substr($0, RSTART, RLENGTH), num, /[^0-9]+/)      # "", total, failed, succeeded, skipped
    tl_failed = num[3]; tl_passed = num[4]; tl_skipped = num[5]; tl = 1
    next
}

END {
    if (projects > 0) {
        for (i = 1; i <= projects; i++) {
            k = order[i]
            passed += line_passed[k]; failed += line_failed[k]; skipped += line_skipped[k]
        }
    } else if (blocks) {
        passed = block_passed; failed = block_failed; skipped = block_skipped
    } else if (tl) {
        passed = tl_passed; failed = tl_failed; skipped = tl_skipped
    }
    passed += 0; failed += 0; skipped += 0

    if (aborted > 0) {
        print "test-summary: " aborted " test run(s) aborted (a test host crashed or hung): counted as failed"
        failed += aborted
    }
    if (exit_code != 0 && failed == 0) {
        print "test-summary: exit code " exit_code " with no failed test reported (a build error, or a test project that could not run): counted as 1 failed"
        failed = 1
    }
    printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
}
' "${1:--}"
