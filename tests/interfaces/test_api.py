"""`rag serve`'s API through the real clients: the `openai` package against /v1 (streamed and
not, follow-ups, errors), and httpx against the REST API for documents (/api)."""

from __future__ import annotations

import json
import shutil

import httpx
import openai
import pytest
from hypothesis import HealthCheck, given, settings

import rag
from tests.conftest import ARTICLE, free_port, require_local_llm, run_rag
from tests.interfaces.test_fuzz import questions as fuzzed_questions
from ui.app import serve

pytestmark = pytest.mark.slow  # the embedding model (and the LLM) behind a real server

KEY = "test-key-7f3a"
QUESTION = "Which country hosted the latest round of peace talks?"
ARTICLE_NAME = ARTICLE.name
UPLOADED = (
    "The lighthouse keeper Ingrid Solberg repainted the Kvitnes tower in ochre in 1931, "
    "after the winter storm had stripped its old white paint.\n"
)
MODELS = ["rag-extractive", "rag-local"]


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """A running `rag serve` with an API key, over the article, answering with extractive by
    default (rag-local answers with the packaged model)."""
    work = tmp_path_factory.mktemp("api")
    (work / "corpus").mkdir()
    shutil.copy(ARTICLE, work / "corpus")
    settings = rag.load_settings(
        corpus_dir=work / "corpus",
        index_dir=work / "index",
        generator="extractive",
        api_key=KEY,
        upload_max_mb=1,
        api_max_files=2,
    )
    port = free_port()
    server = serve(settings, port=port, block=False)
    base = f"http://127.0.0.1:{port}"
    yield base, work
    server.close()


def model_or_skip(model: str) -> str:
    if model == "rag-local":
        require_local_llm()
    return model


@pytest.fixture
def client(api):
    return openai.OpenAI(base_url=f"{api[0]}/v1", api_key=KEY, timeout=300, max_retries=0)


@pytest.fixture
def rest(api):
    with httpx.Client(
        base_url=f"{api[0]}/api", headers={"Authorization": f"Bearer {KEY}"}, timeout=300
    ) as session:
        yield session


def test_models_lists_rag_and_each_generator(client):
    ids = [model.id for model in client.models.list()]
    assert ids[:2] == ["rag", "rag-extractive"]
    assert set(ids) <= {"rag", "rag-extractive", "rag-local", "rag-openai"}


@pytest.mark.parametrize("model", MODELS)
def test_openai_client_gets_the_answer_its_sources_and_the_citations(client, model):
    response = client.chat.completions.create(
        model=model_or_skip(model), messages=[{"role": "user", "content": QUESTION}]
    )
    choice = response.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    answer, _, sources = choice.message.content.partition("\n\n**Sources**\n\n")
    assert "Saudi Arabia" in answer and "[1]" in answer
    assert sources.startswith(f"- [1] {ARTICLE_NAME} ¶2 (line 3)")
    extra = response.model_extra
    assert extra["refused"] is False
    first = extra["citations"][0]
    assert (first["marker"], first["file"], first["paragraph"], first["lines"]) == (
        1,
        ARTICLE_NAME,
        2,
        [3, 3],
    )
    assert first["quote"] and first["quote"] in first["text"]
    assert first["heading"] == "Ceasefire Talks – Key Players and Negotiations"
    assert 0 < first["score"] <= 1


@pytest.mark.parametrize("model", MODELS)
def test_openai_client_streams_the_answer_then_the_citations(client, model):
    stream = client.chat.completions.create(
        model=model_or_skip(model),
        messages=[{"role": "user", "content": QUESTION}],
        stream=True,
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    content = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "Saudi Arabia" in content and f"- [1] {ARTICLE_NAME} ¶2" in content
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert [c.choices[0].finish_reason for c in chunks[:-1]] == [None] * (len(chunks) - 1)
    assert last.model_extra["citations"][0]["paragraph"] == 2
    assert len({c.id for c in chunks}) == 1
    drafts = [(c.choices[0].delta.model_extra or {}).get("reasoning_content") for c in chunks]
    if model == "rag-local":  # the model's draft, shown as it is written, never as content
        assert "".join(d for d in drafts if d).strip()


@pytest.mark.parametrize("model", MODELS)
def test_a_follow_up_is_answered_from_the_conversation(client, model):
    first = client.chat.completions.create(
        model=model_or_skip(model),
        messages=[{"role": "user", "content": "Who is the Kremlin spokesperson?"}],
    )
    assert "Peskov" in first.choices[0].message.content
    follow_up = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Who is the Kremlin spokesperson?"},
            {"role": "assistant", "content": first.choices[0].message.content},
            {"role": "user", "content": "What did he say?"},
        ],
    )
    assert "scrutinizing the details" in follow_up.choices[0].message.content
    assert follow_up.model_extra["citations"][0]["paragraph"] == 6


