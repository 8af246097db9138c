#!/usr/bin/env bash
# fleet load vs wrk against the Node peer (node:cluster, 2 workers), same machine, same run.
# Closed model: wrk -t2 -c50 -d5s and fleet load --vus 50, alternating, 3 runs each; medians and ratio.
# Open model: fleet load at a fixed rate; achieved rate must be within 1% of target.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH

RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-5}
OPEN_RATE=${OPEN_RATE:-5000}
PEER=${PEER:-/work/shared/peers/node-cluster.mjs}
PATH_UNDER_TEST=${PATH_UNDER_TEST:-/hello}

# FLEET=/path/to/fleet skips the build (a release binary built elsewhere).
if [[ -z "${FLEET:-}" ]]; then
    swift build -c release --scratch-path .build-load --product fleet >&2
    FLEET=$(swift build -c release --scratch-path .build-load --product fleet --show-bin-path)/fleet
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
WORKERS=2 PORT=$PORT node "$PEER" >/tmp/fleet-load-bench-node.log 2>&1 &
NODE_PID=$!
trap 'kill $NODE_PID 2>/dev/null || true; wait $NODE_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT$PATH_UNDER_TEST" >/dev/null 2>&1 && break
    sleep 0.1
done
URL="http://127.0.0.1:$PORT$PATH_UNDER_TEST"
echo "peer: node-cluster (2 workers) on $URL; $(nproc) cores"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Warm both sides up.
wrk -t2 -c"$CONNECTIONS" -d1s "$URL" >/dev/null
"$FLEET" load "$URL" --vus "$CONNECTIONS" --duration 1s --threads 2 >/dev/null

WRK=()
FLEET_RATES=()
for run in $(seq 1 "$RUNS"); do
    w=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "$URL" | awk '/Requests\/sec/ {print $2}')
    f=$("$FLEET" load "$URL" --vus "$CONNECTIONS" --duration "${DURATION}s" --threads 2 --json - 2>/dev/null |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print(round(r["achievedRate"],1))')
    echo "run $run: wrk $w req/s, fleet load $f req/s"
    WRK+=("$w")
    FLEET_RATES+=("$f")
done
WRK_MEDIAN=$(printf '%s\n' "${WRK[@]}" | median)
FLEET_MEDIAN=$(printf '%s\n' "${FLEET_RATES[@]}" | median)
echo "closed model, $CONNECTIONS connections, ${DURATION}s x $RUNS: wrk median $WRK_MEDIAN req/s, fleet load median $FLEET_MEDIAN req/s, ratio $(awk -v f="$FLEET_MEDIAN" -v w="$WRK_MEDIAN" 'BEGIN {printf "%.3f", f / w}')"

OPEN=$("$FLEET" load "$URL" --rate "$OPEN_RATE" --duration "${DURATION}s" --connections 256 --threads 2 --json - 2>/dev/null |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["targetRate"], r["achievedRate"], r["dropped"], r["latency"]["p99"], r["uncorrectedLatency"]["p99"])')
read -r TARGET ACHIEVED DROPPED P99 UNCORRECTED_P99 <<<"$OPEN"
echo "open model: target $TARGET req/s, achieved $ACHIEVED req/s ($(awk -v a="$ACHIEVED" -v t="$TARGET" 'BEGIN {printf "%.2f", a / t * 100}')%), dropped $DROPPED, p99 ${P99} ms (uncorrected ${UNCORRECTED_P99} ms)"
awk -v a="$ACHIEVED" -v t="$TARGET" 'BEGIN {exit !(a >= 0.99 * t && a <= 1.01 * t)}' && echo "open model: within 1% of target" || { echo "open model: NOT within 1% of target"; exit 1; }
