"""Question -> ranked passages: a dense arm (embedding similarity), a BM25 arm, and their
fusion; rag.retrieval.retriever picks one by ``settings.retrieval``."""
