"""Apply the headline rule of ``service.pipeline.headline_words`` (one outlet's judging adjective out) to the
briefs of a saved eval run, and audit its model-written sentences with ``service.pipeline.roles`` (who did what
turned round). Both rules act on text the model already wrote, so the replayed briefs are what the current code
writes from the same model output. Writes ``OUT/before/<case>.json`` and ``OUT/after/<case>.json`` for
``crossbrief eval run … --briefs OUT/after`` and prints every headline it changes and every sentence the roles
rule would refuse.

    python bench/headline_replay.py evals/runs/<run> /tmp/replay
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from evals.dataset import load_case
from evals.judges import sentences
from service.config import Settings
from service.pipeline.headline_words import outlet_adjectives, word_users
from service.pipeline.ingest import ingest
from service.pipeline.meaning import ACCORDING
from service.pipeline.roles import roles_swapped
from service.pipeline.support import in_order_share

_REPORTS = re.compile(r"^[A-Z][\w .'&-]{1,60} (?:also )?reports that ")  # code's "NPR reports that …"


def main(run_dir: Path, out: Path) -> None:
    run = json.loads((run_dir / "run.json").read_text())
    (out / "before").mkdir(parents=True, exist_ok=True)
    (out / "after").mkdir(parents=True, exist_ok=True)
    changed = model_sentences = refused = 0
    for case in run["cases"]:
        brief = case["repeats"][0]["brief"]
        if brief is None:
            continue
        (out / "before" / f"{case['id']}.json").write_text(json.dumps(brief))
        articles = ingest(load_case(Path(case["file"])).case.articles_in(), Settings())
        text, dropped = outlet_adjectives(brief["headline"], word_users(articles))
        if dropped:
            changed += 1
            print(f"{case['id']}: headline {brief['headline']!r} -> {text!r} (left out: {', '.join(dropped)})")
        (out / "after" / f"{case['id']}.json").write_text(json.dumps(dict(brief, headline=text)))
        provenance = brief["meta"].get("provenance", {})
        quotes = [q["quote"] for f in brief["facts"] for q in f["citations"]]
        items = [(f"facts[{f['id']}]", f["statement"], [q["quote"] for q in f["citations"]]) for f in brief["facts"]]
        items += [("headline", brief["headline"], quotes)]
        items += [(f"summary[{i}]", s, quotes) for i, s in enumerate(sentences(brief["summary"]))]
        for item, sentence, sources in items:
            if provenance.get(item) != "model" or not sources:
                continue
            model_sentences += 1
            own = _REPORTS.sub("", ACCORDING.sub("", sentence))  # as the model wrote it, before code's attribution
            own = own[:1].upper() + own[1:]
            why = roles_swapped(max(sources, key=lambda s: in_order_share(own, s)), own)
            if why:
                refused += 1
                print(f"{case['id']}: {item} refused ({why}): {own[:120]}")
    print(
        f"headlines changed: {changed} of {len(run['cases'])}; model sentences {model_sentences}, "
        f"refused by the roles rule {refused}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="an eval run folder (its run.json)")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    main(args.run, args.out)
