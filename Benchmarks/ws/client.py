"""WebSocket fan-out load for Benchmarks/ws/run.sh: many connections in one
chat room, a few senders at a fixed rate, and per-message delivery latency.

Receivers run in PROCS child processes (asyncio each); the parent holds the
senders. A message's text is "<phase>:<monotonic ns at send>", so a receiver
on this machine computes its delivery latency from the shared monotonic clock.
"""
import asyncio, json, multiprocessing as mp, os, sys, time
from array import array

import websockets

MARK = b'"text":"'


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                total += next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total


async def open_all(url, count, batch=200):
    sockets, instances = [], {}
    for start in range(0, count, batch):
        opened = await asyncio.gather(*(websockets.connect(url, max_size=None, ping_interval=None, max_queue=None) for _ in range(min(batch, count - start))))
        for ws in opened:
            welcome = json.loads(await ws.recv())
            instance = welcome["id"].split(".")[0]
            instances[instance] = instances.get(instance, 0) + 1
        sockets += opened
    return sockets, instances


async def receive(ws, latencies, closed):
    try:
        async for message in ws:
            data = message.encode() if isinstance(message, str) else message
            i = data.find(MARK)
            if i < 0:
                continue
            j = data.index(b'"', i + len(MARK))
            phase, sent = data[i + len(MARK):j].split(b":")
            latencies[int(phase)].append((time.monotonic_ns() - int(sent)) // 1000)
    except websockets.ConnectionClosed:
        pass
    closed.append(ws.close_code)


def child(url, count, phases, conn):
    async def main():
        sockets, instances = await open_all(url, count)
        latencies = [array("q") for _ in range(phases)]
        closed = []
        tasks = [asyncio.create_task(receive(ws, latencies, closed)) for ws in sockets]
        conn.send(("ready", instances))
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        for ws in sockets:
            await ws.close()
        await asyncio.gather(*tasks)
        conn.send(("done", [list(l) for l in latencies], closed.count(1008)))
    asyncio.run(main())


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


async def send_phase(senders, phase, rate, seconds):
    interval, count = 1.0 / rate, int(rate * seconds)
    start = time.monotonic()
    for n in range(count):
        delay = start + n * interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        ws = senders[n % len(senders)]
        await ws.send('{"text":"%d:%d"}' % (phase, time.monotonic_ns()))
    return count


async def parent(args):
    url, total, procs, rates, seconds, pids = args["url"], args["connections"], args["procs"], args["rates"], args["seconds"], args["pids"]
    senders_count = 4
    idle_rss = rss_kib(pids)
    pipes, children = [], []
    per_child = (total - senders_count) // procs
    for _ in range(procs):
        mine, theirs = mp.Pipe()
        p = mp.Process(target=child, args=(url, per_child, len(rates), theirs))
        p.start()
        pipes.append(mine)
        children.append(p)
    senders, sender_instances = await open_all(url, senders_count)
    instances = dict(sender_instances)
    for pipe in pipes:
        _, got = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        for k, v in got.items():
            instances[k] = instances.get(k, 0) + v
    connections = per_child * procs + senders_count
    print(f"{connections} connected", file=sys.stderr, flush=True)
    await asyncio.sleep(3)
    busy_rss = rss_kib(pids)
    drains = [asyncio.create_task(drain(ws)) for ws in senders]
    results = []
    for phase, rate in enumerate(rates):
        before = cpu_ticks(pids)
        sent = await send_phase(senders, phase, rate, seconds)
        await asyncio.sleep(2)
        results.append((rate, sent, cpu_ticks(pids) - before))
        print(f"phase {rate}/s done", file=sys.stderr, flush=True)
    for pipe in pipes:
        pipe.send("stop")
    merged = [[] for _ in rates]
    dropped = 0
    for pipe in pipes:
        _, lat, drops = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        dropped += drops
        for i, l in enumerate(lat):
            merged[i] += l
    for p in children:
        p.join()
    for ws in senders:
        await ws.close()
    hz = os.sysconf("SC_CLK_TCK")
    report = {
        "connections": connections,
        "per_worker": instances,
        "rss_idle_kib": idle_rss,
        "rss_connected_kib": busy_rss,
        "kib_per_connection": (busy_rss - idle_rss) / connections,
        "dropped_too_slow": dropped,
        "phases": [],
    }
    for (rate, sent, ticks), lat in zip(results, merged):
        expected = sent * per_child * procs
        report["phases"].append({
            "broadcasts_per_s": rate,
            "deliveries_expected": expected,
            "deliveries": len(lat),
            # Over the whole window the phase's messages took to arrive, not just the sending time.
            "deliveries_per_s": len(lat) / (seconds + (max(lat) / 1e6 if lat else 0)),
            "p50_ms": percentile(lat, 0.50) / 1000,
            "p99_ms": percentile(lat, 0.99) / 1000,
            "server_cpu_us_per_delivery": ticks * 1e6 / hz / max(1, len(lat)),
        })
    print(json.dumps(report))


async def drain(ws):
    try:
        async for _ in ws:
            pass
    except websockets.ConnectionClosed:
        pass


if __name__ == "__main__":
    asyncio.run(parent(json.loads(sys.argv[1])))
