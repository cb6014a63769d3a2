"""The user's decisions in the store: recorded with time and reason, the same one not doubled,
undone by marking (never deleting), surviving a re-import, and moving the ledger mark."""

from __future__ import annotations

import pytest

from engine.core.units import EpochMicros
from engine.imports.generic_csv import parse_csv
from engine.ledger.decisions import ALIAS, PAIR, active_by_subject
from engine.store.decision_tables import UnknownDecision
from engine.store.store import Store, keys_of

T0 = EpochMicros(1_780_000_000_000_000)
CSV = "timestamp,account,asset,side,quantity,price,fee,trade_id\n2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0,K1\n"


def test_a_decision_is_kept_with_its_time_and_reason_and_not_doubled(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    first = store.record_decision(PAIR, "out-key", {"in": "in-key"}, "same amount 31 min later", T0)
    again = store.record_decision(PAIR, "out-key", {"in": "in-key"}, "clicked twice", EpochMicros(T0 + 1))
    assert again == first
    (decision,) = store.decisions()
    assert (decision.kind, decision.subject, decision.detail) == (PAIR, "out-key", {"in": "in-key"})
    assert (decision.reason, decision.made_at, decision.undone_at) == ("same amount 31 min later", T0, None)


def test_undo_marks_the_decision_and_keeps_it_in_the_history(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    made = store.record_decision(ALIAS, "XBT", {"asset": "BTC"}, "", T0)
    undone = store.undo_decision(made, EpochMicros(T0 + 5))
    assert undone.undone_at == T0 + 5
    assert store.decisions() == []
    assert [d.id for d in store.decisions(include_undone=True)] == [made]
    with pytest.raises(UnknownDecision, match=f"no decision {made} in force"):
        store.undo_decision(made, EpochMicros(T0 + 6))
    # made again after the undo: a new decision, the history keeps both
    again = store.record_decision(ALIAS, "XBT", {"asset": "BTC"}, "", EpochMicros(T0 + 7))
    assert again != made
    assert len(store.decisions(include_undone=True)) == 2


def test_the_latest_decision_in_force_wins_per_subject(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.record_decision(ALIAS, "XBT", {"asset": "BTC"}, "", T0)
    store.record_decision(ALIAS, "XBT", {"asset": "WBTC"}, "changed my mind", EpochMicros(T0 + 1))
    assert active_by_subject(store.decisions(), ALIAS)["XBT"].detail == {"asset": "WBTC"}


def test_decisions_survive_a_reimport_and_move_the_ledger_mark(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    events = parse_csv(CSV, "f.csv")
    store.import_events(keys_of(events), "f", frozenset({"USD"}))
    before = store.ledger_mark()
    made = store.record_decision(PAIR, "k", {"in": "j"}, "", T0)
    after_decision = store.ledger_mark()
    assert after_decision != before
    store.import_events(keys_of(events), "f", frozenset({"USD"}))
    assert [d.id for d in store.decisions()] == [made]
    store.undo_decision(made, EpochMicros(T0 + 1))
    assert store.ledger_mark() not in (before, after_decision)


def test_an_unknown_kind_is_refused(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    with pytest.raises(ValueError, match="unknown decision kind"):
        store.record_decision("guess", "x", {}, "", T0)
