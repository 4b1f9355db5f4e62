"""Debian's licence texts (/usr/share/common-licenses, from base-files): real documents on
one subject, so that a question ranks several of them, for the collection and scope tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

LICENCES = Path("/usr/share/common-licenses")
PATENT_QUESTION = "What happens to the patent licenses if you institute patent litigation?"
PEACE_QUESTION = "Who hosted the latest round of peace talks?"  # the bundled article's


def copy_licences(folder: Path, names: dict[str, str] | list[str]) -> None:
    """Copy licences into ``folder`` (names: Debian's, or Debian's -> file name; default
    NAME.txt); skips the test where Debian's texts are missing."""
    if not (LICENCES / "GPL-3").is_file():
        pytest.skip("Debian's licence texts are not installed (base-files)")
    targets = names if isinstance(names, dict) else {n: f"{n}.txt" for n in names}
    folder.mkdir(parents=True, exist_ok=True)
    for name, target in targets.items():
        shutil.copy(LICENCES / name, folder / target)
