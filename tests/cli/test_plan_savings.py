"""`harvest plan --save` and the saved plan's value at current prices agree to the cent: the
figure the app's checklist shows is the one `harvest plan` printed for the same sales."""

from __future__ import annotations

import json

from engine.api import Engine
from engine.config.load import load_config
from engine.core import fixedpoint as fp
from engine.planning.checklist import Checklist
from engine.planning.planner import Planner
from engine.store.store import open_store
from tests.cli.test_cli import home, run  # noqa: F401 (the fixture)
from tests.support import clock_at

# a 29,985 LT gain, then SOL and ETH under water (tests/engine/planning/test_candidates_and_plans)
LEDGER = """timestamp,account,asset,side,quantity,price,fee,trade_id
2025-01-05T15:00:00Z,kraken,BTC,buy,1,40000,10,K1
2026-02-01T15:00:00Z,kraken,BTC,sell,0.5,100000,10,K2
2026-03-01T15:00:00Z,kraken,SOL,buy,100,250,5,K3
2026-04-01T15:00:00Z,coinbase,ETH,buy,5,4000,5,C1
2025-12-10T15:00:00Z,coinbase,ETH,buy,2,3900,5,C2
"""


def test_the_saved_plan_is_worth_what_harvest_plan_printed(home, capsys):  # noqa: F811
    (home / "ledger.csv").write_text(LEDGER)
    (home / "prices.csv").write_text("asset,price\nBTC,90000\nSOL,120\nETH,2500\n")
    assert run(capsys, "import", str(home / "ledger.csv"))[0] == 0
    as_of = ("--as-of", "2026-11-24")
    code, out, _ = run(
        capsys, *as_of, "plan", "--prices", str(home / "prices.csv"), "--save", "--format", "json"
    )
    assert code == 0
    printed = json.loads(out)
    # 23,315 of ST loss against the LT gain at 15%: 3,497.25; costs 88.50
    assert (printed["savings_this_year"], printed["net_savings"]) == ("3497.25", "3408.75")
    engine = Engine(load_config(None), open_store(), clock_at("2026-11-24T12:00:00"))
    prices = {"BTC": fp.parse("90000"), "SOL": fp.parse("120"), "ETH": fp.parse("2500")}
    value = Planner(engine).tick(prices, plan=Checklist(engine.store.conn).steps()).plan
    assert fp.fmt(value.savings_this_year) == printed["savings_this_year"]
    assert fp.fmt(value.carryforward_created) == printed["carryforward_created"]
    assert fp.fmt(value.trading_cost) == printed["trading_cost"]
    assert fp.fmt(value.net_savings) == printed["net_savings"]
    assert fp.fmt(value.total_loss) == printed["total_loss"]
