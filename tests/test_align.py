"""Alignment groups what different outlets say alike; headlines and repeats are not facts."""

from __future__ import annotations

from service.pipeline.align import align, distinct_texts, is_statement
from service.pipeline.segment import segment
from service.pipeline.select import representative
from service.pipeline.types import Article
from tests.conftest import SEED_OUTLETS, SEEDS


def arts(*texts: str) -> list[Article]:
    return [Article(id=f"a{i}", outlet=f"O{i}", text=t) for i, t in enumerate(texts)]


def test_same_fact_in_two_outlets_is_one_corroborated_group() -> None:
    a, b = arts(
        "The river Lenn burst its banks in Harwick on Tuesday. The mayor praised volunteers.",
        "Volunteers filled sandbags all night. On Tuesday the river Lenn burst its banks in Harwick.",
    )
    groups = align(segment(a) + segment(b))
    top = groups[0]
    assert top.article_ids == ["a0", "a1"]
    assert all("Lenn" in s.text for s in top.sentences)
    assert all(len(g.article_ids) == 1 for g in groups[1:])


def test_one_sentence_per_article_per_group_and_repeats_dropped() -> None:
    line = "The council approved the budget of the town on Monday evening."
    a, b = arts(f"{line}\n{line}", "On Monday evening the council approved the town budget.")
    groups = align(segment(a) + segment(b))
    assert len(groups) == 1
    assert sorted(s.article_id for s in groups[0].sentences) == ["a0", "a1"]


def test_headlines_and_datelines_are_not_statements() -> None:
    assert not is_statement("Israel signals readiness for new temporary truce in Gaza as pressure mounts")
    assert not is_statement("Mondo International Updated on 2024-01-30")
    assert is_statement("Herzog said Israel is ready for another humanitarian pause.")


def test_seed_alignment_finds_herzog_across_outlets() -> None:
    articles = [Article(id=k, outlet=v, text=(SEEDS / f"{k}.txt").read_text()) for k, v in SEED_OUTLETS.items()]
    groups = align([s for a in articles for s in segment(a)])
    herzog = [g for g in groups if any("Herzog" in s.text for s in g.sentences) and len(g.article_ids) >= 2]
    assert herzog, "Herzog's offer is reported by several outlets"
    for g in groups:
        assert len(g.article_ids) == len(g.sentences)  # never two sentences of one article
    rep = representative(herzog[0])
    assert rep in herzog[0].sentences
    assert len(distinct_texts(herzog[0])) <= 3


def test_a_fragment_cut_off_too_early_is_no_fact_but_a_mendable_cut_is() -> None:
    from service.pipeline.select import pick_groups
    from service.pipeline.types import FactGroup, Sentence

    def group(gid: str, text: str) -> FactGroup:
        return FactGroup(gid, [Sentence(f"a#{gid}", "a", 0, text, 0, len(text))])

    fragment = group("g1", '"This is probably the most comprehensive...')
    mendable = group("g2", "The Senate voted 54-35 to advance the package, with six Republicans joining on the b...")
    top, chosen, to_write = pick_groups([fragment, mendable], [], limit=5, rewrites=2)
    assert [g.id for g in top] == ["g2"] and not to_write


def test_a_sentence_that_introduces_a_list_is_no_fact() -> None:
    # allsides-5756: Axios's "Here are figures Kirby provided, by branch:" was stated as a fact of its own
    from service.pipeline.clean import standalone_problem
    from service.pipeline.select import pick_groups
    from service.pipeline.types import FactGroup, Sentence

    text = "Here are figures Kirby provided, by branch:"
    assert standalone_problem(text, ()) == "introduces what follows (ends with a colon)"
    assert standalone_problem("Kirby provided figures by branch.", ()) is None
    lead_in = FactGroup("g1", [Sentence("a#g1", "a", 0, text, 0, len(text))])
    news = "Navy: 73% fully vaccinated, 79% with at least one dose."
    listed = FactGroup("g2", [Sentence("a#g2", "a", 1, news, 50, 50 + len(news))])
    top, chosen, to_write = pick_groups([lead_in, listed], [], limit=5, rewrites=2)
    assert [g.id for g in top] == ["g2"] and not to_write  # no model call is spent on it either


def test_one_figure_for_one_thing_joins_two_outlets_in_other_words() -> None:
    # The seed's Israeli toll: Al Jazeera ("killing about 1,200 people and taking about 240 others hostage") and the
    # English-language outlet ("Israel says 1,200 people were left dead") tell it in other words.
    from service.pipeline.numbers import extract_numbers

    articles = [Article(id=k, outlet=v, text=(SEEDS / f"{k}.txt").read_text()) for k, v in SEED_OUTLETS.items()]
    sentences = [s for a in articles for s in segment(a)]

    def toll(groups: list) -> list[list[str]]:
        return [g.article_ids for g in groups if any("1,200 people" in s.text for s in g.sentences)]

    assert sorted(toll(align(sentences))) == [["al-jazeera"], ["english-outlet"]]  # words alone: two one-outlet facts
    assert toll(align(sentences, mentions=extract_numbers(sentences))) == [["al-jazeera", "english-outlet"]]
    # the same figure for different things stays apart: 240 taken hostage, not the 240 prisoners released
    joined = align(sentences, mentions=extract_numbers(sentences))
    hostages = next(g for g in joined if any("240 others hostage" in s.text for s in g.sentences))
    assert not any("240 Palestinians were released" in s.text for s in hostages.sentences)


def test_a_figure_that_begins_a_title_joins_nothing() -> None:
    # allsides-5648: two outlets name CBS' "60 Minutes" in sentences that tell different facts.
    from service.pipeline.numbers import extract_numbers

    a, b = arts(
        "Haugen revealed her identity during an interview with CBS' 60 Minutes on Sunday, October 3.",
        "Facebook chooses profits over safety, Frances Haugen said in an interview with 60 Minutes on Sunday night.",
    )
    sentences = segment(a) + segment(b)
    plain = {tuple(g.article_ids) for g in align(sentences)}
    assert plain == {tuple(g.article_ids) for g in align(sentences, mentions=extract_numbers(sentences))}
