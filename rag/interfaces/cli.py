"""The `rag` command: parses arguments, calls the public API, prints. Heavy imports are lazy."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from collections.abc import Sequence

from rag.evaluation.suites import ALL_SUITES
from rag.types import Waiting

EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag",
        description="Answer questions from your documents, citing the paragraphs, fully offline.",
    )
    parser.add_argument("--index", dest="index_dir", help="index directory (default: index/)")
    parser.add_argument(
        "--corpus", dest="corpus_dir", help="documents directory (default: corpus/)"
    )
    parser.add_argument(
        "--generator",
        help="answer generator: auto (default: local when installed), local, extractive, openai",
    )
    parser.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000")
    parser.add_argument(
        "--collection",
        help="the index's collection to use (default: default); `rag collections` lists them",
    )
    parser.add_argument("--config", help="settings file (default: rag.toml if present)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="index documents (default: the corpus directory)")
    ingest.add_argument("paths", nargs="*", help="files or directories to index")

    ask = commands.add_parser("ask", help="answer one question with citations")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the Answer as JSON")
    ask.add_argument("-k", "--top-k", type=int, help="passages to retrieve")
    _scope_arguments(ask)

    chat = commands.add_parser("chat", help="a terminal chat with follow-up questions")
    _scope_arguments(chat)

    serve = commands.add_parser("serve", help="start the web chat")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    serve.add_argument("--auth", help="require login USER:PASSWORD (or set RAG_UI_AUTH)")
    serve.add_argument(
        "--users",
        dest="users_file",
        metavar="FILE",
        help="require login by the users of FILE, each seeing their own collections "
        "(or set RAG_USERS_FILE; `rag users add` writes it)",
    )

    users = commands.add_parser("users", help="add a user of `rag serve --users FILE`")
    user_actions = users.add_subparsers(dest="action", metavar="ACTION", required=True)
    add_user = user_actions.add_parser(
        "add", help="add or replace a user; prints their API key (asks for the password)"
    )
    add_user.add_argument("name")
    add_user.add_argument("--file", dest="users_file", metavar="FILE", help="the users file")
    add_user.add_argument(
        "--collections",
        default="",
        metavar="A,B",
        help="the collections the user sees, comma-separated ('*': all)",
    )
    add_user.add_argument("--admin", action="store_true", help="sees every collection")
    add_user.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )

    commands.add_parser(
        "mcp",
        help="serve the documents as MCP tools on stdin/stdout (for agents)",
        description="A Model Context Protocol server over stdio with the tools "
        "search_documents, ask_documents and list_documents.",
    )

    evaluate = commands.add_parser(
        "eval",
        help="run eval suites and write report.json/.md/.html",
        description="Run eval suites (default: all) and write report.json, report.md and "
        f"report.html. Suites: {', '.join(ALL_SUITES)}.",
    )
    evaluate.add_argument("suites", nargs="*", metavar="SUITE", help="suites to run")
    evaluate.add_argument(
        "--generator",
        dest="eval_generators",
        action="append",
        metavar="NAME",
        help="answer generator; repeat to compare several (default: the configured one)",
    )
    evaluate.add_argument(
        "--retrieval",
        dest="eval_retrievals",
        action="append",
        choices=("hybrid", "dense", "bm25"),
        help="retrieval arm; repeat to compare several (default: the configured one)",
    )
    evaluate.add_argument(
        "--retrieval-only",
        action="store_true",
        help="score retrieval only (no answers): fast, for comparing retrieval arms",
    )
    evaluate.add_argument(
        "--index",
        dest="eval_index",
        metavar="DIR",
        help="keep and reuse the suites' indexes here (default: a temporary directory)",
    )
    evaluate.add_argument("--sample", type=int, default=1000, help="Quoref questions (1000)")
    evaluate.add_argument("--seed", type=int, default=13, help="Quoref sample seed (13)")
    evaluate.add_argument("--quoref", metavar="DIR", help="Quoref benchmark directory")
    evaluate.add_argument("--out", metavar="DIR", help="report directory (reports/eval-TIME)")
    evaluate.add_argument(
        "--compare", nargs=2, metavar=("OLD", "NEW"), help="compare two report.json files"
    )
    evaluate.add_argument(
        "--gate", metavar="BASELINE", help="exit 1 when a gated metric drops below BASELINE"
    )

    collections = commands.add_parser(
        "collections",
        help="list, create or delete the index's collections",
        description="Collections keep unrelated document sets apart in one index: each has "
        "its own corpus folder, documents and embedding model.",
    )
    actions = collections.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="every collection with its corpus folder and size (default)")
    create = actions.add_parser("create", help="create a collection")
    create.add_argument("name")
    create.add_argument("--corpus", dest="new_corpus", required=True, help="its documents folder")
    create.add_argument("--embed-model", help="its embedding model (default: the configured one)")
    delete = actions.add_parser(
        "delete", help="delete a collection's index records (its corpus folder stays)"
    )
    delete.add_argument("name")
    collections.add_argument("--json", action="store_true", help="print as JSON")

    info = commands.add_parser("info", help="show the index, store, model and documents")
    info.add_argument("--json", action="store_true", help="print as JSON")
    return parser


def _scope_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "scope", "answer from the chosen documents only (every option given must match)"
    )
    group.add_argument(
        "--in",
        dest="only",
        action="append",
        metavar="PATTERN",
        help="a file, folder or glob pattern of document paths as `rag info` lists them "
        "(repeatable)",
    )
    group.add_argument(
        "--type", dest="types", action="append", metavar="SUFFIX", help="e.g. pdf (repeatable)"
    )
    group.add_argument(
        "--folder", dest="folders", action="append", metavar="DIR", help="(repeatable)"
    )
    group.add_argument("--after", metavar="DATE", help="modified on or after DATE (2025-01-31)")
    group.add_argument("--before", metavar="DATE", help="modified before DATE")


def _scope(args: argparse.Namespace):
    """The scope the command's options describe, or None."""
    import rag

    return rag.Scope.of(args.only, args.types or (), args.folders or (), args.after, args.before)


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="rag: %(message)s"
    )
    for noisy in ("httpx", "chromadb", "sentence_transformers", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING if verbose else logging.ERROR)


