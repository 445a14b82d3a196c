"""The brief's headline by code's rules: at most 14 words, never a cut sentence (it keeps a verb and does not
end on a word that needs more), never a disputed figure. Code shortens a headline the model wrote that runs
long, and writes one from the main development's fact when the model's cannot stand."""

from __future__ import annotations

import re

from service.pipeline.clean import ends_on, has_verb, is_cut, leans_on_pronoun, outside_quotes
from service.pipeline.headline_figures import drop_figures
from service.pipeline.meaning import attributed
from service.pipeline.numbers import number_values
from service.pipeline.verify import unattributed_terms
from service.schemas import Fact
from service.text import CALENDAR as _CALENDAR
from service.text import STOP_WORDS, WEEKDAYS, content_words, lexicons, word_count
from service.text.lexicons import alternation

HEADLINE_WORDS = 14

CLAUSE = re.compile(r",\s+(?:which|who|while|as|after|but|and|according|where|with)\b|;\s+|\s+[—–]\s+")
_SUBCLAUSE = re.compile(
    r"\s+(?:that|which|who|in order to|because|while|after|as part of|amid|despite|for the first time)\s+"
)
_PARTICIPLE = re.compile(r",\s+[a-z]{3,}ing\s+")  # a trailing participle phrase: ", hitting …", ", killing …"
# a name of capitalised words, with "of" or a name particle inside ("House of Representatives", "bin Salman")
_NAME = re.compile(rf"\b[A-Z][a-z]+(?:\s+(?:(?:of|{alternation('name_particles')})\s+)?[A-Z][a-z]+)*\b")


def shorten_headline(text: str) -> str:
    """A headline over the word limit without its main clause's trailing phrases ("... charges X and Y with
    evading taxes" → "... charges X and Y"): the main clause before ", which", a dash..., then before a
    participle phrase (", hitting …"), then the part before "that", "which", "because"..., then cut before
    its last "and" (when no verb follows it) or else its last preposition until it fits. A day said relative to
    when the outlet wrote ("accelerated today", allsides-5750) goes: a brief is read on another day."""
    given = text = _RELATIVE_DAY.sub("", text.strip())
    text = CLAUSE.split(text)[0].strip()
    if len(text.split()) > HEADLINE_WORDS:  # "Israel launched more airstrikes on Gaza early Tuesday, hitting the
        main = _PARTICIPLE.split(text)[0].strip()  # high-rise home of a Hamas field commander" (allsides-6054)
        text = main if len(main.split()) >= 4 else text
    if len(text.split()) > HEADLINE_WORDS:
        main = _SUBCLAUSE.split(text)[0].strip()  # "... open to any initiative that contributes to ..."
        text = main if len(main.split()) >= 4 else text
    while len(text.split()) > HEADLINE_WORDS:
        # a trailing "and …" with no verb goes before a phrase: "… indictment against Trump Organization and chief
        # financial officer Allen Weisselberg" keeps whom it was against (allsides-5898); not "… the wave of
        # protests and looting was planned by …", where "and" joins the subject (5858)
        joined = _last_phrase_cut(text, _AND)
        tail = text[len(joined) :] if joined else ""
        shorter = (joined if joined and not has_verb(tail) else None) or _last_phrase_cut(text)
        if shorter is None:
            break
        text = shorter
    return _tidy(text) if text != given else text  # a headline that fits as written keeps its end: "… vaccine as
    # soon as possible" lost "as possible" as a dangling tail, and was refused as cut off (allsides-5756)


_RELATIVE_DAY = re.compile(r"\s+(?:today|yesterday|tonight)\b(?=[\s,.;:!?]|$)")  # lower case: not "USA TODAY"


def _tidy(text: str) -> str:
    """``text`` without a dangling tail (``_DANGLING_TAIL``) when four words or more remain; "…, Haugen says" is
    whose word it is, no tail."""
    if _SPEAKER_LAST.search(text):
        return text
    short = _DANGLING_TAIL.sub("", text)
    return short if len(short.split()) >= 4 else text


# a cut that leaves a clause without its object ("... tragedy as authorities search") or a stub after a comma
# ("... infrastructure package, only hours")
_DANGLING_TAIL = re.compile(
    r",?\s+(?:as|while|when|because|and|but|after|before|since|until)(?:\s+\S+){1,2}$|,\s+\S+(?:\s+\S+)?$"
)


