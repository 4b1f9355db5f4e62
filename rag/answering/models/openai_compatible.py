"""Any OpenAI-compatible chat server (llama-index's OpenAILike), streaming text."""

from __future__ import annotations

from collections.abc import Iterator

from rag.config import Settings
from rag.errors import ConfigError, LLMUnavailableError


class OpenAIChatModel:
    """Any OpenAI-compatible chat endpoint (Ollama, vLLM, LM Studio, llama.cpp, OpenAI)."""

    def __init__(self, settings: Settings):
        from llama_index.llms.openai_like import OpenAILike

        if not settings.llm_base_url:
            raise ConfigError("the openai generator needs RAG_LLM_BASE_URL (e.g. http://host/v1)")
        self.base_url = settings.llm_base_url
        self._llm = OpenAILike(
            api_base=settings.llm_base_url,
            api_key=settings.llm_api_key or "not-needed",
            model=settings.llm_model or "default",
            is_chat_model=True,
            temperature=0.0,
            timeout=120,
            max_retries=0,
        )

    def stream_chat(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        from llama_index.core.llms import ChatMessage

        chat = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
        try:
            for delta in self._llm.stream_chat(chat, max_tokens=max_tokens):
                if delta.delta:
                    yield delta.delta
        except Exception as error:  # the client raises many types; the user needs one line
            if "connect" in type(error).__name__.lower() or "connect" in str(error).lower():
                raise LLMUnavailableError(
                    f"cannot reach the LLM server at {self.base_url}: is it running?"
                ) from None
            raise ConfigError(f"the LLM server at {self.base_url} failed: {error}") from None
