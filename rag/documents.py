"""Read documents into Paragraph records.

Every format is first turned into Blocks (a heading or a paragraph candidate with its line span);
one shared step then numbers the paragraphs and attaches each to the heading above it.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputPathError, UnreadableDocumentError
from rag.formats.blocks import HEADING_PATH_SEPARATOR, Block, normalize_space
from rag.injection import addresses_ai
from rag.types import Paragraph

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".html", ".htm", ".docx")

# Raise whenever a change to the readers can change the paragraphs read from an unchanged file:
# the indexer mixes it into every file's hash, so the next ingest reads such files again.
READER_VERSION = 4

# A line longer than this is never a hard-wrapped line: a block of such lines is
# one paragraph per line (e.g. the bundled news article).
HARD_WRAP_MAX = 120
# Titles are short; longer unpunctuated lines are ordinary text.
HEADING_MAX_CHARS = 100
CLOSING_PUNCTUATION = tuple(".!?;,\"'”’)…")
MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
# A title underlined with ===, ---, ~~~ (Markdown setext, reStructuredText, plain-text docs).
UNDERLINE = re.compile(r"^\s*([=\-~^*#])\1{2,}\s*$")
FENCE = re.compile(r"^\s{0,3}(```+|~~~+)\s*(.*)$")
INDENTED_CODE = "    "
# A document with more text than this is refused: it would take hours to embed (split it).
MAX_DOCUMENT_CHARS = 10_000_000
# A DOCX larger than this once unpacked is refused unread (a zip bomb unpacks to gigabytes).
DOCX_MAX_UNPACKED_MB = 256
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


def blocks_from_docx(path: Path, name: str) -> list[Block]:
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


# A title line: a few words with no sentence end (the first paragraph of a plain-text file
# whose title is not marked as a heading, e.g. "Apache License Version 2.0, January 2004").
TITLE_MAX_WORDS = 12


def document_title(blocks: list[Block]) -> str | None:
    """The document's title: its first heading when it stands above all the others (an HTML
    or Markdown ``h1``, a PDF's largest type; not the first of several sections), else a short
    first paragraph that reads like a title ("GNU GENERAL PUBLIC LICENSE Version 3, 29 June
    2007"), else none (the file name, shown beside every citation, stands for it)."""
    headings = [b for b in blocks if b.is_heading and b.text.strip(" :") and "://" not in b.text]
    if headings:
        top = min(h.level for h in headings)
        if [h.level for h in headings].count(top) == 1 and headings[0].level == top:
            return headings[0].text.strip(" :")  # one heading above all the others
    first = next((b for b in blocks if not b.code), None)
    if first is not None:
        words = [w for w in first.text.split() if "://" not in w]  # no URL in a title
        if 2 <= len(words) <= TITLE_MAX_WORDS and not first.text.rstrip().endswith((".", ":")):
            return " ".join(words)
    return None


def paragraphs_from_blocks(blocks: Iterable[Block], source: str) -> list[Paragraph]:
    """Number the paragraph blocks and give each the path of headings above it
    (``Page title › Section › Subsection``) and the document's title; a heading ends the
    deeper headings before it."""
    blocks = list(blocks)
    document = document_title(blocks)
    untrusted = any(addresses_ai(block.text) for block in blocks)
    paragraphs: list[Paragraph] = []
    path: list[tuple[int, str]] = []
    for block in blocks:
        if block.is_heading:
            path = [(level, text) for level, text in path if level < block.level]
            title = block.text.rstrip(":").strip()
            if title:
                path.append((block.level, title))
            continue
        heading = HEADING_PATH_SEPARATOR.join(text for _, text in path) or None
        paragraphs.append(
            Paragraph(
                source=source,
                paragraph=len(paragraphs) + 1,
                heading=heading,
                lines=block.lines,
                text=block.text,
                page=block.page,
                code=block.code,
                title=document,
                untrusted=untrusted,
            )
        )
    return paragraphs


def read_paragraphs(path: Path, source: str) -> list[Paragraph]:
    """Read one file into paragraphs; ``source`` is its name relative to the ingested root."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            from rag.formats.pdf import blocks_from_pdf

            blocks = blocks_from_pdf(path, source)
        elif suffix == ".docx":
            blocks = blocks_from_docx(path, source)
        else:
            text = decode_text(path.read_bytes(), source)
            _within_limit(len(text), source)
            if suffix in (".html", ".htm"):
                from rag.formats.html import blocks_from_html

                blocks = blocks_from_html(text)
            else:
                blocks = blocks_from_text(text, markdown=suffix == ".md")
    except OSError as error:
        raise UnreadableDocumentError(f"cannot read {source}: {error.strerror}") from None
    except RecursionError:
        raise UnreadableDocumentError(f"cannot read {source}: nested too deeply") from None
    _within_limit(sum(len(block.text) for block in blocks), source)
    return paragraphs_from_blocks(blocks, source)


def _within_limit(chars: int, source: str) -> None:
    if chars > MAX_DOCUMENT_CHARS:
        raise UnreadableDocumentError(
            f"cannot read {source}: {chars:,} characters of text is more than "
            f"{MAX_DOCUMENT_CHARS:,}; split it into smaller files"
        )


@dataclass(frozen=True)
class DocumentFile:
    path: Path
    source: str  # relative to its root, forward slashes


def find_documents(roots: Iterable[str | Path]) -> tuple[list[DocumentFile], list[str]]:
    """Supported files under the given files/directories, and the names of skipped files."""
    found: dict[str, DocumentFile] = {}
    skipped: list[str] = []
    for root in map(Path, roots):
        if not root.exists():
            raise InputPathError(f"no such file or directory: {root}")
        if root.is_file():
            candidates = [(root, root.name)]
        else:
            candidates = [
                (p, p.relative_to(root).as_posix())
                for p in sorted(root.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
            ]
        for path, source in candidates:
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                found[source] = DocumentFile(path, source)
            elif path.name.lower() not in ("readme", "license"):
                skipped.append(source)
    return sorted(found.values(), key=lambda d: d.source), skipped
