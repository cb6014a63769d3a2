"""The bundled demo portfolio: deterministic, dated relative to today, so it always looks current.

Three accounts (two exchanges and a self-custody wallet) and ~2.5 years of history: weekly BTC
and three-weekly ETH buys, monthly LINK buys, staking income, buys near the highs of SOL, AVAX,
DOGE and PEPE that are deep under water now (some turn long-term within weeks), ETH bought in a
dip, a swap of ETH for SOL, BTC moved to the wallet, and sales this year that realize short- and
long-term gains worth offsetting. Rows are in the CSV import format. Standard library only."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.config.load import Config

DEMO_ACCOUNTS: tuple[str, ...] = ("coinbase", "kraken", "ledger")
ID_PREFIX = {"coinbase": "CB", "kraken": "KR", "ledger": "LG"}
FEE_RATE = {"coinbase": Decimal("0.006"), "kraken": Decimal("0.0026"), "ledger": Decimal("0.001")}
CSV_COLUMNS: tuple[str, ...] = (
    "timestamp", "account", "asset", "side", "quantity", "price", "fee", "quote", "fee_asset", "price_usd",
    "trade_id", "tx_id", "address", "counterpart_account", "lots", "note",
)  # fmt: skip
DEMO_SEED = 2026
WALLET_ADDRESS = "bc1qdemo7x9k2m4n6p8r0t2v4x6z8c0e2g4j6l8n0p"

# (days before today, USD price): the shape of each market; the last point is today's price
CURVES: dict[str, tuple[tuple[int, str], ...]] = {
    "BTC": ((900, "26000"), (760, "35000"), (640, "43000"), (520, "68000"), (420, "62000"), (330, "101000"),
            (280, "79000"), (200, "108000"), (120, "117000"), (60, "102000"), (0, "86000")),
    "ETH": ((900, "1650"), (700, "2300"), (560, "3600"), (420, "2500"), (330, "3300"), (280, "1600"),
            (230, "2600"), (160, "3700"), (110, "4500"), (60, "3900"), (0, "2400")),
    "SOL": ((900, "20"), (700, "100"), (560, "170"), (420, "190"), (345, "240"), (280, "130"), (200, "160"),
            (120, "205"), (60, "190"), (0, "120")),
    "AVAX": ((900, "10"), (700, "35"), (560, "45"), (420, "30"), (345, "42"), (280, "20"), (200, "24"),
             (120, "28"), (0, "17")),
    "LINK": ((900, "6"), (700, "14"), (560, "18"), (420, "14"), (345, "24"), (280, "12"), (200, "15"),
             (120, "23"), (60, "20"), (0, "11")),
    "DOGE": ((900, "0.06"), (700, "0.08"), (560, "0.16"), (420, "0.12"), (345, "0.42"), (280, "0.16"),
             (200, "0.20"), (120, "0.24"), (0, "0.14")),
    "PEPE": ((900, "0.000001"), (560, "0.000012"), (420, "0.000008"), (345, "0.000024"), (280, "0.000007"),
             (200, "0.000011"), (120, "0.000012"), (0, "0.0000012")),
}  # fmt: skip
CENT = Decimal("0.01")
SATOSHI = Decimal("0.00000001")
ADDS = ("buy", "income", "transfer_in")


def curve_price(asset: str, days_ago: int) -> Decimal:
    """Linear between the curve's points: the demo market's USD price on a given day."""
    points = CURVES[asset]
    if days_ago >= points[0][0]:
        return Decimal(points[0][1])
    for (far, far_price), (near, near_price) in zip(points, points[1:], strict=False):
        if near <= days_ago <= far:
            start, end = Decimal(far_price), Decimal(near_price)
            return start + (end - start) * (far - days_ago) / (far - near)
    return Decimal(points[-1][1])


def _price_places(value: Decimal) -> int:
    """Cents for dollar assets; 8 significant digits below a dollar (DOGE, PEPE)."""
    return 2 if value >= 1 else 7 - value.adjusted()


def price_text(value: Decimal) -> str:
    if value >= 1:
        return format(value.quantize(CENT), "f")
    return format(value.quantize(Decimal(1).scaleb(-_price_places(value))).normalize(), "f")


@dataclass
class _Entry:
    moment: datetime
    key: int  # provisional id; trade ids are assigned in time order at the end
    cells: dict[str, str]
    lots: list[tuple[int, Decimal]] = field(default_factory=list)  # (key of a buy, quantity)


class _Book:
    """Collects the demo's rows; ids, order and the never-oversold check come at the end."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.rng = random.Random(DEMO_SEED)
        self.entries: list[_Entry] = []

    def when(self, days_ago: int, hour: int | None = None) -> datetime:
        day = self.today - timedelta(days=days_ago)
        hour = self.rng.randint(9, 20) if hour is None else hour  # same calendar day in New York
        return datetime.combine(day, time(hour, self.rng.randint(0, 59), self.rng.randint(0, 59)), UTC)

    def price(self, asset: str, days_ago: int) -> Decimal:
        return curve_price(asset, days_ago) * Decimal(self.rng.randint(980, 1020)) / 1000  # +-2% noise

    def add(
        self, moment: datetime, account: str, asset: str, side: str, quantity: Decimal, **cells: str
    ) -> int:
        row = {
            "account": account,
            "asset": asset,
            "side": side,
            "quantity": format(quantity, "f"),
            "fee": "0",
            "quote": "USD",
            **cells,
        }
        self.entries.append(_Entry(moment, len(self.entries), row))
        return len(self.entries) - 1

    def buy(
        self, days_ago: int, account: str, asset: str, usd: int, note: str = "", hour: int | None = None
    ) -> int:
        """A USD buy worth about `usd`, paying the account's fee rate; returns its key."""
        price = Decimal(price_text(self.price(asset, days_ago)))
        quantity = (Decimal(usd) / price).quantize(Decimal(1) if asset == "PEPE" else SATOSHI, ROUND_DOWN)
        fee = format((quantity * price * FEE_RATE[account]).quantize(CENT), "f")
        moment = self.when(days_ago, hour)
        return self.add(moment, account, asset, "buy", quantity, price=str(price), fee=fee, note=note)

    def sell(self, days_ago: int, account: str, asset: str, quantity: Decimal) -> _Entry:
        price = Decimal(price_text(self.price(asset, days_ago)))
        fee = format((quantity * price * FEE_RATE[account]).quantize(CENT), "f")
        key = self.add(self.when(days_ago), account, asset, "sell", quantity, price=str(price), fee=fee)
        return self.entries[key]

    def transfer(self, days_ago: int, source: str, target: str, asset: str, quantity: Decimal) -> None:
        """A move between own accounts: both legs share the tx id and name each other."""
        tx_id = self.rng.randbytes(32).hex()
        sent = self.when(days_ago)
        cells = {"price": price_text(self.price(asset, days_ago)), "tx_id": tx_id, "address": WALLET_ADDRESS}
        out = {"counterpart_account": target, "note": f"to {target}"}
        self.add(sent, source, asset, "transfer_out", quantity, **out, **cells)
        received = sent + timedelta(minutes=self.rng.randint(20, 50))  # a few confirmations later
        self.add(received, target, asset, "transfer_in", quantity, counterpart_account=source, **cells)

    def finish(self) -> list[dict[str, str]]:
        self.entries.sort(key=lambda entry: entry.moment)
        trade_ids: dict[int, str] = {}
        counts = dict.fromkeys(ID_PREFIX, 0)
        previous: datetime | None = None
        for entry in self.entries:
            if previous is not None and entry.moment <= previous:
                entry.moment = previous + timedelta(seconds=1)  # strictly increasing timestamps
            previous = entry.moment
            account = entry.cells["account"]
            counts[account] += 1
            trade_ids[entry.key] = f"{ID_PREFIX[account]}-{counts[account]:04d}"
        rows = []
        for entry in self.entries:
            lots = ";".join(f"{trade_ids[key]}:{format(qty, 'f')}" for key, qty in entry.lots)
            cells = entry.cells | {
                "timestamp": entry.moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "trade_id": trade_ids[entry.key],
                "lots": lots,
            }
            rows.append({column: cells.get(column, "") for column in CSV_COLUMNS})
        _check_never_oversold(rows)
        return rows


