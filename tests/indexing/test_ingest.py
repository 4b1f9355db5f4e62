import json
import shutil

import pytest

import rag
from rag.reading.readers import READER_VERSION
from tests.conftest import ARTICLE, ROOT, run_rag

pytestmark = pytest.mark.slow  # the embedding model, a server, a browser or the `rag` command

MULTIDOC = ROOT / "evals" / "corpora" / "multidoc"

FERRY = "The ferry to the island leaves every morning at half past seven from pier four.\n"
MUSEUM = "The museum of glass opens on Tuesdays and closes in winter.\n"


def counts(index_dir):
    return rag.open(index_dir=index_dir, build=False).info().documents


def test_reingest_does_not_duplicate_paragraphs(corpus, index_dir):
    shutil.copy(ARTICLE, corpus)
    first = rag.ingest([corpus], index_dir=index_dir)
    second = rag.ingest([corpus], index_dir=index_dir)
    assert (first.added, first.paragraphs) == (1, 11)
    assert (second.added, second.updated, second.unchanged, second.paragraphs) == (0, 0, 1, 11)
    assert counts(index_dir) == {ARTICLE.name: 11}


def test_edited_paragraph_is_what_gets_returned(corpus, index_dir):
    (corpus / "ferry.txt").write_text(FERRY)
    rag.ingest([corpus], index_dir=index_dir)
    (corpus / "ferry.txt").write_text(FERRY.replace("half past seven", "nine o'clock sharp"))
    report = rag.ingest([corpus], index_dir=index_dir)
    assert (report.updated, report.paragraphs) == (1, 1)
    bot = rag.open(index_dir=index_dir)
    [passage] = bot.retrieve("When does the ferry leave?", k=5)
    assert "nine o'clock sharp" in passage.text


def test_deleted_file_is_removed_from_the_index(corpus, index_dir):
    (corpus / "ferry.txt").write_text(FERRY)
    (corpus / "museum.txt").write_text(MUSEUM)
    rag.ingest([corpus], index_dir=index_dir)
    (corpus / "museum.txt").unlink()
    report = rag.ingest([corpus], index_dir=index_dir)
    assert (report.removed, report.unchanged, report.paragraphs) == (1, 1, 1)
    bot = rag.open(index_dir=index_dir)
    assert all(p.source == "ferry.txt" for p in bot.retrieve("museum of glass", k=5))


def test_long_paragraph_is_embedded_in_windows_but_cited_whole(corpus, index_dir):
    filler = " ".join(
        f"Sentence number {i} talks about harbour cranes and cargo." for i in range(80)
    )
    secret = "The lighthouse keeper is called Ingrid Solberg."
    (corpus / "long.txt").write_text(f"{filler} {secret}\n")
    rag.ingest([corpus], index_dir=index_dir)
    bot = rag.open(index_dir=index_dir)
    [passage] = bot.retrieve("Who is the lighthouse keeper?", k=1)
    assert passage.text.endswith(secret)
    assert passage.text.startswith("Sentence number 0")
    assert len(bot.store._collection.get(include=[])["ids"]) > 1  # several windows, one paragraph
    assert bot.info().documents == {"long.txt": 1}


def test_unreadable_file_leaves_the_index_as_it_was(corpus, index_dir):
    (corpus / "ferry.txt").write_text(FERRY)
    rag.ingest([corpus], index_dir=index_dir)
    (corpus / "ferry.txt").write_text(FERRY.replace("pier four", "pier nine"))
    (corpus / "m-broken.pdf").write_bytes(b"%PDF-1.4 garbage")  # between the other two files
    (corpus / "z-museum.txt").write_text(MUSEUM)
    with pytest.raises(rag.UnreadableDocumentError, match="m-broken.pdf"):
        rag.ingest([corpus], index_dir=index_dir)
    bot = rag.open(index_dir=index_dir, build=False)
    assert "pier four" in bot.retrieve("ferry", k=1)[0].text
    assert bot.info().documents == {"ferry.txt": 1}  # the file after it was not added either


def test_unsupported_files_are_skipped_with_one_warning(corpus, index_dir, caplog):
    (corpus / "ferry.txt").write_text(FERRY)
    (corpus / "table.dat").write_text("a,b\n")
    (corpus / "song.mp3").write_bytes(b"ID3")
    with caplog.at_level("WARNING"):
        report = rag.ingest([corpus], index_dir=index_dir)
    assert report.skipped == ["song.mp3", "table.dat"]
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "song.mp3, table.dat" in warnings[0]


def test_empty_corpus_is_a_clear_error(corpus, index_dir):
    with pytest.raises(rag.InputPathError, match="no supported documents"):
        rag.ingest([corpus], index_dir=index_dir)


def test_index_built_with_another_model_is_refused(corpus, index_dir):
    (corpus / "ferry.txt").write_text(FERRY)
    rag.ingest([corpus], index_dir=index_dir)
    with pytest.raises(rag.EmbeddingModelMismatchError, match="all-MiniLM-L6-v2"):
        rag.open(index_dir=index_dir, embed_model=str(corpus))


def test_one_edited_file_updates_the_bm25_arm_without_rereading_the_others(
    corpus, index_dir, caplog
):
    for name in ("a", "b", "c"):
        (corpus / f"{name}.txt").write_text(f"File {name}: {FERRY}")
    rag.ingest([corpus], index_dir=index_dir)
    bot = rag.open(index_dir=index_dir, retrieval="bm25")
    (corpus / "b.txt").write_text(
        "File b: the glass museum keeps a chandelier by Oskar Lindqvist.\n"
    )
    with caplog.at_level("INFO", logger="rag.indexing.bm25"):
        bot.ingest([corpus])
    assert "BM25 arm: 1 file(s) re-tokenised, 2 reused" in caplog.text
    assert [p.source for p in bot.retrieve("Lindqvist chandelier", k=3)] == ["b.txt"]
    assert {p.source for p in bot.retrieve("ferry pier", k=3)} == {"a.txt", "c.txt"}


