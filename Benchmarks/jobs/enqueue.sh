#!/usr/bin/env bash
# What an enqueue costs: RedisJobQueue.enqueue (one EVALSHA that writes the job's
# hash and XADDs its id) against redis-benchmark sending plain XADD with a payload
# of the same size, same server, same run, 50 callers each. Each side runs ROUNDS
# times (default 3), interleaved; prints medians, the ratio, and the CPU that
# redis-server spent per enqueue / per XADD (from /proc), which a loaded machine
# disturbs less than the rates. Starts a private redis-server on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Benchmarks/lib.sh
here="$PWD/Benchmarks/jobs"
export PATH="/opt/swift/usr/bin:$PATH"
rounds="${ROUNDS:-3}"
clients=50
requests="${REQUESTS:-100000}"
payload="${PAYLOAD:-100}"

command -v redis-benchmark >/dev/null || { echo "redis-benchmark is needed: apt-get install redis-tools" >&2; exit 1; }
port=$(free_port)
redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --save '' --appendonly no \
    --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log"
for _ in $(seq 50); do [[ -s "$work/redis.pid" ]] && redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis_pid=$(cat "$work/redis.pid")
# The server was daemonized; lib.sh's cleanup stops what is in $pids.
pids+=("$redis_pid")

echo "building the benchmark (release)" >&2
swift build --package-path "$here" -c release --product JobsBenchmark >&2
ours="$(swift build --package-path "$here" -c release --show-bin-path)/JobsBenchmark"
value=$(head -c "$payload" /dev/zero | tr '\0' x)

declare -a ours_rates theirs_rates ours_cpu theirs_cpu
for round in $(seq "$rounds"); do
    redis-cli -p "$port" flushall >/dev/null
    before=$(ticks "$redis_pid")
    ours_rates+=("$("$ours" "redis://127.0.0.1:$port" "$clients" "$requests" "$payload" "bench$round" | awk '{print $2}')")
    ours_cpu+=("$(awk -v t=$(( $(ticks "$redis_pid") - before )) -v n="$requests" 'BEGIN {printf "%.2f", t * 10000 / n}')")
    redis-cli -p "$port" flushall >/dev/null
    before=$(ticks "$redis_pid")
    theirs_rates+=("$(redis-benchmark -p "$port" -c "$clients" -n "$requests" -q --csv XADD bench:stream '*' id "$value" \
        | awk -F'"' 'NR > 1 || $2 !~ /test/ { if ($4 + 0 > 0) { printf "%d\n", $4; exit } }')")
    theirs_cpu+=("$(awk -v t=$(( $(ticks "$redis_pid") - before )) -v n="$requests" 'BEGIN {printf "%.2f", t * 10000 / n}')")
done

o=$(printf '%s\n' "${ours_rates[@]}" | median)
t=$(printf '%s\n' "${theirs_rates[@]}" | median)
oc=$(printf '%s\n' "${ours_cpu[@]}" | median)
tc=$(printf '%s\n' "${theirs_cpu[@]}" | median)
echo "enqueue vs XADD: $clients callers, $requests requests, $payload-byte payload, $rounds rounds, medians; load: $(uptime | sed 's/.*load/load/')"
printf 'RedisJobQueue.enqueue %9s/s   redis-benchmark XADD %9s/s   ratio %s   (runs ours: %s; theirs: %s)\n' \
    "$o" "$t" "$(awk -v o="$o" -v t="$t" 'BEGIN { printf "%.2f", o / t }')" "${ours_rates[*]}" "${theirs_rates[*]}"
printf 'redis-server CPU per operation: enqueue %s us   XADD %s us   ratio %s\n' \
    "$oc" "$tc" "$(awk -v o="$oc" -v t="$tc" 'BEGIN { printf "%.2f", (t > 0) ? o / t : 0 }')"
