"""The Gradio web chat: a thin layer over the public Python API (never Chroma or the model)."""

from __future__ import annotations

import atexit
import logging
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import rag
from rag.chat import ChatSession
from rag.interfaces import remote
from rag.interfaces.http_api import LOOPBACK, build_api, check_exposure
from rag.interfaces.http_server import RunningServer
from rag.interfaces.service import BotService
from rag.interfaces.users import User, Users
from rag.reading.readers import SUPPORTED_SUFFIXES
from rag.types import Waiting
from ui.conversation import Conversation
from ui.export import conversation_markdown
from ui.render import conversation_messages, sources_html

log = logging.getLogger(__name__)

EXAMPLES = [
    "Which country hosted the latest round of peace talks?",
    "Who is the Kremlin spokesperson?",
    "What does Zelenskyy demand before accepting a ceasefire?",
    "How does Putin see the ceasefire?",
]
CSS = """
.src-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 12px; margin: 8px 0; }
.src-title { font-weight: 600; } .src-heading { font-style: italic; color: #57606a; }
.src-text mark { background: #fff3b0; }
.src-code { font-family: monospace; white-space: pre; overflow-x: auto; background: #f6f8fa;
  padding: 6px 8px; border-radius: 6px; }
.src-why { font-size: 0.85em; color: #57606a; margin-top: 4px; }
.src-refused { border-left: 4px solid #d1242f; padding-left: 10px; }
.src-refused .src-card { opacity: 0.8; }
.src-warning { color: #9a6700; background: #fff8c5; border-radius: 4px; padding: 2px 6px; }
.src-set-aside .src-card { border-color: #d4a72c; }
"""


@dataclass
class WebChat(BotService):
    """The server's bot (BotService) and the web chat's downloads."""

    exports: tempfile.TemporaryDirectory = field(
        default_factory=lambda: tempfile.TemporaryDirectory(prefix="rag-chat-")
    )

    def user(self, request) -> User | None:
        """The logged-in user of a Gradio request (None when the server has no login)."""
        if self.users is None or request is None:
            return None
        return self.users.by_name.get(getattr(request, "username", None) or "")

    def export(self, conversation: Conversation) -> str:
        """The conversation as a Markdown file to download (one file per conversation)."""
        path = Path(self.exports.name) / f"conversation-{id(conversation):x}.md"
        path.write_text(conversation_markdown(conversation), encoding="utf-8")
        return str(path)

    def document_rows(
        self,
        reports: list[rag.FileReport] | None = None,
        collection: str | None = None,
        user: User | None = None,
    ) -> list[list]:
        """The Documents table: each file, its paragraphs, tables and pages OCR'd, and what
        was left out of it (``reports``, else those of ``collection``)."""
        if reports is None:
            try:
                reports = self.file_reports(collection, user)
            except rag.RagError:
                reports = []
        return [
            [
                r.source,
                r.paragraphs or "no text found",
                r.tables,
                ", ".join(map(str, r.ocr_pages)),
                "; ".join(r.skipped),
            ]
            for r in reports
        ]

    def upload(
        self, paths: list[str], collection: str | None = None, user: User | None = None
    ) -> str:
        """Add uploads to the collection's corpus (rag.Bot.add_files); a failed upload
        changes nothing."""
        try:
            added = self.add_files(paths, collection, user)
        except rag.RagError as error:
            return f"Upload rejected, nothing changed: {error}"
        skipped = "; ".join(added.rejected)
        if added.report is None:
            return "Nothing added. " + skipped
        report = added.report
        message = (
            f"Added {report.added}, updated {report.updated}, "
            f"unchanged {report.unchanged} file(s); {report.paragraphs} paragraphs indexed."
        )
        return message + (" Skipped: " + skipped if skipped else "")

    def delete(
        self, source: str | None, collection: str | None = None, user: User | None = None
    ) -> str:
        """Delete one document from the corpus and the index (rag.Bot.remove_files)."""
        if not source:
            return "Choose a document to delete."
        try:
            report = self.remove_files([source], collection, user)
        except rag.RagError as error:
            return f"Not deleted, nothing changed: {error}"
        return f"Deleted {source}; {report.paragraphs} paragraphs indexed."


