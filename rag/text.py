"""Sentence splitting and content-word matching shared by answer generation and chat."""

from __future__ import annotations

import re
from functools import cache

# Punkt's English model splits "U.S. Secretary" into two sentences; these abbreviations
# are common in news and documentation.
EXTRA_ABBREVIATIONS = {"u.s", "u.k", "u.n", "e.u", "e.g", "i.e", "etc", "vs", "approx", "no"}
WORD = re.compile(r"[\w’'-]+")  # a word with its apostrophes and hyphens: "Kyiv's", "well-known"
# Letters and digits only, for counting words: "well-known" is two, "secrets.choice()" two.
ALPHANUMERIC_RUN = re.compile(r"[^\W_]+")


@cache
def _nltk_data() -> str:
    """The nltk data llama-index-core ships (Punkt, stopwords), found without importing
    llama-index (a second of a cold start)."""
    import importlib.util
    from pathlib import Path

    package = importlib.util.find_spec("llama_index.core")
    assert package is not None and package.submodule_search_locations
    return str(Path(list(package.submodule_search_locations)[0]) / "_static" / "nltk_cache")


@cache
def _sentence_tokenizer():
    import nltk
    from nltk.tokenize.punkt import PunktTokenizer

    if _nltk_data() not in nltk.data.path:
        nltk.data.path.append(_nltk_data())
    tokenizer = PunktTokenizer("english")
    tokenizer._params.abbrev_types.update(EXTRA_ABBREVIATIONS)
    return tokenizer


# A web or e-mail address: what an answer sentence may only repeat from its paragraph, and
# what the web chat shows as code, never as a link.
ADDRESS = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)
ADDRESS_TRAILERS = ".,;:!?)]}'\""


def address_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each address in ``text``, without the punctuation that follows it."""
    return [
        (m.start(), m.start() + len(m.group(0).rstrip(ADDRESS_TRAILERS)))
        for m in ADDRESS.finditer(text)
    ]


SENTENCE = re.compile(r"\S.*?(?:[.!?]+(?=\s|$)|$)", re.DOTALL)


def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence of ``text``. Punkt gives up on text it cannot split in
    time (nltk's guard against pathological input); that text is split at every ., ! or ?."""
    try:
        return tuple(_sentence_tokenizer().span_tokenize(text))
    except TimeoutError:
        return tuple(m.span() for m in SENTENCE.finditer(text))


def split_sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


@cache
def _stopwords() -> frozenset[str]:
    from pathlib import Path

    english = Path(_nltk_data()) / "corpora" / "stopwords" / "english"
    words = english.read_text(encoding="utf-8").split()
    return frozenset(words) | {"according", "say", "said", "does", "did"}


@cache
def _porter():
    """The original Porter stemmer, from Snowball's C library (PyStemmer): nltk's would
    import all of nltk, and scipy and scikit-learn with it (a second of every cold start)."""
    import Stemmer

    return Stemmer.Stemmer("porter")


@cache
def _stem(word: str) -> str:
    """The word's dictionary form (simplemma: "frozen" is "freeze", "held" is "hold"), then
    its Porter stem, so that the forms of one word meet ("guarantees", "guaranteed")."""
    import simplemma

    lemma = simplemma.lemmatize(word, lang="en").lower() if word.isalpha() else word
    return _porter().stemWord(lemma)


def content_words(text: str) -> set[str]:
    """Stems of the words that carry meaning (stopwords and possessive endings removed), every
    form of a word the same ("froze", "frozen", "freezing")."""
    words = (w.lower().replace("’", "'").removesuffix("'s").strip("'-") for w in WORD.findall(text))
    return {_stem(w) for w in words if w and w not in _stopwords()}


# Words a question uses to point at the documents, not at what it asks about ("Who speaks
# for the Kremlin in the article?", "Who are the key people named?").
META_WORDS = (
    "article articles document documents text passage passages page pages mentioned named "
    "mention key main"
)


def question_words(question: str) -> set[str]:
    """The content words of a question that say what it is about (META_WORDS left out)."""
    return content_words(question) - content_words(META_WORDS)


def overlap(question_words: set[str], text: str) -> float:
    """Share of the question's content words that occur in ``text``."""
    if not question_words:
        return 0.0
    return len(question_words & content_words(text)) / len(question_words)


NAME = re.compile(r"\b[A-Z][\w’'-]*(?:\.[A-Z]\.?)*")


def names(text: str) -> set[str]:
    """Capitalised words that are not stopwords, as stems: a cheap stand-in for named entities."""
    found = set()
    for match in NAME.finditer(text):
        found |= content_words(match.group())
    return found
