"""Failing models, through the service: the app's backend is `openai-compatible` pointed at the real stub
server (tests/stub_server.py) on loopback, which injects one fault per chat request.

Checked for each fault: what the stub saw (how many attempts, when), what the client got (status, typed
error with the request id, or a brief), for synchronous requests and async jobs alike; the fallback
backend; the re-ask with the validation error; and that invented quotes and numbers never reach a brief."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from service.config import Settings
from service.main import create_app
from tests.stub_server import StubServer

# Fictional articles. Both carry "They said repairs would take at least eight months.", a sentence that
# leans on a pronoun, so the staged strategy asks the model to rewrite that group.
ARTICLES = [
    {
        "id": "gazette",
        "outlet": "Harbour Gazette",
        "text": (
            "The council of Brindle voted on Monday to close the old harbour bridge after engineers found "
            "cracks in two of its piers. The bridge carried 4,000 cars a day, according to the council. "
            "They said repairs would take at least eight months. Mayor Ilse Varga said: \"We cannot risk a "
            "collapse.\" A ferry will run every 20 minutes while the bridge is shut."
        ),
    },
    {
        "id": "post",
        "outlet": "Brindle Post",
        "text": (
            "Brindle's council voted on Monday to shut the old harbour bridge after engineers reported "
            "cracked piers. About 4,000 cars crossed the bridge daily, council figures show. They said "
            "repairs would take at least eight months. \"We cannot risk a collapse,\" Mayor Ilse Varga told "
            "reporters. Residents will be offered a free ferry running every 20 minutes."
        ),
    },
]
RID = "req-fault-1"


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server


def make_settings(tmp_path: Path, stub: StubServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        backend="openai-compatible",
        base_url=stub.url,
        model="primary-model",
        database_url=f"sqlite:///{tmp_path / 'faults.db'}",
        request_timeout_s=2.0,
        max_retries=2,
        max_retry_after_s=5.0,
        llm_concurrency=1,
        staged_rewrites=1,
    )
    return Settings(**(values | overrides))


def brief(client: TestClient, strategy: str = "single", **headers: str) -> httpx.Response:
    return client.post(
        "/v1/briefs",
        json={"articles": ARTICLES, "options": {"strategy": strategy}},
        headers={"X-Request-ID": RID, "Cache-Control": "no-cache", **headers},
    )


def assert_typed_error(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """A typed error with the request id in the body and the X-Request-ID header."""
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code, err
    assert err["request_id"] == RID and r.headers["x-request-id"] == RID
    assert err["backend"] == "openai-compatible"
    return dict(err)


def run(
    tmp_path: Path, stub: StubServer, script: list[str], strategy: str = "single", **settings: Any
) -> httpx.Response:
    stub.script.extend(script)
    with TestClient(create_app(make_settings(tmp_path, stub, **settings))) as client:
        return brief(client, strategy)


# ---------------------------------------------------------------- retries


@pytest.mark.parametrize("fault", ["429:0.2", "500", "502", "503", "504", "drop", "delay:1.5"])
def test_retryable_fault_is_retried_and_the_brief_written(tmp_path: Path, stub: StubServer, fault: str) -> None:
    r = run(tmp_path, stub, [fault], request_timeout_s=0.5 if fault.startswith("delay") else 2.0)
    assert r.status_code == 200, r.text
    assert [x.fault for x in stub.received] == [fault, "ok"]
    assert r.json()["meta"]["llm_calls"][0]["attempts"] == 1  # a transport retry is not a re-ask


def test_retry_after_is_honoured(tmp_path: Path, stub: StubServer) -> None:
    r = run(tmp_path, stub, ["429:2"])
    assert r.status_code == 200, r.text
    first, second = stub.received
    assert 1.9 <= second.at - first.at < 3.0


def test_retry_after_over_the_cap_fails_at_once(tmp_path: Path, stub: StubServer) -> None:
    started = time.monotonic()
    r = run(tmp_path, stub, ["429:3600"], max_retry_after_s=5.0)
    err = assert_typed_error(r, 502, "upstream_error")
    assert time.monotonic() - started < 3
    assert len(stub.received) == 1
    assert err["upstream_status"] == 429 and "3600" in err["message"] and "cap" in err["message"]


def test_retries_are_bounded(tmp_path: Path, stub: StubServer) -> None:
    r = run(tmp_path, stub, ["503:0.1"] * 6, max_retries=2)
    err = assert_typed_error(r, 502, "upstream_error")
    assert len(stub.received) == 3 and "after 3 attempts" in err["message"]
    assert err["upstream_status"] == 503 and err["upstream_request_id"].startswith("stub-")


@pytest.mark.parametrize(
    ("fault", "code", "upstream_status"),
    [("400", "upstream_error", 400), ("401", "upstream_error", 401), ("404", "upstream_error", 404),
     ("refusal", "model_refused", None), ("garbage", "upstream_error", None)],
)
def test_non_retryable_fault_is_not_retried(
    tmp_path: Path, stub: StubServer, fault: str, code: str, upstream_status: int | None
) -> None:
    r = run(tmp_path, stub, [fault] * 3)
    err = assert_typed_error(r, 502, code)
    assert len(stub.received) == 1
    assert err["upstream_status"] == upstream_status


def test_timeout_is_504_after_the_retries(tmp_path: Path, stub: StubServer) -> None:
    r = run(tmp_path, stub, ["delay:2"] * 2, request_timeout_s=0.3, max_retries=1)
    err = assert_typed_error(r, 504, "upstream_timeout")
    assert len(stub.received) == 2 and "timed out after 2 attempts" in err["message"]


# ---------------------------------------------------------------- re-ask with the validation error


@pytest.mark.parametrize(("fault", "said"), [("invalid_json", "not valid JSON"), ("schema_break", "schema validation")])
def test_invalid_output_is_reasked_with_the_error(tmp_path: Path, stub: StubServer, fault: str, said: str) -> None:
    r = run(tmp_path, stub, [fault, "ok"])
    assert r.status_code == 200, r.text
    assert r.json()["meta"]["llm_calls"][0]["attempts"] == 2
    reask = stub.received[1].body["messages"]
    assert "could not be used" in reask[-1]["content"] and said in reask[-1]["content"]
    assert reask[-2]["role"] == "assistant"  # the unusable reply is sent back with the error


@pytest.mark.parametrize(
    ("fault", "code"),
    [("invalid_json", "schema_validation_failed"), ("schema_break", "schema_validation_failed"),
     ("length", "output_truncated")],
)
def test_output_unusable_after_the_reask_is_502(tmp_path: Path, stub: StubServer, fault: str, code: str) -> None:
    r = run(tmp_path, stub, [fault, fault])
    assert_typed_error(r, 502, code)
    assert len(stub.received) == 2


# ---------------------------------------------------------------- async jobs


def wait_job(client: TestClient, job_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/v1/briefs/{job_id}", headers=headers).json()
        if job["status"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.mark.parametrize(
    ("script", "status", "code", "timeout"),
    [(["401"], 502, "upstream_error", 2.0), (["refusal"], 502, "model_refused", 2.0),
     (["delay:2"] * 2, 504, "upstream_timeout", 0.3)],
)
def test_async_job_fails_with_the_same_typed_error(
    tmp_path: Path, stub: StubServer, script: list[str], status: int, code: str, timeout: float
) -> None:
    stub.script.extend(script * 2)  # once for the job, once for the synchronous request
    settings = make_settings(tmp_path, stub, request_timeout_s=timeout, max_retries=len(script) - 1)
    with TestClient(create_app(settings)) as client:
        accepted = brief(client, Prefer="respond-async")
        assert accepted.status_code == 202, accepted.text
        job = wait_job(client, accepted.json()["id"])
        sync = brief(client)
    err = assert_typed_error(sync, status, code)
    assert job["status"] == "failed"
    assert job["error"] == {"code": code, "message": err["message"], "request_id": RID, "status": status}
    assert len(stub.received) == 2 * len(script)


# ---------------------------------------------------------------- fallback backend


def test_fallback_answers_when_the_primary_is_down(tmp_path: Path, stub: StubServer) -> None:
    with StubServer() as fallback:
        r = run(
            tmp_path, stub, ["503"] * 10, max_retries=1, fallback_backend="openai-compatible",
            fallback_base_url=fallback.url, fallback_model="fallback-model",
        )
        assert r.status_code == 200, r.text
        meta = r.json()["meta"]
        assert len(stub.received) == 2 and len(fallback.received) == 1
        assert fallback.received[0].body["model"] == "fallback-model"
    assert (meta["backend"], meta["model"]) == ("openai-compatible", "fallback-model")
    call = meta["llm_calls"][0]
    assert call["model"] == "fallback-model" and "HTTP 503 after 2 attempts" in call["fallback"]
    assert any("answered by the fallback" in w and "primary-model" in w for w in meta["warnings"])


def test_fallback_is_not_used_for_a_configuration_error(tmp_path: Path, stub: StubServer) -> None:
    with StubServer() as fallback:
        r = run(tmp_path, stub, ["401"], fallback_backend="openai-compatible", fallback_base_url=fallback.url)
        assert_typed_error(r, 502, "upstream_error")
        assert len(fallback.received) == 0


def test_fallback_that_fails_too_is_a_typed_error_naming_both(tmp_path: Path, stub: StubServer) -> None:
    with StubServer(script=["500"] * 3) as fallback:
        r = run(
            tmp_path, stub, ["503"] * 3, max_retries=0, fallback_backend="openai-compatible",
            fallback_base_url=fallback.url, fallback_model="fallback-model",
        )
        err = assert_typed_error(r, 502, "upstream_error")
    assert err["upstream_status"] == 500 and "HTTP 503" in err["message"] and "fallback" in err["message"]


# ---------------------------------------------------------------- invented quotes and numbers

INVENTED_NUMBERS = ("7,500", "7500", "12 ferries", "9 million", "14 months")
INVENTED_QUOTES = ("will never forgive the engineers", "the bridge was doomed", "take months",
                   "falling into the sea")


def content_of(r: httpx.Response) -> str:
    """The brief as the client gets it, without the diagnostics in meta.warnings and the refused verdicts
    of meta.checks (which name what was dropped)."""
    body = r.json()
    warnings = body["meta"].pop("warnings")
    assert warnings, "a dropped or mended claim must be listed in meta.warnings"
    body["meta"]["checks"] = [c for c in body["meta"]["checks"] if c["supported"]]
    return json.dumps(body, ensure_ascii=False)


def assert_nothing_invented(r: httpx.Response) -> None:
    assert r.status_code == 200, r.text
    text = content_of(r)
    for invented in (*INVENTED_NUMBERS, *INVENTED_QUOTES):
        assert invented not in text, f"{invented!r} reached the brief: {text}"


def reply(value: dict[str, Any]) -> str:
    return "reply:" + json.dumps(value)


SENTENCE_VOTE = "The council of Brindle voted on Monday to close the old harbour bridge"
SENTENCE_MAYOR = "Mayor Ilse Varga said: \"We cannot risk a collapse.\""
SENTENCE_CARS = "The bridge carried 4,000 cars a day, according to the council."


def single_draft(headline: str, summary: str) -> dict[str, Any]:
    cite = [{"article_id": "gazette", "quote": SENTENCE_VOTE}]
    return {
        "headline": headline,
        "summary": summary,
        "facts": [
            {"statement": "The council voted on Monday to close the old harbour bridge.", "citations": cite},
            {"statement": "The bridge carried 7,500 cars a day.",
             "citations": [{"article_id": "gazette", "quote": SENTENCE_CARS}]},
            {"statement": "Mayor Ilse Varga said the town \"will never forgive the engineers\".",
             "citations": [{"article_id": "gazette", "quote": SENTENCE_MAYOR}]},
            {"statement": "Engineers found cracks in the piers.",
             "citations": [{"article_id": "post", "quote": "the bridge was doomed from the start"}]},
        ],
        "conflicts": [
            {"topic": "number of cars", "positions": [
                {"article_ids": ["gazette"], "value": "4,000", "quote": SENTENCE_CARS},
                {"article_ids": ["post"], "value": "7,500", "quote": "About 7,500 cars crossed the bridge daily"},
            ]},
        ],
        "parties": [
            {"party": "Ilse Varga", "stance": "Varga says \"the bridge was doomed\" and wants 12 ferries.",
             "citations": [{"article_id": "gazette", "quote": SENTENCE_MAYOR}]},
        ],
        "open_questions": ["Will repairs cost 9 million?"],
    }


@pytest.mark.parametrize(
    ("headline", "summary"),
    [
        ("Brindle shuts bridge used by 7,500 cars", "The council closed the bridge. Repairs will cost 9 million."),
        ("Mayor: \"the bridge was doomed\"",
         "The council closed the bridge, \"falling into the sea\", officials said."),
    ],
    ids=["numbers", "quotes"],
)
def test_single_brief_drops_invented_quotes_and_numbers(
    tmp_path: Path, stub: StubServer, headline: str, summary: str
) -> None:
    r = run(tmp_path, stub, [reply(single_draft(headline, summary))])
    assert_nothing_invented(r)
    body = r.json()
    assert [f["statement"] for f in body["facts"]] == ["The council voted on Monday to close the old harbour bridge."]


def group_of_rewrite(stub: StubServer) -> str:
    """The id of the group the staged strategy asked the model to rewrite (read from the stub's log)."""
    for x in stub.received:
        found = re.search(r'<group id="(g\d+)">', " ".join(str(m["content"]) for m in x.body["messages"]))
        if found:
            return found.group(1)
    raise AssertionError("the staged strategy asked for no rewrite")


@pytest.mark.parametrize(
    ("statement", "headline", "summary"),
    [
        ("They said repairs would take 14 months and cost 9 million.", "Brindle shuts bridge for 14 months",
         "The council closed the old harbour bridge. Repairs will cost 9 million."),
        ("Repairs would \"take months\", they said.", "Mayor: \"the bridge was doomed\"",
         "The council closed the bridge, \"falling into the sea\", the mayor said."),
    ],
    ids=["numbers", "quotes"],
)
def test_staged_brief_drops_invented_quotes_and_numbers(
    tmp_path: Path, stub: StubServer, statement: str, headline: str, summary: str
) -> None:
    settings = make_settings(tmp_path, stub)
    with TestClient(create_app(settings)) as client:
        assert brief(client, "staged").status_code == 200  # with "ok" replies, to learn the group's id
        group = group_of_rewrite(stub)
        rewrite = reply({group: statement})  # fact_statements/v2: one field per group, asked once
        lead = reply({"headline": headline, **{f"f{i}": summary for i in range(1, 9)}})  # brief_lead: per fact id
        stub.script.extend([rewrite, lead])
        r = brief(client, "staged")
    assert_nothing_invented(r)
    assert not stub.script  # every scripted reply was asked for
