"""Verify: nothing reaches the brief unless the articles support it.

Quotes must occur in the cited article (whitespace and quote marks normalised), and so must every
passage a statement puts in quotation marks; every number in a statement must occur in a cited article;
a rewritten statement must keep to the words of its sources; loaded terms must sit inside a quote or
next to an attribution. (A fact's status is decided with the rest of fact selection, in ``select``.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from service.pipeline.numbers import number_values
from service.pipeline.types import Article
from service.schemas import Citation
from service.text import content_words, sentences

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "`": "'"})
_SPACE = re.compile(r"\s+")
ATTRIBUTION = re.compile(
    r"\b(said|says|say|told|according to|called|calls|described|describes|described as|claimed|claims|"
    r"considered|considers|regards|regarded|views|viewed|deems|deemed|"  # "China views Taiwan as a breakaway …"
    r"labelled|labeled|branded|designated|referred to|reports that|reported that)\b",
    re.I,
)


def normalise(text: str) -> str:
    """Text with quote marks unified and whitespace collapsed (for locating quotes)."""
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip()


def locate(article: Article, quote: str) -> Citation | None:
    """A citation for ``quote`` with its offsets in the article, or None when the article lacks it."""
    target = normalise(quote).strip(" .\"'")
    if len(target) < 8:
        return None
    # Map normalised text back to original offsets.
    chars: list[str] = []
    offsets: list[int] = []
    prev_space = False
    for i, ch in enumerate(article.text.translate(_QUOTES)):
        space = ch.isspace()
        if space and prev_space:
            continue
        chars.append(" " if space else ch)
        offsets.append(i)
        prev_space = space
    flat = "".join(chars)
    pos = flat.find(target)
    if pos < 0:
        lowered = flat.lower().find(target.lower())
        if lowered < 0:
            return None
        pos = lowered
    start = offsets[pos]
    end = offsets[pos + len(target) - 1] + 1
    return Citation(article_id=article.id, quote=article.text[start:end], start=start, end=end)


def unsupported_numbers(statement: str, sources: Iterable[str]) -> list[float]:
    """Numbers in ``statement`` that no source text contains."""
    known: set[float] = set()
    for text in sources:
        known |= number_values(text)
    return sorted(v for v in number_values(statement) if v not in known)


_DOUBLE_QUOTED = re.compile(r'"([^"]+)"')
_SINGLE_QUOTED = re.compile(r"‘([^‘’]+)’")


def unsupported_quotes(text: str, sources: Iterable[str]) -> list[str]:
    """Passages ``text`` puts in quotation marks (double, curly single) that no source contains word for
    word (case, quote marks, spacing and end punctuation aside): quotations the sources do not support."""
    known = " ".join(normalise(s).lower() for s in sources)
    passages = [m.group(1) for m in _SINGLE_QUOTED.finditer(text)]
    passages += [m.group(1) for m in _DOUBLE_QUOTED.finditer(normalise(text))]
    out = []
    for passage in passages:
        core = normalise(passage).lower().strip(" .,;:!?'")
        if core and core not in known:
            out.append(passage.strip())
    return out


def unsupported_claims(text: str, sources: Iterable[str]) -> str | None:
    """What ``text`` states that no source does — numbers, quotations — or None."""
    texts = list(sources)
    numbers = unsupported_numbers(text, texts)
    quoted = unsupported_quotes(text, texts)
    parts = [f"numbers {', '.join(_fmt(v) for v in numbers)}"] if numbers else []
    parts += [f"quotations {'; '.join(quoted)}"] if quoted else []
    return " and ".join(parts) or None


def support_ratio(statement: str, sources: Iterable[str]) -> float:
    """Share of the statement's content words that occur in the sources (1.0 = all of them)."""
    words = content_words(statement)
    if not words:
        return 0.0
    known: set[str] = set()
    for text in sources:
        known |= content_words(text)
    return len(words & known) / len(words)


