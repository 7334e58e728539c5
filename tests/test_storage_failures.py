"""A full or read-only disk under the data directory: one line that says so and what to do,
never "unexpected …" with a crash log, nothing half-written, and recovery once there is
room again. Real tmpfs mounts where this process may mount (root); otherwise a read-only
directory by its mode, and the full-disk tests skip."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant import embedding
from assistant.cli import main
from assistant.embedding import MINILM_FILE, MiniLMEmbedder
from assistant.errors import DataDirectoryNotWritable, DiskFull, ModelFileError
from assistant.files import storage_failure, write_json_atomically
from assistant.history import HISTORY_FILE, ChatHistory
from assistant.ingest_plan import IngestPlan
from assistant.lexical import LexicalIndex
from assistant.resources import resource_path
from assistant.service import Assistant
from assistant.settings import Settings

QUESTION = "What is intrinsic probing?"
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """``tmpfs("300k")``: a fresh directory on a tmpfs of that size (skips where this
    process may not mount), unmounted after the test."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        target = tmp_path / f"disk-{len(mounted)}"
        target.mkdir()
        done = _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target))
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
        mounted.append(target)
        return target

    yield mount
    for target in reversed(mounted):
        _run("umount", "-l", str(target))  # lazily: Chroma may still hold files open


def _remount(target: Path, options: str) -> None:
    done = _run("mount", "-o", f"remount,{options}", str(target))
    assert done.returncode == 0, done.stderr


def _fill(disk: Path) -> None:
    """Take every free byte of the disk."""
    with open(disk / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


@pytest.fixture
def read_only_dir(tmp_path: Path, tmpfs: Callable[[str], Path]) -> Iterator[Path]:
    """An empty directory nothing can be written in: a read-only tmpfs as root (whom modes
    do not stop), a directory of mode 0555 otherwise."""
    if ROOT:
        disk = tmpfs("1m")
        _remount(disk, "ro")
        yield disk
        return
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    yield folder
    folder.chmod(0o755)


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if not line.startswith("Indexing")]
    assert len(lines) == 1, err
    assert "unexpected" not in lines[0] and "crash" not in lines[0]
    return lines[0]


# -- the chat history ------------------------------------------------------------------------


