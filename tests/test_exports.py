"""Exports of a finished brief: the standalone HTML page (citation links land on marks that hold exactly the
quote, one table column per conflict position, hostile article text stays inert) and the export routes."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Iterator
from urllib.parse import unquote

import lxml.html
import pytest
from fastapi.testclient import TestClient

from service.config import REPO_ROOT, Settings
from service.exports import brief_html
from service.llm import LLM
from service.main import create_app
from service.pipeline import build_brief
from service.pipeline.ingest import ingest
from service.pipeline.render import to_markdown
from service.pipeline.types import Article
from service.schemas import ArticleIn, Brief, BriefOptions, BriefRequest, Citation, Fact, Meta, QuoteOut
from service.storage import JobRow
from tests.conftest import scripted_provider, seed_articles
from tests.fakes import RoutedScriptedChatModel

SEED_REQUEST = BriefRequest(articles=[ArticleIn(**a) for a in seed_articles()], options=BriefOptions(length="short"))


def _statements(messages) -> str:
    ids = re.findall(r'<group id="(g\d+)">', str(messages[1].content))
    return json.dumps({"statements": [{"group": g, "statement": f"Statement for {g}."} for g in ids]})


@pytest.fixture(scope="module")
def seed() -> tuple[Brief, list[Article]]:
    """A brief of the five seed articles (conflicts, positions, quotes, timeline) from a scripted model."""
    model = RoutedScriptedChatModel.from_routes(
        {
            "<group>": [_statements] * 40,
            "<sentence>": [{"sentences": [], "stance": ""}] * 20,
            "<facts>": [{"headline": "Talks on a new truce", "summary": "Talks go on."}] * 2,
        }
    )
    llm = LLM(model, backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts")
    brief = asyncio.run(build_brief(SEED_REQUEST, llm, Settings()))
    return brief, ingest(SEED_REQUEST.articles, Settings())


def _all_citations(brief: Brief) -> list[Citation]:
    return (
        [c for f in brief.facts for c in f.citations]
        + [c for p in brief.positions for c in p.citations]
        + [c for t in brief.timeline for c in t.citations]
    )


def test_every_citation_link_lands_on_a_mark_holding_exactly_its_quote(seed) -> None:
    brief, articles = seed
    doc = lxml.html.fromstring(brief_html(brief, articles))
    links = doc.xpath('//a[@class="cite"]')
    assert len(links) >= len(_all_citations(brief)) > 10
    for link in links:
        target = doc.get_element_by_id(unquote(link.get("href")[1:]))
        assert target.tag == "mark"
    # Each fact's citations, in order, link to the cited span of the cited article.
    for fact in brief.facts:
        item = doc.get_element_by_id(f"fact-{fact.id}")
        fact_links = item.xpath('.//a[@class="cite"]')
        assert len(fact_links) == len(fact.citations)
        for n, (link, c) in enumerate(zip(fact_links, fact.citations, strict=True), 1):
            mark = doc.get_element_by_id(unquote(link.get("href")[1:]))
            assert mark.text_content() == c.quote
            assert mark.get("id").startswith(f"a-{c.article_id}-{c.start}")
            assert link.text_content().startswith(f"[{n}]")
            assert mark.xpath("ancestor::article")[0].get("id") == f"article-{c.article_id}"
    assert ":target" in doc.xpath("//style")[0].text


def test_articles_are_printed_in_full(seed) -> None:
    brief, articles = seed
    doc = lxml.html.fromstring(brief_html(brief, articles))
    for a in articles:
        assert doc.get_element_by_id(f"article-{a.id}").xpath('.//div[@class="text"]')[0].text_content() == a.text


def test_conflicts_are_a_table_with_one_column_per_position(seed) -> None:
    brief, articles = seed
    assert brief.conflicts
    doc = lxml.html.fromstring(brief_html(brief, articles))
    for k in brief.conflicts:
        table = doc.get_element_by_id(f"conflict-{k.id}")
        assert table.xpath("caption")[0].text_content() == k.topic
        heads = table.xpath('thead/tr/th[@class="pos"]')
        assert len(heads) == len(k.positions)
        for row in table.xpath("tbody/tr"):
            assert len(row.xpath("td")) == len(k.positions)
        for head, cell, p in zip(heads, table.xpath("tbody/tr")[0].xpath("td"), k.positions, strict=True):
            assert cell.text_content() == p.value
            assert head.text_content().split(", ")[0] in {a.outlet for a in articles if a.id == p.article_ids[0]}


def test_other_sections_and_footer(seed) -> None:
    brief, articles = seed
    doc = lxml.html.fromstring(brief_html(brief, articles))
    assert doc.xpath("//h1")[0].text_content() == brief.headline
    assert doc.xpath("//title")[0].text_content() == brief.headline
    for section, present in [
        ("positions", brief.positions),
        ("quotes", brief.quotes),
        ("timeline", brief.timeline),
        ("framing", brief.framing),
        ("open-questions", brief.open_questions),
        ("coverage", brief.coverage),
    ]:
        assert bool(doc.xpath(f'//section[@id="{section}"]')) == bool(present), section
    footer = doc.xpath("//footer")[0].text_content()
    assert brief.meta.strategy in footer and brief.meta.model in footer
    assert not doc.xpath("//script|//link|//img|//iframe")  # self-contained, nothing to load or run


HOSTILE = (
    "Officials said on Monday that 12 people were hurt. <script>window.pwned = 1</script> Police said "
    '"<img src=x onerror=alert(1)>" was all they knew. A spokesman said: "</mark></div><b>bold</b>".'
)


def hostile_brief() -> tuple[Brief, list[Article]]:
    evil = '<img src=x onerror="alert(1)">"'
    articles = [
        Article(
            id="a1",
            outlet=f"Evil {evil}",
            text=HOSTILE,
            title="</title><script>x()</script>",
            url="javascript:alert(1)",
        ),
        Article(
            id="a2",
            outlet="Plain",
            text="Officials said on Monday that 12 people were hurt.",
            published=dt.date(2024, 1, 2),
        ),
    ]
    first = "Officials said on Monday that 12 people were hurt."
    script = HOSTILE[HOSTILE.index("<script>") : HOSTILE.index("</script>") + 9]
    tail = HOSTILE[HOSTILE.index("A spokesman") :]
    cites = [
        Citation(article_id="a1", quote=first, start=0, end=len(first)),
        Citation(article_id="a2", quote=first, start=0, end=len(first)),
    ]
    facts = [
        Fact(id="f1", statement=f"12 hurt {evil}", status="corroborated", sources=2, citations=cites),
        Fact(
            id="f2",
            statement="<script>alert(2)</script>",
            status="single-source",
            sources=1,
            citations=[
                Citation(
                    article_id="a1", quote=script, start=HOSTILE.index(script), end=HOSTILE.index(script) + len(script)
                ),
                Citation(article_id="a1", quote=tail, start=HOSTILE.index(tail), end=len(HOSTILE)),
            ],
        ),
    ]
    quote = "</mark></div><b>bold</b>"
    meta = Meta(
        backend="local",
        model="m<script>",
        strategy="staged",
        prompt_versions={},
        tokens_in=1,
        tokens_out=1,
        seconds=1.0,
        stage_seconds={},
        llm_calls=[],
        warnings=["<script>w()</script>"],
    )
    brief = Brief(
        headline="</title><script>alert(3)</script>",
        summary="<svg onload=alert(4)>",
        facts=facts,
        conflicts=[],
        positions=[],
        quotes=[
            QuoteOut(
                speaker="<i>x</i>",
                text=quote,
                article_id="a1",
                start=HOSTILE.index(quote),
                end=HOSTILE.index(quote) + len(quote),
            )
        ],
        framing=[],
        timeline=[],
        open_questions=["<script>q()</script>"],
        coverage=[],
        articles=[],
        meta=meta,
    )
    return brief, articles


def test_hostile_article_text_is_escaped_and_inert() -> None:
    brief, articles = hostile_brief()
    page = brief_html(brief, articles)
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<svg" not in page.lower()
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in page
    doc = lxml.html.fromstring(page)
    assert not doc.xpath("//script|//img|//svg|//b|//i")
    assert not [e for e in doc.iter() if isinstance(e.tag, str) and any(k.startswith("on") for k in e.attrib)]
    assert not [a for a in doc.xpath("//a") if not a.get("href", "").startswith(("#", "http"))]
    # The hostile text is shown as text, and its cited spans are still marked exactly.
    assert doc.get_element_by_id("article-a1").xpath('.//div[@class="text"]')[0].text_content() == HOSTILE
    for link in doc.get_element_by_id("fact-f2").xpath('.//a[@class="cite"]'):
        mark = doc.get_element_by_id(unquote(link.get("href")[1:]))
        assert mark.text_content() in HOSTILE and mark.text_content().startswith(("<script>", "A spokesman"))
    assert doc.xpath("//h1")[0].text_content() == brief.headline
    assert "javascript:alert(1)" in doc.get_element_by_id("article-a1").text_content()  # shown, not linked


def test_nested_and_crossing_spans() -> None:
    text = "One two three. Four five six."
    article = Article(id="x", outlet="X", text=text)
    spans = [(0, 14), (4, 7), (10, 20)]  # a sentence, a word inside it, a span crossing the sentence end
    cites = [Citation(article_id="x", quote=text[s:e], start=s, end=e) for s, e in spans]
    brief, _ = hostile_brief()
    brief = brief.model_copy(
        update={
            "facts": [Fact(id="f1", statement="s", status="single-source", sources=1, citations=cites)],
            "quotes": [],
        }
    )
    doc = lxml.html.fromstring(brief_html(brief, [article]))
    assert doc.get_element_by_id("a-x-0").text_content() == "One two three."
    assert doc.get_element_by_id("a-x-4").text_content() == "two"
    assert doc.get_element_by_id("a-x-10").tag == "span"  # crossing: an anchor at its start, text left whole
    assert doc.get_element_by_id("article-x").xpath('.//div[@class="text"]')[0].text_content() == text


# ---------------------------------------------------------------- routes


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    provider, _ = scripted_provider(settings, [])
    with TestClient(create_app(settings, provider)) as c:
        yield c


def _insert(client: TestClient, job_id: str, status: str, brief: Brief | None) -> None:
    row = JobRow(
        id=job_id,
        status=status,
        mode="async",
        cache_key=job_id,
        request=SEED_REQUEST.model_dump(mode="json"),
        request_id="rid",
        key_id=None,
        brief=brief.model_dump(mode="json") if brief else None,
        attempts=1,
    )
    client.app.state.store.add_job(row)  # type: ignore[attr-defined]


def test_export_routes(client: TestClient, seed) -> None:
    brief, articles = seed
    _insert(client, "donejob", "done", brief)

    r = client.get("/v1/briefs/donejob.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert Brief.model_validate(r.json()) == brief
    assert r.headers["content-disposition"] == 'inline; filename="brief-donejob.json"'

    r = client.get("/v1/briefs/donejob.md")
    assert r.status_code == 200 and r.headers["content-type"] == "text/markdown; charset=utf-8"
    assert r.text == to_markdown(brief)
    assert r.headers["content-disposition"] == 'inline; filename="brief-donejob.md"'

    r = client.get("/v1/briefs/donejob.html")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.text == brief_html(brief, articles)  # the job's articles, re-read from its stored request
    assert (
        "script-src" not in r.headers["content-security-policy"]
        and "default-src 'none'" in r.headers["content-security-policy"]
    )
    assert r.headers["x-request-id"]

    assert client.get("/v1/briefs/donejob").json()["status"] == "done"  # the job route is not shadowed


@pytest.mark.parametrize("ext", ["json", "md", "html"])
def test_export_of_unknown_or_unfinished_job(client: TestClient, ext: str) -> None:
    r = client.get(f"/v1/briefs/nosuchjob.{ext}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert r.json()["error"]["request_id"] == r.headers["x-request-id"]
    for status in ("running", "failed", "cancelled"):
        _insert(client, f"{status}{ext}", status, None)
        r = client.get(f"/v1/briefs/{status}{ext}.{ext}")
        assert r.status_code == 409 and r.json()["error"]["code"] == "conflict", status
        assert status in r.json()["error"]["message"]
