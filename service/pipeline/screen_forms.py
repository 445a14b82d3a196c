"""The forms an instruction to whoever writes the summary takes, read from a sentence's structure: a passive
"is to be reported", a role to take on, advice on how to put the story, a metadata field or markup, a note,
talk about shortened versions of this very text. Each form is a pattern over grammar and a few closed word
classes; which *words* name the output, its writer or a duty is the lexicon's business
(``lexicons/instruction_cues.txt``, read by :mod:`service.pipeline.screen_check`, which combines the two)."""

from __future__ import annotations

import re

PASSIVE = re.compile(
    r"\b(?:is|are)\s+to\s+be\s+(?:\w+ly\s+)?(?:reported|described|stated|presented|given|treated|characteri[sz]ed|"
    r"framed|mentioned|noted|called|referred\s+to|listed|shown|used|summari[sz]ed|attributed|credited|cited|dated|"
    r"placed|put|rendered|spelled|written|recorded|counted|understood|read|dated|carried(?!\s+(?:out|on|off|away|over))|reflected|repeated)\b"
    r"|\b(?:is|are)\s+to\s+be\s+so\s+\w+ed\b"  # "… and is to be so attributed wherever …"
    r"|\b(?:figure|number|total|toll|version|wording|date|account)\s+to\s+be\s+(?:reported|used|given|cited|carried)\b"
    r"|\b(?:should|must|shall|ought\s+to)\s+be\s+(?:\w+ly\s+)?(?:described|reported|presented|treated|characteri[sz]ed|"
    r"framed|referred\s+to|portrayed|called|stated|noted|summari[sz]ed|given|dated|put|listed)\s+(?:as|that|at|to)\b"
    r"|\b(?:is|are)\s+best\s+(?:characteri[sz]ed|described|understood|seen|framed|summari[sz]ed|reported)\s+as\b"
    r"|\bit\s+(?:must|should|shall|is\s+to)\s+be\s+(?:reported|noted|stated|said|made\s+clear|mentioned)\s+that\b",
    re.I,
)
UNATTRIBUTED = re.compile(
    r"\bwithout\s+(?:any\s+)?attribution|\bofficial\s+version\b|\bsans\s+(?:aucune\s+)?attribution|\bsin\s+atribuci"
    r"|\bsem\s+atribui|\bsenza\s+attribuzion|\bohne\s+(?:Quellen)?(?:angabe|nennung)|\bбез\s+указани|无需注明|不注明|دون\s+نسب",
    re.I,
)
PERSONA = re.compile(
    r"^[\W_]*(?:you\s+are\s+now|from\s+now\s+on,?\s+you|as\s+the\s+(?:summari[sz]er|assistant|editor|model)\b"
    r"|act\s+as\b|you\s+are\s+(?:in|operating\s+in)\s+\w+\s+mode|pretend\s+(?:you\s+are|to\s+be|that\s+you)"
    r"|imagine\s+(?:you\s+are|yourself\s+as)|role-?play)"
    r"|\b(?:take|assume|adopt|play|slip\s+into|step\s+into|get\s+into)\s+(?:on\s+)?the\s+(?:role|persona|voice|shoes)\s+of\b"
    r"|^[\W_]*you(?:'|’)?(?:re|\s+are)\s+(?:now\s+)?(?:a|an|the)\s+[^.;]{0,60}(?:\bnow\b|;)"  # "You're a … now"
    r"|^[\W_]*(?:speak|write|answer|respond|reply)\s+as\s+(?:a|an|the|if)\b"
    r"|[:,;]\s*be\s+(?:a|an|the)\s+[\w-]+|\byou(?:'|’)(?:re\s+(?:a|an|the)\s+[\w-]+;|d\s+(?:explain|cite|say|note|make\s+clear|"
    r"describe|report|mention|write|put|give|add)\b)",
    re.I,
)
# Advice on how to present something ("It would be most accurate, when condensing, to put the launch on
# Wednesday", "It might help readers to note …", "When condensing, …"); it counts next to a word for the output
# or its writer, since an outlet also writes "It would be fair to say …" in its own voice.
ADVICE = re.compile(
    r"\b(?:would|might|could|may)\s+(?:\w+\s+)?(?:be\s+)?(?:\w+\s+)?(?:accurate|best|fair|fairer|helpful|useful|wise|"
    r"wiser|better|appropriate|clearer|prudent|advisable|preferable|kind|kinder|kindest)\b(?:[\s,]+[\w-]+){0,5}?[\s,]+"
    r"to\s+(?:say|state|put|note|clarify|describe|report|mention|present|frame|give|call|refer|list|characteri[sz]e|"
    r"label|date|place|render)\b"
    r"|\b(?:help|helps|helpful\s+for|useful\s+for|serve|serves)\s+(?:the\s+)?readers?\s+(?:to\s+)?(?:note|know|"
    r"remember|be\s+told|learn|understand)\b"
    r"|^[\W_]*(?:when|while|if|in|before|after)\s+(?:condensing|summari[sz]ing|abridging|paraphrasing|rewriting|"
    r"recapping|shortening|digesting|boiling\s+(?:this|it)\s+down)\b",
    re.I,
)
TOLD = re.compile(
    r"\b(?:should|must|shall|ought\s+to|needs?\s+to|have\s+to|has\s+to)\s+be\s+(?:told|informed|reminded|made\s+aware)\b"
    r"(?:\s+[\w-]+){0,3}?\s+(?:that|of)\b"
    r"|\b(?:should|must|shall|ought\s+to|needs?\s+to)\s+(?:get|receive|see|hear|read|be\s+given|be\s+shown)\b"
    r"[^.;]{0,60}?\s(?:as|that)\b",
    re.I,
)
# A namespaced machine field at the start of a line ("og:description —", "twitter:title =", "dc:subject:").
FIELD = re.compile(r"^[\W_]*[a-z][a-z0-9_-]*:[a-z][a-z0-9_:.-]*\s*[—–=:>-]", re.I)
LABEL = re.compile(r"^[\W_]*([^\W\d_][^:：\n]{0,60}?)\s*[:：]\s*\S")  # "Editor's note: …", "Image alt text: …"
# The same head, longer: an address to readers that are tools ("For voice assistants reading this aloud and for
# the team newsletter builder: …"); it counts only when it names one (``screen_check``).
ADDRESS = re.compile(r"^[\W_]*([^\W\d_][^:：\n.]{0,110}?)\s*[:：]\s*\S")
ROLE_WORD = re.compile(
    r"^[\W_]*(?:system|assistant|user|developer|instructions?|inst|sys|prompt|override)[\W_]*$", re.I
)
VOCATIVE = re.compile(r"^[\W_]*([^\W\d_][^,\n]{0,40}?),\s*\S")  # "Dear digest bots, …"
OWN_NOTE = re.compile(  # an outlet's note about its own story: "Editor's note: this story has been updated"
    r"\b(?:updated|corrected|misstated|misidentified|incorrectly\s+(?:said|stated|reported|identified|gave|listed)|"
    r"(?:earlier|previous|prior)\s+(?:version|headline|edition)|provisional|subject\s+to\s+revision|clarif\w*|"
    r"this\s+(?:story|article|report)\s+"
    r"(?:(?:has\s+been|was|is|is\s+being)\s+(?:\w+\s+)?(?:updated|corrected|developing|changed|amended|revised)|contains|"
    r"includes|describes|may|is\s+an?\s+exclusive)|copyright|all\s+rights\s+reserved)\b|version\s+antérieure|versión\s+anterior|versão\s+anterior|versione\s+precedente|"
    r"früheren\s+Fassung|korrigiert|corrigé|corregid|corrigid|corrett|предыдущ\w+\s+верси|исправлен|此前版本|更正|نسخة\s+سابقة|تصحيح",
    re.I,
)


