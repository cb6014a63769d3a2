"""The canonical asset table: one coin per code across sources, read the same way by every
importer and the exchange sync; wrapped tokens and migrated coins are not folded in."""

from __future__ import annotations

import pytest

from engine.exchanges.venues.kraken_ledger import asset_code
from engine.imports.kraken import kraken_asset
from engine.imports.kraken_trades import split_pair
from engine.ledger.assets import VARIANTS, canonical_asset, strip_known_affix, wrapped_of


@pytest.mark.parametrize(
    ("code", "venue", "coin"),
    [
        # Kraken's X/Z codes, XBT and XDG
        ("XXBT", "", "BTC"), ("XBT", "", "BTC"), ("XETH", "", "ETH"), ("XXDG", "", "DOGE"), ("XDG", "", "DOGE"),
        ("ZUSD", "", "USD"), ("ZEUR", "", "EUR"), ("xbt", "", "BTC"), (" XLTC ", "", "LTC"),
        # staking, earn, bonded: the coin itself
        ("DOT.S", "", "DOT"), ("DOT28.S", "", "DOT"), ("KSM07.S", "", "KSM"), ("ATOM21.S", "", "ATOM"),
        ("BTC.M", "", "BTC"), ("XBT.M", "", "BTC"), ("ETH.F", "", "ETH"), ("SOL.B", "", "SOL"),
        ("KSM.P", "", "KSM"), ("USD.HOLD", "", "USD"), ("API3.S", "", "API3"), ("C98.S", "", "C98"),
        # pre-merge staked ETH (Kraken's ETH2 and ETH2.S, Coinbase's ETH2)
        ("ETH2", "", "ETH"), ("ETH2.S", "", "ETH"),
        # tickers exchanges used before the coin's own
        ("BCHABC", "", "BCH"), ("BCHSV", "", "BSV"), ("CGLD", "", "CELO"), ("XRB", "", "NANO"),
        # Binance: the LD earn prefix and BCC, there only
        ("LDBTC", "binance", "BTC"), ("LDUSDT", "binance", "USDT"), ("LDDOGE", "binance", "DOGE"),
        ("LDO", "binance", "LDO"), ("BCC", "binance", "BCH"), ("LDBTC", "", "LDBTC"), ("BCC", "", "BCC"),
        # not the coin: wrapped and liquid-staking tokens, migrated coins, plain codes
        ("WBTC", "", "WBTC"), ("STETH", "", "STETH"), ("WETH", "", "WETH"), ("MATIC", "", "MATIC"),
        ("LUNA", "", "LUNA"), ("BTC", "", "BTC"), ("ADA", "", "ADA"),
    ],
)  # fmt: skip
def test_canonical_asset(code, venue, coin):
    assert canonical_asset(code, venue) == coin


CODES = [*VARIANTS, "DOT.S", "DOT28.S", "KSM07.S", "ETH2.S", "XBT.M", "SOL.F", "API3.S", "USD.HOLD", "ADA"]


def test_the_kraken_importer_and_the_kraken_sync_read_codes_through_the_one_table():
    assert [kraken_asset(code) for code in CODES] == [canonical_asset(code) for code in CODES]
    assert [asset_code(code) for code in CODES] == [canonical_asset(code) for code in CODES]
    # the sync once folded only `28` bonding periods and two renames
    assert (asset_code("KSM07.S"), asset_code("XXDG"), asset_code("CGLD")) == ("KSM", "DOGE", "CELO")
    assert split_pair("XXDGZUSD") == ("DOGE", "USD")


def test_wrapped_tokens_are_named_but_kept_apart():
    assert (wrapped_of("WBTC"), wrapped_of("stETH"), wrapped_of("BTC")) == ("BTC", "ETH", None)


@pytest.mark.parametrize(
    ("code", "under"),
    [("LDBTC", "BTC"), ("ADA.S", "ADA"), ("DOT28.S", "DOT"), ("LDO", None), ("BTC", None), ("WBTC", None)],
)
def test_strip_known_affix(code, under):
    assert strip_known_affix(code) == under
