"""Segment: exact offsets, junk dropped, long sentences cut."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from service.pipeline.ingest import normalise_text
from service.pipeline.segment import MAX_SENTENCE_CHARS, segment
from service.pipeline.types import Article, Sentence
from service.text import sentences as sentences_module

SEEDS = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "seeds" / "articles"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def article(body: str, aid: str = "a") -> Article:
    return Article(id=aid, outlet="Outlet", text=normalise_text(body))


def seed(path: Path) -> Article:
    return article(path.read_text(encoding="utf-8"), path.stem)


def check_invariants(a: Article, sentences: list[Sentence]) -> None:
    prev_end = 0
    for i, s in enumerate(sentences):
        assert a.text[s.start : s.end] == s.text
        assert s.id == f"{a.id}#{i}" and s.index == i and s.article_id == a.id
        assert s.text == s.text.strip() and s.start >= prev_end
        assert sum(ch.isalpha() for ch in s.text) >= 2
        assert len(s.text) <= MAX_SENTENCE_CHARS
        assert not s.text.startswith(("*", "-", "#"))
        prev_end = s.end


def test_seed_files_exist() -> None:
    assert len(SEED_FILES) == 5


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_offsets_are_exact_on_every_seed_sentence(path: Path) -> None:
    a = seed(path)
    sentences = segment(a)
    assert len(sentences) >= 10
    check_invariants(a, sentences)
    assert not any(set(s.text) <= set("-* ") for s in sentences)


def test_seed_sentences_look_right() -> None:
    a = seed(SEEDS / "al-jazeera.txt")
    sentences = segment(a)
    assert sentences[0].text == "Israel signals readiness for new temporary truce in Gaza as pressure mounts"
    assert sentences[1].text.startswith("Israeli President Isaac Herzog has said")
    assert any(
        s.text == "Hamas also released 24 foreign nationals during the pause in fighting." for s in sentences
    )


def test_repeated_lines_get_their_own_offsets() -> None:
    a = seed(SEEDS / "english-outlet.txt")
    dup = [
        s for s in segment(a) if s.text == "US envoys work for hostage release deal, scale-down of Gaza war"
    ]
    assert len(dup) == 2 and dup[0].start != dup[1].start


def test_junk_is_dropped_and_leading_markdown_stripped() -> None:
    a = article("** Herzog said yes.\n-----\n**\n\n*\nHello world. Second one here.\n“ ”\nA")
    texts = [s.text for s in segment(a)]
    assert texts == ["Herzog said yes.", "Hello world.", "Second one here."]
    check_invariants(a, segment(a))


def test_long_sentences_are_cut_at_semicolons_then_commas() -> None:
    clause = "the negotiators met again in the capital to discuss the terms of the new truce"
    body = "; ".join([clause] * 12) + ", " + ", ".join([clause] * 10) + "."
    a = article(body)
    sentences = segment(a)
    check_invariants(a, sentences)
    assert len(sentences) >= 3
    assert sentences[0].text.endswith(";")
    assert any(s.text.endswith(",") for s in sentences)
    assert sum(len(s.text) for s in sentences) >= len(body) - 2 * len(sentences)


def test_long_run_without_breaks_is_hard_cut() -> None:
    a = article("x" * 1500 + ".")
    sentences = segment(a)
    check_invariants(a, sentences)
    assert [len(s.text) for s in sentences] == [600, 600, 301]


def test_bad_pysbd_offsets_are_repaired(monkeypatch: pytest.MonkeyPatch) -> None:
    class Span:
        def __init__(self, sent: str, start: int, end: int) -> None:
            self.sent, self.start, self.end = sent, start, end

    class WrongOffsets:
        def __init__(self, **_: object) -> None:
            pass

        def segment(self, text: str) -> list[Span]:
            return [Span("First one.", 5, 15), Span(" Second one.", 0, 12)]

    monkeypatch.setattr(sentences_module.pysbd, "Segmenter", WrongOffsets)
    a = article("First one. Second one.")
    sentences = segment(a)
    check_invariants(a, sentences)
    assert [s.text for s in sentences] == ["First one.", "Second one."]


def test_segment_is_thread_safe() -> None:
    arts = [seed(p) for p in SEED_FILES] * 4
    expected = [segment(a) for a in arts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(segment, arts)) == expected


def test_a_clock_time_followed_by_its_time_zone_does_not_end_the_sentence() -> None:
    text = (
        "The shooting began at 6:34 a.m. Pacific Time (1330 GMT) at a light-rail yard in San Jose. "
        "Police arrived at 7 a.m. The yard was closed."
    )
    sentences = [s.text for s in segment(Article(id="r", outlet="Reuters", text=text))]
    assert sentences == [
        "The shooting began at 6:34 a.m. Pacific Time (1330 GMT) at a light-rail yard in San Jose.",
        "Police arrived at 7 a.m.",
        "The yard was closed.",
    ]


def test_a_comma_after_a_state_abbreviation_does_not_open_a_sentence() -> None:
    # allsides-6098: pysbd ended the sentence at "R-Tenn.", and the brief stated ", told Fox News, adding …"
    text = (
        '"This deserves a Senate investigation," Sen. Marsha Blackburn, R-Tenn., told Fox News, adding that Kerry '
        'has "put our men and women in uniform at risk." The State Department declined to comment.'
    )
    sentences = [s.text for s in segment(Article(id="n", outlet="Newsmax", text=text))]
    assert sentences == [text.split(" The State")[0], "The State Department declined to comment."]
