"""The same pipeline through Chroma's own server (`chroma run`), started on loopback."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rag
from tests.conftest import ARTICLE, free_port

pytestmark = pytest.mark.slow  # the embedding model, a server, a browser or the `rag` command


def start_chroma(data: Path, port: int) -> subprocess.Popen:
    """`chroma run` on loopback, once it accepts connections."""
    chroma = Path(sys.executable).parent / "chroma"
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    pytest.fail("chroma run did not start within 60 s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    port = free_port()
    server = start_chroma(tmp_path_factory.mktemp("chroma-server"), port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)


def test_ingest_and_ask_through_a_chroma_server(chroma_url, corpus, tmp_path):
    shutil.copy(ARTICLE, corpus)
    report = rag.ingest([corpus], chroma_url=chroma_url)
    assert (report.added, report.paragraphs) == (1, 11)
    assert rag.ingest([corpus], chroma_url=chroma_url).unchanged == 1

    bot = rag.open(chroma_url=chroma_url, corpus_dir=corpus, generator="extractive")
    assert bot.info().store == "Chroma server"
    assert not (tmp_path / "index").exists() or not any((tmp_path / "index").iterdir())
    answer = bot.ask("Which country hosted the latest round of peace talks?")
    assert "Saudi Arabia" in answer.text and answer.citations[0].paragraph == 2


def test_unreachable_server_is_a_clear_error():
    with pytest.raises(rag.StoreUnavailableError, match="cannot reach the Chroma server"):
        rag.open(chroma_url=f"http://127.0.0.1:{free_port()}")


def test_a_restarted_server_is_reconnected_on_the_next_question(corpus, tmp_path):
    shutil.copy(ARTICLE, corpus)
    port, data = free_port(), tmp_path / "chroma-data"
    url = f"http://127.0.0.1:{port}"
    server = start_chroma(data, port)
    try:
        rag.ingest([corpus], chroma_url=url)
        bot = rag.open(chroma_url=url, corpus_dir=corpus, generator="extractive")
        question = "Which country hosted the latest round of peace talks?"
        assert "Saudi Arabia" in bot.ask(question).text
        stop(server)
        with pytest.raises(rag.StoreUnavailableError, match="Chroma server") as down:
            bot.ask(question)
        assert "\n" not in str(down.value)
        server = start_chroma(data, port)
        assert "Saudi Arabia" in bot.ask(question).text  # the same bot, reconnected
    finally:
        stop(server)
