"""Whether a word is an ordinary English word rather than a name, by a published dictionary: the word list of
Webster's Second New International Dictionary (1934, public domain; ``web2`` of the ``english-words``
package). Its headwords keep their case: "tension" and "taxpayer" are in lower case, "Israel" with its
capital; "Biden", "Hamas" and "Boeing" are not in it at all.

Used where the articles themselves cannot tell: a word they only ever print at the start of a sentence
("Tensions between the U.S. and China have flared …") reads on in lower case after "According to X,"."""

from __future__ import annotations

from functools import cache

from service.text.lexicons import words as lexicon

_NAMES = lexicon("capitalised_nouns")  # "Republicans", "Senate": common words the news prints as names


@cache
def _web2() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2"], lower=False, alpha=True))


def dictionary_word(word: str) -> bool:
    """Whether ``word`` (any case) is a lower-case headword of the dictionary, or a regular plural of one
    ("Tensions", "Authorities"), and the dictionary has no capitalised headword of it (a name) and the news
    does not print it as one (``lexicons/capitalised_nouns.txt``: "Republicans", "Senate")."""
    lower = word.lower()
    words = _web2()
    if not lower.isalpha() or lower[:1].upper() + lower[1:] in words or word in _NAMES:
        return False
    forms = [lower]
    if lower.endswith("ies"):
        forms.append(lower[:-3] + "y")
    if lower.endswith("es"):
        forms.append(lower[:-2])
    if lower.endswith("s"):
        forms.append(lower[:-1])
    return any(f in words for f in forms)
