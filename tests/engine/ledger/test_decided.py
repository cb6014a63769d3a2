"""What each classification and an own address do to the lots (engine.ledger.decided), checked
by hand; and that undoing a decision gives back exactly what the rules alone give."""

from __future__ import annotations

import pytest

from engine.core import fixedpoint as fp
from engine.ledger import lots as causes
from engine.ledger.decisions import CLASSIFY, OWN_ADDRESS
from tests.engine.ledger.decide import DAY, T, basis_by_account, decision, event, key, run

BUY = event("coinbase", "buy", "1", T, "B1", price="30000")
RECEIPT = event("kraken", "transfer_in", "2", T + 10 * DAY, "D1")  # from outside: no send explains it
SEND = event("coinbase", "transfer_out", "0.4", T + 20 * DAY, "W1", address="bc1qcold")
SALE = event("kraken", "sell", "2", T + 400 * DAY, "S1", price="1000")
usd = fp.parse


def test_a_receipt_from_outside_has_unknown_basis_until_classified():
    result = run([RECEIPT])
    (lot,) = result.open_lots
    assert lot.basis is None
    assert [u.cause for u in result.unresolved] == [causes.RECEIVED_FROM_OUTSIDE]


@pytest.mark.parametrize("as_", ["income", "airdrop"])
def test_income_is_an_acquisition_at_the_value_given(as_):
    result = run([RECEIPT, SALE], [decision(CLASSIFY, key(RECEIPT), **{"as": as_, "value": "1500"})])
    (row,) = result.realized
    assert (row.cost_basis, row.proceeds, row.term) == (usd("1500"), usd("2000"), "long")  # 390 days held
    assert result.unresolved == []


def test_income_without_a_value_is_flagged_for_a_price_never_valued_at_zero():
    result = run([RECEIPT], [decision(CLASSIFY, key(RECEIPT), **{"as": "income"})])
    (lot,) = result.open_lots
    assert lot.basis is None
    assert [u.cause for u in result.unresolved] == [causes.NO_VALUE]
    assert any("no USD value for what was classified as income: set a price" in w for w in result.warnings)


def test_a_gift_carries_the_donors_basis_and_date():
    donor_date = T - 700 * DAY
    gift = decision(CLASSIFY, key(RECEIPT), **{"as": "gift", "basis": "900", "acquired_at": donor_date})
    (lot,) = run([RECEIPT], [gift]).open_lots
    assert (lot.basis, lot.acquired) == (usd("900"), donor_date)
    sale = event("kraken", "sell", "2", T + 20 * DAY, "S1", price="1000")
    (row,) = run([RECEIPT, sale], [gift]).realized
    assert (row.cost_basis, row.term) == (usd("900"), "long")  # the donor's holding period counts


def test_a_gift_worth_less_than_the_donors_basis_takes_that_value_and_the_receipt_date():
    gift = decision(CLASSIFY, key(RECEIPT), **{"as": "gift", "basis": "900", "acquired_at": T - 700 * DAY,
                                               "value": "600"})  # fmt: skip
    (lot,) = run([RECEIPT], [gift]).open_lots
    assert (lot.basis, lot.acquired) == (usd("600"), RECEIPT.timestamp)  # the loss rule


def test_a_receipt_from_an_own_wallet_not_imported_carries_the_basis_entered():
    own = decision(CLASSIFY, key(RECEIPT), **{"as": "own", "basis": "800", "acquired_at": T - 30 * DAY})
    (lot,) = run([RECEIPT], [own]).open_lots
    assert (lot.account, lot.basis, lot.acquired) == ("kraken", usd("800"), T - 30 * DAY)


