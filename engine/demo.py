"""The bundled demo portfolio: deterministic, dated relative to today, so it always looks current.

Three accounts (two exchanges and a self-custody wallet), about 2.5 years of trades: monthly
BTC buys, ETH buys and staking income, buys near the highs of SOL, AVAX and LINK that are deep
under water now, a swap of ETH for SOL, BTC moved to the wallet, and sales this year that
realize gains worth offsetting. Rows are in the CSV import format."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from engine.config import Config, TaxConfig

DEMO_ACCOUNTS = ("coinbase", "kraken", "ledger")
CSV_COLUMNS = (
    "timestamp", "account", "asset", "side", "quantity", "price", "fee", "quote", "price_usd", "trade_id",
    "tx_id", "counterpart_account", "lots", "note",
)  # fmt: skip

# (days before today, USD price): the shape of each market over the demo's history
CURVES: dict[str, tuple[tuple[int, str], ...]] = {
    "BTC": ((900, "26000"), (700, "42000"), (500, "65000"), (380, "95000"), (300, "105000"), (200, "110000"),
            (120, "118000"), (60, "98000"), (0, "84000")),
    "ETH": ((900, "1650"), (700, "2300"), (500, "3500"), (380, "3300"), (300, "2600"), (200, "3800"),
            (120, "4400"), (60, "3200"), (0, "2400")),
    "SOL": ((900, "20"), (700, "60"), (500, "150"), (380, "210"), (300, "240"), (200, "180"), (120, "220"),
            (60, "160"), (0, "120")),
    "AVAX": ((900, "12"), (700, "25"), (500, "38"), (380, "45"), (340, "42"), (200, "26"), (120, "24"), (0, "18")),
    "LINK": ((900, "6"), (700, "14"), (500, "17"), (380, "24"), (300, "22"), (200, "15"), (120, "21"), (0, "11")),
    "DOGE": ((900, "0.06"), (500, "0.15"), (380, "0.40"), (200, "0.20"), (120, "0.25"), (0, "0.14")),
    "PEPE": ((900, "0.000001"), (400, "0.00002"), (300, "0.000012"), (0, "0.000004")),
}  # fmt: skip
CENT = Decimal("0.01")
QTY = Decimal("0.00000001")


def curve_price(asset: str, days_ago: float) -> Decimal:
    """Linear between the curve's points (no noise): the demo's market on a given day."""
    points = CURVES[asset]
    for (far, far_price), (near, near_price) in zip(points, points[1:], strict=False):
        if near <= days_ago <= far:
            weight = Decimal(str((far - days_ago) / (far - near)))
            return Decimal(far_price) + (Decimal(near_price) - Decimal(far_price)) * weight
    return Decimal(points[0][1] if days_ago > points[0][0] else points[-1][1])


def _price_text(value: Decimal) -> str:
    if value >= 1:
        return format(value.quantize(CENT), "f")
    return format(value.quantize(Decimal("1e-10")).normalize(), "f")


class _Ledger:
    """Collects rows in time order and refuses to sell what an account does not hold."""

    def __init__(self, today: date, seed: int) -> None:
        self.today = today
        self.rng = random.Random(seed)
        self.rows: list[tuple[datetime, dict[str, str]]] = []
        self.held: dict[tuple[str, str], Decimal] = {}
        self.counters: dict[str, int] = {}

    def when(self, days_ago: float, hour: int) -> datetime:
        day = self.today - timedelta(days=int(days_ago))
        return datetime.combine(day, time(hour, self.rng.randint(0, 59), self.rng.randint(0, 59)), tzinfo=UTC)

    def trade_id(self, account: str) -> str:
        prefix = {"coinbase": "CB", "kraken": "KR", "ledger": "LG"}[account]
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}-{self.counters[prefix]:04d}"

    def price(self, asset: str, days_ago: float) -> Decimal:
        noise = Decimal(self.rng.randint(970, 1030)) / 1000  # +-3% around the curve
        return curve_price(asset, days_ago) * noise

    def add(
        self, days_ago: float, account: str, asset: str, side: str, quantity: Decimal, **cells: str
    ) -> str:
        key = (account, asset)
        change = quantity if side in ("buy", "income", "transfer_in") else -quantity
        if self.held.get(key, Decimal(0)) + change < 0:
            raise AssertionError(f"demo would oversell {asset} on {account}")
        self.held[key] = self.held.get(key, Decimal(0)) + change
        trade_id = cells.pop("trade_id", None) or self.trade_id(account)
        row = {"account": account, "asset": asset, "side": side, "quantity": format(quantity, "f"),
               "fee": "0", "trade_id": trade_id, **cells}  # fmt: skip
        self.rows.append((self.when(days_ago, self.rng.randint(9, 20)), row))
        return trade_id

    def buy_usd(
        self, days_ago: float, account: str, asset: str, usd: Decimal, fee_rate: str = "0.005"
    ) -> str:
        price = self.price(asset, days_ago)
        quantity = (usd / price).quantize(Decimal("1") if asset == "PEPE" else QTY, rounding=ROUND_DOWN)
        fee = (quantity * price * Decimal(fee_rate)).quantize(CENT)
        return self.add(days_ago, account, asset, "buy", quantity, price=_price_text(price), fee=str(fee))

    def sell(self, days_ago: float, account: str, asset: str, quantity: Decimal, lots: str = "") -> str:
        price = self.price(asset, days_ago)
        fee = (quantity * price * Decimal("0.004")).quantize(CENT)
        extra = {"lots": lots} if lots else {}
        return self.add(
            days_ago, account, asset, "sell", quantity, price=_price_text(price), fee=str(fee), **extra
        )


def demo_rows(today: date) -> list[dict[str, str]]:
    book = _Ledger(today, seed=2026)
    for days_ago in range(870, 59, -30):  # monthly BTC on coinbase
        book.buy_usd(days_ago, "coinbase", "BTC", Decimal(1500))
    eth_buys = [
        book.buy_usd(days_ago, "kraken", "ETH", Decimal(2000), "0.0026") for days_ago in range(850, 99, -45)
    ]
    for days_ago in range(240, 9, -30):  # staking rewards
        price = book.price("ETH", days_ago)
        book.add(
            days_ago, "kraken", "ETH", "income", Decimal("0.0125"), price=_price_text(price), note="staking"
        )
    for days_ago in (300, 280, 200):
        book.buy_usd(days_ago, "kraken", "SOL", Decimal(4000), "0.0026")
    # a swap: SOL bought with ETH, priced in ETH, valued in USD
    sol_usd, eth_usd = book.price("SOL", 250), book.price("ETH", 250)
    book.add(250, "kraken", "SOL", "buy", Decimal(20), price=format((sol_usd / eth_usd).quantize(QTY), "f"),
             quote="ETH", price_usd=_price_text(sol_usd), fee="0.002", note="swap ETH for SOL")  # fmt: skip
    for days_ago in (345, 338, 330):  # AVAX near its high: turns long-term within weeks
        book.buy_usd(days_ago, "coinbase", "AVAX", Decimal(3000))
    for days_ago in (380, 300, 120):
        book.buy_usd(days_ago, "coinbase", "LINK", Decimal(2500))
    for days_ago in (500, 380):
        book.buy_usd(days_ago, "kraken", "DOGE", Decimal(2500))
    book.buy_usd(300, "kraken", "PEPE", Decimal(1200))
    for number, (days_ago, amount) in enumerate(((420, "0.05"), (200, "0.03")), start=1):
        tx = f"0xdemo{number:04d}"
        book.add(days_ago, "coinbase", "BTC", "transfer_out", Decimal(amount), price="", tx_id=tx,
                 counterpart_account="ledger")  # fmt: skip
        book.add(days_ago - 0.01, "ledger", "BTC", "transfer_in", Decimal(amount), price="", tx_id=tx,
                 counterpart_account="coinbase")  # fmt: skip
    for days_ago in (118, 90, 62):  # recent BTC buys near the top: short-term losses now
        book.buy_usd(days_ago, "coinbase", "BTC", Decimal(3000))
    _sales_this_year(book, eth_buys)
    book.rows.sort(key=lambda pair: pair[0])
    rows = []
    for moment, row in book.rows:
        rows.append(
            {column: "" for column in CSV_COLUMNS}
            | row
            | {"timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}
        )
    return rows


def _sales_this_year(book: _Ledger, eth_buys: list[str]) -> None:
    """Sales spread over the part of this year already gone, so they always fall in it."""
    elapsed = (book.today - date(book.today.year, 1, 1)).days

    def days_ago(fraction: float) -> float:
        return max(0.0, elapsed * (1 - fraction))

    book.sell(days_ago(0.30), "coinbase", "BTC", Decimal("0.25"))
    # name two early ETH lots explicitly (specific identification; the oldest went in the swap)
    book.sell(days_ago(0.50), "kraken", "ETH", Decimal("1"), lots=f"{eth_buys[3]}:0.5;{eth_buys[5]}:0.5")
    book.sell(days_ago(0.60), "kraken", "DOGE", Decimal(str(book.held[("kraken", "DOGE")] / 2)).quantize(QTY))
    book.sell(days_ago(0.70), "ledger", "BTC", Decimal("0.02"))


def demo_config() -> Config:
    """The demo's own tax profile (it never reads the user's config): a single filer with
    $120,000 of taxable income in New York time; years past the bundled tax tables borrow the
    latest table, labelled as an estimate."""
    return Config(
        tax=TaxConfig(
            timezone="America/New_York",
            filing_status="single",
            ordinary_taxable_income=Decimal(120_000),
            assume_latest_params=True,
        )
    )


def demo_prices(today: date) -> dict[str, Decimal]:
    """Today's demo prices: SOL, AVAX, LINK, PEPE and recent BTC and ETH buys are under water."""
    del today  # the curves end at today by construction
    return {asset: Decimal(points[-1][1]) for asset, points in CURVES.items()}


