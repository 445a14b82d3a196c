"""Brief jobs through the real app and a real SQLite file: async 202 + Location, state, progress events,
cache hit and bypass, cancel, source articles, typed failures, and restart recovery (nothing lost).

The model is scripted (control flow only: it raises when its script runs out, which is how these tests
prove that a cache hit makes no model call)."""

from __future__ import annotations

import asyncio
import json
import time

import openai
import pytest
from fastapi.testclient import TestClient

from service.config import Settings
from service.errors import UpstreamError
from service.jobs.manager import JobManager
from service.llm import LLM, LLMProvider
from service.main import create_app
from service.pipeline import read_articles
from service.schemas import BriefRequest
from service.storage import Store
from tests.fakes import RoutedScriptedChatModel, lead_reply, staged_routes
from tests.test_api import REQ, two

HEADLINE = "Brindle mayor resigns"


def routed(n: int = 10) -> RoutedScriptedChatModel:
    return staged_routes(
        "The mayor of Brindle resigned.", lead_reply(HEADLINE, ["The mayor of Brindle resigned."]), n=n
    )


def app_with(settings: Settings, model) -> TestClient:
    provider = LLMProvider(settings)
    provider.add(LLM(model, backend="local", model_name="scripted", prompts_dir=settings.prompts_dir))
    return TestClient(create_app(settings, provider))


