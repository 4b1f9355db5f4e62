"""The format-neutral result of reading a file: headings, paragraphs and code blocks in order."""

from __future__ import annotations

from dataclasses import dataclass

from rag.errors import UnreadableDocumentError

# A heading is short: an unmarked line longer than this is text. A PDF line set in large type
# may be longer (LARGE_TYPE_HEADING_MAX_CHARS), since its type already marks it as a heading.
HEADING_MAX_CHARS = 100
LARGE_TYPE_HEADING_MAX_CHARS = 150
# A document with more text than this is refused: it would take hours to embed (split it).
MAX_DOCUMENT_CHARS = 10_000_000


@dataclass(frozen=True)
class Block:
    """A heading, a paragraph candidate or a code block, with where it came from.

    ``level`` orders headings (1 = a page title; deeper levels nest under it, forming the
    heading path); ``code`` marks text whose whitespace and line breaks are kept exactly;
    ``location`` is where it is when page and lines do not say it ("sheet Ubuntu, row 5").
    """

    text: str
    lines: tuple[int, int] | None
    is_heading: bool = False
    page: int | None = None
    level: int = 1
    code: bool = False
    location: str | None = None  # see rag.types.Paragraph.location


def normalize_space(text: str) -> str:
    return " ".join(text.split())


def check_size(chars: int, source: str) -> None:
    """Refuse a document with more than MAX_DOCUMENT_CHARS characters of text."""
    if chars > MAX_DOCUMENT_CHARS:
        raise UnreadableDocumentError(
            f"cannot read {source}: {chars:,} characters of text is more than "
            f"{MAX_DOCUMENT_CHARS:,}; split it into smaller files"
        )
