"""The store on real engines: a SQLite file and PostgreSQL (127.0.0.1:5432, database `test`, or
CROSSBRIEF_TEST_POSTGRES_URL). Migrations apply (twice: idempotent), jobs move through their states with
guarded updates, the cache finds the newest finished brief, eval runs and API keys round-trip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from service.storage import ApiKeyRow, EvalRunRow, JobRow, Store
from tests.procs import postgres_schema


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'sub' / 'crossbrief.db'}")  # parent folder is created
        yield s
        s.close()
        return
    with postgres_schema() as url:
        s = Store(url)
        yield s
        s.close()


def job(job_id: str, key: str = "k", status: str = "queued") -> JobRow:
    return JobRow(id=job_id, status=status, mode="async", cache_key=key, request={"articles": []}, request_id="r")


def test_migrations_create_the_tables_idempotently(store: Store) -> None:
    store.upgrade()
    store.upgrade()
    tables = set(inspect(store.engine).get_table_names())
    assert {"jobs", "eval_runs", "api_keys", "alembic_version"} <= tables


def test_job_states_are_guarded(store: Store) -> None:
    store.upgrade()
    store.add_job(job("a"))
    assert store.claim_job("a") is True
    assert store.claim_job("a") is False  # already running: nobody else gets it
    row = store.get_job("a")
    assert row is not None and row.status == "running" and row.attempts == 1 and row.started_at is not None
    assert store.finish_job("a", "cancelled") is True
    assert store.finish_job("a", "done", brief={"headline": "late"}) is False  # the cancel stands
    row = store.get_job("a")
    assert row is not None and row.status == "cancelled" and row.brief is None


def test_cache_lookup_and_unfinished_jobs(store: Store) -> None:
    store.upgrade()
    for n, status in enumerate(["queued", "running", "done", "failed"]):
        store.add_job(job(f"j{n}", key="same", status="queued"))
        if status != "queued":
            store.claim_job(f"j{n}")
        if status in ("done", "failed"):
            store.finish_job(f"j{n}", status, brief={"headline": f"h{n}"} if status == "done" else None)
    assert [r.id for r in store.unfinished_jobs()] == ["j0", "j1"]
    hit = store.cached_brief("same")
    assert hit is not None and hit.id == "j2" and hit.brief == {"headline": "h2"}
    assert store.cached_brief("other") is None
    assert store.count_jobs(["queued", "running"]) == 2


def test_eval_runs_and_keys_round_trip(store: Store) -> None:
    store.upgrade()
    store.add_eval_run(
        EvalRunRow(id="run1", git_commit="abc", model="m", metrics={"fact_recall": {"mean": 0.5}}, record={"cases": []})
    )
    assert store.list_eval_runs()[0].metrics["fact_recall"]["mean"] == 0.5
    store.add_key(ApiKeyRow(id="k1", name="desk", key_hash="0" * 64, prefix="cb_k1"))
    assert store.key_by_hash("0" * 64).name == "desk"  # type: ignore[union-attr]
    assert store.revoke_key("k1") is True and store.revoke_key("k1") is False
    assert store.list_keys()[0].revoked_at is not None


def test_one_process_at_a_time_runs_the_in_process_queue_on_a_database(store: Store) -> None:
    """A second Store on the same database (another `crossbrief serve` without Redis) cannot take the queue lock
    while the first holds it; it can once the first lets go."""
    other = Store(store.url)
    try:
        assert store.acquire_queue_lock() and store.acquire_queue_lock()  # re-entrant for its holder
        assert not other.acquire_queue_lock()
        store.release_queue_lock()
        assert other.acquire_queue_lock()
        assert not store.acquire_queue_lock()
    finally:
        other.close()
