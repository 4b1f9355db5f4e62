"""Collections and scope through a running `rag serve`, and several users on it.

The REST API, the OpenAI-compatible endpoint and the web chat (gradio_client) answer from the
chosen collection and documents only; an unknown collection or an empty scope is one clear
error. Each user sees only the collections an admin gave them, through every one of them, even
when asking for another's collection by name; a wrong password or key gets nothing. (One server
for both: the admin's key sees every collection, as a server without users does.)

Material: Debian's licence texts (/usr/share/common-licenses) and the bundled article."""

from __future__ import annotations

import shutil
import time

import httpx
import openai
import pytest

import rag
from tests.conftest import ARTICLE, free_port, run_rag
from tests.licences import PATENT_QUESTION, PEACE_QUESTION, copy_licences
from ui.app import serve

pytestmark = pytest.mark.slow  # the embedding model behind a real server

ADMIN_KEY = "admin-key-5e1f"
LICENCE_FILES = {"GPL-3.txt", "Apache-2.0.txt", "MPL-2.0.txt"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The article in the default collection, which bob sees; three licences in "licences",
    which alice sees. Users added with `rag users add`, as an admin would."""
    work = tmp_path_factory.mktemp("users")
    (work / "corpus").mkdir()
    shutil.copy(ARTICLE, work / "corpus")
    copy_licences(work / "licences", ["GPL-3", "Apache-2.0", "MPL-2.0"])
    rag.ingest([work / "licences"], index_dir=work / "index", collection="licences")
    keys = {}
    for name, collections in (("alice", "licences"), ("bob", "default")):
        added = run_rag(
            "users",
            "add",
            name,
            "--file",
            str(work / "users.toml"),
            "--collections",
            collections,
            "--password-stdin",
            cwd=work,
            stdin=f"{name}-password\n",
        )
        assert added.returncode == 0, added.stderr
        keys[name] = added.stdout.rsplit(": ", 1)[1].strip()
    assert "alice-password" not in (work / "users.toml").read_text()
    settings = rag.load_settings(
        corpus_dir=work / "corpus",
        index_dir=work / "index",
        generator="extractive",
        api_key=ADMIN_KEY,
        users_file=work / "users.toml",
    )
    users = rag.interfaces.users.Users.load(work / "users.toml")
    port = free_port()
    server = serve(settings, port=port, block=False, users=users)
    base = f"http://127.0.0.1:{port}"
    admin = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    deadline = time.monotonic() + 180
    while admin.get("/api/documents").json()["documents"] == [] and time.monotonic() < deadline:
        time.sleep(0.5)  # the default collection is built on first start
    yield base, keys
    server.close()


def client_of(served, name: str) -> httpx.Client:
    base, keys = served
    return httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {keys[name]}"}, timeout=300
    )


def test_each_user_lists_and_is_answered_from_their_own_collections(served):
    alice, bob = client_of(served, "alice"), client_of(served, "bob")
    assert alice.get("/api/collections").json() == {"collections": ["licences"]}
    assert bob.get("/api/collections").json() == {"collections": ["default"]}
    answer = bob.post("/api/ask", json={"question": PEACE_QUESTION}).json()
    assert "Saudi Arabia" in answer["text"]
    # alice asks the same, without naming a collection: hers is used, the article never shows
    reply = alice.post("/api/ask", json={"question": PEACE_QUESTION})
    assert reply.status_code == 200
    assert ARTICLE.name not in reply.text and "Saudi" not in reply.text
    found = alice.post("/api/retrieve", json={"question": PEACE_QUESTION, "k": 10}).json()
    assert {p["file"] for p in found["passages"]} <= LICENCE_FILES


def test_asking_for_another_users_collection_by_name_reveals_nothing(served):
    alice = client_of(served, "alice")
    theirs = alice.post("/api/ask", json={"question": PEACE_QUESTION, "collection": "default"})
    missing = alice.post("/api/ask", json={"question": PEACE_QUESTION, "collection": "absent"})
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"] == "no collection 'default'; yours: licences"
    assert missing.json()["detail"] == "no collection 'absent'; yours: licences"
    for response in (
        alice.get("/api/documents", params={"collection": "default"}),
        alice.post("/api/retrieve", json={"question": PEACE_QUESTION, "collection": "default"}),
        alice.post("/api/ingest", params={"collection": "default"}),
        alice.delete(f"/api/documents/{ARTICLE.name}", params={"collection": "default"}),
    ):
        assert response.status_code == 404
        assert ARTICLE.name not in response.text and "paragraphs" not in response.text
    bob = client_of(served, "bob")
    reply = bob.post("/api/ask", json={"question": PATENT_QUESTION, "collection": "licences"})
    assert reply.status_code == 404 and "GPL" not in reply.text


def test_the_openai_endpoint_keeps_users_apart(served):
    base, keys = served
    alice = openai.OpenAI(base_url=f"{base}/v1", api_key=keys["alice"], max_retries=0)
    with pytest.raises(openai.NotFoundError, match="no collection 'default'; yours: licences"):
        alice.chat.completions.create(
            model="rag",
            messages=[{"role": "user", "content": PEACE_QUESTION}],
            extra_body={"collection": "default"},
        )
    reply = alice.chat.completions.create(
        model="rag", messages=[{"role": "user", "content": PATENT_QUESTION}]
    )
    assert {c["file"] for c in reply.model_extra["citations"]} <= LICENCE_FILES
    wrong = openai.OpenAI(base_url=f"{base}/v1", api_key="rag-not-a-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        wrong.chat.completions.create(
            model="rag", messages=[{"role": "user", "content": PEACE_QUESTION}]
        )


def test_a_password_logs_in_to_the_api_and_a_wrong_one_gets_nothing(served):
    base, _ = served
    good = httpx.get(f"{base}/api/collections", auth=("bob", "bob-password"))
    assert good.json() == {"collections": ["default"]}
    bad = httpx.get(f"{base}/api/documents", auth=("bob", "alice-password"))
    assert bad.status_code == 401 and ARTICLE.name not in bad.text


def test_the_web_chat_shows_and_answers_only_the_users_collections(served):
    from gradio_client import Client

    base, _ = served
    alice = Client(f"{base}/", auth=("alice", "alice-password"), verbose=False)
    banner, table, _, picker = alice.predict(api_name="/status")
    assert ARTICLE.name not in str(table) and "GPL-3.txt" in str(table)
    assert "default" not in str(picker)
    with pytest.raises(Exception, match="no collection 'default'; yours: licences"):
        alice.predict(PEACE_QUESTION, "default", [], api_name="/ask")
    _, history, sources, *_ = alice.predict(PATENT_QUESTION, "licences", [], api_name="/ask")
    assert ARTICLE.name not in str(history) + str(sources)
    with pytest.raises(Exception):  # noqa: B017 - gradio_client's own login error
        Client(f"{base}/", auth=("alice", "wrong"), verbose=False)


def cited(answer: dict) -> set[str]:
    return {c["source"] for c in answer["citations"]}


def admin_client(served) -> httpx.Client:
    return httpx.Client(
        base_url=served[0], headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=300
    )


def test_the_rest_api_answers_from_the_chosen_collection_and_documents(served):
    http = admin_client(served)
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
    http = admin_client(served)
    response = http.post("/api/ask", json={"question": PEACE_QUESTION, "collection": "other"})
    assert response.status_code == 404
    assert response.json()["detail"].startswith("no collection 'other' in ")
    response = http.post("/api/ask", json={"question": PEACE_QUESTION, "only": ["nope/*"]})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("no document matches 'nope/*'")
    assert http.get("/api/documents", params={"collection": "other"}).status_code == 404


def test_the_openai_endpoint_takes_the_collection_and_documents(served):
    base, _ = served
    client = openai.OpenAI(base_url=f"{base}/v1", api_key=ADMIN_KEY, timeout=300, max_retries=0)
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
    client = Client(f"{base}/", auth=("alice", "alice-password"), verbose=False)
    _, history, sources, *_ = client.predict(
        PATENT_QUESTION, "licences", ["GPL-3.txt"], api_name="/ask"
    )
    assert "patent" in history[-1]["content"][0]["text"]
    assert "GPL-3.txt" in sources
    assert "Apache-2.0.txt" not in sources and "MPL-2.0.txt" not in sources
    bob = Client(f"{base}/", auth=("bob", "bob-password"), verbose=False)
    _, history, *_ = bob.predict(PEACE_QUESTION, "default", [], api_name="/ask")
    assert "Saudi Arabia" in history[-1]["content"][0]["text"]
