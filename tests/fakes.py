"""A scripted chat model for unit tests of control flow. It raises when its script runs out and keeps
the history of what it was asked."""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_openai import ChatOpenAI
from pydantic import PrivateAttr


class ScriptRanOut(AssertionError):
    """The code under test asked the model more often than the test scripted."""


class ScriptedChatModel(ChatOpenAI):
    """Answers from a script: each item is a reply (str or dict → JSON, or an AIMessage), an exception to
    raise, or a function of the messages that returns one of those."""

    _script: list[Any] = PrivateAttr(default_factory=list)
    _history: list[list[BaseMessage]] = PrivateAttr(default_factory=list)

    @classmethod
    def from_script(cls, script: list[Any]) -> ScriptedChatModel:
        model = cls(api_key="scripted", model="scripted", base_url="http://127.0.0.1:9/v1", max_retries=0)  # type: ignore[arg-type]
        model._script = list(script)
        return model

    @property
    def history(self) -> list[list[BaseMessage]]:
        """Every message list the model was sent, in order."""
        return self._history

    @property
    def remaining(self) -> int:
        return len(self._script)

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> ScriptedChatModel:
        # Copies share the script and history, as the real client shares its connection.
        copy = super().model_copy(update=update, deep=False)
        copy._script = self._script
        copy._history = self._history
        return copy

    def _next(self, messages: list[BaseMessage]) -> ChatResult:
        self._history.append(list(messages))
        if not self._script:
            raise ScriptRanOut(f"scripted model ran out of replies after {len(self._history) - 1} calls")
        item = self._script.pop(0)
        if callable(item) and not isinstance(item, type):
            item = item(messages)
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, AIMessage):
            return ChatResult(generations=[ChatGeneration(message=item)])
        content = item if isinstance(item, str) else json.dumps(item)
        msg = AIMessage(
            content=content,
            usage_metadata={"input_tokens": 10, "output_tokens": 5, "total_tokens": 15},
            response_metadata={"finish_reason": "stop"},
        )
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _route(self, messages: list[BaseMessage]) -> ChatResult:
        return self._next(messages)

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        return self._next(messages)

    async def _agenerate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        return self._next(messages)


class RoutedScriptedChatModel(ScriptedChatModel):
    """One script per task, chosen by a marker found in the system prompt (for pipelines that run several
    tasks concurrently, where the order of calls across tasks is not fixed)."""

    _routes: dict[str, list[Any]] = PrivateAttr(default_factory=dict)

    @classmethod
    def from_routes(cls, routes: dict[str, list[Any]]) -> RoutedScriptedChatModel:
        model = cls.from_script([])
        model._routes = {k: list(v) for k, v in routes.items()}
        return model  # type: ignore[return-value]

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> RoutedScriptedChatModel:
        copy = super().model_copy(update=update, deep=deep)
        copy._routes = self._routes  # type: ignore[attr-defined]
        return copy  # type: ignore[return-value]

    def _next(self, messages: list[BaseMessage]) -> ChatResult:
        system = str(messages[0].content)
        for marker, script in self._routes.items():
            if marker in system:
                self._script = script
                return super()._next(messages)
        raise ScriptRanOut(f"no scripted route for a prompt starting {system[:80]!r}")


def statements_reply(statement: str) -> Any:
    """A reply to ``fact_statements/v2``: ``statement`` for every group id the prompt shows."""

    def reply(messages: list[BaseMessage]) -> str:
        ids = re.findall(r'<group id="(g\d+)">', str(messages[1].content))
        return json.dumps({gid: statement for gid in ids})

    return reply


def lead_reply(headline: str, sentences: list[str]) -> Any:
    """A reply to ``brief_lead``: the headline, and ``sentences`` in order for the fact ids the prompt asks
    for (ids past the list get an empty sentence, which the pipeline skips)."""

    def reply(messages: list[BaseMessage]) -> str:
        ids = re.findall(r"\bf\d+\b", str(messages[1].content).rsplit("one sentence for each of:", 1)[-1])
        padded = [*sentences, *[""] * len(ids)][: len(ids)]
        return json.dumps({"headline": headline, **dict(zip(ids, padded, strict=True))})

    return reply


def staged_routes(statement: str, lead: Any, *, n: int = 10, supported: bool = True) -> RoutedScriptedChatModel:
    """Routes for the staged pipeline's tasks: the injection screen's checks (``<before>``) and meaning checks
    (``<sources>``), first: their prompts also name ``<sentence>``; statements, party stances and the
    headline/summary, ``n`` replies each. The screen's checks find no instruction."""
    return RoutedScriptedChatModel.from_routes(
        {
            "<before>": [{"instruction": False}] * (4 * n),
            "<sources>": [{"supported": supported}] * (4 * n),
            "<group>": [statements_reply(statement)] * n,
            "<sentence>": [{"sentences": [], "stance": ""}] * n,
            "<facts>": [lead] * n,
        }
    )
