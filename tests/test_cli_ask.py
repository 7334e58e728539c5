"""`assistant ask` and `assistant doctor` as a user runs them."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openai_server import Reply

from assistant.answer_notes import OFFLINE_HINT
from assistant.cli import main

KEY = "sk-live-DO-NOT-PRINT-8d7f"
QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"


@pytest.fixture
def seeded_env(seeded_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASSISTANT_HOME", str(seeded_home))
    return seeded_home


@pytest.fixture
def model_env(seeded_env: Path, openai_server, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    monkeypatch.setenv("ASSISTANT_MAX_RETRIES", "1")
    return openai_server


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/v1"


class TimedStdout(io.StringIO):
    """Remembers when each piece was written, to tell streaming from waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        self.writes.append((time.perf_counter(), text))
        return super().write(text)


def test_ask_offline_prints_the_answer_then_references(seeded_env, capsys):
    assert main(["ask", QUESTION]) == 0
    out = capsys.readouterr().out
    answer, references = out.split("\nReferences\n")
    assert "[1]" in answer and answer.rstrip().endswith(OFFLINE_HINT)  # after the quotes
    lines = references.strip().splitlines()
    assert len(lines) == 5
    cited = [line for line in lines if not line.endswith("(retrieved, not cited)")]
    assert cited and lines[: len(cited)] == cited  # cited first, uncited marked after
    assert "DAE-Talker" in cited[0]


def test_ask_json_is_exactly_the_answer_dict(seeded_env, capsys):
    assert main(["ask", QUESTION, "--json", "--k", "3"]) == 0
    data = json.loads(capsys.readouterr().out)  # one object, nothing else
    assert set(data) == {
        "question",
        "answer",
        "answered",
        "mode",
        "model",
        "extractive",
        "citations",
        "invalid_citations",
        "standalone_question",
        "sources",
        "claims",
        "reasoning",
        "truncated",
        "caveats",
        "usage",
        "timings",
    }
    assert (
        data["question"] == QUESTION and data["answered"] is True and data["mode"] == "extractive"
    )
    assert len(data["sources"]) == 3
    assert data["extractive"] is True and "ASSISTANT_BASE_URL" not in data["answer"]
    assert set(data["sources"][0]) == {
        *("n", "paper_id", "title", "cited", "passage", "passages"),
        *("authors", "year", "url", "doi", "venue"),
    }
    assert all(isinstance(n, int) for n in data["citations"])
    assert {s["n"] for s in data["sources"] if s["cited"]} == set(data["citations"])


