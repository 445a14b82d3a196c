"""Verification rejects invented quotes and numbers; status is computed by code."""

from __future__ import annotations

from service.pipeline.select import fact_status
from service.pipeline.types import Article
from service.pipeline.verify import (
    check_statement,
    locate,
    unattributed_terms,
    unsupported_numbers,
)

ART = Article(
    id="aj",
    outlet="Al Jazeera",
    text=("Herzog said: “Israel is ready for another  humanitarian pause.”\nAt least 19,667 people have been killed."),
)


def test_real_quote_is_located_with_offsets_despite_quote_marks_and_spaces() -> None:
    cite = locate(ART, '"Israel is ready for another humanitarian pause."')
    assert cite is not None
    assert ART.text[cite.start : cite.end] == cite.quote
    assert "another  humanitarian" in cite.quote


def test_invented_quote_is_rejected() -> None:
    assert locate(ART, "Israel is ready for a permanent ceasefire") is None
    assert locate(ART, "ok") is None  # too short to prove anything


def test_invented_number_is_rejected() -> None:
    assert unsupported_numbers("At least 19,667 people have been killed.", [ART.text]) == []
    assert unsupported_numbers("At least 20,000 people have been killed.", [ART.text]) == [20000.0]
    toll = "At least 19,667 people have been killed."
    assert check_statement("At least 20,000 people have been killed.", [toll]) is not None
    assert check_statement("At least 19,667 people have been killed.", [toll]) is None


def test_statement_that_drops_the_attribution_is_rejected() -> None:
    sources = ["Herzog said Israel is ready for another humanitarian pause."]
    assert "attribut" in (check_statement("Israel is ready for another humanitarian pause.", sources) or "")
    assert check_statement("Herzog said Israel is ready for another pause.", sources) is None


def test_statement_with_invented_content_is_rejected() -> None:
    sources = ["At least 19,667 people have been killed."]
    why = check_statement("Mediators signed a permanent ceasefire agreement in the capital.", sources)
    assert why is not None and "words" in why


def test_status_is_computed() -> None:
    assert fact_status(["a", "b"], disputed=False) == "corroborated"
    assert fact_status(["a", "a"], disputed=False) == "single-source"
    assert fact_status(["a", "b"], disputed=True) == "disputed"


def test_loaded_terms_need_quotes_or_attribution() -> None:
    assert unattributed_terms("The terrorist group rejected the offer.", ["terrorist"]) == ["terrorist"]
    assert unattributed_terms("Hamas, considered a terrorist organisation by the US, said no.", ["terrorist"]) == []
    assert unattributed_terms('He called it "a terrorist act".', ["terrorist"]) == []
    assert unattributed_terms("China, however, views Taiwan as a breakaway province.", ["breakaway province"]) == []
    assert unattributed_terms("Taiwan is a breakaway province.", ["breakaway province"]) == ["breakaway province"]
    said = "Facebook knowingly chooses to prioritize its profits, Frances Haugen says"  # speaker form: her claim
    assert unattributed_terms(said, ["knowingly"]) == []
    assert unattributed_terms(said.split(",")[0], ["knowingly"]) == ["knowingly"]
    far = "Facebook knowingly chooses to prioritize its profits over safety, the report says"
    assert unattributed_terms(far, ["knowingly"]) == ["knowingly"]  # a speaker form names a speaker
    role = "Facebook knowingly prioritizes profits over user safety, whistleblower says"  # allsides-5648's headline
    assert unattributed_terms(role, ["knowingly"]) == []
    said = "According to CNN Business, renters lost the protective federal eviction ban."  # allsides-5805's event
    assert unattributed_terms(said, ["protective"]) == []
    assert unattributed_terms("Renters lost the protective ban.", ["protective"]) == ["protective"]


def test_invented_names_and_cut_off_statements_are_rejected() -> None:
    sources = ["Israel's ** Herzog said on December 19 that Israel is willing to reach a new temporary ceasefire."]
    why = check_statement(
        "Israel's Prime Minister, Yitzhak Herzog, said Israel is willing to reach a ceasefire.", sources
    )
    assert why is not None and "Yitzhak" in why and "Prime" in why
    assert "cut off" in (check_statement("Herzog said Israel is willing to reach a new", sources) or "")
    assert "capital" in (check_statement("as Herzog said, Israel is willing to reach a ceasefire.", sources) or "")
    assert check_statement("Herzog said Israel is willing to reach a new temporary ceasefire.", sources) is None


def test_an_outlet_that_reports_that_attributes_the_clause_after_it() -> None:
    # the summary's second mention of an outlet ("CNN Business also reports that …") attributes its claim,
    # as "According to CNN Business, …" does; a noun ("reports of") does not
    from service.pipeline.verify import unattributed_terms

    assert unattributed_terms("CNN Business also reports that Leonard was terrified of eviction.", ["terrified"]) == []
    assert unattributed_terms("Reports of a terrified crowd spread.", ["terrified"]) == ["terrified"]


def test_a_sentence_that_opens_with_its_outlet_is_that_outlets_report_to_its_end() -> None:
    from service.pipeline.verify import unattributed_terms

    tail = "the agency finished late on Tuesday the first part of its long review of the files, a massive task."
    opened = "According to CNN, after weeks of delays and several postponed hearings in two states, " + tail
    assert unattributed_terms(opened, ["massive"]) == []  # 'massive' is 150 characters after the attribution
    asked = f"Can other sources confirm that, {opened[:1].lower()}{opened[1:-1]}?"  # the brief's open question
    assert unattributed_terms(asked, ["massive"]) == []
    bare = "After weeks of delays and several postponed hearings in two states and many more, it was a massive task."
    assert unattributed_terms(bare, ["massive"]) == ["massive"]
