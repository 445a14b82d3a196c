"""Eval case files: the format of issue #3, and errors that name the file and the field."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from evals.dataset import DatasetError, load_case, load_suite
from evals.judges import anchor_spans
from service.config import REPO_ROOT

CASE: dict[str, Any] = {
    "id": "mini",
    "articles": [
        {"id": "a1", "outlet": "Wire", "text": "Four workers died in a fire at the mill on Friday."},
        {"id": "a2", "outlet": "Post", "path": "body.txt"},
    ],
    "facts": [
        {"id": "f1", "claim": "Workers died in a mill fire.", "weight": 3, "sources": ["a1", "a2"], "anchors": ["fire"]}
    ],
    "conflicts": [
        {"id": "toll", "about": "deaths", "claims": [{"source": "a1", "value": "4"}, {"source": "a2", "value": "5"}]}
    ],
    "must_not_claim": [{"id": "arson", "claim": "The fire was arson."}],
    "loaded_terms": ["reckless"],
    "parties": [{"name": "Mill owner", "position": "devastated"}],
}


def write(tmp_path: Path, data: dict[str, Any], name: str = "mini.yaml") -> Path:
    (tmp_path / "body.txt").write_text("Five workers died in the mill fire, the fire service said.\n")
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def broken(mutate: Any) -> dict[str, Any]:
    data = copy.deepcopy(CASE)
    mutate(data)
    return data


def test_valid_case_loads_and_resolves_paths_relative_to_the_file(tmp_path: Path) -> None:
    loaded = load_case(write(tmp_path, CASE))
    assert loaded.case.id == "mini" and loaded.suite == tmp_path.name
    assert loaded.case.texts()["a2"].startswith("Five workers died")
    assert len(loaded.sha256) == 64


def test_hash_changes_when_an_article_file_changes(tmp_path: Path) -> None:
    first = load_case(write(tmp_path, CASE)).sha256
    (tmp_path / "body.txt").write_text("Six workers died.\n")
    assert load_case(tmp_path / "mini.yaml").sha256 != first


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (lambda d: d.update(extra=1), "extra", "unknown key"),
        (lambda d: d["facts"][0].update(weigth=2), "facts[0].weigth", "unknown key"),
        (lambda d: d["facts"][0]["sources"].append("a9"), "facts[0].sources[2]", "'a9' is not an article id"),
        (lambda d: d["conflicts"][0]["claims"][1].update(source="zz"), "conflicts[0].claims[1].source", "'zz'"),
        (lambda d: d["facts"].append(dict(d["facts"][0])), "facts[1].id", "duplicate id 'f1'"),
        (lambda d: d["articles"][1].update(id="a1"), "articles[1].id", "duplicate id 'a1'"),
        (lambda d: d["facts"][0].update(weight=5), "facts[0].weight", "Input should be 1, 2 or 3"),
        (lambda d: d["facts"][0].update(anchors=["(unclosed"]), "facts[0].anchors", "not a valid regex"),
        (lambda d: d["articles"][0].update(path="x.txt"), "articles[0]", "exactly one of 'text' or 'path'"),
        (lambda d: d["articles"][1].update(path="missing.txt"), "articles[1].path", "cannot read"),
    ],
)
def test_errors_name_the_file_and_the_field(tmp_path: Path, mutate: Any, field: str, message: str) -> None:
    path = write(tmp_path, broken(mutate))
    with pytest.raises(DatasetError) as info:
        load_case(path)
    assert info.value.file == str(path)
    assert info.value.field == field
    assert message in info.value.message
    assert str(path) in str(info.value) and field in str(info.value)


def test_duplicate_case_ids_across_a_suite(tmp_path: Path) -> None:
    write(tmp_path, CASE, "one.yaml")
    write(tmp_path, CASE, "two.yaml")
    with pytest.raises(DatasetError, match=r"two\.yaml: id: duplicate case id 'mini'"):
        load_suite([tmp_path])


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no case files"):
        load_suite([tmp_path])


def test_shipped_datasets_load_and_every_claim_matches_its_own_anchors() -> None:
    cases = load_suite([REPO_ROOT / "evals" / "datasets"])
    assert {"harwick-bridge-closure", "gaza-truce-2023-12"} <= {c.case.id for c in cases}
    for lc in cases:
        texts = lc.case.texts()
        for f in lc.case.facts:
            # A brief that repeats the claim must be able to match; a source must use the anchor's words.
            assert anchor_spans(f.claim, f.anchors) is not None, (lc.file, f.id)
            for a in f.anchors:
                assert any(re.search(a, texts[s], re.I) for s in f.sources), (lc.file, f.id, a)
