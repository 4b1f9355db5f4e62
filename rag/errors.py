"""Errors a user can cause. Each carries a one-line message that names the problem."""


class RagError(Exception):
    """Base class: the CLI prints the message on one line and exits with code 2."""


class InputPathError(RagError):
    """A path given to ingest does not exist or holds no readable documents."""


class UnreadableDocumentError(RagError):
    """A document exists but cannot be parsed (corrupt PDF, binary data, ...)."""


class QuestionError(RagError):
    """The question is empty, whitespace only or too long."""


class StoreUnavailableError(RagError):
    """The Chroma store cannot be opened or reached."""


class IndexBusyError(RagError):
    """Another process is writing the same embedded index."""


class EmbeddingModelMismatchError(RagError):
    """The index was built with another embedding model than the one configured."""


class ConfigError(RagError):
    """A setting has an invalid value or an unknown name."""


class LLMUnavailableError(RagError):
    """The configured LLM server cannot be reached."""


class DocumentNotFoundError(RagError):
    """A document named for removal is not in the corpus directory."""


class CollectionError(RagError):
    """A collection is unknown, cannot be named so, or already exists."""


class ScopeError(RagError):
    """A question's scope (files, folders, patterns, filters) is empty or matches nothing."""
