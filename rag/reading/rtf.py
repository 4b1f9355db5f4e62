"""Rich Text Format (.rtf) -> Blocks: the text striprtf (the RTF reader llama-index uses) gives,
read as plain text, a paragraph per block.

Hidden text (``\\v``, which Word and WordPad do not show) is taken out first: striprtf keeps it.
The pass follows RTF's groups, so ``{\\v hidden}`` and ``\\v hidden\\v0`` both end where RTF
ends them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from rag.errors import UnreadableDocumentError
from rag.reading.blocks import Block
from rag.reading.plain import blocks_from_text

MAX_RTF_MB = 100
TOKEN = re.compile(r"\\([a-zA-Z]+)(-?\d+)? ?|\\'[0-9a-fA-F]{2}|\\.|[{}]|[^\\{}]+", re.DOTALL)


def read_rtf(path: Path, source: str) -> list[Block]:
    from striprtf.striprtf import rtf_to_text

    data = path.read_bytes()
    if len(data) > MAX_RTF_MB * 2**20:
        raise UnreadableDocumentError(f"cannot read {source}: more than {MAX_RTF_MB} MB of RTF")
    markup = data.decode("latin-1")  # RTF is 7-bit; \'hh and \uN carry the rest
    if not markup.lstrip().startswith("{\\rtf"):
        raise UnreadableDocumentError(f"cannot read {source}: not an RTF document")
    try:
        text = rtf_to_text(without_hidden_text(markup), errors="replace")
    except (ValueError, IndexError, LookupError) as error:
        raise UnreadableDocumentError(
            f"cannot read {source}: not a readable RTF ({error})"
        ) from None
    return [replace(block, lines=None) for block in blocks_from_text(text)]


def without_hidden_text(markup: str) -> str:
    """``markup`` with the text of hidden runs (``\\v`` up to ``\\v0``, ``\\plain`` or the end
    of its group) removed; control words and groups are kept, so the RTF stays whole."""
    out: list[str] = []
    hidden = False
    stack: list[bool] = []
    for match in TOKEN.finditer(markup):
        token, word, argument = match.group(0), match.group(1), match.group(2)
        if token == "{":
            stack.append(hidden)
        elif token == "}":
            hidden = stack.pop() if stack else False
        elif word == "v":
            hidden = argument != "0"
        elif word == "plain":
            hidden = False
        elif hidden and (word in ("u", "par", "line", "tab") or not token.startswith("\\")):
            continue  # hidden text (a paragraph mark in hidden text is hidden too)
        elif hidden and token.startswith("\\'"):
            continue
        out.append(token)
    return "".join(out)
