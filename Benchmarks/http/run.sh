#!/usr/bin/env bash
# Throughput of GET /users/:id and GET /hello, in one run, with the same wrk settings:
#   fleet start -i 2 (two worker processes on one socket)
#   fleet serve      (one process, event loops on every core)
#   Node's node:cluster with 2 workers (../shared/peers/node-cluster.mjs)
# The rate limit is off: the Node peer has none (Benchmarks/ratelimit measures its cost).
# Each side runs RUNS times, alternating; the table shows medians and ratios to Node.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-5}"
DURATION="${DURATION:-5s}"
CONNECTIONS="${CONNECTIONS:-50}"
PEER="${PEER:-../shared/peers/node-cluster.mjs}"
export PATH="/opt/swift/usr/bin:$PATH"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
swift build -c release --product fleet >/dev/null
fleet="$PWD/.build/release/fleet"
work="$(mktemp -d /tmp/fleet-bench.XXXXXX)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/hello" >/dev/null && return; sleep 0.1; done; echo "no answer on $1" >&2; exit 1; }
seed() { curl -sf -X POST "http://127.0.0.1:$1/users" -H 'content-type: application/json' -d '{"name":"user1","email":"user1@example.com"}' >/dev/null || true; }

node_port=$(free_port); WORKERS=2 PORT=$node_port node "$PEER" >/dev/null 2>&1 & pids+=($!)
serve_port=$(free_port); RATE_LIMIT=off PORT=$serve_port FLEET_STATE_DIR="$work/serve" LOG_LEVEL=warning "$fleet" serve >/dev/null 2>&1 & pids+=($!)
start_port=$(free_port); RATE_LIMIT=off FLEET_STATE_DIR="$work/start" LOG_LEVEL=warning "$fleet" start --name bench --state-dir "$work/start" -i 2 --port "$start_port" "$fleet" serve >/dev/null 2>&1 & pids+=($!)
for port in $node_port $serve_port $start_port; do wait_http "$port"; done
seed "$serve_port"; seed "$start_port"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
rate() { wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$1$2" | awk '/Requests\/sec/ {print $2}'; }

printf '%-10s %-20s %12s %10s\n' path side "median rps" "vs node"
for path in /users/1 /hello; do
    declare -A samples=()
    for _ in $(seq "$RUNS"); do
        for side in node serve start; do
            port_var="${side}_port"
            samples[$side]+="$(rate "${!port_var}" "$path") "
        done
    done
    node_median=$(echo "${samples[node]}" | tr ' ' '\n' | grep . | median)
    for side in start serve node; do
        m=$(echo "${samples[$side]}" | tr ' ' '\n' | grep . | median)
        label=$([ $side = start ] && echo "fleet start -i 2" || ([ $side = serve ] && echo "fleet serve" || echo "node cluster x2"))
        printf '%-10s %-20s %12.0f %9.2fx\n' "$path" "$label" "$m" "$(echo "$m / $node_median" | bc -l)"
    done
    unset samples
done
