"""Words: tokenisers, stemmers and stop words, one place for all of them.

Three comparisons cut text into words, each its own way, and each way is named here:

- :data:`match_tokens` (aligning sentences, coverage balance): letters and digits, sklearn's English stop
  words, synonyms folded (``lexicons/synonyms.txt``), plural / -ed / -ing cut after three letters;
- :data:`topic_stems` (is a figure about the same thing: conflicts): letters only, sklearn's stop words,
  curly apostrophes straightened, the same endings cut;
- :func:`content_words` (does a written sentence keep to its sources: verify, lead, select, the eval
  judges): words of three letters or more, the short stop list ``lexicons/stop_words.txt``, -ly cut too.

They differ on purpose (merging them changes which sentences group and which checks pass); what they
share is the one :class:`Words` tokeniser.
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
    """A tokeniser: the words ``pattern`` finds in the lower-cased text, less ``stop``, each folded to its
    synonym's canonical word or else with its ``suffix`` cut."""

    pattern: re.Pattern[str]
    stop: frozenset[str]
    suffix: re.Pattern[str]
    fold: Mapping[str, str] | None = None
    straight_apostrophes: bool = False

    def __call__(self, text: str) -> list[str]:
        low = text.lower()
        if self.straight_apostrophes:
            low = low.replace("’", "'")
        fold = self.fold or {}
        return [fold.get(w) or self.suffix.sub("", w) for w in self.pattern.findall(low) if w not in self.stop]


match_tokens = Words(
    re.compile(r"[a-z0-9][a-z0-9'-]*"), STOP_WORDS, re.compile(r"(?<=[a-z]{3})(ies|es|s|ed|ing)$"), SYNONYMS
)
topic_stems = Words(
    re.compile(r"[^\W\d_]{2,}"), STOP_WORDS, re.compile(r"(?<=\w{3})(?:ing|ed|es|s)$"), straight_apostrophes=True
)
_content = Words(CONTENT_WORD, SHORT_STOP, re.compile(r"(ing|ed|es|s|ly)$"))


def content_words(text: str) -> set[str]:
    """Lower-case stemmed content words of ``text``."""
    return set(_content(text))
