"""Text recognised in page images by Tesseract (OCR), a paragraph at a time.

Tesseract is driven through tesserocr, its C API in-process: on the same 150-DPI scans it
recognised the same words as pytesseract (which runs the ``tesseract`` program once per page)
in half the time (bench/ocr.py). The language data comes from Debian's ``tesseract-ocr-LANG``
packages (found in TESSDATA_PREFIX or the usual directories); without it nothing is recognised
and the reader says which pages it left out, and why.

Pages are recognised on ``threads`` threads at once (Tesseract releases the GIL), each with
its own engine. A paragraph Tesseract is not sure of (confidence under MIN_CONFIDENCE) or that
holds no word (toolbar icons read as "= @ L |Q Go") is dropped, and so is such a line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rag.reading.blocks import Block, normalize_space
from rag.reading.options import ReadingOptions
from rag.reading.plain import looks_like_heading

TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)
RENDER_DPI = 150  # pages are rendered at this resolution for OCR (bench/ocr.py)
MIN_CONFIDENCE = 50.0  # Tesseract's 0-100 confidence in a paragraph
# An image with more pixels than this is not recognised (a decompression bomb, or a poster).
MAX_PIXELS = 60_000_000
WORD = re.compile(r"[^\W\d_]{3,}")
HYPHENATED_END = re.compile(r"(\w)-\n(\w)")


class OcrUnavailable(Exception):
    """Tesseract or its language data is missing: the message says what to install."""


@dataclass(frozen=True)
class OcrParagraph:
    text: str
    lines: tuple[int, int]  # first and last line on the page, as Tesseract found them
    heading: bool


def tessdata_dir(language: str, configured: str | None = None) -> str:
    """The directory holding every ``LANG.traineddata`` that ``language`` ("deu+eng") needs:
    ``configured``, else the first of TESSDATA_PREFIX and TESSDATA_DIRS that has them."""
    needed = [code for code in language.split("+") if code]
    candidates = [configured] if configured else [os.environ.get("TESSDATA_PREFIX"), *TESSDATA_DIRS]
    for directory in filter(None, candidates):
        if all((Path(directory) / f"{code}.traineddata").is_file() for code in needed):
            return directory
    where = f" in {configured}" if configured else ""
    packages = " ".join(f"tesseract-ocr-{code}" for code in needed)
    raise OcrUnavailable(
        f"no Tesseract {'+'.join(needed)} language data{where} for OCR "
        f"(install Debian's tesseract-ocr {packages}: `make tesseract`)"
    )


def recognise(images: Sequence, options: ReadingOptions) -> list[list[OcrParagraph]]:
    """The paragraphs of each image (PIL images), in the images' order, in the options'
    language on their threads; raises OcrUnavailable when Tesseract cannot run."""
    try:
        import tesserocr
    except ImportError:
        raise OcrUnavailable("OCR needs tesserocr (pip install tesserocr)") from None
    language, threads = options.ocr_language, options.threads
    directory = tessdata_dir(language, options.tessdata)
    workers = max(1, min(threads, len(images)))

    def engine():
        return tesserocr.PyTessBaseAPI(path=directory, lang=language)

    if workers == 1:
        with engine() as api:
            return [_paragraphs(api, image) for image in images]
    engines = [engine() for _ in range(workers)]
    try:
        chunks = [list(range(i, len(images), workers)) for i in range(workers)]
        with ThreadPoolExecutor(workers) as pool:
            done = pool.map(
                lambda job: [(n, _paragraphs(job[0], images[n])) for n in job[1]],
                zip(engines, chunks, strict=True),
            )
            found = dict(pair for chunk in done for pair in chunk)
    finally:
        for api in engines:
            api.End()
    return [found[n] for n in range(len(images))]


def _paragraphs(api, image) -> list[OcrParagraph]:
    import tesserocr

    api.SetImage(image)
    api.Recognize()
    paragraphs: list[OcrParagraph] = []
    line = 0
    iterator = api.GetIterator()
    level = tesserocr.RIL.PARA
    for item in _each(iterator, level):
        raw = item.GetUTF8Text(level) or ""
        lines = [text for text in raw.splitlines() if text.strip()]
        if not lines:
            continue
        first, line = line + 1, line + len(lines)
        numbered = [(n, text) for n, text in enumerate(lines, start=first) if _wordlike(text)]
        if item.Confidence(level) < MIN_CONFIDENCE or not numbered:
            continue
        kept = "\n".join(text for _, text in numbered)
        text = normalize_space(HYPHENATED_END.sub(r"\1\2", kept))
        heading = len(numbered) == 1 and looks_like_heading(text)
        paragraphs.append(OcrParagraph(text, (numbered[0][0], numbered[-1][0]), heading))
    return paragraphs


def _each(iterator, level) -> Iterator:
    if iterator is None:
        return
    while True:
        yield iterator
        if not iterator.Next(level):
            return


def _wordlike(text: str) -> bool:
    """Whether ``text`` holds a word (three letters in a row): icons and specks read as
    letters ("= @ L |Q Go") do not, a line of code does ("f = NamedTemporaryFile()")."""
    return WORD.search(text) is not None


def ocr_blocks(paragraphs: list[OcrParagraph], page: int | None) -> list[Block]:
    """One page's recognised paragraphs as Blocks, each marked as read by OCR."""
    return [
        Block(p.text, p.lines, is_heading=p.heading, page=page, level=9, location="OCR")
        for p in paragraphs
    ]