def _last_phrase_cut(text: str, at: frozenset[str] | None = None) -> str | None:
    """``text`` cut before its last preposition (or word of ``at``), when at least five words remain."""
    at = _PREPOSITIONS if at is None else at
    words = text.split()
    for n in range(len(words) - 1, 4, -1):
        if words[n].lower() == "to" and words[n - 1].lower().endswith("ing"):
            continue  # "immigrants trying to cross": cutting there leaves "immigrants trying"
        if words[n].lower() == "as" and "as" in (w.lower() for w in words[max(0, n - 3) : n]):
            continue  # "as soon as possible": cutting there leaves "as soon"
        if words[n].lower() in at:
            return " ".join(words[:n]).rstrip(",;:")
    return None


_PREPOSITIONS = lexicons.words("prepositions")
_AND = frozenset({"and"})


_DANGLING_END = lexicons.words("dangling_ends") | lexicons.words("headline_ends")  # "… announced" is a cut


_TITLES = f"{alternation('speaker_titles')}|{alternation('generic_speakers')}"  # "president", "official"
# "…, Frances Haugen says", "…, president says": a headline that gives the claim first ends on its reporting verb
_SPEAKER_LAST = re.compile(
    rf",\s+(?:[A-Z][\w.'’-]*(?:\s+[\w.'’-]+){{0,3}}|(?:[a-z][\w'’-]*\s+){{0,2}}?(?:{_TITLES})s?|[a-z][\w'’-]*)\s+says$"
)  # ", whistleblower says" too: a headline never loses whose word it is (allsides-5648)


# "… announced Monday", "… said on Friday": a reporting verb with only its time after it still needs what was said
_TIME_LAST = re.compile(
    rf"\s+(?:(?:on|last|this|early|late)\s+){{0,2}}(?:{'|'.join(WEEKDAYS)}|"
    r"today|yesterday|tonight|week|month|year|morning|afternoon|evening|night)\W*$|\s+(?:late|early)\W*$",
    re.I,
)

# "… file lawsuit accusing Trump" (allsides-5754's code headline), "The state of Mississippi on Thursday urged the
# U.S. Supreme Court" (5840's): a verb cut right after whom it accuses, urges or asks, before of what or to do what
_ACCUSED_OF_NOTHING = re.compile(
    r"\b(?:accus(?:e|es|ed|ing)|urg(?:e|es|ed|ing)|ask(?:s|ed|ing)?|press(?:es|ed|ing)|order(?:s|ed|ing)?|"
    r"tell(?:s|ing)?|told)\s+(?:him|her|them|(?:(?:former|the)\s+)?(?:[A-Z][\w.'’-]*\s*){1,4})$"
)


def needs_more(text: str) -> bool:
    """Whether a headline ends on a word that needs more ("to", "the", "announced", "said on Friday"; not "…,
    Haugen says"), or on the subject of what was said (``said_cut``)."""
    text = text.strip()
    dangling = ends_on(text, _DANGLING_END) or ends_on(_TIME_LAST.sub("", text), _DANGLING_END)
    return (dangling and not _SPEAKER_LAST.search(text)) or said_cut(text) or bool(_ACCUSED_OF_NOTHING.search(text))


_RANK = re.compile(r"\bNo\.\s*\d+\b")  # "the No. 3 Republican": a place in a ranking, no quantity outlets dispute


def figures(text: str) -> set[float]:
    """The figures a headline gives, a rank aside (allsides-6076's "No. 3 Republican says …" was refused for a
    "3" only one outlet prints, and code headlined the names line)."""
    return number_values(_RANK.sub(" ", text))


def complete_phrase(text: str, disputed: frozenset[float] | set[float] = frozenset()) -> bool:
    """Whether ``text`` reads as a whole headline: 4 to 14 words, quotes closed, not ending on a word that
    needs more ("to", "and", "the"...), not opening on a pronoun ("It was at a slower rate …", allsides-6097), no
    ``disputed`` figure."""
    words = text.split()
    return (
        4 <= len(words) <= HEADLINE_WORDS
        and not leans_on_pronoun(text)
        and not text.endswith(("…", "...", ",", ";", ":"))
        and text.count('"') % 2 == 0
        and text.count("“") == text.count("”")
        and not needs_more(text)
        and not (figures(text) & disputed)
    )