_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:[-'’][A-Za-z]+)?\b")


def new_names(statement: str, sources: Iterable[str]) -> list[str]:
    """Capitalised words inside the statement (names, titles) that no source contains; a straight and a curly
    apostrophe are one ("America's" of "America’s", allsides-5772), and a possessive is its name."""
    known = normalise(" ".join(sources))

    def unknown(name: str) -> bool:  # "Hamas's political bureau" of "the Hamas political bureau"
        return name not in known and re.sub(r"'s?$", "", name) not in known

    return sorted({m.group(0) for m in _NAME.finditer(normalise(statement)) if unknown(m.group(0))})


# A sentence that opens by naming whose report it is ("According to CNN, …", "CNN also reports that …"): its
# every word is that report's, however long the sentence runs after the attribution.
# The same after a short lead-in that ends on "that,": "Can other sources confirm that, according to CNN, …?"
_REPORT_OF = re.compile(
    r"^(?:[A-Z][^,]{0,40}\bthat,\s+)?"
    r"(?:According to [^,]{1,80},|as [^,]{1,80} reports,|[A-Z][^,.]{0,60}? (?:also )?reports? that)\s",
    re.I,
)
# A claim in speaker form, its speaker at the end: "Facebook knowingly chooses profits, Frances Haugen says", or a
# speaker named by role in headline style: "…, whistleblower says", "…, officials say" (allsides-5648's headline,
# which the headline's speaker check reads as whose word it is); not "…, the report says"
_SPEAKER_END = re.compile(r",\s+(?:[A-Z][\w.'’-]*\s+){1,4}(?:says|said)\.?$|,\s+[a-z][\w'’-]*\s+(?:say|says|said)\.?$")


def without_report(text: str) -> str:
    """``text`` without a lead-in that makes it an outlet's report ("According to CNN, the …" → "the …")."""
    plain = normalise(text)
    m = _REPORT_OF.match(plain)
    return plain[m.end() :] if m else text


def unattributed_terms(text: str, terms: Iterable[str]) -> list[str]:
    """Loaded terms used in ``text`` outside quotation marks and without an attribution verb nearby (a
    sentence that opens with "According to X," is X's report to its end)."""
    plain = normalise(text)
    if _REPORT_OF.match(plain) or _SPEAKER_END.search(plain):
        return []
    outside = re.sub(r'"[^"]*"', " ", plain)
    found = []
    for term in terms:
        for m in re.finditer(rf"\b{re.escape(term)}(?:s|es|ed|d)?\b", outside, re.I):  # "ransom" ≠ "ransomware"
            window = outside[max(0, m.start() - 80) : m.end() + 40]
            if not ATTRIBUTION.search(window):
                found.append(term)
                break
    return found


def statement_form(text: str) -> str | None:
    """Why a statement cannot stand as a sentence of the brief, by form alone."""
    if not text:
        return "empty statement"
    if not text[0].isupper() and not text[0].isdigit() and text[0] not in "\"“'‘":
        return "start the statement with a capital letter"
    if not text.endswith((".", "!", "?", '"', "”", "’", "'")):
        return "the statement is cut off; end it with a full stop"
    return None


def check_statement(statement: str, sources: list[str], min_support: float = 0.6) -> str | None:
    """Why a model-written statement is not supported by its source sentences, or None when it is.

    Besides numbers and words, attribution must survive: when every source attributes the claim
    ("X said"), the statement must too."""
    text = statement.strip()
    form = statement_form(text)
    if form:
        return form
    invented = new_names(text, sources)
    if invented:
        return f"names not in the sources: {', '.join(invented)}"
    if sources and all(ATTRIBUTION.search(s) for s in sources) and not ATTRIBUTION.search(statement):
        return "the sources attribute this claim; keep the attribution (who said it)"
    quoted = unsupported_quotes(text, sources)
    if quoted:
        return f"quotations not in the sources: {'; '.join(quoted)}; quote only words the sources use"
    extra = unsupported_numbers(statement, sources)
    if extra:
        return f"numbers not in the sources: {', '.join(_fmt(v) for v in extra)}"
    for part in sentences.statement_parts(statement):
        ratio = support_ratio(part, sources)
        if ratio < min_support:
            return f"only {ratio:.0%} of the words of '{part[:60]}' occur in the sources"
    return None


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


_NON_WORD = re.compile(r"[\W_]+")
COPY_SHARE = 0.9  # of a sentence's letters a copy keeps, in one run: "…, officials said." dropped is still a copy


def verbatim_copy(text: str, sentences: Iterable[str]) -> bool:
    """Whether ``text`` is one of ``sentences`` as printed, case and punctuation aside, or all of one but a few
    words at its ends: the outlet's words, whoever typed them (``meta.provenance`` calls it "source"). Of the 83
    fact statements the model restated in 12 briefs (HEAD c8b22bb), 57 were the outlet's sentence unchanged."""
    t = _NON_WORD.sub(" ", text.lower()).strip()
    if not t:
        return False
    for s in sentences:
        q = _NON_WORD.sub(" ", s.lower()).strip()
        if t in q and len(t) >= COPY_SHARE * len(q):
            return True
    return False
