"""A conversation as a Markdown document: every question, its answer, and each citation with
its file, paragraph, lines and the sentence it supports."""

from __future__ import annotations

from rag.interfaces.presentation import citation_line
from ui.conversation import Conversation
from ui.render import REFUSAL_TITLE, refusal_detail


def conversation_markdown(conversation: Conversation) -> str:
    lines = ["# Conversation", ""]
    for number, exchange in enumerate(list(conversation.exchanges), start=1):
        lines += [f"## {number}. {exchange.question}", ""]
        answer = exchange.answer
        if answer is None:
            outcome = "stopped" if exchange.stop_requested else exchange.error or "not answered"
            lines += [f"_({outcome})_", ""]
            continue
        if answer.refused:
            lines += [f"**{REFUSAL_TITLE}.**{refusal_detail(answer)}", ""]
            continue
        lines += [answer.text, ""]
        lines += [citation_line(n, c) for n, c in enumerate(answer.citations, start=1)]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
