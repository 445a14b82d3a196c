"""Bad input over real HTTP: a `crossbrief serve` process with the zero-latency stub model server as its
backend gets what a newsroom tool sends wrong. Every case ends in a clear 4xx whose body names the field
(`detail[].loc`, or `error.code` for a resource that does not exist), or in a correct brief; never a 500, and
a 100 MB upload is refused while it streams, without the server's memory growing.

Decisions for the questionable cases (what a production user would expect):
- Not JSON (text/plain, form-encoded as `curl -d` sends, multipart, no Content-Type): 415 naming the
  `content-type` header. A missing Content-Type is not read as JSON: browsers may send such a POST across
  origins without a preflight, and auth is off on loopback.
- Invalid UTF-8, a declared non-UTF-8 charset, nesting too deep, a 5,000-digit number: 422 on `body` (JSON
  is UTF-8; FastAPI alone answered an unexplained 400). A UTF-8 byte-order mark is tolerated (brief).
- Unknown fields: 422 naming each field (`extra="forbid"`), so a typo such as `txt` or a field the API does
  not have (`author`) is never silently dropped; thousands of unknown fields are one error, not thousands.
- Publication dates: up to 2 days after today are accepted (time zones, next-day print editions,
  embargoed copy); later ones are a typo (2062 for 2026) and would misdate the timeline, which resolves
  "3 March" with the article's year: 422 naming `published`. A full ISO timestamp, as CMS exports send,
  counts as its date. An RSS-style date (RFC 2822) is refused with the field named.
- NUL, other control and zero-width characters inside otherwise good text, outlet or title: removed,
  brief written (they are artefacts of copy and paste); text made only of them, or with no words at all, or
  that is binary data decoded as text: 422 naming the text.
- Right-to-left text (with bidi override characters), different languages, identical articles, emoji,
  Windows line ends, HTML with scripts, a `javascript:` URL: legitimate; a schema-valid brief whose quotes
  are verbatim slices of the articles as read, with no script, no bidi control and no live link.
- 51 articles: 422 naming `articles` (the server's limit is 50); over 1,000 is refused by the schema itself
  before any article is looked at.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from bench._harness import stub_backend
from service.config import REPO_ROOT
from service.schemas import Brief
from tests.conftest import free_port
from tests.procs import wait_ready
from tests.stub_server import StubServer

MB = 1 << 20
TODAY = time.strftime("%Y-%m-%d", time.gmtime())
TOMORROW = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))

ONE = (
    "The Velmora harbour bridge will close for repairs on 3 March, the city council said on Monday. "
    "Engineers found cracks in two of its 14 steel cables. About 20,000 vehicles cross the bridge each day. "
    "Mayor Ilse Brandt said the closure would last six weeks."
)
TWO = (
    "Velmora's harbour bridge is to shut on 3 March after inspectors discovered cracked cables, council "
    "officials announced. The repairs are expected to take eight weeks, according to the transport "
    "department. Around 18,000 cars use the crossing daily."
)
ARABIC = "أعلن مجلس مدينة فيلمورا يوم الاثنين أن جسر الميناء سيغلق للإصلاح في الثالث من مارس."
CHINESE = "维尔莫拉市议会周一表示，港口大桥将于3月3日关闭维修。工程师在14根钢缆中的两根发现了裂缝。"
FRENCH = "Le pont du port de Velmora fermera le 3 mars pour des réparations, a annoncé lundi le conseil municipal."
RUSSIAN = "Мост в гавани Вельморы закроется на ремонт 3 марта, сообщил в понедельник городской совет."
HEBREW = "\u202eהגשר בנמל ולמורה ייסגר לתיקונים ב-3 במרץ, כך הודיעה מועצת העיר ביום שני.\u202c"
BIDI_AND_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\x00-\x08]")


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path
    stub: StubServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`crossbrief serve` in its own process, its model the real stub OpenAI-compatible server on loopback."""
    tmp = tmp_path_factory.mktemp("bad-input")
    with StubServer() as stub:
        port = free_port()
        env = {
            **os.environ,
            **stub_backend(stub.url),
            "CROSSBRIEF_AUTH": "off",
            "CROSSBRIEF_RATE_LIMIT": "100000/minute",
            "CROSSBRIEF_DATABASE_URL": f"sqlite:///{tmp / 'crossbrief.db'}",
        }
        for name in ("CROSSBRIEF_REDIS_URL", "REDIS_URL"):  # the in-process queue: one process to measure
            env.pop(name, None)
        log = tmp / "server.log"
        command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port)]
        with log.open("wb") as out:
            proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, proc, tmp, timeout=90)
            yield Server(url, proc, log, stub)
        finally:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)
            proc.kill()  # only if it has not exited
            proc.wait()


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def two(**over: Any) -> list[dict[str, Any]]:
    """Two good articles; keyword arguments replace fields of the first."""
    return [{"outlet": "Velmora Daily", "text": ONE} | over, {"outlet": "Harbour Post", "text": TWO}]


