"""Progress of `crossbrief brief` on stderr: a live display in a real terminal (tmux), key=value lines when
stderr is not a terminal, nothing with --quiet; the events are the pipeline's own (the ones the API streams)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from bench._harness import stub_backend
from service.cli_progress import STAGE_LABELS, ProgressDisplay, pick_mode
from service.config import REPO_ROOT
from service.eta import Timings
from tests.stub_server import StubServer

SEEDS = sorted(str(p) for p in (REPO_ROOT / "evals" / "datasets" / "seeds" / "articles").glob("*.txt"))
ALLSIDES_ARTICLES = ["--outlet", "The Guardian", "--outlet", "BBC News", "--outlet", "Washington Examiner"]


def parse(line: str) -> dict[str, str]:
    """One `crossbrief: k=v k="v w"` line as a dict."""
    import shlex

    assert line.startswith("crossbrief: "), line
    return dict(part.split("=", 1) for part in shlex.split(line[len("crossbrief: ") :]))


def test_lines_mode_writes_one_parseable_line_per_event() -> None:
    out = io.StringIO()
    with ProgressDisplay("lines", "brief of 2 articles", stream=out) as d:
        d({"event": "stage", "stage": "align", "state": "started"})
        d({"event": "stage", "stage": "align", "state": "finished", "seconds": 0.25})
        d({"event": "tokens", "task": "brief_lead", "tokens_in": 300, "tokens_out": 40})
        d({"event": "tokens", "task": "support_check", "tokens_in": 100, "tokens_out": 7})
    rows = [parse(x) for x in out.getvalue().splitlines()]
    assert [r["event"] for r in rows] == ["start", "stage", "stage", "tokens", "tokens", "done"]
    assert rows[0]["task"] == "brief of 2 articles" and rows[2] == rows[2] | {"stage": "align", "seconds": "0.25"}
    assert rows[-1] | {"t": "x"} == {"t": "x", "event": "done", "calls": "2", "tokens_in": "400", "tokens_out": "47"}


def test_quiet_writes_nothing_and_a_pipe_is_not_a_terminal() -> None:
    out = io.StringIO()
    with ProgressDisplay("quiet", "x", stream=out) as d:
        d({"event": "stage", "stage": "align", "state": "started"})
    assert out.getvalue() == ""
    assert pick_mode(False, out) == "lines" and pick_mode(True, out) == "quiet"


def test_live_display_shows_stage_calls_tokens_and_an_estimate(tmp_path: Path) -> None:
    timings = Timings(tmp_path, "local/smollm2-135m")
    assert timings.estimate(5000) is None  # no history: no made-up estimate
    timings.record(5000, 100.0)
    d = ProgressDisplay("live", "brief of 5 articles", stream=io.StringIO(), estimate=lambda: timings.estimate(5000))
    d({"event": "stage", "stage": "llm_tasks", "state": "started"})
    d({"event": "tokens", "task": "fact_statements", "tokens_in": 1234, "tokens_out": 56})
    console = Console(record=True, width=200, file=io.StringIO())
    console.print(d.render())
    text = console.export_text()
    assert "brief of 5 articles" in text and "model writes statements" in text
    assert "1 model call" in text and "1,234 tokens in, 56 out" in text
    assert "about 1 min 40 s left" in text or "about 1 min 39 s left" in text


@pytest.fixture(scope="module")
def stub_env() -> Iterator[dict[str, str]]:
    with StubServer() as stub:
        env = {**os.environ, **stub_backend(stub.url), "COLUMNS": "160"}
        yield env


def test_redirected_stderr_gets_lines_from_the_start_to_the_end(stub_env: dict[str, str], tmp_path: Path) -> None:
    env = {**stub_env, "CROSSBRIEF_CACHE_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "service.cli", "brief", *SEEDS]
    run = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    rows = [parse(x) for x in run.stderr.splitlines()]
    assert rows[0]["event"] == "start" and float(rows[0]["t"]) < 0.5
    started = [r["stage"] for r in rows if r["event"] == "stage" and r["state"] == "started"]
    for stage in ("startup", "model", "ingest", "segment", "align", "signals", "llm_tasks", "summary"):
        assert stage in started
    calls = [r for r in rows if r["event"] == "tokens"]
    assert calls and rows[-1]["event"] == "done" and rows[-1]["calls"] == str(len(calls))
    assert run.stdout.startswith("# ") and "## Coverage balance" in run.stdout
    quiet = subprocess.run([*cmd, "--quiet"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout.startswith("# ")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_real_terminal_sees_the_live_display_within_a_second(stub_env: dict[str, str], tmp_path: Path) -> None:
    session = f"cbprogress{os.getpid()}"
    env = {**stub_env, "CROSSBRIEF_CACHE_DIR": str(tmp_path)}
    out = tmp_path / "brief.md"
    exports = " ".join(f"{k}={v}" for k, v in env.items() if k.startswith("CROSSBRIEF_"))
    command = f"cd {REPO_ROOT} && env {exports} {sys.executable} -m service.cli brief {' '.join(SEEDS)} -o {out}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "20", command + "; sleep 30"],
                   check=True, env=env)
    try:
        time.sleep(1.0)
        first = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
        assert "brief of 5 articles" in first, first  # the display is up within a second of the start
        seen, deadline = {first}, time.monotonic() + 120
        while not out.exists() or "done in" not in "".join(seen):
            assert time.monotonic() < deadline, "\n---\n".join(seen)
            time.sleep(0.2)
            seen.add(subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True,
                                    text=True).stdout)
        screens = "\n".join(seen)
        import re

        assert re.search(r"brief of 5 articles done in .* · [1-9]\d* model calls? · [1-9][\d,]* tokens in", screens)
        assert any(f"· {label}" in screens for label in STAGE_LABELS.values())  # the stage it is in
        assert "crossbrief: brief of 5 articles done in" in screens  # and says when it has finished
        assert "## Coverage balance" in out.read_text()
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
