"""Collections: unrelated document sets in one index, each answering from its own documents,
deleted without touching the others; an index from before collections is the default one.

Material: Debian's licence texts (/usr/share/common-licenses) and the bundled article."""

from __future__ import annotations

import shutil
from pathlib import Path

import chromadb
import pytest

import rag
from tests.conftest import ARTICLE, run_rag
from tests.licences import PATENT_QUESTION, PEACE_QUESTION, copy_licences

pytestmark = pytest.mark.slow  # the embedding model on real indexes


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """An index with the article in the default collection, and collections "gpl" and
    "apache" holding one licence each."""
    root = tmp_path_factory.mktemp("collections")
    copy_licences(root / "gpl", ["GPL-3"])
    copy_licences(root / "apache", {"Apache-2.0": "LICENSE-2.0.txt"})
    (root / "news").mkdir()
    shutil.copy(ARTICLE, root / "news")
    index = root / "index"
    rag.ingest([root / "news"], index_dir=index, generator="extractive")
    rag.ingest([root / "gpl"], index_dir=index, collection="gpl", generator="extractive")
    rag.create_collection("apache", index_dir=index, corpus_dir=root / "apache")
    rag.ingest(index_dir=index, collection="apache", generator="extractive")
    return root


def open_bot(work: Path, collection: str | None = None) -> rag.Bot:
    extra = {"collection": collection} if collection else {}
    return rag.open(index_dir=work / "index", generator="extractive", build=False, **extra)


def test_two_collections_answer_the_same_question_from_their_own_documents(work):
    gpl = open_bot(work, "gpl").ask(PATENT_QUESTION)
    apache = open_bot(work, "apache").ask(PATENT_QUESTION)
    assert not gpl.refused and not apache.refused
    assert {c.source for c in gpl.citations} == {"GPL-3.txt"}
    assert {c.source for c in apache.citations} == {"LICENSE-2.0.txt"}
    assert {p.source for p in gpl.passages} == {"GPL-3.txt"}
    assert open_bot(work, "gpl").info().documents.keys() == {"GPL-3.txt"}


def test_the_default_collection_sees_none_of_the_others(work):
    bot = open_bot(work)
    assert bot.info().documents.keys() == {ARTICLE.name}
    assert {p.source for p in bot.retrieve(PATENT_QUESTION, k=10)} == {ARTICLE.name}
    answer = bot.ask(PEACE_QUESTION)
    assert "Saudi Arabia" in answer.text


def test_a_collection_keeps_its_corpus_folder_and_model(work):
    listed = {c.name: c for c in rag.collections(index_dir=work / "index")}
    assert list(listed) == ["default", "apache", "gpl"]
    assert listed["gpl"].corpus_dir == str((work / "gpl").resolve())
    assert (listed["apache"].documents, listed["gpl"].documents) == (1, 1)
    # the recorded corpus folder is what a plain ingest of the collection reads
    (work / "gpl" / "extra.txt").write_text("The Free Software Foundation publishes the GPL.\n")
    report = rag.ingest(index_dir=work / "index", collection="gpl", generator="extractive")
    assert report.added == 1 and report.unchanged == 1
    (work / "gpl" / "extra.txt").unlink()
    rag.ingest(index_dir=work / "index", collection="gpl", generator="extractive")


def test_an_unknown_or_misnamed_collection_is_one_clear_line(work):
    with pytest.raises(rag.CollectionError, match=r"no collection 'nope' in .*; it has: default"):
        open_bot(work, "nope")
    with pytest.raises(rag.CollectionError, match="cannot name a collection"):
        open_bot(work, "../etc")
    with pytest.raises(rag.CollectionError, match="already exists"):
        rag.create_collection("gpl", index_dir=work / "index", corpus_dir=work / "gpl")


def test_deleting_a_collection_leaves_the_others_intact(work, tmp_path):
    index = work / "index"
    shutil.copytree(index, tmp_path / "index")  # this test deletes; the others keep theirs
    copy = tmp_path / "index"
    rag.delete_collection("apache", index_dir=copy)
    names = {c.name for c in chromadb.PersistentClient(path=str(copy)).list_collections()}
    assert not {"c-apache", "m-apache"} & names
    assert not (copy / "lexical" / "c-apache").exists()
    assert [c.name for c in rag.collections(index_dir=copy)] == ["default", "gpl"]
    with pytest.raises(rag.CollectionError, match="no collection 'apache'"):
        rag.open(index_dir=copy, collection="apache", build=False)
    gpl = rag.open(index_dir=copy, collection="gpl", generator="extractive", build=False)
    assert not gpl.ask(PATENT_QUESTION).refused
    default = rag.open(index_dir=copy, generator="extractive", build=False)
    assert "Saudi Arabia" in default.ask(PEACE_QUESTION).text
    assert (work / "apache" / "LICENSE-2.0.txt").is_file()  # the documents are the user's
    with pytest.raises(rag.CollectionError, match="default collection cannot be deleted"):
        rag.delete_collection("default", index_dir=copy)


def test_an_index_from_before_collections_is_the_default_collection(work):
    """Before collections, the store wrote Chroma collections "paragraphs" and
    "paragraphs-files" and the BM25 arm under lexical/paragraphs: those are the default's."""
    index = work / "index"
    names = {c.name for c in chromadb.PersistentClient(path=str(index)).list_collections()}
    assert {"paragraphs", "paragraphs-files"} <= names
    assert (index / "lexical" / "paragraphs").is_dir()
    assert open_bot(work, "default").info().documents == open_bot(work).info().documents


def test_the_cli_lists_creates_and_asks_a_collection(work, tmp_path):
    shutil.copytree(work / "index", tmp_path / "index")
    index = str(tmp_path / "index")
    created = run_rag(
        "--index",
        index,
        "collections",
        "create",
        "news2",
        "--corpus",
        str(work / "news"),
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    asked = run_rag("--index", index, "--collection", "news2", "ask", PEACE_QUESTION, cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert "Saudi Arabia" in asked.stdout and ARTICLE.name in asked.stdout
    listed = run_rag("--index", index, "collections", cwd=tmp_path)
    assert [line.split(":")[0] for line in listed.stdout.splitlines()] == [
        "default",
        "apache",
        "gpl",
        "news2",
    ]
    # the global --corpus (another folder) does not clash with the new collection's own
    both = run_rag(
        "--index",
        index,
        "--corpus",
        str(tmp_path),
        "collections",
        "create",
        "news3",
        "--corpus",
        str(work / "news"),
        cwd=tmp_path,
    )
    assert both.returncode == 0, both.stderr
    listed = {c.name: c for c in rag.collections(index_dir=tmp_path / "index")}
    assert listed["news3"].corpus_dir == str((work / "news").resolve())
    unknown = run_rag("--index", index, "--collection", "nope", "ask", "x", cwd=tmp_path)
    assert unknown.returncode == 2
    assert len(unknown.stderr.strip().splitlines()) == 1
    assert "no collection 'nope'" in unknown.stderr
