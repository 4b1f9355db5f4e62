"""Word documents (DOCX) -> Blocks, after checking what the archive unpacks to: paragraphs and
tables in document order, each table row a paragraph with its column headers.

A paragraph is read as Word shows it with its revisions marked, never what Word hides:
- hidden runs (``w:vanish``, ``w:specVanish``, set on the run, its character style or its
  paragraph's style), white text on an unshaded paragraph and text under 1 pt are not read;
- tracked deletions (``w:del``, ``w:moveFrom``) are not read; tracked insertions (``w:ins``,
  ``w:moveTo``) are, as Word shows them and as the text reads once they are accepted;
- comments are not read: they are reviewers' notes beside the text, not the document's text.
"""

from __future__ import annotations

from pathlib import Path

from rag.reading.archive import check_archive
from rag.reading.blocks import Block, normalize_space
from rag.reading.options import Reading
from rag.reading.plain import looks_like_heading
from rag.reading.table import Row, looks_like_header, table_blocks


def read_docx(path: Path, name: str, reading: Reading) -> list[Block]:
    """The paragraphs and tables of a Word document in order, headings by their style or
    their look, each table a row at a time with its headers ("table 2, row 3")."""
    import docx
    from docx.table import Table as DocxTable

    check_archive(path, name, "DOCX")
    document = docx.Document(str(path))  # a damaged package: see readers._damage_checked
    styles = _StyleSheet(document)
    blocks: list[Block] = []
    tables = 0
    for item in document.iter_inner_content():
        if isinstance(item, DocxTable):
            rows = _table_rows(item, styles)
            if rows:
                tables += 1
                header = rows[0] if len(rows) > 1 and _is_header(item, rows[0]) else None
                body = rows[1:] if header else rows
                blocks += table_blocks(body, header, where=f"table {tables}")
            continue
        text = normalize_space(_shown_text(item, styles))
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        is_heading = style.startswith(("Heading", "Title")) or looks_like_heading(text)
        blocks.append(Block(text, None, is_heading=is_heading))
    reading.notes.tables += tables
    return blocks


def _table_rows(table, styles: _StyleSheet) -> list[Row]:
    """A Word table's rows, each cell's shown text once (a merged cell spans several grid
    cells but is one cell), numbered from 1."""
    rows = []
    for number, row in enumerate(table.rows, start=1):
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = " ".join(_shown_text(p, styles) for p in cell.paragraphs)
            cells.append(normalize_space(text))
        if any(cells):
            rows.append(Row(tuple(cells), number=number))
    return rows


def _is_header(table, first: Row) -> bool:
    """Whether the table's first row names its columns: marked as a header row that repeats
    on each page, or looking like one."""
    from docx.oxml.ns import qn

    marked = table.rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    return marked or looks_like_header(first.cells)


REMOVED_REVISIONS = ("del", "moveFrom")
NOT_IN_PARAGRAPH = ("txbxContent",)  # text boxes: drawn apart from the paragraph's text
HIDDEN_MARKS = ("vanish", "specVanish")
MIN_READABLE_HALF_POINTS = 2  # w:sz counts half-points: under 1 pt cannot be read
WHITE = "FFFFFF"
NO_FILL = ("", "auto", "FFFFFF")


class _StyleSheet:
    """The run properties (``w:rPr``) that apply to a run, nearest first: its own, its
    character style's (and the styles that one is based on), its paragraph style's, the
    document's defaults."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn

        self._qn = qn
        root = document.styles.element
        self._styles = {
            element.get(qn("w:styleId")): element for element in root.iter(qn("w:style"))
        }
        self._defaults = root.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
        # A paragraph with no style of its own has the default paragraph style ("Normal").
        self._default_paragraph_style = next(
            (
                style_id
                for style_id, element in self._styles.items()
                if element.get(qn("w:type")) == "paragraph" and _on(element.get(qn("w:default")))
            ),
            "Normal",
        )

    def chain(self, run, paragraph) -> list:
        qn = self._qn
        chain = [run.find(qn("w:rPr"))]
        properties = chain[0]
        run_style = properties.find(qn("w:rStyle")) if properties is not None else None
        if run_style is not None:
            chain += self._style_chain(run_style.get(qn("w:val")))
        paragraph_properties = paragraph.find(qn("w:pPr"))
        paragraph_style = (
            paragraph_properties.find(qn("w:pStyle")) if paragraph_properties is not None else None
        )
        chain += self._style_chain(
            paragraph_style.get(qn("w:val"))
            if paragraph_style is not None
            else self._default_paragraph_style
        )
        chain.append(self._defaults)
        return [element for element in chain if element is not None]

    def _style_chain(self, style_id: str | None) -> list:
        qn, out, seen = self._qn, [], set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            style = self._styles[style_id]
            out.append(style.find(qn("w:rPr")))
            based_on = style.find(qn("w:basedOn"))
            style_id = based_on.get(qn("w:val")) if based_on is not None else None
        return out

    def setting(self, chain: list, tag: str) -> str | None:
        """The nearest value of property ``tag`` (``"on"`` for a bare toggle), or None."""
        qn = self._qn
        for properties in chain:
            element = properties.find(qn(f"w:{tag}"))
            if element is not None:
                return element.get(qn("w:val"), "on")
        return None


def _on(value: str | None) -> bool:
    return value is not None and value.lower() not in ("0", "false", "off")


def _shown_text(paragraph, styles: _StyleSheet) -> str:
    """The text of the runs of ``paragraph`` that Word shows (see the module docstring)."""
    from docx.oxml.ns import qn
    from docx.text.run import Run

    element = paragraph._p
    shaded = _shaded(element.find(f"{qn('w:pPr')}/{qn('w:shd')}"))
    pieces = []
    for run in element.iter(qn("w:r")):
        if _inside(run, element, REMOVED_REVISIONS + NOT_IN_PARAGRAPH):
            continue
        chain = styles.chain(run, element)
        if any(_on(styles.setting(chain, mark)) for mark in HIDDEN_MARKS):
            continue
        if not shaded and _white_on_white(run, chain, styles):
            continue
        if _too_small(styles.setting(chain, "sz")):
            continue
        pieces.append(Run(run, paragraph).text)
    return "".join(pieces)


def _inside(run, paragraph, tags: tuple[str, ...]) -> bool:
    """Whether ``run`` sits inside one of ``tags`` (WordprocessingML local names) within the
    paragraph."""
    parent = run.getparent()
    while parent is not None and parent is not paragraph:
        if parent.tag.rsplit("}", 1)[-1] in tags:
            return True
        parent = parent.getparent()
    return False


def _too_small(half_points: str | None) -> bool:
    try:
        return half_points is not None and int(half_points) < MIN_READABLE_HALF_POINTS
    except ValueError:
        return False


def _shaded(shading) -> bool:
    from docx.oxml.ns import qn

    return shading is not None and (shading.get(qn("w:fill")) or "").upper() not in NO_FILL


def _white_on_white(run, chain: list, styles: _StyleSheet) -> bool:
    """White text with no shading or highlight of its own, on the page's white."""
    from docx.oxml.ns import qn

    if (styles.setting(chain, "color") or "").upper() != WHITE:
        return False
    properties = run.find(qn("w:rPr"))
    if properties is not None and _shaded(properties.find(qn("w:shd"))):
        return False
    highlight = styles.setting(chain, "highlight")
    return highlight in (None, "none", "white")
