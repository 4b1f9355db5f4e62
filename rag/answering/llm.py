"""The LLM generator: a chat model writes the answer from the best few sentences (rag.answering.
prompt); the draft is then verified against them (rag.answering.grounding) before it becomes an
Answer. Summaries, lists, comparisons and whatever the model gets wrong are left to the
quoting generator it is given."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator, Sequence

from rag.answering.compose import compose, refusal
from rag.answering.evidence import SentenceScorer, evidence_passages
from rag.answering.grounding import GroundingChecker, parse_draft, says_unknown, split_opening
from rag.answering.kinds import YES_NO, kind_of
from rag.answering.prompt import CONDENSE_PROMPT, answer_opening, select_evidence, user_prompt
from rag.answering.protocol import ChatModel, Generator
from rag.answering.synthesis import yes_or_no
from rag.config import Settings
from rag.indexing.embedder import Embedder
from rag.types import Answer, Passage, Turn, Waiting

log = logging.getLogger(__name__)

# What the log says of a question answered by quoting because the model was busy.
QUOTED_WHILE_BUSY = "model busy"


class LLMGenerator:
    """Answers in the model's words from the best sentences of the retrieved paragraphs; every
    kept sentence is whole, holds what the question asks for and is supported by the paragraph
    it cites. The question is refused without asking the model when the shared scorer's
    assessment of the evidence says the passages do not answer it."""

    # Sentences and words shown to the model: a prompt short enough for a first token within
    # about 2.5 s on two CPU cores (prefill runs at about 45 words a second there).
    EVIDENCE_SENTENCES = 3
    EVIDENCE_WORDS = 60

    condenses = True  # the model rewrites follow-ups

    def __init__(
        self,
        name: str,
        settings: Settings,
        embedder: Embedder,
        model: ChatModel,
        scorer: SentenceScorer,
        quoting: Generator,
    ):
        self.name = name
        self.settings = settings
        self.model = model
        self.checker = GroundingChecker(embedder)
        self.scorer = scorer  # shared with ``quoting``
        self.quoting = quoting  # answers what the model does not (see the class docstring)

    def generate(self, query: str, passages: list[Passage]) -> Answer:
        *_, answer = self.stream(query, passages)
        return answer

    def stream(self, query: str, passages: list[Passage]) -> Iterator[str | Waiting | Answer]:
        """Yield the model's text as it arrives (``Waiting`` while the model is busy with
        other questions), then the verified Answer."""
        started = time.perf_counter()
        kind = kind_of(query)
        if kind.gathers:
            # summaries, lists and comparisons are the documents' own sentences, chosen for
            # the kind (rag.answering.synthesis): every one verified by construction, and at once
            yield self._quoted(query, passages)
            return
        ranked = self.scorer.score_sentences(query, passages)
        assessment = self.scorer.assess(query, passages, ranked)
        nearest = max((p.score for p in evidence_passages(passages)), default=0.0)
        if (
            not self.scorer.answerable(query, kind, assessment, self.settings.llm_refusal_threshold)
            or nearest < self.settings.llm_min_passage_score
        ):  # the passages clearly do not answer it: do not ask the model
            yield refusal(query, passages, self.name)
            return
        excerpts = select_evidence(
            ranked, self.EVIDENCE_SENTENCES, self.settings.llm_passages, self.EVIDENCE_WORDS
        )
        shown = [e.passage for e in excerpts]
        messages = [
            *answer_opening(),
            {"role": "user", "content": user_prompt(query, excerpts)},
        ]
        pieces, first_token = [], None
        stream = self.model.stream_chat(messages, self.settings.llm_max_tokens)
        for piece in stream:
            if isinstance(piece, Waiting):  # other questions have the model: say so
                if self._would_wait_too_long(started, piece):
                    stream.close()  # gives up its place in the line
                    log.info(
                        "%s: %d answer(s) ahead after %.1f s (%.0f s more expected); "
                        "answered by quoting",
                        QUOTED_WHILE_BUSY,
                        piece.ahead,
                        time.perf_counter() - started,
                        piece.expected_seconds,
                    )
                    yield self._quoted(query, passages)
                    return
                yield piece
                continue
            if first_token is None:
                first_token = time.perf_counter() - started
            pieces.append(piece)
            yield piece
        draft = "".join(pieces).strip()
        log.info("model draft: %s", draft)
        claims, opening = [], None
        if kind.kind == YES_NO:
            opening, draft = split_opening(draft)
        if not says_unknown(draft):
            claims = self.checker.verify(parse_draft(draft, len(shown)), shown, query)
        if claims and any(assessment.asks.held_by(c.text, query) for c in claims):
            if kind.kind == YES_NO and opening is None:
                opening = yes_or_no(query, claims[0].text, claims[0].passage)
            answer = compose(query, claims, passages, self.name, opening=opening)
        else:
            # The model said it does not know, or wrote nothing the paragraphs support (or
            # nothing of the kind asked for): the extractive generator's quoted sentences
            # answer instead, or it refuses (marked by the generator name).
            answer = self._quoted(query, passages)
        yield _with_first_token(answer, first_token)

    def _would_wait_too_long(self, started: float, waiting: Waiting) -> bool:
        """Whether the question has waited, or by the line's estimate will have waited,
        ``llm_max_wait`` seconds before the model is free for it."""
        limit = self.settings.llm_max_wait
        waited = time.perf_counter() - started
        return limit > 0 and waited + waiting.expected_seconds >= limit

    def _quoted(self, query: str, passages: list[Passage]) -> Answer:
        """The quoting generator's answer, marked as given in this generator's stead."""
        answer = self.quoting.generate(query, passages)
        return dataclasses.replace(answer, generator=f"{self.name}+{answer.generator}")

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """The follow-up as a standalone question, written by the model from recent turns (a
        turn whose answer is empty, a refusal, shows its question alone)."""
        turns = "\n".join(
            f"User: {t.question}\nAssistant: {t.answer}" if t.answer else f"User: {t.question}"
            for t in history[-2:]
        )
        messages = [
            {"role": "system", "content": CONDENSE_PROMPT},
            {"role": "user", "content": f"{turns}\nUser: {question}\n\nStandalone question:"},
        ]
        started, pieces = time.perf_counter(), []
        stream = self.model.stream_chat(messages, 60)
        for piece in stream:
            if isinstance(piece, Waiting) and self._would_wait_too_long(started, piece):
                stream.close()  # the model is busy: the caller rewrites it by rule instead
                return ""
            if isinstance(piece, str):
                pieces.append(piece)
        text = "".join(pieces).strip().strip('"').splitlines()
        return text[0].strip() if text else ""


def _with_first_token(answer: Answer, seconds: float | None) -> Answer:
    return dataclasses.replace(
        answer, first_token_seconds=round(seconds, 4) if seconds is not None else None
    )
