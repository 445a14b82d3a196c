"""Access control and limits: keys made by the CLI open /v1 (401 otherwise), auto mode follows the bound
address, rate limits answer 429 with Retry-After, big bodies 413 (declared or streamed), CORS allow-list."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from service.api.middleware import BodyLimitMiddleware
from service.api.security import auth_enabled, create_key, hash_key
from service.cli import main
from service.config import Settings, get_settings
from service.main import create_app
from tests.conftest import scripted_provider

ONE_ARTICLE = {"articles": [{"outlet": "Daily One", "text": "The mayor resigned."}]}  # 422: needs two


@pytest.fixture
def db_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"auth": "on"})


def client(settings: Settings) -> TestClient:
    provider, _ = scripted_provider(settings, [])  # an empty script: any model call would fail the test
    return TestClient(create_app(settings, provider))


def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("CROSSBRIEF_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.stdout, result.stderr


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# ---------------------------------------------------------------- keys CLI


def test_cli_creates_lists_and_revokes_keys_storing_only_a_hash(
    db_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = cli(db_settings, monkeypatch, "keys", "create", "newsroom", "--rate-limit", "30/minute")
    assert code == 0, err
    key = out.strip()
    assert key.startswith("cb_") and len(key) > 40
    key_id = key.split("_")[1]
    assert "cannot be shown again" in err

    code, listing, _ = cli(db_settings, monkeypatch, "keys", "list")
    assert code == 0
    assert key_id in listing and "newsroom" in listing and "30/minute" in listing
    assert key not in listing and key.split("_", 2)[2] not in listing

    db = db_settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT key_hash, prefix FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        dump = "\n".join(conn.iterdump())
    assert stored == (hashlib.sha256(key.encode()).hexdigest(), f"cb_{key_id}")
    assert key.split("_", 2)[2] not in dump  # the secret part is nowhere in the database

    with client(db_settings) as c:
        assert c.get("/v1/briefs/unknown", headers=bearer(key)).status_code == 404
        code, out, _ = cli(db_settings, monkeypatch, "keys", "revoke", key_id)
        assert code == 0 and key_id in out
        r = c.get("/v1/briefs/unknown", headers=bearer(key))
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "unauthorized"

    code, listing, _ = cli(db_settings, monkeypatch, "keys", "list")
    row = next(line for line in listing.splitlines() if line.startswith(key_id))
    assert row.split("\t")[-1] != "-"  # revoked time shown
    code, _, err = cli(db_settings, monkeypatch, "keys", "revoke", key_id)
    assert code == 1 and "no active key" in err


def test_cli_rejects_a_bad_rate_limit(db_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = cli(db_settings, monkeypatch, "keys", "create", "x", "--rate-limit", "lots")
    assert code == 2 and "not a rate limit" in err and out == ""


# ---------------------------------------------------------------- 401


@pytest.fixture
def keyed(db_settings: Settings) -> Iterator[tuple[TestClient, str]]:
    with client(db_settings) as c:
        _, key = create_key(c.app.state.store, "test")  # type: ignore[attr-defined]
        yield c, key


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer cb_000000000000_not-a-real-key-at-all"},
        {"X-API-Key": "wrong"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["none", "wrong bearer", "wrong x-api-key", "basic"],
)
def test_v1_without_a_valid_key_is_401(keyed: tuple[TestClient, str], headers: dict[str, str]) -> None:
    c, _ = keyed
    calls = [("GET", "/v1/briefs"), ("GET", "/v1/briefs/x"), ("POST", "/v1/briefs"), ("DELETE", "/v1/briefs/x")]
    for method, path in calls:
        r = c.request(method, path, headers=headers, json=ONE_ARTICLE if method == "POST" else None)
        assert r.status_code == 401, (method, path, r.text)
        assert r.headers["WWW-Authenticate"] == "Bearer"
        assert r.headers["X-Request-ID"]
        err = r.json()["error"]
        assert err["code"] == "unauthorized" and err["request_id"] == r.headers["X-Request-ID"]


def test_a_good_key_passes_by_bearer_or_x_api_key(keyed: tuple[TestClient, str]) -> None:
    c, key = keyed
    for headers in (bearer(key), {"X-API-Key": key}, {"authorization": f"bearer {key}"}):
        assert c.get("/v1/briefs/unknown", headers=headers).status_code == 404
        r = c.post("/v1/briefs", headers=headers, json=ONE_ARTICLE)
        assert r.status_code == 422, r.text  # auth passed; validation answered, no model needed
    assert c.get("/v1/briefs", headers=bearer(key)).status_code == 200


def test_open_paths_need_no_key(keyed: tuple[TestClient, str]) -> None:
    c, _ = keyed
    assert c.get("/healthz").status_code == 200
    assert c.get("/readyz").status_code in (200, 503)
    assert c.get("/metrics").status_code == 200
    assert c.get("/openapi.json").status_code == 200
    assert c.get("/").status_code != 401  # the web page and its assets
    assert c.get("/static/app.js").status_code != 401
    assert c.get("/no-such-page").status_code == 404  # not 401: only /v1 is guarded


def test_metrics_can_require_a_key(db_settings: Settings) -> None:
    with client(db_settings.model_copy(update={"metrics_require_key": True})) as c:
        _, key = create_key(c.app.state.store, "prometheus")  # type: ignore[attr-defined]
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers=bearer(key)).status_code == 200


@pytest.mark.parametrize(
    ("host", "on"),
    [
        ("127.0.0.1", False),
        ("127.0.0.2", False),
        ("::1", False),
        ("[::1]", False),
        ("localhost", False),
        ("0.0.0.0", True),
        ("::", True),
        ("10.1.2.3", True),
        ("api.example.org", True),
    ],
)
def test_auto_mode_is_off_only_on_loopback(settings: Settings, host: str, on: bool) -> None:
    assert auth_enabled(settings.model_copy(update={"host": host, "auth": "auto"})) is on
    assert auth_enabled(settings.model_copy(update={"host": host, "auth": "on"})) is True
    assert auth_enabled(settings.model_copy(update={"host": host, "auth": "off"})) is False


def test_auto_mode_end_to_end(settings: Settings) -> None:
    with client(settings.model_copy(update={"auth": "auto", "host": "127.0.0.1"})) as c:
        assert c.get("/v1/briefs/unknown").status_code == 404
    with client(settings.model_copy(update={"auth": "auto", "host": "0.0.0.0"})) as c:
        assert c.get("/v1/briefs/unknown").status_code == 401


def test_only_the_hash_is_compared(keyed: tuple[TestClient, str]) -> None:
    c, key = keyed
    assert c.get("/v1/briefs/x", headers=bearer(hash_key(key))).status_code == 401  # the stored hash is no key


# ---------------------------------------------------------------- 429


def test_rate_limit_counts_posts_per_key_and_says_when_to_retry(db_settings: Settings) -> None:
    with client(db_settings.model_copy(update={"rate_limit": "2/minute"})) as c:
        store = c.app.state.store  # type: ignore[attr-defined]
        _, key = create_key(store, "a")
        _, other = create_key(store, "b")
        _, tight = create_key(store, "c", rate_limit="1/minute")
        for _ in range(5):
            assert c.get("/v1/briefs/x", headers=bearer(key)).status_code == 404  # reads do not count
        assert [c.post("/v1/briefs", headers=bearer(key), json=ONE_ARTICLE).status_code for _ in range(2)] == [422, 422]
        r = c.post("/v1/briefs", headers=bearer(key), json=ONE_ARTICLE)
        assert r.status_code == 429
        assert r.json()["error"]["code"] == "rate_limited"
        assert r.headers["Retry-After"].isdigit() and 1 <= int(r.headers["Retry-After"]) <= 60
        assert c.delete("/v1/briefs/x", headers=bearer(key)).status_code == 429  # DELETE counts too
        assert c.post("/v1/briefs", headers=bearer(other), json=ONE_ARTICLE).status_code == 422  # own window
        assert c.post("/v1/briefs", headers=bearer(tight), json=ONE_ARTICLE).status_code == 422
        assert c.post("/v1/briefs", headers=bearer(tight), json=ONE_ARTICLE).status_code == 429  # key's own limit


def test_rate_limit_per_client_ip_when_auth_is_off(settings: Settings) -> None:
    with client(settings.model_copy(update={"auth": "off", "rate_limit": "1/minute"})) as c:
        assert c.post("/v1/briefs", json=ONE_ARTICLE).status_code == 422
        r = c.post("/v1/briefs", json=ONE_ARTICLE)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_api_processes_share_rate_limit_counters_in_redis(settings: Settings) -> None:
    """CROSSBRIEF_RATE_LIMIT_STORAGE=redis://…: two API apps (as two replicas) count against one window."""
    from tests.procs import REDIS_URL, redis_available

    if not redis_available():
        pytest.skip("Redis is not reachable")
    window = f"3/{secrets.randbelow(10**6) + 10**6} seconds"  # a fresh counter key on every run
    shared = settings.model_copy(update={"auth": "off", "rate_limit": window, "rate_limit_storage": REDIS_URL})
    with client(shared) as a, client(shared.model_copy(update={"database_url": shared.database_url + "2"})) as b:
        assert [a.post("/v1/briefs", json=ONE_ARTICLE).status_code for _ in range(2)] == [422, 422]
        assert b.post("/v1/briefs", json=ONE_ARTICLE).status_code == 422
        assert b.post("/v1/briefs", json=ONE_ARTICLE).status_code == 429  # a's two requests counted in b
        assert a.post("/v1/briefs", json=ONE_ARTICLE).status_code == 429


