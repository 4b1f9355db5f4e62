"""`rag mcp` through the official SDK's stdio client, as an agent or desktop assistant runs it."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys

import pytest

from tests.conftest import ARTICLE, require_local_llm

pytestmark = pytest.mark.slow  # a `rag mcp` process with the embedding model (and the LLM)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    work = tmp_path_factory.mktemp("mcp")
    (work / "corpus").mkdir()
    shutil.copy(ARTICLE, work / "corpus")
    return work


def call_tools(work, generator: str, calls: list[tuple[str, dict]]):
    """Start `rag mcp` as a client would, list its tools, make ``calls``; their results."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "rag", "--index", str(work / "index"), "--corpus", str(work / "corpus"), "mcp"],
        env=env | {"RAG_GENERATOR": generator},
        cwd=str(work),
    )

    async def session():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            tools = (await client.list_tools()).tools
            results = [await client.call_tool(name, arguments) for name, arguments in calls]
            return tools, results

    return asyncio.run(asyncio.wait_for(session(), timeout=600))


@pytest.mark.parametrize("generator", ["extractive", "local"])
def test_an_mcp_client_lists_the_tools_and_calls_each(project, generator):
    if generator == "local":
        require_local_llm()
    tools, (asked, found, listed, empty, elsewhere, unmatched) = call_tools(
        project,
        generator,
        [
            (
                "ask_documents",
                {"question": "Which country hosted the latest round of peace talks?"},
            ),
            ("search_documents", {"query": "Kremlin spokesperson", "k": 2}),
            ("list_documents", {}),
            ("ask_documents", {"question": "   "}),
            ("list_documents", {"collection": "contracts"}),
            ("search_documents", {"query": "Kremlin", "only": ["manuals/*"]}),
        ],
    )
    by_name = {tool.name: tool for tool in tools}
    assert set(by_name) == {"search_documents", "ask_documents", "list_documents"}
    assert set(by_name["search_documents"].input_schema["properties"]) == {
        "query",
        "k",
        "collection",
        "only",
    }

    answer = asked.structured_content
    assert not asked.is_error and answer["refused"] is False
    assert "Saudi Arabia" in answer["answer"] and "**Sources**" in answer["answer"]
    assert (answer["citations"][0]["file"], answer["citations"][0]["paragraph"]) == (
        ARTICLE.name,
        2,
    )
    assert json.loads(asked.content[0].text) == answer  # the same for clients reading text

    passages = found.structured_content["passages"]
    assert len(passages) == 2 and "Dmitry Peskov" in passages[0]["text"]
    assert {"file", "paragraph", "lines", "heading", "text", "score"} <= set(passages[0])

    assert listed.structured_content == {
        "documents": [{"file": ARTICLE.name, "paragraphs": 11}],
        "paragraphs": 11,
    }
    assert empty.is_error and empty.content[0].text.endswith("the question is empty")
    assert elsewhere.is_error and "no collection 'contracts'" in elsewhere.content[0].text
    assert unmatched.is_error and "no document matches 'manuals/*'" in unmatched.content[0].text
