"""Keep the README true: every setting is documented, the two commands are there."""

from pathlib import Path

from huiyi.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table():
    missing = [f"HUIYI_{name.upper()}" for name in Settings.model_fields if f"HUIYI_{name.upper()}" not in README]
    assert not missing, f"document these in README's configuration table: {missing}"


def test_the_two_commands_are_on_the_first_screen():
    first_screen = README[:2500]
    assert "make serve" in first_screen and "make test" in first_screen
