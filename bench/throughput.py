"""Queue throughput: jobs per minute through one API process and 1 vs N `crossbrief worker`s on the Redis queue,
sharing one database.

python bench/throughput.py [--jobs 30] [--workers 1,3] [--backend test-model|remote-like] [--database-url URL]

test-model: every worker runs the 135M test model on its own llama.cpp server (CPU-bound: on 2 cores more workers
share the same cores). remote-like: the stub OpenAI-compatible server answers every model call after
``--delay`` seconds, like a remote model (latency-bound: the case scale-out is for). Needs Redis on 127.0.0.1:6379
(or CROSSBRIEF_TEST_REDIS_URL). Prints jobs/min per worker count."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import stub_backend  # noqa: E402
from bench._mix import article_pair  # noqa: E402
from tests.procs import Cluster, redis_available, wait_jobs  # noqa: E402
from tests.stub_server import StubServer  # noqa: E402


def body(n: int) -> dict:
    return {"articles": article_pair(n)}


def run(
    workers: int, jobs: int, backend_env: dict[str, str], db_url: str, logs: Path, offset: int
) -> tuple[float, int]:
    cluster = Cluster(database_url=db_url, logs=logs, backend_env=backend_env)
    try:
        url = cluster.start_api()
        for _ in range(workers):
            cluster.start_worker()
        with httpx.Client(base_url=url, timeout=60) as client:
            # Warm-up: one job per worker, so model loading is not counted.
            warm = [client.post("/v1/briefs?async=true", json=body(offset + 10_000 + i)).json()["id"]
                    for i in range(workers)]
            wait_jobs(client, warm, timeout=600)
            started = time.monotonic()
            ids = [client.post("/v1/briefs?async=true", json=body(offset + i)).json()["id"] for i in range(jobs)]
            done = wait_jobs(client, ids, timeout=3600)
            seconds = time.monotonic() - started
        ok = sum(1 for j in done.values() if j["status"] == "done")
        return seconds, ok
    finally:
        cluster.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=30)
    ap.add_argument("--workers", default="1,3")
    ap.add_argument("--backend", choices=["test-model", "remote-like"], default="test-model")
    ap.add_argument("--delay", type=float, default=0.5, help="remote-like: seconds per model call")
    ap.add_argument("--database-url", default=None, help="default: a SQLite file in a temporary folder")
    a = ap.parse_args()
    if not redis_available():
        sys.exit("needs Redis on 127.0.0.1:6379 (or CROSSBRIEF_TEST_REDIS_URL)")
    stub = None
    if a.backend == "remote-like":
        stub = StubServer().start()
        stub.script.extend([f"delay:{a.delay}"] * 100_000)
        backend_env = stub_backend(stub.url)
    else:
        backend_env = {"CROSSBRIEF_BACKEND": "local", "CROSSBRIEF_MODEL": "smollm2-135m"}
    rows = []
    try:
        for n, count in enumerate(int(w) for w in a.workers.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                db = a.database_url or f"sqlite:///{tmp}/jobs.db"
                seconds, ok = run(count, a.jobs, backend_env, db, Path(tmp), offset=n * 100_000)
            rows.append((count, ok, seconds, ok / seconds * 60))
            print(f"{count} worker(s): {ok}/{a.jobs} jobs done in {seconds:.1f} s = {ok / seconds * 60:.1f} jobs/min",
                  flush=True)
    finally:
        if stub is not None:
            stub.stop()
    print(f"\nbackend={a.backend}{f' delay={a.delay}s' if stub else ''} jobs={a.jobs}")
    print("| workers | jobs done | seconds | jobs/min | vs 1 worker |")
    print("|---|---|---|---|---|")
    for count, ok, seconds, rate in rows:
        print(f"| {count} | {ok}/{a.jobs} | {seconds:.1f} | {rate:.1f} | {rate / rows[0][3]:.2f}x |")


if __name__ == "__main__":
    main()
