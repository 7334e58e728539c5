"""Credentials never reach a screen or a log: URLs show ``user:***@host`` and ``?key=***``."""

from __future__ import annotations

import re

# scheme://user:password@host -> scheme://user:***@host, anywhere in a text (messages
# from HTTP libraries quote the URL they were given). The password runs to the last "@"
# before the path: one typed without percent-encoding may hold "@" itself, and the host
# is what follows the last one.
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/:@]*):[^\s/?#]*@")
# Some gateways take the key in the query string (``?key=…``, ``&api_key=…``).
_QUERY_SECRET = re.compile(
    r"([?&](?:api[_-]?key|key|access[_-]?token|token|password|secret|sig|signature)=)[^&#\s]+",
    re.IGNORECASE,
)


def mask_credentials(text: str) -> str:
    """``http://user:secret@host/v1?key=k`` shows as ``http://user:***@host/v1?key=***``,
    wherever such a URL occurs in ``text``."""
    text = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}:***@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m.group(1)}***", text)
