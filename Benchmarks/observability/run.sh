#!/usr/bin/env bash
# What observability costs on GET /users/:id (a cache hit, answered on the fast
# path) and GET /hello, against the same build with it off, in one run:
#   off      METRICS=off, no tracing
#   metrics  METRICS=on (request counter + latency histogram per route, lag probe)
#   full     metrics and tracing: a server span per request, exported over
#            OTLP/HTTP to a sink on loopback (parent-based, always on: every request is sampled)
#   sampled  the same with 1% of new traces sampled (OTEL_TRACES_SAMPLER=parentbased_traceidratio,
#            OTEL_TRACES_SAMPLER_ARG=0.01), as a busy service would run
# Each side runs RUNS times, interleaved; the table shows medians and ratios to "off".
# "cpu us/req" is the server's CPU time (user + system, from /proc) per request:
# it holds steady when other work shares the machine, as throughput does not.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-5}"
DURATION="${DURATION:-5s}"
CONNECTIONS="${CONNECTIONS:-50}"
SIDES="off metrics full sampled"
export PATH="/opt/swift/usr/bin:$PATH"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
if [[ -z "${FLEET:-}" ]]; then
    swift build -c release --scratch-path .build-bench --product fleet >&2
    FLEET="$PWD/.build-bench/release/fleet"
fi
fleet="$FLEET"
source Benchmarks/lib.sh

start_otlp_sink

declare -A port root
start_side() { # name env...
    local name=$1; shift
    port[$name]=$(free_port)
    env RATE_LIMIT=off PORT=${port[$name]} FLEET_STATE_DIR="$work/$name" LOG_LEVEL=warning "$@" "$fleet" serve >/dev/null 2>&1 &
    root[$name]=$!; pids+=($!)
}
start_side off METRICS=off
start_side metrics METRICS=on
otel=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink_port" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_SERVICE_NAME=fleet-bench)
start_side full METRICS=on "${otel[@]}"
start_side sampled METRICS=on "${otel[@]}" OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.01
for side in $SIDES; do
    wait_http "${port[$side]}"
    seed "${port[$side]}"
    curl -sf "http://127.0.0.1:${port[$side]}/users/1" >/dev/null
done

hz=$(getconf CLK_TCK)
# One wrk run: prints "requests/s cpu-us-per-request".
measure() {
    local before after out requests rps
    before=$(ticks "${root[$1]}")
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:${port[$1]}$2")
    after=$(ticks "${root[$1]}")
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    echo "$rps $(echo "($after - $before) * 1000000 / $hz / $requests" | bc -l)"
}

echo "load before: $(uptime)"
printf '%-10s %-8s %12s %9s %12s %9s\n' path side "median rps" "vs off" "cpu us/req" "vs off"
for path in /users/1 /hello; do
    declare -A rates=() costs=()
    for _ in $(seq "$RUNS"); do
        for side in $SIDES; do
            read -r r c < <(measure "$side" "$path")
            rates[$side]+="$r "
            costs[$side]+="$c "
        done
    done
    off_r=$(echo "${rates[off]}" | tr ' ' '\n' | grep . | median)
    off_c=$(echo "${costs[off]}" | tr ' ' '\n' | grep . | median)
    for side in $SIDES; do
        r=$(echo "${rates[$side]}" | tr ' ' '\n' | grep . | median)
        c=$(echo "${costs[$side]}" | tr ' ' '\n' | grep . | median)
        # Throughput as a ratio to off; CPU per request as a ratio to off (1.08x: 8% more per request).
        printf '%-10s %-8s %12.0f %8.2fx %12.1f %8.2fx\n' "$path" "$side" "$r" "$(echo "$r / $off_r" | bc -l)" "$c" "$(echo "$c / $off_c" | bc -l)"
    done
    unset rates costs
done
echo "load after: $(uptime)"
# Each side must have answered with what it claims to do.
curl -s "http://127.0.0.1:${port[off]}/metrics" -o /dev/null -w '%{http_code}' | grep -q 404 || { echo "off still serves /metrics" >&2; exit 1; }
curl -sf "http://127.0.0.1:${port[metrics]}/metrics" | grep -q 'http_server_requests_total{http_route="/users/{id}"' || { echo "metrics side did not count /users/{id}" >&2; exit 1; }
curl -sf -D - "http://127.0.0.1:${port[full]}/users/1" -o /dev/null | grep -qi '^traceparent:' || { echo "full side sent no traceparent" >&2; exit 1; }
