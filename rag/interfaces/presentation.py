"""Text shown to people beside answers (source cards, CLI notes), not used to make them."""

from __future__ import annotations

from rag.reading.injection import addresses_ai
from rag.types import Answer, Citation, Passage


def set_aside_note(text: str, untrusted: bool) -> str | None:
    """Why a passage was not used as evidence (for its source card), or None if it was not
    set aside."""
    if not untrusted:
        return None
    if addresses_ai(text):
        return "This passage contains instructions addressed to an AI; they were not followed."
    return "Its document contains instructions addressed to an AI; it was not used as evidence."


def citation_record(passage: Passage, marker: int | None = None) -> dict:
    """A cited or retrieved paragraph as JSON for other tools: where it is (file, paragraph,
    lines, page, location: sheet and row or slide; heading path), its text, the sentences the
    answer rests on, its score."""
    record = {
        "file": passage.source,
        "paragraph": passage.paragraph,
        "lines": list(passage.lines) if passage.lines else None,
        "page": passage.page,
        "location": passage.location,
        "heading": passage.context,
        "text": passage.text,
        "score": round(passage.score, 4),
    }
    if isinstance(passage, Citation):
        record["quote"] = " ".join(passage.supported) or None
    return ({"marker": marker} if marker is not None else {}) | record


def sources_markdown(answer: Answer) -> str:
    """The answer's ``[n]`` markers resolved, as a Markdown list any chat client can show
    (empty for a refusal)."""
    if answer.refused or not answer.citations:
        return ""
    lines = [citation_line(n, c) for n, c in enumerate(answer.citations, start=1)]
    return "\n".join(["**Sources**", "", *lines])


def citation_line(number: int, citation: Citation) -> str:
    """One Markdown list line for citation ``[number]``: where it is, its heading path, and
    the sentences the answer rests on, quoted (else the start of its paragraph)."""
    quoted = " … ".join(f"“{s.strip()}”" for s in sorted(set(citation.supported)))
    where = citation.label + (f" — {citation.context}" if citation.context else "")
    return f"- [{number}] {where}: {quoted or '“' + citation.text[:200] + '”'}"


def documents_record(documents: dict[str, int]) -> dict:
    """The indexed documents as JSON for other tools: each file with its paragraph count,
    and the total."""
    return {
        "documents": [{"file": f, "paragraphs": n} for f, n in documents.items()],
        "paragraphs": sum(documents.values()),
    }
