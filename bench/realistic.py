"""A heavy real user's history in harvest's CSV format, for benchmarks (`synth.py --profile realistic`).

Same seed and size -> byte-identical output. Over 2019-2026, on four exchange accounts and two
self-custody wallets:
- prices per asset follow a mean-reverting walk in log space inside a plausible band (BTC
  $15k-$110k, ETH $1k-$4.8k, SOL $10-$260, stablecoins at $1, SHIB/PEPE at 1e-8..1e-5 per unit
  with 10^9-10^12-unit trades) and a long tail of 30-80 small assets (the count set by the seed);
- the mix: DCA buys of BTC/ETH, trades in the rest, occasional large sells (30-100% of a
  holding), sends from an exchange to a wallet or another exchange (a `transfer_out` and its
  `transfer_in` sharing a tx_id, the network fee taken in the coin on the way), staking income
  (ETH, SOL, ADA), a few airdrops, and buys whose fee is paid in BNB (a crypto fee: `fee_asset`
  and `fee_usd`).
A sell, send or BNB fee never takes more than its account holds. Every row stays inside the
import's limits (10^15 units, 10^12 per unit, 10^15 a row)."""

from __future__ import annotations

import csv
import math
import random
import time
from collections.abc import Iterator
from pathlib import Path

COLUMNS = ("timestamp", "account", "asset", "side", "quantity", "price", "fee", "fee_asset", "fee_usd",
           "trade_id", "tx_id", "note")  # fmt: skip
EXCHANGES = ("coinbase", "kraken", "gemini", "binanceus")
WALLETS = ("ledger", "metamask")
START = 1_546_300_800  # 2019-01-01T00:00:00Z
END = 1_767_225_600  # 2026-01-01T00:00:00Z
# asset: (lowest, highest) USD per unit, (fewest, most) units a trade in 1e-8 units
MAJORS: dict[str, tuple[float, float, int, int]] = {
    "BTC": (15_000, 110_000, 50_000, 50_000_000),  # 0.0005 - 0.5
    "ETH": (1_000, 4_800, 500_000, 1_000_000_000),  # 0.005 - 10
    "SOL": (10, 260, 10_000_000, 20_000_000_000),  # 0.1 - 200
    "BNB": (200, 700, 1_000_000, 2_000_000_000),
    "USDC": (1, 1, 1_000_000_000, 2_000_000_000_000),  # 10 - 20,000
    "USDT": (1, 1, 1_000_000_000, 2_000_000_000_000),
    "SHIB": (1e-8, 1e-5, 10**17, 10**20),  # 10^9 - 10^12 units
    "PEPE": (1e-8, 1e-5, 10**17, 10**20),
}
TAIL = ("ADA", "DOT", "AVAX", "LINK", "MATIC", "UNI", "ATOM", "XLM", "ALGO", "FIL", "AAVE", "NEAR", "APT", "ARB",
        "OP", "INJ", "SUI", "SEI", "TIA", "RNDR", "GRT", "LDO", "MKR", "SNX", "CRV", "COMP", "SAND", "MANA", "AXS",
        "ENJ", "CHZ", "FTM", "HBAR", "ICP", "VET", "EGLD", "XTZ", "EOS", "THETA", "KAVA", "ZEC", "DASH", "LTC",
        "BCH", "ETC", "DOGE", "TRX", "XRP", "BAT", "ZRX", "1INCH", "YFI", "SUSHI", "BAL", "REN", "KNC", "STORJ",
        "ANKR", "SKL", "OCEAN", "FET", "AGIX", "IMX", "BLUR", "GMX", "DYDX", "JTO", "PYTH", "JUP", "WIF", "BONK",
        "FLOKI", "ONDO", "ENA", "STRK", "ZK", "W", "ZRO", "ROSE", "CELO")  # fmt: skip
STAKED = ("ETH", "SOL", "ADA")  # ADA when the seed's tail has it
CYCLE_DAYS = 1460
MAJORS_PHASE = -1.377  # the cycle's top on day ~1050 from 2019-01-01 (late 2021)
RECEIPT_DELAY = 600  # seconds from a send to its receipt
MOST_UNITS = 10**15 * 10**8  # the import's limit a row, in 1e-8 units
# what a row is, by weight (a DCA buy is a BTC/ETH buy on coinbase every few days)
KINDS = (("dca", 30), ("buy", 26), ("sell", 20), ("large_sell", 2), ("send", 8), ("stake", 10),
         ("airdrop", 1), ("bnb_fee_buy", 3))  # fmt: skip


