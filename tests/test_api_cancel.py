"""``aanswer`` cancelled (``asyncio.wait_for`` timing out) stops the answer and closes the
model's stream, as ``AnswerStream.close()`` does, and the next call works."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from openai_server import Reply

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
