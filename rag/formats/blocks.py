"""The format-neutral result of reading a file: headings, paragraphs and code blocks in order."""

from __future__ import annotations

from dataclasses import dataclass

HEADING_PATH_SEPARATOR = " › "


@dataclass(frozen=True)
class Block:
    """A heading, a paragraph candidate or a code block, with where it came from.

    ``level`` orders headings (1 = a page title; deeper levels nest under it, forming the
    heading path); ``code`` marks text whose whitespace and line breaks are kept exactly.
    """

    text: str
    lines: tuple[int, int] | None
    is_heading: bool = False
    page: int | None = None
    level: int = 1
    code: bool = False


def normalize_space(text: str) -> str:
    return " ".join(text.split())
