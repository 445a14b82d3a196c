"""The Redis queue with real processes: `crossbrief serve` stores and queues jobs, `crossbrief worker` runs them
(real Redis on 127.0.0.1:6379, a shared SQLite file, the stub OpenAI-compatible server as the model)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench._harness import stub_backend
from service.storage import Store
from tests.procs import Cluster, redis_available, wait_jobs
from tests.stub_server import StubServer
from tests.test_api import two

pytestmark = pytest.mark.skipif(not redis_available(), reason="Redis is not reachable on 127.0.0.1:6379")


def articles(n: int) -> list[dict]:
    return [{**a, "text": f"{a['text']} Report {n}."} for a in two()]


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as s:
        yield s


@pytest.fixture
def cluster(tmp_path: Path, stub: StubServer) -> Iterator[Cluster]:
    c = Cluster(database_url=f"sqlite:///{tmp_path / 'jobs.db'}", logs=tmp_path, backend_env=stub_backend(stub.url))
    try:
        yield c
    finally:
        c.stop()


def wait_running(client: httpx.Client, job_id: str, cluster: Cluster) -> None:
    deadline = time.monotonic() + 30
    while client.get(f"/v1/briefs/{job_id}").json()["status"] != "running":
        assert time.monotonic() < deadline, cluster.log_tail()
        time.sleep(0.1)


def wait_model_call(stub: StubServer, fault: str, cluster: Cluster) -> None:
    deadline = time.monotonic() + 30
    while not any(r.fault == fault for r in stub.received):
        assert time.monotonic() < deadline, cluster.log_tail()
        time.sleep(0.05)


def test_async_and_sync_jobs_run_on_a_worker_with_progress(cluster: Cluster, stub: StubServer) -> None:
    url = cluster.start_api()
    cluster.start_worker()
    with httpx.Client(base_url=url, timeout=30) as client:
        r = client.post("/v1/briefs", json={"articles": articles(1)}, headers={"Prefer": "respond-async"})
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        job = wait_jobs(client, [job_id], timeout=60)[job_id]
        assert job["status"] == "done", cluster.log_tail()
        assert job["brief"]["facts"] and job["progress"]["tokens_in"] > 0
        events = client.get(f"/v1/briefs/{job_id}/events").text
        assert "event: done" in events
        sync = client.post("/v1/briefs", json={"articles": articles(2)})
        assert sync.status_code == 200, sync.text
        assert sync.json()["facts"] and sync.headers["X-Cache"] == "miss"
        again = client.post("/v1/briefs", json={"articles": articles(2)})
        assert again.headers["X-Cache"] == "hit" and again.headers["X-Brief-Id"] == sync.headers["X-Brief-Id"]
    assert "Brindle" in json.dumps(stub.requests[-1]["messages"])  # the worker really asked the model


def test_failed_job_gives_the_same_typed_error_through_the_queue(cluster: Cluster, stub: StubServer) -> None:
    url = cluster.start_api()
    cluster.start_worker()
    stub.script.extend(["500"] * 10)
    with httpx.Client(base_url=url, timeout=60) as client:
        r = client.post("/v1/briefs", json={"articles": articles(3)})
        assert r.status_code == 502, r.text
        error = r.json()["error"]
        assert error["code"] == "upstream_error" and error["request_id"] == r.headers["X-Request-ID"]
        job = client.get(r.headers["Location"] if "Location" in r.headers else "/v1/briefs").json()
        assert job  # the job is kept
        listed = client.get("/v1/briefs", params={"limit": 1}).json()["jobs"][0]
        assert listed["status"] == "failed" and listed["error"]["code"] == "upstream_error"


def test_cancel_stops_the_job_on_its_worker(cluster: Cluster, stub: StubServer) -> None:
    url = cluster.start_api()
    cluster.start_worker()
    stub.script.extend(["delay:20"])
    with httpx.Client(base_url=url, timeout=30) as client:
        job_id = client.post("/v1/briefs?async=true", json={"articles": articles(4)}).json()["id"]
        wait_running(client, job_id, cluster)
        # cancel while the job's model call is in flight: "running" comes before ingest and the first call, and
        # a cancel before that call would leave the delay in the script for the next job
        wait_model_call(stub, "delay:20", cluster)
        assert client.delete(f"/v1/briefs/{job_id}").json()["status"] == "cancelled"
        assert "event: cancelled" in client.get(f"/v1/briefs/{job_id}/events").text
        # the worker is free again at once (not held for the 20 s delay): the next job finishes quickly
        started = time.monotonic()
        nxt = client.post("/v1/briefs?async=true", json={"articles": articles(5)}).json()["id"]
        assert wait_jobs(client, [nxt], timeout=15)[nxt]["status"] == "done"
        assert time.monotonic() - started < 15
        assert [r.fault for r in stub.received].count("delay:20") == 1  # the delay was the cancelled job's
        assert client.get(f"/v1/briefs/{job_id}").json()["status"] == "cancelled"


def test_killed_worker_job_is_taken_over_and_recorded_once(cluster: Cluster, stub: StubServer, tmp_path: Path) -> None:
    url = cluster.start_api()
    first = cluster.start_worker()
    stub.script.extend(["delay:30"])  # the first worker hangs on the model ...
    with httpx.Client(base_url=url, timeout=30) as client:
        job_id = client.post("/v1/briefs?async=true", json={"articles": articles(6)}).json()["id"]
        wait_running(client, job_id, cluster)
        cluster.kill_worker(first)  # ... and is killed (SIGKILL: no clean-up at all)
        cluster.start_worker()
        job = wait_jobs(client, [job_id], timeout=60)[job_id]
    assert job["status"] == "done", cluster.log_tail()
    assert job["attempts"] == 2  # started twice, recorded once
    row = Store(cluster.database_url).get_job(job_id)
    assert row is not None and row.worker_id and row.worker_id.endswith(":2")


def test_worker_queues_again_a_job_the_queue_lost(cluster: Cluster, tmp_path: Path) -> None:
    """A job stored but never queued (the API died in between, or Redis lost it) is found and run."""
    from service.jobs.manager import cache_key
    from service.schemas import BriefRequest
    from service.storage import JobRow

    store = Store(cluster.database_url)
    store.upgrade()
    request = BriefRequest.model_validate({"articles": articles(7)})
    store.add_job(
        JobRow(id="stray0000000000000000000000000001", status="queued", mode="async", attempts=0,
               cache_key="x" * 64, request=request.model_dump(mode="json"), request_id="r1", cache_hit=False)
    )
    assert cache_key  # (the key is not what this test is about)
    url = cluster.start_api()
    cluster.start_worker()
    with httpx.Client(base_url=url, timeout=30) as client:
        job = wait_jobs(client, ["stray0000000000000000000000000001"], timeout=30)
    assert job["stray0000000000000000000000000001"]["status"] == "done", cluster.log_tail()


def test_worker_announces_an_end_its_worker_did_not(cluster: Cluster, tmp_path: Path) -> None:
    """A job the database holds as done, whose worker was killed before its `done` event and which the queue no
    longer holds (another worker, taking it over, took it off the queue), gets its final event from the sweeper;
    a job that ended longer ago than the sweeper's window is left alone."""
    import uuid
    from datetime import UTC, datetime, timedelta

    import redis

    from service.jobs.worker import ANNOUNCE_WINDOW_LEASES
    from service.storage import JobRow
    from tests.procs import REDIS_URL

    store = Store(cluster.database_url)
    store.upgrade()
    now = datetime.now(UTC)
    lease_s = 3  # the cluster's CROSSBRIEF_WORKER_LEASE_S
    ids = {"recent": uuid.uuid4().hex, "old": uuid.uuid4().hex}
    for name, ago in (("recent", 2 * lease_s), ("old", (ANNOUNCE_WINDOW_LEASES + 5) * lease_s)):
        store.add_job(
            JobRow(id=ids[name], status="done", mode="async", attempts=1, cache_key=name * 10, request={},
                   request_id=name, cache_hit=False, brief={"meta": {"tokens_in": 11, "tokens_out": 7}},
                   created_at=now - timedelta(seconds=ago + 1), finished_at=now - timedelta(seconds=ago))
        )
    r = redis.Redis.from_url(REDIS_URL)
    cluster.start_worker()
    deadline = time.monotonic() + 30
    while not r.xlen(f"crossbrief:events:{ids['recent']}"):
        assert time.monotonic() < deadline, cluster.log_tail()
        time.sleep(0.2)
    events = [json.loads(f[b"e"]) for _, f in r.xrange(f"crossbrief:events:{ids['recent']}")]
    assert events == [{"event": "done", "tokens_in": 11, "tokens_out": 7}]
    assert not r.exists(f"crossbrief:events:{ids['old']}")