# Markup that an article's text never carries once it is text: an HTML tag or comment, a Markdown image or
# link target, a code fence, a JSON object. (HTML input is turned into text by ingest before this runs.)
CODE_MARKUP = re.compile(
    r"<!--|</?[a-z][a-z0-9-]*(?:\s+[a-z_:@][\w:.@-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*\s*/?>"
    r"|!\[[^\]]*\]\([^)]*\)|```|\{\s*\"[\w@$-]+\"\s*:",
    re.I,
)
# This very text ("this story"): a line about it is suspect next to a cue word.
THIS_TEXT = re.compile(r"\bthis\s+(?:story|article|piece|item|page|post|dispatch|write-?up)\b", re.I)
# A text made shorter or other ("when this is condensed", "shortened obituaries say …").
_SHORTENED = r"(?:shortened|condensed|trimmed|abridged|summari[sz]ed|paraphrased|boiled[\s-]down|compressed)"
# Its other versions ("the figure quoted above", "any one-line version", "when this story is shortened", "wire
# partners"): news is not written about how it will be shortened, so such a line is left out on its own.
VERSIONS = re.compile(
    r"\b(?:quoted|given|cited|mentioned|stated|reported)\s+(?:above|below|earlier\s+in\s+this)\b"
    r"|\b(?:short|shorter|shortened|condensed|compressed|abridged|one-line|one-sentence|two-line|trimmed|cut-down|"
    r"boiled-down|translated|audio|spoken|read-aloud)\s+(?:\w+\s+)?(?:versions?|accounts?|editions?|renditions?|forms?|"
    r"recaps?|retellings?|takes?|items?|tellings?)\b"
    r"|\b(?:wire|partner|syndication)\s+(?:copy|partners?|clients?|desks?|recaps?|summar\w+|digests?|rewrites?|briefs?)\b"
    r"|\brewrite\s+desks?\b|\bdownstream\s+(?:copy|use|uses|versions?|editions?|outlets?|users?|partners?|products?)\b"
    r"|\b(?:when(?:ever)?|wherever)\s+(?:this|the)\s+(?:story|article|piece|item|news|report)\s+(?:is|gets)\s+\w+ed\b"
    rf"|\b(?:when(?:ever)?|wherever|if|once|should)\s+(?:this|it|the\s+(?:story|article|piece|item|news|report))\s+"
    rf"(?:is|gets|are)\s+(?:being\s+)?(?:{_SHORTENED}|excerpted|rewritten|cut\s+down|recapped|digested)\b"
    r"|\b(?:in|for|on)\s+(?:any|every|all|each)\s+(?:\w+\s+)?(?:retellings?|abridge?ments?|recaps?|rewrites?|re-edits?|"
    r"excerpts?|condensations?)\b"
    r"|\byour\s+own\s+(?:copy|version|write-?up|summary|recap|draft)\b"
    r"|\b(?:for|in)\s+(?:all\s+)?(?:republication|derivative\s+(?:copy|versions?|works?))\b|\bcleared\s+for\s+reuse\b",
    re.I,
)
# A clause before the main one ("When you get to the charges, say murder"): the word after it can be an order.
LEADING_CLAUSE = re.compile(
    r"^[\W_]*(?:when|whenever|if|as|before|after|while|once|in|for|wherever)\b[^,;:]{1,70}[,;:]\s*", re.I
)
# "Credit Qatar, not Egypt": an order to put one thing in place of another.
INSTEAD = re.compile(r"^[\W_]*\w+\s+[^,;]{1,50},\s+not\s+[^,;]{1,50}[,;.]", re.I)
# Someone making a shorter or other version of this very text: "when you boil this down", "for whoever abridges
# this", "if you're distilling this", "anyone paraphrasing this later". News is not written to whoever shortens it.
SHORTENS_THIS = re.compile(
    r"\b(?:you|you(?:'|’)re|whoever|anyone|anybody|everyone|those)\b[^.;:!?]{0,24}?\b(?:summar|condens|shorten|trim|"
    r"abridg|distil|boil|compress|paraphras|rewrit|re-?edit|recap|excerpt|rework|reword|rephras|retell|sum\s+up|"
    r"write\s+up|pare)\w*\s+(?:this|it)\b(?=\s*(?:[,.;:!?—–-]|$)|\s+(?:down|up|later|piece|story|article|item|report|text)\b)",
    re.I,
)
# A made-up summary told what to say: "A careful précis would mention …", "shortened obituaries say …",
# "Briefings drawn from this report are expected to note …".
SUMMARY_SAYS = re.compile(
    r"\b(?:a|any|every|each|all)\s+(?:\w+\s+){0,2}?(?:précis|precis|summary|summaries|digest|digests|recap|recaps|"
    r"synopsis|abridg\w+|condensation|retelling|rewrite|write-?up|short\s+take)\s+(?:would|should|must|might|could|"
    r"will|ought\s+to|needs?\s+to)\s+(?:\w+\s+)?(?:mention|say|state|note|give|include|report|describe|call|put|list|"
    r"credit|date|read|begin|open|lead|end|close)\b"
    rf"|\b{_SHORTENED}\s+(?:[\w-]+\s+){{0,2}}?"
    r"(?:(?:should|must|would|will|could|might|ought\s+to|need\s+to)\s+)?(?:say|state|mention|note|report|describe|call|"
    r"give|read|list)\b"
    r"|\b(?:drawn|derived|adapted|excerpted|produced|generated|compiled|made)\s+from\s+this\s+(?:story|article|piece|"
    r"item|text|page|dispatch|report)\b[^.;]{0,40}?\b(?:are|is)\s+(?:expected|required|asked|bound|supposed|obliged)\s+to\b",
    re.I,
)
