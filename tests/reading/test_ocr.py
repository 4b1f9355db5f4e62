"""Scanned pages and images are read by OCR (Tesseract), page by page, and cited as such; a
page with text is never OCR'd; without Tesseract the scanned pages are left out in one line
and everything else is still read."""

from __future__ import annotations

import pytest

import rag
from rag.reading.options import Reading, ReadingOptions
from rag.reading.readers import read_paragraphs
from rag.types import Passage
from tests.conftest import ARTICLE, run_rag
from tests.reading.scans import (
    TEMPFILE_PDF,
    image_only_pdf,
    photographed,
    recovered,
    rendered_pages,
    text_layer_words,
    words,
)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return rendered_pages(tmp_path_factory.mktemp("pages"), pages=3)


@pytest.fixture
def scan(pages, tmp_path):
    return image_only_pdf(pages[:2], tmp_path / "scan.pdf")


@pytest.fixture
def half_scanned(pages, tmp_path):
    """tempfile.pdf's first page as printed (a text layer), then its second page scanned."""
    import pypdfium2 as pdfium

    scanned = pdfium.PdfDocument(str(image_only_pdf([pages[1]], tmp_path / "page-2.pdf")))
    document = pdfium.PdfDocument(str(TEMPFILE_PDF))
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(document, [0])
    mixed.import_pages(scanned, [0])
    path = tmp_path / "half-scanned.pdf"
    mixed.save(str(path))
    for pdf in (mixed, document, scanned):
        pdf.close()
    return path


def test_a_scanned_pdf_is_read_by_ocr_page_by_page(scan):
    reading = Reading()
    paragraphs = read_paragraphs(scan, scan.name, reading)
    assert reading.notes.ocr_pages == [1, 2]
    assert {p.page for p in paragraphs} == {1, 2}
    assert all(p.location == "OCR" for p in paragraphs)
    second = next(p for p in paragraphs if p.page == 2)
    assert Passage.of(second).label.startswith(f"scan.pdf ¶{second.paragraph} (page 2, OCR, line")
    first_page = words(" ".join(p.text for p in paragraphs if p.page == 1))
    assert recovered(text_layer_words(1), first_page) >= 0.95


def test_a_photographed_page_is_read_by_ocr(pages, tmp_path):
    photo = photographed(pages[0], tmp_path / "photo.png")
    reading = Reading()
    paragraphs = read_paragraphs(photo, photo.name, reading)
    assert reading.notes.ocr_pages == [1]
    assert all(p.page is None and p.location == "OCR" for p in paragraphs)
    found = words(" ".join(p.text for p in paragraphs))
    assert recovered(text_layer_words(1), found) >= 0.9


def test_only_the_page_without_text_is_ocrd(half_scanned):
    reading = Reading()
    paragraphs = read_paragraphs(half_scanned, half_scanned.name, reading)
    assert reading.notes.ocr_pages == [2]
    assert {p.location for p in paragraphs if p.page == 1} == {None}
    assert {p.location for p in paragraphs if p.page == 2} == {"OCR"}
    assert [p.page for p in paragraphs] == sorted(p.page for p in paragraphs)


def test_without_tesseract_the_scanned_page_is_left_out_in_one_line(half_scanned, tmp_path):
    nowhere = tmp_path / "no-tessdata"
    nowhere.mkdir()
    reading = Reading(ReadingOptions(tessdata=str(nowhere)))
    paragraphs = read_paragraphs(half_scanned, half_scanned.name, reading)
    assert paragraphs and {p.page for p in paragraphs} == {1}  # the text page is read
    [line] = reading.notes.skipped
    assert line.startswith(f"page 2 not read: no Tesseract eng language data in {nowhere}")
    assert "tesseract-ocr-eng" in line and reading.notes.incomplete


@pytest.mark.slow
def test_a_scanned_pdf_is_answered_from_its_ocr_text_with_the_page_cited(pages, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    image_only_pdf(pages, corpus / "tempfile-scan.pdf")
    (corpus / ARTICLE.name).write_bytes(ARTICLE.read_bytes())
    bot = rag.open(index_dir=tmp_path / "index", corpus_dir=corpus, generator="extractive")
    answer = bot.ask("Which environment variables control the default directory of mkstemp?")
    assert not answer.refused and "TMPDIR, TEMP or TMP" in answer.text
    cited = [c for c in answer.citations if "TMPDIR, TEMP or TMP" in c.text]
    assert cited and " (page 3, OCR, line" in cited[0].label


@pytest.mark.slow
def test_missing_tesseract_is_one_line_and_the_other_files_are_indexed(half_scanned, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / half_scanned.name).write_bytes(half_scanned.read_bytes())
    (corpus / ARTICLE.name).write_bytes(ARTICLE.read_bytes())
    nowhere = tmp_path / "no-tessdata"
    nowhere.mkdir()
    index = ["--index", str(tmp_path / "index")]
    missing = run_rag(*index, "ingest", str(corpus), cwd=tmp_path, ocr_tessdata=str(nowhere))
    assert missing.returncode == 0, missing.stderr
    said = [line for line in missing.stderr.splitlines() if "page 2 not read" in line]
    assert len(said) == 1 and "no Tesseract eng language data" in said[0]
    assert "Traceback" not in missing.stderr
    assert f"{ARTICLE.name}: 11 paragraphs" in missing.stdout
    assert "half-scanned.pdf: " in missing.stdout and "left out: page 2 not read" in missing.stdout

    installed = run_rag(*index, "ingest", str(corpus), cwd=tmp_path)  # read again, with OCR
    assert "half-scanned.pdf: " in installed.stdout and "1 page OCR'd (2)" in installed.stdout
    assert "updated 1, removed 0, unchanged 1" in installed.stdout
