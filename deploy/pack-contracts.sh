#!/usr/bin/env bash
# Packs src/OptOut.Contracts (the NuGet package .NET producers reference: src/OptOut.Contracts/README.md) and checks
# the package has what a consumer needs: the dll, its XML docs (the API documentation IntelliSense shows), the
# readme, the license, the version of the csproj's VersionPrefix, and MassTransit.Abstractions as a dependency
# bounded below 9 (9 needs a paid licence). Run by .ci/run before the tests, through deploy/pack-contracts.test.sh.
#
# deploy/pack-contracts.sh [OUT_DIR]      packs into OUT_DIR (default: a temporary folder, deleted afterwards) and checks
# deploy/pack-contracts.sh --check NUPKG  only checks a package; exit 1 naming every part it lacks
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

project=src/OptOut.Contracts/OptOut.Contracts.csproj
version="$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$project")"
if [[ -z "$version" ]]; then
    echo "no <VersionPrefix> in $project: the package's version comes from it"
    exit 1
fi

check() {
    local nupkg="$1" missing=()
    if ! command -v unzip >/dev/null 2>&1; then
        echo "unzip is needed to read $nupkg (apt-get install -y unzip)"
        return 1
    fi
    local entries nuspec
    entries="$(unzip -Z1 "$nupkg")" || { echo "$nupkg is not a zip file"; return 1; }
    nuspec="$(unzip -p "$nupkg" OptOut.Contracts.nuspec 2>/dev/null || true)"

    has_entry() { grep -qxF "$1" <<<"$entries"; }
    has_entry lib/net10.0/OptOut.Contracts.dll || missing+=("the dll (lib/net10.0/OptOut.Contracts.dll)")
    if has_entry lib/net10.0/OptOut.Contracts.xml; then
        # The docs of the contracts themselves, not an empty file.
        unzip -p "$nupkg" lib/net10.0/OptOut.Contracts.xml | grep -q 'name="T:OptOut.Contracts.InboundMessage"' \
            || missing+=("the XML docs of the contracts (lib/net10.0/OptOut.Contracts.xml has no InboundMessage)")
    else
        missing+=("the XML docs (lib/net10.0/OptOut.Contracts.xml)")
    fi
    has_entry README.md || missing+=("the readme (README.md)")
    if [[ -z "$nuspec" ]]; then
        missing+=("the nuspec (OptOut.Contracts.nuspec)")
    else
        grep -qF '<readme>README.md</readme>' <<<"$nuspec" || missing+=("the readme in the nuspec (<readme>README.md</readme>)")
        grep -qF "<version>$version</version>" <<<"$nuspec" || missing+=("version $version (the csproj's VersionPrefix) in the nuspec")
        grep -q '<license type="expression">[^<]' <<<"$nuspec" || missing+=("a license expression in the nuspec")
        grep -q '<authors>[^<]' <<<"$nuspec" || missing+=("authors in the nuspec")
        grep -q '<description>[^<]' <<<"$nuspec" || missing+=("a description in the nuspec")
        grep -Eq '<dependency id="MassTransit.Abstractions" version="\[8\.[0-9.]+, 9\.0\.0\)"' <<<"$nuspec" \
            || missing+=("the dependency MassTransit.Abstractions [8.x, 9.0.0) in the nuspec")
    fi

    if ((${#missing[@]} > 0)); then
        echo "$nupkg lacks:"
        printf '  - %s\n' "${missing[@]}"
        return 1
    fi
    echo "$nupkg: dll, XML docs, readme, license, version $version, MassTransit.Abstractions [8, 9)"
}

if [[ "${1:-}" == "--check" ]]; then
    check "${2:?--check needs a .nupkg}"
    exit
fi

out="${1:-}"
if [[ -z "$out" ]]; then
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDTERMINALLOGGER=off
# TreatWarningsAsErrors holds for packing too: a pack warning (NU5xxx) fails here.
dotnet pack "$project" -c Release -o "$out" -warnaserror
check "$out/OptOut.Contracts.$version.nupkg"
