"""Settings, read once from the environment (prefix ``CROSSBRIEF_``) and an optional ``.env`` file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.llm import backends

REPO_ROOT = Path(__file__).resolve().parents[1]

# A registered backend's name (service.llm.backends): settings, CLI options and request options accept these.
if TYPE_CHECKING:
    Backend = str
else:
    Backend = Literal[backends.names()]
Strategy = Literal["staged", "single"]

# Every backend's price table (USD per 1M input, output tokens), the default of ``model_prices``.
MODEL_PRICES: dict[str, tuple[float, float]] = backends.prices()


class Settings(BaseSettings):
    """Every setting crossbrief reads. Environment variable = ``CROSSBRIEF_`` + the upper-case name."""

    model_config = SettingsConfigDict(
        env_prefix="CROSSBRIEF_", env_file=".env", extra="ignore", populate_by_name=True
    )

    backend: Backend = Field(backends.default_name(), description="Which LLM backend answers structured prompts.")
    model: str | None = Field(
        None,
        description=(
            "Model to use: for the embedded backend an alias or a path to any GGUF file; for a remote one the "
            "model name its server knows (each backend's default when unset)."
        ),
    )
    base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server (…/v1); a preset has its own default."
    )
    api_key: SecretStr | None = Field(None, description="API key for an OpenAI-compatible server and its presets.")
    openai_api_key: SecretStr | None = Field(
        default_factory=lambda: (
            SecretStr(os.environ["OPENAI_API_KEY"]) if os.environ.get("OPENAI_API_KEY") else None
        ),
        description="API key for OpenAI's own API (falls back to OPENAI_API_KEY).",
    )
    request_timeout_s: float = Field(
        180.0, gt=0, description="Seconds one remote model call may take (then 504); local calls are bounded by tokens."
    )
    max_retries: int = Field(2, ge=0, le=5, description="SDK retries for 408/409/429/5xx (remote backends).")

    cache_dir: Path = Field(
        Path.home() / ".cache" / "crossbrief", description="Where the joined model lives."
    )
    local_threads: int = Field(max(1, os.cpu_count() or 1), ge=1, description="CPU threads for llama.cpp.")
    local_poll: int = Field(0, ge=0, le=100, description="llama.cpp thread polling level (0 = sleep, robust).")
    local_parallel: int = Field(2, ge=1, le=16, description="Parallel llama.cpp slots (concurrent calls).")
    local_ctx_per_slot: int = Field(8192, ge=512, description="Context tokens per llama.cpp slot.")
    llm_concurrency: int = Field(2, ge=1, le=64, description="Model calls one brief may run at once.")

    strategy: Strategy = Field("staged", description="Default brief strategy.")
    staged_rewrites: int = Field(
        2, ge=0, le=24, description="Fact groups per brief the model may rewrite (staged; the rest are verbatim)."
    )
    staged_positions: Literal["code", "model"] = Field(
        "code", description="Party stances: a verbatim stance sentence (code) or one model call per party."
    )
    screen_by: Literal["code", "model"] = Field(
        "code",
        description="Second layer of the injection screen: code's reading of a sentence's structure alone, or "
        "also the model's yes/no on the remaining suspects (measured on the 1.5B default: 1 more planted line "
        "caught for 22 more false alarms on the dev half, so off by default; see README, Prompt injection).",
    )
    max_articles: int = Field(50, ge=2, description="Most articles one request may carry.")
    max_article_chars: int = Field(200_000, ge=100, description="Most characters per article.")
    allow_overrides: bool = Field(
        False, description="Let a request choose backend/model in its options (off: only the server's own)."
    )
    prompts_dir: Path = Field(REPO_ROOT / "prompts", description="Folder of versioned prompt files.")

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path.home() / '.local' / 'share' / 'crossbrief' / 'crossbrief.db'}",
        validation_alias=AliasChoices("CROSSBRIEF_DATABASE_URL", "DATABASE_URL"),
        description="Where jobs, briefs, eval runs and API keys are kept: a SQLite file, or postgresql://… .",
    )
    job_workers: int = Field(1, ge=1, le=64, description="Briefs one process works on at once (in-process queue).")
    job_max_attempts: int = Field(
        2, ge=1, le=10, description="Starts a job gets; one interrupted more often (restarts) is marked failed."
    )

    # Scale-out (README: "Scaling out"): with a Redis URL, jobs go through a Redis queue to `crossbrief worker`s.
    redis_url: str | None = Field(
        None,
        validation_alias=AliasChoices("CROSSBRIEF_REDIS_URL", "REDIS_URL"),
        description="redis://host:6379/0 — jobs go through a Redis queue (arq) run by `crossbrief worker`; "
        "unset: the in-process queue.",
    )
    queue_name: str = Field("crossbrief:queue", description="Name of the Redis queue (deployments can share a Redis).")
    worker_jobs: int = Field(1, ge=1, le=64, description="Jobs one `crossbrief worker` process runs at once.")
    worker_lease_s: float = Field(
        30.0, ge=2, description="A job whose worker stops renewing its lease this long is picked up by another worker."
    )
    job_timeout_s: float = Field(1800.0, ge=1, description="Longest a queued job may run on a worker.")
    worker_metrics_port: int | None = Field(
        None, ge=1, le=65535,
        description="Port on which `crossbrief worker` serves Prometheus /metrics (bound to `host`); unset: none.",
    )

    host: str = Field("127.0.0.1", description="Address `crossbrief serve` binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port `crossbrief serve` binds.")

    # Access, limits and monitoring (README: "Access, limits and monitoring").
    auth: Literal["auto", "on", "off"] = Field(
        "auto",
        description="API keys on /v1: on, off, or auto (off when `host` is a loopback address, on otherwise).",
    )
    metrics_require_key: bool = Field(False, description="/metrics needs an API key too (when auth is on).")
    rate_limit: str = Field(
        "120/minute", description="Default limit of POST/DELETE /v1 requests per key (per client IP when auth is off)."
    )
    rate_limit_storage: str = Field(
        "memory://", description="Where rate-limit counters live (a `limits` storage URL, e.g. redis://host:6379)."
    )
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1, description="Largest request body accepted (then 413).")
    cors_origins: list[str] = Field(
        default_factory=list, description="Browser origins allowed to call the API (CORS); empty: none."
    )
    log_format: Literal["text", "json"] = Field("text", description="Log lines as text or one JSON object each.")
    model_prices: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: dict(MODEL_PRICES),
        description="USD per 1M input and output tokens, by model name (for meta.cost_usd); unknown: no estimate.",
    )

    # Failing models (README: "Failing models"): retry cap and a fallback backend.
    max_retry_after_s: float = Field(
        30.0,
        gt=0,
        le=120,
        description="Longest Retry-After (seconds) a remote backend may ask for; longer: no retry, an error at once.",
    )
    fallback_backend: Backend | None = Field(
        None, description="Backend that answers a model call when the primary one fails (after its retries)."
    )
    fallback_model: str | None = Field(None, description="Model of the fallback backend (its default when unset).")
    fallback_base_url: str | None = Field(
        None, description="Base URL of the fallback when it talks to a server of its own (…/v1)."
    )
    fallback_api_key: SecretStr | None = Field(
        None, description="API key of the fallback's own server (OpenAI's own API reads OPENAI_API_KEY)."
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own ``Settings``)."""
    return Settings()
