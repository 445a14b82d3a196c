"""The staged pipeline's control flow on the seed articles with a scripted model: invented numbers are
rejected and the group keeps its source sentences, confirmed conflicts become disputed facts with every
figure attributed, a summary sentence that picks one figure is dropped on its own and the disagreement is
given by code, every model sentence gets a meaning verdict in meta."""

from __future__ import annotations

import re

import pytest

from service.config import REPO_ROOT, Settings
from service.llm import LLM
from service.pipeline import build_brief
from service.pipeline.attribution import outlet_name
from service.pipeline.clean import clean_statement, standalone_problem, statement_text
from service.pipeline.conflicts import summary_first
from service.pipeline.ingest import ingest
from service.pipeline.render import to_markdown
from service.pipeline.select import LOADED, fact_limit, needs_rewrite
from service.pipeline.staged import prepare
from service.pipeline.summary import conflict_sentence
from service.pipeline.verify import unattributed_terms
from service.schemas import ArticleIn, BriefOptions, BriefRequest
from tests.conftest import SEED_OUTLETS, seed_articles
from tests.fakes import RoutedScriptedChatModel, lead_reply, staged_routes, statements_reply

INVENTED = "Israel and Hamas signed a truce freeing 99,999 hostages."
ONE_FIGURE = "At least 19,667 people have been killed."
# the lead fact's words in another order (Hamas refuses the exchange itself, which no outlet says): the model decides
WAR_HEADLINE = "Hamas refuses the exchange of detainees in any form of negotiations"
TRUCE = (
    "Isaac Herzog said his country is willing to agree a new temporary truce with Hamas to secure the release of "
    "more captives."
)


