"""Ingest: limits, HTML extraction, text normalisation, ids."""

from __future__ import annotations

import datetime as dt

import pytest

from service.config import Settings
from service.errors import InputError
from service.pipeline.ingest import ingest, normalise_text, slugify
from service.schemas import ArticleIn

SETTINGS = Settings(max_articles=3, max_article_chars=2_000)

NEWS_PAGE = """<!doctype html><html><head>
<title>Truce talks resume in Cairo | The Daily Planet</title>
<script>var ads = "BUY NOW TRACKER"; window.track = function(){};</script>
<style>.promo{color:red}</style></head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li>
<li><a href="/login">Sign in to your account</a></li></ul></nav></header>
<div class="ad-banner">Subscribe now for only $1 a month! Advertisement</div>
<main><article><h1>Truce talks resume in Cairo</h1>
<p>Negotiators from Egypt and Qatar met on Wednesday to discuss a new pause in the fighting in Gaza.</p>
<p>At least 19,667 people have been killed in Gaza since October 7, according to the health ministry.</p>
<p>“These are very serious discussions,” White House spokesman John Kirby told reporters on Air Force One.</p>
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Celebrity chef opens new restaurant</a></li></ul></aside>
<footer><p>© 2023 The Daily Planet. All rights reserved. Privacy policy | Cookie settings</p></footer>
<script>document.write("tracking pixel");</script>
</body></html>"""


def text(outlet: str, body: str = "Some article text about the talks.", **kw: object) -> ArticleIn:
    return ArticleIn(outlet=outlet, text=body, **kw)


def field_of(exc: pytest.ExceptionInfo[InputError]) -> str:
    return exc.value.details["field"]


# ---------------------------------------------------------------- limits


def test_fewer_than_two_articles_is_an_input_error() -> None:
    with pytest.raises(InputError, match="at least 2") as exc:
        ingest([text("CNN")], SETTINGS)
    assert field_of(exc) == "articles"


def test_more_than_max_articles_names_the_limit() -> None:
    with pytest.raises(InputError, match="3") as exc:
        ingest([text(f"Outlet {i}") for i in range(4)], SETTINGS)
    assert field_of(exc) == "articles"


def test_too_long_text_names_its_field() -> None:
    with pytest.raises(InputError, match="2000") as exc:
        ingest([text("A"), text("B", "x " * 1_001)], SETTINGS)
    assert field_of(exc) == "articles[1].text"


def test_too_long_html_names_its_field() -> None:
    big = ArticleIn(outlet="A", html="<p>" + "word " * 500 + "</p>")
    with pytest.raises(InputError) as exc:
        ingest([big, text("B")], SETTINGS)
    assert field_of(exc) == "articles[0].html"


def test_text_empty_after_normalising() -> None:
    with pytest.raises(InputError, match="empty") as exc:
        ingest([text("A"), text("B", "\u200b\u2060\ufeff")], SETTINGS)
    assert field_of(exc) == "articles[1].text"


# ---------------------------------------------------------------- HTML


def test_html_keeps_the_body_and_drops_boilerplate() -> None:
    arts = ingest([ArticleIn(outlet="Daily Planet", html=NEWS_PAGE), text("B")], Settings())
    body = arts[0].text
    assert "Negotiators from Egypt and Qatar met on Wednesday" in body
    assert "At least 19,667 people have been killed" in body
    assert "“These are very serious discussions,” White House spokesman John Kirby" in body
    for junk in (
        "BUY NOW",
        "tracking pixel",
        "Sign in",
        "Subscribe now",
        "Celebrity chef",
        "All rights reserved",
        "color:red",
        "window.track",
    ):
        assert junk not in body
    assert arts[0].title and "Truce talks resume in Cairo" in arts[0].title


def test_given_title_wins_over_the_html_title() -> None:
    arts = ingest([ArticleIn(outlet="P", html=NEWS_PAGE, title="  My   headline "), text("B")], Settings())
    assert arts[0].title == "My headline"


def test_html_without_article_text_is_an_input_error() -> None:
    empty = ArticleIn(outlet="P", html="<html><head><script>var x = 1;</script></head><body> </body></html>")
    with pytest.raises(InputError, match="no article text") as exc:
        ingest([text("A"), empty], Settings())
    assert field_of(exc) == "articles[1].html"


def test_html_fragment_falls_back_to_plain_text() -> None:
    arts = ingest(
        [ArticleIn(outlet="P", html="<div>Short note about the truce in Gaza.</div>"), text("B")], SETTINGS
    )
    assert arts[0].text == "Short note about the truce in Gaza."


# ---------------------------------------------------------------- normalisation


def test_normalise_removes_invisible_and_control_characters() -> None:
    raw = "Ga\u200bza\u200d \u202atruce\u202c\u2066!\u2069\x00\x07 ok\ufeff\x1b"
    assert normalise_text(raw) == "Gaza truce! ok"


def test_normalise_whitespace_and_lines() -> None:
    raw = "  Line one\t\t has   tabs \r\nline\u00a0two  \r\n\r\n\r\n\r\n  line three \n\n\n"
    assert normalise_text(raw) == "Line one has tabs\nline two\n\nline three"


def test_normalise_is_nfc() -> None:
    assert normalise_text("Cafe\u0301") == "Caf\u00e9"


def test_ingest_normalises_text_and_keeps_metadata() -> None:
    a = text(
        "Al Jazeera", "Hello\r\n\r\n\r\nworld\u200b", url="https://x.test/a", published=dt.date(2023, 12, 19)
    )
    arts = ingest([a, text("B")], SETTINGS)
    assert arts[0].text == "Hello\n\nworld"
    assert (arts[0].url, arts[0].published, arts[0].outlet) == (
        "https://x.test/a",
        dt.date(2023, 12, 19),
        "Al Jazeera",
    )


# ---------------------------------------------------------------- ids


def test_given_ids_are_kept_and_missing_ids_come_from_the_outlet() -> None:
    arts = ingest([text("Al Jazeera"), text("CNN", id="c.1")], SETTINGS)
    assert [a.id for a in arts] == ["al-jazeera", "c.1"]


def test_duplicate_given_ids_name_the_second_one() -> None:
    with pytest.raises(InputError, match="'x'") as exc:
        ingest([text("A", id="x"), text("B", id="y"), text("C", id="x")], SETTINGS)
    assert field_of(exc) == "articles[2].id"


def test_slug_collisions_get_suffixes_including_given_ids() -> None:
    arts = ingest([text("CNN"), text("CNN!"), text("Other", id="cnn-2")], SETTINGS)
    assert [a.id for a in arts] == ["cnn", "cnn-3", "cnn-2"]


@pytest.mark.parametrize(
    ("outlet", "slug"),
    [
        ("Al Jazeera", "al-jazeera"),
        ("  The   Guardian (UK) ", "the-guardian-uk"),
        ("Süddeutsche Zeitung", "suddeutsche-zeitung"),
        ("العربية", "article"),
        ("---", "article"),
        ("A" * 39 + " B long name", "a" * 39),
    ],
)
def test_slugify(outlet: str, slug: str) -> None:
    result = slugify(outlet)
    assert result == slug
    assert len(result) <= 40 and not result.endswith("-")
