#!/usr/bin/env bash
# GET /users/1 latency while POST /reports (chained SHA-256 over a 64 KiB body) is
# hammered, with the work on the offload pool or on the event loop, Fleet and Node:
#   fleet-alone    fleet serve, /users/1 only (a cache hit, answered on the event loop)
#   fleet-offload  the same while reports run on the Offload pool (the default)
#   fleet-loop     the same while reports run on an event loop (?run=loop, BENCH_ROUTES=1)
#   node-alone     node-reports.mjs, /users/1 only
#   node-offload   the same while reports run on worker_threads (its pool, same queue rule)
#   node-loop      the same while reports run on Node's event loop (?run=loop)
# Both servers get OFFLOAD_THREADS (default: the cores) and OFFLOAD_QUEUE=64.
# Sides alternate, RUNS runs each; the table shows medians: /users/1 p50 and p99
# (wrk --latency), its p99 against the same server alone, against Node in the same
# mode, and the reports answered per second. `run.sh micro` instead prints the
# per-job cost of NIOThreadPool against a thread-backed TaskExecutor (micro/).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-3}"
DURATION="${DURATION:-6s}"
CONNECTIONS="${CONNECTIONS:-16}"
REPORT_CONNECTIONS="${REPORT_CONNECTIONS:-4}"
ROUNDS="${ROUNDS:-100}"
SIDES="${SIDES:-fleet-alone fleet-offload fleet-loop node-alone node-offload node-loop}"
export PATH="/opt/swift/usr/bin:$PATH"

if [[ "${1:-}" == micro ]]; then
    swift build -c release --package-path Benchmarks/offload/micro >&2
    echo "load: $(uptime)"
    Benchmarks/offload/micro/.build/release/OffloadMicro
    echo "load: $(uptime)"
    exit
fi
for tool in wrk node curl bc; do command -v $tool >/dev/null || { echo "$tool is needed" >&2; exit 1; }; done
if [[ -z "${FLEET:-}" ]]; then
    swift build -c release --scratch-path .build-bench --product fleet >&2
    FLEET="$PWD/.build-bench/release/fleet"
fi
source Benchmarks/lib.sh
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}'; }

fleet_port=$(free_port); node_port=$(free_port)
env RATE_LIMIT=off BENCH_ROUTES=1 OFFLOAD_QUEUE=64 PORT="$fleet_port" FLEET_STATE_DIR="$work/fleet" LOG_LEVEL=warning \
    DATABASE_URL= REDIS_URL= "$FLEET" serve >/dev/null 2>&1 & pids+=($!)
OFFLOAD_QUEUE=64 PORT="$node_port" node Benchmarks/offload/node-reports.mjs >/dev/null 2>&1 & pids+=($!)
wait_http "$fleet_port"; wait_http "$node_port"; seed "$fleet_port"
for port in $fleet_port $node_port; do
    body=$(curl -sf "http://127.0.0.1:$port/users/1")
    [ "$body" = '{"id":1,"name":"user1","email":"user1@example.com"}' ] || { echo "$port answers $body" >&2; exit 1; }
done
lua="$PWD/Benchmarks/offload/post.lua"
a=$(wrk -t1 -c1 -d1s -s "$lua" "http://127.0.0.1:$fleet_port/reports?rounds=1" | awk '/Requests\/sec/ {print $2}')
[ "${a%.*}" -gt 0 ] || { echo "fleet answers no reports" >&2; exit 1; }

# One side: prints "p50-ms p99-ms reports-per-second".
measure() {
    local side=$1 server=${1%%-*} mode=${1#*-} port reports="" out
    port=$([ "$server" = fleet ] && echo "$fleet_port" || echo "$node_port")
    if [ "$mode" != alone ]; then
        local seconds=${DURATION%s}
        wrk -t1 -c"$REPORT_CONNECTIONS" -d"$((seconds + 2))s" -s "$lua" "http://127.0.0.1:$port/reports?rounds=$ROUNDS&run=$mode" >"$work/reports" 2>&1 &
        reports=$!
        sleep 1
    fi
    out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/users/1")
    local rps=0
    if [ -n "$reports" ]; then wait "$reports"; rps=$(awk '/Requests\/sec/ {print $2}' "$work/reports"); fi
    echo "$(echo "$out" | awk '$1 == "50%" {print $2}' | to_ms)" "$(echo "$out" | awk '$1 == "99%" {print $2}' | to_ms)" "$rps"
}

echo "load before: $(uptime)"
declare -A p50=() p99=() rps=()
for _ in $(seq "$RUNS"); do
    for side in $SIDES; do
        read -r a b c < <(measure "$side")
        p50[$side]+="$a "; p99[$side]+="$b "; rps[$side]+="$c "
    done
done
echo "load after:  $(uptime)"
m() { echo "$1" | tr ' ' '\n' | grep . | median; }
ratio() { [ -n "${p99[$2]:-}" ] && printf '%.2fx' "$(echo "$(m "${p99[$1]}") / $(m "${p99[$2]}")" | bc -l)" || echo -; }
printf '\n%-14s %10s %10s %14s %12s %12s\n' side "p50 ms" "p99 ms" "p99 vs alone" "p99 vs node" "reports/s"
for side in $SIDES; do
    server=${side%%-*}; mode=${side#*-}
    printf '%-14s %10.2f %10.2f %14s %12s %12.1f\n' "$side" "$(m "${p50[$side]}")" "$(m "${p99[$side]}")" \
        "$(ratio "$side" "$server-alone")" "$([ "$server" = fleet ] && ratio "$side" "node-$mode" || echo -)" "$(m "${rps[$side]}")"
done
printf '\n/users/1 with %s connections, reports (%s rounds over 64 KiB) with %s, %s runs of %s; medians.\n' \
    "$CONNECTIONS" "$ROUNDS" "$REPORT_CONNECTIONS" "$RUNS" "$DURATION"
