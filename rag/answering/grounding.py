"""Checks an LLM draft against the paragraphs it was given: markers are parsed, every sentence
must be supported by the paragraph it cites (or gets the marker of the one that supports it),
unsupported sentences are dropped, and an answer with nothing left is a refusal."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answering.answerability import (
    MARKERS,
    is_prose,
    is_title_line,
    is_whole_sentence,
    known_words,
    off_subject,
)
from rag.indexing.embedder import Embedder
from rag.reading.injection import is_directive
from rag.text import address_spans, content_words, names, split_sentences
from rag.types import Claim, Passage

# What the prompt asks the model to say when the passages do not hold the answer, and the
# usual ways small models say the same thing in other words.
REFUSAL_PATTERNS = re.compile(
    r"i don'?t know|not (?:mentioned|stated|provided|specified|given|found|available|included)"
    r"|(?:does|do) not (?:mention|state|say|contain|provide|specify|include)"
    r"|no (?:information|mention)|cannot (?:answer|determine|find)|can'?t (?:answer|determine)"
    r"|unable to (?:answer|determine|find)",
    re.IGNORECASE,
)


YES_NO_OPENING = re.compile(r"^\s*(yes|no)\b[\s,.;:!—–-]*", re.I)


def split_opening(draft: str) -> tuple[str | None, str]:
    """A yes/no answer's opening word ("Yes" / "No") and the rest of the draft, which is what
    the grounding check verifies ("No, the U.S. has frozen aid [1]." → "No", "The U.S. …")."""
    match = YES_NO_OPENING.match(draft)
    if not match:
        return None, draft
    rest = draft[match.end() :]
    return match.group(1).capitalize(), rest[:1].upper() + rest[1:]


@dataclass(frozen=True)
class DraftSentence:
    text: str  # without its markers
    cited: tuple[int, ...]  # 1-based passage numbers that exist


def parse_draft(text: str, passage_count: int) -> list[DraftSentence]:
    """Sentences of the model's text with the markers that point at real passages."""
    sentences = []
    for sentence in split_sentences(text.replace("’", "'")):
        numbers = []
        for group in MARKERS.findall(sentence):
            numbers += [int(n) for n in group.split(",")]
        cited = tuple(dict.fromkeys(n for n in numbers if 1 <= n <= passage_count))
        plain = " ".join(MARKERS.sub("", sentence).split())
        plain = re.sub(r"\s+([.,;:!?])", r"\1", plain)
        if any(ch.isalnum() for ch in plain):
            sentences.append(DraftSentence(plain, cited))
    return sentences


def says_unknown(text: str) -> bool:
    """Whether the model's text is (or begins as) a refusal, markers and all."""
    first = split_sentences(MARKERS.sub("", text.replace("’", "'")).strip())[:1]
    return bool(first) and bool(REFUSAL_PATTERNS.search(first[0]))


NUMBER = re.compile(r"\d[\d,.]*")


def specific_terms(sentence: str, question: str) -> set[str]:
    """Names and numbers a sentence asserts: these must be in the paragraph that supports it.
    A capitalised first word counts as a name only when the question capitalises it too."""
    first, _, rest = sentence.partition(" ")
    asked = names(question.partition(" ")[2])
    terms = names(rest) | (names(first) & asked)
    # links and e-mail addresses (what a hijacked answer carries) too
    terms |= {sentence[a:b] for a, b in address_spans(sentence)}
    return terms | {n.rstrip(".,") for n in NUMBER.findall(sentence)}


def missing_terms(sentence: str, question: str, paragraph: str) -> set[str]:
    terms = specific_terms(sentence, question)
    words = content_words(paragraph)
    return {t for t in terms if t not in words and t not in paragraph}


NEGATION = re.compile(
    r"\b(?:not|no|never|none|nor|neither|cannot|without)\b|n't\b|n’t\b", re.IGNORECASE
)


def negated(sentence: str) -> bool:
    """Whether the sentence says no: a claim and its support must agree on it."""
    return bool(NEGATION.search(sentence))


class GroundingChecker:
    """Scores how well a paragraph supports a sentence with the packaged embedding model and
    word overlap; no extra model."""

    # support = SEMANTIC * best cosine with one of the paragraph's sentences
    #         + LEXICAL * share of the claim's content words found in the paragraph
    SEMANTIC, LEXICAL = 0.5, 0.5
    THRESHOLD = 0.5  # calibrated on the ceasefire suite (see evals/README.md)

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def supports(self, sentences: list[str], passages: list[Passage]) -> list[list[float]]:
        """support[i][j]: how well passage j supports sentence i."""
        pieces = [p.sentence_texts or [p.text] for p in passages]
        flat = [s for piece in pieces for s in piece]
        vectors = self.embedder.embed_texts(sentences + flat)
        claim_vectors, piece_vectors = vectors[: len(sentences)], vectors[len(sentences) :]
        passage_words = [content_words(p.text) for p in passages]
        table = []
        for sentence, claim in zip(sentences, claim_vectors, strict=True):
            words = content_words(sentence)
            row, offset = [], 0
            for piece, vocabulary in zip(pieces, passage_words, strict=True):
                cosines = [
                    sum(a * b for a, b in zip(claim, v, strict=True))
                    for v in piece_vectors[offset : offset + len(piece)]
                ]
                closest = piece[max(range(len(piece)), key=cosines.__getitem__)]
                offset += len(piece)
                if negated(sentence) != negated(closest):
                    row.append(0.0)  # "X is portable" is not supported by "X is not portable"
                    continue
                lexical = len(words & vocabulary) / len(words) if words else 0.0
                row.append(self.SEMANTIC * max(cosines) + self.LEXICAL * lexical)
            table.append(row)
        return table

    def verify(
        self, draft: list[DraftSentence], passages: list[Passage], question: str = ""
    ) -> list[Claim]:
        """Claims for the supported sentences, each attributed to a paragraph that supports it:
        the cited one when it does, else the best supporting one; unsupported ones are dropped,
        and so are fragments and code read as prose. A paragraph never supports a sentence
        naming a name or number it does not contain, nor one about another subject than the
        question's."""
        if not draft or not passages:
            return []
        draft = [
            d
            for d in draft
            if is_whole_sentence(d.text) and is_prose(d.text) and not is_directive(d.text)
        ]
        if not draft:
            return []
        table = self.supports([d.text for d in draft], passages)
        known = known_words(passages)
        claims = []
        for sentence, row in zip(draft, table, strict=True):
            row = [
                0.0
                if missing_terms(sentence.text, question, p.text)
                or off_subject(sentence.text, question, p, known)
                else score
                for p, score in zip(passages, row, strict=True)
            ]
            cited = [n - 1 for n in sentence.cited if row[n - 1] >= self.THRESHOLD]
            if cited:
                best = max(cited, key=lambda j: row[j])
            else:
                best = max(range(len(passages)), key=lambda j: row[j])
                if row[best] < self.THRESHOLD:
                    continue
            if is_title_line(sentence.text, passages[best]):
                continue  # a title or heading repeated is not an answer
            claims.append(Claim(sentence.text, passages[best]))
        return claims
