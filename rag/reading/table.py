"""Tables as paragraphs: each row one paragraph that carries its column headers
("version: 20.04 LTS · codename: Focal Fossa"), so a question about one cell finds its row and
cites it; a small table is also kept whole (as a code block: cited, never quoted into a
sentence), so a question about the whole table can cite it. Delimited text (.csv, .tsv) is
read here; other formats' tables can hand their rows to ``table_blocks``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.reading.blocks import Block, normalize_space
from rag.reading.options import Reading
from rag.reading.plain import read_text

CELL_SEPARATOR = " · "
HEADER_MAX_CHARS = 60  # a column header is short
# A table with at most this many rows (and WHOLE_TABLE_MAX_CHARS of text) is also one paragraph.
WHOLE_TABLE_MAX_ROWS = 30
WHOLE_TABLE_MAX_CHARS = 4000
SNIFF_CHARS = 64 * 1024


@dataclass(frozen=True)
class Row:
    """One table row: its cells, and the lines of the file it came from or its row number
    (a spreadsheet's, or a slide's table's)."""

    cells: tuple[str, ...]
    lines: tuple[int, int] | None = None
    number: int | None = None


def row_text(cells: tuple[str, ...], header: tuple[str, ...] | None) -> str:
    """The row as one line, each non-empty cell after its column's header when there is one."""
    if not header:
        return CELL_SEPARATOR.join(c for c in cells if c)
    named = []
    for number, cell in enumerate(cells):
        if not cell:
            continue
        name = header[number] if number < len(header) and header[number] else None
        named.append(f"{name}: {cell}" if name else cell)
    return CELL_SEPARATOR.join(named)


def is_table_row(text: str) -> bool:
    """Whether ``text`` is a table row as ``row_text`` writes it with headers: two or more
    "header: value" cells (a row is an answer, though no sentence ends in it)."""
    cells = text.split(CELL_SEPARATOR)
    if len(cells) < 2 or "\n" in text:
        return False
    return all(0 < cell.find(": ") <= HEADER_MAX_CHARS for cell in cells)


def table_blocks(
    rows: list[Row], header: Row | None = None, where: str | None = None
) -> list[Block]:
    """Blocks for one table: a paragraph per row (with ``header``'s cells), then the whole
    table when it is small. ``where`` names the table's place for a citation ("sheet Ubuntu",
    "slide 3"), which each row's number follows ("sheet Ubuntu, row 5")."""
    names = header.cells if header else None
    blocks = [
        Block(text, row.lines, location=_row_location(where, row))
        for row in rows
        if (text := row_text(row.cells, names))
    ]
    if not blocks:
        return []
    every = [header, *rows] if header else rows
    whole = "\n".join(" | ".join(row.cells) for row in every)
    if len(rows) <= WHOLE_TABLE_MAX_ROWS and len(whole) <= WHOLE_TABLE_MAX_CHARS:
        first, last = every[0], every[-1]
        lines = (first.lines[0], last.lines[1]) if first.lines and last.lines else None
        location = where
        if where and first.number is not None and last.number is not None:
            location = f"{where}, rows {first.number}-{last.number}"
        blocks.append(Block(whole, lines, code=True, location=location))
    return blocks


def _row_location(where: str | None, row: Row) -> str | None:
    if row.number is None:
        return where
    return f"{where}, row {row.number}" if where else f"row {row.number}"


def looks_like_header(cells: tuple[str, ...]) -> bool:
    """Whether a table's first row names its columns: two or more short cells, none a number."""
    named = [cell for cell in cells if cell]
    return len(named) >= 2 and all(
        len(cell) <= HEADER_MAX_CHARS and not _is_number(cell) for cell in named
    )


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True


def read_delimited(path: Path, source: str, reading: Reading) -> list[Block]:
    """A .csv or .tsv file: its delimiter sniffed (a .tsv is tab-separated), lines starting
    with # skipped, the first row a header when it looks like one. The file's name is the
    table's heading (a row is no title)."""
    text = read_text(path, source)
    sample = _sample(text)
    dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else _sniffed_dialect(sample)
    rows = list(_rows(text, dialect, reading))
    if not rows:
        return []
    reading.notes.tables += 1
    heading = Block(path.stem, None, is_heading=True)
    if len(rows) > 1 and _has_header(sample):
        return [heading, *table_blocks(rows[1:], rows[0])]
    return [heading, *table_blocks(rows)]


def _sniffed_dialect(sample: str):
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _has_header(sample: str) -> bool:
    try:
        return csv.Sniffer().has_header(sample)
    except csv.Error:
        return False


def _sample(text: str) -> str:
    lines = [line for line in text[:SNIFF_CHARS].splitlines() if not line.startswith("#")]
    return "\n".join(lines[:-1] if len(lines) > 1 else lines)  # the last may be cut off


def _rows(text: str, dialect, reading: Reading) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    last_line = 0
    count = 0
    try:
        for cells in reader:
            first, last_line = last_line + 1, reader.line_num
            cells = tuple(normalize_space(c) for c in cells)
            if not any(cells) or cells[0].startswith("#"):
                continue
            count += 1
            if count > reading.options.table_max_rows:
                reading.notes.skip(row_limit_line(reading.options.table_max_rows, f"line {first}"))
                return
            yield Row(cells, (first, last_line))
    except csv.Error as error:
        reading.notes.skip(f"read up to line {last_line} ({error})")


def row_limit_line(limit: int, where: str) -> str:
    """The report's line for a table cut at the row limit."""
    return (
        f"only the first {limit:,} rows read; the rest from {where} on left out "
        "(the table_max_rows setting)"
    )
