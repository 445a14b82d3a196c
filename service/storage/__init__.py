"""Persistence through SQLAlchemy with Alembic migrations: a SQLite file by default, Postgres by URL."""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, select, text, update
from sqlalchemy.orm import sessionmaker

from service.locks import file_lock
from service.storage.models import ApiKeyRow, Base, EvalRunRow, JobRow, utcnow

__all__ = ["ApiKeyRow", "EvalRunRow", "JobRow", "Store", "UNFINISHED"]

MIGRATIONS = Path(__file__).parent / "migrations"
UNFINISHED = ("queued", "running")


def make_engine(url: str) -> Engine:
    """An engine; SQLite files get WAL journaling and a busy timeout so readers never block the writer."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


R = TypeVar("R", bound=Base)


class Store:
    """All reads and writes of jobs, eval runs and API keys. Blocking: call it from a thread in async code."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._queue_lock: Any = None

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        # Several processes may start at once (API, workers, eval): one migrates while the others wait.
        path = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        with file_lock(Path(f"{path}.migrate.lock") if path and path != ":memory:" else None):
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(7310514)"))
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")

    def close(self) -> None:
        self.release_queue_lock()
        self.engine.dispose()

    def acquire_queue_lock(self) -> bool:
        """Take the right to run the in-process queue on this database, held until released or the process
        dies (an exclusive file lock beside a SQLite file; a session advisory lock on PostgreSQL). False when
        another live process holds it: its jobs are its own, and only the Redis queue shares a database."""
        if self._queue_lock is not None:
            return True
        if self.engine.dialect.name == "sqlite":
            path = self.engine.url.database
            if not path or path == ":memory:":
                self._queue_lock = True
                return True
            handle = Path(f"{path}.queue.lock").open("a")
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                return False
            self._queue_lock = handle
            return True
        conn = self.engine.connect()
        key = int.from_bytes(hashlib.sha256(self.url.encode()).digest()[:8], "big", signed=True)
        if conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            conn.commit()
            self._queue_lock = (conn, key)
            return True
        conn.close()
        return False

    def release_queue_lock(self) -> None:
        lock, self._queue_lock = self._queue_lock, None
        if isinstance(lock, tuple):  # a pooled connection outlives close(): unlock explicitly
            conn, key = lock
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()
            conn.close()
        elif lock is not None and lock is not True:
            lock.close()  # closing the file drops the flock

    def _add(self, row: R) -> R:
        """``row`` stored as a new row, in a transaction of its own."""
        with self.sessions.begin() as s:
            s.add(row)
        return row

    # jobs
    def add_job(self, row: JobRow) -> JobRow:
        return self._add(row)

    def get_job(self, job_id: str) -> JobRow | None:
        with self.sessions() as s:
            return s.get(JobRow, job_id)

    def update_job(self, job_id: str, **fields: Any) -> None:
        with self.sessions.begin() as s:
            s.execute(update(JobRow).where(JobRow.id == job_id).values(**fields))

    def claim_job(self, job_id: str, worker_id: str | None = None) -> bool:
        """Move a queued job to running; False when someone else did (or it was cancelled).

        A queue worker (``worker_id``) may also take over a `running` job: the queue hands a job to a second
        worker only when the first stopped renewing its lease (killed), and from then on only the new
        holder's result is recorded (``finish_job(..., worker_id=...)``)."""
        allowed = UNFINISHED if worker_id is not None else ("queued",)
        with self.sessions.begin() as s:
            result = s.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status.in_(allowed))
                .values(status="running", started_at=utcnow(), attempts=JobRow.attempts + 1, worker_id=worker_id)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def finish_job(self, job_id: str, status: str, worker_id: str | None = None, **fields: Any) -> bool:
        """Record a job's end unless it already ended (a cancel wins over a late result); with ``worker_id``,
        only while that worker still holds the job."""
        with self.sessions.begin() as s:
            stmt = update(JobRow).where(JobRow.id == job_id, JobRow.status.in_(UNFINISHED))
            if worker_id is not None:
                stmt = stmt.where(JobRow.worker_id == worker_id)
            result = s.execute(stmt.values(status=status, finished_at=utcnow(), **fields))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def cached_brief(self, cache_key: str) -> JobRow | None:
        """The newest finished job with this input, if any."""
        with self.sessions() as s:
            stmt = (
                select(JobRow)
                .where(JobRow.cache_key == cache_key, JobRow.status == "done")
                .order_by(JobRow.finished_at.desc())
                .limit(1)
            )
            return s.scalars(stmt).first()

    def unfinished_jobs(self) -> list[JobRow]:
        """Jobs accepted but not finished, oldest first (to resume after a restart)."""
        with self.sessions() as s:
            stmt = select(JobRow).where(JobRow.status.in_(UNFINISHED)).order_by(JobRow.created_at)
            return list(s.scalars(stmt))

    def stray_jobs(self, before: datetime) -> list[str]:
        """Ids of unfinished jobs created before ``before`` (the queue's sweeper checks each is queued)."""
        with self.sessions() as s:
            stmt = select(JobRow.id).where(JobRow.status.in_(UNFINISHED), JobRow.created_at < before)
            return list(s.scalars(stmt.order_by(JobRow.created_at)))

    def finished_between(self, after: datetime, before: datetime) -> list[str]:
        """Ids of jobs that ended in [``after``, ``before``) (the sweeper checks each one's end was announced)."""
        with self.sessions() as s:
            stmt = select(JobRow.id).where(
                JobRow.status.not_in(UNFINISHED), JobRow.finished_at >= after, JobRow.finished_at < before
            )
            return list(s.scalars(stmt.order_by(JobRow.finished_at)))

    def running_holders(self) -> list[str]:
        """Worker ids holding running jobs (operators: which worker runs what)."""
        with self.sessions() as s:
            stmt = select(JobRow.worker_id).where(JobRow.status == "running", JobRow.worker_id.is_not(None))
            return [w for w in s.scalars(stmt) if w]

    def list_jobs(self, limit: int = 50, before: datetime | None = None) -> list[JobRow]:
        with self.sessions() as s:
            stmt = select(JobRow).order_by(JobRow.created_at.desc()).limit(limit)
            if before is not None:
                stmt = stmt.where(JobRow.created_at < before)
            return list(s.scalars(stmt))

    def count_jobs(self, statuses: Iterable[str]) -> int:
        with self.sessions() as s:
            return int(s.scalar(select(func.count()).where(JobRow.status.in_(list(statuses)))) or 0)

    # eval runs
    def add_eval_run(self, row: EvalRunRow) -> None:
        with self.sessions.begin() as s:
            s.merge(row)

    def list_eval_runs(self, limit: int = 50) -> list[EvalRunRow]:
        with self.sessions() as s:
            return list(s.scalars(select(EvalRunRow).order_by(EvalRunRow.created_at.desc()).limit(limit)))

    # API keys
    def add_key(self, row: ApiKeyRow) -> ApiKeyRow:
        return self._add(row)

    def key_by_hash(self, key_hash: str) -> ApiKeyRow | None:
        with self.sessions() as s:
            return s.scalars(select(ApiKeyRow).where(ApiKeyRow.key_hash == key_hash)).first()

    def list_keys(self) -> list[ApiKeyRow]:
        with self.sessions() as s:
            return list(s.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)))

    def revoke_key(self, key_id: str) -> bool:
        with self.sessions.begin() as s:
            result = s.execute(
                update(ApiKeyRow)
                .where(ApiKeyRow.id == key_id, ApiKeyRow.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]
