#!/usr/bin/env bash
# WebSocket fan-out on one machine: CONNECTIONS clients (default 10,000) in
# one /chat room of `fleet start -i 2` (two workers, rooms joined by the
# supervisor's worker bus), 4 of them sending at each rate in RATES
# (broadcasts/s) for SECONDS each. Reports deliveries/s, p50/p99 delivery
# latency, worker memory per connection, and server CPU per delivery (from
# /proc: steadier than rates when other work shares the machine).
# The Node peer (../shared/peers/node-cluster.mjs) has no WebSocket endpoint,
# so the figures are absolute: read them with the machine size and load printed.
# The load generator (Benchmarks/ws/client.py, python websockets) shares the
# machine's cores with the server.
set -euo pipefail
cd "$(dirname "$0")/../.."
CONNECTIONS="${CONNECTIONS:-10000}"
RATES="${RATES:-1 2 10}"
SECONDS_EACH="${SECONDS_EACH:-5}"
PROCS="${PROCS:-2}"
export PATH="/opt/swift/usr/bin:$PATH"

# Each connection is a descriptor on both ends: raise the soft limit as far as the hard one allows.
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt 65536 ]; then ulimit -n 65536; else ulimit -n "$hard"; fi
[ "$(ulimit -n)" -gt $((CONNECTIONS / PROCS + 1000)) ] || { echo "ulimit -n $(ulimit -n) is too low for $CONNECTIONS connections" >&2; exit 1; }
python3 -c 'import websockets' 2>/dev/null || pip install -q websockets
# FLEET_BINARY: a release fleet built elsewhere (another scratch path); else build one here.
fleet="${FLEET_BINARY:-}"
if [ -z "$fleet" ]; then
    swift build -c release --product fleet >/dev/null
    fleet="$PWD/.build/release/fleet"
fi
source Benchmarks/lib.sh

port=$(free_port)
CHAT_RATE_LIMIT=off RATE_LIMIT=off FLEET_STATE_DIR="$work/state" LOG_LEVEL=warning \
    "$fleet" start --name wsbench --state-dir "$work/state" -i 2 --port "$port" "$fleet" serve >"$work/fleet.log" 2>&1 &
supervisor=$!
pids+=("$supervisor")
wait_http "$port"
sleep 1
workers=$(pgrep -P "$supervisor" | paste -sd, -)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load before: $(uptime | sed 's/.*load average: //')"
echo "fleet start -i 2 (workers $workers), $CONNECTIONS connections, rates: $RATES broadcasts/s, ${SECONDS_EACH}s each"
rates_json="[$(echo "$RATES" | tr ' ' ',')]"
python3 Benchmarks/ws/client.py "{\"url\":\"ws://127.0.0.1:$port/chat/bench\",\"connections\":$CONNECTIONS,\"procs\":$PROCS,\"rates\":$rates_json,\"seconds\":$SECONDS_EACH,\"pids\":[$workers]}" >"$work/report.json"
echo "load after: $(uptime | sed 's/.*load average: //')"
python3 - "$work/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"connections: {r['connections']} ({', '.join(f'{v} on {k}' for k, v in r['per_worker'].items())})")
print(f"worker RSS: {r['rss_idle_kib']/1024:.0f} MiB idle, {r['rss_connected_kib']/1024:.0f} MiB connected: {r['kib_per_connection']:.1f} KiB per connection")
print(f"dropped as too slow: {r['dropped_too_slow']}")
print(f"{'broadcasts/s':>12} {'deliveries/s':>13} {'delivered':>10} {'p50 ms':>8} {'p99 ms':>8} {'cpu us/delivery':>16}")
for p in r["phases"]:
    share = p["deliveries"] / max(1, p["deliveries_expected"])
    print(f"{p['broadcasts_per_s']:>12} {p['deliveries_per_s']:>13.0f} {share:>9.1%} {p['p50_ms']:>8.1f} {p['p99_ms']:>8.1f} {p['server_cpu_us_per_delivery']:>16.2f}")
PY
