"""The text toolkit shared by the pipeline and the evals: sentences, words (tokenisers, stems, stop words),
dates and months, TF-IDF similarity, and the word lists (``lexicons/*.txt``) they read."""

from service.text import sentences
from service.text.dates import CALENDAR, MONTH_WORDS, MONTHS, WEEKDAYS, find_date
from service.text.tfidf import cosine_matrix, vectorizer
from service.text.words import (
    SHORT_STOP,
    STOP_WORDS,
    Words,
    content_words,
    match_tokens,
    plain_tokens,
    roots,
    topic_stems,
    word_count,
)

__all__ = [
    "CALENDAR",
    "MONTHS",
    "MONTH_WORDS",
    "SHORT_STOP",
    "STOP_WORDS",
    "WEEKDAYS",
    "Words",
    "content_words",
    "cosine_matrix",
    "find_date",
    "match_tokens",
    "plain_tokens",
    "roots",
    "sentences",
    "topic_stems",
    "vectorizer",
    "word_count",
]
