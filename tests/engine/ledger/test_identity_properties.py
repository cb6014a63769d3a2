"""A migration never changes total basis (hypothesis): over random histories of an old asset
bought and sold, migrated at a random time and ratio (in every account or some), then the new
asset sold, realized basis + open basis is exactly what was paid — whatever the lot method."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.ledger.decisions import MIGRATION, Decision
from engine.ledger.events import Event
from engine.ledger.identity import apply_identity, identity_from
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots

E8 = 10**10  # 1e-8 in fixed-point units
DAY = 86_400_000_000
ACCOUNTS = ("a", "b")


@st.composite
def migrated_histories(draw: st.DrawFn) -> tuple[list[Event], Decision]:
    """OLD bought (and some sold) over days 1..20, a migration at a day in between (OLD -> NEW
    at a ratio of 1e-6 to 1e6), NEW sold afterwards — any of it possibly more than held."""
    events: list[Event] = []
    for index in range(draw(st.integers(1, 25))):
        account = draw(st.sampled_from(ACCOUNTS))
        qty = draw(st.integers(1, 10**9)) * E8
        price = draw(st.integers(1, 10**7)) * E8 * 100
        fee = draw(st.integers(0, 10**4)) * E8 * 100
        day = draw(st.integers(1, 40))
        side = draw(st.sampled_from(["buy", "buy", "sell"]))
        asset = "NEW" if side == "sell" and day > 20 and draw(st.booleans()) else "OLD"
        events.append(Event(account, asset, side, day * DAY, qty, price, fee, trade_id=f"T{index}"))
    events.sort(key=lambda e: e.timestamp)
    ratio = fp.fmt(draw(st.integers(1, 10**12)) * 10**12, 0)  # 1e-6 .. 1e6, up to 6 places
    accounts = draw(st.sampled_from([[], ["a"], ["b"]]))
    at = draw(st.integers(1, 40)) * DAY + draw(st.sampled_from([0, 1]))  # on a trade's moment, or just after
    detail = {"ratio": ratio, "at": at, **({"accounts": accounts} if accounts else {})}
    return events, Decision(1, MIGRATION, "OLD>NEW", detail, "", 0)


def paid(events: list[Event]) -> int:
    return sum(fp.mul(e.quantity, e.price or 0) + e.fee for e in events if e.side == "buy")


@settings(max_examples=200, deadline=None)
@given(migrated_histories(), st.sampled_from(["fifo", "lifo", "hifo"]), st.booleans())
def test_a_migration_never_changes_total_basis(history, method, universal):
    events, decision = history
    ledger = apply_identity(build_ledger(events), identity_from([decision], {}))
    result = match_lots(ledger, method, universal)
    open_basis = sum(lot.basis or 0 for lot in result.open_lots)
    realized_basis = sum(row.cost_basis for row in result.realized)
    assert open_basis + realized_basis == paid(events)
    assert all(lot.quantity > 0 for lot in result.open_lots)
