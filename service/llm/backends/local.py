"""The ``local`` backend, the default: llama.cpp's server running in-process (xllamacpp) on a loopback port, with a
GGUF model file (service.llm.models: the default model joined from its PyPI parts, the 135M test model, or a path)."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from service.errors import ModelFileError
from service.llm.backends._registry import Backend, Built, register
from service.llm.models import DEFAULT_MODEL, TEST_MODEL, ModelFile, resolve_model

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

    from service.config import Settings

log = logging.getLogger(__name__)


class LocalServer:
    """One llama.cpp server for one GGUF file, with JSON-schema-constrained output. Start once, share."""

    def __init__(self, model: ModelFile, settings: Settings) -> None:
        self.model = model
        self.settings = settings
        self._server: Any = None
        self._lock = threading.Lock()
        self.base_url: str | None = None
        self.load_seconds: float | None = None

    def start(self) -> str:
        """Load the model and listen on 127.0.0.1 (idempotent); returns the OpenAI base URL."""
        with self._lock:
            if self.base_url:
                return self.base_url
            import xllamacpp

            s = self.settings
            params = xllamacpp.CommonParams()
            params.model.path = str(self.model.path)
            params.n_parallel = s.local_parallel
            params.n_ctx = s.local_ctx_per_slot * s.local_parallel
            params.cpuparams.n_threads = s.local_threads
            params.cpuparams_batch.n_threads = s.local_threads
            # Threads sleep instead of spinning between batches: with llama.cpp's default (50) one busy
            # core elsewhere made a 4 s call take 70-120 s on a 2-core machine (measured).
            params.cpuparams.poll = s.local_poll
            params.cpuparams_batch.poll = s.local_poll
            params.hostnames = ["127.0.0.1"]
            params.port = 0  # any free port
            params.verbosity = -1
            params.cache_prompt = True
            started = time.perf_counter()
            try:
                self._server = xllamacpp.Server(params)
            except Exception as e:  # the C++ side raises plain exceptions on a bad file
                raise ModelFileError(f"llama.cpp could not load {self.model.path}: {e}") from e
            self.load_seconds = round(time.perf_counter() - started, 2)
            address = str(self._server.listening_address)
            self.base_url = address.rstrip("/") + "/v1"
            log.info(
                "local model %s loaded in %.2fs at %s", self.model.name, self.load_seconds, self.base_url
            )
            return self.base_url

    def close(self) -> None:
        """Stop the server and free the model."""
        with self._lock:
            self._server = None  # the server stops when the object is destroyed
            self.base_url = None


def start_local(settings: Settings, model_spec: str | None) -> tuple[ChatOpenAI, str, LocalServer]:
    """Resolve the model file, start its server, and return a chat model bound to it."""
    from langchain_openai import ChatOpenAI

    model = resolve_model(model_spec, settings.cache_dir)
    server = LocalServer(model, settings)
    base_url = server.start()
    chat = ChatOpenAI(
        base_url=base_url,
        api_key="local",  # type: ignore[arg-type]
        model=model.name,
        temperature=0,
        # No client timeout: every local call is bounded by its max_tokens and the slot's context, and a
        # client that gives up leaves llama.cpp working on the request, so that closing the server then
        # waits forever for it (seen with xllamacpp 2026.10: ~Server joins the waiting HTTP thread).
        timeout=None,
        max_retries=0,
    )
    return chat, model.name, server


def build(backend: Backend, settings: Settings, model: str | None) -> Built:
    """The embedded server for ``model`` (an alias or a GGUF path; the default model when None), started."""
    chat, name, server = start_local(settings, model)
    return Built(chat, name, close=server.close)


BACKEND = register(
    Backend(
        name="local",
        default_model=DEFAULT_MODEL,
        build=build,
        description="llama.cpp embedded in the process, with a GGUF model file (no network, no key).",
        prices={DEFAULT_MODEL: (0.0, 0.0), TEST_MODEL: (0.0, 0.0)},
        free=True,
        reask_long_replies=False,
        default=True,
    )
)
