"""One :class:`LLMProvider` per process builds each backend's LLM once and hands it to every request."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from service.llm import backends
from service.llm.base import LLM

if TYPE_CHECKING:
    from service.config import Backend, Settings


class LLMProvider:
    """Builds each backend once and hands out the same :class:`LLM` to every request.

    The local model is loaded once (``start``); overrides (another backend or model) are built on first
    use and kept. ``close`` stops embedded servers.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._llms: dict[tuple[str, str | None], LLM] = {}
        self._closers: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._fallback: LLM | None = None
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
        fallback = self.fallback if s.fallback_backend else None
        return self._make(s, backend, model, fallback)

    def _make(self, s: Settings, backend: str, model: str | None, fallback: Callable[[], LLM] | None) -> LLM:
        spec = backends.get(backend)
        built = spec.build(spec, s, model)
        if built.close is not None:
            self._closers.append(built.close)
        return LLM(built.chat, backend=spec.name, model_name=built.model, prompts_dir=s.prompts_dir, fallback=fallback)

    def fallback(self) -> LLM:
        """The fallback backend's LLM (``CROSSBRIEF_FALLBACK_*``), built on first use (a local one loads
        its model then); it has no fallback of its own."""
        s = self.settings
        assert s.fallback_backend is not None
        with self._lock:
            if self._fallback is None:
                own = s.model_copy(update={"base_url": s.fallback_base_url, "api_key": s.fallback_api_key})
                self._fallback = self._make(own, s.fallback_backend, s.fallback_model, None)
            return self._fallback

    def add(self, llm: LLM, backend: Backend | None = None, model: str | None = None) -> None:
        """Register a ready LLM (tests and benchmarks inject scripted or pre-built ones)."""
        key = (backend or self.settings.backend, model if backend or model else self.settings.model)
        with self._lock:
            self._llms[key] = llm

    def close(self) -> None:
        """Stop every embedded server."""
        with self._lock:
            for close in self._closers:
                close()
            self._closers.clear()
            self._llms.clear()
            self._fallback = None
