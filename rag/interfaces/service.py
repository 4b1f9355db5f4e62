"""The bot a server shares between its interfaces (web chat, REST and OpenAI routes): opened in
the background on start, and changing the corpus one change at a time."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import rag
from rag.interfaces.users import User, Users
from rag.types import FilesAdded

LOADING = "Loading the embedding model… (questions wait until it is ready)"


@dataclass
class BotService:
    """One bot for every interface of a server: ``wait()`` returns it once it is open;
    ``status`` says what it is doing until then ("" when ready)."""

    settings: rag.Settings
    bot: rag.Bot | None = None
    status: str = LOADING
    ready: threading.Event = field(default_factory=threading.Event)
    # Held by every change to the corpus made through this server (uploads, deletions and
    # re-indexing); ingest also takes the index's writer lock, as `rag ingest` does.
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Who may log in, and which collections each sees (None: no login, everything seen).
    users: Users | None = None

    def start(self) -> None:
        threading.Thread(target=self._open, daemon=True).start()

    def _open(self) -> None:
        try:
            bot = rag.Bot(self.settings)
            bot.build_if_empty(on_build=self._building)
            bot.ask("warm-up")  # loads the embedding model before the first real question
            self.bot = bot
            self.status = ""
        except rag.RagError as error:
            self.status = f"Cannot open the index: {error}"
        finally:
            self.ready.set()

    def _building(self) -> None:
        self.status = f"Building the index from {self.settings.corpus_dir}… (first start only)"

    def wait(self) -> rag.Bot:
        """The bot, once open; a RagError saying why when it could not be opened."""
        self.ready.wait()
        if self.bot is None:
            raise rag.RagError(self.status)
        return self.bot

    def bot_for(self, collection: str | None = None, user: User | None = None) -> rag.Bot:
        """The bot on ``collection`` of the server's index (None: the server's own, or the
        user's first when not theirs), once open. A CollectionError when there is no such
        collection or ``user`` may not see it (the same words either way, naming only the
        user's collections)."""
        bot = self.wait()
        name = self._permitted(collection, user)
        return bot if name in (None, bot.settings.collection) else bot.in_collection(name)

    def _permitted(self, collection: str | None, user: User | None) -> str | None:
        if user is None:
            return collection
        visible = self.collection_names(user)
        own = self.settings.collection
        name = collection or (own if own in visible else next(iter(visible), None))
        if name is None or name not in visible:
            raise rag.CollectionError(
                f"no collection {collection or own!r}; yours: {', '.join(visible) or 'none'}"
            )
        return name

    def collection_names(self, user: User | None = None) -> list[str]:
        """The index's collections ``user`` may see (only the server's own while the bot
        opens)."""
        if not self.ready.is_set() or self.bot is None:
            names = [self.settings.collection]
        else:
            names = self.bot.collection_names()
        return [n for n in names if user is None or user.sees(n)]

    def file_reports(
        self, collection: str | None = None, user: User | None = None
    ) -> list[rag.FileReport]:
        """What was read from each listed file (empty while the bot opens)."""
        if not self.ready.is_set() or self.bot is None:
            return []
        return self.bot_for(collection, user).info().files

    def add_files(
        self, paths: list[str | Path], collection: str | None = None, user: User | None = None
    ) -> FilesAdded:
        """Add files to the collection's corpus and index them (rag.Bot.add_files): a failed
        re-index raises and changes nothing."""
        bot = self.bot_for(collection, user)
        with self.lock:
            return bot.add_files(paths)

    def remove_files(
        self, sources: list[str], collection: str | None = None, user: User | None = None
    ) -> rag.IngestReport:
        """Delete documents from the corpus and the index (rag.Bot.remove_files)."""
        bot = self.bot_for(collection, user)
        with self.lock:
            return bot.remove_files(sources)

    def reingest(self, collection: str | None = None, user: User | None = None) -> rag.IngestReport:
        """Re-index the corpus directory (what `rag ingest` asks of a running server)."""
        bot = self.bot_for(collection, user)
        with self.lock:
            return bot.ingest()
