"""The interfaces of answering: a Generator turns passages into an Answer (all at once, or
streamed), and rewrites a follow-up when it has a model; a ChatModel streams a model's text."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from rag.types import Answer, Passage, Turn, Waiting


class Generator(Protocol):
    name: str
    condenses: bool  # whether ``condense`` asks a model (else it returns "")

    def generate(self, query: str, passages: list[Passage]) -> Answer:
        """Answer ``query`` from ``passages`` only; refuse when they do not hold the answer."""
        ...

    def stream(self, query: str, passages: list[Passage]) -> Iterator[str | Waiting | Answer]:
        """Like ``generate``, yielding text as it is written (``Waiting`` while the model is
        busy with other questions), then the verified Answer."""
        ...

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """The follow-up ``question`` as a standalone question, written from ``history`` (the
        turns before it); "" when there is no rewrite."""
        ...


class ChatModel(Protocol):
    """A chat-completion model that streams text."""

    def stream_chat(self, messages: list[dict], max_tokens: int) -> Iterator[str | Waiting]:
        """The model's text as it writes (``Waiting`` while other questions go first)."""
        ...
