"""Each scorer on hand-made briefs: a perfect brief scores 1, an empty one 0, an invented figure, a
forbidden claim and an unattributed loaded term are caught. Helpers here are shared by the other eval
tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from evals.cache import Cache
from evals.dataset import LoadedCase, load_case
from evals.judges import ModelJudge
from evals.llms import LazyLLM
from evals.scorers import empty_brief
from evals.scoring import coverage_scores
from service.config import Settings
from service.pipeline.ingest import ingest
from service.pipeline.types import Article
from service.schemas import Brief, Citation, Conflict, ConflictPosition, Fact, PartyPosition
from tests.conftest import scripted_provider
from tests.fakes import ScriptedChatModel

A1 = (
    "Four workers were killed in a fire at the Brackley mill on Friday, officials said. "
    "The mill's owner, Dana Reyes, said the company was devastated. "
    'Union leader Tom Hale called the owners "reckless".'
)
A2 = (
    "Five workers died in the fire at the Brackley mill, according to the fire service. "
    "Investigators have not found the cause. The mill employs 300 people."
)
CASE: dict[str, Any] = {
    "id": "brackley-mill-fire",
    "title": "Fire at the Brackley mill",
    "articles": [
        {"id": "wire", "outlet": "Northline Wire", "text": A1},
        {"id": "post", "outlet": "Brackley Post", "text": A2},
    ],
    "facts": [
        {
            "id": "fire-killed",
            "claim": "Workers were killed in a fire at the Brackley mill on Friday.",
            "weight": 3,
            "sources": ["wire", "post"],
            "anchors": ["Brackley", "fire"],
        },
        {
            "id": "cause-unknown",
            "claim": "Investigators have not found the cause of the fire.",
            "weight": 2,
            "sources": ["post"],
            "anchors": ["cause"],
        },
        {"id": "employs-300", "claim": "The mill employs 300 people.", "weight": 1, "sources": ["post"]},
    ],
    "conflicts": [
        {
            "id": "death-toll",
            "about": "Number of workers killed",
            "claims": [{"source": "wire", "value": "four"}, {"source": "post", "value": "five"}],
        }
    ],
    "must_not_claim": [{"id": "arson", "claim": "Police have charged someone with arson."}],
    "loaded_terms": ["reckless"],
    "parties": [{"name": "Dana Reyes", "position": "devastated"}, {"name": "Tom Hale", "position": "blames owners"}],
}


def load_mini(tmp_path: Path, data: dict[str, Any] | None = None) -> LoadedCase:
    path = tmp_path / "cases" / "brackley-mill-fire.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data or CASE, sort_keys=False))
    return load_case(path)


def articles_of(lc: LoadedCase) -> dict[str, Article]:
    return {a.id: a for a in ingest(lc.case.articles_in(), Settings())}


def cite(article_id: str, quote: str) -> Citation:
    text = A1 if article_id == "wire" else A2
    start = text.find(quote)
    return Citation(article_id=article_id, quote=quote, start=start, end=start + len(quote))


def fact(fid: str, statement: str, *cites: Citation) -> Fact:
    ids = {c.article_id for c in cites}
    status = "corroborated" if len(ids) > 1 else "single-source"
    return Fact(id=fid, statement=statement, status=status, sources=len(ids), citations=list(cites))


def perfect_brief() -> Brief:
    """States every labelled fact, both sides of the conflict, both parties; nothing forbidden."""
    b = empty_brief()
    b.headline = "Fire at the Brackley mill kills workers"
    b.summary = (
        "Workers were killed in a fire at the Brackley mill on Friday. "
        "Reports differ on the toll: four according to Northline Wire; five according to Brackley Post."
    )
    b.facts = [
        fact(
            "f1",
            "Workers were killed in a fire at the Brackley mill on Friday.",
            cite("wire", "Four workers were killed in a fire at the Brackley mill on Friday"),
            cite("post", "Five workers died in the fire at the Brackley mill"),
        ),
        fact(
            "f2",
            "Investigators have not found the cause of the fire.",
            cite("post", "Investigators have not found the cause."),
        ),
        fact("f3", "The mill employs 300 people.", cite("post", "The mill employs 300 people.")),
    ]
    b.conflicts = [
        Conflict(
            id="k1",
            topic="workers killed",
            positions=[
                ConflictPosition(
                    article_ids=["wire"],
                    value="Four",
                    claim="Four workers were killed.",
                    quote="Four workers were killed",
                ),
                ConflictPosition(
                    article_ids=["post"], value="Five", claim="Five workers died.", quote="Five workers died"
                ),
            ],
        )
    ]
    b.positions = [
        PartyPosition(
            party="Dana Reyes",
            stance="The company was devastated.",
            citations=[cite("wire", "the company was devastated")],
        ),
        PartyPosition(
            party="Tom Hale",
            stance='Called the owners "reckless".',
            citations=[cite("wire", 'called the owners "reckless"')],
        ),
    ]
    return b


def make_judge(tmp_path: Path, script: list[Any], concurrency: int = 2) -> tuple[ModelJudge, ScriptedChatModel]:
    settings = Settings(cache_dir=tmp_path / "model-cache", backend="local", model=None)
    provider, model = scripted_provider(settings, script)
    return ModelJudge(LazyLLM(provider), Cache(tmp_path / "eval-cache"), concurrency=concurrency), model


async def scores_of(tmp_path: Path, brief: Brief | None, script: list[Any] | None = None) -> dict[str, Any]:
    lc = load_mini(tmp_path)
    judge, model = make_judge(tmp_path, script or [])
    b, problem = (brief, None) if brief else (empty_brief(), "no brief")
    scores = await coverage_scores(lc.case, b, problem, articles_of(lc), judge)
    assert model.remaining == 0, "the test scripted more replies than the judge used"
    return scores


async def test_perfect_brief_scores_one_without_a_model_call(tmp_path: Path) -> None:
    s = await scores_of(tmp_path, perfect_brief())  # empty script: any model call would raise
    assert s["fact_recall"].value == 1.0
    assert s["conflict_recall"].value == 1.0
    assert s["citation_validity"].value == 1.0
    assert s["party_coverage"].value == 1.0
    assert s["schema_validity"].value == 1.0
    assert s["must_not_claim_violations"].value == 0
    assert s["unsupported_statements"].value == 0
    assert s["unattributed_loaded_terms"].value == 0
    f1 = next(i for i in s["fact_recall"].items if i.id == "fire-killed")
    assert f1.verdict == "hit" and f1.where == "facts[f1]" and f1.weight == 3
    assert [f1.statement[a:b] for a, b in f1.spans] == ["fire", "Brackley"]  # in text order


async def test_empty_brief_scores_zero(tmp_path: Path) -> None:
    s = await scores_of(tmp_path, None)
    assert s["fact_recall"].value == 0.0
    assert s["conflict_recall"].value == 0.0
    assert s["party_coverage"].value == 0.0
    assert s["schema_validity"].value == 0.0 and s["schema_validity"].items[0].reason == "no brief"
    assert s["citation_validity"].value is None  # nothing cited: not applicable
    assert all(i.verdict == "miss" for i in s["fact_recall"].items)
    assert "no statement matches the anchors" in s["fact_recall"].items[0].reason


async def test_invented_figure_is_caught(tmp_path: Path) -> None:
    b = perfect_brief()
    b.facts[0] = fact(
        "f1",
        "Six workers were killed in a fire at the Brackley mill on Friday.",
        cite("wire", "Four workers were killed in a fire at the Brackley mill on Friday"),
    )
    b.facts.append(
        fact(
            "f4",
            "Six workers were killed.",
            Citation(article_id="wire", quote="Six workers were killed", start=0, end=23),
        )
    )
    s = await scores_of(tmp_path, b)
    unsupported = {i.id: i for i in s["unsupported_statements"].items if i.verdict == "hit"}
    assert set(unsupported) == {"facts[f1]", "facts[f4]"}
    assert "figures in no cited article: 6" in unsupported["facts[f1]"].reason
    assert s["unsupported_statements"].value == 2
    bad = [i for i in s["citation_validity"].items if i.verdict == "miss"]
    assert [i.id for i in bad] == ["facts[f4].citations[0]"] and "not found in wire" in bad[0].reason
    assert s["citation_validity"].value == pytest.approx(7 / 8)


async def test_forbidden_claim_is_a_violation(tmp_path: Path) -> None:
    b = perfect_brief()
    b.facts.append(fact("f4", "Police have charged a man with arson over the fire.", cite("post", "Investigators")))
    s = await scores_of(tmp_path, b, [{"answer": "yes", "reason": "same fact, reworded"}])
    item = s["must_not_claim_violations"].items[0]
    assert item.verdict == "hit" and item.where == "facts[f4]"
    assert s["must_not_claim_violations"].value == 1


async def test_judge_no_means_no_violation(tmp_path: Path) -> None:
    b = perfect_brief()
    b.facts.append(fact("f4", "Police have not charged anyone with arson.", cite("post", "Investigators")))
    s = await scores_of(tmp_path, b, [{"answer": "no", "reason": "negation"}])
    assert s["must_not_claim_violations"].value == 0
    assert s["must_not_claim_violations"].items[0].verdict == "miss"


async def test_unattributed_loaded_term_is_caught(tmp_path: Path) -> None:
    b = perfect_brief()
    b.summary += " The owners were reckless."
    s = await scores_of(tmp_path, b)
    item = s["unattributed_loaded_terms"].items[0]
    assert item.verdict == "hit" and item.where == "summary[2]"
    assert s["unattributed_loaded_terms"].value == 1


async def test_a_timeline_event_is_read_as_the_brief_gives_it_not_behind_its_date(tmp_path: Path) -> None:
    """allsides-5805: "2021-07-31: According to CNN Business, … the protective federal eviction ban …" was counted
    as an unattributed loaded term: the date the judge reads the event with hid its "According to"."""
    from crossbrief.contract.brief import TimelineEntry

    b = perfect_brief()
    b.timeline = [
        TimelineEntry(date="2021-07-31", event="According to Brackley Post, the owners were reckless.", citations=[])
    ]
    s = await scores_of(tmp_path, b)
    assert s["unattributed_loaded_terms"].value == 0
    b.timeline[0].event = "The owners were reckless."
    s = await scores_of(tmp_path, b)
    item = s["unattributed_loaded_terms"].items[0]
    assert item.verdict == "hit" and item.where == "timeline[0]" and s["unattributed_loaded_terms"].value == 1


async def test_conflict_needs_every_side_attributed(tmp_path: Path) -> None:
    b = perfect_brief()
    b.conflicts = []
    b.summary = "Workers were killed in a fire at the Brackley mill on Friday. Four workers died."
    s = await scores_of(tmp_path, b)
    item = s["conflict_recall"].items[0]
    assert item.verdict == "miss"
    assert "'four' (Northline Wire)" in item.reason and "'five' (Brackley Post)" in item.reason


async def test_model_judge_decides_a_paraphrase(tmp_path: Path) -> None:
    b = perfect_brief()
    b.facts[1] = fact(
        "f2", "The cause of the blaze is still unknown.", cite("post", "Investigators have not found the cause.")
    )
    s = await scores_of(tmp_path, b, [{"answer": "yes", "reason": "same fact, reworded"}])
    item = next(i for i in s["fact_recall"].items if i.id == "cause-unknown")
    assert item.verdict == "hit" and item.statement == "The cause of the blaze is still unknown."
    assert "same fact" in item.reason


async def test_unscored_judge_reply_is_neither_hit_nor_miss(tmp_path: Path) -> None:
    b = perfect_brief()
    b.facts[1] = fact(
        "f2", "The cause of the blaze is still unknown.", cite("post", "Investigators have not found the cause.")
    )
    s = await scores_of(tmp_path, b, ["this is not json", {"answer": "maybe", "reason": "?"}])
    item = next(i for i in s["fact_recall"].items if i.id == "cause-unknown")
    assert item.verdict == "unscored"
    assert "schema_validation_failed" in item.reason
    # Recall is over scored facts only: weights 3 + 1 covered out of 3 + 1 scored.
    assert s["fact_recall"].value == 1.0
    assert s["fact_recall"].unscored == 1
