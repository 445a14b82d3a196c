"""Stored briefs are reused only while the code that wrote them, word lists included, is the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service import digest


@pytest.fixture
def fresh_digest() -> Iterator[None]:
    digest.code_digest.cache_clear()  # read once per process: the test reads it afresh, then leaves it unread
    yield
    digest.code_digest.cache_clear()


def code_digest() -> str:
    digest.code_digest.cache_clear()
    return digest.code_digest()


def test_a_changed_word_list_changes_the_code_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_digest: None
) -> None:
    (tmp_path / "text" / "lexicons").mkdir(parents=True)
    (tmp_path / "stage.py").write_text("X = 1\n")
    words = tmp_path / "text" / "lexicons" / "verbs.txt"
    words.write_text("said told\n")
    monkeypatch.setattr(digest, "SERVICE_ROOT", tmp_path)
    before = code_digest()
    assert code_digest() == before
    words.write_text("said told added\n")
    with_word = code_digest()
    assert with_word != before
    (tmp_path / "stage.py").write_text("X = 2\n")
    assert code_digest() not in (before, with_word)
