"""Signals: figures, quotes and conflicting figures found by code."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from service.pipeline.ingest import normalise_text
from service.pipeline.segment import segment
from service.pipeline.signals import (
    extract_numbers,
    extract_quotes,
    find_conflict_candidates,
    number_values,
    parse_numbers,
)
from service.pipeline.types import Article, NumberMention, QuoteMention, Sentence

SEEDS = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "seeds" / "articles"


def article(body: str, aid: str = "a") -> Article:
    return Article(id=aid, outlet=aid, text=normalise_text(body))


@cache
def seeds() -> tuple[list[Article], list[Sentence]]:
    arts = [article(p.read_text(encoding="utf-8"), p.stem) for p in sorted(SEEDS.glob("*.txt"))]
    return arts, [s for a in arts for s in segment(a)]


def seed_quotes(aid: str) -> list[QuoteMention]:
    arts, sentences = seeds()
    a = next(x for x in arts if x.id == aid)
    return extract_quotes(a, [s for s in sentences if s.article_id == aid])


def values(text: str) -> list[float]:
    return [v for _, v, _, _ in parse_numbers(text)]


def mentions_of(body: str, aid: str = "a") -> list[NumberMention]:
    return extract_numbers(segment(article(body, aid)))


# ---------------------------------------------------------------- parse_numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("At least 19,667 people", [19667]),
        ("about 1.5 million Palestinians", [1_500_000]),
        ("$2.3 billion in aid and 1,200 people", [2_300_000_000, 1200]),
        ("40% of homes and 90 percent of people, 5 per cent", [40, 90, 5]),
        ("Eighty Israelis and twenty-five others", [80, 25]),
        ("two hundred and forty prisoners, a dozen trucks, two dozen tents", [240, 12, 24]),
        ("a thousand people and one hundred cars", [1000, 100]),
        ("dozens of people, hundreds of homes, thousands fled", []),
        ("the 21st century, the first time, the 2nd round, 3rd and 4th", []),
        ("COVID-19, flight A320, see https://x.com/2023/12/19/story-42 or mail a1@b.org, 10:30", []),
        ("dated 2024-01-30 and 12/19/2023", []),
        ("Air Force One, no one, one of them, one Filipino", [1]),
    ],
)
def test_parse_numbers_values(text: str, expected: list[float]) -> None:
    assert values(text) == expected


def test_parse_numbers_raw_and_offsets() -> None:
    text = "Some 1.9 million fled; about 90 percent of Gaza; Eighty were freed."
    found = parse_numbers(text)
    assert [raw for raw, _, _, _ in found] == ["1.9 million", "90 percent", "Eighty"]
    for raw, _, start, end in found:
        assert text[start:end] == raw


def test_number_values_ignores_formatting() -> None:
    assert number_values("19,667 killed") == number_values("19667 killed") == {19667.0}
    assert number_values("no figures here") == set()


# ---------------------------------------------------------------- extract_numbers


def test_counted_words_qualifier_and_event_verb() -> None:
    (m,) = mentions_of("Intro line.\nAt least 19,667 people, mostly women and children, have been killed.")
    assert (m.raw, m.value, m.qualifier, m.counted) == ("At least 19,667", 19667, "at least", "people killed")


def test_mention_offsets_are_article_offsets() -> None:
    a = article(
        "First sentence here. Second one.\nHamas released 86 women and children and 24 foreign nationals."
    )
    ms = extract_numbers(segment(a))
    assert [(m.raw, m.counted) for m in ms] == [
        ("86", "women children released"),
        ("24", "foreign nationals released"),
    ]
    for m in ms:
        assert a.text[m.start : m.end] == m.raw and m.start > 30


def test_years_and_days_of_month_are_skipped() -> None:
    body = "On October 7, 2023, fighters attacked. In 2023 and on 24 November 1,200 people were killed."
    assert [m.value for m in mentions_of(body)] == [1200]


def test_four_digit_count_with_a_counted_noun_is_kept() -> None:
    assert [m.value for m in mentions_of("About 2000 troops were deployed in 2021.")] == [2000]


def test_enumeration_in_parentheses_gives_a_sum() -> None:
    arts, sentences = seeds()
    cnn = [m for m in extract_numbers(sentences) if m.article_id == "cnn"]
    total = next(m for m in cnn if m.value == 25)
    assert total.raw == "23 Thai nationals, one Filipino, and one Russian-Israeli dual citizen"
    assert total.counted == "foreign nationals released"
    assert any(m.value == 23 and m.counted == "thai nationals released" for m in cnn)


def test_seed_mentions_have_exact_offsets() -> None:
    arts, sentences = seeds()
    texts = {a.id: a.text for a in arts}
    mentions = extract_numbers(sentences)
    assert len(mentions) > 15
    for m in mentions:
        assert texts[m.article_id][m.start : m.end] == m.raw
    assert not any(m.value in (7, 2023, 2024) for m in mentions)  # dates and years


# ---------------------------------------------------------------- quotes


@pytest.mark.parametrize(
    ("body", "quote", "speaker"),
    [
        (
            "“We will not stop now,” Prime Minister Jane Doe said on Monday.",
            "We will not stop now",
            "Jane Doe",
        ),
        ("Jane Doe said: “The talks went very well.”", "The talks went very well.", "Jane Doe"),
        ('"This is a good deal," said John Smith.', "This is a good deal", "John Smith"),
        ("“It is over now,” according to the White House.", "It is over now", "White House"),
        (
            "John Smith, the foreign minister, said “we are ready to talk”.",
            "we are ready to talk",
            "John Smith",
        ),
        (
            "«We are ready to talk», Emmanuel Macron told reporters.",
            "We are ready to talk",
            "Emmanuel Macron",
        ),
        (
            "“More prisoners than before,” an Israeli official said.",
            "More prisoners than before",
            "an Israeli official",
        ),
        (
            "Mary Major said the talks failed. “We want peace now,” she said.",
            "We want peace now",
            "Mary Major",
        ),
        ("“Nobody knows what comes next,” the report concluded.", "Nobody knows what comes next", None),
    ],
)
def test_quote_and_speaker(body: str, quote: str, speaker: str | None) -> None:
    a = article(body)
    (q,) = extract_quotes(a, segment(a))
    assert (q.text, q.speaker) == (quote, speaker)
    assert a.text[q.start : q.end] == q.text


def test_short_quotes_are_ignored() -> None:
    a = article("Biden called the bombing “indiscriminate” and a “moral failure”.")
    assert extract_quotes(a, segment(a)) == []


def test_pronoun_without_a_named_speaker_before_is_none() -> None:
    a = article("The weather was cold. “We want peace now,” he said.")
    assert [q.speaker for q in extract_quotes(a, segment(a))] == [None]


def test_seed_quotes_kirby_and_herzog() -> None:
    kirby = [q for q in seed_quotes("arabic-outlet") if "very serious" in q.text]
    assert [(q.speaker, q.text[:28]) for q in kirby] == [("John Kirby", "These are very serious discu")]
    herzog = [q for q in seed_quotes("al-jazeera") if q.text.startswith("Israel is ready for another")]
    assert [q.speaker for q in herzog] == ["Herzog"]
    assert herzog[0].sentence_id == "al-jazeera#2"


def test_seed_quotes_pronouns_resolved() -> None:
    english = {q.text[:20]: q.speaker for q in seed_quotes("english-outlet")}
    assert english["The responsibility l"] == "Herzog"  # “...,” he said
    arabic = {q.text[:20]: q.speaker for q in seed_quotes("arabic-outlet")}
    assert arabic["The movement's deleg"] == "Al-Nono"  # He added, "..."
    assert arabic["We are putting press"] == "Joe Biden"  # but he told reporters


def test_seed_quote_offsets_are_exact() -> None:
    arts, _ = seeds()
    for a in arts:
        for q in seed_quotes(a.id):
            assert a.text[q.start : q.end] == q.text
            assert len(q.text.split()) >= 3


# ---------------------------------------------------------------- conflicts


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
    sentences = two_articles(
        "At least 100 people were killed in the blast.", "Officials said 120 people were killed."
    )
    (c,) = find_conflict_candidates(extract_numbers(sentences), sentences)
    assert sorted(m.value for m in c.mentions) == [100, 120]


def test_article_stating_both_values_is_not_a_disagreement() -> None:
    sentences = two_articles(
        "At least 100 people were killed in the blast. Another 120 people were killed in the north.",
        "Officials said 120 people were killed.",
    )
    assert find_conflict_candidates(extract_numbers(sentences), sentences) == []


def test_values_more_than_twice_apart_or_unrelated_are_not_candidates() -> None:
    sentences = two_articles(
        "Hamas wants 40 hostages freed. The city has 12 hospitals.",
        "Almost 19,500 Palestinians have been killed. About 20 schools reopened after 9 bridges fell.",
    )
    assert find_conflict_candidates(extract_numbers(sentences), sentences) == []