def _check_never_oversold(rows: list[dict[str, str]]) -> None:
    held: dict[tuple[str, str], Decimal] = {}
    for row in rows:
        changes = [(row["asset"], Decimal(row["quantity"]) * (1 if row["side"] in ADDS else -1))]
        if row["side"] == "buy" and row["quote"] != "USD":  # crypto-to-crypto: the quote is spent
            changes.append((row["quote"], -Decimal(row["quantity"]) * Decimal(row["price"])))
        if (fee_asset := row["fee_asset"] or row["quote"]) != "USD":
            changes.append((fee_asset, -Decimal(row["fee"])))
        for asset, change in changes:
            held[row["account"], asset] = held.get((row["account"], asset), Decimal(0)) + change
            if held[row["account"], asset] < 0:
                raise RuntimeError(f"demo ledger oversells {asset} on {row['account']} at {row['trade_id']}")


def demo_rows(today: date) -> list[dict[str, str]]:
    """The demo ledger as CSV rows (all CSV_COLUMNS, in time order); same day, same rows."""
    book = _Book(today)
    for days_ago in range(900, 34, -7):  # weekly recurring BTC buy, through the top and back down
        book.buy(days_ago, "coinbase", "BTC", 250, "recurring buy", hour=14)
    book.buy(120, "coinbase", "BTC", 5000)
    for days_ago in (348, 344, 340):  # AVAX near its high, ~11.5 months ago: long-term within weeks
        book.buy(days_ago, "coinbase", "AVAX", 2000)
    book.buy(120, "coinbase", "AVAX", 1500)
    book.buy(352, "coinbase", "SOL", 3000)
    book.buy(118, "coinbase", "SOL", 2000)
    for days_ago in range(880, 39, -21):  # ETH every three weeks
        book.buy(days_ago, "kraken", "ETH", 400, "recurring buy", hour=16)
    dip_buys = [book.buy(days_ago, "kraken", "ETH", 3000, "bought the dip") for days_ago in (282, 276)]
    for days_ago in range(335, 34, -30):  # small monthly staking rewards at fair market value
        reward = Decimal(book.rng.randint(800, 1500)) * Decimal("0.00001")
        price = price_text(book.price("ETH", days_ago))
        book.add(book.when(days_ago), "kraken", "ETH", "income", reward, price=price, note="staking reward")
    for days_ago in range(600, 59, -30):
        book.buy(days_ago, "kraken", "LINK", 300, "recurring buy")
    book.buy(345, "kraken", "LINK", 3000)
    for days_ago, usd in ((720, 1500), (600, 1000), (345, 2500)):
        book.buy(days_ago, "kraken", "DOGE", usd)
    for days_ago, usd in ((560, 800), (345, 1200)):
        book.buy(days_ago, "kraken", "PEPE", usd, "memecoin")
    # a swap: SOL bought with ETH, priced in ETH per SOL and valued in USD; the fee is in ETH
    sol_usd, eth_usd = book.price("SOL", 250), book.price("ETH", 250)
    book.add(
        book.when(250),
        "kraken",
        "SOL",
        "buy",
        Decimal(15),
        price=format((sol_usd / eth_usd).quantize(SATOSHI), "f"),
        quote="ETH",
        fee_asset="ETH",
        fee="0.0015",
        price_usd=price_text(sol_usd),
        note="swap ETH for SOL",
    )
    book.transfer(420, "coinbase", "ledger", "BTC", Decimal("0.06"))
    book.transfer(200, "coinbase", "ledger", "BTC", Decimal("0.04"))
    _sales_this_year(book, dip_buys)
    return book.finish()


