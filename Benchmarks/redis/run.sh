#!/usr/bin/env bash
# FleetRedis against redis-benchmark, same machine, same run.
#   (a) 50 concurrent callers doing GET and SET, no explicit pipelining,
#       vs redis-benchmark -c 50 -t get,set
#   (b) pipelined batches of 16, vs redis-benchmark -c 50 -P 16
# Each side runs ROUNDS times (default 3); prints medians and ours/theirs.
# Uses REDIS_URL (redis://host:port) if set, else starts a private
# redis-server on a free loopback port and stops it afterwards.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export PATH="/opt/swift/usr/bin:$PATH"
rounds="${ROUNDS:-3}"
clients=50
depth=16
requests="${REQUESTS:-200000}"            # per round for (a), a few seconds each
pipelined_requests="${PIPELINED_REQUESTS:-1600000}"   # per round for (b)

server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
    if [[ -n "${server_dir:-}" ]]; then rm -rf "$server_dir"; fi
}
trap cleanup EXIT

if [[ -n "${REDIS_URL:-}" ]]; then
    url="$REDIS_URL"
    hostport="${url#redis://}"; hostport="${hostport##*@}"; hostport="${hostport%%/*}"
    host="${hostport%:*}"; port="${hostport##*:}"
else
    host=127.0.0.1
    port=""
    for candidate in $(seq 6400 6499); do
        if ! (exec 3<>"/dev/tcp/$host/$candidate") 2>/dev/null; then port=$candidate; break; fi
    done
    [[ -n "$port" ]] || { echo "no free port in 6400-6499" >&2; exit 1; }
    server_dir="$(mktemp -d)"
    redis-server --port "$port" --bind "$host" --dir "$server_dir" --save '' --appendonly no \
        --daemonize yes --pidfile "$server_dir/redis.pid" --logfile "$server_dir/redis.log"
    for _ in $(seq 1 50); do
        [[ -s "$server_dir/redis.pid" ]] && redis-cli -h "$host" -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    server_pid="$(cat "$server_dir/redis.pid")"
    url="redis://$host:$port"
fi
echo "redis at $host:$port" >&2

echo "building the benchmark (release)" >&2
swift build --package-path "$here" -c release --product RedisBenchmark >&2
ours="$(swift build --package-path "$here" -c release --show-bin-path)/RedisBenchmark"

# redis-benchmark prints CSV: "GET","67000.00",...
theirs() { # $1 = extra flags, $2 = requests, $3 = test (get|set)
    redis-benchmark -h "$host" -p "$port" -c "$clients" -n "$2" -t "$3" $1 -q --csv \
        | awk -F'"' -v t="${3^^}" '$2 == t { printf "%d\n", $4 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

declare -A results
run_case() { # $1 = label, $2 = our mode, $3 = their flags, $4 = their test, $5 = requests, $6 = our connections
    local ours_runs="" theirs_runs=""
    for _ in $(seq 1 "$rounds"); do
        theirs_runs+="$(theirs "$3" "$5" "$4")"$'\n'
        ours_runs+="$("$ours" "$url" "$2" "$clients" "$5" "$depth" "${6:-1}" | awk '{ print $2 }')"$'\n'
    done
    local o t
    o="$(printf '%s' "$ours_runs" | median)"
    t="$(printf '%s' "$theirs_runs" | median)"
    printf '%-31s ours %9s/s   redis-benchmark %9s/s   ratio %s   (runs ours: %s; theirs: %s)\n' \
        "$1" "$o" "$t" "$(awk -v o="$o" -v t="$t" 'BEGIN { printf "%.2f", o / t }')" \
        "$(printf '%s' "$ours_runs" | paste -sd' ')" "$(printf '%s' "$theirs_runs" | paste -sd' ')"
}

echo "FleetRedis vs redis-benchmark: $clients callers, $rounds rounds each, medians"
# One connection: the client pipelines the callers' commands itself (the default).
run_case "(a) GET, 50 callers"        get          ""          get "$requests"
run_case "(a) SET, 50 callers"        set          ""          set "$requests"
# 50 connections, like redis-benchmark's 50 clients: little batching left.
run_case "(a) GET, 50 callers, 50 conns" get       ""          get "$requests" 50
run_case "(a) SET, 50 callers, 50 conns" set       ""          set "$requests" 50
run_case "(b) GET, batches of $depth" pipeline-get "-P $depth" get "$pipelined_requests"
run_case "(b) SET, batches of $depth" pipeline-set "-P $depth" set "$pipelined_requests"
echo "targets: (a) >= 0.90, (b) >= 0.70"
