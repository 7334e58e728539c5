"""Where setting values come from, and how a bad one is reported.

Kept apart from ``settings`` so the model there reads as a list of fields: this module reads
the environment and the TOML file, remembers each value's origin (the flag, the variable,
``file:line``), checks URLs, and turns pydantic's validation errors into one-line
``ConfigError``s that name the setting and its origin. Credentials in URLs are masked in
every message. ``Secret`` and the converters of secret and folder values live here too.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from .errors import ConfigError
from .redaction import mask_credentials

ENV_PREFIX = "ASSISTANT_"
APP_NAME = "paper-assistant"
TOML_TABLES = ("assistant", "retrieval", "answer", "endpoint", "chat", "store")
"""Tables a config file may group its keys in (or write them at the top level)."""
SECRET_FIELDS = frozenset({"api_key", "embedding_api_key"})
_FALLBACK_ENV = {"base_url": "OPENAI_BASE_URL", "api_key": "OPENAI_API_KEY"}

Origins = dict[str, str]
"""Setting name -> where its value came from (``--k``, ``ASSISTANT_K``, ``config.toml:3``)."""


def default_config_file(env: Mapping[str, str] | None = None) -> Path:
    """Where the TOML config file is read from unless ``ASSISTANT_CONFIG`` says otherwise."""
    configured = (os.environ if env is None else env).get(ENV_PREFIX + "CONFIG")
    if configured:
        try:
            return Path(configured).expanduser()
        except RuntimeError:  # "~name" of no user of this machine
            user = configured.split("/")[0]
            raise ConfigError(
                f"{ENV_PREFIX}CONFIG: {user!r} names no user of this machine"
            ) from None
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def read_env(env: Mapping[str, str], names: Iterable[str]) -> tuple[dict[str, Any], Origins]:
    """``ASSISTANT_<NAME>`` values (empty ones ignored), then the OpenAI fall-backs."""
    values: dict[str, Any] = {}
    origins: Origins = {}
    for name in names:
        variable = ENV_PREFIX + name.upper()
        if name != "config_file" and env.get(variable) not in (None, ""):
            values[name], origins[name] = env[variable], variable
    for name, variable in _FALLBACK_ENV.items():
        if name not in values and env.get(variable):
            values[name], origins[name] = env[variable], variable
    return values, origins


MAX_CONFIG_BYTES = 1_000_000
"""A config file is a few lines; more is a wrong file (``/dev/zero`` would never end)."""
_REMEDY = "fix it or remove it (or point ASSISTANT_CONFIG elsewhere)"


def config_file_exists(path: Path) -> bool:
    """Whether there is something at ``path`` to read settings from; a path that cannot
    even be looked at (too long, a loop of links) is a ``ConfigError``."""
    try:
        return path.exists()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc}); {_REMEDY}") from None


def read_toml(path: Path) -> tuple[dict[str, Any], Origins]:
    """The settings in a TOML file (top-level keys or group tables), with their lines."""
    remedy = _REMEDY
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}); {remedy}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than 1 MB, so no config file; {remedy}")
    try:
        text = raw.decode("utf-8-sig")  # Windows editors may begin the file with a BOM
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text (TOML) file; {remedy}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise ConfigError(f"{path}: not a readable TOML file ({reason}); {remedy}") from None
    values: dict[str, Any] = {}
    origins: Origins = {}
    for key, value in data.items():
        inner = value.items() if key in TOML_TABLES and isinstance(value, dict) else [(key, value)]
        table = key if key in TOML_TABLES and isinstance(value, dict) else None
        for name, setting in inner:
            origin = _line_of(path, text, table, name)
            if name in values:
                # Which one would win is an accident of the file's order: the user decides.
                raise ConfigError(
                    f"{origins[name]} and {origin}: {name} is set twice; keep one of them"
                )
            values[name], origins[name] = setting, origin
    return values, origins


def _line_of(path: Path, text: str, table: str | None, key: str) -> str:
    """``path:line`` of ``key`` in ``table`` (TOML parsers keep no positions)."""
    assignment = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
    header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
    current: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        match = header.match(line)
        if match:
            current = match.group(1).strip("\"'")
        elif current == table and assignment.match(line):
            return f"{path}:{number}"
    return str(path)


def check_url(value: str) -> str:
    """``value`` if it is an http(s) URL with a host and a valid port; else ``ValueError``."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("use an http:// or https:// URL")
    if not parts.hostname:
        raise ValueError("the URL names no host")
    if any(character.isspace() for character in value):
        raise ValueError("a URL holds no spaces; copy it again")
    _check_host(parts.hostname)
    if port is not None and not 1 <= port <= 65535:
        raise ValueError(f"port {port} is not within 1–65535")
    return value


def _check_host(host: str) -> None:
    """A host name the HTTP client can look up (it would fail with an encoding error)."""
    import ipaddress

    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    try:
        host.encode("idna")
    except UnicodeError:
        raise ValueError(
            f"host {host!r} is no valid name (an empty part, '..', or a part over 63 characters)"
        ) from None


