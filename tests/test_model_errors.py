"""What a user sees when a real server refuses a request: the error bodies OpenAI, vLLM,
llama.cpp and LM Studio send for a prompt longer than the model's context window."""

from __future__ import annotations

import pytest
from openai_server import Reply
from test_llm import MESSAGES, make_client

from assistant.errors import EndpointError, ModelNotFound

OPENAI_BODY = {
    "error": {
        "message": "This model's maximum context length is 2048 tokens. However, your "
        "messages resulted in 2744 tokens. Please reduce the length of the messages.",
        "type": "invalid_request_error",
        "code": "context_length_exceeded",
    }
}
LLAMA_CPP_BODY = {
    "error": {
        "code": 400,
        "message": "the request exceeds the available context size, try increasing it",
        "type": "exceed_context_size_error",
        "n_prompt_tokens": 5000,
        "n_ctx": 4096,
    }
}
LM_STUDIO_BODY = {
    "error": "Trying to keep the first 5000 tokens when context the overflows. However, the "
    "model is loaded with context length of only 3072 tokens, which is not enough."
}
VLLM_BODY = {
    "object": "error",
    "message": "This model's maximum context length is 32768 tokens. However, you requested "
    "40000 tokens (39400 in the messages, 600 in the completion).",
    "type": "BadRequestError",
    "code": 400,
}


@pytest.mark.parametrize(
    ("body", "size"), [(OPENAI_BODY, 2048), (LLAMA_CPP_BODY, 4096), (LM_STUDIO_BODY, 3072)]
)
def test_a_smaller_model_context_names_the_setting_and_its_value(
    openai_server, tmp_path, body, size
):
    openai_server.enqueue(Reply(status=400, body=body))
    client = make_client(openai_server, tmp_path, context_window=8192)
    with pytest.raises(EndpointError) as caught:
        client.stream_chat(MESSAGES, model="m")
    message = str(caught.value)
    assert f"set ASSISTANT_CONTEXT_WINDOW={size}" in message
    assert "context_window=8192" in message and "\n" not in message
    assert len(openai_server.chat_requests) == 1  # a 400 is not retried


def test_a_context_overflow_within_the_configured_window_blames_the_token_count(
    openai_server, tmp_path
):
    openai_server.enqueue(Reply(status=400, body=VLLM_BODY))
    client = make_client(openai_server, tmp_path, context_window=8192)
    with pytest.raises(EndpointError, match=r"lower ASSISTANT_CONTEXT_WINDOW \(now 8192\)"):
        client.stream_chat(MESSAGES, model="m")


def test_another_bad_request_still_quotes_the_server(openai_server, tmp_path):
    openai_server.enqueue(Reply(status=400, body={"error": {"message": "Invalid 'top_p'"}}))
    with pytest.raises(EndpointError, match=r"refused the request \(HTTP 400\): Invalid 'top_p'"):
        make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")


NGINX_413 = (
    "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n"
    "<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def test_an_error_page_from_a_proxy_is_quoted_by_its_title_not_its_markup(openai_server, tmp_path):
    openai_server.enqueue(Reply(status=413, body=NGINX_413))
    with pytest.raises(EndpointError) as caught:
        make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")
    assert str(caught.value) == (
        f"the endpoint at {openai_server.url} refused the request (HTTP 413): "
        "413 Request Entity Too Large"
    )


# -- a model the server does not serve, said with a 400 -------------------------------------------

LM_STUDIO_UNKNOWN_MODEL = {
    "error": {
        "message": 'Invalid model identifier "nope". Please specify a valid downloaded model.',
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }
}
LITELLM_UNKNOWN_MODEL = {
    "error": {
        "message": "/chat/completions: Invalid model name passed in model=nope. Call "
        "`/v1/models` to view available models for your key.",
        "type": "invalid_request_error",
        "param": "model",
        "code": "400",
    }
}


@pytest.mark.parametrize("body", [LM_STUDIO_UNKNOWN_MODEL, LITELLM_UNKNOWN_MODEL])
def test_an_unknown_model_said_with_a_400_is_model_not_found(openai_server, tmp_path, body):
    openai_server.enqueue(Reply(status=400, body=body))
    with pytest.raises(ModelNotFound) as caught:
        make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="nope")
    message = str(caught.value)
    assert message.startswith(f"the endpoint at {openai_server.url} has no model 'nope' (HTTP 400")
    assert "Invalid model" in message and "assistant doctor" in message