def format_answer(answer, width: int = 100) -> str:
    """The answer text, then one block per citation: location, heading and paragraph text;
    passages set aside because their document instructs an AI are listed with why."""
    from rag.interfaces.presentation import set_aside_note

    lines = [answer.text, ""]
    if answer.refused:
        if answer.passages:
            lines.append("Closest passages (they do not answer the question):")
        sources = [("-", p) for p in answer.passages[:3]]
    else:
        sources = [(f"[{n}]", c) for n, c in enumerate(answer.citations, start=1)]
        sources += [("!", p) for p in answer.passages if p.untrusted]
    for marker, passage in sources:
        heading = f' "{passage.context}"' if passage.context else ""  # title › headings
        lines.append(f"{marker} {passage.label}{heading}")
        note = set_aside_note(passage.text, passage.untrusted)
        if note:
            lines.append(f"    ({note})")
        text = passage.text if passage.code else textwrap.fill(passage.text, width - 4)
        lines.append(textwrap.indent(text, "    "))  # code keeps its own line breaks
    return "\n".join(lines).rstrip()


def _settings(args: argparse.Namespace) -> dict:
    keys = ("index_dir", "corpus_dir", "generator", "chroma_url", "collection")
    settings = {key: getattr(args, key) for key in keys if getattr(args, key) is not None}
    if getattr(args, "top_k", None):
        settings["top_k"] = args.top_k
    return settings


def run(args: argparse.Namespace) -> int:
    import rag

    settings = _settings(args)
    if args.config:
        settings["config_file"] = args.config
    if args.command == "ingest":
        report = _ingest_through_running_web_chat(args, settings) or rag.ingest(
            args.paths or None, progress=sys.stderr.isatty(), **settings
        )
        for file in report.files:
            print(file.line)
        print(
            f"added {report.added}, updated {report.updated}, removed {report.removed}, "
            f"unchanged {report.unchanged} file(s); {report.paragraphs} paragraphs indexed "
            f"in {report.seconds:.1f} s"
        )
        return 0
    if args.command == "serve":
        return serve(args, settings)
    if args.command == "collections":
        return manage_collections(args, settings)
    if args.command == "users":
        return manage_users(args, settings)
    if args.command == "mcp":
        from rag.interfaces import mcp_server

        config_file = settings.pop("config_file", None)
        return mcp_server.run(rag.load_settings(config_file, **settings))
    if args.command == "eval":
        return evaluate(args, settings)
    scope = _scope(args) if args.command in ("ask", "chat") else None
    filtered = scope is not None and (scope.types or scope.folders or args.after or args.before)
    if args.command == "ask" and not (args.generator or args.top_k or filtered):
        answer = _ask_running_web_chat(args, settings)
        if answer is not None:
            _print_answer(answer, args.json)
            return 0
    # `info` only reports: it never builds an index as a side effect
    bot = rag.open(build=args.command != "info", **settings)
    if args.command == "ask":
        _print_answer(bot.ask(args.question, scope=scope), args.json)
        return 0
    if args.command == "info":
        info = bot.info()
        if args.json:
            print(json.dumps(info.to_dict(), ensure_ascii=False, indent=2))
            return 0
        print(f"index:     {info.location} ({info.store})")
        print(f"collection: {info.collection} (corpus {info.corpus_dir})")
        print(f"model:     {info.embed_model}")
        print(f"generator: {info.generator}")
        print(f"documents: {len(info.documents)}, paragraphs: {info.paragraphs}")
        for file in info.files:
            print(f"  {file.line}")
        return 0
    return chat_loop(bot, scope)


