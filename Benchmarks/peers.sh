#!/usr/bin/env bash
# Fleet against the seeds' own system, Node's node:cluster (../shared/peers/node-cluster.mjs),
# in one run: the same wrk settings, sides alternating, RUNS runs each, medians.
#
# Sides (SIDES, default all):
#   node        node:cluster, 2 workers, no middleware (the peer)
#   serve       fleet serve: one process, an event loop per core
#   start       fleet start -i 2: two worker processes on one socket, an event loop per core each
#   start-1t    the same with one event loop per worker (NIO_SINGLETON_GROUP_LOOP_COUNT=1)
#   start-full  fleet start -i 2 with the whole stack: rate limit on the embedded table,
#               sessions, metrics, and tracing of 1% of requests
#   start-redis the same stack on Redis (a redis-server this script starts on loopback)
# Paths (PATHS): GET /users/1, a cache hit after the first request, and GET /hello.
#
# Printed per path and side: requests/s, p50 and p99 latency (wrk --latency), the server's
# CPU time per request and its total RSS under load (every process of the side, from /proc),
# each as a ratio to Node's. Writes Benchmarks/results/peers.md and peers.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"
DURATION="${DURATION:-6s}"
CONNECTIONS="${CONNECTIONS:-64}"
WRK_THREADS="${WRK_THREADS:-1}"
PEER="${PEER:-../shared/peers/node-cluster.mjs}"
SIDES="${SIDES:-node serve start start-1t start-full start-redis}"
PATHS="${PATHS:-/users/1 /hello}"
export PATH="/opt/swift/usr/bin:$PATH"

for tool in wrk node python3 bc; do command -v $tool >/dev/null || { echo "$tool is needed" >&2; exit 1; }; done
if [[ -z "${FLEET:-}" ]]; then
    swift build -c release --scratch-path .build-bench --product fleet >&2
    FLEET="$PWD/.build-bench/release/fleet"
fi
source Benchmarks/lib.sh

redis_url=""
if [[ " $SIDES " == *" start-redis "* ]]; then
    command -v redis-server >/dev/null || { echo "redis-server is needed for start-redis" >&2; exit 1; }
    redis_port=$(free_port)
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save '' --appendonly no --daemonize yes --pidfile "$work/redis.pid" >/dev/null
    for _ in $(seq 50); do [[ -s "$work/redis.pid" ]] && break; sleep 0.1; done
    pids+=("$(cat "$work/redis.pid")")
    redis_url="redis://127.0.0.1:$redis_port"
fi

# The whole stack: a limit no benchmark reaches (every request counted and allowed), sessions
# (always on), Prometheus metrics, and OTLP traces of 1% of requests (a busy service's
# sampling) exported to a sink on loopback.
start_otlp_sink
full=(RATE_LIMIT=1000000000/60s METRICS=on OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink_port" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
    OTEL_SERVICE_NAME=fleet-bench OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.01)
declare -A port root label
start_side() { # name label env... -- command...
    local name=$1 text=$2; shift 2
    local env=()
    while [[ $1 != -- ]]; do env+=("$1"); shift; done; shift
    port[$name]=$(free_port); label[$name]=$text
    env RATE_LIMIT=off METRICS=off PORT="${port[$name]}" FLEET_STATE_DIR="$work/$name" LOG_LEVEL=warning \
        SESSION_SECRETS="benchmark-only-secret-of-at-least-32-bytes" "${env[@]}" "$@" >"$work/$name.log" 2>&1 &
    root[$name]=$!; pids+=($!)
}
fleet_start() { echo "$FLEET" start --name "$1" --state-dir "$work/$1" -i 2 --port 0 "$FLEET" serve; }
for side in $SIDES; do
    case $side in
        node) start_side node "node cluster x2" WORKERS=2 -- node "$PEER" ;;
        serve) start_side serve "fleet serve" -- "$FLEET" serve ;;
        start) start_side start "fleet start -i 2" -- $(fleet_start start) ;;
        start-1t) start_side start-1t "start, 1 loop each" NIO_SINGLETON_GROUP_LOOP_COUNT=1 -- $(fleet_start start-1t) ;;
        start-full) start_side start-full "start, full stack" "${full[@]}" -- $(fleet_start start-full) ;;
        start-redis) start_side start-redis "start, stack on Redis" "${full[@]}" REDIS_URL="$redis_url" -- $(fleet_start start-redis) ;;
        *) echo "unknown side $side; known: node serve start start-1t start-full start-redis" >&2; exit 64 ;;
    esac