def body(articles: Any, **extra: Any) -> dict[str, Any]:
    return {"json": {"articles": articles, **extra}}


def raw(data: bytes, content_type: str | None = "application/json") -> dict[str, Any]:
    return {"content": data, "headers": {"content-type": content_type} if content_type else {}}


GOOD_JSON = json.dumps({"articles": two()}).encode()
LATIN1_JSON = json.dumps({"articles": two(outlet="Café")}, ensure_ascii=False).encode("latin-1")

# ---------------------------------------------------------------- refused: (method, path, request, status, loc)

CT = ["header", "content-type"]


def bad(
    case_id: str, request: dict[str, Any], loc: list | None, status: int = 422, target: str = "POST /v1/briefs"
) -> Any:
    """One refused request: ``target`` is 'METHOD path'; ``loc`` the start of a ``detail[].loc`` it must name."""
    method, path = target.split(" ", 1)
    return pytest.param(method, path, request, status, loc, id=case_id)


def art0(field: str | None = None) -> list[str | int]:
    return ["body", "articles", 0] + ([field] if field else [])


BAD = [
    # the body as a whole
    bad("empty-body", raw(b""), ["body"]),
    bad("whitespace-body", raw(b"  \r\n\t "), ["body"]),
    bad("text-plain", raw(GOOD_JSON, "text/plain"), CT, 415),
    bad("no-content-type", raw(GOOD_JSON, None), CT, 415),
    bad("form-urlencoded", {"data": {"articles": "x"}}, CT, 415),
    bad("multipart", {"files": {"f": ("r.json", GOOD_JSON)}}, CT, 415),
    bad("binary-octet-stream", raw(bytes(range(256)) * 8, "application/octet-stream"), CT, 415),
    bad("invalid-json-truncated", raw(b'{"articles": ['), ["body"]),
    bad("invalid-json-single-quotes", raw(b"{'articles': []}"), ["body"]),
    bad("invalid-utf8", raw(b'{"articles": [{"outlet": "\xff\xfe", "text": "x"}]}'), ["body"]),
    bad("latin1-charset", raw(LATIN1_JSON, "application/json; charset=latin-1"), ["body"]),
    bad("json-null", raw(b"null"), ["body"]),
    bad("json-array-not-object", raw(b"[" + GOOD_JSON + b"]"), ["body"]),
    bad("json-nan", raw(b'{"articles": NaN}'), ["body", "articles"]),
    bad("nesting-100k-deep", raw(b'{"a":' * 100_000 + b"1" + b"}" * 100_000), ["body"]),
    bad("number-5000-digits", raw(b'{"articles": ' + b"7" * 5000 + b"}"), ["body"]),
    bad("binary-as-json", raw(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8), ["body"]),
    bad(
        "lone-surrogate",
        raw(b'{"articles": [{"outlet": "A\\ud800", "text": "Good words."}, {"outlet": "B"}]}'),
        art0("outlet"),
    ),
    # articles
    bad("missing-articles", {"json": {"options": {}}}, ["body", "articles"]),
    bad("no-articles", body([]), ["body", "articles"]),
    bad("one-article", body(two()[:1]), ["body", "articles"]),
    bad("51-articles", body([{"outlet": f"Outlet {i}", "text": ONE} for i in range(51)]), ["body", "articles"]),
    bad("million-item-array", raw(b'{"articles": [' + b",".join([b"1"] * 1_000_000) + b"]}"), ["body", "articles"]),
    bad("articles-not-a-list", body("many"), ["body", "articles"]),
    bad("article-is-a-string", body([ONE, TWO]), art0()),
    bad("missing-outlet", body([{"text": ONE}, two()[1]]), art0("outlet")),
    bad("empty-outlet", body(two(outlet="")), art0("outlet")),
    bad("blank-outlet", body(two(outlet=" \t\x00\u200b ")), art0("outlet")),
    bad("outlet-too-long", body(two(outlet="x" * 201)), art0("outlet")),
    bad("outlet-a-number", body(two(outlet=42)), art0("outlet")),
    bad("no-text-no-html", body([{"outlet": "A"}, two()[1]]), art0()),
    bad("text-and-html", body(two(html=f"<p>{ONE}</p>")), art0()),
    bad("empty-text", body(two(text="")), art0()),
    bad("whitespace-text", body(two(text=" \n\t\u3000 ")), art0()),
    bad("control-chars-only", body(two(text="\x00\x01\x1b[31m\x00")), art0("text")),
    bad("zero-width-only", body(two(text="\u200b\u200d\ufeff\u2060")), art0("text")),
    bad("no-words", body(two(text="12,000 -- 3.5% !!! 2026")), art0("text")),
    bad("text-nested-junk", body(two(text={"p": [1, {"q": None}]})), art0("text")),
    bad("binary-in-text", body(two(text=bytes(range(256)).decode("latin-1") * 20)), art0("text")),
    bad("article-5mb", body(two(text=(ONE + " ") * (5 * MB // (len(ONE) + 1)))), art0("text")),
    bad("html-only-script", body(two(text=None, html="<script>alert('x')</script><style>p{}</style>")), art0("html")),
    bad("duplicate-ids", body([two(id="a")[0], two()[1] | {"id": "a"}]), ["body", "articles", 1, "id"]),
    bad("id-path-traversal", body(two(id="../etc/passwd")), art0("id")),
    bad("id-too-long", body(two(id="a" * 65)), art0("id")),
    bad("title-too-long", body(two(title="T" * 1001)), art0("title")),
    bad("url-too-long", body(two(url="https://x.org/" + "a" * 2000)), art0("url")),
    bad("date-words", body(two(published="yesterday")), art0("published")),
    bad("date-impossible", body(two(published="2026-02-30")), art0("published")),
    bad("date-far-future", body(two(published="2999-01-01")), art0("published")),
    bad("date-rfc2822", body(two(published="Mon, 02 Mar 2026 10:00:00 GMT")), art0("published")),
    bad("unknown-top-field", body(two(), colour="red"), ["body", "colour"]),
    bad("unknown-article-field", body(two(author="A. Writer")), art0("author")),
    bad("50k-unknown-fields", body(two(**{f"k{i}": i for i in range(50_000)})), art0()),
    # options and query parameters
    bad("options-a-list", body(two(), options=[]), ["body", "options"]),
    bad("length-negative", body(two(), options={"length": -1}), ["body", "options", "length"]),
    bad("length-huge", body(two(), options={"length": 10**30}), ["body", "options", "length"]),
    bad("bad-strategy", body(two(), options={"strategy": "magic"}), ["body", "options", "strategy"]),
    bad("override-not-allowed", body(two(), options={"backend": "openai"}), ["body", "options", "backend"]),
    bad("unknown-option", body(two(), options={"temperature": 2}), ["body", "options", "temperature"]),
    bad("bad-async-flag", body(two()), ["query", "async"], target="POST /v1/briefs?async=maybe"),
    bad("limit-zero", {}, ["query", "limit"], target="GET /v1/briefs?limit=0"),
    bad("limit-negative", {}, ["query", "limit"], target="GET /v1/briefs?limit=-5"),
    bad("limit-not-a-number", {}, ["query", "limit"], target="GET /v1/briefs?limit=abc"),
    bad("limit-huge", {}, ["query", "limit"], target="GET /v1/briefs?limit=" + "9" * 40),
    # jobs that do not exist, and a method the route does not have
    bad("unknown-job", {}, None, 404, "GET /v1/briefs/no-such-job"),
    bad("job-id-nul", {}, None, 404, "GET /v1/briefs/%00%ff"),
    bad("job-id-5000-chars", {}, None, 404, "GET /v1/briefs/" + "a" * 5000),
    bad("cancel-unknown-job", {}, None, 404, "DELETE /v1/briefs/no-such-job"),
    bad("events-unknown-job", {}, None, 404, "GET /v1/briefs/no-such-job/events"),
    bad("articles-unknown-job", {}, None, 404, "GET /v1/briefs/no-such-job/articles"),
    bad("export-unknown-job", {}, None, 404, "GET /v1/briefs/no-such-job.md"),
    bad("wrong-method", body(two()), None, 405, "PUT /v1/briefs"),
]


@pytest.mark.parametrize(("method", "path", "request_kwargs", "status", "loc"), BAD)
def test_bad_input_is_a_clear_4xx(
    server: Server,
    client: httpx.Client,
    method: str,
    path: str,
    request_kwargs: dict[str, Any],
    status: int,
    loc: list | None,
) -> None:
    model_calls = len(server.stub.requests)
    r = client.request(method, path, **request_kwargs)
    assert r.status_code == status, r.text[:2000]
    assert len(server.stub.requests) == model_calls, "refused input never reaches the model"
    assert len(r.content) < 20_000, "an error never echoes a whole article or lists thousands of errors"
    answer = r.json()
    if loc is not None:
        locs = [d["loc"][: len(loc)] for d in answer["detail"]]
        assert loc in locs, answer
        assert all(d["msg"] and d["type"] for d in answer["detail"])
        assert answer["request_id"] == r.headers["x-request-id"]
    elif status == 404:
        assert answer["error"]["code"] == "not_found" and answer["error"]["request_id"] == r.headers["x-request-id"]


def test_errors_explain_themselves(client: httpx.Client) -> None:
    """The messages a user reads say what to fix, not just 'invalid'."""
    cases = {
        "the body must be JSON sent with 'Content-Type: application/json'": client.post(
            "/v1/briefs", content=GOOD_JSON, headers={"content-type": "application/x-www-form-urlencoded"}
        ),
        "not valid UTF-8 (byte 0xff": client.post(
            "/v1/briefs", content=b'{"articles": "\xff"}', headers={"content-type": "application/json"}
        ),
        "at most 50 articles (got 51)": client.post(
            "/v1/briefs", json={"articles": [{"outlet": f"O{i}", "text": ONE} for i in range(51)]}
        ),
        "is in the future": client.post("/v1/briefs", json={"articles": two(published="2999-01-01")}),
        "the limit is 200000": client.post("/v1/briefs", json={"articles": two(text="word " * 50_000)}),
        "50000 unknown fields (e.g. k0, k1, k2)": client.post(
            "/v1/briefs", json={"articles": two(**{f"k{i}": 1 for i in range(50_000)})}
        ),
    }
    for expected, r in cases.items():
        assert expected in " ".join(d["msg"] for d in r.json()["detail"]), r.text[:500]


def test_a_bad_request_id_is_replaced(client: httpx.Client) -> None:
    for bad in ("has space", "a" * 65, "../../etc", "ünïcode".encode("latin-1")):
        r = client.post("/v1/briefs", json={"articles": []}, headers={"X-Request-ID": bad})
        assert r.status_code == 422
        assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"]), bad
        assert r.json()["request_id"] == r.headers["x-request-id"]
    r = client.post("/v1/briefs", json={"articles": []}, headers={"X-Request-ID": "desk-42.retry_1"})
    assert r.headers["x-request-id"] == "desk-42.retry_1" == r.json()["request_id"]


# ---------------------------------------------------------------- 100 MB


def _upload(server: Server, chunked: bool) -> tuple[int, int | None, int]:
    """Send a 100 MB body 1 MB at a time on a raw socket. Returns (status, MB sent when the answer came,
    largest growth of the server's RSS in MB while sending)."""
    proc = psutil.Process(server.proc.pid)
    base = proc.memory_info().rss
    grew = 0
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % (100 * MB)
        s.sendall(b"POST /v1/briefs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + framing + b"\r\n\r\n")
        answered_at = None
        for i in range(100):
            data = (b'{"articles": [' + b" " * MB)[:MB] if i == 0 else b" " * MB
            try:
                s.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            except OSError:  # the server closed the connection after answering
                answered_at = i
                break
            grew = max(grew, proc.memory_info().rss - base)
            if select.select([s], [], [], 0)[0]:
                answered_at = i + 1
                break
        s.settimeout(10)
        head = s.recv(65536)
    return int(head.split(b" ", 2)[1]), answered_at, grew // MB


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_100mb_body_is_refused_while_it_streams(server: Server, chunked: bool) -> None:
    """413 before the client is done sending (at once by Content-Length; once the 10 MiB limit is passed
    when chunked), and the server's memory stays flat: the body is never read whole."""
    status, answered_at, grew_mb = _upload(server, chunked)
    assert status == 413
    assert answered_at is not None and answered_at < 50, "answered before the client had sent half"
    if chunked:  # no length to go by: it counted the chunks up to the 10 MiB limit
        assert answered_at >= 10, answered_at
    assert grew_mb < 40, f"server RSS grew {grew_mb} MB during a 100 MB upload"


@pytest.mark.parametrize("with_length", [False, True], ids=["chunked", "content-length"])
def test_100mb_streamed_by_a_client_gets_413(server: Server, with_length: bool) -> None:
    """What an HTTP client streaming a 100 MB file sees: the typed 413, whether or not it sends a length."""

    def chunks() -> Iterator[bytes]:
        yield b'{"articles": ['
        for _ in range(100):
            yield b" " * MB

    headers = {"content-type": "application/json"}
    if with_length:
        headers["content-length"] = str(100 * MB + 14)
    with httpx.Client(base_url=server.url, timeout=60) as c:
        r = c.post("/v1/briefs", content=chunks(), headers=headers)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large" and "10485760 bytes" in r.json()["error"]["message"]


# ---------------------------------------------------------------- legitimate: a correct brief


def _brief(client: httpx.Client, r: httpx.Response, n_articles: int) -> tuple[Brief, dict[str, str]]:
    """The answer is a schema-valid brief of all the articles whose every quote is a verbatim slice of an
    article as read; returns it with the articles' texts."""
    assert r.status_code == 200, r.text[:2000]
    brief = Brief.model_validate(r.json())
    assert len(brief.articles) == n_articles and brief.facts and brief.headline
    read = client.get(f"/v1/briefs/{r.headers['x-brief-id']}/articles").json()
    texts = {a["id"]: a["text"] for a in read}
    assert set(texts) == {a.id for a in brief.articles}
    for fact in brief.facts:
        for c in fact.citations:
            assert texts[c.article_id][c.start : c.end] == c.quote
    return brief, texts


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _no_hidden_characters(brief: Brief, texts: dict[str, str]) -> None:
    for text in _strings([brief.model_dump(mode="json"), texts]):
        assert not BIDI_AND_INVISIBLE.search(text), repr(text)


def _check_identical(brief: Brief, texts: dict[str, str]) -> None:
    assert all(f.sources == 3 and f.status == "corroborated" for f in brief.facts), brief.facts


def _check_languages(brief: Brief, texts: dict[str, str]) -> None:
    assert {a.outlet for a in brief.articles} == {"Velmora Daily", "Al Arab", "Huaxia", "Le Port", "Gavan"}
    assert "维尔莫拉" in texts["huaxia"] and "Вельморы" in texts["gavan"] and "فيلمورا" in texts["al-arab"]
    assert {c.article_id for c in brief.coverage} == set(texts)


def _check_rtl(brief: Brief, texts: dict[str, str]) -> None:
    _no_hidden_characters(brief, texts)
    assert texts["hayom"].startswith("הגשר בנמל ולמורה")


def _check_scripts(brief: Brief, texts: dict[str, str]) -> None:
    everything = brief.model_dump_json() + json.dumps(texts)
    assert "alert" not in everything and "<script" not in everything and "document.cookie" not in everything
    assert brief.articles[0].title == "Bridge to close"


def _check_cleaned(brief: Brief, texts: dict[str, str]) -> None:
    _no_hidden_characters(brief, texts)
    assert brief.articles[0].outlet == "Velmora Daily" and brief.articles[0].title == "Bridge to close"
    assert "Engineers found cracks" in texts["velmora-daily"]


def _check_dates(brief: Brief, texts: dict[str, str]) -> None:
    assert [str(a.published) for a in brief.articles] == [TOMORROW, "2026-03-02"]


def _check_url(brief: Brief, texts: dict[str, str]) -> None:
    assert brief.articles[0].url == "javascript:alert(document.cookie)"


def _check_emoji(brief: Brief, texts: dict[str, str]) -> None:
    assert "🚧" in texts["news"] and brief.articles[0].outlet == "📰 News"


def _check_max(brief: Brief, texts: dict[str, str]) -> None:
    assert max(f.sources for f in brief.facts) >= 25


def _fifty() -> list[dict[str, Any]]:
    return [{"outlet": f"Outlet {i}", "text": ONE if i % 2 else TWO} for i in range(50)]


PAGE = (
    "<html><head><title>Bridge to close</title><script>alert('x')</script></head><body><nav>Home | Sport</nav>"
    f"<article><h1>Bridge to close</h1><p>{ONE}</p><script>document.cookie</script>"
    '<p onclick="alert(1)">The council will vote on a temporary ferry service next week.</p></article></body></html>'
)
DIRTY = ONE.replace("Engineers", "Engi\u200bneers\x00").replace("bridge", "bri\u00addge", 1).replace(". ", ".\x0c ", 1)

GOOD: list[Any] = [
    pytest.param(
        two(text=DIRTY, outlet="Velmora\x00 Daily\n", title="Bridge\u200b to\tclose"),
        _check_cleaned,
        id="nul-control-zero-width-inside",
    ),
    pytest.param([{"outlet": "Hayom", "text": HEBREW}, two()[0]], _check_rtl, id="right-to-left-override"),
    pytest.param(
        [
            two()[0],
            {"outlet": "Al Arab", "text": ARABIC},
            {"outlet": "Huaxia", "text": CHINESE},
            {"outlet": "Le Port", "text": FRENCH},
            {"outlet": "Gavan", "text": RUSSIAN},
        ],
        _check_languages,
        id="five-languages",
    ),
    pytest.param([{"outlet": f"Wire {i}", "text": ONE} for i in range(3)], _check_identical, id="all-identical"),
    pytest.param(two(text=None, html=PAGE), _check_scripts, id="html-with-scripts"),
    pytest.param(
        [two(published=TOMORROW)[0], two()[1] | {"published": "2026-03-02T14:35:00+01:00"}],
        _check_dates,
        id="date-tomorrow-and-timestamp",
    ),
    pytest.param(two(url="javascript:alert(document.cookie)"), _check_url, id="javascript-url"),
    pytest.param(two(outlet="📰 News", text="🚧 " + ONE + " 👍"), _check_emoji, id="emoji"),
    pytest.param(two(text=ONE.replace(". ", ".\r\n\r\n")), None, id="windows-line-ends"),
    pytest.param(_fifty(), _check_max, id="50-articles-the-maximum"),
]


@pytest.mark.parametrize(("articles", "check"), GOOD)
def test_legitimate_odd_input_gets_a_correct_brief(
    client: httpx.Client, articles: list[dict[str, Any]], check: Callable[[Brief, dict[str, str]], None] | None
) -> None:
    r = client.post("/v1/briefs", json={"articles": articles})
    brief, texts = _brief(client, r, len(articles))
    if check is not None:
        check(brief, texts)


def test_a_byte_order_mark_is_tolerated(client: httpx.Client) -> None:
    r = client.post("/v1/briefs", content=b"\xef\xbb\xbf" + GOOD_JSON, headers={"content-type": "application/json"})
    _brief(client, r, 2)


def test_a_javascript_url_is_never_a_link_in_the_export(client: httpx.Client) -> None:
    r = client.post("/v1/briefs", json={"articles": two(url="javascript:alert(document.cookie)")})
    assert r.status_code == 200
    page = client.get(f"/v1/briefs/{r.headers['x-brief-id']}.html").text
    assert "javascript:alert" in page and not re.search(r"href=[\"']?\s*javascript:", page, re.I)


def test_nothing_reached_the_model_for_refused_input_and_the_server_logged_no_error(server: Server) -> None:
    """Runs last: refused requests never called the model (the stub saw only the briefs above), and the
    server never hit an unexpected error (no traceback, no internal_error) for any of them."""
    for request in server.stub.requests:
        prompt = json.dumps(request.get("messages", []))
        assert "A\\ud800" not in prompt and "\\u0000" not in prompt and "2999-01-01" not in prompt
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log and "internal_error" not in log and not re.search(r" /v1\S* 5\d\d [\d.]+ms", log)
