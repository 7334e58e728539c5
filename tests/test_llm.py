"""The endpoint client against a real loopback server speaking the OpenAI protocol."""

from __future__ import annotations

import socket
import time
import traceback

import pytest
from openai_server import OpenAIServer, Reply

from assistant.errors import (
    AuthenticationFailed,
    EndpointError,
    EndpointServerError,
    EndpointTimeout,
    EndpointUnreachable,
    ModelNotFound,
    RateLimited,
    StreamCutOff,
)
from assistant.llm import ChatClient
from assistant.settings import Settings

KEY = "sk-test-SECRET-4242"
MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]


def make_client(server: OpenAIServer | str, tmp_path, **overrides) -> ChatClient:
    url = server if isinstance(server, str) else server.url
    values = {"home": tmp_path, "base_url": url, "max_retries": 2, "timeout": 5.0, **overrides}
    return ChatClient(Settings.from_mapping(values, origin="test"))


def full_text(exc: BaseException) -> str:
    return str(exc) + repr(exc) + "".join(traceback.format_exception(exc))


def test_streams_deltas_with_finish_reason_and_sends_settings(openai_server, tmp_path):
    openai_server.enqueue(
        Reply(
            chunks=["Hel", "lo [1", "]."],
            usage={"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
        )
    )
    client = make_client(openai_server, tmp_path, temperature=0.3, max_tokens=77)
    stream = client.stream_chat(MESSAGES, model="m1")
    assert list(stream) == ["Hel", "lo [1", "]."]
    assert stream.finish_reason == "stop"
    assert stream.usage == {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
    request = openai_server.chat_requests[-1]
    assert request.body["model"] == "m1"
    assert request.body["stream"] is True
    assert request.body["temperature"] == 0.3
    assert request.body["max_tokens"] == 77
    assert request.body["messages"] == MESSAGES
    # Local servers need no key; the SDK still sends a placeholder, never an empty header.
    assert request.headers["authorization"] == "Bearer no-key-needed"


def test_complete_reads_a_json_reply(openai_server, tmp_path):
    openai_server.enqueue("Whole reply [2].")
    reply = make_client(openai_server, tmp_path).complete(MESSAGES, model="m1", max_tokens=20)
    assert reply.text == "Whole reply [2]."
    assert reply.finish_reason == "stop"
    assert reply.usage["completion_tokens"] == 3
    assert openai_server.chat_requests[-1].body["stream"] is False


def test_model_defaults_to_the_first_listed_model_and_is_cached(openai_server, tmp_path):
    openai_server.models = ["first-model", "second-model"]
    client = make_client(openai_server, tmp_path)
    assert client.list_models() == ["first-model", "second-model"]
    assert client.resolve_model() == "first-model"
    assert client.resolve_model() == "first-model"
    assert client.resolve_model("explicit") == "explicit"
    assert sum(r.path.endswith("/models") for r in openai_server.history) == 2
    configured = make_client(openai_server, tmp_path, model="configured")
    assert configured.resolve_model() == "configured"


def test_an_empty_model_list_says_to_set_the_model(openai_server, tmp_path):
    openai_server.models = []
    with pytest.raises(ModelNotFound, match="ASSISTANT_MODEL"):
        make_client(openai_server, tmp_path).resolve_model()


def test_connection_refused_names_the_url(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    with pytest.raises(EndpointUnreachable) as caught:
        make_client(url, tmp_path).stream_chat(MESSAGES, model="m")
    assert url in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_key_is_reported_without_the_key(openai_server, tmp_path, status):
    openai_server.api_key = "the-right-key"  # the server echoes the wrong key back in its 401 body
    if status == 403:
        openai_server.api_key = None
        openai_server.enqueue(status=403, body={"error": {"message": f"forbidden for {KEY}"}})
    client = make_client(openai_server, tmp_path, api_key=KEY)
    with pytest.raises(AuthenticationFailed) as caught:
        client.stream_chat(MESSAGES, model="m")
    assert "ASSISTANT_API_KEY" in str(caught.value)
    assert KEY not in full_text(caught.value)
    assert openai_server.history[-1].headers["authorization"] == f"Bearer {KEY}"  # it was sent


def test_missing_key_says_one_is_needed(openai_server, tmp_path):
    openai_server.enqueue(status=401)
    with pytest.raises(AuthenticationFailed, match="needs an API key"):
        make_client(openai_server, tmp_path).complete(MESSAGES, model="m")


def test_unknown_model_suggests_doctor(openai_server, tmp_path):
    openai_server.enqueue(status=404, body={"error": {"message": "model 'nope' not found"}})
    with pytest.raises(ModelNotFound) as caught:
        make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="nope")
    assert "'nope'" in str(caught.value)
    assert "assistant doctor" in str(caught.value)


def test_429_waits_as_retry_after_says_then_succeeds(openai_server, tmp_path):
    openai_server.enqueue(status=429, headers={"Retry-After": "1"})
    openai_server.enqueue("fine [1].")
    reply = make_client(openai_server, tmp_path).complete(MESSAGES, model="m")
    assert reply.text == "fine [1]."
    first, second = openai_server.chat_requests
    assert second.received_at - first.received_at >= 0.95


def test_429_gives_up_clearly_after_the_retries(openai_server, tmp_path):
    for _ in range(3):
        openai_server.enqueue(status=429, headers={"retry-after-ms": "10"})
    with pytest.raises(RateLimited, match=r"HTTP 429\) after 2 retries"):
        make_client(openai_server, tmp_path, max_retries=2).stream_chat(MESSAGES, model="m")
    assert len(openai_server.chat_requests) == 3


def test_a_5xx_given_up_on_quotes_the_server_reason(openai_server, tmp_path):
    reason = "model requires more system memory (16.0 GiB) than is available (7.6 GiB)"
    openai_server.enqueue(status=500, body={"error": reason})
    with pytest.raises(EndpointServerError) as caught:
        make_client(openai_server, tmp_path, max_retries=0).stream_chat(MESSAGES, model="m")
    assert str(caught.value) == (
        f"the endpoint at {openai_server.url} failed with HTTP 500 after 0 retries ({reason}); "
        "the server is in trouble — check its logs or try again later"
    )


def test_a_proxy_request_timeout_is_retried(openai_server, tmp_path):
    openai_server.enqueue(status=408, headers={"retry-after-ms": "10"})
    openai_server.enqueue("Fine after all [1].")
    stream = make_client(openai_server, tmp_path, max_retries=1).stream_chat(MESSAGES, model="m")
    assert "".join(stream) == "Fine after all [1]."
    assert len(openai_server.chat_requests) == 2


def test_an_account_out_of_quota_is_told_at_once_not_retried(openai_server, tmp_path):
    # OpenAI answers 429 for an exhausted quota too; waiting and retrying cannot help.
    message = "You exceeded your current quota, please check your plan and billing details."
    body = {
        "error": {"message": message, "type": "insufficient_quota", "code": "insufficient_quota"}
    }
    openai_server.enqueue(status=429, body=body)
    with pytest.raises(RateLimited) as caught:
        make_client(openai_server, tmp_path, max_retries=2).stream_chat(MESSAGES, model="m")
    assert "out of quota" in str(caught.value) and message in str(caught.value)
    assert len(openai_server.chat_requests) == 1


def test_a_retry_after_beyond_reason_is_not_waited_for(openai_server, tmp_path):
    openai_server.enqueue(status=429, headers={"Retry-After": "3600"})
    started = time.perf_counter()
    with pytest.raises(RateLimited, match="asks to wait 3600 s"):
        make_client(openai_server, tmp_path).complete(MESSAGES, model="m")
    assert time.perf_counter() - started < 5
    assert len(openai_server.chat_requests) == 1


def test_5xx_is_retried_with_backoff_then_reported(openai_server, tmp_path):
    openai_server.enqueue(status=503)
    openai_server.enqueue("recovered")
    assert make_client(openai_server, tmp_path).complete(MESSAGES, model="m").text == "recovered"
    first, second = openai_server.chat_requests
    assert second.received_at - first.received_at >= 0.4  # FIRST_BACKOFF, no Retry-After given

    openai_server.enqueue(status=500)
    openai_server.enqueue(status=500)
    with pytest.raises(EndpointServerError, match="HTTP 500 after 1 retry"):
        make_client(openai_server, tmp_path, max_retries=1).complete(MESSAGES, model="m")


def test_other_refusals_carry_the_server_reason_scrubbed_of_the_key(openai_server, tmp_path):
    openai_server.enqueue(
        status=400, body={"error": {"message": f"context too long for key {KEY}"}}
    )
    with pytest.raises(EndpointError) as caught:
        make_client(openai_server, tmp_path, api_key=KEY).complete(MESSAGES, model="m")
    assert "HTTP 400" in str(caught.value) and "context too long" in str(caught.value)
    assert KEY not in full_text(caught.value)


def test_timeout(openai_server, tmp_path):
    openai_server.enqueue("late", delay=3)
    with pytest.raises(EndpointTimeout, match=r"within 0\.5 s"):
        make_client(openai_server, tmp_path, timeout=0.5).complete(MESSAGES, model="m")


def test_a_stall_in_the_middle_of_a_stream_is_a_timeout(openai_server, tmp_path):
    openai_server.enqueue(Reply(chunks=["a", "b", "c"], chunk_delay=2))
    stream = make_client(openai_server, tmp_path, timeout=0.5).stream_chat(MESSAGES, model="m")
    with pytest.raises(EndpointTimeout):
        list(stream)


@pytest.mark.parametrize("cut", ["drop", "no_finish"])
def test_a_stream_cut_off_before_finish_reason_is_an_error(openai_server, tmp_path, cut):
    openai_server.enqueue(Reply(chunks=["one ", "two ", "three ", "four"], cut=cut))
    stream = make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")
    received: list[str] = []
    with pytest.raises(StreamCutOff, match="cut off"):
        for delta in stream:
            received.append(delta)
    assert received and "".join(received) != "one two three four"


def test_close_stops_a_stream_quietly(openai_server, tmp_path):
    openai_server.enqueue(Reply(chunks=[f"w{i} " for i in range(50)], chunk_delay=0.05))
    stream = make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")
    iterator = iter(stream)
    assert next(iterator) == "w0 "
    stream.close()
    assert list(iterator) == []
