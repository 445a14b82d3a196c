"""Invalid requests as clients see them: a 422 whose ``detail[].loc`` names the field (415 for a body that is
not JSON), with the request id; never a 500, never thousands of errors, never an echo of a whole article.

FastAPI's own handlers echo each bad ``input`` whole (a 5 MB article comes back in the error; a lone surrogate
or a NaN in it cannot be rendered and turns the 422 into a 500), list every error (a 2 MB array of numbers gave
a 150 MB answer) and answer a body that is not UTF-8 with an unexplained 400. These handlers replace them."""

from __future__ import annotations

import math
from typing import Any

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from service.observability import record_error

MAX_ERRORS = 20  # errors listed in one answer; the rest are counted
MAX_CHARS = 200  # characters of a bad value (or a field name) shown back


async def request_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 naming each bad field (at most ``MAX_ERRORS``), or 415 when the body was not sent as JSON."""
    errors = exc.errors()
    first = errors[0] if errors else {}
    record_error("invalid_input")
    if tuple(first.get("loc", ())) == ("body",) and isinstance(first.get("input"), bytes | bytearray):
        sent = request.headers.get("content-type") or "none"
        msg = f"the body must be JSON sent with 'Content-Type: application/json' (Content-Type was {_short(sent)!r})"
        error = {"loc": ["header", "content-type"], "msg": msg, "type": "unsupported_media_type"}
        return _detail(request, 415, [error])
    detail = [_clean(e) for e in errors[:MAX_ERRORS]]
    if len(errors) > MAX_ERRORS:
        more = f"{len(errors) - MAX_ERRORS} more errors not listed"
        detail.append({"loc": ["body"], "msg": more, "type": "too_many_errors"})
    return _detail(request, 422, detail)


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """FastAPI's answer to HTTP errors, except a body it could not decode (a 422 on ``body`` saying why) and
    a 405, whose ``Allow`` lists every method of the path (Starlette names only the first route's)."""
    if exc.status_code == 405:
        allow = ", ".join(sorted(_methods(request)))
        return JSONResponse({"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": allow})
    cause = exc.__cause__
    if exc.status_code == 400 and isinstance(cause, ValueError | RecursionError):
        if isinstance(cause, UnicodeDecodeError):
            byte = cause.object[cause.start : cause.start + 1].hex()
            msg = f"the body is not valid UTF-8 (byte 0x{byte} at offset {cause.start}); JSON must be UTF-8"
        elif isinstance(cause, RecursionError):
            msg = "the JSON body is nested too deeply"
        elif "digits" in str(cause):  # int("1" * 5000) is refused by Python's integer size limit
            msg = "the JSON body has a number with too many digits"
        else:
            msg = f"the body is not valid JSON: {_short(str(cause))}"
        return _detail(request, 422, [{"loc": ["body"], "msg": msg, "type": "json_invalid"}])
    return await http_exception_handler(request, exc)


def _methods(request: Request) -> set[str]:
    """The methods of every route whose path matches the request's."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods
    return methods


def _detail(request: Request, status: int, detail: list[dict[str, Any]]) -> JSONResponse:
    rid = getattr(request.state, "request_id", None)
    return JSONResponse({"detail": detail, "request_id": rid}, status_code=status)


def _clean(error: Any) -> dict[str, Any]:
    """One error as JSON that always renders: short, valid UTF-8, finite; containers are not echoed."""
    loc = [p if isinstance(p, int) else _short(str(p), 100) for p in error.get("loc", ())]
    etype, msg = str(error.get("type", "value_error")), _short(str(error.get("msg", "")), 500)
    ctx = error.get("ctx") or {}
    if loc == ["body"] and etype == "missing":
        msg = "the request body is empty: send a JSON object with 'articles'"
    elif loc == ["body"] and etype == "model_attributes_type":
        msg = "the request body must be a JSON object with 'articles'"
    elif etype == "value_error":  # our own validators: the message is the whole story
        msg, ctx = msg.removeprefix("Value error, "), {}
    elif etype == "json_invalid" and len(loc) > 1:
        msg = f"invalid JSON at character {loc[1]}: {_short(str(ctx.get('error', 'cannot be parsed')))}"
    out: dict[str, Any] = {"loc": loc, "msg": msg, "type": etype}
    if "input" in error and (value := _scalar(error["input"])) is not _OMIT:
        out["input"] = value
    shown = {str(k): _scalar(v if _is_plain(v) else str(v)) for k, v in ctx.items()}
    shown = {k: v for k, v in shown.items() if v is not _OMIT}
    if shown:
        out["ctx"] = shown
    return out


_OMIT = object()


def _is_plain(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bytes | bytearray | list | dict | tuple)


def _scalar(value: Any) -> Any:
    """A short, renderable copy of a scalar value; ``_OMIT`` for containers and numbers JSON cannot hold."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10**18 else _OMIT
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, bytes | bytearray):
        return _short(bytes(value[: MAX_CHARS * 4]).decode("utf-8", "replace"))
    if isinstance(value, str):
        return _short(value)
    return _OMIT


def _short(text: str, limit: int = MAX_CHARS) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis), lone surrogates replaced so it encodes."""
    cut = text if len(text) <= limit else text[:limit] + "…"
    return cut.encode("utf-8", "replace").decode("utf-8")
