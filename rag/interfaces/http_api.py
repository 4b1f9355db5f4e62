"""The HTTP API a `rag serve` offers beside its web chat, on the same server: an OpenAI-compatible
chat endpoint (``/v1``) and a REST API for the documents (``/api``), documented at ``/docs``.

Both answer through the server's one BotService, so the web chat, these routes and a `rag ask`
sent to the server share the loaded models, the model's turns and the corpus lock."""

from __future__ import annotations

import json
import secrets
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path, PurePosixPath

from fastapi import Depends, FastAPI, File, Request, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from rag import Scope
from rag.chat import ChatSession
from rag.errors import (
    CollectionError,
    ConfigError,
    DocumentNotFoundError,
    IndexBusyError,
    LLMUnavailableError,
    QuestionError,
    RagError,
    ScopeError,
    StoreUnavailableError,
)
from rag.interfaces.openai_chat import (
    DONE,
    ChatRequestError,
    Completion,
    error_body,
    extra_fields,
    message_content,
    models_list,
    parse_request,
)
from rag.interfaces.presentation import citation_record, documents_record
from rag.interfaces.service import BotService
from rag.interfaces.users import User
from rag.types import Answer, Waiting

OPENAI_PREFIX = "/v1"
REST_PREFIX = "/api"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def check_exposure(host: str, api_key: str | None) -> None:
    """A ConfigError when the API would listen beyond loopback without a key."""
    if host not in LOOPBACK and not api_key:
        raise ConfigError(
            f"serving on {host} needs an API key: set RAG_API_KEY (the API under /v1 and /api "
            "would be open to anyone who can reach it)"
        )


