"""Outlet metadata and coverage balance: the outlet table fills what the caller leaves out (the caller wins,
unknown stays unknown), opinion pieces and press releases never corroborate, and the brief's balance (counts
by lean and kind, one-side-only facts, per-side framing) is computed by code and shown in JSON, Markdown and
the HTML export."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from evals.dataset import load_suite
from service.config import REPO_ROOT, Settings
from service.exports.html import brief_html
from service.llm import LLM
from service.main import create_app
from service.outlets import lookup
from service.pipeline import build_brief
from service.pipeline.balance import apply_independence, balance
from service.pipeline.ingest import ingest
from service.pipeline.render import to_markdown
from service.pipeline.types import Article
from service.schemas import ArticleIn, BriefOptions, BriefRequest, Citation, Fact
from tests.conftest import scripted_provider
from tests.fakes import lead_reply, staged_routes

ALLSIDES = REPO_ROOT / "evals" / "datasets" / "allsides"


def art(aid: str, lean: str = "unknown", kind: str = "unknown", text: str = "Words here.") -> Article:
    return Article(id=aid, outlet=aid.upper(), text=text, lean=lean, kind=kind)


def fact(fid: str, *aids: str, status: str = "corroborated") -> Fact:
    cites = [Citation(article_id=a, quote="Words", start=0, end=5) for a in aids]
    return Fact(id=fid, statement=f"Statement {fid}.", status=status, sources=len(set(aids)), citations=cites)  # type: ignore[arg-type]


# ---------------------------------------------------------------- outlet metadata


def test_outlet_table_matches_names_loosely_and_keeps_opinion_apart() -> None:
    assert lookup("CNN").lean == "left" and lookup("cnn").name == "CNN (Online News)"  # type: ignore[union-attr]
    assert lookup("The New York Times").lean == "lean-left"  # type: ignore[union-attr]
    assert lookup("Fox News").lean == "right" and lookup("Reuters").kind == "wire"  # type: ignore[union-attr]
    opinion = lookup("New York Times (Opinion)")
    assert opinion is not None and opinion.kind == "opinion" and opinion.lean == "left"
    assert lookup("Brindle Gazette") is None and lookup("Mondo International") is None


def test_caller_wins_table_fills_unknown_stays_unknown() -> None:
    items = [
        ArticleIn(outlet="Fox News", text="A thing happened on Monday."),  # table: right
        ArticleIn(outlet="Fox News", lean="center", kind="opinion", text="A thing happened on Monday."),  # caller
        ArticleIn(outlet="CNN", lean="unknown", text="A thing happened on Monday."),  # caller says unknown
        ArticleIn(outlet="Brindle Gazette", country="gb", text="A thing happened on Monday."),  # nobody knows
        ArticleIn(outlet="Reuters", text="A thing happened on Monday."),
    ]
    a = ingest(items, Settings())
    assert (a[0].lean, a[0].lean_source, a[0].kind) == ("right", "allsides-2021", "unknown")
    assert (a[1].lean, a[1].lean_source, a[1].kind, a[1].kind_source) == ("center", "caller", "opinion", "caller")
    assert (a[2].lean, a[2].lean_source) == ("unknown", "caller")
    assert (a[3].lean, a[3].lean_source, a[3].kind, a[3].country) == ("unknown", None, "unknown", "GB")
    assert a[4].kind == "wire" and a[4].kind_source.startswith("allsides-2021")  # type: ignore[union-attr]


@pytest.mark.parametrize("field", [{"lean": "far-left"}, {"kind": "blog"}, {"country": "GBR"}])
def test_bad_outlet_metadata_is_refused(field: dict) -> None:
    with pytest.raises(ValidationError):
        ArticleIn(outlet="X", text="Words.", **field)


def test_api_refuses_bad_lean_naming_the_field(settings: Settings) -> None:
    provider, _ = scripted_provider(settings, [])
    client = TestClient(create_app(settings, provider))
    a = {"outlet": "One", "text": "The mayor resigned on Monday.", "lean": "leftish"}
    r = client.post("/v1/briefs", json={"articles": [a, {"outlet": "Two", "text": "The mayor quit."}]})
    assert r.status_code == 422
    assert ["body", "articles", 0, "lean"] in [d["loc"] for d in r.json()["detail"]]


# ---------------------------------------------------------------- corroboration and balance


def test_opinion_and_press_release_never_corroborate() -> None:
    articles = [art("n1", kind="news"), art("op", kind="opinion"), art("pr", kind="press-release"), art("n2")]
    facts = [fact("f1", "n1", "op"), fact("f2", "op", "pr"), fact("f3", "n1", "n2", "op")]
    facts.append(fact("f4", "n1", "op", status="disputed"))
    apply_independence(facts, articles)
    assert [(f.status, f.independent_sources) for f in facts] == [
        ("single-source", 1), ("single-source", 0), ("corroborated", 2), ("disputed", 1)
    ]


def test_balance_flags_facts_only_one_side_reports() -> None:
    articles = [
        art("l", "lean-left", text="The militants attacked."),
        art("c", "center", text="The fighters attacked."),
        art("r", "right", text="The terrorists attacked."),
        art("u", "unknown", text="Another matter entirely."),
    ]
    facts = [fact("f1", "l", "c", "r"), fact("f2", "r"), fact("f3", "l"), fact("f4", "u"), fact("f5", "r", "u")]
    b = balance(articles, facts)
    assert b.leans["lean-left"] == 1 and b.leans["unknown"] == 1 and b.sides == {"left": 1, "center": 1, "right": 1}
    assert b.rated == 3 and b.comparable
    flags = {fb.fact_id: fb.one_side for fb in b.facts}
    # f4/f5: an unrated article states them, so nobody can say only one side does
    assert flags == {"f1": None, "f2": "right", "f3": "left", "f4": None, "f5": None}
    assert b.one_side_only == {"left": ["f3"], "center": [], "right": ["f2"]}
    assert [fb.sides for fb in b.facts][0] == ["left", "center", "right"]
    right = next(sf for sf in b.framing if sf.side == "right")
    assert right.one_side_only == ["f2"] and "1 fact" in right.sentence
    assert "2 facts reported by one side only (left 1, right 1)" in b.note


def test_a_fact_another_side_tells_in_other_words_is_not_one_sided() -> None:
    left = "Officials said the bridge over the Elm River in Dover collapsed under heavy traffic on Monday."
    articles = [art("l", "left", text=left), art("r", "right", text="The governor blamed the budget cuts.")]
    told = Fact(
        id="f1", statement="x", status="single-source", sources=1,
        citations=[Citation(article_id="r", quote="The Dover bridge collapsed into the Elm River.", start=0, end=5)],
    )
    alone = Fact(
        id="f2", statement="x", status="single-source", sources=1,
        citations=[Citation(article_id="r", quote="The governor blamed the budget cuts.", start=0, end=5)],
    )
    flags = {fb.fact_id: fb.one_side for fb in balance(articles, [told, alone]).facts}
    assert flags == {"f1": None, "f2": "right"}


def test_one_side_flags_need_two_sides() -> None:
    b = balance([art("a", "left"), art("b", "lean-left"), art("c")], [fact("f1", "a"), fact("f2", "b")])
    assert not b.comparable and all(fb.one_side is None for fb in b.facts)
    assert "one side" in b.note
    assert balance([art("a"), art("b")], [fact("f1", "a")]).rated == 0


# ---------------------------------------------------------------- a whole brief


@pytest.fixture
def allsides_request() -> BriefRequest:
    case = load_suite([ALLSIDES / "allsides-5750-at-least-13-us-troops-over-100-afghans-killed-in.yaml"])[0].case
    return BriefRequest(articles=case.articles_in(), options=BriefOptions(length="short"))


async def test_brief_of_three_sides_shows_balance_everywhere(allsides_request: BriefRequest) -> None:
    llm = LLM(
        staged_routes("Thirteen US troops were killed.", lead_reply("Kabul airport attack", [])),
        backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts",
    )
    brief = await build_brief(allsides_request, llm, Settings())
    b = brief.balance
    assert b is not None and b.comparable and sum(b.sides.values()) == 3
    leans = {a.id: a.lean for a in brief.articles}
    assert leans == {"the-guardian": "lean-left", "bbc-news": "center", "washington-examiner": "lean-right"}
    side = {"lean-left": "left", "center": "center", "lean-right": "right"}
    for f, fb in zip(brief.facts, b.facts, strict=True):
        cited = {c.article_id for c in f.citations}
        assert fb.one_side == (side[leans[cited.pop()]] if len(cited) == 1 else None), f
    assert any(b.one_side_only.values())

    md = to_markdown(brief)
    assert "## Coverage balance" in md and md.index("## Coverage balance") < md.index("## Facts")
    for f, fb in zip(brief.facts, b.facts, strict=True):
        line = next(x for x in md.splitlines() if x.startswith(f"- **{f.statement}**"))
        assert (f"**{fb.one_side} only**" in line) == bool(fb.one_side), line

    articles = ingest(allsides_request.articles, Settings())
    html = brief_html(brief, articles)
    bar = re.search(r'<div class="balance-bar"[^>]*>(.*?)</div>', html)
    assert bar is not None
    assert re.findall(r'class="lean-([a-z-]+)"', bar.group(1)) == ["lean-left", "center", "lean-right"]
    assert html.count('class="one-side"') >= 1 + sum(len(v) for v in b.one_side_only.values())
