"""The store on real engines: a SQLite file and PostgreSQL (127.0.0.1:5432, database `test`, or
CROSSBRIEF_TEST_POSTGRES_URL). Migrations apply (twice: idempotent), jobs move through their states with
guarded updates, the cache finds the newest finished brief, eval runs and API keys round-trip."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from service.storage import ApiKeyRow, EvalRunRow, JobRow, Store

PG = os.environ.get("CROSSBRIEF_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'sub' / 'crossbrief.db'}")  # parent folder is created
        yield s
        s.close()
        return
    schema = f"cb_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:  # noqa: BLE001 - say exactly what is missing
        pytest.fail(f"PostgreSQL at {PG} is needed for this test (README: Storage): {e}")
    s = Store(f"{PG}?options=-csearch_path%3D{schema}")
    yield s
    s.close()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


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
