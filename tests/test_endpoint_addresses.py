"""A base URL that is not quite the OpenAI API's: an endpoint's full path pasted, Ollama's own
``/api``, a server that redirects. The error names the address to use instead."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai_server import OpenAIServer

from assistant.errors import EndpointError, EndpointUnreachable, ModelNotFound
from assistant.llm import ChatClient, suggested_base_url
from assistant.settings import Settings

MESSAGES = [{"role": "user", "content": "hi"}]


def make_client(base_url: str, tmp_path: Path) -> ChatClient:
    values = {"home": tmp_path, "base_url": base_url, "max_retries": 0, "timeout": 5.0}
    return ChatClient(Settings.from_mapping(values, origin="test"))


def origin(server) -> str:
    return server.url.removesuffix("/v1")


@pytest.mark.parametrize("path", ["/api", "/v1/chat/completions", ""])
def test_a_404_for_the_path_names_the_base_url_meant(openai_server, tmp_path, path):
    openai_server.path_prefix = "/v1/"  # a server's own 404 for a path it does not serve
    # …/v1/chat/completions/chat/completions starts with /v1/: scripted as that 404
    openai_server.enqueue(status=404, body={"error": {"message": "no route"}})
    base = origin(openai_server) + path
    with pytest.raises(ModelNotFound) as caught:
        make_client(base, tmp_path).stream_chat(MESSAGES, model="m")
    assert str(caught.value) == (
        f"the endpoint at {base} answered HTTP 404 (no such path); "
        f"did you mean {openai_server.url}? (set ASSISTANT_BASE_URL)"
    )


def test_a_404_naming_the_model_is_about_the_model_not_the_path(openai_server, tmp_path):
    openai_server.enqueue(status=404, body={"error": {"message": 'model "nope" not found'}})
    base = origin(openai_server) + "/api"
    with pytest.raises(ModelNotFound, match="has no model 'nope'"):
        make_client(base, tmp_path).stream_chat(MESSAGES, model="nope")


def test_a_redirect_that_ends_in_a_refusal_names_where_it_moved(openai_server, tmp_path):
    # A 301 turns the POST into a GET, which the new address refuses.
    old = origin(openai_server) + "/old/v1"
    openai_server.moved = ("/old/v1", openai_server.url)
    openai_server.moved_query = "?token=SECRET"
    with pytest.raises(EndpointError) as caught:
        make_client(old, tmp_path).stream_chat(MESSAGES, model="m")
    assert str(caught.value) == (
        f"the endpoint at {old} redirects (HTTP 301) to {openai_server.url}, which answered "
        "HTTP 404; set ASSISTANT_BASE_URL to the address it moved to"
    )
    assert "SECRET" not in str(caught.value)  # a token in the address it moved to


@pytest.mark.parametrize(
    ("url", "meant"),
    [
        ("http://h:11434", "http://h:11434/v1"),
        ("http://h:11434/api/", "http://h:11434/v1"),
        ("http://h:8000/v1/chat/completions", "http://h:8000/v1"),
        ("https://api.groq.com/openai", "https://api.groq.com/openai/v1"),
        ("http://u:***@h:1/v1/models", "http://u:***@h:1/v1"),
        ("http://h:8000/v1", None),
        ("https://generativelanguage.googleapis.com/v1beta/openai", None),
    ],
)
def test_suggested_base_url(url, meant):
    assert suggested_base_url(url) == meant


def test_https_to_a_plain_http_server_suggests_http(openai_server, tmp_path):
    https = openai_server.url.replace("http://", "https://")
    with pytest.raises(EndpointUnreachable) as caught:
        make_client(https, tmp_path).stream_chat(MESSAGES, model="m")
    message = str(caught.value)
    assert message.startswith(f"the endpoint at {https} did not complete a TLS handshake (")
    assert message.endswith(f"; did you mean {openai_server.url}?")


@pytest.fixture
def self_signed_server(tmp_path: Path) -> Iterator[OpenAIServer]:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    server = OpenAIServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server._httpd.socket = context.wrap_socket(server._httpd.socket, server_side=True)
    yield server.start()
    server.stop()


def test_a_certificate_that_cannot_be_verified_is_said_so(self_signed_server, tmp_path):
    https = self_signed_server.url.replace("http://", "https://")
    with pytest.raises(EndpointUnreachable) as caught:
        make_client(https, tmp_path).stream_chat(MESSAGES, model="m")
    assert str(caught.value).startswith(
        f"the endpoint at {https} has a certificate that could not be verified ("
    )
    assert "is the server running" not in str(caught.value)
