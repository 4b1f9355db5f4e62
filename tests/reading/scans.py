"""Scans of real PDF pages for the OCR tests, made as a scanner makes them: pages of Python's
tempfile documentation (printed to PDF by Chromium; PSF licence) rendered to images by poppler's
pdftoppm, wrapped back into an image-only PDF, and one page made to look photographed."""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPFILE_PDF = ROOT / "evals" / "corpora" / "multidoc" / "tempfile.pdf"
WORD = re.compile(r"[^\W_]+")


def rendered_pages(out: Path, pages: int, dpi: int = 150) -> list[Path]:
    """The first ``pages`` pages of tempfile.pdf as PNG files (pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing (make test installs poppler-utils)")
        pytest.skip("needs pdftoppm (Debian's poppler-utils)")
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-l", str(pages), "-png", str(TEMPFILE_PDF), str(out / "p")],
        check=True,
    )
    return sorted(out.glob("p-*.png"))


def image_only_pdf(images: list[Path], path: Path) -> Path:
    """The images as the pages of a PDF with no text layer: a scanned document."""
    from PIL import Image

    pages = [Image.open(image).convert("RGB") for image in images]
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=150)
    return path


def photographed(image: Path, path: Path) -> Path:
    """The page as a phone photo of it looks: tilted, soft, grey-yellow paper, sensor noise,
    JPEG-compressed."""
    import io
    import random

    from PIL import Image, ImageFilter

    page = Image.open(image).convert("L").rotate(1.5, expand=True, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.8)).point(lambda v: 40 + v * 0.7)
    noise = random.Random(7)
    pixels = page.load()
    for _ in range(page.width * page.height // 20):
        x, y = noise.randrange(page.width), noise.randrange(page.height)
        pixels[x, y] = max(0, min(255, pixels[x, y] + noise.randint(-40, 40)))
    tinted = Image.merge("RGB", [page, page, page.point(lambda v: v * 0.85)])
    buffer = io.BytesIO()
    tinted.save(buffer, "JPEG", quality=60)
    Image.open(buffer).save(path)
    return path


def text_layer_words(page: int) -> collections.Counter:
    """The words of a page of tempfile.pdf as its text layer has them (what OCR should find)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(TEMPFILE_PDF))
    try:
        return words(document[page - 1].get_textpage().get_text_range())
    finally:
        document.close()


def words(text: str) -> collections.Counter:
    return collections.Counter(word.lower() for word in WORD.findall(text))


def recovered(truth: collections.Counter, found: collections.Counter) -> float:
    """The share of the text layer's words that OCR recovered (each as often as it occurs)."""
    return sum(min(count, found[word]) for word, count in truth.items()) / sum(truth.values())
