"""Real crossbrief processes for scale-out tests: `crossbrief serve` and `crossbrief worker` on a shared database
and Redis, with the stub OpenAI-compatible server (or the 135M test model) as the backend."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text

from service.config import REPO_ROOT
from tests.conftest import free_port

REDIS_URL = os.environ.get("CROSSBRIEF_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PG = os.environ.get("CROSSBRIEF_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A database URL on a throwaway schema of the PostgreSQL at ``PG``, dropped afterwards; fails the test,
    naming the README section, when that server cannot be reached."""
    schema = f"cb_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:  # noqa: BLE001 - say exactly what is missing
        admin.dispose()
        pytest.fail(f"PostgreSQL at {PG} is needed for this test (README: Storage): {e}")
    try:
        yield f"{PG}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@dataclass
class Cluster:
    """API and worker processes sharing ``database_url`` and one Redis queue (a fresh queue name per cluster)."""

    database_url: str
    logs: Path
    backend_env: dict[str, str]
    extra_env: dict[str, str] = field(default_factory=dict)
    queue: str = field(default_factory=lambda: f"crossbrief:test:{uuid.uuid4().hex[:8]}")
    apis: list[tuple[subprocess.Popen[bytes], str]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            **self.backend_env,
            "CROSSBRIEF_DATABASE_URL": self.database_url,
            "CROSSBRIEF_REDIS_URL": REDIS_URL,
            "CROSSBRIEF_QUEUE_NAME": self.queue,
            "CROSSBRIEF_RATE_LIMIT": "100000/minute",
            "CROSSBRIEF_WORKER_LEASE_S": "3",
            "CROSSBRIEF_JOB_MAX_ATTEMPTS": "10",
            **self.extra_env,
        }

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen[bytes]:
        out = (self.logs / f"{name}.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "service.cli", *args], cwd=REPO_ROOT, env=self.env(), stdout=out, stderr=out
        )

    def start_api(self) -> str:
        port = free_port()
        proc = self._spawn(["serve", "--port", str(port)], f"api-{len(self.apis)}")
        url = f"http://127.0.0.1:{port}"
        self.apis.append((proc, url))
        wait_ready(url, proc, self.logs)
        return url

    def start_worker(self, jobs: int = 1, *options: str) -> subprocess.Popen[bytes]:
        proc = self._spawn(["worker", "--jobs", str(jobs), *options], f"worker-{len(self.workers)}")
        self.workers.append(proc)
        return proc

    def kill_worker(self, proc: subprocess.Popen[bytes]) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self) -> None:
        for proc in [p for p, _ in self.apis] + self.workers:
            if proc.poll() is None:
                proc.terminate()
        for proc in [p for p, _ in self.apis] + self.workers:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        r = redis.Redis.from_url(REDIS_URL)
        r.delete(self.queue)

    def log_tail(self, n: int = 3000) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-n:]}" for p in sorted(self.logs.glob("*.log")))


def wait_ready(url: str, proc: subprocess.Popen[bytes], logs: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tails = "\n".join(p.read_text()[-2000:] for p in logs.glob("*.log"))
            raise AssertionError(f"{url} exited early:\n{tails}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} not ready in {timeout} s")


def wait_jobs(client: httpx.Client, ids: list[str], timeout: float) -> dict[str, dict]:
    """Poll until every job has finished; returns id -> job (without waiting past ``timeout``)."""
    deadline = time.monotonic() + timeout
    jobs: dict[str, dict] = {}
    pending = list(ids)
    while pending and time.monotonic() < deadline:
        still = []
        for job_id in pending:
            job = client.get(f"/v1/briefs/{job_id}").json()
            if job["status"] in ("done", "failed", "cancelled"):
                jobs[job_id] = job
            else:
                still.append(job_id)
        pending = still
        if pending:
            time.sleep(0.3)
    for job_id in pending:
        jobs[job_id] = client.get(f"/v1/briefs/{job_id}").json()
    return jobs
