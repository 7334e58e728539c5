"""An endpoint that answers, but not in the OpenAI protocol: one line, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openai_server import Reply

from assistant.cli import main
from assistant.errors import EndpointError, EndpointProtocolError
from assistant.llm import ChatClient
from assistant.settings import Settings

MESSAGES = [{"role": "user", "content": "hi"}]
QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"
NGINX_PAGE = "<html><body><h1>Welcome to nginx!</h1></body></html>"


def make_client(server, tmp_path: Path) -> ChatClient:
    values = {"home": tmp_path, "base_url": server.url, "max_retries": 0, "timeout": 5.0}
    return ChatClient(Settings.from_mapping(values, origin="test"))


@pytest.mark.parametrize(
    "body",
    [NGINX_PAGE, "{not json", "", "[1, 2]", '{"object": "list", "data": null}'],
    ids=["html", "broken-json", "empty", "a-list", "data-null"],
)
def test_a_models_list_that_is_not_the_protocol_is_a_protocol_error(openai_server, tmp_path, body):
    openai_server.models_reply = Reply(status=200, body=body)
    with pytest.raises(EndpointProtocolError, match="not in the OpenAI protocol"):
        make_client(openai_server, tmp_path).list_models()


def test_a_models_list_that_is_an_error_object_says_what_the_server_said(openai_server, tmp_path):
    openai_server.models_reply = Reply(status=200, body={"error": "Unexpected endpoint or method."})
    with pytest.raises(EndpointError) as caught:
        make_client(openai_server, tmp_path).list_models()
    assert str(caught.value) == (
        f"the endpoint at {openai_server.url} answered with an error: "
        "Unexpected endpoint or method."
    )


def test_model_entries_without_a_text_id_are_skipped(openai_server, tmp_path):
    data = [{"id": "good"}, 5, {"name": "no id"}, {"id": 7}, {"id": "also-good"}]
    openai_server.models_reply = Reply(status=200, body=json.dumps({"data": data}))
    assert make_client(openai_server, tmp_path).list_models() == ["good", "also-good"]


@pytest.mark.parametrize(
    "raw, content_type",
    [(NGINX_PAGE, "text/html"), ("{not json", "application/json")],
    ids=["html", "broken-json"],
)
def test_a_completion_that_is_not_the_protocol_is_a_protocol_error(
    openai_server, tmp_path, raw, content_type
):
    openai_server.enqueue(Reply(raw=raw, content_type=content_type))
    with pytest.raises(EndpointProtocolError):
        make_client(openai_server, tmp_path).complete(MESSAGES, model="m")


def test_a_completion_with_odd_fields_reads_as_far_as_it_makes_sense(openai_server, tmp_path):
    reply = {
        "choices": [{"message": {"content": "Fine [1]."}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": "many", "completion_tokens": 3},
    }
    openai_server.enqueue(Reply(raw=json.dumps(reply)))
    answer = make_client(openai_server, tmp_path).complete(MESSAGES, model="m")
    assert answer.text == "Fine [1]." and answer.usage == {"completion_tokens": 3}


@pytest.mark.parametrize(
    "raw, content_type",
    [
        (NGINX_PAGE, "text/html"),
        ('{"object": "list", "data": []}', "application/json"),
        ("data: {garbage\n\ndata: [DONE]\n\n", "text/event-stream"),
    ],
    ids=["html-page", "json-not-a-completion", "broken-event"],
)
def test_a_stream_that_is_not_the_protocol_is_a_protocol_error(
    openai_server, tmp_path, raw, content_type
):
    openai_server.enqueue(Reply(raw=raw, content_type=content_type))
    with pytest.raises(EndpointProtocolError):
        list(make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m"))


def test_a_whole_completion_sent_to_a_streaming_request_is_read_as_the_stream(
    openai_server, tmp_path
):
    # Some servers and proxies ignore "stream": true and answer in one JSON piece.
    reply = {
        "choices": [
            {"index": 0, "message": {"content": "Whole [1].", "reasoning_content": "Hm."}},
            {"index": 1, "message": {"content": "Other."}, "finish_reason": "stop"},
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
    }
    openai_server.enqueue(Reply(raw=json.dumps(reply)))
    stream = make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")
    assert "".join(stream) == "Whole [1]." and stream.reasoning == "Hm."
    assert stream.finish_reason == "stop" and stream.usage["total_tokens"] == 7


def test_a_json_error_sent_to_a_streaming_request_says_what_the_server_said(
    openai_server, tmp_path
):
    # LM Studio and some proxies answer 200 with an error object.
    body = {"error": "No models loaded. Please load a model first."}
    openai_server.enqueue(Reply(raw=json.dumps(body)))
    with pytest.raises(EndpointError) as caught:
        make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")
    assert str(caught.value) == (
        f"the endpoint at {openai_server.url} answered with an error: "
        "No models loaded. Please load a model first."
    )


def test_events_of_odd_shapes_are_skipped_not_crashed_on(openai_server, tmp_path):
    events = ['{"choices": 5}', "7", '{"choices": ["x", {"delta": null}]}']
    raw = "".join(f"data: {event}\n\n" for event in events)
    openai_server.enqueue(Reply(raw=raw, content_type="text/event-stream"))
    stream = make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")
    with pytest.raises(EndpointError, match="cut off"):  # it never said it had finished
        list(stream)


def test_an_error_event_in_a_stream_says_what_the_server_reported(openai_server, tmp_path):
    event = json.dumps({"error": {"message": "model overloaded, try later"}})
    openai_server.enqueue(Reply(raw=f"data: {event}\n\n", content_type="text/event-stream"))
    stream = make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")
    with pytest.raises(EndpointError, match="failed while answering: model overloaded"):
        list(stream)


@pytest.fixture
def garbage_endpoint(seeded_home: Path, openai_server, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ASSISTANT_HOME", str(seeded_home))
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    monkeypatch.setenv("ASSISTANT_MAX_RETRIES", "0")
    openai_server.models_reply = Reply(status=200, body=NGINX_PAGE)
    return seeded_home


@pytest.mark.parametrize("command", [["ask", QUESTION], ["doctor"]])
def test_ask_and_doctor_end_in_one_line_when_the_endpoint_serves_a_web_page(
    garbage_endpoint, capsys, command
):
    crash_logs = garbage_endpoint / "logs"
    logs_before = set(crash_logs.glob("crash-*")) if crash_logs.exists() else set()
    assert main(command) == 1
    captured = capsys.readouterr()
    lines = [line for line in (captured.out + captured.err).splitlines() if "protocol" in line]
    assert len(lines) == 1 and "ASSISTANT_BASE_URL" in lines[0]
    assert "unexpected" not in captured.err and "Traceback" not in captured.err
    # No crash log: the endpoint's garbage is not a bug of ours.
    assert (set(crash_logs.glob("crash-*")) if crash_logs.exists() else set()) == logs_before
