"""The stub OpenAI-compatible server (zero-latency backend of the overhead benchmark, failing model of the
fault tests) through crossbrief's real LLM interface: each injected fault becomes the typed error it
should, and an `ok` reply fits the requested schema."""

from __future__ import annotations

import pytest
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from service.config import REPO_ROOT
from service.errors import ModelRefused, OutputTruncated, SchemaValidationFailed, UpstreamError
from service.llm import LLM
from service.pipeline.summary import HeadlineSummary
from tests.stub_server import StubServer, instance


def llm_for(stub: StubServer) -> LLM:
    chat = ChatOpenAI(model="stub", base_url=stub.url, api_key="unused", max_retries=0, timeout=10)  # type: ignore[arg-type]
    return LLM(chat, backend="openai-compatible", model_name="stub", prompts_dir=REPO_ROOT / "prompts")


VARS = {"facts": "- The mayor resigned.", "conflicts": "- none"}


class Nested(BaseModel):
    names: list[str]
    score: float | None
    inner: HeadlineSummary


def test_instance_fits_the_schema() -> None:
    Nested.model_validate(instance(Nested.model_json_schema()))


async def test_ok_reply_is_schema_valid_and_counted() -> None:
    with StubServer() as stub:
        answer = await llm_for(stub).ask("headline_summary", VARS, HeadlineSummary, attempts=1)
    assert answer.value.headline == "stub" and answer.call.tokens_in > 0
    assert stub.requests[0]["response_format"]["type"] == "json_schema"


@pytest.mark.parametrize(
    ("fault", "error", "code"),
    [
        ("429:7", UpstreamError, "upstream_error"),
        ("500", UpstreamError, "upstream_error"),
        ("503", UpstreamError, "upstream_error"),
        ("drop", UpstreamError, "upstream_error"),
        ("refusal", ModelRefused, "model_refused"),
        ("length", OutputTruncated, "output_truncated"),
        ("invalid_json", SchemaValidationFailed, "schema_validation_failed"),
        ("schema_break", SchemaValidationFailed, "schema_validation_failed"),
    ],
)
async def test_each_fault_becomes_a_typed_error(fault: str, error: type[Exception], code: str) -> None:
    with StubServer(script=[fault, fault]) as stub:
        with pytest.raises(error) as caught:
            await llm_for(stub).ask("headline_summary", VARS, HeadlineSummary)
    assert caught.value.code == code  # type: ignore[attr-defined]
    if fault == "429:7":
        assert caught.value.upstream_status == 429  # type: ignore[attr-defined]


async def test_invalid_reply_is_reasked_with_the_error_then_accepted() -> None:
    with StubServer(script=["invalid_json", "ok"]) as stub:
        answer = await llm_for(stub).ask("headline_summary", VARS, HeadlineSummary)
    assert answer.call.attempts == 2
    assert "could not be used" in str(stub.requests[1]["messages"][-1]["content"])
