"""The metrics on the brief's own text, on hand-made briefs: a perfect brief scores 1 and each broken one
is caught (an unsupported or inverted sentence, a summary that says nothing, a cut or labelled headline,
code-written text, a conflict that is not a disagreement between outlets)."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import BaseMessage

from evals.quality import (
    false_conflicts,
    headline_checks,
    headline_quality,
    model_text_share,
    statement_support,
    summary_coverage,
)
from service.schemas import Conflict, ConflictPosition
from tests.test_eval_scorers import articles_of, cite, fact, load_mini, make_judge, perfect_brief

YES = {"answer": "yes", "reason": "supported"}
NO = {"answer": "no", "reason": "who did what reversed"}


async def test_statement_support_perfect_brief_is_one(tmp_path: Path) -> None:
    lc = load_mini(tmp_path)
    judge, model = make_judge(tmp_path, [YES, YES])  # the headline and the reworded fact f2; the rest is verbatim
    s = await statement_support(perfect_brief(), articles_of(lc), judge)
    assert model.remaining == 0
    assert s.value == 1.0
    by = {i.id: i.reason for i in s.items}
    assert "verbatim" in by["facts[f3]"] and "(by code)" in by["facts[f3]"]
    assert "summary[1]" in by and "figures are in the articles" in by["summary[1]"]  # the "Reports differ" line


async def test_statement_support_lists_inverted_and_invented_sentences(tmp_path: Path) -> None:
    lc = load_mini(tmp_path)
    b = perfect_brief()
    b.headline = "Union leader Tom Hale set fire to the Brackley mill"
    b.facts.append(fact("f4", "Nine workers were killed in the fire.", cite("post", "Five workers died")))

    def reply(messages: list[BaseMessage]) -> dict[str, str]:
        return NO if "set fire" in str(messages[-1].content) else YES

    judge, model = make_judge(tmp_path, [reply, reply])  # the headline and f2; f4 is settled by its figure
    s = await statement_support(b, articles_of(lc), judge)
    assert model.remaining == 0
    bad = {i.id: i for i in s.items if i.verdict == "miss"}
    assert set(bad) == {"headline", "facts[f4]"}
    assert "figures in no source: 9" in bad["facts[f4]"].reason
    assert s.value == pytest.approx((len(s.items) - 2) / len(s.items))


async def test_summary_coverage_counts_core_facts_in_headline_and_summary(tmp_path: Path) -> None:
    lc = load_mini(tmp_path)
    judge, _ = make_judge(tmp_path, [])  # the core fact is stated in the claim's own words: settled by code
    s = await summary_coverage(lc.case, perfect_brief(), judge)
    assert s.value == 1.0 and [i.id for i in s.items] == ["fire-killed"]
    b = perfect_brief()
    b.headline = "Reports differ on the toll"
    b.summary = "Reports differ on the toll: four according to Northline Wire; five according to Brackley Post."
    s = await summary_coverage(lc.case, b, judge)
    assert s.value == 0.0 and s.items[0].verdict == "miss"


@pytest.mark.parametrize(
    ("headline", "check"),
    [
        ("The Palestinian group said it is open to any initiative that contributes to “ending…", "complete"),
        ("Why it matters: The mass cancellations come after", "no-section-label"),
        ("Mill fire: owners blamed as investigators search for the cause of the blaze at Brackley", "length"),
        ("Fire at the Brackley mill kills four workers", "no-disputed-figure"),
        ("We must ask why the Brackley mill burned", "no-first-or-second-person"),
        ("Fire at the Brackley mill kills workers, by John Smith", None),
        ("By John Smith Fire kills workers", "no-byline"),
    ],
)
def test_headline_checks_catch_each_fault(headline: str, check: str | None) -> None:
    failed = {name for name, problem in headline_checks(headline, {4.0, 5.0}) if problem}
    assert failed == ({check} if check else set())


def test_headline_quality_is_one_for_a_good_headline(tmp_path: Path) -> None:
    lc = load_mini(tmp_path)
    b = perfect_brief()
    b.meta.provenance = {"headline": "model"}
    s = headline_quality(lc.case, b)
    assert s.value == 1.0
    assert next(i for i in s.items if i.id == "written-by").reason == "written by model"
    b.headline = "Four workers killed in Brackley mill fire"  # one side's figure of the 4-vs-5 toll
    assert headline_quality(lc.case, b).value == 0.0


def test_model_text_share_reads_provenance() -> None:
    b = perfect_brief()
    assert model_text_share(b).value is None and model_text_share(b).unscored == 1
    b.meta.provenance = {"headline": "model", "summary[0]": "model", "summary[1]": "code", "facts[f1]": "source"}
    s = model_text_share(b)
    assert s.value == 0.5
    assert {i.id for i in s.items if i.verdict == "miss"} == {"summary[1]", "facts[f1]"}


def test_false_conflicts(tmp_path: Path) -> None:
    lc = load_mini(tmp_path)
    b = perfect_brief()
    assert false_conflicts(lc.case, b).value == 0  # the labelled four-vs-five toll
    same = ConflictPosition(article_ids=["post"], value="300", claim="The mill employs 300 people.", quote="x")
    b.conflicts.append(
        Conflict(
            id="k2",
            topic="people employed",
            positions=[same, same.model_copy(update={"value": "5", "claim": "Five workers died."})],
        )
    )
    b.conflicts.append(Conflict(id="k3", topic="number of percent mill's workers", positions=b.conflicts[0].positions))
    wire = ConflictPosition(article_ids=["wire"], value="Friday", claim="on Friday", quote="on Friday")
    post = ConflictPosition(article_ids=["post"], value="300", claim="employs 300", quote="employs 300")
    b.conflicts.append(Conflict(id="k4", topic="day and staff of the mill", positions=[wire, post]))
    s = false_conflicts(lc.case, b)
    assert s.value == 3
    reasons = {i.id: i.reason for i in s.items}
    assert "same article" in reasons["k2"]
    assert "does not read" in reasons["k3"]
    assert "matches no labelled disagreement" in reasons["k4"]


def test_parts_an_outlet_lists_add_up_to_its_figure_and_nothing_else_does() -> None:
    from evals.quality import part_sums
    from service.pipeline.types import Sentence

    def sent(text: str) -> Sentence:
        return Sentence(id="s", article_id="a", index=0, text=text, start=0, end=len(text))

    listed = sent("Those freed were 23 Thai nationals, one Filipino, and one Russian-Israeli dual citizen.")
    apart = sent("Prices rose to $2.96 on Monday. In 2020 about 40 people were there.")
    assert part_sums([listed]) == {25.0}
    assert part_sums([apart]) == set()
