#!/usr/bin/env bash
# Ratatoskr against Mosquitto only: bench/compare-mqtt.sh with PEERS=mosquitto (its header lists the settings and
# scenarios). Kept so that the commands in docs/benchmarks.md's earlier sections still run.
#
#   REPS=1 DURATION=3s SCENARIOS='q1-' bench/compare-mosquitto.sh
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
PEERS=mosquitto exec "$here/compare-mqtt.sh" "$@"
