"""What kind of word a word is, from the two English lexicons TextBlob ships (from the Pattern library; read
once from the installed package, nothing downloaded, no tagger run):

- ``en-lexicon.txt``: the Brill tagger's lexicon, about 94,000 words with their most frequent Penn Treebank
  part of speech ("massive" JJ, "expose" VB);
- ``en-sentiment.xml``: about 2,900 adjectives tagged by hand per sense with a subjectivity from 0 (objective)
  to 1 (subjective) (De Smedt & Daelemans; "massive" 1.0, "huge" 0.9, "major" 0.5, "economic" 0.2)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import cache
from importlib.resources import files


@cache
def _lexicon() -> dict[str, str]:
    text = files("textblob").joinpath("en", "en-lexicon.txt").read_text(encoding="utf-8")
    tags: dict[str, str] = {}
    for line in text.splitlines():
        word, _, tag = line.partition(" ")
        if word and tag and not line.startswith(";"):
            tags.setdefault(word, tag.split()[0])
    return tags


@cache
def _subjectivity() -> dict[str, float]:
    root = ET.fromstring(files("textblob").joinpath("en", "en-sentiment.xml").read_bytes())
    senses: dict[str, list[float]] = {}
    for w in root.iter("word"):
        senses.setdefault(w.get("form", "").lower(), []).append(float(w.get("subjectivity", "0")))
    return {word: sum(v) / len(v) for word, v in senses.items() if word}


def tag(word: str) -> str | None:
    """The word's most frequent Penn Treebank tag ("massive" → "JJ", "expose" → "VB"), or None when the
    lexicon does not have it. Looked up as printed, then in lower case."""
    lex = _lexicon()
    return lex.get(word) or lex.get(word.lower())


def adjective(word: str) -> bool:
    """Whether the word is mostly a plain adjective (JJ; not a comparative, superlative or participle)."""
    return tag(word) == "JJ"


def subjectivity(word: str) -> float | None:
    """The adjective's subjectivity, averaged over its senses (0 objective … 1 subjective), or None when the
    sentiment lexicon does not list it."""
    return _subjectivity().get(word.lower())
