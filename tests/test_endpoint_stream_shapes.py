"""Streams as real servers send them (OpenAI, Ollama, vLLM, llama.cpp, LM Studio, proxies):
keep-alive comments, several choices, a refusal field, a content filter, tool calls, an empty
reply, a server ignoring ``max_tokens`` — through the loopback server, end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openai_server import Reply

from assistant.answering.chat_model import (
    MODEL_EMPTY,
    MODEL_FILTERED,
    MODEL_REFUSED,
    MODEL_TOOL_CALL,
)
from assistant.errors import EndpointTimeout
from assistant.llm import MAX_CHARS_PER_TOKEN, ChatClient
from assistant.server_replies import DataEvents, EventFields
from assistant.service import Assistant
from assistant.settings import Settings

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"
MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture
def llm(assistant_factory, openai_server) -> Assistant:
    return assistant_factory(base_url=openai_server.url, max_retries=0)


def sse(*chunks: dict[str, Any], comments: str = "") -> Reply:
    """A raw event stream of ``chunks`` (each a chunk's ``choices``, or a whole chunk)."""
    events = []
    for chunk in chunks:
        body = chunk if "object" in chunk else {"object": "chat.completion.chunk", **chunk}
        events.append(f"{comments}data: {json.dumps(body, ensure_ascii=False)}\n\n")
    return Reply(raw="".join(events) + "data: [DONE]\n\n", content_type="text/event-stream")


def choice(delta: dict[str, Any], finish: str | None = None, index: int = 0) -> dict[str, Any]:
    return {"index": index, "delta": delta, "finish_reason": finish}


def test_keep_alive_comments_between_events_are_skipped(llm, openai_server):
    openai_server.enqueue(
        sse(
            {"choices": [choice({"content": "DAE-Talker uses latents [1]."})]},
            {"choices": [choice({}, "stop")]},
            comments=": keep-alive\n\n:\n\n: OPENROUTER PROCESSING\n\n",
        )
    )
    answer = llm.answer(QUESTION)
    assert answer.answered and answer.text == "DAE-Talker uses latents [1]."


def test_lines_and_characters_split_across_network_reads_are_joined(llm, openai_server):
    reply = sse(
        {"choices": [choice({"content": "DAE-Talker uses latents — “ü” 😀 [1]."})]},
        {"choices": [choice({}, "stop")]},
        comments=": keep-alive\n\n",
    )
    assert isinstance(reply.raw, str)
    reply.raw, reply.raw_piece = reply.raw.encode(), 3  # cuts lines and UTF-8 characters
    openai_server.enqueue(reply)
    answer = llm.answer(QUESTION)
    assert answer.text == "DAE-Talker uses latents — “ü” 😀 [1]."


@pytest.mark.parametrize(
    "extra",
    [
        "retry: 3000\nid: 7\n\n",  # a block without data
        "event: ping\n\n",  # an event without data
        "id: 8\n: keep-alive\n\n",  # after an id, every blank line read as an event
        "data:\n\n",  # empty data
    ],
    ids=["retry-id", "ping", "id-then-keep-alive", "empty-data"],
)
def test_events_without_data_are_skipped(llm, openai_server, extra):
    reply = sse(
        {"choices": [choice({"content": "DAE-Talker uses latents [1]."})]},
        {"choices": [choice({}, "stop")]},
        comments=extra,
    )
    assert isinstance(reply.raw, str)
    reply.raw = extra + reply.raw.replace("data: [DONE]", f": keep-alive\n\n{extra}data: [DONE]")
    openai_server.enqueue(reply)
    assert llm.answer(QUESTION).text == "DAE-Talker uses latents [1]."


def test_data_events_are_regrouped_whole_whatever_the_line_ends():
    events = DataEvents()
    stream = b"id: 1\r\ndata: a\r\n\r\n: ping\r\rdata: b\r\rretry: 5\n\ndata: c"
    pieces = [stream[i : i + 5] for i in range(0, len(stream), 5)]
    out = b"".join(events.feed(piece) for piece in pieces) + events.finish()
    assert out == b"id: 1\r\ndata: a\r\n\r\ndata: b\r\rdata: c"
    cr_only = b"id: 2\rdata: d\r\rdatabase: no data\r\r"
    assert DataEvents().feed(cr_only) == b"id: 2\rdata: d\r\r"


def test_only_the_first_of_several_choices_is_read(llm, openai_server):
    openai_server.enqueue(
        sse(
            {"choices": [choice({"content": "DAE-Talker"}), choice({"content": "OTHER"}, None, 1)]},
            {"choices": [choice({"content": " uses latents [1]."}, None, 0)]},
            {"choices": [choice({"content": " MORE"}, "stop", 1), choice({}, "stop", 0)]},
        )
    )
    answer = llm.answer(QUESTION)
    assert answer.text == "DAE-Talker uses latents [1]."


def test_a_refusal_field_is_told_as_the_model_refusing(llm, openai_server):
    openai_server.enqueue(
        sse(
            {"choices": [choice({"role": "assistant", "content": None, "refusal": ""})]},
            {"choices": [choice({"content": None, "refusal": "I'm sorry, I can't"})]},
            {"choices": [choice({"content": None, "refusal": " help with that."})]},
            {"choices": [choice({}, "stop")]},
        )
    )
    stream = llm.stream_answer(QUESTION)
    shown = "".join(stream)
    answer = stream.answer
    expected = MODEL_REFUSED.format(refusal="I'm sorry, I can't help with that.")
    assert not answer.answered and answer.text == expected and shown.strip() == expected


def test_a_content_filter_stopping_the_answer_is_said(llm, openai_server):
    openai_server.enqueue(
        sse(
            {"choices": [choice({"content": "DAE-Talker uses latents [1]. It also"})]},
            {"choices": [choice({}, "content_filter")]},
        )
    )
    stream = llm.stream_answer(QUESTION)
    shown = "".join(stream)
    answer = stream.answer
    assert answer.text.startswith("DAE-Talker uses latents [1]. It also")
    assert answer.text.endswith(f"({MODEL_FILTERED})") and shown.strip() == answer.text
    # Half an answer: not answered, so neither its half sentence nor the note is a claim.
    assert not answer.answered and answer.claims == [] and answer.citations == [1]


@pytest.mark.parametrize(
    ("ending", "delta", "told"),
    [
        ("content_filter", {}, MODEL_FILTERED),
        (
            "tool_calls",
            {"content": None, "tool_calls": [{"index": 0, "id": "c", "type": "function"}]},
            MODEL_TOOL_CALL,
        ),
        ("stop", {"content": None}, MODEL_EMPTY),
    ],
    ids=["content-filter", "tool-call", "empty"],
)
def test_a_reply_without_text_says_why_not_that_the_papers_lack_it(
    llm, openai_server, ending, delta, told
):
    openai_server.enqueue(sse({"choices": [choice(delta)]}, {"choices": [choice({}, ending)]}))
    answer = llm.answer(QUESTION)
    assert not answer.answered and answer.text == told and answer.citations == []


USAGE = {"prompt_tokens": 9, "completion_tokens": 6, "total_tokens": 15}


def test_a_usage_only_last_chunk_and_empty_choices_are_read(llm, openai_server):
    openai_server.enqueue(
        sse(
            {"choices": [], "prompt_filter_results": [{"prompt_index": 0}]},
            {"choices": [choice({"content": "DAE-Talker uses latents [1]."})]},
            {"choices": [choice({}, "stop")]},
            {"choices": [], "usage": USAGE},
        )
    )
    answer = llm.answer(QUESTION)
    assert answer.text == "DAE-Talker uses latents [1]." and answer.usage == USAGE


def make_client(server, tmp_path: Path, **overrides: Any) -> ChatClient:
    values = {"home": tmp_path, "base_url": server.url, "max_retries": 0, **overrides}
    return ChatClient(Settings.from_mapping(values, origin="test"))


def test_a_proxy_sending_only_keep_alives_times_out(openai_server, tmp_path):
    openai_server.enqueue(Reply(text="never [1].", keep_alive=30.0))
    client = make_client(openai_server, tmp_path, timeout=0.4)
    stream = client.stream_chat(MESSAGES, model="m")
    with pytest.raises(EndpointTimeout, match=r"only keep-alive comments for 0\.4 s"):
        list(stream)


def test_keep_alives_before_a_reply_within_the_timeout_are_waited_for(openai_server, tmp_path):
    openai_server.enqueue(Reply(text="late [1].", keep_alive=0.3))
    client = make_client(openai_server, tmp_path, timeout=5.0)
    assert "".join(client.stream_chat(MESSAGES, model="m")) == "late [1]."


def test_a_server_ignoring_max_tokens_is_cut_off_as_at_the_limit(openai_server, tmp_path):
    piece = "DAE-Talker uses latents [1]. "
    openai_server.enqueue(Reply(chunks=[piece] * 5000))
    stream = make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m", max_tokens=20)
    text = "".join(stream)
    assert stream.finish_reason == "length"
    assert 20 * MAX_CHARS_PER_TOKEN <= len(text) <= 20 * MAX_CHARS_PER_TOKEN + len(piece)


def test_long_reasoning_sent_apart_is_not_cut_as_a_runaway(openai_server, tmp_path):
    # DeepSeek's reasoner leaves its thinking out of max_tokens.
    thoughts = ["Weighing the sources again. "] * 200
    openai_server.enqueue(Reply(text="Short [1].", reasoning_chunks=thoughts))
    stream = make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m", max_tokens=20)
    assert "".join(stream) == "Short [1]." and stream.finish_reason == "stop"
    assert len(stream.reasoning) > 20 * MAX_CHARS_PER_TOKEN


def test_bytes_that_are_not_utf8_become_a_replacement_not_a_failed_answer(llm, openai_server):
    delta = b'{"content": "DAE-Talker uses latents \xff [1]."}'  # one byte that is no UTF-8
    raw = (
        b'data: {"choices": [{"index": 0, "delta": ' + delta + b', "finish_reason": null}]}\n\n'
        b'data: {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\n'
    )
    openai_server.enqueue(Reply(raw=raw, content_type="text/event-stream"))
    answer = llm.answer(QUESTION)
    assert answer.text == "DAE-Talker uses latents \ufffd [1]." and answer.answered


def test_event_fields_are_told_from_comments_split_anywhere():
    fields = EventFields()
    assert not fields.carried(b": keep-")
    assert not fields.carried(b"alive data: not a field\n\n:")
    assert not fields.carried(b" more comment\r\n\r\n")
    assert fields.carried(b"da")
    assert fields.carried(b'ta: {"x": 1}\n\n')
    assert not fields.carried(b"\n\n")