# -- parameters a model refuses ------------------------------------------------------------------

MAX_TOKENS_REFUSED = {
    "error": {
        "message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
        "Use 'max_completion_tokens' instead.",
        "type": "invalid_request_error",
        "param": "max_tokens",
        "code": "unsupported_parameter",
    }
}
TEMPERATURE_REFUSED = {
    "error": {
        "message": "Unsupported value: 'temperature' does not support 0.2 with this model. "
        "Only the default (1) value is supported.",
        "type": "invalid_request_error",
        "param": "temperature",
        "code": "unsupported_value",
    }
}


def test_a_reasoning_model_refusing_max_tokens_and_temperature_still_answers(
    openai_server, tmp_path
):
    openai_server.enqueue(Reply(status=400, body=MAX_TOKENS_REFUSED))
    openai_server.enqueue(Reply(status=400, body=TEMPERATURE_REFUSED))
    openai_server.enqueue(Reply(chunks=["fine"]))
    openai_server.enqueue(Reply(text="again"))
    client = make_client(openai_server, tmp_path, max_tokens=321, max_retries=0)
    assert "".join(client.stream_chat(MESSAGES, model="o4-mini")) == "fine"
    assert client.complete(MESSAGES, model="o4-mini").text == "again"
    bodies = [request.body for request in openai_server.chat_requests]
    assert "max_tokens" in bodies[0] and "temperature" in bodies[1]
    for later in bodies[2:]:  # the client remembers what the server refused
        assert later["max_completion_tokens"] == 321
        assert "max_tokens" not in later and "temperature" not in later


STREAM_REFUSED = {
    "error": {
        "message": "Your organization must be verified to stream this model. Please go to: "
        "https://platform.openai.com/settings/organization/general and click on Verify.",
        "type": "invalid_request_error",
        "param": "stream",
        "code": "unsupported_value",
    }
}


def test_a_model_that_may_not_stream_answers_in_one_piece(openai_server, tmp_path):
    openai_server.enqueue(Reply(status=400, body=STREAM_REFUSED))
    openai_server.enqueue(Reply(text="Whole [1]."))
    openai_server.enqueue(Reply(text="Whole [1]."))
    client = make_client(openai_server, tmp_path)
    for _ in range(2):  # and the next request asks for no stream at once
        stream = client.stream_chat(MESSAGES, model="o3")
        assert "".join(stream) == "Whole [1]." and stream.finish_reason == "stop"
    assert [r.body["stream"] for r in openai_server.chat_requests] == [True, False, False]


def test_a_parameter_refused_twice_is_an_error_not_a_loop(openai_server, tmp_path):
    for _ in range(3):
        openai_server.enqueue(Reply(status=400, body=MAX_TOKENS_REFUSED))
    client = make_client(openai_server, tmp_path, max_retries=0)
    with pytest.raises(EndpointError, match="max_completion_tokens"):
        client.stream_chat(MESSAGES, model="o4-mini")
    assert len(openai_server.chat_requests) == 2


def test_a_rate_limit_asking_no_wait_still_counts_its_retries(openai_server, tmp_path):
    for _ in range(4):
        openai_server.enqueue(Reply(status=429, headers={"Retry-After": "0"}))
    client = make_client(openai_server, tmp_path, max_retries=2)
    with pytest.raises(EndpointError, match="429"):
        client.stream_chat(MESSAGES, model="m")
    assert len(openai_server.chat_requests) == 3
