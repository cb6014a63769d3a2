"""Hand-checked cost-basis cases: every expected figure is worked out in the comment beside it."""

from __future__ import annotations

from datetime import date

import pytest

from engine.core.dates import (
    TaxCalendar,
    anniversary,
    days_to_long_term,
    is_long_term,
    load_zone,
    parse_timestamp,
)
from tests.support import engine_from_csv, usd

H = "timestamp,account,asset,side,quantity,price,fee,trade_id"


def d(text: str) -> int:
    return date.fromisoformat(text).toordinal()


def realized(tmp_path, text, method="fifo", year=None, **kw):
    engine = engine_from_csv(tmp_path, text, **kw)
    rows, excluded = engine.realized(year, method)
    return engine, rows, excluded


# -- holding period ------------------------------------------------------------------------


def test_anniversary_sale_is_short_term_and_the_next_day_long():
    assert not is_long_term(d("2025-01-01"), d("2026-01-01"))
    assert is_long_term(d("2025-01-01"), d("2026-01-02"))


def test_leap_day_and_month_end_acquisitions():
    # Feb 29 completes its year on the last day of Feb: 2025-02-28
    assert anniversary(d("2024-02-29")) == d("2025-02-28")
    assert not is_long_term(d("2024-02-29"), d("2025-02-28"))
    assert is_long_term(d("2024-02-29"), d("2025-03-01"))
    # bought on the last day of February 2023: the year ends on Feb 29, 2024
    assert anniversary(d("2023-02-28")) == d("2024-02-29")
    assert not is_long_term(d("2023-02-28"), d("2024-02-29"))
    # an ordinary day
    assert anniversary(d("2025-03-15")) == d("2026-03-15")


def test_days_to_long_term():
    # bought 2026-06-01: long-term from 2027-06-02; from 2026-11-24 that is 190 days
    assert days_to_long_term(d("2026-06-01"), d("2026-11-24")) == 190
    assert days_to_long_term(d("2024-06-01"), d("2026-11-24")) == 0


def test_tax_year_is_the_trade_date_in_the_tax_zone():
    moment = parse_timestamp("2025-12-31T23:30:00-08:00")  # 2026-01-01T07:30Z
    assert TaxCalendar(load_zone("America/Los_Angeles")).day(moment) == d("2025-12-31")
    assert TaxCalendar(load_zone("UTC")).day(moment) == d("2026-01-01")
    # across the DST change in New York (2026-03-08 02:00 EST -> EDT)
    ny = TaxCalendar(load_zone("America/New_York"))
    assert ny.day(parse_timestamp("2026-03-08T04:59:00Z")) == d("2026-03-07")  # 23:59 EST
    assert ny.day(parse_timestamp("2026-03-09T03:59:00Z")) == d("2026-03-08")  # 23:59 EDT
    assert ny.day_function()(parse_timestamp("2026-03-09T03:59:00Z")) == d("2026-03-08")


def test_naive_timestamps_are_refused():
    with pytest.raises(ValueError, match="no time zone"):
        parse_timestamp("2026-01-01T10:00:00")


# -- methods -------------------------------------------------------------------------------

THREE_BUYS = f"""{H}
2026-01-10T15:00:00Z,kraken,BTC,buy,1,30000,0,B1
2026-02-10T15:00:00Z,kraken,BTC,buy,1,50000,0,B2
2026-03-10T15:00:00Z,kraken,BTC,buy,1,40000,0,B3
2026-04-10T15:00:00Z,kraken,BTC,sell,1.5,45000,0,S1
"""


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # fifo: B1 whole (45,000 x 1 - 30,000 = 15,000) then half of B2 (22,500 - 25,000 = -2,500)
        ("fifo", [("B1", "1", "45000", "30000", "15000"), ("B2", "0.5", "22500", "25000", "-2500")]),
        # lifo: B3 whole (45,000 - 40,000 = 5,000) then half of B2 (-2,500)
        ("lifo", [("B3", "1", "45000", "40000", "5000"), ("B2", "0.5", "22500", "25000", "-2500")]),
        # hifo: B2 whole (45,000 - 50,000 = -5,000) then half of B3 (22,500 - 20,000 = 2,500)
        ("hifo", [("B2", "1", "45000", "50000", "-5000"), ("B3", "0.5", "22500", "20000", "2500")]),
    ],
)
def test_methods_pick_different_lots(tmp_path, method, expected):
    _engine, rows, _ = realized(tmp_path, THREE_BUYS, method)
    got = [(r.lot_id, r.quantity, r.proceeds, r.cost_basis, r.gain) for r in rows]
    assert got == [(lot, usd(q), usd(p), usd(b), usd(g)) for lot, q, p, b, g in expected]


