"""Reading OpenAI chat requests: what becomes the question and what the conversation before it."""

from __future__ import annotations

import json

import pytest

from rag.interfaces.openai_chat import ChatRequestError, message_content, parse_request
from rag.types import Answer, Citation

GENERATORS = ["extractive", "local"]


def parse(body) -> object:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse_request(raw, "local", GENERATORS)


def test_the_last_user_turn_is_the_question_and_the_pairs_before_it_the_history():
    earlier = Answer(
        "Who is the Kremlin spokesperson?",
        "Kremlin spokesperson Dmitry Peskov stated … [1].",
        [Citation("a.txt", 6, None, (9, 9), "Kremlin spokesperson Dmitry Peskov …", 0.4)],
        False,
        [],
    )
    request = parse(
        {
            "model": "rag-extractive",
            "stream": True,
            "messages": [
                {"role": "system", "content": "Answer in French."},
                {"role": "user", "content": "Who is the Kremlin spokesperson?"},
                {"role": "assistant", "content": message_content(earlier)},
                {"role": "user", "content": "What is the capital of Australia?"},
                {"role": "assistant", "content": "I could not find this in the documents."},
                {"role": "user", "content": [{"type": "text", "text": "What did he say?"}]},
            ],
        }
    )
    assert (request.generator, request.stream) == ("extractive", True)
    assert request.question == "What did he say?"
    first, second = request.history
    assert first.text == "Kremlin spokesperson Dmitry Peskov stated … [1]."  # no Sources list
    assert not first.refused and second.refused  # a refusal is never context
    assert parse({"model": "rag", "messages": [{"role": "user", "content": "x"}]}).generator == (
        "local"
    )


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 400, "not valid JSON"),
        ([1, 2], 400, "must be a JSON object"),
        ({"messages": [{"role": "user", "content": "q"}]}, 400, "provide a model"),
        ({"model": "gpt-4o", "messages": []}, 404, "'gpt-4o' does not exist"),
        ({"model": "rag", "messages": []}, 400, "non-empty list"),
        ({"model": "rag", "messages": [{"content": "q"}]}, 400, "with a 'role'"),
        ({"model": "rag", "messages": [{"role": "user", "content": 3}]}, 400, "string or a list"),
        ({"model": "rag", "messages": [{"role": "system", "content": "q"}]}, 400, "last message"),
        (
            {"model": "rag", "stream": "yes", "messages": [{"role": "user", "content": "q"}]},
            400,
            "'stream' must be",
        ),
    ],
)
def test_a_request_openai_would_refuse_is_refused_the_same_way(body, status, message):
    with pytest.raises(ChatRequestError) as refused:
        parse(body)
    assert refused.value.status == status and message in refused.value.message
    assert set(refused.value.body()["error"]) == {"message", "type", "param", "code"}
