"""Multi-turn sessions: a follow-up is made standalone before retrieval."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rag.text import content_words
from rag.types import Answer, Waiting

if TYPE_CHECKING:
    from rag.api import Bot

# Words that point back at something said before ("What did he say?", "And there?").
REFERRING = re.compile(
    r"\b(he|she|it|its|they|them|their|theirs|him|his|her|hers|this|that|these|those|there|"
    r"then|former|latter|also|else|other|another|same|more)\b|^(and|but|what about|how about)\b",
    re.IGNORECASE,
)


def needs_context(question: str) -> bool:
    """Whether a follow-up depends on the conversation: it refers back or says too little."""
    return bool(REFERRING.search(question)) or len(content_words(question)) < 2


def standalone_query(question: str, previous_query: str | None) -> str:
    """The text to retrieve with: the question, prefixed by the previous query when it refers
    back to it. (An LLM rewrite replaces this heuristic when an LLM generator is configured.)"""
    if previous_query and needs_context(question):
        return f"{previous_query} {question}"
    return question


@dataclass
class ChatSession:
    """A conversation with a Bot; each ``ask`` sees the turns before it."""

    bot: Bot
    turns: list[Answer] = field(default_factory=list)

    def ask(self, question: str) -> Answer:
        *_, answer = self.ask_stream(question)
        return answer

    def ask_stream(self, question: str) -> Iterator[str | Waiting | Answer]:
        """Yield the answer's text as it is generated, then the final Answer."""
        question = self.bot.validate_question(question)
        query = self.bot.condense(question, self.turns)
        for item in self.bot.answer_stream(question, query):
            if isinstance(item, Answer):
                self.turns.append(item)
            yield item

    def reset(self) -> None:
        self.turns.clear()
