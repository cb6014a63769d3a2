"""The checklist state machine, persisted, and advanced by imported trades."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.core.errors import InputError
from engine.imports.generic_csv import parse_csv
from engine.ledger.gains import realized_rows
from engine.planning.checklist import Checklist, next_state, reconcile_checklist
from engine.planning.planner import Planner
from engine.store.store import keys_of
from tests.support import HEADER, engine_from_csv, usd

# X1 is old and cheap (a gain), X2 recent and dear (a loss): FIFO would sell X1 first.
LEDGER = f"""{HEADER}
2025-01-02T15:00:00Z,kraken,XYZ,buy,1,100,0,X1
2026-05-02T15:00:00Z,kraken,XYZ,buy,1,900,0,X2
"""
PRICES = {"XYZ": usd("300")}


def saved_checklist(tmp_path: Path) -> tuple[Planner, Checklist]:
    planner = Planner(engine_from_csv(tmp_path, LEDGER))
    engine = planner.engine
    plan = planner.plan(PRICES)
    assert [s.identification for s in plan.steps] == ["X2:1"]
    checklist = Checklist(engine.store.conn)
    checklist.save(plan, 2026, engine.clock(), 24)
    return planner, checklist


def import_rows(planner: Planner, rows: str) -> list[str]:
    engine = planner.engine
    events = parse_csv(f"{HEADER}\n{rows}", "later.csv")
    engine.store.import_events(keys_of(events), "later", frozenset({"USD"}))
    engine.invalidate()
    return reconcile_checklist(engine)


def test_identification_recorded_before_the_sale_governs_the_lot_used(tmp_path):
    planner, checklist = saved_checklist(tmp_path)
    now = planner.engine.clock()
    step = checklist.advance(1, now)
    assert step.state == "identified"
    assert step.identified_at == now
    recorded = planner.engine.store.conn.execute("SELECT lots, recorded_at FROM identifications").fetchall()
    assert recorded == [("X2:1", now)]
    # the sale arrives later through an import: it matches the step and moves it to sold
    changes = import_rows(planner, "2026-11-24T18:00:00Z,kraken,XYZ,sell,1,300,0,S1")
    assert changes == ["step 1: sold (S1)"]
    step = checklist.step(1)
    assert step.state == "sold"
    assert step.sale_ref == "S1"
    # and the realized result uses X2 (loss 600), not FIFO's X1 (gain 200)
    rows, _ = realized_rows(planner.engine.lots(), 2026)
    assert [(r.lot_id, r.gain) for r in rows] == [("X2", usd("-600"))]


def test_a_sale_before_the_identification_does_not_match(tmp_path):
    planner, checklist = saved_checklist(tmp_path)
    checklist.advance(1, planner.engine.clock())
    assert import_rows(planner, "2026-11-20T18:00:00Z,kraken,XYZ,sell,1,300,0,S0") == []
    assert checklist.step(1).state == "identified"


def test_rebuy_waits_then_a_matching_buy_finishes_the_step(tmp_path):
    planner, checklist = saved_checklist(tmp_path)
    start = planner.engine.clock()
    checklist.advance(1, start)
    checklist.advance(1, start)  # sold by hand
    with pytest.raises(InputError, match="not due until"):
        checklist.advance(1, start + 3_600_000_000)
    assert checklist.advance(1, start + 25 * 3_600_000_000).state == "rebuy_due"
    changes = import_rows(planner, "2026-11-26T18:00:00Z,kraken,XYZ,buy,1,310,0,R1")
    assert changes == ["step 1: rebought (R1), done"]
    assert checklist.step(1).state == "done"
    assert checklist.step(1).rebuy_ref == "R1"


def test_invalid_transitions_are_refused(tmp_path):
    planner, checklist = saved_checklist(tmp_path)
    now = planner.engine.clock()
    with pytest.raises(InputError, match="reason is required"):
        checklist.skip(1, "  ", now)
    assert checklist.skip(1, "price recovered", now).state == "skipped"
    with pytest.raises(InputError, match="is skipped; nothing to advance"):
        checklist.advance(1, now)
    with pytest.raises(InputError, match="already skipped"):
        checklist.skip(1, "again", now, cancel=True)
    with pytest.raises(InputError, match="no step 7"):
        checklist.advance(7, now)


def test_state_survives_reopening_the_store(tmp_path):
    planner, checklist = saved_checklist(tmp_path)
    checklist.advance(1, planner.engine.clock())
    planner.engine.store.close()
    from engine.store.store import Store

    with Store(tmp_path / "store.sqlite3") as store:
        (step,) = Checklist(store.conn).steps()
        assert step.state == "identified"
        history = store.conn.execute("SELECT from_state, to_state FROM step_history").fetchall()
        assert history == [("planned", "identified")]


def test_next_state_follows_the_flow(tmp_path):
    _planner, checklist = saved_checklist(tmp_path)
    step = checklist.step(1)
    assert next_state(step, 0) == "identified"


def test_a_sale_arriving_after_the_step_was_marked_sold_by_hand_still_uses_the_identification(tmp_path):
    planner, checklist = saved_checklist(tmp_path)
    now = planner.engine.clock()
    checklist.advance(1, now)  # identified: X2 named
    checklist.advance(1, now)  # sold, by hand, before the exchange reports the sale
    changes = import_rows(planner, "2026-11-24T18:00:00Z,kraken,XYZ,sell,1,300,0,S1")
    assert changes == ["step 1: sale S1 linked to its identification"]
    step = checklist.step(1)
    assert (step.state, step.sale_ref) == ("sold", "S1")
    # the identified lot (loss 600), not FIFO's X1 (gain 200)
    rows, _ = realized_rows(planner.engine.lots(), 2026)
    assert [(r.lot_id, r.gain) for r in rows] == [("X2", usd("-600"))]


def test_a_plan_with_steps_acted_on_is_not_replaced_without_saying_so(tmp_path):
    planner, checklist = saved_checklist(tmp_path)
    engine = planner.engine
    checklist.advance(1, engine.clock())
    plan = planner.plan(PRICES)
    with pytest.raises(InputError, match=r"steps already acted on: 1 \(identified\).*--replace"):
        checklist.save(plan, 2026, engine.clock(), 24)
    assert checklist.step(1).state == "identified"
    checklist.save(plan, 2026, engine.clock(), 24, replace=True)
    assert checklist.step(1).state == "planned"
