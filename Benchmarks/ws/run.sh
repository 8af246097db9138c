#!/usr/bin/env bash
# WebSocket fan-out on one machine: `fleet start -i 2` (the demo, two workers)
# with rooms joined by the supervisor's worker bus (embedded state) or by
# Redis pub/sub, driven by `fleet ws-load` (a Swift NIO client, one event loop
# per core). For each backend and each size in SIZES, ROOM_SIZE sockets per
# room, SENDERS per room sending RATE messages/s for DURATION: deliveries/s,
# delivery latency p50/p99/max (send's intended time to arrival, one machine
# clock), losses, sockets refused or closed; worker memory per socket
# ((workers' RSS connected - RSS idle) / sockets, from /proc) and worker CPU
# per delivery (from /proc: steadier than rates when other work shares the
# machine). Each run starts a fresh fleet; medians of RUNS.
# The Node peer (../shared/peers/node-cluster.mjs) has no WebSocket endpoint
# (no `ws` package here, no npm registry, and Node has no WebSocket server of
# its own), so the figures are absolute: read them with the machine size and
# load printed. The load generator shares the machine's 2 cores with the workers.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES="${SIZES:-1000 10000}"
BACKENDS="${BACKENDS:-workers redis}"
RUNS="${RUNS:-3}"
ROOM_SIZE="${ROOM_SIZE:-100}"
SENDERS="${SENDERS:-1}"
RATE="${RATE:-5}"
DURATION="${DURATION:-10s}"
OUT="${OUT:-Benchmarks/results/ws.md}"
export PATH="/opt/swift/usr/bin:$PATH"

# Each socket is a descriptor in the client and one in a worker: raise the soft limit to the hard one.
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt 65536 ]; then ulimit -n 65536; else ulimit -n "$hard"; fi
largest=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
[ "$(ulimit -n)" -gt $((largest + 200)) ] || { echo "ulimit -n $(ulimit -n) is too low for $largest sockets (hard limit $hard)" >&2; exit 1; }
# FLEET_BINARY: a release fleet built elsewhere; else build one here.
fleet="${FLEET_BINARY:-}"
if [ -z "$fleet" ]; then
    swift build -c release --product fleet >/dev/null
    fleet="$PWD/.build/release/fleet"
fi
source Benchmarks/lib.sh

redis_url=""
if [[ " $BACKENDS " == *" redis "* ]]; then
    command -v redis-server >/dev/null || { echo "redis-server is needed for the redis backend: apt-get install redis-server" >&2; exit 1; }
    redis_port=$(free_port)
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save '' --appendonly no --daemonize yes --pidfile "$work/redis.pid" >/dev/null
    for _ in $(seq 50); do [[ -s "$work/redis.pid" ]] && break; sleep 0.1; done
    pids+=("$(cat "$work/redis.pid")")
    redis_url="redis://127.0.0.1:$redis_port"
fi

# One run: a fresh `fleet start -i 2`, a warm-up of 20 sockets, then the measured run; sets $report to its JSON report.
run() {
    local backend=$1 size=$2 index=$3 port supervisor workers watch=()
    report="$work/$1-$2-$3.json"
    port=$(free_port)
    local env=(CHAT_RATE_LIMIT=off RATE_LIMIT=off LOG_LEVEL=warning FLEET_STATE_DIR="$work/state-$port" BROADCAST="$backend")
    [ "$backend" = redis ] && env+=(REDIS_URL="$redis_url" BROADCAST_CHANNEL="wsbench:$port" SESSION_SECRETS="benchmark-only-secret-of-at-least-32-bytes")
    env "${env[@]}" "$fleet" start --name "wsbench-$port" --state-dir "$work/state-$port" -i 2 --port "$port" "$fleet" serve >"$work/fleet-$port.log" 2>&1 &
    supervisor=$!
    pids+=("$supervisor")
    wait_http "$port"
    for _ in $(seq 50); do [ "$(pgrep -P "$supervisor" | wc -l)" -ge 2 ] && break; sleep 0.1; done
    workers=$(pgrep -P "$supervisor")
    for pid in $workers; do watch+=(--watch-pid "$pid"); done
    "$fleet" ws-load "ws://127.0.0.1:$port/chat/warm" --connections 20 --rate 10 --duration 1s >/dev/null 2>&1 || true
    sleep 1
    "$fleet" ws-load "ws://127.0.0.1:$port/chat/{room}" --connections "$size" --rooms $((size / ROOM_SIZE)) --senders "$SENDERS" \
        --rate "$RATE" --duration "$DURATION" --connect-timeout 120s --settle 2s "${watch[@]}" --json "$report" >"$work/summary-$backend-$size-$index.txt" 2>&1 || true
    kill "$supervisor" 2>/dev/null || true
    wait "$supervisor" 2>/dev/null || true
}

