"""What every model of the wire contract shares: unknown fields are refused, and refused cheaply."""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

MAX_UNKNOWN_FIELDS = 10  # unknown fields named one by one; more are refused in one error
_SPACES = re.compile(r"\s+")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Request(_Model):
    """A part of a request: many unknown fields are refused in one error, not one error each (a 10 MB body of
    unknown keys would otherwise make a million errors and take a gigabyte to report)."""

    @model_validator(mode="before")
    @classmethod
    def _few_unknown_fields(cls, data: Any) -> Any:
        if isinstance(data, dict) and len(data) > len(cls.model_fields) + MAX_UNKNOWN_FIELDS:
            known = cls.model_fields.keys() & data.keys()
            some = [str(k)[:40] for k in itertools.islice((k for k in data if k not in known), 3)]
            raise ValueError(
                f"{len(data) - len(known)} unknown fields (e.g. {', '.join(some)}); "
                f"allowed: {', '.join(cls.model_fields)}"
            )
        return data


def one_line(value: str) -> str:
    """A name or headline as one line: control and invisible format characters removed, whitespace collapsed."""
    kept = "".join(
        " " if ch.isspace() else ch for ch in value if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return _SPACES.sub(" ", kept).strip()
