"""LLM backends behind one interface (:class:`LLM`), owned by one :class:`LLMProvider` per process."""

from __future__ import annotations

import threading

from service.config import Backend, Settings
from service.errors import ModelNotReady
from service.llm.base import LLM, Answer
from service.llm.compatible import compatible_chat
from service.llm.local import LocalServer, start_local
from service.llm.openai_api import openai_chat

__all__ = ["LLM", "Answer", "LLMProvider"]


class LLMProvider:
    """Builds each backend once and hands out the same :class:`LLM` to every request.

    The local model is loaded once (``start``); overrides (another backend or model) are built on first
    use and kept. ``close`` stops embedded servers.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._llms: dict[tuple[str, str | None], LLM] = {}
        self._servers: list[LocalServer] = []
        self._lock = threading.Lock()
        self.error: str | None = None

    @property
    def ready(self) -> bool:
        """Whether the default model is loaded and answering."""
        return (self.settings.backend, self.settings.model) in self._llms

    def start(self) -> LLM:
        """Load the default backend and model (blocking; call off the event loop)."""
        try:
            return self.get()
        except Exception as e:
            self.error = str(e)
            raise

    def get(self, backend: Backend | None = None, model: str | None = None) -> LLM:
        """The LLM for ``backend``/``model`` (defaults from settings), built on first use."""
        key = (backend or self.settings.backend, model if backend or model else self.settings.model)
        with self._lock:
            if key not in self._llms:
                self._llms[key] = self._build(*key)
            return self._llms[key]

    def _build(self, backend: str, model: str | None) -> LLM:
        s = self.settings
        if backend == "local":
            chat, name, server = start_local(s, model)
            self._servers.append(server)
        elif backend == "openai":
            chat, name = openai_chat(s, model)
        elif backend == "openai-compatible":
            chat, name = compatible_chat(s, model)
        else:
            raise ModelNotReady(f"unknown backend {backend!r}")
        return LLM(chat, backend=backend, model_name=name, prompts_dir=s.prompts_dir)

    def add(self, llm: LLM, backend: Backend | None = None, model: str | None = None) -> None:
        """Register a ready LLM (tests and benchmarks inject scripted or pre-built ones)."""
        key = (backend or self.settings.backend, model if backend or model else self.settings.model)
        with self._lock:
            self._llms[key] = llm

    def close(self) -> None:
        """Stop every embedded server."""
        with self._lock:
            for server in self._servers:
                server.close()
            self._servers.clear()
            self._llms.clear()
