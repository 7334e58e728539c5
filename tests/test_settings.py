"""Settings: flags over environment over the TOML file over defaults; secrets stay hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.settings import Secret, Settings


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
