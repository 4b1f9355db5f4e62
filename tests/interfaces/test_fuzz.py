"""Any question and any file ends in an answer, a refusal or one clear line, never a traceback,
within bounded time, and leaves the index as it was.

Property-based (hypothesis) over questions through the Python API and the CLI, and over files
through ingest; the web chat's share is in test_web_chat.py. The real packaged embedding model
on the bundled article."""

from __future__ import annotations

import os
import random
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rag
from rag.errors import RagError
from tests.conftest import ARTICLE, run_rag

STOP_WORDS = "the of and a to in is it was for on are as with be at by this that or".split()
NASTY_QUESTIONS = [
    "",
    "   ",
    "???",
    "is it?",
    "the of and",
    "!!! ... ,,, ;;;",
    "🙂🙂🙂",
    "\x00",
    "where\x00 are the talks?",
    "\x1b[31mred\x1b[0m \x07\x08",
    "أين جرت محادثات السلام؟",
    "\u202eWho hosted the talks?\u202c",
    "וְ מִי אֵרַח אֶת הַשִּׂיחוֹת",
    "Who hosted the talks?" * 5000,  # 100 KB
    "x" * 100_000,
    "\ud800",  # a lone surrogate, as a broken client may send
    "SELECT * FROM paragraphs; DROP TABLE embeddings; --",
    '{"$where": "1"}',
    "{{7*7}} ${7*7} <script>alert(1)</script>",
]
# Each call gets this long before it counts as hung (it takes well under a second).
BOUND_SECONDS = 60

questions = st.one_of(
    st.sampled_from(NASTY_QUESTIONS),
    st.text(max_size=300),
    st.lists(st.sampled_from([*STOP_WORDS, "?", "!", "…", "🙂"]), max_size=12).map(" ".join),
)


def ends_cleanly(call) -> str:
    """Run ``call``: it must return (an Answer, with text, when it answers) or raise a
    one-line RagError, in bounded time."""
    started = time.monotonic()
    try:
        result = call()
    except RagError as error:
        message = str(error)
        assert message and "\n" not in message and "Traceback" not in message
        outcome = "error"
    else:
        if isinstance(result, rag.Answer):
            assert result.text.strip()
            outcome = "refused" if result.refused else "answered"
        else:
            assert isinstance(result, rag.IngestReport)
            outcome = "ingested"
    assert time.monotonic() - started < BOUND_SECONDS
    return outcome


@pytest.fixture(scope="module")
def fuzz_bot(tmp_path_factory) -> rag.Bot:
    corpus = tmp_path_factory.mktemp("fuzz-corpus")
    shutil.copy(ARTICLE, corpus / ARTICLE.name)
    bot = rag.open(tmp_path_factory.mktemp("fuzz-index"), corpus_dir=corpus, generator="extractive")
    bot.ingest([corpus], progress=False)
    return bot


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=questions)
def test_any_question_through_the_api_ends_cleanly(fuzz_bot, question):
    before = fuzz_bot.info().documents
    ends_cleanly(lambda: fuzz_bot.ask(question))
    chat = fuzz_bot.chat()
    ends_cleanly(lambda: chat.ask(question))  # a follow-up path too
    assert fuzz_bot.info().documents == before


@pytest.mark.parametrize("question", ["???", "is it?", "the of and", "", "🙂", "x" * 100_000])
def test_odd_questions_in_the_cli_end_in_an_answer_a_refusal_or_one_line(
    fuzz_bot, tmp_path, question
):
    result = run_rag(
        "--index", str(fuzz_bot.settings.index_dir), "ask", question, cwd=tmp_path, timeout=120
    )
    assert "Traceback" not in result.stderr
    if result.returncode == 0:
        assert result.stdout.strip()
    else:
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


# --- files ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_index(tmp_path_factory) -> tuple[Path, Path]:
    """An index of the article; each file test ingests a copy of it."""
    corpus = tmp_path_factory.mktemp("file-corpus")
    shutil.copy(ARTICLE, corpus / ARTICLE.name)
    index = tmp_path_factory.mktemp("file-index")
    rag.ingest([corpus], index_dir=index)
    return corpus, index


