"""OpenDocument text (.odt) -> Blocks: headings (``text:h``, by outline level), paragraphs,
list items and tables (a row at a time with their headers, "table 1, row 2") in document order,
from the archive's content.xml.

What the word processor does not show is not read: hidden paragraphs and hidden text
(``text:hidden-paragraph``, ``text:hidden-text``), sections set not to display, text in a style
with ``text:display="none"``, comments (``office:annotation``) and tracked deletions (kept in
``text:tracked-changes``).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from rag.reading.archive import check_archive
from rag.reading.blocks import Block, normalize_space
from rag.reading.options import Reading
from rag.reading.table import Row, looks_like_header, table_blocks

OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
NOT_READ = {
    f"{OFFICE}annotation",
    f"{OFFICE}annotation-end",
    f"{TEXT}tracked-changes",
    f"{TEXT}hidden-paragraph",
    f"{TEXT}hidden-text",
    f"{TEXT}note-citation",
    f"{TEXT}bookmark-ref",
}


def read_odt(path: Path, source: str, reading: Reading) -> list[Block]:
    from lxml import etree

    check_archive(path, source, "ODT")
    # a damaged document's error is one line: rag.reading.readers._damage_checked
    with zipfile.ZipFile(path) as archive:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        content = etree.fromstring(archive.read("content.xml"), parser)
        styles = archive.read("styles.xml") if "styles.xml" in archive.namelist() else None
    hidden = _hidden_styles(content)
    if styles is not None:
        hidden |= _hidden_styles(etree.fromstring(styles, parser))
    body = content.find(f"{OFFICE}body/{OFFICE}text")
    if body is None:
        return []
    reader = _Reader(hidden, reading)
    reader.walk(body)
    return reader.blocks


def _hidden_styles(root) -> set[str]:
    """The styles whose text is not displayed (``text:display="none"``)."""
    return {
        style.get(f"{STYLE}name")
        for style in root.iter(f"{STYLE}style")
        if any(
            properties.get(f"{TEXT}display") == "none"
            for properties in style.iter(f"{STYLE}text-properties")
        )
    }


class _Reader:
    def __init__(self, hidden_styles: set[str], reading: Reading) -> None:
        self.hidden_styles = hidden_styles
        self.reading = reading
        self.blocks: list[Block] = []
        self.tables = 0

    def _hidden(self, element) -> bool:
        if element.tag in NOT_READ:
            return True
        if element.get(f"{TEXT}style-name") in self.hidden_styles:
            return True
        if element.tag == f"{TEXT}section":
            return element.get(f"{TEXT}display") in ("none", "condition")
        if element.tag in (f"{TEXT}p", f"{TEXT}h"):  # a hidden-paragraph field hides its paragraph
            marks = element.findall(f"{TEXT}hidden-paragraph")
            return any(mark.get(f"{TEXT}is-hidden") == "true" for mark in marks)
        return False

    def walk(self, element) -> None:
        for child in element:
            if not isinstance(child.tag, str) or self._hidden(child):
                continue
            if child.tag == f"{TEXT}h":
                text = self.text(child)
                if text:
                    level = int(child.get(f"{TEXT}outline-level", "1") or 1)
                    self.blocks.append(Block(text, None, is_heading=True, level=level))
            elif child.tag == f"{TEXT}p":
                text = self.text(child)
                if text:
                    self.blocks.append(Block(text, None))
            elif child.tag == f"{TABLE}table":
                self.table(child)
            else:  # lists, sections, frames: what they hold
                self.walk(child)

    def text(self, element) -> str:
        """The shown text of a paragraph or heading: spaces (``text:s``), tabs and line
        breaks as spaces, hidden spans and comments left out."""
        pieces = [element.text or ""]
        for child in element:
            if isinstance(child.tag, str) and not self._hidden(child):
                if child.tag in (f"{TEXT}s", f"{TEXT}tab", f"{TEXT}line-break"):
                    pieces.append(" ")
                else:
                    pieces.append(self.text(child))
            pieces.append(child.tail or "")
        return normalize_space("".join(pieces))

    def table(self, table) -> None:
        rows = []
        for number, row in enumerate(table.iter(f"{TABLE}table-row"), start=1):
            cells = tuple(
                normalize_space(
                    " ".join(self.text(p) for p in cell.iter(f"{TEXT}p") if not self._hidden(p))
                )
                for cell in row
                if cell.tag == f"{TABLE}table-cell"
            )
            if any(cells):
                rows.append(Row(cells, number=number))
        if not rows:
            return
        self.tables += 1
        self.reading.notes.tables += 1
        header = rows[0] if len(rows) > 1 and looks_like_header(rows[0].cells) else None
        body = rows[1:] if header else rows
        self.blocks += table_blocks(body, header, where=f"table {self.tables}")
