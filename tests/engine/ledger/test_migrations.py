"""An asset migration (MATIC -> POL, a 1:1000 redenomination) is no sale: the old asset's lots
move to the new asset with their basis, ids and dates, quantities scaled exactly."""

from __future__ import annotations

from engine.core import fixedpoint as fp
from engine.ledger.events import MIGRATE, Event
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots

DAY = 86_400_000_000
T0 = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z


def d(text: str) -> int:
    return fp.parse(text)


def buy(day: int, qty: str, cost: str, ref: str) -> Event:
    return Event("w", "OLD", "buy", T0 + day * DAY, d(qty), None, 0, trade_id=ref, subtotal=d(cost))


def migrate(day: int, old: str, new: str) -> Event:
    return Event(
        "w", "OLD", MIGRATE, T0 + day * DAY, d(old), None, 0, quote="NEW", subtotal=d(new), trade_id="M"
    )


def test_lots_move_with_basis_and_dates_scaled_to_the_new_quantity():
    events = [buy(0, "1", "10", "L1"), buy(5, "2", "40", "L2"), migrate(30, "3", "3000")]
    for method in ("fifo", "hifo"):
        result = match_lots(build_ledger(events), method)
        assert result.realized == []
        assert result.shortfalls == []
        moved = sorted(
            (lot.lot_id, lot.asset, lot.quantity, lot.basis, lot.acquired) for lot in result.open_lots
        )
        assert moved == [
            ("L1", "NEW", d("1000"), d("10"), T0),
            ("L2", "NEW", d("2000"), d("40"), T0 + 5 * DAY),
        ]


def test_a_sale_after_the_migration_uses_the_old_basis_and_date():
    events = [buy(0, "1", "10", "L1"), migrate(30, "1", "1000"),
              Event("w", "NEW", "sell", T0 + 400 * DAY, d("500"), d("0.03"), 0, trade_id="S")]  # fmt: skip
    (row,) = match_lots(build_ledger(events)).realized
    assert (row.lot_id, row.quantity, row.cost_basis, row.proceeds, row.term) == (
        "L1",
        d("500"),
        d("5"),
        d("15"),
        "long",
    )


def test_a_ratio_that_does_not_divide_evenly_keeps_the_new_total_exact():
    events = [buy(0, "1", "1", "L1"), buy(1, "1", "1", "L2"), buy(2, "1", "1", "L3"), migrate(3, "3", "1")]
    lots = match_lots(build_ledger(events)).open_lots
    assert sum(lot.quantity for lot in lots) == d("1")  # 1/3 each, the last lot takes the remainder
    assert [lot.quantity for lot in lots] == [333333333333333333, 333333333333333333, 333333333333333334]
    assert sum(lot.basis or 0 for lot in lots) == d("3")


def test_migrating_more_than_was_held_is_missing_history_and_unknown_basis():
    events = [buy(0, "1", "10", "L1"), migrate(3, "2", "2")]
    result = match_lots(build_ledger(events))
    assert [(s.asset, s.quantity) for s in result.shortfalls] == [("OLD", d("1"))]
    lots = {(lot.lot_id, lot.quantity, lot.basis) for lot in result.open_lots}
    assert lots == {("L1", d("1"), d("10")), ("M", d("1"), None)}
    assert any("migrated into NEW more than w held before" in w for w in result.warnings)
