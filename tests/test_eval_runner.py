"""The runner: brief sources (pipeline, service, saved files), the content-hash cache, repeats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from evals import runner as runner_module
from evals.cache import Cache
from evals.judges import JudgeVerdict, ModelJudge
from evals.llms import LazyLLM
from evals.record import summarise
from evals.runner import Runner, RunOptions
from service.config import Settings
from service.llm import LLM
from service.schemas import BriefRequest
from tests.conftest import scripted_provider
from tests.fakes import ScriptedChatModel
from tests.test_eval_scorers import CASE, load_mini, perfect_brief

YES = {"answer": "yes", "reason": "same"}
SUPPORT = [YES] * 2  # statement_support asks about the perfect brief's headline and its reworded fact f2


def make_runner(tmp_path: Path, script: list[Any], **options: Any) -> tuple[Runner, ScriptedChatModel]:
    settings = Settings(cache_dir=tmp_path / "model-cache", backend="local", model=None)
    provider, model = scripted_provider(settings, script)
    cache = Cache(tmp_path / "eval-cache")
    llm = LazyLLM(provider)
    opts = RunOptions(**options)
    return Runner(opts, settings, ModelJudge(llm, cache), cache, llm if opts.source == "pipeline" else None), model


@pytest.fixture
def fake_pipeline(monkeypatch: pytest.MonkeyPatch) -> list[BriefRequest]:
    """build_brief replaced by one model call that returns the perfect brief; records the requests."""
    seen: list[BriefRequest] = []

    async def fake(request: BriefRequest, llm: LLM, settings: Settings) -> Any:
        seen.append(request)
        await llm.ask("judge", {"claim": "c", "statement": "s"}, JudgeVerdict, max_tokens=40)
        return perfect_brief()

    monkeypatch.setattr(runner_module, "build_brief", fake)
    return seen


async def test_pipeline_brief_is_cached_by_content(tmp_path: Path, fake_pipeline: list[BriefRequest]) -> None:
    lc = load_mini(tmp_path)
    runner, first_model = make_runner(tmp_path, [YES, *SUPPORT])
    [first] = await runner.run([lc])
    assert first_model.remaining == 0
    assert first.repeats[0].cached is False and first.repeats[0].scores["fact_recall"].value == 1.0
    assert [a.id for a in fake_pipeline[0].articles] == ["wire", "post"]

    again, model = make_runner(tmp_path, [])  # same cache dir, empty script: a model call would raise
    [second] = await again.run([lc])
    assert second.repeats[0].cached is True and model.history == []
    assert second.repeats[0].brief == first.repeats[0].brief
    assert len(fake_pipeline) == 1


async def test_cache_key_follows_content_options_and_repeat(tmp_path: Path) -> None:
    runner, _ = make_runner(tmp_path, [])
    lc = load_mini(tmp_path)
    key = runner.brief_key(lc, 1)
    assert runner.brief_key(load_mini(tmp_path), 1) == key
    assert runner.brief_key(lc, 2) != key
    changed = json.loads(json.dumps(CASE))
    changed["articles"][1]["text"] += " Roads were closed."
    assert runner.brief_key(load_mini(tmp_path / "x", changed), 1) != key
    short, _ = make_runner(tmp_path, [], length="short")
    assert short.brief_key(lc, 1) != key


async def test_repeats_give_mean_and_spread(tmp_path: Path, fake_pipeline: list[BriefRequest]) -> None:
    runner, _ = make_runner(tmp_path, [YES] * 3 + SUPPORT * 3, repeat=3, concurrency=2)
    results = await runner.run([load_mini(tmp_path)])
    assert [r.repeat for r in results[0].repeats] == [1, 2, 3]
    run, cases = summarise(results)
    assert run["fact_recall"].mean == 1.0 and run["fact_recall"].stdev == 0.0 and run["fact_recall"].n == 3
    assert cases[0].metrics["schema_validity"].mean == 1.0


async def test_saved_briefs_source(tmp_path: Path) -> None:
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    (briefs / "brackley-mill-fire.json").write_text(perfect_brief().model_dump_json())
    runner, _ = make_runner(tmp_path, SUPPORT, source="briefs", briefs_dir=briefs)
    [result] = await runner.run([load_mini(tmp_path)])
    assert result.repeats[0].problem is None and result.repeats[0].scores["fact_recall"].value == 1.0


async def test_saved_brief_that_breaks_the_schema_scores_as_empty(tmp_path: Path) -> None:
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    data = perfect_brief().model_dump(mode="json")
    del data["facts"][0]["citations"]
    (briefs / "brackley-mill-fire.json").write_text(json.dumps(data))
    runner, _ = make_runner(tmp_path, [], source="briefs", briefs_dir=briefs)
    [result] = await runner.run([load_mini(tmp_path)])
    r = result.repeats[0]
    assert "not a valid Brief" in (r.problem or "") and "facts.0.citations" in (r.problem or "")
    assert r.scores["schema_validity"].value == 0.0 and r.scores["fact_recall"].value == 0.0


async def test_missing_saved_brief_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    runner, _ = make_runner(tmp_path, [], source="briefs", briefs_dir=tmp_path)
    [result] = await runner.run([load_mini(tmp_path)])
    assert "no saved brief" in (result.repeats[0].problem or "")


async def test_service_source_posts_the_case(tmp_path: Path) -> None:
    posted: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        if len(posted) == 1:
            return httpx.Response(200, json=perfect_brief().model_dump(mode="json"))
        return httpx.Response(502, json={"error": {"code": "upstream_error"}})

    runner, _ = make_runner(tmp_path, SUPPORT, source="service", service_url="http://svc", repeat=2)
    runner.transport = httpx.MockTransport(handler)
    [result] = await runner.run([load_mini(tmp_path)])
    assert posted[0]["articles"][0]["id"] == "wire" and posted[0]["options"]["length"] == "medium"
    ok, failed = result.repeats
    assert ok.scores["fact_recall"].value == 1.0
    assert failed.problem is not None and "HTTP 502" in failed.problem


async def test_baseline_peer_takes_the_one_prompt_draft_as_written(tmp_path: Path) -> None:
    draft = {
        "headline": "Fire at the Brackley mill",
        "summary": "Six workers died in a fire.",
        "facts": [
            {
                "statement": "Six workers died in the fire.",
                "citations": [{"article_id": "post", "quote": "Five workers died in the fire"}],
            },
            {"statement": "The quote is invented.", "citations": [{"article_id": "wire", "quote": "not in it"}]},
        ],
        "conflicts": [],
        "parties": [],
        "open_questions": [],
    }
    runner, model = make_runner(tmp_path, [draft, *([YES] * 20)], strategy="baseline")
    [result] = await runner.run([load_mini(tmp_path)])
    brief = result.repeats[0].brief
    assert brief is not None and brief.meta.strategy == "baseline" and len(brief.meta.llm_calls) == 1
    assert brief.facts[0].statement == "Six workers died in the fire."  # kept although no article says six
    assert brief.facts[0].citations[0].end == 29 and brief.facts[1].citations[0].end == 0  # not found: 0, 0
    scores = result.repeats[0].scores
    assert scores["citation_validity"].value == 0.5
    assert scores["model_text_share"].value == 1.0
    assert "neutral multi-source news brief" in str(model.history[0])  # the single_brief prompt
    assert runner.brief_key(load_mini(tmp_path), 1) != make_runner(tmp_path, [], strategy="single")[0].brief_key(
        load_mini(tmp_path), 1
    )
