"""PDF pages -> Blocks: lines joined into paragraphs by their layout, across page breaks.

pypdfium2 (PDFium, the PDF engine of Chromium) gives each text line with its position, font
size and font name. From those:

- running headers and footers (the same text, numbers aside, at the top or bottom of most
  pages) and page numbers are dropped;
- a paragraph ends where the space above the next line is larger than the usual line spacing,
  where the style changes (heading, code), or at a page break when its last line ended a
  sentence; otherwise lines are joined, and a word hyphenated at the end of a line is rejoined;
- lines set clearly larger than the body text are headings (larger = higher level);
- lines in a monospace font are code: one block, line breaks and indentation kept;
- text a viewer would not show (invisible, background-coloured, tiny, outside the crop box:
  rag.reading.pdf_visibility) is not read; the invisible text layer over a scan is read;
- a page with an image and no text to read (a scan) is rendered and read by OCR
  (rag.reading.ocr), its paragraphs marked as such; without Tesseract it is left out, and
  the file's report says which pages and why.

Each block keeps the page it starts on and its line numbers on that page.
"""

from __future__ import annotations

import ctypes
import dataclasses
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rag.errors import UnreadableDocumentError
from rag.reading import ocr, pdf_tables
from rag.reading.blocks import LARGE_TYPE_HEADING_MAX_CHARS, Block, normalize_space
from rag.reading.options import Reading
from rag.reading.pdf_tables import PdfTable
from rag.reading.pdf_visibility import PageVisibility
from rag.reading.table import Row, looks_like_header, table_blocks

EDGE_ZONE = 0.08  # top and bottom share of a page where running headers and footers sit
PAGE_NUMBER = re.compile(r"^\s*(page\s*)?\d+(\s*(/|of)\s*\d+)?\s*$", re.IGNORECASE)
DIGITS = re.compile(r"\d+")
PARAGRAPH_GAP = 0.6  # a space above a line larger than this share of its height starts a paragraph
HEADING_SIZE = 1.15  # a line this much larger than the body text is a heading
MONOSPACE = re.compile(r"mono|courier|consol|code", re.IGNORECASE)
SENTENCE_END = tuple(".!?:;\"'”’)")
HYPHENS = ("-", "\u00ad", "\x02")
# A page with an image and fewer characters of text than this is a scan, read by OCR (a scan
# may carry a stray character or a page number).
MIN_PAGE_TEXT = 20


@dataclass(frozen=True)
class Line:
    text: str
    page: int  # 1-based
    number: int  # 1-based line number on its page
    left: float
    right: float
    top: float
    bottom: float
    size: float
    monospace: bool
    page_height: float

    @property
    def height(self) -> float:
        return max(self.top - self.bottom, 1e-3)

    @property
    def in_edge_zone(self) -> bool:
        margin = self.page_height * EDGE_ZONE
        return self.top > self.page_height - margin or self.bottom < margin


def read_pdf(path: Path, name: str, reading: Reading) -> list[Block]:
    lines, scanned, ruled = _read_lines(path, name)
    lines = _without_running_headers(lines)
    tables = _tables(path, ruled)
    lines, table_blocks = _table_blocks(lines, tables)
    reading.notes.tables += len(tables)
    blocks = _blocks(lines) + table_blocks
    if scanned:
        blocks += _recognised(path, name, scanned, reading)
    # in page order, and in line order on a page (a table where its lines were, the whole
    # table after its rows)
    return sorted(blocks, key=lambda b: (b.page or 0, b.lines[1] if b.lines else 0))


def _tables(path: Path, pages: list[int]) -> list[PdfTable]:
    """The ruled tables on ``pages``; none when pdfplumber cannot parse the file (its text
    is still read, by PDFium)."""
    if not pages:
        return []
    try:
        return pdf_tables.find_tables(path, pages)
    except Exception:  # pdfminer fails in many ways on PDFs PDFium reads
        return []


def _table_blocks(lines: list[Line], tables: list[PdfTable]) -> tuple[list[Line], list[Block]]:
    """The lines outside every table, and each table's blocks: a paragraph per row with the
    header row's names, cited by its lines ("table 2, row 3"), the table also whole."""
    if not tables:
        return lines, []
    rows_lines: dict[tuple[int, int], list[Line]] = {}
    outside = []
    for line in lines:
        x, y = (line.left + line.right) / 2, (line.top + line.bottom) / 2
        at = next(
            (
                (n, t.row_of(x, y))
                for n, t in enumerate(tables)
                if t.page == line.page and t.holds(x, y)
            ),
            None,
        )
        if at is None:
            outside.append(line)
        elif at[1] is not None:
            rows_lines.setdefault(at, []).append(line)
    blocks: list[Block] = []
    for n, table in enumerate(tables):
        rows = []
        for r, cells in enumerate(table.rows):
            numbers = [line.number for line in rows_lines.get((n, r), [])]
            span = (min(numbers), max(numbers)) if numbers else None
            rows.append(Row(cells, span, number=r + 1))
        header = rows[0] if len(rows) > 1 and looks_like_header(rows[0].cells) else None
        body = rows[1:] if header else rows
        found = table_blocks(body, header, where=f"table {n + 1}")
        blocks += [dataclasses.replace(block, page=table.page) for block in found]
    return outside, blocks


