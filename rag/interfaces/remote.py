"""A running web chat (`rag serve`) that other `rag` commands can ask instead of loading the
models themselves: `rag serve` announces itself in the index directory, `rag ask` (and `rag
ingest`, `rag mcp`) find it and call its REST API (rag.interfaces.http_api) with the standard
library only, so a cold `rag ask` is fast."""

from __future__ import annotations

import json
import logging
import os
import urllib.parse
import urllib.request
from pathlib import Path

from rag.types import Answer, IngestReport

log = logging.getLogger(__name__)

ANNOUNCEMENT = ".serve.json"
TIMEOUT = 600  # seconds: an answer from the local model on a busy machine


def announce(index_dir: Path, corpus_dir: Path, url: str) -> Path:
    """Record that a web chat serving ``index_dir`` (built from ``corpus_dir``) listens at
    ``url`` (this process)."""
    path = Path(index_dir) / ANNOUNCEMENT
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "url": url,
        "pid": os.getpid(),
        "index": str(Path(index_dir).resolve()),
        "corpus": str(Path(corpus_dir).resolve()),
    }
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def withdraw(index_dir: Path) -> None:
    """Remove this process's announcement (another server's is left alone)."""
    path = Path(index_dir) / ANNOUNCEMENT
    record = _read(path)
    if record and record.get("pid") == os.getpid():
        path.unlink(missing_ok=True)


def running_server(index_dir: Path, corpus_dir: Path | None = None) -> str | None:
    """The URL of a live web chat serving ``index_dir`` (from ``corpus_dir``, when given), if
    one announced itself."""
    record = _read(Path(index_dir) / ANNOUNCEMENT)
    if not record or record.get("index") != str(Path(index_dir).resolve()):
        return None
    if corpus_dir is not None and record.get("corpus") != str(Path(corpus_dir).resolve()):
        return None
    try:
        os.kill(int(record["pid"]), 0)
    except (OSError, ValueError, KeyError):
        return None  # it has stopped without withdrawing (killed)
    return str(record.get("url") or "") or None


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ask(
    url: str,
    question: str,
    api_key: str | None = None,
    collection: str | None = None,
    only: list[str] | None = None,
) -> Answer | None:
    """The running web chat's answer to ``question`` (from ``collection`` and the documents
    ``only`` names, when given); None when it cannot be asked (then the caller answers
    locally, and reports any mistake in the question itself)."""
    body = {"question": question, "collection": collection, "only": only}
    result = call(url, "ask", body, api_key)
    return Answer.from_dict(result) if isinstance(result, dict) else None


def ingest(
    url: str, api_key: str | None = None, collection: str | None = None
) -> IngestReport | None:
    """Have the running web chat re-index the collection's corpus (it owns the index while it
    runs; default: its own collection)."""
    result = call(url, _in_collection("ingest", collection), {}, api_key)
    return IngestReport.from_dict(result) if isinstance(result, dict) else None


def retrieve(
    url: str,
    question: str,
    k: int,
    api_key: str | None = None,
    collection: str | None = None,
    only: list[str] | None = None,
) -> list[dict] | None:
    """The running web chat's passages for ``question`` (records, best first)."""
    body = {"question": question, "k": k, "collection": collection, "only": only}
    result = call(url, "retrieve", body, api_key)
    return result.get("passages") if isinstance(result, dict) else None


def documents(
    url: str, api_key: str | None = None, collection: str | None = None
) -> dict[str, int] | None:
    """The running web chat's documents and their paragraph counts."""
    result = call(url, _in_collection("documents", collection), None, api_key)
    if not isinstance(result, dict):
        return None
    return {d["file"]: d["paragraphs"] for d in result.get("documents", [])}


def _in_collection(route: str, collection: str | None) -> str:
    """``route`` with the query string naming ``collection`` (none: the server's own)."""
    if not collection:
        return route
    return f"{route}?{urllib.parse.urlencode({'collection': collection})}"


def call(url: str, route: str, body: dict | None, api_key: str | None = None):
    """POST ``body`` (GET when None) to the server's ``/api/ROUTE`` and return the decoded
    JSON; None when the call fails for any reason (the caller then does the work itself)."""
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(
        url.rstrip("/") + f"/api/{route}",
        data=None if body is None else json.dumps(body).encode(),
        headers=headers,
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.loads(response.read())
    except (OSError, ValueError) as error:  # URLError and HTTPError are OSErrors
        log.info("cannot use the web chat at %s (%s); doing it here", url, error)
    return None
