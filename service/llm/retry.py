"""Retries of remote model calls, and which failures a fallback backend may take over.

The openai SDK retries by itself, and that is what crossbrief uses: up to ``max_retries`` more attempts,
only for 408, 409, 429, 5xx, dropped connections and timeouts, after the server's ``retry-after-ms`` /
``Retry-After`` when it gives one (else exponential backoff from 0.5 s with jitter). Its one gap: it
obeys any Retry-After up to a fixed 120 s. The HTTP client built here marks a response that asks for
longer than ``max_retry_after_s`` as not retryable (the SDK honours ``x-should-retry: false``), so the
call fails at once instead of holding a request for minutes.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Mapping

import openai

from service.errors import ModelRefused, OutputTruncated, SchemaValidationFailed, UpstreamError, UpstreamTimeout

# Statuses the SDK retries (and a fallback may take over after the retries).
RETRYABLE = frozenset({408, 409, 429}) | frozenset(range(500, 600))
REFUSED_HEADER = "x-crossbrief-retry-after-refused"  # set on a response whose Retry-After was over the cap


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds a response asks the client to wait (``retry-after-ms``, ``Retry-After`` as seconds or as an
    HTTP date), or None when it does not say."""
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue
        return seconds if math.isfinite(seconds) else math.inf
    date = headers.get("retry-after")
    parsed = email.utils.parsedate_tz(date) if date else None
    return None if parsed is None else email.utils.mktime_tz(parsed) - time.time()


def _refuse_long_waits(cap: float, response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    wait = retry_after(headers)
    if wait is not None and wait > cap:
        headers["x-should-retry"] = "false"
        headers[REFUSED_HEADER] = f"{wait:g} {cap:g}"


def capped_http_clients(cap: float) -> tuple[openai.DefaultHttpxClient, openai.DefaultAsyncHttpxClient]:
    """Sync and async HTTP clients for the SDK that refuse to wait longer than ``cap`` seconds."""

    def hook(response: object) -> None:
        _refuse_long_waits(cap, response)

    async def ahook(response: object) -> None:
        _refuse_long_waits(cap, response)

    return (
        openai.DefaultHttpxClient(event_hooks={"response": [hook]}),
        openai.DefaultAsyncHttpxClient(event_hooks={"response": [ahook]}),
    )


def transient(error: UpstreamError) -> bool:
    """Whether a failure says the backend is unavailable (a fallback may answer instead): timeouts, dropped
    connections and retryable statuses. Not bad requests or auth errors (configuration to fix, not to hide),
    nor output problems (refused, truncated, invalid)."""
    if isinstance(error, UpstreamTimeout):
        return True
    if isinstance(error, (OutputTruncated, ModelRefused, SchemaValidationFailed)):
        return False
    return error.upstream_status is None or error.upstream_status in RETRYABLE
