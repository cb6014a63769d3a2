"""The multi-source story (issue 13): 1 BTC bought on Coinbase, 0.5 sent to Kraken and 0.3 to an
Electrum wallet, 0.2 of that sent on to Kraken, and the 0.7 sold on Kraken. Each file as its
source writes it (tests/fixtures/story/); the transfers pair across the files (no file has both
ends' tx id), so the lots reach Kraken with their Coinbase basis and date, and the realized
report is checked by hand."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from engine.imports.formats import Options
from engine.imports.importer import read_file
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots
from tui.cli.main import main

STORY = Path(__file__).resolve().parents[1] / "fixtures" / "story"
FILES = (STORY / "coinbase.csv", STORY / "ledgers.csv", STORY / "electrum.csv")


def test_every_transfer_finds_its_other_end_across_the_files():
    options = Options(None, ZoneInfo("America/New_York"), None)  # Electrum's times are local
    events = [e for path in FILES for e in read_file(path, options).events]
    result = match_lots(build_ledger(events), "fifo")
    assert [w for w in result.warnings if "transfer" in w or "untracked" in w] == []
    # the BTC at Kraken and in the wallet is Coinbase's lot s1, with its basis ($40,100 for 1 BTC)
    lots = sorted((o.account, o.lot_id, str(o.quantity), str(o.basis)) for o in result.open_lots)
    assert lots == [
        ("coinbase", "s1", "199800000000000000", "8011980000000000000000"),  # 1 - 0.5 - 0.3 - 2 x 0.0001 fees
        ("electrum", "s1", "99900000000000000", "4005990000000000000000"),  # 0.3 - 0.2 - 0.0001 fee
    ]


def test_the_realized_report_of_the_story_by_hand(home, capsys):
    assert main(["import", *map(str, FILES), "--timezone", "America/New_York"]) == 0
    out = capsys.readouterr().out
    assert "imported 3 new event(s) from " + str(FILES[0]) in out
    assert main(["report", "realized", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    rows = [(r["account"], r["quantity"], r["date_acquired"], r["date_sold"], r["proceeds"], r["cost_basis"],
             r["gain"], r["term"], r["lot_id"], r["sale_id"])
            for r in csv.DictReader(io.StringIO(captured.out))]  # fmt: skip
    # Basis: 1 BTC for $40,000 + $100 fee = $40,100 ($40.10 per 0.001). Coinbase's network fees
    # (0.0001 BTC each, $4.20 and $4.30) are disposals from that lot: gains 0.19 and 0.29. The 0.7
    # sold on Kraken for $31,500 - $50.40 fee = $31,449.60 is lot s1 in two slices (0.5 arrived from
    # Coinbase, 0.2 via the wallet): proceeds 5/7 and 2/7 of it, basis 0.5 and 0.2 of $40,100.
    assert rows == [
        ("coinbase", "0.0001", "2024-01-10", "2024-02-01", "4.20", "4.01", "0.19", "short", "s1", "s2:fee"),
        ("coinbase", "0.0001", "2024-01-10", "2024-02-02", "4.30", "4.01", "0.29", "short", "s1", "s3:fee"),
        ("kraken", "0.5", "2024-01-10", "2024-03-15", "22464.00", "20050.00", "2414.00", "short", "s1",
         "TSTORY-BBBBB-CCCC03"),
        ("kraken", "0.2", "2024-01-10", "2024-03-15", "8985.60", "8020.00", "965.60", "short", "s1",
         "TSTORY-BBBBB-CCCC03"),
    ]  # fmt: skip
    # the wallet's own network fee has no USD value in Electrum's file: left out, and said so
    assert "no USD value for the fee in BTC" in captured.err
