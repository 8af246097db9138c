"""Folds package-benchmark's --allocation-stacks report to one line per stack:
allocations per request and the first three named frames (where it allocates)."""
import re
import sys

stack = None
for line in sys.stdin:
    header = re.match(r"#\d+\s+[\d,]+ allocations \(([\d,.]+)/iteration\)", line)
    if line.startswith("Allocations: "):
        print("\n" + line.split(" — ")[0].replace("Allocations: ", "== "))
    elif header:
        if stack:
            print(stack[0], " <- ".join(stack[1][:3]))
        stack = (f"{float(header.group(1).replace(',', '')) / 1000:6.2f}", [])
    elif stack and re.match(r"\s+\d+\s+\S", line):
        frame = re.sub(r"^\s+\d+\s+", "", line.rstrip())
        if frame.startswith("0x"):
            continue
        frame = re.sub(r" at (/\S+/)?([^/ ]+:\d+)$", r" (\2)", frame)
        frame = re.sub(r" in FastPath$", "", frame)
        stack[1].append(frame)
    elif stack and not line.strip():
        print(stack[0], " <- ".join(stack[1][:3]))
        stack = None
if stack:
    print(stack[0], " <- ".join(stack[1][:3]))
