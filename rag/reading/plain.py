"""Plain text and Markdown -> Blocks: blank lines separate blocks, hard-wrapped lines are
joined, short unpunctuated lines and Markdown ``#`` / underlined lines are headings, and
Markdown code (fenced or indented) is one block kept exactly as written."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from rag.errors import UnreadableDocumentError
from rag.reading.blocks import HEADING_MAX_CHARS, Block, check_size, normalize_space

log = logging.getLogger(__name__)

# A line longer than this is never a hard-wrapped line: a block of such lines is
# one paragraph per line (e.g. the bundled news article).
HARD_WRAP_MAX = 120
CLOSING_PUNCTUATION = tuple(".!?;,\"'”’)…。！？；，」』）")  # Latin and CJK
MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
# A title underlined with ===, ---, ~~~ (Markdown setext, reStructuredText, plain-text docs).
UNDERLINE = re.compile(r"^\s*([=\-~^*#])\1{2,}\s*$")
FENCE = re.compile(r"^\s{0,3}(```+|~~~+)\s*(.*)$")
INDENTED_CODE = "    "
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Markdown lines that are markup, not text: link reference definitions ("[pip]: https://…")
# and MyST targets ("(install-guide)=").
MARKDOWN_MARKUP = re.compile(r"^\s{0,3}(\[[^\]]+\]:\s*\S+.*|\([\w.:-]+\)=)\s*$")
# A MyST directive fence ("```{note}") holds text, unless the directive is one for code.
MYST_DIRECTIVE = re.compile(r"^\{([\w-]+)\}")
MYST_CODE_DIRECTIVES = {"code", "code-block", "code-cell", "sourcecode", "literalinclude"}
MYST_OPTION = re.compile(r"^\s*:[\w-]+:")


def looks_like_heading(line: str) -> bool:
    """A short, unindented title line without closing punctuation. A line ending in ":" is a
    title only when it is a few words ("Related Links:"), not a sentence introducing a list."""
    text = line.strip()
    if not 0 < len(text) <= HEADING_MAX_CHARS or line[:1].isspace():
        return False
    if text.endswith(":"):
        return len(text.split()) <= 4
    return not text.endswith(CLOSING_PUNCTUATION)


def decode_text(data: bytes, name: str) -> str:
    """Decode bytes as UTF-8, else as the encoding charset-normalizer detects; control
    characters other than tabs and line breaks are dropped (they are not text, and XML
    parsers refuse them)."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableDocumentError(f"cannot read {name}: it looks like binary data, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise UnreadableDocumentError(f"cannot read {name}: unknown text encoding") from None
        log.info("%s decoded as %s", name, best.encoding)
        text = str(best)
    return CONTROL_CHARACTERS.sub("", text.replace("\f", "\n"))  # a form feed breaks a page


def blocks_from_text(text: str, markdown: bool = False) -> list[Block]:
    """Split plain text into blocks.

    Blank lines separate blocks. Inside a block, hard-wrapped lines are joined; a block whose
    lines are longer than any hard wrap holds one paragraph per line, with short unpunctuated
    lines between them as headings.
    """
    blocks: list[Block] = []
    group: list[tuple[int, str]] = []
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        fenced = _fenced_blocks(lines, number - 1) if markdown else None
        if fenced is not None:
            if group:
                blocks.extend(_split_group(group, markdown))
                group = []
            inner, number = fenced
            blocks.extend(block for block in inner if block.text.strip())
        elif markdown and MARKDOWN_MARKUP.match(line):
            continue
        elif line.strip():
            group.append((number, line))
        elif group:
            blocks.extend(_split_group(group, markdown))
            group = []
    if group:
        blocks.extend(_split_group(group, markdown))
    return blocks


