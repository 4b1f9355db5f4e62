"""A GGUF chat model run in this process by llama.cpp (xllamacpp): the packaged model by default,
``llm_slots`` answers decoded together (llama.cpp's parallel sequences, continuous batching),
the rest waiting first come first served (rag.answering.models.turns)."""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

from rag.answering.models import packaged_model
from rag.answering.models.opening_state import opening_state_name, start_slots_from_opening
from rag.answering.models.turns import Turns
from rag.config import Settings
from rag.errors import ConfigError
from rag.types import Waiting

log = logging.getLogger(__name__)


def local_runtime_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("xllamacpp") is not None


def local_model_path(settings: Settings) -> Path:
    if settings.llm_model:
        path = Path(settings.llm_model).expanduser()
        if not path.is_file():
            raise ConfigError(f"RAG_LLM_MODEL points at {path}, which is not a file")
        return path
    return packaged_model.packaged_model_path(settings.model_cache_dir)


class LocalChatModel:
    """A GGUF model run in this process by llama.cpp (xllamacpp), streaming tokens."""

    def __init__(self, settings: Settings, opening: list[dict] | None = None):
        """The model of ``settings``; ``opening`` is the messages most chats begin with (the
        system prompt): every slot starts having read them (rag.answering.models.opening_state)."""
        import xllamacpp

        model = local_model_path(settings)
        states = settings.model_cache_dir.expanduser() / "opening-states"
        params = xllamacpp.CommonParams()
        params.model.path = str(model)
        # llama.cpp splits its context between the slots: each gets llm_context tokens
        params.n_ctx = settings.llm_context * settings.llm_slots
        params.n_parallel = settings.llm_slots
        params.cpuparams.n_threads = settings.threads
        params.cpuparams_batch.n_threads = settings.threads
        params.warmup = False
        params.verbosity = -1  # llama.cpp logs every step otherwise
        if opening:
            try:
                states.mkdir(parents=True, exist_ok=True)
                params.slot_save_path = f"{states}/"
            except OSError as error:  # a read-only cache: the opening is read with each start
                log.warning("the local model's opening state cannot be kept: %s", error)
                opening = None
        self._server = xllamacpp.Server(params)
        if opening:
            name = opening_state_name(model, opening, settings.llm_context)
            start_slots_from_opening(self._server, states, name, opening, settings.llm_slots)
        # llama.cpp also serves the OpenAI-compatible HTTP API on this loopback address.
        self.listening_address = self._server.listening_address
        self.turns = Turns(settings.llm_slots)  # the rest wait, first come first served

    def stream_chat(self, messages: list[dict], max_tokens: int) -> Iterator[str | Waiting]:
        """The model's text as it writes; ``Waiting`` first while other questions have it."""
        request = {
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "stream": True,
            "cache_prompt": True,
        }
        chunks: queue.Queue = queue.Queue()
        done = object()
        stop = threading.Event()

        def on_chunk(chunk) -> bool:
            chunks.put(chunk)
            return stop.is_set()  # True makes llama.cpp stop generating

        def run() -> None:
            try:
                self._server.handle_chat_completions(request, on_chunk)
            finally:
                chunks.put(done)

        with self.turns.ticket() as ticket:
            while not self.turns.wait(ticket, Turns.REPORT_SECONDS):
                yield Waiting(self.turns.ahead_of(ticket), self.turns.expected_wait(ticket))
            worker = threading.Thread(target=run, daemon=True)
            worker.start()
            try:
                while (chunk := chunks.get()) is not done:
                    text = _delta(chunk)
                    if text:
                        yield text
            finally:
                # Also when the reader stops early (a stopped answer): the model stops at its
                # next token and is free for the next question.
                stop.set()
                worker.join()


def _delta(chunk) -> str:
    """The text in one streamed chat-completion chunk (dict or JSON text)."""
    if isinstance(chunk, str | bytes):
        try:
            chunk = json.loads(chunk)
        except ValueError:
            return ""
    if isinstance(chunk, list):
        return "".join(_delta(c) for c in chunk)
    if not isinstance(chunk, dict):
        return ""
    if "error" in chunk:
        raise ConfigError(f"the local model failed: {chunk['error']}")
    choices = chunk.get("choices") or [{}]
    return (choices[0].get("delta") or {}).get("content") or ""
