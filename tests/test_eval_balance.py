"""The one_side_flags metric: a stated fact scores a hit when the brief's 'one side only' flag matches what the
case's lean labels say, a miss when it does not, and nothing when the brief does not state it as a fact."""

from __future__ import annotations

from evals.balance import label_sides, one_side_flags
from evals.dataset import load_suite
from evals.scorers import ItemVerdict, Score, empty_brief
from evals.scoring import score_brief
from service.config import REPO_ROOT
from service.schemas import Balance, FactBalance
from tests.test_eval_scorers import make_judge

ALLSIDES = REPO_ROOT / "evals" / "datasets" / "allsides"
CASE = ALLSIDES / "allsides-5750-at-least-13-us-troops-over-100-afghans-killed-in.yaml"


def balance_of(flags: dict[str, str | None]) -> Balance:
    sides = {"left": 1, "center": 1, "right": 1}
    return Balance(
        leans={"lean-left": 1, "center": 1, "lean-right": 1}, sides=sides, kinds={"unknown": 3}, rated=3,  # type: ignore[arg-type]
        comparable=True, not_independent=[], one_side_only={"left": [], "center": [], "right": []}, framing=[],
        note="", facts=[FactBalance(fact_id=f, leans=[], sides=[], one_side=s) for f, s in flags.items()],  # type: ignore[arg-type]
    )


def test_labels_give_every_allsides_case_three_sides() -> None:
    for lc in load_suite([REPO_ROOT / "evals" / "datasets" / "allsides"]):
        assert sorted(set(label_sides(lc.case).values())) == ["center", "left", "right"], lc.case.id


def test_flags_are_scored_against_the_labels() -> None:
    case = load_suite([CASE])[0].case
    one_sided = next(f for f in case.facts if len(f.sources) == 1)  # e.g. only the Guardian reports it
    everyone = next(f for f in case.facts if len(f.sources) == 3)
    missing = next(f for f in case.facts if f.id not in (one_sided.id, everyone.id))
    side = label_sides(case)[one_sided.sources[0]]
    recall = Score(value=None, items=[
        ItemVerdict(id=one_sided.id, verdict="hit", reason="", where="facts[f1]"),
        ItemVerdict(id=everyone.id, verdict="hit", reason="", where="facts[f2]"),
        ItemVerdict(id=missing.id, verdict="miss", reason=""),
    ])
    brief = empty_brief()
    brief.balance = balance_of({"f1": side, "f2": "right"})  # right: a false one-side flag
    score = one_side_flags(case, brief, recall)
    verdicts = {i.id: i.verdict for i in score.items}
    assert verdicts[one_sided.id] == "hit" and verdicts[everyone.id] == "miss" and verdicts[missing.id] == "unscored"
    assert score.value == 0.5
    brief.balance = balance_of({"f1": None, "f2": None})  # nothing flagged: the one-sided fact is missed
    assert one_side_flags(case, brief, recall).value == 0.5
    brief.balance = None
    assert {i.verdict for i in one_side_flags(case, brief, recall).items} == {"miss", "unscored"}


async def test_metric_is_in_every_score(tmp_path) -> None:
    case = load_suite([CASE])[0].case
    judge, _ = make_judge(tmp_path, [])
    scores = await score_brief(case, None, "no brief", {}, judge)
    assert "one_side_flags" in scores and scores["one_side_flags"].value is None  # nothing stated: nothing scored


async def test_every_allsides_brief_shows_the_balance_and_its_one_side_only_facts() -> None:
    """The balance is code's (the model writes none of it), so a scripted model shows what every real brief
    of the suite carries: three comparable sides, a flag per fact, the one-side-only lists, in JSON and
    Markdown."""
    from service.config import Settings
    from service.llm import LLM
    from service.pipeline import build_brief
    from service.pipeline.render import to_markdown
    from service.schemas import BriefOptions, BriefRequest
    from tests.fakes import lead_reply, staged_routes

    cases = load_suite([ALLSIDES])
    assert len(cases) == 36
    for lc in cases:
        model = staged_routes("Officials said it happened.", lead_reply("Officials act", ["It happened."]), n=40)
        llm = LLM(model, backend="local", model_name="scripted", prompts_dir=REPO_ROOT / "prompts")
        request = BriefRequest(articles=lc.case.articles_in(), options=BriefOptions())
        brief = await build_brief(request, llm, Settings())
        balance = brief.balance
        assert balance is not None and balance.comparable and balance.sides == {"left": 1, "center": 1, "right": 1}
        assert {fb.fact_id for fb in balance.facts} == {f.id for f in brief.facts}, lc.case.id
        listed = {f for ids in balance.one_side_only.values() for f in ids}
        assert listed == {fb.fact_id for fb in balance.facts if fb.one_side}, lc.case.id
        markdown = to_markdown(brief)
        assert "## Coverage balance" in markdown and "1 left, 1 center, 1 right" in markdown, lc.case.id
