"""The public contract of outlet metadata and coverage balance: who covered the story, of which leaning and
kind, and which facts only one side reported. Re-exported by :mod:`crossbrief.contract`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Balance",
    "FactBalance",
    "KINDS",
    "Kind",
    "LEANS",
    "Lean",
    "NOT_INDEPENDENT",
    "SIDES",
    "SIDE_OF",
    "Side",
    "SideFraming",
]

Lean = Literal["left", "lean-left", "center", "lean-right", "right", "unknown"]
Kind = Literal["news", "opinion", "wire", "press-release", "state-media", "unknown"]
Side = Literal["left", "center", "right"]

LEANS: tuple[Lean, ...] = ("left", "lean-left", "center", "lean-right", "right", "unknown")
KINDS: tuple[Kind, ...] = ("news", "opinion", "wire", "press-release", "state-media", "unknown")
SIDES: tuple[Side, ...] = ("left", "center", "right")
SIDE_OF: dict[str, Side] = {
    "left": "left", "lean-left": "left", "center": "center", "lean-right": "right", "right": "right"
}
# Kinds whose articles are not independent reporting: they never count as corroboration.
NOT_INDEPENDENT: frozenset[str] = frozenset({"opinion", "press-release"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FactBalance(_Model):
    """Which sides report one fact."""

    fact_id: str
    leans: list[Lean] = Field(..., description="Leans of the articles that state it (left to right, unknown last).")
    sides: list[Side] = Field(..., description="Sides (left, center, right) of the rated articles that state it.")
    one_side: Side | None = Field(
        None,
        description="Set when only outlets of this side state the fact although the story was covered by "
        "more than one side, and every article stating it is rated: 'reported by one side only'.",
    )


class SideFraming(_Model):
    """How one side's outlets covered the story, by code from the articles and the brief's facts."""

    side: Side
    outlets: list[str] = Field(..., description="Its outlets, as named in the request.")
    naming: list[str] = Field(
        ..., description="How its outlets name the actors: naming terms they use that no other side's outlet uses."
    )
    leads: list[str] = Field(
        ..., description="What its outlets lead with: per outlet, the id of the brief's fact it states first."
    )
    one_side_only: list[str] = Field(..., description="Ids of the facts only this side reports.")
    sentence: str = Field(..., description="One sentence about this side's coverage, composed by code.")


class Balance(_Model):
    """Coverage balance: counts by lean and kind, per-fact sides, one-side-only facts and per-side framing."""

    leans: dict[Lean, int] = Field(..., description="Articles per lean (every lean listed, 0 when none).")
    sides: dict[Side, int] = Field(..., description="Articles per side: left and lean-left count as left, etc.")
    kinds: dict[Kind, int] = Field(..., description="Articles per kind (every kind listed).")
    rated: int = Field(..., description="Articles whose lean is known.")
    comparable: bool = Field(
        ..., description="True when rated articles come from two or more sides, so one-side-only flags apply."
    )
    not_independent: list[str] = Field(
        ..., description="Ids of the articles (opinion pieces, press releases) that never count as corroboration."
    )
    facts: list[FactBalance]
    one_side_only: dict[Side, list[str]] = Field(..., description="Per side, ids of the facts only it reports.")
    framing: list[SideFraming] = Field(..., description="One entry per side that covered the story.")
    note: str = Field(..., description="One line for editors, composed by code.")
    sources: dict[str, str] = Field(
        default_factory=dict, description="Where the leans and kinds not given by the caller come from."
    )
