"""Processes for the black-box benchmarks and tests: `crossbrief serve` and the zero-latency stub model
server (tests/stub_server.py) on free loopback ports, readiness, SIGKILL, and resident memory.

Scripts in bench/ import it as ``_harness`` (their folder is on sys.path); tests as ``bench._harness``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``python ARGS…`` from the repository root, stdout and stderr appended to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, *args], cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(
    url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60.0, path: str = "/readyz"
) -> None:
    """Wait until ``url + path`` answers 200; RuntimeError (with the log's tail) if the process exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url + path, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, MiB."""
    proc = psutil.Process(pid)
    procs = [proc, *proc.children(recursive=True)]
    return sum(p.memory_info().rss for p in procs) / 2**20


def stop(proc: subprocess.Popen[bytes] | None, timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited in ``timeout`` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)


class Stub:
    """The zero-latency OpenAI-compatible server in its own process; ``script`` queues faults (``delay:30``)."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> Stub:
        self.proc = spawn(["-m", "tests.stub_server", "--port", str(self.port)], dict(os.environ), self.log)
        wait_ready(self.url, self.proc, self.log, timeout=30, path="/models")
        return self

    def script(self, faults: list[str]) -> None:
        httpx.post(f"{self.url}/_script", json=faults, timeout=5).raise_for_status()

    def stop(self) -> None:
        stop(self.proc)

    def __enter__(self) -> Stub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stub_backend(url: str) -> dict[str, str]:
    """Settings that point crossbrief at the stub server at ``url`` (``http://127.0.0.1:PORT/v1``)."""
    return {
        "CROSSBRIEF_BACKEND": "openai-compatible",
        "CROSSBRIEF_BASE_URL": url,
        "CROSSBRIEF_API_KEY": "unused",
        "CROSSBRIEF_MODEL": "stub",
        "CROSSBRIEF_MAX_RETRIES": "0",
    }


class Server:
    """`crossbrief serve` in its own process on a free loopback port, with ``settings`` (CROSSBRIEF_*) on
    top of the environment. ``start`` again after ``kill``/``stop`` reuses the port, database and log."""

    def __init__(self, settings: dict[str, str], log: Path) -> None:
        self.settings = settings
        self.log = log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_timeout: float = 90.0) -> Server:
        env = {**os.environ, **self.settings}
        self.proc = spawn(["-m", "service.cli", "serve", "--port", str(self.port)], env, self.log)
        wait_ready(self.url, self.proc, self.log, ready_timeout)
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a power cut or the OOM killer."""
        assert self.proc is not None
        self.proc.kill()  # SIGKILL; nothing if it is already dead
        self.proc.wait(10)

    def stop(self) -> None:
        stop(self.proc)

    def rss_mb(self) -> float:
        assert self.proc is not None
        return rss_mb(self.proc.pid)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