def test_history_in_a_read_only_data_directory_says_which_and_what_to_do(
    read_only_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = read_only_dir / "home"
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    assert main(["history"]) == 1
    line = _one_error_line(capsys)
    reason = "read-only file system" if ROOT else "permission denied"
    assert line == (
        f"error: cannot write to {home} ({reason}); make it writable, or set "
        "ASSISTANT_HOME (or --home) to a data directory you can write"
    )
    with pytest.raises(DataDirectoryNotWritable):
        ChatHistory(home / HISTORY_FILE).start_conversation("q")


def test_history_on_a_full_disk_says_so_not_to_move_the_file(
    tmpfs: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    disk = tmpfs("300k")
    _fill(disk)
    monkeypatch.setenv("ASSISTANT_HOME", str(disk))
    assert main(["history"]) == 1
    assert _one_error_line(capsys) == (
        f"error: no space left on the disk holding {disk}; free some space and run the "
        "command again"
    )


def test_a_history_on_a_read_only_disk_can_still_be_read(
    tmpfs: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    disk = tmpfs("1m")
    history = ChatHistory(disk / HISTORY_FILE)
    history.add_question(history.start_conversation(QUESTION), QUESTION, origin="cli")
    _remount(disk, "ro")
    monkeypatch.setenv("ASSISTANT_HOME", str(disk))
    assert main(["history"]) == 0  # before: the migration's write transaction failed
    assert QUESTION in capsys.readouterr().out


@pytest.fixture
def home_with_read_only_history(seeded_home: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the seeded store whose chat history file cannot be written: bound
    read-only over itself as root, mode 0444 otherwise."""
    home = tmp_path / "home"
    shutil.copytree(seeded_home, home, ignore=shutil.ignore_patterns(HISTORY_FILE))
    path = home / HISTORY_FILE
    ChatHistory(path).start_conversation("an earlier question")
    if not ROOT:
        path.chmod(0o444)
        yield home
        return
    if _run("mount", "--bind", str(path), str(path)).returncode != 0:
        pytest.skip("cannot bind-mount here")
    try:
        _remount(path, "bind,ro")
        yield home
    finally:
        _run("umount", "-l", str(path))


def test_ask_shows_the_answer_and_warns_when_history_cannot_be_saved(
    home_with_read_only_history: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", str(home_with_read_only_history))
    assert main(["ask", QUESTION]) == 0
    captured = capsys.readouterr()
    assert "intrinsic prob" in captured.out and "[1]" in captured.out
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    path = home_with_read_only_history / HISTORY_FILE
    assert warnings == [
        f"warning: this answer was not saved to the chat history: cannot write to {path} "
        f"({'read-only file system' if ROOT else 'permission denied'}); make it writable, "
        "or set ASSISTANT_HOME (or --home) to a data directory you can write"
    ]
    assert "error" not in captured.err
    # --json keeps stdout one JSON object; the warning goes to stderr.
    assert main(["ask", "--json", QUESTION]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["question"] == QUESTION
    assert "not saved to the chat history" in captured.err


# -- indexing on a full disk -----------------------------------------------------------------


def test_search_and_ingest_on_a_tiny_disk_say_it_is_full(
    tmpfs: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    disk = tmpfs("300k")
    monkeypatch.setenv("ASSISTANT_HOME", str(disk))
    for argv in (["search", "probing"], ["ingest"]):
        assert main(argv) == 1
        line = _one_error_line(capsys)
        assert line.startswith(f"error: no space left on the disk holding {disk}"), line
        assert line.endswith("; free some space and run the command again")
    # The ingest's scratch plan did not stay behind.
    assert not list(disk.glob("library/.ingest-*"))


def test_running_out_of_space_mid_indexing_says_so_and_recovers_once_there_is_room(
    tmpfs: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    disk = tmpfs("6m")  # the bundled papers take ~11 MB
    monkeypatch.setenv("ASSISTANT_HOME", str(disk))
    assert main(["ingest"]) == 1
    line = _one_error_line(capsys)
    # Before: "the Chroma store at … failed: Error in compaction: Failed to apply logs …".
    assert line.startswith(f"error: no space left on the disk holding {disk}"), line

    _remount(disk, "size=64m")
    assert main(["ingest"]) == 0
    capsys.readouterr()
    assistant = Assistant(Settings(home=disk))
    assert assistant.store.paper_count() == 290
    assert assistant.store.lexical.counts()[0] == 290
    assert assistant.search("intrinsic probing of representations", k=3)
    assert main(["ingest"]) == 0  # nothing left to repair
    assert "0 added, 0 updated, 0 removed, 290 unchanged" in capsys.readouterr().err


def test_an_ingest_plan_on_a_full_disk_leaves_no_file(tmpfs: Callable[[str], Path]) -> None:
    disk = tmpfs("300k")
    _fill(disk)
    path = disk / "library" / ".ingest-local-papers.sqlite3"
    with pytest.raises(DiskFull):
        IngestPlan(path, "200/40")
    assert not path.exists()


def test_a_full_disk_is_not_taken_for_a_damaged_keyword_index(
    tmpfs: Callable[[str], Path],
) -> None:
    disk = tmpfs("300k")
    _fill(disk)
    path = disk / "lexical" / "local-papers.sqlite3"
    with pytest.raises(DiskFull):
        LexicalIndex(path)
    # Before: the new file was moved aside as "damaged", then opening failed unexplained.
    assert not list(disk.glob("lexical/*.damaged-*"))


def test_an_atomic_json_write_on_a_full_disk_leaves_no_temporary_file(
    tmpfs: Callable[[str], Path],
) -> None:
    disk = tmpfs("64k")
    (disk / "library").mkdir()
    with pytest.raises(DiskFull):
        write_json_atomically(disk / "library" / "record.json", ["x" * 1000] * 200)
    assert list((disk / "library").iterdir()) == []


def test_what_is_not_a_disk_problem_is_left_to_the_caller(tmp_path: Path) -> None:
    damaged = sqlite3.DatabaseError("file is not a database")
    damaged.sqlite_errorcode = 26  # type: ignore[attr-defined]
    assert storage_failure(damaged, tmp_path / "x.sqlite3") is None
    assert storage_failure(ValueError("bad where filter"), tmp_path) is None
    assert isinstance(storage_failure(OSError(errno.ENOSPC, "No space"), tmp_path), DiskFull)


# -- the embedding model file ----------------------------------------------------------------


def _model_copy(tmp_path: Path) -> Path:
    bundled = resource_path("models") / "all-MiniLM-L6-v2" / MINILM_FILE
    copy = tmp_path / "model" / MINILM_FILE
    copy.parent.mkdir()
    shutil.copy2(bundled, copy)
    return copy


def test_the_model_check_is_remembered_in_the_user_cache_not_beside_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    model = _model_copy(tmp_path)
    old_stamp = model.with_name(MINILM_FILE + ".sha256-ok")  # what earlier versions left
    old_stamp.write_text("stale")
    tokenizers = resource_path("models") / "all-MiniLM-L6-v2"
    MiniLMEmbedder(model_path=model, tokenizer_dir=tokenizers)
    assert sorted(p.name for p in model.parent.iterdir()) == [MINILM_FILE]
    assert len(list(cache.glob("paper-assistant/model-checks/*.ok"))) == 1


def test_a_model_file_changed_after_its_check_is_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    model = _model_copy(tmp_path)
    tokenizers = resource_path("models") / "all-MiniLM-L6-v2"
    MiniLMEmbedder(model_path=model, tokenizer_dir=tokenizers)  # checked and remembered
    before = model.stat()
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: same size
    model.write_bytes(bytes(data))
    os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same mtime
    with pytest.raises(ModelFileError, match=r"sha256 .* expected 5ef7e20ee1fb.*reinstall"):
        MiniLMEmbedder(model_path=model, tokenizer_dir=tokenizers)


def test_a_model_file_onnxruntime_cannot_load_is_one_typed_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / MINILM_FILE
    broken.write_bytes(b"\x08\x07" + b"not an onnx graph" * 100)
    # The file passes the checksum (as a file damaged after its check would), so that
    # onnxruntime itself is what refuses it.
    monkeypatch.setattr(embedding, "MINILM_SHA256", hashlib.sha256(broken.read_bytes()).hexdigest())
    with pytest.raises(ModelFileError) as info:
        MiniLMEmbedder(model_path=broken)
    message = str(info.value)
    assert "\n" not in message and "cannot load the embedding model" in message
    assert message.endswith(
        "reinstall paper-assistant (pip install --force-reinstall paper-assistant)"
    )
