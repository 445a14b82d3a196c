"""Words: tokenisers, stemmers and stop words, one place for all of them.

Three comparisons cut text into words, each its own way, and each way is named here:

- :data:`match_tokens` (aligning sentences, coverage balance): letters and digits, sklearn's English stop
  words, synonyms folded (``lexicons/synonyms.txt``), plural / -ed / -ing cut after three letters;
- :data:`topic_stems` (is a figure about the same thing: conflicts): letters only, sklearn's stop words,
  curly apostrophes straightened, the same endings cut;
- :func:`content_words` (does a written sentence keep to its sources: verify, lead, select, the eval
  judges): words of three letters or more, the short stop list ``lexicons/stop_words.txt``, -ly cut too;
- :func:`roots` (which words only instruction-like sentences use: the injection screen): content words of
  four letters or more, -e cut too, at most six letters kept, so vote, voted and votes are one root;
- :data:`plain_tokens` (is a sentence a trimmed copy of its source, word for word: the meaning check):
  the words and figures as they stand, nothing left out or cut.

They differ on purpose (merging them changes which sentences group and which checks pass); what they
share is the one :class:`Words` tokeniser, and its parameters say how they differ. :func:`word_count` is
the one way to count a sentence's words, with a parameter for what counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from service.text.lexicons import folding, words

STOP_WORDS: frozenset[str] = ENGLISH_STOP_WORDS  # sklearn's 318 English stop words
SHORT_STOP: frozenset[str] = words("stop_words")  # the function words of news sentences
CONTENT_WORD = re.compile(r"[a-z][a-z'-]{2,}")  # a lower-case word of three letters or more
SYNONYMS: dict[str, str] = folding("synonyms")


@dataclass(frozen=True)
class Words:
    """A tokeniser: the words ``pattern`` finds in the lower-cased text, less ``stop`` and less those shorter
    than ``min_length``, each folded to its synonym's canonical word or else with its ``suffix`` cut (none
    when ``suffix`` is None); a stem shorter than ``min_stem`` gives way to the whole word, and only the
    first ``keep`` letters of a word are kept (all when None)."""

    pattern: re.Pattern[str]
    stop: frozenset[str]
    suffix: re.Pattern[str] | None
    fold: Mapping[str, str] | None = None
    straight_apostrophes: bool = False
    min_length: int = 0
    min_stem: int = 0
    keep: int | None = None

    def __call__(self, text: str) -> list[str]:
        low = text.lower()
        if self.straight_apostrophes:
            low = low.replace("’", "'")
        fold = self.fold or {}
        found = [w for w in self.pattern.findall(low) if len(w) >= self.min_length and w not in self.stop]
        return [fold.get(w) or self._stem(w)[: self.keep] for w in found]

    def _stem(self, word: str) -> str:
        stem = self.suffix.sub("", word) if self.suffix else word
        return stem if len(stem) >= self.min_stem else word


match_tokens = Words(
    re.compile(r"[a-z0-9][a-z0-9'-]*"), STOP_WORDS, re.compile(r"(?<=[a-z]{3})(ies|es|s|ed|ing)$"), SYNONYMS
)
topic_stems = Words(
    re.compile(r"[^\W\d_]{2,}"), STOP_WORDS, re.compile(r"(?<=\w{3})(?:ing|ed|es|s)$"), straight_apostrophes=True
)
_content = Words(CONTENT_WORD, SHORT_STOP, re.compile(r"(ing|ed|es|s|ly)$"))
_roots = Words(CONTENT_WORD, SHORT_STOP, re.compile(r"(ing|ed|es|s|ly|e)$"), min_length=4, min_stem=3, keep=6)
plain_tokens = Words(re.compile(r"[a-z0-9][a-z0-9'-]*"), frozenset(), None)


def content_words(text: str) -> set[str]:
    """Lower-case stemmed content words of ``text``."""
    return set(_content(text))


def roots(text: str) -> set[str]:
    """Rough roots of the content words of ``text``: vote, voted, votes → "vot"; resigned, resignation →
    "resign"; died → "died" (a stem under three letters keeps the whole word). Words under four letters
    and stop words are left out."""
    return set(_roots(text))


_WORD_OR_FIGURE = re.compile(r"[A-Za-z][A-Za-z'-]+|\d[\d,.]*")
_TOKEN = re.compile(r"[A-Za-z0-9][\w'’.,%$-]*")


def word_count(text: str, *, every_token: bool = False) -> int:
    """Number of words in ``text``: words of two letters or more and figures (how long a statement is); with
    ``every_token``, every run that starts with a letter or a digit, its marks included, so that "a", "I",
    "$5" and "40%" count too (how long a headline or a summary sentence is)."""
    return len((_TOKEN if every_token else _WORD_OR_FIGURE).findall(text))
