"""Offline retrieval-augmented question answering with paragraph-exact citations."""

import os

# Fully offline by default: no hub lookups, no telemetry (a user may still override these).
for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}.items():
    os.environ.setdefault(_name, _value)

from rag.api import (  # noqa: E402
    Bot,
    CollectionInfo,
    IndexInfo,
    collections,
    create_collection,
    delete_collection,
    ingest,
    open,
)
from rag.config import Settings, load_settings  # noqa: E402
from rag.errors import (  # noqa: E402
    CollectionError,
    ConfigError,
    DocumentNotFoundError,
    EmbeddingModelMismatchError,
    IndexBusyError,
    InputPathError,
    LLMUnavailableError,
    QuestionError,
    RagError,
    ScopeError,
    StoreUnavailableError,
    UnreadableDocumentError,
)
from rag.retrieval.scope import Scope  # noqa: E402
from rag.types import Answer, Citation, FileReport, IngestReport, Paragraph, Passage  # noqa: E402

__all__ = [
    "Answer",
    "Bot",
    "Citation",
    "CollectionError",
    "CollectionInfo",
    "ConfigError",
    "DocumentNotFoundError",
    "EmbeddingModelMismatchError",
    "IndexBusyError",
    "IndexInfo",
    "FileReport",
    "IngestReport",
    "InputPathError",
    "LLMUnavailableError",
    "Paragraph",
    "Passage",
    "QuestionError",
    "RagError",
    "Settings",
    "StoreUnavailableError",
    "Scope",
    "ScopeError",
    "UnreadableDocumentError",
    "collections",
    "create_collection",
    "delete_collection",
    "ingest",
    "load_settings",
    "open",
]
