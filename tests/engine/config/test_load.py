"""Config loading: the example file stays valid, errors name the key path and line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.config.load import parse_config
from engine.core.errors import ConfigError
from tests.support import ROOT


def test_the_example_config_loads_and_sets_every_section():
    config = parse_config((ROOT / "config.example.yaml").read_text(), ROOT / "config.example.yaml")
    assert config.tax.timezone == "America/New_York"
    assert config.lots.method == "fifo"
    assert config.harvest.fee_rate == Decimal("0.001")
    assert config.harvest.wash_sale.window_days == 30
    assert config.prices.stale_after_seconds == 120


def test_every_schema_key_appears_in_the_example():
    from engine.config.schema import SCHEMA, Section

    text = (ROOT / "config.example.yaml").read_text()

    def keys(section: Section, prefix: str = "") -> list[str]:
        found = []
        for name, spec in section.keys.items():
            found.append(name)
            if isinstance(spec, Section):
                found += keys(spec, f"{prefix}{name}.")
        return found

    missing = [k for k in keys(SCHEMA) if f"{k}:" not in text]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lots:\n  methd: fifo\n", "config:2: lots.methd: unknown key (did you mean lots.method?)"),
        (
            "tax:\n  filing_status: married\n",
            "config:2: tax.filing_status: expected one of single, mfj, mfs, hoh; got 'married'",
        ),
        ("tax:\n  state_rate: 2\n", "config:2: tax.state_rate: must be at most 0.5"),
        (
            "harvest:\n  wash_sale:\n    window_days: many\n",
            "config:3: harvest.wash_sale.window_days: expected a whole number, got 'many'",
        ),
        ("tax: [1, 2\n", "config:2:1: YAML syntax error"),
        ("tax:\n  timezone: Mars/Olympus\n", "config:2: tax.timezone: unknown time zone 'Mars/Olympus'"),
    ],
)
def test_bad_values_name_key_and_line(text, message):
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert str(caught.value).startswith(message)


def test_empty_file_means_defaults():
    assert parse_config("").lots.method == "fifo"
    assert parse_config("tax:\n").tax.filing_status == "single"


def test_a_config_holding_keys_must_be_private(tmp_path):
    import os

    from engine.config.load import load_config

    path = tmp_path / "config.yaml"
    path.write_text("accounts:\n  - name: k\n    exchange: kraken\n    ccxt: {apiKey: abc, secret: def}\n")
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        load_config(str(path))
    os.chmod(path, 0o600)
    assert load_config(str(path)).accounts[0].ccxt["apiKey"] == "abc"
    # no credentials in it: any mode is fine
    path.write_text("lots:\n  method: hifo\n")
    os.chmod(path, 0o644)
    assert load_config(str(path)).lots.method == "hifo"
