"""LLM generators: a chat model writes the answer from the best few paragraphs; the draft is
then verified against them (rag.llm.grounding) before it becomes an Answer."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator
from typing import Protocol

from rag.config import Settings
from rag.embeddings import Embedder
from rag.generate import ExtractiveGenerator, compose, refusal
from rag.llm.grounding import GroundingChecker, parse_draft, says_unknown
from rag.types import Answer, Passage

log = logging.getLogger(__name__)

UNKNOWN = "I don't know based on the provided context."
# Kept identical between questions so the runtime can reuse its cached prefix.
SYSTEM_PROMPT = f"""You answer questions using only the numbered passages the user gives you.
Rules:
1. If the passages do not state the answer, reply exactly: {UNKNOWN}
2. Never use outside knowledge, even if you know the answer.
3. Otherwise reply with one or two short sentences. End each sentence with the number of the \
passage it comes from in square brackets, e.g. "The talks were held in Paris [2]."
4. If the question assumes something the passages contradict, say what the passages state."""
CONDENSE_PROMPT = """Rewrite the user's last question as one standalone question that can be \
understood without the conversation. Replace pronouns with the names they refer to. Reply with \
the question only."""


class ChatModel(Protocol):
    """A chat-completion model that streams text."""

    def stream_chat(self, messages: list[dict], max_tokens: int) -> Iterator[str]: ...


def user_prompt(question: str, passages: list[Passage]) -> str:
    numbered = "\n\n".join(
        f"[{n}] {p.heading + ': ' if p.heading else ''}{p.text}" for n, p in enumerate(passages, 1)
    )
    return f"Passages:\n\n{numbered}\n\nQuestion: {question}"


class LLMGenerator:
    """Answers in the model's words; every kept sentence is supported by the paragraph it cites."""

    def __init__(self, name: str, settings: Settings, embedder: Embedder, model: ChatModel):
        self.name = name
        self.settings = settings
        self.model = model
        self.checker = GroundingChecker(embedder)
        self.quoting = ExtractiveGenerator(settings, embedder)

    def generate(self, query: str, passages: list[Passage]) -> Answer:
        *_, answer = self.stream(query, passages)
        return answer

    def stream(self, query: str, passages: list[Passage]) -> Iterator[str | Answer]:
        """Yield the model's text as it arrives, then the verified Answer."""
        started = time.perf_counter()
        shown = passages[: self.settings.llm_passages]
        best = max((p.score for p in shown), default=0.0)
        if best < self.settings.llm_min_passage_score:  # nothing close: do not ask the model
            yield refusal(query, passages, self.name)
            return
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user_prompt(query, shown)},
        ]
        pieces, first_token = [], None
        for piece in self.model.stream_chat(messages, self.settings.llm_max_tokens):
            if first_token is None:
                first_token = time.perf_counter() - started
            pieces.append(piece)
            yield piece
        draft = "".join(pieces).strip()
        log.info("model draft: %s", draft)
        claims = []
        if not says_unknown(draft):
            claims = self.checker.verify(parse_draft(draft, len(shown)), shown, query)
        if claims:
            answer = compose(query, claims, passages, self.name)
        else:
            # The model said it does not know, or wrote nothing the paragraphs support: refuse
            # unless the retrieval evidence is strong enough for the extractive generator,
            # whose quoted sentences then answer (marked by the generator name).
            answer = self.quoting.generate(query, passages)
            answer = dataclasses.replace(answer, generator=f"{self.name}+{answer.generator}")
        yield _with_first_token(answer, first_token)

    def condense(self, question: str, history: list[tuple[str, str]]) -> str:
        """The follow-up as a standalone question, written by the model from recent turns."""
        turns = "\n".join(f"User: {q}\nAssistant: {a}" for q, a in history[-2:])
        messages = [
            {"role": "system", "content": CONDENSE_PROMPT},
            {"role": "user", "content": f"{turns}\nUser: {question}\n\nStandalone question:"},
        ]
        text = "".join(self.model.stream_chat(messages, 60)).strip().strip('"').splitlines()
        return text[0].strip() if text else ""


def _with_first_token(answer: Answer, seconds: float | None) -> Answer:
    return dataclasses.replace(
        answer, first_token_seconds=round(seconds, 4) if seconds is not None else None
    )