class ApiError(Exception):
    """A failed API call: its HTTP status, message and (OpenAI routes) error code."""

    def __init__(self, status: int, message: str, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


COLLECTION = "the index's collection to use (default: the server's)"
ONLY = "answer from these documents only: files, folders or glob patterns of their paths"


class Question(BaseModel):
    question: str = Field(description="the question, as a user would type it")
    generator: str | None = Field(None, description="answer generator (default: the server's)")
    collection: str | None = Field(None, description=COLLECTION)
    only: list[str] | None = Field(None, description=ONLY)


class Search(BaseModel):
    question: str = Field(description="what to look for")
    k: int = Field(5, ge=1, le=50, description="how many passages")
    collection: str | None = Field(None, description=COLLECTION)
    only: list[str] | None = Field(None, description=ONLY)


def _status_of(error: RagError) -> int:
    if isinstance(error, QuestionError | ScopeError):
        return 400
    if isinstance(error, DocumentNotFoundError | CollectionError):
        return 404
    if isinstance(error, IndexBusyError):
        return 409
    if isinstance(error, StoreUnavailableError | LLMUnavailableError) or type(error) is RagError:
        return 503  # the store, the model or the bot itself is not there
    return 422  # a document or setting that cannot be used


def _error_response(request: Request, status: int, message: str, code: str | None = None):
    """OpenAI's error object on its routes, FastAPI's ``{"detail": ...}`` on the others."""
    if request.url.path.startswith(OPENAI_PREFIX):
        kind = "server_error" if status >= 500 else "invalid_request_error"
        return JSONResponse(error_body(message, kind, code=code), status_code=status)
    return JSONResponse({"detail": message}, status_code=status)


class BodyLimit:
    """Refuses a request body above its limit with 413, before the route reads it: uploads to
    ``/api/documents`` may carry ``api_max_files`` files of ``upload_max_mb``, anything else
    ``api_max_request_kb``. Paths outside the API (the web chat) pass untouched."""

    def __init__(self, app, json_limit: int, upload_limit: int):
        self.app, self.json_limit, self.upload_limit = app, json_limit, upload_limit

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith((OPENAI_PREFIX, REST_PREFIX)):
            return await self.app(scope, receive, send)
        upload = path.rstrip("/") == f"{REST_PREFIX}/documents" and scope["method"] == "POST"
        limit = self.upload_limit if upload else self.json_limit
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await self._too_large(scope, receive, send, limit)
        received = 0
        started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _TooLarge
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._too_large(scope, receive, send, limit)

    async def _too_large(self, scope, receive, send, limit: int):
        message = f"The request body is too large: the limit is {limit // 1024} KB."
        response = _error_response(Request(scope, receive), 413, message, "request_too_large")
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


def build_api(service: BotService, login_required: bool = False) -> FastAPI:
    """The API app for ``service`` (mount the web chat under it). Calls need the bearer key
    ``settings.api_key`` when one is set; with none set and ``login_required`` (the web chat
    asks for a login), every call is refused, so the API never bypasses the login."""
    settings = service.settings
    app = FastAPI(
        title="rag",
        summary="Answers from your documents with paragraph-exact citations.",
        description="OpenAI-compatible chat under /v1; the documents under /api. "
        "Send `Authorization: Bearer KEY` when the server has RAG_API_KEY set.",
        docs_url="/docs",
        redoc_url=None,
    )
    app.add_middleware(
        BodyLimit,
        json_limit=settings.api_max_request_kb * 1024,
        upload_limit=(settings.upload_max_mb * settings.api_max_files + 1) * 2**20,
    )

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError):
        return _error_response(request, error.status, error.message, error.code)

    @app.exception_handler(ChatRequestError)
    async def chat_request_error(request: Request, error: ChatRequestError):
        return JSONResponse(error.body(), status_code=error.status)

    @app.exception_handler(RagError)
    async def rag_error(request: Request, error: RagError):
        return _error_response(request, _status_of(error), str(error))

    def authorise(request: Request) -> User | None:
        """The caller: None for the server's own key (or no login at all), which sees every
        collection; a user of the users file by their API key (Bearer) or password (Basic)."""
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        given, scheme = given.strip(), scheme.lower()
        if (
            settings.api_key
            and scheme == "bearer"
            and secrets.compare_digest(given.encode(), settings.api_key.encode())
        ):
            return None
        users = service.users
        if users is not None and scheme == "bearer":
            user = users.by_key(given)
            if user is not None:
                return user
        if users is not None and scheme == "basic":
            name, _, password = _basic(given).partition(":")
            user = users.login(name, password)
            if user is not None:
                return user
        if settings.api_key is None and not login_required and users is None:
            return None
        if settings.api_key is None and users is None:
            raise ApiError(
                401,
                "This server's web chat needs a login and it has no API key: "
                "start it with RAG_API_KEY set to use its API.",
                "invalid_api_key",
            )
        raise ApiError(
            401,
            "Incorrect or missing API key: send 'Authorization: Bearer KEY' with the "
            "server's RAG_API_KEY"
            + (" or your own key (`rag users add`)." if users is not None else "."),
            "invalid_api_key",
        )

    guarded = [Depends(authorise)]
    caller = Depends(authorise)

    # --- OpenAI-compatible chat ---------------------------------------------------------------

    @app.get(f"{OPENAI_PREFIX}/models", dependencies=guarded, tags=["OpenAI-compatible"])
    def list_models() -> dict:
        """``rag`` (the server's generator) and ``rag-NAME`` for each generator it has."""
        bot = service.wait()
        return models_list(bot.generator, bot.generators())

    @app.post(f"{OPENAI_PREFIX}/chat/completions", tags=["OpenAI-compatible"])
    async def chat_completions(request: Request, user: User | None = caller):
        """Answer the last user message (earlier turns make a follow-up standalone), as
        OpenAI's chat completions do, streamed with ``"stream": true``. The answer keeps its
        ``[n]`` markers and ends with a Sources list; ``citations`` (and ``refused``) carry
        them as records, on the response and on the stream's last chunk."""
        body = await request.body()
        bot = await run_in_threadpool(service.wait)
        chat = parse_request(body, bot.generator, bot.generators())
        collection_bot = await run_in_threadpool(service.bot_for, chat.collection, user)
        answering = collection_bot.with_generator(chat.generator)
        question = answering.validate_question(chat.question)
        scope = Scope.of(only=chat.only) if chat.only is not None else None
        answering.select(scope)  # a scope that matches nothing: one clear error, not a stream
        session = ChatSession(answering, turns=list(chat.history))
        completion = Completion(chat.model)
        if not chat.stream:
            answer = await run_in_threadpool(session.ask, question, scope)
            return JSONResponse(completion.whole(answer))
        return StreamingResponse(
            _events(session.ask_stream(question, scope), completion),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    # --- documents ----------------------------------------------------------------------------

    @app.get(f"{REST_PREFIX}/collections", tags=["documents"])
    def list_collections(user: User | None = caller) -> dict:
        """The index's collections the caller may see, the default first."""
        service.wait()
        return {"collections": service.collection_names(user)}

    @app.get(f"{REST_PREFIX}/documents", tags=["documents"])
    def list_documents(collection: str | None = None, user: User | None = caller) -> dict:
        """Every indexed document of the collection with its paragraph count."""
        return documents_record(service.bot_for(collection, user).info().documents)

    @app.post(f"{REST_PREFIX}/documents", tags=["documents"])
    def upload_documents(
        files: list[UploadFile] = File(...),  # noqa: B008
        collection: str | None = None,
        user: User | None = caller,
    ) -> dict:
        """Add files to the collection's corpus and index them, as the web chat's upload
        does: unsupported or too large files are left out with a reason; when indexing fails,
        nothing changes."""
        service.bot_for(collection, user)  # not theirs or unknown: 404 before anything is saved
        with tempfile.TemporaryDirectory(prefix="rag-upload-") as folder:
            paths = [_saved(upload, Path(folder) / str(n)) for n, upload in enumerate(files)]
            added = service.add_files(paths, collection, user)
        if added.report is None:
            raise ApiError(400, "Nothing added: " + "; ".join(added.rejected))
        return added.report.to_dict() | {"rejected": added.rejected}

    @app.delete(f"{REST_PREFIX}/documents/{{file:path}}", tags=["documents"])
    def delete_document(
        file: str, collection: str | None = None, user: User | None = caller
    ) -> dict:
        """Delete a document (its path as listed) from the corpus folder and the index."""
        return service.remove_files([file], collection, user).to_dict()

    @app.post(f"{REST_PREFIX}/ingest", tags=["documents"])
    def reingest(collection: str | None = None, user: User | None = caller) -> dict:
        """Re-index the corpus folder (what `rag ingest` asks of a running server)."""
        return service.reingest(collection, user).to_dict()

    @app.post(f"{REST_PREFIX}/retrieve", tags=["questions"])
    def retrieve(search: Search, user: User | None = caller) -> dict:
        """The passages most relevant to the question, best first, with their scores."""
        bot = service.bot_for(search.collection, user)
        passages = bot.retrieve(search.question, search.k, only=search.only)
        return {"passages": [citation_record(p) for p in passages]}

    @app.post(f"{REST_PREFIX}/ask", tags=["questions"])
    def ask(question: Question, user: User | None = caller) -> dict:
        """The checked answer with its citations (``Answer`` as JSON), or a refusal; from the
        chosen collection and documents when given."""
        bot = service.bot_for(question.collection, user)
        if question.generator and question.generator not in bot.generators():
            raise ApiError(
                404,
                f"no generator {question.generator!r}; this server has: "
                + ", ".join(bot.generators()),
            )
        answering = bot.with_generator(question.generator or bot.generator)
        return answering.ask(question.question, only=question.only).to_dict()

    return app


def _basic(credentials: str) -> str:
    """``USER:PASSWORD`` from HTTP Basic credentials ("" when they are not base64)."""
    import base64
    import binascii

    try:
        return base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""


def _saved(upload: UploadFile, folder: Path) -> Path:
    """An uploaded file written to ``folder`` under its own base name (the corpus makes the
    name safe; here it only must not leave the folder)."""
    name = PurePosixPath((upload.filename or "").replace("\\", "/")).name
    folder.mkdir()
    target = folder / (name if name not in ("", ".", "..") else "upload")
    with target.open("wb") as handle:
        while chunk := upload.file.read(2**20):
            handle.write(chunk)
    return target


async def _events(
    stream: Iterator[str | Waiting | Answer], completion: Completion
) -> AsyncIterator[str]:
    """The answer stream as server-sent chunks: the role, the draft and the waiting notices
    as ``reasoning_content``, the checked answer as ``content``, then the citations and
    ``[DONE]``. When the client goes away the task is cancelled and the stream closed, which
    gives up the model's turn."""
    turn = threading.Lock()  # the stream runs in worker threads, one step at a time

    def step():
        with turn:
            return next(stream, None)

    ahead = None
    try:
        yield completion.chunk({"role": "assistant", "content": ""})
        while True:
            try:
                item = await run_in_threadpool(step)
            except RagError as error:
                yield f"data: {json.dumps(error_body(str(error), 'server_error'))}\n\n"
                return
            if item is None:
                return
            if isinstance(item, Waiting):
                if item.ahead != ahead:
                    ahead = item.ahead
                    notice = f"Waiting for the model: {ahead} question(s) ahead.\n"
                    yield completion.chunk({"reasoning_content": notice})
                else:
                    yield ": waiting\n\n"  # a comment: keeps the connection, shows nothing
            elif isinstance(item, str):
                if item:
                    yield completion.chunk({"reasoning_content": item})
            else:
                yield completion.chunk({"content": message_content(item)})
                yield completion.chunk({}, finish="stop", extra=extra_fields(item))
                yield DONE
    finally:
        threading.Thread(target=_close, args=(stream, turn), daemon=True).start()


def _close(stream, turn: threading.Lock) -> None:
    with turn:  # after the step in flight, if any
        stream.close()