def test_a_refusal_is_an_ordinary_assistant_message(client):
    response = client.chat.completions.create(
        model="rag", messages=[{"role": "user", "content": "What is the capital of Australia?"}]
    )
    assert response.choices[0].finish_reason == "stop"
    assert response.choices[0].message.content == "I could not find this in the documents."
    assert response.model_extra["refused"] is True and response.model_extra["citations"] == []


def test_bad_chat_requests_get_openai_errors(client, api):
    with pytest.raises(openai.NotFoundError) as unknown:
        client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": QUESTION}]
        )
    assert unknown.value.code == "model_not_found" and "gpt-4o" in unknown.value.message
    with pytest.raises(openai.BadRequestError, match="non-empty list"):
        client.chat.completions.create(model="rag", messages=[])
    with pytest.raises(openai.BadRequestError, match="the question is empty"):
        client.chat.completions.create(model="rag", messages=[{"role": "user", "content": " "}])
    with pytest.raises(openai.BadRequestError, match="last message must be the user"):
        client.chat.completions.create(
            model="rag", messages=[{"role": "assistant", "content": "Hello"}]
        )
    wrong_key = openai.OpenAI(base_url=f"{api[0]}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as refused:
        wrong_key.models.list()
    assert refused.value.code == "invalid_api_key"

    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    url = f"{api[0]}/v1/chat/completions"
    malformed = httpx.post(url, content=b'{"model": "rag", "messages": [', headers=headers)
    assert malformed.status_code == 400
    assert "not valid JSON" in malformed.json()["error"]["message"]
    assert malformed.json()["error"]["type"] == "invalid_request_error"
    huge = httpx.post(
        url, content=b'{"model": "rag", "x": "' + b"a" * 2**21 + b'"}', headers=headers
    )
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "request_too_large"
    assert "1024 KB" in huge.json()["error"]["message"]


@pytest.mark.parametrize("generator", ["extractive", "local"])
def test_rest_upload_ask_delete_then_the_answer_is_gone(rest, api, tmp_path, generator):
    if generator == "local":
        require_local_llm()
    _, work = api
    note = tmp_path / "keeper's notes.md"
    note.write_text(UPLOADED)
    with note.open("rb") as handle:
        added = rest.post("/documents", files=[("files", (note.name, handle, "text/markdown"))])
    assert added.status_code == 200, added.text
    assert added.json()["added"] == 1 and added.json()["rejected"] == []
    stored = "keeper_s notes.md"  # the name made safe
    listed = {d["file"]: d["paragraphs"] for d in rest.get("/documents").json()["documents"]}
    assert listed[stored] == 1 and ARTICLE_NAME in listed

    question = {"question": "What colour did Ingrid Solberg repaint the tower?"}
    answer = rest.post("/ask", json=question | {"generator": generator}).json()
    assert answer["generator"].startswith(generator)  # "local+extractive": it quoted
    assert not answer["refused"] and "ochre" in answer["text"]
    assert answer["citations"][0]["source"] == stored
    passages = rest.post("/retrieve", json=question | {"k": 2}).json()["passages"]
    assert [p["file"] for p in passages] == [stored, ARTICLE_NAME]
    assert passages[0]["file"] == stored and passages[0]["score"] > passages[1]["score"]

    deleted = rest.delete(f"/documents/{stored}")
    assert deleted.status_code == 200 and deleted.json()["removed"] == 1
    assert not (work / "corpus" / stored).exists()
    assert stored not in {d["file"] for d in rest.get("/documents").json()["documents"]}
    assert rest.post("/ask", json=question | {"generator": generator}).json()["refused"] is True


def test_rest_errors_name_the_problem_and_change_nothing(rest, api, tmp_path):
    _, work = api
    before = sorted(p.name for p in (work / "corpus").iterdir())
    program = tmp_path / "tool.exe"
    program.write_bytes(b"MZ")
    with program.open("rb") as handle:
        rejected = rest.post("/documents", files=[("files", ("tool.exe", handle))])
    assert rejected.status_code == 400 and "tool.exe: not a supported type" in rejected.text
    broken = tmp_path / "report.pdf"
    broken.write_bytes(b"%PDF-1.7 this is not really a PDF")
    with broken.open("rb") as handle:
        unreadable = rest.post("/documents", files=[("files", ("report.pdf", handle))])
    assert unreadable.status_code == 422 and "report.pdf" in unreadable.json()["detail"]
    too_many = [("files", (f"n{i}.txt", b"x" * 2**20)) for i in range(4)]
    assert rest.post("/documents", files=too_many).status_code == 413
    missing = rest.delete("/documents/..%2F..%2Fetc%2Fpasswd")
    assert missing.status_code == 404 and "no document" in missing.json()["detail"]
    assert rest.delete("/documents/nothing-here.txt").status_code == 404
    assert rest.post("/ask", json={"question": ""}).json()["detail"] == "the question is empty"
    unknown = rest.post("/ask", json={"question": QUESTION, "generator": "gpt"})
    assert unknown.status_code == 404 and "no generator 'gpt'" in unknown.json()["detail"]
    assert httpx.get(f"{api[0]}/api/documents").status_code == 401  # no key
    assert sorted(p.name for p in (work / "corpus").iterdir()) == before


def test_openapi_docs_describe_the_routes(api):
    assert httpx.get(f"{api[0]}/docs").status_code == 200
    paths = httpx.get(f"{api[0]}/openapi.json").json()["paths"]
    assert {"/v1/models", "/v1/chat/completions", "/api/documents", "/api/ask"} <= set(paths)
    assert "delete" in paths["/api/documents/{file}"]


def test_the_web_chat_is_served_beside_the_api(api):
    page = httpx.get(api[0] + "/")
    assert page.status_code == 200 and "gradio" in page.text.lower()


def test_serving_beyond_loopback_needs_an_api_key(tmp_path):
    result = run_rag("serve", "--host", "0.0.0.0", "--port", str(free_port()), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "rag: error: serving on 0.0.0.0 needs an API key: set RAG_API_KEY (the API under /v1 "
        "and /api would be open to anyone who can reach it)"
    ]


def test_a_question_waiting_for_the_model_is_told_and_a_closed_stream_frees_it(client):
    """Two streamed questions to the local model: the second is told it waits; when the
    first client goes away mid-answer, the second is answered."""
    model = model_or_skip("rag-local")
    first = client.chat.completions.create(
        model=model,
        stream=True,
        messages=[{"role": "user", "content": "What does Zelenskyy demand, and why?"}],
    )
    for chunk in first:  # until the model is writing the first answer
        if (chunk.choices[0].delta.model_extra or {}).get("reasoning_content"):
            break
    second = client.chat.completions.create(
        model=model, stream=True, messages=[{"role": "user", "content": QUESTION}]
    )
    notices, content = [], ""
    for chunk in second:
        delta = chunk.choices[0].delta
        reasoning = (delta.model_extra or {}).get("reasoning_content") or ""
        if reasoning.startswith("Waiting for the model"):
            notices.append(reasoning)
            first.close()  # the first user goes away
        content += delta.content or ""
    assert notices and notices[0].startswith("Waiting for the model: 1 question(s) ahead")
    assert "Saudi Arabia" in content


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(content=fuzzed_questions)
def test_any_message_ends_in_an_answer_a_refusal_or_one_openai_error(api, content):
    # JSON with \u escapes, as json.dumps writes it: a lone surrogate (which UTF-8 cannot
    # carry) still reaches the server, escaped, as a real client may send it
    body = json.dumps({"model": "rag", "messages": [{"role": "user", "content": content}]})
    reply = httpx.post(
        f"{api[0]}/v1/chat/completions",
        content=body,
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
        timeout=120,
    )
    if reply.status_code == 200:
        assert reply.json()["choices"][0]["message"]["content"].strip()
    else:
        assert reply.status_code == 400, reply.text
        message = reply.json()["error"]["message"]
        assert message and "\n" not in message and "Traceback" not in message