def test_eval_run_fans_cases_out_over_the_queue(cluster: Cluster, stub: StubServer, tmp_path: Path) -> None:
    """`crossbrief eval run --workers queue`: the briefs are written by a worker (its log shows the jobs), scored
    by the eval process, and the run record says where they came from."""
    import subprocess
    import sys

    from service.config import REPO_ROOT

    cluster.start_worker()
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "eval", "run", "evals/datasets/ci", "--workers", "queue",
         "--no-calibration", "--no-cache", "--no-progress", "--no-store", "--out", str(out)],
        cwd=REPO_ROOT, env=cluster.env(), capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:] + cluster.log_tail()
    record = json.loads((out / "run.json").read_text())
    repeat = record["cases"][0]["repeats"][0]
    assert repeat["source"] == "queue" and repeat["problem"] is None and repeat["brief"]["facts"]
    assert "run_brief" in (tmp_path / "worker-0.log").read_text()


def test_eval_queue_needs_redis(tmp_path: Path) -> None:
    import subprocess
    import sys

    from service.config import REPO_ROOT

    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CROSSBRIEF_REDIS_URL")}
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "eval", "run", "evals/datasets/ci", "--workers", "queue"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2 and "needs a Redis queue" in done.stderr


def test_worker_health_check(cluster: Cluster) -> None:
    """`crossbrief worker --check` (a container healthcheck): 0 once a worker on this host runs, 1 when none."""
    import subprocess
    import sys

    from service.config import REPO_ROOT

    def check(env: dict[str, str]) -> int:
        cmd = [sys.executable, "-m", "service.cli", "worker", "--check"]
        return subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, timeout=60).returncode

    assert check(cluster.env()) == 1  # no worker yet on this queue
    cluster.start_worker()
    deadline = time.monotonic() + 60
    while check(cluster.env()) != 0:
        assert time.monotonic() < deadline, cluster.log_tail()
        time.sleep(0.5)