MAX_COLLECTION_NAME = 63
"""Chroma's older limit, kept so a name works on any server and in the file names after it."""
_COLLECTION_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


def check_collection_name(name: str) -> str:
    """``name`` if Chroma accepts it and it is safe in a file name; else ``ValueError``.

    The name becomes part of Chroma's collection names and of files in the data directory
    (its lock, its source record), so it is checked before anything is written: ``a/b`` or
    ``../x`` would otherwise name files outside their folder."""
    rule = (
        f"use 3–{MAX_COLLECTION_NAME} letters, digits, '.', '_' or '-', "
        "starting and ending with a letter or digit"
    )
    if not 3 <= len(name) <= MAX_COLLECTION_NAME or not _COLLECTION_NAME.fullmatch(name):
        raise ValueError(rule)
    if ".." in name:
        raise ValueError("use no '..' in it")
    if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", name):
        raise ValueError("Chroma takes no IP address as a name; " + rule)
    return name


MAX_SHOWN_VALUE = 80


def describe_error(
    exc: ValidationError,
    values: Mapping[str, Any],
    origins: Mapping[str, str],
    fields: Iterable[str] = (),
) -> ConfigError:
    """The first validation error as one line: origin, setting, problem (credentials masked);
    an unknown setting is matched against ``fields``, the known ones."""
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else ""
    if not name:  # a rule across fields (chunk sizes)
        involved = [origins[n] for n in ("chunk_tokens", "chunk_overlap") if n in origins]
        origin = ", ".join(dict.fromkeys(involved)) or "settings"
        return ConfigError(mask_credentials(f"{origin}: {_reason(error)}"))
    origin = origins.get(name, "settings")
    shown = "***" if name in SECRET_FIELDS else repr(error.get("input", values.get(name)))
    if len(shown) > MAX_SHOWN_VALUE:  # the message stays one readable line
        shown = shown[: MAX_SHOWN_VALUE - 1] + "…"
    problem = _problem(name, shown, error, known=list(fields))
    return ConfigError(mask_credentials(f"{origin}: {problem}"))


def _problem(name: str, shown: str, error: Any, known: list[str]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        import difflib

        close = difflib.get_close_matches(name.lower().replace("-", "_"), known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "`assistant doctor` lists the known ones"
        return f"unknown setting {name!r}; {hint}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {
            "greater_than_equal": f"at least {ctx.get('ge')}",
            "greater_than": f"greater than {ctx.get('gt')}",
            "less_than_equal": f"at most {ctx.get('le')}",
            "less_than": f"less than {ctx.get('lt')}",
        }[kind]
        return f"{name} must be {bound}, got {shown}"
    if kind == "finite_number":
        return f"{name} must be a finite number, got {shown}"
    if kind == "literal_error":
        return f"{name} must be {ctx.get('expected')}, got {shown}"
    if kind == "value_error":
        return f"setting {name!r} has a bad value {shown}: {_reason(error)}"
    return f"setting {name!r} has a bad value {shown} ({error['msg'][0].lower()}{error['msg'][1:]})"


def _reason(error: Any) -> str:
    cause = (error.get("ctx") or {}).get("error")
    return str(cause) if cause is not None else str(error["msg"])


# -- value types: what a secret and a folder setting become ----------------------------


class Secret:
    """A string that never shows itself in repr, str, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def to_secret(value: Any) -> Any:
    """A ``Secret`` from text a user gave (spaces around it dropped); ``ValueError`` if an
    HTTP header could not carry it."""
    if value is None or isinstance(value, Secret):
        return value
    if not isinstance(value, str):
        raise ValueError("expected text")
    # The key travels in an HTTP header, which carries visible ASCII only; a line break or
    # a curly quote pasted with it would otherwise fail deep in the HTTP client.
    value = value.strip()
    if not re.fullmatch("[\x21-\x7e]*", value):
        raise ValueError(
            "it holds a space, a control or a non-ASCII character, which an HTTP header "
            "cannot carry; copy the key again"
        )
    return Secret(value)


def to_user_path(value: Any) -> Any:
    """A ``Path`` from text a user gave (``~`` expanded); ``ValueError`` if it is empty, names
    no user, or is longer than a file system takes."""
    if not isinstance(value, (str, Path)):
        return value
    if isinstance(value, str) and not value.strip():
        # Path("") is the current folder: a store or prompts would be looked for wherever
        # the command happens to run.
        raise ValueError("it is empty; name a folder, or leave the setting out")
    try:
        path = Path(value).expanduser()
    except RuntimeError:  # "~someone" names a user this machine does not have
        raise ValueError(f"{str(value).split('/')[0]!r} names no user of this machine") from None
    # Longer than any file system takes, it would fail (ENAMETOOLONG) wherever it is used.
    if any(len(os.fsencode(part)) > MAX_NAME_BYTES for part in path.parts):
        raise ValueError(f"a name in it is longer than {MAX_NAME_BYTES} bytes; shorten it")
    if len(os.fsencode(path)) >= MAX_PATH_BYTES:
        raise ValueError(f"it is longer than {MAX_PATH_BYTES - 1} bytes; shorten it")
    return path


MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096
