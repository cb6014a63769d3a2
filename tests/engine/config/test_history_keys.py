"""The keys of prices for history: exchange ids in order (lower case, as ccxt spells them), the
quotes, a settings mapping per exchange; a bad value names its key and line."""

from __future__ import annotations

import pytest

from engine.config.load import parse_config
from engine.core.errors import ConfigError


def test_sources_are_ccxt_ids_in_order_and_none_by_default():
    assert parse_config("tax: {}\n").prices.history_sources == []
    prices = parse_config(
        "prices:\n  history_sources: [Kraken, coinbase]\n  history_quotes: [usd]\n"
        "  history_ccxt: {Kraken: {timeout: 60000}}\n"
    ).prices
    assert (prices.history_sources, prices.history_quotes) == (["kraken", "coinbase"], ["USD"])
    assert prices.history_ccxt == {"kraken": {"timeout": 60000}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "prices:\n  history_sources: kraken\n",
            "config:2: prices.history_sources: expected a list of exchange ids",
        ),
        (
            "prices:\n  history_sources: [kraken, KRAKEN]\n",
            "config:2: prices.history_sources: an exchange is listed twice",
        ),
        (
            "prices:\n  history_sources: [kraken.com]\n",
            "config:2: prices.history_sources: expected ccxt exchange ids",
        ),
        (
            "prices:\n  history_ccxt: {kraken: 5}\n",
            "config:2: prices.history_ccxt: expected exchange ids, each with a mapping",
        ),
    ],
)
def test_bad_values_name_key_and_line(text: str, message: str):
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert str(caught.value).startswith(message)