def price_path(asset: str, start_price: Decimal, steps: int, seed: int = 7) -> list[Decimal]:
    """A seeded random walk with a 5-15% dip every ~40 steps (the demo's live price feed)."""
    rng = random.Random(f"{asset}:{seed}")
    places = CENT if start_price >= 1 else Decimal(1).scaleb(start_price.adjusted() - 7)
    price = start_price
    path: list[Decimal] = []
    for _ in range(steps):
        if rng.random() < 1 / 40:
            price *= Decimal(rng.randint(85, 95)) / 100
        else:
            price *= Decimal(rng.randint(9970, 10030)) / 10_000
        price = max(price.quantize(places), places)
        path.append(price)
    return path


def scaled_rows(today: date, lots: int, seed: int = 11) -> Iterator[dict[str, str]]:
    """`lots` extra buys (open lots) over the last 3 years, for `harvest demo --lots N`."""
    rng = random.Random(seed)
    assets = [a for a in CURVES if a != "PEPE"]
    # price per asset per day in integer cents, computed once per (asset, day)
    cents = {(a, d): int(curve_price(a, d) * 100) or 1 for a in assets for d in range(0, 1096, 5)}
    start = datetime.combine(today, time(12), tzinfo=UTC) - timedelta(days=1095)
    for number in range(lots):
        asset = assets[rng.randrange(len(assets))]
        day = rng.randrange(0, 1095, 5)
        price_cents = cents[(asset, day)] * rng.randint(90, 110) // 100 or 1
        moment = start + timedelta(days=1095 - day, seconds=rng.randrange(86_400))
        units = rng.randint(1, 10**8)
        yield {
            "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "account": DEMO_ACCOUNTS[number % 2],
            "asset": asset, "side": "buy", "quantity": f"{units // 10**8}.{units % 10**8:08d}",
            "price": f"{price_cents // 100}.{price_cents % 100:02d}", "fee": "0", "trade_id": f"SC-{number:07d}",
        }  # fmt: skip


def write_csv(rows: Iterable[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in CSV_COLUMNS})
