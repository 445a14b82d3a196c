"""Logs and metrics: structured log lines that carry the request id and never a key, Prometheus metrics
per app, and the cost estimate of a brief.

Metrics live in one ``CollectorRegistry`` per app (``app.state.metrics``), so tests can build many apps.
The ``record_*`` functions and the progress listener have no app at hand; they update every live app's
metrics (in a server process there is one)."""

from __future__ import annotations

import json
import logging
import re
import sys
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

from service import progress
from service.config import Settings
from service.llm import backends

# ---------------------------------------------------------------- request id

request_id_var: ContextVar[str | None] = ContextVar("crossbrief_request_id", default=None)


@contextmanager
def bind_request_id(request_id: str | None) -> Iterator[None]:
    """Log lines written in this context (and tasks/threads started from it) carry ``request_id``."""
    token = request_id_var.set(request_id)
    try:
        yield
    finally:
        request_id_var.reset(token)


# ---------------------------------------------------------------- logs

_SECRETS = [
    (re.compile(r"\bBearer\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE), "Bearer [redacted]"),
    (re.compile(r"\bcb_[A-Za-z0-9_-]{6,}"), "cb_[redacted]"),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{6,}"), "sk-[redacted]"),
]
# Attributes every LogRecord has; anything else was passed in ``extra`` and goes into JSON lines.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id", "color_message"}


def redact(text: str) -> str:
    """``text`` with anything that looks like an API key or bearer token replaced."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RequestContextFilter(logging.Filter):
    """Adds ``record.request_id`` (from the context) and redacts key-like strings from the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get() or "-"
        message = record.getMessage()
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message``; the whole line redacted (tracebacks included)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, message, fields given in ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None),
            "message": record.getMessage(),
        }
        line |= {k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(line, default=str, ensure_ascii=False))


def configure_logging(settings: Settings, level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """Send every log line (uvicorn's too) to ``stream`` (stderr) as text or JSON (``settings.log_format``),
    with the request id and with key-like strings redacted. Replaces the root logger's handlers."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    return handler


# ---------------------------------------------------------------- metrics

disable_created_metrics()  # no `*_created` series: they double the output and nobody graphs them
_TIME_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
_live: weakref.WeakSet[Metrics] = weakref.WeakSet()


class Metrics:
    """The Prometheus metrics of one app, in their own registry."""

    def __init__(self, queue_depth: Callable[[], float] | None = None) -> None:
        self.registry = r = CollectorRegistry()
        self.requests = Counter(
            "crossbrief_requests", "HTTP requests answered", ["method", "route", "status"], registry=r
        )
        self.request_seconds = Histogram(
            "crossbrief_request_seconds", "Seconds to answer an HTTP request", ["route"], buckets=_TIME_BUCKETS,
            registry=r,
        )
        self.stage_seconds = Histogram(
            "crossbrief_stage_seconds", "Seconds per pipeline stage", ["stage"], buckets=_TIME_BUCKETS, registry=r
        )
        self.tokens = Counter(
            "crossbrief_tokens", "Model tokens spent", ["direction", "backend", "model"], registry=r
        )
        self.cache_hits = Counter("crossbrief_cache_hits", "Brief requests answered from the cache", registry=r)
        self.cache_misses = Counter("crossbrief_cache_misses", "Brief requests the cache could not answer", registry=r)
        self.errors = Counter("crossbrief_errors", "Error responses and failed jobs by code", ["code"], registry=r)
        self.jobs = Counter("crossbrief_jobs", "Jobs that reached a status", ["status"], registry=r)
        if queue_depth is not None:  # a worker process has no queue of its own to report
            self.queue_depth = Gauge("crossbrief_queue_depth", "Jobs waiting for a worker", registry=r)
            self.queue_depth.set_function(queue_depth)
        _live.add(self)

    def on_event(self, event: progress.Event) -> None:
        """Count a pipeline progress event (stage timings, tokens)."""
        if event.get("event") == "stage" and event.get("state") == "finished" and "seconds" in event:
            self.stage_seconds.labels(str(event["stage"])).observe(float(event["seconds"]))
        elif event.get("event") == "tokens":
            backend, model = str(event.get("backend", "")), str(event.get("model", ""))
            self.tokens.labels("in", backend, model).inc(max(0, int(event.get("tokens_in") or 0)))
            self.tokens.labels("out", backend, model).inc(max(0, int(event.get("tokens_out") or 0)))


def _each() -> list[Metrics]:
    return list(_live)


def _on_progress(event: progress.Event) -> None:
    for m in _each():
        m.on_event(event)


progress.add_listener(_on_progress)


def record_cache(hit: bool) -> None:
    """Count a brief request answered from the cache (``hit``) or not."""
    for m in _each():
        (m.cache_hits if hit else m.cache_misses).inc()


def record_error(code: str) -> None:
    """Count an error response or failed job by its error code (``unauthorized``, ``upstream_timeout`` …)."""
    for m in _each():
        m.errors.labels(code).inc()


def record_job(status: str) -> None:
    """Count a job reaching ``status`` (queued, done, failed, cancelled …)."""
    for m in _each():
        m.jobs.labels(status).inc()


# ---------------------------------------------------------------- cost


def estimate_cost(
    settings: Settings, model: str, tokens_in: int, tokens_out: int, *, backend: str | None = None
) -> float | None:
    """USD a brief's tokens cost at ``settings.model_prices`` (per 1M tokens); a priced model's dated variant
    (``gpt-4o-mini-2024-07-18``) takes its price. 0.0 on a backend that runs here (``free`` in its registry entry,
    e.g. local); None for a model with no price."""
    spec = backends.find(backend)
    if spec is not None and spec.free:
        return 0.0
    prices = settings.model_prices
    price = prices.get(model)
    if price is None:
        stems = [name for name in prices if model.startswith(name + "-")]
        price = prices[max(stems, key=len)] if stems else None
    if price is None:
        return None
    return round((tokens_in * price[0] + tokens_out * price[1]) / 1_000_000, 6)
