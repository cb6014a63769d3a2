"""Pairing transfers whose files name neither end (a Coinbase send, a Kraken deposit): the exact
quantity arriving in another account within the window, never across two different tx ids."""

from __future__ import annotations

import pytest

from engine.core.units import MICROS_PER_DAY, MICROS_PER_HOUR, Amount, EpochMicros
from engine.ledger.legs import MOVE_IN, MOVE_OUT
from engine.ledger.transfers import MoveLeg, pair_transfers

T0 = 1_706_788_800_000_000  # 2024-02-01 12:00 UTC


def leg(index: int, account: str, kind: int, at: int, quantity: int = 5, *, asset: str = "BTC",
        counterpart: str | None = None, tx: str | None = None) -> MoveLeg:  # fmt: skip
    return MoveLeg(index, account, asset, kind, EpochMicros(T0 + at), Amount(quantity), counterpart, tx)


def test_a_send_and_a_deposit_of_the_same_quantity_pair():
    out = leg(0, "coinbase", MOVE_OUT, 0)
    decoy = leg(1, "kraken", MOVE_IN, 10 * 60_000_000, quantity=4)  # another quantity
    deposit = leg(2, "kraken", MOVE_IN, 40 * 60_000_000)
    assert pair_transfers([out, decoy, deposit]) == {0: 2, 2: 0}
    # the same quantity arriving in a second account too: ambiguous, so neither pairs (and it is said)
    later = leg(3, "ledger", MOVE_IN, 50 * 60_000_000)
    warnings: list[str] = []
    assert pair_transfers([out, decoy, deposit, later], warnings) == {}
    assert len(warnings) == 1
    assert "could be received as any of" in warnings[0]


@pytest.mark.parametrize(
    "arrival",
    [
        leg(1, "coinbase", MOVE_IN, 60_000_000),  # the same account: not a move between accounts
        leg(1, "kraken", MOVE_IN, 60_000_000, asset="ETH"),
        leg(1, "kraken", MOVE_IN, 8 * MICROS_PER_DAY),  # past the 7-day window
        leg(1, "kraken", MOVE_IN, -2 * MICROS_PER_HOUR),  # well before it was sent
        leg(1, "kraken", MOVE_IN, 60_000_000, tx="0xbbb"),  # another transaction on chain
        leg(1, "kraken", MOVE_IN, 60_000_000, counterpart="gemini"),  # says it came from elsewhere
    ],
)
def test_what_does_not_pair_by_quantity(arrival):
    assert pair_transfers([leg(0, "coinbase", MOVE_OUT, 0, tx="0xaaa"), arrival]) == {}


def test_an_out_naming_its_account_pairs_only_with_that_account():
    out = leg(0, "coinbase", MOVE_OUT, 0, counterpart="ledger")
    assert pair_transfers([out, leg(1, "kraken", MOVE_IN, 60_000_000)]) == {}