# "On Sunday, …", "In a statement Monday, …": a short opening phrase a headline goes without
_OPENING = re.compile(
    r"^(?:(?:On|In|At|After|Before|During|Following|Last|Late|Early|Earlier|This)\b[^,]{0,40}"
    r"|According to [^,]{1,60}),\s+"
)
# a speaker named by role, not name: "the president", "a government spokesman", "the foreign minister"
_ROLE = rf"(?:the|a|an)\s+(?:[a-z][\w'’-]*\s+){{0,2}}?(?:{_TITLES})s?"
# "after a federal eviction moratorium was allowed to lapse this weekend, …" (allsides-5805): a clause before the
# main one, which a headline goes without as it does an opening phrase
_CLAUSE_OPENING = re.compile(r"^(?:after|before|following|while|when|once|since)\b[^,]{0,80},\s+", re.I)
# "…, Frances Haugen, a former employee, said in an interview", "…, the president has said": the claim, then who
# said it
_SAID_AFTER = re.compile(
    rf"^(?P<claim>.{{20,}}?),\s+(?P<who>[A-Z][\w.'’-]*(?:\s+[\w.'’-]+){{0,3}}?|{_ROLE})(?:,[^,]{{1,80}},)?\s+"
    r"(?:has\s+|have\s+)?(?:said|says|told|wrote|announced)\b"
)
# "… said he would", "… said that": the words after the verb are what was said
_CLAUSE_AFTER = re.compile(r"\s+(?:that|he|she|it|they|we|his|her|its|their)\b", re.I)
# "Israeli President Isaac Herzog has said his country is willing …": who said it, then the claim
_SAID_BEFORE = re.compile(
    r"^(?P<who>[A-Z][\w.'’-]*(?:\s+[A-Z0-9][\w.'’-]*){0,4}"  # "The No. 3 Republican …": a role may place itself
    r"(?:\s+(?:in|of|at|for|from)\s+(?:the\s+)?[A-Z][\w.'’-]*(?:\s+(?:of\s+)?[A-Z][\w.'’-]*){0,4})?)"
    r"\s+(?:has\s+said|said|says)\s+(?:(?:in|on|at|during|via|through)\b[^,]{1,60}?\s+that\s+|that\s+)?"
    r"(?P<claim>\S.{10,})$"  # "Hamas said in a statement on the 19th that …": what was said follows "that"
)
# "A suspect who claimed to have a bomb in a truck has surrendered": the relative clause before the verb
# not "that" with a subject of its own: in "claims that his defeat was the result of fraud" the verb is the
# clause's, and without it the rest read "claims was the result of fraud" (allsides-6076)
_RELATIVE_CLAUSE = re.compile(
    r",?\s+(?:who|which|that(?!\s+(?:his|her|its|their|the|a|an|this|these|those|our)\s))\s+[^,]+?,?(?<!\bto)\s+"
    r"(?=(?:has|have|had|is|are|was|were|will)\s)"
)
# ... not "that" after a verb of saying: "announced Monday that the total population … has topped" (allsides-6097)
# ... nor after a ruling or an argument: "A federal judge … ruled late on Friday that California's … ban is
# unconstitutional" lost "that … ban" as a relative clause and gave "… ruled is unconstitutional" (allsides-5980)
_SAYING = (
    r"said|says|announced|announces|reported|reports|told|tells|found|finds|showed|shows|revealed|reveals|"
    r"confirmed|confirms|stated|states|estimated|estimates|ruled|rules|decided|concluded|testified|alleged|"
    rf"{alternation('reporting_verbs')}"
)
_SAYING_BEFORE = re.compile(rf"\b(?:{_SAYING})(?:\s+\w+){{0,3}}\s*$", re.I)


def _without_relative(main: str) -> str:
    """``main`` without its relative clause before the verb (``_RELATIVE_CLAUSE``), unless it is what was said."""
    m = _RELATIVE_CLAUSE.search(main)
    if m is None or (m.group(0).strip(" ,").startswith("that") and _SAYING_BEFORE.search(main[: m.start()])):
        return main
    return main[: m.start()] + " " + main[m.end() :]


# "…, two law enforcement sources tell CNN", "…, officials said Monday": whose word it is, at the end
_SOURCE_LAST = re.compile(r",\s+[^,]{3,60}\s+(?:said|says|told|tell|tells|reported|reports)\b[^,]*$")
_OF = _PREPOSITIONS | {"of"}


