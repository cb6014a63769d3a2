"""`harvest watch` as a process (cron runs, signals, one per store) and the tax reports."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tui.cli.main import main

LEDGER = """timestamp,account,asset,side,quantity,price,fee,trade_id,lots
2025-01-05T15:00:00Z,kraken,BTC,buy,1,40000,10,K1,
2025-06-05T15:00:00Z,kraken,BTC,buy,1,60000,10,K4,
2026-02-01T15:00:00Z,kraken,BTC,sell,0.5,100000,10,K2,K4:0.5
2026-03-01T15:00:00Z,kraken,SOL,buy,100,250,0,K3,
2026-04-01T15:00:00Z,ledger,SOL,buy,10,200,0,L1,
2026-05-01T15:00:00Z,ledger,SOL,sell,10,220,0,L2,
"""
CONFIG = """tax:
  timezone: America/New_York
  ordinary_taxable_income: 150000
accounts:
  - name: kraken
    exchange: kraken
    form_8949_box: with_basis
alerts:
  min_net_savings: 1000
  min_asset_net_savings: 100000
  long_term_days: 0
  deadline_days: []
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    (tmp_path / "config.yaml").write_text(CONFIG)
    monkeypatch.setenv("HARVEST_CONFIG", str(tmp_path / "config.yaml"))
    (tmp_path / "ledger.csv").write_text(LEDGER)
    (tmp_path / "prices.csv").write_text("asset,price\nBTC,90000\nSOL,150\n")
    assert main(["import", str(tmp_path / "ledger.csv")]) == 0
    return tmp_path


def test_watch_once_prints_json_lines_and_respects_the_cooldown(home, capsys):
    capsys.readouterr()
    args = [
        "--as-of",
        "2026-11-24",
        "watch",
        "--once",
        "--format",
        "json",
        "--prices",
        str(home / "prices.csv"),
    ]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    # short-term gains this year: 19,985 (K2, identified from K4) + 200 (L2) at 24% (income
    # 150,000); SOL's loss of 10,000 offsets them: 2,400, less the default costs of 0.15% of its
    # 15,000 value on the sale and on the rebuy (45) -> 2,355
    assert [json.loads(line)["value"] for line in lines] == ["2355"]
    assert main(args) == 0
    assert capsys.readouterr().out == ""  # a second cron run stays quiet


def run_watch(home, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "HARVEST_HOME": str(home / "home"), "HARVEST_CONFIG": str(home / "config.yaml")}
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "watch", "--prices", str(home / "prices.csv"), *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for_lock(home, proc: subprocess.Popen, seconds: float = 20) -> None:
    lock = home / "home" / "watch.lock"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip() == str(proc.pid):
            return
        time.sleep(0.05)
    raise AssertionError("the monitor never took its lock")


@pytest.mark.slow
def test_sigterm_stops_the_monitor_within_two_seconds_and_a_second_is_refused(home):
    proc = run_watch(home)
    try:
        wait_for_lock(home, proc)
        second = run_watch(home, "--once")
        _out, err = second.communicate(timeout=30)
        assert second.returncode == 3
        assert f"another harvest watch (pid {proc.pid}) is running on this store" in err
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        assert time.monotonic() - sent < 2
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_form_8949_parts_boxes_and_totals(home, capsys):
    capsys.readouterr()
    assert main(["report", "8949", "--year", "2026", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # kraken reports with basis (box G short / J long); ledger is not reported (box I / L)
    # K2 sold 0.5 of K4 (identified, bought 2025-06-05: short-term): proceeds 49,995, basis 30,005
    by_sale = {(r["sale_id"], r["lot_id"]): r for r in rows}
    k2 = by_sale[("K2", "K4")]
    assert (k2["part"], k2["box"], k2["proceeds"], k2["cost_basis"], k2["gain"]) == (
        "I",
        "G",
        "49990.00",
        "30005.00",
        "19985.00",
    )
    assert k2["date_acquired"] == "06/05/2025"
    assert k2["purchase_price"] == "60010.00"
    assert k2["sale_price"] == "99980.00"
    l2 = by_sale[("L2", "L1")]
    assert (l2["part"], l2["box"], l2["gain"]) == ("I", "I", "200.00")
    assert main(["report", "8949", "--year", "2026"]) == 0
    table = capsys.readouterr().out
    assert "Totals to carry to Schedule D" in table
    assert "I     G    49990.00    30005.00        0.00  19985.00" in table  # adjustments (g) total 0


def test_identification_log_and_methods(home, capsys):
    capsys.readouterr()
    assert main(["report", "identifications", "--format", "json"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert log["decisions"] == []  # the user's decisions go out with the log (none here)
    (entry,) = log["identifications"]
    assert (entry["sale_id"], entry["lots"], entry["sold_at"]) == ("K2", "K4:0.5", "2026-02-01T15:00:00Z")
    assert entry["in_time"] == "from your records (imported after the sale)"
    assert main(["report", "methods", "--year", "2026", "--format", "json"]) == 0
    methods = {m["method"]: m for m in json.loads(capsys.readouterr().out)["methods"]}
    # the K2 identification applies under every method: the same 19,985 short-term gain
    assert {m["short_term"] for m in methods.values()} == {"20185.00"}


def test_preliminary_report(home, capsys):
    capsys.readouterr()
    args = [
        "--as-of",
        "2026-11-24",
        "report",
        "preliminary",
        "--prices",
        str(home / "prices.csv"),
        "--format",
        "json",
    ]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tax"]["realized"] == {"short_term": "20185.00", "long_term": "0.00"}
    # open lots at 90,000 BTC / 150 SOL: K1, 1 BTC (90,000 - 40,010 = +49,990) and the other half of
    # K4 (45,000 - 30,005 = +14,995), both held over a year by Nov 24; SOL 100 at 250 -> 150: -10,000
    assert report["unrealized"] == [
        {"asset": "BTC", "term": "long", "unrealized": "64985.00"},
        {"asset": "SOL", "term": "short", "unrealized": "-10000.00"},
    ]
    assert report["plan"]["net_savings"] == "2355.00"
    assert report["deadline"] == {"date": "2026-12-31", "days_left": 37}
    assert report["data_problems"] == []
    assert main([*args[:-1], "markdown"]) == 0
    assert "# Preliminary tax report 2026" in capsys.readouterr().out


def test_watch_once_exits_non_zero_when_no_sink_took_the_alert_and_a_later_run_delivers_it(home, capsys):
    received = home / "got.json"
    flag = home / "sink-works"
    config = CONFIG.replace(
        "alerts:\n", f"alerts:\n  sinks: [{{type: command, run: 'test -e {flag} && cat > {received}'}}]\n"
    )
    (home / "config.yaml").write_text(config)
    args = ["--as-of", "2026-11-24", "watch", "--once", "--prices", str(home / "prices.csv")]
    capsys.readouterr()
    assert main(args) == 1
    assert "no alert was delivered (every sink failed); the next run retries" in capsys.readouterr().err
    flag.write_text("")
    assert main(args) == 0  # the crossing is not new, but the alert owed to the sink is delivered
    assert json.loads(received.read_text())["key"] == "total"
    received.unlink()
    assert main(args) == 0
    assert not received.exists()  # delivered once
