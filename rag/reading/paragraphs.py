"""Blocks -> Paragraph records: numbered, each with the heading path above it, the document's
title, and whether its document instructs an AI (rag.reading.injection)."""

from __future__ import annotations

from collections.abc import Iterable

from rag.reading.blocks import Block
from rag.reading.injection import addresses_ai
from rag.types import HEADING_PATH_SEPARATOR, Paragraph

# A title line: a few words with no sentence end (the first paragraph of a plain-text file
# whose title is not marked as a heading, e.g. "Apache License Version 2.0, January 2004").
TITLE_MAX_WORDS = 12


def document_title(blocks: list[Block]) -> str | None:
    """The document's title: its first heading when it stands above all the others (an HTML
    or Markdown ``h1``, a PDF's largest type; not the first of several sections), else a short
    first paragraph that reads like a title ("GNU GENERAL PUBLIC LICENSE Version 3, 29 June
    2007"), else none (the file name, shown beside every citation, stands for it)."""
    headings = [b for b in blocks if b.is_heading and b.text.strip(" :") and "://" not in b.text]
    if headings:
        top = min(h.level for h in headings)
        if [h.level for h in headings].count(top) == 1 and headings[0].level == top:
            return headings[0].text.strip(" :")  # one heading above all the others
    first = next((b for b in blocks if not b.code), None)
    if first is not None:
        words = [w for w in first.text.split() if "://" not in w]  # no URL in a title
        if 2 <= len(words) <= TITLE_MAX_WORDS and not first.text.rstrip().endswith((".", ":")):
            return " ".join(words)
    return None


def paragraphs_from_blocks(blocks: Iterable[Block], source: str) -> list[Paragraph]:
    """Number the paragraph blocks and give each the path of headings above it
    (``Page title › Section › Subsection``) and the document's title; a heading ends the
    deeper headings before it."""
    blocks = list(blocks)
    document = document_title(blocks)
    untrusted = any(addresses_ai(block.text) for block in blocks)
    paragraphs: list[Paragraph] = []
    path: list[tuple[int, str]] = []
    for block in blocks:
        if block.is_heading:
            path = [(level, text) for level, text in path if level < block.level]
            title = block.text.rstrip(":").strip()
            if title:
                path.append((block.level, title))
            continue
        heading = HEADING_PATH_SEPARATOR.join(text for _, text in path) or None
        paragraphs.append(
            Paragraph(
                source=source,
                paragraph=len(paragraphs) + 1,
                heading=heading,
                lines=block.lines,
                text=block.text,
                page=block.page,
                code=block.code,
                title=document,
                untrusted=untrusted,
                location=block.location,
            )
        )
    return paragraphs
