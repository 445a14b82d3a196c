"""The staged pipeline's control flow on the seed articles with a scripted model: invented numbers are
replaced by source text, confirmed conflicts become disputed facts with every figure attributed, a summary
that picks one figure is rewritten by code."""

from __future__ import annotations

import json
import re

import pytest

from service.config import REPO_ROOT, Settings
from service.llm import LLM
from service.pipeline import build_brief
from service.pipeline.align import representative
from service.pipeline.ingest import ingest
from service.pipeline.staged import prepare
from service.schemas import ArticleIn, BriefOptions, BriefRequest
from tests.conftest import seed_articles
from tests.fakes import RoutedScriptedChatModel

INVENTED = "Israel and Hamas signed a truce freeing 99,999 hostages."


def statements_reply(messages) -> str:
    ids = re.findall(r'<group id="(g\d+)">', str(messages[1].content))  # the first user message
    items = [{"group": gid, "statement": INVENTED if gid == "g1" else f"Statement for {gid}."} for gid in ids]
    return json.dumps({"statements": items})


@pytest.fixture
def scripted() -> tuple[LLM, RoutedScriptedChatModel, BriefRequest]:
    request = BriefRequest(articles=[ArticleIn(**a) for a in seed_articles()], options=BriefOptions(length="short"))
    picks_one = {"headline": "Talks on a new truce", "summary": "At least 19,667 people have been killed."}
    model = RoutedScriptedChatModel.from_routes(
        {
            "<group>": [statements_reply] * 16,  # one group per call; a failing one is asked twice
            "<sentence>": [{"sentences": [], "stance": ""}] * 8,  # one call per party, re-asked once
            "<facts>": [picks_one, picks_one],
        }
    )
    llm = LLM(model, backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts")
    return llm, model, request


async def test_staged_brief_verifies_what_the_model_wrote(scripted) -> None:
    llm, model, request = scripted
    brief = await build_brief(request, llm, Settings())
    texts = {a.id: a.text for a in ingest(request.articles, Settings())}

    # The invented statement never reaches the brief; the source sentence stands in, with a warning.
    assert all("99,999" not in f.statement for f in brief.facts)
    assert any("g1" in w and "numbers not in the sources" in w for w in brief.meta.warnings)
    prep = prepare(ingest(request.articles, Settings()))
    g1 = next(g for g in prep.groups if g.id == "g1")
    assert any(f.statement == representative(g1).text for f in brief.facts)

    # Confirmed conflicts: disputed facts that give every figure with its outlet.
    toll = next(c for c in brief.conflicts if any("19,667" in p.value for p in c.positions))
    assert {a for p in toll.positions for a in p.article_ids} == {"al-jazeera", "english-outlet"}
    disputed = [f for f in brief.facts if f.status == "disputed"]
    assert any(
        "19,667 according to Al Jazeera" in f.statement and "19,500 according to" in f.statement for f in disputed
    )

    # The summary that picked one figure was re-asked once, then replaced by code that attributes both.
    assert "19,667 according to Al Jazeera" in brief.summary and "19,500 according to" in brief.summary
    assert any(w.startswith("headline/summary") for w in brief.meta.warnings)

    # Parties the model skipped fall back to a cited source sentence.
    for p in brief.positions:
        assert p.citations and texts[p.citations[0].article_id][p.citations[0].start : p.citations[0].end] == p.stance

    # Every citation is a verbatim slice; statuses follow the citations.
    for f in brief.facts:
        for c in f.citations:
            assert texts[c.article_id][c.start : c.end] == c.quote
        if f.status != "disputed":
            assert f.status == ("corroborated" if f.sources >= 2 else "single-source")
    assert brief.meta.tokens_in == 10 * len(brief.meta.llm_calls) + 10 * sum(
        c.attempts - 1 for c in brief.meta.llm_calls
    )
