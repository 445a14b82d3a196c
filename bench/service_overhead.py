"""Service overhead: the API in front of a zero-latency model (a real OpenAI-compatible server on loopback
that answers at once with a schema-valid reply), loaded by httpx clients in a separate process.

python bench/service_overhead.py [--seconds 10] [--clients 1,16,64]

Scenarios: GET /healthz (the floor), POST /v1/briefs answered from the cache (same input), and POST
/v1/briefs with `Cache-Control: no-cache` (the whole pipeline on two short articles; every model call
answered instantly). Prints requests/s and p50/p99 latency per scenario and client count."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _harness import Server, Stub, stub_backend

ARTICLES = [
    {
        "id": "one",
        "outlet": "Daily One",
        "text": "The mayor of Brindle resigned on Monday after a council vote. "
        "Officials said 12 councillors backed the motion.",
    },
    {
        "id": "two",
        "outlet": "Daily Two",
        "text": "Brindle's mayor resigned on Monday, officials said. "
        "The council vote was 12 to 3, according to the clerk.",
    },
]


async def load(url: str, scenario: str, clients: int, seconds: float) -> dict[str, float]:
    """Closed-loop load: each client sends its next request when the previous one is answered."""
    latencies: list[float] = []
    errors = 0
    body = {"articles": ARTICLES}
    headers = {"cache-control": "no-cache"} if scenario == "brief-no-cache" else {}
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        if scenario == "brief-cached":  # warm the cache once
            await client.post("/v1/briefs", json=body)

        async def one() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                if scenario == "healthz":
                    r = await client.get("/healthz")
                else:
                    r = await client.post("/v1/briefs", json=body, headers=headers)
                latencies.append(time.perf_counter() - t0)
                errors += r.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(clients)))
        wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / wall,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", default="1,16,64")
    parser.add_argument("--scenarios", default="healthz,brief-cached,brief-no-cache")
    parser.add_argument("--load", nargs=4, metavar=("URL", "SCENARIO", "CLIENTS", "SECONDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:  # the load-generator process
        url, scenario, clients, seconds = args.load
        print(json.dumps(asyncio.run(load(url, scenario, int(clients), float(seconds)))))
        return

    tmp = Path(tempfile.mkdtemp(prefix="crossbrief-bench-"))
    with Stub(tmp / "stub.log") as stub:
        settings = {
            **stub_backend(stub.url),
            "CROSSBRIEF_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            "CROSSBRIEF_RATE_LIMIT": "100000000/minute",
        }
        with Server(settings, tmp / "api.log") as api:
            print(f"{os.cpu_count()} cores · API, zero-latency model server and load generator are 3 processes here")
            head = ("scenario", "clients", "requests", "errors", "req/s", "p50 ms", "p99 ms")
            print(f"{head[0]:<16} " + " ".join(f"{h:>{w}}" for h, w in zip(head[1:], (7, 8, 6, 8, 8, 8), strict=True)))
            for scenario in args.scenarios.split(","):
                for clients in [int(c) for c in args.clients.split(",")]:
                    cmd = [sys.executable, __file__, "--load", api.url, scenario, str(clients), str(args.seconds)]
                    r = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
                    print(
                        f"{scenario:<16} {clients:>7} {r['requests']:>8} {r['errors']:>6} {r['rps']:>8.1f} "
                        f"{r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f}",
                        flush=True,
                    )

if __name__ == "__main__":
    main()
