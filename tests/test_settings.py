"""Settings: flags over environment over the TOML file over defaults; secrets stay hidden."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.errors import ConfigError
from assistant.settings import (
    AnswerSettings,
    EndpointSettings,
    RetrievalSettings,
    Secret,
    Settings,
)


def test_precedence_flags_env_file_defaults(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('model = "from-file"\nk = 7\nbase_url = "http://file:1/v1"\n')
    env = {"ASSISTANT_MODEL": "from-env", "ASSISTANT_BASE_URL": "http://env:2/v1"}
    settings = Settings.load({"model": "from-flag", "base_url": None}, env=env, config_file=config)
    assert settings.model == "from-flag"  # flag beats env
    assert settings.base_url == "http://env:2/v1"  # env beats file (an unset flag is no override)
    assert settings.k == 7  # file beats default
    assert settings.temperature == Settings().temperature
    assert settings.config_file == config


def test_openai_variables_are_fallbacks(tmp_path: Path) -> None:
    env = {"OPENAI_API_KEY": "sk-fallback", "OPENAI_BASE_URL": "http://openai:3/v1"}
    settings = Settings.load(env=env, config_file=tmp_path / "none.toml")
    assert settings.endpoint_url == "http://openai:3/v1" and settings.mode == "llm"
    mine = Settings.load(
        env={**env, "ASSISTANT_BASE_URL": "http://mine:4/v1"}, config_file=tmp_path / "x"
    )
    assert mine.endpoint_url == "http://mine:4/v1"


def test_no_endpoint_means_offline_extractive(tmp_path: Path) -> None:
    settings = Settings.load(env={}, config_file=tmp_path / "none.toml")
    assert settings.mode == "extractive" and settings.endpoint_url is None


def test_secret_never_shows(tmp_path: Path) -> None:
    settings = Settings.load(
        {"api_key": "sk-very-secret"}, env={}, config_file=tmp_path / "none.toml"
    )
    assert isinstance(settings.api_key, Secret) and settings.api_key.reveal() == "sk-very-secret"
    for text in (repr(settings), str(settings), str(settings.redacted())):
        assert "sk-very-secret" not in text
    assert settings.redacted()["api_key"] == "*** (set)"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"k": "many"}, r"setting 'k' has a bad value 'many'"),
        ({"k": 0}, r"k must be at least 1"),
        ({"chunk_tokens": 100, "chunk_overlap": 60}, r"overlap below half"),
        ({"embedder": "word2vec"}, r"embedder must be 'minilm' or 'openai'"),
        ({"colour": "blue"}, r"unknown setting 'colour'"),
    ],
)
def test_bad_values_are_one_clear_error(
    tmp_path: Path, values: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.load(values, env={}, config_file=tmp_path / "none.toml")


def test_broken_toml_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("model = \n")
    with pytest.raises(ConfigError, match=rf"{config}: not a readable TOML file"):
        Settings.load(env={}, config_file=config)


NO_FILE = Path("/nonexistent/config.toml")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ASSISTANT_TIMEOUT", "-5", r"^ASSISTANT_TIMEOUT: timeout must be greater than 0"),
        ("ASSISTANT_TIMEOUT", "0", r"^ASSISTANT_TIMEOUT: timeout must be greater than 0"),
        ("ASSISTANT_TIMEOUT", "nan", r"^ASSISTANT_TIMEOUT: timeout must be a finite number"),
        ("ASSISTANT_TIMEOUT", "inf", r"^ASSISTANT_TIMEOUT: timeout must be a finite number"),
        ("ASSISTANT_TEMPERATURE", "nan", r"^ASSISTANT_TEMPERATURE: temperature must be a finite"),
        ("ASSISTANT_TEMPERATURE", "2.5", r"^ASSISTANT_TEMPERATURE: temperature must be at most 2"),
        ("ASSISTANT_TEMPERATURE", "-0.1", r"temperature must be at least 0"),
        ("ASSISTANT_MAX_TOKENS", "0", r"^ASSISTANT_MAX_TOKENS: max_tokens must be at least 1"),
        ("ASSISTANT_MAX_TOKENS", "-1", r"max_tokens must be at least 1"),
        ("ASSISTANT_MAX_RETRIES", "-1", r"^ASSISTANT_MAX_RETRIES: max_retries must be at least 0"),
        ("ASSISTANT_K", "0", r"^ASSISTANT_K: k must be at least 1"),
        ("ASSISTANT_K", "101", r"^ASSISTANT_K: k must be at most 100"),
        ("ASSISTANT_CONTEXT_WINDOW", "100", r"context_window must be at least 256"),
        ("ASSISTANT_BASE_URL", "http://127.0.0.1:abc/v1", r"^ASSISTANT_BASE_URL: .*not a valid"),
        ("ASSISTANT_BASE_URL", "http://[::1", r"^ASSISTANT_BASE_URL: .*not a valid URL"),
        ("ASSISTANT_BASE_URL", "http://h:70000/v1", r"not a valid URL"),
        ("ASSISTANT_BASE_URL", "http://h:0/v1", r"port 0 is not within 1–65535"),
        ("ASSISTANT_BASE_URL", "ftp://h/v1", r"use an http:// or https:// URL"),
        ("ASSISTANT_BASE_URL", "http:///v1", r"the URL names no host"),
        ("ASSISTANT_CHROMA_URL", "http://127.0.0.1:abc", r"^ASSISTANT_CHROMA_URL: .*chroma_url"),
        ("ASSISTANT_CHROMA_URL", "http://[::1", r"^ASSISTANT_CHROMA_URL: "),
        ("ASSISTANT_EMBEDDING_BASE_URL", "localhost:11434", r"embedding_base_url"),
        ("OPENAI_BASE_URL", "http://[::1", r"^OPENAI_BASE_URL: "),
        ("ASSISTANT_DENSE_WEIGHT", "1.5", r"dense_weight must be at most 1"),
    ],
)
def test_environment_values_are_checked_and_the_variable_named(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        Settings.load(env={variable: value}, config_file=NO_FILE)
    assert "\n" not in str(raised.value)


def test_a_flag_is_named_as_the_flag() -> None:
    with pytest.raises(ConfigError, match=r"^--timeout: timeout must be greater than 0"):
        Settings.load({"timeout": -1}, env={}, config_file=NO_FILE, from_flags=True)


def test_a_python_override_is_named_as_the_override_not_as_a_flag() -> None:
    with pytest.raises(ConfigError, match=r"^overrides\['kk'\]: unknown setting 'kk'; did you"):
        Settings.load({"kk": 3}, env={}, config_file=NO_FILE)


def test_overrides_that_are_not_a_mapping_are_one_line() -> None:
    with pytest.raises(ConfigError, match=r"takes a mapping .* not a list$"):
        Settings.load([("k", 3)], env={}, config_file=NO_FILE)  # type: ignore[arg-type]


def test_a_file_value_is_named_by_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('model = "m"\n\n[endpoint]\nmax_tokens = 10\ntimeout = -2\n')
    with pytest.raises(ConfigError, match=rf"^{config}:5: timeout must be greater than 0"):
        Settings.load(env={}, config_file=config)


def test_an_unknown_key_in_a_file_names_its_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[assistant]\nk = 3\ncolour = "blue"\n')
    with pytest.raises(ConfigError, match=rf"^{config}:3: unknown setting 'colour'"):
        Settings.load(env={}, config_file=config)


@pytest.mark.parametrize(
    ("text", "lines"),
    [("k = 3\n[retrieval]\nk = 4\n", (1, 3)), ("[assistant]\nk = 3\n[retrieval]\nk = 4\n", (2, 4))],
)
def test_a_setting_in_two_tables_of_a_file_is_refused(
    text: str, lines: tuple[int, int], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    first, second = lines
    told = rf"^{config}:{first} and {config}:{second}: k is set twice; keep one of them$"
    with pytest.raises(ConfigError, match=told):
        Settings.load(env={}, config_file=config)


def test_a_config_file_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b"\xef\xbb\xbfk = 3\r\nmodel = 'm'\r\n")  # as Notepad may save it
    settings = Settings.load(env={}, config_file=config)
    assert (settings.k, settings.model) == (3, "m")


def test_choices_are_read_in_any_case() -> None:
    env = {"ASSISTANT_EMBEDDER": "MiniLM", "ASSISTANT_FUSION": " RRF "}
    settings = Settings.load(env=env, config_file=NO_FILE)
    assert (settings.embedder, settings.fusion) == ("minilm", "rrf")
    with pytest.raises(ConfigError, match="embedder must be 'minilm' or 'openai', got 'bert'"):
        Settings.load(env={"ASSISTANT_EMBEDDER": "BERT"}, config_file=NO_FILE)


def test_group_tables_and_flat_keys_mix(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'model = "flat"\n[retrieval]\nk = 9\ndense_weight = 0.5\n'
        "[answer]\nabstention_threshold = 0.3\n"
        '[endpoint]\ntimeout = 5\n[chat]\ntheme = "nord"\n'
    )
    settings = Settings.load(env={}, config_file=config)
    assert (settings.model, settings.k, settings.dense_weight) == ("flat", 9, 0.5)
    assert (settings.abstention_threshold, settings.timeout, settings.theme) == (0.3, 5.0, "nord")


def test_a_binary_config_file_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    with pytest.raises(ConfigError, match=rf"^{config}: not a UTF-8 text") as raised:
        Settings.load(env={}, config_file=config)
    assert "\n" not in str(raised.value)


def test_credentials_in_urls_are_masked_in_errors_and_redacted() -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.load(env={"ASSISTANT_BASE_URL": "http://me:hunter2@[::1"}, config_file=NO_FILE)
    assert "hunter2" not in str(raised.value) and "me:***@" in str(raised.value)
    settings = Settings(chroma_url="http://me:hunter2@db:8000", base_url="http://u:pw@h:1/v1")
    shown = settings.redacted()
    assert shown["chroma_url"] == "http://me:***@db:8000" and "pw" not in shown["base_url"]
    assert "hunter2" not in repr(settings)


def test_a_password_holding_at_signs_and_a_key_in_the_query_are_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from assistant.cli import main

    # Typed without percent-encoding: the host is what follows the last "@".
    url = "http://me:p@ss@w0rd@127.0.0.1:9/v1?key=SECRETKEY&api-version=1"
    assert Settings(base_url=url).redacted()["base_url"] == (
        "http://me:***@127.0.0.1:9/v1?key=***&api-version=1"
    )
    assert main(["doctor", "--base-url", url]) == 1
    shown = capsys.readouterr()
    assert "me:***@127.0.0.1:9" in shown.out
    for secret in ("ss@", "w0rd", "SECRETKEY"):
        assert secret not in shown.out + shown.err


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(ConfigError, match=r"^settings: temperature must be at most 2"):
        Settings(temperature=3)


def test_settings_are_frozen_and_replace_checks() -> None:
    settings = Settings(k=4)
    with pytest.raises(ValidationError):
        settings.k = 5  # type: ignore[misc]
    assert settings.replace(k=6).k == 6 and settings.k == 4
    with pytest.raises(ConfigError, match="k must be at most 100"):
        settings.replace(k=500)


def test_tuning_constants_are_documented_settings() -> None:
    for name in (
        "dense_weight",
        "abstention_weights",
        "abstention_threshold",
        "abstention_model_threshold",
        "several_papers_k",
        "extractive_quotes_per_compared_paper",
        "extractive_echo_penalty",
        "extractive_max_sentences",
        "extractive_mmr_lambda",
        "full_abstract_max_tokens",
        "condense_max_tokens",
        "prompts_dir",
        "theme",
    ):
        assert Settings.model_fields[name].description, name


def test_groups_take_only_their_fields() -> None:
    retrieval = {"fusion", "dense_weight", "k", "several_papers_k", "exact_search_max_chunks"}
    assert set(RetrievalSettings.model_fields) == retrieval
    assert "timeout" in EndpointSettings.model_fields and "k" not in AnswerSettings.model_fields
    assert isinstance(Settings(), RetrievalSettings)


@pytest.mark.parametrize("name", ["home", "prompts_dir"])
def test_a_path_starting_with_an_unknown_user_is_a_config_error(name: str) -> None:
    with pytest.raises(ConfigError, match="'~nosuchuser0' names no user of this machine"):
        Settings.load({name: "~nosuchuser0/data"})
