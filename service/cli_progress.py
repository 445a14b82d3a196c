"""Progress of long CLI work on stderr, from the same events the API streams over SSE (:mod:`service.progress`).

Three modes: ``live`` (a rich display redrawn in place: stage, model calls, tokens, elapsed, an estimate) when
stderr is a terminal; ``lines`` (one ``key=value`` line per event, for logs and scripts) when it is not;
``quiet`` (nothing). The display is a progress sink: ``with progress.sink(display): ...``.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any, Literal

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from service.progress import Event

Mode = Literal["live", "lines", "quiet"]
STAGE_LABELS = {
    "startup": "starting",
    "model": "loading the model",
    "ingest": "reading the articles",
    "segment": "splitting sentences",
    "screen": "screening out instructions to a model",
    "align": "aligning what the outlets say",
    "signals": "finding figures, quotes and disagreements",
    "llm_tasks": "model writes statements",
    "summary": "model writes headline and summary",
}


def pick_mode(quiet: bool, stream: IO[str] | None = None) -> Mode:
    """quiet when asked, live on a terminal, plain lines otherwise."""
    if quiet:
        return "quiet"
    stream = stream or sys.stderr
    return "live" if hasattr(stream, "isatty") and stream.isatty() else "lines"


def _fmt_seconds(s: float) -> str:
    return f"{s:.0f} s" if s < 90 else f"{int(s // 60)} min {int(s % 60):02d} s"


def _logfmt(value: Any) -> str:
    text = str(value)
    return text if text and all(c.isalnum() or c in "._-/:" for c in text) else json.dumps(text)


class ProgressDisplay:
    """A progress sink that shows what the tool is doing. Thread-safe: events may come from worker threads."""

    def __init__(
        self,
        mode: Mode,
        title: str,
        *,
        stream: IO[str] | None = None,
        estimate: Callable[[], float | None] | None = None,
        total: int | None = None,
    ) -> None:
        self.mode = mode
        self.title = title
        self.stream = stream or sys.stderr
        self.estimate = estimate  # expected total seconds, asked on every redraw
        self.total = total  # items (eval cases, bytes) when the work is countable
        self.done = 0
        self.started = time.perf_counter()
        self.stage: str | None = None
        self.finished: list[tuple[str, float]] = []
        self.calls = 0
        self.tokens_in = 0
        self.tokens_out = 0
        self.detail = ""
        self.error: str | None = None  # printed after the display stops
        self.exit_code = 0
        self._steps: dict[str, float] = {}
        self.bytes = (0, 0)  # model file joined so far, of its size
        self._lock = threading.Lock()
        self._live: Live | None = None
        self._spinner = Spinner("dots")  # one instance, so its frames advance between redraws

    # ------------------------------------------------------------ lifecycle

    def __enter__(self) -> ProgressDisplay:
        if self.mode == "live":
            console = Console(file=self.stream, stderr=self.stream is sys.stderr)
            self._live = Live(get_renderable=self.render, console=console, refresh_per_second=8, transient=True)
            self._live.start()
        elif self.mode == "lines":
            self._line({"event": "start", "task": self.title})
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        outcome = "failed" if exc_type is not None or self.error else "done"
        if self.error:
            self.stream.write(self.error + "\n")
        if self.mode == "live":
            self.stream.write(f"crossbrief: {self.title} {outcome} in {self.summary()}\n")
            self.stream.flush()
        elif self.mode == "lines":
            self._line({"event": outcome, "calls": self.calls, "tokens_in": self.tokens_in,
                        "tokens_out": self.tokens_out})

    # ------------------------------------------------------------ events

    def __call__(self, event: Event) -> None:
        """Take one progress event."""
        with self._lock:
            self._update(event)
        if self.mode == "lines":
            self._line(event)

    def _update(self, event: Event) -> None:
        kind = event.get("event")
        if kind == "stage":
            if event.get("state") == "started":
                self.stage = str(event.get("stage"))
            else:
                self.finished.append((str(event.get("stage")), float(event.get("seconds") or 0.0)))
                if self.stage == event.get("stage"):
                    self.stage = None
        elif kind == "tokens":
            self.calls += 1
            self.tokens_in += int(event.get("tokens_in") or 0)
            self.tokens_out += int(event.get("tokens_out") or 0)
            self.detail = f"last call: {event.get('task')}"
        elif kind == "model":
            if event.get("total"):
                self.bytes = (int(event.get("done") or 0), int(event["total"]))
            self.detail = f"{event.get('state', '')} {event.get('file', '')}".strip()
            if self.bytes[1]:
                self.detail += f" {self.bytes[0] / 2**20:,.0f} of {self.bytes[1] / 2**20:,.0f} MiB"
        elif kind == "item":
            self.done = int(event.get("done") or self.done + 1)
            self.detail = str(event.get("name", ""))

    def item(self, name: str) -> None:
        """One of ``total`` items (an eval case, a calibration pair) is done."""
        self({"event": "item", "name": name, "done": self.done + 1, "total": self.total})

    def step(self, stage: str, state: Literal["started", "finished"]) -> None:
        """A step of the command itself (start-up, model load), shown like a pipeline stage."""
        now = time.perf_counter()
        if state == "started":
            self._steps[stage] = now
            self({"event": "stage", "stage": stage, "state": state})
        else:
            seconds = round(now - self._steps.pop(stage, now), 3)
            self({"event": "stage", "stage": stage, "state": state, "seconds": seconds})

    # ------------------------------------------------------------ output

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def remaining(self) -> str:
        """'about 40 s left', or why there is no estimate."""
        elapsed = self.elapsed()
        done, size = self.bytes
        if self.stage == "model" and 0 < done < size:
            started = self._steps.get("model", self.started)
            return f"about {_fmt_seconds((time.perf_counter() - started) / done * (size - done))} left"
        if self.total and self.done:
            return f"about {_fmt_seconds(elapsed / self.done * (self.total - self.done))} left"
        expected = self.estimate() if self.estimate else None
        if expected is None:
            return "no estimate yet" if not self.total else "estimating"
        if expected > elapsed:
            return f"about {_fmt_seconds(expected - elapsed)} left"
        return "taking longer than recent runs"

    def summary(self) -> str:
        return (
            f"{_fmt_seconds(self.elapsed())} · {self.calls} model call{'s' if self.calls != 1 else ''} · "
            f"{self.tokens_in:,} tokens in, {self.tokens_out:,} out"
        )

    def render(self) -> RenderableType:
        """The live display: what is happening now, and what has finished."""
        with self._lock:
            doing = STAGE_LABELS.get(self.stage or "", self.stage or "working")
            count = f" · {self.done:,}/{self.total:,}" if self.total else ""
            head = Text.assemble(
                (f"{self.title}", "bold"), f" · {doing}{count} · {self.summary()} · ", (self.remaining(), "cyan")
            )
            done = Text("  " + "  ".join(f"✓ {s} {sec:.1f} s" for s, sec in self.finished[-8:]), style="dim")
            if self.detail:
                done.append(f"  ({self.detail})", style="dim")
        self._spinner.update(text=head)
        return Group(self._spinner, done)

    def _line(self, event: Event) -> None:
        fields = {"t": f"{self.elapsed():.2f}", **event}
        line = " ".join(f"{k}={_logfmt(v)}" for k, v in fields.items() if v is not None)
        with self._lock:
            self.stream.write(f"crossbrief: {line}\n")
            self.stream.flush()
