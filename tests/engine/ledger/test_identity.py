"""The user's asset identity applied to the ledger: an alias makes two codes one pool, a
migration (at a time with a ratio, or from the exchange's own pair of records) moves lots to the
new asset with their basis and dates — no sale, no fake loss. Figures are checked by hand."""

from __future__ import annotations

import dataclasses

from engine.core import fixedpoint as fp
from engine.ledger.decisions import ALIAS, MIGRATION, Decision
from engine.ledger.events import Event
from engine.ledger.identity import Record, apply_identity, identity_from
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots
from engine.ledger.records import LotResult

DAY = 86_400_000_000
T0 = 1_685_631_600_000_000  # 2023-06-01T15:00:00Z
MIGRATED = T0 + 461 * DAY  # 2024-09-04T15:00:00Z


def d(text: str) -> int:
    return fp.parse(text)


def trade(account: str, asset: str, side: str, day: int, qty: str, price: str, ref: str) -> Event:
    return Event(account, asset, side, T0 + day * DAY, d(qty), d(price), 0, trade_id=ref)


def alias(decision_id: int, code: str, asset: str) -> Decision:
    return Decision(decision_id, ALIAS, code, {"asset": asset}, "", 0)


def migrate_at(decision_id: int, old: str, new: str, ratio: str, at: int, accounts=()) -> Decision:  # noqa: ANN001
    detail = {"ratio": ratio, "at": at, **({"accounts": list(accounts)} if accounts else {})}
    return Decision(decision_id, MIGRATION, f"{old}>{new}", detail, "", 0)


def run(
    events: list[Event], decisions: list[Decision], records=None, method="fifo", universal=False
) -> LotResult:  # noqa: ANN001
    ledger = apply_identity(build_ledger(events), identity_from(decisions, records or {}))
    return match_lots(ledger, method, universal)


def realized(result: LotResult) -> list[tuple[str, str, str, str, str, str, str, str]]:
    return [(r.asset, r.lot_id, r.sale_id, fp.fmt(r.quantity, 0), fp.fmt(r.proceeds), fp.fmt(r.cost_basis),
             fp.fmt(r.gain), r.term) for r in result.realized]  # fmt: skip


def test_an_alias_makes_two_codes_one_pool_fifo_across_both():
    events = [
        trade("w", "XBT", "buy", 0, "1", "20000", "A"),  # the older lot, under Kraken's code
        trade("w", "BTC", "buy", 10, "1", "30000", "B"),
        trade("w", "BTC", "sell", 400, "1.5", "50000", "S"),
    ]
    # apart: BTC's pool has 1 and the sale of 1.5 is half missing history
    apart = run(events, [])
    assert [(s.asset, fp.fmt(s.quantity, 0)) for s in apart.shortfalls] == [("BTC", "0.5")]
    merged = run(events, [alias(1, "XBT", "BTC")])
    assert merged.shortfalls == []
    # FIFO: all of A (1 BTC, basis 20,000, proceeds 50,000) then half of B (basis 15,000, proceeds 25,000)
    assert realized(merged) == [
        ("BTC", "A", "S", "1", "50000.00", "20000.00", "30000.00", "long"),
        ("BTC", "B", "S", "0.5", "25000.00", "15000.00", "10000.00", "long"),
    ]


def test_an_alias_pairs_a_transfer_sent_under_one_code_and_received_under_another():
    events = [
        trade("kraken", "XDG", "buy", 0, "1000", "0.10", "K1"),
        Event("kraken", "XDG", "transfer_out", T0 + 5 * DAY, d("1000"), None, 0, trade_id="W1"),
        Event(
            "coinbase", "DOGE", "transfer_in", T0 + 5 * DAY + 3_600_000_000, d("1000"), None, 0, trade_id="D1"
        ),
        trade("coinbase", "DOGE", "sell", 30, "1000", "0.08", "S1"),
    ]
    assert realized(run(events, [])) == []  # unpaired: the deposit has unknown basis
    assert realized(run(events, [alias(1, "XDG", "DOGE")])) == [
        ("DOGE", "K1", "S1", "1000", "80.00", "100.00", "-20.00", "short")
    ]