def build_app(web: WebChat):
    import gradio as gr

    def respond(
        message: str,
        conversation: Conversation,
        collection: str | None = None,
        only: list[str] | None = None,
        request=None,
    ):
        """Show the question at once (queued behind a running answer if there is one), then
        answer it in turn: its draft as the model writes, then the checked answer and sources,
        saved in the browser and offered as a Markdown download. The answer comes from the
        chosen collection and, when some are chosen, from those documents only."""
        try:
            bot = web.bot_for(collection, web.user(request))
            question = bot.validate_question(message)
            scope = rag.Scope.of(only=only) if only else None
            bot.select(scope)  # a pattern that matches nothing: one line, before queueing
        except rag.RagError as error:
            raise gr.Error(str(error), print_exception=False) from None
        exchange = conversation.submit(question)
        skip = gr.skip()
        yield "", conversation_messages(conversation), skip, skip, skip
        if not conversation.wait_for_turn(exchange):
            return  # the user started a new chat while this question waited
        try:
            session = ChatSession(bot, turns=list(conversation.turns))
            yield skip, conversation_messages(conversation), skip, skip, skip
            try:
                # No lock here: retrieval and the extractive generator run in parallel for
                # every user; the model takes questions in turns (rag.answering.models.turns), and
                # closing the stream (Stop, or the browser going away) gives up the turn.
                with closing(session.ask_stream(question, scope)) as stream:
                    for item in stream:
                        if exchange.stop_requested:
                            break  # closing the stream stops the model at its next token
                        if isinstance(item, Waiting):  # other users' questions have the model
                            # Yield even when nothing changed: Gradio notices a closed page
                            # only when an update is sent, and then gives up this turn.
                            changed = item.ahead != exchange.ahead
                            exchange.ahead = item.ahead
                            chat = conversation_messages(conversation) if changed else skip
                            yield skip, chat, skip, skip, skip
                        elif isinstance(item, str):  # text as the model writes, before checking
                            exchange.ahead = None
                            exchange.draft += item
                            yield skip, conversation_messages(conversation), skip, skip, skip
                        else:
                            exchange.answer = item
            except rag.RagError as error:
                exchange.error = str(error)
            yield (
                skip,
                conversation_messages(conversation),
                sources_html(conversation.latest_answer()),
                conversation.saved(),
                web.export(conversation),
            )
        finally:
            # Reached once Gradio has taken the last update (or the browser went away), so the
            # next question's updates can never arrive before this answer's.
            conversation.finish(exchange)

    def restore(saved: list, conversation: Conversation):
        """After a reload: the conversation kept in the browser, shown again."""
        if not conversation.restore(saved or []):
            return gr.skip(), gr.skip(), gr.skip()
        latest = conversation.latest_answer()
        return conversation_messages(conversation), sources_html(latest), web.export(conversation)

    def stop(conversation: Conversation):
        """Stop the answer being written; the next queued question (if any) goes on."""
        if not conversation.stop():
            gr.Info("Nothing is being answered.")

    def show_sources(conversation: Conversation, selected: gr.SelectData):
        """Clicking an answer (or one of its [n] markers) shows that answer's sources."""
        index = selected.index[0] if isinstance(selected.index, list | tuple) else selected.index
        answer = conversation.answer_at(int(index))
        return sources_html(answer) if answer is not None else gr.skip()

    # Gradio passes the click's SelectData to a parameter annotated with the class itself
    # (this module's annotations are strings, which Gradio cannot resolve).
    show_sources.__annotations__["selected"] = gr.SelectData

    def refresh_documents(
        collection: str | None = None, only: list[str] | None = None, request=None
    ):
        """The chosen collection's documents: the table, the delete choices and the choices
        of documents to ask (those chosen before are kept if the collection has them, and
        patterns typed in always)."""
        try:
            reports = web.file_reports(collection, web.user(request))  # once for all three
        except rag.RagError as error:
            raise gr.Error(str(error), print_exception=False) from None
        choices = [report.source for report in reports if report.paragraphs]
        kept = [p for p in only or [] if p in choices or any(c in p for c in "*?[/")]
        return (
            web.document_rows(reports),
            gr.Dropdown(choices=[r.source for r in reports], value=None),
            gr.Dropdown(choices=choices, value=kept),
        )

    def new_chat(conversation: Conversation):
        conversation.clear()
        return [], sources_html(None), "", [], None

    def status(collection: str | None = None, request=None):
        """The start-up banner; the poll stops once the index is ready (then the collection
        choices are filled in: those the user may see)."""
        ready = web.ready.is_set()
        user = web.user(request)
        names = web.collection_names(user) or [""]
        collection = collection if collection in names else names[0]
        return (
            web.status,
            web.document_rows(collection=collection, user=user),
            gr.Timer(active=not ready),
            gr.Dropdown(choices=names, value=collection),
        )

    with gr.Blocks(title="rag — ask your documents") as app:
        banner = gr.Markdown(lambda: web.status, elem_id="status")
        conversation = gr.State(Conversation())
        saved = gr.BrowserState([], storage_key="rag-conversation")
        with gr.Tab("Chat"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=320):
                    chatbot = gr.Chatbot(
                        elem_id="chat",
                        show_label=False,
                        height=480,
                        sanitize_html=True,
                        buttons=["copy"],
                        placeholder="Ask a question about the documents.",
                    )
                    question = gr.Textbox(
                        label="Question",
                        placeholder="Ask a question…",
                        elem_id="question",
                        submit_btn=True,
                    )
                    with gr.Row():
                        collection = gr.Dropdown(
                            label="Collection",
                            choices=[web.settings.collection],
                            value=web.settings.collection,
                            # the choices are filled in once the index is open, and
                            # collections made later can be typed; an unknown one is
                            # refused in one line when asked
                            allow_custom_value=True,
                            elem_id="collection",
                            scale=1,
                        )
                        only = gr.Dropdown(
                            label="Only these documents (or type a pattern: manuals/*.html)",
                            choices=[],
                            value=[],
                            multiselect=True,
                            allow_custom_value=True,
                            elem_id="only",
                            scale=3,
                        )
                    with gr.Row():
                        stop_button = gr.Button("Stop", elem_id="stop", variant="stop")
                        new = gr.Button("New chat", elem_id="new-chat")
                        download = gr.DownloadButton(
                            "Download (.md)", elem_id="download", value=None, size="md"
                        )
                    gr.Examples(EXAMPLES, inputs=question, label="Try")
                with gr.Column(scale=2, min_width=320):
                    gr.Markdown("### Sources")
                    sources = gr.HTML(sources_html(None), elem_id="sources")
        with gr.Tab("Documents"):
            table = gr.Dataframe(
                headers=["file", "paragraphs", "tables", "pages OCR'd", "left out"],
                value=web.document_rows,
                interactive=False,
                elem_id="documents",
            )
            with gr.Row():
                chosen = gr.Dropdown(
                    label="Document to delete",
                    choices=[],
                    value=None,
                    elem_id="delete-choice",
                    scale=3,
                )
                delete = gr.Button("Delete", elem_id="delete", variant="stop", scale=1)
            upload = gr.File(
                label="Add documents (" + " ".join(SUPPORTED_SUFFIXES) + ")",
                file_count="multiple",
                elem_id="upload",
            )
            result = gr.Markdown(elem_id="upload-result")

        question.submit(
            respond,
            [question, conversation, collection, only],
            [question, chatbot, sources, saved, download],
            api_name="ask",
            # a question sent while the previous answer is written must not be dropped: every
            # submit runs and waits for its turn in the conversation (and for the model)
            trigger_mode="multiple",
            concurrency_limit=None,
        )
        new.click(
            new_chat,
            conversation,
            [chatbot, sources, question, saved, download],
            api_name="new_chat",
        )
        stop_button.click(stop, conversation, None, api_name="stop", concurrency_limit=None)
        chatbot.select(show_sources, conversation, sources, concurrency_limit=None)
        documents = [table, chosen, only]

        def upload_files(files, name, request=None):
            paths = [f if isinstance(f, str) else f.name for f in files]
            return web.upload(paths, name, web.user(request))

        def delete_file(source, name, request=None):
            return web.delete(source, name, web.user(request))

        # Gradio passes the request (and with it the logged-in user) to a parameter annotated
        # with gr.Request.
        for handler in (respond, refresh_documents, status, upload_files, delete_file):
            handler.__annotations__["request"] = gr.Request

        upload.upload(
            upload_files,
            [upload, collection],
            result,
            api_name="upload",
        ).then(refresh_documents, [collection, only], documents)
        delete.click(delete_file, [chosen, collection], result, api_name="delete").then(
            refresh_documents, [collection, only], documents
        )
        # Another collection: its documents, and a new conversation (follow-ups would
        # otherwise lean on answers from the other one).
        collection.input(refresh_documents, [collection, only], documents).then(
            new_chat, conversation, [chatbot, sources, question, saved, download]
        )
        timer = gr.Timer(1.0)
        timer.tick(
            status,
            collection,
            [banner, table, timer, collection],
            show_progress="hidden",
            api_name="status",
        )
        app.load(refresh_documents, [collection, only], documents)
        app.load(restore, [saved, conversation], [chatbot, sources, download])
    return app


