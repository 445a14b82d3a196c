"""Structured logs: every line carries the request id; one access line per request with method, path,
status, ms and key id; never a key, an Authorization header or article text."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.api.security import create_key
from service.config import Settings
from service.main import create_app
from service.observability import bind_request_id, configure_logging, redact
from tests.conftest import scripted_provider

ARTICLE_TEXT = "Zorblat the ferry captain said the harbour wall cracked at dawn."
BODY = {"articles": [{"outlet": "Harbour News", "text": ARTICLE_TEXT}]}  # one article: a 422


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Restores the root logger after configure_logging replaced its handlers."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    yield stream
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)


def run_requests(settings: Settings) -> tuple[str, str, str]:
    """A request with a good key and an article, and one with a wrong key; returns (key, key id, request id)."""
    provider, _ = scripted_provider(settings, [])
    with TestClient(create_app(settings.model_copy(update={"auth": "on"}), provider)) as c:
        row, key = create_key(c.app.state.store, "logs")  # type: ignore[attr-defined]
        r = c.post("/v1/briefs", json=BODY, headers={"Authorization": f"Bearer {key}", "X-Request-ID": "req-logs-1"})
        assert r.status_code == 422
        bad = c.get("/v1/briefs", headers={"Authorization": "Bearer cb_ffffffffffff_guessedSecretValue123"})
        assert bad.status_code == 401
    return key, row.id, "req-logs-1"


def test_text_logs_carry_the_request_id_and_no_key_or_article(settings: Settings, captured: io.StringIO) -> None:
    configure_logging(settings.model_copy(update={"log_format": "text"}), stream=captured)
    key, key_id, rid = run_requests(settings)
    out = captured.getvalue()
    secret = key.split("_", 2)[2]
    assert key not in out and secret not in out and "guessedSecretValue123" not in out
    assert "Authorization" not in out and "Bearer cb_" not in out
    assert ARTICLE_TEXT not in out and "Zorblat" not in out
    access = [line for line in out.splitlines() if "crossbrief.access" in line]
    assert len(access) == 2, out
    assert f"[{rid}]" in access[0] and "POST /v1/briefs 422" in access[0] and f"key={key_id}" in access[0]
    assert "GET /v1/briefs 401" in access[1] and "key=-" in access[1]


def test_json_logs_have_one_object_per_line_with_access_fields(settings: Settings, captured: io.StringIO) -> None:
    configure_logging(settings.model_copy(update={"log_format": "json"}), stream=captured)
    key, key_id, rid = run_requests(settings)
    out = captured.getvalue()
    assert key not in out and ARTICLE_TEXT not in out
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    access = [x for x in lines if x["logger"] == "crossbrief.access"]
    assert access[0]["request_id"] == rid
    assert {k: access[0][k] for k in ("method", "path", "status", "key_id")} == {
        "method": "POST", "path": "/v1/briefs", "status": 422, "key_id": key_id,
    }
    assert isinstance(access[0]["ms"], float) and access[0]["ms"] >= 0
    assert access[1]["status"] == 401 and access[1]["key_id"] is None and access[1]["request_id"]
    assert all({"time", "level", "logger", "request_id", "message"} <= set(x) for x in lines)


def test_key_like_strings_are_redacted_wherever_they_are_logged(settings: Settings, captured: io.StringIO) -> None:
    configure_logging(settings, stream=captured)
    log = logging.getLogger("crossbrief.test")
    with bind_request_id("job-ctx-7"):
        log.warning("upstream said %s", "Authorization: Bearer abc.def-123")
        log.warning("key cb_0123456789ab_SECRETPART and openai sk-proj-SECRETPART2")
        try:
            raise RuntimeError("failed with cb_aaaaaaaaaaaa_SECRETPART3")
        except RuntimeError:
            log.exception("boom")
    out = captured.getvalue()
    assert "SECRETPART" not in out and "abc.def-123" not in out
    assert "Bearer [redacted]" in out and "cb_[redacted]" in out and "sk-[redacted]" in out
    assert out.count("[job-ctx-7]") == 3
    log.warning("outside")
    assert "[-] outside" in captured.getvalue()


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "POST /v1/briefs 200 12.5ms key=0123456789ab cb_ sk- bearer"
    assert redact(text) == text
