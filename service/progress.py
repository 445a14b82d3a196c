"""Progress events from inside a brief (stage started/finished, tokens so far).

The pipeline calls ``emit``; whoever runs it decides where events go: a job sets a sink for its own
context (``contextvars`` follow asyncio tasks and ``asyncio.to_thread``), and process-wide listeners
(metrics) see every event. Emitting never raises into the pipeline."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

Event = dict[str, Any]
Sink = Callable[[Event], None]

log = logging.getLogger("crossbrief.progress")
_sink: ContextVar[Sink | None] = ContextVar("crossbrief_progress_sink", default=None)
_listeners: list[Sink] = []


def emit(kind: str, **data: Any) -> None:
    """Send one event (``{"event": kind, **data}``) to this context's sink and every listener."""
    event: Event = {"event": kind, **data}
    sink = _sink.get()
    for target in ([sink] if sink else []) + _listeners:
        try:
            target(event)
        except Exception:  # a broken observer must not break a brief
            log.exception("progress listener failed")


@contextmanager
def sink(target: Sink) -> Iterator[None]:
    """Route events emitted in this context (and tasks/threads started from it) to ``target``."""
    token = _sink.set(target)
    try:
        yield
    finally:
        _sink.reset(token)


def add_listener(target: Sink) -> None:
    """Observe every event of the process (idempotent)."""
    if target not in _listeners:
        _listeners.append(target)


def remove_listener(target: Sink) -> None:
    if target in _listeners:
        _listeners.remove(target)


@dataclass
class Timer:
    """Wall seconds per stage."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        emit("stage", stage=stage, state="started")
        try:
            yield
        finally:
            took = time.perf_counter() - started
            self.seconds[stage] = self.seconds.get(stage, 0.0) + took
            emit("stage", stage=stage, state="finished", seconds=round(took, 3))