@pytest.fixture
def scripted() -> tuple[LLM, RoutedScriptedChatModel, BriefRequest]:
    request = BriefRequest(articles=[ArticleIn(**a) for a in seed_articles()], options=BriefOptions(length="short"))
    # the lead fact is Mondo's "Hamas said … that the organization refuses to conduct any form of negotiations …"
    headline = "Hamas refuses to conduct any form of negotiations on the exchange of detainees"
    model = staged_routes(INVENTED, lead_reply(headline, [ONE_FIGURE, TRUCE]), n=16)
    llm = LLM(model, backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts")
    return llm, model, request


async def test_staged_brief_verifies_what_the_model_wrote(scripted) -> None:
    llm, model, request = scripted
    settings = Settings(staged_rewrites=24, staged_positions="model")
    brief = await build_brief(request, llm, settings)
    texts = {a.id: a.text for a in ingest(request.articles, settings)}
    outlets = {a.id: a.outlet for a in request.articles}

    # Groups with no sentence usable verbatim go to the model; its invented figure never reaches the brief:
    # code's check rejects it (the verdict is in meta) and the group keeps its source sentences.
    prep = prepare(ingest(request.articles, settings))
    assert all("99,999" not in f.statement for f in brief.facts)
    rejected = [m.group(1) for w in brief.meta.warnings if (m := re.match(r"fact (g\d+): model statement rejected", w))]
    assert rejected, brief.meta.warnings
    verdicts = {c.item: c for c in brief.meta.checks}
    for gid in rejected:
        g = next(g for g in prep.groups if g.id == gid)
        assert needs_rewrite(g)  # only groups with no plain sentence went to the model
        check = verdicts[f"facts[{gid}]"]
        assert not check.supported and check.by == "code"
        assert "99999" in check.reason or check.reason.startswith("it leaves out")  # or who else met (dropped_names)
        # a source sentence stands in only when its one fault is its length (never a loaded or dangling one)
        for f in brief.facts:
            if f.statement in {clean_statement(s.text) for s in g.sentences}:
                problem = standalone_problem(f.statement, LOADED)
                assert problem is None or problem.startswith("longer than")

    # Confirmed conflicts: disputed facts that give every figure with its outlet.
    toll = next(c for c in brief.conflicts if any("19,667" in p.value for p in c.positions))
    assert {a for p in toll.positions for a in p.article_ids} == {"al-jazeera", "english-outlet"}
    disputed = [f for f in brief.facts if f.status == "disputed"]
    assert any(
        "19,667 according to Al Jazeera" in f.statement and "19,500 according to" in f.statement for f in disputed
    )

    # The summary sentence that picked one figure is dropped on its own (its fact is stated in its outlet's
    # words); the other model sentence stays and the gravest disagreement (the toll, not the foreign nationals
    # released, which code found first) is given by code with every side.
    assert ONE_FIGURE not in brief.summary and TRUCE in brief.summary
    assert "released" in brief.conflicts[0].topic and "killed" in summary_first(brief.conflicts)[0].topic
    assert conflict_sentence(summary_first(brief.conflicts)[0], outlets) in brief.summary
    assert conflict_sentence(brief.conflicts[0], outlets) not in brief.summary
    assert any(re.match(r"facts\[f\d+\]: model sentence dropped", w) and ONE_FIGURE in w for w in brief.meta.warnings)
    summary_by = [v for k, v in brief.meta.provenance.items() if k.startswith("summary[")]
    assert "model" in summary_by and brief.meta.provenance["headline"] == "model"
    assert verdicts["headline"].supported
    assert any(k.startswith("facts[f") and v.supported and v.text == TRUCE for k, v in verdicts.items())

    # The editor's Markdown lists what the model wrote and its sources do not support, with the reason.
    markdown = to_markdown(brief)
    refused = [c for c in brief.meta.checks if not c.supported]
    assert refused and "## Model text left out" in markdown
    assert all(f"“{c.text}” — {c.reason}" in markdown for c in refused)

    # Parties the model skipped fall back to a cited source sentence.
    for p in brief.positions:
        assert p.citations and texts[p.citations[0].article_id][p.citations[0].start : p.citations[0].end] == p.stance

    # Every citation is a verbatim slice; statuses follow the citations.
    for f in brief.facts:
        for c in f.citations:
            assert texts[c.article_id][c.start : c.end] == c.quote
        if f.status != "disputed":
            assert f.status == ("corroborated" if f.sources >= 2 else "single-source")
    assert brief.meta.tokens_in == 10 * len(brief.meta.llm_calls) + 10 * sum(
        c.attempts - 1 for c in brief.meta.llm_calls
    )


async def test_a_headline_the_check_rejects_is_replaced_by_a_complete_one() -> None:
    request = BriefRequest(articles=[ArticleIn(**a) for a in seed_articles()], options=BriefOptions(length="short"))
    model = staged_routes(INVENTED, lead_reply(WAR_HEADLINE, [TRUCE]), supported=False)
    llm = LLM(model, backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts")
    brief = await build_brief(request, llm, Settings())

    assert brief.headline != WAR_HEADLINE and brief.meta.provenance["headline"] == "code"
    assert not brief.headline.endswith(("…", "...")) and len(brief.headline.split()) <= 14
    assert any(c.item == "headline" and not c.supported and c.by == "model" for c in brief.meta.checks)
    # the summary is never only the disagreement lines: what happened comes first
    assert not brief.summary.startswith("Reports differ")


async def test_default_staged_states_facts_verbatim_and_calls_the_model_little() -> None:
    request = BriefRequest(articles=[ArticleIn(**a) for a in seed_articles()], options=BriefOptions(length="medium"))
    model = staged_routes(INVENTED, lead_reply("Palestinian group open to any initiative", [TRUCE]))
    llm = LLM(model, backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts")
    brief = await build_brief(request, llm, Settings())

    tasks = [c.task for c in brief.meta.llm_calls]
    assert tasks.count("fact_statements") <= 1 and tasks.count("brief_lead") == 1
    assert "party_positions" not in tasks and "headline_summary" not in tasks
    for f in brief.facts:
        if brief.meta.provenance[f"facts[{f.id}]"] == "model":  # the lead's checked sentence of Herzog's offer
            assert f.statement == TRUCE and "temporary truce" in f.citations[0].quote
        elif f.status != "disputed":  # stated in an outlet's own words: one of its citations, cleaned (and trimmed)
            stated = {t for c in f.citations for t in (clean_statement(c.quote), statement_text(c.quote))}
            if f.sources >= 2 or f.statement in stated:  # one outlet's sentence that names its outlet
                assert f.statement in stated
            else:  # one outlet's report says whose it is
                name = outlet_name(SEED_OUTLETS[f.citations[0].article_id])
                said, _, text = f.statement.partition(", ")
                if not said.startswith("According to"):  # it says "according to" already: "X reports that …"
                    said, _, text = f.statement.partition(" reports that")
                    text = text.removeprefix(",").strip()  # "X reports that, according to Reuters, …"
                    text = text[:1].upper() + text[1:]
                    assert said == name, f.statement
                else:
                    assert said == f"According to {name}", f.statement
                assert any(text[2:] == s[2:] and text[:2].lower() == s[:2].lower() for s in stated), f.statement
    for p in brief.positions:  # the outlet's sentence, saying whose it is
        quote = p.citations[0].quote
        said = f"According to {outlet_name(SEED_OUTLETS[p.citations[0].article_id])}, "
        assert p.stance == quote or (p.stance.startswith(said) and p.stance[len(said) + 1 :] == quote[1:]), p.stance


async def test_a_fact_whose_every_sentence_is_loaded_is_stated_as_its_outlets_report_not_left_out() -> None:
    # the seed's "Hamas … still holds about 129 of the … people it abducted": the rewrite fails its check, so
    # the news stays, in its outlet's words, as its outlet's report
    request = BriefRequest(articles=[ArticleIn(**a) for a in seed_articles()], options=BriefOptions(length="medium"))
    model = staged_routes(INVENTED, lead_reply("Palestinian group open to any initiative", [TRUCE]))
    llm = LLM(model, backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts")
    brief = await build_brief(request, llm, Settings())

    held = next(f for f in brief.facts if "129" in f.statement)
    assert held.statement.startswith("According to ") and "abducted" in held.statement
    assert not any("no neutral statement" in w for w in brief.meta.warnings)
    assert any("stated as" in w and "report" in w for w in brief.meta.warnings)
    assert not any(unattributed_terms(f.statement, LOADED) for f in brief.facts if f.status != "disputed")


async def test_a_long_cluster_states_more_facts_than_a_short_one_up_to_the_length_options_cap() -> None:
    # the seed's five articles hold 87 distinct groups: medium states 32 facts (the old cap of 22 left out the
    # talks' state, Kirby's "very serious", the phased release); a three-article story's 12 groups give 12
    assert fact_limit("medium", 87) == 32 and fact_limit("medium", 12) == 14 and fact_limit("long", 87) == 39
    assert fact_limit("short", 87) == 10
    request = BriefRequest(articles=[ArticleIn(**a) for a in seed_articles()], options=BriefOptions(length="medium"))
    model = staged_routes(INVENTED, lead_reply("Palestinian group open to any initiative", [TRUCE]))
    llm = LLM(model, backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts")
    brief = await build_brief(request, llm, Settings())
    assert len(brief.facts) > 22, len(brief.facts)
    said = [f.statement for f in brief.facts]
    assert any("very serious" in s for s in said) and any("in phases" in s for s in said), said


async def test_a_model_statement_that_copies_a_long_sentence_is_trimmed_as_code_trims_one_not_thrown_away() -> None:
    """In the AllSides briefs at 2116f03, 9 model statements were rejected as over 40 words: asked to name who
    "he" is, the 1.5B model copied the long sentence whole. It is stated without its trailing phrase, as a source
    sentence is (``clean.statement_text``), before its checks."""
    import asyncio

    from service.pipeline.support import SupportChecker
    from service.pipeline.tasks import TaskLog, write_statements
    from service.pipeline.types import FactGroup, Sentence

    printed = (
        "He said the U.S. murder rate increased nearly 30% in 2020, according to the FBI, making it the largest "
        "single-year increase since the agency began tracking the numbers in the 1960s and far outpacing the rise "
        "in other violent crimes."
    )
    copied = printed.replace("He said", "Attorney General Merrick Garland said", 1)
    named = "Attorney General Merrick Garland said the murder rate increased nearly 30% in 2020."
    group = FactGroup("g1", [Sentence("a#1", "a", 0, printed, 0, len(printed)), Sentence("b#1", "b", 0, named, 0, 80)])
    model = RoutedScriptedChatModel.from_routes(
        {"<group": [statements_reply(copied)], "<sources>": [{"supported": True}]}
    )
    llm = LLM(model, backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts")
    log = TaskLog()
    sem = asyncio.Semaphore(2)
    out = await write_statements(llm, [group], {"a": "AP", "b": "CNN"}, sem, log, SupportChecker(llm, sem, log))
    assert log.warnings == [], log.warnings
    assert out == {
        "g1": "Attorney General Merrick Garland said the U.S. murder rate increased nearly 30% in 2020, "
        "according to the FBI."
    }
    assert not log.warnings


async def test_a_model_statement_that_keeps_its_outlets_loaded_word_is_stated_as_their_report_not_thrown_away() -> None:
    """The seed brief's one statement call (12.6 s) rewrote "Hamas … still holds about 129 of the … people it
    abducted" shorter and kept "abducted", the outlet's word: the reply was thrown away and the outlet's own
    sentence stood as its report. The model's sentence now stands as the report of the outlet whose sentence
    prints the word; a loaded word no sentence of the group prints is still refused."""
    import asyncio

    from service.pipeline.support import SupportChecker
    from service.pipeline.tasks import TaskLog, write_statements
    from service.pipeline.types import FactGroup, Sentence

    printed = (
        "Hamas, the Islamic militant group considered a terrorist organisation by the US and European Union, still "
        "holds about 129 of the initial 240 or more people it abducted from Israel during its attack on October 7."
    )
    short = "Hamas still holds about 129 of the 240 or more people it abducted from Israel on October 7."
    group = FactGroup("g7", [Sentence("a#1", "a", 0, printed, 0, len(printed))])
    for written, expected in [
        (
            short,
            "According to English-language outlet, Hamas still holds about 129 of the 240 or more people it "
            "abducted from Israel on October 7.",
        ),
        (short.replace("abducted", "kidnapped"), None),
    ]:
        model = RoutedScriptedChatModel.from_routes(
            {"<group": [statements_reply(written)], "<sources>": [{"supported": True}]}
        )
        llm = LLM(model, backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts")
        log, sem = TaskLog(), asyncio.Semaphore(2)
        out = await write_statements(
            llm, [group], {"a": "English-language outlet"}, sem, log, SupportChecker(llm, sem, log), None, LOADED
        )
        assert out.get("g7") == expected, (out, log.warnings)
        if expected is None:
            assert any("model statement rejected (loaded term without attribution" in w for w in log.warnings)


async def test_a_sentence_cut_off_too_early_to_mend_is_not_given_to_the_statement_writer_nor_its_check() -> None:
    """allsides-5980: the group held Forbes' "The assault weapons ban will not..." and the Daily Wire's ruling; the
    model completed the cut as "The assault weapons ban will not be upheld by the … judge" and the check, given
    the cut too, passed it (the judge struck the ban down). The writer and its check now see the whole sentence."""
    import asyncio

    from service.pipeline.clean import mend_cut
    from service.pipeline.support import SupportChecker
    from service.pipeline.tasks import TaskLog, write_statements
    from service.pipeline.types import FactGroup, Sentence

    cut = "The assault weapons ban will not..."
    ruled = (
        "A federal judge in the Southern District of California ruled late on Friday that California’s "
        "controversial “assault weapons” ban is unconstitutional."
    )
    judge = (
        "The judge, Roger T. Benitez of the U.S. District Court for the Southern District of California, wrote that "
        "sections of the..."
    )
    assert mend_cut(judge) is None  # a subject and its apposition: the verb is what the cut took
    group = FactGroup("g1", [Sentence("f#1", "forbes", 0, cut, 0, len(cut)), Sentence("w#1", "wire", 0, ruled, 0, 90)])
    upheld = "The assault weapons ban will not be upheld by the Southern District of California judge."

    def check(messages) -> dict:  # a checker that reads the cut as the model did: "will not" … "be upheld"
        sources = str(messages[1].content).split("<sentence>")[0]
        return {"supported": "will not" in sources}

    model = RoutedScriptedChatModel.from_routes({"<group": [statements_reply(upheld)], "<sources>": [check]})
    llm = LLM(model, backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts")
    log, sem = TaskLog(), asyncio.Semaphore(2)
    out = await write_statements(
        llm, [group], {"forbes": "Forbes", "wire": "Daily Wire"}, sem, log, SupportChecker(llm, sem, log)
    )
    asked = str(model.history[0][1].content)
    assert ruled in asked and "will not" not in asked
    assert out == {}  # checked against the ruling alone
    assert "will not" not in str(model.history[1][1].content).split("<sentence>")[0]
