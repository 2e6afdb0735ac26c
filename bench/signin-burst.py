#!/usr/bin/env python3
"""N sign-ins at once, each from its own loopback address (127.0.x.y), against a running app;
samples the server's RSS meanwhile. Prints the statuses, the latency, and RSS before, at its
peak, and 5 s after.

    python3 bench/signin-burst.py --port 8000 --pid $PID --n 100 [--user ann --password ..]

Unknown users (the default: a distinct name per sign-in, so no per-user limit applies) are
checked against a dummy hash, as the server does: the same argon2 work as a wrong password.
"""
import argparse
import asyncio
import json
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def sign_in(port, n, user, password):
    src = f"127.0.{1 + n // 250}.{1 + n % 250}"
    body = json.dumps({"username": user or f"user{n}", "password": password}).encode()
    head = (
        f"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    start = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(src, 0))
    writer.write(head + body)
    await writer.drain()
    status = (await reader.readline()).split()[1].decode()
    await reader.read()
    writer.close()
    return status, time.monotonic() - start


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--user")
    p.add_argument("--password", default="wrong-password")
    a = p.parse_args()
    before = rss_kib(a.pid)
    peak = before
    done = False

    async def sample():
        nonlocal peak
        while not done:
            peak = max(peak, rss_kib(a.pid))
            await asyncio.sleep(0.02)

    sampler = asyncio.create_task(sample())
    t0 = time.monotonic()
    results = await asyncio.gather(*(sign_in(a.port, n, a.user, a.password) for n in range(a.n)))
    took = time.monotonic() - t0
    done = True
    await sampler
    await asyncio.sleep(5)
    after = rss_kib(a.pid)
    statuses = {}
    for s, _ in results:
        statuses[s] = statuses.get(s, 0) + 1
    lat = sorted(t for _, t in results)
    print(
        f"n={a.n} statuses={statuses} all answered in {took:.2f}s "
        f"p50={lat[len(lat) // 2] * 1000:.0f}ms p99={lat[int(len(lat) * 0.99) - 1] * 1000:.0f}ms "
        f"rss_before={before / 1024:.1f}MiB peak={peak / 1024:.1f}MiB after_5s={after / 1024:.1f}MiB"
    )


asyncio.run(main())
