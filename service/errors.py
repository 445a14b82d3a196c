"""Every error crossbrief raises on purpose. Each class names its error code; the HTTP status comes from the wire
contract's one table (:data:`crossbrief.contract.ERROR_CODES`) and is answered once, in main.py."""

from __future__ import annotations

from typing import Any

from crossbrief.contract.errors import http_status


class CrossbriefError(Exception):
    """Root of crossbrief's errors."""

    code = "internal_error"
    status_code = http_status(code)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.status_code = http_status(cls.code)

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InputError(CrossbriefError):
    """The request or file was unusable; ``details['field']`` names the part."""

    code = "invalid_input"


class PromptError(CrossbriefError):
    """A prompt file is malformed."""

    code = "prompt_error"


class MissingVariables(PromptError):
    """A prompt template was rendered without some of its variables."""

    code = "prompt_missing_variables"


class ModelFileError(CrossbriefError):
    """The model file cannot be built, found or verified."""

    code = "model_file_error"


class ModelNotReady(CrossbriefError):
    """The model has not finished loading (or failed to load)."""

    code = "model_not_ready"


class UpstreamError(CrossbriefError):
    """The model backend failed. Keeps the upstream HTTP status and request id when there is one."""

    code = "upstream_error"

    def __init__(
        self,
        message: str,
        *,
        backend: str = "",
        upstream_status: int | None = None,
        upstream_request_id: str | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message, **details)
        self.backend = backend
        self.upstream_status = upstream_status
        self.upstream_request_id = upstream_request_id
        self.call: Any = None  # the LLMCall record (tokens spent) when the model did answer


class UpstreamTimeout(UpstreamError):
    """The model call ran past its time limit."""

    code = "upstream_timeout"


class OutputTruncated(UpstreamError):
    """The model stopped at its token limit before the structured output was complete."""

    code = "output_truncated"


class ModelRefused(UpstreamError):
    """The model refused to answer."""

    code = "model_refused"


class SchemaValidationFailed(UpstreamError):
    """The model's output did not fit the schema, even after one re-ask with the validation error."""

    code = "schema_validation_failed"

    def __init__(self, message: str, *, last_output: str, attempts: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.last_output = last_output
        self.attempts = attempts


class NotFound(CrossbriefError):
    """No such job or brief."""

    code = "not_found"


class Conflict(CrossbriefError):
    """The resource is not in a state that allows this (cancel a finished job, export an unfinished one)."""

    code = "conflict"


class JobCancelled(CrossbriefError):
    """The job was cancelled before it finished."""

    code = "cancelled"


class JobTimedOut(CrossbriefError):
    """A queued job ran past ``job_timeout_s`` on its worker."""

    code = "job_timeout"


class Interrupted(CrossbriefError):
    """A job was started more than ``job_max_attempts`` times (its process or worker stopped each time)."""

    code = "interrupted"


class DatabaseInUse(CrossbriefError):
    """Another live process runs the in-process job queue on this database."""

    code = "database_in_use"
