"""Reasoning deltas and the finish reason, surfaced by the endpoint client from a real loopback
server speaking the OpenAI protocol."""

from __future__ import annotations

import pytest
from openai_server import Reply
from test_llm import MESSAGES, make_client

from assistant.answering.reasoning import ReasoningSplitter
from assistant.server_replies import StreamDelta


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_reasoning_deltas_are_kept_apart_from_content(openai_server, tmp_path, field):
    openai_server.enqueue(
        Reply(
            chunks=["Answer ", "[1]."],
            reasoning_chunks=["Source 1 ", "says so [2]."],
            reasoning_field=field,
        )
    )
    stream = make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")
    assert list(stream.deltas()) == [
        StreamDelta(reasoning="Source 1 "),
        StreamDelta(reasoning="says so [2]."),
        StreamDelta(content="Answer "),
        StreamDelta(content="[1]."),
    ]
    assert stream.reasoning == "Source 1 says so [2]."
    assert stream.finish_reason == "stop"


def test_iterating_a_stream_still_yields_only_the_answer(openai_server, tmp_path):
    openai_server.enqueue(Reply(chunks=["Only ", "this."], reasoning_chunks=["hidden"]))
    stream = make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")
    assert list(stream) == ["Only ", "this."]
    assert stream.reasoning == "hidden"


def test_a_reply_cut_at_the_token_limit_says_length(openai_server, tmp_path):
    openai_server.enqueue(Reply(chunks=["The answer is cut"], finish_reason="length"))
    stream = make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")
    assert "".join(stream) == "The answer is cut"
    assert stream.finish_reason == "length"


def test_think_blocks_in_the_content_are_split_off(openai_server, tmp_path):
    openai_server.enqueue(Reply(chunks=["<thi", "nk>maybe [3]</th", "ink>\n\nLUKE ", "is X [1]."]))
    stream = make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")
    splitter = ReasoningSplitter()
    answer = []
    for delta in stream:
        answer.append(splitter.feed(delta)[0])
    answer.append(splitter.finish()[0])
    assert "".join(answer) == "LUKE is X [1]."
    assert splitter.reasoning == "maybe [3]"
    assert stream.reasoning == ""  # nothing came as separate reasoning deltas


def test_a_whole_reply_carries_its_reasoning_and_finish_reason(openai_server, tmp_path):
    openai_server.enqueue(Reply(text="Short", reasoning_chunks=["think"], finish_reason="length"))
    reply = make_client(openai_server, tmp_path).complete(MESSAGES, model="m")
    assert (reply.text, reply.reasoning, reply.finish_reason) == ("Short", "think", "length")
