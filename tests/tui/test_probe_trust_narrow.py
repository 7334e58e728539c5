"""A terminal 40 columns wide: the answer and what to trust in it get the width, the
sources panel waits for Tab; from 60 columns up the panel stands beside the answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Static
from tui_helpers import QUESTION, ask_and_wait, until_ready, wait_until

from assistant.tui.app import ChatApp

pytestmark = pytest.mark.anyio

MISATTRIBUTED = (
    "DAE-Talker leverages data-driven latent representations obtained from a diffusion "
    "autoencoder [2]."
)


async def test_at_40_columns_the_warnings_get_the_width_and_tab_shows_the_sources(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(MISATTRIBUTED)
    app = chat_app()
    async with app.run_test(size=(40, 24)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, QUESTION)
        warnings = app.conversation.answers()[0].query_one(".answer-claims", Static)
        assert str(warnings.render()).startswith("⚠ not supported by [2]")
        assert not app.sources_panel.display
        assert warnings.content_region.width >= 30
        await pilot.press("tab")
        await wait_until(pilot, lambda: app.sources_panel.display, what="the sources panel")
        assert app.sources_panel.option_list.has_focus


async def test_at_80_columns_the_sources_stand_beside_the_answer(
    chat_app: Callable[..., ChatApp],
) -> None:
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        assert app.sources_panel.display and app.sources_panel.region.width >= 24
