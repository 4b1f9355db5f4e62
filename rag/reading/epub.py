"""E-books (.epub) -> Blocks: the chapters in reading order (the package's spine), each an XHTML
page read by the HTML reader, cited by chapter and line in it ("chapter 3, lines 40-42"), under
the book's title.

An EPUB is a zip archive (checked like every other before it is opened); its package file
(META-INF/container.xml names it) lists the chapters. Its XML is parsed without entities or
network access.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

from rag.reading.archive import check_archive
from rag.reading.blocks import Block, normalize_space
from rag.reading.html import blocks_from_html
from rag.reading.options import Reading
from rag.reading.plain import decode_text

CONTAINER = "META-INF/container.xml"
XHTML_TYPES = ("application/xhtml+xml", "text/html")


def read_epub(path: Path, source: str, reading: Reading) -> list[Block]:
    check_archive(path, source, "EPUB")
    # a damaged book's error is one line: rag.reading.readers._damage_checked
    with zipfile.ZipFile(path) as book:
        package_path = _package_path(book)
        title, chapters = _spine(book, package_path)
        blocks = [Block(title, None, is_heading=True)] if title else []
        for number, member in enumerate(chapters, start=1):
            try:
                markup = decode_text(book.read(member), f"{source}: {member}")
            except KeyError:
                reading.notes.skip(f"chapter {number} ({member}): missing from the book")
                continue
            blocks += [_in_chapter(b, number) for b in blocks_from_html(markup)]
    return blocks


def _xml(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    root = etree.fromstring(data, parser)
    if root is None:
        raise ValueError("not XML")
    return root


def _package_path(book: zipfile.ZipFile) -> str:
    container = _xml(book.read(CONTAINER))
    rootfile = container.find(".//{*}rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise ValueError(f"{CONTAINER} names no package file")
    return rootfile.get("full-path")


def _spine(book: zipfile.ZipFile, package_path: str) -> tuple[str, list[str]]:
    """The book's title and its chapters' archive paths, in reading order."""
    package = _xml(book.read(package_path))
    title_element = package.find(".//{*}metadata/{*}title")
    title = normalize_space(title_element.text or "") if title_element is not None else ""
    folder = posixpath.dirname(package_path)
    items = {
        item.get("id"): item
        for item in package.iterfind(".//{*}manifest/{*}item")
        if item.get("id") and item.get("href")
    }
    chapters = []
    for reference in package.iterfind(".//{*}spine/{*}itemref"):
        item = items.get(reference.get("idref"))
        if item is not None and item.get("media-type") in XHTML_TYPES:
            href = unquote(item.get("href").split("#")[0])
            chapters.append(posixpath.normpath(posixpath.join(folder, href)))
    return title, chapters


def _in_chapter(block: Block, number: int) -> Block:
    """A chapter's block under the book's title (headings one level deeper), cited by chapter."""
    if block.is_heading:
        return replace(block, level=block.level + 1)
    return replace(block, location=f"chapter {number}")
