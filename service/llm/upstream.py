"""The one mapping of the OpenAI SDK's errors (under LangChain) to the service's upstream errors."""

from __future__ import annotations

import logging
from typing import Any

import openai

from service.errors import ModelRefused, UpstreamError, UpstreamTimeout
from service.llm.retry import REFUSED_HEADER

log = logging.getLogger(__name__)

# A 200 whose body is not a chat completion (a proxy's error page): the SDK and LangChain fail on it with whatever
# the malformed value provokes.
_MALFORMED = (openai.OpenAIError, AttributeError, TypeError, ValueError, KeyError, IndexError)


def upstream_error(task: str, error: BaseException, backend: str) -> UpstreamError | None:
    """The service's error for what a model call raised (``task``: the prompt's task, named in the message), or
    None for an exception that is not the backend's doing. A cut-off reply (``LengthFinishReasonError``) is the
    caller's to handle: it may re-ask."""
    if isinstance(error, openai.ContentFilterFinishReasonError):
        return ModelRefused(f"{task}: the model's content filter refused", backend=backend)
    if isinstance(error, openai.APITimeoutError):
        return UpstreamTimeout(f"{task}: model call timed out{_tries(error.request)}", backend=backend)
    if isinstance(error, openai.APIStatusError):
        return UpstreamError(
            f"{task}: model backend answered HTTP {error.status_code}{_tries(error.request)}{_refused(error)}",
            backend=backend,
            upstream_status=error.status_code,
            upstream_request_id=error.request_id,
        )
    if isinstance(error, openai.APIConnectionError):
        return UpstreamError(f"{task}: cannot reach the model backend{_tries(error.request)}", backend=backend)
    if isinstance(error, _MALFORMED):
        log.warning("%s: unusable answer from the model backend", task, exc_info=error)
        return UpstreamError(
            f"{task}: unusable answer from the model backend ({type(error).__name__})", backend=backend
        )
    return None


def _tries(request: Any) -> str:
    """' after N attempts' from the SDK's retry counter header, when it retried."""
    try:
        retries = int(request.headers.get("x-stainless-retry-count", "0"))
    except (AttributeError, ValueError):
        return ""
    return f" after {retries + 1} attempts" if retries else ""


def _refused(error: openai.APIStatusError) -> str:
    refused = error.response.headers.get(REFUSED_HEADER)
    if not refused:
        return ""
    wait, _, cap = refused.partition(" ")
    return f"; it asked to retry after {wait} s, over the {cap} s cap (CROSSBRIEF_MAX_RETRY_AFTER_S): not retried"
