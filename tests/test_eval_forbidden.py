"""must_not_claim: a statement the judge also reads as the true fact a forbidden claim distorts is no violation
(evals.judges.match_forbidden); the model is a scripted fake, so this tests the control flow only."""

from __future__ import annotations

from pathlib import Path

from evals.judges import Statement, match_forbidden, nearest_fact
from tests.test_eval_scorers import make_judge

FACTS = [
    ("taiwan-sovereign", "Taiwan considers itself a sovereign state.", ["Taiwan"]),
    ("china-flights", "China flew 150 military aircraft near Taiwan over four days.", ["150"]),
    ("mill-staff", "The mill employs 300 people.", []),
]
FORBIDDEN = "China recognizes Taiwan as a sovereign state."
YES = {"answer": "yes", "reason": "same fact"}
NO = {"answer": "no", "reason": "different actor"}


def test_the_fact_a_forbidden_claim_distorts() -> None:
    assert nearest_fact(FORBIDDEN, FACTS) == FACTS[0]
    assert nearest_fact("The mill was sold to a rival.", FACTS) is None  # one shared word is not enough


async def test_a_statement_of_the_true_fact_is_no_violation(tmp_path: Path) -> None:
    # yes to the forbidden claim; no: the judge tells the claim from the true fact; the true fact's wording is the
    # statement's, so code says yes to it
    judge, model = make_judge(tmp_path, [YES, NO])
    statements = [Statement("facts[f1]", "Taiwan considers itself a sovereign state.")]
    m = await match_forbidden(FORBIDDEN, statements, judge, nearest_fact(FORBIDDEN, FACTS))
    assert m.verdict == "miss" and "states the true fact taiwan-sovereign" in m.reason
    assert model.remaining == 0


async def test_a_statement_of_the_distortion_is_a_violation(tmp_path: Path) -> None:
    judge, model = make_judge(tmp_path, [YES, NO, NO])
    statements = [Statement("facts[f2]", "China on Monday recognized Taiwan as a fully sovereign state.")]
    m = await match_forbidden(FORBIDDEN, statements, judge, nearest_fact(FORBIDDEN, FACTS))
    assert m.verdict == "hit" and m.statement is statements[0]
    assert [a.get("fact") for a in m.candidates] == [None, "taiwan-sovereign"]  # both questions are on record
    assert model.remaining == 0


async def test_a_judge_that_cannot_tell_the_two_apart_clears_nothing(tmp_path: Path) -> None:
    judge, model = make_judge(tmp_path, [YES, YES])  # it reads the forbidden claim itself as the true fact
    statements = [Statement("facts[f1]", "Taiwan considers itself a sovereign state.")]
    m = await match_forbidden(FORBIDDEN, statements, judge, nearest_fact(FORBIDDEN, FACTS))
    assert m.verdict == "hit" and "reads the claim as taiwan-sovereign too" in m.reason
    assert model.remaining == 0


async def test_without_a_near_fact_the_strict_yes_stands(tmp_path: Path) -> None:
    judge, model = make_judge(tmp_path, [YES])
    statements = [Statement("facts[f3]", "Police charged a man with arson at the mill.")]
    m = await match_forbidden("Police charged someone with arson.", statements, judge, None)
    assert m.verdict == "hit"
    assert model.remaining == 0
