"""Eval cases: one YAML file per case (``evals/datasets/<suite>/<case>.yaml``), in the format of issue #3.

A case holds the articles about one event and what a good brief must (facts, conflicts, parties) and
must not (forbidden claims, unattributed loaded terms) contain. Every problem with a file is raised as
:class:`DatasetError` naming the file and the field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from service.schemas import ArticleIn, Kind, Lean

SLUG = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class DatasetError(Exception):
    """A case file is unusable: ``file`` and ``field`` (e.g. ``facts[2].sources``) say where."""

    def __init__(self, file: Path | str, field: str, message: str) -> None:
        super().__init__(f"{file}: {field}: {message}")
        self.file = str(file)
        self.field = field
        self.message = message


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseArticle(_Model):
    """One article of a case: inline ``text`` or a ``path`` relative to the case file."""

    id: str = Field(..., pattern=SLUG, max_length=64, description="Unique within the case.")
    outlet: str = Field(..., min_length=1)
    title: str | None = None
    published: dt.date | None = Field(None, description="Publication date (ISO 8601).")
    text: str | None = Field(None, description="Article body; filled from ``path`` when loaded.")
    path: str | None = Field(None, description="Body file, relative to the case file.")
    lean: Lean | None = Field(None, description="The outlet's lean, sent with the article and used to label sides.")
    kind: Kind | None = Field(None, description="news, opinion, wire, press-release or state-media.")

    @model_validator(mode="after")
    def _one_body(self) -> CaseArticle:
        if (self.text is None) == (self.path is None):
            raise ValueError("give exactly one of 'text' or 'path'")
        return self


class CaseFact(_Model):
    """A fact a good brief states."""

    id: str = Field(..., pattern=SLUG)
    claim: str = Field(..., min_length=1, description="The fact, as a sentence.")
    weight: Literal[1, 2, 3] = Field(..., description="3 core, 2 important, 1 detail.")
    sources: list[str] = Field(..., min_length=1, description="Ids of the articles that state it.")
    anchors: list[str] = Field(
        default_factory=list,
        description="Case-insensitive regexes; a statement covers the fact only if it matches every one.",
    )

    @field_validator("anchors")
    @classmethod
    def _regexes(cls, anchors: list[str]) -> list[str]:
        for i, a in enumerate(anchors):
            try:
                re.compile(a, re.I)
            except re.error as e:
                raise ValueError(f"anchors[{i}] {a!r} is not a valid regex: {e}") from e
        return anchors


class ConflictClaim(_Model):
    """One side of a labelled disagreement: what one article says."""

    source: str
    value: str = Field(..., min_length=1)


class CaseConflict(_Model):
    """A disagreement between outlets that a good brief shows side by side."""

    id: str = Field(..., pattern=SLUG)
    about: str
    claims: list[ConflictClaim] = Field(..., min_length=2)


class ForbiddenClaim(_Model):
    """Something the articles do not support; a brief that asserts it is wrong."""

    id: str = Field(..., pattern=SLUG)
    claim: str = Field(..., min_length=1)


class Party(_Model):
    """A party to the event and its position as the articles report it."""

    name: str = Field(..., min_length=1)
    position: str = ""


class Case(_Model):
    """One labelled eval case."""

    id: str = Field(..., pattern=SLUG, description="Unique slug across the suite.")
    title: str | None = None
    articles: list[CaseArticle] = Field(..., min_length=2)
    facts: list[CaseFact] = Field(default_factory=list)
    conflicts: list[CaseConflict] = Field(default_factory=list)
    must_not_claim: list[ForbiddenClaim] = Field(default_factory=list)
    loaded_terms: list[str] = Field(default_factory=list)
    parties: list[Party] = Field(default_factory=list)

    def texts(self) -> dict[str, str]:
        """Article id → body text."""
        return {a.id: a.text or "" for a in self.articles}

    def articles_in(self) -> list[ArticleIn]:
        """The articles as a brief request carries them."""
        return [
            ArticleIn(
                id=a.id, outlet=a.outlet, title=a.title, published=a.published, text=a.text, lean=a.lean, kind=a.kind
            )
            for a in self.articles
        ]


class LoadedCase(BaseModel):
    """A validated case with where it came from and the hash of its content (texts included)."""

    case: Case
    file: str
    suite: str
    sha256: str


def load_case(path: Path) -> LoadedCase:
    """Read, validate and resolve one case file; raises DatasetError naming the file and the field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise DatasetError(path, "-", f"cannot read: {e}") from e
    except yaml.YAMLError as e:
        raise DatasetError(path, "-", f"not valid YAML: {e}") from e
    if not isinstance(raw, dict):
        raise DatasetError(path, "-", "expected a mapping of case fields")
    try:
        case = Case.model_validate(raw)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        field = _field_name(err["loc"])
        message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        raise DatasetError(path, field, message) from e
    for i, art in enumerate(case.articles):
        if art.path is not None:
            body = path.parent / art.path
            try:
                art.text = body.read_text(encoding="utf-8")
            except OSError as e:
                raise DatasetError(path, f"articles[{i}].path", f"cannot read {body}: {e}") from e
        if not (art.text or "").strip():
            raise DatasetError(path, f"articles[{i}].text", "article body is empty")
    _check_references(case, path)
    digest = hashlib.sha256(json.dumps(case.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()
    return LoadedCase(case=case, file=str(path), suite=path.parent.name, sha256=digest)


def case_files(paths: Iterable[Path]) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file named or found below the given folders, sorted, no repeats (a file
    reached twice, e.g. through a link, once)."""
    found: dict[Path, Path] = {}  # resolved → as named: a case linked into a second suite is loaded once
    for p in paths:
        if p.is_dir():
            for f in sorted([*p.rglob("*.yaml"), *p.rglob("*.yml")]):
                found.setdefault(f.resolve(), f)
        elif p.is_file():
            found.setdefault(p.resolve(), p)
        else:
            raise DatasetError(p, "-", "no such file or folder")
    return list(found.values())


def load_suite(paths: Iterable[Path]) -> list[LoadedCase]:
    """Load every case under ``paths``; case ids must be unique across them."""
    cases: list[LoadedCase] = []
    seen: dict[str, str] = {}
    for f in case_files(paths):
        loaded = load_case(f)
        if loaded.case.id in seen:
            raise DatasetError(f, "id", f"duplicate case id {loaded.case.id!r} (also in {seen[loaded.case.id]})")
        seen[loaded.case.id] = str(f)
        cases.append(loaded)
    if not cases:
        raise DatasetError(", ".join(str(p) for p in paths) or "-", "-", "no case files found")
    return cases


def _field_name(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "-"


def _check_references(case: Case, path: Path) -> None:
    _unique(path, "articles", [a.id for a in case.articles])
    _unique(path, "facts", [f.id for f in case.facts])
    _unique(path, "conflicts", [c.id for c in case.conflicts])
    _unique(path, "must_not_claim", [m.id for m in case.must_not_claim])
    _unique(path, "parties", [p.name for p in case.parties], key="name")
    known = {a.id for a in case.articles}
    for i, fact in enumerate(case.facts):
        for j, src in enumerate(fact.sources):
            if src not in known:
                raise DatasetError(path, f"facts[{i}].sources[{j}]", _unknown(src, known))
    for i, conflict in enumerate(case.conflicts):
        for j, claim in enumerate(conflict.claims):
            if claim.source not in known:
                raise DatasetError(path, f"conflicts[{i}].claims[{j}].source", _unknown(claim.source, known))


def _unique(path: Path, section: str, ids: list[str], key: str = "id") -> None:
    first: dict[str, int] = {}
    for i, value in enumerate(ids):
        if value in first:
            raise DatasetError(
                path, f"{section}[{i}].{key}", f"duplicate {key} {value!r} (also {section}[{first[value]}])"
            )
        first[value] = i


def _unknown(src: str, known: set[str]) -> str:
    return f"{src!r} is not an article id of this case (articles: {', '.join(sorted(known))})"
