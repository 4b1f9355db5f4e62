"""First come, first served access to a model that writes one answer at a time.

Everything before the model (retrieval, the extractive assessment) runs in parallel for every
user; only the model is taken in turns. A question waiting for its turn knows how many are
ahead of it, and one that is abandoned (its reader closed the stream: the browser went away or
the user pressed Stop) leaves the line at once, whether it was waiting or writing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Turns:
    """A first-in, first-out line for one model."""

    # How often a waiting question reports its place in the line.
    REPORT_SECONDS = 0.5

    def __init__(self) -> None:
        self._line: list[object] = []
        self._changed = threading.Condition()

    def ahead_of(self, ticket: object) -> int:
        with self._changed:
            return self._line.index(ticket)

    @contextmanager
    def ticket(self) -> Iterator[object]:
        """A place at the end of the line, given up on leaving the block."""
        ticket = object()
        with self._changed:
            self._line.append(ticket)
        try:
            yield ticket
        finally:
            with self._changed:
                self._line.remove(ticket)
                self._changed.notify_all()

    def wait(self, ticket: object, timeout: float) -> bool:
        """Whether it is ``ticket``'s turn, waiting up to ``timeout`` seconds for it."""
        with self._changed:
            return self._changed.wait_for(lambda: self._line[0] is ticket, timeout)
