"""``assistant doctor``: what the assistant would use, and whether it answers.

Prints the effective settings (the API key masked), asks the endpoint for its models
(``/v1/models``) and reports the store's location and paper count. Exit status 1 when
something is wrong, so it can gate scripts.
"""

from __future__ import annotations

import argparse

from ..redaction import mask_credentials
from .common import add_model_flags, add_store_flags, settings_from_args


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
    print("Settings" + (f" (config file {settings.config_file})" if settings.config_file else ""))
    for name, value in settings.redacted().items():
        print(f"  {name:<20} {mask_credentials(value)}")
    problems = 0

    print()
    if settings.mode == "extractive":
        print("Endpoint: none configured — answers are extractive (quoted sentences, offline).")
        print("  Set ASSISTANT_BASE_URL (and ASSISTANT_MODEL) to have a model write answers.")
    else:
        problems += _check_endpoint(settings)

    print()
    try:
        store = Assistant(settings).store
        count = store.paper_count()
        print(f"Store: {store.location}")
        print(
            f"  {count} papers"
            + (
                ""
                if count
                else " — the first question (or `assistant ingest`) indexes the bundled papers"
            )
        )
    except AssistantError as exc:
        print(f"Store: problem — {exc}")
        problems += 1
    return 1 if problems else 0


def _check_endpoint(settings: object) -> int:
    from ..errors import EndpointError
    from ..llm import ChatClient
    from ..settings import Settings

    assert isinstance(settings, Settings)
    url = mask_credentials(settings.endpoint_url or "")
    try:
        models = ChatClient(settings).list_models()
    except EndpointError as exc:
        print(f"Endpoint: {url} — problem: {exc}")
        return 1
    print(f"Endpoint: {url} answers; it serves {len(models)} model(s):")
    for model in models:
        print(f"  {model}")
    if settings.model and settings.model not in models:
        print(
            f"  problem: the configured model {settings.model!r} is not among them; "
            "set ASSISTANT_MODEL"
        )
        return 1
    chosen = settings.model or (models[0] if models else None)
    if chosen is None:
        print("  problem: no model listed; set ASSISTANT_MODEL")
        return 1
    print(
        f"Model: {chosen}"
        + ("" if settings.model else " (the first listed; set ASSISTANT_MODEL to choose)")
    )
    return 0