# ---------------------------------------------------------------- 413


def test_body_over_the_limit_is_413_by_content_length(settings: Settings) -> None:
    with client(settings.model_copy(update={"auth": "off", "max_body_bytes": 1000})) as c:
        r = c.post("/v1/briefs", content=b"x" * 1001, headers={"content-type": "application/json"})
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "payload_too_large"
        assert "1000 bytes" in r.json()["error"]["message"]
        assert r.headers["X-Request-ID"]
        assert c.post("/v1/briefs", json=ONE_ARTICLE).status_code == 422  # under the limit: passes


async def test_streamed_body_over_the_limit_is_413_without_reading_it_all(settings: Settings) -> None:
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(100):
            sent.append(i)
            yield b"y" * 300

    provider, _ = scripted_provider(settings, [])
    app = create_app(settings.model_copy(update={"auth": "off", "max_body_bytes": 1000}), provider)
    transport = httpx.ASGITransport(app=app)  # streams the body chunk by chunk (TestClient reads it whole)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        r = await c.post("/v1/briefs", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413, r.text
    assert "content-length" not in r.request.headers and r.request.headers["transfer-encoding"] == "chunked"
    assert r.json()["error"]["code"] == "payload_too_large"
    assert len(sent) < 10  # stopped soon after the chunk that passed 1000 bytes


