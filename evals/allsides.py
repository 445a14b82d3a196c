"""Real-news eval cases from the AllSides 2021 clusters (``../shared/data/allsides-2021/clusters.jsonl``):
one story reported by a left, a center and a right outlet, with the neutral roundup AllSides editors wrote.

``python -m evals.allsides candidates`` lists stories worth labelling (figures that differ between outlets,
several actors); ``python -m evals.allsides skeleton ID`` writes a case file with the three articles, the
roundup as comments and one fact per roundup sentence, so labelling is the only hand work;
``python -m evals.allsides check FILE...`` says which anchors match none of their fact's source articles.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import yaml

from evals.dataset import DatasetError, load_case
from service.config import REPO_ROOT
from service.text import sentences

DEFAULT_CLUSTERS = REPO_ROOT.parent / "shared" / "data" / "allsides-2021" / "clusters.jsonl"
SUITE_DIR = REPO_ROOT / "evals" / "datasets" / "allsides"
SLOTS = ("left", "center", "right")
SOURCE_NOTE = (
    "Source: AllSides story {id} ({date}), from the NeuS data release (HLTCHKUST/framing-bias-metric,\n"
    "MIT licence; Lee et al., NAACL 2022) as kept in shared/data/allsides-2021. Article bodies are the\n"
    "opening ~100 words of each report, as AllSides showed them."
)
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")


def load_clusters(path: Path = DEFAULT_CLUSTERS) -> dict[int, dict[str, Any]]:
    """Story id → cluster, as stored in the jsonl file."""
    out = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                out[int(row["id"])] = row
    return out


def clean(text: str) -> str:
    """Text as crawled, with non-breaking spaces made plain."""
    return re.sub(r"[ \t]+", " ", text.replace("\u00a0", " ")).strip()


def outlet_slug(outlet: str) -> str:
    """``"Fox News (Online News)"`` → ``"fox-news"``."""
    name = re.sub(r"\s*\(.*?\)\s*", " ", outlet).strip().lower()
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-")[:40] or "outlet"


def article_ids(cluster: dict[str, Any]) -> dict[str, str]:
    """Slot → article id (the outlet's slug; the slot is added when two slots share an outlet)."""
    ids: dict[str, str] = {}
    for slot in SLOTS:
        slug = outlet_slug(cluster["articles"][slot]["outlet"])
        ids[slot] = f"{slug}-{slot}" if slug in ids.values() else slug
    return ids


def body(article: dict[str, Any]) -> str:
    """An article's paragraphs as one text, blank-line separated."""
    return "\n\n".join(clean(p) for p in article["paragraphs"] if clean(p))


def roundup_sentences(cluster: dict[str, Any]) -> list[str]:
    """The roundup's sentences (its last paragraph, on how coverage differed, is left out when there are
    several: it is about the outlets, not the event)."""
    paras = [clean(p) for p in cluster["roundup"] if clean(p)]
    if len(paras) > 1 and re.search(r"\bcoverage\b|\boutlets?\b|-rated\b", paras[-1], re.I):
        paras = paras[:-1]
    return [s for p in paras for s in sentences.split(p)]


def interest(cluster: dict[str, Any]) -> dict[str, int]:
    """How much a story offers a brief eval: figures that only some outlets give, names, words."""
    texts = [body(cluster["articles"][s]) for s in SLOTS]
    figures = [set(_NUMBER.findall(t)) for t in texts]
    every = set.union(*figures)
    differing = len(every - set.intersection(*figures))
    names = len(set.union(*(set(_NAME.findall(t)) for t in texts)))
    return {"differing_figures": differing, "names": names, "words": sum(len(t.split()) for t in texts)}


def skeleton(cluster: dict[str, Any]) -> str:
    """A case file to label: the articles inline, the roundup as comments, one fact per roundup sentence
    with every article as a source (narrow them), and empty sections for the rest."""
    ids = article_ids(cluster)
    slug = re.sub(r"[^a-z0-9]+", "-", cluster["title"].lower().replace("perspectives:", "")).strip("-")[:48]
    case: dict[str, Any] = {
        "id": f"allsides-{cluster['id']}-{slug}".rstrip("-"),
        "title": clean(cluster["title"]),
        "articles": [
            {
                "id": ids[slot],
                "outlet": clean(cluster["articles"][slot]["outlet"]),
                "title": clean(cluster["articles"][slot].get("title") or "") or None,
                "published": cluster.get("date"),
                "text": body(cluster["articles"][slot]),
            }
            for slot in SLOTS
        ],
        "facts": [
            {"id": f"r{i}", "claim": s, "weight": 3, "sources": list(ids.values()), "anchors": []}
            for i, s in enumerate(roundup_sentences(cluster), start=1)
        ],
        "conflicts": [],
        "must_not_claim": [],
        "loaded_terms": [],
        "parties": [],
    }
    header = SOURCE_NOTE.format(id=cluster["id"], date=cluster.get("date")).splitlines()
    header += [
        f"Topic: {cluster.get('topic')}. Leans: "
        + ", ".join(f"{ids[s]} {cluster['articles'][s].get('lean', s)}" for s in SLOTS),
        "",
        "AllSides roundup (the reference for core facts):",
    ]
    header += [f"  {line}" for p in cluster["roundup"] for line in _wrap(clean(p))]
    text = yaml.dump(case, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    return "\n".join(f"# {h}".rstrip() for h in header) + "\n" + text


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (article bodies) as literal blocks, so a case file reads like the articles."""


_Dumper.add_representer(
    str,
    lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None),
)


def _wrap(text: str, width: int = 100) -> Iterator[str]:
    line = ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            yield line
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        yield line


def anchor_problems(path: Path) -> list[str]:
    """Anchors of a case that match none of their fact's source articles (a label that cannot be right)."""
    case = load_case(path).case
    texts = case.texts()
    problems = []
    for f in case.facts:
        for a in f.anchors:
            if not any(re.search(a, texts[s], re.I) for s in f.sources):
                problems.append(f"{path}: facts[{f.id}]: anchor {a!r} matches none of {f.sources}")
    return problems


@click.group()
def cli() -> None:
    """AllSides real-news cases: find stories, write skeletons, check labels."""


@cli.command("candidates")
@click.option("--clusters", type=click.Path(exists=True, path_type=Path), default=DEFAULT_CLUSTERS)
@click.option("--limit", type=int, default=60, show_default=True)
def candidates_cmd(clusters: Path, limit: int) -> None:
    """Stories ranked by figures that differ between outlets, then by names."""
    rows = load_clusters(clusters)
    ranked = sorted(rows.values(), key=lambda c: (interest(c)["differing_figures"], interest(c)["names"]), reverse=True)
    for c in ranked[:limit]:
        i = interest(c)
        click.echo(f"{c['id']}\t{i['differing_figures']}\t{i['names']}\t{i['words']}\t{c['topic']}\t{c['title']}")


@cli.command("skeleton")
@click.argument("story_ids", nargs=-1, type=int, required=True)
@click.option("--clusters", type=click.Path(exists=True, path_type=Path), default=DEFAULT_CLUSTERS)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=SUITE_DIR, show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an existing case file.")
def skeleton_cmd(story_ids: tuple[int, ...], clusters: Path, out: Path, force: bool) -> None:
    """Write a case skeleton per story id to OUT/<case-id>.yaml."""
    rows = load_clusters(clusters)
    out.mkdir(parents=True, exist_ok=True)
    for sid in story_ids:
        if sid not in rows:
            raise click.UsageError(f"no story {sid} in {clusters}")
        text = skeleton(rows[sid])
        case_id = yaml.safe_load(text)["id"]
        path = out / f"{case_id}.yaml"
        if path.exists() and not force:
            click.echo(f"exists, left alone: {path}", err=True)
            continue
        path.write_text(text, encoding="utf-8")
        click.echo(str(path))


@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path), required=True)
def check_cmd(paths: tuple[Path, ...]) -> None:
    """Validate case files and test every anchor against its fact's source articles."""
    problems = []
    for p in paths:
        try:
            problems += anchor_problems(p)
        except DatasetError as e:
            problems.append(str(e))
    for line in problems:
        click.echo(line, err=True)
    click.echo(f"{len(paths)} file(s), {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    cli()
