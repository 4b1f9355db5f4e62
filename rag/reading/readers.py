"""One file -> Paragraph records: the reader for the file's suffix gives Blocks, one shared step
(rag.reading.paragraphs) numbers them and attaches each to the heading above it.

Every reader has one signature, ``reader(path, source) -> list[Block]`` (``source`` is the
file's name relative to the ingested root, used in error messages); adding a format is one
module and one line in READERS.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rag.errors import UnreadableDocumentError
from rag.reading import docx, html, pdf, plain, table
from rag.reading.blocks import Block, check_size
from rag.reading.paragraphs import paragraphs_from_blocks
from rag.types import Paragraph

Reader = Callable[[Path, str], list[Block]]

READERS: dict[str, Reader] = {
    ".txt": plain.read_plain,
    ".md": plain.read_markdown,
    ".pdf": pdf.read_pdf,
    ".html": html.read_html,
    ".htm": html.read_html,
    ".docx": docx.read_docx,
    ".csv": table.read_delimited,
    ".tsv": table.read_delimited,
}
SUPPORTED_SUFFIXES = tuple(READERS)

# Raise whenever a change to the readers can change the paragraphs read from an unchanged file:
# the indexer mixes it into every file's hash, so the next ingest reads such files again.
READER_VERSION = 6


def read_paragraphs(path: Path, source: str) -> list[Paragraph]:
    """Read one file into paragraphs; ``source`` is its name relative to the ingested root.
    A file of another suffix is read as plain text."""
    reader = READERS.get(path.suffix.lower(), plain.read_plain)
    try:
        blocks = reader(path, source)
    except OSError as error:
        raise UnreadableDocumentError(f"cannot read {source}: {error.strerror}") from None
    except RecursionError:
        raise UnreadableDocumentError(f"cannot read {source}: nested too deeply") from None
    check_size(sum(len(block.text) for block in blocks), source)
    return paragraphs_from_blocks(blocks, source)