class Market:
    """Each asset's price on a day: a walk in log space pulled toward a four-year cycle across
    its band (the majors in step, BTC's peaks near late 2021 and 2025; the tail at random
    phases), kept inside the band."""

    def __init__(
        self, rng: random.Random, bands: dict[str, tuple[float, float]], phases: dict[str, float]
    ) -> None:
        self.rng = rng
        self.bands = bands
        self.phases = phases
        self.log = {a: math.log(lo) for a, (lo, hi) in bands.items()}
        self.day = {a: -60 for a in bands}

    def price(self, asset: str, day: int) -> float:
        lo, hi = self.bands[asset]
        if lo == hi:
            return lo
        low, high = math.log(lo), math.log(hi)
        log = self.log[asset]
        for step in range(max(day - 60, self.day[asset]) + 1, day + 1):  # a step a day (60 reach anywhere)
            cycle = 0.5 - 0.5 * math.cos(2 * math.pi * step / CYCLE_DAYS + self.phases[asset])
            log += 0.1 * (low + (high - low) * cycle - log) + self.rng.gauss(0, 0.01) * (high - low)
            log = min(high, max(low, log))
        self.log[asset], self.day[asset] = log, max(day, self.day[asset])
        return math.exp(log)


def _price_text(price: float) -> str:
    """Six significant digits, at most 12 decimals (1e-8 per unit keeps 5 digits)."""
    places = max(2, min(12, 5 - math.floor(math.log10(price))))
    return f"{price:.{places}f}"


def _units(units: int) -> str:
    """1e-8 units as a decimal string, trailing zeros dropped."""
    whole, frac = divmod(units, 100_000_000)
    return f"{whole}.{frac:08d}".rstrip("0").rstrip(".")


