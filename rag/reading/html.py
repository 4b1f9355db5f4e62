"""HTML pages -> Blocks of their main content, with the source lines each block came from.

trafilatura finds the main content (navigation, sidebars, headers, footers and cookie banners
go) and gives it as a small XML tree of headings, paragraphs, lists, tables and code. Before
that, what a browser would not show is removed (``hidden``, ``aria-hidden``, ``display:none``,
white, transparent, zero-sized or off-page text, ``<template>``, comments), Sphinx's "¶"
header links are dropped, and admonition labels ("Note", "Warning") are moved into the
paragraph they label. Line numbers are found by
locating each block's text in the page's own text, in order.
"""

from __future__ import annotations

import bisect
import re
from functools import cache
from pathlib import Path

from rag.reading.blocks import Block, normalize_space
from rag.reading.plain import read_text
from rag.reading.table import Row, table_blocks

# Styles that hide text from a reader: not displayed, invisible, zero-sized, transparent, pushed
# off the page, or white text (on the white page, unless the same style sets a background).
HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d]*[1-9])"
    r"|opacity\s*:\s*0(?![.\d]*[1-9])|(?:left|top|text-indent)\s*:\s*-\d{3,}"
    r"|(?<![-\w])color\s*:\s*(?:#fff(?:fff)?\b|white\b|rgba?\(\s*255\s*,\s*255\s*,\s*255\b)",
    re.IGNORECASE,
)
BACKGROUND = re.compile(r"background", re.IGNORECASE)
NOT_SHOWN = ("script", "style", "noscript", "template", "head")
# Links that only decorate a heading (Sphinx "¶", MkDocs/GitHub anchors).
DECORATION = re.compile(r"\b(headerlink|anchor-link|headeranchor|copybutton)\b")
# Navigation bars the extractor keeps as text (e.g. Texinfo's "Next: …, Up: …" headers).
NAVIGATION_CLASS = re.compile(
    r"\b(header|nav-panel|navigation|navbar|breadcrumbs?|related|footer)\b", re.IGNORECASE
)
ADMONITION_TITLE = re.compile(r"\badmonition-title\b")
HEADING_LEVEL = re.compile(r"h([1-6])")
# A definition term (an API signature in documentation) nests under the headings above it.
TERM_LEVEL = 7
TRAILING_PILCROW = re.compile(r"\s*[¶#]\s*$")
WHITESPACE = re.compile(r"\s+")
# <pre> blocks are taken out before extraction and put back by these stand-ins: the extractor
# re-spaces code it finds inside block quotes, and code must come back byte for byte.
CODE_STAND_IN = re.compile(r"ragcodeblock(\d+)x")


@cache
def _config():
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")  # short pages are content too
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # its timeout uses signals: main thread only
    return config


def read_html(path: Path, source: str) -> list[Block]:
    return blocks_from_html(read_text(path, source))


def blocks_from_html(markup: str) -> list[Block]:
    """Headings, paragraphs and code blocks of the page's main content, in order."""
    tree = _parse(markup)
    if tree is None:
        return []
    _remove_what_is_not_shown(tree)
    _label_admonitions(tree)
    code = _take_out_code(tree)
    _mark_main_content(tree)
    lines = _LineFinder(tree)
    import trafilatura

    document = trafilatura.bare_extraction(
        tree,
        favor_recall=True,
        include_tables=True,
        include_comments=False,
        deduplicate=False,
        config=_config(),
    )
    if document is None or document.body is None:
        return []
    blocks: list[Block] = []
    _collect(document.body, _Emitter(blocks, lines, code))
    return blocks


def _parse(markup: str):
    import lxml.html
    from lxml.etree import ParserError

    if not markup.strip():
        return None
    try:
        return lxml.html.document_fromstring(markup)
    except (ParserError, ValueError):
        return None


def _drop(element) -> None:
    """Remove ``element`` but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _hides(style: str) -> bool:
    """Whether an inline style hides its element's text."""
    for match in HIDDEN_STYLE.finditer(style):
        white_text = match.group(0).lower().startswith("color")
        if not white_text or not BACKGROUND.search(style):
            return True
    return False


