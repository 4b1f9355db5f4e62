"""What the store keeps for a window, and how Chroma records turn back into paragraphs."""

from __future__ import annotations

from dataclasses import dataclass

from rag.indexing.windows import window_id
from rag.types import FileReport, Paragraph, Passage


@dataclass(frozen=True)
class WindowRecord:
    """A paragraph window ready to store: its paragraph, window number and embedding."""

    paragraph: Paragraph
    window: int
    embedding: list[float]
    file_hash: str


@dataclass(frozen=True)
class FileRecords:
    """One file's windows ready to store, and what the manifest lists of it."""

    source: str
    records: list[WindowRecord]
    file_hash: str
    report: FileReport
    modified: float | None = None  # the file's modification time (scopes filter on it)


@dataclass(frozen=True)
class WindowHit:
    """A window found by embedding similarity: its paragraph and cosine similarity."""

    source: str
    paragraph: int
    similarity: float


def to_node(record: WindowRecord):
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    p = record.paragraph
    node = TextNode(
        id_=window_id(p.source, p.paragraph, record.window),
        # Window 0 holds the paragraph, which every window cites. The other windows' text is
        # not stored: it is recomputed from the paragraph (rag.indexing.windows).
        text=p.text if record.window == 0 else "",
        embedding=record.embedding,
        metadata={
            "source": p.source,
            "paragraph": p.paragraph,
            "heading": p.heading or "",
            "title": p.title or "",
            "line_start": p.lines[0] if p.lines else 0,
            "line_end": p.lines[1] if p.lines else 0,
            "page": p.page or 0,
            "code": int(p.code),
            "untrusted": int(p.untrusted),
            "location": p.location or "",
            # where the paragraph's sentences are, so windows are rebuilt without splitting
            "sentences": _spans_text(p.sentences) if record.window == 0 else "",
            "window": record.window,
            "file_hash": record.file_hash,
        },
    )
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=p.source)
    return node


def to_paragraph(m: dict, text: str) -> Paragraph:
    return Paragraph(
        source=m["source"],
        paragraph=int(m["paragraph"]),
        heading=m.get("heading") or None,
        lines=(int(m["line_start"]), int(m["line_end"])) if m.get("line_start") else None,
        text=text,
        page=int(m["page"]) if m.get("page") else None,
        code=bool(m.get("code")),
        sentences=_spans(m.get("sentences", "")),
        title=m.get("title") or None,
        untrusted=bool(m.get("untrusted")),
        location=m.get("location") or None,
    )


def _spans_text(spans: tuple[tuple[int, int], ...] | None) -> str:
    return " ".join(f"{a}:{b}" for a, b in spans or ())


def _spans(text: str) -> tuple[tuple[int, int], ...] | None:
    if not text:
        return None
    return tuple((int(a), int(b)) for a, b in (pair.split(":") for pair in text.split()))


def to_passage(m: dict, text: str) -> Passage:
    return Passage.of(to_paragraph(m, text))
