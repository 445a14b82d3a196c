"""The Python client (`crossbrief.Client` / `AsyncClient`): SSE parsing, error mapping and retries against a
mock transport; control flow against the real app served by uvicorn in a thread (scripted model); and one
brief end to end against `crossbrief serve` with the real 135M model."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import openai
import pytest
import uvicorn
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult

import crossbrief
from crossbrief import errors
from crossbrief._sse import SSEDecoder, iter_sse
from service.config import Settings
from service.jobs.schemas import Job, JobError, Progress, links
from service.llm import LLM, LLMProvider
from service.main import create_app
from tests.conftest import free_port, scripted_provider, seed_articles
from tests.fakes import RoutedScriptedChatModel, ScriptedChatModel, lead_reply, staged_routes
from tests.test_api import REQ, two

# ---------------------------------------------------------------- SSE parser


def test_sse_parser_follows_the_event_stream_format() -> None:
    lines = [
        ": ping",
        "event: stage",
        'data: {"stage": "ingest",',
        'data:"state": "started"}',
        "id: 7",
        "",
        "",  # a second blank line dispatches nothing
        "event: empty",  # no data: not dispatched
        "",
        "retry: 3000",
        "data: plain text",
        "",
        "event: done",
        'data: {"tokens_in": 1}',  # the stream ends without a final blank line
    ]
    events = list(iter_sse(lines))
    assert [(e.event, e.json()) for e in events] == [
        ("stage", {"stage": "ingest", "state": "started"}),
        ("message", {"data": "plain text"}),
        ("done", {"tokens_in": 1}),
    ]
    assert events[0].data == '{"stage": "ingest",\n"state": "started"}'
    assert events[0].id == "7" and events[1].id == "7"  # the last event id carries over
    assert events[1].retry == 3000


def test_sse_decoder_handles_crlf_and_multi_line_chunks() -> None:
    decoder = SSEDecoder()
    assert decoder.feed("event: tokens\r\n") is None
    assert decoder.feed("data: {}\r\n") is None
    sse = decoder.feed("\r\n")
    assert sse is not None and sse.event == "tokens" and sse.json() == {}
    assert [e.event for e in iter_sse(["event: a\ndata: 1\n\nevent: b\ndata: 2\n\n"])] == ["a", "b"]


# ---------------------------------------------------------------- error mapping


def response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("GET", "http://test/v1/briefs/x")
    if body is None:
        return httpx.Response(status, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_error_bodies_map_to_typed_errors_with_request_id() -> None:
    err = errors.error_from_response(
        response(502, {"error": {"code": "schema_validation_failed", "message": "bad", "request_id": "r1"}})
    )
    assert isinstance(err, errors.UpstreamError)
    assert (err.status, err.code, err.message, err.request_id) == (502, "schema_validation_failed", "bad", "r1")
    assert "r1" in str(err)

    detail = [{"loc": ["body", "articles", 0, "published"], "msg": "bad date", "type": "date_from_datetime_parsing"}]
    err = errors.error_from_response(response(422, {"detail": detail}, {"X-Request-ID": "r2"}))
    assert isinstance(err, errors.InvalidRequest)
    assert err.locs == [["body", "articles", 0, "published"]] and err.request_id == "r2"
    assert "body.articles.0.published: bad date" in err.message

    err = errors.error_from_response(
        response(429, {"error": {"code": "rate_limited", "message": "slow down"}}, {"Retry-After": "7"})
    )
    assert isinstance(err, errors.RateLimited) and err.retry_after == 7.0

    cases = {
        401: errors.AuthenticationError,
        404: errors.NotFound,
        409: errors.ConflictError,
        413: errors.PayloadTooLarge,
    }
    cases |= {503: errors.ModelNotReady, 504: errors.UpstreamTimeout, 500: errors.InternalServerError}
    for status, cls in cases.items():
        assert type(errors.error_from_response(response(status, {"error": {"code": "x", "message": "m"}}))) is cls
    cancelled = errors.error_from_response(response(409, {"error": {"code": "cancelled", "message": "m"}}))
    assert isinstance(cancelled, errors.JobCancelled) and isinstance(cancelled, errors.ConflictError)
    odd = errors.error_from_response(response(418, None))
    assert type(odd) is errors.CrossbriefAPIError and odd.status == 418 and odd.code == "api_error"
    route404 = errors.error_from_response(response(404, {"detail": "Not Found"}))
    assert isinstance(route404, errors.NotFound) and route404.message == "Not Found"


def job_json(status: str, **over: Any) -> dict[str, Any]:
    job = Job(
        id="j1",
        status=status,
        mode="async",
        created_at="2026-01-01T00:00:00Z",  # type: ignore[arg-type]
        request_id="rq",
        progress=Progress(tokens_in=3, tokens_out=2),
        links=links("j1"),
    )
    return job.model_copy(update=over).model_dump(mode="json")


def test_failed_job_error_carries_code_status_and_request_id() -> None:
    job = Job.model_validate(job_json("failed", error=JobError(code="upstream_timeout", message="slow", status=504)))
    err = errors.job_error(job)
    assert isinstance(err, errors.JobFailed)
    assert (err.status, err.code, err.request_id, err.job_id) == (504, "upstream_timeout", "rq", "j1")
    assert isinstance(errors.job_error(Job.model_validate(job_json("cancelled"))), errors.JobCancelled)
    assert errors.job_error(Job.model_validate(job_json("done"))) is None


# ---------------------------------------------------------------- retries and transport (mock transport)


def mock_client(handler: Callable[[httpx.Request], httpx.Response], **kw: Any) -> crossbrief.Client:
    return crossbrief.Client("http://test", http_client=httpx.Client(transport=httpx.MockTransport(handler)), **kw)


def test_gets_retry_429_after_retry_after_and_503_but_posts_never() -> None:
    seen: list[str] = []
    answers = [
        response(429, {"error": {"code": "rate_limited", "message": "m"}}, {"Retry-After": "0"}),
        response(503, {"error": {"code": "model_not_ready", "message": "m"}}),
        httpx.Response(200, json=job_json("running")),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if request.method == "POST":
            return httpx.Response(
                429, json={"error": {"code": "rate_limited", "message": "m"}}, headers={"Retry-After": "0"}
            )
        return answers.pop(0)

    client = mock_client(handler)
    assert client.job("j1").status == "running"
    assert seen == ["GET", "GET", "GET"]
    with pytest.raises(errors.RateLimited):
        client.submit(two())
    assert seen[3:] == ["POST"]  # not retried


def test_retries_are_bounded_and_long_retry_after_is_not_waited_out() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if "slow" in request.url.path:
            return httpx.Response(
                429, json={"error": {"code": "rate_limited", "message": "m"}}, headers={"Retry-After": "3600"}
            )
        return httpx.Response(503, json={"error": {"code": "model_not_ready", "message": "loading"}})

    client = mock_client(handler, max_retries=1)
    with pytest.raises(errors.ModelNotReady):
        client.job("j1")
    assert len(calls) == 2
    with pytest.raises(errors.RateLimited) as info:
        client.job("slow")
    assert len(calls) == 3 and info.value.retry_after == 3600


def test_transport_failures_are_connection_errors() -> None:
    client = crossbrief.Client(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(errors.APIConnectionError) as info:
        client.job("j1")
    assert isinstance(info.value, ConnectionError) and isinstance(info.value, errors.CrossbriefClientError)
    assert client.health() is False and client.ready() is False


def test_wait_falls_back_to_polling_when_the_stream_breaks() -> None:
    states = iter(["queued", "running", "running", "done"])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/events"):
            return httpx.Response(
                200,
                content=b'event: status\ndata: {"status": "queued"}\n\n',
                headers={"content-type": "text/event-stream"},
            )
        return httpx.Response(200, json=job_json(next(states)))

    events: list[tuple[str, dict]] = []
    job = mock_client(handler).wait("j1", on_progress=lambda k, d: events.append((k, d)))
    assert job.status == "done"
    # From the stream: "queued"; then from polling: the status change and a terminal event shaped as the server's.
    assert events == [
        ("status", {"status": "queued"}),
        ("status", {"status": "running"}),
        ("done", {"tokens_in": 3, "tokens_out": 2}),
    ]


def test_polling_rides_out_a_short_outage_but_not_a_long_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("crossbrief._client.poll_interval", lambda n: 0.01)
    answers: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        item = answers.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    down = httpx.ConnectError("connection refused")
    events = httpx.Response(500, json={"error": {"code": "internal_error", "message": "x"}})
    answers += [events, down, down, httpx.Response(200, json=job_json("done"))]
    assert mock_client(handler).wait("j1").status == "done"
    answers[:] = [events, *[down] * 7]
    with pytest.raises(errors.APIConnectionError):
        mock_client(handler).wait("j1")
    assert len(answers) == 1  # gave up after 1 + MAX_POLL_FAILURES attempts


def test_wait_times_out_while_the_job_runs() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/events"):
            return httpx.Response(500, json={"error": {"code": "internal_error", "message": "x"}})
        return httpx.Response(200, json=job_json("running"))

    with pytest.raises(errors.WaitTimeout) as info:
        mock_client(handler).wait("j1", timeout=0.3)
    assert info.value.job_id == "j1" and info.value.status == "running"


# ---------------------------------------------------------------- the real app, served in a thread


HEADLINE = "Brindle mayor resigns"


def routed(n: int = 10) -> RoutedScriptedChatModel:
    resigned = "The mayor of Brindle resigned."
    return staged_routes(resigned, lead_reply(HEADLINE, [resigned]), n=n)


class StalledModel(ScriptedChatModel):
    """A model whose every call waits (without blocking the event loop) until its job is cancelled."""

    async def _agenerate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        await asyncio.sleep(60)
        raise AssertionError("the stalled call was not cancelled")


@contextmanager
def serving(settings: Settings, model: ScriptedChatModel | None = None, script: list | None = None) -> Iterator[str]:
    """The real app (create_app) served by uvicorn in a background thread; yields its base URL."""
    if model is None:
        provider, model = scripted_provider(settings, script or [])
    else:
        provider = LLMProvider(settings)
        provider.add(LLM(model, backend="local", model_name="scripted", prompts_dir=settings.prompts_dir))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, provider), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def test_brief_follows_progress_and_cache_hits_make_no_model_call(settings: Settings) -> None:
    model = routed(n=3)
    with serving(settings, model) as url, crossbrief.Client(url) as client:
        assert client.health() and client.ready()
        events: list[tuple[str, dict]] = []
        job = client.submit_and_wait(two(), on_progress=lambda kind, data: events.append((kind, data)))
        assert job.status == "done" and job.brief is not None and not job.cache_hit
        assert job.brief.headline == HEADLINE
        kinds = [k for k, _ in events]
        assert kinds[0] == "submitted" and events[0][1]["id"] == job.id
        assert "stage" in kinds and "tokens" in kinds and kinds[-1] == "done" and kinds.count("done") == 1
        assert ("stage", {"stage": "align", "state": "started"}) in events
        tokens = [d for k, d in events if k == "tokens"]
        assert tokens[-1]["total_in"] == job.brief.meta.tokens_in

        used = {k: len(v) for k, v in model._routes.items()}
        again = client.submit([crossbrief.ArticleIn(**a) for a in two()])  # typed articles, same request
        assert again.status == "done" and again.cache_hit and again.id == job.id  # the stored job answers
        assert client.brief(two()) == job.brief == client.brief_sync(two())
        assert {k: len(v) for k, v in model._routes.items()} == used  # not one model call

        listed = client.list(limit=10)
        assert job.id in {j.id for j in listed} and listed[0].brief is None
        texts = {a.id: a.text for a in client.articles(job.id)}
        assert all(texts[c.article_id][c.start : c.end] == c.quote for f in job.brief.facts for c in f.citations)
        with pytest.raises(errors.ConflictError):
            client.cancel(job.id)  # finished


def test_invalid_input_and_unknown_jobs_raise_typed_errors(settings: Settings) -> None:
    with serving(settings) as url, crossbrief.Client(url) as client:
        for call in (client.submit, client.brief_sync, client.brief):
            with pytest.raises(errors.InvalidRequest) as info:
                call(two(published="2023-13-45"))
            assert ["body", "articles", 0, "published"] in [loc[:4] for loc in info.value.locs]
            assert info.value.status == 422 and info.value.request_id
        with pytest.raises(errors.InvalidRequest) as info:
            client.submit(two()[:1])
        assert ["body", "articles"] in info.value.locs
        for call in (client.job, client.cancel, client.articles, client.wait):
            with pytest.raises(errors.NotFound) as nf:
                call("nope")
            assert nf.value.code == "not_found" and nf.value.request_id
        assert client.list() == []


def test_failed_job_raises_job_failed_with_code_and_request_id(settings: Settings) -> None:
    single = {"strategy": "single"}
    with serving(settings, script=[openai.APITimeoutError(request=REQ)] * 4) as url:
        with crossbrief.Client(url, headers={"X-Request-ID": "req-client-1"}) as client:
            events: list[str] = []
            with pytest.raises(errors.JobFailed) as info:
                client.brief(two(), options=single, on_progress=lambda kind, data: events.append(kind))
            err = info.value
            assert (err.code, err.status, err.request_id) == ("upstream_timeout", 504, "req-client-1")
            assert err.job.status == "failed" and client.job(err.job_id).error == err.error
            assert events[-1] == "failed"
            with pytest.raises(errors.UpstreamTimeout) as sync:
                client.brief_sync(two(), options=crossbrief.BriefOptions(strategy="single"))
            assert sync.value.request_id == "req-client-1"


def test_cancel_while_running_raises_job_cancelled(settings: Settings) -> None:
    with serving(settings, StalledModel.from_script([])) as url, crossbrief.Client(url) as client:

        def cancel_when(kind: str, data: dict) -> None:
            if kind == "tokens" or (kind == "stage" and data == {"stage": "llm_tasks", "state": "started"}):
                assert client.cancel(job_id[0]).status == "cancelled"
            if kind == "submitted":
                job_id.append(data["id"])

        job_id: list[str] = []
        with pytest.raises(errors.JobCancelled) as info:
            client.brief(two(), on_progress=cancel_when, timeout=30)
        assert info.value.job_id == job_id[0] and client.job(job_id[0]).status == "cancelled"


async def test_async_client_briefs_fails_and_cancels(settings: Settings) -> None:
    with serving(settings, routed(n=3)) as url:
        async with crossbrief.AsyncClient(url) as client:
            assert await client.health() and await client.ready()
            events: list[str] = []

            async def progress(kind: str, data: dict) -> None:
                events.append(kind)

            brief = await client.brief(two(), on_progress=progress)
            assert brief.headline == HEADLINE
            assert events[0] == "submitted" and "tokens" in events and events[-1] == "done"
            assert (await client.list(limit=1))[0].cache_hit is False
            with pytest.raises(errors.InvalidRequest):
                await client.submit([{"outlet": "only one", "text": "x"}])
            with pytest.raises(errors.NotFound):
                await client.wait("nope")
            with pytest.raises(errors.JobFailed) as info:  # the routed script has no route for the single prompt
                await client.brief(two(), options={"strategy": "single"}, no_cache=True)
            assert info.value.job_id

    with serving(settings, StalledModel.from_script([])) as url:
        async with crossbrief.AsyncClient(url) as client:
            job = await client.submit(two(), no_cache=True)
            cancelled = await client.cancel(job.id)
            assert cancelled.status == "cancelled"
            assert (await client.wait(job.id, timeout=10)).status == "cancelled"
            with pytest.raises(errors.ConflictError):
                await client.cancel(job.id)


# ---------------------------------------------------------------- end to end: the real server and model


@pytest.mark.e2e
def test_client_briefs_the_seed_articles_on_the_real_model(live_server: str) -> None:
    events: list[tuple[str, dict]] = []
    with crossbrief.Client(live_server) as client:
        assert client.ready()
        brief = client.brief(
            seed_articles(), no_cache=True, on_progress=lambda k, d: events.append((k, d)), timeout=900
        )
        assert brief.facts and brief.headline and brief.meta.model == "smollm2-135m"
        kinds = [k for k, _ in events]
        assert {"stage", "tokens"} <= set(kinds) and kinds[-1] == "done"
        assert events[-1][1] == {"tokens_in": brief.meta.tokens_in, "tokens_out": brief.meta.tokens_out}
        job_id = events[0][1]["id"]
        assert brief.headline in client.markdown(job_id)

        # The same request again is answered from the cache at once.
        again = client.submit(seed_articles())
        assert again.status == "done" and again.cache_hit and again.brief == brief
        assert client.brief_sync(seed_articles(), timeout=30) == brief
