"""A conversation as a Markdown document: every question, its answer, and each citation with
its file, paragraph, lines and the sentence it supports."""

from __future__ import annotations

from ui.conversation import Conversation
from ui.render import REFUSAL_TITLE, refusal_detail, supporting_sentences


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
        support = supporting_sentences(answer)
        for n, citation in enumerate(answer.citations, start=1):
            quoted = " … ".join(f"“{s.strip()}”" for s in sorted(support.get(n, ())))
            where = citation.label + (f" — {citation.context}" if citation.context else "")
            lines.append(f"- [{n}] {where}: {quoted or '“' + citation.text[:200] + '”'}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
