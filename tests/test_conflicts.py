"""Conflict candidates: figures in different articles that look like one quantity but differ."""

from __future__ import annotations

import warnings

from service.pipeline.conflicts import find_conflict_candidates
from service.pipeline.numbers import extract_numbers
from service.pipeline.segment import segment
from service.pipeline.types import Sentence
from tests.seed_text import article, seeds


def test_seed_conflicts_are_the_death_toll_and_release_counts() -> None:
    _, sentences = seeds()
    candidates = find_conflict_candidates(extract_numbers(sentences), sentences)
    found = {frozenset((m.article_id, m.value) for m in c.mentions) for c in candidates}
    assert found == {
        frozenset({("al-jazeera", 19667), ("english-outlet", 19500)}),
        frozenset({("al-jazeera", 86), ("cnn", 80)}),
        frozenset({("al-jazeera", 24), ("cnn", 25)}),
    }
    assert [c.id for c in candidates] == ["c1", "c2", "c3"]
    assert len(find_conflict_candidates(extract_numbers(sentences), sentences, max_candidates=1)) == 1


def two_articles(a_body: str, b_body: str) -> list[Sentence]:
    return segment(article(a_body, "a")) + segment(article(b_body, "b"))


def test_same_quantity_with_different_values_is_a_candidate() -> None:
    sentences = two_articles("At least 100 people were killed in the blast.", "Officials said 120 people were killed.")
    (c,) = find_conflict_candidates(extract_numbers(sentences), sentences)
    assert sorted(m.value for m in c.mentions) == [100, 120]


def test_article_stating_both_values_is_not_a_disagreement() -> None:
    sentences = two_articles(
        "At least 100 people were killed in the blast. Another 120 people were killed in the north.",
        "Officials said 120 people were killed.",
    )
    assert find_conflict_candidates(extract_numbers(sentences), sentences) == []


def test_a_toll_that_counts_the_gunman_in_is_not_a_disagreement_with_one_that_does_not() -> None:
    # allsides-6006: "nine dead, including the gunman" (The Guardian) and "killed eight" (New York Post)
    with_him = "A shooting at a rail yard in San Jose has left at least 9 people dead, including the gunman."
    sentences = two_articles(with_him, "A transit worker killed at least 8 people at the rail yard.")
    assert find_conflict_candidates(extract_numbers(sentences), sentences) == []
    sentences = two_articles(with_him.replace("9", "10"), "A transit worker killed at least 8 people at the rail yard.")
    (c,) = find_conflict_candidates(extract_numbers(sentences), sentences)  # two apart: still a disagreement
    assert sorted(m.value for m in c.mentions) == [8, 10]


def test_values_more_than_twice_apart_or_unrelated_are_not_candidates() -> None:
    sentences = two_articles(
        "Hamas wants 40 hostages freed. The city has 12 hospitals.",
        "Almost 19,500 Palestinians have been killed. About 20 schools reopened after 9 bridges fell.",
    )
    assert find_conflict_candidates(extract_numbers(sentences), sentences) == []


def test_tf_idf_emits_no_warnings() -> None:
    _, sentences = seeds()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(find_conflict_candidates(extract_numbers(sentences), sentences)) == 3


def test_a_summary_gives_the_toll_before_other_disagreements() -> None:
    from service.pipeline.conflicts import summary_first
    from service.schemas import Conflict, ConflictPosition

    def conflict(cid: str, topic: str) -> Conflict:
        sides = [ConflictPosition(article_ids=[a], value=v, claim=v, quote=v) for a, v in (("a", "24"), ("b", "25"))]
        return Conflict(id=cid, topic=topic, positions=sides)

    found = [
        conflict("k1", "number of foreign nationals released"),
        conflict("k2", "share of gas stations"),
        conflict("k3", "number of injured"),
        conflict("k4", "number of people killed"),
    ]
    assert [c.id for c in summary_first(found)] == ["k4", "k3", "k1", "k2"]
