"""Form 1099-DA: import, reconcile, and the Form 8949 boxes it gives, on a hand-built 2026.

coinbase (a custodial broker, `form_8949_box: covered`) and ledger (self-custody); lots.method
hifo; tax zone America/New_York. What harvest computes (HIFO within each account):
    S1 coinbase ETH 1 on 02-10: HIFO takes E2 (bought 01-20 at 4,000): proceeds 5,000, gain 1,000 ST
    S2 coinbase SOL 2 on 04-01: L1 basis 200, proceeds 300, gain 100 ST
    S3 coinbase BTC 0.1 on 05-01: B1 (bought 2024-03-01 in ledger at 60,000, moved to coinbase on
       2026-02-01) basis 6,000, proceeds 9,000, gain 3,000 LT
    S4 coinbase ETH 0.5 on 07-01: E1 0.5, basis 1,500, proceeds 1,000, loss 500 ST
    S5 ledger LTC 1 on 09-01: basis 80, proceeds 100, gain 20 ST
What coinbase's form says:
    ETH 1 sold 02-10, acquired 01-05 (FIFO: E1), basis 3,000 reported: the FIFO-vs-HIFO difference
    SOL 2 sold 04-01, basis 200 reported: matched, the same figures
    BTC 0.1 sold 05-01, noncovered, transferred in (12a), acquired 02-01 (the transfer), basis
       9,000 (not reported), short-term: the transferred-in basis
    DOGE 1000 sold 06-01: a sale harvest does not have
    (S4 is not on it: a sale the form misses)"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.cli.test_transition_command import golden
from tests.support import run_cli

CONFIG = """tax:
  timezone: America/New_York
lots:
  method: hifo
accounts:
  - name: coinbase
    exchange: coinbase
    form_8949_box: covered