def test_chained_aliases_resolve_and_a_cycle_stops():
    identity = identity_from([alias(1, "XXDG", "XDG"), alias(2, "XDG", "DOGE"), alias(3, "A", "B"),
                              alias(4, "B", "A")], {})  # fmt: skip
    assert identity.canonical("XXDG") == "DOGE"
    assert identity.canonical("A") == "B"
    # the latest alias of a code is the one in force
    assert identity_from([alias(1, "X", "Y"), alias(2, "X", "Z")], {}).canonical("X") == "Z"


def test_a_migration_at_one_to_one_carries_basis_and_the_purchase_date():
    events = [
        trade("coinbase", "MATIC", "buy", 0, "1000", "0.80", "B1"),  # 2023-06-01, basis 800
        trade("coinbase", "POL", "sell", 488, "400", "0.40", "S2"),  # 2024-10-01
    ]
    result = run(events, [migrate_at(1, "MATIC", "POL", "1", MIGRATED)])
    # 400 of the 1000: basis 320, proceeds 160; long-term from the MATIC purchase (2023-06-01),
    # though the POL is less than a month old
    assert realized(result) == [("POL", "B1", "S2", "400", "160.00", "320.00", "-160.00", "long")]
    (lot,) = result.open_lots
    assert (lot.asset, lot.lot_id, lot.quantity, lot.basis, lot.acquired) == (
        "POL",
        "B1",
        d("600"),
        d("480"),
        T0,
    )
    assert not any("MATIC" in w for w in result.warnings)


def test_a_migration_at_a_ratio_scales_quantities_and_keeps_the_basis():
    events = [
        trade("w", "LEND", "buy", 0, "6000", "0.01", "L1"),  # basis 60
        trade("w", "LEND", "buy", 100, "4000", "0.02", "L2"),  # basis 80
        trade("w", "AAVE", "sell", 400, "70", "100", "S"),
    ]
    result = run(events, [migrate_at(1, "LEND", "AAVE", "0.01", T0 + 200 * DAY)])
    # 10,000 LEND -> 100 AAVE: L1 is 60 AAVE (basis 60), L2 40 AAVE (basis 80). The sale of 70
    # takes L1 (proceeds 6,000, long from day 0) and 10 of L2 (basis 20, proceeds 1,000, short:
    # day 100 to day 400 is under a year)
    assert realized(result) == [
        ("AAVE", "L1", "S", "60", "6000.00", "60.00", "5940.00", "long"),
        ("AAVE", "L2", "S", "10", "1000.00", "20.00", "980.00", "short"),
    ]
    assert [(lot.lot_id, fp.fmt(lot.quantity, 0), fp.fmt(lot.basis or 0)) for lot in result.open_lots] == [
        ("L2", "30", "60.00")
    ]


def test_a_migration_names_its_accounts_and_sees_only_what_was_held_then():
    events = [
        trade("a", "MATIC", "buy", 0, "10", "1", "A1"),
        trade("b", "MATIC", "buy", 0, "20", "1", "B1"),
        trade("a", "MATIC", "buy", 500, "5", "1", "A2"),  # bought after the migration: stays MATIC
    ]
    result = run(events, [migrate_at(1, "MATIC", "POL", "1", MIGRATED, accounts=["a"])])
    held = sorted((lot.account, lot.asset, lot.lot_id, fp.fmt(lot.quantity, 0)) for lot in result.open_lots)
    assert held == [("a", "MATIC", "A2", "5"), ("a", "POL", "A1", "10"), ("b", "MATIC", "B1", "20")]


def test_migrations_chain_in_time_order_whatever_order_they_were_decided_in():
    events = [trade("w", "A", "buy", 0, "1", "10", "L")]
    decisions = [migrate_at(1, "B", "C", "3", T0 + 20 * DAY), migrate_at(2, "A", "B", "2", T0 + 10 * DAY)]
    (lot,) = run(events, decisions).open_lots
    assert (lot.asset, lot.quantity, lot.basis, lot.acquired) == ("C", d("6"), d("10"), T0)


