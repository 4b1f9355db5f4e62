"""How a paragraph is cut into the windows that are embedded, stored and searched on their own.
The embedder, the Chroma store and the BM25 arm all cut paragraphs here, so they agree."""

from __future__ import annotations

from dataclasses import dataclass

from rag.text import sentence_spans
from rag.types import Paragraph

# Raise when the windows change; an index stored with another layout is rebuilt by ingest.
LAYOUT_VERSION = 5


@dataclass(frozen=True)
class Window:
    """One piece of a paragraph that is embedded and searched on its own."""

    text: str
    index: int


def paragraph_windows(
    text: str,
    sentences_per_window: int,
    code: bool = False,
    spans: tuple[tuple[int, int], ...] | None = None,
) -> list[Window]:
    """Window 0 is the whole paragraph (a code block has no other); a paragraph of more
    sentences than
    ``sentences_per_window`` also gets one window per run of that many consecutive sentences,
    so every part of a long paragraph is seen (the embedding model reads only its first 256
    tokens), and a question that matches one sentence finds it. ``spans`` are the sentences'
    positions when already known (``sentence_spans``).
    """
    if code:
        return [Window(text, 0)]
    size = max(1, sentences_per_window)
    sentences = [text[a:b] for a, b in (spans if spans is not None else sentence_spans(text))]
    if len(sentences) <= size:
        return [Window(text, 0)]
    runs = [" ".join(sentences[i : i + size]) for i in range(len(sentences) - size + 1)]
    return [Window(text, 0)] + [Window(run, i) for i, run in enumerate(runs, 1)]


def windows_of(paragraph: Paragraph, sentences_per_window: int) -> list[Window]:
    """What gets embedded and searched for one paragraph (see ``paragraph_windows``)."""
    return paragraph_windows(
        paragraph.text, sentences_per_window, paragraph.code, paragraph.sentences
    )


def embedded_text(window: Window, context: str | None) -> str:
    """The document title and heading path are prepended to every window so that they
    count in what is embedded (a question naming a document or section finds it)."""
    return f"{context}\n{window.text}" if context else window.text


def window_id(source: str, paragraph: int, window: int) -> str:
    """The id of a window's record in the store (window 0 is the whole paragraph)."""
    return f"{source}#{paragraph}#{window}"
