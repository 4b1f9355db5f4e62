"""Whether a sentence can answer a question at all: what kind of answer the question asks for
(a name for *who*, a time for *when*, a number for *how many*), whether the sentence holds one,
and whether it is a whole sentence rather than a fragment, code or a heading."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.reading.injection import is_directive
from rag.reading.table import is_table_row
from rag.text import (
    ALPHANUMERIC_RUN,
    content_words,
    names,
    overlap,
    question_words,
)
from rag.types import HEADING_PATH_SEPARATOR, Passage

# What the question asks for, from its wording. Checked in order; the first match wins.
ASKS = (
    (
        "number",
        re.compile(
            r"\bhow (?:many|much|long|old|often|far|big|large|fast)\b|"
            r"\bwhat (?:percentage|number|amount|size|age)\b",
            re.I,
        ),
    ),
    # "when" opening the question or a clause of it ("Under licence X, when …"), not the
    # conjunction ("What error is raised when the list is empty?")
    (
        "time",
        re.compile(
            r"(?:^|[,;:]\s*|\b(?:since|until|till) )when\b|"
            r"\b(?:what|which) (?:year|date|day|month|decade|century|version)\b",
            re.I,
        ),
    ),
    (
        "name",
        re.compile(
            r"^\s*(?:who|whom|whose)\b|\bwhat is the (?:first |last |full )?name\b|"
            r"\bwho (?:is|was|are|were)\b",
            re.I,
        ),
    ),
)
NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|dozen|half|twice|once|single|double|several|few|many"
)
MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
TIME_WORDS = (
    r"date|day|days|week|weeks|year|years|month|months|decade|century|time|times|today|"
    r"yesterday|tomorrow|before|after|until|till|prior|since|during|when|whenever|while|once|"
    r"as soon as|immediately|automatically|version|morning|evening|night|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|weekend|recently|soon|later|earlier|ago"
)
HOLDS = {
    "number": re.compile(rf"\d|\b(?:{NUMBER_WORDS})\b", re.I),
    "time": re.compile(rf"\d|\b(?:{MONTHS}|{TIME_WORDS})\b", re.I),
}
# A sentence that ends in one of these words was cut off ("The talks began on").
DANGLING = re.compile(
    r"\b(?:a|an|the|of|on|in|at|to|for|from|by|with|and|or|but|that|which|who|whose|is|are|was|"
    r"were|be|as|than|into|onto|about|such)\W*$",
    re.I,
)
# A citation marker, "[2]" or "[1, 3]" (group: the numbers).
MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
MIN_WORDS = 4
# Shorter lines without closing punctuation are titles or labels, not sentences.
TITLE_WORDS = 12
ENDINGS = tuple(".!?;:…\"'”’)")
SECTION_NUMBER = re.compile(r"\d+(?:\.\d+)*\.\s")  # "13. Use with the GNU Affero …"
# Code read as prose: an interpreter prompt, import runs, assignments, definitions.
CODE_LIKE = re.compile(
    r">>>|\bimport\s+[\w.]+\s+import\b|^\s*(?:import|from|def|class)\s+\w|\w\s=\s[\w'\"(\[]"
)


@dataclass(frozen=True)
class Asks:
    """What a question asks for: "number", "time", "name", or None (anything)."""

    kind: str | None

    @classmethod
    def of(cls, question: str) -> Asks:
        for kind, pattern in ASKS:
            if pattern.search(question):
                return cls(kind)
        return cls(None)

    def held_by(self, sentence: str, question: str = "") -> bool:
        """Whether ``sentence`` holds something of the kind asked for. A name must be one the
        question does not already give (the answer to "Who met Putin?" is not "Putin"); a
        number or a time must come with over a third of what the question asks about ("How many
        bytes … by default?" is not answered by "32 bytes … is sufficient")."""
        if self.kind is None:
            return True
        if self.kind == "name":
            return bool(names(sentence) - names(question))
        if not HOLDS[self.kind].search(sentence):
            return False
        words = question_words(question)
        return not words or len(words & content_words(sentence)) * 3 > len(words)


OPENERS = "([{“«"
PAIRS = ("()", "“”", "«»")  # not [ ]: "[0, n)" is a half-open range


def unbalanced(text: str) -> bool:
    """Whether a bracket or a quotation opened in ``text`` is not closed in it."""
    return any(text.count(a) > text.count(b) for a, b in PAIRS)


def is_whole_sentence(sentence: str) -> bool:
    """A sentence that can stand as an answer: a few words, not cut off after a preposition
    or article, and not a title or a label."""
    text = MARKERS.sub("", sentence).strip()
    words = ALPHANUMERIC_RUN.findall(text)
    if len(words) < MIN_WORDS or DANGLING.search(text.rstrip(".!?…\"'”’) ")):
        return False
    if text.endswith(tuple(OPENERS)) or unbalanced(text):
        return False  # cut inside a parenthesis or a quotation ("… copied with copy.deepcopy(")
    short = len(text.split()) < TITLE_WORDS
    if short and (not text.endswith(ENDINGS) or SECTION_NUMBER.match(text)):
        return False  # a title or a label ("Apache License Version 2.0, January 2004")
    return True


def is_answer_sentence(sentence: str, passage: Passage) -> bool:
    """A whole sentence (see is_whole_sentence) that may be given as an answer from
    ``passage``: not a directive telling its reader what to say (rag.reading.injection), and
    not a title line (the document's title, a heading above the paragraph, or a paragraph
    that is itself a bare line without a sentence's end), even when it is long enough to pass
    for a sentence. A table row (rag.reading.table) is an answer as it is."""
    if is_table_row(passage.text):  # "Name: … · Age: 22": each cell after its header
        return not is_directive(sentence)
    return (
        is_whole_sentence(sentence)
        and not is_directive(sentence)
        and not is_title_line(sentence, passage)
    )


def is_title_line(sentence: str, passage: Passage) -> bool:
    """Whether ``sentence`` is only the title or a heading of ``passage``'s document, or all or
    the start of one ("Minutes of the preparatory meeting [1]."), or a paragraph that is a
    bare line with no sentence end."""
    text = _bare(sentence)
    if len(text.split()) < 2:
        return False
    titles = [passage.title or "", *(passage.heading or "").split(HEADING_PATH_SEPARATOR)]
    if any(_bare(title).startswith(text) for title in titles if title):
        return True
    paragraph = passage.text.strip()
    return (
        not paragraph.endswith(ENDINGS)
        and len(paragraph.split()) <= 2 * TITLE_WORDS
        and "\n" not in paragraph
        and len(passage.sentence_texts) == 1  # no sentence ends inside it either
        and _bare(paragraph).startswith(text)
    )


def _bare(text: str) -> str:
    """Text without citation markers, closing punctuation, case or repeated spaces."""
    return " ".join(MARKERS.sub("", text).strip().rstrip(".!?;:…").casefold().split())


def is_prose(sentence: str) -> bool:
    """Written as prose, not code or symbols: what a model's answer sentence must be (a
    document's own sentence may hold inline code or markup and still be quoted as it stands)."""
    text = MARKERS.sub("", sentence).strip()
    if CODE_LIKE.search(text):
        return False
    letters = sum(ch.isalpha() or ch.isspace() for ch in text)
    return letters >= 0.75 * len(text)


def off_subject(sentence: str, question: str, passage: Passage, known: set[str]) -> bool:
    """Whether the sentence and the paragraph it cites leave out a name the question asks
    about that the documents know (``known``): an answer about another function, document or
    person than the one asked for ("Under the Apache License, …" answered from the MPL)."""
    asked = names(question.partition(" ")[2]) & known
    if not asked:
        return False
    seen = content_words(f"{sentence} {passage.context or ''} {passage.text}")
    return not asked <= seen


def known_words(passages: list[Passage]) -> set[str]:
    """Every content word of the passages, their titles and headings included."""
    return set().union(*(content_words(f"{p.context or ''} {p.text}") for p in passages))


# Abbreviations in a text ("U.S.", "NATO"), for names the question spells out.
ABBREVIATION = re.compile(r"\b(?:[A-Z]\.){2,}|\b[A-Z]{2,}\b")
# A run of capitalised words ("United States", "Secretary of State").
NAME_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:of\s+|the\s+)?[A-Z][a-z]+)+")
# Numbers and code words ("SHA-3", "os.urandom", "UUID4", "version 4") a passage must have.
SPECIFIC_TERM = re.compile(r"[\w-]*\d[\w.-]*|\b\w+(?:[._]\w+)+\b")


