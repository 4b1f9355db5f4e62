"""Ruled tables on PDF pages, found by pdfplumber (its cells from the lines drawn between them),
so that rag.reading.pdf reads each row as one paragraph with its column headers instead of
cells glued into run-on text.

pdfplumber parses a page about seven times more slowly than PDFium, so only pages that draw
enough thin lines to rule a table (RULED_PAGE_RULES) are handed to it. Of what it finds, a
table is kept when it looks like one: two rows and two columns at least, most rows with two
cells filled, short cells, and not the frame around the whole page (a layout box).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rag.reading.blocks import normalize_space

RULED_PAGE_RULES = 8  # a page drawing fewer thin lines than this holds no ruled table
MAX_CELL_CHARS = 300
MAX_PAGE_SHARE = 0.7  # a "table" covering more of the page than this is its frame


@dataclass(frozen=True)
class PdfTable:
    """A table on a page: its rows' cells and boxes (PDF coordinates: y grows upwards)."""

    page: int  # 1-based
    rows: list[tuple[str, ...]]
    row_boxes: list[tuple[float, float, float, float]]  # left, bottom, right, top
    box: tuple[float, float, float, float]

    def holds(self, x: float, y: float) -> bool:
        left, bottom, right, top = self.box
        return left <= x <= right and bottom <= y <= top

    def row_of(self, x: float, y: float) -> int | None:
        for number, (left, bottom, right, top) in enumerate(self.row_boxes):
            if left <= x <= right and bottom <= y <= top:
                return number
        return None


def find_tables(path: Path, pages: list[int]) -> list[PdfTable]:
    """The tables on the given pages (1-based), top to bottom on each."""
    import pdfplumber

    found: list[PdfTable] = []
    with pdfplumber.open(str(path)) as pdf:
        for number in pages:
            page = pdf.pages[number - 1]
            height, area = float(page.height), float(page.width * page.height)
            for table in sorted(page.find_tables(), key=lambda t: t.bbox[1]):
                rows = [
                    tuple(normalize_space(cell or "") for cell in row) for row in table.extract()
                ]
                boxes = [_row_box(row.bbox, height) for row in table.rows]
                if _looks_like_a_table(rows, table.bbox, area):
                    kept = [(r, b) for r, b in zip(rows, boxes, strict=True) if any(r)]
                    found.append(
                        PdfTable(
                            number,
                            [r for r, _ in kept],
                            [b for _, b in kept],
                            _row_box(table.bbox, height),
                        )
                    )
            page.close()
    return found


def _row_box(bbox, height: float) -> tuple[float, float, float, float]:
    """pdfplumber's (x0, top, x1, bottom), measured from the top, in PDF coordinates."""
    x0, top, x1, bottom = (float(v) for v in bbox)
    return (x0, height - bottom, x1, height - top)


def _looks_like_a_table(rows: list[tuple[str, ...]], bbox, page_area: float) -> bool:
    x0, top, x1, bottom = bbox
    if (x1 - x0) * (bottom - top) > MAX_PAGE_SHARE * page_area:
        return False
    filled = [row for row in rows if sum(bool(cell) for cell in row) >= 2]
    if len(filled) < 2 or len(filled) * 4 < len(rows) * 3:
        return False
    return all(len(cell) <= MAX_CELL_CHARS for row in rows for cell in row)
