"""`harvest report methods`: realized ST/LT and tax under fifo, lifo and hifo, hand-checked."""

from __future__ import annotations

from decimal import Decimal

from engine.planning.planner import Planner
from engine.reports.methods import MethodResult, compare_methods, methods_json, methods_table
from tests.support import HEADER, engine_from_csv, usd

# three BTC lots, one sold on 2026-06-01 at 50,000 (no fees):
# fifo sells K1 (2024, 20,000): +30,000 long-term
# lifo sells K3 (2026-03, 60,000): -10,000 short-term
# hifo sells K2 (2026-02, 70,000): -20,000 short-term
LEDGER = f"""{HEADER}
2024-01-10T15:00:00Z,kraken,BTC,buy,1,20000,0,K1
2026-02-01T15:00:00Z,kraken,BTC,buy,1,70000,0,K2
2026-03-01T15:00:00Z,kraken,BTC,buy,1,60000,0,K3
2026-06-01T15:00:00Z,kraken,BTC,sell,1,50000,0,S1
"""

# 2026, single, 150,000 of ordinary income: 10% x 12,400 + 12% x 38,000 + 22% x 55,300
# + 24% x 44,300 = 28,598.
# fifo: + 15% x 30,000 = 4,500 -> 33,098.00 (MAGI 180,000: under the 200,000 NIIT threshold)
# lifo, hifo: a net loss deducts 3,000 from ordinary income at 24%: 28,598 - 720 = 27,878.00
TABLE = """\
method  short_term  long_term  total_tax
------  ----------  ---------  ---------
fifo          0.00   30000.00   33098.00
lifo     -10000.00       0.00   27878.00
hifo     -20000.00       0.00   27878.00
Identifications recorded for a sale apply under every method.
"""

JSON = """\
{
  "year": 2026,
  "methods": [
    {
      "method": "fifo",
      "short_term": "0.00",
      "long_term": "30000.00",
      "total_tax": "33098.00"
    },
    {
      "method": "lifo",
      "short_term": "-10000.00",
      "long_term": "0.00",
      "total_tax": "27878.00"
    },
    {
      "method": "hifo",
      "short_term": "-20000.00",
      "long_term": "0.00",
      "total_tax": "27878.00"
    }
  ]
}
"""


def test_fifo_lifo_and_hifo_compared(tmp_path):
    results = compare_methods(Planner(engine_from_csv(tmp_path, LEDGER)), 2026)
    assert [(r.method, r.short_term, r.long_term) for r in results] == [
        ("fifo", 0, usd("30000")),
        ("lifo", usd("-10000"), 0),
        ("hifo", usd("-20000"), 0),
    ]
    assert [str(r.total_tax.quantize(Decimal("0.01"))) for r in results] == [
        "33098.00",
        "27878.00",
        "27878.00",
    ]
    assert methods_table(results) == TABLE
    assert methods_json(2026, results) == JSON


def test_a_year_without_sales_is_all_zero(tmp_path):
    results = compare_methods(Planner(engine_from_csv(tmp_path, LEDGER)), 2025)
    assert [(r.method, r.short_term, r.long_term) for r in results] == [
        ("fifo", 0, 0),
        ("lifo", 0, 0),
        ("hifo", 0, 0),
    ]
    assert all(isinstance(r, MethodResult) for r in results)
