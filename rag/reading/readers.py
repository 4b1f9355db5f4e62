"""One file -> Paragraph records: the reader for the file's suffix gives Blocks, one shared step
(rag.reading.paragraphs) numbers them and attaches each to the heading above it.

Every reader has one signature, ``reader(path, source, reading) -> list[Block]`` (``source``
is the file's name relative to the ingested root, used in error messages; ``reading`` carries
the reading settings and collects the file's report: tables, OCR'd pages, what was left out);
adding a format is one module and one line in READERS.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rag.errors import UnreadableDocumentError
from rag.reading import (
    docx,
    epub,
    html,
    image,
    mail,
    odt,
    pdf,
    plain,
    rtf,
    slides,
    spreadsheet,
    table,
)
from rag.reading.archive import reading_archive
from rag.reading.blocks import Block, check_size
from rag.reading.options import Reading, ReadingOptions
from rag.reading.paragraphs import paragraphs_from_blocks
from rag.types import Paragraph

Reader = Callable[[Path, str, Reading], list[Block]]


def _settings_free(read: Callable[[Path, str], list[Block]]) -> Reader:
    """A reader that no setting changes and that has nothing to report beyond its blocks."""
    return lambda path, source, reading: read(path, source)


def _damage_checked(kind: str, read: Reader) -> Reader:
    """A reader of a structured format whose libraries fail in many ways on a damaged file:
    any such failure is one line naming the file (rag.reading.archive.reading_archive)."""

    def checked(path: Path, source: str, reading: Reading) -> list[Block]:
        with reading_archive(source, kind):
            return read(path, source, reading)

    return checked


READERS: dict[str, Reader] = {
    ".txt": _settings_free(plain.read_plain),
    ".md": _settings_free(plain.read_markdown),
    ".pdf": pdf.read_pdf,
    ".html": _settings_free(html.read_html),
    ".htm": _settings_free(html.read_html),
    ".docx": _damage_checked("DOCX", docx.read_docx),
    ".csv": table.read_delimited,
    ".tsv": table.read_delimited,
    ".xlsx": _damage_checked("XLSX", spreadsheet.read_xlsx),
    ".ods": _damage_checked("ODS", spreadsheet.read_ods),
    ".pptx": _damage_checked("PPTX", slides.read_pptx),
    ".odt": _damage_checked("ODT", odt.read_odt),
    ".rtf": _damage_checked("RTF", _settings_free(rtf.read_rtf)),
    ".epub": _damage_checked("EPUB", epub.read_epub),
    # a mail's attachments are read by these same readers
    ".eml": lambda path, source, reading: mail.read_eml(path, source, reading, READERS),
    ".mbox": _damage_checked(
        "mailbox", lambda path, source, reading: mail.read_mbox(path, source, reading, READERS)
    ),
    ".png": _damage_checked("image", image.read_image),
    ".jpg": _damage_checked("image", image.read_image),
    ".jpeg": _damage_checked("image", image.read_image),
    ".tif": _damage_checked("image", image.read_image),
    ".tiff": _damage_checked("image", image.read_image),
}
SUPPORTED_SUFFIXES = tuple(READERS)

# Raise whenever a change to the readers can change the paragraphs read from an unchanged file:
# the indexer mixes it into every file's hash, so the next ingest reads such files again.
READER_VERSION = 7


def read_paragraphs(path: Path, source: str, reading: Reading | None = None) -> list[Paragraph]:
    """Read one file into paragraphs; ``source`` is its name relative to the ingested root;
    ``reading`` (default settings when None) gives the settings and collects the file's
    report. A file of another suffix is read as plain text."""
    reading = reading or Reading(ReadingOptions())
    reader = READERS.get(path.suffix.lower(), READERS[".txt"])
    try:
        blocks = reader(path, source, reading)
    except OSError as error:
        raise UnreadableDocumentError(f"cannot read {source}: {error.strerror}") from None
    except RecursionError:
        raise UnreadableDocumentError(f"cannot read {source}: nested too deeply") from None
    check_size(sum(len(block.text) for block in blocks), source)
    return paragraphs_from_blocks(blocks, source)
