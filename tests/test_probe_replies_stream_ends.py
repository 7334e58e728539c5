"""How a streamed reply ends: ``data: [DONE]`` is the server's word that the reply is whole,
also when it never sent a ``finish_reason`` (some servers and proxies send none, or an empty
one); a stream that ends with neither was cut off."""

from __future__ import annotations

import json

import pytest

from assistant.errors import StreamCutOff

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"
ANSWER = (
    "DAE-Talker uses data-driven latent representations obtained from a diffusion autoencoder [1]."
)


def events(*choices: dict, done: bool) -> str:
    """A server-sent event stream of chunks with these choices, ended by [DONE] or not."""
    lines = [
        "data: "
        + json.dumps({"id": "c", "object": "chat.completion.chunk", "model": "m", "choices": [c]})
        + "\n\n"
        for c in choices
    ]
    return "".join(lines) + ("data: [DONE]\n\n" if done else "")


@pytest.mark.parametrize("finish", [None, ""])
def test_a_stream_ended_by_done_without_a_finish_reason_is_a_whole_answer(
    llm, openai_server, finish
):
    body = events(
        {"index": 0, "delta": {"role": "assistant", "content": ANSWER}, "finish_reason": None},
        {"index": 0, "delta": {}, "finish_reason": finish},
        done=True,
    )
    openai_server.enqueue(raw=body, content_type="text/event-stream")
    stream = llm.stream_answer(QUESTION)
    assert "".join(stream) == ANSWER
    answer = stream.answer
    assert answer.answered and answer.citations == [1] and not answer.truncated


def test_a_stream_ended_by_neither_done_nor_a_finish_reason_is_cut_off(llm, openai_server):
    body = events({"index": 0, "delta": {"content": ANSWER}, "finish_reason": None}, done=False)
    openai_server.enqueue(raw=body, content_type="text/event-stream")
    with pytest.raises(StreamCutOff):
        llm.answer(QUESTION)