"""
HISTORY = """timestamp,account,asset,side,quantity,price,fee,trade_id,tx_id
2024-03-01T15:00:00Z,ledger,BTC,buy,0.1,60000,0,B1,
2026-01-05T15:00:00Z,coinbase,ETH,buy,1,3000,0,E1,
2026-01-10T15:00:00Z,ledger,LTC,buy,1,80,0,LT1,
2026-01-20T15:00:00Z,coinbase,ETH,buy,1,4000,0,E2,
2026-02-01T15:00:00Z,ledger,BTC,transfer_out,0.1,,0,M1,T1
2026-02-01T15:10:00Z,coinbase,BTC,transfer_in,0.1,,0,M2,T1
2026-02-10T15:00:00Z,coinbase,ETH,sell,1,5000,0,S1,
2026-03-01T15:00:00Z,coinbase,SOL,buy,2,100,0,L1,
2026-04-01T15:00:00Z,coinbase,SOL,sell,2,150,0,S2,
2026-05-01T15:00:00Z,coinbase,BTC,sell,0.1,90000,0,S3,
2026-07-01T15:00:00Z,coinbase,ETH,sell,0.5,2000,0,S4,
2026-09-01T15:00:00Z,ledger,LTC,sell,1,100,0,S5,
"""
FORM = """1b_asset_name,1c_units,1d_date_acquired,1e_date_sold,1f_proceeds,1g_cost_basis,2_basis_reported,6_gain_loss,9_noncovered,12a_units_transferred_in
Ethereum,1,01/05/2026,02/10/2026,5000.00,3000.00,X,short,,
Solana,2,2026-03-01,2026-04-01,300.00,200.00,X,short,,
Bitcoin,0.1,2026-02-01,2026-05-01,9000.00,9000.00,,short,X,0.1
Dogecoin,1000,2026-05-15,2026-06-01,150.00,120.00,X,short,,
"""
NOW = ("--as-of", "2026-11-24")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    (tmp_path / "config.yaml").write_text(CONFIG)
    monkeypatch.setenv("HARVEST_CONFIG", str(tmp_path / "config.yaml"))
    (tmp_path / "history.csv").write_text(HISTORY)
    (tmp_path / "form.csv").write_text(FORM)
    assert run_cli(capsys, "import", str(tmp_path / "history.csv"))[0] == 0
    return tmp_path


def form_8949(capsys) -> dict[str, list[str]]:
    code, out, _ = run_cli(capsys, *NOW, "report", "8949", "--year", "2026", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    return {
        r["sale_id"]: [r["box"], r["proceeds"], r["cost_basis"], r["code"], r["adjustment"], r["gain"]]
        for r in rows
    }


def test_before_a_form_the_box_follows_covered_status(home, capsys):
    boxes = {sale: row[0] for sale, row in form_8949(capsys).items()}
    # S1, S2, S4: lots bought in coinbase in 2026 and never moved: covered, basis reported (G);
    # S3: bought in 2024 in ledger and moved in: noncovered, long-term (K); ledger's S5: no form (I)
    assert boxes == {"S1": "G", "S2": "G", "S3": "K", "S4": "G", "S5": "I"}


def test_import_then_reconcile(home, capsys):
    code, out, _ = run_cli(capsys, *NOW, "1099da", "import", str(home / "form.csv"), "--account", "coinbase")
    assert code == 0
    assert out.splitlines()[:2] == [
        f"{home / 'form.csv'}: harvest 1099-DA layout",
        "  coinbase 2026: 4 row(s)",
    ]
    code, report, _ = run_cli(capsys, *NOW, "1099da", "reconcile", "--year", "2026")
    assert code == 0
    golden("reconcile_1099da.txt", report)
    code, out, _ = run_cli(capsys, *NOW, "1099da", "reconcile", "--year", "2026", "--format", "json")
    result = json.loads(out)
    assert [m["sale_id"] for m in result["matched"]] == ["S2"]
    differing = {m["sale_id"]: {d["field"]: d for d in m["differences"]} for m in result["differing"]}
    # S1: FIFO (the broker) against HIFO (harvest): basis 3,000 against 4,000
    assert differing["S1"]["basis"]["amount"] == "-1000.00"
    assert differing["S1"]["basis"]["likely_cause"].startswith(
        "a different lot method: harvest (hifo) sold E2"
    )
    # S3: moved in from ledger: the broker's 9,000 against the 6,000 paid in 2024, and its term
    assert differing["S3"]["basis"]["amount"] == "3000.00"
    assert differing["S3"]["basis"]["likely_cause"].startswith("transferred-in basis")
    assert (differing["S3"]["term"]["form_1099da"], differing["S3"]["term"]["harvest"]) == ("short", "long")
    assert [(r["asset"], r["line"]) for r in result["form_only"]] == [("DOGE", 5)]
    assert [s["sale_id"] for s in result["harvest_only"]] == ["S4"]
    assert result["without_form"] == {"ledger": 1}


def test_form_8949_after_the_form_boxes_codes_and_adjustments(home, capsys):
    run_cli(capsys, *NOW, "1099da", "import", str(home / "form.csv"), "--account", "coinbase")
    rows = form_8949(capsys)
    # S1 (G): the broker's proceeds and basis in (d) and (e); B and (g) = 3,000 - 4,000 = -1,000,
    # so (h) = 5,000 - 3,000 - 1,000 = 1,000, harvest's gain
    assert rows["S1"] == ["G", "5000.00", "3000.00", "B", "-1000.00", "1000.00"]
    assert rows["S2"] == ["G", "300.00", "200.00", "", "", "100.00"]
    # S3 (K: reported without basis, long-term by harvest): the correct basis in (e), B with 0
    # (the shown basis was not reported: no adjustment) and T (the form says short-term)
    assert rows["S3"] == ["K", "9000.00", "6000.00", "BT", "0.00", "3000.00"]
    # S4: the form does not list it: no 1099-DA for this sale (I); S5: ledger has no form (I)
    assert rows["S4"][0] == "I"
    assert rows["S5"][0] == "I"


def test_importing_again_replaces_the_account_year(home, capsys):
    run_cli(capsys, *NOW, "1099da", "import", str(home / "form.csv"), "--account", "coinbase")
    (home / "form2.csv").write_text(FORM.rsplit("\n", 2)[0] + "\n")  # without the DOGE row
    code, out, _ = run_cli(capsys, *NOW, "1099da", "import", str(home / "form2.csv"), "--account", "coinbase")
    assert "coinbase 2026: 3 row(s) (replacing the earlier import)" in out
    result = json.loads(run_cli(capsys, *NOW, "1099da", "reconcile", "--year", "2026", "--format", "json")[1])
    assert result["form_only"] == []


def test_a_taxbit_layout_reads_the_same(home, capsys):
    text = """account_id,asset_symbol,asset_name,asset_quantity,acquired_date,disposed_date,proceeds,cost_basis,gain_loss_classification,customer_provided,is_noncovered_security
coinbase,SOL,Solana,2,3/1/2026,4/1/2026,300,200,Short-term,FALSE,FALSE
"""
    (home / "taxbit.csv").write_text(text)
    code, out, _ = run_cli(capsys, *NOW, "1099da", "import", str(home / "taxbit.csv"))
    assert code == 0
    assert "TaxBit 1099-DA form data layout" in out
    result = json.loads(run_cli(capsys, *NOW, "1099da", "reconcile", "--year", "2026", "--format", "json")[1])
    assert [m["sale_id"] for m in result["matched"]] == ["S2"]


def test_a_bad_form_is_refused_whole(home, capsys):
    text = "1b_asset_name,1c_units,1e_date_sold,1f_proceeds,9_noncovered\nBitcoin,abc,2026-05-01,9000,\nEther,1,13/45/2026,10,maybe\n"
    (home / "bad.csv").write_text(text)
    code, _, err = run_cli(capsys, *NOW, "1099da", "import", str(home / "bad.csv"), "--account", "coinbase")
    assert code == 2
    path = home / "bad.csv"
    assert f"{path}:2: 1c_units:" in err
    assert f"{path}:3: 1e_date_sold: expected a date YYYY-MM-DD or M/D/YYYY, got '13/45/2026'" in err
    assert f"{path}:3: 9_noncovered: expected X (checked) or blank, got 'maybe'" in err
    assert json.loads(run_cli(capsys, *NOW, "1099da", "reconcile", "--year", "2026", "--format", "json")[1])[
        "without_form"
    ] == {"coinbase": 4, "ledger": 1}
