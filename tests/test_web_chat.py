"""The web chat through its API (gradio_client) and in a real headless Chromium (playwright)."""

from __future__ import annotations

import shutil
import time

import pytest

import rag
from tests.conftest import ARTICLE, free_port
from ui.app import serve

QUESTION = "Which country hosted the latest round of peace talks?"
HOSTILE = (
    "The lighthouse keeper Ingrid Solberg wrote <script>window.__pwned = 1</script> "
    '<img src=x onerror="window.__pwned = 2"> and **bold** [a link](javascript:alert(1)) here.\n'
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("web")
    (work / "corpus").mkdir()
    shutil.copy(ARTICLE, work / "corpus")
    (work / "corpus" / "lighthouse.txt").write_text(HOSTILE)
    settings = rag.load_settings(corpus_dir=work / "corpus", index_dir=work / "index")
    port = free_port()
    app = serve(settings, port=port, block=False)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    from gradio_client import Client

    client = Client(url, verbose=False)
    while time.monotonic() < deadline:  # the index builds in the background on first start
        if not client.predict(api_name="/status"):
            break
        time.sleep(1)
    yield url, work
    app.close()


def ask(client, question: str):
    _, history, sources = client.predict(question, [], api_name="/ask")
    return history[-1]["content"][0]["text"], sources


def test_api_answers_with_source_cards(server):
    from gradio_client import Client

    client = Client(server[0], verbose=False)
    text, sources = ask(client, QUESTION)
    assert "Saudi Arabia" in text and "(#source-1)" in text
    assert 'id="source-1"' in sources and "¶2" in sources and "<mark>" in sources


def test_api_refusal_shows_closest_passages(server):
    from gradio_client import Client

    text, sources = ask(Client(server[0], verbose=False), "What is the capital of Australia?")
    assert text.startswith("**Not found in the documents.**")
    assert "Closest passages looked at" in sources


def test_api_document_text_is_escaped(server):
    from gradio_client import Client

    text, sources = ask(Client(server[0], verbose=False), "What did the lighthouse keeper write?")
    assert "<script>" not in sources and "&lt;script&gt;" in sources
    assert "<img" not in sources and "<script>" not in text


def test_sessions_keep_separate_histories(server):
    from gradio_client import Client

    first, second = Client(server[0], verbose=False), Client(server[0], verbose=False)
    ask(first, "Who is the Kremlin spokesperson?")
    ask(second, "Which European nations voiced support for Ukraine's demands?")
    follow_up, _ = ask(first, "What did he say?")
    assert "scrutinizing the details" in follow_up
