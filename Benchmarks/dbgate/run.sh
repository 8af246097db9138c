#!/usr/bin/env bash
# What bounding every query costs (DatabaseGate: an atomic load and a deadline
# task group per query): GET /users/1 with the cache off, so each request is one
# PostgreSQL query, served by this tree's `fleet serve` and by BASE, a fleet
# binary from before the gate, on the same database. RUNS alternating wrk runs
# per side; medians of throughput and of server CPU per request (from /proc),
# and this tree's figures as ratios to BASE's.
# Needs DATABASE_URL and BASE=/path/to/fleet; FLEET defaults to this tree's release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-5}"
DURATION="${DURATION:-5s}"
CONNECTIONS="${CONNECTIONS:-20}"
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL both sides share}"
: "${BASE:?set BASE to a fleet binary built without the gate}"
export PATH="/opt/swift/usr/bin:$PATH"
if [ -z "${FLEET:-}" ]; then
    swift build -c release --product fleet >/dev/null
    FLEET="$PWD/.build/release/fleet"
fi
source Benchmarks/lib.sh

declare -A port root binary=([base]="$BASE" [gate]="$FLEET")
for side in base gate; do
    port[$side]=$(free_port)
    RATE_LIMIT=off CACHE_TTL=0 DB_POOL_MAX=10 PORT=${port[$side]} FLEET_STATE_DIR="$work/$side" LOG_LEVEL=warning \
        "${binary[$side]}" serve >/dev/null 2>&1 &
    root[$side]=$!
    pids+=($!)
done
for side in base gate; do wait_http "${port[$side]}"; done
seed "${port[base]}"

hz=$(getconf CLK_TCK)
# One wrk run on side $1: prints "requests/s cpu-us-per-request".
measure() {
    local before after out
    before=$(ticks "${root[$1]}")
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:${port[$1]}$2")
    after=$(ticks "${root[$1]}")
    echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(echo "($after - $before) * 1000000 / $hz / $(awk '/requests in/ {print $1}' <<<"$out")" | bc -l)"
}

declare -A rates=() costs=()
for _ in $(seq "$RUNS"); do
    for side in base gate; do
        read -r r c < <(measure "$side" /users/1)
        rates[$side]+="$r "
        costs[$side]+="$c "
    done
done
echo "machine: $(uptime)"
printf '%-6s %12s %12s\n' side "median rps" "cpu us/req"
for side in base gate; do
    r=$(echo "${rates[$side]}" | tr ' ' '\n' | grep . | median)
    c=$(echo "${costs[$side]}" | tr ' ' '\n' | grep . | median)
    printf '%-6s %12.0f %12.1f\n' "$side" "$r" "$c"
    eval "median_r_$side=$r median_c_$side=$c"
done
printf 'gate/base: throughput %.3fx, cpu per request %.3fx\n' \
    "$(echo "$median_r_gate / $median_r_base" | bc -l)" "$(echo "$median_c_gate / $median_c_base" | bc -l)"
