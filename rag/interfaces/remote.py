"""A running web chat (`rag serve`) that other `rag` commands can ask instead of loading the
models themselves: `rag serve` announces itself in the index directory, `rag ask` finds it and
asks over loopback HTTP with the standard library only (so a cold `rag ask` is fast)."""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from pathlib import Path

from rag.types import Answer, IngestReport

log = logging.getLogger(__name__)

ANNOUNCEMENT = ".serve.json"
ANSWER_API = "answer"  # the web chat's endpoint: question -> Answer.to_dict()
INGEST_API = "ingest"  # the web chat's endpoint: re-index its corpus -> IngestReport.to_dict()
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


def ask(url: str, question: str) -> Answer | None:
    """The running web chat's answer to ``question``; None when it cannot be asked (then the
    caller answers locally)."""
    result = call(url, ANSWER_API, [question])
    return Answer.from_dict(result) if isinstance(result, dict) else None


def ingest(url: str) -> IngestReport | None:
    """Have the running web chat re-index its corpus (it owns the index while it runs)."""
    result = call(url, INGEST_API, [])
    return IngestReport(**result) if isinstance(result, dict) else None


def call(url: str, api_name: str, data: list):
    """Call one endpoint of a Gradio app over plain HTTP (its /gradio_api/call protocol) and
    return the result; None when the call fails for any reason."""
    base = url.rstrip("/") + f"/gradio_api/call/{api_name}"
    try:
        request = urllib.request.Request(
            base,
            data=json.dumps({"data": data}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            event_id = json.loads(response.read())["event_id"]
        with urllib.request.urlopen(f"{base}/{event_id}", timeout=TIMEOUT) as response:
            event = None
            for raw in response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event:"):
                    event = line.partition(":")[2].strip()
                elif line.startswith("data:") and event == "complete":
                    return json.loads(line.partition(":")[2])[0]
                elif line.startswith("data:") and event == "error":
                    log.info("the web chat at %s failed: %s", url, line)
                    return None
    except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
        log.info("cannot reach the web chat at %s (%s); doing it here", url, error)
    return None