done
for side in $SIDES; do
    # fleet start binds the port it is given; with --port 0 ask the supervisor which it took.
    if [[ $side == start* ]]; then
        for _ in $(seq 100); do
            p=$("$FLEET" list --name "$side" --state-dir "$work/$side" --json 2>/dev/null | awk -F': ' '/"port"/ {gsub(/,/,"",$2); print $2; exit}') && [ -n "$p" ] && [ "$p" != 0 ] && break
            sleep 0.1
        done
        port[$side]=$p
    fi
    wait_http "${port[$side]}"
    [ "$side" = node ] || seed "${port[$side]}"
    for path in $PATHS; do curl -sf -o /dev/null "http://127.0.0.1:${port[$side]}$path"; done
done

descendants() { local pid; for pid in $(pgrep -P "$1" || true); do echo "$pid"; descendants "$pid"; done; }
tree() { echo "$1"; descendants "$1"; }
tree_ticks() { local total=0 pid; for pid in $(tree "$1"); do total=$((total + $(ticks "$pid"))); done; echo $total; }
tree_rss_mib() { local total=0 pid; for pid in $(tree "$1"); do total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0))); done; echo "$total / 1024" | bc -l; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}'; }
hz=$(getconf CLK_TCK)
seconds=${DURATION%s}

# One wrk run: prints "requests/s p50-ms p99-ms cpu-us-per-request rss-mib".
measure() {
    local before after out requests
    before=$(tree_ticks "${root[$1]}")
    # RSS under load: sampled halfway through the run.
    ( sleep "$(echo "$seconds / 2" | bc -l)"; tree_rss_mib "${root[$1]}" > "$work/rss" ) &
    local sampler=$!
    out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:${port[$1]}$2")
    wait $sampler
    after=$(tree_ticks "${root[$1]}")
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
        "$(echo "$out" | awk '$1 == "50%" {print $2}' | to_ms)" \
        "$(echo "$out" | awk '$1 == "99%" {print $2}' | to_ms)" \
        "$(echo "($after - $before) * 1000000 / $hz / $requests" | bc -l)" \
        "$(cat "$work/rss")"
}

m() { echo "$1" | tr ' ' '\n' | grep . | median; }
ratio() { [[ -n "$2" ]] && printf '%.2fx' "$(echo "$1 / $2" | bc -l)" || echo -; }
mkdir -p Benchmarks/results
results="Benchmarks/results/peers.md"
{
    echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION, medians of $RUNS alternating runs; $(nproc) cores; $(date -u +%Y-%m-%d)"
    echo
    echo "| path | side | req/s | vs Node | p50 ms | p99 ms | p99 vs Node | CPU µs/req | RSS MiB | RSS vs Node |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
} > "$results"
chart="$work/chart.tsv"
for path in $PATHS; do
    declare -A rate=() p50=() p99=() cpu=() rss=()
    for _ in $(seq "$RUNS"); do
        for side in $SIDES; do
            read -r r a b c s < <(measure "$side" "$path")
            rate[$side]+="$r "; p50[$side]+="$a "; p99[$side]+="$b "; cpu[$side]+="$c "; rss[$side]+="$s "
        done
    done
    nr=""; n99=""; nrss=""
    if [[ -n "${rate[node]:-}" ]]; then nr=$(m "${rate[node]}"); n99=$(m "${p99[node]}"); nrss=$(m "${rss[node]}"); fi
    for side in $SIDES; do
        r=$(m "${rate[$side]}"); a=$(m "${p50[$side]}"); b=$(m "${p99[$side]}"); c=$(m "${cpu[$side]}"); s=$(m "${rss[$side]}")
        printf '| %s | %s | %.0f | %s | %.2f | %.2f | %s | %.1f | %.0f | %s |\n' "$path" "${label[$side]}" "$r" "$(ratio "$r" "$nr")" \
            "$a" "$b" "$(ratio "$b" "$n99")" "$c" "$s" "$(ratio "$s" "$nrss")" >> "$results"
        printf '%s\t%s\t%.0f\n' "$path" "${label[$side]}" "$r" >> "$chart"
    done
    unset rate p50 p99 cpu rss
done
cat "$results"
python3 Benchmarks/chart.py "$chart" "Benchmarks/results/peers.svg" "requests/s, $(nproc) cores, wrk -c$CONNECTIONS (higher is better)"
echo "wrote $results and Benchmarks/results/peers.svg"
