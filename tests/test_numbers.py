"""Figures found by code: parsing numbers and the counted figures of sentences."""

from __future__ import annotations

import pytest

from service.pipeline.numbers import extract_numbers, number_values, parse_numbers
from service.pipeline.segment import segment
from service.pipeline.types import NumberMention
from tests.seed_text import article, seeds


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
        ("sentenced to 22 1/2 years, or 22 and a half, not 22.5 days late", [22.5, 22.5, 22.5]),  # allsides-5918
        ("1 1/2 million people", [1_500_000]),
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
