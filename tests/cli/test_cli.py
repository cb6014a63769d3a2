"""The command line, end to end in-process: output formats, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tui.cli.main import main

LEDGER = """timestamp,account,asset,side,quantity,price,fee,trade_id
2025-01-05T15:00:00Z,kraken,BTC,buy,1,40000,10,K1
2026-02-01T15:00:00Z,kraken,BTC,sell,0.5,100000,10,K2
2026-03-01T15:00:00Z,kraken,SOL,buy,100,250,5,K3
2025-12-31T03:00:00Z,kraken,SOL,buy,1,10,0,K0
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    config = tmp_path / "config.yaml"
    config.write_text("tax:\n  timezone: America/New_York\n  ordinary_taxable_income: 150000\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(config))
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(LEDGER)
    prices = tmp_path / "prices.csv"
    prices.write_text("asset,price\nBTC,90000\nSOL,120\n")
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_then_realized_csv(home, capsys):
    assert run(capsys, "import", str(home / "ledger.csv"))[0] == 0
    code, out, _ = run(capsys, "report", "realized", "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert (
        lines[0]
        == "account,asset,quantity,date_acquired,date_sold,proceeds,cost_basis,gain,term,lot_id,sale_id"
    )
    # 0.5 BTC: proceeds 50,000 - 10 = 49,990; basis (40,000 + 10) / 2 = 20,005
    assert lines[1] == "kraken,BTC,0.5,2025-01-05,2026-02-01,49990.00,20005.00,29985.00,long,K1,K2"


def test_year_filter_and_json_totals(home, capsys):
    run(capsys, "import", str(home / "ledger.csv"))
    code, out, _ = run(capsys, "report", "realized", "--year", "2025", "--format", "json")
    assert code == 0
    assert json.loads(out)["rows"] == []
    payload = json.loads(run(capsys, "report", "realized", "--format", "json")[1])
    assert payload["totals"]["2026"]["long_term"] == {
        "proceeds": "49990.00",
        "cost_basis": "20005.00",
        "gain": "29985.00",
    }


def test_lots_with_prices(home, capsys):
    run(capsys, "import", str(home / "ledger.csv"))
    code, out, _ = run(
        capsys,
        "--as-of",
        "2026-11-24",
        "report",
        "lots",
        "--prices",
        str(home / "prices.csv"),
        "--format",
        "csv",
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    sol = [r for r in rows if r["lot_id"] == "K3"][0]
    assert sol["cost_basis"] == "25005.00"
    assert sol["value"] == "12000.00"
    assert sol["unrealized"] == "-13005.00"
    assert sol["term"] == "short"
    # K0 was bought at 22:00 on Dec 30 in New York (03:00Z Dec 31): long-term from 2026-12-31
    k0 = [r for r in rows if r["lot_id"] == "K0"][0]
    assert k0["date_acquired"] == "2025-12-30"
    assert k0["days_to_long_term"] == "37"


def test_bad_csv_exits_2_with_file_line_column(home, capsys):
    bad = home / "bad.csv"
    bad.write_text("timestamp,account,asset,side,quantity,price,fee\n2026-01-01,kraken,BTC,buy,1,1,0\n")
    code, out, err = run(capsys, "import", str(bad))
    assert code == 2
    assert f"{bad}:2: timestamp:" in err
    assert "Traceback" not in err
    assert "nothing imported" in err


def test_bad_config_names_the_key(home, capsys, monkeypatch):
    config = home / "bad.yaml"
    config.write_text("lots:\n  methd: hifo\n")
    code, _out, err = run(capsys, "--config", str(config), "report", "lots")
    assert code == 2
    assert err.strip() == f"harvest: {config}:2: lots.methd: unknown key (did you mean lots.method?)"


def test_missing_named_config_is_one_line(home, capsys):
    code, _out, err = run(capsys, "--config", str(home / "nope.yaml"), "report", "lots")
    assert code == 2
    assert err.count("\n") == 1
    assert "config file not found" in err


def test_tax_json_schema(home, capsys):
    run(capsys, "import", str(home / "ledger.csv"))
    code, out, _ = run(capsys, "--as-of", "2026-11-24", "tax", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert set(payload) >= {
        "year",
        "filing_status",
        "realized",
        "carryforward_in",
        "ordinary_income_offset",
        "carryforward_out",
        "federal_income_tax",
        "niit",
        "state_tax",
        "total_tax",
        "marginal_rates",
    }
    assert payload["realized"] == {"short_term": "0.00", "long_term": "29985.00"}
    # 150,000 of income: 10% x 12,400 + 12% x 38,000 + 22% x 55,300 + 24% x 44,300
    # = 1,240 + 4,560 + 12,166 + 10,632 = 28,598; the LT gain at 15%: 29,985 x 0.15 = 4,497.75
    assert payload["federal_income_tax"] == "33095.75"
    assert payload["marginal_rates"] == {"short_term": "0.24", "long_term": "0.15"}


def test_scan_and_plan_json(home, capsys):
    run(capsys, "import", str(home / "ledger.csv"))
    code, out, _ = run(
        capsys, "--as-of", "2026-11-24", "scan", "--prices", str(home / "prices.csv"), "--format", "json"
    )
    assert code == 0
    (candidate,) = json.loads(out)["candidates"]
    assert candidate["asset"] == "SOL"
    assert candidate["lot_ids"] == ["K3"]
    assert candidate["loss"] == "-13005.00"
    assert candidate["savings_this_year"] == "1950.75"
    code, out, _ = run(
        capsys,
        "--as-of",
        "2026-11-24",
        "plan",
        "--prices",
        str(home / "prices.csv"),
        "--format",
        "json",
        "--save",
    )
    plan = json.loads(out)
    assert plan["steps"][0]["lots"][0]["lot_id"] == "K3"
    assert plan["net_savings"] == "1914.75"
    assert run(capsys, "checklist", "advance", "1")[1] == "step 1: identified\n"
    assert run(capsys, "checklist", "advance", "1")[1] == "step 1: sold\n"
    code, _out, err = run(capsys, "checklist", "advance", "1")
    assert code == 2
    assert "not due until" in err


def test_scan_without_prices_says_how_to_get_them(home, capsys):
    run(capsys, "import", str(home / "ledger.csv"))
    code, _out, err = run(capsys, "scan")
    assert code == 2
    assert "no prices" in err


def test_unknown_tax_year_is_named(home, capsys):
    code, _out, err = run(capsys, "tax", "--year", "2031")
    assert code == 2
    assert "2031" in err


def test_checklist_speaks_in_words_in_the_tax_zone_and_json_stays_utc(home, capsys):
    """`harvest checklist` showed `identification recorded 2026-11-24T17:00:00Z` and `rebuy_due`;
    the config's zone is America/New_York, where the clock's noon is 12:00."""
    run(capsys, "import", str(home / "ledger.csv"))
    day = ("--as-of", "2026-11-24")
    run(capsys, *day, "plan", "--prices", str(home / "prices.csv"), "--save")
    assert run(capsys, *day, "checklist", "advance", "1")[1] == "step 1: identified\n"
    assert run(capsys, *day, "checklist", "advance", "1")[1] == "step 1: sold\n"
    code, _out, err = run(capsys, *day, "checklist", "advance", "1")
    assert (code, err.strip()) == (2, "harvest: step 1: the rebuy is not due until Nov 25 12:00")
    lines = run(capsys, *day, "checklist")[1].splitlines()
    assert lines[0].startswith("1 ☐ sold       sell 100 SOL on kraken")
    assert lines[1:] == [
        "    identified Nov 24 12:00",
        "    sold Nov 24 12:00",
        "    rebuy 100 SOL on kraken: in 1d 0h (Nov 25 12:00)",
    ]
    assert run(capsys, "--as-of", "2026-11-26", "checklist", "advance", "1")[1] == "step 1: rebuy due\n"
    out = run(capsys, *day, "checklist", "skip", "1", "--reason", "staying out")[1]
    assert out == "step 1: done (rebuy skipped: staying out)\n"
    (row,) = json.loads(run(capsys, *day, "checklist", "show", "--format", "json")[1])
    assert (row["state"], row["identified_at"], row["sold_at"]) == (
        "done",
        "2026-11-24T17:00:00Z",
        "2026-11-24T17:00:00Z",
    )
