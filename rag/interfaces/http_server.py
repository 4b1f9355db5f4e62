"""One HTTP server for the web chat and the API together: uvicorn in a background thread."""

from __future__ import annotations

import threading
import time

from rag.errors import ConfigError

START_TIMEOUT = 30  # seconds for uvicorn to bind


class RunningServer:
    """An ASGI app served on ``host:port`` until ``close()``; ``block()`` waits for it."""

    def __init__(self, app, host: str, port: int, on_close=None):
        import uvicorn

        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="rag-http")
        self._on_close = on_close
        self.url = f"http://{host}:{port}/"

    def start(self) -> RunningServer:
        """Serve; a ConfigError when it cannot listen (the port is taken, say)."""
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ConfigError(f"cannot listen on {self.url}: is the port already in use?")
            time.sleep(0.05)
        return self

    def block(self) -> None:
        """Wait until the server stops (Ctrl-C stops it)."""
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.close()

    def close(self) -> None:
        self._server.should_exit = True
        if threading.current_thread() is not self._thread:
            self._thread.join(10)
        if self._on_close is not None:
            self._on_close()
            self._on_close = None