def wait_done(client: TestClient, job_id: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/briefs/{job_id}").json()
        if job["status"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        kind = next((line[6:].strip() for line in block.splitlines() if line.startswith("event:")), None)
        data = next((line[5:].strip() for line in block.splitlines() if line.startswith("data:")), None)
        if kind and data is not None:
            events.append((kind, json.loads(data)))
    return events


def test_async_job_202_location_events_articles(settings: Settings) -> None:
    model = routed()
    with app_with(settings, model) as client:
        r = client.post("/v1/briefs", json={"articles": two()}, headers={"Prefer": "respond-async"})
        assert r.status_code == 202, r.text
        job = r.json()
        assert r.headers["location"] == f"/v1/briefs/{job['id']}" == job["links"]["self"]
        assert r.headers["preference-applied"] == "respond-async"
        assert job["status"] in ("queued", "running")

        done = wait_done(client, job["id"])
        assert done["status"] == "done" and done["error"] is None
        brief = done["brief"]
        assert brief["headline"] == HEADLINE
        assert done["progress"]["tokens_in"] == brief["meta"]["tokens_in"] > 0

        # A late subscriber gets the final event at once.
        events = sse(client.get(job["links"]["events"]).text)
        assert events == [
            ("done", {"tokens_in": brief["meta"]["tokens_in"], "tokens_out": brief["meta"]["tokens_out"]})
        ]

        # Citation offsets index into the articles as read.
        texts = {a["id"]: a["text"] for a in client.get(job["links"]["articles"]).json()}
        cites = [c for f in brief["facts"] for c in f["citations"]]
        assert cites and all(texts[c["article_id"]][c["start"] : c["end"]] == c["quote"] for c in cites)

        listed = client.get("/v1/briefs?limit=5").json()["jobs"]
        assert listed[0]["id"] == job["id"] and listed[0]["brief"] is None


def test_sync_cache_hit_makes_no_model_call_and_no_cache_bypasses(settings: Settings) -> None:
    model = routed(n=3)
    with app_with(settings, model) as client:
        first = client.post("/v1/briefs", json={"articles": two()})
        assert first.status_code == 200 and first.headers["x-cache"] == "miss"
        used = {k: len(v) for k, v in model._routes.items()}

        again = client.post("/v1/briefs", json={"articles": two()})
        assert again.status_code == 200 and again.headers["x-cache"] == "hit"
        assert again.json() == first.json()
        assert {k: len(v) for k, v in model._routes.items()} == used  # not one model call
        assert again.headers["x-brief-id"] == first.headers["x-brief-id"]  # the stored brief answers
        cached = client.post("/v1/briefs?async=true", json={"articles": two()}).json()
        assert (
            cached["status"] == "done" and cached["cache_hit"] is True and cached["id"] == first.headers["x-brief-id"]
        )

        other = client.post("/v1/briefs", json={"articles": two(), "options": {"length": "short"}})
        assert other.headers["x-cache"] == "miss"  # different options, different brief

        fresh = client.post("/v1/briefs", json={"articles": two()}, headers={"Cache-Control": "no-cache"})
        assert fresh.headers["x-cache"] == "miss"
        assert {k: len(v) for k, v in model._routes.items()} != used

        metrics = client.get("/metrics").text
        assert "crossbrief_cache_hits_total 2.0" in metrics
        assert "crossbrief_cache_misses_total 2.0" in metrics  # the no-cache request does not look
        assert 'crossbrief_jobs_total{status="done"} 3.0' in metrics


def test_unknown_job_404_and_finished_job_cannot_be_cancelled(settings: Settings) -> None:
    with app_with(settings, routed()) as client:
        r = client.get("/v1/briefs/nope")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        assert client.delete("/v1/briefs/nope").status_code == 404
        assert client.get("/v1/briefs/nope/events").status_code == 404
        done = client.post("/v1/briefs", json={"articles": two()})
        r = client.delete(done.headers["location"])
        assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"


def test_invalid_input_is_422_and_nothing_is_stored(settings: Settings) -> None:
    with app_with(settings, routed(0)) as client:
        r = client.post("/v1/briefs?async=true", json={"articles": two(text="  ")})
        assert r.status_code == 422
        assert client.get("/v1/briefs").json()["jobs"] == []


def test_failed_job_keeps_the_typed_error_and_request_id(settings: Settings) -> None:
    model = RoutedScriptedChatModel.from_routes(
        {"": [openai.APITimeoutError(request=REQ)] * 10}  # every task times out
    )
    with app_with(settings, model) as client:
        r = client.post(
            "/v1/briefs?async=true",
            json={"articles": two(), "options": {"strategy": "single"}},
            headers={"X-Request-ID": "req-7"},
        )
        job = wait_done(client, r.json()["id"])
        assert job["status"] == "failed" and job["brief"] is None
        assert job["error"] == {
            "code": "upstream_timeout",
            "message": job["error"]["message"],
            "request_id": "req-7",
            "status": 504,
        }
        assert sse(client.get(f"/v1/briefs/{job['id']}/events").text)[-1][0] == "failed"
        sync = client.post("/v1/briefs", json={"articles": two(), "options": {"strategy": "single"}})
        assert sync.status_code == 504 and sync.json()["error"]["code"] == "upstream_timeout"


# JobManager directly, with runners that block until told: cancel and restart recovery.


class Gate:
    """A runner that blocks every job until released, then returns a brief made by a real scripted run."""

    def __init__(self, brief) -> None:
        self.release = asyncio.Event()
        self.started: list[str] = []
        self.brief = brief

    async def __call__(self, articles, request, request_id):
        self.started.append(request_id)
        await self.release.wait()
        return self.brief


@pytest.fixture
def brief(settings: Settings):
    with app_with(settings, routed()) as client:
        from service.schemas import Brief

        return Brief.model_validate(client.post("/v1/briefs", json={"articles": two()}).json())


def manager(settings: Settings, runner) -> JobManager:
    store = Store(settings.database_url)
    store.upgrade()
    return JobManager(store, settings, lambda req: read_articles(req, settings), runner)


async def until(predicate, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def test_cancel_queued_and_running_jobs(settings: Settings, brief) -> None:
    gate = Gate(brief)
    jobs = manager(settings, gate)
    request = BriefRequest.model_validate({"articles": two()})
    running = await jobs.submit(request, mode="async", request_id="r1", use_cache=False)
    queued = await jobs.submit(request, mode="async", request_id="r2", use_cache=False)
    await until(lambda: _status(jobs, running.id, "running"))

    events: list[dict] = []

    async def listen() -> None:
        async for e in jobs.events(running.id):
            events.append(e)

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0.05)
    assert (await jobs.cancel(queued.id)).status == "cancelled"  # type: ignore[union-attr]
    assert (await jobs.cancel(running.id)).status == "cancelled"  # type: ignore[union-attr]
    await asyncio.wait_for(listener, 5)
    assert events[-1] == {"event": "cancelled"}
    gate.release.set()
    await asyncio.sleep(0.1)
    assert (await jobs.get(running.id)).status == "cancelled"  # type: ignore[union-attr]
    assert gate.started == ["r1"]  # the cancelled queued job never ran
    await jobs.stop()


async def test_restart_finishes_queued_and_running_jobs(settings: Settings, brief) -> None:
    request = BriefRequest.model_validate({"articles": two()})
    first = Gate(brief)
    jobs = manager(settings, first)
    running = await jobs.submit(request, mode="async", request_id="r1", use_cache=False)
    queued = await jobs.submit(request, mode="async", request_id="r2", use_cache=False)
    await until(lambda: _status(jobs, running.id, "running"))
    await jobs.stop()  # the process goes away with one job running and one queued
    jobs.store.close()
    assert {(await jobs.get(running.id)).status, (await jobs.get(queued.id)).status} == {"running", "queued"}  # type: ignore[union-attr]

    second = Gate(brief)
    second.release.set()
    again = manager(settings, second)
    await again.start()
    await until(lambda: _status(again, queued.id, "done"))
    await until(lambda: _status(again, running.id, "done"))
    assert sorted(second.started) == ["r1", "r2"]
    row = await again.get(running.id)
    assert row is not None and row.attempts == 2 and row.brief["headline"] == brief.headline
    await again.stop()


async def test_job_interrupted_too_often_is_failed_with_a_reason(settings: Settings, brief) -> None:
    settings = settings.model_copy(update={"job_max_attempts": 1})
    request = BriefRequest.model_validate({"articles": two()})
    jobs = manager(settings, Gate(brief))
    running = await jobs.submit(request, mode="async", request_id="r1", use_cache=False)
    await until(lambda: _status(jobs, running.id, "running"))
    await jobs.stop()
    again = manager(settings, Gate(brief))
    await again.start()
    row = await again.get(running.id)
    assert row is not None and row.status == "failed"
    assert row.error["code"] == "interrupted" and "restart" in row.error["message"]
    await again.stop()


async def test_runner_error_becomes_failed_job(settings: Settings) -> None:
    async def broken(articles, request, request_id):
        raise UpstreamError("model backend answered HTTP 500", backend="openai", upstream_status=500)

    jobs = manager(settings, broken)
    row = await jobs.submit(BriefRequest.model_validate({"articles": two()}), mode="sync", request_id="x")
    with pytest.raises(UpstreamError):
        await jobs.wait(row.id)
    stored = await jobs.get(row.id)
    assert stored is not None and stored.status == "failed" and stored.error["code"] == "upstream_error"


async def _status(jobs: JobManager, job_id: str, status: str) -> bool:
    row = await jobs.get(job_id)
    return row is not None and row.status == status


async def test_events_replay_then_stream_live_progress(settings: Settings, brief) -> None:
    from service.progress import emit

    gate = asyncio.Event()

    async def runner(articles, request, request_id):
        emit("stage", stage="segment", state="started")
        emit("stage", stage="segment", state="finished", seconds=0.1)
        emit("tokens", task="fact_statements", backend="local", model="m", tokens_in=30, tokens_out=7)
        await gate.wait()
        emit("tokens", task="headline_summary", backend="local", model="m", tokens_in=20, tokens_out=5)
        return brief

    jobs = manager(settings, runner)
    row = await jobs.submit(
        BriefRequest.model_validate({"articles": two()}), mode="async", request_id="r", use_cache=False
    )
    await until(lambda: _status(jobs, row.id, "running"))
    await asyncio.sleep(0.05)
    seen: list[dict] = []

    async def listen() -> None:
        async for e in jobs.events(row.id):
            seen.append(e)
            if e["event"] == "tokens" and e["total_in"] == 30:
                gate.set()  # what happened before subscribing was replayed; now let the job go on

    await asyncio.wait_for(listen(), 5)
    kinds = [e["event"] for e in seen]
    assert kinds[0] == "status" and kinds[-1] == "done"
    assert {"event": "stage", "stage": "segment", "state": "finished", "seconds": 0.1} in seen
    assert [e["total_in"] for e in seen if e["event"] == "tokens"] == [30, 50]
    assert jobs.view(await jobs.get(row.id)).status == "done"  # type: ignore[arg-type]
    await jobs.stop()


async def test_second_in_process_queue_on_one_database_refuses_to_start(settings: Settings, brief) -> None:
    """Two in-process queues on one database would each resume the other's running jobs: the second refuses to
    start (and says to use the Redis queue); once the first stops, a new one starts and resumes its jobs."""
    from service.errors import DatabaseInUse

    first = manager(settings, Gate(brief))
    await first.start()
    second = manager(settings, Gate(brief))
    with pytest.raises(DatabaseInUse, match="REDIS_URL"):
        await second.start()
    await first.stop()
    await second.start()
    await second.stop()


async def test_first_submit_is_not_taken_for_a_job_left_by_a_restart(
    settings: Settings, brief, caplog: pytest.LogCaptureFixture
) -> None:
    """The submit that starts the queue stores its job first; start() must not queue it again as resumed
    (that replaced its progress record and ran a second claim)."""
    gate = Gate(brief)
    gate.release.set()
    jobs = manager(settings, gate)
    with caplog.at_level("INFO", logger="crossbrief.jobs"):
        request = BriefRequest.model_validate({"articles": two()})
        row = await jobs.submit(request, mode="async", request_id="r1", use_cache=False)
        await until(lambda: _status(jobs, row.id, "done"))
    assert not [r for r in caplog.records if "resumed after restart" in r.getMessage()]
    assert gate.started == ["r1"]
    await jobs.stop()
