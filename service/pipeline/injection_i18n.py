"""Planted instructions in languages other than English, for :func:`service.pipeline.injection.instruction_kind`.

Articles come in many languages, and an injected line need not share its article's language. These patterns
cover the two kinds that carry most injected claims — an *override* ("ignore all previous instructions") and
an *address to a model* ("if you are an AI", "note to AI models") — in French, Spanish, Portuguese, Italian,
German, Russian, Chinese and Arabic, and *orders about the output* ("write that …", "your summary must …")
in the first five.

As in English, only the imperative at the start of a sentence counts: a report of the same words ("the
ministry told hospitals to ignore previous instructions": an infinitive, mid-sentence) is news and stays,
and so is an order about the real world ("ignore the previous instructions *to* boil water"), which the
preposition after it gives away.
"""

from __future__ import annotations

import re

_START = r"^[\W_]*"
# What a planted override tells the model to drop, and what makes it "previous".
_LANGS: tuple[tuple[str, str, str, str], ...] = (
    # (imperative verbs, optional determiners, nouns, "previous" adjectives) — adjective after the noun
    (
        r"(?:veuillez\s+)?(?:ignore[rz]?|oublie[rz]?|ne\s+tenez\s+pas\s+compte\s+des|ne\s+tiens\s+pas\s+compte\s+des)",
        r"(?:toutes\s+)?(?:les\s+|vos\s+|tes\s+)?",
        r"(?:instructions|consignes|directives|règles|indications|commandes)",
        r"(?:précédentes|antérieures|ci-dessus|initiales|d'origine|d’origine)",
    ),
    (
        r"(?:por\s+favor,?\s+)?(?:ignora|ignore|ignorad|ignoren|olvida|olvide|olviden|olvidad|descarta|descarte)",
        r"(?:todas\s+)?(?:las\s+|tus\s+|sus\s+)?",
        r"(?:instrucciones|indicaciones|directrices|reglas|órdenes|ordenes)",
        r"(?:anteriores|previas|precedentes|de\s+arriba|iniciales|originales)",
    ),
    (
        r"(?:por\s+favor,?\s+)?(?:ignore|ignora|ignorem|esqueça|esqueca|esquece|esqueçam|desconsidere)",
        r"(?:todas\s+)?(?:as\s+|suas\s+|tuas\s+)?",
        r"(?:instruções|instrucoes|orientações|orientacoes|diretrizes|regras|ordens)",
        r"(?:anteriores|prévias|previas|acima|iniciais|originais)",
    ),
    (
        r"(?:per\s+favore,?\s+)?(?:ignora|ignorate|ignori|dimentica|dimenticate|dimentichi|trascura)",
        r"(?:tutte\s+)?(?:le\s+)?(?:tue\s+|sue\s+|vostre\s+)?",
        r"(?:istruzioni|indicazioni|direttive|regole)",
        r"(?:precedenti|anteriori|di\s+sopra|iniziali|originali)",
    ),
)
# Prepositions after which the instructions are about the world, not the model: "… consignes précédentes
# de faire bouillir l'eau", "… instrucciones anteriores sobre la evacuación".
_ABOUT = (
    r"(?!\s+(?:de|d'|d’|du|des|sur|concernant|sobre|para|acerca|relativas?|relativos?|di|del|della|per|su|"
    r"riguardo|relative|da|dos|das|do)\b)"
)


def _romance(verbs: str, det: str, nouns: str, previous: str) -> str:
    return rf"{_START}{verbs}\s+{det}{nouns}\s+{previous}\b{_ABOUT}"


OVERRIDE = (
    *(re.compile(_romance(*lang), re.I) for lang in _LANGS),
    # German: "Ignoriere alle vorherigen Anweisungen", "Vergessen Sie bitte die bisherigen Vorgaben"
    re.compile(
        rf"{_START}(?:bitte\s+)?(?:ignoriere|ignorier|ignorieren\s+sie|vergiss|vergessen\s+sie|missachte|"
        r"missachten\s+sie)\s+(?:bitte\s+)?(?:alle\s+)?(?:die\s+|deine\s+|ihre\s+)?(?:vorherigen|bisherigen|vorigen|"
        r"obigen|früheren|ursprünglichen|vorangegangenen)\s+(?:Anweisungen|Instruktionen|Befehle|Regeln|Vorgaben)\b"
        r"(?!\s+(?:zu|zum|zur|über|von|für|bezüglich)\b)",
        re.I,
    ),
    # Russian: "Игнорируй все предыдущие инструкции", "Забудьте прежние указания"
    re.compile(
        rf"{_START}(?:пожалуйста,?\s+)?(?:игнорируй(?:те)?|проигнорируй(?:те)?|забудь(?:те)?|не\s+обращай(?:те)?\s+"
        r"внимания\s+на)\s+(?:все\s+)?(?:предыдущие|прежние|предшествующие|вышеуказанные|исходные)\s+"
        r"(?:инструкции|указания|команды|правила)(?!\s+(?:о|об|по|насчёт|насчет)\b)",
        re.I,
    ),
    # Chinese: "忽略之前的所有指令", "请忘记以上指示"
    re.compile(
        rf"{_START}(?:请)?(?:你)?(?:忽略|忽视|无视|忘记|忘掉)(?:掉)?(?:之前|以上|先前|前面|上面|此前|所有|全部)"
        r"(?:的)?(?:所有|全部)?(?:的)?(?:指令|指示|说明|提示词?|规则|命令)"
    ),
    # Arabic: "تجاهل جميع التعليمات السابقة"
    re.compile(rf"{_START}(?:تجاهل|تجاهلي|تجاهلوا|انس|انسى|إنس)\s+(?:جميع\s+|كل\s+)?(?:التعليمات|الأوامر)\s+(?:السابقة|أعلاه)"),
)

