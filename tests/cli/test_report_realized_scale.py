"""`harvest report realized --format csv` at SHIB scale: 10^15 units bought for $10^15 and sold,
with 10^-18 fractions, through the CLI; the columnar path (forced here, as a report
of 150,000 rows takes it) writes the same bytes as the row path."""

from __future__ import annotations

import pytest

from engine.reports import ledger_reports
from tests.support import HEADER, run_cli

HISTORY = f"""{HEADER}
2024-01-05T15:00:00Z,binance,SHIB,buy,1000000000000000,1,0,B1
2024-01-06T15:00:00Z,binance,SHIB,buy,0.000000000000000001,0.5,0,B2
2025-03-05T15:00:00Z,binance,SHIB,sell,999999999999999.000000000000000001,0.999,0,S1
2025-03-06T15:00:00Z,binance,SHIB,sell,1,0.25,0.000000000000000001,S2
"""


@pytest.mark.parametrize("columnar_from", [10**9, 1])
def test_realized_csv_is_exact_at_ten_to_the_fifteen(home, capsys, monkeypatch, columnar_from: int) -> None:
    monkeypatch.setattr(ledger_reports, "COLUMNAR_FROM", columnar_from)
    (home / "h.csv").write_text(HISTORY)
    assert run_cli(capsys, "import", str(home / "h.csv"))[0] == 0
    code, out, _ = run_cli(capsys, "report", "realized", "--format", "csv")
    assert code == 0
    # S1: 999999999999999.000000000000000001 x 0.999, rounded half-even at 10^-18 (the 19th
    # place is 999: up); basis pro rata of $10^15; S2: $0.25 less a 10^-18 fee, split by quantity
    # (the first slice rounded down, the last takes the rest), the 10^-18 lot's basis rounds to 0
    assert out.splitlines()[1:] == [
        "binance,SHIB,999999999999999.000000000000000001,2024-01-05,2025-03-05,"
        "998999999999999.001000000000000001,999999999999999.000000000000000001,-999999999999.999,long,B1,S1",
        "binance,SHIB,0.999999999999999999,2024-01-05,2025-03-06,0.249999999999999998,"
        "0.999999999999999999,-0.750000000000000001,long,B1,S2",
        "binance,SHIB,0.000000000000000001,2024-01-06,2025-03-06,0.000000000000000001,0.00,"
        "0.000000000000000001,long,B2,S2",
    ]
