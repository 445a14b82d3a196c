"""Secrets never leak: the upstream provider key (CROSSBRIEF_API_KEY) and the service's own API keys are set
to recognisable random values, failing and succeeding requests are run against the real stub server
(which quotes the key it got back in its 401 error, as careless upstreams do), and then every place a value
could surface is searched: log lines at every level in text and JSON, response bodies (briefs and typed
errors), job rows in the database, /metrics, the eval run record and report, and `crossbrief settings`."""

from __future__ import annotations

import io
import json
import logging
import secrets
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from service.api.security import create_key
from service.cli import main as cli
from service.config import Settings
from service.main import create_app
from service.observability import configure_logging
from tests.stub_server import StubServer
from tests.test_faults import ARTICLES, wait_job
from tests.test_logging import captured  # noqa: F401  (fixture: every log line, root logger restored)

# Neither shaped like an OpenAI key (sk-…) nor a bearer token, so the log redaction's patterns do not
# catch it: only not writing it anywhere keeps it out.
PROVIDER_KEY = f"provkey{secrets.token_hex(16)}"
BODY = {"articles": ARTICLES, "options": {"strategy": "single"}}
# (script for the stub, expected status): upstream auth error, 5xx, dropped connection, timeout, invalid
# output twice, and a brief.
FAULTS: list[tuple[list[str], int]] = [
    (["401"], 502),
    (["500", "500"], 502),
    (["drop", "drop"], 502),
    (["delay:1", "delay:1"], 504),
    (["invalid_json", "invalid_json"], 502),
    (["ok"], 200),
]


def test_the_stub_does_quote_the_key_back() -> None:
    """The leak the service must not pass on is really there: the upstream's 401 body holds the key."""
    with StubServer(script=["401"]) as stub:
        r = httpx.post(f"{stub.url}/chat/completions", json={}, headers={"Authorization": f"Bearer {PROVIDER_KEY}"})
    assert r.status_code == 401 and PROVIDER_KEY in r.text


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_keys_appear_nowhere(
    tmp_path: Path, captured: io.StringIO, monkeypatch: pytest.MonkeyPatch, log_format: str  # noqa: F811
) -> None:
    monkeypatch.setenv("CROSSBRIEF_API_KEY", PROVIDER_KEY)
    with StubServer() as stub:
        settings = Settings(
            backend="openai-compatible",
            base_url=stub.url,
            model="upstream-model",
            database_url=f"sqlite:///{tmp_path / 'secrets.db'}",
            auth="on",
            request_timeout_s=0.3,
            max_retries=1,
            log_format=log_format,  # type: ignore[arg-type]
        )
        assert settings.api_key is not None and settings.api_key.get_secret_value() == PROVIDER_KEY
        configure_logging(settings, level=logging.DEBUG, stream=captured)
        seen: list[str] = []  # every response body and header the clients got
        with TestClient(create_app(settings)) as client:
            store = client.app.state.store  # type: ignore[attr-defined]
            _, key = create_key(store, "secrets test")
            auth = {"Authorization": f"Bearer {key}", "Cache-Control": "no-cache"}
            statuses = []
            for script, _ in FAULTS:
                stub.script.extend(script)
                r = client.post("/v1/briefs", json=BODY, headers=auth)
                statuses.append(r.status_code)
                seen += [r.text, json.dumps(dict(r.headers))]
            stub.script.extend(["401"])
            accepted = client.post("/v1/briefs", json=BODY, headers={**auth, "Prefer": "respond-async"})
            job = wait_job(client, accepted.json()["id"], auth)
            bad_input = client.post("/v1/briefs", json={"articles": ARTICLES[:1]}, headers=auth)
            wrong_key = client.get("/v1/briefs", headers={"Authorization": f"Bearer {key[:-4]}abcd"})
            listing = client.get("/v1/briefs?limit=50", headers=auth)
            metrics = client.get("/metrics")
            seen += [accepted.text, json.dumps(job), bad_input.text, wrong_key.text, listing.text, metrics.text]
            rows = [row.__dict__ for row in store.list_jobs(50)]
        assert statuses == [status for _, status in FAULTS]
        assert job["status"] == "failed" and job["error"]["code"] == "upstream_error"
        assert (bad_input.status_code, wrong_key.status_code, listing.status_code) == (422, 401, 200)
        assert len(rows) == len(FAULTS) + 1
        assert {r.headers.get("authorization") for r in stub.received} == {f"Bearer {PROVIDER_KEY}"}

        report = run_eval(tmp_path, stub, monkeypatch)
        printed = CliRunner().invoke(cli, ["settings"]).output

    rows_json = json.dumps(rows, default=str)
    assert "upstream_error" in rows_json and '"headline"' in rows_json  # errors and briefs were searched
    out = captured.getvalue()
    assert "openai._base_client" in out and "DEBUG" in out  # the SDK's own debug lines were captured
    assert "401" in out and "timed out" in out  # and the failures were logged
    places = {
        "logs": out,
        "responses": "\n".join(seen),
        "job rows": rows_json,
        "eval report": report,
        "settings": printed,
    }
    service_secret = key.split("_", 2)[2]
    for where, text in places.items():
        for value in (PROVIDER_KEY, key, service_secret):
            assert value not in text, f"a key reached the {where}"


def run_eval(tmp_path: Path, stub: StubServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """An eval run on the stub (the first brief call fails with the key-quoting 401): run.json + report."""
    for name, value in {
        "CROSSBRIEF_BACKEND": "openai-compatible",
        "CROSSBRIEF_BASE_URL": stub.url,
        "CROSSBRIEF_MODEL": "upstream-model",
        "CROSSBRIEF_MAX_RETRIES": "0",
        "CROSSBRIEF_DATABASE_URL": f"sqlite:///{tmp_path / 'eval.db'}",
    }.items():
        monkeypatch.setenv(name, value)
    stub.script.extend(["401"])
    out = tmp_path / "run"
    args = ["eval", "run", "evals/datasets/ci", "--no-calibration", "--no-cache", "--no-store", "--no-progress"]
    result = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    run = (out / "run.json").read_text()
    assert "upstream_error" in run  # the failed brief is in the record
    return result.output + run + (out / "report.html").read_text()
