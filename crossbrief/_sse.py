"""A small Server-Sent Events parser (the WHATWG event-stream format) over lines of text.

Fields are ``event``, ``data`` (several lines join with ``\\n``), ``id`` and ``retry``; a line starting with
``:`` is a comment (keep-alive ping); a blank line ends an event. An event with no data is not dispatched.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ServerSentEvent:
    """One event of the stream."""

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None

    def json(self) -> dict[str, Any]:
        """The data as a JSON object; data that is not a JSON object comes back as ``{"data": <value>}``."""
        try:
            value = json.loads(self.data) if self.data else {}
        except ValueError:
            return {"data": self.data}
        return value if isinstance(value, dict) else {"data": value}


class SSEDecoder:
    """Feed it lines (without their line ending); it returns an event when a blank line completes one."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None
        self.last_event_id: str | None = None

    def feed(self, line: str) -> ServerSentEvent | None:
        line = line.rstrip("\r\n")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry":
            if value.isdigit():
                self._retry = int(value)
        return None

    def flush(self) -> ServerSentEvent | None:
        """The event left when the stream ends without a final blank line (lenient: the spec drops it)."""
        return self._dispatch()

    def feed_chunk(self, chunk: str) -> list[ServerSentEvent]:
        """The events that a chunk of text (one line, or several) completes, in order."""
        return [sse for line in _split(chunk) if (sse := self.feed(line)) is not None]

    def end(self) -> list[ServerSentEvent]:
        """The event left at the end of the stream (:meth:`flush`), as a list of none or one."""
        last = self.flush()
        return [] if last is None else [last]

    def _dispatch(self) -> ServerSentEvent | None:
        if self._id is not None:
            self.last_event_id = self._id
        if not self._data:
            self._event, self._id, self._retry = "", None, None
            return None
        sse = ServerSentEvent(self._event or "message", "\n".join(self._data), self.last_event_id, self._retry)
        self._event, self._data, self._id, self._retry = "", [], None, None
        return sse


def _split(chunk: str) -> list[str]:
    # httpx splits on \n, \r\n and \r already; a caller may hand us a multi-line string.
    return chunk.splitlines() or [""]


def iter_sse(lines: Iterable[str]) -> Iterator[ServerSentEvent]:
    """Events from an iterable of lines (e.g. ``httpx.Response.iter_lines()``)."""
    decoder = SSEDecoder()
    for chunk in lines:
        yield from decoder.feed_chunk(chunk)
    yield from decoder.end()


async def aiter_sse(lines: AsyncIterable[str]) -> AsyncIterator[ServerSentEvent]:
    """Events from an async iterable of lines (e.g. ``httpx.Response.aiter_lines()``)."""
    decoder = SSEDecoder()
    async for chunk in lines:
        for sse in decoder.feed_chunk(chunk):
            yield sse
    for sse in decoder.end():
        yield sse
