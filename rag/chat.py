"""Multi-turn sessions: a follow-up is made standalone before retrieval, rewritten by the
generator's model when it has one and the rewrite only replaced references, else resolved by
rag.references. Depends on a Bot only through the ChatBot protocol."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rag.answering.kinds import YES_NO_PATTERN
from rag.answering.protocol import Generator
from rag.errors import RagError
from rag.references import mentions, resolve
from rag.retrieval.scope import Scope
from rag.text import content_words
from rag.types import Answer, Turn, Waiting

log = logging.getLogger(__name__)

# Words that point back at something said before ("What did he say?", "And there?").
REFERRING_WORDS = (
    "he she it its they them their theirs him his her hers this that these those there then "
    "former latter also else other another same more"
).split()
REFERRING = re.compile(
    rf"\b({'|'.join(REFERRING_WORDS)})\b|^(and|but|what about|how about)\b", re.IGNORECASE
)


def needs_context(question: str) -> bool:
    """Whether a follow-up depends on the conversation: it refers back or says too little."""
    return bool(REFERRING.search(question)) or len(content_words(question)) < 2


QUESTION_WORD = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how)\b", re.I)


def question_word(question: str) -> str | None:
    """The word that says what is asked: the first wh-word, else the opening verb of a yes/no
    question ("does", "is"), else None."""
    match = QUESTION_WORD.search(question)
    if match:
        return match.group(1).lower()
    opening = YES_NO_PATTERN.match(question)
    return opening.group(0).strip().lower() if opening else None


# What a reference can be replaced with: a name or a short noun phrase ("Dmitry Peskov",
# "the secrets module's choice function") adds at most this many content words.
MAX_ADDED_WORDS = 4


def faithful_rewrite(question: str, rewrite: str, conversation: str) -> bool:
    """Whether a standalone form of ``question`` only replaced its references: it asks with the
    same question word, keeps two thirds of the question's own words, and adds only words that
    the conversation (``conversation``: its questions and non-refused answers) has, and no more
    of them than a reference takes ("What other role did Saudi Arabia play in recent ceasefire
    discussions between Ukraine and Russia?" retrieves the previous answer again)."""
    if question_word(question) != question_word(rewrite):
        return False  # "When was the bombing he carried out?" is not "Who carried it out?"
    asked = content_words(question) - content_words(" ".join(REFERRING_WORDS))
    written = content_words(rewrite)
    if asked and len(asked & written) * 3 < len(asked) * 2:
        return False  # the ask itself changed
    added = written - content_words(question)
    if len(added) > MAX_ADDED_WORDS:
        return False  # more than a reference: the rewrite brings in the previous answer
    return not added - content_words(conversation)  # nothing the conversation did not say


def standalone_query(question: str, history: Sequence[Answer]) -> str:
    """The text to retrieve with when no model rewrote the follow-up: its references replaced
    by what they point at (rag.references); else the question itself when it names what it
    is about, or the previous query + the question."""
    if not history or not needs_context(question):
        return question
    turns = [Turn.of(a) for a in history]
    resolved = resolve(question, turns)
    if resolved:
        return resolved
    return question if mentions(question) else f"{turns[-1].query} {question}"


def condense(
    question: str, history: Sequence[Answer], rewriter: Generator | None, max_chars: int
) -> str:
    """The standalone form of a follow-up: written by ``rewriter``'s model when there is one,
    and kept only when it merely replaced references (faithful_rewrite) and fits ``max_chars``;
    else its references replaced by what they point at (standalone_query). A refusal is never
    context: its turn counts by its question alone."""
    if not history or not needs_context(question):
        return question
    if rewriter is not None:
        turns = [Turn.of(a) for a in history]
        try:
            text = rewriter.condense(question, turns)
        except RagError as error:
            log.warning("follow-up rewrite failed (%s); using the heuristic", error)
            text = ""
        conversation = " ".join(f"{t.question} {t.answer}" for t in turns)
        if text and len(text) <= max_chars and faithful_rewrite(question, text, conversation):
            return text
        if text:
            log.info("follow-up rewrite %r changed the question; using the heuristic", text)
    return standalone_query(question, history)


class ChatBot(Protocol):
    """What a chat session needs of a bot (rag.api.Bot is one)."""

    def validate_question(self, question: str) -> str: ...

    def condense(self, question: str, history: list[Answer]) -> str: ...

    def answer_stream(
        self, question: str, query: str, scope: Scope | None = None
    ) -> Iterator[str | Waiting | Answer]: ...


@dataclass
class ChatSession:
    """A conversation with a Bot; each ``ask`` sees the turns before it."""

    bot: ChatBot
    turns: list[Answer] = field(default_factory=list)

    def ask(self, question: str, scope: Scope | None = None) -> Answer:
        *_, answer = self.ask_stream(question, scope)
        return answer

    def ask_stream(
        self, question: str, scope: Scope | None = None
    ) -> Iterator[str | Waiting | Answer]:
        """Yield the answer's text as it is generated, then the final Answer (from the
        documents ``scope`` chooses, when given)."""
        question = self.bot.validate_question(question)
        query = self.bot.condense(question, self.turns)
        for item in self.bot.answer_stream(question, query, scope):
            if isinstance(item, Answer):
                self.turns.append(item)
            yield item

    def reset(self) -> None:
        self.turns.clear()