def test_hifo_ties_go_to_the_older_lot(tmp_path):
    text = f"""{H}
2026-01-10T15:00:00Z,kraken,ETH,buy,1,3000,0,E1
2026-02-10T15:00:00Z,kraken,ETH,buy,1,3000,0,E2
2026-03-10T15:00:00Z,kraken,ETH,sell,1,2000,0,S1
"""
    _engine, rows, _ = realized(tmp_path, text, "hifo")
    assert [r.lot_id for r in rows] == ["E1"]


def test_hifo_ranks_by_fee_inclusive_unit_cost(tmp_path):
    # E1: (3000 + 100 fee) / 1 = 3,100 per unit; E2: 3,050 per unit. E1 goes first.
    text = f"""{H}
2026-01-10T15:00:00Z,kraken,ETH,buy,1,3000,100,E1
2026-02-10T15:00:00Z,kraken,ETH,buy,1,3050,0,E2
2026-03-10T15:00:00Z,kraken,ETH,sell,1,2000,0,S1
"""
    _engine, rows, _ = realized(tmp_path, text, "hifo")
    assert [(r.lot_id, r.cost_basis) for r in rows] == [("E1", usd("3100"))]


# -- fees ----------------------------------------------------------------------------------


def test_purchase_fee_adds_to_basis_and_sale_fee_reduces_proceeds(tmp_path):
    text = f"""{H}
2026-01-10T15:00:00Z,kraken,BTC,buy,2,30000,60,B1
2026-05-10T15:00:00Z,kraken,BTC,sell,1,40000,40,S1
"""
    _engine, (row,), _ = realized(tmp_path, text)
    # basis of half the lot: (60,000 + 60) / 2 = 30,030; proceeds 40,000 - 40 = 39,960
    assert row.cost_basis == usd("30030")
    assert row.proceeds == usd("39960")
    assert row.gain == usd("9930")


def test_fee_paid_in_crypto_is_a_disposal_and_still_part_of_the_cost(tmp_path):
    text = """timestamp,account,asset,side,quantity,price,fee,fee_asset,trade_id
2026-01-10T15:00:00Z,binance,BTC,buy,1,20000,0,USD,B0
2026-03-10T15:00:00Z,binance,BTC,buy,1,30000,0.001,BTC,B1
"""
    engine, rows, _ = realized(tmp_path, text)
    # the 0.001 BTC fee is sold at 30,000: proceeds 30; FIFO takes it from B0 (basis 20/1000 = 20)
    assert [(r.lot_id, r.sale_id, r.quantity, r.proceeds, r.cost_basis, r.gain) for r in rows] == [
        ("B0", "B1:fee", usd("0.001"), usd("30"), usd("20"), usd("10"))
    ]
    lots = {lot.lot_id: lot for lot in engine.lots().open_lots}
    # B1's basis: 30,000 + the fee's 30 USD value
    assert lots["B1"].basis == usd("30030")
    assert lots["B0"].quantity == usd("0.999")
    assert lots["B0"].basis == usd("19980")


def test_fee_in_a_third_asset_with_and_without_its_usd_value(tmp_path):
    text = """timestamp,account,asset,side,quantity,price,fee,fee_asset,fee_usd,trade_id
2026-01-10T15:00:00Z,binance,BNB,buy,1,600,0,USD,,N1
2026-02-10T15:00:00Z,binance,BTC,buy,1,30000,0.01,BNB,6.5,B1
2026-03-10T15:00:00Z,binance,BTC,buy,1,31000,0.01,BNB,,B2
"""
    engine, rows, excluded = realized(tmp_path, text)
    # with fee_usd: 0.01 BNB sold for 6.50 against 6.00 basis; B1 basis 30,006.50
    assert [(r.sale_id, r.proceeds, r.cost_basis) for r in rows] == [("B1:fee", usd("6.5"), usd("6"))]
    lots = {lot.lot_id: lot for lot in engine.lots().open_lots}
    assert lots["B1"].basis == usd("30006.5")
    # without: the fee's value is unknown, so B2's basis is unknown and the disposal left out
    assert lots["B2"].basis is None
    assert [(e.sale_id, e.problem) for e in excluded] == [("B2:fee", "no USD value for the fee in BNB")]
    assert any("B2" in w and "basis unknown" in w for w in engine.lots().warnings)


