"""The `rag` command, run as a user would run it: in a subprocess."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ARTICLE, run_rag

pytestmark = pytest.mark.slow  # the embedding model, a server, a browser or the `rag` command


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A working directory with corpus/ holding the article and an index built by `rag ingest`."""
    root = tmp_path_factory.mktemp("project")
    (root / "corpus").mkdir()
    shutil.copy(ARTICLE, root / "corpus")
    result = run_rag("ingest", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "added 1, updated 0, removed 0, unchanged 0 file(s); 11 paragraphs" in result.stdout
    return root


def test_help_lists_the_commands(tmp_path):
    result = run_rag("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("ingest", "ask", "chat", "info"):
        assert command in result.stdout


def test_ask_prints_the_answer_and_its_citation(project):
    result = run_rag("ask", "Which country hosted the latest round of peace talks?", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Saudi Arabia" in result.stdout.splitlines()[0]
    assert "[1] ukraine-russia-ceasefire-talks.txt ¶2 (line 3)" in result.stdout
    assert '"Ceasefire Talks – Key Players and Negotiations"' in result.stdout


def test_ask_json_is_the_answer_object(project):
    result = run_rag("ask", "--json", "Who is the Kremlin spokesperson?", cwd=project)
    answer = json.loads(result.stdout)
    assert answer["refused"] is False
    assert answer["citations"][0]["source"] == "ukraine-russia-ceasefire-talks.txt"
    assert answer["citations"][0]["paragraph"] == 6


def test_ask_out_of_corpus_question_is_refused(project):
    result = run_rag("ask", "What is the capital of Australia?", cwd=project)
    assert result.returncode == 0
    assert result.stdout.startswith("I could not find this in the documents.")
    assert "Closest passages" in result.stdout


@pytest.mark.parametrize("question", ["???", "is it?"])
def test_question_without_words_is_refused_without_a_traceback(project, question):
    """Regression: a question of stop-words or punctuation crashed inside bm25s."""
    result = run_rag("ask", question, cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("I could not find this in the documents.")
    assert "Traceback" not in result.stderr


def test_second_ingest_changes_nothing(project):
    result = run_rag("ingest", cwd=project)
    assert "added 0, updated 0, removed 0, unchanged 1 file(s); 11 paragraphs" in result.stdout


def test_info_counts_documents_and_paragraphs(project):
    result = run_rag("info", "--json", cwd=project)
    info = json.loads(result.stdout)
    assert info["documents"] == {"ukraine-russia-ceasefire-talks.txt": 11}
    assert info["embed_model"] == "all-MiniLM-L6-v2" and info["store"] == "embedded Chroma"


def test_info_on_an_empty_index_reports_it_and_builds_nothing(tmp_path):
    (tmp_path / "corpus").mkdir()
    shutil.copy(ARTICLE, tmp_path / "corpus")
    result = run_rag("info", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["documents"] == {}
    assert not (tmp_path / "index" / "lexical").exists()
    again = run_rag("info", cwd=tmp_path)
    assert "documents: 0, paragraphs: 0" in again.stdout


def test_chat_answers_a_follow_up(project):
    result = run_rag(
        "chat", cwd=project, stdin="Who is the Kremlin spokesperson?\nWhat did he say?\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Dmitry Peskov" in result.stdout
    assert "(searched for: What did Dmitry Peskov say?)" in result.stdout
    assert "scrutinizing the details" in result.stdout


def test_ask_builds_an_empty_index_from_the_corpus_first(tmp_path):
    (tmp_path / "corpus").mkdir()
    shutil.copy(ARTICLE, tmp_path / "corpus")
    result = run_rag("ask", "Who is the Kremlin spokesperson?", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Dmitry Peskov" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ask", "   "), "the question is empty"),
        (("ask", "x" * 100_000), "the question is too long"),
        (("ingest", "missing-dir"), "no such file or directory: missing-dir"),
        (("--chroma-url", "http://127.0.0.1:9", "info"), "cannot reach the Chroma server"),
        (("--generator", "oracle", "ask", "Who?"), "unknown generator 'oracle'"),
    ],
)
def test_user_mistakes_give_one_line_and_exit_code_2(project, args, message):
    result = run_rag(*args, cwd=project)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("rag: error: ") and message in line
    assert "Traceback" not in result.stderr


def test_empty_corpus_is_a_clear_error(tmp_path):
    (tmp_path / "corpus").mkdir()
    result = run_rag("ingest", cwd=tmp_path)
    assert result.returncode == 2
    assert "no supported documents" in result.stderr


def test_ask_ignores_a_web_chat_that_is_no_longer_running(project):
    """An announcement left by a killed `rag serve` is ignored: the question is answered here."""
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    announcement = project / "index" / ".serve.json"
    announcement.write_text(
        json.dumps(
            {
                "url": "http://127.0.0.1:9/",
                "pid": int(dead),
                "index": str((project / "index").resolve()),
            }
        )
    )
    try:
        result = run_rag("ask", "Who is the Kremlin spokesperson?", cwd=project)
    finally:
        announcement.unlink()
    assert result.returncode == 0, result.stderr
    assert "Dmitry Peskov" in result.stdout and "answered by the web chat" not in result.stderr
