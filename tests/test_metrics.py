"""Prometheus /metrics: requests by route template, errors by code, tokens and stage times from progress
events, cache and job counters, queue depth read at scrape time; cost estimates from model prices."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from service import observability, progress
from service.config import Settings
from service.main import create_app
from service.observability import estimate_cost
from service.schemas import Meta
from tests.conftest import scripted_provider

ONE_ARTICLE = {"articles": [{"outlet": "Daily One", "text": "The mayor resigned."}]}


def client(settings: Settings) -> TestClient:
    provider, _ = scripted_provider(settings, [])
    return TestClient(create_app(settings.model_copy(update={"auth": "off"}), provider))


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text exposition: (name, labels) → value."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(text: str, name: str, **labels: str) -> float | None:
    return samples(text).get((name, frozenset(labels.items())))


def test_metrics_count_requests_by_route_template_and_errors_by_code(settings: Settings) -> None:
    with client(settings) as c:
        for _ in range(3):
            assert c.get("/v1/briefs/job-that-does-not-exist").status_code == 404
        assert c.post("/v1/briefs", json=ONE_ARTICLE).status_code == 422
        assert c.get("/nowhere/at/all").status_code == 404
        r = c.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert value(text, "crossbrief_requests_total", method="GET", route="/v1/briefs/{job_id}", status="404") == 3
    assert value(text, "crossbrief_requests_total", method="POST", route="/v1/briefs", status="422") == 1
    assert value(text, "crossbrief_requests_total", method="GET", route="unmatched", status="404") == 1
    assert "job-that-does-not-exist" not in text and "/nowhere" not in text  # templates, never raw paths
    assert value(text, "crossbrief_request_seconds_count", route="/v1/briefs/{job_id}") == 3
    assert value(text, "crossbrief_errors_total", code="not_found") == 3
    assert value(text, "crossbrief_errors_total", code="invalid_input") == 1
    assert value(text, "crossbrief_queue_depth") == 0
    assert "_created" not in text


def test_tokens_and_stage_seconds_come_from_progress_events(settings: Settings) -> None:
    with client(settings) as c:
        progress.emit("tokens", task="statements", backend="openai", model="gpt-test", tokens_in=120, tokens_out=30)
        progress.emit("tokens", task="summary", backend="openai", model="gpt-test", tokens_in=80, tokens_out=20)
        progress.emit("stage", stage="align", state="started")
        progress.emit("stage", stage="align", state="finished", seconds=0.25)
        text = c.get("/metrics").text
    assert value(text, "crossbrief_tokens_total", direction="in", backend="openai", model="gpt-test") == 200
    assert value(text, "crossbrief_tokens_total", direction="out", backend="openai", model="gpt-test") == 50
    assert value(text, "crossbrief_stage_seconds_count", stage="align") == 1
    assert value(text, "crossbrief_stage_seconds_sum", stage="align") == 0.25


def test_cache_job_and_error_counters(settings: Settings) -> None:
    with client(settings) as c:
        observability.record_cache(hit=True)
        observability.record_cache(hit=False)
        observability.record_cache(hit=False)
        observability.record_job("done")
        observability.record_job("failed")
        observability.record_error("upstream_timeout")
        text = c.get("/metrics").text
    assert value(text, "crossbrief_cache_hits_total") == 1
    assert value(text, "crossbrief_cache_misses_total") == 2
    assert value(text, "crossbrief_jobs_total", status="done") == 1
    assert value(text, "crossbrief_jobs_total", status="failed") == 1
    assert value(text, "crossbrief_errors_total", code="upstream_timeout") == 1


def test_queue_depth_is_read_when_scraped(settings: Settings) -> None:
    with client(settings) as c:
        real = c.app.state.jobs  # type: ignore[attr-defined]
        c.app.state.jobs = SimpleNamespace(queue_depth=3)  # type: ignore[attr-defined]
        try:
            assert value(c.get("/metrics").text, "crossbrief_queue_depth") == 3
        finally:
            c.app.state.jobs = real  # type: ignore[attr-defined]


def test_each_app_has_its_own_registry(settings: Settings) -> None:
    a = client(settings)
    b = client(settings.model_copy(update={"database_url": settings.database_url + ".b"}))  # one queue per database
    with a, b:
        a.get("/healthz")
        a.get("/healthz")
        b.get("/healthz")
        health = {"method": "GET", "route": "/healthz", "status": "200"}
        assert value(a.get("/metrics").text, "crossbrief_requests_total", **health) == 2
        assert value(b.get("/metrics").text, "crossbrief_requests_total", **health) == 1


def test_auth_and_limit_refusals_are_counted(settings: Settings) -> None:
    provider, _ = scripted_provider(settings, [])
    app = create_app(settings.model_copy(update={"auth": "on", "max_body_bytes": 10}), provider)
    with TestClient(app) as c:
        assert c.get("/v1/briefs").status_code == 401
        text = c.get("/metrics").text
    assert value(text, "crossbrief_errors_total", code="unauthorized") == 1
    assert value(text, "crossbrief_requests_total", method="GET", route="/v1/briefs", status="401") == 1


# ---------------------------------------------------------------- cost


def test_cost_estimate_from_model_prices(settings: Settings) -> None:
    assert estimate_cost(settings, "gpt-4o-mini", 1_000_000, 1_000_000) == 0.75
    assert estimate_cost(settings, "gpt-4o-mini-2024-07-18", 2_000, 1_000) == 0.0009  # dated variant
    assert estimate_cost(settings, "gpt-4o", 1_000, 0) == 0.0025  # not priced as gpt-4o-mini, nor vice versa
    assert estimate_cost(settings, "qwen2.5-coder-1.5b", 5_000, 500) == 0.0
    assert estimate_cost(settings, "my-own.gguf", 5_000, 500) is None
    assert estimate_cost(settings, "my-own.gguf", 5_000, 500, backend="local") == 0.0
    assert estimate_cost(settings, "mistral-large", 10, 10) is None
    custom = settings.model_copy(update={"model_prices": {"mistral-large": (2.0, 6.0)}})
    assert estimate_cost(custom, "mistral-large", 500_000, 100_000) == 1.6


def test_model_prices_from_the_environment(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CROSSBRIEF_MODEL_PRICES", '{"llama-3-70b": [0.6, 0.8]}')
    s = Settings(cache_dir=tmp_path)
    assert s.model_prices == {"llama-3-70b": (0.6, 0.8)}
    assert estimate_cost(s, "llama-3-70b", 1_000_000, 0) == 0.6


def test_meta_cost_is_optional() -> None:
    fields = dict(backend="local", model="m", strategy="staged", prompt_versions={}, tokens_in=1, tokens_out=1,
                  seconds=1.0, stage_seconds={}, llm_calls=[], warnings=[])
    assert Meta(**fields).cost_usd is None  # type: ignore[arg-type]
    assert Meta(**fields, cost_usd=0.01).cost_usd == 0.01  # type: ignore[arg-type]
    assert re.search(r"cost_usd", str(Meta.model_json_schema()))


def test_a_brief_gets_its_cost_and_its_tokens_are_counted(settings: Settings) -> None:
    from service.llm import LLM, LLMProvider
    from tests.test_api import two
    from tests.test_jobs import routed

    provider = LLMProvider(settings)
    provider.add(LLM(routed(), backend="openai", model_name="gpt-4o-mini", prompts_dir=settings.prompts_dir))
    with TestClient(create_app(settings.model_copy(update={"auth": "off"}), provider)) as c:
        r = c.post("/v1/briefs", json={"articles": two()})
        assert r.status_code == 200, r.text
        meta = r.json()["meta"]
        text = c.get("/metrics").text
    assert meta["tokens_in"] > 0
    expected = (meta["tokens_in"] * 0.15 + meta["tokens_out"] * 0.60) / 1e6
    assert meta["cost_usd"] == pytest.approx(expected, abs=1e-6)
    counted = value(text, "crossbrief_tokens_total", direction="in", backend="openai", model="gpt-4o-mini")
    assert counted == meta["tokens_in"]
    assert value(text, "crossbrief_stage_seconds_count", stage="align")