def test_crypto_to_crypto_is_two_legs_valued_in_usd(tmp_path):
    text = """timestamp,account,asset,side,quantity,price,fee,quote,fee_asset,price_usd,trade_id
2026-01-10T15:00:00Z,kraken,ETH,buy,2,2000,0,USD,USD,,E1
2026-03-10T15:00:00Z,kraken,SOL,buy,10,0.05,0.01,ETH,ETH,150,X1
"""
    engine, rows, _ = realized(tmp_path, text)
    # 10 SOL at 0.05 ETH = 0.5 ETH disposed; value received 10 x 150 = 1,500; the fee 0.01 ETH is
    # worth 0.01 x (150 / 0.05) = 30 and reduces that proceeds: 1,470. Basis 0.5 x 2,000 = 1,000.
    # The fee's own 0.01 ETH is a disposal too: proceeds 30, basis 20.
    got = [(r.sale_id, r.quantity, r.proceeds, r.cost_basis) for r in rows]
    assert got == [
        ("X1:ETH", usd("0.5"), usd("1470"), usd("1000")),
        ("X1:fee", usd("0.01"), usd("30"), usd("20")),
    ]
    sol = [lot for lot in engine.lots().open_lots if lot.asset == "SOL"]
    assert [(s.quantity, s.basis) for s in sol] == [(usd("10"), usd("1500"))]  # FMV, no fee added


def test_crypto_to_crypto_without_a_usd_price_is_flagged_not_zero(tmp_path):
    text = """timestamp,account,asset,side,quantity,price,fee,quote,trade_id
2026-01-10T15:00:00Z,kraken,ETH,buy,2,2000,0,USD,E1
2026-03-10T15:00:00Z,kraken,SOL,buy,10,0.05,0,ETH,X1
"""
    engine, rows, excluded = realized(tmp_path, text)
    assert rows == []
    assert [(e.sale_id, e.problem) for e in excluded] == [("X1:ETH", "no USD price for SOL in ETH")]
    sol = [lot for lot in engine.lots().open_lots if lot.asset == "SOL"]
    assert sol[0].basis is None


# -- transfers, shortfalls, identification --------------------------------------------------


def test_transfer_keeps_basis_and_date_so_a_later_sale_is_long_term(tmp_path):
    text = """timestamp,account,asset,side,quantity,price,fee,trade_id,tx_id,counterpart_account
2025-01-10T15:00:00Z,coinbase,BTC,buy,1,40000,0,C1,,
2025-12-01T15:00:00Z,coinbase,BTC,transfer_out,0.4,,0,T1,0xabc,ledger
2025-12-01T15:20:00Z,ledger,BTC,transfer_in,0.4,,0,T2,0xabc,coinbase
2026-02-01T15:00:00Z,ledger,BTC,sell,0.4,90000,0,S1,,
"""
    engine, (row,), _ = realized(tmp_path, text)
    # 0.4 of C1: basis 16,000, acquired 2025-01-10, sold 2026-02-01: long-term
    assert (row.account, row.lot_id, row.cost_basis, row.term) == ("ledger", "C1", usd("16000"), "long")
    assert row.acquired_day == d("2025-01-10")
    (left,) = engine.lots().open_lots
    assert (left.account, left.quantity, left.basis) == ("coinbase", usd("0.6"), usd("24000"))


def test_transfer_in_without_a_source_is_an_unknown_basis_lot(tmp_path):
    text = f"{H}\n2026-02-01T15:00:00Z,ledger,ETH,transfer_in,3,,0,T9\n"
    engine, _rows, _ = realized(tmp_path, text)
    (lot,) = engine.lots().open_lots
    assert (lot.quantity, lot.basis) == (usd("3"), None)
    assert any("no matching transfer out" in w for w in engine.lots().warnings)


def test_selling_more_than_held_is_a_shortfall_not_a_crash(tmp_path):
    text = f"""{H}
2026-01-10T15:00:00Z,kraken,SOL,buy,10,100,0,B1
2026-02-10T15:00:00Z,kraken,SOL,sell,12,150,0,S1
"""
    engine, rows, excluded = realized(tmp_path, text)
    # 10 of the 12 are covered: proceeds 1,800 x 10/12 = 1,500, basis 1,000
    assert [(r.quantity, r.proceeds, r.cost_basis) for r in rows] == [(usd("10"), usd("1500"), usd("1000"))]
    (gap,) = engine.lots().shortfalls
    assert (gap.account, gap.asset, gap.quantity, gap.sale_id) == ("kraken", "SOL", usd("2"), "S1")
    assert [(e.quantity, e.problem) for e in excluded] == [(usd("2"), "missing history")]