def manage_collections(args: argparse.Namespace, settings: dict) -> int:
    import dataclasses

    import rag

    settings.pop("collection", None)
    if args.action == "create":
        settings.pop("corpus_dir", None)  # the new collection's own --corpus counts
        rag.create_collection(
            args.name, corpus_dir=args.new_corpus, embed_model=args.embed_model, **settings
        )
        print(
            f"created collection {args.name} (corpus folder {args.new_corpus}); "
            f"fill it with: rag --collection {args.name} ingest"
        )
        return 0
    if args.action == "delete":
        rag.delete_collection(args.name, **settings)
        print(f"deleted collection {args.name} (its corpus folder was left as it is)")
        return 0
    found = rag.collections(**settings)
    if args.json:
        print(json.dumps([dataclasses.asdict(c) for c in found], ensure_ascii=False, indent=2))
        return 0
    for collection in found:
        print(
            f"{collection.name}: {collection.documents} document(s), {collection.paragraphs} "
            f"paragraphs, corpus {collection.corpus_dir}, model {collection.embed_model}"
        )
    return 0


def manage_users(args: argparse.Namespace, settings: dict) -> int:
    import getpass
    from pathlib import Path

    import rag
    from rag.interfaces.users import add_user

    config_file = settings.pop("config_file", None)
    path = args.users_file or rag.load_settings(config_file, **settings).users_file
    if not path:
        raise rag.ConfigError("name the users file: --file FILE (or set RAG_USERS_FILE)")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
    collections = [c.strip() for c in args.collections.split(",") if c.strip()]
    key = add_user(Path(path), args.name, password, collections, args.admin)
    print(f"added {args.name} to {path}; their API key (shown once): {key}")
    return 0


def _running_web_chat(settings: dict, paths: list[str] | None = None):
    """The URL of a `rag serve` running on the configured index (and, when ``paths`` are
    given, built from exactly those: its corpus directory), and the API key to call it with."""
    from pathlib import Path

    import rag
    from rag.interfaces import remote

    config = {k: v for k, v in settings.items() if k != "config_file"}
    resolved = rag.load_settings(settings.get("config_file"), **config)
    if resolved.chroma_url:
        return None
    if paths is None:
        url = remote.running_server(resolved.index_dir)
    elif paths and [Path(p).resolve() for p in paths] != [resolved.corpus_dir.resolve()]:
        return None
    else:
        url = remote.running_server(resolved.index_dir, resolved.corpus_dir)
    return (url, resolved.api_key) if url else None


def _ingest_through_running_web_chat(args: argparse.Namespace, settings: dict):
    """A `rag serve` running on this index owns it (the embedded store is one process at a
    time): it re-indexes its corpus, with its models already loaded."""
    from rag.interfaces import remote

    if args.collection and args.paths:
        return None  # the server indexes a collection's own corpus folder only

    def ingest(url: str, key: str | None):
        return remote.ingest(url, key, args.collection)

    return _through_running_web_chat(settings, args.paths, ingest, "indexed")


def _ask_running_web_chat(args: argparse.Namespace, settings: dict):
    """The answer of a `rag serve` running on the same index, if there is one (it has the
    models loaded already, so this takes well under a second)."""
    from rag.interfaces import remote

    def ask(url: str, key: str | None):
        return remote.ask(url, args.question, key, args.collection, args.only)

    return _through_running_web_chat(settings, None, ask, "answered")


def _through_running_web_chat(settings: dict, paths: list[str] | None, call, done: str):
    """``call(url, api_key)`` on the `rag serve` running on this index (see
    ``_running_web_chat``); None when there is none or it cannot be reached, so the caller
    does the work itself."""
    server = _running_web_chat(settings, paths)
    result = call(*server) if server else None
    if result is not None:
        print(f"rag: {done} by the web chat running at {server[0]}", file=sys.stderr)
    return result


