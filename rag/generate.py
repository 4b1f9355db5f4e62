"""Passages + question -> Answer. Generators are chosen by name and share one small interface."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from rag.answerability import (
    Asks,
    assessment_features,
    is_whole_sentence,
    known_words,
    off_subject,
)
from rag.config import Settings
from rag.errors import ConfigError
from rag.indexing.embedder import Embedder
from rag.kinds import (
    COMPARISON,
    FACT,
    LIST,
    SUMMARY,
    WHY_HOW,
    YES_NO,
    QuestionKind,
    kind_of,
)
from rag.synthesis import (
    Selection,
    about,
    comparison_sentences,
    list_sentences,
    overview_passages,
    reading_order,
    reason_first,
    summary_focus,
    summary_sentences,
    with_named_subjects,
    yes_or_no,
)
from rag.text import content_words, overlap, question_words, split_sentences
from rag.types import Answer, Citation, Claim, Passage, ScoredSentence

log = logging.getLogger(__name__)

REFUSAL_TEXT = "I could not find this in the documents."


class Generator(Protocol):
    name: str

    def generate(self, query: str, passages: list[Passage]) -> Answer:
        """Answer ``query`` from ``passages`` only; refuse when they do not hold the answer."""


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
        parts.append(_with_marker(claim.text.strip(), numbers[key]))
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


def evidence_passages(passages: list[Passage]) -> list[Passage]:
    """The passages an answer may draw on: not those of a document that instructs an AI."""
    return [p for p in passages if not p.untrusted]


def refusal(query: str, passages: list[Passage], generator: str) -> Answer:
    return Answer(query, REFUSAL_TEXT, [], True, passages, query=query, generator=generator)


CLOSERS = "\"'”’)]}»"


def _with_marker(sentence: str, number: int) -> str:
    """Put ``[n]`` at the sentence's end, before its final stop: "X happened [1].", but after
    a closing quotation mark or bracket, never inside one: 'He said "we agree." [1]',
    "… copy.deepcopy() [1].", "… (smallest to largest) [1]."."""
    if sentence.endswith(tuple(CLOSERS)):
        return f"{sentence} [{number}]"
    body = sentence.rstrip(".!?…:;")
    return f"{body} [{number}]{sentence[len(body) :]}"


@dataclass(frozen=True)
class Assessment:
    """Whether the passages answer the question, from all the evidence: the best sentence's
    score (meaning and words), how much of the question the best paragraph covers with its
    title and headings (what the BM25 arm sees), the question's names that the best paragraph
    holds and those no passage mentions, its numbers and code words that no passage has, the
    best paragraph's similarity, and whether a sentence that would be quoted holds the kind of
    thing the question asks for."""

    best: ScoredSentence | None
    coverage: float  # share of the question's content words in the best paragraph + context
    missing_names: int  # names in the question that no passage mentions
    asks: Asks  # what the question asks for (see rag.answerability)
    holds_asked: bool  # one of the sentences that would be quoted holds what is asked for
    evidence: float  # the combined score that is compared with the refusal threshold
    names_in_best: float = 1.0  # share of the question's names in the best paragraph
    missing_terms: int = 0  # numbers and code words of the question that no passage has
    similarity: float = 0.0  # the best passage's cosine similarity to the question

    def answers(self, threshold: float) -> bool:
        """Whether the passages answer the question: evidence at ``threshold`` or above, and
        a sentence holding what is asked for; for *who*, strong evidence without a proper
        name will do ("Who has to delete it?" is answered by "the user of mkstemp()")."""
        if self.best is None or self.evidence < threshold:
            return False
        return self.holds_asked or (
            self.asks.kind == "name" and self.evidence >= threshold + STRONG_EVIDENCE
        )


# How each piece of the assessment counts towards the evidence: fitted by logistic regression
# on the tuning halves (bench/calibrate_refusal.py), the sentence score's weight set to 1; the
# threshold is refusal_threshold (llm_refusal_threshold before asking a model).
EVIDENCE_WEIGHTS = {
    "score": 1.0,
    "coverage": 1.06,
    "names_in_best": 0.19,
    "similarity": 0.71,
    "missing_names": -0.23,
    "missing_terms": -0.19,
}


# How far above the threshold the evidence must be for a *who* question answered without a name.
STRONG_EVIDENCE = 0.3


def evidence_of(features: dict[str, float]) -> float:
    return sum(EVIDENCE_WEIGHTS[name] * value for name, value in features.items())


class ExtractiveGenerator:
    """Quotes the one to three sentences of the retrieved paragraphs that best answer the question,
    in reading order.

    A sentence's score mixes its embedding similarity to the question with the share of the
    question's content words it contains (with its document title and headings, which often
    name the subject: "secrets.choice(sequence)"), plus a bonus for its paragraph's retrieval
    score.
    Only whole sentences are candidates (no fragments, code or headings), a sentence is quoted
    once, and the question is refused unless the evidence is strong enough and the best
    sentence holds what the question asks for. It never writes a word that is not in the
    documents.
    """

    name = "extractive"
    # Weights of the sentence score; calibrated on evals/questions/ceasefire.jsonl.
    SEMANTIC, LEXICAL, PASSAGE = 0.45, 0.4, 0.15
    # Further sentences must score within this margin of the best one.
    MARGIN = 0.06
    # Lists: at most this many sentences (one a paragraph), within this margin of the best.
    LIST_SENTENCES, LIST_MARGIN = 6, 0.2
    # Why/how: the lift of a sentence that gives a reason or a manner.
    REASON_BONUS = 0.04
    # Summaries: sentences, and the weight of diversity against centrality.
    SUMMARY_SENTENCES, SUMMARY_DIVERSITY = 5, 0.3
    VECTOR_CACHE = 20000  # sentence embeddings kept for summaries
    # A longer document is summarised from its paragraphs' first sentences (at most this many,
    # evenly spread): embedding every sentence of a book would take minutes.
    SUMMARY_CANDIDATES = 400

    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings = settings
        self.embedder = embedder
        self._sentence_vectors: dict[str, list[float]] = {}

    def score_sentences(self, query: str, passages: list[Passage]) -> list[ScoredSentence]:
        """Every whole sentence of the first ``max_answer_passages`` evidence passages (see
        evidence_passages; twice as many for a list or a comparison), best first."""
        reach = self.settings.max_answer_passages * (2 if kind_of(query).gathers else 1)
        candidates = [
            (sentence, passage, position)
            for passage in evidence_passages(passages)[:reach]
            if not passage.code  # code is cited as it stands, never quoted as a sentence
            for position, sentence in enumerate(split_sentences(passage.text))
            if is_whole_sentence(sentence)
        ]
        if not candidates:
            return []
        vectors = self.embedder.embed_texts([query] + [c[0] for c in candidates])
        question_vector, sentence_vectors = vectors[0], vectors[1:]
        words = question_words(query)
        scored = []
        for (sentence, passage, position), vector in zip(candidates, sentence_vectors, strict=True):
            semantic = sum(a * b for a, b in zip(question_vector, vector, strict=True))
            score = (
                self.SEMANTIC * semantic
                + self.LEXICAL * self._lexical(words, sentence, passage)
                + self.PASSAGE * passage.score
            )
            scored.append(ScoredSentence(sentence, passage, position, round(score, 4)))
        return sorted(scored, key=lambda s: -s.score)

    @staticmethod
    def _lexical(words: set[str], sentence: str, passage: Passage) -> float:
        """The question's words found in the sentence, and at half weight in the title and
        headings above it (they name the subject on documentation pages, but every sentence
        under a heading shares them)."""
        alone = overlap(words, sentence)
        return (alone + overlap(words, f"{passage.context or ''} {sentence}")) / 2

    def assess(
        self, query: str, passages: list[Passage], ranked: list[ScoredSentence]
    ) -> Assessment:
        """How strongly the passages support an answer (see Assessment)."""
        asks = Asks.of(query)
        if not ranked:
            return Assessment(None, 0.0, 0, asks, False, 0.0)
        best = ranked[0]
        features = assessment_features(query, evidence_passages(passages), best)
        near = [
            s
            for s in ranked[: self.settings.max_answer_sentences]
            if s.score >= best.score - self.MARGIN
        ]
        holds = any(asks.held_by(s.text, query) for s in near)
        return Assessment(
            best,
            round(features["coverage"], 4),
            int(features["missing_names"]),
            asks,
            holds,
            round(evidence_of(features), 4),
            names_in_best=round(features["names_in_best"], 4),
            missing_terms=int(features["missing_terms"]),
            similarity=round(features["similarity"], 4),
        )

    def generate(self, query: str, passages: list[Passage]) -> Answer:
        kind = kind_of(query)
        if kind.kind == SUMMARY:
            return self.summarise(query, passages)
        ranked = self.score_sentences(query, passages)
        assessment = self.assess(query, passages, ranked)
        if not self.answerable(query, kind, assessment, self.settings.refusal_threshold):
            return refusal(query, passages, self.name)
        selection = self.select(query, kind, ranked, assessment.asks, passages)
        return compose(
            query,
            [Claim(s.text, s.passage) for s in selection.sentences],
            passages,
            self.name,
            opening=selection.opening,
        )

    @staticmethod
    def answerable(
        query: str, kind: QuestionKind, assessment: Assessment, threshold: float
    ) -> bool:
        """Whether to answer: the evidence reaches ``threshold``, or the question asks for a
        list of what the documents name and says nothing else ("Who are the key people
        named?"), and a sentence holds such a thing. Never when the question is about a name
        that no passage mentions, unless it asks why, how or whether (a false premise:
        "Why did Qatar host the talks?" is answered with who did)."""
        about_the_unknown = assessment.names_in_best == 0.0 and assessment.missing_names
        if about_the_unknown and kind.kind in (FACT, LIST, COMPARISON):
            return False  # about someone or something no passage mentions ("China's position")
        if assessment.answers(threshold):
            return True
        about_documents = kind.kind == LIST and len(question_words(query)) <= 1
        return about_documents and assessment.best is not None and assessment.holds_asked

    def select(
        self,
        query: str,
        kind: QuestionKind,
        ranked: list[ScoredSentence],
        asks: Asks,
        passages: list[Passage],
    ) -> Selection:
        """The sentences that answer ``query``, chosen for its kind (see rag.synthesis): one
        to three for a fact, one new item a paragraph for a list, each side of a comparison,
        the deciding sentence after Yes or No."""
        fitting = [s for s in ranked if asks.held_by(s.text, query)]
        opening = None
        if kind.kind == LIST:
            # a list of what the documents name ("Who are the key people?") may come from
            # anywhere in them; a list about a topic from what is close to it
            margin = 1.0 if len(question_words(query)) <= 1 else self.LIST_MARGIN
            chosen = list_sentences(fitting, query, self.LIST_SENTENCES, margin)
        elif kind.kind == COMPARISON:
            chosen = comparison_sentences(fitting, kind.sides) or self._facts(
                query, ranked, asks, passages
            )
        else:
            if kind.kind == WHY_HOW:
                ranked = reason_first(ranked, self.REASON_BONUS)
            chosen = self._facts(query, ranked, asks, passages)
            if kind.kind == YES_NO and chosen:
                opening = yes_or_no(query, chosen[0].text, chosen[0].passage)
        if kind.kind != YES_NO:
            chosen = reading_order(chosen)
        return Selection(with_named_subjects(chosen), opening)

    def _facts(
        self, query: str, ranked: list[ScoredSentence], asks: Asks, passages: list[Passage]
    ) -> list[ScoredSentence]:
        """The best one to ``max_answer_sentences`` sentences within MARGIN of the best that
        hold what is asked, none said twice, none about another subject than the question's."""
        if not ranked:
            return []
        best = ranked[0].score
        chosen: list[ScoredSentence] = []
        seen: set[str] = set()
        known = known_words(evidence_passages(passages))
        for sentence in ranked:
            if sentence.score < best - self.MARGIN:
                break
            key = " ".join(sorted(content_words(sentence.text)))
            if (
                key in seen
                or not asks.held_by(sentence.text, query)
                or (chosen and off_subject(sentence.text, query, sentence.passage, known))
            ):
                continue  # said already (in another paragraph), off-type, or off-subject
            seen.add(key)
            chosen.append(sentence)
        return chosen[: self.settings.max_answer_sentences]

    def summarise(self, query: str, passages: list[Passage]) -> Answer:
        """A summary of the passages (the paragraphs of the documents to summarise, see
        Bot.summary_passages): central, diverse whole sentences in document order, each
        cited; several documents give a few sentences each."""
        prose = overview_passages(passages)
        focus = summary_focus(query, prose)
        if focus:  # "Summarize what the article says about Putin": only what is about him
            prose = about(focus, prose)
        by_source: dict[str, list[Passage]] = {}
        for passage in prose:
            by_source.setdefault(passage.source, []).append(passage)
        if not by_source:
            return refusal(query, passages, self.name)
        each = max(1, self.SUMMARY_SENTENCES // len(by_source)) if len(by_source) > 1 else None
        chosen: list[ScoredSentence] = []
        for members in by_source.values():
            candidates = [
                ScoredSentence(sentence, passage, position, passage.score)
                for passage in members
                for position, sentence in enumerate(split_sentences(passage.text))
                if is_whole_sentence(sentence) and not sentence.rstrip().endswith(":")
            ]  # a lead-in to a list or code ("Here are some examples:") says nothing alone
            if focus:  # the sentences about it, when there are any
                candidates = [c for c in candidates if focus & content_words(c.text)] or candidates
            if len(candidates) > self.SUMMARY_CANDIDATES:  # a long document: its paragraphs'
                leads = [c for c in candidates if c.position == 0]  # first sentences, spread
                step = max(1, len(leads) // self.SUMMARY_CANDIDATES)
                candidates = leads[::step][: self.SUMMARY_CANDIDATES]
            vectors = self._vectors([c.text for c in candidates])
            chosen += summary_sentences(
                candidates, vectors, each or self.SUMMARY_SENTENCES, self.SUMMARY_DIVERSITY
            )
        claims = [Claim(s.text, s.passage) for s in chosen]
        return compose(query, claims, passages, self.name)

    def _vectors(self, texts: list[str]) -> list[list[float]]:
        """Unit embeddings of ``texts``, each sentence embedded once per generator."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._sentence_vectors]
        if missing:
            if len(self._sentence_vectors) > self.VECTOR_CACHE:
                self._sentence_vectors.clear()
            for text, vector in zip(missing, self.embedder.embed_texts(missing), strict=True):
                self._sentence_vectors[text] = vector
        return [self._sentence_vectors[t] for t in texts]


def _local(settings: Settings, embedder: Embedder) -> Generator:
    from rag.llm.backends import LocalChatModel
    from rag.llm.generator import LLMGenerator

    return LLMGenerator("local", settings, embedder, LocalChatModel(settings))


def _openai(settings: Settings, embedder: Embedder) -> Generator:
    from rag.llm.backends import OpenAIChatModel
    from rag.llm.generator import LLMGenerator

    return LLMGenerator("openai", settings, embedder, OpenAIChatModel(settings))


GENERATORS = {"extractive": ExtractiveGenerator, "local": _local, "openai": _openai}


def local_llm_available(settings: Settings) -> bool:
    """Whether the local generator can run: its runtime and a model are installed."""
    from rag.llm.backends import local_runtime_installed
    from rag.llm.packaged_model import parts_installed

    return local_runtime_installed() and (bool(settings.llm_model) or parts_installed())


def generator_name(settings: Settings) -> str:
    """The generator that ``settings.generator`` selects ("auto" resolved)."""
    if settings.generator != "auto":
        return settings.generator
    if local_llm_available(settings):
        return "local"
    log.warning("no local LLM installed (xllamacpp + model): answering with the extractive one")
    return "extractive"


def make_generator(settings: Settings, embedder: Embedder) -> Generator:
    """The generator named in settings."""
    name = generator_name(settings)
    try:
        factory = GENERATORS[name]
    except KeyError:
        raise ConfigError(
            f"unknown generator {name!r}; choose one of: auto, {', '.join(GENERATORS)}"
        ) from None
    return factory(settings, embedder)
