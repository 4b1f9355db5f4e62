"""OCR on real scans: two ways of driving Tesseract compared on the same pages, and rag's own
reader (the way kept) in pages per second.

Usage: .venv/bin/python bench/ocr.py [--dpi 150 300]
The scans are the 7 pages of Python's tempfile and getpass documentation (evals/corpora/multidoc,
printed to PDF by Chromium), rendered by pdftoppm and wrapped into image-only PDFs, plus
photo-like copies of each page (tests/reading/scans.py). Accuracy is the share of each page's
text-layer words that OCR recovered (each as often as it occurs), pooled over the pages.

- tesserocr: Tesseract's C API in this process, one engine, one page at a time;
- pytesseract: the `tesseract` program run once per page (OMP_THREAD_LIMIT=1: with OpenMP on
  both cores a page took 10x longer here);
- rag: rag's PDF reader on the image-only PDF (tesserocr, on `threads` threads), whole files,
  at its own resolution (RENDER_DPI).
Needs: pdftoppm (poppler-utils), Debian's tesseract-ocr and tesseract-ocr-eng, and
`pip install -e '.[bench]'` for pytesseract.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.reading.ocr import RENDER_DPI, tessdata_dir  # noqa: E402
from rag.reading.options import Reading, ReadingOptions  # noqa: E402
from rag.reading.readers import read_paragraphs  # noqa: E402
from tests.reading.scans import image_only_pdf, photographed, recovered, words  # noqa: E402

SOURCES = [ROOT / "evals" / "corpora" / "multidoc" / f"{n}.pdf" for n in ("tempfile", "getpass")]


def text_layers(pdf: Path) -> list[collections.Counter]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return [words(document[i].get_textpage().get_text_range()) for i in range(len(document))]
    finally:
        document.close()


def render(pdf: Path, dpi: int, out: Path) -> list[Path]:
    import subprocess

    prefix = out / f"{pdf.stem}-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    return sorted(out.glob(f"{prefix.name}-*.png"))


def pooled(truths: list[collections.Counter], founds: list[collections.Counter]) -> float:
    total = sum(sum(t.values()) for t in truths)
    return sum(recovered(t, f) * sum(t.values()) for t, f in zip(truths, founds, strict=True)) / (
        total
    )


def with_tesserocr(images: list[Path]) -> tuple[list[str], float]:
    import tesserocr
    from PIL import Image

    started = time.perf_counter()
    with tesserocr.PyTessBaseAPI(path=tessdata_dir("eng"), lang="eng") as api:
        texts = []
        for image in images:
            api.SetImage(Image.open(image))
            texts.append(api.GetUTF8Text())
    return texts, time.perf_counter() - started


def with_pytesseract(images: list[Path]) -> tuple[list[str], float]:
    import pytesseract
    from PIL import Image

    os.environ["OMP_THREAD_LIMIT"] = "1"
    started = time.perf_counter()
    texts = [pytesseract.image_to_string(Image.open(image), lang="eng") for image in images]
    return texts, time.perf_counter() - started


def with_rag(pdfs: list[Path], threads: int) -> tuple[list[str], float]:
    """rag's reader on whole image-only PDFs: the text of each page, in order."""
    started = time.perf_counter()
    texts = []
    for pdf in pdfs:
        reading = Reading(ReadingOptions(threads=threads))
        paragraphs = read_paragraphs(pdf, pdf.name, reading)
        for page in reading.notes.ocr_pages:
            texts.append(" ".join(p.text for p in paragraphs if p.page == page))
    return texts, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, nargs="+", default=[150, 300])
    args = parser.parse_args()
    truths = [layer for pdf in SOURCES for layer in text_layers(pdf)]
    print(f"{len(truths)} pages, {sum(sum(t.values()) for t in truths):,} text-layer words")
    print(f"{'way':<28} {'dpi':>4} {'scans':>7} {'photos':>7} {'pages/s':>8}")
    with tempfile.TemporaryDirectory() as work:
        out = Path(work)
        for dpi in args.dpi:
            images = [image for pdf in SOURCES for image in render(pdf, dpi, out)]
            photos = [photographed(image, image.with_suffix(".photo.png")) for image in images]
            scans = []
            for pdf in SOURCES:
                pages = sorted(out.glob(f"{pdf.stem}-{dpi}-*[0-9].png"))
                scans.append(image_only_pdf(pages, out / f"{pdf.stem}-{dpi}-scan.pdf"))
            ways = [("tesserocr (C API, 1 thread)", with_tesserocr)]
            ways.append(("pytesseract (CLI, 1 thread)", with_pytesseract))
            for name, way in ways:
                texts, seconds = way(images)
                photo_texts, _ = way(photos)
                scans_accuracy = pooled(truths, [words(t) for t in texts])
                photos_accuracy = pooled(truths, [words(t) for t in photo_texts])
                rate = len(images) / seconds
                print(
                    f"{name:<28} {dpi:>4} {scans_accuracy:>7.3f} {photos_accuracy:>7.3f} "
                    f"{rate:>8.2f}"
                )
            for threads in (1, 2) if dpi == RENDER_DPI else ():
                texts, seconds = with_rag(scans, threads)
                accuracy = pooled(truths, [words(t) for t in texts])
                name = f"rag PDF reader, {threads} thread{'s' * (threads > 1)}"
                print(f"{name:<28} {dpi:>4} {accuracy:>7.3f} {'':>7} {len(texts) / seconds:>8.2f}")


if __name__ == "__main__":
    main()