def test_under_universal_pools_migrated_lots_are_sold_from_the_one_pool():
    events = [trade("a", "MATIC", "buy", 0, "10", "1", "A1"), trade("b", "POL", "sell", 500, "10", "2", "S")]
    result = run(events, [migrate_at(1, "MATIC", "POL", "1", MIGRATED)], universal=True)
    assert result.shortfalls == []
    assert realized(result) == [("POL", "A1", "S", "10", "20.00", "10.00", "10.00", "long")]


def record(event: Event, key: str, event_id: int) -> Record:
    return Record(key, event.account, event.asset, event.side, event.timestamp, event.quantity, event.quote,
                  event.trade_id or f"E{event_id}")  # fmt: skip


def test_the_exchanges_sale_and_buy_become_one_migration_and_book_no_loss():
    buy = trade("coinbase", "MATIC", "buy", 0, "1000", "0.80", "B1")
    sale = Event("coinbase", "MATIC", "sell", MIGRATED, d("1000"), d("0.38"), 0, trade_id="S1")
    rebuy = Event("coinbase", "POL", "buy", MIGRATED, d("1000"), d("0.38"), 0, trade_id="B2")
    events = [buy, sale, rebuy]
    assert realized(run(events, [])) == [("MATIC", "B1", "S1", "1000", "380.00", "800.00", "-420.00", "long")]
    decision = Decision(1, MIGRATION, "MATIC>POL", {"out": "k-sale", "in": "k-buy"}, "", 0)
    records = {"k-sale": record(sale, "k-sale", 2), "k-buy": record(rebuy, "k-buy", 3)}
    result = run(events, [decision], records)
    assert result.realized == []
    assert result.excluded == []
    assert result.warnings == []
    (lot,) = result.open_lots
    assert (lot.asset, lot.lot_id, lot.quantity, lot.basis, lot.acquired) == (
        "POL",
        "B1",
        d("1000"),
        d("800"),
        T0,
    )


def test_a_withdrawal_and_deposit_pair_in_two_accounts_moves_the_lots_between_them():
    buy = trade("exchange", "MATIC", "buy", 0, "100", "1", "B1")
    out = Event("exchange", "MATIC", "transfer_out", MIGRATED, d("100"), None, 0, trade_id="W1")
    into = Event("wallet", "POL", "transfer_in", MIGRATED + 3_600_000_000, d("100"), None, 0, trade_id="D1")
    decision = Decision(1, MIGRATION, "MATIC>POL", {"out": "w", "in": "d"}, "", 0)
    result = run([buy, out, into], [decision], {"w": record(out, "w", 2), "d": record(into, "d", 3)})
    assert [(lot.account, lot.asset, lot.basis) for lot in result.open_lots] == [("wallet", "POL", d("100"))]
    assert result.warnings == []


def test_a_partial_migration_leaves_the_old_asset_held_and_says_so():
    buy = trade("coinbase", "MATIC", "buy", 0, "1000", "0.80", "B1")
    sale = Event("coinbase", "MATIC", "sell", MIGRATED, d("600"), d("0.38"), 0, trade_id="S1")
    rebuy = Event("coinbase", "POL", "buy", MIGRATED, d("600"), d("0.38"), 0, trade_id="B2")
    decision = Decision(1, MIGRATION, "MATIC>POL", {"out": "s", "in": "b"}, "", 0)
    result = run([buy, sale, rebuy], [decision], {"s": record(sale, "s", 2), "b": record(rebuy, "b", 3)})
    assert result.warnings == [
        "B2: coinbase still holds 400 MATIC after its migration to POL (a partial migration, or a wrong "
        "quantity or ratio)"
    ]


def test_a_record_migration_whose_records_are_not_in_the_store_changes_nothing():
    events = [trade("w", "MATIC", "buy", 0, "1", "1", "B1")]
    decision = Decision(1, MIGRATION, "MATIC>POL", {"out": "gone", "in": "also-gone"}, "", 0)
    identity = identity_from([decision], {})
    assert not identity.migrations[0].applicable
    assert [lot.asset for lot in run(events, [decision]).open_lots] == ["MATIC"]


