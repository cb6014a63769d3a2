"""From 2027 an identification of units a broker holds must reach the broker (Treas. Reg.
§1.1012-1(j)(3)(ii)); through 2026 your own records suffice (Notices 2025-7 and 2026-20)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from engine.core.dates import TaxCalendar, load_zone
from engine.planning.broker_notice import broker_notice, step_notices
from engine.planning.checklist import Checklist
from engine.planning.planner import Planner
from engine.reports.planning_output import checklist_text
from tests.engine.planning.test_checklist import LEDGER, PRICES
from tests.support import clock_at, engine_from_csv


def day(text: str) -> int:
    return date.fromisoformat(text).toordinal()


def test_the_relief_runs_through_2026_and_a_wallet_never_needs_a_broker():
    assert broker_notice("kraken", day("2026-12-31"), True) is None
    assert broker_notice("kraken", day("2027-01-01"), True).startswith(
        "kraken is a broker's account: give this identification to the broker no later than the sale"
    )
    assert broker_notice("vault", day("2027-01-01"), None).startswith("if a broker holds vault:")
    assert broker_notice("vault", day("2027-01-01"), False) is None


def test_the_checklist_says_it_for_steps_identified_or_planned_from_2027(tmp_path):
    engine = engine_from_csv(tmp_path, LEDGER, now="2027-01-04T12:00:00", assume_latest_params=True)
    planner = Planner(engine)
    checklist = Checklist(engine.store.conn)
    checklist.save(planner.plan(PRICES), 2027, engine.clock(), 24)
    calendar = TaxCalendar(load_zone("America/New_York"))
    planned = checklist.steps()
    today = calendar.day(engine.clock())
    notices = step_notices(planned, today, calendar.day_function(), {"kraken"})
    assert list(notices) == [1]
    assert "identification: kraken is a broker's account" in checklist_text(
        planned, engine.clock(), notices=notices
    )
    # identified on 2026-12-30 (within the relief): no notice for that step
    identified = checklist.advance(1, clock_at("2026-12-30T12:00:00")())
    assert step_notices([identified], today, calendar.day_function(), {"kraken"}) == {}
    # a step identified in 2027 keeps its notice until it is sold
    later = replace(identified, identified_at=clock_at("2027-01-03T12:00:00")())
    assert list(step_notices([later], today, calendar.day_function(), {"kraken"})) == [1]
