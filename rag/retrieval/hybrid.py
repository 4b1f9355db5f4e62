"""Hybrid retrieval: the candidates of both arms, each arm's scores min-max normalised over
the pool, fused by a weighted sum (``hybrid_lexical_weight`` for BM25)."""

from __future__ import annotations

from rag.retrieval.bm25 import BM25Retriever
from rag.retrieval.dense import DenseRetriever
from rag.retrieval.passages import Key, ranked_passages
from rag.types import Passage


def normalised(scores: dict[Key, float]) -> dict[Key, float]:
    """Min-max normalised to 0..1 over the pool (all equal: all 1)."""
    low, high = min(scores.values()), max(scores.values())
    if high - low < 1e-9:
        return dict.fromkeys(scores, 1.0)
    return {key: (value - low) / (high - low) for key, value in scores.items()}


class HybridRetriever:
    def __init__(self, dense: DenseRetriever, bm25: BM25Retriever, depth: int, weight: float):
        self.dense = dense
        self.bm25 = bm25
        self.depth = depth  # candidates taken from each arm
        self.weight = weight  # of the BM25 arm in the fused score

    def retrieve(self, query: str, k: int, sources: frozenset[str] | None = None) -> list[Passage]:
        found = self.bm25.scored(query)
        if found is None:
            return []
        embedding, lexical, scores = found
        depth = max(k, self.depth)
        similarity = self.dense.nearest(embedding, depth, sources)
        pool = list(dict.fromkeys([*lexical.best(scores, depth, sources), *similarity]))
        similarity |= self.bm25.similarities(
            embedding, [key for key in pool if key not in similarity], lexical
        )
        lexical_scores = {key: lexical.score_of(scores, key) for key in pool}
        lexical_part = normalised(lexical_scores)
        dense_part = normalised({key: similarity.get(key, 0.0) for key in pool})
        w = self.weight
        fused = {key: w * lexical_part[key] + (1 - w) * dense_part[key] for key in pool}
        ranked = sorted(pool, key=lambda key: (-fused[key], key))[:k]
        return ranked_passages(self.dense.store, ranked, similarity, lexical_scores, fused)
