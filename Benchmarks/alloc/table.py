"""Reads the benchmark executable's output (a histogram per metric, each sample
the total of 1,000 requests) and prints the medians per request."""
import re
import sys

METRICS = {"Malloc (total)": "mallocs", "Instructions": "instructions", "Time (wall clock)": "wall"}
rows, name, metric = {}, None, None
for line in sys.stdin:
    line = line.rstrip()
    if m := re.match(r"Debug results for (.+):$", line):
        name = m.group(1)
        rows[name] = {}
    elif name and line.rstrip(":") in METRICS and line.endswith(":"):
        metric = METRICS[line.rstrip(":")]
    elif name and metric and (m := re.match(r"\s*([\d.]+)\s+([\d.]+)\s+\d+", line)):
        if float(m.group(2)) >= 0.5 and metric not in rows[name]:
            rows[name][metric] = float(m.group(1)) / 1000

def cell(row, key, digits):
    return f"{row[key]:.{digits}f}" if key in row else "n/a"

print(f"{'benchmark':<36} {'mallocs/request':>16} {'instructions/request':>21} {'wall µs/request':>16}")
for name, row in rows.items():
    wall = {"wall": row["wall"] / 1000} if "wall" in row else {}
    print(f"{name:<36} {cell(row, 'mallocs', 1):>16} {cell(row, 'instructions', 0):>21} {cell(wall, 'wall', 1):>16}")