def _fenced_blocks(lines: list[str], start: int) -> tuple[list[Block], int] | None:
    """The Markdown block starting at ``lines[start]`` if it is fenced (```) or indented code,
    and the index after it. Code is one block, its text exactly as written; a MyST directive
    that holds text (```{note}) is read as Markdown, without its option lines."""
    fence = FENCE.match(lines[start])
    if fence:
        marker, info = fence.groups()
        end = start + 1
        closing = re.compile(f"{re.escape(marker[0])}{{{len(marker)},}}")
        while end < len(lines) and not closing.fullmatch(lines[end].strip()):
            end += 1
        body = lines[start + 1 : end]
        after = min(end + 1, len(lines))
        directive = MYST_DIRECTIVE.match(info)
        if directive and directive.group(1) not in MYST_CODE_DIRECTIVES:
            while body and MYST_OPTION.match(body[0]):
                body, start = body[1:], start + 1
            inner = blocks_from_text("\n".join(body), markdown=True)
            return [_shifted(block, start + 1) for block in inner], after
        block = Block("\n".join(body), (start + 2, max(start + 2, end)), code=True)
        return [block], after
    code = _indented_code(lines, start)
    return None if code is None else ([code[0]], code[1])


def _shifted(block: Block, lines: int) -> Block:
    if block.lines is None:
        return block
    first, last = block.lines
    return dataclasses.replace(block, lines=(first + lines, last + lines))


def _indented_code(lines: list[str], start: int) -> tuple[Block, int] | None:
    """Code indented by four spaces after a blank line, and the index after it."""
    previous_blank = start == 0 or not lines[start - 1].strip()
    if previous_blank and lines[start].startswith(INDENTED_CODE) and lines[start].strip():
        end = start
        while end < len(lines) and (lines[end].startswith(INDENTED_CODE) or not lines[end].strip()):
            end += 1
        while end > start and not lines[end - 1].strip():
            end -= 1
        body = [line[len(INDENTED_CODE) :] for line in lines[start:end]]
        return Block("\n".join(body), (start + 1, end), code=True), end
    return None


def _split_group(group: list[tuple[int, str]], markdown: bool) -> Iterator[Block]:
    def heading_text(line: str) -> str | None:
        if markdown:
            match = MARKDOWN_HEADING.match(line)
            if match:
                return match.group(1)
        return None

    def is_heading(line: str) -> bool:
        # In Markdown only "#" lines are headings: a short line alone ("or") is text.
        return heading_text(line) is not None or (not markdown and looks_like_heading(line))

    def level(line: str) -> int:
        return len(line.lstrip()) - len(line.lstrip().lstrip("#")) if markdown else 1

    one_paragraph_per_line = len(group) > 1 and any(len(text) > HARD_WRAP_MAX for _, text in group)
    if len(group) == 1 or one_paragraph_per_line:
        for number, line in group:
            if is_heading(line):
                yield Block(
                    normalize_space(heading_text(line) or line),
                    (number, number),
                    is_heading=True,
                    level=max(1, level(line)),
                )
            else:
                yield Block(normalize_space(line), (number, number))
        return
    # Hard-wrapped block: Markdown and underlined headings on their own line stay headings.
    pending: list[tuple[int, str]] = []
    for index, (number, line) in enumerate(group):
        if UNDERLINE.match(line):
            continue  # the underline of the title before it, or a horizontal rule
        title = heading_text(line)
        underlined = index + 1 < len(group) and UNDERLINE.match(group[index + 1][1])
        if title is None and underlined and looks_like_heading(line):
            title = line
        if title is None:
            pending.append((number, line))
            continue
        if pending:
            yield _joined(pending)
            pending = []
        yield Block(
            normalize_space(title), (number, number), is_heading=True, level=max(1, level(line))
        )
    if pending:
        yield _joined(pending)


def _joined(lines: list[tuple[int, str]]) -> Block:
    return Block(normalize_space(" ".join(text for _, text in lines)), (lines[0][0], lines[-1][0]))


def read_text(path: Path, source: str) -> str:
    """A text file's decoded text (see decode_text), refused when it is too long to index."""
    text = decode_text(path.read_bytes(), source)
    check_size(len(text), source)
    return text


def read_plain(path: Path, source: str) -> list[Block]:
    return blocks_from_text(read_text(path, source))


def read_markdown(path: Path, source: str) -> list[Block]:
    return blocks_from_text(read_text(path, source), markdown=True)