def ingest_beside_the_article(built_index, tmp_path, name: str, write) -> str:
    """Ingest the article plus one odd file into a copy of the built index: the ingest ends
    cleanly, and when it fails the index still holds exactly the article."""
    corpus, index = built_index
    work_corpus, work_index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(corpus, work_corpus)
    shutil.copytree(index, work_index)
    write(work_corpus / name)
    outcome = ends_cleanly(lambda: rag.ingest([work_corpus], index_dir=work_index))
    documents = rag.open(index_dir=work_index, build=False).info().documents
    assert documents.get(ARTICLE.name) == 11
    if outcome == "error":
        assert documents == {ARTICLE.name: 11}
    return outcome


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    data=st.binary(max_size=4096),
    suffix=st.sampled_from(
        [".pdf", ".docx", ".html", ".txt", ".md", ".csv", ".xlsx", ".pptx", ".epub", ".eml"]
        + [".mbox", ".odt", ".ods", ".rtf", ".png", ".tiff"]
    ),
)
def test_random_bytes_under_any_document_name_end_cleanly(
    built_index, tmp_path_factory, data, suffix
):
    tmp_path = tmp_path_factory.mktemp("bytes")
    ingest_beside_the_article(
        built_index, tmp_path, f"random{suffix}", lambda p: p.write_bytes(data)
    )


@pytest.fixture(scope="module")
def real_files(tmp_path_factory) -> dict[str, bytes]:
    """One real file of each format that other formats' readers open as an archive or a
    structure (tests/reading/office_files.py), to corrupt."""
    from tests.reading import office_files

    work = tmp_path_factory.mktemp("real-files")
    writers = {
        ".xlsx": office_files.write_xlsx,
        ".ods": office_files.write_ods,
        ".pptx": office_files.write_pptx,
        ".odt": office_files.write_odt,
        ".epub": office_files.write_epub,
        ".eml": office_files.write_eml,
        ".rtf": office_files.write_rtf,
    }
    return {suffix: write(work / f"real{suffix}").read_bytes() for suffix, write in writers.items()}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    suffix=st.sampled_from([".xlsx", ".ods", ".pptx", ".odt", ".epub", ".eml", ".rtf"]),
    changes=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=8)),
        min_size=1,
        max_size=6,
    ),
)
def test_a_corrupted_real_file_ends_cleanly(
    built_index, real_files, tmp_path_factory, suffix, changes
):
    """A real file with a few byte runs overwritten (a damaged download, a truncated copy)."""
    data = bytearray(real_files[suffix])
    for where, replacement in changes:
        at = int(where * len(data))
        data[at : at + len(replacement)] = replacement
    tmp_path = tmp_path_factory.mktemp("corrupted")
    ingest_beside_the_article(
        built_index, tmp_path, f"damaged{suffix}", lambda p: p.write_bytes(bytes(data))
    )


def zip_bomb(path: Path) -> None:
    """A real DOCX whose document.xml unpacks to 1 GB (it is about 1 MB on disk)."""
    import docx

    plain = path.with_suffix(".plain")
    document = docx.Document()
    document.add_paragraph("An ordinary paragraph.")
    document.save(str(plain))
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in source.infolist():
            if member.filename != "word/document.xml":
                bomb.writestr(member, source.read(member))
        with bomb.open("word/document.xml", "w", force_zip64=True) as xml:
            xml.write(b'<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>')
            for _ in range(1024):
                xml.write(b"0" * (1 << 20))
            xml.write(b"</w:t></w:r></w:p></w:body></w:document>")
    plain.unlink()


def deep_html(path: Path) -> None:
    path.write_text("<html><body>" + "<div>" * 100_000 + "deep" + "</div>" * 100_000)


def long_line(path: Path) -> None:
    rng = random.Random(3)
    words = "harbour lantern meadow copper violin glacier orchard saddle quarry falcon".split()
    sentence = " ".join(rng.choice(words) for _ in range(12)) + ". "
    with path.open("w") as out:
        for _ in range((50 << 20) // len(sentence)):  # 50 MB on one line
            out.write(sentence)


def symlink_loop(path: Path) -> None:
    os.symlink(path.name, path)  # points at itself


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("bomb.docx", zip_bomb),
        ("nested.html", deep_html),
        ("one-line.txt", long_line),
        ("empty.txt", lambda p: p.write_bytes(b"")),
        ("loop.txt", symlink_loop),
        ("utf16.txt", lambda p: p.write_bytes("Text in UTF-16.".encode("utf-16"))),
    ],
)
def test_hostile_files_end_cleanly_and_keep_the_index(built_index, tmp_path, name, write):
    ingest_beside_the_article(built_index, tmp_path, name, write)
