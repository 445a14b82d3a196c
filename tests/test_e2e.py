"""End to end: the real API process, the real 135M model on llama.cpp, the real seed articles."""

from __future__ import annotations

import httpx
import pytest

from service.config import Settings
from service.pipeline.ingest import ingest
from service.schemas import ArticleIn, Brief
from tests.conftest import seed_articles

pytestmark = pytest.mark.e2e


def texts_by_id(articles: list[dict]) -> dict[str, str]:
    ingested = ingest([ArticleIn(**a) for a in articles], Settings())
    return {a.id: a.text for a in ingested}


def segment_text(text: str) -> list:
    """An article's sentences (for the sums of parts an outlet lists: "23 ..., one ... and one ..." = 25)."""
    from service.pipeline.segment import segment
    from service.pipeline.types import Article

    return segment(Article(id="a", outlet="a", text=text))


def assert_grounded(brief: Brief, texts: dict[str, str]) -> None:
    """Every citation is a verbatim slice of its article; numbers in facts occur in a cited article."""
    from evals.quality import part_sums
    from service.pipeline.verify import unsupported_numbers

    for fact in brief.facts:
        assert fact.citations, fact
        for c in fact.citations:
            assert texts[c.article_id][c.start : c.end] == c.quote
        cited = [texts[c.article_id] for c in fact.citations]
        sums = part_sums([s for a in {c.article_id for c in fact.citations} for s in segment_text(texts[a])])
        assert [v for v in unsupported_numbers(fact.statement, cited) if v not in sums] == []
        assert fact.sources == len({c.article_id for c in fact.citations})
        assert (fact.status == "corroborated") == (fact.sources >= 2 and fact.status != "disputed")
    for q in brief.quotes:
        assert texts[q.article_id][q.start : q.end] == q.text


def test_staged_brief_of_the_seed_articles(live_server: str) -> None:
    articles = seed_articles()
    fresh = {"Cache-Control": "no-cache"}  # other tests may have briefed the same articles on this server
    r = httpx.post(f"{live_server}/v1/briefs", json={"articles": articles}, timeout=300, headers=fresh)
    assert r.status_code == 200, r.text
    assert r.headers["x-cache"] == "miss"
    brief = Brief.model_validate(r.json())
    assert r.headers["x-request-id"] == brief.meta.request_id
    assert brief.meta.model == "smollm2-135m" and brief.meta.backend == "local"
    assert brief.meta.strategy == "staged"
    assert brief.meta.tokens_in > 0 and brief.meta.tokens_out > 0
    assert "brief_lead" in {c.task for c in brief.meta.llm_calls}
    assert brief.meta.prompt_versions["fact_statements"] == "fact_statements/v2"
    assert brief.meta.provenance["headline"] in ("model", "code") and brief.headline
    assert all(c.item and c.reason for c in brief.meta.checks)  # every meaning verdict says why
    assert len(brief.facts) >= 8
    assert brief.headline and brief.summary
    assert any(f.status == "corroborated" for f in brief.facts)
    assert {c.article_id for c in brief.coverage} == {a["id"] for a in articles}
    assert any(q.speaker for q in brief.quotes)
    assert_grounded(brief, texts_by_id(articles))


def test_single_strategy_is_verified(live_server: str) -> None:
    articles = seed_articles()[3:5]
    body = {"articles": articles, "options": {"strategy": "single", "length": "short"}}
    r = httpx.post(f"{live_server}/v1/briefs", json=body, timeout=300, headers={"X-Request-ID": "single-1"})
    if r.status_code == 502:
        # The 135M model often runs past its token budget on the whole-brief schema: one re-ask, then a
        # typed error that names the request.
        err = r.json()["error"]
        assert err["code"] in {"output_truncated", "schema_validation_failed"}, err
        assert err["request_id"] == "single-1" == r.headers["x-request-id"]
        assert err["backend"] == "local"
        return
    assert r.status_code == 200, r.text
    brief = Brief.model_validate(r.json())
    assert brief.meta.strategy == "single"
    assert [c.task for c in brief.meta.llm_calls] == ["single_brief"]
    assert_grounded(brief, texts_by_id(articles))  # whatever the tiny model invented was dropped


def test_html_articles_and_bad_input_on_the_live_server(live_server: str) -> None:
    page = (
        "<html><head><title>Flood closes bridge</title><script>var ad=1;</script></head><body>"
        "<nav>Home | World | Sport</nav><article><h1>Flood closes bridge</h1>"
        "<p>The river Lenn rose two metres overnight and closed the Harwick bridge, the council said.</p>"
        "<p>About 300 homes were evacuated on Tuesday, according to the fire service.</p></article>"
        "<footer>Copyright 2026 Example News</footer></body></html>"
    )
    other = (
        "Harwick council said the bridge closed after the river Lenn rose two metres. About 300 homes were evacuated."
    )
    body = {"articles": [{"outlet": "Example News", "html": page}, {"outlet": "Harwick Post", "text": other}]}
    r = httpx.post(f"{live_server}/v1/briefs", json=body, timeout=300)
    assert r.status_code == 200, r.text
    brief = Brief.model_validate(r.json())
    assert brief.articles[0].id == "example-news" and brief.articles[0].title == "Flood closes bridge"
    quotes = " ".join(c.quote for f in brief.facts for c in f.citations)
    assert "Copyright" not in quotes and "var ad" not in quotes
    bad = httpx.post(f"{live_server}/v1/briefs", json={"articles": body["articles"][:1]}, timeout=30)
    assert bad.status_code == 422
