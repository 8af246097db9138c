#!/usr/bin/env bash
# What the rate limiter costs, on each backend, in one run (release build, wrk on loopback):
#   unlimited  GET /users/1 with RATE_LIMIT=off                       (the peer)
#   limited    the same route, limit never reached (every request checked and allowed);
#              on Redis with workers leasing quota in batches (RATE_LIMIT_LEASE, the default)
#   unleased   on Redis only: the same with leasing off, one Redis round trip per request
#   rejected   the same route, limit 1 per hour (every request but the first refused)
#   unblocked  on Redis only: rejected with the pre-block off (RATE_LIMIT_PREBLOCK=false),
#              so each refusal is a Redis round trip: what the pre-block saves
# Each case runs RUNS times, in a shuffled order; the table shows medians, the limited
# route's cost against unlimited, and rejected against limited in requests/s and
# in CPU per request (the fleet process plus redis-server, from /proc).
# Targets: limited costs <= 15% of unlimited; rejected >= 5x cheaper than allowed (on Redis,
# against unleased: what the pre-block saves is the round trip a lease saves as well; and
# against rejected with the pre-block off).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-3}"
DURATION="${DURATION:-5s}"
CONNECTIONS="${CONNECTIONS:-32}"
export PATH="/opt/swift/usr/bin:$PATH"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is needed: apt-get install redis-server" >&2; exit 1; }
if [[ -z "${FLEET:-}" ]]; then
    swift build -c release --scratch-path .build-bench --product fleet >&2
    FLEET="$PWD/.build-bench/release/fleet"
fi
source Benchmarks/lib.sh

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save '' --appendonly no --daemonize yes --pidfile "$work/redis.pid" >/dev/null
for _ in $(seq 50); do [[ -s "$work/redis.pid" ]] && break; sleep 0.1; done
redis_pid=$(cat "$work/redis.pid")
pids+=("$redis_pid")

# One fleet serve per backend and case; every one has its own state directory and Redis prefix.
declare -A port pid
start() {  # name backend rate [lease] [preblock]
    local p; p=$(free_port)
    local redis_url=""; [[ $2 == redis ]] && redis_url="redis://127.0.0.1:$redis_port"
    # With REDIS_URL the sessions need a secret; this one exists for the benchmark only.
    SESSION_SECRETS="benchmark-only-secret-of-at-least-32-bytes" \
    RATE_LIMIT="$3" RATE_LIMIT_LEASE="${4:-}" RATE_LIMIT_PREBLOCK="${5:-true}" REDIS_URL="$redis_url" RATE_LIMIT_PREFIX="bench:$1:" DATABASE_URL="" PORT=$p \
        FLEET_STATE_DIR="$work/$1" LOG_LEVEL=warning "$FLEET" serve >/dev/null 2>&1 &
    pids+=($!); port[$1]=$p; pid[$1]=$!
}
for backend in embedded redis; do
    start "$backend-unlimited" "$backend" off
    start "$backend-limited" "$backend" 1000000000/60s
    start "$backend-rejected" "$backend" 1/1h
done
start redis-unleased redis 1000000000/60s off
start redis-unblocked redis 1/1h "" false
for name in "${!port[@]}"; do wait_http "${port[$name]}"; seed "${port[$name]}"; done
for name in {embedded,redis}-rejected redis-unblocked; do curl -s -o /dev/null "http://127.0.0.1:${port[$name]}/users/1"; done

declare -A rps cpu
measure() {  # name backend
    local before redis_before out requests
    before=$(ticks "${pid[$1]}"); redis_before=$(ticks "$redis_pid")
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:${port[$1]}/users/1")
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    local used=$(( $(ticks "${pid[$1]}") - before ))
    [[ $2 == redis ]] && used=$(( used + $(ticks "$redis_pid") - redis_before ))
    rps[$1]+="$(echo "$out" | awk '/Requests\/sec/ {print $2}') "
    # CPU microseconds per request (clock ticks are 1/100 s).
    cpu[$1]+="$(echo "$used * 10000 / $requests" | bc -l) "
}
# The machine is shared: each run takes the cases in a new random order, so a burst of
# someone else's load does not always land on the same case.
for _ in $(seq "$RUNS"); do
    for name in $(printf '%s\n' {embedded,redis}-{unlimited,limited,rejected} redis-unleased redis-unblocked | shuf); do measure "$name" "${name%%-*}"; done
done

m() { echo "$1" | tr ' ' '\n' | grep . | median; }
printf '%-9s %-10s %12s %14s\n' backend case "median rps" "cpu us/req"
for backend in embedded redis; do
    for case in unlimited limited unleased rejected unblocked; do
        [[ -n "${rps[$backend-$case]:-}" ]] || continue
        printf '%-9s %-10s %12.0f %14.1f\n' "$backend" "$case" "$(m "${rps[$backend-$case]}")" "$(m "${cpu[$backend-$case]}")"
    done
done
echo
for backend in embedded redis; do
    u=$(m "${rps[$backend-unlimited]}"); l=$(m "${rps[$backend-limited]}"); r=$(m "${rps[$backend-rejected]}")
    lc=$(m "${cpu[$backend-limited]}"); rc=$(m "${cpu[$backend-rejected]}")
    uc=$(m "${cpu[$backend-unlimited]}")
    printf '%-9s limited costs %5.1f%% of unlimited throughput (target <= 15%%), %5.1f%% more CPU per request\n' "$backend" "$(echo "(1 - $l / $u) * 100" | bc -l)" "$(echo "($lc / $uc - 1) * 100" | bc -l)"
    printf '%-9s rejected vs allowed: %.2fx the requests/s, %.2fx less CPU per request\n' "$backend" "$(echo "$r / $l" | bc -l)" "$(echo "$lc / $rc" | bc -l)"
done
n=$(m "${rps[redis-unleased]}"); nc=$(m "${cpu[redis-unleased]}"); r=$(m "${rps[redis-rejected]}"); rc=$(m "${cpu[redis-rejected]}")
printf 'redis     unleased costs %5.1f%% of unlimited throughput\n' "$(echo "(1 - $n / $(m "${rps[redis-unlimited]}")) * 100" | bc -l)"
printf 'redis     rejected vs unleased allowed: %.2fx the requests/s, %.2fx less CPU per request (target >= 5x)\n' "$(echo "$r / $n" | bc -l)" "$(echo "$nc / $rc" | bc -l)"
b=$(m "${rps[redis-unblocked]}"); bc=$(m "${cpu[redis-unblocked]}")
printf 'redis     rejected with the pre-block vs without: %.2fx the requests/s, %.2fx less CPU per request (target >= 5x)\n' "$(echo "$r / $b" | bc -l)" "$(echo "$bc / $rc" | bc -l)"
