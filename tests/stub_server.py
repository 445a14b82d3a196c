"""A real OpenAI-compatible chat server on loopback that answers at once with a schema-valid reply, or
injects a fault. It is the zero-latency backend of the service-overhead benchmark and the failing model
of the fault tests; crossbrief itself never uses it.

    python -m tests.stub_server --port 8101     # then CROSSBRIEF_BACKEND=openai-compatible
                                                #      CROSSBRIEF_BASE_URL=http://127.0.0.1:8101/v1

Faults are consumed one per chat request from a script (``StubServer(script=[...])`` or
``POST /_script`` with a JSON list); when the script is empty every request gets ``ok``:
``ok``, ``delay:SECONDS`` (then ok), ``drop`` (close the connection without answering), any HTTP error
status ``400``-``599`` (``429``, ``500``, ``503``, ``401`` ...), optionally with a Retry-After in seconds
(``429:SECONDS``; a bare ``429`` says 1 s), ``invalid_json`` (content that is not JSON), ``schema_break``
(JSON that misses required fields), ``length`` (finish_reason length), ``refusal``, ``reply:{json}`` (this
exact content), ``garbage`` (a 200 whose body is an HTML page, not a chat completion). A ``401`` quotes
the key it got back in its error message, as careless upstreams do, so tests can check that crossbrief
never passes an upstream's error text on.

Every chat request is recorded in ``received`` (arrival time on ``time.monotonic()``, headers, body)."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any

_STATUS = re.compile(r"^([45]\d\d)(?::([0-9.]+))?$")
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


@dataclass(frozen=True)
class Received:
    """One chat request as the stub saw it."""

    at: float  # time.monotonic() on arrival
    headers: dict[str, str]  # lower-case names
    body: dict[str, Any]
    fault: str  # what the stub answered with


def instance(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """A small value that fits a JSON schema (the subset strict structured output uses)."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return instance(defs[schema["$ref"].split("/")[-1]], defs)
    if "anyOf" in schema:
        return instance(schema["anyOf"][0], defs)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        return {k: instance(v, defs) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return []
    if kind == "string":
        return "stub"
    if kind in ("integer", "number"):
        return 0
    if kind == "boolean":
        return False
    return None


class StubServer:
    """The server, on an asyncio loop in a background thread (or run in the foreground with ``serve``)."""

    def __init__(self, script: list[str] | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.script: deque[str] = deque(script or [])
        self.host, self.port = host, port
        self.requests: list[dict[str, Any]] = []  # request bodies, in order
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def next_fault(self) -> str:
        with self._lock:
            return self.script.popleft() if self.script else "ok"

    # lifecycle
    def start(self) -> StubServer:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._server = self._loop.run_until_complete(asyncio.start_server(self._conn, self.host, self.port))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="stub-openai", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        loop, server = self._loop, self._server
        if loop is None or server is None:
            return

        async def shutdown() -> None:
            server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            loop.stop()

        asyncio.run_coroutine_threadsafe(shutdown(), loop)
        if self._thread is not None:
            self._thread.join(5)
        loop.close()

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def serve(self) -> None:
        server = await asyncio.start_server(self._conn, self.host, self.port)
        async with server:
            await server.serve_forever()

    # HTTP
    async def _conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines[1:] if ":" in x)}
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                if not await self._handle(method, path, body, writer, headers):
                    return
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        except asyncio.CancelledError:  # shutting down
            pass
        finally:
            writer.close()

    async def _handle(
        self, method: str, path: str, body: bytes, writer: asyncio.StreamWriter, headers: dict[str, str]
    ) -> bool:
        if method == "POST" and path.endswith("/_script"):
            with self._lock:
                self.script.extend(json.loads(body or b"[]"))
            return self._send(writer, 200, {"queued": len(self.script)})
        if method == "GET" and path.endswith("/models"):
            return self._send(writer, 200, {"object": "list", "data": [{"id": "stub", "object": "model"}]})
        if not (method == "POST" and path.endswith("/chat/completions")):
            return self._send(writer, 404, {"error": {"message": f"no route {method} {path}"}})
        request = json.loads(body or b"{}")
        fault = self.next_fault()
        with self._lock:
            self.requests.append(request)
            self.received.append(Received(time.monotonic(), headers, request, fault))
        if fault.startswith("delay:"):
            await asyncio.sleep(float(fault.split(":", 1)[1]))
            fault = "ok"
        if fault == "drop":
            return False
        if fault == "garbage":  # a 200 that is not a chat completion (a proxy's error page)
            page = b"<html><body>upstream proxy error</body></html>"
            head = f"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {len(page)}\r\n\r\n"
            writer.write(head.encode() + page)
            return True
        status = _STATUS.match(fault)
        if status:
            code, after = int(status.group(1)), status.group(2) or ("1" if fault == "429" else None)
            message = f"stub fault {code}"
            if code == 401:  # a careless upstream that quotes the key back
                message = f"Incorrect API key provided: {headers.get('authorization', '').removeprefix('Bearer ')}"
            err = {"error": {"message": message, "type": "rate_limit_error" if code == 429 else "server_error"}}
            return self._send(writer, code, err, {"retry-after": after} if after else None)
        return self._send(writer, 200, self._completion(request, fault))

    def _completion(self, request: dict[str, Any], fault: str) -> dict[str, Any]:
        fmt = (request.get("response_format") or {}).get("json_schema") or {}
        schema = fmt.get("schema") or {"type": "object", "properties": {}}
        message: dict[str, Any] = {"role": "assistant", "content": json.dumps(instance(schema)), "refusal": None}
        finish = "stop"
        if fault == "invalid_json":
            message["content"] = "this is not json {"
        elif fault == "schema_break":
            message["content"] = json.dumps({"unexpected": True})
        elif fault == "length":
            message["content"], finish = message["content"][: max(1, len(message["content"]) // 2)], "length"
        elif fault == "refusal":
            message["content"], message["refusal"] = None, "I can't help with that."
        elif fault.startswith("reply:"):
            message["content"] = fault.split(":", 1)[1]
        prompt_tokens = sum(len(str(m.get("content", ""))) for m in request.get("messages", [])) // 4
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "stub"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": len(message["content"] or "") // 4,
                "total_tokens": prompt_tokens + len(message["content"] or "") // 4,
            },
        }

    @staticmethod
    def _send(writer: asyncio.StreamWriter, status: int, payload: Any, extra: dict[str, str] | None = None) -> bool:
        body = json.dumps(payload).encode()
        reason = _REASONS.get(status, "Error")
        head = [f"HTTP/1.1 {status} {reason}", "content-type: application/json", f"content-length: {len(body)}"]
        head += [f"x-request-id: stub-{uuid.uuid4().hex[:8]}"] + [f"{k}: {v}" for k, v in (extra or {}).items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    args = parser.parse_args()
    asyncio.run(StubServer(host=args.host, port=args.port).serve())


if __name__ == "__main__":
    main()
