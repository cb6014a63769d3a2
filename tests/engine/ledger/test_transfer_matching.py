"""The matching rules as a table (README: Reviewing problems): each case a send and a receipt,
the confidence the pairing gives them (None: not paired) and, when not paired, what the
problems list suggests for the receipt; then the user's pair and unpair decisions."""

from __future__ import annotations

import pytest

from engine.core import fixedpoint as fp
from engine.ledger.decisions import PAIR, UNPAIR
from engine.ledger.transfers import AMBIGUOUS, CERTAIN, HIGH, LIKELY, LOW, YOURS, Suggester
from tests.engine.ledger.decide import (
    DAY,
    HOUR,
    MIN,
    T,
    basis_by_account,
    confidence,
    decision,
    event,
    key,
    leg,
    run,
)

SENT = T + 10 * MIN
BUY = event("coinbase", "buy", "1", T, "B1", price="30000")


@pytest.mark.parametrize(
    ("received", "at", "tx_out", "tx_in", "counterpart", "paired", "suggested"),
    [
        # issue 15's story: no hash on either side, 31 minutes later, a small fee taken on the way
        ("0.9998", SENT + 31 * MIN, None, None, None, LIKELY, None),
        ("1", SENT, None, None, None, LIKELY, None),  # the same moment
        ("0.99", SENT + 7 * DAY, None, None, None, LIKELY, None),  # the 1% fee edge and the 7-day edge
        ("0.989999999999999999", SENT + MIN, None, None, None, None, LOW),  # a unit past 1%: a suggestion
        ("0.95", SENT + MIN, None, None, None, None, LOW),  # 5%: still suggested
        ("0.949999999999999999", SENT + MIN, None, None, None, None, None),  # past 5%: not even that
        ("1.000000000000000001", SENT + MIN, None, None, None, None, None),  # more received than sent
        ("1", SENT + 7 * DAY + 1, None, None, None, None, LOW),  # a microsecond past the window
        ("1", SENT + 30 * DAY + 1, None, None, None, None, None),  # past the suggestions' 30 days
        ("1", SENT - HOUR, None, None, None, LIKELY, None),  # booked an hour early: venue clocks
        ("1", SENT - HOUR - 1, None, None, None, None, None),  # earlier than that
        ("1", SENT + MIN, "0xa", "0xb", None, None, None),  # hashes in conflict: never the same move
        ("1", SENT + MIN, None, "0xb", None, LIKELY, None),  # a hash on one side only
        ("1", SENT + 30 * DAY, "0xa", "0xa", None, CERTAIN, None),  # the same hash: no window needed
        ("0.5", SENT + 2 * DAY, None, None, "kraken", HIGH, None),  # the send names the account
    ],
)
def test_the_matching_rules(received, at, tx_out, tx_in, counterpart, paired, suggested):
    out = event("coinbase", "transfer_out", "1", SENT, "W1", tx=tx_out, counterpart=counterpart)
    into = event("kraken", "transfer_in", received, at, "D1", tx=tx_in)
    result = run([BUY, out, into])
    assert confidence(result, "W1", "D1") == paired
    suggestions = [] if paired else Suggester(result.pairing).for_leg(leg(result, "D1").index)
    assert [s.confidence for s in suggestions] == ([suggested] if suggested else [])
    if paired:  # the lot arrives with its basis (its share, when a fee was taken on the way)
        assert basis_by_account(result)["kraken"] == fp.mul(fp.parse(received), fp.parse("30000"))


def test_two_candidates_for_one_transfer_are_listed_never_paired():
    out = event("coinbase", "transfer_out", "1", SENT, "W1")
    first = event("kraken", "transfer_in", "1", SENT + MIN, "D1")
    second = event("gemini", "transfer_in", "0.999", SENT + 2 * MIN, "D2")
    result = run([BUY, out, first, second])
    assert result.pairing.pairs == {}
    suggester = Suggester(result.pairing)
    assert [(s.leg.ref, s.confidence) for s in suggester.for_leg(leg(result, "W1").index)] == [
        ("D1", AMBIGUOUS),
        ("D2", AMBIGUOUS),
    ]
    assert [(s.leg.ref, s.confidence) for s in suggester.for_leg(leg(result, "D2").index)] == [
        ("W1", AMBIGUOUS)
    ]


def test_a_pair_decision_pairs_the_ambiguous_and_the_rest_pairs_by_the_rules():
    early = event("coinbase", "transfer_out", "0.5", SENT, "W1")
    late = event("coinbase", "transfer_out", "0.5", SENT + 10 * MIN, "W2")
    first = event("kraken", "transfer_in", "0.4995", SENT + 41 * MIN, "D1")
    second = event("kraken", "transfer_in", "0.4995", SENT + 51 * MIN, "D2")
    history = [BUY, early, late, first, second]
    assert run(history).pairing.pairs == {}  # each send has two candidates
    result = run(history, [decision(PAIR, key(early), **{"in": key(first)})])
    assert confidence(result, "W1", "D1") == YOURS
    assert confidence(result, "W2", "D2") == LIKELY  # the only candidates left, both ways
    assert basis_by_account(result)["kraken"] == 2 * fp.mul(fp.parse("0.4995"), fp.parse("30000"))


@pytest.mark.parametrize(
    ("received", "at", "asset", "why"),
    [
        ("1", SENT + 40 * DAY, "BTC", None),  # outside every rule: the user may still pair it
        ("0.5", SENT - HOUR, "BTC", None),  # an hour early is allowed
        ("0.5", SENT - HOUR - 1, "BTC", "the receipt is more than an hour before the send"),
        ("1.1", SENT + MIN, "BTC", "more was received (1.1) than sent (1)"),
        ("1", SENT + MIN, "ETH", "BTC was sent but ETH received"),
    ],
)
def test_a_pair_decision_is_refused_when_it_cannot_be_one_move(received, at, asset, why):
    out = event("coinbase", "transfer_out", "1", SENT, "W1")
    into = event("kraken", "transfer_in", received, at, "D1", asset=asset)
    result = run([BUY, out, into], [decision(PAIR, key(out), **{"in": key(into)})])
    if why is None:
        assert confidence(result, "W1", "D1") == YOURS
    else:
        assert result.pairing.pairs == {}
        assert any(why in w and w.endswith("not paired") for w in result.warnings), result.warnings


def test_an_unpair_decision_keeps_even_the_same_hash_apart_and_its_undo_pairs_them_again():
    out = event("coinbase", "transfer_out", "1", SENT, "W1", tx="0xa")
    into = event("kraken", "transfer_in", "1", SENT + MIN, "D1", tx="0xa")
    apart = decision(UNPAIR, key(out), **{"in": key(into)})
    result = run([BUY, out, into], [apart])
    assert result.pairing.pairs == {}
    assert basis_by_account(result)["kraken"] is None
    undone = apart._replace(undone_at=T)
    assert confidence(run([BUY, out, into], [undone]), "W1", "D1") == CERTAIN


def test_a_decision_naming_a_record_the_store_no_longer_has_does_nothing_and_says_so():
    out = event("coinbase", "transfer_out", "1", SENT, "W1")
    into = event("kraken", "transfer_in", "1", SENT + MIN, "D1")
    result = run([BUY, out, into], [decision(PAIR, key(out), **{"in": "kraken|id|gone"})])
    assert confidence(result, "W1", "D1") == LIKELY  # the rules still apply
    assert any("kraken|id|gone is not in the store" in w for w in result.warnings)