def _open(path: Path, name: str):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise UnreadableDocumentError(f"cannot read {name}: not a readable PDF ({error})") from None


def _read_lines(path: Path, name: str) -> tuple[list[Line], list[int], list[int]]:
    """The shown lines of every page, the pages (0-based) that are scans (an image and no
    text to read: under MIN_PAGE_TEXT characters), and the pages (1-based) with text that draw
    enough lines to hold a ruled table."""
    import pypdfium2 as pdfium

    document = _open(path, name)
    lines: list[Line] = []
    scanned: list[int] = []
    ruled: list[int] = []
    try:
        for page_index in range(len(document)):
            page = document[page_index]
            height = page.get_height()
            text_page = page.get_textpage()
            visibility = PageVisibility(page, text_page)
            text = text_page.get_text_range()
            position = 0
            on_page: list[Line] = []
            for number, raw in enumerate(text.split("\r\n"), start=1):
                start, position = position, position + len(raw) + 2
                line = _line(text_page, visibility, raw, start, page_index + 1, number, height)
                if line is not None:
                    on_page.append(line)
            if visibility.has_image and sum(len(line.text) for line in on_page) < MIN_PAGE_TEXT:
                scanned.append(page_index)
            else:
                lines += on_page
                if on_page and visibility.rules >= pdf_tables.RULED_PAGE_RULES:
                    ruled.append(page_index + 1)
    except pdfium.PdfiumError as error:
        raise UnreadableDocumentError(f"cannot read {name}: not a readable PDF ({error})") from None
    finally:
        document.close()
    return lines, scanned, ruled


def _recognised(path: Path, name: str, pages: list[int], reading: Reading) -> list[Block]:
    """The scanned ``pages`` (0-based) read by OCR, a few at a time (rendered pages are
    large); without Tesseract, the pages are left out and the report says so."""
    from tqdm import tqdm

    options = reading.options
    step = max(1, 2 * options.threads)
    blocks: list[Block] = []
    document = _open(path, name)
    try:
        with tqdm(
            total=len(pages), desc=f"OCR {name}", unit="page", disable=not options.progress
        ) as bar:
            for start in range(0, len(pages), step):
                batch = pages[start : start + step]
                images = [_rendered(document[index]) for index in batch]
                try:
                    found = ocr.recognise(images, options)
                except ocr.OcrUnavailable as error:
                    reading.notes.skip(f"{_page_list(pages[start:])} not read: {error}", retry=True)
                    break
                for index, paragraphs in zip(batch, found, strict=True):
                    blocks += ocr.ocr_blocks(paragraphs, index + 1)
                    reading.notes.ocr_pages.append(index + 1)
                bar.update(len(batch))
    finally:
        document.close()
    return blocks


def _rendered(page):
    return page.render(scale=ocr.RENDER_DPI / 72, grayscale=True).to_pil()


def _page_list(pages: list[int]) -> str:
    numbers = [str(index + 1) for index in pages]
    return f"page {numbers[0]}" if len(numbers) == 1 else f"pages {', '.join(numbers)}"


def _line(
    text_page,
    visibility: PageVisibility,
    raw: str,
    start: int,
    page: int,
    number: int,
    height: float,
) -> Line | None:
    """One line of a page, without the characters a viewer would not show, with its box, its
    median font size, and whether it is set in a monospace font (most of its characters are);
    code keeps its columns."""
    import pypdfium2.raw as pdfium_c

    chars, boxes = [], []
    hidden = False
    for i, ch in enumerate(raw):
        if ch.isspace():
            continue
        box = text_page.get_charbox(start + i, loose=True)
        if visibility.shown(start + i, box):
            chars.append((start + i, ch))
            boxes.append(box)
        else:
            hidden = True
    if not chars:
        return None
    if hidden:  # rebuild the line from what is shown, keeping the spaces between shown words
        kept = {index for index, _ in chars}
        raw = "".join(ch for i, ch in enumerate(raw) if ch.isspace() or start + i in kept)
    font = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    sizes, fonts_monospace = [], []
    for index, _ in chars:
        sizes.append(pdfium_c.FPDFText_GetFontSize(text_page.raw, index))
        pdfium_c.FPDFText_GetFontInfo(text_page.raw, index, font, len(font), flags)
        fonts_monospace.append(bool(MONOSPACE.search(font.value.decode("latin-1"))))
    monospace = sum(fonts_monospace)
    is_code = monospace >= 0.8 * len(chars)
    # A prose line's size is its prose font's: inline code is often set a little smaller, and a
    # line full of it must not look like a new paragraph.
    prose_sizes = [size for size, mono in zip(sizes, fonts_monospace, strict=True) if not mono]
    if prose_sizes and not is_code:
        sizes = prose_sizes
    left = min(b[0] for b in boxes)
    text = _columns(chars, boxes, left) if is_code else normalize_space(raw)
    return Line(
        text=text,
        page=page,
        number=number,
        left=left,
        right=max(b[2] for b in boxes),
        top=max(b[3] for b in boxes),
        bottom=min(b[1] for b in boxes),
        size=round(statistics.median(sizes), 1),
        monospace=is_code,
        page_height=height,
    )


