"""Config loading: the example file stays valid, errors name the key path and line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.config.load import AccountConfig, Config, parse_config
from engine.core.errors import ConfigError
from tests.support import ROOT


def test_the_example_config_loads_and_sets_every_section():
    config = parse_config((ROOT / "config.example.yaml").read_text(), ROOT / "config.example.yaml")
    assert config.tax.timezone == "America/New_York"
    assert config.lots.method == "fifo"
    assert config.harvest.fee_rate == Decimal("0.001")
    assert config.harvest.wash_sale.window_days == 30
    assert config.prices.stale_after_seconds == 120


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lots:\n  methd: fifo\n", "config:2: lots.methd: unknown key (did you mean lots.method?)"),
        (
            "tax:\n  other_capital_gains:\n    shortterm: 1\n",
            "config:3: tax.other_capital_gains.shortterm: unknown key "
            "(did you mean tax.other_capital_gains.short_term?)",
        ),
        (
            "accounts:\n  - name: k\n    exchange: kraken\n    api_keyenv: K\n",
            "config:4: accounts[0].api_keyenv: unknown key (did you mean accounts[0].api_key_env?)",
        ),
        ("accounts:\n  - name: k\n", "config:2: accounts[0].exchange: required"),
        (
            "tax:\n  carryforward:\n    long_term: -1\n",
            "config:3: tax.carryforward.long_term: must be at least 0",
        ),
        ("other_short_term: 1\n", "config:1: other_short_term: unknown key"),
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
        ("prices:\n  poll_seconds: 10000000000\n", "config:2: prices.poll_seconds: must be at most 86400"),
        (
            "watch:\n  sync_minutes: 1e10\n",
            "config:2: watch.sync_minutes: expected a whole number, got '1e10'",
        ),
        (
            "tax:\n  ordinary_taxable_income: 1e30\n",
            "config:2: tax.ordinary_taxable_income: must be at most 1000000000000000",
        ),
        (
            "tax:\n  other_capital_gains: {short_term: -1e16}\n",
            "config:2: tax.other_capital_gains.short_term: must be at least -1000000000000000",
        ),
        ("tax: " + "[" * 5000 + "\n", "config: YAML nested too deeply"),
        ('tax:\n  timezone: "a\0b"\n', "config: not a YAML text: unacceptable character #x0000"),
        (
            "alerts:\n  sinks: [{type: webhook, url: 'file:///etc/passwd'}]\n",
            "config:2: alerts.sinks: [0]: url must be an http:// or https:// address with a host",
        ),
        (
            "alerts:\n  sinks: [{type: webhook, url: 'https:///hooks/T0KEN'}]\n",
            "config:2: alerts.sinks: [0]: url must be an http:// or https:// address with a host",
        ),
    ],
)
def test_bad_values_name_key_and_line(text, message):
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert str(caught.value).startswith(message)


def test_a_refused_webhook_url_is_not_echoed():
    with pytest.raises(ConfigError) as caught:
        parse_config("alerts:\n  sinks: [{type: webhook, url: 'ftp://hooks.example/T0KEN'}]\n")
    assert "T0KEN" not in str(caught.value)


def test_empty_file_means_defaults():
    assert parse_config("").lots.method == "fifo"
    assert parse_config("tax:\n").tax.filing_status == "single"


def test_missing_keys_take_the_declared_defaults():
    config = parse_config("tax:\n  other_capital_gains:\nharvest:\n  wash_sale:\nalerts:\naccounts:\n")
    assert config == Config()
    assert config.prices.stale_after_seconds == 120
    assert config.harvest.fee_rate == Decimal("0.001")
    assert config.harvest.wash_sale.window_days == 30
    assert config.tax.other_short_term == Decimal(0)
    assert config.tax.magi is None
    assert config.alerts.deadline_days == [30, 14, 7, 3, 1]
    assert config.alerts.sinks == [{"type": "stdout"}]
    assert config.accounts == []
    # list defaults are fresh per config, not one shared list
    assert config.alerts.sinks is not parse_config("").alerts.sinks


def test_grouped_yaml_keys_land_on_their_attributes():
    config = parse_config(
        "tax:\n  other_capital_gains: {short_term: -5, long_term: 7}\n  carryforward:\n    short_term: 3\n"
    )
    assert (config.tax.other_short_term, config.tax.other_long_term) == (Decimal(-5), Decimal(7))
    assert (config.tax.carryforward_short_term, config.tax.carryforward_long_term) == (Decimal(3), Decimal(0))


def test_accounts_build_with_their_defaults_and_names_are_unique():
    config = parse_config("accounts:\n  - {name: kr, exchange: kraken, quote_as_usd: [usd, usdt]}\n")
    (account,) = config.accounts
    assert account == AccountConfig(name="kr", exchange="kraken", quote_as_usd=["USD", "USDT"])
    assert account.form_8949_box == "not_reported"
    with pytest.raises(ConfigError, match="the account name 'kr' is used twice"):
        parse_config("accounts:\n  - {name: kr, exchange: kraken}\n  - {name: kr, exchange: kraken}\n")


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