# Who a planted address speaks to: a model, in each language.
_AI_FR = (
    r"(?:IA|intelligence\s+artificielle|modèles?\s+de\s+langage|assistants?\s+(?:IA|d'IA|d’IA|virtuels?)|chatbots?)"
)
_AI_ES = r"(?:IA|inteligencia\s+artificial|modelos?\s+de\s+lenguaje|asistentes?\s+de\s+IA|chatbots?)"
_AI_PT = r"(?:IA|inteligência\s+artificial|modelos?\s+de\s+linguagem|assistentes?\s+de\s+IA|chatbots?)"
_AI_IT = r"(?:IA|intelligenza\s+artificiale|modell[oi]\s+linguistic[oi]|assistent[ei]\s+(?:IA|di\s+IA)|chatbot)"
_AI_DE = (
    r"(?:KI-(?:Assistent|Modell|System|Agent|Chatbot|Tool)\w*|KI|künstliche\s+Intelligenz|Sprachmodelle?|Chatbots?)"
)

ADDRESS = (
    # "si vous êtes une IA", "si eres un modelo de lenguaje", "se você é uma IA", "se sei un'IA"
    re.compile(rf"\bsi\s+(?:vous\s+êtes|tu\s+es)\s+(?:une?\s+)?{_AI_FR}\b", re.I),
    re.compile(rf"\bsi\s+(?:eres|es\s+usted)\s+(?:una?\s+)?{_AI_ES}\b", re.I),
    re.compile(rf"\bse\s+(?:você\s+é|voce\s+e|és|tu\s+és)\s+(?:uma?\s+)?{_AI_PT}\b", re.I),
    re.compile(rf"\bse\s+sei\s+(?:una?\s+|un['’]\s*)?{_AI_IT}\b", re.I),
    re.compile(rf"\bwenn\s+(?:du|Sie)\s+(?:eine?\s+)?{_AI_DE}\s+(?:bist|sind)\b", re.I),
    re.compile(
        r"\bесли\s+(?:ты|вы)\s+(?:—\s*|-\s*)?(?:ИИ|искусственный\s+интеллект|языковая\s+модель|чат-бот|нейросеть)",
        re.I,
    ),
    re.compile(r"如果你是(?:一个)?(?:AI|人工智能|语言模型|大模型|聊天机器人)", re.I),
    re.compile(r"إذا\s+كنت\s+(?:نموذج\s+ذكاء\s+اصطناعي|ذكاء\s+اصطناعي|نموذجا\s+لغويا|نموذج\s+لغوي)"),
    # "Note aux IA :", "Nota para los modelos de lenguaje:", "Hinweis an KI-Assistenten:" (a heading, with a colon)
    re.compile(
        rf"{_START}(?:note|message|remarque|avis|consigne)\s+(?:aux|à\s+l['’]|pour\s+les?)\s*{_AI_FR}\s*[:—]", re.I
    ),
    re.compile(rf"{_START}(?:nota|mensaje|aviso)\s+(?:para|a)\s+(?:los\s+|las\s+)?{_AI_ES}\s*[:—]", re.I),
    re.compile(rf"{_START}(?:nota|mensagem|aviso)\s+(?:para|aos?|às?)\s+(?:os\s+|as\s+)?{_AI_PT}\s*[:—]", re.I),
    re.compile(
        rf"{_START}(?:nota|messaggio|avviso)\s+(?:per|alle?|agli|ai)\s+(?:i\s+|le\s+|gli\s+)?{_AI_IT}\s*[:—]", re.I
    ),
    re.compile(rf"{_START}(?:hinweis|nachricht|anweisung)\s+(?:an|für)\s+(?:alle\s+|die\s+)?{_AI_DE}\s*[:—]", re.I),
)

# Orders about the output: "Écrivez que …", "Tu resumen debe decir que …", "Ihre Zusammenfassung muss …".
_SUMMARY = (
    r"(?:résumé|titre|réponse|synthèse|resumen|titular|respuesta|resumo|título|titulo|resposta|riassunto|"
    r"risposta|Zusammenfassung|Überschrift|Antwort)"
)
OUTPUT = (
    # an imperative "write / state / say that …" opening the sentence
    re.compile(
        # forms that are also a third person ("escribe", "afirma", "afferma": "he writes / says that …") are
        # news, so only unambiguous imperatives are listed
        rf"{_START}(?:écrivez|écris|indiquez|affirmez|dites|rapportez|concluez|escriba|escribid|escriban|afirme|"
        r"indique|escreva|diga|scrivi|scrivete|scriva|affermate|schreibe|schreib|schreiben\s+sie|behaupte|"
        r"behaupten\s+sie)\b[^.!?]{0,40}?\b(?:que|qu['’]|che|dass)\b",
        re.I,
    ),
    # "your summary must say …", in the second person only (a court's "résumé" is news)
    re.compile(
        rf"\b(?:votre|ton|tu|su|seu|sua|teu|tua|il\s+tuo|la\s+tua|deine|Ihre)\s+{_SUMMARY}\s+"
        r"(?:doit|deve|debe|muss|sollte|devrait|debería|deveria|dovrebbe)\b",
        re.I,
    ),
)
