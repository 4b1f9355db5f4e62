"""OpenAI's chat-completions format, read and written: a request's messages become a question and
the conversation before it; an Answer becomes a completion, or server-sent chunks.

The answer's text keeps its ``[n]`` markers and is followed by a Markdown "Sources" list; the
structured citations travel in an extra top-level field, ``citations`` (and ``refused``), on the
completion and on the last chunk. While a model drafts, the draft streams as
``delta.reasoning_content`` (what chat clients show as the model's thinking): only the checked
answer is ever ``content``, because a draft can lose sentences the paragraphs do not support.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from rag.answering.compose import REFUSAL_PREFIX
from rag.chat import standalone_query
from rag.interfaces.presentation import citation_record, sources_markdown
from rag.types import Answer

MODEL_PREFIX = "rag"  # "rag" is the configured generator; "rag-NAME" names one
SOURCES_HEADING = "\n\n**Sources**"


class ChatRequestError(Exception):
    """A request OpenAI's API would refuse: its HTTP status and error object."""

    def __init__(
        self, status: int, message: str, code: str | None = None, param: str | None = None
    ):
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param

    def body(self) -> dict:
        return error_body(self.message, "invalid_request_error", self.param, self.code)


def error_body(message: str, kind: str, param: str | None = None, code: str | None = None):
    """An OpenAI-style error object."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


@dataclass(frozen=True)
class ChatRequest:
    """What a chat-completions request asks: the last user turn, the turns before it (as
    Answers, for follow-up rewriting), the generator and whether to stream."""

    model: str
    generator: str
    question: str
    history: list[Answer]
    stream: bool
    # rag's own fields (``extra_body`` in the openai client): the collection to answer from,
    # and the documents within it (files, folders, glob patterns)
    collection: str | None = None
    only: list[str] | None = None


def model_ids(default: str, generators: list[str]) -> dict[str, str]:
    """Model id -> generator: ``rag`` (the configured one) and ``rag-NAME`` for each."""
    return {MODEL_PREFIX: default} | {f"{MODEL_PREFIX}-{name}": name for name in generators}


def models_list(default: str, generators: list[str]) -> dict:
    """The ``GET /v1/models`` body."""
    created = int(time.time())
    return {
        "object": "list",
        "data": [
            {"id": model, "object": "model", "created": created, "owned_by": "rag"}
            for model in model_ids(default, generators)
        ],
    }


def parse_request(body: bytes, default: str, generators: list[str]) -> ChatRequest:
    """The request in ``body``; ChatRequestError for malformed JSON, a missing or unknown
    model, no messages, or a conversation that does not end with the user's question."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ChatRequestError(
            400, "We could not parse the JSON body of your request: it is not valid JSON."
        ) from None
    if not isinstance(data, dict):
        raise ChatRequestError(400, "The request body must be a JSON object.")
    model = data.get("model")
    if not isinstance(model, str) or not model:
        raise ChatRequestError(400, "You must provide a model parameter.", param="model")
    models = model_ids(default, generators)
    if model not in models:
        raise ChatRequestError(
            404,
            f"The model '{model}' does not exist; available: {', '.join(models)}.",
            code="model_not_found",
            param="model",
        )
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ChatRequestError(
            400, "'messages' must be a non-empty list of messages.", param="messages"
        )
    turns = [_message(item, number) for number, item in enumerate(messages)]
    turns = [(role, text) for role, text in turns if role in ("user", "assistant")]
    if not turns or turns[-1][0] != "user":
        raise ChatRequestError(
            400, "The last message must be the user's question.", param="messages"
        )
    stream = data.get("stream", False)
    if not isinstance(stream, bool):
        raise ChatRequestError(400, "'stream' must be true or false.", param="stream")
    collection = data.get("collection")
    if collection is not None and not isinstance(collection, str):
        raise ChatRequestError(400, "'collection' must be a string.", param="collection")
    only = data.get("only")
    if only is not None and not (isinstance(only, list) and all(isinstance(p, str) for p in only)):
        raise ChatRequestError(400, "'only' must be a list of paths or patterns.", param="only")
    return ChatRequest(
        model, models[model], turns[-1][1], _history(turns[:-1]), stream, collection, only
    )


def _message(item: Any, number: int) -> tuple[str, str]:
    """(role, text) of one message; text parts of a multi-part content are joined."""
    param = f"messages[{number}]"
    if not isinstance(item, dict) or not isinstance(item.get("role"), str):
        raise ChatRequestError(400, f"{param} must be an object with a 'role'.", param=param)
    content = item.get("content")
    if content is None:
        return item["role"], ""
    if isinstance(content, str):
        return item["role"], content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict)]
        if all(isinstance(p, str) for p in parts):
            return item["role"], " ".join(p for p in parts if p)
    raise ChatRequestError(
        400, f"{param}.content must be a string or a list of text parts.", param=param
    )


def _history(turns: list[tuple[str, str]]) -> list[Answer]:
    """Earlier exchanges as Answers: each user message with the assistant reply after it
    (our Sources list taken off; a refusal marked so, as it is never context). Their
    standalone forms are worked out again without a model, as `rag chat` would have."""
    history: list[Answer] = []
    for (role, text), (next_role, reply) in zip(turns, turns[1:], strict=False):
        if role != "user" or next_role != "assistant" or not text.strip():
            continue
        reply = reply.split(SOURCES_HEADING, 1)[0].strip()
        query = standalone_query(text.strip(), history)
        refused = not reply or reply.startswith(REFUSAL_PREFIX)
        history.append(Answer(text.strip(), reply, [], refused, [], query=query))
    return history


def message_content(answer: Answer) -> str:
    """The assistant message: the answer with its markers, then its Sources list."""
    sources = sources_markdown(answer)
    return f"{answer.text}\n\n{sources}" if sources else answer.text


def extra_fields(answer: Answer) -> dict:
    """The fields beyond OpenAI's own: the citations as records, and whether it refused."""
    citations = [citation_record(c, n) for n, c in enumerate(answer.citations, start=1)]
    return {"citations": citations, "refused": answer.refused}


class Completion:
    """One response's id, time and model, shared by all its chunks."""

    def __init__(self, model: str):
        self.id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        self.created = int(time.time())
        self.model = model

    def whole(self, answer: Answer) -> dict:
        """The non-streamed response."""
        message = {"role": "assistant", "content": message_content(answer)}
        choice = {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
        return self._head("chat.completion") | {"choices": [choice]} | extra_fields(answer)

    def chunk(self, delta: dict, finish: str | None = None, extra: dict | None = None) -> str:
        """One server-sent event of the stream."""
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        data = self._head("chat.completion.chunk") | {"choices": [choice]} | (extra or {})
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    def _head(self, kind: str) -> dict:
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model}


DONE = "data: [DONE]\n\n"