def test_a_newer_reader_rereads_unchanged_files(corpus, index_dir, monkeypatch):
    """Reading rules change between releases; an index must not keep paragraphs read by the
    old rules just because the file itself did not change."""
    (corpus / "ferry.txt").write_text(FERRY)
    rag.ingest([corpus], index_dir=index_dir)
    monkeypatch.setattr("rag.indexing.ingest.READER_VERSION", READER_VERSION + 1)
    report = rag.ingest([corpus], index_dir=index_dir)
    assert (report.updated, report.unchanged) == (1, 0)
    assert counts(index_dir) == {"ferry.txt": 1}


def test_a_second_writer_is_refused_with_one_line_and_nothing_is_lost(corpus, index_dir, tmp_path):
    (corpus / "ferry.txt").write_text(FERRY)
    rag.ingest([corpus], index_dir=index_dir)
    (corpus / "museum.txt").write_text(MUSEUM)
    holder = rag.open(index_dir=index_dir, build=False)
    with holder.store.writing():  # this process is writing the index
        result = run_rag("--index", str(index_dir), "ingest", str(corpus), cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "is being written by process" in line and "try again" in line
    assert counts(index_dir) == {"ferry.txt": 1}
    report = rag.ingest([corpus], index_dir=index_dir)  # once the other writer is done
    assert (report.added, report.unchanged) == (1, 1)


def test_ingest_killed_mid_write_is_brought_back_to_exact_counts(corpus, index_dir, tmp_path):
    """SIGKILL at two moments of a real `rag ingest` (bench/kill_ingest.py does 20 runs)."""
    import signal
    import subprocess
    import sys

    for name in ("secrets.html", "mpl-2.0.txt"):
        shutil.copy(MULTIDOC / name, corpus / name)
    shutil.copy(ARTICLE, corpus)
    reference = tmp_path / "reference"
    rag.ingest([corpus], index_dir=reference)
    expected = counts(reference)
    for delay in (4.0, 7.0):
        process = subprocess.Popen(
            [sys.executable, "-m", "rag", "--index", str(index_dir), "ingest", str(corpus)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
        result = run_rag("--index", str(index_dir), "ingest", str(corpus), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert counts(index_dir) == expected
        shutil.rmtree(index_dir)


def test_each_file_read_is_reported_and_one_with_no_text_is_listed(corpus, index_dir):
    from tests.reading.office_files import write_xlsx

    (corpus / "ferry.txt").write_text(FERRY)
    (corpus / "blank.md").write_text("\n\n   \n")
    write_xlsx(corpus / "tz.xlsx")
    report = rag.ingest([corpus], index_dir=index_dir)
    lines = {file.source: file.line for file in report.files}
    assert lines["blank.md"] == "blank.md: no text found"
    assert lines["ferry.txt"] == "ferry.txt: 1 paragraph"
    assert lines["tz.xlsx"].startswith("tz.xlsx: ") and ", 2 tables; left out: " in lines["tz.xlsx"]
    assert "sheet Notes: hidden, not read" in lines["tz.xlsx"]

    result = run_rag("--index", str(index_dir), "info", "--json", cwd=corpus)
    files = {f["source"]: f for f in json.loads(result.stdout)["files"]}
    assert files["blank.md"]["paragraphs"] == 0  # listed, though it gave no text
    assert files["tz.xlsx"]["tables"] == 2
    assert files["tz.xlsx"]["skipped"] == ["sheet Notes: hidden, not read"]
    again = rag.ingest([corpus], index_dir=index_dir)
    assert (again.unchanged, again.files) == (3, [])  # nothing read twice, the empty file too


def test_files_written_in_several_groups_are_each_indexed_once(corpus, index_dir, monkeypatch):
    """Ingest writes a group of files at a time; every file of every group is listed and
    searchable, and editing files of two groups replaces their windows, not adds to them."""
    monkeypatch.setattr("rag.indexing.ingest.WINDOWS_PER_STEP", 4)  # a group every few files
    harbours = [
        f"Harbour {n} keeps {n + 2} red boats. Its keeper is named Keeper{n}." for n in range(12)
    ]
    for n, text in enumerate(harbours):
        (corpus / f"h{n:02}.txt").write_text(f"{text}\n\nThe tide table is posted daily.\n")
    report = rag.ingest([corpus], index_dir=index_dir)
    assert report.added == 12 and counts(index_dir) == {f"h{n:02}.txt": 2 for n in range(12)}
    bot = rag.open(index_dir=index_dir, build=False)
    windows = bot.store.window_count()
    for n in (1, 10):
        (corpus / f"h{n:02}.txt").write_text(f"Harbour {n} was closed. Nobody keeps it.\n")
    report = rag.ingest([corpus], index_dir=index_dir)
    assert (report.updated, report.unchanged) == (2, 10)
    bot = rag.open(index_dir=index_dir, build=False)
    assert bot.info().documents["h10.txt"] == 1
    assert bot.store.window_count() == windows - 2 * 4 + 2 * 3  # 4 windows each before, 3 now
    assert "closed" in bot.retrieve("Which harbour was closed?", k=1)[0].text
    assert bot.retrieve("Keeper7", k=1)[0].source == "h07.txt"
