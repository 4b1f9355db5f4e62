"""How well the retrieved passages answer a question: every whole sentence scored, and an
Assessment of the evidence that decides between answering and refusing."""

from __future__ import annotations

from dataclasses import dataclass

from rag.answering.answerability import Asks, assessment_features, is_answer_sentence
from rag.answering.kinds import COMPARISON, FACT, LIST, QuestionKind, kind_of
from rag.config import Settings
from rag.indexing.embedder import Embedder
from rag.text import overlap, question_words
from rag.types import Passage, ScoredSentence


def evidence_passages(passages: list[Passage]) -> list[Passage]:
    """The passages an answer may draw on: not those of a document that instructs an AI."""
    return [p for p in passages if not p.untrusted]


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
    asks: Asks  # what the question asks for (see rag.answering.answerability)
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


def evidence_of(features: dict[str, float], weights: dict[str, float] = EVIDENCE_WEIGHTS) -> float:
    """The evidence score: the weighted sum of the assessment's features."""
    return sum(weights[name] * value for name, value in features.items())


class SentenceScorer:
    """Scores the whole sentences of the retrieved paragraphs against a question and judges
    whether they answer it. Both generators use it: the extractive one quotes the best
    sentences, the LLM one shows them to the model, and both refuse on its judgement.

    A sentence's score mixes its embedding similarity to the question with the share of the
    question's content words it contains (with its document title and headings, which often
    name the subject: "secrets.choice(sequence)"), plus a bonus for its paragraph's retrieval
    score. Only whole sentences are candidates (no fragments, code, headings, title lines or
    directives telling the reader what to say).
    """

    # Weights of the sentence score; calibrated on evals/questions/ceasefire.jsonl.
    SEMANTIC, LEXICAL, PASSAGE = 0.45, 0.4, 0.15
    # Further sentences must score within this margin of the best one.
    MARGIN = 0.06

    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings = settings
        self.embedder = embedder

    def score_sentences(self, query: str, passages: list[Passage]) -> list[ScoredSentence]:
        """Every whole sentence of the first ``max_answer_passages`` evidence passages (see
        evidence_passages; twice as many for a list or a comparison), best first."""
        reach = self.settings.max_answer_passages * (2 if kind_of(query).gathers else 1)
        candidates = [
            (sentence, passage, position)
            for passage in evidence_passages(passages)[:reach]
            if not passage.code  # code is cited as it stands, never quoted as a sentence
            for position, sentence in enumerate(passage.sentence_texts)
            if is_answer_sentence(sentence, passage)
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
