"""`harvest import` moves the saved plan's steps on (as it did before it stopped loading the
planner when no step is underway): asked through Store.checklist_underway, which must say yes
exactly when a step is identified or sold."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from engine.api import Engine
from engine.config.model import Config, TaxConfig
from engine.planning.checklist import Checklist
from engine.planning.planner import Planner
from engine.store.store import Store
from tests.support import HEADER, clock_at, run_cli, usd

# X1 is old and cheap (a gain), X2 recent and dear (a loss): the plan sells X2
LEDGER = f"""{HEADER}
2025-01-02T15:00:00Z,kraken,XYZ,buy,1,100,0,X1
2026-05-02T15:00:00Z,kraken,XYZ,buy,1,900,0,X2
"""


def underway(home: Path) -> bool:
    with Store(home / "home" / "harvest.sqlite3") as store:
        return store.checklist_underway()


def save_plan(home: Path, act: str | None) -> None:
    """The plan (sell X2) saved as the checklist on the CLI's store, its step then `act`ed on."""
    config = Config(tax=TaxConfig(timezone="America/New_York", ordinary_taxable_income=Decimal(150_000)))
    with Store(home / "home" / "harvest.sqlite3") as store:
        engine = Engine(config, store, clock_at("2026-11-20T12:00:00"))
        plan = Planner(engine).plan({"XYZ": usd("300")})
        assert [s.identification for s in plan.steps] == ["X2:1"]
        checklist = Checklist(store.conn)
        checklist.save(plan, 2026, engine.clock(), 24)
        if act == "advance":
            checklist.advance(1, engine.clock())
        elif act == "skip":
            checklist.skip(1, "price recovered", engine.clock())


def test_an_import_moves_an_identified_step_to_sold(home, capsys):
    (home / "ledger.csv").write_text(LEDGER)
    (home / "later.csv").write_text(f"{HEADER}\n2026-11-24T18:00:00Z,kraken,XYZ,sell,1,300,0,S1\n")
    assert run_cli(capsys, "import", str(home / "ledger.csv"))[0] == 0
    assert not underway(home)  # no plan saved
    save_plan(home, "advance")
    assert underway(home)  # identified: a later sale can move it on

    code, out, err = run_cli(capsys, "import", str(home / "later.csv"))
    assert (code, err) == (0, "")
    assert "checklist: step 1: sold (S1)" in out.splitlines()
    assert underway(home)


def test_a_plan_only_planned_or_skipped_is_not_underway(home, capsys):
    (home / "ledger.csv").write_text(LEDGER)
    assert run_cli(capsys, "import", str(home / "ledger.csv"))[0] == 0
    save_plan(home, None)
    assert not underway(home)  # saved, its step only planned
    save_plan(home, "skip")  # the new plan replaces it (the old one stays, inactive)
    assert not underway(home)
