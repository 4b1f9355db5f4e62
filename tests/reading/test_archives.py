"""Every zip-based format is looked at before it is opened: a zip bomb (a real file whose main
part is swapped for one that unpacks to a thousand times its size), or an archive of a
hundred thousand members, is refused in one line, unread."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from rag.errors import UnreadableDocumentError
from rag.reading.readers import read_paragraphs
from tests.reading.office_files import write_epub, write_ods, write_odt, write_pptx, write_xlsx


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("An ordinary paragraph.")
    document.save(str(path))
    return path


# each format, how to write a real file of it, and its main part (what a bomb swaps)
FORMATS = [
    (".docx", write_docx, "word/document.xml"),
    (".xlsx", write_xlsx, "xl/worksheets/sheet1.xml"),
    (".ods", write_ods, "content.xml"),
    (".pptx", write_pptx, "ppt/slides/slide1.xml"),
    (".odt", write_odt, "content.xml"),
    (".epub", write_epub, "OEBPS/text/secrets.html"),
]


def rebuilt(real: Path, path: Path, swap: str | None, extra: int = 0) -> Path:
    """``real`` copied member by member, ``swap`` replaced by 64 MB of one repeated tag and
    ``extra`` empty members added."""
    with zipfile.ZipFile(real) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            if member.filename != swap:
                out.writestr(member, source.read(member))
        if swap:
            with out.open(swap, "w") as part:
                for _ in range(64):
                    part.write(b"<a/>" * (1 << 18))
        for number in range(extra):
            out.writestr(f"padding/{number}.xml", b"")
    return path


@pytest.mark.parametrize(("suffix", "write", "part"), FORMATS)
def test_a_zip_bomb_is_refused_unread(tmp_path, suffix, write, part):
    real = write(tmp_path / f"real{suffix}")
    assert read_paragraphs(real, real.name)  # the real file is read
    bomb = rebuilt(real, tmp_path / f"bomb{suffix}", part)
    with pytest.raises(UnreadableDocumentError) as refused:
        read_paragraphs(bomb, bomb.name)
    message = str(refused.value)
    assert message.startswith(f"cannot read bomb{suffix}: {part} unpacks to ")
    assert "zip bomb" in message and "\n" not in message


@pytest.mark.parametrize(("suffix", "write", "part"), FORMATS[:2])
def test_an_archive_of_too_many_members_is_refused(tmp_path, suffix, write, part):
    real = write(tmp_path / f"real{suffix}")
    crowded = rebuilt(real, tmp_path / f"crowded{suffix}", None, extra=10_001)
    with pytest.raises(UnreadableDocumentError, match="files \\(more than 10,000"):
        read_paragraphs(crowded, crowded.name)
