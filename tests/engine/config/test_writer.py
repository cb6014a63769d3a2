"""Saving the tax profile (and the theme) keeps the user's comments and refuses invalid values untouched."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.config.writer import save_tax_profile, save_ui_theme
from engine.core.errors import ConfigError

ORIGINAL = """# my harvest config
tax:
  timezone: America/Chicago   # where I live
  filing_status: single
  # wages after deductions
  ordinary_taxable_income: 90000
lots:
  method: hifo  # keep
"""


def test_comments_survive_and_values_change(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(ORIGINAL)
    config = save_tax_profile(
        path,
        {
            "ordinary_taxable_income": Decimal("120000"),
            "carryforward.short_term": Decimal("2500.5"),
            "filing_status": "mfj",
        },
    )
    text = path.read_text()
    assert "# my harvest config" in text
    assert "# where I live" in text
    assert "# wages after deductions" in text
    assert "method: hifo  # keep" in text
    assert "ordinary_taxable_income: 120000" in text
    assert config.tax.carryforward_short_term == Decimal("2500.5")
    assert config.tax.filing_status == "mfj"
    assert config.lots.method == "hifo"


def test_an_invalid_value_leaves_the_file_alone(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(ORIGINAL)
    with pytest.raises(ConfigError, match="tax.filing_status"):
        save_tax_profile(path, {"filing_status": "married"})
    assert path.read_text() == ORIGINAL


def test_a_missing_file_is_created_private(tmp_path):
    path = tmp_path / "new" / "config.yaml"
    save_tax_profile(path, {"state_rate": Decimal("0.05")})
    assert "state_rate: 0.05" in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_symlinked_config_is_edited_where_it_lives(tmp_path):
    target = tmp_path / "dotfiles" / "harvest.yaml"
    target.parent.mkdir()
    target.write_text(ORIGINAL)
    link = tmp_path / "config.yaml"
    link.symlink_to(target)
    save_tax_profile(link, {"ordinary_taxable_income": Decimal("95000")})
    assert link.is_symlink()
    assert "ordinary_taxable_income: 95000" in target.read_text()


def test_decimals_are_written_digit_for_digit_never_through_float(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(ORIGINAL)
    exact = Decimal("1234567890123.123456789")  # a float keeps ~16 significant digits
    config = save_tax_profile(
        path, {"other_capital_gains.short_term": exact, "state_rate": Decimal("0.0725")}
    )
    assert config.tax.other_short_term == exact
    assert config.tax.state_rate == Decimal("0.0725")
    assert "short_term: 1234567890123.123456789" in path.read_text()


def test_the_theme_is_one_key_under_ui_and_the_rest_stays(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(ORIGINAL + "ui:\n  theme: textual-dark  # the default\n  keymap: {quit: ctrl+q}\n")
    config = save_ui_theme(path, "solarized-light")
    text = path.read_text()
    assert text.startswith(ORIGINAL)
    assert "ui:\n  theme: solarized-light" in text
    assert "# the default\n  keymap: {quit: ctrl+q}\n" in text
    assert config.ui.theme == "solarized-light"
    assert config.ui.keymap == {"quit": "ctrl+q"}
    save_ui_theme(path, "nord")
    assert path.read_text().count("theme:") == 1