def _iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def realistic_rows(rows: int, seed: int = 1) -> Iterator[tuple[str, ...]]:
    rng = random.Random(seed)
    tail = rng.sample(TAIL, min(len(TAIL), rng.randint(30, 80)))
    bands = {a: (lo, hi) for a, (lo, hi, _, _) in MAJORS.items()}
    sizes = {a: (few, most) for a, (_, _, few, most) in MAJORS.items()}
    for asset in tail:  # a small asset: somewhere from 1e-3 to 50 USD, swinging 5x
        lo = 10 ** rng.uniform(-3, 1.7)
        bands[asset], sizes[asset] = (lo, lo * 5), (10**8, 10**12)
    phases = {a: MAJORS_PHASE if a in MAJORS else rng.uniform(0, 2 * math.pi) for a in bands}
    market = Market(rng, bands, phases)
    assets, weights = list(bands), [12, 9, 5, 2, 3, 2, 3, 2] + [1] * len(tail)
    kinds, kind_weights = [k for k, _ in KINDS], [w for _, w in KINDS]
    held: dict[tuple[str, str], int] = {}  # (account, asset) -> 1e-8 units
    step = max(1, (END - START) // max(rows, 1))
    ts, n = START, 0
    while n < rows:
        ts = max(ts + 1, START + n * step + rng.randrange(step))  # spread evenly over the years, in order
        day = (ts - START) // 86_400
        kind = rng.choices(kinds, kind_weights)[0]
        if kind == "send" and rows - n < 2:  # no room for its receipt: the last row is a buy
            kind = "buy"
        made = list(_rows_of(kind, rng, market, held, assets, weights, sizes, ts, day, n))
        if kind == "send":  # the receipt lands minutes later: nothing is written between the two
            ts += RECEIPT_DELAY
        yield from made
        n += len(made)


def _rows_of(kind: str, rng: random.Random, market: Market, held: dict[tuple[str, str], int],
             assets: list[str], weights: list[int], sizes: dict[str, tuple[int, int]], ts: int, day: int,
             n: int) -> Iterator[tuple[str, ...]]:  # fmt: skip
    when, ref = _iso(ts), f"R{n:08d}"
    if kind == "dca":
        asset = "BTC" if rng.random() < 0.7 else "ETH"
        price = market.price(asset, day)
        qty = max(1, int(rng.choice((25, 50, 100, 250, 500)) / price * 10**8))
        held[("coinbase", asset)] = held.get(("coinbase", asset), 0) + qty
        yield (when, "coinbase", asset, "buy", _units(qty), _price_text(price), f"{rng.randint(99, 599) / 100:.2f}",
               "", "", ref, "", "recurring buy")  # fmt: skip
        return
    if kind in ("stake", "airdrop"):
        asset = (
            rng.choice([a for a in STAKED if a in market.bands])
            if kind == "stake"
            else rng.choice(assets[8:] or assets)
        )
        account = rng.choice(("kraken", "coinbase")) if kind == "stake" else rng.choice(WALLETS)
        price = market.price(asset, day)
        few, most = sizes[asset]
        qty = max(1, rng.randint(few, most) // (500 if kind == "stake" else 5))
        held[(account, asset)] = held.get((account, asset), 0) + qty
        yield (when, account, asset, "income", _units(qty), _price_text(price), "0", "", "", ref, "",
               "staking reward" if kind == "stake" else "airdrop")  # fmt: skip
        return
    if kind in ("sell", "large_sell", "send"):
        owned = [key for key, units in held.items() if units > 0]
        if not owned:
            return
        account, asset = owned[rng.randrange(len(owned))]
        have = held[(account, asset)]
        price = market.price(asset, day)
        if kind == "send":
            yield from _send(rng, held, account, asset, have, price, ts, ref)
            return
        share = rng.uniform(0.3, 1.0) if kind == "large_sell" else rng.uniform(0.01, 0.5)
        qty = max(1, min(have, int(have * share), MOST_UNITS))
        # a wallet sells through a swap (no USD fee of its own); an exchange charges 0.6%
        fee = "0" if account in WALLETS else f"{min(qty * price / 10**8 * 0.006, 10**6):.2f}"
        held[(account, asset)] = have - qty
        yield (when, account, asset, "sell", _units(qty), _price_text(price), fee, "", "", ref, "", "")
        return
    asset = rng.choices(assets, weights)[0]
    account = "binanceus" if kind == "bnb_fee_buy" else rng.choice(EXCHANGES)
    price = market.price(asset, day)
    few, most = sizes[asset]
    qty = max(1, min(rng.randint(few, most), int(200_000 / price * 10**8)))  # at most $200k a trade
    held[(account, asset)] = held.get((account, asset), 0) + qty
    value = qty * price / 10**8
    bnb = held.get(("binanceus", "BNB"), 0)
    bnb_price = market.price("BNB", day)
    bnb_fee = int(value * 0.00075 / bnb_price * 10**8)
    if kind == "bnb_fee_buy" and asset != "BNB" and 0 < bnb_fee <= bnb:
        held[("binanceus", "BNB")] = bnb - bnb_fee
        yield (when, account, asset, "buy", _units(qty), _price_text(price), _units(bnb_fee), "BNB",
               f"{bnb_fee * bnb_price / 10**8:.2f}", ref, "", "")  # fmt: skip
        return
    yield (when, account, asset, "buy", _units(qty), _price_text(price), f"{value * 0.004:.2f}", "", "", ref, "",
           "")  # fmt: skip


def _send(rng: random.Random, held: dict[tuple[str, str], int], account: str, asset: str, have: int,
          price: float, ts: int, ref: str) -> Iterator[tuple[str, ...]]:  # fmt: skip
    """A move to another own account: the send (its network fee in the coin) and, minutes later,
    the receipt of what arrived; both carry the tx id."""
    target = rng.choice([a for a in (*WALLETS, *EXCHANGES) if a != account])
    qty = min(MOST_UNITS, max(2, int(have * rng.uniform(0.2, 1.0))))
    if qty > have:
        return
    network_fee = max(1, min(qty // 1000, int(5 / price * 10**8)))  # at most $5 or 0.1%
    arrived = qty - network_fee
    held[(account, asset)] = have - qty
    held[(target, asset)] = held.get((target, asset), 0) + arrived
    tx = f"0x{rng.getrandbits(256):064x}"
    yield (_iso(ts), account, asset, "transfer_out", _units(arrived), "", _units(network_fee), asset,
           f"{network_fee * price / 10**8:.2f}", ref + "o", tx, "")  # fmt: skip
    yield (_iso(ts + RECEIPT_DELAY), target, asset, "transfer_in", _units(arrived), "", "0", "", "",
           ref + "i", tx, "")  # fmt: skip


def write_realistic_csv(path: Path, rows: int, seed: int = 1) -> Path:
    """`rows` data rows (a send and its receipt are two) in harvest CSV, in time order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(realistic_rows(rows, seed))
    return path
