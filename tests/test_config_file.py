"""Writing a key of the config file (the chat app saves its theme so): the file still loads,
with the new value, and everything else in it as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.config_file import set_config_value
from assistant.errors import ConfigError
from assistant.settings import Settings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 'theme = "nord"\n'),
        ("k = 3\n", 'k = 3\ntheme = "nord"\n'),
        (
            "k = 3\n\n[assistant]\nmodel = 'm'\n",
            "k = 3\n\n[assistant]\nmodel = 'm'\ntheme = \"nord\"\n",
        ),
        # Set already, at the top or in a group table: replaced there, never set twice.
        ('theme = "old"\n\n[assistant]\nk = 3\n', 'theme = "nord"\n\n[assistant]\nk = 3\n'),
        (
            '[assistant]\nk = 3\n\n[chat]\ntheme = "old"\n',
            '[assistant]\nk = 3\n\n[chat]\ntheme = "nord"\n',
        ),
    ],
)
def test_the_saved_theme_loads_back_and_the_rest_stays(
    text: str, expected: str, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    set_config_value(config, "theme", "nord")
    assert config.read_text(encoding="utf-8") == expected
    assert Settings.load(env={}, config_file=config).theme == "nord"


def test_a_config_file_that_cannot_be_written_is_one_line_and_kept_whole(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("k = 3\n", encoding="utf-8")
    # Where the new file would be written first stands a folder: the write fails (even for
    # root, whom permissions would not stop), as a full or read-only disk would make it.
    blocker = tmp_path / f".config.toml.{os.getpid()}.tmp"
    blocker.mkdir()

    with pytest.raises(ConfigError) as raised:
        set_config_value(config, "theme", "nord")

    message = str(raised.value)
    assert message.startswith(f"{config}: cannot save theme (is a directory)")
    assert "Errno" not in message and "\n" not in message
    assert config.read_text(encoding="utf-8") == "k = 3\n"  # the settings as they were
