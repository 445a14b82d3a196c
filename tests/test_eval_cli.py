"""``crossbrief eval``: reports written, compare output, exit codes (0 ok, 1 threshold, 2 usage/dataset)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from evals.cli import eval_group
from service.config import Settings
from service.storage import Store
from tests.conftest import scripted_provider
from tests.test_eval_scorers import load_mini, perfect_brief

YES = {"answer": "yes", "reason": "same fact, reworded"}


def invoke(tmp_path: Path, args: list[str], script: list[Any] | None = None) -> Result:
    settings = Settings(cache_dir=tmp_path / "model-cache", backend="local", model=None)
    provider, _ = scripted_provider(settings, script or [])
    return CliRunner().invoke(eval_group, args, obj={"provider": provider, "settings": settings})


@pytest.fixture
def setup(tmp_path: Path) -> dict[str, Path]:
    """A case, saved perfect and worse briefs, and a two-pair calibration file."""
    case = load_mini(tmp_path)
    good, worse = tmp_path / "good", tmp_path / "worse"
    good.mkdir()
    worse.mkdir()
    brief = perfect_brief()
    (good / "brackley-mill-fire.json").write_text(brief.model_dump_json())
    brief.facts = brief.facts[:2]  # loses the 300-employees fact (weight 1 of 6)
    (worse / "brackley-mill-fire.json").write_text(brief.model_dump_json())
    cal = tmp_path / "cal.yaml"
    pairs = [
        {"id": "p1", "claim": "Four died.", "statement": "Six died.", "label": "no"},
        {
            "id": "p2",
            "claim": "The mill employs 300 people.",
            "statement": "The mill employs 300 people.",
            "label": "yes",
        },
    ]
    cal.write_text(yaml.safe_dump({"version": 1, "pairs": pairs}))
    return {"case": Path(case.file), "good": good, "worse": worse, "cal": cal, "tmp": tmp_path}


def run(s: dict[str, Path], briefs: str, out: str, *extra: str) -> Result:
    args = ["run", str(s["case"]), "--briefs", str(s[briefs]), "--out", str(s["tmp"] / out)]
    args += ["--calibration", str(s["cal"]), "--cache-dir", str(s["tmp"] / "cache"), "--no-progress", *extra]
    return invoke(s["tmp"], args, [YES] * 2)  # statement_support: the headline and the reworded fact f2


def test_run_writes_json_and_html(setup: dict[str, Path]) -> None:
    result = run(setup, "good", "a")
    assert result.exit_code == 0, result.output
    assert "fact_recall                  1" in result.stdout
    assert "judge agreement with human labels: 100.0% (2/2 scored" in result.stdout
    record = json.loads((setup["tmp"] / "a" / "run.json").read_text())
    assert record["format"] == "crossbrief-eval-run/1"
    assert set(record["git"]) == {"commit", "dirty"}
    assert record["datasets"][0]["id"] == "brackley-mill-fire" and len(record["datasets"][0]["sha256"]) == 64
    assert "judge" in record["prompts"] and "v1" in record["prompts"]["judge"]
    assert record["judge"]["prompt"] == "judge/v2" and record["calibration"]["agreement"] == 1.0
    items = record["cases"][0]["repeats"][0]["scores"]["fact_recall"]["items"]
    assert {i["id"]: i["verdict"] for i in items} == {
        "fire-killed": "hit",
        "cause-unknown": "hit",
        "employs-300": "hit",
    }
    html = (setup["tmp"] / "a" / "report.html").read_text()
    assert "<svg" in html and "judge agreement with human labels" in html
    assert "<mark>Brackley</mark>" in html and "employs-300" in html


def test_runs_are_kept_in_the_database_and_listed(setup: dict[str, Path]) -> None:
    result = run(setup, "worse", "kept-run")
    assert result.exit_code == 0 and "stored the run in the database" in result.stdout
    rows = [r for r in Store(Settings().database_url).list_eval_runs(200) if r.id.endswith("-kept-run")]
    assert len(rows) == 1
    assert rows[0].metrics["fact_recall"]["mean"] == pytest.approx(5 / 6, abs=1e-3)
    assert rows[0].record["cases"][0]["id"] == "brackley-mill-fire"
    listed = CliRunner().invoke(eval_group, ["history", "--limit", "200"])
    line = next(x for x in listed.stdout.splitlines() if x.split("\t")[0] == rows[0].id)
    assert line.split("\t")[3] == "0.833"


def test_fail_under_sets_exit_code_1(setup: dict[str, Path]) -> None:
    ok = run(setup, "good", "a", "--fail-under", "fact_recall=1", "--fail-over", "unsupported_statements=0")
    assert ok.exit_code == 0, ok.output
    failed = run(setup, "worse", "b", "--fail-under", "fact_recall=0.9")
    assert failed.exit_code == 1
    assert "FAIL fact_recall = 0.8333 < 0.9" in failed.stderr


def test_baseline_max_drop_sets_exit_code(setup: dict[str, Path]) -> None:
    assert run(setup, "good", "base").exit_code == 0
    baseline = str(setup["tmp"] / "base" / "run.json")
    dropped = run(setup, "worse", "b", "--baseline", baseline, "--max-drop", "0.1")
    assert dropped.exit_code == 1 and "fact_recall: 1 → 0.8333" in dropped.stderr
    tolerated = run(setup, "worse", "c", "--baseline", baseline, "--max-drop", "0.2")
    assert tolerated.exit_code == 0, tolerated.output


def test_compare_prints_metric_and_fact_differences(setup: dict[str, Path]) -> None:
    run(setup, "good", "a")
    run(setup, "worse", "b")
    a, b = str(setup["tmp"] / "a"), str(setup["tmp"] / "b" / "run.json")
    result = invoke(setup["tmp"], ["compare", a, b])
    assert result.exit_code == 0, result.output
    assert "fact_recall" in result.stdout and "-0.1667" in result.stdout
    assert "fact_recall: 1 item(s) changed" in result.stdout
    assert "brackley-mill-fire/employs-300: 1/1 → 0/1" in result.stdout
    assert invoke(setup["tmp"], ["compare", a, b, "--max-drop", "0.1"]).exit_code == 1
    assert invoke(setup["tmp"], ["compare", a, b, "--fail-under", "fact_recall=0.8"]).exit_code == 0


@pytest.mark.parametrize(
    "extra",
    [["--fail-under", "recall=1"], ["--fail-under", "fact_recall"], ["--max-drop", "0.1"], ["--repeat", "0"]],
)
def test_usage_errors_exit_2(setup: dict[str, Path], extra: list[str]) -> None:
    assert run(setup, "good", "a", *extra).exit_code == 2


def test_dataset_error_exits_2_naming_file_and_field(setup: dict[str, Path]) -> None:
    data = yaml.safe_load(setup["case"].read_text())
    data["facts"][0]["sources"] = ["nowhere"]
    setup["case"].write_text(yaml.safe_dump(data))
    result = run(setup, "good", "a")
    assert result.exit_code == 2
    assert f"{setup['case']}: facts[0].sources[0]: 'nowhere' is not an article id" in result.stderr


def test_calibrate_command(setup: dict[str, Path]) -> None:
    args = ["calibrate", "--file", str(setup["cal"]), "--cache-dir", str(setup["tmp"] / "cache")]
    result = invoke(setup["tmp"], args)
    assert result.exit_code == 0, result.output
    assert "100.0% (2/2 scored" in result.stdout


def test_report_shows_new_metrics_and_peers_side_by_side(setup: dict[str, Path]) -> None:
    from evals.record import PeerRecord, RunRecord
    from evals.report import render_html

    assert run(setup, "good", "p").exit_code == 0
    record = RunRecord.model_validate_json((setup["tmp"] / "p" / "run.json").read_text())
    scores = record.cases[0].repeats[0].scores
    assert scores["statement_support"].value == 1.0 and scores["summary_coverage"].value == 1.0
    assert scores["false_conflicts"].value == 0
    worse = record.cases[0].model_copy(deep=True)
    worse.metrics["statement_support"].mean = 0.25
    record.peers["baseline"] = PeerRecord(strategy="baseline", metrics=dict(record.metrics), cases=[worse])
    html = render_html(record)
    assert "baseline (peer)" in html and "0.25" in html
    assert "statement_support" in html and "Judge agreement by kind" in html


def test_peers_need_the_pipeline(setup: dict[str, Path]) -> None:
    result = run(setup, "good", "x", "--peers", "single")
    assert result.exit_code == 2 and "--peers writes briefs with the pipeline" in result.output
    result = run(setup, "good", "x", "--peers", "naive")
    assert result.exit_code == 2 and "--peers takes staged, single and baseline" in result.output


def test_table_prints_per_case_metrics_in_markdown(setup: dict[str, Path]) -> None:
    assert run(setup, "good", "t").exit_code == 0
    out = invoke(setup["tmp"], ["table", str(setup["tmp"] / "t"), "--metric", "fact_recall"]).stdout
    assert out.splitlines()[0] == "| case | brief | fact_recall |"
    assert "| brackley-mill-fire | staged | 1 |" in out and "| **mean** | staged | 1 |" in out
