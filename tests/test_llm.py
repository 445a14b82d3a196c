"""The LLM interface's control flow: re-ask once, then typed errors (scripted model)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage
from openai.types.chat import ChatCompletion
from pydantic import BaseModel

from service.errors import (
    ModelRefused,
    OutputTruncated,
    SchemaValidationFailed,
    UpstreamError,
    UpstreamTimeout,
)
from service.llm.base import LLM
from tests.fakes import ScriptedChatModel, ScriptRanOut


class Verdict(BaseModel):
    same_quantity: bool
    topic: str


GOOD = {"same_quantity": True, "topic": "death toll"}
PROMPTS = Path(tempfile.mkdtemp())
(PROMPTS / "compare").mkdir()
(PROMPTS / "compare" / "v1.yaml").write_text("version: v1\nsystem: Compare figures.\nuser: '{{figures}}'\n")
REQ = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


def make(script: list) -> tuple[LLM, ScriptedChatModel]:
    model = ScriptedChatModel.from_script(script)
    return LLM(model, backend="fake", model_name="fake", prompts_dir=PROMPTS), model


def truncated() -> openai.LengthFinishReasonError:
    completion = ChatCompletion.model_validate(
        {
            "id": "cmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "fake",
            "choices": [
                {"index": 0, "finish_reason": "length", "message": {"role": "assistant", "content": '{"same'}}
            ],
            "usage": {"prompt_tokens": 50, "completion_tokens": 60, "total_tokens": 110},
        }
    )
    return openai.LengthFinishReasonError(completion=completion)


async def ask(llm: LLM, **kw):
    return await llm.ask("compare", {"figures": "<figure>x</figure>"}, Verdict, **kw)


async def test_valid_reply_first_time() -> None:
    llm, model = make([GOOD])
    answer = await ask(llm)
    assert answer.value == Verdict(**GOOD)
    assert answer.call.attempts == 1
    assert answer.call.prompt_version == "compare/v1"
    assert answer.call.tokens_in == 10 and answer.call.tokens_out == 5
    assert "<figure>x</figure>" in str(model.history[0][-1].content)


async def test_invalid_json_gets_one_reask_with_the_error() -> None:
    llm, model = make(["this is not json", GOOD])
    answer = await ask(llm)
    assert answer.call.attempts == 2
    reask = str(model.history[1][-1].content)
    assert "not valid JSON" in reask
    assert model.history[1][-2].content == "this is not json"  # the bad output is sent back
    assert answer.call.tokens_in == 20


async def test_schema_violation_twice_raises_typed_error_with_last_output() -> None:
    llm, model = make([{"topic": "x"}, {"same_quantity": "maybe", "topic": 3}])
    with pytest.raises(SchemaValidationFailed) as info:
        await ask(llm)
    assert info.value.attempts == 2
    assert '"same_quantity": "maybe"' in info.value.last_output
    assert info.value.status_code == 502
    assert model.remaining == 0


async def test_truncated_then_ok() -> None:
    llm, _ = make([truncated(), GOOD])
    answer = await ask(llm, max_tokens=60)
    assert answer.call.attempts == 2
    assert answer.call.tokens_out == 60 + 5


async def test_truncated_twice_raises_output_truncated() -> None:
    llm, model = make([truncated(), truncated()])
    with pytest.raises(OutputTruncated) as info:
        await ask(llm, max_tokens=60)
    assert info.value.upstream_request_id == "cmpl-1"
    assert info.value.call.tokens_out == 120 and info.value.call.attempts == 2  # spent tokens are recorded
    assert "cut off" in str(model.history[1][-1].content)


async def test_check_objection_is_sent_back_and_kept_when_it_persists() -> None:
    llm, model = make([GOOD, GOOD])
    answer = await ask(llm, check=lambda v: "topic must name a place")
    assert answer.problem == "topic must name a place"
    assert "topic must name a place" in str(model.history[1][-1].content)


async def test_refusal_is_typed() -> None:
    refusal = AIMessage(content="", additional_kwargs={"refusal": "I can't help with that"})
    llm, _ = make([refusal])
    with pytest.raises(ModelRefused):
        await ask(llm)


async def test_timeout_maps_to_504() -> None:
    llm, _ = make([openai.APITimeoutError(request=REQ)])
    with pytest.raises(UpstreamTimeout) as info:
        await ask(llm)
    assert info.value.status_code == 504


async def test_status_error_keeps_upstream_status_and_request_id() -> None:
    response = httpx.Response(503, request=REQ, headers={"x-request-id": "up-123"}, json={"error": "busy"})
    llm, _ = make([openai.APIStatusError("busy", response=response, body=None)])
    with pytest.raises(UpstreamError) as info:
        await ask(llm)
    assert info.value.upstream_status == 503
    assert info.value.upstream_request_id == "up-123"


async def test_scripted_model_raises_when_script_runs_out() -> None:
    llm, _ = make([])
    with pytest.raises(ScriptRanOut):
        await ask(llm)
