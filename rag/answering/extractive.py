"""The extractive generator: answers by quoting the documents' own sentences, chosen for the
question's kind (rag.answering.synthesis), or refuses."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from rag.answering.answerability import Asks, is_answer_sentence, known_words, off_subject
from rag.answering.compose import compose, refusal
from rag.answering.evidence import SentenceScorer, evidence_passages
from rag.answering.kinds import COMPARISON, LIST, SUMMARY, WHY_HOW, YES_NO, QuestionKind, kind_of
from rag.answering.synthesis import (
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
from rag.config import Settings
from rag.indexing.embedder import Embedder
from rag.text import content_words, question_words
from rag.types import Answer, Claim, Passage, ScoredSentence, Turn

log = logging.getLogger(__name__)


class ExtractiveGenerator:
    """Quotes the one to three sentences of the retrieved paragraphs that best answer the question,
    in reading order (scored by rag.answering.evidence.SentenceScorer).

    A sentence is quoted once, and the question is refused unless the evidence is strong
    enough and the best sentence holds what the question asks for. It never writes a word that
    is not in the documents.
    """

    name = "extractive"
    condenses = False  # no model to rewrite follow-ups with
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

    def __init__(self, settings: Settings, embedder: Embedder, scorer: SentenceScorer):
        self.settings = settings
        self.embedder = embedder
        self.scorer = scorer
        self._sentence_vectors: dict[str, list[float]] = {}

    def generate(self, query: str, passages: list[Passage]) -> Answer:
        kind = kind_of(query)
        if kind.kind == SUMMARY:
            return self.summarise(query, passages)
        ranked = self.scorer.score_sentences(query, passages)
        assessment = self.scorer.assess(query, passages, ranked)
        if not self.scorer.answerable(query, kind, assessment, self.settings.refusal_threshold):
            return refusal(query, passages, self.name)
        selection = self.select(query, kind, ranked, assessment.asks, passages)
        return compose(
            query,
            [Claim(s.text, s.passage, s.text) for s in selection.sentences],
            passages,
            self.name,
            opening=selection.opening,
        )

    def stream(self, query: str, passages: list[Passage]) -> Iterator[Answer]:
        """The answer at once: quoting has nothing to stream."""
        yield self.generate(query, passages)

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """No rewrite: follow-ups are resolved by rag.references (see ``condenses``)."""
        return ""

    def select(
        self,
        query: str,
        kind: QuestionKind,
        ranked: list[ScoredSentence],
        asks: Asks,
        passages: list[Passage],
    ) -> Selection:
        """The sentences that answer ``query``, chosen for its kind (rag.answering.synthesis):
        one to three for a fact, one new item a paragraph for a list, each side of a comparison,
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
            if sentence.score < best - self.scorer.MARGIN:
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
                for position, sentence in enumerate(passage.sentence_texts)
                if is_answer_sentence(sentence, passage) and not sentence.rstrip().endswith(":")
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
        claims = [Claim(s.text, s.passage, s.text) for s in chosen]
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
