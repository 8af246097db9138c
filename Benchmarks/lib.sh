# Helpers the benchmark scripts share; source it after `cd` to the package root.
# Sets up $work (a temporary directory) and $pids (stopped on exit).
work="$(mktemp -d /tmp/fleet-bench.XXXXXX)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/hello" >/dev/null && return; sleep 0.1; done; echo "no answer on $1" >&2; exit 1; }
# The same user Node serves as /users/1, so every side answers the same bytes.
seed() { curl -sf -X POST "http://127.0.0.1:$1/users" -H 'content-type: application/json' -d '{"name":"user1","email":"user1@example.com"}' >/dev/null || true; }
# A process's user + system CPU, in clock ticks (fields 14 and 15, counted after the command name).
ticks() { awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat" 2>/dev/null || echo 0; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
rate() { wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$1$2" | awk '/Requests\/sec/ {print $2}'; }

# An OTLP/HTTP sink on loopback: answers every export 200 and drops it, as a collector that
# keeps up would. Sets $sink_port; stopped on exit.
start_otlp_sink() {
    local port; port=$(free_port)
    python3 -c '
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200); self.send_header("content-length", "0"); self.end_headers()
    def log_message(self, *args): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
' "$port" >/dev/null 2>&1 &
    pids+=($!)
    sink_port=$port
}
