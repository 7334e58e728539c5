"""Regenerate docs/screenshot.svg: the chat app at 100x30 after one answered question.

    python docs/make_screenshot.py --home DIR   # DIR: a data directory with a built store

The answer comes from the tests' loopback OpenAI-protocol server (scripted text), so the
picture shows the real app, store and sources without needing a model.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"
ANSWER = (
    "DAE-Talker replaces handcrafted intermediate representations such as facial landmarks "
    "and 3DMM coefficients with data-driven latent representations from a diffusion "
    "autoencoder [1]. A Conformer-based speech2latent model predicts these latents from "
    "speech, and the diffusion decoder turns them into video frames [1]."
)


async def shoot(app: object, out: Path) -> None:
    from assistant.tui.app import ChatApp

    assert isinstance(app, ChatApp)
    async with app.run_test(size=(100, 30)) as pilot:
        while app.store_state == "opening":
            await pilot.pause(0.05)
        app.prompt_input.cursor_blink = False
        app.status.host = "localhost:8080"  # not the random loopback port
        app.prompt_input.set_text(QUESTION)
        await pilot.press("enter")
        while not app.turns:
            await pilot.pause(0.05)
        await pilot.press("tab")
        await pilot.pause(0.3)
        app.save_screenshot(out.name, str(out.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="data directory with a store")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot.svg")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "tests"))
    from openai_server import OpenAIServer

    from assistant.history import ChatHistory
    from assistant.service import Assistant
    from assistant.settings import Settings
    from assistant.tui.app import make_app

    server = OpenAIServer().start()
    try:
        server.models = ["gemma-3-270m"]
        server.enqueue(chunks=[word + " " for word in ANSWER.split()])
        settings = Settings.load(
            {"home": args.home, "base_url": server.url, "model": "gemma-3-270m"}
        )
        with tempfile.TemporaryDirectory() as scratch:
            history = ChatHistory(Path(scratch) / "history.sqlite3")
            app = make_app(Assistant(settings), history=history, export_dir=Path(scratch))
            asyncio.run(shoot(app, args.out))
    finally:
        server.stop()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
