"""Direct quotations and their speakers found by code."""

from __future__ import annotations

import pytest

from service.pipeline.quotes import extract_quotes
from service.pipeline.segment import segment
from service.pipeline.types import QuoteMention
from tests.seed_text import article, seeds


def seed_quotes(aid: str) -> list[QuoteMention]:
    arts, sentences = seeds()
    a = next(x for x in arts if x.id == aid)
    return extract_quotes(a, [s for s in sentences if s.article_id == aid])


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