def _print_answer(answer, as_json: bool) -> None:
    print(
        json.dumps(answer.to_dict(), ensure_ascii=False, indent=2)
        if as_json
        else format_answer(answer)
    )


def serve(args: argparse.Namespace, settings: dict) -> int:
    import os

    import rag

    serve_web_chat = _web_chat()

    auth_text = args.auth or os.environ.get("RAG_UI_AUTH")
    auth = None
    if auth_text:
        user, sep, password = auth_text.partition(":")
        if not sep or not user or not password:
            raise rag.ConfigError("--auth must look like USER:PASSWORD")
        auth = (user, password)
    from rag.interfaces.http_api import check_exposure
    from rag.interfaces.users import Users

    config_file = settings.pop("config_file", None)
    if args.users_file:
        settings["users_file"] = args.users_file
    resolved = rag.api.collection_settings(config_file, **settings)
    check_exposure(args.host, resolved.api_key)
    users = Users.load(resolved.users_file) if resolved.users_file else None
    if users is not None and auth is not None:
        raise rag.ConfigError("use either --auth or --users, not both")
    print(
        f"rag: web chat on http://{args.host}:{args.port} (API under /v1 and /api, docs at /docs)",
        file=sys.stderr,
    )
    serve_web_chat(resolved, args.host, args.port, auth, users=users)
    return 0


def _web_chat():
    """The web chat's ``serve`` function, found through the "rag.web_chat" entry point (the
    project's ui package registers it): the library does not import the app."""
    from importlib.metadata import entry_points

    import rag

    found = entry_points(group="rag.web_chat")
    if not found:
        raise rag.ConfigError("no web chat is installed: run `make install` (or pip install -e .)")
    return next(iter(found)).load()


def evaluate(args: argparse.Namespace, settings: dict) -> int:
    from pathlib import Path

    import rag
    from rag.evaluation import suites
    from rag.evaluation.command import EvalRequest, compare_reports, run_eval

    if args.compare:
        return compare_reports(*map(Path, args.compare))
    config_file = settings.pop("config_file", None)
    for key in ("index_dir", "corpus_dir"):  # each suite brings its own corpus and index
        settings.pop(key, None)
    request = EvalRequest(
        suites=args.suites,
        generators=args.eval_generators or [],
        retrievals=args.eval_retrievals or [],
        answer=not args.retrieval_only,
        index_dir=Path(args.eval_index) if args.eval_index else None,
        sample=args.sample,
        seed=args.seed,
        quoref_dir=Path(args.quoref) if args.quoref else suites.DEFAULT_QUOREF_DIR,
        out_dir=Path(args.out) if args.out else None,
        gate_file=Path(args.gate) if args.gate else None,
        progress=sys.stderr.isatty(),
    )
    return run_eval(request, rag.load_settings(config_file, **settings))


def chat_loop(bot, scope=None) -> int:
    """Read questions until EOF or /quit; /new starts a new conversation. Every answer comes
    from the documents ``scope`` chooses, when given."""
    import rag

    if scope is not None:
        chosen = bot.select(scope)
        print(f"(answering from {chosen.where}: {scope.describe()})")
    session = bot.chat()
    print("Ask a question about the documents. /new starts over, /quit (or Ctrl-D) leaves.")
    while True:
        try:
            question = input("you> ").strip()
        except EOFError:
            print()
            return 0
        if question in ("/quit", "/exit"):
            return 0
        if question == "/new":
            session.reset()
            print("(new conversation)")
            continue
        if not question:
            continue
        try:
            answer = _stream_to_terminal(session.ask_stream(question, scope))
        except rag.RagError as error:
            print(f"rag: error: {error}")
            continue
        if answer.query != answer.question:
            print(f"(searched for: {answer.query})")
        print(format_answer(answer), end="\n\n")


def _stream_to_terminal(stream):
    """Print the model's draft as it is written (dimmed on a terminal); return the Answer,
    which is printed after it, checked against the paragraphs."""
    dim, plain = ("\033[2m", "\033[0m") if sys.stdout.isatty() else ("", "")
    drafted = False
    for item in stream:
        if isinstance(item, Waiting):
            continue  # one terminal, one question at a time: nothing to show
        if isinstance(item, str):
            print(f"{dim}{item}{plain}" if item else "", end="", flush=True)
            drafted = True
        else:
            if drafted:
                print()
            return item
    raise RuntimeError("the answer stream ended without an answer")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    from rag.errors import RagError

    try:
        return run(args)
    except RagError as error:
        print(f"rag: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
