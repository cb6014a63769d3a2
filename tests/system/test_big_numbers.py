"""Numbers up to the import's limits in every path (issue 18): quantities of 10^15 units
(SHIB-scale holdings) and aggregates past $10^15 (a row's value is at most 10^15; sums of such
rows go beyond), 10^33 to 10^34 fixed-point units — past SQLite's and polars' 64-bit integers.

One history at the limits goes through `harvest import` (harvest CSV) → lots, FIFO and HIFO →
realized CSV and JSON → Form 8949 → open lots with prices → the scan's candidates and the
holdings (engine.api Engine) → the monitor's alert text → the app's format functions and panes;
every figure is checked to the cent against one worked by hand below."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.planning.holdings import holdings
from engine.planning.planner import Planner
from tests.support import engine_from_csv, run_cli
from tests.tui.pilot import cells, settled, table, widths_fit
from tui import format as fmt
from tui.app import HarvestApp
from tui.feed import PriceFeed
from tui.session import Session

# B1 10^15 SHIB at $0.50 (+$1,000 fee), B2 10^15 SHIB at $0.99, B3 10^9 BTC at $10^6 (a $10^15
# row, the limit, +$10^6 fee); S1 sells 10^15 SHIB at $0.75, S2 5x10^8 BTC at $1.9x10^6.
HISTORY = """timestamp,account,asset,side,quantity,price,fee,trade_id
2025-01-02T15:00:00Z,kraken,SHIB,buy,1000000000000000,0.5,1000,B1
2025-02-03T15:00:00Z,kraken,SHIB,buy,1000000000000000,0.99,1000,B2
2025-03-04T15:00:00Z,coinbase,BTC,buy,1000000000,1000000,1000000,B3
2025-04-05T15:00:00Z,kraken,SHIB,sell,1000000000000000,0.75,0,S1
2025-05-06T15:00:00Z,coinbase,BTC,sell,500000000,1900000,0,S2
"""
PRICES = "asset,price\nSHIB,0.1\nBTC,100000\n"
AS_OF = ("--as-of", "2025-11-20")
# worked by hand: S1 takes B1 under FIFO, B2 (the dearer) under HIFO; S2 half of B3
FIFO_S1 = ("750000000000000.00", "500000000001000.00", "249999999999000.00")
HIFO_S1 = ("750000000000000.00", "990000000001000.00", "-240000000001000.00")
S2 = ("950000000000000.00", "500000000500000.00", "449999999500000.00")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    config = tmp_path / "config.yaml"
    config.write_text("tax:\n  timezone: America/New_York\n  ordinary_taxable_income: 150000\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(config))
    (tmp_path / "big.csv").write_text(HISTORY)
    (tmp_path / "prices.csv").write_text(PRICES)
    code, out, err = run_cli(capsys, "import", str(tmp_path / "big.csv"))
    assert (code, err) == (0, ""), out
    return tmp_path


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def figures(row: dict[str, str]) -> tuple[str, str, str]:
    return row["proceeds"], row["cost_basis"], row["gain"]


@pytest.mark.parametrize(("method", "s1"), [("fifo", FIFO_S1), ("hifo", HIFO_S1)])
def test_realized_csv_is_exact_at_the_limits(home: Path, capsys, method: str, s1: tuple[str, ...]) -> None:  # noqa: ANN001
    code, out, _ = run_cli(capsys, *AS_OF, "report", "realized", "--format", "csv", "--method", method)
    rows = csv_rows(out)
    assert code == 0
    assert [(r["asset"], r["quantity"], figures(r)) for r in rows] == [
        ("SHIB", "1000000000000000", s1),
        ("BTC", "500000000", S2),
    ]


def test_realized_json_totals_pass_ten_to_the_fifteen(home: Path, capsys) -> None:  # noqa: ANN001
    code, out, _ = run_cli(capsys, *AS_OF, "report", "realized", "--format", "json")
    short = json.loads(out)["totals"]["2025"]["short_term"]
    assert code == 0
    assert short == {"proceeds": "1700000000000000.00", "cost_basis": "1000000000501000.00",
                     "gain": "699999999499000.00"}  # fmt: skip


def test_form_8949_rows_and_totals(home: Path, capsys) -> None:  # noqa: ANN001
    code, out, _ = run_cli(capsys, *AS_OF, "report", "8949", "--year", "2025", "--format", "csv")
    rows = csv_rows(out)
    assert code == 0
    assert [(r["part"], r["box"], r["description"], figures(r)) for r in rows] == [
        ("I", "I", "1000000000000000 SHIB", FIFO_S1),
        ("I", "I", "500000000 BTC", S2),
    ]
    code, out, _ = run_cli(capsys, *AS_OF, "report", "8949", "--year", "2025")
    assert "1700000000000000.00  1000000000501000.00" in out  # the totals to carry to Schedule D


def test_open_lots_valued_at_prices(home: Path, capsys) -> None:  # noqa: ANN001
    code, out, _ = run_cli(
        capsys, *AS_OF, "report", "lots", "--prices", str(home / "prices.csv"), "--format", "csv"
    )
    lots = {r["lot_id"]: (r["quantity"], r["cost_basis"], r["value"], r["unrealized"]) for r in csv_rows(out)}
    assert code == 0
    assert lots == {
        "B2": ("1000000000000000", "990000000001000.00", "100000000000000.00", "-890000000001000.00"),
        "B3": ("500000000", "500000000500000.00", "50000000000000.00", "-450000000500000.00"),
    }


def test_the_scan_and_the_monitor_alert_carry_every_digit(home: Path, capsys) -> None:  # noqa: ANN001
    prices = str(home / "prices.csv")
    code, out, _ = run_cli(capsys, *AS_OF, "scan", "--prices", prices, "--format", "json")
    assert code == 0
    candidates = {c["asset"]: c for c in json.loads(out)["candidates"]}
    assert candidates["SHIB"]["loss"] == "-890000000001000.00"
    assert candidates["BTC"]["loss"] == "-450000000500000.00"
    net = Decimal(candidates["SHIB"]["net_savings"])
    assert net > 10**14  # a short-term loss against $7x10^14 of short-term gains
    code, out, _ = run_cli(capsys, *AS_OF, "watch", "--once", "--prices", prices)
    assert code == 0
    assert f"harvesting now saves ${fp.fmt_cents(fp.from_decimal(net))} net across 1 position(s)" in out
    assert f"SHIB on kraken: harvesting saves ${fp.fmt_cents(fp.from_decimal(net))} net" in out


def test_engine_candidates_and_holdings(tmp_path: Path) -> None:
    engine = engine_from_csv(tmp_path, HISTORY, now="2025-11-20T12:00:00")
    prices = {"SHIB": fp.parse("0.1"), "BTC": fp.parse("100000")}
    tick = Planner(engine).tick(prices)
    losses = {(c.asset, c.quantity, c.cost_basis, c.loss) for c in tick.candidates}
    assert losses == {
        ("SHIB", 10**33, fp.parse("990000000001000"), fp.parse("-890000000001000")),
        ("BTC", 5 * 10**26, fp.parse("500000000500000"), fp.parse("-450000000500000")),
    }
    held = {h.asset: (h.quantity, h.cost_basis, h.value, h.unrealized) for h in
            holdings(Planner(engine).context.totals, tick.groups, prices)}  # fmt: skip
    assert held["SHIB"] == (
        10**33,
        fp.parse("990000000001000"),
        fp.parse("1e14"),
        fp.parse("-890000000001000"),
    )
    assert held["BTC"] == (
        5 * 10**26,
        fp.parse("500000000500000"),
        fp.parse("5e13"),
        fp.parse("-450000000500000"),
    )


DOLLARS = st.integers(min_value=-(10**33), max_value=10**33)  # ±$10^15 in fixed point
QUANTITIES = st.integers(min_value=1, max_value=10**33)  # up to 10^15 units


@settings(max_examples=300, deadline=None)
@given(DOLLARS)
def test_dollars_on_screen_are_every_digit_rounded_once(units: int) -> None:
    whole = fp.to_decimal(units).quantize(Decimal(1), rounding="ROUND_HALF_EVEN")
    cents = fp.to_decimal(units).quantize(Decimal("0.01"), rounding="ROUND_HALF_EVEN")
    assert Decimal(fmt.usd(Amount(units)).replace(fmt.MINUS, "-").replace("$", "").replace(",", "")) == whole
    shown = fmt.usd(Amount(units), cents=True, sign=True)
    assert Decimal(shown.replace(fmt.MINUS, "-").replace("$", "").replace(",", "")) == cents
    assert Decimal(fp.fmt_cents(units)) == cents


@settings(max_examples=300, deadline=None)
@given(QUANTITIES)
def test_quantities_on_screen_keep_every_whole_digit(units: int) -> None:
    value = fp.to_decimal(units)
    shown = Decimal(fmt.qty(Amount(units), 6).replace(",", ""))
    assert abs(shown - value) <= max(Decimal("0.005"), value / 10**5)  # about 6 significant digits
    if value >= 1000:  # every whole digit shown, to the cent
        assert shown == value.quantize(Decimal("0.01"), rounding="ROUND_HALF_EVEN")
    assert fp.parse(fmt.exact_qty(Amount(units))) == units  # what to act on: exact


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**30))  # prices up to $10^12 a unit
def test_prices_on_screen(units: int) -> None:
    value = fp.to_decimal(units)
    shown = Decimal(fmt.price(Amount(units)).replace("$", "").replace(",", ""))
    assert abs(shown - value) <= max(Decimal("0.005"), value / 1000)


def test_the_columnar_import_holds_the_limits_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    """The same history through the columnar path (polars, Int128; forced at this size): the
    same realized figures."""
    from engine.imports import columnar

    monkeypatch.setattr(columnar, "COLUMNAR_MIN_LINES", 0)
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    (tmp_path / "config.yaml").write_text("tax:\n  timezone: America/New_York\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(tmp_path / "config.yaml"))
    (tmp_path / "big.csv").write_text(HISTORY)
    assert run_cli(capsys, "import", str(tmp_path / "big.csv"))[0] == 0
    code, out, _ = run_cli(capsys, *AS_OF, "report", "realized", "--format", "csv")
    assert code == 0
    assert [figures(r) for r in csv_rows(out)] == [FIFO_S1, S2]


class StillPrices(PriceFeed):
    interval = 3600.0

    def poll(self) -> None:
        return None


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_the_app_panes_show_every_digit(tmp_path: Path) -> None:
    engine = engine_from_csv(tmp_path, HISTORY, now="2025-11-20T12:00:00")
    session = Session(engine, export_dir=tmp_path)
    session.set_prices({"SHIB": fp.parse("0.1"), "BTC": fp.parse("100000")}, engine.clock())
    app = HarvestApp(session, StillPrices())
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        for pane in ("candidates", "holdings"):
            shown = [cell for row in cells(app, pane) for cell in row]
            assert "−$890,000,000,001,000" in shown, (pane, shown)
            assert widths_fit(table(app, pane)), pane


# one pool's history at any scale up to the limits: (is a sell, quantity in 1e-18 units, price in cents)
TRADES = st.lists(
    st.tuples(
        st.booleans(), st.integers(min_value=1, max_value=10**33), st.integers(min_value=1, max_value=10**5)
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(TRADES, st.sampled_from(["fifo", "hifo"]))
def test_lots_at_any_scale_conserve_quantity_basis_and_proceeds(
    trades: list[tuple[bool, int, int]], method: str
) -> None:
    """Through the store (amounts past 64 bits stored as text) and the matcher: every unit sold
    is realized once, every dollar of basis is either realized or still open, and the proceeds
    are the sales' — exactly, at quantities up to 10^15 with all 18 decimals."""
    import tempfile

    lines, held, bought, sold, proceeds = [], 0, 0, 0, 0
    for n, (is_sell, quantity, cents) in enumerate(trades):
        price = fp.parse(f"{cents // 100}.{cents % 100:02d}")
        quantity = min(quantity, 10**33 * fp.SCALE // max(price, 1))  # a row's value within $10^15
        if is_sell:
            quantity = min(quantity, held)
            if quantity == 0:
                continue
        value = fp.mul(quantity, price)
        if value == 0:
            continue
        held += -quantity if is_sell else quantity
        bought += 0 if is_sell else value
        sold += quantity if is_sell else 0
        proceeds += value if is_sell else 0
        side = "sell" if is_sell else "buy"
        lines.append(
            f"2025-01-{n + 2:02d}T15:00:00Z,kraken,SHIB,{side},{fp.fmt(quantity, 0)},{fp.fmt(price)},0,T{n}"
        )
    with tempfile.TemporaryDirectory() as directory:
        engine = engine_from_csv(Path(directory), HISTORY.splitlines()[0] + "\n" + "\n".join(lines) + "\n")
        result = engine.lots(method)
        engine.store.close()
    assert sum(r.quantity for r in result.realized) == sold
    assert sum(r.proceeds for r in result.realized) == proceeds
    open_basis = sum(lot.basis or 0 for lot in result.open_lots)
    assert sum(r.cost_basis for r in result.realized) + open_basis == bought
    assert sum(lot.quantity for lot in result.open_lots) == held
