#!/usr/bin/env bash
# Runs the service locally: the README's "one command runs it".
# Starts (installing if needed) a local RabbitMQ unless a broker is configured, then runs
# src/OptOut.Service in Release with the embedded SQLite store under ./data.
# Extra arguments go to the service, e.g. deploy/run.sh --Storage:Provider=Mongo --Storage:MongoUri=mongodb://...
# Every setting can also come from the environment (RabbitMq__Host, Storage__Provider, ...; see README).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# RABBITMQ_HOST is the tests' variable; the service reads RabbitMq__Host / RabbitMq__Port.
if [[ -n "${RABBITMQ_HOST:-}" && -z "${RabbitMq__Host:-}" ]]; then
    address="${RABBITMQ_HOST#*://}"
    address="${address##*@}"
    address="${address%%/*}"
    export RabbitMq__Host="${address%%:*}"
    [[ "$address" == *:* ]] && export RabbitMq__Port="${address##*:}"
fi
if [[ -z "${RabbitMq__Host:-}" && "${Bus__Transport:-RabbitMq}" != "InMemory" ]]; then
    deploy/start-rabbitmq.sh >/dev/null
fi

# `dotnet run` runs the app in the project's folder: anchor the SQLite file to the repo's ./data.
mkdir -p data
export Storage__SqlitePath="${Storage__SqlitePath:-$PWD/data/optout.db}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --no-launch-profile: the same settings as production (appsettings.json), not a profile's.
exec dotnet run --project src/OptOut.Service -c Release --no-launch-profile -- "$@"