def serve(
    settings: rag.Settings,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    block: bool = True,
    users: Users | None = None,
) -> RunningServer:
    """Start the web chat with the API beside it (rag.interfaces.http_api) on one server;
    returns it (already running when ``block`` is false). Off loopback the API needs a key
    (``settings.api_key``): a ConfigError says so when none is set."""
    import gradio as gr

    check_exposure(host, settings.api_key)
    if auth is not None:
        users = Users.single(*auth)
    if host not in LOOPBACK and users is None:
        log.warning(
            "serving on %s without --auth: anyone who can reach it can read the documents", host
        )
    web = WebChat(settings, users=users)
    blocks = build_app(web)
    blocks.queue(default_concurrency_limit=4)
    api = build_api(web, login_required=users is not None)
    gr.mount_gradio_app(
        api,
        blocks,
        path="/",
        server_name=host,
        server_port=port,
        auth=(lambda name, password: users.login(name, password) is not None) if users else None,
        css=CSS,
        theme=gr.themes.Soft(),
        footer_links=[],
        allowed_paths=[],
        max_file_size=f"{settings.upload_max_mb}mb",
    )
    server = RunningServer(api, host, port, on_close=lambda: _closed(blocks, settings)).start()
    # Loading the model imports torch & co. (most of the start-up time): the page is up first
    # and says so, instead of staying blank.
    web.start()
    if users is None or settings.api_key:  # `rag ask` may use this server's API
        announce_host = "127.0.0.1" if host in ("0.0.0.0", "::", "localhost") else host
        remote.announce(settings.index_dir, settings.corpus_dir, f"http://{announce_host}:{port}/")
        atexit.register(remote.withdraw, settings.index_dir)
    if block:
        server.block()
    return server


def _closed(blocks, settings: rag.Settings) -> None:
    remote.withdraw(settings.index_dir)
    blocks.close()
