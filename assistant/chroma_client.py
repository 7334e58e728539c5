"""Opening Chroma: one client per store location per process, opened under a lock.

Chroma's own client cache is not safe when many threads create a client for the same
path at once ("Could not connect to tenant default_tenant"), and a client that failed to
open stays broken in that cache. Both are handled here, so the store never sees them.
"""

from __future__ import annotations

import base64
import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import ParseResult, unquote, urlparse

from .errors import StoreDamaged, StoreError
from .files import storage_failure
from .redaction import mask_credentials
from .settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

HEARTBEAT_SECONDS = 10.0
"""How long a Chroma server may take to answer its heartbeat. Chroma's own client waits
for ever, so a server that accepts connections but never answers would hang every command."""

_clients: dict[str, ClientAPI] = {}
_lock = threading.Lock()
# What SQLite (under Chroma) says about a file that is not a sound database.
_DAMAGE_SIGNS = ("malformed", "not a database", "file is encrypted", "disk i/o error")


def store_location(settings: Settings) -> str:
    """Where the store lives, for people: the server URL or the embedded store directory."""
    return settings.chroma_url or str(embedded_path(settings))


def embedded_path(settings: Settings) -> Path:
    return settings.home / "chroma"


def connect(settings: Settings) -> ClientAPI:
    """The process's client for this store, opened on first use."""
    location = store_location(settings)
    with _lock:
        client = _clients.get(location)
        if client is None:
            client = _open_server(settings) if settings.chroma_url else _open_embedded(settings)
            _clients[location] = client
        return client


def forget(settings: Settings) -> None:
    """Drop the cached client (after its files were moved aside), in Chroma's cache too."""
    from chromadb.api.shared_system_client import SharedSystemClient

    location = store_location(settings)
    with _lock:
        _clients.pop(location, None)
        system = SharedSystemClient._identifier_to_system.pop(location, None)
        SharedSystemClient._identifier_to_refcount.pop(location, None)
    if system is not None:
        # A broken system may fail to stop; it is unreachable now anyway.
        with contextlib.suppress(Exception):
            system.stop()


def is_damage(exc: BaseException) -> bool:
    """Whether a Chroma failure means the files on disk are damaged."""
    text = str(exc).casefold()
    return any(sign in text for sign in _DAMAGE_SIGNS)


def damaged_error(settings: Settings, exc: BaseException) -> StoreDamaged:
    text = str(exc).strip().splitlines()
    return StoreDamaged(
        f"the store at {embedded_path(settings)} is damaged ({text[0] if text else exc!r}); "
        f"run `assistant ingest --rebuild --collection {settings.collection}` to move it aside "
        "and rebuild the collection from its recorded files"
    )


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def _open_server(settings: Settings) -> ClientAPI:
    import chromadb

    url = urlparse(settings.chroma_url or "")
    if url.scheme not in ("http", "https") or not url.hostname:
        raise StoreError(
            f"ASSISTANT_CHROMA_URL {mask_credentials(settings.chroma_url or '')!r} is not a URL "
            "like http://127.0.0.1:8000"
        )
    port = url.port or (443 if url.scheme == "https" else 8000)
    _check_answers(url, settings)
    try:
        client = chromadb.HttpClient(
            host=url.hostname,
            port=port,
            ssl=url.scheme == "https",
            headers=_basic_auth(url),
            settings=_chroma_settings(),
        )
        client.heartbeat()
    except Exception:
        raise StoreError(
            f"no Chroma server answered at {mask_credentials(settings.chroma_url or '')} — "
            f"start one with `chroma run --path DIR --host {url.hostname} "
            f"--port {port}`, or unset ASSISTANT_CHROMA_URL to use the embedded store"
        ) from None
    return client


def _check_answers(url: ParseResult, settings: Settings) -> None:
    """Fail in one line when the server takes a connection but does not answer in time;
    any other failure is left to Chroma's client, which says more."""
    import httpx

    heartbeat = f"{url.scheme}://{url.netloc.rpartition('@')[2]}/api/v2/heartbeat"
    try:
        httpx.get(heartbeat, headers=_basic_auth(url), timeout=HEARTBEAT_SECONDS)
    except httpx.TimeoutException:
        raise StoreError(
            f"the Chroma server at {mask_credentials(settings.chroma_url or '')} took a "
            f"connection but did not answer within {HEARTBEAT_SECONDS:g} s — check that a "
            "Chroma server (not another program) listens there and is not stuck, or unset "
            "ASSISTANT_CHROMA_URL to use the embedded store"
        ) from None
    except httpx.HTTPError:
        pass


def _basic_auth(url: ParseResult) -> dict[str, str]:
    """``http://user:password@host``: the user and password go to the server (or the proxy in
    front of it) as HTTP basic authentication, as they would from a browser."""
    if url.username is None:
        return {}
    pair = f"{unquote(url.username)}:{unquote(url.password or '')}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii")}


def _open_embedded(settings: Settings) -> ClientAPI:
    import chromadb

    path = embedded_path(settings)
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:
        _forget_unlocked(str(path))
        failure = storage_failure(exc, path)  # a full disk is no damage: nothing to rebuild
        if failure is not None:
            raise failure from None
        if is_damage(exc):
            raise damaged_error(settings, exc) from None
        text = str(exc).strip().splitlines()
        raise StoreError(
            f"cannot open the store at {path}: {text[0] if text else type(exc).__name__}"
        ) from None


def _forget_unlocked(location: str) -> None:
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(location, None)
    SharedSystemClient._identifier_to_refcount.pop(location, None)
