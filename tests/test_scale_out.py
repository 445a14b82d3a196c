"""Scale-out on real engines: two API processes and three workers share PostgreSQL and Redis; 500 jobs, workers
killed (SIGKILL) at random while they work; every job finishes exactly once, with the brief a single process
writes for the same request.

Exactly once is read from two places: the database holds one result per job, and each job's Redis event stream
holds exactly one final event (a worker publishes `done` only after the database accepted its result)."""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text

from bench._harness import stub_backend
from bench._mix import article_pair
from service.storage import Store
from tests.procs import PG, REDIS_URL, Cluster, postgres_schema, redis_available, wait_jobs
from tests.stub_server import StubServer

JOBS = int(os.environ.get("CROSSBRIEF_SCALE_JOBS", "500"))
SYNC_EVERY = 10  # one request in ten is synchronous
MAX_KILLS = 8


def pg_available() -> bool:
    try:
        with create_engine(PG.replace("postgresql://", "postgresql+psycopg://")).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not (redis_available() and pg_available()), reason="needs Redis on 6379 and PostgreSQL on 5432"),
]


def final_events(job_ids: list[str], settle_s: float = 30.0) -> dict[str, list[str]]:
    """The final events in each job's Redis stream. A worker killed between the database's commit and its
    `done` event leaves the stream without one until the job's lease lapses and the queue hands the job to
    another worker, which publishes the end the database holds; so wait (up to ``settle_s``) for that repair."""
    r = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + settle_s
    while True:
        finals = {
            job_id: [
                json.loads(f[b"e"])["event"]
                for _, f in r.xrange(f"crossbrief:events:{job_id}")
                if json.loads(f[b"e"])["event"] in ("done", "failed", "cancelled")
            ]
            for job_id in job_ids
        }
        if all(finals.values()) or time.monotonic() > deadline:
            return finals
        time.sleep(0.5)


def request_body(n: int) -> dict:
    """Distinct requests (no cache hits): a numbered event reported by two outlets."""
    return {"articles": article_pair(n)}


def comparable(brief: dict) -> dict:
    """A brief without what differs from run to run (timings, ids, who ran it)."""
    return {k: v for k, v in brief.items() if k != "meta"} | {"warnings": brief.get("meta", {}).get("warnings", [])}


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_schema() as url:
        yield url


def submit_all(urls: list[str], n: int) -> tuple[dict[int, str], dict[int, dict]]:
    """Send requests 0..n-1 round-robin over the APIs (every tenth synchronous); returns job ids by request
    number and the synchronous answers."""
    ids: dict[int, str] = {}
    sync_briefs: dict[int, dict] = {}
    clients = [httpx.Client(base_url=u, timeout=300) for u in urls]

    def one(i: int) -> None:
        client = clients[i % len(clients)]
        if i % SYNC_EVERY == 0:
            r = client.post("/v1/briefs", json=request_body(i))
            assert r.status_code == 200, r.text
            ids[i], sync_briefs[i] = r.headers["X-Brief-Id"], r.json()
        else:
            r = client.post("/v1/briefs", json=request_body(i), headers={"Prefer": "respond-async"})
            assert r.status_code == 202, r.text
            ids[i] = r.json()["id"]

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, range(n)))
    for c in clients:
        c.close()
    return ids, sync_briefs


def test_two_apis_three_workers_500_jobs_with_killed_workers(tmp_path: Path, pg_url: str) -> None:
    with StubServer() as stub:
        # Every model call takes 0.1 s so that kills land while jobs run.
        stub.script.extend(["delay:0.1"] * (JOBS * 4))
        cluster = Cluster(database_url=pg_url, logs=tmp_path, backend_env=stub_backend(stub.url))
        kills = 0
        try:
            apis = [cluster.start_api(), cluster.start_api()]
            for _ in range(3):
                cluster.start_worker()
            stop = threading.Event()

            store = Store(pg_url)

            def chaos() -> None:
                """Every 1-2 s, SIGKILL a worker that holds a running job (its pid is in the job's worker id) and
                start a new one; MAX_KILLS times."""
                nonlocal kills
                rng = random.Random(7)
                while kills < MAX_KILLS and not stop.wait(rng.uniform(1.0, 2.0)):
                    holders = {int(w.split(":")[1]) for w in store.running_holders()}
                    busy = [w for w in cluster.workers if w.poll() is None and w.pid in holders]
                    if busy:
                        cluster.kill_worker(rng.choice(busy))
                        kills += 1
                        cluster.start_worker()

            killer = threading.Thread(target=chaos, daemon=True)
            started = time.monotonic()
            killer.start()
            try:
                ids, sync_briefs = submit_all(apis, JOBS)
                with httpx.Client(base_url=apis[1], timeout=30) as client:
                    jobs = wait_jobs(client, list(ids.values()), timeout=600)
            finally:
                stop.set()
                killer.join()
                store.close()
            seconds = time.monotonic() - started
            statuses = [j["status"] for j in jobs.values()]
            assert statuses.count("done") == JOBS, (
                {s: statuses.count(s) for s in set(statuses)},
                [j.get("error") for j in jobs.values() if j["status"] != "done"][:5],
                cluster.log_tail(),
            )
            finals = final_events(list(ids.values()))
            assert all(v == ["done"] for v in finals.values()), [v for v in finals.values() if v != ["done"]][:5]
            retried = sum(1 for j in jobs.values() if j["attempts"] > 1)
            print(f"\n{JOBS} jobs, 2 APIs, 3 workers, {kills} kills, {retried} jobs taken over, {seconds:.1f} s")
            assert kills == MAX_KILLS and retried >= 1  # kills landed mid-job: jobs were taken over
        finally:
            cluster.stop()

        # The same requests through one process with the in-process queue give the same briefs.
        single = Cluster(
            database_url=f"sqlite:///{tmp_path / 'single.db'}",
            logs=tmp_path / "single",
            backend_env=stub_backend(stub.url),
            extra_env={"CROSSBRIEF_REDIS_URL": ""},
        )
        (tmp_path / "single").mkdir()
        try:
            url = single.start_api()
            sample = sorted(random.Random(3).sample(range(JOBS), 40))
            with httpx.Client(base_url=url, timeout=60) as client:
                for i in sample:
                    alone = client.post("/v1/briefs", json=request_body(i))
                    assert alone.status_code == 200, alone.text
                    assert comparable(alone.json()) == comparable(jobs[ids[i]]["brief"]), i
            for i, brief in sync_briefs.items():
                assert comparable(brief) == comparable(jobs[ids[i]]["brief"])
        finally:
            single.stop()
