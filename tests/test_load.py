"""Load on one `crossbrief serve` process (a subprocess, black box) with the zero-latency stub model:
200 concurrent requests, half sync and half async, 160 new article pairs and 40 repeats of briefs
written before. No 5xx, no 4xx, every sync answer a valid brief, every async job done, no job lost,
and the repeats answered from the cache. bench/load.py runs the same with the test model and prints
figures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench._harness import Server, Stub, stub_backend
from bench._mix import burst, plan, write

WRITTEN, NEW, REPEATS = 20, 160, 40


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, str]]:
    db = f"sqlite:///{tmp_path / 'crossbrief.db'}"
    with Stub(tmp_path / "stub.log") as stub:
        settings = {**stub_backend(stub.url), "CROSSBRIEF_DATABASE_URL": db, "CROSSBRIEF_RATE_LIMIT": "100000/minute"}
        with Server(settings, tmp_path / "server.log") as srv:
            yield srv, db


def test_200_concurrent_mixed_requests_lose_nothing(server: tuple[Server, str]) -> None:
    srv, db = server
    write(srv.url, WRITTEN)
    s = burst(srv.url, db, plan(NEW, REPEATS, first=WRITTEN, written=WRITTEN), wait_s=90)

    assert s.requests == NEW + REPEATS
    assert s.unexpected == [], s.unexpected  # no 5xx, no 4xx, no transport error
    assert s.statuses == {200: 100, 202: 100}
    assert s.sync_ok == 100 and s.sync_invalid_briefs == 0
    assert s.async_accepted == 100 and s.async_done == 100, (s.async_done, s.async_failed, s.async_unfinished)
    assert s.lost == {}
    assert s.cache_hits == REPEATS and s.repeats_missed == 0  # the repeats, and only they
    assert srv.proc is not None and srv.proc.poll() is None  # the server is still up