def _columns(chars: list[tuple[int, str]], boxes: list, left: float) -> str:
    """A monospace line rebuilt from the gaps between its characters, so the spaces inside it
    are kept (each gap measured from the previous character: absolute columns drift and split
    words)."""
    width = statistics.median(b[2] - b[0] for b in boxes) or 1.0
    out: list[str] = []
    previous_right = left
    for (_, ch), box in zip(chars, boxes, strict=True):
        out.append(" " * max(0, round((box[0] - previous_right) / width)) if out else "")
        out.append(ch)
        previous_right = box[2]
    return "".join(out)


def _without_running_headers(lines: list[Line]) -> list[Line]:
    """Drop page numbers, and lines near the top or bottom edge whose text (numbers aside)
    recurs on at least half of the pages (and on two at least)."""
    pages = len({line.page for line in lines})
    on_pages = {(DIGITS.sub("#", line.text), line.page) for line in lines if line.in_edge_zone}
    edge_text = Counter(text for text, _ in on_pages)
    recurring = {text for text, count in edge_text.items() if count >= max(2, pages / 2)}
    return [
        line
        for line in lines
        if not (
            line.in_edge_zone
            and (PAGE_NUMBER.match(line.text) or DIGITS.sub("#", line.text) in recurring)
        )
    ]


def _blocks(lines: list[Line]) -> list[Block]:
    if not lines:
        return []
    body = statistics.median([line.size for line in lines if not line.monospace] or [0.0])
    heading_sizes = sorted({line.size for line in lines if _is_heading(line, body)}, reverse=True)
    right_margin = _right_margin(lines)
    groups: list[list[Line]] = []
    for line in lines:
        if groups and _continues(groups[-1][-1], line, body, right_margin):
            groups[-1].append(line)
        else:
            groups.append([line])
    blocks = []
    for group in groups:
        first, last = group[0], group[-1]
        span = (first.number, last.number if last.page == first.page else first.number)
        if first.monospace:
            blocks.append(Block(_code(group), span, page=first.page, code=True))
        elif _is_heading(first, body):
            level = heading_sizes.index(first.size) + 1
            blocks.append(Block(_dehyphenated(group), span, True, first.page, level=level))
        else:
            blocks.append(Block(_dehyphenated(group), span, page=first.page))
    return blocks


def _is_heading(line: Line, body: float) -> bool:
    return (
        not line.monospace
        and body > 0
        and line.size >= body * HEADING_SIZE
        and len(line.text) <= LARGE_TYPE_HEADING_MAX_CHARS
    )


def _right_margin(lines: list[Line]) -> float:
    """Where wrapped lines end: the 90th percentile of the right edges of body lines that are
    followed closely by another line on the same page. Infinite when there are too few."""
    ends = sorted(
        a.right
        for a, b in zip(lines, lines[1:], strict=False)
        if a.page == b.page
        and not a.monospace
        and not b.monospace
        and 0 <= a.bottom - b.top <= PARAGRAPH_GAP * b.height
    )
    return ends[int(0.9 * (len(ends) - 1))] if len(ends) >= 3 else float("inf")


def _was_wrapped(previous: Line, line: Line, right_margin: float) -> bool:
    """Whether ``previous`` ended only because the first word of ``line`` did not fit."""
    char = (line.right - line.left) / max(len(line.text), 1)
    first_word = line.text.split()[0] if line.text.split() else ""
    return right_margin - previous.right < (len(first_word) + 1) * char


def _continues(previous: Line, line: Line, body: float, right_margin: float) -> bool:
    """Whether ``line`` goes on the paragraph that ``previous`` ends."""
    if previous.monospace != line.monospace:
        return False
    if _is_heading(previous, body) != _is_heading(line, body) or previous.size != line.size:
        return False
    if line.page != previous.page:
        # Across a page break a paragraph goes on when its last line was wrapped (the next
        # word did not fit) or did not end a sentence; code goes on.
        return (
            line.monospace
            or _was_wrapped(previous, line, right_margin)
            or not previous.text.endswith(SENTENCE_END)
        )
    gap = previous.bottom - line.top
    return -line.height < gap <= PARAGRAPH_GAP * line.height


def _dehyphenated(lines: list[Line]) -> str:
    text = ""
    for line in lines:
        piece = line.text
        if text.endswith(HYPHENS) and piece[:1].islower() and text[-2:-1].isalpha():
            text = text[:-1] + piece  # a word hyphenated at the end of the line
        else:
            text = f"{text} {piece}" if text else piece
    return normalize_space(text.replace("\u00ad", "").replace("\x02", ""))


def _code(lines: list[Line]) -> str:
    """Code lines with their indentation, from how far each starts to the right."""
    left = min(line.left for line in lines)
    widths = [(line.right - line.left) / len(line.text) for line in lines if line.text]
    char = statistics.median(widths) if widths else 1.0
    return "\n".join(" " * max(0, round((line.left - left) / char)) + line.text for line in lines)
