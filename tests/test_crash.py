"""Crash safety, black box: `crossbrief serve` (a subprocess, the stub model server as its backend) is
killed with SIGKILL while jobs are queued and running, and while many submissions are being written.
The SQLite file must pass `PRAGMA integrity_check`; after a restart on the same database every accepted
job must end `done`, or `failed` with a code and message (a job interrupted `job_max_attempts` times),
and none may stay queued or running. The write-heavy kill runs on PostgreSQL too (a throwaway schema)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bench._harness import Server, stub_backend
from bench._mix import article_pair
from service.storage import JobRow, Store
from tests.procs import postgres_schema
from tests.stub_server import StubServer

SLOW = ["delay:120"] * 100  # every model call hangs (each brief makes one or more)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crossbrief.db'}"
        return
    with postgres_schema() as url:
        yield url


class Rig:
    """A server and its stub model (in this process); ``slow`` makes every model call hang. ``restart``
    starts the server again on the same database."""

    def __init__(self, database: str, tmp: Path) -> None:
        self.database = database
        self.stub = StubServer().start()
        settings = {"CROSSBRIEF_DATABASE_URL": database, "CROSSBRIEF_JOB_WORKERS": "1"}
        settings |= {"CROSSBRIEF_JOB_MAX_ATTEMPTS": "2", "CROSSBRIEF_RATE_LIMIT": "100000/minute"}
        self.server = Server({**settings, **stub_backend(self.stub.url)}, tmp / "server.log")

    def start(self, slow: bool) -> None:
        self.stub.script.clear()
        if slow:
            self.stub.script.extend(SLOW)
        self.server.start()

    def kill(self) -> None:
        """SIGKILL the server (if it is still alive), then check the SQLite file."""
        self.server.kill()
        if self.database.startswith("sqlite"):
            path = self.database.split("///", 1)[1]
            with sqlite3.connect(path) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    def close(self) -> None:
        self.server.stop()
        self.stub.stop()

    def rows(self) -> dict[str, JobRow]:
        store = Store(self.database)
        try:
            return {r.id: r for r in store.list_jobs(limit=1000)}
        finally:
            store.close()

    def submit(self, n: int) -> str:
        body, prefer = {"articles": article_pair(n)}, {"Prefer": "respond-async"}
        r = httpx.post(f"{self.server.url}/v1/briefs", json=body, headers=prefer, timeout=30)
        assert r.status_code == 202, r.text
        return str(r.json()["id"])

    def wait_for(self, check: Callable[[dict[str, JobRow]], bool], timeout: float = 30.0) -> dict[str, JobRow]:
        """Poll the database until ``check(rows)`` is true."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.rows()
            if check(rows):
                return rows
            assert time.monotonic() < deadline, {r.id: (r.status, r.attempts) for r in rows.values()}
            time.sleep(0.1)


@pytest.fixture
def rig(database: str, tmp_path: Path) -> Iterator[Rig]:
    r = Rig(database, tmp_path)
    yield r
    r.close()


@pytest.fixture
def sqlite_rig(tmp_path: Path) -> Iterator[Rig]:
    r = Rig(f"sqlite:///{tmp_path / 'crossbrief.db'}", tmp_path)
    yield r
    r.close()


def settled(rows: dict[str, JobRow]) -> bool:
    return all(r.status not in ("queued", "running") for r in rows.values())


def assert_none_lost(rows: dict[str, JobRow], accepted: set[str]) -> None:
    assert accepted <= set(rows), f"accepted jobs with no row: {accepted - set(rows)}"
    for row in rows.values():
        assert row.status in ("done", "failed"), (row.id, row.status)
        if row.status == "done":
            assert row.brief and row.brief["headline"], row.id
        else:
            assert row.error and row.error["code"] and row.error["message"], (row.id, row.error)


def test_kill_with_jobs_queued_and_running(sqlite_rig: Rig) -> None:
    """Kill twice: jobs running at the first kill run again; the one running at the second kill, on its
    last attempt, is failed with the reason; all others finish. (The job logic does not depend on the
    database; PostgreSQL gets the write-heavy kill below.)"""
    rig = sqlite_rig
    rig.start(slow=True)
    accepted = {rig.submit(n) for n in range(4)}
    sync = threading.Thread(  # a sync client waiting on its brief when the server dies
        target=lambda: _swallow(
            lambda: httpx.post(f"{rig.server.url}/v1/briefs", json={"articles": article_pair(9)}, timeout=None)
        ),
        daemon=True,
    )
    sync.start()
    rows = rig.wait_for(lambda rows: sum(r.status == "running" for r in rows.values()) == 2 and len(rows) == 5)
    assert sorted(r.status for r in rows.values()) == ["queued"] * 3 + ["running"] * 2
    rig.kill()

    rig.start(slow=True)
    rows = rig.wait_for(lambda rows: any(r.status == "running" and r.attempts == 2 for r in rows.values()))
    last_attempt = {r.id for r in rows.values() if r.status == "running" and r.attempts == 2}
    rig.kill()

    rig.start(slow=False)
    rows = rig.wait_for(settled)
    assert_none_lost(rows, accepted)
    print(f"{len(rows)} jobs after two kills: {_outcomes(rows)}")
    failed = {r.id for r in rows.values() if r.status == "failed"}
    assert failed == last_attempt, {r.id: (r.status, r.attempts, r.error) for r in rows.values()}
    for job_id in failed:
        error = rows[job_id].error or {}
        assert error["code"] == "interrupted" and "interrupted 2 time(s)" in error["message"], error
    assert sum(r.status == "done" for r in rows.values()) == 4
    sync.join(5)


def test_kill_while_many_submissions_are_written(rig: Rig) -> None:
    rig.start(slow=False)
    accepted = asyncio.run(_submit_then_kill(rig, total=80, kill_after=25))
    assert len(accepted) >= 25
    rig.kill()  # already dead: checks the file
    rig.start(slow=False)
    rows = rig.wait_for(settled, timeout=60)
    assert_none_lost(rows, accepted)
    assert len(rows) >= len(accepted)  # rows written whose 202 never arrived are finished too
    print(f"killed after {len(accepted)} of 80 submissions were accepted; {len(rows)} rows: {_outcomes(rows)}")


async def _submit_then_kill(rig: Rig, total: int, kill_after: int) -> set[str]:
    """Fire ``total`` async submissions at once; SIGKILL the server when ``kill_after`` 202s are in."""
    assert rig.server.proc is not None
    pid, accepted = rig.server.proc.pid, set()
    limits = httpx.Limits(max_connections=total)
    async with httpx.AsyncClient(base_url=rig.server.url, limits=limits, timeout=30) as client:

        async def one(n: int) -> None:
            try:
                r = await client.post(
                    "/v1/briefs", json={"articles": article_pair(n)}, headers={"Prefer": "respond-async"}
                )
            except httpx.HTTPError:
                return
            assert r.status_code == 202, r.text
            accepted.add(r.json()["id"])
            if len(accepted) == kill_after:
                os.kill(pid, signal.SIGKILL)

        await asyncio.gather(*(one(n) for n in range(total)))
    rig.server.proc.wait(10)
    assert len(accepted) < total, "the server answered everything before it was killed"
    return accepted


def _outcomes(rows: dict[str, JobRow]) -> dict[str, int]:
    return dict(Counter(r.status + (f" ({r.error['code']})" if r.error else "") for r in rows.values()))


def _swallow(call: Callable[[], object]) -> None:
    try:
        call()
    except httpx.HTTPError:
        pass
