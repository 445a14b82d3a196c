"""One outlet's judging adjectives out of the headline (service.pipeline.headline_words), by published lexicons."""

from __future__ import annotations

from service.pipeline.headline_words import judging, outlet_adjectives, word_users
from service.pipeline.types import Article
from service.text.tags import adjective, subjectivity, tag

# allsides-5999 and 5696, openings shortened
NYP = Article(
    "nyp",
    "New York Post",
    "President Biden on Friday released his massive $6 trillion budget for fiscal 2022.",
    "Biden unveils largest US budget in history",
)
HILL = Article("hill", "The Hill", "President Biden on Friday proposed a budget.", "Biden releases $6T budget")
WT = Article(
    "wt",
    "Washington Times",
    "The NAACP and 27 other liberal groups on Thursday warned Democratic leaders not to back off.",
    "Liberal groups prod Dems to raise taxes",
)
AXIOS = Article("axios", "Axios", "House Democrats will consider as much as $2.9 trillion in tax hikes.", None)


def test_the_lexicon_gives_parts_of_speech() -> None:
    assert tag("massive") == "JJ" and tag("expose") == "VB" and tag("Massive") == "JJ"
    assert adjective("liberal") and not adjective("largest") and not adjective("budget")
    assert tag("qwzxv") is None
    assert subjectivity("massive") == 1.0 and subjectivity("fiscal") is None
    # judging: subjective by the sentiment lexicon, or naming a side; not an objective adjective
    assert judging("massive") and judging("liberal") and judging("far-right")
    assert not judging("fiscal") and not judging("federal") and not judging("major") and not judging("budget")


def test_an_adjective_only_one_outlet_prints_leaves_the_headline() -> None:
    users = word_users([NYP, HILL])
    assert users["budget"] == {"nyp", "hill"} and users["massive"] == {"nyp"}
    text, dropped = outlet_adjectives("President Biden releases massive $6 trillion budget for fiscal 2022", users)
    assert (text, dropped) == ("President Biden releases $6 trillion budget for fiscal 2022", ["massive"])
    users = word_users([WT, AXIOS])
    text, dropped = outlet_adjectives("The NAACP and other liberal groups warn Democratic leaders", users)
    assert (text, dropped) == ("The NAACP and other groups warn Democratic leaders", ["liberal"])
    assert outlet_adjectives("Liberal groups prod Democrats", users) == ("Groups prod Democrats", ["liberal"])


def test_what_stays() -> None:
    users = word_users([NYP, HILL])
    # an adjective both outlets print, a verb one outlet prints, one that qualifies nothing after it, an
    # objective adjective one outlet prints ("fiscal")
    assert outlet_adjectives("President Biden proposes $6 trillion budget", users) == (
        "President Biden proposes $6 trillion budget",
        [],
    )
    assert outlet_adjectives("Biden unveils budget", users) == ("Biden unveils budget", [])
    assert outlet_adjectives("Biden budget is massive", users) == ("Biden budget is massive", [])
    assert outlet_adjectives("Biden budget for fiscal 2022", users) == ("Biden budget for fiscal 2022", [])
    # one article: nobody else's words to go by
    alone = word_users([NYP])
    assert outlet_adjectives("Biden releases massive budget", alone) == ("Biden releases massive budget", [])