def _sales_this_year(book: _Book, dip_buys: list[int]) -> None:
    """Sales spread over the part of this year already gone (before today when there is such a
    day), so they fall in this tax year whatever the date; together ~$15k-30k of gains."""
    elapsed = (book.today - date(book.today.year, 1, 1)).days

    def at(fraction: float) -> int:
        return elapsed - int(max(elapsed - 1, 0) * fraction)

    book.sell(at(0.25), "coinbase", "BTC", Decimal("0.25"))  # FIFO: the oldest lots, long-term
    book.sell(at(0.40), "kraken", "DOGE", Decimal(15000))
    book.sell(at(0.50), "kraken", "ETH", Decimal(2))
    book.sell(at(0.60), "ledger", "BTC", Decimal("0.03"))
    # specific identification of part of each dip lot (~1.7 ETH each): a short-term gain
    sale = book.sell(at(0.70), "kraken", "ETH", Decimal(2))
    sale.lots = [(dip_buys[0], Decimal("1.2")), (dip_buys[1], Decimal("0.8"))]


def demo_prices(today: date) -> dict[str, Decimal]:
    """Today's demo prices: SOL, AVAX, LINK, DOGE and PEPE bought near highs are under water;
    BTC and ETH have old lots in gain and recent lots at a loss."""
    del today  # the curves end at today by construction
    return {asset: Decimal(points[-1][1]) for asset, points in CURVES.items()}


