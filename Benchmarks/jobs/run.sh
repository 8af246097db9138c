#!/usr/bin/env bash
# Background jobs end to end: jobs/s through `fleet work` with 1, 2 and 4 worker
# processes on the Redis Streams queue, and the CPU each job costs, against
# redis-benchmark's XADD rate on the same Redis in the same run (the floor one
# stream write per job would cost). JOBS echo jobs are enqueued through the API
# (`fleet serve`, POST /jobs) while no worker runs; then N workers start and the
# rate is the jobs they complete per second (the stream's length on Redis, read every 20 ms), between the
# first completion and the last. ROUNDS (default 3) rounds each; medians.
# FLEET= a fleet binary (default: build release). BACKEND=sqlite measures the
# embedded queue instead (XADD stays the reference).
set -euo pipefail
cd "$(dirname "$0")/../.."
source Benchmarks/lib.sh
export PATH="/opt/swift/usr/bin:$PATH"
rounds="${ROUNDS:-3}"
jobs="${JOBS:-20000}"
backend="${BACKEND:-redis}"
if [[ -z "${FLEET:-}" ]]; then
    swift build -c release --product fleet >&2
    FLEET="$(swift build -c release --show-bin-path)/fleet"
fi

redis_port=$(free_port)
mkdir -p "$work/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --save '' --appendonly no \
    --daemonize yes --pidfile "$work/redis/redis.pid" --logfile "$work/redis/redis.log"
for _ in $(seq 50); do [[ -s "$work/redis/redis.pid" ]] && redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis_pid="$(cat "$work/redis/redis.pid")"
trap 'kill "$redis_pid" 2>/dev/null || true; cleanup' EXIT

common=(env FLEET_STATE_DIR="$work/state" DATABASE_URL= LOG_LEVEL=warning METRICS=true)
[[ "$backend" == redis ]] && common+=(REDIS_URL="redis://127.0.0.1:$redis_port" SESSION_SECRETS="benchmark-only-secret-of-at-least-32-bytes")
api_port=$(free_port)
"${common[@]}" RATE_LIMIT=off HOST=127.0.0.1 PORT="$api_port" JOBS_QUEUE=bench "$FLEET" serve >"$work/api.log" 2>&1 &
pids+=($!)
wait_http "$api_port"

# Enqueues $jobs echo jobs over one keep-alive connection.
enqueue() {
    python3 - "$api_port" "$jobs" <<'PY'
import http.client, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
connection = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(count):
    connection.request("POST", "/jobs", body=b'{"name":"echo","payload":{}}', headers={"Content-Type": "application/json"})
    response = connection.getresponse(); response.read()
    assert response.status == 202, response.status
PY
}

# Completed jobs so far. On Redis, the jobs left in the queue's stream (a completed job's entry is
# deleted), read every 20 ms; on SQLite, the workers' /metrics, which move once a second.
completed() { # $@ = metrics ports
    if [[ "$backend" == redis ]]; then
        echo $((jobs - $(redis-cli -p "$redis_port" XLEN '{fleet:jobs:bench}:stream:1')))
        return
    fi
    local total=0 port value
    for port in "$@"; do
        value=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^fleet_jobs_processed_total\{.*outcome="completed"/ {s += $2} END {print s + 0}') || value=0
        total=$((total + ${value%.*}))
    done
    echo "$total"
}

# One round with $1 workers: prints "jobs/s cpu-µs-per-job".
round() {
    local count=$1 metrics_base ports=() workers=() i
    enqueue
    metrics_base=$(free_port)
    for i in $(seq 0 $((count - 1))); do
        "${common[@]}" HOST=127.0.0.1 METRICS_PORT=$metrics_base FLEET_INSTANCE=$i JOBS_QUEUE=bench JOBS_CONCURRENCY=8 JOBS_POLL=200ms \
            "$FLEET" work >>"$work/work.log" 2>&1 &
        workers+=($!); pids+=($!); ports+=($((metrics_base + i)))
    done
    local start_ns="" end_ns="" first=0 done_count=0 ticks_before=0 ticks_after=0 redis_before redis_after
    redis_before=$(ticks "$redis_pid")
    local limit=$(( $(date +%s) + 300 ))
    while (( $(date +%s) < limit )); do
        done_count=$(completed "${ports[@]}")
        if [[ -z "$start_ns" ]] && (( done_count > 0 )); then
            start_ns=$(date +%s%N); first=$done_count
            ticks_before=0; for i in "${workers[@]}"; do ticks_before=$((ticks_before + $(ticks "$i"))); done
        fi
        (( done_count >= jobs )) && { end_ns=$(date +%s%N); break; }
        sleep 0.02
    done
    [[ -n "$end_ns" ]] || { echo "round with $count workers did not finish: $done_count of $jobs" >&2; exit 1; }
    for i in "${workers[@]}"; do ticks_after=$((ticks_after + $(ticks "$i"))); done
    redis_after=$(ticks "$redis_pid")
    for i in "${workers[@]}"; do
        kill "$i" 2>/dev/null || { echo "a worker (pid $i) exited during the round:" >&2; tail -5 "$work/work.log" >&2; exit 1; }
    done
    wait "${workers[@]}" 2>/dev/null || true
    local hz; hz=$(getconf CLK_TCK)
    awk -v n=$((done_count - first)) -v ns=$((end_ns - start_ns)) -v t=$((ticks_after - ticks_before)) -v r=$((redis_after - redis_before)) -v hz="$hz" \
        'BEGIN { printf "%.0f %.0f %.0f\n", n / (ns / 1e9), t / hz * 1e6 / n, r / hz * 1e6 / n }'
}

xadd() {
    redis-cli -p "$redis_port" del bench-xadd >/dev/null
    redis-benchmark -p "$redis_port" -c 50 -n 200000 -q --csv XADD bench-xadd '*' f v | awk -F'"' 'NR > 1 || /XADD/ { print int($4) }' | tail -1
}

echo "machine: $(nproc) cores, load:$(uptime | sed 's/.*load average://')"
echo "backend: $backend, $jobs echo jobs per round, $rounds rounds, medians"
xadds=""
for _ in $(seq "$rounds"); do xadds+="$(xadd)"$'\n'; done
reference=$(printf '%s' "$xadds" | median)
printf 'redis-benchmark XADD (50 clients): %s/s (runs: %s)\n' "$reference" "$(printf '%s' "$xadds" | paste -sd' ')"
for count in 1 2 4; do
    rates="" cpus="" redis_cpus=""
    for _ in $(seq "$rounds"); do
        read -r rate cpu rcpu < <(round "$count")
        rates+="$rate"$'\n'; cpus+="$cpu"$'\n'; redis_cpus+="$rcpu"$'\n'
    done
    r=$(printf '%s' "$rates" | median); c=$(printf '%s' "$cpus" | median); rc=$(printf '%s' "$redis_cpus" | median)
    printf '%d worker(s): %6s jobs/s  ratio to XADD %s  worker CPU %s µs/job, redis CPU %s µs/job  (runs: %s)\n' \
        "$count" "$r" "$(awk -v a="$r" -v b="$reference" 'BEGIN { printf "%.3f", a / b }')" "$c" "$rc" "$(printf '%s' "$rates" | paste -sd' ')"
done
echo "load after:$(uptime | sed 's/.*load average://')"
