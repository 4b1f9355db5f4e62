"""Answers and passages as safe HTML/Markdown: document text is always escaped, never markup."""

from __future__ import annotations

import html
import re

from rag.answering.compose import MARKER, REFUSAL_TEXT
from rag.interfaces.presentation import set_aside_note
from rag.text import address_spans
from rag.types import Answer, Passage
from ui.conversation import Conversation, Exchange, Status

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")
REFUSAL_TITLE = "Not found in the documents"
THINKING = "_Searching the documents…_"
QUEUED = "_Queued: answered as soon as the answer above is finished._"
WRITING = "_(writing, then checked against the sources…)_"
STOPPED = "_Stopped. The unchecked draft was discarded._"


def waiting_for_model(ahead: int) -> str:
    """Where a question stands in the line for the model (other users' questions first)."""
    others = "1 question" if ahead == 1 else f"{ahead} questions"
    return f"_Waiting for the model: {others} from other users ahead of yours…_"


def escape_markdown(text: str) -> str:
    """Text that Markdown and HTML both show literally. Addresses (URLs, e-mail) become code
    spans: shown as written, never turned into links by the chat's autolinker."""
    pieces, last = [], 0
    for start, end in address_spans(text):
        pieces.append(MARKDOWN_SPECIAL.sub(r"\\\1", text[last:start]))
        pieces.append(_code_span(text[start:end]))
        last = end
    pieces.append(MARKDOWN_SPECIAL.sub(r"\\\1", text[last:]))
    return "".join(pieces)


def _code_span(text: str) -> str:
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def answer_markdown(answer: Answer) -> str:
    """The answer for the chat bubble: escaped text whose [n] markers link to their source card."""
    if answer.refused:
        return f"**{REFUSAL_TITLE}.**{refusal_detail(answer)}"
    pieces, last = [], 0
    for match in MARKER.finditer(answer.text):
        pieces.append(escape_markdown(answer.text[last : match.start()]))
        n = match.group(1)
        pieces.append(f"[\\[{n}\\]](#source-{n})")
        last = match.end()
    pieces.append(escape_markdown(answer.text[last:]))
    return "".join(pieces)


def supporting_sentences(answer: Answer) -> dict[int, set[str]]:
    """For each citation number, the sentences of its paragraph that the answer's claims rest
    on (the generator records them: rag.types.Citation.supported)."""
    return {n: set(c.supported) for n, c in enumerate(answer.citations, 1) if c.supported}


def _highlighted(text: str, sentences: set[str]) -> str:
    out = html.escape(text)
    for sentence in sorted(sentences, key=len, reverse=True):
        escaped = html.escape(sentence.strip())
        out = out.replace(escaped, f"<mark>{escaped}</mark>", 1)
    return out


def _card(passage: Passage, title: str, anchor: str, highlights: set[str]) -> str:
    heading = (  # the document title and the heading path
        f'<div class="src-heading">{html.escape(passage.context)}</div>' if passage.context else ""
    )
    if passage.code:  # shown as it stands, in a monospace block
        body = f'<pre class="src-code">{html.escape(passage.text)}</pre>'
    else:
        body = f'<div class="src-text">{_highlighted(passage.text, highlights)}</div>'
    note = set_aside_note(passage.text, passage.untrusted)
    warning = f'<div class="src-warning">{html.escape(note)}</div>' if note else ""
    return (
        f'<div class="src-card" id="{anchor}">'
        f'<div class="src-title">{html.escape(title)} {html.escape(passage.label)}</div>{heading}'
        f'{warning}{body}<div class="src-why">{retrieval_reason(passage)}</div></div>'
    )


def refusal_detail(answer: Answer) -> str:
    """What a refusal says beyond "Not found in the documents" (nothing for the usual one)."""
    if answer.text == REFUSAL_TEXT:
        return ""
    return " " + escape_markdown(answer.text)


def retrieval_reason(passage: Passage) -> str:
    """Why the passage was retrieved: each retrieval arm's own score (the fused score is
    normalised over the candidates, so it says nothing to a reader)."""
    parts = [f"similarity {passage.score:.2f}"]
    if passage.lexical_score is not None:
        parts.append(f"BM25 {passage.lexical_score:.1f}")
    return " · ".join(parts)


def sources_html(answer: Answer | None) -> str:
    """Source cards for an answer, or the closest passages of a refusal, labelled as such."""
    if answer is None:
        return '<div class="src-empty">Sources of the latest answer appear here.</div>'
    if answer.refused:
        cards = "".join(
            _card(p, "·", f"closest-{i}", set()) for i, p in enumerate(answer.passages[:3], 1)
        )
        return (
            f'<div class="src-refused"><strong>{REFUSAL_TITLE}</strong>'
            "<p>Closest passages looked at (they do not answer the question):</p>"
            f"{cards}</div>"
        )
    support = supporting_sentences(answer)
    cited = "".join(
        _card(c, f"[{n}]", f"source-{n}", support.get(n, set()))
        for n, c in enumerate(answer.citations, 1)
    )
    set_aside = [p for p in answer.passages if p.untrusted]
    if not set_aside:
        return cited
    cards = "".join(_card(p, "!", f"set-aside-{i}", set()) for i, p in enumerate(set_aside, 1))
    return f'{cited}<div class="src-set-aside"><p>Set aside, not used as evidence:</p>{cards}</div>'


def _reply(exchange: Exchange, behind_another: bool) -> str:
    if exchange.status is Status.QUEUED and behind_another:
        return QUEUED
    if exchange.answer is not None:
        return answer_markdown(exchange.answer)
    if exchange.status is Status.STOPPED or exchange.stop_requested:
        return STOPPED
    if exchange.error is not None:
        return f"**Error:** {escape_markdown(exchange.error)}"
    if exchange.draft:  # the model's text as it writes, shown as plain text until checked
        return f"{escape_markdown(exchange.draft)} {WRITING}"
    if exchange.ahead:
        return waiting_for_model(exchange.ahead)
    return THINKING


def conversation_messages(conversation: Conversation) -> list[dict]:
    """The chat bubbles: every question as sent, then its answer, draft or place in the queue."""
    messages, running = [], False
    for exchange in list(conversation.exchanges):
        messages.append({"role": "user", "content": escape_markdown(exchange.question)})
        messages.append({"role": "assistant", "content": _reply(exchange, running)})
        running = running or exchange.status in (Status.QUEUED, Status.ANSWERING)
    return messages
