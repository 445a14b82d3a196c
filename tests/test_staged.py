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
from service.pipeline.staged import needs_rewrite, prepare
from service.schemas import ArticleIn, BriefOptions, BriefRequest
from tests.conftest import seed_articles
from tests.fakes import RoutedScriptedChatModel

INVENTED = "Israel and Hamas signed a truce freeing 99,999 hostages."


def statements_reply(messages) -> str:
    ids = re.findall(r'<group id="(g\d+)">', str(messages[1].content))  # the first user message
    items = [{"group": gid, "statement": INVENTED} for gid in ids]
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
    settings = Settings(staged_rewrites=24, staged_positions="model")
    brief = await build_brief(request, llm, settings)
    texts = {a.id: a.text for a in ingest(request.articles, settings)}

    # Groups with no sentence usable verbatim go to the model; its invented statement never reaches the
    # brief, with a warning.
    prep = prepare(ingest(request.articles, settings))
    assert all("99,999" not in f.statement for f in brief.facts)
    rejected = [m.group(1) for w in brief.meta.warnings if (m := re.match(r"fact (g\d+): model statement rejected", w))]
    assert rejected, brief.meta.warnings
    for gid in rejected:
        g = next(g for g in prep.groups if g.id == gid)
        assert needs_rewrite(g)  # only groups with no plain sentence went to the model
        # ... and with the rewrite rejected, the slanted source sentence is not stated either
        assert all(f.statement != representative(g).text for f in brief.facts)
        assert f"fact {gid}: no neutral statement; left out" in brief.meta.warnings

    # Confirmed conflicts: disputed facts that give every figure with its outlet.
    toll = next(c for c in brief.conflicts if any("19,667" in p.value for p in c.positions))
    assert {a for p in toll.positions for a in p.article_ids} == {"al-jazeera", "english-outlet"}
    disputed = [f for f in brief.facts if f.status == "disputed"]
    assert any(
        "19,667 according to Al Jazeera" in f.statement and "19,500 according to" in f.statement for f in disputed
    )

    # The summary that picked one figure is mended by code so that it attributes both (no second call).
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


async def test_default_staged_states_facts_verbatim_and_calls_the_model_little() -> None:
    request = BriefRequest(articles=[ArticleIn(**a) for a in seed_articles()], options=BriefOptions(length="medium"))
    headline = {"headline": "Talks on a new truce", "summary": "Qatar said talks on a new truce continue."}
    model = RoutedScriptedChatModel.from_routes({"<group>": [statements_reply] * 4, "<facts>": [headline]})
    llm = LLM(model, backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts")
    brief = await build_brief(request, llm, Settings())

    tasks = [c.task for c in brief.meta.llm_calls]
    assert tasks.count("fact_statements") <= 2 and tasks.count("headline_summary") == 1
    assert "party_positions" not in tasks
    for f in brief.facts:
        if f.status != "disputed":  # stated in an outlet's own words: one of its citations, verbatim
            assert f.statement in {c.quote for c in f.citations}
    for p in brief.positions:
        assert p.stance == p.citations[0].quote
