#!/usr/bin/env bash
# Throughput and CPU cost of GET /users/:id and GET /hello, in one run, with the same wrk settings:
#   fleet start -i 2 (two worker processes on one socket)
#   fleet serve      (one process, event loops on every core)
#   Node's node:cluster with 2 workers (../shared/peers/node-cluster.mjs)
# The rate limit is off: the Node peer has none (Benchmarks/ratelimit measures its cost).
# Each side runs RUNS times, alternating; the table shows medians and ratios to Node.
# "cpu us/req" is the server processes' CPU time (user + system, from /proc) per
# request served: it holds steady when other work shares the machine, as throughput does not.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-5}"
DURATION="${DURATION:-5s}"
CONNECTIONS="${CONNECTIONS:-50}"
PEER="${PEER:-../shared/peers/node-cluster.mjs}"
SIDES="${SIDES:-node serve start}"
export PATH="/opt/swift/usr/bin:$PATH"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
swift build -c release --product fleet >/dev/null
fleet="$PWD/.build/release/fleet"
source Benchmarks/lib.sh

declare -A port root label
start_side() { # name label command...
    local name=$1 text=$2; shift 2
    port[$name]=$(free_port)
    label[$name]=$text
    RATE_LIMIT=off PORT=${port[$name]} FLEET_STATE_DIR="$work/$name" LOG_LEVEL=warning "$@" >/dev/null 2>&1 &
    root[$name]=$!; pids+=($!)
}
for side in $SIDES; do
    case $side in
        node) WORKERS=2 start_side node "node cluster x2" node "$PEER" ;;
        serve) start_side serve "fleet serve" "$fleet" serve ;;
        start) start_side start "fleet start -i 2" "$fleet" start --name start --state-dir "$work/start" -i 2 --port 0 "$fleet" serve ;;
        start1) start_side start1 "fleet start -i 1" "$fleet" start --name start1 --state-dir "$work/start1" -i 1 --port 0 "$fleet" serve ;;
        *) echo "unknown side $side; known: node serve start start1" >&2; exit 64 ;;
    esac
done
sleep 1
# fleet start binds the port it is given; with --port 0 ask the supervisor which it took.
for side in $SIDES; do
    if [[ $side == start* ]]; then
        for _ in $(seq 100); do
            p=$("$fleet" list --name "$side" --state-dir "$work/$side" --json 2>/dev/null | awk -F': ' '/"port"/ {gsub(/,/,"",$2); print $2; exit}') && [ -n "$p" ] && [ "$p" != 0 ] && break
            sleep 0.1
        done
        port[$side]=$p
    fi
    wait_http "${port[$side]}"
    [ "$side" = node ] || seed "${port[$side]}"
done

# CPU ticks of a process and all its descendants.
tree_ticks() {
    local total=0 pid
    for pid in $1 $(pgrep -P "$1" || true); do
        [ "$pid" = "$1" ] || { total=$((total + $(tree_ticks "$pid"))); continue; }
        total=$((total + $(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo $total
}
hz=$(getconf CLK_TCK)
# One wrk run: prints "requests/s cpu-us-per-request".
measure() {
    local before after out requests rps
    before=$(tree_ticks "${root[$1]}")
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:${port[$1]}$2")
    after=$(tree_ticks "${root[$1]}")
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    echo "$rps $(echo "($after - $before) * 1000000 / $hz / $requests" | bc -l)"
}

printf '%-10s %-18s %12s %9s %12s %9s\n' path side "median rps" "vs node" "cpu us/req" "vs node"
for path in /users/1 /hello; do
    declare -A rates=() costs=()
    for _ in $(seq "$RUNS"); do
        for side in $SIDES; do
            read -r r c < <(measure "$side" "$path")
            rates[$side]+="$r "
            costs[$side]+="$c "
        done
    done
    node_r=$(echo "${rates[node]:-}" | tr ' ' '\n' | grep . | median || true)
    node_c=$(echo "${costs[node]:-}" | tr ' ' '\n' | grep . | median || true)
    for side in $SIDES; do
        r=$(echo "${rates[$side]}" | tr ' ' '\n' | grep . | median)
        c=$(echo "${costs[$side]}" | tr ' ' '\n' | grep . | median)
        # Throughput as a ratio to Node's; CPU as Node's cost over ours (above 1: we spend less per request).
        vr=-; vc=-
        if [ -n "$node_r" ]; then vr=$(printf '%.2fx' "$(echo "$r / $node_r" | bc -l)"); vc=$(printf '%.2fx' "$(echo "$node_c / $c" | bc -l)"); fi
        printf '%-10s %-18s %12.0f %9s %12.1f %9s\n' "$path" "${label[$side]}" "$r" "$vr" "$c" "$vc"
    done
    unset rates costs
done