def _abbreviated(run: str) -> str:
    return "".join(word[0] for word in run.split() if word[0].isupper()).lower()


def missing_names(question: str, passages: list[Passage]) -> set[str]:
    """The question's names (as stems) that no passage, title or heading mentions; a name
    spelt out in the question and abbreviated in the documents ("United States", "U.S.") is
    mentioned."""
    asked = names(question.partition(" ")[2])  # a capitalised first word is no name
    if not asked:
        return set()
    missing = asked - known_words(passages)
    if missing:
        found = {
            m.group().replace(".", "").lower()
            for p in passages
            for m in ABBREVIATION.finditer(f"{p.context or ''} {p.text}")
        }
        for run in NAME_RUN.findall(question):
            if _abbreviated(run) in found:
                missing -= content_words(run)
    return missing


def missing_terms(question: str, passages: list[Passage]) -> int:
    """How many of the question's numbers and code words occur in no passage."""
    text = " ".join(f"{p.context or ''} {p.text}" for p in passages).lower()
    terms = {t.strip(".-").lower() for t in SPECIFIC_TERM.findall(question)}
    return sum(1 for t in terms if t and t not in text)


def assessment_features(question: str, passages: list[Passage], best) -> dict[str, float]:
    """What the refusal decision reads (see rag.answering.evidence.Assessment): ``best`` is the best
    scored sentence, ``passages`` the evidence passages."""
    context = f"{best.passage.context or ''} {best.passage.text}"
    asked = names(question.partition(" ")[2])
    in_best = len(asked & content_words(context)) / len(asked) if asked else 1.0
    return {
        "score": best.score,
        "coverage": overlap(question_words(question), context),
        "names_in_best": in_best,
        "similarity": best.passage.score,
        "missing_names": float(len(missing_names(question, passages))),
        "missing_terms": float(missing_terms(question, passages)),
    }
