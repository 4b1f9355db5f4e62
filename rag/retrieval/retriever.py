"""The retriever ``settings.retrieval`` names, composed from the arms."""

from __future__ import annotations

from typing import Protocol

from rag.config import Settings
from rag.errors import ConfigError
from rag.indexing.bm25 import LexicalIndexes
from rag.indexing.embedder import Embedder
from rag.indexing.store import ParagraphStore
from rag.retrieval.bm25 import BM25Retriever
from rag.retrieval.dense import DenseRetriever
from rag.retrieval.hybrid import HybridRetriever
from rag.types import Passage

MODES = ("hybrid", "dense", "bm25")


class Retriever(Protocol):
    def retrieve(self, query: str, k: int, sources: frozenset[str] | None = None) -> list[Passage]:
        """The ``k`` best paragraphs for ``query``, best first (ties: by source, paragraph);
        only paragraphs of ``sources`` when given, chosen before ranking."""
        ...


def make_retriever(
    settings: Settings, store: ParagraphStore, embedder: Embedder, lexical: LexicalIndexes
) -> Retriever:
    if settings.retrieval not in MODES:
        raise ConfigError(
            f"unknown retrieval {settings.retrieval!r}; choose one of: {', '.join(MODES)}"
        )
    dense = DenseRetriever(store, embedder)
    if settings.retrieval == "dense":
        return dense
    bm25 = BM25Retriever(lexical, dense)
    if settings.retrieval == "bm25":
        return bm25
    return HybridRetriever(dense, bm25, settings.hybrid_candidates, settings.hybrid_lexical_weight)
