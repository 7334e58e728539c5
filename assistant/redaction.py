"""Credentials never reach a screen or a log: URLs show ``user:***@host``."""

from __future__ import annotations

import re

# scheme://user:password@host -> scheme://user:***@host, anywhere in a text (messages
# from HTTP libraries quote the URL they were given).
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/:@]*):[^\s/@]*@")


def mask_credentials(text: str) -> str:
    """``http://user:secret@host`` shows as ``http://user:***@host``, wherever it occurs."""
    return _URL_PASSWORD.sub(lambda m: f"{m.group(1)}:***@", text)
