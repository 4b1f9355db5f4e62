"""Collections and scope through a running `rag serve`: the REST API, the OpenAI-compatible
endpoint and the web chat (gradio_client) each answer from the chosen collection and
documents only, and an unknown collection or an empty scope is one clear error.

Material: Debian's licence texts (/usr/share/common-licenses) and the bundled article."""

from __future__ import annotations

import shutil
import time

import httpx
import openai
import pytest

import rag
from tests.conftest import ARTICLE, free_port
from tests.licences import PATENT_QUESTION, PEACE_QUESTION, copy_licences
from ui.app import serve

pytestmark = pytest.mark.slow  # the embedding model behind a real server

KEY = "test-key-c0l1"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A server on an index whose default collection holds the article and whose
    "licences" collection holds three licences."""
    work = tmp_path_factory.mktemp("served-collections")
    (work / "corpus").mkdir()
    shutil.copy(ARTICLE, work / "corpus")
    copy_licences(work / "licences", ["GPL-3", "Apache-2.0", "MPL-2.0"])
    rag.ingest([work / "licences"], index_dir=work / "index", collection="licences")
    settings = rag.load_settings(
        corpus_dir=work / "corpus", index_dir=work / "index", generator="extractive", api_key=KEY
    )
    port = free_port()
    server = serve(settings, port=port, block=False)
    base = f"http://127.0.0.1:{port}"
    http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=300)
    deadline = time.monotonic() + 180
    while http.get("/api/documents").json()["documents"] == [] and time.monotonic() < deadline:
        time.sleep(0.5)  # the default collection is built on first start
    yield base, http
    server.close()


def cited(answer: dict) -> set[str]:
    return {c["source"] for c in answer["citations"]}


def test_the_rest_api_answers_from_the_chosen_collection_and_documents(served):
    _, http = served
    assert http.get("/api/collections").json() == {"collections": ["default", "licences"]}
    listed = http.get("/api/documents", params={"collection": "licences"}).json()
    files = {d["file"] for d in listed["documents"]}
    assert files == {"GPL-3.txt", "Apache-2.0.txt", "MPL-2.0.txt"}
    default = http.post("/api/ask", json={"question": PATENT_QUESTION}).json()
    assert cited(default) <= {ARTICLE.name}
    licences = http.post(
        "/api/ask", json={"question": PATENT_QUESTION, "collection": "licences"}
    ).json()
    assert not licences["refused"] and cited(licences) <= {
        "GPL-3.txt",
        "Apache-2.0.txt",
        "MPL-2.0.txt",
    }
    only = http.post(
        "/api/ask",
        json={"question": PATENT_QUESTION, "collection": "licences", "only": ["MPL-2.0.txt"]},
    ).json()
    assert cited(only) == {"MPL-2.0.txt"}
    assert {p["source"] for p in only["passages"]} == {"MPL-2.0.txt"}


def test_an_unknown_collection_or_empty_scope_is_one_clear_error(served):
    _, http = served
    response = http.post("/api/ask", json={"question": PEACE_QUESTION, "collection": "other"})
    assert response.status_code == 404
    assert response.json()["detail"].startswith("no collection 'other' in ")
    response = http.post("/api/ask", json={"question": PEACE_QUESTION, "only": ["nope/*"]})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("no document matches 'nope/*'")
    assert http.get("/api/documents", params={"collection": "other"}).status_code == 404


def test_the_openai_endpoint_takes_the_collection_and_documents(served):
    base, _ = served
    client = openai.OpenAI(base_url=f"{base}/v1", api_key=KEY, timeout=300, max_retries=0)
    reply = client.chat.completions.create(
        model="rag",
        messages=[{"role": "user", "content": PATENT_QUESTION}],
        extra_body={"collection": "licences", "only": ["Apache-2.0.txt"]},
    )
    sources = {c["file"] for c in reply.model_extra["citations"]}
    assert sources == {"Apache-2.0.txt"}
    with pytest.raises(openai.NotFoundError, match="no collection 'other'"):
        client.chat.completions.create(
            model="rag",
            messages=[{"role": "user", "content": PEACE_QUESTION}],
            extra_body={"collection": "other"},
        )


def test_the_web_chat_answers_from_the_picked_collection(served):
    from gradio_client import Client

    base, _ = served
    client = Client(f"{base}/", verbose=False)
    _, history, sources, *_ = client.predict(
        PATENT_QUESTION, "licences", ["GPL-3.txt"], api_name="/ask"
    )
    assert "patent" in history[-1]["content"][0]["text"]
    assert "GPL-3.txt" in sources
    assert "Apache-2.0.txt" not in sources and "MPL-2.0.txt" not in sources
    _, history, *_ = client.predict(PEACE_QUESTION, "default", [], api_name="/ask")
    assert "Saudi Arabia" in history[-1]["content"][0]["text"]
