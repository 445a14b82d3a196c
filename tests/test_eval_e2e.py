"""End to end: ``crossbrief eval run`` with the real 135M model on llama.cpp writing and judging a brief of
a tiny two-article case; a re-run costs no model call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from evals.cli import eval_group
from service.config import Settings

pytestmark = pytest.mark.e2e

CASE = {
    "id": "tiny-ferry",
    "articles": [
        {
            "id": "coast",
            "outlet": "Coast Daily",
            "text": "The Lornby ferry ran aground near Pell Island on Tuesday. "
            "All 48 passengers were taken off safely, the coastguard said.",
        },
        {
            "id": "radio",
            "outlet": "Radio Pell",
            "text": "A ferry ran aground near Pell Island on Tuesday morning. "
            "The coastguard said 52 passengers were rescued.",
        },
    ],
    "facts": [
        {
            "id": "aground",
            "claim": "The Lornby ferry ran aground near Pell Island on Tuesday.",
            "weight": 3,
            "sources": ["coast", "radio"],
            "anchors": ["aground"],
        },
        {
            "id": "passengers-safe",
            "claim": "The passengers were taken off safely.",
            "weight": 2,
            "sources": ["coast", "radio"],
            "anchors": ["passengers"],
        },
    ],
    "conflicts": [
        {
            "id": "passengers",
            "about": "passengers",
            "claims": [{"source": "coast", "value": "48"}, {"source": "radio", "value": "52"}],
        }
    ],
}
PAIRS = [
    {
        "id": "p1",
        "claim": "The ferry ran aground on Tuesday.",
        "statement": "On Tuesday the ferry ran aground.",
        "label": "yes",
    },
    {"id": "p2", "claim": "48 passengers were rescued.", "statement": "52 passengers were rescued.", "label": "no"},
]


def test_eval_run_on_the_test_model(tmp_path: Path) -> None:
    case = tmp_path / "cases" / "tiny-ferry.yaml"
    case.parent.mkdir()
    case.write_text(yaml.safe_dump(CASE))
    cal = tmp_path / "cal.yaml"
    cal.write_text(yaml.safe_dump({"version": 1, "pairs": PAIRS}))
    settings = Settings(cache_dir=tmp_path / "model-cache", backend="local", model="smollm2-135m")
    args = [
        "run",
        str(case),
        "--model",
        "smollm2-135m",
        "--length",
        "short",
        "--calibration",
        str(cal),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--no-progress",
        "--fail-under",
        "schema_validity=1",
        "--fail-under",
        "citation_validity=1",
    ]
    first = CliRunner().invoke(eval_group, [*args, "--out", str(tmp_path / "a")], obj={"settings": settings})
    assert first.exit_code == 0, first.output
    record = json.loads((tmp_path / "a" / "run.json").read_text())
    assert record["model"] == "smollm2-135m" and record["judge"]["model"] == "smollm2-135m"
    repeat = record["cases"][0]["repeats"][0]
    assert repeat["problem"] is None and repeat["brief"]["meta"]["model"] == "smollm2-135m"
    verdicts = {i["verdict"] for i in repeat["scores"]["fact_recall"]["items"]}
    assert verdicts <= {"hit", "miss", "unscored"}
    assert record["calibration"]["pairs"] == 2
    assert (tmp_path / "a" / "report.html").stat().st_size > 2000

    # Unchanged inputs: the brief and every judge answer come from the cache; the model is never loaded.
    again = CliRunner().invoke(eval_group, [*args, "--out", str(tmp_path / "b")], obj={"settings": settings})
    assert again.exit_code == 0, again.output
    second = json.loads((tmp_path / "b" / "run.json").read_text())
    assert second["cases"][0]["repeats"][0]["cached"] is True
    assert second["judge"]["stats"]["calls"] == 0
    assert second["metrics"] == record["metrics"] | {"seconds": second["metrics"]["seconds"]}
