"""``assistant doctor``: what the assistant would use, and whether it works.

Prints the effective settings (the API key masked), asks the endpoint for its models
(``/v1/models``), loads your own prompt files, embeds a word with the configured embedder,
reads one question with the answer reader (which judges offline whether papers answer), and
reports the store's location and paper count. Every problem is a line saying what to do;
the last line sums up. Exit status 1 when something is wrong, so it can gate scripts.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .common import add_model_flags, add_store_flags, settings_from_args
from .output import one_line, say

if TYPE_CHECKING:
    from ..service import Assistant
    from ..settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check settings, the model endpoint and the store",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    add_model_flags(parser)
    add_store_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import ConfigError
    from ..service import Assistant

    try:
        settings = settings_from_args(args)
    except ConfigError as exc:
        # The one command a bad setting must not stop: it is where the user looks.
        say(f"Settings: problem — {exc}")
        show_known_settings()
        say()
        say("1 problem(s) found: the line marked 'problem' above says what to do.")
        return 1
    show_settings(settings)
    say()
    problems = check_endpoint(settings) if settings.mode == "llm" else say_offline()
    problems += check_prompts(settings)
    assistant = Assistant(settings)
    embedder_built, embedder_problems = check_embedder(assistant)
    problems += check_reader()
    say()
    problems += embedder_problems
    if embedder_built:
        problems += check_store(assistant)
    else:
        say("Store: not opened until the embedder is configured (it picks the vectors).")
    say()
    if problems:
        say(f"{problems} problem(s) found: each line marked 'problem' above says what to do.")
    else:
        say("No problems found.")
    return 1 if problems else 0


def show_settings(settings: Settings) -> None:
    """The effective settings, secrets masked, and where a config file is (or would be)."""
    from ..settings import default_config_file

    if settings.config_file:
        say(f"Settings (config file {settings.config_file})")
    else:
        say(f"Settings (no config file; yours would be {default_config_file()})")
    shown = settings.redacted()
    width = max(map(len, shown)) + 1
    for name, value in shown.items():
        say(f"  {name:<{width}}{value}")


def show_known_settings() -> None:
    """Every setting with its default, for a config file or environment that did not load."""
    from ..settings import ENV_PREFIX, Settings

    say(f"The known settings (TOML keys; environment: {ENV_PREFIX}<NAME>), with their defaults:")
    fields = {name: info for name, info in Settings.model_fields.items() if name != "config_file"}
    width = max(map(len, fields)) + 1
    for name, info in fields.items():
        default = "(computed)" if info.default_factory is not None else info.default
        say(f"  {name:<{width}}{'(unset)' if default is None else default}")


def say_offline() -> int:
    say("Endpoint: none configured — answers are extractive (quoted sentences, offline).")
    say("  Set ASSISTANT_BASE_URL (and ASSISTANT_MODEL) to have a model write answers.")
    return 0


def check_endpoint(settings: Settings) -> int:
    """Whether the endpoint lists its models and serves the one configured; 1 if not."""
    from ..errors import EndpointError
    from ..llm import ChatClient, default_chat_model

    url = settings.endpoint_url or ""
    try:
        models = ChatClient(settings).list_models()
    except EndpointError as exc:
        say(f"Endpoint: {url} — problem: {exc}")
        return 1
    say(f"Endpoint: {url} answers; it serves {len(models)} model(s):")
    for model in models:
        say(f"  {one_line(model)}")
    if settings.model and settings.model not in models:
        say(
            f"  problem: the configured model {settings.model!r} is not among them; "
            "set ASSISTANT_MODEL"
        )
        return 1
    chosen = settings.model or default_chat_model(models, url)
    if chosen is None:
        say("  problem: no chat model listed; set ASSISTANT_MODEL")
        return 1
    how = " (the default; set ASSISTANT_MODEL to choose)"
    say(f"Model: {one_line(chosen)}" + ("" if settings.model else how))
    return 0


def check_prompts(settings: Settings) -> int:
    """Your own prompt files (``prompts_dir``) load and have their placeholders; 1 if not."""
    if settings.prompts_dir is None:
        return 0
    from ..answering.prompts import load_prompts
    from ..errors import AssistantError

    try:
        load_prompts(settings.prompts_dir)
    except AssistantError as exc:
        say(f"Prompts: problem — {exc}")
        return 1
    say(f"Prompts: {settings.prompts_dir} (checked)")
    return 0


def check_embedder(assistant: Assistant) -> tuple[bool, int]:
    """Embed one word with the configured embedder: (whether it could be built, problems)."""
    from ..errors import AssistantError

    settings = assistant.settings
    what = "minilm (bundled)" if settings.embedder == "minilm" else settings.embedder
    try:
        embedder = assistant.embedder
    except AssistantError as exc:
        say(f"Embedder: {what} — problem: {exc}")
        return False, 1
    try:
        embedder.embed(["doctor"])
    except AssistantError as exc:
        say(f"Embedder: {what} — problem: {exc}")
        return True, 1
    say(f"Embedder: {what} works")
    return True, 0


def check_reader() -> int:
    """Read one question with one paper with the bundled answer reader; 1 if it cannot."""
    from ..errors import AssistantError
    from ..reader import shared_reader

    try:
        shared_reader().logits("doctor?", [("Doctor", "A doctor.")], lambda term: 1.0)
    except AssistantError as exc:
        say(f"Answer reader: problem — {exc}")
        return 1
    say("Answer reader: bundled, works")
    return 0


def check_store(assistant: Assistant) -> int:
    """The store opens; its paper count, and whether its vectors suit the embedder."""
    from ..errors import AssistantError

    library = assistant.library
    try:
        store = assistant.store
        count = store.paper_count()
        say(f"Store: {store.location}")
        say(f"  {count} papers" + ("" if count else f" — {library.empty_hint()}"))
        if library.fills_itself() or store.embedder_matches():
            return 0
        store.check_embedder()  # raises, saying which embedder built it and the fix
    except AssistantError as exc:
        say(f"Store: problem — {exc}")
        return 1
    return 0
