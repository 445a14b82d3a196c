"""The one LLM interface: ask any backend for a pydantic object through a versioned prompt file."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import openai
from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ValidationError

from crossbrief.contract.brief import LLMCall
from service.errors import ModelRefused, OutputTruncated, SchemaValidationFailed, UpstreamError
from service.llm import backends
from service.llm.retry import transient
from service.llm.schema import strict_json_schema
from service.llm.upstream import upstream_error
from service.progress import emit
from service.prompts import load_prompt

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)
Check = Callable[[Any], str | None]

REASK = (
    "Your previous reply could not be used: {error}\n"
    "Reply again with only JSON that fits the schema, following the instructions above."
)


@dataclass
class Answer(Generic[T]):
    """A validated model reply and the record of the call that produced it."""

    value: T
    call: LLMCall
    problem: str | None = None  # set when ``check`` still objected after the last attempt


@dataclass
class _Tally:
    """What one ``ask`` (all its attempts) has spent so far: tokens (each attempt's sent as a progress event) and
    seconds; ``record`` is the call's record."""

    llm: LLM
    task: str
    prompt_version: str
    tokens_in: int = 0
    tokens_out: int = 0
    started: float = field(default_factory=time.perf_counter)

    def spend(self, tokens_in: int, tokens_out: int) -> None:
        self.tokens_in, self.tokens_out = self.tokens_in + tokens_in, self.tokens_out + tokens_out
        self.llm._emit_tokens(self.task, tokens_in, tokens_out)

    def record(self, attempts: int) -> LLMCall:
        return LLMCall(
            task=self.task,
            prompt_version=self.prompt_version,
            backend=self.llm.backend,
            model=self.llm.model_name,
            tokens_in=self.tokens_in,
            tokens_out=self.tokens_out,
            seconds=round(time.perf_counter() - self.started, 3),
            attempts=attempts,
        )


class LLM:
    """A chat model that answers structured prompts. Backends differ only in the chat model they build."""

    def __init__(
        self,
        chat_model: BaseChatModel,
        *,
        backend: str,
        model_name: str,
        prompts_dir: Path,
        max_attempts: int = 2,
        fallback: Callable[[], LLM] | None = None,
    ) -> None:
        self.chat_model = chat_model
        self.backend = backend
        self.model_name = model_name
        self.prompts_dir = prompts_dir
        self.max_attempts = max_attempts
        self.fallback = fallback  # builds (once) the LLM that answers when this one is unavailable

    @property
    def reasks_long_replies(self) -> bool:
        """Whether a long reply that failed once is worth a re-ask on this backend (its registry entry's quirk;
        yes on a backend the registry does not know, such as a test's)."""
        spec = backends.find(self.backend)
        return spec.reask_long_replies if spec is not None else True

    async def ask(
        self,
        task: str,
        variables: Mapping[str, str],
        schema: type[T],
        *,
        version: str = "v1",
        max_tokens: int = 512,
        check: Check | None = None,
        attempts: int | None = None,
    ) -> Answer[T]:
        """Render ``prompts/<task>/<version>.yaml``, ask for ``schema``, validate; re-ask once on failure.

        ``check`` may return a message saying why a schema-valid value is still unusable; it is sent back
        like a validation error. ``attempts`` overrides how many tries a call gets (1: no re-ask).
        Transport failures were already retried by the SDK (see ``service.llm.retry``); when the backend is
        still unavailable and a fallback is configured, the fallback answers and the call record says so.
        Raises OutputTruncated, SchemaValidationFailed, ModelRefused, UpstreamTimeout or UpstreamError.
        """
        kw: dict[str, Any] = dict(version=version, max_tokens=max_tokens, check=check, attempts=attempts)
        try:
            return await self._ask(task, variables, schema, **kw)
        except UpstreamError as e:
            if self.fallback is None or not transient(e):
                raise
            reason = f"{self.backend} model {self.model_name} failed: {e.message.removeprefix(f'{task}: ')}"
            other = await asyncio.to_thread(self.fallback)
            log.warning("%s; asking the fallback, %s model %s", reason, other.backend, other.model_name)
            try:
                answer = await other.ask(task, variables, schema, **kw)
            except UpstreamError as fe:
                fe.message = f"{fe.message} (the fallback, after: {reason})"
                fe.args = (fe.message,)
                raise
            answer.call.fallback = reason
            return answer

    async def _ask(
        self,
        task: str,
        variables: Mapping[str, str],
        schema: type[T],
        *,
        version: str,
        max_tokens: int,
        check: Check | None,
        attempts: int | None,
    ) -> Answer[T]:
        prompt = load_prompt(self.prompts_dir, task, version)
        messages: list[tuple[str, str]] = prompt.render(**variables)
        model = self.chat_model.model_copy(update={"max_tokens": max_tokens})
        runnable = model.with_structured_output(
            strict_json_schema(schema), method="json_schema", include_raw=True, strict=True
        )
        tally = _Tally(self, task, f"{task}/{prompt.version}")
        limit = attempts or self.max_attempts
        last_output, error = "", ""
        for attempt in range(1, limit + 1):
            try:
                result = await runnable.ainvoke(messages)
            except openai.LengthFinishReasonError as e:
                last_output = self._cut_off(e, tally, max_tokens, attempt, final=attempt == limit)
                error = f"the reply was cut off at the limit of {max_tokens} tokens; answer more briefly"
                messages = [*messages, ("assistant", last_output), ("user", REASK.format(error=error))]
                continue
            except Exception as e:
                mapped = upstream_error(task, e, self.backend)
                if mapped is None:
                    raise
                raise mapped from e
            last_output, valid, error = self._read(schema, cast(dict[str, Any], result), tally)
            problem = check(valid) if (valid is not None and check is not None) else None
            if valid is not None and (problem is None or attempt == limit):
                return Answer(value=valid, call=tally.record(attempt), problem=problem)
            error = problem or error
            messages = [*messages, ("assistant", last_output), ("user", REASK.format(error=error))]
        failed = SchemaValidationFailed(
            f"{task}: model output did not fit the schema after {limit} attempts: {error[:300]}",
            last_output=last_output,
            attempts=limit,
            backend=self.backend,
        )
        failed.call = tally.record(limit)
        raise failed

    def _cut_off(
        self, e: openai.LengthFinishReasonError, tally: _Tally, max_tokens: int, attempt: int, *, final: bool
    ) -> str:
        """Count a reply cut at its token limit; its text (for the re-ask), or OutputTruncated on the last try."""
        usage = e.completion.usage
        tally.spend(*((usage.prompt_tokens, usage.completion_tokens) if usage else (0, 0)))
        if final:
            err = OutputTruncated(
                f"{tally.task}: model output truncated at {max_tokens} tokens after {attempt} attempts",
                backend=self.backend,
                upstream_request_id=getattr(e.completion, "id", None),
            )
            err.call = tally.record(attempt)
            raise err from e
        return _content_of(e.completion)

    def _read(self, schema: type[T], result: dict[str, Any], tally: _Tally) -> tuple[str, T | None, str]:
        """Count a complete reply; (its text, its value when it fits ``schema``, why it does not)."""
        raw = result["raw"]
        usage = getattr(raw, "usage_metadata", None) or {}
        tally.spend(int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0)))
        refusal = (getattr(raw, "additional_kwargs", None) or {}).get("refusal")
        if refusal:
            raise ModelRefused(f"{tally.task}: the model refused: {str(refusal)[:200]}", backend=self.backend)
        text = raw.content if isinstance(raw.content, str) else json.dumps(raw.content)
        valid, error = _validate(schema, result.get("parsed"), result.get("parsing_error"))
        return text, valid, error

    def _emit_tokens(self, task: str, tokens_in: int, tokens_out: int) -> None:
        emit("tokens", task=task, backend=self.backend, model=self.model_name, tokens_in=tokens_in,
             tokens_out=tokens_out)


def _validate(schema: type[T], parsed: Any, parsing_error: Any) -> tuple[T | None, str]:
    if parsing_error is not None or parsed is None:
        return None, f"not valid JSON: {str(parsing_error)[:300]}"
    try:
        return schema.model_validate(parsed), ""
    except ValidationError as e:
        return None, f"schema validation failed: {e.errors(include_url=False)}"[:800]


def _content_of(completion: Any) -> str:
    try:
        return str(completion.choices[0].message.content or "")
    except (AttributeError, IndexError):
        return ""
