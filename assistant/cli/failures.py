"""How a command that failed ends: one line (or one JSON object), never a traceback.

A domain error (``AssistantError``) is the user's to fix and its message says how. Anything
else is a bug: the user gets one line naming a log file, and the traceback goes there for
the bug report.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from .common import end_progress_line
from .output import OutputFailed, discard_unwritten_output, print_json, safe

CRASH_LOG_DIR = "logs"


def report_error(exc: BaseException, *, as_json: bool, message: str | None = None) -> int:
    """Print ``exc`` as ``error: …`` on stderr (or ``{"error": …}`` on stdout); returns 1."""
    text = safe(message if message is not None else exc)
    end_progress_line()
    if isinstance(exc, OutputFailed):
        discard_unwritten_output()
        as_json = False  # stdout is what failed: the error can only go to stderr
    if as_json:
        print_json({"error": {"type": type(exc).__name__, "message": text}})
    else:
        print(f"error: {text}", file=sys.stderr)
    return 1


def report_crash(exc: BaseException, *, as_json: bool) -> int:
    """An unexpected exception: one line with the log file that holds the traceback."""
    summary = f"unexpected {type(exc).__name__}: {exc}".rstrip(": ")
    try:
        log = write_crash_log(exc)
    except OSError as log_failure:
        where = f"(could not write a crash log: {log_failure.strerror or log_failure})"
    else:
        where = f"(a bug; the details are in {log})"
    return report_error(exc, as_json=as_json, message=f"{summary} {where}")


def crash_log_dirs() -> list[Path]:
    """Where a crash log may go, best first: ``$ASSISTANT_HOME/logs`` when set, the user's
    log directory, the temporary directory. The first two may be unusable (a read-only or
    full data directory, ``~nosuchuser`` in the variable): the report must still be written."""
    folders = []
    home = os.environ.get("ASSISTANT_HOME")
    if home:
        with contextlib.suppress(RuntimeError):  # "~name" of no known user
            folders.append(Path(home).expanduser() / CRASH_LOG_DIR)
    with contextlib.suppress(Exception):  # no home directory at all; settings that fail
        import platformdirs

        from ..settings import APP_NAME

        folders.append(Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)))
    folders.append(Path(tempfile.gettempdir()) / "paper-assistant-logs")
    return folders


def write_crash_log(exc: BaseException) -> Path:
    """Write the traceback (credentials masked) to a new file; returns its path. Raises
    ``OSError`` only when no folder of ``crash_log_dirs`` takes it."""
    name = f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    text = safe(f"command: {' '.join(sys.argv)}\n\n{details}")
    failure: OSError = OSError("no folder for crash logs")
    for folder in crash_log_dirs():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        except OSError as exc_writing:
            failure = exc_writing
            continue
        return folder / name
    raise failure