load() { uptime | sed 's/.*load average: //'; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load before: $(load)"
echo "rooms of $ROOM_SIZE sockets, $SENDERS sender(s) per room at $RATE messages/s for $DURATION; backends: $BACKENDS; sizes: $SIZES; medians of $RUNS"
reports=()
for size in $SIZES; do
    for index in $(seq "$RUNS"); do
        # Interleaved, so a change in the machine's load falls on every backend alike.
        for backend in $BACKENDS; do
            run "$backend" "$size" "$index"
            reports+=("$report")
            echo "  $backend $size #$index: $(grep -m1 '^delivered' "$work/summary-$backend-$size-$index.txt" || tail -1 "$work/summary-$backend-$size-$index.txt")"
        done
    done
done
after=$(load)
echo "load after: $after"
python3 - "$OUT" "$(nproc)" "$(free -g | awk '/Mem:/ {print $2}')" "$after" "$ROOM_SIZE" "$SENDERS" "$RATE" "$DURATION" "${reports[@]}" <<'PY'
import json, os, statistics, sys
out, cores, ram, load, room_size, senders, rate, duration, *paths = sys.argv[1:]
groups = {}
for path in paths:
    if not os.path.exists(path):
        continue
    r = json.load(open(path))
    backend, size = os.path.basename(path).split("-")[:2]
    p = r["processes"]
    idle = sum(s["rssKiB"] for s in p["idle"])
    connected = sum(s["rssKiB"] for s in p["connected"])
    cpu = sum(b["cpuSeconds"] - a["cpuSeconds"] for a, b in zip(p["connected"], p["sent"]))
    groups.setdefault((backend, int(size)), []).append({
        "opened": r["connectionsOpened"], "errors": sum(r["connectErrors"].values()) + sum(r["closedDuringRun"].values()),
        "rate": r["deliveriesPerSecond"], "p50": r["latency"]["p50"], "p99": r["latency"]["p99"], "max": r["latency"]["max"],
        "lost": r["lost"], "expected": r["expected"], "kib": (connected - idle) / max(1, r["connectionsOpened"]),
        "us": cpu * 1e6 / max(1, r["delivered"]), "client": r["clientCPUSeconds"] / r["wallSeconds"], "connect": r["connectSeconds"],
        "split": "/".join(str(s["descriptors"]) for s in p["connected"]),
    })
med = lambda runs, key: statistics.median(run[key] for run in runs)
lines = [
    "# WebSocket fan-out (Benchmarks/ws/run.sh)", "",
    f"`fleet start -i 2` (demo, release build) driven by `fleet ws-load` on the same machine: {cores} cores, {ram} GiB, "
    f"load average after the runs {load}. Rooms of {room_size} sockets, {senders} sender(s) per room at {rate} messages/s "
    f"for {duration}; each run on a fresh fleet; medians of {len(next(iter(groups.values()), []))} runs. "
    "No peer: the Node cluster peer has no WebSocket endpoint, so these are absolute figures.", "",
    "| backend | sockets | opened | refused/closed | deliveries/s | p50 ms | p99 ms | max ms | lost | KiB/socket | worker µs/delivery | client CPU | connect s | worker descriptors |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
]
for (backend, size), runs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    lines.append(
        f"| {backend} | {size:,} | {med(runs, 'opened'):,.0f} | {med(runs, 'errors'):.0f} | {med(runs, 'rate'):,.0f} | {med(runs, 'p50'):.2f} | "
        f"{med(runs, 'p99'):.2f} | {med(runs, 'max'):.1f} | {med(runs, 'lost'):.0f} of {med(runs, 'expected'):,.0f} | {med(runs, 'kib'):.1f} | "
        f"{med(runs, 'us'):.2f} | {med(runs, 'client'):.0%} | {med(runs, 'connect'):.1f} | {runs[0]['split']} |"
    )
text = "\n".join(lines) + "\n"
print(text)
with open(out, "w") as f:
    f.write(text)
PY
