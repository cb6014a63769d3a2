"""The app's confirmation before recording an identification says, from 2027, that it must
reach the broker of an exchange account (engine.planning.broker_notice)."""

from __future__ import annotations

from datetime import date

from engine.planning.broker_notice import broker_notice
from engine.planning.checklist import IDENTIFIED, SOLD, Checklist
from engine.planning.planner import Planner
from tests.engine.planning.test_checklist import LEDGER, PRICES
from tests.support import engine_from_csv
from tui.step_words import advance_question


def test_the_identification_question_carries_the_notice(tmp_path):
    engine = engine_from_csv(tmp_path, LEDGER)
    planner = Planner(engine)
    checklist = Checklist(engine.store.conn)
    checklist.save(planner.plan(PRICES), 2026, engine.clock(), 24)
    (step,) = checklist.steps()
    notice = broker_notice("kraken", date(2027, 1, 4).toordinal(), True)
    question = advance_question(step, IDENTIFIED, notice)
    assert question.splitlines()[1].startswith(
        "kraken is a broker's account: give this identification to the broker"
    )
    assert notice not in advance_question(step, SOLD, notice)  # only where an identification is made
    assert advance_question(step, IDENTIFIED, None).count("\n") == 1