def test_partial_lots_split_basis_exactly(tmp_path):
    # basis 100 split in thirds: 33.333... each; what is left keeps the remainder exactly
    text = f"""{H}
2026-01-10T15:00:00Z,kraken,XYZ,buy,3,33.3333333333,0.0000000001,B1
2026-02-10T15:00:00Z,kraken,XYZ,sell,1,40,0,S1
2026-03-10T15:00:00Z,kraken,XYZ,sell,1,40,0,S2
"""
    engine, rows, _ = realized(tmp_path, text)
    (lot,) = engine.lots().open_lots
    assert sum(r.cost_basis for r in rows) + lot.basis == usd("100")
    assert lot.quantity == usd("1")


def test_selling_a_whole_position_leaves_exactly_zero(tmp_path):
    text = f"""{H}
2026-01-10T15:00:00Z,kraken,DOGE,buy,0.1,1,0,B1
2026-01-11T15:00:00Z,kraken,DOGE,buy,0.2,1,0,B2
2026-02-10T15:00:00Z,kraken,DOGE,sell,0.3,2,0,S1
"""
    engine, rows, _ = realized(tmp_path, text)
    assert engine.lots().open_lots == []
    assert sum(r.quantity for r in rows) == usd("0.3")


def test_specific_identification_overrides_the_method(tmp_path):
    text = """timestamp,account,asset,side,quantity,price,fee,trade_id,lots
2026-01-10T15:00:00Z,kraken,BTC,buy,1,30000,0,B1,
2026-02-10T15:00:00Z,kraken,BTC,buy,1,50000,0,B2,
2026-04-10T15:00:00Z,kraken,BTC,sell,1,45000,0,S1,B2:1
"""
    _engine, rows, _ = realized(tmp_path, text, "fifo")
    assert [(r.lot_id, r.gain) for r in rows] == [("B2", usd("-5000"))]


def test_specific_method_without_identification_falls_back_to_fifo_and_says_so(tmp_path):
    engine, rows, _ = realized(tmp_path, THREE_BUYS, "specific")
    assert [r.lot_id for r in rows] == ["B1", "B2"]
    assert "S1: no specific identification recorded; FIFO used" in engine.lots("specific").warnings


def test_pools_are_per_account_unless_universal(tmp_path):
    text = f"""{H}
2026-01-10T15:00:00Z,coinbase,BTC,buy,1,20000,0,C1
2026-02-10T15:00:00Z,kraken,BTC,buy,1,50000,0,K1
2026-03-10T15:00:00Z,kraken,BTC,sell,1,45000,0,S1
"""
    _engine, rows, _ = realized(tmp_path, text)
    assert [r.lot_id for r in rows] == ["K1"]  # never coinbase's lot
    from engine.ledger.lots import match_lots

    result = match_lots(_engine.store.ledger(), "fifo", universal=True)
    assert [row.lot_id for row in result.realized] == ["C1"]  # one pool per asset: FIFO takes the oldest


def test_income_is_a_lot_at_fair_value_and_spend_a_disposal(tmp_path):
    text = f"""{H}
2026-01-10T15:00:00Z,kraken,ETH,income,0.5,3000,0,I1
2026-02-10T15:00:00Z,kraken,ETH,spend,0.2,3500,0,P1
"""
    engine, (row,), _ = realized(tmp_path, text)
    # basis 0.2 x 3,000 = 600; proceeds 0.2 x 3,500 = 700
    assert (row.lot_id, row.proceeds, row.cost_basis, row.gain) == ("I1", usd("700"), usd("600"), usd("100"))
    (lot,) = engine.lots().open_lots
    assert (lot.quantity, lot.basis) == (usd("0.3"), usd("900"))


def test_year_filter_uses_the_tax_zone(tmp_path):
    text = f"""{H}
2025-06-10T15:00:00Z,kraken,BTC,buy,1,30000,0,B1
2026-01-01T03:00:00Z,kraken,BTC,sell,1,40000,0,S1
"""
    # 03:00Z on Jan 1 is Dec 31, 22:00 in New York: the sale is in 2025
    engine = engine_from_csv(tmp_path, text)
    assert [r.sale_id for r in engine.realized(2025)[0]] == ["S1"]
    assert engine.realized(2026)[0] == []
