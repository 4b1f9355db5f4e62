"""The state a local model reaches after reading the opening every chat shares (the system
prompt), kept on disk: a new process restores it into each slot in milliseconds instead of
reading those tokens again (about 3 s on two cores). llama.cpp's slot save and restore.

The file holds the opening's tokens and attention state only, never a user's question. It is
named by the model file, the opening and the context size, so any change makes a new one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import urllib.error
import urllib.request
from pathlib import Path

log = logging.getLogger(__name__)

# Raise when what is saved changes: every saved opening is then read afresh.
STATE_VERSION = 1
SLOT_ACTION_SECONDS = 60.0


def opening_state_name(model: Path, opening: list[dict], context: int) -> str:
    """The file name of ``opening``'s state for ``model`` (path, size and time: no hashing of
    the weights) with ``context`` tokens per slot."""
    stat = model.stat()
    key = [STATE_VERSION, str(model.resolve()), stat.st_size, int(stat.st_mtime), context, opening]
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return f"opening-{digest}.bin"


def start_slots_from_opening(
    server, directory: Path, name: str, opening: list[dict], slots: int
) -> None:
    """Put ``opening``'s state in every slot of ``server`` (an xllamacpp Server whose
    slot_save_path is ``directory``): restored from ``directory / name``, or read once and saved
    there first. A failure is logged and changes nothing else (the model then reads the opening
    with each first question, as without this)."""
    try:
        if not (directory / name).is_file():
            _read_and_save(server, directory, name, opening)
        for slot in range(slots):
            _slot_action(server, slot, "restore", name)
    except (OSError, ValueError, RuntimeError) as error:
        log.warning("the local model's opening state was not restored: %s", error)
        (directory / name).unlink(missing_ok=True)  # a damaged file is saved again next time


def _read_and_save(server, directory: Path, name: str, opening: list[dict]) -> None:
    request = {
        "messages": [*opening, {"role": "user", "content": ""}],
        "max_tokens": 1,
        "temperature": 0.0,
        "cache_prompt": True,
        "id_slot": 0,
    }
    result = server.handle_chat_completions(request)
    if isinstance(result, dict) and "error" in result:
        raise RuntimeError(f"reading the opening failed: {result['error']}")
    # written under a name of its own, then moved: another process never reads half a file
    partial = f"{name}.{os.getpid()}.partial"
    try:
        _slot_action(server, 0, "save", partial)
        os.replace(directory / partial, directory / name)
    finally:
        (directory / partial).unlink(missing_ok=True)


def _slot_action(server, slot: int, action: str, filename: str) -> dict:
    """llama.cpp's slot ``action`` ("save" or "restore") of ``filename`` on its loopback API."""
    request = urllib.request.Request(
        f"{server.listening_address}/slots/{slot}?action={action}",
        data=json.dumps({"filename": filename}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=SLOT_ACTION_SECONDS) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        reason = error.read().decode(errors="replace")
        raise RuntimeError(f"slot {action} failed: {reason}") from None
