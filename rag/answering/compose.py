"""Claims -> Answer: sentences joined with ``[n]`` markers numbered by first use, each citation
the paragraph a sentence came from; no claims is a refusal."""

from __future__ import annotations

import dataclasses
import re

from rag.text import content_words, split_sentences
from rag.types import Answer, Citation, Claim, Passage

REFUSAL_PREFIX = "I could not find this in "
REFUSAL_TEXT = REFUSAL_PREFIX + "the documents."


def refusal_text(where: str) -> str:
    """The refusal naming where it looked: "I could not find this in the 2 selected documents."."""
    return f"{REFUSAL_PREFIX}{where}."


# A marker as answers are written with it (a model's draft is parsed more leniently:
# rag.answering.answerability.MARKERS).
MARKER = re.compile(r"\[(\d+)\]")


def compose(
    query: str,
    claims: list[Claim],
    passages: list[Passage],
    generator: str,
    opening: str | None = None,
) -> Answer:
    """Join claims into text with ``[n]`` markers numbered by first use, after ``opening``
    ("Yes", "No") when given; no claims is a refusal."""
    if not claims:
        return refusal(query, passages, generator)
    citations: list[Citation] = []
    numbers: dict[tuple[str, int], int] = {}
    supported: dict[int, list[str]] = {}
    parts = []
    said: set[str] = set()
    for claim in claims:
        wording = " ".join(claim.text.lower().split())
        if wording in said:  # a sentence repeated (with another marker) is said once
            continue
        said.add(wording)
        key = (claim.passage.source, claim.passage.paragraph)
        if key not in numbers:
            citations.append(Citation.of(claim.passage))
            numbers[key] = len(citations)
        parts.append(with_marker(claim.text.strip(), numbers[key]))
        sentence = claim.sentence or supporting_sentence(claim.text, claim.passage.text)
        if sentence and sentence not in supported.setdefault(numbers[key], []):
            supported[numbers[key]].append(sentence)
    citations = [
        dataclasses.replace(c, supported=tuple(supported.get(n, ())))
        for n, c in enumerate(citations, 1)
    ]
    if opening:
        parts.insert(0, f"{opening}.")
    return Answer(
        question=query,
        text=" ".join(parts),
        citations=citations,
        refused=False,
        passages=passages,
        query=query,
        generator=generator,
    )


def supporting_sentence(claim: str, paragraph: str) -> str | None:
    """The sentence of ``paragraph`` sharing the most content words with ``claim`` (a model's
    sentence), or None when none shares any."""
    words = content_words(claim)
    sentences = split_sentences(paragraph)
    if not words or not sentences:
        return None
    best = max(sentences, key=lambda s: len(words & content_words(s)))
    return best if words & content_words(best) else None


def refusal(query: str, passages: list[Passage], generator: str) -> Answer:
    return Answer(query, REFUSAL_TEXT, [], True, passages, query=query, generator=generator)


CLOSERS = "\"'”’)]}»"


def with_marker(sentence: str, number: int) -> str:
    """Put ``[n]`` at the sentence's end, before its final stop: "X happened [1].", but after
    a closing quotation mark or bracket, never inside one: 'He said "we agree." [1]',
    "… copy.deepcopy() [1].", "… (smallest to largest) [1]."."""
    if sentence.endswith(tuple(CLOSERS)):
        return f"{sentence} [{number}]"
    body = sentence.rstrip(".!?…:;")
    return f"{body} [{number}]{sentence[len(body) :]}"
