"""The checklist state machine, persisted, and advanced by imported trades."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.core.errors import InputError
from engine.imports.generic_csv import parse_csv
from engine.ledger.gains import realized_rows
from engine.planning.checklist import Checklist, next_state, reconcile_checklist, skip_target, state_words
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


HOUR = 3_600_000_000


def sold_by_hand(tmp_path: Path) -> tuple[Planner, Checklist]:
    planner, checklist = saved_checklist(tmp_path)
    now = planner.engine.clock()
    checklist.advance(1, now)  # identified: X2 named
    checklist.advance(1, now)  # sold, by hand, before the exchange reports the sale
    return planner, checklist


def test_skipping_a_sold_step_skips_its_rebuy_and_keeps_the_sale(tmp_path):
    """It went to `skipped` and dropped out of the plan: a sale arriving later was no longer
    linked to its identification (FIFO's X1 sold instead), and `plan --save` replaced the plan
    without asking."""
    planner, checklist = sold_by_hand(tmp_path)
    sold = checklist.step(1)
    step = checklist.skip(1, "price ran away", planner.engine.clock())
    assert (step.state, step.reason) == ("done", "rebuy skipped: price ran away")
    assert (step.identified_at, step.sold_at, step.rebuy_after) == (
        sold.identified_at,
        sold.sold_at,
        sold.rebuy_after,
    )
    changes = import_rows(planner, "2026-11-24T18:00:00Z,kraken,XYZ,sell,1,300,0,S1")
    assert changes == ["step 1: sale S1 linked to its identification"]
    assert (checklist.step(1).state, checklist.step(1).sale_ref) == ("done", "S1")
    rows, _ = realized_rows(planner.engine.lots(), 2026)
    assert [(r.lot_id, r.gain) for r in rows] == [("X2", usd("-600"))]
    with pytest.raises(InputError, match=r"steps already acted on: 1 \(done\)"):
        checklist.save(planner.plan(PRICES), 2026, planner.engine.clock(), 24)


def test_cancelling_a_step_whose_rebuy_is_due_keeps_the_sale(tmp_path):
    planner, checklist = sold_by_hand(tmp_path)
    later = planner.engine.clock() + 25 * HOUR
    assert checklist.advance(1, later).state == "rebuy_due"
    step = checklist.skip(1, "staying out", later, cancel=True)
    assert (step.state, step.reason, step.sold_at) == (
        "done",
        "rebuy cancelled: staying out",
        planner.engine.clock(),
    )
    history = planner.engine.store.conn.execute(
        "SELECT to_state, note FROM step_history ORDER BY rowid"
    ).fetchall()
    assert history[-1] == ("done", "rebuy cancelled: staying out")


def test_skip_target_names_where_a_skip_goes_or_why_not(tmp_path):
    planner, checklist = saved_checklist(tmp_path)
    now = planner.engine.clock()
    assert (skip_target(checklist.step(1)), skip_target(checklist.step(1), cancel=True)) == (
        "skipped",
        "cancelled",
    )
    checklist.advance(1, now)
    assert skip_target(checklist.step(1)) == "skipped"  # identified, not sold: the step is dropped
    checklist.advance(1, now)
    assert skip_target(checklist.step(1), cancel=True) == "done"
    checklist.advance(1, now + 25 * HOUR)
    checklist.advance(1, now + 25 * HOUR)  # rebought
    with pytest.raises(InputError, match="step 1 is rebought: nothing left to skip; advance it to done"):
        checklist.skip(1, "why not", now)
    checklist.advance(1, now + 25 * HOUR)
    with pytest.raises(InputError, match="step 1 is already done"):
        skip_target(checklist.step(1))


def test_a_finished_step_is_history_and_its_position_can_be_planned_again(tmp_path):
    planner, checklist = saved_checklist(tmp_path)
    engine = planner.engine
    (step,) = checklist.steps()
    assert checklist.open_step("kraken", "XYZ", step.term) == step
    checklist.skip(1, "price came back", engine.clock())
    assert checklist.open_step("kraken", "XYZ", step.term) is None
    (again,) = planner.plan(PRICES).steps
    assert checklist.add(again, 2026, engine.clock(), 24) == 2
    assert [(s.number, s.state) for s in checklist.steps()] == [(1, "skipped"), (2, "planned")]
    assert checklist.open_step("kraken", "XYZ", step.term) == checklist.step(2)


def test_refusals_give_states_and_times_in_words_in_the_tax_zone(tmp_path):
    from zoneinfo import ZoneInfo

    planner, _ = sold_by_hand(tmp_path)
    engine = planner.engine
    checklist = Checklist(engine.store.conn, ZoneInfo("America/New_York"))
    # sold at noon in New York (17:00 UTC): the rebuy is due 24 hours later, said in New York time
    with pytest.raises(InputError, match=r"^step 1: the rebuy is not due until Nov 25 12:00$"):
        checklist.advance(1, engine.clock() + HOUR)
    checklist.advance(1, engine.clock() + 25 * HOUR)
    with pytest.raises(InputError, match=r"^step 1 is rebuy due; skip or cancel it instead$"):
        checklist.remove(1)
    assert state_words("rebuy_due") == "rebuy due"


def test_time_words_are_local_and_add_the_year_only_when_it_differs():
    from zoneinfo import ZoneInfo

    from engine.core.dates import parse_timestamp, time_words

    new_york = ZoneInfo("America/New_York")
    late = parse_timestamp("2026-12-01T03:05:00Z")  # still Nov 30 in New York
    assert time_words(late, new_york) == "Nov 30 22:05"
    assert time_words(late, ZoneInfo("UTC")) == "Dec 1 03:05"
    new_year = parse_timestamp("2027-01-01T05:00:00Z")
    assert time_words(late, new_york, now=new_year) == "Nov 30 2026 22:05"
    assert time_words(new_year, new_york, now=new_year) == "Jan 1 00:00"
