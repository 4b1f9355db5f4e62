"""The Chroma collection of paragraph windows, reached through llama-index's ChromaVectorStore.

Embedded ``PersistentClient`` in the index directory by default (one process at a time);
a Chroma server (``chroma run``) when ``chroma_url`` is set (several processes, other machines).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from urllib.parse import urlparse

from rag.config import Settings
from rag.errors import ConfigError, EmbeddingModelMismatchError, StoreUnavailableError
from rag.types import Paragraph, Passage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WindowRecord:
    """A paragraph window ready to store: its paragraph, window number and embedding."""

    paragraph: Paragraph
    window: int
    embedding: list[float]
    file_hash: str


def _client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(
                f"RAG_CHROMA_URL must look like http://host:port, not {url.geturl()!r}"
            )
        try:
            client = chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as error:  # chromadb raises several types for a refused connection
            raise StoreUnavailableError(
                f"cannot reach the Chroma server at {settings.chroma_url}: is it running? "
                f"(start one with: chroma run --path DIR --host 127.0.0.1 --port N)"
            ) from error
        return client
    try:
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
    except Exception as error:
        raise StoreUnavailableError(
            f"cannot open the index at {settings.index_dir}: {error}"
        ) from None


class ParagraphStore:
    """Paragraph windows with their embeddings, grouped per source file for replacement."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._chroma = _client(settings)
        self._collection = self._existing_collection()

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.index_dir.resolve())

    def _existing_collection(self):
        names = [getattr(c, "name", c) for c in self._chroma.list_collections()]
        if self.settings.collection not in names:
            return None
        collection = self._chroma.get_collection(self.settings.collection)
        recorded = (collection.metadata or {}).get("embed_model")
        if recorded and recorded != self.settings.embed_model:
            raise EmbeddingModelMismatchError(
                f"the index at {self.location} was built with embedding model {recorded!r}, "
                f"not {self.settings.embed_model!r}; re-ingest into a new index directory"
            )
        return collection

    def ensure_collection(self, dimension: int) -> None:
        if self._collection is None:
            self._collection = self._chroma.create_collection(
                self.settings.collection,
                metadata={
                    "hnsw:space": "cosine",
                    "embed_model": self.settings.embed_model,
                    "embed_dim": dimension,
                },
            )

    @property
    def embed_dimension(self) -> int | None:
        if self._collection is None:
            return None
        return (self._collection.metadata or {}).get("embed_dim")

    @property
    def _vector_store(self):
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self._collection)

    def is_empty(self) -> bool:
        return self._collection is None or self._collection.count() == 0

    def _first_windows(self) -> list[dict]:
        if self._collection is None:
            return []
        return self._collection.get(where={"window": 0}, include=["metadatas"])["metadatas"]

    def file_hashes(self) -> dict[str, str]:
        """Content hash of every indexed file, by source."""
        return {m["source"]: m["file_hash"] for m in self._first_windows()}

    def paragraph_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for metadata in self._first_windows():
            counts[metadata["source"]] = counts.get(metadata["source"], 0) + 1
        return dict(sorted(counts.items()))

    def replace_file(self, source: str, records: list[WindowRecord]) -> None:
        """Delete every window of ``source``, then add the new ones (Chroma keeps old text on
        an id that already exists, so deleting first is what makes an update an update)."""
        self.remove_file(source)
        if records:
            self._vector_store.add([_to_node(r) for r in records])

    def remove_file(self, source: str) -> None:
        if self._collection is not None:
            self._vector_store.delete(ref_doc_id=source)

    def query(self, embedding: list[float], n: int) -> list[Passage]:
        """The ``n`` nearest windows as passages scored by cosine similarity."""
        if self.is_empty():
            return []
        from llama_index.core.vector_stores.types import VectorStoreQuery

        result = self._vector_store.query(
            VectorStoreQuery(query_embedding=embedding, similarity_top_k=n)
        )
        # ChromaVectorStore reports exp(-distance); with cosine space, distance = 1 - cosine.
        return [
            _to_passage(node, 1.0 + math.log(max(similarity, 1e-12)))
            for node, similarity in zip(result.nodes, result.similarities, strict=True)
        ]


def _to_node(record: WindowRecord):
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    p = record.paragraph
    node = TextNode(
        id_=f"{p.source}#{p.paragraph}#{record.window}",
        # The node holds the whole paragraph so any window that matches cites all of it.
        text=p.text,
        embedding=record.embedding,
        metadata={
            "source": p.source,
            "paragraph": p.paragraph,
            "heading": p.heading or "",
            "line_start": p.lines[0] if p.lines else 0,
            "line_end": p.lines[1] if p.lines else 0,
            "page": p.page or 0,
            "window": record.window,
            "file_hash": record.file_hash,
        },
    )
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=p.source)
    return node


def _to_passage(node, score: float) -> Passage:
    m = node.metadata
    return Passage(
        source=m["source"],
        paragraph=int(m["paragraph"]),
        heading=m.get("heading") or None,
        lines=(int(m["line_start"]), int(m["line_end"])) if m.get("line_start") else None,
        text=node.get_content(),
        score=round(score, 4),
        page=int(m["page"]) if m.get("page") else None,
    )
