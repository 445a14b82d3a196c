"""Ingest: check the request's articles, turn HTML into text, normalise text, give every article an id.

The normalised ``Article.text`` made here is the text every later offset, sentence and quote refers to.
"""

from __future__ import annotations

import re
import unicodedata

import lxml.html
import trafilatura
from lxml import etree

from service.config import Settings
from service.errors import InputError
from service.outlets import TABLE_ID, lookup
from service.pipeline.types import Article
from service.schemas import ArticleIn

MIN_ARTICLES = 2
SLUG_MAX = 40

# Invisible characters removed outright: zero-width (U+200B-U+200F, U+2060, U+FEFF), soft hyphen,
# and bidi embedding/override/isolate controls (U+202A-U+202E, U+2066-U+2069).
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_SPACES = re.compile(r"[ \t]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_HAS_WORD = re.compile(r"[^\W\d_]{2}")
# Control characters other than tab and line breaks, and U+FFFD (what undecodable bytes become).
_BINARY = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffd]")
BINARY_SHARE = 0.05
_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "head", "svg", "nav", "footer", "aside")
_BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "blockquote",
    "section",
    "article",
)


def ingest(items: list[ArticleIn], settings: Settings) -> list[Article]:
    """Validated, normalised articles in request order; raises ``InputError`` naming the bad field."""
    if len(items) < MIN_ARTICLES:
        raise InputError("a brief needs at least 2 articles", field="articles")
    if len(items) > settings.max_articles:
        raise InputError(
            f"a brief takes at most {settings.max_articles} articles (got {len(items)})", field="articles"
        )
    ids = assign_ids(items)
    return [_ingest_one(i, item, ids[i], settings) for i, item in enumerate(items)]


def _ingest_one(i: int, item: ArticleIn, article_id: str, settings: Settings) -> Article:
    """One article: body checked against the size limit, HTML extracted, text normalised."""
    title = item.title
    if item.html is not None:
        _check_body(item.html, settings, f"articles[{i}].html")
        text = normalise_text(html_to_text(item.html, item.url))
        if not _HAS_WORD.search(text):
            raise InputError("no article text found in the HTML", field=f"articles[{i}].html")
        if not title:
            title = html_title(item.html)
    else:
        raw = item.text or ""
        _check_body(raw, settings, f"articles[{i}].text")
        text = normalise_text(raw)
        if not text:
            raise InputError("article text is empty", field=f"articles[{i}].text")
        if not _HAS_WORD.search(text):
            raise InputError(
                "article text has no words (only digits, symbols or punctuation)", field=f"articles[{i}].text"
            )
    if title is not None:
        title = " ".join(normalise_text(title).split()) or None
    lean, lean_source, kind, kind_source = outlet_metadata(item)
    return Article(
        id=article_id,
        outlet=item.outlet,
        text=text,
        title=title,
        url=item.url,
        published=item.published,
        country=item.country,
        lean=lean,
        lean_source=lean_source,
        kind=kind,
        kind_source=kind_source,
    )


def outlet_metadata(item: ArticleIn) -> tuple[str, str | None, str, str | None]:
    """(lean, who says so, kind, who says so): the caller's values win, the outlet table fills what the caller
    left out for outlets it knows, and the rest stays unknown."""
    known = lookup(item.outlet) if item.lean is None or item.kind is None else None
    lean: str | None = item.lean
    lean_source = "caller" if lean is not None else None
    if lean is None and known is not None:
        lean, lean_source = known.lean, TABLE_ID
    kind: str | None = item.kind
    kind_source = "caller" if kind is not None else None
    if kind is None and known is not None and known.kind is not None:
        kind, kind_source = known.kind, f"{TABLE_ID}: {known.kind_source}"
    return lean or "unknown", lean_source, kind or "unknown", kind_source


