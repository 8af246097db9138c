#!/usr/bin/env bash
# GET /users/1 through the cache, in one run, with the same wrk settings:
#   cached     fleet start -i 2, embedded cache (an L1 hit in each worker)
#   constant   the same fleet's GET /bench/user: the same JSON from a constant (BENCH_ROUTES=true)
#   uncached   fleet start -i 2 with CACHE_TTL=0 (every read goes to SQLite)
#   redis      fleet start -i 2 with REDIS_URL (L1 in front of Redis), when REDIS_URL is set
#   node       Node's node:cluster with 2 workers (../shared/peers/node-cluster.mjs)
# The rate limit is off, as in Benchmarks/peers.sh's bare sides.
# Each side runs RUNS times, alternating; the table shows medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-3}"
DURATION="${DURATION:-5s}"
CONNECTIONS="${CONNECTIONS:-50}"
PEER="${PEER:-../shared/peers/node-cluster.mjs}"
export PATH="/opt/swift/usr/bin:$PATH"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
SCRATCH="${SCRATCH:-.build}"
swift build -c release --product fleet --scratch-path "$SCRATCH" >/dev/null
fleet="$PWD/$SCRATCH/release/fleet"
source Benchmarks/lib.sh
fleet_start() {  # name port env...
    local name=$1 port=$2; shift 2
    env RATE_LIMIT=off FLEET_STATE_DIR="$work/$name" LOG_LEVEL=warning "$@" "$fleet" start --name "$name" --state-dir "$work/$name" -i 2 --port "$port" "$fleet" serve >/dev/null 2>&1 &
    pids+=($!)
}

node_port=$(free_port); WORKERS=2 PORT=$node_port node "$PEER" >/dev/null 2>&1 & pids+=($!)
cached_port=$(free_port); fleet_start cached "$cached_port" BENCH_ROUTES=true
uncached_port=$(free_port); fleet_start uncached "$uncached_port" CACHE_TTL=0
sides=(cached constant uncached node)
if [ -n "${REDIS_URL:-}" ]; then
    # With REDIS_URL the sessions need a secret; this one exists for the benchmark only.
    redis_port=$(free_port); fleet_start redis "$redis_port" REDIS_URL="$REDIS_URL" CACHE_PREFIX="fleet-bench:$$:" SESSION_SECRETS="benchmark-only-secret-of-at-least-32-bytes"
    sides=(cached constant uncached redis node)
fi
constant_port=$cached_port
for side in "${sides[@]}"; do port_var="${side}_port"; wait_http "${!port_var}"; done
for side in cached uncached ${redis_port:+redis}; do port_var="${side}_port"; seed "${!port_var}"; done
for side in "${sides[@]}"; do
    port_var="${side}_port"; path=$([ "$side" = constant ] && echo /bench/user || echo /users/1)
    body=$(curl -sf --max-time 5 "http://127.0.0.1:${!port_var}$path")
    [ "$body" = '{"id":1,"name":"user1","email":"user1@example.com"}' ] || { echo "$side answers $body" >&2; exit 1; }
done

declare -A samples=() medians=()
for _ in $(seq "$RUNS"); do
    for side in "${sides[@]}"; do
        port_var="${side}_port"; path=$([ "$side" = constant ] && echo /bench/user || echo /users/1)
        samples[$side]+="$(rate "${!port_var}" "$path") "
    done
done
for side in "${sides[@]}"; do medians[$side]=$(echo "${samples[$side]}" | tr ' ' '\n' | grep . | median); done

ratio() { echo "${medians[$1]} / ${medians[$2]}" | bc -l; }
printf '%-10s %-44s %12s %10s\n' side what "median rps" "vs node"
describe() {
    case $1 in
    cached) echo "GET /users/1, cache hit (fleet start -i 2)" ;;
    constant) echo "GET /bench/user, constant JSON" ;;
    uncached) echo "GET /users/1, CACHE_TTL=0 (SQLite)" ;;
    redis) echo "GET /users/1, L1 over Redis" ;;
    node) echo "GET /users/1, node:cluster x2" ;;
    esac
}
for side in "${sides[@]}"; do
    printf '%-10s %-44s %12.0f %9.2fx\n' "$side" "$(describe "$side")" "${medians[$side]}" "$(ratio "$side" node)"
done
printf '\ncache hit / constant: %.2f   cache hit / uncached: %.2f   cache hit / node: %.2f   (%s runs of %s, %s connections)\n' \
    "$(ratio cached constant)" "$(ratio cached uncached)" "$(ratio cached node)" "$RUNS" "$DURATION" "$CONNECTIONS"

# Propagation: a PUT through one `fleet serve`, then GETs through another on the
# same data until the new name shows; keep-alive connections, 50 writes.
propagation() {  # label env...
    local label=$1; shift
    local dir="$work/propagation-$label" a b
    a=$(free_port); b=$(free_port)
    for port in $a $b; do
        env RATE_LIMIT=off PORT="$port" FLEET_STATE_DIR="$dir" LOG_LEVEL=warning "$@" "$fleet" serve >/dev/null 2>&1 & pids+=($!)
    done
    wait_http "$a"; wait_http "$b"; seed "$a"
    python3 - "$a" "$b" "$label" <<'PY'
import http.client, json, sys, time
a, b = (http.client.HTTPConnection("127.0.0.1", int(p)) for p in sys.argv[1:3])
def get(c):
    c.request("GET", "/users/1"); return c.getresponse().read().decode()
total, after = [], []
for i in range(1, 51):
    for c in (a, b): get(c)  # both L1s hold the current name
    start = time.perf_counter()
    a.request("PUT", "/users/1", json.dumps({"name": f"v{i}", "email": "user1@example.com"}), {"content-type": "application/json"})
    a.getresponse().read()
    written = time.perf_counter()
    deadline = written + 5
    while f'"v{i}"' not in get(b):
        if time.perf_counter() > deadline:
            sys.exit(f"{sys.argv[3]}: write {i} not seen through the other process within 5 s")
    end = time.perf_counter()
    total.append((end - start) * 1000); after.append((end - written) * 1000)
total.sort(); after.sort()
print(f"{sys.argv[3]:<9} PUT on one process to new value read on another: median {total[25]:.2f} ms (max {total[-1]:.2f}); after the PUT answered: median {after[25]:.2f} ms")
PY
}
echo
propagation embedded
if [ -n "${REDIS_URL:-}" ]; then propagation redis REDIS_URL="$REDIS_URL" CACHE_PREFIX="fleet-bench:$$:p:" SESSION_SECRETS="benchmark-only-secret-of-at-least-32-bytes"; fi
