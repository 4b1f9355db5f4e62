"""Word documents (DOCX) -> Blocks, one a paragraph, after checking what the archive unpacks to."""

from __future__ import annotations

from pathlib import Path

from rag.errors import UnreadableDocumentError
from rag.reading.blocks import Block, normalize_space
from rag.reading.plain import looks_like_heading

# A DOCX larger than this once unpacked is refused unread (a zip bomb unpacks to gigabytes).
DOCX_MAX_UNPACKED_MB = 256


def read_docx(path: Path, name: str) -> list[Block]:
    """The paragraphs of a Word document, headings by their style or their look."""
    import zipfile

    import docx

    try:  # a DOCX is a zip archive: look at what it unpacks to before unpacking it
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableDocumentError(
            f"cannot read {name}: not a readable DOCX ({error})"
        ) from None
    if unpacked > DOCX_MAX_UNPACKED_MB * 2**20:
        raise UnreadableDocumentError(
            f"cannot read {name}: it unpacks to {unpacked / 2**20:,.0f} MB "
            f"(more than {DOCX_MAX_UNPACKED_MB} MB: not an ordinary document)"
        )
    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx fails in many ways on a malformed package
        raise UnreadableDocumentError(
            f"cannot read {name}: not a readable DOCX ({type(error).__name__}: {error})"
        ) from None
    blocks = []
    for item in document.paragraphs:
        text = normalize_space(item.text)
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        is_heading = style.startswith(("Heading", "Title")) or looks_like_heading(text)
        blocks.append(Block(text, None, is_heading=is_heading))
    return blocks
