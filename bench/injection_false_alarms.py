"""False alarms of the injection detector on real documentation nobody here wrote: every
supported file under the given folders (default: /usr/share/doc, and the Debian documentation
packages python3.11-doc, perl-doc and debian-faq, fetched with `apt-get download` and unpacked
into a scratch folder), read as `rag ingest` reads it, and the shared Quoref benchmark's
Wikipedia passages. Prints the paragraphs read, the documents and paragraphs flagged, and each
flagged phrase with its rule and file.

    .venv/bin/python bench/injection_false_alarms.py [FOLDER ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from rag.errors import UnreadableDocumentError
from rag.reading.injection import rules_matched
from rag.reading.readers import SUPPORTED_SUFFIXES, read_paragraphs

PACKAGES = ("python3.11-doc", "perl-doc", "debian-faq")
QUOREF = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "quoref"


def fetched_packages(scratch: Path) -> Path:
    """The documentation packages unpacked under ``scratch`` (no install: dpkg-deb -x)."""
    subprocess.run(["apt-get", "download", *PACKAGES], cwd=scratch, check=True, capture_output=True)
    for deb in scratch.glob("*.deb"):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(scratch / "unpacked")], check=True)
    return scratch / "unpacked" / "usr" / "share" / "doc"


def scan(folders: list[Path]) -> int:
    paragraphs = documents = 0
    flagged: list[tuple[str, str, str]] = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            try:
                read = read_paragraphs(path, str(path))
            except (UnreadableDocumentError, OSError, RecursionError):
                continue
            documents += 1
            paragraphs += len(read)
            for paragraph in read:
                for rule, phrase in rules_matched(paragraph.text):
                    flagged.append((rule, phrase, str(path)))
    if (QUOREF / "quoref.corpus.jsonl").exists():
        with open(QUOREF / "quoref.corpus.jsonl", encoding="utf-8") as lines:
            passages = [json.loads(line) for line in lines]
        documents += len(passages)
        for passage in passages:
            for text in filter(str.strip, passage["text"].split("\n")):
                paragraphs += 1
                for rule, phrase in rules_matched(text):
                    flagged.append((rule, phrase, f"quoref:{passage['pid']}"))
    files = {path for _, _, path in flagged}
    print(
        f"{paragraphs:,} paragraphs in {documents:,} documents read; "
        f"{len(flagged)} phrases flagged in {len(files)} documents"
    )
    for rule, count in Counter(rule for rule, _, _ in flagged).most_common():
        print(f"  {rule}: {count}")
    for rule, phrase, path in flagged:
        print(f"  [{rule}] {phrase!r}  {path}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit(scan([Path(arg) for arg in sys.argv[1:]]))
    with tempfile.TemporaryDirectory() as scratch:
        sys.exit(scan([Path("/usr/share/doc"), fetched_packages(Path(scratch))]))
