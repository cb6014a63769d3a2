"""Kraken ledger entries to events (engine/exchanges/venues/kraken_ledger.py), entry by entry:
staking codes folded into their asset, what is internal, what is rejected by name, and the two
halves of an instant buy paired across pages or held until a later pass finds both."""

from __future__ import annotations

from typing import Any

from engine.core import fixedpoint as fp
from engine.exchanges.venues.kraken import first_lone_half
from engine.exchanges.venues.kraken_ledger import LedgerConverter, asset_code

T0 = 1_767_225_600_000


def entry(ident: str, kind: str, code: str, amount: str, *, subtype: str = "", refid: str = "R1",
          fee: str = "0", ms: int = T0) -> dict[str, Any]:  # fmt: skip
    """A ledger entry as ccxt's fetch_ledger gives it (the raw entry in `info`)."""
    info = {"id": ident, "refid": refid, "type": kind, "subtype": subtype, "amount": amount, "fee": fee,
            "time": ms / 1000}  # fmt: skip
    return {"id": ident, "currency": code, "timestamp": ms, "info": info}


def converter() -> LedgerConverter:
    return LedgerConverter("kraken", frozenset({"USD"}))


def test_staking_variants_fold_into_their_asset():
    assert [asset_code(c) for c in ("DOT.S", "DOT28.S", "BTC.M", "ETH2.S", "ETH2", "SOL.F", "API3.S", "BTC")] == [
        "DOT", "DOT", "BTC", "ETH", "ETH", "SOL", "API3", "BTC",
    ]  # fmt: skip


def test_internal_moves_and_trades_are_nothing_and_unknown_types_are_named():
    convert = converter()
    page = [
        entry("L1", "trade", "BTC", "0.1", refid="TXID1"),  # TradesHistory has it
        entry("L2", "earn", "DOT", "-5", subtype="allocation"),
        entry("L3", "earn", "DOT.S", "5", subtype="allocation"),
        entry("L4", "transfer", "ETH", "-1", subtype="spottostaking", refid="R2"),
        entry("L5", "transfer", "ETH2.S", "1", subtype="stakingfromspot", refid="R2"),
        entry("L6", "deposit", "USD", "100", refid="FTcash"),  # fiat: not a lot
        entry("L7", "margin", "BTC", "-0.01", refid="R3", ms=T0 + 5000),
        entry("L8", "transfer", "BCH", "1", subtype="", refid="R4", ms=T0 + 9000),  # an airdrop
    ]
    events, held = convert.convert(page, last_page=True)
    assert events == []
    assert convert.rejected == [
        "kraken ledger L7 (margin): this type is not synced; import Kraken's ledgers export for it",
        "kraken ledger L8 (transfer): this type is not synced; import Kraken's ledgers export for it",
    ]
    assert held == T0 + 5000 - 1  # read again from below the oldest rejected entry


def test_rewards_are_income_without_a_price_and_transfers_keep_their_fee():
    events, held = converter().convert(
        [
            entry("L1", "staking", "DOT.S", "0.25"),
            entry("L2", "earn", "BTC.M", "0.0001", subtype="reward"),
            entry("L3", "withdrawal", "BTC", "-0.5", fee="0.0002", refid="FTwd"),
        ],
        last_page=True,
    )
    assert held is None
    (dot, btc, out) = events
    assert (dot.side, dot.asset, dot.quantity, dot.price, dot.trade_id) == (
        "income",
        "DOT",
        fp.parse("0.25"),
        None,
        "ledger:L1",
    )
    assert (btc.side, btc.asset) == ("income", "BTC")
    assert (out.side, out.quantity, out.fee, out.fee_asset, out.trade_id) == (
        "transfer_out", fp.parse("0.5"), fp.parse("0.0002"), "BTC", "withdrawal:FTwd"
    )  # fmt: skip


def test_instant_buy_halves_pair_across_pages_and_a_lone_half_is_held_at_the_end():
    convert = converter()
    first, held = convert.convert([entry("L2", "receive", "BTC", "0.001", refid="RI1")], last_page=False)
    assert (first, held) == ([], None)  # waits for its other half
    (buy,), held = convert.convert(
        [entry("L1", "spend", "USD", "-60", fee="0.9", refid="RI1"),
         entry("L9", "spend", "ETH", "-1", refid="RI2", ms=T0 - 7000)],
        last_page=True,
    )  # fmt: skip
    assert (buy.side, buy.asset, buy.quote, buy.quantity, buy.price, buy.fee, buy.trade_id) == (
        "buy", "BTC", "USD", fp.parse("0.001"), fp.parse("60000"), fp.parse("0.9"), "RI1"
    )  # fmt: skip
    assert held == T0 - 7000 - 1  # RI2's receive is not in this pass: read again from below it


def test_a_page_is_cut_before_a_half_whose_other_half_is_on_the_next_page():
    page = [
        entry("L5", "staking", "DOT.S", "1", refid="R5", ms=T0 + 3),
        entry("L4", "receive", "ETH", "1", refid="RI4", ms=T0 + 2),
        entry("L3", "spend", "USD", "-3000", refid="RI4", ms=T0 + 2),
        entry("L2", "receive", "BTC", "1", refid="RI2", ms=T0 + 1),  # its spend is on the next page
    ]
    assert first_lone_half(page, set()) == 3
    assert first_lone_half(page, {"RI2"}) is None  # its other half was on the page before