def _remove_what_is_not_shown(tree) -> None:
    from lxml import etree

    doomed = [
        el
        for el in tree.iter()
        if not isinstance(el.tag, str)  # comments, processing instructions
        or el.tag in NOT_SHOWN
        or el.get("hidden") is not None
        or el.get("aria-hidden", "").lower() == "true"
        or _hides(el.get("style", ""))
        or (el.tag == "a" and DECORATION.search(el.get("class", "")))
        or (el.tag == "button" and DECORATION.search(el.get("class", "")))
        or (
            el.tag in ("div", "p", "ul", "section")
            and NAVIGATION_CLASS.search(el.get("class", ""))
            and not el.xpath(
                ".//h1|.//h2|.//h3|.//h4|.//h5|.//h6|.//pre|.//p[string-length() > 200]"
            )
        )
    ]
    for element in doomed:
        if element.getparent() is not None and not isinstance(element, etree._Entity):
            _drop(element)


def _take_out_code(tree) -> list[Block]:
    """Replace every ``<pre>`` by a stand-in paragraph; return the code blocks, in order."""
    import lxml.html

    blocks = []
    for pre in list(tree.iter("pre")):
        text = pre.text_content().strip("\n")
        line = pre.sourceline
        lines = (line, line + text.count("\n")) if line else None
        stand_in = lxml.html.Element("p")
        stand_in.text = f"ragcodeblock{len(blocks)}x"
        stand_in.tail = pre.tail
        pre.getparent().replace(pre, stand_in)
        blocks.append(Block(text, lines, code=True))
    return blocks


def _mark_main_content(tree) -> None:
    """A page without ``<main>``, ``<article>`` or ``role="main"`` gets its body wrapped in an
    ``<article>``: without a container the extractor falls back to a mode that drops headings.
    Navigation, sidebars and footers inside it are still removed by the extractor's own rules."""
    if tree.xpath("//main|//article|//*[@role='main']"):
        return
    body = tree.find("body")
    if body is None:
        return
    import lxml.html

    article = lxml.html.Element("article")
    article.text, body.text = body.text, None
    for child in list(body):
        article.append(child)
    body.append(article)


def _label_admonitions(tree) -> None:
    """``<p class="admonition-title">Note</p><p>Text</p>`` -> ``<p>Note: Text</p>``."""
    for title in tree.xpath("//*[@class]"):
        if not ADMONITION_TITLE.search(title.get("class", "")):
            continue
        label = normalize_space(title.text_content()).rstrip(":")
        following = title.getnext()
        if label and following is not None:
            following.text = f"{label}: " + (following.text or "").lstrip()
            _drop(title)


class _LineFinder:
    """Source lines of text in the page: the page's text with whitespace removed, and the line
    each piece of it starts on (lxml knows the line of every start tag)."""

    def __init__(self, tree):
        self._pieces: list[str] = []
        self._offsets: list[int] = []  # where each run of text starts in the joined text
        self._lines: list[int] = []
        self._length = 0
        self._line = 1
        self._walk(tree)
        self.text = "".join(self._pieces)
        self._cursor = 0

    def _add(self, text: str | None) -> None:
        if not text:
            return
        for number, segment in enumerate(text.split("\n")):
            compact = WHITESPACE.sub("", segment)
            if compact:
                self._offsets.append(self._length)
                self._lines.append(self._line + number)
                self._pieces.append(compact)
                self._length += len(compact)
        self._line += text.count("\n")

    def _walk(self, element) -> None:
        if isinstance(element.tag, str) and element.sourceline:
            self._line = max(self._line, element.sourceline)
        self._add(element.text)
        for child in element:
            self._walk(child)
            self._add(child.tail)

    def _line_at(self, offset: int) -> int:
        return self._lines[max(0, bisect.bisect_right(self._offsets, offset) - 1)]

    def find(self, text: str) -> tuple[int, int] | None:
        """First and last source line of ``text``, searched from where the previous block was
        found (blocks come in page order); None when it cannot be placed."""
        compact = WHITESPACE.sub("", text)
        if not compact or not self._offsets:
            return None
        head, tail = compact[:40], compact[-40:]
        start = self.text.find(head, self._cursor)
        if start < 0:
            start = self.text.find(head)
            if start < 0:
                return None
        end = self.text.find(tail, start + max(0, len(compact) - len(tail) - 200))
        if end < 0:
            end = start
        self._cursor = start + 1
        return self._line_at(start), self._line_at(end + len(tail) - 1)


