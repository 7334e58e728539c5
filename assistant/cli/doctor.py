"""``assistant doctor``: what the assistant would use, and whether it answers.

Prints the effective settings (the API key masked), asks the endpoint for its models
(``/v1/models``) and reports the store's location and paper count. Exit status 1 when
something is wrong, so it can gate scripts.
"""

from __future__ import annotations

import argparse

from .common import add_model_flags, add_store_flags, settings_from_args
from .output import say


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor", help="check settings, the model endpoint and the store"
    )
    add_model_flags(parser)
    add_store_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import AssistantError
    from ..service import Assistant

    settings = settings_from_args(args)
    say("Settings" + (f" (config file {settings.config_file})" if settings.config_file else ""))
    for name, value in settings.redacted().items():
        say(f"  {name:<20} {value}")
    problems = 0

    say()
    if settings.mode == "extractive":
        say("Endpoint: none configured — answers are extractive (quoted sentences, offline).")
        say("  Set ASSISTANT_BASE_URL (and ASSISTANT_MODEL) to have a model write answers.")
    else:
        problems += _check_endpoint(settings)

    say()
    try:
        assistant = Assistant(settings)
        store = assistant.store
        count = store.paper_count()
        say(f"Store: {store.location}")
        say(f"  {count} papers" + ("" if count else f" — {assistant.library.empty_hint()}"))
    except AssistantError as exc:
        say(f"Store: problem — {exc}")
        problems += 1
    return 1 if problems else 0


def _check_endpoint(settings: object) -> int:
    from ..errors import EndpointError
    from ..llm import ChatClient
    from ..settings import Settings

    assert isinstance(settings, Settings)
    from ..llm import default_chat_model

    url = settings.endpoint_url or ""
    try:
        models = ChatClient(settings).list_models()
    except EndpointError as exc:
        say(f"Endpoint: {url} — problem: {exc}")
        return 1
    say(f"Endpoint: {url} answers; it serves {len(models)} model(s):")
    for model in models:
        say(f"  {model}")
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
    say(f"Model: {chosen}" + ("" if settings.model else how))
    return 0
