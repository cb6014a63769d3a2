"""`harvest import --opening-lots FILE`: starting from another tool's snapshot of lots."""

from __future__ import annotations

from pathlib import Path

from engine.api import Engine
from engine.config.load import load_config
from engine.store.store import open_store
from tests.support import run_cli

LOTS = """account,asset,quantity,basis,acquired,lot_id,as_of
coinbase,BTC,1,"$20,000.00",2022-06-10,C2,2025-01-01
kraken,BTC,0.5,25000,2021-03-10,K1,2025-01-01
"""
AFTER = """timestamp,account,asset,side,quantity,price,fee,trade_id
2025-03-01T15:00:00Z,kraken,BTC,sell,0.5,80000,0,S2
2025-06-01T15:00:00Z,coinbase,BTC,sell,1,100000,0,S3
"""


def write(home: Path, name: str, text: str) -> str:
    path = home / name
    path.write_text(text)
    return str(path)


def stored_events(home: Path) -> int:
    with open_store() as store:
        return store.event_count()


def test_opening_lots_only_then_2025_sales(home, capsys):
    code, out, _ = run_cli(capsys, "import", "--opening-lots", write(home, "lots.csv", LOTS))
    assert code == 0
    assert "opening lots, 2 lot(s): coinbase as of 2025-01-01, kraken as of 2025-01-01" in out
    assert "imported 2 new lot(s) (0 already in the store)" in out
    assert run_cli(capsys, "import", write(home, "after.csv", AFTER))[0] == 0
    # S2: kraken's K1 0.5, proceeds 40,000, basis 25,000, gain 15,000, long-term (held since 2021)
    # S3: coinbase's C2 1, proceeds 100,000, basis 20,000, gain 80,000, long-term
    code, out, _ = run_cli(capsys, "report", "realized", "--year", "2025", "--format", "csv")
    assert out.splitlines()[1:] == [
        "kraken,BTC,0.5,2021-03-10,2025-03-01,40000.00,25000.00,15000.00,long,K1,S2",
        "coinbase,BTC,1,2022-06-10,2025-06-01,100000.00,20000.00,80000.00,long,C2,S3",
    ]
    # importing the same file again adds nothing
    code, out, _ = run_cli(capsys, "import", "--opening-lots", str(home / "lots.csv"))
    assert "imported 0 new lot(s) (2 already in the store)" in out


def test_opening_lots_in_the_transition_mode_open_each_account_with_its_own_lots(home, capsys):
    (home / "config.yaml").write_text(
        "tax:\n  timezone: America/New_York\nlots:\n  basis_scope: universal_until_2025\n"
    )
    run_cli(capsys, "import", "--opening-lots", write(home, "lots.csv", LOTS))
    run_cli(capsys, "import", write(home, "after.csv", AFTER))
    engine = Engine(load_config(None), open_store())
    rows, _ = engine.realized(2025)
    assert [(r.account, r.lot_id) for r in rows] == [("kraken", "K1"), ("coinbase", "C2")]


def test_a_bad_file_is_refused_whole_with_every_problem(home, capsys):
    text = """account,asset,quantity,basis,acquired,lot_id,as_of
coinbase,BTC,1,20000,2022-06-10,C2,2025-01-01
kraken,BTC,-1,25000,2021-03-10,K1,2025-01-01
kraken,ETH,2,,2021-03-10,E1,2025-01-01
kraken,ETH,2,100,2025-02-01,E2,2025-01-01
kraken,ETH,1,100,2021-03-10,E1,2025-01-01
ledger,SOL,1,100,2021-03-10,S1,January
"""
    path = write(home, "bad.csv", text)
    code, out, err = run_cli(capsys, "import", "--opening-lots", path)
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        f"{path}:3: quantity: must be more than 0, got -1",
        f"{path}:4: basis: missing value (0 for a lot that cost nothing)",
        f"{path}:5: acquired: after the as-of date 2025-01-01: 2025-02-01",
        f"{path}:6: lot_id: E1 is also on line 4 (kraken ETH)",
        f"{path}:7: as_of: expected a date YYYY-MM-DD, got 'January'",
        f"harvest: {path}: nothing imported (5 problem(s))",
    ]
    assert stored_events(home) == 0


def test_the_as_of_date_for_the_whole_file_and_the_account_from_the_option(home, capsys):
    text = "asset,quantity,basis,acquired,lot_id\nETH,2,3000,2023-05-01,E1\n"
    path = write(home, "eth.csv", text)
    code, _, err = run_cli(capsys, "import", "--opening-lots", path)
    assert code == 2
    assert f"{path}:1: account: required column missing (or --account NAME)" in err
    assert f"{path}:1: as_of: required column missing (or --lots-as-of DATE)" in err
    code, out, _ = run_cli(
        capsys, "import", "--opening-lots", path, "--account", "ledger", "--lots-as-of", "2025-01-01"
    )
    assert code == 0
    assert "ledger as of 2025-01-01" in out


def test_history_before_the_as_of_date_is_pointed_out(home, capsys):
    earlier = "timestamp,account,asset,side,quantity,price,fee,trade_id\n2023-01-05T15:00:00Z,kraken,BTC,buy,1,17000,0,B0\n"
    run_cli(capsys, "import", write(home, "earlier.csv", earlier))
    code, _, err = run_cli(capsys, "import", "--opening-lots", write(home, "lots.csv", LOTS))
    assert code == 0
    assert "warning: kraken: the store holds 1 other record(s) before 2025-01-01" in err
    assert "coinbase" not in err