def test_a_send_classified_as_a_gift_leaves_without_a_disposal():
    before = run([BUY, SEND])
    assert any("untracked" in w for w in before.warnings)
    result = run([BUY, SEND], [decision(CLASSIFY, key(SEND), **{"as": "gift"})])
    assert result.realized == []
    assert not any("untracked" in w for w in result.warnings)
    assert [(u.cause, u.basis) for u in result.unresolved] == [(causes.GIVEN_AWAY, usd("12000"))]
    assert basis_by_account(result) == {"coinbase": usd("18000")}


def test_a_send_classified_as_a_payment_is_a_disposal_at_its_value():
    result = run([BUY, SEND], [decision(CLASSIFY, key(SEND), **{"as": "payment", "value": "14000"})])
    (row,) = result.realized
    assert (row.quantity, row.proceeds, row.cost_basis, row.gain) == (usd("0.4"), usd("14000"), usd("12000"),
                                                                      usd("2000"))  # fmt: skip


def test_a_send_to_an_own_wallet_moves_the_lots_there():
    result = run([BUY, SEND], [decision(CLASSIFY, key(SEND), **{"as": "own", "to": "cold"})])
    assert basis_by_account(result) == {"coinbase": usd("18000"), "own:cold": usd("12000")}
    assert {lot.acquired for lot in result.open_lots} == {T}


def test_an_own_address_takes_lots_there_and_brings_them_back():
    back = event("kraken", "transfer_in", "0.5", T + 30 * DAY, "D2", address="bc1qcold")
    result = run([BUY, SEND, back], [decision(OWN_ADDRESS, "bc1qcold", label="cold")])
    # 0.4 went to the cold wallet; 0.5 came back: 0.4 with its basis and date, 0.1 never sent there
    kraken = sorted(
        (lot.quantity, lot.basis, lot.acquired) for lot in result.open_lots if lot.account == "kraken"
    )
    assert kraken == [(usd("0.1"), None, back.timestamp), (usd("0.4"), usd("12000"), T)]
    assert [u.cause for u in result.unresolved] == [causes.NOT_SENT_THERE]
    assert not [lot for lot in result.open_lots if lot.account == "own:cold"]


@pytest.mark.parametrize(
    ("as_", "direction", "value", "expected"),
    [
        ("buy", None, "700", ("coinbase", usd("0.3"), usd("700"))),
        ("income", None, "650", ("coinbase", usd("0.3"), usd("650"))),
        ("transfer", "in", None, ("coinbase", usd("0.3"), None)),  # a receipt the rules may pair
    ],
)
def test_an_unclassified_row_becomes_the_side_it_is_given(as_, direction, value, expected):
    row = event("coinbase", "unclassified", "0.3", T + 5 * DAY, "U1", note="Retail Mgx Dex Trade")
    assert run([row]).open_lots == []  # no legs until classified
    detail = (
        {"as": as_} | ({"direction": direction} if direction else {}) | ({"value": value} if value else {})
    )
    (lot,) = run([row], [decision(CLASSIFY, key(row), **detail)]).open_lots
    assert (lot.account, lot.quantity, lot.basis) == expected


def test_an_unclassified_row_sold_is_a_disposal_in_time_order():
    row = event("coinbase", "unclassified", "0.3", T + 5 * DAY, "U1")
    result = run([BUY, row], [decision(CLASSIFY, key(row), **{"as": "sell", "value": "9500"})])
    (sale,) = result.realized
    assert (sale.quantity, sale.proceeds, sale.cost_basis) == (usd("0.3"), usd("9500"), usd("9000"))


@pytest.mark.parametrize(
    "made",
    [
        decision(CLASSIFY, key(RECEIPT), **{"as": "income", "value": "1500"}),
        decision(CLASSIFY, key(SEND), **{"as": "own", "to": "cold"}),
        decision(OWN_ADDRESS, "bc1qcold", label="cold"),
    ],
)
def test_undoing_a_decision_restores_exactly_what_the_rules_give(made):
    history = [BUY, RECEIPT, SEND, SALE]
    assert run(history, [made]) != run(history)  # it changed something
    assert run(history, [made._replace(undone_at=T)]) == run(history)
