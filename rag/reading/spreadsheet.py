"""Spreadsheets (.xlsx, .ods) -> Blocks: each visible sheet one table, a paragraph per row with
its column headers, cited by sheet and row ("sheet Ubuntu, row 5").

Both are streamed, a row at a time, so a large sheet needs little memory: openpyxl's read-only
mode for XLSX, lxml's iterparse over an ODS's content.xml (odfpy, the ODS library, builds the
whole document in memory first). What the spreadsheet hides is not read: hidden sheets, rows
and columns (what a viewer does not show, like hidden HTML).

A sheet's leading rows of one cell are its caption (a heading under the sheet's name); the
first row after them names the columns when it looks like a header (rag.reading.table).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path

from rag.reading.archive import check_archive
from rag.reading.blocks import HEADING_MAX_CHARS, Block, normalize_space
from rag.reading.options import Reading
from rag.reading.table import Row, looks_like_header, row_limit_line, table_blocks

SPREADSHEET_ML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
# An ODS pads a sheet with a million repeated empty rows or columns; only this many are counted.
MAX_REPEAT = 10_000


def read_xlsx(path: Path, source: str, reading: Reading) -> list[Block]:
    """The visible sheets of an Excel workbook, the values as last calculated."""
    import openpyxl

    check_archive(path, source, "XLSX")
    # a damaged workbook's error is one line: rag.reading.readers._damage_checked
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    blocks = [Block(path.stem, None, is_heading=True)]
    try:
        with zipfile.ZipFile(path) as archive:
            for sheet in workbook.worksheets:
                if sheet.sheet_state != "visible":
                    reading.notes.skip(f"sheet {sheet.title}: hidden, not read")
                    continue
                hidden_rows, hidden_columns = _xlsx_hidden(archive, sheet._worksheet_path)
                sheet.reset_dimensions()  # a stale <dimension> would cut rows off
                rows = (
                    (number, tuple(_cell_text(value) for value in values))
                    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
                    if number not in hidden_rows
                )
                blocks += _sheet_blocks(sheet.title, _visible(rows, hidden_columns), reading)
    finally:
        workbook.close()
    return blocks if len(blocks) > 1 else []


def _xlsx_hidden(archive: zipfile.ZipFile, member: str) -> tuple[set[int], set[int]]:
    """The hidden rows and columns of one sheet (openpyxl's read-only mode does not give them),
    from a pass over its XML that keeps nothing else."""
    from lxml import etree

    rows: set[int] = set()
    columns: set[int] = set()
    with archive.open(member.lstrip("/")) as xml:
        tags = (f"{SPREADSHEET_ML}row", f"{SPREADSHEET_ML}col")
        for _, element in etree.iterparse(xml, tag=tags, resolve_entities=False, no_network=True):
            if element.get("hidden") in ("1", "true"):
                if element.tag.endswith("}row"):
                    rows.add(int(element.get("r", 0)))
                else:
                    first, last = int(element.get("min", 0)), int(element.get("max", 0))
                    columns.update(range(first, min(last, first + MAX_REPEAT) + 1))
            if element.tag.endswith("}row"):
                _drop(element)
    return rows, columns


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return normalize_space(str(value))


def _visible(
    rows: Iterator[tuple[int, tuple[str, ...]]], hidden_columns: set[int]
) -> Iterator[tuple[int, tuple[str, ...]]]:
    for number, cells in rows:
        if hidden_columns:
            cells = tuple(c for i, c in enumerate(cells, start=1) if i not in hidden_columns)
        yield number, cells


def _sheet_blocks(
    title: str, rows: Iterator[tuple[int, tuple[str, ...]]], reading: Reading
) -> list[Block]:
    """One sheet's blocks: its name as a heading, a caption (leading one-cell rows), then its
    rows as a table, at most ``table_max_rows`` of them (the user is told of the rest)."""
    limit = reading.options.table_max_rows
    caption: list[Block] = []
    header: Row | None = None
    table: list[Row] = []
    for number, cells in rows:
        while cells and not cells[-1]:
            cells = cells[:-1]
        if not cells:
            continue
        named = [c for c in cells if c]
        if not table and header is None and len(named) == 1 and len(named[0]) <= HEADING_MAX_CHARS:
            caption.append(Block(named[0], None, is_heading=True, level=3))
            continue
        if not table and header is None and looks_like_header(cells):
            header = Row(cells, number=number)
            continue
        if len(table) == limit:
            reading.notes.skip(f"sheet {title}: " + row_limit_line(limit, f"row {number}"))
            break
        table.append(Row(cells, number=number))
    if header is not None and not table:  # one row of names is a row, not a header
        table, header = [header], None
    if not table and not caption:
        return []
    reading.notes.tables += bool(table)
    heading = Block(title, None, is_heading=True, level=2)
    return [heading, *caption, *table_blocks(table, header, where=f"sheet {title}")]


def read_ods(path: Path, source: str, reading: Reading) -> list[Block]:
    """The visible sheets of an OpenDocument spreadsheet, each cell as the sheet shows it."""
    check_archive(path, source, "ODS")
    blocks = [Block(path.stem, None, is_heading=True)]
    # a damaged spreadsheet's error is one line: rag.reading.readers._damage_checked
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as xml:
        for title, rows in _ods_sheets(xml, reading):
            blocks += _sheet_blocks(title, rows, reading)
    return blocks if len(blocks) > 1 else []


def _ods_sheets(xml, reading: Reading):
    """(sheet name, its visible rows) for each visible sheet of an ODS's content.xml, as the
    XML streams past: each row is parsed, read and dropped."""
    from lxml import etree

    hidden_styles: set[str] = set()
    parser = etree.iterparse(xml, events=("start", "end"), resolve_entities=False, no_network=True)
    events = iter(parser)
    for event, element in events:
        if event == "end" and element.tag == f"{STYLE}style":
            properties = element.find(f"{STYLE}table-properties")
            if properties is not None and properties.get(f"{TABLE}display") == "false":
                hidden_styles.add(element.get(f"{STYLE}name"))
        elif event == "start" and element.tag == f"{TABLE}table":
            title = element.get(f"{TABLE}name") or "sheet"
            rows = _ods_rows(events, element)
            if element.get(f"{TABLE}style-name") in hidden_styles:
                reading.notes.skip(f"sheet {title}: hidden, not read")
                for _ in rows:  # stream past it
                    pass
                continue
            yield title, rows


def _ods_rows(events, table) -> Iterator[tuple[int, tuple[str, ...]]]:
    """The visible rows of the table whose start tag was just seen, to its end tag; repeated
    rows and cells are expanded (empty ones only counted)."""
    hidden_columns: set[int] = set()
    column = 1
    number = 0
    for event, element in events:
        if event != "end":
            continue
        if element is table:
            element.clear()
            return
        if element.tag == f"{TABLE}table-column":
            repeat = min(int(element.get(f"{TABLE}number-columns-repeated", 1)), MAX_REPEAT)
            if element.get(f"{TABLE}visibility", "visible") != "visible":
                hidden_columns.update(range(column, column + repeat))
            column += repeat
        elif element.tag == f"{TABLE}table-row":
            repeat = int(element.get(f"{TABLE}number-rows-repeated", 1))
            cells = _ods_cells(element, hidden_columns)
            shown = element.get(f"{TABLE}visibility", "visible") == "visible"
            _drop(element)
            if not any(cells):
                number += repeat
                continue
            for _ in range(min(repeat, MAX_REPEAT)):
                number += 1
                if shown:
                    yield number, cells


def _drop(element) -> None:
    """Free a parsed row and the rows before it (iterparse keeps them in the tree)."""
    element.clear()
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def _ods_cells(row, hidden_columns: set[int]) -> tuple[str, ...]:
    cells: list[str] = []
    column = 1
    for cell in row:
        if cell.tag not in (f"{TABLE}table-cell", f"{TABLE}covered-table-cell"):
            continue
        repeat = min(int(cell.get(f"{TABLE}number-columns-repeated", 1)), MAX_REPEAT)
        # the cell's own paragraphs: a comment (office:annotation) is not the cell's text
        paragraphs = cell.findall(f"{TEXT}p")
        text = normalize_space(" ".join("".join(p.itertext()) for p in paragraphs))
        for _ in range(repeat):
            if column not in hidden_columns:
                cells.append(text)
            column += 1
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)
