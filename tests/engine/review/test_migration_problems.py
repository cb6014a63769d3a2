"""Asset migration suggestions in the problems list: an exchange that wrote the MATIC -> POL
migration as a sale and a buy books a loss that never happened and starts the POL lots at the
migration. The pair of records is a problem naming the `harvest assets migrate … --out --in`
command (and the app's `m`); recording it removes the fake loss and carries the MATIC basis and
dates into POL; an undo brings the problem back. A migration merely due at its date (MATIC held,
no records of it) is no problem: many holders never migrated."""

from __future__ import annotations

from datetime import date

import pytest

from engine.core import fixedpoint as fp
from engine.core.errors import InputError
from engine.planning.planner import Planner
from engine.review import actions
from engine.review.problems import Problem, find_review
from tests.support import HEADER, engine_from_csv, usd

TEXT = f"""{HEADER}
2023-03-01T15:00:00Z,coinbase,MATIC,buy,1000,1.20,0,B1
2024-09-10T15:00:00Z,coinbase,MATIC,sell,1000,0.38,0,S1
2024-09-10T15:05:00Z,coinbase,POL,buy,1000,0.38,0,B2
2024-01-01T15:00:00Z,kraken,MATIC,buy,50,0.90,0,K1
"""
PRICES = {"MATIC": usd("0.40"), "POL": usd("0.40")}


def migrations(planner: Planner) -> list[Problem]:
    return [p for p in find_review(planner, PRICES).problems if p.label == "asset migration suggested"]


def test_the_exchanges_sale_and_buy_are_a_migration_problem_naming_the_command(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, TEXT))
    (problem,) = migrations(planner)  # kraken's MATIC, never migrated, is no problem
    assert (problem.account, problem.asset, problem.ref, problem.blocks) == ("coinbase", "MATIC", "S1", ())
    assert "a sale of 1000 MATIC (S1) and a buy of 1000 POL (B2)" in problem.reason
    assert [(a.verb, a.usage) for a in problem.actions] == [
        ("migrate", "harvest assets migrate MATIC POL --out S1 --in B2"),
        ("ignore", f"harvest review ignore {problem.id} --reason TEXT"),
    ]
    # the fake loss: 1000 x (0.38 - 1.20)
    assert [fp.fmt(r.gain) for r in planner.engine.lots().realized] == ["-820.00"]


def test_recording_it_removes_the_fake_loss_and_carries_basis_and_dates(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, TEXT))
    (problem,) = migrations(planner)
    said = actions.migrate(planner, problem.id, "Coinbase's migration")
    assert said.message == (
        f"decision {said.decision_id}: MATIC -> POL: S1 and B2 are one migration, not a sale and a buy"
    )
    assert migrations(planner) == []
    result = planner.engine.lots()
    assert result.realized == []
    pol = [lot for lot in result.open_lots if lot.asset == "POL"]
    assert [(lot.account, fp.fmt(lot.quantity), fp.fmt(lot.basis or 0)) for lot in pol] == [
        ("coinbase", "1000.00", "1200.00")
    ]
    assert pol[0].acquired_day == date(2023, 3, 1).toordinal()  # B1's day (in New York), not the migration's
    actions.undo(planner, said.decision_id)
    assert [p.ref for p in migrations(planner)] == ["S1"]


def test_only_a_migration_problem_is_migrated(tmp_path):
    text = TEXT + "2026-03-01T15:00:00Z,wallet,XBT,buy,1,80000,0,X1\n"
    planner = Planner(engine_from_csv(tmp_path, text))
    alias = next(p for p in find_review(planner, PRICES).problems if p.label == "asset alias suggested")
    with pytest.raises(InputError, match="is no asset migration problem"):
        actions.migrate(planner, alias.id)
