"""A bug still ends in one line naming its crash log, wherever the data directory points:
a read-only or full data directory, or ``~name`` of no known user in ASSISTANT_HOME."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from assistant.cli.failures import report_crash


def crash_line(capsys: pytest.CaptureFixture[str]) -> str:
    try:
        raise RuntimeError("something the code did not expect")
    except RuntimeError as exc:
        assert report_crash(exc, as_json=False) == 1
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert captured.out == ""
    assert line.startswith("error: unexpected RuntimeError: something the code did not expect")
    return line


def logged_at(line: str) -> Path:
    assert "(a bug; the details are in " in line, line
    log = Path(line.rsplit(" in ", 1)[1].rstrip(")"))
    assert log.is_file() and "Traceback" in log.read_text(encoding="utf-8")
    return log


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's log directory lives under XDG_STATE_HOME (here in tmp)."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


def test_a_data_dir_that_cannot_hold_logs_sends_the_log_to_the_user_log_dir(
    tmp_path: Path,
    state_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocker = tmp_path / "a-file"  # like a read-only or full disk: nothing can be made there
    blocker.write_text("")
    monkeypatch.setenv("ASSISTANT_HOME", str(blocker / "data"))
    assert logged_at(crash_line(capsys)).is_relative_to(state_dir)


def test_an_unknown_user_in_the_data_dir_is_still_one_line(
    state_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", "~no-such-user-of-this-machine/data")
    assert logged_at(crash_line(capsys)).is_relative_to(state_dir)


def test_with_no_usable_folder_but_the_temp_dir_the_log_goes_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ASSISTANT_HOME", str(blocker / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker / "state"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    assert logged_at(crash_line(capsys)).is_relative_to(tmp_path / "tmp")
