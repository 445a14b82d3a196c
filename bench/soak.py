"""Soak: a bounded loop of brief requests against one `crossbrief serve` process with the zero-latency stub
model for --minutes (default 10), sampling the server's resident memory every --sample seconds.

python bench/soak.py [--minutes 10] [--clients 8] [--sample 10]

Each of --clients loopback clients sends, in turn: a sync brief of a new article pair, an async one
followed by polling, a repeat of a recent pair (a cache hit), and an async one followed on its event
stream. Prints the RSS series, the slope over the second half (MB/min, least squares) and the totals;
exits 1 if memory grew faster than --max-slope MB/min over the second half or more than --max-growth MB
in all, or if any request got an unintended answer or any accepted job was lost or left unfinished."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _harness import Server, Stub, stub_backend
from _mix import FINISHED, Outcome, Req, follow, lost_jobs, send, summarize, write


async def stream(client: httpx.AsyncClient, out: Outcome, started: float) -> None:
    """Follow an async job on its Server-Sent Events until the final event."""
    async with client.stream("GET", f"/v1/briefs/{out.job_id}/events") as r:
        async for line in r.aiter_lines():
            if line.startswith("event:") and line.split(":", 1)[1].strip() in FINISHED:
                out.final = line.split(":", 1)[1].strip()
                out.done_seconds = time.perf_counter() - started
                return


async def client_loop(client: httpx.AsyncClient, me: int, clients: int, deadline: float, outs: list[Outcome]) -> None:
    step = 0
    while time.perf_counter() < deadline:
        kind = step % 4
        n = 1_000 + step * clients + me  # a new pair; a repeat (kind 2) takes the sync pair of step - 2
        req = Req(n - 2 * clients if kind == 2 else n, "sync" if kind in (0, 2) else "async", repeat=kind == 2)
        started = time.perf_counter()
        out = await send(client, req)
        if out.status == 202 and out.final not in FINISHED:
            if kind == 3:
                await stream(client, out, started)
            else:
                await follow(client, out, started + 60, 0.1, started)
        outs.append(out)
        step += 1


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (minutes, MB) points, MB per minute."""
    if len(points) < 2:
        return 0.0
    xs, ys = zip(*points, strict=True)
    return float(statistics.linear_regression(xs, ys).slope)


async def soak(server: Server, args: argparse.Namespace) -> tuple[list[Outcome], list[tuple[float, float]], float]:
    outs: list[Outcome] = []
    series: list[tuple[float, float]] = []
    started = time.perf_counter()
    deadline = started + 60 * args.minutes
    limits = httpx.Limits(max_connections=args.clients * 2)
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as client:
        loops = [asyncio.create_task(client_loop(client, i, args.clients, deadline, outs)) for i in range(args.clients)]
        while True:
            minutes = (time.perf_counter() - started) / 60
            series.append((minutes, server.rss_mb()))
            print(f"{minutes:6.2f} min  RSS {series[-1][1]:7.1f} MB  requests {len(outs):6d}", flush=True)
            if all(t.done() for t in loops):
                break
            await asyncio.wait(loops, timeout=args.sample)
        for t in loops:
            t.result()  # a client that crashed is a failure of the bench itself
    return outs, series, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8, help="concurrent loopback clients")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between RSS samples")
    parser.add_argument("--max-slope", type=float, default=5.0, help="MB/min allowed over the second half")
    parser.add_argument("--max-growth", type=float, default=100.0, help="MB allowed from first to last sample")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="crossbrief-soak-"))
    db = f"sqlite:///{tmp / 'crossbrief.db'}"
    with Stub(tmp / "stub.log") as stub:
        settings = {**stub_backend(stub.url), "CROSSBRIEF_DATABASE_URL": db, "CROSSBRIEF_RATE_LIMIT": "1000000/minute"}
        with Server(settings, tmp / "server.log") as server:
            write(server.url, 4)  # imports and first-use allocations happen before the first sample
            metrics_before = len(httpx.get(f"{server.url}/metrics").text)
            outs, series, wall = asyncio.run(soak(server, args))
            metrics_after = len(httpx.get(f"{server.url}/metrics").text)
            s = summarize(outs, lost_jobs(db, outs), wall, allow_429=False)

    half = [(m, mb) for m, mb in series if m >= series[-1][0] / 2]
    second_half, growth = slope(half), series[-1][1] - series[0][1]
    print(json.dumps({"series": [[round(m, 2), round(mb, 1)] for m, mb in series]}))
    print(f"duration {wall / 60:.1f} min, {s.requests} requests ({s.requests / wall:.1f}/s), statuses {s.statuses}")
    print(f"async jobs done {s.async_done}/{s.async_accepted}, cache hits {s.cache_hits}, jobs lost {len(s.lost)}")
    print(f"RSS {series[0][1]:.1f} -> {series[-1][1]:.1f} MB ({growth:+.1f} MB)", end="; ")
    print(f"second-half slope {second_half:+.2f} MB/min")
    print(f"/metrics {metrics_before} -> {metrics_after} bytes; logs and database in {tmp}")
    problems = []
    if second_half > args.max_slope:
        problems.append(f"memory grows {second_half:.2f} MB/min over the second half (limit {args.max_slope})")
    if growth > args.max_growth:
        problems.append(f"memory grew {growth:.1f} MB (limit {args.max_growth})")
    if s.unexpected:
        problems.append(f"{len(s.unexpected)} unexpected answers, e.g. {s.unexpected[:3]}")
    if s.lost or s.async_unfinished or s.sync_invalid_briefs or s.repeats_missed:
        problems.append(
            f"lost {len(s.lost)}, unfinished {s.async_unfinished}, invalid briefs {s.sync_invalid_briefs}, "
            f"repeats that missed the cache {s.repeats_missed}"
        )
    print("\n".join(problems) if problems else "OK: memory flat, nothing lost")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