def test_ask_json_offline_claims_are_quotes_and_supported(seeded_env, capsys):
    assert main(["ask", QUESTION, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["claims"] and all(claim["supported"] for claim in data["claims"])
    assert set(data["claims"][0]) == {
        "text",
        "citations",
        "supported",
        "support",
        "unstated_numbers",
        "contradicted_by",
    }
    assert data["reasoning"] == "" and data["truncated"] is False


def test_ask_json_carries_claims_reasoning_and_truncation(model_env, capsys):
    from assistant.service import Assistant
    from assistant.settings import Settings
    from assistant.text import split_sentences

    assistant = Assistant(Settings.load())
    hits = assistant.search(QUESTION, 5)
    copied = split_sentences(assistant.paper(hits[0].paper_id).abstract)[1].rstrip(".")
    model_env.enqueue(
        Reply(
            chunks=["<think>[1] fits</think>", f"{copied} [2]. ", f"{copied} [1]. And"],
            reasoning_chunks=["Looking at the sources. "],
            finish_reason="length",
        )
    )
    assert main(["ask", QUESTION, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] is True and data["truncated"] is True
    # Reasoning sent apart and reasoning written in <think> are two blocks.
    assert data["reasoning"] == "Looking at the sources.\n\n[1] fits"
    assert "fits" not in data["answer"] and "<think>" not in data["answer"]
    assert [(c["citations"], c["supported"]) for c in data["claims"]] == [
        ([2], False),
        ([1], True),
        ([], False),
    ]


def test_ask_marks_unsupported_claims_and_a_cut_answer(model_env, capsys):
    model_env.enqueue(
        Reply(
            chunks=[
                "Bananas are a good source of potassium [1]. DAE-Talker leverages data-driven "
                "latent representations obtained from a diffusion autoencoder [1]. And"
            ],
            finish_reason="length",
        )
    )
    assert main(["ask", QUESTION]) == 0
    out = capsys.readouterr().out
    answer = out.split("\nReferences\n")[0]
    assert "⚠ not supported by [1]: Bananas are a good source of potassium [1]." in answer
    assert "⚠ cites no source: And" in answer
    assert "leverages" not in answer.split("⚠", 1)[1]  # supported claims are not listed
    assert "cut off" in answer and "ASSISTANT_MAX_TOKENS" in answer and "600" in answer


def test_ask_says_an_uncited_reply_is_not_grounded(model_env, capsys):
    model_env.enqueue("Latents are used instead of landmarks.")
    assert main(["ask", QUESTION, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] is False and data["claims"] == []
    assert (
        data["answer"].startswith("Latents are used") and "Not a grounded answer" in data["answer"]
    )


def test_ask_json_declined(seeded_env, capsys):
    assert main(["ask", "Best sourdough bread recipe with a crunchy crust?", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] is False and data["citations"] == [] and data["sources"] == []
    assert "does not answer" in data["answer"]


def test_ask_streams_tokens_as_they_arrive(model_env, monkeypatch):
    model_env.enqueue(Reply(chunks=["Streaming ", "works ", "[1]", "."], chunk_delay=0.3))
    out = TimedStdout()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["ask", QUESTION]) == 0
    pieces = [(t, text) for t, text in out.writes if text.strip()]
    first_token = next(t for t, text in pieces if "Streaming" in text)
    references = next(t for t, text in pieces if "References" in text)
    assert references - first_token >= 0.6  # the first words were out long before the end
    assert out.getvalue().startswith("Streaming works [1].\n")


def test_ask_no_stream_waits_and_prints_once(model_env, monkeypatch):
    model_env.enqueue(Reply(chunks=["Waited ", "for ", "it ", "[1]."], chunk_delay=0.1))
    out = TimedStdout()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["ask", QUESTION, "--no-stream"]) == 0
    answer_writes = [text for _, text in out.writes if text.startswith("Waited")]
    assert answer_writes == ["Waited for it [1].\n"]
    assert "\nReferences\n" in out.getvalue()


def test_ask_reports_removed_markers_on_stderr(model_env, capsys):
    model_env.enqueue("Claim [1] and a made-up one [42].")
    assert main(["ask", QUESTION, "--model", "chosen"]) == 0
    captured = capsys.readouterr()
    assert "[42]" not in captured.out
    assert "Claim [1] and a made-up one." in captured.out
    assert "[42]" in captured.err
    assert model_env.chat_requests[-1].body["model"] == "chosen"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ({"status": 401}, "rejected the API key"),
        ({"status": 404}, "assistant doctor"),
        ({"status": 429, "headers": {"Retry-After": "0"}}, "HTTP 429"),
        ({"status": 502}, "HTTP 502"),
        ({"cut": "drop", "chunks": ["a ", "b ", "c ", "d"]}, "cut off"),
        ({"delay": 3.0, "text": "late"}, "did not answer within 0.5 s"),
    ],
)
def test_endpoint_errors_are_one_line_without_the_key(
    model_env, monkeypatch, capsys, script, expected
):
    monkeypatch.setenv("ASSISTANT_API_KEY", KEY)
    monkeypatch.setenv("ASSISTANT_TIMEOUT", "0.5")
    for _ in range(2):
        model_env.enqueue(Reply(**script))
    assert main(["ask", QUESTION]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]
    assert "Traceback" not in captured.err
    assert KEY not in captured.out + captured.err


def test_a_bad_k_is_one_line(seeded_env, capsys):
    assert main(["ask", QUESTION, "--k", "0"]) == 1
    assert capsys.readouterr().err.strip() == "error: --k must be at least 1, got 0"


def test_connection_refused_in_a_real_process_names_the_url(seeded_home):
    url = closed_port_url()
    env = {
        **os.environ,
        "ASSISTANT_HOME": str(seeded_home),
        "ASSISTANT_BASE_URL": url,
        "ASSISTANT_API_KEY": KEY,
        "ASSISTANT_CONFIG": str(seeded_home / "none.toml"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", QUESTION],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: no model endpoint answered at {url} — is the server running? "
        "(check ASSISTANT_BASE_URL, or unset it for offline extractive answers)"
    ]
    assert KEY not in result.stdout + result.stderr


# -- doctor --------------------------------------------------------------------------------


def test_doctor_offline(seeded_env, capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "extractive" in out
    assert "290 papers" in out and str(seeded_env) in out


def test_doctor_lists_the_models_and_never_the_key(model_env, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_API_KEY", KEY)
    model_env.models = ["llama-3-8b", "qwen2"]
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert f"Endpoint: {model_env.url} answers" in out
    assert "llama-3-8b" in out and "qwen2" in out and "Model: llama-3-8b" in out
    assert "*** (set)" in out and KEY not in out
    assert model_env.history[-1].headers["authorization"] == f"Bearer {KEY}"


def test_doctor_flags_an_unknown_configured_model(model_env, capsys):
    assert main(["doctor", "--model", "missing-model"]) == 1
    assert "'missing-model' is not among them" in capsys.readouterr().out


def test_doctor_reports_an_unreachable_endpoint(seeded_env, capsys):
    url = closed_port_url()
    assert main(["doctor", "--base-url", url]) == 1
    assert f"no model endpoint answered at {url}" in capsys.readouterr().out


def test_ask_filters_reach_retrieval(seeded_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The bundled papers carry no years: a year filter says so instead of "no match".
    assert main(["ask", "What does DAE-Talker use?", "--year", "1999", "--json"]) == 1
    captured = capsys.readouterr()
    # With --json the error is one JSON object on stdout.
    assert json.loads(captured.out)["error"] == {
        "type": "FilterError",
        "message": "no paper in collection 'papers' has a year, so --year/--since/--until "
        "cannot match; ingest files with that metadata (.bib, .ris, CSL-JSON, CSV) or drop the "
        "filter",
    }


def test_doctor_says_what_an_empty_collection_needs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "fresh"))
    main(["doctor"])
    assert "the first question (or `assistant ingest`) indexes the bundled papers" in (
        capsys.readouterr().out
    )
    main(["doctor", "--collection", "mine"])
    out = capsys.readouterr().out
    assert "0 papers" in out and "assistant ingest FILE… --collection mine" in out


ABSENT_NAME_QUESTION = "How does XLM-E pretrain cross-lingual encoders?"


def test_an_answer_despite_a_name_no_paper_writes_says_so(seeded_env, capsys):
    assert main(["ask", ABSENT_NAME_QUESTION]) == 0
    out = capsys.readouterr().out
    assert "note: no paper found mentions XLM-E; check the sources before you rely" in out
    assert main(["ask", ABSENT_NAME_QUESTION, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] is True and data["caveats"] == ["no paper found mentions XLM-E"]
    assert "XLM-E" not in data["answer"]  # a note beside the answer, never part of its text
    assert main(["ask", QUESTION, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["caveats"] == []


def test_an_answer_to_which_x_when_the_closest_paper_names_none_says_so(seeded_env, capsys):
    # REALM's abstract says it is compared on "three popular Open-QA benchmarks", not which
    question = "Which Open-QA benchmarks was REALM compared on?"
    assert main(["ask", question]) == 0
    out = capsys.readouterr().out
    assert "note: the closest paper may not say which Open-QA benchmarks; check the" in out
    assert main(["ask", question, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] is True
    assert data["caveats"] == ["the closest paper may not say which Open-QA benchmarks"]


def test_a_model_s_answer_carries_the_caveat_and_a_refusal_does_not(model_env, capsys):
    model_env.enqueue(Reply(chunks=["I cannot answer this from the provided sources."]))
    assert main(["ask", ABSENT_NAME_QUESTION, "--json"]) == 0
    refused = json.loads(capsys.readouterr().out)
    assert refused["answered"] is False and refused["caveats"] == []
    from assistant.service import Assistant
    from assistant.settings import Settings

    assistant = Assistant(Settings.load())
    best = assistant.search(ABSENT_NAME_QUESTION, 1)[0]
    first = assistant.paper(best.paper_id).abstract.split(". ")[0].rstrip(".")
    model_env.enqueue(Reply(chunks=[f"{first} [1]."]))
    assert main(["ask", ABSENT_NAME_QUESTION, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] is True and data["caveats"] == ["no paper found mentions XLM-E"]
