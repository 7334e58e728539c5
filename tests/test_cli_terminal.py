"""The CLI as a terminal tool: safe output, one-line errors, habits of the tools people use."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openai_server import Reply
from paper_files import write_jsonl

from assistant.cli import main
from assistant.embedding import MiniLMEmbedder
from assistant.service import Assistant
from assistant.settings import Settings

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"
HOSTILE = "\x1b]0;pwned\x07 \x1b[2J \x1b[5m \x9b [/] [bold]x"
CONTROLS = set(map(chr, [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]))


def no_controls(text: str) -> bool:
    return not (set(text) & CONTROLS)


class Terminal(io.StringIO):
    """A stdout that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def seeded_env(seeded_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASSISTANT_HOME", str(seeded_home))
    return seeded_home


@pytest.fixture
def hostile_home(tmp_path: Path, embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store whose only paper has control characters and markup in title and abstract."""
    papers = tmp_path / "papers.jsonl"
    records = [
        {
            "title": f"DAE-Talker: diffusion autoencoder talking faces {HOSTILE}",
            "abstract": "DAE-Talker uses latent features of a diffusion autoencoder in place of "
            f"handcrafted facial landmarks to generate talking face videos {HOSTILE}.",
        },
        {"title": "Speech to latents", "abstract": "A Conformer maps speech to video latents."},
        {"title": "Video pretraining", "abstract": "Contrastive pretraining of video encoders."},
    ]
    write_jsonl(papers, records)
    home = tmp_path / "hostile-home"
    Assistant(Settings(home=home), embedder=embedder).ingest([papers])
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    return home


# -- safe output ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["papers"],
        ["search", "diffusion autoencoder latent features"],
        ["ask", "What does DAE-Talker use in place of handcrafted facial landmarks?"],
    ],
)
def test_control_characters_from_the_collection_never_reach_the_terminal(
    hostile_home: Path,
    argv: list[str],
    openai_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    openai_server.enqueue(f"It uses latents {HOSTILE} [1].")
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "\\x1b]0;pwned\\x07" in out and "[/] [bold]x" in out
    assert no_controls(out.replace("\n", ""))


def test_json_output_escapes_every_control_character(
    hostile_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["papers", "--json"]) == 0
    out = capsys.readouterr().out
    assert no_controls(out.replace("\n", ""))
    titles = [paper["title"] for paper in json.loads(out)]
    assert f"DAE-Talker: diffusion autoencoder talking faces {HOSTILE}" in titles


def test_a_non_utf8_byte_in_the_question_is_no_traceback(seeded_home: Path) -> None:
    env = {
        **os.environ,
        "ASSISTANT_HOME": str(seeded_home),
        "ASSISTANT_CONFIG": str(seeded_home / "none.toml"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "search", b"diffusion \xff models", "--k", "2"],
        capture_output=True,
        env=env,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr and result.stdout.count(b"\n") >= 2


# -- one-line errors -----------------------------------------------------------------------


def test_an_unexpected_exception_is_one_line_and_a_log_file(
    seeded_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("something the code did not expect")

    monkeypatch.setattr(Assistant, "search", broken)
    monkeypatch.setenv("ASSISTANT_HOME", str(seeded_env))
    assert main(["search", "anything"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: unexpected RuntimeError: something the code did not expect")
    log = Path(line.rsplit(" in ", 1)[1].rstrip(")"))
    assert log.is_file() and "Traceback" in log.read_text() and "def broken" not in line


def test_json_errors_are_one_object_on_stdout(
    seeded_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", QUESTION, "--json", "--k", "0"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {
        "error": {"type": "ConfigError", "message": "--k must be at least 1, got 0"}
    }
    assert captured.err == ""


def test_a_password_in_the_base_url_is_never_printed(
    seeded_env: Path, openai_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url = openai_server.url.replace("http://", "http://user:hunter2@")
    openai_server.models_reply = Reply(status=500)
    assert main(["doctor", "--base-url", url]) == 1
    out = capsys.readouterr().out
    assert "problem:" in out and "hunter2" not in out and "user:***@" in out


def test_a_base_url_without_v1_gets_a_suggestion(
    seeded_env: Path, openai_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    openai_server.path_prefix = "/v1"
    bare = openai_server.url.removesuffix("/v1")
    assert main(["ask", QUESTION, "--base-url", bare, "-m", "test-model"]) == 1
    err = capsys.readouterr().err
    assert f"did you mean {bare}/v1?" in err and len(err.strip().splitlines()) == 1


def test_a_cut_off_stream_ends_its_line_before_the_error(
    seeded_env: Path, openai_server: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    monkeypatch.setenv("ASSISTANT_MAX_RETRIES", "0")
    openai_server.enqueue(chunks=["The ", "first ", "words ", "and more"], cut="drop")
    assert main(["ask", QUESTION]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("The first") and captured.out.endswith("\n")
    assert captured.err.startswith("error: the answer from")


# -- habits --------------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == "assistant 0.1.0"


@pytest.mark.parametrize("argv", [["ask", "--json"], ["ask", "-", "--json"]])
def test_the_question_comes_from_stdin(
    seeded_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, argv: list[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(QUESTION + "\n"))
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["question"] == QUESTION


class EndlessInput(io.TextIOBase):
    """Standard input that never ends, as `< /dev/zero`."""

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            raise MemoryError("read the whole of an endless input")
        return "a" * size

    def isatty(self) -> bool:
        return False


def test_an_endless_standard_input_is_refused_not_read_to_the_end(
    seeded_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr("sys.stdin", EndlessInput())
    assert main(["ask"]) == 1
    assert capsys.readouterr().err == (
        "error: the question on standard input is longer than 1,000,000 characters; "
        "pipe in the question, not a document\n"
    )


def test_no_question_and_a_terminal_on_stdin_says_what_to_do(
    seeded_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal())
    assert main(["ask"]) == 1
    assert "pass it as an argument or pipe it in" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["-k", "--k"])
def test_k_flags_on_every_command_that_takes_k(
    seeded_env: Path, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", QUESTION, flag, "2", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["results"]) == 2
    assert main(["ask", QUESTION, flag, "2", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["sources"]) <= 2
    from assistant.cli import build_parser

    for command in (["chat"], ["eval", "q.jsonl"]):
        assert build_parser().parse_args([*command, flag, "3"]).k == 3


def test_search_lists_as_many_papers_as_the_k_setting_says(
    seeded_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    def listed(*flags: str) -> int:
        assert main(["search", QUESTION, "--json", *flags]) == 0
        return len(json.loads(capsys.readouterr().out)["results"])

    assert listed() == Settings.model_fields["k"].default
    monkeypatch.setenv("ASSISTANT_K", "3")
    assert listed() == 3
    assert listed("-k", "7") == 7  # the flag still wins
    monkeypatch.delenv("ASSISTANT_K")
    config = tmp_path / "config.toml"
    config.write_text("k = 2\n", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    assert listed() == 2
    config.write_text("k = 0\n", encoding="utf-8")  # checked like any setting, not ignored
    assert main(["search", QUESTION]) == 1
    assert "k must be at least 1, got 0" in capsys.readouterr().err


def test_model_without_an_endpoint_is_a_warning(
    seeded_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", QUESTION, "-m", "llama3", "--json"]) == 0
    assert "warning: --model is ignored: no model endpoint is configured" in capsys.readouterr().err


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert "assistant" in script and "history" in script and "no-color" in script


# -- colour --------------------------------------------------------------------------------


def test_colour_on_a_terminal_plain_elsewhere(
    seeded_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    assert main(["ask", QUESTION]) == 0
    coloured = terminal.getvalue()
    assert "\x1b[" in coloured and "References" in coloured

    for argv, env in (
        (["--no-color", "ask", QUESTION], {}),
        (["ask", QUESTION], {"NO_COLOR": "1"}),
    ):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        terminal = Terminal()
        monkeypatch.setattr("sys.stdout", terminal)
        assert main(argv) == 0
        assert "\x1b" not in terminal.getvalue() and "References" in terminal.getvalue()


def test_default_chat_model_skips_models_that_cannot_chat() -> None:
    from assistant.server_replies import OPENAI_DEFAULT_MODEL, default_chat_model

    listed = ["text-embedding-3-small", "whisper-1", "dall-e-3", "llama-3-8b", "qwen2"]
    assert default_chat_model(listed, "http://127.0.0.1:8080/v1") == "llama-3-8b"
    assert default_chat_model(["nomic-embed-text"], "http://127.0.0.1:11434/v1") is None
    embedders = ["all-minilm:latest", "bge-m3:latest", "mxbai-embed-large", "multilingual-e5-base"]
    assert default_chat_model([*embedders, "qwen3:8b"], "http://127.0.0.1:11434/v1") == "qwen3:8b"
    assert default_chat_model(listed, "https://api.openai.com/v1") == OPENAI_DEFAULT_MODEL


def test_doctor_shows_the_default_model(
    seeded_env: Path, openai_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    openai_server.models = ["text-embedding-3-small", "tts-1", "small-chat"]
    assert main(["doctor", "--base-url", openai_server.url]) == 0
    assert "Model: small-chat (the default" in capsys.readouterr().out


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
@pytest.mark.parametrize("argv", [["search", QUESTION, "-k", "1"], ["ask", QUESTION, "--json"]])
def test_a_full_disk_under_stdout_is_one_line_on_stderr(
    seeded_env: Path, argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        monkeypatch.setattr("sys.stdout", full)
        assert main(argv) == 1
        monkeypatch.undo()
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: cannot write to standard output (No space left on device)")


def test_a_closed_stdout_is_one_line_on_stderr(
    seeded_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr("sys.stdout", None)  # what Python sets when started with `>&-`
    assert main(["ask", QUESTION, "--json"]) == 1
    monkeypatch.undo()
    assert (
        capsys.readouterr().err
        == "error: standard output is closed; run the command with an output\n"
    )


@pytest.mark.parametrize(
    ("argv", "told"),
    [
        (["ask", "--k", "abc", QUESTION], "error: argument -k/--k: invalid int value: 'abc'"),
        (["history", "show", "x"], "error: argument ID: invalid int value: 'x'"),
        (["completion", "tcsh"], "error: argument shell: invalid choice: 'tcsh'"),
    ],
)
def test_a_wrong_command_line_is_one_line_naming_the_help(
    argv: list[str], told: str, capsys: Any
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith(told) and line.endswith(f"(see `assistant {argv[0]} --help`)")
    assert captured.out == ""


def test_a_wrong_command_line_with_json_is_a_json_error(capsys: Any) -> None:
    assert main(["search", "--k", "1e3", "--json", QUESTION]) == 2
    captured = capsys.readouterr()
    error = json.loads(captured.out)["error"]
    assert error["type"] == "UsageError" and "invalid int value: '1e3'" in error["message"]
    assert captured.err == ""


def test_a_closed_stderr_leaves_json_on_stdout_valid(
    seeded_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # With stderr closed (`2>&-`), print(file=sys.stderr) would write the warning to stdout.
    monkeypatch.setattr("sys.stderr", None)
    assert main(["ask", QUESTION, "--json", "--model", "m"]) == 0
    monkeypatch.undo()
    assert json.loads(capsys.readouterr().out)["question"] == QUESTION