def test_worker_serves_its_own_metrics(cluster: Cluster, stub: StubServer) -> None:
    """`crossbrief worker --metrics-port`: Prometheus metrics of the jobs this worker ran, its failures by
    code, its pipeline stages and tokens (the API process never sees those)."""
    from prometheus_client.parser import text_string_to_metric_families

    from tests.conftest import free_port

    port = free_port()
    url = cluster.start_api()
    cluster.start_worker(1, "--metrics-port", str(port))
    with httpx.Client(base_url=url, timeout=60) as client:
        assert client.post("/v1/briefs", json={"articles": articles(7)}).status_code == 200, cluster.log_tail()
        stub.script.extend(["500"] * 10)
        assert client.post("/v1/briefs", json={"articles": articles(8)}).status_code == 502
    samples: dict[tuple[str, tuple], float] = {}
    deadline = time.monotonic() + 10
    while samples.get(("crossbrief_jobs_total", (("status", "failed"),))) != 1.0:
        assert time.monotonic() < deadline, samples
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        samples = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }
        time.sleep(0.2)
    assert samples[("crossbrief_jobs_total", (("status", "done"),))] == 1.0
    assert samples[("crossbrief_errors_total", (("code", "upstream_error"),))] == 1.0
    stages = {labels: v for (name, labels), v in samples.items() if name == "crossbrief_stage_seconds_count"}
    assert stages and all(v >= 1 for v in stages.values())
    assert sum(v for (name, _), v in samples.items() if name == "crossbrief_tokens_total") > 0
    assert not any(name.startswith("crossbrief_queue_depth") for name, _ in samples)


def test_a_jobs_final_event_is_published_once_whoever_publishes_it() -> None:
    """Three publishers can each find a job's stream without its end (its worker, a worker the queue hands the
    finished job to again, the sweep) and publish it; the stream keeps the first final event only (the
    scale-out run once saw a stream with two "done"s). Progress events still go in as they come."""
    import asyncio
    import uuid

    from service.config import Settings
    from service.jobs import redis_queue
    from tests.procs import REDIS_URL

    async def run() -> list[dict]:
        pool = await redis_queue.connect(Settings(redis_url=REDIS_URL))
        job_id = uuid.uuid4().hex
        try:
            assert await redis_queue.publish(pool, job_id, {"event": "status", "status": "running"})
            done = {"event": "done", "tokens_in": 3, "tokens_out": 2}
            told = await asyncio.gather(*(redis_queue.publish(pool, job_id, done) for _ in range(5)))
            assert sorted(told) == [False, False, False, False, True]
            assert not await redis_queue.publish(pool, job_id, {"event": "failed", "error": {}})
            return await redis_queue.history(pool, job_id)
        finally:
            await pool.delete(f"crossbrief:events:{job_id}", f"crossbrief:events:{job_id}:final")
            await pool.aclose()

    events = asyncio.run(run())
    assert events == [{"event": "status", "status": "running"}, {"event": "done", "tokens_in": 3, "tokens_out": 2}]
