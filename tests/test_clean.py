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


def test_a_cut_sentence_is_mended_to_its_last_whole_clause_but_never_to_a_lone_subordinate_clause() -> None:
    from service.pipeline.clean import mend_cut

    assert mend_cut("The Senate vote was divided among political lines, with 6% of Rep…") == (
        "The Senate vote was divided among political lines."
    )
    # the cut took the main clause: what is left says nothing whole
    assert mend_cut("While Chinese jets have not been flown all the way to the island, Mr Chiu warned...") is None
    assert mend_cut("In an interview with The Hill on Monday, De Haan predicted that the South was...") is None
    assert mend_cut("Although the deal was signed, the talks continued, and the army said it would...") == (
        "Although the deal was signed, the talks continued."
    )
