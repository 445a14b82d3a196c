"""Who did what turned round (service.pipeline.roles), in the pipeline's support check and the eval judge."""

from __future__ import annotations

from service.pipeline.meaning import meaning_differs
from service.pipeline.roles import roles_swapped
from service.pipeline.support import code_verdict

# allsides-5840: Reuters' sentence, and the model's restatement that its own yes/no check passed
URGED = (
    "The state of Mississippi on Thursday urged the U.S. Supreme Court in a major case set to be argued in its next "
    "term to overturn the landmark 1973 ruling that recognized that women have a constitutional right to obtain an "
    "abortion."
)
TURNED = (
    "The U.S. Supreme Court is set to argue in its next term to overturn the landmark 1973 ruling that recognized "
    "that women have a constitutional right to obtain an abortion in Mississippi."
)


def test_the_actor_made_the_object_is_caught() -> None:
    why = roles_swapped(URGED, TURNED)
    assert why is not None and "mississippi acts in its source" in why
    assert roles_swapped("Biden proposed the summit to Putin in April.", "Putin proposed the summit to Biden in April.")


def test_the_same_roles_in_other_words_pass() -> None:
    # a passive names its actor after "by"; a speaker may stand first or last; a relative clause is not the main verb
    assert roles_swapped("Stilley sued Braid in Bexar County.", "Braid was sued in Bexar County by Stilley.") is None
    assert roles_swapped("Hamas said Israel must stop the war.", "Israel must stop the war, Hamas said.") is None
    assert roles_swapped("Israel must stop the war, Hamas said.", "Hamas said Israel must stop the war.") is None
    assert (
        roles_swapped(
            "The House committee subpoenaed Jeffrey Clark.",
            "Jeffrey Clark, who headed a Justice Department division, was subpoenaed by the House committee.",
        )
        is None
    )
    assert roles_swapped(URGED, "Mississippi urged the U.S. Supreme Court to overturn the 1973 ruling.") is None
    assert roles_swapped("No verb here at all", "Nor here") is None


def test_the_support_check_and_the_judge_refuse_it() -> None:
    supported, why = code_verdict(TURNED, [URGED])
    assert supported is False and "turned round" in why
    assert meaning_differs(URGED, TURNED) is not None and meaning_differs(TURNED, URGED) is not None