def short_speaker(who: str) -> str:
    """A speaker named shorter for a headline: a role without the phrase that places it ("The No. 3 Republican
    in the U.S. House of Representatives" → "No. 3 Republican"; its last two words, "of Representatives", were
    the speaker of allsides-6076's headline), else a name without its titles ("Israeli President Isaac Herzog"
    → "Isaac Herzog")."""
    words = who.split()
    at = next((n for n, w in enumerate(words) if n > 0 and w.lower() in _PREPOSITIONS), None)
    if at is not None:
        return re.sub(r"^(?:the|a|an)\s+", "", " ".join(words[:at]), flags=re.I)
    return " ".join(words[-2:])


def headline_variants(statement: str) -> list[str]:
    """Headlines code can make of one fact, best first: the whole sentence, its main clause, the claim with
    its speaker ("…, Haugen says"), then shorter ones (without an opening phrase such as "On Sunday," or
    "According to CNN," which a headline never keeps: it does not open on its source; without a
    relative clause before the verb or the source at the end; cut before "that", "which"… or at phrase
    boundaries, last at "of" too). A shortened one must keep a verb (``has_verb``)."""
    text = statement.strip().rstrip(".")
    bare = _CLAUSE_OPENING.sub("", _OPENING.sub("", text), count=1)  # "According to AP, after … lapsed, the CDC …"
    texts = list(dict.fromkeys([bare[:1].upper() + bare[1:], text]))
    if text.startswith("According to "):  # a headline does not open on its source: "According to CNN, …"
        texts = texts[:1]
    out = [v for t in texts for v in (t, CLAUSE.split(t)[0])]
    cut: list[str] = []
    for t in texts:
        said = _SAID_AFTER.match(t)
        if said and (_CLAUSE_AFTER.match(t[said.end() :]) or said.group("claim").split()[0].lower() in _PREPOSITIONS):
            said = None  # "In his Monday speech …, President Biden said he would …": what he said comes after
        said = said or _SAID_BEFORE.match(t)
        if said and said.re is _SAID_BEFORE:  # "Herzog has said his country …" → "Herzog says his country …"
            claim, who = CLAUSE.split(said.group("claim"))[0], said.group("who")
            if len(claim.split()) + len(who.split()) + 1 > HEADLINE_WORDS:
                who = short_speaker(who)
            while len(claim.split()) + len(who.split()) + 1 > HEADLINE_WORDS and (shorter := _last_phrase_cut(claim)):
                claim = shorter
            out.append(f"{who} says {claim}")
        elif said:  # "…, the president has said" → "…, president says", without the claim's relative clause
            claim, who = _without_relative(said.group("claim")), re.sub(r"^(?:the|a|an)\s+", "", said.group("who"))
            while len(claim.split()) + len(who.split()) + 1 > HEADLINE_WORDS and (shorter := _last_phrase_cut(claim)):
                claim = shorter
            out.append(f"{CLAUSE.split(claim)[0]}, {who} says")
        main = CLAUSE.split(t)[0]
        plain = _SOURCE_LAST.sub("", _without_relative(main))
        cut += [plain, _SUBCLAUSE.split(main)[0], shorten_headline(t), shorten_headline(plain)]
        longest = plain
        while len(longest.split()) > HEADLINE_WORDS and (shorter := _last_phrase_cut(longest, _OF)):
            longest = shorter
        cut.append(longest)
    variants = out + [c for c in map(_tidy, cut) if has_verb(c)]
    return list(dict.fromkeys(_RELATIVE_DAY.sub("", v) for v in variants))


def figure_free_variants(statement: str, figures: set[float]) -> list[str]:
    """``headline_variants`` of ``statement`` without the ``figures`` that only qualify a word first ("… begin
    work on a nearly $1 trillion national infrastructure plan", where outlets say 1 and 1.2 → "… begin work on
    a national infrastructure plan", not the cut "The Senate has voted to begin work"), then its own."""
    dropped = drop_figures(statement, figures) if figures else statement
    return list(dict.fromkeys([*headline_variants(dropped), *headline_variants(statement)]))


