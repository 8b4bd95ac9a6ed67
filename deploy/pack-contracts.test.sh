#!/usr/bin/env bash
# Packs the contracts (deploy/pack-contracts.sh, which checks the package) and then shows that the check fails on a
# package that lacks each part: the same package with one entry removed, or its nuspec changed. Run by .ci/run before
# the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "-- packing"
bash ./pack-contracts.sh "$out/pack"
good="$(ls "$out"/pack/OptOut.Contracts.*.nupkg)"

# without NAME ENTRY [PATTERN REPLACEMENT]: a copy of the package without ENTRY, or with the regular expression PATTERN
# replaced in it.
without() {
    python3 - "$good" "$out/$1.nupkg" "$2" "${3:-}" "${4:-}" <<'PY'
import re, sys, zipfile
source, target, entry, old, new = sys.argv[1:]
with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        if item.filename != entry:
            zout.writestr(item, zin.read(item))
        elif old:
            text, count = re.subn(old, new, zin.read(item).decode("utf-8"))
            if count == 0:
                sys.exit(f"{entry} has no {old!r}")
            zout.writestr(item, text)
PY
    echo "$out/$1.nupkg"
}

failures=0
# expect_rejected NAME EXPECTED_REASON NUPKG
expect_rejected() {
    local output
    if output="$(bash ./pack-contracts.sh --check "$3")"; then
        echo "FAIL $1: the check passed a package without it"
        failures=$((failures + 1))
    elif grep -qF "$2" <<<"$output"; then
        echo "ok   $1"
    else
        echo "FAIL $1: the check failed without naming '$2': $output"
        failures=$((failures + 1))
    fi
}

echo "-- the check on packages that lack a part"
expect_rejected "no dll" "the dll" "$(without no-dll lib/net10.0/OptOut.Contracts.dll)"
expect_rejected "no XML docs" "the XML docs" "$(without no-xml lib/net10.0/OptOut.Contracts.xml)"
expect_rejected "empty XML docs" "has no InboundMessage" \
    "$(without empty-xml lib/net10.0/OptOut.Contracts.xml 'T:OptOut\.Contracts\.InboundMessage"' 'T:Other"')"
expect_rejected "no readme" "the readme (README.md)" "$(without no-readme README.md)"
expect_rejected "readme not declared" "<readme>README.md</readme>" \
    "$(without no-readme-element OptOut.Contracts.nuspec '<readme>README\.md</readme>' '')"
expect_rejected "MassTransit.Abstractions without an upper bound" "MassTransit.Abstractions [8.x, 9.0.0)" \
    "$(without open-range OptOut.Contracts.nuspec '"MassTransit.Abstractions" version="\[([0-9.]+), [0-9.]+\)"' '"MassTransit.Abstractions" version="\1"')"
expect_rejected "no license" "license expression" \
    "$(without no-license OptOut.Contracts.nuspec '<license type="expression">[^<]*</license>' '')"

if ((failures > 0)); then
    echo "$failures contracts package check(s) failed"
    exit 1
fi
echo "contracts package: packed and checked"