def demo_config() -> Config:
    """The demo's own tax profile (it never reads the user's config): a single filer with
    $120,000 of taxable income in New York time; years past the bundled tax tables borrow the
    latest table, labelled as an estimate."""
    from engine.config.load import Config, TaxConfig  # lazily: the generator itself is stdlib-only

    return Config(
        tax=TaxConfig(
            timezone="America/New_York",
            filing_status="single",
            ordinary_taxable_income=Decimal(120_000),
            assume_latest_params=True,
        )
    )


DIP_CHANCE = 1 / 40  # a 5-15% dip about every 40 steps
REVERSION = Decimal("0.01")  # each step leans back 1% of the way to the starting price


def price_walk(asset: str, start_price: Decimal, seed: int = 7) -> Iterator[Decimal]:
    """An endless seeded walk of +-0.3% steps with a 5-15% dip every ~40 steps, mean-reverting
    toward `start_price` (dips recover, so hours of it stay plausible: without the pull the dips
    compound to -99.9% within half an hour). Cents for dollar assets, 8 significant digits below
    a dollar; never zero or less."""
    rng = random.Random(f"{asset}:{seed}")
    quantum = Decimal(1).scaleb(-_price_places(start_price))
    price = start_price
    while True:
        gap = start_price - price  # before this step's move: the first step is the plain walk's
        if rng.random() < DIP_CHANCE:
            price *= Decimal(rng.randint(85, 95)) / 100
        else:
            price *= Decimal(rng.randint(9970, 10030)) / 10_000
        price = max((price + gap * REVERSION).quantize(quantum), quantum)
        yield price


def price_path(asset: str, start_price: Decimal, steps: int, seed: int = 7) -> list[Decimal]:
    """The first `steps` prices of `price_walk` (a simulated feed)."""
    return list(islice(price_walk(asset, start_price, seed), steps))


def scaled_rows(today: date, lots: int, seed: int = 11) -> Iterator[dict[str, str]]:
    """`lots` extra buys (open lots) over the last 3 years, in time order, for `harvest demo
    --lots N`. One random draw and plain int arithmetic per row, so 100,000 rows are quick."""
    rng = random.Random(seed)
    span_days = 3 * 365
    first_day = today - timedelta(days=span_days)
    day_text = [(first_day + timedelta(days=day)).isoformat() for day in range(span_days + 1)]
    markets = [_scaled_market(asset, span_days) for asset in CURVES]
    step = span_days * 86_400 // max(lots, 1)
    draw_bits = rng.getrandbits
    for number in range(lots):
        draw = draw_bits(64)  # sliced into asset, time jitter, price noise and size
        asset, places, scale, day_prices = markets[draw % len(markets)]
        day, in_day = divmod(number * step + (draw >> 8) % max(step, 1), 86_400)
        price = day_prices[day] * (85 + (draw >> 32) % 31) // 100 or 1  # +-15% noise
        usd_cents = 2_000 + (draw >> 40) % 198_000
        units = usd_cents * 1_000_000 * scale // price  # quantity in 1e-8 units
        fee_cents = usd_cents // 200
        yield {
            "timestamp": f"{day_text[day]}T{in_day // 3600:02d}:{in_day // 60 % 60:02d}:{in_day % 60:02d}Z",
            "account": DEMO_ACCOUNTS[number % 3],
            "asset": asset,
            "side": "buy",
            "quantity": f"{units // 100_000_000}.{units % 100_000_000:08d}",
            "price": f"{price // scale}.{str(price % scale).zfill(places)}",
            "fee": f"{fee_cents // 100}.{fee_cents % 100:02d}",
            "quote": "USD",
            "trade_id": f"SC-{number + 1:07d}",
            "note": "synthetic lot",
        }


def _scaled_market(asset: str, span_days: int) -> tuple[str, int, int, list[int]]:
    """(asset, price places, units per USD, integer price per day from the oldest day): the
    demo curve rescaled so about a third of the days sit above today's price (under water)."""
    today_price = Decimal(CURVES[asset][-1][1])
    places = _price_places(today_price)
    curve = [curve_price(asset, span_days - day) for day in range(span_days + 1)]
    two_thirds_mark = sorted(curve)[len(curve) * 2 // 3]
    stretch = today_price / two_thirds_mark
    return asset, places, 10**places, [max(int(price * stretch * 10**places), 1) for price in curve]


def write_csv(rows: Iterable[dict[str, str]], path: Path) -> None:
    """The rows as an importable CSV with the CSV_COLUMNS header (missing cells left blank)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in CSV_COLUMNS})
