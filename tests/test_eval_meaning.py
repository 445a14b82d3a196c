"""Code's meaning checks before the judge model: hedges, shares in words, certainty, attribution."""

from __future__ import annotations

from pathlib import Path

from service.pipeline.meaning import (
    attribution_dropped,
    certainty_differs,
    hedge_differs,
    meaning_differs,
    share_differs,
    shares,
)
from tests.test_eval_scorers import make_judge


def test_hedge_on_a_figure() -> None:
    assert hedge_differs("At least 13 US troops were killed.", "13 US troops were killed.")
    assert hedge_differs("Bitcoin fell as much as 7%.", "Bitcoin fell 7 percent.")
    assert hedge_differs("At least 13 troops died.", "At least 13 troops died.") is None
    assert hedge_differs("About 74% approve.", "74% approve.") is None  # approximate = the figure
    assert hedge_differs("Two lawsuits were filed.", "At least two lawsuits were filed.") is None


def test_share_in_words() -> None:
    # allsides-5896: the judge model read "almost half" as "a majority" and counted a forbidden claim
    majority = "A majority of Americans disapprove of Biden's handling of crime."
    assert share_differs(majority, "Almost half of Americans disapprove of how Biden is handling crime.")
    assert share_differs("More than half of the caucus will vote no.", "About half of the caucus will vote no.")
    assert share_differs("More than half of the caucus will vote no.", "Over half of the caucus will vote no.") is None
    assert share_differs("Most Americans say crime is rising.", "A majority of Americans say crime is rising.") is None
    assert share_differs(majority, "Americans disapprove of Biden's handling of crime.") is None  # no share: no rule
    assert shares("It was the most divisive issue in half a century.") == set()  # not shares of anyone
    assert shares("Most voters and nearly half of donors") == {"over half", "under half"}


def test_certainty_and_attribution() -> None:
    assert certainty_differs("Pelosi plans to bring the bill to a vote.", "The House passed the bill.")
    assert certainty_differs("Half the patients may have had mild cases.", "Half the patients had mild cases.")
    assert certainty_differs("The House passed the bill.", "The House passed the bill on Friday.") is None
    # a word of doubt in a clause about something else leaves the main claim as certain as the other's
    # (allsides-5805 and 5840: the judge had turned down both as "certainty differs")
    issued = "On Tuesday the CDC issued a new federal eviction moratorium."
    assert certainty_differs(issued, "The CDC issued a new moratorium Tuesday, which would last until Oct. 3.") is None
    assert certainty_differs(issued, "The CDC issued a moratorium on evictions that would last until Oct. 3.") is None
    assert certainty_differs(issued, "The CDC is expected to issue a new eviction moratorium.")
    hearing = "The Supreme Court will hear arguments in the case in the fall."
    assert (
        certainty_differs(
            hearing,
            "The court will hear arguments in the fall, giving its majority a chance to confront what may be "
            "the most divisive issue in American law.",
        )
        is None
    )
    assert certainty_differs(hearing, "The court may hear arguments in the case in the fall.")
    # "potential" before a noun qualifies the thing, not whether the meeting happened (the seed's Warsaw talks)
    talks = "Burns, Barnea and Al Thani met in Warsaw to discuss a new hostage deal."
    assert certainty_differs(talks, "Burns, Barnea and Al Thani met in Warsaw to discuss a potential new deal.") is None
    assert certainty_differs(talks, "Burns has the potential to meet Barnea and Al Thani to discuss a deal.")
    assert attribution_dropped("Trump said Biden surrendered in defeat.", "Biden surrendered in defeat.")
    assert attribution_dropped("Biden surrendered.", "Trump said Biden surrendered.") is None
    # "reiterated" reports what someone said (the seed's Netanyahu sentence had been refused as unattributed)
    said = "Netanyahu said the war will not end until Hamas is eliminated."
    assert attribution_dropped(said, "Netanyahu reiterated that the war would go on until Hamas is destroyed.") is None
    assert attribution_dropped(said, "The war will not end until Hamas is eliminated.")
    assert meaning_differs("The council closed the bridge.", "The bridge was closed by the council.") is None


async def test_judge_settles_them_without_the_model(tmp_path: Path) -> None:
    judge, model = make_judge(tmp_path, [])  # any model call would raise
    j = await judge.judge("At least 13 US troops were killed.", "Thirteen US troops were killed, officials said.")
    assert (j.answer, j.by) == ("no", "code") and "hedge on 13" in j.reason
    assert judge.stats.by_code == 1 and model.history == []