def _text(element) -> str:
    return normalize_space("".join(element.itertext()))


class _Emitter:
    """Appends blocks in page order, putting the code blocks back where their stand-ins are."""

    def __init__(self, blocks: list[Block], lines: _LineFinder, code: list[Block]):
        self.blocks, self.lines, self.code = blocks, lines, code

    def heading(self, text: str, level: int) -> None:
        text = TRAILING_PILCROW.sub("", CODE_STAND_IN.sub("", text)).strip()
        self.blocks.append(Block(text, self.lines.find(text) if text else None, True, level=level))

    def text(self, text: str, search: str | None = None) -> None:
        """A paragraph; ``search`` is the text to locate it by when it differs."""
        pieces = CODE_STAND_IN.split(text)
        for index, piece in enumerate(pieces):
            if index % 2:
                self.blocks.append(self.code[int(piece)])
            elif piece.strip():
                piece = TRAILING_PILCROW.sub("", normalize_space(piece))
                located = search if search is not None and len(pieces) == 1 else piece
                self.blocks.append(Block(piece, self.lines.find(located)))


def _collect(element, out: _Emitter, depth: int = 0) -> None:
    """Walk trafilatura's result: head, p, code, list/item, table/row/cell, quote."""
    for child in element:
        tag = child.tag
        if tag == "head":
            match = HEADING_LEVEL.fullmatch(child.get("rend", "h2"))
            out.heading(_text(child), int(match.group(1)) if match else 2)
        elif tag == "code":
            out.text("".join(child.itertext()))
        elif tag == "list":
            _collect_list(child, out, depth)
        elif tag == "table":
            _collect_table(child, out)
        elif tag in ("p", "quote", "item") and not _has_blocks(child):
            out.text(_text(child))
        else:
            if child.text and child.text.strip() and tag not in ("graphic", "lb"):
                out.text(child.text)
            _collect(child, out, depth)


def _collect_table(table, out: _Emitter) -> None:
    """A table as rows that carry their column headers (rag.reading.table): leading rows of
    header cells are the header (the last of them; one with a single cell, a caption, is a
    paragraph). A table holding code is read row by row as text."""
    rows = [
        [(TRAILING_PILCROW.sub("", _text(cell)), cell.get("role") == "head") for cell in row]
        for row in table.iter("row")
    ]
    rows = [row for row in rows if any(text for text, _ in row)]
    if any(CODE_STAND_IN.search(text) for row in rows for text, _ in row):
        for row in rows:
            cells = [text for text, _ in row if text]
            out.text(" | ".join(cells), search=" ".join(cells))
        return

    def located(row) -> Row:
        cells = tuple(text for text, _ in row)
        return Row(cells, out.lines.find(" ".join(c for c in cells if c)))

    header = None
    while rows and all(head for text, head in rows[0] if text):
        filled = [text for text, _ in rows[0] if text]
        if len(filled) == 1 and len(rows[0]) > 1:
            out.text(filled[0])  # a caption
            rows.pop(0)
        else:
            header = located(rows.pop(0))
    out.blocks.extend(table_blocks([located(row) for row in rows], header))


BLOCK_TAGS = {"p", "list", "table", "head", "quote", "item"}


def _has_blocks(element) -> bool:
    return any(child.tag in BLOCK_TAGS for child in element)


def _collect_list(element, out: _Emitter, depth: int) -> None:
    """List items are paragraphs; a definition term (an API signature, a glossary term) is a
    heading for its definition, nested under any term it is defined inside."""
    level = TERM_LEVEL + depth
    terms = False
    for item in element:
        if item.tag != "item":
            continue
        if item.get("rend", "").startswith("dt"):
            out.heading(_text(item), level)
            terms = True
        elif _has_blocks(item):
            if item.text and item.text.strip():
                out.text(item.text)
            _collect(item, out, depth + 1)
        else:
            out.text(_text(item))
    if terms:  # the text after the list is not under its last term
        out.heading("", level)
