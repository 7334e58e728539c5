"""``aanswer`` cancelled (``asyncio.wait_for`` timing out) stops the answer and closes the
model's stream, as ``AnswerStream.close()`` does, and the next call works."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

from openai_server import Reply

from assistant.errors import AuthenticationFailed
from assistant.service import Assistant

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"


def test_a_timed_out_aanswer_closes_the_model_stream(
    assistant_factory: Callable[..., Assistant], openai_server: Any
) -> None:
    llm = assistant_factory(base_url=openai_server.url, max_retries=1)
    # 200 words at 30 ms each: six seconds of writing if nobody stops it.
    openai_server.enqueue(Reply(chunks=[f"word{i} " for i in range(200)], chunk_delay=0.03))
    openai_server.enqueue("Diffusion autoencoder latents [1].")

    async def scenario() -> tuple[int, str]:
        try:
            await asyncio.wait_for(llm.aanswer(QUESTION), timeout=0.5)
        except TimeoutError:  # TimeoutError itself from Python 3.11
            pass
        else:
            raise AssertionError("the slow answer should have timed out")
        # Before, the worker thread read all 200 words to the end with nobody waiting.
        deadline = time.monotonic() + 5
        while openai_server.disconnects == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        disconnects = openai_server.disconnects
        after = await llm.aanswer(QUESTION)
        return disconnects, after.text

    disconnects, text = asyncio.run(scenario())
    assert disconnects == 1
    assert text == "Diffusion autoencoder latents [1]."


def test_aanswer_that_is_not_cancelled_gives_the_whole_answer(
    assistant_factory: Callable[..., Assistant], openai_server: Any
) -> None:
    llm = assistant_factory(base_url=openai_server.url, max_retries=1)
    openai_server.enqueue(Reply(chunks=["Diffusion ", "autoencoder ", "latents [1]."]))
    answer = asyncio.run(llm.aanswer(QUESTION))
    assert answer.text == "Diffusion autoencoder latents [1]." and answer.citations == [1]
    assert openai_server.disconnects == 0


def test_a_timed_out_aanswer_waiting_for_the_first_byte_does_not_hold_the_script_open(
    assistant_factory: Callable[..., Assistant], openai_server: Any
) -> None:
    # The endpoint has not answered at all yet: nothing to close, and the worker thread is
    # blocked in the request. asyncio.run used to join it, holding the script for the
    # whole endpoint timeout after wait_for had given up.
    llm = assistant_factory(base_url=openai_server.url, max_retries=0, timeout=30)
    openai_server.enqueue(Reply(text="Too late [1].", delay=20))

    async def scenario() -> None:
        await asyncio.wait_for(llm.aanswer(QUESTION), timeout=0.3)

    try:
        asyncio.run(scenario())
    except TimeoutError:
        pass
    else:
        raise AssertionError("the answer should have timed out")
    waiting = [t for t in threading.enumerate() if t.name == "assistant-aanswer"]
    assert waiting and waiting[0].is_alive()  # asyncio.run returned while it still waits
    assert len(openai_server.chat_requests) == 1


def test_an_aanswer_error_reaches_the_awaiting_task(
    assistant_factory: Callable[..., Assistant], openai_server: Any
) -> None:
    llm = assistant_factory(base_url=openai_server.url, max_retries=0)
    openai_server.enqueue(status=401)
    try:
        asyncio.run(llm.aanswer(QUESTION))
    except AuthenticationFailed as exc:
        assert "HTTP 401" in str(exc)
    else:
        raise AssertionError("the 401 should have been raised")
