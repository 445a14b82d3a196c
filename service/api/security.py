"""API keys and rate limits.

A key is ``cb_<id>_<secret>``; only its SHA-256 and the non-secret ``cb_<id>`` prefix are stored, and it is
shown once, when `crossbrief keys create` makes it. With auth on, every ``/v1`` request (and ``/metrics``
when ``metrics_require_key``) needs ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``.

Rate limits count the requests that change something (POST, DELETE … under ``/v1``): those start or
cancel model work, while reads (job status polls, event streams, exports) are cheap and clients poll them."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
import time
from typing import Any

import anyio
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.responses import send_error
from service.config import Settings
from service.storage import ApiKeyRow, Store

PREFIX = "cb_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# ---------------------------------------------------------------- keys


def hash_key(key: str) -> str:
    """Hex SHA-256 of a key: what the database keeps."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def check_rate_limit(value: str) -> str:
    """``value`` if it is a rate limit the `limits` library understands (``30/minute``), else ValueError."""
    try:
        parse(value)
    except ValueError as e:
        raise ValueError(f"not a rate limit: {value!r} (e.g. 30/minute, 1000/day)") from e
    return value


def create_key(store: Store, name: str, rate_limit: str | None = None) -> tuple[ApiKeyRow, str]:
    """Store a new key for ``name``; returns its row and the key itself (the only time it is known)."""
    if rate_limit is not None:
        check_rate_limit(rate_limit)
    key_id = secrets.token_hex(6)
    key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    row = ApiKeyRow(id=key_id, name=name, key_hash=hash_key(key), prefix=f"{PREFIX}{key_id}", rate_limit=rate_limit)
    return store.add_key(row), key


def verify_key(store: Store, key: str) -> ApiKeyRow | None:
    """The row of a valid, unrevoked key; None otherwise. Blocking (database)."""
    if not key.startswith(PREFIX) or len(key) > 200:
        return None
    digest = hash_key(key)
    row = store.key_by_hash(digest)
    if row is None or not hmac.compare_digest(row.key_hash, digest) or row.revoked_at is not None:
        return None
    return row


def presented_key(headers: Headers) -> str | None:
    """The key a request carries in ``Authorization: Bearer …`` or ``X-API-Key``."""
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return headers.get("x-api-key", "").strip() or None


def auth_enabled(settings: Settings) -> bool:
    """Whether keys are required: ``auth`` on/off, or auto = on unless the server binds a loopback address."""
    if settings.auth != "auto":
        return settings.auth == "on"
    host = settings.host.strip("[]")
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost may resolve to anything: protect it
        return True


# ---------------------------------------------------------------- middleware


def rate_storage(url: str) -> Any:
    """The async `limits` storage for a URL; Redis through redis-py (in our dependencies), so that several API
    processes share their counters with ``CROSSBRIEF_RATE_LIMIT_STORAGE=redis://…``."""
    url = url if url.startswith("async+") else f"async+{url}"
    scheme = url.split("://", 1)[0]
    return storage_from_string(url, **({"implementation": "redispy"} if "redis" in scheme else {}))


class AccessMiddleware:
    """Asks for a key where auth is on (401), then applies the key's rate limit (429). Sets
    ``request.state.key_id`` for the routes and the access log."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.enabled = auth_enabled(settings)
        self.default_limit = parse(settings.rate_limit)
        self.limiter = MovingWindowRateLimiter(rate_storage(settings.rate_limit_storage))
        self._own_store: Store | None = None

    def _protected(self, path: str) -> bool:
        if path == "/v1" or path.startswith("/v1/"):
            return True
        return path == "/metrics" and self.settings.metrics_require_key

    async def _store(self, scope: Scope) -> Store:
        app = scope.get("app")
        store: Store | None = getattr(getattr(app, "state", None), "store", None)
        if store is not None:
            return store
        if self._own_store is None:  # an app without a store of its own (create_app always sets one)
            own = Store(self.settings.database_url)
            await anyio.to_thread.run_sync(own.upgrade)
            self._own_store = own
        return self._own_store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._protected(scope["path"]):
            return await self.app(scope, receive, send)
        state: dict[str, Any] = scope.setdefault("state", {})
        limit, who = self.default_limit, "ip:" + (scope.get("client") or ("unknown",))[0]
        if self.enabled:
            key = presented_key(Headers(scope=scope))
            row = await anyio.to_thread.run_sync(verify_key, await self._store(scope), key) if key else None
            if row is None:
                why = "invalid or revoked API key" if key else "an API key is required"
                message = f"{why}: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
                return await send_error(scope, send, "unauthorized", message, {"WWW-Authenticate": "Bearer"})
            state["key_id"] = row.id
            who = "key:" + row.id
            if row.rate_limit:
                limit = parse(row.rate_limit)
        if scope["method"] not in SAFE_METHODS and scope["path"].startswith("/v1"):
            retry_after = await self._hit(limit, who)
            if retry_after is not None:
                message = f"rate limit of {limit} exceeded; retry in {retry_after} s"
                return await send_error(scope, send, "rate_limited", message, {"Retry-After": str(retry_after)})
        await self.app(scope, receive, send)

    async def _hit(self, limit: RateLimitItem, who: str) -> int | None:
        """Count one request; None when allowed, else the seconds until the window lets one through."""
        if await self.limiter.hit(limit, who):
            return None
        stats = await self.limiter.get_window_stats(limit, who)
        return max(1, math.ceil(stats.reset_time - time.time()))
