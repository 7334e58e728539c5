"""``assistant doctor`` as the troubleshooting tool: whatever would make ``ask`` fail, it
finds first, says what to do, and sums up in its last line."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from paper_files import write_jsonl

from assistant.cli import main
from assistant.embedding import MiniLMEmbedder
from assistant.service import Assistant
from assistant.settings import Settings


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    status = main(["doctor", *args])
    return status, capsys.readouterr().out.splitlines()


@pytest.fixture
def seeded_env(seeded_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASSISTANT_HOME", str(seeded_home))
    return seeded_home


def test_a_healthy_setup_ends_with_no_problems(
    seeded_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines = doctor(capsys)
    assert status == 0
    assert "Embedder: minilm (bundled) works" in lines
    assert "Answer reader: bundled, works" in lines
    assert lines[-1] == "No problems found."


def test_prompt_files_that_ask_would_refuse_are_a_problem(
    seeded_env: Path, openai_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts = tmp_path / "my-prompts"
    prompts.mkdir()
    (prompts / "answer.md").write_text("Answer the question.\n", encoding="utf-8")
    status, lines = doctor(capsys, "--base-url", openai_server.url, "--prompts-dir", str(prompts))
    assert status == 1
    (problem,) = [line for line in lines if line.startswith("Prompts: problem")]
    assert str(prompts / "answer.md") in problem and "{question}" in problem
    assert lines[-1].startswith("1 problem(s) found")


def test_an_embeddings_endpoint_that_does_not_answer_is_a_problem(
    seeded_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = closed_port_url()
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "openai")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "nomic-embed-text")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_BASE_URL", url)
    status, lines = doctor(capsys)
    assert status == 1
    assert f"Embedder: openai — problem: No embeddings endpoint answered at {url}" in "\n".join(
        lines
    )


def test_a_collection_built_by_another_embedder_is_a_problem_with_its_fix(
    tmp_path: Path,
    embedder: MiniLMEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    papers = write_jsonl(
        tmp_path / "mine.jsonl",
        [{"title": "Speech to latents", "abstract": "A Conformer maps speech to latents."}],
    )
    home = tmp_path / "data"
    Assistant(Settings(home=home, collection="mine"), embedder=embedder).ingest([papers])
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "openai")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "nomic-embed-text")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_BASE_URL", closed_port_url())
    status, lines = doctor(capsys, "--collection", "mine")
    assert status == 1
    (store_problem,) = [line for line in lines if line.startswith("Store: problem")]
    assert "built with embedder" in store_problem
    assert "assistant ingest --rebuild" in store_problem
    assert lines[-1].startswith("2 problem(s) found")


def test_doctor_still_runs_on_a_config_file_it_cannot_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every error about an unknown setting points here: doctor must not fail the same way.
    config = tmp_path / "config.toml"
    config.write_text('model = "m"\nbogus_key = 1\n', encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    assert main(["ask", "What is DAE-Talker?"]) == 1
    assert "`assistant doctor` lists the known ones" in capsys.readouterr().err
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Settings: problem — {config}:2: unknown setting 'bogus_key'; " + (
        "`assistant doctor` lists the known ones"
    )
    assert any(line.split() == ["collection", "papers"] for line in out)
    assert out[-1].startswith("1 problem(s) found")


def test_a_misspelt_setting_is_told_the_name_it_resembles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "config.toml"))
    (tmp_path / "config.toml").write_text("[endpoint]\nbase-url = 'http://x/v1'\n", "utf-8")
    assert main(["search", "diffusion"]) == 1
    assert capsys.readouterr().err.endswith(
        "unknown setting 'base-url'; did you mean 'base_url'?\n"
    )


def test_a_model_name_cannot_forge_a_line_of_the_report(
    openai_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    openai_server.models = ["test-model\nForged: all is well"]
    main(["doctor", "--base-url", openai_server.url])
    lines = capsys.readouterr().out.splitlines()
    assert "  test-model\\nForged: all is well" in lines
    assert not any(line.startswith("Forged") for line in lines)
