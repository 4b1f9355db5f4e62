"""`rag mcp`: the documents as Model Context Protocol tools over stdio (the official ``mcp``
SDK), for agents and desktop assistants: search_documents, ask_documents, list_documents.

A `rag serve` running on the same index answers them (it owns the embedded index and has the
models loaded); otherwise this process opens the index itself, on the first call."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import rag
from rag.interfaces import remote
from rag.interfaces.openai_chat import extra_fields, message_content
from rag.interfaces.presentation import citation_record, documents_record

INSTRUCTIONS = (
    "Answers and passages from the user's own documents. ask_documents returns a checked "
    "answer whose [n] markers refer to its citations (file, paragraph, quoted sentence), or a "
    "refusal when the documents do not say; search_documents returns the paragraphs themselves."
)


@dataclass
class Documents:
    """What the tools call: the running web chat on this index if there is one, else a bot
    opened here (once, on first use)."""

    settings: rag.Settings
    _bot: rag.Bot | None = None
    _opening: threading.Lock = field(default_factory=threading.Lock)

    def _server(self) -> str | None:
        if self.settings.chroma_url:
            return None  # a Chroma server is shared: this process can open it itself
        return remote.running_server(self.settings.index_dir)

    def _local(self, collection: str | None = None) -> rag.Bot:
        with self._opening:
            if self._bot is None:
                bot = rag.Bot(self.settings)
                bot.build_if_empty()
                self._bot = bot
        return self._bot.in_collection(collection) if collection else self._bot

    def search(
        self, query: str, k: int, collection: str | None = None, only: list[str] | None = None
    ) -> list[dict]:
        url = self._server()
        key = self.settings.api_key
        found = remote.retrieve(url, query, k, key, collection, only) if url else None
        if found is not None:
            return found
        passages = self._local(collection).retrieve(query, k, only=only)
        return [citation_record(p) for p in passages]

    def ask(
        self, question: str, collection: str | None = None, only: list[str] | None = None
    ) -> rag.Answer:
        url = self._server()
        key = self.settings.api_key
        answer = remote.ask(url, question, key, collection, only) if url else None
        if answer is not None:
            return answer
        return self._local(collection).ask(question, only=only)

    def documents(self, collection: str | None = None) -> dict[str, int]:
        url = self._server()
        found = remote.documents(url, self.settings.api_key, collection) if url else None
        return found if found is not None else self._local(collection).info().documents


def build_server(settings: rag.Settings):
    """The MCP server with the three tools over ``settings``' index."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    documents = Documents(settings)
    server = MCPServer("rag", instructions=INSTRUCTIONS)

    def checked(call):
        try:
            return call()
        except rag.RagError as error:  # a user's mistake or a missing store: one line
            raise ToolError(str(error)) from None

    @server.tool(structured_output=True)
    def search_documents(
        query: str, k: int = 5, collection: str | None = None, only: list[str] | None = None
    ) -> dict[str, Any]:
        """The k paragraphs of the documents most relevant to ``query``, best first: each
        with its file, paragraph number, lines or page, heading, text and score. Optional:
        ``collection`` (default: the configured one) and ``only`` (files, folders or glob
        patterns of document paths to search)."""
        k = max(1, min(int(k), 50))
        return {"passages": checked(lambda: documents.search(query, k, collection, only))}

    @server.tool(structured_output=True)
    def ask_documents(
        question: str, collection: str | None = None, only: list[str] | None = None
    ) -> dict[str, Any]:
        """Answer ``question`` from the documents: the answer text with [n] markers and a
        Sources list, whether it refused (the documents do not say), and the citations.
        Optional: ``collection`` and ``only``, as for search_documents."""
        answer = checked(lambda: documents.ask(question, collection, only))
        return {"answer": message_content(answer)} | extra_fields(answer)

    @server.tool(structured_output=True)
    def list_documents(collection: str | None = None) -> dict[str, Any]:
        """Every indexed document of the collection with its paragraph count."""
        return documents_record(checked(lambda: documents.documents(collection)))

    return server


def run(settings: rag.Settings) -> int:
    """Serve the tools on stdin/stdout until the client closes them."""
    build_server(settings).run("stdio")
    return 0
