"""Headline and summary sentence by sentence (``lead``) and the meaning check (``support``), with a scripted
model: a failing sentence is dropped on its own, code settles what it can see exactly, the model's yes/no
decides the rest and is cached, every verdict is recorded."""

from __future__ import annotations

import asyncio

from service.config import REPO_ROOT
from service.llm import LLM
from service.pipeline.lead import LeadWriter, headline_problem
from service.pipeline.summary import conflict_sentence, shorten_headline
from service.pipeline.support import SupportChecker, code_verdict
from service.pipeline.tasks import TaskLog
from tests.fakes import RoutedScriptedChatModel, lead_reply
from tests.test_assemble import FACTS, OUTLETS, TOLL, fact

HERZOG = "Herzog said Israel is ready for another humanitarian pause."


def writer(lead: dict, refused: list[str], facts=None) -> tuple[LeadWriter, TaskLog, RoutedScriptedChatModel]:
    """A LeadWriter whose meaning checks answer no for sentences naming a word in ``refused`` (checks run
    side by side, so the answer follows the sentence, not the order)."""

    def verdict(messages) -> dict:
        sentence = str(messages[1].content).split("<sentence>")[-1]
        return {"supported": not any(w in sentence for w in refused)}

    model = RoutedScriptedChatModel.from_routes({"<sources>": [verdict] * 4, "<facts>": [lead]})
    llm = LLM(model, backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts")
    log = TaskLog()
    facts = facts or [fact("f0", conflict_sentence(TOLL, OUTLETS), ["aj", "wire"], "disputed"), *FACTS]
    return LeadWriter(llm, facts, [TOLL], OUTLETS, asyncio.Semaphore(2), log), log, model


async def test_a_sentence_that_picks_one_figure_is_dropped_alone_and_the_disagreement_given_by_code() -> None:
    lead = lead_reply(
        "Israel ready for a new pause",
        [HERZOG, "At least 19,667 people were killed.", "Haniyeh travelled to Cairo for talks on the war."],
    )
    w, log, _ = writer(lead, ["Haniyeh"])
    headline, summary, by = await w.write()

    assert headline == "Israel ready for a new pause"
    assert summary.startswith(HERZOG)
    assert "At least 19,667 people were killed." not in summary and "for talks on the war" not in summary
    # two sentences at least: the next lead fact, stated by code; then the disagreement with every side
    assert summary == f"{HERZOG} {FACTS[1].statement} {conflict_sentence(TOLL, OUTLETS)}"
    assert by == {"headline": "model", "summary[0]": "model", "summary[1]": "code", "summary[2]": "code"}
    dropped = [x for x in log.warnings if "model sentence dropped" in x]
    assert any("gives one side of the disagreement" in x for x in dropped)
    assert any("do not support it" in x and "Haniyeh" in x for x in dropped)
    verdicts = {c.item: c for c in log.checks}
    assert verdicts["summary[0]"].by == "code" and verdicts["summary[0]"].supported  # a fact, verbatim
    assert verdicts["summary[2]"].by == "model" and not verdicts["summary[2]"].supported


async def test_invented_figures_and_first_person_never_reach_the_summary() -> None:
    lead = lead_reply("Deal frees 40 hostages", ["A deal freed 40 hostages.", "We are ready for a pause, Herzog said."])
    w, log, model = writer(lead, [])
    headline, summary, by = await w.write()
    assert "40" not in headline and "40" not in summary and "We are" not in summary
    assert by["headline"] == "code" and set(by.values()) == {"code"}
    assert not summary.startswith("Reports differ")  # what happened first: the lead facts by code
    assert all(c.by == "code" for c in log.checks)  # code settled all three: no check reached the model
    assert [c.task for c in log.calls] == ["brief_lead"]


def test_headline_rules() -> None:
    disputed = {19667.0}
    assert headline_problem("Israel ready for a new pause", disputed) is None
    assert headline_problem("Israel says it is ready for a new pause in the war, Herzog tells envoys in", set())
    assert headline_problem("Why it matters: a new pause", set()) == "starts with a label"
    assert headline_problem("We are ready for a pause", set()) == "first or second person"
    assert headline_problem("Gaza toll reaches 19,667", disputed) == "a figure outlets disagree on"
    assert headline_problem("Talks resume after…", set()) == "cut off"
    long = "Indictment charges Trump's company and its chief financial officer with evading taxes over fifteen years"
    short = shorten_headline(long)
    assert short == "Indictment charges Trump's company and its chief financial officer with evading taxes"
    assert headline_problem(short, set()) is None


def test_code_settles_what_it_can_see_exactly() -> None:
    src = ["Prosecutors charged the Trump Organization and its finance chief with 15 counts of tax fraud."]
    assert code_verdict(src[0], src) == (True, "a source sentence, verbatim")
    ok, why = code_verdict("Prosecutors charged the Trump Organization with 15 counts of tax fraud.", src)
    assert ok and "in order" in why
    assert code_verdict("Prosecutors charged the Trump Organization with 16 counts.", src)[0] is False
    assert code_verdict("Weisselberg sued the Trump Organization over tax fraud.", src)[0] is None  # the model's
    assert code_verdict("Police said 13 people were killed.", ["Police said at least 13 people were killed."]) == (
        False,
        "hedge on 13 differs (lower vs exact)",
    )
    assert code_verdict("The bill passes the Senate.", ["The bill may pass the Senate this week."])[0] is False


async def test_model_verdicts_are_cached_and_recorded() -> None:
    model = RoutedScriptedChatModel.from_routes({"<sources>": [{"supported": False}]})
    llm = LLM(model, backend="local", model_name="scripted-cache", prompts_dir=REPO_ROOT / "prompts")
    log = TaskLog()
    checker = SupportChecker(llm, asyncio.Semaphore(1), log)
    src = ["Prosecutors charged the Trump Organization and its finance chief."]
    claim = "The Trump Organization sued its finance chief."
    assert not await checker.check("headline", claim, src)
    assert not await checker.check("summary[0]", claim, src)  # the script has one reply: the second is cached
    assert [c.reason for c in log.checks] == ["the model: the sources do not say this", "cached verdict"]
    assert all(c.by == "model" and c.text == claim for c in log.checks) and len(log.calls) == 1
