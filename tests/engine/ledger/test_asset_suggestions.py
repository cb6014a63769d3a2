"""Suggested aliases and migrations: what the ledger holds that looks like another asset."""

from __future__ import annotations

from engine.core import fixedpoint as fp
from engine.ledger.asset_suggestions import suggested_aliases
from engine.ledger.decisions import MIGRATION, Decision
from engine.ledger.events import Event
from engine.ledger.identity import apply_identity, identity_from
from engine.ledger.legs import build_ledger

DAY = 86_400_000_000
T0 = 1_725_408_000_000_000  # 2024-09-04T00:00:00Z


def buy(account: str, asset: str, day: float, qty: str = "1", ref: str | None = None) -> Event:
    return Event(account, asset, "buy", T0 + int(day * DAY), fp.parse(qty), fp.parse("1"), 0, trade_id=ref)


def sell(account: str, asset: str, day: float, qty: str, ref: str) -> Event:
    return Event(account, asset, "sell", T0 + int(day * DAY), fp.parse(qty), fp.parse("1"), 0, trade_id=ref)


def test_known_codes_earn_and_staking_codes_and_renamed_tickers_are_suggested_wrapped_ones_never():
    events = [
        buy("k", code, 0) for code in ("BTC", "XBT", "DOT.S", "LDBTC", "LDO", "WBTC", "CGLD", "LUNA", "ADA")
    ]
    events.append(buy("k", "LDETH", 0))  # no ETH in the ledger: not suggested from the prefix alone
    found = {(s.code, s.asset, s.kind, s.command) for s in suggested_aliases(build_ledger(events))}
    assert found == {
        ("XBT", "BTC", "alias", "harvest assets alias XBT BTC"),
        ("DOT.S", "DOT", "alias", "harvest assets alias DOT.S DOT"),
        ("LDBTC", "BTC", "alias", "harvest assets alias LDBTC BTC"),
        ("CGLD", "CELO", "alias", "harvest assets alias CGLD CELO"),
        ("LUNA", "LUNC", "alias", "harvest assets alias LUNA LUNC"),
    }


def test_the_exchanges_own_pair_of_records_is_suggested_as_the_migration():
    events = [
        buy("coinbase", "MATIC", -400, "1000", "B1"),
        sell("coinbase", "MATIC", 0.4, "1000", "S1"),
        buy("other", "POL", 0.5, "1000", "X"),  # another account: not the exchange's pair
        buy("coinbase", "POL", 0.5, "999.5", "B2"),  # within 1% of 1000 x 1
        buy("wallet", "LEND", -900, "100", "L1"),  # no AAVE arrived: the migration at its date
    ]
    suggestions = suggested_aliases(build_ledger(events))
    assert [(s.code, s.asset, s.kind, s.command) for s in suggestions] == [
        ("MATIC", "POL", MIGRATION, "harvest assets migrate MATIC POL --out S1 --in B2"),
        ("LEND", "AAVE", MIGRATION, "harvest assets migrate LEND AAVE --ratio 0.01 --at 2020-10-02"),
    ]
    assert "a sale of 1000 MATIC (S1) and a buy of 999.5 POL (B2)" in suggestions[0].why


def test_nothing_is_suggested_for_what_the_user_decided():
    events = [buy("k", "XBT", 0), buy("k", "MATIC", 0)]
    decisions = [
        Decision(1, "alias", "XBT", {"asset": "BTC"}, "", 0),
        Decision(2, MIGRATION, "MATIC>POL", {"ratio": "1", "at": T0 + DAY}, "", 0),
    ]
    identity = identity_from(decisions, {})
    assert suggested_aliases(apply_identity(build_ledger(events), identity), identity) == []


def test_a_convert_of_the_old_asset_to_the_new_is_suggested_as_the_migration():
    convert = Event("coinbase", "MATIC", "sell", T0, fp.parse("1000"), fp.parse("1"), 0, quote="POL",
                    price_usd=fp.parse("0.38"), trade_id="C1")  # fmt: skip
    (suggestion,) = suggested_aliases(build_ledger([buy("coinbase", "MATIC", -400, "1000", "B1"), convert]))
    assert suggestion.command == "harvest assets migrate MATIC POL --convert C1"
    assert "a trade of 1000 MATIC for 1000 POL (C1)" in suggestion.why
