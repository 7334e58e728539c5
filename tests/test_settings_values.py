"""Settings a new user (or an attacker) might give: each bad one is one line, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paper_files import write_jsonl

from assistant.cli import main
from assistant.errors import ConfigError
from assistant.settings import Settings


@pytest.mark.parametrize(
    "name", ["../../escaped", "a/b", "", "ab", "x\x1b[2Jy", "a..b", "1.2.3.4", "n" * 64, "-x-"]
)
def test_an_unusable_collection_name_is_a_config_error(name: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="collection"):
        Settings.load({"home": tmp_path, "collection": name})


@pytest.mark.parametrize("name", ["papers", "mine", "my-papers_2024.v2", "n" * 63])
def test_usable_collection_names_load(name: str, tmp_path: Path) -> None:
    assert Settings.load({"home": tmp_path, "collection": name}).collection == name


def test_ingest_into_a_path_like_collection_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    papers = tmp_path / "papers.jsonl"
    write_jsonl(papers, [{"title": "T", "abstract": "An abstract about things."}])
    home = tmp_path / "home"
    argv = ["ingest", str(papers), "--home", str(home), "--collection", "../../escaped"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --collection:") and len(err.strip().splitlines()) == 1
    assert not home.exists()
    assert not list(tmp_path.rglob("*escaped*"))


def test_a_bad_collection_name_in_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_COLLECTION", "my/papers")
    assert main(["papers"]) == 1
    assert capsys.readouterr().err.startswith("error: ASSISTANT_COLLECTION: ")


@pytest.mark.parametrize(
    "key", ["sk-\u201cquoted\u201d", "sk-ключ", "sk-a\nb", "sk-a b", "sk-\x01"], ids=repr
)
def test_an_api_key_no_http_header_can_carry_is_a_config_error(
    key: str, openai_server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    monkeypatch.setenv("ASSISTANT_API_KEY", key)
    assert main(["ask", "What is DAE-Talker?"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ASSISTANT_API_KEY: ") and "copy the key again" in err
    assert key not in err and "unexpected" not in err
    assert openai_server.history == []


def test_whitespace_around_an_api_key_is_dropped(
    seeded_home: Path, openai_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", str(seeded_home))
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    monkeypatch.setenv("ASSISTANT_API_KEY", "  sk-pasted-with-a-newline\n")
    openai_server.api_key = "sk-pasted-with-a-newline"
    assert main(["ask", "--json", "What does DAE-Talker use in place of facial landmarks?"]) == 0
    assert openai_server.chat_requests


def test_spaces_pasted_around_a_base_url_are_dropped(tmp_path: Path) -> None:
    settings = Settings.load({"home": tmp_path}, env={"ASSISTANT_BASE_URL": " http://h:1/v1\n"})
    assert settings.base_url == "http://h:1/v1"


def test_a_config_path_that_is_a_folder_is_reported_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path))
    assert main(["history"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path}: cannot be read") and "ASSISTANT_CONFIG" in err


@pytest.mark.parametrize("seconds", ["-1", "nan", "inf"])
def test_a_lock_timeout_that_is_no_wait_is_refused(
    seconds: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    papers = tmp_path / "papers.jsonl"
    write_jsonl(papers, [{"title": "T", "abstract": "An abstract about things."}])
    argv = ["ingest", str(papers), "--collection", "mine", "--lock-timeout", seconds]
    assert main(argv) == 1
    assert capsys.readouterr().err.startswith("error: --lock-timeout must be a number of seconds")
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize(
    ("line", "told"),
    [
        ("k = true", "config.toml:1: setting 'k' has a bad value True: no setting takes true"),
        ("temperature = false", "setting 'temperature' has a bad value False"),
        ('home = ""', "setting 'home' has a bad value '': it is empty; name a folder"),
        ('prompts_dir = " "', "setting 'prompts_dir' has a bad value ' ': it is empty"),
        ("timeout = 1e23", "config.toml:1: timeout must be at most 86400.0, got 1e+23"),
    ],
)
def test_a_config_value_of_the_wrong_kind_is_one_line_naming_its_line(
    line: str, told: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(line + "\n", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    monkeypatch.delenv("ASSISTANT_HOME")  # the file's home is the one read
    monkeypatch.chdir(tmp_path)
    assert main(["search", "diffusion"]) == 1
    (error,) = capsys.readouterr().err.splitlines()
    assert error.startswith("error: ") and told in error
    assert sorted(path.name for path in tmp_path.iterdir()) == ["config.toml"]  # nothing made


def test_an_empty_home_flag_is_refused_not_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["papers", "--home", ""]) == 1
    assert capsys.readouterr().err.startswith("error: --home: setting 'home' has a bad value ''")
    assert not list(tmp_path.iterdir())


def test_a_huge_timeout_in_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("ASSISTANT_TIMEOUT", "99999999999999999999999")
    assert main(["search", "diffusion", "--json"]) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["message"].startswith("ASSISTANT_TIMEOUT: timeout must be at most 86400")


@pytest.mark.parametrize(
    ("config", "told"),
    [
        ("~nosuchuser1234/config.toml", "ASSISTANT_CONFIG: '~nosuchuser1234' names no user"),
        ("c" * 5000, "cannot be read (File name too long)"),
        ("/dev/zero", "/dev/zero: larger than 1 MB, so no config file"),
    ],
    ids=["unknown user", "too long", "endless"],
)
def test_a_config_path_that_cannot_be_a_config_file_is_one_line(
    config: str, told: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    if config == "/dev/zero" and not Path(config).exists():
        pytest.skip("no /dev/zero here")
    monkeypatch.setenv("ASSISTANT_CONFIG", config)
    assert main(["search", "diffusion"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: ") and told in line and "unexpected" not in line


@pytest.mark.parametrize(
    ("variable", "value", "told"),
    [
        ("ASSISTANT_HOME", "h" * 300, "a name in it is longer than 255 bytes; shorten it"),
        (
            "ASSISTANT_PROMPTS_DIR",
            "/tmp/" + "p/" * 2100,
            "it is longer than 4095 bytes; shorten it",
        ),
    ],
    ids=["a long name", "a long path"],
)
def test_a_folder_path_too_long_for_any_file_system_is_one_short_line(
    variable: str, value: str, told: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["ask", "What is DAE-Talker?"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {variable}: ") and line.endswith(told)
    assert len(line) < 250


@pytest.mark.parametrize(
    ("url", "told"),
    [
        ("http://a..b/v1", "host 'a..b' is no valid name"),
        ("http://" + "a" * 64 + ".example/v1", "is no valid name"),
        ("http://exa mple.com/v1", "a URL holds no spaces"),
    ],
    ids=["empty label", "long label", "inner space"],
)
def test_a_base_url_whose_host_cannot_be_looked_up_is_a_config_error(
    url: str, told: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("ASSISTANT_BASE_URL", url)
    assert main(["ask", "What is DAE-Talker?", "--json"]) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["type"] == "ConfigError" and told in error["message"]
    assert error["message"].startswith("ASSISTANT_BASE_URL: setting 'base_url' has a bad value")


@pytest.mark.parametrize("url", ["http://[::1]:8/v1", "http://ünï.example/v1", "http://my_host/v1"])
def test_unusual_but_valid_hosts_load(url: str) -> None:
    assert Settings(base_url=url).base_url == url


@pytest.mark.parametrize("weights", ["=", ",,,", " ; "])
def test_abstention_weights_that_name_no_signal_are_refused(
    weights: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    # They would replace the fitted model with nothing at all, silently.
    monkeypatch.setenv("ASSISTANT_ABSTENTION_WEIGHTS", weights)
    assert main(["ask", "What is DAE-Talker?"]) == 1
    assert capsys.readouterr().err.endswith(
        "it names no signal; write name=number pairs, or leave it out\n"
    )
