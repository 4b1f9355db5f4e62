"""The question-set format (JSONL, one question a line; see evals/README.md) and its checks."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError
from rag.types import Paragraph, Passage

TYPES = (
    "fact",
    "paraphrase",
    "multi_paragraph",
    "false_premise",
    "multi_turn",
    "unanswerable",
    "named_document",
    "confusable",
    # synthesis: answers drawn from several sentences, scored by the key facts they cover
    "summary",
    "list",
    "comparison",
    "yes_no",
    "why_how",
)
SYNTHESIS_TYPES = ("summary", "list", "comparison", "yes_no", "why_how")
# A synthesis answer is right when it covers this share of the question's key facts.
FACTS_NEEDED = 0.6
SPLITS = ("tune", "report")
QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def normalize(text: str) -> str:
    """Lower-cased words and numbers only, single-spaced: what answer matching compares."""
    text = unicodedata.normalize("NFKC", text).translate(QUOTES).lower()
    text = re.sub(r"(?<=\w)'s\b", "", text)  # "Trump's" matches "Trump"
    return " ".join(re.sub(r"[^\w'%$.-]+|(?<!\w)[.'-]|[.'-](?!\w)", " ", text).split())


def contains(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words, ignoring case and punctuation."""
    return f" {normalize(phrase)} " in f" {normalize(text)} "


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    question: str
    answers: tuple[str, ...] = ()  # any one counts (all of them for multi_paragraph)
    evidence: tuple[str, ...] = ()  # verbatim substrings of the supporting paragraph(s)
    source: str | None = None  # the file the evidence must come from, when it matters
    turns: tuple[str, ...] = ()  # earlier turns of a conversation, asked first
    split: str | None = None  # "tune": used to calibrate; "report": only ever measured
    # Injection suites: the attack shape the question is aimed at, and the strings whose
    # presence in an answer means an attacker's instruction was followed.
    attack: str | None = None
    payloads: tuple[str, ...] = ()
    # Synthesis questions: the key facts a right answer covers (each a tuple of acceptable
    # wordings), and how many distinct paragraphs it must cite. ``answers`` of a yes_no
    # question is the word the answer must open with ("Yes" or "No").
    facts: tuple[tuple[str, ...], ...] = ()
    min_paragraphs: int = 1

    def facts_covered(self, answer: str) -> float | None:
        """Share of the key facts that ``answer`` states (None: the question lists none)."""
        if not self.facts:
            return None
        return sum(any(contains(answer, w) for w in fact) for fact in self.facts) / len(self.facts)

    def carries_payload(self, answer: str) -> bool:
        """Whether ``answer`` carries one of the attacker's payloads."""
        return any(contains(answer, p) or p.lower() in answer.lower() for p in self.payloads)

    @property
    def must_refuse(self) -> bool:
        return self.type == "unanswerable"

    @property
    def needs_all(self) -> bool:
        """Answers spanning paragraphs must give every answer and cite every evidence."""
        return self.type == "multi_paragraph"

    def is_relevant(self, passage: Passage | Paragraph) -> bool:
        """A passage counts when it is from the right file and contains an evidence string."""
        if self.source is not None and passage.source != self.source:
            return False
        return not self.evidence or any(contains(passage.text, e) for e in self.evidence)


def load_questions(path: Path) -> list[Question]:
    """Read a question file; a malformed line is a one-line ConfigError naming file and line."""
    questions, seen = [], set()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ConfigError(f"cannot read question file {path}: {error.strerror}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            item = json.loads(line)
            question = Question(
                id=item["id"],
                type=item["type"],
                question=item["question"],
                answers=tuple(item.get("answers", ())),
                evidence=tuple(item.get("evidence", ())),
                source=item.get("source"),
                turns=tuple(item.get("turns", ())),
                split=item.get("split"),
                attack=item.get("attack"),
                payloads=tuple(item.get("payloads", ())),
                facts=tuple(tuple(f) for f in item.get("facts", ())),
                min_paragraphs=int(item.get("min_paragraphs", 1)),
            )
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ConfigError(f"{where}: not a valid question ({error})") from None
        if question.type not in TYPES:
            raise ConfigError(f"{where}: unknown type {question.type!r} (one of {TYPES})")
        if not question.must_refuse and not (
            (question.answers or question.facts) and question.evidence
        ):
            raise ConfigError(
                f"{where}: an answerable question needs answers (or facts) and evidence"
            )
        if (question.type in SYNTHESIS_TYPES) != bool(question.facts):
            raise ConfigError(f"{where}: facts are for (and needed by) {SYNTHESIS_TYPES}")
        if question.split not in (None, *SPLITS):
            raise ConfigError(f"{where}: unknown split {question.split!r} (one of {SPLITS})")
        if question.payloads and not question.attack:
            raise ConfigError(f"{where}: payloads need the attack they belong to")
        if question.type == "multi_turn" and not question.turns:
            raise ConfigError(f"{where}: a multi_turn question needs earlier turns")
        if question.id in seen:
            raise ConfigError(f"{where}: duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    return questions


def missing_evidence(questions: list[Question], paragraphs: list[Paragraph]) -> list[str]:
    """Evidence strings that occur in no paragraph of the corpus (each should be in one)."""
    missing = []
    for question in questions:
        for evidence in question.evidence:
            candidates = [p for p in paragraphs if question.source in (None, p.source)]
            if not any(contains(p.text, evidence) for p in candidates):
                missing.append(f"{question.id}: {evidence!r}")
    return missing
