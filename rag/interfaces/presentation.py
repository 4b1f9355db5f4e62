"""Text shown to people beside answers (source cards, CLI notes), not used to make them."""

from __future__ import annotations

from rag.reading.injection import addresses_ai


def set_aside_note(text: str, untrusted: bool) -> str | None:
    """Why a passage was not used as evidence (for its source card), or None if it was not
    set aside."""
    if not untrusted:
        return None
    if addresses_ai(text):
        return "This passage contains instructions addressed to an AI; they were not followed."
    return "Its document contains instructions addressed to an AI; it was not used as evidence."
