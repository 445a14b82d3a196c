"""Statements in the brief's own form: a headline-case sentence the model wrote is put in sentence case."""

from __future__ import annotations

from service.pipeline.clean import sentence_case


def test_a_headline_case_sentence_is_put_in_sentence_case_keeping_the_names_its_sources_print() -> None:
    source = "Seven Capitol Police officers filed a lawsuit Thursday accusing former President Donald Trump."
    assert sentence_case("Seven Capitol Police Officers File Lawsuit Against Trump.", [source]) == (
        "Seven Capitol Police officers file lawsuit against Trump."
    )
    plain = "Israeli President Isaac Herzog said Israel is ready for another pause."
    assert sentence_case(plain, []) == plain  # an ordinary sentence is left as it is
