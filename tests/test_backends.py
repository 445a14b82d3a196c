"""The backend registry (service.llm.backends): every place that offers or treats backends differently reads it,
no backend name is spelled outside it, and a new backend is one module (the ollama preset, tried against a stub
Ollama that speaks the OpenAI chat API)."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import openai
import pytest
from click import Choice

from evals.cli import eval_group
from evals.llms import model_identity
from service.cli import main
from service.config import MODEL_PRICES, REPO_ROOT, Settings
from service.errors import ModelNotReady, UpstreamError
from service.llm import LLMProvider, backends
from service.llm.backends import Backend, Built
from service.llm.upstream import upstream_error
from service.observability import estimate_cost
from service.pipeline.summary import HeadlineSummary
from service.schemas import BriefOptions
from tests.stub_server import StubServer

BACKENDS_DIR = REPO_ROOT / "service" / "llm" / "backends"
# Strings equal to a backend name that mean something else: `eval run --workers local` (in this process).
NOT_BACKENDS = {("evals/cli.py", "local")}


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(cache_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", **values)  # type: ignore[arg-type]


def option_choices(command: typing.Any, name: str) -> tuple[str, ...]:
    option = next(p for p in command.params if p.name == name)
    assert isinstance(option.type, Choice)
    return tuple(option.type.choices)


def test_every_backend_module_registers_one_backend() -> None:
    modules = sorted(p.stem for p in BACKENDS_DIR.glob("*.py") if not p.stem.startswith("_"))
    assert modules == ["local", "ollama", "openai", "openai_compatible"]
    assert backends.names() == ("local", "ollama", "openai", "openai-compatible")
    assert backends.default_name() == "local" and Settings.model_fields["backend"].default == "local"
    with pytest.raises(ValueError, match="registered twice"):
        backends.register(backends.get("ollama"))
    with pytest.raises(ModelNotReady, match="unknown backend"):
        backends.get("nope")


def test_settings_cli_requests_evals_and_prices_derive_from_the_registry(tmp_path: Path) -> None:
    names = backends.names()
    assert typing.get_args(Settings.model_fields["backend"].annotation) == names
    assert option_choices(main.commands["brief"], "backend") == names
    assert option_choices(eval_group.commands["run"], "backend") == names
    assert typing.get_args(typing.get_args(BriefOptions.model_fields["backend"].annotation)[0]) == names
    assert MODEL_PRICES == backends.prices() and MODEL_PRICES["gpt-4o-mini"] == (0.15, 0.60)
    s = settings(tmp_path)
    assert estimate_cost(s, "smollm2-135m", 1000, 1000, backend="local") == 0.0
    assert estimate_cost(s, "gpt-4o-mini", 1_000_000, 0, backend="openai") == 0.15
    assert model_identity(s, "openai") == {"backend": "openai", "model": "gpt-4o-mini", "base_url": None}
    assert model_identity(s) == {"backend": "local", "model": "qwen2.5-coder-1.5b", "base_url": None}


def test_no_backend_name_is_spelled_outside_the_registry() -> None:
    names = set(backends.names())
    found = []
    for package in ("service", "evals", "crossbrief"):
        for path in (REPO_ROOT / package).rglob("*.py"):
            if BACKENDS_DIR in path.parents:
                continue
            where = str(path.relative_to(REPO_ROOT))
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and node.value in names and (where, node.value) not in NOT_BACKENDS:
                    found.append(f"{where}:{node.lineno}: {node.value!r}")
    assert not found, found


def test_the_pipeline_reads_quirks_from_the_registry() -> None:
    assert backends.get("local").reask_long_replies is False
    assert all(backends.get(n).reask_long_replies for n in ("ollama", "openai", "openai-compatible"))


def test_openai_errors_map_to_upstream_errors_in_one_place() -> None:
    assert isinstance(upstream_error("t", KeyError("choices"), "b"), UpstreamError)
    assert upstream_error("t", RuntimeError("a bug"), "b") is None
    timeout = upstream_error("t", openai.APITimeoutError(request=None), "b")  # type: ignore[arg-type]
    assert timeout is not None and timeout.code == "upstream_timeout" and timeout.backend == "b"


# ---------------------------------------------------------------- the ollama preset


async def test_ollama_preset_answers_through_the_openai_compatible_api(tmp_path: Path) -> None:
    with StubServer() as stub:
        provider = LLMProvider(settings(tmp_path, backend="ollama", base_url=stub.url))
        llm = provider.get()
        answer = await llm.ask("headline_summary", {"facts": "- A fact.", "conflicts": "- none"}, HeadlineSummary)
    assert (llm.backend, llm.model_name) == ("ollama", "qwen2.5-coder:1.5b")
    assert answer.call.backend == "ollama" and answer.value.headline == "stub"
    assert stub.requests[0]["model"] == "qwen2.5-coder:1.5b"
    assert stub.requests[0]["response_format"]["type"] == "json_schema"
    assert estimate_cost(provider.settings, llm.model_name, 10_000, 10_000, backend="ollama") == 0.0


def test_ollama_preset_defaults_to_the_local_ollama_server(tmp_path: Path) -> None:
    s = settings(tmp_path, backend="ollama")
    spec = backends.get("ollama")
    built = spec.build(spec, s, None)
    assert isinstance(built, Built) and str(built.chat.openai_api_base) == "http://127.0.0.1:11434/v1"  # type: ignore[attr-defined]
    assert model_identity(s) == {"backend": "ollama", "model": "qwen2.5-coder:1.5b",
                                 "base_url": "http://127.0.0.1:11434/v1"}
    compatible = backends.get("openai-compatible")
    with pytest.raises(ModelNotReady, match="needs CROSSBRIEF_BASE_URL"):
        compatible.build(compatible, s, None)
    assert isinstance(spec, Backend) and spec.description
