"""Exports are safe to open in a spreadsheet: text that would run as a formula is quoted as text;
numbers, negative ones included, stay numbers."""

from __future__ import annotations

import pytest

from engine.reports.csv_output import csv_text, spreadsheet_safe
from tests.support import HEADER, engine_from_csv


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("-12.50", "-12.50"),
        ("+3", "+3"),
        ("1e-8", "1e-8"),
        ("BTC", "BTC"),
        ("", ""),
        (None, None),
        (7, 7),
    ],
)
def test_spreadsheet_safe(cell, written):
    assert spreadsheet_safe(cell) == written


def test_csv_text_quotes_formula_cells_in_every_row():
    assert (
        csv_text(("asset", "gain"), [("=1+2", "-5.00"), ("ETH", "3")]) == "asset,gain\n'=1+2,-5.00\nETH,3\n"
    )


def test_an_imported_formula_in_an_account_name_reaches_the_realized_csv_as_text(tmp_path):
    from engine.reports.ledger_reports import lots_csv, realized_csv

    engine = engine_from_csv(
        tmp_path,
        f"""{HEADER}
2026-01-05T15:00:00Z,=cmd|' /C calc'!A0,BTC,buy,1,100,0,T1
2026-02-05T15:00:00Z,=cmd|' /C calc'!A0,BTC,sell,0.5,80,0,T2
""",
    )
    rows, _ = engine.realized(2026)
    realized = realized_csv(rows).splitlines()[1]
    assert realized.startswith("'=cmd|' /C calc'!A0,BTC,0.5,")
    assert ",-10.00," in realized  # the loss stays a number
    lots = lots_csv(engine.open_lots(), priced=False).splitlines()[1]
    assert lots.startswith("'=cmd|' /C calc'!A0,BTC,T1,")