def fallback_headline(
    facts: list[Fact], disputed: set[float] | None = None, titles: list[str] | None = None, loaded: tuple[str, ...] = ()
) -> str:
    """A complete headline by code, never a cut sentence and never a ``disputed`` figure. The first fact is the
    main development: its variants come first (``headline_variants``); then one of the outlets' own ``titles``
    (the caller passes those a neutral brief may use), the one closest to the main development: a headline an
    editor wrote for the news beats another fact ("California prohibited the sale of assault weapons in 1989"
    headlined a ruling that struck the ban down, allsides-5980); then the whole sentence or main clause of a top
    fact that shares two content words with it (the same development, in other words); last, the names the top
    facts share
    ("Reports on Hamas, Israel and Qatar"; a capitalised function word such as a quoted "What …" is no name).
    A variant that uses a ``loaded`` term outside a quotation or an attribution, or states as fact what its
    fact gives as someone's word (``drops_speaker``), is passed over, as the model's headline is."""
    plain = [f.statement for f in facts if f.status != "disputed"]
    lead = content_words(plain[0]) if plain else set()
    for text in figure_free_variants(plain[0], disputed or set()) if plain else []:
        if complete_phrase(text, disputed or set()) and not drops_speaker(text, plain[0]):
            if not unattributed_terms(text, loaded):
                return text
    for title in sorted(titles or [], key=lambda t: -len(content_words(t) & lead)):
        title = title.strip().rstrip(".")
        fits = headline_problem(title, disputed or set()) is None and not _QUOTES.search(title)
        if fits and content_words(title) & lead:
            return title
    near = [t for t in plain[1:4] if len(content_words(t) & lead) >= 2]
    for text, fact in ((v, t) for t in near for v in headline_variants(t)[:2]):
        fits = complete_phrase(text, disputed or set()) and not drops_speaker(text, fact)
        if fits and not unattributed_terms(text, loaded):
            return text
    names: dict[str, int] = {}
    for f in [f for f in facts if f.status != "disputed"][:6]:  # not the "according to <outlet>" lines
        for m in _NAME.finditer(f.statement):
            if m.start() > 0 and m.group(0) not in _CALENDAR and m.group(0).split()[0].lower() not in STOP_WORDS:
                names[m.group(0)] = names.get(m.group(0), 0) + 1
    top = [n for n, _ in sorted(names.items(), key=lambda kv: -kv[1])][:3]
    if not top:
        return "Several outlets report on the same event"
    return "Reports on " + (", ".join(top[:-1]) + " and " + top[-1] if len(top) > 1 else top[0])


# "…, officials said", "police say": an unnamed official source reporting an event, which a headline states
_REPORTER = re.compile(
    rf"\b(?:{alternation('generic_speakers')}|authoritie|police|investigator|prosecutor|officer)s?\s+(?:have\s+|has\s+)?$",
    re.I,
)
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]+")
# what was said, cut to its subject: "the total population" (a word in -s could be its verb: "the economy grows")
_SUBJECT_ONLY = re.compile(r"(?:the|a|an|its|his|her|their)\s+(?:(?![\w'’-]*s\b)[\w'’-]+\s*){1,2}$", re.I)
_SAID_THAT = re.compile(rf"\b(?:{_SAYING})\b(?:\s+\w+){{0,2}}?\s+that\s+", re.I)  # "announced Monday that …"
_BETWEEN_ONE = re.compile(r"\bbetween\s+(?:(?!\band\b)[^,;])+$", re.I)  # "Tensions rise between U.S." (5643)
# a verb that says whose view or account a sentence gives: the headline of such a fact says so too
_SPEAKER_SAYS = re.compile(
    r"\b(?:said|says|told|tells|claimed|claims|alleged|alleges|argued|argues|insisted|insists|contended|contends|"
    r"believes|asserted|asserts)\b",
    re.I,
)


# "…, even as President Biden and his advisers said publicly …": a verb of saying in a clause of its own
_SUBORDINATE = re.compile(rf"\s*(?:even\s+)?(?:{alternation('clause_openers')})\s", re.I)


def _in_own_clause(before: str) -> bool:
    """Whether a verb after ``before`` sits in a clause of its own after the main one ("…, even as Biden said");
    "As Haugen said, …" at the start still says whose word the sentence is."""
    parts = re.split(r"[,;]", before)
    return len(parts) > 1 and _SUBORDINATE.match(parts[-1]) is not None


