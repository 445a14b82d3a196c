"""Shared fixtures: seed articles, an app with a scripted model, and a real server with the test model."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.config import REPO_ROOT, Settings
from service.llm import LLM, LLMProvider
from tests.fakes import ScriptedChatModel

SEEDS = REPO_ROOT / "evals" / "datasets" / "seeds" / "articles"
SEED_OUTLETS = {
    "al-jazeera": "Al Jazeera",
    "english-outlet": "English-language outlet",
    "mondo-international": "Mondo International",
    "cnn": "CNN",
    "arabic-outlet": "Arabic-language outlet",
}


def seed_articles() -> list[dict[str, str]]:
    """The five seed articles as API request items."""
    return [
        {"id": stem, "outlet": outlet, "text": (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")}
        for stem, outlet in SEED_OUTLETS.items()
    ]


@pytest.fixture(autouse=True, scope="session")
def _private_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test writes to the user's own database: the default URL points at a temporary file."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'crossbrief.db'}"
    old = os.environ.get("CROSSBRIEF_DATABASE_URL")
    os.environ["CROSSBRIEF_DATABASE_URL"] = url
    yield
    if old is None:
        os.environ.pop("CROSSBRIEF_DATABASE_URL", None)
    else:
        os.environ["CROSSBRIEF_DATABASE_URL"] = old


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        cache_dir=tmp_path / "cache", backend="local", model=None, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}"
    )


def scripted_provider(settings: Settings, script: list) -> tuple[LLMProvider, ScriptedChatModel]:
    """A provider whose default LLM is a scripted model (unit tests of control flow only)."""
    model = ScriptedChatModel.from_script(script)
    provider = LLMProvider(settings)
    provider.add(LLM(model, backend="local", model_name="scripted", prompts_dir=settings.prompts_dir))
    return provider, model


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`crossbrief serve` in its own process with the real 135M model on llama.cpp; yields its base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {
        **os.environ,
        "CROSSBRIEF_MODEL": "smollm2-135m",
        "CROSSBRIEF_BACKEND": "local",
        "CROSSBRIEF_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
        "CROSSBRIEF_LOCAL_CTX_PER_SLOT": "8192",
        "CROSSBRIEF_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('serverdb') / 'crossbrief.db'}",
    }
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited early:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server not ready in 90 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