def test_an_undone_decision_is_not_applied():
    events = [trade("w", "XBT", "buy", 0, "1", "1", "A")]
    undone = alias(1, "XBT", "BTC")._replace(undone_at=5)
    assert [lot.asset for lot in run(events, [undone]).open_lots] == ["XBT"]


def test_a_lot_scaled_to_less_than_a_unit_gives_its_basis_to_another_so_none_is_lost():
    events = [
        Event("w", "OLD", "buy", T0, 1, None, 0, trade_id="DUST", subtotal=d("5")),  # 10^-18 OLD for $5
        Event("w", "OLD", "buy", T0 + DAY, d("1"), None, 0, trade_id="L", subtotal=d("10")),
    ]
    (lot,) = run(events, [migrate_at(1, "OLD", "NEW", "0.5", T0 + 2 * DAY)]).open_lots
    assert (lot.lot_id, lot.quantity, lot.basis) == ("L", d("0.5"), d("15"))


def test_a_migration_record_between_two_codes_an_alias_made_one_changes_nothing():
    # Coinbase's ETH2 -> ETH migration rows, once ETH2 is aliased to ETH: lots out and back in
    events = [
        trade("coinbase", "ETH", "buy", 0, "2", "1000", "E1"),
        trade("coinbase", "ETH2", "buy", 1, "1", "1500", "E2"),
        Event("coinbase", "ETH2", "migrate", T0 + 10 * DAY, d("1"), None, 0, quote="ETH", subtotal=d("1"),
              trade_id="M"),
    ]  # fmt: skip
    result = run(events, [alias(1, "ETH2", "ETH")])
    by_lot: dict[str, list[int]] = {}
    for lot in result.open_lots:  # E1 may come back as two pieces of one lot: same id, basis and date
        assert (lot.asset, lot.acquired) == ("ETH", T0 + (0 if lot.lot_id == "E1" else DAY))
        held = by_lot.setdefault(lot.lot_id, [0, 0])
        held[0] += lot.quantity
        held[1] += lot.basis or 0
    assert by_lot == {"E1": [d("2"), d("2000")], "E2": [d("1"), d("1500")]}
    assert result.warnings == []


def test_one_convert_record_of_the_old_asset_to_the_new_becomes_the_migration():
    buy = trade("coinbase", "MATIC", "buy", 0, "1000", "0.80", "B1")
    for convert in (  # MATIC sold for POL, and POL bought with MATIC: one record each way
        Event("coinbase", "MATIC", "sell", MIGRATED, d("1000"), d("1"), 0, quote="POL", price_usd=d("0.38"),
              trade_id="C1"),
        Event("coinbase", "POL", "buy", MIGRATED, d("1000"), d("1"), 0, quote="MATIC", price_usd=d("0.38"),
              trade_id="C1"),
    ):  # fmt: skip
        assert realized(run([buy, convert], []))[0][:2] == ("MATIC", "B1")  # a trade: the fake loss
        decision = Decision(1, MIGRATION, "MATIC>POL", {"out": "c", "in": "c"}, "", 0)
        the_record = dataclasses.replace(record(convert, "c", 2), quote_quantity=d("1000"))
        result = run([buy, convert], [decision], {"c": the_record})
        assert result.realized == []
        assert result.warnings == []
        assert [(lot.asset, lot.lot_id, lot.quantity, lot.basis) for lot in result.open_lots] == [
            ("POL", "B1", d("1000"), d("800"))
        ]


def test_a_decision_whose_detail_cannot_be_read_is_not_applied_and_the_ledger_still_loads():
    events = [trade("w", "XBT", "buy", 0, "1", "1", "A")]
    unreadable = [
        Decision(1, MIGRATION, "XBT>BTC", {"ratio": "x"}, "", 0),
        Decision(2, ALIAS, "XBT", {}, "", 0),
    ]
    assert [lot.asset for lot in run(events, unreadable).open_lots] == ["XBT"]
