"""The AllSides real-news suite: the skeleton script turns a cluster into a valid case, and every labelled
case loads with anchors that match their facts' source articles."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from evals.allsides import SUITE_DIR, anchor_problems, article_ids, skeleton
from evals.dataset import load_case, load_suite

CLUSTER = {
    "id": 1,
    "title": "Perspectives: Council Closes Bridge",
    "topic": "Local",
    "date": "2021-05-01",
    "roundup": [
        "The council closed the bridge on Monday. Engineers found cracks.",
        "Coverage differed: left-rated outlets stressed cost.",
    ],
    "articles": {
        slot: {"outlet": outlet, "lean": slot, "title": f"{slot} title", "paragraphs": [text, "More\u00a0text..."]}
        for slot, outlet, text in [
            (
                "left",
                "Daily One (Online News)",
                "The council closed the bridge on Monday after engineers found cracks.",
            ),
            ("center", "Daily One (Opinion)", "Engineers found cracks in the bridge, the council said."),
            ("right", "Wire Two", "A bridge was shut on Monday."),
        ]
    },
}


def test_skeleton_is_a_valid_case_to_label(tmp_path: Path) -> None:
    text = skeleton(CLUSTER)
    assert text.startswith("# Source: AllSides story 1 (2021-05-01)") and "MIT licence" in text
    path = tmp_path / "case.yaml"
    path.write_text(text)
    case = load_case(path).case
    assert case.id == "allsides-1-council-closes-bridge"
    assert [a.id for a in case.articles] == ["daily-one", "daily-one-center", "wire-two"]  # same outlet twice
    assert (
        case.articles[0].text == "The council closed the bridge on Monday after engineers found cracks.\n\nMore text..."
    )
    assert [f.claim for f in case.facts] == ["The council closed the bridge on Monday.", "Engineers found cracks."]
    assert article_ids(CLUSTER)["right"] == "wire-two"


def test_anchor_that_matches_no_source_is_reported(tmp_path: Path) -> None:
    data = yaml.safe_load(skeleton(CLUSTER))
    data["facts"][0]["anchors"] = ["bridge", "tunnel"]
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(data))
    problems = anchor_problems(path)
    assert len(problems) == 1 and "'tunnel' matches none of" in problems[0]


def test_allsides_suite_is_labelled_and_its_anchors_hold() -> None:
    cases = load_suite([SUITE_DIR])
    assert len(cases) >= 30
    problems = [p for lc in cases for p in anchor_problems(Path(lc.file))]
    assert problems == []
    for lc in cases:
        assert lc.case.facts and any(f.weight == 3 for f in lc.case.facts), lc.case.id
        assert lc.case.must_not_claim and lc.case.parties, lc.case.id
        assert not any(f.id.startswith("r") and f.id[1:].isdigit() for f in lc.case.facts), f"{lc.case.id}: skeleton"


def test_a_case_linked_into_a_second_suite_loads_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "case.yaml").write_text(skeleton(CLUSTER))
    os.symlink(tmp_path / "a" / "case.yaml", tmp_path / "b" / "case.yaml")
    assert len(load_suite([tmp_path])) == 1
    assert len(load_suite([tmp_path / "b"])) == 1
