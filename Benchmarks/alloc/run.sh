#!/usr/bin/env bash
# Allocations (malloc calls) and instructions per request on Fleet's HTTP/1
# pipeline, measured with package-benchmark (ordo-one/benchmark) and its
# malloc interposer. No socket, no server: requests go through
# FleetHTTP1Channel on NIO's embedded channels. Prints one row per benchmark.
#   FILTER='fast.*'   run only the benchmarks whose name matches (regex)
#   STACKS=1          also print where the allocations come from (--allocation-stacks),
#                     one line per stack: allocations per request <- the first named frames
# Instructions need a hardware counter (perf_event_open); where there is none
# (this VM: `perf stat -e instructions:u true` says <not supported>) it shows n/a.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export PATH="/opt/swift/usr/bin:$PATH"
# An EmbeddedChannel used from another thread must stop the run, not print a warning per request.
export SWIFTNIO_STRICT=1

echo "building the benchmarks (release)" >&2
swift build --package-path "$here" -c release --product FastPath >&2
binary="$(swift build --package-path "$here" -c release --show-bin-path)/FastPath"

args=()
if [[ -n "${FILTER:-}" ]]; then args+=(--filter "$FILTER"); fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
# Run directly, the benchmark executable prints each metric's histogram; the
# table takes the median (p50) of the samples, each the mean of 1,000 requests.
"$binary" "${args[@]}" >"$out" 2>/dev/null
python3 "$here/table.py" <"$out"
if [[ -n "${STACKS:-}" ]]; then
    "$binary" "${args[@]}" --allocation-stacks --allocation-stack-limit 25 2>/dev/null | python3 "$here/stacks.py"
fi
echo "machine load: $(uptime | sed 's/.*load average/load average/')"