def drops_speaker(text: str, statement: str) -> bool:
    """Whether headline ``text`` states as fact what its fact ``statement`` gives as someone's word: "Facebook
    prioritizes profits over user safety" of "…, Frances Haugen … said" (allsides-5648), "The wave of protest and
    looting was planned by enemies of democracy" of what the president said (5858). "X says …", "…, X says" and
    "X: …" keep the speaker, and so does a headline whose subject is the speaker ("Palestinian group open to any
    initiative …" of "The Palestinian group said it is open …"): a name the words before the verb give. A verb
    of saying inside a clause of its own ("…, even as Biden's advisers said publicly …", allsides-5772) does not
    make the sentence theirs."""
    bare = outside_quotes(statement)
    verbs = [m for m in _SPEAKER_SAYS.finditer(bare) if not _REPORTER.search(bare[: m.start()])]
    verbs = [m for m in verbs if not _in_own_clause(bare[: m.start()])]
    verbs = verbs if attributed(statement) else []
    if not verbs or attributed(text) or _LABEL.match(text) is not None:
        return False
    names: set[str] = set()
    for m in verbs:  # the speaker's name is before the verb; a name the claim already gave is not the speaker's
        before = bare[: m.start()].split()  # ("…, Frances Haugen, a whistleblower and former Facebook employee, said")
        earlier = {w.lower() for w in _CAPITALISED.findall(" ".join(before[:-12]))}
        names |= {w.lower() for w in _CAPITALISED.findall(" ".join(before[-12:]))} - earlier
    return not names & {w.strip(".,;:'’\"").lower() for w in text.split()} - STOP_WORDS


PERSONAL = re.compile(r"(?<!\.)\bI\b(?!\.\w)|\b(?:[Ww]e|[Oo]ur|us|[Mm]y|[Yy]ou|[Yy]our)\b")  # "US": a country
_LABEL = re.compile(r"^\s*[A-Z][\w ]{0,25}:\s")
# a quotation in a title is one outlet's chosen words; an apostrophe inside a word is none ("California’s", 5980)
_QUOTES = re.compile(r"(?<!\w)[\"“”‘’']\w|\w[\"“”]")


def headline_problem(text: str, disputed: set[float], speakers: str = "") -> str | None:
    """Why a headline cannot stand, by form alone. A label before a colon is a section label ("Why it matters:")
    unless it is a name ``speakers`` (the lead fact) prints with its capitals: "Blinken: 1,500 Americans remain
    in Afghanistan" is the news style for what Blinken said (allsides-5755)."""
    words = word_count(text, every_token=True)
    if not words:
        return "empty"
    if words > HEADLINE_WORDS:
        return f"{words} words"
    if is_cut(text) or text.rstrip().endswith((",", ":", ";", "-")) or needs_more(text) or _BETWEEN_ONE.search(text):
        return "cut off"
    label = _LABEL.match(text)
    if label and not _speaker(label.group(0).strip().rstrip(":"), speakers):
        return "starts with a label"
    if PERSONAL.search(outside_quotes(text)):  # a speaker's own words may say "our": "… “poisoning our democracy”"
        return "first or second person"
    if leans_on_pronoun(text):
        return "starts with a pronoun"
    if figures(text) & disputed:
        return "a figure outlets disagree on"
    return None


def without_label(text: str, speakers: str = "") -> str:
    """``text`` without a leading topic label when what follows is a headline of its own, with a verb and four
    words or more: the model wrote "Afghanistan: US troops killed in double suicide-bomb attack" of the Kabul
    bombing, and the whole was refused while the lead fact's first clause, the evacuation flights, became the
    headline (allsides-5750). A speaker's name the lead fact prints stays (``headline_problem`` lets it open a
    headline); "Why it matters: a new pause" keeps its label (nothing with a verb follows) and is refused."""
    label = _LABEL.match(text)
    if label is None or _speaker(label.group(0).strip().rstrip(":"), speakers):
        return text
    rest = text[label.end() :].strip()
    if not has_verb(rest) or word_count(rest, every_token=True) < 4:
        return text
    return rest[:1].upper() + rest[1:]


def _speaker(label: str, source: str) -> bool:
    """Whether ``label`` is a name ``source`` prints: every word capitalised there, and in it."""
    words = label.split()
    named = re.search(rf"\b{re.escape(label)}\b", source) is not None
    return bool(words) and all(w[:1].isupper() for w in words) and named


def said_cut(text: str) -> bool:
    """Whether what was said is cut to its subject: "The US Census Bureau announced Monday that the total
    population" (allsides-6097, code's headline)."""
    said = _SAID_THAT.search(text)
    rest = text[said.end() :] if said else ""
    return _SUBJECT_ONLY.match(rest) is not None and not has_verb(rest)