def _check_body(body: str, settings: Settings, field: str) -> None:
    """Raise when the raw body is longer than ``settings.max_article_chars`` characters, or is binary data
    (a file's bytes pasted or decoded as text: more than ``BINARY_SHARE`` control or replacement characters)."""
    if len(body) > settings.max_article_chars:
        raise InputError(
            f"article is {len(body)} characters; the limit is {settings.max_article_chars}", field=field
        )
    junk = len(_BINARY.findall(body))
    if junk >= 8 and junk > BINARY_SHARE * len(body):
        raise InputError(
            f"article looks like binary data, not text ({junk} of {len(body)} characters are control or "
            "replacement characters)",
            field=field,
        )


# ---------------------------------------------------------------- HTML


def html_to_text(html: str, url: str | None = None) -> str:
    """The main text of a page, paragraphs on their own lines ('' when nothing is found).

    trafilatura's main-content extraction first (navigation, ads, scripts, comments and tables dropped;
    ``favor_recall`` so short news bodies are kept), then its baseline whole-page text, then lxml's text of
    the visible elements as fallbacks.
    """
    text = ""
    try:
        text = (
            trafilatura.extract(
                html,
                url=url,
                include_comments=False,
                include_tables=False,
                favor_recall=True,
                fast=False,  # keep the readability/justext fallbacks (no_fallback is deprecated)
            )
            or ""
        )
    except Exception:  # malformed markup must fall back, never crash the request
        text = ""
    if _HAS_WORD.search(text):
        return text
    try:
        text = trafilatura.html2txt(html) or ""
    except Exception:
        text = ""
    return text if _HAS_WORD.search(text) else _lxml_text(html)


def _lxml_text(html: str) -> str:
    """Visible text of an HTML fragment via lxml (what trafilatura refuses, e.g. a bare ``<div>``)."""
    try:
        root = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    for el in list(root.iter(*_INVISIBLE_TAGS)):
        el.drop_tree()
    for el in root.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
    return root.text_content()


def html_title(html: str) -> str | None:
    """The page's headline from its metadata (og:title, <title>, ...), or None."""
    try:
        meta = trafilatura.extract_metadata(html)
    except Exception:
        return None
    title = getattr(meta, "title", None) if meta is not None else None
    return title.strip() or None if isinstance(title, str) else None


# ---------------------------------------------------------------- text


def normalise_text(text: str) -> str:
    """NFC text with ``\\n`` line ends, no control/zero-width/bidi characters, single spaces, stripped lines,
    at most one blank line in a row, and no leading or trailing whitespace."""
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = "".join(ch for ch in text if ch in "\n\t" or not _is_control(ch))
    text = "".join(" " if ch != " " and unicodedata.category(ch) == "Zs" else ch for ch in text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


def _is_control(ch: str) -> bool:
    """True for C0/C1 control characters (category Cc)."""
    return unicodedata.category(ch) == "Cc"


# ---------------------------------------------------------------- ids


def assign_ids(items: list[ArticleIn]) -> list[str]:
    """One id per item: given ids kept (duplicates rejected), missing ones made from the outlet.

    A made id is ``slugify(outlet)``, with ``-2``, ``-3`` ... appended when that id is already taken
    by a given id or an earlier made one.
    """
    taken: dict[str, int] = {}
    for j, item in enumerate(items):
        if item.id is None:
            continue
        if item.id in taken:
            raise InputError(
                f"duplicate article id {item.id!r} (also used by articles[{taken[item.id]}])",
                field=f"articles[{j}].id",
            )
        taken[item.id] = j
    ids: list[str] = []
    for j, item in enumerate(items):
        if item.id is not None:
            ids.append(item.id)
            continue
        base = slugify(item.outlet)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken[candidate] = j
        ids.append(candidate)
    return ids


def slugify(name: str, max_len: int = SLUG_MAX) -> str:
    """Lower-case ASCII slug of ``name`` ([a-z0-9-], at most ``max_len`` chars), "article" when empty."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")
    slug = slug[:max_len].rstrip("-")
    return slug or "article"
