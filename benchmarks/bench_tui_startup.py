"""How long `assistant chat` takes from launch to its first paint, with the store already built.

    python benchmarks/bench_tui_startup.py [--home DIR] [--repeat N]

Each run is a fresh Python process (so interpreter start and imports count, as they do for a
user) that builds the app exactly as `assistant chat` does (``make_app(Assistant(settings))``)
and runs it headless. Reported per run, from launch:

- first paint: the chat screen is on screen and accepts typing (target <= 1.5 s);
- papers ready: the store is open and the status line shows the paper count (opening
  the store happens in a worker, after the first paint).

If ``--home`` holds no store, the bundled papers are ingested there first (not timed).
Standard-library timing only; prints p50 and max.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_FIRST_PAINT = 1.5

# Runs in the child process; prints "painted" then "ready" as they happen. Headless, the
# compositor still renders every frame; only the write to a terminal is skipped.
CHILD = """
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.tui.app import make_app

app = make_app(Assistant(Settings.load()), export_dir=None)
painted = False
draw = app._display


def display(screen, renderable):
    # The first frame the compositor hands to the driver: the screen a user would see.
    global painted
    draw(screen, renderable)
    if renderable is not None and not painted:
        painted = True
        print("painted", flush=True)


app._display = display


async def auto_pilot(pilot):
    while app.store_state == "opening":
        await pilot.pause(0.01)
    print(app.store_state, flush=True)
    app.exit()


app.run(headless=True, size=(80, 24), auto_pilot=auto_pilot)
"""


def child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
    env["ASSISTANT_HOME"] = str(home)
    env["ASSISTANT_CONFIG"] = str(home / "no-config.toml")
    return env


def run_once(home: Path) -> tuple[float, float]:
    """Seconds from launch to first paint, and to the store being ready."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        env=child_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    painted = process.stdout.readline()
    first_paint = time.perf_counter() - started
    state = process.stdout.readline()
    ready = time.perf_counter() - started
    _, errors = process.communicate(timeout=120)
    if painted.strip() != "painted" or state.strip() != "ready" or process.returncode != 0:
        sys.exit(f"the app did not start cleanly: {painted!r} {state!r} {errors.strip()[-800:]}")
    return first_paint, ready


def ensure_store(home: Path) -> None:
    from assistant.service import Assistant
    from assistant.settings import Settings

    assistant = Assistant(Settings(home=home))
    if assistant.store.paper_count() == 0:
        print(f"ingesting the bundled papers into {home} (once, not timed)…", file=sys.stderr)
        assistant.ingest()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--home", type=Path, help="data directory with a built store")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as scratch:
        home = args.home or Path(scratch) / "home"
        ensure_store(home)
        run_once(home)  # warm-up: file-system caches, .pyc files
        runs = [run_once(home) for _ in range(args.repeat)]
    paints = [paint for paint, _ in runs]
    readies = [ready for _, ready in runs]
    print(f"runs: {len(runs)} (80x24, headless, store already built)")
    print(f"first paint:  p50 {statistics.median(paints):.2f} s   max {max(paints):.2f} s")
    print(f"papers ready: p50 {statistics.median(readies):.2f} s   max {max(readies):.2f} s")
    verdict = "ok" if statistics.median(paints) <= TARGET_FIRST_PAINT else "OVER TARGET"
    print(f"target first paint <= {TARGET_FIRST_PAINT:.1f} s: {verdict}")


if __name__ == "__main__":
    main()
