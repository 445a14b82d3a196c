"""The model an eval run uses, started only when a call misses the cache (a fully cached re-run loads no
model), and its identity for cache keys and run records."""

from __future__ import annotations

import asyncio
from typing import Any

from service.config import Backend, Settings
from service.digest import prompt_digest
from service.llm import LLM, LLMProvider, backends


def model_identity(settings: Settings, backend: Backend | None = None, model: str | None = None) -> dict[str, Any]:
    """Backend, model name (the backend's default when none is given) and, for a backend that talks to a server
    at a base URL (``uses_base_url`` in its registry entry), that URL."""
    spec = backends.get(backend or settings.backend)
    m = model if (backend or model) else settings.model
    return {"backend": spec.name, "model": m or spec.default_model, "base_url": spec.server_url(settings)}


class LazyLLM:
    """An LLM from a provider, built on first ``get`` (off the event loop)."""

    def __init__(self, provider: LLMProvider, backend: Backend | None = None, model: str | None = None) -> None:
        self.provider = provider
        self.backend = backend
        self.model = model
        self.identity = model_identity(provider.settings, backend, model)
        self._llm: LLM | None = None
        self._lock = asyncio.Lock()

    @property
    def started(self) -> bool:
        """Whether a model call has been needed (the model is loaded)."""
        return self._llm is not None

    async def get(self) -> LLM:
        """The LLM, loading it on first use."""
        async with self._lock:
            if self._llm is None:
                self._llm = await asyncio.to_thread(self.provider.get, self.backend, self.model)
            return self._llm

    def prompt_digest(self, task: str, version: str = "v1") -> str:
        """SHA-256 of a prompt file (a changed prompt misses the cache)."""
        return prompt_digest(self.provider.settings.prompts_dir, task, version)
