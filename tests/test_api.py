"""HTTP API: bad input is a 422 naming the field and never reaches the model; model failures are typed."""

from __future__ import annotations

import time

import httpx
import openai
import pytest
from fastapi.testclient import TestClient

from service.config import Settings
from service.main import create_app
from tests.conftest import scripted_provider, seed_articles

REQ = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


def client_for(settings: Settings, script: list) -> tuple[TestClient, object]:
    provider, model = scripted_provider(settings, script)
    return TestClient(create_app(settings, provider)), model


def two(**over) -> list[dict]:
    a = {"outlet": "Daily One", "text": "The mayor of Brindle resigned on Monday after a vote."}
    b = {"outlet": "Daily Two", "text": "Brindle's mayor resigned on Monday, officials said."}
    return [a | over, b]


BAD = [
    ("no articles", {"articles": []}, ["body", "articles"]),
    ("one article", {"articles": two()[:1]}, ["body", "articles"]),
    ("empty text", {"articles": two(text="   \n ")}, ["body", "articles", 0]),
    ("text and html", {"articles": two(html="<p>x</p>")}, ["body", "articles", 0]),
    ("bad date", {"articles": two(published="2023-13-45")}, ["body", "articles", 0, "published"]),
    ("wrong type", {"articles": two(outlet=42)}, ["body", "articles", 0, "outlet"]),
    ("articles not a list", {"articles": "many"}, ["body", "articles"]),
    ("unknown field", {"articles": two(), "colour": "red"}, ["body", "colour"]),
    ("bad strategy", {"articles": two(), "options": {"strategy": "magic"}}, ["body", "options", "strategy"]),
    ("duplicate ids", {"articles": [two(id="a")[0], two()[1] | {"id": "a"}]}, ["body", "articles", 1, "id"]),
    ("bad id", {"articles": two(id="../etc")}, ["body", "articles", 0, "id"]),
    (
        "override not allowed",
        {"articles": two(), "options": {"backend": "openai"}},
        ["body", "options", "backend"],
    ),
]


@pytest.mark.parametrize(("name", "body", "loc"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_422_naming_the_field(settings: Settings, name: str, body: dict, loc: list) -> None:
    client, model = client_for(settings, [])  # an empty script: any model call would be a 500
    with client:
        r = client.post("/v1/briefs", json=body)
    assert r.status_code == 422, r.text
    locs = [d["loc"][: len(loc)] for d in r.json()["detail"]]
    assert loc in locs, r.json()
    assert model.history == []  # type: ignore[attr-defined]


def test_too_many_articles(settings: Settings) -> None:
    client, model = client_for(settings.model_copy(update={"max_articles": 3}), [])
    arts = [{"outlet": f"O{i}", "text": f"Story number {i} about the flood."} for i in range(4)]
    with client:
        r = client.post("/v1/briefs", json={"articles": arts})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "articles"]
    assert "at most 3" in r.json()["detail"][0]["msg"] or "3" in r.json()["detail"][0]["msg"]
    assert model.history == []  # type: ignore[attr-defined]


def test_article_over_size_limit(settings: Settings) -> None:
    client, model = client_for(settings.model_copy(update={"max_article_chars": 100}), [])
    with client:
        r = client.post("/v1/briefs", json={"articles": two(text="word " * 50)})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "articles", 0, "text"]
    assert model.history == []  # type: ignore[attr-defined]


def test_invalid_json_body(settings: Settings) -> None:
    client, _ = client_for(settings, [])
    with client:
        r = client.post("/v1/briefs", content=b'{"articles": [', headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_model_timeout_is_504_with_request_id(settings: Settings) -> None:
    client, _ = client_for(settings, [openai.APITimeoutError(request=REQ) for _ in range(10)])
    with client:
        r = client.post(
            "/v1/briefs", json={"articles": seed_articles()[:2]}, headers={"X-Request-ID": "req-42"}
        )
    assert r.status_code == 504
    err = r.json()["error"]
    assert err["code"] == "upstream_timeout"
    assert err["request_id"] == "req-42" == r.headers["x-request-id"]


def test_invalid_model_output_twice_is_502_with_request_id(settings: Settings) -> None:
    client, _ = client_for(settings, ["not json"] * 20)
    with client:
        r = client.post(
            "/v1/briefs", json={"articles": seed_articles()[:2], "options": {"strategy": "single"}}
        )
    assert r.status_code == 502
    err = r.json()["error"]
    assert err["code"] == "schema_validation_failed"
    assert len(err["request_id"]) == 32


def test_health_and_ready(settings: Settings) -> None:
    client, _ = client_for(settings, [])
    with client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["ready"] is True
        assert client.get("/openapi.json").json()["paths"]["/v1/briefs"]["post"]


def test_readyz_is_503_when_no_model(tmp_path) -> None:
    settings = Settings(cache_dir=tmp_path, backend="openai-compatible", base_url=None)
    with TestClient(create_app(settings)) as client:
        for _ in range(100):  # the model loads in the background; wait until it has failed
            r = client.get("/readyz")
            if r.json()["status"] == "failed":
                break
            time.sleep(0.05)
    assert r.status_code == 503
    assert "CROSSBRIEF_BASE_URL" in r.json()["error"]