async def test_body_limit_middleware_alone() -> None:
    received: list[bytes] = []

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        while True:
            message = await receive()
            received.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    chunks = [{"type": "http.request", "body": b"z" * 40, "more_body": True} for _ in range(10)]
    chunks.append({"type": "http.request", "body": b"", "more_body": False})

    async def receive() -> dict:
        return chunks.pop(0)

    out: list[dict] = []

    async def send(message: dict) -> None:
        out.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": [], "state": {}}
    await BodyLimitMiddleware(app, max_bytes=100)(scope, receive, send)
    assert out[0]["status"] == 413
    assert sum(map(len, received)) <= 100 and len(chunks) == 8  # three chunks read, the rest never


# ---------------------------------------------------------------- CORS


def test_cors_preflight_allowed_and_denied(settings: Settings) -> None:
    with client(settings.model_copy(update={"auth": "on", "cors_origins": ["https://newsroom.example"]})) as c:
        ask = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
        ok = c.options("/v1/briefs", headers={"Origin": "https://newsroom.example", **ask})
        assert ok.status_code == 200  # answered before the key check
        assert ok.headers["access-control-allow-origin"] == "https://newsroom.example"
        assert "authorization" in ok.headers["access-control-allow-headers"].lower()
        bad = c.options("/v1/briefs", headers={"Origin": "https://evil.example", **ask})
        assert bad.status_code == 400
        assert "access-control-allow-origin" not in bad.headers
        simple = c.get("/healthz", headers={"Origin": "https://newsroom.example"})
        assert simple.headers["access-control-allow-origin"] == "https://newsroom.example"
        assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()


def test_no_cors_headers_without_origins(settings: Settings) -> None:
    with client(settings.model_copy(update={"auth": "off"})) as c:
        r = c.get("/healthz", headers={"Origin": "https://newsroom.example"})
        assert "access-control-allow-origin" not in r.headers


def test_settings_default_to_safe_values(tmp_path: Path) -> None:
    s = Settings(cache_dir=tmp_path)
    assert (s.auth, s.rate_limit, s.rate_limit_storage, s.max_body_bytes, s.cors_origins) == (
        "auto",
        "120/minute",
        "memory://",
        10 * 1024 * 1024,
        [],
    )
