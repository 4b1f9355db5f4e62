"""The BM25 arm: paragraphs ranked by their BM25 score (the paragraph's own plus its best
sentence window's), each also given its cosine similarity, which the generators read."""

from __future__ import annotations

import numpy as np

from rag.indexing.bm25 import LexicalIndex, LexicalIndexes
from rag.retrieval.dense import DenseRetriever
from rag.retrieval.passages import Key, ranked_passages
from rag.types import Passage


class BM25Retriever:
    def __init__(self, indexes: LexicalIndexes, dense: DenseRetriever):
        self.indexes = indexes
        self.dense = dense

    def scored(self, query: str) -> tuple[list[float], LexicalIndex, np.ndarray] | None:
        """The query's embedding, the current BM25 index and every paragraph's BM25 score for
        the query; None when nothing is indexed. The hybrid retriever starts from this too."""
        if self.dense.store.is_empty():
            return None
        embedding = self.dense.embedder.embed_query(query)
        lexical = self.indexes.current()
        if lexical is None:
            return None
        return embedding, lexical, lexical.scores(query)

    def retrieve(self, query: str, k: int, sources: frozenset[str] | None = None) -> list[Passage]:
        found = self.scored(query)
        if found is None:
            return []
        embedding, lexical, scores = found
        ranked = lexical.best(scores, k, sources)
        similarity = self.similarities(embedding, ranked, lexical)
        lexical_scores = {key: lexical.score_of(scores, key) for key in ranked}
        return ranked_passages(self.dense.store, ranked, similarity, lexical_scores)

    def similarities(
        self, embedding: list[float], keys: list[Key], lexical: LexicalIndex
    ) -> dict[Key, float]:
        """The cosine similarity of paragraphs the BM25 arm found, by their windows."""
        return self.dense.exact(embedding, {key: lexical.window_ids(key) for key in keys})
