"""What real servers stream, end to end through the loopback OpenAI server: characters split
across deltas, replies whose thinking was opened by the chat template, follow-ups rewritten
by a model cut at its token limit."""

from __future__ import annotations

import pytest
from openai_server import Reply
from test_llm import MESSAGES, make_client

from assistant.service import Assistant

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"


@pytest.fixture
def llm(assistant_factory, openai_server) -> Assistant:
    return assistant_factory(base_url=openai_server.url, max_retries=1)


# -- Unicode split across deltas --------------------------------------------------------------


def test_an_emoji_split_between_two_deltas_is_one_character_again(llm, openai_server):
    # A server splitting text by UTF-16 units sends the two surrogate halves apart.
    openai_server.enqueue(Reply(chunks=["DAE-Talker uses latents \ud83d", "\ude00 [1]."]))
    stream = llm.stream_answer(QUESTION)
    shown = "".join(stream)
    answer = stream.answer
    assert shown == answer.text == "DAE-Talker uses latents 😀 [1]."
    assert answer.answered and [c.citations for c in answer.claims] == [[1]]


def test_a_lone_surrogate_becomes_a_replacement_character(openai_server, tmp_path):
    openai_server.enqueue(
        Reply(chunks=["\ude00a", "b \ud83d"], reasoning_chunks=["think \ud83d", "x"])
    )
    stream = make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")
    content = "".join(stream)
    assert content == "\ufffdab \ufffd"
    assert stream.reasoning == "think \ufffdx"
    content.encode("utf-8")  # printable, storable


def test_a_whole_reply_with_a_lone_surrogate_is_valid_text(openai_server, tmp_path):
    openai_server.enqueue(Reply(text="ok \ud83d", reasoning_chunks=["\udc00"]))
    reply = make_client(openai_server, tmp_path).complete(MESSAGES, model="m")
    assert (reply.text, reply.reasoning) == ("ok \ufffd", "\ufffd")
